//! Builds the [`Audit`] from a run's findings and its projects' indexes.

use super::model::*;
use super::{FIX_FIRST, Input, mlts, questions};
use crate::finding::Severity;
use crate::project::index::{FileId, ProjectIndex};
use crate::project::manifests::{Listing, Manifests};
use crate::project::summary::{self, FileSummary};
use crate::registry;
use crate::report::{Diagnostic, Report};
use crate::settings::Settings;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

/// The debt families in the report's order: (key, title, the rule families it gathers, the
/// section of Sculley et al. 2015 it answers to).
pub(super) const FAMILIES: &[(&str, &str, &[&str], &str)] = &[
    (
        "leakage",
        "Leakage",
        &["leakage"],
        "§2, §3: evaluation entangled with training data",
    ),
    (
        "skew",
        "Training/serving skew",
        &["skew"],
        "§3 Data dependencies, §5 Glue code",
    ),
    (
        "chain",
        "Chained models",
        &["chain"],
        "§2 Correction cascades",
    ),
    (
        "monitoring",
        "Monitoring",
        &["monitoring"],
        "§7 Changes in the external world",
    ),
    (
        "repro",
        "Reproducibility",
        &["repro"],
        "§8 Reproducibility debt",
    ),
    (
        "notebook",
        "Notebooks",
        &["notebook"],
        "§5 Prototype smell, §8 Reproducibility",
    ),
    (
        "security",
        "Security",
        &["security"],
        "outside the paper: secrets and code that arrive with models and data",
    ),
    (
        "config",
        "Configuration and dead code",
        &["config", "dead", "glue"],
        "§5 Glue code, Dead experimental codepaths; §6 Configuration debt",
    ),
    (
        "code-health",
        "Code health",
        &["api", "parse", "suppression"],
        "§5 ML-system anti-patterns",
    ),
];

/// The audit of `path`, from `report` (a run that kept its projects) and `settings`.
pub fn build(path: &Path, report: &Report, settings: &Settings) -> Audit {
    let indexes: Vec<ProjectIndex> = report
        .projects
        .iter()
        .map(|p| {
            let files = p.files.iter().collect();
            ProjectIndex::with_joins(p.root.clone(), files, &settings.facts, p.joins.clone())
        })
        .collect();
    let input = Input {
        path,
        report,
        projects: &indexes,
    };
    let findings = findings(report);
    let (lineage, served) = lineage(&input);
    let inventory = inventory(&input);
    let summary = summary(&input, &findings, &inventory, &lineage, &served);
    let ml_test_score = mlts::estimate(&input, &inventory);
    let mut files = FileCounts::default();
    for project in &report.projects {
        for file in &project.files {
            if file.notebook {
                files.notebooks += 1;
            } else {
                files.scripts += 1;
            }
        }
    }
    files.unreadable = report
        .diagnostics
        .iter()
        .filter(|d| d.code.starts_with("PARSE") && d.code != "PARSE004")
        .map(|d| d.path.as_str())
        .collect::<BTreeSet<_>>()
        .len();
    Audit {
        version: AUDIT_VERSION,
        tool: Tool {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
        },
        path: path.to_string_lossy().replace('\\', "/"),
        files,
        preview_included: true,
        summary,
        lineage,
        inventory,
        ml_test_score,
        findings,
        questions: questions::all(),
        generated_at: None,
    }
}

/// The report family of a rule family.
fn family_of(code: &str) -> &'static str {
    let rule_family = registry::find(code).map_or("api", |r| r.family);
    FAMILIES
        .iter()
        .find(|(_, _, members, _)| members.contains(&rule_family))
        .map_or("code-health", |(key, ..)| key)
}

fn is_preview(diagnostic: &Diagnostic) -> bool {
    diagnostic.preview || registry::is_preview(diagnostic.code)
}

/// Every finding, grouped by family in the report's order, each with its excerpt, why and fix.
fn findings(report: &Report) -> Vec<FamilyFindings> {
    let mut next = 0;
    FAMILIES
        .iter()
        .map(|(key, title, ..)| {
            let findings = report
                .diagnostics
                .iter()
                .filter(|d| family_of(d.code) == *key)
                .map(|d| {
                    let finding = finding(d, format!("f{next}"));
                    next += 1;
                    finding
                })
                .collect();
            FamilyFindings {
                family: key,
                title,
                findings,
            }
        })
        .collect()
}

fn finding(d: &Diagnostic, id: String) -> AuditFinding {
    let rule = registry::find(d.code);
    let why = rule
        .map(|r| r.section("## Why is this bad?"))
        .unwrap_or_default();
    let fix = match &d.help {
        Some(help) if !help.trim().is_empty() => help.clone(),
        _ => rule
            .map(|r| r.section("## Use instead"))
            .unwrap_or_default(),
    };
    AuditFinding {
        id,
        code: d.code,
        name: d.name,
        severity: d.severity,
        preview: is_preview(d),
        path: d.path.clone(),
        cell: d.start.cell,
        line: d.start.line,
        column: d.start.column,
        end_line: d.end.line,
        end_column: d.end.column,
        message: d.message.clone(),
        excerpt: excerpt(d),
        why,
        fix,
        rule_url: rule.map(|r| r.url()).unwrap_or_default(),
        related: d
            .related
            .iter()
            .map(|r| Related {
                path: r.path.clone(),
                cell: r.location.cell,
                line: r.location.line,
                message: r.message.clone(),
            })
            .collect(),
    }
}

/// Lines of context shown around a finding, and the most flagged lines shown.
const CONTEXT: usize = 2;
const MAX_FLAGGED: usize = 6;

