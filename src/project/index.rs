//! The project index (catalog S8): every file's summary, joined by artifact path, data path
//! and imported module. Rules that need the whole repository read it; it never re-reads a
//! Python file.

use super::facts::ProjectFacts;
use super::manifests::Manifests;
use super::summary::{Entry, FileSummary, Place, Save, Schema, Training};
use crate::ml::monitoring::DRIFT_DISTRIBUTIONS;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A file of the project: its index in the index's files.
pub type FileId = usize;

/// A serving entry point with the file it is in.
#[derive(Debug, Clone, Copy)]
pub struct EntryRef<'a> {
    pub file: FileId,
    pub entry: &'a Entry,
}

/// A saved artifact loaded somewhere else: the save and the load.
#[derive(Debug, Clone, Copy)]
pub struct ArtifactEdge {
    pub save: (FileId, usize),
    pub load: (FileId, usize),
}

/// Data written by one file and read by another.
#[derive(Debug, Clone, Copy)]
pub struct DataEdge {
    pub write: (FileId, usize),
    pub read: (FileId, usize),
}

/// The joins of a project index, kept to build it again without joining.
#[derive(Debug, Clone, Default)]
pub struct Joins {
    pub artifact_edges: Vec<ArtifactEdge>,
    pub data_edges: Vec<DataEdge>,
    pub manifest_drift: Vec<(String, String)>,
    pub manifests: Manifests,
}

pub struct ProjectIndex<'a> {
    /// The project's root folder.
    pub root: PathBuf,
    pub files: Vec<&'a FileSummary>,
    pub facts: &'a ProjectFacts,
    /// Dotted module names (every suffix of the path: `src.app.features`, `app.features`,
    /// `features`) → file; names claimed by two files are dropped.
    modules: HashMap<String, Option<FileId>>,
    pub artifact_edges: Vec<ArtifactEdge>,
    /// Indexes into `artifact_edges` by load and by save.
    edges_by_load: HashMap<(FileId, usize), Vec<usize>>,
    edges_by_save: HashMap<(FileId, usize), Vec<usize>>,
    pub data_edges: Vec<DataEdge>,
    /// See [`ProjectIndex::training_imports`].
    training_imports: std::cell::OnceCell<HashMap<FileId, Vec<FileId>>>,
    /// See [`ProjectIndex::importers`].
    importers: std::cell::OnceCell<HashMap<FileId, Vec<FileId>>>,
    /// Drift libraries named in dependency manifests: (manifest, distribution).
    pub manifest_drift: Vec<(String, String)>,
    /// The dependency manifests and lockfiles at the root.
    pub manifests: Manifests,
}

impl<'a> ProjectIndex<'a> {
    pub fn new(root: PathBuf, files: Vec<&'a FileSummary>, facts: &'a ProjectFacts) -> Self {
        Self::build(root, files, facts, None)
    }

    /// The index of the same files again, with the joins an index of them already made
    /// ([`ProjectIndex::joins`]): `mlready audit` reads the project after the rules did,
    /// and joining paths is most of an index's cost.
    pub fn with_joins(
        root: PathBuf,
        files: Vec<&'a FileSummary>,
        facts: &'a ProjectFacts,
        joins: Joins,
    ) -> Self {
        Self::build(root, files, facts, Some(joins))
    }

    /// What [`ProjectIndex::new`] joined: artifact and data edges, drift libraries named in
    /// manifests.
    pub fn joins(&self) -> Joins {
        Joins {
            artifact_edges: self.artifact_edges.clone(),
            data_edges: self.data_edges.clone(),
            manifest_drift: self.manifest_drift.clone(),
            manifests: self.manifests.clone(),
        }
    }

    fn build(
        root: PathBuf,
        files: Vec<&'a FileSummary>,
        facts: &'a ProjectFacts,
        joins: Option<Joins>,
    ) -> Self {
        let mut index = ProjectIndex {
            root,
            files,
            facts,
            modules: HashMap::new(),
            artifact_edges: Vec::new(),
            edges_by_load: HashMap::new(),
            edges_by_save: HashMap::new(),
            data_edges: Vec::new(),
            manifest_drift: Vec::new(),
            manifests: Manifests::default(),
            training_imports: std::cell::OnceCell::new(),
            importers: std::cell::OnceCell::new(),
        };
        index.index_modules();
        match joins {
            Some(joins) => {
                index.artifact_edges = joins.artifact_edges;
                index.data_edges = joins.data_edges;
                index.manifest_drift = joins.manifest_drift;
                index.manifests = joins.manifests;
            }
            None => {
                index.join_artifacts();
                index.read_manifests();
            }
        }
        for (i, edge) in index.artifact_edges.iter().enumerate() {
            index.edges_by_load.entry(edge.load).or_default().push(i);
            index.edges_by_save.entry(edge.save).or_default().push(i);
        }
        index
    }

    fn index_modules(&mut self) {
        for (id, file) in self.files.iter().enumerate() {
            if file.notebook {
                continue;
            }
            let path = file.path.trim_end_matches(".py");
            let path = path.strip_suffix("/__init__").unwrap_or(path);
            let parts: Vec<&str> = path
                .split('/')
                .filter(|p| !p.is_empty() && *p != "..")
                .collect();
            for start in 0..parts.len() {
                let name = parts[start..].join(".");
                self.modules
                    .entry(name)
                    .and_modify(|e| {
                        if *e != Some(id) {
                            *e = None
                        }
                    })
                    .or_insert(Some(id));
            }
        }
    }

