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
    greenboard::db::prepare(&conn).unwrap();
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
    greenboard::db::prepare(&conn).unwrap();
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
                                    count: parseInt(t.querySelector('.title b').textContent.replace(/,/g, '')),
                                    tests: [...t.querySelectorAll('li button[data-test]')].map(b => b.dataset.test) })) };";

/// The native answer of a tile's preset on `branch`: its count (its rows
/// of that branch, when it has a branch column) and its first five tests.
fn tile_natively(conn: &rusqlite::Connection, id: &str, branch: &str) -> (usize, Vec<String>) {
    let p = greenboard::presets::find(id).unwrap();
    let params: Vec<String> = match id {
        "flaky-by-rule" => vec!["30".into()],
        "duration-regressions" => vec![branch.into(), "10".into(), "50".into()],
        _ => vec![branch.into()],
    };
    let out = query::run_with(conn, p.sql, &params).unwrap();
    let col = |name: &str| out.columns.iter().position(|c| c == name);
    let rows: Vec<_> = out
        .rows
        .iter()
        .filter(|r| col("branch").is_none_or(|i| r[i].display().as_deref() == Some(branch)))
        .collect();
    let tests = rows
        .iter()
        .take(5)
        .map(|r| r[col("test_name").unwrap()].display().unwrap())
        .collect();
    (rows.len(), tests)
}

/// The health of a branch, first on the dashboard: each count is its
/// preset's number of rows on that branch (natively), each list its first
/// tests; another branch chosen gives that branch's.
#[tokio::test(flavor = "multi_thread")]
async fn the_health_of_a_branch_counts_what_the_presets_find() {
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    load_str(&conn, &demo_sql(), OnError::Stop).unwrap();
    greenboard::db::prepare(&conn).unwrap();
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
    let png = b.driver.screenshot_as_png().await.unwrap();
    let shots = root().join("tests/screenshots/tmp");
    std::fs::create_dir_all(&shots).unwrap();
    std::fs::write(shots.join("health.png"), png).unwrap();
    // A test's page and back: the branch chosen stays.
    b.click(".health .tile li button").await;
    b.wait_for("return !!document.querySelector('.test-page')", QUERY)
        .await;
    b.driver.back().await.unwrap();
    let kept = b
        .wait_for(
            &format!("const h = (() => {{ {HEALTH_JS} }})(); return h && h.branch;"),
            QUERY,
        )
        .await;
    // A count opens the whole answer, with its SQL.
    b.click(".health .tile .title[data-tile=new-failures]")
        .await;
    let outcome = query_outcome(&b, QUERY).await;
    let rows = table_rows(&b.js(TABLE_JS).await);
    // As the preset is opened from the list: its named parameter, in the
    // address, and in view.
    let params = b.js(PARAMS_JS).await;
    let search = b.js("return location.search").await;
    let in_view = b
        .js("const r = document.querySelector('.workbench .toolbar').getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight;")
        .await;
    // The reload keeps the branch chosen.
    b.driver.refresh().await.unwrap();
    b.wait_loaded().await;
    let reloaded = b
        .wait_for(
            &format!("const h = (() => {{ {HEALTH_JS} }})(); return h && h.branch;"),
            QUERY,
        )
        .await;
    b.quit().await;
    assert_eq!(params, serde_json::json!([["branch", "fix/d3d11-present"]]));
    let search = search.as_str().unwrap();
    assert!(search.contains("preset=new-failures"), "{search}");
    assert!(search.contains("branch=fix%2Fd3d11-present"), "{search}");
    assert_eq!(in_view, true);
    assert_eq!(reloaded, "fix/d3d11-present");

    for (shown, branch) in [(&main, "main"), (&fix, "fix/d3d11-present")] {
        assert_eq!(shown["branch"], branch);
        for tile in shown["tiles"].as_array().unwrap() {
            let id = tile["id"].as_str().unwrap();
            let (count, tests) = tile_natively(&conn, id, branch);
            assert_eq!(tile["count"], count, "{id} on {branch}: {tile}");
            assert_eq!(tile["tests"], serde_json::json!(tests), "{id} on {branch}");
        }
    }
    assert_eq!(kept, "fix/d3d11-present");
    // The demo's main: new and ongoing failures, fixed, flaky and slower tests.
    for (i, tile) in main["tiles"].as_array().unwrap().iter().enumerate() {
        assert!(tile["count"].as_u64() > Some(0), "tile {i} on main: {tile}");
    }
    // The whole answer of the branch chosen.
    assert!(outcome.is_ok(), "{outcome:?}");
    let preset = greenboard::presets::find("new-failures").unwrap();
    let native = shown(
        &query::run_with(&conn, preset.sql, &["fix/d3d11-present".to_string()])
            .unwrap()
            .rows,
    );
    assert!(!native.is_empty());
    assert_eq!(rows, native[..rows.len()]);
}

