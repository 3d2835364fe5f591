//! Export → load → export gives the same bytes, and the same values, for
//! every value SQLite can hold and every kind of schema object.

#![cfg(not(target_family = "wasm"))]

use greenboard::db::load::{OnError, load_str};
use greenboard::export::sql::write_dump;
use proptest::prelude::*;
use rusqlite::Connection;
use rusqlite::types::{Value, ValueRef};

mod scratch;
use scratch::Scratch;

fn dump(conn: &Connection) -> String {
    let mut out = Vec::new();
    write_dump(conn, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// What a value is, exactly: its type, and its bytes or bits.
fn exact(conn: &Connection, table: &str) -> Vec<(i64, String)> {
    let mut stmt = conn
        .prepare(&format!(
            "SELECT rowid, v FROM \"{}\" ORDER BY rowid",
            table.replace('"', "\"\"")
        ))
        .unwrap();
    stmt.query_map([], |r| {
        let shown = match r.get_ref(1)? {
            ValueRef::Real(f) => format!("real {:016x}", f.to_bits()),
            ValueRef::Text(b) => format!("text {b:?}"),
            ValueRef::Blob(b) => format!("blob {b:?}"),
            ValueRef::Integer(i) => format!("integer {i}"),
            ValueRef::Null => "null".to_string(),
        };
        Ok((r.get(0)?, shown))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

#[derive(Debug, Clone)]
enum V {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    /// Bytes stored as TEXT that are not valid UTF-8.
    RawText(Vec<u8>),
    Blob(Vec<u8>),
}

fn value() -> impl Strategy<Value = V> {
    prop_oneof![
        Just(V::Null),
        any::<i64>().prop_map(V::Int),
        prop_oneof![Just(i64::MIN), Just(i64::MAX), Just(0i64)].prop_map(V::Int),
        any::<f64>()
            .prop_filter("NaN is stored as NULL", |f| !f.is_nan())
            .prop_map(V::Real),
        prop_oneof![
            Just(f64::INFINITY),
            Just(f64::NEG_INFINITY),
            Just(-0.0),
            Just(f64::MIN_POSITIVE),
            Just(5e-324),
            Just(f64::MAX),
            Just(9.5e15),
            Just(0.1)
        ]
        .prop_map(V::Real),
        any::<String>().prop_map(V::Text),
        prop::collection::vec(
            prop_oneof![
                Just("'"),
                Just(";"),
                Just("--"),
                Just("\n"),
                Just("\r\n"),
                Just("\\n"),
                Just("\0"),
                Just("/*"),
                Just("é☃🦀"),
                Just("x")
            ],
            0..12
        )
        .prop_map(|parts| V::Text(parts.concat())),
        prop::collection::vec(any::<u8>(), 0..40).prop_map(V::RawText),
        prop::collection::vec(any::<u8>(), 0..40).prop_map(V::Blob),
    ]
}

fn build(values: &[V], name: &str) -> Connection {
    let conn = Connection::open_in_memory().unwrap();
    let t = name.replace('"', "\"\"");
    conn.execute_batch(&format!(
        "CREATE TABLE \"{t}\"(v);
         CREATE TABLE log(id INTEGER PRIMARY KEY AUTOINCREMENT, what TEXT, twice ANY GENERATED ALWAYS AS (what || what) VIRTUAL);
         CREATE INDEX \"{t} index\" ON \"{t}\"(v);
         CREATE VIEW \"{t} view\" AS SELECT typeof(v) AS kind, count(*) AS n FROM \"{t}\" GROUP BY 1;
         CREATE TRIGGER \"{t} trigger\" AFTER INSERT ON \"{t}\" BEGIN INSERT INTO log(what) VALUES ('row; ' || new.rowid); END;
         CREATE VIRTUAL TABLE notes USING fts5(body);
         INSERT INTO notes VALUES ('flaky timeout; see run 7'), ('segfault in render');"
    ))
    .unwrap();
    let sql = format!("INSERT INTO \"{t}\"(v) VALUES (?1)");
    for v in values {
        match v {
            V::Null => conn.execute(&sql, [Value::Null]),
            V::Int(i) => conn.execute(&sql, [Value::Integer(*i)]),
            V::Real(f) => conn.execute(&sql, [Value::Real(*f)]),
            V::Text(s) => conn.execute(&sql, [Value::Text(s.clone())]),
            V::Blob(b) => conn.execute(&sql, [Value::Blob(b.clone())]),
            V::RawText(b) => conn.execute(
                &format!("INSERT INTO \"{t}\"(v) VALUES (CAST(?1 AS TEXT))"),
                [Value::Blob(b.clone())],
            ),
        }
        .unwrap();
    }
    conn
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn export_load_export_is_identical(
        values in prop::collection::vec(value(), 0..30),
        name in prop_oneof![Just("results".to_string()), Just("select".to_string()), Just("my \"odd\" table;".to_string()), "[a-z][a-z0-9_]{0,8}"],
    ) {
        let original = build(&values, &name);
        let first = dump(&original);
        let copy = Connection::open_in_memory().unwrap();
        let stats = load_str(&copy, &first, OnError::Stop).unwrap();
        prop_assert!(stats.failed.is_empty());
        let second = dump(&copy);
        prop_assert_eq!(&first, &second);
        prop_assert_eq!(exact(&original, &name), exact(&copy, &name));
        // The objects came back and work: the view counts, the trigger fires, FTS5 matches.
        let n: i64 = copy.query_row(&format!("SELECT COALESCE(SUM(n), 0) FROM \"{} view\"", name.replace('"', "\"\"")), [], |r| r.get(0)).unwrap();
        prop_assert_eq!(n as usize, values.len());
        let hits: i64 = copy.query_row("SELECT count(*) FROM notes WHERE notes MATCH 'timeout'", [], |r| r.get(0)).unwrap();
        prop_assert_eq!(hits, 1);
    }
}

#[test]
fn the_sqlite3_shell_loads_the_dump_to_the_same_values() {
    if std::process::Command::new("sqlite3")
        .arg("--version")
        .output()
        .is_err()
    {
        panic!("the sqlite3 shell must be installed (the README's test command installs it)");
    }
    let values = [
        V::Null,
        V::Int(i64::MIN),
        V::Int(i64::MAX),
        V::Real(0.1),
        V::Real(-0.0),
        V::Real(1e300),
        V::Real(f64::INFINITY),
        V::Text("it's; -- a\r\nb\\n\u{1}é".into()),
        V::Blob(vec![0, 1, 255]),
    ];
    let original = build(&values, "t");
    let text = dump(&original);
    let dir = Scratch::new("rt-shell");
    let db = dir.join("shell.db");
    let mut child = std::process::Command::new("sqlite3")
        .arg(&db)
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let shell = Connection::open(&db).unwrap();
    assert_eq!(exact(&original, "t"), exact(&shell, "t"));
    assert_eq!(dump(&shell), text);
}

/// A literal as a dump might spell it: most are read by the loader's
/// shortcut for plain INSERTs, the rest (floats, out-of-range integers,
/// expressions) by SQLite's parser.
fn literal() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|i| i.to_string()),
        prop_oneof![
            Just("-9223372036854775808"),
            Just("9223372036854775807"),
            Just("9223372036854775808"),
            Just("-9223372036854775809"),
            Just("007"),
            Just("-0"),
            Just("0x1F"),
            Just("1.5"),
            Just("-2.5e-3"),
            Just("1e400"),
            Just("NULL"),
            Just("null"),
            Just("''"),
            Just("x''"),
            Just("X'00fF'"),
            Just("'12'"),
            Just("' 12 '"),
            Just("'1.50'"),
            Just("'it''s; -- /* x'"),
            Just("'é☃🦀\n'"),
            Just("replace('a\\nb','\\n',char(10))"),
            Just("- 3"),
            Just("TRUE"),
        ]
        .prop_map(str::to_string),
        prop::collection::vec(any::<u8>(), 0..8).prop_map(|b| format!(
            "x'{}'",
            b.iter().map(|x| format!("{x:02x}")).collect::<String>()
        )),
        "[a-z';]{0,6}".prop_map(|s| format!("'{}'", s.replace('\'', "''"))),
    ]
}

/// A float as dumps write it: a short decimal (`12.5`, `-0.0031`,
/// `4.25e-7`), the shortest text of any double, or one with 17 or 19
/// significant digits (the last two mostly beyond the loader's shortcut).
fn float_literal() -> impl Strategy<Value = String> {
    prop_oneof![
        (any::<i32>(), 0..9usize, -30..30i32, any::<bool>()).prop_map(|(m, frac, e, exp)| {
            let digits = m.unsigned_abs().to_string();
            let sign = if m < 0 { "-" } else { "" };
            let (whole, part) = digits.split_at(digits.len().saturating_sub(frac));
            let whole = if whole.is_empty() { "0" } else { whole };
            match exp {
                true => format!("{sign}{whole}.{part}e{e}"),
                false => format!("{sign}{whole}.{part}"),
            }
        }),
        (
            any::<f64>().prop_filter("a literal", |f| f.is_finite()),
            0..4u8,
        )
            .prop_map(|(f, form)| match form {
                0 => format!("{f:?}"),
                1 => format!("{f:e}"),
                2 => format!("{f:.16e}"),
                _ => format!("{f:.18e}"),
            }),
    ]
}

/// A literal the loader's shortcut reads.
fn plain_literal() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|i| i.to_string()),
        float_literal(),
        Just("NULL".to_string()),
        "[a-z';]{0,6}".prop_map(|s| format!("'{}'", s.replace('\'', "''"))),
        prop::collection::vec(any::<u8>(), 0..4).prop_map(|b| format!(
            "X'{}'",
            b.iter().map(|x| format!("{x:02X}")).collect::<String>()
        )),
    ]
}

