//! Chart geometry, as pure functions: scales, ticks and bar positions.
//! The SVG components draw what these compute; the tests check them natively.
//! [`spec`] says what to draw from a result; [`svg`] draws it as an SVG
//! document, the same for the page and the command line.

pub mod aggregate;
pub mod spec;
pub mod strip;
pub mod svg;
pub mod views;

use crate::protocol::Cell;

/// A labelled value to draw as one bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Datum {
    /// What the bar stands for.
    pub label: String,
    /// Its value (NaN when the data had none).
    pub value: f64,
}

/// Reads (label, value) pairs out of result rows: the label from column 0,
/// the value from column `value`. A NULL value gives NaN (drawn as "no data").
pub fn data_from_rows(rows: &[Vec<Cell>], value: usize) -> Vec<Datum> {
    rows.iter()
        .map(|row| Datum {
            label: row
                .first()
                .and_then(Cell::display)
                .unwrap_or_else(|| "(none)".to_string()),
            value: row.get(value).and_then(Cell::as_f64).unwrap_or(f64::NAN),
        })
        .collect()
}

/// A linear map from a data domain to a pixel range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Linear {
    /// Data interval.
    pub domain: (f64, f64),
    /// Pixel interval.
    pub range: (f64, f64),
}

impl Linear {
    /// Maps a data value to pixels (values outside the domain are clamped).
    pub fn map(&self, v: f64) -> f64 {
        let (d0, d1) = self.domain;
        let (r0, r1) = self.range;
        if d1 == d0 {
            return r0;
        }
        let t = ((v - d0) / (d1 - d0)).clamp(0.0, 1.0);
        r0 + t * (r1 - r0)
    }
}

/// "Nice" tick values covering `[lo, hi]`: about `count` steps of 1, 2 or 5
/// times a power of ten.
pub fn nice_ticks(lo: f64, hi: f64, count: usize) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo || count == 0 {
        return vec![lo];
    }
    let raw = (hi - lo) / count as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let first = (lo / step).ceil() * step;
    let mut ticks = Vec::new();
    let mut i = 0.0;
    loop {
        let v = first + i * step;
        if v > hi + step * 1e-9 {
            break;
        }
        // Round away binary noise such as 0.30000000000000004.
        ticks.push((v / step).round() * step);
        i += 1.0;
    }
    ticks
}

/// Sizes of a horizontal bar chart.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BarStyle {
    /// Whole width in pixels (the SVG scales with its container).
    pub width: f64,
    /// Width kept for the labels on the left.
    pub label_width: f64,
    /// Height of one bar.
    pub bar_height: f64,
    /// Space between bars.
    pub gap: f64,
    /// Space above the bars.
    pub top: f64,
    /// Space below the bars, for the axis.
    pub bottom: f64,
    /// Space right of the bars, for value labels.
    pub right: f64,
}

impl Default for BarStyle {
    fn default() -> Self {
        BarStyle {
            width: 560.0,
            label_width: 190.0,
            bar_height: 22.0,
            gap: 8.0,
            top: 8.0,
            bottom: 30.0,
            right: 64.0,
        }
    }
}

/// One bar, placed.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// What it stands for.
    pub label: String,
    /// Its value (NaN: no data, zero width).
    pub value: f64,
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Length.
    pub width: f64,
    /// Thickness.
    pub height: f64,
    /// The value as written next to the bar.
    pub value_text: String,
}

/// A tick on the value axis.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    /// Its position.
    pub x: f64,
    /// Its text.
    pub text: String,
}

/// A horizontal bar chart, laid out.
#[derive(Debug, Clone, PartialEq)]
pub struct BarLayout {
    /// Whole width.
    pub width: f64,
    /// Whole height (grows with the number of bars).
    pub height: f64,
    /// Left edge of the plot (where bars start).
    pub plot_left: f64,
    /// Right edge of the plot.
    pub plot_right: f64,
    /// Top edge of the plot.
    pub plot_top: f64,
    /// Bottom edge of the plot (the axis line).
    pub plot_bottom: f64,
    /// The bars, in data order from the top.
    pub bars: Vec<Bar>,
    /// Ticks on the value axis.
    pub ticks: Vec<Tick>,
}

