//! Answers the page asks for by itself (the health tiles, a test's page),
//! drawn by the chart worker as charts or HTML views: asked only when the
//! worker has nothing else to do, so that they never hold up the reader's
//! own questions.

use std::rc::Rc;

use leptos::prelude::*;

use super::{QueryState, Store, bridge, url};
use crate::chart::escape_html;
use crate::protocol::{Request, Response};

/// Runs `sql` with `params` once the worker has nothing else to do, so that
/// the page's own questions never hold up its reader's, then has the chart
/// worker draw its answer with `spec` (a chart, or an HTML view such as
/// `html:timeline`); `done` gets the drawing, or an error as HTML. Nothing
/// is done once `wanted` no longer holds (the part is gone, or asks for
/// something else). Asked again when the worker was stopped meanwhile.
pub fn ask_drawn(
    sql: String,
    params: Vec<String>,
    spec: String,
    title: &'static str,
    limit_ms: u32,
    wanted: Rc<dyn Fn() -> bool>,
    done: Rc<dyn Fn(String)>,
) {
    if !wanted() {
        return;
    }
    if !bridge::idle() {
        gloo_timers::callback::Timeout::new(200, move || {
            ask_drawn(sql, params, spec, title, limit_ms, wanted, done)
        })
        .forget();
        return;
    }
    let again = (sql.clone(), params.clone());
    let error = |e: &str| format!("<p class=\"error\">{}</p>", escape_html(e));
    bridge::send(
        |id| Request::Query {
            id,
            sql,
            params,
            page_size: 0,
            allow_changes: false,
            time_limit_ms: Some(limit_ms),
            // The page's own counts fetch little; opened, a preset reads on.
            read_budget: Some(url::read_budget() / 16),
        },
        move |resp| {
            let (wanted, done) = (wanted.clone(), done.clone());
            let failed = match resp {
                Response::Answer { id: query, .. } => {
                    let spec = spec.clone();
                    bridge::send(
                        |id| Request::Chart {
                            id,
                            query,
                            spec: Some(spec),
                            title: title.into(),
                            preset: None,
                        },
                        move |resp| {
                            let html = match resp {
                                Response::Drawn { drawing, .. } => match drawing.note {
                                    Some(n) => format!(
                                        "{}<p class=\"note\">{}</p>",
                                        drawing.svg,
                                        escape_html(&n)
                                    ),
                                    None => drawing.svg,
                                },
                                // Nothing to draw (no rows), said as a note.
                                Response::ChartFailed { error: e, .. } => {
                                    format!("<p class=\"note\">{}</p>", escape_html(&e))
                                }
                                _ => return,
                            };
                            if wanted() {
                                done(html);
                            }
                        },
                    );
                    return;
                }
                Response::QueryFailed { error, .. } => error.message,
                Response::TimedOut { .. } => format!(
                    "Not counted: it takes over {limit_ms} ms on this data. Open it to count."
                ),
                Response::OverBudget { budget, .. } => super::dashboard::over_budget(budget),
                Response::Halted { .. } => {
                    let (sql, params) = again.clone();
                    return ask_drawn(sql, params, spec.clone(), title, limit_ms, wanted, done);
                }
                _ => return,
            };
            if wanted() {
                done(error(&failed));
            }
        },
    );
}

/// What a part not yet answered says while the reader's query runs or
/// waits: the page's own questions wait for it.
pub fn waits(store: Store) -> &'static str {
    match store.query.get() {
        QueryState::Running { .. } | QueryState::Waiting { .. } => {
            "<p class=\"note\">Waits for the query that runs.</p>"
        }
        _ => "",
    }
}
