//! `greenboard ingest`: one test run from its JUnit XML reports.

use std::path::PathBuf;

use greenboard::ingest::{self, PlatformSpec, RunInfo, context, junit};
use rusqlite::Connection;

use super::error::CliError;
use super::files::read_text;

/// Add one test run, with all the results of its JUnit XML reports.
///
/// Branch, commit and run URL default to what the CI service's
/// environment (GitHub Actions, GitLab CI, Buildkite, Jenkins) or git
/// says; the platform to this machine's OS and architecture. What was
/// used is printed. Nothing is stored if any report is malformed.
#[derive(clap::Args)]
pub struct Args {
    /// The SQLite database (created with greenboard's schema if missing).
    #[arg(long)]
    db: PathBuf,
    /// Branch tested.
    #[arg(long)]
    branch: Option<String>,
    /// Platform: os/arch[/environment[/os version]], e.g. linux/x86_64/vm/Debian 12.
    #[arg(long)]
    platform: Option<PlatformSpec>,
    /// Commit tested.
    #[arg(long)]
    commit: Option<String>,
    /// Link to the CI job.
    #[arg(long)]
    run_url: Option<String>,
    /// When the run started (ISO 8601; default now).
    #[arg(long)]
    started_at: Option<String>,
    /// What triggered the run: manual, scheduled, commit or pr.
    #[arg(long)]
    trigger: Option<String>,
    /// JUnit XML reports (one run).
    #[arg(required = true)]
    reports: Vec<PathBuf>,
}

/// Stores the run and says what it holds and where its details came from.
pub fn exec(args: Args) -> Result<(), CliError> {
    let Args {
        db,
        branch,
        platform,
        commit,
        run_url,
        started_at,
        trigger,
        reports,
    } = args;
    // Every report is read before anything is stored.
    let cases = read_reports(&reports)?;
    if cases.is_empty() {
        eprintln!("warning: the reports hold no test case; the run is stored with none");
    }
    let detected = context::detect(|k| std::env::var(k).ok(), git);
    let from = |given: bool| {
        if given {
            "given"
        } else if detected.source.is_empty() {
            "default"
        } else {
            detected.source
        }
    };
    let info = RunInfo {
        branch: branch.clone().or(detected.branch.clone()),
        commit: commit
            .clone()
            .or(detected.commit.clone())
            .unwrap_or_else(|| "unknown".to_string()),
        platform: platform.clone().unwrap_or_else(context::this_platform),
        run_url: run_url.clone().or(detected.run_url.clone()),
        started_at: started_at.clone().unwrap_or_else(now_utc),
        trigger: trigger.clone().or(detected.trigger.clone()),
        runner_host: detected.runner_host.clone(),
    };
    let mut conn = ingest::open(&db).map_err(|e| CliError::Db(db.clone(), e.to_string()))?;
    let stored = ingest::ingest(&mut conn, &info, &cases)
        .map_err(|e| CliError::Db(db.clone(), e.to_string()))?;
    eprintln!(
        "{}: run {} stored: {} results ({} passed, {} failed, {} skipped) from {} report(s)",
        db.display(),
        stored.run_id,
        stored.results,
        stored.passed,
        stored.failed,
        stored.skipped,
        reports.len()
    );
    eprintln!(
        "  branch {} ({}), commit {} ({}), platform {} ({}){}",
        info.branch.as_deref().unwrap_or("(none)"),
        from(branch.is_some()),
        info.commit,
        from(commit.is_some()),
        info.platform,
        if platform.is_some() {
            "given"
        } else {
            "this machine"
        },
        info.run_url
            .as_deref()
            .map(|u| format!(", {u}"))
            .unwrap_or_default()
    );
    Ok(())
}

/// Reads and parses the JUnit reports, several at a time (Surefire writes
/// one per test class). The cases come in the reports' order, and the error
/// is that of the first report in that order that cannot be read. What was
/// odd in a report is said on standard error, naming the file.
pub fn read_reports(reports: &[PathBuf]) -> Result<Vec<junit::Case>, CliError> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per_thread = reports.len().div_ceil(threads).max(1);
    let parsed: Vec<Result<(&PathBuf, junit::Report), CliError>> = std::thread::scope(|scope| {
        let readers: Vec<_> = reports
            .chunks(per_thread)
            .map(|paths| {
                scope.spawn(move || {
                    paths
                        .iter()
                        .map(|path| {
                            junit::read(&read_text(path)?)
                                .map(|report| (path, report))
                                .map_err(|e| CliError::Report(path.clone(), e))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        readers
            .into_iter()
            .flat_map(|reader| reader.join().expect("a report reader panicked"))
            .collect()
    });
    let mut cases = Vec::new();
    for report in parsed {
        let (path, report) = report?;
        for warning in &report.warnings {
            eprintln!("greenboard: warning: {}: {warning}", path.display());
        }
        cases.extend(report.cases);
    }
    Ok(cases)
}

/// What `git` with `args` prints, trimmed; `None` when it fails or prints
/// nothing.
pub fn git(args: &[&str]) -> Option<String> {
    let out = std::process::Command::new("git").args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
        .filter(|s| !s.is_empty())
}

/// The current time as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn now_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    // SQLite turns Unix time into a date; the ingest normalises it again.
    let conn = Connection::open_in_memory().expect("an in-memory database");
    conn.query_row(
        "SELECT strftime('%Y-%m-%dT%H:%M:%SZ', ?1, 'unixepoch')",
        [secs as i64],
        |r| r.get(0),
    )
    .expect("SQLite formats dates")
}
