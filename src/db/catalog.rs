//! The catalog of the loaded data: every table and view of every database
//! (main and attached), with columns, declared types, keys and indexes. It
//! feeds the schema browser and the editor's completion.
//!
//! SQLite writes it, as JSON, in one query over its schema pragmas (each
//! nested list passes through `json()`, or it would arrive as a string): the
//! worker ships the text as it is, and its code stays small (the page's
//! first load has a size budget).

use rusqlite::Connection;

/// The query: a JSON array of [`crate::protocol::Relation`]s (without row
/// counts), by database (`main` first, then `temp` when it holds anything
/// the user created, then the attached ones in the order attached) and name. SQLite's own tables and the shadow tables behind
/// virtual tables are left out.
const CATALOG_SQL: &str = "SELECT json_group_array(json_object(
  'schema', t.schema, 'name', t.name,
  'kind', CASE t.type WHEN 'view' THEN 'View' WHEN 'virtual' THEN 'Virtual' ELSE 'Table' END,
  'columns', json((SELECT json_group_array(json_object('name', c.name, 'decl_type', c.type, 'pk', c.pk,
                'not_null', json(iif(c.\"notnull\", 'true', 'false'))))
              FROM pragma_table_info(t.name, t.schema) c)),
  'foreign_keys', json((SELECT json_group_array(json_object('from', json(f.froms), 'table', f.target, 'to', json(f.tos)))
                   FROM (SELECT \"table\" AS target, json_group_array(\"from\") AS froms,
                                json_group_array(\"to\") FILTER (WHERE \"to\" IS NOT NULL) AS tos
                         FROM pragma_foreign_key_list(t.name, t.schema) GROUP BY id ORDER BY id) f)),
  'indexes', json((SELECT json_group_array(json_object('name', i.name, 'unique', json(iif(i.\"unique\", 'true', 'false')),
                'origin', i.origin,
                'columns', json((SELECT json_group_array(coalesce(x.name, '')) FROM pragma_index_info(i.name, t.schema) x))))
              FROM (SELECT * FROM pragma_index_list(t.name, t.schema) ORDER BY name) i))))
FROM (SELECT t.* FROM pragma_table_list t JOIN pragma_database_list d ON d.name = t.schema
      WHERE t.type IN ('table', 'view', 'virtual')
        AND t.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
      ORDER BY d.seq, t.name) t";

/// The catalog as JSON text (see [`CATALOG_SQL`]).
pub fn catalog_json(conn: &Connection) -> rusqlite::Result<String> {
    conn.query_row(CATALOG_SQL, [], |r| r.get(0))
}
