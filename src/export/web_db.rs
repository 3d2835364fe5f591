//! A database made for reading over HTTP, a piece at a time
//! ([`crate::db::lazy`]): the data copied by `VACUUM INTO` (no free pages,
//! each table's pages together), an index that lets a test's page read its
//! results without visiting the table, `ANALYZE`'s statistics, and the page
//! size that makes the questions people ask cheapest to answer over the
//! network, chosen by measuring them.
//!
//! The measure: each page size's copy is read through the lazy VFS (its
//! read-ahead and cache as the browser's will be), answering the
//! dashboard's queries, its health tiles and three tests' pages, and costs
//! a round trip per request and the time its bytes take: [`ROUND_TRIP_MS`]
//! and [`BYTES_PER_MS`], a modest connection. Each of those tests' pages
//! opened from its address on its own is read too: the size chosen is the
//! fastest of those whose every test's page fetches at most
//! [`TEST_PAGE_BYTES`] (a reader on a phone's data pays for bytes), else
//! the fastest.

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use crate::db::lazy::{self, Options, Ranges};

/// The page sizes tried, in bytes.
pub const PAGE_SIZES: [u32; 5] = [4096, 8192, 16384, 32768, 65536];
/// What a request costs beyond its bytes, in milliseconds.
pub const ROUND_TRIP_MS: f64 = 50.0;
/// Bytes received per millisecond (about 40 Mbit/s).
pub const BYTES_PER_MS: f64 = 5_000.0;
/// What a test's page, opened from its address, may fetch: a page size
/// whose test's page fetches more is chosen only when every size's does.
pub const TEST_PAGE_BYTES: u64 = 200 << 10;
/// What the explorer fetches of a database before its first page: its
/// header, to learn whether the server answers ranges (the worker's
/// `remote::PROBE_BYTES`). A test's page opened from its address pays it.
pub const OPENING_BYTES: u64 = 100;

/// What reading the questions cost at one page size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measured {
    /// The page size.
    pub page_size: u32,
    /// Requests made.
    pub requests: u64,
    /// Bytes fetched.
    pub bytes: u64,
    /// Their cost in milliseconds, by the measure above.
    pub ms: f64,
    /// Bytes a test's page fetched, opened from its address (its opening's
    /// [`OPENING_BYTES`] included): the most of the pages of the three tests
    /// that failed most (0 without one).
    pub test_page_bytes: u64,
}

/// Why the database could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WebDbError {
    /// SQLite refused a step.
    #[error("{0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A file could not be written, copied or read.
    #[error("{0}: {1}")]
    File(PathBuf, std::io::Error),
    /// Reading a copy through the lazy VFS failed.
    #[error("measuring: {0}")]
    Measure(String),
}

