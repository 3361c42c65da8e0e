//! Hostile and unusual inputs, generated at test time: mlready must never panic, hang or die on
//! a signal, must say when it could not read or parse a file (a PARSE finding), and must keep
//! checking the other files. Each case runs the real binary, so a stack overflow or an abort
//! shows up as a missing exit code instead of taking the test harness down.

mod common;

use common::{Cell, TempDir, WARNING_PY, notebook};
use serde_json::{Value, json};
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A line with a REPRO006 warning at column 5.
const PATH_LINE: &str = "p = \"/Users/ana/x.csv\"\n";

/// One run of `mlready check --format json`: the exit code and the document.
struct Checked {
    code: i32,
    json: Value,
    elapsed: Duration,
}

impl Checked {
    fn diagnostics(&self) -> &Vec<Value> {
        self.json["diagnostics"].as_array().expect("an array")
    }

    /// (path, code, cell, line, column) of every diagnostic.
    fn found(&self) -> Vec<(String, String, Option<u64>, u64, u64)> {
        self.diagnostics()
            .iter()
            .map(|d| {
                (
                    d["path"].as_str().unwrap().to_string(),
                    d["code"].as_str().unwrap().to_string(),
                    d["cell"].as_u64(),
                    d["line"].as_u64().unwrap(),
                    d["column"].as_u64().unwrap(),
                )
            })
            .collect()
    }

    fn codes(&self) -> Vec<&str> {
        self.diagnostics()
            .iter()
            .map(|d| d["code"].as_str().unwrap())
            .collect()
    }
}

/// Runs `mlready check ARGS --format json` in `dir`, killing it after `limit`. Asserts what
/// every input must give: it ends in time, with exit code 0 or 1 (never 2, never a signal),
/// nothing on stderr, and a JSON report.
#[track_caller]
fn check(dir: &TempDir, args: &[&str], limit: Duration) -> Checked {
    let started = Instant::now();
    let ended = run_limited(
        dir,
        &[&["check"], args, &["--format", "json"]].concat(),
        limit,
    );
    let elapsed = started.elapsed();
    let code = ended.code;
    assert!(
        code == 0 || code == 1,
        "mlready check {args:?} exited {code}\n--- stderr\n{}",
        ended.stderr
    );
    assert!(
        ended.stderr.is_empty(),
        "mlready check {args:?}: {}",
        ended.stderr
    );
    let json = serde_json::from_str(&ended.stdout)
        .unwrap_or_else(|e| panic!("mlready check {args:?}: not JSON ({e}): {}", ended.stdout));
    Checked {
        code,
        json,
        elapsed,
    }
}

