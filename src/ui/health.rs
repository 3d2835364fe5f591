//! The health of a branch, first on the dashboard: its new failures,
//! ongoing failures, recently fixed tests, flakiest and slower tests, each
//! a count and its first tests (the health presets' answers, written as
//! HTML by the chart worker: [`crate::chart::views`]). A test opens its
//! page; a count runs the whole preset.

use std::rc::Rc;

use leptos::prelude::*;

use super::drawn::{ask_drawn, waits};
use super::preset_list::{open_preset, with_catalog};
use super::{Store, test_page, url};
use crate::chart::escape_html;

/// The health presets shown, with their titles.
const TILES: [(&str, &str); 5] = [
    ("new-failures", "New failures"),
    ("ongoing-failures", "Ongoing failures"),
    ("recently-fixed", "Recently fixed"),
    ("flaky-by-rule", "Flakiest (any branch)"),
    ("duration-regressions", "Slower"),
];

/// How long the page lets a count of its own take (its reader's queries
/// have no such limit). On large data a count that takes longer is counted
/// when its tile is opened, as the reader's query.
const LIMIT_MS: u32 = 1500;

/// The parameters of tile `id` for `branch`.
fn params_of(id: &str, branch: &str) -> Vec<String> {
    match id {
        "flaky-by-rule" => vec!["30".into()],
        "duration-regressions" => vec![branch.into(), "10".into(), "50".into()],
        _ => vec![branch.into()],
    }
}

/// The health of the chosen branch: main (or master) by default.
#[component]
pub fn Health() -> impl IntoView {
    let store = expect_context::<Store>();
    // The branches of the dashboard's chart, main or master first.
    let branches = move || {
        let mut names: Vec<String> = store.by_branch.with(|p| match p {
            Some(Ok(a)) => a.rows.iter().filter_map(|r| r.first()?.display()).collect(),
            _ => Vec::new(),
        });
        if let Some(i) = names.iter().position(|b| b == "main" || b == "master") {
            let main = names.remove(i);
            names.insert(0, main);
        }
        names
    };
    // The branch chosen is in the address (`?branch=`), so that it lasts
    // through a test's page, Back and a reload; one the data does not have
    // gives way to the first.
    let chosen: RwSignal<Option<String>> = RwSignal::new(url::param("branch"));
    let branch = move || {
        let all = branches();
        chosen
            .get()
            .filter(|c| all.contains(c))
            .or_else(|| all.into_iter().next())
    };
    let tiles: [RwSignal<Option<String>>; 5] = std::array::from_fn(|_| RwSignal::new(None));
    Effect::new(move || {
        let Some(b) = branch() else { return };
        for t in tiles {
            t.set(None);
        }
        // Asked again once the presets are in (after a retry, say).
        if !store.catalog.with(Option::is_some) {
            with_catalog(store, || {});
            return;
        }
        // Summaries stored as tables (a database made for reading over
        // HTTP) answer some tiles in a few pages.
        let stored = store.loaded.with_untracked(|l| {
            l.as_ref()
                .is_some_and(|(_, s)| s.tables.iter().any(|t| t.name == "summary_places"))
        });
        for (&(id, title), tile) in TILES.iter().zip(tiles) {
            let asked = b.clone();
            // Still shown, and still this branch.
            let wanted: Rc<dyn Fn() -> bool> = Rc::new(move || {
                chosen.try_get_untracked().is_some()
                    && untrack(branch).as_deref() == Some(asked.as_str())
            });
            let done: Rc<dyn Fn(String)> = Rc::new(move |html| {
                let _ = tile.try_set(Some(html));
            });
            if let Some(sql) = store
                .catalog
                .with_untracked(|c| Some(c.as_ref()?.tile(id, stored)?.to_string()))
            {
                ask_drawn(
                    sql,
                    params_of(id, &b),
                    format!("html:tile:{id}:{b}"),
                    title,
                    LIMIT_MS,
                    wanted,
                    done,
                );
            }
        }
    });
    // A test opens its page; a title, the whole answer with its SQL.
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let Some(button) = super::hit(ev.target(), "button") else {
            return;
        };
        let b = untrack(branch).unwrap_or_default();
        if let Some(test) = button.get_attribute("data-test") {
            // With a modifier key, in a new tab, as a link would.
            if ev.ctrl_key() || ev.meta_key() || ev.shift_key() {
                if let (Some(w), Some(href)) = (web_sys::window(), url::with_test(Some(&test))) {
                    let _ = w.open_with_url_and_target(&href, "_blank");
                }
            } else {
                test_page::open(store, test);
            }
        } else if let Some(id) = button.get_attribute("data-tile") {
            open_preset(store, &id, params_of(&id, &b));
        }
    };
    // Written as HTML, with one handler: every Leptos element and closure
    // costs the page's first load.
    let html = move || {
        TILES
            .iter()
            .zip(tiles)
            .map(|(&(id, title), tile)| match tile.get() {
                Some(html) if html.starts_with("<p") => format!(
                    "<div class=\"tile\"><button class=\"title\" data-tile=\"{id}\">{title}</button>{html}</div>"
                ),
                Some(html) => format!("<div class=\"tile\">{html}</div>"),
                None if store.catalog_error.get().is_some() => format!(
                    "<div class=\"tile\"><span class=\"title\">{title}</span><p class=\"error\">Not counted: the presets could not be fetched.</p></div>"
                ),
                None => format!(
                    "<div class=\"tile pending\"><span class=\"title\">{title} …</span>{}</div>",
                    waits(store)
                ),
            })
            .collect::<String>()
    };
    let options = move || {
        let b = branch().unwrap_or_default();
        branches()
            .iter()
            .map(|name| {
                let selected = if *name == b { " selected" } else { "" };
                format!("<option{selected}>{}</option>", escape_html(name))
            })
            .collect::<String>()
    };
    view! {
        <section class="health" aria-label="Health of a branch">
            <h2>
                "Health of "
                <select aria-label="Branch" on:change=move |ev| {
                    let b = event_target_value(&ev);
                    url::set_param("branch", Some(&b));
                    chosen.set(Some(b));
                } inner_html=options></select>
            </h2>
            <div class="tiles" on:click=on_click inner_html=html></div>
        </section>
    }
}
