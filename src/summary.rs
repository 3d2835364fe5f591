//! A Markdown summary of test runs, each against its base run: for a CI
//! job's summary or a pull request's comment.
//!
//! A run's **base** is the latest run on the same platform of the branch it
//! is compared against (`against`), or else the run before it on its own
//! branch and platform. Against its base, a test of the run is:
//! - a **new failure** when it fails now (fail, error or timeout) and did
//!   not in the base (it passed, was skipped, or is new); a **regression**
//!   when it passed there;
//! - **still failing** when it failed in both;
//! - **fixed** when it passes now and failed in the base.

use std::fmt::Write as _;

use rusqlite::{Connection, OptionalExtension, params};

/// The most bytes a summary takes: GitHub's limit for a check run's
/// summary and a comment (65,535); longer lists are cut with "and N more".
pub const LIMIT: usize = 65_535;

/// A run as the summary names it.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// Its id.
    pub id: i64,
    /// Its platform, `os/arch` (and ` (environment)` when not native), as
    /// the presets name it.
    pub platform: String,
    /// Its branch.
    pub branch: Option<String>,
    /// Its commit.
    pub commit: String,
    /// Its CI job, when known.
    pub url: Option<String>,
    /// Results that passed.
    pub passed: i64,
    /// Results that failed, errored or timed out.
    pub failed: i64,
    /// Results skipped.
    pub skipped: i64,
}

/// A test whose outcome differs from (or, still failing, equals) the base's.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// The test.
    pub test: String,
    /// Its suite.
    pub suite: Option<String>,
    /// Its outcome in the run.
    pub outcome: String,
    /// Its outcome in the base run, if it ran there.
    pub was: Option<String>,
    /// The first line of its error message in the run (or in the base for
    /// a fixed test).
    pub error: Option<String>,
}

/// A run compared with its base.
#[derive(Debug, Clone, PartialEq)]
pub struct Compared {
    /// The run.
    pub run: Run,
    /// Its base, if it has one.
    pub base: Option<Run>,
    /// Failing now, not failing in the base (or new).
    pub new_failures: Vec<Change>,
    /// Failing in both.
    pub still_failing: Vec<Change>,
    /// Passing now, failing in the base.
    pub fixed: Vec<Change>,
    /// The branch it was to be compared with, when that has no run on its
    /// platform (it is then compared with the run before it).
    pub against_missing: Option<String>,
}

impl Compared {
    /// The new failures that passed in the base run.
    pub fn regressions(&self) -> impl Iterator<Item = &Change> {
        self.new_failures
            .iter()
            .filter(|c| c.was.as_deref() == Some("pass"))
    }
}

/// Whether an outcome is a failure.
fn failing(outcome: &str) -> bool {
    matches!(outcome, "fail" | "error" | "timeout")
}

/// Run `id` as the summary names it, if there is one.
pub fn run(conn: &Connection, id: i64) -> rusqlite::Result<Option<Run>> {
    conn.query_row(
        &format!(
            "SELECT r.id, {PLATFORM}, r.branch_name, r.git_commit, r.run_url, r.passed, r.failed, r.skipped
             FROM test_runs r JOIN platforms p ON p.id = r.platform_id
             WHERE r.id = ?1"
        ),
        [id],
        |r| {
            Ok(Run {
                id: r.get(0)?,
                platform: r.get(1)?,
                branch: r.get(2)?,
                commit: r.get(3)?,
                url: r.get(4)?,
                passed: r.get(5)?,
                failed: r.get(6)?,
                skipped: r.get(7)?,
            })
        },
    )
    .optional()
}

/// The base of run `id`: the latest run on its platform of branch
/// `against` when that is another branch than the run's and has one, else
/// the run before it on its branch and platform.
pub fn base_of(conn: &Connection, id: i64, against: Option<&str>) -> rusqlite::Result<Option<i64>> {
    match against_base(conn, id, against)? {
        Some(b) => Ok(Some(b)),
        None => against_base(conn, id, None),
    }
}

