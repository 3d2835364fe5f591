//! Datasets kept in the browser: every load is stored as SQLite database
//! files in the Origin Private File System (OPFS), written and read with
//! the dedicated worker's synchronous access handles (no special headers
//! needed, and a handle is held only while a file is read or written, so
//! other tabs of the site keep theirs). A later visit, a new worker after
//! Stop or a crash, or an address naming a kept dataset (`?kept=KEY`) opens
//! it again without fetching or parsing anything.
//!
//! Each dataset is one file per schema (`KEY.main`, `KEY.build`, …) as it
//! was loaded; changes the user allowed go to a second file per schema
//! (`KEY.main.changed`), so that “Reset to the original” needs nothing but
//! the first. An index file lists the datasets, their sources and the
//! validators (`ETag`, `Last-Modified`) their addresses answered with; it is
//! written after the files it names, so it never names a half-written one.

use std::io::Read;

use js_sys::{Promise, Reflect};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    FileSystemDirectoryHandle, FileSystemFileHandle, FileSystemGetDirectoryOptions,
    FileSystemGetFileOptions, FileSystemReadWriteOptions, FileSystemSyncAccessHandle,
};

use crate::protocol::{Cell, KeptInfo, LoadSummary, Opened};

/// The OPFS directory of the kept datasets.
const DIRECTORY: &str = "greenboard";
/// The index of kept datasets.
const INDEX: &str = "index.2";
/// The index as the first version wrote it (without [`Entry::in_place`]),
/// read until the new one is written.
const FIRST_INDEX: &str = "index";
/// Bytes written or read in one call.
const CHUNK: usize = 8 << 20;
/// How long to wait for a file another worker still holds (one stopped an
/// instant ago, or another tab's), in milliseconds.
const WAIT_FOR_HANDLE_MS: f64 = 3000.0;

/// An address's validators, as it answered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validators {
    /// `ETag`.
    pub etag: Option<String>,
    /// `Last-Modified`.
    pub last_modified: Option<String>,
}

/// One source of a kept dataset, as the index records it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeptSource {
    /// `None`: `main`.
    pub schema: Option<String>,
    /// The address, when it was fetched.
    pub url: Option<String>,
    /// What the address answered with.
    pub validators: Validators,
}

/// A kept dataset in the index.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    info: KeptInfo,
    sources: Vec<KeptSource>,
    /// Whether it is one database queried in place ([`crate::in_place`])
    /// rather than files opened into memory.
    in_place: bool,
}

/// An entry of [`FIRST_INDEX`].
#[derive(Deserialize)]
struct FirstEntry {
    info: KeptInfo,
    sources: Vec<KeptSource>,
}

fn js_error(e: &JsValue) -> String {
    Reflect::get(e, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "unknown error".into())
}

