//! Beside Run: the “Allow changes” switch (kept per dataset in the
//! browser's storage), **Reset to the original** once the data has been
//! changed, and **Download this database**.

use leptos::prelude::*;

use super::{QueryState, Store, bridge, load, saved};
use crate::protocol::{Request, Response, SqlError};

/// The storage key of the switch for the data the status line calls `url`.
fn key(url: &str) -> String {
    format!("greenboard:allow-changes:{url}")
}

/// Whether changes were allowed for the data the status line calls `url`.
pub fn allowed(url: &str) -> bool {
    saved::storage()
        .and_then(|s| s.get_item(&key(url)).ok()?)
        .is_some()
}

/// Saves the main database as an `.sqlite` file.
fn download(store: Store) {
    bridge::send(
        |id| Request::Download { id },
        move |resp| {
            if let Response::Database { file, .. } = resp {
                match file {
                    Ok(file) => super::table::save_file(
                        js_sys::Uint8Array::from(&file.0[..]),
                        "application/vnd.sqlite3",
                        "greenboard.sqlite",
                    ),
                    Err(message) => store.query.set(QueryState::Failed {
                        error: SqlError {
                            message,
                            offset: None,
                            params: Vec::new(),
                        },
                        sql: String::new(),
                    }),
                }
            }
        },
    );
}

/// The switch and the two buttons.
#[component]
pub fn Changes() -> impl IntoView {
    let store = expect_context::<Store>();
    let toggle = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        store.allow.set(on);
        let url = store
            .loaded
            .with_untracked(|l| l.as_ref().map(|(u, _)| u.clone()));
        if let (Some(url), Some(s)) = (url, saved::storage()) {
            let _ = if on {
                s.set_item(&key(&url), "1")
            } else {
                s.remove_item(&key(&url))
            };
        }
    };
    let ready = move || store.schema().is_some();
    view! {
        <label class="allow" title="Without it, queries cannot change the loaded data (temporary tables excepted)">
            <input id="allow-changes" type="checkbox" prop:checked=move || store.allow.get() on:change=toggle/>
            " Allow changes"
        </label>
        <button id="reset" hidden=move || !store.changed.get() disabled=move || !ready() on:click=move |_| load::reset(store)>
            "Reset to the original"
        </button>
        <button id="download-db" disabled=move || !ready() on:click=move |_| download(store)>
            "Download this database"
        </button>
    }
}
