//! The answer as a table that scrolls through every row. Rows come from the
//! worker a page at a time as they scroll into view, and only the pages in
//! view are in the document, so an answer of any size scrolls smoothly.
//! A cell clicked (or reached with the arrow keys) is shown whole below the
//! table, with buttons that copy it, its row, or every row.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::bridge;
use super::{QueryState, Store};
use crate::chart::{escape_html_marked as marked, fmt_count};
use crate::protocol::{Cell, DEFAULT_PAGE_SIZE, ExportFormat, Request, RequestId, Response};

/// Rows per page fetched from the worker.
const PAGE: usize = DEFAULT_PAGE_SIZE;
/// The height of a row, in CSS pixels (`table.result td` has it too).
const ROW_PX: f64 = 28.0;
/// Characters of text a cell holds before "…" (the style cuts the line
/// short well before; this keeps huge values out of the document). The
/// inspector shows all.
const CELL_CHARS: usize = 2000;

/// The pages of the answer fetched so far, by page number (`None`: not yet).
type Pages = RwSignal<Vec<Option<Vec<Vec<Cell>>>>>;

/// The cell at `row`, `col`, if its page is here.
fn cell_at(pages: Pages, row: usize, col: usize) -> Option<Cell> {
    pages.with(|p| {
        p.get(row / PAGE)?
            .as_ref()?
            .get(row % PAGE)?
            .get(col)
            .cloned()
    })
}

/// Up to `n` bytes in hex, spaced: `89 50 4e 47`.
fn hex(bytes: &[u8], n: usize) -> String {
    let mut out: Vec<String> = bytes.iter().take(n).map(|b| format!("{b:02x}")).collect();
    if bytes.len() > n {
        out.push("…".into());
    }
    out.join(" ")
}

/// A cell's `<td>`: NULL, numbers, the empty string, text and blobs each
/// look different, and control characters in text show as markers.
/// A test's name is a link to its page (`?test=`).
fn cell_html(cell: &Cell, selected: bool, test: bool) -> String {
    let sel = if selected { " selected" } else { "" };
    match cell {
        Cell::Null => format!("<td class=\"null{sel}\">NULL</td>"),
        Cell::Integer(_) | Cell::Real(_) => format!(
            "<td class=\"num{sel}\">{}</td>",
            cell.display().unwrap_or_default()
        ),
        Cell::Text(t) if t.is_empty() => {
            format!("<td class=\"empty{sel}\" title=\"empty string\"></td>")
        }
        Cell::Text(t) => {
            let mut shown: String = t.chars().take(CELL_CHARS).collect();
            if shown.len() < t.len() {
                shown.push('…');
            }
            match super::url::with_test(Some(t)).filter(|_| test) {
                Some(href) => format!(
                    "<td class=\"text{sel}\"><a class=\"test\" href=\"{}\" data-test=\"{}\">{}</a></td>",
                    crate::chart::escape_html(&href),
                    crate::chart::escape_html(t),
                    marked(&shown)
                ),
                None => format!("<td class=\"text{sel}\">{}</td>", marked(&shown)),
            }
        }
        Cell::Blob(b) => format!(
            "<td class=\"blob{sel}\">BLOB · {} bytes · {}</td>",
            fmt_count(b.len() as u64),
            hex(b, 8)
        ),
    }
}

/// The rows of pages `first..=last` (placeholders where a page is still on
/// its way), between spacers as tall as the rows above and below.
fn body_html(
    pages: &[Option<Vec<Vec<Cell>>>],
    (first, last): (usize, usize),
    total: usize,
    width: usize,
    selected: Option<(usize, usize)>,
    test_col: Option<usize>,
) -> String {
    let spacer = |rows: usize| {
        if rows == 0 {
            String::new()
        } else {
            format!(
                "<tr class=\"spacer\" aria-hidden=\"true\" style=\"height:{}px\"><td colspan=\"{width}\"></td></tr>",
                rows as f64 * ROW_PX
            )
        }
    };
    let from = first * PAGE;
    let to = ((last + 1) * PAGE).min(total);
    let mut html = spacer(from);
    for i in from..to {
        let stripe = if i % 2 == 1 { " class=\"odd\"" } else { "" };
        html.push_str(&format!(
            "<tr data-row=\"{i}\"{stripe} aria-rowindex=\"{}\">",
            i + 2
        ));
        match pages.get(i / PAGE).and_then(|p| p.as_ref()?.get(i % PAGE)) {
            Some(row) => {
                for (c, cell) in row.iter().enumerate() {
                    html.push_str(&cell_html(
                        cell,
                        selected == Some((i, c)),
                        test_col == Some(c),
                    ));
                }
            }
            None => html.push_str(&format!("<td class=\"pending\" colspan=\"{width}\">…</td>")),
        }
        html.push_str("</tr>");
    }
    html.push_str(&spacer(total - to));
    html
}

