//! Offline: after one visit the service worker (`web/sw.js`, written by
//! `.ci/offline-files`) keeps every file of the build, and the explorer
//! opens with no network at all; a new build is taken whole or not at all;
//! the data's requests go to the network untouched; under a sub-path the
//! service worker keeps to it; the manifest makes the site installable.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};
use thirtyfour::extensions::cdp::ChromeDevTools;

use crate::support::*;

/// One build as its service worker lists it: the version and every app
/// file with its `integrity` ("sha256-…").
struct Build {
    version: String,
    files: Vec<(String, String)>,
}

fn build_of(dir: &Path) -> Build {
    let sw = std::fs::read_to_string(dir.join("sw.js")).unwrap();
    let start = sw.find("const BUILD = ").expect("sw.js names its build") + 14;
    let end = start + sw[start..].find(";\n").unwrap();
    let build: Value = serde_json::from_str(&sw[start..end])
        .unwrap_or_else(|e| panic!("sw.js's BUILD is not written ({e}): {}", &sw[start..end]));
    Build {
        version: build["version"].as_str().unwrap().to_string(),
        files: build["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f[0].as_str().unwrap().to_string(),
                    f[1].as_str().unwrap().to_string(),
                )
            })
            .collect(),
    }
}

/// Page JS: `sri(response)` gives a response's body as "sha256-…".
const SRI_JS: &str = "const sri = async r => 'sha256-' + btoa(String.fromCharCode(
    ...new Uint8Array(await crypto.subtle.digest('SHA-256', await r.arrayBuffer()))));";

/// Runs `body`, which may `await`, in the page and gives its value.
async fn run(b: &Browser, body: &str) -> Value {
    b.js(&format!("return (async () => {{ {body} }})();")).await
}

/// Waits until a service worker that has finished installing controls the
/// page; gives its script's address.
async fn controlled(b: &Browser) -> String {
    b.wait_for(
        "const c = navigator.serviceWorker.controller;
         return c && c.state === 'activated' && c.scriptURL;",
        Duration::from_secs(60),
    )
    .await
    .as_str()
    .unwrap_or("the page is not controlled by a service worker within 60 s")
    .to_string()
}

/// Every service-worker cache of the app: its name and each entry's
/// address and "sha256-…".
async fn app_caches(b: &Browser) -> Value {
    run(
        b,
        &format!(
            "{SRI_JS}
         const out = {{}};
         for (const name of await caches.keys()) {{
           const cache = await caches.open(name), entries = {{}};
           for (const req of await cache.keys()) entries[req.url] = await sri(await cache.match(req));
           out[name] = entries;
         }}
         return out;"
        ),
    )
    .await
}

/// What the page gets when it fetches each of `files`: "sha256-…" of the
/// body, or what went wrong.
async fn fetched(b: &Browser, files: &[(String, String)]) -> Vec<String> {
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    let v = b
        .driver
        .execute(
            &format!(
                "{SRI_JS}
                 return Promise.all(arguments[0].map(n => fetch(n).then(
                   r => r.ok ? sri(r) : 'HTTP ' + r.status, e => 'failed: ' + e)));"
            ),
            vec![json!(names)],
        )
        .await
        .unwrap();
    strings(v.json())
}

/// Runs an update check and waits for its outcome: "installed" (a new
/// build is waiting), "redundant" (its install failed) or "no new worker".
async fn update(b: &Browser) -> String {
    let v = run(
        b,
        "const r = await navigator.serviceWorker.getRegistration();
             await r.update().catch(() => {});
             const w = r.installing || r.waiting;
             if (!w) return 'no new worker';
             return await new Promise(done => {
               const check = () => { if (w.state !== 'installing') done(w.state); };
               w.addEventListener('statechange', check);
               check();
             });",
    )
    .await;
    v.as_str().unwrap_or("update check failed").to_string()
}

