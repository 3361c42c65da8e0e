//! The rules, one folder per family, one file per rule.

pub(crate) mod leakage;
pub(crate) mod monitoring;
pub(crate) mod notebook;
pub(crate) mod parse;
pub(crate) mod repro;
