//! Serving (catalog S7): the entry points of a file, what each handler can build from its
//! request, what it loads, predicts and logs, and the batch jobs that score with a loaded model.
//! Each capability has its file; this one holds what a handler's description puts together.

mod batch;
mod entries;
mod fits;
mod inputs;
mod logging;

use super::extract::{Extractor, string_literal};
use super::summary::{Entry, Place, Recognised};
use crate::finding::Span;
use crate::ml;
use crate::model::{Event, FitMethod, IoOp};
use crate::source::python::{Syntax, split_decorated};
use entries::recognised;
use inputs::InputFlow;
use std::collections::HashSet;
use tree_sitter::Node;

impl<'a> Extractor<'a> {
    /// What the handler bodies show: loads used, features built, logging, fits, calls.
    fn describe_entry(&self, bodies: &[Node], name: &str, framework: &str, first: Place) -> Entry {
        let spans: Vec<Span> = bodies
            .iter()
            .map(|b| Span::new(b.start_byte(), b.end_byte()))
            .collect();
        let within = |s: Span| spans.iter().any(|b| b.start <= s.start && s.end <= b.end);
        let load_values = self.io_values(IoOp::Load);
        let mut loads = Vec::new();
        let mut flow = InputFlow::default();
        let mut predict_columns: Vec<String> = Vec::new();
        let handler = bodies.first().copied();
        for event in &self.model.events {
            if let Event::Predict {
                estimator,
                input,
                span,
                ..
            } = event
                && within(*span)
            {
                for (i, v) in &load_values {
                    if (*v == *estimator || self.model.derives_from(*estimator, |x| x == *v))
                        && !loads.contains(i)
                    {
                        loads.push(*i);
                    }
                }
                if let Some(handler) = handler {
                    self.input_flow(*input, handler, &mut flow);
                }
                if let Some(columns) = self.model.columns(*input)
                    && !columns.open
                    && !columns.known.is_empty()
                {
                    predict_columns = columns.known.iter().map(|c| c.name.clone()).collect();
                }
            }
        }
        let (fits, top_level_fits) =
            self.serving_fits(&within, recognised(framework) == Recognised::Script);
        let guessed = loads.is_empty() && load_values.len() > 1;
        if loads.is_empty() && !load_values.is_empty() {
            // The handler predicts through something the analysis cannot follow
            // (`app.state.model`): the file's loads are what it serves.
            loads = load_values.iter().map(|(i, _)| *i).collect();
        }
        let mut entry = Entry {
            name: name.to_string(),
            framework: framework.to_string(),
            recognised: recognised(framework),
            place: first,
            loads,
            fits,
            top_level_fits,
            // Which of several models the handler serves is a guess: its columns are not
            // compared with any one of them.
            resolved: flow.resolved && !guessed,
            open: flow.open,
            input_calls: flow.calls,
            values_row: flow.values_of,
            predict_columns,
            ..Entry::default()
        };
        entry.available.extend(flow.names);
        *self.data_names.borrow_mut() = self.data_names_of(bodies);
        for body in bodies {
            self.scan_body(*body, &mut entry);
        }
        self.data_names.borrow_mut().clear();
        // `X = np.array([[a, b, c]])` then `model.predict(X)`: a positional row built in a
        // variable is compared by its length, like one written inside the call.
        if entry.positional.is_none()
            && let Some((count, names)) = self.row_predicted_by_name(bodies)
        {
            entry.positional = Some(count);
            entry.positional_names = names;
        }
        entry.constants = bodies
            .iter()
            .flat_map(|body| upper_case_names(self.text(*body)))
            .collect();
        let mut known = HashSet::new();
        entry.constants.retain(|c| known.insert(c.clone()));
        let mut seen = HashSet::new();
        entry.available.retain(|c| seen.insert(c.clone()));
        entry
    }

    /// Feature names, positional vectors, logging, opaque sources and shared calls in a body.
    fn scan_body(&self, body: Node, entry: &mut Entry) {
        for &node in self.nodes_in(body) {
            match node.kind_name() {
                // A response (`return {"p": ...}`, `jsonify({...})`) names outputs, not features.
                "dictionary" if !self.is_response(node) => {
                    let mut cursor = node.walk();
                    for pair in node.named_children(&mut cursor) {
                        if pair.kind_name() == "pair"
                            && let Some(key) = pair.field("key")
                            && let Some(name) = string_literal(self.text(key))
                        {
                            entry.available.push(name);
                        }
                    }
                }
                "subscript" => {
                    // `payload["age"]`, `df["tenure_days"] = ...`
                    if let Some(key) = node.field("subscript")
                        && let Some(name) = string_literal(self.text(key))
                    {
                        entry.available.push(name);
                    }
                }
                "call" => self.scan_call(node, entry),
                _ => {}
            }
        }
    }

