use super::helpers::{self, SupervisedFit};
use crate::finding::{Severity, Span};
use crate::model::{Event, FileModel, Load, Tag, ValueId};
use crate::project::index::ProjectIndex;
use crate::rule::{Check, Context, ProjectSink, Sink};

crate::rule::rule! {
    code: "CHAIN002",
    name: "loaded-model-output-as-feature",
    family: "chain",
    severity: Warning,
    also: [Info],
    scope: File,
    check: Check::FileAndProject(check, check_project),
    preview: true,
}

/// Whether the reference a model was loaded from names one fixed version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Pin {
    /// It can point to another model tomorrow; why.
    Mutable(&'static str),
    /// The code does not spell it (a variable, a configuration value).
    Unreadable,
    Pinned,
}

/// One loaded model whose outputs reach the fit.
struct Source {
    pin: Pin,
    model: ValueId,
    label: String,
    reference: String,
    column: Option<String>,
    output_at: Span,
    loaded_at: Option<Span>,
}

/// For each supervised fit, the LoadedOut facts its features carry: outputs (scores,
/// embeddings) of a model read from an artifact, a registry or a hub. The reference recorded
/// at the load sets the severity.
fn check(ctx: &Context, sink: &mut Sink) {
    let model = ctx.model;
    if !model.facts.iter().any(|f| f.tag == Tag::LoadedOut) {
        return;
    }
    for fit in helpers::supervised_fits(model) {
        let mut sources: Vec<Source> = Vec::new();
        for lineage in model.facts_tagged(fit.x, Tag::LoadedOut) {
            let fact = lineage.fact;
            // Refitting or fine-tuning the loaded model itself is not a chain.
            if fact.source == fit.estimator
                || fact
                    .event
                    .is_some_and(|e| helpers::replayed_together(model, &fit, e))
            {
                continue;
            }
            let column = lineage.column.map(|c| c.name.clone());
            if sources
                .iter()
                .any(|s| s.model == fact.source && s.column == column)
            {
                continue;
            }
            let load = model.chain.loads.iter().find(|l| l.value == fact.source);
            let (pin, reference) = load.map_or((Pin::Unreadable, String::new()), |l| pin(model, l));
            let method = match fact.event.and_then(|e| model.events.get(e)) {
                Some(Event::Predict { method, .. }) => method.as_str(),
                _ => "predict",
            };
            let name = helpers::receiver_name(ctx, fact.span, method);
            sources.push(Source {
                pin,
                model: fact.source,
                label: loaded_label(name),
                reference,
                column,
                output_at: fact.span,
                loaded_at: load.map(|l| l.span),
            });
        }
        let Some(worst) = sources.iter().map(|s| s.pin).min() else {
            continue;
        };
        report(ctx, sink, &fit, &sources, worst);
    }
}

fn loaded_label(name: Option<String>) -> String {
    name.map_or("a model".to_string(), |n| format!("`{n}`"))
}

/// How fixed the reference of a load is, and its text for the message.
fn pin(model: &FileModel, load: &Load) -> (Pin, String) {
    let hub = load.function.ends_with(".from_pretrained")
        || load.function.ends_with("SentenceTransformer")
        || load.function.ends_with("transformers.pipeline");
    let reference = load.reference.and_then(|r| model.reference_string(r));
    let shown = reference
        .clone()
        .unwrap_or_else(|| strip_quotes(&load.text).to_string());
    if load.function.ends_with("transformers.pipeline") && load.reference.is_none() {
        return (
            Pin::Mutable("the task's default model, which changes with the library"),
            shown,
        );
    }
    if let Some(revision) = load.revision {
        let pin = match model.reference_string(revision).as_deref() {
            Some("main" | "master") => Pin::Mutable("a branch, not a commit"),
            _ => Pin::Pinned,
        };
        return (pin, shown);
    }
    let Some(reference) = reference else {
        return (Pin::Unreadable, shown);
    };
    let pin = if let Some(rest) = reference.strip_prefix("models:/") {
        let version = rest.rsplit('/').next().unwrap_or("");
        if rest.contains('@') {
            Pin::Mutable("a registry alias that can be moved to another version")
        } else if rest.contains('/') && version.chars().all(|c| c.is_ascii_digit()) {
            Pin::Pinned
        } else {
            Pin::Mutable("a registry stage that can point to another version")
        }
    } else if reference.starts_with("runs:/") {
        Pin::Pinned
    } else if reference.starts_with("http://") || reference.starts_with("https://") {
        let last = reference.trim_end_matches('/').rsplit('/').next().unwrap_or("");
        if !last.is_empty() && last.chars().all(|c| c.is_ascii_digit()) {
            Pin::Pinned
        } else {
            Pin::Mutable("a hub address without a version")
        }
    } else if hub && !looks_local(&reference) {
        Pin::Mutable("a hub model without a pinned `revision=`")
    } else if has_version(&reference) {
        Pin::Pinned
    } else {
        Pin::Mutable("a path with no version in it, overwritten by the next training run")
    };
    (pin, reference)
}

