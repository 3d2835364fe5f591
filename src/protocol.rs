//! The messages that cross the boundary between the page and the SQLite worker.
//!
//! One request enum and one response enum, each message carrying the id of the
//! request it belongs to. Result rows travel in pages ([`Request::Page`]), never
//! as one huge message. Everything here is plain data (strings, numbers), so the
//! types are `Send + Sync` and serialise with serde on both sides.

use serde::{Deserialize, Serialize};

/// Identifies a request; every response names the request it answers.
pub type RequestId = u32;

/// How many rows travel in one page unless a request asks otherwise.
pub const DEFAULT_PAGE_SIZE: usize = 200;

/// One SQLite value, as it came out of a result row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Cell {
    /// SQL NULL (distinct from the empty string).
    Null,
    /// A 64-bit integer.
    Integer(i64),
    /// A double.
    Real(f64),
    /// UTF-8 text (invalid sequences replaced).
    Text(String),
    /// Raw bytes.
    Blob(#[serde(with = "serde_bytes")] Vec<u8>),
}

impl Cell {
    /// The value as a number, when it is one (integers widen to `f64`).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Cell::Integer(i) => Some(*i as f64),
            Cell::Real(r) => Some(*r),
            _ => None,
        }
    }

    /// Whether the value is an integer or a real.
    pub fn is_number(&self) -> bool {
        matches!(self, Cell::Integer(_) | Cell::Real(_))
    }

    /// The value as display text: what a table cell shows.
    /// NULL gives `None` so callers can show it distinctly.
    pub fn display(&self) -> Option<String> {
        match self {
            Cell::Null => None,
            Cell::Integer(i) => Some(i.to_string()),
            Cell::Real(r) => Some(format_real(*r)),
            Cell::Text(t) => Some(t.clone()),
            Cell::Blob(b) => Some(format!("BLOB ({} bytes)", b.len())),
        }
    }
}

/// Formats a double in its shortest exact form, always with a `.` or an
/// exponent so it reads as a real: `1.0`, `0.25`, `1e16`.
pub fn format_real(r: f64) -> String {
    format!("{r:?}")
}

/// Where a dump comes from. Its content says what it is: SQL text, gzip
/// (inflated as it arrives), or an SQLite database file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Source {
    /// Fetch this absolute URL (the page resolves relative URLs first).
    Url(String),
    /// SQL text handed over directly (pasted).
    Text(String),
    /// The bytes of a file the user chose or dropped.
    Bytes {
        /// The file's name (for messages).
        name: String,
        /// Its content.
        #[serde(with = "serde_bytes")]
        bytes: Vec<u8>,
    },
    /// A dataset kept in this browser by an earlier load ([`KeptInfo::key`]),
    /// opened as it was left, without fetching anything.
    Kept {
        /// Its key.
        key: String,
        /// What it was loaded from (for messages).
        label: String,
    },
}

impl Source {
    /// A short name for messages: the URL, the file name, or "pasted SQL".
    pub fn label(&self) -> &str {
        match self {
            Source::Url(u) => u,
            Source::Text(_) => "pasted SQL",
            Source::Bytes { name, .. } => name,
            Source::Kept { label, .. } => label,
        }
    }
}

/// Whether `name` can name an attached database: an identifier (letters,
/// digits, `_`), and not `main` or `temp`.
pub fn valid_schema_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.eq_ignore_ascii_case("main")
        && !name.eq_ignore_ascii_case("temp")
}

/// A source, and the schema name it is attached under (`None`: `main`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NamedSource {
    /// `build` for `?db=build:URL`; `None` for the main database.
    pub schema: Option<String>,
    /// Where it comes from.
    pub source: Source,
}

