//! An aligned text table for terminals: a header, a rule, numbers
//! right-aligned, NULL written as `NULL`, line breaks shown as `↵`.

use crate::protocol::Cell;

/// The answer as aligned text.
pub fn to_string(columns: &[String], rows: &[Vec<Cell>]) -> String {
    let text: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Cell::Null => "NULL".to_string(),
                    other => super::plain(other).replace("\r\n", "↵").replace('\n', "↵"),
                })
                .collect()
        })
        .collect();
    let width = |i: usize| {
        text.iter()
            .map(|r| r[i].chars().count())
            .chain([columns[i].chars().count()])
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..columns.len()).map(width).collect();
    let numeric: Vec<bool> = (0..columns.len())
        .map(|i| rows.iter().all(|r| r[i].is_number() || r[i] == Cell::Null))
        .collect();
    let mut out = String::new();
    let line = |out: &mut String, cells: &[String], align: &[bool]| {
        let parts: Vec<String> = cells
            .iter()
            .zip(&widths)
            .zip(align)
            .map(|((c, w), right)| {
                let pad = w - c.chars().count();
                if *right {
                    format!("{}{c}", " ".repeat(pad))
                } else {
                    format!("{c}{}", " ".repeat(pad))
                }
            })
            .collect();
        out.push_str(parts.join("  ").trim_end());
        out.push('\n');
    };
    line(&mut out, columns, &numeric);
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    line(&mut out, &rule, &numeric);
    for r in &text {
        line(&mut out, r, &numeric);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_line_up() {
        let t = to_string(
            &["name".into(), "n".into()],
            &[
                vec![Cell::Text("main".into()), Cell::Integer(135)],
                vec![Cell::Text("a\nb".into()), Cell::Null],
            ],
        );
        assert_eq!(t, "name     n\n----  ----\nmain   135\na↵b   NULL\n");
    }
}
