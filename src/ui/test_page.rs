//! The page of one test (`?test=NAME`), in place of the dashboard: where it
//! stands and where it started failing on each platform and branch (with
//! links to the runs), its outcomes as a strip, its durations, and its
//! failures grouped by signature. Each part is a preset of the "A test"
//! group, whose SQL a button opens in the editor, drawn by the chart worker.

use std::rc::Rc;

use leptos::prelude::*;

use super::drawn::{ask_drawn, waits};
use super::preset_list::{open_preset, with_catalog};
use super::{Store, url};
use crate::chart::escape_html;

/// Opens the page of `test`: a new entry in the history, so that Back
/// returns to where the reader was.
pub fn open(store: Store, test: String) {
    url::set_test(Some(&test));
    store.test.set(Some(test));
    // Its top in view, once drawn in place of the dashboard.
    show_drawn(".test-page", false);
}

/// Brings the dashboard's top into view and the keyboard's focus to it,
/// once it is drawn again in place of a test's page.
pub fn show_dashboard() {
    show_drawn("#content", true);
}

/// Once the next frame is drawn, scrolls the element `selector` finds into
/// view, and gives it the keyboard's focus when `focus` says so.
fn show_drawn(selector: &'static str, focus: bool) {
    request_animation_frame(move || {
        if let Some(el) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.query_selector(selector).ok().flatten())
        {
            el.scroll_into_view();
            if focus {
                super::rove::focus(&el);
            }
        }
    });
}

/// The parts of the page: preset, heading, and how it is drawn (`None`:
/// its preset's chart). The timeline and the messages are HTML views of
/// their answers ([`crate::chart::views`]).
const PARTS: [(&str, &str, Option<&str>); 4] = [
    ("test-timeline", "Where it stands", Some("html:timeline")),
    ("test-results", "Its latest 300 results", None),
    ("test-durations", "Duration when it passed, of those", None),
    (
        "test-messages",
        "Failures by signature",
        Some("html:messages"),
    ),
];

/// The page of one test.
#[component]
pub fn TestPage(
    /// The test's name (`test_name`).
    name: String,
) -> impl IntoView {
    let store = expect_context::<Store>();
    let parts: [RwSignal<Option<String>>; 4] = std::array::from_fn(|_| RwSignal::new(None));
    // Asked once the presets are in (after a retry, say).
    let asked = name.clone();
    Effect::new(move || {
        if !store.catalog.with(Option::is_some) {
            with_catalog(store, || {});
            return;
        }
        for (&(id, title, view), part) in PARTS.iter().zip(parts) {
            let Some((sql, spec)) = store.catalog.with_untracked(|c| {
                let e = c.as_ref()?.find(id)?;
                Some((e.sql.clone(), view.map(str::to_string).or(e.chart.clone())?))
            }) else {
                continue;
            };
            let shown = asked.clone();
            let wanted: Rc<dyn Fn() -> bool> = Rc::new(move || {
                store.test.get_untracked().as_deref() == Some(shown.as_str())
                    && part.try_get_untracked().is_some()
            });
            let done: Rc<dyn Fn(String)> = Rc::new(move |html| {
                let _ = part.try_set(Some(html));
            });
            ask_drawn(sql, vec![asked.clone()], spec, title, 60_000, wanted, done);
        }
    });
    // One handler: Back to the dashboard, or a part's SQL in the editor.
    let test = name.clone();
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let Some(button) = super::hit(ev.target(), "button") else {
            return;
        };
        match button.get_attribute("data-sql") {
            Some(id) => open_preset(store, &id, vec![test.clone()]),
            None => {
                url::set_test(None);
                store.test.set(None);
                show_dashboard();
            }
        }
    };
    // Written as HTML: every Leptos element costs the page's first load.
    let html = move || {
        let mut html = format!(
            "<button class=\"back\">← Dashboard</button><h2>Test <code>{}</code></h2>",
            escape_html(&name)
        );
        for (&(id, heading, _), part) in PARTS.iter().zip(parts) {
            html.push_str(&format!(
                "<h3>{heading} <button class=\"sql-link\" data-sql=\"{id}\" title=\"Open its SQL in the editor\">SQL</button></h3><div class=\"part {id}\">{}</div>",
                part.get().unwrap_or_else(|| match store.catalog_error.get() {
                    Some(_) => "<p class=\"error\">The presets could not be fetched.</p>".into(),
                    None => format!("<p class=\"pending\">…</p>{}", waits(store)),
                })
            ));
        }
        html
    };
    view! { <section class="test-page" aria-label="A test" on:click=on_click inner_html=html></section> }
}
