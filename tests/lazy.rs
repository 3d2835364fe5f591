//! A database read a piece at a time from a source of byte ranges
//! (`greenboard::db::lazy`): the same answers as reading the file whole,
//! for a keyed query a few blocks, for a scan far fewer requests than
//! blocks (read-ahead), a cache that stays within its bound, and a source
//! that fails giving an error rather than a crash.

#![cfg(not(target_family = "wasm"))]

use std::io::Read;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use greenboard::db::lazy::{self, Options, Ranges};
use greenboard::db::load::{OnError, load_str};
use greenboard::db::pages::PageStore;
use rusqlite::Connection;

/// A file served by ranges, which can be told to fail.
struct FileRanges {
    file: std::fs::File,
    broken: Arc<AtomicBool>,
}

impl Ranges for FileRanges {
    fn size(&self) -> Result<u64, String> {
        self.file
            .metadata()
            .map(|m| m.len())
            .map_err(|e| e.to_string())
    }

    fn fetch(&self, offset: u64, len: u64) -> Result<Vec<u8>, String> {
        if self.broken.load(Ordering::Relaxed) {
            return Err("the server answered 503".into());
        }
        let mut buf = vec![0; len as usize];
        self.file
            .read_exact_at(&mut buf, offset)
            .map_err(|e| e.to_string())?;
        Ok(buf)
    }
}

/// The demo as an SQLite database file, made once.
fn demo_db() -> &'static Path {
    static DB: OnceLock<PathBuf> = OnceLock::new();
    DB.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("greenboard-lazy-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("demo.db");
        let _ = std::fs::remove_file(&path);
        let gz = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/static/demo.sql.gz")).unwrap();
        let mut sql = String::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_string(&mut sql)
            .unwrap();
        let conn = Connection::open(&path).unwrap();
        load_str(&conn, &sql, OnError::Stop).unwrap();
        conn.execute_batch("VACUUM;").unwrap();
        path
    })
}

fn open(options: Options) -> (lazy::Opened, Arc<AtomicBool>) {
    let broken = Arc::new(AtomicBool::new(false));
    let source = FileRanges {
        file: std::fs::File::open(demo_db()).unwrap(),
        broken: broken.clone(),
    };
    (lazy::open(source, options).unwrap(), broken)
}

fn answer(conn: &Connection, sql: &str) -> Vec<Vec<String>> {
    answer_with(conn, sql, &[])
}

#[test]
fn answers_are_those_of_the_whole_file() {
    let whole = Connection::open(demo_db()).unwrap();
    let (lazy, _) = open(Options::default());
    for sql in [
        "SELECT branch_name, COUNT(*), SUM(failed) FROM test_runs GROUP BY branch_name ORDER BY 1",
        "SELECT test_name, outcome, duration_ms FROM test_results WHERE run_id = 200 ORDER BY test_name",
        "SELECT COUNT(*), SUM(duration_ms) FROM test_results",
    ] {
        assert_eq!(answer(&lazy.conn, sql), answer(&whole, sql), "{sql}");
    }
}

#[test]
fn a_keyed_query_reads_a_few_blocks_and_a_scan_reads_ahead() {
    let size = std::fs::metadata(demo_db()).unwrap().len();
    let (lazy, _) = open(Options::default());
    answer(&lazy.conn, "SELECT * FROM test_runs WHERE id = 100");
    let keyed = lazy.stats();
    // The header and schema, then a path down one B-tree.
    assert!(keyed.bytes <= 16 * 4096, "{keyed:?}");
    answer(
        &lazy.conn,
        "SELECT COUNT(*), SUM(length(error_message)) FROM test_results",
    );
    let scanned = lazy.stats();
    let blocks = (scanned.bytes - keyed.bytes) / 4096;
    println!("keyed: {keyed:?}; scan: {scanned:?}; file: {size} bytes");
    assert!(scanned.bytes <= size, "{scanned:?} of {size}");
    // Sequential reads double their read-ahead: far fewer requests than blocks.
    assert!(
        (scanned.requests - keyed.requests) * 10 < blocks,
        "{} requests for {blocks} blocks",
        scanned.requests - keyed.requests
    );
    // A second time, from the cache.
    answer(
        &lazy.conn,
        "SELECT COUNT(*), SUM(length(error_message)) FROM test_results",
    );
    assert_eq!(lazy.stats().requests, scanned.requests);
}

