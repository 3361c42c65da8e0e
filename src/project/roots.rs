//! Which project a file belongs to, whatever else is on the command line: the nearest folder
//! above it that holds `pyproject.toml`, `setup.cfg`, `setup.py`, `requirements.txt` or
//! `.git`; without one, the deepest folder argument holding it (a folder of loose scripts
//! checked as a whole), else the file's own folder.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The files whose presence makes a folder a project root.
pub const MARKERS: [&str; 5] = [
    "pyproject.toml",
    "setup.cfg",
    "setup.py",
    "requirements.txt",
    ".git",
];

/// A project root and how it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Root {
    /// Absolute and resolved.
    pub path: PathBuf,
    pub kind: RootKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RootKind {
    /// The nearest folder with a project marker.
    Marked,
    /// No marker: the folder named on the command line that holds the file.
    Argument,
    /// No marker and no folder argument: the file's own folder, whose sub-folders are
    /// projects of their own.
    OwnFolder,
}

/// Finds project roots, remembering the answer for each folder.
pub struct Roots {
    /// The folder arguments, resolved once: walks of resolved roots meet them as typed.
    arguments: Vec<PathBuf>,
    cwd: PathBuf,
    /// Folder (absolute, resolved) → its nearest marked ancestor.
    marked: HashMap<PathBuf, Option<PathBuf>>,
    /// Folder as named → the same, absolute and resolved.
    resolved: HashMap<PathBuf, PathBuf>,
}

impl Roots {
    pub fn new(arguments: &[PathBuf], cwd: &Path) -> Roots {
        let mut roots = Roots {
            arguments: Vec::new(),
            cwd: cwd.to_path_buf(),
            marked: HashMap::new(),
            resolved: HashMap::new(),
        };
        roots.arguments = arguments
            .iter()
            .filter(|a| a.is_dir())
            .map(|a| roots.resolve(a))
            .collect();
        roots
    }

    /// The project root of `file` (which need not exist: `--stdin-filename`).
    pub fn of(&mut self, file: &Path) -> PathBuf {
        self.find(file).path
    }

    /// The project root of `file`, resolved (so that two spellings of one folder are one
    /// project), and how it was found.
    pub fn find(&mut self, file: &Path) -> Root {
        let folder = file.parent().filter(|p| !p.as_os_str().is_empty());
        let absolute = match folder {
            Some(folder) => self.resolve(folder),
            None => self.cwd.clone(),
        };
        if let Some(root) = self.marked_ancestor(&absolute) {
            return Root {
                path: root,
                kind: RootKind::Marked,
            };
        }
        let argument = self
            .arguments
            .iter()
            .filter(|argument| absolute.starts_with(argument))
            .max_by_key(|argument| argument.components().count());
        match argument {
            Some(argument) => Root {
                path: argument.clone(),
                kind: RootKind::Argument,
            },
            None => Root {
                path: absolute,
                kind: RootKind::OwnFolder,
            },
        }
    }

    /// `folder` absolute and resolved, once per folder.
    fn resolve(&mut self, folder: &Path) -> PathBuf {
        let cwd = &self.cwd;
        self.resolved
            .entry(folder.to_path_buf())
            .or_insert_with(|| {
                std::fs::canonicalize(folder)
                    .unwrap_or_else(|_| crate::config::normalize(&cwd.join(folder)))
            })
            .clone()
    }

    fn marked_ancestor(&mut self, dir: &Path) -> Option<PathBuf> {
        let mut chain = Vec::new();
        let mut current = Some(dir);
        let found = loop {
            let Some(folder) = current else {
                break None;
            };
            if let Some(known) = self.marked.get(folder) {
                break known.clone();
            }
            if MARKERS.iter().any(|m| folder.join(m).exists()) {
                break Some(folder.to_path_buf());
            }
            chain.push(folder.to_path_buf());
            current = folder.parent();
        };
        for folder in chain {
            self.marked.insert(folder, found.clone());
        }
        found
    }
}

/// `file` relative to `root`, when it is below it (either may be relative to `cwd`).
pub fn relative_to(file: &Path, root: &Path, cwd: &Path) -> Option<PathBuf> {
    if let Ok(rest) = file.strip_prefix(root) {
        return Some(rest.to_path_buf());
    }
    let absolute = |p: &Path| crate::config::normalize(&cwd.join(p));
    if let Ok(rest) = absolute(file).strip_prefix(absolute(root)) {
        return Some(rest.to_path_buf());
    }
    let file = std::fs::canonicalize(file.parent()?)
        .ok()?
        .join(file.file_name()?);
    let root = std::fs::canonicalize(root).ok()?;
    file.strip_prefix(&root).ok().map(Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::TempDir;

    #[test]
    fn a_marked_ancestor_wins_over_a_folder_argument() {
        let dir = TempDir::new("roots");
        dir.write("proj/pyproject.toml", "");
        let train = dir.write("proj/src/train.py", "");
        dir.write("loose/a/notes.py", "");
        let root = std::fs::canonicalize(dir.0.join("proj")).unwrap();
        let src = dir.0.join("proj/src");
        let arguments = [src.clone()];
        let mut roots = Roots::new(&arguments, &dir.0);
        assert_eq!(roots.of(&train), root);
        assert_eq!(roots.of(&src.join("not_yet_written.py")), root);

        let loose = dir.0.join("loose");
        let arguments = [loose.clone()];
        let mut roots = Roots::new(&arguments, &dir.0);
        let real = std::fs::canonicalize(&loose).unwrap();
        assert_eq!(
            roots.find(&loose.join("a/notes.py")),
            Root {
                path: real.clone(),
                kind: RootKind::Argument
            }
        );
        let mut alone = Roots::new(&[], &dir.0);
        assert_eq!(
            alone.find(&loose.join("a/notes.py")),
            Root {
                path: real.join("a"),
                kind: RootKind::OwnFolder
            }
        );
        // Two spellings of one folder are one root.
        let mut spelled = Roots::new(&[], &dir.0);
        assert_eq!(
            spelled.of(&dir.0.join("loose/./a/notes.py")),
            spelled.of(&dir.0.join("loose/a/notes.py"))
        );
    }

    #[test]
    fn relative_paths_are_found_however_the_file_was_named() {
        let dir = TempDir::new("relative");
        let file = dir.write("proj/tests/test_x.py", "");
        let root = std::fs::canonicalize(dir.0.join("proj")).unwrap();
        assert_eq!(
            relative_to(&file, &root, &dir.0),
            Some(PathBuf::from("tests/test_x.py"))
        );
        assert_eq!(
            relative_to(Path::new("proj/tests/test_x.py"), &root, &dir.0),
            Some(PathBuf::from("tests/test_x.py"))
        );
        assert_eq!(
            relative_to(Path::new("/elsewhere/x.py"), &root, &dir.0),
            None
        );
    }
}
