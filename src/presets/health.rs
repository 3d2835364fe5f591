//! The health of a branch: what broke, since when, what was fixed, what is
//! flaky by which rule, and what got slower. The SQL of the "Health"
//! presets (listed in [`super::GREENBOARD`]) and of their drill-downs.
//!
//! A platform's **latest run** on a branch is its run there with the
//! highest id (runs are stored in the order they ran); the **run before**
//! is the one before it on the same branch and platform. Failing means
//! `fail`, `error` or `timeout`.

use super::Param;

/// The branch a health preset looks at: `main` or `master` when the data
/// has one, else the branch with the most runs.
pub const BRANCH: Param = Param {
    name: "branch",
    default: "SELECT branch_name FROM test_runs WHERE branch_name IS NOT NULL
GROUP BY branch_name ORDER BY branch_name IN ('main', 'master') DESC, COUNT(*) DESC LIMIT 1",
};

/// Each platform's latest run on branch `?1` and the run before it there:
/// the first common table expression of the presets below.
macro_rules! latest_runs {
    () => {
        "WITH latest AS (
  SELECT platform_id, MAX(id) AS run_id,
         (SELECT MAX(b.id) FROM test_runs b WHERE b.platform_id = r.platform_id AND b.branch_name = ?1 AND b.id < MAX(r.id)) AS before_id
  FROM test_runs r WHERE branch_name = ?1 GROUP BY platform_id
)"
    };
}

/// What ongoing failures show of `failing` (a test, platform, its latest
/// run, last pass, failing runs and first failing run, and message).
macro_rules! ongoing_shown {
    () => {
        "SELECT s.test_name,
       p.os || '/' || p.arch || CASE WHEN p.environment <> 'native' THEN ' (' || p.environment || ')' ELSE '' END AS platform,
       s.runs AS failing_runs,
       ROUND(julianday(lr.run_timestamp) - julianday(fr.run_timestamp), 1) AS days,
       fr.git_commit AS first_failed_at, fr.id AS first_failed_run,
       pr.git_commit AS last_passed_at, pr.id AS last_passed_run,
       s.error_message
FROM streak s
JOIN test_runs lr ON lr.id = s.run_id
JOIN test_runs fr ON fr.id = s.first_run
LEFT JOIN test_runs pr ON pr.id = s.passed_run
JOIN platforms p ON p.id = s.platform_id
ORDER BY failing_runs DESC, platform, s.test_name;"
    };
}

/// Tests that fail in the latest run of a platform on the branch and passed
/// in the run before, with the commit that broke them.
pub const NEW_FAILURES: &str = concat!(
    latest_runs!(),
    "
SELECT t.test_name,
       p.os || '/' || p.arch || CASE WHEN p.environment <> 'native' THEN ' (' || p.environment || ')' ELSE '' END AS platform,
       t.outcome, r.git_commit AS broken_at, r.id AS run, br.git_commit AS passed_at, br.id AS run_before,
       t.error_message
FROM latest x
JOIN test_results t ON t.run_id = x.run_id AND t.outcome IN ('fail', 'error', 'timeout')
-- Both runs' results read by run, together (+: not by each test's index entry).
JOIN test_results b ON b.run_id = x.before_id AND +b.test_name = +t.test_name AND b.outcome = 'pass'
JOIN test_runs r ON r.id = x.run_id
JOIN test_runs br ON br.id = x.before_id
JOIN platforms p ON p.id = x.platform_id
ORDER BY platform, t.test_name;"
);

