"""Golden values for TikTokToe's group fairness core (src/fairness/), computed by the reference libraries.

Run with Debian's packages (python3-sklearn 1.2.1, python3-statsmodels 0.13.5, python3-scipy 1.10.1,
numpy 1.24.2), never the pyenv python3 on PATH:
    /usr/bin/python3 tools/make_fairness_golden.py 13 golden/fairness_sklearn.json.gz \
        data/adult/adult_predictions.csv

The third argument is optional: without it the real-data cases (the adult prediction log) are left out.

What comes from where:
- Per-group confusion counts: sklearn.metrics.confusion_matrix(labels=[negative, positive]) on the
  group's labelled rows (multiclass: sklearn.metrics.multilabel_confusion_matrix, one-vs-rest per class).
  Selection rate: numpy mean of (prediction == positive) over all the group's rows, labelled or not.
- Between-group metrics: Fairlearn's definitions (demographic_parity_difference/ratio,
  equalized_odds_difference with agg="worst_case", the TPR and FPR max - min) and AIF360's disparate
  impact, computed here in numpy from those counts, over the groups whose denominator is at least
  min_group_size (0 keeps every group with a defined rate, as Fairlearn does). The pair reported for
  max - min is the first group (in sorted order) attaining the max and the last attaining the min.
- Intervals: statsmodels.stats.proportion.proportion_confint(method="wilson") for one proportion;
  confint_proportions_2indep(compare="diff", method="newcomb") (Newcombe's method 10) for a difference;
  confint_proportions_2indep(compare="ratio", method="log") (Katz) for a ratio, or method="log-adjusted"
  where a count is 0 (TikTokToe adds 0.5 only then).
- Normal quantiles: scipy.stats.norm.ppf. Student t: scipy.stats.t.cdf; quantiles from scipy.stats.t.ppf
  polished by Newton steps on scipy's own t.cdf / t.sf / t.pdf, because scipy 1.10's t.ppf (CDFLIB's
  cdft) stops at about 1e-9 relative; the raw ppf is kept too. Welch and Student intervals for the
  regression variant use the polished quantiles, with numpy means and variances (ddof=1).
"""
import csv, gzip, json, math, sys
import numpy as np
import scipy
import sklearn
import statsmodels
from scipy import stats
from sklearn.metrics import confusion_matrix, multilabel_confusion_matrix
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

seed = int(sys.argv[1]); out = sys.argv[2]; adult_path = sys.argv[3] if len(sys.argv) > 3 else None
rng = np.random.default_rng(seed)


def wilson(x, n, conf):
    if n == 0:
        return None
    lo, hi = proportion_confint(x, n, alpha=1 - conf, method="wilson")
    return [float(lo), float(hi)]


def newcombe(x1, n1, x2, n2, conf):
    lo, hi = confint_proportions_2indep(x1, n1, x2, n2, compare="diff", method="newcomb", alpha=1 - conf)
    return [float(lo), float(hi)]


def katz(x1, n1, x2, n2, conf):
    method = "log" if x1 > 0 and x2 > 0 else "log-adjusted"
    lo, hi = confint_proportions_2indep(x1, n1, x2, n2, compare="ratio", method=method, alpha=1 - conf)
    return {"interval": [float(lo), float(hi)], "method": "katz-" + method}


def t_quantile(p, df):
    """scipy's t.ppf, polished: Newton on t.cdf (lower half) or t.sf (upper half), scipy's own functions."""
    q = float(stats.t.ppf(p, df))
    for _ in range(8):
        f = stats.t.pdf(q, df)
        step = (stats.t.cdf(q, df) - p) / f if p < 0.5 else -(stats.t.sf(q, df) - (1 - p)) / f
        q -= step
        if abs(step) <= 1e-17 * abs(q):
            break
    return float(q)


def t_critical(conf, df):
    # As TikTokToe computes it: from the lower tail area (1 - conf) / 2.
    return -t_quantile((1 - conf) / 2, df)


