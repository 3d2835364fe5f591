//! `greenboard ci`: what the GitHub Action does, in one step.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::ValueEnum;
use greenboard::db::attach;
use greenboard::db::load::{OnError, load_str};
use greenboard::ingest::{self, PlatformSpec, RunInfo, context};
use greenboard::summary::{self, Links, Report};
use rusqlite::Connection;

use super::error::CliError;
use super::files::text_of;
use super::history::{self, Found, Where};
use super::ingest::{git, now_utc, read_reports};
use super::site;

/// Add a CI job's test results to the project's history, summarise them and
/// write the site: the GitHub Action's one step.
///
/// 1. The history: the dump of the site published at `--history` (by
///    default, on GitHub Actions, the repository's GitHub Pages site), or a
///    file or site folder; none yet (404) starts a new one, and any other
///    failure to read it stops here, so that no history is lost.
/// 2. Each run's JUnit reports (`--reports`) stored, with the branch,
///    commit and run URL of the CI job.
/// 3. The Markdown summary, each run against its base (the latest run of
///    `--against` on its platform, else the run before it): appended to
///    `--summary`, by default the job summary ($GITHUB_STEP_SUMMARY).
/// 4. The site (`--site DIR`): the explorer with the whole history.
/// 5. Exit 1 when `--fail-on` says the results fail the job.
#[derive(clap::Args)]
pub struct Args {
    /// JUnit reports: globs, one per value or per line, each one run.
    /// `PLATFORM: GLOB` (e.g. `windows/x86_64: reports/windows/*.xml`)
    /// stores that platform's run; lines without one make up one run on
    /// `--platform`.
    #[arg(long, required = true, value_name = "GLOBS")]
    reports: Vec<String>,
    /// Branch tested (default: the pull request's head, or the pushed branch).
    #[arg(long)]
    branch: Option<String>,
    /// Platform of the reports without one, os/arch[/environment[/os version]]
    /// (default: this machine).
    #[arg(long)]
    platform: Option<PlatformSpec>,
    /// Commit tested (default: the CI job's, or git's HEAD).
    #[arg(long)]
    commit: Option<String>,
    /// Where the history is: a greenboard site's address, a dump's or
    /// database's address, a file, a site folder, or `none` (default: the
    /// repository's GitHub Pages site on GitHub Actions, else none).
    #[arg(long, value_name = "WHERE")]
    history: Option<String>,
    /// Compare each run with the latest run of this branch (default: a pull
    /// request's base branch; else the run before it on its own branch).
    #[arg(long, value_name = "BRANCH")]
    against: Option<String>,
    /// Write the site (explorer and history) into this folder.
    #[arg(long, value_name = "DIR")]
    site: Option<PathBuf>,
    /// Where the site is published, for the summary's links (default: the
    /// history's site).
    #[arg(long, value_name = "URL")]
    site_url: Option<String>,
    /// The data's name in the site (and in the history's site).
    #[arg(long)]
    title: Option<String>,
    /// Append the summary to this file, `-` for standard output (default:
    /// $GITHUB_STEP_SUMMARY when set, else standard output).
    #[arg(long, value_name = "FILE")]
    summary: Option<PathBuf>,
    /// Write no summary.
    #[arg(long, conflicts_with = "summary")]
    no_summary: bool,
    /// When the results fail the job (exit 1).
    #[arg(long, value_enum, default_value = "none")]
    fail_on: FailOn,
    /// A glob that matches no report is a warning, and its run is not
    /// stored (for a matrix job that wrote none), rather than an error.
    #[arg(long)]
    allow_missing: bool,
    /// Keep the database of the history with this run here (default: a
    /// temporary file, removed at the end). Must not exist unless
    /// `--history none`, which adds to it.
    #[arg(long)]
    db: Option<PathBuf>,
}

/// When the results fail the job. (The values have no doc comments: clap
/// would print them in `--help`.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    // Never.
    None,
    // A test fails that did not fail in the base run (or is new).
    NewFailures,
    // A test fails that passed in the base run.
    Regressions,
}

/// A run to store: its platform (`None`: the default) and its reports' globs.
pub type RunGlobs = (Option<PlatformSpec>, Vec<String>);

