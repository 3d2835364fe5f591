//! Preset queries: a title, a one-line description, the SQL, and for some a
//! chart. Pure data, shared by the browser and the command line.
//!
//! Pass rates count only decided outcomes: `passed / (passed + failed)`,
//! skipped tests left out (`failed` includes errors and timeouts).

use serde::{Deserialize, Serialize};

use crate::protocol::{SchemaKind, TableCount};

mod coordination;
mod cortex;
mod cosmo;
mod greenboard;
pub mod health;
mod tier2;
mod vibesql;

pub use coordination::LOOP_COORDINATION;
pub use cortex::CORTEX;
pub use cosmo::{COSMO_ARTIFACTS, COSMO_BUILD, COSMO_PIPELINE, COSMO_TESTS};
pub use greenboard::{
    BY_BRANCH, BY_BRANCH_SQL, BY_PLATFORM, BY_PLATFORM_SQL, DASHBOARD_DRILLS, DASHBOARD_SQL,
    DRILLS, GREENBOARD, HEADLINE_SQL, TILES,
};
pub use tier2::GGEN_TIER2;
pub use vibesql::VIBESQL;

/// How a preset's answer is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Chart {
    /// Horizontal bars: column 0 is the label, `value` the bar length,
    /// on a 0–100 % scale.
    PercentBars {
        /// Index of the value column.
        value: usize,
    },
    /// A chart spec (`line:x=week,y=pass_rate_pct,series=branch`; see
    /// [`crate::chart::spec::Spec`]).
    Spec(&'static str),
}

impl Chart {
    /// The chart as a spec's text, for an answer with these columns.
    pub fn spec_text(&self, columns: &[String]) -> Option<String> {
        match self {
            Chart::Spec(s) => Some(s.to_string()),
            Chart::PercentBars { value } => Some(format!(
                "bar:x={},y={}",
                columns.first()?,
                columns.get(*value)?
            )),
        }
    }
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
    /// The parameters its SQL takes (`?`), in order.
    pub params: &'static [Param],
}

/// A parameter of a preset: what it stands for, and how to find a sensible
/// value in the data at hand (the SQL's first column of its first row).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param {
    /// What the value is, for a label (`loop_id`).
    pub name: &'static str,
    /// SQL whose first value is the default.
    pub default: &'static str,
}

/// Presets that work on any database.
pub const GENERIC: &[Preset] = &[
    Preset {
        id: "schema",
        group: "Database",
        title: "Schema",
        description: "Every table, index, view and trigger with the SQL that made it.",
        sql: "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type DESC, name;",
        chart: None,
        params: &[],
    },
    Preset {
        id: "sqlite-version",
        group: "Database",
        title: "SQLite version",
        description: "The SQLite library answering the queries.",
        sql: "SELECT sqlite_version() AS version, sqlite_source_id() AS source;",
        chart: None,
        params: &[],
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
        SchemaKind::LoopCoordination => LOOP_COORDINATION,
        SchemaKind::GgenTier2 => GGEN_TIER2,
        SchemaKind::Cortex => CORTEX,
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
        LOOP_COORDINATION,
        GGEN_TIER2,
        CORTEX,
        GENERIC,
    ]
    .into_iter()
    .flatten()
}

/// Every built-in preset and drill-down as data: what the page fetches
/// (`presets.json`) once data is loaded, so that the preset tables are not
/// part of its first load. The command line uses the tables themselves.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Catalog {
    /// The presets, in the order they are listed.
    pub presets: Vec<Entry>,
    /// What clicking a mark of a preset's chart runs, by preset id (see
    /// [`DRILLS`]).
    pub drills: Vec<(String, String)>,
    /// What a health tile runs in place of its preset, by preset id: the
    /// preset's answer at its default read from a summary, and whether only
    /// where the summaries are stored tables (see [`TILES`]).
    #[serde(default)]
    pub tiles: Vec<(String, String, bool)>,
}

/// A built-in preset as data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// The schema whose preset it is (`None`: any database's).
    pub schema: Option<SchemaKind>,
    /// Identifier.
    pub id: String,
    /// Group.
    pub group: String,
    /// Title.
    pub title: String,
    /// What it answers.
    pub description: String,
    /// The SQL.
    pub sql: String,
    /// Its parameters: name, and SQL whose first value is the default.
    pub params: Vec<(String, String)>,
    /// Its chart spec, if it has one.
    pub chart: Option<String>,
    /// Whether the dashboard draws it (as percentage bars).
    pub bars: bool,
}

impl Catalog {
    /// The built-in presets and drill-downs.
    pub fn built_in() -> Catalog {
        let entry = |schema: Option<SchemaKind>, p: &Preset| Entry {
            schema,
            id: p.id.into(),
            group: p.group.into(),
            title: p.title.into(),
            description: p.description.into(),
            sql: p.sql.into(),
            params: p
                .params
                .iter()
                .map(|q| (q.name.into(), q.default.into()))
                .collect(),
            chart: match p.chart {
                Some(Chart::Spec(spec)) => Some(spec.into()),
                _ => None,
            },
            bars: matches!(p.chart, Some(Chart::PercentBars { .. })),
        };
        let kinds = [
            SchemaKind::Greenboard,
            SchemaKind::VibeSql,
            SchemaKind::CosmoTests,
            SchemaKind::CosmoBuild,
            SchemaKind::CosmoArtifacts,
            SchemaKind::CosmoPipeline,
            SchemaKind::LoopCoordination,
            SchemaKind::GgenTier2,
            SchemaKind::Cortex,
        ];
        let presets = kinds
            .iter()
            .flat_map(|k| for_schema(*k).iter().map(|p| entry(Some(*k), p)))
            .chain(GENERIC.iter().map(|p| entry(None, p)))
            .collect();
        Catalog {
            presets,
            drills: DRILLS
                .iter()
                .map(|(id, sql)| (id.to_string(), sql.to_string()))
                .collect(),
            tiles: TILES
                .iter()
                .map(|(id, sql, stored)| (id.to_string(), sql.to_string(), *stored))
                .collect(),
        }
    }

