"""Per-rule precision on the review corpus, written to docs/precision.md.

    python3 scripts/review/precision.py --findings OUT/findings.tsv \\
        [--verdicts scripts/review/verdicts.tsv] [--rules-json <(mlready rules --format json)] \\
        [--out docs/precision.md] [--min-judged 15] [--check]

Per (rule, severity): findings in the run, judged (verdicts whose key is in the run), TP,
FP, debatable, precision = TP / (TP + FP) and whether it meets the bar (error 95%, warning
and info 85%). A row has enough judged findings when judged >= --min-judged or every
finding is judged. A rule is measured `default` when every severity it emits meets the bar
with enough judged findings, `preview` otherwise, `unmeasured` with no finding in the run.

--check writes nothing: it exits 1, naming the rules, when the tier in the binary (field
`preview` of --rules-json) disagrees with a decisive measurement (all rows enough and
meeting the bar, or one row with enough judged findings below it); 2 when --rules-json
has no `preview` field.
"""

import argparse
import json
import os
import sys
from collections import defaultdict

from reviewlib import DEFAULT_VERDICTS, REPO, VERDICTS, die, read_findings, read_verdicts, severity_rank

BARS = {"error": 0.95, "warning": 0.85, "info": 0.85}
DATA_MARK = "precision-data"

METHOD = """\
The corpus is the pinned list of public repositories in `scripts/review/manifest.tsv`
(see `scripts/review/CORPUS.md`); every repository is checked as its own project with all
rules, preview ones included (`scripts/review/run.sh`). For each rule and each severity it
emits, `scripts/review/sample.py` picks findings to judge until at least {n} are judged (all
of them when there are fewer), deterministically and spread across repositories. A reviewer
who is not the author of the rule's last change reads the code around each finding and
records TP, FP or debatable in `scripts/review/verdicts.tsv`. Precision is TP / (TP + FP);
debatable verdicts are left out of it and shown apart. The bar is {error:.0%} for errors and
{warning:.0%} for warnings and infos (with {n} judged, an error row meets it only with no FP). A
rule is `default` when every severity it emits on the corpus meets the bar with enough judged
findings ({n}, or all), and `preview` otherwise. A severity a rule declares as a *preview
branch* (`preview_severities` in `mlready rules --format json`) is measured on its own and
does not decide the rule's tier: its findings are reported only in preview mode. A rule with
no finding on the corpus is `unmeasured` and keeps the tier the code gives it: the rules that
judge ML code stay preview until real code shows them precise; the engine's own reports
(PARSE004 skipped notebooks, PARSE005 files over a limit, SUP001 unused suppressions) state
facts about the input and stay in the default selection."""


def measure(findings, verdicts, rules, min_judged):
    """Rows per (rule, severity) and a summary per rule."""
    groups = defaultdict(lambda: {"findings": 0, "judged": 0, "TP": 0, "FP": 0, "debatable": 0})
    for f in findings:
        g = groups[(f["code"], f["severity"])]
        g["findings"] += 1
        verdict = verdicts.get(f["key"], {}).get("verdict")
        if verdict is not None:
            if verdict not in VERDICTS:
                die(f"{verdicts[f['key']]['_where']}: unknown verdict {verdict!r}")
            g["judged"] += 1
            g[verdict] += 1
    order = [r["code"] for r in rules] + sorted({code for code, _ in groups} - {r["code"] for r in rules})
    binary = {r["code"]: ("preview" if r["preview"] else "default") if "preview" in r else None for r in rules}
    # Severities a rule declares as preview branches are measured on their own: the others
    # decide the rule's tier.
    branches = {r["code"]: set(r.get("preview_severities") or []) for r in rules}
    summary = {}
    rows = []
    for code in order:
        severities = sorted((s for c, s in groups if c == code), key=severity_rank)
        rule_rows = []
        for severity in severities:
            g = dict(groups[(code, severity)], rule=code, severity=severity, bar=BARS.get(severity, 0.85))
            g["precision"] = g["TP"] / (g["TP"] + g["FP"]) if g["TP"] + g["FP"] else None
            g["meets"] = g["precision"] is not None and g["precision"] >= g["bar"]
            g["enough"] = g["judged"] >= min_judged or g["judged"] == g["findings"]
            rule_rows.append(g)
        if not rule_rows:
            severity = next((r["severity"] for r in rules if r["code"] == code), "?")
            rule_rows.append({"rule": code, "severity": severity, "findings": 0, "judged": 0, "TP": 0, "FP": 0,
                              "debatable": 0, "precision": None, "meets": False, "enough": False, "bar": None})
            tier, decisive = "unmeasured", False
        else:
            deciding = [g for g in rule_rows if g["severity"] not in branches.get(code, set())]
            if deciding and all(g["enough"] and g["meets"] for g in deciding):
                tier, decisive = "default", True
            else:
                tier, decisive = "preview", any(g["enough"] and not g["meets"] for g in deciding)
        for g in rule_rows:
            g["tier"] = tier
            if g["severity"] in branches.get(code, set()):
                g["tier"] = "preview branch"
        rows += rule_rows
        summary[code] = {"rule": code, "findings": sum(g["findings"] for g in rule_rows),
                         "judged": sum(g["judged"] for g in rule_rows), "tier": tier, "decisive": decisive,
                         "binary": binary.get(code), "rows": rule_rows}
    return rows, summary


def percent(value):
    return "n/a" if value is None else f"{value:.1%}"


def tier_cell(g):
    if g["enough"] and g["meets"]:
        return g["tier"]
    if not g["enough"]:
        return f"{g['tier']} (judged {g['judged']} of {g['findings']})"
    if g["precision"] is None:
        return f"{g['tier']} (no TP or FP verdict)"
    return f"{g['tier']} (below {g['bar']:.0%})"


