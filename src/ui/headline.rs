//! The dashboard's headline: runs, tests, pass rate, branches, platforms and
//! dates in one line.

use leptos::prelude::*;

use super::Store;

/// Runs, tests, overall pass rate and date range, in one line.
#[component]
pub fn Headline() -> impl IntoView {
    let store = expect_context::<Store>();
    move || {
        store.headline.get().map(|r| match r {
            Ok(a) => {
                let cell = |i: usize| {
                    a.rows
                        .first()
                        .and_then(|r| r.get(i))
                        .and_then(|c| c.display())
                        .unwrap_or_else(|| "–".into())
                };
                let day = |i: usize| cell(i).chars().take(10).collect::<String>();
                view! {
                    <p class="headline">
                        <span><strong>{cell(0)}</strong>" runs"</span>
                        <span><strong>{cell(1)}</strong>" tests"</span>
                        <span><strong>{format!("{}%", cell(2))}</strong>" passed"</span>
                        <span><strong>{cell(5)}</strong>" branches"</span>
                        <span><strong>{cell(6)}</strong>" platforms"</span>
                        <span>{format!("{} → {}", day(3), day(4))}</span>
                    </p>
                }
                .into_any()
            }
            Err(e) => view! { <p class="error">{e.message}</p> }.into_any(),
        })
    }
}
