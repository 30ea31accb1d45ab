/** Orderings of importance vectors, shared by permutation importance and attribution drift. */

/**
 * Indices of `values` from the largest to the smallest; ties (and NaN, placed last) keep index order.
 *
 * @example
 * ```ts
 * rankDescending([0.1, 0.5, 0.1]); // [1, 0, 2]
 * ```
 */
export function rankDescending(values: ArrayLike<number>): number[] {
  const key = (i: number): number => (Number.isNaN(values[i]!) ? Number.NEGATIVE_INFINITY : values[i]!);
  return Array.from({ length: values.length }, (_, i) => i).sort((a, b) => key(b) - key(a) || a - b);
}

/**
 * 1-based ranks in ascending order of value, tied values sharing their average rank (scipy's
 * `rankdata(method="average")`).
 *
 * @example
 * ```ts
 * averageRanks([10, 30, 10]); // Float64Array [1.5, 3, 1.5]
 * ```
 */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => values[i]! - values[j]!);
  const ranks = new Float64Array(n);
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && values[order[end]!] === values[order[start]!]) end++;
    for (let i = start; i < end; i++) ranks[order[i]!] = (start + 1 + end) / 2;
    start = end;
  }
  return ranks;
}
