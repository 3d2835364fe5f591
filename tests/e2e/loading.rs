//! Loading and sources: a dump named in the address (`?db=`), files by
//! their content, picked, dropped or pasted, bad and empty files, an
//! address that cannot be reached, the dataset picker, workers that cannot
//! start, and databases attached by name.

use std::io::Write;
use std::process::Command;
use std::time::Duration;

use greenboard::db::load::{OnError, load_str};
use thirtyfour::prelude::*;

use crate::support::*;

const LOAD_TIMEOUT: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread")]
async fn another_dump_loads_from_the_address() {
    let (server, b, status) = open_with_fixtures(
        "?db=fixtures/inventory.sql&sql=SELECT%20name%2C%20note%20FROM%20items%20ORDER%20BY%20id",
    )
    .await;
    let problems = b
        .js("return [...document.querySelectorAll('.problems li')].map(l => l.textContent)")
        .await;
    let outcome = query_outcome(&b, QUERY).await;
    let table = b.js(TABLE_JS).await;
    let note = b
        .js("return document.querySelector('.dashboard').textContent")
        .await;
    let presets = b
        .js("return [...document.querySelectorAll('button.preset')].map(e => e.dataset.preset)")
        .await;
    b.driver
        .goto(format!("{}/?db=fixtures/missing.sql", server.origin))
        .await
        .unwrap();
    let missing = b.wait_loaded().await;
    b.quit().await;

    assert!(status.contains("fixtures/inventory.sql"), "{status}");
    assert_eq!(
        strings(&problems),
        ["statement 4 (line 5) failed: no such table: nowhere — INSERT INTO nowhere VALUES(1);"]
    );
    assert!(outcome.is_ok(), "{outcome:?}");
    assert_eq!(
        table_rows(&table),
        [
            ["bolt; M6", "it's -- not a comment"],
            ["nut", "line one\nline two"]
        ]
    );
    assert!(
        note.as_str()
            .unwrap()
            .contains("does not follow greenboard's test-results schema")
    );
    assert_eq!(
        strings(&presets),
        ["schema", "sqlite-version", "table-rows", "table:items"]
    );
    assert!(missing.starts_with("Could not load"), "{missing}");
    assert!(missing.contains("404"), "{missing}");
}

/// The files of `dist/` (not its directories) but `missing`.
fn dist_without(missing: &str) -> TempDir {
    let site = TempDir::new("broken-site");
    for entry in std::fs::read_dir(dist()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() && path.file_name().unwrap() != missing {
            std::fs::copy(&path, site.0.join(path.file_name().unwrap())).unwrap();
        }
    }
    site
}

