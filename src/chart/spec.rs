//! A chart spec: which kind of chart, and which result columns give its
//! x, y and series. Written as text for addresses, presets and the command
//! line: `line:x=week,y=pass_rate_pct,series=branch`.

use std::fmt;

use crate::protocol::Cell;

/// The kinds of chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Vertical bars, grouped by series.
    Bar,
    /// Vertical bars, series stacked.
    StackedBar,
    /// Lines over ordered x values, one per series.
    Line,
    /// Points at numeric (x, y).
    Scatter,
    /// A grid: x across, series down, y as the colour and text of a cell.
    Heatmap,
}

impl Kind {
    /// Every kind, in the order a menu lists them.
    pub const ALL: [Kind; 5] = [
        Kind::Bar,
        Kind::StackedBar,
        Kind::Line,
        Kind::Scatter,
        Kind::Heatmap,
    ];

    /// The kind's name in a spec.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Bar => "bar",
            Kind::StackedBar => "stacked",
            Kind::Line => "line",
            Kind::Scatter => "scatter",
            Kind::Heatmap => "heatmap",
        }
    }

    /// The kind's name for people.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Bar => "Bar",
            Kind::StackedBar => "Stacked bar",
            Kind::Line => "Line",
            Kind::Scatter => "Scatter",
            Kind::Heatmap => "Heatmap",
        }
    }

    /// The kind named `name`.
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// What to draw from a result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    /// The kind of chart.
    pub kind: Kind,
    /// The column along the x axis (categories, dates or numbers).
    pub x: String,
    /// The numeric column drawn.
    pub y: String,
    /// The column whose values make separate series (lines, bar groups,
    /// heatmap rows), if any.
    pub series: Option<String>,
}

/// Why a spec could not be read or applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpecError {
    /// The text does not follow `kind:x=COL,y=COL[,series=COL]`.
    #[error(
        "chart spec \"{0}\": expected kind:x=COLUMN,y=COLUMN[,series=COLUMN] with kind one of bar, stacked, line, scatter, heatmap"
    )]
    Syntax(String),
    /// A column the spec names is not in the result.
    #[error("the result has no column \"{0}\" (it has {1})")]
    NoColumn(String, String),
}

