//! SVG chart components. Geometry comes from [`crate::chart`].

use leptos::prelude::*;

use crate::chart::{BarStyle, Datum, failure_bar_layout, fmt_num};

/// A horizontal bar chart of pass rates (percentages) drawn as the share
/// that failed, so that differences near 100 % show, each bar labelled
/// with its pass rate; with axis, a tooltip per bar, and an accessible
/// title and description.
#[component]
pub fn PercentBars(
    /// Heading and accessible name.
    title: &'static str,
    /// What the chart shows, for screen readers.
    description: String,
    /// The bars.
    data: Vec<Datum>,
    /// Called with a bar's label when it is clicked (or chosen with Enter).
    on_pick: Callback<String>,
) -> impl IntoView {
    let layout = failure_bar_layout(&data, style_for_screen());
    let id = title.to_ascii_lowercase().replace(' ', "-");
    let title_id = format!("{id}-title");
    let desc_id = format!("{id}-desc");
    let labelled = format!("{title_id} {desc_id}");
    let view_box = format!("0 0 {} {}", layout.width, layout.height + 16.0);
    let axis_y = layout.plot_bottom;
    let ticks = layout
        .ticks
        .iter()
        .map(|t| {
            view! {
                <g class="tick">
                    <line x1=t.x x2=t.x y1=layout.plot_top - 4.0 y2=axis_y + 4.0></line>
                    <text x=t.x y=axis_y + 18.0 text-anchor="middle">{t.text.clone()}</text>
                </g>
            }
        })
        .collect_view();
    let bars = layout
        .bars
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let mid = b.y + b.height / 2.0 + 4.0;
            // One stop of the Tab key for the chart: the arrows move on.
            let tab = if i == 0 { "0" } else { "-1" };
            let tip = if b.value.is_finite() {
                format!(
                    "{}: {}% passed, {}% failed",
                    b.label,
                    fmt_num(b.value),
                    fmt_num(100.0 - b.value)
                )
            } else {
                format!("{}: no data", b.label)
            };
            let label = format!("{tip}; Enter lists its failing tests");
            view! {
                <g class="bar" role="listitem" tabindex=tab aria-label=label data-x=b.label.clone()>
                    <title>{tip}</title>
                    <text class="label" x=b.x - 8.0 y=mid text-anchor="end">{crate::chart::shorten_middle(&b.label, if layout.width < 400.0 { 20 } else { 26 })}</text>
                    <rect x=b.x y=b.y width=b.width.max(0.0) height=b.height rx="2"></rect>
                    <text class="value" x=b.x + b.width + 6.0 y=mid>{b.value_text.clone()}</text>
                </g>
            }
        })
        .collect_view();
    // One handler for every bar: the bar is found from the element hit.
    let pick = move |target: Option<web_sys::EventTarget>| {
        if let Some(x) = super::hit(target, "[data-x]").and_then(|e| e.get_attribute("data-x")) {
            on_pick.run(x);
        }
    };
    view! {
        <figure class="chart">
            <figcaption>{title}</figcaption>
            <p class="chart-sub">"Bars show the share that failed: a bar twice as long fails twice as often."</p>
            <svg
                viewBox=view_box
                role="img"
                aria-labelledby=labelled
                preserveAspectRatio="xMinYMin meet"
                on:click=move |ev| pick(ev.target())
                on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                    if let Some(svg) = ev.current_target().and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
                        && super::rove::rove(&ev, &svg, ".bar")
                    {
                        return;
                    }
                    if ev.key() == "Enter" || ev.key() == " " {
                        ev.prevent_default();
                        pick(ev.target());
                    }
                }
            >
                <title id=title_id>{title}</title>
                <desc id=desc_id>{description}</desc>
                <g class="grid">{ticks}</g>
                <line class="axis" x1=layout.plot_left x2=layout.plot_right y1=axis_y y2=axis_y></line>
                <g role="list">{bars}</g>
                <text class="axis-title" x=(layout.plot_left + layout.plot_right) / 2.0 y=axis_y + 34.0 text-anchor="middle">
                    "Failed (% of results)"
                </text>
            </svg>
        </figure>
    }
}

/// Narrow screens get a narrower drawing, so that its text is not scaled down
/// to nothing.
fn style_for_screen() -> BarStyle {
    let width = web_sys::window()
        .and_then(|w| w.inner_width().ok())
        .and_then(|w| w.as_f64())
        .unwrap_or(1200.0);
    if width < 600.0 {
        BarStyle {
            width: 380.0,
            label_width: 150.0,
            right: 54.0,
            ..BarStyle::default()
        }
    } else {
        BarStyle::default()
    }
}
