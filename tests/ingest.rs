//! `greenboard ingest` and `greenboard check`, driven as CI would: real
//! reports of five tools, malformed reports, CI environments, concurrent
//! and killed ingests.

#![cfg(not(target_family = "wasm"))]

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use rusqlite::Connection;

mod scratch;
use scratch::Scratch;

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/junit/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// A scratch directory for one test.
fn scratch(test: &str) -> Scratch {
    Scratch::new(&format!("ingest-{test}"))
}

/// The binary with a clean environment: no CI variables, not in a git repo.
fn greenboard(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_greenboard"));
    cmd.current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    cmd
}

fn run_cmd(cmd: &mut Command) -> Output {
    cmd.output().unwrap()
}

/// Runs `greenboard ingest --db DB ARGS...` and checks that it succeeded.
fn ingest_ok(dir: &Path, db: &Path, args: &[&str]) {
    let out = run_cmd(greenboard(dir).arg("ingest").arg("--db").arg(db).args(args));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn rows(db: &Path, sql: &str) -> Vec<Vec<String>> {
    let conn = Connection::open(db).unwrap();
    let mut stmt = conn.prepare(sql).unwrap();
    let n = stmt.column_count();
    stmt.query_map([], |r| {
        Ok((0..n)
            .map(|i| match r.get_ref(i).unwrap() {
                rusqlite::types::ValueRef::Null => "NULL".to_string(),
                rusqlite::types::ValueRef::Integer(v) => v.to_string(),
                rusqlite::types::ValueRef::Real(v) => v.to_string(),
                rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                rusqlite::types::ValueRef::Blob(_) => "BLOB".to_string(),
            })
            .collect())
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

/// Ingests fixture `report` into a new database of a scratch directory, for
/// one run on main; gives what the command printed and the database.
fn ingest_fixture(report: &str) -> (Output, Scratch, std::path::PathBuf) {
    let dir = scratch(report);
    let db = dir.join("r.db");
    let out = run_cmd(greenboard(&dir).args([
        "ingest",
        "--db",
        db.to_str().unwrap(),
        "--branch",
        "main",
        "--commit",
        "c0ffee",
        "--platform",
        "linux/x86_64",
        "--started-at",
        "2026-11-20T10:00:00Z",
        &fixture(report),
    ]));
    (out, dir, db)
}

/// Ingests one report and returns `name → (outcome, retries, message)`.
fn ingest_one(report: &str) -> Vec<Vec<String>> {
    let (out, _dir, db) = ingest_fixture(report);
    assert!(out.status.success(), "{}", text(&out.stderr));
    rows(
        &db,
        "SELECT test_name, COALESCE(test_suite, ''), outcome, COALESCE(duration_ms, -1), retry_count, COALESCE(error_message, '')
         FROM test_results ORDER BY id",
    )
}

fn row(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|s| s.to_string()).collect()
}

#[test]
fn pytest() {
    assert_eq!(
        ingest_one("pytest.xml"),
        [
            row(&[
                "tests.test_parser::test_parses_empty",
                "pytest",
                "pass",
                "1",
                "0",
                ""
            ]),
            row(&[
                "tests.test_parser::test_unicode[héllo]",
                "pytest",
                "fail",
                "2",
                "0",
                "AssertionError: assert 'héllo' == 'hello'\n  - hello\n  + héllo"
            ]),
            row(&[
                "tests.test_io::test_network",
                "pytest",
                "skip",
                "0",
                "0",
                "no network in CI"
            ]),
            row(&[
                "tests.test_io::test_fixture",
                "pytest",
                "error",
                "10",
                "0",
                "failed on setup with \"OSError: [Errno 28] No space left on device\""
            ]),
        ]
    );
}

#[test]
fn maven_surefire_with_reruns() {
    let r = ingest_one("surefire.xml");
    let s = "com.example.CalculatorTest";
    assert_eq!(
        r[1],
        row(&[&format!("{s}::flakyNetwork"), s, "pass", "500", "1", ""])
    );
    assert_eq!(
        r[2],
        row(&[
            &format!("{s}::divides"),
            s,
            "fail",
            "3",
            "1",
            "expected: <2> but was: <3>"
        ])
    );
    assert_eq!(
        r[3],
        row(&[
            &format!("{s}::ignored"),
            s,
            "skip",
            "0",
            "0",
            "not ready; see JIRA-12"
        ])
    );
    assert_eq!(r[4][3], "1200250", "time=\"1,200.25\" seconds");
}

#[test]
fn cargo_nextest() {
    let r = ingest_one("nextest.xml");
    assert_eq!(r.len(), 4);
    assert_eq!(
        r[1],
        row(&[
            "greenboard::core::flaky_clock",
            "greenboard::core",
            "pass",
            "20",
            "1",
            ""
        ])
    );
    assert_eq!(
        r[2][..4],
        row(&[
            "greenboard::core::slow_import",
            "greenboard::core",
            "timeout",
            "60002"
        ])
    );
    assert_eq!(
        r[3][0],
        "greenboard::db::load::tests::stop_rolls_everything_back"
    );
}

#[test]
fn go_junit_report() {
    let r = ingest_one("go-junit-report.xml");
    let p = "example.com/widgets/parser";
    assert_eq!(r[1][0], format!("{p}::TestParse/empty_input"));
    assert_eq!(
        r[2],
        row(&[&format!("{p}::TestBad"), p, "fail", "2", "0", "Failed"])
    );
    assert_eq!(
        r[3][2..],
        row(&["skip", "0", "0", "parser_test.go:30: flaky on CI"])
    );
}

#[test]
fn jest_junit() {
    let r = ingest_one("jest-junit.xml");
    assert_eq!(
        r[0][..3],
        row(&["Chart geometry scales a bar", "Chart geometry", "pass"])
    );
    assert_eq!(
        r[1][2..],
        row(&[
            "fail",
            "2",
            "0",
            "Error: expect(received).toEqual(expected) // deep equality"
        ])
    );
    assert_eq!(r[2][2], "skip");
}

#[test]
fn the_run_records_its_context_and_counts() {
    let dir = scratch("context");
    let db = dir.join("r.db");
    let out = run_cmd(
        greenboard(&dir)
            .args([
                "ingest",
                "--db",
                db.to_str().unwrap(),
                "--started-at",
                "2026-11-20 10:00:00",
                &fixture("pytest.xml"),
                &fixture("surefire.xml"),
            ])
            .envs([
                ("GITHUB_ACTIONS", "true"),
                ("GITHUB_REF_NAME", "main"),
                ("GITHUB_SHA", "0123456789abcdef"),
                ("GITHUB_SERVER_URL", "https://github.com"),
                ("GITHUB_REPOSITORY", "acme/widgets"),
                ("GITHUB_RUN_ID", "77"),
                ("GITHUB_EVENT_NAME", "push"),
            ]),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stderr);
    assert!(
        said.contains("run 1 stored: 9 results (4 passed, 3 failed, 2 skipped) from 2 report(s)"),
        "{said}"
    );
    assert!(
        said.contains("branch main (GitHub Actions), commit 0123456789abcdef (GitHub Actions)"),
        "{said}"
    );
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        os => os,
    };
    assert_eq!(
        rows(&db, "SELECT r.branch_name, r.git_commit, r.run_url, r.trigger, r.run_timestamp, r.total_tests, r.passed, r.failed, r.skipped, p.os, p.arch
                   FROM test_runs r JOIN platforms p ON p.id = r.platform_id"),
        [row(&[
            "main",
            "0123456789abcdef",
            "https://github.com/acme/widgets/actions/runs/77",
            "commit",
            "2026-11-20 10:00:00",
            "9",
            "4",
            "3",
            "2",
            os,
            std::env::consts::ARCH
        ])]
    );
    // What failing tests printed is kept; the history covers every test.
    assert_eq!(rows(&db, "SELECT COUNT(*) FROM test_output"), [row(&["2"])]);
    assert_eq!(
        rows(&db, "SELECT COUNT(*) FROM test_history"),
        [row(&["9"])]
    );
}

#[test]
fn a_malformed_report_stores_nothing_and_names_the_place() {
    let dir = scratch("malformed");
    let db = dir.join("r.db");
    let bad = dir.join("bad.xml");
    std::fs::write(&bad, "<testsuite name=\"x\">\n  <testcase name=\"a\" time=\"0.1\"/>\n  <testcase name=\"b\" time=\"soon\"/>\n</testsuite>\n").unwrap();
    let truncated = dir.join("truncated.xml");
    std::fs::write(&truncated, "<testsuites>\n<testsuite name=\"x\">\n<testcase name=\"a\">\n<failure message=\"boom\">trace").unwrap();
    let html = dir.join("page.xml");
    std::fs::write(&html, "<!doctype html>\n<html><body>404</body></html>").unwrap();
    let garbled = dir.join("garbled.xml");
    std::fs::write(&garbled, "<testsuite>\n<testcase name=\"a\"></testsuite>").unwrap();
    for (file, message) in [
        (&bad, "line 3: testcase \"b\": time=\"soon\" is not a number of seconds".to_string()),
        (&truncated, "line 4: the report ends before its elements are closed (truncated file?)".to_string()),
        (&html, "line 2: not a JUnit report: the root element is <html>, not <testsuites> or <testsuite>".to_string()),
        (&garbled, "line 2: malformed XML".to_string()),
    ] {
        let out = run_cmd(greenboard(&dir).args(["ingest", "--db", db.to_str().unwrap(), &fixture("pytest.xml"), file.to_str().unwrap()]));
        assert_eq!(out.status.code(), Some(1));
        let err = text(&out.stderr);
        assert!(err.starts_with(&format!("greenboard: {}: {message}", file.display())), "{err}");
        assert!(!db.exists(), "nothing is stored, not even the good report");
    }
}

#[test]
fn bad_values_are_refused_before_anything_is_stored() {
    let dir = scratch("values");
    let db = dir.join("r.db");
    let out = run_cmd(greenboard(&dir).args([
        "ingest",
        "--db",
        db.to_str().unwrap(),
        "--platform",
        "linux",
        &fixture("pytest.xml"),
    ]));
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("expected os/arch"));
    let out = run_cmd(greenboard(&dir).args([
        "ingest",
        "--db",
        db.to_str().unwrap(),
        "--started-at",
        "yesterday",
        &fixture("pytest.xml"),
    ]));
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("start time \"yesterday\" is not a date and time"));
    assert_eq!(rows(&db, "SELECT COUNT(*) FROM test_runs"), [row(&["0"])]);
}

/// A report with `n` test cases.
#[test]
fn many_reports_are_stored_in_their_order_and_the_first_bad_one_is_named() {
    let dir = scratch("many-reports");
    let db = dir.join("r.db");
    // More reports than threads read them, as Surefire writes one per class.
    let paths: Vec<_> = (0..23)
        .map(|i| {
            let path = dir.join(format!("TEST-Class{i:02}.xml"));
            let cases: String = (0..3)
                .map(|j| {
                    format!("<testcase classname=\"Class{i:02}\" name=\"t{j}\" time=\"0.001\"/>")
                })
                .collect();
            std::fs::write(
                &path,
                format!("<testsuite name=\"Class{i:02}\">{cases}</testsuite>"),
            )
            .unwrap();
            path.to_str().unwrap().to_string()
        })
        .collect();
    let mut bad = paths.clone();
    for i in [17, 6] {
        bad[i] = dir
            .join(format!("broken{i}.xml"))
            .to_str()
            .unwrap()
            .to_string();
        std::fs::write(&bad[i], "<testsuite><testcase name=\"x\">").unwrap();
    }
    let out = run_cmd(
        greenboard(&dir)
            .args(["ingest", "--db", db.to_str().unwrap()])
            .args(&bad),
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.starts_with(&format!("greenboard: {}: line 1: ", bad[6])),
        "{err}"
    );
    assert!(!db.exists(), "nothing is stored");

    let args: Vec<&str> = paths.iter().map(String::as_str).collect();
    ingest_ok(&dir, &db, &args);
    let stored: Vec<String> = rows(&db, "SELECT test_name FROM test_results ORDER BY id")
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
    let expected: Vec<String> = (0..23)
        .flat_map(|i| (0..3).map(move |j| format!("Class{i:02}::t{j}")))
        .collect();
    assert_eq!(stored, expected);
}

fn big_report(path: &Path, n: usize) {
    let mut xml = String::from("<testsuites><testsuite name=\"big\">\n");
    for i in 0..n {
        xml.push_str(&format!(
            "<testcase classname=\"big.Suite{}\" name=\"case_{i}\" time=\"0.001\">{}</testcase>\n",
            i % 50,
            if i % 97 == 0 {
                "<failure message=\"boom; 'quoted'\">trace</failure>"
            } else {
                ""
            }
        ));
    }
    xml.push_str("</testsuite></testsuites>\n");
    std::fs::write(path, xml).unwrap();
}

/// Results are stored many rows to a statement: every row, in the report's
/// order, whether it falls in a full statement or in the rest, with names
/// made unique and each output kept with its own result.
#[test]
fn every_result_of_a_long_report_is_stored_in_order() {
    let dir = scratch("order");
    let db = dir.join("r.db");
    let report = dir.join("long.xml");
    let outcomes = ["pass", "fail", "skip", "error"];
    let mut xml = String::from("<testsuites>");
    let mut expected = Vec::new();
    let mut outputs = Vec::new();
    for (suite, range) in [("first", 0..70), ("second", 0..11)] {
        xml.push_str(&format!("<testsuite name=\"{suite}\">"));
        for i in range {
            let outcome = outcomes[i % 7 % 4];
            let element = match outcome {
                "fail" => format!(
                    "<failure message=\"m{i}\">t{i}</failure><system-out>out {suite} {i}</system-out>"
                ),
                "skip" => format!("<skipped message=\"m{i}\"/>"),
                "error" => format!("<error message=\"m{i}\">t{i}</error>"),
                _ => String::new(),
            };
            xml.push_str(&format!(
                "<testcase classname=\"k\" name=\"case_{i}\" time=\"{i}\">{element}</testcase>"
            ));
            let name = match suite {
                "first" => format!("k::case_{i}"),
                _ => format!("k::case_{i} (2)"),
            };
            if outcome == "fail" {
                outputs.push(row(&[&name, &format!("out {suite} {i}")]));
            }
            let message = if outcome == "pass" {
                String::new()
            } else {
                format!("m{i}")
            };
            expected.push(row(&[
                &name,
                suite,
                outcome,
                &(i * 1000).to_string(),
                &message,
            ]));
        }
        xml.push_str("</testsuite>");
    }
    xml.push_str("</testsuites>");
    std::fs::write(&report, xml).unwrap();
    ingest_ok(&dir, &db, &[report.to_str().unwrap()]);
    assert_eq!(
        rows(
            &db,
            "SELECT test_name, test_suite, outcome, duration_ms, COALESCE(error_message, '') FROM test_results ORDER BY id"
        ),
        expected
    );
    assert_eq!(
        rows(
            &db,
            "SELECT r.test_name, o.output FROM test_output o JOIN test_results r ON r.id = o.result_id ORDER BY r.id"
        ),
        outputs
    );
}

#[test]
fn two_ingests_at_once_both_land() {
    let dir = scratch("concurrent");
    let db = dir.join("r.db");
    let report = dir.join("big.xml");
    big_report(&report, 20_000);
    // Create the database first, as a CI pipeline's first job would.
    ingest_ok(&dir, &db, &[&fixture("pytest.xml")]);
    let spawn = |platform: &str| {
        greenboard(&dir)
            .args([
                "ingest",
                "--db",
                db.to_str().unwrap(),
                "--platform",
                platform,
                report.to_str().unwrap(),
            ])
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn("linux/x86_64"), spawn("windows/x86_64"));
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    assert!(a.status.success(), "{}", text(&a.stderr));
    assert!(b.status.success(), "{}", text(&b.stderr));
    assert_eq!(
        rows(&db, "SELECT COUNT(*), SUM(total_tests) FROM test_runs"),
        [row(&["3", "40004"])]
    );
}

#[test]
fn a_killed_ingest_leaves_the_database_as_it_was() {
    let dir = scratch("killed");
    let db = dir.join("r.db");
    let report = dir.join("big.xml");
    big_report(&report, 300_000);
    ingest_ok(&dir, &db, &[&fixture("pytest.xml")]);
    let before = rows(&db, "SELECT COUNT(*) FROM test_results");
    let mut child = greenboard(&dir)
        .args([
            "ingest",
            "--db",
            db.to_str().unwrap(),
            report.to_str().unwrap(),
        ])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill it while it writes: once the database's write-ahead log has grown.
    let wal = dir.join("r.db-wal");
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0) < 1 << 20 {
        assert!(
            std::time::Instant::now() < deadline,
            "the ingest never started writing"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "the ingest finished before it could be killed"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(rows(&db, "SELECT COUNT(*) FROM test_results"), before);
    assert_eq!(rows(&db, "SELECT COUNT(*) FROM test_runs"), [row(&["1"])]);
    assert_eq!(rows(&db, "PRAGMA integrity_check"), [row(&["ok"])]);
}

#[test]
fn check_is_a_ci_gate() {
    let dir = scratch("check");
    let db = dir.join("r.db");
    let ingest = |report: &str, at: &str| {
        ingest_ok(
            &dir,
            &db,
            &[
                "--branch",
                "main",
                "--platform",
                "linux/x86_64",
                "--started-at",
                at,
                report,
            ],
        );
    };
    let all_pass = dir.join("pass.xml");
    std::fs::write(&all_pass, "<testsuite name=\"s\"><testcase classname=\"c\" name=\"a\"/><testcase classname=\"c\" name=\"b\"/></testsuite>").unwrap();
    let one_fails = dir.join("fail.xml");
    std::fs::write(&one_fails, "<testsuite name=\"s\"><testcase classname=\"c\" name=\"a\"/><testcase classname=\"c\" name=\"b\"><failure message=\"broke\"/></testcase></testsuite>").unwrap();
    ingest(all_pass.to_str().unwrap(), "2026-11-01T10:00:00Z");
    ingest(all_pass.to_str().unwrap(), "2026-11-02T10:00:00Z");
    let ok = run_cmd(greenboard(&dir).args([
        "check",
        "--db",
        db.to_str().unwrap(),
        "--preset",
        "regressions",
    ]));
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stderr));
    assert!(text(&ok.stderr).contains("check passed"));
    ingest(one_fails.to_str().unwrap(), "2026-11-03T10:00:00Z");
    let bad = run_cmd(greenboard(&dir).args([
        "check",
        "--db",
        db.to_str().unwrap(),
        "--preset",
        "regressions",
    ]));
    assert_eq!(bad.status.code(), Some(1));
    assert!(text(&bad.stdout).contains("c::b"), "{}", text(&bad.stdout));
    assert!(text(&bad.stdout).contains("broke"));
    assert!(text(&bad.stderr).contains("check failed: regressions returned 1 row(s)"));
    let unknown =
        run_cmd(greenboard(&dir).args(["check", "--db", db.to_str().unwrap(), "--preset", "nope"]));
    assert_eq!(unknown.status.code(), Some(2));
}

