//! Accessibility: the axe audit finds no serious or critical violation,
//! and the layout holds on a phone.

use std::time::Duration;

use serde_json::Value;

use crate::support::*;

#[tokio::test(flavor = "multi_thread")]
async fn the_layout_holds_on_a_phone() {
    let server = Server::start(vec![("/", dist())]).await;
    let b = Browser::start().await;
    b.driver.set_window_rect(0, 0, 390, 844).await.unwrap();
    b.driver
        .goto(format!(
            "{}/?sql=SELECT%20*%20FROM%20test_runs%20LIMIT%2050",
            server.origin
        ))
        .await
        .unwrap();
    b.wait_loaded().await;
    let outcome = query_outcome(&b, QUERY).await;
    // Everything in the header, the dataset menu included, is there.
    b.wait_for(
        "return document.querySelectorAll('.dataset option').length > 0",
        QUERY,
    )
    .await;

    b.wait_for(
        "return document.querySelectorAll('figure.chart svg').length == 2",
        Duration::from_secs(10),
    )
    .await;
    let fit = b
        .js("return { page: document.documentElement.scrollWidth, view: window.innerWidth,
                      charts: [...document.querySelectorAll('figure.chart svg')].map(s => s.getBoundingClientRect().right),
                      table: document.querySelector('.table-wrap').getBoundingClientRect().right,
                      header: Math.max(...[...document.querySelectorAll('.top *')].map(e => e.getBoundingClientRect().right)) }")
        .await;
    let png = b.driver.screenshot_as_png().await.unwrap();
    std::fs::write(root().join("tests/screenshots/phone.png"), png).unwrap();
    b.quit().await;

    assert!(outcome.is_ok(), "{outcome:?}");
    let view = fit["view"].as_f64().unwrap();
    assert!(
        fit["page"].as_f64().unwrap() <= view,
        "no sideways scrolling: {fit}"
    );
    for right in fit["charts"].as_array().unwrap() {
        assert!(right.as_f64().unwrap() <= view, "charts fit: {fit}");
    }
    assert!(
        fit["header"].as_f64().unwrap() <= view,
        "the header fits: {fit}"
    );
    assert!(
        fit["table"].as_f64().unwrap() <= view,
        "the table scrolls inside its box: {fit}"
    );
}