#[test]
fn temporary_tables_and_large_sorts_work_though_only_the_database_is_read() {
    let (opened, _) = open(Options {
        cache_bytes: 1 << 20,
        ..Options::default()
    });
    opened
        .conn
        .execute_batch(
            "CREATE TEMP TABLE mine AS SELECT test_name, duration_ms FROM test_results;
             CREATE INDEX temp.mine_ms ON mine(duration_ms);",
        )
        .unwrap();
    let whole = Connection::open(demo_db()).unwrap();
    let sql = "SELECT test_name, duration_ms FROM test_results ORDER BY duration_ms DESC, test_name LIMIT 5";
    assert_eq!(answer(&opened.conn, sql), answer(&whole, sql));
    assert_eq!(
        answer(&opened.conn, "SELECT COUNT(*) FROM temp.mine"),
        answer(&whole, "SELECT COUNT(*) FROM test_results")
    );
    // Writing the database itself is refused, and nothing else breaks.
    let refused = opened
        .conn
        .execute("DELETE FROM test_runs", [])
        .unwrap_err()
        .to_string();
    assert!(refused.contains("readonly"), "{refused}");
    assert_eq!(
        answer(&opened.conn, "SELECT COUNT(*) FROM test_runs"),
        answer(&whole, "SELECT COUNT(*) FROM test_runs")
    );
}

#[test]
fn the_cache_stays_within_its_bound() {
    let options = Options {
        cache_bytes: 256 << 10,
        ..Options::default()
    };
    let (lazy, _) = open(options);
    answer(
        &lazy.conn,
        "SELECT COUNT(*), SUM(length(error_message)) FROM test_results",
    );
    let stats = lazy.stats();
    // At most the bound, and what the last read needed beyond it.
    assert!(
        stats.cached <= options.cache_bytes + options.most_ahead_bytes,
        "{stats:?}"
    );
    assert!(stats.bytes > options.cache_bytes, "{stats:?}");
}

#[test]
fn a_failing_source_is_an_error_that_names_it() {
    let (lazy, broken) = open(Options::default());
    answer(&lazy.conn, "SELECT COUNT(*) FROM test_runs");
    broken.store(true, Ordering::Relaxed);
    let err = greenboard::db::query::run(&lazy.conn, "SELECT SUM(duration_ms) FROM test_results")
        .unwrap_err();
    assert!(format!("{err:?}").to_lowercase().contains("i/o"), "{err:?}");
    assert_eq!(lazy.failure().as_deref(), Some("the server answered 503"));
    // It reads again once the source does.
    broken.store(false, Ordering::Relaxed);
    assert_eq!(
        answer(&lazy.conn, "SELECT COUNT(*) FROM test_runs"),
        [["267"]]
    );
}

