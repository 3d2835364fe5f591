//! The common statement of a dump, `INSERT INTO t VALUES(1,'a',NULL);`,
//! recognised without SQLite's parser, so that one prepared statement per
//! table can take every row's values as parameters.
//!
//! Compiling each of a dump's hundreds of thousands of INSERTs costs about as
//! much as running it. [`parse`] reads only the plainest form: a name, an
//! optional column list, one row of literals, each of them NULL, an integer
//! that fits in 64 bits, a float whose digits make an integer below 2^53
//! with a power of ten up to 10^22 (the value is then one correctly rounded
//! operation on exact doubles, the closest double, which SQLite gives too),
//! a string or a blob, then `;`. These literals mean exactly what the bound
//! values mean. Anything else (a float of 17 digits, say, an expression, a
//! comment, several rows, `OR REPLACE`, `RETURNING`) gives `None` and goes
//! to SQLite's parser as written, as does a statement whose shortcut fails,
//! so that errors are SQLite's own.

use std::ops::Range;

/// A literal of an INSERT's row. Text and blobs are places in the statement.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `NULL`.
    Null,
    /// An integer literal that fits in an i64.
    Integer(i64),
    /// A float literal whose value is certain (see [`parse`]).
    Real(f64),
    /// A string literal's content (between the quotes); `quotes` when it
    /// holds doubled quotes (`''`) that [`unquote`] undoes.
    Text {
        /// Where the content lies.
        range: Range<usize>,
        /// Whether it contains `''`.
        quotes: bool,
    },
    /// A blob literal's hex digits (`X'00ff'`), checked: an even number of
    /// hex digits, which [`unhex`] decodes.
    Blob(Range<usize>),
}

/// A recognised INSERT statement (its row goes to the caller's vector).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Insert {
    /// Length of the text up to and including the `(` that opens the row,
    /// e.g. `INSERT INTO t VALUES(`: with `?` placeholders and `)` it makes
    /// the statement that takes the row.
    pub head: usize,
    /// Bytes of the statement, its `;` included.
    pub len: usize,
    /// The number of values in its row.
    pub values: usize,
}

/// Longest INSERT head (name and column list) taken.
const MAX_HEAD: usize = 1024;

/// Reads the INSERT statement at byte `at` of `text` (no leading blanks), if
/// it has the plainest form and ends, with its `;`, inside `text`. Its
/// literals are appended to `row`, their places counted from the start of
/// `text`; `row` is left as it was when the statement is not taken.
/// `known_head`, the head of the previous statement, saves reading it again
/// when this one starts alike.
pub fn parse(
    text: &str,
    at: usize,
    known_head: Option<&str>,
    row: &mut Vec<Literal>,
) -> Option<Insert> {
    let before = row.len();
    let found = parse_at(text.as_bytes(), at, known_head, row);
    if found.is_none() {
        row.truncate(before);
    }
    found.map(|(head, len)| Insert {
        head,
        len,
        values: row.len() - before,
    })
}

fn parse_at(
    b: &[u8],
    at: usize,
    known_head: Option<&str>,
    row: &mut Vec<Literal>,
) -> Option<(usize, usize)> {
    let head = match known_head {
        Some(h) if b[at..].starts_with(h.as_bytes()) => h.len(),
        _ => head(&b[at..])?,
    };
    let i = list(b, at + head, |i| literal(b, i, row))?;
    let i = skip_spaces(b, i);
    (b.get(i) == Some(&b';')).then_some((head, i + 1 - at))
}

/// Reads `item, item, …)` from `i` (blanks allowed around each item);
/// gives the position after the `)`.
fn list(b: &[u8], mut i: usize, mut item: impl FnMut(usize) -> Option<usize>) -> Option<usize> {
    loop {
        i = skip_spaces(b, item(skip_spaces(b, i))?);
        match b.get(i)? {
            b',' => i += 1,
            b')' => return Some(i + 1),
            _ => return None,
        }
    }
}

/// A string literal's content with its doubled quotes undone.
pub fn unquote(content: &str) -> String {
    content.replace("''", "'")
}

/// A blob literal's bytes, from the hex digits [`parse`] checked.
pub fn unhex(digits: &str, out: &mut Vec<u8>) {
    out.clear();
    out.extend(
        digits
            .as_bytes()
            .chunks_exact(2)
            .map(|p| nibble(p[0]) << 4 | nibble(p[1])),
    );
}

fn nibble(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        _ => c.wrapping_sub(b'A').wrapping_add(10),
    }
}

