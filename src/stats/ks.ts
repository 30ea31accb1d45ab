/**
 * Two-sample, two-sided Kolmogorov–Smirnov test, reproducing `scipy.stats.ks_2samp(data1, data2,
 * alternative="two-sided", method=...)` of scipy 1.10.1 (scipy/stats/_stats_py.py and the Pythran
 * kernel `_compute_outer_prob_inside_method`), including its choice of method, its snapping of D to a
 * multiple of 1/lcm(n1, n2) in exact mode and its fallbacks. Inputs are sorted once by the caller; the
 * statistic is a single merge walk.
 */

import { kstwoSf } from "./kolmogorov.js";

/**
 * How to compute the p-value: scipy's `method` argument.
 *
 * @example
 * ```ts
 * const mode: KsMode = "asymp"; // force the asymptotic distribution even for small samples
 * ```
 */
export type KsMode = "auto" | "exact" | "asymp";

/**
 * Result of {@link ksTwoSample}.
 *
 * @example
 * ```ts
 * const { statistic, pValue, method }: KsResult = ksTwoSample(reference, current);
 * ```
 */
export interface KsResult {
  /** D = sup |F_a − F_b|; in exact mode snapped to h/lcm(n, m) as scipy reports it. */
  readonly statistic: number;
  /** Two-sided p-value, in [0, 1]. */
  readonly pValue: number;
  /** The method that produced the p-value (after any fallback). */
  readonly method: "exact" | "asymp";
}

/**
 * `auto` uses the exact distribution when both samples have at most this many values (scipy's MAX_AUTO_N).
 *
 * @example
 * ```ts
 * const willBeExact = Math.max(a.length, b.length) <= KS_MAX_AUTO_N;
 * ```
 */
export const KS_MAX_AUTO_N = 10000;
const INT32_MAX = 2147483647;

function requireNonEmpty(a: Float64Array, b: Float64Array): void {
  if (a.length === 0 || b.length === 0) {
    throw new RangeError("two-sample statistics need at least one value in each sample");
  }
}

/**
 * The two-sample KS statistic D = max |F_a(x) − F_b(x)| over the pooled values, computed as scipy does
 * (ECDFs as count/n, right-continuous at ties) in one O(n + m) merge walk without allocating.
 *
 * @param a - ascending-sorted, NaN-free, non-empty
 * @param b - ascending-sorted, NaN-free, non-empty
 * @throws RangeError when a sample is empty
 * @example
 * ```ts
 * ksStatisticSorted(Float64Array.of(1, 2, 3), Float64Array.of(2, 3, 4)); // 1/3
 * ```
 */
export function ksStatisticSorted(a: Float64Array, b: Float64Array): number {
  requireNonEmpty(a, b);
  const na = a.length;
  const nb = b.length;
  let i = 0;
  let j = 0;
  // scipy takes max(cdf1 − cdf2) and max(cdf2 − cdf1) separately; since both differences are the
  // same subtraction with the sign flipped (exact in IEEE), tracking both extremes reproduces it.
  let maxDiff = Number.NEGATIVE_INFINITY;
  let minDiff = Number.POSITIVE_INFINITY;
  while (i < na || j < nb) {
    const cur = i < na && (j >= nb || a[i]! <= b[j]!) ? a[i]! : b[j]!;
    // Consume every copy of `cur` in both samples: ECDFs are evaluated after ties (side="right").
    while (i < na && a[i]! <= cur) i++;
    while (j < nb && b[j]! <= cur) j++;
    const diff = i / na - j / nb;
    if (diff > maxDiff) maxDiff = diff;
    if (diff < minDiff) minDiff = diff;
  }
  const minS = Math.min(Math.max(-minDiff, 0), 1);
  return Math.max(minS, maxDiff);
}

function gcd(x: number, y: number): number {
  let p = x;
  let q = y;
  while (q !== 0) {
    const r = p % q;
    p = q;
    q = r;
  }
  return p;
}

/** numpy's `round`: halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const diff = x - f;
  if (diff > 0.5) return f + 1;
  if (diff < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * P(D_{n,n} ≥ h/n) for equal sample sizes: 2·Σ_k (−1)^(k−1) C(2n, n−kh)/C(2n, n), evaluated as
 * 2·A0(1 − A1(1 − A2(…))) with each ratio built from h factors — no large binomials and no subtractive
 * cancellation, so p-values far below 1e-16 survive.
 */
function probOutsideSquare(n: number, h: number): number {
  let p = 0.0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let p1 = 1.0;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    p = p1 * (1.0 - p);
  }
  return 2 * p;
}

/**
 * P(D_{m,n} ≥ h/lcm) for unequal sizes by Hodges' "inside" lattice-path method, recast (Viehmann 2021)
 * to propagate the probability of having already left the band |x/m − y/n| < h/lcm. Every update is a
 * convex combination of values in [0, 1], so tiny p-values are computed directly (down to subnormals)
 * rather than as 1 − (something near 1). Only a sliding window of one lattice column is kept.
 */
