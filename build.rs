//! Embeds the built explorer (`explorer/`, written by `.ci/build-explorer`)
//! in the native `greenboard` binary, for `greenboard site`: a binary from
//! `cargo install` or a release then needs no wasm tools to write a site.
//!
//! Writes `$OUT_DIR/explorer.rs`: the explorer's version, its files (path
//! and bytes), or why there are none (not built, or built for another
//! version of greenboard). Nothing is embedded in the browser's modules.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=explorer");
    let out =
        PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("explorer.rs");
    let native_cli = env::var_os("CARGO_FEATURE_CLI").is_some()
        && env::var("CARGO_CFG_TARGET_FAMILY").as_deref() != Ok("wasm");
    let code = if native_cli {
        embedded(Path::new("explorer"))
    } else {
        absent("it is not part of this build")
    };
    fs::write(&out, code).expect("writing explorer.rs");
}

/// The code embedding the explorer in `dir`, or saying why it cannot.
fn embedded(dir: &Path) -> String {
    let ours = env::var("CARGO_PKG_VERSION").expect("cargo sets CARGO_PKG_VERSION");
    let version = match fs::read_to_string(dir.join("VERSION")) {
        Ok(v) => v.trim().to_string(),
        Err(_) => {
            return absent(
                "it was not built when this binary was compiled (run `bash .ci/build-explorer`, then build greenboard again)",
            );
        }
    };
    if version != ours {
        println!(
            "cargo:warning=explorer/ holds the explorer of greenboard {version}, not {ours}: `greenboard site` will refuse until `bash .ci/build-explorer` is run"
        );
        return absent(&format!(
            "explorer/ held the explorer of greenboard {version} when this binary ({ours}) was compiled (run `bash .ci/build-explorer`, then build greenboard again)"
        ));
    }
    let mut files = Vec::new();
    walk(dir, dir, &mut files);
    files.sort();
    if !files.iter().any(|(name, _)| name == "index.html") {
        return absent(
            "explorer/ held no index.html when this binary was compiled (run `bash .ci/build-explorer`)",
        );
    }
    let mut code = format!(
        "/// The explorer built into this binary.\npub static EXPLORER: Result<Explorer, &str> = Ok(Explorer {{\n    version: {version:?},\n    files: &[\n"
    );
    for (name, path) in &files {
        writeln!(
            code,
            "        ({name:?}, include_bytes!({:?})),",
            path.display().to_string()
        )
        .unwrap();
    }
    code.push_str("    ],\n});\n");
    code
}

/// The code saying why no explorer is embedded.
fn absent(why: &str) -> String {
    format!(
        "/// Why this binary carries no explorer.\npub static EXPLORER: Result<Explorer, &str> = Err({why:?});\n"
    )
}

/// Every file under `dir` but the folder's README and VERSION, as its path
/// relative to `root` (with `/`) and its absolute path.
fn walk(root: &Path, dir: &Path, files: &mut Vec<(String, PathBuf)>) {
    for entry in fs::read_dir(dir).expect("reading explorer/") {
        let path = entry.expect("reading explorer/").path();
        if path.is_dir() {
            walk(root, &path, files);
            continue;
        }
        let name = path
            .strip_prefix(root)
            .expect("under explorer/")
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        if name != "README.md" && name != "VERSION" {
            files.push((name, fs::canonicalize(&path).expect("a file of explorer/")));
        }
    }
}
