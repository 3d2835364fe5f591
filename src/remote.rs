//! A database file at an address, read by HTTP `Range` requests as
//! queries need it ([`crate::db::lazy`] over synchronous requests, which a
//! worker may make), or downloaded whole when the server does not answer
//! ranges or the file is small ([`crate::net::plan`]).

use js_sys::Uint8Array;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{XmlHttpRequest, XmlHttpRequestResponseType};

use crate::db::lazy::Ranges;
use crate::net::{self, Plan};

/// What asking for a file's first bytes told.
pub enum Probe {
    /// Read it by ranges: its size, page size and `ETag` (if shown).
    Ranges {
        /// The file's size in bytes.
        size: u64,
        /// Its SQLite page size.
        page_size: u32,
        /// Its `ETag` (else `Last-Modified`), to notice a change.
        etag: Option<String>,
    },
    /// Download it whole, for the reason given; `Some`: the server sent it
    /// whole already, in this answer.
    Whole(String, Option<web_sys::Response>),
}

/// The bytes [`probe`] asks for: an SQLite database's header.
pub const PROBE_BYTES: u64 = 100;

/// Asks `url` for its first [`PROBE_BYTES`] bytes and decides how to read
/// it.
pub async fn probe(url: &str) -> Result<Probe, String> {
    let headers = web_sys::Headers::new().map_err(|e| format!("{e:?}"))?;
    headers
        .set("Range", &format!("bytes=0-{}", PROBE_BYTES - 1))
        .map_err(|e| format!("{e:?}"))?;
    let init = web_sys::RequestInit::new();
    init.set_headers(&headers);
    // What the server holds now, not what the HTTP cache kept of it.
    init.set_cache(web_sys::RequestCache::NoCache);
    let scope: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
    let resp: web_sys::Response = JsFuture::from(scope.fetch_with_str_and_init(url, &init))
        .await
        .map_err(|e| net::fetch_failure(url, &e))?
        .unchecked_into();
    let status = resp.status();
    if status != 206 && !resp.ok() {
        return Err(net::http_error(status, &resp.status_text()));
    }
    let header = |name: &str| resp.headers().get(name).ok().flatten();
    if status != 206 {
        return Ok(match net::plan(status, None, &[], net::WHOLE_BELOW) {
            Plan::Whole(why) => Probe::Whole(why, Some(resp)),
            Plan::Ranges { .. } => unreachable!("only 206 reads by ranges"),
        });
    }
    let (range, etag) = (
        header("content-range"),
        header("etag").or_else(|| header("last-modified")),
    );
    let body = JsFuture::from(resp.array_buffer().map_err(|e| format!("{e:?}"))?)
        .await
        .map_err(|e| net::fetch_failure(url, &e))?;
    let head = Uint8Array::new(&body).to_vec();
    Ok(
        match net::plan(status, range.as_deref(), &head, net::WHOLE_BELOW) {
            Plan::Ranges { size, page_size } => Probe::Ranges {
                size,
                page_size,
                etag,
            },
            Plan::Whole(why) => Probe::Whole(why, None),
        },
    )
}

/// A file read by synchronous range requests.
pub struct HttpRanges {
    url: String,
    size: u64,
    /// Its `ETag`, else its `Last-Modified`, when opened.
    etag: Option<String>,
}

impl HttpRanges {
    /// The file at `url`, `size` bytes, as of `etag` (its `ETag`, else its
    /// `Last-Modified`).
    pub fn new(url: &str, size: u64, etag: Option<String>) -> Self {
        HttpRanges {
            url: url.to_string(),
            size,
            etag,
        }
    }
}

impl Ranges for HttpRanges {
    fn size(&self) -> Result<u64, String> {
        Ok(self.size)
    }

    fn fetch(&self, offset: u64, len: u64) -> Result<Vec<u8>, String> {
        let js = |e: wasm_bindgen::JsValue| format!("{e:?}");
        let xhr = XmlHttpRequest::new().map_err(js)?;
        xhr.open_with_async("GET", &self.url, false).map_err(js)?;
        xhr.set_request_header("Range", &format!("bytes={offset}-{}", offset + len - 1))
            .map_err(js)?;
        xhr.set_response_type(XmlHttpRequestResponseType::Arraybuffer);
        xhr.send().map_err(|e| net::fetch_failure(&self.url, &e))?;
        let status = xhr.status().map_err(js)?;
        if status != 206 {
            return Err(if status == 200 {
                "the server stopped answering Range requests".to_string()
            } else {
                net::http_error(status, &xhr.status_text().unwrap_or_default())
            });
        }
        let header = |name: &str| xhr.get_response_header(name).ok().flatten();
        let etag = header("etag").or_else(|| header("last-modified"));
        let size =
            header("content-range").and_then(|r| r.rsplit_once('/')?.1.trim().parse::<u64>().ok());
        let changed = match (&self.etag, &etag) {
            (Some(was), Some(now)) if was != now => Some(format!("was {was}, is now {now}")),
            _ => size
                .filter(|s| *s != self.size)
                .map(|s| format!("was {} bytes, is now {s}", self.size)),
        };
        if let Some(how) = changed {
            return Err(format!(
                "{} since it was opened (it {how})",
                net::CHANGED_ON_SERVER
            ));
        }
        let body = xhr.response().map_err(js)?;
        Ok(Uint8Array::new(&body).to_vec())
    }
}
