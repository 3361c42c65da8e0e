//! Constant feature lists imported from another module of the project
//! (`from features import FEATURES`): the module is found next to the importing file or in
//! one of its ancestors, parsed once per run, and its module-level lists of strings are kept.

use crate::source::python;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// Lists of strings a module defines at its top level, by name.
type Lists = Arc<HashMap<String, Vec<String>>>;

/// Modules larger than this are not read for constants.
pub(crate) const MAX_MODULE_BYTES: u64 = 2 << 20;
/// How many folders up from the importing file a top-level module is looked for.
const MAX_ANCESTORS: usize = 4;

fn cache() -> &'static Mutex<HashMap<PathBuf, Option<Lists>>> {
    static CACHE: OnceLock<Mutex<HashMap<PathBuf, Option<Lists>>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The list of strings `qualified` (`features.FEATURES`, `.config.COLUMNS`) names, when it is
/// a module-level constant of a module of the project seen from `importer`.
pub fn imported_list(importer: &Path, qualified: &str) -> Option<Vec<String>> {
    let (module, name) = qualified.rsplit_once('.')?;
    if module.is_empty() {
        return None;
    }
    let path = module_file(importer, module)?;
    let lists = lists_of(&path)?;
    lists.get(name).cloned()
}

/// The file of `module` (`pkg.features`, `.features`, `..config`) as seen from `importer`.
/// Every place looked at is recorded as read (see [`crate::cache::reads`]): the importer's
/// result depends on the file found, and on the nearer ones not being there.
pub(crate) fn module_file(importer: &Path, module: &str) -> Option<PathBuf> {
    // Climbed from the absolute path: `train.py` run from its folder sees the same parents
    // as `src/train.py` run from the project root.
    let importer = key(importer);
    let dir = importer.parent()?;
    // Files do not change during a run: each folder's view of a module is looked up once,
    // and what was looked at is recorded again for every importer.
    /// By (folder, module): the places looked at, and the file found.
    type Found = Mutex<HashMap<(PathBuf, String), Arc<(Vec<PathBuf>, Option<PathBuf>)>>>;
    static FOUND: OnceLock<Found> = OnceLock::new();
    let found = FOUND.get_or_init(|| Mutex::new(HashMap::new()));
    let lookup = (dir.to_path_buf(), module.to_string());
    if let Some(known) = found.lock().ok().and_then(|f| f.get(&lookup).cloned()) {
        for probed in &known.0 {
            crate::cache::reads::record(probed);
        }
        return known.1.clone();
    }
    let (result, probed) = crate::cache::reads::recording(|| look_up(dir, module));
    for path in &probed {
        crate::cache::reads::record(path);
    }
    if let Ok(mut found) = found.lock() {
        found.insert(lookup, Arc::new((probed, result.clone())));
    }
    result
}

fn look_up(dir: &Path, module: &str) -> Option<PathBuf> {
    let dots = module.chars().take_while(|&c| c == '.').count();
    let rest = &module[dots..];
    if rest.is_empty() {
        return None;
    }
    let relative: PathBuf = rest.split('.').collect();
    let probe = |root: &Path| {
        [
            root.join(&relative).with_extension("py"),
            root.join(&relative).join("__init__.py"),
        ]
        .into_iter()
        .find(|candidate| {
            crate::cache::reads::record(candidate);
            candidate.is_file()
        })
    };
    if dots > 0 {
        let mut root = dir;
        for _ in 1..dots {
            root = root.parent()?;
        }
        return probe(root);
    }
    let mut root = Some(dir);
    for _ in 0..=MAX_ANCESTORS {
        let current = root?;
        for base in [current.to_path_buf(), current.join("src")] {
            if let Some(found) = probe(&base) {
                return Some(found);
            }
        }
        root = current.parent();
    }
    None
}

/// The key of a module in the cache: its path made absolute, lexically, so that the importer's
/// `pkg/../features.py` and the walk's `./features.py` meet.
pub(crate) fn key(path: &Path) -> PathBuf {
    static CWD: OnceLock<PathBuf> = OnceLock::new();
    let cwd = CWD.get_or_init(|| std::env::current_dir().unwrap_or_default());
    crate::config::normalize(&cwd.join(path))
}