def render(rows, summary, label, min_judged, stale):
    lines = ["# Rule precision on real code", "",
             "<!-- Generated by scripts/review/precision.py from verdicts.tsv; do not edit by hand. -->", "",
             METHOD.format(n=min_judged, **BARS), "",
             f"Run: `{label}`. Verdicts on findings no longer reported (not counted): {stale}.", "",
             "| rule | severity | findings | sampled | TP | FP | debatable | precision | tier |",
             "|---|---|--:|--:|--:|--:|--:|--:|---|"]
    for g in rows:
        if g["tier"] == "unmeasured":  # dashes: src/precision.rs reads only rules measured on the corpus
            lines.append(f"| {g['rule']} | {g['severity']} | 0 | - | - | - | - | n/a | unmeasured (no finding) |")
            continue
        lines.append(f"| {g['rule']} | {g['severity']} | {g['findings']} | {g['judged']} | {g['TP']} | {g['FP']} "
                     f"| {g['debatable']} | {percent(g['precision'])} | {tier_cell(g)} |")
    lines += ["", "## Measured tier and tier in the binary", "",
              "| rule | findings | judged | measured | in the binary |", "|---|--:|--:|---|---|"]
    for s in summary.values():
        binary = s["binary"] or "?"
        if s["tier"] == "unmeasured":
            note = f"{binary} (kept)"
        elif s["binary"] and s["decisive"] and s["binary"] != s["tier"]:
            note = f"**{binary}** (disagrees)"
        else:
            note = binary
        lines.append(f"| {s['rule']} | {s['findings']} | {s['judged']} | {s['tier']} | {note} |")
    lines += ["", f"<!-- {DATA_MARK} (one JSON object per rule; read by scripts/review/diff.py)"]
    for s in summary.values():
        data = {"rule": s["rule"], "findings": s["findings"], "judged": s["judged"], "tier": s["tier"],
                "severities": {g["severity"]: {k: g[k] for k in ("findings", "judged", "TP", "FP", "debatable")}
                               for g in s["rows"] if g["findings"]}}
        lines.append(json.dumps(data))
    lines += ["-->", ""]
    return "\n".join(lines)


def before_after(before, after, order, source):
    """A table of findings per rule and severity in an earlier run and in this one."""
    def counts(findings):
        out = {}
        for f in findings:
            out[(f["code"], f["severity"])] = out.get((f["code"], f["severity"]), 0) + 1
        return out
    old, new = counts(before), counts(after)
    keys = sorted(set(old) | set(new), key=lambda k: (order.index(k[0]) if k[0] in order else len(order), k[0],
                                                     severity_rank(k[1])))
    lines = ["", "## Findings per rule before and after", "",
             f"On the whole corpus, before (`{os.path.basename(os.path.dirname(os.path.abspath(source)))}`) "
             "and in this run, every rule and branch included.", "",
             "| rule | severity | before | after |", "|---|---|--:|--:|"]
    for code, severity in keys:
        lines.append(f"| {code} | {severity} | {old.get((code, severity), 0)} | {new.get((code, severity), 0)} |")
    lines.append(f"| all | | {len(before)} | {len(after)} |")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--findings", required=True, help="findings.tsv of the run")
    parser.add_argument("--verdicts", default=DEFAULT_VERDICTS, help="verdicts (default: %(default)s)")
    parser.add_argument("--rules-json", help="output of `mlready rules --format json` (rule order, tiers)")
    parser.add_argument("--out", default=os.path.join(REPO, "docs", "precision.md"), help="default: docs/precision.md")
    parser.add_argument("--min-judged", type=int, default=15, help="judged findings a row needs (default: %(default)s)")
    parser.add_argument("--label", help="name of the run in the page (default: the findings file's folder name)")
    parser.add_argument("--check", action="store_true", help="compare measured tiers with the binary's; write nothing")
    parser.add_argument("--before", help="findings.tsv of an earlier run: adds a table of findings per rule before and after")
    args = parser.parse_args()

    rules = []
    if args.rules_json:
        try:
            with open(args.rules_json, encoding="utf-8") as f:
                rules = json.load(f)
        except (OSError, ValueError) as e:
            die(f"cannot read {args.rules_json}: {e}")
    findings = read_findings(args.findings)
    verdicts = read_verdicts(args.verdicts)
    present = {f["key"] for f in findings}
    stale = sum(1 for key in verdicts if key not in present)
    rows, summary = measure(findings, verdicts, rules, args.min_judged)

    if args.check:
        if not any("preview" in r for r in rules):
            die("--check needs --rules-json with a `preview` field per rule")
        wrong = [s for s in summary.values() if s["decisive"] and s["binary"] and s["binary"] != s["tier"]]
        for s in wrong:
            why = "; ".join(f"{g['severity']} {percent(g['precision'])} of {g['TP'] + g['FP']} "
                            f"(bar {g['bar']:.0%}, judged {g['judged']}/{g['findings']})" for g in s["rows"])
            print(f"{s['rule']}: measured {s['tier']} but {s['binary']} in the binary: {why}", file=sys.stderr)
        print(f"{len(wrong)} rule(s) whose tier disagrees with the measurement", file=sys.stderr)
        sys.exit(1 if wrong else 0)

    label = args.label or os.path.basename(os.path.dirname(os.path.abspath(args.findings)))
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    page = render(rows, summary, label, args.min_judged, stale)
    if args.before:
        before = read_findings(args.before)
        page += before_after(before, findings, [s["rule"] for s in summary.values()], args.before)
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(page)
    print(f"wrote {args.out}: {len(summary)} rules, {sum(s['judged'] for s in summary.values())} judged findings",
          file=sys.stderr)


if __name__ == "__main__":
    main()
