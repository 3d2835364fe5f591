//! An outcome strip: one row of cells per series (a platform and branch,
//! say), one cell per row of the answer in the answer's order, the latest
//! at the right end so that the rows line up on "now". Each cell's outcome
//! is carried by its colour and by a glyph, so that colour is not needed to
//! read it, with a legend and a tooltip per cell.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::spec::{Spec, SpecError};
use super::svg::{Drawing, Options, escape, escape_attr};
use crate::protocol::Cell;

/// Cells drawn per row at most: the latest.
pub const MOST_CELLS: usize = 240;
/// Rows drawn at most.
const MOST_ROWS: usize = 40;
/// A cell's width and the step from one to the next.
const CELL: f64 = 12.0;
const STEP: f64 = 14.0;
/// A row's height.
const ROW: f64 = 20.0;

/// How an outcome is drawn: its glyph, fill, whether the glyph is dark,
/// and its name in the legend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Look {
    /// The glyph in the cell.
    pub glyph: &'static str,
    /// The cell's colour.
    pub fill: &'static str,
    /// Whether the glyph is drawn dark (on a light fill).
    pub dark: bool,
    /// What it means.
    pub name: &'static str,
}

/// The looks, in the legend's order (Okabe–Ito colours).
pub const LOOKS: [Look; 7] = [
    Look {
        glyph: "✓",
        fill: "#009E73",
        dark: false,
        name: "passed",
    },
    Look {
        glyph: "↻",
        fill: "#56B4E9",
        dark: true,
        name: "passed on a retry",
    },
    Look {
        glyph: "✗",
        fill: "#D55E00",
        dark: false,
        name: "failed",
    },
    Look {
        glyph: "!",
        fill: "#E69F00",
        dark: true,
        name: "error",
    },
    Look {
        glyph: "◷",
        fill: "#CC79A7",
        dark: true,
        name: "timed out",
    },
    Look {
        glyph: "–",
        fill: "#BBBBBB",
        dark: true,
        name: "skipped",
    },
    Look {
        glyph: "?",
        fill: "#8C8C8C",
        dark: false,
        name: "other",
    },
];

/// The look of `outcome` (`retried`: it took a retry): test outcomes as
/// greenboard and JUnit name them, else "other".
pub fn look(outcome: &str, retried: bool) -> Look {
    let i = match outcome.trim().to_ascii_lowercase().as_str() {
        "pass" | "passed" | "ok" | "success" if retried => 1,
        "pass" | "passed" | "ok" | "success" => 0,
        "fail" | "failed" | "failure" => 2,
        "error" | "errored" => 3,
        "timeout" | "timed out" => 4,
        "skip" | "skipped" => 5,
        _ => 6,
    };
    LOOKS[i]
}