    /// Joins saves to loads and writes to reads by path. A relative path is resolved where
    /// the file would run, from the project root: in the file's folder and, when the path
    /// names a folder (`models/x.pkl`), at the root (see [`Located::new`]). Two relative
    /// paths are the same file only when some of those resolutions agree, so a bare
    /// `train.csv` of a notebook in one folder is not the `train.csv` a script writes in
    /// another; and a use that meets a save or write in its own folder's resolution is not
    /// also joined to those it meets only at the root (`p17/serve.py` loading
    /// `models/model.pkl` reads what `p17/train.py` saves there, not every sub-folder's
    /// model). A path anchored somewhere the analysis cannot see (absolute, `~`, a folded
    /// unknown prefix `*/`, a URI) matches from the file name back, on at least one folder
    /// unless both files share a folder (see [`Located::matches`]); one with an unknown
    /// prefix is near a use of its own folder. Saves and writes are indexed by resolved
    /// path, by folder and file name, and by their last two components; each load and read
    /// looks in its own folder first and meets only the paths it may match: the join is
    /// linear in the number of paths and edges, not their product. One save into a folder the project does not hold (the
    /// author's layout, not the one checked in) joins the loads of its file name when it is
    /// the only save of that name and they are bare names in one file.
    fn join_artifacts(&mut self) {
        let folders: Vec<Vec<String>> = self
            .files
            .iter()
            .map(|f| folder_in_root(&f.path, &self.root))
            .collect();
        let root = self.root.clone();
        let mut known: HashMap<Vec<String>, bool> = HashMap::new();
        let mut exists = move |folder: &[String]| -> bool {
            *known
                .entry(folder.to_vec())
                .or_insert_with(|| root.join(folder.join("/")).is_dir())
        };
        let mut locate = |file: FileId, path: &str| -> Located {
            Located::new(path, &folders[file], &mut exists)
        };
        // Saves and writes are indexed; each load and read looks up what it may name.
        let (mut saves, mut writes, mut loads) =
            (Uses::default(), Uses::default(), Uses::default());
        let mut reads: Vec<Use> = Vec::new();
        for (id, file) in self.files.iter().enumerate() {
            for (i, save) in file.saves.iter().enumerate() {
                if let Some(path) = &save.path {
                    saves.add(id, i, locate(id, path));
                }
            }
            for (i, write) in file.writes.iter().enumerate() {
                if let Some(path) = &write.path {
                    writes.add(id, i, locate(id, path));
                }
            }
            for (i, load) in file.loads.iter().enumerate() {
                if let Some(path) = &load.path {
                    loads.add(id, i, locate(id, path));
                }
            }
            for (i, read) in file.reads.iter().enumerate() {
                if let Some(path) = &read.path {
                    let located = locate(id, path);
                    reads.push(Use {
                        file: id,
                        index: i,
                        located,
                    });
                }
            }
        }
        let mut artifacts: Vec<(End, End)> = Vec::new();
        for load in &loads.uses {
            saves.join_nearest(&load.located, (load.file, load.index), &mut artifacts);
        }
        // How many saves of the project name each file name.
        let mut saved_names: HashMap<String, usize> = HashMap::new();
        for save in &saves.uses {
            if let Some(name) = save.located.raw.last() {
                *saved_names.entry(name.clone()).or_default() += 1;
            }
        }
        let joined: std::collections::HashSet<End> = artifacts.iter().map(|e| e.0).collect();
        for save in &saves.uses {
            let saved = &save.located;
            if joined.contains(&(save.file, save.index))
                || !saved.unplaced
                || saved_names.get(saved.raw.last().map_or("", |n| n.as_str())) != Some(&1)
            {
                continue;
            }
            // Saved into a folder the project does not hold: the one file of the project
            // that loads this file name from its own folder (a bare name, naming no other
            // folder), and that no other save names, is the one place it was meant for.
            let candidates = loads.named(saved);
            let relative: Vec<&Use> = candidates
                .iter()
                .copied()
                .filter(|u| !u.located.resolved.is_empty() && u.located.raw.len() == 1)
                .filter(|u| u.located.raw.last() == saved.raw.last())
                .collect();
            let one_file = relative.windows(2).all(|w| w[0].file == w[1].file);
            let all_loads = candidates
                .iter()
                .filter(|u| u.located.raw.last() == saved.raw.last())
                .count();
            if one_file && relative.len() == all_loads {
                for found in relative {
                    artifacts.push(((save.file, save.index), (found.file, found.index)));
                }
            }
        }
        artifacts.sort_unstable();
        self.artifact_edges = artifacts
            .into_iter()
            .map(|(save, load)| ArtifactEdge { save, load })
            .collect();
        let mut data: Vec<(End, End)> = Vec::new();
        for read in &reads {
            writes.join_nearest(&read.located, (read.file, read.index), &mut data);
        }
        data.sort_unstable();
        self.data_edges = data
            .into_iter()
            .map(|(write, read)| DataEdge { write, read })
            .collect();
    }

    fn read_manifests(&mut self) {
        self.manifests = Manifests::read(&self.root);
        for manifest in &self.manifests.manifests {
            let lower = manifest.text.to_ascii_lowercase();
            for dist in DRIFT_DISTRIBUTIONS {
                if manifest_names(&lower, dist) {
                    self.manifest_drift
                        .push((manifest.name.clone(), (*dist).to_string()));
                }
            }
        }
    }

    /// The file a module name (`app.features`) or a qualified name in it
    /// (`app.features.build_features`) belongs to, if it is a file of the project.
    pub fn module_file(&self, qualified: &str) -> Option<FileId> {
        let mut name = qualified;
        loop {
            if let Some(found) = self.modules.get(name) {
                return *found;
            }
            name = name.rsplit_once('.')?.0;
        }
    }

    /// Whether a file plays no role: a test module.
    pub fn is_test(&self, file: FileId) -> bool {
        self.files[file].test
    }

