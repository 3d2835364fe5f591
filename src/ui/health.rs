//! The health of a branch, first on the dashboard: its new failures,
//! ongoing failures, recently fixed tests, flakiest and slower tests, each
//! a count and its first rows (the health presets' answers). A row shows
//! its test's latest results; a count runs the whole preset.

use leptos::prelude::*;

use super::preset_list::with_catalog;
use super::{Panel, Store, bridge, builder};
use crate::chart::escape_html;
use crate::presets::health::BRANCHES;
use crate::protocol::{Request, Response};

/// The health presets shown, with their titles.
const TILES: [(&str, &str); 5] = [
    ("new-failures", "New failures"),
    ("ongoing-failures", "Ongoing failures"),
    ("recently-fixed", "Recently fixed"),
    ("flaky-by-rule", "Flakiest (any branch)"),
    ("duration-regressions", "Slower"),
];

/// Rows listed under a count.
const LISTED: usize = 5;

/// An answer for a tile: `None` while asked (the dashboard's own type).
type Answer = Panel;

/// Asks the worker `sql` with `params`; the answer goes to `into`.
fn ask(sql: String, params: Vec<String>, into: Answer) {
    bridge::send(
        |id| Request::Query {
            id,
            sql,
            params,
            page_size: 200,
            allow_changes: false,
            // Asked by the page, not by its reader: never for long.
            time_limit_ms: Some(10_000),
        },
        move |resp| match resp {
            Response::Answer { answer, .. } => into.set(Some(Ok(answer))),
            Response::QueryFailed { error, .. } => into.set(Some(Err(error))),
            _ => {}
        },
    );
}

/// The parameters of tile `id` for `branch`.
fn params_of(id: &str, branch: &str) -> Vec<String> {
    match id {
        "flaky-by-rule" => vec!["30".into()],
        "duration-regressions" => vec!["10".into(), "50".into()],
        _ => vec![branch.into()],
    }
}

/// A row's text beyond its test and platform, from columns by name.
fn detail(id: &str, cell: &dyn Fn(&str) -> String) -> String {
    let short = |c: &str| cell(c).chars().take(8).collect::<String>();
    match id {
        "new-failures" => format!("broken at {}", short("broken_at")),
        "ongoing-failures" => format!("{} runs, {} days", cell("failing_runs"), cell("days")),
        "recently-fixed" => format!("fixed at {}", short("fixed_at")),
        "flaky-by-rule" => format!("rules {}", cell("rules")),
        _ => format!("+{} %", cell("growth_pct")),
    }
}

/// The tiles as HTML (one click handler for them all: every Leptos
/// closure costs the page's first load): each a count and its first rows.
fn render(answers: &[Answer; 5], branch: &str) -> String {
    let mut html = String::new();
    for (&(id, title), answer) in TILES.iter().zip(answers) {
        let Some(result) = answer.get() else {
            html.push_str(&format!(
                "<div class=\"tile pending\"><span class=\"title\">{title} …</span></div>"
            ));
            continue;
        };
        let a = match result {
            Ok(a) => a,
            Err(e) => {
                html.push_str(&format!(
                    "<div class=\"tile\"><button class=\"title\" data-tile=\"{id}\">{title}</button><p class=\"error\">{}</p></div>",
                    escape_html(&e.message)
                ));
                continue;
            }
        };
        let col = |name: &str| a.columns.iter().position(|c| c == name);
        // Slower tests of other branches are not this branch's.
        let rows: Vec<_> = a
            .rows
            .iter()
            .filter(|r| col("branch").is_none_or(|i| r[i].display().as_deref() == Some(branch)))
            .collect();
        let count = if col("branch").is_some() {
            rows.len()
        } else {
            a.total_rows
        };
        html.push_str(&format!(
            "<div class=\"tile{}\"><button class=\"title\" data-tile=\"{id}\" title=\"All of them, with the SQL\">{title} <b>{count}</b></button><ul>",
            if count == 0 { " none" } else { "" }
        ));
        for r in rows.iter().take(LISTED) {
            let cell = |name: &str| col(name).and_then(|i| r[i].display()).unwrap_or_default();
            let test = escape_html(&cell("test_name"));
            html.push_str(&format!(
                "<li><button data-test=\"{test}\"><b>{test}</b> <span>{} · {}</span></button></li>",
                escape_html(&cell("platform")),
                escape_html(&detail(id, &cell))
            ));
        }
        html.push_str("</ul></div>");
    }
    html
}

/// The health of the chosen branch (main by default).
#[component]
pub fn Health() -> impl IntoView {
    let store = expect_context::<Store>();
    let branches: RwSignal<Vec<String>> = RwSignal::new(Vec::new());
    let branch: RwSignal<Option<String>> = RwSignal::new(None);
    let answers: [Answer; 5] = std::array::from_fn(|_| RwSignal::new(None));
    let list: Answer = RwSignal::new(None);
    ask(BRANCHES.into(), Vec::new(), list);
    Effect::new(move || {
        if let Some(Ok(a)) = list.get() {
            let names: Vec<String> = a.rows.iter().filter_map(|r| r.first()?.display()).collect();
            branch.set(names.first().cloned());
            branches.set(names);
        }
    });
    Effect::new(move || {
        let Some(b) = branch.get() else { return };
        with_catalog(store, move || {
            for ((id, _), answer) in TILES.iter().zip(answers) {
                answer.set(None);
                let sql = store
                    .catalog
                    .with_untracked(|c| Some(c.as_ref()?.find(id)?.sql.clone()));
                if let Some(sql) = sql {
                    ask(sql, params_of(id, &b), answer);
                }
            }
        });
    });
    // A row shows its test's latest results; a title, the whole answer.
    let on_click = move |ev: leptos::ev::MouseEvent| {
        use wasm_bindgen::JsCast;
        let Some(button) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|e| e.closest("button").ok().flatten())
        else {
            return;
        };
        let b = branch.get_untracked().unwrap_or_default();
        let find = |id: &str, drill: bool| {
            store.catalog.with_untracked(|c| {
                let c = c.as_ref()?;
                Some(if drill {
                    c.drill(id)?.to_string()
                } else {
                    c.find(id)?.sql.clone()
                })
            })
        };
        if let Some(test) = button.get_attribute("data-test") {
            if let Some(sql) = find("flaky-tests", true) {
                builder::show_drill(
                    store,
                    format!("{test}: latest results"),
                    vec![("test_name".into(), test)],
                    sql,
                );
            }
        } else if let Some(id) = button.get_attribute("data-tile")
            && let Some(&(id, title)) = TILES.iter().find(|(t, _)| *t == id)
            && let Some(sql) = find(id, false)
        {
            let params = params_of(id, &b)
                .into_iter()
                .enumerate()
                .map(|(i, v)| (format!("?{}", i + 1), v))
                .collect();
            builder::show_drill(store, format!("{title} ({b})"), params, sql);
        }
    };
    view! {
        <section class="health" aria-label="Health of a branch">
            <h2>
                "Health of "
                <select aria-label="Branch" on:change=move |ev| branch.set(Some(event_target_value(&ev)))
                    inner_html=move || {
                        let chosen = branch.get().unwrap_or_default();
                        branches.get().iter().map(|b| {
                            let b = escape_html(b);
                            let selected = if b == escape_html(&chosen) { " selected" } else { "" };
                            format!("<option value=\"{b}\"{selected}>{b}</option>")
                        }).collect::<String>()
                    }>
                </select>
            </h2>
            <div class="tiles" on:click=on_click inner_html=move || render(&answers, &branch.get().unwrap_or_default())></div>
        </section>
    }
}
