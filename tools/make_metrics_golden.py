"""Golden values for TikTokToe's model-quality metrics (src/metrics/), computed by scikit-learn.

Run with Debian's scikit-learn (python3-sklearn 1.2.1, numpy 1.24):
    /usr/bin/python3 tools/make_metrics_golden.py 5 golden/metrics_sklearn.json.gz \
        data/adult/adult_predictions.csv

The third argument is optional: without it the real-data case (the adult prediction log) is left out.

Conventions mirrored from src/metrics/:
- Labels are ordered as sklearn.utils.multiclass.unique_labels orders them: the sorted union of the true
  and predicted labels (numbers numerically, strings by code point).
- precision / recall / F1 use zero_division=0, per class (average=None) and macro; binary cases also
  give average="binary" with pos_label = the declared positive class.
- Binary scores are the score of the declared positive class. roc_auc_score is computed on
  (y_true == positive, score); log_loss is given labels=[negative, positive], so it is defined even when
  y_true holds one class. Multiclass scores are rows aligned with the declared classes; log_loss is given
  labels=classes (columns passed in sorted-class order, as sklearn's LabelBinarizer expects).
- Regression: mean_absolute_error, mean_squared_error(squared=False), r2_score (force_finite=True),
  mean_absolute_percentage_error. NaN (r2_score on fewer than two samples) is written as null.
- "histogram_auc": a 200,000-row binary case given as a recipe (Weyl sequences, exact in IEEE doubles in
  both Python and JavaScript) rather than data, to keep this file small; the tests regenerate it and
  check its checksums before comparing.
"""
import csv, gzip, json, math, sys
import numpy as np
import sklearn
from sklearn.metrics import (accuracy_score, confusion_matrix, log_loss, mean_absolute_error,
                             mean_absolute_percentage_error, mean_squared_error,
                             precision_recall_fscore_support, r2_score, roc_auc_score)
from sklearn.utils.multiclass import unique_labels

seed = int(sys.argv[1]); out = sys.argv[2]; adult_path = sys.argv[3] if len(sys.argv) > 3 else None
rng = np.random.default_rng(seed)


def num(x):
    x = float(x)
    return None if math.isnan(x) else x


def classification_values(y_true, y_pred):
    labels = unique_labels(y_true, y_pred)
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, average=None, zero_division=0)
    mp, mr, mf, _ = precision_recall_fscore_support(y_true, y_pred, average="macro", zero_division=0)
    return {"labels": labels.tolist(), "accuracy": float(accuracy_score(y_true, y_pred)),
            "precision": p.tolist(), "recall": r.tolist(), "f1": f.tolist(), "support": s.tolist(),
            "macro_precision": float(mp), "macro_recall": float(mr), "macro_f1": float(mf),
            "confusion_matrix": confusion_matrix(y_true, y_pred).tolist()}


def binary_case(case_id, negative, positive, y_true, y_pred, scores):
    y_true = list(y_true); y_pred = list(y_pred)
    case = {"id": case_id, "kind": "binary", "negative": negative, "positive": positive,
            "y_true": y_true, "y_pred": y_pred, "scores": None if scores is None else list(map(float, scores))}
    case.update(classification_values(y_true, y_pred))
    bp, br, bf, _ = precision_recall_fscore_support(y_true, y_pred, average="binary", pos_label=positive,
                                                    zero_division=0)
    case.update({"binary_precision": float(bp), "binary_recall": float(br), "binary_f1": float(bf)})
    roc = loss = None
    if scores is not None:
        is_pos = np.array([t == positive for t in y_true])
        if is_pos.all() or not is_pos.any():
            roc = None  # sklearn raises: "Only one class present in y_true"
        else:
            roc = float(roc_auc_score(is_pos, np.asarray(scores, float)))
        s = np.asarray(scores, float)
        if sorted([negative, positive])[1] == positive:
            loss = float(log_loss(y_true, s, labels=[negative, positive]))  # 1-d: the greater label's score
        else:
            loss = float(log_loss(y_true, np.c_[s, 1 - s], labels=[negative, positive]))
    case.update({"roc_auc": roc, "log_loss": loss})
    return case