/// How a run limited in time ended.
struct Ended {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `mlready ARGS` in `dir`, killing it after `limit` (a failure: it hung); it must end
/// with an exit code, not on a signal.
#[track_caller]
fn run_limited(dir: &TempDir, args: &[&str], limit: Duration) -> Ended {
    let started = Instant::now();
    let mut child = Command::new(common::binary())
        .args(args)
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the mlready binary starts");
    // Read both pipes on threads so a large report cannot block the child.
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let err = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let status = loop {
        if let Some(status) = child.try_wait().expect("the child can be waited for") {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("mlready {args:?} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let stdout = out.join().unwrap();
    let stderr = err.join().unwrap();
    let code = status
        .code()
        .unwrap_or_else(|| panic!("mlready {args:?} died on a signal: {status:?}\n{stderr}"));
    Ended {
        code,
        stdout,
        stderr,
    }
}

const LIMIT: Duration = Duration::from_secs(60);

fn found(
    path: &str,
    code: &str,
    cell: Option<u64>,
    line: u64,
    column: u64,
) -> (String, String, Option<u64>, u64, u64) {
    (path.to_string(), code.to_string(), cell, line, column)
}

#[test]
fn empty_files() {
    let dir = TempDir::new("robust-empty");
    dir.write("empty.py", "");
    dir.write("empty.ipynb", "");
    dir.write("blank.py", "\n\n   \n");
    let run = check(&dir, &["empty.py", "blank.py"], LIMIT);
    assert_eq!(run.code, 0);
    assert_eq!(run.json["files_checked"], 2);
    assert!(run.diagnostics().is_empty(), "{}", run.json);

    let run = check(&dir, &["empty.ipynb"], LIMIT);
    assert_eq!(run.code, 1);
    assert_eq!(run.found(), [found("empty.ipynb", "PARSE003", None, 1, 1)]);
}

#[test]
fn a_byte_order_mark_is_not_a_column() {
    let dir = TempDir::new("robust-bom");
    dir.write(
        "bom.py",
        [b"\xef\xbb\xbf".as_slice(), WARNING_PY.as_bytes()].concat(),
    );
    dir.write(
        "bom1.py",
        [b"\xef\xbb\xbf".as_slice(), PATH_LINE.as_bytes()].concat(),
    );
    let run = check(&dir, &["."], LIMIT);
    assert_eq!(
        run.found(),
        [
            found("bom.py", "REPRO006", None, 2, 18),
            found("bom1.py", "REPRO006", None, 1, 5),
        ]
    );
}

#[test]
fn crlf_line_endings_keep_line_numbers() {
    let dir = TempDir::new("robust-crlf");
    dir.write(
        "crlf.py",
        "import pandas as pd\r\n\r\nx = 1\r\ndf = pd.read_csv(\"/Users/ana/data.csv\")\r\n",
    );
    let cell = "x = 1\r\n\r\np = \"/Users/ana/x.csv\"\r\n";
    dir.write(
        "crlf.ipynb",
        notebook(&[Cell::Markdown("# t\r\n"), Cell::Code(Some(1), cell)]),
    );
    let run = check(&dir, &["."], LIMIT);
    assert_eq!(
        run.found(),
        [
            found("crlf.ipynb", "REPRO006", Some(2), 3, 5),
            found("crlf.py", "REPRO006", None, 4, 18),
        ]
    );
    let py = &run.diagnostics()[1];
    assert_eq!(
        (&py["end_line"], &py["end_column"]),
        (&json!(4), &json!(39))
    );
}

/// Python reads a lone `\r` as a line break (universal newlines), so a file saved with classic
/// Mac line endings is valid and its findings must land on their own lines.
#[test]
fn cr_line_endings_keep_line_numbers() {
    let dir = TempDir::new("robust-cr");
    dir.write(
        "cr.py",
        "import pandas as pd\r\rx = 1\rdf = pd.read_csv(\"/Users/ana/data.csv\")\r",
    );
    let run = check(&dir, &["cr.py"], LIMIT);
    assert_eq!(run.found(), [found("cr.py", "REPRO006", None, 4, 18)]);
}

/// The same in notebook cells: a cell whose lines end in a lone `\r` (as a list of lines, or
/// as one string) compiles in CPython, so it gets no PARSE001 and its findings land on their
/// cell and line, and on their `.ipynb` line in line-only formats.
#[test]
fn cr_line_endings_in_notebook_cells_keep_cells_and_lines() {
    let dir = TempDir::new("robust-cr-notebook");
    dir.write("good.py", WARNING_PY);
    let code = |source: Value| {
        json!({"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [],
               "source": source})
    };
    let document = common::notebook_json(vec![
        json!({"cell_type": "markdown", "metadata": {}, "source": ["# t\r"]}),
        code(json!([
            "import pandas as pd\r",
            "\r",
            "x = (1,\r",
            "     2)\r",
            "df = pd.read_csv(\"/Users/ana/data.csv\")\r"
        ])),
        code(json!("y = 2\rp = \"/Users/ana/x.csv\"\r")),
    ]);
    dir.write("cr.ipynb", &document);
    let run = check(&dir, &["."], LIMIT);
    assert_eq!(
        run.found(),
        [
            found("cr.ipynb", "REPRO006", Some(2), 5, 18),
            found("cr.ipynb", "REPRO006", Some(3), 2, 5),
            found("good.py", "REPRO006", None, 2, 18),
        ]
    );
    let row = |needle: &str| {
        document
            .lines()
            .position(|line| line.contains(needle))
            .unwrap()
            + 1
    };
    let github = common::run_in(
        dir.path(),
        &["check", "cr.ipynb", "--format", "github"],
        &[],
    );
    let lines: Vec<&str> = github.stdout.lines().collect();
    assert!(
        lines[0].contains(&format!("file=cr.ipynb,line={},", row("data.csv"))),
        "{}",
        github.stdout
    );
    assert!(
        lines[1].contains(&format!("file=cr.ipynb,line={},", row("x.csv"))),
        "{}",
        github.stdout
    );
}

#[test]
fn nul_bytes_are_a_parse_finding_and_the_rest_is_checked() {
    let dir = TempDir::new("robust-nul");
    dir.write("nul.py", format!("x = 1\0\0\ny = 2\n{PATH_LINE}"));
    let run = check(&dir, &["nul.py"], LIMIT);
    assert_eq!(run.code, 1);
    let codes = run.codes();
    // CPython refuses source with NUL bytes: the file must not pass as clean.
    assert!(
        codes.iter().any(|c| *c == "PARSE001" || *c == "PARSE002"),
        "{codes:?}"
    );
    assert!(
        run.found()
            .contains(&found("nul.py", "REPRO006", None, 3, 5)),
        "{:?}",
        run.found()
    );
}

/// A zero-filled file (a truncated download, a preallocated file) is a PARSE001 whose message
/// shows the NUL bytes escaped, never raw, in every format; the file beside it is checked.
#[test]
fn nul_bytes_are_escaped_in_messages() {
    let dir = TempDir::new("robust-zeros");
    dir.write("zeros.py", vec![0u8; 4096]);
    dir.write("good.py", WARNING_PY);
    let run = check(&dir, &["."], LIMIT);
    assert_eq!(
        run.found(),
        [
            found("good.py", "REPRO006", None, 2, 18),
            found("zeros.py", "PARSE001", None, 1, 1),
        ]
    );
    assert_eq!(
        run.diagnostics()[1]["message"],
        format!("syntax error: invalid syntax near `{}`", "\\0".repeat(30))
    );
    // The text format's source excerpt shows them as `?`, one for one.
    for format in [
        "text", "concise", "github", "gitlab", "sarif", "junit", "json",
    ] {
        let out = common::run_in(dir.path(), &["check", "zeros.py", "--format", format], &[]);
        // Escaped once more in the JSON-based formats.
        let escaped = out.stdout.contains(r"\0\0\0") || out.stdout.contains(r"\\0\\0\\0");
        assert!(escaped, "{format}: {}", out.stdout);
        assert!(!out.stdout.contains('\0'), "{format}: a raw NUL");
        assert!(
            !out.stdout.contains("\\u0000"),
            "{format}: a NUL for JSON readers"
        );
    }
}

#[test]
fn deeply_nested_expressions() {
    let dir = TempDir::new("robust-deep");
    let depth = 5000;
    let cases = [
        (
            "parens.py",
            format!("x = {}1{}\n", "(".repeat(depth), ")".repeat(depth)),
        ),
        (
            "lists.py",
            format!("x = {}1{}\n", "[".repeat(depth), "]".repeat(depth)),
        ),
        (
            "calls.py",
            format!("x = {}1{}\n", "f(".repeat(depth), ")".repeat(depth)),
        ),
        (
            "dicts.py",
            format!("x = {}1{}\n", "{1: ".repeat(depth), "}".repeat(depth)),
        ),
        ("lambdas.py", format!("x = {}1\n", "lambda: ".repeat(depth))),
        ("unary.py", format!("x = {}1\n", "-".repeat(10 * depth))),
        (
            "sums.py",
            format!("x = {}\n", vec!["1"; 10 * depth].join(" + ")),
        ),
        (
            "attributes.py",
            format!("x = a{}\n", ".b".repeat(10 * depth)),
        ),
        ("unclosed.py", format!("x = {}1\n", "(".repeat(depth))),
    ];
    for (name, code) in &cases {
        dir.write(name, format!("{code}{PATH_LINE}"));
    }
    for (name, _) in &cases {
        let run = check(&dir, &[name], LIMIT);
        if *name == "unclosed.py" {
            // The open brackets swallow the rest of the file: a syntax error, nothing else.
            assert_eq!(run.codes(), ["PARSE001"], "{name}");
            continue;
        }
        // The deep expression is valid: nothing to report on it, and the line after it is
        // still analysed.
        assert_eq!(run.found(), [found(name, "REPRO006", None, 2, 5)], "{name}");
    }
}

#[test]
fn deeply_nested_blocks() {
    let dir = TempDir::new("robust-blocks");
    // CPython allows 100 levels of indentation: 90 is valid and fully analysed.
    let valid: String = (0..90)
        .map(|i| format!("{}if x:\n", " ".repeat(i)))
        .collect();
    dir.write("ifs90.py", format!("{valid}{}{PATH_LINE}", " ".repeat(90)));
    let run = check(&dir, &["ifs90.py"], LIMIT);
    assert_eq!(run.found(), [found("ifs90.py", "REPRO006", None, 91, 95)]);

    // 5,000 levels is more than Python accepts: a syntax error is a fine answer, a crash is not.
    let deep: String = (0..5000)
        .map(|i| format!("{}if x:\n", " ".repeat(i)))
        .collect();
    dir.write("ifs5000.py", format!("{deep}{}pass\n", " ".repeat(5000)));
    // 12.5 MB of indentation: over the default size limit, raised so the nesting is parsed.
    let run = check(&dir, &["ifs5000.py", "--max-file-size", "20MB"], LIMIT);
    let codes = run.codes();
    assert!(codes.iter().all(|c| *c == "PARSE001"), "{codes:?}");

    // The same depth with one-space steps inside `def` and `for` and `with`.
    let mixed: String = (0..5000)
        .map(|i| {
            let keyword = ["if x:", "for i in y:", "with a:", "while x:", "try:"][i % 5];
            format!("{}{keyword}\n", " ".repeat(i))
        })
        .collect();
    dir.write("mixed.py", format!("{mixed}{}pass\n", " ".repeat(5000)));
    let run = check(&dir, &["mixed.py", "--max-file-size", "20MB"], LIMIT);
    assert!(
        run.codes().iter().all(|c| c.starts_with("PARSE")),
        "{:?}",
        run.codes()
    );
}

#[test]
fn a_300_000_line_file() {
    let dir = TempDir::new("robust-long");
    let lines = 300_000;
    let mut text = String::from("import pandas as pd\n");
    for i in 0..lines {
        text.push_str(&format!("x{i} = {i} + 1\n"));
    }
    text.push_str("df = pd.read_csv(\"/Users/ana/data.csv\")\n");
    dir.write("long.py", &text);
    // About 10 s in a debug build on the development machine, well under a second in release.
    let run = check(&dir, &["long.py"], Duration::from_secs(180));
    assert_eq!(
        run.found(),
        [found("long.py", "REPRO006", None, lines + 2, 18)]
    );
    eprintln!("300,000 lines checked in {:?}", run.elapsed);
}

#[test]
fn a_40_mb_notebook_of_base64_outputs() {
    let dir = TempDir::new("robust-big-notebook");
    // 1.3 MB of base64 per image; deterministic bytes are enough.
    let image: String = {
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        (0..1_340_000u64)
            .map(|i| alphabet[(i.wrapping_mul(2_654_435_761) >> 7) as usize % 64] as char)
            .collect()
    };
    let mut cells: Vec<Value> = (0..30)
        .map(|i| {
            json!({
                "cell_type": "code",
                "execution_count": i + 1,
                "metadata": {},
                "outputs": [{
                    "output_type": "display_data",
                    "data": {"image/png": image, "text/plain": ["<Figure size 640x480>"]},
                    "metadata": {}
                }],
                "source": [if i == 0 { "import pandas as pd\n".to_string() } else { format!("print({i})\n") }],
            })
        })
        .collect();
    cells.push(json!({
        "cell_type": "code",
        "execution_count": 31,
        "metadata": {},
        "outputs": [],
        "source": ["df = pd.read_csv(\"/Users/ana/d.csv\")"],
    }));
    let text = common::notebook_json(cells);
    assert!(text.len() > 40_000_000, "{}", text.len());
    dir.write("big.ipynb", text);
    let run = check(&dir, &["big.ipynb"], LIMIT);
    assert_eq!(
        run.found(),
        [found("big.ipynb", "REPRO006", Some(31), 1, 18)]
    );
}

#[test]
fn notebook_sources_as_a_string_or_a_list() {
    let dir = TempDir::new("robust-source-kinds");
    let source = "import pandas as pd\nx = 1\ndf = pd.read_csv(\"/Users/ana/d.csv\")\n";
    let cell = |source: Value| json!({"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [], "source": source});
    let markdown = json!({"cell_type": "markdown", "metadata": {}, "source": "# Title\nText"});
    dir.write(
        "list.ipynb",
        common::notebook_json(vec![
            markdown.clone(),
            cell(json!(common::source_lines(source))),
        ]),
    );
    dir.write(
        "string.ipynb",
        common::notebook_json(vec![markdown.clone(), cell(json!(source))]),
    );
    // Lines split anywhere (nbformat allows it): the text is what counts.
    dir.write(
        "split.ipynb",
        common::notebook_json(vec![
            markdown,
            cell(json!([
                "import pan",
                "das as pd\nx = 1\ndf = pd.read_csv(",
                "\"/Users/ana/d.csv\")"
            ])),
        ]),
    );
    let run = check(&dir, &["."], LIMIT);
    assert_eq!(
        run.found(),
        [
            found("list.ipynb", "REPRO006", Some(2), 3, 18),
            found("split.ipynb", "REPRO006", Some(2), 3, 18),
            found("string.ipynb", "REPRO006", Some(2), 3, 18),
        ]
    );
}

#[test]
fn an_invalid_notebook_does_not_stop_the_run() {
    let dir = TempDir::new("robust-invalid-notebook");
    let valid = notebook(&[Cell::Code(Some(1), "x = 1\n")]);
    // A merge conflict left in the JSON, its markers at the start of their lines as git
    // writes them: reported at the first one (line 2).
    let conflict = valid.replacen(
        "  \"cells\": [",
        "<<<<<<< HEAD\n\"cells\": [\n=======\n\"cells\": [\n>>>>>>> branch\n",
        1,
    );
    dir.write("a_conflict.ipynb", conflict);
    dir.write("b_truncated.ipynb", &valid[..valid.len() / 2]);
    dir.write("c_not_a_notebook.ipynb", "[1, 2, 3]");
    dir.write(
        "d_bad_source.ipynb",
        valid.replace("\"source\": [", "\"source\": [42, "),
    );
    dir.write("e_warn.py", WARNING_PY);
    dir.write("f_ok.ipynb", &valid);
    let run = check(&dir, &["."], LIMIT);
    assert_eq!(run.code, 1);
    assert_eq!(run.json["files_checked"], 6);
    assert_eq!(
        run.found(),
        [
            found("a_conflict.ipynb", "PARSE003", None, 2, 1),
            found("b_truncated.ipynb", "PARSE003", None, 1, 1),
            found("c_not_a_notebook.ipynb", "PARSE003", None, 1, 1),
            found("d_bad_source.ipynb", "PARSE003", None, 1, 1),
            found("e_warn.py", "REPRO006", None, 2, 18),
        ]
    );
    for d in run.diagnostics() {
        assert!(!d["message"].as_str().unwrap().is_empty(), "{d}");
    }
    let conflict = &run.diagnostics()[0];
    assert!(
        conflict["message"]
            .as_str()
            .unwrap()
            .starts_with("unresolved merge conflict"),
        "{conflict}"
    );
}

#[test]
fn a_non_utf8_file_does_not_stop_the_run() {
    let dir = TempDir::new("robust-encoding");
    dir.write("latin1.py", b"# caf\xe9 cr\xe8me\nx = 1\n");
    dir.write("utf16.py", b"\xff\xfex\x00 \x00=\x00 \x001\x00\n\x00");
    dir.write("warn.py", WARNING_PY);
    let run = check(&dir, &["."], LIMIT);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.found(),
        [
            found("latin1.py", "PARSE002", None, 1, 1),
            found("utf16.py", "PARSE002", None, 1, 1),
            found("warn.py", "REPRO006", None, 2, 18),
        ]
    );
}

/// A named pipe is never opened (reading one waits for a writer forever): named on the
/// command line, met in a walk or in the rest of a project, it is reported or passed over,
/// and the other files are checked.
#[cfg(unix)]
#[test]
fn named_pipes_are_reported_and_never_opened() {
    let dir = TempDir::new("robust-fifo");
    dir.write("pyproject.toml", "");
    dir.write("good.py", common::WARNING_PY);
    for pipe in ["x.py", "nb/pipe.ipynb"] {
        std::fs::create_dir_all(dir.join(pipe).parent().unwrap()).unwrap();
        let made = Command::new("mkfifo").arg(dir.join(pipe)).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo {pipe}");
    }
    let limit = Duration::from_secs(20);
    let named = check(&dir, &["good.py", "x.py", "--no-cache"], limit);
    let codes: Vec<(String, String)> = named
        .found()
        .into_iter()
        .map(|(path, code, ..)| (path, code))
        .collect();
    assert_eq!(
        codes,
        [
            ("good.py".to_string(), "REPRO006".to_string()),
            ("x.py".to_string(), "PARSE002".to_string())
        ]
    );
    let pipe = &named.diagnostics()[1];
    assert!(
        pipe["message"].as_str().unwrap().contains("named pipe"),
        "{pipe}"
    );
    let walked = check(&dir, &["."], limit);
    let parse: Vec<String> = walked
        .found()
        .into_iter()
        .filter(|(_, code, ..)| code == "PARSE002")
        .map(|(path, ..)| path)
        .collect();
    assert_eq!(parse, ["nb/pipe.ipynb", "x.py"]);
    // Checked alone, good.py's project holds the pipes: they are not opened, and not its
    // findings.
    let alone = check(&dir, &["good.py"], limit);
    assert_eq!(alone.found().len(), 1);
}

/// An `extend` chain of thousands of configuration files is refused with a clear error at the
/// file where it goes too deep (it used to overflow the main thread's stack); a chain as long
/// as the limit still works.
#[test]
fn a_long_extend_chain_is_an_error_not_a_crash() {
    let dir = TempDir::new("robust-extend");
    dir.write("good.py", WARNING_PY);
    let chain = |name: &str, length: usize| {
        for i in 0..length {
            let body = if i + 1 < length {
                format!("extend = \"{name}{}.toml\"\n", i + 1)
            } else {
                "ignore = [\"LEAK\"]\n".to_string()
            };
            dir.write(&format!("{name}{i}.toml"), body);
        }
    };
    chain("long", 5000);
    let run = run_limited(&dir, &["check", "good.py", "--config", "long0.toml"], LIMIT);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        common::unwrapped(&run.stderr).contains(
            "long63.toml: invalid value for `extend`: the chain of `extend` files is longer \
             than 64 files"
        ),
        "{}",
        run.stderr
    );
    chain("fits", 64);
    let fits = check(&dir, &["good.py", "--config", "fits0.toml"], LIMIT);
    assert_eq!(fits.found(), [found("good.py", "REPRO006", None, 2, 18)]);
}

fn mkfifo(path: &std::path::Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let made = Command::new("mkfifo").arg(path).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo {}", path.display());
}

/// A named pipe given as `--baseline` or `--config`, or found as a project's mlready.toml or
/// pyproject.toml, is an error that says what it is; one among the project files the project
/// stage reads (a manifest, an imported module) is passed over. Never opened: each of these
/// runs used to wait forever.
#[cfg(unix)]
#[test]
fn named_pipes_as_baseline_or_configuration_are_never_opened() {
    let dir = TempDir::new("robust-fifo-config");
    dir.write("good.py", WARNING_PY);
    let limit = Duration::from_secs(20);
    mkfifo(&dir.join("baseline.json"));
    mkfifo(&dir.join("config.toml"));
    for (args, message) in [
        (
            &["--baseline", "baseline.json"][..],
            "baseline.json: cannot read the baseline: not a regular file (a named pipe)",
        ),
        (
            &["--config", "config.toml"][..],
            "config.toml: --config names a named pipe, not a regular file",
        ),
    ] {
        let run = run_limited(&dir, &[&["check", "good.py"], args].concat(), limit);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        let stderr = common::unwrapped(&run.stderr);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
    for found in ["dedicated/mlready.toml", "pyproject/pyproject.toml"] {
        let folder = found.split('/').next().unwrap();
        dir.write(&format!("{folder}/good.py"), WARNING_PY);
        mkfifo(&dir.join(found));
        let run = run_limited(&dir, &["check", &format!("{folder}/good.py")], limit);
        assert_eq!(run.code, 2, "{found}: {}", run.stderr);
        let stderr = common::unwrapped(&run.stderr);
        assert!(
            stderr.contains(&format!(
                "{found}: not a regular file (a named pipe); mlready does not read it"
            )),
            "{found}: {stderr}"
        );
    }
    // With the configuration named, the project stage still meets the pyproject.toml pipe (a
    // manifest it reads), a requirements.txt pipe, and a module pipe the checked file imports.
    dir.write("real.toml", "");
    mkfifo(&dir.join("pyproject/requirements.txt"));
    mkfifo(&dir.join("pyproject/helpers.py"));
    dir.write(
        "pyproject/good.py",
        format!("from helpers import COLUMNS\n{WARNING_PY}"),
    );
    // (With the cache on: it records the module files the import looked for, and digests
    // them.)
    let run = check(&dir, &["pyproject/good.py", "--config", "real.toml"], limit);
    assert_eq!(
        run.found(),
        [found("pyproject/good.py", "REPRO006", None, 3, 18)]
    );
}

/// NB005 reads the project's pipeline files (DVC, CI, Makefiles) for notebook runners: a named
/// pipe among them is passed over, and the findings are those of the project without it.
#[cfg(unix)]
#[test]
fn a_named_pipe_among_pipeline_files_is_passed_over() {
    fn copy(from: &std::path::Path, to: &std::path::Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap().flatten() {
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), &target).unwrap();
            }
        }
    }
    let dir = TempDir::new("robust-fifo-pipeline");
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/projects/notebook-only-training");
    copy(&fixture, &dir.join("proj"));
    let args = ["proj", "--no-cache"];
    let without = check(&dir, &args, LIMIT);
    assert!(without.codes().contains(&"NB005"), "{:?}", without.found());
    mkfifo(&dir.join("proj/ci/pipeline.yaml"));
    let with = check(&dir, &args, Duration::from_secs(20));
    assert_eq!(with.found(), without.found());
}

#[cfg(unix)]
#[test]
fn symlink_loops_terminate_and_dangling_links_are_skipped() {
    use std::os::unix::fs::symlink;
    let dir = TempDir::new("robust-symlinks");
    dir.write("proj/a/warn.py", WARNING_PY);
    dir.write("proj/b/clean.py", "x = 1\n");
    symlink("..", dir.join("proj/a/up")).unwrap();
    symlink("../b", dir.join("proj/a/to_b")).unwrap();
    symlink("../a", dir.join("proj/b/to_a")).unwrap();
    symlink("itself", dir.join("proj/itself")).unwrap();
    symlink("missing.py", dir.join("proj/dangling.py")).unwrap();
    symlink("missing_dir", dir.join("proj/dangling_dir")).unwrap();
    let run = check(&dir, &["proj"], Duration::from_secs(30));
    assert_eq!(run.code, 1);
    assert_eq!(run.json["files_checked"], 2, "{}", run.json);
    assert_eq!(
        run.found(),
        [found("proj/a/warn.py", "REPRO006", None, 2, 18)]
    );
}

/// A path named on the command line that does not exist, or is a dangling symbolic link, is a
/// PARSE002 finding for that path (ruff's E902) and the other paths are still checked.
#[cfg(unix)]
#[test]
fn missing_paths_and_dangling_links_are_findings_and_the_rest_is_checked() {
    let dir = TempDir::new("robust-missing");
    dir.write("good.py", WARNING_PY);
    std::os::unix::fs::symlink("gone.py", dir.join("dangling.py")).unwrap();
    let run = check(
        &dir,
        &["good.py", "dangling.py", "nowhere/missing.py", "absent"],
        LIMIT,
    );
    assert_eq!(run.code, 1);
    assert_eq!(
        run.found(),
        [
            found("absent", "PARSE002", None, 1, 1),
            found("dangling.py", "PARSE002", None, 1, 1),
            found("good.py", "REPRO006", None, 2, 18),
            found("nowhere/missing.py", "PARSE002", None, 1, 1),
        ]
    );
    let messages: Vec<&str> = run
        .diagnostics()
        .iter()
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages[..2],
        [
            "no such file or directory: `absent`",
            "dangling symbolic link to `gone.py`"
        ]
    );
    // Every path missing: reported all the same, exit 1 (as ruff does).
    let none = check(&dir, &["absent"], LIMIT);
    assert_eq!(none.code, 1);
    assert_eq!(none.found(), [found("absent", "PARSE002", None, 1, 1)]);
}

#[cfg(unix)]
#[test]
fn an_unreadable_file_is_a_finding_and_the_others_are_checked() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("robust-unreadable");
    let locked = dir.write("locked.py", WARNING_PY);
    let locked_nb = dir.write("locked.ipynb", notebook(&[Cell::Code(Some(1), "x = 1\n")]));
    dir.write("warn.py", WARNING_PY);
    for path in [&locked, &locked_nb] {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o000)).unwrap();
    }
    let run = check(&dir, &["."], LIMIT);
    assert_eq!(run.code, 1);
    assert_eq!(run.json["files_checked"], 3);
    if common::is_root() {
        eprintln!("running as root, who can read mode-000 files: only the run itself is checked");
        return;
    }
    assert_eq!(
        run.found(),
        [
            found("locked.ipynb", "PARSE002", None, 1, 1),
            found("locked.py", "PARSE002", None, 1, 1),
            found("warn.py", "REPRO006", None, 2, 18),
        ]
    );
}

