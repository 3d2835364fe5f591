//! Answers and charts: a large answer scrolled, cells copied, values shown
//! as text, control characters marked and copied exactly, sorting by a header, answers saved as CSV, JSON and Markdown,
//! preset charts, a heatmap cell drilled down, and the run diff.

use std::io::Write;
use std::process::{Command, Stdio};

use greenboard::db::load::{OnError, load_str};
use greenboard::db::query;
use serde_json::Value;
use thirtyfour::prelude::*;

use crate::support::*;

#[tokio::test(flavor = "multi_thread")]
async fn values_render_as_text_never_as_markup() {
    let sql = "SELECT '<script>window.__xss = 1</script>' AS s, '<img src=x onerror=\"window.__xss = 2\">' AS i, \
               NULL AS n, '' AS e, 42 AS int, 1.5 AS real, x'00ff' AS b;";
    let server = Server::start(vec![("/", dist())]).await;
    let b = Browser::start().await;
    let url = format!(
        "{}/?sql={}",
        server.origin,
        sql.bytes()
            .map(|c| if c.is_ascii_alphanumeric() {
                (c as char).to_string()
            } else {
                format!("%{c:02X}")
            })
            .collect::<String>()
    );
    b.driver.goto(url).await.unwrap();
    b.wait_loaded().await;
    let outcome = query_outcome(&b, QUERY).await;
    let table = b.js(TABLE_JS).await;
    let editor = b.js("return document.getElementById('sql').value").await;
    run_sql(&b, "SELECT * FROM \"<img src=x onerror=window.__xss=3>\";").await;
    let error = query_outcome(&b, QUERY).await;
    let injected = b
        .js("return [window.__xss === undefined, document.querySelectorAll('table.result script, table.result img, .query-status img').length]")
        .await;
    b.quit().await;

    assert!(
        outcome.is_ok(),
        "?sql= runs once the data is loaded: {outcome:?}"
    );
    assert_eq!(editor.as_str().unwrap(), sql);
    assert_eq!(
        table_rows(&table),
        [[
            "<script>window.__xss = 1</script>",
            "<img src=x onerror=\"window.__xss = 2\">",
            "NULL",
            "",
            "42",
            "1.5",
            "BLOB · 2 bytes · 00 ff"
        ]]
    );
    assert_eq!(
        table["classes"][0],
        serde_json::json!(["text", "text", "null", "empty", "num", "num", "blob"]),
        "NULL, empty string and numbers are told apart"
    );
    assert_eq!(
        error.unwrap_err(),
        "no such table: <img src=x onerror=window.__xss=3>"
    );
    assert_eq!(injected, serde_json::json!([true, 0]));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hundred_thousand_rows_scroll_to_the_last_and_cells_copy() {
    let (_server, b, _) = open_demo().await;
    run_sql(
        &b,
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000) \
         SELECT x, 'row ' || x AS label, CASE WHEN x = 99999 THEN printf('%.300c', 'y') END AS long FROM c;",
    )
    .await;
    let outcome = query_outcome(&b, QUERY).await;
    let first = b.js(TABLE_JS).await;
    let in_document = b
        .js("return document.querySelectorAll('table.result tr').length")
        .await;
    // Scrolled to the bottom: the worker sends the pages in view.
    b.js("const w = document.querySelector('.table-wrap'); w.scrollTop = w.scrollHeight;")
        .await;
    let last = b
        .wait_for(
            &format!(
                "const t = (() => {{ {TABLE_JS} }})(); const r = t && t.rows;
                 return r && r.length && r[r.length - 1][0] === '100000' && t;"
            ),
            QUERY,
        )
        .await;
    let row_99999 = b
        .js("const r = document.querySelector(`tr[data-row='99998']`);
             const box = r.getBoundingClientRect(), wrap = document.querySelector('.table-wrap').getBoundingClientRect();
             const long = r.cells[2];
             return [[...r.cells].map(c => c.textContent), box.top >= wrap.top && box.bottom <= wrap.bottom + 28,
                     long.scrollWidth > long.clientWidth, Math.round(box.height)];")
        .await;
    // Row 99,999's long text: cut short in the table, whole when clicked.
    b.click("tr[data-row='99998'] td:nth-child(3)").await;
    let inspected = b
        .wait_for(
            "const i = document.querySelector('.inspector'); return i && [i.querySelector('.where').textContent, i.querySelector('.value').textContent];",
            QUERY,
        )
        .await;
    // Copied, and pasted into a field: the value, then the row.
    b.click("#copy-value").await;
    b.js("const t = document.createElement('textarea'); t.id = 'paste'; document.body.append(t);")
        .await;
    let paste = b.driver.find(By::Id("paste")).await.unwrap();
    paste.send_keys(Key::Control + "v").await.unwrap();
    let pasted_value = b.js("return document.getElementById('paste').value").await;
    b.click("tr[data-row='99998'] td:nth-child(1)").await;
    b.click("#copy-row").await;
    b.js("document.getElementById('paste').value = ''").await;
    paste.send_keys(Key::Control + "v").await.unwrap();
    let pasted_row = b.js("return document.getElementById('paste').value").await;
    // The arrow keys move the chosen cell (once the table has the focus).
    b.click("tr[data-row='99998'] td:nth-child(1)").await;
    b.driver
        .action_chain()
        .send_keys(Key::Down)
        .send_keys(Key::Right)
        .perform()
        .await
        .unwrap();
    let moved = b
        .js("return document.querySelector('.inspector .where').textContent")
        .await;
    b.quit().await;

    assert!(outcome.unwrap().starts_with("100,000 rows"));
    assert_eq!(table_rows(&first).len(), 200);
    assert_eq!(table_rows(&first)[0], ["1", "row 1", "NULL"]);
    assert!(
        in_document.as_u64().is_some_and(|n| n < 250),
        "only the rows in view are in the document: {in_document}"
    );
    let rows = table_rows(&last);
    assert!(rows.len() <= 400, "{}", rows.len());
    assert_eq!(rows.last().unwrap(), &["100000", "row 100000", "NULL"]);
    let long = "y".repeat(300);
    assert_eq!(
        row_99999[0],
        serde_json::json!(["99999", "row 99999", long])
    );
    assert_eq!(row_99999[1], true, "row 99,999 is in view");
    assert_eq!(row_99999[2], true, "the long value is cut short on screen");
    assert_eq!(row_99999[3], 28, "rows keep their height");
    assert_eq!(
        inspected,
        serde_json::json!(["Row 99,999 · long · text, 300 characters", long])
    );
    assert_eq!(pasted_value, long);
    assert_eq!(pasted_row, format!("99999\trow 99999\t{long}"));
    assert_eq!(moved, "Row 100,000 · label · text, 10 characters");
}

/// Each cell of a row as `[text, [[marker, title, drawn], …]]`: its text
/// (which keeps the characters themselves) and its control-character
/// markers, each with whether it takes room on screen.
const MARKS_JS: &str = "const marks = e => [...e.querySelectorAll('.ctl')].map(s =>
    [s.dataset.c, s.title, s.getBoundingClientRect().width > 0]);";

