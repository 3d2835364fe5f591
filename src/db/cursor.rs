//! Statement-by-statement execution of SQL text, split by SQLite's own parser.
//!
//! SQLite's `prepare` reads one statement and reports where the next begins
//! (the tail). The text handed to it always ends in a NUL byte that is counted
//! in its length: SQLite then parses in place instead of copying the rest of
//! the text for every statement, which would make a large dump quadratic.

use std::ffi::{CStr, c_char, c_int};
use std::ops::Range;
use std::ptr;

use rusqlite::{Connection, ffi};

use crate::protocol::{Cell, SqlError};

/// SQL text that ends in a NUL byte, as [`Cursor`] needs it.
#[derive(Debug, Clone, Default)]
pub struct SqlBuf {
    bytes: Vec<u8>,
}

impl SqlBuf {
    /// Copies `sql` and terminates it.
    pub fn new(sql: &str) -> Self {
        let mut bytes = Vec::with_capacity(sql.len() + 1);
        bytes.extend_from_slice(sql.as_bytes());
        bytes.push(0);
        SqlBuf { bytes }
    }

    /// The text with its terminating NUL.
    pub fn with_nul(&self) -> &[u8] {
        &self.bytes
    }
}

/// Whether `text` ends with a complete SQL statement (SQLite's
/// `sqlite3_complete`: a `;` that is not inside a string, comment or trigger
/// body). `text` must end in a NUL byte.
pub fn is_complete(text_with_nul: &[u8]) -> bool {
    assert_eq!(text_with_nul.last(), Some(&0), "SQL text must end in NUL");
    // SAFETY: the buffer is NUL-terminated and lives for the call.
    unsafe { ffi::sqlite3_complete(text_with_nul.as_ptr().cast::<c_char>()) != 0 }
}

/// Walks the statements of a NUL-terminated text, preparing each in turn
/// only when asked, so each statement sees the effects of the previous ones.
pub struct Cursor<'c, 't> {
    conn: &'c Connection,
    text: &'t [u8],
    pos: usize,
}

/// The outcome of asking a [`Cursor`] for the next statement.
pub enum Next<'c> {
    /// A statement, and where its text lies (leading blanks and comments
    /// before it included).
    Statement(Statement<'c>, Range<usize>),
    /// SQLite could not prepare the statement in this range; the cursor has
    /// moved past it (to the next `;` that completes a statement).
    Error(SqlError, Range<usize>),
    /// The text is used up.
    End,
}

impl<'c, 't> Cursor<'c, 't> {
    /// A cursor at the start of `text_with_nul`, which must end in NUL.
    pub fn new(conn: &'c Connection, text_with_nul: &'t [u8]) -> Self {
        assert_eq!(text_with_nul.last(), Some(&0), "SQL text must end in NUL");
        Cursor {
            conn,
            text: text_with_nul,
            pos: 0,
        }
    }

    /// Byte offset of the next statement's text.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Moves to `pos`, the end of a statement that was run another way.
    pub fn skip_to(&mut self, pos: usize) {
        assert!(pos < self.text.len(), "inside the text");
        self.pos = pos;
    }

    /// Prepares the next statement.
    pub fn next_statement(&mut self) -> Next<'c> {
        loop {
            let remaining = &self.text[self.pos..];
            if remaining.len() <= 1 {
                return Next::End;
            }
            let start = self.pos;
            let mut stmt: *mut ffi::sqlite3_stmt = ptr::null_mut();
            let mut tail: *const c_char = ptr::null();
            let len = c_int::try_from(remaining.len()).unwrap_or(c_int::MAX);
            // SAFETY: `remaining` is valid for `len` bytes and its last byte is
            // NUL; SQLite writes the statement handle and the tail pointer.
            let rc = unsafe {
                ffi::sqlite3_prepare_v2(
                    self.db(),
                    remaining.as_ptr().cast::<c_char>(),
                    len,
                    &mut stmt,
                    &mut tail,
                )
            };
            if rc != ffi::SQLITE_OK {
                let error = self.last_error(start);
                let end = statement_end(self.text, start);
                self.pos = end;
                return Next::Error(error, start..end);
            }
            let consumed = if tail.is_null() {
                remaining.len() - 1
            } else {
                // SAFETY: SQLite's tail points into `remaining`.
                (unsafe { tail.offset_from(remaining.as_ptr().cast::<c_char>()) }) as usize
            };
            self.pos = start + consumed.max(1).min(remaining.len() - 1);
            if stmt.is_null() {
                // Only blanks or comments.
                continue;
            }
            return Next::Statement(
                Statement {
                    conn: self.conn,
                    stmt,
                },
                start..self.pos,
            );
        }
    }

    fn db(&self) -> *mut ffi::sqlite3 {
        // SAFETY: the handle stays valid while the connection is borrowed.
        unsafe { self.conn.handle() }
    }

    fn last_error(&self, base: usize) -> SqlError {
        error_of(self.db(), Some(base))
    }
}

