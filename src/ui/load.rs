//! Loading data into the worker: the sources named, progress, and what
//! follows a load (the dashboard, the editor, a query from the address).

use leptos::prelude::*;

use super::dashboard::fill_dashboard;
use super::query::{preset_title, run};
use super::{LoadState, Store, bridge, editor};
use crate::protocol::{NamedSource, Request, Response, SchemaKind};

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
    store.load.set(LoadState::Loading {
        url: url.clone(),
        progress: None,
    });
    bridge::send(
        |id| Request::Load { id, sources },
        move |resp| match resp {
            Response::Progress { progress, .. } => store.load.set(LoadState::Loading {
                url: url.clone(),
                progress: Some(progress),
            }),
            Response::Loaded { summary, .. } => {
                let schema = summary.schema;
                store.loaded.set(Some((url.clone(), summary.clone())));
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
        },
    );
}
