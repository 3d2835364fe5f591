//! Draws a chart of a query result as a standalone SVG document: bars
//! (grouped or stacked), lines, points or a heatmap, with axes, a legend,
//! a tooltip on every mark, and an accessible title and description.
//!
//! The page shows this SVG and the command line writes it to a file, so
//! both draw the same chart. Every value from the data is escaped.
//!
//! Colours come from the Okabe–Ito palette (told apart with the common
//! colour-vision deficiencies) and heatmaps use a viridis-like ramp; values
//! are never carried by colour alone: each mark has a tooltip, heatmap cells
//! print their value, and series are named in a legend.

use std::fmt::Write as _;

use super::aggregate::{Aggregated, Mark, aggregate_most};
use super::spec::{Kind, Spec, SpecError};
use super::{Linear, fmt_num};
use crate::protocol::Cell;

/// Okabe–Ito's colours (black replaced by a grey readable on both themes).
pub const PALETTE: [&str; 8] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#8C8C8C",
];

/// The viridis ramp, sampled.
const RAMP: [(f64, f64, f64); 5] = [
    (68.0, 1.0, 84.0),
    (59.0, 82.0, 139.0),
    (33.0, 145.0, 140.0),
    (94.0, 201.0, 98.0),
    (253.0, 231.0, 37.0),
];

/// A coordinate, written rounded to a tenth of a pixel (by rounding the
/// number and writing its shortest form, which keeps float formatting with
/// a precision out of the module).
#[derive(Debug, Clone, Copy)]
struct P(f64);

impl std::fmt::Display for P {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let v = (self.0 * 10.0).round() / 10.0;
        if v == 0.0 {
            f.write_str("0")
        } else {
            write!(f, "{v}")
        }
    }
}

/// Size and naming of a drawing.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Width in pixels (the drawing scales with its container).
    pub width: f64,
    /// Height in pixels.
    pub height: f64,
    /// The chart's title (its accessible name).
    pub title: String,
    /// Prefix of the element ids, unique in the page.
    pub id: String,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            width: 720.0,
            height: 400.0,
            title: "Chart".into(),
            id: "chart".into(),
        }
    }
}

/// A drawn chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Drawing {
    /// The SVG document.
    pub svg: String,
    /// How many marks (bars, points, cells) it has: one per value drawn.
    pub marks: usize,
    /// The description read by screen readers.
    pub description: String,
    /// What the aggregation did, when a mark stands for several rows.
    pub note: Option<String>,
}

/// A scale's domain widened to nice round ends, and its ticks.
pub fn nice_domain(lo: f64, hi: f64, count: usize) -> (f64, f64, Vec<f64>) {
    let (lo, hi) = if hi > lo {
        (lo, hi)
    } else if lo == 0.0 {
        (0.0, 1.0)
    } else {
        let pad = lo.abs() * 0.05;
        (lo - pad, hi + pad)
    };
    let ticks = super::nice_ticks(lo, hi, count);
    let step = match ticks.as_slice() {
        [a, b, ..] => b - a,
        _ => (hi - lo) / count.max(1) as f64,
    };
    let lo = (lo / step).floor() * step;
    let hi = (hi / step).ceil() * step;
    (lo, hi, super::nice_ticks(lo, hi, count))
}

/// Escapes text for SVG content: control characters (which XML does not
/// allow, or collapses into spaces) show as their markers, `␍` for a
/// carriage return.
pub fn escape(s: &str) -> String {
    super::escape_html(&super::mark_controls(s))
}

/// Escapes a value for an SVG attribute that must keep it exactly (what a
/// mark stands for, read back for its drill-down): tabs and line breaks
/// as numeric references, which attribute parsing keeps as they are; the
/// other control characters, which XML cannot hold, as their markers.
pub fn escape_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\t' | '\n' | '\r' => {
                let _ = write!(out, "&#{};", u32::from(c));
            }
            c => super::push_escaped(&mut out, super::control_marker(c).map_or(c, |(m, _)| m)),
        }
    }
    out
}

/// A label's text, shortened in the middle to `max` characters, with the
/// whole of it as its tooltip when it was shortened.
fn label_text(s: &str, max: usize) -> String {
    let short = super::shorten_middle(s, max);
    if short == s {
        escape(s)
    } else {
        format!("<title>{}</title>{}", escape(s), escape(&short))
    }
}

