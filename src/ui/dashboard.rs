//! The dashboard: the headline and the pass-rate charts by branch and by
//! platform for greenboard's schema, or what was recognised in other data.

use leptos::prelude::*;

use super::headline::Headline;
use super::health::Health;
use super::test_page::TestPage;
use super::{Panel, Store, bridge, builder, chart, editor, url};
use crate::chart::data_from_rows;
use crate::presets;
use crate::protocol::{Request, Response, SchemaKind, SqlError};

/// The headline and the two pass-rate charts.
#[component]
pub fn Dashboard() -> impl IntoView {
    let store = expect_context::<Store>();
    // Shown after a test's page opened from its address: asked now.
    Effect::new(move || {
        if store.schema() == Some(SchemaKind::Greenboard) && store.test.with(Option::is_none) {
            fill_dashboard(store);
        }
    });
    move || {
        match store.schema() {
        Some(SchemaKind::Greenboard) if let Some(name) = store.test.get() => view! {
            <section class="dashboard" aria-label="Dashboard">
                <TestPage name=name/>
            </section>
        }
        .into_any(),
        Some(SchemaKind::Greenboard) => view! {
            <section class="dashboard" aria-label="Dashboard">
                <Health/>
                <Headline/>
                <div class="charts">
                    <ChartPanel panel=store.by_branch preset=presets::BY_BRANCH title="Pass rate by branch" noun="branch"/>
                    <ChartPanel panel=store.by_platform preset=presets::BY_PLATFORM title="Pass rate by platform" noun="platform"/>
                </div>
            </section>
        }
        .into_any(),
        Some(SchemaKind::Unknown) if store.recognised().is_empty() => view! {
            <section class="dashboard" aria-label="Dashboard">
                <p class="note">
                    "This database does not follow greenboard's test-results schema, so there is no dashboard. "
                    "The presets on the left and your own SQL still work."
                </p>
            </section>
        }
        .into_any(),
        Some(_) => {
            let names: Vec<&str> = store.recognised().into_iter().map(schema_name).collect();
            view! {
                <section class="dashboard" aria-label="Dashboard">
                    <p class="note recognised">
                        {format!("Recognised: {}. ", names.join("; "))}
                        "The queries their designs document are in the presets on the left."
                    </p>
                </section>
            }
            .into_any()
        }
        None => view! { <section class="dashboard placeholder" aria-hidden="true"></section> }.into_any(),
    }
    }
}

/// What a recognised schema is called on the page.
fn schema_name(kind: SchemaKind) -> &'static str {
    match kind {
        SchemaKind::Greenboard => "greenboard test results",
        SchemaKind::VibeSql => {
            "VibeSQL's SQLLogicTest results (test files, runs and results by file)"
        }
        SchemaKind::CosmoTests => "cosmo-sokol test results",
        SchemaKind::CosmoBuild => "cosmo-sokol build metadata",
        SchemaKind::CosmoArtifacts => "cosmo-sokol artifact registry",
        SchemaKind::CosmoPipeline => {
            "the three cosmo-sokol databases together (build, test, artifact)"
        }
        SchemaKind::LoopCoordination => "the coding-loops coordination database",
        SchemaKind::GgenTier2 => "ggen Tier 2 persistence (receipts, pipeline metrics, SLOs)",
        SchemaKind::Cortex => "CORTEX 2.0 (health, plugins, workspace discoveries)",
        SchemaKind::Unknown => "an unknown schema",
    }
}

/// Runs `sql` for a dashboard panel; `then` runs once its answer (or
/// error) is shown.
fn ask(sql: &'static str, panel: Panel, then: Option<impl FnOnce() + 'static>) {
    let then = std::cell::Cell::new(then);
    bridge::send(
        |id| Request::Query {
            id,
            sql: sql.to_string(),
            params: Vec::new(),
            page_size: 1000,
            allow_changes: false,
            time_limit_ms: None,
            read_budget: Some(url::read_budget()),
        },
        move |resp| {
            match resp {
                Response::Answer { answer, .. } => panel.set(Some(Ok(answer))),
                Response::QueryFailed { error, .. } => panel.set(Some(Err(error))),
                Response::OverBudget { budget, .. } => panel.set(Some(Err(SqlError {
                    message: over_budget(budget),
                    offset: None,
                    params: Vec::new(),
                }))),
                _ => return,
            }
            if let Some(then) = then.take() {
                then();
            }
        },
    );
}