/// The flagged lines with a little context, within the finding's cell in a notebook.
fn excerpt(d: &Diagnostic) -> Vec<ExcerptLine> {
    let Some(file) = d.file.as_deref() else {
        return Vec::new();
    };
    let text_len = file.text.len();
    let start = d.span.start.min(text_len);
    let end = d.span.end.clamp(start, text_len);
    let (low, high, first_number) = match file.cell_at(start) {
        Some(cell) => {
            let first = file.line_index(cell.offset);
            let last = file.line_index((cell.offset + cell.len).saturating_sub(1).max(cell.offset));
            (first, last, first)
        }
        None => (0, file.line_count().saturating_sub(1), 0),
    };
    let first_flagged = file.line_index(start).clamp(low, high);
    // A span that ends at the start of a line does not flag that line.
    let end_index = if end > start && file.line_start(file.line_index(end)) == end {
        file.line_index(end).saturating_sub(1)
    } else {
        file.line_index(end)
    };
    let last_flagged = end_index.clamp(first_flagged, high);
    let shown_last_flagged = last_flagged.min(first_flagged + MAX_FLAGGED - 1);
    let from = first_flagged.saturating_sub(CONTEXT).max(low);
    let to = (shown_last_flagged + CONTEXT).min(high);
    (from..=to)
        .map(|index| {
            let text = file.line_text(file.line_start(index));
            // A minified or generated line is shown around the finding, not whole.
            let around = if index == first_flagged {
                d.start.column
            } else {
                1
            };
            ExcerptLine {
                line: index - first_number + 1,
                text: crate::report::printable(window(text, around)),
                flagged: (first_flagged..=last_flagged).contains(&index),
            }
        })
        .collect()
}

/// The longest excerpt line shown, in characters.
const MAX_LINE: usize = 160;

/// `line` whole when it is short; otherwise [`MAX_LINE`] characters from a little before
/// `column` (1-based, in characters), with `…` where it was cut.
fn window(line: &str, column: usize) -> String {
    let count = line.chars().count();
    if count <= MAX_LINE {
        return line.to_string();
    }
    let start = column
        .saturating_sub(1)
        .saturating_sub(20)
        .min(count - MAX_LINE);
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    out.extend(line.chars().skip(start).take(MAX_LINE));
    if start + MAX_LINE < count {
        out.push('…');
    }
    out
}

/// Where each served file's model comes from: files that serve (entry points, batch jobs)
/// and training files whose artifacts they load, each with the reach a finding there has.
#[derive(Default)]
pub(super) struct Served {
    /// Display path → what a finding in that file reaches.
    pub reach: BTreeMap<String, String>,
    /// Each save (display path, cell, line) → what a finding there reaches: Some for a
    /// served artifact, None for one nothing serves. A finding on a save is about that
    /// artifact, not about whatever else its file trains.
    pub saves: BTreeMap<(String, Option<usize>, usize), Option<String>>,
}

impl Served {
    /// What a finding at this place reaches; None when it is not on a served path.
    fn of(&self, path: &str, cell: Option<usize>, line: usize) -> Option<&String> {
        match self.saves.get(&(path.to_string(), cell, line)) {
            Some(at_save) => at_save.as_ref(),
            None => self.reach.get(path),
        }
    }
}

/// A node being built, keyed by what it stands for.
struct Drawing {
    nodes: BTreeMap<String, Node>,
    edges: BTreeSet<(String, String, EdgeKind)>,
}

impl Drawing {
    fn node(&mut self, key: String, kind: NodeKind, label: String, path: Option<&str>) -> String {
        self.nodes.entry(key.clone()).or_insert_with(|| Node {
            id: String::new(),
            kind,
            label,
            detail: None,
            path: path.map(str::to_string),
            marks: Vec::new(),
        });
        key
    }

    fn mark(&mut self, key: &str, mark: Mark) {
        if let Some(node) = self.nodes.get_mut(key)
            && !node.marks.contains(&mark)
        {
            node.marks.push(mark);
            node.marks.sort();
        }
    }

    fn edge(&mut self, from: &str, to: &str, kind: EdgeKind) {
        if from != to {
            self.edges.insert((from.to_string(), to.to_string(), kind));
        }
    }
}

