//! Databases that are not SQL text: SQLite database files (recognised by
//! their header, not their name), and several databases side by side under
//! schema names (`ATTACH`), so that cross-database queries such as
//! `build.builds JOIN test.test_runs` run as written.

use rusqlite::{Connection, MAIN_DB};

pub use crate::protocol::valid_schema_name;

/// The first 16 bytes of every SQLite database file.
pub const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// Whether `bytes` start like an SQLite database file.
pub fn is_database_file(bytes: &[u8]) -> bool {
    bytes.starts_with(SQLITE_HEADER)
}

/// Loads the database file `bytes` as `schema` of `conn`: `main`, or a new
/// attached in-memory database of that name. The file is checked.
pub fn load_file(conn: &mut Connection, schema: &str, bytes: &[u8]) -> Result<(), String> {
    if !is_database_file(bytes) {
        return Err("not an SQLite database file (its header is missing)".into());
    }
    if schema != "main" {
        if !valid_schema_name(schema) {
            return Err(format!(
                "\"{schema}\" cannot name a database: use letters, digits and _"
            ));
        }
        conn.execute(&format!("ATTACH ':memory:' AS \"{schema}\""), [])
            .map_err(|e| format!("cannot attach {schema}: {e}"))?;
    }
    let rollback;
    let bytes = if is_wal(bytes) {
        rollback = without_wal(bytes);
        &rollback[..]
    } else {
        bytes
    };
    conn.deserialize_read_exact(schema, bytes, bytes.len(), false)
        .map_err(|e| format!("cannot open the database file: {e}"))?;
    let check: String = conn
        .query_row(&format!("PRAGMA \"{schema}\".quick_check"), [], |r| {
            r.get(0)
        })
        .map_err(|e| format!("the database file is damaged: {e}"))?;
    if check != "ok" {
        return Err(format!("the database file is damaged: {check}"));
    }
    Ok(())
}

/// Offsets of the header's file format versions for writing and for reading:
/// 1 for a rollback journal, 2 for a write-ahead log.
const FORMAT_VERSIONS: [usize; 2] = [18, 19];

/// Whether the database file `bytes` is in WAL mode (as greenboard's own
/// ingest leaves it).
fn is_wal(bytes: &[u8]) -> bool {
    FORMAT_VERSIONS.iter().any(|&i| bytes.get(i) == Some(&2))
}

/// A copy of the WAL-mode database file `bytes` marked as a rollback-journal
/// one: a database in memory has no WAL, and SQLite will not open it
/// otherwise. The pages are the same (a checkpointed WAL database's file
/// holds all its data).
fn without_wal(bytes: &[u8]) -> Vec<u8> {
    let mut copy = bytes.to_vec();
    for i in FORMAT_VERSIONS {
        copy[i] = 1;
    }
    copy
}

/// Attaches the main database of `other` to `conn` as `schema` (a copy).
pub fn attach(conn: &mut Connection, schema: &str, other: &mut Connection) -> Result<(), String> {
    let data = other
        .serialize(MAIN_DB)
        .map_err(|e| format!("cannot copy the {schema} database: {e}"))?;
    load_file(conn, schema, &data)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE builds(id INTEGER PRIMARY KEY, status TEXT); INSERT INTO builds VALUES (1, 'success'), (2, 'failed');")
            .unwrap();
        conn
    }

    #[test]
    fn a_database_file_opens_as_main_or_attached() {
        let mut src = sample();
        let bytes = src.serialize(MAIN_DB).unwrap().to_vec();
        assert!(is_database_file(&bytes));
        let mut main = Connection::open_in_memory().unwrap();
        load_file(&mut main, "main", &bytes).unwrap();
        let n: i64 = main
            .query_row("SELECT count(*) FROM builds", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 2);
        let mut both = Connection::open_in_memory().unwrap();
        attach(&mut both, "build", &mut src).unwrap();
        load_file(&mut both, "other", &bytes).unwrap();
        let n: i64 = both
            .query_row(
                "SELECT count(*) FROM build.builds JOIN other.builds USING (id)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 2);
    }

    #[test]
    fn a_wal_mode_database_file_opens() {
        let dir = std::env::temp_dir().join(format!("greenboard-wal-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("results.db");
        {
            let disk = Connection::open(&path).unwrap();
            let mode: String = disk
                .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
                .unwrap();
            assert_eq!(mode, "wal");
            disk.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1), (2), (3);")
                .unwrap();
        }
        let bytes = std::fs::read(&path).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(is_wal(&bytes));
        let mut conn = Connection::open_in_memory().unwrap();
        load_file(&mut conn, "main", &bytes).unwrap();
        load_file(&mut conn, "other", &bytes).unwrap();
        let n: i64 = conn
            .query_row("SELECT sum(x) FROM t JOIN other.t USING (x)", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(n, 6);
    }

    #[test]
    fn bad_files_and_names_are_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        assert!(load_file(&mut conn, "main", b"CREATE TABLE t(x);").is_err());
        let mut damaged = sample().serialize(MAIN_DB).unwrap().to_vec();
        damaged.truncate(damaged.len() / 2);
        damaged.extend(std::iter::repeat_n(0xA5, 4096));
        assert!(load_file(&mut Connection::open_in_memory().unwrap(), "main", &damaged).is_err());
        assert!(
            !valid_schema_name("main") && !valid_schema_name("1x") && !valid_schema_name("a-b")
        );
        assert!(valid_schema_name("build") && valid_schema_name("_t2"));
    }
}