    /// Every serving entry point of the project that is not in a test module, including
    /// those the configuration declares.
    pub fn entries(&self) -> Vec<EntryRef<'a>> {
        let mut out = Vec::new();
        for (id, file) in self.files.iter().enumerate() {
            if file.test {
                continue;
            }
            for entry in &file.entries {
                if !self.calls_api_only(entry) {
                    out.push(EntryRef { file: id, entry });
                }
            }
            for entry in &file.candidates {
                if self
                    .facts
                    .declares_entry(&file.path, &self.root, &entry.name)
                {
                    out.push(EntryRef { file: id, entry });
                }
            }
        }
        out
    }

    /// Whether every prediction of an entry point is a call of a project helper that only
    /// calls a prediction API over HTTP, in modules that load no model: a front end, which
    /// serves no model (the API does).
    fn calls_api_only(&self, entry: &Entry) -> bool {
        !entry.predict_helpers.is_empty()
            && entry.predict_helpers.iter().all(|helper| {
                let name = helper.rsplit('.').next().unwrap_or(helper);
                self.module_file(helper).is_some_and(|module| {
                    let file = self.files[module];
                    file.loads.is_empty() && file.http_functions.iter().any(|f| f == name)
                })
            })
    }

    /// Batch scoring jobs: (file, where it predicts).
    pub fn scoring(&self) -> Vec<(FileId, Place)> {
        let mut out = Vec::new();
        for (id, file) in self.files.iter().enumerate() {
            if !file.test
                && let Some(first) = file.scoring.first()
            {
                out.push((id, *first));
            }
        }
        out
    }

    /// The saves (file, index) whose artifact `load` of `file` reads.
    pub fn saves_read_by(&self, file: FileId, load: usize) -> Vec<(FileId, usize)> {
        self.edges_by_load
            .get(&(file, load))
            .into_iter()
            .flatten()
            .map(|&e| self.artifact_edges[e].save)
            .collect()
    }

    /// The saves whose artifact `load` of `file` reads.
    pub fn savers_of(&self, file: FileId, load: usize) -> Vec<(FileId, &'a Save)> {
        self.saves_read_by(file, load)
            .into_iter()
            .map(|(f, s)| (f, &self.files[f].saves[s]))
            .collect()
    }

    /// The loads of the artifact a save wrote.
    pub fn loaders_of(&self, file: FileId, save: usize) -> Vec<(FileId, usize)> {
        self.edges_by_save
            .get(&(file, save))
            .into_iter()
            .flatten()
            .map(|&e| self.artifact_edges[e].load)
            .collect()
    }

    /// The training behind a save, if the save is of a model fitted in its file.
    pub fn training_of(&self, file: FileId, save: &Save) -> Option<&'a Training> {
        save.training
            .and_then(|t| self.files[file].trainings.get(t))
    }

    /// The fields of a schema type named in `file` (`ChurnRequest`, `app.schemas.Request`).
    pub fn schema(&self, file: FileId, name: &str) -> Option<&'a Schema> {
        let short = name.rsplit('.').next().unwrap_or(name);
        if let Some(schema) = self.files[file].schemas.iter().find(|s| s.name == short) {
            return Some(schema);
        }
        let other = self.module_file(name)?;
        self.files[other].schemas.iter().find(|s| s.name == short)
    }

    /// Project modules whose functions `file` calls and that a training file of the
    /// project imports too: shared feature code.
    pub fn shared_modules(&self, calls: &[String]) -> Vec<FileId> {
        let mut out = Vec::new();
        for call in calls {
            let Some(module) = self.module_file(call) else {
                continue;
            };
            let shared = self
                .training_imports()
                .get(&module)
                .is_some_and(|importers| importers.iter().any(|&i| i != module));
            if shared && !out.contains(&module) {
                out.push(module);
            }
        }
        out
    }

    /// For each project module, the training files that import it (computed once).
    fn training_imports(&self) -> &HashMap<FileId, Vec<FileId>> {
        self.training_imports.get_or_init(|| {
            let mut map: HashMap<FileId, Vec<FileId>> = HashMap::new();
            for (id, file) in self.files.iter().enumerate() {
                if file.trainings.is_empty() {
                    continue;
                }
                for (_, qualified) in &file.imports {
                    if let Some(module) = self.module_file(qualified) {
                        let importers = map.entry(module).or_default();
                        if !importers.contains(&id) {
                            importers.push(id);
                        }
                    }
                }
            }
            map
        })
    }

    /// The files that import `module` (a file of the project), in order; computed once for
    /// all files, so that asking for each entry point's importers stays linear.
    pub fn importers(&self, module: FileId) -> &[FileId] {
        let map = self.importers.get_or_init(|| {
            let mut map: HashMap<FileId, Vec<FileId>> = HashMap::new();
            for (id, file) in self.files.iter().enumerate() {
                for (_, qualified) in &file.imports {
                    if let Some(module) = self.module_file(qualified) {
                        let importers = map.entry(module).or_default();
                        if importers.last() != Some(&id) {
                            importers.push(id);
                        }
                    }
                }
            }
            map
        });
        map.get(&module).map_or(&[], Vec::as_slice)
    }

    /// The display path of a file.
    pub fn path(&self, file: FileId) -> &str {
        &self.files[file].path
    }
}

/// Whether a manifest's text names a distribution as a dependency (not inside another name).
fn manifest_names(text: &str, dist: &str) -> bool {
    let alternatives = [dist.to_string(), dist.replace('-', "_")];
    alternatives.iter().any(|name| {
        text.match_indices(name.as_str()).any(|(at, _)| {
            let before = text[..at].chars().next_back();
            let after = text[at + name.len()..].chars().next();
            let boundary = |c: Option<char>| {
                c.is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            };
            boundary(before) && boundary(after)
        })
    })
}

/// Adds an index entry's uses to `out`.
fn take(out: &mut Vec<usize>, ids: Option<&Vec<usize>>) {
    out.extend(ids.into_iter().flatten());
}

/// Whether two folded paths name the same artifact: their components agree from the file
/// name back, until either runs out or reaches a part that cannot be known (`*`). The file
/// names must be known. MLflow registry references match by model name
/// (`models:/churn` and `models:/churn/Production` or `models:/churn@champion`).
pub fn paths_match(a: &str, b: &str) -> bool {
    parts_match(&normalize(a), &normalize(b))
}

/// [`paths_match`] on normalized paths.
fn parts_match(a: &[String], b: &[String]) -> bool {
    let (Some(last_a), Some(last_b)) = (a.last(), b.last()) else {
        return false;
    };
    if last_a == "*" || last_b == "*" {
        return false;
    }
    for (x, y) in a.iter().rev().zip(b.iter().rev()) {
        if x == "*" || y == "*" {
            return true;
        }
        if !glob_eq(x, y) {
            return false;
        }
    }
    true
}

