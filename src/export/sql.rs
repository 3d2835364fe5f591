//! Writing a database as an SQL dump in the dialect of `sqlite3 .dump`.
//!
//! The output is deterministic: tables in schema order, rows in rowid (or
//! primary key) order, values written the same way each time, so the same
//! database always gives the same bytes. The `sqlite3` shell and greenboard
//! both load it.

use std::fmt::Write as _;
use std::io::{self, Write};

use rusqlite::types::ValueRef;
use rusqlite::{Connection, ffi};

/// Errors while writing a dump.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// SQLite refused a query on the schema or a table.
    #[error("reading the database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// Writing the output failed.
    #[error("writing the dump: {0}")]
    Io(#[from] io::Error),
}

/// Writes the whole `main` database of `conn` to `out` as SQL text.
pub fn write_dump(conn: &Connection, out: &mut impl Write) -> Result<(), ExportError> {
    out.write_all(b"PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\n")?;
    let mut writable_schema = false;
    let tables: Vec<(String, String)> = conn
        .prepare(
            "SELECT name, sql FROM sqlite_schema WHERE sql NOT NULL AND type = 'table' \
             ORDER BY tbl_name = 'sqlite_sequence', rowid",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut line = String::new();
    for (name, sql) in &tables {
        if name == "sqlite_sequence" {
            out.write_all(b"DELETE FROM sqlite_sequence;\n")?;
        } else if name.starts_with("sqlite_") {
            continue;
        } else if sql.starts_with("CREATE VIRTUAL TABLE") {
            if !writable_schema {
                out.write_all(b"PRAGMA writable_schema=ON;\n")?;
                writable_schema = true;
            }
            line.clear();
            line.push_str(
                "INSERT INTO sqlite_schema(type,name,tbl_name,rootpage,sql)VALUES('table',",
            );
            push_quoted_plain(&mut line, name);
            line.push(',');
            push_quoted_plain(&mut line, name);
            line.push_str(",0,");
            push_quoted_plain(&mut line, sql);
            line.push_str(");\n");
            out.write_all(line.as_bytes())?;
            continue;
        } else {
            writeln!(out, "{sql};")?;
        }
        dump_rows(conn, name, out, &mut line)?;
    }
    let others: Vec<String> = conn
        .prepare(
            "SELECT sql FROM sqlite_schema WHERE sql NOT NULL \
             AND type IN ('index', 'trigger', 'view') ORDER BY rowid",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for sql in others {
        writeln!(out, "{sql};")?;
    }
    if writable_schema {
        out.write_all(b"PRAGMA writable_schema=OFF;\n")?;
    }
    out.write_all(b"COMMIT;\n")?;
    Ok(())
}

/// Writes `INSERT INTO name VALUES(...);` for every row of one table.
fn dump_rows(
    conn: &Connection,
    table: &str,
    out: &mut impl Write,
    line: &mut String,
) -> Result<(), ExportError> {
    let ident = quote_identifier(table);
    // Generated columns cannot be inserted: name the others when there are any.
    let columns: Vec<(String, bool)> = conn
        .prepare("SELECT name, hidden IN (2, 3) FROM pragma_table_xinfo(?1) WHERE hidden <> 1 ORDER BY cid")?
        .query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let (select, target) = if columns.iter().any(|(_, generated)| *generated) {
        let names: Vec<String> = columns
            .iter()
            .filter(|(_, generated)| !generated)
            .map(|(n, _)| quote_identifier(n))
            .collect();
        (names.join(","), format!("{ident}({})", names.join(",")))
    } else {
        ("*".to_string(), ident.clone())
    };
    let mut stmt = conn.prepare(&format!("SELECT {select} FROM {ident}"))?;
    let n = stmt.column_count();
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        line.clear();
        line.push_str("INSERT INTO ");
        line.push_str(&target);
        line.push_str(" VALUES(");
        for i in 0..n {
            if i > 0 {
                line.push(',');
            }
            push_value(line, row.get_ref(i)?);
        }
        line.push_str(");\n");
        out.write_all(line.as_bytes())?;
    }
    Ok(())
}

/// Appends an SQL literal for `v` that reads back as the same value.
pub fn push_value(out: &mut String, v: ValueRef<'_>) {
    match v {
        ValueRef::Null => out.push_str("NULL"),
        ValueRef::Integer(i) => push_int(out, i),
        ValueRef::Real(r) => push_real(out, r),
        ValueRef::Text(t) => match std::str::from_utf8(t) {
            Ok(s) if !t.contains(&0) => push_quoted(out, s),
            // Bytes that are not clean text keep their exact bytes.
            _ => {
                out.push_str("CAST(");
                push_blob(out, t);
                out.push_str(" AS TEXT)");
            }
        },
        ValueRef::Blob(b) => push_blob(out, b),
    }
}

/// An integer in decimal, without the formatting machinery (the hot path
/// of an export).
fn push_int(out: &mut String, i: i64) {
    let mut buf = [0u8; 20];
    let mut n = i.unsigned_abs();
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if i < 0 {
        out.push('-');
    }
    // SAFETY of unwrap: the buffer holds ASCII digits only.
    out.push_str(std::str::from_utf8(&buf[at..]).unwrap_or_default());
}

/// Reals in the shortest form that reads back as the same double, always
/// with a `.` or an exponent so that SQLite reads a real (`3.0`, `0.1`,
/// `1e16`, `-0.0`); infinities as `1e999`, as the sqlite3 shell writes them.
fn push_real(out: &mut String, r: f64) {
    if r.is_nan() {
        out.push_str("NULL");
    } else if r.is_infinite() {
        out.push_str(if r > 0.0 { "1e999" } else { "-1e999" });
    } else {
        let _ = write!(out, "{r:?}");
    }
}

fn push_blob(out: &mut String, b: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.reserve(b.len() * 2 + 3);
    out.push_str("X'");
    for byte in b {
        out.push(HEX[(byte >> 4) as usize] as char);
        out.push(HEX[(byte & 15) as usize] as char);
    }
    out.push('\'');
}

/// A string literal with quotes doubled, no other escaping.
fn push_quoted_plain(out: &mut String, s: &str) {
    out.push('\'');
    let mut rest = s;
    while let Some(i) = rest.find('\'') {
        out.push_str(&rest[..=i]);
        out.push('\'');
        rest = &rest[i + 1..];
    }
    out.push_str(rest);
    out.push('\'');
}

/// A string literal as the sqlite3 shell writes it: line breaks spelled out
/// with a marker and restored by `replace(..., char(10))`, so that each
/// statement stays on one line.
fn push_quoted(out: &mut String, s: &str) {
    let has_nl = s.as_bytes().contains(&b'\n');
    let has_cr = s.as_bytes().contains(&b'\r');
    if !has_nl && !has_cr {
        push_quoted_plain(out, s);
        return;
    }
    let nl = unused_marker(s, "\\n");
    let cr = unused_marker(s, "\\r");
    if has_nl {
        out.push_str("replace(");
    }
    if has_cr {
        out.push_str("replace(");
    }
    let mut body = s.to_string();
    if has_nl {
        body = body.replace('\n', &nl);
    }
    if has_cr {
        body = body.replace('\r', &cr);
    }
    push_quoted_plain(out, &body);
    if has_cr {
        let _ = write!(out, ",'{cr}',char(13))");
    }
    if has_nl {
        let _ = write!(out, ",'{nl}',char(10))");
    }
}

/// `base`, or `base` with a number added, that does not occur in `s`.
fn unused_marker(s: &str, base: &str) -> String {
    if !s.contains(base) {
        return base.to_string();
    }
    (1u32..)
        .map(|i| format!("{base}{i}"))
        .find(|m| !s.contains(m.as_str()))
        .unwrap_or_default()
}

/// A table name as it must appear in SQL: bare when it is a plain identifier
/// that is not a keyword, double-quoted otherwise.
pub fn quote_identifier(name: &str) -> String {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    // SAFETY: the pointer and length describe `name`'s bytes.
    let keyword = unsafe {
        ffi::sqlite3_keyword_check(name.as_ptr().cast(), name.len() as std::ffi::c_int) != 0
    };
    if plain && !keyword {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::load::{OnError, load_str};

    fn dump(conn: &Connection) -> String {
        let mut out = Vec::new();
        write_dump(conn, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn values_read_back_exactly() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE \"order\"(id INTEGER PRIMARY KEY AUTOINCREMENT, v);
             INSERT INTO \"order\"(v) VALUES (NULL), (-9223372036854775808), (9223372036854775807),
               (0.1), (1e300), (-2.5e-300), (3.0), (1e999), ('it''s; -- not'), ('a\nb\r\nc\\n'),
               (x'00ff10'), (''), ('☃ 🦀'), (CAST(x'610062' AS TEXT));",
        )
        .unwrap();
        let text = dump(&conn);
        assert!(
            text.contains("INSERT INTO \"order\" VALUES(1,NULL);"),
            "{text}"
        );
        assert!(text.contains(
            "DELETE FROM sqlite_sequence;\nINSERT INTO sqlite_sequence VALUES('order',14);"
        ));
        let copy = Connection::open_in_memory().unwrap();
        load_str(&copy, &text, OnError::Stop).unwrap();
        assert_eq!(dump(&copy), text, "export → load → export is identical");
        let same: i64 = copy
            .query_row(
                "SELECT count(*) FROM \"order\" WHERE v IS 0.1 OR v IS 1e300 OR v IS -2.5e-300 OR v = 'a\nb\r\nc\\n'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(same, 4);
    }

    #[test]
    fn identifiers_are_quoted_only_when_needed() {
        assert_eq!(quote_identifier("test_runs"), "test_runs");
        assert_eq!(quote_identifier("select"), "\"select\"");
        assert_eq!(quote_identifier("my table"), "\"my table\"");
        assert_eq!(quote_identifier("a\"b"), "\"a\"\"b\"");
    }
}
