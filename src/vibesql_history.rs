//! VibeSQL's published conformance history as a dump of its SQLLogicTest
//! results schema (seed 003).
//!
//! VibeSQL's repository publishes its test results as JSON files that
//! change with each run: the SQLLogicTest badges (`sqllogictest_results.json`,
//! `sqllogictest_cumulative.json`, `sqllogictest_summary.json`, a history
//! file), the SQLite TCL results (`tcl_results.json`) and the web demo's
//! `dashboard.json`. A folder holds versions of them, each as
//! `<commit>/<path>`, listed in its `versions.tsv` with the commit that
//! published it, that commit's time and its branch.
//!
//! Each version gives one observation per suite it reports on; the
//! observations of one commit and suite that give the same counts are one
//! run (a commit that published the cumulative file, the summary and the
//! badge of one run), and those that differ are runs of their own. Nothing
//! is made up: a field a file does not give stays NULL. File outcomes are
//! those the files list, with VibeSQL's own categories
//! (`categorize_test_file` of its `scripts/process_test_results.py`).
//!
//! The result is written in VibeSQL's `save_sql_dump` dialect
//! ([`write_vibesql_dump`]) or stored in SQLite ([`store`]) for
//! `sqlite3 .dump`'s.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use rusqlite::Connection;
use rusqlite::types::{ToSqlOutput, Value as SqlValue};
use serde_json::Value;

/// Where the files come from.
pub const SOURCE_REPOSITORY: &str = "https://github.com/rjwalters/vibesql";

/// The list of file versions in an input folder.
pub const MANIFEST: &str = "versions.tsv";

/// What can go wrong reading the history.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// A file that cannot be read.
    #[error("{0}: {1}")]
    Io(PathBuf, io::Error),
    /// A line of the manifest that is not `commit, time, branch, path`.
    #[error("{path}:{line}: {reason}")]
    Manifest {
        /// The manifest.
        path: PathBuf,
        /// Its line (from 1).
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// A file version that is not JSON.
    #[error("{path}: line {line}, column {column}: {reason}")]
    Json {
        /// The file.
        path: PathBuf,
        /// Where the JSON stops making sense.
        line: usize,
        /// Its column.
        column: usize,
        /// serde_json's words.
        reason: String,
    },
    /// A field that is there but not what the file's kind has there, or a
    /// file of no known kind.
    #[error("{path} (commit {commit}): {field}: {reason}")]
    Field {
        /// The file's path in VibeSQL's repository.
        path: String,
        /// The commit that published it.
        commit: String,
        /// The JSON pointer of the field (or the file's name).
        field: String,
        /// What is wrong with it.
        reason: String,
    },
    /// SQLite refused to store the rows.
    #[error("storing the history: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

/// One published version of one file.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The commit that published it (40 hex digits).
    pub commit: String,
    /// That commit's time in UTC (`YYYY-MM-DD HH:MM:SS`), when known.
    pub committed_at: Option<String>,
    /// The branch it was published on, when known.
    pub branch: Option<String>,
    /// Its path in VibeSQL's repository.
    pub path: String,
    /// Its content.
    pub json: Value,
}

impl SourceFile {
    /// Parses `text`, the version of `path` published by `commit`; errors
    /// name `file`, where the text was read.
    pub fn parse(
        file: &Path,
        commit: &str,
        committed_at: Option<String>,
        branch: Option<String>,
        path: &str,
        text: &str,
    ) -> Result<SourceFile, HistoryError> {
        let json = serde_json::from_str(text).map_err(|e| HistoryError::Json {
            path: file.to_path_buf(),
            line: e.line(),
            column: e.column(),
            reason: e.to_string(),
        })?;
        Ok(SourceFile {
            commit: commit.to_string(),
            committed_at,
            branch,
            path: path.to_string(),
            json,
        })
    }

    fn error(&self, field: &str, reason: impl Into<String>) -> HistoryError {
        HistoryError::Field {
            path: self.path.clone(),
            commit: self.commit.clone(),
            field: field.to_string(),
            reason: reason.into(),
        }
    }

    /// The value at JSON pointer `at`, `None` when absent or null.
    fn get(&self, at: &str) -> Option<&Value> {
        self.json.pointer(at).filter(|v| !v.is_null())
    }

    fn int(&self, at: &str) -> Result<Option<i64>, HistoryError> {
        self.get(at)
            .map(|v| v.as_i64().ok_or_else(|| self.error(at, "not an integer")))
            .transpose()
    }

    fn num(&self, at: &str) -> Result<Option<f64>, HistoryError> {
        self.get(at)
            .map(|v| v.as_f64().ok_or_else(|| self.error(at, "not a number")))
            .transpose()
    }

    fn text(&self, at: &str) -> Result<Option<&str>, HistoryError> {
        self.get(at)
            .map(|v| v.as_str().ok_or_else(|| self.error(at, "not a string")))
            .transpose()
    }

    /// A time the file states, as VibeSQL writes timestamps
    /// (`YYYY-MM-DD HH:MM:SS[.ffffff]`, in the file's own zone).
    fn time(&self, at: &str) -> Result<Option<String>, HistoryError> {
        self.text(at)?
            .map(|t| timestamp(t).ok_or_else(|| self.error(at, format!("not a time: {t:?}"))))
            .transpose()
    }

    fn list(&self, at: &str) -> Result<&[Value], HistoryError> {
        match self.get(at) {
            None => Ok(&[]),
            Some(v) => v
                .as_array()
                .map(Vec::as_slice)
                .ok_or_else(|| self.error(at, "not a list")),
        }
    }

