//! What the user's SQL may do to the loaded data. SQLite's authorizer,
//! consulted as each statement is prepared, refuses anything that would
//! change the `main` database or an attached one unless changes are
//! allowed; the `temp` database is always the user's to write. Statements
//! that would write files the page can never reach (`VACUUM INTO`, `ATTACH`
//! of a file) are refused either way, with what to do instead.

use std::sync::{Arc, Mutex};

use rusqlite::Connection;
use rusqlite::hooks::{AuthAction, AuthContext, Authorization};

use super::cursor::leading_blank_len;
use super::query::{self, Output};
use crate::protocol::SqlError;

/// Why a statement was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// It would change the loaded data, and changes are not allowed; the
    /// text says what it would do ("change table test_results").
    #[error(
        "This data is read-only: the statement would {0}. Turn on “Allow changes” (beside Run) to change it."
    )]
    ReadOnly(String),
    /// `VACUUM INTO` a file.
    #[error(
        "VACUUM INTO writes a file inside the browser's memory, which you cannot reach: use “Download this database” instead."
    )]
    VacuumInto,
    /// `ATTACH` of a file (not of `':memory:'` or `''`).
    #[error(
        "ATTACH opens a file by name, and this page has no files: load data with Load other data, or ?db=name:URL in the address to attach it."
    )]
    AttachFile,
}

/// PRAGMAs that take an argument and only read (`PRAGMA table_info(t)`).
const READING_PRAGMAS: &[&str] = &[
    "table_info",
    "table_xinfo",
    "table_list",
    "index_info",
    "index_xinfo",
    "index_list",
    "foreign_key_list",
    "foreign_key_check",
    "integrity_check",
    "quick_check",
];

/// PRAGMAs that write even without an argument.
const WRITING_PRAGMAS: &[&str] = &["optimize", "incremental_vacuum", "wal_checkpoint"];

/// The names under which SQLite's statements write its schema tables.
const SCHEMA_TABLES: &[&str] = &[
    "sqlite_master",
    "sqlite_temp_master",
    "sqlite_schema",
    "sqlite_temp_schema",
];

