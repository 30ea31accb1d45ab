import { float64ArrayFromBase64, typedToBase64 } from "../stats/index.js";

/**
 * Encodes `values` as base64 of their little-endian bytes (stats' typed-array encoding: exact for
 * every value, NaN included, about 10.7 characters per number).
 *
 * @example
 * ```ts
 * float64ToBase64(Float64Array.of(1)); // "AAAAAAAA8D8="
 * ```
 */
export function float64ToBase64(values: Float64Array): string {
  return typedToBase64(values);
}

/**
 * Decodes {@link float64ToBase64}'s text.
 *
 * @throws RangeError when `text` is not base64 of a whole number of float64 values
 * @example
 * ```ts
 * float64FromBase64("AAAAAAAA8D8="); // Float64Array [1]
 * ```
 */
export function float64FromBase64(text: string): Float64Array {
  return float64ArrayFromBase64(text);
}
