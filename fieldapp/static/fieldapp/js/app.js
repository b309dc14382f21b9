// The phone app: boot (feature detection, service worker), sign-in, and the screens — 任务, the
// inspection form, 我的检查 (with what the office sent back), 整改, and the conflict screen. Data live in
// IndexedDB (store.js); every change leaves through the outbox (sync.js); scores and evidence warnings
// are computed on the device with the server's rules (engine.js, evidence.js).

import * as api from "./api.js";
import { answerError, missingAnswers, roundHalfUp, scoreInspection } from "./engine.js";
import { bearingDeg, compassZh, distanceM, photoWarnings } from "./evidence.js";
import * as store from "./store.js";
import * as sync from "./sync.js";
import { h, km, localTime, mount, RECT_STATUS_ZH, STATUS_ZH, today } from "./ui.js";

const root = document.getElementById("app");
const net = document.getElementById("net");
const banner = document.getElementById("banner");
const LIMITS = api.settings.photo_limits;
let lastFix = null;
let signInNote = "";

// --- location -------------------------------------------------------------------------------------------

/** The phone's own fix (WGS-84 from the browser), or null when there is none (denied, no signal). */
function getFix() {
  if (!("geolocation" in navigator)) return Promise.resolve(null);
  return new Promise((resolve) => {
    navigator.geolocation.getCurrentPosition(
      (p) => {
        lastFix = { lon: p.coords.longitude, lat: p.coords.latitude, accuracy_m: p.coords.accuracy, captured_at: new Date(p.timestamp) };
        resolve(lastFix);
      },
      () => resolve(null),
      { enableHighAccuracy: true, timeout: 8000, maximumAge: 0 },
    );
  });
}

/** A decimal string of the API ("90.0000") as people write it ("90"). */
const points = (x) => (x === null || x === undefined ? "" : String(Number(x)));

const subjectPoint = (s) => (s && s.lon !== null && s.lon !== undefined ? { lon: s.lon, lat: s.lat } : null);

function whereIs(subject, fix) {
  const point = subjectPoint(subject);
  if (!point) return "对象无坐标";
  if (!fix) return "未定位";
  return `距 ${km(distanceM(fix, point))} · ${compassZh(bearingDeg(fix, point))}`;
}

// --- header: network and outbox --------------------------------------------------------------------------

async function showNet() {
  const waiting = await sync.pending();
  const dead = (await store.all("outbox")).filter((e) => e.dead).length;
  const parts = [navigator.onLine ? "在线" : "离线"];
  if (waiting.length) parts.push(`待同步 ${waiting.length}`);
  else parts.push("已同步");
  if (dead) parts.push(`${dead} 项被拒`);
  net.textContent = parts.join(" · ");
  net.dataset.pending = String(waiting.length);
  net.className = `net ${navigator.onLine ? "online" : "offline"}`;
}

// --- routing ----------------------------------------------------------------------------------------------

const SCREENS = {
  tasks: screenTasks,
  form: screenForm,
  mine: screenMine,
  inspection: screenInspection,
  conflict: screenConflict,
  rect: screenRectifications,
  signin: screenSignIn,
};

export function go(hash) {
  if (location.hash !== hash) location.hash = hash;
  // Already there: drawn again — except a sign-in form, which a late answer (a render that began before
  // the sign-out, an expired token) must not wipe while the inspector is typing into it.
  else if (hash !== "#/signin" || !root.querySelector("form.signin")) render();
}

