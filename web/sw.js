// greenboard's service worker: keeps one build of the app, every file of
// it, so that the explorer opens with no network at all.
//
// BUILD is written by the post-build hook (.ci/offline-files): the build's
// version (a hash of its files) and each file with its SHA-256. A new
// build is a new sw.js, which the browser installs beside the one in use:
// every file is fetched and checked against its hash into a cache of its
// own, and the install fails (the old build stays) unless all of them
// arrive. The new build takes over when every page of the old one is
// closed, or when a page asks for it (offline.js: "a new version is
// ready"); only then are older caches deleted. A page is served from one
// build's cache from start to end, never a mix of two.
//
// Only the app's own files are answered from the cache. Everything else
// (the dumps, addresses given with ?db=) goes to the network untouched,
// conditional requests and all; the dataset list (static/datasets.json) is
// taken from the network when it answers, else from its last copy.

const BUILD = /*BUILD*/ null;

const SCOPE = self.registration.scope;
const PREFIX = "greenboard-app " + SCOPE + " ";
const CACHE = PREFIX + (BUILD && BUILD.version);
const DATASETS = new URL("static/datasets.json", SCOPE).href;
const LISTS = "greenboard-datasets " + SCOPE;
const INDEX = new URL("index.html", SCOPE).href;
const FILES = new Set(BUILD ? BUILD.files.map(([name]) => new URL(name, SCOPE).href) : []);

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      if (!BUILD) throw new Error("sw.js was not written by .ci/offline-files");
      const cache = await caches.open(CACHE);
      const fetched = await Promise.allSettled(
        BUILD.files.map(async ([name, integrity]) => {
          const url = new URL(name, SCOPE).href;
          const response = await fetch(url, { cache: "no-cache", integrity });
          if (!response.ok) throw new Error(`${name}: HTTP ${response.status}`);
          await cache.put(url, response);
        }),
      );
      const failed = fetched.filter((r) => r.status === "rejected");
      if (failed.length) {
        await caches.delete(CACHE);
        throw failed[0].reason;
      }
      // The dataset list too, if it answers (the first visit's page asked
      // for it before there was a service worker to keep it).
      await fetch(DATASETS, { cache: "no-cache" })
        .then((response) => response.status === 200 && caches.open(LISTS).then((c) => c.put(DATASETS, response)))
        .catch(() => {});
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("message", (event) => {
  if (event.data === "skip-waiting") self.skipWaiting();
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  url.search = url.hash = "";
  let key = url.href;
  if (request.mode === "navigate") {
    if (key !== SCOPE && key !== INDEX) return;
    key = INDEX;
  }
  if (FILES.has(key)) {
    event.respondWith(
      caches
        .open(CACHE)
        .then((cache) => cache.match(key, { ignoreVary: true }))
        .then((cached) => cached || fetch(request)),
    );
  } else if (key === DATASETS) {
    event.respondWith(
      fetch(request).then(
        (response) => {
          if (response.status === 200) {
            const copy = response.clone();
            event.waitUntil(caches.open(LISTS).then((cache) => cache.put(key, copy)));
          }
          return response;
        },
        async (error) => {
          const cached = await caches.open(LISTS).then((cache) => cache.match(key, { ignoreVary: true }));
          if (cached) return cached;
          throw error;
        },
      ),
    );
  }
});
