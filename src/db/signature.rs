//! `failure_signature(text)`: an error message with what varies between
//! occurrences of the same failure taken out, so that the same failure
//! groups together wherever and whenever it happens.
//!
//! From the message's first line that is not blank, in this order:
//! - UUIDs become `<uuid>`;
//! - hex numbers (`0x7ffd…`) and long hex strings (hashes, commits) become
//!   `<hex>`;
//! - temporary paths (`/tmp/…`, `/var/folders/…`, `…\AppData\Local\Temp\…`,
//!   `…/pytest-of-…/…`) become `<tmp>`;
//! - quoted values (`'…'`, `"…"`, `` `…` ``, and JUnit's `expected:<…>`)
//!   become an empty pair of their quotes (`''`, `""`, …);
//! - numbers standing alone (not part of a name such as `d3d11`), line
//!   numbers, times and dates included, become `<n>`;
//! - runs of spaces become one.
//!
//! The message's shape (its words, names, punctuation) stays. Written
//! without regular expressions, which would cost the browser's module more
//! than the rest of this file.

use std::ffi::{c_char, c_int};

use rusqlite::{Connection, ffi};

/// Registers `failure_signature(text)` on `conn`: NULL for NULL, else the
/// signature of the value as text. (Through SQLite's C API: rusqlite's
/// closures would cost the browser's module kilobytes.)
pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    // SAFETY: the handle is `conn`'s, open for the call; the name is a C
    // string; the function keeps no pointer past its call (see `call`).
    let rc = unsafe {
        ffi::sqlite3_create_function_v2(
            conn.handle(),
            c"failure_signature".as_ptr(),
            1,
            ffi::SQLITE_UTF8 | ffi::SQLITE_DETERMINISTIC | ffi::SQLITE_INNOCUOUS,
            std::ptr::null_mut(),
            Some(call),
            None,
            None,
            None,
        )
    };
    if rc == ffi::SQLITE_OK {
        Ok(())
    } else {
        Err(rusqlite::Error::SqliteFailure(ffi::Error::new(rc), None))
    }
}

/// `failure_signature`'s body, called by SQLite with its one argument.
unsafe extern "C" fn call(
    ctx: *mut ffi::sqlite3_context,
    _argc: c_int,
    argv: *mut *mut ffi::sqlite3_value,
) {
    // SAFETY: SQLite passes one valid value (the function takes one
    // argument); its text is valid until the value changes, and is copied
    // out at once; the result is copied by SQLite (SQLITE_TRANSIENT).
    unsafe {
        let value = *argv;
        if ffi::sqlite3_value_type(value) == ffi::SQLITE_NULL {
            ffi::sqlite3_result_null(ctx);
            return;
        }
        let text = ffi::sqlite3_value_text(value);
        let len = ffi::sqlite3_value_bytes(value);
        let bytes = if text.is_null() {
            &[][..]
        } else {
            std::slice::from_raw_parts(text, len as usize)
        };
        let signature = failure_signature(&String::from_utf8_lossy(bytes));
        ffi::sqlite3_result_text(
            ctx,
            signature.as_ptr() as *const c_char,
            signature.len() as c_int,
            ffi::SQLITE_TRANSIENT(),
        );
    }
}

