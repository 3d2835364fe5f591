//! The answer as an HTML table, one page of rows at a time.

use leptos::prelude::*;

use super::bridge;
use super::{QueryState, Store};
use crate::chart::fmt_count;
use crate::protocol::{Cell, DEFAULT_PAGE_SIZE, ExportFormat, Request, RequestId, Response};

/// The result table with its pager. Values are always rendered as text.
#[component]
pub fn ResultView(
    /// Called with the first row of the page to show.
    on_page: impl Fn(usize) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let store = expect_context::<Store>();
    move || {
        let QueryState::Done {
            query,
            answer,
            offset,
        } = store.query.get()
        else {
            return None;
        };
        if answer.columns.is_empty() {
            return None;
        }
        let total = answer.total_rows;
        let shown = answer.rows.len();
        let sort = store.sort.get();
        let head = answer
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let order = match sort {
                    Some((col, true)) if col == i => "descending",
                    Some((col, false)) if col == i => "ascending",
                    _ => "none",
                };
                view! {
                    <th scope="col" aria-sort=order>
                        <button class="sort" title="Sort by this column" on:click=move |_| super::sort_by(store, i)>
                            {c.clone()}
                        </button>
                    </th>
                }
            })
            .collect_view();
        let body = answer
            .rows
            .into_iter()
            .map(|row| {
                view! { <tr>{row.into_iter().map(|c| view! { <CellView cell=c/> }).collect_view()}</tr> }
            })
            .collect_view();
        let pager = (total > DEFAULT_PAGE_SIZE).then(|| {
            let prev = offset.saturating_sub(DEFAULT_PAGE_SIZE);
            let next = offset + DEFAULT_PAGE_SIZE;
            let last = (total - 1) / DEFAULT_PAGE_SIZE * DEFAULT_PAGE_SIZE;
            view! {
                <nav class="pager" aria-label="Result pages">
                    <button on:click=move |_| on_page(0) disabled={offset == 0}>"« First"</button>
                    <button on:click=move |_| on_page(prev) disabled={offset == 0}>"‹ Previous"</button>
                    <span class="page-info">
                        {format!("rows {}–{} of {}", fmt_count(offset as u64 + 1), fmt_count((offset + shown) as u64), fmt_count(total as u64))}
                    </span>
                    <button on:click=move |_| on_page(next) disabled={next >= total}>"Next ›"</button>
                    <button on:click=move |_| on_page(last) disabled={next >= total}>"Last »"</button>
                </nav>
            }
        });
        Some(view! {
            {pager}
            <SaveAs query=query/>
            <div class="table-wrap">
                <table class="result">
                    <thead><tr>{head}</tr></thead>
                    <tbody>{body}</tbody>
                </table>
            </div>
        })
    }
}

/// Saves a text as a file through the page's `#export-link` anchor (whose
/// address is then the file's blob URL).
const SAVE_JS: &str = "const a = document.getElementById('export-link');
if (a.href) URL.revokeObjectURL(a.href);
a.href = URL.createObjectURL(new Blob([text], { type: mime }));
a.download = name;
a.click();";

/// Offers `text` for download as a file called `name`.
pub fn save_file(text: &str, mime: &str, name: &str) {
    let f = js_sys::Function::new_with_args("text, mime, name", SAVE_JS);
    let _ = f.call3(
        &wasm_bindgen::JsValue::NULL,
        &text.into(),
        &mime.into(),
        &name.into(),
    );
}

/// Buttons that save the whole answer (every row, not only the page shown)
/// as CSV, JSON or Markdown, written by the on-demand worker.
#[component]
fn SaveAs(
    /// The query whose answer is saved.
    query: RequestId,
) -> impl IntoView {
    let store = expect_context::<Store>();
    let save = move |format: ExportFormat| {
        bridge::send(
            |id| Request::Export { id, query, format },
            move |resp| match resp {
                Response::Exported { text, .. } => {
                    save_file(&text, format.mime(), format.file_name())
                }
                Response::ChartFailed { error, .. } => {
                    store.drawing.set(super::builder::Drawing::Failed(error))
                }
                _ => {}
            },
        );
    };
    let buttons = ExportFormat::ALL
        .into_iter()
        .map(|f| view! { <button class="download" data-format=f.label() on:click=move |_| save(f)>{f.label()}</button> })
        .collect_view();
    view! {
        <p class="save-as">
            "Save all rows as " {buttons}
        </p>
    }
}

/// One value: NULL, numbers, text and blobs each look different.
#[component]
fn CellView(
    /// The value.
    cell: Cell,
) -> impl IntoView {
    match cell {
        Cell::Null => view! { <td class="null">"NULL"</td> }.into_any(),
        Cell::Integer(_) | Cell::Real(_) => {
            view! { <td class="num">{cell.display()}</td> }.into_any()
        }
        Cell::Text(t) if t.is_empty() => {
            view! { <td class="empty" title="empty string"></td> }.into_any()
        }
        Cell::Text(t) => view! { <td class="text">{t}</td> }.into_any(),
        Cell::Blob(_) => view! { <td class="blob">{cell.display()}</td> }.into_any(),
    }
}