/// Waits `ms` milliseconds.
pub async fn sleep(ms: i32) {
    let promise = Promise::new(&mut |resolve, _| {
        let scope: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
        let _ = scope.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = JsFuture::from(promise).await;
}

async fn wait<T: JsCast>(promise: Promise) -> Result<T, String> {
    JsFuture::from(promise)
        .await
        .map(JsCast::unchecked_into)
        .map_err(|e| storage_words(&e))
}

/// What a refusal of the browser's storage means, in words.
fn storage_words(e: &JsValue) -> String {
    let name = Reflect::get(e, &"name".into())
        .ok()
        .and_then(|n| n.as_string())
        .unwrap_or_default();
    match name.as_str() {
        "QuotaExceededError" => {
            "the browser's storage for this site is full (remove a dataset under “Kept in this browser”)"
                .into()
        }
        "SecurityError" | "NotAllowedError" => {
            "this browser does not let the page keep data here (a private window?)".into()
        }
        _ => format!("the browser's storage refused: {}", js_error(e)),
    }
}

/// The directory of kept datasets, or why there is none.
async fn directory() -> Result<FileSystemDirectoryHandle, String> {
    let scope: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
    let storage = scope.navigator().storage();
    if Reflect::get(&storage, &"getDirectory".into()).is_ok_and(|f| f.is_undefined()) {
        return Err("this browser has no Origin Private File System".into());
    }
    let root: FileSystemDirectoryHandle = wait(storage.get_directory()).await?;
    let options = FileSystemGetDirectoryOptions::new();
    options.set_create(true);
    wait(root.get_directory_handle_with_options(DIRECTORY, &options)).await
}

/// An exclusive handle on file `name` (created if `create`), waiting a
/// while for one another worker still holds.
async fn handle(
    dir: &FileSystemDirectoryHandle,
    name: &str,
    create: bool,
) -> Result<FileSystemSyncAccessHandle, String> {
    let options = FileSystemGetFileOptions::new();
    options.set_create(create);
    let file: FileSystemFileHandle = wait(dir.get_file_handle_with_options(name, &options)).await?;
    let started = js_sys::Date::now();
    loop {
        match JsFuture::from(file.create_sync_access_handle()).await {
            Ok(h) => return Ok(h.unchecked_into()),
            Err(e)
                if js_sys::Date::now() - started < WAIT_FOR_HANDLE_MS
                    && Reflect::get(&e, &"name".into())
                        .ok()
                        .and_then(|n| n.as_string())
                        .as_deref()
                        == Some("NoModificationAllowedError") =>
            {
                sleep(30).await;
            }
            Err(e) => return Err(storage_words(&e)),
        }
    }
}

fn at(offset: usize) -> FileSystemReadWriteOptions {
    let options = FileSystemReadWriteOptions::new();
    options.set_at(offset as f64);
    options
}

/// Writes `bytes` as file `name`, replacing it.
async fn write(dir: &FileSystemDirectoryHandle, name: &str, bytes: &[u8]) -> Result<(), String> {
    let h = handle(dir, name, true).await?;
    let written = (|| {
        h.truncate_with_f64(0.0)?;
        for (i, chunk) in bytes.chunks(CHUNK).enumerate() {
            h.write_with_u8_array_and_options(chunk, &at(i * CHUNK))?;
        }
        h.flush()
    })();
    h.close();
    written.map_err(|e| storage_words(&e))
}

/// File `name` read whole.
async fn read(dir: &FileSystemDirectoryHandle, name: &str) -> Result<Vec<u8>, String> {
    let h = handle(dir, name, false).await?;
    let mut bytes = vec![0; h.get_size().unwrap_or(0.0) as usize];
    let read = h.read_with_u8_array_and_options(&mut bytes, &at(0));
    h.close();
    read.map_err(|e| storage_words(&e))?;
    Ok(bytes)
}

async fn remove_file(dir: &FileSystemDirectoryHandle, name: &str) {
    let _ = JsFuture::from(dir.remove_entry(name)).await;
}

/// The index; empty when there is none (or it cannot be read: its files
/// are then left unnamed, as if not kept).
async fn index(dir: &FileSystemDirectoryHandle) -> Vec<Entry> {
    if let Ok(bytes) = read(dir, INDEX).await {
        return postcard::from_bytes(&bytes).unwrap_or_default();
    }
    match read(dir, FIRST_INDEX).await {
        Ok(bytes) => postcard::from_bytes::<Vec<FirstEntry>>(&bytes)
            .unwrap_or_default()
            .into_iter()
            .map(|e| Entry {
                info: e.info,
                sources: e.sources,
                in_place: false,
            })
            .collect(),
        Err(_) => Vec::new(),
    }
}

async fn save_index(dir: &FileSystemDirectoryHandle, entries: &[Entry]) -> Result<(), String> {
    let bytes = postcard::to_allocvec(entries).map_err(|e| e.to_string())?;
    write(dir, INDEX, &bytes).await?;
    remove_file(dir, FIRST_INDEX).await;
    Ok(())
}

/// What is remembered of a kept dataset as it is now, so that opening it
/// again does not have to work it out: what [`crate::db::describe`] said of
/// it, and the dashboard's answers. Dropped with any change to the data.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Remembered {
    /// The load summary, as described.
    pub described: Option<LoadSummary>,
    /// Answers of the dashboard's queries: SQL, columns, rows.
    pub answers: Vec<(String, Vec<String>, Vec<Vec<Cell>>)>,
    /// Whether it holds more than what the browser keeps of it.
    #[serde(skip)]
    pub changed: bool,
}

/// The file of what is remembered of dataset `key`.
fn remembered_name(key: &str) -> String {
    format!("{key}.remembered")
}

/// What is remembered of dataset `key` (nothing, if it cannot be read).
pub async fn remembered(key: &str) -> Remembered {
    let Ok(dir) = directory().await else {
        return Remembered::default();
    };
    match read(&dir, &remembered_name(key)).await {
        Ok(bytes) => postcard::from_bytes(&bytes).unwrap_or_default(),
        Err(_) => Remembered::default(),
    }
}

/// Remembers `what` of dataset `key`, if it is still kept.
pub async fn remember(key: &str, what: &Remembered) -> Result<(), String> {
    let dir = directory().await?;
    if !index(&dir).await.iter().any(|e| e.info.key == key) {
        return Ok(());
    }
    let bytes = postcard::to_allocvec(what).map_err(|e| e.to_string())?;
    write(&dir, &remembered_name(key), &bytes).await
}

/// Forgets what is remembered of dataset `key` (its data changed).
pub async fn forget(key: &str) {
    if let Ok(dir) = directory().await {
        remove_file(&dir, &remembered_name(key)).await;
    }
}

/// The file of `schema` of dataset `key`; `changed`: its changed copy.
fn file_name(key: &str, schema: &str, changed: bool) -> String {
    format!("{key}.{schema}{}", if changed { ".changed" } else { "" })
}

/// Whether the browser keeps data for this site, and if not, why.
pub async fn available() -> Result<(), String> {
    directory().await.map(|_| ())
}

/// The sources dataset `key` was kept with, if it is kept.
pub async fn sources_of(key: &str) -> Option<Vec<KeptSource>> {
    let dir = directory().await.ok()?;
    index(&dir)
        .await
        .into_iter()
        .find(|e| e.info.key == key)
        .map(|e| e.sources)
}

/// Writes each schema of `conn` named by `schemas` as a file of dataset
/// `key` (`changed`: as its changed copy). Returns the bytes written.
async fn write_schemas(
    dir: &FileSystemDirectoryHandle,
    key: &str,
    schemas: &[String],
    conn: &mut Connection,
    changed: bool,
) -> Result<u64, String> {
    let mut bytes = 0;
    for schema in schemas {
        let data = conn
            .serialize(schema.as_str())
            .map_err(|e| format!("cannot copy the {schema} database: {e}"))?;
        write(dir, &file_name(key, schema, changed), &data).await?;
        bytes += data.len() as u64;
    }
    Ok(bytes)
}

fn schemas_of(sources: &[KeptSource]) -> Vec<String> {
    sources
        .iter()
        .map(|s| s.schema.clone().unwrap_or_else(|| "main".into()))
        .collect()
}

/// Keeps what `conn` holds as dataset `key`: each schema of `sources` as
/// loaded, with the validators of their addresses, replacing what was kept
/// under that key. Returns the dataset as the Data menu lists it.
pub async fn save(
    key: &str,
    label: &str,
    sources: Vec<KeptSource>,
    conn: &mut Connection,
) -> Result<KeptInfo, String> {
    let dir = directory().await?;
    let entries = unindex(&dir, key).await?;
    let bytes = write_schemas(&dir, key, &schemas_of(&sources), conn, false).await?;
    index_first(&dir, entries, key, label, sources, bytes, false).await
}

/// Names dataset `key`, just written, first in the index (before the other
/// `entries`); gives what the Data menu says of it.
async fn index_first(
    dir: &FileSystemDirectoryHandle,
    mut entries: Vec<Entry>,
    key: &str,
    label: &str,
    sources: Vec<KeptSource>,
    bytes: u64,
    in_place: bool,
) -> Result<KeptInfo, String> {
    let info = KeptInfo {
        key: key.to_string(),
        label: label.to_string(),
        urls: sources.iter().filter_map(|s| s.url.clone()).collect(),
        bytes,
        loaded_at: js_sys::Date::now(),
        opened: Opened::Loaded,
        changed: false,
    };
    entries.insert(
        0,
        Entry {
            info: info.clone(),
            sources,
            in_place,
        },
    );
    save_index(dir, &entries).await?;
    Ok(info)
}

/// Takes dataset `key` out of the index, before its files are written (the
/// index never names a file being written), and removes what it had that
/// the new files will not replace. Returns the other entries.
async fn unindex(dir: &FileSystemDirectoryHandle, key: &str) -> Result<Vec<Entry>, String> {
    let mut entries = index(dir).await;
    if let Some(old) = entries.iter().position(|e| e.info.key == key) {
        let old = entries.remove(old);
        save_index(dir, &entries).await?;
        remove_files(dir, &old).await;
    }
    Ok(entries)
}

/// Removes the files of `entry` (an in-place database must not be open).
async fn remove_files(dir: &FileSystemDirectoryHandle, entry: &Entry) {
    let key = &entry.info.key;
    remove_file(dir, &remembered_name(key)).await;
    if entry.in_place {
        if let Err(e) = crate::in_place::remove(key).await {
            web_sys::console::warn_1(&format!("cannot remove {key}: {e}").into());
        }
        return;
    }
    for schema in schemas_of(&entry.sources) {
        remove_file(dir, &file_name(key, &schema, false)).await;
        remove_file(dir, &file_name(key, &schema, true)).await;
    }
}

/// Starts keeping dataset `key` as a database queried in place: what was
/// kept under that key goes (its in-place database, being replaced, must
/// be closed), and the keys of the other in-place datasets are returned,
/// for [`crate::in_place::tidy`].
pub async fn begin_in_place(key: &str) -> Result<Vec<String>, String> {
    let dir = directory().await?;
    let entries = unindex(&dir, key).await?;
    Ok(entries
        .into_iter()
        .filter(|e| e.in_place)
        .map(|e| e.info.key)
        .collect())
}

/// Keeps the database queried in place that `key` names, once loaded.
pub async fn save_in_place(
    key: &str,
    label: &str,
    sources: Vec<KeptSource>,
    bytes: u64,
) -> Result<KeptInfo, String> {
    let dir = directory().await?;
    let mut entries = index(&dir).await;
    entries.retain(|e| e.info.key != key);
    index_first(&dir, entries, key, label, sources, bytes, true).await
}

/// Whether dataset `key` is kept as a database queried in place.
pub async fn is_in_place(key: &str) -> bool {
    let Ok(dir) = directory().await else {
        return false;
    };
    index(&dir)
        .await
        .iter()
        .any(|e| e.info.key == key && e.in_place)
}

/// Keeps the data as the user changed it (the originals stay, for Reset).
pub async fn save_changes(key: &str, conn: &mut Connection) -> Result<(), String> {
    let dir = directory().await?;
    let mut entries = index(&dir).await;
    let Some(i) = entries.iter().position(|e| e.info.key == key) else {
        return Err(format!("no dataset {key} is kept"));
    };
    remove_file(&dir, &remembered_name(key)).await;
    if entries[i].in_place {
        // The changes are in its database already.
        if !entries[i].info.changed {
            entries[i].info.changed = true;
            save_index(&dir, &entries).await?;
        }
        return Ok(());
    }
    if entries[i].info.changed {
        entries[i].info.changed = false;
        save_index(&dir, &entries).await?;
    }
    let schemas = schemas_of(&entries[i].sources);
    write_schemas(&dir, key, &schemas, conn, true).await?;
    entries[i].info.changed = true;
    save_index(&dir, &entries).await
}

/// Drops the changes made to dataset `key`: it is as loaded again.
pub async fn drop_changes(key: &str) -> Result<(), String> {
    let dir = directory().await?;
    let mut entries = index(&dir).await;
    let Some(entry) = entries.iter_mut().find(|e| e.info.key == key) else {
        return Err(format!("no dataset {key} is kept"));
    };
    if entry.in_place {
        return Err(format!(
            "{} is queried in place, with no copy as loaded to go back to",
            entry.info.label
        ));
    }
    entry.info.changed = false;
    let schemas = schemas_of(&entry.sources);
    save_index(&dir, &entries).await?;
    remove_file(&dir, &remembered_name(key)).await;
    for schema in &schemas {
        remove_file(&dir, &file_name(key, schema, true)).await;
    }
    Ok(())
}

/// Removes dataset `key` from the browser.
pub async fn remove(key: &str) -> Result<(), String> {
    let dir = directory().await?;
    let mut entries = index(&dir).await;
    let Some(i) = entries.iter().position(|e| e.info.key == key) else {
        return Ok(());
    };
    let entry = entries.remove(i);
    save_index(&dir, &entries).await?;
    remove_files(&dir, &entry).await;
    Ok(())
}

/// Reads a kept file in chunks, for SQLite's deserialize: the file's bytes
/// go straight into SQLite's memory.
struct Reader {
    handle: FileSystemSyncAccessHandle,
    offset: usize,
}

impl Read for Reader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let len = buf.len().min(CHUNK);
        let n = self
            .handle
            .read_with_u8_array_and_options(&mut buf[..len], &at(self.offset))
            .map_err(|e| std::io::Error::other(js_error(&e)))? as usize;
        self.offset += n;
        Ok(n)
    }
}

