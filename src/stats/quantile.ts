/**
 * The q-quantile of ascending `sorted` values by linear interpolation between order statistics —
 * numpy's default (`method="linear"`, Hyndman–Fan type 7), so figures match what Python users see.
 *
 * @example
 * ```ts
 * quantileSorted(new Float64Array([1, 2, 3, 4]), 0.5); // 2.5
 * ```
 */
export function quantileSorted(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const position = q * (n - 1);
  const lo = Math.floor(position);
  const hi = Math.min(lo + 1, n - 1);
  const fraction = position - lo;
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  // numpy's _lerp form: exact at both ends, monotone in q.
  const diff = b - a;
  return fraction >= 0.5 ? b - diff * (1 - fraction) : a + diff * fraction;
}
