/**
 * Sorting of numeric columns. Every drift statistic is derived from sorted samples, so this is the
 * one place where the engine spends O(n log n) — or, here, O(n): an LSD radix sort on the IEEE-754
 * bit patterns, which beats V8's comparison sort by about 3× on a million doubles (see
 * docs/benchmarks.md).
 */

const RADIX_BITS = 16;
const BUCKETS = 1 << RADIX_BITS;
/** Below this size the native sort wins: the radix sort's four histogram passes cost more. */
const RADIX_MIN = 2048;

/**
 * The values of `column` that are not NaN, sorted ascending, in a new array; NaN marks a missing
 * value throughout TikTokToe. `-0` and `0` compare equal everywhere downstream, so their relative
 * order does not matter.
 *
 * @example
 * ```ts
 * sortedFinite(new Float64Array([3, Number.NaN, -1, 2])); // Float64Array [-1, 2, 3]
 * ```
 */
export function sortedFinite(column: Float64Array): Float64Array {
  let count = 0;
  for (let i = 0; i < column.length; i++) if (!Number.isNaN(column[i]!)) count++;
  const out = new Float64Array(count);
  let k = 0;
  for (let i = 0; i < column.length; i++) {
    const v = column[i]!;
    if (!Number.isNaN(v)) out[k++] = v;
  }
  return sortInPlace(out);
}

/**
 * Sorts `values` (no NaN) ascending in place and returns it.
 *
 * @example
 * ```ts
 * sortInPlace(new Float64Array([2, -1, 0.5])); // Float64Array [-1, 0.5, 2]
 * ```
 */
export function sortInPlace(values: Float64Array): Float64Array {
  if (values.length < RADIX_MIN) return values.sort();
  radixSort(values);
  return values;
}

function radixSort(values: Float64Array): void {
  const n = values.length;
  // Work on the bit patterns as two 32-bit halves (little-endian: lo at even indices), mapped so that
  // unsigned order equals numeric order: negatives flip every bit, positives flip the sign bit.
  const words = new Uint32Array(values.buffer, values.byteOffset, n * 2);
  for (let i = 0; i < n; i++) {
    const hi = words[2 * i + 1]!;
    if (hi & 0x80000000) {
      words[2 * i] = ~words[2 * i]! >>> 0;
      words[2 * i + 1] = ~hi >>> 0;
    } else {
      words[2 * i + 1] = (hi | 0x80000000) >>> 0;
    }
  }
  // One pass counts all four 16-bit digits, then four scatter passes ping-pong between buffers.
  const counts = new Uint32Array(4 * BUCKETS);
  for (let i = 0; i < n; i++) {
    const lo = words[2 * i]!;
    const hi = words[2 * i + 1]!;
    counts[lo & 0xffff]!++;
    counts[BUCKETS + (lo >>> 16)]!++;
    counts[2 * BUCKETS + (hi & 0xffff)]!++;
    counts[3 * BUCKETS + (hi >>> 16)]!++;
  }
  const scratch = new Uint32Array(n * 2);
  let src: Uint32Array = words;
  let dst: Uint32Array = scratch;
  for (let pass = 0; pass < 4; pass++) {
    const base = pass * BUCKETS;
    // A digit that is the same for every value leaves the order unchanged: skip its pass.
    let skip = false;
    let sum = 0;
    for (let b = 0; b < BUCKETS; b++) {
      const c = counts[base + b]!;
      if (c === n) skip = true;
      counts[base + b] = sum;
      sum += c;
    }
    if (skip) continue;
    const word = pass < 2 ? 0 : 1;
    const shift = pass % 2 === 0 ? 0 : 16;
    for (let i = 0; i < n; i++) {
      const lo = src[2 * i]!;
      const hi = src[2 * i + 1]!;
      const digit = ((word === 0 ? lo : hi) >>> shift) & 0xffff;
      const at = counts[base + digit]!++;
      dst[2 * at] = lo;
      dst[2 * at + 1] = hi;
    }
    const t = src;
    src = dst;
    dst = t;
  }
  if (src !== words) words.set(src);
  for (let i = 0; i < n; i++) {
    const hi = words[2 * i + 1]!;
    if (hi & 0x80000000) {
      words[2 * i + 1] = (hi & 0x7fffffff) >>> 0;
    } else {
      words[2 * i] = ~words[2 * i]! >>> 0;
      words[2 * i + 1] = ~hi >>> 0;
    }
  }
}
