//! Saved state: saved queries and history across reloads, dumps and files,
//! and the address stepped through with back and forward.

use serde_json::Value;
use thirtyfour::prelude::*;

use crate::support::*;

/// The saved queries' names, and the history's SQL with its details.
const LIBRARY_JS: &str = "return {
  saved: [...document.querySelectorAll('.saved-list .open')].map(e => e.textContent),
  history: [...document.querySelectorAll('.history-list .open')].map(e => [e.querySelector('code').textContent, e.querySelector('.meta').textContent]),
};";

#[tokio::test(flavor = "multi_thread")]
async fn saved_queries_and_history_survive_a_reload_a_new_dump_and_travel_as_a_file() {
    let sql = "SELECT branch_name, COUNT(*) AS runs FROM test_runs GROUP BY 1 ORDER BY 1;";
    let (server, b, _status) = open_demo().await;
    run_sql(&b, sql).await;
    query_outcome(&b, QUERY).await.unwrap();
    chart_of(&b, "bar").await;
    // Charted as a line, then saved under a name.
    b.js(
        "const k = document.getElementById('chart-kind'); k.value = 'line';
          k.dispatchEvent(new Event('change', { bubbles: true }));",
    )
    .await;
    chart_of(&b, "line").await;
    let name = b.driver.find(By::Id("save-name")).await.unwrap();
    name.send_keys("Runs per branch").await.unwrap();
    b.click("#save-query").await;
    let before = b.js(LIBRARY_JS).await;

    // A reload, then another dump loaded: both lists are still there.
    b.driver.refresh().await.unwrap();
    b.wait_loaded().await;
    let reloaded = b.js(LIBRARY_JS).await;
    b.driver
        .find(By::Id("pasted"))
        .await
        .unwrap()
        .send_keys("CREATE TABLE t(x); INSERT INTO t VALUES (1);")
        .await
        .unwrap();
    b.click("#load-pasted").await;
    b.wait_for(
        "const s = document.querySelector('.status.loaded'); return s && s.textContent.includes('pasted') && s.textContent;",
        QUERY,
    )
    .await;
    let after_new_dump = b.js(LIBRARY_JS).await;
    // Back on the demo, the saved query opens with its chart.
    b.driver.goto(format!("{}/", server.origin)).await.unwrap();
    b.wait_loaded().await;
    b.click(".saved-list .open").await;
    query_outcome(&b, QUERY).await.unwrap();
    let reopened = chart_of(&b, "line").await;
    let editor = b.js("return document.getElementById('sql').value").await;
    // Exported as a file.
    b.click("#export-queries").await;
    let exported = downloaded(&b).await;
    b.quit().await;

    // Imported into a fresh browser profile.
    let dir = TempDir::new("queries");
    let file = dir.0.join("greenboard-queries.json");
    std::fs::write(&file, exported[1].as_str().unwrap_or_default()).unwrap();
    std::fs::write(dir.0.join("broken.json"), "{ not json").unwrap();
    let b = Browser::start().await;
    b.driver.goto(format!("{}/", server.origin)).await.unwrap();
    b.wait_loaded().await;
    let empty = b.js(LIBRARY_JS).await;
    let picker = b.driver.find(By::Id("import-queries")).await.unwrap();
    picker
        .send_keys(dir.0.join("broken.json").to_str().unwrap())
        .await
        .unwrap();
    let refused = b
        .wait_for(
            "return document.querySelector('.library .error')?.textContent ?? null",
            QUERY,
        )
        .await;
    picker.send_keys(file.to_str().unwrap()).await.unwrap();
    let imported = b
        .wait_for(
            &format!("const l = (() => {{ {LIBRARY_JS} }})(); return l.saved.length > 0 && l;"),
            QUERY,
        )
        .await;
    b.quit().await;

    let entry = |l: &Value| l["saved"].clone();
    assert_eq!(entry(&before), serde_json::json!(["Runs per branch ▤"]));
    assert_eq!(before["history"][0][0], sql);
    assert!(
        before["history"][0][1]
            .as_str()
            .is_some_and(|m| m.ends_with(" · 5 rows")),
        "{before}"
    );
    // The reload runs the address's SQL again: the same entry, newer.
    let sqls = |l: &Value| {
        l["history"]
            .as_array()
            .map(|h| h.iter().map(|e| e[0].clone()).collect::<Vec<_>>())
    };
    assert_eq!(entry(&reloaded), entry(&before));
    assert_eq!(sqls(&reloaded), sqls(&before));
    assert_eq!(entry(&after_new_dump), entry(&before));
    assert_eq!(
        after_new_dump["history"].as_array().map(Vec::len),
        before["history"].as_array().map(Vec::len)
    );
    assert_eq!(editor, sql);
    assert!(
        reopened["search"]
            .as_str()
            .is_some_and(|s| s.contains("chart=line")),
        "{reopened}"
    );
    assert_eq!(exported[0], "greenboard-queries.json");
    let file: Value = serde_json::from_str(exported[1].as_str().unwrap()).unwrap();
    assert_eq!(file["saved"][0]["name"], "Runs per branch");
    assert_eq!(file["saved"][0]["sql"], sql);
    assert!(
        file["saved"][0]["chart"]
            .as_str()
            .is_some_and(|c| c.starts_with("line:")),
        "{file}"
    );
    assert_eq!(empty["saved"], serde_json::json!([]));
    assert!(
        refused
            .as_str()
            .is_some_and(|r| r.starts_with("broken.json: ")),
        "{refused}"
    );
    assert_eq!(entry(&imported), entry(&before));
    assert_eq!(sqls(&imported), sqls(&before));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_back_button_steps_through_the_queries_run() {
    const SHOWN: &str =
        "const t = (() => { TABLE })(); const e = document.getElementById('sql').value;
        return t && document.querySelector('.query-status.done') && [e, t.head, location.search];";
    let shown = SHOWN.replace("TABLE", TABLE_JS);
    let (_server, b, _) = open_demo().await;
    let first = "SELECT 1 AS first;";
    let second = "SELECT 2 AS second;";
    run_sql(&b, first).await;
    query_outcome(&b, QUERY).await.unwrap();
    run_sql(&b, second).await;
    b.wait_for(
        &format!("const v = (() => {{ {shown} }})(); return v && v[1][0] === 'second' && v;"),
        QUERY,
    )
    .await;
    // Sorting the answer is the same query: no new entry.
    b.click("table.result th button.sort").await;
    query_outcome(&b, QUERY).await.unwrap();
    b.driver.back().await.unwrap();
    let back = b
        .wait_for(
            &format!("const v = (() => {{ {shown} }})(); return v && v[1][0] === 'first' && v;"),
            QUERY,
        )
        .await;
    b.driver.forward().await.unwrap();
    let forward = b
        .wait_for(
            &format!("const v = (() => {{ {shown} }})(); return v && v[1][0] === 'second' && v;"),
            QUERY,
        )
        .await;
    b.driver.back().await.unwrap();
    b.driver.back().await.unwrap();
    let start = b
        .wait_for(
            "return !document.querySelector('table.result') && [document.getElementById('sql').value, location.search];",
            QUERY,
        )
        .await;
    b.quit().await;

    assert_eq!(back[0], first, "{back}");
    assert!(back[2].as_str().unwrap().contains("first"), "{back}");
    assert_eq!(forward[0], second, "{forward}");
    assert_eq!(start, serde_json::json!(["", ""]));
}
