//! A GitHub-flavoured Markdown table; numbers right-aligned.

use crate::protocol::Cell;

fn escape(s: &str) -> String {
    s.replace('|', "\\|")
        .replace("\r\n", "<br>")
        .replace('\n', "<br>")
}

/// The answer as a Markdown table.
pub fn to_string(columns: &[String], rows: &[Vec<Cell>]) -> String {
    let numeric: Vec<bool> = (0..columns.len())
        .map(|i| {
            !rows.is_empty()
                && rows
                    .iter()
                    .all(|r| r.get(i).is_some_and(|c| c.is_number() || *c == Cell::Null))
        })
        .collect();
    let mut out = String::from("|");
    for c in columns {
        out.push_str(&format!(" {} |", escape(c)));
    }
    out.push_str("\n|");
    for n in &numeric {
        out.push_str(if *n { " ---: |" } else { " --- |" });
    }
    out.push('\n');
    for row in rows {
        out.push('|');
        for cell in row {
            let text = match cell {
                Cell::Null => "NULL".to_string(),
                other => escape(&super::plain(other)),
            };
            out.push_str(&format!(" {text} |"));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipes_and_newlines_are_escaped() {
        let md = to_string(
            &["a".into(), "n".into()],
            &[vec![Cell::Text("x|y\nz".into()), Cell::Integer(3)]],
        );
        assert_eq!(md, "| a | n |\n| --- | ---: |\n| x\\|y<br>z | 3 |\n");
    }
}
