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
