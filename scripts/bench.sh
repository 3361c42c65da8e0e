#!/usr/bin/env bash
# Speed and peak memory of `mlready check` next to a bare tree-sitter parse of the same files
# and next to ruff, all measured in one run. Every measurement alternates its tools round by
# round (A B C A B C ...) and reports the median of RUNS rounds; peak memory is the largest
# resident set (GNU time's %M) seen over the rounds.
#
# The tools, on each corpus:
#   bare parse           examples/parse_bench.rs: mlready's walk, the reads, serde_json for
#                        notebooks and a tree-sitter-python parse of every file, on PARSE_THREADS
#                        threads, and nothing else
#   mlready --no-cache   a cold run
#   mlready, empty cache the first run with a cache (it writes the cache)
#   mlready, warm cache  the run after it
#   ruff ...             the same three with `ruff check` (its default rules), from PyPI
#   baseline --no-cache  an older build of mlready, when BASELINE is set
# The measurements, printed as Markdown tables for the README (progress goes to stderr):
#   corpora      each folder of CORPORA
#   notebooks    a folder of notebooks only (lines are the lines of their code cells)
#   pre-commit   PRECOMMIT_FILES files spread over the first corpus made one repository,
#                named one by one after a warm run over the whole repository (project rules
#                included, as a pre-commit hook runs it)
#   growth       1, 2 and 4 hard-linked copies of GROWTH_CORPUS, each in its own folder:
#                mlready --no-cache and the bare parse, and the time per copy against 1 copy
#   scaling      the project stage against the file stage (MLREADY_TIMINGS=1), on projects
#                scripts/gen-monorepo.py generates at COPIES times SCALE_PAIRS train/serve
#                sub-folders (one marker-less project, and one project per sub-folder) and
#                COPIES times SCALE_FILES small files in one project; all rules, preview
#                included, --no-cache. Not in the default SECTIONS (it needs no corpus:
#                SECTIONS=scaling runs it alone)
#
# usage: scripts/bench.sh [RUNS]
# settings, from the environment:
#   RUNS=5                 rounds per measurement (the argument wins)
#   MLCORPUS=/tmp/mlready-corpus        the shared corpus (scripts/get-corpus.sh)
#   REVIEW_CORPUS=/tmp/mlready-review   the review corpus (scripts/review/assemble.sh)
#   CORPORA="shared=$MLCORPUS review=$REVIEW_CORPUS"   label=folder pairs to time
#   NOTEBOOKS=folder       [default: hard links to every notebook of CORPORA]
#   PRECOMMIT_REPO=folder  [default: the first corpus made one repository, ~1M lines]
#   PRECOMMIT_FILES=50
#   GROWTH_CORPUS=folder   [default: the first corpus]   COPIES="1 2 4"
#   SECTIONS="corpora notebooks pre-commit growth"       the measurements to run
#   SCALE_PAIRS=1000  SCALE_FILES=20000                  the scaling section's 1x sizes
#   PARSE_THREADS=2        threads of the bare parse (mlready uses one per core)
#   BASELINE=path/to/older/mlready      also time an older build, e.g. the last release
#   MLREADY=path/to/mlready             time this binary instead of building target/release's
#   RUFF_VENV=/tmp/mlready-bench-venv   where ruff is installed when missing
#   BENCH_TMP=/tmp         scratch space; must be on the corpora's file system (hard links)
# Both caches live in a scratch folder: nothing is written to the corpora. Any tool that fails
# (exit status other than 0; all run with --exit-zero) stops the benchmark with status 2.
set -euo pipefail
export LC_ALL=C # a '.' in $EPOCHREALTIME and in printf's numbers
root=$(cd "$(dirname "$0")/.." && pwd)

RUNS=${1:-${RUNS:-5}}
MLCORPUS=${MLCORPUS:-/tmp/mlready-corpus}
REVIEW_CORPUS=${REVIEW_CORPUS:-/tmp/mlready-review}
CORPORA=${CORPORA:-"shared=$MLCORPUS review=$REVIEW_CORPUS"}
PRECOMMIT_FILES=${PRECOMMIT_FILES:-50}
COPIES=${COPIES:-"1 2 4"}
SECTIONS=${SECTIONS:-"corpora notebooks pre-commit growth"}
SCALE_PAIRS=${SCALE_PAIRS:-1000}
SCALE_FILES=${SCALE_FILES:-20000}
PARSE_THREADS=${PARSE_THREADS:-2}
BASELINE=${BASELINE:-}
RUFF_VENV=${RUFF_VENV:-/tmp/mlready-bench-venv}
BENCH_TMP=${BENCH_TMP:-/tmp}

