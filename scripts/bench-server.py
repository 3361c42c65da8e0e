#!/usr/bin/env python3
"""Latency of `mlready server`: how long after a change its diagnostics arrive.

Usage: scripts/bench-server.py [--mlready PATH] [--lines N] [--edits K]

It writes a project to a temporary folder: a script of about N lines (5,000 by default) made of
the demo project's training code (examples/churn-demo) repeated, as a long notebook exported
to a script reads, and the same code as a notebook of 20-line cells. It then drives the server
as an editor does, over stdio:

- open: the time from didOpen to the first diagnostics (the project is parsed and cached);
- edit: K single-character edits in the middle of the file, one at a time; the time from each
  didChange to the diagnostics of that version (debounce included);
- typing: keystrokes every 30 ms for 3 s while asking for hovers; the slowest hover answer
  (the server must stay responsive while it checks), and the time from the last keystroke to
  the diagnostics of the final text.

Prints a table (milliseconds). Needs only Python 3.
"""

import argparse
import json
import os
import queue
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def build_script(lines):
    demo = ROOT / "examples" / "churn-demo"
    imports, bodies = [], []
    for name in ("train.py", "ltv.py"):
        for line in (demo / name).read_text().splitlines():
            (imports if line.startswith(("import ", "from ")) else bodies).append(line)
    header = sorted(set(imports))
    out = list(header)
    while len(out) < lines:
        out.extend(bodies)
    return "\n".join(out[:lines]) + "\n"


def build_cells(script, per_cell=20):
    lines = script.splitlines()
    return ["\n".join(lines[i : i + per_cell]) for i in range(0, len(lines), per_cell)]


class Client:
    def __init__(self, command, cwd):
        self.proc = subprocess.Popen(
            command,
            cwd=cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.messages = queue.Queue()
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        out = self.proc.stdout
        while True:
            length = None
            while True:
                header = out.readline()
                if not header:
                    return
                header = header.strip()
                if not header:
                    break
                if header.lower().startswith(b"content-length:"):
                    length = int(header.split(b":")[1])
            body = out.read(length)
            self.messages.put((time.perf_counter(), json.loads(body)))

    def send(self, message):
        body = json.dumps(message).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()
        return time.perf_counter()

    def notify(self, method, params):
        return self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method, params):
        self.next_id += 1
        sent = self.send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        return self.next_id, sent

    def wait(self, accept, timeout=120):
        deadline = time.perf_counter() + timeout
        while True:
            at, message = self.messages.get(timeout=max(0.001, deadline - time.perf_counter()))
            if accept(message):
                return at, message


