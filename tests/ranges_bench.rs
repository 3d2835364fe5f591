//! The benchmark of reading a history over HTTP range requests (run by
//! `bash .ci/bench`; ignored by the ordinary test run). One run makes a
//! history with the demo's generator at `GREENBOARD_RANGES_SCALE` times its
//! runs (140 by default: about 11 million results, 2.1 GB in the form made
//! for the web), serves it from one server on 127.0.0.1 that answers ranges
//! and counts what it sends, and asks the same questions of it from
//! greenboard's page and from sql.js-httpvfs, side by side in the same
//! headless Chromium:
//!
//! - navigation to the first dashboard chart (greenboard's page draws it;
//!   sql.js-httpvfs answers its query), with the bytes fetched by then;
//! - each benchmark query (a test's page, the latest failures, a run's
//!   results) after the dashboard's, with its time, bytes and requests;
//! - a test's page opened from its address in a new browser;
//! - a revisit: greenboard reads the pages it kept; sql.js-httpvfs keeps
//!   nothing between visits.
//!
//! Bytes and requests are the server's count.

#![cfg(not(target_family = "wasm"))]

mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::Connection;
use support::*;

/// The history's scale (the demo's runs times this).
fn scale() -> u32 {
    std::env::var("GREENBOARD_RANGES_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(140)
}

/// The history in the web form, made once per scale and kept under
/// `target/` for the next run.
fn history(scale: u32) -> PathBuf {
    let dir = root().join("target/ranges-bench");
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join(format!("history-{scale}.db"));
    // One made by an export that wrote other summaries is made again.
    let current = Connection::open(&out).is_ok_and(|conn| {
        greenboard::db::summaries::SUMMARIES.iter().all(|s| {
            conn.query_row(
                "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = ?1",
                [s.name],
                |r| r.get::<_, i64>(0),
            )
            .is_ok_and(|n| n == 1)
        })
    });
    if out.exists() && current {
        return out;
    }
    let started = Instant::now();
    let work = dir.join(format!("work-{scale}.db"));
    let _ = std::fs::remove_file(&work);
    let conn = Connection::open(&work).unwrap();
    conn.execute_batch("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")
        .unwrap();
    greenboard::demo::generate_scaled(&conn, scale).unwrap();
    greenboard::export::web_db::write(&conn, &out, None).unwrap();
    drop(conn);
    let _ = std::fs::remove_file(&work);
    println!(
        "made the history at scale {scale} in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    out
}

/// `sql` with its test parameter (`?1`) written as the literal `test`.
fn with_test(sql: &str, test: &str) -> String {
    sql.replace("?1", &format!("'{}'", test.replace('\'', "''")))
}

/// The benchmark's queries, after the dashboard's: a test's page (its four
/// parts), the latest failures, and the results of the latest run.
fn queries(test: &str) -> Vec<(String, String)> {
    let preset = |id: &str| greenboard::presets::find(id).unwrap().sql;
    let mut out: Vec<(String, String)> = [
        "test-timeline",
        "test-results",
        "test-durations",
        "test-messages",
    ]
    .iter()
    .map(|id| (id.to_string(), with_test(preset(id), test)))
    .collect();
    out.push(("latest-failures".into(), preset("latest-failures").into()));
    out.push((
        "latest run's results".into(),
        "SELECT test_name, outcome, duration_ms FROM test_results \
         WHERE run_id = (SELECT MAX(id) FROM test_runs) ORDER BY test_name"
            .into(),
    ));
    out
}

/// The dashboard's queries, the first chart's first.
fn dashboard() -> Vec<(String, String)> {
    let ids = ["pass-rate-by-branch", "pass-rate-by-platform", "headline"];
    ids.iter()
        .zip(greenboard::presets::DASHBOARD_SQL)
        .map(|(id, sql)| (id.to_string(), sql.to_string()))
        .collect()
}

/// What a step cost.
#[derive(Debug, Default, Clone)]
struct Cost {
    ms: f64,
    bytes: usize,
    requests: usize,
    note: String,
}

impl Cost {
    /// A step that took `ms`, while the server's count went from `before`
    /// to `after` (bytes, requests).
    fn between(before: (usize, usize), after: (usize, usize), ms: f64, note: &str) -> Cost {
        Cost {
            ms,
            bytes: after.0 - before.0,
            requests: after.1 - before.1,
            note: note.to_string(),
        }
    }
}

/// What the server sent of `suffix` so far: bytes and requests.
fn sent(server: &Server, suffix: &str) -> (usize, usize) {
    let served = server.served(suffix);
    (served.iter().map(|s| s.bytes).sum(), served.len())
}

/// Waits until the server has sent nothing more of `suffix` for 2 s.
async fn quiet(server: &Server, suffix: &str) -> (usize, usize) {
    let mut seen = (usize::MAX, 0);
    loop {
        tokio::time::sleep(Duration::from_secs(2)).await;
        let now = sent(server, suffix);
        if now == seen {
            return now;
        }
        seen = now;
    }
}

/// Milliseconds in a status text such as "… in 812 ms".
fn ms_in(text: &str) -> f64 {
    let Some(end) = text.rfind(" ms") else {
        return f64::NAN;
    };
    text[..end]
        .rsplit(' ')
        .next()
        .and_then(|n| n.replace(',', "").parse().ok())
        .unwrap_or(f64::NAN)
}

/// When the page's first chart was drawn (ms since navigation).
const FIRST_CHART_JS: &str = "const m = performance.getEntriesByName('greenboard:first-chart'); return m.length > 0 && m[0].startTime;";

/// greenboard's page: the first chart, the page's own queries, then each
/// query in the SQL box; then a revisit in the same browser.
async fn greenboard(server: &Server, qs: &[(String, String)]) -> (Vec<(String, Cost)>, Cost) {
    const FILE: &str = "/g/history.db";
    let b = Browser::start().await;
    let mut out = Vec::new();
    b.driver
        .goto(format!("{}/?db=g/history.db", server.origin))
        .await
        .unwrap();
    let first = b.wait_for(FIRST_CHART_JS, Duration::from_secs(120)).await;
    let at_chart = sent(server, FILE);
    out.push((
        "first chart (from navigation)".to_string(),
        Cost::between((0, 0), at_chart, first.as_f64().unwrap_or(f64::NAN), ""),
    ));
    let quietly = quiet(server, FILE).await;
    let status = b.wait_loaded().await;
    out.push((
        "the page's own queries, all".to_string(),
        Cost::between((0, 0), quietly, f64::NAN, &status),
    ));
    for (name, sql) in qs {
        let before = sent(server, FILE);
        run_sql(&b, sql).await;
        // The last query's status goes once this one runs.
        b.wait_for(
            "return !document.querySelector('.query-status.done, .query-status.failed');",
            Duration::from_secs(2),
        )
        .await;
        let outcome = query_outcome(&b, Duration::from_secs(600)).await;
        let after = quiet(server, FILE).await;
        let (ms, note) = match &outcome {
            Ok(text) => (ms_in(text), String::new()),
            Err(e) => (f64::NAN, e.chars().take(80).collect()),
        };
        out.push((name.clone(), Cost::between(before, after, ms, &note)));
    }
    // Again, in the same browser.
    let before = sent(server, FILE);
    b.driver
        .goto(format!("{}/?db=g/history.db&visit=2", server.origin))
        .await
        .unwrap();
    let again = b.wait_for(FIRST_CHART_JS, Duration::from_secs(120)).await;
    let after = sent(server, FILE);
    b.quit().await;
    let revisit = Cost::between(before, after, again.as_f64().unwrap_or(f64::NAN), "");
    (out, revisit)
}

/// A test's page opened from its address, in a new browser: the time its
/// four parts were drawn and what the whole navigation fetched.
async fn greenboard_test_page(server: &Server, test: &str) -> Cost {
    const FILE: &str = "/g/history.db";
    let before = sent(server, FILE);
    let b = Browser::start().await;
    b.driver
        .goto(format!(
            "{}/?db=g/history.db&test={}",
            server.origin,
            encode(test)
        ))
        .await
        .unwrap();
    let drawn = b
        .wait_for(
            "const p = [...document.querySelectorAll('.test-page .part')];
             return p.length === 4 && p.every(x => !x.querySelector('.pending')) && performance.now();",
            Duration::from_secs(300),
        )
        .await;
    let after = quiet(server, FILE).await;
    b.quit().await;
    Cost::between(before, after, drawn.as_f64().unwrap_or(f64::NAN), "")
}

/// The sql.js-httpvfs page: its worker over `/h/history.db`; the first
/// query asked at once, the others when the benchmark asks (`ask(i)`), each
/// answer's time and when it came (since navigation) in `results`.
const HTTPVFS_PAGE: &str = r#"<!doctype html><meta charset="utf-8"><script src="index.js"></script>
<script src="queries.js"></script>
<script>
window.answered = -1;
window.results = [];
const ready = createDbWorker(
  [{ from: "inline", config: { serverMode: "full", requestChunkSize: PAGE, url: "/h/history.db" } }],
  "sqlite.worker.js", "sql-wasm.wasm");
window.ask = (i) => {
  const t0 = performance.now();
  const done = (note) => {
    window.results[i] = { ms: performance.now() - t0, at: performance.now(), note };
    window.answered = i;
  };
  ready.then((w) => w.db.exec(QUERIES[i][1])).then(() => done(""),
    (e) => done(String((e && e.message) || e).slice(0, 60)));
};
window.ask(0);
</script>"#;

/// sql.js-httpvfs on `qs` in one page (the first chart's query first, asked
/// at navigation), in a browser of its own; then a revisit.
async fn httpvfs(
    server: &Server,
    dir: &Path,
    qs: &[(String, String)],
) -> (Vec<(String, Cost)>, Cost) {
    const FILE: &str = "/h/history.db";
    let page = std::fs::read_to_string(dir.join("page_size")).unwrap();
    std::fs::write(
        dir.join("queries.js"),
        format!(
            "const PAGE = {}; const QUERIES = {};",
            page.trim(),
            serde_json::to_string(qs).unwrap()
        ),
    )
    .unwrap();
    let b = Browser::start().await;
    let answer = |i: usize| format!("return window.answered === {i} && window.results[{i}];");
    let mut out = Vec::new();
    let before = sent(server, FILE);
    b.driver
        .goto(format!("{}/hv/index.html", server.origin))
        .await
        .unwrap();
    let first = b.wait_for(&answer(0), Duration::from_secs(600)).await;
    let after = sent(server, FILE);
    out.push((
        "first chart (from navigation)".to_string(),
        Cost::between(
            before,
            after,
            first["at"].as_f64().unwrap_or(f64::NAN),
            first["note"].as_str().unwrap_or(""),
        ),
    ));
    for (i, (name, _)) in qs.iter().enumerate().skip(1) {
        let before = sent(server, FILE);
        b.js(&format!("window.ask({i}); return true;")).await;
        let r = b.wait_for(&answer(i), Duration::from_secs(1800)).await;
        let after = sent(server, FILE);
        out.push((
            name.clone(),
            Cost::between(
                before,
                after,
                r["ms"].as_f64().unwrap_or(f64::NAN),
                r["note"].as_str().unwrap_or(""),
            ),
        ));
    }
    // Again, in the same browser: nothing was kept.
    let before = sent(server, FILE);
    b.driver
        .goto(format!("{}/hv/index.html?visit=2", server.origin))
        .await
        .unwrap();
    let again = b.wait_for(&answer(0), Duration::from_secs(600)).await;
    let after = sent(server, FILE);
    b.quit().await;
    let revisit = Cost::between(before, after, again["at"].as_f64().unwrap_or(f64::NAN), "");
    (out, revisit)
}

/// One line of the report.
fn line(name: &str, ours: &Cost, theirs: Option<&Cost>) {
    // Bytes in KB under a megabyte; a time not measured as "–".
    let bytes = |b: usize| {
        if b < 1 << 20 {
            format!("{:.1} KB", b as f64 / 1024.0)
        } else {
            format!("{:.2} MB", b as f64 / (1 << 20) as f64)
        }
    };
    let ms = |t: f64| {
        if t.is_nan() {
            "–".to_string()
        } else {
            format!("{t:.0} ms")
        }
    };
    let them = theirs.map_or("".to_string(), |t| {
        format!(
            "{:>9} {:>10} {:>6} req {}",
            ms(t.ms),
            bytes(t.bytes),
            t.requests,
            t.note
        )
    });
    println!(
        "{name:<32} {:>9} {:>10} {:>6} req {:<10} | {them}",
        ms(ours.ms),
        bytes(ours.bytes),
        ours.requests,
        ours.note.chars().take(10).collect::<String>()
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "a benchmark: run it with `bash .ci/bench`"]
async fn ranges_benchmark() {
    let scale = scale();
    let file = history(scale);
    let size = std::fs::metadata(&file).unwrap().len() as usize;
    let conn = Connection::open(&file).unwrap();
    let page: u32 = conn
        .query_row("PRAGMA page_size", [], |r| r.get(0))
        .unwrap();
    let results: i64 = conn
        .query_row("SELECT COUNT(*) FROM test_results", [], |r| r.get(0))
        .unwrap();
    let test: String = conn
        .query_row(greenboard::presets::health::TEST.default, [], |r| r.get(0))
        .unwrap();
    drop(conn);
    let data = TempDir::new("ranges-bench-data");
    std::fs::hard_link(&file, data.0.join("history.db"))
        .or_else(|_| std::fs::copy(&file, data.0.join("history.db")).map(|_| ()))
        .unwrap();
    let hv = TempDir::new("ranges-bench-httpvfs");
    let dist_hv = root().join(".tools/node_modules/sql.js-httpvfs/dist");
    for f in ["index.js", "sqlite.worker.js", "sql-wasm.wasm"] {
        std::fs::copy(dist_hv.join(f), hv.0.join(f))
            .expect("sql.js-httpvfs is installed by .ci/bench");
    }
    std::fs::write(hv.0.join("index.html"), HTTPVFS_PAGE).unwrap();
    std::fs::write(hv.0.join("page_size"), page.to_string()).unwrap();
    let server = Server::start_ranges(
        vec![
            ("/g/", data.0.clone()),
            ("/h/", data.0.clone()),
            ("/hv/", hv.0.clone()),
            ("/", dist()),
        ],
        true,
    )
    .await;
    println!(
        "history: scale {scale}, {results} results, {:.0} MB, pages of {} KB; the test: {test}",
        size as f64 / 1e6,
        page / 1024
    );
    let qs = queries(&test);
    let (ours, our_revisit) = greenboard(&server, &qs).await;
    let test_page = greenboard_test_page(&server, &test).await;
    let mut all = dashboard();
    all.extend(qs.iter().cloned());
    let (theirs, their_revisit) = httpvfs(&server, &hv.0, &all).await;

    println!(
        "\n{:<32} {:>35} | sql.js-httpvfs 0.8.12",
        "(bytes and requests: the server's count)", "greenboard"
    );
    let find = |name: &str| theirs.iter().find(|(n, _)| n == name).map(|(_, c)| c);
    for (name, cost) in &ours {
        line(name, cost, find(name));
    }
    // sql.js-httpvfs's dashboard queries after its first: the page's own
    // queries are greenboard's (charts, headline and health tiles).
    for (name, _) in dashboard().iter().skip(1) {
        if let Some(c) = find(name) {
            line(
                &format!("  (sql.js-httpvfs) {name}"),
                &Cost::default(),
                Some(c),
            );
        }
    }
    line("revisit: first chart", &our_revisit, Some(&their_revisit));
    line("a test's page, new browser", &test_page, None);
    let first = &ours[0].1;
    println!(
        "\nfirst chart: {:.0} ms (target <= 2000), {:.2} % of the file (target <= 1 %)",
        first.ms,
        100.0 * first.bytes as f64 / size as f64
    );
    println!(
        "a test's page: {} KB fetched with the page's own queries (target <= 200 KB)",
        test_page.bytes / 1024
    );
    for (name, cost) in ours.iter().skip(2) {
        if let Some(c) = find(name) {
            let ok = cost.bytes <= c.bytes && cost.requests <= c.requests;
            println!(
                "{name}: greenboard {} B in {} requests, sql.js-httpvfs {} B in {}: {}",
                cost.bytes,
                cost.requests,
                c.bytes,
                c.requests,
                if ok { "no more" } else { "MORE" }
            );
        }
    }
    println!(
        "revisit: greenboard fetched {} B in {} requests (the first bytes' revalidation)",
        our_revisit.bytes, our_revisit.requests
    );
}