/// The form made for reading over HTTP (`greenboard export -o F.db`): the
/// page size measured cheapest among those tried, each preset answering as
/// on the original, the index a test's page reads.
#[test]
fn the_web_form_has_the_page_size_measured_fastest_with_a_light_test_page_and_the_same_answers() {
    use greenboard::export::web_db;
    let dir = demo_db().parent().unwrap().join("web");
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("history.db");
    let src = Connection::open(demo_db()).unwrap();
    let measured = web_db::write(&src, &out, None).unwrap();
    let tried: Vec<u32> = {
        let mut t: Vec<u32> = measured.iter().map(|m| m.page_size).collect();
        t.sort();
        t
    };
    assert_eq!(tried, web_db::PAGE_SIZES);
    // The fastest of those whose test's page stays within its bound.
    assert!(measured.iter().all(|m| m.test_page_bytes > 0));
    let light = measured
        .iter()
        .any(|m| m.test_page_bytes <= web_db::TEST_PAGE_BYTES);
    let cheapest = measured
        .iter()
        .filter(|m| !light || m.test_page_bytes <= web_db::TEST_PAGE_BYTES)
        .min_by(|a, b| a.ms.total_cmp(&b.ms))
        .unwrap();
    assert_eq!(measured[0], *cheapest, "the one written comes first");
    let web = Connection::open(&out).unwrap();
    let size: u32 = web.query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap();
    assert_eq!(size, cheapest.page_size);
    let index: i64 = web
        .query_row(
            "SELECT COUNT(*) FROM sqlite_schema WHERE name = 'idx_test_results_test_run'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(index, 1);
    greenboard::db::prepare(&src).unwrap();
    greenboard::db::prepare(&web).unwrap();
    for p in greenboard::presets::GREENBOARD {
        let values = greenboard::db::defaults(&src, p);
        let on = |conn: &Connection| {
            greenboard::db::query::run_with(conn, p.sql, &values)
                .unwrap()
                .rows
                .iter()
                .map(|r| {
                    r.iter()
                        .map(|c| c.display().unwrap_or_default())
                        .collect::<Vec<_>>()
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(on(&web), on(&src), "{}", p.id);
    }
    // A page size asked for is the one written, and nothing is left beside it.
    let measured = web_db::write(&src, &out, Some(8192)).unwrap();
    assert_eq!(measured.len(), 1);
    let size: u32 = Connection::open(&out)
        .unwrap()
        .query_row("PRAGMA page_size", [], |r| r.get(0))
        .unwrap();
    assert_eq!(size, 8192);
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["history.db"]);
}

/// The demo in the web form, made once.
fn web_form() -> &'static Path {
    static DB: OnceLock<PathBuf> = OnceLock::new();
    DB.get_or_init(|| {
        let dir = demo_db().parent().unwrap().join("web-form");
        std::fs::create_dir_all(&dir).unwrap();
        let out = dir.join("demo.db");
        let src = Connection::open(demo_db()).unwrap();
        greenboard::export::web_db::write(&src, &out, None).unwrap();
        out
    })
}

/// The web form opened through the lazy VFS, a page a block.
fn open_web_form() -> lazy::Opened {
    let page: i64 = Connection::open(web_form())
        .unwrap()
        .query_row("PRAGMA page_size", [], |r| r.get(0))
        .unwrap();
    let source = FileRanges {
        file: std::fs::File::open(web_form()).unwrap(),
        broken: Arc::new(AtomicBool::new(false)),
    };
    let options = Options {
        block: page as u64,
        ..Options::default()
    };
    lazy::open(source, options).unwrap()
}

/// Describing a database read over the network does not scan its tables
/// to count their rows: ANALYZE counted them, and they are exact.
#[test]
fn rows_are_counted_from_the_statistics_not_by_scanning() {
    let opened = open_web_form();
    let counted = greenboard::db::table_counts(&opened.conn).unwrap();
    let exact = greenboard::db::table_counts(&Connection::open(web_form()).unwrap()).unwrap();
    assert_eq!(counted, exact);
    assert!(
        exact
            .iter()
            .any(|t| t.name == "test_results" && t.rows > 50_000)
    );
    let size = std::fs::metadata(web_form()).unwrap().len();
    let stats = opened.stats();
    assert!(
        stats.bytes * 20 < size,
        "counting read {} of {size} bytes",
        stats.bytes
    );
}

/// Reading every page, twice, with a cache that holds them all fetches
/// each byte once: read-ahead stops at blocks already cached.
#[test]
fn nothing_is_fetched_twice_while_it_is_cached() {
    let (opened, _) = open(Options {
        block: 4096,
        ..Options::default()
    });
    for _ in 0..2 {
        for sql in [
            "SELECT test_name FROM test_results WHERE run_id = 7",
            "SELECT COUNT(*), SUM(length(error_message)) FROM test_results",
            "PRAGMA quick_check",
        ] {
            answer(&opened.conn, sql);
        }
    }
    let size = std::fs::metadata(demo_db()).unwrap().len();
    let stats = opened.stats();
    assert!(
        stats.bytes <= size,
        "{} bytes fetched of a file of {size}",
        stats.bytes
    );
}

/// The web form holds each summary as a table equal to the aggregate it
/// replaces (the view every other database gets), and the dashboard's
/// queries answer on it as on the original.
#[test]
fn summary_tables_equal_the_aggregates_they_replace() {
    use greenboard::db::summaries::SUMMARIES;
    let src = Connection::open(demo_db()).unwrap();
    greenboard::db::prepare(&src).unwrap();
    let web = Connection::open(web_form()).unwrap();
    greenboard::db::prepare(&web).unwrap();
    for s in &SUMMARIES {
        let kind = |conn: &Connection, schema: &str| -> Option<String> {
            conn.query_row(
                &format!("SELECT type FROM {schema}.sqlite_schema WHERE name = ?1"),
                [s.name],
                |r| r.get(0),
            )
            .ok()
        };
        assert_eq!(kind(&web, "main").as_deref(), Some("table"), "{}", s.name);
        assert_eq!(
            kind(&web, "temp"),
            None,
            "{}: no view beside the table",
            s.name
        );
        assert_eq!(kind(&src, "temp").as_deref(), Some("view"), "{}", s.name);
        let all = format!("SELECT * FROM {} ORDER BY 1, 2, 3, 4", s.name);
        let table = answer(&web, &all);
        assert!(table.len() > 10, "{}: {} rows", s.name, table.len());
        assert_eq!(table, answer(&src, &all), "{}", s.name);
        // The aggregate computed afresh from the results, on either.
        let fresh = format!("SELECT * FROM ({}) ORDER BY 1, 2, 3, 4", (s.select)());
        assert_eq!(table, answer(&web, &fresh), "{}", s.name);
    }
    for sql in greenboard::presets::DASHBOARD_SQL {
        assert_eq!(answer(&web, sql), answer(&src, sql), "{sql}");
    }
    let tests = answer(&src, "SELECT COUNT(DISTINCT test_name) FROM test_results");
    let headline = answer(&web, greenboard::presets::HEADLINE_SQL);
    assert_eq!(headline[0][1], tests[0][0]);
}

/// Where a test stands on each platform and branch, from every result of
/// the test: the query `summary_places` replaced on a test's page.
const TIMELINE_FROM_RESULTS: &str = "WITH a AS (
  SELECT r.id AS run, r.platform_id, r.branch_name AS branch, t.outcome, t.retry_count,
         t.outcome IN ('fail', 'error', 'timeout') AS failed
  FROM test_results t JOIN test_runs r ON r.id = t.run_id WHERE t.test_name = ?1
),
o AS (SELECT * FROM a WHERE outcome <> 'skip'),
s AS (SELECT *, LAG(failed) OVER (PARTITION BY platform_id, branch ORDER BY run) AS prev FROM o),
g AS (
  SELECT platform_id, branch, COUNT(*) AS runs, SUM(failed) AS failures,
         SUM(prev IS NOT NULL AND failed <> prev) AS flips,
         SUM(outcome = 'pass' AND retry_count > 0) AS passed_on_retry,
         MAX(run) AS latest_run, MAX(CASE WHEN NOT failed THEN run END) AS passed_run
  FROM s GROUP BY platform_id, branch
),
k AS (SELECT platform_id, branch, COUNT(*) AS skipped FROM a WHERE outcome = 'skip' GROUP BY platform_id, branch),
places AS (SELECT platform_id, branch FROM g UNION SELECT platform_id, branch FROM k)
SELECT x.platform_id, x.branch, COALESCE(l.outcome, 'skip') AS latest,
       CASE WHEN l.failed THEN (SELECT COUNT(*) FROM o WHERE o.platform_id = x.platform_id AND o.branch IS x.branch
         AND o.run > COALESCE(g.passed_run, 0)) ELSE 0 END AS failing_runs,
       CASE WHEN l.failed THEN g.passed_run END AS passed_run,
       CASE WHEN l.failed THEN (SELECT MIN(run) FROM o WHERE o.platform_id = x.platform_id AND o.branch IS x.branch
         AND o.run > COALESCE(g.passed_run, 0)) END AS failed_run,
       COALESCE(g.runs, 0), COALESCE(g.failures, 0), COALESCE(g.flips, 0), COALESCE(g.passed_on_retry, 0),
       COALESCE(k.skipped, 0)
FROM places x
LEFT JOIN g ON g.platform_id = x.platform_id AND g.branch IS x.branch
LEFT JOIN k ON k.platform_id = x.platform_id AND k.branch IS x.branch
LEFT JOIN o l ON l.run = g.latest_run
ORDER BY 1, 2";

/// The same from `summary_places`.
const TIMELINE_FROM_SUMMARY: &str = "SELECT platform_id, branch_name, latest, failing_runs,
       CASE WHEN failed_run IS NOT NULL THEN passed_run END, failed_run,
       runs, failures, flips, passed_on_retry, skipped
FROM summary_places WHERE test_name = ?1 ORDER BY 1, 2";

/// A test's failures by signature, from every failure of the test: the
/// query `summary_messages` replaced.
const MESSAGES_FROM_RESULTS: &str = "WITH f AS (
  SELECT COALESCE(failure_signature(t.error_message), '(no message)') AS signature, t.error_message,
         r.run_timestamp, r.id AS run, r.branch_name,
         p.os || '/' || p.arch || CASE WHEN p.environment <> 'native' THEN ' (' || p.environment || ')' ELSE '' END AS platform
  FROM test_results t JOIN test_runs r ON r.id = t.run_id JOIN platforms p ON p.id = r.platform_id
  WHERE t.test_name = ?1 AND t.outcome IN ('fail', 'error', 'timeout')
)
SELECT signature, COUNT(*),
       (SELECT group_concat(platform) FROM (SELECT DISTINCT platform FROM f g WHERE g.signature = f.signature ORDER BY platform)),
       (SELECT group_concat(branch_name) FROM (SELECT DISTINCT branch_name FROM f g WHERE g.signature = f.signature AND branch_name IS NOT NULL ORDER BY branch_name)),
       MIN(run_timestamp), MAX(run_timestamp),
       (SELECT error_message FROM f g WHERE g.signature = f.signature ORDER BY run_timestamp DESC, run DESC LIMIT 1)
