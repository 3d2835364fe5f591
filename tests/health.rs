//! The health presets (what broke, since when, what was fixed, what is
//! flaky by which rule, what got slower, failures by signature) on
//! hand-built histories whose right answers are known, stored through the
//! same ingest as JUnit reports.

#![cfg(not(target_family = "wasm"))]

use greenboard::db::query;
use greenboard::ingest::junit::{Case, Outcome};
use greenboard::ingest::{self, PlatformSpec, RunInfo};
use greenboard::presets;
use rusqlite::Connection;

/// A case of `name` with `outcome` (and a message when it did not pass).
fn case(name: &str, outcome: Outcome, ms: i64, message: &str) -> Case {
    Case {
        name: name.to_string(),
        suite: Some("widgets".into()),
        outcome,
        duration_ms: Some(ms),
        message: (outcome != Outcome::Pass).then(|| message.to_string()),
        details: None,
        retries: 0,
        output: None,
    }
}

/// A history being built: runs on main, six hours apart.
struct History {
    conn: Connection,
    /// Runs stored so far.
    day: u32,
}

impl History {
    fn new() -> History {
        let conn = Connection::open_in_memory().unwrap();
        ingest::ensure_schema(&conn).unwrap();
        greenboard::db::prepare(&conn).unwrap();
        History { conn, day: 0 }
    }

    /// Stores a run of `cases` on `commit` and `platform`, six hours after
    /// the one before; returns its id.
    fn run_on(&mut self, commit: &str, platform: &str, cases: &[Case]) -> i64 {
        self.day += 1;
        let started_at = self
            .conn
            .query_row(
                "SELECT strftime('%Y-%m-%dT%H:%M:%SZ', '2026-01-01', '+' || ?1 || ' hours')",
                [self.day * 6],
                |r| r.get(0),
            )
            .unwrap();
        let info = RunInfo {
            branch: Some("main".into()),
            commit: commit.into(),
            platform: platform.parse::<PlatformSpec>().unwrap(),
            run_url: None,
            started_at,
            trigger: None,
            runner_host: None,
        };
        ingest::ingest(&mut self.conn, &info, cases).unwrap().run_id
    }

    /// Stores a run on linux/x86_64.
    fn run(&mut self, commit: &str, cases: &[Case]) -> i64 {
        self.run_on(commit, "linux/x86_64", cases)
    }

    /// The preset's answer (with `params`, else the data's defaults) as
    /// rows of text, columns by name.
    fn answer(&self, id: &str, params: &[&str]) -> Vec<std::collections::HashMap<String, String>> {
        let p = presets::find(id).unwrap();
        let values: Vec<String> = if params.is_empty() {
            greenboard::db::defaults(&self.conn, p)
        } else {
            params.iter().map(|s| s.to_string()).collect()
        };
        let out =
            query::run_with(&self.conn, p.sql, &values).unwrap_or_else(|e| panic!("{id}: {e:?}"));
        out.rows
            .iter()
            .map(|row| {
                out.columns
                    .iter()
                    .zip(row)
                    .map(|(c, v)| (c.clone(), v.display().unwrap_or_default()))
                    .collect()
            })
            .collect()
    }
}

/// `draws` breaks at run 5 and is fixed at run 9 (of 12); `clips` always
/// passes.
fn breaks_at_5_fixed_at_9(runs: u32) -> History {
    let mut h = History::new();
    for n in 1..=runs {
        let draws = if (5..9).contains(&n) {
            case(
                "draws",
                Outcome::Fail,
                10,
                &format!("expected {n} pixels, got {}", n + 1),
            )
        } else {
            case("draws", Outcome::Pass, 10, "")
        };
        h.run(
            &format!("c{n}"),
            &[draws, case("clips", Outcome::Pass, 10, "")],
        );
    }
    h
}