/// The base of run `id` as [`base_of`] says, without falling back when
/// `against` has no run on its platform.
fn against_base(
    conn: &Connection,
    id: i64,
    against: Option<&str>,
) -> rusqlite::Result<Option<i64>> {
    conn.query_row(
        "SELECT b.id FROM test_runs r JOIN test_runs b ON b.platform_id = r.platform_id AND b.id <> r.id
         WHERE r.id = ?1
           AND (CASE WHEN ?2 IS NOT NULL AND ?2 IS NOT r.branch_name
                     THEN b.branch_name = ?2
                     ELSE b.branch_name IS r.branch_name AND (b.run_timestamp, b.id) < (r.run_timestamp, r.id) END)
         ORDER BY b.run_timestamp DESC, b.id DESC LIMIT 1",
        params![id, against],
        |r| r.get(0),
    )
    .optional()
}

/// Run `id` compared with its base (see [`base_of`]).
pub fn compare(conn: &Connection, id: i64, against: Option<&str>) -> rusqlite::Result<Compared> {
    let this = run(conn, id)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
    let other = against.filter(|a| Some(*a) != this.branch.as_deref());
    let against_missing = match other {
        Some(a) if against_base(conn, id, Some(a))?.is_none() => Some(a.to_string()),
        _ => None,
    };
    let base_id = base_of(conn, id, against)?;
    let base = match base_id {
        Some(b) => run(conn, b)?,
        None => None,
    };
    let mut stmt = conn.prepare(
        "SELECT c.test_name, c.test_suite, c.outcome, b.outcome,
                COALESCE(c.error_message, b.error_message)
         FROM test_results c LEFT JOIN test_results b ON b.run_id = ?2 AND b.test_name = c.test_name
         WHERE c.run_id = ?1
         ORDER BY c.test_suite, c.test_name",
    )?;
    let mut compared = Compared {
        run: this,
        base,
        new_failures: Vec::new(),
        still_failing: Vec::new(),
        fixed: Vec::new(),
        against_missing,
    };
    let rows = stmt.query_map(params![id, base_id], |r| {
        Ok(Change {
            test: r.get(0)?,
            suite: r.get(1)?,
            outcome: r.get(2)?,
            was: r.get(3)?,
            error: r.get::<_, Option<String>>(4)?.map(|e| {
                e.lines()
                    .find(|l| !l.trim().is_empty())
                    .unwrap_or("")
                    .trim()
                    .to_string()
            }),
        })
    })?;
    for change in rows {
        let change = change?;
        let was_failing = change.was.as_deref().is_some_and(failing);
        match (failing(&change.outcome), was_failing) {
            (true, false) => compared.new_failures.push(change),
            (true, true) => compared.still_failing.push(change),
            (false, true) if change.outcome == "pass" => compared.fixed.push(Change {
                error: change.error.clone(),
                ..change
            }),
            _ => {}
        }
    }
    Ok(compared)
}

/// What the summary links to.
#[derive(Debug, Clone, Default)]
pub struct Links {
    /// The explorer with this data (the published site), if known.
    pub site: Option<String>,
}

/// A flaky test, by the rules of the `flaky-by-rule` preset.
#[derive(Debug, Clone, PartialEq)]
pub struct Flaky {
    /// The test.
    pub test: String,
    /// Its platform.
    pub platform: String,
    /// The rules that fired (`a b c`).
    pub rules: String,
    /// What makes it flaky.
    pub evidence: String,
}

/// A slow test of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Slow {
    /// The test.
    pub test: String,
    /// Its platform.
    pub platform: String,
    /// How long it took.
    pub ms: i64,
}

/// What a summary says: the runs compared with their bases, the flakiest
/// tests and the slowest tests of the runs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    /// The runs.
    pub runs: Vec<Compared>,
    /// The flakiest tests (of the runs' platforms), most first.
    pub flaky: Vec<Flaky>,
    /// The runs' slowest tests, slowest first.
    pub slowest: Vec<Slow>,
}