async function render() {
  const [name, arg] = location.hash.replace(/^#\/?/, "").split("/");
  if (!(await store.session())?.token && name !== "signin") return go("#/signin");
  const screen = SCREENS[name] || screenTasks;
  try {
    await screen(decodeURIComponent(arg || ""));
  } catch (error) {
    mount(root, h("p", { class: "error" }, `出错了：${error.message}`), nav());
    throw error;
  }
  showNet();
}

function nav(active) {
  // Tapping the tab one is on reloads it (the lists ask the server again).
  const tab = (hash, label) => h("a", { href: hash, class: hash.includes(active) ? "tab active" : "tab", onclick: (e) => {
    if (location.hash === hash) {
      e.preventDefault();
      render();
    }
  } }, label);
  return h("nav", { class: "tabs" }, tab("#/tasks", "任务"), tab("#/mine", "我的检查"), tab("#/rect", "整改"));
}

// --- sign-in ----------------------------------------------------------------------------------------------

async function screenSignIn() {
  const error = h("p", { class: "error", role: "alert" }, signInNote);
  const username = h("input", { id: "username", name: "username", autocomplete: "username", required: true });
  const password = h("input", { id: "password", name: "password", type: "password", autocomplete: "current-password", required: true });
  const waiting = (await sync.pending()).length;
  // Another render may have drawn the form while this one waited (a render begun before the sign-out, or
  // by a late answer, ends after it): the form the inspector may be typing into stays — drawing a fresh
  // one wiped the account typed, or left the click's error line on a form no longer shown.
  const shown = root.querySelector("form.signin");
  if (shown) {
    const line = shown.querySelector(".error");
    if (signInNote && line && !line.textContent) line.textContent = signInNote;
    return;
  }
  const form = h("form", { class: "card signin", onsubmit: async (event) => {
    event.preventDefault();
    error.textContent = "";
    // What waits in the outbox was made by the last user: only they may send it (nothing lost).
    const owner = await store.getValue("last_user");
    if (owner && owner !== username.value.trim() && (await sync.pending()).length) {
      error.textContent = `本机还有账号 ${owner} 未同步的数据，请先用该账号登录并同步`;
      return;
    }
    try {
      await api.signIn(username.value.trim(), password.value);
      await store.setValue("last_user", username.value.trim());
      signInNote = "";
      await api.syncCatalogue().catch(() => {});
      sync.retryNow();
      go("#/tasks");
    } catch (exc) {
      error.textContent = exc.message;
    }
  } },
  h("h1", {}, "登录"),
  h("label", { for: "username" }, "用户名"), username,
  h("label", { for: "password" }, "密码"), password,
  h("button", { type: "submit", class: "primary" }, "登录"),
  waiting ? h("p", { class: "hint" }, `本机还有 ${waiting} 项未同步的数据，登录后继续上传。`) : null,
  error);
  mount(root, form);
}

// --- 任务 -------------------------------------------------------------------------------------------------

async function screenTasks() {
  const catalogue = await store.getValue("catalogue");
  const assignments = await store.all("assignments");
  const drafts = (await store.all("inspections")).filter((i) => i.status !== "sent");
  const now = today();
  const overdue = (a) => Boolean(a.due_date && a.due_date < now);
  assignments.sort((a, b) => (overdue(b) - overdue(a)) || (a.due_date || "9999").localeCompare(b.due_date || "9999") || a.id - b.id);
  const list = h("ul", { class: "list" });
  const draw = () => {
    mount(list, assignments.map((a) => {
      const draft = drafts.find((d) => d.assignment_id === a.id);
      return h("li", { class: overdue(a) ? "card overdue" : "card", dataset: { assignment: String(a.id) } },
        h("div", { class: "row" }, h("strong", {}, a.subject_name), overdue(a) ? h("span", { class: "badge red" }, "逾期") : null),
        h("div", { class: "muted" }, templateTitle(a.template_key), " · ", a.due_date ? `截止 ${a.due_date}` : "无截止日期"),
        h("div", { class: "where" }, whereIs({ lon: a.subject_lon, lat: a.subject_lat }, lastFix)),
        a.note ? h("div", { class: "muted" }, a.note) : null,
        h("button", { class: "primary", onclick: () => startFromAssignment(a) }, draft ? "继续填写" : "开始检查"));
    }));
    if (!assignments.length) mount(list, h("li", { class: "empty" }, catalogue ? "暂无检查任务" : "尚未下载任务，请联网后点“更新任务”"));
  };
  const refresh = h("button", { onclick: async () => {
    refresh.disabled = true;
    try {
      await api.syncCatalogue();
      render();
    } catch (exc) {
      status.textContent = exc.offline ? "离线：显示的是上次下载的任务" : exc.message;
    } finally {
      refresh.disabled = false;
    }
  } }, "更新任务");
  const status = h("p", { class: "muted" }, catalogue ? `任务更新于 ${localTime(catalogue.synced_at)}` : "");
  const who = (await store.session())?.username || "";
  const signOut = h("button", { class: "link quiet", onclick: async () => {
    const waiting = (await sync.pending()).length;
    if (waiting && !confirm(`还有 ${waiting} 项未同步，退出后保留在本机，下次登录继续上传。确定退出？`)) return;
    try {
      await api.signOut();
    } catch {
      await store.setSession(null); // offline: the token is forgotten here; the office may revoke it
    }
    go("#/signin");
  } }, "退出登录");
  mount(root, h("section", {}, h("div", { class: "row" }, h("h1", {}, "任务"), refresh), status, list,
    h("p", { class: "muted account" }, `当前账号：${who} `, signOut)), nav("tasks"));
  draw();
  await loadTemplates();
  draw();
  getFix().then(draw);
}

let templatesByKey = {};
async function loadTemplates() {
  templatesByKey = {};
  for (const t of await store.all("templates")) {
    if (!templatesByKey[t.key] || templatesByKey[t.key].version < t.version) templatesByKey[t.key] = t;
  }
}
const templateTitle = (key) => templatesByKey[key]?.title || key;

async function startFromAssignment(a) {
  const existing = (await store.all("inspections")).find((d) => d.assignment_id === a.id && d.status !== "sent");
  if (existing) return go(`#/form/${existing.uuid}`);
  const t = await store.latestTemplate(a.template_key);
  if (!t) return alert("本机没有该任务的检查表模板，请联网后更新任务");
  const fix = lastFix || (await getFix());
  const local = {
    uuid: crypto.randomUUID(),
    template_key: t.key,
    template_version: t.version,
    subject: { kind: a.subject_kind, id: a.subject_id, name: a.subject_name, lon: a.subject_lon, lat: a.subject_lat },
    assignment_id: a.id,
    purpose: a.purpose === "spot_check" ? "routine" : a.purpose,
    answers: {},
    device_started_at: new Date().toISOString(),
    device_location: fix ? { lon: fix.lon, lat: fix.lat, accuracy_m: fix.accuracy_m } : null,
    version: null,
    status: "draft",
    revision: 1,
    created_at: new Date().toISOString(),
  };
  await store.put("inspections", local);
  go(`#/form/${local.uuid}`);
}

// --- the inspection form --------------------------------------------------------------------------------

const itemsOf = (doc) => (doc.sections || []).flatMap((s) => s.items || []);

function answerInput(item, answer, onChange) {
  const name = `a-${item.key}`;
  const set = (value) => onChange({ value });
  const radios = (options) => h("div", { class: "choices" }, options.map(([value, label]) => h("label", { class: "choice" },
    h("input", { type: "radio", name, value: String(value), checked: answer.value === value, onchange: () => set(value) }), label)));
  const numberInput = (placeholder) => h("input", {
    type: "number", inputmode: "decimal", step: "any", min: "0", name, placeholder, value: answer.value ?? "",
    oninput: (e) => set(e.target.value === "" ? null : Number(e.target.value)),
  });
  switch (item.kind) {
    case "check": return radios([[true, "符合"], [false, "不符合"]]);
    case "veto": return radios([[false, "未发现"], [true, "发现（一票否决）"]]);
    case "score": return numberInput(`得分 0–${item.points}`);
    case "deduct": case "bonus": case "penalty": {
      const verb = item.kind === "bonus" ? "加" : "扣";
      return numberInput(item.per ? `发现次数（每次${verb} ${item.per} 分，最多 ${item.points} 分）` : `${verb}分（0–${item.points}）`);
    }
    case "measure": return h("div", { class: "row" }, numberInput(`测量值${item.unit ? `（${item.unit}）` : ""}`), h("span", { class: "muted" }, limitText(item)));
    case "info":
      switch (item.capture) {
        case "number": return numberInput("数值");
        case "date": return h("input", { type: "date", name, value: answer.value ?? "", onchange: (e) => set(e.target.value || null) });
        case "choice": return h("select", { name, onchange: (e) => set(e.target.value || null) },
          h("option", { value: "" }, "请选择"), (item.choices || []).map((c) => h("option", { value: c, selected: answer.value === c }, c)));
        case "geopoint": {
          const shown = h("span", { class: "muted" }, answer.value ? `${answer.value.lon.toFixed(6)}, ${answer.value.lat.toFixed(6)}` : "未记录");
          return h("div", { class: "row" }, shown, h("button", { type: "button", onclick: async () => {
            const fix = await getFix();
            if (!fix) return alert("无法获取定位");
            set({ lon: Number(fix.lon.toFixed(7)), lat: Number(fix.lat.toFixed(7)), datum: "wgs84" });
            shown.textContent = `${fix.lon.toFixed(6)}, ${fix.lat.toFixed(6)}`;
          } }, "记录当前位置"));
        }
        case "photo": return h("span", { class: "muted" }, "拍照即可");
        default: return h("textarea", { name, rows: 2, oninput: (e) => set(e.target.value === "" ? null : e.target.value) }, answer.value ?? "");
      }
    default: return h("input", { name, value: answer.value ?? "", oninput: (e) => set(e.target.value) });
  }
}

function limitText(item) {
  const parts = [];
  if (item.min_ok !== undefined && item.min_ok !== null) parts.push(`≥ ${item.min_ok}`);
  if (item.max_ok !== undefined && item.max_ok !== null) parts.push(`≤ ${item.max_ok}`);
  return parts.length ? `合格：${parts.join("，")}${item.unit || ""}` : "";
}

function pointsText(item) {
  if (item.kind === "veto") return "一票否决";
  if (item.kind === "info") return item.required === false ? "选填" : "";
  if (!item.points && item.kind === "measure") return "不计分";
  return `${item.kind === "bonus" ? "加分 " : item.kind === "penalty" ? "扣分 " : ""}${item.points} 分`;
}

const wantsPhotos = (item) => (item.photos && item.photos !== "none") || (item.kind === "info" && item.capture === "photo");

async function screenForm(uuid) {
  const local = await store.get("inspections", uuid);
  if (!local) return go("#/mine");
  if (local.status === "conflict") return go(`#/conflict/${uuid}`);
  const t = await store.template(local.template_key, local.template_version);
  if (!t) {
    mount(root, h("p", { class: "error" }, "本机没有该检查表模板（版本 ", String(local.template_version), "），请联网后更新任务"), nav("mine"));
    return;
  }
  const doc = t.document;
  const locked = local.status !== "draft";
  const photos = await store.photosOf(uuid);
  const counts = () => {
    const c = {};
    for (const p of photos) c[p.item_key] = (c[p.item_key] || 0) + 1;
    for (const p of local.server_photos || []) if (!photos.some((q) => q.photo_uuid === p.client_uuid)) c[p.item_key] = (c[p.item_key] || 0) + 1;
    return c;
  };
  const scoreBox = h("div", { class: "score card", id: "score", "aria-live": "polite" });
  const summary = h("div", { class: "summary", role: "alert" });
  const statusOf = {};
  const photoBoxes = {};
  let shownMissing = false;
  let saveTimer = null;

  // The form owns the answers; the outbox owns version and status (store.patchInspection).
  const save = async () => {
    local.updated_at = new Date().toISOString();
    await store.patchInspection(uuid, { answers: local.answers, updated_at: local.updated_at });
    clearTimeout(saveTimer);
    saveTimer = setTimeout(() => sync.queueSave(uuid), 800); // one PUT for a burst of typing
  };

  const refresh = () => {
    const result = scoreInspection(doc, local.answers, counts());
    const missing = shownMissing ? missingAnswers(doc, local.answers, counts()) : {};
    const sections = Object.fromEntries(result.sections.map((s) => [s.key, s]));
    const items = Object.fromEntries(result.items.map((i) => [i.key, i]));
    mount(scoreBox,
      h("div", { class: "percent" }, h("span", { class: "big", id: "percent" }, points(roundHalfUp(result.percent, 2))), " 分（百分制）", result.vetoed ? h("span", { class: "badge red" }, "一票否决") : null),
      h("div", { class: "muted" }, `基础分 ${result.base_earned} / ${result.base_maximum}`, Number(result.bonus) ? ` · 加分 ${result.bonus}` : "", Number(result.penalty) ? ` · 扣分 ${result.penalty}` : ""));
    for (const section of doc.sections || []) {
      const s = sections[section.key];
      const el = document.getElementById(`sec-${section.key}`);
      if (el && s) el.textContent = `${s.earned} / ${s.maximum}${s.capped ? "（已达本节上限）" : ""}`;
    }
    for (const item of itemsOf(doc)) {
      const box = statusOf[item.key];
      if (!box) continue;
      const r = items[item.key];
      const bad = answerError(item, local.answers[item.key]);
      const server = local.submit_errors?.[`answers.${item.key}`];
      mount(box,
        r && r.failed && r.reason ? h("div", { class: "lost" }, r.reason, Number(r.lost) ? `（失 ${r.lost} 分）` : "") : null,
        bad ? h("div", { class: "error" }, bad) : null,
        missing[item.key] ? h("div", { class: "error missing" }, missing[item.key]) : null,
        server ? h("div", { class: "error" }, server.join("；")) : null);
    }
    const problems = Object.keys(missing).length;
    summary.textContent = problems ? `还有 ${problems} 项未完成，请按提示补全后再提交` : "";
    return { result, missing };
  };

  const drawPhotos = (item) => {
    const box = photoBoxes[item.key];
    if (!box) return;
    const mine = photos.filter((p) => p.item_key === item.key);
    const earlier = (local.server_photos || []).filter((p) => p.item_key === item.key && !photos.some((q) => q.photo_uuid === p.client_uuid));
    const input = h("input", { type: "file", accept: "image/*", capture: "environment", multiple: true, name: `photo-${item.key}`, disabled: locked,
      onchange: async (e) => {
        for (const file of e.target.files) await addPhoto(item, file);
        e.target.value = "";
        drawPhotos(item);
        refresh();
      } });
    mount(box,
      h("div", { class: "thumbs" },
        earlier.map((p) => h("figure", { class: "thumb" }, h("div", { class: "ph" }, "已上传"), h("figcaption", {}, "之前提交"))),
        mine.map((p) => h("figure", { class: "thumb", dataset: { photo: p.photo_uuid } },
          h("img", { src: URL.createObjectURL(p.blob), alt: "照片" }),
          h("figcaption", {}, p.uploaded ? "已上传" : "待上传"),
          !p.uploaded && !locked ? h("button", { type: "button", class: "link", onclick: async () => {
            await store.del("photos", p.photo_uuid);
            photos.splice(photos.indexOf(p), 1);
            drawPhotos(item);
            refresh();
          } }, "删除") : null))),
      mine.flatMap((p) => (p.warnings || []).map((w) => h("div", { class: "warning", dataset: { code: w.code } }, "⚠ ", w.message, "（可重拍）")),
      ),
      // what the server found on upload beyond the device's own checks (reuse of a photo, EXIF far from
      // the phone); not "no EXIF GPS": browsers often strip it, and the phone's own fix went with the photo
      mine.flatMap((p) => (p.server_flags || [])
        .filter((f) => f.code !== "no_exif_gps" && !(p.warnings || []).some((w) => w.code === f.code))
        .map((f) => h("div", { class: "warning server", dataset: { code: f.code } }, "服务器核验：", f.message))),
      locked ? null : h("label", { class: "camera" }, "拍照", input));
  };

  const addPhoto = async (item, file) => {
    const fix = await getFix();
    const capturedAt = new Date();
    const warnings = photoWarnings({
      fix,
      capturedAt,
      subject: subjectPoint(local.subject),
      span: { from: new Date(local.device_started_at), to: null },
      limits: LIMITS,
    });
    const photo = {
      photo_uuid: crypto.randomUUID(),
      inspection_uuid: uuid,
      item_key: item.key,
      blob: file,
      name: file.name,
      type: file.type,
      fix: fix ? { lon: fix.lon, lat: fix.lat, accuracy_m: fix.accuracy_m } : null,
      captured_at: capturedAt.toISOString(),
      warnings,
      uploaded: false,
    };
    await store.put("photos", photo);
    photos.push(photo);
    // The draft must exist on the server before its photos.
    if (!(await store.get("inspections", uuid))?.version) await sync.queueSave(uuid);
    await sync.queuePhoto(uuid, photo.photo_uuid);
  };

  const comments = local.review?.item_comments || {};
  const body = (doc.sections || []).map((section) => h("fieldset", { class: "section", disabled: locked },
    h("legend", {}, section.title, " ", h("span", { class: "muted", id: `sec-${section.key}` })),
    (section.items || []).map((item) => {
      const answer = local.answers[item.key] || { value: null, na: false, comment: "" };
      const change = (patch) => {
        const next = { value: null, na: false, comment: "", ...(local.answers[item.key] || {}), ...patch };
        local.answers[item.key] = next;
        save();
        refresh();
      };
      statusOf[item.key] = h("div", { class: "status" });
      photoBoxes[item.key] = wantsPhotos(item) ? h("div", { class: "photos" }) : null;
      return h("div", { class: "item", dataset: { item: item.key, kind: item.kind } },
        h("div", { class: "row" }, h("span", { class: "title" }, item.title), h("span", { class: "points" }, pointsText(item))),
        comments[item.key] ? h("div", { class: "review-comment" }, "审核意见：", comments[item.key]) : null,
        answerInput(item, answer, change),
        item.allow_na ? h("label", { class: "na" }, h("input", { type: "checkbox", name: `na-${item.key}`, checked: answer.na, onchange: (e) => change({ na: e.target.checked }) }), "不适用") : null,
        h("input", { class: "comment", name: `c-${item.key}`, placeholder: "备注（可选）", value: answer.comment || "", oninput: (e) => change({ comment: e.target.value }) }),
        photoBoxes[item.key],
        statusOf[item.key]);
    })));

  const submit = h("button", { class: "primary", id: "submit", disabled: locked, onclick: async () => {
    shownMissing = true;
    const { missing } = refresh();
    const bad = itemsOf(doc).filter((i) => answerError(i, local.answers[i.key]));
    if (Object.keys(missing).length || bad.length) {
      const first = Object.keys(missing)[0] || bad[0].key;
      document.querySelector(`[data-item="${CSS.escape(first)}"]`)?.scrollIntoView({ block: "center" });
      return;
    }
    clearTimeout(saveTimer);
    local.device_submitted_at = new Date().toISOString();
    await store.patchInspection(uuid, {
      answers: local.answers, device_submitted_at: local.device_submitted_at, status: "queued", submit_errors: null,
    });
    await sync.queueSubmit(uuid);
    go("#/mine");
  } }, "提交");
  const review = local.review?.reason
    ? h("div", { class: "card rejected", id: "review" }, h("strong", {}, "退回原因："), local.review.reason, h("div", { class: "muted" }, `修改后将作为第 ${local.revision} 次修订提交`))
    : null;
  mount(root,
    h("section", { class: "form" },
      h("h1", {}, local.subject.name),
      h("div", { class: "muted" }, t.title, " · ", whereIs(local.subject, lastFix)),
      locked ? h("p", { class: "hint" }, local.status === "queued" ? "已提交，等待同步" : "已同步到服务器") : null,
      review, scoreBox, summary, body,
      h("div", { class: "actions" }, h("button", { onclick: async () => {
        clearTimeout(saveTimer);
        if (!locked) {
          await store.patchInspection(uuid, { answers: local.answers, updated_at: new Date().toISOString() });
          await sync.queueSave(uuid);
        }
        go("#/mine");
      } }, "保存"), submit)),
    nav("mine"));
  for (const item of itemsOf(doc)) drawPhotos(item);
  refresh();
}

// --- 我的检查 ---------------------------------------------------------------------------------------------

async function screenMine() {
  const list = h("ul", { class: "list" });
  const note = h("p", { class: "muted" });
  mount(root, h("section", {}, h("h1", {}, "我的检查"), note, list), nav("mine"));
  await loadTemplates();
  let server = await store.getValue("my_inspections", []);
  const draw = async () => {
    const local = await store.all("inspections");
    const outbox = await store.all("outbox");
    const rows = new Map(server.map((s) => [s.client_uuid, { server: s }]));
    for (const l of local) rows.set(l.uuid, { ...(rows.get(l.uuid) || {}), local: l });
    const sorted = [...rows.entries()].sort(([, a], [, b]) =>
      (b.local?.updated_at || b.server?.updated_at || "").localeCompare(a.local?.updated_at || a.server?.updated_at || ""));
    mount(list, sorted.map(([uuid, { server: s, local: l }]) => {
      const waiting = outbox.filter((e) => e.uuid === uuid && !e.dead).length;
      const dead = outbox.filter((e) => e.uuid === uuid && e.dead);
      let state;
      if (l?.status === "conflict") state = "版本冲突";
      else if (l?.status === "draft") state = s && s.status === "rejected" ? `修改中（第 ${l.revision} 次修订）` : "草稿";
      else if (l?.status === "queued") state = "已提交，待同步";
      else state = STATUS_ZH[s?.status || l?.server_status] || "";
      const target = l?.status === "conflict" ? `#/conflict/${uuid}` : l && ["draft", "queued"].includes(l.status) ? `#/form/${uuid}` : `#/inspection/${uuid}`;
      const percent = s?.percent ?? null;
      return h("li", { class: `card state-${s?.status || l?.status}`, dataset: { uuid } },
        h("a", { href: target, class: "row" },
          h("strong", {}, s?.subject_name || l?.subject.name || ""),
          h("span", { class: "badge" }, state)),
        h("div", { class: "muted" }, templateTitle(s?.template_key || l?.template_key),
          percent !== null ? ` · ${points(percent)} 分` : "", s?.revision > 1 ? ` · 第 ${s.revision} 次修订` : ""),
        waiting ? h("div", { class: "muted" }, `待同步 ${waiting} 项`) : null,
        dead.map((e) => h("div", { class: "error" }, "未能同步：", e.error, " ",
          h("button", { class: "link quiet", onclick: async () => {
            await store.put("outbox", { ...e, dead: false, attempts: 0, next_at: 0, error: null });
            sync.kick();
          } }, "重试"))));
    }));
    if (!rows.size) mount(list, h("li", { class: "empty" }, "还没有检查记录"));
  };
  await draw();
  try {
    const { data } = await api.myInspections();
    server = data.items;
    await store.setValue("my_inspections", server);
    note.textContent = "";
    // What the office decided travels back to the drafts the phone holds.
    for (const s of server) {
      const l = await store.get("inspections", s.client_uuid);
      if (l && l.status === "sent" && l.server_status !== s.status) {
        await store.patchInspection(s.client_uuid, { server_status: s.status });
      }
    }
    await draw();
  } catch (exc) {
    note.textContent = exc.offline ? "离线：显示本机记录和上次同步的状态" : exc.message;
  }
}

function answerText(item, a) {
  if (!a) return "未填写";
  if (a.na) return "不适用";
  const v = a.value;
  if (v === null || v === undefined || v === "") return "未填写";
  if (item?.kind === "check") return v ? "符合" : "不符合";
  if (item?.kind === "veto") return v ? "发现（一票否决）" : "未发现";
  if (typeof v === "object") return `${v.lon}, ${v.lat}`;
  return `${v}${item?.unit ? ` ${item.unit}` : ""}`;
}

const normalise = (answers) => Object.fromEntries(Object.entries(answers || {}).map(([k, a]) => [k, { value: a?.value ?? null, na: Boolean(a?.na), comment: a?.comment || "" }]));

async function screenInspection(uuid) {
  let data = await store.getValue(`inspection:${uuid}`);
  const note = h("p", { class: "muted" });
  try {
    data = (await api.inspection(uuid)).data;
    await store.setValue(`inspection:${uuid}`, data);
  } catch (exc) {
    note.textContent = exc.offline ? "离线：显示上次同步的内容" : exc.message;
  }
  if (!data) {
    mount(root, h("p", {}, "离线，且本机没有这份检查的记录"), nav("mine"));
    return;
  }
  await loadTemplates();
  const t = (await store.template(data.template_key, data.template_version)) || templatesByKey[data.template_key];
  const byKey = Object.fromEntries(itemsOf(t?.document || {}).map((i) => [i.key, i]));
  const comments = Object.entries(data.item_comments || {});
  const reopen = data.status === "rejected" ? h("button", { class: "primary", id: "revise", onclick: async () => {
    const existing = await store.get("inspections", uuid);
    const local = {
      ...(existing || {}),
      uuid,
      template_key: data.template_key,
      template_version: data.template_version,
      subject: existing?.subject || { kind: data.subject_kind, id: data.subject_id, name: data.subject_name, lon: null, lat: null },
      assignment_id: data.assignment_id,
      purpose: data.purpose,
      answers: normalise(data.answers),
      device_started_at: new Date().toISOString(),
      device_submitted_at: null,
      device_location: existing?.device_location || null,
      version: data.version,
      status: "draft",
      server_status: data.status,
      revision: data.revision + 1,
      review: { reason: data.review_reason, item_comments: data.item_comments },
      server_photos: data.photos,
      submit_errors: null,
      updated_at: new Date().toISOString(),
    };
    await store.put("inspections", local);
    go(`#/form/${uuid}`);
  } }, `修改后重新提交（第 ${data.revision + 1} 次修订）`) : null;
  mount(root, h("section", {},
    h("h1", {}, data.subject_name),
    note,
    h("div", { class: "card" },
      h("div", { class: "row" }, h("span", {}, t?.title || data.template_key), h("span", { class: "badge", id: "state" }, STATUS_ZH[data.status] || data.status)),
      data.percent !== null ? h("div", {}, `得分 ${points(data.percent)}`, data.vetoed ? "（一票否决）" : "") : null,
      h("div", { class: "muted" }, `第 ${data.revision} 次修订 · 照片 ${data.photos.length} 张`)),
    data.review_reason ? h("div", { class: "card rejected", id: "review" }, h("strong", {}, "审核意见："), data.review_reason) : null,
    comments.length ? h("ul", { class: "list comments" }, comments.map(([key, text]) => h("li", { class: "card", dataset: { item: key } },
      h("strong", {}, byKey[key]?.title || key), h("div", {}, text), h("div", { class: "muted" }, "原答案：", answerText(byKey[key], data.answers[key]))))) : null,
    reopen), nav("mine"));
}

// --- the conflict screen ----------------------------------------------------------------------------------

async function screenConflict(uuid) {
  const local = await store.get("inspections", uuid);
  if (!local || local.status !== "conflict") return go(`#/form/${uuid}`);
  const server = local.conflict;
  const t = await store.template(local.template_key, local.template_version);
  const byKey = Object.fromEntries(itemsOf(t?.document || {}).map((i) => [i.key, i]));
  const theirs = normalise(server.answers);
  const keys = [...new Set([...Object.keys(local.answers), ...Object.keys(theirs)])].filter(
    (k) => JSON.stringify(local.answers[k] || null) !== JSON.stringify(theirs[k] || null));
  const resolve = async (mine) => {
    if (mine) {
      // my answers, PUT again over the server's version
      await store.patchInspection(uuid, {
        version: server.version, status: local.device_submitted_at ? "queued" : "draft", conflict: null,
      });
    } else {
      await sync.dropEdits(uuid);
      await store.patchInspection(uuid, {
        answers: theirs, version: server.version, status: "draft", device_submitted_at: null, conflict: null,
      });
    }
    sync.retryNow();
    go(`#/form/${uuid}`);
  };
  mount(root, h("section", { class: "conflict" },
    h("h1", {}, "版本冲突"),
    h("p", {}, `“${local.subject.name}”已在另一台设备上被修改（服务器版本 ${server.version}）。请选择保留哪一份：`),
    h("table", { class: "diff" },
      h("thead", {}, h("tr", {}, h("th", {}, "检查项"), h("th", {}, "本机"), h("th", {}, "服务器"))),
      h("tbody", {}, keys.map((k) => h("tr", { dataset: { item: k } },
        h("td", {}, byKey[k]?.title || k), h("td", { class: "mine" }, answerText(byKey[k], local.answers[k])), h("td", { class: "theirs" }, answerText(byKey[k], theirs[k])))))),
    keys.length ? null : h("p", { class: "muted" }, "答案相同（其他字段不同）"),
    h("div", { class: "actions" },
      h("button", { class: "primary", onclick: () => resolve(true) }, "保留本机的"),
      h("button", { onclick: () => resolve(false) }, "采用服务器的"))), nav("mine"));
}

// --- 整改 -------------------------------------------------------------------------------------------------

async function screenRectifications() {
  let rows = await store.getValue("rectifications", []);
  const note = h("p", { class: "muted" });
  const list = h("ul", { class: "list" });
  mount(root, h("section", {}, h("h1", {}, "整改"), note, list), nav("rect"));
  const draw = async () => {
    const photos = (await store.all("photos")).filter((p) => p.rectification_id);
    const open = rows.filter((r) => !["closed", "cancelled"].includes(r.status));
    open.sort((a, b) => (b.overdue - a.overdue) || (a.deadline || "9999").localeCompare(b.deadline || "9999"));
    mount(list, open.map((r) => {
      const mine = photos.filter((p) => p.rectification_id === r.id);
      const act = (action, label) => h("button", { onclick: async () => {
        try {
          const { data } = await api.transition(r.id, action);
          rows = rows.map((x) => (x.id === r.id ? data : x));
          await store.setValue("rectifications", rows);
          draw();
        } catch (exc) {
          alert(exc.offline ? "需要联网才能流转整改" : exc.message);
        }
      } }, label);
      return h("li", { class: r.overdue ? "card overdue" : "card", dataset: { rectification: String(r.id) } },
        h("div", { class: "row" }, h("strong", {}, r.subject_name), r.overdue ? h("span", { class: "badge red" }, "逾期") : null),
        h("div", {}, r.item_title),
        h("div", { class: "muted" }, r.reason),
        h("div", { class: "muted" }, `期限 ${r.deadline || "待审批"} · ${RECT_STATUS_ZH[r.status] || r.status} · 责任单位 ${r.responsible_unit}`),
        h("div", { class: "muted" }, `整改照片 ${r.photos.length + mine.filter((p) => !p.uploaded).length} 张`, mine.some((p) => !p.uploaded) ? "（含待上传）" : ""),
        h("div", { class: "actions" },
          ["open", "in_progress"].includes(r.status) ? h("label", { class: "camera" }, "拍整改照片", h("input", { type: "file", accept: "image/*", capture: "environment", name: `repair-${r.id}`, onchange: async (e) => {
            for (const file of e.target.files) {
              const fix = await getFix();
              const photo = { photo_uuid: crypto.randomUUID(), inspection_uuid: null, rectification_id: r.id, blob: file, name: file.name, type: file.type,
                fix: fix ? { lon: fix.lon, lat: fix.lat, accuracy_m: fix.accuracy_m } : null, captured_at: new Date().toISOString(), warnings: [], uploaded: false };
              await store.put("photos", photo);
              await sync.queueRepairPhoto(r.id, photo.photo_uuid);
            }
            draw();
          } })) : null,
          r.status === "open" ? act("start", "开始整改") : null,
          r.status === "in_progress" ? act("submit", "提交销号") : null));
    }));
    if (!open.length) mount(list, h("li", { class: "empty" }, "没有待办的整改"));
  };
  await draw();
  try {
    rows = (await api.rectifications()).data.items;
    await store.setValue("rectifications", rows);
    note.textContent = "";
    await draw();
  } catch (exc) {
    note.textContent = exc.offline ? "离线：显示上次同步的整改任务" : exc.message;
  }
}

// --- boot -------------------------------------------------------------------------------------------------

async function boot() {
  const offlineCapable = "serviceWorker" in navigator && (await store.probe());
  if (!offlineCapable) {
    banner.hidden = false;
    banner.id = "banner";
    banner.textContent = "此浏览器不支持离线使用（缺少 Service Worker 或 IndexedDB，钉钉、微信等内置浏览器常见）："
      + "请保持联网，退出前确认“已同步”。需要离线时，请用手机自带浏览器打开本页并添加到主屏幕。";
  } else {
    navigator.serviceWorker.register(api.settings.sw_url, { scope: api.settings.scope }).catch(() => {});
    navigator.storage?.persist?.().catch(() => {});
  }
  api.whenUnauthorized(() => {
    signInNote = "登录已失效，请重新登录（本机未同步的数据已保留）";
    go("#/signin");
  });
  let redraw = null;
  sync.subscribe(async () => {
    showNet();
    const editing = location.hash.match(/^#\/form\/(.+)$/);
    if (editing && (await store.get("inspections", decodeURIComponent(editing[1])))?.status === "conflict") {
      return go(`#/conflict/${editing[1]}`); // the server holds another version: the inspector chooses
    }
    // Lists follow the outbox; a form being filled is never redrawn under the inspector's fingers.
    if (!/^#\/(mine|rect)/.test(location.hash)) return;
    clearTimeout(redraw);
    document.body.dataset.redraw = "1"; // a redraw is due (the tests wait for it before they look)
    redraw = setTimeout(() => render().finally(() => { document.body.dataset.redraw = "0"; }), 400);
  });
  window.addEventListener("online", async () => {
    showNet();
    if ((await store.session())?.token) api.syncCatalogue().catch(() => {});
  });
  window.addEventListener("offline", showNet);
  window.addEventListener("hashchange", render);
  await render();
  if ((await store.session())?.token) {
    sync.start();
    if (navigator.onLine) api.syncCatalogue()
      .then((changed) => changed && (!location.hash || location.hash.startsWith("#/tasks")) && render())
      .catch(() => {});
  }
}

boot();
