#!/usr/bin/env bash
# The README's Neovim settings, run: Neovim starts `mlready server` with the README's
# `init.lua` for 0.11+ (its first ```lua block under "Neovim"), opens the demo project's
# train.py headless, and must show mlready's LEAK001 finding on line 17 within 30 s; then an
# unsaved edit that removes the leak must clear it. Needs Neovim 0.11 or later ($NVIM or
# `nvim` on PATH) and mlready ($MLREADY or `mlready` on PATH). Not part of .ci/run, which has
# no Neovim; README, "Editors", says when it was last run.
#
# usage: scripts/check-neovim.sh
set -euo pipefail
cd "$(dirname "$0")/.."
NVIM=${NVIM:-nvim}
MLREADY=${MLREADY:-mlready}
command -v "$NVIM" >/dev/null || { echo "check-neovim: no Neovim ($NVIM)"; exit 2; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/bin"
ln -s "$(command -v "$MLREADY")" "$WORK/bin/mlready"
cp -r examples/churn-demo "$WORK/demo"
# The first ```lua block after the README's "**Neovim**" paragraph.
awk '/^\*\*Neovim\*\*/{on=1} on&&/^```lua/{grab=1;next} grab&&/^```/{exit} grab' README.md > "$WORK/init.lua"
grep -q "vim.lsp.enable('mlready')" "$WORK/init.lua" || { echo "check-neovim: no config found in README"; exit 2; }
cat > "$WORK/check.lua" <<'LUA'
local out = {}
local function codes()
  local found = {}
  for _, d in ipairs(vim.diagnostic.get(0)) do
    table.insert(found, string.format("%s@%d", tostring(d.code), d.lnum + 1))
  end
  table.sort(found)
  return table.concat(found, ",")
end
local has = function(code) return codes():find(code, 1, true) ~= nil end
local ok = vim.wait(30000, function() return has("LEAK001@17") end, 100)
table.insert(out, "open: " .. codes())
if ok then
  -- Fit the scaler on the training part only: the leak goes, without saving.
  vim.api.nvim_buf_set_lines(0, 16, 17, false, { "X_scaled = X" })
  ok = vim.wait(30000, function() return not has("LEAK001") end, 100)
  table.insert(out, "edited: " .. codes())
end
table.insert(out, ok and "ok" or "FAILED")
vim.fn.writefile(out, vim.env.OUT)
vim.cmd("qa!")
LUA
cd "$WORK/demo"
PATH="$WORK/bin:$PATH" OUT="$WORK/out.txt" timeout 120 "$NVIM" --headless -u "$WORK/init.lua" \
  -c "luafile $WORK/check.lua" train.py >/dev/null 2>&1 || true
cat "$WORK/out.txt" 2>/dev/null || { echo "check-neovim: Neovim wrote nothing"; exit 1; }
tail -1 "$WORK/out.txt" | grep -qx ok
