//! RFC 4180 CSV: a header line, CRLF line ends, fields quoted when they
//! hold a comma, a quote or a line break. NULL is an empty field.

use crate::protocol::Cell;

fn field(out: &mut String, s: &str) {
    if s.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

/// The answer as CSV text.
pub fn to_string(columns: &[String], rows: &[Vec<Cell>]) -> String {
    let mut out = String::new();
    let mut line = |cells: &mut dyn Iterator<Item = String>| {
        for (i, c) in cells.enumerate() {
            if i > 0 {
                out.push(',');
            }
            field(&mut out, &c);
        }
        out.push_str("\r\n");
    };
    line(&mut columns.iter().cloned());
    for row in rows {
        line(&mut row.iter().map(super::plain));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_what_needs_it() {
        let csv = to_string(
            &["a".into(), "b,c".into()],
            &[
                vec![Cell::Text("x \"y\"".into()), Cell::Null],
                vec![Cell::Integer(-1), Cell::Text("l1\nl2".into())],
            ],
        );
        assert_eq!(csv, "a,\"b,c\"\r\n\"x \"\"y\"\"\",\r\n-1,\"l1\nl2\"\r\n");
    }
}
