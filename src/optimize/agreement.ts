/**
 * Agreement between a float32 reference output and an int8 (or any candidate) output of the same inputs:
 * the correctness gate that catches, among others, the U8S8 saturation of AVX2 machines without VNNI.
 */

import { formatNumber } from "./format-number.js";

/**
 * Error measures between two outputs of equal length.
 *
 * @example
 * ```ts
 * const m: OutputAgreement = { n: 4, relativeRmse: 0.02, maxAbsError: 0.05, top1Agreement: 1, rows: 2 };
 * ```
 */
export interface OutputAgreement {
  /** Values compared. */
  readonly n: number;
  /** ‖candidate − reference‖₂ / ‖reference‖₂ (RMSE over the reference's RMS); ∞ when the reference is all 0 and they differ. */
  readonly relativeRmse: number;
  /** max |candidate − reference|. */
  readonly maxAbsError: number;
  /** Share of rows whose argmax matches (first maximum on ties); null without `classes`. */
  readonly top1Agreement: number | null;
  /** Rows compared for top-1 (n / classes); 0 without `classes`. */
  readonly rows: number;
}

/**
 * Compares outputs. With `classes`, the arrays are rows of that many scores (logits or probabilities)
 * and top-1 agreement is measured too.
 *
 * @example
 * ```ts
 * compareOutputs(new Float32Array([1, 0, 0, 1]), new Float32Array([0.9, 0.1, 0.2, 0.8]), { classes: 2 });
 * // { n: 4, relativeRmse: √(0.1)/√2 ≈ 0.2236, maxAbsError: ≈0.2, top1Agreement: 1, rows: 2 }
 * ```
 */
export function compareOutputs(
  reference: ArrayLike<number>,
  candidate: ArrayLike<number>,
  options: { readonly classes?: number } = {},
): OutputAgreement {
  const n = reference.length;
  if (candidate.length !== n) throw new RangeError(`lengths differ: ${n} and ${candidate.length}`);
  let errorSquares = 0;
  let referenceSquares = 0;
  let maxAbs = 0;
  for (let i = 0; i < n; i++) {
    const r = reference[i]!;
    const d = candidate[i]! - r;
    errorSquares += d * d;
    referenceSquares += r * r;
    const a = Math.abs(d);
    // NaN must not hide: a NaN difference makes the maximum NaN.
    if (a > maxAbs || Number.isNaN(a)) maxAbs = a;
  }
  const relativeRmse =
    referenceSquares > 0
      ? Math.sqrt(errorSquares / referenceSquares)
      : errorSquares === 0
        ? 0
        : Number.POSITIVE_INFINITY;
  const classes = options.classes;
  if (classes === undefined) return { n, relativeRmse, maxAbsError: maxAbs, top1Agreement: null, rows: 0 };
  if (!Number.isInteger(classes) || classes < 1 || n % classes !== 0)
    throw new RangeError(`${n} values do not split into rows of ${classes} classes`);
  const rows = n / classes;
  let same = 0;
  for (let row = 0; row < rows; row++) {
    if (argmax(reference, row * classes, classes) === argmax(candidate, row * classes, classes)) same++;
  }
  return { n, relativeRmse, maxAbsError: maxAbs, top1Agreement: rows > 0 ? same / rows : 1, rows };
}

function argmax(values: ArrayLike<number>, offset: number, length: number): number {
  let best = 0;
  let bestValue = values[offset]!;
  for (let j = 1; j < length; j++) {
    const v = values[offset + j]!;
    if (v > bestValue) {
      best = j;
      bestValue = v;
    }
  }
  return best;
}

/**
 * Limits for {@link agreementVerdict}.
 *
 * @example
 * ```ts
 * const strict: AgreementLimits = { maxRelativeRmse: 0.01, minTop1Agreement: 0.999 };
 * ```
 */
export interface AgreementLimits {
  /** Default {@link DEFAULT_AGREEMENT_LIMITS}.maxRelativeRmse (0.1). */
  readonly maxRelativeRmse?: number;
  /** Default 0.99; checked only when top-1 agreement was measured. */
  readonly minTop1Agreement?: number;
  /** Default none (reported, not checked: its scale is the model's). */
  readonly maxAbsError?: number;
}

/**
 * The default agreement limits: relative RMSE ≤ 0.1 and top-1 agreement ≥ 0.99. They are a judgement,
 * not a published standard: int8 models that work typically sit well below 0.1 relative output error,
 * while saturation showed 3.84 (docs/optimization.md). Against a fake-quant simulation of the same model,
 * rather than against fp32, use much tighter limits (e.g. 0.01).
 *
 * @example
 * ```ts
 * DEFAULT_AGREEMENT_LIMITS.maxRelativeRmse; // 0.1
 * ```
 */
export const DEFAULT_AGREEMENT_LIMITS = { maxRelativeRmse: 0.1, minTop1Agreement: 0.99 } as const;

/**
 * Whether a candidate agrees with the reference within stated limits, with one reason per failed limit.
 *
 * @example
 * ```ts
 * agreementVerdict({ n: 10, relativeRmse: 3.84, maxAbsError: 9, top1Agreement: 0.4, rows: 5 });
 * // { agrees: false, reasons: ["relative RMSE 3.84 > limit 0.1", "top-1 agreement 40.0% < required 99.0%"] }
 * ```
 */
export function agreementVerdict(
  measured: OutputAgreement,
  limits: AgreementLimits = {},
): { agrees: boolean; reasons: string[] } {
  const maxRelativeRmse = limits.maxRelativeRmse ?? DEFAULT_AGREEMENT_LIMITS.maxRelativeRmse;
  const minTop1 = limits.minTop1Agreement ?? DEFAULT_AGREEMENT_LIMITS.minTop1Agreement;
  const reasons: string[] = [];
  if (!(measured.relativeRmse <= maxRelativeRmse))
    reasons.push(
      `relative RMSE ${formatNumber(measured.relativeRmse)} > limit ${formatNumber(maxRelativeRmse)}`,
    );
  if (measured.top1Agreement !== null && !(measured.top1Agreement >= minTop1))
    reasons.push(
      `top-1 agreement ${(measured.top1Agreement * 100).toFixed(1)}% < required ${(minTop1 * 100).toFixed(1)}%`,
    );
  if (limits.maxAbsError !== undefined && !(measured.maxAbsError <= limits.maxAbsError))
    reasons.push(
      `max abs error ${formatNumber(measured.maxAbsError)} > limit ${formatNumber(limits.maxAbsError)}`,
    );
  return { agrees: reasons.length === 0, reasons };
}
