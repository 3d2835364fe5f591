//! The Data menu: the dumps shipped with the site.

use leptos::prelude::*;

use super::{Dataset, LoadState, Store, url};

/// Chooses among the dumps shipped with the site (loading one is a new
/// address, `?db=`, so it can be shared and the back button returns).
#[component]
pub fn DatasetPicker() -> impl IntoView {
    let store = expect_context::<Store>();
    let current = move || match store.load.get() {
        LoadState::Loading { url, .. }
        | LoadState::Loaded { url, .. }
        | LoadState::Failed { url, .. } => url,
    };
    let choose = move |ev: leptos::ev::Event| {
        let url = event_target_value(&ev);
        if !url.is_empty() {
            url::open_db(&url);
        }
    };
    move || {
        let list = store.datasets.get();
        let shown = current();
        let known = list.iter().any(|d| url::resolve(&d.url) == shown);
        (!list.is_empty()).then(|| {
            view! {
                <label class="dataset">
                    <span>"Data"</span>
                    <select on:change=choose>
                        {list
                            .into_iter()
                            .map(|d| {
                                let selected = url::resolve(&d.url) == shown;
                                view! { <option value=d.url.clone() selected=selected>{d.name}</option> }
                            })
                            .collect_view()}
                        {(!known).then(|| view! { <option value="" selected=true>"Other (from the address)"</option> })}
                    </select>
                </label>
            }
        })
    }
}

/// The list of dumps shipped with the site.
const DATASETS: &str = "static/datasets.json";

/// Fetches the list of dumps shipped with the site into the store (a
/// warning on the console if it cannot be read).
pub fn fetch_list(store: Store) {
    leptos::task::spawn_local(async move {
        let list = url::fetch_json(&url::resolve(DATASETS))
            .await
            .and_then(|json| {
                serde_wasm_bindgen::from_value::<Vec<Dataset>>(json).map_err(|e| e.to_string())
            });
        match list {
            Ok(list) => store
                .datasets
                .set(list.into_iter().filter(|d| !d.url.is_empty()).collect()),
            Err(e) => web_sys::console::warn_1(&format!("{DATASETS}: {e}").into()),
        }
    });
}
