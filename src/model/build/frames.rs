//! Data frames, series and arrays: columns and their lineage, row roles from splits, folds,
//! slices and masks, and the facts that pandas operations add (future-looking, lagged,
//! aggregated over rows).

use super::{Args, Builder, short_text, span, string_value};
use crate::ml::{self, Category, DataMethod};
use crate::model::{
    Column, Columns, Estimator, Event, Fact, FactId, Kind, PredictMethod, Role, SplitKind, Tag,
    ThinVec, UNKNOWN, ValueId, rows,
};
use crate::source::python::Syntax;
use std::rc::Rc;
use tree_sitter::Node;

/// The most columns a frame's model follows by name (see `assign_columns`).
const MAX_KNOWN_COLUMNS: usize = 256;

impl Builder<'_> {
    /// The columns of `frame`: its own, or open columns rooted at it.
    pub(super) fn columns_of(&self, frame: ValueId) -> Rc<Columns> {
        if let Some(columns) = &self.model.values[frame].columns {
            return columns.clone();
        }
        Rc::new(Columns {
            root: frame,
            open: true,
            known: Vec::new(),
            dropped: Vec::new(),
            base_facts: self.model.values[frame].facts.clone(),
            joined_facts: ThinVec::new(),
        })
    }

    /// Gives `id` these columns, and the facts of all of them.
    pub(super) fn set_columns(&mut self, id: ValueId, columns: Rc<Columns>) {
        if id == UNKNOWN {
            return;
        }
        let mut facts = columns.base_facts.clone();
        super::merge_facts(&mut facts, &columns.joined_facts);
        for column in &columns.known {
            super::merge_facts(&mut facts, &column.facts);
        }
        let value = &mut self.model.values[id];
        value.facts = facts;
        value.bases.clear();
        value.columns = Some(columns);
    }

    /// Keeps the rows' meaning and the columns of `from` on `id` (a row filter, a sort, a fill).
    pub(super) fn keep_columns(&mut self, id: ValueId, from: ValueId) {
        if let Some(columns) = self.model.values[from].columns.clone() {
            let extra = self.model.values[id].facts.clone();
            self.set_columns(id, columns);
            let value = &mut self.model.values[id];
            super::merge_facts(&mut value.facts, &extra);
        }
    }

    /// `frame["name"]`: the column's lineage, and the frame's rows.
    pub(super) fn column_read(&mut self, frame: ValueId, name: &str, node: Node) -> ValueId {
        let columns = self.columns_of(frame);
        let id = self.new_value(
            Kind::Column {
                name: name.to_string(),
            },
            vec![frame],
            span(node),
        );
        let (facts, bases) = match columns.known.iter().find(|c| c.name == name) {
            Some(column) => (column.facts.clone(), column.bases.clone()),
            None => (
                columns.base_facts.clone(),
                thin_vec::thin_vec![Rc::from(name)],
            ),
        };
        let value = &mut self.model.values[id];
        value.facts = facts;
        value.bases = bases;
        id
    }

    /// `frame[["a", "b"]]`, `frame[FEATURES]`: a frame of exactly these columns.
    pub(super) fn select_columns(
        &mut self,
        frame: ValueId,
        names: &[String],
        node: Node,
    ) -> ValueId {
        let columns = self.columns_of(frame);
        let known = names
            .iter()
            .map(
                |name| match columns.known.iter().find(|c| &c.name == name) {
                    Some(column) => column.clone(),
                    None => Rc::new(Column {
                        name: name.clone(),
                        facts: columns.base_facts.clone(),
                        bases: thin_vec::thin_vec![Rc::from(name.as_str())],
                        span: None,
                        value: UNKNOWN,
                    }),
                },
            )
            .collect();
        let id = self.new_value(Kind::Unknown, vec![frame], span(node));
        self.set_columns(
            id,
            Rc::new(Columns {
                root: columns.root,
                open: false,
                known,
                dropped: Vec::new(),
                base_facts: ThinVec::new(),
                joined_facts: ThinVec::new(),
            }),
        );
        id
    }

    /// `frame["name"] = value` (also several names): a new version of the frame.
    pub(super) fn assign_columns(
        &mut self,
        old: ValueId,
        names: &[String],
        value: ValueId,
        extra_inputs: Vec<ValueId>,
        target: Node,
    ) -> ValueId {
        let mut columns = (*self.columns_of(old)).clone();
        let assigned = &self.model.values[value];
        let facts = assigned.facts.clone();
        let bases = assigned.bases.clone();
        for name in names {
            columns.dropped.retain(|d| d != name);
            let column = Rc::new(Column {
                name: name.clone(),
                facts: facts.clone(),
                bases: bases.clone(),
                span: Some(span(target)),
                value,
            });
            // A column assigned again keeps its place, as in pandas (`x["Sex"] = x["Sex"].map(
            // ...)` leaves Sex first): the order is what a positional row must follow.
            if let Some(at) = columns.known.iter().position(|c| &c.name == name) {
                columns.known[at] = column;
                continue;
            }
            // Each assignment copies the frame's known columns, so a frame given thousands of
            // columns one line at a time (generated code) made the build quadratic in memory.
            // Past the cap a new column is not followed: the frame is open, and reading it
            // later finds only what the frame's unnamed columns carry, not the facts of what
            // was assigned (a finding may be missed, none is made up).
            if columns.known.len() >= MAX_KNOWN_COLUMNS {
                columns.open = true;
                continue;
            }
            columns.known.push(column);
        }
        let mut inputs = vec![old, value];
        inputs.extend(extra_inputs);
        let id = self.new_value(Kind::Unknown, inputs, span(target));
        let old_rows = self.model.values[old].rows;
        self.set_columns(id, Rc::new(columns));
        self.model.values[id].rows = old_rows;
        id
    }

    /// Column names a value spells: a string, a list of strings, a constant feature list.
    pub(super) fn names_of(&self, id: ValueId) -> Option<Vec<String>> {
        match self.kind(id) {
            Kind::Str(name) => Some(vec![name.clone()]),
            Kind::Tuple(elements) if !elements.is_empty() => elements
                .iter()
                .map(|&e| match self.kind(e) {
                    Kind::Str(name) => Some(name.clone()),
                    _ => None,
                })
                .collect(),
            // `X.columns` of a frame whose columns are all known: `pd.DataFrame(
            // scaler.fit_transform(X), columns=X.columns)` keeps X's names.
            _ => {
                let frame = *self.model.chain.column_lists.get(&id)?;
                let columns = self.model.values[frame].columns.as_ref()?;
                (!columns.open && !columns.known.is_empty())
                    .then(|| columns.known.iter().map(|c| c.name.clone()).collect())
            }
        }
    }

    /// A method called on something that is not an estimator: a data frame, a series, an
    /// array, a groupby, a window, or anything else (which then derives from its receiver
    /// and arguments).
    pub(super) fn data_method(
        &mut self,
        receiver: ValueId,
        method: &str,
        args: &Args,
        node: Node,
    ) -> ValueId {
        let mut inputs = args.all_values();
        inputs.insert(0, receiver);
        match self.kind(receiver).clone() {
            Kind::GroupBy { frame, keys } => {
                return self.groupby_method(receiver, frame, keys, method, args, inputs, node);
            }
            Kind::Window { center } => {
                return self.window_method(receiver, center, method, inputs, node);
            }
            Kind::Dict(entries) if method == "get" => {
                if let Some(Kind::Str(key)) = args.get(0, &[]).map(|(v, _)| self.kind(v).clone())
                    && let Some(&(_, value)) = entries.iter().find(|(k, _)| *k == key)
                {
                    return value;
                }
            }
            _ => {}
        }
        let handled = match method {
            "groupby" => Some(self.groupby(receiver, args, node)),
            "drop" => Some(self.drop(receiver, args, inputs.clone(), node)),
            "assign" => Some(self.assign(receiver, args, node)),
            "rename" => Some(self.rename(receiver, args, node)),
            "filter" if self.model.values[receiver].columns.is_some() => {
                self.filter_columns(receiver, args, node)
            }
            "merge" | "join" => Some(self.merge_method(receiver, args, inputs.clone(), node)),
            "sample" => Some(self.sample(receiver, args, inputs.clone(), node)),
            "to_csv" | "to_parquet" | "to_json" | "to_excel" | "to_pickle" | "to_feather"
            | "to_sql" | "to_hdf" | "to_string" => {
                Some(self.write_frame(receiver, method, args, node))
            }
            "notna" | "notnull" | "isna" | "isnull" if args.positional.is_empty() => {
                self.missing_mask(receiver, method, inputs.clone(), node)
            }
            "set_index" | "sort_values" => {
                self.index_or_sort(receiver, method, args, inputs.clone(), node)
            }
            "fillna" => Some(self.fillna(receiver, args, node)),
            _ => None,
        };
        if let Some(id) = handled {
            if method == "set_index" {
                self.indexed.insert(id);
            }
            return id;
        }
        // `df["a"].isin(xs)`, `.between(lo, hi)`, `.duplicated()`, `df.notna().all(axis=1)`:
        // a condition over rows.
        let condition = matches!(
            method,
            "isin"
                | "between"
                | "duplicated"
                | "notna"
                | "notnull"
                | "isna"
                | "isnull"
                | "contains"
                | "startswith"
                | "endswith"
        ) || (matches!(method, "all" | "any")
            && matches!(self.kind(receiver), Kind::Condition | Kind::Mask { .. }));
        let kind = if condition {
            Kind::Condition
        } else {
            Kind::Unknown
        };
        let id = self.new_value(kind, inputs, span(node));
        if ml::drops_rows(method) {
            self.model.chain.row_changes.insert(id, UNKNOWN);
        }
        // `df.to_dict("records")`, `df.to_dict()`: records or a mapping keyed by the frame's
        // columns (what a `DictVectorizer` is fitted on). Other orients key by the index.
        if method == "to_dict" {
            let orient = args.get(0, &["orient"]).map(|(v, _)| self.kind(v).clone());
            if match orient {
                None => true,
                Some(Kind::Str(orient)) => {
                    matches!(orient.as_str(), "records" | "dict" | "list" | "series")
                }
                Some(_) => false,
            } {
                self.keep_columns(id, receiver);
            }
        }
        match ml::data_method(method) {
            DataMethod::KeepsColumns => self.keep_columns(id, receiver),
            // `df.sum(axis=1)`: one value per row from that row's columns, not over rows.
            DataMethod::Statistic | DataMethod::RowStatistic
                if self.along_columns(method, args) => {}
            DataMethod::Statistic | DataMethod::RowStatistic => {
                let column = self.column_name(receiver);
                self.op_fact(id, Tag::Agg, receiver, column, Vec::new(), node);
            }
            DataMethod::Shift => self.shift(id, receiver, args, node),
            DataMethod::BackFill => self.row_order_fact(id, receiver, Tag::Future, node),
            DataMethod::PastOnly => self.row_order_fact(id, receiver, Tag::Lag, node),
            DataMethod::Window => {
                let center = args
                    .keyword("center")
                    .is_some_and(|(_, n)| self.text(n) == "True");
                self.model.values[id].kind = Kind::Window { center };
            }
            DataMethod::Other => {}
        }
        match method {
            "astype"
                if args.positional.first().is_some_and(
                    |&(v, _)| matches!(self.kind(v), Kind::Str(s) if s == "category"),
                ) =>
            {
                self.categorical_values.insert(id);
            }
            "reset_index" => self.reset_index(receiver, args, id, node),
            "pivot_table" | "pivot" | "value_counts" | "resample" | "unstack" | "stack"
            | "set_index" => {
                self.indexed.insert(id);
            }
            _ => {}
        }
        id
    }

    /// `shift(k)`: other rows' values, future-looking for a negative `k` and lagged otherwise.
    fn shift(&mut self, id: ValueId, receiver: ValueId, args: &Args, node: Node) {
        let periods = args.get(0, &["periods"]).map(|(v, _)| self.kind(v).clone());
        let future = matches!(periods, Some(Kind::Number(n)) if n < 0.0);
        let default = periods.is_none();
        // Any shift reads other rows: the result is no same-row function of its raw
        // columns, whichever way it goes (`shift(i)` with `i` from a loop).
        self.model.values[id].bases.clear();
        self.keep_columns_shifted(id, receiver);
        if future || default || matches!(periods, Some(Kind::Number(_))) {
            let tag = if future { Tag::Future } else { Tag::Lag };
            let column = self.column_name(receiver);
            let fact = self.op_fact(id, tag, receiver, column, Vec::new(), node);
            self.spread_fact(id, fact);
        }
    }

    /// A method that reads later rows (`bfill`, Future) or only earlier ones (`cummax`, Lag):
    /// the receiver's columns, each with that fact.
    fn row_order_fact(&mut self, id: ValueId, receiver: ValueId, tag: Tag, node: Node) {
        self.keep_columns(id, receiver);
        let column = self.column_name(receiver);
        let fact = self.op_fact(id, tag, receiver, column, Vec::new(), node);
        self.spread_fact(id, fact);
    }

    /// A statistic over a rolling window: future-looking when centred, lagged otherwise.
    fn window_method(
        &mut self,
        receiver: ValueId,
        center: bool,
        method: &str,
        inputs: Vec<ValueId>,
        node: Node,
    ) -> ValueId {
        let id = self.new_value(Kind::Unknown, inputs, span(node));
        if matches!(
            ml::data_method(method),
            DataMethod::Statistic | DataMethod::RowStatistic
        ) || method == "apply"
        {
            let tag = if center { Tag::Future } else { Tag::Lag };
            self.op_fact(id, tag, receiver, None, Vec::new(), node);
        }
        id
    }

    /// `df.groupby(keys)`: a groupby of the frame by the key columns.
    fn groupby(&mut self, receiver: ValueId, args: &Args, node: Node) -> ValueId {
        let keys = args
            .get(0, &["by"])
            .map(|(v, _)| self.key_names(v))
            .unwrap_or_default();
        let id = self.new_value(
            Kind::GroupBy {
                frame: receiver,
                keys,
            },
            vec![receiver],
            span(node),
        );
        self.keep_columns(id, receiver);
        id
    }

    /// `df.assign(c=v, ...)`: the frame with those columns (a lambda is called with the
    /// frame so far).
    fn assign(&mut self, receiver: ValueId, args: &Args, node: Node) -> ValueId {
        let mut current = receiver;
        for (name, value, value_node) in &args.keywords {
            // `assign(c=lambda d: ...)`: the lambda is called with the frame so far.
            let value = match value_node.kind_name() {
                "lambda" => self.apply_lambda(*value_node, current).unwrap_or(*value),
                _ => *value,
            };
            current = self.assign_columns(current, std::slice::from_ref(name), value, vec![], node);
        }
        if current == receiver {
            current = self.new_value(Kind::Unknown, vec![receiver], span(node));
            self.keep_columns(current, receiver);
        }
        current
    }

    /// `df.filter(items=["a", "b"])`: those columns; `df.filter(like="age")`: the named
    /// columns whose names hold the text, and maybe unnamed ones. None for other filters.
    fn filter_columns(&mut self, receiver: ValueId, args: &Args, node: Node) -> Option<ValueId> {
        if let Some(names) = args.get(0, &["items"]).and_then(|(v, _)| self.names_of(v)) {
            return Some(self.select_columns(receiver, &names, node));
        }
        if let Some(Kind::Str(like)) = args.keyword("like").map(|(v, _)| self.kind(v).clone()) {
            let mut columns = (*self.columns_of(receiver)).clone();
            columns.known.retain(|c| c.name.contains(like.as_str()));
            let id = self.new_value(Kind::Unknown, vec![receiver], span(node));
            let rows = self.model.values[receiver].rows;
            self.set_columns(id, Rc::new(columns));
            self.model.values[id].rows = rows;
            return Some(id);
        }
        None
    }

    /// `df.merge(other)` / `df.join(other)`.
    fn merge_method(
        &mut self,
        receiver: ValueId,
        args: &Args,
        inputs: Vec<ValueId>,
        node: Node,
    ) -> ValueId {
        let other = args.get(0, &["right", "other"]).map_or(UNKNOWN, |(v, _)| v);
        let id = self.merge_frames(receiver, other, inputs, node);
        self.record_join(receiver, other, id, args, false, node);
        id
    }

    /// `df.sample(...)`: with replacement, resampled rows; `frac` between 0 and 1, the training
    /// part of a split.
    fn sample(
        &mut self,
        receiver: ValueId,
        args: &Args,
        inputs: Vec<ValueId>,
        node: Node,
    ) -> ValueId {
        let replace = args
            .keyword("replace")
            .is_some_and(|(_, n)| self.text(n) == "True");
        let frac = args.keyword("frac").map(|(v, _)| self.kind(v).clone());
        let id = self.new_value(Kind::Unknown, inputs, span(node));
        self.keep_columns(id, receiver);
        if replace {
            self.model.values[id].rows |= rows::RESAMPLED;
        } else if let Some(Kind::Number(f)) = frac
            && f > 0.0
            && f < 1.0
        {
            // `train = df.sample(frac=0.8)`: the training part of a split whose held-out
            // part is `df.drop(train.index)`.
            let split = self.new_split(
                "pandas.DataFrame.sample",
                SplitKind::Sample,
                true,
                vec![receiver],
                span(node),
            );
            let part = self.split_part(receiver, Role::Train, split, span(node));
            return part;
        }
        self.model.chain.row_changes.insert(id, UNKNOWN);
        id
    }

    /// `df.to_csv(path)` and the other writers: a Write event.
    fn write_frame(&mut self, receiver: ValueId, method: &str, args: &Args, node: Node) -> ValueId {
        let path_arg = args.get(0, &["path_or_buf", "path", "name"]);
        self.note_write(method, receiver, path_arg.map(|(_, n)| n), node);
        let path = path_arg.map_or(UNKNOWN, |(v, _)| v);
        let id = self.new_value(Kind::Unknown, Vec::new(), span(node));
        let scope = self.scope();
        self.push_event(Event::Write {
            value: receiver,
            path,
            method: method.to_string(),
            span: span(node),
            scope,
        });
        id
    }

    /// `df[df["target"].notna()]` / `df[df["target"].isna()]`: complementary row masks, the
    /// usual way to take train.csv and test.csv apart again after a concat. None when the
    /// receiver is not a column.
    fn missing_mask(
        &mut self,
        receiver: ValueId,
        method: &str,
        inputs: Vec<ValueId>,
        node: Node,
    ) -> Option<ValueId> {
        if let Kind::Column { name } = self.kind(receiver).clone() {
            let upper = method.starts_with("not");
            return Some(self.new_value(
                Kind::Mask {
                    column: name.into(),
                    bound: "<missing>".into(),
                    upper,
                },
                inputs,
                span(node),
            ));
        }
        None
    }

    /// `df.set_index(key)` / `df.sort_values(key)`: temporal uses of the key; `set_index`
    /// gives the frame without the key column (kept with `drop=False`). None otherwise.
    fn index_or_sort(
        &mut self,
        receiver: ValueId,
        method: &str,
        args: &Args,
        inputs: Vec<ValueId>,
        node: Node,
    ) -> Option<ValueId> {
        if let Some((key, _)) = args.get(0, &["by", "keys"]) {
            let what = if method == "set_index" {
                "indexed by"
            } else {
                "sorted by"
            };
            let names = self.key_names(key);
            for name in &names {
                self.temporal_use(name, what, node);
            }
            // `df.set_index("date")`: the same rows and the other columns, the key
            // now the index (kept as a column with `drop=False`).
            if method == "set_index"
                && !names.is_empty()
                && self.model.values[receiver].columns.is_some()
            {
                let kept = args
                    .keyword("drop")
                    .is_some_and(|(_, n)| self.text(n) == "False");
                let id = self.new_value(Kind::Unknown, inputs, span(node));
                let mut columns = (*self.columns_of(receiver)).clone();
                if !kept {
                    columns.known.retain(|c| !names.contains(&c.name));
                    for name in names {
                        if !columns.dropped.contains(&name) {
                            columns.dropped.push(name);
                        }
                    }
                }
                let rows = self.model.values[receiver].rows;
                self.set_columns(id, Rc::new(columns));
                self.model.values[id].rows = rows;
                return Some(id);
            }
        }
        None
    }

    /// `fillna`: imputation, future-looking with `method="bfill"`.
    fn fillna(&mut self, receiver: ValueId, args: &Args, node: Node) -> ValueId {
        let backward = args.keyword("method").is_some_and(
            |(v, _)| matches!(self.kind(v), Kind::Str(s) if s == "bfill" || s == "backfill"),
        );
        // Imputation: the filled values take the place of missing ones, and the column
        // stays what it was. What they were computed from (a group median, a model's
        // predictions) does not become a feature of the column.
        let id = self.new_value(Kind::Unknown, vec![receiver], span(node));
        self.keep_columns(id, receiver);
        // `s.fillna(pd.Series(model.predict(X)))`: predictions filling the gaps of a
        // column are an imputer's, the column keeps its meaning.
        self.forget_predictions_beyond(id, receiver);
        if backward {
            let fact = self.op_fact(id, Tag::Future, receiver, None, Vec::new(), node);
            self.spread_fact(id, fact);
        }
        id
    }

    /// A fact made by an operation on a whole frame (`df.shift(-1)`, `df.bfill()`) holds for
    /// each of its columns: reading one of them later keeps it.
    fn spread_fact(&mut self, id: ValueId, fact: FactId) {
        let Some(columns) = self.model.values[id].columns.clone() else {
            return;
        };
        let mut columns = (*columns).clone();
        for column in &mut columns.known {
            super::merge_facts(&mut Rc::make_mut(column).facts, &[fact]);
        }
        super::merge_facts(&mut columns.base_facts, &[fact]);
        let rows = self.model.values[id].rows;
        self.set_columns(id, Rc::new(columns));
        self.model.values[id].rows = rows;
    }

    /// A reduction along each row (`axis=1`, `axis="columns"`) rather than over the rows.
    fn along_columns(&self, method: &str, args: &Args) -> bool {
        let by_keyword = args.keyword("axis").is_some_and(|(v, n)| {
            matches!(self.kind(v), Kind::Number(x) if *x == 1.0)
                || matches!(self.kind(v), Kind::Str(s) if s == "columns")
                || self.text(n) == "1"
        });
        let reduction = matches!(
            method,
            "sum"
                | "mean"
                | "median"
                | "std"
                | "var"
                | "min"
                | "max"
                | "count"
                | "nunique"
                | "prod"
                | "sem"
                | "skew"
                | "kurt"
                | "idxmax"
                | "idxmin"
                | "rank"
        );
        let by_position = reduction
            && args
                .positional
                .first()
                .is_some_and(|(v, _)| matches!(self.kind(*v), Kind::Number(x) if *x == 1.0));
        by_keyword || by_position
    }

    /// `lambda d: body` called with `argument` (`assign(c=lambda d: ...)`): the body read
    /// with the parameter bound to it. None for other shapes of lambda.
    fn apply_lambda(&mut self, lambda: Node, argument: ValueId) -> Option<ValueId> {
        let parameters = lambda.field("parameters")?;
        let mut cursor = parameters.walk();
        let names: Vec<Node> = parameters.named_children(&mut cursor).collect();
        let [parameter] = names.as_slice() else {
            return None;
        };
        if parameter.kind_name() != "identifier" {
            return None;
        }
        let body = lambda.field("body")?;
        let name = self.text(*parameter).to_string();
        self.scopes.push(super::Scope::default());
        self.bind(&name, argument);
        let value = self.expr(body);
        self.scopes.pop();
        Some(value)
    }

    /// A shift keeps the frame's columns, each now shifted: same names, no bases.
    fn keep_columns_shifted(&mut self, id: ValueId, from: ValueId) {
        if let Some(columns) = self.model.values[from].columns.clone() {
            let mut columns = (*columns).clone();
            for column in &mut columns.known {
                Rc::make_mut(column).bases.clear();
            }
            self.set_columns(id, Rc::new(columns));
        }
    }

    /// Methods of `df.groupby(keys)` (and of its column selections).
    #[allow(clippy::too_many_arguments)]
    fn groupby_method(
        &mut self,
        receiver: ValueId,
        frame: ValueId,
        keys: Vec<String>,
        method: &str,
        args: &Args,
        inputs: Vec<ValueId>,
        node: Node,
    ) -> ValueId {
        let id = self.new_value(Kind::Unknown, inputs, span(node));
        let column = self.selected_column(receiver);
        if matches!(method, "size" | "ngroup" | "cumcount") {
            // Group sizes and positions depend on the keys only, not on the other columns.
            self.model.values[id].facts.clear();
            self.model.values[id].bases.clear();
        }
        match ml::data_method(method) {
            DataMethod::Statistic | DataMethod::RowStatistic => {
                // `transform(lambda s: ...)`, `agg(custom)`: what the function does is unknown.
                let opaque = args.positional.iter().any(|(_, n)| match n.kind_name() {
                    "string" | "attribute" | "list" => false,
                    // `transform(max)`, `agg({"amount": "mean"})`.
                    "identifier" => !matches!(self.text(*n), "max" | "min" | "sum" | "len"),
                    "dictionary" => self.text(*n).contains("lambda"),
                    _ => true,
                }) || args.splat;
                if !opaque {
                    let fact = self.op_fact(id, Tag::Agg, frame, column, keys, node);
                    self.named_aggregation(id, method, args, fact, node);
                }
            }
            DataMethod::Shift => {
                let periods = args.get(0, &["periods"]).map(|(v, _)| self.kind(v).clone());
                let future = matches!(periods, Some(Kind::Number(n)) if n < 0.0);
                self.model.values[id].bases.clear();
                let tag = if future { Tag::Future } else { Tag::Lag };
                self.op_fact(id, tag, frame, column, keys, node);
            }
            DataMethod::BackFill => {
                self.op_fact(id, Tag::Future, frame, column, keys, node);
            }
            DataMethod::PastOnly => {
                self.op_fact(id, Tag::Lag, frame, column, keys, node);
            }
            DataMethod::Window => {
                let center = args
                    .keyword("center")
                    .is_some_and(|(_, n)| self.text(n) == "True");
                self.model.values[id].kind = Kind::Window { center };
            }
            DataMethod::KeepsColumns | DataMethod::Other => {}
        }
        id
    }

    /// `groupby(k).agg(total=("amount", "sum"), n=("id", "count"))`: a frame whose named
    /// columns are the statistics (the keys come back as unnamed columns).
    fn named_aggregation(
        &mut self,
        id: ValueId,
        method: &str,
        args: &Args,
        fact: FactId,
        node: Node,
    ) {
        if !matches!(method, "agg" | "aggregate") || args.keywords.is_empty() {
            return;
        }
        let known = args
            .keywords
            .iter()
            .map(|(name, _, _)| {
                Rc::new(Column {
                    name: name.clone(),
                    facts: thin_vec::thin_vec![fact],
                    bases: ThinVec::new(),
                    span: Some(span(node)),
                    value: id,
                })
            })
            .collect();
        let rows = self.model.values[id].rows;
        self.set_columns(
            id,
            Rc::new(Columns {
                root: id,
                open: true,
                known,
                dropped: Vec::new(),
                base_facts: ThinVec::new(),
                joined_facts: ThinVec::new(),
            }),
        );
        self.model.values[id].rows = rows;
    }

    /// The one column a groupby selection or a series holds, if known.
    fn selected_column(&self, id: ValueId) -> Option<String> {
        match self.kind(id) {
            Kind::Column { name } => Some(name.clone()),
            _ => {
                let columns = self.model.values[id].columns.as_ref()?;
                match (columns.open, columns.known.as_slice()) {
                    (false, [one]) => Some(one.name.clone()),
                    _ => None,
                }
            }
        }
    }

    fn column_name(&self, id: ValueId) -> Option<String> {
        match self.kind(id) {
            Kind::Column { name } => Some(name.clone()),
            _ => None,
        }
    }

    /// Group-by keys and sort keys: strings, lists of strings, columns.
    pub(super) fn key_names(&self, id: ValueId) -> Vec<String> {
        if let Some(names) = self.names_of(id) {
            return names;
        }
        match self.kind(id) {
            Kind::Column { name } => vec![name.clone()],
            Kind::Tuple(elements) => elements
                .iter()
                .filter_map(|&e| match self.kind(e) {
                    Kind::Column { name } | Kind::Str(name) => Some(name.clone()),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Records a fact made by the operation at `node` and puts it on `id`.
    pub(super) fn op_fact(
        &mut self,
        id: ValueId,
        tag: Tag,
        data: ValueId,
        column: Option<String>,
        keys: Vec<String>,
        node: Node,
    ) -> FactId {
        let fact = Fact {
            tag,
            span: span(node),
            text: short_text(self.text(node)),
            source: data,
            event: None,
            rows: self.model.values[data].rows,
            column,
            keys,
            scope: self.scope(),
        };
        self.add_fact(id, fact)
    }

    /// Evidence that a column holds dates: parsed, converted, sorted or indexed by.
    pub(super) fn temporal_use(&mut self, name: &str, what: &'static str, node: Node) {
        if self.model.temporal.len() < 64 {
            self.model
                .temporal
                .push((name.to_string(), span(node), what));
        }
    }

    /// `df.drop(columns=...)`, `df.drop([...], axis=1)`: fewer columns; `df.drop(part.index)`:
    /// the rows not in a sample, the held-out part of its split.
    fn drop(
        &mut self,
        receiver: ValueId,
        args: &Args,
        inputs: Vec<ValueId>,
        node: Node,
    ) -> ValueId {
        let axis_columns = args.keyword("axis").is_some_and(|(v, n)| {
            matches!(self.kind(v), Kind::Number(n) if *n == 1.0)
                || matches!(self.kind(v), Kind::Str(s) if s == "columns")
                || self.text(n) == "1"
        }) || args
            .positional
            .get(1)
            .is_some_and(|(v, _)| matches!(self.kind(*v), Kind::Number(n) if *n == 1.0));
        let names = match args.keyword("columns") {
            Some((v, _)) => self.names_of(v),
            None if axis_columns => args.get(0, &["labels"]).and_then(|(v, _)| self.names_of(v)),
            None => None,
        };
        if let Some(names) = names {
            let mut columns = (*self.columns_of(receiver)).clone();
            columns.known.retain(|c| !names.contains(&c.name));
            for name in names {
                if !columns.dropped.contains(&name) {
                    columns.dropped.push(name);
                }
            }
            let id = self.new_value(Kind::Unknown, vec![receiver], span(node));
            self.set_columns(id, Rc::new(columns));
            return id;
        }
        if args.keyword("columns").is_some() || axis_columns {
            // Columns dropped by a name we cannot read: which ones is unknown.
            let id = self.new_value(Kind::Unknown, inputs, span(node));
            return id;
        }
        // `df.drop(train.index)`: the complement of a sample of `df`.
        if let Some((index, _)) = args.get(0, &["index", "labels"]) {
            let split = self.model.values[index]
                .inputs
                .iter()
                .find_map(|&i| match self.kind(i) {
                    Kind::SplitPart {
                        role: Role::Train,
                        split,
                    } if self.model.splits[*split].kind == SplitKind::Sample
                        && self.model.splits[*split].inputs.contains(&receiver) =>
                    {
                        Some(*split)
                    }
                    _ => None,
                });
            if let Some(split) = split {
                return self.split_part(receiver, Role::Test, split, span(node));
            }
        }
        let id = self.new_value(Kind::Unknown, inputs, span(node));
        self.keep_columns(id, receiver);
        id
    }

    fn rename(&mut self, receiver: ValueId, args: &Args, node: Node) -> ValueId {
        let id = self.new_value(Kind::Unknown, vec![receiver], span(node));
        let Some(Kind::Dict(pairs)) = args.keyword("columns").map(|(v, _)| self.kind(v).clone())
        else {
            return id;
        };
        let mut columns = (*self.columns_of(receiver)).clone();
        for (from, to_value) in pairs {
            let Kind::Str(to) = self.kind(to_value).clone() else {
                continue;
            };
            let column = match columns.known.iter().position(|c| c.name == from) {
                Some(at) => columns.known.remove(at),
                None => Rc::new(Column {
                    name: from.clone(),
                    facts: columns.base_facts.clone(),
                    bases: thin_vec::thin_vec![Rc::from(from.as_str())],
                    span: None,
                    value: UNKNOWN,
                }),
            };
            if columns.open && !columns.dropped.contains(&from) {
                columns.dropped.push(from);
            }
            columns.known.retain(|c| c.name != to);
            columns.known.push(Rc::new(Column {
                name: to,
                ..Rc::unwrap_or_clone(column)
            }));
        }
        self.set_columns(id, Rc::new(columns));
        id
    }

    /// `left.merge(right)`, `pd.merge(left, right)`, `left.join(right)`: the left frame's rows,
    /// both frames' columns.
    pub(super) fn merge_frames(
        &mut self,
        left: ValueId,
        right: ValueId,
        inputs: Vec<ValueId>,
        node: Node,
    ) -> ValueId {
        let id = self.new_value(Kind::Unknown, inputs, span(node));
        let left_rows = self.model.values[left].rows;
        let mut columns = (*self.columns_of(left)).clone();
        if right != UNKNOWN {
            let other = self.series_as_frame(right);
            self.join_columns(&mut columns, &other, |existing, _| existing);
        }
        self.set_columns(id, Rc::new(columns));
        self.model.values[id].rows = left_rows;
        id
    }

    /// `pd.concat([a, b], axis=...)`: rows of both (axis 0) or columns of both (axis 1).
    pub(super) fn concat(&mut self, args: &Args, node: Node) -> ValueId {
        let parts = match args.get(0, &["objs"]).map(|(v, _)| self.kind(v).clone()) {
            Some(Kind::Tuple(parts)) => parts,
            _ => return self.derived(args.all_values(), node),
        };
        let id = self.new_value(Kind::Unknown, parts.clone(), span(node));
        let Some(&first) = parts.first() else {
            return id;
        };
        let along_rows = args.get(1, &["axis"]).is_none_or(|(v, _)| {
            matches!(self.kind(v), Kind::Number(n) if *n == 0.0)
                || matches!(self.kind(v), Kind::Str(s) if s == "index" || s == "rows")
        });
        let frame_of = |b: &Self, part: ValueId| {
            if along_rows {
                b.columns_of(part)
            } else {
                b.series_as_frame(part)
            }
        };
        let mut columns = (*frame_of(self, first)).clone();
        for &part in &parts[1..] {
            let other = frame_of(self, part);
            if along_rows {
                // Rows stacked: the unnamed columns of the parts are the same columns.
                if !columns.open && other.open {
                    columns.root = other.root;
                }
                columns.open |= other.open;
                super::merge_facts(&mut columns.base_facts, &other.base_facts);
                super::merge_facts(&mut columns.joined_facts, &other.joined_facts);
                for column in &other.known {
                    match columns.known.iter_mut().find(|c| c.name == column.name) {
                        Some(existing) => {
                            let existing = Rc::make_mut(existing);
                            super::merge_facts(&mut existing.facts, &column.facts);
                            super::merge_bases(&mut existing.bases, &column.bases);
                        }
                        None => columns.known.push(column.clone()),
                    }
                }
            } else {
                self.join_columns(&mut columns, &other, |_, new| new);
            }
        }
        let rows = self.model.values[id].rows;
        self.set_columns(id, Rc::new(columns));
        self.model.values[id].rows = rows;
        if along_rows {
            self.mark_duplicated(id, &parts);
            if parts.len() > 1 {
                self.model.row_concats.push(id);
            }
        }
        id
    }

    /// The columns of a frame; a named series (`df["pred"]`) is a frame of that one column, so
    /// joining it adds that column and not unnamed ones.
    fn series_as_frame(&self, id: ValueId) -> Rc<Columns> {
        let value = &self.model.values[id];
        if value.columns.is_none()
            && let Kind::Column { name } = &value.kind
        {
            return Rc::new(Columns {
                root: id,
                open: false,
                known: vec![Rc::new(Column {
                    name: name.clone(),
                    facts: value.facts.clone(),
                    bases: value.bases.clone(),
                    span: None,
                    value: id,
                })],
                dropped: Vec::new(),
                base_facts: ThinVec::new(),
                joined_facts: ThinVec::new(),
            });
        }
        self.columns_of(id)
    }

    /// Puts the columns of `other` beside those of `columns` (a merge, a join, a concat along
    /// columns). Its named columns join the named ones (`pick` chooses between two of the same
    /// name); its unnamed columns stay unnamed, and their facts ride on the frame as a whole
    /// (`joined_facts`) unless `columns` has no unnamed columns of its own.
    fn join_columns(
        &self,
        columns: &mut Columns,
        other: &Columns,
        pick: impl Fn(Column, Column) -> Column,
    ) {
        if !columns.open && other.open {
            // The unnamed columns come from the other frame when this one has none.
            columns.root = other.root;
            super::merge_facts(&mut columns.base_facts, &other.base_facts);
        } else {
            super::merge_facts(&mut columns.joined_facts, &other.base_facts);
        }
        columns.open |= other.open;
        super::merge_facts(&mut columns.joined_facts, &other.joined_facts);
        for column in &other.known {
            match columns.known.iter().position(|c| c.name == column.name) {
                Some(at) => {
                    let existing = Rc::unwrap_or_clone(columns.known.remove(at));
                    let picked = pick(existing, Column::clone(column));
                    columns.known.insert(at, Rc::new(picked));
                }
                None => columns.known.push(column.clone()),
            }
        }
    }

    /// `splitter.split(X, y, groups)`: the folds, iterated as (train, test) index pairs.
    pub(super) fn folds(&mut self, splitter: &Estimator, args: &Args, node: Node) -> ValueId {
        let info = ml::splitter_info(&splitter.class);
        let shuffled =
            info.is_some_and(|i| i.always_shuffled || (i.shuffle_flag && splitter.shuffled));
        let inputs: Vec<ValueId> = args.positional.iter().map(|(v, _)| *v).collect();
        let function = format!("{}.split", splitter.class);
        let split = self.new_split(&function, SplitKind::Function, shuffled, inputs, span(node));
        let info_split = &mut self.model.splits[split];
        info_split.folds = true;
        info_split.grouped = info.is_some_and(|i| i.grouped) || args.get(2, &["groups"]).is_some();
        self.new_value(Kind::Folds { split }, args.all_values(), span(node))
    }

    /// The index values a `for` target gets from iterating folds (`for tr, te in kf.split(X)`,
    /// `for i, (tr, te) in enumerate(kf.split(X))`); None when the iterable is not folds.
    pub(super) fn fold_target(&mut self, target: Node, iterable: ValueId) -> bool {
        fn parts<'t>(node: Node<'t>) -> Vec<Node<'t>> {
            let mut cursor = node.walk();
            node.named_children(&mut cursor)
                .filter(|n| n.kind_name() != "comment")
                .collect()
        }
        fn unwrap(node: Node<'_>) -> Node<'_> {
            if node.kind_name() == "parenthesized_expression" {
                node.named_child(0).unwrap_or(node)
            } else {
                node
            }
        }
        let (pair, split) = match self.kind(iterable).clone() {
            Kind::Folds { split } => (unwrap(target), split),
            Kind::Call { function } if function == "enumerate" => {
                let Some(&inner) = self.model.values[iterable].inputs.first() else {
                    return false;
                };
                let Kind::Folds { split } = self.kind(inner).clone() else {
                    return false;
                };
                let outer = parts(unwrap(target));
                let [index, pair] = outer.as_slice() else {
                    return false;
                };
                let id = self.derived(Vec::new(), *index);
                self.bind_target(*index, id);
                (unwrap(*pair), split)
            }
            _ => return false,
        };
        let names = parts(pair);
        let [train, test] = names.as_slice() else {
            return false;
        };
        for (node, role) in [(*train, Role::Train), (*test, Role::Test)] {
            let id = self.new_value(Kind::FoldIndex { role, split }, Vec::new(), span(node));
            self.bind_target(node, id);
        }
        true
    }

    /// A subscript that takes rows: fold indices, complementary slices, masks. None when it
    /// is not one of those.
    pub(super) fn row_subscript(
        &mut self,
        frame: ValueId,
        subs: &[(ValueId, Node)],
        node: Node,
    ) -> Option<ValueId> {
        let (first, first_node) = *subs.first()?;
        match self.kind(first).clone() {
            Kind::FoldIndex { role, split } => {
                return Some(self.split_part(frame, role, split, span(node)));
            }
            Kind::Mask {
                column,
                bound,
                upper,
            } => {
                // Complementary parts are looked for in the same function only: two functions
                // that cut at `len(train)` make two splits.
                let key = (
                    UNKNOWN,
                    format!("{}\u{0}{column}\u{0}{bound}", self.scope().index()),
                );
                let split = match self.slices.get(&key) {
                    Some(&split) => split,
                    None => {
                        let split =
                            self.new_split("mask", SplitKind::Mask, false, vec![frame], span(node));
                        self.model.splits[split].column = Some(column.to_string());
                        self.slices.insert(key, split);
                        split
                    }
                };
                let role = if upper { Role::Train } else { Role::Test };
                return Some(self.split_part(frame, role, split, span(node)));
            }
            _ => {}
        }
        if first_node.kind_name() != "slice" || subs.len() > 2 {
            return None;
        }
        // `X[:n]` / `X[n:]`: complementary when the same cut-off text appears on both sides.
        let mut cursor = first_node.walk();
        let children: Vec<Node> = first_node.children(&mut cursor).collect();
        let colon = children.iter().position(|c| c.kind_name() == ":")?;
        if children.iter().filter(|c| c.kind_name() == ":").count() != 1 {
            return None;
        }
        let before: Vec<&Node> = children[..colon].iter().filter(|c| c.is_named()).collect();
        let after: Vec<&Node> = children[colon + 1..]
            .iter()
            .filter(|c| c.is_named())
            .collect();
        let (cut, role) = match (before.as_slice(), after.as_slice()) {
            ([], [stop]) => (*stop, Role::Train),
            ([start], []) => (*start, Role::Test),
            _ => return None,
        };
        let cut_text = self.text(*cut).split_whitespace().collect::<String>();
        // Complementary slices of one frame (or of frames read from one source): `X[:n]` and
        // `y[n:]` are parts of two splits, and `len(train[-7:])` cuts nothing `x[:-7]` is
        // paired with.
        let base = self.model.values[frame]
            .columns
            .as_ref()
            .map_or(frame, |c| c.root);
        let key = (
            base,
            format!("slice\u{0}{}\u{0}{cut_text}", self.scope().index()),
        );
        let split = match self.slices.get(&key) {
            Some(&split) => split,
            None => {
                let split =
                    self.new_split("slice", SplitKind::Slice, false, vec![frame], span(node));
                self.slices.insert(key, split);
                split
            }
        };
        if !self.model.splits[split].inputs.contains(&frame) {
            self.model.splits[split].inputs.push(frame);
        }
        Some(self.split_part(frame, role, split, span(node)))
    }

    /// `left OP right` as a row mask on one column against one cut-off, if it is one.
    pub(super) fn mask(&self, left: ValueId, op: &str, right: Node) -> Option<Kind> {
        let Kind::Column { name } = self.kind(left) else {
            return None;
        };
        let bound = self.text(right).split_whitespace().collect::<String>();
        let upper = match op {
            "<" | "<=" => true,
            ">" | ">=" => false,
            // `df[df.fold != k]` / `df[df.fold == k]`: cross-validation by a fold column;
            // `df[df.split == "train"]`: a predefined split.
            "!=" | "==" => {
                let literal = string_value(&bound).unwrap_or_default().to_lowercase();
                let named = literal.contains("train")
                    || literal.contains("test")
                    || literal.contains("val");
                if named {
                    (op == "==") == literal.contains("train")
                } else if name.to_lowercase().contains("fold") {
                    op == "!="
                } else {
                    return None;
                }
            }
            _ => return None,
        };
        let bound = match string_value(&bound) {
            Some(s) if op == "==" || op == "!=" => {
                // Both sides of a named split share the column, not the literal.
                if s.to_lowercase().contains("train")
                    || s.to_lowercase().contains("test")
                    || s.to_lowercase().contains("val")
                {
                    "<named>".to_string()
                } else {
                    bound
                }
            }
            _ => bound,
        };
        Some(Kind::Mask {
            column: name.as_str().into(),
            bound: bound.into(),
            upper,
        })
    }
}

impl Builder<'_> {
    /// Calls of qualified functions on data: sources, concat and merge, metrics,
    /// cross-validation, resampling, binning. None for everything else.
    pub(super) fn data_function(
        &mut self,
        qualified: &str,
        args: &Args,
        node: Node,
    ) -> Option<ValueId> {
        let first = args.positional.first().map(|(v, _)| *v);
        let first_kind = first.map(|v| self.kind(v).clone());
        match qualified {
            "list" | "tuple" | "iter" if matches!(first_kind, Some(Kind::Folds { .. })) => {
                return first;
            }
            "next" => return self.next_fold(first_kind, node),
            "xgboost.DMatrix" | "xgboost.QuantileDMatrix" | "lightgbm.Dataset" => {
                return Some(self.boosting_dataset(qualified, args, node));
            }
            "pandas.concat" | "polars.concat" => return Some(self.concat(args, node)),
            "pandas.merge" | "pandas.merge_asof" | "pandas.merge_ordered" => {
                return Some(self.merge_function(qualified, first, args, node));
            }
            "numpy.take" => return self.take(first, args, node),
            "pandas.to_datetime" => return Some(self.datetime_conversion(first_kind, args, node)),
            "pandas.qcut" | "pandas.cut" => return Some(self.binned(qualified, first, args, node)),
            _ => {}
        }
        if ml::is_data_source(qualified) {
            return Some(self.data_source(qualified, first_kind, args, node));
        }
        if ml::is_metric(qualified) {
            return Some(self.metric(qualified, args, node));
        }
        if let Some(out_of_fold) = ml::cross_validation(qualified) {
            return Some(self.cross_validation(qualified, out_of_fold, args, node));
        }
        if qualified.starts_with("sklearn.utils") && qualified.ends_with(".resample") {
            return Some(self.resample(args, node));
        }
        None
    }

    /// `next(kf.split(X))`: the first fold, as a (train, test) pair of indices.
    fn next_fold(&mut self, first_kind: Option<Kind>, node: Node) -> Option<ValueId> {
        if let Some(Kind::Folds { split }) = first_kind {
            let parts: Vec<ValueId> = [Role::Train, Role::Test]
                .into_iter()
                .map(|role| self.new_value(Kind::FoldIndex { role, split }, Vec::new(), span(node)))
                .collect();
            return Some(self.new_value(Kind::Tuple(parts.clone()), parts, span(node)));
        }
        None
    }

    /// The datasets of the boosting libraries' native APIs hold the features; the label is
    /// kept aside for the `train` that fits on them (choices.rs).
    fn boosting_dataset(&mut self, qualified: &str, args: &Args, node: Node) -> ValueId {
        let data = args.get(0, &["data"]).map_or(UNKNOWN, |(v, _)| v);
        let id = self.new_value(
            Kind::Call {
                function: qualified.to_string(),
            },
            vec![data],
            span(node),
        );
        self.keep_columns(id, data);
        if let Some((label, _)) = args.get(1, &["label"]) {
            self.dataset_labels.insert(id, label);
        }
        id
    }

    /// `pd.merge(left, right)`.
    fn merge_function(
        &mut self,
        qualified: &str,
        first: Option<ValueId>,
        args: &Args,
        node: Node,
    ) -> ValueId {
        let left = args
            .get(0, &["left"])
            .map_or(first.unwrap_or(UNKNOWN), |(v, _)| v);
        let right = args.get(1, &["right"]).map_or(UNKNOWN, |(v, _)| v);
        let id = self.merge_frames(left, right, args.all_values(), node);
        let as_of = qualified != "pandas.merge";
        self.record_join(left, right, id, args, as_of, node);
        id
    }

    /// `np.take(X, train_idx)`: the rows of a fold.
    fn take(&mut self, first: Option<ValueId>, args: &Args, node: Node) -> Option<ValueId> {
        let data = first.unwrap_or(UNKNOWN);
        if let Some((index, _)) = args.get(1, &["indices"])
            && let Kind::FoldIndex { role, split } = self.kind(index).clone()
        {
            return Some(self.split_part(data, role, split, span(node)));
        }
        None
    }

    /// `pd.to_datetime(df["c"])`: a temporal use of the column.
    fn datetime_conversion(
        &mut self,
        first_kind: Option<Kind>,
        args: &Args,
        node: Node,
    ) -> ValueId {
        if let Some(Kind::Column { name }) = first_kind {
            self.temporal_use(&name, "converted with `to_datetime`", node);
        }
        self.derived(args.all_values(), node)
    }

    /// `pd.qcut` / `pd.cut`: bins, aggregated over the rows when drawn from the data.
    fn binned(
        &mut self,
        qualified: &str,
        first: Option<ValueId>,
        args: &Args,
        node: Node,
    ) -> ValueId {
        let id = self.derived(args.all_values(), node);
        // Bins from the data's quantiles, or from its range when given as a count.
        let data_bins = qualified == "pandas.qcut"
            || args
                .get(1, &["bins"])
                .is_some_and(|(v, _)| matches!(self.kind(v), Kind::Number(_)));
        if data_bins && let Some(data) = first {
            let column = self.column_name(data);
            self.op_fact(id, Tag::Agg, data, column, Vec::new(), node);
        }
        id
    }

    /// A data source (`pd.read_csv`, `pd.DataFrame`): full rows, and its columns (named,
    /// from a dict literal, or open until code names them).
    fn data_source(
        &mut self,
        qualified: &str,
        first_kind: Option<Kind>,
        args: &Args,
        node: Node,
    ) -> ValueId {
        let id = self.new_value(
            Kind::Call {
                function: qualified.to_string(),
            },
            args.all_values(),
            span(node),
        );
        let from_data = self.model.values[id].rows != 0;
        if !from_data {
            self.model.values[id].rows = rows::FULL;
        }
        if qualified.ends_with(".DataFrame") {
            if let Some(Kind::Dict(entries)) = &first_kind {
                let mut current = id;
                let empty = Rc::new(Columns {
                    root: id,
                    open: false,
                    known: Vec::new(),
                    dropped: Vec::new(),
                    base_facts: ThinVec::new(),
                    joined_facts: ThinVec::new(),
                });
                self.set_columns(id, empty);
                for (name, value) in entries {
                    current = self.assign_columns(
                        current,
                        std::slice::from_ref(name),
                        *value,
                        vec![],
                        node,
                    );
                }
                return current;
            }
            let names = args.keyword("columns").and_then(|(v, _)| self.names_of(v));
            let base_facts = self.model.values[id].facts.clone();
            let columns = Columns {
                root: id,
                open: names.is_none(),
                known: names
                    .unwrap_or_default()
                    .into_iter()
                    .map(|name| {
                        Rc::new(Column {
                            bases: thin_vec::thin_vec![Rc::from(name.as_str())],
                            name,
                            facts: base_facts.clone(),
                            span: None,
                            value: UNKNOWN,
                        })
                    })
                    .collect(),
                dropped: Vec::new(),
                base_facts,
                joined_facts: ThinVec::new(),
            };
            self.set_columns(id, Rc::new(columns));
            return id;
        }
        if let Some((dates, _)) = args.keyword("parse_dates") {
            for name in self.key_names(dates) {
                self.temporal_use(&name, "parsed with `parse_dates`", node);
            }
        }
        // `read_csv(path, index_col="date", parse_dates=True)`: a date index.
        if let Some((index, _)) = args.keyword("index_col") {
            self.indexed.insert(id);
            let parsed = args
                .keyword("parse_dates")
                .is_some_and(|(_, n)| self.text(n) == "True");
            for name in self.key_names(index) {
                if parsed {
                    self.temporal_use(&name, "parsed with `parse_dates`", node);
                }
                self.temporal_use(&name, "indexed by", node);
            }
        }
        let mut columns = self.columns_of(id);
        // `read_csv(path, usecols=["a", "b"])`: exactly those columns.
        if let Some((listed, _)) = args.keyword("usecols")
            && let Some(names) = self.names_of(listed)
        {
            let mut listed = (*columns).clone();
            listed.open = false;
            listed.known = names
                .into_iter()
                .map(|name| {
                    Rc::new(Column {
                        bases: thin_vec::thin_vec![Rc::from(name.as_str())],
                        name,
                        facts: listed.base_facts.clone(),
                        span: None,
                        value: UNKNOWN,
                    })
                })
                .collect();
            columns = Rc::new(listed);
        }
        self.set_columns(id, columns);
        id
    }

    /// A metric function: one number about the predictions, recorded as a Metric event.
    fn metric(&mut self, qualified: &str, args: &Args, node: Node) -> ValueId {
        let id = self.derived(args.all_values(), node);
        self.forget_predictions(id);
        let scope = self.scope();
        let event = self.push_event(Event::Metric {
            function: qualified.to_string(),
            args: args.all_values(),
            output: id,
            span: span(node),
            scope,
        });
        self.note_metric_average(event, args);
        id
    }

    /// Cross-validation (`cross_val_score`, `cross_val_predict`): a CrossVal event; out-of-fold
    /// predictions are model output.
    fn cross_validation(
        &mut self,
        qualified: &str,
        out_of_fold: bool,
        args: &Args,
        node: Node,
    ) -> ValueId {
        let estimator = args.get(0, &["estimator"]).map_or(UNKNOWN, |(v, _)| v);
        let x = args.get(1, &["X"]).map(|(v, _)| v);
        let y = args.get(2, &["y"]).map(|(v, _)| v);
        let inputs: Vec<ValueId> = x.into_iter().collect();
        let output = if out_of_fold {
            self.new_value(
                Kind::Output {
                    estimator,
                    method: PredictMethod::CrossValPredict,
                },
                inputs,
                span(node),
            )
        } else {
            self.derived(inputs, node)
        };
        let scope = self.scope();
        let event = self.push_event(Event::CrossVal {
            function: qualified.to_string(),
            estimator,
            x,
            y,
            output,
            x_text: self.call_argument_text(span(node), 1, "X"),
            span: span(node),
            scope,
        });
        if let Some((cv, _)) = args.keyword("cv") {
            self.model.cross_val_cv.push((event, cv));
        }
        if out_of_fold {
            let fact = Fact {
                tag: Tag::ModelOut,
                span: span(node),
                text: short_text(self.text(node)),
                source: estimator,
                event: Some(event),
                rows: x.map_or(0, |x| self.model.values[x].rows),
                column: None,
                keys: Vec::new(),
                scope,
            };
            self.add_fact(output, fact);
        }
        output
    }

    /// `sklearn.utils.resample(*arrays)`: each array resampled (with repeated rows unless
    /// `replace=False`).
    fn resample(&mut self, args: &Args, node: Node) -> ValueId {
        let replace = args
            .keyword("replace")
            .is_none_or(|(_, n)| self.text(n) != "False");
        let parts: Vec<ValueId> = args
            .positional
            .iter()
            .map(|&(v, _)| {
                let id = self.new_value(Kind::Unknown, vec![v], span(node));
                self.keep_columns(id, v);
                if replace {
                    self.model.values[id].rows |= rows::RESAMPLED;
                }
                id
            })
            .collect();
        match parts.as_slice() {
            [one] => *one,
            _ => self.new_value(Kind::Tuple(parts.clone()), parts, span(node)),
        }
    }
}

impl<'a> Builder<'a> {
    /// `df.pop("c")` on a name: the column, and the name now holds the frame without it.
    pub(super) fn pop_column(
        &mut self,
        object: Node,
        receiver: ValueId,
        method: &str,
        args: &Args,
        node: Node,
    ) -> Option<ValueId> {
        if method != "pop" || object.kind_name() != "identifier" {
            return None;
        }
        // A frame, or a parameter used as one (not a dict or a list).
        let frame = self.model.values[receiver].columns.is_some()
            || matches!(self.kind(receiver), Kind::Param { .. });
        if !frame {
            return None;
        }
        let (item, _) = args.get(0, &["item"])?;
        let Kind::Str(name) = self.kind(item).clone() else {
            return None;
        };
        let column = self.column_read(receiver, &name, node);
        let mut columns = (*self.columns_of(receiver)).clone();
        columns.known.retain(|c| c.name != name);
        columns.dropped.push(name);
        let frame = self.new_value(Kind::Unknown, vec![receiver], span(node));
        let rows = self.model.values[receiver].rows;
        self.set_columns(frame, Rc::new(columns));
        self.model.values[frame].rows = rows;
        let bound = self.text(object);
        self.bind(bound, frame);
        Some(column)
    }

    /// The name a method call with `inplace=True` changes (`df.drop(columns=c, inplace=True)`).
    pub(super) fn in_place(&self, object: Node, args: &Args) -> Option<&'a str> {
        let in_place = args
            .keyword("inplace")
            .is_some_and(|(_, n)| self.text(n) == "True");
        (in_place && object.kind_name() == "identifier").then(|| self.text(object))
    }
}