fn lists_of(path: &Path) -> Option<Lists> {
    let key = key(path);
    if let Some(known) = cache().lock().ok()?.get(&key) {
        return known.clone();
    }
    let lists = read_lists(path);
    if let Ok(mut cache) = cache().lock() {
        cache.insert(key, lists.clone());
    }
    lists
}

/// Keeps the lists of a module the engine has parsed anyway, so that a file importing it
/// later in the run does not parse it again.
pub fn remember(path: &Path, text: &str, tree: &tree_sitter::Tree) {
    if text.len() as u64 > MAX_MODULE_BYTES {
        return;
    }
    let key = key(path);
    if cache().lock().is_ok_and(|cache| cache.contains_key(&key)) {
        return;
    }
    let lists = lists_in(text, tree);
    if let Ok(mut cache) = cache().lock() {
        cache.entry(key).or_insert(Some(lists));
    }
}

fn read_lists(path: &Path) -> Option<Lists> {
    let text = super::modules::read_text(path, MAX_MODULE_BYTES)?;
    let tree = python::parse(&text)?;
    Some(lists_in(&text, &tree))
}

/// The module-level lists and tuples of strings of a parsed module, by name.
fn lists_in(text: &str, tree: &tree_sitter::Tree) -> Lists {
    let root = tree.root_node();
    let mut lists = HashMap::new();
    let mut cursor = root.walk();
    for statement in root.named_children(&mut cursor) {
        if statement.kind() != "expression_statement" {
            continue;
        }
        let Some(assignment) = statement
            .named_child(0)
            .filter(|n| n.kind() == "assignment")
        else {
            continue;
        };
        let (Some(left), Some(right)) = (
            assignment.child_by_field_name("left"),
            assignment.child_by_field_name("right"),
        ) else {
            continue;
        };
        if left.kind() != "identifier" || !matches!(right.kind(), "list" | "tuple") {
            continue;
        }
        // `__all__` and the other dunders are about the module, not data: every package
        // module has one, and none is a feature list.
        if text
            .get(left.byte_range())
            .is_some_and(|name| name.starts_with("__"))
        {
            continue;
        }
        let mut inner = right.walk();
        let names: Option<Vec<String>> = right
            .named_children(&mut inner)
            .filter(|n| n.kind() != "comment")
            .map(|n| {
                let source = text.get(n.byte_range())?;
                (n.kind() == "string")
                    .then(|| string_literal(source))
                    .flatten()
            })
            .collect();
        if let (Some(names), Some(name)) = (names, text.get(left.byte_range())) {
            lists.insert(name.to_string(), names);
        }
    }
    Arc::new(lists)
}

/// A plain string literal's content (no f-strings, no escapes to interpret).
fn string_literal(source: &str) -> Option<String> {
    let body = source.trim_start_matches(['r', 'R', 'u', 'U']);
    for quote in ["\"\"\"", "'''", "\"", "'"] {
        if let Some(inner) = body.strip_prefix(quote).and_then(|r| r.strip_suffix(quote)) {
            return Some(inner.to_string());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::TempDir;

    #[test]
    fn lists_resolve_from_sibling_parent_and_package_modules() {
        let dir = TempDir::new("constants");
        dir.write(
            "features.py",
            "FEATURES = ['age', \"plan\"]\nOTHER = [f'x{1}']\n",
        );
        dir.write("pkg/__init__.py", "");
        dir.write("pkg/config.py", "COLUMNS = ('a', 'b')\n");
        let importer = dir.write("pkg/train.py", "");
        assert_eq!(
            imported_list(&importer, "features.FEATURES"),
            Some(vec!["age".to_string(), "plan".to_string()])
        );
        assert_eq!(imported_list(&importer, "features.OTHER"), None);
        assert_eq!(
            imported_list(&importer, ".config.COLUMNS"),
            Some(vec!["a".to_string(), "b".to_string()])
        );
        assert_eq!(
            imported_list(&importer, "pkg.config.COLUMNS").map(|l| l.len()),
            Some(2)
        );
        assert_eq!(imported_list(&importer, "sklearn.FEATURES"), None);
    }
}
