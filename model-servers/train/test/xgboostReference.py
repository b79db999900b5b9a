# Trains XGBoost (Debian's python3-xgboost) on train.csv with the parameters given as JSON in argv[2] and writes
# its class probabilities for test.csv to pred.csv; all in the directory argv[1]. CSV: label first, then features.
import json
import sys

import numpy as np
import xgboost as xgb

directory, params = sys.argv[1], json.loads(sys.argv[2])
train = np.loadtxt(f"{directory}/train.csv", delimiter=",", dtype=np.float64)
test = np.loadtxt(f"{directory}/test.csv", delimiter=",", dtype=np.float64)
rounds = params.pop("n_estimators")
booster = xgb.train(params, xgb.DMatrix(train[:, 1:], label=train[:, 0]), num_boost_round=rounds)
np.savetxt(f"{directory}/pred.csv", booster.predict(xgb.DMatrix(test[:, 1:])), delimiter=",", fmt="%.9g")
