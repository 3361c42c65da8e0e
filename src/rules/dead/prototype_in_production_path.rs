use crate::project::index::{FileId, ProjectIndex};
use crate::rule::{Check, ProjectSink};

crate::rule::rule! {
    code: "DEAD005",
    name: "prototype-in-production-path",
    family: "dead",
    severity: Warning,
    scope: Project,
    check: Check::Project(check),
    preview: true,
}

/// Reads the project's serving entry points and batch scoring jobs (not test modules): each
/// import of a prototype folder or module (`notebooks`, `sandbox`, `scratch`, `experiments`,
/// `prototype*`), of a notebook importer (`import_ipynb`, `nbimporter`), and each call that
/// runs a notebook (papermill, `jupyter nbconvert --execute`) in such a file. A notebook run
/// whose call names a report (`reports/weekly.ipynb`, `render_report`) is a reporting step
/// on purpose and is skipped.
fn check(index: &ProjectIndex, sink: &mut ProjectSink) {
    let mut production: Vec<(FileId, &'static str)> = Vec::new();
    for entry in index.entries() {
        if !production.iter().any(|(f, _)| *f == entry.file) {
            production.push((entry.file, "serving"));
        }
    }
    for (file, _) in index.scoring() {
        if !production.iter().any(|(f, _)| *f == file) {
            production.push((file, "batch scoring"));
        }
    }
    production.sort_by_key(|(f, _)| *f);
    for (file, role) in production {
        let summary = &index.files[file];
        for (what, place) in &summary.prototype_uses {
            let runs = !what.starts_with("import ") && !what.starts_with("from ");
            if runs && what.to_ascii_lowercase().contains("report") {
                continue;
            }
            let message = if runs {
                format!(
                    "this {role} module runs a notebook (`{what}`): production depends on \
                     exploratory code that no test covers and that changes with each edit of \
                     the notebook"
                )
            } else {
                format!(
                    "this {role} module imports prototype code (`{what}`): production depends \
                     on notebook, sandbox or experiment code that no test covers and nobody \
                     expects to be load-bearing"
                )
            };
            sink.report(&RULE, file, *place, message).help(
                "move the code it needs into a package module covered by tests, and import it \
                 from there in both the prototype and the production path",
            );
        }
    }
}
