//! The CLI benchmark: JUnit ingest throughput, and export time against the
//! `sqlite3` shell's `.dump` of the same database, measured in one run.

use std::io::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::demo::Rng;
use crate::ingest::{self, PlatformSpec, RunInfo, junit};

/// What one benchmark run measured.
#[derive(Debug, Clone)]
pub struct Report {
    /// Results in the database.
    pub results: u64,
    /// Bytes of JUnit XML ingested.
    pub xml_bytes: u64,
    /// Time to parse and store all of it.
    pub ingest: Duration,
    /// Of which reading the XML.
    pub parse: Duration,
    /// And the ingests' steps, added up.
    pub steps: ingest::Timings,
    /// Best time of greenboard's export to a file.
    pub export: Duration,
    /// Bytes it wrote.
    pub export_bytes: u64,
    /// Best time of `sqlite3 DB .dump` to a file, if the shell is installed.
    pub sqlite3_dump: Option<Duration>,
}

impl Report {
    /// Ingest throughput in MB/s (10^6 bytes).
    pub fn ingest_mb_s(&self) -> f64 {
        self.xml_bytes as f64 / 1e6 / self.ingest.as_secs_f64()
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "results in the database: {}", self.results)?;
        writeln!(
            f,
            "ingest: {:.1} MB of JUnit XML in {:.2} s = {:.1} MB/s (target >= 50 MB/s)",
            self.xml_bytes as f64 / 1e6,
            self.ingest.as_secs_f64(),
            self.ingest_mb_s()
        )?;
        writeln!(
            f,
            "  reading the XML {:.2} s ({:.0} MB/s), storing the results {:.2} s, updating test_history {:.2} s, committing {:.2} s",
            self.parse.as_secs_f64(),
            self.xml_bytes as f64 / 1e6 / self.parse.as_secs_f64(),
            self.steps.results.as_secs_f64(),
            self.steps.history.as_secs_f64(),
            self.steps.commit.as_secs_f64()
        )?;
        write!(
            f,
            "export: {:.1} MB in {:.2} s",
            self.export_bytes as f64 / 1e6,
            self.export.as_secs_f64()
        )?;
        match self.sqlite3_dump {
            Some(d) => write!(
                f,
                "; sqlite3 .dump: {:.2} s; ratio greenboard/sqlite3 = {:.2}x (target <= 1.0x)",
                d.as_secs_f64(),
                self.export.as_secs_f64() / d.as_secs_f64()
            ),
            None => write!(f, "; sqlite3 shell not found, no ratio"),
        }
    }
}

/// A JUnit report of `tests` test cases, as cargo-nextest or Surefire would
/// write it, with some failures, skips and reruns.
pub fn junit_report(rng: &mut Rng, tests: usize) -> String {
    let mut xml = String::with_capacity(tests * 160);
    xml.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"bench\">\n");
    let per_suite = 500;
    for (s, chunk) in (0..tests).collect::<Vec<_>>().chunks(per_suite).enumerate() {
        xml.push_str(&format!(
            "  <testsuite name=\"bench::suite_{s:03}\" tests=\"{}\">\n",
            chunk.len()
        ));
        for &i in chunk {
            let time = rng.range(1, 5000) as f64 / 1000.0;
            xml.push_str(&format!(
                "    <testcase name=\"module_{}::case_{i:07}\" classname=\"bench::suite_{s:03}\" time=\"{time:.3}\"",
                i % 37
            ));
            match rng.range(0, 99) {
                0..=2 => xml.push_str(&format!(
                    ">\n      <failure type=\"test failure\" message=\"assertion `left == right` failed: left: {} right: 0\">thread 'case_{i}' panicked at src/lib.rs:{}:5:\nassertion failed; see &lt;output&gt;</failure>\n    </testcase>\n",
                    rng.range(1, 9),
                    rng.range(10, 999)
                )),
                3 => xml.push_str(">\n      <skipped message=\"ignored\"/>\n    </testcase>\n"),
                4 => xml.push_str(">\n      <flakyFailure type=\"test failure\">timed out once</flakyFailure>\n    </testcase>\n"),
                _ => xml.push_str("/>\n"),
            }
        }
        xml.push_str("  </testsuite>\n");
    }
    xml.push_str("</testsuites>\n");
    xml
}

