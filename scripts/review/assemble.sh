#!/usr/bin/env bash
# Assemble the review corpus described by manifest.tsv (see CORPUS.md).
#
# For every manifest row, reads the repository snapshot at
# ${MIRROR_DIR:-/work/.mirror}/<owner>+<name> (a bare git directory, or one holding repo/ or
# repo/.git, as the search tool's fetch leaves it), checks that the pinned commit is there and
# extracts the row's paths into
#   ${REVIEW_CORPUS:-/tmp/mlready-review}/<kind>/<owner>__<name>[__<sanitised paths>]/
# keeping only what mlready reads: *.py, *.ipynb and the project marker/config files
# (pyproject.toml, setup.cfg, setup.py, requirements*.txt, environment.yml, mlready.toml).
# Files over 5 MB, symlinks, submodules and Jupyter .ipynb_checkpoints copies are dropped, and so
# is any configuration that would change the linter's behaviour on third-party code: every
# mlready.toml / .mlready.toml, and every pyproject.toml mentioning tool.mlready.
#
# Idempotent: each entry's folder is wiped before it is extracted, and entry folders that no
# manifest row names any more are removed, so re-running gives the same tree.
# Exit status 1 if any repository is missing or a pinned commit is absent (the other rows are
# still extracted).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
manifest=${MANIFEST:-$here/manifest.tsv}
mirror=${MIRROR_DIR:-/work/.mirror}
corpus=${REVIEW_CORPUS:-/tmp/mlready-review}
max_bytes=$((5 * 1024 * 1024))
kinds=(notebooks project)

[[ -f "$manifest" ]] || { echo "assemble: no manifest at $manifest" >&2; exit 2; }

# The git directory of a snapshot, or nothing.
git_dir_of() {
  local base=$1 d
  for d in "$base" "$base/repo/.git" "$base/repo"; do
    if [[ -f "$d/HEAD" && -d "$d/objects" ]]; then
      printf '%s\n' "$d"
      return 0
    fi
  done
  return 1
}

