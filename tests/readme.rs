//! The README stands alone: a new user reading it, on GitHub or in a wheel's metadata, meets
//! no link to a file that is not in the repository, and what it says of the pre-commit hook
//! is what the hook does.

mod common;

use common::TempDir;
use std::path::{Component, Path, PathBuf};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_readme_links_only_to_what_is_in_the_repository() {
    use pulldown_cmark::{Event, Options, Parser, Tag};
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let mut checked = 0;
    for event in Parser::new_ext(&readme, Options::ENABLE_TABLES) {
        let (Event::Start(Tag::Link { dest_url, .. }) | Event::Start(Tag::Image { dest_url, .. })) =
            event
        else {
            continue;
        };
        let url = dest_url.to_string();
        if url.starts_with("http://") || url.starts_with("https://") || url.starts_with('#') {
            continue;
        }
        let path = url.split('#').next().unwrap_or_default();
        // Inside the repository: no `..` out of it, no absolute path.
        let relative = Path::new(path);
        assert!(
            relative.is_relative() && !relative.components().any(|c| c == Component::ParentDir),
            "README links outside the repository: {url}"
        );
        assert!(
            repo().join(relative).exists(),
            "README links to a missing file: {url}"
        );
        checked += 1;
    }
    assert!(checked > 0, "no local link was checked");
    // Nor in plain text: a document it names (`DESIGN.md`, `docs/precision.md`) is in the
    // repository. Lower-case bare names are the reports the examples write (`audit.md`).
    for word in readme.split(|c: char| !(c.is_ascii_alphanumeric() || "._/-".contains(c))) {
        let word = word.trim_end_matches('.');
        let Some(stem) = word.strip_suffix(".md") else {
            continue;
        };
        let named = word.contains('/') || stem.chars().all(|c| c.is_ascii_uppercase() || c == '_');
        if named && !stem.is_empty() {
            assert!(
                repo().join(word).exists(),
                "README names `{word}`, which is not in the repository"
            );
        }
    }
    // The design documents beside the repository are not shipped.
    for outside in ["../shared", "/work/"] {
        assert!(
            !readme.contains(outside),
            "README names `{outside}`, outside the repository"
        );
    }
}

fn read(relative: &str) -> String {
    std::fs::read_to_string(repo().join(relative)).unwrap_or_else(|err| panic!("{relative}: {err}"))
}

#[test]
fn the_hook_prints_the_format_the_readme_names() {
    let hooks = read(".pre-commit-hooks.yaml");
    let entry = hooks
        .lines()
        .find_map(|line| line.trim().strip_prefix("entry:"))
        .expect("the hook has an entry")
        .trim();
    let readme = read("README.md");
    assert!(
        readme.contains(&format!("The hook runs `{entry}`")),
        "README does not say the hook runs `{entry}`"
    );
    // Run the entry as pre-commit does, on a staged script with a finding.
    let dir = TempDir::new("hook-format");
    dir.write("train.py", common::WARNING_PY);
    let mut words = entry.split_whitespace();
    assert_eq!(words.next(), Some("mlready"));
    let mut args: Vec<&str> = words.collect();
    args.push("train.py");
    let run = dir.run(&args);
    run.expect_code(1);
    let first = run.stdout.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("train.py:2:18: REPRO006 [warning] "),
        "not the concise format the README describes: {}",
        run.stdout
    );
    // A user's `args: [--format, text]` comes after the entry's own and wins.
    args.splice(args.len() - 1..args.len() - 1, ["--format", "text"]);
    let run = dir.run(&args);
    assert!(run.stdout.contains("╭─["), "{}", run.stdout);
}
