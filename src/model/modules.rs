//! Modules of the project that a file imports functions and classes from (`from
//! src.utils import load_object`, `import utils`): found as the constant lists are
//! ([`super::constants`]) and parsed, so that the model of the importing file can read the
//! imported function's body at each call (build/foreign.rs). Parsed modules are shared by
//! the run's files up to a total size; past it a module is parsed again for each importer,
//! which costs time but gives the same result.

use crate::source::python::{self, Syntax};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use tree_sitter::{Node, Tree};

/// Modules larger than this are not read for their functions.
const MAX_MODULE_BYTES: u64 = 512 << 10;
/// Source of the modules shared for the run, all together (each module's tree is kept with
/// it: tens of bytes per byte of source).
const MAX_KEPT_BYTES: usize = 16 << 20;

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

type Cache = Mutex<HashMap<PathBuf, Option<Arc<Module>>>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

static KEPT: AtomicUsize = AtomicUsize::new(0);

/// The module `module` (`src.utils`, `.helpers`) of the project as seen from `importer`,
/// parsed; None for a library, a module not found, or one too large.
pub fn module(importer: &Path, module: &str) -> Option<Arc<Module>> {
    let first = module.split('.').next().unwrap_or(module);
    if !first.is_empty() && is_library(first) {
        return None;
    }
    let path = super::constants::module_file(importer, module)?;
    let key = super::constants::key(&path);
    if let Some(known) = cache().lock().ok()?.get(&key) {
        return known.clone();
    }
    let parsed = read(&path);
    let size = parsed.as_ref().map_or(0, |m| m.text.len());
    // Past the total, modules are not kept: the next importer parses it again.
    if KEPT.fetch_add(size, Ordering::Relaxed) + size > MAX_KEPT_BYTES {
        KEPT.fetch_sub(size, Ordering::Relaxed);
        return parsed;
    }
    let mut cache = cache().lock().ok()?;
    cache.entry(key).or_insert(parsed).clone()
}

fn read(path: &Path) -> Option<Arc<Module>> {
    if crate::files::regular(path).ok()?.len() > MAX_MODULE_BYTES {
        return None;
    }
    let bytes = crate::files::read(path).ok()?;
    // Decoded as the engine decodes the module when it checks it.
    let file = crate::source::SourceFile::python(
        path.to_path_buf(),
        String::new(),
        python::decode(&bytes).ok()?,
    );
    let tree = python::parse(&file.text)?;
    Some(Arc::new(Module {
        path: path.to_path_buf(),
        text: file.text,
        tree,
    }))
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
            "import pickle\n\n@cache\ndef load_object(path):\n    return pickle.load(open(path, 'rb'))\n\nclass Pipe:\n    pass\n",
        );
        dir.write("src/__init__.py", "");
        let importer = dir.write("app.py", "");
        let module_a = module(&importer, "src.utils").expect("found");
        assert!(module_a.definition("load_object").is_some());
        assert_eq!(
            module_a.definition("Pipe").map(|n| n.kind_name()),
            Some("class_definition")
        );
        assert!(module_a.definition("pickle").is_none());
        let again = module(&importer, "src.utils").expect("found again");
        assert!(Arc::ptr_eq(&module_a, &again));
        assert!(module(&importer, "pandas").is_none());
        assert!(module(&importer, "src.missing").is_none());
    }
}
