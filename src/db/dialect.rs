//! Statements of other SQL dialects that SQLite cannot run as written, made
//! runnable where the meaning is clear. Used only for a statement SQLite has
//! refused, so dumps in SQLite's own dialect never pass through here.
//!
//! VibeSQL's `save_sql_dump` writes typed literals (`TIMESTAMP '…'`,
//! `DATE '…'`, `TIME '…'`, `INTERVAL '…'`), which become their strings;
//! index columns with `Ascending` / `Descending`, which become `ASC` /
//! `DESC`; and `CREATE SCHEMA` / `CREATE ROLE` / `GRANT` / `REVOKE`, which
//! SQLite has no use for and which are skipped (and listed).

/// What to do with a refused statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Translation {
    /// Nothing known to change: the refusal stands.
    None,
    /// Run this instead.
    Rewritten(String),
    /// Skip it, for this reason.
    Skip(&'static str),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    /// A bare word (keyword or identifier).
    Word,
    /// A string literal '…'.
    Str,
    /// Anything else: quoted identifiers, numbers, punctuation, blanks, comments.
    Other,
}

/// Splits SQL into (kind, byte range) tokens, enough to tell words and
/// strings from everything else.
fn tokens(sql: &str) -> Vec<(Token, std::ops::Range<usize>)> {
    let b = sql.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        let kind = match b[i] {
            b'\'' | b'"' | b'`' => {
                let q = b[i];
                i += 1;
                while i < b.len() {
                    if b[i] == q {
                        if b.get(i + 1) == Some(&q) {
                            i += 2;
                            continue;
                        }
                        i += 1;
                        break;
                    }
                    i += 1;
                }
                if q == b'\'' { Token::Str } else { Token::Other }
            }
            b'[' => {
                while i < b.len() && b[i] != b']' {
                    i += 1;
                }
                i = (i + 1).min(b.len());
                Token::Other
            }
            b'-' if b.get(i + 1) == Some(&b'-') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                Token::Other
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                    i += 1;
                }
                i = (i + 2).min(b.len());
                Token::Other
            }
            c if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 => {
                while i < b.len()
                    && (b[i].is_ascii_alphanumeric()
                        || b[i] == b'_'
                        || b[i] == b'$'
                        || b[i] >= 0x80)
                {
                    i += 1;
                }
                Token::Word
            }
            _ => {
                i += 1;
                Token::Other
            }
        };
        out.push((kind, start..i));
    }
    out
}

/// Makes a refused statement runnable, if it is one of the known cases.
pub fn translate(sql: &str) -> Translation {
    let toks = tokens(sql);
    let words: Vec<String> = toks
        .iter()
        .filter(|(k, _)| *k == Token::Word)
        .take(2)
        .map(|(_, r)| sql[r.clone()].to_ascii_uppercase())
        .collect();
    match words
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["CREATE", "SCHEMA"] => {
            return Translation::Skip("SQLite has no schemas (CREATE SCHEMA skipped)");
        }
        ["CREATE", "ROLE"] | ["DROP", "ROLE"] => {
            return Translation::Skip("SQLite has no roles (skipped)");
        }
        ["GRANT", _] | ["REVOKE", _] => {
            return Translation::Skip("SQLite has no privileges (skipped)");
        }
        _ => {}
    }
    let is_index = matches!(words.as_slice(), [c, _] if c == "CREATE")
        && toks
            .iter()
            .any(|(k, r)| *k == Token::Word && sql[r.clone()].eq_ignore_ascii_case("INDEX"));
    let mut out = String::with_capacity(sql.len());
    let mut changed = false;
    let mut i = 0;
    while i < toks.len() {
        let (kind, range) = &toks[i];
        let text = &sql[range.clone()];
        if *kind == Token::Word {
            let upper = text.to_ascii_uppercase();
            // A typed literal: the keyword, blanks, then a string.
            if matches!(upper.as_str(), "DATE" | "TIME" | "TIMESTAMP" | "INTERVAL") {
                let mut j = i + 1;
                while j < toks.len()
                    && toks[j].0 == Token::Other
                    && sql[toks[j].1.clone()].trim().is_empty()
                {
                    j += 1;
                }
                if j < toks.len() && toks[j].0 == Token::Str {
                    out.push_str(&sql[toks[j].1.clone()]);
                    changed = true;
                    i = j + 1;
                    continue;
                }
            }
            if is_index && (upper == "ASCENDING" || upper == "DESCENDING") {
                out.push_str(if upper == "ASCENDING" { "ASC" } else { "DESC" });
                changed = true;
                i += 1;
                continue;
            }
        }
        out.push_str(text);
        i += 1;
    }
    if changed {
        Translation::Rewritten(out)
    } else {
        Translation::None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_literals_become_strings() {
        assert_eq!(
            translate("INSERT INTO t VALUES (1, TIMESTAMP '2025-11-01 10:00:00', DATE  '2025-11-01', 'TIME ''x''', time '10:00');"),
            Translation::Rewritten(
                "INSERT INTO t VALUES (1, '2025-11-01 10:00:00', '2025-11-01', 'TIME ''x''', '10:00');".into()
            )
        );
        assert_eq!(
            translate("INSERT INTO t VALUES ('DATE ''2025''');"),
            Translation::None
        );
        assert_eq!(
            translate("SELECT \"date\" FROM t -- DATE '1'"),
            Translation::None
        );
    }

    #[test]
    fn index_directions_and_skips() {
        assert_eq!(
            translate("CREATE UNIQUE INDEX idx ON t (a Ascending, b Descending);"),
            Translation::Rewritten("CREATE UNIQUE INDEX idx ON t (a ASC, b DESC);".into())
        );
        assert_eq!(
            translate("CREATE TABLE t (Ascending INTEGER);"),
            Translation::None
        );
        assert!(matches!(
            translate("CREATE SCHEMA analytics;"),
            Translation::Skip(_)
        ));
        assert!(matches!(
            translate("create role reader;"),
            Translation::Skip(_)
        ));
        assert!(matches!(
            translate("GRANT SELECT ON t TO reader;"),
            Translation::Skip(_)
        ));
        assert_eq!(
            translate("INSERT INTO nowhere VALUES (1);"),
            Translation::None
        );
    }
}