/// The runs to store, from `--reports`.
pub fn runs_of(reports: &[String]) -> Result<Vec<RunGlobs>, CliError> {
    let mut runs: Vec<RunGlobs> = Vec::new();
    for line in reports.iter().flat_map(|r| r.lines()) {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (platform, glob) = match line.split_once(": ") {
            Some((p, g)) => {
                let spec: PlatformSpec = p
                    .parse()
                    .map_err(|e| CliError::Usage(format!("--reports {line:?}: {e}")))?;
                (Some(spec), g.trim().to_string())
            }
            None => (None, line.to_string()),
        };
        match runs.iter_mut().find(|(p, _)| *p == platform) {
            Some((_, globs)) => globs.push(glob),
            None => runs.push((platform, vec![glob])),
        }
    }
    if runs.is_empty() {
        return Err(CliError::Usage("--reports names no report".into()));
    }
    Ok(runs)
}

/// The files each glob matches, sorted; a glob that matches none is an
/// error naming it (a report that was never written is not "no failures").
pub fn expand(globs: &[String], allow_missing: bool) -> Result<Vec<PathBuf>, CliError> {
    let mut files = Vec::new();
    for pattern in globs {
        let path = Path::new(pattern);
        if path.is_dir() {
            return Err(CliError::File(
                path.to_path_buf(),
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!(
                        "a folder: give its reports, e.g. {}",
                        path.join("*.xml").display()
                    ),
                ),
            ));
        }
        // A file of that very name (brackets included) is that file.
        if path.is_file() {
            files.push(path.to_path_buf());
            continue;
        }
        let matched: Vec<PathBuf> = glob::glob(pattern)
            .map_err(|e| CliError::Usage(format!("--reports {pattern:?}: {e}")))?
            .filter_map(Result::ok)
            .filter(|p| p.is_file())
            .collect();
        if matched.is_empty() && allow_missing {
            eprintln!("greenboard: warning: {pattern}: no report matches");
        } else if matched.is_empty() {
            return Err(CliError::File(
                PathBuf::from(pattern),
                io::Error::new(io::ErrorKind::NotFound, "no report matches"),
            ));
        }
        files.extend(matched);
    }
    files.sort();
    files.dedup();
    Ok(files)
}

