//! `greenboard demo`: the demo dump.

use std::path::PathBuf;

use greenboard::demo;
use greenboard::export::sql::write_dump;
use rusqlite::Connection;

use super::error::CliError;
use super::files::{Squeeze, write_output_squeezed};

/// Write the deterministic demo dump (the one the explorer ships).
#[derive(clap::Args)]
pub struct Args {
    /// Output file (`-` for standard output; gzip when it ends in .gz).
    #[arg(short, long, default_value = "-")]
    output: PathBuf,
    /// Runs multiplied by this (more data, same story; 1 is the demo).
    #[arg(long, default_value_t = 1)]
    scale: u32,
}

/// Makes the demo data and writes its dump.
pub fn exec(args: Args) -> Result<(), CliError> {
    let conn = Connection::open_in_memory()?;
    demo::generate_scaled(&conn, args.scale)?;
    // The demo is written once and fetched on every first visit: as small
    // as it can be.
    write_output_squeezed(&args.output, Squeeze::Best, |mut out| {
        Ok(write_dump(&conn, &mut out)?)
    })
}