def published(uri, version=None):
    def accept(message):
        if message.get("method") != "textDocument/publishDiagnostics":
            return False
        params = message["params"]
        return params["uri"] == uri and (version is None or params.get("version") == version)

    return accept


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mlready", default=os.environ.get("MLREADY", "mlready"))
    parser.add_argument("--lines", type=int, default=5000)
    parser.add_argument("--edits", type=int, default=30)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="mlready-bench-server-"))
    try:
        (work / "pyproject.toml").write_text('[project]\nname = "bench"\n')
        script = build_script(args.lines)
        (work / "long.py").write_text(script)
        cells = build_cells(script)
        client = Client([args.mlready, "server"], work)
        _, _ = client.request(
            "initialize",
            {"processId": None, "rootUri": work.as_uri(), "capabilities": {}},
        )
        client.wait(lambda m: m.get("id") == 1)
        client.notify("initialized", {})
        rows = []

        # The script.
        uri = (work / "long.py").as_uri()
        sent = client.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": script}},
        )
        at, first = client.wait(published(uri, 1))
        findings = len(first["params"]["diagnostics"])
        rows.append(("script: open (cold cache)", [1000 * (at - sent)]))
        middle = args.lines // 2
        version = 1
        latencies = []
        for i in range(args.edits):
            version += 1
            # Add a character to a comment at the middle of the file, and take it away again.
            text = "#" if i % 2 == 0 else ""
            end = 0 if i % 2 == 0 else 1
            sent = client.notify(
                "textDocument/didChange",
                {
                    "textDocument": {"uri": uri, "version": version},
                    "contentChanges": [
                        {
                            "range": {
                                "start": {"line": middle, "character": 0},
                                "end": {"line": middle, "character": end},
                            },
                            "text": text,
                        }
                    ],
                },
            )
            at, _ = client.wait(published(uri, version))
            latencies.append(1000 * (at - sent))
        rows.append(("script: one edit, diagnostics back", latencies))

        # Typing: a keystroke every 30 ms for 3 s, with a hover after each.
        hover_times = []
        pending = {}
        start = time.perf_counter()
        while time.perf_counter() - start < 3:
            version += 1
            client.notify(
                "textDocument/didChange",
                {
                    "textDocument": {"uri": uri, "version": version},
                    "contentChanges": [
                        {
                            "range": {
                                "start": {"line": middle, "character": 0},
                                "end": {"line": middle, "character": 0},
                            },
                            "text": "#",
                        }
                    ],
                },
            )
            request_id, sent = client.request(
                "textDocument/hover",
                {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}},
            )
            pending[request_id] = sent
            time.sleep(0.03)
        last_sent = time.perf_counter()
        while pending:
            at, message = client.wait(lambda m: m.get("id") in pending or m.get("method"))
            if message.get("id") in pending:
                hover_times.append(1000 * (at - pending.pop(message["id"])))
        at, _ = client.wait(published(uri, version))
        rows.append(("typing: hover answered while checking", hover_times))
        rows.append(("typing: last keystroke to diagnostics", [1000 * (at - last_sent)]))

        # The notebook.
        nb_uri = (work / "long.ipynb").as_uri()
        cell_uris = [f"{nb_uri}#cell{i}" for i in range(len(cells))]
        sent = client.notify(
            "notebookDocument/didOpen",
            {
                "notebookDocument": {
                    "uri": nb_uri,
                    "notebookType": "jupyter-notebook",
                    "version": 1,
                    "cells": [{"kind": 2, "document": u} for u in cell_uris],
                },
                "cellTextDocuments": [
                    {"uri": u, "languageId": "python", "version": 1, "text": t}
                    for u, t in zip(cell_uris, cells)
                ],
            },
        )
        target = cell_uris[len(cells) // 2]
        at, _ = client.wait(published(target, 1))
        rows.append(("notebook: open", [1000 * (at - sent)]))
        latencies = []
        for i in range(args.edits):
            version = i + 2
            text = "#" if i % 2 == 0 else ""
            end = 0 if i % 2 == 0 else 1
            sent = client.notify(
                "notebookDocument/didChange",
                {
                    "notebookDocument": {"uri": nb_uri, "version": version},
                    "change": {
                        "cells": {
                            "textContent": [
                                {
                                    "document": {"uri": target, "version": version},
                                    "changes": [
                                        {
                                            "range": {
                                                "start": {"line": 0, "character": 0},
                                                "end": {"line": 0, "character": end},
                                            },
                                            "text": text,
                                        }
                                    ],
                                }
                            ]
                        }
                    },
                },
            )
            at, _ = client.wait(published(target, version))
            latencies.append(1000 * (at - sent))
        rows.append(("notebook: one cell edit, diagnostics back", latencies))

        client.request("shutdown", None)
        client.notify("exit", None)
        client.proc.wait(timeout=30)

        print(
            f"{args.lines}-line script ({findings} findings), notebook of {len(cells)} cells; "
            f"{args.edits} edits each; debounce included (150 ms)"
        )
        print(f"{'':42} {'median':>8} {'p90':>8} {'max':>8}   (ms)")
        for name, values in rows:
            print(
                f"{name:42} {statistics.median(values):8.0f} "
                f"{percentile(values, 90):8.0f} {max(values):8.0f}"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