impl Builder<'_> {
    /// `for name, model in models.items()`, `for model in [LogisticRegression(), SVC()]`,
    /// `for name, model in [("lr", lr), ("svc", svc)]`: the loop variable is one of several
    /// estimators, each fitted and used the same way in the body. It is bound to one estimator
    /// that stands for all of them, so the body's fits and predictions meet. False when the
    /// iterable is not such a collection.
    pub(super) fn models_target(
        &mut self,
        target: Node,
        right: Option<Node>,
        iterable: ValueId,
    ) -> bool {
        let Some(right) = right else { return false };
        // `models.items()` / `models.values()`: the dict is the receiver of the call.
        let method = right
            .field("function")
            .filter(|f| f.kind_name() == "attribute")
            .and_then(|f| f.field("attribute"))
            .map(|a| self.text(a));
        let collection = match method {
            Some("items" | "values") => self.model.values[iterable].inputs.first().copied(),
            Some(_) => return false,
            None => Some(iterable),
        };
        let Some(collection) = collection else {
            return false;
        };
        let (members, pairs) = match (self.kind(collection).clone(), method) {
            (Kind::Dict(entries), Some(method)) => (
                entries.iter().map(|(_, v)| *v).collect::<Vec<_>>(),
                method == "items",
            ),
            (Kind::Tuple(elements), None) => {
                let pairs: Option<Vec<ValueId>> = elements
                    .iter()
                    .map(|&e| match self.kind(e) {
                        Kind::Tuple(pair) if pair.len() == 2 => Some(pair[1]),
                        _ => None,
                    })
                    .collect();
                match pairs {
                    Some(second) => (second, true),
                    None => (elements, false),
                }
            }
            _ => return false,
        };
        let estimators: Option<Vec<Estimator>> = members
            .iter()
            .map(|&m| match self.kind(m) {
                Kind::Estimator(e)
                    if matches!(e.category, Category::Model | Category::Composite) =>
                {
                    Some(e.clone())
                }
                _ => None,
            })
            .collect();
        let Some(estimators) = estimators.filter(|e| !e.is_empty()) else {
            return false;
        };
        let first = &estimators[0];
        let class = if estimators.iter().all(|e| e.class == first.class) {
            first.class.clone()
        } else {
            let package = first.class.split('.').next().unwrap_or("").to_string();
            let mut names: Vec<&str> = estimators.iter().map(|e| e.short_name()).collect();
            names.dedup();
            let shown = if names.len() > 3 {
                format!("{} / ...", names[..3].join(" / "))
            } else {
                names.join(" / ")
            };
            format!("{package}.{shown}")
        };
        let category = if estimators.iter().all(|e| e.category == first.category) {
            first.category
        } else {
            Category::Model
        };
        let stands_for = Estimator {
            class,
            category,
            seeded: None,
            stateful_steps: None,
            shuffled: false,
        };
        let model = self.new_value(Kind::Estimator(stands_for), Vec::new(), span(target));
        let target = if target.kind_name() == "parenthesized_expression" {
            target.named_child(0).unwrap_or(target)
        } else {
            target
        };
        if pairs {
            let mut cursor = target.walk();
            let parts: Vec<Node> = target
                .named_children(&mut cursor)
                .filter(|n| n.kind_name() != "comment")
                .collect();
            let [name, slot] = parts.as_slice() else {
                return false;
            };
            let key = self.derived(Vec::new(), *name);
            self.bind_target(*name, key);
            self.bind_target(*slot, model);
        } else {
            if target.kind_name() != "identifier" {
                return false;
            }
            self.bind_target(target, model);
        }
        true
    }
}