FROM f GROUP BY signature ORDER BY COUNT(*) DESC, signature";

/// The dashboard's queries as they read every run, in the order of
/// [`greenboard::presets::DASHBOARD_SQL`]: what `summary_runs` replaced.
const DASHBOARD_FROM_RUNS: [&str; 3] = [
    "SELECT branch_name AS branch, COUNT(*) AS runs,
       ROUND(100.0 * SUM(passed) / NULLIF(SUM(passed + failed), 0), 2) AS pass_rate_pct
     FROM test_runs GROUP BY branch_name ORDER BY pass_rate_pct DESC, branch",
    "SELECT p.os || '/' || p.arch || CASE WHEN p.environment <> 'native' THEN ' (' || p.environment || ')' ELSE '' END AS platform,
       COUNT(*) AS runs, ROUND(100.0 * SUM(r.passed) / NULLIF(SUM(r.passed + r.failed), 0), 2) AS pass_rate_pct
     FROM test_runs r JOIN platforms p ON p.id = r.platform_id GROUP BY platform ORDER BY pass_rate_pct DESC, platform",
    "SELECT (SELECT COUNT(*) FROM test_runs), (SELECT COUNT(DISTINCT test_name) FROM test_results),
       (SELECT ROUND(100.0 * SUM(passed) / NULLIF(SUM(passed + failed), 0), 2) FROM test_runs),
       (SELECT MIN(run_timestamp) FROM test_runs), (SELECT MAX(run_timestamp) FROM test_runs),
       (SELECT COUNT(DISTINCT branch_name) FROM test_runs), (SELECT COUNT(DISTINCT platform_id) FROM test_runs)",
];