/// The signature of `message` (empty for an empty message).
pub fn failure_signature(message: &str) -> String {
    let line = message
        .lines()
        .map(|l| l.trim_matches(|c: char| c.is_ascii_whitespace()))
        .find(|l| !l.is_empty())
        .unwrap_or("");
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let after_word = i > 0 && is_word(chars[i - 1]);
        if !after_word && let Some(end) = timestamp_at(&chars, i) {
            out.push_str("<time>");
            i = end;
        } else if !after_word && let Some(end) = uuid_at(&chars, i) {
            out.push_str("<uuid>");
            i = end;
        } else if !after_word && let Some(end) = hex_at(&chars, i) {
            out.push_str("<hex>");
            i = end;
        } else if (i == 0 || is_path_start(chars[i - 1]))
            && let Some(end) = temp_path_at(&chars, i)
        {
            out.push_str("<tmp>");
            i = end;
        } else if let Some(end) = quoted_at(&chars, i) {
            let close = chars[end - 1];
            out.push(c);
            out.push(close);
            i = end;
        } else if c.is_ascii_digit() && !after_word {
            let end = number_end(&chars, i);
            if end < chars.len() && is_word(chars[end]) && !chars[end].is_ascii_digit() {
                // Digits starting a name (`3d_texture`): part of the name,
                // unless a unit follows (`5s`, `20ms`, `4KB`).
                if let Some(unit_end) = unit_at(&chars, end) {
                    out.push_str("<n>");
                    i = unit_end;
                    push_all(&mut out, &chars[end..unit_end]);
                    continue;
                }
                let word_end = word_end(&chars, i);
                push_all(&mut out, &chars[i..word_end]);
                i = word_end;
            } else {
                out.push_str("<n>");
                i = end;
            }
        } else if c.is_ascii_whitespace() {
            if !out.ends_with(' ') {
                out.push(' ');
            }
            i += 1;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out.trim_matches(' ').to_string()
}

/// Pushes `chars` onto `out`.
fn push_all(out: &mut String, chars: &[char]) {
    out.extend(chars.iter());
}

/// Whether `c` is part of a name (ASCII letters, digits and `_`, and any
/// character beyond ASCII: Unicode's tables would cost the browser's
/// module more than they would change here).
fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || !c.is_ascii()
}

/// Where the name starting at `i` ends.
fn word_end(chars: &[char], i: usize) -> usize {
    let mut j = i;
    while j < chars.len() && is_word(chars[j]) {
        j += 1;
    }
    j
}

/// Where a number starting at `i` ends: digits, with `.` or `,` between
/// digits (`1.5`, `1,234`).
fn number_end(chars: &[char], i: usize) -> usize {
    let mut j = i;
    while j < chars.len() {
        let separator = (chars[j] == '.' || chars[j] == ',')
            && j > i
            && chars.get(j + 1).is_some_and(char::is_ascii_digit);
        if !chars[j].is_ascii_digit() && !separator {
            break;
        }
        j += 1;
    }
    j
}

/// Units written right after a number.
const UNITS: &[&str] = &[
    "ns", "us", "µs", "ms", "s", "m", "h", "b", "kb", "mb", "gb", "kib", "mib", "gib", "x", "px",
    "k",
];

/// The end of a unit starting at `i` (ending a name there), if one does.
fn unit_at(chars: &[char], i: usize) -> Option<usize> {
    let end = word_end(chars, i);
    let word: String = chars[i..end]
        .iter()
        .collect::<String>()
        .to_ascii_lowercase();
    UNITS.contains(&word.as_str()).then_some(end)
}

/// The end of `n` ASCII digits from `i`.
fn digits(chars: &[char], i: usize, n: usize) -> Option<usize> {
    (i + n <= chars.len() && chars[i..i + n].iter().all(char::is_ascii_digit)).then_some(i + n)
}

/// The end of an ISO 8601 date or date and time starting at `i`
/// (`2026-05-01`, `2026-05-01T12:34:56.789Z`, `2026-05-01 12:34:56+02:00`).
fn timestamp_at(chars: &[char], i: usize) -> Option<usize> {
    let at = |j: usize, c: char| (chars.get(j) == Some(&c)).then_some(j + 1);
    let mut j = digits(chars, i, 4)?;
    j = digits(chars, at(j, '-')?, 2)?;
    j = digits(chars, at(j, '-')?, 2)?;
    if let Some(t) = chars
        .get(j)
        .filter(|c| matches!(c, 'T' | ' '))
        .map(|_| j + 1)
        && let Some(h) = digits(chars, t, 2)
        && let Some(m) = at(h, ':').and_then(|k| digits(chars, k, 2))
    {
        j = m;
        if let Some(sec) = at(j, ':').and_then(|k| digits(chars, k, 2)) {
            j = sec;
            if let Some(dot) = at(j, '.').or_else(|| at(j, ','))
                && chars.get(dot).is_some_and(char::is_ascii_digit)
            {
                j = dot;
                while chars.get(j).is_some_and(char::is_ascii_digit) {
                    j += 1;
                }
            }
        }
        if let Some(z) = at(j, 'Z') {
            j = z;
        } else if let Some(sign) = at(j, '+').or_else(|| at(j, '-'))
            && let Some(zh) = digits(chars, sign, 2)
        {
            j = at(zh, ':')
                .and_then(|k| digits(chars, k, 2))
                .or_else(|| digits(chars, zh, 2))
                .unwrap_or(zh);
        }
    }
    (j == chars.len() || !is_word(chars[j])).then_some(j)
}

