#!/usr/bin/env bash
# The Markdown audit's lineage is a Mermaid flowchart for GitHub and GitLab to draw. This
# renders the flowcharts of the demo project, two fixture projects and a project with
# hostile names (quotes, brackets, `#`, `&`, `<`) with the real Mermaid library (npm,
# version 11, as GitHub and GitLab use) in headless chromium, in strict security mode, and
# checks that each parses and draws one box per lineage node.
#
# usage: scripts/check-mermaid.sh      (needs npm and /usr/bin/chromium: scripts/install-chromium.sh)
#   MLREADY=path    use this binary instead of the debug build (built here when missing)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
if [ -z "${MLREADY:-}" ]; then
  cargo build --locked --quiet
  MLREADY=${CARGO_TARGET_DIR:-target}/debug/mlready
fi
MLREADY=$(realpath "$MLREADY")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
(cd "$WORK" && npm install --silent --no-audit --no-fund mermaid@11 >/dev/null)

mkdir -p "$WORK/hostile/models"
cat > "$WORK/hostile/train \"v2\" [final] & <x>.py" <<'PY'
import joblib
import pandas as pd
from sklearn.linear_model import LogisticRegression
df = pd.read_csv("data/a#1 \"q\" [x].csv")
model = LogisticRegression(random_state=0)
model.fit(df[["a", "b"]], df["y"])
joblib.dump(model, "models/m#1 \"x\" <end> & --> ].pkl")
PY
cat > "$WORK/hostile/serve.py" <<'PY'
import joblib
from fastapi import FastAPI
app = FastAPI()
model = joblib.load("models/m#1 \"x\" <end> & --> ].pkl")

@app.post("/predict")
def predict(a: float, b: float):
    return {"y": int(model.predict([[a, b]])[0])}
PY

checked=0
for project in examples/churn-demo fixtures/projects/notebook-only-training \
  fixtures/projects/predictions-as-features "$WORK/hostile"; do
  case "$project" in /*) dir=$project ;; *) dir=$ROOT/$project ;; esac
  name=$(basename "$project")
  (cd "$dir" && "$MLREADY" audit --no-cache > "$WORK/$name.md" \
    && "$MLREADY" audit --no-cache --format json > "$WORK/$name.json")
  python3 - "$WORK" "$name" <<'PY'
import html, json, re, sys
work, name = sys.argv[1], sys.argv[2]
text = open(f"{work}/{name}.md").read()
found = re.search(r"```mermaid\n(.*?)\n```", text, re.S)
if not found:
    sys.exit(f"{name}: no mermaid block in the Markdown audit")
graph = found.group(1)
page = f"""<!doctype html><html><body>
<pre class="mermaid" id="g">{html.escape(graph)}</pre><div id="result">pending</div>
<script src="node_modules/mermaid/dist/mermaid.min.js"></script>
<script>
mermaid.initialize({{startOnLoad: false, securityLevel: "strict"}});
const el = document.getElementById("g");
mermaid.parse(el.textContent)
  .then(() => mermaid.run({{nodes: [el]}}))
  .then(() => {{
    const svg = el.querySelector("svg");
    document.getElementById("result").textContent = JSON.stringify({{
      svg: !!svg, nodes: svg ? svg.querySelectorAll("g.node").length : 0,
      text: svg ? svg.textContent : ""}});
  }})
  .catch(e => {{ document.getElementById("result").textContent = "ERROR " + e; }});
</script></body></html>"""
open(f"{work}/{name}.html", "w").write(page)
PY
  timeout 120 /usr/bin/chromium --headless --no-sandbox --disable-gpu --disable-quic \
    --no-first-run --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$WORK/profile-$name" --allow-file-access-from-files \
    --virtual-time-budget=15000 --dump-dom "file://$WORK/$name.html" \
    > "$WORK/$name.dom" 2>/dev/null
  python3 - "$WORK" "$name" <<'PY'
import html, json, re, sys
work, name = sys.argv[1], sys.argv[2]
dom = open(f"{work}/{name}.dom").read()
result = re.search(r'<div id="result">(.*?)</div>', dom, re.S)
if not result:
    sys.exit(f"{name}: the page did not render")
value = html.unescape(result.group(1))
if not value.startswith("{"):
    sys.exit(f"{name}: mermaid failed: {value}")
drawn = json.loads(value)
expected = len(json.load(open(f"{work}/{name}.json"))["lineage"]["nodes"])
if not drawn["svg"] or drawn["nodes"] != expected:
    sys.exit(f"{name}: drew {drawn['nodes']} boxes for {expected} lineage nodes")
written = ['train "v2" [final] & <x>.py', "models/m#1", "<end> & --> ].pkl"]
if name == "hostile" and not all(w in drawn["text"] for w in written):
    sys.exit(f"{name}: the names are not drawn as written: {drawn['text'][-400:]!r}")
print(f"{name}: mermaid drew {drawn['nodes']} nodes")
PY
  checked=$((checked + 1))
done
echo "check-mermaid: $checked flowcharts render"
