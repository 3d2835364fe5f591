//! Charts that tell the truth: rows that share x are combined (a sum by
//! default, or as chosen) and each mark equals the demo's `GROUP BY` in the
//! `sqlite3` shell; the builder's menus show the spec in use after a change,
//! back and a shared link.

use std::time::Duration;

use crate::support::*;

/// Daily failures per platform: several rows per platform.
const DAILY: &str = "SELECT date(r.run_timestamp) AS day, p.os || '/' || p.arch AS platform, \
    SUM(t.outcome = 'fail') AS failures FROM test_results t JOIN test_runs r ON r.id = t.run_id \
    JOIN platforms p ON p.id = r.platform_id GROUP BY 1, 2 ORDER BY 1, 2";

/// The builder's menus, the chart's marks (their tooltips), its kind and
/// the aggregation note, once a chart is drawn.
const CHART_JS: &str = "const c = document.querySelector('.result-chart');
  const svg = c && c.querySelector('svg.chart-svg');
  if (!svg || document.querySelector('.result-chart .note') && document.querySelector('.result-chart .note').textContent === 'Drawing…') return null;
  const menu = id => document.getElementById('chart-' + id).value;
  return { kind: menu('kind'), x: menu('x'), y: menu('y'), series: menu('series'), agg: menu('agg'),
           drawn: svg.getAttribute('class'),
           marks: [...svg.querySelectorAll('.mark > title')].map(t => t.textContent),
           note: (c.querySelector('.aggregated') || {}).textContent || null };";

/// Chooses `value` in the builder's menu `part`, as a user would.
async fn choose(b: &Browser, part: &str, value: &str) {
    b.js(&format!(
        "const m = document.getElementById('chart-{part}'); m.value = {value:?};
         m.dispatchEvent(new Event('change', {{ bubbles: true }}));"
    ))
    .await;
}

/// Waits for a chart of `kind` (and `agg`) to be drawn; gives what it shows.
async fn drawn(b: &Browser, kind: &str, agg: &str) -> serde_json::Value {
    b.wait_for(
        &format!(
            "const v = (() => {{ {CHART_JS} }})();
             return v && v.drawn.includes({kind:?}) && v.agg === {agg:?} && v;"
        ),
        QUERY,
    )
    .await
}

/// The marks' tooltips as (x, value text).
fn marks(chart: &serde_json::Value) -> Vec<(String, String)> {
    chart["marks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let (x, v) = t.as_str().unwrap().split_once(": ").unwrap();
            (x.to_string(), v.to_string())
        })
        .collect()
}

/// What the marks should say: `function` of failures per platform, with
/// the rows behind each, in the `sqlite3` shell.
fn expected(function: &str, agg: &str) -> Vec<(String, String)> {
    let mut rows: Vec<(String, String)> = sqlite3_cli(&format!(
        "SELECT platform, {function}(failures), COUNT(*) FROM ({DAILY}) GROUP BY platform;"
    ))
    .into_iter()
    .map(|r| (r[0].clone(), format!("{} = {agg} of {} rows", r[1], r[2])))
    .collect();
    rows.sort();
    rows
}

