//! Summaries of `test_results` that the dashboard, the health tiles and a
//! test's page read instead of the results themselves:
//! - `summary_runs`, per branch and platform: runs, their passed and
//!   decided (passed and failed) tests as the runs counted them, the first
//!   and last run's time;
//! - `summary_tests`, per test: its suite, results, passes, failures
//!   (`fail`, `error`, `timeout`) and skips, its first and last run;
//! - `summary_daily`, per day (of `run_timestamp`), branch, platform and
//!   suite: runs, results, passes, failures, skips and milliseconds spent;
//! - `summary_places`, per test, platform and branch: where it stands
//!   (its latest outcome, where it last passed and first failed since),
//!   its runs, failures, flips, passes on a retry and skips;
//! - `summary_messages`, per test and signature of its failures' messages:
//!   how many, where, first and last seen, the latest message;
//! - `summary_flaky`, the `flaky-by-rule` preset's answer over the last 30
//!   runs (its default);
//! - `summary_durations`, per test, platform and branch: the median
//!   duration of its last 10 passing runs and of the 10 before (the
//!   `duration-regressions` preset's default windows).
//!
//! Each is written once, as a query. The database made for reading over
//! HTTP (`greenboard export -o F.db`) holds its answer as a table, so that
//! the dashboard reads a few pages of it rather than every result; any
//! other database with greenboard's schema gets it as a temporary view over
//! `test_results` ([`provide`]). The same SQL thus runs on both, with the
//! same answers. The views read by test (and by branch) are written with
//! window functions alone, no `GROUP BY`, so that SQLite takes a test's
//! name (a branch) into the view and reads that test's results by index
//! rather than every result.

use rusqlite::Connection;

/// One summary: its name and the query that makes it.
pub struct Summary {
    /// The table's (or view's) name.
    pub name: &'static str,
    /// The query whose answer it is.
    pub select: fn() -> String,
    /// The index the table gets in the web form (empty: none).
    pub index: &'static str,
    /// The columns that key each row, when unique and never NULL: the web
    /// form stores the table ordered by them (`WITHOUT ROWID`), so that
    /// reading a key's rows is one B-tree's pages, not an index's and a
    /// table's.
    pub key: Option<&'static str>,
}

/// The summaries, in the order they are made.
pub const SUMMARIES: [Summary; 7] = [
    Summary {
        name: "summary_runs",
        select: || RUNS.into(),
        index: "CREATE INDEX summary_runs_branch ON summary_runs(branch_name)",
        key: None,
    },
    Summary {
        name: "summary_tests",
        select: || TESTS.into(),
        index: "CREATE UNIQUE INDEX summary_tests_name ON summary_tests(test_name)",
        key: None,
    },
    Summary {
        name: "summary_daily",
        select: || DAILY.into(),
        index: "CREATE INDEX summary_daily_branch_day ON summary_daily(branch_name, day)",
        key: None,
    },
    Summary {
        name: "summary_places",
        select: || PLACES.into(),
        index: "CREATE INDEX summary_places_test ON summary_places(test_name, platform_id, branch_name)",
        key: None,
    },
    Summary {
        name: "summary_messages",
        select: || MESSAGES.into(),
        index: "",
        key: Some("test_name, signature"),
    },
    Summary {
        name: "summary_flaky",
        select: || {
            crate::presets::health::FLAKY_BY_RULE
                .replace("CAST(?1 AS INTEGER)", FLAKY_RUNS)
                .trim_end()
                .trim_end_matches(';')
                .to_string()
        },
        index: "CREATE INDEX summary_flaky_score ON summary_flaky(score DESC, test_name, platform)",
        key: None,
    },
    Summary {
        name: "summary_durations",
        select: || DURATIONS.into(),
        index: "CREATE INDEX summary_durations_branch ON summary_durations(branch_name)",
        key: None,
    },
];

/// The runs `summary_flaky` looks at (the `flaky-by-rule` preset's default).
pub const FLAKY_RUNS: &str = "30";

/// Per branch and platform, from the runs' own counts.
const RUNS: &str = "SELECT branch_name, platform_id, COUNT(*) AS runs, SUM(passed) AS passed,
       SUM(passed + failed) AS decided, MIN(run_timestamp) AS first_run, MAX(run_timestamp) AS last_run
FROM test_runs GROUP BY branch_name, platform_id";

/// Per test.
const TESTS: &str = "SELECT test_name, MAX(test_suite) AS test_suite, COUNT(*) AS results,
       SUM(outcome = 'pass') AS passed, SUM(outcome IN ('fail', 'error', 'timeout')) AS failed,
       SUM(outcome = 'skip') AS skipped, MIN(run_id) AS first_run, MAX(run_id) AS last_run
FROM test_results GROUP BY test_name";

/// Per day, branch, platform and suite.
const DAILY: &str =
    "SELECT date(r.run_timestamp) AS day, r.branch_name, r.platform_id, t.test_suite AS suite,
       COUNT(DISTINCT r.id) AS runs, COUNT(*) AS results, SUM(t.outcome = 'pass') AS passed,
       SUM(t.outcome IN ('fail', 'error', 'timeout')) AS failed, SUM(t.outcome = 'skip') AS skipped,
       SUM(t.duration_ms) AS duration_ms