/// FNV-1a, 64 bits: names a dataset by what it was loaded from.
fn fnv(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in *part {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h ^= 0xff;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The key a set of sources is kept under: the same addresses, the same
/// file (name, size, first and last 64 KiB) or the same pasted text give
/// the same key, so loading them again replaces the kept copy.
pub fn kept_key(sources: &[NamedSource]) -> String {
    const EDGE: usize = 64 * 1024;
    let mut parts: Vec<Vec<u8>> = Vec::new();
    for s in sources {
        parts.push(s.schema.clone().unwrap_or_default().into_bytes());
        match &s.source {
            Source::Url(u) => parts.push(format!("url {u}").into_bytes()),
            Source::Text(t) => parts.push(format!("text {t}").into_bytes()),
            Source::Bytes { name, bytes } => {
                parts.push(format!("file {name} {}", bytes.len()).into_bytes());
                parts.push(bytes[..bytes.len().min(EDGE)].to_vec());
                parts.push(bytes[bytes.len().saturating_sub(EDGE)..].to_vec());
            }
            Source::Kept { key, .. } => parts.push(format!("kept {key}").into_bytes()),
        }
    }
    let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
    let all_urls = sources.iter().all(|s| matches!(s.source, Source::Url(_)));
    format!("{}{:016x}", if all_urls { 'u' } else { 'f' }, fnv(&refs))
}

/// What the page asks of the worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// Replace the loaded database with the dumps of `sources`, one as
    /// `main` and the others attached under their names, loaded in turn.
    /// Progress arrives as [`Response::Progress`], then [`Response::Loaded`]
    /// or [`Response::LoadFailed`]. On failure the previous database stays.
    Load {
        /// Request id.
        id: RequestId,
        /// What to load.
        sources: Vec<NamedSource>,
        /// A source with more SQL than this many bytes (estimated) is
        /// loaded into, and queried in place from, a database in the
        /// browser's storage rather than memory (`None`: 512 MiB).
        in_place_above: Option<u64>,
    },
    /// Run SQL (one or more statements); the answer is the last statement
    /// that returns columns. The first `page_size` rows come with the answer;
    /// the rest stay in the worker, to be read with [`Request::Page`].
    Query {
        /// Request id.
        id: RequestId,
        /// The SQL text.
        sql: String,
        /// Values of the SQL's parameters, in order (bound as text).
        params: Vec<String>,
        /// Rows in the first page.
        page_size: usize,
        /// Whether the SQL may change the loaded data (the page's “Allow
        /// changes”); without it only the `temp` database can change.
        allow_changes: bool,
        /// Stop the SQL after this many milliseconds ([`Response::TimedOut`]);
        /// `None`: no limit.
        time_limit_ms: Option<u32>,
        /// When the database is read over HTTP, stop the SQL before it
        /// fetches more than this many bytes ([`Response::OverBudget`]);
        /// `None`: no limit.
        read_budget: Option<u64>,
    },
    /// The datasets kept in this browser ([`Response::KeptList`]).
    ListKept {
        /// Request id.
        id: RequestId,
    },
    /// Removes a kept dataset (answered with [`Response::KeptList`]).
    RemoveKept {
        /// Request id.
        id: RequestId,
        /// The dataset's [`KeptInfo::key`].
        key: String,
    },
    /// Removes the pages kept of files read by ranges (answered with
    /// [`Response::KeptList`]); the file open now keeps no more.
    ForgetPages {
        /// Request id.
        id: RequestId,
    },
    /// Load again what was loaded last, as it was before any change.
    /// Answered as a [`Request::Load`] is.
    Reset {
        /// Request id.
        id: RequestId,
    },
    /// The main database as an SQLite database file
    /// ([`Response::Database`]).
    Download {
        /// Request id.
        id: RequestId,
    },
    /// Rows `offset..offset+limit` of the result of an earlier query.
    Page {
        /// Request id.
        id: RequestId,
        /// The id of the [`Request::Query`] whose rows are wanted.
        query: RequestId,
        /// First row wanted (0-based).
        offset: usize,
        /// How many rows at most.
        limit: usize,
    },
    /// The whole answer of an earlier query as a file (CSV, JSON, Markdown).
    Export {
        /// Request id.
        id: RequestId,
        /// The [`Request::Query`] whose answer is wanted.
        query: RequestId,
        /// In which format.
        format: ExportFormat,
    },
    /// Draw the whole answer of an earlier query as an SVG chart.
    Chart {
        /// Request id.
        id: RequestId,
        /// The [`Request::Query`] whose answer is drawn.
        query: RequestId,
        /// The chart spec (`line:x=week,y=rate,series=branch`); `None`: guess.
        spec: Option<String>,
        /// The chart's title.
        title: String,
        /// The preset charted, if any (for its drill-down).
        preset: Option<String>,
    },
}

/// A file format an answer can be saved in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExportFormat {
    /// CSV as the sqlite3 shell writes it (`.mode csv`, `.headers on`).
    Csv,
    /// An array of objects, one per row.
    Json,
    /// A Markdown table.
    Markdown,
}

