//! discover: turns the paths given on the command line into the `.py` and `.ipynb` files to
//! check, in a deterministic order.
//!
//! - A folder is walked with ripgrep's `ignore` walker: `.gitignore`, `.ignore` and
//!   `.git/info/exclude` are respected (also outside a git repository), hidden files are
//!   walked, symlinks are followed (loops and dangling links are skipped), the usual non-source
//!   folders ([`SKIPPED_DIRS`]) and the `exclude` globs are pruned.
//! - A file named on the command line is checked when it is a `.py` or `.ipynb` file, even if
//!   gitignored or inside a skipped folder, unless `exclude` matches it or one of its folders
//!   (pre-commit passes staged files one by one, and `exclude` must still hold there). So is a
//!   file named there whose first line is a Python shebang (`#!/usr/bin/env python3`), checked
//!   as a script. Files of other kinds named on the command line are skipped silently. A path named there that does
//!   not exist, or is a dangling symbolic link, is listed all the same: the loader reports it
//!   (PARSE002) and the other paths are checked.
//! - A folder named on the command line is walked even if it is a skipped folder, unless
//!   `exclude` matches it or one of its folders.
//!
//! The result is sorted by display path and has each file once, even when reached through two
//! arguments or a symlink.

use crate::config::{PathGlobs, absolute};
use crate::error::Error;
use crate::settings::Settings;
use crate::source::FileKind;
use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// Folders never walked into (by name), besides any `*.egg-info` folder. `.virtual_documents`
/// is where jupyter-lsp writes each open notebook's code joined into one Python text under the
/// notebook's own name (`nb.ipynb`, which is not JSON).
pub const SKIPPED_DIRS: [&str; 18] = [
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    "env",
    "site-packages",
    "__pycache__",
    "node_modules",
    "build",
    "dist",
    ".ipynb_checkpoints",
    ".virtual_documents",
    ".tox",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".eggs",
];

/// One file to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discovered {
    /// The path to read (as reached from the argument, symlinks not resolved).
    pub path: PathBuf,
    /// The path shown to users: relative to the working directory when below it, else as
    /// given; `/` separators, no leading `./`.
    pub display: String,
    /// The real path of the file, which tells two names of one file apart (a symlinked
    /// folder, `./a.py` and `a.py`).
    pub identity: PathBuf,
}

impl Discovered {
    /// A file named directly (`--stdin-filename`), not found by a walk.
    pub fn named(path: &Path, cwd: &Path) -> Discovered {
        Discovered {
            path: path.to_path_buf(),
            display: display_path(path, cwd),
            identity: Folders::default().identity(path, cwd),
        }
    }
}

/// The `.py` and `.ipynb` files under `paths`, sorted by display path, each once. A path
/// that does not exist (or a dangling symbolic link) is listed as it is, whatever its name,
/// for the loader to report (PARSE002, like ruff's E902): the other paths are still checked.
pub fn discover(paths: &[PathBuf], settings: &Settings) -> Result<Vec<Discovered>, Error> {
    discover_paths(paths, settings, None, Missing::Listed, None)
}

/// Whether a folder below a walked one is a boundary: a folder the walk does not enter, to be
/// walked on its own (one with a configuration of its own, see `crate::config::groups`).
pub type Boundary = Arc<dyn Fn(&Path) -> bool + Send + Sync>;

/// [`discover`], with the folders below the paths for which `boundary` says so left out and
/// returned apart, in the order the walks met them.
pub fn discover_bounded(
    paths: &[PathBuf],
    settings: &Settings,
    boundary: Boundary,
) -> Result<(Vec<Discovered>, Vec<PathBuf>), Error> {
    let met = Arc::new(std::sync::Mutex::new(Vec::new()));
    let record = Arc::clone(&met);
    let cut: Boundary = Arc::new(move |folder: &Path| {
        let cut = boundary(folder);
        if cut && let Ok(mut met) = record.lock() {
            met.push(folder.to_path_buf());
        }
        cut
    });
    let files = discover_paths(paths, settings, None, Missing::Listed, Some(cut))?;
    let met = met.lock().map(|met| met.clone()).unwrap_or_default();
    Ok((files, met))
}