def multiclass_case(case_id, classes, y_true, y_pred, scores):
    y_true = list(y_true); y_pred = list(y_pred)
    case = {"id": case_id, "kind": "multiclass", "classes": classes, "y_true": y_true, "y_pred": y_pred,
            "scores": None if scores is None else np.asarray(scores, float).tolist()}
    case.update(classification_values(y_true, y_pred))
    loss = None
    if scores is not None:
        order = sorted(range(len(classes)), key=lambda j: classes[j])
        loss = float(log_loss(y_true, np.asarray(scores, float)[:, order], labels=classes))
    case.update({"log_loss": loss, "roc_auc": None})
    return case


def softmax(logits):
    z = np.exp(logits - logits.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


classification = []

# Binary: ties in the scores (rounded), scores of exactly 0 and 1 (log-loss clipping), string and number
# labels, a positive class never predicted, one class only in y_true, the positive class the lesser label.
for i, (n, decimals, labels) in enumerate([(12, 1, (0, 1)), (200, 2, ("no", "yes")), (3000, None, (0, 1)),
                                           (1000, 1, ("ham", "spam")), (5000, 3, (-1, 1)),
                                           (57, 2, (3, 7)), (800, None, ("a", "b"))]):
    negative, positive = labels
    if i == 5: negative, positive = positive, negative  # the positive class sorts first
    truth = rng.random(n) < rng.uniform(0.1, 0.6)
    score = np.clip(rng.normal(0.35 + 0.3 * truth, 0.25), 0, 1)
    if decimals is not None: score = np.round(score, decimals)
    if i == 2: score[:40] = np.where(truth[:40], 0.0, 1.0)  # confidently wrong: clipped at eps
    pred = score >= 0.5
    if i == 3: pred[:] = False  # the positive class is never predicted
    y_true = [positive if t else negative for t in truth]
    y_pred = [positive if p else negative for p in pred]
    classification.append(binary_case(f"binary{seed}_{i}", negative, positive, y_true, y_pred, score))

# Only the negative class in y_true: ROC AUC undefined, log loss defined given both labels.
n = 50; score = np.round(rng.random(n), 2)
classification.append(binary_case(f"binary{seed}_one_class", 0, 1, [0] * n,
                                  [int(s >= 0.5) for s in score], score))
# Without scores.
truth = rng.random(300) < 0.3; pred = np.where(rng.random(300) < 0.8, truth, ~truth)
classification.append(binary_case(f"binary{seed}_no_scores", "neg", "pos",
                                  ["pos" if t else "neg" for t in truth],
                                  ["pos" if p else "neg" for p in pred], None))

# Multiclass: 3 to 10 classes, softmax scores, a class never predicted, a declared class never seen,
# scores rounded so rows do not sum to 1 (and hold exact zeros), unicode labels, no scores.
for i, (k, n) in enumerate([(3, 60), (4, 500), (5, 2000), (6, 150), (7, 1200), (8, 400), (9, 900),
                            (10, 1500), (3, 20), (5, 700)]):
    classes = [f"c{j}" for j in range(k)] if i % 2 else list(range(k))
    if i == 6: classes = ["b", "B", "ä", "\ufffd", "\U0001F600", "a", "Z", "é", "z"]  # code-point order
    prior = rng.dirichlet(np.ones(k) * 2)
    if i == 3: prior[-1] = 0; prior /= prior.sum()  # a declared class that never occurs in y_true
    truth = rng.choice(k, size=n, p=prior)
    logits = rng.normal(0, 1.2, (n, k)); logits[np.arange(n), truth] += rng.uniform(0.5, 2.5)
    probs = softmax(logits)
    if i in (4, 9): probs = np.round(probs, 3)  # rows no longer sum to 1; some exact zeros
    pred = probs.argmax(axis=1)
    if i in (1, 5, 7): pred[pred == 1] = 0  # class 1 is never predicted
    if i == 3: pred[pred == k - 1] = 0  # nor seen at all
    scores = None if i == 8 else probs
    y_true = [classes[t] for t in truth]; y_pred = [classes[p] for p in pred]
    classification.append(multiclass_case(f"multiclass{seed}_{i}", classes, y_true, y_pred, scores))

# A real prediction log: a PyTorch MLP's score for ">50K" on the held-out 30% of UCI Adult.
if adult_path is not None:
    with open(adult_path, newline="") as f:
        rows = list(csv.DictReader(f))
    classification.append(binary_case("adult_predictions", "<=50K", ">50K", [r["income"] for r in rows],
                                      [r["prediction"] for r in rows], [float(r["score"]) for r in rows]))

regression = []


def regression_case(case_id, y_true, y_pred):
    y_true = np.asarray(y_true, float); y_pred = np.asarray(y_pred, float)
    return {"id": case_id, "y_true": y_true.tolist(), "y_pred": y_pred.tolist(),
            "mae": float(mean_absolute_error(y_true, y_pred)),
            "rmse": float(mean_squared_error(y_true, y_pred, squared=False)),
            "r2": num(r2_score(y_true, y_pred)),
            "mape": float(mean_absolute_percentage_error(y_true, y_pred))}


for i, n in enumerate([2, 10, 500, 5000]):
    y = rng.normal(10, 3, n); regression.append(regression_case(f"normal{seed}_{i}", y, y + rng.normal(0, 1, n)))
y = np.round(rng.exponential(2, 800), 1); y[rng.random(800) < 0.1] = 0  # exact zero targets: MAPE's epsilon
regression.append(regression_case(f"zeros{seed}", y, y + np.round(rng.normal(0, 0.5, 800), 2)))
for i, (offset, n) in enumerate([(1e6, 3000), (1e9, 2000), (-5e7, 1000)]):
    y = offset + rng.normal(0, 1, n)  # a large offset: a one-pass variance formula loses R² here
    regression.append(regression_case(f"offset{seed}_{i}", y, y + rng.normal(0, 0.3, n)))
y = rng.normal(0, 1, 100); regression.append(regression_case(f"perfect{seed}", y, y))
regression.append(regression_case(f"constant_perfect{seed}", [4.5] * 20, [4.5] * 20))  # r2 = 1
regression.append(regression_case(f"constant{seed}", [4.5] * 20, rng.normal(4.5, 1, 20)))  # r2 = 0
regression.append(regression_case(f"single{seed}", [3.0], [2.5]))  # r2: nan (fewer than two samples)

# 200,000 rows, scores on a grid of 1/20000 (many ties): the ROC AUC histogram mode against sklearn.
hn = 200_000; phi = 0.6180339887498949; root2 = 1.4142135623730951
hs = np.empty(hn); hp = np.empty(hn, bool); score_sum = 0.0
for i in range(hn):
    u = (i * phi) % 1.0
    v = (i * root2) % 1.0
    s = math.floor(u * u * 20000) / 20000
    hs[i] = s; hp[i] = v < 0.15 + 0.7 * u; score_sum += s
histogram_auc = {"n": hn, "recipe": "u = (i*0.6180339887498949) % 1; v = (i*1.4142135623730951) % 1; "
                 "score = floor(u*u*20000)/20000; positive = v < 0.15 + 0.7*u; i = 0..n-1",
                 "positives": int(hp.sum()), "score_sum": score_sum,
                 "roc_auc": float(roc_auc_score(hp, hs))}

with gzip.open(out, "wt") as f:
    json.dump({"generator": f"scikit-learn {sklearn.__version__}, numpy {np.__version__}", "seed": seed,
               "classification": classification, "regression": regression,
               "histogram_auc": histogram_auc}, f)
print(out, len(classification), len(regression), histogram_auc["roc_auc"])
