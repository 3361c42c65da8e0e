use crate::finding::Span;
use crate::model::dead::{Condition, DeadFacts, Guard};
use crate::model::FileModel;
use crate::rule::{Check, Context, Sink};

crate::rule::rule! {
    code: "CFG003",
    name: "config-by-code-edit",
    family: "config",
    severity: Info,
    scope: File,
    check: Check::File(check),
    preview: true,
}

/// Reads the model's constants, guards and comment lines for three ways of configuring by
/// editing the code:
/// - a module-level `True`/`False` switch, bound nowhere else in the file (so not read from
///   the environment, arguments or a config), that guards a branch with model or feature
///   code. A switch whose guarded body can never run is DEAD001's (reported at the `if`),
///   so this rule reports only switches none of whose branches DEAD001 reports;
/// - `if True:` / `if 1:` around model or feature code (a false one is DEAD001's);
/// - a commented-out assignment of the same name with another literal directly above or
///   below a live `name = literal` (`# lr = 3e-4` over `lr = 1e-3`), outside runs of
///   commented-out code (DEAD002's).
fn check(ctx: &Context, sink: &mut Sink) {
    let model = ctx.model;
    let dead = &model.dead;
    switches(ctx, sink);
    for guard in &dead.guards {
        if guard.keyword == "while"
            || !matches!(guard.condition, Condition::Literal { truthy: true, .. })
        {
            continue;
        }
        let Some(code) = model.ml_code_within(guard.body) else {
            continue;
        };
        let header = ctx
            .file
            .text
            .get(guard.header.start..guard.header.end)
            .unwrap_or("");
        sink.report(
            &RULE,
            guard.header,
            format!(
                "`{header}:` always runs its body: a switch flipped by editing the code, around \
                 model or feature code"
            ),
        )
        .help(
            "remove the `if` (and any `else` under it), or make it a setting read from a config \
             file or the command line",
        )
        .related(code, "guarded code");
    }
    commented_alternatives(ctx, sink);
}

/// DEAD001 reports this guard (its body never runs and holds model code, or only shows).
fn reported_dead(model: &FileModel, dead: &DeadFacts, guard: &Guard) -> bool {
    dead.never_runs(guard) && (guard.shows_only || model.ml_code_within(guard.body).is_some())
}

fn switches(ctx: &Context, sink: &mut Sink) {
    let model = ctx.model;
    let dead = &model.dead;
    for constant in &dead.constants {
        if !constant.boolean || dead.constant(&constant.name).is_none() {
            continue;
        }
        let guards: Vec<&Guard> = dead
            .guards
            .iter()
            .filter(|g| matches!(&g.condition, Condition::Name { name, .. } if *name == constant.name))
            .collect();
        if guards.is_empty() || guards.iter().any(|g| reported_dead(model, dead, g)) {
            continue;
        }
        let Some((guard, code)) = guards
            .iter()
            .find_map(|g| model.ml_code_within(g.statement).map(|code| (g, code)))
        else {
            continue;
        };
        let name = &constant.name;
        let branches = if guards.len() == 1 {
            "a branch".to_string()
        } else {
            format!("{} branches", guards.len())
        };
        sink.report(
            &RULE,
            constant.span,
            format!(
                "`{name} = {}` is a switch changed by editing the code: it guards {branches} \
                 with model or feature code, and nothing reads it from a config, the \
                 environment or the command line",
                constant.text
            ),
        )
        .help(format!(
            "make `{name}` a field of a validated config (pydantic, a dataclass, a hydra \
             structured config) or a command-line option, or delete the branch not taken"
        ))
        .related(guard.header, "guarded here")
        .related(code, "guarded code");
    }
}

fn commented_alternatives(ctx: &Context, sink: &mut Sink) {
    let file = ctx.file;
    let dead = &ctx.model.dead;
    let lines = &dead.comment_lines;
    let in_code_block = |span: Span| {
        dead.code_comments
            .iter()
            .any(|b| span.start >= b.span.start && span.end <= b.span.end)
    };
    // The comment alone on line `line`, if any.
    let comment_on = |line: usize| -> Option<Span> {
        let at = lines.partition_point(|s| file.line_index(s.start) < line);
        lines
            .get(at)
            .copied()
            .filter(|s| file.line_index(s.start) == line)
    };
    for (name, statement) in &dead.literal_assignments {
        let Some(live) = file
            .text
            .get(statement.start..statement.end)
            .and_then(|t| t.split_once('='))
            .map(|(_, value)| value.trim())
        else {
            continue;
        };
        let first = file.line_index(statement.start);
        let last = file.line_index(statement.end.saturating_sub(1).max(statement.start));
        let mut alternatives = Vec::new();
        // Walk outwards from the statement while the neighbouring lines are alternatives.
        let mut line = first;
        while line > 0 {
            line -= 1;
            match comment_on(line).filter(|s| alternative(file.text.get(s.start..s.end), name, live)) {
                Some(span) => alternatives.push(span),
                None => break,
            }
        }
        let mut line = last;
        loop {
            line += 1;
            match comment_on(line).filter(|s| alternative(file.text.get(s.start..s.end), name, live)) {
                Some(span) => alternatives.push(span),
                None => break,
            }
        }
        alternatives.retain(|s| !in_code_block(*s));
        alternatives.sort_by_key(|s| s.start);
        let Some(&nearest) = alternatives.first() else {
            continue;
        };
        let values: Vec<String> = alternatives
            .iter()
            .filter_map(|s| file.text.get(s.start..s.end))
            .filter_map(|t| literal_of(t))
            .map(|v| format!("`{v}`"))
            .collect();
        sink.report(
            &RULE,
            nearest,
            format!(
                "`{name}` has commented-out alternative values ({}) next to the live `{name} = \
                 {live}`: the setting is switched by editing the code",
                values.join(", ")
            ),
        )
        .help(format!(
            "make `{name}` a config field or a command-line option (and record the values tried \
             in an experiment log), then delete the commented-out lines"
        ))
        .related(*statement, "live value");
    }
}

