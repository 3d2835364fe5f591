//! The Data menu: the dumps shipped with the site, and the datasets kept
//! in this browser.

use leptos::prelude::*;

use super::load_status::{fmt_bytes, fmt_date};
use super::{Dataset, LoadState, Store, bridge, url};
use crate::protocol::{KeptInfo, Request, Response};

/// What the browser keeps: the datasets, the space used and allowed, or why
/// it keeps nothing.
#[derive(Clone, Default)]
struct KeptList {
    list: Vec<KeptInfo>,
    usage: Option<(f64, f64)>,
    unavailable: Option<String>,
    /// Bytes of the pages kept of files read by ranges.
    pages: u64,
}

/// Asks the worker for the kept datasets (after `make` changed them).
fn refresh(kept: RwSignal<Option<KeptList>>, make: impl FnOnce(u32) -> Request) {
    bridge::send(make, move |resp| {
        if let Response::KeptList {
            list,
            usage,
            unavailable,
            pages,
            ..
        } = resp
        {
            kept.set(Some(KeptList {
                list,
                usage,
                unavailable,
                pages,
            }));
        }
    });
}

/// The datasets kept in this browser: each with its size and date, to
/// open or remove; the space they take and the browser's quota.
#[component]
fn KeptDatasets() -> impl IntoView {
    let kept = RwSignal::new(None::<KeptList>);
    let toggled = move |ev: leptos::ev::Event| {
        let open = event_target::<web_sys::HtmlDetailsElement>(&ev).open();
        if open {
            refresh(kept, |id| Request::ListKept { id });
        }
    };
    let body = move || {
        let Some(k) = kept.get() else {
            return view! { <p>"…"</p> }.into_any();
        };
        if let Some(why) = k.unavailable {
            return view! { <p class="kept-none">{format!("Nothing is kept: {why}.")}</p> }
                .into_any();
        }
        let usage = k.usage.map(|(used, quota)| {
            format!(
                "{} used of the {} this browser allows this site",
                fmt_bytes(used as u64),
                fmt_bytes(quota as u64)
            )
        });
        let rows = k
            .list
            .into_iter()
            .map(|d| {
                let key = d.key.clone();
                let remove = {
                    let key = key.clone();
                    move |_| {
                        let key = key.clone();
                        refresh(kept, move |id| Request::RemoveKept { id, key })
                    }
                };
                view! {
                    <li>
                        <button class="link-button kept-open" title="Open this dataset"
                            on:click=move |_| url::open_kept(&key)>{d.label.clone()}</button>
                        <span class="kept-meta">
                            {format!(" {} · {}{}", fmt_bytes(d.bytes), fmt_date(d.loaded_at),
                                if d.changed { " · changed" } else { "" })}
                        </span>
                        " "
                        <button class="kept-remove" aria-label=format!("Remove {}", d.label)
                            on:click=remove>"Remove"</button>
                    </li>
                }
            })
            .collect_view();
        let pages = (k.pages > 0).then(|| {
            view! {
                <li>
                    "Pages of files read over HTTP"
                    <span class="kept-meta">{format!(" {}", fmt_bytes(k.pages))}</span>
                    " "
                    <button class="kept-remove" aria-label="Remove the pages of files read over HTTP"
                        on:click=move |_| refresh(kept, |id| Request::ForgetPages { id })>"Remove"</button>
                </li>
            }
        });
        view! {
            <ul class="kept-list">{rows}{pages}</ul>
            <p class="kept-usage">{usage}</p>
        }
        .into_any()
    };
    view! {
        <details class="kept" on:toggle=toggled>
            <summary>"Kept in this browser"</summary>
            <div class="kept-panel">{body}</div>
        </details>
    }
}

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
    let picker = move || {
        let list = store.datasets.get();
        let shown = current();
        let known = list.iter().any(|d| url::resolve(&d.url) == shown);
        // Where the data shown comes from, when its entry says.
        let source = list
            .iter()
            .find(|d| url::resolve(&d.url) == shown)
            .and_then(|d| {
                let taken = d.taken.as_deref().map(|t| format!(", taken {t}"));
                Some((d.source.clone()?, taken.unwrap_or_default()))
            })
            .map(|(href, taken)| {
                view! {
                    <a class="dataset-source" href=href target="_blank" rel="noopener"
                        title=format!("Where this data comes from{taken}")>{format!("source{taken}")}</a>
                }
            });
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
                {source}
            }
        })
    };
    view! {
        {picker}
        <KeptDatasets/>
    }
}

/// The list of dumps shipped with the site.
const DATASETS: &str = "static/datasets.json";

/// Fetches the list of dumps shipped with the site into the store (a
/// warning on the console if it cannot be read), then calls `first` with
/// the address of the first one listed.
pub fn fetch_list(store: Store, first: impl FnOnce(Option<String>) + 'static) {
    leptos::task::spawn_local(async move {
        let list = url::fetch_json(&url::resolve(DATASETS))
            .await
            .and_then(|json| {
                serde_wasm_bindgen::from_value::<Vec<Dataset>>(json)
                    .map_err(|e| format!("{DATASETS}: {e}"))
            });
        let list: Vec<Dataset> = match list {
            Ok(list) => list.into_iter().filter(|d| !d.url.is_empty()).collect(),
            Err(e) => {
                web_sys::console::warn_1(&e.into());
                Vec::new()
            }
        };
        first(list.first().map(|d| d.url.clone()));
        store.datasets.set(list);
    });
}