/// Tests that fail in the latest run of a platform on the branch and did
/// not pass in the run before: how many runs and days they have failed
/// since they last passed, where they first failed and where they last
/// passed.
pub const ONGOING_FAILURES: &str = concat!(
    latest_runs!(),
    ",
failing AS (
  SELECT l.platform_id, l.run_id, t.test_name, t.error_message,
         (SELECT o.run_id FROM test_results o CROSS JOIN test_runs r ON r.id = o.run_id
          WHERE o.test_name = t.test_name AND o.outcome = 'pass' AND r.platform_id = l.platform_id AND r.branch_name = ?1
          ORDER BY o.run_id DESC LIMIT 1) AS passed_run
  FROM latest l JOIN test_results t ON t.run_id = l.run_id AND t.outcome IN ('fail', 'error', 'timeout')
  WHERE NOT EXISTS (SELECT 1 FROM test_results b WHERE b.run_id = l.before_id AND b.test_name = t.test_name AND b.outcome = 'pass')
),
streak AS (
  SELECT f.test_name, f.platform_id, f.run_id, f.passed_run, f.error_message, COUNT(*) AS runs, MIN(r.id) AS first_run
  FROM failing f
  CROSS JOIN test_results o ON o.test_name = f.test_name AND o.outcome IN ('fail', 'error', 'timeout')
   AND o.run_id > COALESCE(f.passed_run, 0) AND o.run_id <= f.run_id
  CROSS JOIN test_runs r ON r.id = o.run_id AND r.platform_id = f.platform_id AND r.branch_name = ?1
  GROUP BY f.platform_id, f.test_name
)
",
    ongoing_shown!()
);

/// [`ONGOING_FAILURES`] with where each test stands read from
/// `summary_places` (its last pass, its failing runs and the first of
/// them) rather than from its every result: the same answer, in a few
/// pages of a database made for reading over HTTP (the latest runs'
/// results first, read together, then each failing test's place).
pub const ONGOING_FROM_SUMMARY: &str = concat!(
    latest_runs!(),
    ",
streak AS (
  SELECT l.platform_id, l.run_id, t.test_name, t.error_message, s.passed_run,
         s.failing_runs AS runs, s.failed_run AS first_run
  FROM latest l
  CROSS JOIN test_results t ON t.run_id = l.run_id AND t.outcome IN ('fail', 'error', 'timeout')
  CROSS JOIN summary_places s ON s.test_name = t.test_name AND s.platform_id = l.platform_id AND s.branch_name = ?1
  WHERE NOT EXISTS (SELECT 1 FROM test_results b WHERE b.run_id = l.before_id AND b.test_name = t.test_name AND b.outcome = 'pass')
)
",
    ongoing_shown!()
);

/// Tests that pass in the latest run of a platform on the branch and failed
/// in the run before, with the commit that fixed them.
pub const RECENTLY_FIXED: &str = concat!(
    latest_runs!(),
    "
SELECT t.test_name,
       p.os || '/' || p.arch || CASE WHEN p.environment <> 'native' THEN ' (' || p.environment || ')' ELSE '' END AS platform,
       r.git_commit AS fixed_at, r.id AS run, br.git_commit AS failed_at, br.id AS run_before,
       b.outcome AS was, b.error_message AS last_error
FROM latest x
JOIN test_results t ON t.run_id = x.run_id AND t.outcome = 'pass'
-- Both runs' results read by run, together (+: not by each test's index entry).
JOIN test_results b ON b.run_id = x.before_id AND +b.test_name = +t.test_name AND b.outcome IN ('fail', 'error', 'timeout')
JOIN test_runs r ON r.id = x.run_id
JOIN test_runs br ON br.id = x.before_id
JOIN platforms p ON p.id = x.platform_id
ORDER BY platform, t.test_name;"
);

/// How many recent runs rule (c) looks at.
pub const FLIP_RUNS: Param = Param {
    name: "runs",
    default: "SELECT 30",
};

