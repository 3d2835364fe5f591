//! The browser UI (Leptos). It holds no SQLite: every question goes to the
//! worker through [`bridge`].

mod bridge;
mod builder;
mod chart;
mod editor;
mod js;
mod keys;
mod saved;
mod schema;
mod table;
mod url;

use leptos::prelude::*;

use crate::chart::{data_from_rows, fmt_count};
use crate::presets::{self, Chart};
use crate::protocol::{
    DEFAULT_PAGE_SIZE, LoadSummary, NamedSource, Progress, QueryAnswer, Request, RequestId,
    Response, SchemaKind, Source, SqlError,
};

/// Where the bundled demo dump lives, relative to the site's base URL.
const DEMO_DUMP: &str = "static/demo.sql.gz";
/// The list of dumps shipped with the site.
const DATASETS: &str = "static/datasets.json";
/// Trunk's loader script for the worker binary.
const WORKER_SCRIPT: &str = "worker_loader.js";

/// What is loaded, or being loaded.
#[derive(Debug, Clone, PartialEq)]
pub enum LoadState {
    /// Fetching and loading `url`.
    Loading {
        /// The dump's URL.
        url: String,
        /// How far it has come.
        progress: Option<Progress>,
    },
    /// `url` is loaded.
    Loaded {
        /// The dump's URL.
        url: String,
        /// What the load reported.
        summary: LoadSummary,
    },
    /// Loading failed (earlier data, if any, is still there).
    Failed {
        /// The dump's URL.
        url: String,
        /// Why.
        error: String,
    },
}

/// The state of the main query.
#[derive(Debug, Clone, PartialEq)]
pub enum QueryState {
    /// Nothing run yet.
    Idle,
    /// Running since `started` (milliseconds, `performance.now()`).
    Running {
        /// When it started.
        started: f64,
    },
    /// An answer.
    Done {
        /// The query's request id (for more rows, charts and files).
        query: RequestId,
        /// The answer, with its first page of rows.
        answer: QueryAnswer,
    },
    /// SQLite refused it.
    Failed {
        /// SQLite's error.
        error: SqlError,
        /// The SQL it refused.
        sql: String,
    },
}

/// A dump shipped with the site, listed in `static/datasets.json`.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// What it is.
    pub name: String,
    /// Where it is, relative to the site.
    pub url: String,
}

/// The answer to a dashboard query.
type Panel = RwSignal<Option<Result<QueryAnswer, SqlError>>>;

/// Global state, shared through context.
#[derive(Clone, Copy)]
pub struct Store {
    /// The load.
    pub load: RwSignal<LoadState>,
    /// The editor's text.
    pub sql: RwSignal<String>,
    /// The main query.
    pub query: RwSignal<QueryState>,
    /// Which preset was chosen last (its id).
    pub preset: RwSignal<Option<String>>,
    /// The SQL's parameters: a label and the value given, in order.
    pub params: RwSignal<Vec<(String, String)>>,
    /// The column the answer is sorted by, and whether descending.
    pub sort: RwSignal<Option<(usize, bool)>>,
    /// The chart spec chosen (`None`: guess one from the answer).
    pub chart: RwSignal<Option<String>>,
    /// The chart of the answer.
    pub drawing: RwSignal<builder::Drawing>,
    /// The request id of the chart shown (older drawings are dropped).
    chart_request: RwSignal<Option<RequestId>>,
    /// The title of the preset shown, if a preset is shown.
    preset_title: RwSignal<Option<String>>,
    /// Whether the SQL editor (CodeMirror) has replaced the text area.
    pub editor: RwSignal<bool>,
    /// Saved queries and the history (kept in the browser's storage).
    pub library: RwSignal<crate::library::Library>,
    /// The dumps shipped with the site.
    datasets: RwSignal<Vec<Dataset>>,
    /// What was loaded last: still there when a later load fails.
    loaded: RwSignal<Option<(String, LoadSummary)>>,
    /// The request id of the main query shown (answers to older ones are dropped).
    current: RwSignal<Option<RequestId>>,
    /// The clock while a query runs (milliseconds, `performance.now()`).
    clock: RwSignal<f64>,
    headline: Panel,
    by_branch: Panel,
    by_platform: Panel,
}

