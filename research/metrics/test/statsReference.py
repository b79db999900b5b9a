"""Independent reference for Xylen's overfitting statistics (numpy + scipy, written from the papers' formulas).

Reads a JSON file {"returns": [[...], ...] (one list per configuration), "partitions": S, "selected": j, "benchmark": b}
and prints JSON with:
- psr: Probabilistic Sharpe Ratio of configuration j against b (Bailey & Lopez de Prado 2012, eq. 11), with the
  Sharpe ratio mean/std(ddof=1), scipy.stats.skew and scipy.stats.kurtosis(fisher=False);
- dsr, sr0: Deflated Sharpe Ratio of configuration j among all configurations as trials (Bailey & Lopez de Prado 2014,
  eq. 2 for the expected maximum SR0, the variance of the trials' Sharpe ratios with ddof=1);
- pbo, logits, selected, is_sharpe, oos_sharpe, slope, intercept: CSCV (Bailey, Borwein, Lopez de Prado & Zhu 2017)
  with S contiguous blocks (block s = rows floor(s*T/S) .. floor((s+1)*T/S)), the splits in the order of their
  in-sample block set read as a bit mask, ranks 1 = worst with ties sharing the average rank, and the OLS fit of the
  out-of-sample on the in-sample Sharpe ratios.
"""
import json
import sys

import numpy as np
from scipy.stats import kurtosis, norm, skew

EULER_GAMMA = 0.5772156649015329


def sharpe(x):
    sd = x.std(axis=0, ddof=1)
    return np.where(sd > 0, x.mean(axis=0) / np.where(sd > 0, sd, 1), 0.0)


def psr(r, benchmark):
    sr = r.mean() / r.std(ddof=1)
    g3 = skew(r)
    g4 = kurtosis(r, fisher=False)
    return float(norm.cdf((sr - benchmark) * np.sqrt(len(r) - 1) / np.sqrt(1 - g3 * sr + (g4 - 1) / 4 * sr**2)))


def main():
    data = json.load(open(sys.argv[1]))
    columns = [np.array(c, dtype=float) for c in data["returns"]]
    m = np.column_stack(columns)
    t, n = m.shape
    s = data["partitions"]
    j = data["selected"]

    trial_sr = np.array([c.mean() / c.std(ddof=1) for c in columns])
    v = trial_sr.var(ddof=1)
    sr0 = np.sqrt(v) * ((1 - EULER_GAMMA) * norm.ppf(1 - 1 / n) + EULER_GAMMA * norm.ppf(1 - 1 / (n * np.e)))

    bounds = [(k * t) // s for k in range(s + 1)]
    blocks = [m[bounds[k] : bounds[k + 1]] for k in range(s)]
    logits, selected, is_sr, oos_sr = [], [], [], []
    for mask in range(2**s):
        if bin(mask).count("1") != s // 2:
            continue
        inside = np.vstack([blocks[k] for k in range(s) if mask >> k & 1])
        outside = np.vstack([blocks[k] for k in range(s) if not mask >> k & 1])
        a = sharpe(inside)
        b = sharpe(outside)
        best = int(np.argmax(a))
        rank = 1 + np.sum(b < b[best]) + (np.sum(b == b[best]) - 1) / 2
        w = rank / (n + 1)
        logits.append(float(np.log(w / (1 - w))))
        selected.append(best)
        is_sr.append(float(a[best]))
        oos_sr.append(float(b[best]))
    slope, intercept = np.polyfit(is_sr, oos_sr, 1)
    print(
        json.dumps(
            {
                "psr": psr(columns[j], data["benchmark"]),
                "sr0": float(sr0),
                "dsr": psr(columns[j], sr0),
                "pbo": float(np.mean(np.array(logits) <= 0)),
                "logits": logits,
                "selected": selected,
                "is_sharpe": is_sr,
                "oos_sharpe": oos_sr,
                "slope": float(slope),
                "intercept": float(intercept),
            }
        )
    )


main()