#[test]
fn odd_file_names_and_a_folder_named_like_a_file() {
    let dir = TempDir::new("robust-names");
    dir.write("with space é.py", PATH_LINE);
    dir.write("folder.py/inner.py", PATH_LINE);
    dir.write("folder.ipynb/inner.py", "x = 1\n");
    dir.write("stub.pyi", PATH_LINE);
    let run = check(&dir, &["."], LIMIT);
    assert_eq!(
        run.found(),
        [
            found("folder.py/inner.py", "REPRO006", None, 1, 5),
            found("with space é.py", "REPRO006", None, 1, 5),
        ]
    );
    assert_eq!(run.json["files_checked"], 3);
}

#[test]
fn a_deeply_nested_notebook_document() {
    let dir = TempDir::new("robust-deep-json");
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let valid = notebook(&[Cell::Code(Some(1), PATH_LINE)]);
    let text = valid.replacen(
        "\"metadata\": {}",
        &format!("\"metadata\": {{\"deep\": {deep}}}"),
        1,
    );
    assert!(text.contains("\"deep\""));
    dir.write("deep.ipynb", text);
    let run = check(&dir, &["deep.ipynb"], LIMIT);
    // Either read (the metadata is not needed) or refused as PARSE003; never a crash.
    let codes = run.codes();
    assert!(codes == ["REPRO006"] || codes == ["PARSE003"], "{codes:?}");
}

