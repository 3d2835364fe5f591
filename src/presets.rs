//! Preset queries: a title, a one-line description, the SQL, and for some a
//! chart. Pure data, shared by the browser and the command line.
//!
//! Pass rates count only decided outcomes: `passed / (passed + failed)`,
//! skipped tests left out (`failed` includes errors and timeouts).

use serde::{Deserialize, Serialize};

use crate::protocol::{SchemaKind, TableCount};

/// How a preset's answer is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Chart {
    /// Horizontal bars: column 0 is the label, `value` the bar length,
    /// on a 0–100 % scale.
    PercentBars {
        /// Index of the value column.
        value: usize,
    },
}

/// A named query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preset {
    /// Stable identifier (used by the CLI and in URLs).
    pub id: &'static str,
    /// Group it is listed under.
    pub group: &'static str,
    /// Title.
    pub title: &'static str,
    /// One line saying what it answers.
    pub description: &'static str,
    /// The SQL.
    pub sql: &'static str,
    /// How to chart the answer, if it is a chart.
    pub chart: Option<Chart>,
}

/// The dashboard's headline: runs, tests, overall pass rate, date range.
pub const HEADLINE_SQL: &str = "SELECT
  (SELECT COUNT(*) FROM test_runs) AS runs,
  (SELECT COUNT(DISTINCT test_name) FROM test_results) AS tests,
  (SELECT ROUND(100.0 * SUM(passed) / NULLIF(SUM(passed + failed), 0), 2) FROM test_runs) AS pass_rate_pct,
  (SELECT MIN(run_timestamp) FROM test_runs) AS first_run,
  (SELECT MAX(run_timestamp) FROM test_runs) AS last_run,
  (SELECT COUNT(DISTINCT branch_name) FROM test_runs) AS branches,
  (SELECT COUNT(DISTINCT platform_id) FROM test_runs) AS platforms;";

/// The preset charted on the dashboard as "pass rate by branch".
pub const BY_BRANCH: &str = "pass-rate-by-branch";
/// The preset charted on the dashboard as "pass rate by platform".
pub const BY_PLATFORM: &str = "pass-rate-by-platform";

