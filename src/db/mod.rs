//! The SQL core: everything that touches SQLite, for both targets.

pub mod attach;
pub mod catalog;
pub mod cursor;
pub mod dialect;
pub mod fast_insert;
pub mod guard;
pub mod history;
pub mod lazy;
pub mod load;
pub mod pages;
pub mod query;
pub mod signature;
pub mod summaries;

use rusqlite::Connection;

use crate::protocol::{LoadSummary, SchemaKind, ShippedPreset, TableCount};

/// The known schemas a database (`main`, or an attached one) follows.
pub fn schemas_in(conn: &Connection, schema: &str) -> Vec<SchemaKind> {
    let has = |table: &str, column: &str| -> bool {
        conn.query_row(
            "SELECT 1 FROM pragma_table_info(?1, ?2) WHERE name = ?3",
            [table, schema, column],
            |_| Ok(()),
        )
        .is_ok()
    };
    let mut kinds = Vec::new();
    let runs = has("test_runs", "platform_id")
        && has("test_runs", "passed")
        && has("test_results", "outcome")
        && has("platforms", "os");
    if runs && has("test_runs", "branch_name") {
        kinds.push(SchemaKind::Greenboard);
    } else if runs {
        kinds.push(SchemaKind::CosmoTests);
    }
    if has("test_files", "category")
        && has("test_runs", "total_files")
        && has("test_results", "file_path")
    {
        kinds.push(SchemaKind::VibeSql);
    }
    if has("versions", "commit_sha") && has("builds", "sokol_version_id") {
        kinds.push(SchemaKind::CosmoBuild);
    }
    if has("artifacts", "sha256") && has("platform_verification", "artifact_id") {
        kinds.push(SchemaKind::CosmoArtifacts);
    }
    if has("loops", "priority")
        && has("tests", "loop_id")
        && has("events", "event_type")
        && has("subscriptions", "event_types")
        && has("file_locks", "file_path")
    {
        kinds.push(SchemaKind::LoopCoordination);
    }
    if has("receipts", "execution_id")
        && has("slo_violations", "metric")
        && has("collision_detection", "collision_type")
        && has("recent_executions", "status")
        && has("agent_performance_summary", "successful_executions")
        && has("pipeline_stage_performance", "avg_duration_ms")
    {
        kinds.push(SchemaKind::GgenTier2);
    }
    if has("plugin_hook_executions", "hook")
        && has("creation_sessions", "total_chunks")
        && has("workspace_databases", "database_type")
        && has("workspace_apis", "api_type")
        && has("workspace_frameworks", "framework_type")
    {
        kinds.push(SchemaKind::Cortex);
    }
    kinds
}

/// Which known schema the main database follows (the first recognised).
pub fn detect_schema(conn: &Connection) -> SchemaKind {
    schemas_in(conn, "main")
        .first()
        .copied()
        .unwrap_or(SchemaKind::Unknown)
}

/// Every known schema, in the main database and then the attached ones.
pub fn recognised(conn: &Connection) -> Vec<SchemaKind> {
    let names: Vec<String> = conn
        .prepare("SELECT name FROM pragma_database_list WHERE name <> 'temp' ORDER BY seq")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .unwrap_or_default();
    let mut kinds: Vec<SchemaKind> = Vec::new();
    let mut by_name = Vec::new();
    for name in names {
        let found = schemas_in(conn, &name);
        for kind in &found {
            if !kinds.contains(kind) {
                kinds.push(*kind);
            }
        }
        by_name.push((name, found));
    }
    let attached =
        |name: &str, kind: SchemaKind| by_name.iter().any(|(n, k)| n == name && k.contains(&kind));
    if attached("build", SchemaKind::CosmoBuild)
        && (attached("test", SchemaKind::CosmoTests) || attached("test", SchemaKind::Greenboard))
        && attached("artifact", SchemaKind::CosmoArtifacts)
    {
        kinds.push(SchemaKind::CosmoPipeline);
    }
    kinds
}

/// Readies `conn` for greenboard's presets, as the explorer does: its SQL
/// functions ([`signature`]) and the summaries its data lacks
/// ([`summaries::provide`]).
pub fn prepare(conn: &Connection) -> rusqlite::Result<()> {
    signature::register(conn)?;
    summaries::provide(conn)
}