impl ExportFormat {
    /// Every format, in the order offered.
    pub const ALL: [ExportFormat; 3] = [
        ExportFormat::Csv,
        ExportFormat::Json,
        ExportFormat::Markdown,
    ];

    /// Its name on a button.
    pub fn label(self) -> &'static str {
        match self {
            ExportFormat::Csv => "CSV",
            ExportFormat::Json => "JSON",
            ExportFormat::Markdown => "Markdown",
        }
    }

    /// The file name it is saved as.
    pub fn file_name(self) -> &'static str {
        match self {
            ExportFormat::Csv => "result.csv",
            ExportFormat::Json => "result.json",
            ExportFormat::Markdown => "result.md",
        }
    }

    /// Its media type.
    pub fn mime(self) -> &'static str {
        match self {
            ExportFormat::Csv => "text/csv",
            ExportFormat::Json => "application/json",
            ExportFormat::Markdown => "text/markdown",
        }
    }
}

/// Work for the on-demand worker (charts and files).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Job {
    /// Draw an answer.
    Chart(ChartJob),
    /// Write an answer as a file.
    Export {
        /// The page's request.
        id: RequestId,
        /// In which format.
        format: ExportFormat,
        /// The answer's columns.
        columns: Vec<String>,
        /// Every row of the answer.
        rows: Vec<Vec<Cell>>,
    },
}

/// A whole answer to draw, sent by the SQLite worker to the chart worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChartJob {
    /// The page's chart request.
    pub id: RequestId,
    /// The chart spec; `None`: guess one.
    pub spec: Option<String>,
    /// The chart's title.
    pub title: String,
    /// The preset charted, if any.
    pub preset: Option<String>,
    /// The answer's columns.
    pub columns: Vec<String>,
    /// Every row of the answer.
    pub rows: Vec<Vec<Cell>>,
}

/// What the chart worker says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ChartReply {
    /// It has started and takes jobs (jobs sent before are queued).
    Ready,
    /// The answer to a [`ChartJob`].
    Done {
        /// The page's chart request.
        id: RequestId,
        /// The drawing, or why there is none.
        result: Result<ChartDrawing, String>,
    },
    /// The answer to a [`Job::Export`]: the file's text.
    Exported {
        /// The page's request.
        id: RequestId,
        /// The text.
        text: String,
    },
}

/// A chart drawn from a whole answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChartDrawing {
    /// The spec drawn (the one asked for, or the one guessed).
    pub spec: String,
    /// The SVG document (every value from the data escaped), or for a spec
    /// `html:VIEW` that view's HTML ([`crate::chart::views`]).
    pub svg: String,
    /// Marks drawn: one per value.
    pub marks: usize,
    /// What the chart shows, in words.
    pub description: String,
    /// What the aggregation did, when a mark stands for several rows.
    pub note: Option<String>,
    /// Milliseconds the drawing took.
    pub elapsed_ms: f64,
    /// What clicking a mark runs, when the chart is a preset's that has a
    /// drill-down (see [`crate::presets::DRILLS`]).
    pub drill: Option<String>,
}

impl Request {
    /// The request's id.
    pub fn id(&self) -> RequestId {
        match self {
            Request::Load { id, .. }
            | Request::Reset { id }
            | Request::Download { id }
            | Request::Query { id, .. }
            | Request::Page { id, .. }
            | Request::Chart { id, .. }
            | Request::Export { id, .. }
            | Request::ListKept { id }
            | Request::RemoveKept { id, .. }
            | Request::ForgetPages { id } => *id,
        }
    }
}

