//! Dependency manifests and lockfiles of a project: which distributions they list, on which
//! line, and whether pinned to one version. REPRO003 and the audit's pins read the project
//! through this one reader.

use std::path::Path;

/// Manifests read from the project root (besides `requirements*.txt` and
/// `requirements/*.txt`, found by listing).
const NAMED: &[&str] = &[
    "pyproject.toml",
    "setup.cfg",
    "setup.py",
    "environment.yml",
    "environment.yaml",
    "Pipfile",
];

/// Lockfiles: a distribution they name is pinned, whatever the manifests say.
pub const LOCKFILES: &[&str] = &[
    "uv.lock",
    "poetry.lock",
    "pdm.lock",
    "Pipfile.lock",
    "conda-lock.yml",
    "conda-lock.yaml",
    "requirements.lock",
    "pixi.lock",
];

/// Distributions that only an ML or data environment lists.
const ENVIRONMENT_MARKERS: &[&str] = &["numpy", "pandas", "scipy", "polars", "pyarrow"];

/// How many files `-r other.txt` includes may add.
const MAX_INCLUDED: usize = 16;

/// One manifest: its path relative to the root (`/` separators) and its text.
#[derive(Debug, Clone)]
pub struct Manifest {
    pub name: String,
    pub text: String,
}

/// Where a manifest lists a distribution.
#[derive(Debug, Clone, PartialEq)]
pub struct Listing {
    /// The manifest (`requirements.txt`, `requirements/base.txt`).
    pub manifest: String,
    /// The 1-based line.
    pub line: usize,
    /// The line as written, trimmed.
    pub text: String,
    /// `==1.3.2` when pinned to one version (a lockfile's listing counts as pinned).
    pub version: Option<String>,
}

/// The manifests and lockfiles of one project root.
#[derive(Debug, Clone, Default)]
pub struct Manifests {
    pub manifests: Vec<Manifest>,
    pub lockfiles: Vec<Manifest>,
}

impl Manifests {
    /// Reads the manifests and lockfiles at `root`: the named ones, every
    /// `requirements*.txt` at the root and `*.txt` under `requirements/`, and the files they
    /// include with `-r`/`-c` (within the root).
    pub fn read(root: &Path) -> Self {
        let mut names: Vec<String> = NAMED.iter().map(|n| n.to_string()).collect();
        names.extend(listed(root, "", |n| {
            n.starts_with("requirements") && n.ends_with(".txt")
        }));
        names.extend(listed(root, "requirements", |n| n.ends_with(".txt")));
        let mut out = Manifests::default();
        let mut included = 0;
        let mut at = 0;
        while at < names.len() {
            let name = names[at].clone();
            at += 1;
            let Ok(text) = crate::files::read_text(&root.join(&name)) else {
                continue;
            };
            if name.ends_with(".txt") {
                for include in includes(&name, &text) {
                    if included < MAX_INCLUDED && !names.contains(&include) {
                        included += 1;
                        names.push(include);
                    }
                }
            }
            out.manifests.push(Manifest { name, text });
        }
        for name in LOCKFILES {
            if let Ok(text) = crate::files::read_text(&root.join(name)) {
                out.lockfiles.push(Manifest {
                    name: (*name).to_string(),
                    text,
                });
            }
        }
        out
    }

    /// Whether the manifests describe the environment of ML code: some manifest declares
    /// dependencies (a requirement line, `dependencies = [...]`, `install_requires`, a
    /// conda `dependencies:` list, a Pipfile's `[packages]`, or a lockfile) and one of
    /// them is a scientific-Python or model library. A project whose manifests list none
    /// (none at all, a `pyproject.toml` for tool settings only, a web front end's) declares
    /// its ML environment somewhere the analysis cannot see, or nowhere.
    pub fn describe_ml_environment(&self) -> bool {
        let declares = !self.lockfiles.is_empty()
            || self.manifests.iter().any(|m| {
                if m.name.ends_with(".txt") {
                    m.text.lines().any(|l| {
                        let l = l.trim();
                        !l.is_empty() && !l.starts_with('#') && !l.starts_with('-')
                    })
                } else {
                    [
                        "dependencies = [",
                        "dependencies=[",
                        "[tool.poetry.dependencies]",
                        "install_requires",
                        "dependencies:",
                        "[packages]",
                    ]
                    .iter()
                    .any(|k| m.text.contains(k))
                }
            });
        declares
            && ENVIRONMENT_MARKERS
                .iter()
                .copied()
                .chain(crate::ml::MODEL_LIBRARIES.iter().map(|&(_, d)| d))
                .any(|d| self.find(d).is_some())
    }