/// Presets for greenboard's own schema, in the order they are listed.
pub const GREENBOARD: &[Preset] = &[
    Preset {
        id: BY_BRANCH,
        group: "Pass rates",
        title: "Pass rate by branch",
        description: "Share of decided tests that passed, per branch, over all runs.",
        sql: "SELECT branch_name AS branch,
       COUNT(*) AS runs,
       ROUND(100.0 * SUM(passed) / NULLIF(SUM(passed + failed), 0), 2) AS pass_rate_pct
FROM test_runs
GROUP BY branch_name
ORDER BY pass_rate_pct DESC, branch;",
        chart: Some(Chart::PercentBars { value: 2 }),
    },
    Preset {
        id: BY_PLATFORM,
        group: "Pass rates",
        title: "Pass rate by platform",
        description: "Share of decided tests that passed, per platform, over all runs.",
        sql: "SELECT p.os || '/' || p.arch || CASE WHEN p.environment <> 'native' THEN ' (' || p.environment || ')' ELSE '' END AS platform,
       COUNT(*) AS runs,
       ROUND(100.0 * SUM(r.passed) / NULLIF(SUM(r.passed + r.failed), 0), 2) AS pass_rate_pct
FROM test_runs r JOIN platforms p ON p.id = r.platform_id
GROUP BY p.id
ORDER BY pass_rate_pct DESC, platform;",
        chart: Some(Chart::PercentBars { value: 2 }),
    },
    Preset {
        id: "branch-x-platform",
        group: "Pass rates",
        title: "Branch × platform",
        description: "Pass rate of every branch on every platform it ran on.",
        sql: "SELECT r.branch_name AS branch, p.os || '/' || p.arch || CASE WHEN p.environment <> 'native' THEN ' (' || p.environment || ')' ELSE '' END AS platform,
       COUNT(*) AS runs,
       ROUND(100.0 * SUM(r.passed) / NULLIF(SUM(r.passed + r.failed), 0), 2) AS pass_rate_pct
FROM test_runs r JOIN platforms p ON p.id = r.platform_id
GROUP BY r.branch_name, p.id
ORDER BY branch, platform;",
        chart: None,
    },
    Preset {
        id: "weekly-trend-by-branch",
        group: "Trends",
        title: "Weekly pass rate per branch",
        description: "Pass rate of each branch week by week (weeks start on Monday).",
        sql: "SELECT date(run_timestamp, 'weekday 1', '-7 days') AS week,
       branch_name AS branch,
       COUNT(*) AS runs,
       ROUND(100.0 * SUM(passed) / NULLIF(SUM(passed + failed), 0), 2) AS pass_rate_pct
FROM test_runs
GROUP BY week, branch
ORDER BY week, branch;",
        chart: None,
    },
    Preset {
        id: "progress-by-branch",
        group: "Trends",
        title: "Progress by branch",
        description: "Runs, average pass rate per run, and the latest run of every branch.",
        sql: "SELECT branch_name,
       COUNT(*) AS total_runs,
       ROUND(AVG(passed * 100.0 / total_tests), 2) AS avg_pass_rate,
       MAX(run_timestamp) AS last_run
FROM test_runs
WHERE branch_name IS NOT NULL
GROUP BY branch_name
ORDER BY last_run DESC;",
        chart: None,
    },
    Preset {
        id: "main-progress",
        group: "Trends",
        title: "Main branch progress",
        description: "The latest 30 runs on main with their counts and pass rate.",
        sql: "SELECT r.id AS run, r.run_timestamp, p.os || '/' || p.arch AS platform,
       r.git_commit, r.passed, r.failed, r.skipped,
       ROUND(100.0 * r.passed / NULLIF(r.passed + r.failed, 0), 1) AS pass_rate_pct
FROM test_runs r JOIN platforms p ON p.id = r.platform_id
WHERE r.branch_name = 'main'
ORDER BY r.run_timestamp DESC
LIMIT 30;",
        chart: None,
    },
    Preset {
        id: "branch-vs-main",
        group: "Trends",
        title: "Feature branches against main",
        description: "Average pass rate per run, main first, then every other branch.",
        sql: "SELECT 'main' AS branch, ROUND(AVG(passed * 100.0 / total_tests), 2) AS avg_pass_rate
FROM test_runs WHERE branch_name = 'main'
UNION ALL
SELECT branch_name, ROUND(AVG(passed * 100.0 / total_tests), 2)
FROM test_runs WHERE branch_name != 'main'
GROUP BY branch_name
ORDER BY avg_pass_rate DESC;",
        chart: None,
    },
    Preset {
        id: "latest-failures",
        group: "Failures",
        title: "Latest failures",
        description: "The 100 most recent failed, errored or timed-out tests with their messages.",
        sql: "SELECT r.run_timestamp, r.branch_name AS branch, p.os || '/' || p.arch AS platform,
       t.test_name, t.outcome, t.error_message
FROM test_results t
JOIN test_runs r ON r.id = t.run_id
JOIN platforms p ON p.id = r.platform_id
WHERE t.outcome IN ('fail', 'error', 'timeout')
ORDER BY r.run_timestamp DESC, t.test_name
LIMIT 100;",
        chart: None,
    },
    Preset {
        id: "regressions",
        group: "Failures",
        title: "Regressions on the latest run per platform",
        description: "Tests that fail in each platform's latest run but passed in the run before it.",
        sql: "SELECT tr.test_name, tr.test_suite,
       prev.outcome AS previous_outcome,
       tr.outcome AS current_outcome,
       tr.error_message,
       p.os, p.arch
FROM test_results tr
JOIN test_runs run ON tr.run_id = run.id
JOIN platforms p ON run.platform_id = p.id
JOIN test_results prev ON tr.test_name = prev.test_name
JOIN test_runs prev_run ON prev.run_id = prev_run.id
WHERE tr.outcome = 'fail'
  AND prev.outcome = 'pass'
  AND prev_run.platform_id = run.platform_id
  AND prev_run.run_timestamp < run.run_timestamp
  AND run.id = (SELECT MAX(id) FROM test_runs WHERE platform_id = p.id AND branch_name = run.branch_name)
  AND prev_run.id = (SELECT MAX(id) FROM test_runs WHERE platform_id = p.id AND branch_name = run.branch_name AND id < run.id);",
        chart: None,
    },
    Preset {
        id: "failing-platform-only",
        group: "Failures",
        title: "Tests failing on one platform only",
        description: "Tests whose recent failures (last 14 days of data) all come from a single platform.",
        sql: "WITH recent AS (
  SELECT t.test_name, r.platform_id
  FROM test_results t JOIN test_runs r ON r.id = t.run_id
  WHERE t.outcome IN ('fail', 'error', 'timeout')
    AND r.run_timestamp >= (SELECT datetime(MAX(run_timestamp), '-14 days') FROM test_runs)
),
single AS (
  SELECT test_name, MIN(platform_id) AS platform_id, COUNT(*) AS failures
  FROM recent
  GROUP BY test_name
  HAVING COUNT(DISTINCT platform_id) = 1 AND COUNT(*) >= 3
)
SELECT s.test_name, p.os || '/' || p.arch AS platform, s.failures
FROM single s JOIN platforms p ON p.id = s.platform_id
ORDER BY failures DESC, test_name;",
        chart: None,
    },
    Preset {
        id: "failures-by-suite",
        group: "Failures",
        title: "Failures by suite",
        description: "Failed, errored and timed-out results per suite, with the share of its results.",
        sql: "SELECT test_suite AS suite,
       SUM(outcome IN ('fail', 'error', 'timeout')) AS failures,
       COUNT(*) AS results,
       ROUND(100.0 * SUM(outcome IN ('fail', 'error', 'timeout')) / COUNT(*), 2) AS failure_pct
FROM test_results
GROUP BY test_suite
ORDER BY failures DESC;",
        chart: None,
    },
    Preset {
        id: "flaky-tests",
        group: "Flaky tests",
        title: "Flaky tests",
        description: "Tests whose outcome flips between consecutive runs on the same branch and platform, by flip rate.",
        sql: "WITH seq AS (
  SELECT t.test_name, r.branch_name, r.platform_id, t.outcome,
         LAG(t.outcome) OVER (PARTITION BY t.test_name, r.branch_name, r.platform_id
                              ORDER BY r.run_timestamp, r.id) AS prev
  FROM test_results t JOIN test_runs r ON r.id = t.run_id
  WHERE t.outcome <> 'skip'
)
SELECT test_name,
       SUM(outcome <> prev) AS flips,
       COUNT(prev) AS pairs,
       ROUND(100.0 * SUM(outcome <> prev) / COUNT(prev), 1) AS flip_rate_pct,
       SUM(outcome <> 'pass') AS failures
