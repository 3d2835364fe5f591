//! `test_history`, the summary per test and platform, recomputed from the
//! results (the "materialized view" of the cosmo-sokol design, refreshed by
//! each ingest; see `crate::ingest` for the incremental update).

use rusqlite::{Connection, params};

/// Which rows to recompute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every test on every platform.
    All,
    /// The tests of run `run_id`, on platform `platform_id`.
    Run {
        /// The platform.
        platform_id: i64,
        /// The run whose tests are recomputed.
        run_id: i64,
    },
}

/// Recomputes `test_history` rows from all the results they summarise.
/// `updated_at` is the time of the latest run summarised, so the same
/// results always give the same history.
pub fn recompute(conn: &Connection, scope: Scope) -> rusqlite::Result<()> {
    let filter = match scope {
        Scope::All => "1",
        Scope::Run { .. } => {
            "t.platform_id = ?1 AND r.test_name IN (SELECT test_name FROM test_results WHERE run_id = ?2)"
        }
    };
    let insert = format!(
        "WITH ordered AS (
           SELECT r.test_name, t.platform_id, t.run_timestamp AS ts, r.outcome,
                  LAG(r.outcome) OVER w AS prev,
                  ROW_NUMBER() OVER w AS n,
                  COUNT(*) OVER (PARTITION BY r.test_name, t.platform_id) AS total
           FROM test_results r JOIN test_runs t ON t.id = r.run_id
           WHERE {filter}
           WINDOW w AS (PARTITION BY r.test_name, t.platform_id ORDER BY t.run_timestamp, t.id)
         ),
         last_pass AS (
           SELECT test_name, platform_id, MAX(ts) AS ts FROM ordered WHERE outcome = 'pass'
           GROUP BY test_name, platform_id
         )
         INSERT INTO test_history (test_name, platform_id, last_pass, last_fail, consecutive_fails,
                                   flaky_count, total_runs, pass_rate, updated_at, passes, last_outcome)
         SELECT o.test_name, o.platform_id,
                MAX(CASE WHEN o.outcome = 'pass' THEN o.ts END),
                MAX(CASE WHEN o.outcome IN ('fail', 'error', 'timeout') THEN o.ts END),
                SUM(o.outcome IN ('fail', 'error', 'timeout') AND o.ts > COALESCE(lp.ts, '')),
                SUM(o.prev IS NOT NULL AND o.prev <> o.outcome AND 'skip' NOT IN (o.prev, o.outcome)),
                COUNT(*),
                ROUND(AVG(o.outcome = 'pass'), 4),
                MAX(o.ts),
                SUM(o.outcome = 'pass'),
                MAX(CASE WHEN o.n = o.total THEN o.outcome END)
         FROM ordered o LEFT JOIN last_pass lp USING (test_name, platform_id)
         GROUP BY o.test_name, o.platform_id
         ORDER BY o.test_name, o.platform_id"
    );
    match scope {
        Scope::All => {
            conn.execute("DELETE FROM test_history", [])?;
            conn.execute(&insert, [])?;
        }
        Scope::Run {
            platform_id,
            run_id,
        } => {
            conn.execute(
                "DELETE FROM test_history WHERE platform_id = ?1
                   AND test_name IN (SELECT test_name FROM test_results WHERE run_id = ?2)",
                params![platform_id, run_id],
            )?;
            conn.execute(&insert, params![platform_id, run_id])?;
        }
    }
    Ok(())
}
