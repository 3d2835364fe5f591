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
    /// Outcomes in a row per series, one cell per result (y the outcome,
    /// as colour and glyph), latest at the right.
    Strip,
}

impl Kind {
    /// Every kind, in the order a menu lists them.
    pub const ALL: [Kind; 6] = [
        Kind::Bar,
        Kind::StackedBar,
        Kind::Line,
        Kind::Scatter,
        Kind::Heatmap,
        Kind::Strip,
    ];

    /// The kind's name in a spec.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Bar => "bar",
            Kind::StackedBar => "stacked",
            Kind::Line => "line",
            Kind::Scatter => "scatter",
            Kind::Heatmap => "heatmap",
            Kind::Strip => "strip",
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
            Kind::Strip => "Outcome strip",
        }
    }

    /// The kind named `name`.
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// How the rows that share an x value (and series) make one mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agg {
    /// The sum of their values (SQL's `SUM`).
    Sum,
    /// Their average (`AVG`).
    Mean,
    /// The least (`MIN`).
    Min,
    /// The greatest (`MAX`).
    Max,
    /// How many rows (`COUNT(*)`).
    Count,
}

impl Agg {
    /// Every way, in the order a menu lists them.
    pub const ALL: [Agg; 5] = [Agg::Sum, Agg::Mean, Agg::Min, Agg::Max, Agg::Count];

    /// Its name in a spec.
    pub fn name(self) -> &'static str {
        match self {
            Agg::Sum => "sum",
            Agg::Mean => "avg",
            Agg::Min => "min",
            Agg::Max => "max",
            Agg::Count => "count",
        }
    }

    /// Its name for people, as in "481 = sum of 35 rows".
    pub fn label(self) -> &'static str {
        match self {
            Agg::Sum => "sum",
            Agg::Mean => "average",
            Agg::Min => "least",
            Agg::Max => "greatest",
            Agg::Count => "count",
        }
    }

    /// The way named `name`.
    pub fn from_name(name: &str) -> Option<Agg> {
        Agg::ALL.into_iter().find(|a| a.name() == name)
    }

    /// The way that suits a measure named `y` when none is chosen: the
    /// average of rates, percentages and averages (their sum means
    /// nothing), the sum of anything else (counts, durations).
    pub fn default_for(y: &str) -> Agg {
        let y = y.to_ascii_lowercase();
        let averaged = [
            "rate",
            "pct",
            "percent",
            "percentage",
            "ratio",
            "avg",
            "average",
            "mean",
            "median",
            "share",
            "score",
            "p50",
            "p90",
            "p95",
            "p99",
        ];
        let mut words = y.split(|c: char| !c.is_ascii_alphanumeric());
        if words.any(|w| averaged.contains(&w) || w.ends_with("rate")) {
            Agg::Mean
        } else {
            Agg::Sum
        }
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
    /// How rows that share x and series make one mark (`None`: as
    /// [`Agg::default_for`] the measure).
    pub agg: Option<Agg>,
}

/// Why a spec could not be read or applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpecError {
    /// The text does not follow `kind:x=COL,y=COL[,series=COL][,agg=WAY]`.
    #[error(
        "chart spec \"{0}\": expected kind:x=COLUMN,y=COLUMN[,series=COLUMN][,agg=sum|avg|min|max|count] with kind one of bar, stacked, line, scatter, heatmap, strip"
    )]
    Syntax(String),
    /// A column the spec names is not in the result.
    #[error("the result has no column \"{0}\" (it has {1})")]
    NoColumn(String, String),
    /// More bars or cells than a page can draw.
    #[error(
        "{0} bars or cells are more than a chart can show: group the rows in SQL, or choose another x than {1}"
    )]
    TooMany(usize, String),
}

impl fmt::Display for Spec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:x={},y={}", self.kind.name(), self.x, self.y)?;
        if let Some(s) = &self.series {
            write!(f, ",series={s}")?;
        }
        if let Some(a) = self.agg {
            write!(f, ",agg={}", a.name())?;
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
        let (mut x, mut y, mut series, mut agg) = (None, None, None, None);
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
                "agg" => agg = Some(Agg::from_name(&value).ok_or_else(bad)?),
                _ => return Err(bad()),
            }
        }
        Ok(Spec {
            kind,
            x: x.ok_or_else(bad)?,
            y: y.ok_or_else(bad)?,
            series,
            agg,
        })
    }
}

impl Spec {
    /// How rows that share x and series make one mark.
    pub fn agg(&self) -> Agg {
        self.agg.unwrap_or_else(|| Agg::default_for(&self.y))
    }

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

