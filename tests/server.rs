//! `mlready server`, driven by a scripted LSP client over its standard input and output:
//! initialize, open a script and a notebook, change them, save, hover, code actions, bad
//! input, shutdown.

mod common;

use common::TempDir;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

/// How long a test waits for a message before it fails (a debug build on a busy machine).
const PATIENCE: Duration = Duration::from_secs(60);

/// A scripted editor: writes messages to the server, reads what it sends back.
struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    incoming: Receiver<Value>,
    /// Notifications and server requests read while waiting for something else.
    backlog: Vec<Value>,
    next_id: i64,
    /// Of the last [`Client::diagnostics_where`]: the publications on the document it skipped
    /// before the one accepted, and the document version the accepted one was for.
    skipped: usize,
    version: Value,
}

impl Client {
    fn start(dir: &TempDir) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mlready"))
            .arg("server")
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("mlready server starts");
        let stdin = child.stdin.take();
        let mut stdout = BufReader::new(child.stdout.take().expect("piped"));
        let (sender, incoming) = channel();
        std::thread::spawn(move || {
            loop {
                let mut length = None;
                loop {
                    let mut header = String::new();
                    if stdout.read_line(&mut header).unwrap_or(0) == 0 {
                        return;
                    }
                    let header = header.trim_end();
                    if header.is_empty() {
                        break;
                    }
                    if let Some(value) = header.strip_prefix("Content-Length: ") {
                        length = value.parse::<usize>().ok();
                    }
                }
                let Some(length) = length else { return };
                let mut body = vec![0; length];
                if stdout.read_exact(&mut body).is_err() {
                    return;
                }
                let message: Value = serde_json::from_slice(&body).expect("the server sends JSON");
                if sender.send(message).is_err() {
                    return;
                }
            }
        });
        Client {
            child,
            stdin,
            incoming,
            backlog: Vec::new(),
            next_id: 0,
            skipped: 0,
            version: Value::Null,
        }
    }

    fn send_raw(&mut self, body: &[u8]) {
        let stdin = self.stdin.as_mut().expect("the server's input is open");
        write!(stdin, "Content-Length: {}\r\n\r\n", body.len()).unwrap();
        stdin.write_all(body).unwrap();
        stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        let message = json!({"jsonrpc": "2.0", "method": method, "params": params});
        self.send_raw(message.to_string().as_bytes());
    }

    /// Sends a request and waits for its response (keeping what else arrives meanwhile).
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let message = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        self.send_raw(message.to_string().as_bytes());
        let deadline = Instant::now() + PATIENCE;
        loop {
            let message = self
                .next(deadline)
                .unwrap_or_else(|| panic!("no response to {method}"));
            if message.get("id") == Some(&json!(id)) && message.get("method").is_none() {
                return message;
            }
            self.backlog.push(message);
        }
    }

    fn next(&mut self, deadline: Instant) -> Option<Value> {
        let wait = deadline.saturating_duration_since(Instant::now());
        self.incoming.recv_timeout(wait).ok()
    }

    /// Waits for diagnostics published on `uri` that satisfy `accept`; returns them.
    fn diagnostics_where(&mut self, uri: &str, accept: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let deadline = Instant::now() + PATIENCE;
        let mut seen = Vec::new();
        let backlog = std::mem::take(&mut self.backlog);
        let mut pending = backlog.into_iter();
        loop {
            let message = match pending.next() {
                Some(message) => message,
                None => self.next(deadline).unwrap_or_else(|| {
                    panic!("no diagnostics as expected on {uri}; published: {seen:#?}")
                }),
            };
            if message["method"] == "textDocument/publishDiagnostics"
                && message["params"]["uri"] == uri
            {
                let list = message["params"]["diagnostics"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                if accept(&list) {
                    self.backlog.extend(pending);
                    self.skipped = seen.len();
                    self.version = message["params"]["version"].clone();
                    return list;
                }
                seen.push(list);
            } else {
                self.backlog.push(message);
            }
        }
    }

    fn initialize(&mut self, dir: &TempDir) -> Value {
        let root = uri_of(dir.path());
        let response = self.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": root,
                "capabilities": {
                    "window": {"showDocument": {"support": true}},
                    "notebookDocument": {"synchronization": {}},
                },
            }),
        );
        self.notify("initialized", json!({}));
        response
    }

    /// Opens a text document as the editor does (`didOpen`, version 1).
    fn open(&mut self, uri: &str, language: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}}),
        );
    }

    /// shutdown, exit, and the server's exit status. In between, a request is refused as
    /// the protocol says.
    fn shut_down(mut self) -> std::process::ExitStatus {
        let response = self.request("shutdown", Value::Null);
        assert!(response.get("error").is_none(), "{response}");
        let late = self.request("textDocument/hover", json!({}));
        assert_eq!(late["error"]["code"], -32600, "{late}");
        self.notify("exit", Value::Null);
        drop(self.stdin.take());
        wait(&mut self.child)
    }
}

