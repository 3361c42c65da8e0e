use crate::project::index::{FileId, ProjectIndex};
use crate::project::manifests::LOCKFILES;
use crate::project::summary::Place;
use crate::rule::{Check, ProjectSink};

crate::rule::rule! {
    code: "REPRO003",
    name: "unpinned-ml-dependencies",
    family: "repro",
    severity: Warning,
    scope: Project,
    check: Check::Project(check),
}

/// What the message says after the list (the audit's note keeps the list only).
pub(crate) const CONSEQUENCE: &str = "; a fresh install gets whatever versions are newest \
     that day, and the model may train or load differently";

/// The model libraries that training and serving files import, checked against the
/// project's manifests and lockfiles: one finding per project, at the first import of the
/// first library that no manifest pins, listing all of them. A project whose manifests do
/// not describe an ML environment (none at all, a `pyproject.toml` for tool settings, no
/// scientific-Python or model library listed) is left alone: its environment is declared
/// somewhere the analysis cannot see, or nowhere, and a list of what is missing would be
/// the whole list.
fn check(index: &ProjectIndex, sink: &mut ProjectSink) {
    let manifests = &index.manifests;
    if !manifests.describe_ml_environment() {
        return;
    }
    // Each library at its first import in a training or serving file, scripts (the jobs
    // that build environments) before notebooks.
    let mut files: Vec<FileId> = (0..index.files.len()).collect();
    files.sort_by_key(|&f| index.files[f].notebook);
    let mut imported: Vec<(&str, FileId, Place)> = Vec::new();
    for file in files {
        let summary = index.files[file];
        if summary.test || (summary.trainings.is_empty() && summary.entries.is_empty()) {
            continue;
        }
        for (distribution, place) in &summary.ml_imports {
            if manifests.is_own_name(distribution) {
                continue;
            }
            if !imported.iter().any(|(d, ..)| d == distribution) {
                imported.push((distribution, file, *place));
            }
        }
    }
    let mut loose: Vec<(&str, FileId, Place, String)> = Vec::new();
    for (distribution, file, place) in imported {
        let why = match manifests.find(distribution) {
            Some(listing) if listing.version.is_some() => continue,
            Some(listing) => format!(
                "{distribution} (`{}` in {} line {})",
                listing.text, listing.manifest, listing.line
            ),
            None => format!("{distribution} (in no manifest)"),
        };
        loose.push((distribution, file, place, why));
    }
    let Some((_, file, place, _)) = loose.first() else {
        return;
    };
    let listed: Vec<&str> = loose.iter().map(|(.., why)| why.as_str()).collect();
    let target = manifests
        .manifests
        .iter()
        .find(|m| m.name.ends_with(".txt") || m.name == "pyproject.toml")
        .map_or("requirements.txt", |m| m.name.as_str());
    let finding = sink
        .report(
            &RULE,
            *file,
            *place,
            format!(
                "ML libraries not pinned to a version: {}{CONSEQUENCE}",
                listed.join(", ")
            ),
        )
        .help(format!(
            "pin each with `==` in {target} (`scikit-learn==1.5.2`), or commit a lockfile ({})",
            LOCKFILES[..4].join(", ")
        ));
    for (distribution, file, place, _) in loose.iter().skip(1) {
        finding.related(*file, *place, format!("{distribution} imported here"));
    }
}