#[tokio::test(flavor = "multi_thread")]
async fn rows_sharing_x_are_combined_as_chosen_and_the_menus_say_so() {
    let (_server, b, _) = open_demo().await;
    run_sql(&b, DAILY).await;
    query_outcome(&b, QUERY).await.unwrap();
    let guessed = drawn(&b, "line", "sum").await;
    // Stacked bars: the menus read what is drawn.
    choose(&b, "kind", "stacked").await;
    let stacked = drawn(&b, "stacked", "sum").await;
    // By platform alone: each platform's days summed.
    choose(&b, "series", "").await;
    drawn(&b, "stacked", "sum").await;
    choose(&b, "x", "platform").await;
    let summed = b
        .wait_for(
            &format!(
                "const v = (() => {{ {CHART_JS} }})(); return v && v.x === 'platform' && v.series === '' && v.marks.length === 6 && v;"
            ),
            QUERY,
        )
        .await;
    choose(&b, "agg", "max").await;
    let max = drawn(&b, "stacked", "max").await;
    let address = b.driver.current_url().await.unwrap().to_string();
    // Another query, then back: the chart as it was, and its menus.
    run_sql(&b, "SELECT 1 AS one, 2 AS two;").await;
    query_outcome(&b, QUERY).await.unwrap();
    b.driver.back().await.unwrap();
    let back = drawn(&b, "stacked", "max").await;
    // The address shared: a new tab draws the same.
    let shared = Browser::start().await;
    shared.driver.goto(&address).await.unwrap();
    let opened = drawn(&shared, "stacked", "max").await;
    shared.quit().await;
    b.quit().await;

    assert_eq!(
        (
            &guessed["kind"],
            &guessed["x"],
            &guessed["y"],
            &guessed["series"]
        ),
        (
            &"line".into(),
            &"day".into(),
            &"failures".into(),
            &"platform".into()
        ),
        "{guessed}"
    );
    assert_eq!(stacked["kind"], "stacked", "{stacked}");
    assert_eq!(stacked["x"], "day");
    assert_eq!(stacked["series"], "platform");
    let mut got = marks(&summed);
    got.sort();
    assert_eq!(got, expected("SUM", "sum"));
    let note = summed["note"].as_str().unwrap_or_default();
    assert!(
        note.ends_with("rows share x values: each mark is the sum of its rows (6 marks)"),
        "{note}"
    );
    let mut got = marks(&max);
    got.sort();
    assert_eq!(got, expected("MAX", "greatest"));
    assert!(address.contains("agg%3Dmax"), "{address}");
    for chart in [&back, &opened] {
        assert_eq!(chart["kind"], "stacked", "{chart}");
        assert_eq!(chart["x"], "platform");
        assert_eq!(chart["series"], "");
        let mut got = marks(chart);
        got.sort();
        assert_eq!(got, expected("MAX", "greatest"));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_table_of_every_result_draws_a_small_chart_or_says_why_not() {
    let (_server, b, _) = open_demo().await;
    run_sql(&b, "SELECT * FROM test_results;").await;
    query_outcome(&b, QUERY).await.unwrap();
    let chart = b
        .wait_for(
            "const c = document.querySelector('.result-chart');
             const svg = c && c.querySelector('svg.chart-svg');
             const error = c && c.querySelector('.chart-error');
             return (svg || error) && { elements: svg ? svg.querySelectorAll('*').length : 0,
               error: error && error.textContent, note: (c.querySelector('.aggregated') || {}).textContent || null };",
            QUERY,
        )
        .await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    b.quit().await;

    let elements = chart["elements"].as_u64().unwrap();
    assert!(elements <= 5_000, "{chart}");
    assert!(chart["error"].is_string() || elements > 0, "{chart}");
}

#[tokio::test(flavor = "multi_thread")]
async fn busy_preset_charts_keep_their_labels_apart_screenshots() {
    let (_server, b, _) = open_demo().await;
    let mut shots = Vec::new();
    for id in [
        "flaky-tests",
        "slowest-tests",
        "duration-trend-by-suite",
        "main-progress",
    ] {
        b.click(&format!("button.preset[data-preset='{id}']")).await;
        query_outcome(&b, QUERY).await.unwrap();
        let chart = b
            .wait_for(
                "const svg = document.querySelector('.result-chart svg.chart-svg');
                 return svg && [...svg.querySelectorAll('text.tick')].map(t => { const r = t.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom, t.textContent, t.hasAttribute('transform')]; });",
                QUERY,
            )
            .await;
        b.js("document.querySelector('.result-chart').scrollIntoView()")
            .await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        let png = b.driver.screenshot_as_png().await.unwrap();
        std::fs::create_dir_all(root().join("tests/screenshots")).unwrap();
        std::fs::write(
            root().join(format!("tests/screenshots/chart-{id}.png")),
            png,
        )
        .unwrap();
        shots.push((id, chart));
    }
    b.quit().await;

    // No two labels overlap: level ones by their boxes; labels rotated
    // alike, by the distance between their ends (their boxes, upright,
    // overlap whatever the text does), at least a line apart.
    for (id, labels) in shots {
        let labels: Vec<(f64, f64, f64, f64, String, bool)> = labels
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                let n = |i: usize| l[i].as_f64().unwrap();
                let text = l[4].as_str().unwrap().to_string();
                (n(0), n(1), n(2), n(3), text, l[5].as_bool().unwrap())
            })
            .collect();
        for (i, a) in labels.iter().enumerate() {
            for c in &labels[i + 1..] {
                let clash = match (a.5, c.5) {
                    (false, false) => {
                        a.0.max(c.0) < a.2.min(c.2) - 1.0 && a.1.max(c.1) < a.3.min(c.3) - 1.0
                    }
                    (true, true) => ((a.2 - c.2).powi(2) + (a.1 - c.1).powi(2)).sqrt() < 10.0,
                    _ => false,
                };
                assert!(!clash, "{id}: {:?} overlaps {:?}", a.4, c.4);
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_answer_with_nothing_to_chart_shows_alone_and_says_why() {
    let (_server, b, _) = open_demo().await;
    run_sql(&b, "SELECT name, type FROM sqlite_schema;").await;
    query_outcome(&b, QUERY).await.unwrap();
    let why = b
        .wait_for(
            "const e = document.querySelector('.result-chart .chart-error'); return e && e.textContent;",
            QUERY,
        )
        .await;
    let rows = table_rows(&b.js(TABLE_JS).await).len();
    let svg = b
        .js("return !!document.querySelector('.result-chart svg')")
        .await;
    b.quit().await;

    assert_eq!(
        why.as_str(),
        Some("no chart: no column other than name holds numbers to measure")
    );
    assert_eq!(svg, false);
    assert!(rows > 5, "the rows show: {rows}");
}