FROM seq
WHERE prev IS NOT NULL
GROUP BY test_name
HAVING flips >= 3
ORDER BY flip_rate_pct DESC, test_name
LIMIT 50;",
        chart: None,
    },
    Preset {
        id: "flaky-recent-seed",
        group: "Flaky tests",
        title: "Mixed outcomes in the last 7 days",
        description: "Tests with more than one outcome on a platform in the week before the latest run.",
        sql: "SELECT test_name, platform_id,
       COUNT(DISTINCT outcome) AS outcome_variance,
       GROUP_CONCAT(DISTINCT outcome) AS outcomes
FROM test_results tr
JOIN test_runs run ON tr.run_id = run.id
WHERE run.run_timestamp > (SELECT datetime(MAX(run_timestamp), '-7 days') FROM test_runs)
GROUP BY test_name, platform_id
HAVING COUNT(DISTINCT outcome) > 1;",
        chart: None,
    },
    Preset {
        id: "passed-on-retry",
        group: "Flaky tests",
        title: "Passed only on retry",
        description: "Tests that needed a retry to pass, most often first.",
        sql: "SELECT test_name, COUNT(*) AS retried_passes, MAX(retry_count) AS max_retries
FROM test_results
WHERE outcome = 'pass' AND retry_count > 0
GROUP BY test_name
ORDER BY retried_passes DESC, test_name;",
        chart: None,
    },
    Preset {
        id: "slowest-tests",
        group: "Durations",
        title: "Slowest tests",
        description: "The 25 tests with the highest average duration, with their worst case.",
        sql: "SELECT test_name, test_suite AS suite,
       COUNT(*) AS runs,
       ROUND(AVG(duration_ms)) AS avg_ms,
       MAX(duration_ms) AS max_ms
FROM test_results
WHERE duration_ms IS NOT NULL AND outcome <> 'timeout'
GROUP BY test_name
ORDER BY avg_ms DESC
LIMIT 25;",
        chart: None,
    },
    Preset {
        id: "timeouts",
        group: "Durations",
        title: "Timeouts",
        description: "Tests that hit their time limit, per platform.",
        sql: "SELECT t.test_name, p.os || '/' || p.arch AS platform, COUNT(*) AS timeouts,
       MAX(r.run_timestamp) AS last_seen
FROM test_results t
JOIN test_runs r ON r.id = t.run_id
JOIN platforms p ON p.id = r.platform_id
WHERE t.outcome = 'timeout'
GROUP BY t.test_name, p.id
ORDER BY timeouts DESC;",
        chart: None,
    },
    Preset {
        id: "pass-rate-by-platform-seed",
        group: "Platforms",
        title: "Average run pass rate by platform",
        description: "Mean of each run's passed/total, per platform (counts skips as not passed).",
        sql: "SELECT p.os, p.arch, p.environment,
       COUNT(*) AS total_runs,
       ROUND(AVG(run.passed * 1.0 / run.total_tests) * 100, 2) AS avg_pass_rate_pct
FROM test_runs run
JOIN platforms p ON run.platform_id = p.id
WHERE run.total_tests > 0
GROUP BY p.id
ORDER BY avg_pass_rate_pct DESC;",
        chart: None,
    },
    Preset {
        id: "last-green-commit",
        group: "Platforms",
        title: "Last green commit per platform",
        description: "The latest commit whose run had no failure, on each platform.",
        sql: "SELECT p.os, p.arch, run.git_commit, run.branch_name, run.run_timestamp
FROM test_runs run
JOIN platforms p ON run.platform_id = p.id
WHERE run.failed = 0 AND run.total_tests > 0
  AND run.run_timestamp = (
      SELECT MAX(r2.run_timestamp)
      FROM test_runs r2
      WHERE r2.platform_id = p.id AND r2.failed = 0
  )
ORDER BY p.os, p.arch;",
        chart: None,
    },
    Preset {
        id: "skips",
        group: "Platforms",
        title: "Skipped tests and why",
        description: "Skip reasons per platform, with how many results each covers.",
        sql: "SELECT p.os || '/' || p.arch AS platform, t.error_message AS reason, COUNT(*) AS skipped
FROM test_results t
JOIN test_runs r ON r.id = t.run_id
JOIN platforms p ON p.id = r.platform_id
WHERE t.outcome = 'skip'
GROUP BY p.id, t.error_message
ORDER BY skipped DESC;",
        chart: None,
    },
];

