/**
 * Typed arrays as base64 of their little-endian bytes (standard alphabet, padded), for state stored
 * as JSON: exact for every value, NaN included. The sketches store float64 samples with it, the
 * trainer float32 weights and uint8 masks. Written out rather than through `Buffer` so the pure
 * layers stay free of Node APIs.
 */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const ENCODE = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));
const DECODE = (() => {
  const table = new Int16Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) table[ALPHABET.charCodeAt(i)] = i;
  return table;
})();
const PAD = 61; // "="
// Every platform Node runs on is little-endian; the byte swap keeps the format right elsewhere.
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
const ASCII = new TextDecoder();

function littleEndianBytes(values: Float32Array | Float64Array | Uint8Array): Uint8Array {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  if (LITTLE_ENDIAN || values.BYTES_PER_ELEMENT === 1) return bytes;
  return swapped(bytes, values.BYTES_PER_ELEMENT);
}

function swapped(bytes: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += size)
    for (let k = 0; k < size; k++) out[i + k] = bytes[i + size - 1 - k]!;
  return out;
}

function encode(bytes: Uint8Array): string {
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

function decode(text: string, size: number): Uint8Array {
  if (text.length % 4 !== 0) throw new RangeError("base64 text length must be a multiple of 4");
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  const n = (text.length / 4) * 3 - padding;
  if (n % size !== 0) throw new RangeError(`base64 text does not hold a whole number of ${size}-byte values`);
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
  return LITTLE_ENDIAN || size === 1 ? bytes : swapped(bytes, size);
}

/**
 * Encodes a Float32Array, Float64Array or Uint8Array as base64 of its little-endian bytes.
 *
 * @example
 * ```ts
 * typedToBase64(Float32Array.of(1)); // "AACAPw=="
 * ```
 */
export function typedToBase64(values: Float32Array | Float64Array | Uint8Array): string {
  return encode(littleEndianBytes(values));
}

/**
 * Decodes {@link typedToBase64}'s text as float32 values.
 *
 * @throws RangeError when `text` is not base64 of a whole number of float32 values
 * @example
 * ```ts
 * float32FromBase64("AACAPw=="); // Float32Array [1]
 * ```
 */
export function float32FromBase64(text: string): Float32Array {
  return new Float32Array(decode(text, 4).buffer);
}

/**
 * Decodes {@link typedToBase64}'s text as float64 values.
 *
 * @throws RangeError when `text` is not base64 of a whole number of float64 values
 * @example
 * ```ts
 * float64ArrayFromBase64("AAAAAAAA8D8="); // Float64Array [1]
 * ```
 */
export function float64ArrayFromBase64(text: string): Float64Array {
  return new Float64Array(decode(text, 8).buffer);
}

/**
 * Decodes {@link typedToBase64}'s text as bytes.
 *
 * @throws RangeError when `text` is not valid base64
 * @example
 * ```ts
 * uint8FromBase64("AQA="); // Uint8Array [1, 0]
 * ```
 */
export function uint8FromBase64(text: string): Uint8Array {
  return decode(text, 1);
}
