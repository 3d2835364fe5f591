//! End-to-end tests: the built site served on 127.0.0.1 and driven in
//! headless Chromium through chromedriver.
//!
//! Build the site first (the README's test command does both):
//! `trunk build` into dist/, and `trunk build --public-url /greenboard/ --dist dist-sub`.

#![cfg(not(target_family = "wasm"))]

#[path = "../support/mod.rs"]
mod support;

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use greenboard::db::load::{OnError, load_str};
use greenboard::db::query;
use greenboard::protocol::Cell;
use serde_json::Value;
use support::*;
use thirtyfour::prelude::*;

const QUERY: Duration = Duration::from_secs(30);

/// Types `text` into the SQL editor and gives the labels of the
/// completions it then offers.
async fn completions_for(b: &Browser, editor: &WebElement, text: &str) -> Value {
    editor.click().await.unwrap();
    editor.send_keys(text).await.unwrap();
    b.wait_for(
        "const t = document.querySelector('.cm-tooltip-autocomplete');
         return t && [...t.querySelectorAll('li .cm-completionLabel')].map(l => l.textContent);",
        QUERY,
    )
    .await
}
const LOAD_TIMEOUT: Duration = Duration::from_secs(60);

/// The demo dump's SQL text.
fn demo_sql() -> String {
    let gz = std::fs::read(root().join("static/demo.sql.gz")).unwrap();
    let mut text = String::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_string(&mut text)
        .unwrap();
    text
}

/// The answer of SQLite compiled for this machine, through greenboard's own loader.
fn native(sql: &str) -> Vec<Vec<Cell>> {
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    load_str(&conn, &demo_sql(), OnError::Stop).unwrap();
    query::run(&conn, sql).unwrap().rows
}

