//! The chart of the current answer, drawn by the worker from every row, and
//! the controls that choose it: kind, x, y and series columns. The spec
//! travels in the address (`?chart=`).

use leptos::prelude::*;

use wasm_bindgen::JsCast;

use super::query::run;
use super::{QueryState, Store, bridge, url};
use crate::chart::spec::{Agg, Kind, Spec};
use crate::presets;
use crate::protocol::{ChartDrawing, Request, RequestId, Response};

/// The chart state of the page.
#[derive(Debug, Clone, PartialEq)]
pub enum Drawing {
    /// Nothing to draw (no answer, or one without rows).
    None,
    /// Being drawn.
    Pending,
    /// Drawn.
    Done(ChartDrawing),
    /// Not drawable; why.
    Failed(String),
}

/// Where the chart-or-rows choice is kept.
const ORDER_KEY: &str = "greenboard:chart-first";

/// The choice kept in the browser, if one was made.
pub fn stored_order() -> Option<bool> {
    super::saved::storage()
        .and_then(|s| s.get_item(ORDER_KEY).ok()?)
        .map(|v| v == "1")
}

/// Whether the chart comes before the rows: as chosen, else for a preset
/// that charts its answer.
pub fn chart_first(store: Store) -> bool {
    store.chart_first.get().unwrap_or_else(|| {
        let id = store.preset.get();
        store.catalog.with(|c| {
            id.and_then(|id| Some(c.as_ref()?.find(&id)?.clone()))
                .is_some_and(|p| p.chart.is_some() || p.bars)
        })
    })
}

/// Asks the worker to draw the answer of `query` with the spec chosen
/// (kept only if the answer has its columns) or a guessed one.
pub fn draw(store: Store, query: RequestId, columns: &[String], title: String) {
    let spec = store.chart.get_untracked().filter(|text| {
        text.parse::<Spec>()
            .is_ok_and(|s| s.columns(columns).is_ok())
    });
    store.drawing.set(Drawing::Pending);
    let id = bridge::send(
        |id| Request::Chart {
            id,
            query,
            spec,
            title,
            preset: store.preset.get_untracked(),
        },
        move |resp| {
            if resp.id() != store.chart_request.get_untracked() {
                return;
            }
            match resp {
                Response::Drawn { drawing, .. } => store.drawing.set(Drawing::Done(drawing)),
                Response::ChartFailed { error, .. } => store.drawing.set(Drawing::Failed(error)),
                _ => {}
            }
        },
    );
    store.chart_request.set(Some(id));
}

/// Draws an SVG document on a canvas at twice its size, on white, and
/// saves it as a PNG through the `#png-link` anchor (whose address is then
/// the PNG's data URL).
const PNG_JS: &str = "const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
const img = new Image();
img.onload = () => {
  const c = document.createElement('canvas');
  c.width = img.naturalWidth * 2; c.height = img.naturalHeight * 2;
  const g = c.getContext('2d');
  g.fillStyle = '#fff'; g.fillRect(0, 0, c.width, c.height);
  g.scale(2, 2); g.drawImage(img, 0, 0);
  URL.revokeObjectURL(url);
  const a = document.getElementById('png-link');
  a.href = c.toDataURL('image/png');
  a.click();
};
img.src = url;";

/// Saves an SVG document as a PNG file.
fn download_png(svg: &str) {
    let save = js_sys::Function::new_with_args("svg", PNG_JS);
    let _ = save.call1(&wasm_bindgen::JsValue::NULL, &svg.into());
}

