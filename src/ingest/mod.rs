//! Adding test runs to a database: JUnit reports in, one `test_runs` row and
//! its `test_results` out, in one transaction.

pub mod context;
pub mod junit;

use std::borrow::Cow;
use std::collections::HashMap;
use std::str::FromStr;
use std::time::{Duration, Instant};

use rusqlite::{Connection, TransactionBehavior, params};

use junit::{Case, Outcome};

/// A platform as given on the command line: `os/arch[/environment[/os version]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformSpec {
    /// e.g. `linux`
    pub os: String,
    /// e.g. `x86_64`
    pub arch: String,
    /// `native`, `vm`, `emulator` or `wsl`.
    pub environment: String,
    /// e.g. `Ubuntu 24.04`.
    pub os_version: Option<String>,
}

impl FromStr for PlatformSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = s.splitn(4, '/').map(str::trim);
        let (Some(os), Some(arch)) = (parts.next(), parts.next()) else {
            return Err(format!(
                "platform {s:?}: expected os/arch[/environment[/os version]], e.g. linux/x86_64"
            ));
        };
        if os.is_empty() || arch.is_empty() {
            return Err(format!("platform {s:?}: os and arch must not be empty"));
        }
        let environment = parts.next().filter(|e| !e.is_empty()).unwrap_or("native");
        if !matches!(environment, "native" | "vm" | "emulator" | "wsl") {
            return Err(format!(
                "platform {s:?}: the environment must be native, vm, emulator or wsl, not {environment:?}"
            ));
        }
        Ok(PlatformSpec {
            os: os.to_string(),
            arch: arch.to_string(),
            environment: environment.to_string(),
            os_version: parts.next().filter(|v| !v.is_empty()).map(str::to_string),
        })
    }
}

impl std::fmt::Display for PlatformSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}/{}", self.os, self.arch, self.environment)?;
        if let Some(v) = &self.os_version {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

/// Where and what a run tested.
#[derive(Debug, Clone, PartialEq)]
pub struct RunInfo {
    /// The git branch.
    pub branch: Option<String>,
    /// The commit tested.
    pub commit: String,
    /// The platform.
    pub platform: PlatformSpec,
    /// A link to the CI job.
    pub run_url: Option<String>,
    /// When the run started, in any form SQLite's `datetime()` reads
    /// (stored as `YYYY-MM-DD HH:MM:SS` UTC).
    pub started_at: String,
    /// What triggered it (`manual`, `scheduled`, `commit`, `pr`).
    pub trigger: Option<String>,
    /// The machine that ran it.
    pub runner_host: Option<String>,
}

/// What an ingest stored.
#[derive(Debug, Clone)]
pub struct Ingested {
    /// The new run's id.
    pub run_id: i64,
    /// Results stored.
    pub results: u64,
    /// Of which passed.
    pub passed: u64,
    /// Failed, errored or timed out.
    pub failed: u64,
    /// Skipped.
    pub skipped: u64,
    /// Where the ingest's time went.
    pub timings: Timings,
}

/// The time an ingest spent in each of its steps (the benchmark reports
/// them).
#[derive(Debug, Clone, Copy, Default)]
pub struct Timings {
    /// Inserting the results and the output of those that did not pass.
    pub results: Duration,
    /// Bringing `test_history` up to date.
    pub history: Duration,
    /// Committing the transaction (writing the journal, checkpointing).
    pub commit: Duration,
}

impl std::ops::AddAssign for Timings {
    fn add_assign(&mut self, other: Timings) {
        self.results += other.results;
        self.history += other.history;
        self.commit += other.commit;
    }
}

/// Why an ingest stored nothing.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The database is not usable.
    #[error("{0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A value given for the run is not valid.
    #[error("{0}")]
    Invalid(String),
}

/// Opens (creating if needed) a results database for concurrent writers:
/// WAL journal, a busy timeout, foreign keys on, and greenboard's schema.
pub fn open(path: &std::path::Path) -> Result<Connection, IngestError> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    // A new database gets 64 KiB pages (SQLite's largest; an existing one
    // keeps its own): the name-keyed indexes take fewer, shallower pages, and
    // both large and small ingests into a million results measured faster
    // (README, "Ingest").
    conn.pragma_update(None, "page_size", 65536)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // With WAL, NORMAL keeps every commit atomic and the database consistent
    // after a crash; it skips an fsync per commit.
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    // Room for the indexes of a large history (64 MiB).
    conn.pragma_update(None, "cache_size", -65536)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    ensure_schema(&conn)?;
    Ok(conn)
}

