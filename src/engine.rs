//! The pipeline, end to end: discover → load → parse → analyze → file rules → project rules →
//! filter (configuration, then inline suppressions) → sort.
//! Files are independent until the project stage, so everything up to the rules runs in
//! parallel; a file that fails in any way becomes a finding and never stops the others.

use crate::cache::{self, Entry, Pack, StoredDiagnostic};
use crate::config::CompiledSettings;
use crate::discover::{Discovered, discover};
use crate::error::{Error, ErrorKind};
use crate::finding::{Finding, Location, Span};
use crate::limits;
use crate::model;
use crate::project::index::{ProjectIndex, project_root};
use crate::project::roots::{Root, RootKind, Roots, relative_to};
use crate::project::{self, FileSummary};
use crate::registry::{self, engine_rules};
use crate::report::{Diagnostic, RelatedLocation, Report};
use crate::rule::{Context, ProjectSink, Rule, Scope, Sink};
use crate::settings::Settings;
use crate::source::{self, LoadProblem, SourceFile, python};
use crate::suppress::{self, Suppressions};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

/// Analysis threads get a large stack: tree-sitter trees of deeply nested code are walked
/// with a depth limit, and this leaves a wide margin under it.
pub(crate) const STACK_SIZE: usize = 64 * 1024 * 1024;

/// How a run goes beyond its settings: the command line's `--no-project`, `--no-cache`,
/// `--cache-dir` and `--stdin-filename`. The default (what [`check`] uses) checks the given
/// files alone, without a cache.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Analyse the whole project of each given file for the project rules, and report what
    /// stands in the given files: the same findings for a file whichever files are passed.
    pub project: bool,
    /// Where per-file results are cached; `None` for no cache.
    pub cache: Option<CacheLocation>,
    /// `--stdin-filename`: the one file to check, and the text that stands in for it.
    pub stdin: Option<(PathBuf, Vec<u8>)>,
    /// Leave out the files of findings that came from the cache: for output that names only
    /// paths, lines and columns (JSON, concise), which need not load them again.
    pub without_sources: bool,
    /// Keep each project's file summaries in [`Report::projects`] (`mlready audit` draws the
    /// project from them).
    pub keep_projects: bool,
    /// The files to check, already found under the paths (the ones a configuration governs,
    /// when the paths hold several: `crate::config::groups`). `None`: every file the paths
    /// hold. The paths still say what the projects are.
    pub files: Option<Vec<Discovered>>,
}

/// Where the cache lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheLocation {
    /// `.mlready_cache/` at each project's root.
    ProjectRoots,
    /// One folder for every project (`--cache-dir`, `MLREADY_CACHE_DIR`).
    Dir(PathBuf),
}

/// Runs `mlready check` over `paths`: the given files alone, without a cache (the library's
/// entry point, which the fixture harness uses); see [`check_with`].
pub fn check(paths: &[PathBuf], settings: &Settings) -> Result<Report, Error> {
    check_with(paths, settings, &RunOptions::default())
}

