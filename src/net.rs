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
