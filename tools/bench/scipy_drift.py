"""Peer timing for `npm run bench` (drift): scipy's KS + Wasserstein in memory, and pandas.read_csv
plus the same end to end. Called by src/bench/drift-bench.ts with Debian's /usr/bin/python3 when
python3-scipy (and, for the end-to-end figure, python3-pandas) are installed; prints one JSON line."""
import json, sys, time
import numpy as np
from scipy import stats

ref_path, cur_path = sys.argv[1], sys.argv[2]
result = {"scipy": __import__("scipy").__version__, "numpy": np.__version__}
try:
    import pandas as pd
    result["pandas"] = pd.__version__
    t = time.perf_counter()
    ref = pd.read_csv(ref_path); cur = pd.read_csv(cur_path)
    result["read_s"] = time.perf_counter() - t
    columns = list(ref.columns)
    ref_arrays = [ref[c].to_numpy(dtype=float) for c in columns]
    cur_arrays = [cur[c].to_numpy(dtype=float) for c in columns]
except ImportError:
    ref_arrays = list(np.loadtxt(ref_path, delimiter=",", skiprows=1).T)
    cur_arrays = list(np.loadtxt(cur_path, delimiter=",", skiprows=1).T)

t = time.perf_counter()
for a, b in zip(ref_arrays, cur_arrays):
    stats.ks_2samp(a, b, method="auto")
    stats.wasserstein_distance(a, b)
result["stats_s"] = time.perf_counter() - t
result["columns"] = len(ref_arrays)
result["rows"] = int(len(ref_arrays[0]))
print(json.dumps(result))
