//! Presets for the coding-loops coordination database (seed 001): its
//! "Common Queries", as written. Three of them take a parameter (`?`); each
//! names a default found in the data.

use super::{Param, Preset};

/// Presets for the coding-loops coordination database.
pub const LOOP_COORDINATION: &[Preset] = &[
    Preset {
        id: "loops-get-pending-tests-for-a-loop",
        group: "Coordination",
        title: "Get pending tests for a loop",
        description: "Pending tests of one loop whose dependency, if any, has passed.",
        sql: "SELECT * FROM tests
WHERE loop_id = ?
  AND status = 'pending'
  AND (depends_on IS NULL OR depends_on IN (
    SELECT id FROM tests WHERE status = 'passed'
  ))
ORDER BY id;",
        chart: None,
        params: &[Param {
            name: "loop_id",
            default: "SELECT loop_id FROM tests WHERE status = 'pending' \
                      GROUP BY loop_id ORDER BY COUNT(*) DESC, loop_id LIMIT 1",
        }],
    },
    Preset {
        id: "loops-get-unacknowledged-events-for-subscriber",
        group: "Coordination",
        title: "Get unacknowledged events for subscriber",
        description: "Events a subscriber has not acknowledged, of the types and sources it follows.",
        sql: "SELECT e.* FROM events e
JOIN subscriptions s ON s.subscriber = ?
WHERE e.acknowledged = 0
  AND json_extract(s.event_types, '$') LIKE '%' || e.event_type || '%'
  AND (s.filter_sources IS NULL OR json_extract(s.filter_sources, '$') LIKE '%' || e.source || '%')
ORDER BY e.timestamp;",
        chart: None,
        params: &[Param {
            name: "subscriber",
            default: "SELECT subscriber FROM subscriptions ORDER BY active DESC, subscriber LIMIT 1",
        }],
    },
    Preset {
        id: "loops-check-for-file-lock",
        group: "Coordination",
        title: "Check for file lock",
        description: "The lock held on a file, unless it has expired.",
        sql: "SELECT * FROM file_locks
WHERE file_path = ?
  AND (expires_at IS NULL OR expires_at > datetime('now'));",
        chart: None,
        params: &[Param {
            name: "file_path",
            default: "SELECT file_path FROM file_locks ORDER BY locked_at DESC, file_path LIMIT 1",
        }],
    },
    Preset {
        id: "loops-get-loop-progress",
        group: "Coordination",
        title: "Get loop progress",
        description: "Tests per loop: total, passed and blocked.",
        sql: "SELECT
  loop_id,
  COUNT(*) as total,
  SUM(CASE WHEN status = 'passed' THEN 1 ELSE 0 END) as passed,
  SUM(CASE WHEN status = 'blocked' THEN 1 ELSE 0 END) as blocked
FROM tests
GROUP BY loop_id;",
        chart: None,
        params: &[],
    },
];
