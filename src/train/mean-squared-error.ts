/**
 * Mean squared error for regression over a batch of outputs (row-major [rows, width]):
 * loss = (1/rows) · Σ_b w_b · (1/width) · Σ_j (o_bj − t_bj)², PyTorch's `MSELoss()` when unweighted.
 * When `grad` is given, ∂loss/∂o = 2 · w_b · (o − t) / (rows · width) is written into it.
 *
 * @example
 * ```ts
 * meanSquaredError(Float64Array.of(1, 3), 2, 1, Float64Array.of(0, 1)); // (1 + 4) / 2 = 2.5
 * ```
 */
export function meanSquaredError(
  outputs: Float64Array,
  rows: number,
  width: number,
  targets: Float64Array | Float32Array,
  weights?: Float64Array,
  grad?: Float64Array,
): number {
  let total = 0;
  const n = rows * width;
  for (let b = 0; b < rows; b++) {
    const w = weights === undefined ? 1 : weights[b]!;
    const off = b * width;
    let sum = 0;
    for (let j = 0; j < width; j++) {
      const d = outputs[off + j]! - targets[off + j]!;
      sum += d * d;
      if (grad !== undefined) grad[off + j] = (2 * w * d) / n;
    }
    total += w * sum;
  }
  return total / n;
}

/**
 * Distillation for regression: α · MSE(o, teacher) + (1 − α) · MSE(o, labels), each as in
 * {@link meanSquaredError}. There is no temperature: the teacher's outputs are already the soft targets.
 * The gradient is written into `grad` when given.
 *
 * @throws RangeError when α ∉ [0, 1]
 * @example
 * ```ts
 * // output 1, teacher 0, label 3, α = 0.5: 0.5 · 1 + 0.5 · 4 = 2.5
 * regressionDistillationLoss(Float64Array.of(1), 1, 1, Float64Array.of(0), Float64Array.of(3), 0.5);
 * ```
 */
export function regressionDistillationLoss(
  outputs: Float64Array,
  rows: number,
  width: number,
  teacherOutputs: Float64Array | Float32Array,
  targets: Float64Array | Float32Array,
  alpha: number,
  weights?: Float64Array,
  grad?: Float64Array,
): number {
  if (!(alpha >= 0 && alpha <= 1)) throw new RangeError(`alpha must be in [0, 1], got ${alpha}`);
  let total = 0;
  const n = rows * width;
  for (let b = 0; b < rows; b++) {
    const w = weights === undefined ? 1 : weights[b]!;
    const off = b * width;
    let sum = 0;
    for (let j = 0; j < width; j++) {
      const o = outputs[off + j]!;
      const dt = o - teacherOutputs[off + j]!;
      const dy = o - targets[off + j]!;
      sum += alpha * dt * dt + (1 - alpha) * dy * dy;
      if (grad !== undefined) grad[off + j] = (2 * w * (alpha * dt + (1 - alpha) * dy)) / n;
    }
    total += w * sum;
  }
  return total / n;
}
