//! The address bar: `?db=`, `?sql=`, `?p=`, `?chart=` and `?test=` in;
//! `?sql=`, `?p=`, `?chart=` and `?test=` out, a history entry per query
//! and per test's page.

use web_sys::{UrlSearchParams, window};

use crate::protocol::READ_BUDGET;

/// What the address asks for.
#[derive(Debug, Clone, Default)]
pub struct Params {
    /// Dumps to load instead of the demo: `?db=URL` for the main database,
    /// `?db=NAME:URL` (repeated) for databases attached as `NAME`.
    pub dbs: Vec<(Option<String>, String)>,
    /// SQL to put in the editor and run once the data is loaded.
    pub sql: Option<String>,
    /// Values of its parameters (`?p=`, repeated, in order).
    pub values: Vec<String>,
    /// The chart spec (`?chart=`).
    pub chart: Option<String>,
    /// The preset the SQL is (`?preset=`): its title and drill-downs apply.
    pub preset: Option<String>,
    /// A dataset kept in this browser (`?kept=KEY`), opened instead of the demo.
    pub kept: Option<String>,
    /// The test whose page is shown in place of the dashboard (`?test=`).
    pub test: Option<String>,
}

/// The address's parameter `name`, if it has one.
pub fn param(name: &str) -> Option<String> {
    let search = window()?.location().search().ok()?;
    UrlSearchParams::new_with_str(&search).ok()?.get(name)
}

/// `?in-place-above=BYTES`: data with more SQL than this is loaded into,
/// and queried in place from, the browser's storage rather than memory.
pub fn in_place_above() -> Option<u64> {
    param("in-place-above")?.parse().ok()
}

/// `?read-budget=BYTES`: what a query may fetch of a database read over
/// HTTP before it stops and asks (default [`READ_BUDGET`]).
pub fn read_budget() -> u64 {
    param("read-budget")
        .and_then(|b| b.parse().ok())
        .unwrap_or(READ_BUDGET)
}

/// Splits `build:URL` into its schema name and URL; `https://…` and other
/// plain URLs have no name.
pub fn split_named(value: &str) -> (Option<String>, String) {
    if let Some((name, rest)) = value.split_once(':')
        && !rest.starts_with("//")
        && crate::protocol::valid_schema_name(name)
    {
        return (Some(name.to_string()), rest.to_string());
    }
    (None, value.to_string())
}

impl Params {
    /// Reads the current address.
    pub fn from_location() -> Self {
        let search = window()
            .and_then(|w| w.location().search().ok())
            .unwrap_or_default();
        let Ok(q) = UrlSearchParams::new_with_str(&search) else {
            return Params::default();
        };
        Params {
            dbs: q
                .get_all("db")
                .iter()
                .filter_map(|v| v.as_string())
                .filter(|s| !s.is_empty())
                .map(|s| split_named(&s))
                .collect(),
            sql: q.get("sql").filter(|s| !s.trim().is_empty()),
            values: q
                .get_all("p")
                .iter()
                .filter_map(|v| v.as_string())
                .collect(),
            chart: q.get("chart").filter(|s| !s.trim().is_empty()),
            preset: q.get("preset").filter(|s| !s.trim().is_empty()),
            kept: q.get("kept").filter(|s| !s.trim().is_empty()),
            test: q.get("test").filter(|s| !s.is_empty()),
        }
    }
}

/// The page's base URL (the `<base href>` Trunk writes for the public URL).
fn base() -> String {
    window()
        .and_then(|w| w.document())
        .and_then(|d| d.base_uri().ok().flatten())
        .unwrap_or_default()
}

/// The page's origin, e.g. `http://127.0.0.1:8080`.
pub fn origin() -> String {
    window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

/// `href` made absolute against the site's base URL.
pub fn resolve(href: &str) -> String {
    web_sys::Url::new_with_base(href, &base())
        .map(|u| u.href())
        .unwrap_or_else(|_| href.to_string())
}

/// Puts `sql`, its parameter values, its chart and the preset it is in the
/// address (`?sql=`, `?p=`, `?chart=`, `?preset=`), keeping the others. Other SQL than the
/// address holds makes a new history entry, so that the back button returns
/// to the query before; the same SQL (sorted, say) replaces the entry.
pub fn set_sql(sql: &str, values: &[String], chart: Option<&str>, preset: Option<&str>) {
    let Some(w) = window() else { return };
    let Ok(href) = w.location().href() else {
        return;
    };
    let Ok(url) = web_sys::Url::new(&href) else {
        return;
    };
    let search = url.search_params();
    let new = search.get("sql").as_deref() != Some(sql);
    search.set("sql", sql);
    search.delete("p");
    for v in values {
        search.append("p", v);
    }
    for (name, value) in [("chart", chart), ("preset", preset)] {
        match value {
            Some(v) => search.set(name, v),
            None => search.delete(name),
        }
    }
    if let Ok(history) = w.history() {
        let _ = if new {
            history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url.href()))
        } else {
            history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url.href()))
        };
    }
}