#[test]
fn a_test_that_breaks_at_run_5_is_a_new_failure_then_ongoing_then_fixed_at_run_9() {
    // Run 5: new.
    let h = breaks_at_5_fixed_at_9(5);
    let new = h.answer("new-failures", &[]);
    assert_eq!(new.len(), 1, "{new:?}");
    assert_eq!(new[0]["test_name"], "draws");
    assert_eq!(
        (new[0]["broken_at"].as_str(), new[0]["passed_at"].as_str()),
        ("c5", "c4")
    );
    assert!(h.answer("ongoing-failures", &[]).is_empty());
    assert!(h.answer("recently-fixed", &[]).is_empty());

    // Run 7: ongoing for 3 runs, 2 runs' time (12 hours) since it first failed.
    let h = breaks_at_5_fixed_at_9(7);
    assert!(h.answer("new-failures", &[]).is_empty());
    let ongoing = h.answer("ongoing-failures", &[]);
    assert_eq!(ongoing.len(), 1, "{ongoing:?}");
    let o = &ongoing[0];
    assert_eq!(o["failing_runs"], "3");
    assert_eq!(o["days"], "0.5");
    assert_eq!(
        (
            o["first_failed_at"].as_str(),
            o["first_failed_run"].as_str()
        ),
        ("c5", "5")
    );
    assert_eq!(
        (o["last_passed_at"].as_str(), o["last_passed_run"].as_str()),
        ("c4", "4")
    );

    // Run 9: fixed.
    let h = breaks_at_5_fixed_at_9(9);
    assert!(h.answer("ongoing-failures", &[]).is_empty());
    let fixed = h.answer("recently-fixed", &[]);
    assert_eq!(fixed.len(), 1, "{fixed:?}");
    assert_eq!(
        (
            fixed[0]["fixed_at"].as_str(),
            fixed[0]["failed_at"].as_str()
        ),
        ("c9", "c8")
    );

    // Run 12: nothing to say.
    let h = breaks_at_5_fixed_at_9(12);
    for id in ["new-failures", "ongoing-failures", "recently-fixed"] {
        assert!(h.answer(id, &[]).is_empty(), "{id}");
    }
    // The four failures at four places are one group.
    let groups = h.answer("failure-groups", &[]);
    assert_eq!(groups.len(), 1, "{groups:?}");
    assert_eq!(groups[0]["signature"], "expected <n> pixels, got <n>");
    assert_eq!(
        (groups[0]["failures"].as_str(), groups[0]["tests"].as_str()),
        ("4", "1")
    );
}

#[test]
fn new_failures_are_per_platform_and_the_branch_is_a_parameter() {
    let mut h = History::new();
    h.run_on(
        "c1",
        "windows/x86_64",
        &[case("draws", Outcome::Pass, 1, "")],
    );
    h.run_on("c1", "linux/x86_64", &[case("draws", Outcome::Pass, 1, "")]);
    h.run_on(
        "c2",
        "windows/x86_64",
        &[case("draws", Outcome::Fail, 1, "device lost")],
    );
    // Linux's latest run still passes; its run after Windows' failure.
    h.run_on("c2", "linux/x86_64", &[case("draws", Outcome::Pass, 1, "")]);
    let new = h.answer("new-failures", &["main"]);
    assert_eq!(new.len(), 1);
    assert_eq!(new[0]["platform"], "windows/x86_64");
    assert!(h.answer("new-failures", &["other"]).is_empty());
}

