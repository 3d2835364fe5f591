//! The Web Worker that owns SQLite: it loads dumps (fetched and fed to the
//! loader chunk by chunk as they arrive; gzip is inflated on the way by the
//! browser's own `DecompressionStream`) and answers queries, keeping large
//! answers to hand out in pages.

use std::cell::{Cell as Counter, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use js_sys::{Array, Reflect, Uint8Array};
use rusqlite::{Connection, MAIN_DB};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Blob, DedicatedWorkerGlobalScope, MessageEvent, ReadableStream, ReadableStreamDefaultReader,
    WritableStream, WritableStreamDefaultWriter,
};

use crate::db::attach::{SQLITE_HEADER, attach, is_database_file, load_file, valid_schema_name};
use crate::db::load::{LoadError, LoadStats, Loader, OnError};
use crate::db::pages::PageStore;
use crate::db::{describe, guard, lazy, summaries};
use crate::keep::{self, KeptSource, Validators};
use crate::protocol;
use crate::protocol::{
    Cell, ChartJob, ChartReply, DatabaseFile, Job, Kept as KeptState, LoadSummary, NamedSource,
    Opened, Problem, Progress, QueryAnswer, Remote, Request, RequestId, Response, Source, kept_key,
};
use crate::wire;
use crate::{in_place, remote};

/// Answers kept for paging and charting at most, newest last: as many
/// as hold [`KEPT_ROWS`] rows between them (the latest whatever its size).
/// The page's own small answers (the dashboard's, the health tiles', a
/// test page's) thus never push out the reader's.
const KEPT_ANSWERS: usize = 32;
/// Rows kept at most, over the answers kept.
const KEPT_ROWS: usize = 2_000_000;
/// Milliseconds between two progress messages.
const PROGRESS_EVERY_MS: f64 = 50.0;
/// Slice size when text is handed over whole.
const SLICE: usize = 256 * 1024;
/// SQLite's virtual machine instructions between two looks at the clock
/// while a query with a time budget runs.
const PROGRESS_OPS: i32 = 100_000;

#[wasm_bindgen]
extern "C" {
    /// The browser's inflater: a transform stream, compressed bytes written
    /// to its writable side come out of its readable side inflated.
    #[wasm_bindgen(js_name = DecompressionStream)]
    type Inflater;
    #[wasm_bindgen(constructor, catch, js_class = "DecompressionStream")]
    fn new(format: &str) -> Result<Inflater, JsValue>;
    #[wasm_bindgen(method, getter)]
    fn readable(this: &Inflater) -> ReadableStream;
    #[wasm_bindgen(method, getter)]
    fn writable(this: &Inflater) -> WritableStream;
}

/// The first bytes of every gzip stream.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// A query's whole answer, kept for paging and charting.
struct Kept {
    query: RequestId,
    columns: Vec<String>,
    rows: Vec<Vec<Cell>>,
}

#[derive(Default)]
struct State {
    conn: Option<Connection>,
    answers: VecDeque<Kept>,
    /// What was loaded last, to load again on [`Request::Reset`].
    sources: Vec<NamedSource>,
    /// What the last load reported, renewed when a query changes the data.
    summary: Option<LoadSummary>,
    /// The key the loaded data is kept under in the browser, if it is.
    kept_key: Option<String>,
    /// Whether a load is under way: other requests wait for its end.
    loading: bool,
    /// Whether the last query changed kept data, to keep in the browser.
    saving: bool,
    /// Requests that came while a load was under way, in order.
    held: VecDeque<Request>,
    /// Whether the loaded data is a database queried in place in the
    /// browser's storage ([`in_place`]) rather than in memory.
    in_place: bool,
    /// Sources whose SQL is larger (in bytes, estimated) load in place, as
    /// the last load asked (`None`: [`IN_PLACE_ABOVE`]).
    in_place_above: Option<u64>,
    /// What holds of the loaded data while it is unchanged since loaded
    /// (`None` once a query changed it).
    remembered: Option<keep::Remembered>,
    /// The loaded database's file at its address, when it is read by
    /// ranges as queries need it.
    reading: Option<lazy::Reading>,
    /// What reading it had cost when last told.
    fetched: Option<protocol::Fetched>,
    /// Files opened to be read by ranges so far.
    opened: u32,
}

impl State {
    /// Answers of the data replaced are gone.
    fn kept_answers_clear(&mut self) {
        self.answers.clear();
    }
}

/// Makes `conn` the loaded data (`in_place`: a database queried in place);
/// the pool of such databases is let go when none is open any more.
/// `remembered`: what holds of it while it is unchanged (`None`: it is
/// changed since loaded); kept in the browser with it under `key`.
fn install(
    conn: Connection,
    in_place: bool,
    remembered: Option<keep::Remembered>,
    key: Option<&str>,
) {
    // greenboard's SQL functions, as in the command line.
    if let Err(e) = crate::db::prepare(&conn) {
        web_sys::console::warn_1(&format!("greenboard's functions and summaries: {e}").into());
    }
    STATE.with_borrow_mut(|s| {
        let old = s.conn.replace(conn);
        s.kept_answers_clear();
        drop(old);
        s.reading = None;
        s.fetched = None;
        s.remembered = remembered;
        s.in_place = in_place;
    });
    // The pool is let go unless a database in it, or the pages kept of a
    // file read by ranges, is still open (it cannot be let go then).
    if !in_place {
        in_place::release();
    }
    if let Some(key) = key {
        remember(key);
    }
}

/// Keeps what is remembered of dataset `key` in the browser, if it grew.
fn remember(key: &str) {
    let what = STATE.with_borrow_mut(|s| {
        let r = s.remembered.as_mut()?;
        std::mem::take(&mut r.changed).then(|| r.clone())
    });
    if let Some(what) = what {
        let key = key.to_string();
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(e) = keep::remember(&key, &what).await {
                web_sys::console::warn_1(&format!("cannot remember {key}: {e}").into());
            }
        });
    }
}

/// Whether `sql` is one of the dashboard's queries, whose answers are
/// remembered with kept data.
fn on_dashboard(sql: &str) -> bool {
    crate::presets::DASHBOARD_SQL.contains(&sql)
}

/// The SQL of a source at least this large (estimated) is loaded into,
/// and queried from, a database in the browser's storage, not memory.
const IN_PLACE_ABOVE: u64 = 512 << 20;
/// Bytes the pages kept of files read by ranges take at most in the
/// browser's storage.
const PAGES_BOUND: u64 = 256 << 20;
/// How much larger SQL is than its gzip, for the estimate.
const GZIP_RATIO: u64 = 8;

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn now() -> f64 {
    scope().performance().map(|p| p.now()).unwrap_or(0.0)
}

fn post(resp: &Response) {
    match wire::encode(resp) {
        Ok(v) => {
            let _ = scope().post_message(&v);
        }
        Err(e) => web_sys::console::error_1(&format!("cannot encode a response: {e}").into()),
    }
}

