//! Presets for greenboard's own schema (see `src/schema.sql`): pass rates by
//! branch and platform, trends, flaky tests, regressions.

use super::{Chart, Param, Preset, health};

/// The dashboard's headline: runs, tests, overall pass rate, date range
/// (from the summaries of runs and of tests).
pub const HEADLINE_SQL: &str = "SELECT
  (SELECT COALESCE(SUM(runs), 0) FROM summary_runs) AS runs,
  (SELECT COUNT(*) FROM summary_tests) AS tests,
  (SELECT ROUND(100.0 * SUM(passed) / NULLIF(SUM(decided), 0), 2) FROM summary_runs) AS pass_rate_pct,
  (SELECT MIN(first_run) FROM summary_runs) AS first_run,
  (SELECT MAX(last_run) FROM summary_runs) AS last_run,
  (SELECT COUNT(DISTINCT branch_name) FROM summary_runs) AS branches,
  (SELECT COUNT(DISTINCT platform_id) FROM summary_runs) AS platforms;";

/// The preset charted on the dashboard as "pass rate by branch".
pub const BY_BRANCH: &str = "pass-rate-by-branch";
/// The preset charted on the dashboard as "pass rate by platform".
pub const BY_PLATFORM: &str = "pass-rate-by-platform";

/// The SQL of [`BY_BRANCH`] (from the summary of runs).
pub const BY_BRANCH_SQL: &str = "SELECT branch_name AS branch,
       SUM(runs) AS runs,
       ROUND(100.0 * SUM(passed) / NULLIF(SUM(decided), 0), 2) AS pass_rate_pct
FROM summary_runs
GROUP BY branch_name
ORDER BY pass_rate_pct DESC, branch;";

/// The SQL of [`BY_PLATFORM`]: a bar per platform as labelled (os/arch,
/// and the environment unless native), as its drill-down selects, so that
/// platforms differing only in OS version are one bar, not two alike
/// (from the summary of runs).
pub const BY_PLATFORM_SQL: &str = "SELECT p.os || '/' || p.arch || CASE WHEN p.environment <> 'native' THEN ' (' || p.environment || ')' ELSE '' END AS platform,
       SUM(r.runs) AS runs,
       ROUND(100.0 * SUM(r.passed) / NULLIF(SUM(r.decided), 0), 2) AS pass_rate_pct
FROM summary_runs r JOIN platforms p ON p.id = r.platform_id
GROUP BY platform
ORDER BY pass_rate_pct DESC, platform;";

/// The dashboard's queries: their answers are remembered with data kept in
/// the browser (the SQLite worker knows them by these, not by the presets).
pub const DASHBOARD_SQL: [&str; 3] = [BY_BRANCH_SQL, BY_PLATFORM_SQL, HEADLINE_SQL];