/// Length of `INSERT INTO name [(columns)] VALUES(`, if the text starts so.
fn head(b: &[u8]) -> Option<usize> {
    let mut i = keyword(b, 0, b"INSERT")?;
    i = keyword(b, spaces1(b, i)?, b"INTO")?;
    i = spaces1(b, i)?;
    // The name, perhaps schema-qualified.
    loop {
        i = name(b, i)?;
        if b.get(i) != Some(&b'.') {
            break;
        }
        i += 1;
    }
    i = skip_spaces(b, i);
    if b.get(i) == Some(&b'(') {
        i = skip_spaces(b, list(b, i + 1, |i| name(b, i))?);
    }
    i = keyword(b, i, b"VALUES")?;
    i = skip_spaces(b, i);
    (b.get(i) == Some(&b'(') && i < MAX_HEAD).then_some(i + 1)
}

/// The position after `word` (any case) at `i`, if it is there as a whole word.
fn keyword(b: &[u8], i: usize, word: &[u8]) -> Option<usize> {
    let end = i + word.len();
    let found = b.get(i..end)?.eq_ignore_ascii_case(word);
    (found && !b.get(end).is_some_and(|&c| is_ident(c))).then_some(end)
}

/// The position after a bare or double-quoted identifier at `i`.
fn name(b: &[u8], i: usize) -> Option<usize> {
    match *b.get(i)? {
        b'"' => {
            // No doubled quotes, which would need undoing.
            let len = b[i + 1..].iter().position(|&c| c == b'"')?;
            (len > 0 && len < MAX_HEAD).then_some(i + 1 + len + 1)
        }
        c if is_ident(c) && !c.is_ascii_digit() => {
            let len = b[i..].iter().take_while(|&&c| is_ident(c)).count();
            Some(i + len)
        }
        _ => None,
    }
}

/// A byte of a bare identifier (`$` left out: it also starts a parameter).
fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80
}

fn skip_spaces(b: &[u8], mut i: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r' | b'\x0c') = b.get(i) {
        i += 1;
    }
    i
}

/// At least one blank, then the position after the blanks.
fn spaces1(b: &[u8], i: usize) -> Option<usize> {
    let j = skip_spaces(b, i);
    (j > i).then_some(j)
}

/// Reads the literal at `i` into `row`; gives the position after it.
fn literal(b: &[u8], i: usize, row: &mut Vec<Literal>) -> Option<usize> {
    match *b.get(i)? {
        b'\'' => {
            let (end, quotes) = string(b, i)?;
            row.push(Literal::Text {
                range: i + 1..end - 1,
                quotes,
            });
            Some(end)
        }
        b'x' | b'X' if b.get(i + 1) == Some(&b'\'') => {
            let (end, _) = string(b, i + 1)?;
            let digits = &b[i + 2..end - 1];
            if !digits.len().is_multiple_of(2) || !digits.iter().all(u8::is_ascii_hexdigit) {
                return None;
            }
            row.push(Literal::Blob(i + 2..end - 1));
            Some(end)
        }
        b'n' | b'N' => {
            let end = keyword(b, i, b"NULL")?;
            row.push(Literal::Null);
            Some(end)
        }
        b'-' | b'0'..=b'9' => {
            let negative = b[i] == b'-';
            let digits_from = i + usize::from(negative);
            let mut end = digits_from;
            // Accumulated negatively, so that i64::MIN fits; too large for
            // an i64, it is not taken (SQLite makes it a float).
            let mut n: Option<i64> = Some(0);
            while let Some(&c @ b'0'..=b'9') = b.get(end) {
                n = n
                    .and_then(|n| n.checked_mul(10))
                    .and_then(|n| n.checked_sub(i64::from(c - b'0')));
                end += 1;
            }
            if end == digits_from {
                return None;
            }
            if let Some(b'.' | b'e' | b'E') = b.get(end) {
                return real(b, i, digits_from, row);
            }
            // A hex integer or a name right after the digits is SQLite's to read.
            if b.get(end).is_some_and(|&c| is_ident(c)) {
                return None;
            }
            row.push(Literal::Integer(if negative {
                n?
            } else {
                n?.checked_neg()?
            }));
            Some(end)
        }
        _ => None,
    }
}

