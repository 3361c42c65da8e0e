use crate::finding::Severity;
use crate::rule::{Check, Context, Sink};

crate::rule::rule! {
    code: "SEC003",
    name: "trust-remote-code",
    family: "security",
    severity: Warning,
    also: [Info],
    scope: File,
    check: Check::File(check),
    preview: true,
}

/// Reads the calls the model saw opt in to running remote code with a literal
/// (`trust_remote_code=True`, `trust_repo=True`, `safe_mode=False`); a pinned commit is info.
fn check(ctx: &Context, sink: &mut Sink) {
    for call in &ctx.model.security.remote_code {
        let short = short_callee(&call.function);
        let from = match &call.repo {
            Some(repo) => format!(" from `{}`", shorten(repo)),
            None => String::new(),
        };
        let message = if call.flag == "safe_mode=False" {
            let file = match &call.repo {
                Some(repo) => format!("`{}`", shorten(repo)),
                None => "the model file".to_string(),
            };
            format!(
                "`{short}` with `{}` lets {file} run Python code (`Lambda` layers) while it loads",
                call.flag
            )
        } else {
            let pinned = if call.pinned {
                ", pinned to a commit"
            } else {
                ", which its owner can change at any time"
            };
            format!(
                "`{short}` with `{}` runs the Python code of the repository{from}{pinned}",
                call.flag
            )
        };
        let finding = sink.report(&RULE, call.span, message);
        finding.help(if call.flag == "safe_mode=False" {
            "keep `safe_mode=True` and load only model files you produced; replace `Lambda` \
             layers by registered custom layers"
        } else {
            "review the repository's code, pin `revision=` to a full commit hash you reviewed, \
             or use a model that needs no remote code"
        });
        if call.pinned {
            finding.severity(Severity::Info);
        }
    }
}

/// `transformers.AutoModel.from_pretrained` → `AutoModel.from_pretrained`; a module's
/// function keeps its module (`torch.hub.load`).
fn short_callee(function: &str) -> &str {
    let mut dots = function.rmatch_indices('.');
    match (dots.next(), dots.next()) {
        (Some(_), Some((at, _)))
            if function[at + 1..].starts_with(|c: char| c.is_ascii_uppercase()) =>
        {
            &function[at + 1..]
        }
        _ => function,
    }
}

fn shorten(text: &str) -> String {
    if text.chars().count() > 60 {
        let head: String = text.chars().take(57).collect();
        format!("{head}...")
    } else {
        text.to_string()
    }
}