/// Presets for greenboard's own schema, in the order they are listed.
pub const GREENBOARD: &[Preset] = &[
    Preset {
        id: BY_BRANCH,
        group: "Pass rates",
        title: "Pass rate by branch",
        description: "Share of decided tests that passed, per branch, over all runs.",
        sql: BY_BRANCH_SQL,
        chart: Some(Chart::PercentBars { value: 2 }),
        params: &[],
    },
    Preset {
        id: BY_PLATFORM,
        group: "Pass rates",
        title: "Pass rate by platform",
        description: "Share of decided tests that passed, per platform, over all runs.",
        sql: BY_PLATFORM_SQL,
        chart: Some(Chart::PercentBars { value: 2 }),
        params: &[],
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
        chart: Some(Chart::Spec("heatmap:x=platform,y=pass_rate_pct,series=branch")),
        params: &[],
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
        chart: Some(Chart::Spec("line:x=week,y=pass_rate_pct,series=branch")),
        params: &[],
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
        params: &[],
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
        params: &[],
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
        params: &[],
    },
    Preset {
        id: "new-failures",
        group: "Health",
        title: "New failures",
        description: "Tests failing in each platform's latest run on the branch that passed in the run before, with the commit that broke them.",
        sql: health::NEW_FAILURES,
        chart: None,
        params: &[health::BRANCH],
    },
    Preset {
        id: "ongoing-failures",
        group: "Health",
        title: "Ongoing failures",
        description: "Tests still failing in each platform's latest run on the branch: for how many runs and days, where they first failed and last passed.",
        sql: health::ONGOING_FAILURES,
        chart: Some(Chart::Spec("bar:x=test_name,y=days,series=platform,agg=max")),
        params: &[health::BRANCH],
    },
    Preset {
        id: "recently-fixed",
        group: "Health",
        title: "Recently fixed",
        description: "Tests passing in each platform's latest run on the branch that failed in the run before, with the commit that fixed them.",
        sql: health::RECENTLY_FIXED,
        chart: None,
        params: &[health::BRANCH],
    },
    Preset {
        id: "flaky-by-rule",
        group: "Health",
        title: "Flakiest tests, by rule",
        description: "Tests that (a) passed and failed on one commit and platform, (b) passed only on a retry, or (c) flipped at least twice in their last N runs; each with the rules that fired, the evidence and a score (3 a commit of a, 2 a run of b, 1 a flip of c).",
        sql: health::FLAKY_BY_RULE,
        chart: Some(Chart::Spec("bar:x=test_name,y=score,series=platform")),
        params: &[health::FLIP_RUNS],
    },
    Preset {
        id: "duration-regressions",
        group: "Health",
        title: "Duration regressions",
        description: "Tests whose median duration over their last N passing runs on a platform of the branch grew by more than the given % over the N runs before.",
        sql: health::DURATION_REGRESSIONS,
        chart: Some(Chart::Spec("bar:x=test_name,y=growth_pct,series=platform,agg=max")),
        params: &[health::BRANCH, health::WINDOW, health::GROWTH],
    },
    Preset {
        id: "failure-groups",
        group: "Health",
        title: "Failure groups",
        description: "Failures grouped by the signature of their error message (numbers, ids, times, paths and quoted values taken out): how many, in how many tests, platforms and branches, first and last seen.",
        sql: health::FAILURE_GROUPS,
        chart: Some(Chart::Spec("bar:x=signature,y=failures")),
        params: &[],
    },
    Preset {
        id: "test-timeline",
        group: "A test",
        title: "Where a test started failing",
        description: "One test on each platform and branch: its latest outcome; when it fails, where it last passed and first failed (commit, run, link); its runs, failures, flips and passes on a retry.",
        sql: health::TEST_TIMELINE,
        chart: None,
        params: &[health::TEST],
    },
    Preset {
        id: "test-results",
        group: "A test",
        title: "A test's results",
        description: "The latest 300 results of one test, oldest first, as an outcome strip per platform and branch.",
        sql: health::TEST_RESULTS,
        chart: Some(Chart::Spec("strip:x=run,y=outcome,series=platform_branch")),
        params: &[health::TEST],
    },
    Preset {
        id: "test-durations",
        group: "A test",
        title: "A test's durations",
        description: "One test's durations when it passed among its latest 300 results, over time, per platform (every branch).",
        sql: health::DRILL_DURATIONS,
        chart: Some(Chart::Spec("line:x=run_timestamp,y=duration_ms,series=platform,agg=max")),
        params: &[health::TEST],
    },
    Preset {
        id: "test-messages",
        group: "A test",
        title: "A test's failures by signature",
        description: "One test's failures grouped by the signature of their message: how many, where, first and last seen, the latest message.",
        sql: health::TEST_MESSAGES,
        chart: None,
        params: &[health::TEST],
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
        params: &[],
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
        params: &[],
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
        params: &[],
    },
    Preset {
        id: "failures-by-suite",
        group: "Failures",
        title: "Failures by suite",
        description: "Failed, errored and timed-out results per suite, with the share of its results.",
        sql: "SELECT suite,
       SUM(failed) AS failures,
       SUM(results) AS results,
       ROUND(100.0 * SUM(failed) / SUM(results), 2) AS failure_pct
FROM summary_daily
GROUP BY suite
ORDER BY failures DESC, suite;",
        chart: Some(Chart::Spec("bar:x=suite,y=failures")),
        params: &[],
    },
    Preset {
        id: "flaky-tests",
        group: "Flaky tests",
        title: "Flaky tests",
        description: "Tests whose outcome flips between consecutive runs on the same branch and platform, by flip rate, with their last 20 outcomes (✓ pass, ✗ fail, · skip; oldest first).",
        sql: "WITH seq AS (
  SELECT t.test_name, r.branch_name, r.platform_id, t.outcome,
         LAG(t.outcome) OVER (PARTITION BY t.test_name, r.branch_name, r.platform_id
                              ORDER BY r.run_timestamp, r.id) AS prev
  FROM test_results t JOIN test_runs r ON r.id = t.run_id
  WHERE t.outcome <> 'skip'
),
flaky AS (
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
  LIMIT 50
)
SELECT f.*,
       (SELECT group_concat(CASE outcome WHEN 'pass' THEN '✓' WHEN 'skip' THEN '·' ELSE '✗' END, '' ORDER BY ts, id)
        FROM (SELECT t.outcome, r.run_timestamp AS ts, r.id
              FROM test_results t JOIN test_runs r ON r.id = t.run_id
              WHERE t.test_name = f.test_name
              ORDER BY r.run_timestamp DESC, r.id DESC
              LIMIT 20)) AS last_20
FROM flaky f
ORDER BY flip_rate_pct DESC, test_name;",
        chart: Some(Chart::Spec("bar:x=test_name,y=flip_rate_pct")),
        params: &[],
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
        params: &[],
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
        params: &[],
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
        chart: Some(Chart::Spec("bar:x=test_name,y=avg_ms")),
        params: &[],
    },
    Preset {
        id: "duration-trend-by-suite",
        group: "Durations",
        title: "Duration trend per suite",
        description: "Average test duration of each suite, week by week (timeouts left out).",
        sql: "SELECT date(r.run_timestamp, 'weekday 1', '-7 days') AS week,
       t.test_suite AS suite,
       ROUND(AVG(t.duration_ms)) AS avg_ms
FROM test_results t JOIN test_runs r ON r.id = t.run_id
WHERE t.duration_ms IS NOT NULL AND t.outcome <> 'timeout'
GROUP BY week, suite
ORDER BY week, suite;",
        chart: Some(Chart::Spec("line:x=week,y=avg_ms,series=suite")),
        params: &[],
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
        params: &[],
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
        params: &[],
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
        params: &[],
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
        params: &[],
    },
    Preset {
        id: "run-diff-summary",
        group: "Run diff",
        title: "Run against run: summary",
        description: "How many tests newly fail, were fixed, still fail or are newly skipped in one run against another (default: the latest run on main and the one before it on the same platform).",
        sql: "WITH base AS (SELECT test_name, outcome FROM test_results WHERE run_id = ?1),
     head AS (SELECT test_name, outcome, error_message FROM test_results WHERE run_id = ?2),
     diff AS (
  SELECT CASE
           WHEN h.outcome IN ('fail', 'error', 'timeout') THEN
             CASE WHEN b.outcome IN ('fail', 'error', 'timeout') THEN 'still failing' ELSE 'new failure' END
           WHEN h.outcome = 'pass' AND b.outcome IN ('fail', 'error', 'timeout') THEN 'fixed'
           WHEN h.outcome = 'skip' AND b.outcome IS NOT 'skip' THEN 'newly skipped'
         END AS change,
         h.test_name, b.outcome AS before, h.outcome AS after, h.error_message
  FROM head h LEFT JOIN base b ON b.test_name = h.test_name
)
SELECT k.change, COUNT(d.test_name) AS tests
FROM (SELECT 1 AS o, 'new failure' AS change UNION ALL SELECT 2, 'fixed'
      UNION ALL SELECT 3, 'still failing' UNION ALL SELECT 4, 'newly skipped') k
LEFT JOIN diff d ON d.change = k.change
GROUP BY k.o
ORDER BY k.o;",
        chart: Some(Chart::Spec("bar:x=change,y=tests")),
        params: RUN_DIFF_PARAMS,
    },
    Preset {
        id: "run-diff",
        group: "Run diff",
        title: "Run against run: tests",
        description: "The tests that newly fail, were fixed, still fail or are newly skipped in one run against another, with their messages.",
        sql: "WITH base AS (SELECT test_name, outcome FROM test_results WHERE run_id = ?1),
     head AS (SELECT test_name, outcome, error_message FROM test_results WHERE run_id = ?2),
     diff AS (
  SELECT CASE
           WHEN h.outcome IN ('fail', 'error', 'timeout') THEN
             CASE WHEN b.outcome IN ('fail', 'error', 'timeout') THEN 'still failing' ELSE 'new failure' END
           WHEN h.outcome = 'pass' AND b.outcome IN ('fail', 'error', 'timeout') THEN 'fixed'
           WHEN h.outcome = 'skip' AND b.outcome IS NOT 'skip' THEN 'newly skipped'
         END AS change,
         h.test_name, b.outcome AS before, h.outcome AS after, h.error_message
  FROM head h LEFT JOIN base b ON b.test_name = h.test_name
)
SELECT change, test_name, before, after, error_message
FROM diff
WHERE change IS NOT NULL
ORDER BY CASE change WHEN 'new failure' THEN 1 WHEN 'fixed' THEN 2 WHEN 'still failing' THEN 3 ELSE 4 END,
         test_name;",
        chart: None,
        params: RUN_DIFF_PARAMS,
    },
    Preset {
        id: "runs",
        group: "Run diff",
        title: "Runs to compare",
        description: "The latest 100 runs with their id, branch, platform, commit and counts.",
        sql: "SELECT r.id, r.run_timestamp, r.branch_name AS branch,
       p.os || '/' || p.arch AS platform, substr(r.git_commit, 1, 10) AS git_commit,
       r.passed, r.failed, r.skipped
FROM test_runs r JOIN platforms p ON p.id = r.platform_id
ORDER BY r.run_timestamp DESC, r.id DESC
LIMIT 100;",
        chart: None,
        params: &[],
    },
];

