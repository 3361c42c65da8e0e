//! `mlready server`: a Language Server Protocol server over stdio.
//!
//! The editor sends what it has open (scripts through text document sync, notebooks through
//! LSP 3.17 notebook document sync); the server checks each document with the same engine and
//! configuration as `mlready check`, a short while after the last keystroke (debounced), at
//! once on open and save, and publishes the findings on the script or on each notebook cell.
//! Hover on a finding shows its rule's page; code actions suppress it on its line, its cell or
//! its file, or open the rule's page.
//!
//! Threads: the main thread reads messages and answers requests (it never analyses, so hover
//! and code actions stay quick while a large file is checked); one worker thread checks the
//! documents, newest text only: a check whose document changed again is dropped unpublished.

mod actions;
pub mod analysis;
pub mod documents;
mod transport;

use crate::error::{Error, ErrorKind};
use analysis::{CellSnapshot, Published, Snapshot, uri_path};
use documents::{Documents, TextDocument};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeNotebookDocument, DidChangeTextDocument, DidCloseNotebookDocument,
    DidCloseTextDocument, DidOpenNotebookDocument, DidOpenTextDocument, DidSaveNotebookDocument,
    DidSaveTextDocument, LogMessage, Notification as _, PublishDiagnostics,
};
use lsp_types::request::{CodeActionRequest, ExecuteCommand, HoverRequest, Request as _};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, ExecuteCommandOptions,
    HoverProviderCapability, InitializeParams, LogMessageParams, MessageType, NotebookCellSelector,
    NotebookDocumentSyncOptions, NotebookSelector, OneOf, PublishDiagnosticsParams, SaveOptions,
    ServerCapabilities, ServerInfo, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, TextDocumentSyncSaveOptions, Uri,
};
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::process::ExitCode;
use std::str::FromStr;
use std::sync::mpsc;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

/// How long after the last change a document is checked: long enough to skip the
/// keystrokes of a word, short enough to feel immediate.
pub const DEBOUNCE: Duration = Duration::from_millis(150);

/// The command a code action runs to open a rule's page.
pub const OPEN_RULE_PAGE: &str = "mlready.openRulePage";

/// Runs the server on standard input and output until the editor shuts it down.
pub fn run() -> Result<ExitCode, Error> {
    let (connection, io_threads) = transport::stdio();
    let (id, initialize) = connection.initialize_start().map_err(protocol)?;
    let result = lsp_types::InitializeResult {
        capabilities: capabilities(),
        server_info: Some(ServerInfo {
            name: "mlready".to_string(),
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
        }),
    };
    let result = serde_json::to_value(result).map_err(internal)?;
    connection
        .sender
        .send(Response::new_ok(id, result).into())
        .map_err(|_| protocol("disconnected channel"))?;
    // Unreadable initialize parameters only cost the client's optional capabilities.
    let params: InitializeParams = serde_json::from_value(initialize).unwrap_or_default();
    let show_document = params
        .capabilities
        .window
        .as_ref()
        .and_then(|w| w.show_document.as_ref())
        .is_some_and(|s| s.support);
    let shared = Shared::default();
    let (jobs, queue) = mpsc::channel::<Job>();
    let worker = {
        let sender = connection.sender.clone();
        let shared = shared.clone();
        thread::Builder::new()
            .name("mlready-check".to_string())
            .stack_size(crate::engine::STACK_SIZE)
            .spawn(move || work(queue, sender, shared))
            .map_err(internal)?
    };
    let mut server = Server {
        connection: &connection,
        documents: Documents::default(),
        pending: HashMap::new(),
        jobs,
        shared,
        show_document,
        next_request: 0,
    };
    let clean = server.serve().map_err(protocol)?;
    // Checks still queued or running are of no use now: none is published, and the worker
    // stops after the one it is in.
    server.shared.lock().closing = true;
    drop(server);
    let _ = worker.join();
    drop(connection);
    io_threads.join();
    // The protocol's rule: exit without shutdown first is an error.
    Ok(if clean {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// What the server tells the editor it can do.
fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                will_save: None,
                will_save_wait_until: None,
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(false),
                })),
            },
        )),
        notebook_document_sync: Some(OneOf::Left(NotebookDocumentSyncOptions {
            notebook_selector: vec![NotebookSelector::ByCells {
                notebook: None,
                cells: vec![NotebookCellSelector {
                    language: "python".to_string(),
                }],
            }],
            save: Some(true),
        })),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            work_done_progress_options: Default::default(),
            resolve_provider: Some(false),
        })),
        execute_command_provider: Some(ExecuteCommandOptions {
            commands: vec![OPEN_RULE_PAGE.to_string()],
            work_done_progress_options: Default::default(),
        }),
        ..ServerCapabilities::default()
    }
}