# ---------------------------------------------------------------- quantiles
normal_ps = [1e-300, 1e-100, 1e-20, 1e-10, 1e-5, 0.001, 0.005, 0.01, 0.02425, 0.025, 0.05, 0.074, 0.075,
             0.076, 0.1, 0.2, 0.3, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7, 0.8, 0.9, 0.924, 0.925, 0.95, 0.975, 0.99,
             0.995, 0.999, 1 - 1e-5, 1 - 1e-10]
normal_quantiles = [{"p": p, "ppf": float(stats.norm.ppf(p))} for p in normal_ps]

t_dfs = [0.7, 1, 1.5, 2, 2.5, 3, 3.7, 5, 7.25, 10, 19.555555555555557, 29.3, 60, 100, 250.5, 1000.5, 2999, 3001,
         12345.6]
t_ps = [1e-10, 1e-5, 0.0005, 0.005, 0.025, 0.05, 0.1, 0.3, 0.45, 0.55, 0.7, 0.9, 0.95, 0.975, 0.995, 0.9995]
t_quantiles = []
for df in t_dfs:
    for p in t_ps:
        t_quantiles.append({"p": p, "df": df, "ppf_raw": float(stats.t.ppf(p, df)), "ppf": t_quantile(p, df)})
t_cdfs = []
for df in t_dfs:
    for x in [-40.0, -6.5, -2.0, -0.3, 0.0, 0.01, 0.7, 1.96, 3.0, 12.0, 250.0]:
        t_cdfs.append({"t": x, "df": df, "cdf": float(stats.t.cdf(x, df))})

# ---------------------------------------------------------------- two-proportion intervals
interval_cases = []
newcombe_1998 = [(56, 70, 48, 80), (9, 10, 3, 10), (6, 7, 2, 7), (5, 56, 0, 29), (0, 10, 0, 20), (0, 10, 0, 10),
                 (10, 10, 0, 20), (10, 10, 0, 10)]
pairs = [(c, 0.95) for c in newcombe_1998]
for _ in range(40):
    n1 = int(rng.integers(1, 400)); n2 = int(rng.integers(1, 400))
    x1 = int(rng.binomial(n1, rng.uniform(0, 1))); x2 = int(rng.binomial(n2, rng.uniform(0, 1)))
    pairs.append(((x1, n1, x2, n2), float(rng.choice([0.8, 0.9, 0.95, 0.99, 0.999]))))
pairs += [((0, 25, 7, 30), 0.95), ((7, 30, 0, 25), 0.9), ((30, 30, 25, 25), 0.95), ((1, 1, 0, 1), 0.95),
          ((123456, 1000000, 98765, 900000), 0.99)]
for (x1, n1, x2, n2), conf in pairs:
    case = {"x1": x1, "n1": n1, "x2": x2, "n2": n2, "confidence": conf, "wilson1": wilson(x1, n1, conf),
            "wilson2": wilson(x2, n2, conf), "newcombe": newcombe(x1, n1, x2, n2, conf)}
    case["katz"] = None if x1 == 0 and x2 == 0 else katz(x1, n1, x2, n2, conf)
    interval_cases.append(case)


# ---------------------------------------------------------------- binary fairness
def extremes(values):
    """(index of the first max, index of the last min) over a list of floats."""
    hi = lo = 0
    for i, v in enumerate(values):
        if v > values[hi]:
            hi = i
        if v <= values[lo]:
            lo = i
    return hi, lo


def rate(num, den, min_size, conf):
    if den == 0:
        return {"num": num, "den": den, "value": None, "interval": None, "comparable": False}
    return {"num": num, "den": den, "value": float(np.float64(num) / np.float64(den)),
            "interval": wilson(num, den, conf), "comparable": bool(den >= min_size)}


