//! The SQL core: everything that touches SQLite, for both targets.

pub mod attach;
pub mod cursor;
pub mod history;
pub mod load;
pub mod query;

use rusqlite::Connection;

use crate::protocol::{SchemaKind, TableCount};

/// Which known schema the database in `conn` follows.
pub fn detect_schema(conn: &Connection) -> SchemaKind {
    let has = |table: &str, column: &str| -> bool {
        conn.query_row(
            "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2",
            [table, column],
            |_| Ok(()),
        )
        .is_ok()
    };
    if has("test_runs", "branch_name")
        && has("test_runs", "platform_id")
        && has("test_runs", "passed")
        && has("test_results", "outcome")
        && has("platforms", "os")
    {
        SchemaKind::Greenboard
    } else {
        SchemaKind::Unknown
    }
}

/// Rows in every ordinary table, by name; tables of attached databases are
/// named `schema.table`.
pub fn table_counts(conn: &Connection) -> rusqlite::Result<Vec<TableCount>> {
    let schemas: Vec<String> = conn
        .prepare("SELECT name FROM pragma_database_list WHERE name <> 'temp' ORDER BY seq")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut counts = Vec::new();
    for schema in schemas {
        let quoted = crate::export::sql::quote_identifier(&schema);
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
            let rows: i64 = conn.query_row(&sql, [], |r| r.get(0))?;
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
