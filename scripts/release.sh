#!/usr/bin/env bash
# Cut a release: set the version everywhere it is written, date the CHANGELOG's "Unreleased"
# section, commit, and tag. Pushing is left to you (the command is printed at the end).
#
# usage: scripts/release.sh VERSION          e.g. scripts/release.sh 0.2.0
#
# - Cargo.toml and Cargo.lock get VERSION (pyproject.toml reads it from Cargo.toml: maturin's
#   `dynamic = ["version"]`);
# - README.md's install, CI and pre-commit instructions pin vVERSION;
# - CHANGELOG.md's "## Unreleased" becomes "## VERSION - DATE" (UTC), under a new empty
#   "## Unreleased";
# - one commit "Release VERSION" and an annotated tag vVERSION on it.
# It refuses to run with uncommitted changes, an existing tag, or nothing under "Unreleased".
# tests/release.rs checks that the result is consistent (the README pins the version of
# Cargo.toml, and the CHANGELOG has a dated section for it), and runs this script on a copy.
set -euo pipefail
die() { echo "release: $*" >&2; exit 1; }
VERSION=${1:-}
[[ $VERSION =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "usage: scripts/release.sh X.Y.Z (got '${VERSION}')"
cd "$(dirname "$0")/.."
git diff --quiet && git diff --cached --quiet || die "commit or stash your changes first"
! git rev-parse -q --verify "refs/tags/v$VERSION" >/dev/null || die "tag v$VERSION exists already"
DATE=${RELEASE_DATE:-$(date -u +%Y-%m-%d)}

python3 - "$VERSION" "$DATE" <<'PY'
import re, sys
version, date = sys.argv[1], sys.argv[2]

def edit(path, pattern, replacement, count=0, flags=re.M):
    text = open(path, encoding="utf-8").read()
    new, n = re.subn(pattern, replacement, text, count=count, flags=flags)
    if n == 0:
        sys.exit(f"release: nothing to change in {path} for /{pattern}/")
    open(path, "w", encoding="utf-8").write(new)

# The package's own version: the first `version =` of Cargo.toml, the mlready entry of the lock.
edit("Cargo.toml", r'^version = "[^"]*"', f'version = "{version}"', count=1)
edit("Cargo.lock", r'(\[\[package\]\]\nname = "mlready"\nversion = )"[^"]*"', rf'\1"{version}"')
# The README's pins: `rev: vX.Y.Z`, `@vX.Y.Z` and the version `mlready --version` prints.
edit("README.md", r"(rev: )v\d+\.\d+\.\d+", rf"\1v{version}")
edit("README.md", r"@v\d+\.\d+\.\d+", f"@v{version}")
edit("README.md", r"(--tag )v\d+\.\d+\.\d+", rf"\1v{version}")
edit("README.md", r"(# the release )v\d+\.\d+\.\d+", rf"\1v{version}")
edit("README.md", r"(# mlready )\d+\.\d+\.\d+", rf"\g<1>{version}")

changelog = open("CHANGELOG.md", encoding="utf-8").read()
match = re.search(r"^## Unreleased\n(.*?)(?=^## |\Z)", changelog, flags=re.M | re.S)
if not match or not match.group(1).strip():
    sys.exit("release: CHANGELOG.md has nothing under '## Unreleased': say what changed first")
if re.search(rf"^## {re.escape(version)}\b", changelog, flags=re.M):
    sys.exit(f"release: CHANGELOG.md has a section for {version} already")
changelog = (
    changelog[: match.start()]
    + f"## Unreleased\n\n## {version} - {date}\n"
    + match.group(1)
    + changelog[match.end():]
)
open("CHANGELOG.md", "w", encoding="utf-8").write(changelog)
PY

git add Cargo.toml Cargo.lock README.md CHANGELOG.md
git commit -q -m "Release $VERSION"
git tag -a "v$VERSION" -m "mlready $VERSION"
echo "released $VERSION: commit $(git rev-parse --short HEAD), tag v$VERSION"
echo "publish it with: git push origin HEAD v$VERSION"