/// The colour of series `i`.
pub fn colour(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

/// The ramp's colour at `t` in 0..=1, and whether text on it should be dark.
pub fn ramp(t: f64) -> (String, bool) {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let pos = t * (RAMP.len() - 1) as f64;
    let i = (pos.floor() as usize).min(RAMP.len() - 2);
    let f = pos - i as f64;
    let (a, b) = (RAMP[i], RAMP[i + 1]);
    let mix = |p: f64, q: f64| (p + (q - p) * f).round();
    let (r, g, bl) = (mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2));
    let luminance = 0.2126 * r + 0.7152 * g + 0.0722 * bl;
    (
        format!("#{:02x}{:02x}{:02x}", r as u8, g as u8, bl as u8),
        luminance > 140.0,
    )
}

fn is_main(series: &str) -> bool {
    matches!(series, "main" | "master" | "trunk")
}

/// The characters of an x label at most (longer ones are shortened in
/// the middle).
const LABEL_CHARS: usize = 26;

/// Series drawn at most; beyond, the smallest are drawn as one.
const MOST_SERIES: usize = 12;
/// Marks drawn at most: a page stays quick with a few thousand SVG
/// elements, not with tens of thousands.
const MOST_MARKS: usize = 5000;
/// Points along lines drawn as dots at most (the lines are drawn whatever
/// their length).
const MOST_DOTS: usize = 2000;
/// Cells across and down when a scatter plot's points are binned.
const BINS: (usize, usize) = (60, 36);

