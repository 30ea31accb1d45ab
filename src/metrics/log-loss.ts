/**
 * Per-row log loss exactly as scikit-learn 1.2.1's `log_loss` computes it (sklearn/metrics/
 * _classification.py): probabilities clipped to [eps, 1 − eps] with eps = `np.finfo(float64).eps`
 * (`eps="auto"`, new in 1.2; it was 1e-15 before), then each row renormalised to sum to 1, then
 * −ln(p of the true class). The window's log loss is the mean of these, a sum that merges trivially.
 */

/**
 * The clipping epsilon: float64 machine epsilon, 2⁻⁵², which is scikit-learn 1.2's `eps="auto"`.
 *
 * @example
 * ```ts
 * LOG_LOSS_EPS === Number.EPSILON; // true
 * ```
 */
export const LOG_LOSS_EPS = Number.EPSILON;

const clip = (p: number): number => Math.min(Math.max(p, LOG_LOSS_EPS), 1 - LOG_LOSS_EPS);

/**
 * Log loss of one binary row, given the score (probability) of the positive class. As scikit-learn does
 * for a one-dimensional `y_pred`: clip p, take [1 − p, p], renormalise (the two need not sum to exactly
 * 1 in floating point) and return −ln of the true class's share.
 *
 * @example
 * ```ts
 * binaryLogLoss(0.9, true); // −ln 0.9 ≈ 0.10536
 * binaryLogLoss(1, false); // −ln(eps) ≈ 36.04, not Infinity
 * ```
 */
export function binaryLogLoss(positiveScore: number, isPositive: boolean): number {
  const p = clip(positiveScore);
  const q = 1 - p;
  return -Math.log((isPositive ? p : q) / (q + p));
}

/**
 * Log loss of one multiclass row: every probability clipped, the row renormalised by its sum, then
 * −ln of the true class's share. Rows that do not sum to 1 (rounded probabilities, exact zeros) are
 * handled as scikit-learn 1.2.1 handles them: silently renormalised.
 *
 * @example
 * ```ts
 * multiclassLogLoss([0.2, 0.7, 0.1], 1); // −ln 0.7 ≈ 0.35667
 * multiclassLogLoss([0.2, 0.6, 0.1], 1); // −ln(0.6 / 0.9) ≈ 0.40547
 * ```
 */
export function multiclassLogLoss(probabilities: ArrayLike<number>, trueIndex: number): number {
  let sum = 0;
  for (let j = 0; j < probabilities.length; j++) sum += clip(probabilities[j]!);
  return -Math.log(clip(probabilities[trueIndex]!) / sum);
}