/// How far a load has come.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// Bytes received so far.
    pub bytes_received: u64,
    /// Bytes expected in all, when the server said.
    pub bytes_total: Option<u64>,
    /// Bytes handed to SQLite so far.
    pub bytes_loaded: u64,
    /// Statements executed so far.
    pub statements: u64,
}

/// A statement of a dump that failed or was skipped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    /// 1-based number of the statement in the dump.
    pub statement: u64,
    /// 1-based line on which the statement starts.
    pub line: u64,
    /// The start of the statement's text.
    pub excerpt: String,
    /// Why it failed (SQLite's words) or why it was skipped.
    pub reason: String,
}

/// The rows of one table after a load.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableCount {
    /// Table name.
    pub name: String,
    /// Rows in it.
    pub rows: u64,
}

/// A table or view of the loaded data, for the schema browser and the
/// editor's completion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Relation {
    /// The database it is in: `main`, or an attached name (`build`).
    pub schema: String,
    /// Its name.
    pub name: String,
    /// What it is.
    pub kind: RelationKind,
    /// Rows in it (tables only; the page fills it in from the load's counts).
    #[serde(default)]
    pub rows: Option<u64>,
    /// Its columns, in order.
    pub columns: Vec<Column>,
    /// Its foreign keys.
    pub foreign_keys: Vec<ForeignKey>,
    /// Its indexes.
    pub indexes: Vec<Index>,
}

/// What kind of relation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RelationKind {
    /// An ordinary table.
    Table,
    /// A view.
    View,
    /// A virtual table (FTS5, say).
    Virtual,
}

impl RelationKind {
    /// How the schema browser names it.
    pub fn label(self) -> &'static str {
        match self {
            RelationKind::Table => "table",
            RelationKind::View => "view",
            RelationKind::Virtual => "virtual table",
        }
    }
}

/// A column of a relation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Column {
    /// Its name.
    pub name: String,
    /// Its declared type, as written (may be empty).
    pub decl_type: String,
    /// Its place in the primary key (1-based), 0 if not part of it.
    pub pk: u32,
    /// Declared NOT NULL.
    pub not_null: bool,
}

/// A foreign key: `from` columns referring to `table`'s `to` columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForeignKey {
    /// The referring columns.
    pub from: Vec<String>,
    /// The table referred to.
    pub table: String,
    /// Its columns referred to (empty: its primary key).
    pub to: Vec<String>,
}

/// An index of a table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Index {
    /// Its name.
    pub name: String,
    /// Whether it is unique.
    pub unique: bool,
    /// Where it comes from: `c` (CREATE INDEX), `u` (UNIQUE), `pk`.
    pub origin: String,
    /// The columns indexed, in order (an expression shows as empty).
    pub columns: Vec<String>,
}

/// Which known schema a loaded database follows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SchemaKind {
    /// greenboard's own test-results schema (runs with branch and platform).
    Greenboard,
    /// VibeSQL's SQLLogicTest results (test_files, test_runs, test_results by file).
    VibeSql,
    /// cosmo-sokol's test results database (platforms, test_runs, test_results; no branches).
    CosmoTests,
    /// cosmo-sokol's build metadata database (versions, builds, compatibility).
    CosmoBuild,
    /// cosmo-sokol's artifact registry (artifacts, platform_verification, releases).
    CosmoArtifacts,
    /// cosmo-sokol's three databases attached as `build`, `test` and `artifact`.
    CosmoPipeline,
    /// The coding-loops coordination database (loops, tests, events, file locks).
    LoopCoordination,
    /// ggen's Tier 2 persistence (receipts, pipeline metrics, SLO violations).
    GgenTier2,
    /// CORTEX 2.0 (health reports, plugins, workspace discoveries).
    Cortex,
    /// Not recognised: only generic presets apply.
    #[default]
    Unknown,
}