/// Each row of `sql` with `params`, as text.
fn answer_with(conn: &Connection, sql: &str, params: &[String]) -> Vec<Vec<String>> {
    greenboard::db::query::run_with(conn, sql, params)
        .unwrap()
        .rows
        .iter()
        .map(|r| r.iter().map(|c| c.display().unwrap_or_default()).collect())
        .collect()
}

/// The dashboard, a test's page and the health tiles read summaries, on the web form as
/// tables and on any other database as views; either way they answer as
/// the queries they replace, which read every result: for every test its
/// timeline and failures by signature, and on every branch the flakiest
/// and slower tests at the presets' defaults.
#[test]
fn summaries_answer_as_the_queries_they_replace() {
    let src = Connection::open(demo_db()).unwrap();
    greenboard::db::prepare(&src).unwrap();
    let web = Connection::open(web_form()).unwrap();
    greenboard::db::prepare(&web).unwrap();
    for (sql, from_runs) in greenboard::presets::DASHBOARD_SQL
        .iter()
        .zip(DASHBOARD_FROM_RUNS)
    {
        let expected = answer(&src, from_runs);
        assert!(!expected.is_empty());
        assert_eq!(answer(&src, sql), expected, "{sql}");
        assert_eq!(answer(&web, sql), expected, "{sql}");
    }
    let tests: Vec<String> = answer(
        &src,
        "SELECT DISTINCT test_name FROM test_results ORDER BY 1",
    )
    .into_iter()
    .map(|r| r[0].clone())
    .collect();
    assert!(tests.len() > 100, "{} tests", tests.len());
    let mut failing = 0;
    for test in &tests {
        let p = [test.clone()];
        let expected = answer_with(&src, TIMELINE_FROM_RESULTS, &p);
        assert!(!expected.is_empty(), "{test}");
        failing += expected.iter().filter(|r| !r[5].is_empty()).count();
        assert_eq!(
            answer_with(&src, TIMELINE_FROM_SUMMARY, &p),
            expected,
            "{test}"
        );
        assert_eq!(
            answer_with(&web, TIMELINE_FROM_SUMMARY, &p),
            expected,
            "{test}"
        );
        let expected = answer_with(&src, MESSAGES_FROM_RESULTS, &p);
        let messages = greenboard::presets::find("test-messages").unwrap().sql;
        assert_eq!(answer_with(&src, messages, &p), expected, "{test}");
        assert_eq!(answer_with(&web, messages, &p), expected, "{test}");
    }
    assert!(failing > 0, "some test fails somewhere at its latest run");
    let catalog = greenboard::presets::Catalog::built_in();
    let flaky = greenboard::presets::find("flaky-by-rule").unwrap().sql;
    let expected = answer_with(&src, flaky, &["30".into()]);
    assert!(expected.len() > 5, "{} flaky", expected.len());
    let tile = catalog.tile("flaky-by-rule", false).unwrap();
    assert_eq!(catalog.tile("flaky-by-rule", true), Some(tile));
    assert_ne!(tile, flaky);
    assert_eq!(answer_with(&src, tile, &[]), expected);
    assert_eq!(answer_with(&web, tile, &[]), expected);
    let slower = greenboard::presets::find("duration-regressions")
        .unwrap()
        .sql;
    let tile = catalog.tile("duration-regressions", false).unwrap();
    assert_ne!(tile, slower);
    let branches = answer(
        &src,
        "SELECT DISTINCT branch_name FROM test_runs WHERE branch_name IS NOT NULL",
    );
    let mut found = 0;
    for b in branches {
        for growth in ["50", "10", "0"] {
            let p = [b[0].clone(), "10".into(), growth.into()];
            let expected = answer_with(&src, slower, &p);
            found += expected.len();
            assert_eq!(answer_with(&src, tile, &p), expected, "{p:?}");
            assert_eq!(answer_with(&web, tile, &p), expected, "{p:?}");
        }
    }
    assert!(found > 0, "some test got slower");
    // Ongoing failures read the summary where it is a table: on every
    // branch, the same answer.
    let ongoing = greenboard::presets::find("ongoing-failures").unwrap().sql;
    assert_eq!(catalog.tile("ongoing-failures", false), Some(ongoing));
    let tile = catalog.tile("ongoing-failures", true).unwrap();
    assert_ne!(tile, ongoing);
    let mut found = 0;
    for b in answer(
        &src,
        "SELECT DISTINCT branch_name FROM test_runs WHERE branch_name IS NOT NULL",
    ) {
        let expected = answer_with(&src, ongoing, &b);
        found += expected.len();
        assert_eq!(answer_with(&web, tile, &b), expected, "{b:?}");
        assert_eq!(answer_with(&src, tile, &b), expected, "{b:?}");
    }
    assert!(found > 0, "some test fails on");
    // Other tiles run their preset.
    assert_eq!(
        catalog.tile("new-failures", true),
        Some(greenboard::presets::find("new-failures").unwrap().sql)
    );
}