/// SQLite's current error on `db`; its offset, if any, is moved by `base`.
fn error_of(db: *mut ffi::sqlite3, base: Option<usize>) -> SqlError {
    // SAFETY: `db` is a valid handle; the message is copied at once.
    let message = unsafe { CStr::from_ptr(ffi::sqlite3_errmsg(db)) }
        .to_string_lossy()
        .into_owned();
    // SAFETY: as above.
    let offset = unsafe { ffi::sqlite3_error_offset(db) };
    SqlError {
        message,
        offset: match (base, usize::try_from(offset)) {
            (Some(base), Ok(off)) => Some(base + off),
            _ => None,
        },
        params: Vec::new(),
    }
}

/// Where the statement that starts at `start` ends: just past the first `;`
/// at which the text from its first token is a complete statement, or the end.
pub fn statement_end(text_with_nul: &[u8], start: usize) -> usize {
    let body = &text_with_nul[..text_with_nul.len() - 1];
    let start = start + leading_blank_len(&body[start..]);
    let mut scratch = Vec::new();
    let mut from = start;
    while let Some(i) = body[from..].iter().position(|&b| b == b';') {
        let semi = from + i;
        scratch.clear();
        scratch.extend_from_slice(&body[start..=semi]);
        scratch.push(0);
        if is_complete(&scratch) {
            return semi + 1;
        }
        from = semi + 1;
    }
    body.len()
}

/// Length of the blanks, comments and empty statements (`;`) before a
/// statement's first token.
pub fn leading_blank_len(text: &[u8]) -> usize {
    let mut i = 0;
    loop {
        while i < text.len() && (text[i].is_ascii_whitespace() || text[i] == b';') {
            i += 1;
        }
        if text[i..].starts_with(b"--") {
            while i < text.len() && text[i] != b'\n' {
                i += 1;
            }
        } else if text[i..].starts_with(b"/*") {
            match text[i + 2..].windows(2).position(|w| w == b"*/") {
                Some(p) => i += 2 + p + 2,
                None => return text.len(),
            }
        } else {
            return i;
        }
    }
}

/// A prepared statement, finalized when dropped.
pub struct Statement<'c> {
    conn: &'c Connection,
    stmt: *mut ffi::sqlite3_stmt,
}

impl<'c> Statement<'c> {
    /// Prepares the single statement `sql`.
    pub fn prepare(conn: &'c Connection, sql: &str) -> Result<Self, SqlError> {
        let buf = SqlBuf::new(sql);
        let mut stmt: *mut ffi::sqlite3_stmt = ptr::null_mut();
        // SAFETY: the buffer is NUL-terminated and lives for the call; SQLite
        // writes the statement handle.
        let rc = unsafe {
            ffi::sqlite3_prepare_v2(
                conn.handle(),
                buf.with_nul().as_ptr().cast::<c_char>(),
                -1,
                &mut stmt,
                ptr::null_mut(),
            )
        };
        if rc != ffi::SQLITE_OK || stmt.is_null() {
            // SAFETY: a valid handle.
            return Err(error_of(unsafe { conn.handle() }, None));
        }
        Ok(Statement { conn, stmt })
    }
}