/// Runs `mlready check` over `paths` (or the standard input of `options.stdin`).
pub fn check_with(
    paths: &[PathBuf],
    settings: &Settings,
    options: &RunOptions,
) -> Result<Report, Error> {
    let started = Instant::now();
    let mut timings = Timings::from_env();
    let compiled = CompiledSettings::new(settings)?;
    let cwd = crate::error::working_dir()?;
    let given = match (&options.stdin, &options.files) {
        // Standard input is checked as if the file on disk held its text: not at all when the
        // configuration excludes that file (an editor's buffer of an excluded file).
        (Some((path, _)), _) => {
            let exclude = crate::config::PathGlobs::excluded(settings, &cwd)?;
            if exclude.matches_path_or_ancestor(path) {
                Vec::new()
            } else {
                vec![Discovered::named(path, &cwd)]
            }
        }
        (None, Some(files)) => files.clone(),
        (None, None) => discover(paths, settings)?,
    };
    let rules: Vec<&'static Rule> = registry::all()
        .filter(|r| compiled.rule_enabled(r.code, r.name))
        .collect();
    let pool = rayon::ThreadPoolBuilder::new()
        .stack_size(STACK_SIZE)
        .build()
        .map_err(|err| Error::new(ErrorKind::Internal(format!("thread pool: {err}"))))?;
    let summarize = rules
        .iter()
        .any(|r| r.check.project().is_some())
        .then_some(project::Options {
            declared_entries: !settings.facts.serving.entry_points.is_empty(),
        });
    let plan = timings.time("plan", || {
        Plan::new(
            given,
            paths,
            settings,
            options.project && summarize.is_some(),
            options.stdin.is_some(),
            &cwd,
        )
    })?;
    let key = cache::settings_key(
        &rules.iter().map(|r| r.code).collect::<Vec<_>>(),
        summarize.map(|o| o.declared_entries),
    );
    let open_pack = |root: &PathBuf| -> Option<Pack> {
        let dir = match options.cache.as_ref()? {
            CacheLocation::ProjectRoots => root.join(cache::DIR_NAME),
            CacheLocation::Dir(dir) => dir.clone(),
        };
        let identity = std::fs::canonicalize(root).unwrap_or_else(|_| root.clone());
        Some(Pack::open(&dir, &identity, key))
    };
    let stdin = options.stdin.as_ref().map(|(_, bytes)| bytes.as_slice());
    let reads = match &options.stdin {
        Some((path, bytes)) => {
            // The files that import the standard input's module read its text, whichever
            // file of the run is analysed first.
            let module = model::constants::key(path);
            // Only text small enough to be read as a constant module is parsed here, on the
            // main thread and outside any limit (a large standard input was parsed whole
            // before its size was checked).
            let small = bytes.len() as u64 <= model::constants::MAX_MODULE_BYTES;
            if let (true, Some(source::FileKind::Python), Ok(text)) =
                (small, source::FileKind::of(path), python::decode(bytes))
            {
                let file = SourceFile::python(path.clone(), String::new(), text);
                if let Some(tree) = python::parse(&file.text) {
                    model::constants::remember(&module, &file.text, &tree);
                }
            }
            cache::ReadDigests::with_standing_in(&module, bytes)
        }
        None => cache::ReadDigests::default(),
    };
    let work = Work {
        rules: &rules,
        compiled: &compiled,
        summarize,
        reads: &reads,
        caching: options.cache.is_some(),
        without_sources: options.without_sources,
    };
    let mut report = Report {
        files_checked: plan.files.iter().filter(|f| f.given).count(),
        files_analysed: plan.files.len(),
        ..Report::default()
    };
    let mut suppressions: HashMap<String, Suppressions> = HashMap::new();
    let mut sources = Sources::new(&plan, options.stdin.as_ref(), settings.limits);
    // Projects are analysed a batch at a time, and a batch's summaries and cache are dropped
    // once its project rules have run: memory follows the largest project, not the run.
    for batch in plan.batches() {
        let mut packs: HashMap<usize, Option<Pack>> = batch
            .roots
            .iter()
            .map(|&root| (root, open_pack(&plan.roots[root])))
            .collect();
        let jobs: Vec<Job> = batch
            .files
            .iter()
            .map(|&i| {
                let planned = &plan.files[i];
                Job {
                    entry: packs
                        .get_mut(&planned.root)
                        .and_then(Option::as_mut)
                        .and_then(|pack| pack.entries.remove(&planned.key)),
                    stdin: stdin.filter(|_| planned.given),
                    planned,
                }
            })
            .collect();
        let results: Vec<FileResult> = timings.time("files", || {
            pool.install(|| {
                jobs.into_par_iter()
                    .map(|job| check_one(job, &work))
                    .collect()
            })
        });
        let mut summaries: Vec<(usize, FileSummary)> = Vec::new();
        let mut changed: HashMap<usize, bool> = HashMap::new();
        for (&i, result) in batch.files.iter().zip(results) {
            let planned = &plan.files[i];
            report.files_parsed += usize::from(result.parsed);
            sources.know(&result.diagnostics);
            report.diagnostics.extend(result.diagnostics);
            if !result.suppressions.is_empty() {
                suppressions.insert(planned.file.display.clone(), result.suppressions);
            }
            report.internal_errors.extend(result.internal_error);
            summaries.extend(result.summary.map(|summary| (i, summary)));
            if let (Some(Some(pack)), Some((entry, fresh))) =
                (packs.get_mut(&planned.root), result.entry)
            {
                *changed.entry(planned.root).or_default() |= fresh;
                pack.entries.insert(planned.key.clone(), entry);
            }
        }
        if summarize.is_some() {
            let project = timings.time("project", || {
                catch_unwind(AssertUnwindSafe(|| {
                    let keep = options.keep_projects.then_some(&mut report.projects);
                    project_stage(&plan, &summaries, &rules, settings, &mut sources, keep)
                }))
            });
            match project {
                Ok(diagnostics) => {
                    for (diagnostic, amends) in diagnostics {
                        if !compiled.rule_enabled(diagnostic.code, diagnostic.name)
                            || compiled.ignored_for_file(
                                &diagnostic.path,
                                diagnostic.code,
                                diagnostic.name,
                            )
                        {
                            continue;
                        }
                        if amends {
                            amend(&mut report.diagnostics, diagnostic);
                        } else {
                            report.diagnostics.push(diagnostic);
                        }
                    }
                }
                Err(_) => report
                    .internal_errors
                    .push("mlready failed in the project stage".to_string()),
            }
        }
        for (root, pack) in packs {
            if let Some(pack) = pack {
                let changed = changed.get(&root).copied().unwrap_or(false);
                let members = batch.files.iter().map(|&i| &plan.files[i]);
                let seen = members.filter(|f| f.root == root).map(|f| f.key.as_str());
                save_pack(pack, seen, changed, options.project);
            }
        }
        drop(summaries);
        release_free_memory();
    }
    suppress::apply(&mut report.diagnostics, &mut suppressions, |rule, path| {
        compiled.rule_enabled(rule.code, rule.name)
            && !compiled.ignored_for_file(path, rule.code, rule.name)
    });
    // Preview branches are dropped only now, so a suppression of one counts as used.
    report.diagnostics.retain(|d| compiled.reports(d));
    if !options.without_sources {
        sources.attach(&mut report.diagnostics);
    }
    report.sort();
    report.elapsed = started.elapsed();
    timings.print(report.elapsed);
    Ok(report)
}

/// Wall time per stage, summed over the batches, printed to stderr at the end of a run when
/// `MLREADY_TIMINGS` is set (for `scripts/bench.sh`; not part of the interface).
struct Timings {
    stages: Option<Vec<(&'static str, std::time::Duration)>>,
}

impl Timings {
    fn from_env() -> Timings {
        Timings {
            stages: std::env::var_os("MLREADY_TIMINGS").map(|_| Vec::new()),
        }
    }

    fn time<T>(&mut self, stage: &'static str, run: impl FnOnce() -> T) -> T {
        let Some(stages) = &mut self.stages else {
            return run();
        };
        let started = Instant::now();
        let value = run();
        let spent = started.elapsed();
        match stages.iter_mut().find(|(name, _)| *name == stage) {
            Some((_, total)) => *total += spent,
            None => stages.push((stage, spent)),
        }
        value
    }

