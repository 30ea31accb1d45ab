/**
 * Scale and zero point from a real range, with ONNX Runtime's semantics (`quant_utils.py`:
 * `get_qmin_qmax_for_qType` and `compute_scale_zp`), per tensor and per channel.
 */

/**
 * The 8-bit integer types of ONNX QuantizeLinear that we produce.
 *
 * @example
 * ```ts
 * const t: QuantType = "uint8";
 * ```
 */
export type QuantType = "int8" | "uint8";

/**
 * An integer range [qmin, qmax].
 *
 * @example
 * ```ts
 * const r: IntRange = { qmin: -127, qmax: 127 };
 * ```
 */
export interface IntRange {
  readonly qmin: number;
  readonly qmax: number;
}

/**
 * Options picking the integer range and the zero point rule.
 *
 * @example
 * ```ts
 * const weights: RangeOptions = { symmetric: true, reduceRange: true };
 * ```
 */
export interface RangeOptions {
  /** Symmetric range [−a, a] and zero point at the middle of the integer range. Default false. */
  readonly symmetric?: boolean;
  /**
   * 7-bit range (ORT's `reduce_range`): int8 [−64, 64], uint8 [0, 127]. Keeps u8×s8 pair sums inside
   * int16 on AVX2 without VNNI (VPMADDUBSW saturation). Default false.
   */
  readonly reduceRange?: boolean;
  /** ORT's `MinimumRealRange`: widen rmax so that rmax − rmin ≥ this. Default none. */
  readonly minRealRange?: number;
}

/**
 * The integer range ORT uses: reduced when `reduceRange` (int8 [−64, 64], uint8 [0, 127]), else
 * symmetric when `symmetric` (int8 [−127, 127], uint8 [0, 254]), else full (int8 [−128, 127], uint8 [0, 255]).
 *
 * @example
 * ```ts
 * quantRange("int8", { symmetric: true }); // { qmin: -127, qmax: 127 }
 * quantRange("int8", { reduceRange: true }); // { qmin: -64, qmax: 64 }
 * ```
 */
export function quantRange(type: QuantType, options: RangeOptions = {}): IntRange {
  if (options.reduceRange) return type === "int8" ? { qmin: -64, qmax: 64 } : { qmin: 0, qmax: 127 };
  if (options.symmetric) return type === "int8" ? { qmin: -127, qmax: 127 } : { qmin: 0, qmax: 254 };
  return type === "int8" ? { qmin: -128, qmax: 127 } : { qmin: 0, qmax: 255 };
}

/**
 * A per-tensor scale (a float32 value, as stored in the model) and zero point.
 *
 * @example
 * ```ts
 * const p: ScaleZeroPoint = { scale: 0.01, zeroPoint: 128 };
 * ```
 */
export interface ScaleZeroPoint {
  readonly scale: number;
  readonly zeroPoint: number;
}

const FLOAT32_TINY = 1.1754943508222875e-38;

/**
 * Round half to even (numpy's `round`, ONNX's QuantizeLinear rounding).
 *
 * @example
 * ```ts
 * [0.5, 1.5, 2.5, -0.5, -1.5].map(roundHalfToEven); // [0, 2, 2, -0, -2]
 * ```
 */