/// The questions measured: the dashboard's, its health tiles' and the pages
/// of the tests that failed most (on greenboard's schema); else a count of
/// each table.
fn questions(conn: &Connection) -> Questions {
    let greenboard = conn
        .query_row(
            "SELECT COUNT(*) = 2 FROM sqlite_schema WHERE name IN ('test_runs', 'test_results')",
            [],
            |r| r.get::<_, bool>(0),
        )
        .unwrap_or(false);
    if !greenboard {
        let tables: Vec<String> = conn
            .prepare(
                "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            )
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .unwrap_or_default();
        let asked = tables
            .iter()
            .map(|t| {
                (
                    format!("SELECT COUNT(*) FROM \"{}\"", t.replace('"', "\"\"")),
                    Vec::new(),
                )
            })
            .collect();
        return Questions {
            asked,
            test_pages: Vec::new(),
        };
    }
    let catalog = crate::presets::Catalog::built_in();
    let mut asked: Vec<(String, Vec<String>)> = crate::presets::DASHBOARD_SQL
        .iter()
        .map(|sql| (sql.to_string(), Vec::new()))
        .collect();
    // The health tiles of the default branch, as the dashboard asks them.
    let branch = crate::db::default_value(conn, &crate::presets::health::BRANCH);
    for (id, params) in [
        ("new-failures", vec![branch.clone()]),
        ("ongoing-failures", vec![branch.clone()]),
        ("recently-fixed", vec![branch.clone()]),
        (
            "flaky-by-rule",
            vec![crate::db::summaries::FLAKY_RUNS.to_string()],
        ),
        (
            "duration-regressions",
            vec![branch, "10".into(), "50".into()],
        ),
    ] {
        if let Some(sql) = catalog.tile(id, true) {
            asked.push((sql.to_string(), params));
        }
    }
    // The pages of the three tests that failed most: a reader opens more
    // than one.
    let tests: Vec<String> = conn
        .prepare("SELECT test_name FROM summary_tests WHERE failed > 0 ORDER BY failed DESC, test_name LIMIT 3")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .unwrap_or_default();
    let page = |test: &str| -> Vec<(String, Vec<String>)> {
        [
            "test-timeline",
            "test-results",
            "test-durations",
            "test-messages",
        ]
        .iter()
        .filter_map(|id| crate::presets::find(id))
        .map(|p| (p.sql.to_string(), vec![test.to_string()]))
        .collect()
    };
    for test in &tests {
        asked.extend(page(test));
    }
    Questions {
        asked,
        test_pages: tests.iter().map(|t| page(t)).collect(),
    }
}

/// What the measure asks.
struct Questions {
    /// The questions of a reader's visit, in order.
    asked: Vec<(String, Vec<String>)>,
    /// Tests' pages, each opened from its address.
    test_pages: Vec<Vec<(String, Vec<String>)>>,
}

/// A file read by ranges.
struct FileRanges(std::sync::Mutex<std::fs::File>);

impl Ranges for FileRanges {
    fn size(&self) -> Result<u64, String> {
        let file = self.0.lock().map_err(|_| "poisoned".to_string())?;
        file.metadata().map(|m| m.len()).map_err(|e| e.to_string())
    }

    fn fetch(&self, offset: u64, len: u64) -> Result<Vec<u8>, String> {
        use std::io::{Read, Seek, SeekFrom};
        let mut file = self.0.lock().map_err(|_| "poisoned".to_string())?;
        let mut buf = vec![0; len as usize];
        file.seek(SeekFrom::Start(offset))
            .and_then(|_| file.read_exact(&mut buf))
            .map_err(|e| e.to_string())?;
        Ok(buf)
    }
}

/// What answering the questions costs when `path` is read through the
/// lazy VFS: those of a visit, then a test's page on a fresh opening.
fn measure(path: &Path, page_size: u32, questions: &Questions) -> Result<Measured, WebDbError> {
    let cost = |asked: &[(String, Vec<String>)]| -> Result<lazy::Stats, WebDbError> {
        let file =
            std::fs::File::open(path).map_err(|e| WebDbError::File(path.to_path_buf(), e))?;
        let opened = lazy::open(
            FileRanges(std::sync::Mutex::new(file)),
            Options {
                block: u64::from(page_size),
                ..Options::default()
            },
        )
        .map_err(WebDbError::Measure)?;
        crate::db::prepare(&opened.conn)?;
        for (sql, params) in asked {
            crate::db::query::run_with(&opened.conn, sql, params)
                .map_err(|e| WebDbError::Measure(format!("{e:?}")))?;
        }
        Ok(opened.stats())
    };
    let s = cost(&questions.asked)?;
    let mut test_page_bytes = 0;
    for page in &questions.test_pages {
        test_page_bytes = test_page_bytes.max(OPENING_BYTES + cost(page)?.bytes);
    }
    Ok(Measured {
        page_size,
        requests: s.requests,
        bytes: s.bytes,
        ms: s.requests as f64 * ROUND_TRIP_MS + s.bytes as f64 / BYTES_PER_MS,
        test_page_bytes,
    })
}

/// Writes `src`'s main database to `out` in the form made for reading over
/// HTTP, at `page_size` or at the size measured cheapest; gives what each
/// size tried cost (the one written first).
pub fn write(
    src: &Connection,
    out: &Path,
    page_size: Option<u32>,
) -> Result<Vec<Measured>, WebDbError> {
    let dir = out
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let stem = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let staged = dir.join(format!(".{stem}.partial"));
    let _ = std::fs::remove_file(&staged);
    src.execute("VACUUM INTO ?1", [staged.to_string_lossy()])?;
    let prepared = (|| {
        let conn = Connection::open(&staged)?;
        let greenboard: bool = conn.query_row(
            "SELECT COUNT(*) = 2 FROM sqlite_schema WHERE name IN ('test_runs', 'test_results')",
            [],
            |r| r.get(0),
        )?;
        if greenboard {
            // The dashboard, the health tiles and a test's page read
            // summaries, not every result (one groups failures by their
            // messages' signature).
            crate::db::signature::register(&conn)?;
            crate::db::summaries::materialize(&conn)?;
            // A test's page reads its latest results from the index alone.
            // The health tiles find each platform's latest runs on a
            // branch from an index alone.
            conn.execute_batch(
                "CREATE INDEX IF NOT EXISTS idx_test_results_test_run
                   ON test_results(test_name, run_id, outcome, duration_ms, retry_count);
                 CREATE INDEX IF NOT EXISTS idx_test_runs_branch_platform
                   ON test_runs(branch_name, platform_id);",
            )?;
        }
        // The planner's statistics, without the samples of `sqlite_stat4`:
        // every opening reads them whole (a test's page opened from its
        // address would pay a tenth of its bytes for them), and the
        // counts of `sqlite_stat1` choose the same plans for the presets.
        conn.execute_batch("ANALYZE; DROP TABLE IF EXISTS sqlite_stat4;")?;
        Ok::<_, WebDbError>(questions(&conn))
    })();
    let asked = match prepared {
        Ok(asked) => asked,
        Err(e) => {
            let _ = std::fs::remove_file(&staged);
            return Err(e);
        }
    };
    let sizes: Vec<u32> = match page_size {
        Some(s) => vec![s],
        None => PAGE_SIZES.to_vec(),
    };
    let mut tried: Vec<(Measured, PathBuf)> = Vec::new();
    let result = (|| -> Result<u32, WebDbError> {
        for size in sizes {
            let copy = dir.join(format!(".{stem}.{size}.partial"));
            std::fs::copy(&staged, &copy).map_err(|e| WebDbError::File(copy.clone(), e))?;
            tried.push((
                Measured {
                    page_size: size,
                    requests: 0,
                    bytes: 0,
                    ms: 0.0,
                    test_page_bytes: 0,
                },
                copy.clone(),
            ));
            let conn = Connection::open(&copy)?;
            conn.execute_batch(&format!(
                "PRAGMA journal_mode = DELETE; PRAGMA page_size = {size}; VACUUM;"
            ))?;
            drop(conn);
            let m = measure(&copy, size, &asked)?;
            if let Some(last) = tried.last_mut() {
                last.0 = m;
            }
        }
        // The fastest of the sizes whose test's page stays light, else the
        // fastest.
        let light = tried
            .iter()
            .any(|(m, _)| m.test_page_bytes <= TEST_PAGE_BYTES);
        let best = tried
            .iter()
            .filter(|(m, _)| !light || m.test_page_bytes <= TEST_PAGE_BYTES)
            .min_by(|a, b| a.0.ms.total_cmp(&b.0.ms))
            .map(|(m, p)| (m.page_size, p.clone()))
            .ok_or_else(|| WebDbError::Measure("no page size tried".into()))?;
        std::fs::rename(&best.1, out).map_err(|e| WebDbError::File(out.to_path_buf(), e))?;
        Ok(best.0)
    })();
    for (_, p) in &tried {
        let _ = std::fs::remove_file(p);
    }
    let _ = std::fs::remove_file(&staged);
    let chosen = result?;
    let mut measured: Vec<Measured> = tried.into_iter().map(|(m, _)| m).collect();
    measured.sort_by_key(|m| m.page_size != chosen);
    Ok(measured)
}
