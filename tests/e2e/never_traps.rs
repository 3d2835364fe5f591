//! Nothing traps the user: Stop (the button and Esc) ends any runaway query
//! or load within a second and the data stays loaded; a query waiting
//! behind a running one says so; a query that never answered is not run
//! again by a reload; a crash is put in words and SQLite restarts with the
//! same data, downloading nothing; a time limit stops a query and offers to
//! run it without; a query from the address that would change the data is
//! not run by itself, even with “Allow changes” on; Back stops the running
//! query; after Stop the focus is on Run; a query shown running stops even
//! if SQLite had not begun it yet.

use std::time::{Duration, Instant};

use thirtyfour::prelude::*;

use crate::support::*;

/// The SQL of a query with no end.
const ENDLESS: &str =
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c;";

/// The runaways Stop must end: a recursive CTE, a huge sort, a cross join.
const RUNAWAYS: &[(&str, &str)] = &[
    ("recursive CTE", ENDLESS),
    (
        "huge sort",
        "SELECT x FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c LIMIT 100000000) SELECT x FROM c) ORDER BY random() LIMIT 1;",
    ),
    (
        "cross join",
        "SELECT count(*) FROM test_results a, test_results b, test_results c;",
    ),
];

/// The demo's count of results, as the `sqlite3` shell gives it.
fn result_count() -> String {
    sqlite3_cli("SELECT count(*) FROM test_results;")[0][0].clone()
}

/// Waits until the main query runs (not waits), then a little more.
async fn wait_running(b: &Browser) {
    let running = b
        .wait_for(
            "return !!document.querySelector('.query-status.running .stop')",
            QUERY,
        )
        .await;
    assert_eq!(running, true, "the query never showed as running with Stop");
    tokio::time::sleep(Duration::from_millis(400)).await;
}

/// Presses Esc with the focus on the page (not in the editor).
async fn press_esc_on_the_page(b: &Browser) {
    b.js("document.activeElement && document.activeElement.blur()")
        .await;
    b.driver
        .find(By::Tag("body"))
        .await
        .unwrap()
        .send_keys(Key::Escape)
        .await
        .unwrap();
}

