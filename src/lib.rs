//! greenboard: explore test results in the browser.
//!
//! One crate, four programs: the command-line tool that makes and reads
//! dumps (`greenboard`), the browser UI (`ui`), the Web Worker that runs
//! SQLite for it (`worker`), and the Web Worker that draws charts
//! (`charts`, started by the SQLite worker when the first chart is asked for). The modules without SQLite ([`protocol`],
//! [`presets`], [`chart`], [`net`]) are shared by all of them; [`db`],
//! [`export`] and [`demo`] need the `sql` feature and compile for both
//! targets; [`vibesql_history`] (VibeSQL's published conformance files as a
//! dump of its results schema) is the command line's.

pub mod chart;
pub mod export;
pub mod library;
pub mod net;
pub mod presets;
pub mod protocol;

#[cfg(feature = "cli")]
pub mod bench;
#[cfg(feature = "sql")]
pub mod db;
#[cfg(feature = "sql")]
pub mod demo;
#[cfg(feature = "cli")]
pub mod ingest;
#[cfg(feature = "sql")]
pub mod summary;
#[cfg(feature = "cli")]
pub mod vibesql_history;

#[cfg(feature = "charts")]
pub mod chart_worker;
#[cfg(feature = "worker")]
pub mod in_place;
#[cfg(feature = "worker")]
pub mod keep;
#[cfg(feature = "worker")]
pub mod remote;
#[cfg(feature = "ui")]
pub mod ui;
#[cfg(any(feature = "ui", feature = "worker", feature = "charts"))]
pub mod wire;
#[cfg(feature = "worker")]
pub mod worker;

/// greenboard's test-results schema (documented SQL).
pub const SCHEMA_SQL: &str = include_str!("schema.sql");
