//! What the areas' tests share: the site's server and the browser
//! (`tests/support/`, also used by the load benchmark), the demo dump, the
//! `sqlite3` shell's and native SQLite's answers, and ways to read and drive
//! the page.

#[path = "../support/mod.rs"]
mod harness;

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

use greenboard::db::query;
use greenboard::protocol::Cell;
use serde_json::Value;
use thirtyfour::prelude::*;

pub use harness::*;

pub const QUERY: Duration = Duration::from_secs(30);

/// Types `text` into the SQL editor and gives the labels of the
/// completions it then offers.
pub async fn completions_for(b: &Browser, editor: &WebElement, text: &str) -> Value {
    editor.click().await.unwrap();
    editor.send_keys(text).await.unwrap();
    b.wait_for(
        "const t = document.querySelector('.cm-tooltip-autocomplete');
         return t && [...t.querySelectorAll('li .cm-completionLabel')].map(l => l.textContent);",
        QUERY,
    )
    .await
}

/// The demo dump's SQL text.
pub fn demo_sql() -> String {
    let gz = std::fs::read(root().join("static/demo.sql.gz")).unwrap();
    let mut text = String::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_string(&mut text)
        .unwrap();
    text
}

/// The answer of the `sqlite3` command-line shell on the demo dump, as text cells.
pub fn sqlite3_cli(sql: &str) -> Vec<Vec<String>> {
    let mut child = Command::new("sqlite3")
        .args(["-batch", "-noheader", "-separator", "\t", ":memory:"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the sqlite3 shell must be installed (the README's test command installs it)");
    let mut stdin = child.stdin.take().unwrap();
    let input = format!("{}\n{sql}\n", demo_sql());
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

pub fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|s| s.as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

pub fn table_rows(v: &Value) -> Vec<Vec<String>> {
    v["rows"]
        .as_array()
        .map(|rows| rows.iter().map(strings).collect())
        .unwrap_or_default()
}

/// Clicks each preset in turn; gives each one's outcome and rows.
pub async fn click_each(
    b: &Browser,
    presets: &[&'static greenboard::presets::Preset],
) -> Vec<(&'static str, Result<String, String>, Vec<Vec<String>>)> {
    let mut answers = Vec::new();
    for preset in presets {
        b.click(&format!("button.preset[data-preset='{}']", preset.id))
            .await;
        let outcome = query_outcome(b, QUERY).await;
        answers.push((preset.id, outcome, table_rows(&b.js(TABLE_JS).await)));
    }
    answers
}

/// Rows as the page shows them (NULL as `NULL`).
pub fn shown(rows: &[Vec<Cell>]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| {
            r.iter()
                .map(|c| c.display().unwrap_or_else(|| "NULL".into()))
                .collect()
        })
        .collect()
}

/// Native SQLite's rows for `sql`, as the page shows them.
pub fn native_rows(conn: &rusqlite::Connection, sql: &str) -> Vec<Vec<String>> {
    shown(&query::run(conn, sql).unwrap().rows)
}

/// The chart under the answer: its kind, marks, accessible text and the
/// address, once drawn.
pub const CHART_JS: &str = "const s = document.querySelector('.result-chart .chart-svg svg');
  if (!s) return null;
  const a = document.querySelector('.result-chart a.download');
  return { kind: s.getAttribute('class'), marks: s.querySelectorAll('.mark').length,
           role: s.getAttribute('role'), title: s.querySelector('title').textContent,
           desc: s.querySelector('desc').textContent, search: location.search,
           href: a && a.getAttribute('href') };";

/// Waits for a chart of `kind` to be drawn.
pub async fn chart_of(b: &Browser, kind: &str) -> Value {
    b.wait_for(
        &format!(
            "const c = (() => {{ {CHART_JS} }})(); return c && c.kind === 'chart-svg {kind}' && c;"
        ),
        QUERY,
    )
    .await
}

/// The parameter form: each label and value.
pub const PARAMS_JS: &str = "return [...document.querySelectorAll('.params .param')].map(p =>
  [p.querySelector('.param-name').textContent, p.querySelector('input').value]);";

/// Puts `sql` in the editor as if typed elsewhere (a preset does the same).
pub async fn set_sql(b: &Browser, sql: &str) {
    b.driver
        .execute(
            "const e = document.getElementById('sql'); e.value = arguments[0];
             e.dispatchEvent(new Event('input', { bubbles: true }));",
            vec![Value::String(sql.to_string())],
        )
        .await
        .unwrap();
}

/// The file the page saved last through its download link, as
/// `[name, text]` (once there is one).
pub async fn downloaded(b: &Browser) -> Value {
    b.wait_for(
        "const a = document.getElementById('export-link');
         if (!a || !a.href) return null;
         return fetch(a.href).then(r => r.text()).then(t => [a.download, t]);",
        QUERY,
    )
    .await
}

/// Copies the folder `from` into `to`, whole.
pub fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}