    /// Whether `distribution` is the project itself (`name = "scikit-learn"` in its
    /// `pyproject.toml`, `DISTNAME` in its `setup.py`): a library importing its own package.
    pub fn is_own_name(&self, distribution: &str) -> bool {
        let wanted = distribution.replace('_', "-");
        self.manifests.iter().any(|m| {
            m.text.lines().any(|line| {
                let lower = line.trim().to_ascii_lowercase();
                if !names_the_project(&lower) {
                    return false;
                }
                let value = lower
                    .split_once(['=', ':'])
                    .map_or("", |(_, v)| v)
                    .trim()
                    .trim_end_matches(',')
                    .trim_matches(['"', '\'', ' ']);
                value.replace('_', "-") == wanted
            })
        })
    }

    /// Where a manifest (not a lockfile) lists `distribution`: a pinned listing first, else
    /// the first listing. None when no manifest lists it.
    pub fn find_declared(&self, distribution: &str) -> Option<Listing> {
        let mut first = None;
        for manifest in &self.manifests {
            if let Some(listing) = requirement(manifest, distribution) {
                if listing.version.is_some() {
                    return Some(listing);
                }
                first.get_or_insert(listing);
            }
        }
        first
    }

    /// Where `distribution` is listed: a pinned listing in a manifest first, else a lockfile
    /// that names it (pinned: `(locked)`), else the first unpinned listing. None when nothing
    /// lists it.
    pub fn find(&self, distribution: &str) -> Option<Listing> {
        let first = self.find_declared(distribution);
        if first.as_ref().is_some_and(|l| l.version.is_some()) {
            return first;
        }
        for lock in &self.lockfiles {
            if let Some(mut listing) = requirement(lock, distribution) {
                listing
                    .version
                    .get_or_insert_with(|| "(locked)".to_string());
                return Some(listing);
            }
        }
        first
    }
}

/// The files in `root/folder` whose names `keep` accepts, as root-relative paths, sorted.
fn listed(root: &Path, folder: &str, keep: impl Fn(&str) -> bool) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(root.join(folder)) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| keep(n))
        .map(|n| {
            if folder.is_empty() {
                n
            } else {
                format!("{folder}/{n}")
            }
        })
        .collect();
    names.sort();
    names.truncate(32);
    names
}

/// The files a requirements file includes (`-r base.txt`, `--requirement base.txt`,
/// `-c constraints.txt`), relative to the root; includes that leave the root are dropped.
fn includes(name: &str, text: &str) -> Vec<String> {
    let folder = name.rsplit_once('/').map_or("", |(f, _)| f);
    text.lines()
        .filter_map(|line| {
            let line = line.trim();
            let rest = ["-r", "--requirement", "-c", "--constraint"]
                .iter()
                .find_map(|flag| line.strip_prefix(flag))?;
            let target = rest.trim_start_matches(['=', ' ']).trim();
            if target.is_empty() || target.starts_with('/') || target.contains("://") {
                return None;
            }
            super::join_relative(folder, target)
        })
        .collect()
}

/// Where `manifest` lists `library` (any manifest format, by name with word boundaries):
/// the pinned listing when there is one, else the first.
fn requirement(manifest: &Manifest, library: &str) -> Option<Listing> {
    let lower = manifest.text.to_ascii_lowercase();
    let names = [library.to_string(), library.replace('-', "_")];
    let part_of_name = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    let mut found: Option<Listing> = None;
    for name in &names {
        for (at, _) in lower.match_indices(name.as_str()) {
            let before = lower[..at].chars().next_back();
            let rest = &lower[at + name.len()..];
            if before.is_some_and(part_of_name) || rest.chars().next().is_some_and(part_of_name) {
                continue;
            }
            // A commented-out line lists nothing, and the project's own name
            // (`name = "scikit-learn"`, `DISTNAME = "scikit-learn"`) is not a dependency.
            let line_start = lower[..at].rfind('\n').map_or(0, |i| i + 1);
            let before_name = lower[line_start..at].trim_start();
            let lock = LOCKFILES.contains(&manifest.name.as_str());
            if before_name.starts_with('#') || !lock && names_the_project(before_name) {
                continue;
            }
            let line = lower[..at].matches('\n').count() + 1;
            let text = manifest
                .text
                .lines()
                .nth(line - 1)
                .unwrap_or("")
                .trim()
                .to_string();
            let listing = Listing {
                manifest: manifest.name.clone(),
                line,
                text,
                version: exact_version(rest),
            };
            if listing.version.is_some() {
                return Some(listing);
            }
            found.get_or_insert(listing);
        }
    }
    found
}

