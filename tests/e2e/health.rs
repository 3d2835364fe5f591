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
