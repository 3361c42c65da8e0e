#!/usr/bin/env python3
"""Generates the projects that measure how the project stage scales (issue 12): nothing here is
committed, the script writes them under a scratch folder.

usage:
  scripts/gen-monorepo.py pairs N OUT [--markers]
      N sub-folders OUT/p0000 ... each holding a train.py that fits a model on a feature the
      serving request cannot provide and saves it by a bare relative name (`model.pkl`), and a
      serve.py (FastAPI or Flask, alternately) that loads `model.pkl` and predicts from the
      request's fields. With --markers each sub-folder has its own pyproject.toml (N projects);
      without, OUT is one marker-less folder of N sub-folders (one project when OUT is the
      argument). Expected: N SKEW001 findings, each at one train.py relating its own serve.py.
  scripts/gen-monorepo.py mixed N OUT
      About N small files in one project (OUT/pyproject.toml), in groups of 1,000: each group
      has a shared `models/` folder, TRAINERS trainers saving `../models/model.pkl` (the same
      artifact), SERVERS serving files loading it, data preparation writing
      `../data/features.parquet` that the trainers read, and the rest helpers, EDA scripts and
      notebooks. A third of the serving files pass a positional row (`[[a, b]]`) of two
      values to the model fitted on three columns. Every trainer of a group joins every server of the group; no two groups join.
      TRAINERS (default 57) and SERVERS (default 20) come from the environment.

Both print the number of files written.
"""

import json
import os
import sys

TRAIN = """\
import os
from pathlib import Path

import joblib
import pandas as pd
from sklearn.linear_model import LogisticRegression

df = pd.read_csv("customers.csv")
df["tickets_30d"] = df.groupby("user_id")["ticket_id"].transform("count")
X = df[["plan_price", "tenure_months", "tickets_30d"]]
y = df["churned"]
model = LogisticRegression(max_iter={iters}).fit(X, y)
joblib.dump(model, {artifact})
"""

SERVE_FASTAPI = """\
import os
from pathlib import Path

import joblib
import pandas as pd
from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()
model = joblib.load({artifact})


class ChurnRequest(BaseModel):
    plan_price: float
    tenure_months: int


@app.post("/predict")
def predict(req: ChurnRequest):
    frame = pd.DataFrame([req.dict()])
    return {{"churn": float(model.predict(frame)[0])}}
"""

SERVE_FLASK = """\
import os
from pathlib import Path

import joblib
import pandas as pd
from flask import Flask, jsonify, request

app = Flask(__name__)
model = joblib.load({artifact})


@app.route("/predict", methods=["POST"])
def predict():
    payload = request.get_json()
    row = {{"plan_price": payload["plan_price"], "tenure_months": payload["tenure_months"]}}
    return jsonify(churn=float(model.predict(pd.DataFrame([row]))[0]))
"""

SERVE_POSITIONAL = """\
import joblib
from fastapi import FastAPI

app = FastAPI()
model = joblib.load({artifact})


@app.get("/score")
def score(plan_price: float, tenure_months: int):
    return {{"churn": float(model.predict([[plan_price, tenure_months]])[0])}}
"""

TRAIN_FROM_FEATURES = """\
import joblib
import pandas as pd
from sklearn.ensemble import RandomForestClassifier

df = pd.read_parquet("../data/features.parquet")
df["tickets_30d"] = df.groupby("user_id")["ticket_id"].transform("count")
X = df[["plan_price", "tenure_months", "tickets_30d"]]
model = RandomForestClassifier(n_estimators={trees}, random_state=0).fit(X, df["churned"])
joblib.dump(model, "../models/model.pkl")
"""

PREP = """\
import pandas as pd

raw = pd.read_csv("../data/raw_{n}.csv")
raw = raw.dropna(subset=["user_id"])
raw["plan_price"] = raw["plan_price"].clip(lower=0)
raw.to_parquet("../data/features.parquet")
"""

