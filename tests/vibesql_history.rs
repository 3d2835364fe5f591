//! VibeSQL's published conformance history: the conversion of real versions
//! of each file VibeSQL publishes, the shipped dumps against what the
//! converter writes, and seed 003's queries on them.
//!
//! The files are not in this repository: they come from VibeSQL's, and are
//! read from `$GREENBOARD_VIBESQL_DATA`, by default `../shared/vibesql` beside
//! the repository (a folder of `<commit>/<path>` files with the manifest
//! `versions.tsv`). Until they are there, these tests are ignored; run them
//! with `cargo test --test vibesql_history -- --ignored`.

#![cfg(not(target_family = "wasm"))]

use std::path::{Path, PathBuf};
use std::process::Command;

use greenboard::db::load::{OnError, load_str};
use greenboard::db::query;
use greenboard::vibesql_history::{Cell, History, SourceFile, convert, read_dir};
use rusqlite::Connection;

mod scratch;
use scratch::Scratch;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn data() -> PathBuf {
    std::env::var_os("GREENBOARD_VIBESQL_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared/vibesql"))
}

/// The version of `path` that `commit` published, as the manifest lists it.
fn version(commit: &str, path: &str) -> SourceFile {
    read_dir(&data())
        .unwrap()
        .into_iter()
        .find(|f| f.commit.starts_with(commit) && f.path == path)
        .unwrap_or_else(|| panic!("{commit} {path} is not in versions.tsv of the VibeSQL files"))
}

fn rows<'a>(h: &'a History, table: &str) -> &'a [Vec<Cell>] {
    &h.table(table).unwrap().rows
}

/// The one run of a history of one file version: test_runs' row, its
/// run_sources rows and its results.
fn one_run(f: SourceFile) -> (Vec<Cell>, Vec<Vec<Cell>>, Vec<Vec<Cell>>) {
    let h = convert(&[f]).unwrap();
    assert_eq!(rows(&h, "test_runs").len(), 1);
    (
        rows(&h, "test_runs")[0].clone(),
        rows(&h, "run_sources").to_vec(),
        rows(&h, "test_results").to_vec(),
    )
}

fn t(s: &str) -> Cell {
    Cell::Time(s.into())
}

fn s(s: &str) -> Cell {
    Cell::Text(s.into())
}

const BADGE: &str = "web-demo/public/badges/sqllogictest_results.json";
const CUMULATIVE: &str = "web-demo/public/badges/sqllogictest_cumulative.json";
const TCL: &str = "web-demo/public/conformance/tcl_results.json";
const DASHBOARD: &str = "web-demo/public/data/dashboard.json";

#[test]
#[ignore = "needs VibeSQL's published files in $GREENBOARD_VIBESQL_DATA or ../shared/vibesql"]
fn the_sqllogictest_badge_of_october_and_of_november() {
    // {"pass_rate": 75.0, "total": 4, "passed": 3, "failed": 1}: no time,
    // so the publishing commit's.
    let (run, sources, results) = one_run(version("183637a1", BADGE));
    use Cell::*;
    let (at, main) = (t("2025-11-01 05:02:30"), s("main"));
    assert_eq!(
        run,
        [
            Int(1),
            at.clone(),
            at,
            Int(4),
            Int(3),
            Int(1),
            Null,
            Null,
            main,
            Null
        ]
    );
    assert_eq!(sources[0][5], Real(75.0));
    assert!(results.is_empty());
    // The later form counts every available file.
    let (run, sources, _) = one_run(version("f35b7885", BADGE));
    assert_eq!(run[3..7], [Int(623), Int(2), Int(0), Int(621)]);
    assert_eq!(sources[0][5], Real(100.0));
}

#[test]
#[ignore = "needs VibeSQL's published files in $GREENBOARD_VIBESQL_DATA or ../shared/vibesql"]
fn the_cumulative_files_list_every_file_tested() {
    // 8 November: 83 of 613 tested files pass.
    let (run, sources, results) = one_run(version("f35b7885", CUMULATIVE));
    use Cell::*;
    assert_eq!(run[1], t("2025-11-08 05:16:47.748251"));
    assert_eq!(run[3..7], [Int(623), Int(83), Int(530), Int(10)]);
    assert_eq!(sources[0][5], Real(13.54));
    assert_eq!(results.len(), 613);
    let failed = results.iter().filter(|r| r[3] == s("FAIL")).count();
    assert_eq!(failed, 530);
    assert!(
        results
            .iter()
            .any(|r| r[2] == s("ddl/createtable/createtable1.test") && r[3] == s("FAIL"))
    );
    // 19 November: all 628 pass.
    let (run, _, results) = one_run(version("ac313f74", CUMULATIVE));
    assert_eq!(run[3..7], [Int(628), Int(628), Int(0), Int(0)]);
    assert_eq!(results.len(), 628);
    assert!(results.iter().all(|r| r[3] == s("PASS")));
}