/// Starts the worker: listens for requests and says it is ready.
pub fn start() {
    crate::wire::report_panics();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|event: MessageEvent| {
        match wire::decode::<Request>(event.data()) {
            Ok(req) => receive(req),
            Err(e) => web_sys::console::error_1(&format!("bad request: {e}").into()),
        }
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    post(&Response::Ready);
}

/// Handles a request now, or after the load under way.
fn receive(req: Request) {
    let held = STATE.with_borrow_mut(|s| {
        let waits = s.loading && !matches!(req, Request::ListKept { .. });
        if waits {
            s.held.push_back(req.clone());
        }
        waits
    });
    if !held {
        handle(req);
    }
}

/// The load has ended: what waited for it is handled, in order, until
/// another load begins.
fn load_ended() {
    STATE.with_borrow_mut(|s| s.loading = false);
    while let Some(req) =
        STATE.with_borrow_mut(|s| if s.loading { None } else { s.held.pop_front() })
    {
        handle(req);
    }
}

fn handle(req: Request) {
    match req {
        Request::Load {
            id,
            sources,
            in_place_above,
        } => {
            STATE.with_borrow_mut(|s| {
                s.in_place_above = in_place_above;
            });
            start_load(id, sources);
        }
        Request::Reset { id } => {
            let (sources, kept, in_place) =
                STATE.with_borrow(|s| (s.sources.clone(), s.kept_key.clone(), s.in_place));
            if in_place {
                // No copy as loaded is kept beside it: loaded again.
                wasm_bindgen_futures::spawn_local(async move {
                    reload_in_place(id, sources, kept).await;
                });
            } else if let Some(key) = kept {
                // The original is kept: the changes are dropped, and it
                // opens again without fetching anything.
                let label = sources
                    .iter()
                    .map(|s| s.source.label())
                    .collect::<Vec<_>>()
                    .join(", ");
                let reopen = vec![NamedSource {
                    schema: None,
                    source: Source::Kept { key, label },
                }];
                start_load_keeping(id, reopen, Some(sources), false);
            } else if sources.is_empty() {
                post(&Response::LoadFailed {
                    id,
                    error: "nothing was loaded yet".into(),
                });
            } else {
                start_load(id, sources);
            }
        }
        Request::ListKept { id } => wasm_bindgen_futures::spawn_local(async move {
            list_kept(id).await;
        }),
        Request::RemoveKept { id, key } => {
            STATE.with_borrow_mut(|s| {
                if s.kept_key.as_deref() == Some(key.as_str()) {
                    s.kept_key = None;
                }
            });
            wasm_bindgen_futures::spawn_local(async move {
                if let Err(e) = keep::remove(&key).await {
                    web_sys::console::warn_1(&format!("cannot remove {key}: {e}").into());
                }
                list_kept(id).await;
            });
        }
        Request::ForgetPages { id } => {
            STATE.with_borrow(|s| s.reading.as_ref().map(lazy::Reading::keep_nothing));
            wasm_bindgen_futures::spawn_local(async move {
                if let Err(e) = in_place::forget_pages().await {
                    web_sys::console::warn_1(&format!("cannot remove the pages kept: {e}").into());
                }
                list_kept(id).await;
            });
        }
        Request::Download { id } => {
            let file = STATE.with_borrow_mut(|s| match &mut s.conn {
                Some(conn) => conn
                    .serialize(MAIN_DB)
                    .map(|data| DatabaseFile(data.to_vec()))
                    .map_err(|e| format!("cannot copy the database: {e}")),
                None => Err("no database is loaded yet".into()),
            });
            post(&Response::Database { id, file });
            tell_fetched();
        }
        Request::Query {
            id,
            sql,
            params,
            page_size,
            allow_changes,
            time_limit_ms,
            read_budget,
        } => {
            post(&Response::Started { id });
            let reading =
                STATE.with_borrow(|s| s.reading.as_ref().map(|r| r.limit(read_budget)).is_some());
            let mut answer = run_query(id, &sql, &params, page_size, allow_changes, time_limit_ms);
            // A read that failed says why, in the query's error.
            if reading
                && let Response::QueryFailed { error, .. } = &mut answer
                && let Some(why) = STATE.with_borrow(|s| s.reading.as_ref()?.failure())
                && !why.starts_with(lazy::OVER_BUDGET)
            {
                error.message = if why.starts_with(crate::net::CHANGED_ON_SERVER) {
                    format!("{why}: it is opened again as it is now; run the query again")
                } else {
                    format!("cannot read the database over the network: {why}")
                };
                error.offset = None;
            }
            if reading
                && let Response::QueryFailed { error, .. } = &mut answer
                && error.message.contains("readonly database")
            {
                error.message = "A database read over HTTP cannot be changed. Download it (Download this database) and load the file to change it; temporary tables work here.".into();
                error.offset = None;
            }
            if reading
                && let (Some(budget), Some(fetched)) = (
                    read_budget,
                    STATE.with_borrow(|s| s.reading.as_ref()?.over_budget()),
                )
            {
                answer = Response::OverBudget {
                    id,
                    budget,
                    fetched,
                };
            }
            tell_fetched();
            if let Some(key) = STATE.with_borrow(|s| s.kept_key.clone()) {
                remember(&key);
            }
            keep_changes_then(answer);
        }
        Request::Page {
            id,
            query,
            offset,
            limit,
        } => {
            let rows = STATE.with_borrow(|s| {
                s.answers
                    .iter()
                    .find(|k| k.query == query)
                    .map(|k| k.rows.iter().skip(offset).take(limit).cloned().collect())
                    .unwrap_or_default()
            });
            post(&Response::Rows {
                id,
                query,
                offset,
                rows,
            });
        }
        Request::Chart {
            id,
            query,
            spec,
            title,
            preset,
        } => chart(id, query, spec, title, preset),
        Request::Export { id, query, format } => {
            let job = STATE.with_borrow(|s| {
                s.answers
                    .iter()
                    .find(|k| k.query == query)
                    .map(|kept| Job::Export {
                        id,
                        format,
                        columns: kept.columns.clone(),
                        rows: kept.rows.clone(),
                    })
            });
            let sent = match job {
                Some(job) => wire::encode(&job).and_then(|job| send_chart_job(id, job)),
                None => Err("that answer is no longer kept; run the query again".into()),
            };
            if let Err(error) = sent {
                post(&Response::ChartFailed { id, error });
            }
        }
    }
}

/// What reading a file by ranges has cost: its first bytes, asked for
/// to decide how to read it ([`remote::probe`]), and what the VFS fetched.
fn fetched(reading: &lazy::Reading, opened: u32) -> protocol::Fetched {
    let stats = reading.stats();
    protocol::Fetched {
        opened,
        requests: stats.requests + 1,
        bytes: stats.bytes + remote::PROBE_BYTES,
        kept: stats.kept,
    }
}

/// Says what reading the file by ranges has cost, if it grew.
fn tell_fetched() {
    let now = STATE.with_borrow_mut(|s| {
        let now = fetched(s.reading.as_ref()?, s.opened);
        (s.fetched.replace(now) != Some(now)).then_some(now)
    });
    if let Some(now) = now {
        post(&Response::Fetched(now));
    }
}

/// Posts a query's `answer`; when the query changed kept data, only once
/// the changes are kept in the browser, so that a reload the moment the
/// answer shows finds them. The requests that come meanwhile wait, as they
/// do for a load.
fn keep_changes_then(answer: Response) {
    let Some((key, mut conn)) = STATE.with_borrow_mut(|s| {
        if !std::mem::take(&mut s.saving) {
            return None;
        }
        let key = s.kept_key.clone()?;
        let conn = s.conn.take()?;
        s.loading = true;
        Some((key, conn))
    }) else {
        post(&answer);
        return;
    };
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(e) = keep::save_changes(&key, &mut conn).await {
            web_sys::console::warn_1(
                &format!("the changes could not be kept in this browser: {e}").into(),
            );
        }
        STATE.with_borrow_mut(|s| s.conn = Some(conn));
        post(&answer);
        load_ended();
    });
}