/// Presets for VibeSQL's SQLLogicTest results: every query its design
/// documents ("Useful Queries", the demo's example queries and the
/// branch-aware ones), exactly as written there.
pub const VIBESQL: &[Preset] = &[
    Preset {
        id: "vibesql-current-status-summary",
        group: "Status",
        title: "Current status summary",
        description: "Files per category: total, passing, failing, untested.",
        sql: "SELECT
    category,
    COUNT(*) as total,
    SUM(CASE WHEN status='PASS' THEN 1 ELSE 0 END) as passed,
    SUM(CASE WHEN status='FAIL' THEN 1 ELSE 0 END) as failed,
    SUM(CASE WHEN status='UNTESTED' THEN 1 ELSE 0 END) as untested
FROM test_files
GROUP BY category
ORDER BY category;",
        chart: None,
    },
    Preset {
        id: "vibesql-progress-over-time",
        group: "Progress",
        title: "Progress over time",
        description: "Passed, failed and pass rate of the latest 30 completed runs.",
        sql: "SELECT
    DATE(completed_at) as date,
    passed,
    failed,
    ROUND(100.0 * passed / total_files, 1) as pass_rate
FROM test_runs
WHERE completed_at IS NOT NULL
ORDER BY completed_at DESC
LIMIT 30;",
        chart: None,
    },
    Preset {
        id: "vibesql-most-problematic-files",
        group: "Failures",
        title: "Most problematic files",
        description: "Files that failed in more than five runs, most first.",
        sql: "SELECT
    file_path,
    COUNT(*) as failure_count
FROM test_results
WHERE status = 'FAIL'
GROUP BY file_path
HAVING COUNT(*) > 5
ORDER BY failure_count DESC
LIMIT 20;",
        chart: None,
    },
    Preset {
        id: "vibesql-recent-failures",
        group: "Failures",
        title: "Recent failures",
        description: "The 50 latest failures with their category and error.",
        sql: "SELECT
    tf.file_path,
    tf.category,
    tr.error_message,
    tr.tested_at
FROM test_results tr
JOIN test_files tf ON tr.file_path = tf.file_path
WHERE tr.status = 'FAIL'
ORDER BY tr.tested_at DESC
LIMIT 50;",
        chart: None,
    },
    Preset {
        id: "vibesql-progress-by-branch",
        group: "Branches",
        title: "Progress by branch",
        description: "Runs, average pass rate and latest run of every branch.",
        sql: "SELECT
    branch_name,
    COUNT(*) as total_runs,
    AVG(passed * 100.0 / total_files) as avg_pass_rate,
    MAX(completed_at) as last_run
FROM test_runs
WHERE branch_name IS NOT NULL
GROUP BY branch_name
ORDER BY last_run DESC;",
        chart: None,
    },
    Preset {
        id: "vibesql-main-branch-progress-over-time",
        group: "Branches",
        title: "Main branch progress over time",
        description: "The latest 30 completed runs on main.",
        sql: "SELECT
    run_id,
    started_at,
    passed,
    failed,
    ROUND(100.0 * passed / total_files, 1) as pass_rate
FROM test_runs
WHERE branch_name = 'main' AND completed_at IS NOT NULL
ORDER BY completed_at DESC
LIMIT 30;",
        chart: None,
    },
    Preset {
        id: "vibesql-feature-branches-against-main",
        group: "Branches",
        title: "Feature branches against main",
        description: "Average pass rate of main against each other branch.",
        sql: "SELECT
    'main' as branch,
    AVG(passed * 100.0 / total_files) as pass_rate
FROM test_runs
WHERE branch_name = 'main'
UNION ALL
SELECT
    branch_name as branch,
    AVG(passed * 100.0 / total_files) as pass_rate
FROM test_runs
WHERE branch_name != 'main'
GROUP BY branch_name
ORDER BY pass_rate DESC;",
        chart: None,
    },
    Preset {
        id: "vibesql-status-by-category",
        group: "Status",
        title: "Status by category",
        description: "Files and passing files per category.",
        sql: "SELECT category, COUNT(*) as total,
       SUM(CASE WHEN status='PASS' THEN 1 ELSE 0 END) as passed
FROM test_files GROUP BY category;",
        chart: None,
    },
    Preset {
        id: "vibesql-recent-progress",
        group: "Progress",
        title: "Recent progress",
        description: "Passed and failed of the ten latest runs.",
        sql: "SELECT DATE(completed_at) as date, passed, failed
FROM test_runs ORDER BY date DESC LIMIT 10;",
        chart: None,
    },
    Preset {
        id: "vibesql-failing-index-tests",
        group: "Failures",
        title: "Failing index tests",
        description: "The first 20 failing files of the index category.",
        sql: "SELECT file_path FROM test_files
WHERE category='index' AND status='FAIL'
ORDER BY file_path LIMIT 20;",
        chart: None,
    },
    Preset {
        id: "vibesql-main-branch-health",
        group: "Branches",
        title: "Main branch health",
        description: "The ten latest runs on main.",
        sql: "SELECT * FROM test_runs WHERE branch_name = 'main' ORDER BY started_at DESC LIMIT 10;",
        chart: None,
    },
    Preset {
        id: "vibesql-feature-branch-debugging",
        group: "Branches",
        title: "Feature branch debugging",
        description: "The runs of the fix/analyze-statement branch.",
        sql: "SELECT * FROM test_runs WHERE branch_name = 'fix/analyze-statement' ORDER BY started_at DESC;",
        chart: None,
    },
    Preset {
        id: "vibesql-regression-detection",
        group: "Branches",
        title: "Regression detection",
        description: "Average pass rate per branch.",
        sql: "SELECT branch_name, AVG(passed * 100.0 / total_files) as pass_rate
FROM test_runs GROUP BY branch_name;",
        chart: None,
    },
];