/// Runs the benchmark in `dir`: `runs` reports of `tests` cases each are
/// ingested into a new database, which is then exported both ways.
pub fn run(dir: &Path, runs: usize, tests: usize) -> Result<Report, String> {
    let err = |e: &dyn std::fmt::Display| e.to_string();
    std::fs::create_dir_all(dir).map_err(|e| err(&e))?;
    let db = database(dir);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(dir.join(format!("bench.db{suffix}")));
    }
    let mut rng = Rng::new(crate::demo::SEED);
    let platforms = [
        "linux/x86_64",
        "linux/aarch64/vm",
        "windows/x86_64",
        "darwin/aarch64",
    ];
    let mut conn = ingest::open(&db).map_err(|e| err(&e))?;
    let mut xml_bytes = 0u64;
    let mut ingest_time = Duration::ZERO;
    let mut parse = Duration::ZERO;
    let mut steps = ingest::Timings::default();
    for r in 0..runs {
        let report = junit_report(&mut rng, tests);
        xml_bytes += report.len() as u64;
        let started_at: String = conn
            .query_row(
                "SELECT datetime('2026-01-01', ?1)",
                [format!("+{r} hours")],
                |row| row.get(0),
            )
            .map_err(|e| err(&e))?;
        let info = RunInfo {
            branch: Some(if r % 5 == 4 { "feature/x" } else { "main" }.into()),
            commit: format!("{r:040x}"),
            platform: platforms[r % platforms.len()].parse::<PlatformSpec>()?,
            run_url: None,
            started_at,
            trigger: Some("commit".into()),
            runner_host: None,
        };
        let started = Instant::now();
        let cases = junit::parse(&report).map_err(|e| err(&e))?;
        parse += started.elapsed();
        let stored = ingest::ingest(&mut conn, &info, &cases).map_err(|e| err(&e))?;
        ingest_time += started.elapsed();
        steps += stored.timings;
    }
    conn.pragma_update(None, "wal_checkpoint", "TRUNCATE")
        .map_err(|e| err(&e))?;
    let results: i64 = conn
        .query_row("SELECT COUNT(*) FROM test_results", [], |r| r.get(0))
        .map_err(|e| err(&e))?;
    drop(conn);

    // Each export runs a few times, taking turns with the shell's, on a
    // database and outputs already on disk: the best of each is kept, so
    // that neither pays for the other's (or the ingest's) write-back.
    sync(&db)?;
    let ours = dir.join("greenboard.sql");
    let shell = dir.join("sqlite3.sql");
    let mut export = Duration::MAX;
    let mut sqlite3_dump: Option<Duration> = None;
    for round in 0..EXPORT_ROUNDS {
        export = export.min(greenboard_export(&db, &ours)?);
        sync(&ours)?;
        if round > 0 && sqlite3_dump.is_none() {
            continue; // no sqlite3 shell
        }
        if let Some(time) = shell_dump(&db, &shell) {
            sqlite3_dump = Some(sqlite3_dump.map_or(time, |best| best.min(time)));
            sync(&shell)?;
        }
    }
    let export_bytes = std::fs::metadata(&ours).map(|m| m.len()).unwrap_or(0);
    Ok(Report {
        results: results as u64,
        xml_bytes,
        ingest: ingest_time,
        parse,
        steps,
        export,
        export_bytes,
        sqlite3_dump,
    })
}

/// The database [`run`] ingests into, in its directory `dir`.
pub fn database(dir: &Path) -> std::path::PathBuf {
    dir.join("bench.db")
}

/// Times of each export taken by [`run`], of which it keeps the best.
const EXPORT_ROUNDS: usize = 3;

/// Writes `db` out as greenboard's dump to `out`, and returns the time taken.
fn greenboard_export(db: &Path, out: &Path) -> Result<Duration, String> {
    let err = |e: &dyn std::fmt::Display| e.to_string();
    let started = Instant::now();
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| err(&e))?;
    let mut file = std::io::BufWriter::with_capacity(
        1 << 20,
        std::fs::File::create(out).map_err(|e| err(&e))?,
    );
    crate::export::sql::write_dump(&conn, &mut file).map_err(|e| err(&e))?;
    file.flush().map_err(|e| err(&e))?;
    Ok(started.elapsed())
}

/// Has the `sqlite3` shell `.dump` `db` to `out`, and returns the time
/// taken; `None` when the shell is not installed or fails.
fn shell_dump(db: &Path, out: &Path) -> Option<Duration> {
    let file = std::fs::File::create(out).ok()?;
    let started = Instant::now();
    let status = std::process::Command::new("sqlite3")
        .arg(db)
        .arg(".dump")
        .stdout(file)
        .status()
        .ok()?;
    status.success().then(|| started.elapsed())
}

/// Waits until `path`'s data is on disk.
fn sync(path: &Path) -> Result<(), String> {
    std::fs::File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(|e| format!("{}: {e}", path.display()))
}