    fn object(&self, at: &str) -> Result<Option<&serde_json::Map<String, Value>>, HistoryError> {
        self.get(at)
            .map(|v| v.as_object().ok_or_else(|| self.error(at, "not an object")))
            .transpose()
    }

    /// The file's name (the last part of its path).
    fn name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(&self.path)
    }
}

/// An ISO 8601 time as VibeSQL writes a timestamp: the `T` becomes a space,
/// a final `Z` goes. `None` for what is not a time.
fn timestamp(iso: &str) -> Option<String> {
    let b = iso.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    let shaped = b.len() >= 19
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && (b[10] == b'T' || b[10] == b' ')
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19);
    shaped.then(|| {
        let t = iso.strip_suffix('Z').unwrap_or(iso);
        format!("{} {}", &t[..10], &t[11..])
    })
}

/// Reads the folder's manifest and every file version it lists.
pub fn read_dir(dir: &Path) -> Result<Vec<SourceFile>, HistoryError> {
    let manifest = dir.join(MANIFEST);
    let text = fs::read_to_string(&manifest).map_err(|e| HistoryError::Io(manifest.clone(), e))?;
    let mut files = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let bad = |reason: &str| HistoryError::Manifest {
            path: manifest.clone(),
            line: n + 1,
            reason: reason.to_string(),
        };
        let fields: Vec<&str> = line.split('\t').collect();
        let [commit, committed_at, branch, path] = fields[..] else {
            return Err(bad(
                "expected 4 fields separated by tabs: commit, time, branch, path",
            ));
        };
        if commit.len() != 40 || !commit.bytes().all(|c| c.is_ascii_hexdigit()) {
            return Err(bad("the commit is not 40 hex digits"));
        }
        if path.split('/').any(|p| p.is_empty() || p == "..") {
            return Err(bad("the path is not a path inside the repository"));
        }
        let known = |s: &str| (s != "-").then(|| s.to_string());
        let committed_at = known(committed_at);
        if committed_at
            .as_deref()
            .is_some_and(|t| timestamp(t).is_none())
        {
            return Err(bad("the time is not YYYY-MM-DD HH:MM:SS"));
        }
        let file = dir.join(commit).join(path);
        let text = fs::read_to_string(&file).map_err(|e| HistoryError::Io(file.clone(), e))?;
        files.push(SourceFile::parse(
            &file,
            commit,
            committed_at,
            known(branch),
            path,
            &text,
        )?);
    }
    Ok(files)
}

/// The date the history was taken, from the manifest's `# taken:` line.
pub fn taken(dir: &Path) -> Result<Option<String>, HistoryError> {
    let manifest = dir.join(MANIFEST);
    let text = fs::read_to_string(&manifest).map_err(|e| HistoryError::Io(manifest.clone(), e))?;
    Ok(text
        .lines()
        .find_map(|l| l.strip_prefix("# taken:"))
        .map(|d| d.trim().to_string()))
}

/// The suites VibeSQL publishes results of.
pub const SUITES: [&str; 3] = ["SQLLogicTest", "SQLite TCL", "PostgreSQL regress"];

/// What one file version says about one run of one suite.
#[derive(Debug, Clone, Default, PartialEq)]
struct Observation {
    suite: &'static str,
    started_at: Option<String>,
    completed_at: Option<String>,
    /// Files: total, passed, failed, untested.
    files: [Option<i64>; 4],
    /// Tests: total, passed, failed, skipped.
    tests: [Option<i64>; 4],
    pass_rate: Option<f64>,
    git_commit: Option<String>,
    source_run_id: Option<i64>,
    outcomes: Vec<Outcome>,
}

impl Observation {
    /// Whether `other` reports the same run (same counts).
    fn same_run(&self, other: &Observation) -> bool {
        self.suite == other.suite && self.files == other.files && self.tests == other.tests
    }
}

/// A file's outcome in a run.
#[derive(Debug, Clone, PartialEq)]
struct Outcome {
    file_path: String,
    category: String,
    subcategory: Option<String>,
    status: &'static str,
    error_message: Option<String>,
}

/// VibeSQL's category and subcategory of an SQLLogicTest file
/// (`categorize_test_file` in its `scripts/process_test_results.py`).
pub fn categorize(file_path: &str) -> (String, String) {
    let parts: Vec<&str> = file_path.split('/').filter(|p| !p.is_empty()).collect();
    let Some(first) = parts.first() else {
        return ("other".into(), "root".into());
    };
    let category = if ["index", "random", "evidence", "select", "ddl"].contains(first) {
        first
    } else {
        "other"
    };
    (
        category.to_string(),
        parts.get(1).unwrap_or(&"root").to_string(),
    )
}

/// A status from pass / fail / skip counts: any failure fails, else any
/// pass passes, else the file ran nothing.
fn status_of(passed: i64, failed: i64) -> &'static str {
    if failed > 0 {
        "FAIL"
    } else if passed > 0 {
        "PASS"
    } else {
        "UNTESTED"
    }
}

/// The observations of one file version.
fn observations(src: &SourceFile) -> Result<Vec<Observation>, HistoryError> {
    let name = src.name();
    if name == "sqllogictest_results.json" {
        slt_badge(src).map(|o| vec![o])
    } else if name == "sqllogictest_cumulative.json" || name.starts_with("sqllogictest_results_") {
        slt_files(src).map(|o| vec![o])
    } else if name == "sqllogictest_summary.json" {
        slt_summary(src).map(|o| vec![o])
    } else if name == "tcl_results.json" {
        tcl(src).map(|o| vec![o])
    } else if name == "dashboard.json" {
        dashboard(src)
    } else {
        Err(src.error(name, "not a kind of results file this reads"))
    }
}