    fn print(&self, total: std::time::Duration) {
        let Some(stages) = &self.stages else { return };
        let mut line = String::from("mlready timings:");
        for (stage, spent) in stages {
            line.push_str(&format!(" {stage}={:.3}s", spent.as_secs_f64()));
        }
        eprintln!("{line} total={:.3}s", total.as_secs_f64());
    }
}

/// Hands the memory the batch freed back to the system. glibc keeps freed memory in each
/// thread's arena, so without this the resident size of a long run creeps up with every
/// batch although the live heap does not.
fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        unsafe extern "C" {
            fn malloc_trim(pad: usize) -> std::ffi::c_int;
        }
        // SAFETY: malloc_trim only returns free pages of the allocator's own arenas to the
        // system; it touches no live allocation and is safe to call from any thread.
        unsafe {
            malloc_trim(0);
        }
    }
}

/// Writes back a pack that changed. A project run saw every file of its project, so what it
/// did not see is gone from the project and is dropped from the pack.
fn save_pack<'a>(mut pack: Pack, seen: impl Iterator<Item = &'a str>, changed: bool, whole: bool) {
    let mut dirty = changed;
    if whole {
        let before = pack.entries.len();
        let seen: std::collections::HashSet<&str> = seen.collect();
        pack.entries.retain(|key, _| seen.contains(key.as_str()));
        dirty |= pack.entries.len() != before;
    }
    if dirty {
        // A cache that cannot be written (a read-only checkout) only costs the next run.
        let _ = pack.save();
    }
}

/// The files a run analyses: the given ones and, in a project run, the rest of their
/// projects, each with its project.
struct Plan {
    roots: Vec<PathBuf>,
    files: Vec<Planned>,
}

struct Planned {
    file: Discovered,
    /// Index into [`Plan::roots`].
    root: usize,
    /// Named on the command line (or under a folder named there): its findings are reported.
    given: bool,
    /// Joins its project's summaries. A given file that the walk of its project does not
    /// reach (ignored by git, excluded, in a skipped folder) is checked on its own, so that
    /// naming it never changes the findings of the other files.
    member: bool,
    /// The path relative to the project root when the root has a project marker: what test
    /// modules are told by (elsewhere the path as named, as before).
    in_project: Option<PathBuf>,
    /// The file's cache entry name: its path in a marked project, else its display path and
    /// its absolute path (whose analysis depends on how it was named).
    key: String,
    /// How the file sorts in its project: by its path in the project, the same whatever the
    /// working directory.
    order: String,
}

impl Plan {
    /// With `whole`, every file of each given file's project is analysed too; otherwise only
    /// the given files, grouped into projects as [`project_root`] says.
    fn new(
        given: Vec<Discovered>,
        paths: &[PathBuf],
        settings: &Settings,
        whole: bool,
        stdin: bool,
        cwd: &std::path::Path,
    ) -> Result<Plan, Error> {
        let mut roots: Vec<Root> = Vec::new();
        let mut indices: HashMap<PathBuf, usize> = HashMap::new();
        let mut root_index = |root: Root, roots: &mut Vec<Root>| {
            *indices.entry(root.path.clone()).or_insert_with(|| {
                roots.push(root);
                roots.len() - 1
            })
        };
        let mut files = Vec::with_capacity(given.len());
        let mut finder = Roots::new(paths, cwd);
        let mut given_identities = std::collections::HashSet::new();
        for file in given {
            let root = if whole {
                finder.find(&file.path)
            } else {
                Root {
                    path: project_root(&file.path, paths),
                    kind: RootKind::Argument,
                }
            };
            given_identities.insert(file.identity.clone());
            let root = root_index(root, &mut roots);
            files.push(Planned {
                file,
                root,
                given: true,
                member: true,
                in_project: None,
                key: String::new(),
                order: String::new(),
            });
        }
        if whole {
            // The given files of each root, found once rather than by a pass over all files
            // per root (a monorepo of a thousand sub-projects made that quadratic).
            let mut given_of: Vec<Vec<usize>> = vec![Vec::new(); roots.len()];
            for (position, planned) in files.iter().enumerate() {
                given_of[planned.root].push(position);
            }
            for (index, root) in roots.clone().iter().enumerate() {
                // The rest of the project is read as well as it can be: what cannot be read
                // there is reported when that file is checked itself. A project that is a
                // file's own folder (no marker, no folder named) is that folder's files only.
                let depth = (root.kind == RootKind::OwnFolder).then_some(1);
                let walked = crate::discover::discover_to_depth(
                    std::slice::from_ref(&root.path),
                    settings,
                    depth,
                )
                .unwrap_or_default();
                let mut reached = std::collections::HashSet::new();
                for file in walked {
                    if finder.find(&file.path).path != root.path {
                        continue;
                    }
                    reached.insert(file.identity.clone());
                    if given_identities.contains(&file.identity) {
                        continue;
                    }
                    files.push(Planned {
                        file,
                        root: index,
                        given: false,
                        member: true,
                        in_project: None,
                        key: String::new(),
                        order: String::new(),
                    });
                }
                for &position in &given_of[index] {
                    // The standard input stands in for a file that may not be on disk yet.
                    let planned = &mut files[position];
                    planned.member = stdin || reached.contains(&planned.file.identity);
                }
            }
        }
        for planned in &mut files {
            let root = &roots[planned.root];
            let relative = relative_to(&planned.file.path, &root.path, cwd)
                .map(|p| p.to_string_lossy().replace('\\', "/"));
            let absolute = crate::config::normalize(&cwd.join(&planned.file.path));
            if whole && root.kind == RootKind::Marked {
                planned.in_project = relative.as_ref().map(PathBuf::from);
            }
            planned.key = match (&planned.in_project, &relative) {
                (Some(_), Some(relative)) => relative.clone(),
                _ => format!("{}\0{}", planned.file.display, absolute.display()),
            };
            planned.order = relative.unwrap_or_else(|| absolute.to_string_lossy().into_owned());
        }
        Ok(Plan {
            roots: roots.into_iter().map(|root| root.path).collect(),
            files,
        })
    }
}

