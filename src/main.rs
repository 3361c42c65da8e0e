//! `mlready`: parse the command line, run it, turn the outcome into an exit code.

use clap::Parser;
use mlready::cli::{self, Cli};
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    // Errors are wrapped at spaces only: a rule name or a path the user may copy
    // (`preprocessing-before-split`) is never cut at its hyphens.
    let _ = miette::set_hook(Box::new(|_| {
        Box::new(
            miette::MietteHandlerOpts::new()
                .word_splitter(textwrap::WordSplitter::NoHyphenation)
                .build(),
        )
    }));
    // clap exits by itself: 2 on a usage error, 0 after --help or --version.
    let args = Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        // `mlready check | head`: the reader is gone, which is not a failure (ripgrep does this).
        Err(err) if err.is_broken_pipe() => ExitCode::SUCCESS,
        Err(err) => {
            let _ = writeln!(std::io::stderr(), "{:?}", miette::Report::new(err));
            ExitCode::from(2)
        }
    }
}