/// The datasets kept in this browser, to the page.
async fn list_kept(id: RequestId) {
    let (list, unavailable) = match keep::list().await {
        Ok(list) => (list, None),
        Err(why) => (Vec::new(), Some(why)),
    };
    let usage = keep::usage().await;
    let pages = in_place::pages_kept().await;
    post(&Response::KeptList {
        id,
        list,
        usage,
        unavailable,
        pages,
    });
}

/// Loads `sources` in the background; once loaded, they replace what was
/// loaded before, and are kept to be loaded again on [`Request::Reset`].
fn start_load(id: RequestId, sources: Vec<NamedSource>) {
    start_load_keeping(id, sources, None, false);
}

/// "Reset to the original" of a database queried in place: no copy as
/// loaded is kept beside it, so it is loaded again from its addresses
/// (`sources`, or those the browser kept it with).
async fn reload_in_place(id: RequestId, sources: Vec<NamedSource>, key: Option<String>) {
    let mut sources = sources;
    if sources.is_empty()
        || sources
            .iter()
            .any(|s| matches!(s.source, Source::Kept { .. }))
    {
        sources = match &key {
            Some(key) => keep::sources_of(key).await.unwrap_or_default(),
            None => Vec::new(),
        }
        .into_iter()
        .map(|k| {
            k.url.map(|url| NamedSource {
                schema: k.schema,
                source: Source::Url(url),
            })
        })
        .collect::<Option<Vec<_>>>()
        .unwrap_or_default();
    }
    if sources.is_empty() || sources.iter().any(|s| !matches!(s.source, Source::Url(_))) {
        post(&Response::LoadFailed {
            id,
            error: "this dataset is too large to keep a second copy as it was loaded, and it \
                    came from a file or pasted text: load that again to start over"
                .into(),
        });
        return;
    }
    start_load_keeping(id, sources, None, true);
}

/// As [`start_load`]; `original`: the sources to remember instead of
/// `sources` (a kept dataset reopened for what it was loaded from);
/// `fresh`: fetched again even if a copy kept in the browser is current.
fn start_load_keeping(
    id: RequestId,
    sources: Vec<NamedSource>,
    original: Option<Vec<NamedSource>>,
    fresh: bool,
) {
    STATE.with_borrow_mut(|s| s.loading = true);
    post(&Response::Started { id });
    wasm_bindgen_futures::spawn_local(async move {
        if let Some(Source::Kept { key, .. }) = sources.first().map(|s| &s.source)
            && original.is_some()
            && let Err(error) = keep::drop_changes(key).await
        {
            post(&Response::LoadFailed { id, error });
            load_ended();
            return;
        }
        let resp = match load(id, &sources, fresh).await {
            Ok((summary, key)) => {
                STATE.with_borrow_mut(|s| {
                    if let Some(original) = original {
                        s.sources = original;
                    } else if !sources
                        .iter()
                        .any(|s| matches!(s.source, Source::Kept { .. }))
                    {
                        s.sources = sources;
                    }
                    s.summary = Some(summary.clone());
                    s.kept_key = key;
                });
                Response::Loaded { id, summary }
            }
            Err(error) => Response::LoadFailed { id, error },
        };
        post(&resp);
        load_ended();
    });
}

/// The chart worker's script, beside this one.
const CHARTS_SCRIPT: &str = "charts_loader.js";

/// The chart worker, and the jobs waiting for it to be ready.
struct Charts {
    worker: web_sys::Worker,
    ready: bool,
    queue: Vec<JsValue>,
    /// The chart requests it has not answered yet.
    pending: Vec<RequestId>,
}

thread_local! {
    /// The chart worker, once started.
    static CHARTS: RefCell<Option<Charts>> = const { RefCell::new(None) };
}

/// Sends a job to the chart worker, starting it on first use; its answers
/// go to the page.
fn send_chart_job(id: RequestId, job: JsValue) -> Result<(), String> {
    let sent = CHARTS.with_borrow_mut(|c| {
        let c = c.as_mut()?;
        c.pending.push(id);
        Some(if c.ready {
            c.worker.post_message(&job).map_err(|e| js_error(&e))
        } else {
            c.queue.push(job.clone());
            Ok(())
        })
    });
    if let Some(result) = sent {
        return result;
    }
    let url = web_sys::Url::new_with_base(CHARTS_SCRIPT, &scope().location().href())
        .map_err(|e| js_error(&e))?
        .href();
    let worker = web_sys::Worker::new(&url)
        .map_err(|e| format!("cannot start the chart worker: {}", js_error(&e)))?;
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|event: MessageEvent| {
        match wire::decode::<ChartReply>(event.data()) {
            Ok(ChartReply::Ready) => CHARTS.with_borrow_mut(|c| {
                if let Some(c) = c {
                    c.ready = true;
                    for job in c.queue.drain(..) {
                        let _ = c.worker.post_message(&job);
                    }
                }
            }),
            Ok(ChartReply::Exported { id, text }) => {
                CHARTS.with_borrow_mut(|c| {
                    if let Some(c) = c {
                        c.pending.retain(|p| *p != id);
                    }
                });
                post(&Response::Exported { id, text });
            }
            Ok(ChartReply::Done { id, result }) => {
                CHARTS.with_borrow_mut(|c| {
                    if let Some(c) = c {
                        c.pending.retain(|p| *p != id);
                    }
                });
                post(&match result {
                    Ok(drawing) => Response::Drawn { id, drawing },
                    Err(error) => Response::ChartFailed { id, error },
                });
            }
            Err(e) => web_sys::console::error_1(&format!("bad chart: {e}").into()),
        }
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(|e: web_sys::Event| {
        // A script that cannot be fetched fails with a bare `Event`; one that
        // throws, with an `ErrorEvent` and its message.
        let why = e
            .dyn_ref::<web_sys::ErrorEvent>()
            .map(web_sys::ErrorEvent::message)
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| "its files could not be loaded".to_string());
        // What was asked of it is lost; the next chart starts a new one.
        let lost = CHARTS.with_borrow_mut(|c| c.take().map(|c| c.pending).unwrap_or_default());
        for id in lost {
            post(&Response::ChartFailed {
                id,
                error: format!("the chart worker failed: {why}"),
            });
        }
    });
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    on_error.forget();
    CHARTS.with_borrow_mut(|c| {
        *c = Some(Charts {
            worker,
            ready: false,
            queue: vec![job],
            pending: vec![id],
        })
    });
    Ok(())
}