/// What a test's page shows, read from the page: its heading, the text of
/// each platform's line, the strip's cells and the signatures' rows.
const TEST_PAGE_JS: &str = "const p = document.querySelector('.test-page');
  if (!p || p.querySelector('.pending')) return null;
  const svg = p.querySelector('.part.test-results svg');
  return { name: p.querySelector('h2 code').textContent,
           lines: [...p.querySelectorAll('.timeline li')].map(l => l.textContent),
           links: [...p.querySelectorAll('.timeline a')].map(a => a.getAttribute('href')),
           cells: svg ? svg.querySelectorAll('.mark').length : -1,
           glyphs: svg ? [...new Set([...svg.querySelectorAll('.mark text')].map(t => t.textContent))].sort() : [],
           durations: p.querySelectorAll('.part.test-durations svg').length,
           signatures: [...p.querySelectorAll('.part.test-messages tbody tr')].map(r => r.cells[0].textContent),
           errors: [...p.querySelectorAll('.error')].map(e => e.textContent) };";

/// A test's page, opened from a health tile: it says where the test stands
/// on each platform and branch as native SQLite does, where it started
/// failing with links to the runs, draws a cell per result and groups its
/// failures by signature; Back returns to the dashboard, and the address
/// opens it again.
#[tokio::test(flavor = "multi_thread")]
async fn a_test_page_says_where_it_started_failing() {
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    load_str(&conn, &demo_sql(), OnError::Stop).unwrap();
    greenboard::db::prepare(&conn).unwrap();
    let (server, b, status) = open_demo().await;
    assert!(status.starts_with("Loaded"), "{status}");
    b.wait_for(HEALTH_JS, QUERY).await;
    let test = b
        .js("return document.querySelector('.health .tile li button').dataset.test")
        .await;
    let test = test.as_str().unwrap().to_string();
    b.click(".health .tile li button").await;
    let page = b.wait_for(TEST_PAGE_JS, QUERY).await;
    let address = b.driver.current_url().await.unwrap();
    b.driver.set_window_rect(0, 0, 1300, 2600).await.unwrap();
    let png = b.driver.screenshot_as_png().await.unwrap();
    std::fs::write(root().join("tests/screenshots/tmp/test-page.png"), png).unwrap();
    // Back: the dashboard; Forward: the page again.
    b.driver.back().await.unwrap();
    let dashboard = b
        .wait_for(
            "return !document.querySelector('.test-page') && !!document.querySelector('.health')",
            QUERY,
        )
        .await;
    b.driver.forward().await.unwrap();
    let again = b.wait_for(TEST_PAGE_JS, QUERY).await;
    // Its "← Dashboard" button: the dashboard, with the keyboard's focus
    // at its top.
    b.click(".test-page .back").await;
    let left = b
        .wait_for(
            "return !document.querySelector('.test-page') && !!document.querySelector('.health') && document.activeElement.id === 'content'",
            QUERY,
        )
        .await;
    // The address alone opens it, on a phone's width.
    b.driver.set_window_rect(0, 0, 390, 844).await.unwrap();
    b.driver.goto(address.as_str()).await.unwrap();
    b.wait_loaded().await;
    let direct = b.wait_for(TEST_PAGE_JS, QUERY).await;
    let png = b.driver.screenshot_as_png().await.unwrap();
    std::fs::write(
        root().join("tests/screenshots/tmp/test-page-phone.png"),
        png,
    )
    .unwrap();
    // Opened from its address, it asks nothing of the dashboard until its
    // "← Dashboard" is chosen: the dashboard is then whole.
    b.click(".test-page .back").await;
    let shown = b
        .wait_for(
            &format!(
                "const h = (() => {{ {HEALTH_JS} }})(); const charts = document.querySelectorAll('.charts svg').length;
                 const head = document.querySelector('.headline'); return h && charts === 2 && head && !head.querySelector('.pending') && {{ tiles: h.tiles.length, charts }};"
            ),
            QUERY,
        )
        .await;
    drop(server);
    b.quit().await;

    assert!(address.as_str().contains("test="), "{address}");
    assert_eq!(page["name"], test.as_str());
    assert_eq!(page["errors"], serde_json::json!([]), "{page}");
    // A line per platform and branch, as natively, failing ones first.
    let timeline = greenboard::presets::find("test-timeline").unwrap();
    let native = query::run_with(&conn, timeline.sql, std::slice::from_ref(&test)).unwrap();
    let col = |n: &str| native.columns.iter().position(|c| c == n).unwrap();
    let lines = page["lines"].as_array().unwrap();
    assert_eq!(lines.len(), native.rows.len());
    for (line, row) in lines.iter().zip(&native.rows) {
        let line = line.as_str().unwrap();
        let text = |n: &str| row[col(n)].display().unwrap_or_default();
        // "1 run", "2 runs".
        let counted = |n: &str, noun: &str| {
            let v = text(n);
            format!("{v} {noun}{}", if v == "1" { "" } else { "s" })
        };
        assert!(
            line.starts_with(&format!("{} · {}", text("platform"), text("branch"))),
            "{line}"
        );
        assert!(
            line.contains(&format!(
                "{}, {} failed, {}",
                counted("runs", "run"),
                text("failures"),
                counted("flips", "flip")
            )),
            "{line}"
        );
        if let Some(first) = row[col("first_failed_run")].display() {
            let commit: String = text("first_failed_at").chars().take(8).collect();
            assert!(
                line.contains(&format!("first failed at {commit} (run {first})")),
                "{line}"
            );
            assert!(
                line.contains(&format!("for {}", counted("failing_runs", "run"))),
                "{line}"
            );
        }
    }
    // The demo's runs have URLs: the failing lines link to them.
    assert!(!page["links"].as_array().unwrap().is_empty(), "{page}");
    // A cell per result of the latest 300 (the demo has fewer per place
    // than the strip's limit), with their glyphs.
    let results = greenboard::presets::find("test-results").unwrap();
    let all = query::run_with(&conn, results.sql, std::slice::from_ref(&test)).unwrap();
    assert_eq!(page["cells"], all.rows.len());
    assert!(
        page["glyphs"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("✗"))
    );
    assert_eq!(page["durations"], 1);
    let messages = greenboard::presets::find("test-messages").unwrap();
    let groups = query::run_with(&conn, messages.sql, std::slice::from_ref(&test)).unwrap();
    let signatures: Vec<String> = groups
        .rows
        .iter()
        .map(|r| r[0].display().unwrap())
        .collect();
    assert_eq!(page["signatures"], serde_json::json!(signatures));
    assert_eq!(dashboard, true);
    assert_eq!(again["name"], test.as_str());
    assert_eq!(left, true);
    assert_eq!(direct["name"], test.as_str());
    assert_eq!(direct["cells"], page["cells"]);
    assert_eq!(shown["tiles"], 5, "{shown}");
}

