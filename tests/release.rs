//! What a new user meets first, checked against the repository itself: the README stands
//! alone, its install and pre-commit instructions pin a release that the CHANGELOG records,
//! the pre-commit hook prints the format the README names, and `scripts/release.sh` moves
//! every pin at once.

mod common;

use common::TempDir;
use std::path::PathBuf;
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(relative: &str) -> String {
    std::fs::read_to_string(repo().join(relative)).unwrap_or_else(|err| panic!("{relative}: {err}"))
}

/// The yaml block of the README's "pre-commit" section.
fn pre_commit_snippet(readme: &str) -> String {
    let section = &readme[readme.find("### pre-commit").expect("a pre-commit section")..];
    let start = section.find("```yaml\n").expect("a yaml block") + "```yaml\n".len();
    let end = section[start..].find("```").expect("the block ends") + start;
    section[start..end].to_string()
}

#[test]
fn the_readme_pins_the_release_the_changelog_records() {
    let version = env!("CARGO_PKG_VERSION");
    let readme = read("README.md");
    let snippet = pre_commit_snippet(&readme);
    let rev = snippet
        .lines()
        .find_map(|line| line.trim().strip_prefix("rev:"))
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the snippet has a rev");
    assert_eq!(
        rev,
        format!("v{version}"),
        "the pre-commit snippet pins another version"
    );
    assert!(snippet.contains("- id: mlready"));
    // The hook id the snippet names is the one this repository declares.
    assert!(read(".pre-commit-hooks.yaml").contains("- id: mlready\n"));
    for line in readme.lines().filter(|l| l.contains("git+https://")) {
        assert!(
            line.contains(&format!("@v{version}")),
            "an install line pins another version: {line}"
        );
    }
    // The CI recipes install the same release.
    for line in readme
        .lines()
        .filter(|l| l.contains("cargo install") && l.contains("--git"))
    {
        assert!(
            line.contains(&format!("--tag v{version}")),
            "a CI recipe is not pinned to the release: {line}"
        );
    }
    // The CHANGELOG has a dated section for this version (`## 0.1.0 - 2026-12-06`).
    let changelog = read("CHANGELOG.md");
    let heading = changelog
        .lines()
        .find(|line| line.starts_with(&format!("## {version} - ")))
        .unwrap_or_else(|| panic!("CHANGELOG.md has no dated section for {version}"));
    let date = heading.rsplit(' ').next().unwrap();
    assert!(
        date.len() == 10 && date.chars().filter(|c| *c == '-').count() == 2,
        "{heading}"
    );
    assert!(changelog.contains("## Unreleased"));
    // pyproject.toml takes the version from Cargo.toml.
    assert!(read("pyproject.toml").contains("dynamic = [\"version\"]"));
}

#[test]
fn a_release_moves_every_pin_and_tags_it() {
    if Command::new("git").arg("--version").output().is_err() {
        eprintln!("git is not installed: skipped");
        return;
    }
    let dir = TempDir::new("release");
    for file in [
        "Cargo.toml",
        "Cargo.lock",
        "README.md",
        "CHANGELOG.md",
        "scripts/release.sh",
    ] {
        dir.write(file, read(file));
    }
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(args)
            .current_dir(dir.path())
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).to_string()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    assert!(git(&["commit", "-qm", "start"]).0);
    // Something to release.
    let changelog =
        read("CHANGELOG.md").replacen("## Unreleased\n", "## Unreleased\n\n- A fix.\n", 1);
    dir.write("CHANGELOG.md", changelog);
    git(&["commit", "-qam", "fix"]);
    let release = |version: &str| {
        Command::new("bash")
            .arg("scripts/release.sh")
            .arg(version)
            .current_dir(dir.path())
            .env("RELEASE_DATE", "2031-02-03")
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()
            .unwrap()
    };
    let out = release("9.8.7");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cargo = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    assert!(cargo.contains("\nversion = \"9.8.7\"\n"));
    let lock = std::fs::read_to_string(dir.join("Cargo.lock")).unwrap();
    assert!(lock.contains("name = \"mlready\"\nversion = \"9.8.7\""));
    let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
    assert!(pre_commit_snippet(&readme).contains("rev: v9.8.7"));
    assert!(readme.contains("git+https://github.com/mlready/mlready@v9.8.7"));
    assert!(readme.contains("--git https://github.com/mlready/mlready --tag v9.8.7 mlready"));
    assert!(!readme.contains(&format!("@v{}", env!("CARGO_PKG_VERSION"))));
    let changelog = std::fs::read_to_string(dir.join("CHANGELOG.md")).unwrap();
    let unreleased = changelog
        .find("## Unreleased\n\n## 9.8.7 - 2031-02-03\n")
        .expect(&changelog);
    assert!(changelog[unreleased..].contains("- A fix."));
    let (tagged, tag) = git(&["describe", "--exact-match", "HEAD"]);
    assert!(tagged && tag.trim() == "v9.8.7", "{tag}");
    // Nothing new under Unreleased, or the same version again: refused.
    let again = release("9.8.8");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("nothing under '## Unreleased'"));
    let bad = release("v1");
    assert!(String::from_utf8_lossy(&bad.stderr).contains("usage"));
}