fn wait(child: &mut Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "the server did not exit");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn uri_of(path: &std::path::Path) -> String {
    format!("file://{}", path.display())
}

fn codes(diagnostics: &[Value]) -> Vec<&str> {
    diagnostics
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect()
}

const IMPORTS: &str = "import pandas as pd\nfrom sklearn.linear_model import LogisticRegression\n\
from sklearn.model_selection import train_test_split\nfrom sklearn.preprocessing import StandardScaler";
const LOAD: &str =
    "df = pd.read_csv(\"data/churn.csv\")\nX = df.drop(columns=\"churned\")\ny = df[\"churned\"]";
const LEAKY: &str = "scaler = StandardScaler()\nX_scaled = scaler.fit_transform(X)\n\
X_train, X_test, y_train, y_test = train_test_split(X_scaled, y, random_state=0)\n\
model = LogisticRegression().fit(X_train, y_train)\nprint(model.score(X_test, y_test))";
const FIXED: &str = "X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)\n\
scaler = StandardScaler()\nX_train = scaler.fit_transform(X_train)\n\
model = LogisticRegression().fit(X_train, y_train)\nprint(model.score(scaler.transform(X_test), y_test))";

fn cell(uri: &str, kind: u8) -> Value {
    json!({"kind": kind, "document": uri})
}

fn cell_text(uri: &str, text: &str) -> Value {
    json!({"uri": uri, "languageId": if uri.ends_with("md") { "markdown" } else { "python" }, "version": 1, "text": text})
}

