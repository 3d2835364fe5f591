//! Reading an SQLite database a piece at a time from a source of byte
//! ranges (a static host answering HTTP `Range` requests; natively, a file):
//! an SQLite VFS whose files are read-only views of one source each, with a
//! cache of bounded size (least recently used blocks go first) and
//! read-ahead that doubles while reads are sequential (up to three
//! sequential reads followed at once, as a scan of a table and its index
//! interleave). It counts the requests and bytes it asks of its source,
//! which is what a reader over the network pays.
//!
//! The VFS is written once, on `rsqlite-vfs`, for SQLite natively and in
//! the browser; only the source differs.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use rsqlite_vfs::{
    AccessMode, LockLevel, OpenAccess, OpenOptions, OpenRequest, OpenedFile, OsCallback,
    SQLiteIoMethods, SQLiteVfs, SyncOptions, VfsError, VfsErrorCode, VfsFile, VfsResult, VfsStore,
    register_vfs,
};
use rusqlite::{Connection, OpenFlags};

use super::pages::PageStore;

/// The VFS's name in SQLite.
pub const VFS: &str = "greenboard-lazy";

/// A source of byte ranges: what the VFS reads the database from.
pub trait Ranges: Send + Sync {
    /// The source's size in bytes.
    fn size(&self) -> Result<u64, String>;
    /// Bytes `offset..offset + len` (fewer only at the end of the source).
    fn fetch(&self, offset: u64, len: u64) -> Result<Vec<u8>, String>;
}

/// How the VFS reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// The unit of reading and caching, in bytes.
    pub block: u64,
    /// Bytes the cache holds at most.
    pub cache_bytes: u64,
    /// Bytes read ahead at most, while reads are sequential (whatever the
    /// block: small pages read ahead in as few requests as large ones).
    pub most_ahead_bytes: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            block: 4096,
            cache_bytes: 64 << 20,
            most_ahead_bytes: 16 << 20,
        }
    }
}

/// What reading has cost so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Requests made of the source.
    pub requests: u64,
    /// Bytes the source gave.
    pub bytes: u64,
    /// Bytes in the cache now.
    pub cached: u64,
    /// Bytes read from the pages kept of an earlier visit, not fetched.
    pub kept: u64,
}

/// One source opened, shared by its file handles.
struct Shared {
    source: Box<dyn Ranges>,
    size: u64,
    options: Options,
    state: Mutex<State>,
}

/// The cache and the read-ahead.
#[derive(Default)]
struct State {
    /// Block number → its bytes and when it was last used.
    blocks: HashMap<u64, (Vec<u8>, u64)>,
    clock: u64,
    /// Sequential reads under way (a scan of a table and of its index go
    /// on at once, interleaved): the block each would ask for next and the
    /// blocks it read ahead last, least recently moved first.
    heads: Vec<(u64, u64)>,
    stats: Stats,
    /// Why the source failed last, for the error SQLite reports.
    failed: Option<String>,
    /// Bytes the reads may fetch from `mark` on (`None`: no bound); the
    /// pages kept of an earlier visit count as fetched, so that a query
    /// stops where it stopped then, and a revisit fetches nothing new.
    budget: Option<u64>,
    /// What had been fetched (or read from the pages kept) when the budget
    /// was set.
    mark: u64,
    /// Whether a read was refused for going over the budget.
    over: bool,
    /// Where fetched blocks are kept across visits, if anywhere.
    store: Option<PageStore>,
    /// The blocks the store holds, in order.
    held: Vec<u64>,
}