/// Clicks Stop in the query's status and gives the milliseconds from the
/// click to the status saying it stopped.
async fn stop_and_time(b: &Browser) -> f64 {
    b.js("window.stopClicked = performance.now();
         document.querySelector('.query-status .stop').click();")
        .await;
    b.wait_for(
        "const s = document.querySelector('.query-status.stopped');
         return s && performance.now() - window.stopClicked;",
        Duration::from_secs(10),
    )
    .await
    .as_f64()
    .unwrap_or(f64::INFINITY)
}

#[tokio::test(flavor = "multi_thread")]
async fn stop_ends_each_runaway_and_the_data_stays_loaded() {
    let (server, b, status) = open_demo().await;
    let expected = result_count();
    let mut timings = Vec::new();
    for (kind, sql) in RUNAWAYS {
        run_sql(&b, sql).await;
        wait_running(&b).await;
        let stopped_ms = stop_and_time(&b).await;
        let stopped_text = b
            .js("return document.querySelector('.query-status').textContent")
            .await;
        // The next query answers from the same data, loaded again from
        // the browser's storage, not downloaded.
        let asked = Instant::now();
        run_sql(&b, "SELECT count(*) FROM test_results;").await;
        let outcome = query_outcome(&b, QUERY).await;
        let answered_ms = asked.elapsed().as_millis();
        let rows = table_rows(&b.js(TABLE_JS).await);
        println!(
            "{kind}: Stop → stopped in {stopped_ms:.0} ms; the next query answered {answered_ms} ms after Run"
        );
        timings.push((kind, stopped_ms, stopped_text, outcome, rows));
    }
    // A load statement with no end, pasted: Stop ends the load, the demo stays.
    b.driver
        .execute(
            "const t = document.getElementById('pasted');
             t.value = arguments[0]; t.dispatchEvent(new Event('input', { bubbles: true }));
             document.getElementById('load-pasted').click();",
            vec![serde_json::Value::String(
                "CREATE TABLE forever AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT x FROM c;".into(),
            )],
        )
        .await
        .unwrap();
    let loading = b
        .wait_for(
            "return !!document.querySelector('.status.loading .stop')",
            QUERY,
        )
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let load_stopped_ms = b
        .js("const t = performance.now(); document.querySelector('.status.loading .stop').click(); return t;")
        .await
        .as_f64()
        .unwrap();
    let load_stopped = b
        .wait_for(
            "const s = document.querySelector('.status.failed');
             return s && { text: s.textContent, ms: performance.now() - arguments[0] };",
            Duration::from_secs(10),
        )
        .await;
    let _ = load_stopped_ms;
    run_sql(&b, "SELECT count(*) FROM test_results;").await;
    let after_load = (
        query_outcome(&b, QUERY).await,
        table_rows(&b.js(TABLE_JS).await),
    );
    let downloads = server.served("demo.sql.gz");
    b.quit().await;

    assert!(status.contains("Loaded"), "{status}");
    for (kind, stopped_ms, text, outcome, rows) in timings {
        assert!(
            stopped_ms < 1000.0,
            "{kind}: stopped {stopped_ms} ms after the click"
        );
        assert!(
            text.as_str()
                .unwrap_or_default()
                .contains("The data is still loaded"),
            "{kind}: {text}"
        );
        assert!(outcome.is_ok(), "{kind}: {outcome:?}");
        assert_eq!(rows, [[expected.clone()]], "{kind}");
    }
    assert_eq!(loading, true, "the endless load never showed Stop");
    assert!(
        load_stopped["text"]
            .as_str()
            .is_some_and(|t| t.starts_with("Stopped loading pasted SQL. — still loaded: ")),
        "{load_stopped}"
    );
    assert!(after_load.0.is_ok(), "{after_load:?}");
    assert_eq!(after_load.1, [[expected]]);
    assert_eq!(
        downloads.len(),
        1,
        "the demo was fetched again: {downloads:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_query_waiting_behind_a_runaway_says_so_and_runs_after_esc() {
    let (_server, b, _) = open_demo().await;
    run_sql(&b, ENDLESS).await;
    wait_running(&b).await;
    run_sql(&b, "SELECT 6 * 7 AS answer;").await;
    let waiting = b
        .wait_for(
            "const s = document.querySelector('.query-status.waiting');
             return s && s.textContent;",
            QUERY,
        )
        .await;
    // Esc, from the page (not in the editor).
    press_esc_on_the_page(&b).await;
    let outcome = query_outcome(&b, QUERY).await;
    let rows = table_rows(&b.js(TABLE_JS).await);
    b.quit().await;

    let waiting = waiting.as_str().unwrap_or_default().to_string();
    assert!(
        waiting.starts_with("Waiting for the running query to end (Stop ends it): "),
        "{waiting}"
    );
    assert!(waiting.contains("SELECT 6 * 7 AS answer;"), "{waiting}");
    assert!(!waiting.contains("RECURSIVE"), "{waiting}");
    assert!(outcome.is_ok(), "{outcome:?}");
    assert_eq!(rows, [["42"]]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stopped_query_is_not_run_again_on_reload_but_a_shared_link_runs() {
    let (server, b, _) = open_demo().await;
    run_sql(&b, ENDLESS).await;
    wait_running(&b).await;
    let stopped_ms = stop_and_time(&b).await;
    let address = b.driver.current_url().await.unwrap().to_string();
    b.driver.refresh().await.unwrap();
    let reloaded = b.wait_loaded().await;
    // Nothing runs by itself; the query is there to run by hand.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after_reload = b
        .js("const s = document.querySelector('.query-status'); return s && s.className + ': ' + s.textContent;")
        .await;
    let editor = b.js("return document.getElementById('sql').value").await;
    // The same link opened in a new tab (a shared link) runs, with Stop.
    let tab = b.driver.new_tab().await.unwrap();
    b.driver.switch_to_window(tab).await.unwrap();
    b.driver.goto(&address).await.unwrap();
    let shared = b
        .wait_for(
            "return !!document.querySelector('.query-status.running .stop')",
            Duration::from_secs(60),
        )
        .await;
    let shared_stopped_ms = stop_and_time(&b).await;
    b.quit().await;
    drop(server);

    assert!(stopped_ms < 1000.0, "{stopped_ms}");
    assert!(reloaded.starts_with("Opened"), "{reloaded}");
    let after_reload = after_reload.as_str().unwrap_or_default();
    assert!(
        after_reload.contains("not-rerun")
            && after_reload.contains("did not answer when it last ran here")
            && after_reload.contains("was not run again"),
        "{after_reload}"
    );
    assert_eq!(editor.as_str(), Some(ENDLESS));
    assert_eq!(shared, true, "the shared link's query did not run");
    assert!(shared_stopped_ms < 1000.0, "{shared_stopped_ms}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_crash_is_put_in_words_and_sqlite_restarts_with_the_same_data() {
    let (server, b, _) = open_demo().await;
    let expected = result_count();
    run_sql(&b, "SELECT randomblob(1e9);").await;
    let crashed = b
        .wait_for(
            "const s = document.querySelector('.query-status.crashed');
             if (!s) return null; window.crashSeen = performance.now(); return s.textContent;",
            Duration::from_secs(120),
        )
        .await;
    let header = b
        .js("return document.querySelector('header').textContent")
        .await;
    run_sql(&b, "SELECT count(*) FROM test_results;").await;
    let outcome = query_outcome(&b, QUERY).await;
    let recovered_ms = b.js("return performance.now() - window.crashSeen").await;
    let rows = table_rows(&b.js(TABLE_JS).await);
    let menu = b
        .js("const s = document.querySelector('.dataset select'); return s && s.selectedOptions[0].textContent")
        .await;
    let downloads = server.served("demo.sql.gz");
    b.quit().await;

    println!("crash seen → the next answer: {recovered_ms} ms");
    let crashed = crashed.as_str().unwrap_or_default();
    assert!(
        crashed.contains("more memory than the browser gives this page")
            && crashed.contains("restarted with the same data"),
        "{crashed}"
    );
    let header = header.as_str().unwrap_or_default();
    assert!(
        !header.contains("unreachable") && !header.contains("worker_loader"),
        "{header}"
    );
    assert!(outcome.is_ok(), "{outcome:?}");
    assert_eq!(rows, [[expected]]);
    assert!(
        recovered_ms.as_f64().unwrap_or(f64::INFINITY) < 2000.0,
        "{recovered_ms}"
    );
    assert_ne!(menu.as_str(), Some("Other (from the address)"), "{menu}");
    assert_eq!(downloads.len(), 1, "{downloads:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_time_limit_stops_a_query_and_offers_to_run_it_without() {
    let (_server, b, _) = open_demo().await;
    let set_limit = "const s = document.getElementById('time-limit'); s.value = arguments[0];
                     s.dispatchEvent(new Event('change', { bubbles: true }));";
    b.driver
        .execute(set_limit, vec![serde_json::json!("1000")])
        .await
        .unwrap();
    let sql = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c LIMIT 30000000) SELECT count(*) FROM c;";
    run_sql(&b, sql).await;
    let timed_out = b
        .wait_for(
            "const s = document.querySelector('.query-status.timed-out'); return s && s.textContent;",
            QUERY,
        )
        .await;
    b.click(".query-status.timed-out button").await;
    let without = query_outcome(&b, Duration::from_secs(120)).await;
    let rows = table_rows(&b.js(TABLE_JS).await);
    // The limit is kept across reloads.
    b.driver.refresh().await.unwrap();
    b.wait_loaded().await;
    let kept = b
        .js("return document.getElementById('time-limit').value")
        .await;
    b.quit().await;

    let timed_out = timed_out.as_str().unwrap_or_default();
    assert!(
        timed_out.contains("time limit of 1 s.") && timed_out.contains("Run without a limit"),
        "{timed_out}"
    );
    assert!(without.is_ok(), "{without:?}");
    assert_eq!(rows, [["30000000"]]);
    assert_eq!(kept.as_str(), Some("1000"));
}

/// The query status's class and text, once it says the address's query was
/// not run by itself.
async fn not_rerun(b: &Browser) -> String {
    b.wait_for(
        "const s = document.querySelector('.query-status.not-rerun'); return s && s.textContent;",
        QUERY,
    )
    .await
    .as_str()
    .unwrap_or("no not-run status")
    .to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_in_the_address_is_not_run_by_itself_on_reload_or_in_a_new_tab() {
    let (_server, b, _) = open_demo().await;
    b.click("#allow-changes").await;
    run_sql(&b, "CREATE TABLE notes(x);").await;
    query_outcome(&b, QUERY).await.unwrap();
    run_sql(&b, "INSERT INTO notes VALUES (1);").await;
    let inserted = query_outcome(&b, QUERY).await;
    let address = b.driver.current_url().await.unwrap().to_string();
    // A reload opens the data as it was left (the row in it), with changes
    // still allowed; the INSERT in the address is not run again.
    b.driver.refresh().await.unwrap();
    b.wait_loaded().await;
    let reloaded = not_rerun(&b).await;
    let allowed = b
        .js("return document.getElementById('allow-changes').checked")
        .await;
    let editor = b.js("return document.getElementById('sql').value").await;
    run_sql(&b, "SELECT count(*) FROM notes;").await;
    let after_reload = (
        query_outcome(&b, QUERY).await,
        table_rows(&b.js(TABLE_JS).await),
    );
    // The same link opened in a new tab (shared, say): not run either.
    let tab = b.driver.new_tab().await.unwrap();
    b.driver.switch_to_window(tab).await.unwrap();
    b.driver.goto(&address).await.unwrap();
    b.wait_loaded().await;
    let shared = not_rerun(&b).await;
    let shared_allowed = b
        .js("return document.getElementById('allow-changes').checked")
        .await;
    run_sql(&b, "SELECT count(*) FROM notes;").await;
    let after_shared = (
        query_outcome(&b, QUERY).await,
        table_rows(&b.js(TABLE_JS).await),
    );
    b.quit().await;

    assert!(address.contains("sql=INSERT"), "{address}");
    assert!(after_reload.0.is_ok(), "{after_reload:?}");
    assert_eq!(after_reload.1, [["1"]], "the INSERT ran again on reload");
    assert!(after_shared.0.is_ok(), "{after_shared:?}");
    assert_eq!(after_shared.1, [["1"]], "the INSERT ran in a new tab");
    for (status, allowed) in [(&reloaded, &allowed), (&shared, &shared_allowed)] {
        assert_eq!(
            status,
            "This query from the address would change the data, so it was not run by itself. \
             Press Run to run it."
        );
        assert_eq!(allowed.as_bool(), Some(true), "Allow changes was on");
    }
    assert_eq!(editor.as_str(), Some("INSERT INTO notes VALUES (1);"));
    assert!(
        inserted
            .as_ref()
            .is_ok_and(|t| t.starts_with("1 row changed")),
        "{inserted:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn back_while_a_query_runs_stops_it_and_runs_the_query_before() {
    let (_server, b, _) = open_demo().await;
    run_sql(&b, "SELECT 6 * 7 AS answer;").await;
    query_outcome(&b, QUERY).await.unwrap();
    run_sql(&b, ENDLESS).await;
    wait_running(&b).await;
    b.driver.back().await.unwrap();
    // Answered at once, not waiting behind the endless query.
    let outcome = query_outcome(&b, Duration::from_secs(10)).await;
    let rows = table_rows(&b.js(TABLE_JS).await);
    let editor = b.js("return document.getElementById('sql').value").await;
    // And forward again: the endless query runs, with Stop.
    b.driver.forward().await.unwrap();
    wait_running(&b).await;
    let stopped_ms = stop_and_time(&b).await;
    b.quit().await;

    assert!(outcome.is_ok(), "{outcome:?}");
    assert_eq!(rows, [["42"]]);
    assert_eq!(editor.as_str(), Some("SELECT 6 * 7 AS answer;"));
    assert!(stopped_ms < 1000.0, "{stopped_ms}");
}

#[tokio::test(flavor = "multi_thread")]
async fn after_stop_the_focus_is_on_run() {
    let (_server, b, _) = open_demo().await;
    let focused_once_stopped = "const s = document.querySelector('.query-status.stopped');
         const a = document.activeElement;
         return s && a && a.id === 'run' && a.id;";
    // The Stop button, clicked.
    run_sql(&b, ENDLESS).await;
    wait_running(&b).await;
    b.click(".query-status.running .stop").await;
    let after_click = b
        .wait_for(focused_once_stopped, Duration::from_secs(5))
        .await;
    let clicked_focus = b
        .js("return document.activeElement && (document.activeElement.id || document.activeElement.tagName)")
        .await;
    // Esc, pressed with the focus on the page.
    run_sql(&b, ENDLESS).await;
    wait_running(&b).await;
    press_esc_on_the_page(&b).await;
    let after_esc = b
        .wait_for(focused_once_stopped, Duration::from_secs(5))
        .await;
    let esc_focus = b
        .js("return document.activeElement && (document.activeElement.id || document.activeElement.tagName)")
        .await;
    b.quit().await;

    assert_eq!(
        after_click.as_str(),
        Some("run"),
        "after Stop: {clicked_focus}"
    );
    assert_eq!(after_esc.as_str(), Some("run"), "after Esc: {esc_focus}");
}

/// Regression: a query run just after a Stop, while the new SQLite worker
/// still started, showed as running; stopping it sent it again to the
/// worker, where it ran on with no end.
#[tokio::test(flavor = "multi_thread")]
async fn a_query_shown_running_stops_even_before_sqlite_began_it() {
    let (_server, b, _) = open_demo().await;
    run_sql(&b, ENDLESS).await;
    wait_running(&b).await;
    // Stop, and at once run it again and stop that, before the new worker
    // is ready for it.
    let shown = b
        .driver
        .execute(
            "document.querySelector('.query-status.running .stop').click();
             const e = document.getElementById('sql'); e.value = arguments[0];
             e.dispatchEvent(new Event('input', { bubbles: true }));
             document.getElementById('run').click();
             const s = document.querySelector('.query-status');
             const shown = s && s.className;
             document.querySelector('.query-status .stop').click();
             return shown;",
            vec![serde_json::Value::String(ENDLESS.to_string())],
        )
        .await
        .unwrap()
        .json()
        .clone();
    let stopped = b
        .wait_for(
            "return !!document.querySelector('.query-status.stopped')",
            Duration::from_secs(5),
        )
        .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let later = b
        .js("const s = document.querySelector('.query-status'); return s && s.className;")
        .await;
    run_sql(&b, "SELECT count(*) FROM test_results;").await;
    let outcome = query_outcome(&b, QUERY).await;
    let rows = table_rows(&b.js(TABLE_JS).await);
    b.quit().await;

    assert!(
        shown.as_str().unwrap_or_default().contains("running"),
        "{shown}"
    );
    assert_eq!(stopped, true, "the second query never showed as stopped");
    assert!(
        later.as_str().unwrap_or_default().contains("stopped"),
        "2 s after Stop: {later}"
    );
    assert!(outcome.is_ok(), "{outcome:?}");
    assert_eq!(rows, [[result_count()]]);
}
