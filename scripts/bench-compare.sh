#!/usr/bin/env bash
# Cold and warm `mlready check .` of two builds of mlready on the shared and review corpora,
# alternating the builds round by round; prints the median of ROUNDS rounds per corpus and rule
# selection (default, --preview). Caches go to a scratch folder; nothing is written to the
# corpora. Used for the before/after figures in the README's Speed section.
#
# usage: scripts/bench-compare.sh OLD_BINARY NEW_BINARY [ROUNDS]
#   MLCORPUS=/tmp/mlready-corpus  REVIEW_CORPUS=/tmp/mlready-review
set -euo pipefail
OLD=$1; NEW=$2; ROUNDS=${3:-5}; shift 3 || true
declare -A CORPORA=([shared]=${MLCORPUS:-/tmp/mlready-corpus} [review]=${REVIEW_CORPUS:-/tmp/mlready-review})
TMP=$(mktemp -d)
t() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N); echo "$e - $s" | bc; }
for corpus in shared review; do
  dir=${CORPORA[$corpus]}
  for mode in "" "--preview"; do
    for bin in OLD NEW; do rm -rf "$TMP/cache-$bin"; done
    declare -A cold=() warm=()
    for r in $(seq "$ROUNDS"); do
      for bin in OLD NEW; do
        exe=${!bin}
        c=$(cd "$dir" && t "$exe" check . $mode --no-cache --exit-zero)
        (cd "$dir" && "$exe" check . $mode --cache-dir "$TMP/cache-$bin" --exit-zero >/dev/null 2>&1 || true)
        w=$(cd "$dir" && t "$exe" check . $mode --cache-dir "$TMP/cache-$bin" --exit-zero)
        cold[$bin]+="$c "; warm[$bin]+="$w "
      done
    done
    med() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
    for bin in OLD NEW; do
      printf '%s\t%s\t%s\tcold %.2f s\twarm %.3f s\n' "$corpus" "${mode:-default}" "$bin" "$(echo ${cold[$bin]} | med)" "$(echo ${warm[$bin]} | med)"
    done
    unset cold warm
  done
done
rm -rf "$TMP"
