//! Serving entry points (catalog S7): route handlers of web frameworks, serving-library
//! handlers and conventions, and what each handler can build, loads, predicts and logs.

use super::extract::{Extractor, string_literal};
use super::summary::{Entry, Middleware, Place, Recognised};
use crate::finding::Span;
use crate::ml::Category;
use crate::model::{Event, FitMethod, IoOp, Kind, PredictMethod, ValueId};
use crate::source::python::Syntax;
use std::collections::HashSet;
use tree_sitter::Node;

/// Text a body must contain to be read for a log or metrics sink.
const LOG_HINTS: &[&str] = &[
    "logging.",
    "logger.",
    "log.",
    "LOGGER.",
    "structlog",
    "loguru",
    "whylogs",
    "wandb.log",
    "mlflow.log",
    "print(",
    ".observe(",
    ".send(",
    ".produce(",
    ".publish(",
    "insert_",
    "to_sql(",
    "to_parquet(",
    "to_csv(",
    ".put_",
    "session.add(",
    "db.add(",
    "bentoml.monitor",
];

/// Libraries that log, record metrics or send data somewhere.
const LOG_MODULES: &[&str] = &[
    "logging",
    "structlog",
    "loguru",
    "whylogs",
    "prometheus_client",
    "statsd",
    "datadog",
    "opentelemetry",
    "kafka",
    "confluent_kafka",
    "google.cloud.pubsub",
    "boto3",
    "sqlalchemy",
    "pymongo",
    "redis",
    "mlflow",
    "wandb",
    "bentoml",
];

static LOG_WORDS: super::hints::Words = super::hints::Words::new(&[LOG_HINTS]);

/// Libraries whose modules may hold a serving entry point (besides web frameworks).
const SERVING_LIBRARIES: &[&str] = &[
    "mlflow",
    "kserve",
    "kfserving",
    "ts",
    "litserve",
    "seldon_core",
    "bentoml",
    "ray",
    "gradio",
    "streamlit",
    "sagemaker",
    "azureml",
];

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
/// A base matches by its qualified name or, ending in `.`, by prefix (`ts.torch_handler.`
/// covers TorchServe's `ImageClassifier`, `TextHandler`, ...). These handlers serve a model by
/// definition: they are entry points even when the analysis cannot see the prediction (a
/// torch module called as `self.model(x)`).
const HANDLER_BASES: &[(&str, &[&str], &str)] = &[
    (
        "mlflow.pyfunc.PythonModel",
        &["predict", "predict_stream"],
        "MLflow pyfunc",
    ),
    (
        "mlflow.pyfunc.model.PythonModel",
        &["predict"],
        "MLflow pyfunc",
    ),
    ("kserve.Model", &["predict"], "KServe model"),
    ("kserve.model.Model", &["predict"], "KServe model"),
    ("kserve.KFModel", &["predict"], "KServe model"),
    ("kfserving.KFModel", &["predict"], "KServe model"),
    (
        "ts.torch_handler.",
        &["inference", "handle", "postprocess", "preprocess"],
        "TorchServe handler",
    ),
    ("litserve.LitAPI", &["predict"], "LitServe API"),
    (
        "seldon_core.user_model.SeldonComponent",
        &["predict", "predict_raw"],
        "Seldon model",
    ),
];

/// Class-based web views (Flask MethodView and Flask-RESTful resources, Django and Django
/// REST framework views): a method named after an HTTP verb serves requests. Like routes,
/// they are entry points only when they predict.
const VIEW_BASES: &[(&str, &str)] = &[
    ("flask.views.", "Flask view"),
    ("flask_restful.Resource", "Flask-RESTful resource"),
    ("flask_restx.Resource", "Flask-RESTX resource"),
    ("django.views.", "Django view"),
    ("rest_framework.", "Django REST framework view"),
    ("tornado.web.RequestHandler", "Tornado handler"),
    ("falcon.", "Falcon resource"),
];

/// Methods of a class-based view that handle a request.
const VIEW_METHODS: &[&str] = &[
    "get",
    "post",
    "put",
    "patch",
    "delete",
    "dispatch_request",
    "create",
    "on_get",
    "on_post",
];

/// Calls that register a handler on an app or router by argument rather than by decorator
/// (`app.add_api_route("/p", predict)`, `app.add_url_rule("/p", view_func=predict)`,
/// `Route("/p", endpoint=predict)`, aiohttp's `router.add_post("/p", predict)`).
const ROUTE_REGISTRATIONS: &[&str] = &[
    "add_api_route",
    "add_url_rule",
    "add_route",
    "add_post",
    "add_get",
    "add_put",
    "Route",
    "APIRoute",
    "WebSocketRoute",
    "api_route",
];

/// Decorators and registrations that run code around every request of a web app.
const HOOK_METHODS: &[&str] = &[
    "middleware",
    "before_request",
    "after_request",
    "teardown_request",
    "before_app_request",
    "after_app_request",
];

/// What kind of entry point a framework name stands for: the one place that reads the names
/// this module gives frameworks.
fn recognised(framework: &str) -> Recognised {
    match framework {
        "MLflow pyfunc"
        | "KServe model"
        | "TorchServe handler"
        | "Seldon model"
        | "SageMaker handler"
        | "AzureML scoring script"
        | "LitServe API" => Recognised::Handler,
        "SageMaker model_fn" => Recognised::LoaderOnly,
        "Streamlit app" => Recognised::Script,
        "declared entry point" => Recognised::Declared,
        name if name.ends_with("in a serving module") => Recognised::Convention,
        _ => Recognised::Route,
    }
}