/// Presets for cosmo-sokol's build metadata: its documented queries, as written.
pub const COSMO_BUILD: &[Preset] = &[
    Preset {
        id: "cosmo-build-find-last-successful-build",
        group: "Builds",
        title: "Find last successful build",
        description: "The newest successful build with the commits of its three components.",
        sql: "SELECT b.*, 
       sv.commit_sha AS sokol_sha,
       cv.commit_sha AS cimgui_sha,
       pv.commit_sha AS cosmo_sha
FROM builds b
JOIN versions sv ON b.sokol_version_id = sv.id
JOIN versions cv ON b.cimgui_version_id = cv.id
JOIN versions pv ON b.cosmo_version_id = pv.id
WHERE b.status = 'success'
ORDER BY b.build_timestamp DESC
LIMIT 1;",
        chart: None,
    },
    Preset {
        id: "cosmo-build-get-all-stable-compatible-combinations",
        group: "Builds",
        title: "Get all stable compatible combinations",
        description: "Version combinations marked stable, newest first.",
        sql: "SELECT 
    sv.commit_sha AS sokol,
    cv.commit_sha AS cimgui,
    pv.commit_sha AS cosmo,
    c.verified_at
FROM compatibility c
JOIN versions sv ON c.sokol_version_id = sv.id
JOIN versions cv ON c.cimgui_version_id = cv.id
JOIN versions pv ON c.cosmo_version_id = pv.id
WHERE c.stability = 'stable'
ORDER BY c.verified_at DESC;",
        chart: None,
    },
    Preset {
        id: "cosmo-build-find-builds-that-failed-for-a-specific-component-version",
        group: "Builds",
        title: "Find builds that failed for a specific component version",
        description: "Failed builds of sokol commit a1b2c3d4…",
        sql: "SELECT b.*, b.error_message
FROM builds b
JOIN versions v ON b.sokol_version_id = v.id
WHERE v.commit_sha = 'a1b2c3d4e5f6789012345678901234567890abcd'
  AND b.status = 'failed';",
        chart: None,
    },
];

