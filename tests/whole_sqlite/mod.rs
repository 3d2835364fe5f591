//! The SQLite of both targets is the whole of it: the browser's
//! (sqlite-wasm-rs's default build) and the native one (libsqlite3-sys's
//! bundled build, with the flags of `.cargo/config.toml`) answer the same SQL
//! with SQLite's own code. Shared by `tests/core.rs` (native) and
//! `tests/wasm.rs` (in a browser worker).

use rusqlite::Connection;
use rusqlite::hooks::{AuthAction, AuthContext, Authorization};

/// Each feature, as SQL that gives 1 when the feature is there.
const FEATURES: &[(&str, &str)] = &[
    (
        "math functions",
        "SELECT sqrt(16) = 4 AND pow(2, 10) = 1024 AND log2(8) = 3 AND sin(0) = 0
                AND pi() BETWEEN 3.14159 AND 3.1416 AND floor(-1.5) = -2 AND mod(7, 3) = 1",
    ),
    (
        "R*Tree",
        "SELECT group_concat(id) = '1' FROM boxes WHERE x0 <= 5 AND x1 >= 5",
    ),
    (
        "FTS5",
        "SELECT count(*) = 1 FROM notes WHERE notes MATCH 'vsync'",
    ),
    ("JSON", "SELECT json_extract('{\"a\":[1,2]}', '$.a[1]') = 2"),
    ("dbstat", "SELECT count(*) > 0 FROM dbstat"),
    (
        "bytecode()",
        "SELECT count(*) > 0 FROM bytecode('SELECT 1')",
    ),
    ("sqlite_stmt", "SELECT count(*) > 0 FROM sqlite_stmt"),
    ("sqlite_dbpage", "SELECT count(*) > 0 FROM sqlite_dbpage"),
    (
        "sqlite_offset()",
        "SELECT sqlite_offset(x0) > 0 FROM boxes LIMIT 1",
    ),
    (
        "compile options",
        "SELECT count(*) > 0 FROM pragma_compile_options",
    ),
    (
        "introspection pragmas",
        "SELECT count(*) > 0 FROM pragma_function_list WHERE name = 'sqrt'",
    ),
];

/// Checks every feature on a fresh in-memory database.
pub fn every_feature_answers() {
    let mut conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(
        "CREATE VIRTUAL TABLE boxes USING rtree(id, x0, x1, y0, y1);
         INSERT INTO boxes VALUES (1, 0, 10, 0, 10), (2, 20, 30, 20, 30);
         CREATE VIRTUAL TABLE notes USING fts5(msg);
         INSERT INTO notes VALUES ('timeout waiting for vsync'), ('render ok');",
    )
    .unwrap();
    for (feature, sql) in FEATURES {
        let got: rusqlite::Result<i64> = conn.query_row(sql, [], |r| r.get(0));
        assert_eq!(got.as_ref().ok(), Some(&1), "{feature}: {got:?}");
    }
    progress_callback_interrupts(&mut conn);
    authorizer_refuses(&mut conn);
}

/// A progress callback stops a query that would run for ever.
fn progress_callback_interrupts(conn: &mut Connection) {
    conn.progress_handler(1000, Some(|| true)).unwrap();
    let endless = conn.query_row(
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c",
        [],
        |r| r.get::<_, i64>(0),
    );
    conn.progress_handler(0, None::<fn() -> bool>).unwrap();
    let error = endless.expect_err("the query is interrupted");
    assert_eq!(
        error.sqlite_error_code(),
        Some(rusqlite::ErrorCode::OperationInterrupted),
        "{error}"
    );
}

/// An authorizer refuses a write, and SQLite says so.
fn authorizer_refuses(conn: &mut Connection) {
    conn.authorizer(Some(|ctx: AuthContext<'_>| match ctx.action {
        AuthAction::Insert { .. } => Authorization::Deny,
        _ => Authorization::Allow,
    }))
    .unwrap();
    let refused = conn.execute("INSERT INTO boxes VALUES (3, 1, 2, 1, 2)", []);
    conn.authorizer(None::<fn(AuthContext<'_>) -> Authorization>)
        .unwrap();
    let error = refused.expect_err("the insert is refused");
    assert!(error.to_string().contains("not authorized"), "{error}");
    let rows: i64 = conn
        .query_row("SELECT count(*) FROM boxes", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 2);
}
