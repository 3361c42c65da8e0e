//! Which configuration governs which file. Each file is checked under the configuration file
//! nearest to it, found by walking up from the file, as ruff does: the paths of one run may
//! hold several (`mlready check a/train.py b/train.py` from a monorepo's root, or `mlready
//! check .` above two services with their own `pyproject.toml`), and the order they are given
//! in changes nothing. `--config` names the one configuration of every file.
//!
//! Each path is walked with its configuration's `exclude`; a folder below it with a
//! configuration of its own is not entered but walked on its own, with that configuration's
//! `exclude`, so a file's exclusion is always its own configuration's. A run whose files all
//! share one configuration is one group, found by one walk: the engine is given the files this
//! walk found rather than walking again.

use super::{CliOverrides, ResolvedExtras, absolute, config_in, normalize, relative_to};
use crate::discover::{Boundary, Discovered, discover, discover_bounded};
use crate::error::Error;
use crate::settings::Settings;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The files one configuration governs, with the settings it resolves to.
#[derive(Debug)]
pub struct Group {
    pub settings: Settings,
    pub extras: ResolvedExtras,
    /// The files to check, sorted by display path, each once in the whole run.
    pub files: Vec<Discovered>,
}

/// The groups of a run, and the configurations below its paths that could not be used: each
/// is an error for the user (exit 2), and the files it governs are not checked; the other
/// groups are.
#[derive(Debug, Default)]
pub struct Groups {
    pub groups: Vec<Group>,
    pub broken: Vec<Error>,
}

/// The groups of the files under `paths` (the working directory when there are none), in the
/// order their first path was given. A configuration that cannot be used is an error when a
/// path's own configuration; when it was met below a walked folder, it goes to
/// [`Groups::broken`].
pub fn groups(
    paths: &[PathBuf],
    cli: &CliOverrides,
    known: &[(&'static str, &'static str)],
) -> Result<Groups, Error> {
    let cwd = crate::error::working_dir()?;
    let here = [PathBuf::from(".")];
    let paths = if paths.is_empty() { &here[..] } else { paths };
    if cli.config.is_some() {
        let (settings, extras) = super::resolve_found(None, cli, known)?;
        let files = discover(paths, &settings)?;
        return Ok(Groups {
            groups: vec![Group {
                settings,
                extras,
                files,
            }],
            broken: Vec::new(),
        });
    }
    // The walks to make: (configuration, paths), the paths' own first, in the order given.
    let mut walks: Vec<(Option<PathBuf>, Vec<PathBuf>)> = Vec::new();
    for path in paths {
        let config = super::find_config(path)
            .map_err(|err| shown_from(err, &cwd))?
            .map(|config| normalize(&absolute(&config, &cwd)));
        match walks.iter_mut().find(|(c, _)| *c == config) {
            Some((_, args)) => args.push(path.clone()),
            None => walks.push((config, vec![path.clone()])),
        }
    }
    let mut run = Groups::default();
    // Groups by the real path of their configuration file (a symlinked folder holds the same
    // file under another name).
    let mut index_of: HashMap<Option<PathBuf>, usize> = HashMap::new();
    // Every file found, with its group: a file reached twice (through a symlink, or by two
    // paths) is checked once, under the name that sorts first, whatever the order of the paths.
    let mut found: Vec<(usize, Discovered)> = Vec::new();
    let from_paths = walks.len();
    let mut walked: HashSet<PathBuf> = HashSet::new();
    let mut next = 0;
    while next < walks.len() {
        let (config, args) = walks[next].clone();
        let met_below = next >= from_paths;
        next += 1;
        let key = config
            .as_ref()
            .map(|c| std::fs::canonicalize(c).unwrap_or_else(|_| c.clone()));
        let index = match index_of.get(&key) {
            Some(&index) => index,
            None => match super::resolve_found(config.clone(), cli, known) {
                Ok((settings, extras)) => {
                    run.groups.push(Group {
                        settings,
                        extras,
                        files: Vec::new(),
                    });
                    index_of.insert(key, run.groups.len() - 1);
                    run.groups.len() - 1
                }
                Err(err) if met_below => {
                    run.broken.push(err);
                    continue;
                }
                Err(err) => return Err(err),
            },
        };
        // A folder below with its own configuration file, or one that cannot be looked at
        // (which then fails to resolve, and is reported), is walked on its own.
        let boundary: Boundary = Arc::new(|folder: &Path| !matches!(config_in(folder), Ok(None)));
        let (files, below) = discover_bounded(&args, &run.groups[index].settings, boundary)?;
        found.extend(files.into_iter().map(|file| (index, file)));
        for folder in below {
            let config = match config_in(&folder) {
                Ok(config) => config.map(|config| normalize(&absolute(&config, &cwd))),
                Err(err) => {
                    run.broken.push(shown_from(err, &cwd));
                    continue;
                }
            };
            // A folder met again (through a symlink, or named and met below another path) is
            // walked once.
            let real = std::fs::canonicalize(&folder).unwrap_or_else(|_| folder.clone());
            if walked.insert(real) {
                walks.push((config, vec![folder]));
            }
        }
    }
    found.sort_by(|(_, a), (_, b)| (&a.identity, &a.display).cmp(&(&b.identity, &b.display)));
    found.dedup_by(|(_, later), (_, first)| later.identity == first.identity);
    for (index, file) in found {
        run.groups[index].files.push(file);
    }
    for group in &mut run.groups {
        group.files.sort_by(|a, b| a.display.cmp(&b.display));
    }
    // A configuration whose paths hold no file to check is left out, unless it is the only one
    // (its settings still say how the empty run is reported).
    if run.groups.len() > 1 {
        run.groups.retain(|group| !group.files.is_empty());
    }
    if run.groups.is_empty() {
        let (settings, extras) = super::resolve_found(None, cli, known)?;
        run.groups.push(Group {
            settings,
            extras,
            files: Vec::new(),
        });
    }
    Ok(run)
}

