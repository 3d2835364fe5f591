//! From an answer's rows to the marks of a chart: the rows that share an x
//! value and a series make one mark, their y values combined as the spec
//! says ([`Agg`]), as SQL's `GROUP BY x, series` would.

use std::collections::HashMap;

use super::spec::{Agg, Spec, SpecError};
use crate::protocol::Cell;

/// One mark's value and the rows behind it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mark {
    /// Its value: NaN when no row had a number (SQL's `NULL`).
    pub value: f64,
    /// How many rows it stands for.
    pub rows: usize,
}

/// An answer arranged by x and series, each pair one mark.
#[derive(Debug, Clone, PartialEq)]
pub struct Aggregated {
    /// The x values, in the order they first appear.
    pub xs: Vec<String>,
    /// The series, in the order they first appear (the measure's name when
    /// the spec has none).
    pub series: Vec<String>,
    /// (x index, series index) → its mark.
    pub marks: HashMap<(usize, usize), Mark>,
    /// Every row with numbers at x and y, for scatter plots: (x, y, series
    /// index).
    pub points: Vec<(f64, f64, usize)>,
    /// How the rows were combined.
    pub agg: Agg,
    /// How many rows there were.
    pub rows: usize,
    /// How many series were drawn as one, the last (0: none).
    pub merged: usize,
}

impl Aggregated {
    /// Whether some mark stands for more than one row.
    pub fn combined(&self) -> bool {
        self.marks.values().any(|m| m.rows > 1)
    }

    /// "481 = sum of 35 rows", or just the value of a mark of one row.
    pub fn explain(&self, mark: &Mark) -> String {
        let value = super::fmt_num(mark.value);
        if mark.rows > 1 {
            format!("{value} = {} of {} rows", self.agg.label(), mark.rows)
        } else {
            value
        }
    }

    /// What the aggregation did, for a note beside the chart: `None` when
    /// every mark is one row.
    pub fn note(&self) -> Option<String> {
        let combined = self.combined().then(|| {
            format!(
                "{} rows share x{} values: each mark is the {} of its rows ({} marks)",
                self.rows,
                if self.series.len() > 1 {
                    " and series"
                } else {
                    ""
                },
                self.agg.label(),
                self.marks.len()
            )
        });
        let merged = (self.merged > 0).then(|| {
            format!(
                "the {} smallest series are drawn as one, \"{}\"",
                self.merged,
                self.series.last().map(String::as_str).unwrap_or_default()
            )
        });
        match (combined, merged) {
            (Some(a), Some(b)) => Some(format!("{a}; {b}")),
            (a, b) => a.or(b),
        }
    }
}

/// What a row's cell is called on the chart.
pub fn label(cell: Option<&Cell>) -> String {
    cell.and_then(Cell::display)
        .unwrap_or_else(|| "(none)".to_string())
}

/// Running totals of one mark's rows.
#[derive(Default)]
struct Acc {
    rows: usize,
    numbers: usize,
    /// Integers summed exactly, as SQLite does while they fit.
    int_sum: i128,
    all_int: bool,
    /// Reals summed with Neumaier's compensation, as SQLite does.
    sum: f64,
    compensation: f64,
    min: f64,
    max: f64,
}

impl Acc {
    fn add(&mut self, cell: Option<&Cell>) {
        if self.rows == 0 {
            self.all_int = true;
            self.min = f64::INFINITY;
            self.max = f64::NEG_INFINITY;
        }
        self.rows += 1;
        let Some(v) = cell.and_then(Cell::as_f64) else {
            return;
        };
        self.numbers += 1;
        match cell {
            Some(Cell::Integer(i)) => self.int_sum += i128::from(*i),
            _ => self.all_int = false,
        }
        let t = self.sum + v;
        if self.sum.abs() >= v.abs() {
            self.compensation += (self.sum - t) + v;
        } else {
            self.compensation += (v - t) + self.sum;
        }
        self.sum = t;
        self.min = self.min.min(v);
        self.max = self.max.max(v);
    }

