#!/usr/bin/env bash
# Run mlready over the review corpus: every entry of notebooks/ and project/ is one argument,
# so each is analysed as its own project, with all rules (--select ALL --preview).
#
# usage: scripts/review/run.sh [OUT_DIR]
#   OUT_DIR         default: ${REVIEW_OUT:-/tmp/mlready-review-out}/<short sha of HEAD>[-dirty]
#   MLREADY=path    use this binary instead of building target/release/mlready
#   REVIEW_CORPUS   the corpus folder made by assemble.sh (default: /tmp/mlready-review)
# writes OUT_DIR/report.json (raw JSON report), OUT_DIR/findings.tsv (findings.py),
# OUT_DIR/timing.txt and OUT_DIR/stderr.txt, and prints the findings per rule and severity.
set -euo pipefail
case "${1:-}" in -h|--help) sed -n '2,10s/^# \{0,1\}//p' "$0"; exit 0 ;; esac

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CORPUS=${REVIEW_CORPUS:-/tmp/mlready-review}
if [ ! -d "$CORPUS/notebooks" ] && [ ! -d "$CORPUS/project" ]; then
  echo "run.sh: no corpus in $CORPUS (run scripts/review/assemble.sh first)" >&2; exit 2
fi

if [ -z "${MLREADY:-}" ]; then
  cargo build --release --quiet --manifest-path "$REPO/Cargo.toml" >&2
  MLREADY=$REPO/target/release/mlready
fi
MLREADY=$(cd "$(dirname "$MLREADY")" && pwd)/$(basename "$MLREADY")

REVISION=$(git -C "$REPO" rev-parse --short HEAD)
[ -z "$(git -C "$REPO" status --porcelain --untracked-files=no)" ] || REVISION=$REVISION-dirty
OUT=${1:-${REVIEW_OUT:-/tmp/mlready-review-out}/$REVISION}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

FLAGS=(--format json --exit-zero --select ALL)
HELP=$("$MLREADY" check --help)
for flag in --preview --no-cache; do
  if grep -q -- "$flag\b" <<<"$HELP"; then FLAGS+=("$flag"); else echo "run.sh: $MLREADY has no $flag; running without it" >&2; fi
done

cd "$CORPUS"
shopt -s nullglob
ENTRIES=()
for dir in notebooks/*/ project/*/; do ENTRIES+=("${dir%/}"); done
[ ${#ENTRIES[@]} -gt 0 ] || { echo "run.sh: no entries under $CORPUS/notebooks or project" >&2; exit 2; }

echo "run.sh: mlready check ${#ENTRIES[@]} entries ${FLAGS[*]} > $OUT/report.json" >&2
START=$(date +%s.%N)
STATUS=0
"$MLREADY" check "${ENTRIES[@]}" "${FLAGS[@]}" >"$OUT/report.json" 2>"$OUT/stderr.txt" || STATUS=$?
END=$(date +%s.%N)
if [ "$STATUS" -eq 2 ] || ! python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$OUT/report.json" 2>/dev/null; then
  echo "run.sh: mlready failed (exit $STATUS); see $OUT/stderr.txt:" >&2
  tail -n 20 "$OUT/stderr.txt" >&2
  exit 2
fi
[ "$STATUS" -eq 0 ] || echo "run.sh: mlready exited $STATUS but wrote a report; going on" >&2

FILES=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["files_checked"])' "$OUT/report.json")
{
  echo "revision $REVISION"
  echo "binary $MLREADY ($("$MLREADY" --version))"
  echo "flags ${FLAGS[*]}"
  echo "entries ${#ENTRIES[@]}"
  echo "files_checked $FILES"
  echo "exit_status $STATUS"
  awk -v s="$START" -v e="$END" 'BEGIN { printf "wall_seconds %.2f\n", e - s }'
} >"$OUT/timing.txt"

python3 "$HERE/findings.py" --corpus "$CORPUS" "$OUT/report.json" >"$OUT/findings.tsv"

awk -F'\t' 'NR > 1 { printf "%-10s %-8s\n", $2, $3 }' "$OUT/findings.tsv" | LC_ALL=C sort | uniq -c |
  awk '{ printf "%-10s %-8s %7d\n", $2, $3, $1; total += $1 } END { printf "%-19s %7d\n", "total", total }'
echo "run.sh: $FILES files in $(sed -n 's/^wall_seconds //p' "$OUT/timing.txt")s; wrote $OUT/findings.tsv" >&2
