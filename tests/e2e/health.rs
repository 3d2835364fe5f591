//! What broke, since when, and is it flaky: the health presets give the
//! browser the same answers as native SQLite (and so the command line),
//! row for row, on the demo, whose story they find.

use greenboard::db::load::{OnError, load_str};
use greenboard::db::query;

use crate::support::*;

#[tokio::test(flavor = "multi_thread")]
async fn the_health_presets_answer_in_the_browser_as_natively() {
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    load_str(&conn, &demo_sql(), OnError::Stop).unwrap();
    greenboard::db::signature::register(&conn).unwrap();
    let health: Vec<&'static greenboard::presets::Preset> = greenboard::presets::GREENBOARD
        .iter()
        .filter(|p| p.group == "Health")
        .collect();
    assert_eq!(health.len(), 6);
    let (_server, b, status) = open_demo().await;
    assert!(status.starts_with("Loaded"), "{status}");
    let answers = click_each(&b, &health).await;
    b.quit().await;

    for ((id, outcome, rows), preset) in answers.into_iter().zip(&health) {
        assert!(outcome.is_ok(), "{id}: {outcome:?}");
        let values = greenboard::db::defaults(&conn, preset);
        let native = shown(&query::run_with(&conn, preset.sql, &values).unwrap().rows);
        assert!(!rows.is_empty(), "{id}");
        // The rows in view, from the first.
        assert_eq!(rows, native[..rows.len()], "{id}");
    }
}

/// A link to a preset (`?preset=ID`, as the CI summary writes them) runs
/// it with the data's defaults once the data is loaded.
#[tokio::test(flavor = "multi_thread")]
async fn a_link_to_a_preset_runs_it() {
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    load_str(&conn, &demo_sql(), OnError::Stop).unwrap();
    let preset = greenboard::presets::find("ongoing-failures").unwrap();
    let values = greenboard::db::defaults(&conn, preset);
    let native = shown(&query::run_with(&conn, preset.sql, &values).unwrap().rows);
    let server = Server::start(vec![("/", dist())]).await;
    let b = Browser::start().await;
    b.driver
        .goto(format!("{}/?preset=ongoing-failures", server.origin))
        .await
        .unwrap();
    let status = b.wait_loaded().await;
    let outcome = query_outcome(&b, QUERY).await;
    let rows = table_rows(&b.js(TABLE_JS).await);
    // Its chart, titled as the preset.
    let chart = chart_of(&b, "bar").await;
    b.quit().await;
    assert!(status.starts_with("Loaded"), "{status}");
    assert!(outcome.is_ok(), "{outcome:?}");
    assert!(!rows.is_empty());
    assert_eq!(rows, native[..rows.len()]);
    assert_eq!(chart["title"], "Ongoing failures", "{chart}");
}

/// What the health section shows: each tile's count and first tests, read
/// from the page.
const HEALTH_JS: &str = "const tiles = [...document.querySelectorAll('.health .tile')];
  if (tiles.length !== 5 || tiles.some(t => t.classList.contains('pending'))) return null;
  return { branch: document.querySelector('.health select').value,
           tiles: tiles.map(t => ({ id: t.querySelector('.title').dataset.tile,
                                    count: parseInt(t.querySelector('.title b').textContent),
                                    tests: [...t.querySelectorAll('li button')].map(b => b.dataset.test) })) };";

/// The health of a branch, first on the dashboard: each count is its
/// preset's number of rows on that branch (natively), each list its first
/// tests; another branch chosen gives that branch's; a test clicked shows
/// its latest results.
#[tokio::test(flavor = "multi_thread")]
async fn the_health_of_a_branch_counts_what_the_presets_find() {
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    load_str(&conn, &demo_sql(), OnError::Stop).unwrap();
    greenboard::db::signature::register(&conn).unwrap();
    // The native answer of a tile's preset on `branch`: its count and first tests.
    let native = |id: &str, branch: &str| {
        let p = greenboard::presets::find(id).unwrap();
        let params: Vec<String> = match id {
            "flaky-by-rule" => vec!["30".into()],
            "duration-regressions" => vec!["10".into(), "50".into()],
            _ => vec![branch.into()],
        };
        let out = query::run_with(&conn, p.sql, &params).unwrap();
        let col = |name: &str| out.columns.iter().position(|c| c == name);
        let rows: Vec<_> = out
            .rows
            .iter()
            .filter(|r| col("branch").is_none_or(|i| r[i].display().as_deref() == Some(branch)))
            .collect();
        let tests: Vec<String> = rows
            .iter()
            .take(5)
            .map(|r| r[col("test_name").unwrap()].display().unwrap())
            .collect();
        (rows.len(), tests)
    };
    let (_server, b, status) = open_demo().await;
    assert!(status.starts_with("Loaded"), "{status}");
    let main = b.wait_for(HEALTH_JS, QUERY).await;
    b.js(
        "const s = document.querySelector('.health select'); s.value = 'fix/d3d11-present';
          s.dispatchEvent(new Event('change', { bubbles: true }));",
    )
    .await;
    let fix = b
        .wait_for(&format!("const h = (() => {{ {HEALTH_JS} }})(); return h && h.branch === 'fix/d3d11-present' && h;"), QUERY)
        .await;
    // A test of the first tile with rows, clicked.
    b.click(".health .tile li button").await;
    let outcome = query_outcome(&b, QUERY).await;
    let clicked = table_rows(&b.js(TABLE_JS).await);
    let png = b.driver.screenshot_as_png().await.unwrap();
    let shots = root().join("tests/screenshots/tmp");
    std::fs::create_dir_all(&shots).unwrap();
    std::fs::write(shots.join("health.png"), png).unwrap();
    b.quit().await;

    for (shown, branch) in [(&main, "main"), (&fix, "fix/d3d11-present")] {
        assert_eq!(shown["branch"], branch);
        for tile in shown["tiles"].as_array().unwrap() {
            let id = tile["id"].as_str().unwrap();
            let (count, tests) = native(id, branch);
            assert_eq!(tile["count"], count, "{id} on {branch}: {tile}");
            assert_eq!(tile["tests"], serde_json::json!(tests), "{id} on {branch}");
        }
    }
    // The demo's main: new and ongoing failures, fixed, flaky and slower tests.
    for (i, tile) in main["tiles"].as_array().unwrap().iter().enumerate() {
        assert!(tile["count"].as_u64() > Some(0), "tile {i} on main: {tile}");
    }
    assert!(outcome.is_ok(), "{outcome:?}");
    assert!(!clicked.is_empty());
}
