//! Loading an SQL dump: statement by statement, by SQLite's own parser, in one
//! transaction, fed in chunks as the text arrives.
//!
//! [`Loader::feed`] takes bytes as they come (from a file or a network
//! stream) and runs every statement that is complete so far; a statement cut
//! by a chunk boundary waits for the next chunk. [`Loader::finish`] runs what
//! is left and commits. A statement that fails is either recorded and passed
//! over ([`OnError::Continue`], the explorer's choice: lose nothing else) or
//! stops the load and rolls everything back ([`OnError::Stop`]).

use rusqlite::Connection;

use super::cursor::{Cursor, Next, Statement, is_complete, leading_blank_len};
use super::dialect::{Translation, translate};
use super::fast_insert::{self, Literal};
use crate::protocol::Problem;

/// What to do when a statement of the dump fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnError {
    /// Record the failure and go on with the next statement.
    Continue,
    /// Stop and roll the whole load back.
    Stop,
}

/// Why a load could not complete. Each names the place in the dump.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LoadError {
    /// The text is not UTF-8 (a binary file, or another encoding).
    #[error(
        "line {line}: the file is not UTF-8 text (byte 0x{byte:02x} at offset {offset}); is it an SQL dump?"
    )]
    NotUtf8 {
        /// Line of the bad byte.
        line: u64,
        /// Byte offset of the bad byte in the whole input.
        offset: u64,
        /// The byte.
        byte: u8,
    },
    /// The input ends inside a statement.
    #[error(
        "line {line}: the input ends inside statement {statement} (truncated file?): {excerpt}"
    )]
    Truncated {
        /// Line where the unfinished statement starts.
        line: u64,
        /// Its number.
        statement: u64,
        /// Its start.
        excerpt: String,
    },
    /// A statement failed under [`OnError::Stop`].
    #[error("line {}: statement {} failed: {} in: {}", .0.line, .0.statement, .0.reason, .0.excerpt)]
    Statement(Problem),
    /// The transaction around the load could not begin or commit.
    #[error("{0}")]
    Transaction(String),
    /// The input is empty: not a byte.
    #[error("it is empty (0 bytes): there is nothing to load")]
    Empty,
    /// The input holds no statement: only blanks and comments.
    #[error("it is empty: no SQL statements in its {bytes} bytes, only blanks and comments")]
    NoStatements {
        /// Its size.
        bytes: u64,
    },
    /// Gzip-compressed input that inflates to nothing.
    #[error("it is empty: its {compressed} bytes of gzip inflate to 0 bytes")]
    EmptyGzip {
        /// The size of the compressed input.
        compressed: u64,
    },
}

/// What a finished load did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoadStats {
    /// Statements executed successfully.
    pub statements: u64,
    /// Bytes of text consumed.
    pub bytes: u64,
    /// Statements that failed (with [`OnError::Continue`]).
    pub failed: Vec<Problem>,
    /// Statements skipped on purpose.
    pub skipped: Vec<Problem>,
    /// BEGIN/COMMIT statements of the dump, folded into the load's own transaction.
    pub transaction_statements: u64,
    /// Statements of another dialect run after translation (counted in `statements` too).
    pub translated: u64,
}

/// Whether more text may follow the text being executed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum More {
    /// More may come: a statement cut at the end waits for it.
    MayFollow,
    /// This is the end of the input; `complete` says whether it ends with a
    /// complete statement.
    None { complete: bool },
}

/// How many INSERT statements [`Loader`] keeps prepared (a few per table
/// being filled are enough: a dump fills its tables one after another).
const INSERT_CACHE: usize = 8;

/// Rows of one table inserted by one statement, when the dump has them in a
/// row: each run of a statement costs about as much as inserting a row.
const BATCH: usize = 32;

/// The batch for what is left at the end of a chunk or table.
const SMALL_BATCH: usize = 8;

/// At most this many values in a batch (SQLite's lowest parameter limit).
const MAX_BATCH_VALUES: usize = 999;

/// Longest excerpt of a statement kept in a [`Problem`].
const EXCERPT_CHARS: usize = 120;

/// An INSERT prepared to take rows as parameters.
struct PreparedInsert<'c> {
    /// The text before the row, e.g. `INSERT INTO t VALUES(`.
    head: String,
    /// The number of values in a row.
    params: usize,
    /// The number of rows.
    rows: usize,
    stmt: Statement<'c>,
}