/// The two runs compared by the run diff: the one before (base) and the one
/// after (head). By default, the latest run on main (or the latest run when
/// there is no main) against the run before it on the same branch and
/// platform.
const RUN_DIFF_PARAMS: &[Param] = &[
    Param {
        name: "base_run",
        default: "SELECT r.id FROM test_runs r,
  (SELECT branch_name AS b, platform_id AS p FROM test_runs
   ORDER BY branch_name = 'main' DESC, run_timestamp DESC, id DESC LIMIT 1) h
WHERE r.branch_name IS h.b AND r.platform_id = h.p
ORDER BY r.run_timestamp DESC, r.id DESC LIMIT 1 OFFSET 1",
    },
    Param {
        name: "head_run",
        default: "SELECT id FROM test_runs ORDER BY branch_name = 'main' DESC, run_timestamp DESC, id DESC LIMIT 1",
    },
];

/// What the run diff checks of the two runs it is given, before it runs:
/// a run that does not exist is an error (the diff does not run); runs of
/// different platforms or branches are compared, with a warning that says
/// what differs. Rows of (`error` or `warning`, the words).
pub const RUN_DIFF_CHECK: &str = "WITH asked(role, id) AS (VALUES ('base_run', ?1), ('head_run', ?2)),
     run AS (
  SELECT a.role, a.id, r.id AS found, r.branch_name AS branch, p.os || '/' || p.arch AS platform,
         substr(r.git_commit, 1, 10) AS git_commit
  FROM asked a LEFT JOIN test_runs r ON r.id = a.id LEFT JOIN platforms p ON p.id = r.platform_id
)
SELECT 'error', 'There is no run ' || quote(id) || ' (' || role || '): choose one from \"Runs to compare\".'
FROM run WHERE found IS NULL
UNION ALL
SELECT 'warning', 'The runs are on different platforms: run ' || b.found || ' on ' || b.platform
       || ', run ' || h.found || ' on ' || h.platform || '. A difference may come from the platform, not from the change.'