/// How many flaky and slow tests a summary names.
const TOP: usize = 10;

/// The report of runs `ids`, each compared with its base (see [`base_of`]),
/// with the flakiest tests of their platforms (rules as the
/// `flaky-by-rule` preset's, over the last 30 runs) and their slowest tests.
pub fn report(conn: &Connection, ids: &[i64], against: Option<&str>) -> rusqlite::Result<Report> {
    let runs = ids
        .iter()
        .map(|id| compare(conn, *id, against))
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let platforms: Vec<&str> = runs.iter().map(|c| c.run.platform.as_str()).collect();
    let flaky_sql = crate::presets::find("flaky-by-rule")
        .expect("the flaky-by-rule preset")
        .sql;
    let mut flaky = Vec::new();
    let mut stmt = conn.prepare(flaky_sql)?;
    let mut rows = stmt.query(["30"])?;
    while let Some(r) = rows.next()? {
        let platform: String = r.get("platform")?;
        if platforms.iter().any(|p| *p == platform) && flaky.len() < TOP {
            flaky.push(Flaky {
                test: r.get("test_name")?,
                platform,
                rules: r.get("rules")?,
                evidence: r.get("evidence")?,
            });
        }
    }
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let mut stmt = conn.prepare(&format!(
        "SELECT t.test_name, {PLATFORM}, t.duration_ms
         FROM test_results t JOIN test_runs r ON r.id = t.run_id JOIN platforms p ON p.id = r.platform_id
         WHERE t.run_id IN ({list}) AND t.duration_ms IS NOT NULL
         ORDER BY t.duration_ms DESC, t.test_name LIMIT {TOP}"
    ))?;
    let slowest = stmt
        .query_map([], |r| {
            Ok(Slow {
                test: r.get(0)?,
                platform: r.get(1)?,
                ms: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Report {
        runs,
        flaky,
        slowest,
    })
}

/// A platform's label, as the presets write it (`p` is `platforms`).
const PLATFORM: &str = "p.os || '/' || p.arch || CASE WHEN p.environment <> 'native' THEN ' (' || p.environment || ')' ELSE '' END";

/// The Markdown summary of a report, at most [`LIMIT`] bytes: a table of
/// the runs; for each run its new failures (with their errors' signatures),
/// still failing and fixed tests; then the flakiest and the slowest tests.
/// Lists too long for the limit are cut, each saying how many more there
/// are.
pub fn markdown(report: &Report, links: &Links) -> String {
    // The longest lists first: halve the rows shown until it fits.
    let mut shown = 100;
    loop {
        let text = render(report, links, shown);
        if text.len() <= LIMIT || shown == 0 {
            return if text.len() <= LIMIT {
                text
            } else {
                cut(&text)
            };
        }
        shown /= 2;
    }
}

/// The summary with at most `shown` rows a list.
fn render(report: &Report, links: &Links, shown: usize) -> String {
    let runs = &report.runs;
    let site = links.site.as_deref();
    let mut md = String::new();
    let (passed, failed, skipped) = runs.iter().fold((0, 0, 0), |(p, f, s), c| {
        (p + c.run.passed, f + c.run.failed, s + c.run.skipped)
    });
    let new: usize = runs.iter().map(|c| c.new_failures.len()).sum();
    if passed + failed + skipped == 0 {
        md.push_str("## ⚠️ No test result: the reports held no test case\n\n");
    } else {
        let mark = if failed == 0 { "✅" } else { "❌" };
        let _ = writeln!(
            md,
            "## {mark} {} passed, {} failed, {} skipped{}\n",
            count(passed),
            count(failed),
            count(skipped),
            match new {
                0 => String::new(),
                1 => " — 1 new failure".to_string(),
                n => format!(" — {} new failures", count(n as i64)),
            }
        );
    }
    md.push_str(
        "| platform | branch | commit | passed | failed | skipped | pass rate | compared with |\n",
    );
    md.push_str("|---|---|---|---:|---:|---:|---:|---|\n");
    for c in runs {
        let r = &c.run;
        let run = match &r.url {
            Some(u) => format!("[{}]({u})", cell(&r.platform)),
            None => cell(&r.platform),
        };
        let mut base = match &c.base {
            Some(b) => format!(
                "run {} ({} `{}`)",
                b.id,
                cell(b.branch.as_deref().unwrap_or("no branch")),
                short(&b.commit)
            ),
            None => "nothing (first run)".to_string(),
        };
        if let Some(a) = &c.against_missing {
            base.push_str(&format!(" — {} has no run here", cell(a)));
        }
        let _ = writeln!(
            md,
            "| {run} | {} | `{}` | {} | {} | {} | {} | {base} |",
            cell(r.branch.as_deref().unwrap_or("(none)")),
            short(&r.commit),
            count(r.passed),
            count(r.failed),
            count(r.skipped),
            rate(r.passed, r.failed),
        );
    }
    for c in runs {
        let several = runs.len() > 1;
        let on = if several {
            format!(" on {}", c.run.platform)
        } else {
            String::new()
        };
        list(
            &mut md,
            &format!("New failures{on}"),
            &c.new_failures,
            shown,
            true,
            site,
        );
        list(
            &mut md,
            &format!("Still failing{on}"),
            &c.still_failing,
            shown,
            false,
            site,
        );
        list(&mut md, &format!("Fixed{on}"), &c.fixed, shown, false, site);
    }
    if !report.flaky.is_empty() {
        let _ = writeln!(
            md,
            "\n### Flakiest tests\n\nRules: a, passed and failed on one commit; b, passed on a retry; c, flipped at least twice in its last 30 runs.\n"
        );
        md.push_str("| test | platform | rules | evidence |\n|---|---|---|---|\n");
        for f in report.flaky.iter().take(shown) {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} |",
                test_cell(&f.test, site),
                cell(&f.platform),
                f.rules,
                cell(&f.evidence)
            );
        }
    }
    if !report.slowest.is_empty() {
        let _ = writeln!(md, "\n### Slowest tests\n");
        md.push_str("| test | platform | time |\n|---|---|---:|\n");
        for s in report.slowest.iter().take(shown) {
            let _ = writeln!(
                md,
                "| {} | {} | {:.2} s |",
                test_cell(&s.test, site),
                cell(&s.platform),
                s.ms as f64 / 1000.0
            );
        }
    }
    if let Some(site) = &links.site {
        let _ = writeln!(
            md,
            "\n[Explore every result in greenboard]({site}): [new failures]({site}?preset=new-failures) · [ongoing failures]({site}?preset=ongoing-failures) · [flakiest tests]({site}?preset=flaky-by-rule) · [duration regressions]({site}?preset=duration-regressions) · [failure groups]({site}?preset=failure-groups)"
        );
    }
    md
}

/// A section listing `changes` (nothing when there are none), at most
/// `shown` of them, then how many more.
/// A test's name for a table cell: a link to its page on the site
/// (`?test=NAME`) when the site is known.
fn test_cell(name: &str, site: Option<&str>) -> String {
    match site {
        Some(site) => format!("[{}]({site}?test={})", cell(name), query_value(name)),
        None => cell(name),
    }
}

/// `text` percent-encoded for a URL's query value (UTF-8; letters, digits
/// and `-._~` as they are).
fn query_value(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

fn list(
    md: &mut String,
    title: &str,
    changes: &[Change],
    shown: usize,
    was: bool,
    site: Option<&str>,
) {
    if changes.is_empty() {
        return;
    }
    let _ = writeln!(md, "\n### {title} ({})\n", count(changes.len() as i64));
    if was {
        md.push_str(
            "| test | suite | outcome | before | error | signature |\n|---|---|---|---|---|---|\n",
        );
    } else {
        md.push_str("| test | suite | outcome | error |\n|---|---|---|---|\n");
    }
    for c in changes.iter().take(shown) {
        let error = c.error.as_deref().map(|e| clip(e, 160)).unwrap_or_default();
        if was {
            let signature = c
                .error
                .as_deref()
                .map(|e| code(&clip(&crate::db::signature::failure_signature(e), 120)))
                .unwrap_or_default();
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} |",
                test_cell(&c.test, site),
                cell(c.suite.as_deref().unwrap_or("")),
                c.outcome,
                c.was.as_deref().unwrap_or("new test"),
                cell(&error),
                signature
            );
        } else {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} |",
                test_cell(&c.test, site),
                cell(c.suite.as_deref().unwrap_or("")),
                c.outcome,
                cell(&error)
            );
        }
    }
    if changes.len() > shown {
        let _ = writeln!(md, "\n…and {} more", count((changes.len() - shown) as i64));
    }
}

