//! The browser UI (Leptos). It holds no SQLite: every question goes to the
//! worker through [`bridge`].
//!
//! This module holds the [`Store`] (the state every component shares
//! through context) and the app's wiring ([`start`], [`App`]). Each
//! component has its own file, named for what it shows: [`dashboard`] (with
//! [`headline`], [`health`] and a test's page, [`test_page`], whose answers
//! come through [`drawn`]), [`preset_list`], [`workbench`] (with [`param_form`],
//! [`query_status`], the answer's [`table`] and its chart's [`builder`]),
//! [`load_panel`], [`load_status`], [`dataset_picker`], [`schema`], [`saved`],
//! [`changes`] and [`keys`]. What they do to the data goes through [`load`] (loading
//! sources) and [`query`] (running the main query).

mod bridge;
mod builder;
mod changes;
mod chart;
mod dashboard;
mod dataset_picker;
mod drawn;
mod editor;
mod headline;
mod health;
mod keys;
mod load;
mod load_panel;
mod load_status;
mod param_form;
mod preset_list;
mod query;
mod query_status;
mod rove;
mod saved;
mod schema;
mod table;
mod test_page;
mod url;
mod workbench;

use leptos::prelude::*;

use crate::protocol::{
    LoadSummary, NamedSource, Progress, QueryAnswer, RequestId, SchemaKind, Source, SqlError,
};
use dashboard::Dashboard;
use dataset_picker::DatasetPicker;
use load::load;
use load_panel::LoadPanel;
use load_status::LoadStatus;
use preset_list::PresetList;
use query::{preset_title, run};
use workbench::Workbench;

/// Where the bundled demo dump lives, relative to the site's base URL: it
/// opens when the site lists no dataset (`static/datasets.json`).
const DEMO_DUMP: &str = "static/demo.sql.gz";
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
    /// Loading failed or was stopped (earlier data, if any, is still there).
    Failed {
        /// The dump's URL; empty when the address named kept data that is
        /// gone (the error says it all).
        url: String,
        /// Why; empty when it was stopped.
        error: String,
    },
}

