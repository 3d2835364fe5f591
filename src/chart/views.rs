//! Answers shown as HTML rather than as a chart: the health tiles of the
//! dashboard and the parts of a test's page. The chart worker writes them
//! (asked with a spec `html:VIEW`), so that their code is fetched with the
//! first chart rather than with the page; the tests check them natively.
//! Every value from the data is escaped.

use std::fmt::Write as _;

use super::{escape_html, escape_html_marked, fmt_count};
use crate::protocol::Cell;

/// A view of an answer, named by the text after `html:` in a spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum View {
    /// A health tile: the count of preset `id`'s rows on `branch` (rows of
    /// other branches left out when the answer has a `branch` column),
    /// and its first tests. `tile:ID:BRANCH`.
    Tile {
        /// The preset.
        id: String,
        /// The branch.
        branch: String,
    },
    /// Where a test stands on each platform and branch (`test-timeline`).
    Timeline,
    /// A test's failures by signature (`test-messages`).
    Messages,
}

impl View {
    /// The view a spec names (`html:tile:new-failures:main`), if it names one.
    pub fn from_spec(spec: &str) -> Option<View> {
        match spec.strip_prefix("html:")? {
            "timeline" => Some(View::Timeline),
            "messages" => Some(View::Messages),
            other => {
                let (id, branch) = other.strip_prefix("tile:")?.split_once(':')?;
                Some(View::Tile {
                    id: id.into(),
                    branch: branch.into(),
                })
            }
        }
    }

    /// The view's HTML for an answer; `title` heads a tile.
    pub fn render(&self, title: &str, columns: &[String], rows: &[Vec<Cell>]) -> String {
        let a = Answer { columns, rows };
        match self {
            View::Tile { id, branch } => tile(id, title, branch, &a),
            View::Timeline => timeline(&a),
            View::Messages => messages(&a),
        }
    }
}

/// An answer, read by column name.
struct Answer<'a> {
    columns: &'a [String],
    rows: &'a [Vec<Cell>],
}

impl Answer<'_> {
    fn col(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    /// The text of column `name` in `row` (`None` for NULL or no such column).
    fn get(&self, row: &[Cell], name: &str) -> Option<String> {
        row.get(self.col(name)?)?.display()
    }
}

/// Tests listed under a tile's count.
const LISTED: usize = 5;

/// A row's words under its test, from columns by name.
fn detail(id: &str, a: &Answer, r: &[Cell]) -> String {
    let c = |n: &str| a.get(r, n).unwrap_or_default();
    let short = |n: &str| c(n).chars().take(8).collect::<String>();
    match id {
        "new-failures" => format!("broken at {}", short("broken_at")),
        "ongoing-failures" => format!("{} runs, {} days", c("failing_runs"), c("days")),
        "recently-fixed" => format!("fixed at {}", short("fixed_at")),
        "flaky-by-rule" => format!("rules {}", c("rules")),
        _ => format!("+{} %", c("growth_pct")),
    }
}

/// A health tile: its title (which opens the whole answer) with the count,
/// then its first tests, each a button that opens the test's page.
fn tile(id: &str, title: &str, branch: &str, a: &Answer) -> String {
    let rows: Vec<&Vec<Cell>> = match a.col("branch") {
        Some(i) => a
            .rows
            .iter()
            .filter(|r| r[i].display().as_deref() == Some(branch))
            .collect(),
        None => a.rows.iter().collect(),
    };
    let mut html = format!(
        "<button class=\"title\" data-tile=\"{}\" title=\"All of them, with the SQL\">{} <b>{}</b></button><ul>",
        escape_html(id),
        escape_html(title),
        fmt_count(rows.len() as u64)
    );
    for r in rows.iter().take(LISTED) {
        let test = escape_html(&a.get(r, "test_name").unwrap_or_default());
        let _ = write!(
            html,
            "<li><button data-test=\"{test}\"><b>{test}</b> <span>{} · {}</span></button></li>",
            escape_html(&a.get(r, "platform").unwrap_or_default()),
            escape_html(&detail(id, a, r))
        );
    }
    if rows.len() > LISTED {
        let _ = write!(
            html,
            "<li class=\"more\"><button data-tile=\"{}\">and {} more</button></li>",
            escape_html(id),
            fmt_count((rows.len() - LISTED) as u64)
        );
    }
    html.push_str("</ul>");
    html
}

