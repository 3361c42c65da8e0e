//! Artifacts and data files: where models are saved and loaded, where data is written and
//! read, with the path folded from simple constant expressions. The project stage joins
//! files by these paths (an artifact edge: `joblib.dump(m, P)` here, `joblib.load(P)` there).

use super::{Args, Builder, span, string_value};
use crate::ml::artifacts::{
    MLFLOW_MODEL_KEYWORDS, MODEL_EXTENSIONS, OPEN_FUNCTIONS, PATH_FUNCTIONS, READ_FUNCTIONS,
    SAVE_FUNCTIONS, SAVE_METHODS, WRITE_FUNCTIONS,
};
use crate::model::{Io, IoOp, Kind, UNKNOWN, ValueId};
use crate::source::python::Syntax;
use tree_sitter::Node;

/// Folding stops this deep in an expression: paths are short expressions.
const MAX_FOLD_DEPTH: usize = 8;
/// The longest path a fold keeps: no file path is longer, and a string doubled line after line
/// must not be.
const MAX_FOLDED_LEN: usize = 4096;

/// Whether `qualified` opens a file (its result then stands for the path).
pub(super) fn opens_file(qualified: &str) -> bool {
    OPEN_FUNCTIONS.contains(&qualified)
}

/// An artifact or data call seen before its value is made.
pub(super) struct PendingIo {
    op: IoOp,
    function: String,
    /// What is saved or written (reads and loads use the call's result).
    value: ValueId,
    path: Option<String>,
}