/// What a finished load reports (by default: nothing loaded yet, nothing
/// described).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LoadSummary {
    /// Statements executed successfully.
    pub statements: u64,
    /// Of which, statements of another SQL dialect run after translation.
    pub translated: u64,
    /// Bytes of SQL text loaded.
    pub bytes: u64,
    /// Milliseconds from the first byte requested to the last statement run.
    pub elapsed_ms: f64,
    /// Statements that failed, with SQLite's reason (the load went on).
    pub failed: Vec<Problem>,
    /// Statements skipped on purpose, with the reason.
    pub skipped: Vec<Problem>,
    /// Rows per table after the load.
    pub tables: Vec<TableCount>,
    /// The schema recognised in the data.
    pub schema: SchemaKind,
    /// Where the data is kept in this browser, if it is.
    #[serde(default)]
    pub kept: Kept,
    /// Whether the data is queried in place from the browser's storage
    /// (too large to hold in memory) rather than held in memory.
    #[serde(default)]
    pub in_place: bool,
    /// Every schema recognised, in the main database and the attached ones.
    pub recognised: Vec<SchemaKind>,
    /// How a database file at an address is read: by ranges as queries
    /// need it, or downloaded whole and why (`None`: not such a file).
    #[serde(default)]
    pub remote: Option<Box<Remote>>,
    /// Presets the dump itself carries (its `_greenboard_presets` table).
    pub presets: Vec<ShippedPreset>,
    /// The tables and views of every database, with their columns, keys
    /// and indexes: a JSON array of [`Relation`]s, as SQLite writes it.
    pub catalog: String,
}

/// What a query may fetch of a database read over HTTP before it stops
/// and asks (50 MB).
pub const READ_BUDGET: u64 = 50 << 20;

/// A database file read from its address.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Remote {
    /// Read by ranges as queries need it; else downloaded whole.
    pub by_ranges: bool,
    /// Why it was downloaded whole (empty when read by ranges).
    pub why_whole: String,
    /// The file's size in bytes.
    pub size: u64,
    /// What reading it has cost so far.
    pub fetched: Fetched,
    /// Why the pages fetched are not kept in this browser for the next
    /// visit (`None`: they are).
    pub not_kept: Option<String>,
    /// Why its address could not be reached when it was opened, if it
    /// could not: it was opened from the pages kept in this browser, and
    /// reads only those until the address answers again.
    pub unreachable: Option<String>,
}

/// What reading a file by ranges has cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fetched {
    /// Which opening of a file it counts (the worker's count of files it
    /// opened this way), so that counts of different openings are never
    /// taken for one another.
    pub opened: u32,
    /// Requests made.
    pub requests: u64,
    /// Bytes received.
    pub bytes: u64,
    /// Bytes read from the pages kept in this browser, not fetched.
    pub kept: u64,
}

/// Whether and how a load is kept in this browser (the Origin Private
/// File System), to open again without fetching or parsing anything.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub enum Kept {
    /// Not kept: the data lives in the page's memory only, for the reason
    /// given (no OPFS in this browser, storage refused, ...).
    NotKept(String),
    /// Kept, as this dataset.
    Kept(KeptInfo),
    /// Not a load in a browser (the command line).
    #[default]
    NotApplicable,
}

/// A dataset kept in this browser.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeptInfo {
    /// Its key: `?kept=KEY` opens it again.
    pub key: String,
    /// What it was loaded from (`demo.sql.gz`, a file's name, `pasted SQL`).
    pub label: String,
    /// The addresses it was fetched from, if it was (revalidated on a later
    /// visit); empty for a file or pasted SQL.
    pub urls: Vec<String>,
    /// Bytes it takes.
    pub bytes: u64,
    /// When it was loaded, in milliseconds since 1970.
    pub loaded_at: f64,
    /// How this load got it: loaded now, opened as kept (unchanged at
    /// its address, or after a restart), or kept and opened because the
    /// address could not be reached.
    pub opened: Opened,
    /// Whether it holds changes made since it was loaded.
    pub changed: bool,
}

/// How a load came by a kept dataset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Opened {
    /// Loaded from its source now, then kept.
    Loaded,
    /// Its address said it is unchanged (304): opened as kept.
    Unchanged,
    /// Opened as kept, nothing asked of the network.
    Reopened,
    /// Its address could not be reached (offline, or it answered with an
    /// error): opened as kept; why.
    Unreachable(String),
}