/// `web-demo/public/badges/sqllogictest_results.json`: counts of files,
/// no time.
fn slt_badge(src: &SourceFile) -> Result<Observation, HistoryError> {
    let total = match src.int("/total_available")? {
        Some(t) => Some(t),
        None => src.int("/total")?,
    };
    Ok(Observation {
        suite: SUITES[0],
        files: [
            total,
            src.int("/passed")?,
            src.int("/failed")?,
            src.int("/untested")?,
        ],
        pass_rate: src.num("/pass_rate")?,
        ..Observation::default()
    })
}

/// `sqllogictest_cumulative.json` and the history files: counts and the
/// files that passed, failed or timed out, with the first error of each
/// failure that has one.
fn slt_files(src: &SourceFile) -> Result<Observation, HistoryError> {
    let time = src.time("/timestamp")?;
    let mut errors = BTreeMap::new();
    for f in src.list("/detailed_failures")? {
        let path = f.get("file_path").and_then(Value::as_str);
        let message = f
            .pointer("/failures/0/error_message")
            .and_then(Value::as_str);
        if let (Some(path), Some(message)) = (path, message) {
            errors
                .entry(path.to_string())
                .or_insert_with(|| message.to_string());
        }
    }
    let mut outcomes = Vec::new();
    for (list, status) in [
        ("passed", "PASS"),
        ("failed", "FAIL"),
        ("timed_out", "TIMEOUT"),
    ] {
        let at = format!("/tested_files/{list}");
        for v in src.list(&at)? {
            let path = v
                .as_str()
                .ok_or_else(|| src.error(&at, "lists something not a path"))?;
            let (category, subcategory) = categorize(path);
            outcomes.push(Outcome {
                file_path: path.to_string(),
                category,
                subcategory: Some(subcategory),
                status,
                error_message: (status != "PASS")
                    .then(|| errors.get(path).cloned())
                    .flatten(),
            });
        }
    }
    Ok(Observation {
        suite: SUITES[0],
        started_at: time.clone(),
        completed_at: time,
        files: [
            src.int("/summary/total_available_files")?,
            src.int("/summary/passed")?,
            src.int("/summary/failed")?,
            src.int("/summary/untested")?,
        ],
        pass_rate: src.num("/summary/pass_rate")?,
        outcomes,
        ..Observation::default()
    })
}

/// `sqllogictest_summary.json`: counts of files (and per category, which
/// the file lists of the same run give too).
fn slt_summary(src: &SourceFile) -> Result<Observation, HistoryError> {
    let time = src.time("/timestamp")?;
    Ok(Observation {
        suite: SUITES[0],
        started_at: time.clone(),
        completed_at: time,
        files: [
            src.int("/total_files")?,
            src.int("/summary/passed")?,
            src.int("/summary/failed")?,
            src.int("/summary/untested")?,
        ],
        ..Observation::default()
    })
}

/// `web-demo/public/conformance/tcl_results.json`: the latest run of the
/// SQLite TCL tests, with its files when the file lists them.
fn tcl(src: &SourceFile) -> Result<Observation, HistoryError> {
    let mut outcomes = Vec::new();
    for i in 0..src.list("/by_file")?.len() {
        let at = |field: &str| format!("/by_file/{i}/{field}");
        let path = src
            .text(&at("path"))?
            .ok_or_else(|| src.error(&at("path"), "missing"))?;
        let name = path.rsplit('/').next().unwrap_or(path);
        let stem = name.strip_suffix(".test").unwrap_or(name);
        let category = stem.trim_end_matches(|c: char| c.is_ascii_digit());
        outcomes.push(Outcome {
            file_path: path.to_string(),
            category: "tcl".into(),
            subcategory: Some(
                if category.is_empty() {
                    "other"
                } else {
                    category
                }
                .to_string(),
            ),
            status: status_of(
                src.int(&at("passed"))?.unwrap_or(0),
                src.int(&at("failed"))?.unwrap_or(0),
            ),
            error_message: None,
        });
    }
    Ok(Observation {
        suite: SUITES[1],
        started_at: src.time("/latest_run/started_at")?,
        completed_at: src.time("/latest_run/completed_at")?,
        files: [src.int("/latest_run/total_files")?, None, None, None],
        tests: [
            src.int("/latest_run/total_tests")?,
            src.int("/latest_run/passed")?,
            src.int("/latest_run/failed")?,
            src.int("/latest_run/skipped")?,
        ],
        pass_rate: src.num("/summary/pass_rate")?,
        git_commit: src.text("/latest_run/git_commit")?.map(str::to_string),
        source_run_id: src.int("/latest_run/run_id")?,
        outcomes,
    })
}