#[test]
fn each_rule_of_flakiness_fires_alone_with_its_evidence() {
    let mut h = History::new();
    // (a) passed and failed on one commit; (b) passed on a retry; (c)
    // flips every run; `steady` never fails.
    let retried = Case {
        retries: 1,
        ..case("retried", Outcome::Pass, 1, "")
    };
    let first = h.run(
        "a1",
        &[
            case("same_commit", Outcome::Fail, 1, "flaked"),
            case("steady", Outcome::Pass, 1, ""),
        ],
    );
    let second = h.run(
        "a1",
        &[
            case("same_commit", Outcome::Pass, 1, ""),
            case("steady", Outcome::Pass, 1, ""),
        ],
    );
    h.run("b1", &[retried, case("steady", Outcome::Pass, 1, "")]);
    for n in 0..6 {
        let outcome = if n % 2 == 0 {
            Outcome::Pass
        } else {
            Outcome::Fail
        };
        h.run(
            &format!("f{n}"),
            &[
                case("flips", outcome, 1, "flipped"),
                case("steady", Outcome::Pass, 1, ""),
            ],
        );
    }
    let flaky = h.answer("flaky-by-rule", &["30"]);
    let row = |name: &str| {
        flaky
            .iter()
            .find(|r| r["test_name"] == name)
            .unwrap_or_else(|| panic!("{name} in {flaky:?}"))
    };
    assert_eq!(row("same_commit")["rules"], "a");
    assert_eq!(
        row("same_commit")["evidence"],
        format!("passed and failed on commit a1 (runs {first}, {second})")
    );
    assert_eq!(
        row("same_commit")["score"],
        "3",
        "3 for a; one flip is not rule c"
    );
    assert_eq!(row("retried")["rules"], "b");
    assert!(row("retried")["evidence"].starts_with("passed on a retry in 1 run(s)"));
    assert_eq!(row("flips")["rules"], "c");
    assert_eq!(
        row("flips")["evidence"],
        "5 flips in its last 6 runs on main"
    );
    assert_eq!(row("flips")["score"], "5");
    assert!(flaky.iter().all(|r| r["test_name"] != "steady"));
    // Rule c counts the last N runs only: over the last 3, two flips.
    let last3 = h.answer("flaky-by-rule", &["3"]);
    let flips = last3.iter().find(|r| r["test_name"] == "flips").unwrap();
    assert_eq!(flips["evidence"], "2 flips in its last 3 runs on main");
    // And `same_commit`'s one flip is below rule c's two.
    assert_eq!(row("same_commit")["rules"], "a");
}

#[test]
fn a_duration_step_is_a_regression_by_its_medians() {
    let mut h = History::new();
    for n in 0..20 {
        // `render` doubles from run 11 (one odd run each side changes no
        // median); `steady` stays.
        let render = match n {
            3 => 900,
            n if n < 10 => 100,
            15 => 20,
            _ => 200,
        };
        h.run(
            &format!("c{n}"),
            &[
                case("render", Outcome::Pass, render, ""),
                case("steady", Outcome::Pass, 50, ""),
            ],
        );
    }
    let found = h.answer("duration-regressions", &["main", "10", "50"]);
    assert_eq!(found.len(), 1, "{found:?}");
    let r = &found[0];
    assert_eq!(r["test_name"], "render");
    assert_eq!(
        (r["median_before_ms"].as_str(), r["median_now_ms"].as_str()),
        ("100.0", "200.0")
    );
    assert_eq!(r["growth_pct"], "100.0");
    // Not more than 150 % slower.
    assert!(
        h.answer("duration-regressions", &["main", "10", "150"])
            .is_empty()
    );
    // Another branch has none; the branch is main by default.
    assert!(
        h.answer("duration-regressions", &["dev", "10", "50"])
            .is_empty()
    );
    assert_eq!(h.answer("duration-regressions", &[]).len(), 1);
    // The drill-down charts its durations over time.
    let drill = presets::drill("duration-regressions").unwrap();
    let out = query::run_with(&h.conn, drill, &["render".to_string()]).unwrap();
    assert_eq!(out.rows.len(), 20);
}