impl Builder<'_> {
    /// Notes an artifact or data call of a qualified function, before its value is made.
    pub(super) fn note_io_call(&self, qualified: &str, args: &Args) -> Option<PendingIo> {
        let pending = |op, value, path| {
            Some(PendingIo {
                op,
                function: qualified.to_string(),
                value,
                path,
            })
        };
        if SAVE_FUNCTIONS.contains(&qualified) {
            let (value, _) = args.get(0, &["value", "obj", "model", "tf_model"])?;
            let path = args
                .get(1, &["filename", "file", "f", "filepath", "export_dir"])
                .and_then(|(_, n)| self.fold_path(n, 0));
            return pending(IoOp::Save, value, path);
        }
        if qualified.starts_with("mlflow.")
            && (qualified.ends_with(".log_model") || qualified.ends_with(".save_model"))
        {
            let value = args
                .get(0, MLFLOW_MODEL_KEYWORDS)
                .map_or(UNKNOWN, |(v, _)| v);
            let path = if qualified.ends_with(".log_model") {
                let registered = args
                    .keyword("registered_model_name")
                    .and_then(|(_, n)| string_value(self.text(n)));
                let artifact = args
                    .get(1, &["artifact_path", "name"])
                    .and_then(|(_, n)| string_value(self.text(n)));
                match (registered, artifact) {
                    (Some(name), _) => Some(format!("models:/{name}")),
                    (None, Some(artifact)) => Some(format!("runs:/*/{artifact}")),
                    (None, None) => None,
                }
            } else {
                args.get(1, &["path"])
                    .and_then(|(_, n)| self.fold_path(n, 0))
            };
            return pending(IoOp::Save, value, path);
        }
        // BentoML's model store: `bentoml.sklearn.save_model("churn", model)` and
        // `bentoml.sklearn.get("churn:latest")` / `load_model("churn:tag")` name one artifact.
        if let Some(rest) = qualified.strip_prefix("bentoml.") {
            let method = rest.rsplit('.').next().unwrap_or(rest);
            let tag = |index: usize| {
                args.get(index, &["name", "tag"])
                    .and_then(|(_, n)| string_value(self.text(n)))
                    .map(|name| {
                        let name = name.split(':').next().unwrap_or(&name).to_string();
                        format!("bentoml:/{name}")
                    })
            };
            match method {
                "save_model" => {
                    let value = args.get(1, &["model"]).map_or(UNKNOWN, |(v, _)| v);
                    return pending(IoOp::Save, value, tag(0));
                }
                "get" | "load_model" if rest.contains('.') => {
                    return pending(IoOp::Load, UNKNOWN, tag(0));
                }
                _ => {}
            }
        }
        // `xgb.Booster(model_file=P)`, `lgb.Booster(model_file=P)`: a booster read back.
        if (qualified.starts_with("xgboost.") || qualified.starts_with("lightgbm."))
            && qualified.ends_with(".Booster")
            && let Some((_, node)) = args.keyword("model_file")
        {
            return pending(IoOp::Load, UNKNOWN, self.fold_path(node, 0));
        }
        if READ_FUNCTIONS.contains(&qualified) {
            let path = args
                .get(
                    0,
                    &[
                        "filepath_or_buffer",
                        "path",
                        "io",
                        "source",
                        "fname",
                        "file",
                    ],
                )
                .and_then(|(_, n)| self.fold_path(n, 0));
            return pending(IoOp::Read, UNKNOWN, path);
        }
        if WRITE_FUNCTIONS.contains(&qualified) {
            let path = args
                .get(0, &["file", "fname"])
                .and_then(|(_, n)| self.fold_path(n, 0));
            let value = args.get(1, &["arr", "X"]).map_or(UNKNOWN, |(v, _)| v);
            return pending(IoOp::Write, value, path);
        }
        None
    }

    /// Records a call noted by [`Builder::note_io_call`] with the value it returned.
    pub(super) fn finish_io_call(&mut self, pending: PendingIo, result: ValueId, node: Node) {
        let value = match pending.op {
            IoOp::Read | IoOp::Load => result,
            IoOp::Save | IoOp::Write => pending.value,
        };
        self.push_io(pending.op, pending.function, value, pending.path, node);
    }

    /// The result of a call that opens a file or builds a path stands for the path.
    pub(super) fn note_path_call(&mut self, qualified: &str, args: &Args, result: ValueId) {
        if result == UNKNOWN {
            return;
        }
        if OPEN_FUNCTIONS.contains(&qualified)
            && let Some(path) = args
                .get(0, &["file"])
                .and_then(|(_, n)| self.fold_path(n, 0))
        {
            self.folded.insert(result, path);
        }
    }

    /// `model.save(path)`: a save when the receiver is a model, or the path names a model file.
    pub(super) fn note_save_method(
        &mut self,
        receiver: ValueId,
        method: &str,
        args: &Args,
        node: Node,
    ) {
        let op = if SAVE_METHODS.contains(&method) {
            IoOp::Save
        } else if matches!(method, "load_model" | "load_weights") {
            // `clf = xgb.XGBClassifier(); clf.load_model(P)`: the model is read back.
            IoOp::Load
        } else {
            return;
        };
        let Some((_, path_node)) = args.get(0, &["filepath", "fname", "path", "save_directory"])
        else {
            return;
        };
        let path = self.fold_path(path_node, 0);
        let is_model = match self.kind(receiver) {
            Kind::Estimator(_) | Kind::TorchModule(_) => true,
            _ => path.as_deref().is_some_and(|p| {
                let lower = p.to_ascii_lowercase();
                MODEL_EXTENSIONS.iter().any(|ext| lower.ends_with(ext))
            }),
        };
        if is_model {
            self.push_io(op, format!("<model>.{method}"), receiver, path, node);
        }
    }

    /// A model load (recorded with the loader's reference for CHAIN002).
    pub(super) fn note_load(
        &mut self,
        qualified: &str,
        value: ValueId,
        reference: Option<Node>,
        node: Node,
    ) {
        let path = reference.and_then(|n| self.fold_path(n, 0));
        self.push_io(IoOp::Load, qualified.to_string(), value, path, node);
    }

    /// `df.to_csv(path)`: data written.
    pub(super) fn note_write(
        &mut self,
        method: &str,
        value: ValueId,
        path: Option<Node>,
        node: Node,
    ) {
        let path = path.and_then(|n| self.fold_path(n, 0));
        self.push_io(IoOp::Write, method.to_string(), value, path, node);
    }

    /// Remembers the folded path of an assignment's right side (`MODEL = BASE / "m.pkl"`),
    /// so later uses of the name fold too.
    pub(super) fn note_folded(&mut self, right: Node, value: ValueId) {
        if value == UNKNOWN || matches!(self.kind(value), Kind::Str(_)) {
            return;
        }
        // Most right sides build no path: decide from the node before folding it.
        let may_be_path = match right.kind_name() {
            "binary_operator" => right
                .field("operator")
                .is_some_and(|o| matches!(self.text(o), "/" | "+" | "%")),
            "call" => right.field("function").is_some_and(|f| {
                let text = self.text(f);
                let last = text.rsplit('.').next().unwrap_or(text);
                PATH_FUNCTIONS
                    .iter()
                    .any(|p| p.rsplit('.').next() == Some(last))
                    || matches!(
                        last,
                        "joinpath" | "resolve" | "absolute" | "as_posix" | "format"
                    )
            }),
            "string" | "concatenated_string" => self.text(right).contains('{'),
            _ => false,
        };
        if !may_be_path {
            return;
        }
        if let Some(path) = self.fold_path(right, 0) {
            self.folded.insert(value, path);
        }
    }

    fn push_io(
        &mut self,
        op: IoOp,
        function: String,
        value: ValueId,
        path: Option<String>,
        node: Node,
    ) {
        if self.replaying {
            return;
        }
        if op == IoOp::Save {
            self.repro_save(node);
        }
        let scope = self.scope();
        let text = self.text(node);
        let text = if text.len() > 200 {
            text.chars().take(200).collect()
        } else {
            text.to_string()
        };
        self.model.io.push(Io {
            op,
            function,
            value,
            path,
            text,
            span: span(node),
            scope,
        });
    }

    /// The path an expression builds, with `*` for the parts the analysis cannot know:
    /// `os.path.join(MODEL_DIR, "churn.pkl")` → `models/churn.pkl`,
    /// `Path(__file__).parent / "model.joblib"` → `*/model.joblib`, `f"{OUT}/m_{v}.pt"` →
    /// `out/m_*.pt`. None when no part of it is known.
    pub(super) fn fold_path(&self, node: Node, depth: usize) -> Option<String> {
        let folded = self.fold(node, depth);
        folded.filter(|p| p.chars().any(|c| c != '*' && c != '/'))
    }

    /// A path folded from string parts, or None when unknown or longer than
    /// [`MAX_FOLDED_LEN`]: `p = p + p` forty times doubles a string forty times.
    fn fold(&self, node: Node, depth: usize) -> Option<String> {
        self.fold_parts(node, depth)
            .filter(|folded| folded.len() <= MAX_FOLDED_LEN)
    }

    fn fold_parts(&self, node: Node, depth: usize) -> Option<String> {
        if depth > MAX_FOLD_DEPTH {
            return None;
        }
        match node.kind_name() {
            "string" => self.fold_string(node, depth),
            "concatenated_string" => {
                let mut out = String::new();
                let mut cursor = node.walk();
                for part in node.named_children(&mut cursor) {
                    out.push_str(&self.fold(part, depth + 1).unwrap_or_else(|| "*".into()));
                }
                Some(out)
            }
            "identifier" => {
                let name = self.text(node);
                let value = self.scopes.iter().rev().find_map(|s| s.names.get(name))?;
                self.folded_value(*value)
            }
            "parenthesized_expression" => self.fold(node.named_child(0)?, depth + 1),
            "binary_operator" => {
                let op = node.field("operator").map(|o| self.text(o))?;
                let left = node.field("left")?;
                let right = node.field("right")?;
                let l = self.fold(left, depth + 1).unwrap_or_else(|| "*".into());
                let r = self.fold(right, depth + 1).unwrap_or_else(|| "*".into());
                match op {
                    "/" => Some(format!("{l}/{r}")),
                    "+" => Some(format!("{l}{r}")),
                    // `"models/%s.pkl" % name`
                    "%" if left.kind_name() == "string" => {
                        Some(l.replace("%s", "*").replace("%d", "*"))
                    }
                    _ => None,
                }
            }
            "call" => {
                let function = node.field("function")?;
                let arguments = node.field("arguments")?;
                let mut cursor = arguments.walk();
                let parts: Vec<Node> = arguments
                    .named_children(&mut cursor)
                    .filter(|n| n.kind_name() != "keyword_argument" && n.kind_name() != "comment")
                    .collect();
                if let Some(qualified) = self.qualified_callee(function) {
                    if PATH_FUNCTIONS.contains(&qualified.as_str()) {
                        return self.join_parts(&parts, depth);
                    }
                    // `pickle.dump(m, open(P, "wb"))`: the file opened stands for its path.
                    if OPEN_FUNCTIONS.contains(&qualified.as_str()) {
                        return self.fold(*parts.first()?, depth + 1);
                    }
                }
                if function.kind_name() == "attribute" {
                    let method = function.field("attribute").map(|a| self.text(a))?;
                    let object = function.field("object")?;
                    return match method {
                        "joinpath" => {
                            let mut out =
                                self.fold(object, depth + 1).unwrap_or_else(|| "*".into());
                            for part in parts {
                                out.push('/');
                                out.push_str(
                                    &self.fold(part, depth + 1).unwrap_or_else(|| "*".into()),
                                );
                            }
                            Some(out)
                        }
                        "resolve" | "absolute" | "expanduser" | "as_posix" => {
                            self.fold(object, depth + 1)
                        }
                        "format" if object.kind_name() == "string" => {
                            let template = self.fold(object, depth + 1)?;
                            Some(replace_braces(&template))
                        }
                        _ => None,
                    };
                }
                None
            }
            "attribute" => {
                // `Path(__file__).parent`, `settings.MODEL_PATH`: unknown, but a path.
                Some("*".into())
            }
            _ => None,
        }
    }

    fn join_parts(&self, parts: &[Node], depth: usize) -> Option<String> {
        if parts.is_empty() {
            return None;
        }
        let pieces: Vec<String> = parts
            .iter()
            .map(|p| self.fold(*p, depth + 1).unwrap_or_else(|| "*".into()))
            .collect();
        Some(pieces.join("/"))
    }

    fn fold_string(&self, node: Node, depth: usize) -> Option<String> {
        let mut cursor = node.walk();
        let children: Vec<Node> = node.children(&mut cursor).collect();
        if !children.iter().any(|c| c.kind_name() == "interpolation") {
            return string_value(self.text(node));
        }
        // An f-string: its literal parts, and each interpolation folded (`*` where unknown).
        let mut out = String::new();
        for child in children {
            match child.kind_name() {
                "string_content" | "escape_sequence" => out.push_str(self.text(child)),
                "interpolation" => {
                    let folded = child
                        .field("expression")
                        .or_else(|| child.named_child(0))
                        .and_then(|n| self.fold(n, depth + 1))
                        .unwrap_or_else(|| "*".into());
                    out.push_str(&folded);
                }
                _ => {}
            }
        }
        Some(out)
    }

    fn folded_value(&self, value: ValueId) -> Option<String> {
        let mut current = value;
        for _ in 0..3 {
            match self.kind(current) {
                Kind::Str(s) if !s.contains('{') => return Some(s.clone()),
                _ => {}
            }
            if let Some(path) = self.folded.get(&current) {
                return Some(path.clone());
            }
            match self.model.values[current].inputs.as_slice() {
                [single] if *single != UNKNOWN => current = *single,
                _ => return None,
            }
        }
        None
    }

    /// The qualified name of a called name (`os.path.join`, `Path`), through the imports.
    fn qualified_callee(&self, function: Node) -> Option<String> {
        let text = self.text(function);
        let (head, rest) = match text.split_once('.') {
            Some((head, rest)) => (head, Some(rest)),
            None => (text, None),
        };
        let value = self.scopes.iter().rev().find_map(|s| s.names.get(head));
        let base = match value.map(|v| self.kind(*v)) {
            Some(Kind::Import(q)) => q.clone(),
            _ => head.to_string(),
        };
        Some(match rest {
            Some(rest) => format!("{base}.{rest}"),
            None => base,
        })
    }
}

