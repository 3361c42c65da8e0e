//! Modules of the project that a file imports functions and classes from (`from
//! src.utils import load_object`, `import utils`): found as the constant lists are
//! ([`super::constants`]) and parsed, so that the model of the importing file can read the
//! imported function's body at each call (build/foreign.rs). Parsed modules are shared by
//! the run's files up to a total size, the least recently used given up first; a module given
//! up is parsed again by its next importer, which costs time but gives the same result.

use crate::source::python::{self, Syntax};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use tree_sitter::{Node, Tree};

/// Modules larger than this are not read for their functions.
const MAX_MODULE_BYTES: u64 = 256 << 10;
/// Source of the modules shared for the run, all together (each module's tree is kept with
/// it: tens of bytes per byte of source).
const MAX_KEPT_BYTES: usize = 1 << 20;

/// A module of the project as text, with where its top-level definitions and assignments are:
/// enough to decide whether a call is worth parsing it for.
pub struct Source {
    /// The module's path, absolute.
    pub path: PathBuf,
    pub text: String,
    /// Top-level functions and classes by name: the byte range of their text.
    definitions: HashMap<String, (usize, usize)>,
    /// Names the top level assigns (`predictor = Predictor()`, `MODEL: Path = ...`).
    assigned: Vec<String>,
}

impl Source {
    /// The text of the function or class `name` defined at the top level.
    pub fn definition_text(&self, name: &str) -> Option<&str> {
        let &(start, end) = self.definitions.get(name)?;
        self.text.get(start..end)
    }

    /// Whether the top level assigns `name`.
    pub fn assigns(&self, name: &str) -> bool {
        self.assigned.iter().any(|a| a == name)
    }

    fn index(path: PathBuf, text: String) -> Source {
        let mut definitions = HashMap::new();
        let mut assigned = Vec::new();
        let mut open: Option<(String, usize)> = None;
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let start = offset;
            offset += line.len();
            let top = line
                .chars()
                .next()
                .is_some_and(|c| !c.is_whitespace() && !matches!(c, '#' | ')' | ']' | '}' | '@'));
            if !top {
                continue;
            }
            if let Some((name, from)) = open.take() {
                definitions.entry(name).or_insert((from, start));
            }
            let rest = line.strip_prefix("async ").unwrap_or(line);
            let defined = rest
                .strip_prefix("def ")
                .or_else(|| rest.strip_prefix("class "))
                .map(|r| identifier_at(r.trim_start()));
            if let Some(name) = defined.filter(|n| !n.is_empty()) {
                open = Some((name.to_string(), start));
                continue;
            }
            let name = identifier_at(line);
            let after = line[name.len()..].trim_start();
            if !name.is_empty()
                && (after.starts_with(':') || after.starts_with('=') && !after.starts_with("=="))
            {
                assigned.push(name.to_string());
            }
        }
        if let Some((name, from)) = open {
            definitions.entry(name).or_insert((from, text.len()));
        }
        Source {
            path,
            text,
            definitions,
            assigned,
        }
    }
}

/// The identifier a text starts with (empty when it does not start with one).
fn identifier_at(text: &str) -> &str {
    let end = text
        .char_indices()
        .find(|&(i, c)| !(c == '_' || c.is_alphanumeric()) || (i == 0 && c.is_numeric()))
        .map_or(text.len(), |(i, _)| i);
    &text[..end]
}

/// A parsed module of the project.
pub struct Module {
    pub path: PathBuf,
    pub text: String,
    pub tree: Tree,
}

impl Module {
    /// The function or class defined at the module's top level under `name` (the
    /// `function_definition` or `class_definition` node, inside its decorators).
    pub fn definition(&self, name: &str) -> Option<Node<'_>> {
        let root = self.tree.root_node();
        let mut cursor = root.walk();
        root.named_children(&mut cursor)
            .filter_map(definition_of)
            .find(|def| {
                def.field("name")
                    .and_then(|n| self.text.get(n.byte_range()))
                    .is_some_and(|n| n == name)
            })
    }
}

/// The definition a top-level statement makes, if it is a function or a class.
pub fn definition_of(statement: Node) -> Option<Node> {
    match statement.kind_name() {
        "function_definition" | "class_definition" => Some(statement),
        "decorated_definition" => statement
            .field("definition")
            .filter(|d| matches!(d.kind_name(), "function_definition" | "class_definition")),
        _ => None,
    }
}

/// Sources read so far, by path (None: not readable as a module); and parsed modules, the
/// least recently used given up past [`MAX_KEPT_BYTES`].
#[derive(Default)]
struct Kept {
    sources: HashMap<PathBuf, Option<Arc<Source>>>,
    parsed: HashMap<PathBuf, (Arc<Module>, u64)>,
    bytes: usize,
    clock: u64,
}

fn cache() -> &'static Mutex<Kept> {
    static CACHE: OnceLock<Mutex<Kept>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(Kept::default()))
}

impl Kept {
    fn parsed(&mut self, key: &Path) -> Option<Arc<Module>> {
        self.clock += 1;
        let clock = self.clock;
        let (module, used) = self.parsed.get_mut(key)?;
        *used = clock;
        Some(module.clone())
    }

