# Installs what greenboard's build and tests need, when it is missing, and
# puts it on PATH. Sourced by .ci/serve (GREENBOARD_SETUP=build: only what
# building the site needs) and .ci/test (everything, browsers included).
# Works on a fresh Debian 12 machine that has only rustup/cargo, as root or
# with sudo.

set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf '\033[1;32m==>\033[0m %s\n' "$*" >&2; }

export PATH="$PWD/.tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"

# SQLite for the browser, without what an in-memory database in a worker
# never uses (sessions, WAL, UTF-16 API, introspection tables, progress
# callbacks, declared types of result columns, ...) and
# without the R*Tree module (spatial indexes: a dump with
# one loads, its R*Tree tables listed as failed): the page's first load stays
# under its size budget. FTS5 and JSON stay; the math functions come from
# src/db/math.rs instead (the same as natively, without trigonometry).
# SQLITE_OMIT_VACUUM, _REINDEX and _INCRBLOB are not among them: with the
# amalgamation's pre-built parser they leave unresolved symbols, and the
# worker no longer starts.
export SQLITE_WASM_RS_FLAGS="-USQLITE_ENABLE_SESSION -USQLITE_ENABLE_PREUPDATE_HOOK -USQLITE_ENABLE_BYTECODE_VTAB \
-USQLITE_ENABLE_DBPAGE_VTAB -USQLITE_ENABLE_DBSTAT_VTAB -USQLITE_ENABLE_STMTVTAB -USQLITE_ENABLE_COLUMN_METADATA \
-USQLITE_ENABLE_UNLOCK_NOTIFY -USQLITE_ENABLE_API_ARMOR -DSQLITE_OMIT_AUTHORIZATION -DSQLITE_OMIT_GET_TABLE \
-DSQLITE_OMIT_TCL_VARIABLE -DSQLITE_DEFAULT_MEMSTATUS=0 -DSQLITE_OMIT_WAL -DSQLITE_OMIT_UTF16 \
-DSQLITE_OMIT_AUTOVACUUM -DSQLITE_OMIT_INTROSPECTION_PRAGMAS -DSQLITE_OMIT_PROGRESS_CALLBACK \
-DSQLITE_OMIT_COMPILEOPTION_DIAGS -DSQLITE_UNTESTABLE -USQLITE_ENABLE_RTREE -USQLITE_ENABLE_OFFSET_SQL_FUNC \
-DSQLITE_OMIT_DECLTYPE -USQLITE_ENABLE_MATH_FUNCTIONS -DSQLITE_OMIT_XFER_OPT -DSQLITE_OMIT_TRACE -DSQLITE_OMIT_TRUNCATE_OPTIMIZATION"
mode="${GREENBOARD_SETUP:-full}"

# --- Debian packages -------------------------------------------------------
packages=()
command -v clang >/dev/null || packages+=(clang)        # compiles SQLite's C to wasm
command -v llvm-ar >/dev/null || packages+=(llvm)       # archives it
command -v npm >/dev/null || packages+=(nodejs npm)     # installs binaryen's wasm-opt
command -v pkg-config >/dev/null || packages+=(pkg-config)
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
editor=web/editor
if [ ! -d "$editor/node_modules/@codemirror/lang-sql" ] || [ "$editor/package-lock.json" -nt "$editor/node_modules/.package-lock.json" ]; then
  say "installing the SQL editor's packages (npm ci, versions pinned in $editor/package-lock.json)"
  npm ci --silent --no-audit --no-fund --prefix "$editor" >/dev/null
fi
if [ ! -f "$editor/build/editor.js" ] || [ "$editor/editor.js" -nt "$editor/build/editor.js" ] || [ "$editor/package-lock.json" -nt "$editor/build/editor.js" ]; then
  say "bundling the SQL editor (esbuild) into $editor/build/editor.js"
  npm run --silent --prefix "$editor" build >/dev/null
fi

say "tools: $(trunk --version), $(wasm-bindgen --version), $(wasm-opt --version | cut -d' ' -f1-3)"
