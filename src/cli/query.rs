//! `greenboard query`: a preset's or SQL's answer, printed.

use std::path::Path;

use greenboard::presets;

use super::error::CliError;
use super::files::write_output;
use super::source::{Format, Source, answer};

/// Run a preset or SQL and print the answer.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    source: Source,
    /// A preset id (see --list-presets).
    #[arg(long, conflicts_with = "sql")]
    preset: Option<String>,
    /// List the presets and exit.
    #[arg(long)]
    list_presets: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// A value for the SQL's next parameter (`?`, `:name`), bound as
    /// text; repeat for each. A preset's missing values are found in the data.
    #[arg(long = "param", short = 'p', value_name = "VALUE")]
    params: Vec<String>,
    /// SQL to run.
    sql: Option<String>,
}

/// Prints the answer on standard output in the format asked for, or the
/// list of presets.
pub fn exec(args: Args) -> Result<(), CliError> {
    if args.list_presets {
        for p in presets::all() {
            println!("{}\t{}\t{}", p.id, p.title, p.description);
        }
        return Ok(());
    }
    let (out, _) = answer(&args.source, args.preset, args.sql, args.params)?;
    let text = args.format.write(&out);
    write_output(Path::new("-"), |w| Ok(w.write_all(text.as_bytes())?))
}
