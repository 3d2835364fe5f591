//! `greenboard bench`: ingest and export timed, and the CI step whole.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::Parser;
use greenboard::export::sql::write_dump;

use super::ci;
use super::error::CliError;
use super::files::write_output;

/// Measure ingest throughput and export time against `sqlite3 .dump`, then
/// the whole CI step (`greenboard ci`) adding a run to the history made
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
/// them (best of three each, taking turns); then the CI step.
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
    ci_step(&args.dir, &db, args.tests)
}

/// Times the GitHub Action's step, `greenboard ci`, as a project's CI runs
/// it: the benchmark's database published as a site's history (its dump
/// served on 127.0.0.1), and a new run of `tests` cases added: the history
/// fetched and loaded, the report ingested, the summary written, the
/// history exported into the site.
fn ci_step(dir: &Path, db: &Path, tests: usize) -> Result<(), CliError> {
    let published = dir.join("published");
    let data = published.join("static");
    std::fs::create_dir_all(&data)?;
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let results: i64 = conn.query_row("SELECT COUNT(*) FROM test_results", [], |r| r.get(0))?;
    write_output(&data.join("results.sql.gz"), |mut w| {
        Ok(write_dump(&conn, &mut w)?)
    })?;
    drop(conn);
    std::fs::write(
        data.join("datasets.json"),
        r#"[{"name": "Test results", "url": "static/results.sql.gz"}]"#,
    )?;
    let origin = serve(published)?;
    let mut rng = greenboard::demo::Rng::new(7);
    let report = dir.join("ci-run.xml");
    std::fs::write(&report, greenboard::bench::junit_report(&mut rng, tests))?;
    let site = dir.join("ci-site");
    let with_site = super::site::explorer().is_ok();
    let mut argv = vec![
        "ci".to_string(),
        "--reports".into(),
        report.display().to_string(),
        "--history".into(),
        format!("{origin}/"),
        "--branch".into(),
        "main".into(),
        "--commit".into(),
        "bench".into(),
        "--summary".into(),
        dir.join("ci-summary.md").display().to_string(),
    ];
    if with_site {
        argv.extend(["--site".into(), site.display().to_string()]);
    }
    let _ = std::fs::remove_file(dir.join("ci-summary.md"));
    let started = Instant::now();
    let done = ci::run(Step::parse_from(argv).args, &|_| None)?;
    let total = started.elapsed();
    let steps: Vec<String> = done
        .times
        .iter()
        .map(|(name, t)| format!("{name} {:.2} s", t.as_secs_f64()))
        .collect();
    println!(
        "CI step (greenboard ci): a history of {results} results and a run of {tests}: {:.2} s ({}){}",
        total.as_secs_f64(),
        steps.join(", "),
        if with_site {
            ""
        } else {
            "; no site: this binary carries no explorer"
        }
    );
    Ok(())
}

/// `greenboard ci`'s arguments, parsed as the command line would (`ci`
/// standing for the program's name).
#[derive(Parser)]
struct Step {
    #[command(flatten)]
    args: ci::Args,
}

/// Serves `dir` on 127.0.0.1 in a thread (200 or 404, one request a
/// connection); returns its origin.
fn serve(dir: PathBuf) -> Result<String, CliError> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let origin = format!("http://{}", listener.local_addr()?);
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut line = String::new();
            let mut reader = BufReader::new(match stream.try_clone() {
                Ok(s) => s,
                Err(_) => continue,
            });
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            let mut header = String::new();
            while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
                header.clear();
            }
            let path = line.split(' ').nth(1).unwrap_or("/");
            let (status, body) = match std::fs::read(dir.join(path.trim_start_matches('/'))) {
                Ok(body) => ("200 OK", body),
                Err(_) => ("404 Not Found", Vec::new()),
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(&body);
        }
    });
    Ok(origin)
}
