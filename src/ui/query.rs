//! The main query: running the editor's SQL (or a sorted form of it), the
//! clock while it runs, its answer or error, and the parameters it takes.

use leptos::prelude::*;

use super::{QueryState, Store, bridge, builder, editor, load, saved, url};
use crate::protocol::{DEFAULT_PAGE_SIZE, Request, Response};

/// The title of preset `id` (built in, or shipped in the loaded dump).
pub fn preset_title(store: Store, id: &str) -> Option<String> {
    if let Some(title) = store
        .catalog
        .with_untracked(|c| Some(c.as_ref()?.find(id)?.title.clone()))
    {
        return Some(title);
    }
    let i: usize = id.strip_prefix("shipped:")?.parse().ok()?;
    store
        .loaded
        .with_untracked(|l| Some(l.as_ref()?.1.presets.get(i)?.title.clone()))
}

/// Milliseconds since the page started (`performance.now()`).
pub fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

thread_local! {
    /// Ticks the clock while the main query runs.
    static TICKER: std::cell::RefCell<Option<gloo_timers::callback::Interval>> =
        const { std::cell::RefCell::new(None) };
}

/// Runs `sql` as the main query (unsorted) and records it in the address.
/// A preset with a check of its parameters (the run diff's runs) is
/// checked first: an error is shown instead of an answer, a warning above it.
pub fn run(store: Store, sql: String) {
    store.sort.set(None);
    store.notice.set(None);
    editor::whole_text();
    let check = store
        .catalog
        .with_untracked(|c| c.as_ref().and_then(|c| c.check_for_sql(&sql)));
    let Some(check) = check else {
        execute(store, sql.clone(), sql);
        return;
    };
    let values: Vec<String> = store
        .params
        .with_untracked(|p| p.iter().map(|(_, v)| v.clone()).collect());
    // The query has begun: the earlier answer goes while it is checked.
    let started = now();
    store.clock.set(started);
    store.query.set(QueryState::Running { started });
    bridge::send_asked(
        |id| Request::Query {
            id,
            sql: check.to_string(),
            params: values,
            page_size: 100,
            allow_changes: false,
            time_limit_ms: None,
            read_budget: Some(url::read_budget()),
        },
        move |resp| {
            let said: Vec<(String, String)> = match resp {
                Response::Answer { answer, .. } => answer
                    .rows
                    .iter()
                    .filter_map(|r| Some((r.first()?.display()?, r.get(1)?.display()?)))
                    .collect(),
                // The check could not run: the query runs as asked.
                Response::QueryFailed { .. } => Vec::new(),
                // Stopped while checking: the query did not run.
                Response::Halted { crash, .. } => {
                    store.query.set(QueryState::Halted {
                        seconds: (now() - started) / 1000.0,
                        crash,
                    });
                    return;
                }
                _ => return,
            };
            let words = |level: &str| {
                said.iter()
                    .filter(|(l, _)| l == level)
                    .map(|(_, w)| w.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            let (errors, warnings) = (words("error"), words("warning"));
            if !errors.is_empty() {
                store.query.set(QueryState::Failed {
                    error: crate::protocol::SqlError {
                        message: errors,
                        offset: None,
                        params: Vec::new(),
                    },
                    sql: sql.clone(),
                });
                return;
            }
            store.notice.set((!warnings.is_empty()).then_some(warnings));
            execute(store, sql.clone(), sql.clone());
        },
    );
}

/// Runs the address's query by itself (on opening or reloading the page):
/// read-only, whatever “Allow changes” says. A query that would change the
/// data is not run; the status says so, and Run runs it.
pub fn run_from_address(store: Store, sql: String) {
    store.sort.set(None);
    editor::whole_text();
    let limit = store.time_limit.get_untracked();
    send(
        store,
        sql.clone(),
        sql,
        limit,
        Some(url::read_budget()),
        true,
    );
}

/// Sorts the answer by column `col` (0-based): ascending, or descending if
/// it was sorted ascending by it. SQLite sorts: the editor's SQL is run
/// inside `SELECT * FROM (…) ORDER BY col`.
pub fn sort_by(store: Store, col: usize) {
    let desc = store.sort.get_untracked() == Some((col, false));
    store.sort.set(Some((col, desc)));
    let sql = store.sql.get_untracked();
    let inner = sql.trim().trim_end_matches(';').trim_end();
    let sorted = format!(
        "SELECT * FROM ({inner}\n) ORDER BY {} {};",
        col + 1,
        if desc { "DESC" } else { "ASC" }
    );
    execute(store, sorted, sql);
}

/// Runs the editor's SQL again without its time budget, nor a bound on
/// what it may fetch over the network.
pub fn run_without_limit(store: Store) {
    store.sort.set(None);
    let sql = store.sql.get_untracked();
    send(store, sql.clone(), sql, None, None, false);
}

/// Sends `sql` as the main query; the address records `shown`.
fn execute(store: Store, sql: String, shown: String) {
    send(
        store,
        sql,
        shown,
        store.time_limit.get_untracked(),
        Some(url::read_budget()),
        false,
    );
}

/// Sends `sql` as the main query with time budget `limit` (milliseconds)
/// and `budget` of bytes to fetch over the network; `by_itself`: the
/// address's, run read-only.
fn send(
    store: Store,
    sql: String,
    shown: String,
    limit: Option<u32>,
    budget: Option<u64>,
    by_itself: bool,
) {
    let started = now();
    store.clock.set(started);
    store.query.set(QueryState::Running { started });
    TICKER.with_borrow_mut(|t| {
        *t = Some(gloo_timers::callback::Interval::new(100, move || {
            store.clock.set(now())
        }))
    });
    let values: Vec<String> = store
        .params
        .with_untracked(|p| p.iter().map(|(_, v)| v.clone()).collect());
    url::set_sql(
        &shown,
        &values,
        store.chart.get_untracked().as_deref(),
        store.preset.get_untracked().as_deref(),
    );
    url::unfinished();
    let text = sql.clone();
    let asked = values.clone();
    let shown_sql = shown.clone();
    let id = bridge::send_asked(
        |id| Request::Query {
            id,
            sql: text,
            params: asked,
            page_size: DEFAULT_PAGE_SIZE,
            allow_changes: store.allow.get_untracked() && !by_itself,
            time_limit_ms: limit,
            read_budget: budget,
        },
        move |resp| {
            // What the data is now, whichever query is shown.
            if let Response::Changed { summary, .. } = resp {
                load::changed(store, summary);
                return;
            }
            // A query started later replaced this one: its answer is dropped.
            if resp.id() != store.current.get_untracked() {
                return;
            }
            let state = match resp {
                Response::Started { .. } => {
                    let started = now();
                    store.clock.set(started);
                    store.query.set(QueryState::Running { started });
                    return;
                }
                Response::Halted { crash, .. } => {
                    let seconds = match store.query.get_untracked() {
                        QueryState::Running { started } => (now() - started) / 1000.0,
                        _ => 0.0,
                    };
                    QueryState::Halted { seconds, crash }
                }
                Response::TimedOut { limit_ms, .. } => QueryState::TimedOut { limit_ms },
                Response::OverBudget {
                    budget, fetched, ..
                } => QueryState::OverBudget { budget, fetched },
                Response::Answer { id, answer } => {
                    url::finished();
                    name_params(store, &answer.params);
                    store.library.update(|l| {
                        l.ran(crate::library::Entry {
                            name: String::new(),
                            sql: shown.clone(),
                            params: values.clone(),
                            chart: store.chart.get_untracked(),
                            at: saved::now(),
                            rows: Some(answer.total_rows as u64),
                        })
                    });
                    if answer.total_rows > 0 && answer.columns.len() >= 2 {
                        let title = store
                            .preset_title
                            .get_untracked()
                            .unwrap_or_else(|| "Query result".to_string());
                        builder::draw(store, id, &answer.columns, title);
                    } else {
                        store.drawing.set(builder::Drawing::None);
                    }
                    QueryState::Done { query: id, answer }
                }
                // The address's query would change the data: not run.
                Response::QueryFailed { error, .. }
                    if by_itself && error.message.starts_with("This data is read-only") =>
                {
                    url::finished();
                    store.drawing.set(builder::Drawing::None);
                    QueryState::NotRerun { changes: true }
                }
                Response::QueryFailed { error, .. } => {
                    store.drawing.set(builder::Drawing::None);
                    // Read over HTTP, the file changed: opened anew.
                    if error.message.starts_with(crate::net::CHANGED_ON_SERVER) {
                        load::reopen(store);
                    }
                    if !error.params.is_empty() {
                        name_params(store, &error.params);
                    }
                    if let Some(offset) = error.offset
                        && sql == shown
                    {
                        editor::mark_error(&sql, offset);
                    }
                    QueryState::Failed {
                        error,
                        sql: sql.clone(),
                    }
                }
                _ => return,
            };
            TICKER.with_borrow_mut(|t| *t = None);
            store.query.set(state);
        },
    );
    store.current.set(Some(id));
    // Behind a query or load the worker is running: shown as waiting.
    if bridge::waiting(id) {
        store.query.set(QueryState::Waiting { sql: shown_sql });
    }
}

/// Makes the parameter form match the parameters the SQL turned out to
/// take: values are kept by position, and so are labels (a preset's names)
/// while the count is unchanged; otherwise SQLite's names are shown.
fn name_params(store: Store, names: &[String]) {
    store.params.update(|params| {
        if params.len() == names.len() {
            return;
        }
        let old = std::mem::take(params);
        *params = names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let value = old.get(i).map(|(_, v)| v.clone()).unwrap_or_default();
                (name.clone(), value)
            })
            .collect();
    });
}

/// Asks the data for the first value of each of `queries` in turn, then
/// calls `done` with them all (an empty string where a query found nothing).
pub fn values_of(
    queries: Vec<String>,
    found: Vec<String>,
    done: impl FnOnce(Vec<String>) + 'static,
) {
    let Some(sql) = queries.get(found.len()).cloned() else {
        done(found);
        return;
    };
    let next = std::cell::RefCell::new(Some((queries, found, done)));
    bridge::send(
        |id| Request::Query {
            id,
            sql,
            params: Vec::new(),
            page_size: 1,
            allow_changes: false,
            time_limit_ms: None,
            read_budget: Some(url::read_budget()),
        },
        move |resp| {
            let value = match resp {
                Response::Answer { answer, .. } => answer
                    .rows
                    .first()
                    .and_then(|row| row.first())
                    .and_then(crate::protocol::Cell::display)
                    .unwrap_or_default(),
                Response::QueryFailed { .. } => String::new(),
                _ => return,
            };
            if let Some((queries, mut found, done)) = next.borrow_mut().take() {
                found.push(value);
                values_of(queries, found, done);
            }
        },
    );
}