/// Reads the float literal at `i` (its digits start at `digits_from`) into
/// `row`, if its value is certain: digits that make an integer below 2^53
/// and a power of ten up to 10^22 are both exact doubles, and one
/// multiplication or division rounds them once, to the closest double, as
/// SQLite does. Other floats are left to SQLite. Gives the position after it.
fn real(b: &[u8], i: usize, digits_from: usize, row: &mut Vec<Literal>) -> Option<usize> {
    let mut mantissa: u64 = 0;
    let mut scale: i64 = 0;
    let mut end = digits_from;
    let mut point = false;
    while let Some(&c) = b.get(end) {
        match c {
            b'0'..=b'9' => {
                mantissa = mantissa.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
                scale -= i64::from(point);
            }
            b'.' if !point => point = true,
            _ => break,
        }
        end += 1;
    }
    if let Some(b'e' | b'E') = b.get(end) {
        end += 1;
        let negative = b.get(end) == Some(&b'-');
        if let Some(b'+' | b'-') = b.get(end) {
            end += 1;
        }
        let from = end;
        let mut exponent: i64 = 0;
        while let Some(&c @ b'0'..=b'9') = b.get(end) {
            exponent = (exponent * 10 + i64::from(c - b'0')).min(100_000);
            end += 1;
        }
        if end == from {
            return None;
        }
        scale += if negative { -exponent } else { exponent };
    }
    if b.get(end).is_some_and(|&c| is_ident(c) || c == b'.') || mantissa >= 1 << 53 {
        return None;
    }
    const POW10: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];
    let m = mantissa as f64;
    let magnitude = match scale {
        _ if mantissa == 0 => 0.0,
        0..=22 => m * POW10[scale as usize],
        -22..=-1 => m / POW10[(-scale) as usize],
        _ => return None,
    };
    row.push(Literal::Real(if b[i] == b'-' {
        -magnitude
    } else {
        magnitude
    }));
    Some(end)
}