    fn keep(&mut self, module: Arc<Module>) {
        self.clock += 1;
        self.bytes += module.text.len();
        if let Some((old, _)) = self
            .parsed
            .insert(module.path.clone(), (module, self.clock))
        {
            self.bytes -= old.text.len();
        }
        while self.bytes > MAX_KEPT_BYTES {
            let Some(oldest) = self
                .parsed
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(path, _)| path.clone())
            else {
                break;
            };
            if let Some((module, _)) = self.parsed.remove(&oldest) {
                self.bytes -= module.text.len();
            }
        }
    }
}

/// The module `module` (`src.utils`, `.helpers`) of the project as seen from `importer`, as
/// text; None for a library, a module not found, or one too large.
pub fn source(importer: &Path, module: &str) -> Option<Arc<Source>> {
    let first = module.split('.').next().unwrap_or(module);
    if !first.is_empty() && is_library(first) {
        return None;
    }
    let path = super::constants::module_file(importer, module)?;
    let key = super::constants::key(&path);
    if let Some(known) = cache().lock().ok()?.sources.get(&key) {
        return known.clone();
    }
    let source =
        read_text(&path, MAX_MODULE_BYTES).map(|text| Arc::new(Source::index(key.clone(), text)));
    if let Ok(mut cache) = cache().lock() {
        cache.sources.insert(key, source.clone());
    }
    source
}

/// The module parsed.
pub fn parse(source: &Source) -> Option<Arc<Module>> {
    if let Some(known) = cache().lock().ok()?.parsed(&source.path) {
        return Some(known);
    }
    let tree = python::parse(&source.text)?;
    let module = Arc::new(Module {
        path: source.path.clone(),
        text: source.text.clone(),
        tree,
    });
    if let Ok(mut cache) = cache().lock() {
        cache.keep(module.clone());
    }
    Some(module)
}

/// The text of a module of the project no larger than `max` bytes, decoded as the engine
/// decodes the module when it checks it (so that what is read of it is the same whichever
/// reads it first).
pub(crate) fn read_text(path: &Path, max: u64) -> Option<String> {
    if crate::files::regular(path).ok()?.len() > max {
        return None;
    }
    let bytes = crate::files::read_if_regular(path)?;
    let file = crate::source::SourceFile::python(
        path.to_path_buf(),
        String::new(),
        python::decode(&bytes).ok()?,
    );
    Some(file.text)
}

/// Top-level packages that are libraries, never modules of the project: looking for them
/// next to every importer would only cost file-system probes.
fn is_library(first: &str) -> bool {
    matches!(
        first,
        "numpy"
            | "np"
            | "pandas"
            | "pd"
            | "sklearn"
            | "scipy"
            | "torch"
            | "torchvision"
            | "tensorflow"
            | "tf"
            | "keras"
            | "matplotlib"
            | "plt"
            | "seaborn"
            | "sns"
            | "xgboost"
            | "lightgbm"
            | "catboost"
            | "joblib"
            | "pickle"
            | "dill"
            | "os"
            | "sys"
            | "json"
            | "re"
            | "math"
            | "random"
            | "time"
            | "datetime"
            | "pathlib"
            | "collections"
            | "typing"
            | "logging"
            | "warnings"
            | "itertools"
            | "functools"
            | "flask"
            | "fastapi"
            | "streamlit"
            | "gradio"
            | "pydantic"
            | "mlflow"
            | "transformers"
            | "statsmodels"
            | "plotly"
            | "requests"
            | "imblearn"
            | "optuna"
            | "shap"
            | "tqdm"
            | "yaml"
            | "argparse"
            | "subprocess"
            | "shutil"
            | "glob"
            | "csv"
            | "io"
            | "copy"
            | "gc"
            | "uuid"
            | "hashlib"
            | "abc"
            | "dataclasses"
            | "enum"
            | "unittest"
            | "pytest"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::TempDir;

    #[test]
    fn a_project_module_is_found_parsed_once_and_its_definitions_named() {
        let dir = TempDir::new("modules");
        dir.write(
            "src/utils.py",
            "import pickle\n\n@cache\ndef load_object(path):\n    return pickle.load(open(path, 'rb'))\n\nclass Pipe:\n    pass\nLIMIT: int = 3\n",
        );
        dir.write("src/__init__.py", "");
        let importer = dir.write("app.py", "");
        let found = source(&importer, "src.utils").expect("found");
        assert!(
            found
                .definition_text("load_object")
                .is_some_and(|t| t.contains("pickle.load"))
        );
        assert!(
            found
                .definition_text("Pipe")
                .is_some_and(|t| t.starts_with("class Pipe"))
        );
        assert!(found.definition_text("pickle").is_none());
        assert!(found.assigns("LIMIT"));
        let module_a = parse(&found).expect("parses");
        assert!(module_a.definition("load_object").is_some());
        assert_eq!(
            module_a.definition("Pipe").map(|n| n.kind_name()),
            Some("class_definition")
        );
        let again = parse(&source(&importer, "src.utils").expect("found again")).unwrap();
        assert!(Arc::ptr_eq(&module_a, &again));
        assert!(source(&importer, "pandas").is_none());
        assert!(source(&importer, "src.missing").is_none());
    }
}