/// Lays out bars for `data` on a fixed 0–`max` scale (100 for percentages),
/// values written with `unit` after them.
pub fn bar_layout(data: &[Datum], max: f64, unit: &str, style: BarStyle) -> BarLayout {
    let plot_left = style.label_width;
    let plot_right = style.width - style.right;
    let plot_top = style.top;
    let n = data.len() as f64;
    let plot_bottom = plot_top + n * style.bar_height + (n - 1.0).max(0.0) * style.gap;
    let scale = Linear {
        domain: (0.0, max),
        range: (plot_left, plot_right),
    };
    let bars = data
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let y = plot_top + i as f64 * (style.bar_height + style.gap);
            let (width, value_text) = if d.value.is_finite() {
                (
                    scale.map(d.value) - plot_left,
                    format!("{}{unit}", fmt_num(d.value)),
                )
            } else {
                (0.0, "no data".to_string())
            };
            Bar {
                label: d.label.clone(),
                value: d.value,
                x: plot_left,
                y,
                width,
                height: style.bar_height,
                value_text,
            }
        })
        .collect();
    let ticks = nice_ticks(0.0, max, 5)
        .into_iter()
        .map(|v| Tick {
            x: scale.map(v),
            text: fmt_num(v),
        })
        .collect();
    BarLayout {
        width: style.width,
        height: plot_bottom + style.bottom,
        plot_left,
        plot_right,
        plot_top,
        plot_bottom,
        bars,
        ticks,
    }
}

/// Lays out pass rates (percentages) as bars of the share that failed,
/// `100 - rate`, from zero to a nice round end past the largest: a bar twice
/// as long fails twice as often, however close to 100 % the rates are
/// (on a 0–100 scale of the rate, 99.4 % and 97.3 % look the same). Each
/// bar's text is its pass rate.
pub fn failure_bar_layout(rates: &[Datum], style: BarStyle) -> BarLayout {
    let failed: Vec<Datum> = rates
        .iter()
        .map(|d| Datum {
            label: d.label.clone(),
            value: 100.0 - d.value,
        })
        .collect();
    let worst = failed
        .iter()
        .map(|d| d.value)
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let max = if worst > 0.0 {
        let ticks = nice_ticks(0.0, worst, 4);
        let step = match ticks.as_slice() {
            [a, b, ..] => b - a,
            _ => worst,
        };
        ((worst / step).ceil() * step).min(100.0)
    } else {
        1.0
    };
    let mut layout = bar_layout(&failed, max, "%", style);
    for (bar, rate) in layout.bars.iter_mut().zip(rates) {
        bar.value = rate.value;
        if rate.value.is_finite() {
            bar.value_text = format!("{}%", fmt_num(rate.value));
        }
    }
    layout
}

/// `s` with the characters that are special in HTML and XML escaped.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        push_escaped(&mut out, c);
    }
    out
}

/// Pushes `c`, escaped for HTML and XML.
fn push_escaped(out: &mut String, c: char) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '"' => out.push_str("&quot;"),
        '\'' => out.push_str("&#39;"),
        c => out.push(c),
    }
}

/// The marker that stands for a control character (U+0000 to U+001F, and
/// U+007F), and its name: `↵` for a line feed, else its picture of Unicode's
/// "control pictures" (`␍` for a carriage return, `␉` for a tab). `None` for
/// every other character.
pub fn control_marker(c: char) -> Option<(char, &'static str)> {
    let name = match c {
        '\n' => return Some(('↵', "line feed (new line)")),
        '\u{7f}' => return Some(('␡', "delete")),
        '\r' => "carriage return",
        '\t' => "tab",
        '\0' => "NUL",
        '\u{8}' => "backspace",
        '\u{b}' => "vertical tab",
        '\u{c}' => "form feed",
        '\u{1b}' => "escape",
        c if u32::from(c) < 0x20 => "control character",
        _ => return None,
    };
    char::from_u32(0x2400 + u32::from(c)).map(|m| (m, name))
}

