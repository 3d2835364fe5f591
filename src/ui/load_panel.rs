//! "Load other data": a file chosen or dropped, an address, or pasted SQL.

use leptos::prelude::*;

use super::load::load;
use super::{LoadState, Store, url};
use crate::protocol::{NamedSource, Source};

/// Loads data that is not at an address given in the URL: a file chosen or
/// dropped anywhere on the page (SQL, gzip or an SQLite database), a URL
/// typed in, or SQL pasted.
#[component]
pub fn LoadPanel() -> impl IntoView {
    let store = expect_context::<Store>();
    let pasted = RwSignal::new(String::new());
    let address = RwSignal::new(String::new());
    let load_file = move |file: web_sys::File| {
        leptos::task::spawn_local(async move {
            let name = file.name();
            match read_file(&file).await {
                Ok(bytes) => {
                    load(
                        store,
                        vec![NamedSource {
                            schema: None,
                            source: Source::Bytes { name, bytes },
                        }],
                        false,
                    );
                }
                Err(error) => store.load.set(LoadState::Failed { url: name, error }),
            }
        });
    };
    let on_pick = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        if let Some(file) = input.files().and_then(|f| f.get(0)) {
            load_file(file);
        }
    };
    let _drop = window_event_listener(leptos::ev::drop, move |ev: web_sys::DragEvent| {
        if let Some(file) = ev
            .data_transfer()
            .and_then(|d| d.files())
            .and_then(|f| f.get(0))
        {
            ev.prevent_default();
            load_file(file);
        }
    });
    let _drag = window_event_listener(leptos::ev::dragover, |ev: web_sys::DragEvent| {
        ev.prevent_default()
    });
    let load_pasted = move |_| {
        let text = pasted.get_untracked();
        if !text.trim().is_empty() {
            load(
                store,
                vec![NamedSource {
                    schema: None,
                    source: Source::Text(text),
                }],
                false,
            );
        }
    };
    let load_address = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let value = address.get_untracked();
        if !value.trim().is_empty() {
            url::open_db(value.trim());
        }
    };
    view! {
        <section class="load-panel" aria-label="Load other data">
            <h2>"Load other data"</h2>
            <p class="note">
                "An SQL dump (plain or .gz) or an SQLite database file: choose it, drop it anywhere on this page, "
                "give its address, or paste SQL. It stays in your browser."
            </p>
            <div class="load-ways">
                <label class="file-pick">
                    <span>"File"</span>
                    <input type="file" id="file" on:change=on_pick
                        accept=".sql,.gz,.db,.sqlite,.sqlite3,.txt,application/sql,application/gzip,application/x-sqlite3"/>
                </label>
                <form class="address" on:submit=load_address>
                    <label for="db-url">"Address"</label>
                    <input id="db-url" type="url" placeholder="https://example.org/results.sql.gz"
                        prop:value=move || address.get() on:input=move |ev| address.set(event_target_value(&ev))/>
                    <button type="submit">"Load"</button>
                </form>
                <div class="paste">
                    <label for="pasted">"Pasted SQL"</label>
                    <textarea id="pasted" rows="3" spellcheck="false" placeholder="CREATE TABLE …; INSERT INTO …;"
                        prop:value=move || pasted.get() on:input=move |ev| pasted.set(event_target_value(&ev))></textarea>
                    <button id="load-pasted" on:click=load_pasted>"Load pasted SQL"</button>
                </div>
            </div>
        </section>
    }
}

/// A file's bytes.
pub async fn read_file(file: &web_sys::File) -> Result<Vec<u8>, String> {
    let buffer = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
        .await
        .map_err(|e| format!("cannot read the file: {e:?}"))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}