/// The start of a line up to a name, when it declares the project's own name:
/// `name = "`, `name="`, `distname = "`, `name: `.
fn names_the_project(before: &str) -> bool {
    let key: String = before
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    let rest = before[key.len()..].trim_start_matches([' ', '\t']);
    matches!(
        key.as_str(),
        "name" | "distname" | "project_name" | "package_name"
    ) && rest.starts_with(['=', ':'])
}

/// `==1.3.2`, `===1.3.2`, conda's `=1.3.2` or Poetry's `= "1.3.2"` at the start of `rest`
/// (after extras and quotes). `~=`, `>=` and `^` ranges are not pins.
fn exact_version(rest: &str) -> Option<String> {
    let rest = match rest.find(']') {
        Some(end) if rest.starts_with('[') => &rest[end + 1..],
        _ => rest,
    };
    let rest = rest.trim_start_matches([' ', '"', '\'', ':']);
    let rest = rest.trim_start_matches(' ');
    let version = match rest.strip_prefix("==") {
        Some(v) => v.trim_start_matches('='),
        None => rest.strip_prefix('=')?,
    };
    let version: String = version
        .trim_start_matches([' ', '"'])
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '*' | '+' | '-'))
        .collect();
    (!version.is_empty() && !version.contains('*')).then(|| format!("=={version}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(text: &str) -> Option<Option<String>> {
        let manifest = Manifest {
            name: "requirements.txt".into(),
            text: text.into(),
        };
        requirement(&manifest, "scikit-learn").map(|l| l.version)
    }

    #[test]
    fn requirement_reads_pins_in_each_manifest_form() {
        assert_eq!(
            listing("scikit-learn==1.3.2\n"),
            Some(Some("==1.3.2".into()))
        );
        assert_eq!(listing("pandas\nscikit-learn>=1.2\n"), Some(None));
        assert_eq!(listing("scikit-learn~=1.3.2\n"), Some(None));
        assert_eq!(
            listing("  - scikit-learn=1.3.0\n"),
            Some(Some("==1.3.0".into()))
        );
        assert_eq!(
            listing("dependencies = [\"scikit-learn==1.4\"]\n"),
            Some(Some("==1.4".into()))
        );
        assert_eq!(
            listing("  \"scikit-learn==1.4\",\n"),
            Some(Some("==1.4".into()))
        );
        assert_eq!(listing("scikit-learn-extra==0.3\n"), None);
        assert_eq!(listing("scikit_learn == 1.1\n"), Some(Some("==1.1".into())));
        assert_eq!(
            listing("scikit-learn[all]==1.5.0\n"),
            Some(Some("==1.5.0".into()))
        );
        assert_eq!(
            listing("[tool.poetry.dependencies]\nscikit-learn = \"1.5.0\"\n"),
            Some(Some("==1.5.0".into()))
        );
        assert_eq!(listing("scikit-learn = \"^1.5\"\n"), Some(None));
        assert_eq!(listing("# scikit-learn==1.0\n"), None);
        assert_eq!(listing("DISTNAME = \"scikit-learn\"\n"), None);
        assert_eq!(listing("[project]\nname = \"scikit-learn\"\n"), None);
        assert_eq!(listing("numpy==1.26\n"), None);
    }

    #[test]
    fn the_project_is_not_its_own_dependency() {
        let manifests = Manifests {
            manifests: vec![Manifest {
                name: "setup.py".into(),
                text: "DISTNAME = \"scikit-learn\"\nsetup(name=DISTNAME)\n".into(),
            }],
            lockfiles: Vec::new(),
        };
        assert!(manifests.is_own_name("scikit-learn"));
        assert!(!manifests.is_own_name("torch"));
    }

    #[test]
    fn listing_names_its_line() {
        let manifest = Manifest {
            name: "requirements.txt".into(),
            text: "pandas==2.2\ntorch>=2\n".into(),
        };
        let found = requirement(&manifest, "torch").unwrap();
        assert_eq!((found.line, found.text.as_str()), (2, "torch>=2"));
    }

    #[test]
    fn includes_resolve_from_the_including_file() {
        assert_eq!(
            includes(
                "requirements/prod.txt",
                "-r base.txt\n-c ../constraints.txt\nx\n"
            ),
            vec![
                "requirements/base.txt".to_string(),
                "constraints.txt".to_string()
            ]
        );
        assert!(includes("requirements.txt", "-r ../../etc/x.txt\n").is_empty());
    }
}