/// The answer of the `sqlite3` command-line shell on the demo dump, as text cells.
fn sqlite3_cli(sql: &str) -> Vec<Vec<String>> {
    let mut child = Command::new("sqlite3")
        .args(["-batch", "-noheader", "-separator", "\t", ":memory:"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the sqlite3 shell must be installed (the README's test command installs it)");
    let mut stdin = child.stdin.take().unwrap();
    let input = format!("{}\n{sql}\n", demo_sql());
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|s| s.as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn table_rows(v: &Value) -> Vec<Vec<String>> {
    v["rows"]
        .as_array()
        .map(|rows| rows.iter().map(strings).collect())
        .unwrap_or_default()
}

/// What the dashboard shows: load status, headline, bars per chart.
const DASHBOARD_JS: &str = "const charts = [...document.querySelectorAll('figure.chart')];
  if (charts.length < 2) return null;
  return { status: document.querySelector('.status').textContent,
           headline: document.querySelector('.headline') && document.querySelector('.headline').textContent,
           charts: charts.map(f => ({
             caption: f.querySelector('figcaption').textContent,
             role: f.querySelector('svg').getAttribute('role'),
             title: f.querySelector('svg > title').textContent,
             desc: f.querySelector('svg > desc').textContent,
             bars: [...f.querySelectorAll('g.bar')].map(g => g.getAttribute('aria-label')),
             widths: [...f.querySelectorAll('g.bar rect')].map(r => parseFloat(r.getAttribute('width'))),
             ticks: [...f.querySelectorAll('g.tick text')].map(t => t.textContent) })) };";

/// Opens the site under `prefix` and checks the dashboard against the data.
async fn check_dashboard(prefix: &'static str, dir: std::path::PathBuf, screenshot: bool) {
    let server = Server::start(vec![(prefix, dir)]).await;
    let b = Browser::start().await;
    b.driver
        .goto(format!("{}{prefix}", server.origin))
        .await
        .unwrap();
    let status = b.wait_loaded().await;
    let dash = b.wait_for(DASHBOARD_JS, Duration::from_secs(20)).await;
    if screenshot {
        let png = b.driver.screenshot_as_png().await.unwrap();
        std::fs::create_dir_all(root().join("tests/screenshots")).unwrap();
        std::fs::write(root().join("tests/screenshots/dashboard.png"), png).unwrap();
    }
    b.quit().await;

    eprintln!("{prefix}: {status}");
    assert!(status.starts_with("Loaded"), "{status}");
    assert!(status.contains(" ms"), "the load time is shown: {status}");
    let branches = native("SELECT DISTINCT branch_name FROM test_runs");
    let platforms = native("SELECT DISTINCT platform_id FROM test_runs");
    let by_branch = native(
        greenboard::presets::find("pass-rate-by-branch")
            .unwrap()
            .sql,
    );
    let charts = dash["charts"].as_array().expect("two charts");
    assert_eq!(charts[0]["caption"], "Pass rate by branch");
    assert_eq!(charts[1]["caption"], "Pass rate by platform");
    assert_eq!(strings(&charts[0]["bars"]).len(), branches.len());
    assert_eq!(strings(&charts[1]["bars"]).len(), platforms.len());
    assert!(branches.len() >= 5 && platforms.len() >= 6);
    for chart in charts {
        assert_eq!(chart["role"], "img");
        assert!(!chart["title"].as_str().unwrap().is_empty());
        assert!(chart["desc"].as_str().unwrap().contains("pass rate"));
        assert_eq!(
            strings(&chart["ticks"]),
            ["0", "20", "40", "60", "80", "100"]
        );
    }
    // Bars carry the native answer's values, in its order, longest for the highest.
    let labels = strings(&charts[0]["bars"]);
    for (label, row) in labels.iter().zip(&by_branch) {
        let (Cell::Text(name), Some(rate)) = (&row[0], row[2].as_f64()) else {
            panic!("{row:?}")
        };
        assert_eq!(
            label,
            &format!(
                "{name}: {}%; Enter lists its failing tests",
                greenboard::chart::fmt_num(rate)
            )
        );
    }
    let widths: Vec<f64> = charts[0]["widths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_f64().unwrap())
        .collect();
    assert!(widths.windows(2).all(|w| w[0] >= w[1]), "{widths:?}");
    let headline = dash["headline"].as_str().unwrap();
    let runs = native("SELECT COUNT(*) FROM test_runs")[0][0]
        .display()
        .unwrap();
    assert!(headline.contains(&format!("{runs} runs")), "{headline}");
    assert!(headline.contains("300 tests"), "{headline}");
    assert!(headline.contains("→"), "date range: {headline}");
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_loads_and_charts_render_at_root() {
    check_dashboard("/", dist(), true).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_loads_and_charts_render_under_a_sub_path() {
    check_dashboard("/greenboard/", dist_sub(), false).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_preset_runs_and_returns_rows() {
    let (_server, b, status) = open_demo().await;
    let ids = strings(
        &b.wait_for(
            "const p = [...document.querySelectorAll('button.preset')]; return p.length ? p.map(e => e.dataset.preset) : null;",
            Duration::from_secs(10),
        )
        .await,
    );
    let mut outcomes = Vec::new();
    for id in &ids {
        b.click(&format!("button.preset[data-preset='{id}']")).await;
        let outcome = query_outcome(&b, QUERY).await;
        let editor = b.js("return document.getElementById('sql').value").await;
        let rows = table_rows(&b.js(TABLE_JS).await).len();
        outcomes.push((id.clone(), outcome, editor, rows));
    }
    b.quit().await;

    assert!(status.starts_with("Loaded"), "{status}");
    // The same list, made natively from the same data.
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    load_str(&conn, &demo_sql(), OnError::Stop).unwrap();
    let expected: Vec<greenboard::presets::Made> =
        greenboard::presets::for_recognised(&greenboard::db::recognised(&conn))
            .map(greenboard::presets::Made::from)
            .chain(greenboard::presets::for_tables(
                &greenboard::db::table_counts(&conn).unwrap(),
            ))
            .collect();
    assert_eq!(
        ids,
        expected.iter().map(|p| p.id.clone()).collect::<Vec<_>>()
    );
    for ((id, outcome, editor, rows), preset) in outcomes.into_iter().zip(&expected) {
        let status = outcome.unwrap_or_else(|e| panic!("preset {id} failed: {e}"));
        assert_eq!(editor, preset.sql, "preset {id} puts its SQL in the editor");
        assert!(rows > 0, "preset {id} returned no rows ({status})");
        // Parameters take the values the data suggests, as on the page.
        let values: Vec<String> = greenboard::presets::find(&preset.id)
            .map(|p| greenboard::db::defaults(&conn, p))
            .unwrap_or_default();
        let n = query::run_with(&conn, &preset.sql, &values)
            .unwrap()
            .rows
            .len();
        let shown = if n == 1 {
            "1 row in".to_string()
        } else {
            format!("{} rows in", greenboard::chart::fmt_count(n as u64))
        };
        assert!(
            status.starts_with(&shown),
            "preset {id}: {status}, native {n}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn presets_shipped_in_a_dump_come_first() {
    let (_server, b, status) = open_with_fixtures("?db=fixtures/with-presets.sql").await;
    let listed = b
        .wait_for(
            "const g = [...document.querySelectorAll('.preset-group')]; return g.length && g.map(e => [e.querySelector('h3').textContent, [...e.querySelectorAll('.preset .title')].map(t => t.textContent)]);",
            Duration::from_secs(10),
        )
        .await;
    b.driver
        .find(By::Css("button.preset[data-preset='shipped:0']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let outcome = query_outcome(&b, QUERY).await;
    let table = b.js(TABLE_JS).await;
    // Its chart is the one it ships (a guess would have been bars).
    let chart = chart_of(&b, "line").await;
    b.quit().await;

    assert!(status.starts_with("Loaded"), "{status}");
    assert_eq!(chart["marks"], 3, "{chart}");
    assert_eq!(chart["title"], "Slowest checks");
    assert_eq!(
        listed[0],
        serde_json::json!(["From this data", ["Slowest checks", "Checks by owner"]])
    );
    assert_eq!(listed[1][0], "Database");
    assert_eq!(listed[2][0], "Tables");
    assert!(outcome.is_ok(), "{outcome:?}");
    assert_eq!(
        table_rows(&table),
        [["deploy", "900"], ["lint", "120"], ["unit", "30"]]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_custom_query_matches_the_sqlite3_shell() {
    let sql = "SELECT branch_name, COUNT(*) AS runs, SUM(failed) AS failures, MIN(run_timestamp) AS first, \
               ROUND(100.0 * SUM(passed) / SUM(passed + failed), 2) AS rate \
               FROM test_runs GROUP BY branch_name ORDER BY branch_name;";
    let (_server, b, _) = open_demo().await;
    // Typed for real, then run with Ctrl+Enter.
    let editor = b.editor().await;
    editor.click().await.unwrap();
    editor.send_keys(sql).await.unwrap();
    editor.send_keys(Key::Control + Key::Enter).await.unwrap();
    let outcome = query_outcome(&b, QUERY).await;
    let table = b.js(TABLE_JS).await;
    let url = b.js("return location.search").await;
    b.quit().await;

    let expected = sqlite3_cli(sql);
    assert!(outcome.is_ok(), "{outcome:?}");
    assert_eq!(
        strings(&table["head"]),
        ["branch_name", "runs", "failures", "first", "rate"]
    );
    assert_eq!(table_rows(&table), expected);
    assert_eq!(expected.len(), 5);
    let search = url.as_str().unwrap();
    assert!(
        search.contains("sql=SELECT+branch_name"),
        "the address holds the SQL: {search}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_sql_error_is_shown_and_the_page_recovers() {
    let (_server, b, _) = open_demo().await;
    run_sql(&b, "SELECT * FROM test_runs WHERE;").await;
    let syntax = query_outcome(&b, QUERY).await;
    run_sql(&b, "SELECT nosuch FROM test_runs;").await;
    let column = query_outcome(&b, QUERY).await;
    run_sql(&b, "SELECT abs(-9223372036854775807 - 1);").await;
    let runtime = query_outcome(&b, QUERY).await;
    run_sql(
        &b,
        "SELECT 9223372036854775807 AS big, -9223372036854775808 AS small;",
    )
    .await;
    let ok = query_outcome(&b, QUERY).await;
    let table = b.js(TABLE_JS).await;
    b.quit().await;

    assert_eq!(
        syntax.unwrap_err(),
        "near \";\": syntax error (at character 30)"
    );
    assert!(column.unwrap_err().starts_with("no such column: nosuch"));
    assert!(runtime.unwrap_err().starts_with("integer overflow"));
    assert!(ok.unwrap().starts_with("1 row in "));
    assert_eq!(
        table_rows(&table),
        [["9223372036854775807", "-9223372036854775808"]],
        "64-bit integers arrive exact"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_page_stays_responsive_during_a_long_query() {
    let (_server, b, _) = open_demo().await;
    run_sql(
        &b,
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 30000000) SELECT count(*) FROM c;",
    )
    .await;
    let started = Instant::now();
    // While SQLite counts in the worker, the page takes clicks and typing.
    let editor = b.editor().await;
    editor.send_keys(Key::Control + Key::End).await.unwrap();
    let mut slowest = Duration::ZERO;
    let mut running_seen = 0;
    let mut clock = std::collections::BTreeSet::new();
    for i in 0..10 {
        let t = Instant::now();
        editor.send_keys(format!(" --{i}")).await.unwrap();
        let state = b
            .js("return [document.querySelector('.query-status').className, document.getElementById('sql').value]")
            .await;
        slowest = slowest.max(t.elapsed());
        if state[0].as_str().unwrap_or_default().contains("running") {
            running_seen += 1;
            clock.insert(
                b.js("return document.querySelector('.query-status').textContent")
                    .await
                    .to_string(),
            );
        }
        assert!(state[1].as_str().unwrap().ends_with(&format!(" --{i}")));
        b.driver
            .find(By::Css("button.preset"))
            .await
            .unwrap()
            .is_displayed()
            .await
            .unwrap();
    }
    let outcome = query_outcome(&b, Duration::from_secs(120)).await;
    let total = started.elapsed();
    let table = b.js(TABLE_JS).await;
    b.quit().await;

    assert!(
        running_seen >= 5,
        "the query was still running while typing ({running_seen} of 10, {total:?})"
    );
    assert!(
        slowest < Duration::from_millis(1000),
        "typing took {slowest:?} while the query ran"
    );
    assert!(outcome.is_ok(), "{outcome:?}");
    assert_eq!(table_rows(&table), [["30000000"]]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_later_query_replaces_a_running_one() {
    let (_server, b, _) = open_demo().await;
    run_sql(
        &b,
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 5000000) SELECT count(*) AS slow FROM c;",
    )
    .await;
    run_sql(&b, "SELECT 'second' AS fast;").await;
    let outcome = query_outcome(&b, Duration::from_secs(60)).await;
    let first = b.js(TABLE_JS).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let later = b.js(TABLE_JS).await;
    b.quit().await;

    assert!(outcome.is_ok(), "{outcome:?}");
    for table in [first, later] {
        assert_eq!(strings(&table["head"]), ["fast"]);
        assert_eq!(table_rows(&table), [["second"]]);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn values_render_as_text_never_as_markup() {
    let sql = "SELECT '<script>window.__xss = 1</script>' AS s, '<img src=x onerror=\"window.__xss = 2\">' AS i, \
               NULL AS n, '' AS e, 42 AS int, 1.5 AS real, x'00ff' AS b;";
    let server = Server::start(vec![("/", dist())]).await;
    let b = Browser::start().await;
    let url = format!(
        "{}/?sql={}",
        server.origin,
        sql.bytes()
            .map(|c| if c.is_ascii_alphanumeric() {
                (c as char).to_string()
            } else {
                format!("%{c:02X}")
            })
            .collect::<String>()
    );
    b.driver.goto(url).await.unwrap();
    b.wait_loaded().await;
    let outcome = query_outcome(&b, QUERY).await;
    let table = b.js(TABLE_JS).await;
    let editor = b.js("return document.getElementById('sql').value").await;
    run_sql(&b, "SELECT * FROM \"<img src=x onerror=window.__xss=3>\";").await;
    let error = query_outcome(&b, QUERY).await;
    let injected = b
        .js("return [window.__xss === undefined, document.querySelectorAll('table.result script, table.result img, .query-status img').length]")
        .await;
    b.quit().await;

    assert!(
        outcome.is_ok(),
        "?sql= runs once the data is loaded: {outcome:?}"
    );
    assert_eq!(editor.as_str().unwrap(), sql);
    assert_eq!(
        table_rows(&table),
        [[
            "<script>window.__xss = 1</script>",
            "<img src=x onerror=\"window.__xss = 2\">",
            "NULL",
            "",
            "42",
            "1.5",
            "BLOB · 2 bytes · 00 ff"
        ]]
    );
    assert_eq!(
        table["classes"][0],
        serde_json::json!(["text", "text", "null", "empty", "num", "num", "blob"]),
        "NULL, empty string and numbers are told apart"
    );
    assert_eq!(
        error.unwrap_err(),
        "no such table: <img src=x onerror=window.__xss=3>"
    );
    assert_eq!(injected, serde_json::json!([true, 0]));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hundred_thousand_rows_scroll_to_the_last_and_cells_copy() {
    let (_server, b, _) = open_demo().await;
    run_sql(
        &b,
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000) \
         SELECT x, 'row ' || x AS label, CASE WHEN x = 99999 THEN printf('%.300c', 'y') END AS long FROM c;",
    )
    .await;
    let outcome = query_outcome(&b, QUERY).await;
    let first = b.js(TABLE_JS).await;
    let in_document = b
        .js("return document.querySelectorAll('table.result tr').length")
        .await;
    // Scrolled to the bottom: the worker sends the pages in view.
    b.js("const w = document.querySelector('.table-wrap'); w.scrollTop = w.scrollHeight;")
        .await;
    let last = b
        .wait_for(
            &format!(
                "const t = (() => {{ {TABLE_JS} }})(); const r = t && t.rows;
                 return r && r.length && r[r.length - 1][0] === '100000' && t;"
            ),
            QUERY,
        )
        .await;
    let row_99999 = b
        .js("const r = document.querySelector(`tr[data-row='99998']`);
             const box = r.getBoundingClientRect(), wrap = document.querySelector('.table-wrap').getBoundingClientRect();
             const long = r.cells[2];
             return [[...r.cells].map(c => c.textContent), box.top >= wrap.top && box.bottom <= wrap.bottom + 28,
                     long.scrollWidth > long.clientWidth, Math.round(box.height)];")
        .await;
    // Row 99,999's long text: cut short in the table, whole when clicked.
    b.click("tr[data-row='99998'] td:nth-child(3)").await;
    let inspected = b
        .wait_for(
            "const i = document.querySelector('.inspector'); return i && [i.querySelector('.where').textContent, i.querySelector('.value').textContent];",
            QUERY,
        )
        .await;
    // Copied, and pasted into a field: the value, then the row.
    b.click("#copy-value").await;
    b.js("const t = document.createElement('textarea'); t.id = 'paste'; document.body.append(t);")
        .await;
    let paste = b.driver.find(By::Id("paste")).await.unwrap();
    paste.send_keys(Key::Control + "v").await.unwrap();
    let pasted_value = b.js("return document.getElementById('paste').value").await;
    b.click("tr[data-row='99998'] td:nth-child(1)").await;
    b.click("#copy-row").await;
    b.js("document.getElementById('paste').value = ''").await;
    paste.send_keys(Key::Control + "v").await.unwrap();
    let pasted_row = b.js("return document.getElementById('paste').value").await;
    // The arrow keys move the chosen cell (once the table has the focus).
    b.click("tr[data-row='99998'] td:nth-child(1)").await;
    b.driver
        .action_chain()
        .send_keys(Key::Down)
        .send_keys(Key::Right)
        .perform()
        .await
        .unwrap();
    let moved = b
        .js("return document.querySelector('.inspector .where').textContent")
        .await;
    b.quit().await;

    assert!(outcome.unwrap().starts_with("100,000 rows"));
    assert_eq!(table_rows(&first).len(), 200);
    assert_eq!(table_rows(&first)[0], ["1", "row 1", "NULL"]);
    assert!(
        in_document.as_u64().is_some_and(|n| n < 250),
        "only the rows in view are in the document: {in_document}"
    );
    let rows = table_rows(&last);
    assert!(rows.len() <= 400, "{}", rows.len());
    assert_eq!(rows.last().unwrap(), &["100000", "row 100000", "NULL"]);
    let long = "y".repeat(300);
    assert_eq!(
        row_99999[0],
        serde_json::json!(["99999", "row 99999", long])
    );
    assert_eq!(row_99999[1], true, "row 99,999 is in view");
    assert_eq!(row_99999[2], true, "the long value is cut short on screen");
    assert_eq!(row_99999[3], 28, "rows keep their height");
    assert_eq!(
        inspected,
        serde_json::json!(["Row 99,999 · long · text, 300 characters", long])
    );
    assert_eq!(pasted_value, long);
    assert_eq!(pasted_row, format!("99999\trow 99999\t{long}"));
    assert_eq!(moved, "Row 100,000 · label · text, 10 characters");
}

#[tokio::test(flavor = "multi_thread")]
async fn another_dump_loads_from_the_address() {
    let (server, b, status) = open_with_fixtures(
        "?db=fixtures/inventory.sql&sql=SELECT%20name%2C%20note%20FROM%20items%20ORDER%20BY%20id",
    )
    .await;
    let problems = b
        .js("return [...document.querySelectorAll('.problems li')].map(l => l.textContent)")
        .await;
    let outcome = query_outcome(&b, QUERY).await;
    let table = b.js(TABLE_JS).await;
    let note = b
        .js("return document.querySelector('.dashboard').textContent")
        .await;
    let presets = b
        .js("return [...document.querySelectorAll('button.preset')].map(e => e.dataset.preset)")
        .await;
    b.driver
        .goto(format!("{}/?db=fixtures/missing.sql", server.origin))
        .await
        .unwrap();
    let missing = b.wait_loaded().await;
    b.quit().await;

    assert!(status.contains("fixtures/inventory.sql"), "{status}");
    assert_eq!(
        strings(&problems),
        ["statement 4 (line 5) failed: no such table: nowhere — INSERT INTO nowhere VALUES(1);"]
    );
    assert!(outcome.is_ok(), "{outcome:?}");
    assert_eq!(
        table_rows(&table),
        [
            ["bolt; M6", "it's -- not a comment"],
            ["nut", "line one\nline two"]
        ]
    );
    assert!(
        note.as_str()
            .unwrap()
            .contains("does not follow greenboard's test-results schema")
    );
    assert_eq!(
        strings(&presets),
        ["schema", "sqlite-version", "table-rows", "table:items"]
    );
    assert!(missing.starts_with("Could not load"), "{missing}");
    assert!(missing.contains("404"), "{missing}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_layout_holds_on_a_phone() {
    let server = Server::start(vec![("/", dist())]).await;
    let b = Browser::start().await;
    b.driver.set_window_rect(0, 0, 390, 844).await.unwrap();
    b.driver
        .goto(format!(
            "{}/?sql=SELECT%20*%20FROM%20test_runs%20LIMIT%2050",
            server.origin
        ))
        .await
        .unwrap();
    b.wait_loaded().await;
    let outcome = query_outcome(&b, QUERY).await;
    // Everything in the header, the dataset menu included, is there.
    b.wait_for(
        "return document.querySelectorAll('.dataset option').length > 0",
        QUERY,
    )
    .await;

    b.wait_for(
        "return document.querySelectorAll('figure.chart svg').length == 2",
        Duration::from_secs(10),
    )
    .await;
    let fit = b
        .js("return { page: document.documentElement.scrollWidth, view: window.innerWidth,
                      charts: [...document.querySelectorAll('figure.chart svg')].map(s => s.getBoundingClientRect().right),
                      table: document.querySelector('.table-wrap').getBoundingClientRect().right,
                      header: Math.max(...[...document.querySelectorAll('.top *')].map(e => e.getBoundingClientRect().right)) }")
        .await;
    let png = b.driver.screenshot_as_png().await.unwrap();
    std::fs::write(root().join("tests/screenshots/phone.png"), png).unwrap();
    b.quit().await;

    assert!(outcome.is_ok(), "{outcome:?}");
    let view = fit["view"].as_f64().unwrap();
    assert!(
        fit["page"].as_f64().unwrap() <= view,
        "no sideways scrolling: {fit}"
    );
    for right in fit["charts"].as_array().unwrap() {
        assert!(right.as_f64().unwrap() <= view, "charts fit: {fit}");
    }
    assert!(
        fit["header"].as_f64().unwrap() <= view,
        "the header fits: {fit}"
    );
    assert!(
        fit["table"].as_f64().unwrap() <= view,
        "the table scrolls inside its box: {fit}"
    );
}

/// The files of `dist/` (not its directories) but `missing`.
fn dist_without(missing: &str) -> TempDir {
    let site = TempDir::new("broken-site");
    for entry in std::fs::read_dir(dist()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() && path.file_name().unwrap() != missing {
            std::fs::copy(&path, site.0.join(path.file_name().unwrap())).unwrap();
        }
    }
    site
}

#[tokio::test(flavor = "multi_thread")]
async fn a_worker_that_cannot_start_is_reported() {
    // The page starts the worker before its own module is there to listen:
    // the failure is heard all the same, whether the script the worker
    // imports is missing (SQLite's glue) or the worker's own (no message).
    for (missing, says) in [
        ("worker.js", "the SQLite worker failed: "),
        ("worker_loader.js", "could its files not be loaded?"),
    ] {
        let broken = dist_without(missing);
        let server = Server::start(vec![("/", broken.0.clone())]).await;
        let b = Browser::start().await;
        b.driver.goto(format!("{}/", server.origin)).await.unwrap();
        let status = b.wait_loaded().await;
        b.quit().await;

        assert!(status.starts_with("Could not load"), "{missing}: {status}");
        assert!(status.contains(says), "{missing}: {status}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_chart_worker_that_cannot_start_is_reported_and_the_data_stays() {
    for (missing, says) in [
        ("charts.js", "the chart worker failed: "),
        (
            "charts_loader.js",
            "the chart worker failed: its files could not be loaded",
        ),
    ] {
        let broken = dist_without(missing);
        let server = Server::start(vec![
            ("/static/", dist().join("static")),
            ("/", broken.0.clone()),
        ])
        .await;
        let b = Browser::start().await;
        b.driver.goto(format!("{}/", server.origin)).await.unwrap();
        let status = b.wait_loaded().await;
        let trend = greenboard::presets::find("weekly-trend-by-branch").unwrap();
        let answers = click_each(&b, &[trend]).await;
        let error = b
            .wait_for(
                "const e = document.querySelector('.chart-error'); return e && e.textContent;",
                QUERY,
            )
            .await;
        b.quit().await;

        assert!(status.starts_with("Loaded"), "{missing}: {status}");
        assert!(
            error.as_str().unwrap_or_default().contains(says),
            "{missing}: {error}"
        );
        // The answer itself is there, chart or no chart.
        assert!(answers[0].1.is_ok(), "{missing}: {:?}", answers[0].1);
        assert!(!answers[0].2.is_empty(), "{missing}: no rows");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_dataset_picker_switches_dumps_through_the_address() {
    // The fixture list overlays dist/static/datasets.json; the demo itself comes from dist/.
    let server = Server::start(vec![
        ("/static/", root().join("tests/fixtures")),
        ("/", dist()),
    ])
    .await;
    let b = Browser::start().await;
    b.driver.goto(format!("{}/", server.origin)).await.unwrap();
    let first = b.wait_loaded().await;
    let options = b
        .wait_for(
            "const o = [...document.querySelectorAll('.dataset option')]; return o.length >= 2 && o.map(e => [e.textContent, e.selected]);",
            Duration::from_secs(10),
        )
        .await;
    b.driver
        .execute(
            "const s = document.querySelector('.dataset select'); s.value = 'static/inventory.sql';
             s.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![],
        )
        .await
        .unwrap();
    let second = b
        .wait_for(
            "const s = document.querySelector('.status.loaded'); return s && s.textContent.includes('inventory') && s.textContent;",
            LOAD_TIMEOUT,
        )
        .await;
    let search = b.js("return location.search").await;
    b.driver.back().await.unwrap();
    let back = b
        .wait_for(
            "const s = document.querySelector('.status.loaded'); return s && s.textContent.includes('demo') && s.textContent;",
            LOAD_TIMEOUT,
        )
        .await;
    b.quit().await;

    assert!(first.contains("demo.sql.gz"), "{first}");
    assert_eq!(
        options,
        serde_json::json!([["Demo", true], ["Inventory (not test results)", false]])
    );
    assert!(
        second.as_str().is_some_and(|s| s.contains("inventory.sql")),
        "{second}"
    );
    assert_eq!(search, "?db=static%2Finventory.sql");
    assert!(
        back.as_str().is_some_and(|s| s.contains("demo.sql.gz")),
        "back returns to the demo: {back}"
    );
}

/// Seed 000's cross-database query, exactly as the design writes it.
fn pipeline_sql() -> &'static str {
    greenboard::presets::COSMO_PIPELINE[0].sql
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                (c as char).to_string()
            } else {
                format!("%{c:02X}")
            }
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn three_attached_databases_answer_the_pipeline_query() {
    let fixtures = root().join("tests/fixtures/cosmo");
    // The sqlite3 shell's answer on the same three dumps, attached the same way.
    let dir = TempDir::new("cosmo");
    for (name, file) in [
        ("build", "build_metadata"),
        ("test", "test_results"),
        ("artifact", "artifact_registry"),
    ] {
        let status = Command::new("sqlite3")
            .arg(dir.0.join(format!("{name}.db")))
            .stdin(std::fs::File::open(fixtures.join(format!("{file}.sql"))).unwrap())
            .status()
            .unwrap();
        assert!(status.success());
    }
    let out = Command::new("sqlite3")
        .current_dir(&dir.0)
        .args(["-batch", "-noheader", "-separator", "\t", ":memory:"])
        .arg(format!("ATTACH 'build.db' AS build; ATTACH 'test.db' AS test; ATTACH 'artifact.db' AS artifact; {}", pipeline_sql()))
        .output()
        .unwrap();
    let expected: Vec<Vec<String>> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect();

    let (_server, b, status) = open_with_fixtures(&format!("?db=build:fixtures/cosmo/build_metadata.sql&db=test:fixtures/cosmo/test_results.sql&db=artifact:fixtures/cosmo/artifact_registry.sql&sql={}", encode(pipeline_sql()))).await;
    let outcome = query_outcome(&b, QUERY).await;
    let table = b.js(TABLE_JS).await;
    // The editor completes an attached database's tables after its name.
    set_sql(&b, "").await;
    let editor = b.editor().await;
    let offered = completions_for(&b, &editor, "SELECT * FROM build.").await;
    let schema_groups = b
        .js("return [...document.querySelectorAll('.schema-list h3.db')].map(h => h.textContent)")
        .await;
    b.quit().await;

    assert!(
        offered
            .as_array()
            .is_some_and(|o| o.iter().any(|t| t == "builds")),
        "{offered}"
    );
    assert_eq!(
        schema_groups,
        serde_json::json!(["build", "test", "artifact"]),
        "the schema lists each attached database (the main one is empty)"
    );
    assert!(status.starts_with("Loaded"), "{status}");
    assert!(
        status.contains("build:") && status.contains("test:") && status.contains("artifact:"),
        "{status}"
    );
    assert!(outcome.is_ok(), "{outcome:?}");
    assert_eq!(expected.len(), 3);
    assert_eq!(table_rows(&table), expected);
}

/// Files of every kind, named to mislead, in a directory to serve.
fn odd_files() -> TempDir {
    let dir = TempDir::new("odd-files");
    let sql = "CREATE TABLE items(id INTEGER PRIMARY KEY, name TEXT);\nINSERT INTO items VALUES(1,'bolt; M6'),(2,'nut');\n";
    // An SQLite database file named like text.
    let db_path = dir.0.join("items.txt");
    let conn = rusqlite::Connection::open(&db_path).unwrap();
    conn.execute_batch(sql).unwrap();
    drop(conn);
    // Gzip named like a database.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(sql.as_bytes()).unwrap();
    let gz = gz.finish().unwrap();
    std::fs::write(dir.0.join("items.db"), &gz).unwrap();
    std::fs::write(dir.0.join("items.sql"), sql).unwrap();
    // A database in WAL mode, as greenboard's own ingest leaves it.
    let conn = rusqlite::Connection::open(dir.0.join("wal.sqlite")).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.execute_batch(sql).unwrap();
    drop(conn);
    // Broken ones.
    std::fs::write(dir.0.join("truncated.sql.gz"), &gz[..gz.len() / 2]).unwrap();
    std::fs::write(
        dir.0.join("garbage.sql"),
        (0..4096u32)
            .map(|i| (i * 7919 % 251) as u8 + 1)
            .collect::<Vec<u8>>(),
    )
    .unwrap();
    let mut damaged = std::fs::read(&db_path).unwrap();
    damaged.truncate(200);
    std::fs::write(dir.0.join("damaged.sqlite"), damaged).unwrap();
    dir
}

#[tokio::test(flavor = "multi_thread")]
async fn files_load_by_their_content_and_bad_ones_say_why() {
    let files = odd_files();
    let server = Server::start(vec![("/files/", files.0.clone()), ("/", dist())]).await;
    let b = Browser::start().await;
    let mut loaded = Vec::new();
    for name in ["items.txt", "items.db", "items.sql", "wal.sqlite"] {
        b.driver
            .goto(format!(
                "{}/?db=files/{name}&sql=SELECT%20name%20FROM%20items%20ORDER%20BY%20id",
                server.origin
            ))
            .await
            .unwrap();
        let status = b.wait_loaded().await;
        let outcome = query_outcome(&b, QUERY).await;
        loaded.push((name, status, outcome, table_rows(&b.js(TABLE_JS).await)));
    }
    let mut broken = Vec::new();
    for name in ["truncated.sql.gz", "garbage.sql", "damaged.sqlite"] {
        b.driver
            .goto(format!("{}/?db=files/{name}", server.origin))
            .await
            .unwrap();
        broken.push((name, b.wait_loaded().await));
    }
    b.quit().await;

    for (name, status, outcome, rows) in loaded {
        assert!(status.starts_with("Loaded"), "{name}: {status}");
        assert!(outcome.is_ok(), "{name}: {outcome:?}");
        assert_eq!(rows, [["bolt; M6"], ["nut"]], "{name}");
    }
    for (name, status) in broken {
        assert!(status.starts_with("Could not load"), "{name}: {status}");
        if name.ends_with(".gz") {
            assert!(
                status.contains("the gzip data is damaged or ends early"),
                "{status}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_file_picked_dropped_or_pasted_loads_and_a_bad_one_keeps_the_data() {
    let files = odd_files();
    let (_server, b, first) = open_demo().await;
    let picker = b.driver.find(By::Id("file")).await.unwrap();
    picker
        .send_keys(files.0.join("items.txt").to_str().unwrap())
        .await
        .unwrap();
    let picked = b
        .wait_for("const s = document.querySelector('.status.loaded'); return s && s.textContent.includes('items.txt') && s.textContent;", QUERY)
        .await;
    run_sql(&b, "SELECT count(*) FROM items;").await;
    let picked_rows = (
        query_outcome(&b, QUERY).await,
        table_rows(&b.js(TABLE_JS).await),
    );
    // A file dropped on the page.
    b.driver
        .execute(
            "const dt = new DataTransfer();
             dt.items.add(new File(['CREATE TABLE dropped(x); INSERT INTO dropped VALUES (42);'], 'dropped.sql'));
             document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));",
            vec![],
        )
        .await
        .unwrap();
    let dropped = b
        .wait_for("const s = document.querySelector('.status.loaded'); return s && s.textContent.includes('dropped.sql') && s.textContent;", QUERY)
        .await;
    // A garbage file: an error, and the dropped data still answers.
    b.driver
        .find(By::Id("file"))
        .await
        .unwrap()
        .send_keys(files.0.join("garbage.sql").to_str().unwrap())
        .await
        .unwrap();
    let garbage = b
        .wait_for(
            "const s = document.querySelector('.status.failed'); return s && s.textContent;",
            QUERY,
        )
        .await;
    run_sql(&b, "SELECT x FROM dropped;").await;
    let still = (
        query_outcome(&b, QUERY).await,
        table_rows(&b.js(TABLE_JS).await),
    );
    // Pasted SQL.
    b.driver
        .execute(
            "const t = document.getElementById('pasted'); t.value = arguments[0];
             t.dispatchEvent(new Event('input', { bubbles: true }));
             document.getElementById('load-pasted').click();",
            vec![serde_json::Value::String(
                "CREATE TABLE pasted(v TEXT); INSERT INTO pasted VALUES ('a;b');".into(),
            )],
        )
        .await
        .unwrap();
    let pasted = b
        .wait_for("const s = document.querySelector('.status.loaded'); return s && s.textContent.includes('pasted SQL') && s.textContent;", QUERY)
        .await;
    run_sql(&b, "SELECT v FROM pasted;").await;
    let pasted_rows = (
        query_outcome(&b, QUERY).await,
        table_rows(&b.js(TABLE_JS).await),
    );
    b.quit().await;

    assert!(first.starts_with("Loaded"), "{first}");
    assert!(
        picked.as_str().is_some(),
        "the picked database file loads: {picked}"
    );
    assert_eq!(picked_rows.1, [["2"]], "{picked_rows:?}");
    assert!(
        dropped.as_str().is_some(),
        "the dropped file loads: {dropped}"
    );
    assert!(
        garbage
            .as_str()
            .is_some_and(|s| s.contains("garbage.sql") && s.contains("not UTF-8")),
        "{garbage}"
    );
    assert_eq!(
        still.1,
        [["42"]],
        "the earlier data stays usable: {still:?}"
    );
    assert!(pasted.as_str().is_some(), "{pasted}");
    assert_eq!(pasted_rows.1, [["a;b"]]);
}

/// Clicks each preset in turn; gives each one's outcome and rows.
async fn click_each(
    b: &Browser,
    presets: &[&'static greenboard::presets::Preset],
) -> Vec<(&'static str, Result<String, String>, Vec<Vec<String>>)> {
    let mut answers = Vec::new();
    for preset in presets {
        b.click(&format!("button.preset[data-preset='{}']", preset.id))
            .await;
        let outcome = query_outcome(b, QUERY).await;
        answers.push((preset.id, outcome, table_rows(&b.js(TABLE_JS).await)));
    }
    answers
}

/// Rows as the page shows them (NULL as `NULL`).
fn shown(rows: &[Vec<Cell>]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| {
            r.iter()
                .map(|c| c.display().unwrap_or_else(|| "NULL".into()))
                .collect()
        })
        .collect()
}

/// Native SQLite's rows for `sql`, as the page shows them.
fn native_rows(conn: &rusqlite::Connection, sql: &str) -> Vec<Vec<String>> {
    shown(&query::run(conn, sql).unwrap().rows)
}

/// Seed 003's "Progress by branch" query, as written there (a preset).
fn vibesql_branch_sql() -> &'static str {
    greenboard::presets::find("vibesql-progress-by-branch")
        .unwrap()
        .sql
}

#[tokio::test(flavor = "multi_thread")]
async fn a_vibesql_dump_loads_with_its_dialect_translated() {
    let fixture = root().join("tests/fixtures/vibesql-results.sql");
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    let stats = load_str(
        &conn,
        &std::fs::read_to_string(&fixture).unwrap(),
        OnError::Continue,
    )
    .unwrap();
    let expected: Vec<Vec<String>> = query::run(&conn, vibesql_branch_sql())
        .unwrap()
        .rows
        .iter()
        .map(|r| r.iter().map(|c| c.display().unwrap_or_default()).collect())
        .collect();

    let (_server, b, status) = open_with_fixtures(&format!(
        "?db=fixtures/vibesql-results.sql&sql={}",
        encode(vibesql_branch_sql())
    ))
    .await;
    let problems = b
        .js("return [...document.querySelectorAll('.problems li')].map(l => l.textContent)")
        .await;
    let outcome = query_outcome(&b, QUERY).await;
    let table = b.js(TABLE_JS).await;
    b.quit().await;

    assert!(stats.translated > 100, "{stats:?}");
    assert!(
        status.contains(&format!(
            "({} translated from another SQL dialect)",
            stats.translated
        )),
        "{status}"
    );
    assert_eq!(
        strings(&problems),
        [
            "statement 1 (line 8) skipped: SQLite has no roles (skipped) — CREATE ROLE dashboard_reader;"
        ]
    );
    assert!(outcome.is_ok(), "{outcome:?}");
    assert_eq!(table_rows(&table), expected);
    assert_eq!(expected.len(), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn every_vibesql_preset_matches_native_sqlite() {
    let fixture = root().join("tests/fixtures/vibesql-results.sql");
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    load_str(
        &conn,
        &std::fs::read_to_string(&fixture).unwrap(),
        OnError::Continue,
    )
    .unwrap();
    assert_eq!(
        greenboard::db::detect_schema(&conn),
        greenboard::protocol::SchemaKind::VibeSql
    );

    let (_server, b, status) = open_with_fixtures("?db=fixtures/vibesql-results.sql").await;
    let note = b
        .wait_for(
            "const n = document.querySelector('.note.recognised'); return n && n.textContent;",
            QUERY,
        )
        .await;
    let presets: Vec<_> = greenboard::presets::VIBESQL.iter().collect();
    let answers = click_each(&b, &presets).await;
    b.quit().await;

    assert!(status.starts_with("Loaded"), "{status}");
    assert!(
        note.as_str().is_some_and(|n| n.contains("VibeSQL")),
        "{note}"
    );
    for (id, outcome, rows) in answers {
        assert!(outcome.is_ok(), "{id}: {outcome:?}");
        assert_eq!(
            rows,
            native_rows(&conn, greenboard::presets::find(id).unwrap().sql),
            "{id}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_cosmo_preset_matches_native_sqlite() {
    // Native SQLite with the same three databases attached the same way.
    let fixtures = root().join("tests/fixtures/cosmo");
    let mut conn = rusqlite::Connection::open_in_memory().unwrap();
    for (name, file) in [
        ("build", "build_metadata"),
        ("test", "test_results"),
        ("artifact", "artifact_registry"),
    ] {
        let mut own = rusqlite::Connection::open_in_memory().unwrap();
        load_str(
            &own,
            &std::fs::read_to_string(fixtures.join(format!("{file}.sql"))).unwrap(),
            OnError::Stop,
        )
        .unwrap();
        greenboard::db::attach::attach(&mut conn, name, &mut own).unwrap();
    }
    use greenboard::protocol::SchemaKind::*;
    assert_eq!(
        greenboard::db::recognised(&conn),
        [CosmoBuild, CosmoTests, CosmoArtifacts, CosmoPipeline]
    );

    let (_server, b, status) = open_with_fixtures("?db=build:fixtures/cosmo/build_metadata.sql&db=test:fixtures/cosmo/test_results.sql&db=artifact:fixtures/cosmo/artifact_registry.sql").await;
    let note = b
        .wait_for(
            "const n = document.querySelector('.note.recognised'); return n && n.textContent;",
            QUERY,
        )
        .await;
    // The schemas' own presets (the generic ones ask things like the SQLite version).
    let presets: Vec<_> = [CosmoBuild, CosmoTests, CosmoArtifacts, CosmoPipeline]
        .into_iter()
        .flat_map(greenboard::presets::for_schema)
        .collect();
    let answers = click_each(&b, &presets).await;
    b.quit().await;

    assert!(status.starts_with("Loaded"), "{status}");
    assert!(
        note.as_str()
            .is_some_and(|n| n.contains("cosmo-sokol build metadata")
                && n.contains("three cosmo-sokol databases")),
        "{note}"
    );
    assert_eq!(presets.len(), 3 + 4 + 4 + 1);
    let mut with_rows = 0;
    for (id, outcome, rows) in answers {
        assert!(outcome.is_ok(), "{id}: {outcome:?}");
        let expected = native_rows(&conn, greenboard::presets::find(id).unwrap().sql);
        if !expected.is_empty() {
            with_rows += 1;
        }
        assert_eq!(rows, expected, "{id}");
    }
    // All but the seed's "last 7 days from now" flaky query find their data.
    assert_eq!(with_rows, presets.len() - 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_fts5_table_from_a_sqlite3_dump_answers_match() {
    // The cosmo-sokol test results with the design's test_errors_fts table and
    // trigger, as the sqlite3 shell dumps them (PRAGMA writable_schema).
    let sql = "SELECT rowid, test_name FROM test_errors_fts WHERE test_errors_fts MATCH 'shader OR segfault' ORDER BY rowid;";
    let (_server, b, status) = open_with_fixtures(&format!(
        "?db=fixtures/cosmo/test_results_fts.sql&sql={}",
        encode(sql)
    ))
    .await;
    let problems = b
        .js("return document.querySelectorAll('.problems li').length")
        .await;
    let outcome = query_outcome(&b, QUERY).await;
    let matched = b.js(TABLE_JS).await;
    // The trigger keeps the index up to date after the load.
    run_sql(
        &b,
        "INSERT INTO test_results (run_id, test_name, test_suite, outcome, error_message) VALUES (4, 'sokol_app::vsync', 'sokol_app', 'fail', 'vsync timeout after 500 ms');
         SELECT test_name FROM test_errors_fts WHERE test_errors_fts MATCH 'vsync';",
    )
    .await;
    let after = query_outcome(&b, QUERY).await;
    let inserted = b.js(TABLE_JS).await;
    b.quit().await;

    assert!(status.starts_with("Loaded"), "{status}");
    assert_eq!(problems, 0, "every statement of the dump ran");
    assert!(outcome.is_ok(), "{outcome:?}");
    assert_eq!(
        table_rows(&matched),
        [
            ["4", "cimgui::render_frame"],
            ["9", "sokol_gfx::shader_compile"]
        ]
    );
    assert!(after.is_ok(), "{after:?}");
    assert_eq!(table_rows(&inserted), [["sokol_app::vsync"]]);
}

/// `sqlite3 :memory: ".read SCRIPT" ".dump"`: a real dump of the database a
/// script builds.
fn sqlite3_dump(script: &std::path::Path) -> String {
    let out = Command::new("sqlite3")
        .arg(":memory:")
        .arg(format!(".read {}", script.display()))
        .arg(".dump")
        .output()
        .expect("the sqlite3 shell must be installed (the README's test command installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Native SQLite's rows for a preset, its parameters bound to `values`.
fn native_preset_rows(
    conn: &rusqlite::Connection,
    preset: &greenboard::presets::Preset,
    values: &[String],
) -> Vec<Vec<String>> {
    shown(
        &query::run_with(conn, preset.sql, values)
            .unwrap_or_else(|e| panic!("{}: {e}", preset.id))
            .rows,
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn the_other_seed_systems_dumps_load_and_every_preset_matches_native_sqlite() {
    use greenboard::protocol::SchemaKind::{Cortex, GgenTier2, LoopCoordination};
    // Each seed system's database as the sqlite3 shell dumps it.
    let dumps = TempDir::new("seed-dumps");
    let systems = [
        (
            "coordination",
            LoopCoordination,
            "coding-loops coordination",
        ),
        ("tier2", GgenTier2, "ggen Tier 2"),
        ("cortex", Cortex, "CORTEX 2.0"),
    ];
    let mut natives = Vec::new();
    for (file, kind, _) in systems {
        let dump = sqlite3_dump(&root().join(format!("tests/fixtures/seeds/{file}.sql")));
        std::fs::write(dumps.0.join(format!("{file}.sql")), &dump).unwrap();
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        load_str(&conn, &dump, OnError::Stop).unwrap();
        assert_eq!(greenboard::db::recognised(&conn), [kind], "{file}");
        natives.push(conn);
    }

    let (server, b, first_status) =
        open_with_dir("/seeds/", dumps.0.clone(), "?db=seeds/coordination.sql").await;
    let mut seen = Vec::new();
    for (i, (file, kind, _)) in systems.iter().enumerate() {
        let status = if i == 0 {
            first_status.clone()
        } else {
            b.driver
                .goto(format!("{}/?db=seeds/{file}.sql", server.origin))
                .await
                .unwrap();
            b.wait_loaded().await
        };
        let note = b
            .wait_for(
                "const n = document.querySelector('.note.recognised'); return n && n.textContent;",
                QUERY,
            )
            .await;
        let presets: Vec<_> = greenboard::presets::for_schema(*kind).iter().collect();
        let answers = click_each(&b, &presets).await;
        seen.push((status, note, answers));
    }
    // The coordination database's parameter form: the last preset with a
    // parameter shows the value found in the data; another value typed and
    // entered runs the query again with it.
    b.driver
        .goto(format!("{}/?db=seeds/coordination.sql", server.origin))
        .await
        .unwrap();
    b.wait_loaded().await;
    let preset = greenboard::presets::find("loops-get-pending-tests-for-a-loop").unwrap();
    let answered = click_each(&b, &[preset]).await;
    let shown = b
        .js(
            "const i = document.querySelector('.params input[data-param=\"0\"]');
             return i && [document.querySelector('.params .param-name').textContent, i.value];",
        )
        .await;
    let input = b
        .driver
        .find(By::Css(".params input[data-param='0']"))
        .await
        .unwrap();
    input.clear().await.unwrap();
    input
        .send_keys("loop-2-infrastructure".to_string() + "\u{E007}")
        .await
        .unwrap();
    let typed = b
        .wait_for(
            "const t = document.querySelector('table.result tbody tr[data-row] td');
             return t && t.textContent === 'INF-BLD-003' && location.search;",
            QUERY,
        )
        .await;
    let retyped = b.js(TABLE_JS).await;
    b.quit().await;

    for ((file, kind, name), (status, note, answers)) in systems.iter().zip(seen) {
        let conn = &natives[systems.iter().position(|s| s.0 == *file).unwrap()];
        assert!(status.starts_with("Loaded"), "{file}: {status}");
        assert!(
            note.as_str().is_some_and(|n| n.contains(name)),
            "{file}: {note}"
        );
        let defaults = greenboard::db::param_defaults(conn, &[*kind]);
        for (id, outcome, rows) in answers {
            let preset = greenboard::presets::find(id).unwrap();
            let values = defaults
                .iter()
                .find(|d| d.0 == id)
                .map(|d| d.1.clone())
                .unwrap_or_default();
            assert!(outcome.is_ok(), "{id}: {outcome:?}");
            let expected = native_preset_rows(conn, preset, &values);
            assert!(!expected.is_empty(), "{id} finds rows in the fixture");
            assert_eq!(rows, expected, "{id}");
        }
    }
    assert!(answered[0].1.is_ok(), "{answered:?}");
    assert_eq!(
        shown,
        serde_json::json!(["loop_id", "loop-1-critical-path"])
    );
    assert!(
        typed
            .as_str()
            .is_some_and(|q| q.contains("p=loop-2-infrastructure")),
        "the value travels in the address: {typed}"
    );
    assert_eq!(
        table_rows(&retyped),
        native_preset_rows(&natives[0], preset, &["loop-2-infrastructure".into()])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dump_of_a_newer_sqlite3_shell_loads_unistr_text_and_its_fts5_table() {
    // The warning header, unistr() literals, the older replace(...char(10))
    // form, sqlite_sequence and an FTS5 table written through writable_schema.
    let sql = "SELECT id, hex(body), (SELECT seq FROM sqlite_sequence WHERE name = 'notes') FROM notes
               WHERE id IN (SELECT rowid FROM notes_fts WHERE notes_fts MATCH 'quoted OR bell OR crlf') ORDER BY id;";
    let (_server, b, status) = open_with_fixtures(&format!(
        "?db=fixtures/sqlite-shell-3.50.sql&sql={}",
        encode(sql)
    ))
    .await;
    let problems = b
        .js("return document.querySelectorAll('.problems li').length")
        .await;
    let outcome = query_outcome(&b, QUERY).await;
    let table = b.js(TABLE_JS).await;
    b.quit().await;

    let hex = |s: &str| s.bytes().map(|b| format!("{b:02X}")).collect::<String>();
    assert!(status.starts_with("Loaded"), "{status}");
    assert_eq!(problems, 0, "every statement ran");
    assert!(outcome.is_ok(), "{outcome:?}");
    assert_eq!(
        table_rows(&table),
        [
            [
                "1".to_string(),
                hex("line\nbreak\\path 'quoted' 🚀"),
                "4".into()
            ],
            ["2".to_string(), hex("tab\tand bell\u{7}"), "4".into()],
            ["4".to_string(), hex("crlf\r\nend"), "4".into()],
        ]
    );
}

/// The chart under the answer: its kind, marks, accessible text and the
/// address, once drawn.
const CHART_JS: &str = "const s = document.querySelector('.result-chart .chart-svg svg');
  if (!s) return null;
  const a = document.querySelector('.result-chart a.download');
  return { kind: s.getAttribute('class'), marks: s.querySelectorAll('.mark').length,
           role: s.getAttribute('role'), title: s.querySelector('title').textContent,
           desc: s.querySelector('desc').textContent, search: location.search,
           href: a && a.getAttribute('href') };";

/// Waits for a chart of `kind` to be drawn.
async fn chart_of(b: &Browser, kind: &str) -> Value {
    b.wait_for(
        &format!(
            "const c = (() => {{ {CHART_JS} }})(); return c && c.kind === 'chart-svg {kind}' && c;"
        ),
        QUERY,
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn preset_charts_draw_a_mark_per_row_and_the_spec_travels_in_the_address() {
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    load_str(&conn, &demo_sql(), OnError::Stop).unwrap();
    let rows_of = |id: &str| {
        let p = greenboard::presets::find(id).unwrap();
        query::run(&conn, p.sql).unwrap().rows.len()
    };
    let (server, b, status) = open_demo().await;
    let trend = greenboard::presets::find("weekly-trend-by-branch").unwrap();
    let heat = greenboard::presets::find("branch-x-platform").unwrap();
    click_each(&b, &[trend]).await;
    let line = chart_of(&b, "line").await;
    b.js("document.querySelector('.result-chart').scrollIntoView()")
        .await;
    let png = b.driver.screenshot_as_png().await.unwrap();
    std::fs::write(root().join("tests/screenshots/chart.png"), png).unwrap();
    // Re-charted as bars from the builder's menu.
    b.js(
        "const k = document.getElementById('chart-kind'); k.value = 'bar';
          k.dispatchEvent(new Event('change', { bubbles: true }));",
    )
    .await;
    let bars = chart_of(&b, "bar").await;
    // Saved as PNG: drawn on a canvas at twice the size.
    b.js("document.querySelector('.result-chart button.download').click()")
        .await;
    let png = b
        .wait_for(
            "const a = document.getElementById('png-link');
             if (!a || !a.href.startsWith('data:image/png;base64,')) return null;
             const bin = atob(a.href.split(',')[1]); const at = i => bin.charCodeAt(i);
             const u32 = i => ((at(i) << 24) | (at(i + 1) << 16) | (at(i + 2) << 8) | at(i + 3)) >>> 0;
             return { signature: [0, 1, 2, 3, 4, 5, 6, 7].map(at), width: u32(16), height: u32(20), bytes: bin.length };",
            QUERY,
        )
        .await;
    click_each(&b, &[heat]).await;
    let heatmap = chart_of(&b, "heatmap").await;
    b.quit().await;

    // The address with the bar chart, opened in a fresh browser profile.
    let search = bars["search"].as_str().unwrap_or_default().to_string();
    let b = Browser::start().await;
    b.driver
        .goto(format!("{}/{search}", server.origin))
        .await
        .unwrap();
    b.wait_loaded().await;
    let shared = chart_of(&b, "bar").await;
    b.quit().await;

    assert!(status.starts_with("Loaded"), "{status}");
    let weeks = rows_of("weekly-trend-by-branch");
    assert_eq!(line["marks"], weeks, "{line}");
    assert_eq!(line["role"], "img");
    assert_eq!(line["title"], trend.title);
    assert!(
        line["desc"].as_str().is_some_and(
            |d| d.starts_with("Line chart of pass_rate_pct by week and branch (5 series)")
        ),
        "{line}"
    );
    assert!(
        line["search"].as_str().is_some_and(
            |s| s.contains("chart=line%3Ax%3Dweek%2Cy%3Dpass_rate_pct%2Cseries%3Dbranch")
        ),
        "{line}"
    );
    assert_eq!(bars["marks"], weeks, "{bars}");
    assert_eq!(
        png["signature"],
        serde_json::json!([137, 80, 78, 71, 13, 10, 26, 10]),
        "{png}"
    );
    assert_eq!(
        (png["width"].as_u64(), png["height"].as_u64()),
        (Some(1440), Some(800)),
        "{png}"
    );
    assert!(png["bytes"].as_u64() > Some(10_000), "{png}");
    assert!(search.contains("chart=bar%3A"), "{search}");
    assert_eq!(heatmap["marks"], rows_of("branch-x-platform"), "{heatmap}");
    assert_eq!(
        shared["marks"], weeks,
        "the shared address draws the same chart: {shared}"
    );
    assert!(search.contains("preset=weekly-trend-by-branch"), "{search}");
    assert_eq!(
        shared["title"], trend.title,
        "the shared address names the preset: {shared}"
    );
    // The download is the SVG document itself, well-formed.
    let href = bars["href"].as_str().unwrap();
    let svg = href
        .strip_prefix("data:image/svg+xml;charset=utf-8,")
        .map(decode)
        .unwrap();
    let mut reader = quick_xml::Reader::from_str(&svg);
    let mut elements = 0;
    loop {
        match reader.read_event().unwrap() {
            quick_xml::events::Event::Start(_) | quick_xml::events::Event::Empty(_) => {
                elements += 1
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    assert!(elements > weeks, "{elements}");
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
}

/// Undoes `encodeURIComponent`.
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// The parameter form: each label and value.
const PARAMS_JS: &str = "return [...document.querySelectorAll('.params .param')].map(p =>
  [p.querySelector('.param-name').textContent, p.querySelector('input').value]);";

#[tokio::test(flavor = "multi_thread")]
async fn the_run_diff_lists_what_changed_between_two_runs() {
    let (_server, b, status) = open_with_fixtures("?db=fixtures/run-diff.sql").await;
    let diff = greenboard::presets::find("run-diff").unwrap();
    let summary = greenboard::presets::find("run-diff-summary").unwrap();
    let counted = click_each(&b, &[summary]).await;
    let bars = chart_of(&b, "bar").await;
    let listed = click_each(&b, &[diff]).await;
    let form = b.js(PARAMS_JS).await;
    // Another pair: the feature branch's run 4 against main's windows run 2.
    b.js("const set = (i, v) => { const e = document.querySelector(`.params input[data-param='${i}']`);
            e.value = v; e.dispatchEvent(new Event('input', { bubbles: true })); };
          set(0, '2'); set(1, '4');")
        .await;
    b.driver
        .find(By::Css(".params input[data-param='1']"))
        .await
        .unwrap()
        .send_keys("\u{E007}")
        .await
        .unwrap();
    let other = b
        .wait_for(
            "const r = [...document.querySelectorAll('table.result tbody tr[data-row]')];
             return r.length === 1 && location.search.includes('p=4') && r.map(t => [...t.children].map(c => c.textContent));",
            QUERY,
        )
        .await;
    b.quit().await;

    assert!(status.starts_with("Loaded"), "{status}");
    assert_eq!(
        counted[0].2,
        [
            ["new failure", "2"],
            ["fixed", "1"],
            ["still failing", "1"],
            ["newly skipped", "1"]
        ]
    );
    assert_eq!(bars["marks"], 4, "{bars}");
    // The latest main run (3) against the one before it on linux (1).
    assert_eq!(
        form,
        serde_json::json!([["base_run", "1"], ["head_run", "3"]])
    );
    assert_eq!(
        listed[0].2,
        [
            ["new failure", "t1", "pass", "fail", "boom"],
            ["new failure", "t6", "NULL", "timeout", "slow"],
            ["fixed", "t2", "fail", "pass", "NULL"],
            ["still failing", "t3", "fail", "error", "still"],
            ["newly skipped", "t4", "pass", "skip", "disabled"],
        ]
    );
    assert_eq!(
        other,
        serde_json::json!([["fixed", "t1", "fail", "pass", "NULL"]])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn clicking_a_heatmap_cell_lists_the_failing_tests_it_stands_for() {
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    load_str(&conn, &demo_sql(), OnError::Stop).unwrap();
    let drill = greenboard::presets::drill("branch-x-platform").unwrap();
    let expected = shown(
        &query::run_with(
            &conn,
            drill,
            &["windows/x86_64".to_string(), "main".to_string()],
        )
        .unwrap()
        .rows,
    );

    let (_server, b, _status) = open_demo().await;
    let heat = greenboard::presets::find("branch-x-platform").unwrap();
    click_each(&b, &[heat]).await;
    chart_of(&b, "heatmap").await;
    b.js("document.querySelector(`.result-chart .mark[data-x='windows/x86_64'][data-series='main'] rect`)
            .dispatchEvent(new MouseEvent('click', { bubbles: true }));")
        .await;
    let outcome = query_outcome(&b, QUERY).await;
    let rows = b
        .wait_for(
            &format!(
                "const t = (() => {{ {TABLE_JS} }})(); return t && t.head[0] === 'test_name' && t;"
            ),
            QUERY,
        )
        .await;
    let form = b.js(PARAMS_JS).await;
    let editor = b.js("return document.getElementById('sql').value").await;
    b.quit().await;

    assert!(outcome.is_ok(), "{outcome:?}");
    assert!(!expected.is_empty());
    assert_eq!(table_rows(&rows), expected);
    assert_eq!(
        form,
        serde_json::json!([["platform", "windows/x86_64"], ["branch", "main"]])
    );
    assert_eq!(editor, drill);
}

#[tokio::test(flavor = "multi_thread")]
async fn math_functions_answer_as_the_sqlite3_shells_own() {
    // The browser's SQLite has greenboard's math functions in place of its
    // extension; printed by SQLite's printf, they read as the shell's.
    let exprs = [
        "floor(2.5)",
        "ceil(7)",
        "trunc(-2.7)",
        "log(2, 8)",
        "log(100)",
        "ln(0)",
        "pow(2, 10)",
        "mod(-7.5, 2)",
        "sqrt(-1)",
        "sqrt('9')",
        "pi()",
        "degrees(pi())",
    ];
    let sql = format!(
        "SELECT {};",
        exprs
            .iter()
            .map(|e| format!(
                "typeof({e}) || ':' || coalesce(printf('%.12g', {e}), 'NULL') AS \"{e}\""
            ))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let (_server, b, _) = open_demo().await;
    run_sql(&b, &sql).await;
    let outcome = query_outcome(&b, QUERY).await;
    let table = b.js(TABLE_JS).await;
    b.quit().await;

    assert!(outcome.is_ok(), "{outcome:?}");
    assert_eq!(table_rows(&table), sqlite3_cli(&sql));
}

#[tokio::test(flavor = "multi_thread")]
async fn every_preset_chart_has_a_mark_per_value_of_its_answer() {
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    load_str(&conn, &demo_sql(), OnError::Stop).unwrap();
    let charted: Vec<_> = greenboard::presets::GREENBOARD
        .iter()
        .filter(|p| matches!(p.chart, Some(greenboard::presets::Chart::Spec(_))))
        .collect();
    let (_server, b, _status) = open_demo().await;
    let mut drawn = Vec::new();
    for p in &charted {
        let Some(greenboard::presets::Chart::Spec(spec)) = p.chart else {
            unreachable!()
        };
        let kind = spec.split(':').next().unwrap();
        click_each(&b, &[p]).await;
        // Wait for this preset's chart (by its title), then count.
        let c = b
            .wait_for(
                &format!(
                    "const c = (() => {{ {CHART_JS} }})(); return c && c.title === {} && c.kind === 'chart-svg {kind}' && c;",
                    serde_json::Value::String(p.title.to_string())
                ),
                QUERY,
            )
            .await;
        drawn.push((p.id, spec, c));
    }
    b.quit().await;

    assert_eq!(drawn.len(), 7);
    for (id, spec, c) in drawn {
        let spec: greenboard::chart::spec::Spec = spec.parse().unwrap();
        let p = greenboard::presets::find(id).unwrap();
        let values: Vec<String> = greenboard::db::defaults(&conn, p);
        let out = query::run_with(&conn, p.sql, &values).unwrap();
        let (_, y, _) = spec.columns(&out.columns).unwrap();
        let expected = out.rows.iter().filter(|r| r[y].as_f64().is_some()).count();
        assert_eq!(c["marks"], expected, "{id}: {c}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn sorting_by_a_header_matches_order_by() {
    let sql = "SELECT branch_name, COUNT(*) AS runs, SUM(failed) AS failures FROM test_runs GROUP BY branch_name;";
    let native = |order: &str| {
        sqlite3_cli(&format!(
            "SELECT branch_name, COUNT(*) AS runs, SUM(failed) AS failures FROM test_runs GROUP BY branch_name ORDER BY failures {order};"
        ))
    };
    let (_server, b, _) = open_demo().await;
    run_sql(&b, sql).await;
    query_outcome(&b, QUERY).await.unwrap();
    let mut seen = Vec::new();
    for (order, expected) in [("ascending", native("ASC")), ("descending", native("DESC"))] {
        b.js(
            "document.querySelectorAll('table.result thead th')[2].querySelector('button').click()",
        )
        .await;
        // Waits for the sorted answer (or times out with what is shown).
        let shown = b
            .wait_for(
                &format!(
                    "const t = (() => {{ {TABLE_JS} }})(); const h = document.querySelectorAll('table.result thead th')[2];
                     return t && h.getAttribute('aria-sort') === '{order}' && JSON.stringify(t.rows) === {} && t.rows;",
                    serde_json::Value::String(serde_json::to_string(&expected).unwrap())
                ),
                QUERY,
            )
            .await;
        seen.push((order, shown, expected));
    }
    let editor = b.js("return document.getElementById('sql').value").await;
    b.quit().await;

    for (order, shown, expected) in seen {
        assert_eq!(
            table_rows(&serde_json::json!({ "rows": shown })),
            expected,
            "{order}"
        );
    }
    assert_eq!(editor, sql, "the editor keeps the SQL as written");
}

/// The `sqlite3` shell's raw output for `commands` on the demo dump.
fn sqlite3_raw(commands: &str) -> String {
    let mut child = Command::new("sqlite3")
        .args(["-batch", ":memory:"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the sqlite3 shell must be installed (the README's test command installs it)");
    let mut stdin = child.stdin.take().unwrap();
    let input = format!("{}\n{commands}\n", demo_sql());
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_answer_saved_as_csv_equals_the_sqlite3_shells_csv() {
    let sql = "SELECT branch_name, COUNT(*) AS runs, SUM(failed) AS failures, MIN(run_timestamp) AS \"first, run\",
               'say \"hi\"' AS quoted, AVG(duration_sec) AS avg_sec, 100.0 * SUM(passed) / SUM(passed + failed) AS rate,
               NULL AS no_value, '' AS empty
               FROM test_runs GROUP BY branch_name ORDER BY branch_name;";
    let (_server, b, _) = open_demo().await;
    run_sql(&b, sql).await;
    query_outcome(&b, QUERY).await.unwrap();
    let mut saved = Vec::new();
    for format in ["CSV", "JSON", "Markdown"] {
        b.js("const a = document.getElementById('export-link'); if (a) a.removeAttribute('href');")
            .await;
        b.js(&format!(
            "document.querySelector(`.save-as button[data-format='{format}']`).click()"
        ))
        .await;
        let text = b
            .wait_for(
                "const a = document.getElementById('export-link');
                 if (!a || !a.href) return null;
                 return fetch(a.href).then(r => r.text()).then(t => [a.download, t]);",
                QUERY,
            )
            .await;
        saved.push(text);
    }
    b.quit().await;

    let csv = sqlite3_raw(&format!(".headers on\n.mode csv\n{sql}"));
    assert_eq!(saved[0][0], "result.csv");
    assert_eq!(saved[0][1], csv);
    let json: Value = serde_json::from_str(saved[1][1].as_str().unwrap()).unwrap();
    assert_eq!(saved[1][0], "result.json");
    assert_eq!(json.as_array().map(Vec::len), Some(csv.lines().count() - 1));
    assert_eq!(json[0]["quoted"], "say \"hi\"");
    assert_eq!(saved[2][0], "result.md");
    assert!(
        saved[2][1].as_str().is_some_and(
            |m| m.starts_with("| branch_name | runs | failures | first, run | quoted |")
        ),
        "{}",
        saved[2][1]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dashboard_bar_clicked_or_chosen_by_keyboard_lists_its_failing_tests() {
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    load_str(&conn, &demo_sql(), OnError::Stop).unwrap();
    let by_branch = greenboard::presets::drill(greenboard::presets::BY_BRANCH).unwrap();
    let by_platform = greenboard::presets::drill(greenboard::presets::BY_PLATFORM).unwrap();
    let main = shown(
        &query::run_with(&conn, by_branch, &["main".into()])
            .unwrap()
            .rows,
    );
    let linux = shown(
        &query::run_with(&conn, by_platform, &["linux/x86_64".into()])
            .unwrap()
            .rows,
    );
    let failing_tests = "const t = (() => { const el = document.querySelector('table.result');
        if (!el) return null; const editor = document.getElementById('sql').value;
        return { editor, rows: [...el.querySelectorAll('tbody tr[data-row]')].map(r => [...r.cells].map(c => c.textContent)) };
      })(); return t && t.editor === EXPECTED && document.querySelector('.query-status.done') && t;";
    let (_server, b, _status) = open_demo().await;
    b.wait_for(
        "return document.querySelectorAll('.dashboard .bar').length > 0",
        QUERY,
    )
    .await;
    // A click on the bar of branch main.
    b.driver
        .find(By::Css(
            ".dashboard figure:first-child .bar[data-x='main'] rect",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let clicked = b
        .wait_for(
            &failing_tests.replace("EXPECTED", &serde_json::to_string(by_branch).unwrap()),
            QUERY,
        )
        .await;
    // The chart is drawn by its own worker, after the table.
    let title = b
        .wait_for(
            "return document.querySelector('.result-chart svg title')?.textContent ?? null",
            QUERY,
        )
        .await;
    let form = b.js(PARAMS_JS).await;
    // Tab to the bar of platform linux/x86_64, then Enter.
    b.js("document.querySelector(`.dashboard figure .bar[data-x='linux/x86_64']`).focus()")
        .await;
    b.driver
        .active_element()
        .await
        .unwrap()
        .send_keys("\u{E007}")
        .await
        .unwrap();
    let chosen = b
        .wait_for(
            &failing_tests.replace("EXPECTED", &serde_json::to_string(by_platform).unwrap()),
            QUERY,
        )
        .await;
    let label = b
        .js("return document.querySelector(`.dashboard .bar[data-x='main']`).getAttribute('aria-label')")
        .await;
    b.quit().await;

    assert!(!main.is_empty() && !linux.is_empty());
    assert_eq!(table_rows(&clicked), main, "{clicked}");
    assert_eq!(form, serde_json::json!([["branch", "main"]]));
    assert!(
        title
            .as_str()
            .is_some_and(|t| t == "Pass rate by branch: main"),
        "{title}"
    );
    assert_eq!(table_rows(&chosen), linux, "{chosen}");
    assert!(
        label.as_str().is_some_and(|l| l.contains("failing tests")),
        "{label}"
    );
}

/// The saved queries' names, and the history's SQL with its details.
const LIBRARY_JS: &str = "return {
  saved: [...document.querySelectorAll('.saved-list .open')].map(e => e.textContent),
  history: [...document.querySelectorAll('.history-list .open')].map(e => [e.querySelector('code').textContent, e.querySelector('.meta').textContent]),
};";

#[tokio::test(flavor = "multi_thread")]
async fn saved_queries_and_history_survive_a_reload_a_new_dump_and_travel_as_a_file() {
    let sql = "SELECT branch_name, COUNT(*) AS runs FROM test_runs GROUP BY 1 ORDER BY 1;";
    let (server, b, _status) = open_demo().await;
    run_sql(&b, sql).await;
    query_outcome(&b, QUERY).await.unwrap();
    chart_of(&b, "bar").await;
    // Charted as a line, then saved under a name.
    b.js(
        "const k = document.getElementById('chart-kind'); k.value = 'line';
          k.dispatchEvent(new Event('change', { bubbles: true }));",
    )
    .await;
    chart_of(&b, "line").await;
    let name = b.driver.find(By::Id("save-name")).await.unwrap();
    name.send_keys("Runs per branch").await.unwrap();
    b.click("#save-query").await;
    let before = b.js(LIBRARY_JS).await;

    // A reload, then another dump loaded: both lists are still there.
    b.driver.refresh().await.unwrap();
    b.wait_loaded().await;
    let reloaded = b.js(LIBRARY_JS).await;
    b.driver
        .find(By::Id("pasted"))
        .await
        .unwrap()
        .send_keys("CREATE TABLE t(x); INSERT INTO t VALUES (1);")
        .await
        .unwrap();
    b.click("#load-pasted").await;
    b.wait_for(
        "const s = document.querySelector('.status.loaded'); return s && s.textContent.includes('pasted') && s.textContent;",
        QUERY,
    )
    .await;
    let after_new_dump = b.js(LIBRARY_JS).await;
    // Back on the demo, the saved query opens with its chart.
    b.driver.goto(format!("{}/", server.origin)).await.unwrap();
    b.wait_loaded().await;
    b.click(".saved-list .open").await;
    query_outcome(&b, QUERY).await.unwrap();
    let reopened = chart_of(&b, "line").await;
    let editor = b.js("return document.getElementById('sql').value").await;
    // Exported as a file.
    b.click("#export-queries").await;
    let exported = b
        .wait_for(
            "const a = document.getElementById('export-link');
             if (!a || !a.href) return null;
             return fetch(a.href).then(r => r.text()).then(t => [a.download, t]);",
            QUERY,
        )
        .await;
    b.quit().await;

    // Imported into a fresh browser profile.
    let dir = TempDir::new("queries");
    let file = dir.0.join("greenboard-queries.json");
    std::fs::write(&file, exported[1].as_str().unwrap_or_default()).unwrap();
    std::fs::write(dir.0.join("broken.json"), "{ not json").unwrap();
    let b = Browser::start().await;
    b.driver.goto(format!("{}/", server.origin)).await.unwrap();
    b.wait_loaded().await;
    let empty = b.js(LIBRARY_JS).await;
    let picker = b.driver.find(By::Id("import-queries")).await.unwrap();
    picker
        .send_keys(dir.0.join("broken.json").to_str().unwrap())
        .await
        .unwrap();
    let refused = b
        .wait_for(
            "return document.querySelector('.library .error')?.textContent ?? null",
            QUERY,
        )
        .await;
    picker.send_keys(file.to_str().unwrap()).await.unwrap();
    let imported = b
        .wait_for(
            &format!("const l = (() => {{ {LIBRARY_JS} }})(); return l.saved.length > 0 && l;"),
            QUERY,
        )
        .await;
    b.quit().await;

    let entry = |l: &Value| l["saved"].clone();
    assert_eq!(entry(&before), serde_json::json!(["Runs per branch ▤"]));
    assert_eq!(before["history"][0][0], sql);
    assert!(
        before["history"][0][1]
            .as_str()
            .is_some_and(|m| m.ends_with(" · 5 rows")),
        "{before}"
    );
    // The reload runs the address's SQL again: the same entry, newer.
    let sqls = |l: &Value| {
        l["history"]
            .as_array()
            .map(|h| h.iter().map(|e| e[0].clone()).collect::<Vec<_>>())
    };
    assert_eq!(entry(&reloaded), entry(&before));
    assert_eq!(sqls(&reloaded), sqls(&before));
    assert_eq!(entry(&after_new_dump), entry(&before));
    assert_eq!(
        after_new_dump["history"].as_array().map(Vec::len),
        before["history"].as_array().map(Vec::len)
    );
    assert_eq!(editor, sql);
    assert!(
        reopened["search"]
            .as_str()
            .is_some_and(|s| s.contains("chart=line")),
        "{reopened}"
    );
    assert_eq!(exported[0], "greenboard-queries.json");
    let file: Value = serde_json::from_str(exported[1].as_str().unwrap()).unwrap();
    assert_eq!(file["saved"][0]["name"], "Runs per branch");
    assert_eq!(file["saved"][0]["sql"], sql);
    assert!(
        file["saved"][0]["chart"]
            .as_str()
            .is_some_and(|c| c.starts_with("line:")),
        "{file}"
    );
    assert_eq!(empty["saved"], serde_json::json!([]));
    assert!(
        refused
            .as_str()
            .is_some_and(|r| r.starts_with("broken.json: ")),
        "{refused}"
    );
    assert_eq!(entry(&imported), entry(&before));
    assert_eq!(sqls(&imported), sqls(&before));
}

/// Puts `sql` in the editor as if typed elsewhere (a preset does the same).
async fn set_sql(b: &Browser, sql: &str) {
    b.driver
        .execute(
            "const e = document.getElementById('sql'); e.value = arguments[0];
             e.dispatchEvent(new Event('input', { bubbles: true }));",
            vec![Value::String(sql.to_string())],
        )
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_editor_completes_columns_runs_the_selection_and_points_at_errors() {
    let (_server, b, _) = open_demo().await;
    let editor = b.editor().await;
    // Completion: a column of the loaded table, offered while typing.
    let offered = completions_for(&b, &editor, "SELECT branch_n").await;
    // CodeMirror ignores keys for 75 ms after its list opens (against
    // accidental picks); a person takes longer than that.
    tokio::time::sleep(Duration::from_millis(300)).await;
    editor.send_keys(Key::Enter).await.unwrap();
    let completed = b.js("return document.getElementById('sql').value").await;
    // Highlighting: keywords are marked up as such.
    let keyword_colour = b
        .js("const s = [...document.querySelectorAll('.cm-content span')].find(e => e.textContent === 'SELECT');
             return s ? getComputedStyle(s).color : null;")
        .await;
    // Only the selected statement runs.
    set_sql(&b, "SELECT 1 AS one;\nSELECT 2 AS two;").await;
    editor.click().await.unwrap();
    editor.send_keys(Key::Control + Key::End).await.unwrap();
    editor.send_keys(Key::Shift + Key::Home).await.unwrap();
    editor.send_keys(Key::Control + Key::Enter).await.unwrap();
    query_outcome(&b, QUERY).await.unwrap();
    let selected = b.js(TABLE_JS).await;
    // Without a selection, the whole text runs (SQLite answers with the last statement).
    editor.send_keys(Key::Control + "a").await.unwrap();
    editor.send_keys(Key::Right).await.unwrap();
    b.js("document.querySelector('.query-status').className = 'query-status'")
        .await;
    editor.send_keys(Key::Control + Key::Enter).await.unwrap();
    query_outcome(&b, QUERY).await.unwrap();
    let whole = b.js(TABLE_JS).await;
    // An error: SQLite's message, and its place underlined in the editor.
    set_sql(
        &b,
        "SELECT branch_name,\n       no_such_column\nFROM test_runs;",
    )
    .await;
    editor.click().await.unwrap();
    editor.send_keys(Key::Control + Key::Enter).await.unwrap();
    let failed = query_outcome(&b, QUERY).await;
    let marked = b
        .wait_for(
            "const m = document.querySelector('.cm-sql-error'); return m && m.textContent;",
            QUERY,
        )
        .await;
    b.quit().await;

    assert!(
        offered
            .as_array()
            .is_some_and(|o| o.iter().any(|t| t == "branch_name")),
        "{offered}"
    );
    assert_eq!(completed, "SELECT branch_name");
    assert!(
        keyword_colour
            .as_str()
            .is_some_and(|c| c != "rgb(29, 36, 33)"),
        "SELECT is highlighted: {keyword_colour}"
    );
    assert_eq!(strings(&selected["head"]), ["two"]);
    assert_eq!(table_rows(&selected), [["2"]]);
    assert_eq!(strings(&whole["head"]), ["two"]);
    let error = failed.unwrap_err();
    assert!(error.contains("no such column: no_such_column"), "{error}");
    assert_eq!(marked, "no_such_column");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_schema_browser_shows_tables_columns_keys_and_first_rows() {
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    load_str(&conn, &demo_sql(), OnError::Stop).unwrap();
    let columns: Vec<Vec<String>> = native_rows(
        &conn,
        "SELECT name || ' ' || type || CASE WHEN pk > 0 THEN ' PK' ELSE '' END
                || CASE WHEN \"notnull\" THEN ' not null' ELSE '' END
         FROM pragma_table_info('test_results');",
    );
    let runs: i64 = conn
        .query_row("SELECT count(*) FROM test_runs", [], |r| r.get(0))
        .unwrap();
    let first = native_rows(&conn, "SELECT * FROM test_runs LIMIT 100;");

    let (_server, b, _) = open_demo().await;
    let listed = b
        .wait_for(
            "const l = [...document.querySelectorAll('.schema-list .relation')];
             return l.length && l.map(d => [d.querySelector('.table-name').textContent, d.querySelector('.meta').textContent,
               [...d.querySelectorAll('li')].map(li => li.textContent.replace(/\\s+/g, ' ').trim())]);",
            QUERY,
        )
        .await;
    b.click(".schema-list .table-name[data-name='test_runs']")
        .await;
    query_outcome(&b, QUERY).await.unwrap();
    let editor_sql = b.js("return document.getElementById('sql').value").await;
    let shown = b.js(TABLE_JS).await;
    const RELATION: &str =
        "document.querySelector(`.relation:has(.table-name[data-name='test_runs'])`)";
    let still_closed = b
        .js(&format!(
            "return {RELATION}.querySelector('.relation-body').hidden"
        ))
        .await;
    // Its columns unfold; a column's name goes in the editor at the cursor.
    b.click(".relation:has(.table-name[data-name='test_runs']) .toggle")
        .await;
    let unfolded = b
        .js(&format!(
            "const r = {RELATION}; return [r.querySelector('.relation-body').hidden, r.querySelector('.toggle').getAttribute('aria-expanded')];"
        ))
        .await;
    set_sql(&b, "SELECT  FROM test_runs;").await;
    let editor = b.editor().await;
    editor.click().await.unwrap();
    editor.send_keys(Key::Control + Key::Home).await.unwrap();
    for _ in 0..7 {
        editor.send_keys(Key::Right).await.unwrap();
    }
    b.click(".relation:has(.table-name[data-name='test_runs']) .column[data-column='branch_name']")
        .await;
    let inserted = b
        .wait_for(
            "const v = document.getElementById('sql').value; return v.includes('branch_name') && v;",
            QUERY,
        )
        .await;
    b.quit().await;

    let relation = |name: &str| {
        listed
            .as_array()
            .and_then(|l| l.iter().find(|r| r[0] == name))
            .cloned()
            .unwrap_or(Value::Null)
    };
    let runs_entry = relation("test_runs");
    assert_eq!(
        runs_entry[1],
        format!("table · {} rows", greenboard::chart::fmt_count(runs as u64)),
        "{listed}"
    );
    let results = relation("test_results");
    let expected: Vec<String> = columns
        .into_iter()
        .map(|r| r[0].trim().to_string())
        .collect();
    let shown_columns: Vec<String> = results[2]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().replace(" → test_runs", ""))
        .collect();
    assert_eq!(shown_columns, expected);
    assert!(
        results[2]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c.as_str().unwrap().contains("→ test_runs")),
        "a foreign key is shown: {results}"
    );
    assert_eq!(editor_sql, "SELECT * FROM test_runs LIMIT 100;");
    assert_eq!(table_rows(&shown), first);
    assert_eq!(
        still_closed, true,
        "the name's click does not unfold the table"
    );
    assert_eq!(unfolded, serde_json::json!([false, "true"]));
    assert_eq!(inserted, "SELECT branch_name FROM test_runs;");
}

#[tokio::test(flavor = "multi_thread")]
async fn keyboard_shortcuts_and_the_theme_switch_work_and_last() {
    let (_server, b, _) = open_demo().await;
    b.editor().await;
    let body = b.driver.find(By::Css("body")).await.unwrap();
    // "?" opens the help, Esc closes it.
    body.send_keys("?").await.unwrap();
    let help = b
        .js("const s = document.querySelector('.shortcuts'); return !s.hidden && s.querySelectorAll('dt').length;")
        .await;
    b.driver
        .action_chain()
        .send_keys(Key::Escape)
        .perform()
        .await
        .unwrap();
    let closed = b
        .js("return document.querySelector('.shortcuts').hidden")
        .await;
    // Alt+↓ chooses the first preset, then the next one.
    b.driver
        .action_chain()
        .key_down(Key::Alt)
        .send_keys(Key::Down)
        .send_keys(Key::Down)
        .key_up(Key::Alt)
        .perform()
        .await
        .unwrap();
    query_outcome(&b, QUERY).await.unwrap();
    let presets = b
        .js("const p = [...document.querySelectorAll('button.preset')];
             return [p.findIndex(e => e.classList.contains('active')), document.activeElement === p[1]];")
        .await;
    // Alt+S hides the schema, "/" focuses the editor.
    b.driver
        .action_chain()
        .key_down(Key::Alt)
        .send_keys("s")
        .key_up(Key::Alt)
        .perform()
        .await
        .unwrap();
    let schema_open = b.js("return document.getElementById('schema').open").await;
    b.js("document.activeElement.blur()").await;
    body.send_keys("/").await.unwrap();
    let focused = b
        .js("return document.activeElement.classList.contains('cm-content')")
        .await;
    // The theme: system, then light, then dark; dark lasts a reload.
    let background = "return getComputedStyle(document.body).backgroundColor";
    let system = b.js(background).await;
    b.click("#theme").await;
    let light = b.js(background).await;
    b.click("#theme").await;
    let dark = b.js(background).await;
    b.driver.refresh().await.unwrap();
    b.wait_loaded().await;
    let reloaded = (
        b.js(background).await,
        b.js("return document.getElementById('theme').textContent")
            .await,
    );
    b.quit().await;

    assert_eq!(help, 6);
    assert_eq!(closed, true);
    assert_eq!(presets, serde_json::json!([1, true]));
    assert_eq!(schema_open, false);
    assert_eq!(focused, true);
    // Headless Chromium's system theme is light.
    assert_eq!(system, "rgb(247, 248, 246)");
    assert_eq!(light, system);
    assert_eq!(dark, "rgb(18, 22, 20)");
    assert_eq!(reloaded.0, dark);
    assert_eq!(reloaded.1, "Theme: dark");
}

/// Runs axe-core (from the editor's npm packages) on the page as it is;
/// gives its serious and critical violations.
async fn axe(b: &Browser) -> Value {
    let source =
        std::fs::read_to_string(root().join("web/editor/node_modules/axe-core/axe.min.js"))
            .expect("axe-core is installed with the editor's packages (npm ci in web/editor)");
    b.js(&source).await;
    b.js(
        "return axe.run(document, { resultTypes: ['violations'] }).then(r => r.violations
            .filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => ({ id: v.id, impact: v.impact, help: v.help,
                         nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ')) })));",
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_accessibility_audit_finds_no_serious_or_critical_violation() {
    let (_server, b, _) = open_demo().await;
    b.editor().await;
    b.wait_for(
        "return document.querySelectorAll('.dashboard .bar').length > 0",
        QUERY,
    )
    .await;
    let dashboard = axe(&b).await;
    // A preset's answer with its chart, the schema unfolded, the help open.
    let heat = greenboard::presets::find("branch-x-platform").unwrap();
    click_each(&b, &[heat]).await;
    chart_of(&b, "heatmap").await;
    b.js(
        "document.querySelectorAll('.schema-list .toggle').forEach(t => t.click());
          document.querySelector('.history').open = true;",
    )
    .await;
    b.click(".help-button").await;
    let answer = axe(&b).await;
    // The same in the dark theme.
    b.click(".help-button").await;
    b.click("#theme").await;
    b.click("#theme").await;
    let dark = axe(&b).await;
    b.quit().await;

    assert_eq!(dashboard, serde_json::json!([]), "{dashboard:#}");
    assert_eq!(answer, serde_json::json!([]), "{answer:#}");
    assert_eq!(dark, serde_json::json!([]), "{dark:#}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_back_button_steps_through_the_queries_run() {
    const SHOWN: &str =
        "const t = (() => { TABLE })(); const e = document.getElementById('sql').value;
        return t && document.querySelector('.query-status.done') && [e, t.head, location.search];";
    let shown = SHOWN.replace("TABLE", TABLE_JS);
    let (_server, b, _) = open_demo().await;
    let first = "SELECT 1 AS first;";
    let second = "SELECT 2 AS second;";
    run_sql(&b, first).await;
    query_outcome(&b, QUERY).await.unwrap();
    run_sql(&b, second).await;
    b.wait_for(
        &format!("const v = (() => {{ {shown} }})(); return v && v[1][0] === 'second' && v;"),
        QUERY,
    )
    .await;
    // Sorting the answer is the same query: no new entry.
    b.click("table.result th button.sort").await;
    query_outcome(&b, QUERY).await.unwrap();
    b.driver.back().await.unwrap();
    let back = b
        .wait_for(
            &format!("const v = (() => {{ {shown} }})(); return v && v[1][0] === 'first' && v;"),
            QUERY,
        )
        .await;
    b.driver.forward().await.unwrap();
    let forward = b
        .wait_for(
            &format!("const v = (() => {{ {shown} }})(); return v && v[1][0] === 'second' && v;"),
            QUERY,
        )
        .await;
    b.driver.back().await.unwrap();
    b.driver.back().await.unwrap();
    let start = b
        .wait_for(
            "return !document.querySelector('table.result') && [document.getElementById('sql').value, location.search];",
            QUERY,
        )
        .await;
    b.quit().await;

    assert_eq!(back[0], first, "{back}");
    assert!(back[2].as_str().unwrap().contains("first"), "{back}");
    assert_eq!(forward[0], second, "{forward}");
    assert_eq!(start, serde_json::json!(["", ""]));
}
