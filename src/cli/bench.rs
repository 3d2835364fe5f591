//! `greenboard bench`: ingest and export timed.

use std::path::PathBuf;

use super::error::CliError;

/// Measure ingest throughput and export time against `sqlite3 .dump`
/// (in release builds: `cargo run --release -- bench`).
#[derive(clap::Args)]
pub struct Args {
    /// Working directory for the reports and databases.
    #[arg(long, default_value = "target/bench")]
    dir: PathBuf,
    /// Runs to ingest.
    #[arg(long, default_value_t = 100)]
    runs: usize,
    /// Test cases per run.
    #[arg(long, default_value_t = 10_000)]
    tests: usize,
}

/// Runs the benchmark and prints its report.
pub fn exec(args: Args) -> Result<(), CliError> {
    let report =
        greenboard::bench::run(&args.dir, args.runs, args.tests).map_err(CliError::Bench)?;
    println!("{report}");
    Ok(())
}