/// `"models/{}_{name}.pkl"` → `models/*_*.pkl`.
fn replace_braces(template: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in template.chars() {
        match c {
            '{' => {
                if depth == 0 {
                    out.push('*');
                }
                depth += 1;
            }
            '}' => depth = (depth - 1).max(0),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::model::IoOp;
    use crate::testutil::model_of;

    /// (op, path) of every artifact or data call in `code`.
    fn io(code: &str) -> Vec<(IoOp, Option<String>)> {
        model_of(code)
            .io
            .into_iter()
            .map(|io| (io.op, io.path))
            .collect()
    }

    fn path(code: &str) -> Option<String> {
        io(code).into_iter().next().and_then(|(_, p)| p)
    }

    #[test]
    fn paths_fold_from_constants_joins_and_f_strings() {
        let head = "import joblib, os\nfrom pathlib import Path\n";
        let cases = [
            (
                "joblib.dump(m, 'models/churn.joblib')",
                "models/churn.joblib",
            ),
            (
                "D = 'models'\njoblib.dump(m, os.path.join(D, 'churn.joblib'))",
                "models/churn.joblib",
            ),
            (
                "D = Path('models')\njoblib.dump(m, D / 'churn.joblib')",
                "models/churn.joblib",
            ),
            (
                "P = Path(__file__).parent / 'm.pkl'\njoblib.dump(m, P)",
                "*/m.pkl",
            ),
            (
                "V = 2\njoblib.dump(m, f'models/m_v{V}.pkl')",
                "models/m_v*.pkl",
            ),
            ("OUT = 'out'\njoblib.dump(m, f'{OUT}/m.pkl')", "out/m.pkl"),
            (
                "joblib.dump(m, 'models/{}.pkl'.format(name))",
                "models/*.pkl",
            ),
            ("joblib.dump(m, str(Path('a') / 'b.pkl'))", "a/b.pkl"),
        ];
        for (code, expected) in cases {
            let code = format!("{head}{code}\n");
            assert_eq!(path(&code).as_deref(), Some(expected), "{code}");
        }
        // Nothing known: no path.
        assert_eq!(path(&format!("{head}joblib.dump(m, args.out)\n")), None);
    }

    #[test]
    fn saves_loads_reads_and_writes_are_recorded() {
        let code = "import joblib, pickle, torch, mlflow\nimport pandas as pd\n\
                    df = pd.read_parquet('data/x.parquet')\n\
                    with open('m.pkl', 'wb') as f:\n    pickle.dump(model, f)\n\
                    torch.save(net.state_dict(), 'net.pt')\n\
                    mlflow.sklearn.log_model(clf, 'model', registered_model_name='churn')\n\
                    m = joblib.load('m.pkl')\n\
                    df.to_csv('out/scores.csv')\n";
        let found = io(code);
        let expect = |op, p: &str| found.contains(&(op, Some(p.to_string())));
        assert!(expect(IoOp::Read, "data/x.parquet"), "{found:?}");
        assert!(expect(IoOp::Save, "m.pkl"), "{found:?}");
        assert!(expect(IoOp::Save, "net.pt"), "{found:?}");
        assert!(expect(IoOp::Save, "models:/churn"), "{found:?}");
        assert!(expect(IoOp::Load, "m.pkl"), "{found:?}");
        assert!(expect(IoOp::Write, "out/scores.csv"), "{found:?}");
        // Boosters and estimators read back from a file.
        let code = "import xgboost as xgb\nb = xgb.Booster(model_file='models/xgb.json')\n\
                    c = xgb.XGBClassifier()\nc.load_model('models/clf.ubj')\n";
        let found = io(code);
        assert!(
            found.contains(&(IoOp::Load, Some("models/xgb.json".into()))),
            "{found:?}"
        );
        assert!(
            found.contains(&(IoOp::Load, Some("models/clf.ubj".into()))),
            "{found:?}"
        );
        // BentoML's model store names the artifact by its tag, without the version.
        let code = "import bentoml\nbentoml.sklearn.save_model('churn', clf)\n\
                    runner = bentoml.sklearn.get('churn:latest').to_runner()\n";
        let found = io(code);
        assert!(
            found.contains(&(IoOp::Save, Some("bentoml:/churn".into()))),
            "{found:?}"
        );
        assert!(
            found.contains(&(IoOp::Load, Some("bentoml:/churn".into()))),
            "{found:?}"
        );
    }
}
