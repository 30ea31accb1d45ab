"""Golden values for the drift statistics that golden/drift_scipy.json.gz does not cover:
PSI, chi-square (test of homogeneity), Jensen-Shannon distance and the chi-square survival function.

Run with Debian's scipy (python3-scipy 1.10.1):
    /usr/bin/python3 tools/make_drift_extra_golden.py 7 golden/drift_extra_scipy.json.gz

Conventions mirrored from TikTokToe's documentation (docs/drift.md):
- PSI: 10 bins at the reference's deciles (numpy.quantile, linear), open outer edges, right-closed bins
  (numpy.searchsorted(edges, x, side="left")), each share floored at 1e-4.
- chi-square: scipy.stats.chi2_contingency([ref_counts, cur_counts], correction=False) over the
  categories present in either sample.
- Jensen-Shannon: scipy.spatial.distance.jensenshannon(p, q) (natural log) on category counts, or on the
  PSI decile bins for numeric columns.
"""
import gzip, json, sys
import numpy as np
import scipy
from scipy import stats
from scipy.spatial.distance import jensenshannon

seed = int(sys.argv[1]); out = sys.argv[2]
rng = np.random.default_rng(seed)

def draw(kind, n, shift, scale):
    if kind == "normal": x = rng.normal(0, 1, n)
    elif kind == "lognormal": x = rng.lognormal(0, 0.8, n)
    elif kind == "discrete": x = rng.integers(0, 12, n).astype(float)
    elif kind == "exponential": x = rng.exponential(2.0, n)
    else: x = rng.standard_t(3, n)
    return np.round(x * scale + shift, 6)

def decile_bins(ref, cur):
    edges = np.quantile(ref, np.arange(1, 10) / 10)
    rc = np.bincount(np.searchsorted(edges, ref, side="left"), minlength=10).astype(float)
    cc = np.bincount(np.searchsorted(edges, cur, side="left"), minlength=10).astype(float)
    return edges, rc, cc

def psi(rc, cc):
    e = np.maximum(rc / rc.sum(), 1e-4); a = np.maximum(cc / cc.sum(), 1e-4)
    return float(np.sum((a - e) * np.log(a / e)))

numeric = []
kinds = ["normal", "lognormal", "discrete", "exponential", "student_t"]
for i in range(30):
    kind = kinds[i % len(kinds)]
    n = int(rng.choice([20, 57, 300, 1000, 5000, 20000])); m = int(rng.choice([15, 80, 700, 3000, 20000]))
    shift = float(rng.choice([0, 0.1, 0.5, 2.0])); scale = float(rng.choice([1, 1, 0.5, 2]))
    ref = draw(kind, n, 0, 1); cur = draw(kind, m, shift, scale)
    edges, rc, cc = decile_bins(ref, cur)
    numeric.append({"id": f"numeric{seed}_{i:02d}", "distribution": kind, "reference": ref.tolist(),
                    "current": cur.tolist(), "edges": edges.tolist(), "reference_counts": rc.tolist(),
                    "current_counts": cc.tolist(), "psi": psi(rc, cc),
                    "jensenshannon": float(jensenshannon(rc, cc))})

categorical = []
for i in range(30):
    k = int(rng.choice([1, 2, 3, 5, 8, 20]))
    names = [f"c{j}" for j in range(k)]
    p = rng.dirichlet(np.ones(k)); q = p if i % 3 == 0 else rng.dirichlet(np.ones(k))
    n = int(rng.choice([10, 50, 200, 2000, 50000])); m = int(rng.choice([10, 80, 500, 5000, 50000]))
    ref = rng.choice(names, size=n, p=p).tolist(); cur = rng.choice(names, size=m, p=q).tolist()
    if i % 5 == 4 and k > 1: cur = [c for c in cur if c != "c0"] or cur  # a category seen only in the reference
    if i % 7 == 6: cur = cur + ["new"] * max(1, m // 50)  # a category seen only in the current data
    cats = sorted(set(ref) | set(cur))
    rc = np.array([ref.count(c) for c in cats], float); cc = np.array([cur.count(c) for c in cats], float)
    if len(cats) > 1:
        chi = stats.chi2_contingency(np.array([rc, cc]), correction=False)
        stat, pval, dof = float(chi[0]), float(chi[1]), int(chi[2])
    else:
        stat, pval, dof = 0.0, 1.0, 0
    categorical.append({"id": f"categorical{seed}_{i:02d}", "reference": ref, "current": cur, "categories": cats,
                        "reference_counts": rc.tolist(), "current_counts": cc.tolist(),
                        "chi2_statistic": stat, "chi2_pvalue": pval, "chi2_dof": dof,
                        "jensenshannon": float(jensenshannon(rc, cc)), "psi": psi(rc, cc)})

sf = []
for dof in [1, 2, 3, 4, 7, 10, 19, 50, 200, 1000]:
    for x in [1e-6, 0.01, 0.5, 1, 2, 3.84, 5, 10, 30, 100, 500, 1200, 1400]:
        sf.append({"x": x, "dof": dof, "sf": float(stats.chi2.sf(x, dof))})

json.dump({"generator": "scipy " + scipy.__version__ + ", numpy " + np.__version__, "seed": seed,
           "numeric": numeric, "categorical": categorical, "chi2_sf": sf}, gzip.open(out, "wt"))
print(out, len(numeric), len(categorical), len(sf))