/// Presets for cosmo-sokol's test results: its documented queries, as written.
pub const COSMO_TESTS: &[Preset] = &[
    Preset {
        id: "cosmo-tests-find-regressions-tests-that-passed-before-but-now-fail",
        group: "Tests",
        title: "Find regressions: tests that passed before but now fail",
        description: "Tests failing in each platform's latest run that passed in the run before.",
        sql: "SELECT tr.test_name, tr.test_suite, 
       prev.outcome AS previous_outcome,
       tr.outcome AS current_outcome,
       tr.error_message,
       p.os, p.arch
FROM test_results tr
JOIN test_runs run ON tr.run_id = run.id
JOIN platforms p ON run.platform_id = p.id
JOIN test_results prev ON tr.test_name = prev.test_name
JOIN test_runs prev_run ON prev.run_id = prev_run.id
WHERE tr.outcome = 'fail' 
  AND prev.outcome = 'pass'
  AND prev_run.platform_id = run.platform_id
  AND prev_run.run_timestamp < run.run_timestamp
  AND run.id = (SELECT MAX(id) FROM test_runs WHERE platform_id = p.id)
  AND prev_run.id = (SELECT MAX(id) FROM test_runs WHERE platform_id = p.id AND id < run.id);",
        chart: None,
    },
    Preset {
        id: "cosmo-tests-test-pass-rate-by-platform",
        group: "Tests",
        title: "Test pass rate by platform",
        description: "Average run pass rate per platform.",
        sql: "SELECT p.os, p.arch, p.environment,
       COUNT(*) AS total_runs,
       ROUND(AVG(run.passed * 1.0 / run.total_tests) * 100, 2) AS avg_pass_rate_pct
FROM test_runs run
JOIN platforms p ON run.platform_id = p.id
WHERE run.total_tests > 0
GROUP BY p.id
ORDER BY avg_pass_rate_pct DESC;",
        chart: None,
    },
    Preset {
        id: "cosmo-tests-find-flaky-tests-different-outcomes-in-recent-runs-on-same-platform",
        group: "Tests",
        title: "Find flaky tests (different outcomes in recent runs on same platform)",
        description: "Tests with more than one outcome on a platform in the last seven days (from now).",
        sql: "SELECT test_name, platform_id,
       COUNT(DISTINCT outcome) AS outcome_variance,
       GROUP_CONCAT(DISTINCT outcome) AS outcomes
FROM test_results tr
JOIN test_runs run ON tr.run_id = run.id
WHERE run.run_timestamp > datetime('now', '-7 days')
GROUP BY test_name, platform_id
HAVING COUNT(DISTINCT outcome) > 1;",
        chart: None,
    },
    Preset {
        id: "cosmo-tests-last-working-commit-per-platform",
        group: "Tests",
        title: "Last working commit per platform",
        description: "The latest commit with no failure, on each platform.",
        sql: "SELECT p.os, p.arch, run.git_commit, run.run_timestamp
FROM test_runs run
JOIN platforms p ON run.platform_id = p.id
WHERE run.failed = 0 AND run.total_tests > 0
  AND run.run_timestamp = (
      SELECT MAX(r2.run_timestamp) 
      FROM test_runs r2 
      WHERE r2.platform_id = p.id AND r2.failed = 0
  )
ORDER BY p.os, p.arch;",
        chart: None,
    },
];