/// Codes of the findings in each file.
fn codes_by_file(report: &Report) -> HashMap<&str, BTreeSet<(&'static str, Severity)>> {
    let mut map: HashMap<&str, BTreeSet<(&'static str, Severity)>> = HashMap::new();
    for d in &report.diagnostics {
        if !is_preview(d) {
            map.entry(d.path.as_str())
                .or_default()
                .insert((d.code, d.severity));
        }
    }
    map
}

/// The lineage drawing, and which files serve or train what is served.
fn lineage(input: &Input) -> (Lineage, Served) {
    let codes = codes_by_file(input.report);
    let has = |path: &str, prefix: &str| {
        codes
            .get(path)
            .is_some_and(|set| set.iter().any(|(code, _)| code.starts_with(prefix)))
    };
    let has_error = |path: &str| {
        codes
            .get(path)
            .is_some_and(|set| set.iter().any(|(_, s)| *s == Severity::Error))
    };
    let mut drawing = Drawing {
        nodes: BTreeMap::new(),
        edges: BTreeSet::new(),
    };
    let mut served = Served::default();
    for index in input.projects {
        let entries = index.entries();
        let scoring = index.scoring();
        let mut serving_files: BTreeMap<FileId, Vec<String>> = BTreeMap::new();
        for entry in &entries {
            serving_files
                .entry(entry.file)
                .or_default()
                .push(format!("{} ({})", entry.entry.name, entry.entry.framework));
        }
        for (file, _) in &scoring {
            serving_files
                .entry(*file)
                .or_default()
                .push("batch scoring job".to_string());
        }
        let entry_key = |file: FileId| format!("entry:{}", index.path(file));
        for (&file, roles) in &serving_files {
            let path = index.path(file);
            let key = drawing.node(
                entry_key(file),
                NodeKind::Entry,
                short_path(path),
                Some(path),
            );
            if let Some(node) = drawing.nodes.get_mut(&key) {
                node.detail = Some(describe_roles(roles));
            }
            if has(path, "MON001") {
                drawing.mark(&key, Mark::Unmonitored);
            }
            if has_error(path) {
                drawing.mark(&key, Mark::Blocking);
            }
            served.reach.insert(
                path.to_string(),
                "in a file that serves a model".to_string(),
            );
        }
        // Training files, their data and their artifacts.
        for (file, summary) in index.files.iter().enumerate() {
            if summary.test || (summary.trainings.is_empty() && summary.saves.is_empty()) {
                continue;
            }
            let path = summary.path.as_str();
            let train = drawing.node(
                format!("train:{path}"),
                NodeKind::Training,
                short_path(path),
                Some(path),
            );
            let classes: BTreeSet<String> = summary
                .trainings
                .iter()
                .map(|t| match &t.inner {
                    Some(inner) => format!("{}({inner})", model_name(&t.model)),
                    None => model_name(&t.model).to_string(),
                })
                .collect();
            let mut detail = classes.into_iter().collect::<Vec<_>>().join(", ");
            if detail.is_empty() {
                detail = "saves, fits no model".to_string();
            }
            if summary.notebook {
                detail = format!("notebook: {detail}");
            }
            if let Some(node) = drawing.nodes.get_mut(&train) {
                node.detail = Some(clip(&detail, 48));
            }
            if has(path, "NB005") {
                drawing.mark(&train, Mark::NotebookOnly);
            }
            if has(path, "CHAIN")
                || summary.trainings.iter().any(|t| {
                    !t.loaded_outputs.is_empty() || t.columns.iter().any(|c| c.model_output)
                })
            {
                drawing.mark(&train, Mark::Chained);
            }
            if has(path, "SKEW005") {
                drawing.mark(&train, Mark::PreprocessorMissing);
            }
            for training in &summary.trainings {
                for &read in &training.reads {
                    if let Some(data) = summary.reads.get(read).and_then(|r| r.path.as_deref()) {
                        let key = drawing.node(
                            format!("data:{}:{data}", project_key(index)),
                            NodeKind::Data,
                            clip(data, 40),
                            None,
                        );
                        drawing.edge(&key, &train, EdgeKind::Reads);
                    }
                }
                for &load in &training.loaded_outputs {
                    for (saver, save) in index.saves_read_by(file, load) {
                        let artifact = artifact_key(index, saver, save);
                        drawing.edge(&artifact, &train, EdgeKind::Feeds);
                    }
                }
            }
            for (s, save) in summary.saves.iter().enumerate() {
                // A save of an unknown path inside a helper is drawn where the helper is.
                if save.path.is_none() && summary.called_at(&save.place).is_some() {
                    continue;
                }
                let artifact = artifact_node(&mut drawing, index, file, s);
                drawing.edge(&train, &artifact, EdgeKind::Saves);
                if save.unfitted.is_some() {
                    drawing.mark(&artifact, Mark::Blocking);
                }
                let loaders = index.loaders_of(file, s);
                let mut serves = Vec::new();
                for (loader, _) in &loaders {
                    if serving_files.contains_key(loader) {
                        drawing.edge(&artifact, &entry_key(*loader), EdgeKind::Loads);
                        serves.push(index.path(*loader).to_string());
                    }
                }
                let at = (
                    path.to_string(),
                    save.place.start.cell,
                    save.place.start.line,
                );
                if serves.is_empty() {
                    served.saves.entry(at).or_insert(None);
                } else {
                    serves.sort();
                    serves.dedup();
                    let what = save.path.as_deref().unwrap_or("its artifact");
                    let reach =
                        format!("trains the model `{what}` served by {}", serves.join(", "));
                    served.saves.insert(at, Some(reach.clone()));
                    served.reach.entry(path.to_string()).or_insert(reach);
                }
            }
        }
        // A served artifact that several files write (not a helper and its caller: one
        // save read at the call): which one is served depends on which ran last.
        // Per artifact: the files that write it, and whether a serving file loads it; each
        // save's key is made once.
        let mut writers: BTreeMap<String, (BTreeSet<FileId>, bool)> = BTreeMap::new();
        for (file, summary) in index.files.iter().enumerate() {
            for (s, save) in summary.saves.iter().enumerate() {
                if summary.test || save.path.is_none() || summary.called_at(&save.place).is_some() {
                    continue;
                }
                let served = index
                    .loaders_of(file, s)
                    .iter()
                    .any(|(loader, _)| serving_files.contains_key(loader));
                let (files, loaded) = writers.entry(artifact_key(index, file, s)).or_default();
                files.insert(file);
                *loaded |= served;
            }
        }
        for (key, (files, loaded)) in &writers {
            if files.len() > 1 && *loaded {
                drawing.mark(key, Mark::SeveralWriters);
            }
        }
        // Artifacts that serving files load but no file of the project saves.
        for &file in serving_files.keys() {
            let summary = index.files[file];
            for (l, load) in summary.loads.iter().enumerate() {
                if !index.saves_read_by(file, l).is_empty() {
                    continue;
                }
                let Some(artifact) = load.path.as_deref() else {
                    continue;
                };
                let key = drawing.node(
                    format!("art:?:{}:{artifact}", project_key(index)),
                    NodeKind::Artifact,
                    clip(artifact, 40),
                    None,
                );
                if let Some(node) = drawing.nodes.get_mut(&key) {
                    node.detail = Some("saved by no file here".to_string());
                }
                drawing.edge(&key, &entry_key(file), EdgeKind::Loads);
            }
        }
        // Batch jobs whose predictions feed a training through a data file.
        for edge in &index.data_edges {
            let write = &index.files[edge.write.0].writes[edge.write.1];
            if write.predictions.is_empty() {
                continue;
            }
            let reader = index.files[edge.read.0];
            if reader.trainings.is_empty() {
                continue;
            }
            let writer = edge.write.0;
            let from = if serving_files.contains_key(&writer) {
                entry_key(writer)
            } else {
                format!("train:{}", index.path(writer))
            };
            let Some(data) = write.path.as_deref() else {
                continue;
            };
            let key = drawing.node(
                format!("data:{}:{data}", project_key(index)),
                NodeKind::Data,
                clip(data, 40),
                None,
            );
            if drawing.nodes.contains_key(&from) {
                drawing.edge(&from, &key, EdgeKind::Feeds);
            }
            let reader_key = format!("train:{}", reader.path);
            drawing.edge(&key, &reader_key, EdgeKind::Feeds);
            drawing.mark(&reader_key, Mark::Chained);
        }
        // Monitoring: found in code, declared, or only named in a manifest.
        let facts = index.facts;
        if let Some(external) = &facts.monitoring.external {
            let key = drawing.node(
                format!("mon:declared:{}", project_key(index)),
                NodeKind::Monitoring,
                clip(external, 40),
                None,
            );
            if let Some(node) = drawing.nodes.get_mut(&key) {
                node.detail = Some("declared external".to_string());
            }
            for &file in serving_files.keys() {
                drawing.edge(&entry_key(file), &key, EdgeKind::Watches);
            }
        }
        let monitored = facts.monitoring.external.is_some()
            || index
                .files
                .iter()
                .any(|f| !f.test && !f.monitoring.is_empty());
        if !monitored && !serving_files.is_empty() {
            let key = drawing.node(
                format!("mon:none:{}", project_key(index)),
                NodeKind::Monitoring,
                "none found".to_string(),
                None,
            );
            if let Some(node) = drawing.nodes.get_mut(&key) {
                node.detail = Some("no drift monitoring in code or declared".to_string());
            }
            drawing.mark(&key, Mark::Unmonitored);
        }
        for (file, summary) in index.files.iter().enumerate() {
            if summary.test || summary.monitoring.is_empty() {
                continue;
            }
            let path = summary.path.as_str();
            let key = drawing.node(
                format!("mon:{path}"),
                NodeKind::Monitoring,
                short_path(path),
                Some(path),
            );
            let what: BTreeSet<&str> = summary.monitoring.iter().map(|e| e.what.as_str()).collect();
            if let Some(node) = drawing.nodes.get_mut(&key) {
                node.detail = Some(clip(&what.into_iter().collect::<Vec<_>>().join(", "), 40));
            }
            // It watches the entry points in its own file and in the files that import it.
            let watchers = std::iter::once(file).chain(index.importers(file).iter().copied());
            for watcher in watchers {
                if serving_files.contains_key(&watcher) {
                    drawing.edge(&entry_key(watcher), &key, EdgeKind::Watches);
                }
            }
        }
    }
    // Ids in the nodes' order: by kind, then label, then path.
    let mut nodes: Vec<(String, Node)> = drawing.nodes.into_iter().collect();
    nodes.sort_by(|a, b| {
        (a.1.kind, &a.1.label, &a.1.path, &a.0).cmp(&(b.1.kind, &b.1.label, &b.1.path, &b.0))
    });
    let mut ids: HashMap<String, String> = HashMap::new();
    for (i, (key, node)) in nodes.iter_mut().enumerate() {
        node.id = format!("n{i}");
        ids.insert(key.clone(), node.id.clone());
    }
    let mut edges: Vec<Edge> = drawing
        .edges
        .into_iter()
        .filter_map(|(from, to, kind)| {
            Some(Edge {
                from: ids.get(&from)?.clone(),
                to: ids.get(&to)?.clone(),
                kind,
            })
        })
        .collect();
    let number = |id: &str| id[1..].parse::<usize>().unwrap_or(0);
    edges.sort_by_key(|e| (number(&e.from), number(&e.to), e.kind));
    edges.dedup_by(|a, b| a.from == b.from && a.to == b.to && a.kind == b.kind);
    (
        Lineage {
            nodes: nodes.into_iter().map(|(_, node)| node).collect(),
            edges,
        },
        served,
    )
}

fn artifact_key(index: &ProjectIndex, file: FileId, save: usize) -> String {
    let summary = index.files[file];
    match summary.saves.get(save).and_then(|s| s.path.as_deref()) {
        // A path with folders (`models/churn.pkl`, `*/artifacts/model.pkl`, absolute) names
        // one artifact whichever file saves it; a bare file name is the saving file's folder.
        Some(path) if path.contains('/') => format!("art:{}:{path}", project_key(index)),
        Some(path) => format!("art:{}:{path}", folder(&summary.path)),
        None => format!("art:{}#{save}", summary.path),
    }
}

fn artifact_node(drawing: &mut Drawing, index: &ProjectIndex, file: FileId, save: usize) -> String {
    let summary = index.files[file];
    let saved = &summary.saves[save];
    let label = match &saved.path {
        Some(path) => clip(path, 40),
        None => format!("(path not known, {})", saved.place.describe()),
    };
    let key = drawing.node(
        artifact_key(index, file, save),
        NodeKind::Artifact,
        label,
        None,
    );
    if let Some(node) = drawing.nodes.get_mut(&key)
        && node.detail.is_none()
    {
        let what = match saved.saved {
            summary::Saved::Model => saved
                .training
                .and_then(|t| summary.trainings.get(t))
                .map_or("model".to_string(), |t| model_name(&t.model).to_string()),
            summary::Saved::Transformer => "preprocessor".to_string(),
            summary::Saved::Other => saved.function.clone(),
        };
        node.detail = Some(clip(&what, 40));
    }
    key
}

/// The estimator's class, or `model` when the analysis could not tell it (a model picked
/// from a dict inside a helper).
fn model_name(class: &str) -> &str {
    if class.is_empty() { "model" } else { class }
}

/// What tells one project's nodes from another's in the drawing (a monorepo's sub-projects
/// each read their own `data/train.csv`).
fn project_key(index: &ProjectIndex) -> String {
    index.root.to_string_lossy().into_owned()
}

fn folder(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(folder, _)| folder)
}

