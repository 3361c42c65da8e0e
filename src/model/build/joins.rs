//! Joins of frames and the tables they join: which keys a merge matches rows on, whether it
//! matches them in time (`merge_asof`), and which frames are read from a database or a
//! warehouse by a query, with what the query selects. Also the `index` column that
//! `reset_index()` adds, and the columns the code declares to be categories.

use super::{Args, Builder, span};
use crate::ml;
use crate::model::{Column, Join, Kind, ThinVec, UNKNOWN, ValueId, WarehouseRead};
use std::rc::Rc;
use tree_sitter::Node;

impl Builder<'_> {
    /// Records a join of `left` and `right` into `output`, with the keys the call names.
    pub(super) fn record_join(
        &mut self,
        left: ValueId,
        right: ValueId,
        output: ValueId,
        args: &Args,
        as_of: bool,
        node: Node,
    ) {
        if self.replaying {
            return;
        }
        let mut keys = Vec::new();
        let mut named = false;
        for keyword in ["on", "left_on", "right_on", "by", "left_by", "right_by"] {
            if let Some((value, _)) = args.keyword(keyword) {
                let names = self.key_names(value);
                if names.is_empty() {
                    // A key the analysis cannot read: which columns match is unknown.
                    named = false;
                    keys.clear();
                    break;
                }
                named = true;
                keys.extend(names);
            }
        }
        let scope = self.scope();
        self.model.joins.push(Join {
            left,
            right,
            output,
            keys: named.then_some(keys),
            as_of,
            span: span(node),
            scope,
        });
    }

    /// A read from a database or warehouse (`pd.read_sql(query, con)`, `spark.sql(query)`):
    /// recorded with what its query selects.
    pub(super) fn record_warehouse_read(
        &mut self,
        function: &str,
        args: &Args,
        value: ValueId,
        node: Node,
    ) {
        if self.replaying || value == UNKNOWN {
            return;
        }
        let query = args
            .get(0, &["sql", "query", "table_name", "sqlQuery"])
            .and_then(|(v, _)| match self.kind(v) {
                Kind::Str(s) => Some(s.clone()),
                _ => None,
            });
        let table = (function.ends_with("read_sql_table") || function.ends_with(".table"))
            && !query.as_deref().is_some_and(ml::is_reference_table);
        let whole_table = table || query.as_deref().is_some_and(selects_whole_table);
        let columns = if table {
            None
        } else {
            query.as_deref().and_then(selected_columns)
        };
        self.model.warehouse_reads.push(WarehouseRead {
            value,
            function: function.to_string(),
            query,
            whole_table,
            columns,
            span: span(node),
        });
    }

    /// `spark.sql(query)` on a session built in the file (`SparkSession.builder...getOrCreate()`).
    pub(super) fn spark_session_method(&self, receiver: ValueId, method: &str) -> bool {
        matches!(method, "sql" | "table")
            && self.model.derives_from(receiver, |v| match self.kind(v) {
                Kind::Call { function } | Kind::Import(function) => {
                    function.starts_with("pyspark.")
                }
                _ => false,
            })
    }

    /// Records columns declared to be categories (bounded).
    pub(super) fn note_categorical(&mut self, names: Vec<String>) {
        for name in names {
            if self.model.categorical.len() < 256 && !self.model.categorical.contains(&name) {
                self.model.categorical.push(name);
            }
        }
    }

    /// `df.reset_index()`: the index becomes a column named `index` when it was the rows'
    /// positions; after `set_index`, `groupby` or a pivot it is the keys, named as they were.
    /// `drop=True` discards it.
    pub(super) fn reset_index(&mut self, receiver: ValueId, args: &Args, id: ValueId, node: Node) {
        let dropped = args
            .get(1, &["drop"])
            .is_some_and(|(_, n)| self.text(n) == "True");
        if dropped
            || args.get(0, &["level"]).is_some()
            || self.model.values[receiver].columns.is_none()
        {
            return;
        }
        let keyed = self.model.derives_from(receiver, |v| {
            matches!(self.kind(v), Kind::GroupBy { .. }) || self.indexed.contains(&v)
        });
        // A frame read from a text file or built in the code is indexed by position; one read
        // from parquet, a pickle or a database may carry the index it was saved with
        // (`user_features.parquet` indexed by `customer_id`).
        let positional = self.model.root_of(receiver).is_some_and(|root| {
            matches!(self.kind(root), Kind::Call { function }
                if ml::reads_positional_frame(function))
        });
        if keyed || !positional {
            return;
        }
        let mut columns = (*self.columns_of(id)).clone();
        if columns.known.iter().any(|c| c.name == "index") {
            return;
        }
        columns.dropped.retain(|d| d != "index");
        columns.known.push(Rc::new(Column {
            name: "index".to_string(),
            facts: ThinVec::new(),
            bases: thin_vec::thin_vec![Rc::from("index")],
            span: Some(span(node)),
            value: UNKNOWN,
        }));
        self.set_columns(id, Rc::new(columns));
    }
}

