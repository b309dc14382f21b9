// The outbox: every change leaves the phone as an entry in IndexedDB, sent in order once there is a
// network — the draft's PUT (with If-Match, the body read at send time so one entry carries every edit
// made before it), each photo on its own request with the photo_uuid made on the device, then the submit
// (PUT ?submit=true: the last answers and the submit in one round trip). All of them are idempotent on
// the server, so an answer lost on the way is simply asked again: nothing is lost, nothing counted twice.
// Failures of the network (or a 5xx / 429) retry with backoff; the outbox resumes when the app starts and
// when the phone comes back online. A 409 version_conflict stops that inspection at the conflict screen.

import * as api from "./api.js";
import * as store from "./store.js";

const MAX_BACKOFF_MS = 5 * 60 * 1000;
const listeners = new Set();
let running = null;
let again = false;
let timer = null;

/** Be told (no argument) when the outbox or an inspection's sync state changed. */
export function subscribe(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
const changed = () => listeners.forEach((fn) => fn());

export async function pending() {
  return (await store.all("outbox")).filter((e) => !e.dead);
}

async function enqueue(entry) {
  const entries = await store.all("outbox");
  // A PUT not yet sent, with nothing after it for this inspection, already carries the edit.
  if (entry.kind === "put") {
    const mine = entries.filter((e) => e.uuid === entry.uuid && !e.dead);
    const last = mine[mine.length - 1];
    if (last && last.kind === "put") return;
  }
  await store.put("outbox", { ...entry, attempts: 0, next_at: 0, error: null, created_at: new Date().toISOString() });
  changed();
  kick();
}

export const queueSave = (uuid) => enqueue({ kind: "put", uuid });
export const queuePhoto = (uuid, photo_uuid) => enqueue({ kind: "photo", uuid, photo_uuid });
export const queueSubmit = (uuid) => enqueue({ kind: "submit", uuid });
export const queueRepairPhoto = (rectification_id, photo_uuid) =>
  enqueue({ kind: "repair_photo", uuid: `rect-${rectification_id}`, rectification_id, photo_uuid });

/** Drop what waits for this inspection (after "take the server's version"), keeping its photos. */
export async function dropEdits(uuid) {
  for (const e of await store.all("outbox")) {
    if (e.uuid === uuid && (e.kind === "put" || e.kind === "submit")) await store.del("outbox", e.seq);
  }
  changed();
}

/** The PUT body of a local inspection: exactly what the server's InspectionIn takes. */
export function bodyOf(local, { submitting = false } = {}) {
  const body = {
    template_key: local.template_key,
    template_version: local.template_version,
    subject: { kind: local.subject.kind, id: local.subject.id },
    answers: local.answers,
    purpose: local.purpose || "routine",
  };
  if (local.assignment_id) body.assignment_id = local.assignment_id;
  if (local.device_started_at) body.device_started_at = local.device_started_at;
  if (submitting && local.device_submitted_at) body.device_submitted_at = local.device_submitted_at;
  if (local.device_location) body.device_location = { ...local.device_location, datum: "wgs84" };
  return body;
}

function retryable(error) {
  return error.offline || error.status >= 500 || error.status === 429 || error.status === 408;
}

// The outbox writes only what the server says (version, status, revision) and the sync state; the answers
// are the form's (store.patchInspection: one transaction each, so neither undoes the other).
function fromServer(uuid, data, extra = {}) {
  return store.patchInspection(uuid, {
    version: data.version, server_status: data.status, revision: data.revision, server_percent: data.percent ?? null, ...extra,
  });
}

async function sendPut(entry, local, submit) {
  try {
    const { data } = await api.putInspection(entry.uuid, bodyOf(local, { submitting: submit }), local.version, { submit });
    await fromServer(entry.uuid, data, submit ? { status: "sent", submit_errors: null } : {});
  } catch (error) {
    if (error.code === "if_match_required" && !local.version) {
      // Our first PUT arrived but its answer did not, and the draft changed since: continue from there.
      const fresh = await store.patchInspection(entry.uuid, { version: error.details?.current_version });
      return sendPut(entry, fresh, submit);
    }
    if (error.code === "version_conflict") {
      const { data } = await api.inspection(entry.uuid);
      await store.patchInspection(entry.uuid, { status: "conflict", conflict: data });
      throw Object.assign(error, { blocked: true });
    }
    if (submit && error.code === "inspection_locked") {
      // The submit was done (its answer lost): what the server holds is the result.
      const { data } = await api.inspection(entry.uuid);
      await fromServer(entry.uuid, data, { status: "sent" });
      return;
    }
    if (submit && error.code === "incomplete") {
      await store.patchInspection(entry.uuid, { status: "draft", submit_errors: error.details?.fields || {} });
      error.drop = true;
    }
    throw error;
  }
}

async function sendPhoto(entry) {
  const photo = await store.get("photos", entry.photo_uuid);
  if (!photo) return; // deleted on the device before it left: nothing to send
  const path = entry.kind === "repair_photo"
    ? `/rectifications/${entry.rectification_id}/photos`
    : `/inspections/${entry.uuid}/photos`;
  const { data } = await api.uploadPhoto(path, entry.kind === "repair_photo" ? { ...photo, item_key: undefined } : photo);
  photo.uploaded = true;
  photo.server_flags = data.flags || data.photos?.find((p) => p.client_uuid === photo.photo_uuid)?.flags || [];
  await store.put("photos", photo);
}

async function send(entry) {
  if (entry.kind === "photo" || entry.kind === "repair_photo") return sendPhoto(entry);
  const local = await store.get("inspections", entry.uuid);
  if (!local) return;
  if (local.status === "conflict") throw Object.assign(new Error("conflict"), { blocked: true });
  return sendPut(entry, local, entry.kind === "submit");
}

async function pass() {
  if (!(await store.session())?.token) return false;
  const now = Date.now();
  const stopped = new Set();
  let wait = null;
  let worked = false;
  for (const entry of await store.all("outbox")) {
    if (entry.dead || stopped.has(entry.uuid)) continue;
    if (entry.next_at > now) {
      stopped.add(entry.uuid);
      wait = Math.min(wait ?? Infinity, entry.next_at - now);
      continue;
    }
    worked = true;
    try {
      await send(entry);
      await store.del("outbox", entry.seq);
    } catch (error) {
      stopped.add(entry.uuid);
      if (error.status === 401) return true; // signed out: the outbox waits for the next sign-in
      if (error.blocked) continue; // the conflict screen decides
      if (error.drop) {
        await store.del("outbox", entry.seq);
      } else if (retryable(error)) {
        entry.attempts += 1;
        const backoff = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(entry.attempts, 10));
        entry.next_at = Date.now() + backoff * (0.75 + Math.random() / 2);
        entry.error = error.message;
        await store.put("outbox", entry);
        if (error.offline) break; // no network: the rest waits too
        wait = Math.min(wait ?? Infinity, entry.next_at - Date.now());
      } else {
        entry.dead = true; // the server refused it for good: kept, shown, never resent on its own
        entry.error = `${error.message}（${error.code}）`;
        await store.put("outbox", entry);
      }
    }
    changed();
  }
  if (wait !== null && Number.isFinite(wait)) schedule(wait);
  return worked;
}

function schedule(ms) {
  clearTimeout(timer);
  timer = setTimeout(kick, Math.max(ms, 250));
}

/** Send what waits (now; or after the running pass, once more). Resolves when the outbox is idle. */
export function kick() {
  if (running) {
    again = true;
    return running;
  }
  running = (async () => {
    let worked = false;
    try {
      do {
        again = false;
        worked = (await pass()) || worked;
      } while (again);
    } finally {
      running = null;
      if (worked) changed();
    }
  })();
  return running;
}

/** Retry now what waits for a backoff (coming online, the app reopened, a tap on 同步). */
export async function retryNow() {
  for (const entry of await store.all("outbox")) {
    if (entry.next_at) {
      entry.next_at = 0;
      await store.put("outbox", entry);
    }
  }
  return kick();
}

export function start() {
  window.addEventListener("online", () => retryNow());
  return retryNow();
}
