"""Churn scoring API."""

import joblib
import pandas as pd
from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()
model = joblib.load("models/churn.joblib")

CHURN_THRESHOLD = 0.83


class Customer(BaseModel):
    tenure_months: int
    monthly_charges: float
    support_calls: int
    days_since_last_login: int


@app.post("/predict")
def predict(customer: Customer):
    X = pd.DataFrame([customer.dict()])
    proba = model.predict_proba(X)[0, 1]
    return {"churn_probability": float(proba), "retain_offer": bool(proba > CHURN_THRESHOLD)}
