import { logSumExp } from "./log-sum-exp.js";

/**
 * Softmax cross-entropy with hard labels over a batch of logits (row-major [rows, width]):
 * loss = (1/rows) · Σ_b w_b · (−log softmax(z_b)[y_b]), with w_b = 1 when `weights` is absent.
 * Importance weights scale each sample's term (a weight of 2 counts a sample twice, as scikit-learn's
 * `sample_weight` does) and the mean stays over `rows`, so unweighted it is PyTorch's
 * `CrossEntropyLoss()`. When `grad` is given, ∂loss/∂z = w_b/rows · (softmax(z_b) − onehot(y_b)) is
 * written into it.
 *
 * @throws RangeError when a label is outside [0, width)
 * @example
 * ```ts
 * // logits [0, 0], label 0: −log ½
 * softmaxCrossEntropy(Float64Array.of(0, 0), 1, 2, Int32Array.of(0)); // 0.6931…
 * ```
 */
export function softmaxCrossEntropy(
  logits: Float64Array,
  rows: number,
  width: number,
  labels: Int32Array,
  weights?: Float64Array,
  grad?: Float64Array,
): number {
  let total = 0;
  for (let b = 0; b < rows; b++) {
    const y = labels[b]!;
    if (!(y >= 0 && y < width)) throw new RangeError(`label ${y} outside [0, ${width})`);
    const off = b * width;
    const w = weights === undefined ? 1 : weights[b]!;
    const lse = logSumExp(logits, off, width, 1);
    total += w * (lse - logits[off + y]!);
    if (grad !== undefined) {
      const scale = w / rows;
      for (let j = 0; j < width; j++) grad[off + j] = scale * Math.exp(logits[off + j]! - lse);
      grad[off + y] = grad[off + y]! - scale;
    }
  }
  return total / rows;
}
