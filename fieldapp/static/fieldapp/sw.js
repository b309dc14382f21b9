// The phone app's service worker, served from /m/sw.js (scope /m/) by fieldapp.views.service_worker,
// which puts one line before this file: self.FIELDAPP_PRECACHE = {version, urls}, the version being a
// digest of the shell and of every file precached. It keeps the shell and the modules, so the app opens
// without a network; it never answers an API request (the app keeps its data in IndexedDB).
/* global self, caches */
const { version, urls } = self.FIELDAPP_PRECACHE;
const CACHE = `fieldapp-${version}`;
const PREFIX = "fieldapp-";
const SHELL = urls[0]; // "/m/"

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll(urls.map((u) => new Request(u, { cache: "reload" }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(
        keys.filter((k) => k.startsWith(PREFIX) && k !== CACHE).map((k) => caches.delete(k)),
      ))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return; // never cached
  if (request.mode === "navigate" && url.pathname.startsWith(SHELL)) {
    // Every screen is the one shell page: from the cache, the network only when the cache lost it.
    event.respondWith(caches.match(SHELL, { cacheName: CACHE }).then((hit) => hit || fetch(request)));
    return;
  }
  if (urls.includes(url.pathname)) {
    event.respondWith(caches.match(url.pathname, { cacheName: CACHE }).then((hit) => hit || fetch(request)));
  }
});