/// Whether a comment (`# lr = 3e-4`) assigns `name` a literal other than `live`.
fn alternative(comment: Option<&str>, name: &str, live: &str) -> bool {
    let Some(comment) = comment else {
        return false;
    };
    let body = comment.trim_start_matches('#').trim();
    let Some((target, _)) = body.split_once('=') else {
        return false;
    };
    target.trim() == name
        && !path_like(live)
        && literal_of(comment).is_some_and(|value| value != live && !path_like(value))
}

/// A quoted path (`"../input/train.csv"`, `'C:\\data'`): switching it says where the data
/// lives on one machine or another (local, Kaggle, a cluster), an environment setting rather
/// than a setting of the experiment (and REPRO006's concern when it is absolute).
fn path_like(value: &str) -> bool {
    let Some(inner) = value
        .strip_prefix(['"', '\''])
        .and_then(|v| v.strip_suffix(['"', '\'']))
    else {
        return false;
    };
    inner.contains(['/', '\\'])
        || inner
            .rsplit_once('.')
            .is_some_and(|(stem, ext)| !stem.is_empty() && (2..=7).contains(&ext.len()) && ext.chars().all(|c| c.is_ascii_alphanumeric()) && ext.chars().any(|c| c.is_ascii_alphabetic()))
}

/// The literal a commented-out `name = literal` assigns (`3e-4`, `"adam"`, `True`), with any
/// trailing comment removed; None when it assigns something else.
fn literal_of(comment: &str) -> Option<&str> {
    let body = comment.trim_start_matches('#').trim();
    let (target, value) = body.split_once('=')?;
    let target = target.trim();
    if value.starts_with('=')
        || target.is_empty()
        || !target.chars().all(|c| c.is_alphanumeric() || c == '_')
        || target.starts_with(|c: char| c.is_ascii_digit())
    {
        return None;
    }
    let value = value.trim();
    let quoted = |q: char| {
        let rest = value.strip_prefix(q)?;
        rest.find(q).and_then(|end| value.get(..end + 2))
    };
    if let Some(string) = quoted('"').or_else(|| quoted('\'')) {
        let rest = value[string.len()..].trim();
        return (rest.is_empty() || rest.starts_with('#')).then_some(string);
    }
    let token = value.split('#').next().unwrap_or("").trim();
    let number = token.trim_start_matches('-').replace('_', "");
    let literal = matches!(token, "True" | "False" | "None")
        || (!number.is_empty() && number.parse::<f64>().is_ok());
    literal.then_some(token)
}

#[cfg(test)]
mod tests {
    use super::{alternative, literal_of};

    #[test]
    fn commented_literals() {
        assert_eq!(literal_of("# lr = 3e-4"), Some("3e-4"));
        assert_eq!(literal_of("#lr=1_000  # big"), Some("1_000"));
        assert_eq!(literal_of("# opt = 'adam'"), Some("'adam'"));
        assert_eq!(literal_of("# USE_GPU = False"), Some("False"));
        assert_eq!(literal_of("# lr == 3"), None);
        assert_eq!(literal_of("# lr = get_lr()"), None);
        assert_eq!(literal_of("# the lr = best one"), None);
        assert!(alternative(Some("# lr = 3e-4"), "lr", "1e-3"));
        assert!(!alternative(Some("# lr = 1e-3"), "lr", "1e-3"));
        assert!(!alternative(Some("# batch = 3"), "lr", "1e-3"));
        // Where the data lives, not an experiment setting.
        assert!(!alternative(
            Some("# DATA = '/kaggle/input/train.csv'"),
            "DATA",
            "'data/train.csv'"
        ));
        assert!(!alternative(Some("# FILE = \"train_v1.csv\""), "FILE", "\"train.csv\""));
        assert!(alternative(Some("# MODEL = \"xgb\""), "MODEL", "\"lgbm\""));
    }
}