#[test]
#[ignore = "needs VibeSQL's published files in $GREENBOARD_VIBESQL_DATA or ../shared/vibesql"]
fn the_history_file_keeps_each_failures_error() {
    let (run, _, results) = one_run(version(
        "506699ab",
        "badges/history/sqllogictest_results_2025-11-04T23-12-35-959393.json",
    ));
    use Cell::*;
    assert_eq!(run[3..7], [Int(623), Int(1), Int(2), Int(620)]);
    assert_eq!(results.len(), 3);
    let r = results
        .iter()
        .find(|r| r[2] == s("random/aggregates/slt_good_56.test"))
        .unwrap();
    assert_eq!(r[3], s("FAIL"));
    let Text(message) = &r[6] else {
        panic!("{r:?}")
    };
    assert!(message.starts_with("Test panicked: failed to parse sqllogictest: ParseError { kind: InvalidLine(\"onlyif mysql # aggregate syntax: \")"), "{message}");
}

#[test]
#[ignore = "needs VibeSQL's published files in $GREENBOARD_VIBESQL_DATA or ../shared/vibesql"]
fn the_summary_agrees_with_its_cumulative_file_and_is_one_run() {
    let commit = "ac313f74";
    let f = |p: &str| version(commit, &format!("web-demo/public/badges/{p}"));
    let h = convert(&[
        f("sqllogictest_cumulative.json"),
        f("sqllogictest_results.json"),
        f("sqllogictest_summary.json"),
    ])
    .unwrap();
    assert_eq!(rows(&h, "test_runs").len(), 1);
    assert_eq!(rows(&h, "run_sources").len(), 3);
    assert_eq!(rows(&h, "test_results").len(), 628);
    // The categories sqllogictest_summary.json counts (VibeSQL's rule: a
    // file outside its five folders, such as select1.test, is "other").
    let mut per_category = std::collections::BTreeMap::new();
    for f in rows(&h, "test_files") {
        *per_category.entry(format!("{:?}", f[1])).or_insert(0) += 1;
    }
    let counts: Vec<i32> = per_category.values().copied().collect();
    assert_eq!(counts, [1, 12, 214, 10, 391], "{per_category:?}");
}

#[test]
#[ignore = "needs VibeSQL's published files in $GREENBOARD_VIBESQL_DATA or ../shared/vibesql"]
fn the_tcl_results_of_january_and_of_april() {
    use Cell::*;
    let (run, sources, _) = one_run(version("074ed656", TCL));
    assert_eq!(
        run,
        [
            Int(1),
            t("2026-01-03 23:55:35.616127"),
            t("2026-01-03 23:55:35.616141"),
            Int(158),
            Null,
            Null,
            Null,
            s("c93c1826"),
            Null,
            Null
        ]
    );
    assert_eq!(
        sources[0][5..],
        [
            Real(94.1),
            Int(25371),
            Int(23108),
            Int(1440),
            Int(823),
            Int(202)
        ]
    );
    let (run, sources, _) = one_run(version("04c4c821", TCL));
    assert_eq!(run[7], s("2b11984f"));
    assert_eq!(
        sources[0][5..],
        [
            Real(97.3),
            Int(4946),
            Int(3291),
            Int(92),
            Int(1563),
            Int(449)
        ]
    );
}

#[test]
#[ignore = "needs VibeSQL's published files in $GREENBOARD_VIBESQL_DATA or ../shared/vibesql"]
fn the_dashboards_of_december_and_of_january() {
    use Cell::*;
    let h = convert(&[version("b55b08aa", DASHBOARD)]).unwrap();
    let runs = rows(&h, "test_runs");
    assert_eq!(runs.len(), 1);
    // Its file counts are not used (1 of 622 files passing beside 100 %).
    assert_eq!(runs[0][3..8], [Int(622), Null, Null, Null, s("1ece2cf3")]);
    assert_eq!(
        rows(&h, "run_sources")[0][1..],
        [
            s("SQLLogicTest"),
            s(DASHBOARD),
            s("b55b08aa0cfa94d7b94d4cecdfd78b5dc871b44d"),
            Null,
            Real(100.0),
            Int(7420713),
            Int(7420713),
            Int(0),
            Null,
            Null
        ]
    );
    // January's adds the TCL summary and PostgreSQL's regression file.
    let h = convert(&[version("074ed656", DASHBOARD)]).unwrap();
    let suites: Vec<&Cell> = rows(&h, "run_sources").iter().map(|r| &r[1]).collect();
    assert_eq!(
        suites,
        [
            &s("PostgreSQL regress"),
            &s("SQLLogicTest"),
            &s("SQLite TCL")
        ]
    );
    assert_eq!(
        rows(&h, "test_results"),
        [vec![
            Int(1),
            Int(1),
            s("triggers.sql"),
            s("PASS"),
            t("2026-01-05 23:39:50.110108"),
            Null,
            Null
        ]]
    );
}