/// Files of whole projects, analysed together.
struct Batch {
    roots: Vec<usize>,
    /// Indices into [`Plan::files`].
    files: Vec<usize>,
}

/// How many files a batch gathers before it is analysed (a larger project is one batch).
const BATCH_FILES: usize = 1024;

impl Plan {
    /// The files grouped by project, in batches of whole projects of about [`BATCH_FILES`].
    fn batches(&self) -> Vec<Batch> {
        let mut by_root: Vec<Vec<usize>> = vec![Vec::new(); self.roots.len()];
        for (i, planned) in self.files.iter().enumerate() {
            by_root[planned.root].push(i);
        }
        let mut batches = Vec::new();
        let mut current = Batch {
            roots: Vec::new(),
            files: Vec::new(),
        };
        for (root, files) in by_root.into_iter().enumerate() {
            current.roots.push(root);
            current.files.extend(files);
            if current.files.len() >= BATCH_FILES {
                batches.push(std::mem::replace(
                    &mut current,
                    Batch {
                        roots: Vec::new(),
                        files: Vec::new(),
                    },
                ));
            }
        }
        if !current.roots.is_empty() {
            batches.push(current);
        }
        batches
    }
}

/// Loads the files that reported findings point into, once each, for the renderers: a file
/// whose results came from the cache was not loaded, and one that was is not kept.
struct Sources<'a> {
    paths: HashMap<&'a str, &'a std::path::Path>,
    stdin: Option<(&'a str, &'a [u8])>,
    loaded: HashMap<String, Option<Arc<SourceFile>>>,
    /// The run's limits: a file analysed under a raised `max-file-size` is shown too.
    limits: limits::Limits,
}

impl<'a> Sources<'a> {
    fn new(
        plan: &'a Plan,
        stdin: Option<&'a (PathBuf, Vec<u8>)>,
        limits: limits::Limits,
    ) -> Sources<'a> {
        Sources {
            limits,
            paths: plan
                .files
                .iter()
                .map(|f| (f.file.display.as_str(), f.file.path.as_path()))
                .collect(),
            stdin: stdin.and_then(|(_, bytes)| {
                let given = plan.files.iter().find(|f| f.given)?;
                Some((given.file.display.as_str(), bytes.as_slice()))
            }),
            loaded: HashMap::new(),
        }
    }

    /// Remembers the files that `diagnostics` already carry.
    fn know(&mut self, diagnostics: &[Diagnostic]) {
        for diagnostic in diagnostics {
            if let Some(file) = &diagnostic.file {
                self.loaded
                    .entry(diagnostic.path.clone())
                    .or_insert_with(|| Some(Arc::clone(file)));
            }
        }
    }

    fn get(&mut self, display: &str) -> Option<Arc<SourceFile>> {
        if let Some(known) = self.loaded.get(display) {
            return known.clone();
        }
        let loaded = match self.stdin {
            Some((name, bytes)) if name == display => {
                let path = self.paths.get(display)?;
                source::load_bytes(path, display.to_string(), bytes).ok()
            }
            _ => {
                let path = self.paths.get(display)?;
                source::load(path, display.to_string(), &self.limits).ok()
            }
        }
        .map(Arc::new);
        self.loaded.insert(display.to_string(), loaded.clone());
        loaded
    }

    /// Gives each diagnostic, and each related place, its file.
    fn attach(&mut self, diagnostics: &mut [Diagnostic]) {
        for diagnostic in diagnostics {
            if diagnostic.file.is_none() {
                diagnostic.file = self.get(&diagnostic.path);
            }
            for related in &mut diagnostic.related {
                if related.file.is_none() {
                    related.file = self.get(&related.path);
                }
            }
        }
    }
}

/// Adds the related places of a project finding to the file finding of the same rule at the
/// same place; without one (the file rule did not fire there, or it was suppressed) the
/// amendment is dropped.
fn amend(diagnostics: &mut [Diagnostic], amendment: Diagnostic) {
    let Some(target) = diagnostics
        .iter_mut()
        .find(|d| d.code == amendment.code && d.path == amendment.path && d.span == amendment.span)
    else {
        return;
    };
    for related in amendment.related {
        if !target
            .related
            .iter()
            .any(|r| r.path == related.path && r.span == related.span)
        {
            target.related.push(related);
        }
    }
}

/// The project summaries of the files under `paths` (the hidden `summaries` command).
pub fn summaries(paths: &[PathBuf], settings: &Settings) -> Result<Vec<FileSummary>, Error> {
    let files = discover(paths, settings)?;
    Ok(files
        .iter()
        .filter_map(|file| {
            catch_unwind(AssertUnwindSafe(|| {
                load_and_analyze(
                    file,
                    &[],
                    Some(project::Options::default()),
                    &settings.limits,
                )
            }))
            .ok()
            .and_then(|(_, summary, _)| summary)
        })
        .collect())
}

/// Checks one text as if it were the file `display` (for tests and editors), inline
/// suppressions applied with `rules` as the enabled rules.
pub fn check_source(display: &str, file: SourceFile, rules: &[&'static Rule]) -> Vec<Diagnostic> {
    let path = file.display.clone();
    let (mut diagnostics, _, found) =
        analyze(Arc::new(file), rules, None, &limits::Limits::default());
    let mut suppressions = HashMap::from([(path, found)]);
    suppress::apply(&mut diagnostics, &mut suppressions, |rule, _| {
        rule.code == engine_rules::UNUSED_SUPPRESSION.code
            || rules.iter().any(|r| r.code == rule.code)
    });
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let _ = display;
    diagnostics
}

/// One file to analyse, with what the cache holds for it.
struct Job<'a> {
    planned: &'a Planned,
    entry: Option<Entry>,
    /// The text of the standard input, when it stands in for this file.
    stdin: Option<&'a [u8]>,
}

