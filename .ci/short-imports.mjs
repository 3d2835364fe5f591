// Gives a WebAssembly module's imports and exports short names, in the
// module and in its JS glue alike: node .ci/short-imports.mjs MODULE.wasm GLUE.js
//
// wasm-bindgen names each import after the function it binds plus a hash of
// 16 hex digits (`__wbg_setAttribute_8d0b3a1c2e4f5a6b`). Those hashes are
// random to a compressor and appear in both files: over the page's and the
// SQLite worker's modules they cost about 10 KB of the first load. The
// names become `_a`, `_b`, ... (an import's name is only a key of the
// object of imports the glue hands to the module). Run before the module is
// compressed and before anything hashes the files.
import { readFileSync, writeFileSync } from "node:fs";

const [wasmPath, jsPath] = process.argv.slice(2);
if (!wasmPath || !jsPath) {
  console.error("usage: node short-imports.mjs MODULE.wasm GLUE.js");
  process.exit(2);
}
const wasm = readFileSync(wasmPath);
let js = readFileSync(jsPath, "utf8");

function leb(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[at++];
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (b < 0x80) return [value, at];
  }
}

function encode(n) {
  const out = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return Buffer.from(out);
}

const LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
function shortName(k) {
  let s = "";
  do {
    s = LETTERS[k % 52] + s;
    k = Math.floor(k / 52);
  } while (k > 0);
  return "_" + s;
}

const renamed = new Map();
const exported = new Map();
const parts = [wasm.subarray(0, 8)];
let at = 8;
while (at < wasm.length) {
  const id = wasm[at];
  const [size, start] = leb(wasm, at + 1);
  let body = wasm.subarray(start, start + size);
  if (id === 2) {
    const [count, first] = leb(body, 0);
    const out = [encode(count)];
    let k = first;
    for (let i = 0; i < count; i++) {
      const [moduleLen, m] = leb(body, k);
      const moduleName = body.subarray(m, m + moduleLen);
      k = m + moduleLen;
      const [fieldLen, f] = leb(body, k);
      const field = body.subarray(f, f + fieldLen).toString("utf8");
      k = f + fieldLen;
      const descStart = k;
      const kind = body[k++];
      if (kind === 0) {
        k = leb(body, k)[1];
      } else if (kind === 1) {
        k++;
        const flags = body[k++];
        k = leb(body, k)[1];
        if (flags & 1) k = leb(body, k)[1];
      } else if (kind === 2) {
        const flags = body[k++];
        k = leb(body, k)[1];
        if (flags & 1) k = leb(body, k)[1];
      } else if (kind === 3) {
        k += 2;
      } else {
        throw new Error(`${wasmPath}: import of unknown kind ${kind}`);
      }
      const desc = body.subarray(descStart, k);
      let name = field;
      if (field.startsWith("__wbg_") || field.startsWith("__wbindgen_")) {
        if (!renamed.has(field)) renamed.set(field, shortName(renamed.size));
        name = renamed.get(field);
      }
      const nameBytes = Buffer.from(name, "utf8");
      out.push(encode(moduleLen), moduleName, encode(nameBytes.length), nameBytes, desc);
    }
    body = Buffer.concat(out);
  }
  if (id === 7) {
    // Exports: all but the memory and `main` (a name too common in JS to
    // replace as text), whatever their number of uses in the glue.
    const [count, first] = leb(body, 0);
    const out = [encode(count)];
    let k = first;
    for (let i = 0; i < count; i++) {
      const [nameLen, n] = leb(body, k);
      const field = body.subarray(n, n + nameLen).toString("utf8");
      k = n + nameLen;
      const descStart = k;
      k++;
      k = leb(body, k)[1];
      let name = field;
      if (field !== "memory" && field !== "main") {
        if (!exported.has(field)) exported.set(field, shortName(renamed.size + exported.size));
        name = exported.get(field);
      }
      const nameBytes = Buffer.from(name, "utf8");
      out.push(encode(nameBytes.length), nameBytes, body.subarray(descStart, k));
    }
    body = Buffer.concat(out);
  }
  parts.push(Buffer.from([id]), encode(body.length), body);
  at = start + size;
}

for (const [name, short] of renamed) {
  const pattern = new RegExp(`(?<![\\w$])${name.replace(/\$/g, "\\$")}(?![\\w$])`, "g");
  const found = js.match(pattern);
  if (!found || found.length !== 1) {
    throw new Error(`${jsPath}: import ${name} appears ${found ? found.length : 0} times, not once`);
  }
  js = js.replace(pattern, short);
}
for (const [name, short] of exported) {
  const pattern = new RegExp(`(?<![\\w$])${name.replace(/\$/g, "\\$")}(?![\\w$])`, "g");
  js = js.replace(pattern, short);
}
writeFileSync(wasmPath, Buffer.concat(parts));
writeFileSync(jsPath, js);
console.log(`short-imports: ${renamed.size} imports and ${exported.size} exports of ${wasmPath} renamed`);