/// Draws the strip of `spec` (`y` the outcome, `series` the rows, `x` what
/// names a cell) over a result. Optional columns named `retry_count`,
/// `run_timestamp` and `git_commit` add to the cells.
pub fn render(
    spec: &Spec,
    columns: &[String],
    rows: &[Vec<Cell>],
    opts: &Options,
) -> Result<Drawing, SpecError> {
    let (xi, yi, si) = spec.columns(columns)?;
    let col = |name: &str| columns.iter().position(|c| c == name);
    let (retry, when, commit) = (col("retry_count"), col("run_timestamp"), col("git_commit"));
    let text = |r: &[Cell], i: usize| r[i].display().unwrap_or_default();
    // The rows in the order first seen.
    let mut order: Vec<String> = Vec::new();
    let mut cells: BTreeMap<usize, Vec<&Vec<Cell>>> = BTreeMap::new();
    for r in rows {
        let s = si.map(|i| text(r, i)).unwrap_or_default();
        let k = match order.iter().position(|o| *o == s) {
            Some(k) => k,
            None => {
                order.push(s);
                order.len() - 1
            }
        };
        cells.entry(k).or_default().push(r);
    }
    let shown = order.len().min(MOST_ROWS);
    let widest = cells
        .values()
        .take(shown)
        .map(|c| c.len().min(MOST_CELLS))
        .max()
        .unwrap_or(0);
    let label_chars = order
        .iter()
        .take(shown)
        .map(|s| s.chars().count().min(28))
        .max()
        .unwrap_or(4);
    let left = 16.0 + 7.2 * label_chars as f64;
    let top = 44.0;
    let width = (left + STEP * widest as f64 + 16.0).max(opts.width.min(360.0));
    let legend_y = top + ROW * shown as f64 + 14.0;
    let height = legend_y + 44.0;
    let mut body = String::new();
    let mut marks = 0;
    let mut counts = [0usize; LOOKS.len()];
    let mut notes = Vec::new();
    let _ = write!(
        body,
        "<text class=\"tick\" x=\"{left}\" y=\"{}\">older</text><text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"end\">latest →</text>",
        top - 6.0,
        left + STEP * widest as f64,
        top - 6.0
    );
    for (k, name) in order.iter().enumerate().take(shown) {
        let y = top + ROW * k as f64;
        let all = &cells[&k];
        let skip = all.len().saturating_sub(MOST_CELLS);
        let _ = write!(
            body,
            "<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text><g class=\"strip-row\" data-series=\"{}\">",
            left - 8.0,
            y + 12.0,
            escape(&crate::chart::shorten_middle(name, 28)),
            escape_attr(name)
        );
        let start = left + STEP * (widest - (all.len() - skip)) as f64;
        for (j, r) in all.iter().skip(skip).enumerate() {
            let outcome = text(r, yi);
            let retried = retry.is_some_and(|i| matches!(r[i], Cell::Integer(n) if n > 0));
            let lk = look(&outcome, retried);
            counts[LOOKS.iter().position(|l| *l == lk).unwrap_or(6)] += 1;
            let mut tip = format!("{}: {}", spec.x, text(r, xi));
            for i in [when, commit].into_iter().flatten() {
                let v = text(r, i);
                let v: String = if Some(i) == commit {
                    v.chars().take(10).collect()
                } else {
                    v
                };
                let _ = write!(tip, " · {v}");
            }
            let _ = write!(tip, " · {outcome}");
            if retried {
                tip.push_str(" after a retry");
            }
            let x = start + STEP * j as f64;
            let _ = write!(
                body,
                "<g class=\"mark\" data-x=\"{}\"><title>{}</title><rect x=\"{x}\" y=\"{y}\" width=\"{CELL}\" height=\"{}\" rx=\"2\" fill=\"{}\"/><text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"10\" fill=\"{}\">{}</text></g>",
                escape_attr(&text(r, xi)),
                escape(&tip),
                ROW - 4.0,
                lk.fill,
                x + CELL / 2.0,
                y + 12.0,
                if lk.dark { "#111" } else { "#fff" },
                lk.glyph
            );
            marks += 1;
        }
        body.push_str("</g>");
        if skip > 0 {
            notes.push(format!("{name}: the latest {MOST_CELLS} of {}", all.len()));
        }
    }
    if order.len() > shown {
        notes.push(format!(
            "the first {shown} of {} rows (by {})",
            order.len(),
            spec.series.as_deref().unwrap_or("series")
        ));
    }
    // The legend: every look that is drawn.
    let mut lx = 12.0;
    let _ = write!(body, "<g class=\"legend\">");
    for (lk, n) in LOOKS.iter().zip(counts) {
        if n == 0 {
            continue;
        }
        let label = format!("{} {n}", lk.name);
        let _ = write!(
            body,
            "<rect x=\"{lx}\" y=\"{legend_y}\" width=\"{CELL}\" height=\"16\" rx=\"2\" fill=\"{}\"/><text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"10\" fill=\"{}\">{}</text><text class=\"tick\" x=\"{}\" y=\"{}\">{}</text>",
            lk.fill,
            lx + CELL / 2.0,
            legend_y + 12.0,
            if lk.dark { "#111" } else { "#fff" },
            lk.glyph,
            lx + CELL + 4.0,
            legend_y + 12.0,
            escape(&label)
        );
        lx += CELL + 16.0 + 6.6 * label.chars().count() as f64;
    }
    body.push_str("</g>");
    let mut description = format!(
        "Outcome strip of {} by {}, one row per {} ({} rows), latest at the right: {marks} cells;",
        spec.y,
        spec.x,
        spec.series.as_deref().unwrap_or("series"),
        order.len()
    );
    for (lk, n) in LOOKS.iter().zip(counts).filter(|(_, n)| *n > 0) {
        let _ = write!(description, " {} {n} ({}),", lk.name, lk.glyph);
    }
    description.pop();
    description.push('.');
    for (k, name) in order.iter().enumerate().take(shown) {
        if let Some(last) = cells[&k].last() {
            let _ = write!(description, " {name}: latest {}.", text(last, yi));
        }
    }
    Ok(super::svg::document(
        "strip",
        (width, height),
        12.0,
        opts,
        &body,
        marks,
        description,
        notes,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Cell {
        Cell::Text(s.into())
    }

    #[test]
    fn each_outcome_has_its_glyph_and_rows_line_up_on_the_latest() {
        let columns: Vec<String> = ["run", "outcome", "retry_count", "platform_branch"]
            .map(String::from)
            .to_vec();
        let row = |run: i64, o: &str, retry: i64, s: &str| {
            vec![Cell::Integer(run), t(o), Cell::Integer(retry), t(s)]
        };
        let rows = vec![
            row(1, "pass", 0, "linux · main"),
            row(3, "fail", 0, "linux · main"),
            row(5, "pass", 1, "linux · main"),
            row(2, "timeout", 0, "windows · main"),
        ];
        let spec: Spec = "strip:x=run,y=outcome,series=platform_branch"
            .parse()
            .unwrap();
        let d = render(&spec, &columns, &rows, &Options::default()).unwrap();
        assert_eq!(d.marks, 4);
        for glyph in ["✓", "✗", "↻", "◷"] {
            assert!(d.svg.contains(&format!(">{glyph}</text>")), "{glyph}");
        }
        assert!(d.description.contains("linux · main: latest pass."));
        assert!(d.description.contains("windows · main: latest timeout."));
        // Windows' one cell is under linux's last.
        let x_of = |run: &str| {
            let at = d.svg.find(&format!("data-x=\"{run}\"")).unwrap();
            let rest = &d.svg[at..];
            let x = rest.find("<rect x=\"").unwrap() + 9;
            rest[x..x + rest[x..].find('"').unwrap()].to_string()
        };
        assert_eq!(x_of("5"), x_of("2"));
        assert!(d.svg.contains("passed on a retry 1"));
    }

    #[test]
    fn long_histories_keep_their_latest_cells() {
        let columns: Vec<String> = ["run", "outcome"].map(String::from).to_vec();
        let rows: Vec<Vec<Cell>> = (0..MOST_CELLS as i64 + 10)
            .map(|i| vec![Cell::Integer(i), t("pass")])
            .collect();
        let spec: Spec = "strip:x=run,y=outcome".parse().unwrap();
        let d = render(&spec, &columns, &rows, &Options::default()).unwrap();
        assert_eq!(d.marks, MOST_CELLS);
        assert!(!d.svg.contains("data-x=\"9\""));
        assert!(d.svg.contains(&format!("data-x=\"{}\"", MOST_CELLS + 9)));
        assert!(d.note.unwrap().contains("the latest 240 of 250"));
    }
}