/// What the reader and the worker share.
#[derive(Clone, Default)]
struct Shared {
    inner: Arc<Mutex<SharedState>>,
}

#[derive(Default)]
struct SharedState {
    /// The newest change of each document to check (a script, or a notebook): a check of an
    /// older one is not published. Numbered across documents, so a document closed and
    /// opened again never takes up a number a check of its old text still carries.
    generations: HashMap<String, u64>,
    /// The number the next change gets.
    next_generation: u64,
    /// The editor shut the server down: nothing more is checked or published.
    closing: bool,
    /// The diagnostics last published on each document (script or cell), for hover and code
    /// actions.
    published: HashMap<String, Vec<lsp_types::Diagnostic>>,
    /// The documents each target last published on (a notebook's cells), to clear the ones
    /// that are gone.
    targets: HashMap<String, Vec<String>>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, SharedState> {
        // A panic while holding the lock leaves plain maps behind: still usable.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// One check for the worker.
struct Job {
    target: String,
    generation: u64,
    snapshot: Snapshot,
}

/// The worker: checks each job's snapshot and publishes its findings, unless the document
/// changed or closed meanwhile.
fn work(queue: mpsc::Receiver<Job>, sender: crossbeam_channel::Sender<Message>, shared: Shared) {
    let current = |job: &Job, state: &SharedState| {
        !state.closing && state.generations.get(&job.target) == Some(&job.generation)
    };
    let mut last_error: Option<String> = None;
    for job in queue {
        if !current(&job, &shared.lock()) {
            continue;
        }
        let outcome = catch_unwind(AssertUnwindSafe(|| analysis::check(&job.snapshot)))
            .unwrap_or_else(
                |_| Err("mlready failed on this file (a bug: please report it)".into()),
            );
        let published = match outcome {
            Ok(published) => {
                last_error = None;
                published
            }
            Err(message) => {
                // Said once, not at every keystroke (a configuration being edited is wrong
                // at most keystrokes); the findings shown so far stay.
                if last_error.as_ref() != Some(&message) {
                    log(&sender, MessageType::ERROR, &message);
                    show(&sender, MessageType::ERROR, &message);
                    last_error = Some(message);
                }
                continue;
            }
        };
        let mut state = shared.lock();
        if !current(&job, &state) {
            continue;
        }
        publish(&sender, &mut state, &job.target, published, &job.snapshot);
    }
}

/// Publishes a check's diagnostics, and clears those of documents the target no longer has.
fn publish(
    sender: &crossbeam_channel::Sender<Message>,
    state: &mut SharedState,
    target: &str,
    published: Published,
    snapshot: &Snapshot,
) {
    let versions: HashMap<&str, i32> = match snapshot {
        Snapshot::Script { uri, version, .. } => HashMap::from([(uri.as_str(), *version)]),
        Snapshot::Notebook { cells, .. } => cells
            .iter()
            .map(|cell| (cell.uri.as_str(), cell.version))
            .collect(),
    };
    let uris: Vec<String> = published.keys().cloned().collect();
    for gone in state
        .targets
        .insert(target.to_string(), uris)
        .unwrap_or_default()
    {
        if !published.contains_key(&gone) {
            state.published.remove(&gone);
            send_diagnostics(sender, &gone, Vec::new(), None);
        }
    }
    for (uri, diagnostics) in published {
        let version = versions.get(uri.as_str()).copied();
        send_diagnostics(sender, &uri, diagnostics.clone(), version);
        state.published.insert(uri, diagnostics);
    }
}

fn send_diagnostics(
    sender: &crossbeam_channel::Sender<Message>,
    uri: &str,
    diagnostics: Vec<lsp_types::Diagnostic>,
    version: Option<i32>,
) {
    let Ok(uri) = Uri::from_str(uri) else { return };
    let params = PublishDiagnosticsParams {
        uri,
        diagnostics,
        version,
    };
    let _ = sender.send(Notification::new(PublishDiagnostics::METHOD.to_string(), params).into());
}

/// A message the editor shows (a configuration mlready cannot read, so nothing is checked).
fn show(sender: &crossbeam_channel::Sender<Message>, typ: MessageType, message: &str) {
    let params = lsp_types::ShowMessageParams {
        typ,
        message: format!("mlready: {message}"),
    };
    let method = lsp_types::notification::ShowMessage::METHOD.to_string();
    let _ = sender.send(Notification::new(method, params).into());
}

/// A line of the editor's log of the server.
fn log(sender: &crossbeam_channel::Sender<Message>, typ: MessageType, message: &str) {
    let params = LogMessageParams {
        typ,
        message: format!("mlready: {message}"),
    };
    let _ = sender.send(Notification::new(LogMessage::METHOD.to_string(), params).into());
}

/// The reader's side: the open documents and the checks waiting for their debounce.
struct Server<'a> {
    connection: &'a Connection,
    documents: Documents,
    /// Documents to check (a script's URI, or a notebook's), and when.
    pending: HashMap<String, Instant>,
    jobs: mpsc::Sender<Job>,
    shared: Shared,
    /// The editor can open a web page for us (`window/showDocument`).
    show_document: bool,
    next_request: u64,
}

impl Server<'_> {
    /// Reads messages until the editor shuts the server down. `Ok(true)` after a `shutdown`
    /// request, `Ok(false)` when the editor left without one.
    fn serve(&mut self) -> Result<bool, String> {
        loop {
            let due = self.pending.values().min().copied();
            let message = match due {
                Some(due) => {
                    let wait = due.saturating_duration_since(Instant::now());
                    match self.connection.receiver.recv_timeout(wait) {
                        Ok(message) => Some(message),
                        Err(crossbeam_channel::RecvTimeoutError::Timeout) => None,
                        Err(crossbeam_channel::RecvTimeoutError::Disconnected) => return Ok(false),
                    }
                }
                None => match self.connection.receiver.recv() {
                    Ok(message) => Some(message),
                    Err(_) => return Ok(false),
                },
            };
            match message {
                Some(Message::Request(request)) if request.method == "shutdown" => {
                    self.shared.lock().closing = true;
                    self.respond(Response::new_ok(request.id, ()));
                    return Ok(self.after_shutdown());
                }
                Some(Message::Request(request)) => self.request(request),
                Some(Message::Notification(notification)) => {
                    if notification.method == lsp_types::notification::Exit::METHOD {
                        return Ok(false);
                    }
                    self.notification(notification);
                }
                Some(Message::Response(_)) | None => {}
            }
            self.start_due_checks();
        }
    }

