//! What went wrong fetching an address, in a user's words: a fetch the
//! browser could not make (it says only "Failed to fetch") with its likely
//! causes, and an HTTP error status with its meaning. The words are pure
//! functions, tested natively; `fetch_failure` reads what the browser
//! knows (the page's address, whether it is online) for them.

/// Why the browser could not fetch `url` (absolute) from a page at `page`
/// (absolute), `online` or not: the causes that can be told apart from
/// here, else all the likely ones. (The caller names the address.)
pub fn unreachable(url: &str, page: &str, online: bool) -> String {
    let why = match (scheme(url).as_str(), scheme(page).as_str()) {
        _ if !online => "this browser is offline. Connect to the network and try again",
        ("http", "https") => {
            "it is an http:// address and this page is https://, and browsers do not let a \
             secure page read an insecure address (mixed content). Give its https:// address"
        }
        ("file", _) => {
            "a web page may not read the files of this computer by their address. \
             Choose the file, or drop it on the page, instead"
        }
        ("http" | "https", _) if origin(url) == origin(page) => {
            "its server (this site's own) did not answer. Is it still running?"
        }
        ("http" | "https", _) => {
            "either its server did not answer (it is down, the address is wrong, or the \
             network is), or it does not allow other sites to read it (CORS: it must send \
             Access-Control-Allow-Origin)"
        }
        _ => "the browser cannot fetch this kind of address",
    };
    format!("the browser could not reach it: {why}")
}

/// An answer with the HTTP error `status` (`text` as the server gave it,
/// perhaps empty): the status and what it means.
pub fn http_error(status: u16, text: &str) -> String {
    let meaning = match status {
        400 => "the server found the request malformed",
        401 => "it needs a sign-in (unauthorized)",
        403 => "the server refuses to give it (forbidden)",
        404 => "there is nothing at this address (not found)",
        405 => "the server does not allow reading it (method not allowed)",
        408 => "the server gave up waiting (request timeout). Try again",
        410 => "it was there and has been removed (gone)",
        429 => "too many requests to this server. Wait a little and try again",
        500 => "the server failed (internal server error)",
        502 => "a gateway in front of the server got no valid answer (bad gateway)",
        503 => "the server is unavailable for now. Try again later",
        504 => "a gateway in front of the server gave up waiting (gateway timeout)",
        _ if (400..500).contains(&status) => "the server refused the request",
        _ if (500..600).contains(&status) => "the server failed",
        _ => "not a success",
    };
    let text = text.trim();
    let text = if text.is_empty() {
        String::new()
    } else {
        format!(" {text}")
    };
    format!("the server answered {status}{text}: {meaning}")
}

/// What the error of a query says when the database it reads over HTTP
/// changed on the server meanwhile (the page then opens it again).
pub const CHANGED_ON_SERVER: &str = "the file changed on the server";

/// Files smaller than this are downloaded whole rather than read by
/// ranges: a few requests' worth of round trips.
pub const WHOLE_BELOW: u64 = 4 << 20;

/// How a database file at an address is read, decided from the answer to
/// a request for its first bytes (`Range: bytes=0-99`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// Read by ranges as queries need it.
    Ranges {
        /// The file's size in bytes.
        size: u64,
        /// Its SQLite page size, the unit read.
        page_size: u32,
    },
    /// Downloaded whole, for the reason given (for the status line).
    Whole(String),
}

/// The plan for a file whose first bytes were asked for and answered with
/// HTTP `status`, `Content-Range` header `range` (if readable) and body
/// `head`: by ranges when the server gave just the range asked, the bytes
/// begin an SQLite database, and the file is at least `whole_below` bytes.
pub fn plan(status: u16, range: Option<&str>, head: &[u8], whole_below: u64) -> Plan {
    if status != 206 {
        return Plan::Whole("the server does not answer Range requests".into());
    }
    let Some(header) = sqlite_header(head) else {
        return Plan::Whole("it is not an SQLite database".into());
    };
    // The size as the server says it, else as the database's header does.
    let size = range
        .and_then(|r| r.rsplit_once('/'))
        .and_then(|(_, total)| total.trim().parse().ok())
        .or(header.1);
    match size {
        None => Plan::Whole("the server does not say how large it is".into()),
        Some(size) if size < whole_below => Plan::Whole(format!(
            "it is under {} MB, less than reading it by ranges would cost in requests",
            whole_below >> 20
        )),
        Some(size) => Plan::Ranges {
            size,
            page_size: header.0,
        },
    }
}