/// The state of the main query.
#[derive(Debug, Clone, PartialEq)]
pub enum QueryState {
    /// Nothing run yet.
    Idle,
    /// Sent, waiting for the worker to finish what it runs.
    Waiting {
        /// The SQL that waits.
        sql: String,
    },
    /// Running since `started` (milliseconds, `performance.now()`).
    Running {
        /// When it started.
        started: f64,
    },
    /// Stopped (Stop, Esc), or the worker died running it.
    Halted {
        /// Seconds it ran.
        seconds: f64,
        /// `None`: stopped on request; otherwise what happened, in words.
        crash: Option<String>,
    },
    /// Its time budget ran out.
    TimedOut {
        /// The budget, in milliseconds.
        limit_ms: u32,
    },
    /// It would have fetched more of the database read over HTTP than its
    /// budget (bytes) allowed, having fetched `fetched`.
    OverBudget {
        /// The budget.
        budget: u64,
        /// What it fetched.
        fetched: u64,
    },
    /// The address's query was not run by itself on opening: it never
    /// answered when it last ran in this tab, or (`changes`) it would
    /// change the data.
    NotRerun {
        /// Whether it was not run because it would change the data.
        changes: bool,
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
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct Dataset {
    /// What it is.
    #[serde(default)]
    pub name: String,
    /// Where it is, relative to the site.
    #[serde(default)]
    pub url: String,
    /// Where its data comes from (a link), if it says.
    #[serde(default)]
    pub source: Option<String>,
    /// When its data was taken, if it says.
    #[serde(default)]
    pub taken: Option<String>,
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
    /// Whether queries may change the loaded data (“Allow changes”).
    pub allow: RwSignal<bool>,
    /// Whether queries have changed the data since it was loaded.
    pub changed: RwSignal<bool>,
    /// The main query's time budget in milliseconds (`None`: no limit),
    /// kept in the browser's storage.
    pub time_limit: RwSignal<Option<u32>>,
    /// Whether the chart comes before the rows of an answer, as chosen
    /// (kept in the browser); `None`: the rows first, unless a preset
    /// charts its answer.
    pub chart_first: RwSignal<Option<bool>>,
    /// A warning about the main query's answer (the run diff's runs
    /// differ), shown above it.
    pub notice: RwSignal<Option<String>>,
    /// The run chosen on "Runs to compare" to compare from, if one is.
    pub diff_base: RwSignal<Option<String>>,
    /// The test whose page is shown in place of the dashboard (`?test=`).
    pub test: RwSignal<Option<String>>,
    /// What the data was loaded from, to load again when the worker is
    /// replaced and the data is not kept in the browser (addresses only).
    sources: StoredValue<Vec<NamedSource>>,
    /// The dumps shipped with the site.
    datasets: RwSignal<Vec<Dataset>>,
    /// The built-in presets, fetched once data is loaded.
    catalog: RwSignal<Option<std::sync::Arc<crate::presets::Catalog>>>,
    /// Why the built-in presets could not be fetched, if they could not.
    catalog_error: RwSignal<Option<String>>,
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
            allow: RwSignal::new(false),
            changed: RwSignal::new(false),
            time_limit: RwSignal::new(query_status::stored_limit()),
            chart_first: RwSignal::new(builder::stored_order()),
            notice: RwSignal::new(None),
            diff_base: RwSignal::new(None),
            test: RwSignal::new(None),
            sources: StoredValue::new(Vec::new()),
            datasets: RwSignal::new(Vec::new()),
            catalog: RwSignal::new(None),
            catalog_error: RwSignal::new(None),
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

/// The element an event happened in that matches `selector`: its target or
/// the nearest ancestor (lists written as HTML have one handler for all
/// their buttons, which finds the one hit this way).
pub fn hit(target: Option<web_sys::EventTarget>, selector: &str) -> Option<web_sys::Element> {
    use wasm_bindgen::JsCast;
    target?
        .dyn_into::<web_sys::Element>()
        .ok()?
        .closest(selector)
        .ok()
        .flatten()
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
        store.test.set(params.test.clone());
        provide_context(store);
        saved::persist(store.library);
        // Back and forward step through the queries run: each is an entry.
        let popped = window_event_listener(leptos::ev::popstate, move |_| {
            let p = url::Params::from_location();
            // A test's page opened or left: the query stays as it is.
            if p.test != store.test.get_untracked() {
                if p.test.is_none() {
                    test_page::show_dashboard();
                }
                store.test.set(p.test.clone());
                if p.sql.as_deref().unwrap_or_default() == store.sql.get_untracked() {
                    return;
                }
            }
            // The query running is left behind: stopped first, not left
            // running unseen with the next one waiting for it.
            if matches!(store.query.get_untracked(), QueryState::Running { .. }) && bridge::busy() {
                bridge::stop(true);
            }
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
        let sources: Vec<NamedSource> = if let Some(key) = &params.kept {
            vec![NamedSource {
                schema: None,
                source: Source::Kept {
                    key: key.clone(),
                    label: key.clone(),
                },
            }]
        } else if params.dbs.is_empty() {
            // The first dataset the site lists, once the list is read.
            Vec::new()
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
        // A query that never answered when it last ran in this tab (it was
        // stopped, failed or took the worker down) is not run again.
        let rerun = params.sql.is_some() && !url::left_unfinished();
        if params.sql.is_some() && !rerun {
            store.query.set(QueryState::NotRerun { changes: false });
        }
        bridge::on_restart(move || load::reopen(store));
        bridge::on_news(move |now| load_status::fetched_news(store, now));
        let started = bridge::spawn(&worker, failed);
        let listed = started.is_ok() && sources.is_empty();
        dataset_picker::fetch_list(store, move |first| {
            // Unless the worker failed meanwhile: that is what to show.
            let failed = matches!(store.load.get_untracked(), LoadState::Failed { .. });
            if listed && !failed {
                let first = first.unwrap_or_else(|| DEMO_DUMP.to_string());
                load(
                    store,
                    vec![NamedSource {
                        schema: None,
                        source: Source::Url(url::resolve(&first)),
                    }],
                    rerun,
                )
            }
        });
        match started {
            Ok(()) if listed => {}
            Ok(()) => load(store, sources, rerun),
            Err(error) => store.load.set(LoadState::Failed {
                url: worker.clone(),
                error,
            }),
        }
        view! { <App/> }
    });
}

/// The whole page.
#[component]
fn App() -> impl IntoView {
    view! {
        <a class="skip" href="#content">"Skip to the dashboard and the SQL"</a>
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
            <div class="content" id="content" tabindex="-1">
                <Dashboard/>
                <Workbench/>
            </div>
            <div class="more">
                <LoadPanel/>
            </div>
        </main>
        <a id="export-link" hidden></a>
    }
}
