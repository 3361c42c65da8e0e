//! The rules, one folder per family, one file per rule.

pub mod api;
pub mod chain;
pub mod config;
pub mod dead;
pub mod glue;
pub mod leakage;
pub mod monitoring;
pub mod notebook;
pub mod parse;
pub mod repro;
pub mod security;
pub mod skew;
pub mod suppression;