/// A preset shipped inside a dump, in a table
/// `_greenboard_presets(title, description, sql, chart, position)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShippedPreset {
    /// Title.
    pub title: String,
    /// What it answers.
    pub description: String,
    /// The SQL.
    pub sql: String,
    /// A chart spec, if any (kept for the chart builder).
    pub chart: Option<String>,
}

/// A query's answer: columns, the first page of rows, and how many in all.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueryAnswer {
    /// Column names, in order.
    pub columns: Vec<String>,
    /// The first rows (at most the requested page size).
    pub rows: Vec<Vec<Cell>>,
    /// Rows in the whole result.
    pub total_rows: usize,
    /// Rows changed by INSERT/UPDATE/DELETE statements in the SQL.
    pub changes: u64,
    /// Milliseconds SQLite took to run the SQL and produce every row.
    pub elapsed_ms: f64,
    /// The SQL's parameters by name (`?1` for a nameless one), in order.
    pub params: Vec<String>,
}

/// An SQL error, in SQLite's words, with where SQLite says it happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct SqlError {
    /// SQLite's message.
    pub message: String,
    /// Byte offset in the submitted SQL text, when SQLite knows it.
    pub offset: Option<usize>,
    /// The SQL's parameters by name, when values for some were missing.
    #[serde(default)]
    pub params: Vec<String>,
}

/// The bytes of an SQLite database file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatabaseFile(#[serde(with = "serde_bytes")] pub Vec<u8>);

/// What the worker answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Response {
    /// The worker has started and is ready for requests.
    Ready,
    /// A load is under way.
    Progress {
        /// The load request.
        id: RequestId,
        /// How far it has come.
        progress: Progress,
    },
    /// A load finished; the new data replaced the old.
    Loaded {
        /// The load request.
        id: RequestId,
        /// What was loaded.
        summary: LoadSummary,
    },
    /// A load failed; the previously loaded data is still there.
    LoadFailed {
        /// The load request.
        id: RequestId,
        /// What went wrong, naming the place.
        error: String,
    },
    /// What reading the file by ranges has cost so far, after a query
    /// that read some of it.
    Fetched(Fetched),
    /// A query's answer.
    Answer {
        /// The query request.
        id: RequestId,
        /// The answer.
        answer: QueryAnswer,
    },
    /// A query changed the data (rows, or a schema, temporary ones
    /// included): what is loaded now. Sent before the query's
    /// [`Response::Answer`] or [`Response::QueryFailed`] (statements before
    /// an error keep their effects).
    Changed {
        /// The query request.
        id: RequestId,
        /// The load's summary with the data's description renewed (row
        /// counts, catalog, schemas recognised, shipped presets).
        summary: LoadSummary,
    },
    /// The main database as an SQLite database file.
    Database {
        /// The download request.
        id: RequestId,
        /// The file's bytes, or why there are none.
        file: Result<DatabaseFile, String>,
    },
    /// A query failed.
    QueryFailed {
        /// The query request.
        id: RequestId,
        /// SQLite's error.
        error: SqlError,
    },
    /// The query or load has begun (those sent after it wait).
    Started {
        /// The request.
        id: RequestId,
    },
    /// A query ran out of its time budget and was stopped; the data is as
    /// it was.
    TimedOut {
        /// The query request.
        id: RequestId,
        /// The budget, in milliseconds.
        limit_ms: u32,
    },
    /// A query stopped before it fetched more of the database read over
    /// HTTP than its budget allowed.
    OverBudget {
        /// The query request.
        id: RequestId,
        /// The budget, in bytes.
        budget: u64,
        /// What it fetched before it stopped.
        fetched: u64,
    },
    /// The page stopped the worker while it ran the request (Stop), or the
    /// worker died (`crash`: what happened, in words). Made by the page,
    /// never sent by the worker.
    Halted {
        /// The request.
        id: RequestId,
        /// `None`: stopped on request; otherwise why the worker died.
        crash: Option<String>,
    },
    /// The datasets kept in this browser.
    KeptList {
        /// The request.
        id: RequestId,
        /// Newest first.
        list: Vec<KeptInfo>,
        /// Bytes this site uses and may use (`navigator.storage.estimate()`).
        usage: Option<(f64, f64)>,
        /// Why nothing is kept, when the browser keeps nothing.
        unavailable: Option<String>,
        /// Bytes of the pages kept of files read by ranges.
        #[serde(default)]
        pages: u64,
    },
    /// A chart of an earlier answer.
    Drawn {
        /// The chart request.
        id: RequestId,
        /// The drawing.
        drawing: ChartDrawing,
    },
    /// An answer as a file.
    Exported {
        /// The export request.
        id: RequestId,
        /// The file's text.
        text: String,
    },
    /// A chart could not be drawn (a bad spec, or nothing to draw), or an
    /// answer could not be saved.
    ChartFailed {
        /// The chart request.
        id: RequestId,
        /// Why.
        error: String,
    },
    /// Rows of an earlier answer.
    Rows {
        /// The page request.
        id: RequestId,
        /// The query the rows belong to.
        query: RequestId,
        /// Index of the first row.
        offset: usize,
        /// The rows.
        rows: Vec<Vec<Cell>>,
    },
}

