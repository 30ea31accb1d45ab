/**
 * Exact decimal-number parsing straight from bytes, so that numeric CSV cells never become strings.
 */

const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const LOWER_E = 0x65;
const SPACE = 0x20;
const TAB = 0x09;

/** 2^53: below it every integer is a double, so a mantissa accumulated below it is exact. */
const TWO_53 = 9007199254740992;

/** 10^0 … 10^22: every one is exactly representable, which is what makes Clinger's fast path exact. */
const POWERS_OF_TEN = new Float64Array([
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
  1e20, 1e21, 1e22,
]);

// Tokens reaching the slow path are validated ASCII, for which latin1 decoding is the identity.
const asciiDecoder = new TextDecoder("latin1");

/**
 * {@link parseDecimal} for hot loops: writes the number to `out[index]` and returns true, or returns
 * false (leaving `out` alone) when `buf[start, end)` is not a finite decimal number. Writing into a
 * typed array instead of returning a double spares V8 a heap-number allocation per call when the
 * function is not inlined, which otherwise dominates garbage collection on numeric files.
 *
 * @example
 * ```ts
 * const values = new Float64Array(1);
 * parseDecimalInto(new TextEncoder().encode("2.5E+3"), 0, 6, values, 0); // true; values[0] === 2500
 * ```
 */
export function parseDecimalInto(
  buf: Uint8Array,
  start: number,
  end: number,
  out: Float64Array,
  index: number,
): boolean {
  let i = start;
  let j = end;
  while (i < j && (buf[i] === SPACE || buf[i] === TAB)) i++;
  while (j > i && (buf[j - 1] === SPACE || buf[j - 1] === TAB)) j--;
  if (i === j) return false;
  const tokenStart = i;
  let negative = false;
  const sign = buf[i]!;
  if (sign === MINUS) {
    negative = true;
    i++;
  } else if (sign === PLUS) {
    i++;
  }
  let mantissa = 0;
  const integerStart = i;
  while (i < j) {
    const digit = buf[i]! - 48;
    if (digit < 0 || digit > 9) break;
    mantissa = mantissa * 10 + digit;
    i++;
  }
  let digits = i - integerStart;
  let scale = 0;
  if (i < j && buf[i] === DOT) {
    i++;
    const fractionStart = i;
    while (i < j) {
      const digit = buf[i]! - 48;
      if (digit < 0 || digit > 9) break;
      mantissa = mantissa * 10 + digit;
      i++;
    }
    scale = i - fractionStart;
    digits += scale;
  }
  if (digits === 0) return false;
  let exponent = 0;
  if (i < j && (buf[i]! | 0x20) === LOWER_E) {
    i++;
    let exponentNegative = false;
    if (i < j && (buf[i] === MINUS || buf[i] === PLUS)) {
      exponentNegative = buf[i] === MINUS;
      i++;
    }
    const exponentStart = i;
    while (i < j) {
      const digit = buf[i]! - 48;
      if (digit < 0 || digit > 9) break;
      // Saturate: beyond 1e8 the value is 0 or Infinity anyway, and the slow path decides which.
      if (exponent < 100_000_000) exponent = exponent * 10 + digit;
      i++;
    }
    if (i === exponentStart) return false;
    if (exponentNegative) exponent = -exponent;
  }
  if (i !== j) return false;
  if (mantissa === 0) {
    out[index] = negative ? -0 : 0;
    return true;
  }
  const power = exponent - scale;
  // Strictly below 2^53: rounding is monotone, so a computed mantissa below 2^53 proves that every
  // partial sum was exact (an exact 2^53 + 1 could round down to 2^53, hence not `<=`).
  if (mantissa < TWO_53 && power >= -22 && power <= 22) {
    const value = power < 0 ? mantissa / POWERS_OF_TEN[-power]! : mantissa * POWERS_OF_TEN[power]!;
    out[index] = negative ? -value : value;
    return true;
  }
  const value = Number(asciiDecoder.decode(buf.subarray(tokenStart, j)));
  if (!Number.isFinite(value)) return false;
  out[index] = value;
  return true;
}

const scratch = new Float64Array(1);

/**
 * Parses the bytes `buf[start, end)` as a decimal number and returns exactly what `Number(text)`
 * would (correctly rounded, `-0` kept), or `NaN` when the bytes are not a finite decimal number.
 *
 * Accepted: optional spaces/tabs around the token, an optional `+`/`-` sign, digits with an optional
 * `.` (`.5` and `5.` are fine), and an optional exponent (`1e-5`, `2.5E+3`). Rejected (NaN): an empty
 * token, `inf`/`Infinity`/`NaN`, hex/binary/octal literals, digit separators, and values that overflow
 * to ±Infinity such as `1e400` (underflow to 0 or a subnormal is a finite value and is accepted).
 *
 * Most values take Clinger's fast path (mantissa below 2^53 and a power of ten within ±22: one exact
 * IEEE operation); the rest fall back to `Number()` on the decoded token, so the result is always exact.
 *
 * @example
 * ```ts
 * const bytes = new TextEncoder().encode("x,-12.25e1,y");
 * parseDecimal(bytes, 2, 10); // -122.5
 * parseDecimal(bytes, 0, 1); // NaN: "x" is not a number
 * ```
 */
export function parseDecimal(buf: Uint8Array, start: number, end: number): number {
  return parseDecimalInto(buf, start, end, scratch, 0) ? scratch[0]! : Number.NaN;
}

/**
 * The common case of {@link parseDecimalInto}, fused with finding the end of a CSV field: parses a
 * plain decimal (optional `-`/`+`, digits, optional `.` and digits; no spaces, no exponent, under
 * 2^53 with at most 22 decimals) starting exactly at `start`, writes it to `out[index]`, and returns
 * the index of the first byte after it — or -1 when the token is not such a number, in which case
 * the caller takes the general path. The caller checks that the returned byte ends the field.
 *
 * @example
 * ```ts
 * const values = new Float64Array(1);
 * scanPlainDecimal(new TextEncoder().encode("-12.25,x"), 0, 8, values, 0); // 6; values[0] === -12.25
 * ```
 */
export function scanPlainDecimal(
  buf: Uint8Array,
  start: number,
  end: number,
  out: Float64Array,
  index: number,
): number {
  let i = start;
  let negative = false;
  if (i < end) {
    const sign = buf[i]!;
    if (sign === MINUS) {
      negative = true;
      i++;
    } else if (sign === PLUS) {
      i++;
    }
  }
  let mantissa = 0;
  const integerStart = i;
  while (i < end) {
    const digit = buf[i]! - 48;
    if (digit < 0 || digit > 9) break;
    mantissa = mantissa * 10 + digit;
    i++;
  }
  let digits = i - integerStart;
  let scale = 0;
  if (i < end && buf[i] === DOT) {
    i++;
    const fractionStart = i;
    while (i < end) {
      const digit = buf[i]! - 48;
      if (digit < 0 || digit > 9) break;
      mantissa = mantissa * 10 + digit;
      i++;
    }
    scale = i - fractionStart;
    digits += scale;
  }
  if (digits === 0 || mantissa >= TWO_53 || scale > 22) return -1;
  const value = scale === 0 ? mantissa : mantissa / POWERS_OF_TEN[scale]!;
  out[index] = negative ? -value : value;
  return i;
}
