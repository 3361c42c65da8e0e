//! Which configuration governs which file. Each file is checked under the configuration file
//! nearest to it, found by walking up from the file, as ruff does: the paths of one run may
//! hold several (`mlready check a/train.py b/train.py` from a monorepo's root, or `mlready
//! check .` above two services with their own `pyproject.toml`), and the order they are given
//! in changes nothing. `--config` names the one configuration of every file.
//!
//! A run whose files all share one configuration is one group with every file, found once:
//! the engine is given the files this walk found rather than walking again.

use super::{CliOverrides, PathGlobs, ResolvedExtras, absolute, config_in, normalize, relative_to};
use crate::discover::{Discovered, discover};
use crate::error::Error;
use crate::settings::Settings;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// The files one configuration governs, with the settings it resolves to.
#[derive(Debug)]
pub struct Group {
    pub settings: Settings,
    pub extras: ResolvedExtras,
    /// The configuration file (as shown: relative to the working directory when below it);
    /// `None` for the defaults.
    pub config: Option<PathBuf>,
    /// The files to check, sorted by display path, each once.
    pub files: Vec<Discovered>,
}

/// The groups of the files under `paths` (the working directory when there are none), in the
/// order their first path was given.
pub fn groups(
    paths: &[PathBuf],
    cli: &CliOverrides,
    known: &[(&'static str, &'static str)],
) -> Result<Vec<Group>, Error> {
    let cwd = crate::error::working_dir()?;
    let here = [PathBuf::from(".")];
    let paths = if paths.is_empty() { &here[..] } else { paths };
    let mut nearest = Nearest::new(&cwd);
    if cli.config.is_some() {
        let (settings, extras) = super::resolve_found(None, cli, known)?;
        let files = discover(paths, &settings)?;
        let config = settings.config_file.clone();
        return Ok(vec![Group {
            settings,
            extras,
            config,
            files,
        }]);
    }
    // The paths under each configuration, walked with that configuration's `exclude`; each
    // file found then goes to its own nearest configuration, which may be below the path.
    let mut by_config: Vec<(Option<PathBuf>, Vec<PathBuf>)> = Vec::new();
    for path in paths {
        let config = nearest.of(path)?;
        match by_config.iter_mut().find(|(c, _)| *c == config) {
            Some((_, args)) => args.push(path.clone()),
            None => by_config.push((config, vec![path.clone()])),
        }
    }
    let mut groups: Vec<Group> = Vec::new();
    // Each group's `exclude`, for the files another configuration's walk found for it.
    let mut excludes: Vec<PathGlobs> = Vec::new();
    let mut index_of: HashMap<Option<PathBuf>, usize> = HashMap::new();
    let mut group_of =
        |config: Option<PathBuf>, groups: &mut Vec<Group>, excludes: &mut Vec<PathGlobs>| {
            if let Some(&index) = index_of.get(&config) {
                return Ok::<usize, Error>(index);
            }
            let (settings, extras) = super::resolve_found(config.clone(), cli, known)?;
            excludes.push(PathGlobs::new(&settings.exclude, &settings.root, &cwd)?);
            groups.push(Group {
                config: settings.config_file.clone(),
                settings,
                extras,
                files: Vec::new(),
            });
            index_of.insert(config, groups.len() - 1);
            Ok(groups.len() - 1)
        };
    for (config, args) in by_config {
        let walked_with = group_of(config.clone(), &mut groups, &mut excludes)?;
        let files = discover(&args, &groups[walked_with].settings)?;
        for file in files {
            let own = nearest.of_file(&file.path)?;
            if own == config {
                groups[walked_with].files.push(file);
                continue;
            }
            let index = group_of(own, &mut groups, &mut excludes)?;
            if !excludes[index].matches_path_or_ancestor(&file.path) {
                groups[index].files.push(file);
            }
        }
    }
    for group in &mut groups {
        // A file reached through two paths of different configurations is listed twice.
        let mut seen = HashSet::new();
        group
            .files
            .retain(|file| seen.insert(file.identity.clone()));
        group.files.sort_by(|a, b| a.display.cmp(&b.display));
    }
    // A configuration whose paths hold no file to check is left out, unless it is the only one
    // (its settings still say how the empty run is reported).
    if groups.len() > 1 {
        groups.retain(|group| !group.files.is_empty());
    }
    if groups.is_empty() {
        let (settings, extras) = super::resolve_found(None, cli, known)?;
        groups.push(Group {
            config: None,
            settings,
            extras,
            files: Vec::new(),
        });
    }
    Ok(groups)
}

/// The nearest configuration file of paths, remembered per folder: a walk reaches many files
/// of one folder, and the folders above it are shared.
struct Nearest {
    cwd: PathBuf,
    folders: HashMap<PathBuf, Option<PathBuf>>,
}

impl Nearest {
    fn new(cwd: &Path) -> Nearest {
        Nearest {
            cwd: cwd.to_path_buf(),
            folders: HashMap::new(),
        }
    }

    /// The configuration file of `path` (a file, or a folder for itself), absolute.
    fn of(&mut self, path: &Path) -> Result<Option<PathBuf>, Error> {
        let path = normalize(&absolute(path, &self.cwd));
        if path.is_dir() {
            return self.of_folder(&path);
        }
        match path.parent() {
            Some(parent) => self.of_folder(parent),
            None => Ok(None),
        }
    }

    /// [`Nearest::of`] for a path known not to be a folder (a file a walk found, or a path
    /// that does not exist), without asking the file system.
    fn of_file(&mut self, path: &Path) -> Result<Option<PathBuf>, Error> {
        let path = normalize(&absolute(path, &self.cwd));
        match path.parent() {
            Some(parent) => self.of_folder(parent),
            None => Ok(None),
        }
    }

    /// The configuration file of the absolute, normalised folder `first`.
    fn of_folder(&mut self, first: &Path) -> Result<Option<PathBuf>, Error> {
        if let Some(known) = self.folders.get(first) {
            return Ok(known.clone());
        }
        let mut visited = Vec::new();
        let mut found = None;
        for folder in first.ancestors() {
            if let Some(known) = self.folders.get(folder) {
                found = known.clone();
                break;
            }
            visited.push(folder.to_path_buf());
            if let Some(config) = config_in(folder).map_err(|mut err| {
                err.path = err.path.map(|path| relative_to(&path, &self.cwd));
                err
            })? {
                found = Some(config);
                break;
            }
        }
        for folder in visited {
            self.folders.insert(folder, found.clone());
        }
        Ok(found)
    }
}
