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

/// Finds project roots, remembering the answer for each folder.
pub struct Roots<'a> {
    /// The folder arguments.
    arguments: Vec<&'a PathBuf>,
    cwd: PathBuf,
    /// Folder (absolute, resolved) → its nearest marked ancestor.
    marked: HashMap<PathBuf, Option<PathBuf>>,
    /// Folder as named → the same, absolute and resolved.
    resolved: HashMap<PathBuf, PathBuf>,
}

impl<'a> Roots<'a> {
    pub fn new(arguments: &'a [PathBuf], cwd: &Path) -> Roots<'a> {
        Roots {
            arguments: arguments.iter().filter(|a| a.is_dir()).collect(),
            cwd: cwd.to_path_buf(),
            marked: HashMap::new(),
            resolved: HashMap::new(),
        }
    }

    /// The project root of `file` (which need not exist: `--stdin-filename`).
    pub fn of(&mut self, file: &Path) -> PathBuf {
        let folder = file.parent().filter(|p| !p.as_os_str().is_empty());
        let absolute = match folder {
            Some(folder) => {
                let cwd = &self.cwd;
                self.resolved
                    .entry(folder.to_path_buf())
                    .or_insert_with(|| {
                        std::fs::canonicalize(folder)
                            .unwrap_or_else(|_| crate::config::normalize(&cwd.join(folder)))
                    })
                    .clone()
            }
            None => self.cwd.clone(),
        };
        if let Some(root) = self.marked_ancestor(&absolute) {
            return root;
        }
        let argument = self
            .arguments
            .iter()
            .filter(|argument| file.starts_with(argument))
            .max_by_key(|argument| argument.components().count());
        match (argument, folder) {
            (Some(argument), _) => argument.to_path_buf(),
            (None, Some(folder)) => folder.to_path_buf(),
            (None, None) => PathBuf::from("."),
        }
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
        assert_eq!(roots.of(&loose.join("a/notes.py")), loose);
        let mut alone = Roots::new(&[], &dir.0);
        assert_eq!(alone.of(&loose.join("a/notes.py")), loose.join("a"));
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