/// Presets for cosmo-sokol's artifact registry: its documented queries, as written.
pub const COSMO_ARTIFACTS: &[Preset] = &[
    Preset {
        id: "cosmo-artifacts-find-all-verified-platforms-for-an-artifact",
        group: "Artifacts",
        title: "Find all verified platforms for an artifact",
        description: "Where cosmo-sokol-demo.com is verified.",
        sql: "SELECT a.artifact_name, p.os, p.arch, pv.verified_at
FROM artifacts a
JOIN platform_verification pv ON a.id = pv.artifact_id
JOIN platforms p ON pv.platform_id = p.id  -- assumes platforms table accessible
WHERE a.artifact_name = 'cosmo-sokol-demo.com'
  AND pv.status = 'verified';",
        chart: None,
    },
    Preset {
        id: "cosmo-artifacts-list-all-artifacts-in-a-release-with-verification-status",
        group: "Artifacts",
        title: "List all artifacts in a release with verification status",
        description: "The artifacts of v0.1.0 and the platforms each is verified on.",
        sql: "SELECT r.tag, a.artifact_name, a.size_bytes, a.sha256,
       GROUP_CONCAT(p.os || '/' || p.arch) AS verified_platforms
FROM releases r
JOIN release_artifacts ra ON r.id = ra.release_id
JOIN artifacts a ON ra.artifact_id = a.id
LEFT JOIN platform_verification pv ON a.id = pv.artifact_id AND pv.status = 'verified'
LEFT JOIN platforms p ON pv.platform_id = p.id
WHERE r.tag = 'v0.1.0'
GROUP BY a.id;",
        chart: None,
    },
    Preset {
        id: "cosmo-artifacts-find-artifacts-missing-verification-on-any-active-platform",
        group: "Artifacts",
        title: "Find artifacts missing verification on any active platform",
        description: "Artifacts not verified, or untested, on an active platform.",
        sql: "SELECT a.artifact_name, a.sha256, p.os, p.arch
FROM artifacts a
CROSS JOIN platforms p
LEFT JOIN platform_verification pv ON a.id = pv.artifact_id AND p.id = pv.platform_id
WHERE p.active = 1
  AND (pv.id IS NULL OR pv.status = 'untested')
ORDER BY a.artifact_name, p.os;",
        chart: None,
    },
    Preset {
        id: "cosmo-artifacts-get-latest-release-with-full-artifact-manifest",
        group: "Artifacts",
        title: "Get latest release with full artifact manifest",
        description: "The newest full release with its artifacts as JSON.",
        sql: "SELECT r.tag, r.release_date, r.title,
       json_group_array(json_object(
           'name', a.artifact_name,
           'size', a.size_bytes,
           'sha256', a.sha256
       )) AS artifacts
FROM releases r
JOIN release_artifacts ra ON r.id = ra.release_id
JOIN artifacts a ON ra.artifact_id = a.id
WHERE r.prerelease = 0
GROUP BY r.id
ORDER BY r.release_date DESC
LIMIT 1;",
        chart: None,
    },
];

/// The cross-database query of the cosmo-sokol design, for its three databases attached as `build`, `test` and `artifact`.
pub const COSMO_PIPELINE: &[Preset] = &[Preset {
    id: "cosmo-full-build-test-artifact-pipeline-query",
    group: "Across databases",
    title: "Full build→test→artifact pipeline query",
    description: "Successful builds with their test results and artifacts, across the three databases.",
    sql: "SELECT 
    b.build_timestamp,
    b.status AS build_status,
    sv.commit_sha AS sokol,
    t.passed || '/' || t.total_tests AS test_result,
    a.artifact_name,
    a.sha256
FROM build.builds b
JOIN build.versions sv ON b.sokol_version_id = sv.id
LEFT JOIN test.test_runs t ON t.build_id = b.id
LEFT JOIN artifact.artifacts a ON a.build_id = b.id
WHERE b.status = 'success'
ORDER BY b.build_timestamp DESC;",
    chart: None,
}];

/// Presets that work on any database.
pub const GENERIC: &[Preset] = &[
    Preset {
        id: "schema",
        group: "Database",
        title: "Schema",
        description: "Every table, index, view and trigger with the SQL that made it.",
        sql: "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type DESC, name;",
        chart: None,
    },
    Preset {
        id: "sqlite-version",
        group: "Database",
        title: "SQLite version",
        description: "The SQLite library answering the queries.",
        sql: "SELECT sqlite_version() AS version, sqlite_source_id() AS source;",
        chart: None,
    },
];

/// The presets of a known schema.
pub fn for_schema(kind: SchemaKind) -> &'static [Preset] {
    match kind {
        SchemaKind::Greenboard => GREENBOARD,
        SchemaKind::VibeSql => VIBESQL,
        SchemaKind::CosmoTests => COSMO_TESTS,
        SchemaKind::CosmoBuild => COSMO_BUILD,
        SchemaKind::CosmoArtifacts => COSMO_ARTIFACTS,
        SchemaKind::CosmoPipeline => COSMO_PIPELINE,
        SchemaKind::Unknown => &[],
    }
}