/// Flaky tests by three rules, per test and platform, each row saying which
/// fired and its evidence, ordered by a score (3 per commit of rule a, 2
/// per run of rule b, 1 per flip of rule c):
/// - (a) passed and failed on the same commit and platform;
/// - (b) passed only on a retry within a run (`retry_count` > 0);
/// - (c) flipped between passing and failing at least twice in its last
///   `?1` decided runs on the platform and a branch.
pub const FLAKY_BY_RULE: &str = "WITH multi AS (
  SELECT platform_id, git_commit FROM test_runs GROUP BY platform_id, git_commit HAVING COUNT(*) > 1
),
same AS (
  SELECT t.test_name, r.platform_id, r.git_commit, MAX(r.id) AS last_run,
         group_concat(r.id, ', ' ORDER BY r.id) AS runs
  FROM multi m
  JOIN test_runs r ON r.platform_id = m.platform_id AND r.git_commit = m.git_commit
  JOIN test_results t ON t.run_id = r.id AND t.outcome <> 'skip'
  GROUP BY t.test_name, r.platform_id, r.git_commit
  HAVING MAX(t.outcome = 'pass') AND MAX(t.outcome <> 'pass')
),
a AS (
  -- The evidence is the latest such commit's (SQLite takes bare columns
  -- from the row of the MAX).
  SELECT test_name, platform_id, COUNT(*) AS n, MAX(last_run) AS last_run,
         'passed and failed on commit ' || substr(git_commit, 1, 8) || ' (runs ' || runs || ')' AS evidence
  FROM same GROUP BY test_name, platform_id
),
b AS (
  SELECT t.test_name, r.platform_id, COUNT(*) AS n,
         'passed on a retry in ' || COUNT(*) || ' run(s), last in run ' || MAX(r.id) AS evidence
  FROM test_results t JOIN test_runs r ON r.id = t.run_id
  WHERE t.outcome = 'pass' AND t.retry_count > 0
  GROUP BY t.test_name, r.platform_id
),
recent AS (
  SELECT t.test_name, r.platform_id, r.branch_name, t.outcome <> 'pass' AS failed,
         ROW_NUMBER() OVER (PARTITION BY t.test_name, r.platform_id, r.branch_name ORDER BY r.run_timestamp DESC, r.id DESC) AS age
  FROM test_results t JOIN test_runs r ON r.id = t.run_id
  WHERE t.outcome <> 'skip'
),
flips AS (
  SELECT test_name, platform_id, branch_name, COUNT(*) AS runs, SUM(failed <> prev) AS n
  FROM (SELECT *, LAG(failed) OVER (PARTITION BY test_name, platform_id, branch_name ORDER BY age DESC) AS prev
        FROM recent WHERE age <= CAST(?1 AS INTEGER))
  GROUP BY test_name, platform_id, branch_name
),
c AS (
  SELECT test_name, platform_id, MAX(n) AS n,
         MAX(n) || ' flips in its last ' || MAX(runs) || ' runs on ' || COALESCE(branch_name, 'no branch') AS evidence
  FROM flips WHERE n >= 2 GROUP BY test_name, platform_id
),
found AS (
  SELECT test_name, platform_id FROM a UNION SELECT test_name, platform_id FROM b UNION SELECT test_name, platform_id FROM c
)
SELECT f.test_name,
       p.os || '/' || p.arch || CASE WHEN p.environment <> 'native' THEN ' (' || p.environment || ')' ELSE '' END AS platform,
       3 * COALESCE(a.n, 0) + 2 * COALESCE(b.n, 0) + COALESCE(c.n, 0) AS score,
       trim(iif(a.n, 'a ', '') || iif(b.n, 'b ', '') || iif(c.n, 'c', '')) AS rules,
       rtrim(COALESCE(a.evidence || '; ', '') || COALESCE(b.evidence || '; ', '') || COALESCE(c.evidence, ''), '; ') AS evidence
FROM found f
LEFT JOIN a ON a.test_name = f.test_name AND a.platform_id = f.platform_id
LEFT JOIN b ON b.test_name = f.test_name AND b.platform_id = f.platform_id
LEFT JOIN c ON c.test_name = f.test_name AND c.platform_id = f.platform_id
JOIN platforms p ON p.id = f.platform_id
ORDER BY score DESC, f.test_name, platform;";

/// How many runs make each window of a duration regression.
pub const WINDOW: Param = Param {
    name: "runs",
    default: "SELECT 10",
};

/// How much slower (in %) a test must have got.
pub const GROWTH: Param = Param {
    name: "growth_pct",
    default: "SELECT 50",
};

