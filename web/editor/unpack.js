// The page's and the SQLite worker's WebAssembly modules are shipped as one
// file compressed with Zstandard (`app-HASH.wasm.zst`, written by
// .ci/pack-wasm): about a fifth smaller than the gzip a static host sends,
// which no host can do for zstd or Brotli on GitHub Pages, and smaller again
// for the code the two modules share.
//
// `greenboardUnpack(url, split)` fetches it and gives a Response whose body
// is its first `split` bytes inflated as they arrive (the page's module, so
// that the browser compiles it while it downloads), and sets
// `greenboardWorkerModule`: a promise of the rest, compiled (the worker's
// module, which the page hands to each SQLite worker it starts). Without
// `split` the whole file is the Response's body. Loaded as a classic script
// by index.html before the page's module.
import { Decompress } from "fzstd";

self.greenboardUnpack = (url, split) => {
  let settle;
  self.greenboardWorkerModule = new Promise((resolve, reject) => (settle = { resolve, reject }));
  // Nobody may ask for it (a build of the page alone): no unhandled rejection.
  self.greenboardWorkerModule.catch(() => {});
  const failed = (e) => new Error(`${url}: ${e.message || e}`);
  return fetch(url).then((response) => {
    if (!response.ok) {
      throw new Error(`${url}: the server answered ${response.status} ${response.statusText}`);
    }
    const reader = response.body.getReader();
    const rest = [];
    let seen = 0;
    let open = true;
    const body = new ReadableStream({
      start(out) {
        const finish = () => {
          if (open) {
            open = false;
            out.close();
          }
        };
        const inflate = new Decompress((chunk, last) => {
          const page = split === undefined ? chunk.length : Math.max(0, Math.min(chunk.length, split - seen));
          if (page) out.enqueue(chunk.slice(0, page));
          if (page < chunk.length) rest.push(chunk.slice(page));
          seen += chunk.length;
          if (split !== undefined && seen >= split) finish();
          if (last) {
            finish();
            const bytes = new Uint8Array(seen - Math.min(seen, split ?? seen));
            let at = 0;
            for (const part of rest) {
              bytes.set(part, at);
              at += part.length;
            }
            if (split === undefined) settle.reject(new Error(`${url} holds no worker's module`));
            else WebAssembly.compile(bytes).then(settle.resolve, (e) => settle.reject(failed(e)));
          }
        });
        const pump = () =>
          reader.read().then(({ done, value }) => {
            if (done) {
              inflate.push(new Uint8Array(0), true);
              return;
            }
            inflate.push(value);
            return pump();
          });
        return pump().catch((e) => {
          if (open) {
            open = false;
            out.error(failed(e));
          }
          settle.reject(failed(e));
        });
      },
    });
    return new Response(body, { headers: { "Content-Type": "application/wasm" } });
  }, (e) => {
    settle.reject(failed(e));
    throw e;
  });
};