/// The refusal of one authorizer request, if it is refused.
fn judge(ctx: &AuthContext<'_>, allow_changes: bool) -> Option<Refusal> {
    let db = ctx.database_name.unwrap_or("main");
    let temp = db.eq_ignore_ascii_case("temp");
    let name = |table: &str| {
        if db.eq_ignore_ascii_case("main") || temp {
            table.to_string()
        } else {
            format!("{db}.{table}")
        }
    };
    let what = match ctx.action {
        // Creating, altering or dropping writes the schema table first; the
        // statement's own action is authorized next, and judged there.
        AuthAction::Insert { table_name }
        | AuthAction::Delete { table_name }
        | AuthAction::Update { table_name, .. }
            if SCHEMA_TABLES
                .iter()
                .any(|t| table_name.eq_ignore_ascii_case(t)) =>
        {
            return None;
        }
        AuthAction::Attach { filename } => {
            return (!filename.is_empty() && filename != ":memory:").then_some(Refusal::AttachFile);
        }
        AuthAction::Unknown {
            code: rusqlite::ffi::SQLITE_ATTACH,
            ..
        } => return Some(Refusal::AttachFile),
        AuthAction::Read { .. }
        | AuthAction::Select
        | AuthAction::Function { .. }
        | AuthAction::Transaction { .. }
        | AuthAction::Savepoint { .. }
        | AuthAction::Recursive
        | AuthAction::CreateTempIndex { .. }
        | AuthAction::CreateTempTable { .. }
        | AuthAction::CreateTempTrigger { .. }
        | AuthAction::CreateTempView { .. }
        | AuthAction::DropTempIndex { .. }
        | AuthAction::DropTempTable { .. }
        | AuthAction::DropTempTrigger { .. }
        | AuthAction::DropTempView { .. } => return None,
        _ if allow_changes || temp => return None,
        AuthAction::Pragma {
            pragma_name,
            pragma_value,
        } => {
            let pragma = pragma_name.to_ascii_lowercase();
            let writes = match pragma_value {
                None => WRITING_PRAGMAS.contains(&pragma.as_str()),
                Some(_) => !READING_PRAGMAS.contains(&pragma.as_str()),
            };
            if !writes {
                return None;
            }
            format!("set PRAGMA {pragma_name}")
        }
        AuthAction::Insert { table_name }
        | AuthAction::Delete { table_name }
        | AuthAction::Update { table_name, .. } => format!("change table {}", name(table_name)),
        AuthAction::CreateTable { table_name } | AuthAction::DropTable { table_name }
            if table_name.starts_with("sqlite_stat") =>
        {
            "write statistics (ANALYZE)".to_string()
        }
        AuthAction::CreateTable { table_name } => format!("create table {}", name(table_name)),
        AuthAction::CreateVtable { table_name, .. } => {
            format!("create virtual table {}", name(table_name))
        }
        AuthAction::CreateIndex { index_name, .. } => {
            format!("create index {}", name(index_name))
        }
        AuthAction::CreateView { view_name } => format!("create view {}", name(view_name)),
        AuthAction::CreateTrigger { trigger_name, .. } => {
            format!("create trigger {}", name(trigger_name))
        }
        AuthAction::DropTable { table_name } | AuthAction::DropVtable { table_name, .. } => {
            format!("drop table {}", name(table_name))
        }
        AuthAction::DropIndex { index_name, .. } => format!("drop index {}", name(index_name)),
        AuthAction::DropView { view_name } => format!("drop view {}", name(view_name)),
        AuthAction::DropTrigger { trigger_name, .. } => {
            format!("drop trigger {}", name(trigger_name))
        }
        AuthAction::AlterTable {
            database_name,
            table_name,
        } => {
            if database_name.eq_ignore_ascii_case("temp") {
                return None;
            }
            if database_name.eq_ignore_ascii_case("main") {
                format!("alter table {table_name}")
            } else {
                format!("alter table {database_name}.{table_name}")
            }
        }
        AuthAction::Reindex { index_name } => format!("rebuild index {index_name}"),
        AuthAction::Analyze { .. } => "write statistics (ANALYZE)".to_string(),
        AuthAction::Detach { database_name } => format!("detach database {database_name}"),
        _ => "change the database".to_string(),
    };
    Some(Refusal::ReadOnly(what))
}

/// The refusal of a statement that the authorizer never sees: `VACUUM`
/// (whose `INTO` file is a literal, not an expression SQLite authorizes).
fn judge_text(statement: &str, allow_changes: bool) -> Option<Refusal> {
    let text = &statement[leading_blank_len(statement.as_bytes())..];
    let mut words = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty());
    if !words.next()?.eq_ignore_ascii_case("vacuum") {
        return None;
    }
    let into = text
        .split_whitespace()
        .any(|w| w.eq_ignore_ascii_case("into"));
    if into {
        Some(Refusal::VacuumInto)
    } else if allow_changes {
        None
    } else {
        Some(Refusal::ReadOnly("rebuild the database (VACUUM)".into()))
    }
}

/// Installs the authorizer on `conn`: with `read_only`, statements that
/// would change the `main` or an attached database are refused (the `temp`
/// database stays writable); either way, `ATTACH` of a file is. Returns
/// where the latest refusal is kept. [`release`] removes it.
pub fn read_only(conn: &mut Connection, read_only: bool) -> rusqlite::Result<Refused> {
    let refused = Refused::default();
    let kept = refused.clone();
    conn.authorizer(Some(move |ctx: AuthContext<'_>| {
        match judge(&ctx, !read_only) {
            None => Authorization::Allow,
            Some(why) => {
                if let Ok(mut slot) = kept.0.lock() {
                    // The first refusal is the one SQLite reports.
                    slot.get_or_insert(why);
                }
                Authorization::Deny
            }
        }
    }))?;
    Ok(refused)
}

