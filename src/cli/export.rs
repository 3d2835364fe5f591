//! `greenboard export`: a database as an SQL dump, or as a database made
//! for reading over HTTP (an output named `.db`).

use std::path::PathBuf;

use greenboard::export::sql::write_dump;
use rusqlite::Connection;

use super::error::CliError;
use super::files::{missing, write_output};

/// Write a database as a deterministic SQL dump, or (an output named
/// `.db`) as an SQLite database made for reading over HTTP a piece at a
/// time: vacuumed, analysed, indexed for a test's page, with summaries, at
/// the page size measured fastest for the dashboard, its health tiles and
/// tests' pages (of those whose test's page fetches at most 200 KB).
#[derive(clap::Args)]
pub struct Args {
    /// The SQLite database.
    #[arg(long)]
    db: PathBuf,
    /// Output file (`-` for standard output; gzip when it ends in .gz; the
    /// form for reading over HTTP when it ends in .db).
    #[arg(short, long, default_value = "-")]
    output: PathBuf,
    /// The `.db` form's page size (512 to 65536, a power of two) instead of
    /// the one measured cheapest.
    #[arg(long, value_parser = page_size)]
    page_size: Option<u32>,
}

/// A page size SQLite takes.
fn page_size(text: &str) -> Result<u32, String> {
    match text.parse::<u32>() {
        Ok(n) if (512..=65536).contains(&n) && n.is_power_of_two() => Ok(n),
        _ => Err(format!(
            "{text} is not a page size: a power of two from 512 to 65536"
        )),
    }
}

/// Writes the dump; a database that cannot be read is named in the error
/// (and leaves no half-written dump).
pub fn exec(args: Args) -> Result<(), CliError> {
    let Args {
        db,
        output,
        page_size,
    } = args;
    if !db.exists() {
        return Err(missing(db));
    }
    let conn = Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    if output.extension().is_some_and(|e| e == "db") {
        let measured = greenboard::export::web_db::write(&conn, &output, page_size)
            .map_err(|e| CliError::Db(output.clone(), e.to_string()))?;
        for (i, m) in measured.iter().enumerate() {
            eprintln!(
                "page size {:>5}: {:>4} requests, {:>9} bytes, {:>7.0} ms; a test's page {:>8} bytes{}",
                m.page_size,
                m.requests,
                m.bytes,
                m.ms,
                m.test_page_bytes,
                if i == 0 { "  (written)" } else { "" }
            );
        }
        return Ok(());
    } else if page_size.is_some() {
        return Err(CliError::Usage(
            "--page-size is for the .db form (an output named .db)".into(),
        ));
    }
    write_output(&output, |mut out| {
        write_dump(&conn, &mut out).map_err(|e| CliError::Db(db.clone(), e.to_string()))
    })
}