/// On a database without the summaries' tables, a test's page reads that
/// test's results by index: SQLite takes the test's name into the views.
#[test]
fn a_tests_summaries_read_its_results_alone() {
    let src = Connection::open(demo_db()).unwrap();
    greenboard::db::prepare(&src).unwrap();
    for id in [
        "test-timeline",
        "test-messages",
        "test-results",
        "test-durations",
    ] {
        let sql = greenboard::presets::find(id).unwrap().sql;
        let plan = answer_with(&src, &format!("EXPLAIN QUERY PLAN {sql}"), &["x".into()]);
        let steps: Vec<&str> = plan.iter().map(|r| r[3].as_str()).collect();
        assert!(
            steps
                .iter()
                .any(|s| s.starts_with("SEARCH ") && s.contains("(test_name=?)")),
            "{id}: {steps:#?}"
        );
        // No table (or index) read whole: a scan is of a subquery's rows.
        assert!(
            !steps
                .iter()
                .any(|s| s.starts_with("SCAN ") && (s.contains(" USING ") || s.contains("test_r"))),
            "{id}: {steps:#?}"
        );
    }
}

/// The headline's count of tests reads the summary, a few pages, not the
/// results: on the web form it costs a small part of the file.
#[test]
fn the_dashboard_reads_a_small_part_of_the_web_form() {
    let opened = open_web_form();
    greenboard::db::prepare(&opened.conn).unwrap();
    for sql in greenboard::presets::DASHBOARD_SQL {
        answer(&opened.conn, sql);
    }
    let size = std::fs::metadata(web_form()).unwrap().len();
    let stats = opened.stats();
    eprintln!(
        "the dashboard: {} bytes of {size} in {} requests",
        stats.bytes, stats.requests
    );
    assert!(stats.bytes * 10 < size, "{} bytes of {size}", stats.bytes);
}

/// A budget stops a query that would fetch more, saying so, and fetches
/// nothing beyond it; lifted, the same query answers.
#[test]
fn a_query_that_would_fetch_more_than_its_budget_stops() {
    let (opened, _) = open(Options::default());
    let whole = Connection::open(demo_db()).unwrap();
    let scan = "SELECT COUNT(*), SUM(length(error_message)) FROM test_results";
    let before = opened.stats().bytes;
    opened.reading.limit(Some(1 << 20));
    let refused = greenboard::db::query::run(&opened.conn, scan).unwrap_err();
    let spent = opened.reading.over_budget();
    assert!(
        spent.is_some_and(|b| b <= 1 << 20),
        "{spent:?}: {refused:?}"
    );
    assert!(opened.stats().bytes <= before + (1 << 20));
    // Read-ahead took what the budget left: most of it was used.
    assert!(spent.is_some_and(|b| b > 1 << 19), "{spent:?}");
    // A small query fits in a budget.
    opened.reading.limit(Some(1 << 20));
    answer(&opened.conn, "SELECT * FROM platforms");
    assert_eq!(opened.reading.over_budget(), None);
    opened.reading.limit(None);
    assert_eq!(answer(&opened.conn, scan), answer(&whole, scan));
    assert_eq!(opened.reading.over_budget(), None);
}

/// A store of kept pages in its own file under the test's directory.
fn store_path(name: &str) -> PathBuf {
    let path = demo_db().parent().unwrap().join(name);
    let _ = std::fs::remove_file(&path);
    path
}

/// `file` opened as the address `url` at `version`, reading and keeping
/// its pages in the store at `store` within `bound` bytes.
fn open_kept(file: &Path, store: &Path, url: &str, version: &str, bound: u64) -> lazy::Opened {
    let source = FileRanges {
        file: std::fs::File::open(file).unwrap(),
        broken: Arc::new(AtomicBool::new(false)),
    };
    let size = source.size().unwrap();
    let options = Options::default();
    let kept = PageStore::open(
        Connection::open(store).unwrap(),
        url,
        version,
        size,
        options.block,
        bound,
    )
    .unwrap();
    lazy::open_keeping(source, options, Some(kept)).unwrap()
}