/// `s` with each control character replaced by its marker
/// ([`control_marker`]): for text that cannot hold the character itself
/// (an SVG label, where XML forbids most and white space collapses).
pub fn mark_controls(s: &str) -> String {
    s.chars()
        .map(|c| control_marker(c).map_or(c, |(m, _)| m))
        .collect()
}

/// `s` escaped for HTML, each control character shown by its marker
/// ([`control_marker`]) in a `<span class="ctl">` titled with its name. The
/// marker is the span's generated content (`data-c`, drawn by the style
/// sheet) and the character itself stays in the span, written as a numeric
/// reference (HTML parsing would turn a `\r` written as is into `\n`;
/// a reference it keeps), so that the page's text is the value exactly and
/// a selection copies it. Only NUL, which no HTML text can hold, is left out.
pub fn escape_html_marked(s: &str) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let Some((mark, name)) = control_marker(c) else {
            push_escaped(&mut out, c);
            continue;
        };
        let code = u32::from(c);
        let _ = write!(
            out,
            "<span class=\"ctl\" data-c=\"{mark}\" title=\"{name} (U+{code:04X})\">"
        );
        if c != '\0' {
            let _ = write!(out, "&#{code};");
        }
        out.push_str("</span>");
    }
    out
}

/// A count with thousands separators: `100,000`.
pub fn fmt_count(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `v` with exactly `decimals` decimals (at most 3), rounded half away
/// from zero, as `format!("{v:.2}")` writes it where both round alike.
/// Written by integer arithmetic, so that float formatting with a precision
/// stays out of the modules that use it.
pub fn fmt_fixed(v: f64, decimals: u32) -> String {
    let scale = 10u64.pow(decimals.min(3));
    let scaled = (v * scale as f64).round();
    if !scaled.is_finite() || scaled.abs() >= 9.0e15 {
        return format!("{v}");
    }
    let n = scaled as i64;
    let sign = if n < 0 { "-" } else { "" };
    let (whole, frac) = (n.unsigned_abs() / scale, n.unsigned_abs() % scale);
    match decimals.min(3) {
        0 => format!("{sign}{whole}"),
        d => format!("{sign}{whole}.{frac:0width$}", width = d as usize),
    }
}

/// A number with at most two decimals and no trailing zeros. Written by
/// integer arithmetic where it fits, so that float formatting with a
/// precision stays out of the modules that use it.
pub fn fmt_num(v: f64) -> String {
    let hundredths = (v * 100.0).round();
    if !hundredths.is_finite() || hundredths.abs() >= 9.0e15 {
        return format!("{v}");
    }
    let n = hundredths as i64;
    let (whole, frac) = (n.unsigned_abs() / 100, n.unsigned_abs() % 100);
    let sign = if n < 0 { "-" } else { "" };
    match frac {
        0 => format!("{sign}{whole}"),
        f if f % 10 == 0 => format!("{sign}{whole}.{}", f / 10),
        f => format!("{sign}{whole}.{f:02}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_decimals_are_written_without_float_formatting() {
        assert_eq!(fmt_fixed(676.4, 0), "676");
        assert_eq!(fmt_fixed(0.25, 1), "0.3");
        assert_eq!(fmt_fixed(12.0, 1), "12.0");
        assert_eq!(fmt_fixed(97.5712, 2), "97.57");
        assert_eq!(fmt_fixed(-1.05, 1), "-1.1");
        assert_eq!(fmt_fixed(0.04, 1), "0.0");
        assert_eq!(fmt_fixed(1.5e300, 1), format!("{}", 1.5e300));
    }

    #[test]
    fn ticks_are_nice() {
        assert_eq!(
            nice_ticks(0.0, 100.0, 5),
            vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
        );
        assert_eq!(nice_ticks(0.0, 1.0, 4), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        assert_eq!(nice_ticks(37.0, 43.0, 3), vec![38.0, 40.0, 42.0]);
        assert_eq!(nice_ticks(5.0, 5.0, 3), vec![5.0]);
    }

    #[test]
    fn bars_are_proportional_and_stacked() {
        let data = vec![
            Datum {
                label: "main".into(),
                value: 100.0,
            },
            Datum {
                label: "dev".into(),
                value: 50.0,
            },
            Datum {
                label: "none".into(),
                value: f64::NAN,
            },
        ];
        let style = BarStyle::default();
        let l = bar_layout(&data, 100.0, "%", style);
        let full = l.plot_right - l.plot_left;
        assert_eq!(l.bars[0].width, full);
        assert_eq!(l.bars[1].width, full / 2.0);
        assert_eq!(l.bars[2].width, 0.0);
        assert_eq!(l.bars[2].value_text, "no data");
        assert_eq!(l.bars[1].value_text, "50%");
        assert_eq!(l.bars[1].y - l.bars[0].y, style.bar_height + style.gap);
        assert_eq!(l.plot_bottom, l.bars[2].y + style.bar_height);
        assert_eq!(l.ticks.len(), 6);
        assert_eq!(l.ticks[5].x, l.plot_right);
    }

    #[test]
    fn a_branch_failing_twice_as_often_has_a_bar_twice_as_long() {
        let rates = [
            ("fix", 99.44),
            ("main", 98.88),
            ("async", 97.31),
            ("none", f64::NAN),
        ]
        .map(|(label, value)| Datum {
            label: label.into(),
            value,
        });
        let l = failure_bar_layout(&rates, BarStyle::default());
        let w: Vec<f64> = l.bars.iter().map(|b| b.width).collect();
        // 0.56 % and 1.12 % failed: twice as long.
        assert!((w[1] / w[0] - 2.0).abs() < 1e-9, "{w:?}");
        assert!(w[2] > w[1] * 2.0);
        assert_eq!(w[3], 0.0);
        assert_eq!(l.bars[0].value_text, "99.44%");
        assert_eq!(l.bars[3].value_text, "no data");
        // The axis starts at zero and ends past the worst, at a round value.
        assert_eq!(l.ticks.first().unwrap().text, "0");
        assert_eq!(l.ticks.last().unwrap().text, "3");
        assert_eq!(l.ticks.last().unwrap().x, l.plot_right);
    }

    #[test]
    fn control_characters_are_marked_and_the_rest_is_only_escaped() {
        for plain in [
            "",
            "bolt; M6",
            "héllo ✓ 🦀 \u{80}\u{2028}",
            "a <b> & \"c\" 'd'",
        ] {
            assert_eq!(escape_html_marked(plain), escape_html(plain), "{plain:?}");
            assert_eq!(mark_controls(plain), plain);
        }
        assert_eq!(
            escape_html_marked("<a>\r\n"),
            "&lt;a&gt;<span class=\"ctl\" data-c=\"␍\" title=\"carriage return (U+000D)\">&#13;</span>\
             <span class=\"ctl\" data-c=\"↵\" title=\"line feed (new line) (U+000A)\">&#10;</span>"
        );
        let marked = escape_html_marked("line one\r\nline two\tend\r\u{1b}[0m\u{0}\u{7f}");
        // No control character is left for HTML parsing to change.
        assert!(!marked.chars().any(|c| c.is_control()), "{marked}");
        assert_eq!(marked.matches("class=\"ctl\"").count(), 7);
        for part in [
            "data-c=\"␉\" title=\"tab (U+0009)\">&#9;</span>",
            "data-c=\"␛\" title=\"escape (U+001B)\">&#27;</span>[0m",
            "data-c=\"␀\" title=\"NUL (U+0000)\"></span>",
            "data-c=\"␡\" title=\"delete (U+007F)\">&#127;</span>",
        ] {
            assert!(marked.contains(part), "{part} in {marked}");
        }
        assert_eq!(control_marker('\u{1}'), Some(('␁', "control character")));
        assert_eq!(control_marker(' '), None);
        assert_eq!(control_marker('\u{85}'), None);
        assert_eq!(mark_controls("a\r\nb\tc\u{0}"), "a␍↵b␉c␀");
    }

    #[test]
    fn rows_become_data() {
        let rows = vec![
            vec![
                Cell::Text("main".into()),
                Cell::Integer(3),
                Cell::Real(97.5),
            ],
            vec![Cell::Null, Cell::Integer(1), Cell::Null],
        ];
        let d = data_from_rows(&rows, 2);
        assert_eq!(
            d[0],
            Datum {
                label: "main".into(),
                value: 97.5
            }
        );
        assert_eq!(d[1].label, "(none)");
        assert!(d[1].value.is_nan());
        assert_eq!(fmt_num(97.456), "97.46");
        assert_eq!(fmt_num(40.0), "40");
        assert_eq!(fmt_num(-0.001), "0");
        assert_eq!(fmt_num(-2.5), "-2.5");
        assert_eq!(fmt_num(0.05), "0.05");
        assert_eq!(fmt_num(1e300), format!("{}", 1e300));
        assert_eq!(fmt_count(100_000), "100,000");
        assert_eq!(fmt_count(999), "999");
    }
}

/// `s` shortened to at most `max` characters in the middle, keeping its
/// start and its distinctive end: the last part of a dotted, slashed or
/// `::` name whole when it fits (`org.apache…AddMissingPatchVersionTest`),
/// else a third from the start and the rest from the end.
pub fn shorten_middle(s: &str, max: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= max || max < 5 {
        return s.to_string();
    }
    let is_separator = |c: &char| matches!(c, '.' | '/' | ':' | '\\' | '#' | ' ' | '>');
    let last_part = chars
        .iter()
        .rposition(is_separator)
        .map_or(0, |i| chars.len() - i - 1);
    let (head, tail) = if last_part > 0 && last_part + 4 <= max {
        (max - 1 - last_part, last_part)
    } else {
        let head = max / 3;
        (head, max - 1 - head)
    };
    let mut start: String = chars[..head].iter().collect();
    // No separator left dangling before the ellipsis.
    while start.ends_with(|c: char| is_separator(&c)) {
        start.pop();
    }
    let end: String = chars[chars.len() - tail..].iter().collect();
    format!("{start}…{end}")
}

/// Which of `count` labels, `spacing` pixels apart, to write so that none
/// overlaps another needing `room` pixels: every `n`th, from the first.
pub fn thin(count: usize, spacing: f64, room: f64) -> usize {
    if count == 0 || spacing <= 0.0 || spacing >= room {
        return 1;
    }
    (room / spacing).ceil() as usize
}

#[cfg(test)]
mod label_tests {
    use super::*;

    #[test]
    fn long_names_keep_their_distinctive_end() {
        assert_eq!(
            shorten_middle("org.apache.pulsar.cli.AddMissingPatchVersionTest", 38),
            "org.apache…AddMissingPatchVersionTest"
        );
        assert_eq!(
            shorten_middle("tests/render/test_pipeline_cache.py::test_eviction", 30),
            "tests/render/tes…test_eviction"
        );
        assert_eq!(
            shorten_middle("abcdefghijklmnopqrstuvwxyz", 10),
            "abc…uvwxyz"
        );
        assert_eq!(shorten_middle("main", 10), "main");
        for max in 5..60 {
            let s = shorten_middle("com.example.very.long.package.name.SomeTestClassName", max);
            assert!(s.chars().count() <= max, "{max}: {s}");
        }
    }

    #[test]
    fn labels_are_thinned_to_fit() {
        assert_eq!(thin(10, 50.0, 14.0), 1);
        assert_eq!(thin(100, 5.0, 14.0), 3);
        assert_eq!(thin(0, 0.0, 14.0), 1);
    }
}