/// What became of the plain INSERTs at a place of the dump.
enum Plain {
    /// `count` statements ran, up to `end`.
    Ran { end: usize, count: u64 },
    /// A batch of statements, up to `end`, failed and left nothing: they
    /// are to run one by one.
    BatchFailed { end: usize },
    /// The statement up to `end` failed, for `reason`.
    Failed { end: usize, reason: String },
}

/// Binds `row` (places in `sql`) to the parameters of `stmt` in order.
fn bind_rows(stmt: &mut Statement<'_>, sql: &str, row: &[Literal], blob: &mut Vec<u8>) -> bool {
    row.iter().enumerate().all(|(i, value)| {
        let i = i + 1;
        match value {
            Literal::Null => stmt.bind_null(i),
            Literal::Integer(v) => stmt.bind_int(i, *v),
            Literal::Real(v) => stmt.bind_real(i, *v),
            Literal::Text {
                range,
                quotes: false,
            } => stmt.bind_bytes(i, sql[range.clone()].as_bytes(), true),
            Literal::Text {
                range,
                quotes: true,
            } => stmt.bind_bytes(
                i,
                fast_insert::unquote(&sql[range.clone()]).as_bytes(),
                true,
            ),
            Literal::Blob(range) => {
                fast_insert::unhex(&sql[range.clone()], blob);
                stmt.bind_bytes(i, blob, false)
            }
        }
    })
}

/// Feeds SQL text to SQLite as it arrives. See the module documentation.
pub struct Loader<'c> {
    conn: &'c Connection,
    on_error: OnError,
    /// Text received but not yet executed (no trailing NUL kept).
    pending: Vec<u8>,
    /// How far `pending` has been searched for a `;` without success.
    searched: usize,
    /// Line number at the start of `pending` (1-based).
    line: u64,
    /// Statements seen so far, executed or not (for numbering).
    seen: u64,
    /// Bytes already executed.
    consumed: u64,
    /// Leftover bytes of an incomplete UTF-8 sequence at the end of `pending`
    /// are fine; this is how far `pending` has been validated.
    validated: usize,
    uses_writable_schema: bool,
    /// Prepared INSERTs taking a row as parameters, the most recently used last.
    inserts: Vec<PreparedInsert<'c>>,
    /// The rows of the INSERTs being run.
    row: Vec<Literal>,
    /// SAVEPOINT, RELEASE and ROLLBACK TO, around a batch of INSERTs.
    savepoint: Option<(Statement<'c>, (Statement<'c>, Statement<'c>))>,
    /// A blob of that row.
    blob: Vec<u8>,
    stats: LoadStats,
}

impl<'c> Loader<'c> {
    /// Begins a load into `conn` (one transaction until [`Loader::finish`]).
    pub fn new(conn: &'c Connection, on_error: OnError) -> Result<Self, LoadError> {
        conn.execute_batch("BEGIN")
            .map_err(|e| LoadError::Transaction(format!("cannot begin the load: {e}")))?;
        Ok(Loader {
            conn,
            on_error,
            pending: Vec::new(),
            searched: 0,
            line: 1,
            seen: 0,
            consumed: 0,
            validated: 0,
            uses_writable_schema: false,
            inserts: Vec::new(),
            row: Vec::new(),
            savepoint: None,
            blob: Vec::new(),
            stats: LoadStats::default(),
        })
    }

    /// Bytes executed so far.
    pub fn bytes_loaded(&self) -> u64 {
        self.consumed
    }

    /// Statements executed so far.
    pub fn statements(&self) -> u64 {
        self.stats.statements
    }

