//! The README stands alone: a new user reading it, on GitHub or in a wheel's metadata, meets
//! no link to a file that is not in the repository.

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
    // Nor in plain text: the design documents beside the repository are not shipped.
    for outside in ["../shared", "/work/"] {
        assert!(
            !readme.contains(outside),
            "README names `{outside}`, outside the repository"
        );
    }
}