#[test]
fn a_long_file_of_many_fits_and_findings() {
    let dir = TempDir::new("robust-many-fits");
    let block = |i: usize| {
        format!(
            "df{i} = pd.read_csv('data/part{i}.csv')\n\
             X{i} = StandardScaler().fit_transform(df{i}[FEATURES])\n\
             X_tr, X_te, y_tr, y_te = train_test_split(X{i}, df{i}['y'], random_state={i})\n\
             model = LogisticRegression().fit(X_tr, y_tr)\n\
             print(model.score(X_te, y_te))\n"
        )
    };
    let mut text = String::from(
        "import pandas as pd\nfrom sklearn.linear_model import LogisticRegression\n\
         from sklearn.model_selection import train_test_split\n\
         from sklearn.preprocessing import StandardScaler\nFEATURES = ['a', 'b']\n",
    );
    let blocks = 1500;
    for i in 0..blocks {
        text.push_str(&block(i));
    }
    dir.write("many.py", &text);
    let run = check(&dir, &["many.py"], LIMIT);
    let leaks = run.codes().iter().filter(|c| **c == "LEAK001").count();
    assert_eq!(leaks, blocks);
    eprintln!("{blocks} fits checked in {:?}", run.elapsed);
}

/// A script that reads a hard-coded path: one REPRO006 at line 2, column 18.
const GOOD: &str = "import pandas as pd\ndf = pd.read_csv(\"/Users/ana/data.csv\")\n";