/// `web-demo/public/data/dashboard.json`: SQLLogicTest's test counts, the
/// TCL summary and the PostgreSQL regression files, when it gives them.
/// Its SQLLogicTest file counts are not used: beside a 100 % pass rate it
/// gives `files_passing` 1 of 622.
fn dashboard(src: &SourceFile) -> Result<Vec<Observation>, HistoryError> {
    let time = src.time("/generated_at")?;
    let timeline = src.list("/timeline")?;
    let git_commit = match timeline.len() {
        0 => None,
        n => src
            .text(&format!("/timeline/{}/commit", n - 1))?
            .map(str::to_string),
    };
    let base = Observation {
        started_at: time.clone(),
        completed_at: time,
        git_commit,
        ..Observation::default()
    };
    let mut out = Vec::new();
    if let Some(rate) = src.num("/conformance/summary/pass_rate")? {
        out.push(Observation {
            suite: SUITES[0],
            files: [src.int("/conformance/files/total")?, None, None, None],
            tests: [
                src.int("/conformance/summary/total_tests")?,
                src.int("/conformance/summary/passing")?,
                src.int("/conformance/summary/failing")?,
                None,
            ],
            pass_rate: Some(rate),
            ..base.clone()
        });
    }
    if src.object("/summary/tcl")?.is_some() {
        out.push(Observation {
            suite: SUITES[1],
            tests: [
                src.int("/summary/tcl/total_tests")?,
                src.int("/summary/tcl/passed")?,
                src.int("/summary/tcl/failed")?,
                src.int("/summary/tcl/skipped")?,
            ],
            pass_rate: src.num("/summary/tcl/pass_rate")?,
            ..base.clone()
        });
    }
    if src.object("/conformance/pgsql_regress")?.is_some() {
        let mut outcomes = Vec::new();
        if let Some(files) = src.object("/conformance/pgsql_regress/files")? {
            for name in files.keys() {
                let at = |field: &str| format!("/conformance/pgsql_regress/files/{name}/{field}");
                outcomes.push(Outcome {
                    file_path: name.clone(),
                    category: "pgsql_regress".into(),
                    subcategory: None,
                    status: status_of(
                        src.int(&at("passed"))?.unwrap_or(0),
                        src.int(&at("failed"))?.unwrap_or(0),
                    ),
                    error_message: None,
                });
            }
        }
        let count = |status: &str| outcomes.iter().filter(|o| o.status == status).count() as i64;
        let s = "/conformance/pgsql_regress/summary";
        out.push(Observation {
            suite: SUITES[2],
            files: [
                Some(outcomes.len() as i64),
                Some(count("PASS")),
                Some(count("FAIL")),
                Some(count("UNTESTED")),
            ],
            tests: [
                src.int(&format!("{s}/total_tests"))?,
                src.int(&format!("{s}/passing"))?,
                src.int(&format!("{s}/failing"))?,
                src.int(&format!("{s}/skipped"))?,
            ],
            pass_rate: src.num(&format!("{s}/pass_rate"))?,
            outcomes,
            ..base
        });
    }
    Ok(out)
}

/// A value of a row, as both dialects write it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// NULL.
    Null,
    /// An integer.
    Int(i64),
    /// A real number.
    Real(f64),
    /// Text.
    Text(String),
    /// A timestamp (`TIMESTAMP '…'` in VibeSQL's dialect, text in SQLite).
    Time(String),
}

impl rusqlite::ToSql for Cell {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Owned(match self {
            Cell::Null => SqlValue::Null,
            Cell::Int(i) => SqlValue::Integer(*i),
            Cell::Real(r) => SqlValue::Real(*r),
            Cell::Text(t) | Cell::Time(t) => SqlValue::Text(t.clone()),
        }))
    }
}

fn opt_int(v: Option<i64>) -> Cell {
    v.map_or(Cell::Null, Cell::Int)
}

fn opt_text(v: Option<&str>) -> Cell {
    v.map_or(Cell::Null, |t| Cell::Text(t.to_string()))
}

fn opt_time(v: Option<&str>) -> Cell {
    v.map_or(Cell::Null, |t| Cell::Time(t.to_string()))
}

/// A table of the dump: its name, columns, foreign keys and rows.
#[derive(Debug, Clone)]
pub struct Table {
    /// The table's name.
    pub name: &'static str,
    /// Its columns, with seed 003's types and keys.
    pub columns: &'static [Column],
    /// Its foreign keys, as clauses of `CREATE TABLE`.
    pub foreign_keys: &'static [&'static str],
    /// The rows, in order.
    pub rows: Vec<Vec<Cell>>,
}

/// The history as the dump's tables: `test_files`, `test_runs`,
/// `test_results` (seed 003's), `run_sources` (which files each run
/// comes from) and `_greenboard_presets` (the dataset's own charts).
#[derive(Debug, Clone)]
pub struct History {
    /// The tables, in the order they are written.
    pub tables: Vec<Table>,
}

/// A column: its name, its type and whether it is the primary key, NOT
/// NULL or neither.
pub type Column = (&'static str, &'static str, Key);

/// A column's constraint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// The primary key (NOT NULL in VibeSQL's dump, which writes no keys).
    Primary,
    /// NOT NULL.
    NotNull,
    /// Nothing.
    Null,
}

const TEST_FILES: &[Column] = &[
    ("file_path", "VARCHAR(500)", Key::Primary),
    ("category", "VARCHAR(50)", Key::NotNull),
    ("subcategory", "VARCHAR(50)", Key::Null),
    ("status", "VARCHAR(20)", Key::NotNull),
    ("last_tested", "TIMESTAMP", Key::Null),
    ("last_passed", "TIMESTAMP", Key::Null),
];

const TEST_RUNS: &[Column] = &[
    ("run_id", "INTEGER", Key::Primary),
    ("started_at", "TIMESTAMP", Key::NotNull),
    ("completed_at", "TIMESTAMP", Key::Null),
    ("total_files", "INTEGER", Key::Null),
    ("passed", "INTEGER", Key::Null),
    ("failed", "INTEGER", Key::Null),
    ("untested", "INTEGER", Key::Null),
    ("git_commit", "VARCHAR(40)", Key::Null),
    ("branch_name", "VARCHAR(200)", Key::Null),
    ("ci_run_id", "VARCHAR(100)", Key::Null),
];

