//! Writing data out: answers as CSV, JSON, Markdown or an aligned text table
//! (no SQLite needed, so the browser can use them too), and whole databases
//! as SQL dumps.

pub mod csv;
pub mod json;
pub mod markdown;
#[cfg(feature = "sql")]
pub mod sql;
pub mod table;
#[cfg(all(feature = "sql", not(target_family = "wasm")))]
pub mod web_db;

use crate::protocol::Cell;

/// A cell as plain text for the text formats: NULL is empty, blobs are hex.
fn plain(cell: &Cell) -> String {
    match cell {
        Cell::Null => String::new(),
        Cell::Blob(b) => hex(b),
        other => other.display().unwrap_or_default(),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