/// Runs what a clicked mark stands for: a test's page when it stands for a
/// test (x is `test_name`); else the preset's drill-down with the mark's x
/// and series values (and the preset's own parameters after them), or the
/// rows of the answer behind the mark.
pub fn drill(store: Store, spec: &Spec, drill: Option<&str>, x: String, series: Option<String>) {
    if spec.x == "test_name" && store.schema() == Some(crate::protocol::SchemaKind::Greenboard) {
        super::test_page::open(store, x);
        return;
    }
    let title = store
        .preset_title
        .get_untracked()
        .unwrap_or_else(|| "Query result".to_string());
    let own = store.params.get_untracked();
    let series_label = spec.series.clone().unwrap_or_else(|| "series".into());
    let mut params = vec![(spec.x.clone(), x.clone())];
    let sql = match drill {
        Some(sql) => {
            params.push((series_label, series.clone().unwrap_or_default()));
            params.extend(own);
            sql.to_string()
        }
        None => {
            if let Some(s) = &series {
                params.push((series_label, s.clone()));
            }
            presets::rows_behind(&store.sql.get_untracked(), &spec.x, spec.series.as_deref())
        }
    };
    let what = match &series {
        Some(s) => format!("{x} · {s}"),
        None => x,
    };
    show_drill(store, format!("{title}: {what}"), params, sql);
}

/// Runs a drill-down's `sql` with `params` as the main query, titled
/// `title`, with a chart guessed from its answer, and brings it into view.
pub fn show_drill(store: Store, title: String, params: Vec<(String, String)>, sql: String) {
    store.preset.set(None);
    store.preset_title.set(Some(title));
    store.chart.set(None);
    store.params.set(params);
    store.sql.set(sql.clone());
    run(store, sql);
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("sql"))
    {
        el.scroll_into_view();
    }
}

