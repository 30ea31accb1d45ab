import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { repoPath } from "./paths.js";

/** One case of `golden/drift_scipy.json.gz`, as scipy 1.10.1 computed it. */
export interface ScipyDriftCase {
  readonly id: string;
  readonly distribution: string;
  readonly reference: number[];
  readonly current: number[];
  readonly ks_statistic: number;
  readonly ks_pvalue_auto: number;
  readonly ks_pvalue_exact: number | null;
  readonly ks_pvalue_asymp: number;
  readonly wasserstein: number;
  readonly reference_std: number;
  readonly wasserstein_normed: number | null;
}

let cached: ScipyDriftCase[] | undefined;

/** The 80 golden two-sample cases (loaded once per process). */
export function loadScipyDriftCases(): ScipyDriftCase[] {
  cached ??= (
    JSON.parse(gunzipSync(readFileSync(repoPath("golden", "drift_scipy.json.gz"))).toString("utf8")) as {
      cases: ScipyDriftCase[];
    }
  ).cases;
  return cached;
}

/** Asserts-friendly closeness check: relative tolerance, or absolute for tiny values. */
export function closeTo(actual: number, expected: number, rel: number, abs: number): boolean {
  if (Number.isNaN(expected)) return Number.isNaN(actual);
  return Math.abs(actual - expected) <= Math.max(abs, rel * Math.abs(expected));
}

/** `golden/drift_extra_scipy.json.gz`, made by `tools/make_drift_extra_golden.py` with scipy 1.10.1. */
export interface ScipyExtraGolden {
  readonly numeric: ReadonlyArray<{
    readonly id: string;
    readonly reference: number[];
    readonly current: number[];
    readonly edges: number[];
    readonly reference_counts: number[];
    readonly current_counts: number[];
    readonly psi: number;
    readonly jensenshannon: number;
  }>;
  readonly categorical: ReadonlyArray<{
    readonly id: string;
    readonly reference: string[];
    readonly current: string[];
    readonly categories: string[];
    readonly reference_counts: number[];
    readonly current_counts: number[];
    readonly chi2_statistic: number;
    readonly chi2_pvalue: number;
    readonly chi2_dof: number;
    readonly jensenshannon: number;
    readonly psi: number;
  }>;
  readonly chi2_sf: ReadonlyArray<{ readonly x: number; readonly dof: number; readonly sf: number }>;
}

let cachedExtra: ScipyExtraGolden | undefined;

/** The PSI / chi-square / Jensen–Shannon golden values (loaded once per process). */
export function loadScipyExtraGolden(): ScipyExtraGolden {
  cachedExtra ??= JSON.parse(
    gunzipSync(readFileSync(repoPath("golden", "drift_extra_scipy.json.gz"))).toString("utf8"),
  ) as ScipyExtraGolden;
  return cachedExtra;
}

/**
 * `golden/fairness_sklearn.json.gz`, made by `tools/make_fairness_golden.py` (scikit-learn 1.2.1,
 * statsmodels 0.13.5, scipy 1.10.1). The fairness tests declare its shape as `T`.
 */
export function loadFairnessGolden<T>(): T {
  return JSON.parse(
    gunzipSync(readFileSync(repoPath("golden", "fairness_sklearn.json.gz"))).toString("utf8"),
  ) as T;
}
