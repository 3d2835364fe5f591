//! The one error type of the command-line tool.

use std::io;
use std::path::PathBuf;

use greenboard::db::load::LoadError;
use greenboard::export::sql::ExportError;
use greenboard::ingest::junit::ReportError;
use greenboard::protocol::SqlError;
use greenboard::vibesql_history::HistoryError;

/// An error for the user, naming the file it concerns.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A file that cannot be read or written.
    #[error("{0}: {1}")]
    File(PathBuf, io::Error),
    /// A dump with a statement that fails.
    #[error("{0}: {1}")]
    Load(PathBuf, LoadError),
    /// A JUnit report that cannot be parsed.
    #[error("{0}: {1}")]
    Report(PathBuf, ReportError),
    /// A database that cannot be opened, written or read.
    #[error("{0}: {1}")]
    Db(PathBuf, String),
    /// SQLite's own error.
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    /// A dump that cannot be written.
    #[error(transparent)]
    Export(#[from] ExportError),
    /// The user's SQL (or a preset's) failed.
    #[error("{0}")]
    Sql(SqlError),
    /// VibeSQL's history that cannot be read.
    #[error(transparent)]
    History(#[from] HistoryError),
    /// The benchmark could not run to its end.
    #[error("{0}")]
    Bench(String),
    /// An address that cannot be fetched, and why.
    #[error("{0}: {1}")]
    Fetch(String, String),
    /// The data does not allow what was asked, said in words.
    #[error("{0}")]
    Data(String),
    /// Wrong usage: the tool exits with 2.
    #[error("{0}")]
    Usage(String),
    /// Reading or writing failed.
    #[error(transparent)]
    Io(#[from] io::Error),
}
