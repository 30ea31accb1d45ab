import { chiSquareSf } from "./gamma.js";

/** Result of {@link chiSquareHomogeneity}. */
export interface ChiSquareResult {
  readonly statistic: number;
  readonly dof: number;
  readonly pValue: number;
}

/**
 * Chi-square test of homogeneity on the 2 × k table of reference and current category counts, as
 * `scipy.stats.chi2_contingency([ref, cur], correction=False)`. Categories absent from both samples
 * must not be passed (they would make an expected count zero). With one category there is nothing
 * to test: statistic 0, p-value 1 (scipy returns the same for a table with zero degrees of freedom).
 *
 * @example
 * ```ts
 * chiSquareHomogeneity(new Float64Array([30, 70]), new Float64Array([50, 50])); // p ≈ 0.0039
 * ```
 */
export function chiSquareHomogeneity(
  referenceCounts: Float64Array,
  currentCounts: Float64Array,
): ChiSquareResult {
  const k = referenceCounts.length;
  let totalRef = 0;
  let totalCur = 0;
  for (let i = 0; i < k; i++) {
    totalRef += referenceCounts[i]!;
    totalCur += currentCounts[i]!;
  }
  const total = totalRef + totalCur;
  let statistic = 0;
  for (let i = 0; i < k; i++) {
    const column = referenceCounts[i]! + currentCounts[i]!;
    const expectedRef = (column * totalRef) / total;
    const expectedCur = (column * totalCur) / total;
    const dr = referenceCounts[i]! - expectedRef;
    const dc = currentCounts[i]! - expectedCur;
    statistic += (dr * dr) / expectedRef + (dc * dc) / expectedCur;
  }
  const dof = k - 1;
  if (dof <= 0) return { statistic: 0, dof: 0, pValue: 1 };
  return { statistic, dof, pValue: chiSquareSf(statistic, dof) };
}