impl fmt::Display for Spec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:x={},y={}", self.kind.name(), self.x, self.y)?;
        if let Some(s) = &self.series {
            write!(f, ",series={s}")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for Spec {
    type Err = SpecError;

    fn from_str(text: &str) -> Result<Spec, SpecError> {
        let bad = || SpecError::Syntax(text.to_string());
        let (kind, rest) = text.trim().split_once(':').ok_or_else(bad)?;
        let kind = Kind::from_name(kind.trim()).ok_or_else(bad)?;
        let (mut x, mut y, mut series) = (None, None, None);
        for part in rest.split(',') {
            let (key, value) = part.split_once('=').ok_or_else(bad)?;
            let value = value.trim().to_string();
            if value.is_empty() {
                return Err(bad());
            }
            match key.trim() {
                "x" => x = Some(value),
                "y" => y = Some(value),
                "series" => series = Some(value),
                _ => return Err(bad()),
            }
        }
        Ok(Spec {
            kind,
            x: x.ok_or_else(bad)?,
            y: y.ok_or_else(bad)?,
            series,
        })
    }
}

impl Spec {
    /// The indexes of the spec's columns in `columns`: x, y, series.
    pub fn columns(&self, columns: &[String]) -> Result<(usize, usize, Option<usize>), SpecError> {
        let find = |name: &str| {
            columns
                .iter()
                .position(|c| c == name)
                .ok_or_else(|| SpecError::NoColumn(name.to_string(), columns.join(", ")))
        };
        Ok((
            find(&self.x)?,
            find(&self.y)?,
            self.series.as_deref().map(find).transpose()?,
        ))
    }

    /// A sensible chart for a result, from its columns' values: the last
    /// numeric column (not the first column; queries tend to end with the
    /// measure that matters, after the counts) is y; the first column is x;
    /// another text column, if any, is the series. Dates along x make a
    /// line; numbers along x a scatter; a series over text categories a
    /// heatmap; otherwise bars. `None` when nothing is numeric.
    pub fn guess(columns: &[String], rows: &[Vec<Cell>]) -> Option<Spec> {
        if columns.len() < 2 || rows.is_empty() {
            return None;
        }
        let numeric = |i: usize| {
            let mut any = false;
            for row in rows {
                match row.get(i) {
                    Some(c) if c.is_number() => any = true,
                    Some(Cell::Null) | None => {}
                    _ => return false,
                }
            }
            any
        };
        let y = (1..columns.len()).rev().find(|&i| numeric(i))?;
        let x = 0;
        let text = |i: usize| {
            rows.iter()
                .all(|r| matches!(r.get(i), Some(Cell::Text(_) | Cell::Null)))
        };
        let series = (1..columns.len()).find(|&i| i != y && i < y && text(i));
        let dates = rows.iter().all(|r| match r.get(x) {
            Some(Cell::Text(t)) => looks_like_date(t),
            _ => false,
        });
        let kind = if dates {
            Kind::Line
        } else if numeric(x) {
            Kind::Scatter
        } else if series.is_some() {
            Kind::Heatmap
        } else {
            Kind::Bar
        };
        Some(Spec {
            kind,
            x: columns[x].clone(),
            y: columns[y].clone(),
            series: series.map(|i| columns[i].clone()),
        })
    }
}

/// `2026-06-01`, `2026-06-01 12:00:00`, `2026-06-01T12:00:00Z`.
fn looks_like_date(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn specs_read_and_write_the_same_text() {
        for text in [
            "line:x=week,y=pass_rate_pct,series=branch",
            "bar:x=suite,y=failures",
            "heatmap:x=platform,y=pass_rate_pct,series=branch",
        ] {
            let spec: Spec = text.parse().unwrap();
            assert_eq!(spec.to_string(), text);
        }
        let spec: Spec = " scatter : x = a , y = b ".parse().unwrap();
        assert_eq!(spec.to_string(), "scatter:x=a,y=b");
        for bad in [
            "",
            "pie:x=a,y=b",
            "bar:x=a",
            "bar:x=a,y=b,z=c",
            "bar:x=,y=b",
            "bar",
        ] {
            assert!(bad.parse::<Spec>().is_err(), "{bad}");
        }
        let spec: Spec = "bar:x=a,y=b".parse().unwrap();
        assert_eq!(spec.columns(&cols(&["b", "a"])), Ok((1, 0, None)));
        assert_eq!(
            spec.columns(&cols(&["a", "c"])).unwrap_err().to_string(),
            "the result has no column \"b\" (it has a, c)"
        );
    }

    #[test]
    fn a_guess_follows_the_values() {
        let t = |s: &str| Cell::Text(s.into());
        let trend = vec![
            vec![
                t("2026-06-01"),
                t("main"),
                Cell::Integer(3),
                Cell::Real(99.5),
            ],
            vec![t("2026-06-08"), t("dev"), Cell::Integer(2), Cell::Null],
        ];
        assert_eq!(
            Spec::guess(&cols(&["week", "branch", "runs", "rate"]), &trend)
                .unwrap()
                .to_string(),
            "line:x=week,y=rate,series=branch"
        );
        let matrix = vec![vec![t("main"), t("linux"), Cell::Real(99.0)]];
        assert_eq!(
            Spec::guess(&cols(&["branch", "platform", "rate"]), &matrix)
                .unwrap()
                .to_string(),
            "heatmap:x=branch,y=rate,series=platform"
        );
        let bars = vec![vec![t("suite"), Cell::Integer(4)]];
        assert_eq!(
            Spec::guess(&cols(&["suite", "failures"]), &bars)
                .unwrap()
                .kind,
            Kind::Bar
        );
        let points = vec![vec![Cell::Integer(1), Cell::Real(2.0)]];
        assert_eq!(
            Spec::guess(&cols(&["ms", "runs"]), &points).unwrap().kind,
            Kind::Scatter
        );
        assert_eq!(
            Spec::guess(&cols(&["a", "b"]), &[vec![t("x"), t("y")]]),
            None
        );
        assert_eq!(Spec::guess(&cols(&["a"]), &[vec![Cell::Integer(1)]]), None);
    }
}