/// `lines` lines of generated code, ending with a REPRO006 at line `lines + 2`.
fn generated(lines: usize) -> String {
    let mut text = String::from("import pandas as pd\n");
    for i in 0..lines {
        text.push_str(&format!("x{i} = x{} * 2 + {i}\n", i / 2));
    }
    text.push_str("df = pd.read_csv(\"/Users/ana/data.csv\")\n");
    text
}

fn message_of<'a>(run: &'a Checked, path: &str) -> &'a str {
    run.diagnostics()
        .iter()
        .find(|d| d["path"] == path && d["code"] == "PARSE005")
        .and_then(|d| d["message"].as_str())
        .unwrap_or_else(|| panic!("no PARSE005 on {path}: {:?}", run.found()))
}

#[test]
fn files_over_the_size_limit_are_reported_and_the_rest_is_checked() {
    let dir = TempDir::new("robust-size-limit");
    dir.write("good.py", GOOD);
    let big = generated(20_000);
    dir.write("big.py", &big);
    // A notebook whose code is over the limit, and one whose outputs make the file over 20
    // times the limit: the first is read and measured, the second never read.
    let code: Vec<String> = big.lines().map(|l| format!("{l}\n")).collect();
    let cell = |source: &[String], output: &str| {
        json!({"cell_type": "code", "execution_count": 1, "metadata": {},
               "outputs": [{"output_type": "stream", "name": "stdout", "text": [output]}],
               "source": source})
    };
    dir.write(
        "code.ipynb",
        common::notebook_json(vec![cell(&code, "done\n")]),
    );
    let small = vec![GOOD.to_string()];
    let noisy = common::notebook_json(vec![cell(&small, &"0123456789".repeat(300_000))]);
    dir.write("noisy.ipynb", &noisy);
    let run = check(
        &dir,
        &[
            "good.py",
            "big.py",
            "code.ipynb",
            "noisy.ipynb",
            "--max-file-size",
            "100KB",
        ],
        LIMIT,
    );
    assert_eq!(
        run.found(),
        [
            found("big.py", "PARSE005", None, 1, 1),
            found("code.ipynb", "PARSE005", None, 1, 1),
            found("good.py", "REPRO006", None, 2, 18),
            found("noisy.ipynb", "PARSE005", None, 1, 1),
        ]
    );
    let size = |bytes: usize| format!("{:.1}", bytes as f64 / 1e3);
    assert_eq!(
        message_of(&run, "big.py"),
        format!(
            "skipped without reading it: the file is {} KB, over the 100 KB limit (`max-file-size`)",
            size(big.len())
        )
    );
    assert_eq!(
        message_of(&run, "code.ipynb"),
        format!(
            "skipped: the notebook's cells hold {} KB of code, over the 100 KB limit (`max-file-size`)",
            size(big.len())
        )
    );
    let noisy_message = message_of(&run, "noisy.ipynb");
    assert!(
        noisy_message.starts_with("skipped without reading it: the notebook file is ")
            && noisy_message.ends_with("over 2 MB (20 times `max-file-size`, 100 KB)"),
        "{noisy_message}"
    );
    // The limit is configuration too, and the default is far above these files.
    dir.write(
        "pyproject.toml",
        "[tool.mlready]\nmax-file-size = 1_000_000\n",
    );
    let run = check(&dir, &["good.py", "big.py", "code.ipynb"], LIMIT);
    assert!(!run.codes().contains(&"PARSE005"), "{:?}", run.found());
    assert!(
        run.found()
            .contains(&found("big.py", "REPRO006", None, 20_002, 18))
    );
}

