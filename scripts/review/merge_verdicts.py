"""Add filled review sheets (sample.py output) to scripts/review/verdicts.tsv.

    python3 scripts/review/merge_verdicts.py FILLED.tsv... [--verdicts FILE]
        [--judged-at SHA] [--replace] [--dry-run]

Rows with an empty verdict are skipped. Each other row is checked: verdict TP, FP or
debatable (any case); a reason for FP and debatable; reviewer a short id (letters, digits,
`.`, `_`, `-`; at most 32); key starting with `CODE:`; a known severity. A key already in
verdicts.tsv is refused unless --replace. judged_at is the row's judged_at column when the
sheet has one, else --judged-at, else the short sha of this checkout's HEAD (pass the sha of
the run the sheet came from if HEAD has moved since). On any error nothing is written.
The file stays sorted by key.
"""

import argparse
import os
import re
import sys

from reviewlib import (DEFAULT_VERDICTS, SEVERITIES, VERDICTS, VERDICTS_HEADER, die, git_revision,
                       read_tsv, read_verdicts, write_tsv)

REVIEWER = re.compile(r"[A-Za-z0-9._-]{1,32}")
REVISION = re.compile(r"[0-9a-f]{7,40}(-dirty)?")


def check(row, judged_at):
    """The verdicts.tsv row for a filled sheet row, or a list of problems."""
    problems = []
    verdict = {v.lower(): v for v in VERDICTS}.get(row["verdict"].lower())
    if verdict is None:
        problems.append(f"verdict {row['verdict']!r} is not one of {', '.join(VERDICTS)}")
    if verdict in ("FP", "debatable") and not row.get("reason"):
        problems.append(f"verdict {verdict} needs a reason")
    if not REVIEWER.fullmatch(row.get("reviewer", "")):
        problems.append(f"reviewer {row.get('reviewer', '')!r} is not a short id")
    if not row["key"].startswith(row["code"] + ":"):
        problems.append(f"key {row['key']!r} does not start with {row['code']}:")
    if row["severity"] not in SEVERITIES:
        problems.append(f"unknown severity {row['severity']!r}")
    judged_at = row.get("judged_at") or judged_at
    if not REVISION.fullmatch(judged_at):
        problems.append(f"judged_at {judged_at!r} is not a git short sha")
    if problems:
        return problems
    return {"key": row["key"], "code": row["code"], "severity": row["severity"], "verdict": verdict,
            "reason": row.get("reason", ""), "reviewer": row["reviewer"], "judged_at": judged_at}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("filled", nargs="+", help="review sheets with verdict, reason and reviewer filled in")
    parser.add_argument("--verdicts", default=DEFAULT_VERDICTS, help="verdicts file to update (default: %(default)s)")
    parser.add_argument("--judged-at", help="mlready short sha the findings were judged at (default: HEAD)")
    parser.add_argument("--replace", action="store_true", help="replace the verdict of keys already judged")
    parser.add_argument("--dry-run", action="store_true", help="check and report, but do not write")
    args = parser.parse_args()
    judged_at = args.judged_at or git_revision()

    verdicts = read_verdicts(args.verdicts)
    new, errors, skipped = {}, [], 0
    for path in args.filled:
        for row in read_tsv(path, ["key", "code", "severity", "verdict", "reason", "reviewer"]):
            if not row["verdict"]:
                skipped += 1
                continue
            result = check(row, judged_at)
            if isinstance(result, list):
                errors += [f"{row['_where']}: {p}" for p in result]
            elif row["key"] in new:
                errors.append(f"{row['_where']}: {row['key']} is judged twice in the sheets ({new[row['key']]['_where']})")
            elif row["key"] in verdicts and not args.replace:
                old = verdicts[row["key"]]
                errors.append(f"{row['_where']}: {row['key']} is already judged {old['verdict']} by "
                              f"{old['reviewer']} at {old['judged_at']} (use --replace)")
            else:
                new[row["key"]] = dict(result, _where=row["_where"])
    if errors:
        print("\n".join(errors), file=sys.stderr)
        die(f"{len(errors)} problem(s); nothing written", status=1)

    replaced = sum(1 for key in new if key in verdicts)
    verdicts.update(new)
    print(f"{len(new) - replaced} added, {replaced} replaced, {skipped} unfilled rows skipped "
          f"({len(verdicts)} verdicts in {args.verdicts})", file=sys.stderr)
    if args.dry_run or not new:
        return
    temporary = args.verdicts + ".tmp"
    with open(temporary, "w", encoding="utf-8", newline="") as f:
        write_tsv(f, VERDICTS_HEADER, [verdicts[k] for k in sorted(verdicts)])
    os.replace(temporary, args.verdicts)


if __name__ == "__main__":
    main()
