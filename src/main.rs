//! The `greenboard` command-line tool.

use std::fs;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use greenboard::db::attach;
use greenboard::db::load::{LoadError, OnError, load_str};
use greenboard::db::query;
use greenboard::export::sql::write_dump;
use greenboard::ingest::{self, PlatformSpec, RunInfo, context, junit};
use greenboard::protocol::SqlError;
use greenboard::{demo, export, presets};
use rusqlite::Connection;

/// Make, load and query SQL dumps of test results.
///
/// Exit codes: 0 success; 1 an error (printed with its cause), or for
/// `check`, rows found; 2 wrong usage.
#[derive(Parser)]
#[command(version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Add one test run, with all the results of its JUnit XML reports.
    ///
    /// Branch, commit and run URL default to what the CI service's
    /// environment (GitHub Actions, GitLab CI, Buildkite, Jenkins) or git
    /// says; the platform to this machine's OS and architecture. What was
    /// used is printed. Nothing is stored if any report is malformed.
    Ingest {
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
    },
    /// Write the deterministic demo dump (the one the explorer ships).
    Demo {
        /// Output file (`-` for standard output; gzip when it ends in .gz).
        #[arg(short, long, default_value = "-")]
        output: PathBuf,
        /// Runs multiplied by this (more data, same story; 1 is the demo).
        #[arg(long, default_value_t = 1)]
        scale: u32,
    },
    /// Write a database as a deterministic SQL dump.
    Export {
        /// The SQLite database.
        #[arg(long)]
        db: PathBuf,
        /// Output file (`-` for standard output; gzip when it ends in .gz).
        #[arg(short, long, default_value = "-")]
        output: PathBuf,
    },
    /// Load an SQL dump (plain or gzip) into a database; if any statement
    /// fails, nothing is kept and the error names its line.
    Import {
        /// The dump (`-` for standard input).
        dump: PathBuf,
        /// The SQLite database to load into (created if missing).
        #[arg(long)]
        db: PathBuf,
    },
    /// Run a preset or SQL and print the answer.
    Query {
        #[command(flatten)]
        source: Source,
        /// A preset id (see --list-presets).
        #[arg(long, conflicts_with = "sql")]
        preset: Option<String>,
        /// List the presets and exit.
        #[arg(long)]
        list_presets: bool,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// A value for the SQL's next parameter (`?`, `:name`), bound as
        /// text; repeat for each. A preset's missing values are found in the data.
        #[arg(long = "param", short = 'p', value_name = "VALUE")]
        params: Vec<String>,
        /// SQL to run.
        sql: Option<String>,
    },
    /// Measure ingest throughput and export time against `sqlite3 .dump`
    /// (in release builds: `cargo run --release -- bench`).
    Bench {
        /// Working directory for the reports and databases.
        #[arg(long, default_value = "target/bench")]
        dir: PathBuf,
        /// Runs to ingest.
        #[arg(long, default_value_t = 100)]
        runs: usize,
        /// Test cases per run.
        #[arg(long, default_value_t = 10_000)]
        tests: usize,
    },
    /// Draw a preset's (or SQL's) answer as an SVG chart, with the same
    /// chart code as the explorer: the preset's chart, the --spec given, or
    /// one guessed from the answer's columns.
    Chart {
        #[command(flatten)]
        source: Source,
        /// A preset id (see `query --list-presets`).
        #[arg(long, conflicts_with = "sql", required_unless_present = "sql")]
        preset: Option<String>,
        /// The chart: `KIND:x=COLUMN,y=COLUMN[,series=COLUMN]`, KIND one of
        /// bar, stacked, line, scatter, heatmap.
        #[arg(long)]
        spec: Option<String>,
        /// The chart's title (default: the preset's title).
        #[arg(long)]
        title: Option<String>,
        /// A value for the SQL's next parameter, as for `query`.
        #[arg(long = "param", short = 'p', value_name = "VALUE")]
        params: Vec<String>,
        /// Where to write the SVG (`-` for standard output).
        #[arg(short, long)]
        output: PathBuf,
        /// SQL to chart instead of a preset.
        sql: Option<String>,
    },
    /// Run a preset (or SQL) as a CI gate: exit 1 and print the rows when it
    /// returns any (e.g. --preset regressions), exit 0 when it returns none.
    Check {
        #[command(flatten)]
        source: Source,
        /// A preset id (see `query --list-presets`).
        #[arg(long, conflicts_with = "sql", required_unless_present = "sql")]
        preset: Option<String>,
        /// A value for the SQL's next parameter, as for `query`.
        #[arg(long = "param", short = 'p', value_name = "VALUE")]
        params: Vec<String>,
        /// SQL to run instead of a preset.
        sql: Option<String>,
    },
}

