// Imported by index.html once the page has loaded: registers the service
// worker (sw.js) that keeps this build for use offline, and says so when a
// new build is ready. Reload then switches every open page to it at once.

const sw = navigator.serviceWorker;
let controller = sw.controller;
sw.addEventListener("controllerchange", () => {
  // The first visit's page is taken over by the build it was loaded from;
  // any later change is a new build, which this page must not mix in.
  if (controller) location.reload();
  controller = sw.controller;
});

const registration = await sw.register("sw.js");

function ready(worker) {
  if (!sw.controller || document.getElementById("update")) return;
  const bar = document.createElement("div");
  bar.id = "update";
  bar.setAttribute("role", "status");
  bar.style.cssText =
    "position:fixed;z-index:20;bottom:1rem;left:50%;transform:translateX(-50%);display:flex;gap:1rem;" +
    "align-items:center;padding:.6rem .7rem .6rem 1rem;background:var(--panel);color:var(--ink);" +
    "border:1px solid var(--accent);border-radius:8px;box-shadow:0 4px 16px #0003";
  bar.textContent = "A new version of greenboard is ready.";
  const button = document.createElement("button");
  button.className = "run";
  button.textContent = "Reload";
  button.onclick = () => worker.postMessage("skip-waiting");
  bar.append(button);
  document.body.append(bar);
}

if (registration.waiting) ready(registration.waiting);
registration.addEventListener("updatefound", () => {
  const worker = registration.installing;
  worker.addEventListener("statechange", () => {
    if (worker.state === "installed") ready(worker);
  });
});
// A page left open looks for a new build every hour.
setInterval(() => registration.update().catch(() => {}), 3600e3);
