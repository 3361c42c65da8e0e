//! The configuration loader: the bytes as `mlready.toml` and as `pyproject.toml` either give
//! settings that answer the engine's questions, or an error with a message; never a panic.
#![no_main]

use mlready::config::{CliOverrides, CompiledSettings, resolve};
use mlready::registry;
use std::path::Path;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let folder = std::env::temp_dir().join(format!("mlready-fuzz-config-{}", std::process::id()));
    std::fs::create_dir_all(&folder).expect("the temporary folder can be made");
    for name in ["mlready.toml", "pyproject.toml"] {
        let path = folder.join(name);
        std::fs::write(&path, data).expect("the temporary file can be written");
        load(&folder, &path);
    }
    // Removed after every input: libFuzzer ends its processes without running destructors.
    let _ = std::fs::remove_dir_all(&folder);
});

fn load(folder: &Path, path: &Path) {
    let known: Vec<(&'static str, &'static str)> =
        registry::all().map(|rule| (rule.code, rule.name)).collect();
    let cli = CliOverrides {
        config: Some(path.to_path_buf()),
        ..CliOverrides::default()
    };
    let (settings, extras) = match resolve(&[folder.to_path_buf()], &cli, &known) {
        Ok(resolved) => resolved,
        Err(err) => return explained(err),
    };
    let compiled = match CompiledSettings::new(&settings) {
        Ok(compiled) => compiled,
        Err(err) => return explained(err),
    };
    for (code, name) in &known {
        let _ = compiled.rule_enabled(code, name);
        let _ = extras.severity_for(code, name);
        for file in ["train.py", "notebooks/explore.ipynb", "src/pkg/serve.py"] {
            let _ = compiled.ignored_for_file(file, code, name);
        }
    }
    for file in ["train.py", "data/raw.py", ".venv/lib/x.py"] {
        let _ = compiled.is_excluded(Path::new(file));
    }
}

/// An error is rendered as the command line renders it, and says something.
fn explained(err: mlready::error::Error) {
    assert!(!err.to_string().is_empty());
    let rendered = format!("{:?}", miette::Report::new(err));
    assert!(!rendered.is_empty());
}
