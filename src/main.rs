//! The `greenboard` command-line tool.

mod cli;

use std::process::ExitCode;

use clap::Parser;
use cli::error::CliError;
use cli::{Cli, Command};

/// Runs the subcommand given; exits 0 on success, 1 on an error (printed
/// with its causes) or a failed `check`, 2 on wrong usage.
fn main() -> ExitCode {
    match run(Cli::parse().command) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("greenboard: {e}");
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                eprintln!("  caused by: {s}");
                source = s.source();
            }
            ExitCode::from(if matches!(e, CliError::Usage(_)) {
                2
            } else {
                1
            })
        }
    }
}

/// Runs `command`: `Ok(false)` when a `check` finds rows or `ci`'s
/// results fail the job.
fn run(command: Command) -> Result<bool, CliError> {
    match command {
        Command::Ingest(args) => cli::ingest::exec(args)?,
        Command::Demo(args) => cli::demo::exec(args)?,
        Command::Export(args) => cli::export::exec(args)?,
        Command::Import(args) => cli::import::exec(args)?,
        Command::Query(args) => cli::query::exec(args)?,
        Command::Bench(args) => cli::bench::exec(args)?,
        Command::Chart(args) => cli::chart::exec(args)?,
        Command::VibesqlHistory(args) => cli::vibesql_history::exec(args)?,
        Command::Site(args) => cli::site::exec(args)?,
        Command::Summary(args) => cli::summary::exec(args)?,
        Command::Presets(args) => cli::presets::exec(args)?,
        Command::Check(args) => return cli::check::exec(args),
        Command::Ci(args) => return cli::ci::exec(args),
    }
    Ok(true)
}