/// Creates greenboard's tables in an empty database; checks them otherwise.
pub fn ensure_schema(conn: &Connection) -> Result<(), IngestError> {
    let tx = conn.unchecked_transaction()?;
    let tables: i64 = tx.query_row(
        "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name IN ('platforms', 'test_runs', 'test_results')",
        [],
        |r| r.get(0),
    )?;
    match tables {
        0 => {
            tx.execute_batch(crate::SCHEMA_SQL)?;
            tx.execute_batch(OUTPUT_TABLE)?;
        }
        3 => {
            if crate::db::detect_schema(&tx) != crate::protocol::SchemaKind::Greenboard {
                return Err(IngestError::Invalid(
                    "the database has test tables that do not follow greenboard's schema (see src/schema.sql)".into(),
                ));
            }
            tx.execute_batch(OUTPUT_TABLE)?;
        }
        _ => {
            return Err(IngestError::Invalid(
                "the database has only some of greenboard's tables (platforms, test_runs, test_results)".into(),
            ));
        }
    }
    tx.commit()?;
    Ok(())
}

/// What failing tests printed, kept apart from the results.
const OUTPUT_TABLE: &str = "CREATE TABLE IF NOT EXISTS test_output (
    result_id INTEGER PRIMARY KEY REFERENCES test_results(id) ON DELETE CASCADE,
    output    TEXT NOT NULL
);";

/// Stores one run with all its results, in one transaction: on any error
/// the database is left exactly as it was.
pub fn ingest(
    conn: &mut Connection,
    run: &RunInfo,
    cases: &[Case],
) -> Result<Ingested, IngestError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let started: Option<String> =
        tx.query_row("SELECT datetime(?1)", [&run.started_at], |r| r.get(0))?;
    let started = started.ok_or_else(|| {
        IngestError::Invalid(format!(
            "start time {:?} is not a date and time SQLite understands (e.g. 2026-11-21T10:30:00Z)",
            run.started_at
        ))
    })?;
    if let Some(t) = &run.trigger
        && !matches!(t.as_str(), "manual" | "scheduled" | "commit" | "pr")
    {
        return Err(IngestError::Invalid(format!(
            "trigger {t:?} must be manual, scheduled, commit or pr"
        )));
    }
    let p = &run.platform;
    tx.execute(
        "INSERT OR IGNORE INTO platforms (os, arch, environment, os_version) VALUES (?1, ?2, ?3, ?4)",
        params![p.os, p.arch, p.environment, p.os_version],
    )?;
    let platform_id: i64 = tx.query_row(
        "SELECT id FROM platforms WHERE os = ?1 AND arch = ?2 AND environment = ?3 AND os_version IS ?4",
        params![p.os, p.arch, p.environment, p.os_version],
        |r| r.get(0),
    )?;
    tx.execute(
        "INSERT INTO test_runs (run_timestamp, platform_id, git_commit, trigger, runner_host, branch_name, run_url)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![started, platform_id, run.commit, run.trigger, run.runner_host, run.branch, run.run_url],
    )?;
    let run_id = tx.last_insert_rowid();
    let mut counts = Ingested {
        run_id,
        results: 0,
        passed: 0,
        failed: 0,
        skipped: 0,
        timings: Timings::default(),
    };
    let mut total_ms = 0i64;
    let mut seen: HashMap<&str, u32> = HashMap::new();
    let mut rows = Vec::with_capacity(cases.len());
    for case in cases {
        // The same name twice in one run (a test in two suites): keep both.
        let n = seen.entry(case.name.as_str()).or_insert(0);
        *n += 1;
        let name = if *n == 1 {
            Cow::Borrowed(case.name.as_str())
        } else {
            Cow::Owned(format!("{} ({})", case.name, n))
        };
        rows.push((case, name));
        counts.results += 1;
        total_ms += case.duration_ms.unwrap_or(0);
        match case.outcome {
            Outcome::Pass => counts.passed += 1,
            Outcome::Skip => counts.skipped += 1,
            _ => counts.failed += 1,
        }
    }
    let clock = Instant::now();
    insert_results(&tx, run_id, &rows)?;
    tx.execute(
        "UPDATE test_runs SET total_tests = ?2, passed = ?3, failed = ?4, skipped = ?5, duration_sec = ?6 WHERE id = ?1",
        params![
            run_id,
            counts.results as i64,
            counts.passed as i64,
            counts.failed as i64,
            counts.skipped as i64,
            (total_ms + 500) / 1000
        ],
    )?;
    let stored = Instant::now();
    refresh_history(&tx, platform_id, run_id)?;
    let refreshed = Instant::now();
    tx.commit()?;
    counts.timings = Timings {
        results: stored - clock,
        history: refreshed - stored,
        commit: refreshed.elapsed(),
    };
    Ok(counts)
}

/// Rows per INSERT statement: SQLite checks `outcome`'s `CHECK(... IN
/// (...))` against a table it builds once per statement, which cost as much
/// as two indexes when every row was a statement of its own.
const ROWS_PER_INSERT: usize = 32;

/// Values bound per result by [`bind_result`].
const RESULT_VALUES: usize = 8;

/// The columns of `test_results` an ingest writes, in binding order.
const RESULT_COLUMNS: &str = "INSERT INTO test_results (run_id, test_name, test_suite, outcome, duration_ms, error_message, stack_trace, retry_count) VALUES ";

