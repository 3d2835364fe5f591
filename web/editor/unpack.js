// The page's and the SQLite worker's WebAssembly modules are shipped
// compressed with Zstandard (`.wasm.zst`, written by .ci/pack-wasm): about a
// fifth smaller than the gzip a static host sends, which no host can do for
// zstd or Brotli on GitHub Pages. `greenboardUnpack(url)` fetches one and
// gives a Response whose body is the module inflated as it arrives, so the
// browser still compiles it while it downloads (instantiateStreaming).
// Loaded as a classic script: by index.html before the page's module, and by
// the worker's loader with importScripts.
import { Decompress } from "fzstd";

self.greenboardUnpack = (url) =>
  fetch(url).then((response) => {
    if (!response.ok) {
      throw new Error(`${url}: the server answered ${response.status} ${response.statusText}`);
    }
    const reader = response.body.getReader();
    const body = new ReadableStream({
      start(out) {
        const inflate = new Decompress((chunk, last) => {
          if (chunk.length) out.enqueue(chunk.slice());
          if (last) out.close();
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
        return pump().catch((e) => out.error(new Error(`${url}: ${e.message || e}`)));
      },
    });
    return new Response(body, { headers: { "Content-Type": "application/wasm" } });
  });
