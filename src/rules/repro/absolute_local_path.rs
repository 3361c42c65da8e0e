use crate::model::Event;
use crate::rule::{Check, Context, Sink};

crate::rule::rule! {
    code: "REPRO006",
    name: "absolute-local-path",
    family: "repro",
    severity: Warning,
    scope: File,
    check: Check::File(check),
}

/// Reads the path-like string literals the model found in data positions (call arguments
/// other than messages, assignments, defaults) and keeps those that name one person's machine.
fn check(ctx: &Context, sink: &mut Sink) {
    for event in &ctx.model.events {
        let Event::PathLiteral { text, span, .. } = event else {
            continue;
        };
        let Some(kind) = local_path_kind(text) else {
            continue;
        };
        let shown: String = text.chars().take(60).collect();
        sink.report(
            &RULE,
            *span,
            format!("`{shown}` is {kind}: the code fails on any other machine, in CI and in production"),
        )
        .help(
            "read the location from configuration or an environment variable, or build it \
             relative to the project (`Path(__file__).parent / \"data\"`)",
        );
    }
}

/// What kind of machine-specific path `text` is, if it is one.
pub(crate) fn local_path_kind(text: &str) -> Option<&'static str> {
    let normal = text.replace("\\\\", "/").replace('\\', "/");
    let bytes = normal.as_bytes();
    if bytes.len() >= 3
        && bytes[0].is_ascii_alphabetic()
        && bytes[1] == b':'
        && bytes[2] == b'/'
    {
        return Some("an absolute Windows path");
    }
    let user_dir = |prefix: &str| {
        normal
            .strip_prefix(prefix)
            .and_then(|rest| rest.split('/').next())
            .is_some_and(|user| !user.is_empty() && !matches!(user, "jovyan" | "Shared"))
    };
    if user_dir("/Users/") || user_dir("/home/") || user_dir("/mnt/c/Users/") {
        return Some("a path in one user's home folder");
    }
    if normal.starts_with("/content/drive/") || normal.starts_with("/content/gdrive/") {
        return Some("a Google Colab Drive mount");
    }
    if normal.starts_with("/Volumes/") {
        return Some("a disk mounted on one Mac");
    }
    let personal = [
        "~/Downloads",
        "~/Desktop",
        "~/Documents",
        "~/Dropbox",
        "~/OneDrive",
        "~/Google Drive",
        "~/iCloud",
    ];
    if personal
        .iter()
        .any(|p| normal == *p || normal.starts_with(&format!("{p}/")))
    {
        return Some("a path in one user's personal folders");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::local_path_kind;

    #[test]
    fn machine_specific_paths() {
        for path in [
            "/Users/ana/Desktop/churn.csv",
            "/home/bob/data/x.parquet",
            "C:\\\\Users\\\\ana\\\\data.csv",
            "D:/data/train.csv",
            "/content/drive/MyDrive/data.csv",
            "~/Downloads/train.csv",
        ] {
            assert!(local_path_kind(path).is_some(), "{path}");
        }
        for path in [
            "/data/train.csv",
            "/mnt/data/x.csv",
            "/tmp/x",
            "~/.cache/x",
            "/home/",
            "/home/jovyan/work/x.csv",
            "/api/v1/predict",
            "s3://bucket/x",
        ] {
            assert!(local_path_kind(path).is_none(), "{path}");
        }
    }
}
