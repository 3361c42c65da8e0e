//! Security facts for the SEC rules: literals bound to secret-like names, deserialisers fed
//! from an untrusted origin, and opt-ins to remote code. Read at assignments, dict literals
//! and argument lists; nothing here walks the tree on its own.

use super::{Args, Builder, span, string_value};
use crate::model::security::{Binding, MAX_NAMED, NamedLiteral, Origin, RemoteCode, UnsafeLoad};
use crate::model::{Kind, ValueId};
use crate::source::python::Syntax;
use tree_sitter::Node;

/// Functions that unpickle what they read.
const UNPICKLERS: &[&str] = &[
    "pickle.load",
    "pickle.loads",
    "pickle.Unpickler",
    "_pickle.load",
    "_pickle.loads",
    "cPickle.load",
    "cPickle.loads",
    "joblib.load",
    "sklearn.externals.joblib.load",
    "dill.load",
    "dill.loads",
    "cloudpickle.load",
    "cloudpickle.loads",
    "pandas.read_pickle",
    "torch.load",
    "numpy.load",
];

/// Calls whose result is bytes or a file fetched from the network.
const DOWNLOADS: &[&str] = &[
    "urllib.request.urlretrieve",
    "urllib.request.urlopen",
    "urllib.urlretrieve",
    "urllib.urlopen",
    "urllib2.urlopen",
    "requests.get",
    "requests.post",
    "requests.request",
    "httpx.get",
    "wget.download",
    "gdown.download",
    "gdown.cached_download",
    "huggingface_hub.hf_hub_download",
    "huggingface_hub.cached_download",
    "keras.utils.get_file",
    "tensorflow.keras.utils.get_file",
];