#[test]
fn failures_group_by_signature_and_a_group_lists_its_failures() {
    let mut h = History::new();
    let messages = [
        ("one", "widget_test.go:42: got 3, want 4"),
        ("two", "widget_test.go:57: got 10, want 12"),
        (
            "one",
            "open /tmp/TestCache1/cache.db: no such file or directory",
        ),
        (
            "three",
            "open /tmp/TestCache2/cache.db: no such file or directory",
        ),
        (
            "two",
            "panic: runtime error: invalid memory address or nil pointer dereference",
        ),
    ];
    for (i, (test, message)) in messages.iter().enumerate() {
        h.run(&format!("c{i}"), &[case(test, Outcome::Fail, 1, message)]);
    }
    let groups = h.answer("failure-groups", &[]);
    let found: Vec<(&str, &str, &str)> = groups
        .iter()
        .map(|g| {
            (
                g["signature"].as_str(),
                g["failures"].as_str(),
                g["tests"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("open <tmp>: no such file or directory", "2", "2"),
            ("widget_test.go:<n>: got <n>, want <n>", "2", "2"),
            (
                "panic: runtime error: invalid memory address or nil pointer dereference",
                "1",
                "1"
            ),
        ]
    );
    let drill = presets::drill("failure-groups").unwrap();
    let out = query::run_with(
        &h.conn,
        drill,
        &["open <tmp>: no such file or directory".to_string()],
    )
    .unwrap();
    assert_eq!(out.rows.len(), 2);
}

/// A test's page: where it stands, where it started failing (the run before
/// the first failure and the first failure), its flips, and its failures
/// by signature; every result in its strip.
#[test]
fn a_tests_page_says_where_it_started_failing() {
    // Failing since run 5, seen at run 7: last passed at c4, first failed at c5.
    let h = breaks_at_5_fixed_at_9(7);
    let stands = h.answer("test-timeline", &["draws"]);
    assert_eq!(stands.len(), 1, "{stands:?}");
    let s = &stands[0];
    assert_eq!(s["platform"], "linux/x86_64");
    assert_eq!(s["branch"], "main");
    assert_eq!(s["latest"], "fail");
    assert_eq!(s["failing_runs"], "3");
    assert_eq!(s["last_passed_at"], "c4");
    assert_eq!(s["last_passed_run"], "4");
    assert_eq!(s["first_failed_at"], "c5");
    assert_eq!(s["first_failed_run"], "5");
    assert_eq!(
        (
            s["runs"].as_str(),
            s["failures"].as_str(),
            s["flips"].as_str()
        ),
        ("7", "3", "1")
    );
    // Fixed at 9: passing, with no "since"; two flips.
    let h = breaks_at_5_fixed_at_9(12);
    let s = &h.answer("test-timeline", &["draws"])[0];
    assert_eq!(s["latest"], "pass");
    assert_eq!(s["failing_runs"], "0");
    assert_eq!(s["first_failed_run"], "");
    assert_eq!(s["last_passed_run"], "");
    assert_eq!((s["failures"].as_str(), s["flips"].as_str()), ("4", "2"));
    // Its four failures are one signature (the numbers taken out).
    let messages = h.answer("test-messages", &["draws"]);
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert_eq!(messages[0]["signature"], "expected <n> pixels, got <n>");
    assert_eq!(messages[0]["failures"], "4");
    assert_eq!(messages[0]["latest_message"], "expected 8 pixels, got 9");
    assert_eq!(messages[0]["first_seen"], "2026-01-02 06:00:00");
    // Every result, in run order, for the strip.
    let results = h.answer("test-results", &["draws"]);
    let outcomes: Vec<&str> = results.iter().map(|r| r["outcome"].as_str()).collect();
    assert_eq!(
        outcomes,
        [
            "pass", "pass", "pass", "pass", "fail", "fail", "fail", "fail", "pass", "pass", "pass",
            "pass"
        ]
    );
    // Its default is the test that failed most.
    assert_eq!(h.answer("test-timeline", &[])[0]["failures"], "4");
}

/// A test that never passed on a platform "never passed here"; each
/// platform has its own row, failing ones first.
#[test]
fn a_tests_page_has_a_row_per_platform_failing_first() {
    let mut h = History::new();
    for n in 1..=3 {
        h.run_on(
            &format!("c{n}"),
            "linux/x86_64",
            &[case("t", Outcome::Pass, 5, "")],
        );
        h.run_on(
            &format!("c{n}"),
            "windows/x86_64",
            &[case("t", Outcome::Error, 5, "boom at 0x1f")],
        );
    }
    let rows = h.answer("test-timeline", &["t"]);
    let places: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r["platform"].as_str(), r["latest"].as_str()))
        .collect();
    assert_eq!(
        places,
        [("windows/x86_64", "error"), ("linux/x86_64", "pass")]
    );
    assert_eq!(rows[0]["last_passed_run"], "");
    assert_eq!(rows[0]["first_failed_run"], "2");
    assert_eq!(rows[0]["failing_runs"], "3");
}
