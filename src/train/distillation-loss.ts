import { logSumExp } from "./log-sum-exp.js";

/**
 * The settings of Hinton et al.'s (2015) distillation loss.
 *
 * @example
 * ```ts
 * const settings: DistillationSettings = { temperature: 2, alpha: 0.5 };
 * ```
 */
export interface DistillationSettings {
  /** T: both teacher and student logits are divided by it for the soft term. Default 2. */
  readonly temperature: number;
  /** α: the weight of the soft (teacher) term; 1 − α weighs the hard labels. Default 0.5. */
  readonly alpha: number;
}

/** T = 2 (the default) and α = 0.5 (Intel Neural Compressor's default, soft and hard equal). */
export const DEFAULT_DISTILLATION: DistillationSettings = { temperature: 2, alpha: 0.5 };

/**
 * Knowledge-distillation loss over a batch (Hinton, Vinyals & Dean 2015), per sample
 *
 *   ℓ = α · T² · KL(softmax(t/T) ‖ softmax(s/T)) + (1 − α) · CE(softmax(s), y)
 *
 * with s the student's logits, t the teacher's, y the hard label; the batch loss is
 * (1/rows) · Σ_b w_b · ℓ_b. The soft term's gradient is T · (softmax(s/T) − softmax(t/T)), which
 * shrinks as 1/T² relative to its value; the T² factor keeps the two terms' balance when T changes.
 * KL and the soft cross-entropy differ by the teacher's entropy, a constant, so their gradients agree;
 * KL is reported because it is 0 when the student matches the teacher. When `grad` is given,
 * ∂loss/∂s is written into it.
 *
 * @throws RangeError when a label is outside [0, width) or T ≤ 0 or α ∉ [0, 1]
 * @example
 * ```ts
 * // 2 classes, student [0, 0] = teacher [0, 0], label 0, T = 2, α = 0.5: KL = 0, CE = log 2
 * distillationLoss(Float64Array.of(0, 0), 1, 2, Float64Array.of(0, 0), Int32Array.of(0), DEFAULT_DISTILLATION);
 * // 0.5 · log 2 = 0.3466
 * ```
 */
export function distillationLoss(
  logits: Float64Array,
  rows: number,
  width: number,
  teacherLogits: Float64Array | Float32Array,
  labels: Int32Array,
  settings: DistillationSettings,
  weights?: Float64Array,
  grad?: Float64Array,
): number {
  const { temperature: T, alpha } = settings;
  if (!(T > 0)) throw new RangeError(`temperature must be > 0, got ${T}`);
  if (!(alpha >= 0 && alpha <= 1)) throw new RangeError(`alpha must be in [0, 1], got ${alpha}`);
  const invT = 1 / T;
  let total = 0;
  for (let b = 0; b < rows; b++) {
    const y = labels[b]!;
    if (!(y >= 0 && y < width)) throw new RangeError(`label ${y} outside [0, ${width})`);
    const off = b * width;
    const w = weights === undefined ? 1 : weights[b]!;
    const lseTeacher = logSumExp(teacherLogits, off, width, invT);
    const lseSoft = logSumExp(logits, off, width, invT);
    const lseHard = logSumExp(logits, off, width, 1);
    let kl = 0;
    for (let j = 0; j < width; j++) {
      const logP = invT * teacherLogits[off + j]! - lseTeacher;
      const p = Math.exp(logP);
      // 0 · log 0 = 0: a teacher probability that underflows contributes nothing.
      if (p > 0) kl += p * (logP - (invT * logits[off + j]! - lseSoft));
    }
    const ce = lseHard - logits[off + y]!;
    total += w * (alpha * T * T * kl + (1 - alpha) * ce);
    if (grad !== undefined) {
      const scale = w / rows;
      for (let j = 0; j < width; j++) {
        const s = logits[off + j]!;
        const q = Math.exp(invT * s - lseSoft);
        const p = Math.exp(invT * teacherLogits[off + j]! - lseTeacher);
        const r = Math.exp(s - lseHard);
        grad[off + j] = scale * (alpha * T * (q - p) + (1 - alpha) * (r - (j === y ? 1 : 0)));
      }
    }
  }
  return total / rows;
}