impl Builder<'_> {
    /// `api_key = "..."`, `self.token = "..."`, `os.environ["HF_TOKEN"] = "..."`.
    pub(super) fn note_secret_assignment(&mut self, node: Node) {
        if self.reading_foreign() || self.replaying {
            return;
        }
        let (Some(left), Some(right)) = (node.field("left"), node.field("right")) else {
            return;
        };
        let Some(value) = self.plain_string(right) else {
            return;
        };
        let (name, binding) = match left.kind_name() {
            "identifier" => (self.text(left).to_string(), Binding::Assigned),
            "attribute" => match left.field("attribute") {
                Some(attr) => (self.text(attr).to_string(), Binding::Assigned),
                None => return,
            },
            "subscript" => {
                let (Some(object), Some(key)) = (left.field("value"), left.field("subscript"))
                else {
                    return;
                };
                let Some(key) = self.plain_string(key) else {
                    return;
                };
                let environment = self.text(object).ends_with("environ");
                let binding = if environment {
                    Binding::Environment
                } else {
                    Binding::Assigned
                };
                (key, binding)
            }
            _ => return,
        };
        self.push_named(name, value, binding, right);
    }

    /// A parameter that receives an upload: annotated `UploadFile`, or defaulting to
    /// `File(...)` (FastAPI).
    pub(super) fn note_upload_param(&mut self, param: Node, index: usize, def: Node) {
        if self.reading_foreign() {
            return;
        }
        let annotation = param.field("type").map(|t| self.text(t));
        let default = param.field("value").map(|v| self.text(v));
        let upload = annotation.is_some_and(|t| t.contains("UploadFile"))
            || default.is_some_and(|d| d.starts_with("File(") || d.starts_with("fastapi.File("));
        if upload {
            self.model.security.upload_params.push((span(def), index));
        }
    }

    /// `def connect(password="...")`: a parameter's default.
    pub(super) fn note_secret_default(&mut self, param: Node, default: Node) {
        if self.reading_foreign() || self.replaying {
            return;
        }
        let Some(name) = crate::source::python::parameter_name(param) else {
            return;
        };
        if let Some(value) = self.plain_string(default) {
            let name = self.text(name).to_string();
            self.push_named(name, value, Binding::Keyword, default);
        }
    }

    /// `{"password": "..."}`, and the `"key"` of a `{"username": ..., "key": ...}` (kaggle.json).
    pub(super) fn note_secret_dict(&mut self, node: Node) {
        if self.reading_foreign() || self.replaying {
            return;
        }
        let mut cursor = node.walk();
        let pairs: Vec<(String, Node)> = node
            .named_children(&mut cursor)
            .filter(|child| child.kind_name() == "pair")
            .filter_map(|pair| Some((self.plain_string(pair.field("key")?)?, pair)))
            .collect();
        let kaggle = pairs.iter().any(|(key, _)| key == "username");
        for (key, pair) in pairs {
            let Some(value_node) = pair.field("value") else {
                continue;
            };
            let Some(value) = self.plain_string(value_node) else {
                continue;
            };
            let binding = if kaggle && key == "key" {
                Binding::KaggleKey
            } else {
                Binding::DictEntry
            };
            self.push_named(key, value, binding, value_node);
        }
    }

    /// A call's arguments: keyword literals, unpickling calls and remote-code opt-ins.
    pub(super) fn note_security_args(&mut self, callee: Option<&str>, args: &Args, call: Node) {
        if self.reading_foreign() || self.replaying {
            return;
        }
        let callee = callee.unwrap_or("");
        for (name, _, node) in &args.keywords {
            if let Some(value) = self.plain_string(*node) {
                let binding = if callee == "wandb.login" && name == "key" {
                    Binding::WandbKey
                } else {
                    Binding::Keyword
                };
                self.push_named(name.clone(), value, binding, *node);
            }
        }
        // `os.environ.setdefault("HF_TOKEN", "...")`, `os.putenv("KEY", "...")`.
        if matches!(callee, "os.environ.setdefault" | "os.putenv")
            && let [(_, key), (_, value), ..] = args.positional.as_slice()
            && let (Some(key), Some(text)) = (self.plain_string(*key), self.plain_string(*value))
        {
            self.push_named(key, text, Binding::Environment, *value);
        }
        if UNPICKLERS.contains(&callee) {
            self.note_unpickling(callee, args, call);
        }
        self.note_remote_code(callee, args, call);
    }

    fn note_unpickling(&mut self, callee: &str, args: &Args, call: Node) {
        let flag = |name: &str| args.keyword(name).map(|(_, n)| self.text(n).to_string());
        let torch_default = match callee {
            "torch.load" => match flag("weights_only").as_deref() {
                None => true,
                Some("False") => false,
                Some(_) => return, // `True`, or a value the analysis cannot read
            },
            "numpy.load" => {
                if flag("allow_pickle").as_deref() != Some("True") {
                    return;
                }
                false
            }
            _ => false,
        };
        let Some((value, node)) = args.get(
            0,
            &[
                "file",
                "f",
                "filepath_or_buffer",
                "path",
                "filename",
                "fname",
                "data",
            ],
        ) else {
            return;
        };
        // A path the code writes out (`"models/model.pkl"`, `open(MODEL_PATH, "rb")`): the
        // project's own artifact. Readers of data frames and arrays (`pd.read_pickle`,
        // `np.load`) of such paths are caches of the project's data, not models.
        let own_artifact = !matches!(callee, "pandas.read_pickle" | "numpy.load");
        let Some((origin, origin_text)) = self.untrusted_origin(value, node).or_else(|| {
            own_artifact
                .then(|| self.fold_path(node, 0))
                .flatten()
                .map(|path| (Origin::OwnArtifact, path))
        }) else {
            return;
        };
        // With torch >= 2.6 a bare `torch.load` reads weights only: only a file straight from
        // the network or a request is worth a finding then.
        if torch_default && matches!(origin, Origin::UserInput | Origin::OwnArtifact) {
            return;
        }
        // A call the walk meets twice (a loop body read again) is one load.
        if self
            .model
            .security
            .unsafe_loads
            .iter()
            .any(|l| l.span == span(call))
        {
            return;
        }
        self.model.security.unsafe_loads.push(UnsafeLoad {
            function: callee.to_string(),
            origin,
            origin_text,
            torch_default,
            span: span(call),
        });
    }

    /// Where the bytes or the path in `value` come from, when that is an untrusted place.
    fn untrusted_origin(&self, value: ValueId, node: Node) -> Option<(Origin, String)> {
        if let Some(path) = self.fold_path(node, 0).or_else(|| match self.kind(value) {
            Kind::Str(s) => Some(s.clone()),
            _ => None,
        }) && let Some(host) = url_host(&path)
        {
            return Some((Origin::Url, host));
        }
        let mut best: Option<(Origin, String)> = None;
        // Bounded, so that many loads in a large file stay linear.
        let mut budget = 4096;
        self.model.derives_from(value, |v| {
            budget -= 1;
            if budget == 0 {
                return true;
            }
            let value = &self.model.values[v];
            let name = match &value.kind {
                Kind::Import(q) => q.as_str(),
                Kind::Call { function } => function.as_str(),
                Kind::Param { index } => {
                    let key = (value.span, *index);
                    if self.model.security.upload_params.contains(&key) {
                        best = Some((Origin::Upload, "UploadFile".to_string()));
                    }
                    return false;
                }
                _ => return false,
            };
            let found = if name.starts_with("flask.request.") || name == "streamlit.file_uploader" {
                Some(Origin::Upload)
            } else if DOWNLOADS.contains(&name) {
                Some(Origin::Download)
            } else if name == "sys.argv"
                || name.starts_with("sys.argv.")
                || name == "input"
                || name.starts_with("argparse.")
            {
                Some(Origin::UserInput)
            } else {
                None
            };
            if let Some(origin) = found
                && best.as_ref().is_none_or(|(b, _)| rank(origin) > rank(*b))
            {
                let shown = match name {
                    "input" => "input()".to_string(),
                    n if n.starts_with("argparse.") => "a command-line argument".to_string(),
                    n if n.starts_with("flask.request.") => {
                        let rest = &n["flask.".len()..];
                        rest.split('.').take(2).collect::<Vec<_>>().join(".")
                    }
                    n => n.to_string(),
                };
                best = Some((origin, shown));
            }
            false
        });
        best
    }

    fn note_remote_code(&mut self, callee: &str, args: &Args, call: Node) {
        let literal = |name: &str| args.keyword(name).map(|(_, n)| self.text(n));
        let last = callee.rsplit('.').next().unwrap_or(callee);
        let hub = callee == "torch.hub.load";
        let flag = if literal("trust_remote_code") == Some("True") {
            "trust_remote_code=True"
        } else if hub && literal("trust_repo") == Some("True") {
            "trust_repo=True"
        } else if last == "load_model"
            && (callee.starts_with("keras.") || callee.starts_with("tensorflow."))
            && literal("safe_mode") == Some("False")
        {
            "safe_mode=False"
        } else {
            return;
        };
        // `pipeline("text-generation", model="org/name")`: the task comes first.
        let repo_argument = if last == "pipeline" {
            args.get(1, &["model"])
        } else {
            args.get(
                0,
                &[
                    "pretrained_model_name_or_path",
                    "model_name_or_path",
                    "model",
                    "path",
                    "repo_or_dir",
                    "filepath",
                ],
            )
        };
        // A local directory (`/kaggle/input/qwen/1`, `./checkpoints`, a path built with
        // `os.path` or `pathlib`): nothing is fetched, the code is already on disk. A Keras
        // `safe_mode=False` is about the file's content, wherever it lies, so it stays.
        let local_source = hub
            && args
                .keyword("source")
                .and_then(|(_, n)| self.plain_string(n))
                .is_some_and(|s| s == "local");
        if flag != "safe_mode=False"
            && (local_source
                || repo_argument.is_some_and(|(value, node)| self.is_local_path(value, node, 0)))
        {
            return;
        }
        let repo = repo_argument.and_then(|(value, node)| {
            self.plain_string(node).or_else(|| match self.kind(value) {
                Kind::Str(s) => Some(s.clone()),
                _ => None,
            })
        });
        let revision = ["revision", "code_revision"].iter().any(|name| {
            args.keyword(name)
                .and_then(|(_, n)| self.plain_string(n))
                .is_some_and(|r| is_commit(&r))
        });
        let hub_pinned = hub
            && repo
                .as_deref()
                .and_then(|r| r.rsplit_once(':'))
                .is_some_and(|(_, r)| is_commit(r));
        if self
            .model
            .security
            .remote_code
            .iter()
            .any(|r| r.span == span(call))
        {
            return;
        }
        self.model.security.remote_code.push(RemoteCode {
            function: callee.to_string(),
            flag,
            repo,
            pinned: revision || hub_pinned,
            span: span(call),
        });
    }

    /// A model location that is a directory on this machine: a path folded from literals
    /// that is absolute, relative to `.` or `..`, under `~`, or on a Windows drive; or a value
    /// built with `os.path` / `pathlib` (`os.path.join(root, "model")`, `Path(d) / "m"`).
    /// A hub id (`owner/name`) is none of these.
    fn is_local_path(&self, value: ValueId, node: Node, depth: usize) -> bool {
        if depth > 4 {
            return false;
        }
        if let Some(path) = self.fold_path(node, 0).or_else(|| match self.kind(value) {
            Kind::Str(s) => Some(s.clone()),
            _ => None,
        }) && is_local_path_text(&path)
        {
            return true;
        }
        match node.kind_name() {
            // `Path(root) / "model"`: only paths divide.
            "binary_operator" => {
                node.field("operator").is_some_and(|o| self.text(o) == "/")
                    && self.model.values[value]
                        .inputs
                        .iter()
                        .any(|&input| self.built_with_path_functions(input, depth + 1))
            }
            "parenthesized_expression" => node
                .named_child(0)
                .is_some_and(|inner| self.is_local_path(value, inner, depth + 1)),
            _ => self.built_with_path_functions(value, depth),
        }
    }

    /// A value made by `os.path.*` or `pathlib.*` (a `str()` of one included).
    fn built_with_path_functions(&self, value: ValueId, depth: usize) -> bool {
        if depth > 4 {
            return false;
        }
        let values = &self.model.values;
        match &values[value].kind {
            Kind::Call { function } => {
                function.starts_with("os.path.")
                    || function.starts_with("pathlib.")
                    || (matches!(function.as_str(), "str" | "os.fspath")
                        && values[value]
                            .inputs
                            .iter()
                            .any(|&i| self.built_with_path_functions(i, depth + 1)))
            }
            Kind::Str(s) => is_local_path_text(s),
            _ => false,
        }
    }

    /// The content of a string literal without interpolation (`"abc"`, `f"abc"`), or None.
    fn plain_string(&self, node: Node) -> Option<String> {
        if node.kind_name() != "string" {
            return None;
        }
        let mut cursor = node.walk();
        if node
            .named_children(&mut cursor)
            .any(|c| c.kind_name() == "interpolation")
        {
            return None;
        }
        string_value(self.text(node))
    }

    fn push_named(&mut self, name: String, value: String, binding: Binding, node: Node) {
        let named = &mut self.model.security.named_literals;
        if named.len() >= MAX_NAMED || value.is_empty() || value.len() > 4096 {
            return;
        }
        named.push(NamedLiteral {
            name,
            value,
            binding,
            span: span(node),
        });
    }
}