#[tokio::test(flavor = "multi_thread")]
async fn control_characters_show_as_markers_and_copy_exactly() {
    let crlf = "line one\r\nline two";
    let cr_tab = "a\rb\tc";
    let (_server, b, _) = open_demo().await;
    run_sql(
        &b,
        "SELECT 'line one' || char(13, 10) || 'line two' AS crlf, 'a' || char(13) || 'b' || char(9) || 'c' AS cr_tab, 'plain' AS plain;",
    )
    .await;
    let outcome = query_outcome(&b, QUERY).await;
    let grid = b
        .js(&format!(
            "{MARKS_JS} return [...document.querySelector(`tr[data-row='0']`).cells].map(c => [c.textContent, marks(c)]);"
        ))
        .await;
    // The inspector, and Copy value: what a paste receives (a text area's
    // value would turn \r\n into \n, so the paste event's data is read).
    b.js("const t = document.createElement('textarea'); t.id = 'paste'; document.body.append(t);
          t.addEventListener('paste', e => { window.__pasted = e.clipboardData.getData('text/plain'); });")
        .await;
    let paste = b.driver.find(By::Id("paste")).await.unwrap();
    let mut inspected = Vec::new();
    let mut pasted = Vec::new();
    for (col, name, button) in [
        (1, "crlf", "#copy-value"),
        (2, "cr_tab", "#copy-value"),
        (3, "plain", "#copy-row"),
    ] {
        b.click(&format!("tr[data-row='0'] td:nth-child({col})"))
            .await;
        inspected.push(
            b.wait_for(
                &format!(
                    "{MARKS_JS} const v = document.querySelector('.inspector .value');
                     return v && document.querySelector('.inspector .where').textContent.startsWith('Row 1 · {name} ·')
                       && [v.textContent, marks(v)];"
                ),
                QUERY,
            )
            .await,
        );
        b.click(button).await;
        b.js("window.__pasted = null").await;
        paste.send_keys(Key::Control + "v").await.unwrap();
        pasted.push(
            b.wait_for("return window.__pasted", QUERY)
                .await
                .as_str()
                .map(str::to_string),
        );
    }
    b.quit().await;

    assert!(outcome.is_ok(), "{outcome:?}");
    let cr = ["␍", "carriage return (U+000D)"];
    let lf = ["↵", "line feed (new line) (U+000A)"];
    let tab = ["␉", "tab (U+0009)"];
    let marked = |marks: &[[&str; 2]]| -> Value {
        marks
            .iter()
            .map(|[m, t]| serde_json::json!([m, t, true]))
            .collect()
    };
    assert_eq!(
        grid,
        serde_json::json!([
            [crlf, marked(&[cr, lf])],
            [cr_tab, marked(&[cr, tab])],
            ["plain", []]
        ]),
        "the text is exact, and each control character shows a marker"
    );
    assert_eq!(inspected[0], serde_json::json!([crlf, marked(&[cr, lf])]));
    assert_eq!(
        inspected[1],
        serde_json::json!([cr_tab, marked(&[cr, tab])])
    );
    assert_eq!(inspected[2], serde_json::json!(["plain", []]));
    assert_eq!(
        pasted,
        [
            Some(crlf.to_string()),
            Some(cr_tab.to_string()),
            Some(format!("{crlf}\t{cr_tab}\tplain"))
        ],
        "Copy value and Copy row give the stored text, not the one shown"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn preset_charts_draw_a_mark_per_row_and_the_spec_travels_in_the_address() {
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    load_str(&conn, &demo_sql(), OnError::Stop).unwrap();
    greenboard::db::prepare(&conn).unwrap();
    let rows_of = |id: &str| {
        let p = greenboard::presets::find(id).unwrap();
        query::run(&conn, p.sql).unwrap().rows.len()
    };
    let (server, b, status) = open_demo().await;
    let trend = greenboard::presets::find("weekly-trend-by-branch").unwrap();
    let heat = greenboard::presets::find("branch-x-platform").unwrap();
    click_each(&b, &[trend]).await;
    let line = chart_of(&b, "line").await;
    b.js("document.querySelector('.result-chart').scrollIntoView()")
        .await;
    let png = b.driver.screenshot_as_png().await.unwrap();
    std::fs::write(root().join("tests/screenshots/chart.png"), png).unwrap();
    // Re-charted as bars from the builder's menu.
    b.js(
        "const k = document.getElementById('chart-kind'); k.value = 'bar';
          k.dispatchEvent(new Event('change', { bubbles: true }));",
    )
    .await;
    let bars = chart_of(&b, "bar").await;
    // Saved as PNG: drawn on a canvas at twice the size.
    b.js("document.querySelector('.result-chart button.download').click()")
        .await;
    let png = b
        .wait_for(
            "const a = document.getElementById('png-link');
             if (!a || !a.href.startsWith('data:image/png;base64,')) return null;
             const bin = atob(a.href.split(',')[1]); const at = i => bin.charCodeAt(i);
             const u32 = i => ((at(i) << 24) | (at(i + 1) << 16) | (at(i + 2) << 8) | at(i + 3)) >>> 0;
             return { signature: [0, 1, 2, 3, 4, 5, 6, 7].map(at), width: u32(16), height: u32(20), bytes: bin.length };",
            QUERY,
        )
        .await;
    click_each(&b, &[heat]).await;
    let heatmap = chart_of(&b, "heatmap").await;
    b.quit().await;

    // The address with the bar chart, opened in a fresh browser profile.
    let search = bars["search"].as_str().unwrap_or_default().to_string();
    let b = Browser::start().await;
    b.driver
        .goto(format!("{}/{search}", server.origin))
        .await
        .unwrap();
    b.wait_loaded().await;
    let shared = chart_of(&b, "bar").await;
    b.quit().await;

    assert!(status.starts_with("Loaded"), "{status}");
    let weeks = rows_of("weekly-trend-by-branch");
    assert_eq!(line["marks"], weeks, "{line}");
    assert_eq!(line["role"], "img");
    assert_eq!(line["title"], trend.title);
    assert!(
        line["desc"].as_str().is_some_and(
            |d| d.starts_with("Line chart of pass_rate_pct by week and branch (5 series)")
        ),
        "{line}"
    );
    assert!(
        line["search"].as_str().is_some_and(
            |s| s.contains("chart=line%3Ax%3Dweek%2Cy%3Dpass_rate_pct%2Cseries%3Dbranch")
        ),
        "{line}"
    );
    assert_eq!(bars["marks"], weeks, "{bars}");
    assert_eq!(
        png["signature"],
        serde_json::json!([137, 80, 78, 71, 13, 10, 26, 10]),
        "{png}"
    );
    assert_eq!(
        (png["width"].as_u64(), png["height"].as_u64()),
        (Some(1440), Some(800)),
        "{png}"
    );
    assert!(png["bytes"].as_u64() > Some(10_000), "{png}");
    assert!(search.contains("chart=bar%3A"), "{search}");
    assert_eq!(heatmap["marks"], rows_of("branch-x-platform"), "{heatmap}");
    assert_eq!(
        shared["marks"], weeks,
        "the shared address draws the same chart: {shared}"
    );
    assert!(search.contains("preset=weekly-trend-by-branch"), "{search}");
    assert_eq!(
        shared["title"], trend.title,
        "the shared address names the preset: {shared}"
    );
    // The download is the SVG document itself, well-formed.
    let href = bars["href"].as_str().unwrap();
    let svg = href
        .strip_prefix("data:image/svg+xml;charset=utf-8,")
        .map(decode)
        .unwrap();
    let mut reader = quick_xml::Reader::from_str(&svg);
    let mut elements = 0;
    loop {
        match reader.read_event().unwrap() {
            quick_xml::events::Event::Start(_) | quick_xml::events::Event::Empty(_) => {
                elements += 1
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    assert!(elements > weeks, "{elements}");
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
}

/// Undoes `encodeURIComponent`.
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_run_diff_lists_what_changed_between_two_runs() {
    let (_server, b, status) = open_with_fixtures("?db=fixtures/run-diff.sql").await;
    let diff = greenboard::presets::find("run-diff").unwrap();
    let summary = greenboard::presets::find("run-diff-summary").unwrap();
    let counted = click_each(&b, &[summary]).await;
    let bars = chart_of(&b, "bar").await;
    let listed = click_each(&b, &[diff]).await;
    let form = b.js(PARAMS_JS).await;
    // Another pair: the feature branch's run 4 against main's windows run 2.
    b.js("const set = (i, v) => { const e = document.querySelector(`.params input[data-param='${i}']`);
            e.value = v; e.dispatchEvent(new Event('input', { bubbles: true })); };
          set(0, '2'); set(1, '4');")
        .await;
    b.driver
        .find(By::Css(".params input[data-param='1']"))
        .await
        .unwrap()
        .send_keys("\u{E007}")
        .await
        .unwrap();
    let other = b
        .wait_for(
            "const r = [...document.querySelectorAll('table.result tbody tr[data-row]')];
             return r.length === 1 && location.search.includes('p=4') && r.map(t => [...t.children].map(c => c.textContent));",
            QUERY,
        )
        .await;
    let notice = b
        .js("const n = document.querySelector('.notice'); return n && n.textContent;")
        .await;
    // A run that does not exist: named, and nothing compared.
    b.js(
        "const e = document.querySelector(`.params input[data-param='0']`);
          e.value = '99999'; e.dispatchEvent(new Event('input', { bubbles: true }));",
    )
    .await;
    b.driver
        .find(By::Css(".params input[data-param='0']"))
        .await
        .unwrap()
        .send_keys("\u{E007}")
        .await
        .unwrap();
    let unknown = query_outcome(&b, QUERY).await;
    b.quit().await;

    assert!(status.starts_with("Loaded"), "{status}");
    assert_eq!(
        notice.as_str(),
        Some(
            "⚠ The runs are on different platforms: run 2 on windows/x86_64, run 4 on linux/x86_64. \
             A difference may come from the platform, not from the change. \
             The runs are on different branches: run 2 on main, run 4 on feature/x."
        ),
        "{notice}"
    );
    let unknown = unknown.unwrap_err();
    assert!(
        unknown
            .contains("There is no run '99999' (base_run): choose one from \"Runs to compare\"."),
        "{unknown}"
    );
    assert_eq!(
        counted[0].2,
        [
            ["new failure", "2"],
            ["fixed", "1"],
            ["still failing", "1"],
            ["newly skipped", "1"]
        ]
    );
    assert_eq!(bars["marks"], 4, "{bars}");
    // The latest main run (3) against the one before it on linux (1).
    assert_eq!(
        form,
        serde_json::json!([["base_run", "1"], ["head_run", "3"]])
    );
    assert_eq!(
        listed[0].2,
        [
            ["new failure", "t1", "pass", "fail", "boom"],
            ["new failure", "t6", "NULL", "timeout", "slow"],
            ["fixed", "t2", "fail", "pass", "NULL"],
            ["still failing", "t3", "fail", "error", "still"],
            ["newly skipped", "t4", "pass", "skip", "disabled"],
        ]
    );
    assert_eq!(
        other,
        serde_json::json!([["fixed", "t1", "fail", "pass", "NULL"]])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn clicking_a_heatmap_cell_lists_the_failing_tests_it_stands_for() {
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    load_str(&conn, &demo_sql(), OnError::Stop).unwrap();
    greenboard::db::prepare(&conn).unwrap();
    let drill = greenboard::presets::drill("branch-x-platform").unwrap();
    let expected = shown(
        &query::run_with(
            &conn,
            drill,
            &["windows/x86_64".to_string(), "main".to_string()],
        )
        .unwrap()
        .rows,
    );

    let (_server, b, _status) = open_demo().await;
    let heat = greenboard::presets::find("branch-x-platform").unwrap();
    click_each(&b, &[heat]).await;
    chart_of(&b, "heatmap").await;
    b.js("document.querySelector(`.result-chart .mark[data-x='windows/x86_64'][data-series='main'] rect`)
            .dispatchEvent(new MouseEvent('click', { bubbles: true }));")
        .await;
    let outcome = query_outcome(&b, QUERY).await;
    let rows = b
        .wait_for(
            &format!(
                "const t = (() => {{ {TABLE_JS} }})(); return t && t.head[0] === 'test_name' && t;"
            ),
            QUERY,
        )
        .await;
    let form = b.js(PARAMS_JS).await;
    let editor = b.js("return document.getElementById('sql').value").await;
    b.quit().await;

    assert!(outcome.is_ok(), "{outcome:?}");
    assert!(!expected.is_empty());
    assert_eq!(table_rows(&rows), expected);
    assert_eq!(
        form,
        serde_json::json!([["platform", "windows/x86_64"], ["branch", "main"]])
    );
    assert_eq!(editor, drill);
}

#[tokio::test(flavor = "multi_thread")]
async fn every_preset_chart_has_a_mark_per_value_of_its_answer() {
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    load_str(&conn, &demo_sql(), OnError::Stop).unwrap();
    greenboard::db::prepare(&conn).unwrap();
    let charted: Vec<_> = greenboard::presets::GREENBOARD
        .iter()
        .filter(|p| matches!(p.chart, Some(greenboard::presets::Chart::Spec(_))))
        .collect();
    let (_server, b, _status) = open_demo().await;
    let mut drawn = Vec::new();
    for p in &charted {
        let Some(greenboard::presets::Chart::Spec(spec)) = p.chart else {
            unreachable!()
        };
        let kind = spec.split(':').next().unwrap();
        click_each(&b, &[p]).await;
        // Wait for this preset's chart (by its title), then count.
        let c = b
            .wait_for(
                &format!(
                    "const c = (() => {{ {CHART_JS} }})(); return c && c.title === {} && c.kind === 'chart-svg {kind}' && c;",
                    serde_json::Value::String(p.title.to_string())
                ),
                QUERY,
            )
            .await;
        drawn.push((p.id, spec, c));
    }
    b.quit().await;

    assert_eq!(drawn.len(), 13);
    for (id, spec, c) in drawn {
        let spec: greenboard::chart::spec::Spec = spec.parse().unwrap();
        let p = greenboard::presets::find(id).unwrap();
        let values: Vec<String> = greenboard::db::defaults(&conn, p);
        let out = query::run_with(&conn, p.sql, &values).unwrap();
        let (_, y, _) = spec.columns(&out.columns).unwrap();
        // A strip draws every row (its y is an outcome, not a number).
        let expected = if spec.kind == greenboard::chart::spec::Kind::Strip {
            out.rows.len()
        } else {
            out.rows.iter().filter(|r| r[y].as_f64().is_some()).count()
        };
        assert_eq!(c["marks"], expected, "{id}: {c}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn sorting_by_a_header_matches_order_by() {
    let sql = "SELECT branch_name, COUNT(*) AS runs, SUM(failed) AS failures FROM test_runs GROUP BY branch_name;";
    let native = |order: &str| {
        sqlite3_cli(&format!(
            "SELECT branch_name, COUNT(*) AS runs, SUM(failed) AS failures FROM test_runs GROUP BY branch_name ORDER BY failures {order};"
        ))
    };
    let (_server, b, _) = open_demo().await;
    run_sql(&b, sql).await;
    query_outcome(&b, QUERY).await.unwrap();
    let mut seen = Vec::new();
    for (order, expected) in [("ascending", native("ASC")), ("descending", native("DESC"))] {
        b.js(
            "document.querySelectorAll('table.result thead th')[2].querySelector('button').click()",
        )
        .await;
        // Waits for the sorted answer (or times out with what is shown).
        let shown = b
            .wait_for(
                &format!(
                    "const t = (() => {{ {TABLE_JS} }})(); const h = document.querySelectorAll('table.result thead th')[2];
                     return t && h.getAttribute('aria-sort') === '{order}' && JSON.stringify(t.rows) === {} && t.rows;",
                    serde_json::Value::String(serde_json::to_string(&expected).unwrap())
                ),
                QUERY,
            )
            .await;
        seen.push((order, shown, expected));
    }
    let editor = b.js("return document.getElementById('sql').value").await;
    b.quit().await;

    for (order, shown, expected) in seen {
        assert_eq!(
            table_rows(&serde_json::json!({ "rows": shown })),
            expected,
            "{order}"
        );
    }
    assert_eq!(editor, sql, "the editor keeps the SQL as written");
}

/// The `sqlite3` shell's raw output for `commands` on the demo dump.
fn sqlite3_raw(commands: &str) -> String {
    let mut child = Command::new("sqlite3")
        .args(["-batch", ":memory:"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the sqlite3 shell must be installed (the README's test command installs it)");
    let mut stdin = child.stdin.take().unwrap();
    let input = format!("{}\n{commands}\n", demo_sql());
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_answer_saved_as_csv_equals_the_sqlite3_shells_csv() {
    let sql = "SELECT branch_name, COUNT(*) AS runs, SUM(failed) AS failures, MIN(run_timestamp) AS \"first, run\",
               'say \"hi\"' AS quoted, AVG(duration_sec) AS avg_sec, 100.0 * SUM(passed) / SUM(passed + failed) AS rate,
               NULL AS no_value, '' AS empty
               FROM test_runs GROUP BY branch_name ORDER BY branch_name;";
    let (_server, b, _) = open_demo().await;
    run_sql(&b, sql).await;
    query_outcome(&b, QUERY).await.unwrap();
    let mut saved = Vec::new();
    for format in ["CSV", "JSON", "Markdown"] {
        b.js("const a = document.getElementById('export-link'); if (a) a.removeAttribute('href');")
            .await;
        b.js(&format!(
            "document.querySelector(`.save-as button[data-format='{format}']`).click()"
        ))
        .await;
        let text = downloaded(&b).await;
        saved.push(text);
    }
    b.quit().await;

    let csv = sqlite3_raw(&format!(".headers on\n.mode csv\n{sql}"));
    assert_eq!(saved[0][0], "result.csv");
    assert_eq!(saved[0][1], csv);
    let json: Value = serde_json::from_str(saved[1][1].as_str().unwrap()).unwrap();
    assert_eq!(saved[1][0], "result.json");
    assert_eq!(json.as_array().map(Vec::len), Some(csv.lines().count() - 1));
    assert_eq!(json[0]["quoted"], "say \"hi\"");
    assert_eq!(saved[2][0], "result.md");
    assert!(
        saved[2][1].as_str().is_some_and(
            |m| m.starts_with("| branch_name | runs | failures | first, run | quoted |")
        ),
        "{}",
        saved[2][1]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn runs_to_compare_are_chosen_by_clicking_their_rows() {
    let (_server, b, _status) = open_with_fixtures("?db=fixtures/run-diff.sql").await;
    let runs = greenboard::presets::find("runs").unwrap();
    click_each(&b, &[runs]).await;
    // Run 1, then run 3: chosen by their rows.
    let choose = |id: &'static str| {
        format!(
            "const row = [...document.querySelectorAll('table.result tbody tr[data-row]')]
               .find(r => r.children[0].textContent === '{id}');
             row.children[1].click();"
        )
    };
    b.js(&choose("1")).await;
    b.wait_for("return !!document.getElementById('compare-runs')", QUERY)
        .await;
    let first = b
        .js("return document.getElementById('compare-runs').textContent")
        .await;
    b.js("document.getElementById('compare-runs').click()")
        .await;
    b.js(&choose("3")).await;
    let second = b
        .wait_for(
            "const c = document.getElementById('compare-runs'); return c && c.textContent.includes('with') && c.textContent;",
            QUERY,
        )
        .await;
    b.js("document.getElementById('compare-runs').click()")
        .await;
    let summary = b
        .wait_for(
            "const r = [...document.querySelectorAll('table.result tbody tr[data-row]')];
             return r.length === 4 && document.getElementById('sql').value.includes('newly skipped')
               && r.map(t => [...t.children].map(c => c.textContent));",
            QUERY,
        )
        .await;
    let form = b.js(PARAMS_JS).await;
    b.quit().await;

    assert_eq!(first, "Compare from run 1");
    assert_eq!(second, "Compare run 1 with run 3");
    assert_eq!(
        form,
        serde_json::json!([["base_run", "1"], ["head_run", "3"]])
    );
    assert_eq!(
        summary,
        serde_json::json!([
            ["new failure", "2"],
            ["fixed", "1"],
            ["still failing", "1"],
            ["newly skipped", "1"]
        ])
    );
}