#[test]
fn a_notebook_gets_diagnostics_on_its_cells_as_they_change() {
    let dir = TempDir::new("server-notebook");
    dir.write("pyproject.toml", "[project]\nname = \"demo\"\n");
    let notebook = uri_of(&dir.join("explore.ipynb"));
    let cells = ["md", "c1", "c2", "c3"].map(|name| format!("{notebook}#{name}"));
    let mut client = Client::start(&dir);
    let init = client.initialize(&dir);
    let capabilities = &init["result"]["capabilities"];
    assert_eq!(
        capabilities["notebookDocumentSync"]["notebookSelector"][0]["cells"][0]["language"],
        "python"
    );
    assert_eq!(init["result"]["serverInfo"]["name"], "mlready");

    client.notify(
        "notebookDocument/didOpen",
        json!({
            "notebookDocument": {
                "uri": notebook, "notebookType": "jupyter-notebook", "version": 1,
                "cells": [cell(&cells[0], 1), cell(&cells[1], 2), cell(&cells[2], 2), cell(&cells[3], 2)],
            },
            "cellTextDocuments": [
                cell_text(&cells[0], "# Churn\nScale, split, fit."),
                cell_text(&cells[1], IMPORTS),
                cell_text(&cells[2], LOAD),
                cell_text(&cells[3], LEAKY),
            ],
        }),
    );
    // The leak is on the fourth cell, line 2 (0-based 1), at `scaler.fit_transform(X)`.
    let leak = client.diagnostics_where(&cells[3], |d| codes(d).contains(&"LEAK001"));
    let finding = leak.iter().find(|d| d["code"] == "LEAK001").unwrap();
    assert_eq!(
        finding["range"]["start"],
        json!({"line": 1, "character": 11})
    );
    assert_eq!(finding["severity"], 2);
    assert_eq!(finding["source"], "mlready");
    assert!(
        finding["codeDescription"]["href"]
            .as_str()
            .unwrap()
            .ends_with("rules/LEAK001-preprocessing-before-split.md")
    );
    assert!(finding["message"].as_str().unwrap().contains("help: "));
    // The other cells are published too, empty, so an editor clears what they showed.
    let first = client.diagnostics_where(&cells[1], |_| true);
    assert!(!codes(&first).contains(&"LEAK001"));

    // Hover on the finding shows the rule's page.
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": cells[3]}, "position": {"line": 1, "character": 15}}),
    );
    let page = hover["result"]["contents"]["value"].as_str().unwrap();
    assert!(
        page.contains("preprocessing-before-split (LEAK001)"),
        "{page}"
    );
    let off = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": cells[1]}, "position": {"line": 0, "character": 0}}),
    );
    assert!(off["result"].is_null(), "{off}");

    // Code actions: suppress on the line, in the cell, open the page.
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": cells[3]},
            "range": finding["range"],
            "context": {"diagnostics": [finding]},
        }),
    );
    let actions = actions["result"].as_array().unwrap().clone();
    let titles: Vec<&str> = actions
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert!(
        titles.contains(&"Suppress LEAK001 on this line"),
        "{titles:?}"
    );
    assert!(
        titles.contains(&"Suppress LEAK001 in this cell"),
        "{titles:?}"
    );
    let line_edit = &actions
        .iter()
        .find(|a| a["title"] == "Suppress LEAK001 on this line")
        .unwrap()["edit"]["changes"][&cells[3]][0];
    assert_eq!(line_edit["newText"], "  # mlready: ignore[LEAK001]");
    assert_eq!(
        line_edit["range"]["start"],
        json!({"line": 1, "character": 34})
    );
    let open_page = actions
        .iter()
        .find(|a| a["command"]["command"] == "mlready.openRulePage")
        .expect("an action opens the rule's page");
    let executed = client.request(
        "workspace/executeCommand",
        json!({"command": "mlready.openRulePage", "arguments": open_page["command"]["arguments"]}),
    );
    assert!(executed.get("error").is_none(), "{executed}");
    // The server asks the editor to open the page in a browser.
    let deadline = Instant::now() + PATIENCE;
    let show = loop {
        let message = match client
            .backlog
            .iter()
            .position(|m| m["method"] == "window/showDocument")
        {
            Some(at) => client.backlog.remove(at),
            None => client.next(deadline).expect("a showDocument request"),
        };
        if message["method"] == "window/showDocument" {
            break message;
        }
        client.backlog.push(message);
    };
    assert_eq!(show["params"]["external"], true);
    assert!(show["params"]["uri"].as_str().unwrap().contains("LEAK001"));

    // The cell is fixed (split first, then fit on the training part): the finding goes.
    let last = LEAKY.lines().count() - 1;
    let end = LEAKY.lines().last().unwrap().len();
    let fixed_range =
        json!({"start": {"line": 0, "character": 0}, "end": {"line": last, "character": end}});
    client.notify(
        "notebookDocument/didChange",
        json!({
            "notebookDocument": {"uri": notebook, "version": 2},
            "change": {"cells": {"textContent": [{
                "document": {"uri": cells[3], "version": 2},
                "changes": [{"range": fixed_range, "text": FIXED}],
            }]}},
        }),
    );
    client.diagnostics_where(&cells[3], |d| !codes(d).contains(&"LEAK001"));

    // A cell added at the top that reads a name no cell defines: NB002 on the new cell.
    let added = format!("{notebook}#c0");
    client.notify(
        "notebookDocument/didChange",
        json!({
            "notebookDocument": {"uri": notebook, "version": 3},
            "change": {"cells": {"structure": {
                "array": {"start": 1, "deleteCount": 0, "cells": [cell(&added, 2)]},
                "didOpen": [cell_text(&added, "sns.histplot(df)")],
            }}},
        }),
    );
    let nb002 = client.diagnostics_where(&added, |d| codes(d).contains(&"NB002"));
    let finding = nb002.iter().find(|d| d["code"] == "NB002").unwrap();
    assert_eq!(finding["range"]["start"]["line"], 0);
    assert_eq!(finding["severity"], 1);

    // Closing the notebook clears its cells.
    client.notify(
        "notebookDocument/didClose",
        json!({"notebookDocument": {"uri": notebook}, "cellTextDocuments": []}),
    );
    client.diagnostics_where(&added, |d| d.is_empty());

    assert!(client.shut_down().success());
}