/// What the step did, for the benchmark and the tests.
#[derive(Debug, Default)]
pub struct Done {
    /// The runs stored, compared with their bases, and what the summary
    /// says of them.
    pub report: Report,
    /// Time spent on each step.
    pub times: Vec<(&'static str, Duration)>,
    /// Whether the results pass `--fail-on`.
    pub passed: bool,
}

/// Runs the step; `Ok(false)` when `--fail-on` fails the job.
pub fn exec(args: Args) -> Result<bool, CliError> {
    Ok(run(args, &|k| std::env::var(k).ok())?.passed)
}

/// Runs the step with `env` as the environment.
pub fn run(args: Args, env: &dyn Fn(&str) -> Option<String>) -> Result<Done, CliError> {
    let mut done = Done::default();
    let mut clock = Instant::now();
    let mut lap = |done: &mut Done, name| {
        done.times.push((name, clock.elapsed()));
        clock = Instant::now();
    };
    let var = |k: &str| env(k).filter(|v| !v.trim().is_empty());
    let on_github = var("GITHUB_ACTIONS").as_deref() == Some("true");
    let repository = var("GITHUB_REPOSITORY");
    let pages = repository.as_deref().and_then(history::pages_url);
    let is_pr = matches!(
        var("GITHUB_EVENT_NAME").as_deref(),
        Some("pull_request" | "pull_request_target")
    );
    let against = args
        .against
        .clone()
        .or_else(|| is_pr.then(|| var("GITHUB_BASE_REF")).flatten());
    let title = args.title.clone().or_else(|| {
        repository
            .as_deref()
            .map(|r| format!("{} test results", r.rsplit('/').next().unwrap_or(r)))
    });
    // Where the outputs go is checked before anything is fetched or read.
    let earlier_site = match &args.site {
        Some(dir) => site::earlier_site(dir).map_err(|e| CliError::File(dir.clone(), e))?,
        None => false,
    };
    if args.site.is_some() {
        site::explorer()?;
    }
    let summary_to = if args.no_summary {
        None
    } else {
        args.summary
            .clone()
            .or_else(|| var("GITHUB_STEP_SUMMARY").map(PathBuf::from))
            .or(Some(PathBuf::from("-")))
    };
    if let Some(to) = &summary_to
        && to.as_os_str() != "-"
    {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(to)
            .map_err(|e| {
                CliError::File(
                    to.clone(),
                    io::Error::new(
                        e.kind(),
                        format!("the summary cannot be written there: {e}"),
                    ),
                )
            })?;
    }
    let from = match (&args.history, on_github, &args.site) {
        (Some(h), _, _) => Where::parse(h),
        (None, true, _) => pages.clone().map_or(Where::Nowhere, Where::Url),
        // Outside GitHub Actions, a site written before is the history.
        (None, false, Some(dir)) if earlier_site && dir.join("static/datasets.json").is_file() => {
            Where::Path(dir.clone())
        }
        (None, false, _) => Where::Nowhere,
    };
    // Every report is found and read before anything else is done.
    let runs = runs_of(&args.reports)?;
    let mut cases = Vec::new();
    for (platform, globs) in &runs {
        let files = expand(globs, args.allow_missing)?;
        if !files.is_empty() {
            cases.push((platform.clone(), files.len(), read_reports(&files)?));
        }
    }
    if cases.is_empty() {
        return Err(CliError::Usage(
            "no report matches any of --reports: nothing to store".into(),
        ));
    }
    lap(&mut done, "read the reports");

    // The database: the history, then the runs.
    let (db, temporary) = match &args.db {
        Some(db) => {
            if db.exists() && from != Where::Nowhere {
                return Err(CliError::File(
                    db.clone(),
                    io::Error::new(
                        io::ErrorKind::AlreadyExists,
                        "exists: the history is loaded into a new database (remove it, or give --history none to add to it)",
                    ),
                ));
            }
            (db.clone(), None)
        }
        None => {
            let dir = Temporary::new()?;
            (dir.path.join("results.db"), Some(dir))
        }
    };
    let found = history::fetch(&from, title.as_deref()).map_err(|e| {
        CliError::Data(format!(
            "the history cannot be read, so nothing was stored or written: {e}\n  (give --history with where it is, or --history none to start a new one)"
        ))
    })?;
    match found {
        Found::Nothing(_) if db.exists() => {
            let runs: i64 = Connection::open(&db)?
                .query_row("SELECT COUNT(*) FROM test_runs", [], |r| r.get(0))
                .map_err(|e| CliError::Db(db.clone(), e.to_string()))?;
            eprintln!("history: adding to the {runs} runs in {}", db.display());
        }
        Found::Nothing(why) => eprintln!("history: {why}: starting a new history"),
        Found::Data(bytes, source) => {
            lap(&mut done, "fetch the history");
            let (runs, results) = load_history(&db, bytes, &source)?;
            eprintln!("history: {source}: {runs} earlier runs ({results} results)");
        }
    }
    lap(&mut done, "load the history");
    let mut conn = ingest::open(&db).map_err(|e| CliError::Db(db.clone(), e.to_string()))?;
    let detected = context::detect(|k| env(k), git);
    let started_at = now_utc();
    let mut ids = Vec::new();
    for (platform, reports, cases) in &cases {
        let info = RunInfo {
            branch: args.branch.clone().or(detected.branch.clone()),
            commit: args
                .commit
                .clone()
                .or(detected.commit.clone())
                .unwrap_or_else(|| "unknown".to_string()),
            platform: platform
                .clone()
                .or(args.platform.clone())
                .unwrap_or_else(context::this_platform),
            run_url: detected.run_url.clone(),
            started_at: started_at.clone(),
            trigger: detected.trigger.clone(),
            runner_host: detected.runner_host.clone(),
        };
        let stored = ingest::ingest(&mut conn, &info, cases)
            .map_err(|e| CliError::Db(db.clone(), e.to_string()))?;
        eprintln!(
            "run {} stored: {} on {}, commit {}: {} results ({} passed, {} failed, {} skipped) from {reports} report(s)",
            stored.run_id,
            info.branch.as_deref().unwrap_or("(no branch)"),
            info.platform,
            info.commit,
            stored.results,
            stored.passed,
            stored.failed,
            stored.skipped
        );
        ids.push(stored.run_id);
    }
    lap(&mut done, "ingest the run");

    done.report = summary::report(&conn, &ids, against.as_deref())?;
    drop(conn);
    let site_url = args.site_url.clone().or(match &from {
        Where::Url(u) if !history::is_data_name(u) => Some(u.clone()),
        _ => None,
    });
    let markdown = summary::markdown(&done.report, &Links { site: site_url });
    if let Some(to) = summary_to {
        append(&to, &markdown)?;
    }
    lap(&mut done, "write the summary");

    if let Some(dir) = &args.site {
        let datasets = site::name(
            &[site::Input::Db(db.clone())],
            title.as_deref(),
            site::Form::Dump,
        );
        site::write(dir, site::explorer()?, &datasets)?;
        eprintln!("site: {} written with the whole history", dir.display());
    }
    lap(&mut done, "export and write the site");
    drop(temporary);

    let new = done
        .report
        .runs
        .iter()
        .map(|c| c.new_failures.len())
        .sum::<usize>();
    let regressions = done
        .report
        .runs
        .iter()
        .map(|c| c.regressions().count())
        .sum::<usize>();
    done.passed = match args.fail_on {
        FailOn::None => true,
        FailOn::NewFailures => new == 0,
        FailOn::Regressions => regressions == 0,
    };
    if !done.passed {
        eprintln!(
            "failing the job (--fail-on {}): {new} new failure(s), {regressions} of them regression(s)",
            args.fail_on
                .to_possible_value()
                .map(|v| v.get_name().to_string())
                .unwrap_or_default()
        );
    }
    Ok(done)
}

/// Loads the history's `bytes` (a database, or a dump plain or gzip) into
/// the new database `db`; returns how many runs and results it holds.
fn load_history(db: &Path, bytes: Vec<u8>, source: &str) -> Result<(i64, i64), CliError> {
    let bytes = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut text = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut text)
            .map_err(|e| CliError::Fetch(source.to_string(), format!("not gzip: {e}")))?;
        text
    } else {
        bytes
    };
    if attach::is_database_file(&bytes) {
        std::fs::write(db, &bytes).map_err(|e| CliError::File(db.to_path_buf(), e))?;
    } else {
        let text = text_of(Path::new(source), bytes)?;
        let conn = Connection::open(db)?;
        conn.execute_batch("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")?;
        load_str(&conn, &text, OnError::Stop)
            .map_err(|e| CliError::Load(PathBuf::from(source), e))?;
    }
    let conn = Connection::open(db)?;
    conn.query_row(
        "SELECT (SELECT COUNT(*) FROM test_runs), (SELECT COUNT(*) FROM test_results)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .map_err(|e| {
        CliError::Fetch(
            source.to_string(),
            format!("not a history of greenboard's schema: {e}"),
        )
    })
}

