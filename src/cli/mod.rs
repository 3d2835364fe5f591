//! The command line: one module per subcommand, each with its arguments and
//! the function that runs it, and the modules they share.

pub mod bench;
pub mod chart;
pub mod check;
pub mod ci;
pub mod demo;
pub mod error;
pub mod export;
pub mod files;
pub mod history;
pub mod import;
pub mod ingest;
pub mod presets;
pub mod query;
pub mod site;
pub mod source;
pub mod summary;
pub mod vibesql_history;

use clap::{Parser, Subcommand};

/// Make, load and query SQL dumps of test results.
///
/// Exit codes: 0 success; 1 an error (printed with its cause), or for
/// `check` rows found, for `ci` results that fail the job; 2 wrong usage.
#[derive(Parser)]
#[command(version, about, long_about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands. Each one's help is its arguments' doc comment.
#[derive(Subcommand)]
pub enum Command {
    Ingest(ingest::Args),
    Demo(demo::Args),
    Export(export::Args),
    Import(import::Args),
    Query(query::Args),
    Bench(bench::Args),
    Chart(chart::Args),
    Check(check::Args),
    Site(site::Args),
    Ci(ci::Args),
    Summary(summary::Args),
    Presets(presets::Args),
    VibesqlHistory(vibesql_history::Args),
}