/// A test's name in any answer links to its page, which opens in place.
#[tokio::test(flavor = "multi_thread")]
async fn a_test_name_in_an_answer_opens_its_page() {
    let (_server, b, _) = open_demo().await;
    run_sql(
        &b,
        "SELECT test_name, COUNT(*) AS failures FROM test_results WHERE outcome = 'fail' GROUP BY test_name ORDER BY failures DESC, test_name LIMIT 3;",
    )
    .await;
    query_outcome(&b, QUERY).await.unwrap();
    let first = b
        .js("const a = document.querySelector('table.result a.test'); return a && [a.dataset.test, a.getAttribute('href')];")
        .await;
    b.click("table.result a.test").await;
    let page = b.wait_for(TEST_PAGE_JS, QUERY).await;
    // The answer is still there below.
    let rows = table_rows(&b.js(TABLE_JS).await);
    b.quit().await;

    let name = first[0].as_str().unwrap();
    assert!(first[1].as_str().unwrap().contains("test="), "{first}");
    assert_eq!(page["name"], name);
    assert_eq!(rows.len(), 3);
}

/// When the presets cannot be fetched, the list says so and offers to try
/// again, the health tiles say they are not counted; once they can be
/// fetched, Try again brings the presets and the counts.
#[tokio::test(flavor = "multi_thread")]
async fn presets_that_cannot_be_fetched_are_said_and_tried_again() {
    let site = TempDir::new("no-presets");
    copy_dir(&dist(), &site.0);
    std::fs::remove_file(site.0.join("presets.json")).unwrap();
    let server = Server::start(vec![("/", site.0.clone())]).await;
    let b = Browser::start().await;
    b.driver.goto(format!("{}/", server.origin)).await.unwrap();
    let status = b.wait_loaded().await;
    let said = b
        .wait_for(
            "const e = document.querySelector('.sidebar p.error'); return e && e.textContent;",
            QUERY,
        )
        .await;
    let tiles = b
        .wait_for(
            "const t = [...document.querySelectorAll('.health .tile .error')]; return t.length === 5 && t[0].textContent;",
            QUERY,
        )
        .await;
    std::fs::copy(dist().join("presets.json"), site.0.join("presets.json")).unwrap();
    b.click(".sidebar p.error + button").await;
    let presets = b
        .wait_for(
            "return document.querySelectorAll('button.preset').length || null",
            QUERY,
        )
        .await;
    let counted = b.wait_for(HEALTH_JS, QUERY).await;
    b.quit().await;

    assert!(status.starts_with("Loaded"), "{status}");
    let said = said.as_str().unwrap();
    assert!(
        said.starts_with("The presets could not be fetched: "),
        "{said}"
    );
    assert!(said.contains("presets.json"), "{said}");
    assert!(said.contains("404"), "{said}");
    assert_eq!(tiles, "Not counted: the presets could not be fetched.");
    assert!(presets.as_u64() > Some(20), "{presets}");
    assert_eq!(counted["tiles"].as_array().unwrap().len(), 5);
}

