//! One-level summaries of the functions defined in a file. A function's body is read once,
//! with its parameters as placeholder values; at a call, the values its return derives from
//! and the ML events of its body are re-made from the call's arguments ("replayed"), so a
//! scaler fitted inside `prepare(X)` is fitted on the caller's `X`. Events that were
//! themselves replayed are not replayed again: one level deep.

use super::{Args, Builder, span};
use crate::finding::Span;
use crate::model::{Column, Columns, Event, FactId, Kind, SplitId, ThinVec, UNKNOWN, ValueId};
use std::collections::HashMap;
use std::rc::Rc;
use tree_sitter::Node;

/// A function body being read.
pub(super) struct Open {
    pub returns: Vec<ValueId>,
    /// The function's parameters.
    pub params: Vec<String>,
    /// The function's scope.
    pub scope: crate::model::ScopeId,
    /// Clock reads that are a parameter's default (`as_of = as_of or datetime.now()`), with
    /// the parameter's index.
    pub clock_defaults: Vec<(FactId, usize)>,
}

/// What a call of a function defined in the file needs.
#[derive(Clone)]
pub(super) struct Summary {
    params: Vec<String>,
    /// Values made while reading the body: `first..end`.
    first: ValueId,
    end: ValueId,
    /// Events recorded while reading the body: `first_event..end_event`.
    first_event: usize,
    end_event: usize,
    /// For each value of the body, the parameters it derives from (bit i: parameter i).
    deps: Rc<Vec<u64>>,
    returns: Vec<ValueId>,
    /// Clock reads that are a parameter's default, with the parameter's index: a call that
    /// passes the parameter does not read the clock.
    clock_defaults: Vec<(FactId, usize)>,
}

/// Parameters past this many are not followed.
const MAX_PARAMS: usize = 64;
/// Bodies larger than this are not replayed (the replay would cost as much again per call).
const MAX_BODY_VALUES: usize = 20_000;