/// Draws `spec` over a result.
pub fn render(
    spec: &Spec,
    columns: &[String],
    rows: &[Vec<Cell>],
    opts: &Options,
) -> Result<Drawing, SpecError> {
    if spec.kind == Kind::Strip {
        return super::strip::render(spec, columns, rows, opts);
    }
    let t = aggregate_most(spec, columns, rows, MOST_SERIES)?;
    if matches!(spec.kind, Kind::Bar | Kind::StackedBar | Kind::Heatmap)
        && t.marks.len() > MOST_MARKS
    {
        return Err(SpecError::TooMany(t.marks.len(), spec.x.clone()));
    }
    let mut notes: Vec<String> = t.note().into_iter().collect();
    let mut body = String::new();
    let legend_w = if t.series.len() > 1 && spec.kind != Kind::Heatmap {
        150.0
    } else {
        0.0
    };
    let long_x = t.xs.iter().map(|x| x.chars().count()).max().unwrap_or(0);
    let rotate = spec.kind != Kind::Scatter && t.xs.len() > 6 || long_x > 14;
    let left = if spec.kind == Kind::Heatmap {
        8.0 + 7.0
            * t.series
                .iter()
                .map(|s| s.chars().count().min(24))
                .max()
                .unwrap_or(4) as f64
    } else {
        60.0
    };
    let (top, right) = (36.0, 16.0 + legend_w);
    let bottom = if rotate { 112.0 } else { 48.0 };
    let (x0, x1) = (left, opts.width - right);
    let (y0, y1) = (opts.height - bottom, top);
    let mut marks = 0;
    let values: Vec<f64> = t
        .marks
        .values()
        .map(|m| m.value)
        .filter(|v| v.is_finite())
        .collect();
    let (lo, hi) = if spec.kind == Kind::Scatter {
        t.points
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
                (a.min(p.1), b.max(p.1))
            })
    } else {
        values
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(*v), b.max(*v))
            })
    };

    // The value axis.
    let y_axis = |body: &mut String, lo: f64, hi: f64| -> Linear {
        let (dlo, dhi, ticks) = nice_domain(lo, hi, 5);
        let scale = Linear {
            domain: (dlo, dhi),
            range: (y0, y1),
        };
        body.push_str("<g class=\"grid\">");
        for v in ticks {
            let y = P(scale.map(v));
            let _ = write!(
                body,
                "<line x1=\"{x0}\" x2=\"{x1}\" y1=\"{y}\" y2=\"{y}\"/><text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
                x0 - 6.0,
                P(y.0 + 4.0),
                fmt_num(v)
            );
        }
        body.push_str("</g>");
        let _ = write!(
            body,
            "<text class=\"axis-title\" transform=\"translate(14 {}) rotate(-90)\" text-anchor=\"middle\">{}</text>",
            P((y0 + y1) / 2.0),
            escape(&spec.y)
        );
        scale
    };
    // Category labels along x, centred on each band.
    let x_labels = |body: &mut String, centres: &[f64]| {
        // Rotated labels need a line's height apart; level ones their width.
        let spacing = match centres {
            [a, b, ..] => b - a,
            _ => f64::INFINITY,
        };
        let room = if rotate {
            13.0
        } else {
            7.0 * long_x.min(LABEL_CHARS) as f64
        };
        let every = super::thin(centres.len(), spacing, room);
        for (i, (x, c)) in t.xs.iter().zip(centres).enumerate() {
            if i % every != 0 {
                continue;
            }
            let c = P(*c);
            let text = label_text(x, LABEL_CHARS);
            if rotate {
                let _ = write!(
                    body,
                    "<text class=\"tick\" x=\"{c}\" y=\"{}\" text-anchor=\"end\" transform=\"rotate(-40 {c} {})\">{text}</text>",
                    y0 + 14.0,
                    y0 + 14.0
                );
            } else {
                let _ = write!(
                    body,
                    "<text class=\"tick\" x=\"{c}\" y=\"{}\" text-anchor=\"middle\">{text}</text>",
                    y0 + 18.0
                );
            }
        }
    };
    let band = (x1 - x0) / t.xs.len().max(1) as f64;
    let centres: Vec<f64> = (0..t.xs.len())
        .map(|i| x0 + band * (i as f64 + 0.5))
        .collect();
    let tip = |x: &str, s: usize, m: &Mark| {
        if t.series.len() > 1 || spec.series.is_some() {
            escape(&format!("{x} · {}: {}", t.series[s], t.explain(m)))
        } else {
            escape(&format!("{x}: {}", t.explain(m)))
        }
    };

    // What a mark stands for, for a drill-down: its x and series values.
    // The marks are one stop of the Tab key, the first; the arrow keys
    // move among them (the page's doing).
    let first = std::cell::Cell::new(true);
    let data = |x: &str, s: usize| {
        let mut d = format!(" data-x=\"{}\"", escape_attr(x));
        if spec.series.is_some() {
            let _ = write!(d, " data-series=\"{}\"", escape_attr(&t.series[s]));
        }
        let tab = if first.replace(false) { "0" } else { "-1" };
        let _ = write!(d, " tabindex=\"{tab}\"");
        d
    };

    match spec.kind {
        // Drawn by its own module, above.
        Kind::Strip => {}
        Kind::Bar | Kind::StackedBar => {
            let stacked = spec.kind == Kind::StackedBar;
            let (lo, hi) = if stacked {
                // Positive values stack up, negative ones down.
                let mut up = vec![0.0f64; t.xs.len()];
                let mut down = vec![0.0f64; t.xs.len()];
                for ((xi, _), m) in &t.marks {
                    if m.value >= 0.0 {
                        up[*xi] += m.value;
                    } else if m.value < 0.0 {
                        down[*xi] += m.value;
                    }
                }
                let hi = up.iter().copied().fold(0.0, f64::max);
                let lo = down.iter().copied().fold(0.0, f64::min);
                (lo, hi)
            } else {
                (lo.min(0.0), hi.max(0.0))
            };
            let scale = y_axis(&mut body, lo, if hi.is_finite() { hi } else { 1.0 });
            let zero = scale.map(0.0);
            let n = t.series.len().max(1);
            let inner = band * 0.8;
            let width = if stacked { inner } else { inner / n as f64 };
            let mut up = vec![0.0f64; t.xs.len()];
            let mut down = vec![0.0f64; t.xs.len()];
            body.push_str("<g class=\"marks\">");
            for (xi, x) in t.xs.iter().enumerate() {
                for si in 0..t.series.len() {
                    let Some(m) = t.marks.get(&(xi, si)) else {
                        continue;
                    };
                    let v = m.value;
                    if !v.is_finite() {
                        continue;
                    }
                    let left =
                        centres[xi] - inner / 2.0 + if stacked { 0.0 } else { width * si as f64 };
                    let (a, b) = if stacked {
                        let base = if v >= 0.0 { &mut up[xi] } else { &mut down[xi] };
                        let from = *base;
                        *base += v;
                        (scale.map(from), scale.map(*base))
                    } else {
                        (zero, scale.map(v))
                    };
                    let (left, y, h) = (P(left), P(a.min(b)), P((a - b).abs()));
                    let _ = write!(
                        body,
                        "<rect class=\"mark\"{} x=\"{left}\" y=\"{y}\" width=\"{}\" height=\"{h}\" fill=\"{}\"><title>{}</title></rect>",
                        data(x, si),
                        P((width - 1.0).max(1.0)),
                        colour(si),
                        tip(x, si, m)
                    );
                    marks += 1;
                }
            }
            body.push_str("</g>");
            x_labels(&mut body, &centres);
        }
        Kind::Line => {
            let scale = y_axis(&mut body, lo, hi);
            body.push_str("<g class=\"marks\">");
            let dots = t.marks.len() <= MOST_DOTS;
            if !dots {
                notes.push(format!(
                    "{} points: drawn as lines, without a dot each",
                    t.marks.len()
                ));
                marks += t.marks.len();
            }
            // The main branch last, on top.
            let mut order: Vec<usize> = (0..t.series.len()).collect();
            order.sort_by_key(|&s| is_main(&t.series[s]));
            for si in order {
                let main = is_main(&t.series[si]);
                let points: Vec<(usize, Mark)> = (0..t.xs.len())
                    .filter_map(|xi| t.marks.get(&(xi, si)).map(|m| (xi, *m)))
                    .filter(|(_, m)| m.value.is_finite())
                    .collect();
                let path: Vec<String> = points
                    .iter()
                    .map(|(xi, m)| format!("{},{}", P(centres[*xi]), P(scale.map(m.value))))
                    .collect();
                let _ = write!(
                    body,
                    "<polyline class=\"line{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{}\" points=\"{}\"/>",
                    if main { " highlight" } else { "" },
                    colour(si),
                    if main { 3.5 } else { 1.75 },
                    path.join(" ")
                );
                for (xi, m) in points.into_iter().filter(|_| dots) {
                    let _ = write!(
                        body,
                        "<circle class=\"mark\"{} cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{}\"><title>{}</title></circle>",
                        data(&t.xs[xi], si),
                        P(centres[xi]),
                        P(scale.map(m.value)),
                        if main { 3.5 } else { 2.5 },
                        colour(si),
                        tip(&t.xs[xi], si, &m)
                    );
                    marks += 1;
                }
            }
            body.push_str("</g>");
            // Not every label fits under a long x axis.
            let every = (t.xs.len() / 24).max(1);
            let mut shown = centres.clone();
            for (i, c) in shown.iter_mut().enumerate() {
                if i % every != 0 {
                    *c = f64::NAN;
                }
            }
            let kept: Vec<(String, f64)> =
                t.xs.iter()
                    .cloned()
                    .zip(shown)
                    .filter(|(_, c)| c.is_finite())
                    .collect();
            for (x, c) in kept {
                let c = P(c);
                let _ = write!(
                    body,
                    "<text class=\"tick\" x=\"{c}\" y=\"{}\" text-anchor=\"end\" transform=\"rotate(-40 {c} {})\">{}</text>",
                    y0 + 14.0,
                    y0 + 14.0,
                    label_text(&x, LABEL_CHARS)
                );
            }
        }
        Kind::Scatter => {
            let scale = y_axis(&mut body, lo, hi);
            let (xlo, xhi) = t
                .points
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
                    (a.min(p.0), b.max(p.0))
                });
            let (dlo, dhi, ticks) = if xlo.is_finite() {
                nice_domain(xlo, xhi, 6)
            } else {
                (0.0, 1.0, vec![0.0, 1.0])
            };
            let xs = Linear {
                domain: (dlo, dhi),
                range: (x0, x1),
            };
            for v in ticks {
                let _ = write!(
                    body,
                    "<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                    P(xs.map(v)),
                    y0 + 18.0,
                    fmt_num(v)
                );
            }
            body.push_str("<g class=\"marks\">");
            if t.points.len() > MOST_MARKS {
                marks += bin_points(&mut body, &t.points, xs, scale);
                notes.push(format!(
                    "{} points, binned into {marks} cells: the darker, the more points",
                    t.points.len()
                ));
            }
            for &(x, y, si) in t.points.iter().filter(|_| t.points.len() <= MOST_MARKS) {
                let _ = write!(
                    body,
                    "<circle class=\"mark\"{} cx=\"{}\" cy=\"{}\" r=\"3\" fill=\"{}\" fill-opacity=\"0.75\"><title>{}</title></circle>",
                    data(&fmt_num(x), si),
                    P(xs.map(x)),
                    P(scale.map(y)),
                    colour(si),
                    tip(&fmt_num(x), si, &Mark { value: y, rows: 1 })
                );
                marks += 1;
            }
            body.push_str("</g>");
        }
        Kind::Heatmap => {
            let rows_n = t.series.len().max(1);
            let cell_h = (y0 - y1) / rows_n as f64;
            let span = if hi > lo { hi - lo } else { 1.0 };
            body.push_str("<g class=\"marks\">");
            for (si, s) in t.series.iter().enumerate() {
                let y = y1 + cell_h * si as f64;
                let _ = write!(
                    body,
                    "<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
                    x0 - 6.0,
                    P(y + cell_h / 2.0 + 4.0),
                    label_text(s, 24)
                );
                for (xi, x) in t.xs.iter().enumerate() {
                    let Some(m) = t.marks.get(&(xi, si)) else {
                        continue;
                    };
                    let v = m.value;
                    if !v.is_finite() {
                        continue;
                    }
                    let (fill, dark_text) = ramp((v - lo) / span);
                    let cx = P(x0 + band * xi as f64);
                    let y = P(y);
                    let _ = write!(
                        body,
                        "<g class=\"mark\"{}><title>{}</title><rect x=\"{cx}\" y=\"{y}\" width=\"{}\" height=\"{}\" fill=\"{fill}\"/>",
                        data(x, si),
                        escape(&format!("{x} · {s}: {}", t.explain(m))),
                        P((band - 2.0).max(1.0)),
                        P((cell_h - 2.0).max(1.0))
                    );
                    if band >= 28.0 && cell_h >= 14.0 {
                        let _ = write!(
                            body,
                            "<text class=\"cell-value\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{}\">{}</text>",
                            P(cx.0 + band / 2.0 - 1.0),
                            P(y.0 + cell_h / 2.0 + 3.0),
                            if dark_text { "#111" } else { "#fff" },
                            fmt_num(v)
                        );
                    }
                    body.push_str("</g>");
                    marks += 1;
                }
            }
            body.push_str("</g>");
            x_labels(&mut body, &centres);
            // The colour scale.
            if !values.is_empty() {
                let _ = write!(
                    body,
                    "<g class=\"legend\" transform=\"translate({} 10)\"><text class=\"tick\" x=\"-128\" y=\"12\" text-anchor=\"end\">{}</text>",
                    P(x1 - 56.0),
                    fmt_num(lo)
                );
                for i in 0..10 {
                    let (fill, _) = ramp(i as f64 / 9.0);
                    let _ = write!(
                        body,
                        "<rect x=\"{}\" y=\"2\" width=\"12\" height=\"12\" fill=\"{fill}\"/>",
                        -124.0 + 12.0 * i as f64
                    );
                }
                let _ = write!(
                    body,
                    "<text class=\"tick\" x=\"0\" y=\"12\" text-anchor=\"start\" dx=\"2\">{}</text></g>",
                    fmt_num(hi)
                );
            }
        }
    }

    // Axes and legend.
    let _ = write!(
        body,
        "<line class=\"axis\" x1=\"{x0}\" x2=\"{x1}\" y1=\"{y0}\" y2=\"{y0}\"/><text class=\"axis-title\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
        P((x0 + x1) / 2.0),
        opts.height - 6.0,
        escape(&spec.x)
    );
    if legend_w > 0.0 {
        let _ = write!(
            body,
            "<g class=\"legend\" transform=\"translate({} {top})\">",
            x1 + 14.0
        );
        for (si, s) in t.series.iter().enumerate().take(16) {
            let y = 18.0 * si as f64;
            let _ = write!(
                body,
                "<rect x=\"0\" y=\"{y}\" width=\"12\" height=\"12\" fill=\"{}\"/><text class=\"tick{}\" x=\"18\" y=\"{}\">{}</text>",
                colour(si),
                if is_main(s) { " highlight" } else { "" },
                y + 10.0,
                label_text(s, 18)
            );
        }
        if t.series.len() > 16 {
            let _ = write!(
                body,
                "<text class=\"tick\" x=\"0\" y=\"{}\">and {} more</text>",
                18.0 * 16.0 + 10.0,
                t.series.len() - 16
            );
        }
        body.push_str("</g>");
    }

    let mut description = describe(spec, &t, marks, lo, hi);
    for note in notes.iter().skip(usize::from(t.note().is_some())) {
        let _ = write!(
            description,
            " {}{}.",
            note[..1].to_ascii_uppercase(),
            &note[1..]
        );
    }
    Ok(document(
        spec.kind.name(),
        (opts.width, opts.height),
        x0,
        opts,
        &body,
        marks,
        description,
        notes,
    ))
}

