//! Running user SQL and collecting its answer.

use rusqlite::Connection;

use super::cursor::{Cursor, Next, SqlBuf};
use crate::protocol::{Cell, SqlError};

/// The answer to some SQL: the rows of the last statement that has columns.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Output {
    /// Column names.
    pub columns: Vec<String>,
    /// Every row.
    pub rows: Vec<Vec<Cell>>,
    /// Rows changed by the statements that changed any.
    pub changes: u64,
    /// Statements run.
    pub statements: usize,
}

/// Runs every statement of `sql` in order and returns the rows of the last
/// one that returns columns (a SELECT, or a PRAGMA with output). The first
/// error stops the run; statements before it keep their effects.
pub fn run(conn: &Connection, sql: &str) -> Result<Output, SqlError> {
    let buf = SqlBuf::new(sql);
    let mut cursor = Cursor::new(conn, buf.with_nul());
    let mut out = Output::default();
    loop {
        match cursor.next_statement() {
            Next::End => return Ok(out),
            Next::Error(e, _) => return Err(e),
            Next::Statement(mut stmt, range) => {
                let n = stmt.column_count();
                let before = conn.total_changes();
                let mut rows = Vec::new();
                while stmt.step().map_err(|e| at(e, range.start, sql))? {
                    rows.push((0..n).map(|i| stmt.cell(i)).collect());
                }
                if !stmt.is_readonly() {
                    out.changes += conn.total_changes().saturating_sub(before);
                }
                out.statements += 1;
                if n > 0 {
                    out.columns = (0..n).map(|i| stmt.column_name(i)).collect();
                    out.rows = rows;
                }
            }
        }
    }
}

/// A run-time error has no offset from SQLite; point at the statement's first token.
fn at(mut e: SqlError, start: usize, sql: &str) -> SqlError {
    if e.offset.is_none() {
        let skipped = sql[start..].len() - sql[start..].trim_start().len();
        e.offset = Some(start + skipped);
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn returns_the_last_result_and_counts_changes() {
        let conn = Connection::open_in_memory().unwrap();
        let out = run(
            &conn,
            "CREATE TABLE t(a, b); INSERT INTO t VALUES(1, NULL), (2.5, ''), (x'00ff', 'é');\
             SELECT a, b AS bee FROM t ORDER BY rowid;",
        )
        .unwrap();
        assert_eq!(out.columns, vec!["a", "bee"]);
        assert_eq!(
            out.rows,
            vec![
                vec![Cell::Integer(1), Cell::Null],
                vec![Cell::Real(2.5), Cell::Text(String::new())],
                vec![Cell::Blob(vec![0, 255]), Cell::Text("é".into())],
            ]
        );
        assert_eq!(out.changes, 3);
        assert_eq!(out.statements, 3);
    }

    #[test]
    fn errors_are_sqlites_words_with_a_place() {
        let conn = Connection::open_in_memory().unwrap();
        let e = run(&conn, "SELECT 1;\nSELEC 2").unwrap_err();
        assert_eq!(e.message, "near \"SELEC\": syntax error");
        assert_eq!(e.offset, Some(10));
        let e = run(&conn, "SELECT abs(-9223372036854775807 - 1)").unwrap_err();
        assert_eq!(e.message, "integer overflow");
        assert_eq!(e.offset, Some(0));
    }

    #[test]
    fn extreme_integers_are_exact() {
        let conn = Connection::open_in_memory().unwrap();
        let out = run(&conn, "SELECT 9223372036854775807, -9223372036854775808").unwrap();
        assert_eq!(
            out.rows[0],
            vec![Cell::Integer(i64::MAX), Cell::Integer(i64::MIN)]
        );
    }
}