/// A run as "`abc12345` (run 812)", linked to its URL when it has an
/// http(s) one.
fn run(commit: Option<String>, run: Option<String>, url: Option<String>) -> String {
    let short: String = commit.unwrap_or_default().chars().take(8).collect();
    let text = format!(
        "<code>{}</code> (run {})",
        escape_html(&short),
        escape_html(&run.unwrap_or_default())
    );
    match url.filter(|u| u.starts_with("https://") || u.starts_with("http://")) {
        Some(u) => format!(
            "<a href=\"{}\" rel=\"noopener\" target=\"_blank\">{text}</a>",
            escape_html(&u)
        ),
        None => text,
    }
}

/// `n` and its noun, singular or plural: "1 run", "3 runs".
fn count_of(n: &str, one: &str, many: &str) -> String {
    format!("{n} {}", if n == "1" { one } else { many })
}

/// Where the test stands on each platform and branch: failing since when
/// (last passed at …, first failed at …), or its latest outcome; with its
/// counts. Outcomes have the strip's glyphs.
fn timeline(a: &Answer) -> String {
    if a.rows.is_empty() {
        return "<p>No result of this test in the data.</p>".into();
    }
    let mut html = String::from("<ul class=\"timeline\">");
    for r in a.rows {
        let c = |n: &str| a.get(r, n);
        let num = |n: &str| c(n).unwrap_or_else(|| "0".into());
        let latest = c("latest").unwrap_or_default();
        let glyph = super::strip::look(&latest, false).glyph;
        let latest = escape_html(&latest);
        let state = if c("first_failed_run").is_some() {
            let since = match c("last_passed_run") {
                Some(_) => format!(
                    "last passed at {}, ",
                    run(
                        c("last_passed_at"),
                        c("last_passed_run"),
                        c("last_passed_url")
                    )
                ),
                None => "never passed here; ".into(),
            };
            format!(
                "<b class=\"failing\">{glyph} {latest} for {}</b>: {since}first failed at {}",
                count_of(&num("failing_runs"), "run", "runs"),
                run(
                    c("first_failed_at"),
                    c("first_failed_run"),
                    c("first_failed_url")
                )
            )
        } else {
            format!("<b class=\"passing\">{glyph} {latest}</b>")
        };
        let mut counts = format!(
            "{}, {} failed, {}, {} passed on a retry",
            count_of(&num("runs"), "run", "runs"),
            num("failures"),
            count_of(&num("flips"), "flip", "flips"),
            num("passed_on_retry")
        );
        if num("skipped") != "0" {
            let _ = write!(counts, ", {} skipped", num("skipped"));
        }
        let _ = write!(
            html,
            "<li><span class=\"place\">{} · {}</span> {state} <span class=\"counts\">· {counts}</span></li>",
            escape_html(&c("platform").unwrap_or_default()),
            escape_html(&c("branch").unwrap_or_else(|| "no branch".into())),
        );
    }
    html.push_str("</ul>");
    html
}