/// Inserts run `run_id`'s results, each with its name made unique in the
/// run, and the output of those that did not pass.
fn insert_results(
    tx: &Connection,
    run_id: i64,
    rows: &[(&Case, Cow<'_, str>)],
) -> rusqlite::Result<()> {
    let row = "(?, ?, ?, ?, ?, ?, ?, ?)";
    let mut batch = tx.prepare(&format!(
        "{RESULT_COLUMNS}{}",
        vec![row; ROWS_PER_INSERT].join(", ")
    ))?;
    let mut single = tx.prepare(&format!("{RESULT_COLUMNS}{row}"))?;
    let mut chunks = rows.chunks_exact(ROWS_PER_INSERT);
    for chunk in &mut chunks {
        for (i, (case, name)) in chunk.iter().enumerate() {
            bind_result(&mut batch, i * RESULT_VALUES, run_id, case, name)?;
        }
        batch.raw_execute()?;
    }
    for (case, name) in chunks.remainder() {
        bind_result(&mut single, 0, run_id, case, name)?;
        single.raw_execute()?;
    }
    let mut output = tx.prepare(
        "INSERT INTO test_output (result_id, output)
         SELECT id, ?3 FROM test_results WHERE run_id = ?1 AND test_name = ?2",
    )?;
    for (case, name) in rows {
        if case.outcome != Outcome::Pass
            && let Some(out) = &case.output
        {
            output.execute(params![run_id, name, out])?;
        }
    }
    Ok(())
}

/// Binds one result's eight values after the first `at` parameters.
fn bind_result(
    stmt: &mut rusqlite::Statement<'_>,
    at: usize,
    run_id: i64,
    case: &Case,
    name: &str,
) -> rusqlite::Result<()> {
    stmt.raw_bind_parameter(at + 1, run_id)?;
    stmt.raw_bind_parameter(at + 2, name)?;
    stmt.raw_bind_parameter(at + 3, &case.suite)?;
    stmt.raw_bind_parameter(at + 4, case.outcome.as_str())?;
    stmt.raw_bind_parameter(at + 5, case.duration_ms)?;
    stmt.raw_bind_parameter(at + 6, &case.message)?;
    stmt.raw_bind_parameter(at + 7, &case.details)?;
    stmt.raw_bind_parameter(at + 8, case.retries)
}

/// Brings `test_history` up to date with run `run_id` on its platform: from
/// the run's own outcomes when it is the platform's latest run (the usual
/// case, at a cost that does not grow with the history), by recomputing the
/// run's tests from all their results when it arrived out of time order.
fn refresh_history(conn: &Connection, platform_id: i64, run_id: i64) -> rusqlite::Result<()> {
    let later_runs: i64 = conn.query_row(
        "SELECT COUNT(*) FROM test_runs t, test_runs me
         WHERE me.id = ?2 AND t.platform_id = ?1 AND t.id <> me.id
           AND (t.run_timestamp, t.id) > (me.run_timestamp, me.id)",
        params![platform_id, run_id],
        |r| r.get(0),
    )?;
    if later_runs == 0 {
        conn.execute(
            "INSERT INTO test_history (test_name, platform_id, last_pass, last_fail, consecutive_fails,
                                       flaky_count, total_runs, pass_rate, updated_at, passes, last_outcome)
             SELECT r.test_name, ?1,
                    CASE WHEN r.outcome = 'pass' THEN t.run_timestamp ELSE h.last_pass END,
                    CASE WHEN r.outcome IN ('fail', 'error', 'timeout') THEN t.run_timestamp ELSE h.last_fail END,
                    CASE WHEN r.outcome = 'pass' THEN 0
                         ELSE COALESCE(h.consecutive_fails, 0) + (r.outcome IN ('fail', 'error', 'timeout')) END,
                    COALESCE(h.flaky_count, 0)
                      + (h.last_outcome IS NOT NULL AND h.last_outcome <> r.outcome AND 'skip' NOT IN (h.last_outcome, r.outcome)),
                    COALESCE(h.total_runs, 0) + 1,
                    ROUND((COALESCE(h.passes, 0) + (r.outcome = 'pass')) * 1.0 / (COALESCE(h.total_runs, 0) + 1), 4),
                    t.run_timestamp,
                    COALESCE(h.passes, 0) + (r.outcome = 'pass'),
                    r.outcome
             FROM test_results r
             JOIN test_runs t ON t.id = r.run_id
             LEFT JOIN test_history h ON h.test_name = r.test_name AND h.platform_id = ?1
             WHERE r.run_id = ?2
             ON CONFLICT (test_name, platform_id) DO UPDATE SET
                last_pass = excluded.last_pass, last_fail = excluded.last_fail,
                consecutive_fails = excluded.consecutive_fails, flaky_count = excluded.flaky_count,
                total_runs = excluded.total_runs, pass_rate = excluded.pass_rate,
                updated_at = excluded.updated_at, passes = excluded.passes,
                last_outcome = excluded.last_outcome",
            params![platform_id, run_id],
        )?;
        return Ok(());
    }
    crate::db::history::recompute(
        conn,
        crate::db::history::Scope::Run {
            platform_id,
            run_id,
        },
    )
}
