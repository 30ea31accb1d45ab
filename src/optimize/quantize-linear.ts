/**
 * ONNX QuantizeLinear / DequantizeLinear on typed arrays, per tensor or per axis:
 * y = saturate(roundHalfToEven(x / scale) + zeroPoint), x' = (y − zeroPoint) · scale, and the fake-quant
 * round trip used to simulate an int8 model in float.
 */

import { axisLayout, type QuantType, roundHalfToEven } from "./quant-params.js";

/**
 * Quantization parameters of a tensor: one scale/zero point (per tensor) or one per index along `axis`
 * of `shape` (per axis).
 *
 * @example
 * ```ts
 * const perTensor: LinearQuantization = { type: "uint8", scale: 2, zeroPoint: 128 };
 * const perAxis: LinearQuantization = {
 *   type: "int8", scale: new Float32Array([0.1, 0.2]), zeroPoint: new Int32Array(2), axis: 0, shape: [2, 3],
 * };
 * ```
 */
export interface LinearQuantization {
  readonly type: QuantType;
  readonly scale: number | Float32Array;
  readonly zeroPoint: number | Int32Array;
  /** Required with per-axis scales. */
  readonly axis?: number;
  readonly shape?: readonly number[];
}

/**
 * Saturation bounds of ONNX QuantizeLinear for a type: int8 [−128, 127], uint8 [0, 255].
 *
 * @example
 * ```ts
 * saturationBounds("int8"); // { qmin: -128, qmax: 127 }
 * ```
 */
export function saturationBounds(type: QuantType): { qmin: number; qmax: number } {
  return type === "int8" ? { qmin: -128, qmax: 127 } : { qmin: 0, qmax: 255 };
}

/** Per-element scale and zero point lookup, as two arrays indexed by channel plus the channel of i. */
function layout(
  params: LinearQuantization,
  length: number,
): { scales: ArrayLike<number>; zeros: ArrayLike<number>; channel: (i: number) => number } {
  if (typeof params.scale === "number") {
    if (typeof params.zeroPoint !== "number")
      throw new TypeError("a per-tensor scale needs a per-tensor zero point");
    return { scales: [params.scale], zeros: [params.zeroPoint], channel: () => 0 };
  }
  if (params.axis === undefined || params.shape === undefined)
    throw new TypeError("per-axis scales need `axis` and `shape`");
  const { channels, inner } = axisLayout(params.shape, params.axis, length);
  const zeros = typeof params.zeroPoint === "number" ? new Int32Array(channels) : params.zeroPoint;
  if (params.scale.length !== channels || zeros.length !== channels)
    throw new RangeError(`expected ${channels} scales and zero points along axis ${params.axis}`);
  return { scales: params.scale, zeros, channel: (i) => Math.floor(i / inner) % channels };
}

/**
 * ONNX QuantizeLinear: x / scale in float32 (as the reference implementation divides float32 arrays),
 * rounded half to even, plus the zero point, saturated to the type's bounds. NaN, which the operator
 * leaves undefined for integer outputs, quantizes to the zero point here.
 *
 * @example
 * ```ts
 * // The ONNX operator's own example.
 * quantizeLinear(new Float32Array([0, 2, 3, 1000, -254, -1000]), { type: "uint8", scale: 2, zeroPoint: 128 });
 * // Uint8Array [128, 129, 130, 255, 1, 0]
 * ```
 */
export function quantizeLinear(x: ArrayLike<number>, params: LinearQuantization): Int8Array | Uint8Array {
  const { scales, zeros, channel } = layout(params, x.length);
  const { qmin, qmax } = saturationBounds(params.type);
  const out = params.type === "int8" ? new Int8Array(x.length) : new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const c = channel(i);
    const zero = zeros[c]!;
    // Division in float64 then rounded once to float32 equals float32 division (53 ≥ 2·24 + 2 bits).
    const q = roundHalfToEven(Math.fround(Math.fround(x[i]!) / Math.fround(scales[c]!))) + zero;
    out[i] = Number.isNaN(q) ? zero : q < qmin ? qmin : Math.min(q, qmax);
  }
  return out;
}

/**
 * ONNX DequantizeLinear: (y − zeroPoint) · scale, in float32.
 *
 * @example
 * ```ts
 * dequantizeLinear(new Uint8Array([128, 129, 255]), { type: "uint8", scale: 2, zeroPoint: 128 });
 * // Float32Array [0, 2, 254]
 * ```
 */
export function dequantizeLinear(y: Int8Array | Uint8Array, params: LinearQuantization): Float32Array {
  const { scales, zeros, channel } = layout(params, y.length);
  const out = new Float32Array(y.length);
  for (let i = 0; i < y.length; i++) {
    const c = channel(i);
    out[i] = (y[i]! - zeros[c]!) * Math.fround(scales[c]!);
  }
  return out;
}

/**
 * Fake quantization: dequantize(quantize(x)), the float tensor an int8 model effectively computes with
 * (QDQ semantics), to simulate quantization error without an integer runtime.
 *
 * @example
 * ```ts
 * fakeQuantize(new Float32Array([0.26, 3]), { type: "int8", scale: 0.1, zeroPoint: 0 });
 * // Float32Array [≈0.3, ≈3]  (0.26/0.1 = 2.6 → 3; 30 → 30)
 * ```
 */
export function fakeQuantize(x: ArrayLike<number>, params: LinearQuantization): Float32Array {
  return dequantizeLinear(quantizeLinear(x, params), params);
}