/// Appends `text` to `path` (`-`: standard output).
fn append(path: &Path, text: &str) -> Result<(), CliError> {
    if path.as_os_str() == "-" {
        print!("{text}");
        return Ok(io::stdout().flush()?);
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| CliError::File(path.to_path_buf(), e))?;
    // After what earlier steps wrote, as a paragraph of its own.
    let after = std::fs::metadata(path).map_or(0, |m| m.len()) > 0;
    let text = if after {
        format!("\n{text}")
    } else {
        text.to_string()
    };
    file.write_all(text.as_bytes())
        .map_err(|e| CliError::File(path.to_path_buf(), e))
}

/// A folder of its own under the system's temporary folder, removed when
/// dropped.
struct Temporary {
    path: PathBuf,
}

impl Temporary {
    fn new() -> Result<Self, CliError> {
        let base = std::env::temp_dir();
        for n in 0..100 {
            let path = base.join(format!("greenboard-ci-{}-{n}", std::process::id()));
            match std::fs::create_dir(&path) {
                Ok(()) => return Ok(Temporary { path }),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(CliError::File(path, e)),
            }
        }
        Err(CliError::File(
            base,
            io::Error::new(io::ErrorKind::AlreadyExists, "no free name for a folder"),
        ))
    }
}

impl Drop for Temporary {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lines with and without a platform: one run each platform.
    #[test]
    fn reports_by_platform() {
        let runs = runs_of(&[
            "a/*.xml\n# a comment\n\nwindows/x86_64: w/*.xml".to_string(),
            "b/*.xml".to_string(),
            "windows/x86_64: w2/*.xml".to_string(),
        ])
        .unwrap();
        assert_eq!(runs.len(), 2);
        assert_eq!(runs[0].0, None);
        assert_eq!(runs[0].1, ["a/*.xml", "b/*.xml"]);
        assert_eq!(
            runs[1].0.as_ref().unwrap().to_string(),
            "windows/x86_64/native"
        );
        assert_eq!(runs[1].1, ["w/*.xml", "w2/*.xml"]);
        assert!(runs_of(&["\n# nothing\n".to_string()]).is_err());
    }
}
