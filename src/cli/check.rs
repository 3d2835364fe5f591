//! `greenboard check`: a preset or SQL as a CI gate.

use greenboard::export;

use super::error::CliError;
use super::source::{Source, answer};

/// Run a preset (or SQL) as a CI gate: exit 1 and print the rows when it
/// returns any (e.g. --preset regressions), exit 0 when it returns none.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    source: Source,
    /// A preset id (see `query --list-presets`).
    #[arg(long, conflicts_with = "sql", required_unless_present = "sql")]
    preset: Option<String>,
    /// A value for the SQL's next parameter, as for `query`.
    #[arg(long = "param", short = 'p', value_name = "VALUE")]
    params: Vec<String>,
    /// SQL to run instead of a preset.
    sql: Option<String>,
}

/// Whether the check passed (the answer has no rows); the rows found are
/// printed as a table.
pub fn exec(args: Args) -> Result<bool, CliError> {
    let name = args.preset.clone().unwrap_or_else(|| "the SQL".to_string());
    let (out, _) = answer(&args.source, args.preset, args.sql, args.params)?;
    if out.rows.is_empty() {
        eprintln!("check passed: {name} returned no rows");
        Ok(true)
    } else {
        print!("{}", export::table::to_string(&out.columns, &out.rows));
        eprintln!("check failed: {name} returned {} row(s)", out.rows.len());
        Ok(false)
    }
}
