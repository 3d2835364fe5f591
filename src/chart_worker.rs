//! The Web Worker that draws charts and writes answers as files. The SQLite
//! worker starts it when the first is asked for and hands it whole answers
//! ([`Job`]) once
//! it says it is ready; it answers with the SVG ([`ChartReply::Done`]). Its code is thus fetched only when a
//! chart is drawn, not with the page.

use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use crate::chart::spec::Spec;
use crate::chart::svg::{Options, render};
use crate::chart::views::View;
use crate::export;
use crate::protocol::{ChartDrawing, ChartJob, ChartReply, ExportFormat, Job};
use crate::wire;

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn now() -> f64 {
    scope().performance().map(|p| p.now()).unwrap_or(0.0)
}

/// Draws one job: with its spec, or with one guessed from its values; a
/// spec `html:VIEW` writes the answer as that HTML view instead
/// ([`crate::chart::views`]).
pub fn draw(job: ChartJob) -> ChartReply {
    let started = now();
    if let Some(view) = job.spec.as_deref().and_then(View::from_spec) {
        let html = view.render(&job.title, &job.columns, &job.rows);
        return ChartReply::Done {
            id: job.id,
            result: Ok(ChartDrawing {
                spec: job.spec.unwrap_or_default(),
                svg: html,
                marks: job.rows.len(),
                description: String::new(),
                note: None,
                elapsed_ms: now() - started,
                drill: None,
            }),
        };
    }
    let result = (|| {
        if job.rows.is_empty() {
            return Err("no rows to chart".to_string());
        }
        let spec = match job.spec {
            Some(text) => text.parse::<Spec>().map_err(|e| e.to_string())?,
            None => Spec::suggest(&job.columns, &job.rows)?,
        };
        let opts = Options {
            title: job.title,
            id: format!("chart-{}", job.id),
            ..Options::default()
        };
        let d = render(&spec, &job.columns, &job.rows, &opts).map_err(|e| e.to_string())?;
        Ok(ChartDrawing {
            spec: spec.to_string(),
            svg: d.svg,
            marks: d.marks,
            description: d.description,
            note: d.note,
            elapsed_ms: now() - started,
            drill: job
                .preset
                .as_deref()
                .and_then(crate::presets::drill)
                .map(str::to_string),
        })
    })();
    ChartReply::Done { id: job.id, result }
}

/// Starts the worker: answers each job as it comes.
pub fn start() {
    crate::wire::report_panics();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|event: MessageEvent| {
        let done = match wire::decode::<Job>(event.data()) {
            Ok(Job::Chart(job)) => draw(job),
            Ok(Job::Export {
                id,
                format,
                columns,
                rows,
            }) => ChartReply::Exported {
                id,
                text: match format {
                    ExportFormat::Csv => export::csv::to_string(&columns, &rows),
                    ExportFormat::Json => export::json::to_string(&columns, &rows),
                    ExportFormat::Markdown => export::markdown::to_string(&columns, &rows),
                },
            },
            Err(e) => {
                web_sys::console::error_1(&format!("bad chart job: {e}").into());
                return;
            }
        };
        reply(&done);
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    reply(&ChartReply::Ready);
}

fn reply(r: &ChartReply) {
    match wire::encode(r) {
        Ok(v) => {
            let _ = scope().post_message(&v);
        }
        Err(e) => web_sys::console::error_1(&format!("cannot encode a chart: {e}").into()),
    }
}