/// `SELECT * FROM table` (with an optional `WHERE`, `LIMIT`, ...): every column of one table
/// as it is when the query runs. A table of reference codes (`countries`, `currency_codes`)
/// does not change with the events joined to it.
fn selects_whole_table(query: &str) -> bool {
    let lower = query.to_ascii_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    let [_, _, _, table, ..] = words.as_slice() else {
        return false;
    };
    matches!(words.as_slice(), ["select", "*", "from", ..])
        && !table.starts_with('(')
        && !ml::is_reference_table(table.trim_end_matches(';'))
        && !words.iter().any(|w| *w == "join" || *w == "union")
}

/// The column names of `SELECT a, t.b, c AS d FROM ...`, when every item is a name or has an
/// alias; None for `*`, expressions without alias, or text that is not a select.
fn selected_columns(query: &str) -> Option<Vec<String>> {
    let trimmed = query.trim();
    let lower = trimmed.to_ascii_lowercase();
    let rest = lower.strip_prefix("select")?;
    if !rest.starts_with(char::is_whitespace) {
        return None;
    }
    let from = top_level_from(rest)?;
    let start = trimmed.len() - rest.len();
    let list = trimmed.get(start..start + from)?;
    let list = list.trim();
    let list = list
        .strip_prefix("DISTINCT ")
        .or_else(|| list.strip_prefix("distinct "))
        .unwrap_or(list);
    let mut names = Vec::new();
    for item in split_top_level(list) {
        let item = item.trim();
        let words: Vec<&str> = item.split_whitespace().collect();
        let name = match words.as_slice() {
            [one] => one.rsplit('.').next()?,
            [.., as_word, alias] if as_word.eq_ignore_ascii_case("as") => alias,
            _ => return None,
        };
        let name = name.trim_matches(|c| matches!(c, '`' | '"' | '[' | ']'));
        if name.is_empty() || name == "*" || !name.chars().all(|c| c.is_alphanumeric() || c == '_')
        {
            return None;
        }
        names.push(name.to_string());
    }
    (!names.is_empty()).then_some(names)
}

/// The byte offset of the first ` from ` outside parentheses.
fn top_level_from(lower: &str) -> Option<usize> {
    let bytes = lower.as_bytes();
    let mut depth = 0i32;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'(' => depth += 1,
            b')' => depth -= 1,
            _ if depth == 0
                && lower[i..].starts_with("from")
                && i > 0
                && bytes[i - 1].is_ascii_whitespace()
                && bytes.get(i + 4).is_none_or(|c| c.is_ascii_whitespace()) =>
            {
                return Some(i);
            }
            _ => {}
        }
    }
    None
}

/// Splits at commas outside parentheses.
fn split_top_level(list: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in list.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&list[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&list[start..]);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_say_what_they_select() {
        assert!(selects_whole_table("SELECT * FROM user_profile"));
        assert!(selects_whole_table(
            "select *\n from dw.profiles where active = 1"
        ));
        assert!(!selects_whole_table("select * from (select 1)"));
        assert!(!selects_whole_table("select user_id, plan from profiles"));
        assert!(!selects_whole_table("SELECT * FROM ref.country_codes"));
        assert!(!selects_whole_table("SELECT * FROM `dw.currencies`;"));
        assert_eq!(
            selected_columns("SELECT p.user_id, plan, updated_at AS as_of FROM profiles p"),
            Some(vec!["user_id".into(), "plan".into(), "as_of".into()])
        );
        assert_eq!(selected_columns("select count(*) from t"), None);
        assert_eq!(selected_columns("select * from t"), None);
    }
}
