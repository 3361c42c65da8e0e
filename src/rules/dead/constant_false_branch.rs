use crate::finding::Severity;
use crate::model::dead::{Condition, Guard};
use crate::rule::{Check, Context, Sink};

crate::rule::rule! {
    code: "DEAD001",
    name: "constant-false-branch",
    family: "dead",
    severity: Warning,
    also: [Info],
    scope: File,
    check: Check::File(check),
    preview: true,
}

/// Reads the model's constant guards: an `if`, `elif` or `while` whose condition is a false
/// literal (`False`, `0`), or a name assigned `False`/`0` once at module level and bound
/// nowhere else (no other assignment, parameter, loop target or `global` declaration), or
/// `not` a true one. Reported when the body holds model or feature code (warning), or only
/// prints and plots (info); other dead bodies are left alone.
fn check(ctx: &Context, sink: &mut Sink) {
    let dead = &ctx.model.dead;
    for guard in &dead.guards {
        if !dead.never_runs(guard) {
            continue;
        }
        let header = ctx.file.text.get(guard.header.start..guard.header.end).unwrap_or("");
        let header = header.split_whitespace().collect::<Vec<_>>().join(" ");
        let evidence = ctx.model.ml_code_within(guard.body);
        let why = match &guard.condition {
            Condition::Literal { text, .. } => format!("`{text}` is never true"),
            Condition::Name { name, .. } => {
                let Some(constant) = dead.constant(name) else {
                    continue;
                };
                format!(
                    "`{name}` is `{}` and nothing in the file changes it",
                    constant.text
                )
            }
        };
        let finding = if let Some(code) = evidence.filter(|_| !guard.shows_only) {
            let shown = shown_code(ctx, code);
            sink.report(
                &RULE,
                guard.header,
                format!(
                    "`{header}:` never runs its body ({why}): the model or feature code under it \
                     (`{shown}`) is dead"
                ),
            )
            .related(code, "dead code")
        } else if guard.shows_only {
            sink.report(
                &RULE,
                guard.header,
                format!(
                    "`{header}:` never runs its body ({why}): the prints or plots under it are \
                     dead"
                ),
            )
            .severity(Severity::Info)
        } else {
            continue;
        };
        finding.help(help(guard));
        if let Condition::Name { name, .. } = &guard.condition
            && let Some(constant) = dead.constant(name)
        {
            finding.related(constant.span, "set here");
        }
    }
}

fn help(guard: &Guard) -> &'static str {
    match guard.condition {
        Condition::Literal { .. } => {
            "delete the branch (version control keeps it); if it is an experiment that may come \
             back, put it behind a setting read from a config file or the command line"
        }
        Condition::Name { .. } => {
            "delete the branch and the switch, or read the switch from a config file or the \
             command line so the branch can actually be taken"
        }
    }
}

/// The first line of the code at `span`, at most 50 characters.
fn shown_code(ctx: &Context, span: crate::finding::Span) -> String {
    let text = ctx.file.text.get(span.start..span.end).unwrap_or("");
    let line = text.lines().next().unwrap_or("").trim();
    if line.chars().count() > 50 {
        format!("{}…", line.chars().take(49).collect::<String>())
    } else {
        line.to_string()
    }
}