/// The page size an SQLite database's first 100 bytes give, and its size
/// in bytes when the header's page count is valid.
pub fn sqlite_header(head: &[u8]) -> Option<(u32, Option<u64>)> {
    if head.len() < 100 || !head.starts_with(b"SQLite format 3\0") {
        return None;
    }
    let be32 = |at: usize| u32::from_be_bytes([head[at], head[at + 1], head[at + 2], head[at + 3]]);
    let page_size = match u16::from_be_bytes([head[16], head[17]]) {
        1 => 65_536,
        n if n >= 512 && n.is_power_of_two() => u32::from(n),
        _ => return None,
    };
    // The page count holds when written by a version that kept it
    // (its "version-valid-for" equals the change counter).
    let pages = (be32(92) == be32(24) && be32(28) > 0).then(|| be32(28));
    Some((
        page_size,
        pages.map(|n| u64::from(n) * u64::from(page_size)),
    ))
}

/// The scheme of an absolute URL, lower case: `https`.
fn scheme(url: &str) -> String {
    url.split_once(':')
        .map(|(s, _)| s.to_ascii_lowercase())
        .unwrap_or_default()
}

/// The origin of an absolute URL: its scheme, host and port (the default
/// port left out), lower case.
fn origin(url: &str) -> String {
    let scheme = scheme(url);
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or_default();
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let host = rest[..end].rsplit('@').next().unwrap_or_default();
    let host = host.to_ascii_lowercase();
    let default = match scheme.as_str() {
        "http" => ":80",
        "https" => ":443",
        _ => "",
    };
    let host = host.strip_suffix(default).unwrap_or(&host);
    format!("{scheme}://{host}")
}