/// A path as one file uses it: as written (normalized), and where it resolves.
#[derive(Debug, Clone)]
struct Located {
    raw: Vec<String>,
    /// The folder of the file that uses it, from the project root.
    folder: Vec<String>,
    /// Where a relative path may resolve, from the project root: the file's folder (and,
    /// for a path that names a folder, the root). Empty when the path is anchored
    /// somewhere else.
    resolved: Vec<Vec<String>>,
    /// A relative path into a folder the project does not hold, wherever the file runs
    /// (`Titanic/model.pkl` with no `Titanic/` on disk): the author ran it in another layout,
    /// so where the file lands cannot be told from the project.
    unplaced: bool,
    /// The first of `resolved` is in the file's own folder (the root's, for a file at the
    /// root).
    own: bool,
}

impl Located {
    /// `exists` says whether a folder (from the project root) is on disk, when it can tell.
    fn new(path: &str, folder: &[String], exists: &mut impl FnMut(&[String]) -> bool) -> Self {
        let raw = normalize(path);
        let trimmed = path.trim();
        let anchored = trimmed.starts_with('/')
            || trimmed.starts_with('\\')
            || trimmed.starts_with('~')
            || trimmed.contains(':')
            || raw.first().is_some_and(|p| p == "*");
        let mut resolved = Vec::new();
        if anchored {
            return Located {
                raw,
                folder: folder.to_vec(),
                resolved,
                unplaced: false,
                own: false,
            };
        }
        let here = resolve(folder, &raw);
        // A file in a subfolder may run from the root (`python src/train.py`, a notebook
        // opened with the root as its working directory); a path that names a folder
        // (`models/x.pkl`) may then be the root's. Where the folder exists on one side only,
        // that side is the one. A bare file name stays in the file's folder: generic names
        // (`train.csv`, `model.pkl`) of different folders are different files.
        let names_folder = raw.len() >= 2 && raw[0] != "..";
        if folder.is_empty() || !names_folder {
            let unplaced = names_folder && !exists(&here[..here.len() - 1]);
            resolved.push(here);
            return Located {
                raw,
                folder: folder.to_vec(),
                resolved,
                unplaced,
                own: true,
            };
        }
        let first = &raw[..1];
        let at_root = resolve(&[], &raw);
        let mut unplaced = false;
        let mut own = true;
        match (exists(&resolve(folder, first)), exists(first)) {
            (true, false) => resolved.push(here),
            (false, true) => {
                own = false;
                resolved.push(at_root);
            }
            (true, true) => {
                resolved.push(here);
                resolved.push(at_root);
            }
            (false, false) => {
                unplaced = true;
                resolved.push(here);
                resolved.push(at_root);
            }
        }
        Located {
            raw,
            folder: folder.to_vec(),
            resolved,
            unplaced,
            own,
        }
    }

    /// A URI, or a wildcard inside the path (not the folded unknown prefix `*/`): the use
    /// cannot be found by the places it resolves to or by its last components.
    fn irregular(&self) -> bool {
        let uri = self.raw.first().is_some_and(|p| p.ends_with(':'));
        uri || self
            .raw
            .iter()
            .enumerate()
            .any(|(i, part)| part.contains('*') && !(i == 0 && part == "*"))
    }

    /// The last two components of each path a match compares from the file name back: the
    /// path as written when it is anchored, else each resolution.
    fn tails(&self) -> Vec<(String, String)> {
        let paths = if self.resolved.is_empty() {
            std::slice::from_ref(&self.raw)
        } else {
            self.resolved.as_slice()
        };
        paths
            .iter()
            .filter_map(|path| match path.as_slice() {
                [.., parent, name] => Some((parent.clone(), name.clone())),
                _ => None,
            })
            .collect()
    }

    /// Whether two uses that match agree in their own folders' resolutions: the same file
    /// wherever the two files run. A path with an unknown prefix (`Path(__file__).parent /
    /// "models/m.pkl"` folds to `*/models/m.pkl`) is near a use of the same folder.
    fn nearby(&self, other: &Located) -> bool {
        let anchored = |l: &Located| l.resolved.is_empty();
        if anchored(self) || anchored(other) {
            let unknown_prefix = |l: &Located| l.raw.first().is_some_and(|p| p == "*");
            return self.folder == other.folder
                && [self, other]
                    .iter()
                    .all(|l| !anchored(l) || unknown_prefix(l));
        }
        self.own
            && other.own
            && match (self.resolved.first(), other.resolved.first()) {
                (Some(a), Some(b)) => {
                    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| glob_eq(x, y))
                }
                _ => false,
            }
    }

    /// Whether two uses name the same file: two relative paths agree on some resolution;
    /// otherwise the anchored one matches from the file name back against the other as
    /// written or as resolved. A match on the file name alone (`*/train.csv` and
    /// `train.csv`) counts only for two files of the same folder: generic names of
    /// different folders are different files. URIs (`models:/churn`, `runs:/*/model`) name
    /// their artifact whole.
    fn matches(&self, other: &Located) -> bool {
        let equal = |a: &[String], b: &[String]| {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| glob_eq(x, y))
        };
        let same_folder = self.folder == other.folder;
        let uri = |parts: &[String]| parts.first().is_some_and(|p| p.ends_with(':'));
        let loose = |a: &[String], b: &[String]| {
            suffix_match(a, b).is_some_and(|depth| depth >= 2 || same_folder || uri(a) || uri(b))
        };
        match (self.resolved.is_empty(), other.resolved.is_empty()) {
            (false, false) => self
                .resolved
                .iter()
                .any(|a| other.resolved.iter().any(|b| equal(a, b))),
            (true, true) => loose(&self.raw, &other.raw),
            (true, false) => other.resolved.iter().any(|b| loose(&self.raw, b)),
            (false, true) => self.resolved.iter().any(|a| loose(a, &other.raw)),
        }
    }
}

