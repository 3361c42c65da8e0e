"""Pick the findings to judge next, so each rule has enough judged findings.

    python3 scripts/review/sample.py --findings OUT/findings.tsv \\
        [--verdicts scripts/review/verdicts.tsv] [--per-rule 15] [--rules LEAK,SKEW002] \\
        [--seed 10] > to-review.tsv

For every (rule, severity) found in findings.tsv, the goal is N judged findings that are
still present in the run (all of them when there are fewer than N). Verdicts already in
verdicts.tsv count toward N; the rest is a deterministic pseudo-random pick (sha256 of
seed and key), spread across corpus repositories, then files: each pick comes from the
repository with the fewest judged-or-picked findings of that group so far.

Output: key, code, severity, path, cell, line, message, and empty verdict, reason and
reviewer columns to fill (verdict: TP, FP or debatable), sorted by key. A summary per
group goes to stderr.
"""

import argparse
import hashlib
import sys
from collections import Counter, defaultdict

from reviewlib import DEFAULT_VERDICTS, read_findings, read_verdicts, repo_of, severity_rank, write_tsv

OUTPUT_HEADER = ["key", "code", "severity", "path", "cell", "line", "message", "verdict", "reason", "reviewer"]


def stable_hash(seed, text):
    return hashlib.sha256(f"{seed}\0{text}".encode()).hexdigest()


def pick(candidates, judged, need, seed):
    """`need` findings from `candidates`, spread over repositories and files."""
    per_repo = Counter(repo_of(r["path"]) for r in judged)
    per_file = Counter(r["path"] for r in judged)
    order = {r["key"]: stable_hash(seed, r["key"]) for r in candidates}
    remaining = list(candidates)
    picked = []
    while remaining and len(picked) < need:
        best = min(remaining, key=lambda r: (per_repo[repo_of(r["path"])], per_file[r["path"]], order[r["key"]]))
        remaining.remove(best)
        picked.append(best)
        per_repo[repo_of(best["path"])] += 1
        per_file[best["path"]] += 1
    return picked


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--findings", required=True, help="findings.tsv of the current run")
    parser.add_argument("--verdicts", default=DEFAULT_VERDICTS, help="verdicts so far (default: %(default)s)")
    parser.add_argument("--per-rule", type=int, default=15, metavar="N",
                        help="judged findings wanted per rule and severity (default: %(default)s)")
    parser.add_argument("--rules", help="only these rules: comma-separated codes or prefixes (LEAK,SKEW002)")
    parser.add_argument("--seed", default="10", help="seed of the pseudo-random pick (default: %(default)s)")
    args = parser.parse_args()

    wanted = [c.strip() for c in args.rules.split(",") if c.strip()] if args.rules else None
    verdicts = read_verdicts(args.verdicts)
    groups = defaultdict(list)
    for row in read_findings(args.findings):
        if wanted is None or any(row["code"].startswith(w) for w in wanted):
            groups[(row["code"], row["severity"])].append(row)

    chosen = []
    print(f"{'rule':<10} {'severity':<8} {'findings':>8} {'judged':>6} {'to judge':>8}", file=sys.stderr)
    for code, severity in sorted(groups, key=lambda g: (g[0], severity_rank(g[1]))):
        rows = groups[(code, severity)]
        judged = [r for r in rows if r["key"] in verdicts]
        need = min(args.per_rule, len(rows)) - len(judged)
        new = pick([r for r in rows if r["key"] not in verdicts], judged, need, args.seed) if need > 0 else []
        chosen += new
        print(f"{code:<10} {severity:<8} {len(rows):>8} {len(judged):>6} {len(new):>8}", file=sys.stderr)
    print(f"{len(chosen)} findings to judge", file=sys.stderr)
    write_tsv(sys.stdout, OUTPUT_HEADER, sorted(chosen, key=lambda r: r["key"]))


if __name__ == "__main__":
    main()