/// `err` with its path as shown to the user: relative to the working directory when below it.
fn shown_from(mut err: Error, cwd: &Path) -> Error {
    err.path = (err.path).map(|path| relative_to(&normalize(&absolute(&path, cwd)), cwd));
    err
}

/// One part of a run: its settings, the `[severity]` table and the rest of what it resolved
/// to, and its files (`None`: every file under the run's paths).
pub type Part = (Settings, ResolvedExtras, Option<Vec<Discovered>>);

/// The parts whose configurations say the same thing, run as one: the files of a project with
/// many alike configuration files (one per experiment folder) are then analysed once, not
/// once per configuration. Settings whose patterns are matched from a folder are alike only
/// when they are empty or their folders are the same.
pub fn merge_alike(parts: Vec<Part>) -> Vec<Part> {
    let mut merged: Vec<Part> = Vec::new();
    for (settings, extras, files) in parts {
        match merged.iter_mut().find(|(other, other_extras, _)| {
            alike(&settings, other) && extras.severity == other_extras.severity
        }) {
            Some((_, _, Some(kept))) if files.is_some() => {
                kept.extend(files.into_iter().flatten());
                kept.sort_by(|a, b| a.display.cmp(&b.display));
            }
            _ => merged.push((settings, extras, files)),
        }
    }
    merged
}

fn alike(a: &Settings, b: &Settings) -> bool {
    let unanchored = |s: &Settings| {
        s.exclude.is_empty()
            && s.per_file_ignores.is_empty()
            && s.facts.serving.entry_points.is_empty()
            && s.facts.serving.online.is_empty()
    };
    a.select == b.select
        && a.extend_select == b.extend_select
        && a.ignore == b.ignore
        && a.fail_on == b.fail_on
        && a.preview == b.preview
        && a.limits == b.limits
        && a.facts == b.facts
        && a.exclude == b.exclude
        && a.cli_exclude == b.cli_exclude
        && a.per_file_ignores == b.per_file_ignores
        && (unanchored(a) || normalize(&a.root) == normalize(&b.root))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(root: &str, select: &[&str], file: &str) -> Part {
        let settings = Settings {
            root: PathBuf::from(root),
            config_file: Some(PathBuf::from(root).join("mlready.toml")),
            select: select.iter().map(|s| s.to_string()).collect(),
            ..Settings::default()
        };
        let file = Discovered {
            path: PathBuf::from(file),
            display: file.to_string(),
            identity: PathBuf::from("/").join(file),
        };
        (settings, ResolvedExtras::default(), Some(vec![file]))
    }

    fn files(part: &Part) -> Vec<&str> {
        let files = part.2.as_ref().unwrap();
        files.iter().map(|f| f.display.as_str()).collect()
    }

    #[test]
    fn alike_configurations_run_as_one() {
        let merged = merge_alike(vec![
            part("/p/b", &["LEAK"], "b/x.py"),
            part("/p/c", &["REPRO"], "c/x.py"),
            part("/p/a", &["LEAK"], "a/x.py"),
        ]);
        assert_eq!(merged.len(), 2);
        assert_eq!(files(&merged[0]), ["a/x.py", "b/x.py"]);
        assert_eq!(files(&merged[1]), ["c/x.py"]);
    }

    #[test]
    fn patterns_matched_from_different_folders_keep_configurations_apart() {
        let with_ignores = |root: &str, file: &str| {
            let mut part = part(root, &[], file);
            part.0.per_file_ignores = vec![("tests".into(), vec!["LEAK".into()])];
            part
        };
        let merged = merge_alike(vec![
            with_ignores("/p/a", "a/x.py"),
            with_ignores("/p/b", "b/x.py"),
        ]);
        assert_eq!(merged.len(), 2);
        let merged = merge_alike(vec![
            with_ignores("/p/a", "a/x.py"),
            with_ignores("/p/a", "a/y.py"),
        ]);
        assert_eq!(merged.len(), 1);
        // Severities differ: apart.
        let mut info = part("/p/b", &[], "b/x.py");
        info.1.severity = vec![("LEAK".into(), crate::finding::Severity::Info)];
        assert_eq!(
            merge_alike(vec![part("/p/a", &[], "a/x.py"), info]).len(),
            2
        );
    }
}