/// A path short enough for a node: its last two components.
fn short_path(path: &str) -> String {
    let parts: Vec<&str> = path.rsplit('/').take(2).collect();
    let short = if parts.len() == 2 && path.matches('/').count() > 1 {
        format!("…/{}/{}", parts[1], parts[0])
    } else {
        path.to_string()
    };
    clip(&short, 40)
}

/// `text` cut to `max` characters with an ellipsis.
pub(super) fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

fn describe_roles(roles: &[String]) -> String {
    let first = &roles[0];
    let text = if roles.len() == 1 {
        first.clone()
    } else {
        format!("{first} +{} more", roles.len() - 1)
    };
    clip(&text, 48)
}

fn place(path: &str, place: &summary::Place) -> Place {
    Place {
        path: path.to_string(),
        cell: place.start.cell,
        line: place.start.line,
    }
}

/// The inventory: models, entry points, monitoring, pins.
fn inventory(input: &Input) -> Inventory {
    let mut inventory = Inventory::default();
    let unseeded: BTreeMap<&str, Vec<&str>> = input
        .report
        .diagnostics
        .iter()
        .filter(|d| d.code == "REPRO001")
        .fold(BTreeMap::new(), |mut map, d| {
            map.entry(d.path.as_str())
                .or_default()
                .push(d.message.as_str());
            map
        });
    let mut libraries: BTreeSet<&'static str> = BTreeSet::new();
    for index in input.projects {
        let entries = index.entries();
        // Entry points, then batch jobs, each with the loads it uses.
        let mut entry_ids: Vec<(FileId, Vec<usize>, usize)> = Vec::new();
        for entry in &entries {
            let summary = index.files[entry.file];
            let loads: Vec<usize> = if entry.entry.loads.is_empty() {
                (0..summary.loads.len()).collect()
            } else {
                entry.entry.loads.clone()
            };
            let artifacts = artifacts(summary, &loads);
            entry_ids.push((entry.file, loads, inventory.entry_points.len()));
            inventory.entry_points.push(EntryInfo {
                name: entry.entry.name.clone(),
                kind: entry.entry.framework.clone(),
                at: place(&summary.path, &entry.entry.place),
                artifacts,
                logs: entry.entry.logged,
                inputs_known: entry.entry.resolved && !entry.entry.open,
            });
        }
        for (file, at) in index.scoring() {
            let summary = index.files[file];
            let loads: Vec<usize> = (0..summary.loads.len()).collect();
            entry_ids.push((file, loads.clone(), inventory.entry_points.len()));
            inventory.entry_points.push(EntryInfo {
                name: file_name(&summary.path).to_string(),
                kind: "batch scoring job".to_string(),
                at: place(&summary.path, &at),
                artifacts: artifacts(summary, &loads),
                logs: false,
                inputs_known: false,
            });
        }
        let called_elsewhere = helpers_called_elsewhere(index);
        // The writes each read of data meets, found once for every model.
        let mut writes_read: HashMap<(FileId, usize), Vec<(FileId, usize)>> = HashMap::new();
        for edge in &index.data_edges {
            writes_read.entry(edge.read).or_default().push(edge.write);
        }
        // The saves of each artifact (see [`artifact_key`]), found once for every model.
        let mut artifacts: HashMap<String, Vec<(FileId, usize)>> = HashMap::new();
        for (file, summary) in index.files.iter().enumerate() {
            for save in 0..summary.saves.len() {
                artifacts
                    .entry(artifact_key(index, file, save))
                    .or_default()
                    .push((file, save));
            }
        }
        let lookups = Lookups {
            entry_ids,
            unseeded: &unseeded,
            artifacts,
            writes_read,
        };
        for (file, summary) in index.files.iter().enumerate() {
            if summary.test {
                continue;
            }
            if !summary.trainings.is_empty() {
                libraries.extend(
                    summary
                        .imports
                        .iter()
                        .filter_map(|(_, q)| crate::ml::model_library(q)),
                );
            }
            if called_elsewhere.contains(&summary.path) {
                continue;
            }
            for (t, training) in summary.trainings.iter().enumerate() {
                inventory
                    .models
                    .push(model_info(index, file, t, training, &lookups));
            }
        }
        for summary in &index.files {
            for evidence in &summary.monitoring {
                inventory
                    .monitoring
                    .found
                    .push((evidence.what.clone(), place(&summary.path, &evidence.place)));
            }
        }
        for found in &index.manifest_drift {
            if !inventory.monitoring.in_manifests.contains(found) {
                inventory.monitoring.in_manifests.push(found.clone());
            }
        }
    }
    if let Some(index) = input.projects.first() {
        inventory.monitoring.declared_external = index.facts.monitoring.external.clone();
        inventory.monitoring.declared_functions = index.facts.monitoring.functions.clone();
    }
    inventory.monitoring.found.sort();
    inventory.monitoring.found.dedup();
    inventory.pins = pins(input, &libraries);
    inventory
}

