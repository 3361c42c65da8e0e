#!/usr/bin/env bash
# Peak memory per byte of source on one very large file, mlready next to ruff (issue 12): the
# figure a linter must keep small so that one generated or pasted-in file cannot exhaust a CI
# runner. Generates its inputs (nothing is committed), runs each tool once per file with GNU
# time, and prints a Markdown table for the README.
#
# The files (LINES lines each, in their own folders so project-aware runs read only them):
#   dense      generated ML-style statements, about 32 bytes a line (assignments, calls,
#              pandas columns, fits and predictions, small functions and branches)
#   realistic  the .py files of the shared corpus that compile, concatenated (docstrings,
#              comments and classes: about 36 bytes a line)
#   notebook   one code cell holding NOTEBOOK_MB of the dense code
#
# usage: scripts/bench-file-memory.sh
# settings, from the environment:
#   LINES=1000000   NOTEBOOK_MB=7
#   MLCORPUS=/tmp/mlready-corpus   the shared corpus (scripts/get-corpus.sh)
#   MLREADY=path/to/mlready        [default: target/release/mlready, built if missing]
#   RUFF=ruff                      [default: ruff on PATH, else installed in RUFF_VENV]
#   RUFF_VENV=/tmp/mlready-bench-venv
#   BENCH_TMP=/tmp
set -euo pipefail
export LC_ALL=C
root=$(cd "$(dirname "$0")/.." && pwd)
LINES=${LINES:-1000000}
NOTEBOOK_MB=${NOTEBOOK_MB:-7}
MLCORPUS=${MLCORPUS:-/tmp/mlready-corpus}
RUFF_VENV=${RUFF_VENV:-/tmp/mlready-bench-venv}
BENCH_TMP=${BENCH_TMP:-/tmp}
say() { echo "bench-file-memory: $*" >&2; }

if [[ -z "${MLREADY:-}" ]]; then
  (cd "$root" && cargo build --release --quiet)
  MLREADY=$root/target/release/mlready
fi
if [[ -z "${RUFF:-}" ]]; then
  if command -v ruff >/dev/null; then
    RUFF=ruff
  else
    [[ -x $RUFF_VENV/bin/ruff ]] || { python3 -m venv "$RUFF_VENV" && "$RUFF_VENV/bin/pip" install -q ruff; }
    RUFF=$RUFF_VENV/bin/ruff
  fi
fi
work=$(mktemp -d "$BENCH_TMP/mlready-file-memory.XXXXXX")
trap 'rm -rf "$work"' EXIT

say "generating $LINES-line files in $work"
LINES=$LINES NOTEBOOK_MB=$NOTEBOOK_MB MLCORPUS=$MLCORPUS python3 - "$work" <<'EOF'
import glob, json, os, random, sys
work = sys.argv[1]
lines_wanted = int(os.environ["LINES"])
random.seed(1)
shapes = [
    'x{i} = foo(a{j}, b{j})', 'df{i} = pd.read_csv("d{i}.csv")', 'df{j}["c{i}"] = df{j}["a"] * 2',
    'y{i} = np.log1p(x{j}) + {i}', 'm{i} = RF(n_estimators={i})', 'm{j}.fit(X{j}, y{j})',
    'p{i} = m{j}.predict(X{i})', 's{i} = [v for v in x{j} if v]', 'if x{j} > {i}:\n    z{i} = x{j} - 1',
    'def f{i}(a, b=1):\n    return a + b * {i}', 'print("step", {i}, x{j})',
    'X{i}, T{i} = train_test_split(df{j})',
]
out = ["import pandas as pd", "import numpy as np",
       "from sklearn.ensemble import RandomForestClassifier as RF",
       "from sklearn.model_selection import train_test_split"]
n, i = len(out), 0
while n < lines_wanted:
    i += 1
    line = random.choice(shapes).format(i=i, j=max(1, i - random.randint(1, 50)))
    out.append(line)
    n += line.count("\n") + 1
dense = "\n".join(out) + "\n"
os.makedirs(f"{work}/dense")
open(f"{work}/dense/dense.py", "w").write(dense)
files = sorted(glob.glob(os.environ["MLCORPUS"] + "/**/*.py", recursive=True))
if files:
    os.makedirs(f"{work}/realistic")
    with open(f"{work}/realistic/realistic.py", "w") as f:
        n = k = 0
        while n < lines_wanted and k < 50 * len(files):
            path = files[k % len(files)]
            k += 1
            try:
                text = open(path, encoding="utf-8").read()
                compile(text, path, "exec")
            except Exception:
                continue
            text += "" if text.endswith("\n") else "\n"
            f.write(text)
            n += text.count("\n")
code = dense[: int(os.environ["NOTEBOOK_MB"]) * 1_000_000]
code = code[: code.rfind("\n") + 1]
nb = {"cells": [{"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [],
                 "source": code.splitlines(True)}],
      "metadata": {"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}},
      "nbformat": 4, "nbformat_minor": 5}
os.makedirs(f"{work}/notebook")
json.dump(nb, open(f"{work}/notebook/notebook.ipynb", "w"))
EOF

# peak KB and seconds of one command (its exit status is ignored: findings exit 1)
peak() {
  /usr/bin/time -o "$work/time.txt" -f '%M %e' "$@" >/dev/null 2>&1 || true
  cat "$work/time.txt" | tail -1
}

echo "| file | size | mlready peak | bytes/byte | time | ruff peak | bytes/byte | time | mlready / ruff |"
echo "|---|---|---|---|---|---|---|---|---|"
for file in "$work"/dense/dense.py "$work"/realistic/realistic.py "$work"/notebook/notebook.ipynb; do
  [[ -f $file ]] || continue
  bytes=$(stat -c %s "$file")
  if [[ $file == *.ipynb ]]; then
    # what counts is the code of the cells
    bytes=$(python3 -c 'import json,sys; print(sum(len("".join(c["source"]).encode()) for c in json.load(open(sys.argv[1]))["cells"]))' "$file")
  fi
  say "mlready on $(basename "$file")"
  read -r ml_kb ml_s < <(peak "$MLREADY" check "$file" --no-cache --max-file-size 100MB --file-time-limit 3600 --format json)
  say "ruff on $(basename "$file")"
  read -r ruff_kb ruff_s < <(peak "$RUFF" check --no-cache "$file")
  awk -v f="$(basename "$file")" -v b="$bytes" -v m="$ml_kb" -v ms="$ml_s" -v r="$ruff_kb" -v rs="$ruff_s" 'BEGIN {
    printf "| %s | %.1f MB | %.0f MB | %.0f | %.1f s | %.0f MB | %.0f | %.1f s | %.2f |\n",
      f, b / 1e6, m / 1024, m * 1024 / b, ms, r / 1024, r * 1024 / b, rs, m / r }'
done