/// Rows in every ordinary table, by name; tables of attached databases
/// (and temporary ones) are named `schema.table`.
pub fn table_counts(conn: &Connection) -> rusqlite::Result<Vec<TableCount>> {
    let schemas: Vec<(String, String)> = conn
        .prepare("SELECT name, file FROM pragma_database_list ORDER BY seq")?
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get::<_, Option<String>>(1)?.unwrap_or_default(),
            ))
        })?
        .collect::<Result<_, _>>()?;
    let mut counts = Vec::new();
    for (schema, file) in schemas {
        let quoted = crate::export::sql::quote_identifier(&schema);
        // A database read over the network is not scanned to count its
        // rows: ANALYZE counted them (the web form has its statistics).
        let analysed = if lazy::reads(&file) {
            analysed_counts(conn, &quoted)
        } else {
            Default::default()
        };
        let names: Vec<String> = conn
            .prepare(&format!(
                "SELECT name FROM {quoted}.sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
                 AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name"
            ))?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        for name in names {
            let sql = format!(
                "SELECT count(*) FROM {quoted}.{}",
                crate::export::sql::quote_identifier(&name)
            );
            let rows: i64 = match analysed.get(&name) {
                Some(rows) => *rows,
                None => conn.query_row(&sql, [], |r| r.get(0))?,
            };
            counts.push(TableCount {
                name: if schema == "main" {
                    name
                } else {
                    format!("{schema}.{name}")
                },
                rows: rows as u64,
            });
        }
    }
    Ok(counts)
}

/// Rows per table of database `schema` (quoted) as `ANALYZE` counted
/// them (`sqlite_stat1`); none without statistics.
fn analysed_counts(conn: &Connection, schema: &str) -> std::collections::HashMap<String, i64> {
    let sql =
        format!("SELECT tbl, MAX(CAST(stat AS INTEGER)) FROM {schema}.sqlite_stat1 GROUP BY tbl");
    conn.prepare(&sql)
        .and_then(|mut s| {
            s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()
        })
        .unwrap_or_default()
}

/// Fills the parts of `summary` that describe the data in `conn` as it is
/// now: the row counts, the schemas recognised, the presets the data ships
/// and the catalog (`[]` when SQLite cannot write it: only the schema
/// browser and completion then lack names). The load's own figures stay.
pub fn describe(conn: &Connection, summary: &mut LoadSummary) -> rusqlite::Result<()> {
    summary.tables = table_counts(conn)?;
    summary.schema = detect_schema(conn);
    summary.recognised = recognised(conn);
    summary.presets = shipped_presets(conn);
    summary.catalog = catalog::catalog_json(conn).unwrap_or_else(|_| "[]".into());
    Ok(())
}

/// The presets a database carries in its `_greenboard_presets` table
/// (title, description, sql, chart, position), in order; none if there is
/// no such table. Rows without a title or SQL are passed over.
pub fn shipped_presets(conn: &Connection) -> Vec<ShippedPreset> {
    let Ok(mut stmt) = conn.prepare(
        "SELECT title, COALESCE(description, ''), sql, chart FROM _greenboard_presets
         WHERE title IS NOT NULL AND sql IS NOT NULL ORDER BY position, rowid",
    ) else {
        return Vec::new();
    };
    stmt.query_map([], |r| {
        Ok(ShippedPreset {
            title: r.get(0)?,
            description: r.get(1)?,
            sql: r.get(2)?,
            chart: r.get(3)?,
        })
    })
    .map(|rows| rows.filter_map(Result::ok).collect())
    .unwrap_or_default()
}

/// Default values, found in the data, for the parameters of the presets of
/// `kinds`: each parameter's `default` SQL's first value, as text (empty when
/// it gives no row or fails).
pub fn param_defaults(conn: &Connection, kinds: &[SchemaKind]) -> Vec<(&'static str, Vec<String>)> {
    crate::presets::for_recognised(kinds)
        .filter(|p| !p.params.is_empty())
        .map(|p| (p.id, defaults(conn, p)))
        .collect()
}

/// The defaults of a preset's parameters in the data at hand, in order.
pub fn defaults(conn: &Connection, preset: &crate::presets::Preset) -> Vec<String> {
    preset
        .params
        .iter()
        .map(|p| default_value(conn, p))
        .collect()
}

/// A parameter's default in the data at hand: the first value its `default`
/// SQL gives, as text; empty when it gives no row or fails.
pub fn default_value(conn: &Connection, param: &crate::presets::Param) -> String {
    query::run(conn, param.default)
        .ok()
        .and_then(|out| out.rows.into_iter().next())
        .and_then(|row| row.into_iter().next())
        .and_then(|cell| cell.display())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_presets_are_read_in_order() {
        let conn = Connection::open_in_memory().unwrap();
        assert!(shipped_presets(&conn).is_empty());
        conn.execute_batch(
            "CREATE TABLE _greenboard_presets(title TEXT, description TEXT, sql TEXT, chart TEXT, position INTEGER);
             INSERT INTO _greenboard_presets VALUES ('Second', NULL, 'SELECT 2', NULL, 2), ('First', 'one', 'SELECT 1', 'bar', 1), (NULL, 'x', 'SELECT 3', NULL, 0);",
        )
        .unwrap();
        let p = shipped_presets(&conn);
        assert_eq!(p.len(), 2);
        assert_eq!(
            (p[0].title.as_str(), p[0].chart.as_deref()),
            ("First", Some("bar"))
        );
        assert_eq!(
            (p[1].title.as_str(), p[1].description.as_str()),
            ("Second", "")
        );
    }
}