    /// After `shutdown`: requests are refused (InvalidRequest), notifications dropped, until
    /// `exit` or the end of the input, which both end the server cleanly.
    fn after_shutdown(&mut self) -> bool {
        while let Ok(message) = self.connection.receiver.recv() {
            match message {
                Message::Notification(n) if n.method == lsp_types::notification::Exit::METHOD => {
                    break;
                }
                Message::Request(request) => self.respond(Response::new_err(
                    request.id,
                    ErrorCode::InvalidRequest as i32,
                    "mlready server is shut down: only `exit` is expected".to_string(),
                )),
                _ => {}
            }
        }
        true
    }

    fn respond(&self, response: Response) {
        let _ = self.connection.sender.send(response.into());
    }

    fn request(&mut self, request: Request) {
        let id = request.id.clone();
        let result = match request.method.as_str() {
            HoverRequest::METHOD => params(request)
                .map(|p| serde_json::to_value(actions::hover(&self.shared.lock().published, &p))),
            CodeActionRequest::METHOD => params(request).map(|p: lsp_types::CodeActionParams| {
                // This document's findings only, copied so the worker is not held up.
                let uri = p.text_document.uri.as_str();
                let published = self.shared.lock().published.get(uri).cloned();
                let published = published.unwrap_or_default();
                serde_json::to_value(actions::code_actions(&self.documents, &published, p))
            }),
            ExecuteCommand::METHOD => params(request).map(|p| {
                self.execute_command(p);
                Ok(serde_json::Value::Null)
            }),
            "initialize" => Err(Response::new_err(
                id.clone(),
                ErrorCode::InvalidRequest as i32,
                "mlready server is initialized already".to_string(),
            )),
            _ => Err(Response::new_err(
                id.clone(),
                ErrorCode::MethodNotFound as i32,
                format!("mlready server does not handle `{}`", request.method),
            )),
        };
        let response = match result {
            Ok(Ok(value)) => Response::new_ok(id, value),
            Ok(Err(err)) => Response::new_err(id, ErrorCode::InternalError as i32, err.to_string()),
            Err(response) => response,
        };
        let _ = self.connection.sender.send(response.into());
    }