/// Opens dataset `key` into `conn` (in memory): its changed copy if there
/// is one, else as loaded; or, kept in place, replaces `conn` with a
/// connection to its database. Returns what the Data menu says of it, and
/// whether it is in place.
pub async fn open(key: &str, conn: &mut Connection) -> Result<(KeptInfo, bool), String> {
    let dir = directory().await?;
    let entry = index(&dir)
        .await
        .into_iter()
        .find(|e| e.info.key == key)
        .ok_or_else(|| format!("no dataset {key} is kept in this browser"))?;
    let label = &entry.info.label;
    if entry.in_place {
        *conn = crate::in_place::open(key).await.map_err(|e| {
            format!("the copy of {label} kept in this browser cannot be opened: {e}")
        })?;
        return Ok((entry.info, true));
    }
    for schema in schemas_of(&entry.sources) {
        let name = file_name(key, &schema, entry.info.changed);
        let handle = handle(&dir, &name, false).await?;
        let size = handle.get_size().unwrap_or(0.0) as usize;
        if schema != "main" {
            conn.execute(&format!("ATTACH ':memory:' AS \"{schema}\""), [])
                .map_err(|e| format!("cannot attach {schema}: {e}"))?;
        }
        let opened = conn.deserialize_read_exact(
            schema.as_str(),
            Reader {
                handle: handle.clone(),
                offset: 0,
            },
            size,
            false,
        );
        handle.close();
        opened.map_err(|e| {
            format!("the copy of {label} kept in this browser cannot be opened: {e}")
        })?;
    }
    Ok((entry.info, false))
}

/// Every kept dataset, newest first.
pub async fn list() -> Result<Vec<KeptInfo>, String> {
    let dir = directory().await?;
    Ok(index(&dir).await.into_iter().map(|e| e.info).collect())
}

/// The bytes this site uses and may use, as the browser estimates them.
pub async fn usage() -> Option<(f64, f64)> {
    let scope: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
    let value = JsFuture::from(scope.navigator().storage().estimate().ok()?)
        .await
        .ok()?;
    let get = |name: &str| Reflect::get(&value, &name.into()).ok()?.as_f64();
    Some((get("usage")?, get("quota")?))
}
