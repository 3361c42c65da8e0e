use crate::finding::Span;
use crate::rule::{Check, Context, Sink};
use crate::source::Cell;

crate::rule::rule! {
    code: "NB006",
    name: "unpinned-install-in-notebook",
    family: "notebook",
    severity: Warning,
    scope: Notebook,
    check: Check::File(check),
}

/// Reads the IPython lines of each code cell (`!pip install`, `%pip install`, `%conda
/// install`, automagic `pip install`, and `pip install` inside `%%bash` cells): the parser
/// never sees them, so this rule reads the raw cell text, only on lines the loader masked.
fn check(ctx: &Context, sink: &mut Sink) {
    let Some(notebook) = &ctx.file.notebook else {
        return;
    };
    let raw = ctx.file.raw_text();
    let masked = &ctx.file.text;
    for cell in &notebook.cells {
        let shell_cell = is_shell_cell(cell, raw);
        let end = cell.offset + cell.len;
        let mut offset = cell.offset;
        while offset < end {
            let line_end = raw[offset..end].find('\n').map_or(end, |n| offset + n);
            let line = &raw[offset..line_end];
            // Only lines the loader masked are IPython syntax; the same text inside a Python
            // string stays visible to the parser and is not a command.
            let is_masked = masked[offset..line_end].trim().is_empty() && !line.trim().is_empty();
            // A command continues on the next line after a backslash (in a shell, and in
            // IPython's `!` and `%` lines alike).
            let mut command_end = line_end;
            while is_masked
                && command_end < end
                && raw[..command_end].trim_end_matches('\r').ends_with('\\')
            {
                command_end = raw[command_end + 1..end]
                    .find('\n')
                    .map_or(end, |n| command_end + 1 + n);
            }
            if is_masked {
                let text = &raw[offset..command_end];
                // Other cell magics (`%%writefile`, `%%html`, `%%sql`) do not run their body.
                let command = if shell_cell {
                    Some(text.trim_start())
                } else if cell.analyzed {
                    ipython_command(text)
                } else {
                    None
                };
                if let Some(command) = command {
                    let unpinned = unpinned_packages(command);
                    if !unpinned.is_empty() {
                        let start = offset + (line.len() - line.trim_start().len());
                        let span_end = offset + line.trim_end().len();
                        report(sink, Span::new(start, span_end), text, &unpinned);
                    }
                }
            }
            offset = command_end + 1;
        }
    }
}

/// Cells whose body is a shell script: `%%bash`, `%%sh`, `%%system`, `%%!`, and `%%script`
/// with a shell.
fn is_shell_cell(cell: &Cell, raw: &str) -> bool {
    match cell.magic.as_deref() {
        Some("bash" | "sh" | "system" | "sx" | "!") => true,
        Some("script") => {
            let source = &raw[cell.offset..cell.offset + cell.len];
            let first = source.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
            let interpreter = first.split_whitespace().nth(1).unwrap_or("");
            let interpreter = interpreter.rsplit('/').next().unwrap_or(interpreter);
            matches!(interpreter, "bash" | "sh" | "zsh" | "dash")
        }
        _ => false,
    }
}

/// The shell or magic command of a masked IPython line: `!cmd`, `%magic args`,
/// `x = !cmd`, or an automagic `pip install x` typed without its `%`.
fn ipython_command(line: &str) -> Option<&str> {
    let trimmed = line.trim_start();
    if let Some(rest) = trimmed
        .strip_prefix("!!")
        .or_else(|| trimmed.strip_prefix('!'))
    {
        return Some(rest);
    }
    if trimmed.starts_with("%%") {
        return None;
    }
    if let Some(rest) = trimmed.strip_prefix('%') {
        return Some(rest);
    }
    if let Some((target, rest)) = trimmed.split_once('=') {
        let rest = rest.trim_start();
        let is_name = target
            .trim()
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_');
        if is_name && rest.starts_with(['!', '%']) {
            return Some(&rest[1..]);
        }
        return None;
    }
    let first = trimmed.split_whitespace().next()?;
    matches!(first, "pip" | "conda" | "mamba" | "micromamba").then_some(trimmed)
}

