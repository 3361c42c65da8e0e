//! What logs: log and metrics sinks in handlers, decorators, middleware and the helpers other
//! modules may call.

use super::inputs::{Parameter, handler_parameters, reads_request_body};
use super::{is_identifier, mentions, split_decorated};
use crate::ml;
use crate::project::extract::Extractor;
use crate::project::summary::{Entry, Middleware};
use crate::source::python::Syntax;
use tree_sitter::Node;

impl<'a> Extractor<'a> {
    /// Decorators on the handler that log (`@log_prediction`, `@monitoring.track_request()`):
    /// one of the file that logs, or one named for it; an imported one becomes a shared call,
    /// which the project stage resolves.
    pub(super) fn decorator_logging(&self, handler: Node, entry: &mut Entry) {
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

    /// The names that hold the request or the prediction in a handler: its parameters, and
    /// what is assigned from a prediction or from those names (two rounds). A log call that
    /// mentions none of them (latency, an exception) records neither inputs nor predictions.
    pub(super) fn data_names_of(&self, bodies: &[Node]) -> Vec<String> {
        let Some(handler) = bodies.first() else {
            return Vec::new();
        };
        let mut names: Vec<String> = handler_parameters(*handler, self)
            .into_iter()
            .filter_map(|p| match p {
                Parameter::Named(n)
                | Parameter::Schema(n)
                | Parameter::Raw(n)
                | Parameter::Bare(n) => Some(n),
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
                    let mut targets = Vec::new();
                    bound_names(left, self, &mut targets);
                    for target in targets {
                        assignments.push((target.to_string(), self.text(right)));
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
                if ml::serving::STREAMLIT_INPUTS
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
                let predicts = ml::PREDICT_METHODS.iter().any(|m| right.contains(m))
                    || right.contains("model(");
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
    pub(super) fn carries_request_data(&self, args: &[Node]) -> bool {
        let names = self.data_names.borrow();
        names.is_empty()
            || args.iter().any(|arg| {
                let text = self.text(*arg);
                names.iter().any(|n| mentions(text, n))
                    || (self.global_request() && reads_request_body(text))
            })
    }

    /// Middleware and request hooks the file registers, and the top-level functions and
    /// classes whose bodies log data.
    pub(in crate::project) fn middleware(&mut self, root: Node<'a>) {
        // Only a module can be imported by a serving file: notebooks and tests log for no one.
        let importable = !self.summary.notebook
            && !self.summary.test
            && (self.uses_module(ml::monitoring::LOG_MODULES)
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
                    || (ml::serving::HOOK_METHODS.contains(&last)
                        && function.kind_name() == "attribute")
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
            .is_some_and(|a| ml::serving::HOOK_METHODS.contains(&self.text(a)))
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

    /// A call that logs or records values: `logging`, a logger, structlog, loguru, print,
    /// Prometheus `observe`, a message producer, a database insert, whylogs, MLflow.
    /// A cheap test before [`Self::is_log_sink`]: the call's last name or its module could
    /// make it a log or metrics sink.
    fn may_log(&self, callee: &str, last: &str) -> bool {
        if [
            ml::monitoring::LOG_METHODS,
            ml::monitoring::RECORD_METHODS,
            ml::monitoring::STORE_METHODS,
        ]
        .iter()
        .any(|methods| methods.contains(&last))
        {
            return true;
        }
        let head = callee.split('.').next().unwrap_or(callee);
        let module = self.imports.get(head).map_or(head, String::as_str);
        let top = module.split('.').next().unwrap_or(module);
        ml::monitoring::SINK_MODULES.contains(&top)
    }

    pub(super) fn is_log_sink(
        &self,
        function: Node,
        callee: &str,
        last: &str,
        qualified: &str,
    ) -> bool {
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
        (ml::monitoring::LOG_METHODS.contains(&last)
            && (receiver_last.contains("log") || receiver_last == "app.logger"))
            || ml::monitoring::RECORD_METHODS.contains(&last)
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
    pub(super) fn writes_request_data(&self, function: Node, last: &str, args: &[Node]) -> bool {
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
    pub(super) fn inserts_rows(&self, last: &str, args: &[Node]) -> bool {
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
    pub(super) fn has_data_argument(&self, args: &[Node]) -> bool {
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
}

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

static LOG_WORDS: crate::project::hints::Words = crate::project::hints::Words::new(&[LOG_HINTS]);

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

/// The names an assignment's target binds, as the model binds them: `x`, `x: int`, `a, (b, c)`,
/// `[a, *rest]`. An attribute or a subscript (`self.x`, `row["a"]`) binds no name.
fn bound_names<'a>(target: Node, x: &Extractor<'a>, out: &mut Vec<&'a str>) {
    match target.kind_name() {
        "identifier" => out.push(x.text(target)),
        "pattern_list" | "tuple_pattern" | "list_pattern" | "tuple" | "list"
        | "expression_list" => {
            let mut cursor = target.walk();
            for part in target.named_children(&mut cursor) {
                bound_names(part, x, out);
            }
        }
        "list_splat_pattern" | "list_splat" | "parenthesized_expression" => {
            if let Some(inner) = target.named_child(0) {
                bound_names(inner, x, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::summary_of;

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

    #[test]
    fn the_names_an_assignment_binds_are_read_from_its_targets() {
        use crate::project::extract::Extractor;
        use crate::source::{SourceFile, python};
        let code = "def handle(req):\n    a, (b, c) = split(req)\n    x: int = a\n    [d, *rest] = c\n    self.y, row['k'] = b, c\n    (e) = req\n";
        let file = SourceFile::python("h.py".into(), "h.py".into(), code.to_string());
        let tree = python::parse(&file.text).expect("the parser starts");
        let model = crate::model::build(&file, &tree);
        let x = Extractor::new(&file, &tree, &model, Default::default());
        let handler = tree.root_node().named_child(0).expect("the handler");
        let mut names = x.data_names_of(&[handler]);
        names.sort();
        // `self.y` and `row['k']` bind no name; every other target does, nested or starred.
        assert_eq!(names, ["a", "b", "c", "d", "e", "req", "rest", "x"]);
    }
}