FROM test_results t JOIN test_runs r ON r.id = t.run_id
GROUP BY day, r.branch_name, r.platform_id, t.test_suite";

/// Per test, platform and branch (a place). Skips are not runs: a test's
/// results at a place are ordered skips last, so that `prev` is the run
/// before among its runs, `last` marks its latest run and `passes_after`
/// counts the passes after a run (none after the failures it fails since).
/// `passed_run` is its latest pass; `failed_run` and `failing_runs`, when
/// its latest run failed, the first run it failed since and how many, with
/// the commits and URLs of that run and of its last pass.
const PLACES: &str = "SELECT x.test_name, x.platform_id, x.branch_name, x.runs, x.failures, x.flips, x.passed_on_retry, x.skipped,
       COALESCE(x.latest, 'skip') AS latest, x.latest_run, x.passed_run,
       CASE WHEN x.latest_failed THEN x.first_failing END AS failed_run,
       CASE WHEN x.latest_failed THEN x.failing ELSE 0 END AS failing_runs,
       pr.git_commit AS last_passed_at, pr.run_url AS last_passed_url,
       fr.git_commit AS first_failed_at, fr.run_url AS first_failed_url
FROM (
  SELECT test_name, platform_id, branch_name,
         SUM(decided) OVER place AS runs, SUM(failed) OVER place AS failures,
         SUM(decided AND failed <> prev) OVER place AS flips,
         SUM(outcome = 'pass' AND retry_count > 0) OVER place AS passed_on_retry,
         SUM(NOT decided) OVER place AS skipped,
         MAX(CASE WHEN decided AND last THEN outcome END) OVER place AS latest,
         MAX(decided AND last AND failed) OVER place AS latest_failed,
         MAX(CASE WHEN decided THEN run END) OVER place AS latest_run,
         MAX(CASE WHEN decided AND NOT failed THEN run END) OVER place AS passed_run,
         MIN(CASE WHEN failed AND passes_after = 0 THEN run END) OVER place AS first_failing,
         SUM(failed AND passes_after = 0) OVER place AS failing,
         ROW_NUMBER() OVER place AS k
  FROM (
    SELECT t.test_name, r.platform_id, r.branch_name, r.id AS run, t.outcome, t.retry_count,
           t.outcome <> 'skip' AS decided, t.outcome IN ('fail', 'error', 'timeout') AS failed,
           LAG(t.outcome IN ('fail', 'error', 'timeout')) OVER in_order AS prev,
           LEAD(t.outcome = 'skip', 1, 1) OVER in_order AS last,
           COUNT(*) FILTER (WHERE t.outcome NOT IN ('skip', 'fail', 'error', 'timeout'))
             OVER (in_order ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS passes_after
    FROM test_results t JOIN test_runs r ON r.id = t.run_id
    WINDOW in_order AS (PARTITION BY t.test_name, r.platform_id, r.branch_name ORDER BY t.outcome = 'skip', r.id)
  )
  WINDOW place AS (PARTITION BY test_name, platform_id, branch_name)
) x
LEFT JOIN test_runs pr ON pr.id = x.passed_run AND x.latest_failed
LEFT JOIN test_runs fr ON fr.id = x.first_failing AND x.latest_failed
WHERE x.k = 1";

/// Per test and signature of its failures' messages (`(no message)` for
/// none): how many, on which platforms and branches (in order), first and
/// last seen, and the latest message.
const MESSAGES: &str = "SELECT test_name, signature, failures, platforms, branches, first_seen, last_seen, latest_message
FROM (
  SELECT test_name, signature,
         COUNT(*) OVER sig AS failures,
         group_concat(CASE WHEN platform_first THEN platform END)
           OVER (sig ORDER BY platform ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS platforms,
         group_concat(CASE WHEN branch_first THEN branch_name END)
           OVER (sig ORDER BY branch_name ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS branches,
         MIN(run_timestamp) OVER sig AS first_seen, MAX(run_timestamp) OVER sig AS last_seen,
         FIRST_VALUE(error_message) OVER (sig ORDER BY run_timestamp DESC, run DESC) AS latest_message,
         ROW_NUMBER() OVER sig AS k
  FROM (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY test_name, signature, branch_name) = 1
                AND branch_name IS NOT NULL AS branch_first
    FROM (
      SELECT *, ROW_NUMBER() OVER (PARTITION BY test_name, signature, platform) = 1 AS platform_first
      FROM (
        SELECT t.test_name, COALESCE(failure_signature(t.error_message), '(no message)') AS signature,
               t.error_message, r.run_timestamp, r.id AS run, r.branch_name,
               p.os || '/' || p.arch || CASE WHEN p.environment <> 'native' THEN ' (' || p.environment || ')' ELSE '' END AS platform
        FROM test_results t
        JOIN test_runs r ON r.id = t.run_id
        JOIN platforms p ON p.id = r.platform_id
        WHERE t.outcome IN ('fail', 'error', 'timeout')
      )
    )
  )
  WINDOW sig AS (PARTITION BY test_name, signature)
)
WHERE k = 1";

/// Per test, platform and branch: the median duration (of passing runs)
/// of its last 10 runs there (`median_now_ms`) and of the 10 before
/// (`median_before_ms`), each when its window is at least half full.
const DURATIONS: &str = "SELECT test_name, platform_id, branch_name, median_now_ms, median_before_ms
FROM (
  SELECT test_name, platform_id, branch_name,
         MAX(CASE WHEN win = 0 THEN median END) OVER place AS median_now_ms,
         MAX(CASE WHEN win = 1 THEN median END) OVER place AS median_before_ms,
         ROW_NUMBER() OVER place AS k
  FROM (
    SELECT test_name, platform_id, branch_name, win,
           CASE WHEN 2 * n >= 10 THEN AVG(CASE WHEN j IN ((n + 1) / 2, (n + 2) / 2) THEN ms END)
             OVER (PARTITION BY test_name, platform_id, branch_name, win) END AS median
    FROM (
      SELECT test_name, platform_id, branch_name, ms, (age - 1) / 10 AS win,
             ROW_NUMBER() OVER (PARTITION BY test_name, platform_id, branch_name, (age - 1) / 10 ORDER BY ms) AS j,
             COUNT(*) OVER (PARTITION BY test_name, platform_id, branch_name, (age - 1) / 10) AS n
      FROM (
        SELECT t.test_name, r.platform_id, r.branch_name, t.duration_ms AS ms,
               ROW_NUMBER() OVER (PARTITION BY t.test_name, r.platform_id, r.branch_name
                                  ORDER BY r.run_timestamp DESC, r.id DESC) AS age
        FROM test_results t JOIN test_runs r ON r.id = t.run_id
        WHERE t.outcome = 'pass' AND t.duration_ms IS NOT NULL
      )
      WHERE age <= 20
    )
  )
  WINDOW place AS (PARTITION BY test_name, platform_id, branch_name)
)
WHERE k = 1";

/// Whether the main database follows greenboard's schema (has the tables
/// the summaries are made of).
fn greenboard(conn: &Connection) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT COUNT(*) = 2 FROM main.sqlite_schema WHERE type = 'table' AND name IN ('test_runs', 'test_results')",
        [],
        |r| r.get(0),
    )
}