const TEST_RESULTS: &[Column] = &[
    ("result_id", "INTEGER", Key::Primary),
    ("run_id", "INTEGER", Key::NotNull),
    ("file_path", "VARCHAR(500)", Key::NotNull),
    ("status", "VARCHAR(20)", Key::NotNull),
    ("tested_at", "TIMESTAMP", Key::NotNull),
    ("duration_ms", "INTEGER", Key::Null),
    ("error_message", "VARCHAR(2000)", Key::Null),
];

const RUN_SOURCES: &[Column] = &[
    ("run_id", "INTEGER", Key::NotNull),
    ("suite", "VARCHAR(50)", Key::NotNull),
    ("source_path", "VARCHAR(200)", Key::NotNull),
    ("source_commit", "VARCHAR(40)", Key::NotNull),
    ("committed_at", "TIMESTAMP", Key::Null),
    ("pass_rate", "REAL", Key::Null),
    ("tests_total", "INTEGER", Key::Null),
    ("tests_passed", "INTEGER", Key::Null),
    ("tests_failed", "INTEGER", Key::Null),
    ("tests_skipped", "INTEGER", Key::Null),
    ("source_run_id", "INTEGER", Key::Null),
];

const PRESETS: &[Column] = &[
    ("title", "VARCHAR(200)", Key::Null),
    ("description", "VARCHAR(500)", Key::Null),
    ("sql", "VARCHAR(4000)", Key::Null),
    ("chart", "VARCHAR(200)", Key::Null),
    ("position", "INTEGER", Key::Null),
];

/// The dataset's own presets: its dashboard (pass rate over time by suite,
/// and by category) and where each run comes from.
const OWN_PRESETS: &[(&str, &str, &str, Option<&str>)] = &[
    (
        "Pass rate over time, by suite",
        "The pass rate each published run states, SQLLogicTest (files), SQLite TCL and PostgreSQL regress (tests).",
        "SELECT substr(r.completed_at, 1, 16) AS published, s.suite, MAX(s.pass_rate) AS pass_rate_pct
FROM test_runs r JOIN run_sources s ON s.run_id = r.run_id
WHERE s.pass_rate IS NOT NULL
GROUP BY r.run_id
ORDER BY r.completed_at, s.suite;",
        Some("line:x=published,y=pass_rate_pct,series=suite"),
    ),
    (
        "Pass rate by category, per run",
        "Files passing per category in each run that lists its files.",
        "SELECT substr(r.completed_at, 1, 16) AS published, f.category,
       COUNT(*) AS files,
       ROUND(100.0 * SUM(t.status = 'PASS') / COUNT(*), 1) AS pass_rate_pct
FROM test_results t
JOIN test_files f ON f.file_path = t.file_path
JOIN test_runs r ON r.run_id = t.run_id
GROUP BY r.run_id, f.category
ORDER BY r.completed_at, f.category;",
        Some("heatmap:x=published,y=pass_rate_pct,series=category"),
    ),
    (
        "Where each run comes from",
        "Each run with the published files it was read from and the commits.",
        "SELECT r.run_id, r.started_at, s.suite, r.total_files, r.passed, r.failed, r.untested,
       s.tests_total, s.tests_passed, s.pass_rate, r.git_commit AS tested_commit,
       s.source_path, s.source_commit, s.committed_at
FROM test_runs r JOIN run_sources s ON s.run_id = r.run_id
ORDER BY r.run_id, s.source_path;",
        None,
    ),
];

/// Seed 003's foreign keys, and run_sources' own.
const RESULT_KEYS: &[&str] = &[
    "FOREIGN KEY (run_id) REFERENCES test_runs(run_id)",
    "FOREIGN KEY (file_path) REFERENCES test_files(file_path)",
];
const SOURCE_KEYS: &[&str] = &["FOREIGN KEY (run_id) REFERENCES test_runs(run_id)"];

/// A run: its observations (with the file each comes from).
struct Run<'a> {
    suite: &'static str,
    seen: Vec<(&'a SourceFile, Observation)>,
}

impl Run<'_> {
    /// The observation that leads: the first with file outcomes, else the first.
    fn lead(&self) -> &Observation {
        self.seen
            .iter()
            .map(|(_, o)| o)
            .find(|o| !o.outcomes.is_empty())
            .unwrap_or(&self.seen[0].1)
    }

    /// When it ran: the time its files state (the leading file's first),
    /// else the time of the commit that published it.
    fn times(&self) -> Option<(String, String)> {
        let stated = std::iter::once(self.lead())
            .chain(self.seen.iter().map(|(_, o)| o))
            .find_map(|o| Some((o.started_at.clone()?, o.completed_at.clone())));
        match stated {
            Some((started, completed)) => Some((started.clone(), completed.unwrap_or(started))),
            None => {
                let at = self.seen.iter().find_map(|(f, _)| f.committed_at.clone())?;
                Some((at.clone(), at))
            }
        }
    }
}

