//! Datasets too large to hold in the worker's memory: loaded into, kept in
//! and queried straight from an SQLite database file in the Origin Private
//! File System, through `sqlite-wasm-vfs`'s `sahpool` (a pool of
//! synchronous access handles; no special headers needed). SQLite then
//! holds only its page cache in memory, bounded by [`QUERY_CACHE_KIB`].
//!
//! The pool's handles are held by the one worker that has such a dataset
//! open, and released (the pool paused) when other data replaces it, so a
//! second tab opens it once the first lets go, and otherwise says why.

use std::cell::RefCell;

use rusqlite::{Connection, OpenFlags};
use sqlite_wasm_rs::WasmOsCallback;
use sqlite_wasm_vfs::sahpool::{OpfsSAHPoolCfgBuilder, OpfsSAHPoolUtil, install};

use crate::keep::sleep;

/// The VFS's name, as connections name it.
pub const VFS: &str = "greenboard-in-place";
/// The pool's OPFS directory.
const DIRECTORY: &str = "greenboard-in-place";
/// SQLite's page cache while loading, in KiB: the index builds at the end
/// of a dump read the table back, and a large cache saves reading it.
const LOAD_CACHE_KIB: i64 = 256 * 1024;
/// SQLite's page cache while querying, in KiB.
pub const QUERY_CACHE_KIB: i64 = 128 * 1024;
/// How long to wait for the handles a stopped worker of this tab still
/// holds, in milliseconds.
const WAIT_MS: f64 = 4000.0;
/// The pool's file of pages kept of files read by ranges.
const PAGES: &str = "/pages.db";
/// How long to wait for the pool when opening [`PAGES`], in milliseconds:
/// not the pages of this visit over another tab's data.
const PAGES_WAIT_MS: f64 = 1000.0;
/// Slots kept free beyond the files in the pool: a database's journal, a
/// dataset being replaced, and the temporary files of sorts and indexes
/// (which go to the browser's storage too, not to memory).
const SPARE_SLOTS: usize = 8;

thread_local! {
    static POOL: RefCell<Option<OpfsSAHPoolUtil>> = const { RefCell::new(None) };
}

/// The pool's file of dataset `key`.
fn file_name(key: &str) -> String {
    format!("/{key}.db")
}

/// The pool, installed or resumed for this worker, waiting a while for
/// handles another worker still holds.
async fn pool() -> Result<OpfsSAHPoolUtil, String> {
    pool_within(WAIT_MS).await
}

/// The pool, waiting at most `wait_ms` for handles another worker holds.
async fn pool_within(wait_ms: f64) -> Result<OpfsSAHPoolUtil, String> {
    if let Some(pool) = POOL.with_borrow(Clone::clone) {
        if pool.is_paused() {
            let started = js_sys::Date::now();
            while let Err(e) = pool.resume().await {
                if js_sys::Date::now() - started > wait_ms {
                    return Err(busy(&e.to_string()));
                }
                sleep(50).await;
            }
        }
        return Ok(pool);
    }
    let config = OpfsSAHPoolCfgBuilder::new()
        .vfs_name(VFS)
        .directory(DIRECTORY)
        .build();
    let started = js_sys::Date::now();
    let pool = loop {
        match install::<WasmOsCallback>(&config, false).await {
            Ok(pool) => break pool,
            Err(e) if js_sys::Date::now() - started > wait_ms => {
                return Err(busy(&e.to_string()));
            }
            Err(_) => sleep(50).await,
        }
    };
    POOL.with_borrow_mut(|p| *p = Some(pool.clone()));
    Ok(pool)
}

fn busy(why: &str) -> String {
    format!(
        "the large datasets kept in this browser are open in another tab of this site \
         (close it, or open other data there): {why}"
    )
}

/// Lets other workers (other tabs) open the pool, unless a connection on
/// it is open (the pool then stays as it is).
pub fn release() {
    POOL.with_borrow(|p| {
        if let Some(pool) = p
            && !pool.is_paused()
        {
            let _ = pool.pause();
        }
    });
}

/// A new, empty database for dataset `key` (replacing one of that key),
/// set up for a load: no journal (a load that fails is dropped whole) and
/// a large cache.
pub async fn create(key: &str) -> Result<Connection, String> {
    use rsqlite_vfs_names::Files;
    let pool = pool().await?;
    let name = file_name(key);
    pool.remove_file(&name)?;
    pool.ensure_capacity(pool.file_count()? + SPARE_SLOTS)
        .await
        .map_err(|e| e.to_string())?;
    let conn = Connection::open_with_flags_and_vfs(
        &name,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        VFS,
    )
    .map_err(|e| format!("cannot create the database in the browser's storage: {e}"))?;
    conn.execute_batch(&format!(
        "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-{LOAD_CACHE_KIB};"
    ))
    .map_err(|e| e.to_string())?;
    Ok(conn)
}

