//! The SQLite-in-WebAssembly path, tested inside headless Chromium in a
//! dedicated worker (where the explorer runs SQLite): loading dumps, queries,
//! export, and the messages that cross to the page.
//!
//! Run by the README's test command with wasm-bindgen-test-runner.

#![cfg(target_family = "wasm")]

use std::io::Read;

use greenboard::db::load::{Loader, OnError, load_str};
use greenboard::db::{detect_schema, query};
use greenboard::export::sql::write_dump;
use greenboard::presets;
use greenboard::protocol::{Cell, QueryAnswer, Response, SchemaKind};
use rusqlite::Connection;
use wasm_bindgen_test::*;

mod whole_sqlite;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

#[wasm_bindgen_test]
fn the_demo_dump_loads_and_every_preset_answers() {
    let gz = include_bytes!("../static/demo.sql.gz");
    let conn = Connection::open_in_memory().unwrap();
    let mut loader = Loader::new(&conn, OnError::Stop).unwrap();
    let mut dec = flate2::read::GzDecoder::new(&gz[..]);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = dec.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        loader.feed(&buf[..n]).unwrap();
    }
    let stats = loader.finish().unwrap();
    assert!(stats.statements > 70_000);
    assert_eq!(detect_schema(&conn), SchemaKind::Greenboard);
    let runs: i64 = conn
        .query_row("SELECT COUNT(*) FROM test_runs", [], |r| r.get(0))
        .unwrap();
    let results: i64 = conn
        .query_row("SELECT COUNT(*) FROM test_results", [], |r| r.get(0))
        .unwrap();
    assert_eq!(results, runs * 300);
    // greenboard's SQL functions, as the worker registers them.
    greenboard::db::prepare(&conn).unwrap();
    for p in presets::for_schema(SchemaKind::Greenboard) {
        let values: Vec<String> = greenboard::db::defaults(&conn, p);
        let out =
            query::run_with(&conn, p.sql, &values).unwrap_or_else(|e| panic!("{}: {e}", p.id));
        assert!(!out.rows.is_empty(), "{}", p.id);
    }
}

#[wasm_bindgen_test]
fn statements_are_split_by_sqlite_and_failures_listed() {
    let conn = Connection::open_in_memory().unwrap();
    let dump = "CREATE TABLE t(a TEXT);\nINSERT INTO t VALUES('x; -- y');;\nINSERT INTO missing VALUES(1);\n\
                CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; SELECT 2; END;\nINSERT INTO t VALUES('z');\n";
    let stats = load_str(&conn, dump, OnError::Continue).unwrap();
    assert_eq!(stats.statements, 4);
    assert_eq!(stats.failed.len(), 1);
    assert_eq!((stats.failed[0].statement, stats.failed[0].line), (3, 3));
    let out = query::run(&conn, "SELECT a FROM t ORDER BY rowid").unwrap();
    assert_eq!(
        out.rows,
        vec![
            vec![Cell::Text("x; -- y".into())],
            vec![Cell::Text("z".into())]
        ]
    );
}

#[wasm_bindgen_test]
fn an_fts5_table_survives_export_and_load() {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(
        "CREATE TABLE r(id INTEGER PRIMARY KEY, msg TEXT);
         CREATE VIRTUAL TABLE r_fts USING fts5(msg, content='r', content_rowid='id');
         CREATE TRIGGER r_ai AFTER INSERT ON r BEGIN INSERT INTO r_fts(rowid, msg) VALUES (new.id, new.msg); END;
         INSERT INTO r(msg) VALUES ('segfault in render'), ('timeout waiting for vsync'), ('render ok');",
    )
    .unwrap();
    let mut text = Vec::new();
    write_dump(&conn, &mut text).unwrap();
    let text = String::from_utf8(text).unwrap();
    assert!(text.contains("PRAGMA writable_schema=ON;"));
    let copy = Connection::open_in_memory().unwrap();
    load_str(&copy, &text, OnError::Stop).unwrap();
    let out = query::run(
        &copy,
        "SELECT rowid FROM r_fts WHERE r_fts MATCH 'render' ORDER BY rowid",
    )
    .unwrap();
    assert_eq!(
        out.rows,
        vec![vec![Cell::Integer(1)], vec![Cell::Integer(3)]]
    );
}

#[wasm_bindgen_test]
fn answers_cross_to_the_page_exactly() {
    let answer = Response::Answer {
        id: 7,
        answer: QueryAnswer {
            columns: vec!["a".into(), "b".into()],
            rows: vec![
                vec![Cell::Integer(i64::MAX), Cell::Integer(i64::MIN)],
                vec![Cell::Real(0.1), Cell::Text("héllo ✓ <b>".into())],
                vec![Cell::Null, Cell::Blob(vec![0, 255])],
            ],
            total_rows: 3,
            changes: 0,
            elapsed_ms: 1.25,
            params: vec!["?1".into(), ":name".into()],
        },
    };
    let js = greenboard::wire::encode(&answer).unwrap();
    let back: Response = greenboard::wire::decode(js).unwrap();
    assert_eq!(back, answer);
}

#[wasm_bindgen_test]
fn the_browsers_sqlite_is_the_whole_sqlite() {
    whole_sqlite::every_feature_answers();
}