impl Response {
    /// The id of the request this answers (none for [`Response::Ready`]).
    pub fn id(&self) -> Option<RequestId> {
        match self {
            Response::Ready | Response::Fetched(_) => None,
            Response::Progress { id, .. }
            | Response::Loaded { id, .. }
            | Response::LoadFailed { id, .. }
            | Response::Answer { id, .. }
            | Response::Changed { id, .. }
            | Response::Database { id, .. }
            | Response::QueryFailed { id, .. }
            | Response::Rows { id, .. }
            | Response::Drawn { id, .. }
            | Response::Exported { id, .. }
            | Response::ChartFailed { id, .. }
            | Response::Started { id }
            | Response::TimedOut { id, .. }
            | Response::OverBudget { id, .. }
            | Response::Halted { id, .. }
            | Response::KeptList { id, .. } => Some(*id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_keys_name_what_was_loaded() {
        let url = |u: &str| NamedSource {
            schema: None,
            source: Source::Url(u.into()),
        };
        let file = |name: &str, bytes: &[u8]| NamedSource {
            schema: None,
            source: Source::Bytes {
                name: name.into(),
                bytes: bytes.to_vec(),
            },
        };
        let demo = kept_key(&[url("http://a/demo.sql.gz")]);
        assert_eq!(demo, kept_key(&[url("http://a/demo.sql.gz")]));
        assert_ne!(demo, kept_key(&[url("http://b/demo.sql.gz")]));
        assert!(demo.starts_with('u') && demo.len() == 17, "{demo}");
        let attached = NamedSource {
            schema: Some("build".into()),
            source: Source::Url("http://a/demo.sql.gz".into()),
        };
        assert_ne!(demo, kept_key(&[attached]));
        let picked = kept_key(&[file("r.sql", b"CREATE TABLE t(x);")]);
        assert!(picked.starts_with('f'));
        assert_eq!(picked, kept_key(&[file("r.sql", b"CREATE TABLE t(x);")]));
        assert_ne!(picked, kept_key(&[file("r.sql", b"CREATE TABLE t(y);")]));
        assert_ne!(picked, kept_key(&[file("s.sql", b"CREATE TABLE t(x);")]));
    }

    #[test]
    fn reals_display_like_sqlite() {
        assert_eq!(format_real(1.0), "1.0");
        assert_eq!(format_real(0.25), "0.25");
        assert_eq!(format_real(-3.0), "-3.0");
        assert_eq!(format_real(1e300), "1e300");
        assert_eq!(Cell::Null.display(), None);
        assert_eq!(Cell::Text(String::new()).display(), Some(String::new()));
        assert_eq!(
            Cell::Blob(vec![1, 2, 3]).display().as_deref(),
            Some("BLOB (3 bytes)")
        );
    }
}
