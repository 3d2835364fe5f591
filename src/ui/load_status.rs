//! The load's status in the header: progress, then what was loaded, how
//! long it took and which statements failed.

use leptos::prelude::*;

use super::query_status::StopButton;
use super::{LoadState, Store, url};
use crate::chart::{fmt_count, fmt_fixed};
use crate::protocol::{Fetched, Kept, Opened, Remote};

/// Progress of the load, then what was loaded and how long it took, and any
/// statement that failed.
#[component]
pub fn LoadStatus() -> impl IntoView {
    let store = expect_context::<Store>();
    move || match store.load.get() {
        LoadState::Loading { url, progress } => {
            let (value, max, text) = match progress {
                None => ("0".to_string(), "1".to_string(), "starting…".to_string()),
                Some(p) => {
                    let total = p.bytes_total.filter(|t| *t >= p.bytes_received);
                    let text = format!(
                        "{}{} received · {} statements run",
                        fmt_bytes(p.bytes_received),
                        total
                            .map(|t| format!(" of {}", fmt_bytes(t)))
                            .unwrap_or_default(),
                        fmt_count(p.statements)
                    );
                    // Whole numbers, as text: no float formatting in the page.
                    match total {
                        Some(t) => (p.bytes_received.to_string(), t.max(1).to_string(), text),
                        None => ("0".to_string(), "1".to_string(), text),
                    }
                }
            };
            view! {
                <div class="status loading" role="status" aria-live="polite">
                    <span>"Loading " <code>{short_url(&url)}</code></span>
                    <progress max=max value=value aria-label="Load progress"></progress>
                    <span class="progress-text">{text}</span>
                    <StopButton/>
                </div>
            }
            .into_any()
        }
        LoadState::Loaded { url, summary } => {
            let problems = summary.failed.len() + summary.skipped.len();
            let list = summary
                .failed
                .iter()
                .map(|p| (p, "failed"))
                .chain(summary.skipped.iter().map(|p| (p, "skipped")))
                .map(|(p, what)| {
                    view! {
                        <li>
                            {format!("statement {} (line {}) {what}: ", p.statement, p.line)}
                            <strong>{p.reason.clone()}</strong>
                            " — "
                            <code>{p.excerpt.clone()}</code>
                        </li>
                    }
                })
                .collect_view();
            // Kept data opened as it was kept, not loaded now.
            let opened = match &summary.kept {
                Kept::Kept(info) if info.opened != Opened::Loaded => Some(info.clone()),
                _ => None,
            };
            let by_ranges = summary.remote.as_ref().filter(|r| r.by_ranges);
            let what = match &opened {
                None if by_ranges.is_some() => view! {
                    "Opened " <code>{short_url(&url)}</code>
                    {format!(" in {} ms", fmt_fixed(summary.elapsed_ms, 0))}
                }
                .into_any(),
                None => view! {
                    "Loaded " <code>{short_url(&url)}</code> ": "
                    {format!("{} statements, {} ", fmt_count(summary.statements), fmt_bytes(summary.bytes))}
                    "in " <strong class="load-time">{format!("{} ms", fmt_fixed(summary.elapsed_ms, 0))}</strong>
                    {(summary.translated > 0).then(|| format!(
                        " ({} translated from another SQL dialect)", fmt_count(summary.translated)
                    ))}
                }
                .into_any(),
                Some(info) => view! {
                    "Opened " <code>{short_url(&url)}</code>
                    {match info.opened {
                        Opened::Unreachable(_) => format!(" ({})", fmt_bytes(summary.bytes)),
                        _ => format!(
                            ", kept in this browser on {} ({}),",
                            fmt_date(info.loaded_at),
                            fmt_bytes(summary.bytes)
                        ),
                    }}
                    {format!(" in {} ms", fmt_fixed(summary.elapsed_ms, 0))}
                }
                .into_any(),
            };
            let (note, why) = kept_note(&summary.kept);
            view! {
                <div class="status loaded" role="status" aria-live="polite">
                    <span>
                        {what}
                        {store.changed.get().then_some(" · changed since, by queries")}
                        <span class="kept-note" title=why>{note}</span>
                        {summary.in_place.then_some(
                            " · read in place from this browser's storage (too large to hold in memory)"
                        )}
                        <span class="remote-note" title=summary.remote.as_ref().and_then(|r| r.unreachable.clone())>
                            {summary.remote.as_deref().map(remote_note)}
                        </span>
                    </span>
                    {(problems > 0).then(|| view! {
                        <details class="problems" open>
                            <summary>{format!("{problems} statements failed or were skipped")}</summary>
                            <ul>{list}</ul>
                        </details>
                    })}
                </div>
            }
            .into_any()
        }
        LoadState::Failed { url, error } => {
            let still = store.loaded.with(|l| l.as_ref().map(|(u, _)| short_url(u)));
            // Stopped (no error), failed, or (no name) what the address names is gone.
            let what = match (url.is_empty(), error.is_empty()) {
                (true, _) => view! { {error} }.into_any(),
                (false, true) => {
                    view! { "Stopped loading " <code>{short_url(&url)}</code> "." }.into_any()
                }
                (false, false) => {
                    view! { "Could not load " <code>{short_url(&url)}</code> ": " {error} }
                        .into_any()
                }
            };
            view! {
                <div class="status failed" role="alert">
                    // One flex item: the words wrap as a sentence.
                    <span>{what}</span>
                    {still.map(|u| view! { <span class="still">" — still loaded: " <code>{u}</code></span> })}
                </div>
            }
            .into_any()
        }
    }
}

