"""What moved between two review runs: counts per rule, judged findings lost, new findings.

    python3 scripts/review/diff.py OLD/findings.tsv NEW/findings.tsv \\
        [--verdicts scripts/review/verdicts.tsv] [--show 10]

OLD may also be a docs/precision.md: then only the per-rule counts are compared (from its
precision-data block). Judged true positives that disappeared are recall losses and are
printed first; a judged finding whose rule still reports the same line (another column) is
listed as moved, not lost. Exit status 1 when a judged TP was lost, 0 otherwise.
"""

import argparse
import json
import re
import signal
import sys
from collections import Counter, defaultdict

from reviewlib import DEFAULT_VERDICTS, read_findings, read_verdicts, repo_of

DATA_BLOCK = re.compile(r"<!-- precision-data[^\n]*\n(.*?)\n-->", re.S)


def read_counts(path):
    """Findings per rule from a precision.md data block."""
    with open(path, encoding="utf-8") as f:
        match = DATA_BLOCK.search(f.read())
    if not match:
        sys.exit(f"diff.py: {path} has no precision-data block")
    return Counter({d["rule"]: d["findings"] for d in map(json.loads, match.group(1).splitlines())})


def line_of(key):
    """The key without its column: CODE:path:cell:line."""
    return re.sub(r"#\d+$", "", key).rsplit(":", 1)[0]


def describe(row, verdict=None):
    where = f"{row['path']}" + ("" if row["cell"] == "-" else f" [cell {row['cell']}]") + f":{row['line']}:{row['column']}"
    text = f"  {row['code']} {row['severity']:<7} {where}  {row['message']}"
    if verdict:
        text += f"\n      judged {verdict['verdict']} by {verdict['reviewer']} at {verdict['judged_at']}"
        text += f": {verdict['reason']}" if verdict["reason"] else ""
    return text


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("old", help="findings.tsv of the earlier run (or a precision.md)")
    parser.add_argument("new", help="findings.tsv of the later run")
    parser.add_argument("--verdicts", default=DEFAULT_VERDICTS, help="verdicts (default: %(default)s)")
    parser.add_argument("--show", type=int, default=10, metavar="N", help="new findings listed per rule (default: %(default)s)")
    args = parser.parse_args()
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # quiet when piped into head or less

    verdicts = read_verdicts(args.verdicts)
    new_rows = {r["key"]: r for r in read_findings(args.new)}
    after = Counter(r["code"] for r in new_rows.values())
    if args.old.endswith(".md"):
        old_rows, before = None, read_counts(args.old)
    else:
        old_rows = {r["key"]: r for r in read_findings(args.old)}
        before = Counter(r["code"] for r in old_rows.values())

    lost, moved, gone_unjudged = [], [], Counter()
    if old_rows is not None:
        new_lines = defaultdict(list)
        for key in new_rows:
            new_lines[line_of(key)].append(key)
        for key, row in old_rows.items():
            if key in new_rows:
                continue
            if key not in verdicts:
                gone_unjudged[row["code"]] += 1
            elif line_of(key) in new_lines:
                moved.append(row)
            else:
                lost.append(row)
    lost_tp = [r for r in lost if verdicts[r["key"]]["verdict"] == "TP"]

    if lost_tp:
        print(f"!!! RECALL LOSS: {len(lost_tp)} finding(s) judged TP are no longer reported !!!")
        for row in lost_tp:
            print(describe(row, verdicts[row["key"]]))
        print()

    print(f"{'rule':<10} {'before':>7} {'after':>7} {'change':>7}")
    for code in sorted(c for c in set(before) | set(after) if before[c] or after[c]):
        change = after[code] - before[code]
        print(f"{code:<10} {before[code]:>7} {after[code]:>7} {change:>+7}" if change else
              f"{code:<10} {before[code]:>7} {after[code]:>7} {'':>7}")
    print(f"{'total':<10} {sum(before.values()):>7} {sum(after.values()):>7} "
          f"{sum(after.values()) - sum(before.values()):>+7}")
    if old_rows is None:
        print("\n(old side is a precision.md: counts only)")
        return 0

    others = [r for r in lost if r not in lost_tp]
    if others:
        print(f"\nJudged findings no longer reported ({len(others)}; an FP gone is a gain):")
        for row in others:
            print(describe(row, verdicts[row["key"]]))
    if moved:
        print(f"\nJudged findings moved to another column of the same line ({len(moved)}; re-key their verdicts):")
        for row in moved:
            print(describe(row, verdicts[row["key"]]))
            print("      now: " + ", ".join(new_lines[line_of(row["key"])]))
    changed = [k for k in new_rows if k in old_rows and new_rows[k]["severity"] != old_rows[k]["severity"]]
    if changed:
        print(f"\nFindings whose severity changed ({len(changed)}):")
        for key in changed:
            print(f"  {old_rows[key]['severity']} -> " + describe(new_rows[key], verdicts.get(key)).lstrip())
    if gone_unjudged:
        print("\nUnjudged findings no longer reported: " +
              ", ".join(f"{code} {n}" for code, n in sorted(gone_unjudged.items())))
    appeared = defaultdict(list)
    for key, row in new_rows.items():
        if key not in old_rows:
            appeared[row["code"]].append(row)
    if appeared:
        print(f"\nNew findings ({sum(map(len, appeared.values()))}):")
        for code in sorted(appeared):
            rank = Counter()  # list the first finding of each repository, then the second...
            for row in sorted(appeared[code], key=lambda r: r["key"]):
                row["rank"] = rank[repo_of(row["path"])]
                rank[repo_of(row["path"])] += 1
            rows = sorted(appeared[code], key=lambda r: (r["rank"], r["key"]))
            print(f" {code}: {len(rows)}")
            for row in rows[:args.show]:
                print(describe(row, verdicts.get(row["key"])))
            if len(rows) > args.show:
                print(f"  ... and {len(rows) - args.show} more")
    return 1 if lost_tp else 0


if __name__ == "__main__":
    sys.exit(main())
