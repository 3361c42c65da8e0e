#!/usr/bin/env bash
# Coverage-guided fuzzing of mlready with cargo-fuzz (libFuzzer).
#
#   scripts/fuzz.sh                   every target for 60 s each
#   scripts/fuzz.sh TARGET [SECONDS]  one target (default 60 s); SECONDS=0 runs until stopped
#   scripts/fuzz.sh all SECONDS       every target, SECONDS each (what .ci/run does)
#
# Targets (fuzz/fuzz_targets/):
#   notebook        the notebook loader and its cell map (offsets mapped to cells and back)
#   check_py        `mlready check --select ALL --preview` of one .py file, every output format
#   check_notebook  the same for one notebook (bytes that are not JSON: as its cells' code)
#   config          mlready.toml / pyproject.toml through the configuration loader
#   baseline        a --baseline file through the baseline reader, then filtering a report
#
# A crash (a panic, a hang over 10 s, more than 2 GB of memory) stops the run and is saved in
# fuzz/artifacts/TARGET/. Then:
#   cargo fuzz tmin -s none -a TARGET fuzz/artifacts/TARGET/crash-...   # minimise it
#   cargo fuzz run -s none -a TARGET fuzz/artifacts/TARGET/minimized-... # replay it
# fix the cause, and add the minimised input as a regression test of the main crate that
# asserts its exact outcome.
#
# The fuzz crate is its own workspace (fuzz/Cargo.toml), outside the main build. Corpora grow
# in fuzz/corpus/TARGET (seeded from fixtures/ and fuzz/seeds/ on first use); corpora and
# artifacts are git-ignored.
#
# It builds on the stable toolchain: `-s none` leaves out AddressSanitizer, whose flag is
# nightly-only (safe Rust needs none; with `-s address` on stable, RUSTC_BOOTSTRAP=1 would be
# needed), and `-a` turns debug assertions on, so an integer overflow or a failed
# `debug_assert!` is a crash too.
set -euo pipefail
cd "$(dirname "$0")/.."

TARGETS=(notebook check_py check_notebook config baseline)
target=${1:-all}
seconds=${2:-60}

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

# Fills an empty corpus folder with the inputs the target starts from.
seed() {
    local name=$1 dir=fuzz/corpus/$1
    if [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
        return
    fi
    mkdir -p "$dir"
    case $name in
        check_py) find fixtures examples -name '*.py' -size -64k ;;
        notebook) find fixtures examples -name '*.ipynb' -size -64k ;;
        # Python too: check_notebook also checks bytes that are not JSON as cells of code.
        check_notebook) find fixtures examples \( -name '*.ipynb' -o -name '*.py' \) -size -64k ;;
        config)
            find fixtures examples -name '*.toml'
            find fuzz/seeds/config -type f
            ;;
        baseline) find fuzz/seeds/baseline -type f ;;
    esac | while read -r file; do
        # Named by content, so the same input is kept once.
        cp "$file" "$dir/$(sha1sum "$file" | cut -c1-40)"
    done
}

dict() {
    case $1 in
        config) echo "-dict=fuzz/dicts/config.dict" ;;
        notebook | check_py | check_notebook) echo "-dict=fuzz/dicts/python.dict" ;;
    esac
}

run() {
    local name=$1
    seed "$name"
    echo "== fuzzing $name for ${seconds}s"
    # shellcheck disable=SC2046 # dict() prints one word or none
    cargo fuzz run -s none -a "$name" "fuzz/corpus/$name" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 $(dict "$name")
}

case $target in
    all) for name in "${TARGETS[@]}"; do run "$name"; done ;;
    *)
        if [[ " ${TARGETS[*]} " != *" $target "* ]]; then
            echo "unknown target '$target' (one of: ${TARGETS[*]}, all)" >&2
            exit 2
        fi
        run "$target"
        ;;
esac