/// Removes the authorizer [`read_only`] installed.
pub fn release(conn: &mut Connection) -> rusqlite::Result<()> {
    conn.authorizer(None::<fn(AuthContext<'_>) -> Authorization>)
}

/// The refusal the authorizer made, kept for the error message.
#[derive(Debug, Clone, Default)]
pub struct Refused(Arc<Mutex<Option<Refusal>>>);

impl Refused {
    /// Takes the refusal made since the last call, if any.
    pub fn take(&self) -> Option<Refusal> {
        self.0.lock().ok().and_then(|mut slot| slot.take())
    }
}

/// What running the user's SQL did.
#[derive(Debug)]
pub struct Guarded {
    /// The answer, or the error that stopped the SQL (a refusal in words).
    pub result: Result<Output, SqlError>,
    /// Whether the data or a schema changed (rows of any database, a table
    /// created or dropped, temporary ones included): statements before an
    /// error keep their effects, so this may be true after an error too.
    pub changed: bool,
}

/// Runs the user's `sql` with `values` (as [`query::run_with`]) under the
/// authorizer: unless `allow_changes`, the loaded data cannot change.
pub fn run(conn: &mut Connection, sql: &str, values: &[String], allow_changes: bool) -> Guarded {
    let before = fingerprint(conn);
    let result = match read_only(conn, !allow_changes) {
        Ok(refused) => {
            let result = query::run_checked(conn, sql, values, &|text| {
                judge_text(text, allow_changes).map(|r| r.to_string())
            })
            .map_err(|mut e| {
                if let Some(why) = refused.take() {
                    e.message = why.to_string();
                }
                e
            });
            let _ = release(conn);
            result
        }
        Err(e) => Err(SqlError {
            message: format!("cannot guard the data: {e}"),
            offset: None,
            params: Vec::new(),
        }),
    };
    let changed = fingerprint(conn) != before;
    Guarded { result, changed }
}

/// What tells a change: the rows changed since the connection opened, and
/// each database's name and schema version.
fn fingerprint(conn: &Connection) -> (u64, Vec<(String, i64)>) {
    let names: Vec<String> = conn
        .prepare("SELECT name FROM pragma_database_list ORDER BY seq")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .unwrap_or_default();
    // `temp` is listed once opened (a PRAGMA opens it); until written it
    // holds nothing.
    let versions = names
        .into_iter()
        .map(|name| {
            let quoted = crate::export::sql::quote_identifier(&name);
            let version = conn
                .query_row(&format!("PRAGMA {quoted}.schema_version"), [], |r| r.get(0))
                .unwrap_or(-1);
            (name, version)
        })
        .filter(|(name, version)| !(name == "temp" && *version == 0))
        .collect();
    (conn.total_changes(), versions)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Cell;

    fn demo() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE test_results(id INTEGER PRIMARY KEY, outcome TEXT);
             INSERT INTO test_results(outcome) VALUES ('pass'), ('fail'), ('fail');
             CREATE INDEX by_outcome ON test_results(outcome);
             CREATE VIEW fails AS SELECT * FROM test_results WHERE outcome = 'fail';
             ATTACH ':memory:' AS build;
             CREATE TABLE build.builds(id INTEGER PRIMARY KEY, ok INTEGER);
             INSERT INTO build.builds(ok) VALUES (1);",
        )
        .unwrap();
        conn
    }

    /// Everything in the main and attached databases, as text.
    fn contents(conn: &Connection) -> String {
        let out = query::run(
            conn,
            "SELECT (SELECT group_concat(id || outcome) FROM test_results)
                 || '|' || (SELECT group_concat(type || name || sql) FROM main.sqlite_schema)
                 || '|' || (SELECT group_concat(id || ok) FROM build.builds)
                 || '|' || (SELECT group_concat(name || sql) FROM build.sqlite_schema)
                 || '|' || (SELECT user_version FROM pragma_user_version)",
        )
        .unwrap();
        format!("{:?}", out.rows)
    }

    fn refused(conn: &mut Connection, sql: &str) -> String {
        let before = contents(conn);
        let ran = run(conn, sql, &[], false);
        let e = ran.result.expect_err(sql);
        assert_eq!(contents(conn), before, "{sql} changed nothing");
        e.message
    }

    #[test]
    fn every_kind_of_write_is_refused_while_read_only() {
        let mut conn = demo();
        let cases = [
            (
                "DELETE FROM test_results WHERE outcome = 'fail'",
                "change table test_results",
            ),
            (
                "INSERT INTO test_results(outcome) VALUES ('skip')",
                "change table test_results",
            ),
            (
                "UPDATE test_results SET outcome = 'pass'",
                "change table test_results",
            ),
            (
                "UPDATE build.builds SET ok = 0",
                "change table build.builds",
            ),
            ("CREATE TABLE t(x)", "create table t"),
            ("CREATE TABLE build.t(x)", "create table build.t"),
            ("CREATE INDEX i ON test_results(id)", "create index i"),
            ("CREATE VIEW v AS SELECT 1", "create view v"),
            (
                "CREATE TRIGGER tr AFTER INSERT ON test_results BEGIN SELECT 1; END",
                "create trigger tr",
            ),
            (
                "CREATE VIRTUAL TABLE f USING fts5(body)",
                "create virtual table f",
            ),
            ("DROP TABLE test_results", "drop table test_results"),
            ("DROP TABLE build.builds", "drop table build.builds"),
            ("DROP INDEX by_outcome", "drop index by_outcome"),
            ("DROP VIEW fails", "drop view fails"),
            (
                "ALTER TABLE test_results ADD COLUMN x",
                "alter table test_results",
            ),
            (
                "ALTER TABLE test_results RENAME TO r",
                "alter table test_results",
            ),
            ("REINDEX by_outcome", "rebuild index by_outcome"),
            ("ANALYZE", "write statistics"),
            ("VACUUM", "rebuild the database (VACUUM)"),
            ("PRAGMA user_version = 7", "set PRAGMA user_version"),
            (
                "PRAGMA main.application_id = 7",
                "set PRAGMA application_id",
            ),
            ("PRAGMA optimize", "set PRAGMA optimize"),
            ("DETACH build", "detach database build"),
            (
                "REPLACE INTO test_results(id, outcome) VALUES (1, 'x')",
                "change table test_results",
            ),
        ];
        for (sql, what) in cases {
            let message = refused(&mut conn, sql);
            assert!(
                message.starts_with("This data is read-only: the statement would ")
                    && message.contains(what)
                    && message.ends_with("Turn on “Allow changes” (beside Run) to change it."),
                "{sql}: {message}"
            );
        }
        assert_eq!(
            refused(&mut conn, "DELETE FROM test_results WHERE outcome = 'fail'"),
            "This data is read-only: the statement would change table test_results. \
             Turn on “Allow changes” (beside Run) to change it."
        );
    }

    #[test]
    fn reads_transactions_and_reading_pragmas_are_allowed() {
        let mut conn = demo();
        for sql in [
            "SELECT count(*) FROM test_results JOIN build.builds USING (id)",
            "SELECT * FROM fails",
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3) SELECT abs(-i) FROM n",
            "BEGIN; SELECT 1; COMMIT",
            "SAVEPOINT s; SELECT 1; RELEASE s",
            "PRAGMA table_info(test_results)",
            "PRAGMA build.table_info(builds)",
            "PRAGMA index_list('test_results')",
            "PRAGMA user_version",
            "PRAGMA integrity_check",
            "PRAGMA database_list",
            "SELECT * FROM pragma_table_info('test_results')",
            "EXPLAIN QUERY PLAN SELECT * FROM test_results WHERE outcome = 'x'",
        ] {
            let before = fingerprint(&conn);
            let ran = run(&mut conn, sql, &[], false);
            assert!(ran.result.is_ok(), "{sql}: {:?}", ran.result);
            assert!(!ran.changed, "{sql}: {before:?} {:?}", fingerprint(&conn));
        }
    }

    #[test]
    fn the_temp_database_is_always_writable() {
        let mut conn = demo();
        let before = contents(&conn);
        let ran = run(
            &mut conn,
            "CREATE TEMP TABLE mine AS SELECT * FROM test_results WHERE outcome = 'fail';
             INSERT INTO mine(outcome) VALUES ('x');
             UPDATE temp.mine SET outcome = 'y' WHERE outcome = 'x';
             DELETE FROM mine WHERE id = 2;
             CREATE INDEX temp.mine_outcome ON mine(outcome);
             CREATE TEMP VIEW mine_view AS SELECT count(*) AS n FROM mine;
             CREATE TABLE temp.other(x);
             ALTER TABLE temp.other ADD COLUMN y;
             DROP TABLE temp.other;
             SELECT n FROM mine_view;",
            &[],
            false,
        );
        assert_eq!(ran.result.unwrap().rows, [[Cell::Integer(2)]]);
        assert!(ran.changed);
        assert_eq!(contents(&conn), before);
        let ran = run(
            &mut conn,
            "DROP VIEW mine_view; DROP TABLE mine",
            &[],
            false,
        );
        assert!(ran.result.is_ok() && ran.changed, "{:?}", ran.result);
    }

    #[test]
    fn a_refusal_after_an_allowed_statement_keeps_the_data() {
        let mut conn = demo();
        let before = contents(&conn);
        let ran = run(
            &mut conn,
            "CREATE TEMP TABLE kept(x);\nDELETE FROM test_results;",
            &[],
            false,
        );
        let e = ran.result.unwrap_err();
        assert!(e.message.contains("change table test_results"), "{e:?}");
        assert_eq!(e.offset, Some(27));
        assert!(ran.changed, "the temp table is new");
        assert_eq!(contents(&conn), before);
        let listed = query::run(&conn, "SELECT name FROM temp.sqlite_schema").unwrap();
        assert_eq!(listed.rows, [[Cell::Text("kept".into())]]);
    }

    #[test]
    fn with_changes_allowed_writes_happen_and_are_noticed() {
        let mut conn = demo();
        let ran = run(
            &mut conn,
            "DELETE FROM test_results WHERE outcome = 'fail'",
            &[],
            true,
        );
        assert_eq!(ran.result.unwrap().changes, 2);
        assert!(ran.changed);
        let ran = run(&mut conn, "DROP TABLE build.builds", &[], true);
        assert!(ran.result.is_ok() && ran.changed);
        let ran = run(&mut conn, "DELETE FROM test_results WHERE 0", &[], true);
        assert!(ran.result.is_ok() && !ran.changed);
        let ran = run(&mut conn, "VACUUM", &[], true);
        assert!(ran.result.is_ok(), "{:?}", ran.result);
        let ran = run(&mut conn, "PRAGMA user_version = 3", &[], true);
        assert!(ran.result.is_ok(), "{:?}", ran.result);
        // The authorizer is gone once the SQL has run.
        conn.execute_batch("DELETE FROM test_results").unwrap();
    }

    #[test]
    fn files_are_explained_whatever_the_switch() {
        for allow in [false, true] {
            let mut conn = demo();
            let before = contents(&conn);
            for sql in [
                "VACUUM INTO 'copy.db'",
                "  /* c */ vacuum main into 'x.db';",
            ] {
                let e = run(&mut conn, sql, &[], allow).result.unwrap_err();
                assert_eq!(e.message, Refusal::VacuumInto.to_string(), "{sql}");
                assert!(e.message.contains("“Download this database”"));
            }
            for sql in [
                "ATTACH 'other.db' AS other",
                "ATTACH DATABASE 'file:x?mode=memory' AS x",
                "ATTACH 'a' || 'b' AS other",
            ] {
                let e = run(&mut conn, sql, &[], allow).result.unwrap_err();
                assert_eq!(e.message, Refusal::AttachFile.to_string(), "{sql}");
                assert!(e.message.contains("Load other data"));
            }
            assert_eq!(contents(&conn), before);
            let ran = run(&mut conn, "ATTACH ':memory:' AS scratch", &[], allow);
            assert!(ran.result.is_ok() && ran.changed, "{:?}", ran.result);
            let ran = run(&mut conn, "ATTACH '' AS scratch2", &[], allow);
            assert!(ran.result.is_ok(), "{:?}", ran.result);
        }
    }

    #[test]
    fn other_errors_keep_sqlites_words() {
        let mut conn = demo();
        let e = run(&mut conn, "SELECT * FROM nowhere", &[], false)
            .result
            .unwrap_err();
        assert_eq!(e.message, "no such table: nowhere");
        let e = run(&mut conn, "SELECT ?", &[], false).result.unwrap_err();
        assert!(e.message.contains("give a value for ?1"), "{e:?}");
    }
}
