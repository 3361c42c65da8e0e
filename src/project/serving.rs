//! Serving entry points (catalog S7): route handlers of web frameworks, serving-library
//! handlers and conventions, and what each handler can build, loads, predicts and logs.

use super::extract::{Extractor, string_literal};
use super::summary::{Entry, Place};
use crate::finding::Span;
use crate::ml::Category;
use crate::model::{Event, IoOp, Kind};
use std::collections::HashSet;
use tree_sitter::Node;

/// Methods that make predictions.
const PREDICT_METHODS: &[&str] = &[
    "predict",
    "predict_proba",
    "predict_log_proba",
    "decision_function",
    "predict_on_batch",
];

/// Parameter annotations that are plain values, not a request schema.
const PRIMITIVES: &[&str] = &[
    "int",
    "float",
    "str",
    "bool",
    "bytes",
    "Optional[int]",
    "Optional[float]",
    "Optional[str]",
];

/// Annotations of a raw request or body: the payload's fields are unknown.
const RAW_BODIES: &[&str] = &[
    "dict",
    "Dict",
    "Request",
    "Any",
    "list",
    "List",
    "JSONResponse",
];

/// Serving-library base classes and the method that serves.
const HANDLER_BASES: &[(&str, &[&str], &str)] = &[
    ("mlflow.pyfunc.PythonModel", &["predict"], "MLflow pyfunc"),
    ("kserve.Model", &["predict"], "KServe model"),
    ("kserve.KFModel", &["predict"], "KServe model"),
    (
        "ts.torch_handler.base_handler.BaseHandler",
        &["inference", "handle"],
        "TorchServe handler",
    ),
    (
        "seldon_core.user_model.SeldonComponent",
        &["predict"],
        "Seldon model",
    ),
];