/// Tests whose median duration (of passing runs) over their last `?2` runs
/// on a platform and branch `?1` grew by more than `?3` % over the `?2`
/// runs before (each window at least half full).
pub const DURATION_REGRESSIONS: &str = "WITH d AS (
  SELECT t.test_name, r.platform_id, t.duration_ms AS ms,
         ROW_NUMBER() OVER (PARTITION BY t.test_name, r.platform_id ORDER BY r.run_timestamp DESC, r.id DESC) AS age
  FROM test_results t JOIN test_runs r ON r.id = t.run_id
  WHERE r.branch_name = ?1 AND t.outcome = 'pass' AND t.duration_ms IS NOT NULL
),
w AS (
  SELECT test_name, platform_id, (age - 1) / CAST(?2 AS INTEGER) AS win, ms,
         ROW_NUMBER() OVER (PARTITION BY test_name, platform_id, (age - 1) / CAST(?2 AS INTEGER) ORDER BY ms) AS k,
         COUNT(*) OVER (PARTITION BY test_name, platform_id, (age - 1) / CAST(?2 AS INTEGER)) AS n
  FROM d WHERE age <= 2 * CAST(?2 AS INTEGER)
),
med AS (
  SELECT test_name, platform_id, win, AVG(ms) AS median
  FROM w WHERE 2 * n >= CAST(?2 AS INTEGER) AND k IN ((n + 1) / 2, (n + 2) / 2)
  GROUP BY test_name, platform_id, win
)
SELECT now.test_name,
       p.os || '/' || p.arch || CASE WHEN p.environment <> 'native' THEN ' (' || p.environment || ')' ELSE '' END AS platform,
       ?1 AS branch,
       ROUND(before.median) AS median_before_ms, ROUND(now.median) AS median_now_ms,
       ROUND(100.0 * (now.median / before.median - 1), 1) AS growth_pct
FROM med now
JOIN med before ON before.test_name = now.test_name AND before.platform_id = now.platform_id AND before.win = 1
JOIN platforms p ON p.id = now.platform_id
WHERE now.win = 0 AND now.median > before.median * (1 + CAST(?3 AS REAL) / 100.0)
ORDER BY growth_pct DESC, now.test_name, platform;";

/// Failures grouped by the signature of their error message
/// (`failure_signature`): how many, of how many tests, platforms and
/// branches, first and last seen.
pub const FAILURE_GROUPS: &str = "SELECT failure_signature(t.error_message) AS signature,
       COUNT(*) AS failures, COUNT(DISTINCT t.test_name) AS tests,
       COUNT(DISTINCT r.platform_id) AS platforms, COUNT(DISTINCT r.branch_name) AS branches,
       MIN(r.run_timestamp) AS first_seen, MAX(r.run_timestamp) AS last_seen
FROM test_results t JOIN test_runs r ON r.id = t.run_id
WHERE t.outcome IN ('fail', 'error', 'timeout') AND t.error_message IS NOT NULL
GROUP BY signature
ORDER BY failures DESC, signature;";

/// The failures of one signature (`?1`), latest first.
pub const DRILL_GROUP: &str = "SELECT r.run_timestamp, r.branch_name AS branch,
       p.os || '/' || p.arch AS platform, t.test_name, t.outcome, t.error_message
FROM test_results t
JOIN test_runs r ON r.id = t.run_id
JOIN platforms p ON p.id = r.platform_id
WHERE t.outcome IN ('fail', 'error', 'timeout') AND failure_signature(t.error_message) = ?1
ORDER BY r.run_timestamp DESC, r.id DESC, t.test_name;";

/// One test's durations (`?1`) when it passed among its latest 300
/// results (those of its strip), over time, per platform (on every
/// branch).
pub const DRILL_DURATIONS: &str = "SELECT r.run_timestamp,
       p.os || '/' || p.arch || CASE WHEN p.environment <> 'native' THEN ' (' || p.environment || ')' ELSE '' END AS platform,
       t.duration_ms
FROM (SELECT run_id, outcome, duration_ms FROM test_results
      WHERE test_name = ?1 ORDER BY run_id DESC LIMIT 300) t
JOIN test_runs r ON r.id = t.run_id
JOIN platforms p ON p.id = r.platform_id
WHERE t.outcome = 'pass' AND t.duration_ms IS NOT NULL
ORDER BY r.run_timestamp, r.id;";