impl Shared {
    /// Fills `buf` from `offset`, fetching the blocks not cached in one
    /// request (and more ahead when reads are sequential).
    fn read(&self, buf: &mut [u8], offset: u64) -> Result<usize, String> {
        if buf.is_empty() || offset >= self.size {
            return Ok(0);
        }
        let block = self.options.block;
        let end = (offset + buf.len() as u64).min(self.size);
        let (first, last) = (offset / block, (end - 1) / block);
        let mut guard = self
            .state
            .lock()
            .map_err(|_| "the cache is poisoned".to_string())?;
        let s = &mut *guard;
        // Blocks kept of an earlier visit come from the store.
        if let Some(store) = &s.store {
            for b in first..=last {
                if let Ok(at) = s.held.binary_search(&b)
                    && !s.blocks.contains_key(&b)
                {
                    match store.get(b) {
                        Some(bytes) => {
                            s.stats.kept += bytes.len() as u64;
                            s.stats.cached += bytes.len() as u64;
                            s.blocks.insert(b, (bytes, 0));
                        }
                        None => {
                            s.held.remove(at);
                        }
                    }
                }
            }
        }
        // The sequential read this one goes on with (at its next block, or
        // a little past it: a B-tree's leaves skip the odd interior page),
        // else a new one in place of the one moved least recently.
        let (mut ahead, sequential) = match s.heads.iter().position(|&(next, ahead)| {
            first > 0 && next <= first && first <= next + ahead.max(1) * 2
        }) {
            Some(i) => (s.heads.remove(i).1, true),
            None => {
                if s.heads.len() >= READ_HEADS {
                    s.heads.remove(0);
                }
                (0, false)
            }
        };
        let missing = (first..=last).find(|b| !s.blocks.contains_key(b));
        if let Some(from) = missing {
            ahead = if sequential {
                // Never more than half the cache holds.
                let most = self
                    .options
                    .most_ahead_bytes
                    .min(self.options.cache_bytes / 2);
                (ahead * 2).clamp(1, (most / block).max(1))
            } else {
                0
            };
            // The blocks wanted but not cached, then those read ahead up
            // to the first one cached: nothing is fetched twice.
            let to = (from..=last)
                .rev()
                .find(|b| !s.blocks.contains_key(b))
                .unwrap_or(from);
            let mut upto = to + 1;
            if to == last {
                let most = (last + 1 + ahead).min(self.size.div_ceil(block));
                while upto < most
                    && !s.blocks.contains_key(&upto)
                    && s.held.binary_search(&upto).is_err()
                {
                    upto += 1;
                }
            }
            let start = from * block;
            // Within a budget, read-ahead takes what is left of it; the
            // blocks wanted must fit.
            if let Some(budget) = s.budget {
                let left = (budget + s.mark).saturating_sub(s.stats.bytes + s.stats.kept);
                if ((to + 1) * block).min(self.size) - start > left {
                    s.over = true;
                    return Err(format!("{OVER_BUDGET} of {budget} bytes"));
                }
                upto = upto.min(from + left / block).max(to + 1);
            }
            let len = (upto * block).min(self.size) - start;
            let bytes = self.source.fetch(start, len)?;
            if (bytes.len() as u64) < len {
                return Err(format!(
                    "the source gave {} bytes at {start}, not {len}",
                    bytes.len()
                ));
            }
            s.stats.requests += 1;
            s.stats.bytes += len;
            // A store that fails keeps nothing more; reading goes on.
            if let Some(store) = &mut s.store
                && store.put(from, &bytes).unwrap_or(false)
            {
                // None of them was held: they were fetched.
                let at = s.held.partition_point(|&b| b < from);
                s.held.splice(at..at, from..upto);
            }
            for (i, chunk) in bytes.chunks(block as usize).enumerate() {
                let b = from + i as u64;
                if let Some((old, _)) = s.blocks.insert(b, (chunk.to_vec(), 0)) {
                    s.stats.cached -= old.len() as u64;
                }
                s.stats.cached += chunk.len() as u64;
            }
        }
        s.heads.push((last + 1, ahead));
        // Copy out, marking the blocks used.
        let mut done = 0;
        for b in first..=last {
            s.clock += 1;
            let clock = s.clock;
            let (bytes, used) = s.blocks.get_mut(&b).ok_or("a block went missing")?;
            *used = clock;
            let at = (offset + done as u64 - b * block) as usize;
            let n = (bytes.len() - at).min(buf.len() - done);
            buf[done..done + n].copy_from_slice(&bytes[at..at + n]);
            done += n;
        }
        // Least recently used first, never the blocks just read: one sort
        // for all that must go (one scan a block would cost a cache of
        // small pages a scan of thousands for each block fetched).
        if s.stats.cached > self.options.cache_bytes {
            let mut order: Vec<(u64, u64)> = s
                .blocks
                .iter()
                .filter(|(b, _)| !(first..=last).contains(*b))
                .map(|(&b, &(_, used))| (used, b))
                .collect();
            order.sort_unstable();
            for (_, b) in order {
                if s.stats.cached <= self.options.cache_bytes {
                    break;
                }
                if let Some((old, _)) = s.blocks.remove(&b) {
                    s.stats.cached -= old.len() as u64;
                }
            }
        }
        Ok(done)
    }
}