    /// A chart for a result when it has something to show, from its
    /// columns' values; else why not, in one line. The measure (y) is the
    /// last numeric column that is not an identifier (queries tend to end
    /// with the measure that matters, after the counts); x is the first
    /// column, unless it is an identifier, when a column whose values
    /// repeat stands in. A series is a text column whose values repeat:
    /// identifiers, dates and free text never are. Dates along x make a
    /// line; numbers along x a scatter; a series over text categories a
    /// heatmap; otherwise bars.
    pub fn suggest(columns: &[String], rows: &[Vec<Cell>]) -> Result<Spec, String> {
        if rows.is_empty() {
            return Err("no rows to chart".into());
        }
        if columns.len() < 2 {
            return Err("a chart needs two columns: one along x, one measured".into());
        }
        let profiles: Vec<Profile> = (0..columns.len())
            .map(|i| Profile::of(&columns[i], i, rows))
            .collect();
        // Values that group rows (in a small answer, any will do).
        let repeats =
            |p: &Profile| p.distinct >= 2 && (p.distinct < rows.len() || rows.len() <= 12);
        let x = if profiles[0].identifier && rows.len() > 1 {
            profiles
                .iter()
                .skip(1)
                .find(|p| (p.text && !p.free_text || p.dates) && repeats(p))
                .map(|p| p.index)
                .ok_or_else(|| {
                    format!(
                        "no chart: every row has its own {} (an identifier), and no other column groups the rows; choose x and y to draw one",
                        columns[0]
                    )
                })?
        } else {
            0
        };
        // A measure that varies says more than one that does not.
        let measure = |i: usize| i != x && profiles[i].numeric && !profiles[i].identifier;
        let y = (0..columns.len())
            .rev()
            .find(|&i| measure(i) && profiles[i].distinct > 1)
            .or_else(|| (0..columns.len()).rev().find(|&i| measure(i)))
            .ok_or_else(|| {
                format!(
                    "no chart: no column other than {} holds numbers to measure",
                    columns[x]
                )
            })?;
        let series = (0..columns.len()).find(|&i| {
            let p = &profiles[i];
            i != x
                && i != y
                && i < y
                && p.text
                && !p.dates
                && !p.identifier
                && !p.free_text
                && repeats(p)
        });
        let kind = if profiles[x].dates {
            Kind::Line
        } else if profiles[x].numeric {
            Kind::Scatter
        } else if series.is_some() {
            Kind::Heatmap
        } else {
            Kind::Bar
        };
        Ok(Spec {
            kind,
            x: columns[x].clone(),
            y: columns[y].clone(),
            series: series.map(|i| columns[i].clone()),
            agg: None,
        })
    }

    /// [`Spec::suggest`], without the reason.
    pub fn guess(columns: &[String], rows: &[Vec<Cell>]) -> Option<Spec> {
        Spec::suggest(columns, rows).ok()
    }
}

/// What a column's values are like, for [`Spec::suggest`].
struct Profile {
    index: usize,
    /// Every value a number (NULLs aside), at least one.
    numeric: bool,
    /// Every value text (NULLs aside).
    text: bool,
    /// Every value a date or timestamp.
    dates: bool,
    /// Named as an identifier (`id`, `run_id`): a key, not a measure or
    /// a category.
    identifier: bool,
    /// Long text (messages, output): more than 40 characters on average.
    free_text: bool,
    /// Distinct values.
    distinct: usize,
}

impl Profile {
    fn of(name: &str, i: usize, rows: &[Vec<Cell>]) -> Profile {
        let cells = || rows.iter().filter_map(|r| r.get(i));
        let present: Vec<&Cell> = cells().filter(|c| !matches!(c, Cell::Null)).collect();
        let numeric = !present.is_empty() && present.iter().all(|c| c.is_number());
        let text = present.iter().all(|c| matches!(c, Cell::Text(_)));
        let dates = !present.is_empty()
            && present
                .iter()
                .all(|c| matches!(c, Cell::Text(t) if looks_like_date(t)));
        let mut seen = std::collections::HashSet::new();
        let mut length = 0;
        for c in &present {
            let shown = c.display().unwrap_or_default();
            length += shown.chars().count();
            seen.insert(shown);
        }
        let distinct = seen.len() + usize::from(present.len() < rows.len());
        let lower = name.to_ascii_lowercase();
        Profile {
            index: i,
            numeric,
            text,
            dates,
            identifier: lower == "id" || lower == "rowid" || lower.ends_with("_id"),
            free_text: text && !present.is_empty() && length / present.len() > 40,
            distinct,
        }
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
        let matrix = vec![
            vec![t("main"), t("linux"), Cell::Real(99.0)],
            vec![t("main"), t("windows"), Cell::Real(97.0)],
        ];
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

    #[test]
    fn identifiers_dates_and_free_text_are_never_series_and_say_why() {
        let t = |s: &str| Cell::Text(s.into());
        // A table's rows: an id each, a status that repeats, an integer.
        let rows: Vec<Vec<Cell>> = (0..40)
            .map(|i| {
                vec![
                    Cell::Integer(i),
                    t(if i % 3 == 0 { "fail" } else { "pass" }),
                    t(&format!(
                        "a long message that nobody would chart, number {i} of many"
                    )),
                    Cell::Integer(i * 7),
                    // A measure that never varies is not the one drawn.
                    Cell::Integer(0),
                ]
            })
            .collect();
        let spec = Spec::suggest(
            &cols(&["id", "outcome", "message", "duration_ms", "retry_count"]),
            &rows,
        )
        .unwrap();
        assert_eq!(spec.to_string(), "bar:x=outcome,y=duration_ms");
        // Nothing groups the rows: no chart, and the reason.
        let unique: Vec<Vec<Cell>> = (0..40)
            .map(|i| vec![Cell::Integer(i), t(&format!("test {i}")), Cell::Integer(i)])
            .collect();
        let why = Spec::suggest(&cols(&["id", "name", "ms"]), &unique).unwrap_err();
        assert!(why.contains("every row has its own id"), "{why}");
        // Timestamps, one row each, are x, not a series.
        let runs: Vec<Vec<Cell>> = (0..20)
            .map(|i| {
                vec![
                    t("main"),
                    t(&format!("2026-06-{:02} 10:00:00", i + 1)),
                    Cell::Real(90.0 + f64::from(i) / 4.0),
                ]
            })
            .collect();
        let spec = Spec::suggest(&cols(&["branch", "started_at", "pass_rate"]), &runs).unwrap();
        assert_eq!(spec.series, None);
        assert_eq!(spec.y, "pass_rate");
        let why = Spec::suggest(&cols(&["a", "b"]), &[vec![t("x"), t("y")]]).unwrap_err();
        assert_eq!(
            why,
            "no chart: no column other than a holds numbers to measure"
        );
    }
}