/// [`discover`], with folders walked at most `max_depth` levels down (1: their own files), and
/// paths that do not exist passed over: for walking the rest of a project.
pub fn discover_to_depth(
    paths: &[PathBuf],
    settings: &Settings,
    max_depth: Option<usize>,
) -> Result<Vec<Discovered>, Error> {
    discover_paths(paths, settings, max_depth, Missing::Skipped, None)
}

/// What becomes of a path that does not exist.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Missing {
    Listed,
    Skipped,
}

fn discover_paths(
    paths: &[PathBuf],
    settings: &Settings,
    max_depth: Option<usize>,
    missing: Missing,
    boundary: Option<Boundary>,
) -> Result<Vec<Discovered>, Error> {
    let cwd = crate::error::working_dir()?;
    let exclude = Arc::new(PathGlobs::excluded(settings, &cwd)?);

    let mut found = Vec::new();
    for path in paths {
        if exclude.matches_path_or_ancestor(path) {
            continue;
        }
        match std::fs::metadata(path) {
            Ok(metadata) if metadata.is_dir() => {
                walk(path, &exclude, max_depth, boundary.clone(), &mut found)
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                found.extend((missing == Missing::Listed).then(|| path.clone()));
            }
            // Exists (or cannot be inspected): the loader reads or reports it if it is ours.
            _ if is_checked_file(path) => found.push(path.clone()),
            // A script without `.py` (`bin/train`), as pre-commit's `types: [python]` passes it.
            Ok(metadata) if metadata.is_file() && has_python_shebang(path) => {
                found.push(path.clone());
            }
            // A named pipe, socket or device named on the command line (`/dev/zero`) is a
            // mistake worth a word whatever its name: the loader reports it without opening it.
            Ok(metadata)
                if missing == Missing::Listed && !metadata.is_file() && !metadata.is_dir() =>
            {
                found.push(path.clone());
            }
            _ => {}
        }
    }

    let mut folders = Folders::default();
    let mut files: Vec<Discovered> = found
        .into_iter()
        .map(|path| Discovered {
            display: display_path(&path, &cwd),
            identity: folders.identity(&path, &cwd),
            path,
        })
        .collect();
    files.sort_by(|a, b| a.display.cmp(&b.display).then_with(|| a.path.cmp(&b.path)));
    let mut seen = HashSet::new();
    files.retain(|file| seen.insert(file.identity.clone()));
    Ok(files)
}

/// Resolves files to their real paths, resolving each folder once: a walk of thousands of
/// files in a few hundred folders makes a few hundred `realpath` calls, not thousands.
#[derive(Default)]
pub(crate) struct Folders {
    resolved: std::collections::HashMap<PathBuf, Option<PathBuf>>,
}

impl Folders {
    /// The real path of `file`: one that is a symlink itself is resolved whole; another is
    /// its folder's real path and its name.
    pub(crate) fn identity(&mut self, file: &Path, cwd: &Path) -> PathBuf {
        let fallback = || absolute(file, cwd);
        let is_link = std::fs::symlink_metadata(file).is_ok_and(|m| m.file_type().is_symlink());
        let (Some(folder), Some(name), false) = (file.parent(), file.file_name(), is_link) else {
            return std::fs::canonicalize(file).unwrap_or_else(|_| fallback());
        };
        let folder = if folder.as_os_str().is_empty() {
            Path::new(".")
        } else {
            folder
        };
        let resolved = self
            .resolved
            .entry(folder.to_path_buf())
            .or_insert_with(|| std::fs::canonicalize(folder).ok());
        match resolved {
            Some(real) => real.join(name),
            None => fallback(),
        }
    }
}