fn report(sink: &mut Sink, span: Span, line: &str, packages: &[String]) {
    let list = packages
        .iter()
        .map(|p| format!("`{p}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let shown = shown_command(line);
    let first = packages.first().map_or("pkg", String::as_str);
    let base = package_name(first);
    let base = if base.is_empty() || first.contains("://") {
        "pkg"
    } else {
        base
    };
    sink.report(
        &RULE,
        span,
        if packages.iter().all(|p| p.contains("://")) {
            format!(
                "`{shown}` installs {list} from a branch, not a commit or tag: the notebook gets \
                 whatever the branch holds on the day it runs"
            )
        } else {
            format!(
                "`{shown}` installs {list} without a pinned version: the notebook gets whatever \
                 is newest on the day it runs"
            )
        },
    )
    .help(format!(
        "pin each package (`%pip install {base}==X.Y.Z`, a git install at a commit or tag), or \
         install the project's locked requirements (`%pip install -r requirements.txt`)"
    ));
}

/// The command as one line for the message: continuations joined, its comment dropped,
/// at most 60 characters.
fn shown_command(text: &str) -> String {
    let mut words = Vec::new();
    for word in text.split_whitespace() {
        if word.starts_with('#') {
            break;
        }
        if word != "\\" {
            words.push(word);
        }
    }
    let joined = words.join(" ");
    if joined.chars().count() > 60 {
        format!("{}…", joined.chars().take(59).collect::<String>())
    } else {
        joined
    }
}

/// Options of `pip install` that take a value.
const PIP_VALUE_OPTIONS: &[&str] = &[
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "-t",
    "--target",
    "--prefix",
    "--root",
    "--src",
    "--platform",
    "--python-version",
    "--implementation",
    "--abi",
    "--trusted-host",
    "--proxy",
    "--cache-dir",
    "--log",
    "--timeout",
    "--retries",
    "--progress-bar",
    "--upgrade-strategy",
    "--only-binary",
    "--no-binary",
    "-C",
    "--config-settings",
    "--report",
    "--global-option",
    "--install-option",
    "--python",
];

/// Options of `conda install` that take a value.
const CONDA_VALUE_OPTIONS: &[&str] = &[
    "-c",
    "--channel",
    "-n",
    "--name",
    "-p",
    "--prefix",
    "--solver",
    "--repodata-fn",
    "--experimental",
    "--subdir",
    "--platform",
];

/// The packages that a shell command line installs without pinning a version. Empty when the
/// line is not an install, installs from a requirements or constraints file, or installs
/// local paths and pinned packages only.
pub(crate) fn unpinned_packages(line: &str) -> Vec<String> {
    let mut unpinned = Vec::new();
    for words in shell_commands(line) {
        let Some(install) = words.iter().position(|w| w == "install") else {
            continue;
        };
        let Some(tool) = words[..install].iter().rposition(|w| !w.starts_with('-')) else {
            continue;
        };
        let conda = match installer(&words[tool]) {
            Some(Installer::Pip) => false,
            Some(Installer::Conda) => true,
            None => continue,
        };
        if !words[..tool].iter().all(|w| is_launcher_word(w)) {
            continue; // `echo pip install x`: the install is an argument of another command
        }
        let args = &words[install + 1..];
        let from_file = |a: &String| {
            if conda {
                a == "--file" || a.starts_with("--file=")
            } else {
                matches!(a.as_str(), "-r" | "--requirement" | "-c" | "--constraint")
                    || a.starts_with("--requirement=")
                    || a.starts_with("--constraint=")
                    || (a.starts_with("-r") && !a.starts_with("--"))
                    || (a.starts_with("-c") && !a.starts_with("--"))
                    // Offline installs from a local folder get what the folder holds.
                    || a == "--no-index"
            }
        };
        if args.iter().any(from_file) {
            continue;
        }
        let value_options = if conda {
            CONDA_VALUE_OPTIONS
        } else {
            PIP_VALUE_OPTIONS
        };
        let mut skip_value = false;
        for arg in args {
            if skip_value {
                skip_value = false;
                continue;
            }
            if matches!(arg.as_str(), "-e" | "--editable") {
                continue; // the value is checked like any other spec (a local path passes)
            }
            if arg.starts_with('-') {
                skip_value = value_options.contains(&arg.as_str());
                continue;
            }
            if is_unpinned(arg, conda) {
                unpinned.push(arg.clone());
            }
        }
    }
    unpinned
}

enum Installer {
    Pip,
    Conda,
}

/// `pip`, `pip3`, `pip3.11`, `/opt/conda/bin/pip`; `conda`, `mamba`, `micromamba`.
fn installer(word: &str) -> Option<Installer> {
    let name = word.rsplit('/').next().unwrap_or(word);
    if let Some(version) = name.strip_prefix("pip")
        && version.chars().all(|c| c.is_ascii_digit() || c == '.')
    {
        return Some(Installer::Pip);
    }
    matches!(name, "conda" | "mamba" | "micromamba").then_some(Installer::Conda)
}

/// Words that may come before the installer: `sudo`, `python -m`, `{sys.executable} -m`,
/// `uv`, `env VAR=1`.
fn is_launcher_word(word: &str) -> bool {
    let name = word.rsplit('/').next().unwrap_or(word);
    name.starts_with("python")
        || matches!(name, "py" | "sudo" | "env" | "uv" | "time" | "nohup")
        || word.starts_with('-')
        || word.starts_with(['{', '$'])
        || (word.contains('=') && !word.starts_with('='))
}

/// Splits a shell line into simple commands (at `;`, `&&`, `||`, `|`, `&`), each a list of
/// words with quotes removed; a `#` at the start of a word begins a comment, and
/// redirections (`> log.txt`, `2>&1`) are dropped.
fn shell_commands(line: &str) -> Vec<Vec<String>> {
    let mut commands = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut redirect = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                in_word = true;
                while let Some(q) = chars.next() {
                    if q == c {
                        break;
                    }
                    if q == '\\' && c == '"' {
                        if let Some(escaped) = chars.next() {
                            word.push(escaped);
                        }
                        continue;
                    }
                    word.push(q);
                }
            }
            '\\' => match chars.next() {
                Some('\n') | None => {}
                Some('\r') => {
                    if chars.peek() == Some(&'\n') {
                        chars.next();
                    }
                }
                Some(escaped) => {
                    in_word = true;
                    word.push(escaped);
                }
            },
            '#' if !in_word => break,
            c if c.is_whitespace() => finish_word(&mut word, &mut in_word, &mut words),
            '&' if word.ends_with(['>', '<']) => word.push(c),
            '&' if chars.peek() == Some(&'>') => {
                in_word = true;
                word.push(c);
            }
            ';' | '&' | '|' => {
                finish_word(&mut word, &mut in_word, &mut words);
                commands.push(std::mem::take(&mut words));
            }
            _ => {
                in_word = true;
                word.push(c);
            }
        }
    }
    finish_word(&mut word, &mut in_word, &mut words);
    commands.push(words);
    for words in &mut commands {
        words.retain(|w| {
            if redirect {
                redirect = false;
                return false;
            }
            let operator = w.trim_start_matches(|c: char| c.is_ascii_digit() || c == '&');
            if operator.starts_with(['>', '<']) {
                // `> log.txt` takes the next word; `>log.txt` and `2>&1` are whole.
                redirect = operator.trim_start_matches(['>', '<']).is_empty();
                return false;
            }
            true
        });
    }
    commands.retain(|words| !words.is_empty());
    commands
}