/// Hands the whole answer of an earlier query to the chart worker, which
/// answers the page (with [`Response::Drawn`] or [`Response::ChartFailed`]).
fn chart(
    id: RequestId,
    query: RequestId,
    spec: Option<String>,
    title: String,
    preset: Option<String>,
) {
    let failed = |error: String| post(&Response::ChartFailed { id, error });
    let job = STATE.with_borrow(|s| {
        s.answers
            .iter()
            .find(|k| k.query == query)
            .map(|kept| ChartJob {
                id,
                spec,
                title,
                preset,
                columns: kept.columns.clone(),
                rows: kept.rows.clone(),
            })
    });
    let Some(job) = job else {
        return failed("that answer is no longer kept; run the query again".into());
    };
    let sent = wire::encode(&Job::Chart(job)).and_then(|job| send_chart_job(id, job));
    if let Err(e) = sent {
        failed(e);
    }
}

/// Runs the user's SQL under [`guard`]; when it changed the data, the
/// renewed summary goes to the page first ([`Response::Changed`]).
fn run_query(
    id: RequestId,
    sql: &str,
    params: &[String],
    page_size: usize,
    allow_changes: bool,
    time_limit_ms: Option<u32>,
) -> Response {
    STATE.with_borrow_mut(|state| {
        let Some(conn) = state.conn.as_mut() else {
            return Response::QueryFailed {
                id,
                error: crate::protocol::SqlError {
                    message: "no database is loaded yet".into(),
                    offset: None,
                    params: Vec::new(),
                },
            };
        };
        let started = now();
        // The dashboard's answer, remembered from an earlier visit.
        let dashboard = params.is_empty() && on_dashboard(sql);
        if dashboard
            && let Some((_, columns, rows)) = state
                .remembered
                .as_ref()
                .and_then(|r| r.answers.iter().find(|(s, _, _)| s == sql))
        {
            let (columns, rows) = (columns.clone(), rows.clone());
            let elapsed_ms = now() - started;
            return keep_answer(
                state,
                id,
                page_size,
                (columns, rows),
                0,
                elapsed_ms,
                Vec::new(),
            );
        }
        if let Some(limit) = time_limit_ms {
            let deadline = js_sys::Date::now() + f64::from(limit);
            let _ =
                conn.progress_handler(PROGRESS_OPS, Some(move || js_sys::Date::now() > deadline));
        }
        let ran = guard::run(conn, sql, params, allow_changes);
        let elapsed_ms = now() - started;
        if time_limit_ms.is_some() {
            let _ = conn.progress_handler(0, None::<fn() -> bool>);
        }
        if ran.changed {
            state.remembered = None;
        }
        if ran.changed
            && let Some(summary) = state.summary.as_mut()
        {
            match describe(conn, summary) {
                Ok(()) => {
                    if let (Some(remote), Some(reading)) =
                        (summary.remote.as_mut(), state.reading.as_ref())
                    {
                        remote.fetched = fetched(reading, state.opened);
                    }
                    if state.kept_key.is_some() {
                        state.saving = true;
                    }
                    post(&Response::Changed {
                        id,
                        summary: summary.clone(),
                    })
                }
                Err(e) => web_sys::console::warn_1(
                    &format!("the changed data could not be described: {e}").into(),
                ),
            }
        }
        if let (Some(limit_ms), Err(e)) = (time_limit_ms, &ran.result)
            && e.message == "interrupted"
            && elapsed_ms >= f64::from(limit_ms)
        {
            return Response::TimedOut { id, limit_ms };
        }
        match ran.result {
            Ok(out) => {
                if dashboard
                    && !ran.changed
                    && no_temporary_objects(conn)
                    && let Some(r) = state.remembered.as_mut()
                {
                    r.answers
                        .push((sql.to_string(), out.columns.clone(), out.rows.clone()));
                    r.changed = true;
                }
                keep_answer(
                    state,
                    id,
                    page_size,
                    (out.columns, out.rows),
                    out.changes,
                    elapsed_ms,
                    out.params,
                )
            }
            Err(error) => Response::QueryFailed { id, error },
        }
    })
}

/// Whether no temporary table or view could stand for the data's own.
fn no_temporary_objects(conn: &Connection) -> bool {
    conn.prepare("SELECT name FROM temp.sqlite_schema")
        .and_then(|mut s| {
            s.query_map([], |r| r.get::<_, String>(0))?
                .collect::<Result<Vec<_>, _>>()
        })
        .is_ok_and(|names| names.iter().all(|n| summaries::is_summary(n)))
}

/// An answer, its rows kept for paging and charting, the first page sent.
fn keep_answer(
    state: &mut State,
    id: RequestId,
    page_size: usize,
    (columns, rows): (Vec<String>, Vec<Vec<Cell>>),
    changes: u64,
    elapsed_ms: f64,
    params: Vec<String>,
) -> Response {
    let total_rows = rows.len();
    let first: Vec<Vec<Cell>> = rows.iter().take(page_size).cloned().collect();
    if !columns.is_empty() {
        state.answers.push_back(Kept {
            query: id,
            columns: columns.clone(),
            rows,
        });
        while state.answers.len() > KEPT_ANSWERS
            || state.answers.len() > 1
                && state.answers.iter().map(|k| k.rows.len()).sum::<usize>() > KEPT_ROWS
        {
            state.answers.pop_front();
        }
    }
    Response::Answer {
        id,
        answer: QueryAnswer {
            columns,
            rows: first,
            total_rows,
            changes,
            elapsed_ms,
            params,
        },
    }
}

/// What a source turned out to be, once read.
enum Done {
    /// SQL text, run by the loader.
    Text(LoadStats),
    /// An SQLite database file, to open.
    File(Vec<u8>),
}

/// Before the content is known; then SQL text for the loader, or the bytes
/// of a database file.
enum Kind<'c> {
    Sniffing(Vec<u8>),
    Text(Loader<'c>),
    File(Vec<u8>),
}

/// Feeds a source's (inflated) bytes onwards as they arrive, telling SQL
/// text from database files by their first bytes.
struct Feeder<'c> {
    conn: &'c Connection,
    kind: Kind<'c>,
    /// Bytes received from the source (before inflating), shared with the
    /// task that pumps compressed bytes into the inflater.
    received: Rc<Counter<u64>>,
}

impl<'c> Feeder<'c> {
    fn new(conn: &'c Connection) -> Self {
        Feeder {
            conn,
            kind: Kind::Sniffing(Vec::new()),
            received: Rc::new(Counter::new(0)),
        }
    }

    /// Takes bytes as received (not compressed).
    fn feed(&mut self, chunk: &[u8]) -> Result<(), String> {
        self.received.set(self.received.get() + chunk.len() as u64);
        self.content(chunk)
    }

    /// Takes (inflated) content.
    fn content(&mut self, bytes: &[u8]) -> Result<(), String> {
        match &mut self.kind {
            Kind::Text(loader) => loader.feed(bytes).map_err(|e| e.to_string()),
            Kind::File(all) => {
                all.extend_from_slice(bytes);
                Ok(())
            }
            Kind::Sniffing(head) => {
                head.extend_from_slice(bytes);
                if head.len() < SQLITE_HEADER.len() {
                    return Ok(());
                }
                self.decide()
            }
        }
    }