/// The end of a UUID (8-4-4-4-12 hex digits) starting at `i`.
fn uuid_at(chars: &[char], i: usize) -> Option<usize> {
    let mut j = i;
    for (n, len) in [8, 4, 4, 4, 12].into_iter().enumerate() {
        if n > 0 {
            (chars.get(j) == Some(&'-')).then_some(())?;
            j += 1;
        }
        for _ in 0..len {
            chars.get(j).filter(|c| c.is_ascii_hexdigit())?;
            j += 1;
        }
    }
    (j == chars.len() || !is_word(chars[j])).then_some(j)
}

/// The end of a hex number starting at `i`: `0x` and hex digits, or 8 or
/// more hex digits with at least one digit and one letter (a hash).
fn hex_at(chars: &[char], i: usize) -> Option<usize> {
    let prefixed = chars[i] == '0' && matches!(chars.get(i + 1), Some('x' | 'X'));
    let start = if prefixed { i + 2 } else { i };
    let mut j = start;
    while j < chars.len() && chars[j].is_ascii_hexdigit() {
        j += 1;
    }
    if j < chars.len() && is_word(chars[j]) {
        return None;
    }
    let digits = &chars[start..j];
    if prefixed {
        (!digits.is_empty()).then_some(j)
    } else {
        (digits.len() >= 8
            && digits.iter().any(|c| c.is_ascii_digit())
            && digits.iter().any(|c| c.is_ascii_alphabetic()))
        .then_some(j)
    }
}

/// Whether a path may start after `c`.
fn is_path_start(c: char) -> bool {
    c.is_ascii_whitespace() || matches!(c, '\'' | '"' | '`' | '(' | '[' | '=' | ':' | ',')
}

/// The end of a temporary path starting at `i`: up to a space, a quote, a
/// bracket or a comma, or a `:` before a line number.
fn temp_path_at(chars: &[char], i: usize) -> Option<usize> {
    let mut end = i;
    while end < chars.len() {
        let c = chars[end];
        if c.is_ascii_whitespace() || matches!(c, '\'' | '"' | '`' | ')' | ']' | ',' | ';') {
            break;
        }
        if c == ':' && end > i + 2 {
            // `C:\…` keeps its colon; `/tmp/x.py:12` ends before it.
            break;
        }
        end += 1;
    }
    let path: String = chars[i..end]
        .iter()
        .collect::<String>()
        .to_ascii_lowercase()
        .replace('\\', "/");
    let temporary = [
        "/tmp/",
        "/var/tmp/",
        "/var/folders/",
        "/private/var/folders/",
        "/dev/shm/",
    ]
    .iter()
    .any(|p| path.starts_with(p))
        || path.contains("/appdata/local/temp/")
        || path.contains("/pytest-of-")
        || path.starts_with("%temp%");
    temporary.then_some(end)
}

