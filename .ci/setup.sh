# Installs what greenboard's build and tests need, when it is missing, and
# puts it on PATH. Sourced by .ci/serve (GREENBOARD_SETUP=build: only what
# building the site needs) and .ci/test (everything, browsers included).
# Works on a fresh Debian 12 machine that has only rustup/cargo, as root or
# with sudo.

set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf '\033[1;32m==>\033[0m %s\n' "$*" >&2; }

export PATH="$PWD/.tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"

mode="${GREENBOARD_SETUP:-full}"

# --- Debian packages -------------------------------------------------------
packages=()
command -v clang >/dev/null || packages+=(clang)        # compiles SQLite's C to wasm
command -v llvm-ar >/dev/null || packages+=(llvm)       # archives it
command -v npm >/dev/null || packages+=(nodejs npm)     # installs binaryen's wasm-opt
command -v pkg-config >/dev/null || packages+=(pkg-config)
command -v zstd >/dev/null || packages+=(zstd)          # compresses the site's wasm modules
if [ "$mode" = full ]; then
  command -v chromium >/dev/null || packages+=(chromium)
  command -v chromedriver >/dev/null || packages+=(chromium-driver)
  command -v sqlite3 >/dev/null || packages+=(sqlite3)   # the reference answers in tests
fi
if [ "${#packages[@]}" -gt 0 ]; then
  say "installing Debian packages: ${packages[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi

# --- Rust toolchain and targets (pinned in rust-toolchain.toml) ----------------
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# --- trunk ----------------------------------------------------------------------
trunk_version=0.21.14
if ! trunk --version 2>/dev/null | grep -qF " $trunk_version"; then
  say "installing trunk $trunk_version (cargo install; takes about 10 minutes)"
  cargo install trunk --locked --version "$trunk_version"
fi

# --- wasm-bindgen-cli, the same version as wasm-bindgen in Cargo.lock ---------------
bindgen_version="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3 }' Cargo.lock)"
if ! wasm-bindgen --version 2>/dev/null | grep -qF " $bindgen_version"; then
  say "installing wasm-bindgen-cli $bindgen_version (matches Cargo.lock)"
  cargo install wasm-bindgen-cli --version "$bindgen_version"
fi

# --- wasm-opt from binaryen 132 (npm) into .tools/ ------------------------------
if ! wasm-opt --version 2>/dev/null | grep -q 'version 132'; then
  say "installing wasm-opt (binaryen 132, npm) into .tools/"
  mkdir -p .tools
  npm install --silent --no-audit --no-fund --prefix .tools binaryen@132 >/dev/null
fi

# --- the SQL editor's module (CodeMirror 6, npm) -> web/editor/build/editor.js ----
# --- and the wasm modules' inflater (fzstd, npm) -> web/editor/build/unpack.js ----
editor=web/editor
if [ ! -d "$editor/node_modules/@codemirror/lang-sql" ] || [ ! -d "$editor/node_modules/fzstd" ] || [ "$editor/package-lock.json" -nt "$editor/node_modules/.package-lock.json" ]; then
  say "installing the SQL editor's packages (npm ci, versions pinned in $editor/package-lock.json)"
  npm ci --silent --no-audit --no-fund --prefix "$editor" >/dev/null
fi
if [ ! -f "$editor/build/editor.js" ] || [ ! -f "$editor/build/unpack.js" ] || [ "$editor/editor.js" -nt "$editor/build/editor.js" ] || [ "$editor/unpack.js" -nt "$editor/build/unpack.js" ] || [ "$editor/package-lock.json" -nt "$editor/build/editor.js" ]; then
  say "bundling the SQL editor and the wasm inflater (esbuild) into $editor/build/"
  npm run --silent --prefix "$editor" build >/dev/null
fi

say "tools: $(trunk --version), $(wasm-bindgen --version), $(wasm-opt --version | cut -d' ' -f1-3)"
