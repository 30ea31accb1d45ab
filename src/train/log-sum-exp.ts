/**
 * log Σⱼ exp(scale · values[offset + j]) for j < width, shifted by the maximum so that large logits
 * do not overflow: the softmax of a row is then exp(scale · zⱼ − logSumExp(…)), with no buffer.
 *
 * @example
 * ```ts
 * logSumExp(Float64Array.of(0, 0), 0, 2, 1); // Math.log(2)
 * logSumExp(Float64Array.of(1000, 1000), 0, 2, 0.5); // 500 + Math.log(2)
 * ```
 */
export function logSumExp(
  values: Float64Array | Float32Array,
  offset: number,
  width: number,
  scale: number,
): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < width; j++) {
    const v = scale * values[offset + j]!;
    if (v > max) max = v;
  }
  let sum = 0;
  for (let j = 0; j < width; j++) sum += Math.exp(scale * values[offset + j]! - max);
  return max + Math.log(sum);
}
