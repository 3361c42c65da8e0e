use crate::project::index::{FileId, ProjectIndex, paths_match};
use crate::project::summary::Saved;
use crate::rule::{Check, ProjectSink};
use std::path::Path;

crate::rule::rule! {
    code: "NB005",
    name: "model-trained-only-in-notebook",
    family: "notebook",
    severity: Warning,
    scope: Project,
    check: Check::Project(check),
}

/// Folders never searched for orchestrator files.
const SKIPPED_DIRS: &[&str] = &[
    ".git",
    ".venv",
    "venv",
    "env",
    "node_modules",
    "site-packages",
    "__pycache__",
    ".ipynb_checkpoints",
    "build",
    "dist",
    "data",
];

/// How deep orchestrator files are searched for under the project root.
const MAX_DEPTH: usize = 4;

/// Artifact edges into a serving entry point or a batch scoring job whose artifact only
/// notebooks write. Silent when a script saves to a path the analysis cannot fold (it may be
/// the artifact), and for notebooks an orchestrator runs: a `.py` file that calls
/// `papermill.execute_notebook` or `jupyter nbconvert --execute` on it, or a pipeline file
/// (`dvc.yaml`, a workflow, a Makefile) that names it next to papermill or nbconvert.
fn check(index: &ProjectIndex, sink: &mut ProjectSink) {
    let script_saves_unknown = index.files.iter().any(|f| {
        !f.notebook
            && !f.test
            && f.saves
                .iter()
                .any(|s| s.path.is_none() && s.saved != Saved::Transformer)
    });
    if script_saves_unknown {
        return;
    }
    let consumers = consumers(index);
    let mut orchestrators: Option<Vec<String>> = None;
    let mut reported: Vec<(FileId, usize)> = Vec::new();
    for (file, load, what) in consumers {
        let edges: Vec<(FileId, usize)> = index.saves_read_by(file, load);
        if edges.is_empty()
            || edges
                .iter()
                .any(|&(f, _)| !index.files[f].notebook || index.files[f].test)
        {
            continue;
        }
        for (saver, save) in edges {
            if reported.contains(&(saver, save)) {
                continue;
            }
            // A fitted transformer saved by a notebook is not the served model: the message
            // would say no script trains a model that one may well train.
            if index.files[saver].saves[save].saved == Saved::Transformer {
                continue;
            }
            let notebook = &index.files[saver];
            if run_by_script(index, &notebook.path) {
                continue;
            }
            let texts = orchestrators.get_or_insert_with(|| orchestrator_texts(&index.root));
            if named_in(texts, &notebook.path) {
                continue;
            }
            reported.push((saver, save));
            let saved = &notebook.saves[save];
            let load_place = index.files[file].loads[load].place;
            let artifact = saved.path.as_deref().unwrap_or("the artifact");
            let message = format!(
                "`{artifact}`, loaded by {what} in `{}`, is written only by this notebook: no \
                 script or pipeline step of the project trains the served model, so it cannot \
                 be retrained, reviewed or reproduced except by re-running the notebook by \
                 hand",
                index.path(file),
            );
            let finding = sink
                .report(&RULE, saver, saved.place, message)
                .help(
                    "move the training to a script or pipeline step that writes the artifact, \
                     and keep the notebook for exploration (or run it as a pipeline step with \
                     papermill)",
                )
                .related(file, load_place, format!("loaded here by {what}"));
            if let Some(training) = index.training_of(saver, saved) {
                finding.related(saver, training.place, format!("`{}` trained here", training.model));
            }
        }
    }
}

/// Loads that serve or batch-score in scripts: (file, load, what it is).
fn consumers(index: &ProjectIndex) -> Vec<(FileId, usize, String)> {
    let mut out: Vec<(FileId, usize, String)> = Vec::new();
    for entry in index.entries() {
        // A notebook that serves its own model (a Gradio demo in Colab) is not a deployment.
        if index.files[entry.file].notebook {
            continue;
        }
        for &load in &entry.entry.loads {
            if !out.iter().any(|(f, l, _)| *f == entry.file && *l == load) {
                out.push((
                    entry.file,
                    load,
                    format!("the serving entry point `{}`", entry.entry.name),
                ));
            }
        }
    }
    for (file, _) in index.scoring() {
        if index.files[file].notebook {
            continue;
        }
        for load in 0..index.files[file].loads.len() {
            if !out.iter().any(|(f, l, _)| *f == file && *l == load) {
                out.push((file, load, "a batch scoring job".to_string()));
            }
        }
    }
    out
}

/// Whether a Python file of the project runs the notebook (papermill, nbconvert).
fn run_by_script(index: &ProjectIndex, notebook: &str) -> bool {
    index.files.iter().any(|f| {
        f.executed_notebooks
            .iter()
            .any(|n| n == "*" || same_notebook(n, notebook))
    })
}

fn same_notebook(named: &str, notebook: &str) -> bool {
    let trimmed: Vec<&str> = named
        .split(['/', '\\'])
        .filter(|p| !p.is_empty() && *p != "." && *p != "..")
        .collect();
    paths_match(&trimmed.join("/"), notebook)
}

/// Whether an orchestrator text names the notebook's file name next to a notebook runner.
fn named_in(texts: &[String], notebook: &str) -> bool {
    let name = notebook.rsplit('/').next().unwrap_or(notebook);
    texts.iter().any(|t| t.contains(name))
}

/// Pipeline and automation files under the project root that run notebooks: DVC, CI
/// workflows, Makefiles, MLproject, shell scripts, Airflow or Kedro configuration that
/// mention papermill, nbconvert, `jupyter execute` or ploomber.
fn orchestrator_texts(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![(root.to_path_buf(), 0usize)];
    while let Some((dir, depth)) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().to_string();
            if path.is_dir() {
                if depth < MAX_DEPTH && !SKIPPED_DIRS.contains(&name.as_str()) {
                    stack.push((path, depth + 1));
                }
                continue;
            }
            let lower = name.to_ascii_lowercase();
            let wanted = [".yaml", ".yml", ".sh", ".toml", ".cfg", ".json", ".mk"]
                .iter()
                .any(|e| lower.ends_with(e))
                && !lower.ends_with(".ipynb")
                || ["makefile", "mlproject", "justfile", "dockerfile", "procfile"]
                    .contains(&lower.as_str());
            // The size of what the path leads to: a link into a data cache (DVC) to a file of
            // gigabytes was read whole, since a directory entry's own size is the link's.
            let small = std::fs::metadata(&path).is_ok_and(|m| m.len() <= 1_000_000);
            if !wanted || !small {
                continue;
            }
            if let Ok(text) = crate::files::read_text(&path)
                && ["papermill", "nbconvert", "jupyter execute", "ploomber"]
                    .iter()
                    .any(|w| text.contains(w))
            {
                out.push(text);
            }
        }
    }
    out
}