    fn scan_call(&self, node: Node, entry: &mut Entry) {
        let Some(function) = node.field("function") else {
            return;
        };
        let callee = self.text(function);
        let last = callee.rsplit('.').next().unwrap_or(callee);
        let qualified = self.qualify(callee);
        let arguments = node.field("arguments");
        let args: Vec<Node> = arguments
            .map(|a| {
                let mut cursor = a.walk();
                a.named_children(&mut cursor).collect()
            })
            .unwrap_or_default();
        // `payload.get("age")`
        if last == "get"
            && let Some(first) = args.first()
            && let Some(name) = string_literal(self.text(*first))
        {
            entry.available.push(name);
        }
        // `df.assign(x=...)`
        if last == "assign" {
            for arg in &args {
                if arg.kind_name() == "keyword_argument"
                    && let Some(name) = arg.field("name")
                {
                    entry.available.push(self.text(name).to_string());
                }
            }
        }
        // `store.get_online_features(features=["view:age", ...])`
        if last == "get_online_features" {
            let mut listed = false;
            for arg in &args {
                let value = if arg.kind_name() == "keyword_argument" {
                    if arg.field("name").map(|n| self.text(n)) != Some("features") {
                        continue;
                    }
                    arg.field("value")
                } else {
                    Some(*arg)
                };
                if let Some(list) = value.filter(|v| v.kind_name() == "list") {
                    let mut cursor = list.walk();
                    for item in list.named_children(&mut cursor) {
                        if let Some(name) = string_literal(self.text(item)) {
                            let field = name.rsplit(':').next().unwrap_or(&name).to_string();
                            entry.available.push(field);
                            listed = true;
                        }
                    }
                }
            }
            if !listed {
                entry.open = true;
            }
        }
        if ml::serving::OPAQUE_SOURCES.contains(&qualified.as_str()) {
            entry.open = true;
        }
        // `np.array([payload["features"]])`, `np.array(row.values)`: a row that arrives as one
        // vector of the request; its length and order cannot be told.
        if matches!(
            qualified.as_str(),
            "numpy.array" | "numpy.asarray" | "torch.tensor" | "torch.as_tensor"
        ) && let Some(first) = args.first()
            && self.vector_row(*first)
        {
            entry.open = true;
        }
        // `model.predict([[a, b, c]])`, `model.predict(np.array([[a, b]]))`
        if ml::PREDICT_METHODS.contains(&last)
            && let Some(first) = args.first()
            && let Some(items) = self.positional_row(*first)
        {
            entry.positional = Some(items.len());
            entry.positional_names = self.row_names(&items);
        }
        // `with bentoml.monitor("iris") as mon: mon.log(...)`: BentoML's monitoring context.
        if qualified.starts_with("bentoml.monitor")
            || (self.is_log_sink(function, callee, last, &qualified)
                && self.has_data_argument(&args)
                && self.carries_request_data(&args))
            || self.writes_request_data(function, last, &args)
            || (self.inserts_rows(last, &args) && self.carries_request_data(&args))
        {
            entry.logged = true;
        }
        // Fits the model did not see (`enc.adapt(batch)`, `tok.fit_on_texts(texts)`).
        // Not in a Streamlit app, whose body is the whole script: there the model's fits
        // are read with their data (see `serving_fits`).
        if let Some(method @ (FitMethod::Adapt | FitMethod::FitOnTexts)) =
            FitMethod::from_name(last)
            && function.kind_name() == "attribute"
            && entry.recognised != Recognised::Script
        {
            let place = self.node_place(node);
            if !entry.fits.iter().any(|(_, _, p)| p.span == place.span) {
                let receiver = callee.rsplit_once('.').map_or(callee, |(r, _)| r);
                entry.fits.push((method, receiver.to_string(), place));
            }
        }
        let head = callee.split('.').next().unwrap_or(callee);
        if self.imports.contains_key(head) && !qualified.is_empty() {
            entry.shared_calls.push(qualified);
        }
    }
}

/// The methods of a class: (definition, name).
fn class_methods<'n>(class: Node<'n>, x: &Extractor) -> Vec<(Node<'n>, String)> {
    let Some(body) = class.field("body") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut cursor = body.walk();
    for statement in body.named_children(&mut cursor) {
        let (_, definition) = split_decorated(statement);
        if let Some(definition) = definition.filter(|d| d.kind_name() == "function_definition")
            && let Some(name) = definition.field("name")
        {
            out.push((definition, x.text(name).to_string()));
        }
    }
    out
}

fn is_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The upper-case names in a text (`FEATURES`, `NUM_COLS`): words of letters, digits and
/// underscores with an upper-case letter and no lower-case one.
fn upper_case_names(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| {
            w.len() > 1
                && !w.starts_with(|c: char| c.is_ascii_digit())
                && w.chars().any(|c| c.is_ascii_uppercase())
                && !w.chars().any(|c| c.is_ascii_lowercase())
        })
        .map(str::to_string)
        .collect()
}

/// Whether `text` uses the name `name` (as a whole word).
fn mentions(text: &str, name: &str) -> bool {
    text.match_indices(name).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + name.len()..].chars().next();
        let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        !word(before) && !word(after)
    })
}

/// What the tests of each capability build: a file's summary and its entry points.
#[cfg(test)]
mod testing {
    use crate::project::FileSummary;
    use crate::source::{SourceFile, python};

    /// The summary of `code` as the file `path`.
    pub(super) fn summary_of(path: &str, code: &str) -> FileSummary {
        let file = SourceFile::python(path.into(), path.into(), code.to_string());
        let tree = python::parse(&file.text).expect("the parser starts");
        let model = crate::model::build(&file, &tree);
        crate::project::extract::extract(&file, &tree, &model, Default::default())
    }

    /// The (name, framework) of each entry point of `code` as the file `path`.
    pub(super) fn entries(path: &str, code: &str) -> Vec<(String, String)> {
        summary_of(path, code)
            .entries
            .into_iter()
            .map(|e| (e.name, e.framework))
            .collect()
    }

    pub(super) fn one(path: &str, code: &str, name: &str, framework: &str) {
        assert_eq!(
            entries(path, code),
            [(name.to_string(), framework.to_string())],
            "{path}"
        );
    }
}
