//! Presets for ggen's Tier 2 persistence database (seed 002): its "Query
//! Examples", as written. Three of them read the schema's views.

use super::Preset;

/// Presets for ggen's Tier 2 persistence database.
pub const GGEN_TIER2: &[Preset] = &[
    Preset {
        id: "ggen-find-recent-failures",
        group: "Executions",
        title: "Find recent failures",
        description: "The ten newest failed executions among the recent ones.",
        sql: "SELECT * FROM recent_executions
WHERE status = 'failed'
ORDER BY timestamp DESC
LIMIT 10;",
        chart: None,
        params: &[],
    },
    Preset {
        id: "ggen-agent-performance-statistics",
        group: "Executions",
        title: "Agent performance statistics",
        description: "Executions, successes, failures and durations per agent.",
        sql: "SELECT * FROM agent_performance_summary
ORDER BY successful_executions DESC;",
        chart: None,
        params: &[],
    },
    Preset {
        id: "ggen-pipeline-stage-bottlenecks",
        group: "Pipeline",
        title: "Pipeline stage bottlenecks",
        description: "Pipeline stages by average duration, slowest first.",
        sql: "SELECT * FROM pipeline_stage_performance
ORDER BY avg_duration_ms DESC;",
        chart: None,
        params: &[],
    },
    Preset {
        id: "ggen-slo-violations-by-metric",
        group: "Pipeline",
        title: "SLO violations by metric",
        description: "Violations of the last 7 days per metric, with the average measured value.",
        sql: "SELECT metric, COUNT(*) as violation_count, AVG(actual_value) as avg_value
FROM slo_violations
WHERE created_at > datetime('now', '-7 days')
GROUP BY metric
ORDER BY violation_count DESC;",
        chart: None,
        params: &[],
    },
    Preset {
        id: "ggen-collision-detection-summary",
        group: "Agents",
        title: "Collision detection summary",
        description: "Agent collisions of the last 24 hours by type and severity.",
        sql: "SELECT collision_type, severity, COUNT(*) as count
FROM collision_detection
WHERE timestamp > datetime('now', '-24 hours')
GROUP BY collision_type, severity;",
        chart: None,
        params: &[],
    },
];