# A folder-name-safe form of a paths field: ',' -> '+', '/' -> '_', anything unusual -> '_';
# long ones are shortened and made unique with a hash of the full field.
sanitise() {
  local s=$1 h
  s=${s//,/+}
  s=${s//\//_}
  s=$(printf '%s' "$s" | LC_ALL=C tr -c 'A-Za-z0-9._+-' '_')
  s=${s##_}
  s=${s%%_}
  if ((${#s} > 60)); then
    h=$(printf '%s' "$1" | sha1sum | cut -c1-8)
    s="${s:0:51}-$h"
  fi
  printf '%s\n' "$s"
}

keep_name() {
  case "${1##*/}" in
    *.py | *.ipynb | pyproject.toml | setup.cfg | setup.py | requirements*.txt | environment.yml | mlready.toml) return 0 ;;
    *) return 1 ;;
  esac
}

missing_repos=()
bad_commits=()
declare -A wanted=()   # entry folders this manifest names (relative to $corpus)
declare -A entries=()  # per kind: entries extracted this run
for k in "${kinds[@]}"; do entries[$k]=0; done
dropped_big=0 dropped_absent=0 dropped_config=0

line_no=0
while IFS=$'\t' read -r repo commit kind paths note || [[ -n "${repo:-}" ]]; do
  line_no=$((line_no + 1))
  ((line_no == 1)) && continue                       # header
  [[ -z "${repo// /}" || "$repo" == \#* ]] && continue
  if [[ "$kind" != notebooks && "$kind" != project ]]; then
    echo "assemble: line $line_no: unknown kind '$kind' for $repo" >&2
    bad_commits+=("$repo (bad kind)")
    continue
  fi
  owner=${repo%%/*} name=${repo#*/}
  entry="${owner}__${name}"
  [[ "$paths" != "." ]] && entry="${entry}__$(sanitise "$paths")"
  wanted["$kind/$entry"]=1

  if ! gd=$(git_dir_of "$mirror/$owner+$name"); then
    missing_repos+=("$repo")
    continue
  fi
  if ! git --git-dir="$gd" cat-file -e "${commit}^{commit}" 2>/dev/null; then
    echo "assemble: $repo: pinned commit $commit is not in $gd (fetch a newer snapshot or re-pin)" >&2
    bad_commits+=("$repo@$commit")
    continue
  fi

  # The files to keep: blobs (no symlinks, no submodules) under the row's paths, by name.
  pathspec=()
  if [[ "$paths" != "." ]]; then
    IFS=',' read -r -a pathspec <<<"$paths"
  fi
  files=() shas=()
  while IFS= read -r -d '' rec; do
    meta=${rec%%$'\t'*} path=${rec#*$'\t'}
    read -r mode type sha <<<"$meta"
    [[ "$type" == blob && "$mode" != 120000 ]] || continue
    [[ "/$path" == */.ipynb_checkpoints/* ]] && continue
    keep_name "$path" || continue
    files+=("$path") shas+=("$sha")
  done < <(git --literal-pathspecs --git-dir="$gd" ls-tree -r -z --full-tree "$commit" -- "${pathspec[@]}")

  # Sizes, and objects the snapshot lacks (it has no file of 4 MiB or more).
  keep=()
  if ((${#shas[@]})); then
    i=0
    while read -r _ otype osize; do
      if [[ "$otype" == missing ]]; then
        dropped_absent=$((dropped_absent + 1))
      elif ((osize > max_bytes)); then
        dropped_big=$((dropped_big + 1))
      else
        keep+=("${files[$i]}")
      fi
      i=$((i + 1))
    done < <(printf '%s\n' "${shas[@]}" | git --git-dir="$gd" cat-file --batch-check)
  fi

  dest="$corpus/$kind/$entry"
  stage="$corpus/.stage.$$"
  rm -rf -- "$stage" "$dest"
  mkdir -p -- "$stage" "$corpus/$kind"
  # Every kept object was checked present above; git archive still reports absent objects it
  # merely walks past (paths sharing a prefix with a pathspec), so those reports are filtered.
  for ((i = 0; i < ${#keep[@]}; i += 400)); do
    git --literal-pathspecs --git-dir="$gd" archive --format=tar "$commit" -- "${keep[@]:i:400}" \
      2> >(grep -v '^error: invalid object ' >&2 || true) |
      tar -xf - -C "$stage" --no-same-owner --no-same-permissions
  done
  # Configuration for mlready itself must not come from third-party code.
  while IFS= read -r -d '' f; do
    case "${f##*/}" in
      mlready.toml | .mlready.toml) rm -f -- "$f"; dropped_config=$((dropped_config + 1)) ;;
      pyproject.toml)
        if grep -q 'tool\.mlready' -- "$f"; then rm -f -- "$f"; dropped_config=$((dropped_config + 1)); fi ;;
    esac
  done < <(find "$stage" -type f \( -name pyproject.toml -o -name mlready.toml -o -name .mlready.toml \) -print0)
  find "$stage" ! -type f ! -type d -delete
  mv -- "$stage" "$dest"
  entries[$kind]=$((entries[$kind] + 1))
done <"$manifest"

# Entry folders no manifest row names any more.
for k in "${kinds[@]}"; do
  [[ -d "$corpus/$k" ]] || continue
  for d in "$corpus/$k"/*__*; do
    [[ -d "$d" ]] || continue
    if [[ -z "${wanted["$k/${d##*/}"]:-}" ]]; then
      echo "assemble: removing $d (not in the manifest)" >&2
      rm -rf -- "$d"
    fi
  done
done

echo "review corpus: $corpus"
for k in "${kinds[@]}"; do
  py=0 nb=0
  if [[ -d "$corpus/$k" ]]; then
    py=$(find "$corpus/$k" -type f -name '*.py' | wc -l)
    nb=$(find "$corpus/$k" -type f -name '*.ipynb' | wc -l)
  fi
  printf '%-10s entries=%d  .py=%d  .ipynb=%d  total=%d\n' "$k" "${entries[$k]}" "$py" "$nb" $((py + nb))
done
echo "dropped: $dropped_big over 5 MB, $dropped_absent absent from the snapshots, $dropped_config mlready config file(s)"

status=0
if ((${#missing_repos[@]})); then
  echo "assemble: ${#missing_repos[@]} repositories are not in $mirror: ${missing_repos[*]}" >&2
  echo "assemble: fetch them with the search tool's fetch (github:owner/name), then re-run" >&2
  status=1
fi
if ((${#bad_commits[@]})); then
  echo "assemble: ${#bad_commits[@]} rows could not be extracted: ${bad_commits[*]}" >&2
  status=1
fi
exit $status