fn strip_quotes(text: &str) -> &str {
    text.trim_matches(|c| c == '"' || c == '\'')
}

fn looks_local(reference: &str) -> bool {
    reference.starts_with(['.', '/', '~']) || reference.contains('\\')
}

/// A version, date or content hash in a path: `churn_v3.pkl`, `model-1.2.0.joblib`,
/// `2024-01-15/model.pt`, `model_3f2a9c1d.pkl`.
fn has_version(path: &str) -> bool {
    let tokens: Vec<&str> = path
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '.')
        .filter(|t| !t.is_empty())
        .collect();
    let dotted_number = |t: &str| {
        let parts: Vec<&str> = t.split('.').collect();
        parts.len() >= 2
            && parts
                .iter()
                .take(2)
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
    };
    let date = path
        .split(|c: char| !c.is_ascii_digit() && c != '-')
        .any(|t| t.len() == 10 && t.as_bytes()[4] == b'-' && t.as_bytes()[7] == b'-')
        || tokens.iter().any(|t| {
            t.split('.')
                .any(|p| p.len() == 8 && p.chars().all(|c| c.is_ascii_digit()))
        });
    date || tokens.iter().any(|t| {
        t.split('.').any(|p| {
            let lower = p.to_ascii_lowercase();
            let versioned = lower.strip_prefix('v').is_some_and(|n| {
                !n.is_empty() && n.chars().all(|c| c.is_ascii_digit())
            });
            let hash = p.len() >= 7
                && p.chars().all(|c| c.is_ascii_hexdigit())
                && p.chars().any(|c| c.is_ascii_digit())
                && p.chars().any(|c| c.is_ascii_alphabetic());
            versioned || hash
        }) || dotted_number(t.trim_start_matches(['v', 'V']))
    })
}