/// Runs the real binary's `vibesql-history` into `out`.
fn write(dialect: &str, out: &Path) {
    let status = Command::new(env!("CARGO_BIN_EXE_greenboard"))
        .args(["vibesql-history", "--input"])
        .arg(data())
        .args(["--dialect", dialect, "-o"])
        .arg(out)
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
#[ignore = "needs VibeSQL's published files in $GREENBOARD_VIBESQL_DATA or ../shared/vibesql"]
fn the_shipped_dumps_are_what_the_converter_writes() {
    let dir = Scratch::new("vibesql-history");
    for (dialect, shipped) in [
        ("vibesql", "static/vibesql.sql.gz"),
        ("sqlite", "static/vibesql.sqlite.sql.gz"),
    ] {
        let out = dir.join(format!("{dialect}.sql.gz"));
        write(dialect, &out);
        assert!(
            std::fs::read(&out).unwrap() == std::fs::read(root().join(shipped)).unwrap(),
            "{shipped} differs from what `greenboard vibesql-history --dialect {dialect}` writes: run it again"
        );
    }
    let size = |p: &str| std::fs::metadata(root().join(p)).unwrap().len();
    assert!(size("static/vibesql.sql.gz") < 100_000);
}

fn load(shipped: &str) -> Connection {
    let bytes = std::fs::read(root().join(shipped)).unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut text)
        .unwrap();
    let conn = Connection::open_in_memory().unwrap();
    let stats = load_str(&conn, &text, OnError::Stop).unwrap();
    assert!(
        stats.failed.is_empty() && stats.skipped.is_empty(),
        "{shipped}: {stats:?}"
    );
    conn
}

fn answer(conn: &Connection, sql: &str) -> Vec<Vec<String>> {
    query::run(conn, sql)
        .unwrap()
        .rows
        .iter()
        .map(|r| r.iter().map(|c| format!("{c:?}")).collect())
        .collect()
}

/// Seed 003's queries that the history cannot answer with rows, and why.
const NO_ROWS: &[(&str, &str)] = &[
    (
        "vibesql-most-problematic-files",
        "no file failed in more than five runs: only two runs list their failing files",
    ),
    (
        "vibesql-failing-index-tests",
        "every index file passes in the latest run that lists them",
    ),
    (
        "vibesql-feature-branch-debugging",
        "no version was published from fix/analyze-statement",
    ),
];

#[test]
#[ignore = "needs VibeSQL's published files in $GREENBOARD_VIBESQL_DATA or ../shared/vibesql"]
fn every_seed_query_answers_on_the_history_alike_in_both_dialects() {
    let sqlite = load("static/vibesql.sqlite.sql.gz");
    let vibesql = load("static/vibesql.sql.gz");
    assert_eq!(
        greenboard::db::detect_schema(&sqlite),
        greenboard::protocol::SchemaKind::VibeSql
    );
    for p in greenboard::presets::VIBESQL {
        let rows = answer(&sqlite, p.sql);
        assert_eq!(rows, answer(&vibesql, p.sql), "{}", p.id);
        let empty = NO_ROWS.iter().any(|(id, _)| *id == p.id);
        assert_eq!(rows.is_empty(), empty, "{}: {rows:?}", p.id);
    }
    // The dataset's own presets too, each chart with a mark per row.
    let own = greenboard::db::shipped_presets(&sqlite);
    assert_eq!(own.len(), 3);
    for p in own {
        let rows = answer(&sqlite, &p.sql);
        assert!(!rows.is_empty(), "{}", p.title);
        assert_eq!(rows, answer(&vibesql, &p.sql), "{}", p.title);
        if let Some(spec) = &p.chart {
            use greenboard::chart::{spec::Spec, svg};
            let spec: Spec = spec.parse().unwrap();
            let out = query::run(&sqlite, &p.sql).unwrap();
            let drawing =
                svg::render(&spec, &out.columns, &out.rows, &svg::Options::default()).unwrap();
            assert_eq!(drawing.marks, rows.len(), "{}", p.title);
        }
    }
}

#[test]
#[ignore = "needs VibeSQL's published files in $GREENBOARD_VIBESQL_DATA or ../shared/vibesql"]
fn the_data_menu_lists_the_history_with_its_source_and_date() {
    let list: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("static/datasets.json")).unwrap(),
    )
    .unwrap();
    let entry = list
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["url"] == "static/vibesql.sql.gz")
        .unwrap();
    assert_eq!(entry["name"], "VibeSQL conformance history (real data)");
    assert_eq!(
        entry["source"],
        greenboard::vibesql_history::SOURCE_REPOSITORY
    );
    assert_eq!(
        entry["taken"].as_str(),
        greenboard::vibesql_history::taken(&data())
            .unwrap()
            .as_deref()
    );
}