FROM run b, run h WHERE b.role = 'base_run' AND h.role = 'head_run' AND b.platform IS NOT h.platform
  AND b.found IS NOT NULL AND h.found IS NOT NULL
UNION ALL
SELECT 'warning', 'The runs are on different branches: run ' || b.found || ' on ' || coalesce(b.branch, '(none)')
       || ', run ' || h.found || ' on ' || coalesce(h.branch, '(none)') || '.'
FROM run b, run h WHERE b.role = 'base_run' AND h.role = 'head_run' AND b.branch IS NOT h.branch
  AND b.found IS NOT NULL AND h.found IS NOT NULL;";

/// Presets checked before they run (see [`RUN_DIFF_CHECK`]), by id.
pub const CHECKS: &[(&str, &str)] = &[
    ("run-diff-summary", RUN_DIFF_CHECK),
    ("run-diff", RUN_DIFF_CHECK),
];

/// The dashboard's drill-downs (a bar of pass rate by branch or platform
/// clicked), kept apart so that the page has them without the presets.
pub const DASHBOARD_DRILLS: [(&str, &str); 2] =
    [(BY_BRANCH, DRILL_BRANCH), (BY_PLATFORM, DRILL_PLATFORM)];

/// What clicking a mark of a preset's chart runs: SQL whose `?1` is the
/// mark's x value, `?2` its series (empty when none), and `?3`, `?4`, … the
/// preset's own parameters. By preset id.
pub const DRILLS: &[(&str, &str)] = &[
    (BY_BRANCH, DRILL_BRANCH),
    ("weekly-trend-by-branch", "SELECT t.test_name, t.test_suite AS suite, COUNT(*) AS failures, t.error_message AS last_error
FROM test_results t JOIN test_runs r ON r.id = t.run_id
WHERE date(r.run_timestamp, 'weekday 1', '-7 days') = ?1 AND r.branch_name = ?2
  AND t.outcome IN ('fail', 'error', 'timeout')
GROUP BY t.test_name
ORDER BY failures DESC, t.test_name;"),
    (BY_PLATFORM, DRILL_PLATFORM),
    ("branch-x-platform", "SELECT t.test_name, t.test_suite AS suite, COUNT(*) AS failures, MAX(r.run_timestamp) AS last_failed, t.error_message AS last_error
FROM test_results t
JOIN test_runs r ON r.id = t.run_id
JOIN platforms p ON p.id = r.platform_id
WHERE p.os || '/' || p.arch || CASE WHEN p.environment <> 'native' THEN ' (' || p.environment || ')' ELSE '' END = ?1
  AND r.branch_name = ?2
  AND t.outcome IN ('fail', 'error', 'timeout')
GROUP BY t.test_name
ORDER BY failures DESC, t.test_name;"),
    ("failures-by-suite", "SELECT t.test_name, COUNT(*) AS failures, MAX(r.run_timestamp) AS last_failed, t.error_message AS last_error
FROM test_results t JOIN test_runs r ON r.id = t.run_id
WHERE t.test_suite = ?1 AND t.outcome IN ('fail', 'error', 'timeout')
GROUP BY t.test_name
ORDER BY failures DESC, t.test_name;"),
    ("flaky-tests", DRILL_TEST),
    ("flaky-by-rule", DRILL_TEST),
    ("ongoing-failures", DRILL_TEST),
    ("duration-regressions", health::DRILL_DURATIONS),
    ("failure-groups", health::DRILL_GROUP),
    ("slowest-tests", DRILL_TEST),
    ("run-diff-summary", "WITH base AS (SELECT test_name, outcome FROM test_results WHERE run_id = ?3),
     head AS (SELECT test_name, outcome, error_message FROM test_results WHERE run_id = ?4)
SELECT h.test_name, b.outcome AS before, h.outcome AS after, h.error_message
FROM head h LEFT JOIN base b ON b.test_name = h.test_name
WHERE ?1 = CASE
    WHEN h.outcome IN ('fail', 'error', 'timeout') THEN
      CASE WHEN b.outcome IN ('fail', 'error', 'timeout') THEN 'still failing' ELSE 'new failure' END
    WHEN h.outcome = 'pass' AND b.outcome IN ('fail', 'error', 'timeout') THEN 'fixed'
    WHEN h.outcome = 'skip' AND b.outcome IS NOT 'skip' THEN 'newly skipped'
  END
ORDER BY h.test_name;"),
];

/// Health tiles that read a summary rather than run their preset: the
/// preset's answer at its default parameters (see
/// [`crate::db::summaries`]), and whether it is read so only where the
/// summaries are stored tables (elsewhere they are views over the results,
/// and the preset reads fewer of them than the view would).
pub const TILES: &[(&str, &str, bool)] = &[
    ("flaky-by-rule", health::FLAKY_TILE, false),
    ("duration-regressions", health::SLOWER_TILE, false),
    ("ongoing-failures", health::ONGOING_FROM_SUMMARY, true),
];

/// The failing tests of one branch, most often first.
const DRILL_BRANCH: &str = "SELECT t.test_name, t.test_suite AS suite, COUNT(*) AS failures, MAX(r.run_timestamp) AS last_failed, t.error_message AS last_error
FROM test_results t JOIN test_runs r ON r.id = t.run_id
WHERE r.branch_name = ?1 AND t.outcome IN ('fail', 'error', 'timeout')
GROUP BY t.test_name
ORDER BY failures DESC, t.test_name;";

/// The failing tests of one platform, most often first.
const DRILL_PLATFORM: &str = "SELECT t.test_name, t.test_suite AS suite, COUNT(*) AS failures, MAX(r.run_timestamp) AS last_failed, t.error_message AS last_error
FROM test_results t
JOIN test_runs r ON r.id = t.run_id
JOIN platforms p ON p.id = r.platform_id
WHERE p.os || '/' || p.arch || CASE WHEN p.environment <> 'native' THEN ' (' || p.environment || ')' ELSE '' END = ?1
  AND t.outcome IN ('fail', 'error', 'timeout')
GROUP BY t.test_name
ORDER BY failures DESC, t.test_name;";

/// One test's latest 50 results, with where and how it ran.
const DRILL_TEST: &str =
    "SELECT r.run_timestamp, r.branch_name AS branch, p.os || '/' || p.arch AS platform,
       t.outcome, t.duration_ms, t.retry_count, t.error_message
FROM test_results t
JOIN test_runs r ON r.id = t.run_id
JOIN platforms p ON p.id = r.platform_id
WHERE t.test_name = ?1
ORDER BY r.run_timestamp DESC, r.id DESC
LIMIT 50;";
