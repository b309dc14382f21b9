// The mobile API as the phone uses it: a fetch wrapper with the device's bearer token. Every failure is
// one shape, {status, code, message, details}: the server's error body, or status 0 with code "offline"
// when the request never got an answer. A 401 (token revoked or expired) signs the user out, keeping the
// outbox: the app shows the sign-in screen and sends what was waiting once signed in again.

import * as store from "./store.js";

const SETTINGS = JSON.parse(document.getElementById("fieldapp-settings").textContent);
export const API = SETTINGS.api_base;
export const settings = SETTINGS;

export class ApiError extends Error {
  constructor({ status, code, message, details }) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details || null;
  }
  get offline() {
    return this.status === 0;
  }
}

let onUnauthorized = () => {};
/** What to do when the server says the token is no good (the app: show the sign-in screen). */
export function whenUnauthorized(fn) {
  onUnauthorized = fn;
}

// How many requests are on their way, on <body data-requests> (the tests wait for 0 before they look).
let requests = 0;
document.body.dataset.requests = "0";
function inFlight(delta) {
  requests += delta;
  document.body.dataset.requests = String(requests);
}

async function errorOf(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  return new ApiError({
    status: response.status,
    code: body?.code || `http_${response.status}`,
    message: body?.message || `服务器返回 ${response.status}`,
    details: body?.details || null,
  });
}

/**
 * One request to the API. ``body``: an object (sent as JSON) or FormData. Answers
 * {status, data, etag, headers}; 304 answers data null. Throws ApiError.
 */
export async function request(method, path, { body, headers = {}, auth = true, signal } = {}) {
  const h = { Accept: "application/json", ...headers };
  if (auth) {
    const s = await store.session();
    if (s?.token) h.Authorization = `Bearer ${s.token}`;
  }
  let payload = body;
  if (body !== undefined && !(body instanceof FormData)) {
    h["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  if (navigator.onLine === false) {
    // The phone knows it has no network (its "online" may lie, its "offline" does not): don't try.
    throw new ApiError({ status: 0, code: "offline", message: "无法连接服务器（网络不可用）", details: null });
  }
  let response;
  inFlight(+1);
  try {
    response = await fetch(API + path, { method, headers: h, body: payload, signal, cache: "no-store" });
  } catch (exc) {
    throw new ApiError({ status: 0, code: "offline", message: "无法连接服务器（网络不可用）", details: { error: String(exc) } });
  } finally {
    inFlight(-1);
  }
  if (response.status === 401 && auth) {
    const error = await errorOf(response);
    await store.setSession(null);
    onUnauthorized(error);
    throw error;
  }
  if (response.status === 304) return { status: 304, data: null, etag: response.headers.get("ETag"), headers: response.headers };
  if (!response.ok) throw await errorOf(response);
  const data = response.status === 204 ? null : await response.json();
  return { status: response.status, data, etag: response.headers.get("ETag"), headers: response.headers };
}

// --- the calls the app makes -------------------------------------------------------------------------------

export async function signIn(username, password) {
  const device_id = await store.deviceId();
  const ua = navigator.userAgent.match(/\(([^)]+)\)/);
  const device_name = `外业检查 App（${ua ? ua[1].slice(0, 100) : "浏览器"}）`;
  const { data } = await request("POST", "/auth/token", {
    body: { username, password, device_id, device_name }, auth: false,
  });
  await store.setSession({ token: data.token, username, expires_at: data.expires_at, device_token_id: data.device_token_id });
  return data;
}

export async function signOut() {
  try {
    await request("DELETE", "/auth/token");
  } finally {
    await store.setSession(null);
  }
}

/** GET /catalogue with If-None-Match and since; stores what changed. Answers true when it changed. */
export async function syncCatalogue() {
  const known = await store.getValue("catalogue");
  const query = known?.server_time ? `?since=${encodeURIComponent(known.server_time)}` : "";
  const headers = known?.etag && known.server_time ? { "If-None-Match": known.etag } : {};
  const { status, data, etag } = await request("GET", `/catalogue${query}`, { headers });
  if (status === 304) {
    await store.setValue("catalogue", { ...known, synced_at: new Date().toISOString() });
    return false;
  }
  await store.saveCatalogue(data, etag);
  return true;
}

export const inspection = (uuid) => request("GET", `/inspections/${uuid}`);
export const myInspections = () => request("GET", "/inspections?mine=true&page_size=200");
export const rectifications = () => request("GET", "/rectifications?page_size=200");
export const transition = (id, action, note = "") => request("POST", `/rectifications/${id}/transition`, { body: { action, note } });

export function putInspection(uuid, body, version, { submit = false } = {}) {
  const headers = version ? { "If-Match": `"${version}"` } : {};
  return request("PUT", `/inspections/${uuid}${submit ? "?submit=true" : ""}`, { body, headers });
}

/** One photo per request, with the phone's fix; idempotent on photo_uuid. */
export function uploadPhoto(path, photo) {
  const form = new FormData();
  form.append("photo_uuid", photo.photo_uuid);
  if (photo.item_key !== undefined) form.append("item_key", photo.item_key || "");
  if (photo.fix) {
    form.append("lon", String(photo.fix.lon));
    form.append("lat", String(photo.fix.lat));
    form.append("datum", "wgs84");
    if (photo.fix.accuracy_m !== null && photo.fix.accuracy_m !== undefined) form.append("accuracy_m", String(photo.fix.accuracy_m));
  }
  if (photo.captured_at) form.append("captured_at", photo.captured_at);
  form.append("file", photo.blob, photo.name || `${photo.photo_uuid}.jpg`);
  return request("POST", path, { body: form });
}