    fn value(&self, agg: Agg) -> f64 {
        if agg == Agg::Count {
            return self.rows as f64;
        }
        if self.numbers == 0 {
            return f64::NAN;
        }
        let sum = if self.all_int {
            self.int_sum as f64
        } else {
            self.sum + self.compensation
        };
        match agg {
            Agg::Sum => sum,
            Agg::Mean => sum / self.numbers as f64,
            Agg::Min => self.min,
            Agg::Max => self.max,
            Agg::Count => unreachable!("counted above"),
        }
    }
}

/// Arranges `rows` as `spec` says: one mark per x value and series.
pub fn aggregate(
    spec: &Spec,
    columns: &[String],
    rows: &[Vec<Cell>],
) -> Result<Aggregated, SpecError> {
    let (xi, yi, si) = spec.columns(columns)?;
    let agg = spec.agg();
    let mut out = Aggregated {
        xs: Vec::new(),
        series: Vec::new(),
        marks: HashMap::new(),
        points: Vec::new(),
        agg,
        rows: rows.len(),
        merged: 0,
    };
    let mut x_index: HashMap<String, usize> = HashMap::new();
    let mut s_index: HashMap<String, usize> = HashMap::new();
    let mut accs: HashMap<(usize, usize), Acc> = HashMap::new();
    for row in rows {
        let x = label(row.get(xi));
        let s = match si {
            Some(i) => label(row.get(i)),
            None => spec.y.clone(),
        };
        let a = *x_index.entry(x.clone()).or_insert_with(|| {
            out.xs.push(x);
            out.xs.len() - 1
        });
        let b = *s_index.entry(s.clone()).or_insert_with(|| {
            out.series.push(s);
            out.series.len() - 1
        });
        accs.entry((a, b)).or_default().add(row.get(yi));
        if let (Some(x), Some(y)) = (
            row.get(xi).and_then(Cell::as_f64),
            row.get(yi).and_then(Cell::as_f64),
        ) {
            out.points.push((x, y, b));
        }
    }
    out.marks = accs
        .into_iter()
        .map(|(k, acc)| {
            (
                k,
                Mark {
                    value: acc.value(agg),
                    rows: acc.rows,
                },
            )
        })
        .collect();
    Ok(out)
}

