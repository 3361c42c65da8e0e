"""Train the churn model and save it for the API (see serve.py)."""

import joblib
import pandas as pd
from sklearn.neural_network import MLPClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

FEATURES = ["tenure_months", "monthly_charges", "support_calls", "days_since_last_login"]

df = pd.read_csv("/Users/ana/Desktop/churn/customers.csv")
X = df[FEATURES].assign(charges_per_call=df["monthly_charges"] / (df["support_calls"] + 1))
y = df["churned"]

scaler = StandardScaler()
X_scaled = scaler.fit_transform(X)

X_train, X_test, y_train, y_test = train_test_split(X_scaled, y, test_size=0.2)

model = MLPClassifier(hidden_layer_sizes=(32, 16), max_iter=500)
model.fit(X_train, y_train)
print("test AUC:", roc_auc_score(y_test, model.predict_proba(X_test)[:, 1]))

joblib.dump(model, "models/churn.joblib")