#[test]
fn a_file_past_the_time_limit_is_reported_and_its_result_not_kept() {
    let dir = TempDir::new("robust-time-limit");
    dir.write("pyproject.toml", "[project]\nname = \"slow\"\n");
    dir.write("good.py", GOOD);
    dir.write("slow.py", generated(100_000));
    // With the cache on: a run stopped by the clock must not be replayed by the next one.
    let run_cached = |args: &[&str]| {
        let ended = run_limited(
            &dir,
            &[&["check", "--format", "json"], args].concat(),
            Duration::from_secs(180),
        );
        assert!(ended.code == 1, "exit {}: {}", ended.code, ended.stderr);
        serde_json::from_str::<Value>(&ended.stdout).expect("a JSON report")
    };
    let json = run_cached(&["good.py", "slow.py", "--file-time-limit", "0.001"]);
    let found: Vec<(String, String, String)> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["code"].as_str().unwrap().to_string(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(
        found[0],
        (
            "good.py".to_string(),
            "REPRO006".to_string(),
            found[0].2.clone()
        )
    );
    assert_eq!(
        (
            found[1].0.as_str(),
            found[1].1.as_str(),
            found[1].2.as_str()
        ),
        (
            "slow.py",
            "PARSE005",
            "skipped: the analysis was stopped after 1 ms (the per-file time limit); none of its \
             findings are reported"
        )
    );
    let json = run_cached(&["good.py", "slow.py"]);
    let codes: Vec<(&str, &str)> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["path"].as_str().unwrap(), d["code"].as_str().unwrap()))
        .collect();
    assert_eq!(codes, [("good.py", "REPRO006"), ("slow.py", "REPRO006")]);
}

/// Under `ulimit -v`, a file that would need more memory than is left is not started (an
/// allocation that fails would end the process and lose every file's results).
#[cfg(target_os = "linux")]
#[test]
fn a_file_too_big_for_the_memory_left_is_skipped_and_the_rest_is_checked() {
    let dir = TempDir::new("robust-memory-limit");
    dir.write("good.py", GOOD);
    // About 21 MB of code: by the estimate it needs about 2.6 GB, over the 1.5 GB allowed.
    dir.write("huge.py", generated(700_000));
    let found = check_under_ulimit(
        &dir,
        1_500_000,
        "check good.py huge.py --max-file-size 50MB --no-cache --format json",
        Stdio::null(),
    );
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(
        (found[0].0.as_str(), found[0].1.as_str()),
        ("good.py", "REPRO006")
    );
    assert_eq!(
        (found[1].0.as_str(), found[1].1.as_str()),
        ("huge.py", "PARSE005")
    );
    assert!(
        found[1].2.starts_with("skipped: analysing its ")
            && found[1].2.contains("would need about"),
        "{}",
        found[1].2
    );
}

/// Runs `mlready ARGS` in `dir` under `ulimit -v KIB` (two worker threads, two malloc arenas,
/// so the address space it starts with is the same on any machine) and returns the findings as
/// (path, code, message). The run must end with exit 1: never a signal, never a lost report.
#[cfg(target_os = "linux")]
#[track_caller]
fn check_under_ulimit(
    dir: &TempDir,
    kib: u64,
    args: &str,
    stdin: Stdio,
) -> Vec<(String, String, String)> {
    let script = format!("ulimit -v {kib} && exec '{}' {args}", common::binary());
    let output = Command::new("sh")
        .args(["-c", &script])
        .current_dir(dir.path())
        .env("RAYON_NUM_THREADS", "2")
        .env("MALLOC_ARENA_MAX", "2")
        .stdin(stdin)
        .output()
        .expect("sh runs");
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: Value = serde_json::from_slice(&output.stdout).expect("a JSON report");
    json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let text = |key: &str| d[key].as_str().unwrap().to_string();
            (text("path"), text("code"), text("message"))
        })
        .collect()
}

/// Standard input is read only up to the size limit: `< /dev/zero` ends, reported as over it.
#[cfg(unix)]
#[test]
fn endless_standard_input_is_read_only_up_to_the_limit() {
    let dir = TempDir::new("robust-endless-stdin");
    let output = Command::new(common::binary())
        .args([
            "check",
            "--stdin-filename",
            "piped.py",
            "--max-file-size",
            "1MB",
        ])
        .args(["--no-cache", "--format", "json"])
        .current_dir(dir.path())
        .stdin(std::fs::File::open("/dev/zero").expect("/dev/zero"))
        .output()
        .expect("mlready runs");
    assert_eq!(output.status.code(), Some(1));
    let json: Value = serde_json::from_slice(&output.stdout).expect("a JSON report");
    let found: Vec<(&str, &str)> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["code"].as_str().unwrap(), d["message"].as_str().unwrap()))
        .collect();
    assert_eq!(
        found,
        [(
            "PARSE005",
            "skipped: standard input holds more than 1 MB, the limit (`max-file-size`)"
        )]
    );
}