def gap(groups, key, conf):
    comp = [g for g in groups if g[key]["comparable"]]
    if len(comp) < 2:
        return None, None
    values = [g[key]["value"] for g in comp]
    hi, lo = extremes(values)
    h, l = comp[hi][key], comp[lo][key]
    diff = {"value": float(np.max(values) - np.min(values)), "groups": [comp[hi]["group"], comp[lo]["group"]],
            "interval": newcombe(h["num"], h["den"], l["num"], l["den"], conf)}
    if np.max(values) == 0:
        return diff, None
    k = katz(l["num"], l["den"], h["num"], h["den"], conf)
    ratio = {"value": float(np.min(values) / np.max(values)), "groups": [comp[lo]["group"], comp[hi]["group"]],
             "interval": k["interval"], "method": k["method"]}
    return diff, ratio


def binary_attribute(values, y_true, y_pred, min_size, conf, privileged, threshold=0.8):
    """values: group value per row (None = missing); y_true: True/False/None; y_pred: True/False."""
    values = np.asarray(values, dtype=object); y_true = np.asarray(y_true, dtype=object)
    y_pred = np.asarray(y_pred, dtype=bool)
    groups = []
    for g in sorted({v for v in values if v is not None}):
        rows = values == g
        labelled = rows & np.array([t is not None for t in y_true])
        yt = y_true[labelled].astype(bool); yp = y_pred[labelled]
        tn, fp, fn, tp = (confusion_matrix(yt, yp, labels=[False, True]).ravel().tolist() if labelled.any()
                          else [0, 0, 0, 0])
        count = int(rows.sum()); selected = int(y_pred[rows].sum())
        assert selected / count == float(np.mean(y_pred[rows]))
        groups.append({"group": g, "count": count, "labelled": int(labelled.sum()), "tp": tp, "fp": fp, "tn": tn,
                       "fn": fn, "unlabelled_positive": int((y_pred & rows & ~labelled).sum()),
                       "unlabelled_negative": int((~y_pred & rows & ~labelled).sum()),
                       "selection_rate": rate(selected, count, min_size, conf),
                       "tpr": rate(tp, tp + fn, min_size, conf), "fpr": rate(fp, fp + tn, min_size, conf),
                       "accuracy": rate(tp + tn, tp + tn + fp + fn, min_size, conf)})
    dp_diff, dp_ratio = gap(groups, "selection_rate", conf)
    tpr_diff, _ = gap(groups, "tpr", conf)
    fpr_diff, _ = gap(groups, "fpr", conf)
    eo = None
    if tpr_diff is not None and fpr_diff is not None:
        eo = dict(tpr_diff, component="truePositiveRate") if tpr_diff["value"] >= fpr_diff["value"] else dict(
            fpr_diff, component="falsePositiveRate")
    # AIF360's disparate impact against the privileged group.
    # The privileged group: the one named, else the first comparable group with the highest selection
    # rate; it is usable only if comparable and selecting someone.
    comp = [g for g in groups if g["selection_rate"]["comparable"]]
    name = privileged
    if name is None and comp:
        name = comp[extremes([g["selection_rate"]["value"] for g in comp])[0]]["group"]
    found = [g for g in groups if g["group"] == name]
    priv = found[0] if found and found[0]["selection_rate"]["comparable"] else None
    if priv is not None and priv["selection_rate"]["value"] == 0:
        priv = None
    impact = []
    for g in groups:
        if g["group"] == name:
            continue
        entry = {"group": g["group"], "value": None, "interval": None, "method": None, "violation": None,
                 "significant": None}
        s = g["selection_rate"]
        if priv is not None and s["comparable"]:
            p = priv["selection_rate"]
            k = katz(s["num"], s["den"], p["num"], p["den"], conf)
            entry.update(value=float(s["value"] / p["value"]), interval=k["interval"], method=k["method"])
            entry.update(violation=entry["value"] < threshold, significant=k["interval"][1] < threshold)
        impact.append(entry)
    judged = [e for e in impact if e["violation"] is not None]
    verdict = "insufficient-data" if not judged else ("violation" if any(e["violation"] for e in judged) else "pass")
    return {"groups": groups, "missing": int(sum(v is None for v in values)),
            "demographic_parity_difference": dp_diff, "demographic_parity_ratio": dp_ratio,
            "tpr_difference": tpr_diff, "fpr_difference": fpr_diff, "equalized_odds_difference": eo,
            "privileged_group": None if priv is None else priv["group"], "impact_ratios": impact,
            "four_fifths": verdict}


