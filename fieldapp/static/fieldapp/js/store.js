// What the phone keeps (IndexedDB "fieldapp"): the session and the device id, the catalogue with its ETag
// and server_time, the templates, the assignments (with their subjects' WGS-84 points), inspections
// (drafts and what the server said of them), photos as Blobs, and the outbox of requests still to send.
// Without IndexedDB (some in-app browsers) the same API keeps everything in memory: the app works
// online only and says so.

const DB_NAME = "fieldapp";
const DB_VERSION = 1;
const STORES = {
  kv: { keyPath: "key" },
  templates: { keyPath: "id" }, // id = `${key}@${version}`
  assignments: { keyPath: "id" },
  inspections: { keyPath: "uuid" },
  photos: { keyPath: "photo_uuid", index: "inspection_uuid" },
  outbox: { keyPath: "seq", autoIncrement: true },
};

export let persistent = typeof indexedDB !== "undefined" && indexedDB !== null;

/** Whether IndexedDB really opens (private modes may have the object and refuse to open it); if not, the
memory stand-in takes over. Call once before anything else. */
export async function probe() {
  if (!persistent) return false;
  try {
    await db();
  } catch {
    persistent = false;
  }
  return persistent;
}

function promised(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

let dbPromise = null;
function db() {
  if (!dbPromise) {
    const open = indexedDB.open(DB_NAME, DB_VERSION);
    open.onupgradeneeded = () => {
      const d = open.result;
      for (const [name, spec] of Object.entries(STORES)) {
        if (d.objectStoreNames.contains(name)) continue;
        const s = d.createObjectStore(name, { keyPath: spec.keyPath, autoIncrement: Boolean(spec.autoIncrement) });
        if (spec.index) s.createIndex(spec.index, spec.index);
      }
    };
    dbPromise = promised(open);
  }
  return dbPromise;
}

// --- the memory stand-in ---------------------------------------------------------------------------------
const memory = Object.fromEntries(Object.keys(STORES).map((n) => [n, new Map()]));
let memorySeq = 0;

async function run(store, mode, fn) {
  if (!persistent) return fn(null);
  const d = await db();
  const tx = d.transaction(store, mode);
  const result = await fn(tx.objectStore(store));
  await new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
  return result;
}

export async function get(store, key) {
  if (!persistent) return structuredClone(memory[store].get(key));
  return run(store, "readonly", (s) => promised(s.get(key)));
}

export async function all(store) {
  if (!persistent) return [...memory[store].values()].map((v) => structuredClone(v));
  return run(store, "readonly", (s) => promised(s.getAll()));
}

export async function put(store, value) {
  if (!persistent) {
    const spec = STORES[store];
    const v = structuredClone(value);
    if (spec.autoIncrement && v[spec.keyPath] === undefined) v[spec.keyPath] = ++memorySeq;
    memory[store].set(v[spec.keyPath], v);
    return v[spec.keyPath];
  }
  return run(store, "readwrite", (s) => promised(s.put(value)));
}

/** Read, change and write one record in one transaction: ``fn(current)`` answers the new value. Two writers
(the form, the outbox) each change only their own fields of an inspection and never undo the other's. */
export async function update(store, key, fn) {
  if (!persistent) {
    const next = fn(structuredClone(memory[store].get(key)));
    if (next !== undefined) memory[store].set(key, structuredClone(next));
    return next;
  }
  return run(store, "readwrite", async (s) => {
    const next = fn(await promised(s.get(key)));
    if (next !== undefined) await promised(s.put(next));
    return next;
  });
}

/** Merge ``patch`` into the inspection kept on the device; answers the result. */
export function patchInspection(uuid, patch) {
  return update("inspections", uuid, (current) => (current ? { ...current, ...patch } : undefined));
}

export async function del(store, key) {
  if (!persistent) return memory[store].delete(key);
  return run(store, "readwrite", (s) => promised(s.delete(key)));
}

export async function byIndex(store, index, value) {
  if (!persistent) return (await all(store)).filter((v) => v[index] === value);
  return run(store, "readonly", (s) => promised(s.index(index).getAll(value)));
}

export async function clear(store) {
  if (!persistent) return memory[store].clear();
  return run(store, "readwrite", (s) => promised(s.clear()));
}

// --- key/value ---------------------------------------------------------------------------------------------
export async function getValue(key, fallback = null) {
  const row = await get("kv", key);
  return row === undefined ? fallback : row.value;
}

export async function setValue(key, value) {
  return put("kv", { key, value });
}

/** The device's stable id: made once, kept with the data (the token is issued to it). */
export async function deviceId() {
  let id = await getValue("device_id");
  if (!id) {
    id = `web-${crypto.randomUUID()}`;
    await setValue("device_id", id);
  }
  return id;
}

export async function session() {
  return getValue("session");
}

export async function setSession(value) {
  return setValue("session", value);
}

/** Store a catalogue answer: templates (retired ones dropped), assignments (closed ones dropped). */
export async function saveCatalogue(catalogue, etag) {
  for (const t of catalogue.templates) {
    const id = `${t.key}@${t.version}`;
    if (t.status === "published") await put("templates", { ...t, id });
    else await del("templates", id);
  }
  for (const a of catalogue.assignments) {
    if (a.status === "open") await put("assignments", a);
    else await del("assignments", a.id);
  }
  await setValue("catalogue", { etag, server_time: catalogue.server_time, synced_at: new Date().toISOString() });
}

/** The newest published version of a template the phone holds. */
export async function latestTemplate(key) {
  const versions = (await all("templates")).filter((t) => t.key === key);
  versions.sort((a, b) => b.version - a.version);
  return versions[0] || null;
}

export async function template(key, version) {
  return get("templates", `${key}@${version}`);
}

export async function photosOf(uuid) {
  return byIndex("photos", "inspection_uuid", uuid);
}

export async function photoCounts(uuid) {
  const counts = {};
  for (const p of await photosOf(uuid)) counts[p.item_key] = (counts[p.item_key] || 0) + 1;
  return counts;
}