/// Found by fuzzing (check_notebook): a name found by scanning back from a call stopped one
/// byte after the character before it, inside it when that character is not ASCII, and the
/// slice panicked (the file's findings were lost to an internal error).
#[test]
fn a_non_ascii_character_before_a_name_is_not_a_crash() {
    let dir = TempDir::new("robust-char-boundary");
    dir.write(
        "te.py",
        "import pandas as pd\n\
         from sklearn.linear_model import LogisticRegression\n\
         from sklearn.model_selection import cross_val_score\n\
         \n\
         train = pd.read_csv(\"loans.csv\")\n\
         train[\"city_loans\"] = train.groupby(\"city\")[\"defaulted\"].\u{2192}mean()\n\
         print(cross_val_score(LogisticRegression(), train[[\"city_loans\"]], train[\"defaulted\"], cv=5).mean())\n",
    );
    let run = check(&dir, &["te.py", "--select", "ALL", "--preview"], LIMIT);
    assert_eq!(
        run.found(),
        [
            found("te.py", "LEAK005", None, 6, 1),
            found("te.py", "PARSE001", None, 6, 58),
        ]
    );
    // The same scan for a URL's scheme in a notebook's `%pip install`.
    dir.write(
        "pip.ipynb",
        common::notebook_json(vec![json!({
            "cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [],
            "source": ["%pip install \u{e9}git+https://example.com/pkg\n"],
        })]),
    );
    let run = check(&dir, &["pip.ipynb", "--select", "ALL", "--preview"], LIMIT);
    assert_eq!(run.found(), [found("pip.ipynb", "NB006", Some(1), 1, 1)]);
}

/// Devices named as paths are never opened: reading /dev/zero or /dev/urandom never ends.
#[cfg(unix)]
#[test]
fn devices_named_as_paths_are_reported_and_never_read() {
    let dir = TempDir::new("robust-devices");
    dir.write("good.py", GOOD);
    let run = check(&dir, &["good.py", "/dev/zero", "/dev/urandom"], LIMIT);
    assert_eq!(
        run.found(),
        [
            found("/dev/urandom", "PARSE002", None, 1, 1),
            found("/dev/zero", "PARSE002", None, 1, 1),
            found("good.py", "REPRO006", None, 2, 18),
        ]
    );
    for device in ["/dev/zero", "/dev/urandom"] {
        let message = run
            .diagnostics()
            .iter()
            .find(|d| d["path"] == device)
            .and_then(|d| d["message"].as_str())
            .unwrap()
            .to_string();
        assert_eq!(
            message,
            "not a regular file (a device); skipped without reading it"
        );
    }
}

/// Found by review: code whose model grows faster than the file. A string doubled line after
/// line (`p = p + p`, `p = p / p` on paths) was folded as an artifact path forty times over
/// (a terabyte), and a frame given thousands of columns one line at a time copied all of them
/// at every line (8,000 lines: 4.8 GB, 119 s). Under a 1.5 GB `ulimit -v` both aborted the run.
#[cfg(target_os = "linux")]
#[test]
fn code_whose_values_grow_faster_than_the_file_stays_within_memory() {
    let dir = TempDir::new("robust-growth");
    dir.write("good.py", GOOD);
    let doubled: String = std::iter::once("p = \"a\"\n".to_string())
        .chain((0..40).map(|_| "p = p + p\n".to_string()))
        .collect();
    dir.write("doubled.py", doubled);
    let paths: String = std::iter::once("from pathlib import Path\np = Path(\"a\")\n".to_string())
        .chain((0..40).map(|_| "p = p / p\n".to_string()))
        .collect();
    dir.write("paths.py", paths);
    let columns: String =
        std::iter::once("import pandas as pd\ndf = pd.read_csv(\"a.csv\")\n".to_string())
            .chain((0..8000).map(|i| {
                format!(
                    "df[\"c{i}\"] = df[\"c{}\"] + df[\"c{}\"]\n",
                    i.max(1) - 1,
                    i / 2
                )
            }))
            .collect();
    dir.write("columns.py", columns);
    let started = Instant::now();
    let found = check_under_ulimit(
        &dir,
        1_500_000,
        "check good.py doubled.py paths.py columns.py --select ALL --preview --no-cache \
         --format json",
        Stdio::null(),
    );
    let found: Vec<(&str, &str)> = found
        .iter()
        .map(|(path, code, _)| (path.as_str(), code.as_str()))
        .collect();
    assert_eq!(found, [("good.py", "REPRO006")]);
    assert!(started.elapsed() < LIMIT, "{:?}", started.elapsed());
}

/// Found by review: a notebook's JSON was parsed (up to 17 times its size in memory) and a
/// large standard input parsed whole before any limit was looked at; under `ulimit -v` both
/// aborted the run. Now each is weighed against the memory left first.
#[cfg(target_os = "linux")]
#[test]
fn notebooks_and_standard_input_are_weighed_before_they_are_parsed() {
    let dir = TempDir::new("robust-weighed");
    dir.write("good.py", GOOD);
    // 80 MB of empty raw cells: under 20 times the size limit, so it would be read.
    let cells = vec![r#"{"cell_type":"raw"}"#; 4_000_000].join(",");
    dir.write(
        "cells.ipynb",
        format!(r#"{{"nbformat":4,"nbformat_minor":5,"metadata":{{}},"cells":[{cells}]}}"#),
    );
    let limited = |args: &str, stdin: Stdio| check_under_ulimit(&dir, 1_500_000, args, stdin);
    let found = limited(
        "check good.py cells.ipynb --no-cache --no-project --format json",
        Stdio::null(),
    );
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(
        (found[0].0.as_str(), found[0].1.as_str()),
        ("cells.ipynb", "PARSE005")
    );
    assert!(
        found[0]
            .2
            .starts_with("skipped: reading this 80 MB notebook would need about 1.6 GB"),
        "{}",
        found[0].2
    );
    assert_eq!(
        (found[1].0.as_str(), found[1].1.as_str()),
        ("good.py", "REPRO006")
    );
    // 12 MB of code piped in, over what 1.5 GB leaves once the estimate is made.
    let piped = dir.write("piped.txt", "x = 1\n".repeat(2_000_000));
    let found = limited(
        "check --stdin-filename a.py --max-file-size 20MB --no-cache --format json",
        Stdio::from(std::fs::File::open(piped).unwrap()),
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].0.as_str(), found[0].1.as_str()),
        ("a.py", "PARSE005")
    );
    assert!(found[0].2.contains("would need about"), "{}", found[0].2);
}