def binary_case(case_id, attributes, y_true, y_pred, min_size, conf, privileged):
    return {"id": case_id, "attributes": attributes, "y_true": y_true, "y_pred": y_pred,
            "min_group_size": min_size, "confidence": conf, "privileged": privileged,
            "expected": {name: binary_attribute(values, y_true, y_pred, min_size, conf,
                                                (privileged or {}).get(name))
                         for name, values in attributes.items()}}


binary_cases = []
if adult_path is not None:
    with open(adult_path, newline="") as f:
        rows = list(csv.DictReader(f))
    attrs = {"race": [r["race"] for r in rows], "sex": [r["sex"] for r in rows],
             "sex_race": [f'{r["sex"]}|{r["race"]}' for r in rows]}
    y_true = [r["income"] == ">50K" for r in rows]; y_pred = [r["prediction"] == ">50K" for r in rows]
    binary_cases.append(binary_case("adult_min30", attrs, y_true, y_pred, 30, 0.95, None))
    binary_cases.append(binary_case("adult_all_groups_90", attrs, y_true, y_pred, 0, 0.9, {"sex": "Male",
                                                                                          "race": "White"}))


def synthetic(case_id, n, group_specs, min_size, conf, privileged, unlabelled=0.0, missing=0.0):
    """group_specs: per attribute, {value: (weight, base rate, tpr, fpr)} with rates of the first attribute."""
    attrs = {}
    first = next(iter(group_specs))
    for name, spec in group_specs.items():
        names = list(spec); weights = np.array([spec[v][0] for v in names], float)
        idx = rng.choice(len(names), size=n, p=weights / weights.sum())
        attrs[name] = [None if rng.uniform() < missing else names[i] for i in idx]
    spec = group_specs[first]
    y_true, y_pred = [], []
    for i in range(n):
        g = attrs[first][i]
        base, tpr, fpr = spec[g][1:] if g is not None else (0.3, 0.7, 0.2)
        t = bool(rng.uniform() < base)
        p = bool(rng.uniform() < (tpr if t else fpr))
        y_true.append(None if rng.uniform() < unlabelled else t); y_pred.append(p)
    return binary_case(case_id, attrs, y_true, y_pred, min_size, conf, privileged)


binary_cases += [
    synthetic("two_groups", 600, {"g": {"a": (1, 0.3, 0.8, 0.1), "b": (1, 0.4, 0.6, 0.2)}}, 30, 0.95, None),
    synthetic("five_groups_unlabelled", 3000,
              {"region": {"north": (5, 0.2, 0.7, 0.1), "south": (3, 0.35, 0.75, 0.15), "east": (2, 0.5, 0.6, 0.3),
                          "west": (1, 0.1, 0.9, 0.05), "tiny": (0.05, 0.5, 0.5, 0.5)},
               "age": {"young": (1, 0, 0, 0), "old": (1, 0, 0, 0)}}, 30, 0.95, {"region": "south"},
              unlabelled=0.25, missing=0.05),
    synthetic("no_positives_in_a_group", 400,
              {"g": {"a": (1, 0.0, 0.5, 0.2), "b": (1, 0.5, 0.7, 0.2), "c": (1, 0.4, 0.6, 0.0)}}, 30, 0.99, None),
    synthetic("min_group_size_0", 150, {"g": {"x": (1, 0.3, 0.8, 0.1), "y": (0.2, 0.5, 0.5, 0.5),
                                              "z": (0.1, 0.2, 0.0, 0.0)}}, 0, 0.8, None),
    synthetic("never_selected", 300, {"g": {"a": (1, 0.3, 0.0, 0.0), "b": (1, 0.3, 0.0, 0.0)}}, 30, 0.95, None),
    synthetic("one_group_never_selected", 300, {"g": {"a": (1, 0.3, 0.0, 0.0), "b": (1, 0.3, 0.8, 0.3)}}, 30,
              0.95, {"g": "b"}),
    synthetic("privileged_not_seen", 200, {"g": {"a": (1, 0.3, 0.8, 0.1), "b": (1, 0.3, 0.8, 0.1)}}, 30, 0.95,
              {"g": "zzz"}),
    synthetic("all_unlabelled", 200, {"g": {"a": (1, 0.3, 0.8, 0.1), "b": (1, 0.3, 0.6, 0.3)}}, 30, 0.95, None,
              unlabelled=1.0),
    synthetic("one_large_group", 500, {"g": {"a": (1, 0.3, 0.8, 0.1), "b": (0.01, 0.3, 0.6, 0.3)}}, 30, 0.95, None),
]