/// Turns the file versions into the dump's tables.
pub fn convert(sources: &[SourceFile]) -> Result<History, HistoryError> {
    let mut runs: Vec<Run> = Vec::new();
    for src in sources {
        for obs in observations(src)? {
            match runs
                .iter_mut()
                .find(|r| r.seen[0].0.commit == src.commit && r.seen[0].1.same_run(&obs))
            {
                Some(run) => run.seen.push((src, obs)),
                None => runs.push(Run {
                    suite: obs.suite,
                    seen: vec![(src, obs)],
                }),
            }
        }
    }
    let mut dated = Vec::new();
    for run in runs {
        let Some((started, completed)) = run.times() else {
            let (src, _) = run.seen[0];
            return Err(src.error("/", "states no time, and its commit's time is not known"));
        };
        dated.push((started, completed, run));
    }
    dated.sort_by(|a, b| {
        (&a.0, a.2.suite, &a.2.seen[0].0.commit).cmp(&(&b.0, b.2.suite, &b.2.seen[0].0.commit))
    });

    let mut test_runs = Vec::new();
    let mut test_results = Vec::new();
    let mut run_sources = Vec::new();
    let mut files: BTreeMap<String, (Outcome, String, Option<String>)> = BTreeMap::new();
    for (i, (started, completed, run)) in dated.iter().enumerate() {
        let run_id = i as i64 + 1;
        let lead = run.lead();
        let first =
            |f: &dyn Fn(&Observation) -> Option<i64>| run.seen.iter().find_map(|(_, o)| f(o));
        let git_commit = run.seen.iter().find_map(|(_, o)| o.git_commit.clone());
        let branch = run.seen.iter().find_map(|(s, _)| s.branch.clone());
        test_runs.push(vec![
            Cell::Int(run_id),
            Cell::Time(started.clone()),
            Cell::Time(completed.clone()),
            opt_int(first(&|o| o.files[0])),
            opt_int(first(&|o| o.files[1])),
            opt_int(first(&|o| o.files[2])),
            opt_int(first(&|o| o.files[3])),
            opt_text(git_commit.as_deref()),
            opt_text(branch.as_deref()),
            Cell::Null,
        ]);
        let mut outcomes = lead.outcomes.clone();
        outcomes.sort_by(|a, b| a.file_path.cmp(&b.file_path));
        for o in outcomes {
            test_results.push(vec![
                Cell::Int(test_results.len() as i64 + 1),
                Cell::Int(run_id),
                Cell::Text(o.file_path.clone()),
                Cell::Text(o.status.to_string()),
                Cell::Time(completed.clone()),
                Cell::Null,
                opt_text(o.error_message.as_deref()),
            ]);
            let passed = files.get(&o.file_path).and_then(|f| f.2.clone());
            let passed = if o.status == "PASS" {
                Some(completed.clone())
            } else {
                passed
            };
            files.insert(o.file_path.clone(), (o, completed.clone(), passed));
        }
        for (src, o) in &run.seen {
            run_sources.push(vec![
                Cell::Int(run_id),
                Cell::Text(o.suite.to_string()),
                Cell::Text(src.path.clone()),
                Cell::Text(src.commit.clone()),
                opt_time(src.committed_at.as_deref()),
                o.pass_rate.map_or(Cell::Null, Cell::Real),
                opt_int(o.tests[0]),
                opt_int(o.tests[1]),
                opt_int(o.tests[2]),
                opt_int(o.tests[3]),
                opt_int(o.source_run_id),
            ]);
        }
    }
    let test_files = files
        .into_values()
        .map(|(o, tested, passed)| {
            vec![
                Cell::Text(o.file_path),
                Cell::Text(o.category),
                opt_text(o.subcategory.as_deref()),
                Cell::Text(o.status.to_string()),
                Cell::Time(tested),
                opt_time(passed.as_deref()),
            ]
        })
        .collect();
    let presets = OWN_PRESETS
        .iter()
        .zip(1..)
        .map(|(&(title, description, sql, chart), position)| {
            vec![
                Cell::Text(title.into()),
                Cell::Text(description.into()),
                Cell::Text(sql.into()),
                opt_text(chart),
                Cell::Int(position),
            ]
        })
        .collect();
    let table = |name, columns, foreign_keys, rows| Table {
        name,
        columns,
        foreign_keys,
        rows,
    };
    Ok(History {
        tables: vec![
            table("test_files", TEST_FILES, &[], test_files),
            table("test_runs", TEST_RUNS, &[], test_runs),
            table("test_results", TEST_RESULTS, RESULT_KEYS, test_results),
            table("run_sources", RUN_SOURCES, SOURCE_KEYS, run_sources),
            table("_greenboard_presets", PRESETS, &[], presets),
        ],
    })
}

impl Table {
    /// Its `CREATE TABLE` in SQLite, with seed 003's keys.
    pub fn create_sqlite(&self) -> String {
        let columns = self.columns.iter().map(|(name, ty, key)| match key {
            Key::Primary => format!("    {name} {ty} PRIMARY KEY"),
            Key::NotNull => format!("    {name} {ty} NOT NULL"),
            Key::Null => format!("    {name} {ty}"),
        });
        let keys = self.foreign_keys.iter().map(|k| format!("    {k}"));
        let body: Vec<String> = columns.chain(keys).collect();
        format!("CREATE TABLE {} (\n{}\n)", self.name, body.join(",\n"))
    }
}

impl History {
    /// The table named `name`.
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == name)
    }
}

