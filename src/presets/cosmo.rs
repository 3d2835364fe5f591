//! Presets for cosmo-sokol's test, build and artifact databases (seed 000),
//! and the query across the three attached.

use super::{Chart, Preset};

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
        params: &[],
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
        params: &[],
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
        params: &[],
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
        params: &[],
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
        chart: Some(Chart::Spec("bar:x=os,y=avg_pass_rate_pct,series=arch")),
        params: &[],
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
        params: &[],
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
        params: &[],
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
        params: &[],
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
        params: &[],
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
        params: &[],
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
        params: &[],
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
    params: &[],
}];