const KEPT_QUERIES: [&str; 3] = [
    "SELECT branch_name, COUNT(*), SUM(failed) FROM test_runs GROUP BY branch_name ORDER BY 1",
    "SELECT test_name, outcome, duration_ms FROM test_results WHERE run_id = 200 ORDER BY test_name",
    "SELECT COUNT(*), SUM(duration_ms) FROM test_results",
];

/// A revisit of an unchanged file reads the pages kept on the first visit
/// and fetches nothing; the answers are the same.
#[test]
fn a_revisit_reads_the_pages_kept_and_fetches_nothing() {
    let store = store_path("kept-revisit.db");
    let whole = Connection::open(demo_db()).unwrap();
    let url = "http://127.0.0.1/demo.db";
    let first = open_kept(demo_db(), &store, url, "\"v1\"", 1 << 30);
    for sql in KEPT_QUERIES {
        assert_eq!(answer(&first.conn, sql), answer(&whole, sql), "{sql}");
    }
    let fetched = first.stats();
    assert!(fetched.bytes > 0 && fetched.kept == 0, "{fetched:?}");
    drop(first);

    let again = open_kept(demo_db(), &store, url, "\"v1\"", 1 << 30);
    for sql in KEPT_QUERIES {
        assert_eq!(answer(&again.conn, sql), answer(&whole, sql), "{sql}");
    }
    let stats = again.stats();
    assert_eq!((stats.requests, stats.bytes), (0, 0), "{stats:?}");
    // What the queries need, without the first visit's read-ahead.
    assert!(
        stats.kept > 0 && stats.kept <= fetched.bytes,
        "{stats:?} after {fetched:?}"
    );
}

/// A file opened at another version (its ETag changed) drops the pages
/// kept of the old one and reads the new one: the two never mix.
#[test]
fn pages_of_another_version_are_dropped_never_mixed() {
    let store = store_path("kept-versions.db");
    let url = "http://127.0.0.1/history.db";
    let old = open_kept(demo_db(), &store, url, "\"old\"", 1 << 30);
    for sql in KEPT_QUERIES {
        answer(&old.conn, sql);
    }
    drop(old);
    // The new version: the same data with one run fewer, rewritten.
    let newer = demo_db().parent().unwrap().join("demo-newer.db");
    let _ = std::fs::remove_file(&newer);
    std::fs::copy(demo_db(), &newer).unwrap();
    let conn = Connection::open(&newer).unwrap();
    conn.execute_batch(
        "DELETE FROM test_results WHERE run_id = 200; DELETE FROM test_runs WHERE id = 200; VACUUM;",
    )
    .unwrap();
    drop(conn);
    let new = open_kept(&newer, &store, url, "\"new\"", 1 << 30);
    let whole = Connection::open(&newer).unwrap();
    for sql in KEPT_QUERIES {
        assert_eq!(answer(&new.conn, sql), answer(&whole, sql), "{sql}");
    }
    let stats = new.stats();
    assert_eq!(stats.kept, 0, "{stats:?}");
    assert!(stats.bytes > 0, "{stats:?}");
    let kept: Vec<(String, String)> = Connection::open(&store)
        .unwrap()
        .prepare("SELECT url, version FROM files")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(kept, [(url.to_string(), "\"new\"".to_string())]);
}

/// The store holds at most its bound: the file opened least recently gives
/// way, and a file larger than the bound keeps what it fetched first.
#[test]
fn the_store_of_kept_pages_stays_within_its_bound() {
    let store = store_path("kept-bound.db");
    let bound = 512 << 10;
    let kept_bytes = || -> (i64, Vec<String>) {
        let conn = Connection::open(&store).unwrap();
        let total = conn
            .query_row("SELECT total(length(data)) FROM pages", [], |r| {
                r.get::<_, f64>(0)
            })
            .unwrap() as i64;
        let urls = conn
            .prepare("SELECT url FROM files ORDER BY url")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        (total, urls)
    };
    let a = open_kept(demo_db(), &store, "a", "1", bound);
    answer(&a.conn, "SELECT * FROM test_runs WHERE id = 100");
    drop(a);
    let (a_bytes, urls) = kept_bytes();
    assert!(a_bytes > 0 && a_bytes < bound as i64, "{a_bytes}");
    assert_eq!(urls, ["a"]);
    // A scan of b fills the store: a goes, b keeps up to the bound.
    let b = open_kept(demo_db(), &store, "b", "1", bound);
    answer(&b.conn, KEPT_QUERIES[2]);
    let scanned = b.stats();
    drop(b);
    let (total, urls) = kept_bytes();
    assert!(total <= bound as i64, "{total} > {bound}");
    assert!(total > bound as i64 / 2, "{total}");
    assert_eq!(urls, ["b"]);
    // Read again, what was kept is read, the rest fetched; the answer holds.
    let whole = Connection::open(demo_db()).unwrap();
    let again = open_kept(demo_db(), &store, "b", "1", bound);
    assert_eq!(
        answer(&again.conn, KEPT_QUERIES[2]),
        answer(&whole, KEPT_QUERIES[2])
    );
    let stats = again.stats();
    // All that was kept but the odd block read ahead and never needed.
    assert!(
        stats.kept <= total as u64 && stats.kept + 4 * 4096 >= total as u64,
        "{stats:?} of {total}"
    );
    assert!(stats.kept + stats.bytes <= scanned.bytes, "{stats:?}");
}