/// Why fetching `url` failed with `error` (what `fetch` rejected with), in
/// words: a network error ("Failed to fetch", a `TypeError`) as
/// [`unreachable`] says, with the page's address and whether the browser
/// is online; any other error in its own words.
#[cfg(feature = "worker")]
pub fn fetch_failure(url: &str, error: &wasm_bindgen::JsValue) -> String {
    use js_sys::Reflect;
    use wasm_bindgen::JsCast;
    let global = js_sys::global();
    let read = |object: &wasm_bindgen::JsValue, key: &str| {
        Reflect::get(object, &key.into()).unwrap_or(wasm_bindgen::JsValue::UNDEFINED)
    };
    let page = read(&read(&global, "location"), "href")
        .as_string()
        .unwrap_or_default();
    let absolute = web_sys::Url::new_with_base(url, &page).map(|u| u.href());
    match (error.dyn_ref::<js_sys::TypeError>(), absolute) {
        (Some(_), Ok(absolute)) => {
            let online = read(&read(&global, "navigator"), "onLine").as_bool() != Some(false);
            unreachable(&absolute, &page, online)
        }
        _ => {
            let message = read(error, "message")
                .as_string()
                .or_else(|| error.as_string())
                .unwrap_or_else(|| format!("{error:?}"));
            format!("cannot fetch it: {message}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "https://example.org/greenboard/?db=x";

    #[test]
    fn a_fetch_that_fails_names_its_likely_causes() {
        let offline = unreachable("https://data.example.com/r.sql.gz", PAGE, false);
        assert_eq!(
            offline,
            "the browser could not reach it: \
             this browser is offline. Connect to the network and try again"
        );
        let mixed = unreachable("http://ci.example.com/r.sql", PAGE, true);
        assert!(mixed.starts_with("the browser could not reach it: "));
        assert!(
            mixed.contains("mixed content") && !mixed.contains("CORS"),
            "{mixed}"
        );
        let other = unreachable("https://data.example.com/r.sql", PAGE, true);
        assert!(
            other.contains("did not answer") && other.contains("CORS"),
            "{other}"
        );
        // From an http:// page, http:// is no mixed content.
        let plain = unreachable("http://127.0.0.1:9/r.sql", "http://127.0.0.1:8080/", true);
        assert!(
            plain.contains("CORS") && !plain.contains("mixed"),
            "{plain}"
        );
        // Its own server cannot refuse it by CORS.
        for own in [
            "https://example.org/static/r.sql",
            "https://EXAMPLE.org:443/r.sql",
        ] {
            let said = unreachable(own, PAGE, true);
            assert!(
                said.contains("this site's own") && !said.contains("CORS"),
                "{said}"
            );
        }
        assert!(unreachable("file:///home/me/r.sql", PAGE, true).contains("Choose the file"));
    }

    /// The first 100 bytes of a database of `pages` pages of `size` bytes.
    fn head(size: u16, pages: u32) -> Vec<u8> {
        let mut h = b"SQLite format 3\0".to_vec();
        h.resize(100, 0);
        h[16..18].copy_from_slice(&size.to_be_bytes());
        h[24..28].copy_from_slice(&7u32.to_be_bytes());
        h[28..32].copy_from_slice(&pages.to_be_bytes());
        h[92..96].copy_from_slice(&7u32.to_be_bytes());
        h
    }

    #[test]
    fn a_large_database_answered_by_range_is_read_by_ranges() {
        let big = head(1, 1000);
        assert_eq!(
            plan(206, Some("bytes 0-99/65536000"), &big, WHOLE_BELOW),
            Plan::Ranges {
                size: 65_536_000,
                page_size: 65_536
            }
        );
        // Content-Range unreadable (another origin that does not expose
        // it): the database's own header says how large it is.
        assert_eq!(
            plan(206, None, &head(4096, 5000), WHOLE_BELOW),
            Plan::Ranges {
                size: 4096 * 5000,
                page_size: 4096
            }
        );
    }

    #[test]
    fn anything_else_is_downloaded_whole_saying_why() {
        let whole = |p: Plan| match p {
            Plan::Whole(why) => why,
            other => panic!("{other:?}"),
        };
        assert!(whole(plan(200, None, &head(4096, 5000), WHOLE_BELOW)).contains("Range"));
        assert!(
            whole(plan(
                206,
                Some("bytes 0-99/8192"),
                &head(4096, 2),
                WHOLE_BELOW
            ))
            .contains("under 4 MB")
        );
        assert!(
            whole(plan(
                206,
                Some("bytes 0-99/9999999"),
                b"CREATE TABLE t(a);",
                WHOLE_BELOW
            ))
            .contains("not an SQLite")
        );
        // A header whose page count is stale, and no Content-Range.
        let mut stale = head(4096, 5000);
        stale[92] = 1;
        assert!(whole(plan(206, None, &stale, WHOLE_BELOW)).contains("how large"));
        // A page size SQLite cannot have.
        assert!(
            whole(plan(
                206,
                Some("bytes 0-99/9999999"),
                &head(1000, 5000),
                WHOLE_BELOW
            ))
            .contains("not an SQLite")
        );
    }

    #[test]
    fn an_http_error_says_its_status_and_meaning() {
        assert_eq!(
            http_error(404, "Not Found"),
            "the server answered 404 Not Found: there is nothing at this address (not found)"
        );
        // HTTP/2 has no status text.
        assert_eq!(
            http_error(403, ""),
            "the server answered 403: the server refuses to give it (forbidden)"
        );
        assert!(http_error(418, "I'm a teapot").ends_with("refused the request"));
        assert!(http_error(599, "").ends_with("the server failed"));
    }
}