    /// The preset `id`.
    pub fn find(&self, id: &str) -> Option<&Entry> {
        self.presets.iter().find(|p| p.id == id)
    }

    /// The presets for a database in which `kinds` were recognised: theirs,
    /// in that order, then the generic ones (as [`for_recognised`]).
    pub fn for_recognised<'a>(
        &'a self,
        kinds: &'a [SchemaKind],
    ) -> impl Iterator<Item = &'a Entry> {
        kinds
            .iter()
            .flat_map(|k| self.presets.iter().filter(move |p| p.schema == Some(*k)))
            .chain(self.presets.iter().filter(|p| p.schema.is_none()))
    }

    /// The drill-down of preset `id`'s chart.
    pub fn drill(&self, id: &str) -> Option<&str> {
        self.drills
            .iter()
            .find(|(p, _)| p == id)
            .map(|(_, sql)| sql.as_str())
    }

    /// What the health tile of preset `id` runs: its own SQL unless a
    /// summary answers it ([`TILES`]); `stored`: whether the data holds
    /// the summaries as tables.
    pub fn tile(&self, id: &str, stored: bool) -> Option<&str> {
        self.tiles
            .iter()
            .find(|(p, _, only_stored)| p == id && (stored || !only_stored))
            .map(|(_, sql, _)| sql.as_str())
            .or_else(|| Some(self.find(id)?.sql.as_str()))
    }

    /// The check of the preset whose SQL `sql` is, if it has one (see
    /// [`check`]).
    pub fn check_for_sql(&self, sql: &str) -> Option<&'static str> {
        let sql = sql.trim();
        self.presets
            .iter()
            .find(|p| p.sql.trim() == sql)
            .and_then(|p| check(&p.id))
    }
}

impl From<&Entry> for Made {
    fn from(p: &Entry) -> Self {
        Made {
            id: p.id.clone(),
            group: p.group.clone(),
            title: p.title.clone(),
            description: p.description.clone(),
            sql: p.sql.clone(),
            params: p.params.iter().map(|(name, _)| name.clone()).collect(),
            chart: p.chart.clone(),
        }
    }
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
    /// Names of the parameters its SQL takes.
    pub params: Vec<String>,
    /// Its chart spec, if it has one.
    pub chart: Option<String>,
}

impl From<&Preset> for Made {
    fn from(p: &Preset) -> Self {
        Made {
            id: p.id.to_string(),
            group: p.group.to_string(),
            title: p.title.to_string(),
            description: p.description.to_string(),
            sql: p.sql.to_string(),
            params: p.params.iter().map(|q| q.name.to_string()).collect(),
            chart: match p.chart {
                Some(Chart::Spec(spec)) => Some(spec.to_string()),
                _ => None,
            },
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
        params: Vec::new(),
        chart: None,
    }];
    made.extend(tables.iter().map(|t| Made {
        id: format!("table:{}", t.name),
        group: "Tables".into(),
        title: t.name.clone(),
        description: format!("The first 100 of its {} rows.", t.rows),
        sql: format!("SELECT * FROM {} LIMIT 100;", qualified(&t.name)),
        params: Vec::new(),
        chart: None,
    }));
    made
}

/// What preset `id` checks of its parameters before it runs (see
/// [`greenboard::CHECKS`]).
pub fn check(id: &str) -> Option<&'static str> {
    greenboard::CHECKS
        .iter()
        .find(|(p, _)| *p == id)
        .map(|(_, sql)| *sql)
}

/// The check of the preset whose SQL `sql` is, if it has one.
pub fn check_for_sql(sql: &str) -> Option<&'static str> {
    let sql = sql.trim();
    all()
        .find(|p| p.sql.trim() == sql)
        .and_then(|p| check(p.id))
}

/// The drill-down of a preset's chart (see [`DRILLS`]).
pub fn drill(id: &str) -> Option<&'static str> {
    DRILLS.iter().find(|(p, _)| *p == id).map(|(_, sql)| *sql)
}

/// The SQL that lists the rows of an answer behind one mark of its chart,
/// for answers without a drill-down of their own: `sql` (one SELECT) kept
/// to the rows whose `x` column (and `series` column) read as the mark's
/// values, given as `?1` (and `?2`).
pub fn rows_behind(sql: &str, x: &str, series: Option<&str>) -> String {
    let inner = sql.trim().trim_end_matches(';').trim_end();
    let mut out = format!(
        "SELECT * FROM ({inner}\n) WHERE CAST({} AS TEXT) IS ?1",
        quoted(x)
    );
    if let Some(s) = series {
        out.push_str(&format!(" AND CAST({} AS TEXT) IS ?2", quoted(s)));
    }
    out.push(';');
    out
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