    fn notification(&mut self, notification: Notification) {
        let now = Instant::now();
        match notification.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let Some(p) = notification_params::<lsp_types::DidOpenTextDocumentParams>(
                    &self.connection.sender,
                    notification,
                ) else {
                    return;
                };
                let uri = p.text_document.uri.as_str().to_string();
                // A cell the client also opened as a text document belongs to its notebook.
                if self.documents.owner.contains_key(&uri) {
                    return;
                }
                self.documents.texts.insert(
                    uri.clone(),
                    TextDocument {
                        text: p.text_document.text,
                        version: p.text_document.version,
                        language: p.text_document.language_id,
                    },
                );
                self.touch(&uri, now);
            }
            DidChangeTextDocument::METHOD => {
                let Some(p) = notification_params::<lsp_types::DidChangeTextDocumentParams>(
                    &self.connection.sender,
                    notification,
                ) else {
                    return;
                };
                let uri = p.text_document.uri.as_str().to_string();
                if let Some(document) = self.documents.texts.get_mut(&uri) {
                    document.apply(p.content_changes, p.text_document.version);
                    let target = self.documents.owner.get(&uri).cloned().unwrap_or(uri);
                    self.touch(&target, now + DEBOUNCE);
                }
            }
            DidSaveTextDocument::METHOD => {
                let Some(p) = notification_params::<lsp_types::DidSaveTextDocumentParams>(
                    &self.connection.sender,
                    notification,
                ) else {
                    return;
                };
                self.saved(p.text_document.uri.as_str(), now);
            }
            DidCloseTextDocument::METHOD => {
                let Some(p) = notification_params::<lsp_types::DidCloseTextDocumentParams>(
                    &self.connection.sender,
                    notification,
                ) else {
                    return;
                };
                let uri = p.text_document.uri.as_str().to_string();
                if !self.documents.owner.contains_key(&uri) {
                    self.documents.texts.remove(&uri);
                    self.close(&uri, vec![uri.clone()]);
                }
            }
            DidOpenNotebookDocument::METHOD => {
                let Some(p) = notification_params::<lsp_types::DidOpenNotebookDocumentParams>(
                    &self.connection.sender,
                    notification,
                ) else {
                    return;
                };
                let uri = p.notebook_document.uri.as_str().to_string();
                self.documents.open_notebook(
                    uri.clone(),
                    p.notebook_document.version,
                    &p.notebook_document.cells,
                    p.cell_text_documents,
                );
                self.touch(&uri, now);
            }
            DidChangeNotebookDocument::METHOD => {
                let Some(p) = notification_params::<lsp_types::DidChangeNotebookDocumentParams>(
                    &self.connection.sender,
                    notification,
                ) else {
                    return;
                };
                let uri = p.notebook_document.uri.as_str().to_string();
                self.documents
                    .change_notebook(&uri, p.notebook_document.version, p.change);
                self.touch(&uri, now + DEBOUNCE);
            }
            DidSaveNotebookDocument::METHOD => {
                let Some(p) = notification_params::<lsp_types::DidSaveNotebookDocumentParams>(
                    &self.connection.sender,
                    notification,
                ) else {
                    return;
                };
                self.saved(p.notebook_document.uri.as_str(), now);
            }
            DidCloseNotebookDocument::METHOD => {
                let Some(p) = notification_params::<lsp_types::DidCloseNotebookDocumentParams>(
                    &self.connection.sender,
                    notification,
                ) else {
                    return;
                };
                let uri = p.notebook_document.uri.as_str().to_string();
                let cells = self.documents.close_notebook(&uri);
                self.close(&uri, cells);
            }
            _ => {}
        }
    }

    /// A document changed: checks of its older text are void, and it is checked at `when`.
    fn touch(&mut self, target: &str, when: Instant) {
        let mut state = self.shared.lock();
        state.next_generation += 1;
        let generation = state.next_generation;
        state.generations.insert(target.to_string(), generation);
        drop(state);
        self.pending.insert(target.to_string(), when);
    }

    /// A document was saved: it is checked now, and the other open documents soon, since the
    /// project findings they get from this file may have changed.
    fn saved(&mut self, uri: &str, now: Instant) {
        let target = self
            .documents
            .owner
            .get(uri)
            .cloned()
            .unwrap_or_else(|| uri.to_string());
        let open: Vec<String> = self.open_targets();
        for other in open {
            if other != target {
                self.pending.entry(other).or_insert(now + DEBOUNCE);
            }
        }
        if self.documents.texts.contains_key(&target)
            || self.documents.notebooks.contains_key(&target)
        {
            self.touch(&target, now);
        }
    }

    /// A document closed: nothing more is published on it, and what was is cleared.
    fn close(&mut self, target: &str, uris: Vec<String>) {
        self.pending.remove(target);
        let mut state = self.shared.lock();
        state.generations.remove(target);
        let mut uris = uris;
        uris.extend(state.targets.remove(target).unwrap_or_default());
        uris.sort();
        uris.dedup();
        for uri in uris {
            state.published.remove(&uri);
            send_diagnostics(&self.connection.sender, &uri, Vec::new(), None);
        }
    }

    /// The open scripts and notebooks (not the cells).
    fn open_targets(&self) -> Vec<String> {
        let scripts = self
            .documents
            .texts
            .keys()
            .filter(|uri| !self.documents.owner.contains_key(*uri));
        scripts
            .chain(self.documents.notebooks.keys())
            .cloned()
            .collect()
    }

    /// Hands the documents whose debounce ran out to the worker.
    fn start_due_checks(&mut self) {
        let now = Instant::now();
        let due: Vec<String> = self
            .pending
            .iter()
            .filter(|(_, when)| **when <= now)
            .map(|(target, _)| target.clone())
            .collect();
        for target in due {
            self.pending.remove(&target);
            let Some(snapshot) = self.snapshot(&target) else {
                continue;
            };
            // A document closed meanwhile has no generation: nothing to check.
            let Some(generation) = self.shared.lock().generations.get(&target).copied() else {
                continue;
            };
            let _ = self.jobs.send(Job {
                target,
                generation,
                snapshot,
            });
        }
    }

    /// The text to check for a script or a notebook; `None` for a document mlready does not
    /// check (not a `.py` or `.ipynb` file, or not a file at all).
    fn snapshot(&self, target: &str) -> Option<Snapshot> {
        if let Some(notebook) = self.documents.notebooks.get(target) {
            let mut path = document_path(target)?;
            if crate::source::FileKind::of(&path) != Some(crate::source::FileKind::Notebook) {
                let mut name = path.file_name()?.to_os_string();
                name.push(".ipynb");
                path.set_file_name(name);
            }
            let cells = notebook
                .cells
                .iter()
                .map(|cell| {
                    let text = self.documents.texts.get(&cell.uri);
                    CellSnapshot {
                        uri: cell.uri.clone(),
                        // A raw cell is a code cell of another language to the editor.
                        code: cell.code && text.is_none_or(|t| is_python(&t.language)),
                        text: text.map(|t| t.text.clone()).unwrap_or_default(),
                        version: text.map_or(0, |t| t.version),
                        execution_order: cell.execution_order,
                    }
                })
                .collect();
            return Some(Snapshot::Notebook { path, cells });
        }
        let document = self.documents.texts.get(target)?;
        let path = script_path(target, is_python(&document.language))?;
        Some(Snapshot::Script {
            uri: target.to_string(),
            path,
            text: document.text.clone(),
            version: document.version,
        })
    }

    fn execute_command(&mut self, params: lsp_types::ExecuteCommandParams) {
        if params.command != OPEN_RULE_PAGE {
            return;
        }
        let code = params
            .arguments
            .first()
            .and_then(|value| value.as_str())
            .and_then(crate::registry::find);
        let Some(rule) = code else { return };
        let url = rule.url();
        match (self.show_document, Uri::from_str(&url)) {
            (true, Ok(uri)) => {
                self.next_request += 1;
                let params = lsp_types::ShowDocumentParams {
                    uri,
                    external: Some(true),
                    take_focus: Some(true),
                    selection: None,
                };
                let request = Request::new(
                    RequestId::from(format!("mlready-{}", self.next_request)),
                    lsp_types::request::ShowDocument::METHOD.to_string(),
                    params,
                );
                let _ = self.connection.sender.send(request.into());
            }
            _ => show(
                &self.connection.sender,
                MessageType::INFO,
                &format!("{} ({}): {url}", rule.code, rule.name),
            ),
        }
    }
}