/// Asks the worker for page `page` of `query`'s answer.
fn fetch(query: RequestId, page: usize, pages: Pages) {
    bridge::send(
        |id| Request::Page {
            id,
            query,
            offset: page * PAGE,
            limit: PAGE,
        },
        move |resp| {
            if let Response::Rows { rows, .. } = resp {
                pages.update(|p| {
                    if let Some(slot) = p.get_mut(page) {
                        *slot = Some(rows);
                    }
                });
            }
        },
    );
}

/// Puts `text` on the clipboard exactly, by answering the copy event it
/// starts (which needs no permission, and leaves the focus and the
/// selection alone; the clipboard API where no event comes). Copying from
/// a text area would not do: its value turns `\r\n` and `\r` into `\n`.
const COPY_JS: &str = "let done = false;
const put = e => { e.clipboardData.setData('text/plain', text); e.preventDefault(); done = true; };
document.addEventListener('copy', put, true);
try { document.execCommand('copy'); } finally { document.removeEventListener('copy', put, true); }
if (!done && navigator.clipboard) navigator.clipboard.writeText(text);";

/// Copies `text`.
fn copy(text: &str) {
    let f = js_sys::Function::new_with_args("text", COPY_JS);
    let _ = f.call1(&wasm_bindgen::JsValue::NULL, &text.into());
}

/// A cell as copied: NULL as nothing, blobs in hex.
fn plain(cell: &Cell) -> String {
    match cell {
        Cell::Null => String::new(),
        Cell::Blob(b) => b.iter().map(|x| format!("{x:02x}")).collect(),
        other => other.display().unwrap_or_default(),
    }
}

