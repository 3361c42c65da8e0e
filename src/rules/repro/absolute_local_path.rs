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
/// Arguments of web routes and regular expressions are patterns, not paths.
fn check(ctx: &Context, sink: &mut Sink) {
    for event in &ctx.model.events {
        let Event::PathLiteral {
            text,
            span,
            callee,
            in_decorator,
        } = event
        else {
            continue;
        };
        if callee
            .as_deref()
            .is_some_and(|callee| is_pattern(callee, *in_decorator))
        {
            continue;
        }
        let Some(kind) = local_path_kind(text) else {
            continue;
        };
        let shown = shorten(text);
        sink.report(
            &RULE,
            *span,
            format!(
                "`{shown}` is {kind}: the code fails on any other machine, in CI and in production"
            ),
        )
        .help(
            "read the location from configuration or an environment variable, or build it \
             relative to the project (`Path(__file__).parent / \"data\"`)",
        );
    }
}

/// True when a string passed to `callee` is a pattern matched against paths or URLs rather
/// than a path to open: an argument of a web route (`@app.route("/home/<user>")`, and
/// `@app.get(...)` when it decorates a handler, so that `os.environ.get(KEY, "/Users/...")`
/// stays a path) or of a regular expression function.
fn is_pattern(callee: &str, in_decorator: bool) -> bool {
    if callee.starts_with("re.") || callee.starts_with("regex.") {
        return true;
    }
    let last = callee.rsplit('.').next().unwrap_or(callee);
    if matches!(
        last,
        "route" | "api_route" | "add_api_route" | "add_url_rule" | "add_route" | "websocket"
    ) {
        return true;
    }
    let verb = matches!(
        last,
        "get" | "post" | "put" | "patch" | "delete" | "head" | "options"
    );
    verb && in_decorator
}

/// A long path keeps its start (whose machine) and its end (which file).
fn shorten(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= 60 {
        return text.to_string();
    }
    let head: String = chars[..36].iter().collect();
    let tail: String = chars[chars.len() - 21..].iter().collect();
    format!("{head}...{tail}")
}

/// What kind of machine-specific path `text` is, if it is one.
pub(crate) fn local_path_kind(text: &str) -> Option<&'static str> {
    let normal = text.replace("\\\\", "/").replace('\\', "/");
    let bytes = normal.as_bytes();
    if bytes.len() >= 3 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' && bytes[2] == b'/' {
        // The system folders exist on every Windows machine, like /usr on Linux.
        let folder = normal[3..]
            .split('/')
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        let system = matches!(
            folder.as_str(),
            "windows" | "program files" | "program files (x86)" | "programdata"
        );
        return (!system).then_some("an absolute Windows path");
    }
    // A user name, not a placeholder filled at run time (`/home/{user}`, `/home/%s`,
    // `/home/$USER`), a pattern (`/home/(\w+)`, `/Users/*`) or a shared account.
    let user_dir = |prefix: &str| {
        normal
            .strip_prefix(prefix)
            .and_then(|rest| rest.split('/').next())
            .is_some_and(|user| {
                !user.is_empty()
                    && user
                        .chars()
                        .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_'))
                    && !matches!(user, "jovyan" | "Shared")
            })
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
            "C:\\\\ProgramData",
            "C:/Program Files/app/x.dll",
            "/home/{user}/data",
            "/home/%s/data",
            "/home/$USER/data",
            "/Users/*/Library",
            "/home/(\\w+)/",
        ] {
            assert!(local_path_kind(path).is_none(), "{path}");
        }
    }
}