    /// Decides what the content is from its first bytes.
    fn decide(&mut self) -> Result<(), String> {
        let Kind::Sniffing(head) = &mut self.kind else {
            return Ok(());
        };
        let head = std::mem::take(head);
        if is_database_file(&head) {
            self.kind = Kind::File(head);
            Ok(())
        } else {
            let loader = Loader::new(self.conn, OnError::Continue).map_err(|e| e.to_string())?;
            self.kind = Kind::Text(loader);
            self.content(&head)
        }
    }

    fn finish(mut self) -> Result<Done, String> {
        self.decide()?;
        let received = self.received.get();
        match self.kind {
            Kind::Text(loader) => loader.finish().map(Done::Text).map_err(|e| match e {
                // Bytes came, and none were left once inflated.
                LoadError::Empty if received > 0 => LoadError::EmptyGzip {
                    compressed: received,
                }
                .to_string(),
                e => e.to_string(),
            }),
            Kind::File(bytes) => Ok(Done::File(bytes)),
            Kind::Sniffing(_) => Err("nothing to load: the input is empty".into()),
        }
    }

    fn bytes_loaded(&self) -> u64 {
        match &self.kind {
            Kind::Text(loader) => loader.bytes_loaded(),
            _ => 0,
        }
    }

    fn statements(&self) -> u64 {
        match &self.kind {
            Kind::Text(loader) => loader.statements(),
            _ => 0,
        }
    }
}

/// Totals over the sources of one load, for progress messages.
#[derive(Default, Clone, Copy)]
struct Totals {
    received: u64,
    loaded: u64,
    statements: u64,
}

/// Reads one source into `conn` (its `main` database); `fetched`: the
/// answer of its address, when it was asked already. Returns the address's
/// validators too (empty for other sources).
async fn load_one(
    conn: &mut Connection,
    source: &Source,
    fetched: Option<Body>,
    before: Totals,
    report: &mut dyn FnMut(Progress, bool),
) -> Result<(LoadStats, Totals, Validators), String> {
    let mut validators = Validators::default();
    let progress = |f: &Feeder, total: Option<u64>| Progress {
        bytes_received: before.received + f.received.get(),
        bytes_total: total.map(|t| before.received + t),
        bytes_loaded: before.loaded + f.bytes_loaded(),
        statements: before.statements + f.statements(),
    };
    let mut feeder = Feeder::new(conn);
    match source {
        Source::Text(text) => {
            let total = Some(text.len() as u64);
            for slice in text.as_bytes().chunks(SLICE) {
                feeder.feed(slice)?;
                report(progress(&feeder, total), false);
            }
        }
        Source::Bytes { bytes, .. } if !bytes.starts_with(&GZIP_MAGIC) => {
            let total = Some(bytes.len() as u64);
            for slice in bytes.chunks(SLICE) {
                feeder.feed(slice)?;
                report(progress(&feeder, total), false);
            }
        }
        Source::Bytes { bytes, .. } => {
            let total = Some(bytes.len() as u64);
            let parts = Array::of1(&Uint8Array::from(&bytes[..]));
            let blob = Blob::new_with_u8_array_sequence(&parts).map_err(|e| js_error(&e))?;
            let reader: ReadableStreamDefaultReader = blob.stream().get_reader().unchecked_into();
            stream(&mut feeder, reader, &mut |f| {
                report(progress(f, total), false)
            })
            .await?;
        }
        Source::Kept { label, .. } => {
            return Err(format!("{label} is kept with other data: open it alone"));
        }
        Source::Url(url) => {
            let body = match fetched {
                Some(body) => body,
                None => match open(url, None).await? {
                    Fetched::Body(body) => body,
                    Fetched::NotModified => {
                        return Err(
                            "the address answered 304 Not Modified to an unconditional request"
                                .into(),
                        );
                    }
                },
            };
            let Body {
                reader,
                total,
                validators: answered,
            } = body;
            validators = answered;
            report(progress(&feeder, total), true);
            // No body at all is as empty as a body of 0 bytes.
            if let Some(reader) = reader {
                stream(&mut feeder, reader, &mut |f| {
                    report(progress(f, total), false)
                })
                .await?;
            }
        }
    }
    let received = feeder.received.get();
    let done = feeder.finish()?;
    let stats = match done {
        Done::Text(stats) => stats,
        Done::File(bytes) => {
            let size = bytes.len() as u64;
            load_file(conn, "main", &bytes)?;
            LoadStats {
                bytes: size,
                ..LoadStats::default()
            }
        }
    };
    let after = Totals {
        received: before.received + received,
        loaded: before.loaded + stats.bytes,
        statements: before.statements + stats.statements,
    };
    Ok((stats, after, validators))
}

/// Opens kept dataset `key` as the loaded data, and says how it came.
async fn reopen(
    key: &str,
    opened: Opened,
    started: f64,
) -> Result<(LoadSummary, Option<String>), String> {
    let mut main = Connection::open_in_memory().map_err(|e| e.to_string())?;
    let (mut info, in_place) = keep::open(key, &mut main).await?;
    main.pragma_update(None, "foreign_keys", true)
        .map_err(|e| e.to_string())?;
    info.opened = opened;
    // Unchanged since loaded: what was worked out of it then still holds.
    let remembered = if info.changed {
        None
    } else {
        Some(keep::remembered(key).await)
    };
    let mut summary = LoadSummary {
        bytes: info.bytes,
        kept: KeptState::Kept(info),
        in_place,
        ..LoadSummary::default()
    };
    match remembered.as_ref().and_then(|r| r.described.as_ref()) {
        Some(described) => {
            summary.tables = described.tables.clone();
            summary.schema = described.schema;
            summary.recognised = described.recognised.clone();
            summary.presets = described.presets.clone();
            summary.catalog = described.catalog.clone();
        }
        None => describe(&main, &mut summary).map_err(|e| e.to_string())?,
    }
    summary.elapsed_ms = now() - started;
    let remembered = remembered.map(|mut r| {
        if r.described.is_none() {
            r.described = Some(summary.clone());
            r.changed = true;
        }
        r
    });
    install(main, in_place, remembered, Some(key));
    Ok((summary, Some(key.to_string())))
}

/// For addresses kept in the browser: asks each whether it changed since
/// (a conditional request). `Ok(None)`: none changed (or none could be
/// reached, then `Err` says why), the kept copy is current; otherwise the
/// answers, to load from.
async fn revalidate(
    sources: &[NamedSource],
    kept: &[KeptSource],
) -> Result<Option<Vec<Option<Body>>>, String> {
    let mut answers = Vec::new();
    let mut changed = false;
    for (source, kept) in sources.iter().zip(kept) {
        let Source::Url(url) = &source.source else {
            return Ok(Some(Vec::new()));
        };
        match open(url, Some(&kept.validators)).await? {
            Fetched::NotModified => answers.push(None),
            Fetched::Body(body) => {
                changed = true;
                answers.push(Some(body));
            }
        }
    }
    Ok(changed.then_some(answers))
}