/// Uses (indexes into [`Uses::uses`]) by a key: all of them, and the anchored ones alone
/// (what a relative path looks up: two relative paths match by resolution alone).
struct Split<K> {
    all: HashMap<K, Vec<usize>>,
    anchored: HashMap<K, Vec<usize>>,
}

impl<K> Default for Split<K> {
    fn default() -> Self {
        Split {
            all: HashMap::new(),
            anchored: HashMap::new(),
        }
    }
}

impl<K: std::hash::Hash + Eq + Clone> Split<K> {
    fn add(&mut self, key: K, id: usize, anchored: bool) {
        if anchored {
            self.anchored.entry(key.clone()).or_default().push(id);
        }
        self.all.entry(key).or_default().push(id);
    }

    /// What a path looks up: every use for an anchored path, anchored ones for a relative.
    fn for_path(&self, path: &Located) -> &HashMap<K, Vec<usize>> {
        if path.resolved.is_empty() {
            &self.all
        } else {
            &self.anchored
        }
    }
}

/// A save or write, a load or read: (file, index in the file's list).
type End = (FileId, usize);

/// A save, write, load or read, located.
struct Use {
    file: FileId,
    index: usize,
    located: Located,
}

/// Paths of a project (its saves or writes; its loads for the one-save fallback), indexed so
/// that a path finds those it may match without comparing itself with every path of its file
/// name: every path it matches is under one of the keys it looks up (see
/// [`Uses::candidates`]), and the match is then decided by [`Located::matches`].
#[derive(Default)]
struct Uses {
    uses: Vec<Use>,
    /// Relative uses by each place they resolve to: how two relative paths match.
    resolved: HashMap<Vec<String>, Vec<usize>>,
    /// Uses by their folder and file name, for an anchored path's match within one folder.
    by_folder: Split<(Vec<String>, String)>,
    /// Uses by the last two components of each of their paths (as written when anchored,
    /// each resolution when relative), for an anchored path's match on two folders or more.
    by_tail: Split<(String, String)>,
    /// Every use by file name.
    by_name: HashMap<String, Vec<usize>>,
    /// Uses the keys above cannot place, by file name: a wildcard inside the path
    /// (`data/*/x.csv`) or a URI (`runs:/*/model`). Few; compared with every save of the name.
    irregular: HashMap<String, Vec<usize>>,
    /// Uses whose file name has a wildcard (`model_*.pkl`): compared with every save.
    wild: Vec<usize>,
}

impl Uses {
    fn add(&mut self, file: FileId, index: usize, located: Located) {
        let Some(name) = located.raw.last().cloned() else {
            return;
        };
        let id = self.uses.len();
        if name.contains('*') {
            self.wild.push(id);
        } else {
            self.by_name.entry(name.clone()).or_default().push(id);
            let anchored = located.resolved.is_empty();
            self.by_folder
                .add((located.folder.clone(), name.clone()), id, anchored);
            if located.irregular() {
                self.irregular.entry(name).or_default().push(id);
            } else {
                for path in &located.resolved {
                    self.resolved.entry(path.clone()).or_default().push(id);
                }
                for tail in located.tails() {
                    self.by_tail.add(tail, id, anchored);
                }
            }
        }
        self.uses.push(Use {
            file,
            index,
            located,
        });
    }

    /// The indexed paths `path` may match, each once, in the order they were added.
    fn candidates(&self, path: &Located) -> Vec<usize> {
        self.gather(path, |name, out| {
            // A relative path meets relative uses where they resolve, and anchored ones by
            // folder and last components; an anchored path meets every use by those.
            let (by_folder, by_tail) = (self.by_folder.for_path(path), self.by_tail.for_path(path));
            take(out, by_folder.get(&(path.folder.clone(), name.to_string())));
            for resolved in &path.resolved {
                take(out, self.resolved.get(resolved));
            }
            for tail in path.tails() {
                take(out, by_tail.get(&tail));
            }
        })
    }

