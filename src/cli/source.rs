//! The data a preset or SQL runs on, and the answer it gives.

use std::io;
use std::path::PathBuf;

use clap::ValueEnum;
use greenboard::db::attach;
use greenboard::db::load::{OnError, load_str};
use greenboard::db::query::{self, Output};
use greenboard::export;
use greenboard::presets::{self, Preset};
use rusqlite::Connection;

use super::error::CliError;
use super::files::{missing, read_bytes, text_of};

/// Where the data comes from.
#[derive(clap::Args)]
pub struct Source {
    /// A database file (opened read-only).
    #[arg(long, conflicts_with = "dump")]
    db: Option<PathBuf>,
    /// An SQL dump (plain or gzip), loaded into memory first.
    #[arg(long)]
    dump: Option<PathBuf>,
}

/// How `query` prints its answer. (The values have no doc comments: clap
/// would print them in `--help`.)
#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    // Aligned columns.
    Table,
    // Comma-separated values.
    Csv,
    // An array of objects, one a row.
    Json,
    // A Markdown table.
    Markdown,
}

impl Format {
    /// The answer written in this format.
    pub fn write(self, answer: &Output) -> String {
        let (columns, rows) = (&answer.columns, &answer.rows);
        match self {
            Format::Table => export::table::to_string(columns, rows),
            Format::Csv => export::csv::to_string(columns, rows),
            Format::Json => export::json::to_string(columns, rows),
            Format::Markdown => export::markdown::to_string(columns, rows),
        }
    }
}

/// The database of `--db` (read-only), or one in memory holding `--dump`,
/// with greenboard's SQL functions and summaries (as in the explorer).
pub fn open_data(source: &Source) -> Result<Connection, CliError> {
    let conn = open_source(source)?;
    greenboard::db::prepare(&conn)?;
    Ok(conn)
}

/// The database of `--db` (read-only), or one in memory holding `--dump`.
fn open_source(source: &Source) -> Result<Connection, CliError> {
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
) -> Result<(String, Option<&'static Preset>), CliError> {
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
    preset: Option<&Preset>,
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

/// The answer of the preset (or else the SQL) on the source's data, with
/// the parameter values given and the data's defaults for the rest; and the
/// preset.
pub fn answer(
    source: &Source,
    preset: Option<String>,
    sql: Option<String>,
    params: Vec<String>,
) -> Result<(Output, Option<&'static Preset>), CliError> {
    let (sql, preset) = sql_of(preset, sql)?;
    let conn = open_data(source)?;
    let params = with_defaults(&conn, preset, params);
    let out = query::run_with(&conn, &sql, &params).map_err(CliError::Sql)?;
    Ok((out, preset))
}