/// Loads `sources` as the data: a kept dataset opened as it is, addresses
/// whose kept copy is current opened from it, anything else loaded and then
/// kept. Returns the summary and the key the data is kept under.
async fn load(
    id: RequestId,
    sources: &[NamedSource],
    fresh: bool,
) -> Result<(LoadSummary, Option<String>), String> {
    let started = now();
    if let [
        NamedSource {
            source: Source::Kept { key, label },
            ..
        },
    ] = sources
    {
        return match reopen(key, Opened::Reopened, started).await {
            // Opened from the address (`?kept=KEY`), the label is the key.
            Err(_) if keep::sources_of(key).await.is_none() => Err(if label == key {
                "The data this address names was kept in this browser and has since been removed: \
                 load it again with Load other data, or choose one in the Data menu."
                    .to_string()
            } else {
                format!("{label} is no longer kept in this browser: load it again")
            }),
            other => other,
        };
    }
    let key = kept_key(sources);
    let kept = if fresh {
        None
    } else {
        keep::sources_of(&key).await
    };
    let mut fetched: Vec<Option<Body>> = Vec::new();
    // Why the data is loaded into memory only, not kept, if it is.
    let mut not_kept = None;
    if let Some(kept) = &kept
        && kept.len() == sources.len()
        && sources.iter().all(|s| matches!(s.source, Source::Url(_)))
    {
        match revalidate(sources, kept).await {
            Ok(None) => match reopen(&key, Opened::Unchanged, started).await {
                Ok(opened) => return Ok(opened),
                // The kept copy cannot be opened here (another tab holds
                // it): loaded from the address again, into memory, and
                // the kept copy left as it is.
                Err(why) => {
                    not_kept = Some(format!(
                        "the copy kept in this browser could not be opened: {why}"
                    ))
                }
            },
            Ok(Some(answers)) => fetched = answers,
            Err(why) => return reopen(&key, Opened::Unreachable(why), started).await,
        }
    }
    // A database file alone is read by ranges, if its server answers
    // them and it is not small; else it is downloaded whole.
    let mut why_whole = None;
    if fetched.is_empty()
        && not_kept.is_none()
        && let [
            NamedSource {
                schema: None,
                source: Source::Url(url),
            },
        ] = sources
        && database_named(url)
    {
        let probed = match remote::probe(url).await {
            Ok(probed) => probed,
            Err(why) => {
                return match open_kept_pages(url, &why, started).await {
                    Some(opened) => opened,
                    None => Err(why),
                };
            }
        };
        match probed {
            remote::Probe::Ranges {
                size,
                page_size,
                etag,
            } => {
                let kept = kept_pages(url, etag.as_deref(), size, page_size).await;
                return open_by_ranges(url, size, page_size, etag, kept, None, started);
            }
            remote::Probe::Whole(why, answer) => {
                why_whole = Some(why);
                if let Some(resp) = answer {
                    fetched = vec![Some(body_of(&resp))];
                }
            }
        }
    }
    // One address alone is asked now, for its length.
    if fetched.is_empty()
        && let [
            NamedSource {
                schema: None,
                source: Source::Url(url),
            },
        ] = sources
    {
        match open(url, None).await? {
            Fetched::Body(body) => fetched = vec![Some(body)],
            Fetched::NotModified => {
                return Err(
                    "the address answered 304 Not Modified to an unconditional request".into(),
                );
            }
        }
    }
    let large = not_kept.is_none()
        && match (sources, fetched.first()) {
            (
                [
                    NamedSource {
                        schema: None,
                        source,
                    },
                ],
                answer,
            ) => {
                sql_estimate(source, answer.and_then(Option::as_ref))
                    >= STATE.with_borrow(|s| s.in_place_above.unwrap_or(IN_PLACE_ABOVE))
            }
            _ => false,
        };
    let (main, in_place) = if large {
        match begin_in_place(&key).await {
            Ok(conn) => (conn, true),
            Err(why) => {
                web_sys::console::warn_1(
                    &format!("loading into memory, not the browser's storage: {why}").into(),
                );
                (open_in_memory()?, false)
            }
        }
    } else {
        (open_in_memory()?, false)
    };
    // Named as a database, it began otherwise: loaded as a dump, it says
    // what it was taken for when that fails too.
    let not_database = why_whole
        .as_deref()
        .is_some_and(|w| w.contains("not an SQLite database"));
    let loaded = load_into(
        id, sources, fetched, main, in_place, &key, started, not_kept,
    )
    .await
    .map_err(|e| {
        if not_database {
            format!("it is named as an SQLite database but does not begin as one, nor is it an SQL dump: {e}")
        } else {
            e
        }
    })
    .map(|(mut summary, key)| {
        if let Some(why) = why_whole {
            summary.remote = Some(Box::new(Remote {
                by_ranges: false,
                why_whole: why,
                size: summary.bytes,
                fetched: Default::default(),
                not_kept: None,
                unreachable: None,
            }));
        }
        (summary, key)
    });
    if loaded.is_err() && in_place {
        // What was written of it goes; the pool too, unless the data
        // still loaded is in it (an open database keeps the pool).
        let _ = in_place::remove(&key).await;
        in_place::release();
    }
    loaded
}

fn open_in_memory() -> Result<Connection, String> {
    Connection::open_in_memory().map_err(|e| e.to_string())
}

/// The bytes of SQL `source` holds, estimated: `answer` is its address's.
fn sql_estimate(source: &Source, answer: Option<&Body>) -> u64 {
    match source {
        Source::Text(text) => text.len() as u64,
        Source::Bytes { bytes, .. } if bytes.starts_with(&GZIP_MAGIC) => {
            bytes.len() as u64 * GZIP_RATIO
        }
        Source::Bytes { bytes, .. } => bytes.len() as u64,
        Source::Url(url) => {
            let total = answer.and_then(|a| a.total).unwrap_or(0);
            let path = url.split(['?', '#']).next().unwrap_or_default();
            if [".db", ".sqlite", ".sqlite3"]
                .iter()
                .any(|e| path.ends_with(e))
            {
                // A database file is opened in memory as it is.
                0
            } else if path.ends_with(".gz") {
                total * GZIP_RATIO
            } else {
                total
            }
        }
        Source::Kept { .. } => 0,
    }
}

/// An empty database in the browser's storage for dataset `key`, to load
/// into and query in place. The dataset of that key, if open in place,
/// is closed first: its database is replaced.
async fn begin_in_place(key: &str) -> Result<Connection, String> {
    STATE.with_borrow_mut(|s| {
        if s.in_place && s.kept_key.as_deref() == Some(key) {
            s.conn = None;
            s.kept_answers_clear();
        }
    });
    let others = keep::begin_in_place(key).await?;
    in_place::tidy(&others).await?;
    in_place::create(key).await
}

