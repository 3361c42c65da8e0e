"""Lifetime-value model, trained on monthly billing rows and on the churn model's scores."""

import joblib
import pandas as pd
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import train_test_split

bills = pd.read_csv("data/monthly_bills.csv", parse_dates=["month"])
bills = bills.sort_values(["customer_id", "month"])

# Features built over the whole history, test months included.
bills["tickets_per_customer"] = bills.groupby("customer_id")["ticket_id"].transform("count")
bills["next_month_charges"] = bills.groupby("customer_id")["monthly_charges"].shift(-1)

# The churn model's score as a feature (a chained model).
churn_model = joblib.load("models/churn.joblib")
CHURN_FEATURES = ["tenure_months", "monthly_charges", "support_calls", "days_since_last_login"]
bills["churn_score"] = churn_model.predict_proba(bills[CHURN_FEATURES])[:, 1]

LTV_FEATURES = ["monthly_charges", "tickets_per_customer", "next_month_charges", "churn_score"]
X_train, X_test, y_train, y_test = train_test_split(
    bills[LTV_FEATURES], bills["revenue_next_12m"], test_size=0.2, random_state=0
)
ltv = GradientBoostingRegressor(random_state=0).fit(X_train, y_train)
print("test MAE:", mean_absolute_error(y_test, ltv.predict(X_test)))
joblib.dump(ltv, "models/ltv.joblib")
