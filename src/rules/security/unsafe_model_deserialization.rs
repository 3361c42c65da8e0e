use crate::finding::Severity;
use crate::model::security::Origin;
use crate::rule::{Check, Context, Sink};

crate::rule::rule! {
    code: "SEC002",
    name: "unsafe-model-deserialization",
    family: "security",
    severity: Warning,
    also: [Error, Info],
    scope: File,
    check: Check::File(check),
    preview: true,
}

/// Reads the unpickling calls the model traced to an untrusted origin (build/security.rs):
/// an upload is an error, a URL, a download or a path given at run time a warning, a path
/// written in the code (the project's own artifact) info. Inputs of unknown origin are never
/// reported.
fn check(ctx: &Context, sink: &mut Sink) {
    for load in &ctx.model.security.unsafe_loads {
        let function = load
            .function
            .strip_prefix("pandas.")
            .map_or(load.function.clone(), |f| format!("pd.{f}"));
        let function = function
            .strip_prefix("numpy.")
            .map_or(function.clone(), |f| format!("np.{f}"));
        let (origin, severity) = match load.origin {
            Origin::Upload => (
                format!("data uploaded in a request (`{}`)", load.origin_text),
                Severity::Error,
            ),
            Origin::Url => (
                format!("a URL on `{}`", load.origin_text),
                Severity::Warning,
            ),
            Origin::Download => (
                format!("a download (`{}`)", load.origin_text),
                Severity::Warning,
            ),
            Origin::UserInput => (
                format!("a path given at run time ({})", user_input(&load.origin_text)),
                Severity::Warning,
            ),
            Origin::OwnArtifact => (
                format!("`{}`, a path written in the code", load.origin_text),
                Severity::Info,
            ),
        };
        let how = if load.torch_default {
            " without `weights_only=True` (unpickled unless torch >= 2.6)"
        } else if function == "torch.load" {
            " with `weights_only=False`"
        } else if function == "np.load" {
            " with `allow_pickle=True`"
        } else {
            ""
        };
        let severity = if load.torch_default && severity == Severity::Error {
            Severity::Warning
        } else {
            severity
        };
        let help = if function == "torch.load" {
            "pass `weights_only=True` (the default since torch 2.6) and save a `state_dict`; \
             for whole models prefer safetensors, and verify a checksum of what you download"
        } else {
            "unpickling runs code: load only files you produced, verify a checksum or signature \
             first, or use a format that holds no code (safetensors, ONNX, skops, JSON weights)"
        };
        sink.report(
            &RULE,
            load.span,
            if load.origin == Origin::OwnArtifact {
                format!(
                    "`{function}` unpickles {origin}{how}: safe only while nobody else can \
                     write that file, since whoever replaces it runs code here"
                )
            } else {
                format!("`{function}` unpickles {origin}{how}: whoever controls it runs code here")
            },
        )
        .severity(severity)
        .help(help);
    }
}

fn user_input(text: &str) -> String {
    if text == "sys.argv" || text == "input()" {
        format!("`{text}`")
    } else {
        text.to_string()
    }
}