    /// Takes the next chunk of the dump and runs every statement completed by it.
    ///
    /// Only a `;` can complete a statement, so the text is cut after the last
    /// `;` received and its statements run; the last of them, which may have
    /// been cut in a string, comment or trigger body, runs only if it is
    /// complete (`sqlite3_complete` over that statement alone). What follows
    /// the last statement run (blanks, comments, an unfinished statement)
    /// waits for more text.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<(), LoadError> {
        self.pending.extend_from_slice(chunk);
        self.validate_utf8(false)?;
        let Some(rel) = self.pending[self.searched..]
            .iter()
            .rposition(|&b| b == b';')
        else {
            self.searched = self.pending.len();
            return Ok(());
        };
        let semi = self.searched + rel;
        let saved = self.pending.get(semi + 1).copied();
        match saved {
            Some(_) => self.pending[semi + 1] = 0,
            None => self.pending.push(0),
        }
        let result = self.execute_tail(semi + 2, More::MayFollow);
        match saved {
            Some(b) => self.pending[semi + 1] = b,
            None => {
                self.pending.pop();
            }
        }
        let handled = result?;
        self.drain(handled);
        self.searched = self.pending.len();
        Ok(())
    }

    /// Runs what is left of the dump and commits the load. A dump without a
    /// single statement (empty, or only blanks and comments) is refused,
    /// and nothing is kept: loading it is surely a mistake.
    pub fn finish(mut self) -> Result<LoadStats, LoadError> {
        self.validate_utf8(true)?;
        if !self.pending.is_empty() {
            self.pending.push(0);
            let len = self.pending.len();
            let complete = is_complete(&self.pending);
            let result = self.execute_tail(len, More::None { complete });
            self.pending.pop();
            result?;
            let n = self.pending.len();
            self.drain(n);
        }
        match (self.seen, self.consumed) {
            (0, 0) => return Err(LoadError::Empty),
            (0, bytes) => return Err(LoadError::NoStatements { bytes }),
            _ => {}
        }
        self.inserts.clear();
        self.savepoint = None;
        self.conn
            .execute_batch("COMMIT")
            .map_err(|e| LoadError::Transaction(format!("cannot commit the load: {e}")))?;
        if self.uses_writable_schema {
            // Make tables written straight into sqlite_schema (virtual tables
            // in sqlite3 .dump output) visible to this connection.
            self.conn
                .execute_batch("PRAGMA writable_schema=RESET")
                .map_err(|e| LoadError::Transaction(format!("cannot reload the schema: {e}")))?;
        }
        Ok(std::mem::take(&mut self.stats))
    }

    fn validate_utf8(&mut self, at_end: bool) -> Result<(), LoadError> {
        match std::str::from_utf8(&self.pending[self.validated..]) {
            Ok(_) => {
                self.validated = self.pending.len();
                Ok(())
            }
            Err(e) => {
                let good = self.validated + e.valid_up_to();
                // A sequence cut at the end of a chunk is fine until the end.
                if e.error_len().is_none() && !at_end {
                    self.validated = good;
                    return Ok(());
                }
                let line = self.line + count_lines(&self.pending[..good]);
                Err(LoadError::NotUtf8 {
                    line,
                    offset: self.consumed + good as u64,
                    byte: self.pending[good],
                })
            }
        }
    }

    /// Executes the statements of `pending[..end_with_nul]`, whose last byte
    /// is a NUL; gives how many bytes were dealt with.
    fn execute_tail(&mut self, end_with_nul: usize, more: More) -> Result<usize, LoadError> {
        // The text is moved out so that statements can be run while it is read.
        let pending = std::mem::take(&mut self.pending);
        let result = self.execute_text(&pending[..end_with_nul], more);
        self.pending = pending;
        result
    }

    fn execute_text(&mut self, text: &[u8], more: More) -> Result<usize, LoadError> {
        let end_with_nul = text.len();
        let mut cursor = Cursor::new(self.conn, text);
        let mut line = self.line;
        let mut line_pos = 0usize;
        // The end of the last statement dealt with.
        let mut handled = 0;
        // SAFETY: `feed` and `finish` checked the text as UTF-8 up to here
        // (`validate_utf8`; in `feed`, only an unfinished character may
        // follow, after the last `;`, where the text handed here ends).
        let sql = unsafe { std::str::from_utf8_unchecked(&text[..end_with_nul - 1]) };
        // Batches are not tried again before this offset, after one failed.
        let mut no_batch_before = 0;
        loop {
            let pos = cursor.position();
            let start = pos + leading_blank_len(&text[pos..end_with_nul - 1]);
            match self.plain_inserts(sql, start, start >= no_batch_before) {
                None => {}
                Some(Plain::Ran { end, count }) => {
                    // Their lines are not needed: the lines are counted up
                    // to the next statement that needs its own.
                    handled = end;
                    self.seen += count;
                    self.stats.statements += count;
                    cursor.skip_to(handled);
                    continue;
                }
                Some(Plain::BatchFailed { end }) => {
                    no_batch_before = end;
                    continue;
                }
                Some(Plain::Failed { end, reason }) => {
                    line += count_lines(&text[line_pos..start]);
                    line_pos = start;
                    self.seen += 1;
                    self.fail(problem(self.seen, line, &sql[start..end], &reason))?;
                    handled = end;
                    cursor.skip_to(handled);
                    continue;
                }
            }
            let next = cursor.next_statement();
            let range = match &next {
                Next::Statement(_, r) | Next::Error(_, r) => r.clone(),
                Next::End => break,
            };
            let at_end = range.end + 1 >= end_with_nul;
            if at_end && more == More::MayFollow && !is_complete(&text[range.start..]) {
                // Cut inside a string, comment or trigger body: wait for the rest.
                return Ok(range.start);
            }
            handled = range.end;
            let start = range.start + leading_blank_len(&text[range.clone()]);
            line += count_lines(&text[line_pos..start]);
            line_pos = start;
            self.seen += 1;
            let body = &text[start..range.end];
            // SAFETY of unwrap: pending was validated as UTF-8 up to here.
            let body = std::str::from_utf8(body).unwrap_or_default();
            match next {
                Next::Statement(mut stmt, _) => match classify(body) {
                    Kind::Transaction => self.stats.transaction_statements += 1,
                    Kind::Rollback => self.stats.skipped.push(problem(
                        self.seen,
                        line,
                        body,
                        "ROLLBACK is ignored: the loader commits what ran",
                    )),
                    Kind::Other { writable_schema } => {
                        self.uses_writable_schema |= writable_schema;
                        match stmt.run() {
                            Ok(()) => self.stats.statements += 1,
                            Err(e) => self.fail(problem(self.seen, line, body, &e.message))?,
                        }
                    }
                },
                Next::Error(e, _) => {
                    if at_end && more == (More::None { complete: false }) {
                        return Err(LoadError::Truncated {
                            line,
                            statement: self.seen,
                            excerpt: excerpt(body),
                        });
                    }
                    // Another dialect's statement, perhaps (VibeSQL's typed literals).
                    match translate(body) {
                        Translation::Skip(reason) => {
                            self.stats
                                .skipped
                                .push(problem(self.seen, line, body, reason));
                        }
                        Translation::Rewritten(sql) => match super::query::run(self.conn, &sql) {
                            Ok(_) => {
                                self.stats.statements += 1;
                                self.stats.translated += 1;
                            }
                            Err(e) => self.fail(problem(self.seen, line, body, &e.message))?,
                        },
                        Translation::None => {
                            self.fail(problem(self.seen, line, body, &e.message))?
                        }
                    }
                }
                Next::End => unreachable!(),
            }
        }
        Ok(match more {
            // Blanks and comments after the last statement may go on in the
            // next chunk.
            More::MayFollow => handled,
            More::None { .. } => end_with_nul - 1,
        })
    }

    /// Runs the plain INSERTs (see [`fast_insert`]) that start at byte
    /// `start` of `sql` through statements prepared to take rows as
    /// parameters: up to [`BATCH`] rows of one table at a time when
    /// `batch`, else one. `None` when the statement there is not a plain
    /// INSERT, or its statement cannot be prepared: SQLite's parser then
    /// reads it as written and reports its error.
    fn plain_inserts(&mut self, sql: &str, start: usize, batch: bool) -> Option<Plain> {
        let known = self.inserts.last().map(|p| p.head.as_str());
        self.row.clear();
        let first = fast_insert::parse(sql, start, known, &mut self.row)?;
        let head = &sql[start..start + first.head];
        let n = first.values;
        // The statements that follow, of the same table and shape.
        let mut end = start + first.len;
        let mut ends = vec![end];
        let most = if batch {
            BATCH.min(MAX_BATCH_VALUES / n)
        } else {
            1
        };
        while ends.len() < most {
            let next = end + leading_blank_len(&sql.as_bytes()[end..]);
            match fast_insert::parse(sql, next, Some(head), &mut self.row) {
                Some(ins) if ins.head == head.len() && ins.values == n => {
                    end = next + ins.len;
                    ends.push(end);
                }
                Some(ins) => {
                    let kept = self.row.len() - ins.values;
                    self.row.truncate(kept);
                    break;
                }
                None => break,
            }
        }
        // Whole batches of BATCH, or of SMALL_BATCH, rows; then one row.
        let rows = match ends.len() {
            k if k >= BATCH => BATCH,
            k if k >= SMALL_BATCH => SMALL_BATCH,
            _ => 1,
        };
        if let Some(mut prepared) = (rows > 1).then(|| self.prepared(head, n, rows)).flatten() {
            let ran = self.in_savepoint(|row, blob| {
                bind_rows(&mut prepared.stmt, sql, &row[..rows * n], blob)
                    && prepared.stmt.run_and_reset()
            });
            self.inserts.push(prepared);
            return Some(match ran {
                true => Plain::Ran {
                    end: ends[rows - 1],
                    count: rows as u64,
                },
                // One of them failed: they run again one by one.
                false => Plain::BatchFailed {
                    end: ends[rows - 1],
                },
            });
        }
        let mut prepared = self.prepared(head, n, 1)?;
        let stmt = &mut prepared.stmt;
        if !bind_rows(stmt, sql, &self.row[..n], &mut self.blob) {
            self.inserts.push(prepared);
            return None;
        }
        let failure = (!stmt.run_and_reset()).then(|| stmt.error_message());
        self.inserts.push(prepared);
        Some(match failure {
            None => Plain::Ran {
                end: ends[0],
                count: 1,
            },
            Some(reason) => Plain::Failed {
                end: ends[0],
                reason,
            },
        })
    }

    /// The statement inserting `rows` rows of `n` values after `head`, taken
    /// out of the cache (the caller puts it back, as the most recent).
    fn prepared(&mut self, head: &str, n: usize, rows: usize) -> Option<PreparedInsert<'c>> {
        let found = self
            .inserts
            .iter()
            .rposition(|p| p.params == n && p.rows == rows && p.head == head);
        if let Some(i) = found {
            return Some(self.inserts.remove(i));
        }
        // The schema's own table is left to the parser (it changes the schema).
        if head.to_ascii_lowercase().contains("sqlite_") {
            return None;
        }
        let mut sql = String::with_capacity(head.len() + 2 * n * rows + 3 * rows);
        sql.push_str(head);
        for r in 0..rows {
            if r > 0 {
                sql.push_str("),(");
            }
            for i in 0..n {
                sql.push_str(if i == 0 { "?" } else { ",?" });
            }
        }
        sql.push(')');
        let stmt = Statement::prepare(self.conn, &sql).ok()?;
        if self.inserts.len() == INSERT_CACHE {
            self.inserts.remove(0);
        }
        Some(PreparedInsert {
            head: head.to_string(),
            params: n,
            rows,
            stmt,
        })
    }

    /// Runs `f` (given the row and a scratch buffer) inside a savepoint,
    /// which is rolled back when `f` gives false: a failed batch leaves
    /// nothing behind, whatever the conflict clauses and triggers say.
    fn in_savepoint(&mut self, f: impl FnOnce(&[Literal], &mut Vec<u8>) -> bool) -> bool {
        if self.savepoint.is_none() {
            let prepare = |sql| Statement::prepare(self.conn, sql).ok();
            self.savepoint = prepare("SAVEPOINT greenboard_rows").zip(
                prepare("RELEASE greenboard_rows").zip(prepare("ROLLBACK TO greenboard_rows")),
            );
        }
        let Some((begin, (release, rollback))) = &mut self.savepoint else {
            return false;
        };
        if !begin.run_and_reset() {
            return false;
        }
        let ok = f(&self.row, &mut self.blob);
        if !ok {
            rollback.run_and_reset();
        }
        release.run_and_reset() && ok
    }

    fn fail(&mut self, p: Problem) -> Result<(), LoadError> {
        match self.on_error {
            OnError::Continue => {
                self.stats.failed.push(p);
                Ok(())
            }
            OnError::Stop => Err(LoadError::Statement(p)),
        }
    }

    /// Forgets the first `n` bytes of `pending`, which have been executed.
    fn drain(&mut self, n: usize) {
        self.line += count_lines(&self.pending[..n]);
        self.consumed += n as u64;
        self.stats.bytes = self.consumed;
        self.pending.drain(..n);
        self.searched = 0;
        self.validated = self.validated.saturating_sub(n);
    }
}