#[test]
fn a_script_is_checked_on_open_change_and_save_with_the_project_configuration() {
    let dir = TempDir::new("server-script");
    // The configuration `check` reads is the server's too: REPRO006 is raised to an error.
    dir.write(
        "pyproject.toml",
        "[tool.mlready]\n[tool.mlready.severity]\nREPRO006 = \"error\"\n",
    );
    let path = dir.write("train.py", common::CLEAN_PY);
    let uri = uri_of(&path);
    let mut client = Client::start(&dir);
    client.initialize(&dir);
    client.open(&uri, "python", common::CLEAN_PY);
    client.diagnostics_where(&uri, |d| d.is_empty());
    // Typed, not saved: the editor's text is checked, not the file on disk.
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": [{"range": {"start": {"line": 1, "character": 18}, "end": {"line": 1, "character": 31}}, "text": "/Users/ana/data.csv"}],
        }),
    );
    let found = client.diagnostics_where(&uri, |d| codes(d).contains(&"REPRO006"));
    let finding = found.iter().find(|d| d["code"] == "REPRO006").unwrap();
    assert_eq!(finding["severity"], 1, "the configured severity: error");
    assert_eq!(
        finding["range"]["start"],
        json!({"line": 1, "character": 17})
    );

    // Suppressed by the code action's comment, written to disk and saved.
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": finding["range"], "context": {"diagnostics": [finding]}}),
    );
    let edit = actions["result"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == "Suppress REPRO006 on this line")
        .map(|a| a["edit"]["changes"][&uri][0].clone())
        .unwrap();
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"range": edit["range"], "text": edit["newText"]}]}),
    );
    client.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri}}),
    );
    client.diagnostics_where(&uri, |d| d.is_empty());
    assert!(client.shut_down().success());
}

#[test]
fn the_server_survives_bad_input() {
    let dir = TempDir::new("server-bad");
    let mut client = Client::start(&dir);
    client.initialize(&dir);
    // Parameters of the wrong shape: an error response, and the server goes on.
    let response = client.request("textDocument/hover", json!({"textDocument": 3}));
    assert_eq!(response["error"]["code"], -32602, "{response}");
    let response = client.request("textDocument/definition", json!({}));
    assert_eq!(response["error"]["code"], -32601, "{response}");
    client.notify("textDocument/didChange", json!({"nonsense": true}));
    // Bodies that are not JSON, not UTF-8, or cut short: skipped, and the next is read.
    client.send_raw(b"{this is not json");
    client.send_raw(b"\xff\xfe\xfd");
    let response = client.request("textDocument/definition", json!({}));
    assert_eq!(response["error"]["code"], -32601, "{response}");
    // A change to a document that was never opened, with a range past its end.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": "file:///nowhere.py", "version": 2},
               "contentChanges": [{"range": {"start": {"line": 99, "character": 99}, "end": {"line": 0, "character": 0}}, "text": "x"}]}),
    );
    // Code that is deeply nested, a syntax error, and a non-Python document.
    let deep = format!("x = {}1{}\n", "(".repeat(5000), ")".repeat(5000));
    let deep_uri = uri_of(&dir.join("deep.py"));
    let broken_uri = uri_of(&dir.join("broken.py"));
    for (uri, text) in [
        (&deep_uri, deep.as_str()),
        (&broken_uri, "def f(:\n    return\n"),
    ] {
        client.open(uri, "python", text);
    }
    client.open(&uri_of(&dir.join("README.md")), "markdown", "# hi");
    let broken = client.diagnostics_where(&broken_uri, |d| !d.is_empty());
    assert_eq!(codes(&broken), ["PARSE001"]);
    // Python the editor has not saved yet, and Python under a notebook's name (the cells
    // jupyterlab-lsp joins into one document): both checked as scripts.
    for uri in [
        "untitled:Untitled-1".to_string(),
        uri_of(&dir.join(".virtual_documents/nb.ipynb")),
    ] {
        client.open(&uri, "python", "def f(:\n");
        let found = client.diagnostics_where(&uri, |d| !d.is_empty());
        assert_eq!(codes(&found), ["PARSE001"]);
    }
    client.diagnostics_where(&deep_uri, |_| true);
    // Still answering.
    let response = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": broken_uri}, "position": {"line": 0, "character": 6}}),
    );
    assert!(response.get("error").is_none(), "{response}");
    assert!(client.shut_down().success());
}