/// Whether the main database holds relation `name`.
fn holds(conn: &Connection, name: &str) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT COUNT(*) > 0 FROM main.sqlite_schema WHERE name = ?1",
        [name],
        |r| r.get(0),
    )
}

/// Makes each summary the main database (of greenboard's schema) lacks a
/// temporary view over its results. Nothing for other schemas.
pub fn provide(conn: &Connection) -> rusqlite::Result<()> {
    if !greenboard(conn)? {
        return Ok(());
    }
    for s in &SUMMARIES {
        if !holds(conn, s.name)? {
            conn.execute_batch(&format!(
                "CREATE TEMP VIEW IF NOT EXISTS {} AS {}",
                s.name,
                (s.select)()
            ))?;
        }
    }
    Ok(())
}

/// Writes each summary into the main database (of greenboard's schema) as
/// a table, with its index, replacing one there; nothing for other
/// schemas. Gives whether it wrote them.
pub fn materialize(conn: &Connection) -> rusqlite::Result<bool> {
    if !greenboard(conn)? {
        return Ok(false);
    }
    for s in &SUMMARIES {
        let name = s.name;
        let select = (s.select)();
        conn.execute_batch(&format!(
            "DROP VIEW IF EXISTS temp.{name}; DROP TABLE IF EXISTS main.{name};"
        ))?;
        match s.key {
            None => conn.execute_batch(&format!("CREATE TABLE main.{name} AS {select};"))?,
            Some(key) => {
                // Its columns as the query names them, then its rows.
                conn.execute_batch(&format!("CREATE TEMP VIEW {name}_columns AS {select};"))?;
                let columns: Vec<String> = conn
                    .prepare(&format!(
                        "SELECT name FROM pragma_table_info('{name}_columns')"
                    ))?
                    .query_map([], |r| {
                        r.get::<_, String>(0)
                            .map(|c| format!("\"{}\"", c.replace('"', "\"\"")))
                    })?
                    .collect::<rusqlite::Result<_>>()?;
                conn.execute_batch(&format!(
                    "DROP VIEW temp.{name}_columns;
                     CREATE TABLE main.{name} ({}, PRIMARY KEY ({key})) WITHOUT ROWID;
                     INSERT INTO main.{name} {select};",
                    columns.join(", ")
                ))?;
            }
        }
        conn.execute_batch(s.index)?;
    }
    Ok(true)
}

/// Whether `name` is a summary's (which a database may hold as a temporary
/// view of the loader's making, not the reader's).
pub fn is_summary(name: &str) -> bool {
    SUMMARIES.iter().any(|s| s.name == name)
}