/// Sequential reads followed at once.
const READ_HEADS: usize = 3;

/// What a read refused for going over the budget says.
pub const OVER_BUDGET: &str = "reading on would go over the budget";

/// The sources opened, by the file name SQLite opens them under.
#[derive(Default)]
struct Sources {
    open: Mutex<HashMap<String, Arc<Shared>>>,
}

/// A read-only file handle on a source.
struct LazyFile(Arc<Shared>);

fn io_error(message: String) -> VfsError {
    VfsError::new(VfsErrorCode::IoRead, message.into())
}

impl VfsFile for LazyFile {
    fn read(&mut self, buf: &mut [u8], offset: u64) -> VfsResult<usize> {
        self.0.read(buf, offset).map_err(|e| {
            if let Ok(mut s) = self.0.state.lock() {
                s.failed = Some(e.clone());
            }
            io_error(e)
        })
    }

    fn write(&mut self, _buf: &[u8], _offset: u64) -> VfsResult<()> {
        Err(VfsError::new(
            VfsErrorCode::ReadOnly,
            "read over HTTP".into(),
        ))
    }

    fn truncate(&mut self, _size: u64) -> VfsResult<()> {
        Err(VfsError::new(
            VfsErrorCode::ReadOnly,
            "read over HTTP".into(),
        ))
    }

    fn sync(&mut self, _options: SyncOptions) -> VfsResult<()> {
        Ok(())
    }

    fn size(&self) -> VfsResult<u64> {
        Ok(self.0.size)
    }

    fn lock(&mut self, _level: LockLevel) -> VfsResult<()> {
        Ok(())
    }

    fn unlock(&mut self, _level: LockLevel) -> VfsResult<()> {
        Ok(())
    }

    fn check_reserved_lock(&self) -> VfsResult<bool> {
        Ok(false)
    }
}

struct Store;

impl VfsStore for Store {
    type File = LazyFile;
    type AppData = Sources;

    fn open_file(data: &Sources, request: OpenRequest<'_>) -> VfsResult<OpenedFile<LazyFile>> {
        let name = request.filename.map(|f| f.path().to_string());
        let shared = name.and_then(|n| data.open.lock().ok()?.get(&n).cloned());
        match shared {
            Some(shared) if request.options.kind() == Some(rsqlite_vfs::FileKind::MainDb) => {
                Ok(OpenedFile {
                    file: LazyFile(shared),
                    access: OpenAccess::ReadOnly,
                })
            }
            _ => Err(VfsError::new(
                VfsErrorCode::CantOpen,
                "only the database itself is read over HTTP".into(),
            )),
        }
    }

    fn close_file(
        _data: &Sources,
        _name: Option<&str>,
        _file: LazyFile,
        _options: OpenOptions,
    ) -> VfsResult<()> {
        Ok(())
    }

    fn access(data: &Sources, name: &str, _mode: AccessMode) -> VfsResult<bool> {
        Ok(data.open.lock().is_ok_and(|o| o.contains_key(name)))
    }