thread_local! {
    /// The latest news of what reading a file by ranges has cost.
    static LATEST: std::cell::Cell<Fetched> = std::cell::Cell::new(Fetched::default());
}

/// How the database file `r` is read: by ranges, with what it has cost so
/// far (the latest news of its opening), or downloaded whole and why.
fn remote_note(r: &Remote) -> String {
    if !r.by_ranges {
        return format!(" · downloaded whole: {}", r.why_whole);
    }
    let latest = LATEST.get();
    let f = if latest.opened == r.fetched.opened && latest.requests >= r.fetched.requests {
        latest
    } else {
        r.fetched
    };
    if r.unreachable.is_some() {
        return format!(
            " · its address could not be reached, so it is read from the pages kept in this \
             browser alone ({} read so far); a query that needs others fails until the address \
             answers again",
            fmt_bytes(f.kept)
        );
    }
    let kept = match &r.not_kept {
        Some(why) => format!(" (not kept in this browser: {why})"),
        None if f.kept > 0 => format!(
            "; {} read from the pages kept in this browser",
            fmt_bytes(f.kept)
        ),
        None => ", kept in this browser for the next visit".into(),
    };
    format!(
        " · read over HTTP as queries need it: {} of {} fetched in {} request{}{kept}",
        fmt_bytes(f.bytes),
        fmt_bytes(r.size),
        fmt_count(f.requests),
        if f.requests == 1 { "" } else { "s" }
    )
}

/// Takes the worker's news of what reading has cost: the status line says
/// it at once, and nothing else on the page is drawn again.
pub fn fetched_news(store: Store, now: Fetched) {
    LATEST.set(now);
    let note = store.load.with_untracked(|l| match l {
        LoadState::Loaded { summary, .. } => summary.remote.as_deref().map(remote_note),
        _ => None,
    });
    if let (Some(note), Some(span)) = (
        note,
        web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.query_selector(".remote-note").ok().flatten()),
    ) {
        span.set_text_content(Some(&note));
    }
}

/// Whether the data is kept in the browser, and how this load got it; and
/// why its address could not be reached, if it could not.
fn kept_note(kept: &Kept) -> (Option<String>, Option<String>) {
    match kept {
        Kept::NotKept(why) => (Some(format!(" · in this page's memory only: {why}")), None),
        Kept::NotApplicable => (None, None),
        Kept::Kept(info) => match &info.opened {
            Opened::Loaded => (Some(" · kept in this browser".to_string()), None),
            Opened::Unchanged => (Some(" · unchanged at its address".to_string()), None),
            Opened::Reopened => (None, None),
            Opened::Unreachable(why) => (
                Some(format!(
                    " · its address could not be reached, so this is the copy kept in this browser on {}",
                    fmt_date(info.loaded_at)
                )),
                Some(why.clone()),
            ),
        },
    }
}

/// A time in milliseconds since 1970, as the browser writes local dates.
pub fn fmt_date(ms: f64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
    String::from(date.to_locale_string("default", &wasm_bindgen::JsValue::UNDEFINED))
}

/// `n` bytes in B (under 1 KB), KB, MB or GB.
pub fn fmt_bytes(n: u64) -> String {
    if n >= 1 << 30 {
        format!("{} GB", fmt_fixed(n as f64 / (1u64 << 30) as f64, 1))
    } else if n >= 1 << 20 {
        format!("{} MB", fmt_fixed(n as f64 / (1u64 << 20) as f64, 1))
    } else if n >= 1024 {
        format!("{} KB", fmt_fixed(n as f64 / 1024.0, 0))
    } else {
        format!("{n} B")
    }
}

/// `url` without this site's origin.
fn short_url(url: &str) -> String {
    let origin = url::origin();
    url.strip_prefix(&origin).unwrap_or(url).to_string()
}