/// The page of a test that is not in the data says so, its name shown as
/// written (markup and all), and nothing breaks.
#[tokio::test(flavor = "multi_thread")]
async fn a_test_not_in_the_data_has_a_page_that_says_so() {
    let server = Server::start(vec![("/", dist())]).await;
    let b = Browser::start().await;
    b.driver
        .goto(format!(
            "{}/?test={}",
            server.origin,
            encode("no <such> \"test\" & co")
        ))
        .await
        .unwrap();
    let status = b.wait_loaded().await;
    let page = b
        .wait_for(
            "const p = document.querySelector('.test-page');
             if (!p || p.querySelector('.pending')) return null;
             return { name: p.querySelector('h2 code').textContent,
                      parts: [...p.querySelectorAll('.part')].map(d => d.textContent) };",
            QUERY,
        )
        .await;
    b.quit().await;

    assert!(status.starts_with("Loaded"), "{status}");
    assert_eq!(page["name"], "no <such> \"test\" & co");
    assert_eq!(
        page["parts"],
        serde_json::json!([
            "No result of this test in the data.",
            "no rows to chart",
            "no rows to chart",
            "No failure of this test in the data."
        ])
    );
}

/// A bar that stands for a test (a chart whose x is `test_name`, as the
/// flakiest tests') opens that test's page.
#[tokio::test(flavor = "multi_thread")]
async fn a_bar_of_a_test_opens_its_page() {
    let (_server, b, _) = open_demo().await;
    b.click("button.preset[data-preset='flaky-by-rule']").await;
    query_outcome(&b, QUERY).await.unwrap();
    chart_of(&b, "bar").await;
    let bar = b
        .js("const m = document.querySelector('.result-chart .mark[data-x]'); m.dispatchEvent(new MouseEvent('click', { bubbles: true })); return m.dataset.x;")
        .await;
    let page = b.wait_for(TEST_PAGE_JS, QUERY).await;
    let address = b.driver.current_url().await.unwrap();
    b.quit().await;

    assert_eq!(page["name"], bar);
    assert!(address.as_str().contains("test="), "{address}");
}