/// What every job shares.
struct Work<'a> {
    rules: &'a [&'static Rule],
    compiled: &'a CompiledSettings,
    summarize: Option<project::Options>,
    reads: &'a cache::ReadDigests,
    caching: bool,
    /// Drop each file as soon as it is analysed (see [`RunOptions::without_sources`]).
    without_sources: bool,
}

#[derive(Default)]
struct FileResult {
    /// The file's findings, when it was given (others' are not reported).
    diagnostics: Vec<Diagnostic>,
    internal_error: Option<String>,
    /// The file's summary for the project stage.
    summary: Option<FileSummary>,
    /// The given file's inline suppressions, applied after the project stage.
    suppressions: Suppressions,
    /// The cache entry to keep for the file, and whether it is new.
    entry: Option<(Entry, bool)>,
    /// Whether the file was read and analysed (not taken from the cache).
    parsed: bool,
}

/// Groups the files' summaries into their projects, joins each into an index and runs the
/// project rules over it. Only the findings that stand in given files are made.
fn project_stage(
    plan: &Plan,
    summaries: &[(usize, FileSummary)],
    rules: &[&'static Rule],
    settings: &Settings,
    sources: &mut Sources,
    mut keep: Option<&mut Vec<crate::report::ProjectFiles>>,
) -> Vec<(Diagnostic, bool)> {
    // Per project, the files (indices into `plan.files`) and their summaries, in the order of
    // their paths: the rules see the same project, in the same order, whichever files were
    // named (some report once per project, at the first place they meet).
    let mut sorted: Vec<&(usize, FileSummary)> = summaries
        .iter()
        .filter(|(i, _)| plan.files[*i].member)
        .collect();
    sorted.sort_by(|a, b| plan.files[a.0].order.cmp(&plan.files[b.0].order));
    let mut projects: BTreeMap<usize, (Vec<usize>, Vec<&FileSummary>)> = BTreeMap::new();
    for (i, summary) in sorted {
        let (members, files) = projects.entry(plan.files[*i].root).or_default();
        members.push(*i);
        files.push(summary);
    }
    let mut diagnostics = Vec::new();
    for (root, (members, files)) in projects {
        if !members.iter().any(|&i| plan.files[i].given) {
            continue;
        }
        let kept_files: Option<Vec<FileSummary>> = keep
            .is_some()
            .then(|| files.iter().map(|&file| file.clone()).collect());
        let index = ProjectIndex::new(plan.roots[root].clone(), files, &settings.facts);
        if let (Some(kept), Some(files)) = (keep.as_deref_mut(), kept_files) {
            kept.push(crate::report::ProjectFiles {
                root: plan.roots[root].clone(),
                files,
                joins: index.joins(),
            });
        }
        let mut sink = ProjectSink::default();
        for rule in rules {
            if let Some(check) = rule.check.project() {
                check(&index, &mut sink);
            }
        }
        let display = |file: usize| plan.files[members[file]].file.display.as_str();
        for finding in sink.findings {
            if !plan.files[members[finding.file]].given {
                continue;
            }
            let path = display(finding.file);
            let source_file = sources.get(path);
            let start = finding.place.start;
            let end = source_file
                .as_ref()
                .map_or(start, |f| f.locate(finding.place.span.end));
            // Many files naming one absolute path (`/srv/models/model.pkl`) relate each
            // finding to all of them: the report would grow with their square.
            let mut message = finding.message;
            let related_count = finding.related.len();
            if related_count > MAX_RELATED {
                message.push_str(&format!(
                    " ({MAX_RELATED} of the {related_count} related places are listed)"
                ));
            }
            diagnostics.push((
                Diagnostic {
                    code: finding.code,
                    name: finding.name,
                    severity: finding.severity,
                    path: path.to_string(),
                    start,
                    end: if end.cell == start.cell { end } else { start },
                    span: finding.place.span,
                    message: crate::report::printable(message),
                    help: finding.help,
                    related: finding
                        .related
                        .into_iter()
                        .take(MAX_RELATED)
                        .map(|(file, place, message)| RelatedLocation {
                            path: display(file).to_string(),
                            location: place.start,
                            span: place.span,
                            message: crate::report::printable(message),
                            file: None,
                        })
                        .collect(),
                    file: source_file,
                    preview: finding.preview || preview_branch(finding.code, finding.severity),
                },
                finding.amends,
            ));
        }
    }
    diagnostics
}

/// The most related places a project finding lists.
const MAX_RELATED: usize = 50;

fn check_one(job: Job, work: &Work) -> FileResult {
    let planned = job.planned;
    let given = planned.given;
    let outcome = catch_unwind(AssertUnwindSafe(|| analyze_job(job, work)));
    let mut result = match outcome {
        Ok(result) => result,
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown panic".into());
            return FileResult {
                internal_error: given.then(|| {
                    format!(
                        "{}: mlready failed on this file: {message}",
                        planned.file.display
                    )
                }),
                ..FileResult::default()
            };
        }
    };
    if given {
        let settings = work.compiled;
        result.diagnostics.retain(|d| {
            settings.rule_enabled(d.code, d.name)
                && !settings.ignored_for_file(&d.path, d.code, d.name)
        });
        if work.without_sources {
            result.suppressions.file = None;
            for diagnostic in &mut result.diagnostics {
                diagnostic.file = None;
                for related in &mut diagnostic.related {
                    related.file = None;
                }
            }
        }
    } else {
        result.diagnostics = Vec::new();
        result.suppressions = Suppressions::default();
    }
    result
}

