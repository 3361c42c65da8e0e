//! The floor under any tree-sitter linter of Python scripts and notebooks: walk the paths as
//! mlready does, read every `.py` and `.ipynb` file and parse it with tree-sitter-python, and
//! nothing else. A notebook is decoded with serde_json and its code cells are parsed as one
//! joined text, the least a notebook linter must do. `scripts/bench.sh` times this next to
//! mlready and ruff; it is an example so that it is never shipped in the wheel.
//!
//! usage: cargo build --release --example parse_bench
//!        target/release/examples/parse_bench [--threads N] [--list] PATH...
//!
//! Prints `files=N lines=N seconds=S`: the files found, the lines parsed (a notebook counts
//! the lines of its code cells) and the time from the start of the walk to the last tree.

use clap::Parser as _;
use mlready::discover::SKIPPED_DIRS;
use rayon::prelude::*;
use serde::Deserialize;
use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// Parses every .py and .ipynb file under PATH with tree-sitter-python
#[derive(clap::Parser)]
struct Args {
    /// Parsing threads, one tree_sitter::Parser each
    #[arg(long, default_value_t = 2)]
    threads: usize,
    /// Print the files the walk finds, sorted, one a line, and parse nothing
    #[arg(long)]
    list: bool,
    /// Files and folders
    #[arg(value_name = "PATH", required = true)]
    paths: Vec<PathBuf>,
}

thread_local! {
    static PARSER: RefCell<tree_sitter::Parser> = RefCell::new(python_parser());
}

fn main() -> ExitCode {
    let args = Args::parse();
    if let Some(missing) = args.paths.iter().find(|path| !path.exists()) {
        eprintln!("parse_bench: {} does not exist", missing.display());
        return ExitCode::from(2);
    }
    let start = Instant::now();
    let files = walk(&args.paths);
    if args.list {
        let mut files = files;
        files.sort();
        for file in files {
            println!("{}", file.display());
        }
        return ExitCode::SUCCESS;
    }

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads)
        .build()
        .expect("a rayon pool should start");
    let totals = pool.install(|| {
        files
            .par_iter()
            .map(|path| parse_file(path))
            .reduce(Totals::default, Totals::add)
    });
    let seconds = start.elapsed().as_secs_f64();

    println!(
        "files={} lines={} seconds={seconds:.3}",
        files.len(),
        totals.lines
    );
    if totals.unreadable > 0 {
        eprintln!(
            "parse_bench: {} files could not be read or are not notebooks",
            totals.unreadable
        );
    }
    ExitCode::SUCCESS
}

/// The `.py` and `.ipynb` files under `paths`, found with mlready's walker settings:
/// gitignore files respected, hidden files walked, symlinks followed, the same folders pruned.
fn walk(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for path in paths {
        let walker = ignore::WalkBuilder::new(path)
            .hidden(false)
            .require_git(false)
            .follow_links(true)
            .filter_entry(|entry| !is_skipped_dir(entry.file_name()))
            .build();
        let files = walker
            .filter_map(Result::ok)
            .filter(|entry| entry.file_type().is_some_and(|kind| kind.is_file()))
            .map(ignore::DirEntry::into_path)
            .filter(|path| is_python_or_notebook(path));
        found.extend(files);
    }
    found
}

fn is_skipped_dir(name: &std::ffi::OsStr) -> bool {
    let Some(name) = name.to_str() else {
        return false;
    };
    SKIPPED_DIRS.contains(&name) || name.ends_with(".egg-info")
}

fn is_python_or_notebook(path: &Path) -> bool {
    path.extension()
        .is_some_and(|ext| ext == "py" || ext == "ipynb")
}

#[derive(Default)]
struct Totals {
    lines: u64,
    unreadable: u64,
}

impl Totals {
    fn add(self, other: Totals) -> Totals {
        Totals {
            lines: self.lines + other.lines,
            unreadable: self.unreadable + other.unreadable,
        }
    }
}

/// Reads one file and parses its Python text with this thread's parser.
fn parse_file(path: &Path) -> Totals {
    let unreadable = Totals {
        lines: 0,
        unreadable: 1,
    };
    let Ok(bytes) = std::fs::read(path) else {
        return unreadable;
    };
    let text = if path.extension().is_some_and(|ext| ext == "ipynb") {
        let Some(code) = notebook_code(&bytes) else {
            return unreadable;
        };
        code.into_bytes()
    } else {
        bytes
    };
    // The tree is dropped at once: building it is the cost measured.
    PARSER
        .with_borrow_mut(|parser| parser.parse(&text, None))
        .expect("a parser with a language, no timeout and no cancellation flag returns a tree");
    Totals {
        lines: count_lines(&text),
        unreadable: 0,
    }
}

fn python_parser() -> tree_sitter::Parser {
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_python::LANGUAGE.into())
        .expect("tree-sitter-python should match the tree-sitter version");
    parser
}

fn count_lines(text: &[u8]) -> u64 {
    let newlines = text.iter().filter(|&&byte| byte == b'\n').count() as u64;
    let unterminated = text.last().is_some_and(|&byte| byte != b'\n');
    newlines + u64::from(unterminated)
}

/// The notebook fields read here; serde skips the rest (outputs, metadata) without building
/// them.
#[derive(Deserialize)]
struct Notebook {
    #[serde(default)]
    cells: Vec<Cell>,
    /// nbformat 3 keeps its cells in worksheets.
    #[serde(default)]
    worksheets: Vec<Worksheet>,
}

#[derive(Deserialize)]
struct Worksheet {
    #[serde(default)]
    cells: Vec<Cell>,
}

#[derive(Deserialize)]
struct Cell {
    #[serde(default)]
    cell_type: String,
    source: Option<CellText>,
    /// nbformat 3 code cells keep their code here.
    input: Option<CellText>,
}

/// A multiline string of nbformat: one string, or a list of lines that keep their `\n`.
#[derive(Deserialize)]
#[serde(untagged)]
enum CellText {
    Whole(String),
    Lines(Vec<String>),
}

/// The code cells of a notebook joined into one text, each ending on its own line; `None` when
/// the file is not notebook JSON.
fn notebook_code(bytes: &[u8]) -> Option<String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let notebook: Notebook = serde_json::from_slice(bytes).ok()?;
    let sheets = notebook
        .worksheets
        .into_iter()
        .flat_map(|sheet| sheet.cells);
    let mut code = String::new();
    for cell in notebook.cells.into_iter().chain(sheets) {
        if cell.cell_type != "code" {
            continue;
        }
        let start = code.len();
        match cell.input.or(cell.source) {
            Some(CellText::Whole(text)) => code.push_str(&text),
            Some(CellText::Lines(lines)) => lines.iter().for_each(|line| code.push_str(line)),
            None => {}
        }
        if code.len() > start && !code.ends_with('\n') {
            code.push('\n');
        }
    }
    Some(code)
}