impl Drop for Loader<'_> {
    fn drop(&mut self) {
        // A load dropped before `finish` (an error, or abandoned) is undone.
        if !self.conn.is_autocommit() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}

enum Kind {
    Transaction,
    Rollback,
    Other { writable_schema: bool },
}

/// Sorts a statement by its first keyword.
fn classify(body: &str) -> Kind {
    let word: String = body
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect::<String>()
        .to_ascii_uppercase();
    match word.as_str() {
        "BEGIN" | "COMMIT" | "END" => Kind::Transaction,
        "ROLLBACK" => Kind::Rollback,
        _ => Kind::Other {
            writable_schema: word == "PRAGMA"
                && body.to_ascii_lowercase().contains("writable_schema"),
        },
    }
}

/// The number of `\n` in `bytes`, eight bytes at a time.
fn count_lines(bytes: &[u8]) -> u64 {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const LOW7: u64 = u64::from_ne_bytes([0x7f; 8]);
    let words = bytes.chunks_exact(8);
    let rest = words.remainder();
    let mut n = 0u64;
    for w in words {
        // Each byte of `x` is zero where `w` holds a newline; the high bit
        // of each byte of `zero` is set exactly for those bytes.
        let x = u64::from_ne_bytes(w.try_into().unwrap_or_default()) ^ (ONES * u64::from(b'\n'));
        let zero = !(((x & LOW7) + LOW7) | x | LOW7);
        n += u64::from(zero.count_ones());
    }
    n + rest.iter().filter(|&&b| b == b'\n').count() as u64
}

