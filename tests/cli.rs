//! The `greenboard` binary, driven as a user would.

#![cfg(not(target_family = "wasm"))]

use std::process::{Command, Output};

mod scratch;
use scratch::Scratch;

fn greenboard(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_greenboard"))
        .args(args)
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn demo_export_import_round_trip_is_byte_identical() {
    let dir = Scratch::new("cli-round-trip");
    let sql = dir.join("demo.sql");
    let gz = dir.join("demo.sql.gz");
    let db = dir.join("demo.db");
    let again = dir.join("again.sql");
    assert!(
        greenboard(&["demo", "-o", sql.to_str().unwrap()])
            .status
            .success()
    );
    assert!(
        greenboard(&["demo", "-o", gz.to_str().unwrap()])
            .status
            .success()
    );
    let committed =
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/static/demo.sql.gz")).unwrap();
    assert!(
        std::fs::read(&gz).unwrap() == committed,
        "the gzip bytes are deterministic too"
    );
    let import = greenboard(&["import", gz.to_str().unwrap(), "--db", db.to_str().unwrap()]);
    assert!(import.status.success(), "{}", text(&import.stderr));
    let export = greenboard(&[
        "export",
        "--db",
        db.to_str().unwrap(),
        "-o",
        again.to_str().unwrap(),
    ]);
    assert!(export.status.success(), "{}", text(&export.stderr));
    assert!(std::fs::read(&sql).unwrap() == std::fs::read(&again).unwrap());
    // The form for reading over HTTP: each page size tried is said, and
    // the one written; a page size SQLite would not take is wrong usage,
    // and so is one for a dump.
    let web = dir.join("history.db");
    let out = greenboard(&[
        "export",
        "--db",
        db.to_str().unwrap(),
        "-o",
        web.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stderr);
    assert_eq!(said.lines().count(), 5, "{said}");
    assert_eq!(said.matches("(written)").count(), 1, "{said}");
    let bad = greenboard(&[
        "export",
        "--db",
        db.to_str().unwrap(),
        "-o",
        web.to_str().unwrap(),
        "--page-size",
        "1000",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        text(&bad.stderr).contains("1000 is not a page size"),
        "{}",
        text(&bad.stderr)
    );
    let dump = greenboard(&[
        "export",
        "--db",
        db.to_str().unwrap(),
        "-o",
        again.to_str().unwrap(),
        "--page-size",
        "4096",
    ]);
    assert_eq!(dump.status.code(), Some(2));
    assert!(
        text(&dump.stderr).contains("for the .db form"),
        "{}",
        text(&dump.stderr)
    );
}

#[test]
fn query_runs_presets_and_sql() {
    let list = greenboard(&["query", "--list-presets"]);
    assert!(text(&list.stdout).contains("pass-rate-by-branch\tPass rate by branch"));
    let dump = concat!(env!("CARGO_MANIFEST_DIR"), "/static/demo.sql.gz");
    let out = greenboard(&[
        "query",
        "--dump",
        dump,
        "--preset",
        "pass-rate-by-platform",
        "--format",
        "csv",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert_eq!(stdout.lines().next(), Some("platform,runs,pass_rate_pct"));
    assert_eq!(stdout.lines().count(), 7);
    let sql = "SELECT COUNT(DISTINCT test_name) AS tests, 'a|b' AS s, NULL AS n FROM test_results";
    let table = greenboard(&["query", "--dump", dump, sql]);
    assert_eq!(
        text(&table.stdout),
        "tests  s       n\n-----  ---  ----\n  300  a|b  NULL\n"
    );
    let json = greenboard(&["query", "--dump", dump, "--format", "json", sql]);
    assert_eq!(
        text(&json.stdout),
        "[\n  {\"tests\": 300, \"s\": \"a|b\", \"n\": null}\n]\n"
    );
    let md = greenboard(&["query", "--dump", dump, "--format", "markdown", sql]);
    assert_eq!(
        text(&md.stdout),
        "| tests | s | n |\n| ---: | --- | ---: |\n| 300 | a\\|b | NULL |\n"
    );
}

#[test]
fn a_bad_dump_names_the_line_and_leaves_the_database_unchanged() {
    let dir = Scratch::new("cli-bad-dump");
    let db = dir.join("keep.db");
    let good = dir.join("good.sql");
    let bad = dir.join("bad.sql");
    std::fs::write(&good, "CREATE TABLE t(a);\nINSERT INTO t VALUES(1);\n").unwrap();
    std::fs::write(
        &bad,
        "INSERT INTO t VALUES(2);\n\nINSERT INTO t VALUES('a;b', 'too many');\n",
    )
    .unwrap();
    assert!(
        greenboard(&[
            "import",
            good.to_str().unwrap(),
            "--db",
            db.to_str().unwrap()
        ])
        .status
        .success()
    );
    let out = greenboard(&[
        "import",
        bad.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert_eq!(
        text(&out.stderr),
        format!(
            "greenboard: {}: line 3: statement 2 failed: table t has 1 columns but 2 values were supplied in: INSERT INTO t VALUES('a;b', 'too many');\n",
            bad.display()
        )
    );
    let count = greenboard(&[
        "query",
        "--db",
        db.to_str().unwrap(),
        "--format",
        "csv",
        "SELECT count(*) FROM t",
    ]);
    assert_eq!(text(&count.stdout), "count(*)\r\n1\r\n");
}

#[test]
fn an_sql_error_fails_the_command_with_sqlites_words() {
    let dump = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/inventory.sql");
    let out = greenboard(&["query", "--dump", dump, "SELECT * FROM items"]);
    assert!(!out.status.success(), "the fixture has a failing statement");
    assert!(text(&out.stderr).contains("line 5: statement 4 failed: no such table: nowhere"));
}

#[test]
fn a_preset_with_a_parameter_takes_it_or_finds_one_in_the_data() {
    let dump = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/seeds/coordination.sql"
    );
    let preset = "loops-get-pending-tests-for-a-loop";
    let found = greenboard(&[
        "query", "--dump", dump, "--preset", preset, "--format", "csv",
    ]);
    assert!(found.status.success(), "{}", text(&found.stderr));
    assert!(
        text(&found.stderr).contains("loop_id = \"loop-1-critical-path\" (found in the data"),
        "{}",
        text(&found.stderr)
    );
    let ids: Vec<String> = text(&found.stdout)
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["CP-SPEC-001", "CP-SPEC-002"]);

    let given = greenboard(&[
        "query",
        "--dump",
        dump,
        "--preset",
        preset,
        "-p",
        "loop-2-infrastructure",
        "--format",
        "csv",
    ]);
    assert!(given.status.success(), "{}", text(&given.stderr));
    assert!(!text(&given.stderr).contains("found in the data"));
    assert!(
        text(&given.stdout)
            .lines()
            .nth(1)
            .unwrap()
            .starts_with("INF-BLD-003,")
    );

    // SQL of one's own: named parameters, and an error naming a missing one.
    let named = greenboard(&[
        "query",
        "--dump",
        dump,
        "--param",
        "ufs",
        "--param",
        "passed",
        "--format",
        "csv",
        "SELECT COUNT(*) AS n FROM tests WHERE category = :category AND status = :status",
    ]);
    assert_eq!(text(&named.stdout), "n\r\n2\r\n", "{}", text(&named.stderr));
    let missing = greenboard(&[
        "query",
        "--dump",
        dump,
        "--param",
        "ufs",
        "SELECT COUNT(*) FROM tests WHERE category = :category AND status = :status",
    ]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        text(&missing.stderr).contains("this SQL takes 2 parameters; give a value for :status"),
        "{}",
        text(&missing.stderr)
    );
}

/// Whether an element has `class="mark"`.
fn is_mark(e: &quick_xml::events::BytesStart) -> bool {
    e.try_get_attribute("class")
        .unwrap()
        .is_some_and(|a| &*a.value == "mark")
}

#[test]
fn chart_writes_a_well_formed_svg_with_a_mark_per_row() {
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/static/demo.sql.gz");
    let dir = Scratch::new("cli-chart");
    for (preset, kind) in [
        ("branch-x-platform", "heatmap"),
        ("weekly-trend-by-branch", "line"),
        ("pass-rate-by-platform", "bar"),
    ] {
        let svg = dir.join(format!("{preset}.svg"));
        let out = greenboard(&[
            "chart",
            "--dump",
            demo,
            "--preset",
            preset,
            "-o",
            svg.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let rows = greenboard(&[
            "query", "--dump", demo, "--preset", preset, "--format", "csv",
        ]);
        let rows = text(&rows.stdout).lines().count() - 1;
        let doc = std::fs::read_to_string(&svg).unwrap();
        // Well-formed XML, every element closed.
        let mut reader = quick_xml::Reader::from_str(&doc);
        let (mut depth, mut marks) = (0i32, 0);
        loop {
            match reader
                .read_event()
                .unwrap_or_else(|e| panic!("{preset}: {e}"))
            {
                quick_xml::events::Event::Start(e) => {
                    depth += 1;
                    marks += usize::from(is_mark(&e));
                }
                quick_xml::events::Event::Empty(e) => marks += usize::from(is_mark(&e)),
                quick_xml::events::Event::End(_) => depth -= 1,
                quick_xml::events::Event::Eof => break,
                _ => {}
            }
        }
        assert_eq!(depth, 0, "{preset}");
        assert_eq!(marks, rows, "{preset}: one mark per row");
        assert!(doc.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(
            doc.contains(&format!("class=\"chart-svg {kind}\"")),
            "{preset}"
        );
        assert!(text(&out.stderr).starts_with(kind), "{}", text(&out.stderr));
    }
    let bad = greenboard(&[
        "chart",
        "--dump",
        demo,
        "--spec",
        "pie:x=a,y=b",
        "-o",
        "-",
        "SELECT 1 AS a, 2 AS b",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        text(&bad.stderr).contains("expected kind:x=COLUMN"),
        "{}",
        text(&bad.stderr)
    );
    let missing = greenboard(&[
        "chart",
        "--dump",
        demo,
        "--spec",
        "bar:x=a,y=c",
        "-o",
        "-",
        "SELECT 1 AS a, 2 AS b",
    ]);
    assert!(text(&missing.stderr).contains("the result has no column \"c\" (it has a, b)"));
    // Nothing to chart: why, and no file.
    let nothing = dir.join("nothing.svg");
    let none = greenboard(&[
        "chart",
        "--dump",
        demo,
        "-o",
        nothing.to_str().unwrap(),
        "SELECT name, type FROM sqlite_schema",
    ]);
    assert_eq!(none.status.code(), Some(2));
    assert_eq!(
        text(&none.stderr).trim(),
        "greenboard: no chart: no column other than name holds numbers to measure (give --spec)"
    );
    assert!(!nothing.exists());
}

#[test]
fn bench_ingests_every_run_and_reports_where_the_time_went() {
    let dir = Scratch::new("cli-bench");
    let out = greenboard(&[
        "bench",
        "--dir",
        dir.to_str().unwrap(),
        "--runs",
        "3",
        "--tests",
        "700",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    assert!(
        report.contains("results in the database: 2100\n"),
        "{report}"
    );
    assert!(report.contains(" MB/s (target >= 50 MB/s)\n"), "{report}");
    let steps = report
        .lines()
        .find(|l| l.trim_start().starts_with("reading the XML "))
        .unwrap_or_else(|| panic!("no step times in {report}"));
    for step in [
        "storing the results ",
        "updating test_history ",
        "committing ",
    ] {
        assert!(steps.contains(step), "{steps}");
    }
    // What was measured is a real database: every run with its results and
    // their history, which greenboard's own export writes out.
    let db = dir.join("bench.db");
    let counts = greenboard(&[
        "query",
        "--db",
        db.to_str().unwrap(),
        "--format",
        "csv",
        "SELECT (SELECT COUNT(*) FROM test_runs), (SELECT SUM(total_tests) FROM test_runs), \
         (SELECT SUM(total_runs) FROM test_history)",
    ]);
    assert!(counts.status.success(), "{}", text(&counts.stderr));
    assert_eq!(text(&counts.stdout).lines().nth(1), Some("3,2100,2100"));
    assert!(
        std::fs::metadata(dir.join("greenboard.sql")).unwrap().len() > 2100 * 50,
        "the export holds every result"
    );
}

#[test]
fn a_database_file_given_as_a_dump_is_queried_as_it_is() {
    let dir = Scratch::new("cli-db-as-dump");
    let db = dir.join("results.db");
    let report = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/junit/pytest.xml"
    );
    let ingest = greenboard(&[
        "ingest",
        "--db",
        db.to_str().unwrap(),
        "--branch",
        "main",
        report,
    ]);
    assert!(ingest.status.success(), "{}", text(&ingest.stderr));
    // greenboard's own database is in WAL mode; gzipped, it is the same file.
    let bytes = std::fs::read(&db).unwrap();
    assert_eq!(&bytes[18..20], &[2, 2], "a WAL-mode database");
    let gz = dir.join("results.db.gz");
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut encoder, &bytes).unwrap();
    std::fs::write(&gz, encoder.finish().unwrap()).unwrap();
    let sql = "SELECT branch_name, total_tests FROM test_runs";
    let expected = greenboard(&[
        "query",
        "--db",
        db.to_str().unwrap(),
        "--format",
        "csv",
        sql,
    ]);
    assert!(expected.status.success(), "{}", text(&expected.stderr));
    assert!(text(&expected.stdout).starts_with("branch_name,total_tests\r\nmain,4\r\n"));
    for file in [&db, &gz] {
        let out = greenboard(&[
            "query",
            "--dump",
            file.to_str().unwrap(),
            "--format",
            "csv",
            sql,
        ]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert_eq!(text(&out.stdout), text(&expected.stdout));
    }
    // `import` takes SQL text only, and says so.
    let import = greenboard(&[
        "import",
        db.to_str().unwrap(),
        "--db",
        dir.join("copy.db").to_str().unwrap(),
    ]);
    assert_eq!(import.status.code(), Some(1));
    assert!(
        text(&import.stderr).contains("results.db: an SQLite database file, not text"),
        "{}",
        text(&import.stderr)
    );
}

#[test]
fn a_failed_export_names_the_database_and_leaves_no_file() {
    let dir = Scratch::new("cli-bad-export");
    let out = dir.join("out.sql");
    let missing = greenboard(&[
        "export",
        "--db",
        dir.join("nowhere.db").to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        text(&missing.stderr).contains("nowhere.db: no such file"),
        "{}",
        text(&missing.stderr)
    );
    // A database whose pages end early: its first table is read, then not.
    let db = dir.join("demo.db");
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/static/demo.sql.gz");
    assert!(
        greenboard(&["import", demo, "--db", db.to_str().unwrap()])
            .status
            .success()
    );
    let bytes = std::fs::read(&db).unwrap();
    let damaged = dir.join("damaged.db");
    std::fs::write(&damaged, &bytes[..bytes.len() / 3]).unwrap();
    let failed = greenboard(&[
        "export",
        "--db",
        damaged.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(failed.status.code(), Some(1));
    assert!(
        text(&failed.stderr).contains("damaged.db: reading the database: "),
        "{}",
        text(&failed.stderr)
    );
    assert!(!out.exists(), "a half-written dump was left");
}

#[test]
fn a_bench_that_cannot_run_is_an_error_not_wrong_usage() {
    let dir = Scratch::new("cli-bench-blocked");
    // A file where the benchmark's directory should be.
    let blocked = dir.join("blocked");
    std::fs::write(&blocked, "").unwrap();
    let out = greenboard(&[
        "bench",
        "--dir",
        blocked.join("bench").to_str().unwrap(),
        "--runs",
        "1",
        "--tests",
        "1",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).starts_with("greenboard: "));
}

/// The demo's summary: the new failures on main are the `new-failures`
/// preset's, each with its error's signature; then the flakiest and
/// slowest tests and the link to the explorer, within the size limit.
#[test]
fn summary_of_the_demo_lists_the_new_failures_the_preset_finds() {
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/static/demo.sql.gz");
    let out = greenboard(&[
        "summary",
        "--dump",
        demo,
        "--site",
        "https://acme.github.io/gfx/",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let md = text(&out.stdout);
    assert!(md.len() <= 65_535);
    let preset = greenboard(&[
        "query",
        "--dump",
        demo,
        "--preset",
        "new-failures",
        "--format",
        "json",
    ]);
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&preset.stdout).unwrap();
    assert!(!rows.is_empty(), "the demo's main has new failures");
    assert!(
        md.contains(&format!("— {} new failures", rows.len())),
        "{}",
        &md[..300]
    );
    for row in &rows {
        let test = row["test_name"].as_str().unwrap();
        let signature =
            greenboard::db::signature::failure_signature(row["error_message"].as_str().unwrap());
        // In a code span, backticks are written as quotes.
        let start: String = signature.replace('`', "'").chars().take(40).collect();
        // Its name links to its page on the site.
        let page = format!(
            "https://acme.github.io/gfx/?test={}",
            test.replace(':', "%3A")
        );
        assert!(
            md.lines()
                .any(|l| l.starts_with(&format!("| [{test}]({page}) |"))
                    && l.contains("| pass |")
                    && l.contains(&format!("`{start}"))),
            "{test} with `{start}…` in\n{md}"
        );
    }
    for section in [
        "### Still failing on windows/x86_64",
        "### Flakiest tests",
        "### Slowest tests",
    ] {
        assert!(md.contains(section), "{section}");
    }
    assert!(md.contains("[Explore every result in greenboard](https://acme.github.io/gfx/)"));
    assert!(md.contains("[failure groups](https://acme.github.io/gfx/?preset=failure-groups)"));
}

/// A database of the JUnit fixtures (every report one run, twice): the
/// second run against the first, its failures still failing; and `check
/// --preset new-failures` passes until a test that passed fails.
#[test]
fn summary_of_the_junit_fixtures_and_the_new_failures_gate() {
    let dir = Scratch::new("cli-summary-fixtures");
    let db = dir.join("results.db");
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/junit");
    let mut reports: Vec<String> = std::fs::read_dir(&fixtures)
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .collect();
    reports.sort();
    for commit in ["c1", "c2"] {
        let mut args = vec![
            "ingest",
            "--db",
            db.to_str().unwrap(),
            "--branch",
            "main",
            "--commit",
            commit,
            "--platform",
            "linux/x86_64",
        ];
        args.extend(reports.iter().map(String::as_str));
        let out = greenboard(&args);
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    let out = greenboard(&["summary", "--db", db.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let md = text(&out.stdout);
    assert!(md.len() <= 65_535);
    assert!(md.contains("| run 1 (main `c1`) |"), "{md}");
    assert!(md.contains("### Still failing ("), "{md}");
    assert!(!md.contains("### New failures"), "{md}");
    let gate = greenboard(&[
        "check",
        "--db",
        db.to_str().unwrap(),
        "--preset",
        "new-failures",
    ]);
    assert_eq!(gate.status.code(), Some(0), "{}", text(&gate.stderr));

    // A run where a test that passed fails.
    let report = dir.join("broken.xml");
    let passing = "<testsuite name=\"s\"><testcase classname=\"tests.test_parse\" name=\"test_ok\"/></testsuite>";
    let failing = "<testsuite name=\"s\"><testcase classname=\"tests.test_parse\" name=\"test_ok\"><failure message=\"boom at 0x7f00\"/></testcase></testsuite>";
    for (commit, xml) in [("c3", passing), ("c4", failing)] {
        std::fs::write(&report, xml).unwrap();
        let out = greenboard(&[
            "ingest",
            "--db",
            db.to_str().unwrap(),
            "--branch",
            "main",
            "--commit",
            commit,
            "--platform",
            "linux/x86_64",
            report.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    let gate = greenboard(&[
        "check",
        "--db",
        db.to_str().unwrap(),
        "--preset",
        "new-failures",
    ]);
    assert_eq!(gate.status.code(), Some(1), "{}", text(&gate.stderr));
    assert!(
        text(&gate.stdout).contains("tests.test_parse::test_ok"),
        "{}",
        text(&gate.stdout)
    );
    let md = text(&greenboard(&["summary", "--db", db.to_str().unwrap()]).stdout);
    assert!(
        md.contains(
            "| tests.test_parse::test_ok | s | fail | pass | boom at 0x7f00 | `boom at <hex>` |"
        ),
        "{md}"
    );
}

/// The presets the explorer fetches (`web/presets.json`) are the built-in
/// ones: `greenboard presets` writes them byte for byte.
#[test]
fn the_explorers_presets_are_the_built_in_ones() {
    let out = greenboard(&["presets"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let committed =
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/web/presets.json")).unwrap();
    assert!(
        out.stdout == committed,
        "web/presets.json is stale: run `greenboard presets -o web/presets.json`"
    );
    let catalog: greenboard::presets::Catalog = serde_json::from_slice(&committed).unwrap();
    assert_eq!(catalog.presets.len(), greenboard::presets::all().count());
    assert_eq!(catalog.drills.len(), greenboard::presets::DRILLS.len());
    assert_eq!(catalog.tiles.len(), greenboard::presets::TILES.len());
}