/// `test_history`, every column but `updated_at`, exactly.
fn history(conn: &Connection) -> Vec<Vec<String>> {
    let mut stmt = conn
        .prepare(
            "SELECT test_name, platform_id, last_pass, last_fail, consecutive_fails, flaky_count,
                    total_runs, pass_rate, passes, last_outcome
             FROM test_history ORDER BY test_name, platform_id",
        )
        .unwrap();
    let n = stmt.column_count();
    stmt.query_map([], |r| {
        Ok((0..n)
            .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
            .collect())
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

/// `test_history` as a full recompute from all results would make it
/// (done in a transaction that is rolled back).
fn recomputed(conn: &Connection) -> Vec<Vec<String>> {
    conn.execute_batch("BEGIN").unwrap();
    greenboard::db::history::recompute(conn, greenboard::db::history::Scope::All).unwrap();
    let all = history(conn);
    conn.execute_batch("ROLLBACK").unwrap();
    all
}

#[test]
fn the_incremental_history_equals_a_full_recompute() {
    let dir = scratch("history");
    let db = dir.join("r.db");
    // Five tests whose outcomes change from run to run in different ways.
    let outcomes = [
        "pass", "fail", "skip", "pass", "error", "pass", "fail", "fail", "skip", "pass",
    ];
    let ingest = |run: usize, platform: &str, day: usize| {
        let mut xml = String::from("<testsuite name=\"s\">");
        for t in 0..5 {
            let body = match outcomes[(run * (t + 1) + t) % outcomes.len()] {
                "fail" => "<failure message=\"no\"/>",
                "error" => "<error message=\"boom\"/>",
                "skip" => "<skipped/>",
                _ => "",
            };
            xml.push_str(&format!(
                "<testcase classname=\"c\" name=\"t{t}\">{body}</testcase>"
            ));
        }
        xml.push_str("</testsuite>");
        let path = dir.join(format!("run{run}.xml"));
        std::fs::write(&path, xml).unwrap();
        let day = format!("2026-10-{day:02}T08:00:00Z");
        ingest_ok(
            &dir,
            &db,
            &[
                "--platform",
                platform,
                "--started-at",
                &day,
                path.to_str().unwrap(),
            ],
        );
    };
    for run in 0..8 {
        ingest(
            run,
            if run % 3 == 0 {
                "windows/x86_64"
            } else {
                "linux/x86_64"
            },
            2 + run,
        );
    }
    let conn = Connection::open(&db).unwrap();
    let incremental = history(&conn);
    assert_eq!(incremental.len(), 10);
    assert_eq!(incremental, recomputed(&conn));
    // A run dated before the others, arriving late, is folded in correctly too.
    ingest(8, "linux/x86_64", 1);
    assert_eq!(history(&conn), recomputed(&conn));
    assert_ne!(history(&conn), incremental);
}

#[test]
fn a_disabled_test_case_is_a_skip() {
    // C++ tst's report: five cases status="disabled", nothing inside.
    let r = ingest_one("tst-disabled.xml");
    let outcomes: Vec<(&str, &str, &str)> = r
        .iter()
        .map(|r| (r[0].as_str(), r[2].as_str(), r[5].as_str()))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("ringbuffer::push_pop", "pass", ""),
            ("ringbuffer::wraps_around", "fail", "expected 3, got 0"),
            ("ringbuffer::grows", "skip", "disabled"),
            ("ringbuffer::shrinks", "skip", "disabled"),
            ("ringbuffer::clears", "skip", "disabled"),
            ("ringbuffer::copies", "skip", "disabled"),
            ("ringbuffer::moves", "skip", "disabled"),
        ]
    );
}

#[test]
fn each_attempt_of_a_rerun_test_makes_one_result_with_retries() {
    // gotestsum --rerun-fails: every attempt its own <testcase>.
    let go = ingest_one("gotestsum-rerun.xml");
    let c = "example.com/cache";
    assert_eq!(
        go,
        [
            // Failed, then passed: a pass with a retry (flaky); both times.
            row(&[&format!("{c}::TestEvict"), c, "pass", "400", "1", ""]),
            row(&[&format!("{c}::TestGet"), c, "pass", "10", "0", ""]),
            // Failed twice: the last attempt's message.
            row(&[&format!("{c}::TestBroken"), c, "fail", "900", "1", "Failed"]),
        ]
    );
    // pytest-rerunfailures the same way.
    let py = ingest_one("pytest-rerunfailures.xml");
    assert_eq!(
        py,
        [
            row(&[
                "tests.test_net::test_fetch",
                "pytest",
                "pass",
                "912",
                "1",
                ""
            ]),
            row(&[
                "tests.test_net::test_parse",
                "pytest",
                "pass",
                "600",
                "0",
                ""
            ]),
        ]
    );
}

#[test]
fn a_nameless_test_case_and_an_empty_suite_are_said_not_fatal() {
    let report = fixture("odd-shapes.xml");
    let (out, _dir, db) = ingest_fixture("odd-shapes.xml");
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "greenboard: warning: {report}: line 5: a <testcase> without a name (class com.example.Parser): stored as \"unnamed test 2\""
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "greenboard: warning: {report}: line 7: suite \"integration\" says it has 12 tests but holds no <testcase>: nothing of it is stored"
        )),
        "{stderr}"
    );
    assert_eq!(
        rows(
            &db,
            "SELECT test_name, outcome FROM test_results ORDER BY id"
        ),
        [
            row(&["com.example.Parser::parsesEmpty", "pass"]),
            row(&["com.example.Parser::unnamed test 2", "pass"]),
        ]
    );
}
