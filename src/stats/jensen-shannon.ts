/**
 * Jensen–Shannon distance between two distributions given as counts or weights over the same bins, as
 * `scipy.spatial.distance.jensenshannon(p, q)` with the natural logarithm (Evidently's convention; the
 * maximum, for disjoint supports, is √ln 2 ≈ 0.8326). Inputs are normalised first; no smoothing is
 * needed because the mixture is positive wherever either input is.
 *
 * @example
 * ```ts
 * jensenShannonDistance(new Float64Array([1, 0]), new Float64Array([0, 1])); // ≈ 0.8326
 * ```
 */
export function jensenShannonDistance(p: Float64Array, q: Float64Array): number {
  let totalP = 0;
  let totalQ = 0;
  for (let i = 0; i < p.length; i++) {
    totalP += p[i]!;
    totalQ += q[i]!;
  }
  let divergence = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i]! / totalP;
    const qi = q[i]! / totalQ;
    const m = (pi + qi) / 2;
    if (pi > 0) divergence += pi * Math.log(pi / m);
    if (qi > 0) divergence += qi * Math.log(qi / m);
  }
  // Rounding can leave a tiny negative divergence for identical inputs.
  return Math.sqrt(Math.max(divergence / 2, 0));
}