/// Stores the history's tables in `conn` (for `sqlite3 .dump`'s dialect,
/// through greenboard's exporter).
pub fn store(history: &History, conn: &Connection) -> Result<(), HistoryError> {
    let tx = conn.unchecked_transaction()?;
    for t in &history.tables {
        tx.execute_batch(&format!("{};", t.create_sqlite()))?;
        let marks = vec!["?"; t.columns.len()].join(", ");
        let mut insert = tx.prepare(&format!("INSERT INTO {} VALUES ({marks})", t.name))?;
        for row in &t.rows {
            insert.execute(rusqlite::params_from_iter(row))?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// A value as VibeSQL's `save_sql_dump` writes it (`sql_value_to_literal`).
fn vibesql_literal(cell: &Cell) -> String {
    match cell {
        Cell::Null => "NULL".into(),
        Cell::Int(i) => i.to_string(),
        Cell::Real(r) => r.to_string(),
        Cell::Text(t) => format!("'{}'", t.replace('\'', "''")),
        Cell::Time(t) => format!("TIMESTAMP '{t}'"),
    }
}

/// Writes the history as VibeSQL's `save_sql_dump` does: its header (with
/// `generated` as the time), no schemas or roles, each table's
/// `CREATE TABLE` and its rows as one `INSERT` each, no indexes.
pub fn write_vibesql_dump(
    history: &History,
    generated: &str,
    out: &mut dyn Write,
) -> io::Result<()> {
    writeln!(out, "-- VibeSQL Database Dump")?;
    writeln!(out, "-- Generated: {generated}")?;
    writeln!(out, "--")?;
    writeln!(out)?;
    writeln!(out, "-- Schemas")?;
    writeln!(out)?;
    writeln!(out, "-- Roles")?;
    writeln!(out)?;
    writeln!(out, "-- Tables and Data")?;
    for t in &history.tables {
        let columns: Vec<String> = t
            .columns
            .iter()
            .map(|(name, ty, key)| match key {
                Key::Null => format!("{name} {ty}"),
                Key::Primary | Key::NotNull => format!("{name} {ty} NOT NULL"),
            })
            .collect();
        writeln!(out, "CREATE TABLE {} ({});", t.name, columns.join(", "))?;
        if !t.rows.is_empty() {
            writeln!(out)?;
            for row in &t.rows {
                let values: Vec<String> = row.iter().map(vibesql_literal).collect();
                writeln!(
                    out,
                    "INSERT INTO {} VALUES ({});",
                    t.name,
                    values.join(", ")
                )?;
            }
        }
        writeln!(out)?;
    }
    writeln!(out, "-- Indexes")?;
    writeln!(out)?;
    writeln!(out, "-- End of dump")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(path: &str, committed_at: Option<&str>, json: &str) -> SourceFile {
        SourceFile::parse(
            Path::new(path),
            "0123456789012345678901234567890123456789",
            committed_at.map(str::to_string),
            Some("main".into()),
            path,
            json,
        )
        .unwrap()
    }

    fn rows<'a>(h: &'a History, table: &str) -> &'a [Vec<Cell>] {
        &h.table(table).unwrap().rows
    }

    #[test]
    fn categories_are_vibesqls() {
        assert_eq!(
            categorize("index/between/10/slt_good_0.test"),
            ("index".into(), "between".into())
        );
        assert_eq!(
            categorize("debug/arithmetic_bug.test"),
            ("other".into(), "arithmetic_bug.test".into())
        );
        assert_eq!(categorize("select1.test"), ("other".into(), "root".into()));
    }

    #[test]
    fn times_are_written_as_vibesql_writes_timestamps() {
        assert_eq!(
            timestamp("2025-12-09T19:13:38.159699Z").unwrap(),
            "2025-12-09 19:13:38.159699"
        );
        assert_eq!(
            timestamp("2025-11-01 05:02:30").unwrap(),
            "2025-11-01 05:02:30"
        );
        assert_eq!(timestamp("yesterday"), None);
    }

    #[test]
    fn a_badge_without_a_time_takes_its_commits() {
        let s = src(
            "web-demo/public/badges/sqllogictest_results.json",
            Some("2025-11-01 05:02:30"),
            r#"{"pass_rate": 75.0, "total": 4, "passed": 3, "failed": 1}"#,
        );
        let h = convert(&[s]).unwrap();
        assert_eq!(
            rows(&h, "test_runs")[0],
            [
                Cell::Int(1),
                Cell::Time("2025-11-01 05:02:30".into()),
                Cell::Time("2025-11-01 05:02:30".into()),
                Cell::Int(4),
                Cell::Int(3),
                Cell::Int(1),
                Cell::Null,
                Cell::Null,
                Cell::Text("main".into()),
                Cell::Null
            ]
        );
        assert!(rows(&h, "test_results").is_empty());
        assert_eq!(rows(&h, "run_sources")[0][5], Cell::Real(75.0));
    }

    #[test]
    fn files_of_one_commit_that_agree_are_one_run_and_those_that_differ_two() {
        let cumulative = r#"{"timestamp": "2025-11-08T05:16:47.748251",
            "summary": {"total_available_files": 3, "passed": 1, "failed": 1, "untested": 1, "pass_rate": 50.0},
            "tested_files": {"passed": ["select/a.test"], "failed": ["index/b/1.test"]},
            "detailed_failures": [{"file_path": "index/b/1.test", "failures": [{"error_message": "it's wrong"}]}]}"#;
        let same =
            r#"{"total_available": 3, "passed": 1, "failed": 1, "untested": 1, "pass_rate": 50.0}"#;
        let other = r#"{"total_available": 3, "passed": 2, "failed": 0, "untested": 1, "pass_rate": 100.0}"#;
        let t = Some("2025-11-08 05:41:04");
        let c = src(
            "web-demo/public/badges/sqllogictest_cumulative.json",
            t,
            cumulative,
        );
        let h = convert(&[
            c.clone(),
            src("web-demo/public/badges/sqllogictest_results.json", t, same),
        ])
        .unwrap();
        assert_eq!(rows(&h, "test_runs").len(), 1);
        assert_eq!(rows(&h, "run_sources").len(), 2);
        assert_eq!(rows(&h, "test_results").len(), 2);
        assert_eq!(
            rows(&h, "test_results")[0][2],
            Cell::Text("index/b/1.test".into())
        );
        assert_eq!(
            rows(&h, "test_results")[0][6],
            Cell::Text("it's wrong".into())
        );
        assert_eq!(rows(&h, "test_files")[1][1], Cell::Text("select".into()));
        let h = convert(&[
            c,
            src("web-demo/public/badges/sqllogictest_results.json", t, other),
        ])
        .unwrap();
        assert_eq!(rows(&h, "test_runs").len(), 2);
    }

    #[test]
    fn a_file_that_passes_after_failing_keeps_its_last_pass() {
        // Three versions published by three commits.
        let run = |time: &str, passed: &str, failed: &str| {
            let mut f = src(
                "badges/history/sqllogictest_results_x.json",
                None,
                &format!(
                    r#"{{"timestamp": "{time}", "summary": {{}},
                        "tested_files": {{"passed": [{passed}], "failed": [{failed}]}}}}"#
                ),
            );
            f.commit = format!("{:0>40}", &time[8..10]);
            f
        };
        let h = convert(&[
            run("2025-11-02T00:00:00", r#""a.test""#, ""),
            run("2025-11-01T00:00:00", "", r#""a.test""#),
            run("2025-11-03T00:00:00", "", r#""a.test""#),
        ])
        .unwrap();
        let f = &rows(&h, "test_files")[0];
        assert_eq!(f[3], Cell::Text("FAIL".into()));
        assert_eq!(f[4], Cell::Time("2025-11-03 00:00:00".into()));
        assert_eq!(f[5], Cell::Time("2025-11-02 00:00:00".into()));
    }

    #[test]
    fn bad_input_names_the_file_and_the_field() {
        let s = src(
            "web-demo/public/conformance/tcl_results.json",
            None,
            r#"{"latest_run": {"started_at": "2026-01-03T23:55:35", "total_files": "many"}}"#,
        );
        let e = convert(&[s]).unwrap_err().to_string();
        assert!(
            e.contains("tcl_results.json") && e.contains("/latest_run/total_files: not an integer"),
            "{e}"
        );
        let e = SourceFile::parse(
            Path::new("x/dashboard.json"),
            "0",
            None,
            None,
            "dashboard.json",
            "{\n  \"a\": ]",
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("x/dashboard.json: line 2, column 8"), "{e}");
        let s = src("README.md", None, "{}");
        assert!(
            convert(&[s])
                .unwrap_err()
                .to_string()
                .contains("not a kind of results file")
        );
        let s = src(
            "web-demo/public/badges/sqllogictest_results.json",
            None,
            "{}",
        );
        assert!(
            convert(&[s])
                .unwrap_err()
                .to_string()
                .contains("states no time")
        );
    }

    #[test]
    fn the_vibesql_dialect_is_save_sql_dumps() {
        let s = src(
            "web-demo/public/badges/sqllogictest_results.json",
            Some("2025-11-01 05:02:30"),
            r#"{"pass_rate": 75.0, "total": 4, "passed": 3, "failed": 1}"#,
        );
        let mut out = Vec::new();
        write_vibesql_dump(&convert(&[s]).unwrap(), "2026-12-02 00:00:00 UTC", &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("-- VibeSQL Database Dump\n-- Generated: 2026-12-02 00:00:00 UTC\n--\n\n-- Schemas\n\n-- Roles\n\n-- Tables and Data\nCREATE TABLE test_files (file_path VARCHAR(500) NOT NULL, "), "{text}");
        assert!(text.contains("CREATE TABLE test_files (file_path VARCHAR(500) NOT NULL, category VARCHAR(50) NOT NULL, subcategory VARCHAR(50), status VARCHAR(20) NOT NULL, last_tested TIMESTAMP, last_passed TIMESTAMP);\n\nCREATE TABLE test_runs"));
        assert!(text.contains("\n\nINSERT INTO test_runs VALUES (1, TIMESTAMP '2025-11-01 05:02:30', TIMESTAMP '2025-11-01 05:02:30', 4, 3, 1, NULL, NULL, 'main', NULL);\n\n"));
        assert!(text.contains("INSERT INTO run_sources VALUES (1, 'SQLLogicTest', 'web-demo/public/badges/sqllogictest_results.json', '0123456789012345678901234567890123456789', TIMESTAMP '2025-11-01 05:02:30', 75, NULL, NULL, NULL, NULL, NULL);"));
        assert!(text.ends_with("\n-- Indexes\n\n-- End of dump\n"));
    }

    #[test]
    fn sqlite_gets_seed_003s_tables_with_their_keys() {
        let conn = Connection::open_in_memory().unwrap();
        let h = convert(&[]).unwrap();
        store(&h, &conn).unwrap();
        assert_eq!(
            h.table("test_results").unwrap().create_sqlite(),
            "CREATE TABLE test_results (
    result_id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL,
    file_path VARCHAR(500) NOT NULL,
    status VARCHAR(20) NOT NULL,
    tested_at TIMESTAMP NOT NULL,
    duration_ms INTEGER,
    error_message VARCHAR(2000),
    FOREIGN KEY (run_id) REFERENCES test_runs(run_id),
    FOREIGN KEY (file_path) REFERENCES test_files(file_path)
)"
        );
        let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
        assert_eq!(
            count(
                "SELECT COUNT(*) FROM pragma_table_info('test_files') WHERE pk = 1 AND name = 'file_path'"
            ),
            1
        );
        assert_eq!(
            count("SELECT COUNT(*) FROM pragma_foreign_key_list('run_sources')"),
            1
        );
    }
}