/// A test's failures by signature, as a table.
fn messages(a: &Answer) -> String {
    if a.rows.is_empty() {
        return "<p>No failure of this test in the data.</p>".into();
    }
    const COLUMNS: [(&str, &str, &str); 7] = [
        ("signature", "Signature", "text"),
        ("failures", "Failures", "num"),
        ("platforms", "Platforms", "text"),
        ("branches", "Branches", "text"),
        ("first_seen", "First seen", "text"),
        ("last_seen", "Last seen", "text"),
        ("latest_message", "Latest message", "text message"),
    ];
    let mut html = String::from("<table class=\"signatures\"><thead><tr>");
    for (_, head, _) in COLUMNS {
        let _ = write!(html, "<th>{head}</th>");
    }
    html.push_str("</tr></thead><tbody>");
    for r in a.rows {
        html.push_str("<tr>");
        for (name, _, class) in COLUMNS {
            let _ = write!(
                html,
                "<td class=\"{class}\">{}</td>",
                escape_html_marked(&a.get(r, name).unwrap_or_default())
            );
        }
        html.push_str("</tr>");
    }
    html.push_str("</tbody></table>");
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Cell {
        Cell::Text(s.into())
    }

    #[test]
    fn specs_name_views() {
        assert_eq!(View::from_spec("html:timeline"), Some(View::Timeline));
        assert_eq!(
            View::from_spec("html:tile:new-failures:fix/a:b"),
            Some(View::Tile {
                id: "new-failures".into(),
                branch: "fix/a:b".into()
            })
        );
        assert_eq!(View::from_spec("bar:x=a,y=b"), None);
        assert_eq!(View::from_spec("html:tile:nobranch"), None);
    }

    #[test]
    fn a_tile_counts_its_branch_and_escapes_names() {
        let columns: Vec<String> = ["test_name", "platform", "branch", "growth_pct"]
            .map(String::from)
            .to_vec();
        let rows: Vec<Vec<Cell>> = (0..8)
            .map(|i| {
                vec![
                    t(&format!("t<{i}>")),
                    t("linux"),
                    t(if i % 2 == 0 { "main" } else { "dev" }),
                    Cell::Real(50.5),
                ]
            })
            .collect();
        let view = View::from_spec("html:tile:duration-regressions:main").unwrap();
        let html = view.render("Slower", &columns, &rows);
        assert!(html.contains("Slower <b>4</b>"), "{html}");
        assert!(html.contains("data-test=\"t&lt;0&gt;\""));
        assert!(!html.contains("t&lt;1&gt;"));
        assert!(html.contains("+50.5 %"));
        assert!(!html.contains("more"));
    }

    #[test]
    fn the_timeline_says_where_a_test_started_failing_with_links() {
        let columns: Vec<String> = [
            "platform",
            "branch",
            "latest",
            "failing_runs",
            "last_passed_at",
            "last_passed_run",
            "last_passed_url",
            "first_failed_at",
            "first_failed_run",
            "first_failed_url",
            "runs",
            "failures",
            "flips",
            "passed_on_retry",
        ]
        .map(String::from)
        .to_vec();
        let rows = vec![
            vec![
                t("windows/x86_64"),
                t("main"),
                t("fail"),
                Cell::Integer(3),
                t("abc123456789"),
                Cell::Integer(812),
                t("https://ci.example/812"),
                t("def456789"),
                Cell::Integer(815),
                t("javascript:alert(1)"),
                Cell::Integer(20),
                Cell::Integer(3),
                Cell::Integer(1),
                Cell::Integer(0),
            ],
            vec![
                t("linux/x86_64"),
                Cell::Null,
                t("pass"),
                Cell::Integer(0),
                Cell::Null,
                Cell::Null,
                Cell::Null,
                Cell::Null,
                Cell::Null,
                Cell::Null,
                Cell::Integer(5),
                Cell::Integer(0),
                Cell::Integer(0),
                Cell::Integer(0),
            ],
        ];
        let html = View::Timeline.render("", &columns, &rows);
        assert!(
            html.contains("last passed at <a href=\"https://ci.example/812\" rel=\"noopener\" target=\"_blank\"><code>abc12345</code> (run 812)</a>"),
            "{html}"
        );
        // Only http(s) addresses become links.
        assert!(html.contains("first failed at <code>def45678</code> (run 815)"));
        assert!(!html.contains("javascript:"));
        assert!(html.contains("✗ fail for 3 runs</b>"), "{html}");
        assert!(html.contains("linux/x86_64 · no branch</span> <b class=\"passing\">✓ pass</b>"));
        assert!(
            html.contains("· 5 runs, 0 failed, 0 flips, 0 passed on a retry</span>"),
            "{html}"
        );
        assert!(
            html.contains("· 20 runs, 3 failed, 1 flip, 0 passed on a retry</span>"),
            "{html}"
        );
    }
}