/// Runs axe-core (from the editor's npm packages) on the page as it is;
/// gives its serious and critical violations.
async fn axe(b: &Browser) -> Value {
    let source =
        std::fs::read_to_string(root().join("web/editor/node_modules/axe-core/axe.min.js"))
            .expect("axe-core is installed with the editor's packages (npm ci in web/editor)");
    b.js(&source).await;
    b.js(
        "return axe.run(document, { resultTypes: ['violations'] }).then(r => r.violations
            .filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => ({ id: v.id, impact: v.impact, help: v.help,
                         nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ')) })));",
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_accessibility_audit_finds_no_serious_or_critical_violation() {
    let (_server, b, _) = open_demo().await;
    b.editor().await;
    b.wait_for(
        "return document.querySelectorAll('.dashboard .bar').length > 0",
        QUERY,
    )
    .await;
    let dashboard = axe(&b).await;
    // A preset's answer with its chart, the schema unfolded, the help open.
    let heat = greenboard::presets::find("branch-x-platform").unwrap();
    click_each(&b, &[heat]).await;
    chart_of(&b, "heatmap").await;
    b.js(
        "document.querySelectorAll('.schema-list .toggle').forEach(t => t.click());
          document.querySelector('.history').open = true;",
    )
    .await;
    b.click(".help-button").await;
    let answer = axe(&b).await;
    // The same in the dark theme.
    b.click(".help-button").await;
    b.click("#theme").await;
    b.click("#theme").await;
    let dark = axe(&b).await;
    b.quit().await;

    assert_eq!(dashboard, serde_json::json!([]), "{dashboard:#}");
    assert_eq!(answer, serde_json::json!([]), "{answer:#}");
    assert_eq!(dark, serde_json::json!([]), "{dark:#}");
}

/// Presses `key` on whatever has the focus.
async fn press(b: &Browser, key: impl Into<thirtyfour::TypingData>) {
    b.driver
        .action_chain()
        .send_keys(key)
        .perform()
        .await
        .unwrap();
}

/// What has the focus: its tag, id, class and text.
const FOCUSED: &str = "const e = document.activeElement;
  return e && { tag: e.tagName.toLowerCase(), id: e.id, class: e.getAttribute('class') || '',
                x: e.getAttribute('data-x'), text: e.textContent.slice(0, 60) };";

#[tokio::test(flavor = "multi_thread")]
async fn the_keyboard_skips_to_the_dashboard_roves_a_chart_and_dialogs_give_focus_back() {
    use thirtyfour::Key;
    let (_server, b, _) = open_demo().await;
    b.wait_for(
        "return document.querySelectorAll('.dashboard .bar').length > 0",
        QUERY,
    )
    .await;
    // The first Tab reaches the skip link; Enter goes to the content.
    b.js("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0);")
        .await;
    press(&b, Key::Tab).await;
    let skip = b.js(FOCUSED).await;
    press(&b, Key::Enter).await;
    let skipped = b.js(FOCUSED).await;
    // Each dashboard chart is one stop of Tab; the arrows move along it.
    let stops = b
        .js("return [...document.querySelectorAll('figure.chart')].map(f => f.querySelectorAll('.bar[tabindex=\"0\"]').length)")
        .await;
    b.js("document.querySelector('figure.chart .bar[tabindex=\"0\"]').focus()")
        .await;
    press(&b, Key::Down).await;
    let second = b.js(FOCUSED).await;
    press(&b, Key::End).await;
    let last = b.js(FOCUSED).await;
    let bars = b
        .js("return [...document.querySelectorAll('figure.chart')][0].querySelectorAll('.bar').length")
        .await;
    // The help dialog takes the focus and gives it back.
    press(&b, "?").await;
    let in_dialog = b.js(FOCUSED).await;
    press(&b, Key::Escape).await;
    let after_dialog = b.js(FOCUSED).await;
    // An answer's chart: one stop, the arrows, and Enter drills down.
    b.click("button.preset[data-preset='failures-by-suite']")
        .await;
    query_outcome(&b, QUERY).await.unwrap();
    let marks = b
        .wait_for(
            "const m = document.querySelectorAll('.result-chart .mark[tabindex]');
             return m.length > 1 && [...m].map(e => e.getAttribute('tabindex'));",
            QUERY,
        )
        .await;
    b.js("document.querySelector('.result-chart .mark[tabindex=\"0\"]').focus()")
        .await;
    press(&b, Key::Right).await;
    let mark = b.js(FOCUSED).await;
    press(&b, Key::Enter).await;
    let drilled = b
        .wait_for(
            "const s = document.querySelector('.query-status.done'); const t = document.querySelector('.answer-title, .preset-title');
             return s && document.getElementById('sql').value.includes('?') && document.getElementById('sql').value;",
            QUERY,
        )
        .await;
    b.quit().await;

    assert_eq!(skip["class"], "skip", "{skip}");
    assert_eq!(skipped["id"], "content", "{skipped}");
    assert_eq!(stops, serde_json::json!([1, 1]));
    assert_eq!(second["class"], "bar", "{second}");
    let labels: Vec<&str> = [&second, &last]
        .iter()
        .map(|v| v["x"].as_str().unwrap_or(""))
        .collect();
    assert_ne!(labels[0], labels[1]);
    assert!(bars.as_u64().unwrap() >= 3);
    assert_eq!(in_dialog["text"], "Close", "{in_dialog}");
    assert_eq!(after_dialog, last, "the focus went back to the bar");
    let tabs: Vec<&str> = marks
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert_eq!(tabs.iter().filter(|t| **t == "0").count(), 1, "{tabs:?}");
    assert!(mark["class"].as_str().unwrap().contains("mark"), "{mark}");
    assert!(
        drilled.is_string(),
        "Enter on a mark ran its drill-down: {drilled}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn on_a_phone_presets_come_before_loading_and_a_tap_shows_the_answer() {
    let (_server, b, _) = open_demo().await;
    b.driver.set_window_rect(0, 0, 390, 844).await.unwrap();
    b.wait_for(
        "return document.querySelectorAll('.dashboard .bar').length > 0",
        QUERY,
    )
    .await;
    let order = b
        .js("const top = s => document.querySelector(s).getBoundingClientRect().top + window.scrollY;
             return { presets: top('.sidebar'), load: top('.load-panel') };")
        .await;
    // A preset tapped: the answer comes into view, its chart text legible.
    b.click("button.preset[data-preset='failures-by-suite']")
        .await;
    query_outcome(&b, QUERY).await.unwrap();
    let shown = b
        .wait_for(
            "const svg = document.querySelector('.result-chart svg.chart-svg');
             if (!svg) return null;
             const bar = document.querySelector('.workbench .toolbar').getBoundingClientRect();
             const sizes = [...svg.querySelectorAll('text')].map(t => t.getBoundingClientRect().height);
             return { toolbar: [bar.top, bar.bottom], view: window.innerHeight,
                      smallest: Math.min(...sizes.filter(h => h > 0)),
                      page: document.documentElement.scrollWidth, width: window.innerWidth };",
            QUERY,
        )
        .await;
    let png = b.driver.screenshot_as_png().await.unwrap();
    std::fs::write(root().join("tests/screenshots/phone-answer.png"), png).unwrap();
    b.quit().await;

    assert!(
        order["presets"].as_f64() < order["load"].as_f64(),
        "the presets come before Load other data: {order}"
    );
    let (top, view) = (
        shown["toolbar"][0].as_f64().unwrap(),
        shown["view"].as_f64().unwrap(),
    );
    assert!(
        top >= 0.0 && top < view,
        "the answer's status is in view: {shown}"
    );
    // Text of 12 px reads about 11 px tall or more on the screen.
    assert!(shown["smallest"].as_f64().unwrap() >= 11.0, "{shown}");
    assert!(
        shown["page"].as_f64() <= shown["width"].as_f64(),
        "nothing wider than the screen: {shown}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_audit_finds_nothing_serious_in_the_run_diff_an_answer_chart_or_on_a_phone() {
    let (_server, b, _) = open_with_fixtures("?db=fixtures/run-diff.sql").await;
    b.editor().await;
    let summary = greenboard::presets::find("run-diff-summary").unwrap();
    click_each(&b, &[summary]).await;
    chart_of(&b, "bar").await;
    // A chart's mark focused, as the keyboard leaves it.
    b.js("document.querySelector('.result-chart .mark[tabindex=\"0\"]').focus()")
        .await;
    let diff = axe(&b).await;
    b.driver.set_window_rect(0, 0, 390, 844).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let phone = axe(&b).await;
    b.quit().await;

    assert_eq!(diff, serde_json::json!([]), "{diff:#}");
    assert_eq!(phone, serde_json::json!([]), "{phone:#}");
}

/// A test's page, with the health section it is opened from: nothing
/// serious, in the light theme and the dark.
#[tokio::test(flavor = "multi_thread")]
async fn the_audit_finds_nothing_serious_on_a_tests_page() {
    let (_server, b, _) = open_demo().await;
    b.wait_for(
        "return document.querySelectorAll('.health .tile:not(.pending)').length === 5",
        QUERY,
    )
    .await;
    let health = axe(&b).await;
    b.click(".health .tile li button").await;
    b.wait_for(
        "const p = document.querySelector('.test-page'); return p && !p.querySelector('.pending') && !!p.querySelector('.part svg');",
        QUERY,
    )
    .await;
    let light = axe(&b).await;
    b.js("document.documentElement.setAttribute('data-theme', 'dark')")
        .await;
    let dark = axe(&b).await;
    b.quit().await;

    assert_eq!(health, serde_json::json!([]), "{health:#}");
    assert_eq!(light, serde_json::json!([]), "{light:#}");
    assert_eq!(dark, serde_json::json!([]), "{dark:#}");
}
