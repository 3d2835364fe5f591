//! The Web Worker that owns SQLite: it loads dumps (fetched and fed to the
//! loader chunk by chunk as they arrive, gzip or not) and answers queries,
//! keeping large answers to hand out in pages.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::Write as _;

use flate2::write::GzDecoder;
use js_sys::{Reflect, Uint8Array};
use rusqlite::Connection;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent, ReadableStreamDefaultReader};

use crate::db::load::{LoadError, Loader, OnError};
use crate::db::{detect_schema, query, table_counts};
use crate::protocol::{
    Cell, LoadSummary, Progress, QueryAnswer, Request, RequestId, Response, Source,
};
use crate::wire;

/// Answers kept for paging, newest last.
const KEPT_ANSWERS: usize = 4;
/// Milliseconds between two progress messages.
const PROGRESS_EVERY_MS: f64 = 50.0;
/// Slice size when text is handed over whole.
const SLICE: usize = 256 * 1024;

#[derive(Default)]
struct State {
    conn: Option<Connection>,
    kept: VecDeque<(RequestId, Vec<Vec<Cell>>)>,
}

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
    console_error_panic_hook::set_once();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|event: MessageEvent| {
        match wire::decode::<Request>(event.data()) {
            Ok(req) => handle(req),
            Err(e) => web_sys::console::error_1(&format!("bad request: {e}").into()),
        }
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    post(&Response::Ready);
}

fn handle(req: Request) {
    match req {
        Request::Load { id, source } => {
            wasm_bindgen_futures::spawn_local(async move {
                let resp = match load(id, source).await {
                    Ok(summary) => Response::Loaded { id, summary },
                    Err(error) => Response::LoadFailed { id, error },
                };
                post(&resp);
            });
        }
        Request::Query { id, sql, page_size } => post(&run_query(id, &sql, page_size)),
        Request::Page {
            id,
            query,
            offset,
            limit,
        } => {
            let rows = STATE.with_borrow(|s| {
                s.kept
                    .iter()
                    .find(|(q, _)| *q == query)
                    .map(|(_, rows)| rows.iter().skip(offset).take(limit).cloned().collect())
                    .unwrap_or_default()
            });
            post(&Response::Rows {
                id,
                query,
                offset,
                rows,
            });
        }
    }
}

fn run_query(id: RequestId, sql: &str, page_size: usize) -> Response {
    STATE.with_borrow_mut(|state| {
        let Some(conn) = state.conn.as_ref() else {
            return Response::QueryFailed {
                id,
                error: crate::protocol::SqlError {
                    message: "no database is loaded yet".into(),
                    offset: None,
                },
            };
        };
        let started = now();
        match query::run(conn, sql) {
            Ok(out) => {
                let elapsed_ms = now() - started;
                let total_rows = out.rows.len();
                let first: Vec<Vec<Cell>> = out.rows.iter().take(page_size).cloned().collect();
                if total_rows > page_size {
                    if state.kept.len() == KEPT_ANSWERS {
                        state.kept.pop_front();
                    }
                    state.kept.push_back((id, out.rows));
                }
                Response::Answer {
                    id,
                    answer: QueryAnswer {
                        columns: out.columns,
                        rows: first,
                        total_rows,
                        changes: out.changes,
                        elapsed_ms,
                    },
                }
            }
            Err(error) => Response::QueryFailed { id, error },
        }
    })
}

/// Feeds bytes to the loader, inflating them first when the input is gzip.
struct Feeder<'c> {
    loader: Loader<'c>,
    gzip: Option<GzDecoder<Vec<u8>>>,
    sniffed: bool,
    received: u64,
}

impl<'c> Feeder<'c> {
    fn feed(&mut self, chunk: &[u8]) -> Result<(), String> {
        self.received += chunk.len() as u64;
        if !self.sniffed {
            self.sniffed = true;
            if chunk.starts_with(&[0x1f, 0x8b]) {
                self.gzip = Some(GzDecoder::new(Vec::new()));
            }
        }
        match &mut self.gzip {
            Some(dec) => {
                dec.write_all(chunk)
                    .map_err(|e| format!("the gzip data is damaged: {e}"))?;
                let text = std::mem::take(dec.get_mut());
                self.loader.feed(&text).map_err(|e| e.to_string())
            }
            None => self.loader.feed(chunk).map_err(|e| e.to_string()),
        }
    }

