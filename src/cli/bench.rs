//! `greenboard bench`: ingest and export timed.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use greenboard::export::sql::write_dump;

use super::error::CliError;
use super::files::write_output;

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

/// Runs the benchmark and prints its report; then times the export to a
/// `.sql.gz` against the same export plain, as `greenboard export` writes
/// them (best of three each, taking turns).
pub fn exec(args: Args) -> Result<(), CliError> {
    let report =
        greenboard::bench::run(&args.dir, args.runs, args.tests).map_err(CliError::Bench)?;
    println!("{report}");
    let db = greenboard::bench::database(&args.dir);
    let conn =
        rusqlite::Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let (mut plain, mut gzip) = (Duration::MAX, Duration::MAX);
    for _ in 0..3 {
        for (out, best) in [("export.sql", &mut plain), ("export.sql.gz", &mut gzip)] {
            let started = Instant::now();
            write_output(&args.dir.join(out), |mut w| Ok(write_dump(&conn, &mut w)?))?;
            *best = (*best).min(started.elapsed());
        }
    }
    let size =
        |name: &str| std::fs::metadata(args.dir.join(name)).map_or(0.0, |m| m.len() as f64 / 1e6);
    println!(
        "export to .sql.gz: {:.1} MB in {:.2} s, plain {:.1} MB in {:.2} s = {:.2}x (target <= 1.5x)",
        size("export.sql.gz"),
        gzip.as_secs_f64(),
        size("export.sql"),
        plain.as_secs_f64(),
        gzip.as_secs_f64() / plain.as_secs_f64()
    );
    Ok(())
}
