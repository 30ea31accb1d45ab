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
 * `numpy.searchsorted(edges, x, side="left")`). Since the values are sorted, each edge is one binary
 * search: O(bins · log n), not a pass over the data.
 *
 * @example
 * ```ts
 * binCountsSorted(new Float64Array([1, 2, 3]), new Float64Array([2])); // Float64Array [2, 1]
 * ```
 */
export function binCountsSorted(sorted: Float64Array, edges: ArrayLike<number>): Float64Array {
  const counts = new Float64Array(edges.length + 1);
  let previous = 0;
  for (let e = 0; e < edges.length; e++) {
    const upTo = countAtMost(sorted, edges[e]!);
    counts[e] = upTo - previous;
    previous = upTo;
  }
  counts[edges.length] = sorted.length - previous;
  return counts;
}

/**
 * How many of the ascending `sorted` values are ≤ `x` (`numpy.searchsorted(sorted, x, side="right")`).
 *
 * @example
 * ```ts
 * countAtMost(new Float64Array([1, 2, 2, 3]), 2); // 3
 * ```
 */
export function countAtMost(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
