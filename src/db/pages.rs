//! Pages of files read by ranges ([`crate::db::lazy`]), kept across visits
//! in an SQLite database of their own (in the browser, a file in the
//! Origin Private File System; natively, any file). A file's pages are
//! kept under its address and its version (its `ETag`, else its
//! `Last-Modified`): opening it as another version drops them, so pages of
//! two versions are never mixed, and a revisit of an unchanged file reads
//! from the store what it fetched before.
//!
//! The store holds at most a bound of bytes. The files opened least
//! recently give way first; a file larger than the bound alone keeps the
//! pages it fetched first.
//!
//! Written on [`crate::db::cursor::Statement`], the statements the loader
//! uses: the browser's worker pays for no more of rusqlite than it has.

use rusqlite::Connection;

use super::cursor::Statement;
use crate::protocol::Cell;

/// The store's tables.
const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS files (
  id INTEGER PRIMARY KEY,
  url TEXT NOT NULL UNIQUE,
  version TEXT NOT NULL,
  size INTEGER NOT NULL,
  block INTEGER NOT NULL,
  used INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS pages (
  file INTEGER NOT NULL,
  n INTEGER NOT NULL,
  data BLOB NOT NULL,
  UNIQUE (file, n)
);";

/// What the store keeps of a file ([`PageStore::kept_of`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptFile {
    /// The version its pages are of (its `ETag`, else `Last-Modified`).
    pub version: String,
    /// Its size in bytes, then.
    pub size: u64,
    /// The size of its blocks (its SQLite page size).
    pub block: u64,
    /// The bytes kept of it.
    pub bytes: u64,
}

/// One file's pages in the store.
pub struct PageStore {
    conn: Connection,
    file: i64,
    size: u64,
    block: u64,
    /// Bytes the store may hold.
    bound: u64,
    /// Bytes it holds.
    total: u64,
    /// Whether this file alone fills the bound: no more pages are kept.
    full: bool,
}

/// Runs `sql` with `texts` bound to its parameters in order; the cells of
/// each row it returns.
fn rows(conn: &Connection, sql: &str, texts: &[&str]) -> Result<Vec<Vec<Cell>>, String> {
    let mut st = Statement::prepare(conn, sql).map_err(|e| e.message)?;
    for (i, t) in texts.iter().enumerate() {
        st.bind_text(i + 1, t).map_err(|e| e.message)?;
    }
    let mut out = Vec::new();
    while st.step().map_err(|e| e.message)? {
        out.push((0..st.column_count()).map(|i| st.cell(i)).collect());
    }
    Ok(out)
}

/// Cell `i` of `row` as a count (0 if none).
fn count(row: Option<&Vec<Cell>>, i: usize) -> u64 {
    row.and_then(|r| r.get(i)?.as_f64()).unwrap_or(0.0) as u64
}

/// Runs `work` in a transaction of `conn`: all of it or none.
fn all_or_none<T>(
    conn: &Connection,
    work: impl FnOnce() -> Result<T, String>,
) -> Result<T, String> {
    conn.execute_batch("BEGIN").map_err(|e| e.to_string())?;
    let done = work();
    conn.execute_batch(if done.is_ok() { "COMMIT" } else { "ROLLBACK" })
        .map_err(|e| e.to_string())?;
    done
}