/// The presets offered for a database in which `kinds` were recognised:
/// theirs, in that order, then the generic ones.
pub fn for_recognised(kinds: &[SchemaKind]) -> impl Iterator<Item = &'static Preset> {
    kinds.iter().flat_map(|k| for_schema(*k)).chain(GENERIC)
}

/// Every built-in preset.
pub fn all() -> impl Iterator<Item = &'static Preset> {
    [
        GREENBOARD,
        VIBESQL,
        COSMO_TESTS,
        COSMO_BUILD,
        COSMO_ARTIFACTS,
        COSMO_PIPELINE,
        GENERIC,
    ]
    .into_iter()
    .flatten()
}

/// A preset made for the data at hand (owned, unlike the built-in ones).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Made {
    /// Identifier (unique among the presets shown).
    pub id: String,
    /// Group.
    pub group: String,
    /// Title.
    pub title: String,
    /// What it answers.
    pub description: String,
    /// The SQL.
    pub sql: String,
}

impl From<&Preset> for Made {
    fn from(p: &Preset) -> Self {
        Made {
            id: p.id.to_string(),
            group: p.group.to_string(),
            title: p.title.to_string(),
            description: p.description.to_string(),
            sql: p.sql.to_string(),
        }
    }
}

/// An identifier quoted for SQL (always, so that any name works).
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `schema.table` quoted part by part (tables of attached databases are
/// named so in [`TableCount`]).
fn qualified(name: &str) -> String {
    match name.split_once('.') {
        Some((schema, table)) if crate::protocol::valid_schema_name(schema) => {
            format!("{}.{}", quoted(schema), quoted(table))
        }
        _ => quoted(name),
    }
}

/// Presets for any database, from its tables: their row counts, and the
/// first rows of each.
pub fn for_tables(tables: &[TableCount]) -> Vec<Made> {
    if tables.is_empty() {
        return Vec::new();
    }
    let counts = tables
        .iter()
        .map(|t| {
            format!(
                "SELECT '{}' AS \"table\", COUNT(*) AS \"rows\" FROM {}",
                t.name.replace('\'', "''"),
                qualified(&t.name)
            )
        })
        .collect::<Vec<_>>()
        .join("\nUNION ALL\n");
    let mut made = vec![Made {
        id: "table-rows".into(),
        group: "Tables".into(),
        title: "Rows per table".into(),
        description: "How many rows each table holds.".into(),
        sql: format!("{counts};"),
    }];
    made.extend(tables.iter().map(|t| Made {
        id: format!("table:{}", t.name),
        group: "Tables".into(),
        title: t.name.clone(),
        description: format!("The first 100 of its {} rows.", t.rows),
        sql: format!("SELECT * FROM {} LIMIT 100;", qualified(&t.name)),
    }));
    made
}

/// The preset with this id, in any schema.
pub fn find(id: &str) -> Option<&'static Preset> {
    all().find(|p| p.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_get_counts_and_samples() {
        let made = for_tables(&[
            TableCount {
                name: "my \"odd\" table".into(),
                rows: 3,
            },
            TableCount {
                name: "build.builds".into(),
                rows: 2,
            },
        ]);
        assert_eq!(made.len(), 3);
        assert_eq!(
            made[0].sql,
            "SELECT 'my \"odd\" table' AS \"table\", COUNT(*) AS \"rows\" FROM \"my \"\"odd\"\" table\"\nUNION ALL\nSELECT 'build.builds' AS \"table\", COUNT(*) AS \"rows\" FROM \"build\".\"builds\";"
        );
        assert_eq!(made[2].sql, "SELECT * FROM \"build\".\"builds\" LIMIT 100;");
        assert!(for_tables(&[]).is_empty());
    }

    #[test]
    fn ids_are_unique_and_charts_point_at_columns() {
        let all: Vec<_> = all().collect();
        for (i, p) in all.iter().enumerate() {
            assert!(
                all[i + 1..].iter().all(|q| q.id != p.id),
                "duplicate id {}",
                p.id
            );
            assert!(p.sql.trim_end().ends_with(';'), "{}", p.id);
        }
        assert!(find(BY_BRANCH).unwrap().chart.is_some());
        assert!(find(BY_PLATFORM).unwrap().sql.contains("p.environment"));
    }
}
