#!/usr/bin/env bash
# Builds the pip wheel (maturin, `bindings = "bin"`), installs it into a fresh virtualenv and
# runs it on the demo project: `mlready` must be on PATH and `python -m mlready` must work,
# with no Rust toolchain needed by the user. Needs PyPI (for maturin) and cargo.
#
# usage: scripts/check-wheel.sh          (work folder: $WORK, default a fresh temp dir)
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
WORK=${WORK:-$(mktemp -d)}
PYTHON=${PYTHON:-python3}

"$PYTHON" -m venv "$WORK/build-env"
"$WORK/build-env/bin/pip" install -q "maturin>=1.9,<2.0"
# Reuse the repository's release build when there is one.
CARGO_TARGET_DIR="$REPO/target" "$WORK/build-env/bin/maturin" build --release --locked \
  --out "$WORK/dist" --quiet
WHEEL=$(ls "$WORK"/dist/mlready-*.whl)
echo "built $(basename "$WHEEL")"

"$PYTHON" -m venv "$WORK/user-env"
"$WORK/user-env/bin/pip" install -q "$WHEEL"
export PATH="$WORK/user-env/bin:$PATH"
command -v mlready | grep -q "$WORK/user-env/bin/mlready"

# The demo project has findings: exit code 1, and the JSON names them.
set +e
mlready check "$REPO/examples/churn-demo" --format json > "$WORK/demo.json"
code=$?
set -e
[ "$code" = 1 ] || { echo "expected exit 1 on the demo, got $code"; exit 1; }
"$WORK/user-env/bin/python" - "$WORK/demo.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
codes = {d["code"] for d in report["diagnostics"]}
for wanted in ("LEAK001", "SKEW001", "MON001"):
    assert wanted in codes, (wanted, sorted(codes))
print(f"demo: {len(report['diagnostics'])} findings, rules {sorted(codes)}")
PY
# `python -m mlready` runs the same binary.
"$WORK/user-env/bin/python" -m mlready rule LEAK001 | head -1 | grep -q "preprocessing-before-split"
"$WORK/user-env/bin/python" -m mlready --version
echo "wheel check passed"