impl Statement<'_> {
    /// Binds NULL to parameter `i` (1-based); false if there is no such parameter.
    pub fn bind_null(&mut self, i: usize) -> bool {
        // SAFETY: live statement.
        unsafe { ffi::sqlite3_bind_null(self.stmt, i as c_int) == ffi::SQLITE_OK }
    }

    /// Binds an integer to parameter `i` (1-based); false if there is no such parameter.
    pub fn bind_int(&mut self, i: usize, value: i64) -> bool {
        // SAFETY: live statement.
        unsafe { ffi::sqlite3_bind_int64(self.stmt, i as c_int, value) == ffi::SQLITE_OK }
    }

    /// Binds a float to parameter `i` (1-based); false if there is no such parameter.
    pub fn bind_real(&mut self, i: usize, value: f64) -> bool {
        // SAFETY: live statement.
        unsafe { ffi::sqlite3_bind_double(self.stmt, i as c_int, value) == ffi::SQLITE_OK }
    }

    /// Binds bytes to parameter `i` (1-based), as text or as a blob; false
    /// if there is no such parameter or the value is too long.
    pub fn bind_bytes(&mut self, i: usize, value: &[u8], text: bool) -> bool {
        let Ok(len) = c_int::try_from(value.len()) else {
            return false;
        };
        let p = value.as_ptr();
        // SAFETY: live statement; SQLITE_TRANSIENT makes SQLite copy the
        // bytes, which are valid for `len` bytes during the call.
        let rc = unsafe {
            if text {
                ffi::sqlite3_bind_text(
                    self.stmt,
                    i as c_int,
                    p.cast(),
                    len,
                    ffi::SQLITE_TRANSIENT(),
                )
            } else {
                ffi::sqlite3_bind_blob(
                    self.stmt,
                    i as c_int,
                    p.cast(),
                    len,
                    ffi::SQLITE_TRANSIENT(),
                )
            }
        };
        rc == ffi::SQLITE_OK
    }

    /// Runs a statement that returns no rows, then resets it for another
    /// run; false if it failed (its changes are then undone, and SQLite's
    /// error is left for a run of the same text to report).
    pub fn run_and_reset(&mut self) -> bool {
        // SAFETY: live statement.
        unsafe {
            let done = ffi::sqlite3_step(self.stmt) == ffi::SQLITE_DONE;
            ffi::sqlite3_reset(self.stmt) == ffi::SQLITE_OK && done
        }
    }

    /// SQLite's latest error message on this statement's connection.
    pub fn error_message(&self) -> String {
        // SAFETY: a valid handle.
        error_of(unsafe { self.conn.handle() }, None).message
    }

    /// Runs the statement one step: `Ok(true)` when a row is ready.
    pub fn step(&mut self) -> Result<bool, SqlError> {
        // SAFETY: `stmt` is a live statement of this connection.
        match unsafe { ffi::sqlite3_step(self.stmt) } {
            ffi::SQLITE_ROW => Ok(true),
            ffi::SQLITE_DONE => Ok(false),
            _ => Err(error_of(unsafe { self.conn.handle() }, None)),
        }
    }

    /// Runs the statement to its end, discarding rows.
    pub fn run(&mut self) -> Result<(), SqlError> {
        while self.step()? {}
        Ok(())
    }

    /// Number of result columns (0 for statements that return no rows).
    pub fn column_count(&self) -> usize {
        // SAFETY: live statement.
        unsafe { ffi::sqlite3_column_count(self.stmt) as usize }
    }

    /// The name of result column `i`.
    pub fn column_name(&self, i: usize) -> String {
        // SAFETY: live statement, `i` < column_count; the name is copied.
        unsafe {
            let p = ffi::sqlite3_column_name(self.stmt, i as c_int);
            if p.is_null() {
                String::new()
            } else {
                CStr::from_ptr(p).to_string_lossy().into_owned()
            }
        }
    }

    /// The value of column `i` of the current row.
    pub fn cell(&self, i: usize) -> Cell {
        let i = i as c_int;
        // SAFETY: live statement positioned on a row; pointers returned by
        // SQLite are valid for the byte counts it reports until the next step,
        // and the data is copied before returning.
        unsafe {
            match ffi::sqlite3_column_type(self.stmt, i) {
                ffi::SQLITE_INTEGER => Cell::Integer(ffi::sqlite3_column_int64(self.stmt, i)),
                ffi::SQLITE_FLOAT => Cell::Real(ffi::sqlite3_column_double(self.stmt, i)),
                ffi::SQLITE_TEXT => {
                    let p = ffi::sqlite3_column_text(self.stmt, i);
                    let n = ffi::sqlite3_column_bytes(self.stmt, i) as usize;
                    let bytes = if p.is_null() {
                        &[][..]
                    } else {
                        std::slice::from_raw_parts(p, n)
                    };
                    Cell::Text(String::from_utf8_lossy(bytes).into_owned())
                }
                ffi::SQLITE_BLOB => {
                    let p = ffi::sqlite3_column_blob(self.stmt, i).cast::<u8>();
                    let n = ffi::sqlite3_column_bytes(self.stmt, i) as usize;
                    if p.is_null() {
                        Cell::Blob(Vec::new())
                    } else {
                        Cell::Blob(std::slice::from_raw_parts(p, n).to_vec())
                    }
                }
                _ => Cell::Null,
            }
        }
    }

    /// How many parameters (`?`, `?NNN`, `:name`, `@name`, `$name`) the
    /// statement takes: the largest parameter index.
    pub fn parameter_count(&self) -> usize {
        // SAFETY: live statement.
        unsafe { ffi::sqlite3_bind_parameter_count(self.stmt) as usize }
    }

    /// The name of parameter `i` (1-based) as written (`:name`), or `?i`
    /// for a nameless `?`.
    pub fn parameter_name(&self, i: usize) -> String {
        // SAFETY: live statement; the name is copied.
        unsafe {
            let p = ffi::sqlite3_bind_parameter_name(self.stmt, i as c_int);
            if p.is_null() {
                format!("?{i}")
            } else {
                CStr::from_ptr(p).to_string_lossy().into_owned()
            }
        }
    }

    /// Binds `value` as text to parameter `i` (1-based).
    pub fn bind_text(&mut self, i: usize, value: &str) -> Result<(), SqlError> {
        let len = c_int::try_from(value.len()).map_err(|_| SqlError {
            message: "parameter value too long".into(),
            offset: None,
            params: Vec::new(),
        })?;
        // SAFETY: live statement; SQLITE_TRANSIENT makes SQLite copy the text.
        let rc = unsafe {
            ffi::sqlite3_bind_text(
                self.stmt,
                i as c_int,
                value.as_ptr().cast::<c_char>(),
                len,
                ffi::SQLITE_TRANSIENT(),
            )
        };
        if rc == ffi::SQLITE_OK {
            Ok(())
        } else {
            Err(error_of(unsafe { self.conn.handle() }, None))
        }
    }

    /// Whether the statement leaves the database unchanged (SELECT, most PRAGMAs).
    pub fn is_readonly(&self) -> bool {
        // SAFETY: live statement.
        unsafe { ffi::sqlite3_stmt_readonly(self.stmt) != 0 }
    }
}

