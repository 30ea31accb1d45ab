/** Numbers in the sentences of verdicts and reasons. */

/**
 * A number for a sentence: at most 4 decimals, trailing zeros dropped (0.0029999 → "0.003").
 *
 * @example
 * ```ts
 * formatNumber(0.013 - 0.01); // "0.003"
 * ```
 */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const rounded = Math.round(x * 1e4) / 1e4;
  return rounded === 0 && x !== 0 ? x.toPrecision(2) : String(rounded);
}
