//! The pipeline, end to end (stub, being written).

use crate::error::Error;
use crate::report::Report;
use crate::settings::Settings;
use std::path::PathBuf;

/// Runs `mlready check` over `paths`.
pub fn check(_paths: &[PathBuf], _settings: &Settings) -> Result<Report, Error> {
    Ok(Report::default())
}