/// Reads a job's file and analyses it, or takes its results from the cache when they were made
/// from the same content.
fn analyze_job(mut job: Job, work: &Work) -> FileResult {
    let file = &job.planned.file;
    let limits = &work.compiled.settings().limits;
    let notebook = source::FileKind::of(&file.path) == Some(source::FileKind::Notebook);
    let read = match job.stdin {
        // The command line reads standard input only up to one byte past the limit.
        Some(bytes) => source::check_size(bytes.len() as u64, limits, notebook, false)
            .map(|()| std::borrow::Cow::Borrowed(bytes))
            .map_err(|_| {
                LoadProblem::OverLimit(format!(
                    "skipped: standard input holds more than {}, the limit (`max-file-size`{})",
                    limits::size(bytes.len() as u64 - 1),
                    if notebook {
                        " times 20 for a notebook"
                    } else {
                        ""
                    }
                ))
            }),
        None => source::read_within(&file.path, limits).map(std::borrow::Cow::Owned),
    };
    let bytes = match read {
        Ok(bytes) => bytes,
        Err(problem) => {
            return FileResult {
                diagnostics: load_problem(file, problem),
                ..FileResult::default()
            };
        }
    };
    let digest = work.caching.then(|| cache::digest(&bytes));
    if let (Some(digest), Some(entry)) = (digest, job.entry.take()) {
        if let Some(restored) = entry.restore(digest, &file.display, work.reads) {
            // Stored under its path in the project, the file may be shown from elsewhere now.
            let summary = restored.summary.map(|mut summary| {
                summary.path.clone_from(&file.display);
                summary
            });
            return FileResult {
                diagnostics: restored.diagnostics,
                internal_error: None,
                summary,
                suppressions: Suppressions {
                    file: None,
                    directives: restored.directives,
                },
                entry: Some((entry, false)),
                parsed: false,
            };
        }
        job.entry = Some(entry);
    }
    // Handed over, not copied: a large file's text is then held once while it is analysed.
    let bytes = bytes.into_owned();
    let ((diagnostics, summary, suppressions), read) = cache::reads::recording(|| {
        if let Some((need, left)) = notebook
            .then(|| limits::notebook_too_big_for_memory(bytes.len() as u64))
            .flatten()
        {
            let message = format!(
                "skipped: reading this {} notebook would need about {}, and about {} is left for \
                 mlready (its memory limit, control group or the machine's memory)",
                limits::size(bytes.len() as u64),
                limits::size(need),
                limits::size(left)
            );
            let problem = LoadProblem::OverLimit(message);
            return (load_problem(file, problem), None, Suppressions::default());
        }
        let loaded =
            source::load_owned(&file.path, file.display.clone(), bytes).and_then(|source| {
                source::check_size(source.text.len() as u64, limits, notebook, true)?;
                Ok(source)
            });
        match loaded {
            Ok(mut source) => {
                source.in_project = job.planned.in_project.clone();
                analyze(Arc::new(source), work.rules, work.summarize, limits)
            }
            Err(problem) => (load_problem(file, problem), None, Suppressions::default()),
        }
    });
    // The standard input is not what is on disk: its results are not kept. Nor are those of a
    // file over a limit: the limits are settings, and time and memory depend on the machine.
    let limited = diagnostics
        .iter()
        .any(|d| d.code == engine_rules::ANALYSIS_LIMIT.code);
    let entry = digest
        .filter(|_| job.stdin.is_none() && !limited)
        .and_then(|digest| {
            let stored = cache::Stored {
                diagnostics: diagnostics.iter().map(StoredDiagnostic::of).collect(),
                directives: suppressions.directives.clone(),
                summary: summary.clone(),
            };
            let read = read
                .into_iter()
                .map(|path| {
                    let seen = work.reads.digest_of(&path);
                    (path, seen)
                })
                .collect();
            Entry::new(digest, read, &stored).map(|entry| (entry, true))
        });
    let entry = entry.or_else(|| job.entry.take().map(|entry| (entry, false)));
    FileResult {
        diagnostics,
        internal_error: None,
        summary,
        suppressions,
        entry,
        parsed: true,
    }
}

/// A file's diagnostics, its summary (when asked for) and its inline suppressions.
type Analysed = (Vec<Diagnostic>, Option<FileSummary>, Suppressions);