/// Walks one folder, pushing every file to check. Symlink loops and dangling links are skipped:
/// they never stop the run and never hang it. Unreadable folders are pushed to be reported.
fn walk(
    dir: &Path,
    exclude: &Arc<PathGlobs>,
    max_depth: Option<usize>,
    boundary: Option<Boundary>,
    found: &mut Vec<PathBuf>,
) {
    let exclude = Arc::clone(exclude);
    let walker = ignore::WalkBuilder::new(dir)
        .max_depth(max_depth)
        .hidden(false)
        .parents(true)
        .ignore(true)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(true)
        .require_git(false)
        .follow_links(true)
        .filter_entry(move |entry| {
            if is_skipped_dir_name(entry.file_name()) {
                return false;
            }
            // A boundary is cut before this walk's `exclude` is asked: the folder's own
            // configuration decides what of it is excluded (as for a file of it named alone).
            let below = entry.depth() > 0 && entry.file_type().is_some_and(|kind| kind.is_dir());
            if below && boundary.as_ref().is_some_and(|cut| cut(entry.path())) {
                return false;
            }
            !exclude.is_match(entry.path())
        })
        .build();
    for result in walker {
        match result {
            Ok(entry) => {
                // Regular files, and the named pipes, sockets and devices that carry a checked
                // name: those are reported (PARSE002) and never opened.
                let is_folder = entry.file_type().is_none_or(|kind| kind.is_dir());
                if !is_folder && is_checked_file(entry.path()) {
                    found.push(entry.into_path());
                }
            }
            // A folder that cannot be read must not pass as clean: hand it on, and the
            // loader reports it as unreadable (PARSE002).
            Err(err) => found.extend(unreadable_path(&err)),
        }
    }
}

/// The path of a walk error caused by missing permissions, if it is one. Loops and dangling
/// links are not: they are skipped.
fn unreadable_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, err } => permission_denied(err).then(|| path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            unreadable_path(err)
        }
        _ => None,
    }
}

fn permission_denied(err: &ignore::Error) -> bool {
    match err {
        ignore::Error::Io(io) => io.kind() == std::io::ErrorKind::PermissionDenied,
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => permission_denied(err),
        _ => false,
    }
}

fn is_skipped_dir_name(name: &std::ffi::OsStr) -> bool {
    let Some(name) = name.to_str() else {
        return false;
    };
    SKIPPED_DIRS.contains(&name) || name.ends_with(".egg-info")
}

/// `.py` and `.ipynb` files; `.pyi` stubs hold no code to lint.
/// Whether the file starts with a shebang line that runs Python (`#!/usr/bin/env python3`,
/// `#!/opt/conda/bin/python`), as pre-commit's `identify` tells an extensionless script.
fn has_python_shebang(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 128];
    let Ok(read) = std::fs::File::open(path).and_then(|mut f| f.read(&mut head)) else {
        return false;
    };
    let head = &head[..read];
    let line = head.split(|&b| b == b'\n').next().unwrap_or_default();
    line.starts_with(b"#!")
        && line
            .split(|b| b.is_ascii_whitespace() || *b == b'/')
            .any(|word| word.starts_with(b"python"))
}

fn is_checked_file(path: &Path) -> bool {
    FileKind::of(path).is_some() && path.extension().is_some_and(|ext| ext != "pyi")
}

