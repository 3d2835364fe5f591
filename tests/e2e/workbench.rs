//! The query workbench: presets run, typed queries, SQL errors, the page
//! responsive under a long query, the editor's completion, selection and
//! errors, the schema browser, math functions, keyboard shortcuts and the
//! theme.

use std::time::{Duration, Instant};

use greenboard::db::load::{OnError, load_str};
use greenboard::db::query;
use serde_json::Value;
use thirtyfour::prelude::*;

use crate::support::*;

#[tokio::test(flavor = "multi_thread")]
async fn every_preset_runs_and_returns_rows() {
    let (_server, b, status) = open_demo().await;
    let ids = strings(
        &b.wait_for(
            "const p = [...document.querySelectorAll('button.preset')]; return p.length ? p.map(e => e.dataset.preset) : null;",
            Duration::from_secs(10),
        )
        .await,
    );
    let mut outcomes = Vec::new();
    for id in &ids {
        b.click(&format!("button.preset[data-preset='{id}']")).await;
        let outcome = query_outcome(&b, QUERY).await;
        let editor = b.js("return document.getElementById('sql').value").await;
        let rows = table_rows(&b.js(TABLE_JS).await).len();
        outcomes.push((id.clone(), outcome, editor, rows));
    }
    b.quit().await;

    assert!(status.starts_with("Loaded"), "{status}");
    // The same list, made natively from the same data.
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    load_str(&conn, &demo_sql(), OnError::Stop).unwrap();
    greenboard::db::prepare(&conn).unwrap();
    let expected: Vec<greenboard::presets::Made> =
        greenboard::presets::for_recognised(&greenboard::db::recognised(&conn))
            .map(greenboard::presets::Made::from)
            .chain(greenboard::presets::for_tables(
                &greenboard::db::table_counts(&conn).unwrap(),
            ))
            .collect();
    assert_eq!(
        ids,
        expected.iter().map(|p| p.id.clone()).collect::<Vec<_>>()
    );
    for ((id, outcome, editor, rows), preset) in outcomes.into_iter().zip(&expected) {
        let status = outcome.unwrap_or_else(|e| panic!("preset {id} failed: {e}"));
        assert_eq!(editor, preset.sql, "preset {id} puts its SQL in the editor");
        assert!(rows > 0, "preset {id} returned no rows ({status})");
        // Parameters take the values the data suggests, as on the page.
        let values: Vec<String> = greenboard::presets::find(&preset.id)
            .map(|p| greenboard::db::defaults(&conn, p))
            .unwrap_or_default();
        let n = query::run_with(&conn, &preset.sql, &values)
            .unwrap()
            .rows
            .len();
        let shown = if n == 1 {
            "1 row in".to_string()
        } else {
            format!("{} rows in", greenboard::chart::fmt_count(n as u64))
        };
        assert!(
            status.starts_with(&shown),
            "preset {id}: {status}, native {n}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn presets_shipped_in_a_dump_come_first() {
    let (_server, b, status) = open_with_fixtures("?db=fixtures/with-presets.sql").await;
    let listed = b
        .wait_for(
            "const g = [...document.querySelectorAll('.preset-group')]; return g.length && g.map(e => [e.querySelector('h3').textContent, [...e.querySelectorAll('.preset .title')].map(t => t.textContent)]);",
            QUERY,
        )
        .await;
    b.driver
        .find(By::Css("button.preset[data-preset='shipped:0']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let outcome = query_outcome(&b, QUERY).await;
    let table = b.js(TABLE_JS).await;
    // Its chart is the one it ships (a guess would have been bars).
    let chart = chart_of(&b, "line").await;
    b.quit().await;

    assert!(status.starts_with("Loaded"), "{status}");
    assert_eq!(chart["marks"], 3, "{chart}");
    assert_eq!(chart["title"], "Slowest checks");
    assert_eq!(
        listed[0],
        serde_json::json!(["From this data", ["Slowest checks", "Checks by owner"]])
    );
    assert_eq!(listed[1][0], "Database");
    assert_eq!(listed[2][0], "Tables");
    assert!(outcome.is_ok(), "{outcome:?}");
    assert_eq!(
        table_rows(&table),
        [["deploy", "900"], ["lint", "120"], ["unit", "30"]]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_custom_query_matches_the_sqlite3_shell() {
    let sql = "SELECT branch_name, COUNT(*) AS runs, SUM(failed) AS failures, MIN(run_timestamp) AS first, \
               ROUND(100.0 * SUM(passed) / SUM(passed + failed), 2) AS rate \
               FROM test_runs GROUP BY branch_name ORDER BY branch_name;";
    let (_server, b, _) = open_demo().await;
    // Typed for real, then run with Ctrl+Enter.
    let editor = b.editor().await;
    editor.click().await.unwrap();
    editor.send_keys(sql).await.unwrap();
    editor.send_keys(Key::Control + Key::Enter).await.unwrap();
    let outcome = query_outcome(&b, QUERY).await;
    let table = b.js(TABLE_JS).await;
    let url = b.js("return location.search").await;
    b.quit().await;

    let expected = sqlite3_cli(sql);
    assert!(outcome.is_ok(), "{outcome:?}");
    assert_eq!(
        strings(&table["head"]),
        ["branch_name", "runs", "failures", "first", "rate"]
    );
    assert_eq!(table_rows(&table), expected);
    assert_eq!(expected.len(), 5);
    let search = url.as_str().unwrap();
    assert!(
        search.contains("sql=SELECT+branch_name"),
        "the address holds the SQL: {search}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_sql_error_is_shown_and_the_page_recovers() {
    let (_server, b, _) = open_demo().await;
    run_sql(&b, "SELECT * FROM test_runs WHERE;").await;
    let syntax = query_outcome(&b, QUERY).await;
    run_sql(&b, "SELECT nosuch FROM test_runs;").await;
    let column = query_outcome(&b, QUERY).await;
    run_sql(&b, "SELECT abs(-9223372036854775807 - 1);").await;
    let runtime = query_outcome(&b, QUERY).await;
    run_sql(
        &b,
        "SELECT 9223372036854775807 AS big, -9223372036854775808 AS small;",
    )
    .await;
    let ok = query_outcome(&b, QUERY).await;
    let table = b.js(TABLE_JS).await;
    b.quit().await;

    assert_eq!(
        syntax.unwrap_err(),
        "near \";\": syntax error (at character 30)"
    );
    assert!(column.unwrap_err().starts_with("no such column: nosuch"));
    assert!(runtime.unwrap_err().starts_with("integer overflow"));
    assert!(ok.unwrap().starts_with("1 row in "));
    assert_eq!(
        table_rows(&table),
        [["9223372036854775807", "-9223372036854775808"]],
        "64-bit integers arrive exact"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_page_stays_responsive_during_a_long_query() {
    let (_server, b, _) = open_demo().await;
    run_sql(
        &b,
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 30000000) SELECT count(*) FROM c;",
    )
    .await;
    let started = Instant::now();
    // While SQLite counts in the worker, the page takes clicks and typing.
    let editor = b.editor().await;
    editor.send_keys(Key::Control + Key::End).await.unwrap();
    let mut slowest = Duration::ZERO;
    let mut running_seen = 0;
    let mut clock = std::collections::BTreeSet::new();
    for i in 0..10 {
        let t = Instant::now();
        editor.send_keys(format!(" --{i}")).await.unwrap();
        let state = b
            .js("return [document.querySelector('.query-status').className, document.getElementById('sql').value]")
            .await;
        slowest = slowest.max(t.elapsed());
        if state[0].as_str().unwrap_or_default().contains("running") {
            running_seen += 1;
            clock.insert(
                b.js("return document.querySelector('.query-status').textContent")
                    .await
                    .to_string(),
            );
        }
        assert!(state[1].as_str().unwrap().ends_with(&format!(" --{i}")));
        b.driver
            .find(By::Css("button.preset"))
            .await
            .unwrap()
            .is_displayed()
            .await
            .unwrap();
    }
    let outcome = query_outcome(&b, Duration::from_secs(120)).await;
    let total = started.elapsed();
    let table = b.js(TABLE_JS).await;
    b.quit().await;

    assert!(
        running_seen >= 5,
        "the query was still running while typing ({running_seen} of 10, {total:?})"
    );
    assert!(
        slowest < Duration::from_millis(1000),
        "typing took {slowest:?} while the query ran"
    );
    assert!(outcome.is_ok(), "{outcome:?}");
    assert_eq!(table_rows(&table), [["30000000"]]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_later_query_replaces_a_running_one() {
    let (_server, b, _) = open_demo().await;
    run_sql(
        &b,
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 5000000) SELECT count(*) AS slow FROM c;",
    )
    .await;
    run_sql(&b, "SELECT 'second' AS fast;").await;
    let outcome = query_outcome(&b, Duration::from_secs(60)).await;
    let first = b.js(TABLE_JS).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let later = b.js(TABLE_JS).await;
    b.quit().await;

    assert!(outcome.is_ok(), "{outcome:?}");
    for table in [first, later] {
        assert_eq!(strings(&table["head"]), ["fast"]);
        assert_eq!(table_rows(&table), [["second"]]);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn math_functions_answer_as_the_sqlite3_shells_own() {
    // The browser's SQLite has its own math functions, trigonometry
    // included; printed by SQLite's printf, they read as the shell's.
    let exprs = [
        "floor(2.5)",
        "ceil(7)",
        "trunc(-2.7)",
        "log(2, 8)",
        "log(100)",
        "ln(0)",
        "pow(2, 10)",
        "mod(-7.5, 2)",
        "sqrt(-1)",
        "sqrt('9')",
        "pi()",
        "degrees(pi())",
        "sin(pi() / 2)",
        "atan2(1, 1)",
        "cosh(0)",
    ];
    let sql = format!(
        "SELECT {};",
        exprs
            .iter()
            .map(|e| format!(
                "typeof({e}) || ':' || coalesce(printf('%.12g', {e}), 'NULL') AS \"{e}\""
            ))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let (_server, b, _) = open_demo().await;
    run_sql(&b, &sql).await;
    let outcome = query_outcome(&b, QUERY).await;
    let table = b.js(TABLE_JS).await;
    b.quit().await;

    assert!(outcome.is_ok(), "{outcome:?}");
    assert_eq!(table_rows(&table), sqlite3_cli(&sql));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_editor_completes_columns_runs_the_selection_and_points_at_errors() {
    let (_server, b, _) = open_demo().await;
    let editor = b.editor().await;
    // Completion: a column of the loaded table, offered while typing.
    let offered = completions_for(&b, &editor, "SELECT branch_n").await;
    // CodeMirror ignores keys for 75 ms after its list opens (against
    // accidental picks); a person takes longer than that.
    tokio::time::sleep(Duration::from_millis(300)).await;
    editor.send_keys(Key::Enter).await.unwrap();
    let completed = b.js("return document.getElementById('sql').value").await;
    // Highlighting: keywords are marked up as such.
    let keyword_colour = b
        .js("const s = [...document.querySelectorAll('.cm-content span')].find(e => e.textContent === 'SELECT');
             return s ? getComputedStyle(s).color : null;")
        .await;
    // Only the selected statement runs.
    set_sql(&b, "SELECT 1 AS one;\nSELECT 2 AS two;").await;
    editor.click().await.unwrap();
    editor.send_keys(Key::Control + Key::End).await.unwrap();
    editor.send_keys(Key::Shift + Key::Home).await.unwrap();
    editor.send_keys(Key::Control + Key::Enter).await.unwrap();
    query_outcome(&b, QUERY).await.unwrap();
    let selected = b.js(TABLE_JS).await;
    // Without a selection, the whole text runs (SQLite answers with the last statement).
    editor.send_keys(Key::Control + "a").await.unwrap();
    editor.send_keys(Key::Right).await.unwrap();
    b.js("document.querySelector('.query-status').className = 'query-status'")
        .await;
    editor.send_keys(Key::Control + Key::Enter).await.unwrap();
    query_outcome(&b, QUERY).await.unwrap();
    let whole = b.js(TABLE_JS).await;
    // An error: SQLite's message, and its place underlined in the editor.
    set_sql(
        &b,
        "SELECT branch_name,\n       no_such_column\nFROM test_runs;",
    )
    .await;
    editor.click().await.unwrap();
    editor.send_keys(Key::Control + Key::Enter).await.unwrap();
    let failed = query_outcome(&b, QUERY).await;
    let marked = b
        .wait_for(
            "const m = document.querySelector('.cm-sql-error'); return m && m.textContent;",
            QUERY,
        )
        .await;
    b.quit().await;

    assert!(
        offered
            .as_array()
            .is_some_and(|o| o.iter().any(|t| t == "branch_name")),
        "{offered}"
    );
    assert_eq!(completed, "SELECT branch_name");
    assert!(
        keyword_colour
            .as_str()
            .is_some_and(|c| c != "rgb(29, 36, 33)"),
        "SELECT is highlighted: {keyword_colour}"
    );
    assert_eq!(strings(&selected["head"]), ["two"]);
    assert_eq!(table_rows(&selected), [["2"]]);
    assert_eq!(strings(&whole["head"]), ["two"]);
    let error = failed.unwrap_err();
    assert!(error.contains("no such column: no_such_column"), "{error}");
    assert_eq!(marked, "no_such_column");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_schema_browser_shows_tables_columns_keys_and_first_rows() {
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    load_str(&conn, &demo_sql(), OnError::Stop).unwrap();
    greenboard::db::prepare(&conn).unwrap();
    let columns: Vec<Vec<String>> = native_rows(
        &conn,
        "SELECT name || ' ' || type || CASE WHEN pk > 0 THEN ' PK' ELSE '' END
                || CASE WHEN \"notnull\" THEN ' not null' ELSE '' END
         FROM pragma_table_info('test_results');",
    );
    let runs: i64 = conn
        .query_row("SELECT count(*) FROM test_runs", [], |r| r.get(0))
        .unwrap();
    let first = native_rows(&conn, "SELECT * FROM test_runs LIMIT 100;");

    let (_server, b, _) = open_demo().await;
    let listed = b
        .wait_for(
            "const l = [...document.querySelectorAll('.schema-list .relation')];
             return l.length && l.map(d => [d.querySelector('.table-name').textContent, d.querySelector('.meta').textContent,
               [...d.querySelectorAll('li')].map(li => li.textContent.replace(/\\s+/g, ' ').trim())]);",
            QUERY,
        )
        .await;
    b.click(".schema-list .table-name[data-name='test_runs']")
        .await;
    query_outcome(&b, QUERY).await.unwrap();
    let editor_sql = b.js("return document.getElementById('sql').value").await;
    let shown = b.js(TABLE_JS).await;
    const RELATION: &str =
        "document.querySelector(`.relation:has(.table-name[data-name='test_runs'])`)";
    let still_closed = b
        .js(&format!(
            "return {RELATION}.querySelector('.relation-body').hidden"
        ))
        .await;
    // Its columns unfold; a column's name goes in the editor at the cursor.
    b.click(".relation:has(.table-name[data-name='test_runs']) .toggle")
        .await;
    let unfolded = b
        .js(&format!(
            "const r = {RELATION}; return [r.querySelector('.relation-body').hidden, r.querySelector('.toggle').getAttribute('aria-expanded')];"
        ))
        .await;
    set_sql(&b, "SELECT  FROM test_runs;").await;
    let editor = b.editor().await;
    editor.click().await.unwrap();
    editor.send_keys(Key::Control + Key::Home).await.unwrap();
    for _ in 0..7 {
        editor.send_keys(Key::Right).await.unwrap();
    }
    b.click(".relation:has(.table-name[data-name='test_runs']) .column[data-column='branch_name']")
        .await;
    let inserted = b
        .wait_for(
            "const v = document.getElementById('sql').value; return v.includes('branch_name') && v;",
            QUERY,
        )
        .await;
    b.quit().await;

    let relation = |name: &str| {
        listed
            .as_array()
            .and_then(|l| l.iter().find(|r| r[0] == name))
            .cloned()
            .unwrap_or(Value::Null)
    };
    let runs_entry = relation("test_runs");
    assert_eq!(
        runs_entry[1],
        format!("table · {} rows", greenboard::chart::fmt_count(runs as u64)),
        "{listed}"
    );
    let results = relation("test_results");
    let expected: Vec<String> = columns
        .into_iter()
        .map(|r| r[0].trim().to_string())
        .collect();
    let shown_columns: Vec<String> = results[2]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().replace(" → test_runs", ""))
        .collect();
    assert_eq!(shown_columns, expected);
    assert!(
        results[2]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c.as_str().unwrap().contains("→ test_runs")),
        "a foreign key is shown: {results}"
    );
    assert_eq!(editor_sql, "SELECT * FROM test_runs LIMIT 100;");
    assert_eq!(table_rows(&shown), first);
    assert_eq!(
        still_closed, true,
        "the name's click does not unfold the table"
    );
    assert_eq!(unfolded, serde_json::json!([false, "true"]));
    assert_eq!(inserted, "SELECT branch_name FROM test_runs;");
}

#[tokio::test(flavor = "multi_thread")]
async fn keyboard_shortcuts_and_the_theme_switch_work_and_last() {
    let (_server, b, _) = open_demo().await;
    b.editor().await;
    let body = b.driver.find(By::Css("body")).await.unwrap();
    // "?" opens the help, Esc closes it.
    body.send_keys("?").await.unwrap();
    let help = b
        .js("const s = document.querySelector('.shortcuts'); return !s.hidden && s.querySelectorAll('dt').length;")
        .await;
    b.driver
        .action_chain()
        .send_keys(Key::Escape)
        .perform()
        .await
        .unwrap();
    let closed = b
        .js("return document.querySelector('.shortcuts').hidden")
        .await;
    // Alt+↓ chooses the first preset, then the next one.
    b.driver
        .action_chain()
        .key_down(Key::Alt)
        .send_keys(Key::Down)
        .send_keys(Key::Down)
        .key_up(Key::Alt)
        .perform()
        .await
        .unwrap();
    query_outcome(&b, QUERY).await.unwrap();
    let presets = b
        .js("const p = [...document.querySelectorAll('button.preset')];
             return [p.findIndex(e => e.classList.contains('active')), document.activeElement === p[1]];")
        .await;
    // Alt+S hides the schema, "/" focuses the editor.
    b.driver
        .action_chain()
        .key_down(Key::Alt)
        .send_keys("s")
        .key_up(Key::Alt)
        .perform()
        .await
        .unwrap();
    let schema_open = b.js("return document.getElementById('schema').open").await;
    b.js("document.activeElement.blur()").await;
    body.send_keys("/").await.unwrap();
    let focused = b
        .js("return document.activeElement.classList.contains('cm-content')")
        .await;
    // The theme: system, then light, then dark; dark lasts a reload.
    let background = "return getComputedStyle(document.body).backgroundColor";
    let system = b.js(background).await;
    b.click("#theme").await;
    let light = b.js(background).await;
    b.click("#theme").await;
    let dark = b.js(background).await;
    b.driver.refresh().await.unwrap();
    b.wait_loaded().await;
    let reloaded = (
        b.js(background).await,
        b.js("return document.getElementById('theme').textContent")
            .await,
    );
    b.quit().await;

    assert_eq!(help, 6);
    assert_eq!(closed, true);
    assert_eq!(presets, serde_json::json!([1, true]));
    assert_eq!(schema_open, false);
    assert_eq!(focused, true);
    // Headless Chromium's system theme is light.
    assert_eq!(system, "rgb(247, 248, 246)");
    assert_eq!(light, system);
    assert_eq!(dark, "rgb(18, 22, 20)");
    assert_eq!(reloaded.0, dark);
    assert_eq!(reloaded.1, "Theme: dark");
}

/// The headline's text, once the dashboard has one.
const HEADLINE_JS: &str =
    "const h = document.querySelector('.headline'); return h && h.textContent;";

/// The demo's headline figures (runs, pass rate) after `sql`, natively.
fn native_headline(sql: &str) -> (String, String) {
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    load_str(&conn, &demo_sql(), OnError::Stop).unwrap();
    greenboard::db::prepare(&conn).unwrap();
    query::run(&conn, sql).unwrap();
    let row = query::run(&conn, greenboard::presets::HEADLINE_SQL)
        .unwrap()
        .rows
        .remove(0);
    (
        format!("{} runs", row[0].display().unwrap()),
        format!("{}% passed", row[2].display().unwrap()),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn the_data_changes_only_with_changes_allowed_and_resets() {
    const DELETE: &str = "DELETE FROM test_runs WHERE branch_name = 'feature/metal-backend';";
    let (_server, b, _) = open_demo().await;
    let original = b.wait_for(HEADLINE_JS, QUERY).await;
    let bars =
        "return [...document.querySelectorAll('figure.chart')][0].querySelectorAll('g.bar').length";
    let branches_before = b.js(bars).await;
    let switch_before = b
        .js("return document.getElementById('allow-changes').checked")
        .await;
    let reset_hidden = b.js("return document.getElementById('reset').hidden").await;
    // Refused: the message names the switch, and nothing changed.
    run_sql(&b, DELETE).await;
    let refused = query_outcome(&b, QUERY).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after_refusal = b.js(HEADLINE_JS).await;
    // Allowed: the headline and the chart follow the data.
    b.click("#allow-changes").await;
    run_sql(&b, DELETE).await;
    let deleted = query_outcome(&b, QUERY).await;
    let changed = b
        .wait_for(
            &format!("const h = document.querySelector('.headline'); return h && h.textContent !== {original} && h.textContent;"),
            QUERY,
        )
        .await;
    let branches_after = b
        .wait_for(
            &format!("const n = (() => {{ {bars} }})(); return n !== {branches_before} && n;"),
            QUERY,
        )
        .await;
    let reset_shown = b
        .js("return !document.getElementById('reset').hidden")
        .await;
    let status = b
        .js("return document.querySelector('.status').textContent")
        .await;
    // Downloaded as a database file.
    b.click("#download-db").await;
    let file = b
        .wait_for(
            "const a = document.getElementById('export-link'); return a.download === 'greenboard.sqlite' && a.href;",
            QUERY,
        )
        .await;
    // Reset: the data as loaded, opened from the original kept in the
    // browser; the switch as it was set.
    b.click("#reset").await;
    let reloaded = b.wait_loaded().await;
    let back = b
        .wait_for(
            &format!("const h = document.querySelector('.headline'); return h && h.textContent === {original} && h.textContent;"),
            QUERY,
        )
        .await;
    let switch_after = b
        .js("return document.getElementById('allow-changes').checked")
        .await;
    let reset_hidden_again = b.js("return document.getElementById('reset').hidden").await;
    b.quit().await;

    assert_eq!(switch_before, false, "read-only by default");
    assert_eq!(reset_hidden, true);
    assert_eq!(
        refused.unwrap_err(),
        "This data is read-only: the statement would change table test_runs. \
         Turn on “Allow changes” (beside Run) to change it. (at character 1)"
    );
    assert_eq!(after_refusal, original, "the dashboard is unchanged");
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    load_str(&conn, &demo_sql(), OnError::Stop).unwrap();
    greenboard::db::prepare(&conn).unwrap();
    let gone = query::run(&conn, DELETE).unwrap().changes;
    let deleted = deleted.unwrap();
    assert!(
        deleted.starts_with(&format!(
            "{} rows changed",
            greenboard::chart::fmt_count(gone)
        )),
        "{deleted}: {gone} rows natively"
    );
    let (runs, rate) = native_headline(DELETE);
    let changed = changed.as_str().unwrap_or_default();
    assert!(
        changed.contains(&runs) && changed.contains(&rate),
        "{changed}: {runs}, {rate}"
    );
    assert_eq!(
        branches_after.as_i64(),
        branches_before.as_i64().map(|n| n - 1),
        "the branch's bar is gone"
    );
    assert_eq!(reset_shown, true);
    assert!(status.as_str().unwrap().contains("changed"), "{status}");
    assert!(
        file.as_str().unwrap_or_default().starts_with("blob:"),
        "{file}"
    );
    assert!(reloaded.starts_with("Opened"), "{reloaded}");
    assert_eq!(back, original, "Reset restores the original numbers");
    assert_eq!(switch_after, true, "the switch stays as set");
    assert_eq!(reset_hidden_again, true);
}

#[tokio::test(flavor = "multi_thread")]
async fn temporary_tables_work_read_only_and_are_in_the_schema() {
    let (_server, b, _) = open_demo().await;
    b.wait_for(HEADLINE_JS, QUERY).await;
    run_sql(
        &b,
        "CREATE TEMP TABLE mine AS SELECT branch_name, count(*) AS n FROM test_runs GROUP BY 1;
         CREATE TEMP VIEW mine_view AS SELECT * FROM mine;
         SELECT * FROM mine_view;",
    )
    .await;
    let outcome = query_outcome(&b, QUERY).await;
    let listed = b
        .wait_for(
            "const t = document.querySelector(\".schema-list .table-name[data-name='temp.mine']\");
             const v = document.querySelector(\".schema-list .table-name[data-name='temp.mine_view']\");
             return t && v && [[...document.querySelectorAll('.schema-list h3.db')].map(h => h.textContent),
               t.parentElement.querySelector('.meta').textContent, v.parentElement.querySelector('.meta').textContent];",
            QUERY,
        )
        .await;
    let switch = b
        .js("return document.getElementById('allow-changes').checked")
        .await;
    b.quit().await;

    assert_eq!(switch, false);
    assert!(outcome.unwrap().starts_with("5 rows in"));
    assert_eq!(listed[0], serde_json::json!(["main", "temp"]), "{listed}");
    assert_eq!(listed[1], "table · 5 rows");
    assert_eq!(listed[2], "view");
}

#[tokio::test(flavor = "multi_thread")]
async fn files_the_page_cannot_reach_are_explained() {
    let (_server, b, _) = open_demo().await;
    let mut outcomes = Vec::new();
    for allow in [false, true] {
        if allow {
            b.click("#allow-changes").await;
        }
        for sql in ["VACUUM INTO 'copy.db';", "ATTACH 'other.db' AS other;"] {
            run_sql(&b, sql).await;
            outcomes.push(query_outcome(&b, QUERY).await);
        }
    }
    b.quit().await;

    for pair in outcomes.chunks(2) {
        assert_eq!(
            pair[0].clone().unwrap_err(),
            "VACUUM INTO writes a file inside the browser's memory, which you cannot reach: \
             use “Download this database” instead. (at character 1)"
        );
        assert_eq!(
            pair[1].clone().unwrap_err(),
            "ATTACH opens a file by name, and this page has no files: load data with Load other data, \
             or ?db=name:URL in the address to attach it. (at character 1)"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn allow_changes_is_kept_per_dataset() {
    let (server, b, _) = open_with_fixtures("").await;
    let checked = "return document.getElementById('allow-changes').checked";
    b.click("#allow-changes").await;
    b.driver.refresh().await.unwrap();
    b.wait_loaded().await;
    let kept = b.wait_for(checked, QUERY).await;
    b.driver
        .goto(format!("{}/?db=fixtures/with-presets.sql", server.origin))
        .await
        .unwrap();
    let other_status = b.wait_loaded().await;
    let other = b.js(checked).await;
    b.driver.goto(format!("{}/", server.origin)).await.unwrap();
    b.wait_loaded().await;
    let again = b.wait_for(checked, QUERY).await;
    b.click("#allow-changes").await;
    b.driver.refresh().await.unwrap();
    b.wait_loaded().await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let off = b.js(checked).await;
    b.quit().await;

    assert_eq!(kept, true, "kept through a reload");
    assert!(other_status.starts_with("Loaded"), "{other_status}");
    assert_eq!(other, false, "another dataset has its own");
    assert_eq!(again, true);
    assert_eq!(off, false);
}