fn rank(origin: Origin) -> u8 {
    match origin {
        Origin::Upload => 3,
        Origin::Download => 2,
        Origin::Url => 1,
        Origin::UserInput => 0,
        Origin::OwnArtifact => 0,
    }
}

/// The host of an `http(s)://` or `ftp://` URL.
fn url_host(path: &str) -> Option<String> {
    let rest = ["http://", "https://", "ftp://"]
        .iter()
        .find_map(|scheme| path.strip_prefix(scheme))?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit('@').next().unwrap_or(host);
    (!host.is_empty() && !host.starts_with('*')).then(|| host.to_string())
}

/// A full git commit hash.
pub(crate) fn is_commit(text: &str) -> bool {
    text.len() == 40 && text.chars().all(|c| c.is_ascii_hexdigit())
}

/// `/opt/models/x`, `./ckpt`, `../ckpt`, `.`, `~/models`, `C:\\models`, `C:/models`.
fn is_local_path_text(path: &str) -> bool {
    let path = path.trim();
    let bytes = path.as_bytes();
    let drive = bytes.len() >= 3
        && bytes[0].is_ascii_alphabetic()
        && bytes[1] == b':'
        && matches!(bytes[2], b'\\' | b'/');
    drive
        || path.starts_with('/')
        || path.starts_with('\\')
        || path.starts_with('~')
        || path.starts_with("./")
        || path.starts_with("../")
        || path.starts_with(".\\")
        || path.starts_with("..\\")
        || path == "."
        || path == ".."
}

