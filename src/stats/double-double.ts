/**
 * Exact binary helpers (powers of two, frexp, ldexp: JavaScript has none built in) and double-double
 * arithmetic with the QD library's semantics, as scipy's cephes `dd_real` has them: what the
 * Kolmogorov–Smirnov distributions (kolmogorov.ts) need to reproduce scipy's numbers down to 1e-300.
 */

// ---------------------------------------------------------------------------------------------------
// Bit-level helpers: exact powers of two, frexp and ldexp (JavaScript has none of them built in).
// ---------------------------------------------------------------------------------------------------

/** 2^n for an integer n in [-1022, 1023], built from its bits so it is exact. */
function twoToFromBits(n: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setUint32(0, (n + 1023) * 0x100000);
  view.setUint32(4, 0);
  return view.getFloat64(0);
}

/** POW2[n + 1024] = 2^n for n in [-1024, 1023]: the Smirnov sum rescales by powers of two millions of times. */
const POW2 = new Float64Array(2048);
POW2[1024 - 1024] = twoToFromBits(-1022) / 4;
POW2[1024 - 1023] = twoToFromBits(-1022) / 2;
for (let n = -1022; n <= 1023; n++) POW2[n + 1024] = twoToFromBits(n);

function twoTo(n: number): number {
  return POW2[n + 1024]!;
}

const TWO_P1023 = twoTo(1023);
const TWO_M969 = twoTo(-969); // 2^-1022 · 2^53: keeps a subnormal result to a single rounding
const TWO_P64 = twoTo(64);
/** 2^±128 and its exponent: the step by which a scaled product or matrix power is brought back into range. */
export const E128 = 128;
export const EP128 = twoTo(E128);
export const EM128 = twoTo(-E128);

/** A double and its two 32-bit halves, for reading the exponent field (HIGH is the word holding it). */
const bitsF64 = new Float64Array(1);
const bitsU32 = new Uint32Array(bitsF64.buffer);
const HIGH = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1 ? 1 : 0;

/**
 * x · 2^n with one rounding, like C's `ldexp` (musl's `scalbn` strategy): scale in exact steps first so
 * that only the last multiplication can round, even when the result is subnormal.
 */
export function ldexp(x: number, n: number): number {
  let y = x;
  let e = n;
  if (e > 1023) {
    y *= TWO_P1023;
    e -= 1023;
    if (e > 1023) {
      y *= TWO_P1023;
      e -= 1023;
      if (e > 1023) e = 1023;
    }
  } else if (e < -1022) {
    y *= TWO_M969;
    e += 969;
    if (e < -1022) {
      y *= TWO_M969;
      e += 969;
      if (e < -1022) e = -1022;
    }
  }
  return y * POW2[e + 1024]!;
}

/** The binary exponent e of frexp(x) (x = m·2^e, 0.5 ≤ |m| < 1); 0 for 0, ±∞ and NaN. */
function frexpExponent(x: number): number {
  if (x === 0 || !Number.isFinite(x)) return 0;
  bitsF64[0] = x;
  const biased = (bitsU32[HIGH]! >>> 20) & 0x7ff;
  if (biased !== 0) return biased - 1022;
  // Subnormal: lift into the normal range first so the exponent field is meaningful.
  bitsF64[0] = x * TWO_P64;
  return ((bitsU32[HIGH]! >>> 20) & 0x7ff) - 1022 - 64;
}

// ---------------------------------------------------------------------------------------------------
// Double-double arithmetic (QD library semantics, as in scipy's cephes dd_real): a value is hi + lo with
// |lo| ≤ ulp(hi)/2. JavaScript numbers are IEEE doubles with round-to-nearest and no extended precision,
// so the error-free transformations below are exact, as they are in C with `volatile`.
// ---------------------------------------------------------------------------------------------------

export type DD = readonly [hi: number, lo: number];

export const DD_ZERO: DD = [0, 0];
export const DD_ONE: DD = [1, 0];
const SPLITTER = 134217729; // 2^27 + 1
const SPLIT_THRESH = 6.69692879491417e299; // 2^996: above it the splitter product would overflow

