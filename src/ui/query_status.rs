//! The main query's status: running, its row count and time, or SQLite's
//! error with its position.

use leptos::prelude::*;

use super::{QueryState, Store};
use crate::chart::fmt_count;

/// Row count and time, "running…", or the error.
#[component]
pub fn QueryStatus() -> impl IntoView {
    let store = expect_context::<Store>();
    move || match store.query.get() {
        QueryState::Idle => view! { <span class="query-status"></span> }.into_any(),
        QueryState::Running { started } => view! {
            <span class="query-status running" role="status">
                "Running… "
                {move || format!("{:.1} s", (store.clock.get() - started).max(0.0) / 1000.0)}
            </span>
        }
        .into_any(),
        QueryState::Done { answer, .. } => {
            let rows = if answer.columns.is_empty() {
                format!("{} rows changed", fmt_count(answer.changes))
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
                    <span class="query-time">{format!("{:.1} ms", answer.elapsed_ms)}</span>
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

/// The 1-based character position of byte `offset` in `text`.
fn char_position(text: &str, offset: usize) -> usize {
    text.char_indices().take_while(|(i, _)| *i < offset).count() + 1
}
