//! `greenboard chart`: a preset's or SQL's answer drawn as SVG.

use std::path::PathBuf;

use greenboard::chart::spec::Spec;
use greenboard::chart::svg::{Options, render};

use super::error::CliError;
use super::files::write_output;
use super::source::{Source, answer};

/// Draw a preset's (or SQL's) answer as an SVG chart, with the same
/// chart code as the explorer: the preset's chart, the --spec given, or
/// one guessed from the answer's columns.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    source: Source,
    /// A preset id (see `query --list-presets`).
    #[arg(long, conflicts_with = "sql", required_unless_present = "sql")]
    preset: Option<String>,
    /// The chart: `KIND:x=COLUMN,y=COLUMN[,series=COLUMN][,agg=WAY]`, KIND
    /// one of bar, stacked, line, scatter, heatmap, strip, WAY how rows sharing x
    /// combine: sum, avg, min, max or count.
    #[arg(long)]
    spec: Option<String>,
    /// The chart's title (default: the preset's title).
    #[arg(long)]
    title: Option<String>,
    /// A value for the SQL's next parameter, as for `query`.
    #[arg(long = "param", short = 'p', value_name = "VALUE")]
    params: Vec<String>,
    /// Where to write the SVG (`-` for standard output).
    #[arg(short, long)]
    output: PathBuf,
    /// SQL to chart instead of a preset.
    sql: Option<String>,
}

/// Writes the chart and says on stderr what it shows.
pub fn exec(args: Args) -> Result<(), CliError> {
    let (answer, preset) = answer(&args.source, args.preset, args.sql, args.params)?;
    let preset_spec = preset
        .and_then(|p| p.chart)
        .and_then(|c| c.spec_text(&answer.columns));
    let spec: Spec = match args.spec.or(preset_spec) {
        Some(text) => text.parse().map_err(|e| CliError::Usage(format!("{e}")))?,
        None => Spec::suggest(&answer.columns, &answer.rows)
            .map_err(|why| CliError::Usage(format!("{why} (give --spec)")))?,
    };
    let opts = Options {
        title: args
            .title
            .or_else(|| preset.map(|p| p.title.to_string()))
            .unwrap_or_else(|| "Chart".into()),
        ..Options::default()
    };
    let drawing = render(&spec, &answer.columns, &answer.rows, &opts)
        .map_err(|e| CliError::Usage(e.to_string()))?;
    write_output(&args.output, |w| Ok(w.write_all(drawing.svg.as_bytes())?))?;
    eprintln!("{spec}: {}", drawing.description);
    Ok(())
}
