//! The project stage: per-file summaries joined into a project index for the rules that need
//! the whole repository (DESIGN.md, "project rules").

pub mod extract;
pub mod facts;
mod hints;
pub mod index;
pub mod manifests;
pub mod roots;
mod serving;
pub mod summary;

pub use extract::{Options, extract};
pub use summary::FileSummary;

/// `relative` (`../base.txt`, `./m.py`) joined to `folder` (`/`-separated, relative to the
/// project root): None when it climbs out of the root.
pub(crate) fn join_relative(folder: &str, relative: &str) -> Option<String> {
    let mut parts: Vec<&str> = folder.split('/').filter(|p| !p.is_empty()).collect();
    for part in relative.split('/') {
        match part {
            "." | "" => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    Some(parts.join("/"))
}