    fn full_pathname(_data: &Sources, name: &str) -> VfsResult<String> {
        Ok(name.to_string())
    }

    fn delete_file(_data: &Sources, _name: &str, _sync_dir: bool) -> VfsResult<()> {
        Err(VfsError::new(
            VfsErrorCode::ReadOnly,
            "read over HTTP".into(),
        ))
    }
}

struct Io;

impl SQLiteIoMethods for Io {
    type Store = Store;
}

/// The platform's services: those of SQLite's default VFS.
struct Os;

/// SQLite's default VFS.
fn default_vfs() -> *mut rusqlite::ffi::sqlite3_vfs {
    // SAFETY: asks SQLite for its default VFS, which it keeps for the
    // process's life.
    unsafe { rusqlite::ffi::sqlite3_vfs_find(std::ptr::null()) }
}

impl OsCallback for Os {
    fn sleep(&self, dur: std::time::Duration) {
        let vfs = default_vfs();
        // SAFETY: the default VFS and its method, when SQLite has one.
        if let Some(sleep) = (!vfs.is_null()).then(|| unsafe { (*vfs).xSleep }).flatten() {
            unsafe { sleep(vfs, dur.as_micros().min(i32::MAX as u128) as i32) };
        }
    }

    fn random(&self, buf: &mut [u8]) -> usize {
        let n = buf.len().min(i32::MAX as usize);
        // SAFETY: `buf` is valid for `n` bytes.
        unsafe { rusqlite::ffi::sqlite3_randomness(n as i32, buf.as_mut_ptr().cast()) };
        n
    }

    fn epoch_timestamp_in_ms(&self) -> VfsResult<i64> {
        /// The Unix epoch as a Julian day number in milliseconds.
        const UNIX_EPOCH_JULIAN_MS: i64 = 210_866_760_000_000;
        let vfs = default_vfs();
        let mut now = 0i64;
        // SAFETY: the default VFS and its method, when SQLite has one.
        match (!vfs.is_null())
            .then(|| unsafe { (*vfs).xCurrentTimeInt64 })
            .flatten()
        {
            Some(time) if unsafe { time(vfs, &mut now) } == 0 => Ok(now - UNIX_EPOCH_JULIAN_MS),
            _ => Err(VfsError::new(VfsErrorCode::Error, "no clock".into())),
        }
    }
}

struct Lazy;

impl SQLiteVfs<Io> for Lazy {
    type Os = Os;

    fn os(_data: &Sources) -> &Os {
        &Os
    }
}

/// The VFS, registered once per process; its sources.
fn sources() -> Result<&'static Sources, String> {
    static REGISTERED: OnceLock<Result<usize, String>> = OnceLock::new();
    let app = REGISTERED.get_or_init(|| {
        // SAFETY: `Lazy`, `Io` and `Store` agree on `Sources`, which the
        // registration owns for the life of the process (it is never
        // unregistered); `Sources` guards itself with a mutex.
        let vfs = unsafe { register_vfs::<Io, Lazy>(VFS, Sources::default(), false) }
            .map_err(|e| format!("cannot register the {VFS} VFS: {e}"))?;
        Ok(vfs.into_raw() as usize)
    });
    let vfs = app.clone()? as *const rsqlite_vfs::ffi::sqlite3_vfs;
    // SAFETY: the VFS registered above carries `VfsAppData<Sources>`, kept
    // for the life of the process.
    Ok(unsafe { rsqlite_vfs::VfsAppData::<Sources>::get(vfs) })
}

/// A database read from a source, with what reading it has cost.
pub struct Opened {
    /// The connection (read-only).
    pub conn: Connection,
    /// The source as read so far.
    pub reading: Reading,
}

impl Opened {
    /// What reading has cost so far.
    pub fn stats(&self) -> Stats {
        self.reading.stats()
    }

