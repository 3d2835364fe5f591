//! Saved queries and the query history: what they hold and how they
//! change. The page keeps them in the browser's storage (`ui::saved`).

use serde::{Deserialize, Serialize};

/// How many queries the history keeps.
pub const HISTORY_LEN: usize = 100;

/// One query: its SQL, the values of its parameters and its chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// The name it was saved under (empty in the history).
    #[serde(default)]
    pub name: String,
    /// The SQL.
    pub sql: String,
    /// The values of its parameters, in order.
    #[serde(default)]
    pub params: Vec<String>,
    /// Its chart spec (`None`: guessed from the answer).
    #[serde(default)]
    pub chart: Option<String>,
    /// When it was run or saved (milliseconds since 1970).
    pub at: f64,
    /// How many rows it answered, when run.
    #[serde(default)]
    pub rows: Option<u64>,
}

/// The saved queries and the history, newest first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Library {
    /// Named queries.
    #[serde(default)]
    pub saved: Vec<Entry>,
    /// The last [`HISTORY_LEN`] queries run.
    #[serde(default)]
    pub history: Vec<Entry>,
}

impl Library {
    /// Records a query run. Running the same SQL with the same values again
    /// (sorting it, say) updates its entry instead of adding one.
    pub fn ran(&mut self, entry: Entry) {
        if let Some(last) = self.history.first()
            && last.sql == entry.sql
            && last.params == entry.params
        {
            self.history.remove(0);
        }
        self.history.insert(0, entry);
        self.history.truncate(HISTORY_LEN);
    }

    /// Saves a query under its name, replacing one of the same name.
    pub fn save(&mut self, entry: Entry) {
        self.saved.retain(|e| e.name != entry.name);
        self.saved.insert(0, entry);
    }

    /// Adds what `other` holds: its saved queries replace those of the
    /// same name, and the two histories are merged by time, newest first
    /// (each entry put in its place: a sort would cost the page's first
    /// load a sorting routine).
    pub fn merge(&mut self, other: Library) {
        for e in other.saved.into_iter().rev() {
            self.save(e);
        }
        for e in other.history {
            if !self.history.contains(&e) {
                let at = self.history.partition_point(|h| h.at >= e.at);
                self.history.insert(at, e);
            }
        }
        self.history.truncate(HISTORY_LEN);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, sql: &str, at: f64) -> Entry {
        Entry {
            name: name.into(),
            sql: sql.into(),
            params: Vec::new(),
            chart: None,
            at,
            rows: Some(1),
        }
    }

    #[test]
    fn history_keeps_the_last_hundred_newest_first() {
        let mut l = Library::default();
        for i in 0..150 {
            l.ran(entry("", &format!("SELECT {i}"), i as f64));
        }
        assert_eq!(l.history.len(), HISTORY_LEN);
        assert_eq!(l.history[0].sql, "SELECT 149");
        assert_eq!(l.history[99].sql, "SELECT 50");
    }

    #[test]
    fn running_the_same_query_again_updates_its_entry() {
        let mut l = Library::default();
        l.ran(entry("", "SELECT 1", 1.0));
        l.ran(entry("", "SELECT 1", 2.0));
        assert_eq!(l.history, vec![entry("", "SELECT 1", 2.0)]);
        let mut other = entry("", "SELECT 1", 3.0);
        other.params = vec!["x".into()];
        l.ran(other);
        assert_eq!(l.history.len(), 2);
    }

    #[test]
    fn saving_under_a_name_replaces_that_name_only() {
        let mut l = Library::default();
        l.save(entry("a", "SELECT 1", 1.0));
        l.save(entry("b", "SELECT 2", 2.0));
        l.save(entry("a", "SELECT 3", 3.0));
        let names: Vec<_> = l
            .saved
            .iter()
            .map(|e| (e.name.as_str(), e.sql.as_str()))
            .collect();
        assert_eq!(names, [("a", "SELECT 3"), ("b", "SELECT 2")]);
    }

    #[test]
    fn merging_an_import_keeps_both_sides() {
        let mut l = Library::default();
        l.save(entry("mine", "SELECT 1", 1.0));
        l.save(entry("both", "SELECT 'old'", 2.0));
        l.ran(entry("", "SELECT 1", 10.0));
        let mut other = Library::default();
        other.save(entry("theirs", "SELECT 2", 5.0));
        other.save(entry("both", "SELECT 'new'", 6.0));
        other.ran(entry("", "SELECT 2", 5.0));
        other.ran(entry("", "SELECT 1", 10.0));
        l.merge(other);
        // The imported ones come first, in their own order.
        let saved: Vec<_> = l
            .saved
            .iter()
            .map(|e| (e.name.as_str(), e.sql.as_str()))
            .collect();
        assert_eq!(
            saved,
            [
                ("both", "SELECT 'new'"),
                ("theirs", "SELECT 2"),
                ("mine", "SELECT 1")
            ]
        );
        let times: Vec<_> = l.history.iter().map(|e| e.at).collect();
        assert_eq!(times, [10.0, 5.0]);
    }
}
