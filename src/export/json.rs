//! JSON: an array with one object per row, keys in column order. Integers
//! stay exact, NULL is `null`, blobs are hex strings.

use std::fmt::Write as _;

use crate::protocol::Cell;

fn string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn value(out: &mut String, cell: &Cell) {
    match cell {
        Cell::Null => out.push_str("null"),
        Cell::Integer(i) => {
            let _ = write!(out, "{i}");
        }
        Cell::Real(r) if r.is_finite() => {
            let _ = write!(out, "{r:?}");
        }
        Cell::Real(_) => out.push_str("null"),
        Cell::Text(t) => string(out, t),
        Cell::Blob(b) => string(out, &super::hex(b)),
    }
}

/// The answer as a JSON array of objects, one row per line.
pub fn to_string(columns: &[String], rows: &[Vec<Cell>]) -> String {
    let mut out = String::from("[");
    for (r, row) in rows.iter().enumerate() {
        out.push_str(if r == 0 { "\n  {" } else { ",\n  {" });
        for (i, (col, cell)) in columns.iter().zip(row).enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            string(&mut out, col);
            out.push_str(": ");
            value(&mut out, cell);
        }
        out.push('}');
    }
    out.push_str(if rows.is_empty() { "]\n" } else { "\n]\n" });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_keep_their_types() {
        let json = to_string(
            &["i".into(), "r".into(), "t".into(), "n".into()],
            &[vec![
                Cell::Integer(i64::MIN),
                Cell::Real(0.5),
                Cell::Text("a\"\n\u{1}".into()),
                Cell::Null,
            ]],
        );
        assert_eq!(
            json,
            "[\n  {\"i\": -9223372036854775808, \"r\": 0.5, \"t\": \"a\\\"\\n\\u0001\", \"n\": null}\n]\n"
        );
        assert_eq!(to_string(&["x".into()], &[]), "[]\n");
    }
}