    /// Why the source failed last, if it did.
    pub fn failure(&self) -> Option<String> {
        self.reading.failure()
    }
}

/// An opened source: what reading it has cost, and why it failed. The
/// connection holds the source for as long as it is open; this handle
/// only names it, so either may go first.
pub struct Reading {
    shared: Arc<Shared>,
    name: String,
}

impl Reading {
    /// What reading has cost so far.
    pub fn stats(&self) -> Stats {
        self.shared
            .state
            .lock()
            .map(|s| s.stats)
            .unwrap_or_default()
    }

    /// Why the source failed last, if it did.
    pub fn failure(&self) -> Option<String> {
        self.shared.state.lock().ok()?.failed.clone()
    }

    /// The source's size in bytes.
    pub fn size(&self) -> u64 {
        self.shared.size
    }

    /// Lets reads from now on fetch at most `budget` bytes (`None`: no
    /// bound); a read that would fetch more fails, and
    /// [`Reading::over_budget`] says so.
    pub fn limit(&self, budget: Option<u64>) {
        if let Ok(mut s) = self.shared.state.lock() {
            s.budget = budget;
            s.mark = s.stats.bytes + s.stats.kept;
            s.over = false;
            s.failed = None;
        }
    }

    /// Keeps no more of what is fetched, and reads nothing more of what
    /// was kept: the pages kept are being removed.
    pub fn keep_nothing(&self) {
        if let Ok(mut s) = self.shared.state.lock() {
            s.store = None;
            s.held.clear();
        }
    }

    /// Whether a read was refused for going over the budget since it was
    /// set; if so, the bytes fetched (or read from the pages kept)
    /// meanwhile.
    pub fn over_budget(&self) -> Option<u64> {
        let s = self.shared.state.lock().ok()?;
        s.over.then(|| s.stats.bytes + s.stats.kept - s.mark)
    }
}

impl Drop for Reading {
    fn drop(&mut self) {
        if let Ok(s) = sources()
            && let Ok(mut open) = s.open.lock()
        {
            open.remove(&self.name);
        }
    }
}

/// Whether SQLite's file `name` (as `pragma_database_list` gives it) is a
/// source read through this VFS.
pub fn reads(name: &str) -> bool {
    sources().is_ok_and(|s| s.open.lock().is_ok_and(|o| o.contains_key(name)))
}

/// Opens the SQLite database `source` holds, read-only, reading it as
/// queries need it.
pub fn open(source: impl Ranges + 'static, options: Options) -> Result<Opened, String> {
    open_keeping(source, options, None)
}

/// Opens the SQLite database `source` holds, as [`open`] does, reading
/// the blocks `kept` holds from it and keeping there those it fetches
/// (with the blocks it holds, as [`PageStore::open`] gives them).
pub fn open_keeping(
    source: impl Ranges + 'static,
    options: Options,
    kept: Option<(PageStore, Vec<u64>)>,
) -> Result<Opened, String> {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let sources = sources()?;
    let size = source.size()?;
    let name = format!(
        "lazy-{}.db",
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    let shared = Arc::new(Shared {
        source: Box::new(source),
        size,
        options,
        state: Mutex::new(match kept {
            Some((store, held)) => State {
                store: Some(store),
                held,
                ..State::default()
            },
            None => State::default(),
        }),
    });
    sources
        .open
        .lock()
        .map_err(|_| "the sources are poisoned".to_string())?
        .insert(name.clone(), shared.clone());
    // Immutable: SQLite looks for no journal and takes no lock.
    let conn = Connection::open_with_flags_and_vfs(
        format!("file:{name}?immutable=1"),
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI,
        VFS,
    )
    .map_err(|e| e.to_string())?;
    // Temporary tables and sorts stay in memory: the VFS has no files
    // but the database.
    conn.execute_batch("PRAGMA temp_store = memory")
        .map_err(|e| e.to_string())?;
    Ok(Opened {
        conn,
        reading: Reading { shared, name },
    })
}
