/** A multiple-testing correction over one family of tests. */
export type Correction = "bonferroni" | "holm" | "bh" | "none";

/** The corrections, in the order the CLI lists them. */
export const corrections: readonly Correction[] = ["bonferroni", "holm", "bh", "none"];

/** The outcome of correcting a family of p-values at level α. */
export interface CorrectionResult {
  /** Family size m. */
  readonly tests: number;
  /**
   * The family's effective threshold: a test is significant exactly when its p-value ≤ this.
   * Bonferroni α/m; Holm α/(m − k + 1) at its first non-rejected rank k (α when all are rejected);
   * Benjamini–Hochberg k·α/m for the largest k with p₍k₎ ≤ k·α/m (α/m when there is none); none α.
   */
  readonly threshold: number;
  /** Adjusted p-values, in input order (compare with α). */
  readonly adjusted: Float64Array;
  /** Significance of each test, in input order. */
  readonly significant: readonly boolean[];
}

/**
 * Corrects the p-values of one family of tests. Each of prediction, target and the features is its
 * own family in a drift report.
 *
 * @example
 * ```ts
 * correct([0.01, 0.04, 0.03], 0.05, "holm");
 * // threshold 0.05/3: 0.01 is significant, then 0.03 > 0.05/2 stops the procedure
 * ```
 */
export function correct(pValues: readonly number[], alpha: number, method: Correction): CorrectionResult {
  const m = pValues.length;
  const order = pValues.map((_, i) => i).sort((i, j) => pValues[i]! - pValues[j]! || i - j);
  const adjusted = new Float64Array(m);
  let threshold = alpha;
  switch (method) {
    case "none":
      for (let i = 0; i < m; i++) adjusted[i] = pValues[i]!;
      break;
    case "bonferroni":
      threshold = alpha / m;
      for (let i = 0; i < m; i++) adjusted[i] = Math.min(1, pValues[i]! * m);
      break;
    case "holm": {
      let running = 0;
      let failed = false;
      for (let rank = 0; rank < m; rank++) {
        const index = order[rank]!;
        const step = alpha / (m - rank);
        if (!failed && pValues[index]! > step) {
          failed = true;
          threshold = step;
        }
        running = Math.max(running, Math.min(1, (m - rank) * pValues[index]!));
        adjusted[index] = running;
      }
      break;
    }
    case "bh": {
      let largest = 0;
      for (let rank = 0; rank < m; rank++)
        if (pValues[order[rank]!]! <= ((rank + 1) * alpha) / m) largest = rank + 1;
      threshold = (Math.max(largest, 1) * alpha) / m;
      let running = 1;
      for (let rank = m - 1; rank >= 0; rank--) {
        const index = order[rank]!;
        running = Math.min(running, (pValues[index]! * m) / (rank + 1));
        adjusted[index] = running;
      }
      break;
    }
  }
  const significant = pValues.map((p) => p <= threshold);
  return { tests: m, threshold: m === 0 ? alpha : threshold, adjusted, significant };
}
