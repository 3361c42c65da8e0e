use crate::finding::{Severity, Span};
use crate::ml::Category;
use crate::model::{Event, FileModel, FitMethod, ValueId};
use crate::rule::{Check, Context, Sink};

crate::rule::rule! {
    code: "DEAD003",
    name: "unused-trained-model",
    family: "dead",
    severity: Warning,
    also: [Info],
    scope: File,
    check: Check::File(check),
    preview: true,
}

/// Calls that read names the analysis cannot see, or keep every model fitted: any model of the
/// file may be used there.
/// `autolog()` (MLflow, W&B) saves every model fitted after it.
const DYNAMIC_ACCESS: &[&str] = &["globals()", "locals()", "vars(", "eval(", "exec(", "autolog("];

/// At most this many trained models are checked in one file (each costs one pass over the
/// text).
const MAX_MODELS: usize = 64;

/// A model or composite fitted (`fit`, `partial_fit`) and bound to a name, where every
/// occurrence of that name in the file's text is either a binding of the model or the receiver
/// of a bare `fit` statement (or of a fit whose result is bound back to the model's name), and
/// no event reads the model (predict, transform, cross-validation, save, a composite's step).
/// Any other occurrence (a read, an argument, a container, a return, an f-string, a comment,
/// a rebinding to something else) counts as a use: the check is on the whole text, so nothing
/// the analysis cannot follow is taken for dead. Only beside a live model (another model of
/// the file that is used): a file that uses none of its models is a snippet or trains for its
/// side effects. Warning in files, info in notebooks.
fn check(ctx: &Context, sink: &mut Sink) {
    let model = ctx.model;
    // Tests fit models to check what fitting does (warnings, errors, fitted attributes).
    if ctx.file.is_test_module() {
        return;
    }
    let text = ctx.file.raw_text();
    if DYNAMIC_ACCESS.iter().any(|call| text.contains(call)) {
        return;
    }
    let mut checked: Vec<ValueId> = Vec::new();
    let mut unused: Vec<(ValueId, &str, Span)> = Vec::new();
    let mut live = false;
    for (index, event) in model.events.iter().enumerate() {
        let Event::Fit {
            estimator,
            method: FitMethod::Fit | FitMethod::PartialFit,
            keywords,
            span,
            ..
        } = event
        else {
            continue;
        };
        if checked.contains(estimator) || checked.len() >= MAX_MODELS {
            continue;
        }
        checked.push(*estimator);
        if model.replay_of(index).is_some() {
            continue;
        }
        let Some(found) = model.estimator(*estimator) else {
            continue;
        };
        if !matches!(found.category, Category::Model | Category::Composite) {
            continue;
        }
        // Callbacks (checkpoints, loggers) keep or report the model during the fit.
        if read_by_event(model, *estimator) || keywords.iter().any(|(k, _)| k == "callbacks") {
            live = true;
            continue;
        }
        let bindings: Vec<(&str, Span)> = model
            .model_bindings
            .iter()
            .filter(|(_, value, _)| value == estimator)
            .map(|(name, _, at)| (name.as_str(), *at))
            .collect();
        let Some(&(name, _)) = bindings.first() else {
            continue;
        };
        let mut names: Vec<&str> = Vec::new();
        for &(n, _) in &bindings {
            if !names.contains(&n) {
                names.push(n);
            }
        }
        if names.iter().any(|n| used_in_text(text, n, &bindings, &names)) {
            live = true;
            continue;
        }
        unused.push((*estimator, name, *span));
    }
    // Dead beside live: a file that uses none of the models it trains is a snippet, a script
    // whose purpose the analysis cannot see, or training for its side effects.
    if !live {
        return;
    }
    for (estimator, name, span) in unused {
        let Some(found) = model.estimator(estimator) else {
            continue;
        };
        let class = found.short_name();
        let finding = sink
            .report(
                &RULE,
                span,
                format!(
                    "`{name}` ({class}) is trained here but never used: no prediction, score, \
                     save, attribute read or hand-off follows, so the training only costs time \
                     (or the model that was meant to be evaluated or shipped is another one)"
                ),
            )
            .help(format!(
                "evaluate, save or return `{name}`, or delete the experiment that trains it"
            ));
        if ctx.file.is_notebook() {
            finding.severity(Severity::Info);
        }
    }
}