/// A row: mostly of plain literals (so that runs of them are loaded
/// together), its first value often repeated (so that some fail).
fn row() -> impl Strategy<Value = Vec<String>> {
    (
        prop_oneof![3 => (0..12i64).prop_map(|i| i.to_string()), 1 => literal()],
        prop_oneof![
            9 => prop::collection::vec(plain_literal(), 5),
            1 => prop::collection::vec(literal(), 5),
        ],
    )
        .prop_map(|(a, mut rest)| {
            rest.insert(0, a);
            rest
        })
}

/// An INSERT of one row into `t`, spelt one of several ways.
fn insert() -> impl Strategy<Value = String> {
    (
        row(),
        prop_oneof![
            8 => Just("INSERT INTO t VALUES("),
            1 => Just("insert into t values ( "),
            1 => Just("INSERT INTO \"t\"(a,b,c,d,e,f) VALUES("),
            1 => Just("INSERT INTO main.t VALUES\n("),
        ],
    )
        .prop_map(|(values, head)| format!("{head}{});\n", values.join(" , ")))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Rows inserted by the loader are, value by value and type by type,
    /// what SQLite makes of the same statements, and the statements that
    /// fail (a repeated `a`) fail with SQLite's words.
    #[test]
    fn the_loader_reads_literals_as_sqlite_does(
        rows in prop::collection::vec(insert(), 1..80),
        conflict in prop_oneof![Just("ABORT"), Just("FAIL")],
    ) {
        // With FAIL, a failed row keeps what its statement did before it
        // (here, the trigger's log entry): rows the loader runs together
        // must not change that.
        let schema = format!(
            "CREATE TABLE t(a INTEGER UNIQUE ON CONFLICT {conflict}, b TEXT, c REAL, d NUMERIC, e BLOB, f);\n\
             CREATE TABLE log(a);\n\
             CREATE TRIGGER before_t BEFORE INSERT ON t BEGIN INSERT INTO log VALUES(new.a); END;\n"
        );
        let dump = format!("{schema}{}", rows.concat());
        let loaded = Connection::open_in_memory().unwrap();
        let stats = load_str(&loaded, &dump, OnError::Continue).unwrap();

        let reference = Connection::open_in_memory().unwrap();
        reference.execute_batch(&schema).unwrap();
        let mut failures = Vec::new();
        for (i, row) in rows.iter().enumerate() {
            if let Err(e) = reference.execute_batch(row) {
                let reason = match e {
                    rusqlite::Error::SqliteFailure(_, Some(m)) => m,
                    e => e.to_string(),
                };
                failures.push((i as u64 + 4, reason));
            }
        }
        let got: Vec<(u64, String)> = stats.failed.iter().map(|p| (p.statement, p.reason.clone())).collect();
        prop_assert_eq!(got, failures);
        let all = |conn: &Connection| -> Vec<String> {
            let mut stmt = conn.prepare(
                "SELECT rowid, typeof(a), quote(a), typeof(b), quote(b), typeof(c), quote(c), \
                 typeof(d), quote(d), typeof(e), quote(e), typeof(f), quote(f) FROM t ORDER BY rowid",
            ).unwrap();
            stmt.query_map([], |r| {
                Ok((0..13).map(|i| r.get::<_, rusqlite::types::Value>(i).map(|v| format!("{v:?}"))).collect::<Result<Vec<_>, _>>()?.join(" "))
            }).unwrap().map(Result::unwrap).collect()
        };
        prop_assert_eq!(all(&loaded), all(&reference));
        let log = |conn: &Connection| -> Vec<String> {
            let mut stmt = conn.prepare("SELECT quote(a) FROM log ORDER BY rowid").unwrap();
            stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
        };
        prop_assert_eq!(log(&loaded), log(&reference));
    }
}