fn finish_word(word: &mut String, in_word: &mut bool, words: &mut Vec<String>) {
    if *in_word {
        words.push(std::mem::take(word));
        *in_word = false;
    }
}

/// The distribution name of a requirement (`scikit-learn` in `scikit-learn[extra]>=1.3`).
fn package_name(spec: &str) -> &str {
    let spec = spec.rsplit("::").next().unwrap_or(spec); // conda `channel::package`
    spec.split(['=', '<', '>', '!', '~', '[', ';', ' ', '@'])
        .next()
        .unwrap_or(spec)
}

fn is_unpinned(spec: &str, conda: bool) -> bool {
    if spec.is_empty()
        || spec.contains(['$', '{', '}'])
        || spec.starts_with(['.', '/', '~'])
        || spec.starts_with("file:")
    {
        return false;
    }
    if let Some(scheme) = spec.find("://") {
        let start = crate::source::trailing_run_start(&spec[..scheme], |c| {
            c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')
        });
        return url_is_unpinned(&spec[start..]);
    }
    if is_archive(spec) {
        return false; // a local wheel or sdist is one fixed version
    }
    let name = package_name(spec).to_ascii_lowercase();
    if name.is_empty() || matches!(name.as_str(), "pip" | "setuptools" | "wheel") {
        return false;
    }
    let pinned = if conda {
        // conda pins with `=` (`lightgbm=4.3.0`, `python=3.11`) or `==`; `>=`, `<=`, `!=` do not.
        spec.char_indices().any(|(i, c)| {
            c == '=' && (i == 0 || !matches!(spec.as_bytes()[i - 1], b'>' | b'<' | b'!'))
        })
    } else {
        spec.contains("==")
    };
    !pinned
}

fn is_archive(path: &str) -> bool {
    [".whl", ".tar.gz", ".tgz", ".zip", ".tar.bz2", ".conda"]
        .iter()
        .any(|ext| path.ends_with(ext))
}

