//! Dialects and seed systems: VibeSQL's dump translated, the cosmo-sokol
//! databases and the other seed systems' dumps with every preset against
//! native SQLite, a newer `sqlite3` shell's dump, and FTS5 tables.

use std::process::Command;

use greenboard::db::load::{OnError, load_str};
use greenboard::db::query;
use thirtyfour::prelude::*;

use crate::support::*;

/// Seed 003's "Progress by branch" query, as written there (a preset).
fn vibesql_branch_sql() -> &'static str {
    greenboard::presets::find("vibesql-progress-by-branch")
        .unwrap()
        .sql
}

#[tokio::test(flavor = "multi_thread")]
async fn a_vibesql_dump_loads_with_its_dialect_translated() {
    let fixture = root().join("tests/fixtures/vibesql-results.sql");
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    let stats = load_str(
        &conn,
        &std::fs::read_to_string(&fixture).unwrap(),
        OnError::Continue,
    )
    .unwrap();
    let expected: Vec<Vec<String>> = query::run(&conn, vibesql_branch_sql())
        .unwrap()
        .rows
        .iter()
        .map(|r| r.iter().map(|c| c.display().unwrap_or_default()).collect())
        .collect();

    let (_server, b, status) = open_with_fixtures(&format!(
        "?db=fixtures/vibesql-results.sql&sql={}",
        encode(vibesql_branch_sql())
    ))
    .await;
    let problems = b
        .js("return [...document.querySelectorAll('.problems li')].map(l => l.textContent)")
        .await;
    let outcome = query_outcome(&b, QUERY).await;
    let table = b.js(TABLE_JS).await;
    b.quit().await;

    assert!(stats.translated > 100, "{stats:?}");
    assert!(
        status.contains(&format!(
            "({} translated from another SQL dialect)",
            stats.translated
        )),
        "{status}"
    );
    assert_eq!(
        strings(&problems),
        [
            "statement 1 (line 8) skipped: SQLite has no roles (skipped) — CREATE ROLE dashboard_reader;"
        ]
    );
    assert!(outcome.is_ok(), "{outcome:?}");
    assert_eq!(table_rows(&table), expected);
    assert_eq!(expected.len(), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn every_vibesql_preset_matches_native_sqlite() {
    let fixture = root().join("tests/fixtures/vibesql-results.sql");
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    load_str(
        &conn,
        &std::fs::read_to_string(&fixture).unwrap(),
        OnError::Continue,
    )
    .unwrap();
    assert_eq!(
        greenboard::db::detect_schema(&conn),
        greenboard::protocol::SchemaKind::VibeSql
    );

    let (_server, b, status) = open_with_fixtures("?db=fixtures/vibesql-results.sql").await;
    let note = b
        .wait_for(
            "const n = document.querySelector('.note.recognised'); return n && n.textContent;",
            QUERY,
        )
        .await;
    let presets: Vec<_> = greenboard::presets::VIBESQL.iter().collect();
    let answers = click_each(&b, &presets).await;
    b.quit().await;

    assert!(status.starts_with("Loaded"), "{status}");
    assert!(
        note.as_str().is_some_and(|n| n.contains("VibeSQL")),
        "{note}"
    );
    for (id, outcome, rows) in answers {
        assert!(outcome.is_ok(), "{id}: {outcome:?}");
        assert_eq!(
            rows,
            native_rows(&conn, greenboard::presets::find(id).unwrap().sql),
            "{id}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_cosmo_preset_matches_native_sqlite() {
    // Native SQLite with the same three databases attached the same way.
    let fixtures = root().join("tests/fixtures/cosmo");
    let mut conn = rusqlite::Connection::open_in_memory().unwrap();
    for (name, file) in [
        ("build", "build_metadata"),
        ("test", "test_results"),
        ("artifact", "artifact_registry"),
    ] {
        let mut own = rusqlite::Connection::open_in_memory().unwrap();
        load_str(
            &own,
            &std::fs::read_to_string(fixtures.join(format!("{file}.sql"))).unwrap(),
            OnError::Stop,
        )
        .unwrap();
        greenboard::db::attach::attach(&mut conn, name, &mut own).unwrap();
    }
    use greenboard::protocol::SchemaKind::*;
    assert_eq!(
        greenboard::db::recognised(&conn),
        [CosmoBuild, CosmoTests, CosmoArtifacts, CosmoPipeline]
    );

    let (_server, b, status) = open_with_fixtures("?db=build:fixtures/cosmo/build_metadata.sql&db=test:fixtures/cosmo/test_results.sql&db=artifact:fixtures/cosmo/artifact_registry.sql").await;
    let note = b
        .wait_for(
            "const n = document.querySelector('.note.recognised'); return n && n.textContent;",
            QUERY,
        )
        .await;
    // The schemas' own presets (the generic ones ask things like the SQLite version).
    let presets: Vec<_> = [CosmoBuild, CosmoTests, CosmoArtifacts, CosmoPipeline]
        .into_iter()
        .flat_map(greenboard::presets::for_schema)
        .collect();
    let answers = click_each(&b, &presets).await;
    b.quit().await;

    assert!(status.starts_with("Loaded"), "{status}");
    assert!(
        note.as_str()
            .is_some_and(|n| n.contains("cosmo-sokol build metadata")
                && n.contains("three cosmo-sokol databases")),
        "{note}"
    );
    assert_eq!(presets.len(), 3 + 4 + 4 + 1);
    let mut with_rows = 0;
    for (id, outcome, rows) in answers {
        assert!(outcome.is_ok(), "{id}: {outcome:?}");
        let expected = native_rows(&conn, greenboard::presets::find(id).unwrap().sql);
        if !expected.is_empty() {
            with_rows += 1;
        }
        assert_eq!(rows, expected, "{id}");
    }
    // All but the seed's "last 7 days from now" flaky query find their data.
    assert_eq!(with_rows, presets.len() - 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_fts5_table_from_a_sqlite3_dump_answers_match() {
    // The cosmo-sokol test results with the design's test_errors_fts table and
    // trigger, as the sqlite3 shell dumps them (PRAGMA writable_schema).
    let sql = "SELECT rowid, test_name FROM test_errors_fts WHERE test_errors_fts MATCH 'shader OR segfault' ORDER BY rowid;";
    let (_server, b, status) = open_with_fixtures(&format!(
        "?db=fixtures/cosmo/test_results_fts.sql&sql={}",
        encode(sql)
    ))
    .await;
    let problems = b
        .js("return document.querySelectorAll('.problems li').length")
        .await;
    let outcome = query_outcome(&b, QUERY).await;
    let matched = b.js(TABLE_JS).await;
    // The trigger keeps the index up to date after the load (a change to
    // the data: allowed first).
    b.click("#allow-changes").await;
    run_sql(
        &b,
        "INSERT INTO test_results (run_id, test_name, test_suite, outcome, error_message) VALUES (4, 'sokol_app::vsync', 'sokol_app', 'fail', 'vsync timeout after 500 ms');
         SELECT test_name FROM test_errors_fts WHERE test_errors_fts MATCH 'vsync';",
    )
    .await;
    let after = query_outcome(&b, QUERY).await;
    let inserted = b.js(TABLE_JS).await;
    b.quit().await;

    assert!(status.starts_with("Loaded"), "{status}");
    assert_eq!(problems, 0, "every statement of the dump ran");
    assert!(outcome.is_ok(), "{outcome:?}");
    assert_eq!(
        table_rows(&matched),
        [
            ["4", "cimgui::render_frame"],
            ["9", "sokol_gfx::shader_compile"]
        ]
    );
    assert!(after.is_ok(), "{after:?}");
    assert_eq!(table_rows(&inserted), [["sokol_app::vsync"]]);
}

/// `sqlite3 :memory: ".read SCRIPT" ".dump"`: a real dump of the database a
/// script builds.
fn sqlite3_dump(script: &std::path::Path) -> String {
    let out = Command::new("sqlite3")
        .arg(":memory:")
        .arg(format!(".read {}", script.display()))
        .arg(".dump")
        .output()
        .expect("the sqlite3 shell must be installed (the README's test command installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Native SQLite's rows for a preset, its parameters bound to `values`.
fn native_preset_rows(
    conn: &rusqlite::Connection,
    preset: &greenboard::presets::Preset,
    values: &[String],
) -> Vec<Vec<String>> {
    shown(
        &query::run_with(conn, preset.sql, values)
            .unwrap_or_else(|e| panic!("{}: {e}", preset.id))
            .rows,
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn the_other_seed_systems_dumps_load_and_every_preset_matches_native_sqlite() {
    use greenboard::protocol::SchemaKind::{Cortex, GgenTier2, LoopCoordination};
    // Each seed system's database as the sqlite3 shell dumps it.
    let dumps = TempDir::new("seed-dumps");
    let systems = [
        (
            "coordination",
            LoopCoordination,
            "coding-loops coordination",
        ),
        ("tier2", GgenTier2, "ggen Tier 2"),
        ("cortex", Cortex, "CORTEX 2.0"),
    ];
    let mut natives = Vec::new();
    for (file, kind, _) in systems {
        let dump = sqlite3_dump(&root().join(format!("tests/fixtures/seeds/{file}.sql")));
        std::fs::write(dumps.0.join(format!("{file}.sql")), &dump).unwrap();
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        load_str(&conn, &dump, OnError::Stop).unwrap();
        assert_eq!(greenboard::db::recognised(&conn), [kind], "{file}");
        natives.push(conn);
    }

    let (server, b, first_status) =
        open_with_dir("/seeds/", dumps.0.clone(), "?db=seeds/coordination.sql").await;
    let mut seen = Vec::new();
    for (i, (file, kind, _)) in systems.iter().enumerate() {
        let status = if i == 0 {
            first_status.clone()
        } else {
            b.driver
                .goto(format!("{}/?db=seeds/{file}.sql", server.origin))
                .await
                .unwrap();
            b.wait_loaded().await
        };
        let note = b
            .wait_for(
                "const n = document.querySelector('.note.recognised'); return n && n.textContent;",
                QUERY,
            )
            .await;
        let presets: Vec<_> = greenboard::presets::for_schema(*kind).iter().collect();
        let answers = click_each(&b, &presets).await;
        seen.push((status, note, answers));
    }
    // The coordination database's parameter form: the last preset with a
    // parameter shows the value found in the data; another value typed and
    // entered runs the query again with it.
    b.driver
        .goto(format!("{}/?db=seeds/coordination.sql", server.origin))
        .await
        .unwrap();
    b.wait_loaded().await;
    let preset = greenboard::presets::find("loops-get-pending-tests-for-a-loop").unwrap();
    let answered = click_each(&b, &[preset]).await;
    let shown = b
        .js(
            "const i = document.querySelector('.params input[data-param=\"0\"]');
             return i && [document.querySelector('.params .param-name').textContent, i.value];",
        )
        .await;
    let input = b
        .driver
        .find(By::Css(".params input[data-param='0']"))
        .await
        .unwrap();
    input.clear().await.unwrap();
    input
        .send_keys("loop-2-infrastructure".to_string() + "\u{E007}")
        .await
        .unwrap();
    let typed = b
        .wait_for(
            "const t = document.querySelector('table.result tbody tr[data-row] td');
             return t && t.textContent === 'INF-BLD-003' && location.search;",
            QUERY,
        )
        .await;
    let retyped = b.js(TABLE_JS).await;
    b.quit().await;

    for ((file, kind, name), (status, note, answers)) in systems.iter().zip(seen) {
        let conn = &natives[systems.iter().position(|s| s.0 == *file).unwrap()];
        assert!(status.starts_with("Loaded"), "{file}: {status}");
        assert!(
            note.as_str().is_some_and(|n| n.contains(name)),
            "{file}: {note}"
        );
        let defaults = greenboard::db::param_defaults(conn, &[*kind]);
        for (id, outcome, rows) in answers {
            let preset = greenboard::presets::find(id).unwrap();
            let values = defaults
                .iter()
                .find(|d| d.0 == id)
                .map(|d| d.1.clone())
                .unwrap_or_default();
            assert!(outcome.is_ok(), "{id}: {outcome:?}");
            let expected = native_preset_rows(conn, preset, &values);
            assert!(!expected.is_empty(), "{id} finds rows in the fixture");
            assert_eq!(rows, expected, "{id}");
        }
    }
    assert!(answered[0].1.is_ok(), "{answered:?}");
    assert_eq!(
        shown,
        serde_json::json!(["loop_id", "loop-1-critical-path"])
    );
    assert!(
        typed
            .as_str()
            .is_some_and(|q| q.contains("p=loop-2-infrastructure")),
        "the value travels in the address: {typed}"
    );
    assert_eq!(
        table_rows(&retyped),
        native_preset_rows(&natives[0], preset, &["loop-2-infrastructure".into()])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dump_of_a_newer_sqlite3_shell_loads_unistr_text_and_its_fts5_table() {
    // The warning header, unistr() literals, the older replace(...char(10))
    // form, sqlite_sequence and an FTS5 table written through writable_schema.
    let sql = "SELECT id, hex(body), (SELECT seq FROM sqlite_sequence WHERE name = 'notes') FROM notes
               WHERE id IN (SELECT rowid FROM notes_fts WHERE notes_fts MATCH 'quoted OR bell OR crlf') ORDER BY id;";
    let (_server, b, status) = open_with_fixtures(&format!(
        "?db=fixtures/sqlite-shell-3.50.sql&sql={}",
        encode(sql)
    ))
    .await;
    let problems = b
        .js("return document.querySelectorAll('.problems li').length")
        .await;
    let outcome = query_outcome(&b, QUERY).await;
    let table = b.js(TABLE_JS).await;
    b.quit().await;

    let hex = |s: &str| s.bytes().map(|b| format!("{b:02X}")).collect::<String>();
    assert!(status.starts_with("Loaded"), "{status}");
    assert_eq!(problems, 0, "every statement ran");
    assert!(outcome.is_ok(), "{outcome:?}");
    assert_eq!(
        table_rows(&table),
        [
            [
                "1".to_string(),
                hex("line\nbreak\\path 'quoted' 🚀"),
                "4".into()
            ],
            ["2".to_string(), hex("tab\tand bell\u{7}"), "4".into()],
            ["4".to_string(), hex("crlf\r\nend"), "4".into()],
        ]
    );
}