/// Where the data comes from.
#[derive(clap::Args)]
struct Source {
    /// A database file (opened read-only).
    #[arg(long, conflicts_with = "dump")]
    db: Option<PathBuf>,
    /// An SQL dump (plain or gzip), loaded into memory first.
    #[arg(long)]
    dump: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Table,
    Csv,
    Json,
    Markdown,
}

/// An error for the user, naming the file it concerns.
#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error("{0}: {1}")]
    File(PathBuf, io::Error),
    #[error("{0}: {1}")]
    Load(PathBuf, LoadError),
    #[error("{0}: {1}")]
    Report(PathBuf, junit::ReportError),
    #[error("{0}: {1}")]
    Db(PathBuf, String),
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    #[error(transparent)]
    Export(#[from] greenboard::export::sql::ExportError),
    #[error("{0}")]
    Sql(SqlError),
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// Reads and parses the JUnit reports, several at a time (Surefire writes
/// one per test class). The cases come in the reports' order, and the error
/// is that of the first report in that order that cannot be read.
fn read_reports(reports: &[PathBuf]) -> Result<Vec<junit::Case>, CliError> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per_thread = reports.len().div_ceil(threads).max(1);
    let parsed: Vec<Result<Vec<junit::Case>, CliError>> = std::thread::scope(|scope| {
        let readers: Vec<_> = reports
            .chunks(per_thread)
            .map(|paths| {
                scope.spawn(move || {
                    paths
                        .iter()
                        .map(|path| {
                            junit::parse(&read_text(path)?)
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
        cases.extend(report?);
    }
    Ok(cases)
}

/// The error for a file that is not there.
fn missing(path: PathBuf) -> CliError {
    CliError::File(
        path,
        io::Error::new(io::ErrorKind::NotFound, "no such file"),
    )
}

/// Reads a text file (or standard input for `-`), inflating gzip.
fn read_text(path: &Path) -> Result<String, CliError> {
    text_of(path, read_bytes(path)?)
}

/// File `path`'s `bytes` as text, or why they are not.
fn text_of(path: &Path, bytes: Vec<u8>) -> Result<String, CliError> {
    if attach::is_database_file(&bytes) {
        return Err(CliError::File(
            path.to_path_buf(),
            io::Error::new(
                io::ErrorKind::InvalidData,
                "an SQLite database file, not text (`query` and `check` take it as it is)",
            ),
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        CliError::File(
            path.to_path_buf(),
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "not UTF-8 text (byte {} is invalid)",
                    e.utf8_error().valid_up_to()
                ),
            ),
        )
    })
}

/// The bytes of the file (standard input for `-`), decompressed when they
/// are gzip.
fn read_bytes(path: &Path) -> Result<Vec<u8>, CliError> {
    let file_err = |e| CliError::File(path.to_path_buf(), e);
    let mut bytes = Vec::new();
    if path.as_os_str() == "-" {
        io::stdin().read_to_end(&mut bytes)
    } else {
        fs::File::open(path).and_then(|mut f| f.read_to_end(&mut bytes))
    }
    .map_err(file_err)?;
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut text = Vec::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_end(&mut text)
            .map_err(file_err)?;
        bytes = text;
    }
    Ok(bytes)
}

/// Standard output for `-`, else the file; gzip-compressed when its name ends
/// in `.gz` (with no timestamp, so the bytes depend on the content alone).
fn output(path: &Path) -> Result<Box<dyn Write>, CliError> {
    if path.as_os_str() == "-" {
        return Ok(Box::new(BufWriter::new(io::stdout().lock())));
    }
    let file =
        BufWriter::new(fs::File::create(path).map_err(|e| CliError::File(path.to_path_buf(), e))?);
    Ok(if path.extension().is_some_and(|e| e == "gz") {
        Box::new(BufWriter::new(
            flate2::GzBuilder::new()
                .mtime(0)
                .write(file, flate2::Compression::best()),
        ))
    } else {
        Box::new(file)
    })
}

/// The database to query, with the math functions the browser has too.
fn open_source(source: &Source) -> Result<Connection, CliError> {
    let conn = open_data(source)?;
    greenboard::db::math::register(&conn)?;
    Ok(conn)
}

fn open_data(source: &Source) -> Result<Connection, CliError> {
    match (&source.db, &source.dump) {
        (Some(db), _) => {
            if !db.exists() {
                return Err(missing(db.clone()));
            }
            Ok(Connection::open_with_flags(
                db,
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
            )?)
        }
        (None, Some(dump)) => {
            let mut conn = Connection::open_in_memory()?;
            let bytes = read_bytes(dump)?;
            // A database file works as well as its dump (as in the explorer).
            if attach::is_database_file(&bytes) {
                attach::load_file(&mut conn, "main", &bytes).map_err(|e| {
                    CliError::File(dump.clone(), io::Error::new(io::ErrorKind::InvalidData, e))
                })?;
            } else {
                load_str(&conn, &text_of(dump, bytes)?, OnError::Stop)
                    .map_err(|e| CliError::Load(dump.clone(), e))?;
            }
            Ok(conn)
        }
        (None, None) => Err(CliError::Usage("give --db FILE or --dump FILE".into())),
    }
}

/// The SQL to run, and the preset it comes from.
fn sql_of(
    preset: Option<String>,
    sql: Option<String>,
) -> Result<(String, Option<&'static presets::Preset>), CliError> {
    match (preset, sql) {
        (Some(id), _) => {
            let p = presets::find(&id).ok_or_else(|| {
                CliError::Usage(format!(
                    "no preset named {id:?} (see `greenboard query --list-presets`)"
                ))
            })?;
            Ok((p.sql.to_string(), Some(p)))
        }
        (None, Some(sql)) => Ok((sql, None)),
        (None, None) => Err(CliError::Usage("give SQL or --preset NAME".into())),
    }
}

/// The parameter values given, followed by the defaults the data offers for
/// a preset's remaining parameters (each one said on stderr).
fn with_defaults(
    conn: &Connection,
    preset: Option<&presets::Preset>,
    mut values: Vec<String>,
) -> Vec<String> {
    let Some(preset) = preset else {
        return values;
    };
    for param in preset.params.iter().skip(values.len()) {
        let found = greenboard::db::default_value(conn, param);
        eprintln!(
            "{} = {found:?} (found in the data; give --param to choose)",
            param.name
        );
        values.push(found);
    }
    values
}

fn git(args: &[&str]) -> Option<String> {
    let out = std::process::Command::new("git").args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
        .filter(|s| !s.is_empty())
}

/// The current time as `YYYY-MM-DDTHH:MM:SSZ`.
fn now_utc() -> String {
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

fn run(cli: Cli) -> Result<bool, CliError> {
    match cli.command {
        Command::Ingest {
            db,
            branch,
            platform,
            commit,
            run_url,
            started_at,
            trigger,
            reports,
        } => {
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
            let mut conn =
                ingest::open(&db).map_err(|e| CliError::Db(db.clone(), e.to_string()))?;
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
        }
        Command::Demo {
            output: path,
            scale,
        } => {
            let conn = Connection::open_in_memory()?;
            demo::generate_scaled(&conn, scale)?;
            let mut out = output(&path)?;
            write_dump(&conn, &mut out)?;
            out.flush()?;
        }
        Command::Export { db, output: path } => {
            if !db.exists() {
                return Err(missing(db));
            }
            let conn =
                Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
            let written = output(&path).and_then(|mut out| {
                write_dump(&conn, &mut out).map_err(|e| CliError::Db(db.clone(), e.to_string()))?;
                out.flush().map_err(|e| CliError::File(path.clone(), e))
            });
            if let Err(e) = written {
                // No half-written dump is left behind.
                if path.as_os_str() != "-" {
                    let _ = fs::remove_file(&path);
                }
                return Err(e);
            }
        }
        Command::Import { dump, db } => {
            let text = read_text(&dump)?;
            let conn = Connection::open(&db)?;
            let stats = load_str(&conn, &text, OnError::Stop)
                .map_err(|e| CliError::Load(dump.clone(), e))?;
            eprintln!(
                "{}: {} statements, {} bytes loaded into {}",
                dump.display(),
                stats.statements,
                stats.bytes,
                db.display()
            );
        }
        Command::Query {
            source,
            preset,
            list_presets,
            format,
            params,
            sql,
        } => {
            if list_presets {
                for p in presets::all() {
                    println!("{}\t{}\t{}", p.id, p.title, p.description);
                }
                return Ok(true);
            }
            let (sql, preset) = sql_of(preset, sql)?;
            let conn = open_source(&source)?;
            let params = with_defaults(&conn, preset, params);
            let out = query::run_with(&conn, &sql, &params).map_err(CliError::Sql)?;
            let text = match format {
                Format::Table => export::table::to_string(&out.columns, &out.rows),
                Format::Csv => export::csv::to_string(&out.columns, &out.rows),
                Format::Json => export::json::to_string(&out.columns, &out.rows),
                Format::Markdown => export::markdown::to_string(&out.columns, &out.rows),
            };
            let mut w = output(Path::new("-"))?;
            w.write_all(text.as_bytes())?;
            w.flush()?;
        }
        Command::Bench { dir, runs, tests } => {
            let report = greenboard::bench::run(&dir, runs, tests).map_err(CliError::Usage)?;
            println!("{report}");
        }
        Command::Chart {
            source,
            preset,
            spec,
            title,
            params,
            output: out,
            sql,
        } => {
            use greenboard::chart::spec::Spec;
            use greenboard::chart::svg::{Options, render};
            let (sql, preset) = sql_of(preset, sql)?;
            let conn = open_source(&source)?;
            let params = with_defaults(&conn, preset, params);
            let answer = query::run_with(&conn, &sql, &params).map_err(CliError::Sql)?;
            let preset_spec = preset
                .and_then(|p| p.chart)
                .and_then(|c| c.spec_text(&answer.columns));
            let spec: Spec = match spec.or(preset_spec) {
                Some(text) => text.parse().map_err(|e| CliError::Usage(format!("{e}")))?,
                None => Spec::guess(&answer.columns, &answer.rows).ok_or_else(|| {
                    CliError::Usage(
                        "nothing to chart: the answer has no numeric column (give --spec)".into(),
                    )
                })?,
            };
            let opts = Options {
                title: title
                    .or_else(|| preset.map(|p| p.title.to_string()))
                    .unwrap_or_else(|| "Chart".into()),
                ..Options::default()
            };
            let drawing = render(&spec, &answer.columns, &answer.rows, &opts)
                .map_err(|e| CliError::Usage(e.to_string()))?;
            let mut w = output(&out)?;
            w.write_all(drawing.svg.as_bytes())?;
            w.flush()?;
            eprintln!("{spec}: {}", drawing.description);
        }
        Command::Check {
            source,
            preset,
            params,
            sql,
        } => {
            let name = preset.clone().unwrap_or_else(|| "the SQL".to_string());
            let (sql, preset) = sql_of(preset, sql)?;
            let conn = open_source(&source)?;
            let params = with_defaults(&conn, preset, params);
            let out = query::run_with(&conn, &sql, &params).map_err(CliError::Sql)?;
            if out.rows.is_empty() {
                eprintln!("check passed: {name} returned no rows");
            } else {
                print!("{}", export::table::to_string(&out.columns, &out.rows));
                eprintln!("check failed: {name} returned {} row(s)", out.rows.len());
                return Ok(false);
            }
        }
    }
    Ok(true)
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("greenboard: {e}");
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                eprintln!("  caused by: {s}");
                source = s.source();
            }
            ExitCode::from(if matches!(e, CliError::Usage(_)) {
                2
            } else {
                1
            })
        }
    }
}
