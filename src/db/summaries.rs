//! Summaries of `test_results` that the dashboard reads instead of the
//! results themselves:
//! - `summary_tests`, per test: its suite, results, passes, failures
//!   (`fail`, `error`, `timeout`) and skips, its first and last run;
//! - `summary_daily`, per day (of `run_timestamp`), branch, platform and
//!   suite: runs, results, passes, failures, skips and milliseconds spent.
//!
//! Each is written once, as a query. The database made for reading over
//! HTTP (`greenboard export -o F.db`) holds its answer as a table, so that
//! the dashboard reads a few pages of it rather than every result; any
//! other database with greenboard's schema gets it as a temporary view over
//! `test_results` ([`provide`]). The same SQL thus runs on both, with the
//! same answers.

use rusqlite::Connection;

/// One summary: its name and the query that makes it.
pub struct Summary {
    /// The table's (or view's) name.
    pub name: &'static str,
    /// The query whose answer it is.
    pub select: &'static str,
    /// The index the table gets in the web form.
    pub index: &'static str,
}

/// The summaries, in the order they are made.
pub const SUMMARIES: [Summary; 2] = [
    Summary {
        name: "summary_tests",
        select: "SELECT test_name, MAX(test_suite) AS test_suite, COUNT(*) AS results,
       SUM(outcome = 'pass') AS passed, SUM(outcome IN ('fail', 'error', 'timeout')) AS failed,
       SUM(outcome = 'skip') AS skipped, MIN(run_id) AS first_run, MAX(run_id) AS last_run
FROM test_results GROUP BY test_name",
        index: "CREATE UNIQUE INDEX summary_tests_name ON summary_tests(test_name)",
    },
    Summary {
        name: "summary_daily",
        select: "SELECT date(r.run_timestamp) AS day, r.branch_name, r.platform_id, t.test_suite AS suite,
       COUNT(DISTINCT r.id) AS runs, COUNT(*) AS results, SUM(t.outcome = 'pass') AS passed,
       SUM(t.outcome IN ('fail', 'error', 'timeout')) AS failed, SUM(t.outcome = 'skip') AS skipped,
       SUM(t.duration_ms) AS duration_ms
FROM test_results t JOIN test_runs r ON r.id = t.run_id
GROUP BY day, r.branch_name, r.platform_id, t.test_suite",
        index: "CREATE INDEX summary_daily_branch_day ON summary_daily(branch_name, day)",
    },
];

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
                s.name, s.select
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
        conn.execute_batch(&format!(
            "DROP VIEW IF EXISTS temp.{name}; DROP TABLE IF EXISTS main.{name};
             CREATE TABLE main.{name} AS {select}; {index};",
            name = s.name,
            select = s.select,
            index = s.index
        ))?;
    }
    Ok(true)
}

/// Whether `name` is a summary's (which a database may hold as a temporary
/// view of the loader's making, not the reader's).
pub fn is_summary(name: &str) -> bool {
    SUMMARIES.iter().any(|s| s.name == name)
}