#[cfg(test)]
mod tests {
    use crate::model::security::{Binding, Origin};
    use crate::testutil::model_of;

    fn origins(code: &str) -> Vec<Origin> {
        let model = model_of(&format!(
            "import pickle, joblib, sys, argparse, requests, torch\n{code}"
        ));
        model
            .security
            .unsafe_loads
            .iter()
            .map(|l| l.origin)
            .collect()
    }

    #[test]
    fn unpickling_origins_are_traced() {
        assert_eq!(
            origins("m = pickle.loads(requests.get(u).content)"),
            [Origin::Download]
        );
        assert_eq!(
            origins("p = sys.argv[1]\nm = joblib.load(p)"),
            [Origin::UserInput]
        );
        assert_eq!(
            origins("m = joblib.load('https://h.org/m.pkl')"),
            [Origin::Url]
        );
        // A bare torch.load reads weights only on torch >= 2.6: a CLI path is not reported.
        assert!(origins("m = torch.load(sys.argv[1])").is_empty());
        // The project's own artifact: a path written in the code (info in SEC002).
        assert_eq!(
            origins("m = joblib.load('model.pkl')"),
            [Origin::OwnArtifact]
        );
        assert_eq!(
            origins("P = 'models/m.pkl'\nwith open(P, 'rb') as f:\n    m = pickle.load(f)"),
            [Origin::OwnArtifact]
        );
        assert!(origins("m = torch.load('model.pt')").is_empty());
        assert!(origins("import pandas as pd\ndf = pd.read_pickle('train.pkl')").is_empty());
        assert!(origins("def f(path):\n    return joblib.load(path)").is_empty());
        assert!(origins("m = torch.load(requests.get(u).content, weights_only=True)").is_empty());
    }

