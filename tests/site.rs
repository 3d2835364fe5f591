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
/// chart) and the SQL editor's module (imported once the data is loaded):
/// not part of the first load.
fn is_lazy(name: &str) -> bool {
    name.starts_with("charts") || name == "editor.js"
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
            "editor.js"
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
                !bytes.windows(9).any(|w| w == b"editor.js"),
                "{name} preloads the SQL editor"
            );
        }
    }
    let total: usize = files.iter().map(|(_, b)| gzip_len(b)).sum();
    for kind in [".html", ".css", "_bg.wasm", ".js"] {
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

#[test]
fn sqlite_is_in_the_worker_only() {
    let files = page_files();
    let has_sqlite = |b: &[u8]| b.windows(15).any(|w| w == b"SQLite format 3");
    let ui: Vec<_> = files
        .iter()
        .filter(|(n, _)| n.starts_with("ui-") && n.ends_with(".wasm"))
        .collect();
    let worker: Vec<_> = files
        .iter()
        .filter(|(n, _)| n.starts_with("worker") && n.ends_with(".wasm"))
        .collect();
    assert_eq!((ui.len(), worker.len()), (1, 1));
    assert!(
        !has_sqlite(&ui[0].1),
        "the UI module must not contain SQLite"
    );
    let charts = files.iter().find(|(n, _)| n == "charts_bg.wasm").unwrap();
    assert!(!has_sqlite(&charts.1), "the chart module has no SQLite");
    // The chart drawing code (its palette) is in the chart module only.
    let has_palette = |b: &[u8]| b.windows(7).any(|w| w == b"#0072B2");
    assert!(has_palette(&charts.1));
    assert!(!has_palette(&ui[0].1) && !has_palette(&worker[0].1));
    assert!(
        has_sqlite(&worker[0].1),
        "the worker module contains SQLite"
    );
}
