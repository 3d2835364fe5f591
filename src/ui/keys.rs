//! Keyboard shortcuts, their help panel, and the light/dark theme switch.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::query::run;
use super::{Store, editor};

/// The shortcuts, as the help panel lists them.
const SHORTCUTS: &[(&str, &str)] = &[
    (
        "Ctrl/⌘ + Enter",
        "Run the SQL (only the selection, when there is one)",
    ),
    ("Alt + ↓ / Alt + ↑", "Next / previous preset"),
    ("/", "Focus the SQL editor"),
    ("Alt + S", "Show or hide the schema"),
    ("?", "Show or hide this help"),
    ("Esc", "Stop the running query or load; close this help"),
];

/// The storage key of the chosen theme.
const THEME_KEY: &str = "greenboard:theme";

fn document() -> Option<web_sys::Document> {
    web_sys::window()?.document()
}

/// Whether the key went to a place that takes text.
fn typing(ev: &web_sys::KeyboardEvent) -> bool {
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|e| {
            matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                || e.closest("[contenteditable=true]").ok().flatten().is_some()
        })
}

/// Chooses the preset `step` places from the one chosen last (the first
/// or last one if none is), and moves the focus to it.
fn step_preset(step: i32) {
    let Some(doc) = document() else { return };
    let Ok(list) = doc.query_selector_all("button.preset") else {
        return;
    };
    let n = list.length() as i32;
    if n == 0 {
        return;
    }
    let active = (0..n).find(|&i| {
        list.get(i as u32)
            .and_then(|e| e.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|e| e.class_list().contains("active"))
    });
    let next = match active {
        Some(i) => (i + step).rem_euclid(n),
        None if step > 0 => 0,
        None => n - 1,
    };
    if let Some(button) = list
        .get(next as u32)
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        button.click();
        let _ = button.focus();
    }
}

/// Opens or closes the schema panel.
fn toggle_schema() {
    if let Some(d) = document()
        .and_then(|d| d.get_element_by_id("schema"))
        .and_then(|e| e.dyn_into::<web_sys::HtmlDetailsElement>().ok())
    {
        d.set_open(!d.open());
    }
}

/// Listens for the shortcuts on the whole page; shows their help panel.
#[component]
pub fn Shortcuts() -> impl IntoView {
    let store = expect_context::<Store>();
    let help = RwSignal::new(false);
    // The dialog takes the focus when it opens, and gives it back to
    // where it was when it closes.
    let before = StoredValue::new_local(None::<web_sys::Element>);
    Effect::new(move |was_open: Option<bool>| {
        let open = help.get();
        let doc = document();
        if open {
            before.set_value(doc.as_ref().and_then(|d| d.active_element()));
            if let Some(close) = doc
                .and_then(|d| d.query_selector(".shortcuts button").ok().flatten())
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = close.focus();
            }
        } else if was_open == Some(true)
            && let Some(el) = before.get_value()
        {
            super::rove::focus(&el);
        }
        open
    });
    let handle = window_event_listener(leptos::ev::keydown, move |ev: web_sys::KeyboardEvent| {
        let key = ev.key();
        let done = match key.as_str() {
            "Enter" if (ev.ctrl_key() || ev.meta_key()) && !typing(&ev) => {
                let sql = store.sql.get_untracked();
                if !sql.trim().is_empty() {
                    run(store, sql);
                }
                true
            }
            "ArrowDown" | "ArrowUp" if ev.alt_key() => {
                step_preset(if key == "ArrowDown" { 1 } else { -1 });
                true
            }
            "s" | "S" | "ß" if ev.alt_key() && !ev.ctrl_key() && !ev.meta_key() => {
                toggle_schema();
                true
            }
            "/" if !typing(&ev) => {
                editor::focus();
                true
            }
            "?" if !typing(&ev) => {
                help.update(|h| *h = !*h);
                true
            }
            "Escape" if help.get_untracked() => {
                help.set(false);
                true
            }
            "Escape" if !ev.default_prevented() && super::bridge::busy() => {
                super::query_status::stop(store);
                true
            }
            _ => false,
        };
        if done {
            ev.prevent_default();
        }
    });
    on_cleanup(move || handle.remove());
    let rows: String = SHORTCUTS
        .iter()
        .map(|(k, what)| format!("<dt><kbd>{k}</kbd></dt><dd>{what}</dd>"))
        .collect();
    view! {
        <button class="help-button" aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)"
            aria-expanded=move || help.get().to_string() on:click=move |_| help.update(|h| *h = !*h)>"⌨"</button>
        <section class="shortcuts" role="dialog" aria-label="Keyboard shortcuts" hidden=move || !help.get()>
            <h2>"Keyboard shortcuts"</h2>
            <dl inner_html=rows></dl>
            <p class="version">{concat!("greenboard ", env!("CARGO_PKG_VERSION"))}</p>
            <button on:click=move |_| help.set(false)>"Close"</button>
        </section>
    }
}

/// The theme chosen on this browser ("light", "dark"), or none: the
/// system's.
fn stored_theme() -> Option<String> {
    web_sys::window()?
        .local_storage()
        .ok()??
        .get_item(THEME_KEY)
        .ok()?
}

/// Puts `theme` on the page (`<html data-theme>`), or the system's with `None`.
pub fn apply_theme(theme: Option<&str>) {
    if let Some(root) = document().and_then(|d| d.document_element()) {
        let _ = match theme {
            Some(t) => root.set_attribute("data-theme", t),
            None => root.remove_attribute("data-theme"),
        };
    }
}

/// Applies the theme chosen earlier on this browser, if any.
pub fn restore_theme() {
    apply_theme(stored_theme().as_deref());
}

/// Switches between the system's theme, light and dark; the choice lasts.
#[component]
pub fn ThemeSwitch() -> impl IntoView {
    let theme = RwSignal::new(stored_theme());
    let next = move |_| {
        let t = match theme.get_untracked().as_deref() {
            None => Some("light"),
            Some("light") => Some("dark"),
            _ => None,
        };
        apply_theme(t);
        if let Some(s) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
            let _ = match t {
                Some(t) => s.set_item(THEME_KEY, t),
                None => s.remove_item(THEME_KEY),
            };
        }
        theme.set(t.map(str::to_string));
    };
    let label = move || match theme.get().as_deref() {
        Some("light") => "Theme: light",
        Some("dark") => "Theme: dark",
        _ => "Theme: system",
    };
    view! {
        <button id="theme" class="theme-button" on:click=next title="Switch between the system's theme, light and dark">{label}</button>
    }
}
