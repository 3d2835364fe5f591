//! The presets for the loaded data, grouped: those the dump ships, its
//! schema's, and one per table. Choosing one runs it.

use leptos::prelude::*;

use super::query::{now, run, values_of};
use super::{QueryState, Store, url};
use crate::presets::{self, Catalog};
use crate::protocol::LoadSummary;

/// The presets for the loaded data, grouped.
#[component]
pub fn PresetList() -> impl IntoView {
    let store = expect_context::<Store>();
    move || {
        if store.schema().is_none() {
            return view! { <p class="note">"Presets appear once the data is loaded."</p> }
                .into_any();
        }
        let Some(catalog) = store.catalog.get() else {
            if let Some(e) = store.catalog_error.get() {
                // Asked again: the fetch is tried anew.
                let retry = move |_| {
                    store.catalog_error.set(None);
                    with_catalog(store, || {});
                };
                return view! {
                    <p class="error">"The presets could not be fetched: " {e}</p>
                    <button on:click=retry>"Try again"</button>
                }
                .into_any();
            }
            with_catalog(store, || {});
            return view! { <p class="note">"Presets appear once the data is loaded."</p> }
                .into_any();
        };
        let list = store.loaded.with(|l| {
            l.as_ref()
                .map(|(_, s)| presets_for(s, &catalog))
                .unwrap_or_default()
        });
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

/// Scrolls the query's status and answer into view, if they are not (on a
/// phone, the presets are below them).
fn bring_answer_into_view() {
    let Some(w) = web_sys::window() else { return };
    let Some(toolbar) = w
        .document()
        .and_then(|d| d.query_selector(".workbench .toolbar").ok().flatten())
    else {
        return;
    };
    let height = w
        .inner_height()
        .ok()
        .and_then(|h| h.as_f64())
        .unwrap_or(0.0);
    let r = toolbar.get_bounding_client_rect();
    if r.top() < 0.0 || r.bottom() > height {
        toolbar.scroll_into_view_with_bool(true);
    }
}

/// One preset: clicking it puts its SQL in the editor and runs it.
#[component]
fn PresetItem(
    /// The preset.
    preset: presets::Made,
) -> impl IntoView {
    let store = expect_context::<Store>();
    let chart_mark = store
        .catalog
        .with_untracked(|c| c.as_ref()?.find(&preset.id).map(|p| p.bars))
        .unwrap_or(false)
        .then(|| {
            view! {
                " "
                <span class="mark-chart" title="Drawn on the dashboard too" aria-label="(drawn on the dashboard too)">"▤"</span>
            }
        });
    let id = preset.id.clone();
    let title = preset.title.clone();
    let description = preset.description.clone();
    let active = {
        let id = id.clone();
        move || store.preset.with(|p| p.as_deref() == Some(id.as_str()))
    };
    let choose = move |_| choose_preset(store, &preset, Vec::new());
    view! {
        <li>
            <button class="preset" class:active=active data-preset=id on:click=choose>
                <span class="title">{title}{chart_mark}</span>
                <span class="desc">{description}</span>
            </button>
        </li>
    }
}

/// Opens built-in preset `id` as its entry in the list does, with its
/// first parameters at the values `given` (the others at the data's).
pub fn open_preset(store: Store, id: &str, given: Vec<String>) {
    let made = store
        .catalog
        .with_untracked(|c| c.as_ref()?.find(id).map(presets::Made::from));
    if let Some(p) = made {
        choose_preset(store, &p, given);
    }
}

/// Puts preset `p`'s SQL in the editor and runs it, its first parameters
/// at the values `given` and the others at the values the data suggests,
/// and brings its answer into view.
fn choose_preset(store: Store, p: &presets::Made, given: Vec<String>) {
    // Once the page shows the query running.
    gloo_timers::callback::Timeout::new(0, bring_answer_into_view).forget();
    store.sql.set(p.sql.clone());
    store.preset.set(Some(p.id.clone()));
    store.preset_title.set(Some(p.title.clone()));
    store.chart.set(p.chart.clone());
    let defaults: Vec<String> = store
        .catalog
        .with_untracked(|c| {
            Some(
                c.as_ref()?
                    .find(&p.id)?
                    .params
                    .iter()
                    .map(|(_, d)| d.clone())
                    .collect(),
            )
        })
        .unwrap_or_default();
    let names = p.params.clone();
    let sql = p.sql.clone();
    // The earlier answer is gone from now on, not only once the defaults
    // are found and the query runs.
    let started = now();
    store.clock.set(started);
    store.query.set(QueryState::Running { started });
    values_of(defaults, given, move |values| {
        store
            .params
            .set(names.iter().cloned().zip(values).collect());
        run(store, sql);
    });
}

/// Runs `then` once the built-in presets (`presets.json`, written by
/// `greenboard presets`) are in the store: at once if they are, else once
/// fetched (or failed to be). They are not part of the page's first load:
/// the first to ask, once data is loaded, fetches them. When they cannot be
/// fetched, `then` runs without them and the store says why.
pub fn with_catalog(store: Store, then: impl FnOnce() + 'static) {
    type Waiting = Vec<Box<dyn FnOnce()>>;
    thread_local! {
        static WAITING: std::cell::RefCell<Option<Waiting>> = const { std::cell::RefCell::new(None) };
    }
    if store.catalog.with_untracked(Option::is_some) {
        then();
        return;
    }
    let first = WAITING.with_borrow_mut(|w| {
        let first = w.is_none();
        w.get_or_insert_with(Vec::new).push(Box::new(then));
        first
    });
    if !first {
        return;
    }
    leptos::task::spawn_local(async move {
        let catalog = url::fetch_json(&url::resolve("presets.json"))
            .await
            .and_then(|json| {
                serde_wasm_bindgen::from_value::<Catalog>(json).map_err(|e| e.to_string())
            });
        match catalog {
            Ok(catalog) => store.catalog.set(Some(std::sync::Arc::new(catalog))),
            Err(e) => store.catalog_error.set(Some(e)),
        }
        for then in WAITING.with_borrow_mut(Option::take).unwrap_or_default() {
            then();
        }
    });
}

/// Runs the preset the address names (`?preset=ID` with no SQL), with the
/// data's defaults.
pub fn run_named(store: Store) {
    with_catalog(store, move || {
        if let Some(id) = store.preset.get_untracked() {
            open_preset(store, &id, Vec::new());
        }
    });
}

/// Every preset for the loaded data: those the dump ships first, then its
/// schema's, then the generic ones and one per table.
fn presets_for(summary: &LoadSummary, catalog: &Catalog) -> Vec<presets::Made> {
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
        .chain(
            catalog
                .for_recognised(&summary.recognised)
                .map(presets::Made::from),
        )
        .chain(presets::for_tables(&summary.tables))
        .collect()
}