    /// What [`Self::candidates`] and [`Self::near_candidates`] share: every use when `path`'s
    /// file name has a wildcard; else the uses with a wildcard, those of its name that are
    /// irregular, every use of its name when `path` itself is irregular, and otherwise what
    /// `regular` takes from the indexes. Each once, in the order they were added.
    fn gather(&self, path: &Located, regular: impl FnOnce(&str, &mut Vec<usize>)) -> Vec<usize> {
        let Some(name) = path.raw.last() else {
            return Vec::new();
        };
        if name.contains('*') {
            return (0..self.uses.len()).collect();
        }
        let mut out: Vec<usize> = self.wild.clone();
        take(&mut out, self.irregular.get(name));
        if path.irregular() {
            take(&mut out, self.by_name.get(name));
        } else {
            regular(name, &mut out);
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The uses of `path`'s file name, and those with a wildcard in theirs.
    fn named(&self, path: &Located) -> Vec<&Use> {
        let Some(name) = path.raw.last() else {
            return Vec::new();
        };
        let ids: Vec<usize> = if name.contains('*') {
            (0..self.uses.len()).collect()
        } else {
            let mut ids: Vec<usize> = self.by_name.get(name).cloned().unwrap_or_default();
            ids.extend(&self.wild);
            ids.sort_unstable();
            ids
        };
        ids.into_iter().map(|id| &self.uses[id]).collect()
    }

    /// Saves (or writes) in `path`'s own folder that it may name, whatever else it may:
    /// every one that [`Located::nearby`] accepts is among them.
    fn near_candidates(&self, path: &Located) -> Vec<usize> {
        self.gather(path, |name, out| {
            take(
                out,
                self.by_folder
                    .all
                    .get(&(path.folder.clone(), name.to_string())),
            );
            if path.own {
                take(
                    out,
                    path.resolved
                        .first()
                        .and_then(|first| self.resolved.get(first)),
                );
            }
        })
    }

    /// Records, as (indexed, `to`), what the load or read at `to` (with `path`) names: those
    /// it meets in its own folder when there are any (see [`Located::nearby`]), else every
    /// match. Looking in its folder first keeps a thousand sub-folders that each save and
    /// load `models/model.pkl` from comparing every load with every save.
    fn join_nearest(&self, path: &Located, to: End, edges: &mut Vec<(End, End)>) {
        let matching = |ids: Vec<usize>, near: bool| -> Vec<usize> {
            ids.into_iter()
                .filter(|&id| {
                    // In the order of the save (or write) first: two wildcards do not
                    // compare both ways (`model_*.pkl` against `*`).
                    let other = &self.uses[id].located;
                    other.matches(path) && (!near || other.nearby(path))
                })
                .collect()
        };
        let mut found = matching(self.near_candidates(path), true);
        if found.is_empty() {
            found = matching(self.candidates(path), false);
        }
        edges.extend(found.into_iter().map(|id| {
            let indexed = &self.uses[id];
            ((indexed.file, indexed.index), to)
        }));
    }
}

/// How many components two paths agree on from the file name back, until either runs out
/// or reaches a part that cannot be known (`*`, or a `..` above the root); None when they
/// disagree or a file name is unknown.
fn suffix_match(a: &[String], b: &[String]) -> Option<usize> {
    let (last_a, last_b) = (a.last()?, b.last()?);
    if last_a == "*" || last_b == "*" {
        return None;
    }
    let mut depth = 0;
    for (x, y) in a.iter().rev().zip(b.iter().rev()) {
        if x == "*" || y == "*" || x == ".." || y == ".." {
            return Some(depth);
        }
        if !glob_eq(x, y) {
            return None;
        }
        depth += 1;
    }
    Some(depth)
}

/// `parts` resolved against `folder` (both from the project root), `..` applied; a path
/// that climbs above the root keeps its `..`, which the project's paths never equal.
fn resolve(folder: &[String], parts: &[String]) -> Vec<String> {
    let mut out: Vec<String> = folder.to_vec();
    for part in parts {
        if part == ".." {
            if out.last().is_some_and(|p| p != "..") {
                out.pop();
            } else {
                out.push("..".into());
            }
        } else {
            out.push(part.clone());
        }
    }
    out
}

/// The folder of a file (its display path) relative to the project root, as components.
fn folder_in_root(path: &str, root: &Path) -> Vec<String> {
    let path = path.replace('\\', "/");
    let relative = strip_root(&path, root).unwrap_or(path.clone());
    let mut parts: Vec<String> = relative
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .map(str::to_string)
        .collect();
    parts.pop();
    parts
}

/// A display path relative to the project root, when the root can be told: the root as
/// given, an absolute root under the working directory, or both resolved on disk.
pub(super) fn strip_root(path: &str, root: &Path) -> Option<String> {
    let strip = |root: &str| -> Option<String> {
        let root = root.trim_start_matches("./").trim_end_matches('/');
        if root.is_empty() || root == "." {
            return Some(path.trim_start_matches("./").to_string());
        }
        let rest = path.trim_start_matches("./").strip_prefix(root)?;
        (rest.is_empty() || rest.starts_with('/')).then(|| rest.trim_start_matches('/').to_string())
    };
    let given = root.to_string_lossy().replace('\\', "/");
    if let Some(found) = strip(&given) {
        return Some(found);
    }
    if root.is_absolute()
        && let Ok(cwd) = std::env::current_dir()
        && let Ok(under) = root.strip_prefix(&cwd)
        && let Some(found) = strip(&under.to_string_lossy().replace('\\', "/"))
    {
        return Some(found);
    }
    // Otherwise both as they are on disk (a root outside the working directory).
    let file = std::fs::canonicalize(path).ok()?;
    let root = std::fs::canonicalize(root).ok()?;
    let rest = file.strip_prefix(&root).ok()?;
    Some(rest.to_string_lossy().replace('\\', "/"))
}

fn normalize(path: &str) -> Vec<String> {
    let path = path.replace('\\', "/");
    if let Some(rest) = path.strip_prefix("models:/") {
        let name = rest.split(['/', '@']).next().unwrap_or(rest);
        return vec!["models:".into(), name.to_string()];
    }
    let path = path.trim_end_matches('/');
    path.split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .map(str::to_string)
        .collect()
}

/// Component equality where `*` inside a component matches any text.
fn glob_eq(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let (pattern, text) = if a.contains('*') {
        (a, b)
    } else if b.contains('*') {
        (b, a)
    } else {
        return false;
    };
    let parts: Vec<&str> = pattern.split('*').collect();
    let mut rest = text;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else {
                return false;
            };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            let Some(at) = rest.find(part) else {
                return false;
            };
            rest = &rest[at + part.len()..];
        }
    }
    rest.is_empty()
}