fn artifacts(summary: &FileSummary, loads: &[usize]) -> Vec<String> {
    let mut out: Vec<String> = loads
        .iter()
        .filter_map(|&l| summary.loads.get(l))
        .map(|l| {
            l.path
                .clone()
                .unwrap_or_else(|| format!("({})", l.function))
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// What the inventory looks up for every model of one project, found once.
struct Lookups<'a> {
    /// Entry points and batch jobs: (file, the loads it uses, id in the inventory).
    entry_ids: Vec<(FileId, Vec<usize>, usize)>,
    /// REPRO001 messages by file.
    unseeded: &'a BTreeMap<&'a str, Vec<&'a str>>,
    /// The saves of each artifact (see [`artifact_key`]).
    artifacts: HashMap<String, Vec<(FileId, usize)>>,
    /// The writes each read of data meets.
    writes_read: HashMap<(FileId, usize), Vec<(FileId, usize)>>,
}

fn model_info(
    index: &ProjectIndex,
    file: FileId,
    t: usize,
    training: &summary::Training,
    lookups: &Lookups,
) -> ModelInfo {
    let Lookups {
        entry_ids,
        unseeded,
        artifacts,
        writes_read,
    } = lookups;
    let summary = index.files[file];
    let path = summary.path.as_str();
    let mut saved = Vec::new();
    let mut served_by = BTreeSet::new();
    for (s, save) in summary.saves.iter().enumerate() {
        let traced = save.training == Some(t) || save.trainings.contains(&t);
        if !traced && untraced_owner(summary, s) != Some(t) {
            continue;
        }
        // Every save of the same artifact (the model saved again through a helper) counts:
        // what loads one loads the others, as the drawing shows.
        let key = artifact_key(index, file, s);
        let same = artifacts.get(&key).map_or(&[][..], Vec::as_slice);
        let mut loaded_at = Vec::new();
        let loaders = same
            .iter()
            .chain([&(file, s)])
            .flat_map(|&(f, s)| index.loaders_of(f, s))
            .collect::<BTreeSet<_>>();
        for (loader, load) in loaders {
            let loader_summary = index.files[loader];
            if let Some(use_) = loader_summary.loads.get(load) {
                loaded_at.push(place(&loader_summary.path, &use_.place));
            }
            for (entry_file, loads, id) in entry_ids {
                if *entry_file == loader && loads.contains(&load) {
                    served_by.insert(*id);
                }
            }
        }
        loaded_at.sort();
        loaded_at.dedup();
        saved.push(Saved {
            artifact: save.path.clone(),
            function: save.function.clone(),
            at: place(path, &save.place),
            loaded_at,
            traced,
        });
    }
    let mut chained_on = Vec::new();
    for &load in &training.loaded_outputs {
        let what = summary
            .loads
            .get(load)
            .and_then(|l| l.path.clone())
            .unwrap_or_else(|| "an artifact".to_string());
        chained_on.push(format!("predictions of the model loaded from `{what}`"));
    }
    for column in training.columns.iter().filter(|c| c.model_output) {
        chained_on.push(format!(
            "column `{}` derived from a model's predictions",
            column.name
        ));
    }
    for &read in &training.reads {
        for &(writer, w) in writes_read.get(&(file, read)).into_iter().flatten() {
            let write = &index.files[writer].writes[w];
            if !write.predictions.is_empty() {
                chained_on.push(format!(
                    "predictions{} written by `{}`",
                    write
                        .model
                        .as_deref()
                        .map(|m| format!(" of {m}"))
                        .unwrap_or_default(),
                    index.path(writer)
                ));
            }
        }
    }
    chained_on.sort();
    chained_on.dedup();
    // The training's file, and the helper's file when the fit is inside one.
    let helper = summary
        .called_at(&training.place)
        .and_then(|called| helper_file(path, called));
    let seeds = seeds(training, path, helper.as_deref(), unseeded);
    let mut data: Vec<String> = training
        .reads
        .iter()
        .filter_map(|&r| summary.reads.get(r)?.path.clone())
        .collect();
    data.sort();
    data.dedup();
    ModelInfo {
        class: if training.model.is_empty() {
            "(class not known)".to_string()
        } else {
            training.model.clone()
        },
        inner: training.inner.clone(),
        through: summary.called_at(&training.place).map(str::to_string),
        unsupervised: training.unsupervised,
        trained_at: place(path, &training.place),
        notebook: summary.notebook,
        x: training.x_text.clone(),
        features: training
            .columns
            .iter()
            .map(|c| Feature {
                name: c.name.clone(),
                how: c.how.clone(),
                built_at: c.place.as_ref().map(|p| place(path, p)),
                model_output: c.model_output,
            })
            .collect(),
        features_open: training.open,
        data,
        saved,
        served_by: served_by.into_iter().collect(),
        unshipped_preprocessors: training
            .unsaved_preprocessors
            .iter()
            .map(|p| PreprocessorInfo {
                class: p.class.clone(),
                at: place(path, &p.place),
            })
            .collect(),
        chained_on,
        seeds,
    }
}

/// Whether a model's training is seeded, from the REPRO001 findings where it is trained
/// (its file, and the helper its fit is in): a finding that names the model's class (or the
/// model inside its pipeline or search) is about it; others are about the file's other
/// estimators and draws (a split, a shuffle), which the training may or may not depend on.
fn seeds(
    training: &summary::Training,
    path: &str,
    helper: Option<&str>,
    unseeded: &BTreeMap<&str, Vec<&str>>,
) -> String {
    let messages: Vec<&str> = std::iter::once(path)
        .chain(helper)
        .filter_map(|p| unseeded.get(p))
        .flatten()
        .copied()
        .collect();
    let names: Vec<String> = std::iter::once(&training.model)
        .chain(training.inner.as_ref())
        .filter(|name| !name.is_empty())
        .map(|name| format!("`{name}` "))
        .collect();
    let about_it = messages
        .iter()
        .filter(|m| names.iter().any(|name| m.starts_with(name.as_str())))
        .count();
    let where_ = if helper.is_some() {
        "the file or the helper"
    } else {
        "the file"
    };
    match (about_it, messages.len() - about_it) {
        (0, 0) => format!("no unseeded estimator or draw seen in {where_} (REPRO001)"),
        (0, others) => format!(
            "the model is not reported unseeded; {others} other estimator(s) or draw(s) in \
             {where_} run without a seed (REPRO001)"
        ),
        (_, 0) => "unseeded: the model runs without `random_state` (REPRO001)".to_string(),
        (_, others) => format!(
            "unseeded: the model runs without `random_state`, and {others} other estimator(s) \
             or draw(s) in {where_} (REPRO001)"
        ),
    }
}

/// The training a save the analysis could not tie to any model most likely holds: the last
/// model fitted before the save in the same function body (or both at the top level) (`joblib.dump(search.best_estimator_, ...)`
/// after `search.fit`). The inventory shows it as not traced, so that a model the drawing
/// connects to an artifact is not listed as "not saved".
fn untraced_owner(summary: &FileSummary, save: usize) -> Option<usize> {
    let save = summary.saves.get(save)?;
    if save.training.is_some()
        || !save.trainings.is_empty()
        || save.saved != summary::Saved::Other
        || !save.opaque
        || save.unfitted.is_some()
    {
        return None;
    }
    summary
        .trainings
        .iter()
        .enumerate()
        .filter(|(_, t)| t.scope == save.scope && t.place.span.start <= save.place.span.start)
        .max_by_key(|(_, t)| t.place.span.start)
        .map(|(i, _)| i)
}

/// The files whose fits are also read at a call in another file (a helper's body read
/// where it is called, see [`FileSummary::read_at`]): the call lists the fit, with the
/// arguments it is given (the artifact's path, the data), so the helper's own listing of
/// it, with parameters for values, is left out. A pipeline that calls `train()` three
/// levels down is one model, listed at the outermost call.
fn helpers_called_elsewhere(index: &ProjectIndex) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for summary in &index.files {
        for training in &summary.trainings {
            if let Some(helper) = summary
                .called_at(&training.place)
                .and_then(|called| helper_file(&summary.path, called))
                && helper != summary.path
            {
                out.insert(helper);
            }
        }
    }
    out
}

/// The display path of the module named in a `called_at` text (`` `f` in `../m.py` ``),
/// which is relative to the calling file's folder.
fn helper_file(caller: &str, called: &str) -> Option<String> {
    let relative = called.rsplit('`').nth(1)?;
    if !relative.ends_with(".py") {
        return None;
    }
    crate::project::join_relative(folder(caller), relative)
}

/// For each library the training files use, the version the project's manifests pin (read
/// by the same reader as REPRO003, [`Manifests`]).
fn pins(input: &Input, libraries: &BTreeSet<&'static str>) -> Vec<Pin> {
    let mut roots: Vec<&Path> = input.projects.iter().map(|p| p.root.as_path()).collect();
    roots.sort();
    roots.dedup();
    let manifests: Vec<Manifests> = roots.into_iter().map(Manifests::read).collect();
    libraries
        .iter()
        .map(|library| {
            let mut listed: Option<Listing> = None;
            for found in manifests.iter().filter_map(|m| m.find_declared(library)) {
                let pinned = found.version.is_some();
                if listed.as_ref().is_none_or(|l| l.version.is_none()) {
                    listed = Some(found);
                }
                if pinned {
                    break;
                }
            }
            Pin {
                library: library.to_string(),
                version: listed.as_ref().and_then(|l| l.version.clone()),
                manifest: listed.map(|l| l.manifest),
            }
        })
        .collect()
}

/// Severity order for ranking: errors first.
fn rank(severity: Severity) -> u8 {
    match severity {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Info => 2,
    }
}

/// How urgent a family is at the same severity: what breaks a served model first.
fn family_rank(family: &str) -> u8 {
    match family {
        "skew" => 0,
        "chain" => 1,
        "monitoring" => 2,
        "leakage" => 3,
        "security" => 4,
        "repro" => 5,
        "notebook" => 6,
        "config" => 7,
        _ => 8,
    }
}

fn summary(
    input: &Input,
    findings: &[FamilyFindings],
    inventory: &Inventory,
    lineage: &Lineage,
    served: &Served,
) -> Summary {
    let mut counts = Counts::default();
    let mut preview = 0;
    let serves = !inventory.entry_points.is_empty();
    let facts = input.projects.first().map(|p| p.facts);
    let families = findings
        .iter()
        .map(|group| {
            let (_, title, _, sculley) = FAMILIES
                .iter()
                .find(|(key, ..)| *key == group.family)
                .copied()
                .unwrap_or(("code-health", "Code health", &[], ""));
            let mut family_counts = Counts::default();
            let mut default_counts = Counts::default();
            let mut family_preview = 0;
            for f in &group.findings {
                family_counts.add(f.severity);
                counts.add(f.severity);
                if f.preview {
                    family_preview += 1;
                    preview += 1;
                } else {
                    default_counts.add(f.severity);
                }
            }
            let mut note = None;
            let status = if default_counts.error > 0 {
                Status::Blocking
            } else if default_counts.warning > 0 {
                Status::Attention
            } else if family_preview > 0 {
                Status::Review
            } else if group.family == "monitoring" && !serves {
                note = Some(
                    "no model is served here (no route, handler, app or batch job loads one): \
                     the monitoring rules do not apply"
                        .to_string(),
                );
                Status::NotApplicable
            } else {
                Status::Clear
            };
            if group.family == "monitoring"
                && let Some(external) = facts.and_then(|f| f.monitoring.external.as_ref())
            {
                note = Some(format!("drift monitoring declared external: {external}"));
            }
            // The unpinned model libraries, as REPRO003 (which reads the manifests with the
            // same reader as the pins) says them: the message up to its explanation.
            if let Some(unpinned) = group.findings.iter().find(|f| f.code == "REPRO003") {
                let consequence = crate::rules::repro::unpinned_ml_dependencies::CONSEQUENCE;
                let listed = unpinned.message.split(consequence).next();
                note = listed.map(str::to_string);
            }
            FamilyStatus {
                family: group.family,
                title,
                status,
                counts: family_counts,
                preview: family_preview,
                sculley,
                note,
            }
        })
        .collect();
    // Fix first: what reaches a served model before what does not (an error on a model
    // nothing loads waits behind a warning on the served one), then by severity, default
    // rules before preview ones, then family.
    let mut candidates: Vec<(&AuditFinding, &str, Option<&String>)> = findings
        .iter()
        .flat_map(|g| g.findings.iter().map(move |f| (f, g.family)))
        .filter(|(f, _)| f.severity != Severity::Info && !f.code.starts_with("SUP"))
        .map(|(f, family)| (f, family, served.of(&f.path, f.cell, f.line)))
        .collect();
    candidates.sort_by_key(|(f, family, reach)| {
        (
            reach.is_none(),
            rank(f.severity),
            f.preview,
            family_rank(family),
            f.path.clone(),
            f.cell,
            f.line,
        )
    });
    // At most two of one rule and three of one family: one root cause (a scaler fitted
    // before the split, reported as LEAK001 and again as LEAK008 per search) must not fill
    // the list.
    let mut per_code: HashMap<&str, usize> = HashMap::new();
    let mut per_family: HashMap<&str, usize> = HashMap::new();
    let mut fix_first = Vec::new();
    for (f, family, reach) in candidates {
        let seen = per_code.entry(f.code).or_default();
        let in_family = per_family.entry(family).or_default();
        if *seen >= 2 || *in_family >= 3 {
            continue;
        }
        *seen += 1;
        *in_family += 1;
        fix_first.push(FixFirst {
            code: f.code,
            name: f.name,
            severity: f.severity,
            preview: f.preview,
            path: f.path.clone(),
            cell: f.cell,
            line: f.line,
            message: f.message.clone(),
            reach: reach
                .cloned()
                .unwrap_or_else(|| "not on a served path".to_string()),
            id: f.id.clone(),
        });
        if fix_first.len() == FIX_FIRST {
            break;
        }
    }
    let artifacts = lineage
        .nodes
        .iter()
        .filter(|n| n.kind == NodeKind::Artifact)
        .count();
    Summary {
        families,
        fix_first,
        counts,
        preview,
        models: inventory.models.len(),
        entry_points: inventory.entry_points.len(),
        artifacts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn section_takes_the_first_prose_paragraph() {
        let doc = "# x\n\n## Why is this bad?\nIt breaks\nat serving.\n\nMore.\n\n## Example\n";
        assert_eq!(
            crate::rule::doc_section(doc, "## Why is this bad?"),
            "It breaks at serving."
        );
        let doc = "## Use instead\n```python\nx\n```\n\nSplit first.\n";
        assert_eq!(
            crate::rule::doc_section(doc, "## Use instead"),
            "Split first."
        );
        assert_eq!(crate::rule::doc_section(doc, "## Missing"), "");
    }

    #[test]
    fn helper_file_is_resolved_from_the_callers_folder() {
        let called = "`ModelTrainer.train` in `../model_trainer.py`";
        assert_eq!(
            helper_file("src/data/ingest.py", called).as_deref(),
            Some("src/model_trainer.py")
        );
        assert_eq!(
            helper_file("train.py", "`f` in `src/utils.py`").as_deref(),
            Some("src/utils.py")
        );
        assert_eq!(helper_file("train.py", "`f` in `../x.py`"), None);
    }

    #[test]
    fn long_lines_are_shown_around_the_finding() {
        let line = format!("{}TARGET{}", "a".repeat(1000), "b".repeat(1000));
        let shown = window(&line, 1001);
        assert!(shown.starts_with('…') && shown.ends_with('…'), "{shown}");
        assert!(shown.contains("TARGET"));
        assert_eq!(shown.chars().count(), MAX_LINE + 2);
        assert_eq!(window("short", 3), "short");
        let tail = window(&"x".repeat(500), 500);
        assert!(tail.starts_with('…') && !tail.ends_with('…'));
    }

    #[test]
    fn seeds_are_said_per_model() {
        let training = |model: &str, inner: Option<&str>| summary::Training {
            model: model.to_string(),
            inner: inner.map(str::to_string),
            ..Default::default()
        };
        let rf = "`RandomForestClassifier` runs without `random_state`: ...";
        let split = "`train_test_split` runs without `random_state`: ...";
        let unseeded = BTreeMap::from([("train.py", vec![rf, split])]);
        let said = |t: &summary::Training, path: &str| seeds(t, path, None, &unseeded);
        let rf_model = training("RandomForestClassifier", None);
        assert!(said(&rf_model, "train.py").starts_with("unseeded: the model"));
        let pipeline = training("Pipeline", Some("RandomForestClassifier"));
        assert!(said(&pipeline, "train.py").starts_with("unseeded"));
        let other = said(&training("LogisticRegression", None), "train.py");
        assert!(
            other.starts_with("the model is not reported unseeded; 2 other"),
            "{other}"
        );
        assert!(said(&training("SVC", None), "serve.py").starts_with("no unseeded"));
        let helper = seeds(&rf_model, "pipeline.py", Some("train.py"), &unseeded);
        assert!(helper.contains("the file or the helper"), "{helper}");
    }

    #[test]
    fn a_finding_on_a_save_reaches_what_that_artifact_reaches() {
        let mut served = Served::default();
        let reach = "trains the model `a.pkl` served by app.py".to_string();
        served.reach.insert("train.py".into(), reach.clone());
        served.saves.insert(("train.py".into(), None, 20), None);
        served
            .saves
            .insert(("train.py".into(), None, 10), Some(reach));
        assert!(
            served.of("train.py", None, 20).is_none(),
            "an artifact nothing loads"
        );
        assert!(served.of("train.py", None, 10).is_some());
        assert!(
            served.of("train.py", None, 5).is_some(),
            "elsewhere in the file"
        );
        assert!(served.of("explore.ipynb", Some(3), 20).is_none());
    }

    #[test]
    fn clip_counts_characters() {
        assert_eq!(clip("abcdef", 4), "abc…");
        assert_eq!(clip("éé", 2), "éé");
    }
}