/// Text made safe in a table cell: at most 300 characters, pipes and
/// Markdown's marks escaped, HTML's `<` and `&` written as entities, line
/// breaks as spaces.
fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in clip(text, 300).chars() {
        match ch {
            '|' => out.push_str("\\|"),
            '\\' | '*' | '[' | ']' | '`' | '~' => {
                out.push('\\');
                out.push(ch);
            }
            '<' => out.push_str("&lt;"),
            '&' => out.push_str("&amp;"),
            '\r' | '\n' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Text as a code span in a table cell: shown as it is (`<n>` included),
/// pipes escaped, backticks made quotes.
fn code(text: &str) -> String {
    format!("`{}`", text.replace('`', "'").replace('|', "\\|"))
}

/// At most `n` characters of `text`, with … when cut.
fn clip(text: &str, n: usize) -> String {
    match text.char_indices().nth(n) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}

/// A commit's first 8 characters.
fn short(commit: &str) -> &str {
    commit.get(..8).unwrap_or(commit)
}

/// A count with thousands separated by commas.
fn count(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// The pass rate of decided outcomes, to two decimals, or — with none.
fn rate(passed: i64, failed: i64) -> String {
    if passed + failed == 0 {
        "—".to_string()
    } else {
        format!("{:.2} %", 100.0 * passed as f64 / (passed + failed) as f64)
    }
}

/// A text cut to [`LIMIT`] bytes at a line's end, saying so (for runs so
/// many that even their table is too long).
fn cut(text: &str) -> String {
    const NOTE: &str = "\n…cut: the summary is longer than 65,535 bytes\n";
    let mut end = LIMIT - NOTE.len();
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let end = text[..end].rfind('\n').map_or(end, |i| i + 1);
    format!("{}{NOTE}", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counts and rates as printed.
    #[test]
    fn counts_and_rates() {
        assert_eq!(count(0), "0");
        assert_eq!(count(1234567), "1,234,567");
        assert_eq!(rate(0, 0), "—");
        assert_eq!(rate(1, 2), "33.33 %");
        assert_eq!(cell("a|b<c>\nd"), "a\\|b&lt;c> d");
        assert_eq!(cell("**x** [y](z) `q`"), "\\*\\*x\\*\\* \\[y\\](z) \\`q\\`");
        assert_eq!(clip("abcdef", 3), "abc…");
    }

    /// A test's name links to its page, its name encoded for the address.
    #[test]
    fn test_names_link_to_their_page() {
        assert_eq!(
            test_cell("gfx::a b|c[1]", Some("https://x.io/s/")),
            "[gfx::a b\\|c\\[1\\]](https://x.io/s/?test=gfx%3A%3Aa%20b%7Cc%5B1%5D)"
        );
        assert_eq!(query_value("é&=?#"), "%C3%A9%26%3D%3F%23");
        assert_eq!(test_cell("t", None), "t");
    }

    /// A summary of a huge table is cut at a line's end, within the limit.
    #[test]
    fn an_overlong_text_is_cut_within_the_limit() {
        let text = "| a line of a table |\n".repeat(10_000);
        let cut = cut(&text);
        assert!(cut.len() <= LIMIT);
        assert!(cut.ends_with("longer than 65,535 bytes\n"));
    }
}
