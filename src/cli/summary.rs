//! `greenboard summary`: a branch's latest runs in Markdown, for a job
//! summary or a pull request's comment.

use std::path::PathBuf;

use greenboard::presets::health;
use greenboard::summary::{self, Links};

use super::error::CliError;
use super::files::write_output;
use super::source::{Source, open_data};

/// Write Markdown for a job summary or a pull request's comment: the
/// latest run of each platform on the branch, each against its base (the
/// latest run of `--against` on its platform, else the run before it): its
/// counts, new failures with their errors' signatures, still failing and
/// fixed tests; then the flakiest and the slowest tests. At most 65,535
/// bytes: long lists end with "…and N more".
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    source: Source,
    /// The branch (default: main or master when the data has one, else the
    /// branch with the most runs).
    #[arg(long)]
    branch: Option<String>,
    /// Compare each run with the latest run of this branch on its platform.
    #[arg(long, value_name = "BRANCH")]
    against: Option<String>,
    /// The explorer with this data, for links (e.g. the project's Pages site).
    #[arg(long, value_name = "URL")]
    site: Option<String>,
    /// Output file (`-` for standard output).
    #[arg(short, long, default_value = "-")]
    output: PathBuf,
}

/// Writes the summary.
pub fn exec(args: Args) -> Result<(), CliError> {
    let conn = open_data(&args.source)?;
    let branch = match args.branch {
        Some(b) => b,
        None => conn
            .query_row(health::BRANCH.default, [], |r| r.get::<_, String>(0))
            .map_err(|_| CliError::Data("the data holds no run on any branch".into()))?,
    };
    let mut stmt = conn.prepare(
        "SELECT MAX(id) FROM test_runs WHERE branch_name = ?1 GROUP BY platform_id ORDER BY platform_id",
    )?;
    let ids = stmt
        .query_map([&branch], |r| r.get::<_, i64>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    if ids.is_empty() {
        let branches: Vec<String> = conn
            .prepare("SELECT DISTINCT branch_name FROM test_runs WHERE branch_name IS NOT NULL ORDER BY 1")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        return Err(CliError::Data(format!(
            "no run on branch {branch:?} (the branches: {})",
            branches.join(", ")
        )));
    }
    let report = summary::report(&conn, &ids, args.against.as_deref())?;
    let markdown = summary::markdown(&report, &Links { site: args.site });
    write_output(&args.output, |out| Ok(out.write_all(markdown.as_bytes())?))
}
