#!/usr/bin/env bash
# Wall time of `mlready check` over the real-code corpus (../shared/corpus.md), next to
# `ruff check --no-cache` on the same folders, measured in the same run (best of N).
#
# usage: scripts/bench.sh [runs]      (default 5; needs the corpus and pip for ruff)
#        BASELINE=path/to/older/mlready scripts/bench.sh   also times an older build, to see
#        what a change costs (e.g. one built from the commit before the data-flow engine)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
CORPUS=${MLCORPUS:-/tmp/mlready-corpus}
if [ ! -d "$CORPUS/sklearn" ]; then
  bash ../shared/corpus/get-corpus.sh >&2
fi
RUFF_VENV=${RUFF_VENV:-/tmp/mlready-bench-venv}
if [ ! -x "$RUFF_VENV/bin/ruff" ]; then
  python3 -m venv "$RUFF_VENV" >&2 && "$RUFF_VENV/bin/pip" install -q ruff >&2
fi
cargo build --release --quiet
MLREADY=target/release/mlready
best() { # best wall time in seconds of "$@" over $RUNS runs
  local best=999999
  for _ in $(seq "$RUNS"); do
    local start end
    start=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; end=$(date +%s.%N)
    best=$(echo "$end - $start" | bc -l | awk -v b="$best" '{ print ($1 < b) ? $1 : b }')
  done
  printf '%.3f' "$best"
}
BASELINE=${BASELINE:-}
printf '%-44s %8s %8s %8s %8s' "corpus" "files" "mlready" "ruff" "ratio"
[ -n "$BASELINE" ] && printf ' %9s %9s' "baseline" "vs base"
printf '\n'
for target in "sklearn/scikit-learn-1.3.2/examples" "imblearn" "sktime" "."; do
  dir="$CORPUS/$target"
  files=$(find "$dir" -name '*.py' -o -name '*.ipynb' -not -path '*/.sdists/*' | wc -l)
  ml=$(best "$MLREADY" check "$dir" --format json --exit-zero)
  ruff=$(best "$RUFF_VENV/bin/ruff" check --no-cache --exit-zero --quiet "$dir")
  ratio=$(echo "$ml / $ruff" | bc -l)
  label=$target; [ "$target" = "." ] && label="whole corpus"
  printf '%-44s %8s %7ss %7ss %7.2fx' "$label" "$files" "$ml" "$ruff" "$ratio"
  if [ -n "$BASELINE" ]; then
    base=$(best "$BASELINE" check "$dir" --format json --exit-zero)
    printf ' %8ss %8.2fx' "$base" "$(echo "$ml / $base" | bc -l)"
  fi
  printf '\n'
done