    fn finish(mut self) -> Result<crate::db::load::LoadStats, String> {
        if let Some(dec) = self.gzip.take() {
            let rest = dec
                .finish()
                .map_err(|e| format!("the gzip data ends early or is damaged: {e}"))?;
            self.loader.feed(&rest).map_err(|e| e.to_string())?;
        }
        self.loader.finish().map_err(|e: LoadError| e.to_string())
    }

    fn progress(&self, total: Option<u64>) -> Progress {
        Progress {
            bytes_received: self.received,
            bytes_total: total,
            bytes_loaded: self.loader.bytes_loaded(),
            statements: self.loader.statements(),
        }
    }
}

async fn load(id: RequestId, source: Source) -> Result<LoadSummary, String> {
    let started = now();
    let conn = Connection::open_in_memory().map_err(|e| e.to_string())?;
    let loader = Loader::new(&conn, OnError::Continue).map_err(|e| e.to_string())?;
    let mut feeder = Feeder {
        loader,
        gzip: None,
        sniffed: false,
        received: 0,
    };
    let mut last_progress = started;
    let mut report = |feeder: &Feeder, total: Option<u64>, force: bool| {
        let t = now();
        if force || t - last_progress >= PROGRESS_EVERY_MS {
            last_progress = t;
            post(&Response::Progress {
                id,
                progress: feeder.progress(total),
            });
        }
    };
    match source {
        Source::Text(text) => {
            for slice in text.as_bytes().chunks(SLICE) {
                feeder.feed(slice)?;
                report(&feeder, Some(text.len() as u64), false);
            }
        }
        Source::Url(url) => {
            let (reader, total) = open(&url).await?;
            report(&feeder, total, true);
            loop {
                let chunk = JsFuture::from(reader.read())
                    .await
                    .map_err(|e| format!("{url}: reading failed: {}", js_error(&e)))?;
                if Reflect::get(&chunk, &"done".into())
                    .ok()
                    .and_then(|d| d.as_bool())
                    .unwrap_or(true)
                {
                    break;
                }
                let bytes: Uint8Array = Reflect::get(&chunk, &"value".into())
                    .map_err(|e| js_error(&e))?
                    .unchecked_into();
                feeder.feed(&bytes.to_vec())?;
                report(&feeder, total, false);
            }
        }
    }
    let received = feeder.received;
    let stats = feeder.finish()?;
    post(&Response::Progress {
        id,
        progress: Progress {
            bytes_received: received,
            bytes_total: Some(received),
            bytes_loaded: stats.bytes,
            statements: stats.statements,
        },
    });
    let tables = table_counts(&conn).map_err(|e| e.to_string())?;
    let schema = detect_schema(&conn);
    let summary = LoadSummary {
        statements: stats.statements,
        bytes: stats.bytes,
        elapsed_ms: now() - started,
        failed: stats.failed,
        skipped: stats.skipped,
        tables,
        schema,
    };
    STATE.with_borrow_mut(|s| {
        s.conn = Some(conn);
        s.kept.clear();
    });
    Ok(summary)
}

/// Starts fetching `url`; gives the body reader and the announced length.
async fn open(url: &str) -> Result<(ReadableStreamDefaultReader, Option<u64>), String> {
    let resp: web_sys::Response = JsFuture::from(scope().fetch_with_str(url))
        .await
        .map_err(|e| format!("{url}: cannot fetch: {}", js_error(&e)))?
        .unchecked_into();
    if !resp.ok() {
        return Err(format!(
            "{url}: the server answered {} {}",
            resp.status(),
            resp.status_text()
        ));
    }
    let total = resp
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|s| s.parse().ok());
    let body = resp
        .body()
        .ok_or_else(|| format!("{url}: the response has no body"))?;
    Ok((body.get_reader().unchecked_into(), total))
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