PARSE_TOOL="bare parse"
ML_COLD_TOOL="mlready --no-cache"
RUFF_WARM_TOOL="ruff, warm cache"

say() { echo "bench: $*" >&2; }
die() {
  say "$*"
  exit 2
}
wants() { [[ " $SECTIONS " == *" $1 "* ]]; }

# --- setup -------------------------------------------------------------------------------

# Makes a default corpus that is missing; any other missing folder is an error.
ensure_corpus() {
  local dir=$1
  [[ -d "$dir" ]] && return
  if [[ "$dir" == "$MLCORPUS" ]]; then
    MLCORPUS=$dir bash "$root/scripts/get-corpus.sh" >&2 || die "could not fetch $dir"
  elif [[ "$dir" == "$REVIEW_CORPUS" ]]; then
    # Exit status 1 means some repositories are missing: time the ones that are there.
    REVIEW_CORPUS=$dir bash "$root/scripts/review/assemble.sh" >&2 ||
      say "the review corpus is incomplete (see above); timing what was assembled"
  fi
  [[ -d "$dir" ]] || die "no corpus at $dir"
}

ensure_ruff() {
  if [[ ! -x "$RUFF_VENV/bin/ruff" ]]; then
    { python3 -m venv "$RUFF_VENV" && "$RUFF_VENV/bin/pip" install -q ruff; } >&2 ||
      die "could not install ruff into $RUFF_VENV"
  fi
  RUFF=$(cd "$RUFF_VENV/bin" && pwd)/ruff
}

build() {
  local target
  target=$(
    cd "$root"
    cargo build --release --quiet --bin mlready --example parse_bench
    cd "${CARGO_TARGET_DIR:-target}" && pwd
  )
  MLREADY=$(absolute "${MLREADY:-$target/release/mlready}")
  PARSE=$target/release/examples/parse_bench
}