/// Whether an event other than its own fits reads the model.
fn read_by_event(model: &FileModel, estimator: ValueId) -> bool {
    let in_events = model.events.iter().any(|event| match event {
        Event::Predict { estimator: e, .. }
        | Event::Transform { estimator: e, .. }
        | Event::CrossVal { estimator: e, .. } => *e == estimator,
        Event::Fit {
            estimator: e,
            keywords,
            ..
        } => *e != estimator && keywords.iter().any(|(_, v)| *v == estimator),
        Event::Metric { args, .. } => args.contains(&estimator),
        Event::Write { value, .. } => *value == estimator,
        _ => false,
    });
    in_events
        || model.io.iter().any(|io| io.value == estimator)
        || model
            .composite_members
            .iter()
            .any(|(_, members)| members.contains(&estimator))
}

/// Whether `name` occurs in `text` anywhere else than at a binding of the model or as the
/// receiver of one of its fits.
fn used_in_text(text: &str, name: &str, bindings: &[(&str, Span)], names: &[&str]) -> bool {
    occurrences(text, name).any(|at| {
        let binding = bindings
            .iter()
            .any(|&(n, span)| n == name && span.start == at);
        !binding && !fit_receiver(text, at, name, names) && !in_comment(text, at)
    })
}

/// Whether offset `at` is in a `#` comment: a `#` earlier on its line with an even number of
/// each quote before it (so not inside a one-line string).
fn in_comment(text: &str, at: usize) -> bool {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let prefix = &text[line_start..at];
    let (mut double, mut single) = (false, false);
    for c in prefix.chars() {
        match c {
            '"' => double = !double,
            '\'' => single = !single,
            '#' if !double && !single => return true,
            _ => {}
        }
    }
    false
}

/// The byte offsets where `name` occurs as a whole identifier.
fn occurrences<'t>(text: &'t str, name: &'t str) -> impl Iterator<Item = usize> + 't {
    text.match_indices(name).filter_map(move |(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + name.len()..].chars().next();
        let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        (!word(before) && !word(after)).then_some(at)
    })
}

/// Whether the occurrence of `name` at `at` is the receiver of a fit that is a statement of
/// its own (`clf.fit(X, y)`) or whose result is bound back to one of the model's names
/// (`clf = clf.fit(X, y)`): what the fit returns is then not used elsewhere.
fn fit_receiver(text: &str, at: usize, name: &str, names: &[&str]) -> bool {
    let rest = &text[at + name.len()..];
    if !(rest.starts_with(".fit(") || rest.starts_with(".partial_fit(")) {
        return false;
    }
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let prefix = text[line_start..at].trim();
    if prefix.is_empty() {
        return true;
    }
    prefix
        .strip_suffix('=')
        .map(str::trim)
        .is_some_and(|bound| names.contains(&bound))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn occurrences_are_whole_identifiers() {
        let text = "clf = A()\nclf.fit(X)\nmy_clf = clf2\nprint(self.clf)";
        let found: Vec<usize> = occurrences(text, "clf").collect();
        assert_eq!(found, vec![0, 10, 46]);
    }

    #[test]
    fn comments_are_not_uses() {
        let text = "x = 1  # clf\ns = '#' + clf\n";
        let ats: Vec<usize> = occurrences(text, "clf").collect();
        let comments: Vec<bool> = ats.iter().map(|&at| in_comment(text, at)).collect();
        assert_eq!(comments, vec![true, false]);
    }

    #[test]
    fn only_bare_or_rebound_fits_are_receivers() {
        let names = ["clf"];
        let text = "    clf.fit(X, y)\nh = clf.fit(X, y)\nclf = clf.fit(X, y)\nclf.predict(X)";
        let ats: Vec<usize> = occurrences(text, "clf").collect();
        let receivers: Vec<bool> = ats
            .iter()
            .map(|&at| fit_receiver(text, at, "clf", &names))
            .collect();
        assert_eq!(receivers, vec![true, false, false, true, false]);
    }
}
