//! Loading data into the worker: the sources named, progress, and what
//! follows a load (the dashboard, the editor, a query from the address).

use leptos::prelude::*;

use super::dashboard::{fill_dashboard, forget_dashboard, refill_dashboard};
use super::query::{preset_title, run_from_address};
use super::{LoadState, Store, bridge, changes, editor, preset_list, url};
use crate::protocol::{
    Kept, LoadSummary, NamedSource, Request, RequestId, Response, SchemaKind, Source,
};

/// What the status line calls a set of sources.
fn describe(sources: &[NamedSource]) -> String {
    sources
        .iter()
        .map(|s| match &s.schema {
            Some(name) => format!("{name}:{}", s.source.label()),
            None => s.source.label().to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Loads `sources`; then fills the dashboard, and runs the editor's SQL if
/// `run_sql` (a `?sql=` in the address).
pub fn load(store: Store, sources: Vec<NamedSource>, run_sql: bool) {
    let url = describe(&sources);
    // Addresses can be fetched again if the worker is replaced and the
    // browser keeps nothing; files and pasted text are not held twice.
    let addresses = sources.iter().all(|s| matches!(s.source, Source::Url(_)));
    if addresses {
        store.sources.set_value(sources.clone());
    }
    // A file or pasted text: the address stops naming other data once it
    // is loaded (a failed or stopped load leaves the address as it was).
    let local = sources
        .iter()
        .any(|s| matches!(s.source, Source::Bytes { .. } | Source::Text(_)));
    follow(
        store,
        url,
        |id| Request::Load {
            id,
            sources,
            in_place_above: url::in_place_above(),
        },
        run_sql,
        local,
    );
}

/// In a new worker (after Stop or a crash), opens the data that was loaded:
/// from the browser's storage when it is kept there, else from its
/// addresses again. The status line keeps what it said.
pub fn reopen(store: Store) {
    let Some((url, summary)) = store.loaded.get_untracked() else {
        return;
    };
    let sources = match &summary.kept {
        Kept::Kept(info) => vec![NamedSource {
            schema: None,
            source: Source::Kept {
                key: info.key.clone(),
                label: url.clone(),
            },
        }],
        _ => store.sources.get_value(),
    };
    if sources.is_empty() {
        store.load.set(LoadState::Failed {
            url: url.clone(),
            error: "the data was in this page's memory only, and went with the stopped SQLite worker: load it again".into(),
        });
        store.loaded.set(None);
        return;
    }
    bridge::send(
        |id| Request::Load {
            id,
            sources,
            in_place_above: url::in_place_above(),
        },
        move |resp| match resp {
            Response::Loaded { summary, .. } => {
                store.loaded.set(Some((url.clone(), summary.clone())));
                store.load.update(|l| {
                    if let LoadState::Loaded { summary: s, .. } = l {
                        *s = summary;
                    }
                });
            }
            Response::LoadFailed { error, .. }
            | Response::Halted {
                crash: Some(error), ..
            } => {
                store.load.set(LoadState::Failed {
                    url: url.clone(),
                    error: format!("it could not be opened again: {error}"),
                });
                store.loaded.set(None);
            }
            _ => {}
        },
    );
}

/// Loads again what is loaded, as it was before any change.
pub fn reset(store: Store) {
    if let Some(url) = store
        .loaded
        .with_untracked(|l| l.as_ref().map(|(u, _)| u.clone()))
    {
        follow(store, url, |id| Request::Reset { id }, false, false);
    }
}

/// What is loaded after a query changed it: the schema, presets and
/// dashboard follow.
pub fn changed(store: Store, summary: LoadSummary) {
    store.changed.set(true);
    store.loaded.update(|l| {
        if let Some((_, s)) = l {
            *s = summary.clone();
        }
    });
    store.load.update(|l| {
        if let LoadState::Loaded { summary: s, .. } = l {
            *s = summary.clone();
        }
    });
    if summary.schema == SchemaKind::Greenboard {
        refill_dashboard(store);
    }
}

/// Sends the load request `make` makes for `url` and follows it; `local`:
/// the data is a file or pasted text, which the address can name only when
/// it is kept.
fn follow(
    store: Store,
    url: String,
    make: impl FnOnce(RequestId) -> Request,
    run_sql: bool,
    local: bool,
) {
    store.load.set(LoadState::Loading {
        url: url.clone(),
        progress: None,
    });
    bridge::send(make, move |resp| match resp {
        Response::Progress { progress, .. } => store.load.set(LoadState::Loading {
            url: url.clone(),
            progress: Some(progress),
        }),
        Response::Loaded { summary, .. } => {
            let schema = summary.schema;
            // A file or pasted text kept in the browser: the address names
            // it, so that a reload opens it again.
            let url = match &summary.kept {
                Kept::Kept(info) if info.urls.is_empty() => {
                    url::set_kept(&info.key);
                    info.label.clone()
                }
                // Opened by `?kept=KEY`: named as it was loaded.
                Kept::Kept(info) if url == info.key => info.label.clone(),
                _ => {
                    if local {
                        url::forget_db();
                    }
                    url.clone()
                }
            };
            store.loaded.set(Some((url.clone(), summary.clone())));
            // Kept data opens as it was left, changes included.
            store
                .changed
                .set(matches!(&summary.kept, Kept::Kept(info) if info.changed));
            store.allow.set(changes::allowed(&url));
            // The panels of the data replaced.
            forget_dashboard(store);
            store.load.set(LoadState::Loaded {
                url: url.clone(),
                summary,
            });
            // The editor's module comes once the data is there, after
            // the dashboard's first chart when there is one (its
            // compiling would hold the chart back).
            if schema == SchemaKind::Greenboard && store.test.with_untracked(Option::is_none) {
                fill_dashboard(store);
            } else {
                editor::start(store);
            }
            if run_sql {
                // A preset's title (its chart's too) comes with the presets.
                let run = move || {
                    let id = store.preset.get_untracked();
                    store
                        .preset_title
                        .set(id.as_deref().and_then(|id| preset_title(store, id)));
                    run_from_address(store, store.sql.get_untracked());
                };
                if store.preset.with_untracked(Option::is_some) {
                    preset_list::with_catalog(store, run);
                } else {
                    run();
                }
            } else if store.preset.with_untracked(Option::is_some)
                && store.sql.with_untracked(String::is_empty)
            {
                preset_list::run_named(store);
            }
        }
        Response::LoadFailed { error, .. } => store.load.set(LoadState::Failed {
            // `?kept=KEY`: the key names nothing the reader knows.
            url: if url::Params::from_location().kept.as_ref() == Some(&url) {
                String::new()
            } else {
                url.clone()
            },
            error,
        }),
        Response::Halted { crash, .. } => store.load.set(LoadState::Failed {
            url: url.clone(),
            error: crash.unwrap_or_default(),
        }),
        _ => {}
    });
}
