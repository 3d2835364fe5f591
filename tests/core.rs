//! Native tests of the shared core on the demo data: the generator, the
//! dump it writes, every preset, and the chart data the dashboard draws.

#![cfg(not(target_family = "wasm"))]

use std::io::Read;

use greenboard::chart::{BarStyle, bar_layout, data_from_rows};
use greenboard::db::load::{OnError, load_str};
use greenboard::db::{detect_schema, query, table_counts};
use greenboard::export::sql::write_dump;
use greenboard::presets::{self, Chart};
use greenboard::protocol::{Cell, SchemaKind};
use rusqlite::Connection;

mod whole_sqlite;

/// The demo, with greenboard's SQL functions (as the explorer and the
/// command line have them).
fn demo_db() -> Connection {
    let conn = Connection::open_in_memory().unwrap();
    greenboard::demo::generate(&conn).unwrap();
    greenboard::db::prepare(&conn).unwrap();
    conn
}

fn dump(conn: &Connection) -> String {
    let mut out = Vec::new();
    write_dump(conn, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn the_committed_demo_dump_is_what_the_generator_writes() {
    let gz = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/static/demo.sql.gz")).unwrap();
    let mut committed = String::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_string(&mut committed)
        .unwrap();
    let generated = dump(&demo_db());
    assert!(
        committed == generated,
        "static/demo.sql.gz is stale: run `cargo run -- demo -o static/demo.sql.gz`"
    );
}

#[test]
fn the_demo_dump_reloads_into_the_same_database() {
    let text = dump(&demo_db());
    let copy = Connection::open_in_memory().unwrap();
    let stats = load_str(&copy, &text, OnError::Stop).unwrap();
    assert!(stats.failed.is_empty() && stats.skipped.is_empty());
    assert_eq!(stats.bytes, text.len() as u64);
    assert_eq!(dump(&copy), text);
    assert_eq!(detect_schema(&copy), SchemaKind::Greenboard);
    let counts = table_counts(&copy).unwrap();
    let rows = |t: &str| counts.iter().find(|c| c.name == t).unwrap().rows;
    assert_eq!(rows("platforms"), 6);
    assert!(rows("test_results") >= 300 * 200);
    assert_eq!(rows("test_results"), rows("test_runs") * 300);
}

#[test]
fn the_demo_tells_its_story() {
    let conn = demo_db();
    let one = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert!(one("SELECT COUNT(DISTINCT branch_name) FROM test_runs") >= 5);
    assert!(one("SELECT COUNT(DISTINCT platform_id) FROM test_runs") >= 6);
    assert!(
        one(
            "SELECT CAST(julianday(MAX(run_timestamp)) - julianday(MIN(run_timestamp)) AS INTEGER) FROM test_runs"
        ) >= 85
    );
    assert_eq!(
        one("SELECT COUNT(DISTINCT test_name) FROM test_results"),
        300
    );
    assert!(one("SELECT COUNT(DISTINCT test_suite) FROM test_results") >= 5);
    for outcome in ["pass", "fail", "skip", "error", "timeout"] {
        assert!(
            one(&format!(
                "SELECT COUNT(*) FROM test_results WHERE outcome = '{outcome}'"
            )) > 0,
            "{outcome}"
        );
    }
    // Quotes, newlines, unicode and markup in messages.
    assert!(one("SELECT COUNT(*) FROM test_results WHERE error_message LIKE '%\"%'") > 0);
    assert!(one("SELECT COUNT(*) FROM test_results WHERE error_message LIKE '%''%'") > 0);
    assert!(one("SELECT COUNT(*) FROM test_results WHERE instr(error_message, char(10)) > 0") > 0);
    assert!(one("SELECT COUNT(*) FROM test_results WHERE error_message LIKE '%✓%'") > 0);
    assert!(one("SELECT COUNT(*) FROM test_results WHERE error_message LIKE '%<script>%'") > 0);
    // A regression on Windows only, on main, from day 55; fixed on the fix branch.
    let windows_main_late = one(
        "SELECT COUNT(*) FROM test_results t JOIN test_runs r ON r.id = t.run_id
         WHERE r.platform_id = 3 AND r.branch_name = 'main' AND r.run_timestamp >= '2026-07-25'
           AND t.test_name LIKE 'gfx::render_pass%' AND t.outcome = 'fail'",
    );
    let elsewhere = one(
        "SELECT COUNT(*) FROM test_results t JOIN test_runs r ON r.id = t.run_id
         WHERE r.platform_id <> 3 AND t.test_name LIKE 'gfx::render_pass%' AND t.outcome = 'fail'
           AND t.error_message LIKE 'D3D11%'",
    );
    let on_fix = one(
        "SELECT COUNT(*) FROM test_results t JOIN test_runs r ON r.id = t.run_id
         WHERE r.branch_name = 'fix/d3d11-present' AND t.error_message LIKE 'D3D11%'",
    );
    assert!(windows_main_late > 20, "{windows_main_late}");
    assert_eq!((elsewhere, on_fix), (0, 0));
    // Flaky tests flip; some passed on a retry.
    assert!(
        one("SELECT COUNT(*) FROM test_results WHERE outcome = 'pass' AND retry_count > 0") > 0
    );
}

#[test]
fn every_preset_runs_on_the_demo_and_returns_rows() {
    let conn = demo_db();
    for p in presets::for_schema(SchemaKind::Greenboard) {
        let values: Vec<String> = greenboard::db::defaults(&conn, p);
        let out =
            query::run_with(&conn, p.sql, &values).unwrap_or_else(|e| panic!("{}: {e}", p.id));
        assert!(!out.rows.is_empty(), "{} returned no rows", p.id);
        if let Some(Chart::PercentBars { value }) = p.chart {
            assert!(out.rows.iter().all(|r| {
                r[value]
                    .as_f64()
                    .is_some_and(|v| (0.0..=100.0).contains(&v))
            }));
        }
    }
    let head = query::run(&conn, presets::HEADLINE_SQL).unwrap();
    assert_eq!(head.rows.len(), 1);
    assert_eq!(head.rows[0][1], Cell::Integer(300));
}

#[test]
fn the_dashboard_charts_have_a_bar_per_branch_and_platform() {
    let conn = demo_db();
    for (id, dimension) in [
        (
            presets::BY_BRANCH,
            "SELECT COUNT(DISTINCT branch_name) FROM test_runs",
        ),
        (
            presets::BY_PLATFORM,
            "SELECT COUNT(DISTINCT platform_id) FROM test_runs",
        ),
    ] {
        let p = presets::find(id).unwrap();
        let Some(Chart::PercentBars { value }) = p.chart else {
            panic!("{id} is a chart")
        };
        let out = query::run(&conn, p.sql).unwrap();
        let data = data_from_rows(&out.rows, value);
        let n: i64 = conn.query_row(dimension, [], |r| r.get(0)).unwrap();
        assert_eq!(data.len() as i64, n);
        let layout = bar_layout(&data, 100.0, "%", BarStyle::default());
        assert_eq!(layout.bars.len(), data.len());
        assert!(
            layout.bars.windows(2).all(|w| w[0].width >= w[1].width),
            "sorted by rate"
        );
        assert!(
            layout
                .bars
                .iter()
                .all(|b| b.width > 0.0 && b.x + b.width <= layout.plot_right)
        );
    }
}

#[test]
fn the_seed_test_results_queries_run_unchanged() {
    // The cosmo-sokol design's test-results queries, as written there, on
    // greenboard's schema (a superset of that design's).
    let conn = demo_db();
    for p in presets::COSMO_TESTS {
        let out = query::run(&conn, p.sql).unwrap_or_else(|e| panic!("{}: {e}", p.id));
        assert!(!out.columns.is_empty(), "{}", p.id);
    }
    // The ones that do not depend on today's date find the demo's story.
    let rows = |id: &str| {
        query::run(&conn, presets::find(id).unwrap().sql)
            .unwrap()
            .rows
            .len()
    };
    assert_eq!(rows("cosmo-tests-test-pass-rate-by-platform"), 6);
    assert_eq!(rows("cosmo-tests-last-working-commit-per-platform"), 6);
}

#[test]
fn the_runs_span_ninety_days() {
    let conn = demo_db();
    let (first, last): (String, String) = conn
        .query_row(
            "SELECT MIN(run_timestamp), MAX(run_timestamp) FROM test_runs",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((&first[..10], &last[..10]), ("2026-06-01", "2026-08-29"));
}

/// Loads one of the seed-system fixtures (SQL scripts written from the
/// seeds' schemas, with times relative to the load).
fn seed_fixture(name: &str) -> Connection {
    let path = format!(
        "{}/tests/fixtures/seeds/{name}.sql",
        env!("CARGO_MANIFEST_DIR")
    );
    let conn = Connection::open_in_memory().unwrap();
    let stats = load_str(
        &conn,
        &std::fs::read_to_string(path).unwrap(),
        OnError::Stop,
    )
    .unwrap();
    assert!(stats.failed.is_empty(), "{name}: {:?}", stats.failed);
    conn
}

#[test]
fn the_other_seed_systems_are_recognised_and_their_queries_find_rows() {
    for (file, kind, expected) in [
        ("coordination", SchemaKind::LoopCoordination, 4),
        ("tier2", SchemaKind::GgenTier2, 5),
        ("cortex", SchemaKind::Cortex, 6),
    ] {
        let conn = seed_fixture(file);
        assert_eq!(greenboard::db::recognised(&conn), [kind], "{file}");
        let list = presets::for_schema(kind);
        assert_eq!(
            list.len(),
            expected,
            "{file}: one preset per documented query"
        );
        let defaults = greenboard::db::param_defaults(&conn, &[kind]);
        for p in list {
            let values = defaults
                .iter()
                .find(|d| d.0 == p.id)
                .map(|d| d.1.clone())
                .unwrap_or_default();
            assert_eq!(values.len(), p.params.len(), "{}", p.id);
            assert!(values.iter().all(|v| !v.is_empty()), "{}: {values:?}", p.id);
            let out =
                query::run_with(&conn, p.sql, &values).unwrap_or_else(|e| panic!("{}: {e}", p.id));
            assert!(!out.rows.is_empty(), "{} found no rows", p.id);
        }
    }
}

#[test]
fn a_preset_parameter_defaults_to_a_value_in_the_data() {
    let conn = seed_fixture("coordination");
    let p = presets::find("loops-get-pending-tests-for-a-loop").unwrap();
    assert_eq!(
        greenboard::db::default_value(&conn, &p.params[0]),
        "loop-1-critical-path"
    );
    // Its pending tests whose dependency passed (or that have none).
    let ids = |loop_id: &str| -> Vec<Cell> {
        query::run_with(&conn, p.sql, &[loop_id.to_string()])
            .unwrap()
            .rows
            .into_iter()
            .map(|r| r[0].clone())
            .collect()
    };
    assert_eq!(
        ids("loop-1-critical-path"),
        [
            Cell::Text("CP-SPEC-001".into()),
            Cell::Text("CP-SPEC-002".into())
        ]
    );
    assert_eq!(
        ids("loop-2-infrastructure"),
        [Cell::Text("INF-BLD-003".into())]
    );
    // Without a value, the error says which parameter is missing.
    let e = query::run(&conn, p.sql).unwrap_err();
    assert_eq!(e.message, "this SQL takes 1 parameter; give a value for ?1");
    // An expired lock is not reported; a current one is.
    let lock = presets::find("loops-check-for-file-lock").unwrap();
    let locked = |path: &str| {
        query::run_with(&conn, lock.sql, &[path.to_string()])
            .unwrap()
            .rows
            .len()
    };
    assert_eq!(
        (
            locked("src/flows/render.rs"),
            locked("src/cache.rs"),
            locked("Cargo.toml")
        ),
        (1, 0, 1)
    );
}

#[test]
fn every_preset_chart_draws_a_mark_per_row_of_its_answer() {
    use greenboard::chart::spec::Spec;
    use greenboard::chart::svg::{Options, render};
    let demo = demo_db();
    let vibesql = Connection::open_in_memory().unwrap();
    let fixture = format!(
        "{}/tests/fixtures/vibesql-results.sql",
        env!("CARGO_MANIFEST_DIR")
    );
    load_str(
        &vibesql,
        &std::fs::read_to_string(fixture).unwrap(),
        OnError::Continue,
    )
    .unwrap();
    let mut charted = 0;
    for p in presets::all() {
        let Some(Chart::Spec(text)) = p.chart else {
            continue;
        };
        // The VibeSQL presets on a VibeSQL dump; the others on the demo
        // (whose schema is a superset of cosmo-sokol's test results).
        let conn = if p.id.starts_with("vibesql") {
            &vibesql
        } else {
            &demo
        };
        let spec: Spec = text.parse().unwrap_or_else(|e| panic!("{}: {e}", p.id));
        let values: Vec<String> = greenboard::db::defaults(conn, p);
        let out = query::run_with(conn, p.sql, &values).unwrap();
        let (_, y, _) = spec
            .columns(&out.columns)
            .unwrap_or_else(|e| panic!("{}: {e}", p.id));
        // A strip draws every row (its y is an outcome, not a number).
        let with_value = if spec.kind == greenboard::chart::spec::Kind::Strip {
            out.rows.len()
        } else {
            out.rows.iter().filter(|r| r[y].as_f64().is_some()).count()
        };
        let drawing = render(&spec, &out.columns, &out.rows, &Options::default()).unwrap();
        assert!(with_value > 0, "{}", p.id);
        assert_eq!(drawing.marks, with_value, "{}", p.id);
        assert_eq!(
            drawing.svg.matches("class=\"mark\"").count(),
            with_value,
            "{}",
            p.id
        );
        charted += 1;
    }
    assert_eq!(charted, 15);
}

#[test]
fn the_run_diff_matches_a_hand_checked_case() {
    let path = format!("{}/tests/fixtures/run-diff.sql", env!("CARGO_MANIFEST_DIR"));
    let conn = Connection::open_in_memory().unwrap();
    load_str(
        &conn,
        &std::fs::read_to_string(path).unwrap(),
        OnError::Stop,
    )
    .unwrap();
    let diff = presets::find("run-diff").unwrap();
    let summary = presets::find("run-diff-summary").unwrap();
    // By default: the latest main run (3) against the one before it on the
    // same platform (1, not 2, which ran on windows).
    let defaults: Vec<String> = greenboard::db::defaults(&conn, diff);
    assert_eq!(defaults, ["1", "3"]);
    let text = |sql: &str, values: &[&str]| -> Vec<Vec<String>> {
        let values: Vec<String> = values.iter().map(|v| v.to_string()).collect();
        query::run_with(&conn, sql, &values)
            .unwrap()
            .rows
            .iter()
            .map(|r| {
                r.iter()
                    .map(|c| c.display().unwrap_or_else(|| "NULL".into()))
                    .collect()
            })
            .collect()
    };
    assert_eq!(
        text(diff.sql, &["1", "3"]),
        [
            ["new failure", "t1", "pass", "fail", "boom"],
            ["new failure", "t6", "NULL", "timeout", "slow"],
            ["fixed", "t2", "fail", "pass", "NULL"],
            ["still failing", "t3", "fail", "error", "still"],
            ["newly skipped", "t4", "pass", "skip", "disabled"],
        ]
    );
    assert_eq!(
        text(summary.sql, &["1", "3"]),
        [
            ["new failure", "2"],
            ["fixed", "1"],
            ["still failing", "1"],
            ["newly skipped", "1"]
        ]
    );
    // A feature branch against main on windows: its t1 passes there.
    assert_eq!(
        text(diff.sql, &["2", "4"]),
        [["fixed", "t1", "fail", "pass", "NULL"]]
    );
}

#[test]
fn each_drill_down_lists_what_its_mark_stands_for() {
    let conn = demo_db();
    let one = |sql: &str, values: &[&str]| -> i64 {
        let values: Vec<String> = values.iter().map(|v| v.to_string()).collect();
        match query::run_with(&conn, sql, &values).unwrap().rows[0][0] {
            Cell::Integer(n) => n,
            Cell::Null => 0,
            ref c => panic!("{c:?}"),
        }
    };
    // The sum of the failures listed, over the drill's rows.
    let listed = |id: &str, values: &[&str]| -> (usize, i64) {
        let values: Vec<String> = values.iter().map(|v| v.to_string()).collect();
        let out = query::run_with(&conn, presets::drill(id).unwrap(), &values).unwrap();
        let col = out.columns.iter().position(|c| c == "failures");
        let sum = col.map_or(0, |i| {
            out.rows.iter().map(|r| r[i].as_f64().unwrap() as i64).sum()
        });
        (out.rows.len(), sum)
    };
    assert_eq!(
        listed(presets::BY_BRANCH, &["main", ""]).1,
        one(
            "SELECT SUM(failed) FROM test_runs WHERE branch_name = ?1",
            &["main"]
        )
    );
    assert_eq!(
        listed(presets::BY_PLATFORM, &["linux/aarch64 (vm)", ""]).1,
        one(
            "SELECT SUM(r.failed) FROM test_runs r JOIN platforms p ON p.id = r.platform_id
             WHERE p.os = 'linux' AND p.arch = 'aarch64' AND p.environment = 'vm'",
            &[]
        )
    );
    let (rows, sum) = listed("branch-x-platform", &["windows/x86_64", "main"]);
    assert!(rows > 0);
    assert_eq!(
        sum,
        one(
            "SELECT SUM(r.failed) FROM test_runs r JOIN platforms p ON p.id = r.platform_id
             WHERE p.os = 'windows' AND r.branch_name = ?1",
            &["main"]
        )
    );
    assert_eq!(
        listed("weekly-trend-by-branch", &["2026-07-27", "main"]).1,
        one(
            "SELECT SUM(failed) FROM test_runs WHERE branch_name = 'main'
             AND date(run_timestamp, 'weekday 1', '-7 days') = ?1",
            &["2026-07-27"]
        )
    );
    let suite: String = conn
        .query_row(
            "SELECT test_suite FROM test_results WHERE outcome = 'fail' GROUP BY test_suite ORDER BY COUNT(*) DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        listed("failures-by-suite", &[&suite, ""]).1,
        one(
            "SELECT COUNT(*) FROM test_results WHERE test_suite = ?1 AND outcome IN ('fail', 'error', 'timeout')",
            &[&suite]
        )
    );
    let test: String = conn
        .query_row("SELECT test_name FROM test_results LIMIT 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(listed("flaky-tests", &[&test, ""]).0, 50);
    // The run diff: as many tests as the summary counts for that change.
    let summary = presets::find("run-diff-summary").unwrap();
    let runs: Vec<String> = greenboard::db::defaults(&conn, summary);
    let counts = query::run_with(&conn, summary.sql, &runs).unwrap();
    for row in &counts.rows {
        let (Cell::Text(change), Cell::Integer(n)) = (&row[0], &row[1]) else {
            panic!("{row:?}")
        };
        assert_eq!(
            listed("run-diff-summary", &[change, "", &runs[0], &runs[1]]).0 as i64,
            *n,
            "{change}"
        );
    }
    // Every drill-down belongs to a preset with a chart.
    for (id, _) in presets::DRILLS {
        assert!(presets::find(id).unwrap().chart.is_some(), "{id}");
    }
    // Without one, the rows behind a mark.
    let sql = presets::rows_behind(
        "SELECT branch_name AS b, COUNT(*) AS n FROM test_runs GROUP BY b;",
        "b",
        None,
    );
    assert_eq!(
        one(
            &format!("SELECT n FROM ({})", sql.trim_end_matches(';')),
            &["main"]
        ),
        one(
            "SELECT COUNT(*) FROM test_runs WHERE branch_name = 'main'",
            &[]
        )
    );
}

#[test]
fn the_catalog_lists_tables_views_keys_and_indexes_of_every_database() {
    use greenboard::protocol::{Column, ForeignKey, Relation, RelationKind};
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    conn.execute_batch(
        "CREATE TABLE platforms(id INTEGER PRIMARY KEY, os TEXT NOT NULL, arch VARCHAR(16));
         CREATE TABLE runs(id INTEGER PRIMARY KEY AUTOINCREMENT, platform_id INTEGER REFERENCES platforms(id),
                           branch TEXT, UNIQUE(branch, id));
         CREATE INDEX runs_by_platform ON runs(platform_id);
         CREATE INDEX runs_by_expr ON runs(lower(branch));
         CREATE VIEW recent AS SELECT * FROM runs;
         CREATE VIRTUAL TABLE notes USING fts5(body);
         ATTACH ':memory:' AS build;
         CREATE TABLE build.builds(commit_sha TEXT, run INTEGER, PRIMARY KEY (commit_sha),
                                   FOREIGN KEY (commit_sha, run) REFERENCES runs);",
    )
    .unwrap();
    let text = greenboard::db::catalog::catalog_json(&conn).unwrap();
    let cat: Vec<Relation> = serde_json::from_str(&text).unwrap();
    let names: Vec<_> = cat
        .iter()
        .map(|r| (r.schema.as_str(), r.name.as_str(), r.kind))
        .collect();
    assert_eq!(
        names,
        [
            ("main", "notes", RelationKind::Virtual),
            ("main", "platforms", RelationKind::Table),
            ("main", "recent", RelationKind::View),
            ("main", "runs", RelationKind::Table),
            ("build", "builds", RelationKind::Table),
        ]
    );
    let platforms = &cat[1];
    assert_eq!(
        platforms.columns[1],
        Column {
            name: "os".into(),
            decl_type: "TEXT".into(),
            pk: 0,
            not_null: true
        }
    );
    assert_eq!(platforms.columns[2].decl_type, "VARCHAR(16)");
    assert_eq!(platforms.columns[0].pk, 1);
    let runs = &cat[3];
    assert_eq!(
        runs.foreign_keys,
        [ForeignKey {
            from: vec!["platform_id".into()],
            table: "platforms".into(),
            to: vec!["id".into()],
        }]
    );
    let idx: Vec<_> = runs
        .indexes
        .iter()
        .map(|i| {
            (
                i.name.as_str(),
                i.unique,
                i.origin.as_str(),
                i.columns.clone(),
            )
        })
        .collect();
    assert_eq!(
        idx,
        [
            ("runs_by_expr", false, "c", vec![String::new()]),
            (
                "runs_by_platform",
                false,
                "c",
                vec!["platform_id".to_string()]
            ),
            (
                "sqlite_autoindex_runs_1",
                true,
                "u",
                vec!["branch".into(), "id".into()]
            ),
        ]
    );
    assert_eq!(cat[2].columns.len(), 3, "a view's columns");
    let builds = &cat[4];
    assert_eq!(builds.columns[0].pk, 1);
    assert_eq!(
        builds.foreign_keys,
        [ForeignKey {
            from: vec!["commit_sha".into(), "run".into()],
            table: "runs".into(),
            to: vec![],
        }]
    );
    assert!(cat.iter().all(|r| r.rows.is_none()));
}

#[test]
fn the_native_sqlite_is_the_whole_sqlite() {
    whole_sqlite::every_feature_answers();
}

#[test]
fn the_demo_is_read_only_until_changes_are_allowed_and_its_description_follows() {
    use greenboard::db::{describe, guard};
    use greenboard::protocol::{LoadSummary, TableCount};
    const DELETE: &str = "DELETE FROM test_runs WHERE branch_name = 'feature/metal-backend'";
    let mut conn = demo_db();
    let runs = |conn: &Connection| -> i64 {
        conn.query_row("SELECT count(*) FROM test_runs", [], |r| r.get(0))
            .unwrap()
    };
    let before = runs(&conn);
    let headline = |conn: &Connection| query::run(conn, presets::HEADLINE_SQL).unwrap().rows;
    let original = headline(&conn);
    let mut summary = LoadSummary {
        statements: 1,
        translated: 0,
        bytes: 1,
        elapsed_ms: 1.0,
        failed: Vec::new(),
        skipped: Vec::new(),
        tables: Vec::new(),
        schema: SchemaKind::Unknown,
        recognised: Vec::new(),
        presets: Vec::new(),
        catalog: String::new(),
        kept: Default::default(),
        in_place: false,
        remote: None,
    };
    describe(&conn, &mut summary).unwrap();
    assert_eq!(summary.schema, SchemaKind::Greenboard);

    // Refused after an allowed temporary table: the data is as it was.
    let sql = format!("CREATE TEMP TABLE mine AS SELECT * FROM test_runs LIMIT 3;\n{DELETE};");
    let ran = guard::run(&mut conn, &sql, &[], false);
    let e = ran.result.unwrap_err();
    assert_eq!(
        e.message,
        "This data is read-only: the statement would change table test_runs. \
         Turn on “Allow changes” (beside Run) to change it."
    );
    assert_eq!(e.offset, Some(sql.find("DELETE").unwrap()));
    assert!(ran.changed);
    assert_eq!(runs(&conn), before);
    assert_eq!(headline(&conn), original);
    describe(&conn, &mut summary).unwrap();
    assert!(summary.tables.contains(&TableCount {
        name: "temp.mine".into(),
        rows: 3
    }));
    assert!(
        summary
            .catalog
            .contains(r#"{"schema":"temp","name":"mine","kind":"Table""#),
        "{}",
        summary.catalog
    );
    assert_eq!(summary.statements, 1, "the load's own figures stay");

    // Allowed: the counts and the headline follow.
    let ran = guard::run(&mut conn, DELETE, &[], true);
    let gone = ran.result.unwrap().changes;
    assert!(ran.changed && gone > 0);
    let after = runs(&conn);
    assert!(after < before);
    assert_ne!(headline(&conn), original);
    describe(&conn, &mut summary).unwrap();
    let listed = summary
        .tables
        .iter()
        .find(|t| t.name == "test_runs")
        .unwrap();
    assert_eq!(listed.rows, after as u64);

    // A dropped table: the schema is no longer greenboard's.
    let ran = guard::run(&mut conn, "DROP TABLE test_results", &[], true);
    assert!(ran.result.is_ok() && ran.changed);
    describe(&conn, &mut summary).unwrap();
    assert_eq!(summary.schema, SchemaKind::Unknown);
    assert!(!summary.catalog.contains("\"test_results\""));
}

#[test]
fn the_run_diff_names_an_unknown_run_and_warns_of_runs_that_differ() {
    let conn = demo_db();
    let sql = presets::check("run-diff-summary").unwrap();
    let said = |base: &str, head: &str| -> Vec<(String, String)> {
        query::run_with(&conn, sql, &[base.to_string(), head.to_string()])
            .unwrap()
            .rows
            .iter()
            .map(|r| (r[0].display().unwrap(), r[1].display().unwrap()))
            .collect()
    };
    // Two runs of one branch and platform: nothing to say.
    let (a, b): (i64, i64) = conn
        .query_row(
            "SELECT a.id, b.id FROM test_runs a JOIN test_runs b
               ON b.branch_name = a.branch_name AND b.platform_id = a.platform_id AND b.id > a.id
             LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(said(&a.to_string(), &b.to_string()), []);
    // An unknown run is named, as an error.
    let unknown = said("99999", &b.to_string());
    assert_eq!(
        unknown,
        [(
            "error".to_string(),
            "There is no run '99999' (base_run): choose one from \"Runs to compare\".".to_string()
        )]
    );
    // Runs of different platforms and branches: both are said.
    let (c, d, p1, p2, b1, b2): (i64, i64, String, String, String, String) = conn
        .query_row(
            "SELECT a.id, b.id, pa.os || '/' || pa.arch, pb.os || '/' || pb.arch, a.branch_name, b.branch_name
             FROM test_runs a JOIN test_runs b ON b.platform_id <> a.platform_id AND b.branch_name <> a.branch_name
             JOIN platforms pa ON pa.id = a.platform_id JOIN platforms pb ON pb.id = b.platform_id
             WHERE pa.os || '/' || pa.arch <> pb.os || '/' || pb.arch LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
        )
        .unwrap();
    let differ = said(&c.to_string(), &d.to_string());
    assert_eq!(differ.len(), 2, "{differ:?}");
    assert!(differ.iter().all(|(level, _)| level == "warning"));
    assert!(
        differ[0]
            .1
            .contains(&format!("run {c} on {p1}, run {d} on {p2}")),
        "{differ:?}"
    );
    assert!(
        differ[1]
            .1
            .contains(&format!("run {c} on {b1}, run {d} on {b2}")),
        "{differ:?}"
    );
}