function outerProbInsideMethod(m0: number, n0: number, g: number, h: number): number {
  const m = Math.max(m0, n0);
  const n = Math.min(m0, n0);
  const mg = Math.floor(m / g);
  const ng = Math.floor(n / g);
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const A = new Float64Array(lenA).fill(1);
  A.fill(0, minj, maxj);
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1.0;
    let val = minj === 0 ? 0.0 : 1.0;
    const width = maxj - minj;
    const shift = minj - lastminj;
    for (let jj = 0; jj < width; jj++) {
      const j = jj + minj;
      val = (A[jj + shift]! * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = width;
    if (lastlen > curlen) A.fill(1, width, width + (lastlen - curlen));
  }
  return A[maxj - minj - 1]!;
}

/** scipy's `_attempt_exact_2kssamp` for the two-sided alternative. */
function attemptExact(
  n1: number,
  n2: number,
  g: number,
  d: number,
): { success: boolean; d: number; prob: number } {
  const lcm = Math.floor(n1 / g) * n2;
  const h = roundHalfEven(d * lcm);
  const snapped = (h * 1.0) / lcm;
  if (h === 0) return { success: true, d: snapped, prob: 1.0 };
  const prob = n1 === n2 ? probOutsideSquare(n1, h) : outerProbInsideMethod(n1, n2, g, h);
  // scipy also falls back on overflow/invalid FP errors; those surface here as a non-finite value.
  if (!(prob >= 0 && prob <= 1)) return { success: false, d: snapped, prob };
  return { success: true, d: snapped, prob };
}

/**
 * Two-sample two-sided Kolmogorov–Smirnov test, matching `scipy.stats.ks_2samp(a, b, method=mode)` of
 * scipy 1.10.1.
 *
 * - `auto` (default): exact when max(n, m) ≤ 10000, otherwise asymptotic.
 * - `exact`: D is snapped to h/lcm(n, m) (h = round(D·lcm), half to even); h = 0 gives p = 1. Equal sizes
 *   use the alternating-binomial Horner form, unequal sizes the lattice-path recursion. Falls back to
 *   `asymp` when lcm(n, m) would not fit in an int32 or the result is not a probability.
 * - `asymp`: p = kstwo.sf(D, round(n·m/(n+m))) (see {@link kstwoSf}).
 *
 * Exact p-values keep their relative accuracy far into the tail (e.g. 5.3e-43 for 400 vs 400 values,
 * subnormal values near 1e-321 where scipy gets them) because nothing is computed as 1 − (near 1).
 *
 * @param a - ascending-sorted, NaN-free, non-empty
 * @param b - ascending-sorted, NaN-free, non-empty
 * @param mode - scipy's `method`
 * @throws RangeError when a sample is empty
 * @example
 * ```ts
 * const r = ksTwoSample(Float64Array.of(1, 2, 3, 4), Float64Array.of(5, 6, 7, 8));
 * // { statistic: 1, pValue: 0.028571428571428577, method: "exact" }
 * ```
 */
export function ksTwoSample(a: Float64Array, b: Float64Array, mode: KsMode = "auto"): KsResult {
  return ksFromStatistic(ksStatisticSorted(a, b), a.length, b.length, mode);
}

/**
 * The KS test's result from an already computed statistic D of samples of sizes n1 and n2 — the
 * p-value half of {@link ksTwoSample}, for callers that computed D in a shared merge walk.
 *
 * @example
 * ```ts
 * const { d } = ksWassersteinSorted(a, b);
 * ksFromStatistic(d, a.length, b.length, "auto").pValue;
 * ```
 */
export function ksFromStatistic(statistic: number, n1: number, n2: number, mode: KsMode = "auto"): KsResult {
  let d = statistic;
  const g = gcd(n1, n2);
  const n1g = Math.floor(n1 / g);
  const n2g = Math.floor(n2 / g);
  let method: "exact" | "asymp";
  if (mode === "auto") {
    method = Math.max(n1, n2) <= KS_MAX_AUTO_N ? "exact" : "asymp";
  } else if (mode === "exact") {
    // If lcm(n1, n2) is too big for scipy's integer lattice, it switches to asymp.
    method = n1g >= INT32_MAX / n2g ? "asymp" : "exact";
  } else {
    method = "asymp";
  }

  let prob = Number.NEGATIVE_INFINITY;
  if (method === "exact") {
    const exact = attemptExact(n1, n2, g, d);
    d = exact.d;
    prob = exact.prob;
    if (!exact.success) method = "asymp";
  }
  if (method === "asymp") {
    // Float arithmetic as in scipy (m ≥ n), so round(en) agrees even for huge samples.
    const m = Math.max(n1, n2);
    const n = Math.min(n1, n2);
    const en = (m * n) / (m + n);
    prob = kstwoSf(d, roundHalfEven(en));
  }
  // np.clip keeps NaN (e.g. n1 = n2 = 1 in asymp mode, where round(0.5) = 0 is not a valid n).
  const pValue = Number.isNaN(prob) ? prob : Math.min(Math.max(prob, 0), 1);
  return { statistic: d, pValue, method };
}