# ---------------------------------------------------------------- multiclass (one-vs-rest)
def multiclass_case(case_id, n, classes, groups, min_size, conf, unlabelled):
    values = [groups[i] for i in rng.integers(0, len(groups), size=n)]
    y_true, y_pred = [], []
    for v in values:
        shift = groups.index(v)
        probs = np.array([1.0 + (shift if j == 0 else 0) for j in range(len(classes))]); probs /= probs.sum()
        t = classes[rng.choice(len(classes), p=probs)]
        p = t if rng.uniform() < 0.6 + 0.1 * shift else classes[rng.integers(0, len(classes))]
        y_true.append(None if rng.uniform() < unlabelled else t); y_pred.append(p)
    per_class = []
    for k, c in enumerate(classes):
        grs = []
        for g in sorted(set(values)):
            rows = [i for i, v in enumerate(values) if v == g]
            lab = [i for i in rows if y_true[i] is not None]
            if lab:
                mcm = multilabel_confusion_matrix([y_true[i] for i in lab], [y_pred[i] for i in lab], labels=classes)
                (tn, fp), (fn, tp) = mcm[k].tolist()
            else:
                tn = fp = fn = tp = 0
            selected = sum(y_pred[i] == c for i in rows)
            grs.append({"group": g, "tp": tp, "fp": fp, "tn": tn, "fn": fn,
                        "selection_rate": rate(selected, len(rows), min_size, conf),
                        "tpr": rate(tp, tp + fn, min_size, conf), "fpr": rate(fp, fp + tn, min_size, conf)})
        dp, _ = gap(grs, "selection_rate", conf)
        tpr, _ = gap(grs, "tpr", conf)
        fpr, _ = gap(grs, "fpr", conf)
        eo = None if tpr is None or fpr is None else max(tpr["value"], fpr["value"])
        per_class.append({"class": c, "groups": grs, "dp_difference": None if dp is None else dp["value"],
                          "eo_difference": eo})
    dps = [(pc["dp_difference"], pc["class"]) for pc in per_class if pc["dp_difference"] is not None]
    eos = [(pc["eo_difference"], pc["class"]) for pc in per_class if pc["eo_difference"] is not None]
    worst = lambda xs: None if not xs else [max(v for v, _ in xs), next(c for v, c in xs if v == max(v for v, _ in xs))]
    return {"id": case_id, "classes": classes, "groups": values, "y_true": y_true, "y_pred": y_pred,
            "min_group_size": min_size, "confidence": conf, "per_class": per_class,
            "worst_dp": worst(dps), "worst_eo": worst(eos)}


multiclass_cases = [
    multiclass_case("three_classes", 1500, ["low", "mid", "high"], ["a", "b", "c"], 30, 0.95, 0.1),
    multiclass_case("four_classes_small", 200, ["w", "x", "y", "z"], ["p", "q"], 10, 0.9, 0.0),
]


