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