/// Whether an editor's `languageId` is Python (`python`; `ipython` and none, from some
/// clients).
fn is_python(language: &str) -> bool {
    matches!(language, "python" | "ipython" | "python3" | "")
}

/// The file a document stands for: its path, or for a document that is not a file yet (an
/// unsaved buffer), a file of that name in the working directory.
fn document_path(uri: &str) -> Option<PathBuf> {
    match uri_path(uri) {
        Some(path) => Some(path),
        None => {
            let name = uri.rsplit(['/', ':']).next().unwrap_or("untitled");
            let name: String = name
                .chars()
                .map(|c| {
                    if c.is_alphanumeric() || matches!(c, '.' | '-') {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            Some(std::env::current_dir().ok()?.join(name))
        }
    }
}

/// The path a script is checked as: a `.py` file as it is; another document the editor says
/// is Python (an unsaved buffer, the concatenated cells jupyterlab-lsp sends as
/// `notebook.ipynb`) as that name with `.py` added, so it is read as a script.
fn script_path(uri: &str, python: bool) -> Option<PathBuf> {
    let path = document_path(uri)?;
    match crate::source::FileKind::of(&path) {
        Some(crate::source::FileKind::Python) => Some(path),
        _ if python => {
            let mut name = path.file_name()?.to_os_string();
            name.push(".py");
            Some(path.with_file_name(name))
        }
        _ => None,
    }
}

/// A request's parameters, or the error response that says they could not be read.
fn params<P: DeserializeOwned>(request: Request) -> Result<P, Response> {
    serde_json::from_value(request.params).map_err(|err| {
        Response::new_err(
            request.id,
            ErrorCode::InvalidParams as i32,
            format!("invalid parameters for `{}`: {err}", request.method),
        )
    })
}

/// A notification's parameters; a notification that cannot be read has no reply to carry an
/// error, so it is dropped with a line in the editor's log (a URI that is not percent-encoded,
/// a field of the wrong type).
fn notification_params<P: DeserializeOwned>(
    sender: &crossbeam_channel::Sender<Message>,
    notification: Notification,
) -> Option<P> {
    serde_json::from_value(notification.params)
        .map_err(|err| {
            let message = format!(
                "ignored `{}`: its parameters cannot be read: {err}",
                notification.method
            );
            log(sender, MessageType::WARNING, &message);
        })
        .ok()
}

fn internal(err: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::Internal(format!("mlready server: {err}")))
}

/// The editor's side broke off: its input closed before `initialize` (the server was run by
/// hand, or the editor died), or what it sent is not LSP.
fn protocol(err: impl std::fmt::Display) -> Error {
    let err = err.to_string();
    let message = if err == "disconnected channel" {
        "standard input closed before the editor sent `initialize`".to_string()
    } else {
        format!("the editor's messages cannot be read: {err}")
    };
    Error::new(ErrorKind::Server(message))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A check of a document's old text never passes for current: not after a change, and
    /// not after the document is closed and opened again.
    #[test]
    fn a_check_of_an_old_text_is_never_current() {
        let (server_side, _client_side) = Connection::memory();
        let (jobs, _queue) = mpsc::channel();
        let shared = Shared::default();
        let mut server = Server {
            connection: &server_side,
            documents: Documents::default(),
            pending: HashMap::new(),
            jobs,
            shared: shared.clone(),
            show_document: false,
            next_request: 0,
        };
        let generation = |shared: &Shared| shared.lock().generations.get("a").copied();
        let now = Instant::now();
        server.touch("a", now);
        let first = generation(&shared).unwrap();
        server.touch("a", now);
        let second = generation(&shared).unwrap();
        assert_ne!(first, second);
        server.close("a", vec!["a".to_string()]);
        assert_eq!(generation(&shared), None);
        assert!(!server.pending.contains_key("a"));
        server.touch("a", now);
        let reopened = generation(&shared).unwrap();
        assert!(reopened != first && reopened != second);
    }
}
