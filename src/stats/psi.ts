/** Share below which an empty (or nearly empty) bin is floored, so the logarithm stays finite (Evidently's 1e-4). */
export const PSI_MIN_SHARE = 1e-4;

/**
 * Population stability index Σ (a − e)·ln(a / e) between the bin shares of the reference (e) and the
 * current data (a), each share floored at `minShare`. It is the symmetric (Jeffreys) divergence of the
 * two binned distributions; the usual reading is < 0.1 stable, 0.1–0.25 moderate, ≥ 0.25 a shift.
 *
 * @example
 * ```ts
 * psi(new Float64Array([50, 50]), new Float64Array([30, 70])); // ≈ 0.1695
 * ```
 */
export function psi(
  referenceCounts: Float64Array,
  currentCounts: Float64Array,
  minShare = PSI_MIN_SHARE,
): number {
  const totalRef = sum(referenceCounts);
  const totalCur = sum(currentCounts);
  let value = 0;
  for (let i = 0; i < referenceCounts.length; i++) {
    const e = Math.max(referenceCounts[i]! / totalRef, minShare);
    const a = Math.max((currentCounts[i] ?? 0) / totalCur, minShare);
    value += (a - e) * Math.log(a / e);
  }
  return value;
}

function sum(values: Float64Array): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i]!;
  return total;
}