/// A kept page that is not whole (a store damaged outside greenboard) is
/// fetched again rather than read.
#[test]
fn a_damaged_kept_page_is_fetched_again() {
    let store = store_path("kept-damaged.db");
    let whole = Connection::open(demo_db()).unwrap();
    let first = open_kept(demo_db(), &store, "d", "1", 1 << 30);
    answer(&first.conn, KEPT_QUERIES[0]);
    drop(first);
    Connection::open(&store)
        .unwrap()
        .execute(
            "UPDATE pages SET data = substr(data, 1, 100) WHERE n = 0",
            [],
        )
        .unwrap();
    let again = open_kept(demo_db(), &store, "d", "1", 1 << 30);
    assert_eq!(
        answer(&again.conn, KEPT_QUERIES[0]),
        answer(&whole, KEPT_QUERIES[0])
    );
    let stats = again.stats();
    assert!(stats.kept > 0 && stats.bytes > 0, "{stats:?}");
}

/// A query stopped by its budget stops where it stopped on a revisit: the
/// pages kept count against the budget as fetched ones do, so the revisit
/// fetches next to nothing (without that, it read on and fetched 282 KB).
#[test]
fn a_budget_counts_the_pages_kept_so_a_revisit_fetches_nothing_new() {
    let store = store_path("kept-budget.db");
    let scan = "SELECT COUNT(*), SUM(length(error_message)) FROM test_results";
    for visit in 0..2 {
        let opened = open_kept(demo_db(), &store, "budget", "1", 1 << 30);
        opened.reading.limit(Some(1 << 20));
        let stopped = greenboard::db::query::run(&opened.conn, scan);
        assert!(stopped.is_err(), "visit {visit}: {stopped:?}");
        let stats = opened.stats();
        assert!(opened.reading.over_budget().is_some());
        // At most a block or two: the first visit's read-ahead counted
        // blocks the scan skips, which the revisit does not read.
        if visit == 1 {
            assert!(stats.requests <= 2 && stats.bytes <= 2 * 4096, "{stats:?}");
            assert!(stats.kept > 0, "{stats:?}");
        }
    }
}

/// A file whose address cannot be reached opens from the pages kept of
/// it, as the store says it was (version, size, block): what those pages
/// hold is answered as before, and a query that needs others fails with
/// the reason the source gave.
#[test]
fn an_unreachable_file_opens_from_the_pages_kept_alone() {
    let store = store_path("kept-unreachable.db");
    let whole = Connection::open(demo_db()).unwrap();
    let url = "http://127.0.0.1/offline.db";
    let size = std::fs::metadata(demo_db()).unwrap().len();
    assert_eq!(
        PageStore::kept_of(&Connection::open(&store).unwrap(), url).unwrap(),
        None
    );
    let first = open_kept(demo_db(), &store, url, "\"v7\"", 1 << 30);
    let visited = &KEPT_QUERIES[..1];
    for sql in visited {
        answer(&first.conn, sql);
    }
    drop(first);

    let conn = Connection::open(&store).unwrap();
    let kept = PageStore::kept_of(&conn, url).unwrap().expect("pages kept");
    assert_eq!(
        (kept.version.as_str(), kept.size, kept.block),
        ("\"v7\"", size, Options::default().block)
    );
    assert!(kept.bytes > 0 && kept.bytes < size, "{kept:?}");
    let offline = FileRanges {
        file: std::fs::File::open(demo_db()).unwrap(),
        broken: Arc::new(AtomicBool::new(true)),
    };
    let pages = PageStore::open(conn, url, &kept.version, kept.size, kept.block, 1 << 30).unwrap();
    let opened = lazy::open_keeping(
        offline,
        Options {
            block: kept.block,
            ..Options::default()
        },
        Some(pages),
    )
    .unwrap();
    for sql in visited {
        assert_eq!(answer(&opened.conn, sql), answer(&whole, sql), "{sql}");
    }
    let scan = "SELECT SUM(length(error_message)) FROM test_results";
    let err = greenboard::db::query::run(&opened.conn, scan).unwrap_err();
    assert!(format!("{err:?}").to_lowercase().contains("i/o"), "{err:?}");
    assert_eq!(opened.failure().as_deref(), Some("the server answered 503"));
    assert_eq!(opened.stats().bytes, 0);
}
