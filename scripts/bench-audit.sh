#!/usr/bin/env bash
# `mlready audit` against `mlready check` on the same project: the audit runs the same
# analysis (with the preview rules) and then builds and renders the report, which must cost
# no more than half a check again (issue: audit <= 1.5 x check).
#
# For each project, alternating rounds (check, check --preview, audit md, audit html, ...),
# cold (--no-cache) and warm (a cache the first round wrote), the median wall time of RUNS
# rounds and the peak resident memory. Prints a Markdown table for the README.
#
# usage: scripts/bench-audit.sh [RUNS] [PROJECT...]
#   MLREADY=target/release/mlready
#   default projects: the review corpus's largest projects by files and by bytes, and its
#   largest train-and-serve project by files (REVIEW_CORPUS=/tmp/mlready-review)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
shift || true
MLREADY=$(realpath "${MLREADY:-target/release/mlready}")
REVIEW=${REVIEW_CORPUS:-/tmp/mlready-review}
if [ $# -gt 0 ]; then
  PROJECTS=("$@")
else
  PROJECTS=(
    "$REVIEW/notebooks/simisimon__kaggle-notebooks__converted_notebooks"
    "$REVIEW/notebooks/dalloliogm__kaggle_competitions__competitions_arc-virtual-cell-challenge+competition-348517d3"
    "$REVIEW/project/victoropp__house-price-prediction-streamlit"
  )
fi
for project in "${PROJECTS[@]}"; do
  [ -d "$project" ] || { echo "no such project: $project" >&2; exit 2; }
done
CACHE=$(mktemp -d)
trap 'rm -rf "$CACHE"' EXIT
python3 - "$MLREADY" "$RUNS" "$CACHE" "${PROJECTS[@]}" <<'PY'
import os, resource, statistics, subprocess, sys, time

mlready, runs, cache = sys.argv[1], int(sys.argv[2]), sys.argv[3]
projects = sys.argv[4:]
tools = [
    ("check", ["check", "--exit-zero"]),
    ("check --preview", ["check", "--preview", "--exit-zero"]),
    ("audit (markdown)", ["audit"]),
    ("audit --format html", ["audit", "--format", "html"]),
]

def run(args):
    """Wall seconds and peak RSS (MB) of one run, its output thrown away."""
    started = time.perf_counter()
    process = subprocess.Popen([mlready] + args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        sys.exit(f"mlready {' '.join(args)} failed")
    return wall, usage.ru_maxrss / 1024

print("| project | files | run | tool | median s | vs check | peak MB |")
print("|---|--:|---|---|--:|--:|--:|")
for project in projects:
    name = os.path.basename(project.rstrip("/"))
    files = sum(1 for root, _, names in os.walk(project) if "/." not in root
                for n in names if n.endswith((".py", ".ipynb")))
    for mode in ("cold", "warm"):
        times = {label: [] for label, _ in tools}
        peaks = {label: 0.0 for label, _ in tools}
        for label, args in tools:  # one round to write the caches of the warm runs
            if mode == "warm":
                run(args + ["--cache-dir", os.path.join(cache, name + label), project])
        for _ in range(runs):
            for label, args in tools:
                extra = ["--no-cache"] if mode == "cold" else ["--cache-dir", os.path.join(cache, name + label)]
                wall, peak = run(args + extra + [project])
                times[label].append(wall)
                peaks[label] = max(peaks[label], peak)
        base = statistics.median(times["check"])
        for label, _ in tools:
            median = statistics.median(times[label])
            print(f"| {name[:40]} | {files} | {mode} | {label} | {median:.2f} | {median / base:.2f}x | {peaks[label]:.0f} |")
PY
