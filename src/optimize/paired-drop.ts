/**
 * The accuracy drop between a baseline and a candidate evaluated on the same rows, with its uncertainty:
 * a paired Student t interval over the per-fold drops (the primary rule of acceptance), and McNemar's exact
 * test over the rows where exactly one model was right (a check that a drop is not noise).
 */

import { logGamma } from "../stats/index.js";
import { foldAccuracies, meanStd } from "./k-fold.js";
import { studentTQuantile } from "./student-t.js";

/**
 * The paired per-fold accuracy drop with its t interval.
 *
 * @example
 * ```ts
 * const d: PairedDrop = {
 *   folds: 5, drops: new Float64Array(5), meanDrop: 0.004, std: 0.002, standardError: 0.0009,
 *   confidence: 0.95, lower: 0.0015, upper: 0.0065, upperOneSided: 0.006,
 * };
 * ```
 */
export interface PairedDrop {
  readonly folds: number;
  /** Baseline accuracy − candidate accuracy, per fold: positive is worse. */
  readonly drops: Float64Array;
  readonly meanDrop: number;
  /** Sample standard deviation of the drops. */
  readonly std: number;
  /** std / √folds. */
  readonly standardError: number;
  readonly confidence: number;
  /** Two-sided interval: mean ± t_{(1+c)/2, k−1} · SE. */
  readonly lower: number;
  readonly upper: number;
  /** One-sided upper bound: mean + t_{c, k−1} · SE — what the acceptance rule checks. */
  readonly upperOneSided: number;
}

/**
 * The paired accuracy drop over folds: per fold f, d_f = acc_base,f − acc_cand,f on the same rows; then
 * mean, sample std, SE = std/√k and Student t bounds with k − 1 degrees of freedom. Fold accuracies are
 * not independent (training sets overlap when folds come from cross-validation of a trainer), so the
 * interval is somewhat optimistic (Nadeau & Bengio); here both models are fixed and folds only split the
 * evaluation rows, where the rows are independent and the t interval is the textbook one.
 *
 * @example
 * ```ts
 * const base = Uint8Array.of(1, 1, 1, 1);
 * const cand = Uint8Array.of(1, 0, 1, 1);
 * pairedAccuracyDrop(base, cand, Int32Array.of(0, 0, 1, 1), 2).meanDrop; // (0.5 + 0)/2 = 0.25
 * ```
 */
export function pairedAccuracyDrop(
  baselineCorrect: ArrayLike<number>,
  candidateCorrect: ArrayLike<number>,
  folds: ArrayLike<number>,
  k: number,
  options: { readonly confidence?: number } = {},
): PairedDrop {
  const confidence = options.confidence ?? 0.95;
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1)`);
  if (baselineCorrect.length !== candidateCorrect.length)
    throw new RangeError("baseline and candidate were not evaluated on the same rows");
  const base = foldAccuracies(baselineCorrect, folds, k);
  const cand = foldAccuracies(candidateCorrect, folds, k);
  const drops = base.map((b, f) => b - cand[f]!);
  return dropInterval(drops, confidence);
}

/**
 * The t interval of given per-fold drops (when fold accuracies were computed elsewhere).
 *
 * @example
 * ```ts
 * dropInterval(Float64Array.of(0.01, 0.02, 0.03), 0.95).upper; // 0.02 + 4.3027 · 0.01/√3 ≈ 0.0448
 * ```
 */
export function dropInterval(drops: Float64Array, confidence = 0.95): PairedDrop {
  const folds = drops.length;
  if (folds < 2) throw new RangeError("a paired interval needs at least two folds");
  const { mean, std } = meanStd(drops);
  const standardError = std / Math.sqrt(folds);
  const twoSided = studentTQuantile((1 + confidence) / 2, folds - 1);
  const oneSided = studentTQuantile(confidence, folds - 1);
  return {
    folds,
    drops,
    meanDrop: mean,
    std,
    standardError,
    confidence,
    lower: mean - twoSided * standardError,
    upper: mean + twoSided * standardError,
    upperOneSided: mean + oneSided * standardError,
  };
}

/**
 * McNemar's exact test on paired correctness.
 *
 * @example
 * ```ts
 * const m: McNemar = { baselineOnly: 8, candidateOnly: 2, drop: 0.006, pValue: 0.109375 };
 * ```
 */
export interface McNemar {
  /** Rows the baseline got right and the candidate wrong. */
  readonly baselineOnly: number;
  /** Rows the candidate got right and the baseline wrong. */
  readonly candidateOnly: number;
  /** (baselineOnly − candidateOnly) / rows: the overall accuracy drop. */
  readonly drop: number;
  /** Two-sided exact p-value: min(1, 2 · P(Bin(b + c, ½) ≤ min(b, c))). */
  readonly pValue: number;
}

/**
 * McNemar's exact (binomial) test: does the candidate's accuracy differ from the baseline's on these rows?
 * It tests a difference of zero, not a drop within a limit, so it complements the interval.
 *
 * @example
 * ```ts
 * // 8 rows only the baseline got right, 2 only the candidate: p = 2 · P(Bin(10, ½) ≤ 2) = 0.109375.
 * mcnemarExact(Uint8Array.of(...Array(8).fill(1), 0, 0), Uint8Array.of(...Array(8).fill(0), 1, 1)).pValue;
 * ```
 */
export function mcnemarExact(
  baselineCorrect: ArrayLike<number>,
  candidateCorrect: ArrayLike<number>,
): McNemar {
  const n = baselineCorrect.length;
  if (candidateCorrect.length !== n)
    throw new RangeError("baseline and candidate were not evaluated on the same rows");
  let b = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const base = Boolean(baselineCorrect[i]);
    const cand = Boolean(candidateCorrect[i]);
    if (base && !cand) b++;
    else if (cand && !base) c++;
  }
  const discordant = b + c;
  let tail = 0;
  if (discordant > 0) {
    const logHalfPower = discordant * Math.log(0.5);
    for (let i = 0; i <= Math.min(b, c); i++)
      tail += Math.exp(
        logGamma(discordant + 1) - logGamma(i + 1) - logGamma(discordant - i + 1) + logHalfPower,
      );
  }
  return {
    baselineOnly: b,
    candidateOnly: c,
    drop: n > 0 ? (b - c) / n : 0,
    pValue: discordant === 0 ? 1 : Math.min(1, 2 * tail),
  };
}
