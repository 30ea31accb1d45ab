import { quantileSorted } from "./quantile.js";

/**
 * Inner edges of `bins` equal-mass bins of the reference (its deciles for 10 bins), by numpy's linear
 * quantile. The outer edges are open (−∞ and +∞), so every current value lands in a bin. Fixing the
 * edges from the reference — not from the pooled data — keeps a statistic comparable across windows.
 *
 * @example
 * ```ts
 * referenceQuantileEdges(sortedReference, 10); // 9 edges: the 10th … 90th percentiles
 * ```
 */
export function referenceQuantileEdges(sortedReference: Float64Array, bins = 10): Float64Array {
  const edges = new Float64Array(bins - 1);
  for (let k = 1; k < bins; k++) edges[k - 1] = quantileSorted(sortedReference, k / bins);
  return edges;
}

/**
 * Counts of ascending `sorted` values in the bins delimited by `edges` (ascending, may repeat):
 * bin i holds the values x with edges[i−1] < x ≤ edges[i] (right-closed, like
 * `numpy.searchsorted(edges, x, side="left")`). One merge pass, since both inputs are sorted.
 *
 * @example
 * ```ts
 * binCountsSorted(new Float64Array([1, 2, 3]), new Float64Array([2])); // Float64Array [2, 1]
 * ```
 */
export function binCountsSorted(sorted: Float64Array, edges: Float64Array): Float64Array {
  const counts = new Float64Array(edges.length + 1);
  let bin = 0;
  const n = sorted.length;
  for (let i = 0; i < n; i++) {
    const x = sorted[i]!;
    while (bin < edges.length && x > edges[bin]!) bin++;
    counts[bin]!++;
  }
  return counts;
}
