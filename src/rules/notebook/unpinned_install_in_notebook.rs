use crate::finding::Span;
use crate::rule::{Check, Context, Sink};

crate::rule::rule! {
    code: "NB006",
    name: "unpinned-install-in-notebook",
    family: "notebook",
    severity: Warning,
    scope: Notebook,
    check: Check::File(check),
}

/// Reads the IPython lines of each code cell (`!pip install`, `%pip install`, `%conda
/// install`, and `pip install` inside `%%bash` cells): the parser never sees them, so this
/// rule reads the raw cell text, only on lines the loader masked.
fn check(ctx: &Context, sink: &mut Sink) {
    let Some(notebook) = &ctx.file.notebook else {
        return;
    };
    let raw = ctx.file.raw_text();
    let masked = &ctx.file.text;
    for cell in &notebook.cells {
        let shell_cell = matches!(
            cell.magic.as_deref(),
            Some("bash" | "sh" | "script" | "system" | "!")
        );
        let mut offset = cell.offset;
        let end = cell.offset + cell.len;
        while offset < end {
            let line_end = raw[offset..end].find('\n').map_or(end, |n| offset + n);
            let line = &raw[offset..line_end];
            // Only lines the loader masked are IPython syntax; the same text inside a Python
            // string stays visible to the parser and is not a command.
            let is_masked = masked[offset..line_end].trim().is_empty() && !line.trim().is_empty();
            if is_masked {
                let command = line.trim_start();
                let command = if shell_cell {
                    Some(command)
                } else {
                    command.strip_prefix(['!', '%'])
                };
                if let Some(command) = command {
                    let unpinned = unpinned_packages(command);
                    if !unpinned.is_empty() {
                        let start = offset + (line.len() - line.trim_start().len());
                        report(sink, Span::new(start, line_end), line.trim(), &unpinned);
                    }
                }
            }
            offset = line_end + 1;
        }
    }
}

fn report(sink: &mut Sink, span: Span, line: &str, packages: &[String]) {
    let list = packages
        .iter()
        .map(|p| format!("`{p}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let shown: String = line.chars().take(60).collect();
    let first = packages.first().map_or("pkg", String::as_str);
    let base = first.split('[').next().unwrap_or(first);
    sink.report(
        &RULE,
        span,
        format!(
            "`{shown}` installs {list} without a pinned version: the notebook gets whatever is \
             newest on the day it runs"
        ),
    )
    .help(format!(
        "pin each package (`%pip install {base}==X.Y.Z`), or install the project's locked \
         requirements (`%pip install -r requirements.txt`)"
    ));
}

/// Options of `pip install` that take a value.
const PIP_VALUE_OPTIONS: &[&str] = &[
    "-i", "--index-url", "--extra-index-url", "-f", "--find-links", "-t", "--target",
    "--prefix", "--root", "--src", "--platform", "--python-version", "--implementation",
    "--abi", "--trusted-host", "--proxy", "--cache-dir", "--log", "--timeout", "--retries",
    "--progress-bar", "--upgrade-strategy", "--only-binary", "--no-binary", "-C",
    "--config-settings", "--report", "--global-option", "--install-option", "-e",
    "--editable", "-c", "-n", "--name", "-p", "--prefix", "--channel",
];

/// The packages that a shell line installs without pinning a version. Empty when the line
/// is not an install, installs from a requirements or constraints file, or installs local
/// paths and pinned packages only.
pub(crate) fn unpinned_packages(line: &str) -> Vec<String> {
    let mut unpinned = Vec::new();
    // A shell comment ends the command (`!pip install x  # for plots`).
    let line = match line.find(" #") {
        Some(at) => &line[..at],
        None => line,
    };
    for command in line.split(['&', ';', '|']) {
        let words: Vec<&str> = command.split_whitespace().collect();
        let Some(install) = words.iter().position(|w| *w == "install") else {
            continue;
        };
        let tool = &words[..install];
        let conda = tool
            .iter()
            .any(|w| matches!(*w, "conda" | "mamba" | "micromamba"));
        let pip = tool
            .iter()
            .any(|w| matches!(*w, "pip" | "pip3") || w.ends_with("/pip") || w.ends_with("/pip3"));
        if !pip && !conda {
            continue;
        }
        let args = &words[install + 1..];
        if args.iter().any(|a| {
            matches!(*a, "-r" | "--requirement" | "-c" | "--constraint" | "--file")
                || a.starts_with("--requirement=")
                || a.starts_with("--constraint=")
                || (a.starts_with("-r") && a.len() > 2)
        }) && !conda
        {
            continue;
        }
        let mut skip_value = false;
        for arg in args {
            if skip_value {
                skip_value = false;
                continue;
            }
            if arg.starts_with('-') {
                skip_value = PIP_VALUE_OPTIONS.contains(arg);
                continue;
            }
            let spec = arg.trim_matches(['"', '\'']);
            if is_unpinned(spec, conda) {
                unpinned.push(spec.to_string());
            }
        }
    }
    unpinned
}

fn is_unpinned(spec: &str, conda: bool) -> bool {
    if spec.is_empty()
        || spec.contains(['$', '{', '}'])
        || spec.starts_with(['.', '/', '~'])
        || spec.ends_with(".whl")
        || spec.ends_with(".tar.gz")
        || spec.ends_with(".zip")
    {
        return false;
    }
    if spec.contains("://") || spec.starts_with("git+") {
        // A VCS install is pinned only by a commit or a version tag after `@`.
        let reference = spec
            .rsplit_once('@')
            .map(|(_, r)| r.split(['#', '&']).next().unwrap_or(r));
        return !reference.is_some_and(|r| {
            (r.len() >= 7 && r.chars().all(|c| c.is_ascii_hexdigit()))
                || r.trim_start_matches('v')
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_digit())
        });
    }
    let name = spec
        .split(['=', '<', '>', '!', '~', '[', ';', ' ', '@'])
        .next()
        .unwrap_or(spec)
        .to_ascii_lowercase();
    if matches!(name.as_str(), "pip" | "setuptools" | "wheel") {
        return false;
    }
    let pinned = spec.contains("==") || (conda && spec.contains('=')) || spec.contains(" @ ");
    !pinned
}

#[cfg(test)]
mod tests {
    use super::unpinned_packages;

    #[test]
    fn unpinned_installs() {
        assert_eq!(unpinned_packages("pip install xgboost shap==0.45.1"), ["xgboost"]);
        assert_eq!(unpinned_packages("pip install -q -U 'pandas>=2'"), ["pandas>=2"]);
        assert_eq!(
            unpinned_packages("python -m pip install git+https://github.com/a/b.git@main"),
            ["git+https://github.com/a/b.git@main"]
        );
        assert_eq!(unpinned_packages("conda install -y lightgbm"), ["lightgbm"]);
        assert_eq!(unpinned_packages("pip install torch && pip install x==1"), ["torch"]);
    }

    #[test]
    fn pinned_or_not_an_install() {
        for line in [
            "pip install scikit-learn==1.5.2",
            "pip install -r requirements.txt",
            "pip install -e .",
            "pip install --upgrade pip",
            "pip install git+https://github.com/a/b.git@3f2a9c1d",
            "pip list",
            "conda install -y lightgbm=4.3.0",
            "pip install $PKG",
            "pip install -i https://example.org/simple pkg==1.0",
            "ls -la",
        ] {
            assert!(unpinned_packages(line).is_empty(), "{line}");
        }
    }
}