fn excerpt(body: &str) -> String {
    let mut s: String = body.chars().take(EXCERPT_CHARS).collect();
    if s.len() < body.len() {
        s.push('…');
    }
    s
}

fn problem(statement: u64, line: u64, body: &str, reason: &str) -> Problem {
    Problem {
        statement,
        line,
        excerpt: excerpt(body),
        reason: reason.to_string(),
    }
}

/// Loads a whole dump held in memory (in slices, as a stream would arrive).
pub fn load_str(conn: &Connection, sql: &str, on_error: OnError) -> Result<LoadStats, LoadError> {
    let mut loader = Loader::new(conn, on_error)?;
    for chunk in sql.as_bytes().chunks(1 << 16) {
        loader.feed(chunk)?;
    }
    loader.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(conn: &Connection, sql: &str) -> i64 {
        conn.query_row(sql, [], |r| r.get(0)).unwrap()
    }

    #[test]
    fn loads_a_sqlite3_dump_with_its_own_transaction() {
        let conn = Connection::open_in_memory().unwrap();
        let dump = "PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\nCREATE TABLE t(a,b);\n\
                    INSERT INTO t VALUES(1,'x;y');\nINSERT INTO t VALUES(2,'-- not a comment');\nCOMMIT;\n";
        let stats = load_str(&conn, dump, OnError::Stop).unwrap();
        assert_eq!(stats.statements, 4);
        assert_eq!(stats.transaction_statements, 2);
        assert_eq!(count(&conn, "SELECT count(*) FROM t"), 2);
        assert_eq!(stats.bytes, dump.len() as u64);
    }

    #[test]
    fn every_row_survives_semicolons_in_strings_and_tiny_chunks() {
        let conn = Connection::open_in_memory().unwrap();
        let mut dump = String::from("CREATE TABLE e(msg TEXT);\n");
        for i in 0..500 {
            dump.push_str(&format!(
                "INSERT INTO e VALUES('error {i}; expected '';'' -- got \"x\";\n; end');\n"
            ));
        }
        let mut loader = Loader::new(&conn, OnError::Stop).unwrap();
        for chunk in dump.as_bytes().chunks(7) {
            loader.feed(chunk).unwrap();
        }
        let stats = loader.finish().unwrap();
        assert_eq!(stats.statements, 501);
        assert_eq!(
            count(&conn, "SELECT count(*) FROM e WHERE msg LIKE '%;%'"),
            500
        );
    }

    #[test]
    fn failures_are_listed_with_line_and_the_rest_loads() {
        let conn = Connection::open_in_memory().unwrap();
        let dump =
            "CREATE TABLE t(a);\n\nINSERT INTO nosuch VALUES(1);\nINSERT INTO t VALUES(2);\n";
        let stats = load_str(&conn, dump, OnError::Continue).unwrap();
        assert_eq!(stats.statements, 2);
        assert_eq!(stats.failed.len(), 1);
        let p = &stats.failed[0];
        assert_eq!((p.statement, p.line), (2, 3));
        assert_eq!(p.reason, "no such table: nosuch");
        assert_eq!(p.excerpt, "INSERT INTO nosuch VALUES(1);");
        assert_eq!(count(&conn, "SELECT count(*) FROM t"), 1);
    }

    #[test]
    fn stop_rolls_everything_back() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE keep(x); INSERT INTO keep VALUES(1);")
            .unwrap();
        let dump = "INSERT INTO keep VALUES(2);\nINSERT INTO nosuch VALUES(1);\n";
        let err = load_str(&conn, dump, OnError::Stop).unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 2: statement 2 failed: no such table: nosuch in: INSERT INTO nosuch VALUES(1);"
        );
        assert_eq!(count(&conn, "SELECT count(*) FROM keep"), 1);
        assert!(conn.is_autocommit());
    }

    #[test]
    fn a_truncated_dump_is_an_error_naming_the_line() {
        let conn = Connection::open_in_memory().unwrap();
        let dump = "CREATE TABLE t(a);\nINSERT INTO t VALUES(1);\nINSERT INTO t VALUES('unfinished";
        let err = load_str(&conn, dump, OnError::Continue).unwrap_err();
        assert!(
            matches!(
                err,
                LoadError::Truncated {
                    line: 3,
                    statement: 3,
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(conn.prepare("SELECT * FROM t").is_err(), "nothing kept");
    }

    #[test]
    fn binary_input_is_rejected_as_not_utf8() {
        let conn = Connection::open_in_memory().unwrap();
        let mut loader = Loader::new(&conn, OnError::Continue).unwrap();
        let err = loader
            .feed(b"CREATE TABLE t(a);\nSQLite format 3\0\xff\xfe")
            .unwrap_err();
        assert!(
            matches!(
                err,
                LoadError::NotUtf8 {
                    line: 2,
                    byte: 0xff,
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn a_multibyte_character_split_by_chunks_is_fine() {
        let conn = Connection::open_in_memory().unwrap();
        let dump = "CREATE TABLE t(a);INSERT INTO t VALUES('héllo ✓ 🦀');";
        let mut loader = Loader::new(&conn, OnError::Stop).unwrap();
        for chunk in dump.as_bytes().chunks(1) {
            loader.feed(chunk).unwrap();
        }
        loader.finish().unwrap();
        let s: String = conn.query_row("SELECT a FROM t", [], |r| r.get(0)).unwrap();
        assert_eq!(s, "héllo ✓ 🦀");
    }

    #[test]
    fn a_dump_without_statements_is_refused_as_empty_and_leaves_nothing() {
        let conn = Connection::open_in_memory().unwrap();
        assert_eq!(
            load_str(&conn, "", OnError::Continue),
            Err(LoadError::Empty)
        );
        let blank = "\n  -- a comment; not a statement\n/* nor; this */\n\t\n";
        for chunk in [1, 7, blank.len()] {
            let mut loader = Loader::new(&conn, OnError::Continue).unwrap();
            for part in blank.as_bytes().chunks(chunk) {
                loader.feed(part).unwrap();
            }
            assert_eq!(
                loader.finish(),
                Err(LoadError::NoStatements {
                    bytes: blank.len() as u64
                })
            );
        }
        assert!(conn.is_autocommit(), "the load's transaction is closed");
        assert_eq!(
            LoadError::Empty.to_string(),
            "it is empty (0 bytes): there is nothing to load"
        );
        assert_eq!(
            LoadError::NoStatements { bytes: 12 }.to_string(),
            "it is empty: no SQL statements in its 12 bytes, only blanks and comments"
        );
        assert_eq!(
            LoadError::EmptyGzip { compressed: 20 }.to_string(),
            "it is empty: its 20 bytes of gzip inflate to 0 bytes"
        );
        // One statement is enough, even one that fails, or an empty database's dump.
        let stats = load_str(&conn, "INSERT INTO missing VALUES(1);", OnError::Continue).unwrap();
        assert_eq!(stats.failed.len(), 1);
        let stats = load_str(&conn, "BEGIN TRANSACTION;\nCOMMIT;\n", OnError::Stop).unwrap();
        assert_eq!(stats.transaction_statements, 2);
    }

    #[test]
    fn an_empty_statement_before_a_failing_one_is_not_a_second_failure() {
        let conn = Connection::open_in_memory().unwrap();
        let dump = "CREATE TABLE t(a);\nINSERT INTO t VALUES('x;y');;\nINSERT INTO missing VALUES(1);\nINSERT INTO t VALUES(2);\n";
        let stats = load_str(&conn, dump, OnError::Continue).unwrap();
        assert_eq!(stats.statements, 3);
        assert_eq!(stats.failed.len(), 1, "{:?}", stats.failed);
        let p = &stats.failed[0];
        assert_eq!((p.statement, p.line), (3, 3));
        assert_eq!(p.excerpt, "INSERT INTO missing VALUES(1);");
    }

    #[test]
    fn a_vibesql_dump_loads_with_its_dialect_translated() {
        let conn = Connection::open_in_memory().unwrap();
        let dump = "-- VibeSQL Database Dump\n-- Generated: 2025-11-20 10:00:00 UTC\n--\n\n-- Schemas\nCREATE SCHEMA analytics;\n\n-- Roles\nCREATE ROLE reader;\n\n\
                    -- Tables and Data\nCREATE TABLE runs (run_id INTEGER NOT NULL, started_at TIMESTAMP NOT NULL, ok BOOLEAN, PRIMARY KEY (run_id));\n\n\
                    INSERT INTO runs VALUES (1, TIMESTAMP '2025-11-01 10:00:00', TRUE);\nINSERT INTO runs VALUES (2, TIMESTAMP '2025-11-02 10:00:00', FALSE);\n\n\
                    -- Indexes\nCREATE INDEX idx_started ON runs (started_at Descending);\n\n-- Views\n\n-- End of dump\n";
        let stats = load_str(&conn, dump, OnError::Stop).unwrap();
        assert_eq!((stats.statements, stats.translated), (4, 3));
        assert_eq!(stats.skipped.len(), 2);
        assert_eq!(
            (stats.skipped[0].line, stats.skipped[0].excerpt.as_str()),
            (6, "CREATE SCHEMA analytics;")
        );
        let latest: String = conn
            .query_row("SELECT started_at FROM runs INDEXED BY idx_started WHERE ok ORDER BY started_at DESC", [], |r| r.get(0))
            .unwrap();
        assert_eq!(latest, "2025-11-01 10:00:00");
    }

    #[test]
    fn comments_and_trigger_bodies_with_semicolons_survive_any_chunking() {
        // `;` inside line and block comments, strings and a trigger body,
        // around the statements: cut at every chunk size, the same rows load
        // and the same lines are reported.
        let dump = "CREATE TABLE t(a TEXT); -- one; two\n\
                    INSERT INTO t VALUES('x;y'); /* three; four */\n\
                    CREATE TRIGGER tr AFTER INSERT ON t BEGIN INSERT INTO t2 VALUES(new.a); END; -- after;\n\
                    CREATE TABLE t2(a); -- five;\n\
                    INSERT INTO t VALUES('z'); /* last; */\n\
                    INSERT INTO nowhere VALUES(1); -- fails; line 6\n";
        assert_eq!(&dump[..31], "CREATE TABLE t(a TEXT); -- one;");
        for size in 1..=dump.len() {
            let conn = Connection::open_in_memory().unwrap();
            let mut loader = Loader::new(&conn, OnError::Continue).unwrap();
            for chunk in dump.as_bytes().chunks(size) {
                loader.feed(chunk).unwrap();
            }
            let stats = loader.finish().unwrap();
            assert_eq!(stats.statements, 5, "chunks of {size}");
            assert_eq!(
                stats
                    .failed
                    .iter()
                    .map(|p| (p.statement, p.line))
                    .collect::<Vec<_>>(),
                [(6, 6)],
                "chunks of {size}"
            );
            assert_eq!(
                count(&conn, "SELECT count(*) FROM t"),
                2,
                "chunks of {size}"
            );
            assert_eq!(
                count(&conn, "SELECT count(*) FROM t2"),
                1,
                "chunks of {size}"
            );
            assert_eq!(stats.bytes, dump.len() as u64, "chunks of {size}");
        }
    }

    #[test]
    fn lines_are_counted_exactly() {
        let mut text = Vec::new();
        for i in 0..300u32 {
            text.push(match i % 7 {
                0 => b'\n',
                1 => 0x8a,
                2 => 0x0b,
                3 => 0x09,
                4 => 0xff,
                _ => (i % 251) as u8,
            });
        }
        for from in 0..20 {
            for to in from..text.len() {
                let slow = text[from..to].iter().filter(|&&b| b == b'\n').count() as u64;
                assert_eq!(count_lines(&text[from..to]), slow, "{from}..{to}");
            }
        }
    }

    #[test]
    fn rows_go_to_the_table_of_the_moment() {
        // The loader keeps INSERTs prepared across statements; a table
        // dropped and made again, with other columns, still gets its rows,
        // and a row that no longer fits fails with SQLite's words.
        let conn = Connection::open_in_memory().unwrap();
        let dump = "CREATE TABLE t(a);\nINSERT INTO t VALUES(1);\nDROP TABLE t;\n\
                    CREATE TABLE t(a, b);\nINSERT INTO t VALUES(2,'x');\nINSERT INTO t VALUES(3);\n\
                    ALTER TABLE t ADD COLUMN c;\nINSERT INTO t VALUES(4,'y','z');\n";
        let stats = load_str(&conn, dump, OnError::Continue).unwrap();
        assert_eq!(stats.statements, 7);
        assert_eq!(stats.failed.len(), 1);
        let p = &stats.failed[0];
        assert_eq!((p.statement, p.line), (6, 6));
        assert_eq!(p.reason, "table t has 2 columns but 1 values were supplied");
        assert_eq!(
            count(&conn, "SELECT count(*) FROM t WHERE a + 0 IN (2, 4)"),
            2
        );
    }

    #[test]
    fn a_final_statement_without_semicolon_runs() {
        let conn = Connection::open_in_memory().unwrap();
        let stats = load_str(
            &conn,
            "CREATE TABLE t(a);\nINSERT INTO t VALUES(1)",
            OnError::Stop,
        )
        .unwrap();
        assert_eq!(stats.statements, 2);
    }
}