#[tokio::test(flavor = "multi_thread")]
async fn a_worker_that_cannot_start_is_reported() {
    // The page starts the worker before its own module is there to listen:
    // the failure is heard all the same, whether the script the worker
    // imports is missing (SQLite's glue) or the worker's own (no message).
    // Each also with the page's module arriving late, so that the worker
    // has failed before the page listens (a page that then started loading
    // hid the failure behind "Loading" for ever).
    for (missing, says) in [
        ("worker.js", "the SQLite worker failed: "),
        ("worker_loader.js", "could its files not be loaded?"),
    ] {
        for late in [None, Some(("/app-", Duration::from_millis(1500)))] {
            let broken = dist_without(missing);
            let server = Server::start_slow(vec![("/", broken.0.clone())], late).await;
            let b = Browser::start().await;
            b.driver.goto(format!("{}/", server.origin)).await.unwrap();
            let status = b.wait_loaded().await;
            b.quit().await;

            assert!(
                status.starts_with("Could not load"),
                "{missing} ({late:?}): {status}"
            );
            assert!(status.contains(says), "{missing} ({late:?}): {status}");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_chart_worker_that_cannot_start_is_reported_and_the_data_stays() {
    for (missing, says) in [
        ("charts.js", "the chart worker failed: "),
        (
            "charts_loader.js",
            "the chart worker failed: its files could not be loaded",
        ),
    ] {
        let broken = dist_without(missing);
        let server = Server::start(vec![
            ("/static/", dist().join("static")),
            ("/", broken.0.clone()),
        ])
        .await;
        let b = Browser::start().await;
        b.driver.goto(format!("{}/", server.origin)).await.unwrap();
        let status = b.wait_loaded().await;
        let trend = greenboard::presets::find("weekly-trend-by-branch").unwrap();
        let answers = click_each(&b, &[trend]).await;
        let error = b
            .wait_for(
                "const e = document.querySelector('.chart-error'); return e && e.textContent;",
                QUERY,
            )
            .await;
        b.quit().await;

        assert!(status.starts_with("Loaded"), "{missing}: {status}");
        assert!(
            error.as_str().unwrap_or_default().contains(says),
            "{missing}: {error}"
        );
        // The answer itself is there, chart or no chart.
        assert!(answers[0].1.is_ok(), "{missing}: {:?}", answers[0].1);
        assert!(!answers[0].2.is_empty(), "{missing}: no rows");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_dataset_picker_switches_dumps_through_the_address() {
    // The fixture list overlays dist/static/datasets.json; the demo itself comes from dist/.
    let server = Server::start(vec![
        ("/static/", root().join("tests/fixtures")),
        ("/", dist()),
    ])
    .await;
    let b = Browser::start().await;
    b.driver.goto(format!("{}/", server.origin)).await.unwrap();
    let first = b.wait_loaded().await;
    let no_source = b
        .js("return document.querySelector('.dataset-source')")
        .await;
    let options = b
        .wait_for(
            "const o = [...document.querySelectorAll('.dataset option')]; return o.length >= 2 && o.map(e => [e.textContent, e.selected]);",
            Duration::from_secs(10),
        )
        .await;
    b.driver
        .execute(
            "const s = document.querySelector('.dataset select'); s.value = 'static/inventory.sql';
             s.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![],
        )
        .await
        .unwrap();
    let second = b
        .wait_for(
            "const s = document.querySelector('.status.loaded'); return s && s.textContent.includes('inventory') && s.textContent;",
            LOAD_TIMEOUT,
        )
        .await;
    let search = b.js("return location.search").await;
    // Its entry names where it comes from and when it was taken; the
    // demo's names neither.
    let source = b
        .js("const a = document.querySelector('.dataset-source'); return a && [a.getAttribute('href'), a.textContent];")
        .await;
    b.driver.back().await.unwrap();
    let back = b
        .wait_for(
            "const s = document.querySelector('.status.loaded'); return s && s.textContent.includes('demo') && s.textContent;",
            LOAD_TIMEOUT,
        )
        .await;
    b.quit().await;

    assert!(first.contains("demo.sql.gz"), "{first}");
    assert_eq!(
        options,
        serde_json::json!([["Demo", true], ["Inventory (not test results)", false]])
    );
    assert!(
        second.as_str().is_some_and(|s| s.contains("inventory.sql")),
        "{second}"
    );
    assert_eq!(search, "?db=static%2Finventory.sql");
    assert_eq!(no_source, serde_json::Value::Null);
    assert_eq!(
        source,
        serde_json::json!(["https://example.org/inventory", "source, taken 2026-11-30"])
    );
    assert!(
        back.as_str().is_some_and(|s| s.contains("demo.sql.gz")),
        "back returns to the demo: {back}"
    );
}

/// Seed 000's cross-database query, exactly as the design writes it.
fn pipeline_sql() -> &'static str {
    greenboard::presets::COSMO_PIPELINE[0].sql
}

#[tokio::test(flavor = "multi_thread")]
async fn three_attached_databases_answer_the_pipeline_query() {
    let fixtures = root().join("tests/fixtures/cosmo");
    // The sqlite3 shell's answer on the same three dumps, attached the same way.
    let dir = TempDir::new("cosmo");
    for (name, file) in [
        ("build", "build_metadata"),
        ("test", "test_results"),
        ("artifact", "artifact_registry"),
    ] {
        let status = Command::new("sqlite3")
            .arg(dir.0.join(format!("{name}.db")))
            .stdin(std::fs::File::open(fixtures.join(format!("{file}.sql"))).unwrap())
            .status()
            .unwrap();
        assert!(status.success());
    }
    let out = Command::new("sqlite3")
        .current_dir(&dir.0)
        .args(["-batch", "-noheader", "-separator", "\t", ":memory:"])
        .arg(format!("ATTACH 'build.db' AS build; ATTACH 'test.db' AS test; ATTACH 'artifact.db' AS artifact; {}", pipeline_sql()))
        .output()
        .unwrap();
    let expected: Vec<Vec<String>> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect();

    let (_server, b, status) = open_with_fixtures(&format!("?db=build:fixtures/cosmo/build_metadata.sql&db=test:fixtures/cosmo/test_results.sql&db=artifact:fixtures/cosmo/artifact_registry.sql&sql={}", encode(pipeline_sql()))).await;
    let outcome = query_outcome(&b, QUERY).await;
    let table = b.js(TABLE_JS).await;
    // The editor completes an attached database's tables after its name.
    set_sql(&b, "").await;
    let editor = b.editor().await;
    let offered = completions_for(&b, &editor, "SELECT * FROM build.").await;
    let schema_groups = b
        .js("return [...document.querySelectorAll('.schema-list h3.db')].map(h => h.textContent)")
        .await;
    b.quit().await;

    assert!(
        offered
            .as_array()
            .is_some_and(|o| o.iter().any(|t| t == "builds")),
        "{offered}"
    );
    assert_eq!(
        schema_groups,
        serde_json::json!(["build", "test", "artifact"]),
        "the schema lists each attached database (the main one is empty)"
    );
    assert!(status.starts_with("Loaded"), "{status}");
    assert!(
        status.contains("build:") && status.contains("test:") && status.contains("artifact:"),
        "{status}"
    );
    assert!(outcome.is_ok(), "{outcome:?}");
    assert_eq!(expected.len(), 3);
    assert_eq!(table_rows(&table), expected);
}

/// Files of every kind, named to mislead, in a directory to serve.
fn odd_files() -> TempDir {
    let dir = TempDir::new("odd-files");
    let sql = "CREATE TABLE items(id INTEGER PRIMARY KEY, name TEXT);\nINSERT INTO items VALUES(1,'bolt; M6'),(2,'nut');\n";
    // An SQLite database file named like text.
    let db_path = dir.0.join("items.txt");
    let conn = rusqlite::Connection::open(&db_path).unwrap();
    conn.execute_batch(sql).unwrap();
    drop(conn);
    // Gzip named like a database.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(sql.as_bytes()).unwrap();
    let gz = gz.finish().unwrap();
    std::fs::write(dir.0.join("items.db"), &gz).unwrap();
    std::fs::write(dir.0.join("items.sql"), sql).unwrap();
    // A database in WAL mode, as greenboard's own ingest leaves it.
    let conn = rusqlite::Connection::open(dir.0.join("wal.sqlite")).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.execute_batch(sql).unwrap();
    drop(conn);
    // Broken ones.
    std::fs::write(dir.0.join("truncated.sql.gz"), &gz[..gz.len() / 2]).unwrap();
    std::fs::write(
        dir.0.join("garbage.sql"),
        (0..4096u32)
            .map(|i| (i * 7919 % 251) as u8 + 1)
            .collect::<Vec<u8>>(),
    )
    .unwrap();
    let mut damaged = std::fs::read(&db_path).unwrap();
    damaged.truncate(200);
    std::fs::write(dir.0.join("damaged.sqlite"), damaged).unwrap();
    dir
}

/// Opens `?db=DB` for each of `dbs` in turn; gives each one's load status.
async fn load_statuses<'n>(
    b: &Browser,
    server: &Server,
    dbs: &[&'n str],
) -> Vec<(&'n str, String)> {
    let mut statuses = Vec::new();
    for &db in dbs {
        b.driver
            .goto(format!("{}/?db={db}", server.origin))
            .await
            .unwrap();
        statuses.push((db, b.wait_loaded().await));
    }
    statuses
}

#[tokio::test(flavor = "multi_thread")]
async fn files_load_by_their_content_and_bad_ones_say_why() {
    let files = odd_files();
    let server = Server::start(vec![("/files/", files.0.clone()), ("/", dist())]).await;
    let b = Browser::start().await;
    let mut loaded = Vec::new();
    for name in ["items.txt", "items.db", "items.sql", "wal.sqlite"] {
        b.driver
            .goto(format!(
                "{}/?db=files/{name}&sql=SELECT%20name%20FROM%20items%20ORDER%20BY%20id",
                server.origin
            ))
            .await
            .unwrap();
        let status = b.wait_loaded().await;
        let outcome = query_outcome(&b, QUERY).await;
        loaded.push((name, status, outcome, table_rows(&b.js(TABLE_JS).await)));
    }
    let broken = load_statuses(
        &b,
        &server,
        &[
            "files/truncated.sql.gz",
            "files/garbage.sql",
            "files/damaged.sqlite",
        ],
    )
    .await;
    b.quit().await;

    for (name, status, outcome, rows) in loaded {
        assert!(status.starts_with("Loaded"), "{name}: {status}");
        assert!(outcome.is_ok(), "{name}: {outcome:?}");
        assert_eq!(rows, [["bolt; M6"], ["nut"]], "{name}");
    }
    for (name, status) in broken {
        assert!(status.starts_with("Could not load"), "{name}: {status}");
        if name.ends_with(".gz") {
            assert!(
                status.contains("the gzip data is damaged or ends early"),
                "{status}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_file_picked_dropped_or_pasted_loads_and_a_bad_one_keeps_the_data() {
    let files = odd_files();
    let (_server, b, first) = open_demo().await;
    let picker = b.driver.find(By::Id("file")).await.unwrap();
    picker
        .send_keys(files.0.join("items.txt").to_str().unwrap())
        .await
        .unwrap();
    let picked = b
        .wait_for("const s = document.querySelector('.status.loaded'); return s && s.textContent.includes('items.txt') && s.textContent;", QUERY)
        .await;
    run_sql(&b, "SELECT count(*) FROM items;").await;
    let picked_rows = (
        query_outcome(&b, QUERY).await,
        table_rows(&b.js(TABLE_JS).await),
    );
    // A file dropped on the page.
    b.driver
        .execute(
            "const dt = new DataTransfer();
             dt.items.add(new File(['CREATE TABLE dropped(x); INSERT INTO dropped VALUES (42);'], 'dropped.sql'));
             document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));",
            vec![],
        )
        .await
        .unwrap();
    let dropped = b
        .wait_for("const s = document.querySelector('.status.loaded'); return s && s.textContent.includes('dropped.sql') && s.textContent;", QUERY)
        .await;
    // A garbage file: an error, and the dropped data still answers.
    b.driver
        .find(By::Id("file"))
        .await
        .unwrap()
        .send_keys(files.0.join("garbage.sql").to_str().unwrap())
        .await
        .unwrap();
    let garbage = b
        .wait_for(
            "const s = document.querySelector('.status.failed'); return s && s.textContent;",
            QUERY,
        )
        .await;
    run_sql(&b, "SELECT x FROM dropped;").await;
    let still = (
        query_outcome(&b, QUERY).await,
        table_rows(&b.js(TABLE_JS).await),
    );
    // Pasted SQL.
    b.driver
        .execute(
            "const t = document.getElementById('pasted'); t.value = arguments[0];
             t.dispatchEvent(new Event('input', { bubbles: true }));
             document.getElementById('load-pasted').click();",
            vec![serde_json::Value::String(
                "CREATE TABLE pasted(v TEXT); INSERT INTO pasted VALUES ('a;b');".into(),
            )],
        )
        .await
        .unwrap();
    let pasted = b
        .wait_for("const s = document.querySelector('.status.loaded'); return s && s.textContent.includes('pasted SQL') && s.textContent;", QUERY)
        .await;
    run_sql(&b, "SELECT v FROM pasted;").await;
    let pasted_rows = (
        query_outcome(&b, QUERY).await,
        table_rows(&b.js(TABLE_JS).await),
    );
    b.quit().await;

    assert!(first.starts_with("Loaded"), "{first}");
    assert!(
        picked.as_str().is_some(),
        "the picked database file loads: {picked}"
    );
    assert_eq!(picked_rows.1, [["2"]], "{picked_rows:?}");
    assert!(
        dropped.as_str().is_some(),
        "the dropped file loads: {dropped}"
    );
    assert!(
        garbage
            .as_str()
            .is_some_and(|s| s.contains("garbage.sql") && s.contains("not UTF-8")),
        "{garbage}"
    );
    assert_eq!(
        still.1,
        [["42"]],
        "the earlier data stays usable: {still:?}"
    );
    assert!(pasted.as_str().is_some(), "{pasted}");
    assert_eq!(pasted_rows.1, [["a;b"]]);
}

/// Empty files: 0 bytes, gzip of 0 bytes, and only blanks and comments.
fn empty_files() -> (TempDir, Vec<u8>) {
    let dir = TempDir::new("empty-files");
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default())
        .finish()
        .unwrap();
    std::fs::write(dir.0.join("empty.sql"), b"").unwrap();
    std::fs::write(dir.0.join("empty.sql.gz"), &gz).unwrap();
    std::fs::write(
        dir.0.join("comments.sql"),
        "-- nothing to load; only a comment\n/* and; another */\n\n",
    )
    .unwrap();
    (dir, gz)
}

/// Waits for the status to say that `name` failed; gives its text.
async fn failed_status(b: &Browser, name: &str) -> String {
    b.wait_for(
        &format!(
            "const s = document.querySelector('.status.failed');
             return s && s.textContent.includes('{name}') && s.textContent;"
        ),
        QUERY,
    )
    .await
    .as_str()
    .unwrap_or("no failure reported")
    .to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn empty_files_are_refused_by_name_and_the_data_stays() {
    let (files, gz) = empty_files();
    let runs = {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        load_str(&conn, &demo_sql(), OnError::Stop).unwrap();
        greenboard::db::prepare(&conn).unwrap();
        native_rows(&conn, "SELECT count(*) FROM test_runs")
    };
    let server = Server::start(vec![("/files/", files.0.clone()), ("/", dist())]).await;
    let b = Browser::start().await;
    b.driver.goto(format!("{}/", server.origin)).await.unwrap();
    let first = b.wait_loaded().await;
    let mut refused = Vec::new();
    // Picked.
    for name in ["empty.sql", "empty.sql.gz", "comments.sql"] {
        b.driver
            .find(By::Id("file"))
            .await
            .unwrap()
            .send_keys(files.0.join(name).to_str().unwrap())
            .await
            .unwrap();
        refused.push((name, failed_status(&b, name).await));
    }
    // Dropped.
    for (name, bytes) in [("dropped.sql", Vec::new()), ("dropped.sql.gz", gz.clone())] {
        b.driver
            .execute(
                "const dt = new DataTransfer();
                 dt.items.add(new File([new Uint8Array(arguments[1])], arguments[0]));
                 document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));",
                vec![serde_json::json!(name), serde_json::json!(bytes)],
            )
            .await
            .unwrap();
        refused.push((name, failed_status(&b, name).await));
    }
    // The demo still answers.
    run_sql(&b, "SELECT count(*) FROM test_runs").await;
    let still = (
        query_outcome(&b, QUERY).await,
        table_rows(&b.js(TABLE_JS).await),
    );
    // From the address (a new page: nothing was loaded before).
    let addressed = load_statuses(
        &b,
        &server,
        &[
            "files/empty.sql",
            "files/empty.sql.gz",
            "files/comments.sql",
        ],
    )
    .await;
    b.quit().await;

    assert!(first.starts_with("Loaded"), "{first}");
    for (name, status) in &refused {
        assert!(
            status.starts_with(&format!("Could not load {name}: it is empty")),
            "{status}"
        );
        assert!(
            status.contains(" — still loaded: ") && status.ends_with("demo.sql.gz"),
            "the demo stays loaded: {status}"
        );
    }
    let says = |status: &str, what: &str| assert!(status.contains(what), "{what} in {status}");
    says(&refused[0].1, "it is empty (0 bytes)");
    says(&refused[1].1, "bytes of gzip inflate to 0 bytes");
    says(&refused[2].1, "no SQL statements");
    says(&refused[3].1, "it is empty (0 bytes)");
    says(&refused[4].1, "bytes of gzip inflate to 0 bytes");
    assert!(still.0.is_ok(), "{still:?}");
    assert_eq!(still.1, runs, "the earlier data stays usable");
    for (db, status) in addressed {
        assert!(
            status.starts_with("Could not load") && status.contains(&format!("{db}: it is empty")),
            "{status}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_address_that_cannot_be_reached_says_why() {
    // A port on which nothing listens.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let nowhere = format!("http://127.0.0.1:{port}/results.sql");
    let server = Server::start(vec![("/", dist())]).await;
    let b = Browser::start().await;
    let address = encode(&nowhere);
    let statuses = load_statuses(&b, &server, &[&address, "missing.sql"]).await;
    b.quit().await;
    let [(_, unreachable), (_, missing)] = &statuses[..] else {
        unreachable!()
    };

    assert!(
        unreachable.starts_with(&format!(
            "Could not load {nowhere}: the browser could not reach it: "
        )),
        "{unreachable}"
    );
    // Another origin: its server is down, or it does not allow this site.
    assert!(
        unreachable.contains("did not answer") && unreachable.contains("CORS"),
        "{unreachable}"
    );
    assert!(
        !unreachable.contains("Failed to fetch") && !unreachable.contains("TypeError"),
        "{unreachable}"
    );
    assert!(
        missing.contains("the server answered 404") && missing.contains("(not found)"),
        "{missing}"
    );
}