# A path made absolute (the pre-commit runs change folder); a bare command name is kept.
absolute() {
  if [[ "$1" == */* ]]; then realpath -- "$1"; else printf '%s\n' "$1"; fi
}

# The cache flags are new: a build without them runs cold every time.
has_cache_flags() { [[ "$("$1" check --help 2>/dev/null)" == *--no-cache* ]]; }

# --- measuring ---------------------------------------------------------------------------

# Runs "$@" once and stops the benchmark if it fails; output is dropped (setup runs).
run() {
  "$@" >/dev/null 2>"$work/err" || {
    tail -n 20 "$work/err" >&2
    die "failed: $*"
  }
}

# measure SCENARIO TOOL COMMAND...: runs the command once and records its wall time (µs) and
# peak resident set (kB) as one sample of TOOL in SCENARIO.
measure() {
  local scenario=$1 tool=$2 start end
  shift 2
  start=${EPOCHREALTIME/./}
  /usr/bin/time -f %M -o "$work/rss" "$@" >/dev/null 2>"$work/err" || {
    tail -n 20 "$work/err" >&2
    die "$tool failed on $scenario: $*"
  }
  end=${EPOCHREALTIME/./}
  printf '%s\t%s\t%d\t%d\n' "$scenario" "$tool" $((end - start)) "$(tail -n 1 "$work/rss")" \
    >>"$work/samples.tsv"
}

# record_size SCENARIO PATH...: files and lines of the scenario, from one untimed parse (which
# also brings the files into the page cache before the first timed round).
record_size() {
  local scenario=$1 out
  shift
  out=$("$PARSE" --threads "$PARSE_THREADS" "$@") || die "parse_bench failed on $scenario"
  [[ "$out" =~ files=([0-9]+)\ lines=([0-9]+) ]] || die "parse_bench printed '$out'"
  printf '%s\t%s\t%s\n' "$scenario" "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" >>"$work/sizes.tsv"
}

# A run with the cache must leave one in the scratch folder and none in the corpus.
check_cache_written() {
  local scenario=$1 leaked
  shift
  [[ -n "$(ls -A "$MLREADY_CACHE_DIR" 2>/dev/null)" ]] ||
    die "$scenario: MLREADY_CACHE_DIR ($MLREADY_CACHE_DIR) is empty after a run with the cache"
  leaked=$(find "$@" -name .mlready_cache -print -quit)
  [[ -z "$leaked" ]] || die "$scenario: mlready wrote $leaked despite MLREADY_CACHE_DIR"
}

# suite SCENARIO PATH...: every tool on the paths, RUNS rounds.
suite() {
  local scenario=$1 round
  shift
  record_size "$scenario" "$@"
  for round in $(seq "$RUNS"); do
    say "$scenario: round $round/$RUNS"
    measure "$scenario" "$PARSE_TOOL" "$PARSE" --threads "$PARSE_THREADS" "$@"
    measure "$scenario" "$ML_COLD_TOOL" "$MLREADY" "${ml_check[@]}" "${ml_no_cache[@]}" "$@"
    if ((ml_cache)); then
      rm -rf -- "$MLREADY_CACHE_DIR"
      measure "$scenario" "mlready, empty cache" "$MLREADY" "${ml_check[@]}" "$@"
      ((round > 1)) || check_cache_written "$scenario" "$@"
      measure "$scenario" "mlready, warm cache" "$MLREADY" "${ml_check[@]}" "$@"
    fi
    measure "$scenario" "ruff --no-cache" "$RUFF" "${ruff_check[@]}" --no-cache "$@"
    rm -rf -- "$work/ruff-cache"
    measure "$scenario" "ruff, empty cache" "$RUFF" "${ruff_check[@]}" --cache-dir "$work/ruff-cache" "$@"
    measure "$scenario" "$RUFF_WARM_TOOL" "$RUFF" "${ruff_check[@]}" --cache-dir "$work/ruff-cache" "$@"
    if [[ -n "$BASELINE" ]]; then
      measure "$scenario" "baseline --no-cache" "$BASELINE" "${ml_check[@]}" "${base_no_cache[@]}" "$@"
    fi
  done
}

# Every notebook the walk finds in the corpora, hard-linked into one folder per corpus.
gather_notebooks() {
  local dest=$1 entry label dir
  for entry in $CORPORA; do
    label=${entry%%=*} dir=${entry#*=}
    mkdir -p "$dest/$label"
    (cd "$dir" && "$PARSE" --list . | awk '/\.ipynb$/' | tr '\n' '\0' |
      xargs -0 --no-run-if-empty cp -l --parents -t "$dest/$label")
  done
}

# The sub-folder of $1 with the most files to check.
# The first corpus as one repository of about a million lines (the issue's pre-commit case):
# hard links to all of it, without the packages' own project markers, under one pyproject.toml,
# so that every file belongs to one project.
monorepo() {
  local from=$1 to=$work/monorepo
  cp -al "$from" "$to"
  rm -rf "$to/.sdists"
  find "$to" -mindepth 2 \( -name pyproject.toml -o -name setup.py -o -name setup.cfg \
    -o -name requirements.txt -o -name .git \) -exec rm -rf {} +
  printf '[project]\nname = "monorepo"\n' >"$to/pyproject.toml"
  printf '%s\n' "$to"
}

# PRECOMMIT_FILES files of the repository, every Nth of the sorted walk, named relative to the
# repository as a hook names staged files; mlready and ruff are warmed on the whole repository.
precommit() {
  local repo=$1 scenario files=() all=() step i round
  cd "$repo"
  mapfile -t all < <("$PARSE" --list . | sed 's|^\./||')
  ((${#all[@]} >= PRECOMMIT_FILES)) || die "$repo has fewer than $PRECOMMIT_FILES files"
  step=$((${#all[@]} / PRECOMMIT_FILES))
  for ((i = 0; i < PRECOMMIT_FILES; i++)); do files+=("${all[i * step]}"); done
  scenario="pre-commit: ${#files[@]} files of ${repo##*/}"

  local -x MLREADY_CACHE_DIR=$work/precommit-cache
  local ruff_warm=("$RUFF" "${ruff_check[@]}" --cache-dir "$work/precommit-ruff-cache")
  run "$MLREADY" "${ml_check[@]}" .
  ((ml_cache == 0)) || check_cache_written "$scenario" .
  run "${ruff_warm[@]}" .
  record_size "$scenario" "${files[@]}"
  for round in $(seq "$RUNS"); do
    say "$scenario: round $round/$RUNS"
    measure "$scenario" "$PARSE_TOOL" "$PARSE" --threads "$PARSE_THREADS" "${files[@]}"
    measure "$scenario" "$ML_COLD_TOOL" "$MLREADY" "${ml_check[@]}" "${ml_no_cache[@]}" "${files[@]}"
    if ((ml_cache)); then
      measure "$scenario" "mlready, warm cache" "$MLREADY" "${ml_check[@]}" "${files[@]}"
    fi
    measure "$scenario" "$RUFF_WARM_TOOL" "${ruff_warm[@]}" "${files[@]}"
  done
  cd - >/dev/null
}

# 1, 2, 4 ... copies of the corpus (hard links: no disk space), each copy in its own folder.
growth() {
  local corpus=$1 copies i round
  for copies in $COPIES; do
    for ((i = 1; i <= copies; i++)); do
      mkdir -p "$work/growth/x$copies"
      cp -al "$corpus" "$work/growth/x$copies/copy$i"
    done
    record_size "growth x$copies" "$work/growth/x$copies"
  done
  for round in $(seq "$RUNS"); do
    say "growth: round $round/$RUNS"
    for copies in $COPIES; do
      measure "growth x$copies" "$PARSE_TOOL" "$PARSE" --threads "$PARSE_THREADS" "$work/growth/x$copies"
      measure "growth x$copies" "$ML_COLD_TOOL" "$MLREADY" "${ml_check[@]}" "${ml_no_cache[@]}" "$work/growth/x$copies"
    done
  done
}

# The project stage on generated projects (issue 12): per-stage wall times from
# MLREADY_TIMINGS, and what SKEW001 reports, at each size of COPIES.
scaling() {
  local gen=$root/scripts/gen-monorepo.py copies kind round dir
  for copies in $COPIES; do
    python3 "$gen" pairs $((SCALE_PAIRS * copies)) "$work/scaling/pairs-x$copies" >/dev/null
    python3 "$gen" pairs $((SCALE_PAIRS * copies)) "$work/scaling/marked-x$copies" --markers >/dev/null
    python3 "$gen" mixed $((SCALE_FILES * copies)) "$work/scaling/mixed-x$copies" >/dev/null
  done
  for round in $(seq "$RUNS"); do
    say "scaling: round $round/$RUNS"
    for kind in pairs marked mixed; do
      for copies in $COPIES; do
        dir=$work/scaling/$kind-x$copies
        MLREADY_TIMINGS=1 "$MLREADY" "${ml_check[@]}" --no-cache --select ALL --preview "$dir" \
          >"$work/scaling.json" 2>"$work/err" || {
          tail -n 20 "$work/err" >&2
          die "mlready failed on $dir"
        }
        local line
        line=$(grep '^mlready timings:' "$work/err") ||
          die "$MLREADY prints no MLREADY_TIMINGS line: the scaling section needs a newer build"
        printf '%s\t%s\t%s\n' "$kind" "$copies" "$line" >>"$work/stages.tsv"
        if ((round == 1)); then
          python3 - "$work/scaling.json" "$kind" "$copies" >>"$work/scaling-found.tsv" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
skew = [d for d in report["diagnostics"] if d["code"] == "SKEW001"]
related = sum(len(d["related"]) for d in skew)
print(f"{sys.argv[2]}\t{sys.argv[3]}\t{report['files_checked']}\t{len(skew)}\t{related}")
PY
        fi
      done
    done
  done
}

# Medians of the stage times per case and size; per unit vs 1x divides by the size (1.00x:
# linear).
scaling_table() {
  echo "Scaling: the project stage against the file stage, all rules (preview included), --no-cache;"
  echo "pairs: SCALE_PAIRS x N train/serve sub-folders in one marker-less folder; marked: the same, a"
  echo "pyproject.toml in each; mixed: SCALE_FILES x N small files in one project (generated by"
  echo "scripts/gen-monorepo.py). Stage times are medians of MLREADY_TIMINGS over $RUNS rounds."
  echo
  echo "| case | size | files | file stage s | project stage s | project / file stage | project per unit vs 1x | SKEW001 findings | their related places |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  local kind copies first
  for kind in pairs marked mixed; do
    first=${COPIES%% *}
    for copies in $COPIES; do
      awk -F'\t' -v kind="$kind" -v n="$copies" -v first="$first" "$AWK_FORMAT"'
        function stage(line, name,   m) {
          if (match(line, name "=[0-9.]+s")) return substr(line, RSTART + length(name) + 1, RLENGTH - length(name) - 2) + 0
          return 0
        }
        function median(list, count,   i, j, t) {
          for (i = 1; i <= count; i++) for (j = i + 1; j <= count; j++) if (list[j] < list[i]) { t = list[i]; list[i] = list[j]; list[j] = t }
          return (count % 2) ? list[(count + 1) / 2] : (list[count / 2] + list[count / 2 + 1]) / 2
        }
        FNR == 1 { file++ }
        file == 1 && $1 == kind && $2 == n { f[++c] = stage($3, "files"); p[c] = stage($3, "project") }
        file == 1 && $1 == kind && $2 == first { p1[++c1] = stage($3, "project") }
        file == 2 && $1 == kind && $2 == n { files = $3; found = $4; related = $5 }
        END {
          fm = median(f, c); pm = median(p, c); base = median(p1, c1)
          printf "| %s | %dx | %s | %.3f | %.3f | %s | %s | %s | %s |\n", kind, n, group(files), fm, pm,
            ratio(pm, fm), ratio(pm / (n / first), base), group(found), group(related)
        }' "$work/stages.tsv" "$work/scaling-found.tsv"
    done
  done
}

# --- report ------------------------------------------------------------------------------

# field SCENARIO TOOL COLUMN: the column (3: µs, 4: kB) of every sample of a tool
field() { awk -F'\t' -v s="$1" -v t="$2" -v c="$3" '$1 == s && $2 == t { print $c }' "$work/samples.tsv"; }
median() {
  field "$@" | sort -n |
    awk '{ v[NR] = $1 } END { if (NR) print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
peak() { field "$@" | sort -n | tail -n 1; }
tools_of() { awk -F'\t' -v s="$1" '$1 == s && !seen[$2]++ { print $2 }' "$work/samples.tsv"; }
size_of() { awk -F'\t' -v s="$1" -v c="$2" '$1 == s { print $c }' "$work/sizes.tsv"; }

# Number formatting shared by the tables: groups of thousands, seconds, ratios.
AWK_FORMAT='
function group(n,   s, out) {
  s = sprintf("%d", n); out = ""
  while (length(s) > 3) { out = "," substr(s, length(s) - 2) out; s = substr(s, 1, length(s) - 3) }
  return s out
}
function ratio(a, b) { return (a == "" || b == "" || b == 0) ? "–" : sprintf("%.2fx", a / b) }
function secs(us) { return sprintf(us < 1e7 ? "%.3f" : "%.2f", us / 1e6) }'

# One row per tool of a scenario.
table_rows() {
  local scenario=$1 parse ruff files lines tool
  parse=$(median "$scenario" "$PARSE_TOOL" 3)
  ruff=$(median "$scenario" "$RUFF_WARM_TOOL" 3)
  files=$(size_of "$scenario" 2) lines=$(size_of "$scenario" 3)
  while IFS= read -r tool; do
    awk -v tool="$tool" -v corpus="$scenario" -v files="$files" -v lines="$lines" \
      -v t="$(median "$scenario" "$tool" 3)" -v kb="$(peak "$scenario" "$tool" 4)" \
      -v parse="$parse" -v ruff="$ruff" "$AWK_FORMAT"'
      BEGIN {
        printf "| %s | %s | %s | %s | %s | %s | %s | %s | %.0f |\n", tool, corpus, group(files),
          group(lines), secs(t), ratio(t, parse), ratio(t, ruff), group(lines / (t / 1e6)), kb / 1024
      }'
  done < <(tools_of "$scenario")
}

main_table() {
  local scenario
  echo "| tool | corpus | files | lines | median s | vs bare parse | vs ruff warm | lines/s | peak MB |"
  echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  while IFS= read -r scenario; do
    [[ "$scenario" == growth* ]] || table_rows "$scenario"
  done < <(cut -f 1 "$work/sizes.tsv")
}

# Time per copy against 1 copy: 1.00x is linear growth.
growth_table() {
  local base_parse base_ml copies scenario
  echo "Growth: ${COPIES// /, } hard-linked copies of $1, each in its own folder; per copy vs 1 is the"
  echo "time divided by the copies and by the time of 1 copy (1.00x: linear)."
  echo
  base_parse=$(median "growth x1" "$PARSE_TOOL" 3)
  base_ml=$(median "growth x1" "$ML_COLD_TOOL" 3)
  echo "| copies | files | lines | bare parse s | per copy vs 1 | $ML_COLD_TOOL s | per copy vs 1 | mlready peak MB |"
  echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  for copies in $COPIES; do
    scenario="growth x$copies"
    awk -v n="$copies" -v files="$(size_of "$scenario" 2)" -v lines="$(size_of "$scenario" 3)" \
      -v p="$(median "$scenario" "$PARSE_TOOL" 3)" -v m="$(median "$scenario" "$ML_COLD_TOOL" 3)" \
      -v kb="$(peak "$scenario" "$ML_COLD_TOOL" 4)" -v p1="$base_parse" -v m1="$base_ml" "$AWK_FORMAT"'
      BEGIN {
        printf "| %d | %s | %s | %s | %s | %s | %s | %.0f |\n", n, group(files), group(lines),
          secs(p), ratio(p / n, p1), secs(m), ratio(m / n, m1), kb / 1024
      }'
  done
}

machine() {
  local cpu
  cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
  echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores (${cpu:-unknown CPU}), mlready" \
    "$(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- src Cargo.toml || echo '+changes')," \
    "$("$RUFF" --version), median of $RUNS alternating rounds; bare parse on $PARSE_THREADS threads."
  ((ml_cache)) || echo "This mlready has no --no-cache: every mlready run is cold and the warm rows are missing."
  [[ -z "$BASELINE" ]] || echo "Baseline: $BASELINE."
}

# --- main --------------------------------------------------------------------------------

[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive number, not '$RUNS'"

if [[ "$SECTIONS" != "scaling" ]]; then
  for entry in $CORPORA; do ensure_corpus "${entry#*=}"; done
fi
first_corpus=${CORPORA%% *}
first_corpus=${first_corpus#*=}
ensure_ruff
build
[[ -z "$BASELINE" ]] || BASELINE=$(absolute "$BASELINE")
work=$(mktemp -d "$BENCH_TMP/mlready-bench.XXXXXX")
work=$(cd "$work" && pwd)
trap 'rm -rf -- "$work"' EXIT

ml_check=(check --format json --exit-zero)
ruff_check=(check --exit-zero --quiet)
ml_cache=0 ml_no_cache=() base_no_cache=()
if has_cache_flags "$MLREADY"; then
  ml_cache=1 ml_no_cache=(--no-cache)
else
  ML_COLD_TOOL="mlready (no cache)"
  say "note: mlready check has no --no-cache yet: timing it without, and no warm runs"
fi
if [[ -n "$BASELINE" ]] && has_cache_flags "$BASELINE"; then base_no_cache=(--no-cache); fi
# Wherever the runs are, a cache goes to the scratch folder and never into a corpus.
export MLREADY_CACHE_DIR=$work/mlready-cache

if wants corpora; then
  for entry in $CORPORA; do suite "${entry%%=*}" "${entry#*=}"; done
fi
if wants notebooks; then
  notebooks=${NOTEBOOKS:-}
  if [[ -z "$notebooks" ]]; then
    notebooks=$work/notebooks
    gather_notebooks "$notebooks"
  fi
  suite "notebooks" "$notebooks"
fi
if wants pre-commit; then
  precommit "${PRECOMMIT_REPO:-$(monorepo "$first_corpus")}"
fi
if wants growth; then
  growth "${GROWTH_CORPUS:-$first_corpus}"
fi
if wants scaling; then
  ((ml_cache)) || die "the scaling section needs a build with --no-cache and MLREADY_TIMINGS"
  scaling
fi

echo
machine
if [[ -s "$work/sizes.tsv" ]]; then
  echo
  main_table
fi
if wants growth; then
  echo
  growth_table "${GROWTH_CORPUS:-$first_corpus}"
fi
if wants scaling; then
  echo
  scaling_table
fi