/// A value of a random answer's measure: NULL, an integer or a real.
fn measure() -> impl Strategy<Value = Option<Result<i64, f64>>> {
    prop_oneof![
        1 => Just(None),
        3 => (-1000i64..1000).prop_map(|i| Some(Ok(i))),
        2 => (-1000.0f64..1000.0).prop_map(|r| Some(Err(r))),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Every mark of a chart equals SQLite's `GROUP BY` of the same rows,
    /// whichever way they are combined.
    #[test]
    fn every_mark_is_sqlite_s_group_by(
        rows in proptest::collection::vec(
            (proptest::option::of(0u8..6), 0u8..3, measure()),
            1..80,
        ),
        series in any::<bool>(),
    ) {
        use greenboard::chart::aggregate::aggregate;
        use greenboard::chart::spec::{Agg, Spec};
        use greenboard::protocol::Cell;

        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t(x, s, y)").unwrap();
        let mut cells = Vec::new();
        for (x, s, y) in &rows {
            let x = x.map(|x| format!("x{x}"));
            let s = format!("s{s}");
            let y_value = match y {
                None => Value::Null,
                Some(Ok(i)) => Value::Integer(*i),
                Some(Err(r)) => Value::Real(*r),
            };
            conn.execute("INSERT INTO t VALUES (?1, ?2, ?3)", rusqlite::params![x, s, y_value])
                .unwrap();
            cells.push(vec![
                x.map_or(Cell::Null, Cell::Text),
                Cell::Text(s),
                match y {
                    None => Cell::Null,
                    Some(Ok(i)) => Cell::Integer(*i),
                    Some(Err(r)) => Cell::Real(*r),
                },
            ]);
        }
        let columns = vec!["x".to_string(), "s".to_string(), "y".to_string()];
        for agg in Agg::ALL {
            let function = match agg {
                Agg::Sum => "SUM(y)",
                Agg::Mean => "AVG(y)",
                Agg::Min => "MIN(y)",
                Agg::Max => "MAX(y)",
                Agg::Count => "COUNT(*)",
            };
            let group = if series { "x, s" } else { "x" };
            let sql = format!(
                "SELECT coalesce(x, '(none)'), {}, {function}, COUNT(*) FROM t GROUP BY {group}",
                if series { "s" } else { "'y'" }
            );
            let mut stmt = conn.prepare(&sql).unwrap();
            let expected: Vec<(String, String, Option<f64>, usize)> = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get::<_, i64>(3)? as usize)))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            let spec = Spec {
                kind: greenboard::chart::spec::Kind::Bar,
                x: "x".into(),
                y: "y".into(),
                series: series.then(|| "s".into()),
                agg: Some(agg),
            };
            let got = aggregate(&spec, &columns, &cells).unwrap();
            prop_assert_eq!(got.marks.len(), expected.len(), "{}", sql);
            for (x, s, value, count) in expected {
                let xi = got.xs.iter().position(|v| *v == x).unwrap();
                let si = got.series.iter().position(|v| *v == s).unwrap();
                let mark = got.marks[&(xi, si)];
                prop_assert_eq!(mark.rows, count);
                match value {
                    None => prop_assert!(mark.value.is_nan(), "{agg:?} {x} {s}: {}", mark.value),
                    Some(v) => prop_assert!(
                        (mark.value - v).abs() <= 1e-9 * v.abs().max(1.0),
                        "{agg:?} {x} {s}: {} against SQLite's {v}", mark.value
                    ),
                }
            }
        }
    }
}