/// Readies a loaded database for queries: a journal again (a change the
/// user allows is then all or nothing) and the query cache.
pub fn loaded(conn: &Connection) -> Result<(), String> {
    conn.execute_batch(&format!(
        "PRAGMA journal_mode=DELETE; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-{QUERY_CACHE_KIB};"
    ))
    .map_err(|e| e.to_string())
}

/// Opens dataset `key`'s database as it is.
pub async fn open(key: &str) -> Result<Connection, String> {
    use rsqlite_vfs_names::Files;
    let pool = pool().await?;
    let name = file_name(key);
    if !pool.has_file(&name)? {
        return Err("its database is no longer in the browser's storage".into());
    }
    pool.ensure_capacity(pool.file_count()? + SPARE_SLOTS)
        .await
        .map_err(|e| e.to_string())?;
    let conn = Connection::open_with_flags_and_vfs(
        &name,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        VFS,
    )
    .map_err(|e| e.to_string())?;
    loaded(&conn)?;
    Ok(conn)
}

/// Removes dataset `key`'s database (not open).
pub async fn remove(key: &str) -> Result<(), String> {
    use rsqlite_vfs_names::Files;
    let pool = pool().await?;
    pool.remove_file(&file_name(key))?;
    Ok(())
}

/// The database of pages kept of files read by ranges
/// ([`crate::db::pages`]), waiting briefly for the pool (a tab that holds
/// it keeps it); made if `create`, else an error when there is none.
pub async fn pages(create: bool) -> Result<Connection, String> {
    let pool = pool_within(PAGES_WAIT_MS).await?;
    pool.ensure_capacity(rsqlite_vfs_names::Files::file_count(&pool)? + SPARE_SLOTS)
        .await
        .map_err(|e| e.to_string())?;
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    Connection::open_with_flags_and_vfs(PAGES, flags, VFS).map_err(|e| e.to_string())
}

/// Bytes of the pages kept of files read by ranges (0 when there are
/// none, or another tab holds them). The pool is let go after, unless a
/// database in it is open.
pub async fn pages_kept() -> u64 {
    let bytes = match pages(false).await {
        Ok(conn) => conn
            .query_row("SELECT total(length(data)) FROM pages", [], |r| {
                r.get::<_, f64>(0)
            })
            .map_or(0, |n| n as u64),
        Err(_) => 0,
    };
    release();
    bytes
}

/// Removes the pages kept of files read by ranges (none may be open).
pub async fn forget_pages() -> Result<(), String> {
    let done = pages(false).await.and_then(|conn| {
        conn.execute_batch("DROP TABLE IF EXISTS pages; DROP TABLE IF EXISTS files; VACUUM;")
            .map_err(|e| e.to_string())
    });
    release();
    done
}

/// Removes the pool's databases that no kept dataset names (a load
/// stopped half-way), keeping those of `keys` and the kept pages.
pub async fn tidy(keys: &[String]) -> Result<(), String> {
    use rsqlite_vfs_names::Files;
    let pool = pool().await?;
    for name in pool.file_names()? {
        let kept = keys.iter().any(|k| file_name(k) == name);
        let journal = keys.iter().any(|k| name.starts_with(&file_name(k)));
        if !kept && !journal && !name.starts_with(PAGES) {
            // One still open (its key's index entry failed) stays.
            let _ = pool.remove_file(&name);
        }
    }
    Ok(())
}

/// The file-manager calls, with errors in words.
mod rsqlite_vfs_names {
    use sqlite_wasm_vfs::sahpool::OpfsSAHPoolUtil;

    pub trait Files {
        fn remove_file(&self, name: &str) -> Result<bool, String>;
        fn has_file(&self, name: &str) -> Result<bool, String>;
        fn file_names(&self) -> Result<Vec<String>, String>;
        fn file_count(&self) -> Result<usize, String>;
    }

    impl Files for OpfsSAHPoolUtil {
        fn remove_file(&self, name: &str) -> Result<bool, String> {
            rsqlite_vfs::VfsFilesManager::remove(self, name).map_err(|e| e.to_string())
        }
        fn has_file(&self, name: &str) -> Result<bool, String> {
            rsqlite_vfs::VfsFilesManager::contains(self, name).map_err(|e| e.to_string())
        }
        fn file_names(&self) -> Result<Vec<String>, String> {
            rsqlite_vfs::VfsFilesManager::names(self).map_err(|e| e.to_string())
        }
        fn file_count(&self) -> Result<usize, String> {
            rsqlite_vfs::VfsFilesManager::len(self).map_err(|e| e.to_string())
        }
    }
}