/// The end of a quoted value starting at `i` (its closing quote on the same
/// line, within 200 characters): `'…'`, `"…"`, `` `…` ``, or `<…>` right
/// after a `:` (JUnit's `expected:<3> but was:<4>`). An apostrophe inside a
/// word (`don't`) opens nothing.
fn quoted_at(chars: &[char], i: usize) -> Option<usize> {
    let open = chars[i];
    let close = match open {
        '\'' | '"' | '`' => open,
        '<' if i > 0
            && (chars[i - 1] == ':' || (i > 1 && chars[i - 1] == ' ' && chars[i - 2] == ':')) =>
        {
            '>'
        }
        _ => return None,
    };
    if open == '\'' && i > 0 && is_word(chars[i - 1]) {
        return None;
    }
    let limit = chars.len().min(i + 202);
    let j = (i + 1..limit).find(|&j| chars[j] == close)?;
    if open == '\'' && j + 1 < chars.len() && is_word(chars[j + 1]) {
        // `it's the user's` : apostrophes, not quotes.
        return None;
    }
    Some(j + 1)
}

#[cfg(test)]
mod tests {
    use super::failure_signature as sig;

    /// The SQL function: NULL stays NULL, text gets its signature.
    #[test]
    fn the_sql_function() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        super::register(&conn).unwrap();
        let (a, b, n): (Option<String>, String, String) = conn
            .query_row(
                "SELECT failure_signature(NULL), failure_signature('got 3, want 4'), failure_signature(42)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!(
            (a, b.as_str(), n.as_str()),
            (None, "got <n>, want <n>", "<n>")
        );
    }

    #[test]
    fn numbers_alone_go_names_stay() {
        assert_eq!(
            sig("expected 3 pixels, got 4"),
            "expected <n> pixels, got <n>"
        );
        assert_eq!(
            sig("d3d11 device lost after 1.5 s"),
            "d3d11 device lost after <n> s"
        );
        assert_eq!(sig("timed out after 250ms"), "timed out after <n>ms");
        assert_eq!(sig("1,234 rows"), "<n> rows");
        assert_eq!(sig("3d_texture failed"), "3d_texture failed");
    }

    #[test]
    fn ids_paths_and_quotes_go() {
        assert_eq!(
            sig("request 123e4567-e89b-12d3-a456-426614174000 failed at 0x7ffd5a3c"),
            "request <uuid> failed at <hex>"
        );
        assert_eq!(
            sig("commit 9fceb02d0ae598e95dc970b74767f19372d61af8 missing"),
            "commit <hex> missing"
        );
        assert_eq!(
            sig("cannot open /tmp/pytest-of-ci/pytest-7/x0/data.db"),
            "cannot open <tmp>"
        );
        assert_eq!(
            sig(r"cannot open C:\Users\ci\AppData\Local\Temp\x12\out.txt"),
            "cannot open <tmp>"
        );
        assert_eq!(
            sig("expected 'foo' but got 'bar'"),
            "expected '' but got ''"
        );
        assert_eq!(sig("expected:<3> but was:<4>"), "expected:<> but was:<>");
        assert_eq!(sig("don't panic: it's fine"), "don't panic: it's fine");
        assert_eq!(sig("  \n  first line 12\nsecond 13"), "first line <n>");
        assert_eq!(sig(""), "");
        assert_eq!(
            sig(
                "deadline 2026-05-01T12:34:56.789+02:00 passed at 2026-05-02 08:00:01Z, logged 2026-05-03"
            ),
            "deadline <time> passed at <time>, logged <time>"
        );
    }

    /// Messages as the tools print them: pairs of the same failure at two
    /// places (or times, or values) and pairs of different failures.
    const SAME: &[(&str, &str)] = &[
        // JUnit 5 through Surefire, and JUnit 4.
        (
            "org.opentest4j.AssertionFailedError: expected: <3> but was: <4>",
            "org.opentest4j.AssertionFailedError: expected: <12> but was: <15>",
        ),
        (
            "expected:<[red]> but was:<[blue]>",
            "expected:<[green]> but was:<[grey]>",
        ),
        (
            "java.lang.NullPointerException: Cannot invoke \"String.length()\" because \"name\" is null",
            "java.lang.NullPointerException: Cannot invoke \"String.length()\" because \"<local1>\" is null",
        ),
        (
            "java.lang.IllegalStateException: Connection pool exhausted after 30000 ms (active=10, idle=0)",
            "java.lang.IllegalStateException: Connection pool exhausted after 30001 ms (active=12, idle=0)",
        ),
        (
            "org.junit.runners.model.TestTimedOutException: test timed out after 5000 milliseconds",
            "org.junit.runners.model.TestTimedOutException: test timed out after 10000 milliseconds",
        ),
        // pytest.
        (
            "AssertionError: assert 3 == 4\n +  where 3 = add(1, 2)",
            "AssertionError: assert 5 == 7\n +  where 5 = add(2, 3)",
        ),
        (
            "FileNotFoundError: [Errno 2] No such file or directory: '/tmp/pytest-of-runner/pytest-3/test_load0/data.csv'",
            "FileNotFoundError: [Errno 2] No such file or directory: '/tmp/pytest-of-runner/pytest-9/test_load1/data.csv'",
        ),
        (
            "requests.exceptions.ConnectionError: HTTPConnectionPool(host='localhost', port=54321): Max retries exceeded",
            "requests.exceptions.ConnectionError: HTTPConnectionPool(host='localhost', port=60123): Max retries exceeded",
        ),
        // Go.
        (
            "widget_test.go:42: got 3, want 4",
            "widget_test.go:57: got 10, want 12",
        ),
        (
            "panic: runtime error: index out of range [5] with length 3 [recovered]",
            "panic: runtime error: index out of range [7] with length 2 [recovered]",
        ),
        (
            "cache_test.go:88: open /tmp/TestCache1234567/001/cache.db: no such file or directory",
            "cache_test.go:91: open /tmp/TestCache7654321/001/cache.db: no such file or directory",
        ),
        // jest.
        (
            "Error: expect(received).toBe(expected) // Object.is equality",
            "Error: expect(received).toBe(expected) // Object.is equality",
        ),
        (
            "thrown: \"Exceeded timeout of 5000 ms for a test.",
            "thrown: \"Exceeded timeout of 10000 ms for a test.",
        ),
        (
            "TypeError: Cannot read properties of undefined (reading 'map')",
            "TypeError: Cannot read properties of undefined (reading 'length')",
        ),
        // Addresses, ids and times.
        (
            "segfault at 0x7ffd5a3c in worker 3f2a9c1e-6b0d-4c7e-9a51-0d2e8f4b7c61",
            "segfault at 0x55e0a1b2 in worker 9b1e2f3a-0c4d-4e5f-8a6b-7c8d9e0f1a2b",
        ),
        (
            "lease expired at 2026-05-01T12:00:00Z",
            "lease expired at 2026-06-11T03:59:59Z",
        ),
    ];

    const APART: &[(&str, &str)] = &[
        (
            "AssertionError: assert 3 == 4",
            "TypeError: unsupported operand type(s) for +: 'int' and 'str'",
        ),
        (
            "java.lang.NullPointerException: Cannot invoke \"String.length()\" because \"name\" is null",
            "java.lang.IllegalArgumentException: name must not be empty",
        ),
        (
            "widget_test.go:42: got 3, want 4",
            "widget_test.go:42: unexpected error: EOF",
        ),
        (
            "panic: runtime error: index out of range [5] with length 3 [recovered]",
            "panic: runtime error: invalid memory address or nil pointer dereference [recovered]",
        ),
        (
            "Error: expect(received).toBe(expected) // Object.is equality",
            "Error: expect(received).toEqual(expected) // deep equality",
        ),
        ("d3d11 device lost", "d3d12 device lost"),
        ("timed out after 5 s", "failed after 5 s"),
    ];

    #[test]
    fn the_same_failure_groups_and_different_ones_stay_apart() {
        for (a, b) in SAME {
            assert_eq!(sig(a), sig(b), "{a:?} and {b:?} are the same failure");
        }
        for (a, b) in APART {
            assert_ne!(sig(a), sig(b), "{a:?} and {b:?} are different failures");
        }
    }
}
