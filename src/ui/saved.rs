//! Saved queries and the query history. Both live in the browser's
//! storage (`localStorage`), apart from the data loaded, so that neither a
//! reload nor a new dump loses them; both can be exported to a file and
//! imported from one.

use leptos::prelude::*;

use wasm_bindgen::JsValue;

use super::query::run;
use super::{Store, builder::Drawing};
use crate::chart::escape_html as escape;
use crate::library::{Entry, Library};
use serde::Serialize;

/// The storage key of the saved queries and the history.
const KEY: &str = "greenboard:queries";

/// The browser's `localStorage`, when it has one.
pub fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The library kept in the browser (empty if none, or unreadable).
pub fn stored() -> Library {
    storage()
        .and_then(|s| s.get_item(KEY).ok()?)
        .and_then(|text| parse(&text).ok())
        .unwrap_or_default()
}

/// Reads a library from JSON text.
fn parse(text: &str) -> Result<Library, String> {
    let value = js_sys::JSON::parse(text).map_err(|_| "this is not JSON".to_string())?;
    serde_wasm_bindgen::from_value(value)
        .map_err(|e| format!("this is not a list of greenboard queries ({e})"))
}

/// The library as JSON text, indented when `pretty`.
fn to_json(library: &Library, pretty: bool) -> String {
    let Ok(value) = library.serialize(&serde_wasm_bindgen::Serializer::json_compatible()) else {
        return String::new();
    };
    let text = if pretty {
        js_sys::JSON::stringify_with_replacer_and_space(&value, &JsValue::NULL, &2.into())
    } else {
        js_sys::JSON::stringify(&value)
    };
    text.ok().and_then(|t| t.as_string()).unwrap_or_default()
}

/// Keeps the library in the browser's storage whenever it changes.
pub fn persist(library: RwSignal<Library>) {
    Effect::new(move |_| {
        let text = library.with(|l| to_json(l, false));
        if let Some(s) = storage() {
            let _ = s.set_item(KEY, &text);
        }
    });
}

/// Milliseconds since 1970.
pub fn now() -> f64 {
    js_sys::Date::now()
}

/// "2026-11-22 03:41" (UTC) for a time in milliseconds since 1970.
fn when(at: f64) -> String {
    let iso: String = js_sys::Date::new(&at.into()).to_iso_string().into();
    iso.get(..16).unwrap_or_default().replace('T', " ")
}

/// Puts a saved or past query back in the editor and runs it.
fn open(store: Store, entry: Entry) {
    store.preset.set(None);
    store
        .preset_title
        .set((!entry.name.is_empty()).then(|| entry.name.clone()));
    store.chart.set(entry.chart);
    store.params.set(
        entry
            .params
            .into_iter()
            .enumerate()
            .map(|(i, v)| (format!("?{}", i + 1), v))
            .collect(),
    );
    store.sql.set(entry.sql.clone());
    run(store, entry.sql);
}

/// The index in the `attr` attribute of the button clicked (or the button
/// around what was clicked).
fn picked(ev: &leptos::ev::MouseEvent, attr: &str) -> Option<usize> {
    use wasm_bindgen::JsCast;
    let target: web_sys::Element = ev.target()?.dyn_into().ok()?;
    target
        .closest("button")
        .ok()??
        .get_attribute(attr)?
        .parse()
        .ok()
}

/// The SQL's first line, for a list.
fn first_line(sql: &str) -> String {
    let line = sql.trim().lines().next().unwrap_or_default();
    if sql.trim().contains('\n') {
        format!("{line} …")
    } else {
        line.to_string()
    }
}

