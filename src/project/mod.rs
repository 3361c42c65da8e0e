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
