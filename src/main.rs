//! The `greenboard` command-line tool.

use std::fs;
use std::io::{self, BufWriter, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use greenboard::db::load::{OnError, load_str};
use greenboard::db::{self, query};
use greenboard::export::sql::write_dump;
use greenboard::{demo, presets};
use rusqlite::Connection;

/// Make, load and query SQL dumps of test results.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write the deterministic demo dump (the one the explorer ships).
    Demo {
        /// Output file (`-` for standard output).
        #[arg(short, long, default_value = "-")]
        output: PathBuf,
    },
    /// Write a database as an SQL dump.
    Export {
        /// The SQLite database.
        #[arg(long)]
        db: PathBuf,
        /// Output file (`-` for standard output).
        #[arg(short, long, default_value = "-")]
        output: PathBuf,
    },
    /// Load an SQL dump into a database; nothing is kept if any statement fails.
    Import {
        /// The dump (`-` for standard input).
        dump: PathBuf,
        /// The SQLite database to load into (created if missing).
        #[arg(long)]
        db: PathBuf,
    },
    /// Run a preset or SQL and print the answer as tab-separated text.
    Query {
        /// A database file.
        #[arg(long, conflicts_with = "dump", required_unless_present_any = ["dump", "list_presets"])]
        db: Option<PathBuf>,
        /// An SQL dump, loaded into memory first.
        #[arg(long)]
        dump: Option<PathBuf>,
        /// A preset id (see --list-presets).
        #[arg(long, conflicts_with = "sql")]
        preset: Option<String>,
        /// List the presets and exit.
        #[arg(long)]
        list_presets: bool,
        /// SQL to run.
        sql: Option<String>,
    },
}

/// An error for the user, with its cause.
#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error("{0}: {1}")]
    File(PathBuf, io::Error),
    #[error("{0}: {1}")]
    Load(PathBuf, greenboard::db::load::LoadError),
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    #[error(transparent)]
    Export(#[from] greenboard::export::sql::ExportError),
    #[error("{0}")]
    Sql(greenboard::protocol::SqlError),
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Io(#[from] io::Error),
}

fn read_text(path: &PathBuf) -> Result<String, CliError> {
    let mut bytes = Vec::new();
    if path.as_os_str() == "-" {
        io::stdin().read_to_end(&mut bytes)
    } else {
        fs::File::open(path).and_then(|mut f| f.read_to_end(&mut bytes))
    }
    .map_err(|e| CliError::File(path.clone(), e))?;
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut text = Vec::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_end(&mut text)
            .map_err(|e| CliError::File(path.clone(), e))?;
        bytes = text;
    }
    String::from_utf8(bytes).map_err(|e| {
        CliError::File(
            path.clone(),
            io::Error::new(io::ErrorKind::InvalidData, format!("not UTF-8 text: {e}")),
        )
    })
}

/// Standard output for `-`, else the file; gzip-compressed when its name ends
/// in `.gz` (with no timestamp, so the bytes depend on the content alone).
fn output(path: &PathBuf) -> Result<Box<dyn Write>, CliError> {
    if path.as_os_str() == "-" {
        return Ok(Box::new(BufWriter::new(io::stdout().lock())));
    }
    let file = BufWriter::new(fs::File::create(path).map_err(|e| CliError::File(path.clone(), e))?);
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

fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Demo { output: path } => {
            let conn = Connection::open_in_memory()?;
            demo::generate(&conn)?;
            let mut out = output(&path)?;
            write_dump(&conn, &mut out)?;
            out.flush()?;
        }
        Command::Export { db, output: path } => {
            let conn =
                Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
            let mut out = output(&path)?;
            write_dump(&conn, &mut out)?;
            out.flush()?;
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
            db,
            dump,
            preset,
            list_presets,
            sql,
        } => {
            if list_presets {
                for p in presets::GREENBOARD.iter().chain(presets::GENERIC) {
                    println!("{}\t{}\t{}", p.id, p.title, p.description);
                }
                return Ok(());
            }
            let conn = match (&db, &dump) {
                (Some(db), _) => {
                    Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?
                }
                (None, Some(dump)) => {
                    let conn = Connection::open_in_memory()?;
                    load_str(&conn, &read_text(dump)?, OnError::Stop)
                        .map_err(|e| CliError::Load(dump.clone(), e))?;
                    conn
                }
                (None, None) => return Err(CliError::Usage("give --db or --dump".into())),
            };
            let sql = match (preset, sql) {
                (Some(id), _) => presets::find(&id)
                    .ok_or_else(|| {
                        CliError::Usage(format!("no preset named {id:?} (see --list-presets)"))
                    })?
                    .sql
                    .to_string(),
                (None, Some(sql)) => sql,
                (None, None) => return Err(CliError::Usage("give SQL or --preset".into())),
            };
            let _ = db::detect_schema(&conn);
            let out = query::run(&conn, &sql).map_err(CliError::Sql)?;
            let mut w = output(&PathBuf::from("-"))?;
            writeln!(w, "{}", out.columns.join("\t"))?;
            for row in &out.rows {
                let cells: Vec<String> = row
                    .iter()
                    .map(|c| c.display().unwrap_or_default())
                    .collect();
                writeln!(w, "{}", cells.join("\t"))?;
            }
            w.flush()?;
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("greenboard: {e}");
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                eprintln!("  caused by: {s}");
                source = s.source();
            }
            ExitCode::FAILURE
        }
    }
}
