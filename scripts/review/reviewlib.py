"""Shared helpers for the precision review scripts (scripts/review/*.py).

Files are plain tab-separated text with a header line and no quoting: fields never
contain tabs or newlines (findings.py replaces them with spaces).
"""

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DEFAULT_VERDICTS = os.path.join(HERE, "verdicts.tsv")

FINDINGS_HEADER = ["key", "code", "severity", "path", "cell", "line", "column", "message"]
VERDICTS_HEADER = ["key", "code", "severity", "verdict", "reason", "reviewer", "judged_at"]
VERDICTS = ("TP", "FP", "debatable")
SEVERITIES = ("error", "warning", "info")


def die(message, status=2):
    print(f"{os.path.basename(sys.argv[0])}: {message}", file=sys.stderr)
    sys.exit(status)


def clean(text):
    """One line of text: tabs, newlines and carriage returns become spaces."""
    return str(text).replace("\t", " ").replace("\r", " ").replace("\n", " ")


def read_tsv(path, required):
    """Rows of a TSV file as dicts; dies if a required column is missing."""
    try:
        with open(path, encoding="utf-8", newline="") as f:
            lines = f.read().splitlines()
    except OSError as e:
        die(f"cannot read {path}: {e.strerror}")
    if not lines:
        die(f"{path}: empty file (expected a header line)")
    header = lines[0].split("\t")
    missing = [c for c in required if c not in header]
    if missing:
        die(f"{path}: missing column(s) {', '.join(missing)}")
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        fields = line.split("\t")
        fields += [""] * (len(header) - len(fields))
        row = dict(zip(header, (f.strip() for f in fields)))
        row["_where"] = f"{path}:{number}"
        rows.append(row)
    return rows


def write_tsv(out, header, rows):
    out.write("\t".join(header) + "\n")
    for row in rows:
        out.write("\t".join(clean(row.get(c, "")) for c in header) + "\n")


def read_findings(path):
    rows = read_tsv(path, FINDINGS_HEADER)
    seen = {}
    for row in rows:
        if row["key"] in seen:
            die(f"{row['_where']}: key {row['key']} already on {seen[row['key']]}")
        seen[row["key"]] = row["_where"]
    return rows


def read_verdicts(path):
    """Verdict rows by key (a missing file counts as no verdicts yet)."""
    if not os.path.exists(path):
        return {}
    return {r["key"]: r for r in read_tsv(path, VERDICTS_HEADER)}


def repo_of(path):
    """The corpus entry a finding belongs to: `notebooks/owner__repo` or `project/x`."""
    return "/".join(path.split("/")[:2])


def severity_rank(severity):
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)


def git_revision(repo=REPO):
    """Short sha of HEAD, with `-dirty` when tracked files differ from it."""
    def git(*args):
        return subprocess.run(["git", "-C", repo, *args], capture_output=True, text=True)
    head = git("rev-parse", "--short", "HEAD")
    if head.returncode != 0:
        return "unknown"
    dirty = git("status", "--porcelain", "--untracked-files=no").stdout.strip()
    return head.stdout.strip() + ("-dirty" if dirty else "")