/// [`aggregate`], with at most `most` series: beyond that, the `most - 1`
/// largest (by the sum of their marks' sizes) stay and the others are
/// drawn as one, named for how many they are.
pub fn aggregate_most(
    spec: &Spec,
    columns: &[String],
    rows: &[Vec<Cell>],
    most: usize,
) -> Result<Aggregated, SpecError> {
    let all = aggregate(spec, columns, rows)?;
    let Some(si) = spec.columns(columns)?.2 else {
        return Ok(all);
    };
    if all.series.len() <= most || most < 2 {
        return Ok(all);
    }
    let mut size = vec![0.0f64; all.series.len()];
    for ((_, s), m) in &all.marks {
        if m.value.is_finite() {
            size[*s] += m.value.abs();
        }
    }
    let mut order: Vec<usize> = (0..all.series.len()).collect();
    order.sort_by(|a, b| size[*b].total_cmp(&size[*a]).then(a.cmp(b)));
    let kept: std::collections::HashSet<&str> = order[..most - 1]
        .iter()
        .map(|&i| all.series[i].as_str())
        .collect();
    let merged = all.series.len() - (most - 1);
    let other = format!("{merged} others");
    let rows: Vec<Vec<Cell>> = rows
        .iter()
        .map(|row| {
            let mut row = row.clone();
            if let Some(cell) = row.get_mut(si)
                && !kept.contains(label(Some(cell)).as_str())
            {
                *cell = Cell::Text(other.clone());
            }
            row
        })
        .collect();
    let mut out = aggregate(spec, columns, &rows)?;
    // The others last.
    if let Some(at) = out.series.iter().position(|s| *s == other) {
        let last = out.series.len() - 1;
        out.series.swap(at, last);
        out.marks = out
            .marks
            .into_iter()
            .map(|((x, s), m)| {
                let s = if s == at {
                    last
                } else if s == last {
                    at
                } else {
                    s
                };
                ((x, s), m)
            })
            .collect();
    }
    out.merged = merged;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Cell {
        Cell::Text(s.into())
    }

    #[test]
    fn rows_that_share_x_make_one_mark() {
        let columns: Vec<String> = ["platform", "day", "failures"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let rows = vec![
            vec![t("windows"), t("d1"), Cell::Integer(3)],
            vec![t("linux"), t("d1"), Cell::Integer(1)],
            vec![t("windows"), t("d2"), Cell::Integer(5)],
            vec![t("windows"), t("d3"), Cell::Null],
        ];
        let spec: Spec = "bar:x=platform,y=failures".parse().unwrap();
        let a = aggregate(&spec, &columns, &rows).unwrap();
        assert_eq!(a.xs, ["windows", "linux"]);
        assert_eq!(a.agg, Agg::Sum);
        let windows = a.marks[&(0, 0)];
        assert_eq!(
            windows,
            Mark {
                value: 8.0,
                rows: 3
            }
        );
        assert_eq!(a.explain(&windows), "8 = sum of 3 rows");
        assert_eq!(a.explain(&a.marks[&(1, 0)]), "1");
        assert_eq!(
            a.note().unwrap(),
            "4 rows share x values: each mark is the sum of its rows (2 marks)"
        );
        for (way, value) in [("avg", 4.0), ("min", 3.0), ("max", 5.0), ("count", 3.0)] {
            let spec: Spec = format!("bar:x=platform,y=failures,agg={way}")
                .parse()
                .unwrap();
            let a = aggregate(&spec, &columns, &rows).unwrap();
            assert_eq!(a.marks[&(0, 0)].value, value, "{way}");
        }
    }

    #[test]
    fn beyond_twelve_series_the_smallest_are_drawn_as_one() {
        let columns: Vec<String> = ["day", "suite", "failures"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let rows: Vec<Vec<Cell>> = (0..20)
            .map(|i| vec![t("d1"), t(&format!("s{i}")), Cell::Integer(i + 1)])
            .collect();
        let spec: Spec = "bar:x=day,y=failures,series=suite".parse().unwrap();
        let a = aggregate_most(&spec, &columns, &rows, 12).unwrap();
        assert_eq!(a.series.len(), 12);
        assert_eq!(a.series[11], "9 others");
        // The largest eleven stay: s19 down to s9.
        assert!(
            a.series[..11]
                .iter()
                .all(|s| s[1..].parse::<i32>().unwrap() >= 9)
        );
        // The others are s0..s8: 1 + 2 + … + 9.
        assert_eq!(a.marks[&(0, 11)].value, 45.0);
        assert_eq!(a.merged, 9);
        assert!(
            a.note()
                .unwrap()
                .contains("the 9 smallest series are drawn as one")
        );
    }

    #[test]
    fn rates_are_averaged_unless_told_otherwise() {
        assert_eq!(Agg::default_for("pass_rate_pct"), Agg::Mean);
        assert_eq!(Agg::default_for("avg_ms"), Agg::Mean);
        assert_eq!(Agg::default_for("failures"), Agg::Sum);
        assert_eq!(Agg::default_for("duration_ms"), Agg::Sum);
        let spec: Spec = "line:x=a,y=pass_rate,agg=max".parse().unwrap();
        assert_eq!(spec.agg(), Agg::Max);
        assert_eq!(spec.to_string(), "line:x=a,y=pass_rate,agg=max");
    }

    #[test]
    fn a_mark_of_nulls_has_no_value_but_counts_its_rows() {
        let columns = vec!["x".to_string(), "y".to_string()];
        let rows = vec![vec![t("a"), Cell::Null], vec![t("a"), Cell::Null]];
        let spec: Spec = "bar:x=x,y=y".parse().unwrap();
        let a = aggregate(&spec, &columns, &rows).unwrap();
        assert!(a.marks[&(0, 0)].value.is_nan());
        let spec: Spec = "bar:x=x,y=y,agg=count".parse().unwrap();
        assert_eq!(
            aggregate(&spec, &columns, &rows).unwrap().marks[&(0, 0)].value,
            2.0
        );
    }
}