#[test]
fn a_configuration_that_cannot_be_read_is_shown_and_the_server_goes_on() {
    let dir = TempDir::new("server-config");
    dir.write("pyproject.toml", "[tool.mlready]\nselect = [\"LEAK001\"\n");
    let uri = uri_of(&dir.join("train.py"));
    let mut client = Client::start(&dir);
    client.initialize(&dir);
    client.open(&uri, "python", common::WARNING_PY);
    let deadline = Instant::now() + PATIENCE;
    let shown = loop {
        let message = match client.backlog.pop() {
            Some(message) => message,
            None => client
                .next(deadline)
                .expect("a message about the configuration"),
        };
        if message["method"] == "window/showMessage" {
            break message;
        }
    };
    let text = shown["params"]["message"].as_str().unwrap();
    assert!(text.contains("pyproject.toml"), "{text}");
    assert!(!text.contains("╭"), "{text}");
    assert_eq!(shown["params"]["type"], 1);
    // Fixed: the file is checked.
    dir.write(
        "pyproject.toml",
        "[tool.mlready]\nselect = [\"REPRO006\"]\n",
    );
    client.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri}}),
    );
    let found = client.diagnostics_where(&uri, |d| !d.is_empty());
    assert_eq!(codes(&found), ["REPRO006"]);
    assert!(client.shut_down().success());
}

#[test]
fn exit_without_shutdown_is_an_error_and_a_closed_input_ends_the_server() {
    let dir = TempDir::new("server-exit");
    let mut client = Client::start(&dir);
    client.initialize(&dir);
    client.notify("exit", Value::Null);
    assert_eq!(wait(&mut client.child).code(), Some(1));

    let mut client = Client::start(&dir);
    client.initialize(&dir);
    drop(client.stdin.take());
    assert!(wait(&mut client.child).code().is_some());

    // Run by hand, its input closed at once (`mlready server < /dev/null`): a clear message,
    // not a bug report.
    let run = common::run_with_stdin(dir.path(), &["server"], b"");
    run.expect_code(2);
    assert!(
        run.stderr
            .contains("standard input closed before the editor sent `initialize`"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("README"), "{}", run.stderr);
    assert!(!run.stderr.contains("bug"), "{}", run.stderr);
}

#[test]
fn changes_typed_in_a_burst_are_checked_once_the_typing_pauses() {
    let dir = TempDir::new("server-debounce");
    dir.write("pyproject.toml", "[project]\nname = \"demo\"\n");
    let uri = uri_of(&dir.join("train.py"));
    let mut client = Client::start(&dir);
    client.initialize(&dir);
    client.open(&uri, "python", common::CLEAN_PY);
    client.diagnostics_where(&uri, |d| d.is_empty());
    // Twenty keystrokes at once, typing `/Users/ana/` before `data/train.csv`.
    let typed = "/Users/ana/x/y/z/w/v/";
    for (i, c) in typed.chars().enumerate() {
        let at = json!({"line": 1, "character": 18 + i});
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": 2 + i},
                   "contentChanges": [{"range": {"start": at, "end": at}, "text": c.to_string()}]}),
        );
    }
    let found = client.diagnostics_where(&uri, |d| codes(d).contains(&"REPRO006"));
    assert_eq!(codes(&found), ["REPRO006"]);
    // Published once, for the text as last typed: no check of an older text was published.
    assert_eq!(client.skipped, 0);
    assert_eq!(client.version, json!(1 + typed.len()));
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 1, "character": 20}}),
    );
    assert!(
        hover["result"]["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("REPRO006")
    );
    let publications: Vec<&Value> = client
        .backlog
        .iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics")
        .collect();
    assert!(publications.is_empty(), "{publications:#?}");
    assert!(client.shut_down().success());
}
