/**
 * Sorting of numeric columns. Every drift statistic is derived from sorted samples, so sorting is
 * most of a drift run's arithmetic. This is a radix sort on the upper 32 bits of each double (two
 * stable 16-bit passes), then a fix-up pass that orders each run of values sharing those bits:
 * on a million doubles about 4× faster than V8's `Float64Array.prototype.sort` (docs/benchmarks.md).
 * When the native addon is installed (./kernels.ts) the same algorithm runs compiled, with the same
 * result bit for bit.
 */
import { installedNativeKernels, type NativeKernels } from "./kernels.js";

/** Below this size V8's built-in sort wins: the histograms cost more than they save. */
const RADIX_MIN = 4096;
/** Runs of equal upper bits up to this length are put in order by insertion. */
const INSERTION_MAX = 16;

// Scratch space reused across calls (one copy per thread): a fresh 8 MB buffer per column costs page
// faults and zeroing comparable to a whole radix pass.
let scratch = new Float64Array(0);
const counts = new Uint32Array(2 * 65536);

/**
 * The values of `column` that are not NaN, sorted ascending, in a new array; NaN marks a missing
 * value throughout TikTokToe. `-0` sorts before `0`; they compare equal everywhere downstream.
 * Pass `hasNaN: false` when the caller knows there is no NaN (the data layer counts missing values):
 * that saves a copy of the data. Pass `into` (at least as long as `column`) to receive a view of it
 * instead of a new array: a worker sorting column after column then reuses the same memory.
 * `kernels` picks the implementation of large sorts: the installed native kernels by default, `null`
 * for the JavaScript one; the result is the same.
 *
 * @example
 * ```ts
 * sortedFinite(new Float64Array([3, Number.NaN, -1, 2])); // Float64Array [-1, 2, 3]
 * ```
 */
export function sortedFinite(
  column: Float64Array,
  hasNaN = true,
  into?: Float64Array,
  kernels: NativeKernels | null = installedNativeKernels(),
): Float64Array {
  const n = column.length;
  if (n < RADIX_MIN) {
    const small = column.filter((v) => !Number.isNaN(v)).sort();
    if (into === undefined) return small;
    into.set(small);
    return into.subarray(0, small.length);
  }
  if (kernels !== null) {
    const target = into ?? new Float64Array(n);
    const k = kernels.sortFinite(column, hasNaN, target);
    if (into !== undefined) return into.subarray(0, k);
    return k === n ? target : target.slice(0, k);
  }
  if (scratch.length < n) scratch = new Float64Array(n);
  const temp = scratch;
  const words = new Uint32Array(column.buffer, column.byteOffset, 2 * n);
  counts.fill(0);
  // Pass 1: count both 16-bit digits of the order-preserving key of each value's upper word
  // (negatives flip every bit, positives flip the sign bit; branch-free, since signs are random),
  // and drop NaN into `temp` when there may be some.
  let k = 0;
  if (hasNaN) {
    for (let i = 0; i < n; i++) {
      const v = column[i]!;
      if (Number.isNaN(v)) continue;
      temp[k++] = v;
      const hi = words[2 * i + 1]!;
      const key = (hi ^ ((hi >> 31) | 0x80000000)) >>> 0;
      counts[key & 0xffff]!++;
      counts[65536 + (key >>> 16)]!++;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const hi = words[2 * i + 1]!;
      const key = (hi ^ ((hi >> 31) | 0x80000000)) >>> 0;
      counts[key & 0xffff]!++;
      counts[65536 + (key >>> 16)]!++;
    }
    k = n;
  }
  const out = into === undefined ? new Float64Array(k) : into.subarray(0, k);
  let low = 0;
  let high = 0;
  let skipLow = false;
  let skipHigh = false;
  for (let b = 0; b < 65536; b++) {
    const cl = counts[b]!;
    const ch = counts[65536 + b]!;
    // A digit shared by every value leaves the order unchanged: its pass is skipped.
    if (cl === k) skipLow = true;
    if (ch === k) skipHigh = true;
    counts[b] = low;
    counts[65536 + b] = high;
    low += cl;
    high += ch;
  }
  // Two stable scatter passes, by the key's low then high 16 bits, ending in `out`:
  // source → temp → out when there was no copy, temp → out → temp → out (a plain copy) otherwise.
  const source = hasNaN ? temp : column;
  if (hasNaN) {
    scatter(source, out, 0, skipLow);
    scatter(out, temp, 65536, skipHigh);
    out.set(temp.subarray(0, k));
  } else {
    scatter(source, temp, 0, skipLow);
    scatter(temp, out, 65536, skipHigh);
  }
  // Values sharing their upper word are adjacent now; order each such run in place.
  const outWords = new Uint32Array(out.buffer, out.byteOffset, 2 * k);
  let start = 0;
  while (start < k) {
    const hi = outWords[2 * start + 1]!;
    let end = start + 1;
    while (end < k && outWords[2 * end + 1] === hi) end++;
    if (end - start > 1) sortRun(out, start, end);
    start = end;
  }
  return out;
}

/** One stable counting-sort pass of `k = to.length` values by a 16-bit digit of their key. */
function scatter(from: Float64Array, to: Float64Array, base: number, skip: boolean): void {
  const k = Math.min(to.length, from.length);
  if (skip) {
    to.set(from.subarray(0, k));
    return;
  }
  const fromWords = new Uint32Array(from.buffer, from.byteOffset, 2 * k);
  if (base === 0)
    for (let i = 0; i < k; i++) {
      const hi = fromWords[2 * i + 1]!;
      to[counts[(hi ^ ((hi >> 31) | 0x80000000)) & 0xffff]!++] = from[i]!;
    }
  else
    for (let i = 0; i < k; i++) {
      const hi = fromWords[2 * i + 1]!;
      to[counts[65536 + ((hi ^ ((hi >> 31) | 0x80000000)) >>> 16)]!++] = from[i]!;
    }
}

/** Orders values[start, end) in place: insertion for short runs; long runs are often one repeated value. */
function sortRun(values: Float64Array, start: number, end: number): void {
  if (end - start <= INSERTION_MAX) {
    for (let a = start + 1; a < end; a++) {
      const v = values[a]!;
      let j = a - 1;
      while (j >= start && values[j]! > v) {
        values[j + 1] = values[j]!;
        j--;
      }
      values[j + 1] = v;
    }
    return;
  }
  for (let i = start + 1; i < end; i++)
    if (values[i - 1]! > values[i]!) {
      values.subarray(start, end).sort();
      return;
    }
}