fn load_and_analyze(
    file: &Discovered,
    rules: &[&'static Rule],
    summarize: Option<project::Options>,
    limits: &limits::Limits,
) -> Analysed {
    match source::load(&file.path, file.display.clone(), limits) {
        Ok(source) => analyze(Arc::new(source), rules, summarize, limits),
        Err(problem) => (load_problem(file, problem), None, Suppressions::default()),
    }
}

/// The finding about a file that could not be loaded.
fn load_problem(file: &Discovered, problem: LoadProblem) -> Vec<Diagnostic> {
    if let LoadProblem::MergeConflict(conflict) = &problem {
        return vec![merge_conflict(file, conflict)];
    }
    let (rule, message, help) = match problem {
        LoadProblem::Unreadable(message) => (
            &engine_rules::UNREADABLE_FILE,
            message,
            "save the file as UTF-8 (or declare its encoding); mlready checks the other files meanwhile",
        ),
        LoadProblem::NotRegular(message) => (
            &engine_rules::UNREADABLE_FILE,
            message,
            "mlready reads only regular files; leave this path out or add it to `exclude`",
        ),
        // Named on the command line: the message names the path, so that it reads on its own
        // in every format (a SARIF or JSON consumer shows the message, not the header).
        LoadProblem::Missing(message) if std::fs::symlink_metadata(&file.path).is_err() => (
            &engine_rules::UNREADABLE_FILE,
            format!("{message}: `{}`", file.display),
            "check the spelling of the path, or leave it out",
        ),
        LoadProblem::Missing(message) => (
            &engine_rules::UNREADABLE_FILE,
            message,
            "restore the link's target, or remove the link",
        ),
        LoadProblem::InvalidNotebook(message) => (
            &engine_rules::INVALID_NOTEBOOK,
            message,
            "open and re-save the notebook in Jupyter, or resolve the merge conflict with nbdime",
        ),
        LoadProblem::Skipped(message) => (
            &engine_rules::SKIPPED_NOTEBOOK,
            message,
            "nothing to fix; ignore PARSE004 if this notice is not wanted",
        ),
        LoadProblem::OverLimit(message) => (
            &engine_rules::ANALYSIS_LIMIT,
            message,
            "exclude the file if it is generated; otherwise raise `max-file-size` or \
             `file-time-limit` in [tool.mlready]; the other files were checked",
        ),
        LoadProblem::MergeConflict(_) => unreachable!("handled above"),
    };
    vec![file_level(rule, &file.display, message, help)]
}

/// PARSE003 at the first conflict marker of a notebook that is not JSON because of them.
fn merge_conflict(file: &Discovered, conflict: &crate::source::conflict::Conflict) -> Diagnostic {
    let more = match conflict.count {
        1 => String::new(),
        n => format!(" (one of {n} conflicts)"),
    };
    let message = format!(
        "unresolved merge conflict: git's conflict marker `{}` is still in the notebook{more}, \
         so it is not valid JSON and no cell was checked",
        conflict.marker
    );
    let path = shell_quoted(&crate::report::printable(file.display.clone()));
    let help = format!(
        "resolve the conflict: `nbdime mergetool` merges notebooks cell by cell, or keep one \
         side with `git checkout --ours -- {path}` (or `--theirs`), then `git add {path}`"
    );
    let mut diagnostic = file_level(
        &engine_rules::INVALID_NOTEBOOK,
        &file.display,
        message,
        &help,
    );
    diagnostic.start.line = conflict.line;
    diagnostic.end = diagnostic.start;
    diagnostic
}

/// Whether a finding of `code` at `severity` (the rule's own, before configured overrides)
/// is a preview branch of its rule.
fn preview_branch(code: &str, severity: crate::finding::Severity) -> bool {
    registry::find(code).is_some_and(|rule| rule.preview_at.contains(&severity))
}

/// A diagnostic about a whole file that could not be loaded.
fn file_level(rule: &'static Rule, path: &str, message: String, help: &str) -> Diagnostic {
    let start = Location {
        cell: None,
        line: 1,
        column: 1,
    };
    Diagnostic {
        code: rule.code,
        name: rule.name,
        severity: rule.severity,
        path: path.to_string(),
        start,
        end: start,
        span: Span::default(),
        message: crate::report::printable(message),
        help: Some(help.to_string()),
        related: Vec::new(),
        file: None,
        preview: false,
    }
}

/// `path` as one word of a shell command: quoted when it holds anything but letters, digits and
/// `_ . / -`.
fn shell_quoted(path: &str) -> String {
    let plain = path
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '/' | '-'));
    if plain && !path.is_empty() {
        path.to_string()
    } else {
        format!("'{}'", path.replace('\'', r"'\''"))
    }
}

/// The first syntax error of a file, or the merge conflict that causes one: git's markers
/// (`<<<<<<< HEAD`) left in a script, or in a cell by a notebook merge driver, are named as
/// such at the first marker's line rather than as the parser's first complaint. The flag says
/// whether it is a conflict.
fn first_syntax_error(
    file: &SourceFile,
    errors: &[(Span, String)],
) -> Option<(Span, String, bool)> {
    let (span, message) = errors.first()?;
    let more = match errors.len() {
        1 => String::new(),
        n => format!(" ({} more syntax errors in this file)", n - 1),
    };
    // A marker the parser did not stumble on is not a conflict (a string's text).
    let conflict = crate::source::conflict::find_where(&file.text, |start, end| {
        errors
            .iter()
            .any(|(error, _)| error.start <= end && start <= error.end)
    });
    Some(match conflict {
        Some(conflict) => {
            let at = Span::new(conflict.offset, conflict.offset + conflict.marker.len());
            let many = match conflict.count {
                1 => String::new(),
                n => format!(", one of {n} conflicts"),
            };
            let message = format!(
                "syntax error: unresolved merge conflict, git's conflict marker `{}` is still \
                 here{many}{more}",
                conflict.marker
            );
            (at, message, true)
        }
        None => (*span, format!("syntax error: {message}{more}"), false),
    })
}

