//! End-to-end test support: a static file server for the built site on
//! 127.0.0.1, and headless Chromium driven through chromedriver.

#![allow(dead_code)]

use std::net::TcpListener as StdListener;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use thirtyfour::prelude::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::process::{Child, Command};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The built site served at `/`: `$GREENBOARD_DIST` or `dist/`.
pub fn dist() -> PathBuf {
    std::env::var_os("GREENBOARD_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("dist"))
}

/// The same site built for the sub-path `/greenboard/`: `$GREENBOARD_DIST_SUB` or `dist-sub/`.
pub fn dist_sub() -> PathBuf {
    std::env::var_os("GREENBOARD_DIST_SUB")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("dist-sub"))
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript",
        "wasm" => "application/wasm",
        "css" => "text/css",
        "gz" => "application/gzip",
        "sql" => "application/sql",
        "png" => "image/png",
        "svg" => "image/svg+xml",
        "webmanifest" => "application/manifest+json",
        _ => "application/octet-stream",
    }
}

/// One request the server answered: its path (without the query), whether
/// it was conditional (`If-None-Match`), and the status sent.
#[derive(Debug, Clone)]
pub struct Served {
    /// The path asked for.
    pub path: String,
    /// Whether the request carried `If-None-Match`.
    pub conditional: bool,
    /// The status answered (200, 206, 304, 404).
    pub status: u16,
    /// The `Range` asked for, if any.
    pub range: Option<String>,
    /// Bytes of body sent.
    pub bytes: usize,
}

/// Parses `bytes=A-B` (or `bytes=A-`) against a body of `len` bytes:
/// the range to send, inclusive.
fn byte_range(range: &str, len: usize) -> Option<(usize, usize)> {
    let (a, b) = range.strip_prefix("bytes=")?.split_once('-')?;
    let a: usize = a.trim().parse().ok()?;
    let b = match b.trim() {
        "" => len.checked_sub(1)?,
        b => b.parse::<usize>().ok()?.min(len.checked_sub(1)?),
    };
    (a <= b).then_some((a, b))
}

/// Serves directories under URL prefixes on an ephemeral port of 127.0.0.1.
/// Files carry an `ETag` and `Last-Modified`; a request whose
/// `If-None-Match` names the current tag is answered 304 with no body.
pub struct Server {
    /// `http://127.0.0.1:PORT`
    pub origin: String,
    task: tokio::task::JoinHandle<()>,
    log: std::sync::Arc<std::sync::Mutex<Vec<Served>>>,
    /// A path prefix whose requests are cut off unanswered (the browser
    /// sees a network error), if any.
    cut: std::sync::Arc<std::sync::Mutex<Option<String>>>,
}

/// A file's validator: its length and modification time.
fn etag(path: &Path, len: usize) -> String {
    let modified = std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("\"{len:x}-{modified:x}\"")
}