/// `path` relative to `cwd` when below it, else as given; `/` separators, no leading `./`.
pub fn display_path(path: &Path, cwd: &Path) -> String {
    let full = absolute(path, cwd);
    let shown = match full.strip_prefix(crate::config::normalize(cwd)) {
        Ok(relative) if !relative.as_os_str().is_empty() => relative.to_path_buf(),
        _ => path
            .components()
            .skip_while(|component| matches!(component, Component::CurDir))
            .collect(),
    };
    let text = shown.to_string_lossy();
    if std::path::MAIN_SEPARATOR == '/' {
        text.into_owned()
    } else {
        text.replace(std::path::MAIN_SEPARATOR, "/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::TempDir;

    trait DiscoverTemp {
        fn found(&self, paths: &[PathBuf], settings: &Settings) -> Vec<String>;
        fn settings(&self, exclude: &[&str]) -> Settings;
    }

    impl DiscoverTemp for TempDir {
        /// Display paths of what `discover` finds, relative to this folder.
        fn found(&self, paths: &[PathBuf], settings: &Settings) -> Vec<String> {
            let prefix = format!("{}/", self.0.display());
            discover(paths, settings)
                .unwrap()
                .into_iter()
                .map(|file| file.display.trim_start_matches(&prefix).to_string())
                .collect()
        }

        fn settings(&self, exclude: &[&str]) -> Settings {
            Settings {
                exclude: exclude.iter().map(|s| s.to_string()).collect(),
                root: self.0.clone(),
                ..Settings::default()
            }
        }
    }

    #[test]
    fn finds_python_and_notebooks_sorted() {
        let tmp = TempDir::new("sorted");
        tmp.write("z.py", "");
        tmp.write("a/b.ipynb", "{}");
        tmp.write("a/a.py", "");
        tmp.write("a/stub.pyi", "");
        tmp.write("README.md", "");
        tmp.write(".hidden/h.py", "");
        let found = tmp.found(std::slice::from_ref(&tmp.0), &tmp.settings(&[]));
        assert_eq!(found, [".hidden/h.py", "a/a.py", "a/b.ipynb", "z.py"]);
    }

    #[test]
    fn gitignored_and_usual_folders_are_skipped() {
        let tmp = TempDir::new("ignored");
        tmp.write(".gitignore", "generated/\n*_tmp.py\n");
        tmp.write("generated/g.py", "");
        tmp.write("keep.py", "");
        tmp.write("scratch_tmp.py", "");
        tmp.write(".venv/lib/site.py", "");
        tmp.write("venv/x.py", "");
        tmp.write("pkg/__pycache__/c.py", "");
        tmp.write("pkg.egg-info/e.py", "");
        tmp.write("nb/.ipynb_checkpoints/n-checkpoint.ipynb", "{}");
        tmp.write("nb/n.ipynb", "{}");
        // What jupyter-lsp writes for an open notebook: its code, under the notebook's name.
        tmp.write(
            ".virtual_documents/nb/n.ipynb",
            "import os\n\n\nprint(os.getcwd())\n",
        );
        let found = tmp.found(std::slice::from_ref(&tmp.0), &tmp.settings(&[]));
        assert_eq!(found, ["keep.py", "nb/n.ipynb"]);

        // Named explicitly, a gitignored file or a skipped folder is checked.
        let explicit = tmp.found(
            &[tmp.0.join("scratch_tmp.py"), tmp.0.join("venv")],
            &tmp.settings(&[]),
        );
        assert_eq!(explicit, ["scratch_tmp.py", "venv/x.py"]);
    }

    #[test]
    fn exclude_globs_match_relative_paths_and_names() {
        let tmp = TempDir::new("exclude");
        tmp.write("legacy/old.py", "");
        tmp.write("src/legacy/older.py", "");
        tmp.write("notebooks/old/a.ipynb", "{}");
        tmp.write("notebooks/old/a.py", "");
        tmp.write("notebooks/new/b.ipynb", "{}");
        tmp.write("src/main.py", "");
        let settings = tmp.settings(&["legacy", "notebooks/old/*.ipynb"]);
        let found = tmp.found(std::slice::from_ref(&tmp.0), &settings);
        assert_eq!(
            found,
            ["notebooks/new/b.ipynb", "notebooks/old/a.py", "src/main.py"]
        );

        // `exclude` holds for files named explicitly too, also through their folders.
        let explicit = tmp.found(
            &[
                tmp.0.join("legacy/old.py"),
                tmp.0.join("src/legacy"),
                tmp.0.join("src/main.py"),
            ],
            &settings,
        );
        assert_eq!(explicit, ["src/main.py"]);
    }

    #[test]
    fn symlink_loops_terminate_and_dangling_links_are_skipped() {
        let tmp = TempDir::new("links");
        tmp.write("pkg/a.py", "");
        std::os::unix::fs::symlink(&tmp.0, tmp.0.join("pkg/loop")).unwrap();
        std::os::unix::fs::symlink(tmp.0.join("missing.py"), tmp.0.join("dangling.py")).unwrap();
        std::os::unix::fs::symlink(tmp.0.join("pkg/a.py"), tmp.0.join("alias.py")).unwrap();
        let found = tmp.found(std::slice::from_ref(&tmp.0), &tmp.settings(&[]));
        // `alias.py` and `pkg/a.py` are one file: it is listed once, under the first name.
        assert_eq!(found, ["alias.py"]);
    }

    #[test]
    fn the_same_file_twice_is_listed_once() {
        let tmp = TempDir::new("dedup");
        let file = tmp.write("pkg/a.py", "");
        tmp.write("pkg/b.py", "");
        let found = tmp.found(
            &[file, tmp.0.join("pkg"), tmp.0.clone()],
            &tmp.settings(&[]),
        );
        assert_eq!(found, ["pkg/a.py", "pkg/b.py"]);
    }

    #[test]
    fn explicit_files_of_other_kinds_are_skipped() {
        let tmp = TempDir::new("kinds");
        let readme = tmp.write("README.md", "");
        let stub = tmp.write("a.pyi", "");
        let shell = tmp.write("run", "#!/bin/sh\npython train.py\n");
        let pythonic = tmp.write("notes", "#!not really\n# python\n");
        assert!(
            tmp.found(&[readme, stub, shell, pythonic], &tmp.settings(&[]))
                .is_empty()
        );
    }

    #[test]
    fn an_explicit_script_with_a_python_shebang_is_checked() {
        let tmp = TempDir::new("shebang");
        let env = tmp.write("bin/train", "#!/usr/bin/env python3\nimport os\n");
        let conda = tmp.write("bin/serve", "#!/opt/conda/bin/python -u\n");
        // Found by a walk, it is not: only named files are looked into.
        let found = tmp.found(&[env, conda], &tmp.settings(&[]));
        assert_eq!(found, ["bin/serve", "bin/train"]);
        assert!(
            tmp.found(std::slice::from_ref(&tmp.0), &tmp.settings(&[]))
                .is_empty()
        );
    }

    #[test]
    fn a_missing_path_is_listed_for_the_loader_to_report() {
        let tmp = TempDir::new("missing");
        tmp.write("a.py", "");
        std::os::unix::fs::symlink(tmp.0.join("gone"), tmp.0.join("dangling")).unwrap();
        let paths = [
            tmp.0.clone(),
            tmp.0.join("nope.py"),
            tmp.0.join("nowhere"),
            tmp.0.join("dangling"),
        ];
        let found = tmp.found(&paths, &tmp.settings(&[]));
        // Whatever its name: a missing folder or a link is reported too.
        assert_eq!(found, ["a.py", "dangling", "nope.py", "nowhere"]);
        // Walking a project, a path that is not there is passed over.
        let walked = discover_to_depth(&paths, &tmp.settings(&[]), None).unwrap();
        assert_eq!(walked.len(), 1);
    }

    #[test]
    fn display_is_relative_to_cwd_with_slashes() {
        let cwd = Path::new("/work/proj");
        assert_eq!(display_path(Path::new("./src/a.py"), cwd), "src/a.py");
        assert_eq!(display_path(Path::new("src/./a.py"), cwd), "src/a.py");
        assert_eq!(
            display_path(Path::new("/work/proj/nb/x.ipynb"), cwd),
            "nb/x.ipynb"
        );
        assert_eq!(
            display_path(Path::new("/elsewhere/b.py"), cwd),
            "/elsewhere/b.py"
        );
        assert_eq!(
            display_path(Path::new("../other/c.py"), cwd),
            "../other/c.py"
        );
        assert_eq!(
            display_path(Path::new("./../other/c.py"), cwd),
            "../other/c.py"
        );
    }

    #[test]
    fn unreadable_folders_are_handed_on_and_loops_are_not() {
        let denied = ignore::Error::WithPath {
            path: PathBuf::from("data/locked"),
            err: Box::new(ignore::Error::WithDepth {
                depth: 1,
                err: Box::new(ignore::Error::Io(std::io::Error::from(
                    std::io::ErrorKind::PermissionDenied,
                ))),
            }),
        };
        assert_eq!(unreadable_path(&denied), Some(PathBuf::from("data/locked")));
        let looped = ignore::Error::Loop {
            ancestor: PathBuf::from("a"),
            child: PathBuf::from("a/b"),
        };
        assert_eq!(unreadable_path(&looped), None);
    }
}
