//! The workbench: the SQL editor, its toolbar, parameters, and the answer
//! with its chart.

use leptos::prelude::*;

use super::param_form::ParamForm;
use super::query::run;
use super::query_status::{QueryStatus, TimeLimit};
use super::{Store, builder, changes, table};

/// The SQL editor and the answer.
#[component]
pub fn Workbench() -> impl IntoView {
    let store = expect_context::<Store>();
    let submit = move || {
        let sql = store.sql.get_untracked();
        if !sql.trim().is_empty() {
            store.preset.set(None);
            store.preset_title.set(None);
            run(store, sql);
        }
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key()) {
            ev.prevent_default();
            submit();
        }
    };
    let ready = move || store.schema().is_some();
    view! {
        <section class="workbench" aria-label="SQL">
            <label id="editor-label" for="sql" class="editor-label">"SQL"</label>
            <div id="editor-host" class="editor-host"></div>
            <textarea
                id="sql"
                class="editor"
                hidden=move || store.editor.get()
                spellcheck="false"
                rows="8"
                placeholder="SELECT * FROM test_runs LIMIT 10;"
                prop:value=move || store.sql.get()
                on:input=move |ev| store.sql.set(event_target_value(&ev))
                on:keydown=on_key
            ></textarea>
            <div class="toolbar">
                <button id="run" class="run" on:click=move |_| submit() disabled=move || !ready()>
                    "Run"
                </button>
                <changes::Changes/>
                <TimeLimit/>
                <span class="hint">"Ctrl/⌘ + Enter runs the selection, or all"</span>
                <QueryStatus/>
            </div>
            <ParamForm on_run=submit/>
            {move || store.notice.get().map(|n| view! { <p class="notice" role="status"><span aria-hidden="true">"⚠ "</span>{n}</p> })}
            <div class=move || {
                if builder::chart_first(store) { "answer chart-first" } else { "answer rows-first" }
            }>
                <builder::ResultChart/>
                <table::ResultView/>
            </div>
        </section>
    }
}