/// The string literal whose opening quote is at `i`: the position after its
/// closing quote, and whether it holds doubled quotes.
fn string(b: &[u8], i: usize) -> Option<(usize, bool)> {
    let mut j = i + 1;
    let mut quotes = false;
    loop {
        let q = j + b[j..].iter().position(|&c| c == b'\'' || c == 0)?;
        if b[q] == 0 {
            // SQLite's text ends at a NUL: leave such a statement to it.
            return None;
        }
        if b.get(q + 1) == Some(&b'\'') {
            quotes = true;
            j = q + 2;
            continue;
        }
        return Some((q + 1, quotes));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The row as it would be bound.
    #[derive(Debug, PartialEq)]
    enum V {
        Null,
        Int(i64),
        Real(f64),
        Text(String),
        Blob(Vec<u8>),
    }

    fn values(sql: &str) -> Option<Vec<V>> {
        let mut row = Vec::new();
        let ins = parse(sql, 0, None, &mut row)?;
        assert_eq!(ins.values, row.len());
        Some(
            row.into_iter()
                .map(|l| match l {
                    Literal::Null => V::Null,
                    Literal::Integer(i) => V::Int(i),
                    Literal::Real(f) => V::Real(f),
                    Literal::Text { range, quotes } => V::Text(if quotes {
                        unquote(&sql[range])
                    } else {
                        sql[range].to_string()
                    }),
                    Literal::Blob(range) => {
                        let mut out = Vec::new();
                        unhex(&sql[range], &mut out);
                        V::Blob(out)
                    }
                })
                .collect(),
        )
    }

    #[test]
    fn reads_the_rows_of_sqlite3_dump() {
        let sql = "INSERT INTO test_results VALUES(44,1,'it''s','gfx',NULL,-46,X'00fF');\nINSERT";
        let ins = parse(sql, 0, None, &mut Vec::new()).unwrap();
        assert_eq!(&sql[..ins.head], "INSERT INTO test_results VALUES(");
        assert_eq!(&sql[..ins.len], &sql[..sql.len() - 7]);
        assert_eq!(
            values(sql).unwrap(),
            vec![
                V::Int(44),
                V::Int(1),
                V::Text("it's".into()),
                V::Text("gfx".into()),
                V::Null,
                V::Int(-46),
                V::Blob(vec![0, 255]),
            ]
        );
    }

    #[test]
    fn a_known_head_is_not_read_again_and_rows_are_appended() {
        let head = "INSERT INTO t VALUES(";
        let text =
            "INSERT INTO t VALUES(1);INSERT INTO u VALUES(2,'x');INSERT INTO u VALUES(0x15);";
        let mut row = Vec::new();
        let ins = parse(text, 0, Some(head), &mut row).unwrap();
        assert_eq!((ins.head, ins.len, ins.values), (head.len(), 24, 1));
        // Another head is read in full; places count from the start of the text.
        let ins = parse(text, 24, Some(head), &mut row).unwrap();
        assert_eq!((ins.head, ins.values, row.len()), (21, 2, 3));
        match &row[2] {
            Literal::Text { range, .. } => assert_eq!(&text[range.clone()], "x"),
            other => panic!("{other:?}"),
        }
        // A statement not taken leaves the row as it was.
        assert!(parse(text, 24 + ins.len, Some(head), &mut row).is_none());
        assert_eq!(row.len(), 3);
    }

    #[test]
    fn reads_quoted_names_column_lists_and_blanks() {
        let sql = "insert into \"my table\" (a, \"b c\")\n values ( 1 , 'x;y' ) ;";
        let ins = parse(sql, 0, None, &mut Vec::new()).unwrap();
        assert_eq!(
            &sql[..ins.head],
            "insert into \"my table\" (a, \"b c\")\n values ("
        );
        assert_eq!(values(sql).unwrap().len(), 2);
        assert_eq!(
            values("INSERT INTO main.t VALUES('');"),
            Some(vec![V::Text(String::new())])
        );
    }

    #[test]
    fn leaves_everything_else_to_sqlite() {
        for sql in [
            "INSERT INTO t VALUES(0.1234567890123456789);",
            "INSERT INTO t VALUES(1e400);",
            "INSERT INTO t VALUES(1e-320);",
            "INSERT INTO t VALUES(1e99999999999999999999);",
            "INSERT INTO t VALUES(1e);",
            "INSERT INTO t VALUES(1.5.);",
            "INSERT INTO t VALUES(.5);",
            "INSERT INTO t VALUES(1.5x);",
            "INSERT INTO t VALUES(0x10);",
            "INSERT INTO t VALUES(9223372036854775808);",
            "INSERT INTO t VALUES(-9223372036854775809);",
            "INSERT INTO t VALUES(99999999999999999999);",
            "INSERT INTO t VALUES(- 1);",
            "INSERT INTO t VALUES(+1);",
            "INSERT INTO t VALUES(-);",
            "INSERT INTO t VALUES(replace('a\\nb','\\n',char(10)));",
            "INSERT INTO t VALUES(1),(2);",
            "INSERT INTO t VALUES(1) RETURNING *;",
            "INSERT INTO t VALUES(1) -- c\n;",
            "INSERT INTO t VALUES(1 /* c */);",
            "INSERT INTO t VALUES(X'abc');",
            "INSERT INTO t VALUES(X'zz');",
            "INSERT INTO t VALUES(TRUE);",
            "INSERT INTO t VALUES(NULLS);",
            "INSERT INTO t VALUES(?);",
            "INSERT INTO t VALUES(:a);",
            "INSERT INTO t VALUES('a\0b');",
            "INSERT INTO t VALUES('unfinished);",
            "INSERT INTO t VALUES(1)",
            "INSERT INTO t VALUES();",
            "INSERT OR REPLACE INTO t VALUES(1);",
            "INSERT INTO t SELECT 1;",
            "INSERT INTO \"a\"\"b\" VALUES(1);",
            "INSERT INTO [t] VALUES(1);",
            "INSERTINTO t VALUES(1);",
            "INSERT INTO t DEFAULT VALUES;",
            "REPLACE INTO t VALUES(1);",
        ] {
            assert_eq!(values(sql), None, "{sql}");
        }
    }

    #[test]
    fn takes_the_floats_sqlite_reads_exactly() {
        assert_eq!(
            values("INSERT INTO t VALUES(1.5,-2.5e-3,1.0e+22,0.000,1.,007.25,-0.0,1E2);"),
            Some(vec![
                V::Real(1.5),
                V::Real(-0.0025),
                V::Real(1e22),
                V::Real(0.0),
                V::Real(1.0),
                V::Real(7.25),
                V::Real(-0.0),
                V::Real(100.0),
            ])
        );
        // Digits beyond 2^53, or a power of ten beyond 10^22: SQLite's.
        assert!(values("INSERT INTO t VALUES(900719925474099.1);").is_some());
        assert!(values("INSERT INTO t VALUES(900719925474099.2);").is_none());
        assert!(values("INSERT INTO t VALUES(0.30000000000000004);").is_none());
        assert!(values("INSERT INTO t VALUES(1e22);").is_some());
        assert!(values("INSERT INTO t VALUES(1e23);").is_none());
        assert!(values("INSERT INTO t VALUES(1.5e-22);").is_none());
    }

    #[test]
    fn takes_the_extreme_integers() {
        assert_eq!(
            values("INSERT INTO t VALUES(-9223372036854775808,9223372036854775807,007,-0);"),
            Some(vec![
                V::Int(i64::MIN),
                V::Int(i64::MAX),
                V::Int(7),
                V::Int(0)
            ])
        );
    }
}
