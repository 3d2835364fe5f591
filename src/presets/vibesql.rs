//! Presets for VibeSQL's SQLLogicTest results database (seed 003).

use super::{Chart, Preset};

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
        params: &[],
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
        params: &[],
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
        params: &[],
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
        params: &[],
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
        chart: Some(Chart::Spec("bar:x=branch_name,y=avg_pass_rate")),
        params: &[],
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
        params: &[],
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
        params: &[],
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
        params: &[],
    },
    Preset {
        id: "vibesql-recent-progress",
        group: "Progress",
        title: "Recent progress",
        description: "Passed and failed of the ten latest runs.",
        sql: "SELECT DATE(completed_at) as date, passed, failed
FROM test_runs ORDER BY date DESC LIMIT 10;",
        chart: None,
        params: &[],
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
        params: &[],
    },
    Preset {
        id: "vibesql-main-branch-health",
        group: "Branches",
        title: "Main branch health",
        description: "The ten latest runs on main.",
        sql: "SELECT * FROM test_runs WHERE branch_name = 'main' ORDER BY started_at DESC LIMIT 10;",
        chart: None,
        params: &[],
    },
    Preset {
        id: "vibesql-feature-branch-debugging",
        group: "Branches",
        title: "Feature branch debugging",
        description: "The runs of the fix/analyze-statement branch.",
        sql: "SELECT * FROM test_runs WHERE branch_name = 'fix/analyze-statement' ORDER BY started_at DESC;",
        chart: None,
        params: &[],
    },
    Preset {
        id: "vibesql-regression-detection",
        group: "Branches",
        title: "Regression detection",
        description: "Average pass rate per branch.",
        sql: "SELECT branch_name, AVG(passed * 100.0 / total_files) as pass_rate
FROM test_runs GROUP BY branch_name;",
        chart: None,
        params: &[],
    },
];
