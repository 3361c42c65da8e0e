//! Entry-point recognition: route handlers of web frameworks, serving-library handlers and
//! conventions, and the predictions they make (directly or through a function of the file).

use super::{class_methods, split_decorated};
use crate::ml;
use crate::model::{Event, IoOp, PredictMethod};
use crate::project::extract::Extractor;
use crate::project::summary::{Entry, Place, Recognised};
use crate::source::python::Syntax;
use std::collections::HashSet;
use tree_sitter::Node;

impl<'a> Extractor<'a> {
    pub(in crate::project) fn entries(&mut self, root: Node<'a>) {
        let web = self.uses_module(ml::serving::WEB_FRAMEWORKS);
        let stem = module_stem(&self.summary.path);
        // Django function views: `views.py` (or a `views/` package) of a Django project.
        let django_views = (stem == "views" || self.summary.path.contains("/views/"))
            && self.uses_module(&["django", "rest_framework"]);
        // The file name's first word (`serve_model` → `serve`; `api001_tests` is no `api`).
        let first_word = stem.split(['_', '-', '.']).next().unwrap_or(&stem);
        let serving_module = ml::serving::SERVING_MODULES.contains(&first_word);
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
            || self.uses_module(ml::serving::SERVING_LIBRARIES)
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
                        && ml::serving::SERVING_FUNCTIONS
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
        if streamlit_script && self.summary.entries.is_empty() && !self.trains_and_saves() {
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
            if web && ml::serving::ROUTE_METHODS.contains(&method) {
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
                ml::serving::WEB_FRAMEWORKS
                    .iter()
                    .find(|f| **f == top)
                    .map(|f| ml::serving::framework_name(f))
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
                if ml::serving::ROUTE_REGISTRATIONS.contains(&last) {
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
        for (base, serving, framework) in ml::serving::HANDLER_BASES {
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
        for (base, framework) in ml::serving::VIEW_BASES {
            if base_is(base) {
                for (node, name) in &methods {
                    if ml::serving::VIEW_METHODS.contains(&name.as_str()) {
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
                    || ml::PREDICT_METHODS.contains(&name.as_str())
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
                            .is_some_and(|m| ml::PREDICT_METHODS.contains(&m));
                    if self.remote_call(function, callee) {
                        continue;
                    }
                    let predicts = ml::PREDICT_METHODS.contains(&last)
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
            // Also a prediction made inside a function of another module the handler calls
            // (`run_inference(payload)`, `PredictPipeline().predict(df)`): the model read its
            // body at the call.
            if let Event::Predict { span, method, .. } = event
                && (*method == PredictMethod::Call
                    || self.model.read_at.iter().any(|(at, _)| at == span))
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
                f.kind_name() == "attribute" && ml::PREDICT_METHODS.contains(&last)
            })
        });
        http && !predicts
    }

    /// The file's top-level functions that only call an API over HTTP (see
    /// [`FileSummary::http_functions`]).
    pub(in crate::project) fn http_functions(&mut self) {
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

    /// Whether the file fits a model and saves one, loading none: a training front end
    /// (a Streamlit page with sliders for hyperparameters and a "train" button), whose
    /// predictions score the model it has just fitted rather than serve a shipped one.
    fn trains_and_saves(&self) -> bool {
        let fits_model = self.model.events.iter().any(|event| {
            matches!(event, Event::Fit { estimator, .. }
            if self.model.estimator(*estimator).is_some_and(|e| {
                matches!(e.category, ml::Category::Model | ml::Category::Composite)
            }))
        });
        fits_model && !self.loads_any() && self.model.io.iter().any(|io| io.op == IoOp::Save)
    }
}

/// What kind of entry point a framework name stands for: the one place that reads the names
/// this module gives frameworks.
pub(super) fn recognised(framework: &str) -> Recognised {
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

/// `app/serve.py` → `serve`.
fn module_stem(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.trim_end_matches(".py")
        .trim_end_matches(".ipynb")
        .to_ascii_lowercase()
}

/// HTTP client calls: a request to another service.
fn is_http_client(qualified: &str) -> bool {
    ml::serving::HTTP_CLIENTS
        .iter()
        .any(|m| qualified.starts_with(m))
}

#[cfg(test)]
mod tests {
    use super::super::testing::{entries, one, summary_of};

    #[test]
    fn a_gradio_handler_in_a_serving_named_module_is_a_gradio_app() {
        let code = "import gradio as gr\nimport joblib\nmodel = joblib.load('m.pkl')\n\
                    def predict(x):\n    return model.predict([[x]])[0]\n\
                    gr.Interface(fn=predict, inputs='number', outputs='number').launch()\n";
        one("app.py", code, "predict", "Gradio app");
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
    fn a_streamlit_page_that_trains_and_saves_is_not_an_entry_point() {
        let training = "import pickle\nimport pandas as pd\nimport streamlit as st\n\
                        from sklearn.ensemble import RandomForestClassifier\n\
                        from sklearn.model_selection import train_test_split\n\
                        df = pd.read_csv('d.csv')\nn = st.slider('n_estimators', 10, 500)\n\
                        X_tr, X_te, y_tr, y_te = train_test_split(df[['a', 'b']], df['y'])\n\
                        model = RandomForestClassifier(n_estimators=n, random_state=0)\n\
                        model.fit(X_tr, y_tr)\nst.write(model.predict(X_te))\n\
                        if st.button('save'):\n    pickle.dump(model, open('m.pkl', 'wb'))\n";
        assert!(entries("train.py", training).is_empty());
        // A page that trains at start-up and predicts on what the user enters, saving
        // nothing, serves that model.
        let serving = training.replace(
            "if st.button('save'):\n    pickle.dump(model, open('m.pkl', 'wb'))\n",
            "a = st.number_input('a')\nst.write(model.predict([[a, 1.0]]))\n",
        );
        one("app.py", &serving, "<streamlit app>", "Streamlit app");
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
}
