/**
 * Float64 arrays as base64 text (little-endian IEEE 754, standard alphabet with padding) for sketches
 * stored as JSON: exact for every value, NaN included, about 10.7 characters per number. Written out
 * here rather than through `Buffer` so the sketches stay free of Node APIs.
 */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const ENCODE = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));
const DECODE = (() => {
  const table = new Int16Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) table[ALPHABET.charCodeAt(i)] = i;
  return table;
})();
const PAD = 61; // "="
// Every platform Node runs on is little-endian; the DataView paths keep the format right elsewhere.
const LITTLE_ENDIAN = new Uint8Array(Float64Array.of(1).buffer)[7] === 0x3f;
const ASCII = new TextDecoder();

/**
 * Encodes `values` as base64 of their little-endian bytes.
 *
 * @example
 * ```ts
 * float64ToBase64(Float64Array.of(1)); // "AAAAAAAA8D8="
 * ```
 */
export function float64ToBase64(values: Float64Array): string {
  let bytes: Uint8Array;
  if (LITTLE_ENDIAN) {
    bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  } else {
    bytes = new Uint8Array(values.length * 8);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat64(i * 8, values[i]!, true);
  }
  const n = bytes.length;
  const out = new Uint8Array(Math.ceil(n / 3) * 4);
  let o = 0;
  let i = 0;
  for (; i + 2 < n; i += 3) {
    const t = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out[o++] = ENCODE[t >>> 18]!;
    out[o++] = ENCODE[(t >>> 12) & 63]!;
    out[o++] = ENCODE[(t >>> 6) & 63]!;
    out[o++] = ENCODE[t & 63]!;
  }
  if (i < n) {
    const t = (bytes[i]! << 16) | (i + 1 < n ? bytes[i + 1]! << 8 : 0);
    out[o++] = ENCODE[t >>> 18]!;
    out[o++] = ENCODE[(t >>> 12) & 63]!;
    out[o++] = i + 1 < n ? ENCODE[(t >>> 6) & 63]! : PAD;
    out[o++] = PAD;
  }
  return ASCII.decode(out);
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
  if (text.length % 4 !== 0) throw new RangeError("base64 text length must be a multiple of 4");
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  const n = (text.length / 4) * 3 - padding;
  if (n % 8 !== 0) throw new RangeError("base64 text does not hold a whole number of float64 values");
  const bytes = new Uint8Array(n);
  const sextet = (at: number): number => {
    const code = text.charCodeAt(at);
    const v = code < 128 ? DECODE[code]! : -1;
    if (v < 0) throw new RangeError(`invalid base64 character at ${at}`);
    return v;
  };
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    const last = i + 4 === text.length;
    const c = last && padding === 2 ? 0 : sextet(i + 2);
    const d = last && padding >= 1 ? 0 : sextet(i + 3);
    const t = (sextet(i) << 18) | (sextet(i + 1) << 12) | (c << 6) | d;
    bytes[o++] = t >>> 16;
    if (o < n) bytes[o++] = (t >>> 8) & 255;
    if (o < n) bytes[o++] = t & 255;
  }
  if (LITTLE_ENDIAN) return new Float64Array(bytes.buffer);
  const view = new DataView(bytes.buffer);
  const values = new Float64Array(n / 8);
  for (let i = 0; i < values.length; i++) values[i] = view.getFloat64(i * 8, true);
  return values;
}