/// The chart of the answer, with its controls and a download link.
#[component]
pub fn ResultChart() -> impl IntoView {
    let store = expect_context::<Store>();
    move || {
        let QueryState::Done { query, answer, .. } = store.query.get() else {
            return None;
        };
        let columns = answer.columns;
        let drawing = store.drawing.get();
        // While a chart is drawn, the menus show the spec asked for.
        let asked = store
            .chart
            .get_untracked()
            .and_then(|t| t.parse::<Spec>().ok())
            .filter(|s| s.columns(&columns).is_ok());
        let (spec, body) = match drawing {
            Drawing::None => return None,
            Drawing::Pending => (asked, view! { <p class="note">"Drawing…"</p> }.into_any()),
            Drawing::Failed(e) => (
                None,
                view! { <p class="note chart-error" role="status">{e}</p> }.into_any(),
            ),
            Drawing::Done(d) => {
                let href = format!(
                    "data:image/svg+xml;charset=utf-8,{}",
                    String::from(js_sys::encode_uri_component(&d.svg))
                );
                let svg = d.svg.clone();
                let note = format!(
                    "{} values drawn in {} ms · click a mark for what it stands for",
                    d.marks,
                    crate::chart::fmt_fixed(d.elapsed_ms, 0)
                );
                let combined = d.note.clone();
                let drawn = d.spec.parse::<Spec>().ok();
                let on_click = {
                    let drawn = drawn.clone();
                    let drill_sql = d.drill.clone();
                    move |target: Option<web_sys::EventTarget>| {
                        let mark = super::hit(target, ".mark");
                        if let (Some(mark), Some(spec)) = (mark, &drawn) {
                            let x = mark.get_attribute("data-x").unwrap_or_default();
                            let series = mark.get_attribute("data-series");
                            drill(store, spec, drill_sql.as_deref(), x, series);
                        }
                    }
                };
                let on_key = {
                    let on_click = on_click.clone();
                    move |ev: leptos::ev::KeyboardEvent| {
                        let Some(group) = ev
                            .current_target()
                            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                        else {
                            return;
                        };
                        if super::rove::rove(&ev, &group, ".mark[tabindex]") {
                            return;
                        }
                        if ev.key() == "Enter" || ev.key() == " " {
                            ev.prevent_default();
                            on_click(ev.target());
                        }
                    }
                };
                (
                    drawn,
                    view! {
                        {combined.map(|c| view! { <p class="note aggregated" role="note">{c}</p> })}
                        <div class="chart-svg" inner_html=d.svg on:click={
                            let on_click = on_click.clone();
                            move |ev: leptos::ev::MouseEvent| on_click(ev.target())
                        } on:keydown=on_key></div>
                        <p class="chart-foot">
                            <a class="download" href=href download="chart.svg">"Download SVG"</a>
                            <button class="download" on:click=move |_| download_png(&svg)>"Download PNG"</button>
                            <a id="png-link" download="chart.png" hidden></a>
                            <span class="note">{note}</span>
                        </p>
                    }
                    .into_any(),
                )
            }
        };
        let spec = spec.unwrap_or(Spec {
            kind: Kind::Bar,
            x: columns.first().cloned().unwrap_or_default(),
            y: columns.get(1).cloned().unwrap_or_default(),
            series: None,
            agg: None,
        });
        let title = store
            .preset_title
            .get_untracked()
            .unwrap_or_else(|| "Query result".to_string());
        let choose = {
            let columns = columns.clone();
            move |spec: Spec| {
                let text = spec.to_string();
                url::set_param("chart", Some(&text));
                store.chart.set(Some(text));
                draw(store, query, &columns, title.clone());
            }
        };
        let kinds: Vec<(String, String)> = Kind::ALL
            .into_iter()
            .map(|k| (k.name().to_string(), k.label().to_string()))
            .collect();
        let names: Vec<(String, String)> = columns.iter().map(|c| (c.clone(), c.clone())).collect();
        let mut with_none = vec![(String::new(), "(none)".to_string())];
        with_none.extend(names.iter().cloned());
        let chosen_kind = spec.kind.name().to_string();
        let chosen_x = spec.x.clone();
        let chosen_y = spec.y.clone();
        let chosen_series = spec.series.clone().unwrap_or_default();
        let chosen_agg = spec.agg().name().to_string();
        let aggs: Vec<(String, String)> = Agg::ALL
            .into_iter()
            .map(|a| (a.name().to_string(), a.label().to_string()))
            .collect();
        // One handler for the four menus: which part of the spec, and its new value.
        let change = Callback::new(move |(part, value): (&'static str, String)| {
            let mut next = spec.clone();
            match part {
                "kind" => match Kind::from_name(&value) {
                    Some(k) => next.kind = k,
                    None => return,
                },
                "x" => next.x = value,
                "y" => next.y = value,
                "agg" => next.agg = Agg::from_name(&value),
                _ => next.series = (!value.is_empty()).then_some(value),
            }
            choose(next);
        });
        Some(view! {
            <section class="result-chart" aria-label="Chart of the answer">
                <div class="chart-controls">
                    <button
                        class="order"
                        aria-pressed=move || chart_first(store).to_string()
                        title="Show the chart above the rows, or the rows first"
                        on:click=move |_| {
                            let first = !chart_first(store);
                            store.chart_first.set(Some(first));
                            if let Some(s) = super::saved::storage() {
                                let _ = s.set_item(ORDER_KEY, if first { "1" } else { "0" });
                            }
                        }
                    >
                        {move || if chart_first(store) { "Rows first" } else { "Chart first" }}
                    </button>
                    <Menu part="kind" label="Chart" options=kinds chosen=chosen_kind on_change=change/>
                    <Menu part="x" label="x" options=names.clone() chosen=chosen_x on_change=change/>
                    <Menu part="y" label="y" options=names chosen=chosen_y on_change=change/>
                    <Menu part="series" label="series" options=with_none chosen=chosen_series on_change=change/>
                    <Menu part="agg" label="rows sharing x" options=aggs chosen=chosen_agg on_change=change/>
                </div>
                {body}
            </section>
        })
    }
}

/// One menu of the chart builder.
#[component]
fn Menu(
    /// Which part of the spec it sets (also its id: `chart-{part}`).
    part: &'static str,
    /// Its label.
    label: &'static str,
    /// (value, text) of each option.
    options: Vec<(String, String)>,
    /// The value chosen.
    chosen: String,
    /// Called with the part and the value chosen.
    on_change: Callback<(&'static str, String)>,
) -> impl IntoView {
    let options = options
        .into_iter()
        .map(|(value, text)| {
            let selected = value == chosen;
            view! { <option value=value selected=selected prop:selected=selected>{text}</option> }
        })
        .collect_view();
    view! {
        <label>
            {label} " "
            <select id=format!("chart-{part}") on:change=move |ev| on_change.run((part, event_target_value(&ev)))>
                {options}
            </select>
        </label>
    }
}
