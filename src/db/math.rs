//! SQLite's math functions (`floor`, `ceil`, `sqrt`, `pow`, `ln`, `log`, …)
//! for the browser's SQLite, which is built without its math extension: the
//! extension brings the whole trigonometric part of libm, about 10 KB of the
//! page's first load. These behave as SQLite's do (an integer stays an integer
//! under `floor`, `ceil` and `trunc`; a non-numeric argument or a domain
//! error gives NULL). The trigonometric functions are left out.

use std::ffi::{c_int, c_void};

use rusqlite::{Connection, ffi};

type Unary = fn(f64) -> f64;
type Binary = fn(f64, f64) -> f64;

/// The number in an argument, if it holds one (as SQLite's math functions
/// read it: numeric text counts).
///
/// SAFETY: `v` is a protected value of the running function call.
unsafe fn number(v: *mut ffi::sqlite3_value) -> Option<f64> {
    unsafe {
        match ffi::sqlite3_value_numeric_type(v) {
            ffi::SQLITE_INTEGER | ffi::SQLITE_FLOAT => Some(ffi::sqlite3_value_double(v)),
            _ => None,
        }
    }
}

unsafe extern "C" fn math1(
    ctx: *mut ffi::sqlite3_context,
    _n: c_int,
    argv: *mut *mut ffi::sqlite3_value,
) {
    // SAFETY: SQLite calls with one argument and the user data given below.
    unsafe {
        let f: Unary = std::mem::transmute::<*mut c_void, Unary>(ffi::sqlite3_user_data(ctx));
        if let Some(x) = number(*argv) {
            ffi::sqlite3_result_double(ctx, f(x));
        }
    }
}

unsafe extern "C" fn math2(
    ctx: *mut ffi::sqlite3_context,
    _n: c_int,
    argv: *mut *mut ffi::sqlite3_value,
) {
    // SAFETY: SQLite calls with two arguments and the user data given below.
    unsafe {
        let f: Binary = std::mem::transmute::<*mut c_void, Binary>(ffi::sqlite3_user_data(ctx));
        if let (Some(x), Some(y)) = (number(*argv), number(*argv.add(1))) {
            ffi::sqlite3_result_double(ctx, f(x, y));
        }
    }
}

/// `ceil`, `floor`, `trunc`: an integer argument comes back unchanged.
unsafe extern "C" fn rounding(
    ctx: *mut ffi::sqlite3_context,
    _n: c_int,
    argv: *mut *mut ffi::sqlite3_value,
) {
    // SAFETY: as for `math1`.
    unsafe {
        let v = *argv;
        match ffi::sqlite3_value_numeric_type(v) {
            ffi::SQLITE_INTEGER => ffi::sqlite3_result_int64(ctx, ffi::sqlite3_value_int64(v)),
            ffi::SQLITE_FLOAT => {
                let f: Unary =
                    std::mem::transmute::<*mut c_void, Unary>(ffi::sqlite3_user_data(ctx));
                ffi::sqlite3_result_double(ctx, f(ffi::sqlite3_value_double(v)));
            }
            _ => {}
        }
    }
}

/// `log(X)` is base 10, `log(B, X)` base B; zero and negatives give NULL.
unsafe extern "C" fn log(
    ctx: *mut ffi::sqlite3_context,
    n: c_int,
    argv: *mut *mut ffi::sqlite3_value,
) {
    // SAFETY: SQLite calls with `n` (1 or 2) arguments.
    unsafe {
        let Some(first) = number(*argv).filter(|x| *x > 0.0) else {
            return;
        };
        if n == 1 {
            ffi::sqlite3_result_double(ctx, first.log10());
            return;
        }
        let base = first.ln();
        if base <= 0.0 {
            return;
        }
        if let Some(x) = number(*argv.add(1)).filter(|x| *x > 0.0) {
            ffi::sqlite3_result_double(ctx, x.ln() / base);
        }
    }
}

unsafe extern "C" fn pi(
    ctx: *mut ffi::sqlite3_context,
    _n: c_int,
    _argv: *mut *mut ffi::sqlite3_value,
) {
    // SAFETY: a live context.
    unsafe { ffi::sqlite3_result_double(ctx, std::f64::consts::PI) }
}

type XFunc = unsafe extern "C" fn(*mut ffi::sqlite3_context, c_int, *mut *mut ffi::sqlite3_value);

