//! Checks of the built site in dist/ (the README's test command builds it):
//! the first load stays small, SQLite is in the worker only, and the chart
//! worker is fetched only when a chart is drawn.

#![cfg(not(target_family = "wasm"))]

use std::io::Write;
use std::path::PathBuf;

fn dist() -> PathBuf {
    std::env::var_os("GREENBOARD_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("dist"))
}

fn gzip_len(bytes: &[u8]) -> usize {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap().len()
}

/// The files of the page itself (not the data it loads), with their bytes.
fn page_files() -> Vec<(String, Vec<u8>)> {
    let dir = dist();
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e} (build the site with trunk first)", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

/// The chart worker's files (started by the SQLite worker on the first
/// chart), the SQL editor's module (imported once the data is loaded), and
/// what makes the site work offline and installable: `offline.js`, imported
/// once the page has loaded, which registers the service worker `sw.js`,
/// and the manifest (fetched when the browser looks for an installable
/// app), and the presets (`presets.json`, fetched once data is loaded).
/// None of them is part of the first load.
fn is_lazy(name: &str) -> bool {
    name.starts_with("charts")
        || [
            "editor.js",
            "offline.js",
            "sw.js",
            "manifest.webmanifest",
            "presets.json",
        ]
        .contains(&name)
}

#[test]
fn the_first_load_is_under_660_kb_gzipped() {
    let (lazy, files): (Vec<_>, Vec<_>) = page_files().into_iter().partition(|(n, _)| is_lazy(n));
    let mut lazy_names: Vec<&str> = lazy.iter().map(|(n, _)| n.as_str()).collect();
    lazy_names.sort();
    assert_eq!(
        lazy_names,
        [
            "charts.js",
            "charts_bg.wasm",
            "charts_loader.js",
            "editor.js",
            "manifest.webmanifest",
            "offline.js",
            "presets.json",
            "sw.js"
        ]
    );
    // Nothing of the first load names them: the page does not preload them.
    for (name, bytes) in &files {
        if name.ends_with(".html") || name.starts_with("ui-") {
            assert!(
                !bytes.windows(7).any(|w| w == b"charts_" || w == b"charts."),
                "{name} refers to the chart worker"
            );
        }
        if name.ends_with(".html") {
            assert!(
                !bytes.windows(12).any(|w| w == b"presets.json"),
                "{name} preloads the presets"
            );
            assert!(
                !bytes.windows(9).any(|w| w == b"editor.js"),
                "{name} preloads the SQL editor"
            );
            assert!(
                !bytes.windows(5).any(|w| w == b"sw.js"),
                "{name} names the service worker (offline.js registers it)"
            );
        }
    }
    let total: usize = files.iter().map(|(_, b)| gzip_len(b)).sum();
    for kind in [".html", ".css", ".wasm.zst", ".js"] {
        assert!(
            files.iter().any(|(n, _)| n.ends_with(kind)),
            "no {kind} in dist/"
        );
    }
    let report: Vec<String> = files
        .iter()
        .map(|(n, b)| format!("{n}: {} B gz", gzip_len(b)))
        .collect();
    println!("first load: {total} bytes gzipped\n{}", report.join("\n"));
    assert!(
        total < 660_000,
        "first load is {total} B gzipped:\n{}",
        report.join("\n")
    );
}

/// A `.zst` file's content, inflated by the `zstd` command (which the
/// build uses to write it).
fn unzstd(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut child = std::process::Command::new("zstd")
        .args(["-d", "-c", "-q"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("zstd must be installed (the README's test command installs it)");
    let mut stdin = child.stdin.take().unwrap();
    let input = bytes.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(out.status.success(), "zstd could not inflate a module");
    out.stdout
}

/// The page's module and the SQLite worker's, in one file (`app-*.wasm.zst`),
/// and where the page's ends (index.html's `greenboardUnpack(URL, SPLIT)`).
fn app_modules(files: &[(String, Vec<u8>)]) -> (String, Vec<u8>, usize) {
    let (name, bytes) = files
        .iter()
        .find(|(n, _)| n.starts_with("app-") && n.ends_with(".wasm.zst"))
        .expect("the modules, compressed as one file");
    let html = &files.iter().find(|(n, _)| n == "index.html").unwrap().1;
    let html = String::from_utf8_lossy(html);
    let call = format!("module_or_path: greenboardUnpack('/{name}', ");
    let at = html.find(&call).unwrap_or_else(|| panic!("{html}")) + call.len();
    let split: usize = html[at..].split(')').next().unwrap().parse().unwrap();
    (name.clone(), unzstd(bytes), split)
}

/// The page's and the SQLite worker's modules are shipped compressed with
/// zstd as one file, and what loads them is pointed at it: the page takes
/// its own module from the front and hands the rest to the worker.
#[test]
fn the_first_load_modules_are_zstd_compressed_and_loaded_as_such() {
    let files = page_files();
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert!(
        !names
            .iter()
            .any(|n| n.ends_with(".wasm") && !n.starts_with("charts")),
        "an uncompressed first-load module is left: {names:?}"
    );
    let file = |name: &str| &files.iter().find(|(n, _)| n == name).unwrap().1;
    let (app, modules, split) = app_modules(&files);
    let html = String::from_utf8_lossy(file("index.html")).to_string();
    assert!(html.contains(&format!("href=/{app} rel=preload")), "{html}");
    assert!(html.contains("<script defer src=unpack.js>"), "{html}");
    let loader = String::from_utf8_lossy(file("worker_loader.js")).to_string();
    assert_eq!(
        loader,
        "importScripts(\"./worker.js\");onmessage=e=>{onmessage=null;wasm_bindgen({module_or_path:e.data})};"
    );
    // It inflates to two WebAssembly modules, the page's first.
    assert!(modules.starts_with(b"\0asm"));
    assert!(modules[split..].starts_with(b"\0asm"), "at {split}");
}

#[test]
fn sqlite_is_in_the_worker_only() {
    let files = page_files();
    let (_, modules, split) = app_modules(&files);
    let (ui, worker) = modules.split_at(split);
    let has_sqlite = |b: &[u8]| b.windows(15).any(|w| w == b"SQLite format 3");
    assert!(!has_sqlite(ui), "the UI module must not contain SQLite");
    let charts = files.iter().find(|(n, _)| n == "charts_bg.wasm").unwrap();
    assert!(!has_sqlite(&charts.1), "the chart module has no SQLite");
    // The chart drawing code (its palette) is in the chart module only.
    let has_palette = |b: &[u8]| b.windows(7).any(|w| w == b"#0072B2");
    assert!(has_palette(&charts.1));
    assert!(!has_palette(ui) && !has_palette(worker));
    assert!(has_sqlite(worker), "the worker module contains SQLite");
}

/// The directory's files, every level down, as paths relative to it.
fn files_under(dir: &std::path::Path, prefix: &str, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = format!("{prefix}{}", path.file_name().unwrap().to_string_lossy());
        if path.is_dir() {
            files_under(&path, &format!("{name}/"), out);
        } else {
            out.push(name);
        }
    }
}

/// A file's `integrity` value, "sha256-" and its hash in base64 (the hash
/// by coreutils' sha256sum, as the build's hook takes it).
fn sri(path: &std::path::Path) -> String {
    let out = std::process::Command::new("sha256sum")
        .arg(path)
        .output()
        .unwrap();
    let hex = String::from_utf8(out.stdout).unwrap();
    let bytes: Vec<u8> = (0..64)
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    const ABC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut b64 = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().fold(0u32, |n, b| n << 8 | u32::from(*b)) << (8 * (3 - chunk.len()));
        for i in 0..=chunk.len() {
            b64.push(ABC[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    while !b64.len().is_multiple_of(4) {
        b64.push('=');
    }
    format!("sha256-{b64}")
}

#[test]
fn the_service_worker_keeps_every_app_file_of_its_build() {
    let dir = dist();
    let sw = std::fs::read_to_string(dir.join("sw.js")).unwrap();
    let start = sw.find("const BUILD = ").expect("sw.js names its build") + 14;
    let end = start + sw[start..].find(";\n").unwrap();
    let build: serde_json::Value =
        serde_json::from_str(&sw[start..end]).expect("the build hook wrote sw.js's BUILD");
    let listed: Vec<(String, String)> = build["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f[0].as_str().unwrap().into(), f[1].as_str().unwrap().into()))
        .collect();
    // Every file of the site but the data (static/) and sw.js itself, each
    // with the hash of what was built.
    let mut files = Vec::new();
    files_under(&dir, "", &mut files);
    let mut wanted: Vec<(String, String)> = files
        .into_iter()
        .filter(|f| !f.starts_with("static/") && f != "sw.js")
        .map(|f| {
            let integrity = sri(&dir.join(&f));
            (f, integrity)
        })
        .collect();
    wanted.sort();
    assert_eq!(listed, wanted);
    let app = listed
        .iter()
        .find(|(n, _)| n.starts_with("app-") && n.ends_with(".wasm.zst"));
    assert!(app.is_some(), "the modules are not kept: {listed:?}");
    for f in [
        "index.html",
        "offline.js",
        "worker.js",
        "worker_loader.js",
        "unpack.js",
        "editor.js",
        "charts_bg.wasm",
        "manifest.webmanifest",
        "icons/icon-192.png",
    ] {
        assert!(listed.iter().any(|(n, _)| n == f), "{f} is not kept");
    }
    let version = build["version"].as_str().unwrap();
    assert_eq!(version.len(), 16, "{version}");

    // The page registers it only once loaded, in a few bytes of its own.
    let html = std::fs::read_to_string(dir.join("index.html")).unwrap();
    let script = html
        .split("<script>")
        .find(|s| s.contains("offline.js"))
        .and_then(|s| s.split("</script>").next())
        .expect("index.html imports offline.js");
    assert!(script.starts_with("addEventListener(\"load\""), "{script}");
    assert!(script.len() < 200, "{} bytes: {script}", script.len());
    assert!(
        html.contains("<link href=manifest.webmanifest rel=manifest>"),
        "{html}"
    );
}