/// The answer: its header (click to sort), its rows, and the cell chosen.
#[component]
pub fn ResultView() -> impl IntoView {
    let store = expect_context::<Store>();
    move || {
        let QueryState::Done { query, answer } = store.query.get() else {
            return None;
        };
        if answer.columns.is_empty() {
            return None;
        }
        let total = answer.total_rows;
        let columns = answer.columns;
        let width = columns.len();
        let mut fetched = vec![None; total.div_ceil(PAGE)];
        if let Some(first) = fetched.first_mut() {
            *first = Some(answer.rows);
        }
        let pages: Pages = RwSignal::new(fetched);
        let shown = RwSignal::new((0usize, 0usize));
        let selected = RwSignal::new(None::<(usize, usize)>);
        let sort = store.sort.get();
        let head = columns
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
                        <button class="sort" title="Sort by this column" on:click=move |_| super::query::sort_by(store, i)>
                            {c.clone()}
                        </button>
                    </th>
                }
            })
            .collect_view();
        // The pages in view follow the scrolling; missing ones are fetched.
        let follow = move |el: &web_sys::Element| {
            let top = el.scroll_top().max(0) as f64;
            let first_row = ((top / ROW_PX) as usize).min(total.saturating_sub(1));
            let last_row = (((top + el.client_height() as f64) / ROW_PX) as usize)
                .min(total.saturating_sub(1));
            let view = (first_row / PAGE, last_row / PAGE);
            if view != shown.get_untracked() {
                for page in view.0..=view.1 {
                    if pages.with_untracked(|p| p.get(page).is_some_and(Option::is_none)) {
                        fetch(query, page, pages);
                    }
                }
                shown.set(view);
            }
        };
        let on_scroll = move |ev: leptos::ev::Event| follow(&event_target::<web_sys::Element>(&ev));
        let on_click = move |ev: leptos::ev::MouseEvent| {
            // A test's name opens its page here (with a modifier key, the
            // browser opens the link as it would).
            if let Some(test) =
                super::hit(ev.target(), "a.test").and_then(|a| a.get_attribute("data-test"))
                && !(ev.ctrl_key() || ev.meta_key() || ev.shift_key())
            {
                ev.prevent_default();
                super::test_page::open(store, test);
                return;
            }
            let Some(td) = super::hit(ev.target(), "td")
                .and_then(|e| e.dyn_into::<web_sys::HtmlTableCellElement>().ok())
            else {
                return;
            };
            if let Some(row) = td
                .parent_element()
                .and_then(|tr| tr.get_attribute("data-row"))
                .and_then(|r| r.parse().ok())
            {
                selected.set(Some((row, td.cell_index().max(0) as usize)));
            }
        };
        // Arrow keys move the chosen cell, scrolling it into view.
        let on_key = move |ev: leptos::ev::KeyboardEvent| {
            let (row, col) = selected.get_untracked().unwrap_or((0, 0));
            let (row, col) = match ev.key().as_str() {
                "ArrowDown" => ((row + 1).min(total - 1), col),
                "ArrowUp" => (row.saturating_sub(1), col),
                "ArrowRight" => (row, (col + 1).min(width - 1)),
                "ArrowLeft" => (row, col.saturating_sub(1)),
                "Home" if ev.ctrl_key() => (0, col),
                "End" if ev.ctrl_key() => (total - 1, col),
                _ => return,
            };
            ev.prevent_default();
            selected.set(Some((row, col)));
            let el: web_sys::Element = event_target(&ev);
            let y = row as f64 * ROW_PX;
            let top = el.scroll_top() as f64;
            let room = el.client_height() as f64 - 2.0 * ROW_PX;
            if y < top || y > top + room {
                el.set_scroll_top((y - room / 2.0).max(0.0) as i32);
                follow(&el);
            }
        };
        let test_col = (store.schema() == Some(crate::protocol::SchemaKind::Greenboard))
            .then(|| columns.iter().position(|c| c == "test_name"))
            .flatten();
        let body = move || {
            pages.with(|p| body_html(p, shown.get(), total, width, selected.get(), test_col))
        };
        let label = format!("Answer: {} rows", fmt_count(total as u64));
        Some(view! {
            <SaveAs query=query/>
            <div class="table-wrap" tabindex="0" role="region" aria-label=label
                on:scroll=on_scroll on:click=on_click on:keydown=on_key>
                <table class="result" aria-rowcount=total + 1>
                    <thead><tr aria-rowindex="1">{head}</tr></thead>
                    <tbody inner_html=body></tbody>
                </table>
            </div>
            <Inspector query=query columns=columns pages=pages selected=selected/>
        })
    }
}

