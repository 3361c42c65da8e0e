#!/usr/bin/env bash
# The pre-commit hook end to end: a throwaway git repository uses the README's pre-commit
# snippet as written, pointed at this checkout instead of GitHub (so its `rev:` must be a tag or
# commit that exists here, or a release tag whose "Release X.Y.Z" commit does; pre-commit
# installs mlready with pip, building the wheel), stages a notebook with a leak, and the commit
# hook must fail with the finding, in the concise format the README names; once the notebook is
# fixed it must pass. A file the configuration excludes
# is not reported even when staged. When the README's rev is not this commit (a change after
# the last release), the hook of this commit is checked the same way afterwards.
# Needs PyPI (pre-commit, maturin) and cargo.
#
# usage: scripts/check-pre-commit.sh      (work folder: $WORK, default a fresh temp dir)
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
HEAD_REV=$(git rev-parse HEAD)
# The README's snippet: the yaml block of its "pre-commit" section.
SNIPPET=$(awk '/^### pre-commit/{on=1} on&&/^```yaml/{grab=1;next} grab&&/^```/{exit} grab' README.md)
README_REV=$(printf '%s\n' "$SNIPPET" | sed -n 's/^ *rev: *\([^ ]*\).*/\1/p')
[ -n "$README_REV" ] || { echo "no rev: in the README's pre-commit snippet"; exit 1; }
WORK=${WORK:-$(mktemp -d)}
# The repository pre-commit installs from: this checkout, or a copy of it that carries the tag.
UPSTREAM=$REPO
if ! README_COMMIT=$(git rev-parse -q --verify "$README_REV^{commit}"); then
  # A clone of one branch (as CI makes) carries no tags. A release tag still names something
  # checkable: the commit scripts/release.sh made for it, "Release X.Y.Z", with that version in
  # Cargo.toml. Tag it in a copy, so the snippet is checked as written without touching this one.
  [[ $README_REV =~ ^v([0-9]+\.[0-9]+\.[0-9]+)$ ]] \
    || { echo "the README's pre-commit rev $README_REV is not a tag or commit of this repository"; exit 1; }
  VERSION=${BASH_REMATCH[1]}
  # (awk reads to the end: leaving early would kill git log with SIGPIPE, failing the pipe.)
  README_COMMIT=$(git log --format='%H %s' HEAD | awk -v s="Release $VERSION" '
    !found && substr($0, 42) == s { print $1; found = 1 }')
  [ -n "$README_COMMIT" ] \
    || { echo "the README's pre-commit rev $README_REV is not a tag of this repository, and no commit 'Release $VERSION' is in its history"; exit 1; }
  git show "$README_COMMIT:Cargo.toml" | grep -qx "version = \"$VERSION\"" \
    || { echo "the commit 'Release $VERSION' ($README_COMMIT) does not set version $VERSION in Cargo.toml"; exit 1; }
  echo "--- no tag $README_REV in this checkout; tagging its release commit $README_COMMIT in a copy"
  UPSTREAM="$WORK/upstream"
  git clone -q --no-checkout "$REPO" "$UPSTREAM"
  git -C "$UPSTREAM" tag "$README_REV" "$README_COMMIT"
fi
PYTHON=${PYTHON:-python3}
export PRE_COMMIT_HOME="$WORK/pre-commit-home"
# pre-commit builds mlready from this repository: reuse its compiled crates.
export CARGO_TARGET_DIR="$REPO/target"

"$PYTHON" -m venv "$WORK/tools"
"$WORK/tools/bin/pip" install -q "pre-commit>=3,<5"
PRE_COMMIT="$WORK/tools/bin/pre-commit"

check_hook() { # $1: the .pre-commit-config.yaml to use
project="$WORK/project"
rm -rf "$project" && mkdir -p "$project/scratch" && cd "$project"
git init -q
git config user.email ci@example.com
git config user.name CI
printf '%s\n' "$1" > .pre-commit-config.yaml
echo "--- .pre-commit-config.yaml"; cat .pre-commit-config.yaml
cat > pyproject.toml <<'TOML'
[tool.mlready]
exclude = ["scratch"]
TOML

notebook() { # notebook with one code cell: $1
  "$PYTHON" - "$1" <<'PY'
import json, sys
cell = {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
        "source": sys.argv[1]}
print(json.dumps({"cells": [{"cell_type": "markdown", "metadata": {}, "source": "# Churn"}, cell],
                  "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                              "language": "python"}},
                  "nbformat": 4, "nbformat_minor": 5}, indent=1))
PY
}
LEAKY='import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
df = pd.read_csv("data/churn.csv")
X = StandardScaler().fit_transform(df[["tenure", "charges"]])
X_tr, X_te, y_tr, y_te = train_test_split(X, df["churned"], random_state=0)
model = LogisticRegression().fit(X_tr, y_tr)
print(model.score(X_te, y_te))
'
FIXED='import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
df = pd.read_csv("data/churn.csv")
X_tr, X_te, y_tr, y_te = train_test_split(df[["tenure", "charges"]], df["churned"], random_state=0)
model = make_pipeline(StandardScaler(), LogisticRegression()).fit(X_tr, y_tr)
print(model.score(X_te, y_te))
'
notebook "$LEAKY" > train.ipynb
printf '%s' "$LEAKY" > scratch/leaky.py
git add -A

set +e
"$PRE_COMMIT" run > "$WORK/first.log" 2>&1
first=$?
set -e
cat "$WORK/first.log"
[ "$first" = 1 ] || { echo "the hook should fail on the leak (exit $first)"; exit 1; }
grep -q "^train.ipynb:cell 2:6:5: LEAK001 \[warning\] \`StandardScaler\` is fitted" "$WORK/first.log" \
  || { echo "the hook output does not name the leak in cell 2 in the concise format"; exit 1; }
if grep -q "╭─\[" "$WORK/first.log"; then
  echo "the hook printed the long text format; the README says concise"; exit 1
fi
if grep -q "scratch/leaky.py" "$WORK/first.log"; then
  echo "an excluded file was reported"; exit 1
fi

notebook "$FIXED" > train.ipynb
git add -A
"$PRE_COMMIT" run > "$WORK/second.log" 2>&1 || { cat "$WORK/second.log"; echo "the hook should pass once fixed"; exit 1; }
cat "$WORK/second.log"
}

# The README's snippet as written, with this checkout (or its tagged copy) for GitHub.
check_hook "${SNIPPET//https:\/\/github.com\/mlready\/mlready/$UPSTREAM}"
if [ "$README_COMMIT" != "$HEAD_REV" ]; then
  echo "--- the README pins $README_REV; checking the hook of this commit too"
  check_hook "repos:
  - repo: $REPO
    rev: $HEAD_REV
    hooks:
      - id: mlready"
fi
echo "pre-commit check passed"
