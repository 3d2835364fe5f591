//! The presets for the loaded data, grouped: those the dump ships, its
//! schema's, and one per table. Choosing one runs it.

use leptos::prelude::*;

use super::query::{now, run, values_of};
use super::{QueryState, Store};
use crate::presets::{self, Chart};
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
    let chart_mark = presets::find(&preset.id)
        .is_some_and(|p| matches!(p.chart, Some(Chart::PercentBars { .. })))
        .then(|| {
            view! {
                " "
                <span class="mark-chart" title="Drawn on the dashboard too" aria-label="(drawn on the dashboard too)">"▤"</span>
            }
        });
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
            // Once the page shows the query running.
            gloo_timers::callback::Timeout::new(0, bring_answer_into_view).forget();
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
