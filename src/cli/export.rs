//! `greenboard export`: a database as an SQL dump.

use std::path::PathBuf;

use greenboard::export::sql::write_dump;
use rusqlite::Connection;

use super::error::CliError;
use super::files::{missing, write_output};

/// Write a database as a deterministic SQL dump.
#[derive(clap::Args)]
pub struct Args {
    /// The SQLite database.
    #[arg(long)]
    db: PathBuf,
    /// Output file (`-` for standard output; gzip when it ends in .gz).
    #[arg(short, long, default_value = "-")]
    output: PathBuf,
}

/// Writes the dump; a database that cannot be read is named in the error
/// (and leaves no half-written dump).
pub fn exec(args: Args) -> Result<(), CliError> {
    let Args { db, output } = args;
    if !db.exists() {
        return Err(missing(db));
    }
    let conn = Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    write_output(&output, |mut out| {
        write_dump(&conn, &mut out).map_err(|e| CliError::Db(db.clone(), e.to_string()))
    })
}
