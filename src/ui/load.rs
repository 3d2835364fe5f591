//! Loading data into the worker: the sources named, progress, and what
//! follows a load (the dashboard, the editor, a query from the address).

use leptos::prelude::*;

use super::dashboard::fill_dashboard;
use super::query::{preset_title, run};
use super::{LoadState, Store, bridge, changes, editor};
use crate::protocol::{LoadSummary, NamedSource, Request, RequestId, Response, SchemaKind};

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
    follow(store, url, |id| Request::Load { id, sources }, run_sql);
}

/// Loads again what is loaded, as it was before any change.
pub fn reset(store: Store) {
    if let Some(url) = store
        .loaded
        .with_untracked(|l| l.as_ref().map(|(u, _)| u.clone()))
    {
        follow(store, url, |id| Request::Reset { id }, false);
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
        fill_dashboard(store);
    }
}

/// Sends the load request `make` makes for `url` and follows it.
fn follow(store: Store, url: String, make: impl FnOnce(RequestId) -> Request, run_sql: bool) {
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
            store.loaded.set(Some((url.clone(), summary.clone())));
            store.changed.set(false);
            store.allow.set(changes::allowed(&url));
            // The panels of the data replaced.
            for panel in [store.headline, store.by_branch, store.by_platform] {
                panel.set(None);
            }
            store.load.set(LoadState::Loaded {
                url: url.clone(),
                summary,
            });
            // The editor's module comes once the data is there, after
            // the dashboard's first chart when there is one (its
            // compiling would hold the chart back).
            if schema == SchemaKind::Greenboard {
                fill_dashboard(store);
            } else {
                editor::start(store);
            }
            if run_sql {
                let id = store.preset.get_untracked();
                store
                    .preset_title
                    .set(id.as_deref().and_then(|id| preset_title(store, id)));
                run(store, store.sql.get_untracked());
            }
        }
        Response::LoadFailed { error, .. } => store.load.set(LoadState::Failed {
            url: url.clone(),
            error,
        }),
        _ => {}
    });
}