/// Adds the math functions to `conn`.
pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    let unary: [(&str, Unary); 7] = [
        ("sqrt", f64::sqrt),
        ("exp", f64::exp),
        ("ln", |x| if x > 0.0 { x.ln() } else { f64::NAN }),
        ("log10", |x| if x > 0.0 { x.log10() } else { f64::NAN }),
        ("log2", |x| if x > 0.0 { x.log2() } else { f64::NAN }),
        ("radians", f64::to_radians),
        ("degrees", f64::to_degrees),
    ];
    let rounders: [(&str, Unary); 4] = [
        ("ceil", f64::ceil),
        ("ceiling", f64::ceil),
        ("floor", f64::floor),
        ("trunc", f64::trunc),
    ];
    let binary: [(&str, Binary); 3] = [
        ("pow", f64::powf),
        ("power", f64::powf),
        ("mod", |x, y| x % y),
    ];
    let mut all: Vec<(&str, c_int, XFunc, *mut c_void)> = Vec::new();
    all.extend(
        unary
            .iter()
            .map(|(n, f)| (*n, 1, math1 as XFunc, *f as *mut c_void)),
    );
    all.extend(
        rounders
            .iter()
            .map(|(n, f)| (*n, 1, rounding as XFunc, *f as *mut c_void)),
    );
    all.extend(
        binary
            .iter()
            .map(|(n, f)| (*n, 2, math2 as XFunc, *f as *mut c_void)),
    );
    all.push(("log", 1, log, std::ptr::null_mut()));
    all.push(("log", 2, log, std::ptr::null_mut()));
    all.push(("pi", 0, pi, std::ptr::null_mut()));
    for (name, n, f, data) in all {
        let name = std::ffi::CString::new(name).expect("no NUL in a function name");
        // SAFETY: a live connection; the name is copied by SQLite; the user
        // data is a function pointer, valid for the program's life.
        let rc = unsafe {
            ffi::sqlite3_create_function_v2(
                conn.handle(),
                name.as_ptr(),
                n,
                ffi::SQLITE_UTF8 | ffi::SQLITE_DETERMINISTIC | ffi::SQLITE_INNOCUOUS,
                data,
                Some(f),
                None,
                None,
                None,
            )
        };
        if rc != ffi::SQLITE_OK {
            return Err(rusqlite::Error::SqliteFailure(ffi::Error::new(rc), None));
        }
    }
    Ok(())
}

#[cfg(all(test, not(target_family = "wasm")))]
mod tests {
    use super::*;
    use crate::db::query;

    /// Each expression as `type:value`, the value printed by SQLite's printf.
    fn probe(exprs: &[&str]) -> String {
        let parts: Vec<String> = exprs
            .iter()
            .map(|e| format!("typeof({e}) || ':' || coalesce(printf('%.12g', {e}), 'NULL')"))
            .collect();
        format!("SELECT {};", parts.join(" || ' ' || "))
    }

    #[test]
    fn they_answer_as_the_sqlite3_shells_own() {
        let exprs = [
            "floor(2.5)",
            "floor(-2.5)",
            "floor(3)",
            "ceil(2.1)",
            "ceiling(-2.1)",
            "ceil(7)",
            "trunc(-2.7)",
            "trunc(9)",
            "ln(1)",
            "ln(0)",
            "ln(-1)",
            "log(100)",
            "log(2, 8)",
            "log(0)",
            "log(1, 8)",
            "log10(1000)",
            "log2(8)",
            "exp(0)",
            "exp(1)",
            "pow(2, 10)",
            "power(2, 0.5)",
            "pow(-8, 1.0 / 3)",
            "mod(7, 3)",
            "mod(-7.5, 2)",
            "mod(1, 0)",
            "sqrt(16)",
            "sqrt(-1)",
            "sqrt('9')",
            "sqrt('x')",
            "sqrt(NULL)",
            "pi()",
            "degrees(pi())",
            "radians(180)",
            "floor('2.5')",
            "floor('abc')",
        ];
        let sql = probe(&exprs);
        let shell = std::process::Command::new("sqlite3")
            .args([":memory:", &sql])
            .output()
            .expect("the sqlite3 shell must be installed (the README's test command installs it)");
        assert!(shell.status.success());
        let expected = String::from_utf8(shell.stdout).unwrap();
        let ours = Connection::open_in_memory().unwrap();
        register(&ours).unwrap();
        let got = query::run(&ours, &sql).unwrap().rows[0][0]
            .display()
            .unwrap();
        assert_eq!(got, expected.trim_end());
        assert_eq!(got.split(' ').count(), exprs.len());
    }
}