impl Store {
    fn new(sql: String, values: Vec<String>, chart: Option<String>) -> Self {
        Store {
            load: RwSignal::new(LoadState::Loading {
                url: String::new(),
                progress: None,
            }),
            sql: RwSignal::new(sql),
            query: RwSignal::new(QueryState::Idle),
            preset: RwSignal::new(None),
            params: RwSignal::new(
                values
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| (format!("?{}", i + 1), v))
                    .collect(),
            ),
            chart: RwSignal::new(chart),
            sort: RwSignal::new(None),
            drawing: RwSignal::new(builder::Drawing::None),
            chart_request: RwSignal::new(None),
            preset_title: RwSignal::new(None),
            library: RwSignal::new(saved::stored()),
            editor: RwSignal::new(false),
            datasets: RwSignal::new(Vec::new()),
            loaded: RwSignal::new(None),
            current: RwSignal::new(None),
            clock: RwSignal::new(0.0),
            headline: RwSignal::new(None),
            by_branch: RwSignal::new(None),
            by_platform: RwSignal::new(None),
        }
    }

    /// Every schema recognised in the loaded data.
    fn recognised(&self) -> Vec<SchemaKind> {
        self.loaded.with(|l| {
            l.as_ref()
                .map(|(_, s)| s.recognised.clone())
                .unwrap_or_default()
        })
    }

    /// The schema of the data in the worker, once something is loaded and
    /// while nothing else is loading.
    fn schema(&self) -> Option<SchemaKind> {
        match self.load.get() {
            LoadState::Loading { .. } => None,
            _ => self.loaded.with(|l| l.as_ref().map(|(_, s)| s.schema)),
        }
    }
}

/// Starts the app: spawns the worker, mounts the UI, loads the dump.
pub fn start() {
    crate::wire::report_panics();
    keys::restore_theme();
    let params = url::Params::from_location();
    let worker = url::resolve(WORKER_SCRIPT);
    leptos::mount::mount_to_body(move || {
        let store = Store::new(
            params.sql.clone().unwrap_or_default(),
            params.values.clone(),
            params.chart.clone(),
        );
        store.preset.set(params.preset.clone());
        provide_context(store);
        saved::persist(store.library);
        // Back and forward step through the queries run: each is an entry.
        let popped = window_event_listener(leptos::ev::popstate, move |_| {
            let p = url::Params::from_location();
            if let Some(sql) = p.sql {
                store
                    .preset_title
                    .set(p.preset.as_deref().and_then(|id| preset_title(store, id)));
                store.preset.set(p.preset);
                store.chart.set(p.chart);
                store.params.set(
                    p.values
                        .into_iter()
                        .enumerate()
                        .map(|(i, v)| (format!("?{}", i + 1), v))
                        .collect(),
                );
                store.sql.set(sql.clone());
                run(store, sql);
            } else {
                // Back to before the first query: nothing shown.
                store.sql.set(String::new());
                store.query.set(QueryState::Idle);
                store.drawing.set(builder::Drawing::None);
            }
        });
        on_cleanup(move || popped.remove());
        let failed = {
            let url = worker.clone();
            move |error| {
                store.load.set(LoadState::Failed {
                    url: url.clone(),
                    error,
                })
            }
        };
        let sources: Vec<NamedSource> = if params.dbs.is_empty() {
            vec![NamedSource {
                schema: None,
                source: Source::Url(url::resolve(DEMO_DUMP)),
            }]
        } else {
            params
                .dbs
                .iter()
                .map(|(schema, u)| NamedSource {
                    schema: schema.clone(),
                    source: Source::Url(url::resolve(u)),
                })
                .collect()
        };
        match bridge::spawn(&worker, failed) {
            Ok(()) => load(store, sources, params.sql.is_some()),
            Err(error) => store.load.set(LoadState::Failed {
                url: worker.clone(),
                error,
            }),
        }
        leptos::task::spawn_local(async move {
            match url::fetch_json(&url::resolve(DATASETS)).await {
                Ok(list) => store.datasets.set(
                    js::items(&list)
                        .map(|d| Dataset {
                            name: js::text(&d, "name"),
                            url: js::text(&d, "url"),
                        })
                        .filter(|d| !d.url.is_empty())
                        .collect(),
                ),
                Err(e) => web_sys::console::warn_1(&format!("{DATASETS}: {e}").into()),
            }
        });
        view! { <App/> }
    });
}

/// The title of preset `id` (built in, or shipped in the loaded dump).
fn preset_title(store: Store, id: &str) -> Option<String> {
    if let Some(p) = presets::find(id) {
        return Some(p.title.to_string());
    }
    let i: usize = id.strip_prefix("shipped:")?.parse().ok()?;
    store
        .loaded
        .with_untracked(|l| Some(l.as_ref()?.1.presets.get(i)?.title.clone()))
}