/// The drawing: `body` in a standalone SVG document of `size` with the
/// chart's accessible title and description, its title written at
/// `title_x`; `notes` say what the drawing left out or combined.
#[allow(clippy::too_many_arguments)]
pub(super) fn document(
    kind: &str,
    (w, h): (f64, f64),
    title_x: f64,
    opts: &Options,
    body: &str,
    marks: usize,
    description: String,
    notes: Vec<String>,
) -> Drawing {
    let id = escape(&opts.id);
    let svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart-svg {kind}\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" font-family=\"system-ui, sans-serif\" font-size=\"12\">\
<title id=\"{id}-title\">{title}</title><desc id=\"{id}-desc\">{desc}</desc>\
<style>.grid line{{stroke:#8884;}}.tick,.axis-title{{fill:currentColor;}}.axis{{stroke:currentColor;}}.axis-title{{font-weight:600;}}.highlight{{font-weight:700;}}</style>\
<text class=\"axis-title\" x=\"{title_x}\" y=\"20\">{title}</text>{body}</svg>",
        title = escape(&opts.title),
        desc = escape(&description),
    );
    Drawing {
        svg,
        marks,
        description,
        note: (!notes.is_empty()).then(|| notes.join("; ")),
    }
}

/// Draws `points` as a grid of cells shaded by how many fall in each;
/// gives the cells drawn.
fn bin_points(body: &mut String, points: &[(f64, f64, usize)], xs: Linear, ys: Linear) -> usize {
    let (across, down) = BINS;
    let mut counts = vec![0usize; across * down];
    let (x0, x1) = xs.range;
    let (y0, y1) = ys.range;
    let (w, h) = ((x1 - x0) / across as f64, (y0 - y1) / down as f64);
    for &(x, y, _) in points {
        let i = (((xs.map(x) - x0) / w) as usize).min(across - 1);
        let j = (((y0 - ys.map(y)) / h) as usize).min(down - 1);
        counts[j * across + i] += 1;
    }
    let most = counts.iter().copied().max().unwrap_or(1).max(1) as f64;
    let mut cells = 0;
    for (k, &n) in counts.iter().enumerate().filter(|(_, n)| **n > 0) {
        let (i, j) = (k % across, k / across);
        let _ = write!(
            body,
            "<rect class=\"mark bin\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" fill-opacity=\"{}\"><title>{n} points</title></rect>",
            P(x0 + w * i as f64),
            P(y0 - h * (j + 1) as f64),
            P(w),
            P(h),
            colour(0),
            P(0.15 + 0.85 * (n as f64 / most).sqrt())
        );
        cells += 1;
    }
    cells
}

