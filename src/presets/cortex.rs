//! Presets for the CORTEX 2.0 database (seed 004): its "Validation
//! Queries", as written.

use super::Preset;

/// Presets for the CORTEX 2.0 database.
pub const CORTEX: &[Preset] = &[
    Preset {
        id: "cortex-confirm-new-tables",
        group: "Schema",
        title: "Confirm new tables",
        description: "Which of the tables CORTEX 2.0 adds are present.",
        sql: "SELECT name FROM sqlite_master WHERE type='table' AND name IN (
  'health_reports','maintenance_runs','creation_sessions','plugins',
  'workspace_databases','workspace_apis','workspace_frameworks'
);",
        chart: None,
        params: &[],
    },
    Preset {
        id: "cortex-recent-failed-plugin-executions",
        group: "Plugins",
        title: "Recent failed plugin executions",
        description: "The ten newest plugin hook runs that failed, with their errors.",
        sql: "SELECT plugin_id, hook, error_message, started_at
FROM plugin_hook_executions
WHERE status='failed'
ORDER BY started_at DESC
LIMIT 10;",
        chart: None,
        params: &[],
    },
    Preset {
        id: "cortex-incomplete-creation-sessions",
        group: "Plugins",
        title: "Incomplete creation sessions",
        description: "Chunked file creations not yet completed, newest first.",
        sql: "SELECT file_path, total_chunks, completed, failed, started_at
FROM creation_sessions
WHERE completed=0
ORDER BY started_at DESC;",
        chart: None,
        params: &[],
    },
    Preset {
        id: "cortex-discovered-databases-in-workspace",
        group: "Workspace",
        title: "Discovered databases in workspace",
        description: "Databases the crawler found, newest first.",
        sql: "SELECT database_type, host, database_name, table_count, 
       datetime(discovered_at, 'unixepoch') as discovered
FROM workspace_databases
ORDER BY discovered_at DESC;",
        chart: None,
        params: &[],
    },
    Preset {
        id: "cortex-discovered-apis-by-type",
        group: "Workspace",
        title: "Discovered APIs by type",
        description: "APIs verified in the last 30 days, by type and URL.",
        sql: "SELECT api_type, base_url, authentication_type,
       datetime(last_verified, 'unixepoch') as last_verified
FROM workspace_apis
WHERE last_verified > (strftime('%s', 'now') - 86400 * 30)  -- Last 30 days
ORDER BY api_type, base_url;",
        chart: None,
        params: &[],
    },
    Preset {
        id: "cortex-framework-inventory-with-component-counts",
        group: "Workspace",
        title: "Framework inventory with component counts",
        description: "Frameworks the crawler found, with their components and routes.",
        sql: "SELECT framework_type, version, components_count, routes_count,
       datetime(discovered_at, 'unixepoch') as discovered
FROM workspace_frameworks
ORDER BY framework_type;",
        chart: None,
        params: &[],
    },
];