/// Saving the editor's query under a name, the saved queries, the history,
/// and export and import of both.
#[component]
pub fn QueryLibrary() -> impl IntoView {
    let store = expect_context::<Store>();
    let library = store.library;
    let name = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let sql = store.sql.get_untracked();
        let title = name.get_untracked().trim().to_string();
        if sql.trim().is_empty() || title.is_empty() {
            return;
        }
        // The chart chosen, or else the one drawn.
        let chart = store
            .chart
            .get_untracked()
            .or_else(|| match store.drawing.get_untracked() {
                Drawing::Done(d) => Some(d.spec),
                _ => None,
            });
        library.update(|l| {
            l.save(Entry {
                name: title,
                sql,
                params: store
                    .params
                    .with_untracked(|p| p.iter().map(|(_, v)| v.clone()).collect()),
                chart,
                at: now(),
                rows: None,
            })
        });
        name.set(String::new());
    };
    let export = move |_| {
        let text = library.with_untracked(|l| to_json(l, true));
        super::table::save_file(&text, "application/json", "greenboard-queries.json");
    };
    let import = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        input.set_value("");
        leptos::task::spawn_local(async move {
            let read = super::load_panel::read_file(&file)
                .await
                .and_then(|bytes| {
                    String::from_utf8(bytes).map_err(|_| "this is not UTF-8 text".into())
                })
                .and_then(|text| parse(&text));
            match read {
                Ok(other) => {
                    library.update(|l| l.merge(other));
                    problem.set(None);
                }
                Err(e) => problem.set(Some(format!("{}: {e}", file.name()))),
            }
        });
    };
    // The lists are written as HTML, with one click handler each that
    // reads the entry's index from the button clicked: a closure per entry
    // would make the page's code much larger.
    let saved = move || {
        library.with(|l| {
            l.saved
                .iter()
                .enumerate()
                .map(|(i, e)| {
                    let name = escape(&e.name);
                    format!(
                        "<li><button class=\"open\" data-i=\"{i}\" title=\"{}\">{name}{}</button>\
                         <button class=\"forget\" data-forget=\"{i}\" aria-label=\"Delete {name}\">×</button></li>",
                        escape(&first_line(&e.sql)),
                        if e.chart.is_some() {
                            " <span title=\"Saved with a chart\" aria-label=\"(saved with a chart)\">▤</span>"
                        } else {
                            ""
                        },
                    )
                })
                .collect::<String>()
        })
    };
    let history = move || {
        library.with(|l| {
            l.history
                .iter()
                .enumerate()
                .map(|(i, e)| {
                    format!(
                        "<li><button class=\"open\" data-i=\"{i}\" title=\"{}\"><code>{}</code>\
                         <span class=\"meta\">{}{}</span></button></li>",
                        escape(&e.sql),
                        escape(&first_line(&e.sql)),
                        when(e.at),
                        e.rows
                            .map(|n| format!(" · {} rows", crate::chart::fmt_count(n)))
                            .unwrap_or_default(),
                    )
                })
                .collect::<String>()
        })
    };
    let on_saved = move |ev: leptos::ev::MouseEvent| {
        if let Some(i) = picked(&ev, "data-forget") {
            library.update(|l| {
                if i < l.saved.len() {
                    l.saved.remove(i);
                }
            });
        } else if let Some(e) =
            picked(&ev, "data-i").and_then(|i| library.with_untracked(|l| l.saved.get(i).cloned()))
        {
            open(store, e);
        }
    };
    let on_history = move |ev: leptos::ev::MouseEvent| {
        if let Some(e) = picked(&ev, "data-i")
            .and_then(|i| library.with_untracked(|l| l.history.get(i).cloned()))
        {
            open(store, e);
        }
    };
    view! {
        <section class="library" aria-label="Saved queries and history">
            <h2>"Saved queries"</h2>
            <form class="save-form" on:submit=save>
                <input id="save-name" type="text" aria-label="Name for the query in the editor" placeholder="Name"
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                <button id="save-query" type="submit">"Save"</button>
            </form>
            <ul class="saved-list" inner_html=saved on:click=on_saved></ul>
            <details class="history">
                <summary>{move || format!("History ({})", library.with(|l| l.history.len()))}</summary>
                <ol class="history-list" inner_html=history on:click=on_history></ol>
            </details>
            <p class="library-files">
                <button id="export-queries" on:click=export>"Export"</button>
                <label class="import">
                    "Import"
                    <input id="import-queries" type="file" accept=".json,application/json" on:change=import/>
                </label>
            </p>
            {move || problem.get().map(|p| view! { <p class="error" role="alert">{p}</p> })}
        </section>
    }
}