    #[test]
    fn named_literals_and_remote_code() {
        let model = model_of(
            "import os\nfrom transformers import AutoModel\n\
             os.environ['HF_TOKEN'] = 'abc'\nself.api_key = 'k1'\nx = f'{a}'\n\
             d = {'username': 'u', 'key': 'k2'}\n\
             m = AutoModel.from_pretrained(REPO, trust_remote_code=True)\n\
             n = AutoModel.from_pretrained('a/b', trust_remote_code=flag)\n",
        );
        let named: Vec<(&str, Binding)> = model
            .security
            .named_literals
            .iter()
            .map(|n| (n.name.as_str(), n.binding))
            .collect();
        assert_eq!(
            named,
            [
                ("HF_TOKEN", Binding::Environment),
                ("api_key", Binding::Assigned),
                ("username", Binding::DictEntry),
                ("key", Binding::KaggleKey),
            ]
        );
        assert_eq!(model.security.remote_code.len(), 1);
        assert_eq!(model.security.remote_code[0].repo, None);
    }

    #[test]
    fn local_directories_run_no_remote_code() {
        let model = model_of(
            "import os
from pathlib import Path
from transformers import AutoModel
             a = AutoModel.from_pretrained('/kaggle/input/qwen/1', trust_remote_code=True)
             b = AutoModel.from_pretrained('./ckpt', trust_remote_code=True)
             c = AutoModel.from_pretrained(os.path.join(root, 'm'), trust_remote_code=True)
             d = AutoModel.from_pretrained(Path(root) / 'm', trust_remote_code=True)
             e = AutoModel.from_pretrained(f'~/models/{name}', trust_remote_code=True)
             f = AutoModel.from_pretrained('acme/enc', trust_remote_code=True)
",
        );
        let repos: Vec<Option<&str>> = model
            .security
            .remote_code
            .iter()
            .map(|r| r.repo.as_deref())
            .collect();
        assert_eq!(repos, [Some("acme/enc")]);
    }
}