impl PageStore {
    /// The pages `conn` keeps of the file at `url` as of `version`, `size`
    /// bytes read in blocks of `block`, within `bound` bytes; with the
    /// numbers of the blocks it holds, in order. Pages kept of another
    /// version (or size, or block) are dropped.
    pub fn open(
        conn: Connection,
        url: &str,
        version: &str,
        size: u64,
        block: u64,
        bound: u64,
    ) -> Result<(PageStore, Vec<u64>), String> {
        conn.execute_batch(SCHEMA).map_err(|e| e.to_string())?;
        let (file, total) = all_or_none(&conn, || {
            let keys = [url, version];
            rows(
                &conn,
                &format!(
                    "DELETE FROM pages WHERE file IN (SELECT id FROM files WHERE url = ?1 \
                     AND NOT (version = ?2 AND size = {size} AND block = {block}))"
                ),
                &keys,
            )?;
            rows(
                &conn,
                &format!(
                    "INSERT INTO files (url, version, size, block, used) \
                     VALUES (?1, ?2, {size}, {block}, (SELECT ifnull(max(used), 0) + 1 FROM files)) \
                     ON CONFLICT (url) DO UPDATE SET version = excluded.version, \
                     size = excluded.size, block = excluded.block, used = excluded.used"
                ),
                &keys,
            )?;
            let row = rows(
                &conn,
                "SELECT id, (SELECT total(length(data)) FROM pages) FROM files WHERE url = ?1",
                &keys[..1],
            )?;
            Ok((count(row.first(), 0) as i64, count(row.first(), 1)))
        })?;
        let held = rows(
            &conn,
            &format!("SELECT n FROM pages WHERE file = {file} ORDER BY n"),
            &[],
        )?
        .iter()
        .map(|r| count(Some(r), 0))
        .collect();
        Ok((
            PageStore {
                conn,
                file,
                size,
                block,
                bound,
                total,
                full: false,
            },
            held,
        ))
    }

    /// The version, size and block of the file at `url` whose pages `conn`
    /// keeps, with the bytes kept of it; `None` if it keeps none. A file
    /// that cannot be reached is opened from these alone.
    pub fn kept_of(conn: &Connection, url: &str) -> Result<Option<KeptFile>, String> {
        conn.execute_batch(SCHEMA).map_err(|e| e.to_string())?;
        let found = rows(
            conn,
            "SELECT version, size, block, \
             (SELECT total(length(data)) FROM pages WHERE file = files.id) \
             FROM files WHERE url = ?1",
            &[url],
        )?;
        Ok(found.first().and_then(|row| {
            let bytes = count(Some(row), 3);
            let version = row.first()?.display()?;
            (bytes > 0).then(|| KeptFile {
                version,
                size: count(Some(row), 1),
                block: count(Some(row), 2),
                bytes,
            })
        }))
    }

    /// Block `n`'s bytes, if kept whole.
    pub fn get(&self, n: u64) -> Option<Vec<u8>> {
        let sql = format!(
            "SELECT data FROM pages WHERE file = {} AND n = {n}",
            self.file
        );
        let whole = self.block.min(self.size.saturating_sub(n * self.block));
        match rows(&self.conn, &sql, &[]).ok()?.pop()?.pop()? {
            Cell::Blob(bytes) if bytes.len() as u64 == whole => Some(bytes),
            _ => None,
        }
    }

    /// Keeps `bytes`, the blocks from `first` on, making room by dropping
    /// the files opened least recently; whether they were kept.
    pub fn put(&mut self, first: u64, bytes: &[u8]) -> Result<bool, String> {
        let len = bytes.len() as u64;
        while !self.full && self.total + len > self.bound {
            let other = rows(
                &self.conn,
                &format!(
                    "SELECT id, (SELECT total(length(data)) FROM pages WHERE file = files.id) \
                     FROM files WHERE id != {} ORDER BY used LIMIT 1",
                    self.file
                ),
                &[],
            )?;
            match other.first() {
                Some(row) => {
                    let id = count(Some(row), 0);
                    self.conn
                        .execute_batch(&format!(
                            "DELETE FROM pages WHERE file = {id}; DELETE FROM files WHERE id = {id};"
                        ))
                        .map_err(|e| e.to_string())?;
                    self.total = self.total.saturating_sub(count(Some(row), 1));
                }
                None => self.full = true,
            }
        }
        if self.full {
            return Ok(false);
        }
        all_or_none(&self.conn, || {
            let mut st = Statement::prepare(
                &self.conn,
                &format!(
                    "INSERT OR REPLACE INTO pages (file, n, data) VALUES ({}, ?1, ?2)",
                    self.file
                ),
            )
            .map_err(|e| e.message)?;
            for (i, chunk) in bytes.chunks(self.block as usize).enumerate() {
                if !(st.bind_int(1, (first + i as u64) as i64)
                    && st.bind_bytes(2, chunk, false)
                    && st.run_and_reset())
                {
                    return Err(st.error_message());
                }
            }
            Ok(())
        })?;
        self.total += len;
        Ok(true)
    }
}