/// What the status line calls a set of sources.
fn describe(sources: &[NamedSource]) -> String {
    sources
        .iter()
        .map(|s| match &s.schema {
            Some(name) => format!("{name}:{}", s.source.label()),
            None => s.source.label().to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Loads `sources`; then fills the dashboard, and runs the editor's SQL if
/// `run_sql` (a `?sql=` in the address).
fn load(store: Store, sources: Vec<NamedSource>, run_sql: bool) {
    let url = describe(&sources);
    store.load.set(LoadState::Loading {
        url: url.clone(),
        progress: None,
    });
    bridge::send(
        |id| Request::Load { id, sources },
        move |resp| match resp {
            Response::Progress { progress, .. } => store.load.set(LoadState::Loading {
                url: url.clone(),
                progress: Some(progress),
            }),
            Response::Loaded { summary, .. } => {
                let schema = summary.schema;
                store.loaded.set(Some((url.clone(), summary.clone())));
                // The panels of the data replaced.
                for panel in [store.headline, store.by_branch, store.by_platform] {
                    panel.set(None);
                }
                store.load.set(LoadState::Loaded {
                    url: url.clone(),
                    summary,
                });
                // The editor's module comes once the data is there, after
                // the dashboard's first chart when there is one (its
                // compiling would hold the chart back).
                if schema == SchemaKind::Greenboard {
                    fill_dashboard(store);
                } else {
                    editor::start(store);
                }
                if run_sql {
                    let id = store.preset.get_untracked();
                    store
                        .preset_title
                        .set(id.as_deref().and_then(|id| preset_title(store, id)));
                    run(store, store.sql.get_untracked());
                }
            }
            Response::LoadFailed { error, .. } => store.load.set(LoadState::Failed {
                url: url.clone(),
                error,
            }),
            _ => {}
        },
    );
}

/// Runs `sql` for a dashboard panel; `then` runs once its answer (or
/// error) is shown.
fn ask(sql: &'static str, panel: Panel, then: Option<impl FnOnce() + 'static>) {
    let then = std::cell::Cell::new(then);
    bridge::send(
        |id| Request::Query {
            id,
            sql: sql.to_string(),
            params: Vec::new(),
            page_size: 1000,
        },
        move |resp| {
            match resp {
                Response::Answer { answer, .. } => panel.set(Some(Ok(answer))),
                Response::QueryFailed { error, .. } => panel.set(Some(Err(error))),
                _ => return,
            }
            if let Some(then) = then.take() {
                then();
            }
        },
    );
}

fn fill_dashboard(store: Store) {
    // The charts first: the worker answers in order, and the headline's
    // distinct count of tests reads every result. The editor is imported
    // once the first chart's answer is in (drawn by then).
    let then_editor = move || {
        gloo_timers::callback::Timeout::new(0, move || editor::start(store)).forget();
    };
    let mut then = Some(then_editor);
    for (id, panel) in [
        (presets::BY_BRANCH, store.by_branch),
        (presets::BY_PLATFORM, store.by_platform),
    ] {
        if let Some(p) = presets::find(id) {
            ask(p.sql, panel, then.take());
        }
    }
    ask(presets::HEADLINE_SQL, store.headline, then.take());
}

fn now() -> f64 {
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
fn run(store: Store, sql: String) {
    store.sort.set(None);
    editor::whole_text();
    execute(store, sql.clone(), sql);
}

/// Sorts the answer by column `col` (0-based): ascending, or descending if
/// it was sorted ascending by it. SQLite sorts: the editor's SQL is run
/// inside `SELECT * FROM (…) ORDER BY col`.
fn sort_by(store: Store, col: usize) {
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

/// Sends `sql` as the main query; the address records `shown`.
fn execute(store: Store, sql: String, shown: String) {
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
    let text = sql.clone();
    let asked = values.clone();
    let id = bridge::send(
        |id| Request::Query {
            id,
            sql: text,
            params: asked,
            page_size: DEFAULT_PAGE_SIZE,
        },
        move |resp| {
            // A query started later replaced this one: its answer is dropped.
            if resp.id() != store.current.get_untracked() {
                return;
            }
            let state = match resp {
                Response::Answer { id, answer } => {
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
                Response::QueryFailed { error, .. } => {
                    store.drawing.set(builder::Drawing::None);
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
fn values_of(
    queries: Vec<&'static str>,
    found: Vec<String>,
    done: impl FnOnce(Vec<String>) + 'static,
) {
    let Some(sql) = queries.get(found.len()).copied() else {
        done(found);
        return;
    };
    let next = std::cell::RefCell::new(Some((queries, found, done)));
    bridge::send(
        |id| Request::Query {
            id,
            sql: sql.to_string(),
            params: Vec::new(),
            page_size: 1,
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

/// The whole page.
#[component]
fn App() -> impl IntoView {
    view! {
        <header class="top">
            <h1>
                <span class="logo" aria-hidden="true">"▦"</span>
                " greenboard"
            </h1>
            <p class="tagline">"Test results, in SQLite, in your browser."</p>
            <DatasetPicker/>
            <keys::ThemeSwitch/>
            <keys::Shortcuts/>
            <LoadStatus/>
        </header>
        <main class="layout">
            <aside class="sidebar" aria-label="Presets and saved queries">
                <schema::SchemaBrowser/>
                <PresetList/>
                <saved::QueryLibrary/>
            </aside>
            <div class="content">
                <Dashboard/>
                <Workbench/>
                <LoadPanel/>
            </div>
        </main>
        <a id="export-link" hidden></a>
    }
}

fn fmt_bytes(n: u64) -> String {
    if n >= 1 << 20 {
        format!("{:.1} MB", n as f64 / (1u64 << 20) as f64)
    } else {
        format!("{:.0} KB", n as f64 / 1024.0)
    }
}

/// Loads data that is not at an address given in the URL: a file chosen or
/// dropped anywhere on the page (SQL, gzip or an SQLite database), a URL
/// typed in, or SQL pasted.
#[component]
fn LoadPanel() -> impl IntoView {
    let store = expect_context::<Store>();
    let pasted = RwSignal::new(String::new());
    let address = RwSignal::new(String::new());
    let load_file = move |file: web_sys::File| {
        leptos::task::spawn_local(async move {
            let name = file.name();
            match read_file(&file).await {
                Ok(bytes) => {
                    url::forget_db();
                    load(
                        store,
                        vec![NamedSource {
                            schema: None,
                            source: Source::Bytes { name, bytes },
                        }],
                        false,
                    );
                }
                Err(error) => store.load.set(LoadState::Failed { url: name, error }),
            }
        });
    };
    let on_pick = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        if let Some(file) = input.files().and_then(|f| f.get(0)) {
            load_file(file);
        }
    };
    let _drop = window_event_listener(leptos::ev::drop, move |ev: web_sys::DragEvent| {
        if let Some(file) = ev
            .data_transfer()
            .and_then(|d| d.files())
            .and_then(|f| f.get(0))
        {
            ev.prevent_default();
            load_file(file);
        }
    });
    let _drag = window_event_listener(leptos::ev::dragover, |ev: web_sys::DragEvent| {
        ev.prevent_default()
    });
    let load_pasted = move |_| {
        let text = pasted.get_untracked();
        if !text.trim().is_empty() {
            url::forget_db();
            load(
                store,
                vec![NamedSource {
                    schema: None,
                    source: Source::Text(text),
                }],
                false,
            );
        }
    };
    let load_address = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let value = address.get_untracked();
        if !value.trim().is_empty() {
            url::open_db(value.trim());
        }
    };
    view! {
        <section class="load-panel" aria-label="Load other data">
            <h2>"Load other data"</h2>
            <p class="note">
                "An SQL dump (plain or .gz) or an SQLite database file: choose it, drop it anywhere on this page, "
                "give its address, or paste SQL. It stays in your browser."
            </p>
            <div class="load-ways">
                <label class="file-pick">
                    <span>"File"</span>
                    <input type="file" id="file" on:change=on_pick
                        accept=".sql,.gz,.db,.sqlite,.sqlite3,.txt,application/sql,application/gzip,application/x-sqlite3"/>
                </label>
                <form class="address" on:submit=load_address>
                    <label for="db-url">"Address"</label>
                    <input id="db-url" type="url" placeholder="https://example.org/results.sql.gz"
                        prop:value=move || address.get() on:input=move |ev| address.set(event_target_value(&ev))/>
                    <button type="submit">"Load"</button>
                </form>
                <div class="paste">
                    <label for="pasted">"Pasted SQL"</label>
                    <textarea id="pasted" rows="3" spellcheck="false" placeholder="CREATE TABLE …; INSERT INTO …;"
                        prop:value=move || pasted.get() on:input=move |ev| pasted.set(event_target_value(&ev))></textarea>
                    <button id="load-pasted" on:click=load_pasted>"Load pasted SQL"</button>
                </div>
            </div>
        </section>
    }
}

/// A file's bytes.
async fn read_file(file: &web_sys::File) -> Result<Vec<u8>, String> {
    let buffer = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
        .await
        .map_err(|e| format!("cannot read the file: {e:?}"))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// Chooses among the dumps shipped with the site (loading one is a new
/// address, `?db=`, so it can be shared and the back button returns).
#[component]
fn DatasetPicker() -> impl IntoView {
    let store = expect_context::<Store>();
    let current = move || match store.load.get() {
        LoadState::Loading { url, .. }
        | LoadState::Loaded { url, .. }
        | LoadState::Failed { url, .. } => url,
    };
    let choose = move |ev: leptos::ev::Event| {
        let url = event_target_value(&ev);
        if !url.is_empty() {
            url::open_db(&url);
        }
    };
    move || {
        let list = store.datasets.get();
        let shown = current();
        let known = list.iter().any(|d| url::resolve(&d.url) == shown);
        (!list.is_empty()).then(|| {
            view! {
                <label class="dataset">
                    <span>"Data"</span>
                    <select on:change=choose>
                        {list
                            .into_iter()
                            .map(|d| {
                                let selected = url::resolve(&d.url) == shown;
                                view! { <option value=d.url.clone() selected=selected>{d.name}</option> }
                            })
                            .collect_view()}
                        {(!known).then(|| view! { <option value="" selected=true>"Other (from the address)"</option> })}
                    </select>
                </label>
            }
        })
    }
}

/// Progress of the load, then what was loaded and how long it took, and any
/// statement that failed.
#[component]
fn LoadStatus() -> impl IntoView {
    let store = expect_context::<Store>();
    move || match store.load.get() {
        LoadState::Loading { url, progress } => {
            let (value, max, text) = match progress {
                None => (0.0, 1.0, "starting…".to_string()),
                Some(p) => {
                    let total = p.bytes_total.filter(|t| *t >= p.bytes_received);
                    let text = format!(
                        "{}{} received · {} statements run",
                        fmt_bytes(p.bytes_received),
                        total
                            .map(|t| format!(" of {}", fmt_bytes(t)))
                            .unwrap_or_default(),
                        fmt_count(p.statements)
                    );
                    match total {
                        Some(t) => (p.bytes_received as f64, t.max(1) as f64, text),
                        None => (0.0, 1.0, text),
                    }
                }
            };
            view! {
                <div class="status loading" role="status" aria-live="polite">
                    <span>"Loading " <code>{short_url(&url)}</code></span>
                    <progress max=max value=value aria-label="Load progress"></progress>
                    <span class="progress-text">{text}</span>
                </div>
            }
            .into_any()
        }
        LoadState::Loaded { url, summary } => {
            let problems = summary.failed.len() + summary.skipped.len();
            let list = summary
                .failed
                .iter()
                .map(|p| (p, "failed"))
                .chain(summary.skipped.iter().map(|p| (p, "skipped")))
                .map(|(p, what)| {
                    view! {
                        <li>
                            {format!("statement {} (line {}) {what}: ", p.statement, p.line)}
                            <strong>{p.reason.clone()}</strong>
                            " — "
                            <code>{p.excerpt.clone()}</code>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <div class="status loaded" role="status" aria-live="polite">
                    <span>
                        "Loaded " <code>{short_url(&url)}</code> ": "
                        {format!("{} statements, {} ", fmt_count(summary.statements), fmt_bytes(summary.bytes))}
                        "in " <strong class="load-time">{format!("{:.0} ms", summary.elapsed_ms)}</strong>
                        {(summary.translated > 0).then(|| format!(
                            " ({} translated from another SQL dialect)", fmt_count(summary.translated)
                        ))}
                    </span>
                    {(problems > 0).then(|| view! {
                        <details class="problems" open>
                            <summary>{format!("{problems} statements failed or were skipped")}</summary>
                            <ul>{list}</ul>
                        </details>
                    })}
                </div>
            }
            .into_any()
        }
        LoadState::Failed { url, error } => {
            let still = store.loaded.with(|l| l.as_ref().map(|(u, _)| short_url(u)));
            view! {
                <div class="status failed" role="alert">
                    "Could not load " <code>{short_url(&url)}</code> ": " {error}
                    {still.map(|u| view! { <span class="still">" — still loaded: " <code>{u}</code></span> })}
                </div>
            }
            .into_any()
        }
    }
}

/// The 1-based character position of byte `offset` in `text`.
fn char_position(text: &str, offset: usize) -> usize {
    text.char_indices().take_while(|(i, _)| *i < offset).count() + 1
}

fn short_url(url: &str) -> String {
    let origin = url::origin();
    url.strip_prefix(&origin).unwrap_or(url).to_string()
}

/// What a recognised schema is called on the page.
fn schema_name(kind: SchemaKind) -> &'static str {
    match kind {
        SchemaKind::Greenboard => "greenboard test results",
        SchemaKind::VibeSql => {
            "VibeSQL's SQLLogicTest results (test files, runs and results by file)"
        }
        SchemaKind::CosmoTests => "cosmo-sokol test results",
        SchemaKind::CosmoBuild => "cosmo-sokol build metadata",
        SchemaKind::CosmoArtifacts => "cosmo-sokol artifact registry",
        SchemaKind::CosmoPipeline => {
            "the three cosmo-sokol databases together (build, test, artifact)"
        }
        SchemaKind::LoopCoordination => "the coding-loops coordination database",
        SchemaKind::GgenTier2 => "ggen Tier 2 persistence (receipts, pipeline metrics, SLOs)",
        SchemaKind::Cortex => "CORTEX 2.0 (health, plugins, workspace discoveries)",
        SchemaKind::Unknown => "an unknown schema",
    }
}

/// The headline and the two pass-rate charts.
#[component]
fn Dashboard() -> impl IntoView {
    let store = expect_context::<Store>();
    move || {
        match store.schema() {
        Some(SchemaKind::Greenboard) => view! {
            <section class="dashboard" aria-label="Dashboard">
                <Headline/>
                <div class="charts">
                    <ChartPanel panel=store.by_branch preset=presets::BY_BRANCH title="Pass rate by branch" noun="branch"/>
                    <ChartPanel panel=store.by_platform preset=presets::BY_PLATFORM title="Pass rate by platform" noun="platform"/>
                </div>
            </section>
        }
        .into_any(),
        Some(SchemaKind::Unknown) if store.recognised().is_empty() => view! {
            <section class="dashboard" aria-label="Dashboard">
                <p class="note">
                    "This database does not follow greenboard's test-results schema, so there is no dashboard. "
                    "The presets on the left and your own SQL still work."
                </p>
            </section>
        }
        .into_any(),
        Some(_) => {
            let names: Vec<&str> = store.recognised().into_iter().map(schema_name).collect();
            view! {
                <section class="dashboard" aria-label="Dashboard">
                    <p class="note recognised">
                        {format!("Recognised: {}. ", names.join("; "))}
                        "The queries their designs document are in the presets on the left."
                    </p>
                </section>
            }
            .into_any()
        }
        None => view! { <section class="dashboard placeholder" aria-hidden="true"></section> }.into_any(),
    }
    }
}

/// Runs, tests, overall pass rate and date range, in one line.
#[component]
fn Headline() -> impl IntoView {
    let store = expect_context::<Store>();
    move || {
        store.headline.get().map(|r| match r {
            Ok(a) => {
                let cell = |i: usize| {
                    a.rows
                        .first()
                        .and_then(|r| r.get(i))
                        .and_then(|c| c.display())
                        .unwrap_or_else(|| "–".into())
                };
                let day = |i: usize| cell(i).chars().take(10).collect::<String>();
                view! {
                    <p class="headline">
                        <span><strong>{cell(0)}</strong>" runs"</span>
                        <span><strong>{cell(1)}</strong>" tests"</span>
                        <span><strong>{format!("{}%", cell(2))}</strong>" passed"</span>
                        <span><strong>{cell(5)}</strong>" branches"</span>
                        <span><strong>{cell(6)}</strong>" platforms"</span>
                        <span>{format!("{} → {}", day(3), day(4))}</span>
                    </p>
                }
                .into_any()
            }
            Err(e) => view! { <p class="error">{e.message}</p> }.into_any(),
        })
    }
}

/// Marks the moment the dashboard's charts are first drawn with data
/// (`performance.mark("greenboard:first-chart")`), for the load benchmark.
fn mark_first_chart() {
    thread_local! {
        static MARKED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }
    if !MARKED.replace(true)
        && let Some(p) = web_sys::window().and_then(|w| w.performance())
    {
        let _ = p.mark("greenboard:first-chart");
    }
}

/// One dashboard chart, or its error.
#[component]
fn ChartPanel(
    /// The answer to chart.
    panel: Panel,
    /// The preset it charts (whose drill-down a click on a bar runs).
    preset: &'static str,
    /// The chart's title.
    title: &'static str,
    /// What one bar stands for.
    noun: &'static str,
) -> impl IntoView {
    move || match panel.get() {
        None => view! { <div class="chart pending">"…"</div> }.into_any(),
        Some(Err(e)) => view! { <p class="error">{e.message}</p> }.into_any(),
        Some(Ok(a)) => {
            let data = data_from_rows(&a.rows, 2);
            let best = data
                .first()
                .map(|d| format!("{} ({}%)", d.label, d.value))
                .unwrap_or_default();
            let worst = data
                .last()
                .map(|d| format!("{} ({}%)", d.label, d.value))
                .unwrap_or_default();
            let description = format!(
                "Horizontal bars, one per {noun}, {} in all, pass rate from 0 to 100 percent. Highest: {best}. Lowest: {worst}. Choosing a bar lists the failing tests of its {noun}.",
                data.len()
            );
            let store = expect_context::<Store>();
            let column = a.columns.first().cloned().unwrap_or_default();
            let on_pick = Callback::new(move |x: String| {
                if let Some(sql) = presets::drill(preset) {
                    builder::show_drill(
                        store,
                        format!("{title}: {x}"),
                        vec![(column.clone(), x)],
                        sql.to_string(),
                    );
                }
            });
            let drawn = view! {
                <chart::PercentBars title=title description=description data=data on_pick=on_pick/>
            }
            .into_any();
            request_animation_frame(mark_first_chart);
            drawn
        }
    }
}

/// Every preset for the loaded data: those the dump ships first, then its
/// schema's, then the generic ones and one per table.
fn presets_for(summary: &LoadSummary) -> Vec<presets::Made> {
    let shipped = summary
        .presets
        .iter()
        .enumerate()
        .map(|(i, p)| presets::Made {
            id: format!("shipped:{i}"),
            group: "From this data".into(),
            title: p.title.clone(),
            description: p.description.clone(),
            sql: p.sql.clone(),
            params: Vec::new(),
            chart: p.chart.clone(),
        });
    shipped
        .chain(presets::for_recognised(&summary.recognised).map(presets::Made::from))
        .chain(presets::for_tables(&summary.tables))
        .collect()
}

/// The presets for the loaded data, grouped.
#[component]
fn PresetList() -> impl IntoView {
    let store = expect_context::<Store>();
    move || {
        if store.schema().is_none() {
            return view! { <p class="note">"Presets appear once the data is loaded."</p> }
                .into_any();
        }
        let list = store
            .loaded
            .with(|l| l.as_ref().map(|(_, s)| presets_for(s)).unwrap_or_default());
        let mut groups: Vec<(String, Vec<presets::Made>)> = Vec::new();
        for p in list {
            match groups.iter_mut().find(|(g, _)| *g == p.group) {
                Some((_, v)) => v.push(p),
                None => groups.push((p.group.clone(), vec![p])),
            }
        }
        view! {
            <h2>"Presets"</h2>
            {groups
                .into_iter()
                .map(|(group, items)| {
                    view! {
                        <section class="preset-group">
                            <h3>{group}</h3>
                            <ul>
                                {items
                                    .into_iter()
                                    .map(|p| view! { <PresetItem preset=p/> })
                                    .collect_view()}
                            </ul>
                        </section>
                    }
                })
                .collect_view()}
        }
        .into_any()
    }
}

/// One preset: clicking it puts its SQL in the editor and runs it.
#[component]
fn PresetItem(
    /// The preset.
    preset: presets::Made,
) -> impl IntoView {
    let store = expect_context::<Store>();
    let chart_mark = presets::find(&preset.id)
        .is_some_and(|p| matches!(p.chart, Some(Chart::PercentBars { .. })))
        .then_some(" ▤");
    let presets::Made {
        id,
        title,
        description,
        sql,
        params,
        chart,
        ..
    } = preset;
    let title_text = title.clone();
    let active = {
        let id = id.clone();
        move || store.preset.with(|p| p.as_deref() == Some(id.as_str()))
    };
    let choose = {
        let id = id.clone();
        move |_| {
            store.sql.set(sql.clone());
            store.preset.set(Some(id.clone()));
            store.preset_title.set(Some(title_text.clone()));
            store.chart.set(chart.clone());
            // Each parameter starts at the value the data suggests.
            let defaults: Vec<&'static str> = presets::find(&id)
                .map(|p| p.params.iter().map(|q| q.default).collect())
                .unwrap_or_default();
            let names = params.clone();
            let sql = sql.clone();
            // The earlier answer is gone from now on, not only once the
            // defaults are found and the query runs.
            let started = now();
            store.clock.set(started);
            store.query.set(QueryState::Running { started });
            values_of(defaults, Vec::new(), move |values| {
                store
                    .params
                    .set(names.iter().cloned().zip(values).collect());
                run(store, sql);
            });
        }
    };
    view! {
        <li>
            <button class="preset" class:active=active data-preset=id on:click=choose>
                <span class="title">{title}{chart_mark}</span>
                <span class="desc">{description}</span>
            </button>
        </li>
    }
}

/// The SQL editor and the answer.
#[component]
fn Workbench() -> impl IntoView {
    let store = expect_context::<Store>();
    let submit = move || {
        let sql = store.sql.get_untracked();
        if !sql.trim().is_empty() {
            store.preset.set(None);
            store.preset_title.set(None);
            run(store, sql);
        }
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key()) {
            ev.prevent_default();
            submit();
        }
    };
    let ready = move || store.schema().is_some();
    view! {
        <section class="workbench" aria-label="SQL">
            <label id="editor-label" for="sql" class="editor-label">"SQL"</label>
            <div id="editor-host" class="editor-host"></div>
            <textarea
                id="sql"
                class="editor"
                hidden=move || store.editor.get()
                spellcheck="false"
                rows="8"
                placeholder="SELECT * FROM test_runs LIMIT 10;"
                prop:value=move || store.sql.get()
                on:input=move |ev| store.sql.set(event_target_value(&ev))
                on:keydown=on_key
            ></textarea>
            <div class="toolbar">
                <button id="run" class="run" on:click=move |_| submit() disabled=move || !ready()>
                    "Run"
                </button>
                <span class="hint">"Ctrl/⌘ + Enter runs the selection, or all"</span>
                <QueryStatus/>
            </div>
            <ParamForm on_run=submit/>
            <builder::ResultChart/>
            <table::ResultView/>
        </section>
    }
}

/// Inputs for the values of the SQL's parameters (`?`, `:name`), shown when
/// it has any; Enter in one runs the query.
#[component]
fn ParamForm(
    /// Runs the query with the values given.
    on_run: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let store = expect_context::<Store>();
    // Rebuilt when the names change, not on every keystroke (which would
    // take the focus away).
    let names = Memo::new(move |_| {
        store
            .params
            .with(|p| p.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>())
    });
    move || {
        let names = names.get();
        (!names.is_empty()).then(|| {
            view! {
                <fieldset class="params">
                    <legend>"Parameters"</legend>
                    {names
                        .into_iter()
                        .enumerate()
                        .map(|(i, name)| {
                            let value = move || {
                                store.params.with(|p| p.get(i).map(|(_, v)| v.clone()))
                            };
                            view! {
                                <label class="param">
                                    <span class="param-name">{name}</span>
                                    <input
                                        type="text"
                                        data-param=i
                                        spellcheck="false"
                                        prop:value=value
                                        on:input=move |ev| {
                                            let v = event_target_value(&ev);
                                            store.params.update(|p| {
                                                if let Some(slot) = p.get_mut(i) {
                                                    slot.1 = v;
                                                }
                                            });
                                        }
                                        on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                                            if ev.key() == "Enter" {
                                                ev.prevent_default();
                                                on_run();
                                            }
                                        }
                                    />
                                </label>
                            }
                        })
                        .collect_view()}
                </fieldset>
            }
        })
    }
}

/// Row count and time, "running…", or the error.
#[component]
fn QueryStatus() -> impl IntoView {
    let store = expect_context::<Store>();
    move || match store.query.get() {
        QueryState::Idle => view! { <span class="query-status"></span> }.into_any(),
        QueryState::Running { started } => view! {
            <span class="query-status running" role="status">
                "Running… "
                {move || format!("{:.1} s", (store.clock.get() - started).max(0.0) / 1000.0)}
            </span>
        }
        .into_any(),
        QueryState::Done { answer, .. } => {
            let rows = if answer.columns.is_empty() {
                format!("{} rows changed", fmt_count(answer.changes))
            } else {
                format!(
                    "{} row{}",
                    fmt_count(answer.total_rows as u64),
                    if answer.total_rows == 1 { "" } else { "s" }
                )
            };
            view! {
                <span class="query-status done" role="status">
                    <span class="row-count">{rows}</span>
                    " in "
                    <span class="query-time">{format!("{:.1} ms", answer.elapsed_ms)}</span>
                </span>
            }
            .into_any()
        }
        QueryState::Failed { error, sql } => view! {
            <span class="query-status failed sql-error" role="alert">
                {error.message.clone()}
                {error.offset.map(|o| format!(" (at character {})", char_position(&sql, o)))}
            </span>
        }
        .into_any(),
    }
}
