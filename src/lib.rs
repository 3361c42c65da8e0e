//! mlready: a linter for the hidden technical debt of machine-learning code.
//!
//! The pipeline (DESIGN.md): discover → load → parse → analyze → file rules → filter → render.

pub mod audit;
pub mod baseline;
pub mod cache;
pub mod cli;
pub mod config;
pub mod discover;
pub mod engine;
pub mod error;
pub mod files;
pub mod finding;
pub mod fingerprint;
pub mod inputs;
pub mod limits;
pub mod ml;
pub mod model;
pub mod precision;
pub mod project;
pub mod registry;
pub mod render;
pub mod report;
pub mod rule;
pub mod rules;
pub mod server;
pub mod settings;
pub mod source;
pub mod suggest;
pub mod suppress;
#[cfg(test)]
mod testutil;

pub use engine::check;