/// Rewrites sw.js in `dir` for the files now there, as the build does.
fn rewrite_sw(dir: &Path) {
    let out = std::process::Command::new("bash")
        .arg(root().join(".ci/offline-files"))
        .env("TRUNK_STAGING_DIR", dir)
        .env("TRUNK_SOURCE_DIR", root().join("web"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn append(path: PathBuf, text: &str) {
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.extend_from_slice(text.as_bytes());
    std::fs::write(path, bytes).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn after_one_visit_the_explorer_opens_with_no_network() {
    let build = build_of(&dist());
    let (server, b, first) = open_demo().await;
    let script = controlled(&b).await;
    let cached = app_caches(&b).await;

    // The data's requests go to the network untouched: a conditional
    // request for the demo reaches the server and its 304 the page.
    let etag = run(
        &b,
        "const r = await fetch('static/demo.sql.gz'); await r.arrayBuffer(); return r.headers.get('ETag');",
    )
    .await;
    let revalidated = b
        .driver
        .execute(
            "return fetch('static/demo.sql.gz', { headers: { 'If-None-Match': arguments[0] } }).then(r => r.status);",
            vec![etag.clone()],
        )
        .await
        .unwrap()
        .json()
        .clone();
    let dumps = server.served("demo.sql.gz");

    // No network at all: Chromium's network emulation says offline, and
    // the server is gone.
    let devtools = ChromeDevTools::new(b.driver.handle.clone());
    devtools.execute_cdp("Network.enable").await.unwrap();
    devtools
        .execute_cdp_with_params(
            "Network.emulateNetworkConditions",
            json!({ "offline": true, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1 }),
        )
        .await
        .unwrap();
    drop(server);
    b.driver.refresh().await.unwrap();
    let header = b
        .wait_for(
            "const h = document.querySelector('header.top h1'); return h && h.textContent;",
            Duration::from_secs(30),
        )
        .await;
    let status = b.wait_loaded().await;
    let unreachable_why = b
        .js("const n = document.querySelector('.status.loaded .kept-note'); return n && n.title;")
        .await;
    let online = b.js("return navigator.onLine;").await;
    let datasets = b
        .wait_for(
            "const o = [...document.querySelectorAll('header.top select option')].map(o => o.textContent);
             return o.length > 0 && o;",
            Duration::from_secs(10),
        )
        .await;
    let offline_files = fetched(&b, &build.files).await;
    // The demo's data, from the copy the worker kept, answers.
    run_sql(&b, "SELECT count(*) FROM test_runs;").await;
    let answer = query_outcome(&b, QUERY).await;
    let rows = table_rows(&b.js(TABLE_JS).await);
    b.quit().await;

    assert!(first.starts_with("Loaded"), "{first}");
    assert!(script.ends_with("/sw.js"), "{script}");
    // One cache of the app, holding every file of the build as built.
    let app: Vec<(&String, &Value)> = cached
        .as_object()
        .unwrap()
        .iter()
        .filter(|(name, _)| name.starts_with("greenboard-app "))
        .collect();
    assert_eq!(app.len(), 1, "{cached}");
    assert!(app[0].0.ends_with(&build.version), "{}", app[0].0);
    let entries = app[0].1.as_object().unwrap();
    assert_eq!(entries.len(), build.files.len(), "{cached}");
    for (name, integrity) in &build.files {
        let entry = entries
            .iter()
            .find(|(url, _)| url.ends_with(&format!("/{name}")))
            .unwrap_or_else(|| panic!("{name} is not kept: {cached}"));
        assert_eq!(entry.1, integrity, "{name}");
    }
    assert!(
        !cached.to_string().contains(".sql.gz"),
        "the data is not in the app's caches: {cached}"
    );
    assert!(etag.as_str().is_some_and(|t| t.starts_with('"')), "{etag}");
    assert_eq!(revalidated, json!(304));
    assert!(
        dumps.iter().any(|s| s.conditional && s.status == 304),
        "the conditional request reached the server: {dumps:?}"
    );

    // Offline: the page, its modules and the SQLite worker start from the cache.
    assert_eq!(online, json!(false), "the network emulation is offline");
    assert!(
        header.as_str().is_some_and(|h| h.ends_with(" greenboard")),
        "the page's header: {header}"
    );
    let wanted: Vec<&String> = build.files.iter().map(|(_, i)| i).collect();
    let got: Vec<&String> = offline_files.iter().collect();
    assert_eq!(got, wanted, "every app file, offline, as built");
    // The Data menu lists the shipped dumps from the list kept at install.
    assert_eq!(
        datasets,
        json!(["Demo: 90 days of a graphics library's CI"]),
        "the dataset list, offline"
    );
    // The demo's data opens from the copy kept in the browser, and the
    // status line says the address could not be reached (why, in its title).
    assert!(
        status.starts_with("Opened")
            && status.contains(
                "its address could not be reached, so this is the copy kept in this browser on "
            ),
        "{status}"
    );
    assert!(
        unreachable_why
            .as_str()
            .is_some_and(|w| w.starts_with("the browser could not reach it")),
        "{unreachable_why}"
    );
    assert!(answer.is_ok(), "{answer:?}");
    assert_eq!(
        rows,
        [[sqlite3_cli("SELECT count(*) FROM test_runs;")[0][0].clone()]]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_build_is_taken_whole_or_not_at_all() {
    let site = TempDir::new("build");
    copy_dir(&dist(), &site.0);
    let old = build_of(&site.0);
    let server = Server::start(vec![("/", site.0.clone())]).await;
    let b = Browser::start().await;
    b.driver.goto(format!("{}/", server.origin)).await.unwrap();
    let first = b.wait_loaded().await;
    controlled(&b).await;

    // A new build: the page, the worker's loader and the editor change.
    let editor_v1 = std::fs::read(site.0.join("editor.js")).unwrap();
    let index = std::fs::read_to_string(site.0.join("index.html")).unwrap();
    std::fs::write(
        site.0.join("index.html"),
        index.replace("</head>", "<!-- build 2 --></head>"),
    )
    .unwrap();
    append(site.0.join("worker_loader.js"), "\n// build 2\n");
    append(site.0.join("editor.js"), "\n// build 2\n");
    rewrite_sw(&site.0);
    let new = build_of(&site.0);

    // Deployed by halves: the new sw.js, but the old editor.js still
    // served. The new build does not install, and the old one stays whole.
    std::fs::write(site.0.join("editor.js"), &editor_v1).unwrap();
    let half = update(&b).await;
    let after_half = app_caches(&b).await;
    let editor_after_half = fetched(&b, &[("editor.js".into(), String::new())]).await;

    // The whole new build: it installs and waits, and the page, still on
    // the old build, says a new version is ready.
    append(site.0.join("editor.js"), "\n// build 2\n");
    let whole = update(&b).await;
    let notice = b
        .wait_for(
            "const u = document.getElementById('update');
             return u && [u.firstChild.textContent, u.querySelector('button').textContent];",
            Duration::from_secs(10),
        )
        .await;
    let png = b.driver.screenshot_as_png().await.unwrap();
    std::fs::create_dir_all(root().join("tests/screenshots")).unwrap();
    std::fs::write(root().join("tests/screenshots/update.png"), png).unwrap();
    let editor_while_waiting = fetched(&b, &[("editor.js".into(), String::new())]).await;

    // Reload: the new build takes over, and the page is reloaded with it.
    b.js("window.oldBuild = true;").await;
    b.click("#update button").await;
    let reloaded = b
        .wait_for(
            "return !window.oldBuild && document.querySelector('header.top h1') !== null
                && document.head.innerHTML.includes('build 2');",
            Duration::from_secs(30),
        )
        .await;
    controlled(&b).await;
    let after = app_caches(&b).await;
    let now_fetched = fetched(&b, &new.files).await;
    let second = b.wait_loaded().await;
    b.quit().await;

    assert!(first.starts_with("Loaded"), "{first}");
    assert_ne!(old.version, new.version);
    let editor = |build: &Build| {
        build
            .files
            .iter()
            .find(|(n, _)| n == "editor.js")
            .unwrap()
            .1
            .clone()
    };
    assert_ne!(editor(&old), editor(&new));

    assert_eq!(half, "redundant", "a build with a file of another fails");
    let names = |caches: &Value| -> Vec<String> {
        caches
            .as_object()
            .unwrap()
            .keys()
            .filter(|n| n.starts_with("greenboard-app "))
            .cloned()
            .collect()
    };
    assert_eq!(
        names(&after_half),
        [format!("greenboard-app {}/ {}", server.origin, old.version)]
    );
    assert_eq!(editor_after_half, [editor(&old)]);

    assert_eq!(whole, "installed");
    assert_eq!(
        notice,
        json!(["A new version of greenboard is ready.", "Reload"])
    );
    assert_eq!(
        editor_while_waiting,
        [editor(&old)],
        "until the page reloads, its files come from its own build"
    );

    assert_eq!(reloaded, json!(true));
    let cache = format!("greenboard-app {}/ {}", server.origin, new.version);
    assert_eq!(names(&after), std::slice::from_ref(&cache));
    let mut kept: Vec<(String, String)> = after[&cache]
        .as_object()
        .unwrap()
        .iter()
        .map(|(url, sri)| {
            (
                url.strip_prefix(&format!("{}/", server.origin))
                    .unwrap()
                    .to_string(),
                sri.as_str().unwrap().to_string(),
            )
        })
        .collect();
    kept.sort();
    assert_eq!(kept, new.files, "every file kept is of the new build");
    let wanted: Vec<&String> = new.files.iter().map(|(_, i)| i).collect();
    let got: Vec<&String> = now_fetched.iter().collect();
    assert_eq!(got, wanted, "the page gets the new build's files");
    assert!(second.starts_with("Opened"), "{second}");
}

#[tokio::test(flavor = "multi_thread")]
async fn under_a_sub_path_the_service_worker_keeps_to_it_and_the_site_installs() {
    let server = Server::start(vec![("/greenboard/", dist_sub())]).await;
    let b = Browser::start().await;
    b.driver
        .goto(format!("{}/greenboard/", server.origin))
        .await
        .unwrap();
    let status = b.wait_loaded().await;
    let script = controlled(&b).await;
    let scope = run(
        &b,
        "return (await navigator.serviceWorker.getRegistration()).scope;",
    )
    .await;
    let caches = app_caches(&b).await;
    let devtools = ChromeDevTools::new(b.driver.handle.clone());
    let manifest = devtools
        .execute_cdp("Page.getAppManifest")
        .await
        .unwrap_or_else(|e| json!(e.to_string()));
    let installability = devtools
        .execute_cdp("Page.getInstallabilityErrors")
        .await
        .unwrap_or_else(|e| json!(e.to_string()));
    let icons = run(
        &b,
        "const m = await (await fetch(document.querySelector('link[rel=manifest]').href)).json();
             return Promise.all(m.icons.map(i => fetch(new URL(i.src, new URL('manifest.webmanifest', document.baseURI)))
               .then(r => i.src + ' ' + r.status + ' ' + r.headers.get('Content-Type'))));",
    )
    .await;
    b.quit().await;

    let origin = &server.origin;
    assert!(status.starts_with("Loaded"), "{status}");
    assert_eq!(script, format!("{origin}/greenboard/sw.js"));
    assert_eq!(scope, json!(format!("{origin}/greenboard/")));
    let build = build_of(&dist_sub());
    assert_eq!(
        caches
            .as_object()
            .unwrap()
            .keys()
            .filter(|n| n.starts_with("greenboard-app "))
            .collect::<Vec<_>>(),
        [&format!(
            "greenboard-app {origin}/greenboard/ {}",
            build.version
        )]
    );
    for url in caches[format!("greenboard-app {origin}/greenboard/ {}", build.version)]
        .as_object()
        .unwrap()
        .keys()
    {
        assert!(url.starts_with(&format!("{origin}/greenboard/")), "{url}");
    }
    assert_eq!(
        manifest["url"],
        json!(format!("{origin}/greenboard/manifest.webmanifest")),
        "{manifest}"
    );
    assert_eq!(manifest["errors"], json!([]), "{manifest}");
    let parsed = &manifest["manifest"];
    assert_eq!(
        parsed["startUrl"],
        json!(format!("{origin}/greenboard/")),
        "{manifest}"
    );
    assert_eq!(
        parsed["scope"],
        json!(format!("{origin}/greenboard/")),
        "{manifest}"
    );
    assert_eq!(parsed["display"], json!("kStandalone"), "{manifest}");
    assert_eq!(
        installability["installabilityErrors"],
        json!([]),
        "{installability}"
    );
    assert_eq!(
        icons,
        json!([
            "icons/icon.svg 200 image/svg+xml",
            "icons/icon-192.png 200 image/png",
            "icons/icon-512.png 200 image/png",
            "icons/icon-maskable-512.png 200 image/png"
        ])
    );
}
