//! Running user SQL and collecting its answer.

use rusqlite::Connection;

use super::cursor::{Cursor, Next, SqlBuf, leading_blank_len};
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
    /// The parameters the statements took, by name (`?1` for a nameless one).
    pub params: Vec<String>,
}

/// Runs every statement of `sql` in order and returns the rows of the last
/// one that returns columns (a SELECT, or a PRAGMA with output). The first
/// error stops the run; statements before it keep their effects.
pub fn run(conn: &Connection, sql: &str) -> Result<Output, SqlError> {
    run_with(conn, sql, &[])
}

/// Like [`run`], with values for the statements' parameters: value `i`
/// (0-based) is bound, as text, to parameter `i + 1` of every statement that
/// has one (SQLite applies the column's affinity when comparing, so `5`
/// matches an integer column). A statement that takes more parameters than
/// there are values fails with an error that names the missing ones, and the
/// answer names them all ([`Output::params`]) so that a form can ask for them.
pub fn run_with(conn: &Connection, sql: &str, values: &[String]) -> Result<Output, SqlError> {
    run_checked(conn, sql, values, &|_| None)
}

/// Like [`run_with`], and each statement's text is shown to `check` before
/// it runs: a message from it stops the run there, as an error at the
/// statement.
pub fn run_checked(
    conn: &Connection,
    sql: &str,
    values: &[String],
    check: &dyn Fn(&str) -> Option<String>,
) -> Result<Output, SqlError> {
    let buf = SqlBuf::new(sql);
    let mut cursor = Cursor::new(conn, buf.with_nul());
    let mut out = Output::default();
    loop {
        match cursor.next_statement() {
            Next::End => return Ok(out),
            // SQLite's own errors keep SQLite's offset; a statement the
            // authorizer refused ("not authorized", with none) is pointed
            // at, so that the refusal names its place in a longer SQL.
            Next::Error(e, range) if e.message.starts_with("not authorized") => {
                return Err(at(e, range.start, sql));
            }
            Next::Error(e, _) => return Err(e),
            Next::Statement(mut stmt, range) => {
                if let Some(message) = check(&sql[range.clone()]) {
                    let error = SqlError {
                        message,
                        offset: None,
                        params: Vec::new(),
                    };
                    return Err(at(error, range.start, sql));
                }
                let wanted = stmt.parameter_count();
                for i in 1..=wanted {
                    let name = stmt.parameter_name(i);
                    if out.params.len() < i {
                        out.params.push(name);
                    }
                }
                if wanted > values.len() {
                    let missing = out.params[values.len()..wanted].join(", ");
                    return Err(SqlError {
                        message: format!(
                            "this SQL takes {wanted} parameter{}; give a value for {missing}",
                            if wanted == 1 { "" } else { "s" }
                        ),
                        offset: Some(
                            range.start + leading_blank_len(&sql.as_bytes()[range.start..]),
                        ),
                        params: out.params,
                    });
                }
                for (i, value) in values.iter().take(wanted).enumerate() {
                    stmt.bind_text(i + 1, value)?;
                }
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
    fn parameters_are_bound_and_missing_ones_named() {
        let conn = Connection::open_in_memory().unwrap();
        run(
            &conn,
            "CREATE TABLE t(k TEXT, n INTEGER); INSERT INTO t VALUES('a', 1), ('b', 2);",
        )
        .unwrap();
        let sql = "SELECT k FROM t WHERE n = ? OR k = :key ORDER BY k;";
        let out = run_with(&conn, sql, &["2".into(), "a".into()]).unwrap();
        assert_eq!(
            out.rows,
            vec![vec![Cell::Text("a".into())], vec![Cell::Text("b".into())]]
        );
        assert_eq!(out.params, vec!["?1", ":key"]);
        let e = run_with(&conn, sql, &["2".into()]).unwrap_err();
        assert_eq!(
            e.message,
            "this SQL takes 2 parameters; give a value for :key"
        );
        assert_eq!(e.params, vec!["?1", ":key"]);
        let e = run(&conn, "\n  SELECT ?").unwrap_err();
        assert_eq!(e.message, "this SQL takes 1 parameter; give a value for ?1");
        assert_eq!(e.offset, Some(3));
        // Extra values are left unused; SQL without parameters ignores them.
        assert_eq!(
            run_with(&conn, "SELECT 1", &["x".into()]).unwrap().params,
            Vec::<String>::new()
        );
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