export function roundHalfToEven(x: number): number {
  const r = Math.round(x); // rounds halves up (towards +∞)
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * ORT's `compute_scale_zp`:
 * 1. rmin := min(rmin, 0), rmax := max(rmax, 0), so real 0 is exactly representable;
 * 2. with `minRealRange`, rmax := max(rmax, rmin + minRealRange);
 * 3. symmetric: a = max(|rmin|, |rmax|), range [−a, a];
 * 4. scale = (rmax − rmin)/(qmax − qmin), stored as float32; zero point round((qmin + qmax)/2) when
 *    symmetric (0 for int8), else round(qmin − rmin/scale) (half to even);
 * 5. a scale below float32's smallest normal becomes 1 with zero point 0.
 *
 * @example
 * ```ts
 * computeScaleZeroPoint(-1, 2, { qmin: 0, qmax: 255 }); // { scale: fround(3/255), zeroPoint: 85 }
 * computeScaleZeroPoint(-1, 2, { qmin: -127, qmax: 127 }, { symmetric: true }); // { scale: fround(4/254), zeroPoint: 0 }
 * ```
 */
export function computeScaleZeroPoint(
  rmin: number,
  rmax: number,
  range: IntRange,
  options: Pick<RangeOptions, "symmetric" | "minRealRange"> = {},
): ScaleZeroPoint {
  const { qmin, qmax } = range;
  if (qmin > 0 || qmax < 0 || qmin > qmax)
    throw new RangeError(`the integer range [${qmin}, ${qmax}] must contain 0`);
  if (!Number.isFinite(rmin) || !Number.isFinite(rmax))
    throw new RangeError(`the real range [${rmin}, ${rmax}] must be finite`);
  let lo = Math.min(rmin, 0);
  let hi = Math.max(rmax, 0);
  if (options.minRealRange !== undefined) hi = Math.max(hi, lo + options.minRealRange);
  if (options.symmetric) {
    const a = Math.max(Math.abs(lo), Math.abs(hi));
    lo = -a;
    hi = a;
  }
  const scale = (hi - lo) / (qmax - qmin);
  if (scale < FLOAT32_TINY) return { scale: 1, zeroPoint: 0 };
  if (options.symmetric) return { scale: Math.fround(scale), zeroPoint: roundHalfToEven((qmin + qmax) / 2) };
  return { scale: Math.fround(scale), zeroPoint: roundHalfToEven(qmin - lo / scale) };
}

/**
 * Scale and zero point of a real range for a type: {@link quantRange} then {@link computeScaleZeroPoint}.
 * ORT's defaults are asymmetric activations and symmetric weights.
 *
 * @example
 * ```ts
 * quantizationParams({ min: -1, max: 2 }, "uint8"); // { scale: fround(3/255), zeroPoint: 85 }
 * quantizationParams({ min: -0.5, max: 0.25 }, "int8", { symmetric: true }); // { scale: fround(1/254), zeroPoint: 0 }
 * ```
 */
export function quantizationParams(
  range: { readonly min: number; readonly max: number },
  type: QuantType,
  options: RangeOptions = {},
): ScaleZeroPoint {
  return computeScaleZeroPoint(range.min, range.max, quantRange(type, options), options);
}

/**
 * Per-channel parameters: one scale and zero point per index along `axis`.
 *
 * @example
 * ```ts
 * const p: ChannelParams = { axis: 0, scales: new Float32Array([0.1, 0.2]), zeroPoints: new Int32Array(2) };
 * ```
 */
export interface ChannelParams {
  readonly axis: number;
  readonly scales: Float32Array;
  readonly zeroPoints: Int32Array;
}

/**
 * Per-channel scales and zero points of a row-major tensor: the min and max of each slice along `axis`
 * (ORT: axis 0 for Conv weights; MatMul weights [in, out] use axis 1), each through
 * {@link computeScaleZeroPoint}.
 *
 * @example
 * ```ts
 * // A [2, 2] weight, per row: row 0 spans [-1, 1], row 1 [0, 0.5].
 * const w = new Float32Array([-1, 1, 0, 0.5]);
 * perChannelParams(w, [2, 2], 0, "int8", { symmetric: true });
 * // { axis: 0, scales: [1/127, 0.5/127] (float32), zeroPoints: [0, 0] }
 * ```
 */
export function perChannelParams(
  values: ArrayLike<number>,
  shape: readonly number[],
  axis: number,
  type: QuantType,
  options: RangeOptions = {},
): ChannelParams {
  const { channels, inner } = axisLayout(shape, axis, values.length);
  const lo = new Float64Array(channels).fill(Number.POSITIVE_INFINITY);
  const hi = new Float64Array(channels).fill(Number.NEGATIVE_INFINITY);
  for (let i = 0; i < values.length; i++) {
    const c = Math.floor(i / inner) % channels;
    const v = values[i]!;
    if (v < lo[c]!) lo[c] = v;
    if (v > hi[c]!) hi[c] = v;
  }
  const range = quantRange(type, options);
  const scales = new Float32Array(channels);
  const zeroPoints = new Int32Array(channels);
  for (let c = 0; c < channels; c++) {
    const empty = lo[c]! > hi[c]!;
    const p = computeScaleZeroPoint(empty ? 0 : lo[c]!, empty ? 0 : hi[c]!, range, options);
    scales[c] = p.scale;
    zeroPoints[c] = p.zeroPoint;
  }
  return { axis, scales, zeroPoints };
}

/**
 * The channel count along `axis` and the number of elements per step of it (the product of the later
 * dimensions), checking the shape against the element count.
 *
 * @example
 * ```ts
 * axisLayout([2, 3, 4], 1, 24); // { channels: 3, inner: 4 }
 * ```
 */
export function axisLayout(
  shape: readonly number[],
  axis: number,
  length: number,
): { channels: number; inner: number } {
  const a = axis < 0 ? shape.length + axis : axis;
  if (!Number.isInteger(a) || a < 0 || a >= shape.length)
    throw new RangeError(`axis ${axis} is outside a shape of rank ${shape.length}`);
  const size = shape.reduce((p, d) => p * d, 1);
  if (size !== length)
    throw new RangeError(`shape [${shape.join(", ")}] has ${size} elements, not ${length}`);
  let inner = 1;
  for (let d = a + 1; d < shape.length; d++) inner *= shape[d]!;
  return { channels: shape[a]!, inner };
}
