//! The check of one file, shared by `check_py` and `check_notebook`: the whole pipeline of
//! `mlready check --stdin-filename NAME --preview --select ALL` (load, parse, model, every
//! file and project rule, suppressions, every output format) on the fuzzer's bytes, and the
//! audit built from it in every format.

use mlready::audit::AuditFormat;
use mlready::engine::{RunOptions, check_with};
use mlready::finding::Location;
use mlready::render::{self, Format, Style};
use mlready::settings::Settings;
use mlready::source::SourceFile;
use std::path::PathBuf;

/// A folder that does not exist, so that the modules an input imports are never found on
/// this machine and every run of an input is the same.
const FOLDER: &str = "/nonexistent-mlready-fuzz";

pub fn check(name: &str, data: &[u8]) {
    let path = PathBuf::from(FOLDER).join(name);
    let settings = Settings {
        select: vec!["ALL".to_string()],
        preview: true,
        ..Settings::default()
    };
    let options = RunOptions {
        stdin: Some((path.clone(), data.to_vec())),
        keep_projects: true,
        ..RunOptions::default()
    };
    // A panic anywhere (even one the engine catches per file) aborts in libFuzzer's hook.
    let report = check_with(&[path], &settings, &options).expect("the settings are valid");
    assert!(
        report.internal_errors.is_empty(),
        "{:?}",
        report.internal_errors
    );
    assert_eq!(report.files_checked, 1);
    for diagnostic in &report.diagnostics {
        assert!(!diagnostic.message.is_empty(), "{diagnostic:?}");
        assert!(diagnostic.start.line >= 1 && diagnostic.start.column >= 1);
        assert!(
            (diagnostic.end.line, diagnostic.end.column)
                >= (diagnostic.start.line, diagnostic.start.column),
            "{} ends before it starts: {:?} .. {:?}",
            diagnostic.code,
            diagnostic.start,
            diagnostic.end
        );
        assert!(
            diagnostic.span.start <= diagnostic.span.end,
            "{diagnostic:?}"
        );
        if let Some(file) = &diagnostic.file {
            stands_in(file, diagnostic.code, &diagnostic.start);
        }
        for related in &diagnostic.related {
            if let Some(file) = &related.file {
                stands_in(file, diagnostic.code, &related.location);
            }
        }
    }
    for format in [
        Format::Text,
        Format::Concise,
        Format::Json,
        Format::Sarif,
        Format::Github,
        Format::Gitlab,
        Format::Junit,
    ] {
        let mut out = Vec::new();
        render::render(&report, format, &mut out, &Style::default())
            .expect("rendering into memory cannot fail");
    }
    let audit = mlready::audit::build(&PathBuf::from(FOLDER), &report, &settings);
    for (format, summary) in [
        (AuditFormat::Markdown, false),
        (AuditFormat::Markdown, true),
        (AuditFormat::Html, false),
        (AuditFormat::Json, false),
    ] {
        let mut out = Vec::new();
        mlready::audit::render(&audit, format, summary, &mut out)
            .expect("rendering into memory cannot fail");
        assert!(std::str::from_utf8(&out).is_ok());
    }
}

/// A place a finding names is in its file: a line of the file, or of a code cell of the
/// notebook (one of its lines, or the line just past its end).
fn stands_in(file: &SourceFile, code: &str, location: &Location) {
    assert!(
        location.line >= 1 && location.column >= 1,
        "{code} at {location:?}"
    );
    let Some(info) = &file.notebook else {
        assert_eq!(location.cell, None, "{code} at {location:?}");
        assert!(location.line <= file.line_count(), "{code} at {location:?}");
        return;
    };
    let Some(number) = location.cell else {
        // A finding about the whole notebook (it names no cell).
        assert_eq!(
            (location.line, location.column),
            (1, 1),
            "{code} at {location:?}"
        );
        return;
    };
    let cell = info.cells.iter().find(|c| c.number == number);
    let cell = cell.unwrap_or_else(|| panic!("{code} at {location:?}: no such code cell"));
    let lines = file.line_index(cell.offset + cell.len) - file.line_index(cell.offset) + 1;
    assert!(
        location.line <= lines + 1,
        "{code} at {location:?}: the cell has {lines} lines"
    );
}