impl Drop for Statement<'_> {
    fn drop(&mut self) {
        // SAFETY: finalizing a live statement exactly once.
        unsafe {
            ffi::sqlite3_finalize(self.stmt);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statements(sql: &str) -> Vec<String> {
        let conn = Connection::open_in_memory().unwrap();
        let buf = SqlBuf::new(sql);
        let mut cursor = Cursor::new(&conn, buf.with_nul());
        let mut out = Vec::new();
        loop {
            match cursor.next_statement() {
                Next::Statement(mut s, range) => {
                    s.run().unwrap();
                    out.push(sql[range].trim().to_string());
                }
                Next::Error(e, range) => out.push(format!("ERR {} @ {:?}", e.message, range)),
                Next::End => break,
            }
        }
        out
    }

    #[test]
    fn splits_by_sqlite_not_by_semicolons() {
        let got = statements(
            "CREATE TABLE t(x);\nINSERT INTO t VALUES('a;b -- c');;\n-- trailing; comment\n\
             CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; SELECT 2; END;",
        );
        assert_eq!(
            got,
            vec![
                "CREATE TABLE t(x);",
                "INSERT INTO t VALUES('a;b -- c');",
                ";\n-- trailing; comment\nCREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; SELECT 2; END;",
            ]
        );
    }

    #[test]
    fn a_failing_statement_is_skipped_to_its_end() {
        let got = statements("SELEC 'x;y';\nCREATE TABLE t(x);");
        assert_eq!(got.len(), 2);
        assert!(
            got[0].starts_with("ERR near \"SELEC\": syntax error @ 0..12"),
            "{got:?}"
        );
        assert_eq!(got[1], "CREATE TABLE t(x);");
    }

    #[test]
    fn error_offsets_point_into_the_whole_text() {
        let conn = Connection::open_in_memory().unwrap();
        let sql = "SELECT 1;\nSELECT nosuch FROM sqlite_schema;";
        let buf = SqlBuf::new(sql);
        let mut cursor = Cursor::new(&conn, buf.with_nul());
        assert!(matches!(cursor.next_statement(), Next::Statement(..)));
        match cursor.next_statement() {
            Next::Error(e, _) => {
                assert_eq!(e.message, "no such column: nosuch");
                assert_eq!(&sql[e.offset.unwrap()..e.offset.unwrap() + 6], "nosuch");
            }
            _ => panic!("expected an error"),
        }
    }

    #[test]
    fn completeness_follows_sqlite() {
        assert!(is_complete(b"SELECT 1;\0"));
        assert!(!is_complete(b"SELECT ';\0"));
        assert!(!is_complete(
            b"CREATE TRIGGER t AFTER INSERT ON x BEGIN SELECT 1;\0"
        ));
    }
}