impl Builder<'_> {
    /// Reads a function's body with placeholder parameters and records its summary.
    pub(super) fn function_body(&mut self, id: usize, params: &[String], body: Node, def: Node) {
        let first = self.model.values.len();
        let first_event = self.model.events.len();
        let mut returns = Vec::new();
        let mut clock_defaults = Vec::new();
        self.in_new_scope(|b| {
            for (index, param) in params.iter().enumerate() {
                let value = b.new_value(Kind::Param { index }, Vec::new(), span(def));
                b.bind(param, value);
            }
            let scope = b.scope();
            b.functions.push(Open {
                returns: Vec::new(),
                params: params.to_vec(),
                scope,
                clock_defaults: Vec::new(),
            });
            b.block(body);
            if let Some(open) = b.functions.pop() {
                returns = open.returns;
                clock_defaults = open.clock_defaults;
            }
        });
        let end = self.model.values.len();
        let end_event = self.model.events.len();
        let mut deps = vec![0u64; end - first];
        for value in first..end {
            let mut bits = match self.model.values[value].kind {
                Kind::Param { index } if index < MAX_PARAMS => 1u64 << index,
                _ => 0,
            };
            for &input in &self.model.values[value].inputs {
                if input.index() >= first {
                    bits |= deps[input.index() - first];
                }
            }
            deps[value - first] = bits;
        }
        self.summaries[id] = Some(Summary {
            params: params.to_vec(),
            first: ValueId::new(first),
            end: ValueId::new(end),
            first_event,
            end_event,
            deps: Rc::new(deps),
            returns,
            clock_defaults,
        });
    }

    /// `as_of = as_of or datetime.now()`, `if as_of is None: as_of = datetime.now()`: a
    /// parameter of the function being read rebound to a value that reads the clock there.
    /// The clock is the parameter's default, read only by calls that do not pass it.
    pub(super) fn note_clock_default(&mut self, name: &str, value: ValueId) {
        let scope = self.scope();
        let Some(open) = self.functions.last() else {
            return;
        };
        let Some(index) = open.params.iter().position(|p| p == name) else {
            return;
        };
        // The parameter bound to the clock itself, or to a choice between the two
        // (`as_of or now()`, `now() if as_of is None else as_of`); a frame parameter with a
        // column computed from the clock (`df["age"] = now - df["dob"]`) is not a default.
        let bound = &self.model.values[value];
        if open.scope != scope || bound.columns.is_some() {
            return;
        }
        let clocks: Vec<FactId> = bound
            .facts
            .iter()
            .copied()
            .filter(|&f| {
                let fact = &self.model.facts[f];
                fact.tag == crate::model::Tag::WallClock
                    && fact.scope == scope
                    && (fact.source == value || bound.inputs.contains(&fact.source))
            })
            .collect();
        if let Some(open) = self.functions.last_mut() {
            for fact in clocks {
                if !open.clock_defaults.contains(&(fact, index)) {
                    open.clock_defaults.push((fact, index));
                }
            }
        }
    }

    /// What the body of function `id` returns (its own values, not replayed).
    pub(super) fn function_returns(&self, id: usize) -> Vec<ValueId> {
        self.summaries
            .get(id)
            .and_then(Option::as_ref)
            .map_or_else(Vec::new, |s| s.returns.clone())
    }

    /// Records a `return` of the function being read.
    pub(super) fn function_return(&mut self, value: ValueId) {
        if let Some(open) = self.functions.last_mut() {
            open.returns.push(value);
        }
    }

    /// A call of function `id` defined in the file: replays its events on the arguments and
    /// returns what its return value derives from.
    pub(super) fn apply_summary(&mut self, id: usize, args: &Args, node: Node) -> ValueId {
        let fallback = |b: &mut Self| b.derived(args.all_values(), node);
        let Some(summary) = self.summaries.get(id).cloned().flatten() else {
            return fallback(self);
        };
        if args.splat || summary.end.index() - summary.first.index() > MAX_BODY_VALUES {
            return fallback(self);
        }
        let mut arguments = vec![UNKNOWN; summary.params.len()];
        let mut given = vec![false; summary.params.len()];
        let mut texts = vec![String::new(); summary.params.len()];
        // A method's `self` is not among the call's arguments.
        let offset = usize::from(summary.params.first().is_some_and(|p| p == "self"));
        for (index, (value, arg)) in args.positional.iter().enumerate() {
            if let Some(slot) = arguments.get_mut(index + offset) {
                *slot = *value;
                given[index + offset] = !self.is_none(*value);
                texts[index + offset] = self.text(*arg).to_string();
            }
        }
        for (name, value, arg) in &args.keywords {
            if let Some(index) = summary.params.iter().position(|p| p == name) {
                arguments[index] = *value;
                given[index] = !self.is_none(*value);
                texts[index] = self.text(*arg).to_string();
            }
        }
        let mut replay = Replay {
            summary: &summary,
            arguments,
            map: HashMap::new(),
            splits: HashMap::new(),
            facts: HashMap::new(),
            dropped: summary
                .clock_defaults
                .iter()
                .filter(|&&(_, index)| given.get(index).copied().unwrap_or(false))
                .map(|&(fact, _)| fact)
                .collect(),
            at: span(node),
        };
        let was_replaying = std::mem::replace(&mut self.replaying, true);
        for index in summary.first_event..summary.end_event {
            if self.model.replayed.get(index).is_some_and(Option::is_some) {
                continue;
            }
            let event = self.model.events[index].clone();
            if !self.involves_params(&replay, &event) {
                continue;
            }
            if let Some(event) = self.replay_event(&mut replay, event, &texts) {
                let at = self.push_event(event);
                if self.model.replayed.len() <= at {
                    self.model.replayed.resize(at + 1, None);
                }
                self.model.replayed[at] = Some((replay.at, index));
            }
        }
        self.replaying = was_replaying;
        match summary.returns.as_slice() {
            [one] => self.translate(&mut replay, *one, 0),
            [] => fallback(self),
            many => {
                let translated: Vec<ValueId> = many
                    .iter()
                    .map(|&r| self.translate(&mut replay, r, 0))
                    .collect();
                self.derived(translated, node)
            }
        }
    }

    fn involves_params(&self, replay: &Replay, event: &Event) -> bool {
        let depends = |v: &ValueId| replay.depends(*v) != 0;
        match event {
            Event::Fit {
                estimator, x, y, ..
            } => depends(estimator) || x.iter().chain(y.iter()).any(depends),
            Event::Transform {
                estimator, input, ..
            } => depends(estimator) || depends(input),
            Event::Predict {
                estimator,
                input,
                truth,
                ..
            } => depends(estimator) || depends(input) || truth.iter().any(depends),
            Event::Metric { args, .. } => args.iter().any(depends),
            Event::CrossVal { x, y, .. } => x.iter().chain(y.iter()).any(depends),
            Event::Split { inputs, .. } => inputs.iter().any(depends),
            Event::Write { value, .. } => depends(value),
            _ => false,
        }
    }

    fn replay_event(
        &mut self,
        replay: &mut Replay,
        event: Event,
        texts: &[String],
    ) -> Option<Event> {
        let scope = self.scope();
        let at = replay.at;
        let mut t = |b: &mut Self, v: ValueId| b.translate(replay, v, 0);
        Some(match event {
            Event::Fit {
                estimator,
                x,
                y,
                output,
                method,
                x_text,
                keywords,
                ..
            } => {
                let x_text = match x.map(|x| &self.model.values[x].kind) {
                    Some(Kind::Param { index }) => texts.get(*index).cloned().unwrap_or(x_text),
                    _ => x_text,
                };
                Event::Fit {
                    estimator: t(self, estimator),
                    x: x.map(|v| t(self, v)),
                    y: y.map(|v| t(self, v)),
                    output: output.map(|v| t(self, v)),
                    method,
                    x_text,
                    keywords: keywords.into_iter().map(|(k, v)| (k, t(self, v))).collect(),
                    span: at,
                    scope,
                }
            }
            Event::Transform {
                estimator,
                input,
                output,
                ..
            } => Event::Transform {
                estimator: t(self, estimator),
                input: t(self, input),
                output: t(self, output),
                span: at,
                scope,
            },
            Event::Predict {
                estimator,
                input,
                truth,
                output,
                method,
                ..
            } => Event::Predict {
                estimator: t(self, estimator),
                input: t(self, input),
                truth: truth.map(|v| t(self, v)),
                output: t(self, output),
                method,
                span: at,
                scope,
            },
            Event::Metric {
                function,
                args,
                output,
                ..
            } => Event::Metric {
                function,
                args: args.into_iter().map(|v| t(self, v)).collect(),
                output: t(self, output),
                span: at,
                scope,
            },
            Event::CrossVal {
                function,
                estimator,
                x,
                y,
                output,
                ..
            } => Event::CrossVal {
                function,
                estimator: t(self, estimator),
                x: x.map(|v| t(self, v)),
                y: y.map(|v| t(self, v)),
                output: t(self, output),
                x_text: self.call_argument_text(at, 1, "X"),
                span: at,
                scope,
            },
            Event::Split { outputs, .. } => {
                // Translating the parts makes the split (and its event) for this call.
                for part in outputs {
                    t(self, part);
                }
                return None;
            }
            Event::Write {
                value,
                path,
                method,
                ..
            } => Event::Write {
                value: t(self, value),
                path,
                method,
                span: at,
                scope,
            },
            _ => return None,
        })
    }

    /// The value `v` of the body stands for at this call.
    fn translate(&mut self, replay: &mut Replay, v: ValueId, depth: usize) -> ValueId {
        let summary = replay.summary;
        if v == UNKNOWN || v < summary.first || v >= summary.end {
            return v;
        }
        if let Some(&done) = replay.map.get(&v) {
            return done;
        }
        if depth > 32 {
            return UNKNOWN;
        }
        let deps = replay.depends(v);
        let kind = self.model.values[v].kind.clone();
        let result = match kind {
            Kind::Param { index } => replay.arguments.get(index).copied().unwrap_or(UNKNOWN),
            // An estimator made in the body is a new one at each call.
            Kind::Estimator(estimator) if deps == 0 => self.new_value(
                Kind::Estimator(estimator),
                Vec::new(),
                self.model.values[v].span,
            ),
            _ if deps == 0 => v,
            Kind::SplitPart { role, split } => {
                let input = self.model.values[v]
                    .inputs
                    .first()
                    .copied()
                    .unwrap_or(UNKNOWN);
                let input = self.translate(replay, input, depth + 1);
                let new_split = match replay.splits.get(&split) {
                    Some(&s) => s,
                    None => {
                        let old = self.model.splits[split].clone();
                        let inputs: Vec<ValueId> = old
                            .inputs
                            .iter()
                            .map(|&i| self.translate(replay, i, depth + 1))
                            .collect();
                        let s = self.new_split(
                            &old.function,
                            old.kind,
                            old.shuffled,
                            inputs,
                            replay.at,
                        );
                        let info = &mut self.model.splits[s];
                        info.folds = old.folds;
                        info.grouped = old.grouped;
                        info.column = old.column;
                        let event = info.event;
                        if self.model.replayed.len() <= event {
                            self.model.replayed.resize(event + 1, None);
                        }
                        self.model.replayed[event] = Some((replay.at, old.event));
                        replay.splits.insert(split, s);
                        s
                    }
                };
                self.split_part(input, role, new_split, replay.at)
            }
            Kind::Tuple(elements) => {
                let elements: Vec<ValueId> = elements
                    .iter()
                    .map(|&e| self.translate(replay, e, depth + 1))
                    .collect();
                self.new_value(Kind::Tuple(elements.clone()), elements, replay.at)
            }
            Kind::Output { estimator, method } => {
                let inputs: Vec<ValueId> = self.model.values[v]
                    .inputs
                    .clone()
                    .into_iter()
                    .map(|i| self.translate(replay, i, depth + 1))
                    .collect();
                let estimator = self.translate(replay, estimator, depth + 1);
                let id = self.new_value(Kind::Output { estimator, method }, inputs, replay.at);
                let facts = self.model.values[v].facts.clone();
                super::merge_facts(&mut self.model.values[id].facts, &facts);
                id
            }
            kind => {
                // A column reads the caller's frame: that frame comes first, where the
                // column's table is looked up (`root_of`).
                let frame = match kind {
                    Kind::Column { .. } => self.model.values[v].inputs.first().copied(),
                    _ => None,
                };
                let mut inputs = match frame {
                    Some(frame) => vec![self.translate(replay, frame, depth + 1), v],
                    None => vec![v],
                };
                for (index, &argument) in replay.arguments.iter().enumerate() {
                    if index < MAX_PARAMS && deps & (1 << index) != 0 {
                        inputs.push(argument);
                    }
                }
                let kind = match kind {
                    Kind::Column { .. } | Kind::Window { .. } => kind,
                    _ => Kind::Unknown,
                };
                let id = self.new_value(kind, inputs, replay.at);
                if let Some(columns) = self.translated_columns(replay, v) {
                    let rows = self.model.values[id].rows;
                    self.set_columns(id, columns);
                    self.model.values[id].rows = rows;
                }
                self.rebase_facts(replay, id, depth);
                id
            }
        };
        replay.map.insert(v, result);
        result
    }

    /// Facts made in the body on data that came from a parameter (rows unknown there) hold
    /// at this call for the argument's data: they are re-made with its rows, once per call,
    /// so a count computed inside `add_counts(df)` saw the rows of the caller's `df`.
    fn rebase_facts(&mut self, replay: &mut Replay, id: ValueId, depth: usize) {
        let value = &self.model.values[id];
        let mut all: ThinVec<FactId> = value.facts.clone();
        if let Some(columns) = value.columns.as_deref() {
            all.extend(columns.base_facts.iter().copied());
            all.extend(columns.joined_facts.iter().copied());
            for column in &columns.known {
                all.extend(column.facts.iter().copied());
            }
        }
        let mut changed = all.iter().any(|f| replay.dropped.contains(f));
        for fact in all {
            if replay.facts.contains_key(&fact) {
                changed |= replay.facts[&fact] != fact;
                continue;
            }
            let old = &self.model.facts[fact];
            let rebased = if old.rows == 0 && replay.depends(old.source) != 0 {
                let mut new = old.clone();
                new.source = self.translate(replay, new.source, depth + 1);
                new.rows = self.model.values[new.source].rows;
                let at = FactId::new(self.model.facts.len());
                self.model.facts.push(new);
                changed = true;
                at
            } else {
                fact
            };
            replay.facts.insert(fact, rebased);
        }
        if !changed {
            return;
        }
        let dropped = &replay.dropped;
        let map = |list: &[FactId], facts: &HashMap<FactId, FactId>| -> ThinVec<FactId> {
            let mut out: ThinVec<FactId> = ThinVec::new();
            let mapped: ThinVec<FactId> = list
                .iter()
                .filter(|f| !dropped.contains(f))
                .map(|f| *facts.get(f).unwrap_or(f))
                .collect();
            super::merge_facts(&mut out, &mapped);
            out
        };
        let value = &self.model.values[id];
        let facts = map(&value.facts, &replay.facts);
        let columns = value.columns.as_deref().map(|columns| {
            let mut columns = columns.clone();
            columns.base_facts = map(&columns.base_facts, &replay.facts);
            columns.joined_facts = map(&columns.joined_facts, &replay.facts);
            for column in &mut columns.known {
                let column = std::rc::Rc::make_mut(column);
                column.facts = map(&column.facts, &replay.facts);
            }
            Rc::new(columns)
        });
        let value = &mut self.model.values[id];
        value.facts = facts;
        if columns.is_some() {
            value.columns = columns;
        }
    }

    /// The columns of body value `v` at this call: those of the argument its columns are
    /// rooted at, with the columns the body assigned and dropped.
    fn translated_columns(&mut self, replay: &mut Replay, v: ValueId) -> Option<Rc<Columns>> {
        let columns = self.model.values[v].columns.clone()?;
        let root = columns.root;
        let Kind::Param { index } = self.model.values[root].kind else {
            return Some(columns);
        };
        let argument = *replay.arguments.get(index)?;
        if argument == UNKNOWN {
            return Some(columns);
        }
        let outer = self.columns_of(argument);
        let mut result = (*outer).clone();
        if !columns.open {
            result.open = false;
            result.known = columns
                .known
                .iter()
                .map(|c| match c.span {
                    None => outer
                        .known
                        .iter()
                        .find(|o| o.name == c.name)
                        .cloned()
                        .unwrap_or_else(|| c.clone()),
                    Some(_) => c.clone(),
                })
                .collect();
            return Some(Rc::new(result));
        }
        // Facts the body put on the unnamed columns (a statistic merged in) stay on them.
        super::merge_facts(&mut result.base_facts, &columns.base_facts);
        super::merge_facts(&mut result.joined_facts, &columns.joined_facts);
        // Columns the body built, and columns another frame brought in under a name (a count
        // merged in and renamed): those carry facts made in the body. A column of the argument
        // the body only named keeps the caller's lineage.
        let made_here = |c: &Column| {
            c.facts.iter().any(|&f| {
                let source = self.model.facts[f].source;
                (replay.summary.first..replay.summary.end).contains(&source)
            })
        };
        for column in columns
            .known
            .iter()
            .filter(|c| c.span.is_some() || made_here(c))
        {
            result.known.retain(|c| c.name != column.name);
            result.known.push(column.clone());
        }
        for name in &columns.dropped {
            result.known.retain(|c| &c.name != name);
            if !result.dropped.contains(name) {
                result.dropped.push(name.clone());
            }
        }
        Some(Rc::new(result))
    }
}

struct Replay<'s> {
    summary: &'s Summary,
    arguments: Vec<ValueId>,
    map: HashMap<ValueId, ValueId>,
    splits: HashMap<SplitId, SplitId>,
    /// Body facts re-made for this call (see `rebase_facts`).
    facts: HashMap<FactId, FactId>,
    /// Body facts that do not hold at this call: the clock read as the default of a
    /// parameter the call passes.
    dropped: Vec<FactId>,
    at: Span,
}

impl Replay<'_> {
    fn depends(&self, v: ValueId) -> u64 {
        if v < self.summary.first || v >= self.summary.end {
            return 0;
        }
        self.summary.deps[v.index() - self.summary.first.index()]
    }
}
