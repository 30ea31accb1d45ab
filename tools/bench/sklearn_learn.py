"""scikit-learn's side of `npm run bench -- learn` and of the adult golden value (src/learn).

Modes (first argument):
  prequential CSV LABEL ETA0 [BATCH]
      Prequential (predict, then learn) accuracy of SGDClassifier(loss="log_loss",
      penalty="elasticnet", learning_rate="adaptive", eta0=ETA0) with partial_fit on the rows in file
      order, BATCH rows at a time (default 1). Numeric columns are standardised online
      (StandardScaler.partial_fit on the rows seen so far, as our learner's Welford statistics);
      text columns are one-hot 0/1. Prints JSON {accuracy, samples, seconds}.
  throughput N D BATCH REPEATS
      partial_fit updates per second (wall and CPU time, best of REPEATS) on N x D dense
      standard-normal rows in batches of BATCH.
  endtoend CSV LABEL
      The whole user's process: read (pandas when installed, else the csv module), one-hot,
      standardise, partial_fit in batches of 256. Prints JSON {samples, seconds_inside}.
"""
import csv
import json
import sys
import time

import numpy as np
from sklearn.linear_model import SGDClassifier
from sklearn.preprocessing import StandardScaler


def read(path, label):
    try:
        import pandas as pd  # noqa: F401
        have_pandas = True
    except ImportError:
        have_pandas = False
    if have_pandas:
        import pandas as pd
        frame = pd.read_csv(path)
        y_text = frame.pop(label).astype(str).to_numpy()
        numeric = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])]
        text = [c for c in frame.columns if c not in numeric]
        xn = frame[numeric].to_numpy(dtype=np.float64)
        xc = pd.get_dummies(frame[text], dtype=np.float64).to_numpy() if text else np.zeros((len(frame), 0))
        return xn, xc, y_text, "pandas"
    with open(path, newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    li = header.index(label)
    y_text = np.array([r[li] for r in body])
    cols = [i for i in range(len(header)) if i != li]
    numeric, text = [], []
    for i in cols:
        try:
            [float(r[i]) for r in body]
            numeric.append(i)
        except ValueError:
            text.append(i)
    xn = np.array([[float(r[i]) for i in numeric] for r in body], dtype=np.float64)
    blocks = []
    for i in text:
        values = [r[i] for r in body]
        cats = sorted(set(values))
        index = {c: k for k, c in enumerate(cats)}
        block = np.zeros((len(body), len(cats)))
        block[np.arange(len(body)), [index[v] for v in values]] = 1.0
        blocks.append(block)
    xc = np.hstack(blocks) if blocks else np.zeros((len(body), 0))
    return xn, xc, y_text, "csv module"


def model(eta0):
    return SGDClassifier(loss="log_loss", penalty="elasticnet", learning_rate="adaptive", eta0=eta0)


def prequential(path, label, eta0, batch):
    xn, xc, y_text, _ = read(path, label)
    classes = np.unique(y_text)
    y = (y_text == classes[1]).astype(np.int64)
    scaler = StandardScaler()
    clf = model(eta0)
    correct = 0
    n = len(y)
    start = time.perf_counter()
    fitted = False
    for lo in range(0, n, batch):
        hi = min(n, lo + batch)
        if fitted:
            xb = np.hstack([scaler.transform(xn[lo:hi]), xc[lo:hi]])
            correct += int((clf.predict(xb) == y[lo:hi]).sum())
        else:
            # Before any update both sides predict the first class (weights all zero).
            correct += int((y[lo:hi] == 0).sum())
        scaler.partial_fit(xn[lo:hi])
        xb = np.hstack([scaler.transform(xn[lo:hi]), xc[lo:hi]])
        clf.partial_fit(xb, y[lo:hi], classes=[0, 1])
        fitted = True
    seconds = time.perf_counter() - start
    print(json.dumps({"accuracy": correct / n, "samples": n, "seconds": seconds}))


def throughput(n, d, batch, repeats):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((n, d))
    y = (x @ rng.standard_normal(d) + rng.standard_normal(n) > 0).astype(np.int64)
    best = float("inf")
    best_cpu = float("inf")
    for _ in range(repeats):
        clf = model(0.01)
        start = time.perf_counter()
        start_cpu = time.process_time()
        for lo in range(0, n, batch):
            clf.partial_fit(x[lo:lo + batch], y[lo:lo + batch], classes=[0, 1])
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.process_time() - start_cpu)
    print(json.dumps({"updates_per_s": n / best, "updates_per_cpu_s": n / best_cpu}))


def endtoend(path, label):
    start = time.perf_counter()
    xn, xc, y_text, reader = read(path, label)
    classes = np.unique(y_text)
    y = (y_text == classes[1]).astype(np.int64)
    scaler = StandardScaler()
    clf = model(0.01)
    for lo in range(0, len(y), 256):
        scaler.partial_fit(xn[lo:lo + 256])
        xb = np.hstack([scaler.transform(xn[lo:lo + 256]), xc[lo:lo + 256]])
        clf.partial_fit(xb, y[lo:lo + 256], classes=[0, 1])
    print(json.dumps({"samples": len(y), "seconds_inside": time.perf_counter() - start, "reader": reader}))


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "prequential":
        prequential(sys.argv[2], sys.argv[3], float(sys.argv[4]), int(sys.argv[5]) if len(sys.argv) > 5 else 1)
    elif mode == "throughput":
        throughput(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    elif mode == "endtoend":
        endtoend(sys.argv[2], sys.argv[3])
    else:
        raise SystemExit(f"unknown mode {mode}")
