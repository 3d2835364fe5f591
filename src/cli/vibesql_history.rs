//! `greenboard vibesql-history`: VibeSQL's published conformance history
//! as a dump of its SQLLogicTest results schema.

use std::path::PathBuf;

use greenboard::export::sql::write_dump;
use greenboard::vibesql_history::{convert, read_dir, store, taken, write_vibesql_dump};
use rusqlite::Connection;

use super::error::CliError;
use super::files::write_output;

/// The dialect of the dump written.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Dialect {
    /// VibeSQL's own `save_sql_dump`.
    Vibesql,
    /// `sqlite3 .dump`'s.
    Sqlite,
}

/// Turn VibeSQL's published test-result files (a folder of their versions
/// with its `versions.tsv`) into a dump of seed 003's schema.
#[derive(clap::Args)]
pub struct Args {
    /// The folder of file versions (`<commit>/<path>`, listed in `versions.tsv`).
    #[arg(long)]
    input: PathBuf,
    /// Output file (`-` for standard output; gzip when it ends in .gz).
    #[arg(short, long, default_value = "-")]
    output: PathBuf,
    /// The dialect written.
    #[arg(long, value_enum, default_value = "vibesql")]
    dialect: Dialect,
}

/// Reads the versions, converts them and writes the dump (deterministic:
/// VibeSQL's header gives the date the history was taken, not the time
/// of writing).
pub fn exec(args: Args) -> Result<(), CliError> {
    let history = convert(&read_dir(&args.input)?)?;
    match args.dialect {
        Dialect::Vibesql => {
            let generated = match taken(&args.input)? {
                Some(date) => format!("{date} 00:00:00 UTC"),
                None => "unknown".to_string(),
            };
            write_output(&args.output, |out| {
                Ok(write_vibesql_dump(&history, &generated, out)?)
            })
        }
        Dialect::Sqlite => {
            let conn = Connection::open_in_memory()?;
            store(&history, &conn)?;
            write_output(&args.output, |mut out| Ok(write_dump(&conn, &mut out)?))
        }
    }
}
