//! The SQL editor: CodeMirror 6 (highlighting, bracket matching, line
//! numbers, undo, completion of keywords, tables and columns), bundled from
//! `web/editor/` into `editor.js`. The page imports it once the data is
//! loaded, so it is not part of the first load; until then, and if it
//! cannot load, the plain text area does the job.
//!
//! The store's `sql` stays the one copy of the text: the editor reports
//! every edit to it, and shows it again when something else (a preset, a
//! saved query) changes it.

use std::cell::{Cell, RefCell};

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

use super::query::run;
use super::{Store, url};
use crate::protocol::Relation;

/// The editor's module, beside the page.
const MODULE: &str = "editor.js";

thread_local! {
    /// The mounted editor's handle (see `web/editor/editor.js`).
    static HANDLE: RefCell<Option<JsValue>> = const { RefCell::new(None) };
    /// Whether the import has started.
    static STARTED: Cell<bool> = const { Cell::new(false) };
    /// Where in the editor's text the SQL last run starts (UTF-16 units):
    /// not 0 when a selection was run.
    static BASE: Cell<u32> = const { Cell::new(0) };
}

/// Calls the handle's method `name` with `args`.
fn call(name: &str, args: &[JsValue]) -> Option<JsValue> {
    HANDLE.with_borrow(|h| {
        let h = h.as_ref()?;
        let f: js_sys::Function = js_sys::Reflect::get(h, &name.into())
            .ok()?
            .dyn_into()
            .ok()?;
        f.apply(h, &args.iter().collect::<js_sys::Array>()).ok()
    })
}

/// Whether the editor is mounted.
pub fn ready() -> bool {
    HANDLE.with_borrow(Option::is_some)
}

/// Imports and mounts the editor in `#editor-host` (once).
pub fn start(store: Store) {
    if STARTED.replace(true) {
        return;
    }
    leptos::task::spawn_local(async move {
        if let Err(e) = mount(store).await {
            web_sys::console::warn_1(
                &format!("the SQL editor did not load ({e:?}); the plain text area stays").into(),
            );
        }
    });
}

async fn mount(store: Store) -> Result<(), JsValue> {
    let import = js_sys::Function::new_with_args("url", "return import(url)");
    let promise: js_sys::Promise = import
        .call1(&JsValue::NULL, &url::resolve(MODULE).into())?
        .dyn_into()?;
    let module = wasm_bindgen_futures::JsFuture::from(promise).await?;
    let mount: js_sys::Function = js_sys::Reflect::get(&module, &"mount".into())?.dyn_into()?;
    let host = document()
        .get_element_by_id("editor-host")
        .ok_or("no #editor-host")?;
    let on_change = Closure::<dyn Fn(String)>::new(move |text: String| store.sql.set(text));
    let on_run = Closure::<dyn Fn(String, u32)>::new(move |text: String, from: u32| {
        if !text.trim().is_empty() {
            store.preset.set(None);
            store.preset_title.set(None);
            run(store, text);
            BASE.set(from);
        }
    });
    let options = js_sys::Object::new();
    for (key, value) in [
        ("doc", JsValue::from(store.sql.get_untracked())),
        ("placeholder", "SELECT * FROM test_runs LIMIT 10;".into()),
        ("labelledBy", "editor-label".into()),
        ("onChange", on_change.as_ref().clone()),
        ("onRun", on_run.as_ref().clone()),
    ] {
        js_sys::Reflect::set(&options, &key.into(), &value)?;
    }
    // One editor for the page's life: its callbacks live as long.
    on_change.forget();
    on_run.forget();
    let handle = mount.call2(&JsValue::NULL, &host, &options)?;
    HANDLE.set(Some(handle));
    store.editor.set(true);
    // Text set elsewhere (presets, saved queries, drill-downs) is shown.
    Effect::new(move |_| {
        let text = store.sql.get();
        call("set", &[text.into()]);
    });
    // Completion knows the tables and columns of what is loaded.
    Effect::new(move |_| {
        let schema = store.loaded.with(|l| {
            l.as_ref()
                .map(|(_, s)| completion_schema(&super::schema::relations(s)))
        });
        if let Some(schema) = schema {
            call("setSchema", &[schema]);
        }
    });
    Ok(())
}

fn document() -> web_sys::Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("a document")
}

/// Marks where SQLite stopped in the SQL last run: byte `offset` of `sql`.
pub fn mark_error(sql: &str, offset: usize) {
    if !ready() {
        return;
    }
    let offset = offset.min(sql.len());
    let Some(head) = sql.get(..offset) else {
        return;
    };
    // The token that starts there: as SQLite reads names, any character
    // beyond ASCII is part of one.
    let token = sql[offset..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || !c.is_ascii())
        .map(char::len_utf16)
        .sum::<usize>()
        .max(1);
    let from = BASE.get() + head.encode_utf16().count() as u32;
    call("markError", &[from.into(), (from + token as u32).into()]);
}

/// Forgets where the last selection started (the next run is of the whole text).
pub fn whole_text() {
    BASE.set(0);
}

/// Puts `text` at the cursor (or at the end of the plain text area).
pub fn insert(store: Store, text: &str) {
    if call("insert", &[text.into()]).is_none() {
        store.sql.update(|s| s.push_str(text));
    }
}

/// Moves the keyboard focus to the editor.
pub fn focus() {
    if call("focus", &[]).is_none()
        && let Some(el) = document().get_element_by_id("sql")
        && let Ok(el) = el.dyn_into::<web_sys::HtmlElement>()
    {
        let _ = el.focus();
    }
}

/// The schema as `@codemirror/lang-sql` takes it: the main database's
/// tables at the top, each attached database as a namespace of its own,
/// columns in each.
fn completion_schema(catalog: &[Relation]) -> JsValue {
    let top = js_sys::Object::new();
    for r in catalog {
        let columns: js_sys::Array = r.columns.iter().map(|c| JsValue::from(&c.name)).collect();
        let space = if r.schema == "main" {
            top.clone()
        } else {
            let key = JsValue::from(&r.schema);
            match js_sys::Reflect::get(&top, &key)
                .ok()
                .filter(|v| v.is_object())
            {
                Some(v) => v.unchecked_into(),
                None => {
                    let o = js_sys::Object::new();
                    let _ = js_sys::Reflect::set(&top, &key, &o);
                    o
                }
            }
        };
        let _ = js_sys::Reflect::set(&space, &JsValue::from(&r.name), &columns);
    }
    top.into()
}