/// The address with `?test=` set to `test` (or taken out): a test's page,
/// on the same data.
pub fn with_test(test: Option<&str>) -> Option<String> {
    let url = web_sys::Url::new(&window()?.location().href().ok()?).ok()?;
    match test {
        Some(t) => url.search_params().set("test", t),
        None => url.search_params().delete("test"),
    }
    Some(url.href())
}

/// Shows the page of `test` (`None`: the dashboard) in a new history entry.
pub fn set_test(test: Option<&str>) {
    if let (Some(href), Some(history)) = (with_test(test), window().and_then(|w| w.history().ok()))
    {
        let _ = history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&href));
    }
}

/// Sets (or with `None`, removes) one parameter of the address.
pub fn set_param(name: &str, value: Option<&str>) {
    replace_params(|params| match value {
        Some(v) => params.set(name, v),
        None => params.delete(name),
    });
}

/// Changes the address's parameters with `change`, in place (no new
/// history entry).
fn replace_params(change: impl FnOnce(&UrlSearchParams)) {
    let Some(w) = window() else { return };
    let Ok(href) = w.location().href() else {
        return;
    };
    let Ok(url) = web_sys::Url::new(&href) else {
        return;
    };
    change(&url.search_params());
    if let Ok(history) = w.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url.href()));
    }
}

/// Opens the explorer on another dump: a new address with `?db=`.
pub fn open_db(db: &str) {
    let Some(w) = window() else { return };
    let Ok(href) = w.location().href() else {
        return;
    };
    let Ok(url) = web_sys::Url::new(&href) else {
        return;
    };
    let params = UrlSearchParams::new().expect("URLSearchParams");
    params.set("db", db);
    url.set_search(&params.to_string().as_string().unwrap_or_default());
    let _ = w.location().set_href(&url.href());
}

/// Fetches `url` and reads its JSON body (an error names `url`; it is the
/// site's own list of dumps, so the words for a console warning do).
pub async fn fetch_json(url: &str) -> Result<wasm_bindgen::JsValue, String> {
    use wasm_bindgen_futures::JsFuture;
    let w = window().ok_or("no window")?;
    let resp: web_sys::Response = JsFuture::from(w.fetch_with_str(url))
        .await
        .map_err(|e| format!("{url}: cannot fetch: {e:?}"))?
        .into();
    if !resp.ok() {
        return Err(format!("{url}: the server answered {}", resp.status()));
    }
    JsFuture::from(resp.json().map_err(|e| format!("{url}: {e:?}"))?)
        .await
        .map_err(|e| format!("{url}: not JSON: {e:?}"))
}

/// The address's query part, `?sql=…`.
fn search() -> String {
    window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

/// Where this tab notes the address of a query that has not answered yet.
const UNFINISHED: &str = "greenboard:unfinished";

fn session() -> Option<web_sys::Storage> {
    window()?.session_storage().ok()?
}

/// Notes, for this tab, that the query in the address has begun: until
/// [`finished`], a reload will not run it again by itself.
pub fn unfinished() {
    if let Some(s) = session() {
        let _ = s.set_item(UNFINISHED, &search());
    }
}

/// The query in the address answered: a reload may run it again.
pub fn finished() {
    if let Some(s) = session() {
        let _ = s.remove_item(UNFINISHED);
    }
}

/// Whether the query in the address began in this tab and never answered
/// (it was stopped, failed, or took the worker down): it is not run again
/// by itself. A link opened in another tab runs as usual.
pub fn left_unfinished() -> bool {
    session()
        .and_then(|s| s.get_item(UNFINISHED).ok()?)
        .is_some_and(|s| s == search())
}

/// Names the kept dataset `key` in the address (`?kept=`, instead of
/// `?db=`), so that a reload opens it again.
pub fn set_kept(key: &str) {
    replace_params(|params| {
        params.delete("db");
        params.set("kept", key);
    });
}

/// Opens the explorer on the kept dataset `key`: a new address, `?kept=`.
pub fn open_kept(key: &str) {
    let Some(w) = window() else { return };
    let params = UrlSearchParams::new().expect("URLSearchParams");
    params.set("kept", key);
    let _ = w
        .location()
        .set_search(&params.to_string().as_string().unwrap_or_default());
}

/// Takes `?db=` and `?kept=` out of the address (the data now loaded is
/// neither).
pub fn forget_db() {
    replace_params(|params| {
        params.delete("db");
        params.delete("kept");
    });
}
