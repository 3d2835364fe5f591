//! `greenboard import`: an SQL dump into a database.

use std::path::PathBuf;

use greenboard::db::load::{OnError, load_str};
use rusqlite::Connection;

use super::error::CliError;
use super::files::read_text;

/// Load an SQL dump (plain or gzip) into a database; if any statement
/// fails, nothing is kept and the error names its line.
#[derive(clap::Args)]
pub struct Args {
    /// The dump (`-` for standard input).
    dump: PathBuf,
    /// The SQLite database to load into (created if missing).
    #[arg(long)]
    db: PathBuf,
}

/// Loads the dump and says how much it held.
pub fn exec(args: Args) -> Result<(), CliError> {
    let Args { dump, db } = args;
    let text = read_text(&dump)?;
    let conn = Connection::open(&db)?;
    let stats =
        load_str(&conn, &text, OnError::Stop).map_err(|e| CliError::Load(dump.clone(), e))?;
    eprintln!(
        "{}: {} statements, {} bytes loaded into {}",
        dump.display(),
        stats.statements,
        stats.bytes,
        db.display()
    );
    Ok(())
}
