//! The server's standard input and output, as `lsp-server`'s stdio transport does it, but
//! lenient on input: a message whose body is not JSON, not UTF-8 or not a JSON-RPC message is
//! skipped with a line on standard error (the editor's log of the server), not the end of the
//! session. The framing (`Content-Length`) is read by `lsp-server`'s own reader; a body it has
//! read whole is skipped, so the next message is read from where it starts.

use crossbeam_channel::{Receiver, Sender, bounded};
use lsp_server::{Connection, Message};
use std::io::{self, BufReader, Write};
use std::thread;

/// The reader and writer threads.
pub struct IoThreads {
    reader: Option<thread::JoinHandle<()>>,
    writer: Option<thread::JoinHandle<()>>,
}

impl IoThreads {
    /// Waits for the writer to send what is left; the reader ends with the input (or at
    /// `exit`), and is not waited for when the editor keeps its end open.
    pub fn join(mut self) {
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
        if let Some(reader) = self.reader.take()
            && reader.is_finished()
        {
            let _ = reader.join();
        }
    }
}

/// A connection over standard input and output.
pub fn stdio() -> (Connection, IoThreads) {
    let (writer_sender, writer_receiver): (Sender<Message>, Receiver<Message>) = bounded(0);
    let writer = thread::Builder::new()
        .name("mlready-lsp-writer".to_string())
        .spawn(move || {
            let stdout = io::stdout();
            let mut stdout = stdout.lock();
            for message in writer_receiver {
                if message.write(&mut stdout).is_err() {
                    break;
                }
            }
            let _ = stdout.flush();
        })
        .ok();
    let (reader_sender, reader_receiver) = bounded::<Message>(0);
    let reader = thread::Builder::new()
        .name("mlready-lsp-reader".to_string())
        .spawn(move || read(&mut BufReader::new(io::stdin().lock()), &reader_sender))
        .ok();
    let connection = Connection {
        sender: writer_sender,
        receiver: reader_receiver,
    };
    (connection, IoThreads { reader, writer })
}

/// Reads messages until the input ends, `exit` arrives, or the server stops listening.
fn read(input: &mut impl io::BufRead, sender: &Sender<Message>) {
    // A run of unreadable messages with nothing readable between is a stream out of step
    // (a `Content-Length` that lies): it ends the session rather than spin.
    let mut unreadable_in_a_row = 0;
    loop {
        match Message::read(input) {
            Ok(Some(message)) => {
                unreadable_in_a_row = 0;
                let exit = matches!(&message, Message::Notification(n) if n.method == "exit");
                if sender.send(message).is_err() || exit {
                    return;
                }
            }
            Ok(None) => return,
            Err(err) if err.kind() == io::ErrorKind::InvalidData && unreadable_in_a_row < 100 => {
                unreadable_in_a_row += 1;
                let _ = writeln!(
                    io::stderr(),
                    "mlready server: skipped a message that cannot be read: {err}"
                );
            }
            Err(err) => {
                let _ = writeln!(
                    io::stderr(),
                    "mlready server: the editor's messages cannot be read: {err}"
                );
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn framed(body: &[u8]) -> Vec<u8> {
        let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        out.extend_from_slice(body);
        out
    }

    #[test]
    fn an_unreadable_message_is_skipped_and_the_next_is_read() {
        let mut input = Vec::new();
        input.extend(framed(
            br#"{"jsonrpc": "2.0", "method": "a", "params": {"s": "\ud83d"}}"#,
        ));
        input.extend(framed(b"\xff\xfe not utf-8"));
        input.extend(framed(b"{truncated"));
        input.extend(framed(
            br#"{"jsonrpc": "2.0", "method": "b", "params": null}"#,
        ));
        input.extend(framed(br#"{"jsonrpc": "2.0", "method": "exit"}"#));
        input.extend(framed(br#"{"jsonrpc": "2.0", "method": "after-exit"}"#));
        let (sender, receiver) = crossbeam_channel::unbounded();
        read(&mut io::Cursor::new(input), &sender);
        let methods: Vec<String> = receiver
            .try_iter()
            .filter_map(|m| match m {
                Message::Notification(n) => Some(n.method),
                _ => None,
            })
            .collect();
        // The lone surrogate is valid JSON text to serde_json's Value: kept; the rest skipped.
        assert!(
            methods.ends_with(&["b".to_string(), "exit".to_string()]),
            "{methods:?}"
        );
        assert!(!methods.contains(&"after-exit".to_string()));
    }

    #[test]
    fn a_stream_out_of_step_ends_instead_of_spinning() {
        let input = b"Content-Length: abc\r\n\r\n{}".repeat(1000);
        let (sender, _receiver) = crossbeam_channel::unbounded();
        read(&mut io::Cursor::new(input), &sender);
    }
}