/// The chosen cell in full, and the copy buttons.
#[component]
fn Inspector(
    /// The answer's query (to copy every row).
    query: RequestId,
    /// Column names.
    columns: Vec<String>,
    /// The rows fetched.
    pages: Pages,
    /// The chosen cell: row and column.
    selected: RwSignal<Option<(usize, usize)>>,
) -> impl IntoView {
    let copied = RwSignal::new("");
    let copy_all = move |_| {
        bridge::send(
            |id| Request::Export {
                id,
                query,
                format: ExportFormat::Csv,
            },
            move |resp| {
                if let Response::Exported { text, .. } = resp {
                    copy(&text);
                    copied.set("Every row copied, as CSV.");
                }
            },
        );
    };
    move || {
        let (row, col) = selected.get()?;
        let cell = cell_at(pages, row, col)?;
        // Shown as HTML: control characters in text show as markers.
        let (kind, full) = match &cell {
            Cell::Null => ("NULL", String::new()),
            Cell::Integer(_) => ("integer", plain(&cell)),
            Cell::Real(_) => ("real", plain(&cell)),
            Cell::Text(t) => ("text", marked(t)),
            Cell::Blob(b) => (
                "blob",
                format!("{} bytes\n{}", fmt_count(b.len() as u64), hex(b, 1024)),
            ),
        };
        let chars = match &cell {
            Cell::Text(t) => format!(", {} characters", fmt_count(t.chars().count() as u64)),
            _ => String::new(),
        };
        let value = plain(&cell);
        let line = pages.with(|p| {
            p.get(row / PAGE)
                .and_then(|r| r.as_ref()?.get(row % PAGE))
                .map(|r| r.iter().map(plain).collect::<Vec<_>>().join("\t"))
                .unwrap_or_default()
        });
        Some(view! {
            <section class="inspector" aria-label="The chosen value" aria-live="polite">
                <p class="where">
                    {format!("Row {} · {} · {kind}{chars}", fmt_count(row as u64 + 1), columns.get(col).cloned().unwrap_or_default())}
                </p>
                <pre class="value" inner_html=full></pre>
                <p class="copy">
                    <button id="copy-value" on:click=move |_| { copy(&value); copied.set("Value copied."); }>"Copy value"</button>
                    <button id="copy-row" on:click=move |_| { copy(&line); copied.set("Row copied, tab-separated."); }>"Copy row"</button>
                    <button id="copy-all" on:click=copy_all>"Copy all rows (CSV)"</button>
                    <span class="copied" role="status">{move || copied.get()}</span>
                </p>
                <CompareRuns run=cell_at(pages, row, 0)/>
            </section>
        })
    }
}

/// On "Runs to compare": the chosen row's run, to compare from, then to;
/// the second choice runs "Run against run" on the two.
#[component]
fn CompareRuns(
    /// The chosen row's run id (its first column).
    run: Option<Cell>,
) -> impl IntoView {
    let store = expect_context::<Store>();
    let on_runs = store
        .preset
        .with_untracked(|p| p.as_deref() == Some("runs"));
    let run = run.and_then(|c| c.display()).filter(|_| on_runs)?;
    let compare = {
        let run = run.clone();
        move |_| match store.diff_base.get_untracked() {
            None => store.diff_base.set(Some(run.clone())),
            Some(base) => {
                store.diff_base.set(None);
                let Some(p) = store
                    .catalog
                    .with_untracked(|c| c.as_ref()?.find("run-diff-summary").cloned())
                else {
                    return;
                };
                store.sql.set(p.sql.clone());
                store.preset.set(Some(p.id.clone()));
                store.preset_title.set(Some(p.title.clone()));
                store.chart.set(p.chart.clone());
                store.params.set(vec![
                    ("base_run".to_string(), base),
                    ("head_run".to_string(), run.clone()),
                ]);
                super::query::run(store, p.sql);
            }
        }
    };
    let label = {
        let run = run.clone();
        move || match store.diff_base.get() {
            None => format!("Compare from run {run}"),
            Some(b) => format!("Compare run {b} with run {run}"),
        }
    };
    Some(view! {
        <p class="compare">
            <button id="compare-runs" on:click=compare>{label}</button>
            {move || store.diff_base.get().map(|b| view! {
                " " <span class="note">{format!("Run {b} chosen: choose the run to compare it with.")}</span>
                " " <button on:click=move |_| store.diff_base.set(None)>"Cancel"</button>
            })}
        </p>
    })
}

/// Saves a text or bytes as a file through the page's `#export-link` anchor (whose
/// address is then the file's blob URL).
const SAVE_JS: &str = "const a = document.getElementById('export-link');
if (a.href) URL.revokeObjectURL(a.href);
a.href = URL.createObjectURL(new Blob([text], { type: mime }));
a.download = name;
a.click();";

/// Offers `content` (text, or bytes as a `Uint8Array`) for download as a
/// file called `name`.
pub fn save_file(content: impl Into<wasm_bindgen::JsValue>, mime: &str, name: &str) {
    let f = js_sys::Function::new_with_args("text, mime, name", SAVE_JS);
    let _ = f.call3(
        &wasm_bindgen::JsValue::NULL,
        &content.into(),
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