HELPER = """\
import numpy as np
import pandas as pd


def clean_{n}(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    df["amount_{n}"] = df["amount"].fillna(0).astype(float)
    return df[df["amount_{n}"] >= 0]


def summarize_{n}(values):
    arr = np.asarray(values, dtype=float)
    return {{"mean": float(arr.mean()), "std": float(arr.std()), "n": int(arr.size)}}
"""

EDA = """\
import matplotlib.pyplot as plt
import pandas as pd

df = pd.read_csv("../data/raw_{n}.csv")
print(df.describe())
df["plan_price"].hist(bins=30)
plt.savefig("plan_price_{n}.png")
"""


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def notebook(cells):
    return json.dumps(
        {
            "cells": [
                {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
                 "source": cell.splitlines(keepends=True)}
                for cell in cells
            ],
            "metadata": {"kernelspec": {"name": "python3", "language": "python",
                                        "display_name": "Python 3"}},
            "nbformat": 4,
            "nbformat_minor": 5,
        },
        indent=1,
    )


def pairs(n, out, markers):
    artifact = os.environ.get("ARTIFACT", '"model.pkl"')
    written = 0
    for i in range(n):
        folder = os.path.join(out, f"p{i:04d}")
        write(os.path.join(folder, "train.py"), TRAIN.format(iters=100 + i, artifact=artifact))
        serve = SERVE_FASTAPI if i % 2 == 0 else SERVE_FLASK
        write(os.path.join(folder, "serve.py"), serve.format(artifact=artifact))
        written += 2
        if markers:
            write(os.path.join(folder, "pyproject.toml"), f'[project]\nname = "p{i:04d}"\n')
    return written


def mixed(n, out):
    trainers = int(os.environ.get("TRAINERS", "57"))
    servers = int(os.environ.get("SERVERS", "20"))
    write(os.path.join(out, "pyproject.toml"), '[project]\nname = "mixed"\n')
    written = 0
    groups = max(1, round(n / 1000))
    per_group = n // groups
    for g in range(groups):
        base = os.path.join(out, f"team{g:03d}")
        write(os.path.join(base, "models", ".gitkeep"), "")
        write(os.path.join(base, "data", ".gitkeep"), "")
        count = 0
        for t in range(trainers):
            write(os.path.join(base, "training", f"train_{t:03d}.py"),
                  TRAIN_FROM_FEATURES.format(trees=50 + t))
            count += 1
        for s in range(servers):
            serve = (SERVE_FASTAPI, SERVE_FLASK, SERVE_POSITIONAL)[s % 3]
            write(os.path.join(base, "serving", f"serve_{s:03d}.py"),
                  serve.format(artifact='"../models/model.pkl"'))
            count += 1
        write(os.path.join(base, "pipeline", "prep.py"), PREP.format(n=g))
        count += 1
        k = 0
        while count < per_group:
            if k % 20 == 19:
                write(os.path.join(base, "notebooks", f"eda_{k:04d}.ipynb"),
                      notebook([EDA.format(n=k), "df.groupby('plan').size()\n"]))
            elif k % 4 == 3:
                write(os.path.join(base, "analysis", f"eda_{k:04d}.py"), EDA.format(n=k))
            else:
                write(os.path.join(base, "lib", f"util_{k:04d}.py"), HELPER.format(n=k))
            k += 1
            count += 1
        written += count
    return written


def main(argv):
    if len(argv) < 4 or argv[1] not in ("pairs", "mixed"):
        sys.exit(__doc__)
    mode, n, out = argv[1], int(argv[2]), argv[3]
    if os.path.exists(out) and os.listdir(out):
        sys.exit(f"gen-monorepo: {out} is not empty")
    if mode == "pairs":
        written = pairs(n, out, "--markers" in argv[4:])
    else:
        written = mixed(n, out)
    print(written)


if __name__ == "__main__":
    main(sys.argv)