function quickTwoSum(a: number, b: number): DD {
  const s = a + b;
  return [s, b - (s - a)];
}

export function twoSum(a: number, b: number): DD {
  const s = a + b;
  const c = s - a;
  const d = b - c;
  const e = s - c;
  return [s, a - e + d];
}

function split(a: number): DD {
  if (a > SPLIT_THRESH || a < -SPLIT_THRESH) {
    const s = a * 3.725290298461914e-9; // 2^-28
    const temp = SPLITTER * s;
    const hi = temp - (temp - s);
    return [hi * 268435456, (s - hi) * 268435456];
  }
  const temp = SPLITTER * a;
  const hi = temp - (temp - a);
  return [hi, a - hi];
}

export function twoProd(a: number, b: number): DD {
  const p = a * b;
  const [aHi, aLo] = split(a);
  const [bHi, bLo] = split(b);
  const c = aHi * bHi - p;
  const d = c + aHi * bLo + aLo * bHi;
  return [p, d + aLo * bLo];
}

/** dd + dd with IEEE-style error bound (Briggs–Kahan). */
export function addDD(a: DD, b: DD): DD {
  const [s1, s2a] = twoSum(a[0], b[0]);
  const [t1, t2] = twoSum(a[1], b[1]);
  const [u1, u2] = quickTwoSum(s1, s2a + t1);
  return quickTwoSum(u1, u2 + t2);
}

function negDD(a: DD): DD {
  return [-a[0], -a[1]];
}

export function subDD(a: DD, b: DD): DD {
  return addDD(a, negDD(b));
}

/** dd + double */
export function addDd(a: DD, b: number): DD {
  const [s1, s2] = twoSum(a[0], b);
  return quickTwoSum(s1, s2 + a[1]);
}

/** dd − double */
export function subDd(a: DD, b: number): DD {
  const [s1, s2] = twoSum(a[0], -b);
  return quickTwoSum(s1, s2 + a[1]);
}

export function mulDD(a: DD, b: DD): DD {
  const [p1, p2] = twoProd(a[0], b[0]);
  return quickTwoSum(p1, p2 + (a[0] * b[1] + a[1] * b[0]));
}

/** double × dd */
export function muldD(a: number, b: DD): DD {
  const [p1, e1] = twoProd(a, b[0]);
  const [p2, e2] = twoProd(a, b[1]);
  return quickTwoSum(p1, e2 + p2 + e1);
}

/** QD's "accurate" division: three quotient digits, then renormalise. */
export function divDD(a: DD, b: DD): DD {
  const q1 = a[0] / b[0];
  let r = subDD(a, muldD(q1, b));
  const q2 = r[0] / b[0];
  r = subDD(r, muldD(q2, b));
  const q3 = r[0] / b[0];
  return addDd(quickTwoSum(q1, q2), q3);
}

export function divdd(a: number, b: number): DD {
  return divDD([a, 0], [b, 0]);
}

export function floorDD(a: DD): DD {
  const hi = Math.floor(a[0]);
  if (hi === a[0]) return quickTwoSum(hi, Math.floor(a[1]));
  return [hi, 0];
}

export function ldexpDD(a: DD, e: number): DD {
  return [ldexp(a[0], e), ldexp(a[1], e)];
}

/** Mantissa in [0.5, 1) (or exactly ±1 with a low word of the other sign) and the binary exponent. */
export function frexpDD(a: DD): [mantissa: DD, exponent: number] {
  let e = frexpExponent(a[0]);
  // Scaling the high word by 2^-e is exact (its result is normal); ldexp covers subnormal inputs too.
  let man = ldexp(a[0], -e);
  let lo = ldexp(a[1], -e);
  if (Math.abs(man) === 0.5 && man * lo < 0) {
    man *= 2;
    lo *= 2;
    e -= 1;
  }
  return [[man, lo], e];
}