/// A URL install: a VCS URL is pinned by a commit or a version tag after `@`; an archive is
/// one fixed file, unless it is the archive of a branch (`.../archive/main.zip`).
fn url_is_unpinned(url: &str) -> bool {
    let url = url.split(['#', '?']).next().unwrap_or(url);
    let vcs = ["git+", "hg+", "svn+", "bzr+", "git://"]
        .iter()
        .any(|p| url.starts_with(p));
    if !vcs {
        if !is_archive(url) {
            return false; // an index or a page: nothing this rule can judge
        }
        let file = url.rsplit('/').next().unwrap_or(url);
        let stem = file.split('.').next().unwrap_or(file);
        return matches!(stem, "main" | "master" | "develop" | "dev" | "HEAD");
    }
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    // `git@host/...`: an `@` before the first `/` is the user, not a revision.
    let path = after_scheme
        .find('/')
        .map_or("", |slash| &after_scheme[slash..]);
    let Some((_, reference)) = path.rsplit_once('@') else {
        return true;
    };
    let commit = reference.len() >= 7 && reference.chars().all(|c| c.is_ascii_hexdigit());
    let tag = reference
        .trim_start_matches(['v', 'V'])
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_digit());
    !(commit || tag)
}

#[cfg(test)]
mod tests {
    use super::unpinned_packages;

    #[test]
    fn unpinned_installs() {
        assert_eq!(
            unpinned_packages("pip install xgboost shap==0.45.1"),
            ["xgboost"]
        );
        assert_eq!(
            unpinned_packages("pip install -q -U 'pandas>=2'"),
            ["pandas>=2"]
        );
        assert_eq!(
            unpinned_packages("python -m pip install git+https://github.com/a/b.git@main"),
            ["git+https://github.com/a/b.git@main"]
        );
        assert_eq!(
            unpinned_packages("pip install git+ssh://git@github.com/a/b.git"),
            ["git+ssh://git@github.com/a/b.git"]
        );
        assert_eq!(unpinned_packages("conda install -y lightgbm"), ["lightgbm"]);
        assert_eq!(
            unpinned_packages("conda install -c conda-forge 'lightgbm>=4'"),
            ["lightgbm>=4"]
        );
        assert_eq!(
            unpinned_packages("pip install torch && pip install x==1"),
            ["torch"]
        );
        assert_eq!(
            unpinned_packages("{sys.executable} -m pip install xgboost"),
            ["xgboost"]
        );
        assert_eq!(
            unpinned_packages("pip install a \\\n    b==1 c"),
            ["a", "c"]
        );
        assert_eq!(
            unpinned_packages("pip install https://github.com/a/b/archive/master.zip"),
            ["https://github.com/a/b/archive/master.zip"]
        );
        assert_eq!(
            unpinned_packages("conda install -c conda-forge -y python=3.11 pandas"),
            ["pandas"]
        );
        assert_eq!(
            unpinned_packages("pip install catboost > /dev/null 2>&1"),
            ["catboost"]
        );
        assert_eq!(
            unpinned_packages("pip install -e git+https://github.com/a/b.git#egg=b"),
            ["git+https://github.com/a/b.git#egg=b"]
        );
    }

    #[test]
    fn pinned_or_not_an_install() {
        for line in [
            "pip install scikit-learn==1.5.2",
            "pip install -r requirements.txt",
            "pip install -rrequirements.txt x",
            "pip install -c constraints.txt xgboost",
            "pip install --no-index --find-links=/kaggle/input/wheels lightgbm",
            "pip install -e .",
            "pip install --upgrade pip",
            "pip install -U pip setuptools wheel",
            "pip install git+https://github.com/a/b.git@3f2a9c1d",
            "pip install git+https://github.com/a/b.git@v1.2.0",
            "pip install 'b @ git+https://github.com/a/b.git@3f2a9c1d'",
            "pip install https://example.org/b-1.0-py3-none-any.whl",
            "pip install ./dist/b-1.0.tar.gz",
            "pip list",
            "pip show install",
            "conda install -y lightgbm=4.3.0",
            "conda install --file environment.txt",
            "conda install conda-forge::lightgbm=4.3.0",
            "pip install $PKG",
            "pip install {package}",
            "pip install -i https://example.org/simple pkg==1.0",
            "echo pip install x",
            "apt-get install -y graphviz",
            "ls -la",
            "# pip install x",
            "pip install x==1.0  # then pip install y",
        ] {
            assert!(unpinned_packages(line).is_empty(), "{line}");
        }
    }
}