/// Loads `sources` into `main` (`in_place`: a database in the browser's
/// storage), describes and keeps it (unless `not_kept` says why not), and
/// makes it the loaded data.
#[allow(clippy::too_many_arguments)]
async fn load_into(
    id: RequestId,
    sources: &[NamedSource],
    mut fetched: Vec<Option<Body>>,
    mut main: Connection,
    in_place: bool,
    key: &str,
    started: f64,
    not_kept: Option<String>,
) -> Result<(LoadSummary, Option<String>), String> {
    let mut last_progress = started;
    let mut report = |progress: Progress, force: bool| {
        let t = now();
        if force || t - last_progress >= PROGRESS_EVERY_MS {
            last_progress = t;
            post(&Response::Progress { id, progress });
        }
    };
    let several = sources.len() > 1;
    let mut totals = Totals::default();
    let (mut failed, mut skipped) = (Vec::new(), Vec::new());
    let mut translated = 0;
    let mut keeping = Vec::new();
    for (i, NamedSource { schema, source }) in sources.iter().enumerate() {
        let label = match &schema {
            Some(s) => format!("{s} ({})", source.label()),
            None => source.label().to_string(),
        };
        let name = |e: String| if several { format!("{label}: {e}") } else { e };
        let answer = fetched.get_mut(i).and_then(Option::take);
        let (stats, validators);
        (stats, totals, validators) = match &schema {
            None => load_one(&mut main, source, answer, totals, &mut report)
                .await
                .map_err(name)?,
            Some(schema) => {
                if !valid_schema_name(schema) {
                    return Err(name(format!(
                        "\"{schema}\" cannot name a database: use letters, digits and _"
                    )));
                }
                let mut own = Connection::open_in_memory().map_err(|e| e.to_string())?;
                let loaded = load_one(&mut own, source, answer, totals, &mut report)
                    .await
                    .map_err(name)?;
                attach(&mut main, schema, &mut own).map_err(name)?;
                loaded
            }
        };
        keeping.push(KeptSource {
            schema: schema.clone(),
            url: match source {
                Source::Url(u) => Some(u.clone()),
                _ => None,
            },
            validators,
        });
        let mark = |mut p: Problem| {
            if several {
                p.reason = format!("{label}: {}", p.reason);
            }
            p
        };
        translated += stats.translated;
        failed.extend(stats.failed.into_iter().map(mark));
        skipped.extend(stats.skipped.into_iter().map(mark));
    }
    post(&Response::Progress {
        id,
        progress: Progress {
            bytes_received: totals.received,
            bytes_total: Some(totals.received),
            bytes_loaded: totals.loaded,
            statements: totals.statements,
        },
    });
    let mut summary = LoadSummary {
        statements: totals.statements,
        translated,
        bytes: totals.loaded,
        elapsed_ms: now() - started,
        failed,
        skipped,
        in_place,
        ..LoadSummary::default()
    };
    // Foreign keys are enforced from here on, as the command line's SQLite
    // does by default: the dump loads as written, and a change the user
    // allows follows the schema's ON DELETE and ON UPDATE actions.
    main.pragma_update(None, "foreign_keys", true)
        .map_err(|e| e.to_string())?;
    if in_place {
        in_place::loaded(&main)?;
    }
    describe(&main, &mut summary).map_err(|e| e.to_string())?;
    // Kept in the browser, to open again without fetching or parsing.
    let label = sources
        .iter()
        .map(|s| match &s.schema {
            Some(name) => format!("{name}:{}", s.source.label()),
            None => s.source.label().to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ");
    let kept = if let Some(why) = not_kept {
        Err(why)
    } else if in_place {
        let bytes = main
            .query_row(
                "SELECT page_count * page_size FROM pragma_page_count, pragma_page_size",
                [],
                |r| r.get::<_, i64>(0),
            )
            .unwrap_or(0);
        keep::save_in_place(key, &label, keeping, bytes as u64).await
    } else {
        keep::save(key, &label, keeping, &mut main).await
    };
    summary.kept = match kept {
        Ok(info) => KeptState::Kept(info),
        Err(why) => KeptState::NotKept(why),
    };
    let key = matches!(summary.kept, KeptState::Kept(_)).then(|| key.to_string());
    let remembered = keep::Remembered {
        described: Some(summary.clone()),
        answers: Vec::new(),
        changed: true,
    };
    install(main, in_place, Some(remembered), key.as_deref());
    Ok((summary, key))
}

/// The next chunk of a stream; `None` at its end.
async fn next_chunk(reader: &ReadableStreamDefaultReader) -> Result<Option<Uint8Array>, JsValue> {
    let chunk = JsFuture::from(reader.read()).await?;
    if Reflect::get(&chunk, &"done".into())?
        .as_bool()
        .unwrap_or(true)
    {
        return Ok(None);
    }
    Ok(Some(
        Reflect::get(&chunk, &"value".into())?.unchecked_into(),
    ))
}

/// Feeds a stream to `feeder` as it arrives. When its first bytes say gzip,
/// the compressed bytes are pumped into the browser's inflater by a task of
/// their own, and the inflated ones are fed as they come out.
async fn stream(
    feeder: &mut Feeder<'_>,
    reader: ReadableStreamDefaultReader,
    report: &mut dyn FnMut(&Feeder),
) -> Result<(), String> {
    let read_error = |e: JsValue| format!("reading failed: {}", js_error(&e));
    let Some(first) = next_chunk(&reader).await.map_err(read_error)? else {
        return Ok(());
    };
    let head = first.subarray(0, 2).to_vec();
    if head != GZIP_MAGIC {
        feeder.feed(&first.to_vec())?;
        report(feeder);
        while let Some(chunk) = next_chunk(&reader).await.map_err(read_error)? {
            feeder.feed(&chunk.to_vec())?;
            report(feeder);
        }
        return Ok(());
    }
    let inflater = Inflater::new("gzip").map_err(|e| {
        format!(
            "this browser cannot inflate gzip (DecompressionStream): {}",
            js_error(&e)
        )
    })?;
    let writer: WritableStreamDefaultWriter =
        inflater.writable().get_writer().map_err(|e| js_error(&e))?;
    let inflated: ReadableStreamDefaultReader = inflater.readable().get_reader().unchecked_into();
    wasm_bindgen_futures::spawn_local(pump(first, reader, writer, feeder.received.clone()));
    loop {
        match next_chunk(&inflated).await {
            Ok(Some(chunk)) => {
                feeder.content(&chunk.to_vec())?;
                report(feeder);
            }
            Ok(None) => return Ok(()),
            Err(e) => {
                return Err(format!(
                    "the gzip data is damaged or ends early: {}",
                    js_error(&e)
                ));
            }
        }
    }
}

/// Writes `first` and the rest of `reader` into an inflater, counting the
/// bytes; an error (of the network, or of the inflater) aborts it, so the
/// inflated side fails with the reason.
async fn pump(
    first: Uint8Array,
    reader: ReadableStreamDefaultReader,
    writer: WritableStreamDefaultWriter,
    received: Rc<Counter<u64>>,
) {
    let written = async {
        let mut chunk = first;
        loop {
            received.set(received.get() + u64::from(chunk.length()));
            JsFuture::from(writer.write_with_chunk(&chunk)).await?;
            match next_chunk(&reader).await? {
                Some(next) => chunk = next,
                None => break,
            }
        }
        JsFuture::from(writer.close()).await
    }
    .await;
    if let Err(e) = written {
        let _ = reader.cancel_with_reason(&e);
        let _ = writer.abort_with_reason(&e);
    }
}

/// An address's answer with a body.
struct Body {
    /// The body's reader (`None`: no body).
    reader: Option<ReadableStreamDefaultReader>,
    /// The announced length.
    total: Option<u64>,
    /// What may tell later whether it changed.
    validators: Validators,
}

/// An address's answer.
enum Fetched {
    /// Unchanged since the validators asked with.
    NotModified,
    /// A body to read.
    Body(Body),
}

/// Whether `url` is of this page's own origin.
fn same_origin(url: &str) -> bool {
    let here = scope().location().origin();
    web_sys::Url::new(url).is_ok_and(|u| u.origin() == here)
}

/// Starts fetching `url`, conditionally when `kept` holds validators; gives
/// the body's reader, or that it did not change, or why not (the status
/// line names the address). A conditional request to another origin would
/// need its permission (CORS), so there the answer's validators, when it
/// shows them, are compared instead, and its body left unread.
async fn open(url: &str, kept: Option<&Validators>) -> Result<Fetched, String> {
    let init = web_sys::RequestInit::new();
    let conditional = kept.filter(|v| v.etag.is_some() || v.last_modified.is_some());
    if let Some(v) = conditional
        && same_origin(url)
    {
        let headers = web_sys::Headers::new().map_err(|e| js_error(&e))?;
        if let Some(etag) = &v.etag {
            let _ = headers.set("If-None-Match", etag);
        }
        if let Some(date) = &v.last_modified {
            let _ = headers.set("If-Modified-Since", date);
        }
        init.set_headers(&headers);
        // The answer is this request's own, not the HTTP cache's.
        init.set_cache(web_sys::RequestCache::NoStore);
    }
    let resp: web_sys::Response = JsFuture::from(scope().fetch_with_str_and_init(url, &init))
        .await
        .map_err(|e| crate::net::fetch_failure(url, &e))?
        .unchecked_into();
    if resp.status() == 304 {
        return Ok(Fetched::NotModified);
    }
    if !resp.ok() {
        return Err(crate::net::http_error(resp.status(), &resp.status_text()));
    }
    let body = body_of(&resp);
    if let Some(v) = conditional
        && (v.etag.is_some() && v.etag == body.validators.etag
            || v.etag.is_none()
                && v.last_modified.is_some()
                && v.last_modified == body.validators.last_modified)
    {
        if let Some(reader) = &body.reader {
            let _ = reader.cancel();
        }
        return Ok(Fetched::NotModified);
    }
    Ok(Fetched::Body(body))
}

/// An answer's body to read, its length and validators.
fn body_of(resp: &web_sys::Response) -> Body {
    let header = |name: &str| resp.headers().get(name).ok().flatten();
    Body {
        reader: resp.body().map(|body| body.get_reader().unchecked_into()),
        total: header("content-length").and_then(|s| s.parse().ok()),
        validators: Validators {
            etag: header("etag"),
            last_modified: header("last-modified"),
        },
    }
}

/// Whether `url` names an SQLite database file (by its extension).
fn database_named(url: &str) -> bool {
    let path = url.split(['?', '#']).next().unwrap_or_default();
    [".db", ".sqlite", ".sqlite3"]
        .iter()
        .any(|e| path.ends_with(e))
}

/// The pages kept in this browser of the file at `url` (as of `version`,
/// its `ETag` or `Last-Modified`), or why none can be.
async fn kept_pages(
    url: &str,
    version: Option<&str>,
    size: u64,
    page_size: u32,
) -> Result<(PageStore, Vec<u64>), String> {
    let version =
        version.ok_or("its server sends no ETag or Last-Modified to tell a changed file by")?;
    let conn = in_place::pages(true).await?;
    PageStore::open(conn, url, version, size, page_size.into(), PAGES_BOUND)
}

/// Opens the database at `url`, which could not be reached (`why`), from
/// the pages kept of it in this browser, as of the version they are of;
/// `None` if none are kept (or the store cannot be opened).
async fn open_kept_pages(
    url: &str,
    why: &str,
    started: f64,
) -> Option<Result<(LoadSummary, Option<String>), String>> {
    let conn = in_place::pages(false).await.ok();
    let Some(kept) = conn
        .as_ref()
        .and_then(|c| PageStore::kept_of(c, url).ok().flatten())
    else {
        drop(conn);
        in_place::release();
        return None;
    };
    let page_size = u32::try_from(kept.block).ok()?;
    let pages = PageStore::open(
        conn?,
        url,
        &kept.version,
        kept.size,
        kept.block,
        PAGES_BOUND,
    );
    Some(open_by_ranges(
        url,
        kept.size,
        page_size,
        Some(kept.version),
        pages,
        Some(why.to_string()),
        started,
    ))
}

/// Opens the database at `url` (`size` bytes, pages of `page_size`) to be
/// read by ranges as queries need it, as the loaded data, with the pages
/// `kept` of it (or why none are); `unreachable`: why its address could
/// not be reached, so that it is opened from those pages.
fn open_by_ranges(
    url: &str,
    size: u64,
    page_size: u32,
    etag: Option<String>,
    kept: Result<(PageStore, Vec<u64>), String>,
    unreachable: Option<String>,
    started: f64,
) -> Result<(LoadSummary, Option<String>), String> {
    let block = u64::from(page_size);
    let (kept, not_kept) = match kept {
        Ok(kept) => (Some(kept), None),
        Err(why) => (None, Some(why)),
    };
    let opened = lazy::open_keeping(
        remote::HttpRanges::new(url, size, etag),
        lazy::Options {
            block,
            ..lazy::Options::default()
        },
        kept,
    )
    .map_err(|e| format!("cannot open it: {e}"))?;
    let lazy::Opened { conn, reading } = opened;
    let opened = STATE.with_borrow_mut(|s| {
        s.opened += 1;
        s.opened
    });
    let mut summary = LoadSummary {
        bytes: size,
        ..LoadSummary::default()
    };
    describe(&conn, &mut summary).map_err(|e| match reading.failure() {
        Some(why) => format!("cannot read it: {why}"),
        None => format!("cannot read it: {e}"),
    })?;
    summary.remote = Some(Box::new(Remote {
        by_ranges: true,
        why_whole: String::new(),
        size,
        fetched: fetched(&reading, opened),
        not_kept,
        unreachable,
    }));
    summary.elapsed_ms = now() - started;
    let remembered = keep::Remembered {
        described: Some(summary.clone()),
        answers: Vec::new(),
        changed: false,
    };
    install(conn, false, Some(remembered), None);
    STATE.with_borrow_mut(|s| {
        s.fetched = summary.remote.as_ref().map(|r| r.fetched);
        s.reading = Some(reading);
    });
    Ok((summary, None))
}

fn js_error(e: &JsValue) -> String {
    e.as_string()
        .or_else(|| {
            Reflect::get(e, &"message".into())
                .ok()
                .and_then(|m| m.as_string())
        })
        .unwrap_or_else(|| format!("{e:?}"))
}
