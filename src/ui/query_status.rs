//! The main query's status: waiting, running (with Stop), its row count and
//! time, SQLite's error with its position, or why it stopped; and the time
//! budget a query may run for.

use leptos::prelude::*;

use super::load_status::fmt_bytes;
use super::query::run_without_limit;
use super::{QueryState, Store, bridge, saved};
use crate::chart::{fmt_count, fmt_fixed};

/// Where the time budget is kept in the browser.
const LIMIT_KEY: &str = "greenboard:time-limit";

/// The time budgets offered, in milliseconds (`0`: none).
const LIMITS: &[(u32, &str)] = &[
    (0, "no limit"),
    (1_000, "1 s"),
    (10_000, "10 s"),
    (60_000, "1 min"),
    (300_000, "5 min"),
];

/// The time budget kept in the browser (none by default).
pub fn stored_limit() -> Option<u32> {
    saved::storage()
        .and_then(|s| s.get_item(LIMIT_KEY).ok()?)
        .and_then(|v| v.parse().ok())
        .filter(|ms| *ms > 0)
}

/// The time budget of the main query, kept across reloads.
#[component]
pub fn TimeLimit() -> impl IntoView {
    let store = expect_context::<Store>();
    let change = move |ev: leptos::ev::Event| {
        let ms: u32 = event_target_value(&ev).parse().unwrap_or(0);
        store.time_limit.set((ms > 0).then_some(ms));
        if let Some(s) = saved::storage() {
            let _ = s.set_item(LIMIT_KEY, &ms.to_string());
        }
    };
    view! {
        <label class="time-limit" title="A query that runs longer is stopped">
            "Time limit "
            <select id="time-limit" on:change=change>
                {LIMITS
                    .iter()
                    .map(|(ms, name)| {
                        let selected = move || store.time_limit.get().unwrap_or(0) == *ms;
                        view! { <option value=ms.to_string() selected=selected>{*name}</option> }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}

/// Stops what the worker runs, and puts the focus on Run (the Stop
/// button goes), so that the keyboard continues from there. A query shown
/// running stops even if the worker had not begun it; one shown waiting
/// runs once what it waited for has stopped.
pub fn stop(store: Store) {
    bridge::stop(matches!(
        store.query.get_untracked(),
        QueryState::Running { .. }
    ));
    // Once the page shows what stopped (Run is enabled again after a load).
    gloo_timers::callback::Timeout::new(0, || {
        if let Some(run) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id("run"))
            .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
        {
            let _ = run.focus();
        }
    })
    .forget();
}

/// The button that stops what the worker runs (Esc does the same).
#[component]
pub fn StopButton() -> impl IntoView {
    let store = expect_context::<Store>();
    view! {
        <button class="stop" title="Stop (Esc)" on:click=move |_| stop(store)>"Stop"</button>
    }
}

/// `seconds` as the status says it.
fn fmt_seconds(seconds: f64) -> String {
    format!("{} s", fmt_fixed(seconds, 1))
}

/// Row count and time, "running…", or the error.
#[component]
pub fn QueryStatus() -> impl IntoView {
    let store = expect_context::<Store>();
    move || {
        match store.query.get() {
        QueryState::Idle => view! { <span class="query-status"></span> }.into_any(),
        QueryState::Waiting { sql } => {
            let excerpt: String = sql.split_whitespace().collect::<Vec<_>>().join(" ");
            let excerpt = match excerpt.char_indices().nth(80) {
                Some((i, _)) => format!("{}…", &excerpt[..i]),
                None => excerpt,
            };
            view! {
                <span class="query-status waiting" role="status">
                    "Waiting for the running query to end (Stop ends it): "
                    <code class="waiting-sql">{excerpt}</code>
                    " "
                    <StopButton/>
                </span>
            }
            .into_any()
        }
        QueryState::Running { started } => view! {
            <span class="query-status running" role="status">
                "Running… "
                {move || fmt_seconds((store.clock.get() - started).max(0.0) / 1000.0)}
                " "
                <StopButton/>
            </span>
        }
        .into_any(),
        QueryState::Halted { seconds, crash } => match crash {
            None => view! {
                <span class="query-status failed stopped" role="status">
                    {format!("Stopped after {}. The data is still loaded.", fmt_seconds(seconds))}
                </span>
            }
            .into_any(),
            Some(why) => view! {
                <span class="query-status failed crashed" role="alert">
                    {format!(
                        "The query did not finish: {why}. SQLite was restarted with the same data."
                    )}
                </span>
            }
            .into_any(),
        },
        QueryState::TimedOut { limit_ms } => view! {
            <span class="query-status failed timed-out" role="alert">
                {format!(
                    "Stopped: the query ran longer than its time limit of {}. ",
                    // As the menu says it.
                    LIMITS
                        .iter()
                        .find(|(ms, _)| *ms == limit_ms)
                        .map(|(_, name)| name.to_string())
                        .unwrap_or_else(|| fmt_seconds(f64::from(limit_ms) / 1000.0))
                )}
                <button class="link-button" on:click=move |_| run_without_limit(store)>
                    "Run without a limit"
                </button>
            </span>
        }
        .into_any(),
        QueryState::OverBudget { budget, fetched } => view! {
            <span class="query-status failed over-budget" role="alert">
                {format!(
                    "Stopped: reading on would fetch more than {} of the database over the network ({} so far). ",
                    fmt_bytes(budget),
                    fmt_bytes(fetched)
                )}
                <button class="link-button" on:click=move |_| run_without_limit(store)>
                    "Read on"
                </button>
            </span>
        }
        .into_any(),
        QueryState::NotRerun { changes } => view! {
            <span class="query-status not-rerun" role="status">
                {if changes {
                    "This query from the address would change the data, so it was not run by itself. Press Run to run it."
                } else {
                    "This query did not answer when it last ran here (it failed, was stopped, or stopped SQLite), so it was not run again. Press Run to run it."
                }}
            </span>
        }
        .into_any(),
        QueryState::Done { answer, .. } => {
            let rows = if answer.columns.is_empty() {
                format!(
                    "{} row{} changed",
                    fmt_count(answer.changes),
                    if answer.changes == 1 { "" } else { "s" }
                )
            } else {
                format!(
                    "{} row{}",
                    fmt_count(answer.total_rows as u64),
                    if answer.total_rows == 1 { "" } else { "s" }
                )
            };
            view! {
                <span class="query-status done" role="status">
                    <span class="row-count">{rows}</span>
                    " in "
                    <span class="query-time">{format!("{} ms", fmt_fixed(answer.elapsed_ms, 1))}</span>
                </span>
            }
            .into_any()
        }
        QueryState::Failed { error, sql } => view! {
            <span class="query-status failed sql-error" role="alert">
                {error.message.clone()}
                {error.offset.map(|o| format!(" (at character {})", char_position(&sql, o)))}
            </span>
        }
        .into_any(),
    }
    }
}

/// The 1-based character position of byte `offset` in `text`.
fn char_position(text: &str, offset: usize) -> usize {
    text.char_indices().take_while(|(i, _)| *i < offset).count() + 1
}
