/**
 * Small score functions for permutation importance, named and oriented as scikit-learn's `scoring`
 * strings are: greater is better, so losses come negated (`neg_log_loss`, `neg_mean_absolute_error`).
 * The explain layer may not import metrics/, whose accumulators are built for windows of events, not
 * for a whole column of predictions scored a hundred times; these are a few lines each.
 *
 * Binary classifiers: `truth` holds 0 and 1, `predictions` the probability (or any score, for ROC AUC)
 * of class 1. Regressors: both hold values.
 */

/**
 * Scores predictions against the truth; greater is better (scikit-learn's scorer convention).
 *
 * @example
 * ```ts
 * const scorer: Scorer = (truth, predictions) => -meanAbsoluteError(truth, predictions);
 * ```
 */
export type Scorer = (truth: Float64Array, predictions: Float64Array) => number;

/**
 * The names of the built-in scorers: scikit-learn's `scoring` strings.
 *
 * @example
 * ```ts
 * const scoring: ScoringName = "neg_log_loss";
 * ```
 */
export type ScoringName =
  | "accuracy"
  | "neg_log_loss"
  | "roc_auc"
  | "neg_mean_absolute_error"
  | "neg_mean_squared_error"
  | "neg_root_mean_squared_error"
  | "r2";

/** scikit-learn 1.2's `log_loss(eps="auto")` for float64: probabilities clipped to [ε, 1 − ε]. */
const EPS = Number.EPSILON;

function checkLengths(truth: Float64Array, predictions: Float64Array): number {
  if (truth.length !== predictions.length) {
    throw new RangeError(`truth has ${truth.length} values but predictions ${predictions.length}`);
  }
  return truth.length;
}

/**
 * Share of rows whose predicted class (1 when the probability of class 1 is above 0.5, as scikit-learn's
 * `predict` decides for a logistic model or an argmax over two probabilities) equals the truth.
 * Predictions that are already 0/1 labels work unchanged. NaN on no rows.
 *
 * @example
 * ```ts
 * accuracyScore(Float64Array.of(1, 0, 1), Float64Array.of(0.9, 0.2, 0.4)); // 2/3
 * ```
 */
export function accuracyScore(truth: Float64Array, predictions: Float64Array): number {
  const n = checkLengths(truth, predictions);
  let correct = 0;
  for (let i = 0; i < n; i++) if ((predictions[i]! > 0.5 ? 1 : 0) === truth[i]) correct++;
  return correct / n;
}

/**
 * Negative mean binary log loss: `−mean(y ln p + (1 − y) ln(1 − p))` with p clipped to [ε, 1 − ε],
 * ε = 2⁻⁵² (scikit-learn 1.2's default for float64), so a confident mistake costs about 36, not ∞.
 *
 * @example
 * ```ts
 * negLogLossScore(Float64Array.of(1, 0), Float64Array.of(0.9, 0.1)); // −0.10536…
 * ```
 */
export function negLogLossScore(truth: Float64Array, predictions: Float64Array): number {
  const n = checkLengths(truth, predictions);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const p = Math.min(Math.max(predictions[i]!, EPS), 1 - EPS);
    sum += truth[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return sum / n;
}

/**
 * ROC AUC of the class-1 score: the Mann–Whitney statistic with tied scores counted ½, which is
 * scikit-learn's `roc_auc_score` for binary labels. NaN when the truth holds one class only (where
 * scikit-learn raises). O(n log n).
 *
 * @example
 * ```ts
 * rocAucScore(Float64Array.of(0, 0, 1, 1), Float64Array.of(0.1, 0.4, 0.35, 0.8)); // 0.75
 * ```
 */
export function rocAucScore(truth: Float64Array, predictions: Float64Array): number {
  const n = checkLengths(truth, predictions);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => predictions[a]! - predictions[b]!);
  // Sum of the positives' ranks, ties given their average rank.
  let positives = 0;
  let rankSum = 0;
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && predictions[order[end]!] === predictions[order[start]!]) end++;
    const averageRank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) {
      if (truth[order[k]!] === 1) {
        positives++;
        rankSum += averageRank;
      }
    }
    start = end;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * Mean absolute error (a loss: negate it to score, as `neg_mean_absolute_error` does).
 *
 * @example
 * ```ts
 * meanAbsoluteError(Float64Array.of(1, 2), Float64Array.of(2, 4)); // 1.5
 * ```
 */
export function meanAbsoluteError(truth: Float64Array, predictions: Float64Array): number {
  const n = checkLengths(truth, predictions);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.abs(truth[i]! - predictions[i]!);
  return sum / n;
}

/**
 * Mean squared error (a loss: negate it to score).
 *
 * @example
 * ```ts
 * meanSquaredError(Float64Array.of(1, 2), Float64Array.of(2, 4)); // 2.5
 * ```
 */
export function meanSquaredError(truth: Float64Array, predictions: Float64Array): number {
  const n = checkLengths(truth, predictions);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const e = truth[i]! - predictions[i]!;
    sum += e * e;
  }
  return sum / n;
}

/**
 * Coefficient of determination, `1 − SS_res / SS_tot`, as scikit-learn's `r2_score`: 1 for a perfect
 * fit of a constant truth, 0 for an imperfect one (scikit-learn's `force_finite`), NaN on no rows.
 *
 * @example
 * ```ts
 * r2Score(Float64Array.of(1, 2, 3), Float64Array.of(1, 2, 4)); // 0.5
 * ```
 */
export function r2Score(truth: Float64Array, predictions: Float64Array): number {
  const n = checkLengths(truth, predictions);
  if (n === 0) return Number.NaN;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += truth[i]!;
  mean /= n;
  let residual = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const e = truth[i]! - predictions[i]!;
    const d = truth[i]! - mean;
    residual += e * e;
    total += d * d;
  }
  if (total === 0) return residual === 0 ? 1 : 0;
  return 1 - residual / total;
}

/**
 * The built-in scorers by scikit-learn's `scoring` name; every one is greater-is-better.
 *
 * @example
 * ```ts
 * const score = SCORERS.neg_root_mean_squared_error(truth, predictions); // −RMSE
 * ```
 */
export const SCORERS: Readonly<Record<ScoringName, Scorer>> = {
  accuracy: accuracyScore,
  neg_log_loss: negLogLossScore,
  roc_auc: rocAucScore,
  neg_mean_absolute_error: (truth, predictions) => -meanAbsoluteError(truth, predictions),
  neg_mean_squared_error: (truth, predictions) => -meanSquaredError(truth, predictions),
  neg_root_mean_squared_error: (truth, predictions) => -Math.sqrt(meanSquaredError(truth, predictions)),
  r2: r2Score,
};