fn report(ctx: &Context, sink: &mut Sink, fit: &SupervisedFit, sources: &[Source], worst: Pin) {
    let worst_sources: Vec<&Source> = sources.iter().filter(|s| s.pin == worst).collect();
    let mut columns: Vec<String> = Vec::new();
    let mut loaded: Vec<String> = Vec::new();
    for source in &worst_sources {
        if let Some(column) = &source.column
            && !columns.contains(column)
        {
            columns.push(column.clone());
        }
        let reference = match worst {
            Pin::Pinned => format!("{} loaded from the pinned `{}`", source.label, source.reference),
            Pin::Unreadable if source.reference.is_empty() => {
                format!("{} loaded from a reference the analysis cannot read", source.label)
            }
            Pin::Unreadable => format!(
                "{} loaded from a reference the analysis cannot read (`{}`)",
                source.label, source.reference
            ),
            Pin::Mutable(why) => {
                format!("{} loaded from `{}`, {why}", source.label, source.reference)
            }
        };
        if !loaded.contains(&reference) {
            loaded.push(reference);
        }
    }
    // Several models behind the same kind of mutable reference: say why once.
    let whys: Vec<&str> = worst_sources
        .iter()
        .filter_map(|s| match s.pin {
            Pin::Mutable(why) => Some(why),
            _ => None,
        })
        .collect();
    let outputs = match whys.first() {
        Some(why) if loaded.len() > 1 && whys.iter().all(|w| w == why) => {
            let mut named: Vec<String> = Vec::new();
            for source in &worst_sources {
                let item = format!("{} loaded from `{}`", source.label, source.reference);
                if !named.contains(&item) {
                    named.push(item);
                }
            }
            format!("{}, each {why}", helpers::and_list(&named))
        }
        _ => helpers::and_list(&loaded),
    };
    let message = format!(
        "{} is trained on {}, outputs of {}",
        helpers::fitted_label(ctx, fit),
        helpers::feature_label(&columns, fit.x_text.unwrap_or_default()),
        outputs,
    );
    let (severity, help) = match worst {
        Pin::Mutable(_) => (
            Severity::Warning,
            "pin the upstream model (a registry version number, `revision=<commit>`, a \
             versioned file) and record it with this model",
        ),
        Pin::Unreadable | Pin::Pinned => (
            Severity::Info,
            "record the upstream model's version with this model, and retrain both together",
        ),
    };
    let finding = sink
        .report(&RULE, fit.span, message)
        .severity(severity)
        .help(help);
    for source in worst_sources {
        let made = match &source.column {
            Some(column) => format!("outputs of {} become column `{column}`", source.label),
            None => format!("outputs of {} made here", source.label),
        };
        finding.related(source.output_at, made);
        if let Some(at) = source.loaded_at {
            finding.related(at, "loaded here");
        }
    }
}

/// Across files: when the loaded model is trained and saved in the project, the file half's
/// finding on the fit gains the upstream training and save as related places (an amendment,
/// never a second finding).
fn check_project(index: &ProjectIndex, sink: &mut ProjectSink) {
    for edge in &index.artifact_edges {
        let (saver, s) = edge.save;
        let (loader, l) = edge.load;
        let save = &index.files[saver].saves[s];
        let Some(upstream) = index.training_of(saver, save) else {
            continue;
        };
        for training in &index.files[loader].trainings {
            if !training.loaded_outputs.contains(&l) {
                continue;
            }
            sink.report(&RULE, loader, training.place, String::new())
                .amends()
                .related(
                    saver,
                    upstream.place,
                    format!(
                        "the loaded model is `{}`, trained here in `{}`",
                        upstream.model,
                        index.path(saver)
                    ),
                )
                .related(saver, save.place, "and saved here");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::has_version;

    #[test]
    fn versions_in_paths() {
        for pinned in [
            "models/churn_v3.pkl",
            "models/churn-1.2.0.joblib",
            "out/2024-01-15/model.pt",
            "model_3f2a9c1d.pkl",
            "models/20240115/model.pkl",
        ] {
            assert!(has_version(pinned), "{pinned}");
        }
        for mutable in [
            "models/segmenter.pkl",
            "artifacts/churn_model.joblib",
            "checkpoints/encoder.pt",
            "resnet50.h5",
            "model_final.pkl",
            "fold_3.pkl",
        ] {
            assert!(!has_version(mutable), "{mutable}");
        }
    }
}

#[cfg(test)]
mod severity_tests {
    use super::RULE;
    use crate::finding::Severity;
    use crate::rules::chain::helpers::run;

    #[test]
    fn mutable_references_warn_and_pinned_ones_inform() {
        let mutable = run(
            &RULE,
            include_str!("../../../fixtures/chain/CHAIN002_mutable_reference.py"),
        );
        assert_eq!(mutable.len(), 9);
        assert!(mutable.iter().all(|f| f.severity == Severity::Warning));
        let pinned = run(
            &RULE,
            include_str!("../../../fixtures/chain/CHAIN002_pinned_reference.py"),
        );
        assert_eq!(pinned.len(), 6);
        assert!(pinned.iter().all(|f| f.severity == Severity::Info));
    }
}