impl<'a> Extractor<'a> {
    pub(super) fn entries(&mut self, root: Node<'a>) {
        let web = self.uses_module(super::extract::WEB_FRAMEWORKS);
        let stem = module_stem(&self.summary.path);
        // Django function views: `views.py` (or a `views/` package) of a Django project.
        let django_views = (stem == "views" || self.summary.path.contains("/views/"))
            && self.uses_module(&["django", "rest_framework"]);
        // The file name's first word (`serve_model` → `serve`; `api001_tests` is no `api`).
        let first_word = stem.split(['_', '-', '.']).next().unwrap_or(&stem);
        let serving_module = super::extract::SERVING_MODULES.contains(&first_word);
        // Most modules can serve nothing: no serving library or web framework imported, no
        // serving name, no handler convention. They are not read further.
        let conventional = ["model_fn", "predict_fn", "transform_fn", "init", "handle"]
            .iter()
            .any(|f| self.functions.contains_key(*f));
        let may_serve = web
            || serving_module
            || django_views
            || conventional
            || self.declared_entries
            || self.uses_module(SERVING_LIBRARIES)
            || self.file.text.contains("features_names");
        if !may_serve {
            return;
        }
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
            let Some(name) = definition.field("name").map(|n| self.text(n).to_string()) else {
                continue;
            };
            match definition.kind_name() {
                "function_definition" => {
                    if let Some(framework) = self.route_framework(&decorators, web) {
                        candidates.push((definition, name, framework));
                    } else if matches!(name.as_str(), "predict_fn" | "transform_fn")
                        && defined.contains("model_fn")
                    {
                        candidates.push((definition, name, "SageMaker handler".into()));
                    } else if name == "model_fn"
                        && !defined.contains("predict_fn")
                        && !defined.contains("transform_fn")
                        && self.parameter_names(definition).len() <= 2
                    {
                        // Only `model_fn(model_dir)`: SageMaker's default input and predict
                        // functions serve what it returns.
                        candidates.push((definition, name, "SageMaker model_fn".into()));
                    } else if name == "run" && defined.contains("init") {
                        candidates.push((definition, name, "AzureML scoring script".into()));
                    } else if name == "handle"
                        && self.parameter_names(definition) == ["data", "context"]
                    {
                        // TorchServe's module-level custom handler: `handle(data, context)`.
                        candidates.push((definition, name, "TorchServe handler".into()));
                    } else if django_views
                        && self.parameter_names(definition).first().map(String::as_str)
                            == Some("request")
                    {
                        candidates.push((definition, name, "Django view".into()));
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
        // `app.add_api_route("/predict", predict)`, `Route("/predict", endpoint=predict)`.
        if web {
            for name in self.registered_handlers(root) {
                if let Some(definition) = self.functions.get(&name).copied()
                    && !candidates.iter().any(|(_, n, _)| *n == name)
                {
                    let framework = format!("{} route", self.web_framework());
                    candidates.push((definition, name, framework));
                }
            }
        }
        // `gr.Interface(fn=predict)`, `demo.click(predict, ...)`: Gradio handlers.
        if self.uses_module(&["gradio"]) {
            for (name, _) in self.gradio_handlers(root) {
                // Registered with Gradio: that is what it is, even in a serving-named module.
                if let Some(known) = candidates.iter_mut().find(|(_, n, _)| *n == name) {
                    if recognised(&known.2) == Recognised::Convention {
                        known.2 = "Gradio app".into();
                    }
                } else if let Some(definition) = self.functions.get(&name).copied() {
                    candidates.push((definition, name, "Gradio app".into()));
                }
            }
        }
        for (node, name, framework) in &candidates {
            if let Some(entry) = self.entry(*node, name, framework) {
                self.summary.entries.push(entry);
            }
        }
        // Other functions that predict, for entry points the configuration declares (read
        // only when it declares some).
        if !self.declared_entries {
            self.streamlit(root, &top);
            return;
        }
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
        self.streamlit(root, &top);
    }

    /// A Streamlit app serves from the module itself: a script that imports streamlit at its
    /// top (a library importing it inside a function only renders with it).
    fn streamlit(&mut self, root: Node<'a>, top: &[Node<'a>]) {
        let streamlit_script = top.iter().any(|node| {
            matches!(
                node.kind_name(),
                "import_statement" | "import_from_statement"
            ) && self.text(*node).contains("streamlit")
        });
        if streamlit_script && self.summary.entries.is_empty() {
            let predicts = self.predict_calls(&[root]);
            if let Some(first) = predicts.first() {
                let mut entry =
                    self.describe_entry(&[root], "<streamlit app>", "Streamlit app", *first);
                entry.predict_helpers = self.predict_helpers(&[root], predicts.len());
                entry.predicts = predicts;
                self.summary.entries.push(entry);
            }
        }
    }

    /// The framework of a route decorator (`@app.post("/predict")`), if one is.
    fn route_framework(&self, decorators: &[Node], web: bool) -> Option<String> {
        for decorator in decorators {
            let expression = decorator.named_child(0)?;
            let callee = if expression.kind_name() == "call" {
                expression.field("function")?
            } else {
                expression
            };
            let qualified = self.qualify(self.text(callee));
            // `@api_view(["POST"])`: a Django REST framework function view.
            if qualified == "rest_framework.decorators.api_view" {
                return Some("Django REST framework view".into());
            }
            if callee.kind_name() != "attribute" {
                continue;
            }
            let method = callee.field("attribute").map(|a| self.text(a))?;
            // `@bentoml.api`, and the old `svc = bentoml.Service(...)`; `@svc.api(...)`.
            if qualified.starts_with("bentoml.")
                || (method == "api" && self.uses_module(&["bentoml"]))
            {
                return Some("BentoML API".into());
            }
            if web && ROUTE_METHODS_ANY.contains(&method) {
                return Some(format!("{} route", self.web_framework()));
            }
        }
        None
    }

    /// The web framework the file imports, as named in messages.
    fn web_framework(&self) -> &'static str {
        self.summary
            .imports
            .iter()
            .find_map(|(_, q)| {
                let top = q.split('.').next()?;
                super::extract::WEB_FRAMEWORKS
                    .iter()
                    .find(|f| **f == top)
                    .map(|f| framework_name(f))
            })
            .unwrap_or("web")
    }

    /// The names of a function's parameters, `self` and `cls` left out.
    fn parameter_names(&self, function: Node) -> Vec<String> {
        let Some(parameters) = function.field("parameters") else {
            return Vec::new();
        };
        let mut cursor = parameters.walk();
        parameters
            .named_children(&mut cursor)
            .filter_map(|p| {
                let name = match p.kind_name() {
                    "identifier" => p,
                    _ => p.field("name").or_else(|| p.named_child(0))?,
                };
                (name.kind_name() == "identifier").then(|| self.text(name).to_string())
            })
            .filter(|n| n != "self" && n != "cls")
            .collect()
    }

    /// Functions registered as route handlers by a call (`app.add_url_rule("/p",
    /// view_func=predict)`, `Route("/p", endpoint=predict)`): the names given as arguments.
    fn registered_handlers(&self, root: Node<'a>) -> Vec<String> {
        let mut out = Vec::new();
        for &node in self.nodes_in(root) {
            if node.kind_name() == "call"
                && let Some(function) = node.field("function")
                && let Some(arguments) = node.field("arguments")
            {
                let callee = self.text(function);
                let last = callee.rsplit('.').next().unwrap_or(callee);
                if ROUTE_REGISTRATIONS.contains(&last) {
                    let mut cursor = arguments.walk();
                    for arg in arguments.named_children(&mut cursor) {
                        let value = if arg.kind_name() == "keyword_argument" {
                            arg.field("value")
                        } else {
                            Some(arg)
                        };
                        if let Some(value) = value.filter(|v| v.kind_name() == "identifier") {
                            let name = self.text(value);
                            if self.functions.contains_key(name) && !out.iter().any(|n| n == name) {
                                out.push(name.to_string());
                            }
                        }
                    }
                }
            }
        }
        out
    }

    fn class_entries(
        &self,
        class: Node<'a>,
        class_name: &str,
        decorators: &[Node<'a>],
        out: &mut Vec<(Node<'a>, String, String)>,
    ) {
        let bases: Vec<String> = class
            .field("superclasses")
            .map(|s| {
                let mut cursor = s.walk();
                s.named_children(&mut cursor)
                    .map(|b| self.qualify(self.text(b)))
                    .collect()
            })
            .unwrap_or_default();
        let methods = class_methods(class, self);
        let base_is = |wanted: &str| {
            bases
                .iter()
                .any(|b| b == wanted || (wanted.ends_with('.') && b.starts_with(wanted)))
        };
        for (base, serving, framework) in HANDLER_BASES {
            if base_is(base) {
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
                // A handler that overrides nothing that serves (TorchServe's defaults run the
                // model): the class itself is the entry point.
                out.push((class, class_name.to_string(), (*framework).to_string()));
                return;
            }
        }
        for (base, framework) in VIEW_BASES {
            if base_is(base) {
                for (node, name) in &methods {
                    if VIEW_METHODS.contains(&name.as_str()) {
                        out.push((
                            *node,
                            format!("{class_name}.{name}"),
                            (*framework).to_string(),
                        ));
                    }
                }
                return;
            }
        }
        // Seldon's Python wrapper needs no base class: `predict(self, X, features_names)`.
        if let Some((node, name)) = methods.iter().find(|(node, name)| {
            matches!(name.as_str(), "predict" | "predict_raw")
                && self
                    .parameter_names(*node)
                    .iter()
                    .any(|p| p == "features_names" || p == "feature_names")
                && bases.is_empty()
        }) {
            out.push((*node, format!("{class_name}.{name}"), "Seldon model".into()));
            return;
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
                // `__call__`, `predict`, or a route of the FastAPI app it ingresses.
                let (method_decorators, _) = split_decorated(node.parent().unwrap_or(*node));
                if name == "__call__"
                    || PREDICT_METHODS.contains(&name.as_str())
                    || self.route_framework(&method_decorators, true).is_some()
                {
                    out.push((
                        *node,
                        format!("{class_name}.{name}"),
                        "Ray Serve deployment".into(),
                    ));
                }
            }
            return;
        }
        // BentoML 1.2+ `@bentoml.service` classes, and 0.x `BentoService` subclasses; both
        // serve from their `@api` methods.
        if decorated("bentoml.service") || base_is("bentoml.BentoService") {
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
        for &node in self.nodes_in(root) {
            if node.kind_name() == "call"
                && let Some(function) = node.field("function")
            {
                let callee = self.qualify(self.text(function));
                let is_gradio = callee.starts_with("gradio.Interface")
                    || callee.starts_with("gradio.ChatInterface")
                    || callee.ends_with(".click")
                    || callee.ends_with(".submit")
                    || callee.ends_with(".change");
                if is_gradio && let Some(arguments) = node.field("arguments") {
                    let mut cursor = arguments.walk();
                    for arg in arguments.named_children(&mut cursor) {
                        let value = if arg.kind_name() == "keyword_argument" {
                            if arg.field("name").map(|n| self.text(n)) != Some("fn") {
                                continue;
                            }
                            arg.field("value")
                        } else {
                            Some(arg)
                        };
                        if let Some(value) = value
                            && value.kind_name() == "identifier"
                        {
                            out.push((self.text(value).to_string(), node));
                            break;
                        }
                    }
                }
            }
        }
        out
    }

    /// The entry for a handler, if it predicts (directly or through a function of the file
    /// it calls).
    fn entry(&self, handler: Node<'a>, name: &str, framework: &str) -> Option<Entry> {
        let bodies = self.bodies(handler);
        let predicts = self.predict_calls(&bodies);
        let name_place = handler.field("name").map(|n| self.node_place(n));
        let first = match predicts.first() {
            Some(first) => *first,
            None if recognised(framework).serves_by_definition() => name_place?,
            None => return None,
        };
        let mut entry = self.describe_entry(&bodies, name, framework, first);
        entry.place = handler
            .field("name")
            .map_or(entry.place, |n| self.node_place(n));
        entry.predict_helpers = self.predict_helpers(&bodies, predicts.len());
        entry.predicts = predicts;
        self.parameters(handler, &mut entry);
        let mut seen = HashSet::new();
        entry.available.retain(|c| seen.insert(c.clone()));
        self.decorator_logging(handler, &mut entry);
        self.descriptor_schema(handler, &mut entry);
        Some(entry)
    }

    /// BentoML's IO descriptors name the request schema in the decorator
    /// (`@svc.api(input=JSON(pydantic_model=CreditApplication))`): the handler's parameter
    /// holds that schema's fields.
    fn descriptor_schema(&self, handler: Node, entry: &mut Entry) {
        let Some(parent) = handler.parent() else {
            return;
        };
        let (decorators, _) = split_decorated(parent);
        for decorator in decorators {
            let text = self.text(decorator);
            let Some((_, rest)) = text.split_once("pydantic_model=") else {
                continue;
            };
            let name: String = rest
                .trim_start()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
                .collect();
            if !name.is_empty() {
                entry.schema_types.push(self.qualify(&name));
                entry.open = false;
            }
        }
    }

    /// Decorators on the handler that log (`@log_prediction`, `@monitoring.track_request()`):
    /// one of the file that logs, or one named for it; an imported one becomes a shared call,
    /// which the project stage resolves.
    fn decorator_logging(&self, handler: Node, entry: &mut Entry) {
        let Some(parent) = handler.parent() else {
            return;
        };
        let (decorators, _) = split_decorated(parent);
        for decorator in decorators {
            let text = self.text(decorator).trim_start_matches('@');
            let name = text.split('(').next().unwrap_or(text).trim();
            if let Some(function) = self.functions.get(name)
                && self.body_logs(*function)
            {
                entry.logged = true;
            }
            if named_for_logging(name.rsplit('.').next().unwrap_or(name)) {
                entry.logged = true;
            }
            let head = name.split('.').next().unwrap_or(name);
            if self.imports.contains_key(head) {
                entry.shared_calls.push(self.qualify(name));
            }
        }
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
                if p.kind_name() == "decorated_definition" {
                    p.parent()
                } else {
                    Some(p)
                }
            })
            .filter(|p| p.kind_name() == "block")
            .and_then(|b| b.parent())
            .filter(|c| c.kind_name() == "class_definition")
            .map(|class| class_methods(class, self))
            .unwrap_or_default();
        for &node in self.nodes_in(handler) {
            if node.kind_name() == "call"
                && let Some(function) = node.field("function")
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
        }
        bodies
    }

    /// Calls that predict in `bodies`: a predict method, or a function named like one.
    fn predict_calls(&self, bodies: &[Node]) -> Vec<Place> {
        let mut out = Vec::new();
        for body in bodies {
            for &node in self.nodes_in(*body) {
                if node.kind_name() == "call"
                    && let Some(function) = node.field("function")
                {
                    let callee = self.text(function);
                    let mut segments = callee.rsplit('.');
                    let last = segments.next().unwrap_or("");
                    // BentoML runners: `runner.predict.run(x)`, `runner.predict.async_run(x)`.
                    let runner = matches!(last, "run" | "async_run")
                        && segments
                            .next()
                            .is_some_and(|m| PREDICT_METHODS.contains(&m));
                    if self.remote_call(function, callee) {
                        continue;
                    }
                    let predicts = PREDICT_METHODS.contains(&last)
                        || runner
                        || (function.kind_name() == "attribute"
                            && matches!(last, "generate" | "encode" | "infer")
                            && self.loads_any())
                        // An imported `predict_*` helper (`predict_churn(x)`,
                        // `service.predict_churn(x)`); `score_*` is as often a metric.
                        || (last.starts_with("predict")
                            && self
                                .imports
                                .contains_key(callee.split('.').next().unwrap_or(callee)));
                    if predicts {
                        out.push(self.node_place(node));
                    }
                }
            }
        }
        // A PyTorch module called for inference in the handler (under `no_grad`, or with
        // weights loaded by `load_state_dict(torch.load(P))`) in a file that loads a model:
        // a prediction.
        for event in &self.model.events {
            if let Event::ModuleCall {
                span,
                inference: Some(_),
                ..
            } = event
                && self.loads_any()
                && bodies
                    .iter()
                    .any(|b| b.start_byte() <= span.start && span.end <= b.end_byte())
            {
                out.push(self.place(*span));
            }
        }
        // Calls the model knows predict: a loaded model called as a function (`model(x)`).
        for event in &self.model.events {
            if let Event::Predict { span, method, .. } = event
                && *method == PredictMethod::Call
                && bodies
                    .iter()
                    .any(|b| b.start_byte() <= span.start && span.end <= b.end_byte())
            {
                out.push(self.place(*span));
            }
        }
        out.sort_by_key(|p| p.span.start);
        out.dedup_by_key(|p| p.span.start);
        out
    }

    /// Whether a predict-named call asks a model behind HTTP rather than one of this code:
    /// a function of the file whose body posts to a URL (`requests.post(API_URL, json=...)`,
    /// httpx, aiohttp, urllib) and predicts nothing itself, or, in a file that loads no model,
    /// a `gradio_client` client's `predict`. A front end over a prediction API serves no model.
    fn remote_call(&self, function: Node, callee: &str) -> bool {
        if function.kind_name() == "identifier"
            && let Some(body) = self.functions.get(callee)
        {
            return self.http_only(*body);
        }
        function.kind_name() == "attribute"
            && !self.loads_any()
            && self.uses_module(&["gradio_client"])
    }

    /// Whether a function's body calls another service over HTTP and predicts nothing.
    fn http_only(&self, body: Node<'a>) -> bool {
        let calls = self.calls_under(body);
        let http = calls.iter().any(|call| {
            call.field("function")
                .is_some_and(|f| is_http_client(&self.qualify(self.text(f))))
        });
        let predicts = calls.iter().any(|call| {
            call.field("function").is_some_and(|f| {
                let text = self.text(f);
                let last = text.rsplit('.').next().unwrap_or(text);
                f.kind_name() == "attribute" && PREDICT_METHODS.contains(&last)
            })
        });
        http && !predicts
    }

    /// The file's top-level functions that only call an API over HTTP (see
    /// [`FileSummary::http_functions`]).
    pub(super) fn http_functions(&mut self) {
        if !self.uses_module(&["requests", "httpx", "aiohttp", "urllib", "urllib3", "http"]) {
            return;
        }
        let mut names: Vec<(&String, Node<'a>)> =
            self.functions.iter().map(|(n, b)| (n, *b)).collect();
        names.sort_by_key(|(_, b)| b.start_byte());
        let found: Vec<String> = names
            .into_iter()
            .filter(|(_, body)| self.http_only(*body))
            .map(|(n, _)| n.clone())
            .collect();
        self.summary.http_functions = found;
    }

    /// In a file that loads no model, the imported `predict*` helpers that make every
    /// prediction of the handler (see [`Entry::predict_helpers`]).
    fn predict_helpers(&self, bodies: &[Node], predicts: usize) -> Vec<String> {
        if self.loads_any() || predicts == 0 {
            return Vec::new();
        }
        let mut helpers = Vec::new();
        let mut count = 0;
        for body in bodies {
            for &node in self.nodes_in(*body) {
                if node.kind_name() != "call" {
                    continue;
                }
                let Some(function) = node.field("function") else {
                    continue;
                };
                let callee = self.text(function);
                let last = callee.rsplit('.').next().unwrap_or(callee);
                if last.starts_with("predict")
                    && self
                        .imports
                        .contains_key(callee.split('.').next().unwrap_or(callee))
                {
                    count += 1;
                    let qualified = self.qualify(callee);
                    if !helpers.contains(&qualified) {
                        helpers.push(qualified);
                    }
                }
            }
        }
        if count == predicts {
            helpers
        } else {
            Vec::new()
        }
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
        let load_values = self.io_values(IoOp::Load);
        let mut loads = Vec::new();
        let mut fits = Vec::new();
        let mut flow = InputFlow::default();
        let handler = bodies.first().copied();
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
                    if let Some(handler) = handler {
                        self.input_flow(*input, handler, &mut flow);
                    }
                }
                Event::Fit {
                    estimator,
                    method,
                    span,
                    x,
                    y,
                    x_text,
                    ..
                } if within(*span)
                    && !replayed
                    && !x.is_some_and(|x| self.fits_training_data(x, *y, x_text)) =>
                {
                    let class = self
                        .model
                        .estimator(*estimator)
                        .filter(|e| e.category != Category::Loaded)
                        .map(|e| e.short_name().to_string());
                    if let Some(class) = class {
                        fits.push((*method, class, self.place(*span)));
                    }
                }
                _ => {}
            }
        }
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
            // Which of several models the handler serves is a guess: its columns are not
            // compared with any one of them.
            resolved: flow.resolved && !guessed,
            open: flow.open,
            input_calls: flow.calls,
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
            && let Some(count) = self.row_predicted_by_name(bodies)
        {
            entry.positional = Some(count);
        }
        let mut seen = HashSet::new();
        entry.available.retain(|c| seen.insert(c.clone()));
        entry
    }

    /// The names that hold the request or the prediction in a handler: its parameters, and
    /// what is assigned from a prediction or from those names (two rounds). A log call that
    /// mentions none of them (latency, an exception) records neither inputs nor predictions.
    fn data_names_of(&self, bodies: &[Node]) -> Vec<String> {
        let Some(handler) = bodies.first() else {
            return Vec::new();
        };
        let mut names: Vec<String> = handler_parameters(*handler, self)
            .into_iter()
            .filter_map(|p| match p {
                Parameter::Named(n) | Parameter::Schema(n) | Parameter::Raw(n) => Some(n),
                Parameter::Receiver => None,
            })
            .collect();
        let mut assignments: Vec<(String, &str)> = Vec::new();
        for body in bodies {
            let mut cursor = body.walk();
            let mut stack = vec![*body];
            while let Some(node) = stack.pop() {
                if node.kind_name() == "assignment"
                    && let (Some(left), Some(right)) = (node.field("left"), node.field("right"))
                {
                    for target in self.text(left).split([',', '(', ')', ' ']) {
                        if !target.is_empty() && is_identifier(target) {
                            assignments.push((target.to_string(), self.text(right)));
                        }
                    }
                }
                stack.extend(node.named_children(&mut cursor));
            }
        }
        // Flask's and Quart's request is a global: `data = request.get_json()` holds the
        // request whether the prediction is then returned inline or through a variable.
        // Its method, path or headers are not the model's inputs.
        if self.global_request() {
            for (target, right) in &assignments {
                if reads_request_body(right) && !names.contains(target) {
                    names.push(target.clone());
                }
            }
        }
        // A Streamlit app's request is what its input widgets return.
        if self.uses_module(&["streamlit"]) {
            for (target, right) in &assignments {
                if STREAMLIT_INPUTS
                    .iter()
                    .any(|w| right.contains(&format!(".{w}(")))
                    && !names.contains(target)
                {
                    names.push(target.clone());
                }
            }
        }
        for _ in 0..2 {
            for (target, right) in &assignments {
                let predicts =
                    PREDICT_METHODS.iter().any(|m| right.contains(m)) || right.contains("model(");
                if !names.contains(target) && (predicts || names.iter().any(|n| mentions(right, n)))
                {
                    names.push(target.clone());
                }
            }
        }
        names
    }

    /// Whether a call's arguments mention the request or the prediction (see
    /// [`Self::data_names_of`]); true when the handler's names are not known (a Streamlit
    /// script).
    fn carries_request_data(&self, args: &[Node]) -> bool {
        let names = self.data_names.borrow();
        names.is_empty()
            || args.iter().any(|arg| {
                let text = self.text(*arg);
                names.iter().any(|n| mentions(text, n))
                    || (self.global_request() && reads_request_body(text))
            })
    }

    /// Whether `request` is Flask's (or Quart's) global request object in this file.
    fn global_request(&self) -> bool {
        self.imports
            .get("request")
            .is_some_and(|q| q == "flask.request" || q == "quart.request")
    }

    /// The length of a one-row literal (`[[a, b]]`, `np.array([[a, b]])`) assigned to a name
    /// that a predict call of the bodies takes as its input.
    fn row_predicted_by_name(&self, bodies: &[Node]) -> Option<usize> {
        let mut predicted: Vec<&str> = Vec::new();
        for body in bodies {
            for &node in self.nodes_in(*body) {
                if node.kind_name() != "call" {
                    continue;
                }
                let Some(function) = node.field("function") else {
                    continue;
                };
                let last = self.text(function).rsplit('.').next().unwrap_or("");
                if PREDICT_METHODS.contains(&last)
                    && let Some(first) = node
                        .field("arguments")
                        .and_then(|a| a.named_child(0))
                        .filter(|f| f.kind_name() == "identifier")
                {
                    predicted.push(self.text(first));
                }
            }
        }
        if predicted.is_empty() {
            return None;
        }
        for body in bodies {
            let mut cursor = body.walk();
            let mut stack = vec![*body];
            while let Some(node) = stack.pop() {
                if node.kind_name() == "assignment"
                    && let (Some(left), Some(right)) = (node.field("left"), node.field("right"))
                    && predicted.contains(&self.text(left))
                    && let Some(count) = self.positional_count(right)
                {
                    return Some(count);
                }
                stack.extend(node.named_children(&mut cursor));
            }
        }
        None
    }

    /// Follows a model's input back to where its values come from (catalog §3.1, F_serve):
    /// the names it is built with, whether those reach the request through names (resolved),
    /// and whether something the analysis cannot see supplies it (open).
    fn input_flow(&self, input: ValueId, handler: Node, flow: &mut InputFlow) {
        let parameters = handler_parameters(handler, self);
        let mut seen: HashSet<ValueId> = HashSet::new();
        let mut stack = vec![input];
        let mut budget = FLOW_BUDGET;
        while let Some(id) = stack.pop() {
            if id.index() >= self.model.values.len() || !seen.insert(id) {
                continue;
            }
            if budget == 0 {
                // Too much to follow: what else reaches the input is unknown.
                flow.open = true;
                return;
            }
            budget -= 1;
            let value = &self.model.values[id];
            if let Some(columns) = self.model.columns(id) {
                // Columns assigned on the serving frame are built; columns only named by a
                // selection (`X[FEATURES]`) are what the model expects, not what exists.
                let built = columns.known.iter().filter(|c| c.span.is_some());
                flow.names.extend(built.map(|c| c.name.clone()));
                if matches!(value.kind, Kind::Call { .. })
                    && !columns.open
                    && !columns.known.is_empty()
                {
                    // `pd.DataFrame(rows, columns=[...])`: a frame made with every column named.
                    flow.names
                        .extend(columns.known.iter().map(|c| c.name.clone()));
                    flow.resolved = true;
                }
            }
            let text = self
                .file
                .text
                .get(value.span.start..value.span.end)
                .unwrap_or("");
            match &value.kind {
                Kind::Dict(pairs) => {
                    // `{"age": req.age, ...}` flowing into the frame: its keys are the names.
                    flow.names.extend(pairs.iter().map(|(k, _)| k.clone()));
                    flow.resolved = true;
                    continue;
                }
                Kind::Estimator(_)
                | Kind::TorchModule(_)
                | Kind::Optimizer { .. }
                | Kind::Generator { .. }
                | Kind::Function(_)
                | Kind::Number(_)
                | Kind::Str(_)
                | Kind::NoneLiteral => continue,
                Kind::Param { index } => {
                    if value.span.start != handler.start_byte() {
                        // A parameter of a helper the handler calls: the call's arguments
                        // are followed at the call.
                        continue;
                    }
                    match parameters.get(*index) {
                        Some(Parameter::Receiver) => {}
                        Some(Parameter::Named(name)) => {
                            flow.names.push(name.clone());
                            flow.resolved = true;
                        }
                        Some(Parameter::Schema(_)) => flow.resolved = true,
                        Some(Parameter::Raw(_)) | None => flow.open = true,
                    }
                    continue;
                }
                Kind::Import(qualified) => {
                    // `request.json` used whole: the body's fields are unknown.
                    if is_request_object(qualified) {
                        flow.open = true;
                    }
                    continue;
                }
                Kind::Call { function }
                    if is_frame_constructor(function)
                        && self
                            .model
                            .columns(id)
                            .is_none_or(|c| c.open || c.known.is_empty()) =>
                {
                    // `pd.DataFrame(body["rows"])`, `pd.DataFrame([data])`,
                    // `pd.json_normalize(payload)`: the body (or a list of rows in it) is the
                    // frame's data, and its columns are whatever the client sends. A key
                    // read on the way names the container, not a column. Dict literals and
                    // other inputs are followed as usual.
                    for &i in &value.inputs {
                        if self.whole_body(i, handler, &parameters) {
                            flow.open = true;
                        } else {
                            stack.push(i);
                        }
                    }
                    continue;
                }
                Kind::Call { function } => {
                    if is_request_object(function) || is_data_source(function) {
                        flow.open = true;
                        continue;
                    }
                    if !is_plain_library(function) && !flow.calls.contains(function) {
                        flow.calls.push(function.clone());
                    }
                }
                Kind::Unknown if value.inputs.is_empty() => {
                    // Something with no known origin (`self.features`, a global of an
                    // unknown call) reaches the input.
                    flow.open = true;
                    continue;
                }
                _ => {}
            }
            // `build_features(req)` of a name the file neither defines nor imports (a star
            // import, a class): what it builds is unknown.
            if let Some(callee) = call_callee(text)
                && is_identifier(callee)
                && !self.functions.contains_key(callee)
                && !self.imports.contains_key(callee)
                && !BUILTINS.contains(&callee)
            {
                flow.open = true;
                continue;
            }
            // `store.get_online_features(features=[...])`: the listed features are read.
            if let Some((callee, _)) = text.split_once('(')
                && callee.trim_end().ends_with("get_online_features")
            {
                flow.resolved = true;
                continue;
            }
            // `payload["age"]`, `request.json["age"]`, `payload.get("age")`: a field read by
            // name from the request.
            if let Some(key) = keyed_read(text) {
                flow.names.push(key);
                let receiver = value
                    .inputs
                    .iter()
                    .copied()
                    .find(|&i| !matches!(self.model.values[i].kind, Kind::Str(_)));
                if receiver.is_some_and(|r| self.is_request(r, handler, &parameters, 3)) {
                    flow.resolved = true;
                    continue;
                }
            }
            // `req.age` on a handler parameter.
            if let Some((head, field)) = text.split_once('.')
                && is_identifier(head)
                && is_identifier(field)
                && parameters
                    .iter()
                    .any(|p| matches!(p, Parameter::Schema(n) | Parameter::Raw(n) if n == head))
            {
                flow.names.push(field.to_string());
            }
            stack.extend(value.inputs.iter().copied());
        }
    }

    /// Whether a value given to a frame constructor is the request's rows: the request, a
    /// key of it (`body["rows"]`, `payload.get("instances")`), or a list of those (`[data]`).
    fn whole_body(&self, id: ValueId, handler: Node, parameters: &[Parameter]) -> bool {
        let value = &self.model.values[id];
        if let Kind::Tuple(items) = &value.kind {
            return !items.is_empty()
                && items
                    .iter()
                    .all(|&i| self.whole_body(i, handler, parameters));
        }
        // A dict literal names its keys; a request schema's fields are known (`[req.dict()]`).
        if matches!(value.kind, Kind::Dict(_)) || self.schema_request(id, handler, parameters, 3) {
            return false;
        }
        if self.is_request(id, handler, parameters, 3) {
            return true;
        }
        let text = self
            .file
            .text
            .get(value.span.start..value.span.end)
            .unwrap_or("");
        keyed_read(text).is_some()
            && value
                .inputs
                .iter()
                .copied()
                .find(|&i| !matches!(self.model.values[i].kind, Kind::Str(_)))
                .is_some_and(|r| self.is_request(r, handler, parameters, 3))
    }

    /// Whether a value is (or is converted from) a handler parameter typed with a request
    /// schema.
    fn schema_request(
        &self,
        id: ValueId,
        handler: Node,
        parameters: &[Parameter],
        depth: usize,
    ) -> bool {
        let value = &self.model.values[id];
        match &value.kind {
            Kind::Param { index } => {
                value.span.start == handler.start_byte()
                    && matches!(parameters.get(*index), Some(Parameter::Schema(_)))
            }
            _ if depth > 0 => value
                .inputs
                .iter()
                .any(|&i| self.schema_request(i, handler, parameters, depth - 1)),
            _ => false,
        }
    }

    /// Whether a value is the request itself: a handler parameter, `flask.request.json`,
    /// `request.get_json()`, or one of those parsed or converted (`json.loads(...)`,
    /// `req.dict()`).
    fn is_request(
        &self,
        id: ValueId,
        handler: Node,
        parameters: &[Parameter],
        depth: usize,
    ) -> bool {
        let value = &self.model.values[id];
        match &value.kind {
            Kind::Param { index } => {
                value.span.start == handler.start_byte()
                    && !matches!(parameters.get(*index), Some(Parameter::Receiver))
            }
            Kind::Import(q) => is_request_object(q),
            Kind::Call { function } if is_request_object(function) => true,
            Kind::Call { .. } | Kind::Unknown if depth > 0 => {
                let mut inputs = value.inputs.iter().copied().filter(|&i| {
                    !matches!(self.model.values[i].kind, Kind::Str(_) | Kind::Number(_))
                });
                inputs
                    .next()
                    .is_some_and(|i| self.is_request(i, handler, parameters, depth - 1))
                    && inputs.next().is_none()
            }
            _ => false,
        }
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

    /// Whether a dict literal is (part of) what the handler returns.
    fn is_response(&self, node: Node) -> bool {
        let mut current = node.parent();
        for _ in 0..6 {
            let Some(parent) = current else {
                return false;
            };
            match parent.kind_name() {
                "return_statement" => return true,
                "function_definition" | "class_definition" | "module" => return false,
                "call" => {
                    let callee = parent.field("function").map_or("", |f| self.text(f));
                    let last = callee.rsplit('.').next().unwrap_or(callee);
                    if RESPONSES.contains(&last) {
                        return true;
                    }
                    // The dict is an argument of a call that is not a response: a frame,
                    // a feature function.
                    return false;
                }
                _ => {}
            }
            current = parent.parent();
        }
        false
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
        if super::extract::OPAQUE_SOURCES.contains(&qualified.as_str()) {
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
        if PREDICT_METHODS.contains(&last)
            && let Some(first) = args.first()
            && let Some(count) = self.positional_count(*first)
        {
            entry.positional = Some(count);
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
        if let Some(method @ (FitMethod::Adapt | FitMethod::FitOnTexts)) =
            FitMethod::from_name(last)
            && function.kind_name() == "attribute"
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

    /// Middleware and request hooks the file registers, and the top-level functions and
    /// classes whose bodies log data.
    pub(super) fn middleware(&mut self, root: Node<'a>) {
        // Only a module can be imported by a serving file: notebooks and tests log for no one.
        let importable = !self.summary.notebook
            && !self.summary.test
            && (self.uses_module(LOG_MODULES)
                || self.text_has(&["print(", ".to_csv(", ".to_parquet(", ".to_sql("]));
        let top: Vec<Node<'a>> = {
            let mut cursor = root.walk();
            root.named_children(&mut cursor).collect()
        };
        let mut logging = Vec::new();
        let mut hooks = Vec::new();
        for node in top {
            let (decorators, definition) = split_decorated(node);
            let Some(definition) = definition else {
                continue;
            };
            let Some(name) = definition.field("name") else {
                continue;
            };
            // Reading every body is a walk of the whole file; only bodies whose text names a
            // sink are read.
            let text = self.code_after_docstring(definition);
            let hooked = definition.kind_name() == "function_definition"
                && decorators.iter().any(|d| self.is_hook_decorator(*d));
            // A helper that another module may call: that its code names a sink is enough (a
            // walk of every function of every library module would cost more than the rest
            // of the summary). A hook is read precisely.
            let logs = if hooked {
                LOG_WORDS.any(text) && self.body_logs(definition)
            } else {
                importable && LOG_WORDS.any(text)
            };
            if logs {
                logging.push(self.text(name).to_string());
            }
            // `@app.middleware("http")`, `@app.after_request`, `@bp.before_app_request`.
            if definition.kind_name() == "function_definition"
                && decorators.iter().any(|d| self.is_hook_decorator(*d))
            {
                hooks.push(Middleware {
                    name: self.text(name).to_string(),
                    logs,
                    place: self.node_place(name),
                });
            }
        }
        // `app.add_middleware(LoggingMiddleware)`, `app.after_request(log_response)`,
        // `Middleware(LoggingMiddleware)`, `app.wsgi_app = Logging(app.wsgi_app)`.
        let registers = self.text_has(&["middleware", "Middleware", "_request", "wsgi_app"]);
        let registrations: &[Node<'a>] = if registers { self.nodes_in(root) } else { &[] };
        for &node in registrations {
            if node.kind_name() == "call"
                && let Some(function) = node.field("function")
                && let Some(arguments) = node.field("arguments")
            {
                let callee = self.text(function);
                let last = callee.rsplit('.').next().unwrap_or(callee);
                let first = arguments.named_child(0);
                let registered = if last == "add_middleware"
                    || last == "Middleware"
                    || (HOOK_METHODS.contains(&last) && function.kind_name() == "attribute")
                {
                    first.filter(|f| matches!(f.kind_name(), "identifier" | "attribute"))
                } else if first.is_some_and(|f| self.text(f).ends_with("wsgi_app")) {
                    Some(function)
                } else {
                    None
                };
                if let Some(registered) = registered {
                    let text = self.text(registered);
                    let logs = logging.iter().any(|l| l == text)
                        || named_for_logging(text.rsplit('.').next().unwrap_or(text));
                    hooks.push(Middleware {
                        name: self.qualify(text),
                        logs,
                        place: self.node_place(node),
                    });
                }
            }
        }
        hooks.sort_by_key(|m| m.place.span.start);
        self.summary.logging_functions = logging;
        self.summary.middleware = hooks;
    }

    fn is_hook_decorator(&self, decorator: Node) -> bool {
        let Some(expression) = decorator.named_child(0) else {
            return false;
        };
        let callee = if expression.kind_name() == "call" {
            expression.field("function")
        } else {
            Some(expression)
        };
        callee
            .filter(|c| c.kind_name() == "attribute")
            .and_then(|c| c.field("attribute"))
            .is_some_and(|a| HOOK_METHODS.contains(&self.text(a)))
    }

    /// A definition's text after its docstring (doctest `print(...)` lines are not calls).
    fn code_after_docstring(&self, definition: Node) -> &'a str {
        let end = definition.end_byte();
        let start = definition
            .field("body")
            .and_then(|body| body.named_child(0))
            .filter(|first| {
                first.kind_name() == "expression_statement"
                    && first
                        .named_child(0)
                        .is_some_and(|s| s.kind_name() == "string")
            })
            .map_or(definition.start_byte(), |doc| doc.end_byte());
        self.file.text.get(start..end).unwrap_or("")
    }

    /// Whether a body sends data to a log or metrics sink.
    fn body_logs(&self, body: Node<'a>) -> bool {
        for node in self.calls_under(body) {
            if node.kind_name() == "call"
                && let Some(function) = node.field("function")
            {
                let callee = self.text(function);
                let last = callee.rsplit('.').next().unwrap_or(callee);
                if !self.may_log(callee, last) {
                    continue;
                }
                let qualified = self.qualify(callee);
                let args: Vec<Node> = node
                    .field("arguments")
                    .map(|a| {
                        let mut cursor = a.walk();
                        a.named_children(&mut cursor).collect()
                    })
                    .unwrap_or_default();
                if qualified.starts_with("bentoml.monitor")
                    || (self.is_log_sink(function, callee, last, &qualified)
                        && self.has_data_argument(&args))
                {
                    return true;
                }
            }
        }
        false
    }

    /// A row that is a vector taken whole from somewhere: `[payload["x"]]`, `payload["x"]`,
    /// `row.values` (not a list of values written out).
    fn vector_row(&self, node: Node) -> bool {
        match node.kind_name() {
            "list" => {
                node.named_child_count() == 1
                    && node.named_child(0).is_some_and(|only| {
                        matches!(
                            only.kind_name(),
                            "subscript" | "attribute" | "identifier" | "call"
                        )
                    })
            }
            "subscript" | "attribute" => true,
            _ => false,
        }
    }

    /// `[[a, b, c]]` or `np.array([[a, b, c]])`: the number of values per row.
    fn positional_count(&self, node: Node) -> Option<usize> {
        let list = match node.kind_name() {
            "list" => node,
            "call" => {
                let callee = self.qualify(self.text(node.field("function")?));
                if !matches!(
                    callee.as_str(),
                    "numpy.array" | "numpy.asarray" | "torch.tensor"
                ) {
                    return None;
                }
                node.field("arguments")?.named_child(0)?
            }
            _ => return None,
        };
        if list.kind_name() != "list" {
            return None;
        }
        let row = list.named_child(0)?;
        if row.kind_name() != "list" || list.named_child_count() != 1 {
            return None;
        }
        let mut cursor = row.walk();
        let items: Vec<Node> = row.named_children(&mut cursor).collect();
        if items
            .iter()
            .any(|i| matches!(i.kind_name(), "list_splat" | "comment"))
        {
            return None;
        }
        Some(items.len())
    }

    /// A call that logs or records values: `logging`, a logger, structlog, loguru, print,
    /// Prometheus `observe`, a message producer, a database insert, whylogs, MLflow.
    /// A cheap test before [`Self::is_log_sink`]: the call's last name or its module could
    /// make it a log or metrics sink.
    fn may_log(&self, callee: &str, last: &str) -> bool {
        const SINK_METHODS: &[&str] = &[
            "debug",
            "info",
            "warning",
            "warn",
            "error",
            "exception",
            "critical",
            "log",
            "msg",
            "observe",
            "send",
            "produce",
            "publish",
            "insert_one",
            "insert_many",
            "to_sql",
            "to_parquet",
            "to_csv",
            "put_record",
            "put_item",
            "add",
            "print",
        ];
        const SINK_MODULES: &[&str] = &[
            "logging",
            "structlog",
            "loguru",
            "whylogs",
            "mlflow",
            "wandb",
            "bentoml",
        ];
        if SINK_METHODS.contains(&last) {
            return true;
        }
        let head = callee.split('.').next().unwrap_or(callee);
        let module = self.imports.get(head).map_or(head, String::as_str);
        let top = module.split('.').next().unwrap_or(module);
        SINK_MODULES.contains(&top)
    }

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
        if function.kind_name() != "attribute" {
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
            // pymongo, Redis streams and lists, Supabase/TinyDB tables, Firestore.
            || matches!(last, "replace_one" | "update_one" | "xadd" | "lpush" | "rpush")
            || (last == "insert"
                && (receiver_last == "db"
                    || receiver_last.starts_with("table(")
                    || receiver_last.contains("collection")))
            || (matches!(last, "add" | "set")
                && (receiver_last.starts_with("collection(")
                    || receiver_last.starts_with("document(")))
            || (matches!(last, "write" | "writerow" | "writerows")
                && self.is_open_file(receiver_last))
            || (qualified == "json.dump" && self.file.text.contains("open("))
    }

    /// `frame.to_csv(path, mode="a")`, `to_parquet`, `to_sql`, `to_json`: the data written is
    /// the receiver, which must hold the request or the prediction. Without a destination
    /// (`csv = df.to_csv(index=False)` for a download button) nothing is written: pandas
    /// returns the text.
    fn writes_request_data(&self, function: Node, last: &str, args: &[Node]) -> bool {
        if function.kind_name() != "attribute"
            || !matches!(
                last,
                "to_csv" | "to_parquet" | "to_sql" | "to_json" | "to_feather" | "to_excel"
            )
        {
            return false;
        }
        let destination = args.iter().find_map(|arg| match arg.kind_name() {
            "keyword_argument" => arg
                .field("name")
                .filter(|n| {
                    matches!(
                        self.text(*n),
                        "path_or_buf" | "path" | "name" | "con" | "excel_writer"
                    )
                })
                .and_then(|_| arg.field("value")),
            "list_splat" | "dictionary_splat" => Some(*arg),
            _ => Some(*arg),
        });
        if destination.is_none_or(|d| d.kind_name() == "none") {
            return false;
        }
        let Some(receiver) = function.field("object") else {
            return false;
        };
        let names = self.data_names.borrow();
        let text = self.text(receiver);
        names.is_empty() || names.iter().any(|n| mentions(text, n))
    }

    /// A database insert: `cursor.execute("INSERT INTO ...", row)`, `conn.execute(text(
    /// "INSERT ..."), row)`, `executemany`, an f-string statement; also SQL `UPDATE`,
    /// `REPLACE`, `UPSERT`, `MERGE`. A `SELECT` reads, it records nothing.
    fn inserts_rows(&self, last: &str, args: &[Node]) -> bool {
        if !matches!(last, "execute" | "executemany" | "exec_driver_sql") {
            return false;
        }
        let Some(first) = args.first() else {
            return false;
        };
        let text = self.text(*first);
        let lower = text.to_ascii_lowercase();
        // SQLAlchemy Core (`insert(table).values(...)`, `table.insert().values(...)`), or a
        // statement constant named for it (`INSERT_PREDICTION`).
        if ["insert(", "update(", "upsert("].iter().any(|verb| {
            lower.match_indices(verb).any(|(at, _)| {
                !lower[..at]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_')
            })
        }) || (first.kind_name() == "identifier" && lower.contains("insert"))
        {
            return true;
        }
        let statement = text
            .trim_start_matches(|c: char| c.is_alphanumeric() || c == '_' || c == '.')
            .trim_start_matches(['(', ' '])
            .trim_start_matches(['f', 'r', 'b', 'F', 'R', 'B'])
            .trim_start_matches(['"', '\'', ' ', '\n', '\t', '\\'])
            .to_ascii_uppercase();
        ["INSERT", "REPLACE", "UPSERT", "MERGE", "UPDATE"]
            .iter()
            .any(|verb| statement.starts_with(verb))
    }

    /// Whether a name is bound to a file opened for writing or a CSV writer over one:
    /// `with open(LOG, "a") as f`, `f = open(...)`, `writer = csv.writer(f)`.
    fn is_open_file(&self, name: &str) -> bool {
        if !is_identifier(name) {
            return false;
        }
        let text = &self.file.text;
        text.lines().any(|line| {
            let line = line.trim();
            (line.contains("open(") && line.ends_with(&format!(" as {name}:")))
                || line.starts_with(&format!("{name} = open("))
                || line.starts_with(&format!("{name} = csv.writer("))
                || line.starts_with(&format!("{name} = csv.DictWriter("))
        })
    }

    /// An argument that carries data, not only literals.
    fn has_data_argument(&self, args: &[Node]) -> bool {
        args.iter().any(|arg| {
            let value = if arg.kind_name() == "keyword_argument" {
                arg.field("value")
            } else {
                Some(*arg)
            };
            value.is_some_and(|v| {
                !matches!(
                    v.kind_name(),
                    "string" | "integer" | "float" | "true" | "false" | "none"
                ) || self.text(v).contains('{')
            })
        })
    }

    /// Parameter annotations: schema types and plain named values.
    fn parameters(&self, handler: Node, entry: &mut Entry) {
        let Some(parameters) = handler.field("parameters") else {
            return;
        };
        let mut raw_body = false;
        let mut cursor = parameters.walk();
        for parameter in parameters.named_children(&mut cursor) {
            if !matches!(
                parameter.kind_name(),
                "typed_parameter" | "typed_default_parameter"
            ) {
                continue;
            }
            let name = parameter
                .field("name")
                .or_else(|| parameter.named_child(0))
                .map(|n| self.text(n).to_string())
                .unwrap_or_default();
            let Some(annotation) = parameter.field("type") else {
                continue;
            };
            let annotation = self.text(annotation).trim().to_string();
            if PRIMITIVES.contains(&annotation.as_str()) {
                entry.available.push(name);
            } else if is_raw_body(&annotation) && !self.defines_schema(&annotation) {
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

    /// A file that loads models, predicts and writes only competition submissions
    /// (`submission.csv`) scores a leaderboard, not production traffic: no batch job.
    pub(super) fn scoring(&mut self) {
        if self.summary.test
            || !self.summary.trainings.is_empty()
            || !self.summary.entries.is_empty()
            || self.summary.writes.is_empty()
            || self.trains_here()
            || self
                .summary
                .writes
                .iter()
                .all(|w| w.path.as_deref().is_some_and(is_submission_file))
        {
            return;
        }
        // Predictions that reach a metric evaluate the model; only the others score (S5).
        let evaluated = self.model.reaches_metric();
        let checkpoints = self.own_checkpoints();
        let mut places = Vec::new();
        for event in &self.model.events {
            if let Event::Predict {
                estimator,
                span,
                output,
                ..
            } = event
                && matches!(&self.model.values[*estimator].kind, Kind::Estimator(e) if e.category == Category::Loaded)
                && !evaluated.get(output.index()).copied().unwrap_or(false)
                && !checkpoints.contains(estimator)
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

    /// Whether the file trains something the model does not know as a training: a
    /// PyTorch loop (`loss.backward()`, `optimizer.step()`), or an object it cannot follow
    /// fitted with a label (`net.fit(X, y, epochs=10)` of a network a helper builds). Such
    /// a file is training code even when it also predicts with a loaded model.
    fn trains_here(&self) -> bool {
        if self
            .model
            .events
            .iter()
            .any(|e| matches!(e, Event::Backward { .. } | Event::OptimizerStep { .. }))
        {
            return true;
        }
        let fits: HashSet<usize> = self
            .model
            .events
            .iter()
            .filter_map(|e| match e {
                Event::Fit { span, .. } => Some(span.start),
                _ => None,
            })
            .collect();
        self.nodes().iter().any(|node| {
            if node.kind_name() != "call" || fits.contains(&node.start_byte()) {
                return false;
            }
            let Some(function) = node.field("function") else {
                return false;
            };
            if function.kind_name() != "attribute"
                || !function
                    .field("attribute")
                    .is_some_and(|a| matches!(self.text(a), "fit" | "fit_generator"))
            {
                return false;
            }
            let Some(arguments) = node.field("arguments") else {
                return false;
            };
            let mut cursor = arguments.walk();
            let args: Vec<Node> = arguments.named_children(&mut cursor).collect();
            let positional = args
                .iter()
                .filter(|a| a.kind_name() != "keyword_argument")
                .count();
            let labelled = args.iter().any(|a| {
                a.kind_name() == "keyword_argument"
                    && a.field("name").is_some_and(|n| {
                        matches!(
                            self.text(n),
                            "y" | "epochs" | "validation_data" | "callbacks"
                        )
                    })
            });
            positional >= 2 || labelled
        })
    }

    /// Models the file loads from an artifact it also saves: a training script or notebook
    /// reloading its own checkpoint (to evaluate it, or to continue training), not a job
    /// that scores a model trained elsewhere.
    fn own_checkpoints(&self) -> HashSet<ValueId> {
        let saved: Vec<&str> = self
            .model
            .io
            .iter()
            .filter(|io| io.op == IoOp::Save)
            .filter_map(|io| io.path.as_deref())
            .collect();
        self.model
            .io
            .iter()
            .filter(|io| io.op == IoOp::Load)
            .filter(|io| {
                io.path
                    .as_deref()
                    .is_some_and(|p| saved.iter().any(|s| super::index::paths_match(s, p)))
            })
            .map(|io| io.value)
            .collect()
    }

    /// Whether a fit learns from training data rather than from the rows a job scores: a
    /// label is given to it, or its data is a split's training or validation part, a
    /// variable named for training data (`X_train`, `train_df[cols]`), or was read from a
    /// file named as training data (`train.csv`, `training_table.parquet`).
    fn fits_training_data(&self, x: ValueId, y: Option<ValueId>, x_text: &str) -> bool {
        use crate::model::rows;
        if y.is_some() {
            return true;
        }
        let variable = x_text
            .split(['[', '(', '.'])
            .next()
            .unwrap_or(x_text)
            .trim();
        if is_identifier(variable) && names_training_data(variable) {
            return true;
        }
        let parts = self.model.rows(x) & rows::PARTS;
        if parts != 0 && parts & (rows::FULL | rows::TEST) == 0 {
            return true;
        }
        let training_reads: HashSet<ValueId> = self
            .model
            .io
            .iter()
            .filter(|io| io.op == IoOp::Read)
            .filter(|io| io.path.as_deref().is_some_and(names_training_data))
            .map(|io| io.value)
            .collect();
        !training_reads.is_empty() && self.model.derives_from(x, |v| training_reads.contains(&v))
    }

    /// Transformers fitted on data that a loaded model then predicts on: the job refits
    /// its preprocessing on each batch it scores. A fit on training data is not one (the
    /// job may also score the rows it learned from).
    fn fits_on_scored_data(&self) -> Vec<(FitMethod, String, Place)> {
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
        let mut out: Vec<(FitMethod, String, Place)> = Vec::new();
        for event in &self.model.events {
            let Event::Fit {
                estimator,
                x: Some(x),
                y,
                method,
                span,
                x_text,
                ..
            } = event
            else {
                continue;
            };
            let Some(est) = self.model.estimator(*estimator) else {
                continue;
            };
            if self.fits_training_data(*x, *y, x_text) {
                continue;
            }
            let stateful = est.category.is_stateful_transformer()
                || est.category == Category::Composite && est.stateful_steps.is_some();
            if !stateful {
                continue;
            }
            if !matches!(
                method,
                FitMethod::Fit | FitMethod::FitTransform | FitMethod::PartialFit
            ) {
                continue;
            }
            if predicted.iter().any(|&p| self.data_derives(p, *x)) {
                let place = self.place(*span);
                if !out.iter().any(|(_, _, p)| p.span == place.span) {
                    out.push((*method, est.short_name().to_string(), place));
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
            if current.index() >= self.model.values.len() || !seen.insert(current) {
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

/// Whether code reads the body or parameters of Flask's global request
/// (`request.get_json()`, `request.json`, `request.form["age"]`).
fn reads_request_body(text: &str) -> bool {
    [
        "request.json",
        "request.get_json",
        "request.form",
        "request.args",
        "request.values",
        "request.data",
        "request.get_data",
        "request.files",
    ]
    .iter()
    .any(|accessor| mentions(text, accessor))
}

/// Streamlit's input widgets: what the user sends the app.
const STREAMLIT_INPUTS: &[&str] = &[
    "number_input",
    "text_input",
    "text_area",
    "selectbox",
    "multiselect",
    "slider",
    "select_slider",
    "radio",
    "checkbox",
    "date_input",
    "time_input",
    "file_uploader",
    "camera_input",
    "chat_input",
    "data_editor",
];

/// Calls that make a frame from rows or records given whole.
fn is_frame_constructor(function: &str) -> bool {
    matches!(
        function,
        "pandas.DataFrame"
            | "pandas.DataFrame.from_records"
            | "pandas.DataFrame.from_dict"
            | "pandas.json_normalize"
            | "pandas.io.json.json_normalize"
            | "polars.DataFrame"
            | "polars.from_dicts"
    )
}

/// HTTP client calls: a request to another service.
fn is_http_client(qualified: &str) -> bool {
    [
        "requests.",
        "httpx.",
        "aiohttp.",
        "urllib.request.",
        "urllib3.",
        "http.client.",
    ]
    .iter()
    .any(|m| qualified.starts_with(m))
}

/// Whether a data path's file name says it holds training data: a word `train`, `training`,
/// `trainset` or `labelled` in it (`data/train.csv`, `training_table.parquet`), not a word that
/// merely contains those letters (`trainee.csv`).
fn names_training_data(path: &str) -> bool {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let stem = name.split('.').next().unwrap_or(name).to_ascii_lowercase();
    stem.split(|c: char| !c.is_ascii_alphanumeric())
        .any(|word| {
            matches!(
                word,
                "train" | "training" | "trainset" | "traindata" | "labelled" | "labeled"
            )
        })
}

/// What the values reaching a model's input show (see `input_flow`).
#[derive(Default)]
struct InputFlow {
    /// Feature names the input is built with.
    names: Vec<String>,
    /// The input reaches the request through names, or is a frame of named columns.
    resolved: bool,
    /// Something the analysis cannot see supplies the input.
    open: bool,
    /// Functions of other modules whose results reach the input.
    calls: Vec<String>,
}

/// Calls that build a response from a dict.
const RESPONSES: &[&str] = &[
    "jsonify",
    "JSONResponse",
    "ORJSONResponse",
    "UJSONResponse",
    "Response",
    "make_response",
    "dumps",
];

/// Values followed back from one model input before giving up.
const FLOW_BUDGET: usize = 400;

/// A handler parameter, as the model numbers them (`Kind::Param`).
enum Parameter {
    /// `self`, `cls`.
    Receiver,
    /// A plain value (`age: int`): a feature of that name.
    Named(String),
    /// A request schema (`req: ChurnRequest`): its fields.
    Schema(String),
    /// A raw body (`payload: dict`, `request: Request`) or no annotation: fields unknown.
    Raw(String),
}

/// The handler's parameters in the order the model numbers them.
fn handler_parameters(handler: Node, x: &Extractor) -> Vec<Parameter> {
    let Some(parameters) = handler.field("parameters") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut cursor = parameters.walk();
    for parameter in parameters.named_children(&mut cursor) {
        let name = crate::source::python::parameter_name(parameter);
        let Some(name) = name.map(|n| x.text(n).to_string()) else {
            continue;
        };
        let annotation = parameter
            .field("type")
            .map(|t| x.text(t).trim().to_string());
        let kind = if name == "self" || name == "cls" {
            Parameter::Receiver
        } else {
            match annotation {
                Some(a) if PRIMITIVES.contains(&a.as_str()) => Parameter::Named(name),
                Some(a) if !is_raw_body(&a) || x.defines_schema(&a) => Parameter::Schema(name),
                _ => Parameter::Raw(name),
            }
        };
        out.push(kind);
    }
    // `@svc.api(input=JSON(pydantic_model=Schema))`: the request parameter is that schema.
    let described = handler
        .parent()
        .filter(|p| p.kind_name() == "decorated_definition")
        .is_some_and(|p| {
            x.text(p)[..handler.start_byte() - p.start_byte()].contains("pydantic_model=")
        });
    if described
        && let Some(first) = out.iter_mut().find(|p| matches!(p, Parameter::Raw(_)))
        && let Parameter::Raw(name) = first
    {
        *first = Parameter::Schema(std::mem::take(name));
    }
    out
}

impl Extractor<'_> {
    /// Whether the file defines a request schema of this name (a pydantic `Request` is a
    /// schema, Starlette's `Request` is the raw request).
    fn defines_schema(&self, annotation: &str) -> bool {
        self.summary.schemas.iter().any(|s| s.name == annotation)
    }
}

/// `dict`, `Dict[str, Any]`, `Request`, `Any`: an annotation that names no fields.
fn is_raw_body(annotation: &str) -> bool {
    RAW_BODIES
        .iter()
        .any(|r| annotation == *r || annotation.starts_with(&format!("{r}[")))
}

/// The request object of a web framework, or a value read from it whole.
fn is_request_object(qualified: &str) -> bool {
    [
        "flask.request",
        "quart.request",
        "bottle.request",
        "sanic.request",
    ]
    .iter()
    .any(|r| qualified == *r || qualified.starts_with(&format!("{r}.")))
}

/// A call that reads data from a file, a database or the network.
fn is_data_source(function: &str) -> bool {
    let last = function.rsplit('.').next().unwrap_or(function);
    (function.starts_with("pandas.") && last.starts_with("read_"))
        || matches!(
            function,
            "numpy.load" | "numpy.loadtxt" | "numpy.genfromtxt" | "numpy.fromfile" | "open"
        )
        || super::extract::OPAQUE_SOURCES.contains(&function)
}

/// Libraries whose functions transform values they are given and bring in no features.
fn is_plain_library(function: &str) -> bool {
    const PLAIN: &[&str] = &[
        "pandas",
        "numpy",
        "scipy",
        "sklearn",
        "torch",
        "tensorflow",
        "keras",
        "xgboost",
        "lightgbm",
        "catboost",
        "math",
        "json",
        "datetime",
        "time",
        "collections",
        "itertools",
        "functools",
        "typing",
        "pydantic",
        "fastapi",
        "flask",
        "starlette",
        "polars",
    ];
    let top = function.split('.').next().unwrap_or(function);
    !function.contains('.') || PLAIN.contains(&top)
}

/// The key of `x["age"]` or `x.get("age")` / `x.get("age", 0)`.
fn keyed_read(text: &str) -> Option<String> {
    let text = text.trim();
    if let Some(inner) = text.strip_suffix(']') {
        let open = inner.rfind('[')?;
        if open == 0 {
            return None;
        }
        return string_literal(&inner[open + 1..]);
    }
    let inner = text.strip_suffix(')')?;
    let at = inner.rfind(".get(")?;
    if at == 0 {
        return None;
    }
    let arguments = &inner[at + ".get(".len()..];
    let first = arguments.split(',').next()?;
    string_literal(first)
}

/// Builtins that convert or combine the values they are given.
const BUILTINS: &[&str] = &[
    "float",
    "int",
    "str",
    "bool",
    "list",
    "dict",
    "tuple",
    "set",
    "len",
    "round",
    "abs",
    "min",
    "max",
    "sum",
    "zip",
    "map",
    "sorted",
    "reversed",
    "enumerate",
    "range",
    "print",
    "isinstance",
];

/// The callee of a call's text (`build(x)` → `build`, `pd.DataFrame([...])` →
/// `pd.DataFrame`), when the text is one call of a dotted name.
fn call_callee(text: &str) -> Option<&str> {
    let text = text.trim();
    if !text.ends_with(')') {
        return None;
    }
    let (callee, _) = text.split_once('(')?;
    let callee = callee.trim_end();
    (!callee.is_empty() && callee.split('.').all(is_identifier)).then_some(callee)
}

fn is_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
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

/// A decorator or middleware whose name says it records requests (`RequestLogger`,
/// `log_prediction`, `track_request`, `DriftMiddleware`), not `login_required`.
fn named_for_logging(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let log = lower.contains("log")
        && !["login", "logout", "catalog", "dialog", "blog"]
            .iter()
            .any(|w| lower.contains(w));
    log || ["monitor", "audit", "track", "drift"]
        .iter()
        .any(|k| lower.contains(k))
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

/// `app/serve.py` → `serve`.
fn module_stem(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.trim_end_matches(".py")
        .trim_end_matches(".ipynb")
        .to_ascii_lowercase()
}

/// A decorated definition's decorators and definition; a plain definition has none.
fn split_decorated(node: Node) -> (Vec<Node>, Option<Node>) {
    match node.kind_name() {
        "decorated_definition" => {
            let mut cursor = node.walk();
            let decorators: Vec<Node> = node
                .named_children(&mut cursor)
                .filter(|c| c.kind_name() == "decorator")
                .collect();
            (decorators, node.field("definition"))
        }
        "function_definition" | "class_definition" => (Vec::new(), Some(node)),
        _ => (Vec::new(), None),
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

/// A competition submission file (`submission.csv`, `sub_lgbm.csv`, `sample_submission.csv`).
fn is_submission_file(path: &str) -> bool {
    let name = path
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(path)
        .to_ascii_lowercase();
    name.contains("submission") || name.starts_with("sub_") || name.starts_with("sub.")
}

#[cfg(test)]
mod tests {
    use crate::project::FileSummary;
    use crate::source::{SourceFile, python};

    /// The summary of `code` as the file `path`.
    fn summary_of(path: &str, code: &str) -> FileSummary {
        let file = SourceFile::python(path.into(), path.into(), code.to_string());
        let tree = python::parse(&file.text).expect("the parser starts");
        let model = crate::model::build(&file, &tree);
        super::super::extract(&file, &tree, &model, super::super::Options::default())
    }

    /// The (name, framework) of each entry point of `code` as the file `path`.
    fn entries(path: &str, code: &str) -> Vec<(String, String)> {
        summary_of(path, code)
            .entries
            .into_iter()
            .map(|e| (e.name, e.framework))
            .collect()
    }

    fn one(path: &str, code: &str, name: &str, framework: &str) {
        assert_eq!(
            entries(path, code),
            [(name.to_string(), framework.to_string())],
            "{path}"
        );
    }

    #[test]
    fn training_data_is_named_by_words_of_the_file_name() {
        use super::names_training_data;
        assert!(names_training_data("data/train.csv"));
        assert!(names_training_data("../input/training_table.parquet"));
        assert!(names_training_data("X-train.npy"));
        assert!(names_training_data("X_train"));
        assert!(names_training_data("train_df"));
        assert!(!names_training_data("X_batch"));
        assert!(!names_training_data("data/trainee_hours.csv"));
        assert!(!names_training_data("data/tonight.parquet"));
        assert!(!names_training_data("data/unlabelled.csv"));
    }

    #[test]
    fn a_competition_submission_is_not_a_scoring_job() {
        let job = "import joblib\nimport pandas as pd\n\
                   rows = pd.read_csv('test.csv')\n\
                   models = [joblib.load(f'fold{i}.pkl') for i in range(5)]\n\
                   model = joblib.load('fold0.pkl')\n\
                   rows['target'] = model.predict(rows[['a']])\n";
        let submission = format!("{job}rows[['id', 'target']].to_csv('submission.csv')\n");
        assert!(summary_of("predict.py", &submission).scoring.is_empty());
        let named = format!("{job}rows.to_csv(f'output/sub_{{42}}.csv')\n");
        assert!(summary_of("predict.py", &named).scoring.is_empty());
        let scores = format!("{job}rows.to_csv('scores/today.csv')\n");
        assert!(!summary_of("predict.py", &scores).scoring.is_empty());
        assert!(super::is_submission_file("../output/sample_submission.csv"));
        assert!(!super::is_submission_file("data/subscribers.csv"));
    }

    #[test]
    fn a_file_that_reloads_its_own_checkpoint_is_not_a_scoring_job() {
        let code = "import joblib\nimport pandas as pd\n\
                    rows = pd.read_parquet('h.parquet')\n\
                    model = joblib.load('ckpt/m.joblib')\n\
                    rows['p'] = model.predict(rows[['a']])\nrows.to_csv('out.csv')\n";
        assert!(!summary_of("job.py", code).scoring.is_empty());
        let resumed = format!("{code}joblib.dump(model, 'ckpt/m.joblib')\n");
        assert!(summary_of("job.py", &resumed).scoring.is_empty());
    }

    #[test]
    fn a_gradio_handler_in_a_serving_named_module_is_a_gradio_app() {
        let code = "import gradio as gr\nimport joblib\nmodel = joblib.load('m.pkl')\n\
                    def predict(x):\n    return model.predict([[x]])[0]\n\
                    gr.Interface(fn=predict, inputs='number', outputs='number').launch()\n";
        one("app.py", code, "predict", "Gradio app");
    }

    #[test]
    fn logging_latency_or_an_error_is_not_logging_predictions() {
        let head = "import logging, time\nimport joblib\nfrom fastapi import FastAPI\n\
                    app = FastAPI()\nmodel = joblib.load('m.pkl')\nlog = logging.getLogger('x')\n";
        let logged = |body: &str| {
            let code = format!("{head}@app.post('/p')\ndef predict(age: float):\n{body}");
            let summary = summary_of("app.py", &code);
            assert_eq!(summary.entries.len(), 1, "{code}");
            summary.entries[0].logged
        };
        // Only the latency or the exception reaches the log.
        assert!(!logged(
            "    start = time.time()\n    p = model.predict([[age]])[0]\n    log.info('took %s', time.time() - start)\n    return p\n"
        ));
        assert!(!logged(
            "    try:\n        return model.predict([[age]])[0]\n    except Exception as e:\n        print('failed', e)\n        raise\n"
        ));
        // The prediction, or the request, does.
        assert!(logged(
            "    p = model.predict([[age]])[0]\n    log.info(f'p={p}')\n    return p\n"
        ));
        assert!(logged(
            "    log.info('request %s', age)\n    return model.predict([[age]])[0]\n"
        ));
        // Written to a file or inserted into a database; a SELECT or an unrelated frame is not.
        assert!(logged(
            "    p = model.predict([[age]])[0]\n    db.execute('INSERT INTO log VALUES (?, ?)', (age, p))\n    return p\n"
        ));
        assert!(logged(
            "    p = model.predict([[age]])[0]\n    db.execute(f\"insert into log values ({age}, {p})\")\n    return p\n"
        ));
        assert!(!logged(
            "    n = db.execute('SELECT n FROM t WHERE a = ?', (age,)).fetchone()\n    return model.predict([[age, n]])[0]\n"
        ));
        assert!(logged(
            "    p = model.predict([[age]])[0]\n    pd.DataFrame({'age': [age], 'p': [p]}).to_csv('log.csv', mode='a')\n    return p\n"
        ));
        assert!(!logged(
            "    p = model.predict([[age]])[0]\n    stats.to_csv('stats.csv')\n    return p\n"
        ));
    }

    #[test]
    fn sagemaker_model_fn_alone_and_torch_modules_called_for_inference() {
        let code = "import joblib, os\ndef model_fn(model_dir):\n    return joblib.load(os.path.join(model_dir, 'model.joblib'))\n";
        one("script.py", code, "model_fn", "SageMaker model_fn");
        let code = "import torch\nimport torch.nn as nn\nfrom fastapi import FastAPI\napp = FastAPI()\n\
                    class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.fc = nn.Linear(8, 1)\n    def forward(self, x):\n        return self.fc(x)\n\
                    model = Net()\nmodel.load_state_dict(torch.load('net.pth'))\nmodel.eval()\n\
                    @app.post('/predict')\ndef predict(values: list):\n    with torch.no_grad():\n        return model(torch.tensor([values])).item()\n";
        one("app.py", code, "predict", "FastAPI route");
    }

    #[test]
    fn each_entry_says_what_kind_of_entry_it_is() {
        use crate::project::summary::Recognised;
        let kind = |path: &str, code: &str| summary_of(path, code).entries[0].recognised;
        let route = "import joblib\nfrom fastapi import FastAPI\napp = FastAPI()\nm = joblib.load('m.pkl')\n\
                     @app.post('/p')\ndef predict(x: float):\n    return m.predict([[x]])[0]\n";
        assert_eq!(kind("app/main.py", route), Recognised::Route);
        let loader = "import joblib\ndef model_fn(model_dir):\n    return joblib.load(model_dir + '/m.pkl')\n";
        assert_eq!(kind("script.py", loader), Recognised::LoaderOnly);
        let named = "import joblib\nm = joblib.load('m.pkl')\ndef predict(x):\n    return m.predict([[x]])[0]\n";
        assert_eq!(kind("predict.py", named), Recognised::Convention);
        let pyfunc = "import mlflow\nclass M(mlflow.pyfunc.PythonModel):\n    def predict(self, context, model_input):\n        return self.model.predict(model_input)\n";
        assert_eq!(kind("model.py", pyfunc), Recognised::Handler);
    }

    #[test]
    fn an_imported_score_helper_is_not_a_prediction() {
        // `score_model` returns a metric as often as predictions: a route that only calls it
        // is not an entry point; an imported `predict_*` helper is.
        let code = "from flask import Flask\nfrom model import score_model, predict_churn\n\
                    app = Flask(__name__)\n\
                    @app.route('/scoring')\ndef scoring():\n    return str(score_model())\n\
                    @app.route('/prediction')\ndef prediction():\n    return str(predict_churn())\n";
        one("app.py", code, "prediction", "Flask route");
        let code = "from fastapi import FastAPI\nfrom app import service\napp = FastAPI()\n\
                    @app.post('/predict')\ndef predict(x: float):\n    return service.predict_diabetes(x)\n";
        one("app/main.py", code, "predict", "FastAPI route");
    }

    #[test]
    fn fastapi_routes_on_the_app_and_on_routers_but_not_health() {
        let code = r#"
import joblib
from fastapi import APIRouter, FastAPI

app = FastAPI()
router = APIRouter()
model = joblib.load("m.joblib")

@app.get("/health")
def health():
    return {"ok": True}

@router.post("/predict")
async def predict(payload: dict):
    return {"p": model.predict([payload["x"]]).tolist()}
"#;
        one("svc/routes.py", code, "predict", "FastAPI route");
        let registered = r#"
import joblib
from fastapi import FastAPI

app = FastAPI()
model = joblib.load("m.joblib")

def score(payload: dict):
    return {"p": model.predict([payload["x"]]).tolist()}

app.add_api_route("/score", score, methods=["POST"])
"#;
        one("svc/routes.py", registered, "score", "FastAPI route");
    }

    #[test]
    fn starlette_routes_by_endpoint() {
        let code = r#"
import joblib
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

model = joblib.load("m.joblib")

async def predict(request):
    body = await request.json()
    return JSONResponse({"p": model.predict([body["x"]]).tolist()})

app = Starlette(routes=[Route("/predict", endpoint=predict, methods=["POST"])])
"#;
        one("svc/main.py", code, "predict", "Starlette route");
    }

    #[test]
    fn flask_routes_blueprints_url_rules_and_method_views() {
        let blueprint = r#"
import joblib
from flask import Blueprint, jsonify, request

bp = Blueprint("api", __name__)
model = joblib.load("m.joblib")

@bp.route("/predict", methods=["POST"])
def predict():
    return jsonify(model.predict([request.json["x"]]).tolist())
"#;
        one("svc/views_api.py", blueprint, "predict", "Flask route");
        let rule = r#"
import joblib
from flask import Flask, jsonify, request

app = Flask(__name__)
model = joblib.load("m.joblib")

def predict():
    return jsonify(model.predict([request.json["x"]]).tolist())

app.add_url_rule("/predict", view_func=predict, methods=["POST"])
"#;
        one("svc/main.py", rule, "predict", "Flask route");
        let view = r#"
import joblib
from flask import jsonify, request
from flask.views import MethodView

model = joblib.load("m.joblib")

class Predict(MethodView):
    def get(self):
        return "ok"

    def post(self):
        return jsonify(model.predict([request.json["x"]]).tolist())
"#;
        one("svc/main.py", view, "Predict.post", "Flask view");
    }

    #[test]
    fn django_function_views_and_rest_framework_views() {
        let view = r#"
import joblib
from django.http import JsonResponse

model = joblib.load("m.joblib")

def index(request):
    return JsonResponse({"ok": True})

def predict(request):
    return JsonResponse({"p": model.predict([[float(request.GET["x"])]]).tolist()})
"#;
        one("shop/views.py", view, "predict", "Django view");
        // The same functions outside a views module are not views.
        assert!(entries("shop/helpers.py", view).is_empty());
        let drf = r#"
import joblib
from rest_framework.response import Response
from rest_framework.views import APIView

model = joblib.load("m.joblib")

class PredictView(APIView):
    def post(self, request):
        return Response(model.predict([request.data["x"]]).tolist())
"#;
        one(
            "shop/api.py",
            drf,
            "PredictView.post",
            "Django REST framework view",
        );
        let decorated = r#"
import joblib
from rest_framework.decorators import api_view
from rest_framework.response import Response

model = joblib.load("m.joblib")

@api_view(["POST"])
def predict(request):
    return Response(model.predict([request.data["x"]]).tolist())
"#;
        one(
            "shop/endpoints.py",
            decorated,
            "predict",
            "Django REST framework view",
        );
    }

    #[test]
    fn bentoml_services_new_and_old() {
        let new = r#"
import bentoml
import numpy as np

@bentoml.service
class Iris:
    def __init__(self):
        self.model = bentoml.sklearn.load_model("iris:latest")

    @bentoml.api
    def classify(self, x: np.ndarray) -> np.ndarray:
        return self.model.predict(x)
"#;
        one("service.py", new, "Iris.classify", "BentoML service");
        let old = r#"
import bentoml
from bentoml.io import NumpyNdarray

runner = bentoml.sklearn.get("iris:latest").to_runner()
svc = bentoml.Service("iris", runners=[runner])

@svc.api(input=NumpyNdarray(), output=NumpyNdarray())
def classify(x):
    return runner.predict.run(x)
"#;
        one("service.py", old, "classify", "BentoML API");
        let legacy = r#"
from bentoml import BentoService, api, artifacts
from bentoml.adapters import DataframeInput
from bentoml.artifact import SklearnModelArtifact

@artifacts([SklearnModelArtifact("clf")])
class IrisClassifier(BentoService):
    @api(input=DataframeInput())
    def predict(self, df):
        return self.artifacts.clf.predict(df)
"#;
        one(
            "service.py",
            legacy,
            "IrisClassifier.predict",
            "BentoML service",
        );
    }

    #[test]
    fn litserve_apis() {
        let code = r#"
import pickle
import litserve as ls

class InferenceAPI(ls.LitAPI):
    def setup(self, device):
        self.model = pickle.load(open("m.pkl", "rb"))

    def predict(self, x):
        return self.model(x)
"#;
        one("api.py", code, "InferenceAPI.predict", "LitServe API");
    }

    #[test]
    fn ray_serve_deployments() {
        let code = r#"
import joblib
from ray import serve

@serve.deployment(num_replicas=2)
class Scorer:
    def __init__(self):
        self.model = joblib.load("m.joblib")

    async def __call__(self, request):
        body = await request.json()
        return self.model.predict([body["x"]]).tolist()
"#;
        one("deploy.py", code, "Scorer.__call__", "Ray Serve deployment");
    }

    #[test]
    fn kserve_seldon_and_torchserve_handlers() {
        let kserve = r#"
import joblib
import kserve

class Churn(kserve.Model):
    def load(self):
        self.model = joblib.load("m.joblib")

    def predict(self, payload, headers=None):
        return {"predictions": self.model.predict(payload["instances"]).tolist()}
"#;
        one("model.py", kserve, "Churn.predict", "KServe model");
        let seldon = r#"
import joblib

class Churn:
    def __init__(self):
        self.model = joblib.load("m.joblib")

    def predict(self, X, features_names=None):
        return self.model.predict_proba(X)
"#;
        one("Churn.py", seldon, "Churn.predict", "Seldon model");
        let torchserve = r#"
import torch
from ts.torch_handler.image_classifier import ImageClassifier

class Digits(ImageClassifier):
    def postprocess(self, data):
        return data.argmax(1).tolist()
"#;
        one(
            "handler.py",
            torchserve,
            "Digits.postprocess",
            "TorchServe handler",
        );
        let function = r#"
import torch

model = torch.jit.load("model.pt")

def handle(data, context):
    return model(torch.tensor(data)).tolist()
"#;
        one("custom.py", function, "handle", "TorchServe handler");
    }

    #[test]
    fn sagemaker_azureml_and_mlflow_conventions() {
        let sagemaker = r#"
import os
import joblib

def model_fn(model_dir):
    return joblib.load(os.path.join(model_dir, "model.joblib"))

def predict_fn(input_data, model):
    return model.predict(input_data)
"#;
        one("inference.py", sagemaker, "predict_fn", "SageMaker handler");
        let azure = r#"
import json
import joblib

def init():
    global model
    model = joblib.load("model.pkl")

def run(raw_data):
    data = json.loads(raw_data)["data"]
    return model.predict(data).tolist()
"#;
        one("score.py", azure, "run", "AzureML scoring script");
        let pyfunc = r#"
import mlflow

class Wrapper(mlflow.pyfunc.PythonModel):
    def load_context(self, context):
        import joblib
        self.model = joblib.load(context.artifacts["model"])

    def predict(self, context, model_input):
        return self.model.predict(model_input)
"#;
        one("wrapper.py", pyfunc, "Wrapper.predict", "MLflow pyfunc");
    }

    #[test]
    fn gradio_streamlit_and_serving_modules() {
        let gradio = r#"
import gradio as gr
import joblib

model = joblib.load("m.joblib")

def classify(x):
    return model.predict([[x]])[0]

demo = gr.Interface(fn=classify, inputs="number", outputs="text")
"#;
        one("demo.py", gradio, "classify", "Gradio app");
        let streamlit = r#"
import joblib
import streamlit as st

model = joblib.load("m.joblib")
x = st.number_input("x")
st.write(model.predict([[x]])[0])
"#;
        one(
            "dashboard.py",
            streamlit,
            "<streamlit app>",
            "Streamlit app",
        );
        let module = r#"
import joblib

model = joblib.load("m.joblib")

def predict(rows):
    return model.predict(rows)
"#;
        one(
            "src/inference.py",
            module,
            "predict",
            "`predict` in a serving module",
        );
        assert!(entries("src/features.py", module).is_empty());
    }

    #[test]
    fn logging_in_handlers_middleware_and_helpers() {
        let code = r#"
import logging
import joblib
from fastapi import FastAPI, Request

log = logging.getLogger(__name__)
app = FastAPI()
model = joblib.load("m.joblib")

@app.middleware("http")
async def log_requests(request: Request, call_next):
    response = await call_next(request)
    log.info("%s %s %s", request.method, request.url, response.status_code)
    return response

def audit(features, p):
    log.info("prediction", extra={"features": features, "p": p})

@app.post("/predict")
def predict(payload: dict):
    return {"p": model.predict([payload["x"]]).tolist()}
"#;
        let summary = summary_of("app/main.py", code);
        assert!(!summary.entries[0].logged);
        assert_eq!(summary.logging_functions, ["log_requests", "audit"]);
        assert_eq!(summary.middleware.len(), 1);
        assert!(summary.middleware[0].logs);
        let added = r#"
from fastapi import FastAPI
from app.middleware import RequestLogger
from starlette.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["*"])
app.add_middleware(RequestLogger)
"#;
        let summary = summary_of("app/main.py", added);
        let names: Vec<(&str, bool)> = summary
            .middleware
            .iter()
            .map(|m| (m.name.as_str(), m.logs))
            .collect();
        assert_eq!(
            names,
            [
                ("starlette.middleware.cors.CORSMiddleware", false),
                ("app.middleware.RequestLogger", true)
            ]
        );
        let flask = r#"
import joblib
from flask import Flask, jsonify, request

app = Flask(__name__)
model = joblib.load("m.joblib")

@app.after_request
def record(response):
    app.logger.info("%s -> %s", request.get_data(), response.get_data())
    return response

@app.route("/predict", methods=["POST"])
def predict():
    return jsonify(model.predict([request.json["x"]]).tolist())
"#;
        let summary = summary_of("app/main.py", flask);
        assert_eq!(summary.middleware.len(), 1);
        assert!(summary.middleware[0].logs);
        let bento = r#"
import bentoml

@bentoml.service
class Iris:
    def __init__(self):
        self.model = bentoml.sklearn.load_model("iris:latest")

    @bentoml.api
    def classify(self, x):
        with bentoml.monitor("iris") as mon:
            mon.log(x, name="x", role="feature", data_type="numerical")
            return self.model.predict(x)
"#;
        assert!(summary_of("service.py", bento).entries[0].logged);
        let decorated = r#"
import joblib
from flask import Flask, jsonify, request
from flask_login import login_required
from app.monitoring import track_request

app = Flask(__name__)
model = joblib.load("m.joblib")

@app.route("/predict", methods=["POST"])
@login_required
def predict():
    return jsonify(model.predict([request.json["x"]]).tolist())

@app.route("/score", methods=["POST"])
@track_request()
def score():
    return jsonify(model.predict([request.json["x"]]).tolist())
"#;
        let logged: Vec<bool> = summary_of("app/main.py", decorated)
            .entries
            .iter()
            .map(|e| e.logged)
            .collect();
        assert_eq!(logged, [false, true]);
    }
}