# ---------------------------------------------------------------- regression (means, Welch)
def regression_case(case_id, specs, min_size, conf, unlabelled):
    values, y_true, y_pred = [], [], []
    for g, (n, mean, sd, bias, noise) in specs.items():
        for _ in range(n):
            truth = rng.normal(mean, sd)
            values.append(g); y_true.append(None if rng.uniform() < unlabelled else float(truth))
            y_pred.append(float(truth + bias + rng.normal(0, noise)))
    order = rng.permutation(len(values))
    values = [values[i] for i in order]; y_true = [y_true[i] for i in order]; y_pred = [y_pred[i] for i in order]

    def summary(x):
        x = np.asarray(x, float); n = len(x)
        if n == 0:
            return {"count": 0, "mean": None, "sd": None, "interval": None}
        m = float(np.mean(x))
        if n < 2:
            return {"count": 1, "mean": m, "sd": None, "interval": None}
        s = float(np.std(x, ddof=1)); half = t_critical(conf, n - 1) * s / math.sqrt(n)
        return {"count": n, "mean": m, "sd": s, "interval": [m - half, m + half]}

    groups = []
    for g in sorted(set(values)):
        preds = [y_pred[i] for i, v in enumerate(values) if v == g]
        errs = [y_pred[i] - y_true[i] for i, v in enumerate(values) if v == g and y_true[i] is not None]
        groups.append({"group": g, "prediction": summary(preds), "error": summary(errs),
                       "raw_prediction": preds, "raw_error": errs})

    def difference(key):
        comp = [g for g in groups if g[key]["count"] >= max(2, min_size)]
        if len(comp) < 2:
            return None
        hi, lo = extremes([g[key]["mean"] for g in comp])
        a = np.asarray(comp[hi]["raw_" + key], float); b = np.asarray(comp[lo]["raw_" + key], float)
        va = np.var(a, ddof=1) / len(a); vb = np.var(b, ddof=1) / len(b)
        df = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1))
        d = comp[hi][key]["mean"] - comp[lo][key]["mean"]
        half = t_critical(conf, df) * math.sqrt(va + vb)
        return {"value": d, "groups": [comp[hi]["group"], comp[lo]["group"]], "interval": [d - half, d + half],
                "df": float(df)}

    result = {"id": case_id, "groups": values, "y_true": y_true, "y_pred": y_pred, "min_group_size": min_size,
              "confidence": conf,
              "expected": {"groups": [{k: v for k, v in g.items() if not k.startswith("raw_")} for g in groups],
                           "prediction_difference": difference("prediction"),
                           "error_difference": difference("error")}}
    return result


regression_cases = [
    regression_case("income_like", {"f": (400, 40.0, 12.0, -2.0, 5.0), "m": (600, 52.0, 15.0, 1.0, 6.0),
                                    "x": (12, 45.0, 10.0, 0.0, 5.0)}, 30, 0.95, 0.2),
    regression_case("unequal_variances", {"a": (40, 10.0, 1.0, 0.5, 0.1), "b": (35, 10.5, 8.0, -0.5, 3.0),
                                          "c": (300, 9.0, 2.0, 0.0, 1.0)}, 30, 0.9, 0.0),
    regression_case("tiny_groups", {"a": (3, 1.0, 1.0, 0.0, 1.0), "b": (2, 2.0, 1.0, 0.0, 1.0),
                                    "c": (1, 0.0, 1.0, 0.0, 1.0)}, 0, 0.99, 0.0),
]

with gzip.open(out, "wt") as f:
    json.dump({"generator": f"scikit-learn {sklearn.__version__}, statsmodels {statsmodels.__version__}, "
                            f"scipy {scipy.__version__}, numpy {np.__version__}",
               "seed": seed, "normal_quantiles": normal_quantiles, "t_quantiles": t_quantiles, "t_cdfs": t_cdfs,
               "intervals": interval_cases, "binary": binary_cases, "multiclass": multiclass_cases,
               "regression": regression_cases}, f, separators=(",", ":"))
print(f"wrote {out}: {len(binary_cases)} binary, {len(multiclass_cases)} multiclass, {len(regression_cases)} "
      f"regression, {len(interval_cases)} interval cases")