impl<'a> Extractor<'a> {
    pub(super) fn entries(&mut self, root: Node<'a>) {
        let web = self.uses_module(super::extract::WEB_FRAMEWORKS);
        let stem = module_stem(&self.summary.path);
        let serving_module = super::extract::SERVING_MODULES
            .iter()
            .any(|m| stem.starts_with(m));
        let top: Vec<Node<'a>> = {
            let mut cursor = root.walk();
            root.named_children(&mut cursor).collect()
        };
        let defined: HashSet<String> = self.functions.keys().cloned().collect();
        let mut candidates: Vec<(Node<'a>, String, String)> = Vec::new();
        for node in &top {
            let (decorators, definition) = split_decorated(*node);
            let Some(definition) = definition else {
                continue;
            };
            let Some(name) = definition
                .child_by_field_name("name")
                .map(|n| self.text(n).to_string())
            else {
                continue;
            };
            match definition.kind() {
                "function_definition" => {
                    if let Some(framework) = self.route_framework(&decorators, web) {
                        candidates.push((definition, name, framework));
                    } else if matches!(name.as_str(), "predict_fn" | "transform_fn")
                        && defined.contains("model_fn")
                    {
                        candidates.push((definition, name, "SageMaker handler".into()));
                    } else if name == "run" && defined.contains("init") {
                        candidates.push((definition, name, "AzureML scoring script".into()));
                    } else if serving_module
                        && super::extract::SERVING_FUNCTIONS
                            .iter()
                            .any(|f| name == *f || name.starts_with(&format!("{f}_")))
                    {
                        let framework = format!("`{name}` in a serving module");
                        candidates.push((definition, name, framework));
                    }
                }
                "class_definition" => {
                    self.class_entries(definition, &name, &decorators, &mut candidates)
                }
                _ => {}
            }
        }
        // `gr.Interface(fn=predict)`, `demo.click(predict, ...)`: Gradio handlers.
        if self.uses_module(&["gradio"]) {
            for (name, node) in self.gradio_handlers(root) {
                if let Some(definition) = self.functions.get(&name).copied()
                    && !candidates.iter().any(|(_, n, _)| *n == name)
                {
                    let _ = node;
                    candidates.push((definition, name, "Gradio app".into()));
                }
            }
        }
        for (node, name, framework) in &candidates {
            if let Some(entry) = self.entry(*node, name, framework) {
                self.summary.entries.push(entry);
            }
        }
        // Other functions that predict, for entry points the configuration declares.
        let mut others: Vec<(&String, Node<'a>)> = self
            .functions
            .iter()
            .filter(|(name, _)| !candidates.iter().any(|(_, n, _)| n == *name))
            .map(|(name, node)| (name, *node))
            .collect();
        others.sort_by_key(|(_, node)| node.start_byte());
        for (name, node) in others {
            if let Some(entry) = self.entry(node, name, "declared entry point") {
                self.summary.candidates.push(entry);
            }
        }
        // A Streamlit app serves from the module itself.
        if self.uses_module(&["streamlit"]) && self.summary.entries.is_empty() {
            let predicts = self.predict_calls(&[root]);
            if let Some(first) = predicts.first() {
                let mut entry =
                    self.describe_entry(&[root], "<streamlit app>", "Streamlit app", *first);
                entry.predicts = predicts;
                self.summary.entries.push(entry);
            }
        }
    }

    /// The framework of a route decorator (`@app.post("/predict")`), if one is.
    fn route_framework(&self, decorators: &[Node], web: bool) -> Option<String> {
        for decorator in decorators {
            let expression = decorator.named_child(0)?;
            let callee = if expression.kind() == "call" {
                expression.child_by_field_name("function")?
            } else {
                expression
            };
            if callee.kind() != "attribute" {
                continue;
            }
            let method = callee
                .child_by_field_name("attribute")
                .map(|a| self.text(a))?;
            let qualified = self.qualify(self.text(callee));
            if qualified.starts_with("bentoml.") {
                return Some("BentoML API".into());
            }
            if web && ROUTE_METHODS_ANY.contains(&method) {
                let framework = self
                    .summary
                    .imports
                    .iter()
                    .find_map(|(_, q)| {
                        let top = q.split('.').next()?;
                        super::extract::WEB_FRAMEWORKS.contains(&top).then_some(top)
                    })
                    .unwrap_or("web");
                return Some(format!("{} route", framework_name(framework)));
            }
        }
        None
    }

    fn class_entries(
        &self,
        class: Node<'a>,
        class_name: &str,
        decorators: &[Node<'a>],
        out: &mut Vec<(Node<'a>, String, String)>,
    ) {
        let bases: Vec<String> = class
            .child_by_field_name("superclasses")
            .map(|s| {
                let mut cursor = s.walk();
                s.named_children(&mut cursor)
                    .map(|b| self.qualify(self.text(b)))
                    .collect()
            })
            .unwrap_or_default();
        let methods = class_methods(class, self);
        for (base, serving, framework) in HANDLER_BASES {
            if bases.iter().any(|b| b == base) {
                for wanted in *serving {
                    if let Some((node, _)) = methods.iter().find(|(_, name)| name == wanted) {
                        out.push((
                            *node,
                            format!("{class_name}.{wanted}"),
                            (*framework).to_string(),
                        ));
                        return;
                    }
                }
            }
        }
        let decorated = |prefix: &str| {
            decorators.iter().any(|d| {
                self.qualify(
                    self.text(*d)
                        .trim_start_matches('@')
                        .split('(')
                        .next()
                        .unwrap_or(""),
                )
                .starts_with(prefix)
            })
        };
        if decorated("ray.serve.deployment") || decorated("ray.serve") {
            for (node, name) in &methods {
                if name == "__call__" || PREDICT_METHODS.contains(&name.as_str()) {
                    out.push((
                        *node,
                        format!("{class_name}.{name}"),
                        "Ray Serve deployment".into(),
                    ));
                }
            }
            return;
        }
        if decorated("bentoml.service") {
            for (node, name) in &methods {
                let (method_decorators, _) = split_decorated(node.parent().unwrap_or(*node));
                let api = method_decorators.iter().any(|d| {
                    self.qualify(
                        self.text(*d)
                            .trim_start_matches('@')
                            .split('(')
                            .next()
                            .unwrap_or(""),
                    )
                    .starts_with("bentoml.api")
                });
                if api {
                    out.push((
                        *node,
                        format!("{class_name}.{name}"),
                        "BentoML service".into(),
                    ));
                }
            }
        }
    }

    fn gradio_handlers(&self, root: Node<'a>) -> Vec<(String, Node<'a>)> {
        let mut out = Vec::new();
        let mut stack = vec![root];
        while let Some(node) = stack.pop() {
            if node.kind() == "call"
                && let Some(function) = node.child_by_field_name("function")
            {
                let callee = self.qualify(self.text(function));
                let is_gradio = callee.starts_with("gradio.Interface")
                    || callee.ends_with(".click")
                    || callee.ends_with(".submit")
                    || callee.ends_with(".change");
                if is_gradio && let Some(arguments) = node.child_by_field_name("arguments") {
                    let mut cursor = arguments.walk();
                    for arg in arguments.named_children(&mut cursor) {
                        let value = if arg.kind() == "keyword_argument" {
                            if arg.child_by_field_name("name").map(|n| self.text(n)) != Some("fn") {
                                continue;
                            }
                            arg.child_by_field_name("value")
                        } else {
                            Some(arg)
                        };
                        if let Some(value) = value
                            && value.kind() == "identifier"
                        {
                            out.push((self.text(value).to_string(), node));
                            break;
                        }
                    }
                }
            }
            let mut cursor = node.walk();
            stack.extend(node.named_children(&mut cursor));
        }
        out
    }

    /// The entry for a handler, if it predicts (directly or through a function of the file
    /// it calls).
    fn entry(&self, handler: Node<'a>, name: &str, framework: &str) -> Option<Entry> {
        let bodies = self.bodies(handler);
        let predicts = self.predict_calls(&bodies);
        let first = *predicts.first()?;
        let mut entry = self.describe_entry(&bodies, name, framework, first);
        entry.place = handler
            .child_by_field_name("name")
            .map_or(entry.place, |n| self.node_place(n));
        entry.predicts = predicts;
        self.parameters(handler, &mut entry);
        Some(entry)
    }

    /// The handler's body and the bodies of the file's functions (and the class's methods)
    /// it calls: one level.
    fn bodies(&self, handler: Node<'a>) -> Vec<Node<'a>> {
        let mut bodies = vec![handler];
        let mut seen: HashSet<usize> = HashSet::new();
        seen.insert(handler.start_byte());
        let methods = handler
            .parent()
            .and_then(|p| {
                if p.kind() == "decorated_definition" {
                    p.parent()
                } else {
                    Some(p)
                }
            })
            .filter(|p| p.kind() == "block")
            .and_then(|b| b.parent())
            .filter(|c| c.kind() == "class_definition")
            .map(|class| class_methods(class, self))
            .unwrap_or_default();
        let mut stack = vec![handler];
        while let Some(node) = stack.pop() {
            if node.kind() == "call"
                && let Some(function) = node.child_by_field_name("function")
            {
                let callee = self.text(function);
                let target = if let Some(method) = callee.strip_prefix("self.") {
                    methods.iter().find(|(_, n)| n == method).map(|(n, _)| *n)
                } else {
                    self.functions.get(callee).copied()
                };
                if let Some(target) = target
                    && seen.insert(target.start_byte())
                {
                    bodies.push(target);
                }
            }
            let mut cursor = node.walk();
            stack.extend(node.named_children(&mut cursor));
        }
        bodies
    }

    /// Calls that predict in `bodies`: a predict method, or a function named like one.
    fn predict_calls(&self, bodies: &[Node]) -> Vec<Place> {
        let mut out = Vec::new();
        for body in bodies {
            let mut stack = vec![*body];
            while let Some(node) = stack.pop() {
                if node.kind() == "call"
                    && let Some(function) = node.child_by_field_name("function")
                {
                    let last = self.text(function).rsplit('.').next().unwrap_or("");
                    let predicts = PREDICT_METHODS.contains(&last)
                        || (function.kind() == "attribute"
                            && matches!(last, "generate" | "encode" | "infer")
                            && self.loads_any())
                        || (function.kind() == "identifier"
                            && self.imports.contains_key(last)
                            && (last.starts_with("predict") || last.starts_with("score")));
                    if predicts {
                        out.push(self.node_place(node));
                    }
                }
                let mut cursor = node.walk();
                stack.extend(node.named_children(&mut cursor));
            }
        }
        out.sort_by_key(|p| p.span.start);
        out.dedup_by_key(|p| p.span.start);
        out
    }

    fn loads_any(&self) -> bool {
        self.model.io.iter().any(|io| io.op == IoOp::Load)
    }

    /// What the handler bodies show: loads used, features built, logging, fits, calls.
    fn describe_entry(&self, bodies: &[Node], name: &str, framework: &str, first: Place) -> Entry {
        let spans: Vec<Span> = bodies
            .iter()
            .map(|b| Span::new(b.start_byte(), b.end_byte()))
            .collect();
        let within = |s: Span| spans.iter().any(|b| b.start <= s.start && s.end <= b.end);
        let load_values: Vec<(usize, usize)> = self
            .model
            .io
            .iter()
            .filter(|io| io.op == IoOp::Load)
            .enumerate()
            .map(|(i, io)| (i, io.value))
            .collect();
        let mut loads = Vec::new();
        let mut fits = Vec::new();
        let mut closed_columns: Vec<String> = Vec::new();
        let mut input_open = false;
        for (index, event) in self.model.events.iter().enumerate() {
            // A fit in a function of the file is seen in its body and again, replayed, at
            // each call: the body is among the handler's bodies, so the replay adds nothing.
            let replayed = self.model.replayed.get(index).is_some_and(Option::is_some);
            match event {
                Event::Predict {
                    estimator,
                    input,
                    span,
                    ..
                } if within(*span) => {
                    for (i, v) in &load_values {
                        if (*v == *estimator || self.model.derives_from(*estimator, |x| x == *v))
                            && !loads.contains(i)
                        {
                            loads.push(*i);
                        }
                    }
                    match self.model.columns(*input) {
                        Some(columns) if !columns.open => {
                            closed_columns.extend(columns.known.iter().map(|c| c.name.clone()));
                        }
                        _ => input_open = true,
                    }
                }
                Event::Fit {
                    estimator,
                    method,
                    span,
                    ..
                } if within(*span) && !replayed => {
                    let class = self
                        .model
                        .estimator(*estimator)
                        .filter(|e| e.category != Category::Loaded)
                        .map(|e| e.short_name().to_string());
                    if let Some(class) = class {
                        fits.push((method.clone(), class, self.place(*span)));
                    }
                }
                _ => {}
            }
        }
        if loads.is_empty() && !load_values.is_empty() {
            // The handler predicts through something the analysis cannot follow
            // (`app.state.model`): the file's loads are what it serves.
            loads = load_values.iter().map(|(i, _)| *i).collect();
        }
        let mut entry = Entry {
            name: name.to_string(),
            framework: framework.to_string(),
            place: first,
            loads,
            fits,
            ..Entry::default()
        };
        entry.available.extend(closed_columns);
        let _ = input_open;
        for body in bodies {
            self.scan_body(*body, &mut entry);
        }
        let mut seen = HashSet::new();
        entry.available.retain(|c| seen.insert(c.clone()));
        entry
    }

    /// Feature names, positional vectors, logging, opaque sources and shared calls in a body.
    fn scan_body(&self, body: Node, entry: &mut Entry) {
        let mut stack = vec![body];
        while let Some(node) = stack.pop() {
            match node.kind() {
                "dictionary" => {
                    let mut cursor = node.walk();
                    for pair in node.named_children(&mut cursor) {
                        if pair.kind() == "pair"
                            && let Some(key) = pair.child_by_field_name("key")
                            && let Some(name) = string_literal(self.text(key))
                        {
                            entry.available.push(name);
                        }
                    }
                }
                "subscript" => {
                    // `payload["age"]`, `df["tenure_days"] = ...`
                    if let Some(key) = node.child_by_field_name("subscript")
                        && let Some(name) = string_literal(self.text(key))
                    {
                        entry.available.push(name);
                    }
                }
                "call" => self.scan_call(node, entry),
                _ => {}
            }
            let mut cursor = node.walk();
            stack.extend(node.named_children(&mut cursor));
        }
    }

    fn scan_call(&self, node: Node, entry: &mut Entry) {
        let Some(function) = node.child_by_field_name("function") else {
            return;
        };
        let callee = self.text(function);
        let last = callee.rsplit('.').next().unwrap_or(callee);
        let qualified = self.qualify(callee);
        let arguments = node.child_by_field_name("arguments");
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
                if arg.kind() == "keyword_argument"
                    && let Some(name) = arg.child_by_field_name("name")
                {
                    entry.available.push(self.text(name).to_string());
                }
            }
        }
        // `store.get_online_features(features=["view:age", ...])`
        if last == "get_online_features" {
            let mut listed = false;
            for arg in &args {
                let value = if arg.kind() == "keyword_argument" {
                    if arg.child_by_field_name("name").map(|n| self.text(n)) != Some("features") {
                        continue;
                    }
                    arg.child_by_field_name("value")
                } else {
                    Some(*arg)
                };
                if let Some(list) = value.filter(|v| v.kind() == "list") {
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
        if super::extract::OPAQUE_SOURCES.contains(&qualified.as_str()) {
            entry.open = true;
        }
        // `model.predict([[a, b, c]])`, `model.predict(np.array([[a, b]]))`
        if PREDICT_METHODS.contains(&last)
            && let Some(first) = args.first()
            && let Some(count) = self.positional_count(*first)
        {
            entry.positional = Some(count);
        }
        if self.is_log_sink(function, callee, last, &qualified) && self.has_data_argument(&args) {
            entry.logged = true;
        }
        // Fits the model did not see (`enc.adapt(batch)`, `tok.fit_on_texts(texts)`).
        if matches!(last, "adapt" | "fit_on_texts") && function.kind() == "attribute" {
            let place = self.node_place(node);
            if !entry.fits.iter().any(|(_, _, p)| p.span == place.span) {
                let receiver = callee.rsplit_once('.').map_or(callee, |(r, _)| r);
                entry
                    .fits
                    .push((last.to_string(), receiver.to_string(), place));
            }
        }
        let head = callee.split('.').next().unwrap_or(callee);
        if self.imports.contains_key(head) && !qualified.is_empty() {
            entry.shared_calls.push(qualified);
        }
    }

    /// `[[a, b, c]]` or `np.array([[a, b, c]])`: the number of values per row.
    fn positional_count(&self, node: Node) -> Option<usize> {
        let list = match node.kind() {
            "list" => node,
            "call" => {
                let callee = self.qualify(self.text(node.child_by_field_name("function")?));
                if !matches!(
                    callee.as_str(),
                    "numpy.array" | "numpy.asarray" | "torch.tensor"
                ) {
                    return None;
                }
                node.child_by_field_name("arguments")?.named_child(0)?
            }
            _ => return None,
        };
        if list.kind() != "list" {
            return None;
        }
        let row = list.named_child(0)?;
        if row.kind() != "list" || list.named_child_count() != 1 {
            return None;
        }
        let mut cursor = row.walk();
        let items: Vec<Node> = row.named_children(&mut cursor).collect();
        if items
            .iter()
            .any(|i| matches!(i.kind(), "list_splat" | "comment"))
        {
            return None;
        }
        Some(items.len())
    }

    /// A call that logs or records values: `logging`, a logger, structlog, loguru, print,
    /// Prometheus `observe`, a message producer, a database insert, whylogs, MLflow.
    fn is_log_sink(&self, function: Node, callee: &str, last: &str, qualified: &str) -> bool {
        const LOG_METHODS: &[&str] = &[
            "debug",
            "info",
            "warning",
            "warn",
            "error",
            "exception",
            "critical",
            "log",
            "msg",
        ];
        if qualified == "print" || qualified.starts_with("logging.") {
            return true;
        }
        if [
            "structlog",
            "loguru",
            "whylogs",
            "mlflow.log",
            "wandb.log",
            "bentoml.monitor",
        ]
        .iter()
        .any(|m| qualified.starts_with(m))
        {
            return true;
        }
        if function.kind() != "attribute" {
            return false;
        }
        let receiver = callee
            .rsplit_once('.')
            .map_or("", |(r, _)| r)
            .to_ascii_lowercase();
        let receiver_last = receiver.rsplit('.').next().unwrap_or(&receiver);
        (LOG_METHODS.contains(&last)
            && (receiver_last.contains("log") || receiver_last == "app.logger"))
            || matches!(
                last,
                "observe"
                    | "send"
                    | "produce"
                    | "publish"
                    | "insert_one"
                    | "insert_many"
                    | "to_sql"
                    | "to_parquet"
                    | "to_csv"
                    | "put_record"
                    | "put_item"
            )
            || (last == "add" && (receiver_last.contains("session") || receiver_last == "db"))
    }

    /// An argument that carries data, not only literals.
    fn has_data_argument(&self, args: &[Node]) -> bool {
        args.iter().any(|arg| {
            let value = if arg.kind() == "keyword_argument" {
                arg.child_by_field_name("value")
            } else {
                Some(*arg)
            };
            value.is_some_and(|v| {
                !matches!(
                    v.kind(),
                    "string" | "integer" | "float" | "true" | "false" | "none"
                ) || self.text(v).contains('{')
            })
        })
    }

    /// Parameter annotations: schema types and plain named values.
    fn parameters(&self, handler: Node, entry: &mut Entry) {
        let Some(parameters) = handler.child_by_field_name("parameters") else {
            return;
        };
        let mut raw_body = false;
        let mut cursor = parameters.walk();
        for parameter in parameters.named_children(&mut cursor) {
            if !matches!(
                parameter.kind(),
                "typed_parameter" | "typed_default_parameter"
            ) {
                continue;
            }
            let name = parameter
                .child_by_field_name("name")
                .or_else(|| parameter.named_child(0))
                .map(|n| self.text(n).to_string())
                .unwrap_or_default();
            let Some(annotation) = parameter.child_by_field_name("type") else {
                continue;
            };
            let annotation = self.text(annotation).trim().to_string();
            if PRIMITIVES.contains(&annotation.as_str()) {
                entry.available.push(name);
            } else if RAW_BODIES
                .iter()
                .any(|r| annotation == *r || annotation.starts_with(&format!("{r}[")))
            {
                raw_body = true;
            } else {
                let inner = annotation
                    .trim_start_matches("List[")
                    .trim_start_matches("list[")
                    .trim_end_matches(']')
                    .to_string();
                entry.schema_types.push(self.qualify(&inner));
            }
        }
        let _ = raw_body;
    }

    pub(super) fn scoring(&mut self) {
        if self.summary.test
            || !self.summary.trainings.is_empty()
            || !self.summary.entries.is_empty()
            || self.summary.writes.is_empty()
        {
            return;
        }
        let mut places = Vec::new();
        for event in &self.model.events {
            if let Event::Predict {
                estimator, span, ..
            } = event
                && matches!(&self.model.values[*estimator].kind, Kind::Estimator(e) if e.category == Category::Loaded)
            {
                places.push(self.place(*span));
            }
        }
        places.dedup_by_key(|p| p.span.start);
        if !places.is_empty() {
            self.summary.scoring_fits = self.fits_on_scored_data();
        }
        self.summary.scoring = places;
    }

    /// Transformers fitted on data that a loaded model then predicts on: the job refits
    /// its preprocessing on each batch it scores.
    fn fits_on_scored_data(&self) -> Vec<(String, String, Place)> {
        let predicted: Vec<crate::model::ValueId> = self
            .model
            .events
            .iter()
            .filter_map(|e| match e {
                Event::Predict {
                    estimator, input, ..
                } if matches!(&self.model.values[*estimator].kind, Kind::Estimator(e) if e.category == Category::Loaded) => {
                    Some(*input)
                }
                _ => None,
            })
            .collect();
        let mut out: Vec<(String, String, Place)> = Vec::new();
        for event in &self.model.events {
            let Event::Fit {
                estimator,
                x: Some(x),
                method,
                span,
                ..
            } = event
            else {
                continue;
            };
            let Some(est) = self.model.estimator(*estimator) else {
                continue;
            };
            let stateful = est.category.is_stateful_transformer()
                || est.category == Category::Composite && est.stateful_steps.is_some();
            if !stateful {
                continue;
            }
            if !matches!(method.as_str(), "fit" | "fit_transform" | "partial_fit") {
                continue;
            }
            if predicted.iter().any(|&p| self.data_derives(p, *x)) {
                let place = self.place(*span);
                if !out.iter().any(|(_, _, p)| p.span == place.span) {
                    out.push((method.clone(), est.short_name().to_string(), place));
                }
            }
        }
        out
    }

    /// Whether `id` was computed from the data `from`, not counting what reaches it through
    /// an estimator (a transformer fitted on other data and applied to `id`).
    fn data_derives(&self, id: crate::model::ValueId, from: crate::model::ValueId) -> bool {
        let mut seen = HashSet::new();
        let mut stack = vec![id];
        while let Some(current) = stack.pop() {
            if current >= self.model.values.len() || !seen.insert(current) {
                continue;
            }
            if current == from {
                return true;
            }
            if matches!(self.model.values[current].kind, Kind::Estimator(_)) {
                continue;
            }
            stack.extend(self.model.values[current].inputs.iter().copied());
        }
        false
    }
}

/// Route-registering decorator methods of web frameworks.
const ROUTE_METHODS_ANY: &[&str] = &[
    "get",
    "post",
    "put",
    "patch",
    "delete",
    "route",
    "api_route",
    "websocket",
    "api",
];

fn framework_name(module: &str) -> &str {
    match module {
        "fastapi" => "FastAPI",
        "flask" | "flask_restful" | "flask_restx" => "Flask",
        "starlette" => "Starlette",
        "django" | "rest_framework" | "ninja" => "Django",
        "litestar" => "Litestar",
        "sanic" => "Sanic",
        "quart" => "Quart",
        "aiohttp" => "aiohttp",
        "falcon" => "Falcon",
        "bottle" => "Bottle",
        "tornado" => "Tornado",
        other => other,
    }
}

/// `app/serve.py` → `serve`.
fn module_stem(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.trim_end_matches(".py")
        .trim_end_matches(".ipynb")
        .to_ascii_lowercase()
}

/// A decorated definition's decorators and definition; a plain definition has none.
fn split_decorated(node: Node) -> (Vec<Node>, Option<Node>) {
    match node.kind() {
        "decorated_definition" => {
            let mut cursor = node.walk();
            let decorators: Vec<Node> = node
                .named_children(&mut cursor)
                .filter(|c| c.kind() == "decorator")
                .collect();
            (decorators, node.child_by_field_name("definition"))
        }
        "function_definition" | "class_definition" => (Vec::new(), Some(node)),
        _ => (Vec::new(), None),
    }
}

/// The methods of a class: (definition, name).
fn class_methods<'n>(class: Node<'n>, x: &Extractor) -> Vec<(Node<'n>, String)> {
    let Some(body) = class.child_by_field_name("body") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut cursor = body.walk();
    for statement in body.named_children(&mut cursor) {
        let (_, definition) = split_decorated(statement);
        if let Some(definition) = definition.filter(|d| d.kind() == "function_definition")
            && let Some(name) = definition.child_by_field_name("name")
        {
            out.push((definition, x.text(name).to_string()));
        }
    }
    out
}
