//! Data kept in the browser (the Origin Private File System): a revisit
//! asks the address whether the dump changed and, answered 304, opens the
//! kept copy without a byte of the dump; a picked file survives a reload;
//! changes are kept and Reset restores the original without fetching; the
//! Data menu lists what is kept and removes it; with no room to keep
//! anything the data stays in the page's memory and the status says so; a
//! stopped load leaves the address naming the data still there; on a phone
//! the Data menu's list of kept data fits the screen.

use std::time::Duration;

use thirtyfour::prelude::*;

use crate::support::*;

/// The load status's text, once loaded.
async fn reload(b: &Browser) -> String {
    b.driver.refresh().await.unwrap();
    b.wait_loaded().await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_revisit_asks_whether_the_dump_changed_and_opens_the_kept_copy() {
    let (server, b, first) = open_demo().await;
    let first_ms = b
        .js("return document.querySelector('.load-time').textContent")
        .await;
    let revisit = reload(&b).await;
    // Opened, not loaded: no load time to compare with the first.
    let revisit_ms = b.js("return !!document.querySelector('.load-time')").await;
    run_sql(&b, "SELECT count(*) FROM test_results;").await;
    let outcome = query_outcome(&b, QUERY).await;
    let rows = table_rows(&b.js(TABLE_JS).await);
    let served = server.served("demo.sql.gz");
    b.quit().await;

    println!("first visit's load: {first_ms}; revisit: {revisit}");
    assert!(
        first.starts_with("Loaded ") && first.contains("kept in this browser"),
        "{first}"
    );
    assert!(
        revisit.starts_with("Opened /static/demo.sql.gz, kept in this browser on ")
            && revisit.contains(" MB), in ")
            && revisit.ends_with(" ms · unchanged at its address"),
        "{revisit}"
    );
    assert_eq!(revisit_ms, false, "a load time shown for data opened");
    assert!(outcome.is_ok(), "{outcome:?}");
    assert_eq!(
        rows,
        [[sqlite3_cli("SELECT count(*) FROM test_results;")[0][0].clone()]]
    );
    let statuses: Vec<(bool, u16)> = served.iter().map(|s| (s.conditional, s.status)).collect();
    assert_eq!(statuses, [(false, 200), (true, 304)], "{served:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_picked_file_survives_a_reload_until_it_is_removed() {
    let files = TempDir::new("kept-files");
    std::fs::write(
        files.0.join("picked.sql"),
        "CREATE TABLE picked(x); INSERT INTO picked VALUES (1), (2), (3);",
    )
    .unwrap();
    let (_server, b, _) = open_demo().await;
    b.driver
        .find(By::Id("file"))
        .await
        .unwrap()
        .send_keys(files.0.join("picked.sql").to_str().unwrap())
        .await
        .unwrap();
    b.wait_for(
        "const s = document.querySelector('.status.loaded'); return s && s.textContent.includes('picked.sql');",
        QUERY,
    )
    .await;
    let address = b.driver.current_url().await.unwrap().to_string();
    let reloaded = reload(&b).await;
    run_sql(&b, "SELECT sum(x) FROM picked;").await;
    let outcome = query_outcome(&b, QUERY).await;
    let rows = table_rows(&b.js(TABLE_JS).await);
    // The Data menu lists both datasets kept; Remove takes the file away.
    b.click("details.kept summary").await;
    let listed = b
        .wait_for(
            "const l = [...document.querySelectorAll('.kept-list li')].map(li => li.textContent);
             return l.length >= 2 && document.querySelector('.kept-usage').textContent && l;",
            QUERY,
        )
        .await;
    let usage = b
        .js("return document.querySelector('.kept-usage').textContent")
        .await;
    b.click("button.kept-remove[aria-label='Remove picked.sql']")
        .await;
    let after_remove = b
        .wait_for(
            "const l = [...document.querySelectorAll('.kept-list li')].map(li => li.textContent);
             return !l.some(t => t.includes('picked.sql')) && l;",
            QUERY,
        )
        .await;
    let gone = reload(&b).await;
    b.quit().await;

    assert!(address.contains("kept=f"), "{address}");
    assert!(
        reloaded.starts_with("Opened picked.sql, kept in this browser on ")
            && !reloaded.contains("statements"),
        "{reloaded}"
    );
    assert!(outcome.is_ok(), "{outcome:?}");
    assert_eq!(rows, [["6"]]);
    let listed = strings(&listed);
    assert!(
        listed.iter().any(|l| l.contains("picked.sql"))
            && listed.iter().any(|l| l.contains("demo.sql.gz")),
        "{listed:?}"
    );
    assert!(
        usage.as_str().is_some_and(|u| u.contains("used of the")),
        "{usage}"
    );
    assert_eq!(strings(&after_remove).len(), listed.len() - 1);
    let key = address.split("kept=").nth(1).unwrap_or_default();
    assert_eq!(
        gone,
        "The data this address names was kept in this browser and has since been removed: \
         load it again with Load other data, or choose one in the Data menu.",
        "{key}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn changes_are_kept_and_reset_restores_the_original_without_fetching() {
    let (server, b, _) = open_demo().await;
    let count = "SELECT count(*) FROM test_results WHERE outcome = 'fail';";
    let expected = sqlite3_cli(count)[0][0].clone();
    b.click("#allow-changes").await;
    run_sql(&b, "DELETE FROM test_results WHERE outcome = 'fail';").await;
    let deleted = query_outcome(&b, QUERY).await;
    // The change survives a reload at once: the answer comes only once the
    // change is kept.
    reload(&b).await;
    run_sql(&b, count).await;
    query_outcome(&b, QUERY).await.unwrap();
    let after_reload = table_rows(&b.js(TABLE_JS).await);
    // Reset: the original, from the browser's storage.
    b.click("#reset").await;
    b.wait_for(
        "const s = document.querySelector('.status.loaded'); return s && !s.textContent.includes('changed since');",
        QUERY,
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    run_sql(&b, count).await;
    query_outcome(&b, QUERY).await.unwrap();
    let after_reset = table_rows(&b.js(TABLE_JS).await);
    let served = server.served("demo.sql.gz");
    b.quit().await;

    assert!(deleted.is_ok(), "{deleted:?}");
    assert_eq!(after_reload, [["0"]]);
    assert_eq!(after_reset, [[expected]]);
    // The first load, then one revalidation on reload; Reset asked nothing.
    assert_eq!(served.len(), 2, "{served:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn with_no_room_in_the_browser_the_data_stays_in_memory_and_says_so() {
    let server = Server::start(vec![("/", dist())]).await;
    let b = Browser::start().await;
    let devtools = thirtyfour::extensions::cdp::ChromeDevTools::new(b.driver.handle.clone());
    devtools
        .execute_cdp_with_params(
            "Storage.overrideQuotaForOrigin",
            serde_json::json!({ "origin": server.origin, "quotaSize": 0 }),
        )
        .await
        .unwrap();
    b.driver.goto(format!("{}/", server.origin)).await.unwrap();
    let status = b.wait_loaded().await;
    run_sql(&b, "SELECT count(*) FROM test_runs;").await;
    let outcome = query_outcome(&b, QUERY).await;
    b.quit().await;

    assert!(
        status.contains("in this page's memory only") && status.contains("storage"),
        "{status}"
    );
    assert!(outcome.is_ok(), "{outcome:?}");
}

/// Pastes `sql` into "Load other data" and loads it.
async fn load_pasted(b: &Browser, sql: &str) {
    b.driver
        .execute(
            "const t = document.getElementById('pasted');
             t.value = arguments[0]; t.dispatchEvent(new Event('input', { bubbles: true }));
             document.getElementById('load-pasted').click();",
            vec![serde_json::Value::String(sql.into())],
        )
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stopped_load_leaves_the_address_naming_the_kept_data() {
    let (_server, b, _) = open_demo().await;
    load_pasted(&b, "CREATE TABLE first(x); INSERT INTO first VALUES (7);").await;
    b.wait_for(
        "const s = document.querySelector('.status.loaded'); return s && s.textContent.includes('pasted SQL');",
        QUERY,
    )
    .await;
    let kept = b.driver.current_url().await.unwrap().to_string();
    // A load with no end, stopped: the first paste is still loaded, and
    // the address still names it.
    load_pasted(
        &b,
        "CREATE TABLE forever AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT x FROM c;",
    )
    .await;
    b.wait_for(
        "return !!document.querySelector('.status.loading .stop')",
        QUERY,
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    b.js("document.querySelector('.status.loading .stop').click()")
        .await;
    let stopped = b
        .wait_for(
            "const s = document.querySelector('.status.failed'); return s && s.textContent;",
            Duration::from_secs(10),
        )
        .await;
    let after_stop = b.driver.current_url().await.unwrap().to_string();
    let reloaded = reload(&b).await;
    run_sql(&b, "SELECT x FROM first;").await;
    let outcome = query_outcome(&b, QUERY).await;
    let rows = table_rows(&b.js(TABLE_JS).await);
    b.quit().await;

    assert!(kept.contains("kept=f"), "{kept}");
    assert_eq!(after_stop, kept, "the address changed with a stopped load");
    assert_eq!(
        stopped.as_str(),
        Some("Stopped loading pasted SQL. — still loaded: pasted SQL")
    );
    assert!(reloaded.starts_with("Opened pasted SQL"), "{reloaded}");
    assert!(outcome.is_ok(), "{outcome:?}");
    assert_eq!(rows, [["7"]]);
}

#[tokio::test(flavor = "multi_thread")]
async fn on_a_phone_the_list_of_kept_data_fits_the_screen() {
    let (_server, b, _) = open_demo().await;
    b.driver.set_window_rect(0, 0, 390, 844).await.unwrap();
    b.click("details.kept summary").await;
    let placed = b
        .wait_for(
            "const l = document.querySelector('.kept-list li'); if (!l) return null;
             const r = document.querySelector('.kept-panel').getBoundingClientRect();
             return { left: r.left, right: r.right, width: document.documentElement.clientWidth };",
            QUERY,
        )
        .await;
    b.js("document.querySelector('details.kept').scrollIntoView()")
        .await;
    let png = b.driver.screenshot_as_png().await.unwrap();
    std::fs::create_dir_all(root().join("tests/screenshots")).unwrap();
    std::fs::write(root().join("tests/screenshots/kept-phone.png"), png).unwrap();
    b.quit().await;

    let (left, right, width) = (
        placed["left"].as_f64().unwrap_or(-1.0),
        placed["right"].as_f64().unwrap_or(f64::INFINITY),
        placed["width"].as_f64().unwrap_or(0.0),
    );
    assert!(width > 0.0 && width <= 390.0, "{placed}");
    assert!(left >= 0.0 && right <= width, "off the screen: {placed}");
}

/// The status line's text once it says `what`.
async fn wait_status(b: &Browser, what: &str) -> String {
    b.wait_for(
        &format!(
            "const s = document.querySelector('.status.loaded, .status.failed');
             return s && s.textContent.includes({what:?}) && s.textContent;"
        ),
        QUERY,
    )
    .await
    .as_str()
    .unwrap_or_default()
    .to_string()
}

/// Runs `sql` and gives the answer's rows, or the error.
async fn answer(b: &Browser, sql: &str) -> Result<Vec<Vec<String>>, String> {
    run_sql(b, sql).await;
    query_outcome(b, QUERY).await?;
    Ok(table_rows(&b.js(TABLE_JS).await))
}

#[tokio::test(flavor = "multi_thread")]
async fn data_too_large_for_memory_is_read_in_place_through_stop_reload_and_reset() {
    // `?in-place-above=0`: the demo counts as too large for memory.
    let server = Server::start(vec![("/", dist())]).await;
    let b = Browser::start().await;
    b.driver
        .goto(format!("{}/?in-place-above=0", server.origin))
        .await
        .unwrap();
    let first = b.wait_loaded().await;
    let count = "SELECT count(*) FROM test_results WHERE outcome = 'fail';";
    let expected = vec![vec![sqlite3_cli(count)[0][0].clone()]];
    let loaded = answer(&b, count).await;
    // Stopped: a new worker opens the same database in place.
    run_sql(
        &b,
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c;",
    )
    .await;
    b.wait_for(
        "return !!document.querySelector('.query-status.running .stop')",
        QUERY,
    )
    .await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    b.js("document.querySelector('.query-status .stop').click()")
        .await;
    b.wait_for(
        "return !!document.querySelector('.query-status.stopped')",
        QUERY,
    )
    .await;
    let after_stop = answer(&b, count).await;
    // A reload: unchanged at its address, opened in place.
    let revisit = reload(&b).await;
    let after_reload = answer(&b, count).await;
    // A change, allowed, then Reset: no copy as loaded is kept beside a
    // database read in place, so it is fetched again.
    b.click("#allow-changes").await;
    let deleted = answer(&b, "DELETE FROM test_results WHERE outcome = 'fail';").await;
    let after_delete = answer(&b, count).await;
    b.click("#reset").await;
    let reset = wait_status(&b, "Loaded").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let after_reset = answer(&b, count).await;
    let served: Vec<(bool, u16)> = server
        .served("demo.sql.gz")
        .iter()
        .map(|s| (s.conditional, s.status))
        .collect();
    b.quit().await;

    let in_place = "read in place from this browser's storage";
    assert!(
        first.starts_with("Loaded ")
            && first.contains("kept in this browser")
            && first.contains(in_place),
        "{first}"
    );
    assert_eq!(loaded.as_ref(), Ok(&expected));
    assert_eq!(after_stop.as_ref(), Ok(&expected), "after Stop");
    assert!(
        revisit.starts_with("Opened ")
            && revisit.contains("unchanged at its address")
            && revisit.contains(in_place),
        "{revisit}"
    );
    assert_eq!(after_reload.as_ref(), Ok(&expected), "after a reload");
    assert!(deleted.is_ok(), "{deleted:?}");
    assert_eq!(after_delete, Ok(vec![vec!["0".to_string()]]));
    assert!(reset.contains(in_place), "{reset}");
    assert_eq!(after_reset.as_ref(), Ok(&expected), "after Reset");
    // Loaded, revalidated on reload, fetched again by Reset.
    assert_eq!(served, [(false, 200), (true, 304), (false, 200)]);
}

/// The dashboard's headline and bars, once both charts and the headline show.
const DASHBOARD: &str = "const h = document.querySelector('.headline');
  const bars = [...document.querySelectorAll('figure.chart g.bar')].map(g => g.getAttribute('aria-label'));
  return h && bars.length > 0 && { headline: h.textContent, bars };";

#[tokio::test(flavor = "multi_thread")]
async fn the_dashboard_remembered_on_a_revisit_is_the_data_s_and_changes_with_it() {
    let (_server, b, _) = open_demo().await;
    let first = b.wait_for(DASHBOARD, QUERY).await;
    // A revisit opens the kept copy with the dashboard remembered.
    reload(&b).await;
    let revisit = b.wait_for(DASHBOARD, QUERY).await;
    // A change: the dashboard follows it, and a reload does not bring back
    // the remembered one.
    b.click("#allow-changes").await;
    answer(
        &b,
        "DELETE FROM test_runs WHERE branch_name = 'feature/metal-backend';",
    )
    .await
    .unwrap();
    let changed = b
        .wait_for(
            &format!(
                "const h = document.querySelector('.headline');
                 return h && h.textContent !== {} && h.textContent;",
                first["headline"]
            ),
            QUERY,
        )
        .await;
    reload(&b).await;
    let after_reload = b.wait_for(DASHBOARD, QUERY).await;
    b.quit().await;

    assert!(
        first["bars"].as_array().is_some_and(|b| b.len() > 1),
        "{first}"
    );
    assert_eq!(revisit, first);
    assert!(
        changed.as_str().is_some(),
        "the headline did not change: {changed}"
    );
    assert_eq!(after_reload["headline"], changed);
    assert_ne!(after_reload["bars"], first["bars"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_tab_of_data_read_in_place_loads_it_into_memory_and_says_why() {
    let server = Server::start(vec![("/", dist())]).await;
    let b = Browser::start().await;
    let address = format!("{}/?in-place-above=0", server.origin);
    b.driver.goto(&address).await.unwrap();
    let first = b.wait_loaded().await;
    // The same data in a second tab, while the first holds it open.
    let tab = b.driver.new_tab().await.unwrap();
    b.driver.switch_to_window(tab).await.unwrap();
    b.driver.goto(&address).await.unwrap();
    let second = b.wait_loaded().await;
    let count = "SELECT count(*) FROM test_runs;";
    let answered = answer(&b, count).await;
    b.quit().await;

    assert!(first.contains("read in place"), "{first}");
    assert!(
        second.starts_with("Loaded ")
            && second.contains("in this page's memory only")
            && second.contains("open in another tab"),
        "{second}"
    );
    assert_eq!(answered, Ok(vec![vec![sqlite3_cli(count)[0][0].clone()]]));
}