/// The test a test's page shows: the one that failed most often.
pub const TEST: Param = Param {
    name: "test_name",
    default: "SELECT test_name FROM summary_tests WHERE failed > 0 ORDER BY failed DESC, test_name LIMIT 1",
};

/// The latest 300 results of one test (`?1`), oldest first, with their
/// runs: the page of a test draws its outcome strip from them (one row of
/// cells per platform and branch). Read from an index alone: the messages
/// of its failures are those of `test-messages` (each result's is a read
/// of the table, a page each over the network).
pub const TEST_RESULTS: &str = "SELECT r.id AS run, r.run_timestamp, r.git_commit,
       p.os || '/' || p.arch || CASE WHEN p.environment <> 'native' THEN ' (' || p.environment || ')' ELSE '' END
         || ' · ' || COALESCE(r.branch_name, 'no branch') AS platform_branch,
       t.outcome, t.retry_count, t.duration_ms, r.run_url
FROM (SELECT run_id, outcome, retry_count, duration_ms FROM test_results
      WHERE test_name = ?1 ORDER BY run_id DESC LIMIT 300) t
JOIN test_runs r ON r.id = t.run_id
JOIN platforms p ON p.id = r.platform_id
ORDER BY platform_branch, r.id;";

/// Where one test (`?1`) stands on each platform and branch: its latest
/// outcome; when it fails there, where it last passed and where it first
/// failed after that (commit, run and the run's URL); its runs, failures,
/// flips between passing and failing, passes on a retry, and skips. Skips
/// are not runs: a place where it was only skipped stands at `skip`. Read
/// from `summary_places` ([`crate::db::summaries`]).
pub const TEST_TIMELINE: &str = "SELECT p.os || '/' || p.arch || CASE WHEN p.environment <> 'native' THEN ' (' || p.environment || ')' ELSE '' END AS platform,
       s.branch_name AS branch, s.latest, s.failing_runs,
       s.last_passed_at, CASE WHEN s.failed_run IS NOT NULL THEN s.passed_run END AS last_passed_run, s.last_passed_url,
       s.first_failed_at, s.failed_run AS first_failed_run, s.first_failed_url,
       s.runs, s.failures, s.flips, s.passed_on_retry, s.skipped
FROM summary_places s
JOIN platforms p ON p.id = s.platform_id
WHERE s.test_name = ?1
ORDER BY s.failed_run IS NULL, s.latest = 'skip', platform, s.branch_name IS NULL, s.branch_name IN ('main', 'master') DESC, s.branch_name;";

/// One test's (`?1`) failures grouped by the signature of their message:
/// how many, where, first and last seen, and the latest message. Read from
/// `summary_messages` ([`crate::db::summaries`]).
pub const TEST_MESSAGES: &str =
    "SELECT signature, failures, platforms, branches, first_seen, last_seen, latest_message
FROM summary_messages
WHERE test_name = ?1
ORDER BY failures DESC, signature;";

/// The flakiest tests as the `flaky-by-rule` preset finds them over the
/// last 30 runs (its default), read from `summary_flaky`: what its health
/// tile counts.
pub const FLAKY_TILE: &str =
    "SELECT * FROM summary_flaky ORDER BY score DESC, test_name, platform;";

/// Duration regressions on branch `?1` of more than `?3` % over windows of
/// 10 runs (`?2`, the `duration-regressions` preset's default), read from
/// `summary_durations`: what its health tile counts.
pub const SLOWER_TILE: &str = "SELECT d.test_name,
       p.os || '/' || p.arch || CASE WHEN p.environment <> 'native' THEN ' (' || p.environment || ')' ELSE '' END AS platform,
       d.branch_name AS branch,
       ROUND(d.median_before_ms) AS median_before_ms, ROUND(d.median_now_ms) AS median_now_ms,
       ROUND(100.0 * (d.median_now_ms / d.median_before_ms - 1), 1) AS growth_pct
FROM summary_durations d
JOIN platforms p ON p.id = d.platform_id
WHERE d.branch_name = ?1 AND CAST(?2 AS INTEGER) = 10
  AND d.median_now_ms > d.median_before_ms * (1 + CAST(?3 AS REAL) / 100.0)
ORDER BY growth_pct DESC, d.test_name, platform;";
