//! The dashboard: the demo loads at `/` and under a sub-path, its charts
//! draw the data's pass rates, and a bar clicked or chosen by keyboard
//! lists its failing tests.

use std::time::Duration;

use greenboard::db::load::{OnError, load_str};
use greenboard::db::query;
use greenboard::protocol::Cell;
use thirtyfour::prelude::*;

use crate::support::*;

/// The answer of SQLite compiled for this machine, through greenboard's own loader.
fn native(sql: &str) -> Vec<Vec<Cell>> {
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    load_str(&conn, &demo_sql(), OnError::Stop).unwrap();
    greenboard::db::prepare(&conn).unwrap();
    query::run(&conn, sql).unwrap().rows
}

/// What the dashboard shows: load status, headline, bars per chart; null
/// until the charts and the headline (a query of its own) are both drawn.
const DASHBOARD_JS: &str = "const charts = [...document.querySelectorAll('figure.chart')];
  const headline = document.querySelector('.headline');
  if (charts.length < 2 || !headline) return null;
  return { status: document.querySelector('.status').textContent,
           headline: headline.textContent,
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
        // The failing share, from zero.
        assert_eq!(strings(&chart["ticks"])[0], "0");
    }
    // Bars carry the native answer's values, in its order, each as long as
    // the share that failed: the highest pass rate has the shortest bar.
    let labels = strings(&charts[0]["bars"]);
    for (label, row) in labels.iter().zip(&by_branch) {
        let (Cell::Text(name), Some(rate)) = (&row[0], row[2].as_f64()) else {
            panic!("{row:?}")
        };
        assert_eq!(
            label,
            &format!(
                "{name}: {}% passed, {}% failed; Enter lists its failing tests",
                greenboard::chart::fmt_num(rate),
                greenboard::chart::fmt_num(100.0 - rate)
            )
        );
    }
    let widths: Vec<f64> = charts[0]["widths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_f64().unwrap())
        .collect();
    assert!(widths.windows(2).all(|w| w[0] <= w[1]), "{widths:?}");
    // A branch failing n times as often has a bar n times as long.
    let failed: Vec<f64> = by_branch
        .iter()
        .map(|r| 100.0 - r[2].as_f64().unwrap())
        .collect();
    for i in 1..widths.len() {
        let (bars, rates) = (widths[i] / widths[0], failed[i] / failed[0]);
        assert!(
            (bars / rates - 1.0).abs() < 0.02,
            "{widths:?} against {failed:?}"
        );
    }
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
async fn a_dashboard_bar_clicked_or_chosen_by_keyboard_lists_its_failing_tests() {
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    load_str(&conn, &demo_sql(), OnError::Stop).unwrap();
    greenboard::db::prepare(&conn).unwrap();
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