/// The value of header `name` in a request's head, if present.
fn header<'h>(head: &'h str, name: &str) -> Option<&'h str> {
    head.lines().skip(1).find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim().eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Server {
    /// Serves each `(prefix, dir)`: a request for `prefix + p` gets `dir/p`
    /// (`index.html` for a directory).
    pub async fn start(mounts: Vec<(&'static str, PathBuf)>) -> Server {
        Server::start_slow(mounts, None).await
    }

    /// As [`Server::start`], but a request whose path holds `slow.0` is
    /// answered only after `slow.1` (a file that arrives late).
    pub async fn start_slow(
        mounts: Vec<(&'static str, PathBuf)>,
        slow: Option<(&'static str, Duration)>,
    ) -> Server {
        Server::start_with(mounts, slow, true).await
    }

    /// As [`Server::start`], answering `Range` requests (206 with the
    /// bytes asked) only when `ranges`; otherwise always the whole file.
    pub async fn start_ranges(mounts: Vec<(&'static str, PathBuf)>, ranges: bool) -> Server {
        Server::start_with(mounts, None, ranges).await
    }

    async fn start_with(
        mounts: Vec<(&'static str, PathBuf)>,
        slow: Option<(&'static str, Duration)>,
        ranges: bool,
    ) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let served = log.clone();
        let cut = std::sync::Arc::new(std::sync::Mutex::new(None::<String>));
        let cut_off = cut.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((mut sock, _)) = listener.accept().await else {
                    return;
                };
                let mounts = mounts.clone();
                let served = served.clone();
                let cut_off = cut_off.clone();
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                        match sock.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let head = String::from_utf8_lossy(&buf);
                    let target = head.split_whitespace().nth(1).unwrap_or("/");
                    let path = target.split(['?', '#']).next().unwrap_or("/");
                    let refused = cut_off
                        .lock()
                        .unwrap()
                        .as_deref()
                        .is_some_and(|p| path.starts_with(p));
                    if refused {
                        return;
                    }
                    if let Some((part, delay)) = slow
                        && path.contains(part)
                    {
                        tokio::time::sleep(delay).await;
                    }
                    let file = mounts.iter().find_map(|(prefix, dir)| {
                        let rest = path.strip_prefix(prefix)?;
                        let mut p = dir.join(rest.trim_start_matches('/'));
                        if p.is_dir() {
                            p = p.join("index.html");
                        }
                        p.is_file().then_some(p)
                    });
                    let conditional = header(&head, "if-none-match");
                    let range = header(&head, "range").map(str::to_string);
                    let head_only = head.starts_with("HEAD ");
                    let mut sent = 0;
                    // Only the bytes asked are read: a range of a large file
                    // costs its length, not the file's.
                    let opened = file.and_then(|f| {
                        let len = std::fs::metadata(&f).ok()?.len() as usize;
                        Some((f, len))
                    });
                    let (status, response) = match opened {
                        Some((f, len)) => {
                            let read = |a: usize, n: usize| -> Vec<u8> {
                                use std::os::unix::fs::FileExt;
                                let mut buf = vec![0; n];
                                std::fs::File::open(&f)
                                    .and_then(|file| file.read_exact_at(&mut buf, a as u64))
                                    .map(|_| buf)
                                    .unwrap_or_default()
                            };
                            let accept = if ranges { "Accept-Ranges: bytes\r\n" } else { "" };
                            let tag = etag(&f, len);
                            let validators = format!("ETag: {tag}\r\nLast-Modified: Mon, 30 Nov 2026 12:00:00 GMT\r\n");
                            if conditional == Some(tag.as_str()) {
                                let r = format!(
                                    "HTTP/1.1 304 Not Modified\r\n{validators}Cache-Control: no-store\r\nConnection: close\r\n\r\n"
                                );
                                (304, r.into_bytes())
                            } else if head_only {
                                let r = format!(
                                    "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nContent-Length: {len}\r\n{accept}{validators}Cache-Control: no-store\r\nConnection: close\r\n\r\n",
                                    content_type(&f),
                                );
                                (200, r.into_bytes())
                            } else if let Some((a, b)) = range
                                .as_deref()
                                .filter(|_| ranges)
                                .and_then(|r| byte_range(r, len))
                            {
                                let mut r = format!(
                                    "HTTP/1.1 206 Partial Content\r\nContent-Type: {}\r\nContent-Length: {}\r\nContent-Range: bytes {a}-{b}/{}\r\nAccept-Ranges: bytes\r\n{validators}Cache-Control: no-store\r\nConnection: close\r\n\r\n",
                                    content_type(&f),
                                    b + 1 - a,
                                    len
                                )
                                .into_bytes();
                                r.extend_from_slice(&read(a, b + 1 - a));
                                sent = b + 1 - a;
                                (206, r)
                            } else {
                                let mut r = format!(
                                    "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nContent-Length: {len}\r\n{accept}{validators}Cache-Control: no-store\r\nConnection: close\r\n\r\n",
                                    content_type(&f),
                                )
                                .into_bytes();
                                r.extend_from_slice(&read(0, len));
                                sent = len;
                                (200, r)
                            }
                        }
                        None => (404, b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found".to_vec()),
                    };
                    served.lock().unwrap().push(Served {
                        path: path.to_string(),
                        conditional: conditional.is_some(),
                        status,
                        range,
                        bytes: sent,
                    });
                    let _ = sock.write_all(&response).await;
                    let _ = sock.shutdown().await;
                });
            }
        });
        Server {
            origin,
            task,
            log,
            cut,
        }
    }

    /// Cuts off, unanswered, the requests whose path begins with `prefix`
    /// (as if its host could not be reached); `None`: answers all again.
    pub fn cut_off(&self, prefix: Option<&str>) {
        *self.cut.lock().unwrap() = prefix.map(str::to_string);
    }

    /// The requests answered so far whose path ends with `suffix`.
    pub fn served(&self, suffix: &str) -> Vec<Served> {
        self.log
            .lock()
            .unwrap()
            .iter()
            .filter(|s| s.path.ends_with(suffix))
            .cloned()
            .collect()
    }
}

/// A headless Chromium session through its own chromedriver.
pub struct Browser {
    /// The WebDriver session.
    pub driver: WebDriver,
    chromedriver: Child,
    _profile: TempDir,
}

/// A directory removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// A new empty directory under the system temp dir.
    pub fn new(tag: &str) -> TempDir {
        static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!("greenboard-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Browser {
    /// Starts chromedriver and a fresh headless Chromium profile.
    pub async fn start() -> Browser {
        let port = free_port();
        let chromedriver =
            Command::new(std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into()))
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .kill_on_drop(true)
                .spawn()
                .expect("chromedriver must be installed (the README's test command installs it)");
        let profile = TempDir::new("chromium");
        let mut caps = DesiredCapabilities::chrome();
        caps.set_binary(&std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()))
            .unwrap();
        for arg in [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--window-size=1400,1000",
        ] {
            caps.add_arg(arg).unwrap();
        }
        caps.add_arg(&format!("--user-data-dir={}", profile.0.display()))
            .unwrap();
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        let driver = loop {
            match WebDriver::new(&url, caps.clone()).await {
                Ok(d) => break d,
                Err(e) if Instant::now() > deadline => panic!("cannot start Chromium: {e}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        };
        Browser {
            driver,
            chromedriver,
            _profile: profile,
        }
    }

    /// Ends the browser (always call before asserting, so that no renderer is left running).
    pub async fn quit(mut self) {
        let _ = self.driver.clone().quit().await;
        let _ = self.chromedriver.kill().await;
    }

    /// Runs `script` in the page and returns its JSON value.
    pub async fn js(&self, script: &str) -> serde_json::Value {
        self.driver
            .execute(script, vec![])
            .await
            .map(|r| r.json().clone())
            .unwrap_or(serde_json::Value::Null)
    }

    /// Clicks the element `css` finds, first scrolled to the middle of its
    /// scrolling box (the sidebar scrolls on its own).
    pub async fn click(&self, css: &str) {
        // Parts of the page appear a moment after the data (the presets),
        // so the element is waited for.
        let el = self
            .driver
            .query(By::Css(css))
            .wait(Duration::from_secs(20), Duration::from_millis(50))
            .first()
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"));
        self.driver
            .execute(
                "arguments[0].scrollIntoView({ block: 'center' })",
                vec![el.to_json().unwrap()],
            )
            .await
            .unwrap();
        el.click().await.unwrap();
    }

    /// The SQL editor (CodeMirror's editable area), once its module is in.
    pub async fn editor(&self) -> WebElement {
        self.wait_for(
            "return document.querySelector('#editor-host .cm-content')",
            Duration::from_secs(30),
        )
        .await;
        self.driver
            .find(By::Css("#editor-host .cm-content"))
            .await
            .expect("the SQL editor")
    }

    /// Polls `script` until it returns something other than null/false,
    /// or `timeout` passes (then returns the last value).
    pub async fn wait_for(&self, script: &str, timeout: Duration) -> serde_json::Value {
        let deadline = Instant::now() + timeout;
        loop {
            let v = self.js(script).await;
            let done = !matches!(v, serde_json::Value::Null | serde_json::Value::Bool(false));
            if done || Instant::now() > deadline {
                return v;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the dump is loaded; returns the status text
    /// (or the failure's text, for the caller to assert on).
    pub async fn wait_loaded(&self) -> String {
        self.wait_for(
            "const s = document.querySelector('.status.loaded, .status.failed'); return s && s.textContent;",
            Duration::from_secs(60),
        )
        .await
        .as_str()
        .unwrap_or("not loaded within 60 s")
        .to_string()
    }
}

/// What the result table shows: its header and its rows, as text.
pub const TABLE_JS: &str = "const t = document.querySelector('table.result'); if (!t) return null;
  return { head: [...t.querySelectorAll('thead th')].map(e => e.textContent),
           rows: [...t.querySelectorAll('tbody tr[data-row]')].map(r => [...r.children].map(c => c.textContent)),
           classes: [...t.querySelectorAll('tbody tr[data-row]')].map(r => [...r.children].map(c => c.className)) };";

/// `s` percent-encoded for a query string.
pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                (c as char).to_string()
            } else {
                format!("%{c:02X}")
            }
        })
        .collect()
}

/// Sets the editor's text as typing would, and runs it with the Run button.
pub async fn run_sql(b: &Browser, sql: &str) {
    b.driver
        .execute(
            "const e = document.getElementById('sql'); e.value = arguments[0];
             e.dispatchEvent(new Event('input', { bubbles: true }));
             document.getElementById('run').click();",
            vec![serde_json::Value::String(sql.to_string())],
        )
        .await
        .unwrap();
}

/// Waits for the main query to finish; `Ok(status)` or `Err(error text)`.
pub async fn query_outcome(b: &Browser, timeout: Duration) -> Result<String, String> {
    let v = b
        .wait_for(
            "const s = document.querySelector('.query-status.done, .query-status.failed');
             return s && { ok: s.classList.contains('done'), text: s.textContent };",
            timeout,
        )
        .await;
    match (v["ok"].as_bool(), v["text"].as_str()) {
        (Some(true), Some(t)) => Ok(t.to_string()),
        (Some(false), Some(t)) => Err(t.to_string()),
        _ => Err(format!("no answer within {timeout:?}")),
    }
}

/// Serves `dist/` at `/`, opens it in a new browser and waits for the demo
/// to load; gives the load status too.
pub async fn open_demo() -> (Server, Browser, String) {
    let server = Server::start(vec![("/", dist())]).await;
    let b = Browser::start().await;
    b.driver.goto(format!("{}/", server.origin)).await.unwrap();
    let status = b.wait_loaded().await;
    (server, b, status)
}

/// Serves `dir` at `/{mount}/` beside `dist/`, opens `/` with the
/// address's `query` in a new browser, and waits for the load; gives the
/// load status too.
pub async fn open_with_dir(
    mount: &'static str,
    dir: PathBuf,
    query: &str,
) -> (Server, Browser, String) {
    let server = Server::start(vec![(mount, dir), ("/", dist())]).await;
    let b = Browser::start().await;
    b.driver
        .goto(format!("{}/{query}", server.origin))
        .await
        .unwrap();
    let status = b.wait_loaded().await;
    (server, b, status)
}

/// Serves `tests/fixtures/` at `/fixtures/` beside `dist/`, opens `/` with
/// the address's `query` (e.g. `?db=fixtures/x.sql`) in a new browser, and
/// waits for the load; gives the load status too.
pub async fn open_with_fixtures(query: &str) -> (Server, Browser, String) {
    let server = Server::start(vec![
        ("/fixtures/", root().join("tests/fixtures")),
        ("/", dist()),
    ])
    .await;
    let b = Browser::start().await;
    b.driver
        .goto(format!("{}/{query}", server.origin))
        .await
        .unwrap();
    let status = b.wait_loaded().await;
    (server, b, status)
}