/// Why a query of the page's own was not answered: it would fetch more
/// than `budget` bytes of the database over the network.
pub fn over_budget(budget: u64) -> String {
    format!(
        "Not shown: it would fetch more than {} of this database over the network. Run it from the editor to read on.",
        super::load_status::fmt_bytes(budget)
    )
}

thread_local! {
    /// Whether the dashboard's answers were asked for the data loaded.
    static ASKED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Forgets the dashboard's answers (of data replaced): the next
/// [`fill_dashboard`] asks again.
pub fn forget_dashboard(store: Store) {
    ASKED.set(false);
    for panel in [store.headline, store.by_branch, store.by_platform] {
        panel.set(None);
    }
}

/// Asks for the dashboard's answers again (the data changed): now when it
/// is shown, else when it is next shown.
pub fn refill_dashboard(store: Store) {
    ASKED.set(false);
    if store.test.with_untracked(Option::is_none) {
        fill_dashboard(store);
    }
}

/// Asks the worker for the dashboard's charts, then its headline, unless
/// they were asked for the data loaded. A test's page opened from its
/// address asks for none of them: they are asked when the dashboard is
/// first shown.
pub fn fill_dashboard(store: Store) {
    if ASKED.replace(true) {
        return;
    }
    // The charts first: the worker answers in order, and the headline's
    // distinct count of tests reads every result. The editor is imported
    // once the first chart's answer is in (drawn by then).
    let then_editor = move || {
        gloo_timers::callback::Timeout::new(0, move || editor::start(store)).forget();
    };
    let mut then = Some(then_editor);
    for (sql, panel) in [
        (presets::BY_BRANCH_SQL, store.by_branch),
        (presets::BY_PLATFORM_SQL, store.by_platform),
    ] {
        ask(sql, panel, then.take());
    }
    ask(presets::HEADLINE_SQL, store.headline, then.take());
}

/// One dashboard chart, or its error.
#[component]
fn ChartPanel(
    /// The answer to chart.
    panel: Panel,
    /// The preset it charts (whose drill-down a click on a bar runs).
    preset: &'static str,
    /// The chart's title.
    title: &'static str,
    /// What one bar stands for.
    noun: &'static str,
) -> impl IntoView {
    move || match panel.get() {
        None => view! { <div class="chart pending">"…"</div> }.into_any(),
        Some(Err(e)) => view! { <p class="error">{e.message}</p> }.into_any(),
        Some(Ok(a)) => {
            let data = data_from_rows(&a.rows, 2);
            let best = data
                .first()
                .map(|d| format!("{} ({}%)", d.label, d.value))
                .unwrap_or_default();
            let worst = data
                .last()
                .map(|d| format!("{} ({}%)", d.label, d.value))
                .unwrap_or_default();
            let description = format!(
                "Horizontal bars, one per {noun}, {} in all, each as long as the share of its results that failed and labelled with its pass rate. Highest pass rate: {best}. Lowest: {worst}. Choosing a bar lists the failing tests of its {noun}.",
                data.len()
            );
            let store = expect_context::<Store>();
            let column = a.columns.first().cloned().unwrap_or_default();
            let on_pick = Callback::new(move |x: String| {
                if let Some((_, sql)) = presets::DASHBOARD_DRILLS.iter().find(|(p, _)| *p == preset)
                {
                    builder::show_drill(
                        store,
                        format!("{title}: {x}"),
                        vec![(column.clone(), x)],
                        sql.to_string(),
                    );
                }
            });
            let drawn = view! {
                <chart::PercentBars title=title description=description data=data on_pick=on_pick/>
            }
            .into_any();
            request_animation_frame(mark_first_chart);
            drawn
        }
    }
}

/// Marks the moment the dashboard's charts are first drawn with data
/// (`performance.mark("greenboard:first-chart")`), for the load benchmark.
fn mark_first_chart() {
    thread_local! {
        static MARKED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }
    if !MARKED.replace(true)
        && let Some(p) = web_sys::window().and_then(|w| w.performance())
    {
        let _ = p.mark("greenboard:first-chart");
    }
}
