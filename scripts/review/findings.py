"""Turn an mlready JSON report into findings.tsv: one row per diagnostic, sorted by key.

    python3 scripts/review/findings.py REPORT.json [--corpus DIR] [--cwd DIR] > findings.tsv

Columns: key, code, severity, path, cell, line, column, message.
key = CODE:path:cell:line:column (cell `-` for .py files) and path is relative to the
corpus folder (e.g. notebooks/owner__repo/train.ipynb). Two diagnostics of one rule at the
same position get `#2`, `#3`... appended to the key (ordered by message), so keys are unique.
"""

import argparse
import json
import os
import posixpath
import sys
from collections import defaultdict

from reviewlib import FINDINGS_HEADER, clean, die, write_tsv


def corpus_path(path, cwd, corpus):
    """`path` as mlready printed it (relative to `cwd`), made relative to `corpus`."""
    full = os.path.normpath(os.path.join(cwd, path))
    rel = os.path.relpath(full, corpus)
    if rel.startswith(".."):
        print(f"findings.py: warning: {path} is outside the corpus {corpus}", file=sys.stderr)
        return full
    return posixpath.normpath(rel.replace(os.sep, "/"))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("report", help="mlready JSON report (`mlready check --format json`)")
    parser.add_argument("--corpus", default=os.environ.get("REVIEW_CORPUS", "/tmp/mlready-review"),
                        help="corpus folder paths are made relative to (default: $REVIEW_CORPUS or /tmp/mlready-review)")
    parser.add_argument("--cwd", help="folder mlready was run in (default: the corpus folder, as run.sh does)")
    args = parser.parse_args()
    corpus = os.path.abspath(args.corpus)
    cwd = os.path.abspath(args.cwd or corpus)

    try:
        with open(args.report, encoding="utf-8") as f:
            report = json.load(f)
    except (OSError, ValueError) as e:
        die(f"cannot read report {args.report}: {e}")
    if report.get("version") != 1:
        die(f"{args.report}: unsupported report version {report.get('version')!r} (expected 1)")

    by_position = defaultdict(list)
    for d in report["diagnostics"]:
        path = corpus_path(d["path"], cwd, corpus)
        cell = "-" if d.get("cell") is None else str(d["cell"])
        key = f"{d['code']}:{path}:{cell}:{d['line']}:{d['column']}"
        by_position[key].append({
            "code": d["code"], "severity": d["severity"], "path": path, "cell": cell,
            "line": str(d["line"]), "column": str(d["column"]), "message": clean(d["message"]),
        })
    rows = []
    for key, same in by_position.items():
        same.sort(key=lambda r: (r["message"], r["severity"]))
        for n, row in enumerate(same, start=1):
            row["key"] = key if n == 1 else f"{key}#{n}"
            rows.append(row)
    rows.sort(key=lambda r: r["key"])
    write_tsv(sys.stdout, FINDINGS_HEADER, rows)


if __name__ == "__main__":
    main()