/// Found by review: the walk for pipeline files (NB005) weighed each file by its directory
/// entry, which for a link is the link's own size, so a link into a data cache (as DVC makes)
/// to a file of gigabytes was read whole (3 GB: 16 s and 3.1 GB of memory). The peak memory of
/// the run is read with GNU time; without it the test has nothing to measure and says so.
#[cfg(target_os = "linux")]
#[test]
fn a_link_to_a_huge_file_among_pipeline_files_is_weighed_by_its_target() {
    if !std::path::Path::new("/usr/bin/time").exists() {
        eprintln!("skipped: /usr/bin/time (GNU time) is not installed");
        return;
    }
    let dir = TempDir::new("robust-linked-data");
    dir.write("pyproject.toml", "[project]\nname = \"loans\"\n");
    dir.write(
        "notebooks/train.ipynb",
        common::notebook_json(vec![json!({
            "cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [],
            "source": [
                "import joblib\nimport pandas as pd\nfrom sklearn.linear_model import LogisticRegression\n",
                "df = pd.read_csv(\"loans.csv\")\n",
                "model = LogisticRegression(max_iter=200).fit(df[[\"income\", \"debt\"]], df[\"default\"])\n",
                "joblib.dump(model, \"models/loans.joblib\")\n",
            ],
        })]),
    );
    dir.write(
        "app.py",
        "import joblib\nimport pandas as pd\nfrom flask import Flask, jsonify, request\n\
         app = Flask(__name__)\nmodel = joblib.load(\"models/loans.joblib\")\n\
         @app.route(\"/predict\", methods=[\"POST\"])\ndef predict():\n    \
         body = request.get_json()\n    \
         row = pd.DataFrame([{\"income\": body[\"income\"], \"debt\": body[\"debt\"]}])\n    \
         return jsonify(default=int(model.predict(row)[0]))\n",
    );
    // A sparse 2 GB file: no disk used, but reading it takes 2 GB of memory.
    let outside = TempDir::new("robust-linked-data-cache");
    let huge = outside.join("blob");
    std::fs::File::create(&huge)
        .and_then(|f| f.set_len(2_000_000_000))
        .expect("a sparse file");
    std::fs::create_dir_all(dir.join("reports")).unwrap();
    std::os::unix::fs::symlink(&huge, dir.join("reports/train.json")).unwrap();
    let output = Command::new("/usr/bin/time")
        .args(["-f", "peak %M"])
        .arg(common::binary())
        .args(["check", ".", "--preview", "--no-cache", "--format", "json"])
        .current_dir(dir.path())
        .output()
        .expect("GNU time runs mlready");
    assert_eq!(output.status.code(), Some(1));
    let json: Value = serde_json::from_slice(&output.stdout).expect("a JSON report");
    let codes: Vec<&str> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"NB005"), "{codes:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let peak_kb: u64 = stderr
        .lines()
        .find_map(|l| l.strip_prefix("peak "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no peak in {stderr}"));
    assert!(
        peak_kb < 500_000,
        "peak {peak_kb} KB: the linked file was read"
    );
}

/// Found by review: the text format printed a finding's whole source line, so a minified file
/// of one long line with 200 findings printed 200 copies of it (202 MB for a 1 MB file).
#[test]
fn a_long_line_is_not_printed_again_for_every_finding_on_it() {
    let dir = TempDir::new("robust-long-line");
    let line: Vec<String> = (0..200)
        .map(|i| format!("df{i} = pd.read_csv(\"/Users/ana/d{i}.csv\")"))
        .collect();
    let text = format!("import pandas as pd; {}\n", line.join("; "));
    dir.write("min.py", &text);
    let ended = run_limited(&dir, &["check", "min.py", "--no-cache"], LIMIT);
    assert_eq!(ended.code, 1, "{}", ended.stderr);
    assert_eq!(ended.stdout.matches("REPRO006 [warning]").count(), 200);
    // Each finding's own lines, not the file's one line (8 KB) again.
    assert!(
        ended.stdout.len() < 200 * 1_000,
        "{} bytes for 200 findings",
        ended.stdout.len()
    );
}

/// Found by review: a file name's control characters reached the terminal raw in the text and
/// concise formats (an escape sequence recolours it; a newline splits a finding in two).
#[cfg(unix)]
#[test]
fn control_characters_in_file_names_are_shown_escaped() {
    let dir = TempDir::new("robust-file-name");
    dir.write("a\u{1b}[31mred\nb.py", GOOD);
    for format in ["concise", "text", "github"] {
        let ended = run_limited(
            &dir,
            &["check", ".", "--no-cache", "--format", format],
            LIMIT,
        );
        assert_eq!(ended.code, 1, "{}", ended.stderr);
        assert!(
            !ended.stdout.contains('\u{1b}'),
            "{format}: {}",
            ended.stdout
        );
        assert!(
            ended.stdout.contains("a\\x1b[31mred\\nb.py:2:18")
                || ended.stdout.contains("file=a\\x1b[31mred\\nb.py,line=2"),
            "{format}: {}",
            ended.stdout
        );
    }
}

/// Modules a file reads functions from at its calls (build/foreign.rs), made hostile: a chain
/// of two hundred modules each calling the next, two modules calling each other, a class
/// whose `__init__` makes another instance of itself, a module that is a named pipe, one
/// that is not UTF-8, one that does not parse, and a helper called ten thousand times. The
/// run ends quickly, reports nothing it should not, and still reads a helper where it can.
#[test]
fn hostile_imported_modules_are_bounded() {
    let dir = TempDir::new("robust-foreign");
    dir.write("pyproject.toml", "[project]\nname = \"x\"\n");
    for i in 0..200 {
        dir.write(
            &format!("chain/m{i}.py"),
            format!(
                "import joblib\nfrom chain.m{next} import f{next}\n\ndef f{i}(x):\n    joblib.dump(x, 'models/m{i}.pkl')\n    return f{next}(x)\n",
                next = i + 1
            ),
        );
    }
    dir.write("chain/__init__.py", "");
    dir.write("a.py", "import joblib\nfrom b import g\n\ndef f(x):\n    joblib.load('m.pkl')\n    return g(f(x))\n");
    dir.write("b.py", "import joblib\nfrom a import f\n\ndef g(x):\n    joblib.dump(x, 'n.pkl')\n    return f(g(x))\n");
    dir.write(
        "selfish.py",
        "import joblib\n\nclass Model:\n    def __init__(self):\n        self.inner = Model()\n        self.m = joblib.load('m.pkl')\n\nMODEL = Model()\n",
    );
    std::fs::write(
        dir.join("binary.py"),
        b"def load(x):\n    return '\xff\xfe'\n",
    )
    .unwrap();
    dir.write("broken.py", "def load(x:\n    return joblib.load(\n");
    #[cfg(unix)]
    {
        let made = Command::new("mkfifo").arg(dir.join("piped.py")).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo piped.py");
    }
    let calls: String = (0..10_000)
        .map(|i| format!("r{i} = save(m, 'out/{i}.pkl')\n"))
        .collect();
    dir.write(
        "helpers.py",
        "import joblib\n\ndef save(model, path):\n    joblib.dump(model, path)\n",
    );
    dir.write(
        "main.py",
        format!(
            "from chain.m0 import f0\nfrom a import f\nfrom selfish import MODEL, Model\nfrom binary import load as load_binary\nfrom broken import load as load_broken\nfrom piped import thing\nfrom helpers import save\nm = object()\nf0(m)\nf(m)\nModel()\nMODEL.m\nload_binary(m)\nload_broken(m)\nthing(m)\n{calls}"
        ),
    );
    let run = check(&dir, &["main.py", "--select", "ALL", "--preview"], LIMIT);
    assert!(
        run.elapsed < Duration::from_secs(20),
        "took {:?}",
        run.elapsed
    );
    // main.py itself has nothing wrong; no finding is made up in it from the modules it read.
    let in_main: Vec<&str> = run
        .diagnostics()
        .iter()
        .filter(|d| d["path"].as_str().is_some_and(|f| f.ends_with("main.py")))
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert!(
        in_main
            .iter()
            .all(|c| c.starts_with("PARSE") || c.starts_with("SUP")),
        "{in_main:?}"
    );
}