/// The project each file belongs to: each folder argument is a project; a file argument
/// belongs to its nearest ancestor holding pyproject.toml, setup.cfg, setup.py,
/// requirements.txt or .git (else its own folder).
pub fn project_root(file: &Path, arguments: &[PathBuf]) -> PathBuf {
    let mut best: Option<&PathBuf> = None;
    for argument in arguments {
        if argument.is_dir()
            && file.starts_with(argument)
            && best.is_none_or(|b| argument.components().count() > b.components().count())
        {
            best = Some(argument);
        }
    }
    if let Some(root) = best {
        return root.clone();
    }
    let absolute = std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf());
    let mut current = absolute.parent();
    while let Some(dir) = current {
        if [
            "pyproject.toml",
            "setup.cfg",
            "setup.py",
            "requirements.txt",
            ".git",
        ]
        .iter()
        .any(|m| dir.join(m).exists())
        {
            return dir.to_path_buf();
        }
        current = dir.parent();
    }
    file.parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_match_from_the_file_name_back() {
        assert!(paths_match("models/churn.joblib", "models/churn.joblib"));
        assert!(paths_match(
            "*/models/churn.joblib",
            "/srv/app/models/churn.joblib"
        ));
        assert!(paths_match("churn.joblib", "../models/churn.joblib"));
        assert!(paths_match("models/model_*.pkl", "models/model_v2.pkl"));
        assert!(paths_match("models:/churn", "models:/churn/Production"));
        assert!(paths_match("models:/churn", "models:/churn@champion"));
        assert!(paths_match("runs:/*/model", "runs:/abc123/model"));
        assert!(!paths_match("models/churn.joblib", "models/ltv.joblib"));
        assert!(!paths_match(
            "a/models/churn.joblib",
            "b/models/churn.joblib"
        ));
        assert!(!paths_match("models:/churn", "models:/ltv/1"));
        assert!(!paths_match("models/*", "models/churn.pkl"));
    }

    #[test]
    fn a_file_belongs_to_its_nearest_marked_ancestor_and_a_folder_is_a_project() {
        let dir = crate::testutil::TempDir::new("project-root");
        dir.write("repo/pyproject.toml", "");
        let file = dir.write("repo/src/app/main.py", "");
        let nested = dir.write("repo/src/lib/requirements.txt", "");
        let inner = dir.write("repo/src/lib/util.py", "");
        let repo = std::fs::canonicalize(dir.0.join("repo")).unwrap();
        assert_eq!(project_root(&file, std::slice::from_ref(&file)), repo);
        assert_eq!(
            project_root(&inner, std::slice::from_ref(&inner)),
            std::fs::canonicalize(nested.parent().unwrap()).unwrap()
        );
        // A folder argument is the project, whatever markers lie below or above it.
        let src = dir.0.join("repo/src");
        assert_eq!(project_root(&inner, std::slice::from_ref(&src)), src);
    }

    #[test]
    fn saves_join_loads_and_writes_join_reads_by_path() {
        use crate::project::summary::{ArtifactUse, DataWrite};
        let uses = |paths: &[&str]| -> Vec<ArtifactUse> {
            paths
                .iter()
                .map(|p| ArtifactUse {
                    path: Some(p.to_string()),
                    ..ArtifactUse::default()
                })
                .collect()
        };
        let train = FileSummary {
            path: "train.py".into(),
            saves: ["models/churn.joblib", "models/model_*.pkl", "other/x.pkl"]
                .iter()
                .map(|p| Save {
                    path: Some(p.to_string()),
                    ..Save::default()
                })
                .collect(),
            writes: vec![DataWrite {
                path: Some("data/scores.csv".into()),
                ..DataWrite::default()
            }],
            ..FileSummary::default()
        };
        let serve = FileSummary {
            path: "serve.py".into(),
            loads: uses(&[
                "*/models/churn.joblib",
                "models/model_v2.pkl",
                "models/x.pkl",
            ]),
            reads: uses(&["data/scores.csv", "data/other.csv"]),
            ..FileSummary::default()
        };
        let facts = ProjectFacts::default();
        let index = ProjectIndex::new(PathBuf::from("."), vec![&train, &serve], &facts);
        let edges: Vec<((usize, usize), (usize, usize))> = index
            .artifact_edges
            .iter()
            .map(|e| (e.save, e.load))
            .collect();
        assert_eq!(edges, [((0, 0), (1, 0)), ((0, 1), (1, 1))]);
        let data: Vec<_> = index.data_edges.iter().map(|e| (e.write, e.read)).collect();
        assert_eq!(data, [((0, 0), (1, 0))]);
    }

    #[test]
    fn relative_paths_join_where_they_resolve_not_by_bare_name() {
        use crate::project::summary::{ArtifactUse, DataWrite};
        let write = |path: &str, to: &str| FileSummary {
            path: path.into(),
            notebook: path.ends_with(".ipynb"),
            writes: vec![DataWrite {
                path: Some(to.into()),
                ..DataWrite::default()
            }],
            saves: vec![Save {
                path: Some(to.into()),
                ..Save::default()
            }],
            ..FileSummary::default()
        };
        let read = |path: &str, from: &str| FileSummary {
            path: path.into(),
            notebook: path.ends_with(".ipynb"),
            reads: vec![ArtifactUse {
                path: Some(from.into()),
                ..ArtifactUse::default()
            }],
            loads: vec![ArtifactUse {
                path: Some(from.into()),
                ..ArtifactUse::default()
            }],
            ..FileSummary::default()
        };
        let joined = |a: FileSummary, b: FileSummary| -> (usize, usize) {
            let facts = ProjectFacts::default();
            let index = ProjectIndex::new(PathBuf::from("no-such-root"), vec![&a, &b], &facts);
            (index.data_edges.len(), index.artifact_edges.len())
        };
        // Generic names of different folders are different files.
        assert_eq!(
            joined(
                write("blend/level2.py", "train.csv"),
                read("titanic/eda.ipynb", "train.csv")
            ),
            (0, 0)
        );
        assert_eq!(
            joined(
                write("a/train.py", "model.pkl"),
                read("b/app.py", "model.pkl")
            ),
            (0, 0)
        );
        // The same folder, or paths that resolve to the same place.
        assert_eq!(
            joined(
                write("a/train.py", "model.pkl"),
                read("a/app.py", "./model.pkl")
            ),
            (1, 1)
        );
        assert_eq!(
            joined(
                write("notebooks/train.ipynb", "../models/x.pkl"),
                read("app.py", "models/x.pkl")
            ),
            (1, 1)
        );
        assert_eq!(
            joined(
                write("src/train.py", "../models/x.pkl"),
                read("serve/app.py", "../models/x.pkl")
            ),
            (1, 1)
        );
        // Saved into a folder the project does not hold (none exists under this root): the
        // one file loading that name is where it was meant to go, not a reader of its own
        // data elsewhere or a second saver's file.
        assert_eq!(
            joined(
                write("train.ipynb", "Titanic/model.pkl"),
                read("space/app.py", "model.pkl")
            ),
            (0, 1)
        );
        let facts = ProjectFacts::default();
        let (a, b, c) = (
            write("train.ipynb", "Titanic/model.pkl"),
            read("space/app.py", "model.pkl"),
            read("other/app.py", "model.pkl"),
        );
        let index = ProjectIndex::new(PathBuf::from("no-such-root"), vec![&a, &b, &c], &facts);
        assert!(index.artifact_edges.is_empty());
        let d = write("other/train.py", "model.pkl");
        let index = ProjectIndex::new(PathBuf::from("no-such-root"), vec![&a, &b, &d], &facts);
        assert_eq!(index.artifact_edges.len(), 0);
        // A path naming a folder may be the root's when the file runs from the root.
        assert_eq!(
            joined(
                write("notebooks/train.ipynb", "models/x.pkl"),
                read("app.py", "models/x.pkl")
            ),
            (1, 1)
        );
        // An unknown prefix matches from the file name back, but a file name alone only in
        // the same folder.
        assert_eq!(
            joined(
                write("a/prep.py", "*/train.csv"),
                read("b/eda.ipynb", "train.csv")
            ),
            (0, 0)
        );
        assert_eq!(
            joined(
                write("a/prep.py", "*/train.csv"),
                read("a/eda.ipynb", "train.csv")
            ),
            (1, 1)
        );
        assert_eq!(
            joined(
                write("a/train.py", "*/models/m.pkl"),
                read("b/serve.py", "../models/m.pkl")
            ),
            (1, 1)
        );
        // A path anchored elsewhere matches from the file name back.
        assert_eq!(
            joined(
                write("train.py", "/srv/app/models/x.pkl"),
                read("serve/app.py", "../models/x.pkl")
            ),
            (1, 1)
        );
    }

    #[test]
    fn a_use_joins_the_saves_of_its_own_folder_before_those_met_at_the_root() {
        use crate::project::summary::ArtifactUse;
        let save = |path: &str, to: &str| FileSummary {
            path: path.into(),
            saves: vec![Save {
                path: Some(to.into()),
                ..Save::default()
            }],
            ..FileSummary::default()
        };
        let load = |path: &str, from: &str| FileSummary {
            path: path.into(),
            loads: vec![ArtifactUse {
                path: Some(from.into()),
                ..ArtifactUse::default()
            }],
            ..FileSummary::default()
        };
        // Thirty sub-folders, `models/` on disk nowhere: each pair agrees in its own folder
        // and, as every other pair does, at the root.
        for artifact in [
            "model.pkl",
            "models/model.pkl",
            "./models/model.pkl",
            "*/models/model.pkl",
        ] {
            let mut files = Vec::new();
            for i in 0..30 {
                files.push(save(&format!("p{i}/train.py"), artifact));
                files.push(load(&format!("p{i}/serve.py"), artifact));
            }
            let edges = artifact_edges(&files);
            let pairwise: Vec<_> = (0..30).map(|i| ((2 * i, 0), (2 * i + 1, 0))).collect();
            assert_eq!(edges, pairwise, "{artifact}");
        }
        // A load at the root meets them only at the root: all of them.
        let files = [
            save("a/train.py", "models/m.pkl"),
            save("b/train.py", "models/m.pkl"),
            load("app.py", "models/m.pkl"),
            load("a/eval.py", "models/m.pkl"),
        ];
        assert_eq!(
            artifact_edges(&files),
            [((0, 0), (2, 0)), ((0, 0), (3, 0)), ((1, 0), (2, 0))]
        );
    }

    /// The (save, load) edges of a project of `files` whose folders are not on disk.
    fn artifact_edges(files: &[FileSummary]) -> Vec<(End, End)> {
        let facts = ProjectFacts::default();
        let index = ProjectIndex::new(
            PathBuf::from("no-such-root"),
            files.iter().collect(),
            &facts,
        );
        index
            .artifact_edges
            .iter()
            .map(|e| (e.save, e.load))
            .collect()
    }

    #[test]
    fn the_indexed_join_finds_every_match_the_pairwise_comparison_finds() {
        // Every save and every load of a mix of paths, relative and anchored, with wildcards
        // and URIs, in several folders: the index must find exactly what comparing every pair
        // finds (then keeping a use's nearest saves).
        let paths = [
            "model.pkl",
            "./model.pkl",
            "models/model.pkl",
            "../models/model.pkl",
            "../../model.pkl",
            "*/model.pkl",
            "*/models/model.pkl",
            "/srv/app/models/model.pkl",
            "~/models/model.pkl",
            "models/model_*.pkl",
            "models/*",
            "data/*/model.pkl",
            "models:/churn",
            "models:/churn/Production",
            "runs:/*/model",
            "runs:/abc/model",
            "model",
            "other.pkl",
        ];
        let folders: [&[&str]; 4] = [&[], &["src"], &["src", "app"], &["notebooks"]];
        let mut exists = |folder: &[String]| folder == ["src".to_string()];
        let mut all = Vec::new();
        for folder in folders {
            let folder: Vec<String> = folder.iter().map(|f| f.to_string()).collect();
            for path in paths {
                all.push(Located::new(path, &folder, &mut exists));
            }
        }
        let mut saves = Uses::default();
        for (i, located) in all.iter().enumerate() {
            saves.add(i, 0, located.clone());
        }
        let mut indexed = Vec::new();
        let mut pairwise = Vec::new();
        for (j, path) in all.iter().enumerate() {
            saves.join_nearest(path, (j, 0), &mut indexed);
            let matches: Vec<(usize, bool)> = all
                .iter()
                .enumerate()
                .filter(|(_, save)| save.matches(path))
                .map(|(i, save)| (i, save.nearby(path)))
                .collect();
            let near = matches.iter().any(|m| m.1);
            pairwise.extend(
                matches
                    .into_iter()
                    .filter(|m| m.1 || !near)
                    .map(|(i, _)| ((i, 0), (j, 0))),
            );
        }
        assert!(
            pairwise.len() > 2 * all.len(),
            "the mix has matches across folders"
        );
        indexed.sort_unstable();
        pairwise.sort_unstable();
        assert_eq!(indexed, pairwise);
    }

    #[test]
    fn manifests_name_distributions_not_substrings() {
        assert!(manifest_names(
            "evidently==0.4.2\nscikit-learn\n",
            "evidently"
        ));
        assert!(manifest_names(
            "dependencies = [\"alibi_detect>=0.11\"]",
            "alibi-detect"
        ));
        assert!(!manifest_names("not-evidently-related\n", "evidently"));
    }
}
