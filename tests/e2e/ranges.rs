//! A database file named in the address (`?db=URL.db`), read by HTTP
//! `Range` requests as queries need it: the same answers as the dump, a
//! part of the file fetched, and the status line saying how it is read and
//! what it cost; downloaded whole from a server that ignores `Range`, and
//! when the file is small; opened from the pages kept in the browser when
//! its address cannot be reached.

use std::path::PathBuf;
use std::time::Duration;

use greenboard::db::load::{OnError, load_str};

use crate::support::*;

/// The demo in the form made for reading over HTTP, in a directory of its
/// own: `demo.db`.
fn web_form() -> TempDir {
    let dir = TempDir::new("web-form");
    let src = rusqlite::Connection::open_in_memory().unwrap();
    load_str(&src, &demo_sql(), OnError::Stop).unwrap();
    greenboard::export::web_db::write(&src, &dir.0.join("demo.db"), None).unwrap();
    dir
}

/// A small database file (the inventory fixture), in `dir`.
fn small_db(dir: &std::path::Path) -> PathBuf {
    let path = dir.join("small.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    let sql = std::fs::read_to_string(root().join("tests/fixtures/inventory.sql")).unwrap();
    load_str(&conn, &sql, OnError::Continue).unwrap();
    path
}

/// The dashboard's charts as drawn: each chart's bars.
const BARS_JS: &str = "const charts = [...document.querySelectorAll('figure.chart')];
  if (charts.length < 2 || !document.querySelector('.headline')) return null;
  return { headline: document.querySelector('.headline').textContent,
           bars: charts.map(f => [...f.querySelectorAll('g.bar')].map(g => g.getAttribute('aria-label'))) };";

/// The load status as it reads once `what` is in it.
async fn status_with(b: &Browser, what: &str) -> String {
    b.wait_for(
        &format!(
            "const s = document.querySelector('.status'); return s && s.textContent.includes({what:?}) && s.textContent;"
        ),
        Duration::from_secs(20),
    )
    .await
    .as_str()
    .unwrap_or("not said within 20 s")
    .to_string()
}

/// Waits until the page has asked all it asks of `/data/demo.db` (the
/// health tiles come after the charts); the count of its requests.
async fn quiet(server: &Server) -> usize {
    let mut seen = usize::MAX;
    loop {
        tokio::time::sleep(Duration::from_millis(2000)).await;
        let now = server.served("/data/demo.db").len();
        if now == seen {
            return now;
        }
        seen = now;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_database_file_is_read_by_ranges_and_answers_as_the_dump() {
    let data = web_form();
    let size = std::fs::metadata(data.0.join("demo.db")).unwrap().len() as usize;
    let server = Server::start_ranges(vec![("/data/", data.0.clone()), ("/", dist())], true).await;
    let b = Browser::start().await;
    b.driver
        .goto(format!("{}/?db=data/demo.db", server.origin))
        .await
        .unwrap();
    let status = b.wait_loaded().await;
    let dashboard = b.wait_for(BARS_JS, Duration::from_secs(30)).await;
    let after_dashboard: usize = server.served("/data/demo.db").iter().map(|s| s.bytes).sum();
    let presets: Vec<_> = greenboard::presets::GREENBOARD.iter().collect();
    let on_db = click_each(&b, &presets).await;
    let told = status_with(&b, "requests").await;
    let served = server.served("/data/demo.db");
    b.js("window.scrollTo(0, 0)").await;
    let png = b.driver.screenshot_as_png().await.unwrap();
    std::fs::write(root().join("tests/screenshots/ranges.png"), png).unwrap();
    // The same questions of the dump.
    b.driver.goto(format!("{}/", server.origin)).await.unwrap();
    b.wait_loaded().await;
    let dump_dashboard = b.wait_for(BARS_JS, Duration::from_secs(30)).await;
    let on_dump = click_each(&b, &presets).await;
    b.quit().await;

    assert!(status.starts_with("Opened /data/demo.db in "), "{status}");
    assert!(
        status.contains("read over HTTP as queries need it"),
        "{status}"
    );
    assert!(
        status.contains("kept in this browser for the next visit"),
        "{status}"
    );
    assert_eq!(dashboard, dump_dashboard);
    for ((id, db, rows_db), (_, dump, rows_dump)) in on_db.iter().zip(&on_dump) {
        assert!(db.is_ok(), "{id}: {db:?}");
        assert_eq!(rows_db, rows_dump, "{id}");
        assert!(dump.is_ok(), "{id}: {dump:?}");
    }
    // Every request for the file was a range, answered as one.
    assert!(
        served.iter().all(|s| s.status == 206 && s.range.is_some()),
        "{served:?}"
    );
    let fetched: usize = served.iter().map(|s| s.bytes).sum();
    eprintln!(
        "{size} bytes: the dashboard fetched {after_dashboard} bytes; every preset, {fetched} bytes in {} requests",
        served.len()
    );
    assert!(
        after_dashboard * 2 < size,
        "the dashboard fetched {after_dashboard} of {size} bytes"
    );
    // The status line says what was fetched, as the server counted it.
    let kb = |n: usize| format!("{} KB", n.div_ceil(1024));
    let said = format!("fetched in {} requests", served.len());
    assert!(told.contains(&said), "{told} / {said}");
    assert!(
        told.contains(" MB of ") || told.contains(&kb(fetched)) || told.contains(" KB of "),
        "{told}"
    );
}

/// A revisit of an unchanged file reads the pages the first visit kept in
/// the browser: the server sees the revalidation alone (its first bytes,
/// whose ETag says it is the same file), and the dashboard is the same.
#[tokio::test(flavor = "multi_thread")]
async fn a_revisit_reads_the_pages_kept_in_the_browser_and_fetches_only_the_revalidation() {
    let data = web_form();
    let server = Server::start_ranges(vec![("/data/", data.0.clone()), ("/", dist())], true).await;
    let b = Browser::start().await;
    // A budget that stops none of the dashboard's queries: each visit asks
    // the same of the file (a query stopped for its budget reads further on
    // a revisit, from the pages kept, and fetches on).
    let url = format!("{}/?db=data/demo.db&read-budget=1000000000", server.origin);
    b.driver.goto(&url).await.unwrap();
    let first_status = b.wait_loaded().await;
    let first = b.wait_for(BARS_JS, Duration::from_secs(30)).await;
    let quiet = || quiet(&server);
    quiet().await;
    let first_told = status_with(&b, "requests").await;
    let first_served = server.served("/data/demo.db");
    // Again, in the same browser: a reload, then a new visit to the address.
    let mut visits = Vec::new();
    for _ in 0..2 {
        let before = server.served("/data/demo.db").len();
        b.driver.goto(&url).await.unwrap();
        b.wait_loaded().await;
        let dashboard = b.wait_for(BARS_JS, Duration::from_secs(30)).await;
        quiet().await;
        let told = status_with(&b, "read from the pages kept").await;
        let served = server.served("/data/demo.db")[before..].to_vec();
        visits.push((dashboard, told, served));
    }
    b.js("window.scrollTo(0, 0)").await;
    let png = b.driver.screenshot_as_png().await.unwrap();
    std::fs::write(root().join("tests/screenshots/ranges-kept.png"), png).unwrap();
    // The Data menu's list of what is kept names the pages, and removes them.
    b.click("details.kept > summary").await;
    const PAGES_JS: &str = "const li = [...document.querySelectorAll('.kept-list li')].find(l => l.textContent.startsWith('Pages of files read over HTTP'));
      return li ? li.textContent : (document.querySelector('.kept-usage') ? 'none' : null);";
    let listed = b.wait_for(PAGES_JS, Duration::from_secs(20)).await;
    let png = b.driver.screenshot_as_png().await.unwrap();
    std::fs::write(root().join("tests/screenshots/ranges-kept-list.png"), png).unwrap();
    b.click("button[aria-label='Remove the pages of files read over HTTP']")
        .await;
    let after = b
        .wait_for(
            &format!("const t = (() => {{ {PAGES_JS} }})(); return t === 'none' && t;"),
            Duration::from_secs(20),
        )
        .await;
    let before = server.served("/data/demo.db").len();
    b.driver.goto(&url).await.unwrap();
    b.wait_loaded().await;
    b.wait_for(BARS_JS, Duration::from_secs(30)).await;
    let forgotten = server.served("/data/demo.db")[before..].to_vec();
    b.quit().await;

    let listed = listed.as_str().unwrap_or_default();
    assert!(
        listed.starts_with("Pages of files read over HTTP ") && listed.contains(" MB"),
        "{listed}"
    );
    assert_eq!(after, "none");
    // Removed: the next visit fetches the pages again.
    assert!(forgotten.len() > 1, "{forgotten:?}");

    assert!(
        first_status.contains("kept in this browser for the next visit"),
        "{first_status}"
    );
    assert!(first_served.len() > 1, "{first_served:?}");
    for (dashboard, told, served) in visits {
        assert_eq!(dashboard, first, "{told}");
        // The first bytes alone, as the status line says.
        assert_eq!(served.len(), 1, "{served:?}; first visit: {first_told}");
        assert_eq!((served[0].status, served[0].bytes), (206, 100));
        assert!(told.contains("100 B of "), "{told}");
        assert!(told.contains("fetched in 1 request;"), "{told}");
        assert!(
            told.contains("read from the pages kept in this browser"),
            "{told}"
        );
    }
}

/// A later visit that cannot reach the file's address (offline, or its
/// host down) opens it from the pages kept in the browser, and says so: the
/// dashboard is the same; a query that needs pages not kept fails naming
/// the network, and answers once the address does again.
#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_address_opens_from_the_pages_kept() {
    let data = web_form();
    let server = Server::start_ranges(vec![("/data/", data.0.clone()), ("/", dist())], true).await;
    let b = Browser::start().await;
    let url = format!("{}/?db=data/demo.db&read-budget=1000000000", server.origin);
    b.driver.goto(&url).await.unwrap();
    b.wait_loaded().await;
    let first = b.wait_for(BARS_JS, Duration::from_secs(30)).await;
    quiet(&server).await;
    server.cut_off(Some("/data/"));
    b.driver.goto(&url).await.unwrap();
    let status = status_with(&b, "could not be reached").await;
    let dashboard = b.wait_for(BARS_JS, Duration::from_secs(30)).await;
    let why = b
        .js("const s = document.querySelector('.remote-note'); return s && s.title;")
        .await;
    b.js("window.scrollTo(0, 0)").await;
    let png = b.driver.screenshot_as_png().await.unwrap();
    std::fs::write(root().join("tests/screenshots/ranges-unreachable.png"), png).unwrap();
    let scan = "SELECT COUNT(*), SUM(length(error_message)) FROM test_results;";
    run_sql(&b, scan).await;
    let cut = query_outcome(&b, QUERY).await;
    server.cut_off(None);
    run_sql(&b, scan).await;
    let answered = query_outcome(&b, QUERY).await;
    let rows = table_rows(&b.js(TABLE_JS).await);
    b.quit().await;

    assert!(status.starts_with("Opened /data/demo.db in "), "{status}");
    assert!(
        status.contains(
            "its address could not be reached, so it is read from the pages kept in this browser alone"
        ),
        "{status}"
    );
    assert!(
        why.as_str()
            .is_some_and(|w| w.contains("could not reach it")),
        "{why}"
    );
    assert_eq!(dashboard, first, "{status}");
    let cut = cut.expect_err("a scan of pages not kept, cut off");
    assert!(
        cut.contains("cannot read the database over the network"),
        "{cut}"
    );
    assert!(answered.is_ok(), "{answered:?}");
    let native = rusqlite::Connection::open(data.0.join("demo.db")).unwrap();
    assert_eq!(rows, native_rows(&native, scan));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_without_ranges_or_a_small_file_is_downloaded_whole() {
    let data = web_form();
    small_db(&data.0);
    let size = std::fs::metadata(data.0.join("demo.db")).unwrap().len() as usize;
    let server = Server::start_ranges(vec![("/data/", data.0.clone()), ("/", dist())], false).await;
    let b = Browser::start().await;
    b.driver
        .goto(format!("{}/?db=data/demo.db", server.origin))
        .await
        .unwrap();
    let whole = b.wait_loaded().await;
    let dashboard = b.wait_for(BARS_JS, Duration::from_secs(30)).await;
    let served = server.served("/data/demo.db");
    drop(server);
    // A server that answers ranges, a file of a few KB.
    let server = Server::start_ranges(vec![("/data/", data.0.clone()), ("/", dist())], true).await;
    b.driver
        .goto(format!(
            "{}/?db=data/small.db&sql=SELECT%20name%20FROM%20items%20ORDER%20BY%20id",
            server.origin
        ))
        .await
        .unwrap();
    let small = b.wait_loaded().await;
    let outcome = query_outcome(&b, QUERY).await;
    let table = table_rows(&b.js(TABLE_JS).await);
    let small_served = server.served("/data/small.db");
    // Named as a database, it is neither one nor a dump.
    std::fs::write(
        data.0.join("bad.db"),
        [0xc6u8, 0x01, 0xff, 0xfe].repeat(1000),
    )
    .unwrap();
    b.driver
        .goto(format!("{}/?db=data/bad.db", server.origin))
        .await
        .unwrap();
    let bad = b.wait_loaded().await;
    b.quit().await;

    assert!(whole.starts_with("Loaded"), "{whole}");
    assert!(
        whole.contains("downloaded whole: the server does not answer Range requests"),
        "{whole}"
    );
    assert!(!dashboard.is_null());
    // One request, the file whole: the answer to the first range asked.
    assert_eq!(served.len(), 1, "{served:?}");
    assert_eq!((served[0].status, served[0].bytes), (200, size));
    assert!(
        small.contains("downloaded whole: it is under 4 MB"),
        "{small}"
    );
    assert!(outcome.is_ok(), "{outcome:?}");
    assert_eq!(table, [["bolt; M6"], ["nut"]]);
    // The first bytes, then the file.
    assert_eq!(small_served.len(), 2, "{small_served:?}");
    assert_eq!(small_served[0].status, 206);
    assert_eq!(small_served[1].status, 200);
    assert!(
        bad.starts_with("Could not load /data/bad.db: it is named as an SQLite database but does not begin as one, nor is it an SQL dump"),
        "{bad}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_query_that_would_fetch_more_than_the_budget_stops_and_asks() {
    let data = web_form();
    let server = Server::start_ranges(vec![("/data/", data.0.clone()), ("/", dist())], true).await;
    let b = Browser::start().await;
    const SCAN: &str = "SELECT COUNT(*), SUM(length(error_message)) FROM test_results";
    b.driver
        .goto(format!(
            "{}/?db=data/demo.db&read-budget=1000000&sql={}",
            server.origin,
            encode(SCAN)
        ))
        .await
        .unwrap();
    b.wait_loaded().await;
    let stopped = query_outcome(&b, QUERY).await;
    let before: usize = server.served("/data/demo.db").iter().map(|s| s.bytes).sum();
    b.js("window.scrollTo(0, 0)").await;
    let png = b.driver.screenshot_as_png().await.unwrap();
    std::fs::write(root().join("tests/screenshots/ranges-budget.png"), png).unwrap();
    b.click(".query-status.over-budget button").await;
    let read_on = b
        .wait_for(
            "const s = document.querySelector('.query-status.done'); return s && s.textContent;",
            QUERY,
        )
        .await;
    let table = table_rows(&b.js(TABLE_JS).await);
    b.quit().await;

    let stopped = stopped.unwrap_err();
    assert!(
        stopped.starts_with(
            "Stopped: reading on would fetch more than 977 KB of the database over the network"
        ),
        "{stopped}"
    );
    assert!(stopped.contains("Read on"), "{stopped}");
    assert!(read_on.is_string(), "{read_on}");
    let src = rusqlite::Connection::open_in_memory().unwrap();
    load_str(&src, &demo_sql(), OnError::Stop).unwrap();
    assert_eq!(table, native_rows(&src, SCAN));
    // The data's bytes fetched up to the stop: the dashboard's and at most the budget.
    let size = std::fs::metadata(data.0.join("demo.db")).unwrap().len() as usize;
    assert!(before < size / 2, "{before} of {size}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_file_changed_on_the_server_is_said_and_opened_again() {
    let data = web_form();
    // The same history without one branch's runs, in the same form.
    let changed = TempDir::new("web-form-changed");
    let src = rusqlite::Connection::open_in_memory().unwrap();
    load_str(&src, &demo_sql(), OnError::Stop).unwrap();
    src.execute_batch(
        "PRAGMA foreign_keys = ON; DELETE FROM test_runs WHERE branch_name = 'feature/metal-backend';",
    )
    .unwrap();
    greenboard::export::web_db::write(&src, &changed.0.join("demo.db"), None).unwrap();
    const SCAN: &str = "SELECT COUNT(*), SUM(length(error_message)) FROM test_results";
    let expected = native_rows(&src, SCAN);

    let server = Server::start_ranges(vec![("/data/", data.0.clone()), ("/", dist())], true).await;
    let b = Browser::start().await;
    b.driver
        .goto(format!("{}/?db=data/demo.db", server.origin))
        .await
        .unwrap();
    b.wait_loaded().await;
    b.wait_for(BARS_JS, Duration::from_secs(30)).await;
    // Another file where the first was, as a new deployment puts it.
    std::thread::sleep(Duration::from_millis(20));
    std::fs::copy(changed.0.join("demo.db"), data.0.join("demo.db")).unwrap();
    run_sql(&b, SCAN).await;
    let said = query_outcome(&b, QUERY).await;
    // Opened again: the query answers from the new file.
    let mut answered = Vec::new();
    for _ in 0..20 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        run_sql(&b, SCAN).await;
        if query_outcome(&b, QUERY).await.is_ok() {
            answered = table_rows(&b.js(TABLE_JS).await);
            if answered == expected {
                break;
            }
        }
    }
    let status = b.wait_loaded().await;
    b.quit().await;

    let said = said.unwrap_err();
    assert!(
        said.contains("the file changed on the server since it was opened (it was \""),
        "{said}"
    );
    assert!(said.contains("it is opened again as it is now"), "{said}");
    assert_eq!(answered, expected);
    assert!(
        status.contains("read over HTTP as queries need it"),
        "{status}"
    );
}
