/** KS statistic and Wasserstein-1 distance from one merge walk (see {@link ksWassersteinSorted}). */
export interface KsWasserstein {
  /** D = max |F_a − F_b|, as `scipy.stats.ks_2samp` computes it. */
  readonly d: number;
  /** ∫ |F_a − F_b| dx, as `scipy.stats.wasserstein_distance`. */
  readonly w: number;
}

/**
 * The KS statistic and the Wasserstein-1 distance of two sorted samples in one merge walk — half the
 * memory traffic of computing them apart, which matters at a million values per side.
 *
 * The ECDF difference is kept as the exact integer i·m − j·n (both ECDFs scaled by n·m), so the
 * walk needs no division: D is formed once, from the maximising (i, j), as i/n − j/m exactly like
 * scipy's `cdf1 − cdf2`; W sums |i·m − j·n|·Δx with Neumaier compensation and divides by n·m at the end.
 *
 * @param a - ascending-sorted, NaN-free, non-empty
 * @param b - ascending-sorted, NaN-free, non-empty
 * @throws RangeError when a sample is empty
 * @example
 * ```ts
 * ksWassersteinSorted(Float64Array.of(0, 1, 3), Float64Array.of(5, 6, 8)); // { d: 1, w: 5 }
 * ```
 */
export function ksWassersteinSorted(a: Float64Array, b: Float64Array): KsWasserstein {
  const na = a.length;
  const nb = b.length;
  if (na === 0 || nb === 0)
    throw new RangeError("two-sample statistics need at least one value in each sample");
  let i = 0;
  let j = 0;
  let maxCross = 0;
  let maxI = 0;
  let maxJ = 0;
  let minCross = 0;
  let minI = 0;
  let minJ = 0;
  let sum = 0;
  let comp = 0;
  let cur = Math.min(a[0]!, b[0]!);
  for (;;) {
    // Consume every copy of `cur`: ECDFs are right-continuous, evaluated after ties.
    while (i < na && a[i]! <= cur) i++;
    while (j < nb && b[j]! <= cur) j++;
    const cross = i * nb - j * na; // exact: both products stay below 2^53
    if (cross > maxCross) {
      maxCross = cross;
      maxI = i;
      maxJ = j;
    } else if (cross < minCross) {
      minCross = cross;
      minI = i;
      minJ = j;
    }
    if (i === na && j === nb) break;
    const ai = i < na ? a[i]! : Number.POSITIVE_INFINITY;
    const bj = j < nb ? b[j]! : Number.POSITIVE_INFINITY;
    const next = Math.min(ai, bj);
    const term = (cross < 0 ? -cross : cross) * (next - cur);
    const t = sum + term;
    comp += sum >= term ? sum - t + term : term - t + sum;
    sum = t;
    cur = next;
  }
  const d = Math.max(maxI / na - maxJ / nb, minJ / nb - minI / na, 0);
  return { d, w: (sum + comp) / na / nb };
}
