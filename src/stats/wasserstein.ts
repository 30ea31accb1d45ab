/**
 * Wasserstein-1 (earth mover's) distance between two empirical distributions, as
 * `scipy.stats.wasserstein_distance(u, v)` without weights, plus Evidently's normalised variant.
 */

/**
 * Lower bound on the reference standard deviation used by the normalised distance (Evidently's rule), so
 * a constant reference column does not divide by zero.
 *
 * @example
 * ```ts
 * const scale = Math.max(populationStd(reference), WASSERSTEIN_MIN_STD);
 * ```
 */
export const WASSERSTEIN_MIN_STD = 0.001;

/**
 * Wasserstein-1 distance ∫ |F_a(x) − F_b(x)| dx between the empirical distributions of two sorted
 * samples, as scipy computes it: the sum over consecutive pooled values of |F_a − F_b|·Δx with ECDFs
 * count/n. One merge walk, no allocation; the sum is compensated (Neumaier) so a million terms lose
 * nothing to rounding (scipy sums pairwise; both agree to ~1e-15).
 *
 * @param a - ascending-sorted, NaN-free, non-empty
 * @param b - ascending-sorted, NaN-free, non-empty
 * @throws RangeError when a sample is empty
 * @example
 * ```ts
 * wassersteinSorted(Float64Array.of(0, 1, 3), Float64Array.of(5, 6, 8)); // 5
 * ```
 */
export function wassersteinSorted(a: Float64Array, b: Float64Array): number {
  const na = a.length;
  const nb = b.length;
  if (na === 0 || nb === 0) {
    throw new RangeError("the Wasserstein distance needs at least one value in each sample");
  }
  let i = 0;
  let j = 0;
  let sum = 0;
  let comp = 0;
  let cur = Math.min(a[0]!, b[0]!);
  for (;;) {
    // Consume every copy of `cur`: between `cur` and the next distinct value both ECDFs are flat.
    while (i < na && a[i]! <= cur) i++;
    while (j < nb && b[j]! <= cur) j++;
    if (i === na && j === nb) break;
    const next = i < na ? (j < nb && b[j]! < a[i]! ? b[j]! : a[i]!) : b[j]!;
    const term = Math.abs(i / na - j / nb) * (next - cur);
    const t = sum + term;
    comp += Math.abs(sum) >= Math.abs(term) ? sum - t + term : term - t + sum;
    sum = t;
    cur = next;
  }
  return sum + comp;
}

/**
 * Population standard deviation (ddof = 0, like `numpy.std`), two-pass (mean, then squared deviations)
 * so it stays accurate when the mean is large relative to the spread. NaN for an empty array.
 *
 * @example
 * ```ts
 * populationStd(Float64Array.of(2, 4, 4, 4, 5, 5, 7, 9)); // 2
 * ```
 */
export function populationStd(values: Float64Array): number {
  const n = values.length;
  if (n === 0) return Number.NaN;
  // Plain sums: V8 keeps these loops tight, and over a million values they lose ~1e-13 relative.
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i]!;
  const mean = sum / n;
  // Second pass: Σ(x − mean)², plus the correction term Σ(x − mean) that cancels the mean's rounding.
  let squares = 0;
  let deviation = 0;
  for (let i = 0; i < n; i++) {
    const r = values[i]! - mean;
    deviation += r;
    squares += r * r;
  }
  const variance = (squares - (deviation * deviation) / n) / n;
  return Math.sqrt(Math.max(variance, 0));
}

/**
 * Normalised Wasserstein distance: W1(reference, current) / max(std(reference), 0.001), the scale-free
 * form Evidently thresholds (0.1 by default). The floor keeps a constant reference from dividing by 0.
 *
 * @param reference - ascending-sorted, NaN-free, non-empty
 * @param current - ascending-sorted, NaN-free, non-empty
 * @param referenceStd - pass {@link populationStd}(reference) if already known, to skip a pass
 * @example
 * ```ts
 * wassersteinNormedSorted(Float64Array.of(0, 2), Float64Array.of(1, 3)); // 1 / 1 = 1
 * ```
 */
export function wassersteinNormedSorted(
  reference: Float64Array,
  current: Float64Array,
  referenceStd: number = populationStd(reference),
): number {
  return wassersteinSorted(reference, current) / Math.max(referenceStd, WASSERSTEIN_MIN_STD);
}
