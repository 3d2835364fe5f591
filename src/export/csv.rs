//! CSV as the `sqlite3` shell writes it in `.mode csv` with `.headers on`:
//! a header line, CRLF line ends, NULL as an empty field and the empty
//! string as `""`. A field is quoted when it holds a comma, a quote, an
//! apostrophe, a space, a control character or any non-ASCII character.
//! Reals are written as SQLite writes them as text (15 significant digits).

use crate::protocol::Cell;

/// Whether the shell quotes a field holding this byte.
fn needs_quote(b: u8) -> bool {
    b < 0x21 || b == b'"' || b == b'\'' || b == b',' || b >= 0x7f
}

fn field(out: &mut String, s: &str) {
    if s.is_empty() || s.bytes().any(needs_quote) {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

/// A real as SQLite turns it into text (`printf("%!.15g")`): 15 significant
/// digits, trailing zeros dropped but one digit kept after the point,
/// exponents below -4 and from 15 up in `1.5e+20` form.
pub fn sqlite_real(v: f64) -> String {
    if v.is_infinite() {
        return if v > 0.0 { "Inf" } else { "-Inf" }.to_string();
    }
    if v == 0.0 {
        return "0.0".to_string();
    }
    // 15 significant digits, rounded: d.dddddddddddddde±x.
    let sci = format!("{:.14e}", v);
    let (mantissa, exp) = sci.split_once('e').expect("exponent form");
    let exp: i32 = exp.parse().expect("an exponent");
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.trim_end_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    if !(-4..15).contains(&exp) {
        let (first, rest) = digits.split_at(1);
        let rest = if rest.is_empty() { "0" } else { rest };
        let e_sign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{first}.{rest}e{e_sign}{:02}", exp.abs());
    }
    let (int, frac) = if exp >= 0 {
        let point = exp as usize + 1;
        if digits.len() > point {
            (digits[..point].to_string(), digits[point..].to_string())
        } else {
            (format!("{digits:0<point$}"), String::new())
        }
    } else {
        (
            "0".to_string(),
            format!("{}{digits}", "0".repeat((-exp - 1) as usize)),
        )
    };
    let frac = if frac.is_empty() {
        "0".to_string()
    } else {
        frac
    };
    format!("{sign}{int}.{frac}")
}

fn text(cell: &Cell) -> Option<String> {
    match cell {
        Cell::Null => None,
        Cell::Real(r) => Some(sqlite_real(*r)),
        other => Some(super::plain(other)),
    }
}

/// The answer as CSV text.
pub fn to_string(columns: &[String], rows: &[Vec<Cell>]) -> String {
    let mut out = String::new();
    let mut line = |cells: &mut dyn Iterator<Item = Option<String>>| {
        for (i, c) in cells.enumerate() {
            if i > 0 {
                out.push(',');
            }
            if let Some(c) = c {
                field(&mut out, &c);
            }
        }
        out.push_str("\r\n");
    };
    line(&mut columns.iter().cloned().map(Some));
    for row in rows {
        line(&mut row.iter().map(text));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_what_the_shell_quotes() {
        let csv = to_string(
            &["a".into(), "b,c".into(), "d e".into()],
            &[
                vec![
                    Cell::Text("x \"y\"".into()),
                    Cell::Null,
                    Cell::Text(String::new()),
                ],
                vec![
                    Cell::Integer(-1),
                    Cell::Text("l1\nl2".into()),
                    Cell::Text("é".into()),
                ],
                vec![
                    Cell::Text("it's".into()),
                    Cell::Real(2.5),
                    Cell::Text("plain".into()),
                ],
            ],
        );
        assert_eq!(
            csv,
            "a,\"b,c\",\"d e\"\r\n\"x \"\"y\"\"\",,\"\"\r\n-1,\"l1\nl2\",\"é\"\r\n\"it's\",2.5,plain\r\n"
        );
    }

    #[cfg(not(target_family = "wasm"))]
    #[test]
    fn reals_read_as_the_shells() {
        let values = [
            0.0,
            1.0,
            -2.0,
            2.5,
            0.1,
            0.1 + 0.2,
            1.0 / 3.0,
            -2.0 / 3.0,
            99.43,
            1e20,
            1.5e-5,
            0.0001,
            0.00012345,
            123456789012345.0,
            1234567890123456.0,
            1e15,
            1e14,
            -1e-300,
            f64::MAX,
            6.02214076e23,
            42.000000000000001,
        ];
        let sql = values
            .iter()
            .map(|v| format!("{v:?}"))
            .collect::<Vec<_>>()
            .join(", ");
        let shell = std::process::Command::new("sqlite3")
            .args(["-batch", "-csv", ":memory:", &format!("SELECT {sql};")])
            .output()
            .expect("the sqlite3 shell must be installed (the README's test command installs it)");
        assert!(shell.status.success());
        let expected = String::from_utf8(shell.stdout).unwrap();
        let ours: Vec<String> = values.iter().map(|v| sqlite_real(*v)).collect();
        assert_eq!(ours.join(","), expected.trim_end());
    }
}