/// Parses, models and runs the file rules over one loaded file.
fn analyze(
    file: Arc<SourceFile>,
    rules: &[&'static Rule],
    summarize: Option<project::Options>,
    limits: &limits::Limits,
) -> Analysed {
    let over_limit = |message: String| {
        let diagnostic = file_level(
            &engine_rules::ANALYSIS_LIMIT,
            &file.display,
            message,
            "exclude the file if it is generated, or split it; the other files were checked",
        );
        (vec![diagnostic], None, Suppressions::default())
    };
    // An allocation that fails ends the process, and every file's results with it: a file that
    // would likely need more memory than is left is not started.
    if let Some((need, left)) = limits::too_big_for_memory(file.text.len() as u64) {
        return over_limit(format!(
            "skipped: analysing its {} of code would need about {}, and about {} is left \
             for mlready (its memory limit, control group or the machine's memory)",
            limits::size(file.text.len() as u64),
            limits::size(need),
            limits::size(left)
        ));
    }
    let (built, stopped) = limits::within(limits, || {
        let tree = python::parse(&file.text)?;
        if limits::exceeded() {
            return None;
        }
        if !file.is_notebook() {
            model::constants::remember(&file.path, &file.text, &tree);
        }
        let model = model::build(&file, &tree);
        Some((tree, model))
    });
    if let Some(stop) = stopped {
        return over_limit(format!(
            "skipped: {stop}; none of its findings are reported"
        ));
    }
    let Some((tree, model)) = built else {
        let diagnostic = file_level(
            &engine_rules::SYNTAX_ERROR,
            &file.display,
            "the Python parser could not be started".into(),
            "this is a bug in mlready; please report it",
        );
        return (vec![diagnostic], None, Suppressions::default());
    };
    let mut sink = Sink::default();
    if let Some((span, message, conflict)) = first_syntax_error(&file, &model.syntax_errors) {
        let help = if !conflict {
            "fix the syntax (Python 2 code must be ported to Python 3); the rest of the file was still checked"
        } else if file.is_notebook() {
            "resolve the conflict: keep the right lines of the cell and delete the marker lines \
             (`nbdime mergetool` merges notebooks cell by cell); the rest was still checked"
        } else {
            &format!(
                "resolve the conflict: keep the right lines and delete the marker lines, or take \
                 one side with `git checkout --ours -- {}` (or `--theirs`); the rest was still \
                 checked",
                shell_quoted(&crate::report::printable(file.display.clone()))
            )
        };
        sink.report(&engine_rules::SYNTAX_ERROR, span, message)
            .help(help);
    }
    // What the project stage and the suppressions need from the tree is taken before the
    // rules run, and the tree is dropped: on a large file it is the biggest thing in memory,
    // and the rules' own tables would otherwise stack on top of it.
    let summary = summarize.map(|options| project::extract(&file, &tree, &model, options));
    let suppressions = suppress::collect(&file, &tree);
    drop(tree);
    let context = Context {
        file: &file,
        model: &model,
    };
    for rule in rules {
        let Some(check) = rule.check.file() else {
            continue;
        };
        if rule.scope == Scope::Notebook && !file.is_notebook() {
            continue;
        }
        check(&context, &mut sink);
    }
    let findings = at_read_calls(sink.findings, &model.read_at);
    let diagnostics = findings
        .into_iter()
        .map(|finding| resolve(&file, finding))
        .collect();
    (diagnostics, summary, suppressions)
}

/// Findings placed at a call whose imported body the model read: each says what was called,
/// and one rule's findings at one call are one finding (a helper that fits a scaler per
/// column would otherwise repeat it once per column at the same place).
fn at_read_calls(findings: Vec<Finding>, read_at: &[(Span, String)]) -> Vec<Finding> {
    if read_at.is_empty() {
        return findings;
    }
    let mut out: Vec<Finding> = Vec::with_capacity(findings.len());
    let mut merged: HashMap<(&'static str, Span), (usize, usize)> = HashMap::new();
    for mut finding in findings {
        // Only the findings of file rules are about what the model made there: a notebook
        // rule's cell or an engine report may merely start at the same place.
        let Some((_, called)) = read_at
            .iter()
            .find(|(span, _)| *span == finding.span)
            .filter(|_| registry::find(finding.code).is_some_and(|r| r.scope == Scope::File))
        else {
            out.push(finding);
            continue;
        };
        if let Some((_, more)) = merged.get_mut(&(finding.code, finding.span)) {
            *more += 1;
            continue;
        }
        finding.message = format!("{} (in {called}, called here)", finding.message);
        merged.insert((finding.code, finding.span), (out.len(), 0));
        out.push(finding);
    }
    for (index, more) in merged.into_values() {
        if more > 0 {
            let finding = &mut out[index];
            finding.message = format!("{}; {more} more like it in the same call", finding.message);
        }
    }
    out
}

fn resolve(file: &Arc<SourceFile>, finding: Finding) -> Diagnostic {
    let start = file.locate(finding.span.start);
    let mut end = file.locate(finding.span.end);
    if end.cell != start.cell {
        end = start;
    }
    let related = finding
        .related
        .iter()
        .map(|r| RelatedLocation {
            path: file.display.clone(),
            location: file.locate(r.span.start),
            span: r.span,
            message: crate::report::printable(r.message.clone()),
            file: Some(Arc::clone(file)),
        })
        .collect();
    Diagnostic {
        code: finding.code,
        name: finding.name,
        severity: finding.severity,
        path: file.display.clone(),
        start,
        end,
        span: finding.span,
        message: crate::report::printable(finding.message),
        help: finding.help,
        related,
        file: Some(Arc::clone(file)),
        preview: finding.preview || preview_branch(finding.code, finding.severity),
    }
}

#[cfg(test)]
mod tests {
    use super::preview_branch;
    use crate::finding::Severity;

    #[test]
    fn findings_at_a_declared_severity_are_preview_branches() {
        for rule in crate::registry::all() {
            for severity in [Severity::Info, Severity::Warning, Severity::Error] {
                assert_eq!(
                    preview_branch(rule.code, severity),
                    rule.preview_at.contains(&severity),
                    "{} at {severity}",
                    rule.code
                );
            }
        }
        assert!(preview_branch("MON001", Severity::Info));
        assert!(!preview_branch("MON001", Severity::Warning));
        assert!(!preview_branch("NOPE999", Severity::Info));
    }

    /// Findings of file rules at a call whose imported body was read say what was called and
    /// are merged per rule; a notebook rule's finding that only starts there is left alone.
    #[test]
    fn findings_at_a_read_call_name_it_once_per_rule() {
        let at = crate::finding::Span::new(10, 30);
        let finding = |code: &'static str, message: &str| crate::finding::Finding {
            code,
            name: "",
            severity: Severity::Warning,
            span: at,
            message: message.to_string(),
            help: None,
            related: Vec::new(),
            preview: false,
        };
        let read_at = vec![(at, "`f` in `u.py`".to_string())];
        let out = super::at_read_calls(
            vec![
                finding("LEAK001", "a"),
                finding("LEAK001", "b"),
                finding("NB001", "cells"),
            ],
            &read_at,
        );
        let messages: Vec<&str> = out.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "a (in `f` in `u.py`, called here); 1 more like it in the same call",
                "cells"
            ]
        );
    }
}