fn describe(spec: &Spec, t: &Aggregated, marks: usize, lo: f64, hi: f64) -> String {
    let mut d = format!("{} chart of {} by {}", spec.kind.label(), spec.y, spec.x);
    if let Some(s) = &spec.series {
        let _ = write!(d, " and {s} ({} series)", t.series.len());
    }
    let _ = write!(d, ": {marks} values");
    if lo.is_finite() {
        let _ = write!(d, " from {} to {}", fmt_num(lo), fmt_num(hi));
    }
    d.push('.');
    if let Some(note) = t.note() {
        let _ = write!(d, " {}{}.", note[..1].to_ascii_uppercase(), &note[1..]);
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    fn t(s: &str) -> Cell {
        Cell::Text(s.into())
    }

    #[test]
    fn domains_are_nice_and_cover_the_data() {
        assert_eq!(nice_domain(0.0, 97.0, 5).0, 0.0);
        assert_eq!(nice_domain(0.0, 97.0, 5).1, 100.0);
        let (lo, hi, ticks) = nice_domain(38.5, 41.2, 5);
        assert!(lo <= 38.5 && hi >= 41.2 && hi - lo < 10.0, "{lo} {hi}");
        assert_eq!(ticks.first(), Some(&lo));
        assert_eq!(ticks.last(), Some(&hi));
        let (lo, hi, _) = nice_domain(5.0, 5.0, 5);
        assert!(lo < 5.0 && hi > 5.0);
    }

    #[test]
    fn a_grouped_bar_chart_has_a_mark_per_value() {
        let spec: Spec = "bar:x=branch,y=rate,series=platform".parse().unwrap();
        let rows = vec![
            vec![t("main"), t("linux"), Cell::Real(99.0)],
            vec![t("main"), t("windows"), Cell::Real(40.0)],
            vec![t("dev"), t("linux"), Cell::Null],
            vec![t("dev"), t("windows"), Cell::Integer(70)],
        ];
        let d = render(
            &spec,
            &cols(&["branch", "platform", "rate"]),
            &rows,
            &Options::default(),
        )
        .unwrap();
        assert_eq!(d.marks, 3);
        assert_eq!(d.svg.matches("class=\"mark\"").count(), 3);
        assert!(d.svg.contains("<title>main · windows: 40</title>"));
        // Each mark says what it stands for, for a drill-down.
        assert!(
            d.svg
                .contains("class=\"mark\" data-x=\"main\" data-series=\"windows\"")
        );
        assert!(d.svg.contains("role=\"img\""));
        assert_eq!(
            d.description,
            "Bar chart of rate by branch and platform (2 series): 3 values from 40 to 99."
        );
        // The legend names both series.
        assert!(d.svg.contains(">linux</text>") && d.svg.contains(">windows</text>"));
    }

    #[test]
    fn a_line_chart_fits_its_axis_to_the_data_and_highlights_main() {
        let spec: Spec = "line:x=week,y=rate,series=branch".parse().unwrap();
        let rows = vec![
            vec![t("2026-06-01"), t("dev"), Cell::Real(40.0)],
            vec![t("2026-06-01"), t("main"), Cell::Real(42.0)],
            vec![t("2026-06-08"), t("main"), Cell::Real(44.0)],
        ];
        let d = render(
            &spec,
            &cols(&["week", "branch", "rate"]),
            &rows,
            &Options::default(),
        )
        .unwrap();
        assert_eq!(d.marks, 3);
        assert_eq!(d.svg.matches("<polyline").count(), 2);
        assert!(d.svg.contains("class=\"line highlight\""));
        // The axis starts near the data, not at 0: its lowest tick is 40.
        assert!(d.svg.contains(">40</text>"));
        assert!(!d.svg.contains(">0</text>"));
    }

    #[test]
    fn stacked_bars_stack_and_heatmap_cells_print_their_values() {
        let rows = vec![
            vec![t("a"), t("pass"), Cell::Integer(3)],
            vec![t("a"), t("fail"), Cell::Integer(1)],
            vec![t("b"), t("pass"), Cell::Integer(2)],
        ];
        let columns = cols(&["suite", "outcome", "n"]);
        let stacked: Spec = "stacked:x=suite,y=n,series=outcome".parse().unwrap();
        let d = render(&stacked, &columns, &rows, &Options::default()).unwrap();
        assert_eq!(d.marks, 3);
        // The stack of `a` reaches 4: the axis goes at least that far.
        assert!(d.svg.contains(">4</text>"));
        let heat: Spec = "heatmap:x=suite,y=n,series=outcome".parse().unwrap();
        let d = render(&heat, &columns, &rows, &Options::default()).unwrap();
        assert_eq!(d.marks, 3);
        assert_eq!(d.svg.matches("class=\"cell-value\"").count(), 3);
        assert!(d.svg.contains("<title>a · fail: 1</title>"));
    }

    #[test]
    fn data_is_escaped_and_scatter_uses_numbers() {
        let spec: Spec = "scatter:x=ms,y=runs".parse().unwrap();
        let rows = vec![
            vec![Cell::Integer(10), Cell::Integer(2)],
            vec![Cell::Real(25.5), Cell::Integer(7)],
        ];
        let d = render(&spec, &cols(&["ms", "runs"]), &rows, &Options::default()).unwrap();
        assert_eq!(d.marks, 2);
        let spec: Spec = "bar:x=name,y=n".parse().unwrap();
        let rows = vec![vec![t("<script>alert(1)</script>"), Cell::Integer(1)]];
        let opts = Options {
            title: "a \"quoted\" <title>".into(),
            ..Options::default()
        };
        let d = render(&spec, &cols(&["name", "n"]), &rows, &opts).unwrap();
        assert!(!d.svg.contains("<script>"));
        assert!(d.svg.contains("&lt;script&gt;"));
        assert!(d.svg.contains("a &quot;quoted&quot; &lt;title&gt;"));
        assert_eq!(ramp(0.0).0, "#440154");
        assert_eq!(ramp(1.0), ("#fde725".to_string(), true));
    }

    #[test]
    fn control_characters_are_marked_in_labels_and_kept_for_the_drill_down() {
        let spec: Spec = "bar:x=name,y=n".parse().unwrap();
        let rows = vec![vec![t("line one\r\nline\ttwo\u{1}"), Cell::Integer(1)]];
        let d = render(&spec, &cols(&["name", "n"]), &rows, &Options::default()).unwrap();
        // XML allows none of these but tabs and line breaks, which SVG
        // text collapses: no label changes silently.
        assert!(
            !d.svg.chars().any(|c| c.is_control() && c != '\n'),
            "{}",
            d.svg
        );
        assert!(
            d.svg.contains("<title>line one␍↵line␉two␁: 1</title>"),
            "{}",
            d.svg
        );
        assert!(
            d.svg.contains("data-x=\"line one&#13;&#10;line&#9;two␁\""),
            "{}",
            d.svg
        );
    }

    #[test]
    fn ten_thousand_points_draw() {
        let spec: Spec = "line:x=i,y=v,series=s".parse().unwrap();
        let rows: Vec<Vec<Cell>> = (0..10_000)
            .map(|i| {
                vec![
                    Cell::Integer(i / 4),
                    t(["main", "a", "b", "c"][i as usize % 4]),
                    Cell::Real((i % 97) as f64),
                ]
            })
            .collect();
        let d = render(&spec, &cols(&["i", "s", "v"]), &rows, &Options::default()).unwrap();
        assert_eq!(d.marks, 10_000);
        // Lines of 10,000 points: no dot each, and it says so.
        assert_eq!(d.svg.matches("<circle").count(), 0);
        assert!(d.note.unwrap().contains("without a dot each"));
    }

    #[test]
    fn a_scatter_of_many_points_is_binned_and_a_chart_stays_small() {
        let spec: Spec = "scatter:x=x,y=y".parse().unwrap();
        let rows: Vec<Vec<Cell>> = (0..70_800)
            .map(|i| vec![Cell::Integer(i), Cell::Integer((i * 7919) % 1000)])
            .collect();
        let d = render(&spec, &cols(&["x", "y"]), &rows, &Options::default()).unwrap();
        let elements = d.svg.matches('<').count() - d.svg.matches("</").count();
        assert!(elements <= 5_000, "{elements} elements");
        assert!(d.marks <= 60 * 36, "{}", d.marks);
        let note = d.note.unwrap();
        assert!(note.starts_with("70800 points, binned into"), "{note}");
        // Bars beyond what a page can draw are refused, with what to do.
        let spec: Spec = "bar:x=x,y=y".parse().unwrap();
        let e = render(&spec, &cols(&["x", "y"]), &rows, &Options::default()).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("70800 bars or cells are more than a chart can show")
        );
    }
}
