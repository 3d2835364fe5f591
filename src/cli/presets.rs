//! `greenboard presets`: the built-in presets as JSON.

use std::path::PathBuf;

use greenboard::presets::Catalog;

use super::error::CliError;
use super::files::write_output;

/// Write every built-in preset (its schema, id, group, title, description,
/// SQL, parameters with the SQL of their defaults, and chart), the
/// drill-downs of their charts and what the health tiles read in place of
/// a preset as JSON: what the explorer fetches once data is loaded
/// (`web/presets.json`).
#[derive(clap::Args)]
pub struct Args {
    /// Output file (`-` for standard output).
    #[arg(short, long, default_value = "-")]
    output: PathBuf,
}

/// Writes the catalogue.
pub fn exec(args: Args) -> Result<(), CliError> {
    let json = serde_json::to_string_pretty(&Catalog::built_in()).expect("JSON of strings") + "\n";
    write_output(&args.output, |out| Ok(out.write_all(json.as_bytes())?))
}
