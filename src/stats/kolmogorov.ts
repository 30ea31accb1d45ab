import {
  addDD,
  addDd,
  type DD,
  DD_ONE,
  DD_ZERO,
  divDD,
  divdd,
  E128,
  EM128,
  EP128,
  floorDD,
  frexpDD,
  ldexp,
  ldexpDD,
  mulDD,
  muldD,
  subDD,
  subDd,
  twoProd,
  twoSum,
} from "./double-double.js";
import { logGamma } from "./gamma.js";

/**
 * Kolmogorov–Smirnov distributions, ported from scipy 1.10.1 so that p-values agree with it:
 *
 * - {@link kstwoSf}: `scipy.stats.kstwo.sf(d, n)`, the exact two-sided one-sample distribution of D_n
 *   (scipy/stats/_ksstats.py, Simard & L'Ecuyer's choice among Ruben–Gambino, Durbin–Marsaglia–Tsang–Wang,
 *   Pomeranz, Pelz–Good and 2·Smirnov, with scipy's exact thresholds and clipping).
 * - {@link smirnovSf}: `scipy.special.smirnov(n, d)`, the one-sided D_n⁺ tail (cephes kolmogorov.c, van
 *   Mulbregt's double-double summation with a separately carried binary exponent, which is what lets it
 *   reach 1e-300 without underflowing).
 * - {@link kolmogorovSf}: `scipy.special.kolmogorov(x)`, the limiting distribution of √n·D_n.
 *
 * The code follows scipy's branch structure and operation order on purpose: the two-sample KS test's
 * asymptotic p-value is `kstwo.sf`, and reproducing scipy's numbers (not merely "a correct" number) is the
 * point. Where scipy computes in numpy's `longdouble` (a few scaling steps) this uses doubles; the effect
 * is a few ulps.
 */

// ---------------------------------------------------------------------------------------------------
// Smirnov one-sided distribution (cephes kolmogorov.c `_smirnov`, sf part).
// ---------------------------------------------------------------------------------------------------

/** Above this n the exact sum takes too long and scipy switches to an approximation. */
const SMIRNOV_MAX_COMPUTE_N = 1000000;
/**
 * From this n on, the Birnbaum–Tingey sum is evaluated by {@link smirnovSumFromPeak} in plain doubles
 * instead of cephes' double-double loop: the same exact quantity, 30–60× faster (a million-row
 * comparison would otherwise spend most of a second here), within about 1e-10 relative of scipy.
 */
const SMIRNOV_FAST_MIN_N = 20000;
/** The alternating "upper" sum is only used for few terms (each costs ~1.6 bits). */
const SM_UPPER_MAX_TERMS = 3;
const SM_UPPERSUM_MIN_N = 10;
/** cephes MINLOG = log(2^-1075): below it exp() is 0 even as a subnormal. */
const MINLOG = -745.1332191019412;
/** Largest binary exponent a partial power may reach before the computation is split up (< 1023 − 52). */
const MAX_EXPONENT = 960;
const DBL_EPSILON = Number.EPSILON;

/** a^m for a double-double base, trading accuracy for time exactly as cephes' `pow_D` does. */
function powDD(a: DD, m: number): DD {
  if (m <= 0) {
    if (m === 0) return DD_ONE;
    return divDD(DD_ONE, powDD(a, -m));
  }
  if (a[0] === 0) return DD_ZERO;
  const ans = a[0] ** m;
  const r = a[1] / a[0];
  let adj = m * r;
  if (Math.abs(adj) > 1e-8) {
    if (Math.abs(adj) < 1e-4) {
      // First two terms of the Taylor series of (1 + r)^m.
      adj += m * r * (((m - 1) / 2.0) * r);
    } else {
      adj = Math.expm1(m * Math.log1p(r));
    }
  }
  return twoSum(ans, ans * adj);
}

/** (a + b)^m rounded to double. */
function pow2(a: number, b: number, m: number): number {
  return powDD(twoSum(a, b), m)[0];
}

/**
 * cephes' `nextPowerOf2`. Despite its name it only nudges x up by about 2^-52 relative (and snaps to an
 * integer when it lands on one); reproduced as is because it decides how scipy splits large powers.
 */
function nextPowerOf2(x: number): number {
  const q = ldexp(x, 1 - 53);
  let l = Math.abs(q + x);
  if (l === 0) {
    l = Math.abs(x);
  } else {
    const lInt = Math.trunc(l);
    if (lInt === l) l = lInt;
  }
  return l;
}

/**
 * a^m as (mantissa, binary exponent), splitting the power so the mantissa never underflows; this is what
 * lets Smirnov's terms (binomials up to 2^(n) times powers down to 2^(-n)) be combined without overflow.
 */
function pow2ScaledDD(a: DD, m: number): [mantissa: DD, exponent: number] {
  if (m <= 0) {
    if (m === 0) return [DD_ONE, 0];
    const [inv, e1] = pow2ScaledDD(a, -m);
    const [man, e2] = frexpDD(divDD(DD_ONE, inv));
    return [man, -e1 + e2];
  }
  const [y, yE] = frexpDD(a);
  if (m === 1) return [y, yE];
  let maxExpt = MAX_EXPONENT;
  // Quick check whether y^m might drop below 2^-960; only then pay for a log().
  if ((m * (y[0] - 1)) / y[0] < -MAX_EXPONENT * Math.LN2) {
    const lg2y = Math.log(y[0]) / Math.LN2;
    const lgAns = m * lg2y;
    if (lgAns <= -MAX_EXPONENT) {
      maxExpt = Math.trunc(nextPowerOf2(-MAX_EXPONENT / lg2y + 1) / 2);
    }
  }
  if (m <= maxExpt) {
    const [man, e] = frexpDD(powDD(y, m));
    return [man, e + m * yE];
  }
  // y^m = (y^maxExpt)^q · y^r, each part kept as mantissa and exponent.
  const q = Math.trunc(m / maxExpt);
  const r = m % maxExpt;
  const [y2r, y2rE] = pow2ScaledDD(y, r);
  const [y2m, y2mE] = pow2ScaledDD(y, maxExpt);
  const [y2mq, y2mqE0] = pow2ScaledDD(y2m, q);
  const [man, e] = frexpDD(mulDD(y2r, y2mq));
  const y2mqE = y2mqE0 + y2mE * q;
  return [man, e + y2mqE + y2rE + m * yE];
}

/** ((a + b) / (c + d))^m in double-double. */
function pow4DD(a: number, b: number, c: number, d: number, m: number): DD {
  if (m <= 0) {
    if (m === 0) return DD_ONE;
    return pow4DD(c, d, a, b, -m);
  }
  const num = twoSum(a, b);
  const den = twoSum(c, d);
  if (num[0] === 0) return den[0] === 0 ? [Number.NaN, Number.NaN] : DD_ZERO;
  if (den[0] === 0) return num[0] < 0 ? [-Infinity, -Infinity] : [Infinity, Infinity];
  return powDD(divDD(num, den), m);
}

/** floor(n·x) and the fractional part, computed exactly in double-double (cephes `modNX`). */
function modNX(n: number, x: number): { alpha: number; nxFloor: number } {
  const nxD = twoProd(n, x);
  const nxFloorD = floorDD(nxD);
  let alpha = subDD(nxD, nxFloorD)[0];
  let nxFloor = Math.trunc(nxFloorD[0]);
  if (alpha === 1) {
    nxFloor += 1;
    alpha = 0;
  }
  return { alpha, nxFloor };
}

/** C(n,v)·(1 − x − v/n)^(n−v)·(x + v/n)^(v−1), with the binomial given as mantissa·2^exponent. */
function computeAv(n: number, x: number, v: number, cMan: DD, cExpt: number): DD {
  const t2x = subDd(divdd(n - v, n), x);
  const [t2, t2E] = pow2ScaledDD(t2x, n - v);
  const t1x = addDd(divdd(v, n), x);
  const [t1, t1E] = pow2ScaledDD(t1x, v - 1);
  const ans = mulDD(mulDD(t1, t2), cMan);
  return ldexpDD(ans, cExpt + t1E + t2E);
}

function clip01(p: number): number {
  // Like np.clip: NaN stays NaN.
  return Math.min(Math.max(p, 0), 1);
}

/**
 * Survival function of the one-sided Kolmogorov–Smirnov statistic, P(D_n⁺ ≥ d), exactly as
 * `scipy.special.smirnov(n, d)` in scipy 1.10.1.
 *
 * Branches (cephes kolmogorov.c): n = 1 → 1 − d; d ≤ 1/n → 1 − d(1+d)^(n−1); −2nd² < log(2^-1075) → 0;
 * d ≥ 1 − 1/n → (1 − d)^n; n > 1,000,000 → exp(−(6nd+1)²/18n); otherwise the Birnbaum–Tingey sum (or,
 * for at most 3 terms and small d, the complementary alternating sum) in double-double with a separate
 * binary exponent, stopping once the remaining terms cannot change the sum.
 *
 * @param n - sample size, a positive integer
 * @param d - the statistic, in [0, 1]; anything else (or NaN) gives NaN
 * @example
 * ```ts
 * smirnovSf(5, 0.5); // 0.056 (scipy.special.smirnov(5, 0.5))
 * smirnovSf(1000, 0.2); // 7.764314602125269e-36
 * ```
 */
export function smirnovSf(n: number, d: number): number {
  const x = d;
  if (Number.isNaN(x)) return Number.NaN;
  if (!(n > 0 && x >= 0 && x <= 1) || !Number.isInteger(n)) return Number.NaN;
  if (n === 1) return 1 - x;
  if (x === 0) return 1;
  if (x === 1) return 0;

  const { alpha, nxFloor: nxfl } = modNX(n, x);
  let n1mxfl = n - nxfl - (alpha === 0 ? 0 : 1);
  let n1mxceil = n - nxfl;
  // With alpha = 0 the last term of either summation must not be included.
  if (alpha === 0) {
    n1mxfl -= 1;
    n1mxceil += 1;
  }

  // x ≤ 1/n: closed form.
  if (nxfl === 0 || (nxfl === 1 && alpha === 0)) {
    const t = pow2(1, x, n - 1);
    return 1 - x * t;
  }
  // So far in the tail that the sf underflows.
  if (-2 * n * x * x < MINLOG) return 0;
  // x ≥ 1 − 1/n: closed form.
  if (nxfl >= n - 1) return pow2(1, -x, n);
  // Very large n: Smirnov's asymptotic with the 1/(6n) correction.
  if (n > SMIRNOV_MAX_COMPUTE_N) {
    const logp = -((6.0 * n * x + 1) ** 2) / 18.0 / n;
    // Small p directly from exp(); otherwise via the cdf, as cephes does.
    if (logp < -Math.LN2) return Math.exp(logp);
    const cdf = -Math.expm1(logp);
    return 1 - cdf;
  }

  if (n >= SMIRNOV_FAST_MIN_N) return clip01(smirnovSumFromPeak(n, x, n1mxfl));

  // Use the upper (alternating) sum only when it has very few terms and x is small.
  const nUpperTerms = n - n1mxceil + 1;
  const useUpperSum =
    (nUpperTerms <= 1 && x < 0.5) ||
    (n >= SM_UPPERSUM_MIN_N && nUpperTerms <= SM_UPPER_MAX_TERMS && x <= 0.5 / Math.sqrt(n));

  let start = 0;
  let step = 1;
  let nTerms = n1mxfl + 1;
  const vmid = Math.trunc(n / 2);
  let cMan: DD = DD_ONE;
  let cExpt = 0;
  let aj: DD;
  if (useUpperSum) {
    start = n;
    step = -1;
    nTerms = n - n1mxceil + 1;
    aj = pow4DD(1, x, 1, 0, n - 1);
  } else {
    const t2 = pow4DD(1, -x, 1, 0, n);
    aj = divDD(t2, [x, 0]);
  }
  let ajSum = addDD(DD_ZERO, aj);

  // Binomial C(n, j+1) from C(n, j), renormalised so its exponent lives outside the double.
  const updateBinomial = (j: number): void => {
    const [man, e] = frexpDD(mulDD(cMan, divdd(n - j, j + 1.0)));
    cExpt += e;
    cMan = man;
  };
  updateBinomial(0);

  for (let j = 1; j < nTerms; j++) {
    const v = start + j * step;
    aj = computeAv(n, x, v, cMan, cExpt);
    if (Number.isFinite(aj[0]) && aj[0] !== 0) ajSum = addDD(ajSum, aj);
    if (aj[0] !== 0) {
      // Safe to stop: the remaining terms are all smaller than this one.
      if (4 * (nTerms - j) * Math.abs(aj[0]) < DBL_EPSILON * ajSum[0] && j !== nTerms - 1) break;
    } else if (j > vmid) {
      break;
    }
    updateBinomial(j);
  }

  const prob = muldD(x, ajSum)[0];
  const sf = step < 0 ? 1 - prob : prob;
  return clip01(sf);
}

/**
 * x · Σ_{j=0}^{last} C(n, j) (1 − x − j/n)^(n−j) (x + j/n)^(j−1), summed outward from its largest term.
 * The terms are binomial probabilities in disguise, unimodal in j, so the walk stops on each side once
 * a term falls below 2^-66 of the running sum; everything stays in logarithms, scaled by the peak, so
 * neither the huge binomials nor the tiny powers overflow. Writing 1 − x − j/n as (n − j − nx)/n keeps
 * the bases accurate.
 */
function smirnovSumFromPeak(n: number, x: number, last: number): number {
  const nx = n * x;
  const logN = Math.log(n);
  const logGammaN1 = logGamma(n + 1);
  const logTerm = (j: number, logBinomial: number): number =>
    logBinomial + (n - j) * (Math.log(n - j - nx) - logN) + (j - 1) * (Math.log(nx + j) - logN);
  const logBinomialAt = (j: number): number => logGammaN1 - logGamma(j + 1) - logGamma(n - j + 1);
  // Ternary search for the peak over integers in [0, last].
  let lo = 0;
  let hi = last;
  while (hi - lo > 2) {
    const m1 = lo + Math.floor((hi - lo) / 3);
    const m2 = hi - Math.floor((hi - lo) / 3);
    if (logTerm(m1, logBinomialAt(m1)) < logTerm(m2, logBinomialAt(m2))) lo = m1 + 1;
    else hi = m2 - 1;
  }
  let peak = lo;
  for (let j = lo + 1; j <= hi; j++)
    if (logTerm(j, logBinomialAt(j)) > logTerm(peak, logBinomialAt(peak))) peak = j;
  const peakBinomial = logBinomialAt(peak);
  const peakLog = logTerm(peak, peakBinomial);
  const negligible = -46; // e^-46 ≈ 1e-20: far below a double's resolution of the sum
  let sum = 1;
  // Upward: C(n, j+1) = C(n, j)·(n − j)/(j + 1).
  let logBinomial = peakBinomial;
  for (let j = peak + 1; j <= last; j++) {
    logBinomial += Math.log((n - j + 1) / j);
    const relative = logTerm(j, logBinomial) - peakLog;
    sum += Math.exp(relative);
    if (relative < negligible + Math.log(sum)) break;
  }
  // Downward: C(n, j−1) = C(n, j)·j/(n − j + 1).
  logBinomial = peakBinomial;
  for (let j = peak - 1; j >= 0; j--) {
    logBinomial += Math.log((j + 1) / (n - j));
    const relative = logTerm(j, logBinomial) - peakLog;
    sum += Math.exp(relative);
    if (relative < negligible + Math.log(sum)) break;
  }
  return Math.exp(Math.log(x) + peakLog + Math.log(sum));
}

// ---------------------------------------------------------------------------------------------------
// Kolmogorov limiting distribution (cephes `_kolmogorov`, sf part).
// ---------------------------------------------------------------------------------------------------

/** Switch-over between the two theta-function series. */
const KOLMOG_CUTOVER = 0.82;
const MIN_EXPABLE = -708 - 38;

/**
 * Survival function of Kolmogorov's limiting distribution, P(√n·D_n > x) as n → ∞, exactly as
 * `scipy.special.kolmogorov(x)` in scipy 1.10.1 (two unrolled Jacobi-theta series, switching at 0.82).
 *
 * @example
 * ```ts
 * kolmogorovSf(1.0); // 0.26999967167735456
 * ```
 */
export function kolmogorovSf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x <= 0) return 1;
  // Below this the cdf underflows: x ≤ π/√(8·746) ≈ 0.0406.
  if (x <= Math.PI / Math.sqrt(-MIN_EXPABLE * 8)) return 1;
  let sf: number;
  if (x <= KOLMOG_CUTOVER) {
    // cdf = w·u·(1 + u^8 + u^24 + u^48), u = exp(−π²/(8x²)), w = √(2π)/x
    const w = Math.sqrt(2 * Math.PI) / x;
    const logu8 = (-Math.PI * Math.PI) / (x * x);
    const u = Math.exp(logu8 / 8);
    let p: number;
    if (u === 0) {
      p = Math.exp(logu8 / 8 + Math.log(w));
    } else {
      const u8 = Math.exp(logu8);
      const u8cub = u8 ** 3;
      p = 1 + u8cub;
      p = 1 + u8 * u8 * p;
      p = 1 + u8 * p;
      p = w * u * p;
    }
    sf = 1 - p;
  } else {
    // sf = 2v(1 − v^3(1 − v^5(1 − v^7))), v = exp(−2x²)
    const v = Math.exp(-2 * x * x);
    const vsq = v * v;
    const v3 = v ** 3;
    let p = 1 - v3 * v3 * v;
    p = 1 - v3 * vsq * p;
    p = 1 - v3 * p;
    sf = 2 * v * p;
  }
  return clip01(sf);
}

// ---------------------------------------------------------------------------------------------------
// Two-sided one-sample distribution kstwo (scipy/stats/_ksstats.py).
// ---------------------------------------------------------------------------------------------------

const LOG_2PI = Math.log(2 * Math.PI);
const SQRT2PI = Math.sqrt(2 * Math.PI);
const MIN_LOG = -708;
const SQRT3 = Math.sqrt(3);
const PI_SQUARED = Math.PI ** 2;
const PI_FOUR = Math.PI ** 4;
const PI_SIX = Math.PI ** 6;
/** Stirling series coefficients B_{2j}/(2j)/(2j−1) for j = 8…1 (highest power first, for Horner). */
const STIRLING_COEFFS = [
  -0.029550653594771242, 0.00641025641025641, -0.0019175269175269176, 0.0008417508417508417,
  -0.0005952380952380953, 0.0007936507936507937, -0.002777777777777778, 0.08333333333333333,
];

/** log(n!/n^n) by Stirling, with n·log(n) removed analytically to avoid cancellation. */
function logNFactorialDivNPowN(n: number): number {
  const rn = 1.0 / n;
  const z = rn / n;
  let poly = 0;
  for (const c of STIRLING_COEFFS) poly = poly * z + c;
  return Math.log(n) / 2 - n + LOG_2PI / 2 + rn * poly;
}

/** C = A·B for m×m row-major matrices. */
function matmul(a: Float64Array, b: Float64Array, m: number): Float64Array<ArrayBuffer> {
  const c = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let k = 0; k < m; k++) {
      const aik = a[i * m + k]!;
      if (aik === 0) continue;
      for (let j = 0; j < m; j++) c[i * m + j]! += aik * b[k * m + j]!;
    }
  }
  return c;
}

/**
 * P(D_n ≤ d) by Durbin's matrix method as arranged by Marsaglia, Tsang & Wang: the k-th diagonal entry
 * of H^n (m = 2k − 1, k = ⌈nd⌉) times n!/n^n, with binary rescaling so nothing under- or overflows.
 */
function kolmognDMTW(n: number, d: number): number {
  if (d >= 1.0) return 1;
  const nd = n * d;
  if (nd <= 0.5) return 0;
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;

  // v: first column (and reversed last row) of H; w[j] = 1/j!.
  const v = new Float64Array(m);
  const w = new Float64Array(m);
  let fac = 1.0;
  for (let j = 1; j <= m; j++) {
    v[j - 1] = 1.0 - h ** j;
    w[j - 1] = fac;
    fac /= j; // may underflow; harmless
    v[j - 1]! *= fac;
  }
  const tt = Math.max(2 * h - 1.0, 0) ** m - 2 * h ** m;
  v[m - 1] = (1.0 + tt) * fac;

  let hm = new Float64Array(m * m);
  for (let i = 1; i < m; i++) {
    for (let r = i - 1; r < m; r++) hm[r * m + i] = w[r - (i - 1)]!;
  }
  for (let r = 0; r < m; r++) hm[r * m] = v[r]!;
  for (let c = 0; c < m; c++) hm[(m - 1) * m + c] = v[m - 1 - c]!;

  let hpwr = new Float64Array(m * m);
  for (let i = 0; i < m; i++) hpwr[i * m + i] = 1;
  let nn = n;
  let expnt = 0; // binary scale of hpwr
  let hExpnt = 0; // binary scale of hm
  const kk = (k - 1) * m + (k - 1);
  while (nn > 0) {
    if (nn % 2) {
      hpwr = matmul(hpwr, hm, m);
      expnt += hExpnt;
    }
    hm = matmul(hm, hm, m);
    hExpnt *= 2;
    if (Math.abs(hm[kk]!) > EP128) {
      for (let i = 0; i < hm.length; i++) hm[i]! /= EP128;
      hExpnt += E128;
    }
    nn = Math.floor(nn / 2);
  }

  let p = hpwr[kk]!;
  // Multiply by n!/n^n one factor at a time, rescaling when it gets small.
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < EM128) {
      p *= EP128;
      expnt -= E128;
    }
  }
  if (expnt !== 0) p = ldexp(p, expnt);
  return clip01(p);
}

/** Column range [j1, j2] of row i of Pomeranz's recursion (scipy's `_pomeranz_compute_j1j2`). */
function pomeranzJ1J2(i: number, n: number, ll: number, ceilf: number, roundf: number): [number, number] {
  let j1: number;
  let j2: number;
  if (i === 0) {
    j1 = -ll - ceilf - 1;
    j2 = ll + ceilf - 1;
  } else {
    const ip1div2 = Math.floor((i + 1) / 2);
    const ip1mod2 = (i + 1) % 2;
    if (ip1mod2 === 0) {
      // i is odd
      if (ip1div2 === n + 1) {
        j1 = n - ll - ceilf - 1;
        j2 = n + ll + ceilf - 1;
      } else {
        j1 = ip1div2 - 1 - ll - roundf - 1;
        j2 = ip1div2 + ll - 1 + ceilf - 1;
      }
    } else {
      j1 = ip1div2 - 1 - ll - 1;
      j2 = ip1div2 + ll + roundf - 1;
    }
  }
  return [Math.max(j1 + 2, 0), Math.min(j2, n)];
}

/**
 * P(D_n ≤ x) by Pomeranz's recursion: 2n+1 rows, each a convolution of the previous row's few non-zero
 * entries with (almost) Poisson weights, then × n!; rescaled in powers of 2^128.
 */
function kolmognPomeranz(n: number, x: number): number {
  const t = n * x;
  const ll = Math.floor(t);
  const f = 1.0 * (t - ll);
  const g = Math.min(f, 1.0 - f);
  const ceilf = f > 0 ? 1 : 0;
  const roundf = f > 0.5 ? 1 : 0;
  const npwrs = 2 * (ll + 1);
  const gpower = new Float64Array(npwrs); // (g/n)^m/m!
  const twogpower = new Float64Array(npwrs); // (2g/n)^m/m!
  const onem2gpower = new Float64Array(npwrs); // ((1−2g)/n)^m/m!
  gpower[0] = 1.0;
  twogpower[0] = 1.0;
  onem2gpower[0] = 1.0;
  let expnt = 0;
  const gOverN = g / n;
  const twoGOverN = (2 * g) / n;
  const oneMinusTwoGOverN = (1 - 2 * g) / n;
  for (let m = 1; m < npwrs; m++) {
    gpower[m] = (gpower[m - 1]! * gOverN) / m;
    twogpower[m] = (twogpower[m - 1]! * twoGOverN) / m;
    onem2gpower[m] = (onem2gpower[m - 1]! * oneMinusTwoGOverN) / m;
  }

  let v0 = new Float64Array(npwrs);
  let v1 = new Float64Array(npwrs);
  v1[0] = 1;
  let v0s = 0;
  let v1s = 0;
  let [j1, j2] = pomeranzJ1J2(0, n, ll, ceilf, roundf);
  for (let i = 1; i < 2 * n + 2; i++) {
    const k1 = j1;
    const tmp = v0;
    v0 = v1;
    v1 = tmp;
    const tmps = v0s;
    v0s = v1s;
    v1s = tmps;
    v1.fill(0);
    [j1, j2] = pomeranzJ1J2(i, n, ll, ceilf, roundf);
    const pwrs = i === 1 || i === 2 * n + 1 ? gpower : i % 2 ? twogpower : onem2gpower;
    const ln2 = j2 - k1 + 1;
    if (ln2 > 0) {
      // conv = convolve(V0[k1 − V0s : +ln2], pwrs[:ln2]); keep conv[j1 − k1 : +(j2 − j1 + 1)].
      const base = k1 - v0s;
      const convStart = j1 - k1;
      const convLen = j2 - j1 + 1;
      let maxV = -Infinity;
      for (let c = 0; c < convLen; c++) {
        const idx = convStart + c;
        let s = 0;
        const lo = Math.max(0, idx - ln2 + 1);
        const hi = Math.min(idx, ln2 - 1);
        for (let a = lo; a <= hi; a++) s += v0[base + a]! * pwrs[idx - a]!;
        v1[c] = s;
      }
      for (let c = 0; c < npwrs; c++) if (v1[c]! > maxV) maxV = v1[c]!;
      if (maxV > 0 && maxV < EM128) {
        for (let c = 0; c < npwrs; c++) v1[c]! *= EP128;
        expnt -= E128;
      }
      v1s = v0s + j1 - k1;
    }
  }

  // Multiply by n!, keeping the running product below 2^128.
  let ans = v1[n - v1s]!;
  for (let m = 1; m <= n; m++) {
    if (Math.abs(ans) > EP128) {
      ans *= EM128;
      expnt += E128;
    }
    ans *= m;
  }
  if (expnt !== 0) ans = ldexp(ans, expnt);
  return clip01(ans);
}

/**
 * Pelz–Good approximation of P(D_n ≤ x): the Li-Chien/Korolyuk expansion K0 + K1/√n + K2/n + K3/n^1.5,
 * each term transformed by Jacobi-theta identities into series that converge fast for small z = x√n.
 */
function kolmognPelzGood(n: number, x: number): number {
  if (x <= 0.0) return 0;
  if (x >= 1.0) return 1;
  const z = Math.sqrt(n) * x;
  const zsquared = z ** 2;
  const zthree = z ** 3;
  const zfour = z ** 4;
  const zsix = z ** 6;

  const qlog = -PI_SQUARED / 8 / zsquared;
  if (qlog < MIN_LOG) return 0; // z ≈ 0.0417: the cdf underflows

  let q = Math.exp(qlog);
  const k1a = -zsquared;
  const k1b = PI_SQUARED / 4;
  const k2a = 6 * zsix + 2 * zfour;
  const k2b = ((2 * zfour - 5 * zsquared) * PI_SQUARED) / 4;
  const k2c = (PI_FOUR * (1 - 2 * zsquared)) / 16;
  const k3d = (PI_SIX * (5 - 30 * zsquared)) / 64;
  const k3c = (PI_FOUR * (-60 * zsquared + 212 * zfour)) / 16;
  const k3b = (PI_SQUARED * (135 * zfour - 96 * zsix)) / 4;
  const k3a = -30 * zsix - 90 * z ** 8;

  // Horner scheme for Σ c_i q^(i²) over odd i.
  let k0 = 0;
  let kOne = 0;
  let kTwo = 0;
  let kThree = 0;
  const maxk = Math.ceil((16 * z) / Math.PI);
  for (let k = maxk; k > 0; k--) {
    const m = 2 * k - 1;
    const msquared = m ** 2;
    const mfour = m ** 4;
    const msix = m ** 6;
    const qpower = q ** (8 * k);
    k0 = k0 * qpower + 1.0;
    kOne = kOne * qpower + (k1a + k1b * msquared);
    kTwo = kTwo * qpower + (k2a + k2b * msquared + k2c * mfour);
    kThree = kThree * qpower + (k3a + k3b * msquared + k3c * mfour + k3d * msix);
  }
  k0 = (k0 * q * SQRT2PI) / z;
  kOne = (kOne * q * SQRT2PI) / (6 * zfour);
  kTwo = (kTwo * q * SQRT2PI) / (72 * z ** 7);
  kThree = (kThree * q * SQRT2PI) / (6480 * z ** 10);

  // The other sums run over all integers k; little cancellation, so summed directly (high k first).
  q = Math.exp(-PI_SQUARED / 2 / zsquared);
  const sqrt3z = SQRT3 * z;
  let k2extra = 0;
  let k3extra = 0;
  for (let k = maxk; k > 0; k--) {
    const ksquared = k ** 2;
    const qpwer = q ** ksquared;
    const kspi = Math.PI * k;
    k2extra += ksquared * qpwer;
    k3extra += (sqrt3z + kspi) * (sqrt3z - kspi) * ksquared * qpwer;
  }
  k2extra *= (PI_SQUARED * SQRT2PI) / (-36 * zthree);
  kTwo += k2extra;
  k3extra *= (PI_SQUARED * SQRT2PI) / (216 * zsix);
  kThree += k3extra;

  const nf = n * 1.0;
  kOne /= nf ** 0.5;
  kTwo /= nf ** 1.0;
  kThree /= nf ** 1.5;
  return 0 + k0 + kOne + kTwo + kThree;
}

/** scipy's `_kolmogn(n, x, cdf=False)`: Simard & L'Ecuyer's algorithm selection, survival side. */
function kolmognSf(n: number, x: number): number {
  if (x >= 1.0) return 0;
  if (x <= 0.0) return 1;
  const t = n * x;
  if (t <= 1.0) {
    // Ruben–Gambino: 1/(2n) ≤ x ≤ 1/n, cdf = n!/n^n (2t − 1)^n
    if (t <= 0.5) return 1;
    let prob: number;
    if (n <= 140) {
      prob = 1;
      const r = 1.0 / n;
      const s = 2 * t - 1;
      for (let i = 1; i <= n; i++) prob *= i * r * s;
    } else {
      prob = Math.exp(logNFactorialDivNPowN(n) + n * Math.log(2 * t - 1));
    }
    return clip01(1.0 - prob);
  }
  if (t >= n - 1) {
    // Ruben–Gambino: sf = 2(1 − x)^n
    return clip01(2 * (1.0 - x) ** n);
  }
  if (x >= 0.5) {
    // The events D⁺ ≥ x and D⁻ ≥ x are disjoint, so sf is exactly 2·smirnov.
    return clip01(2 * smirnovSf(n, x));
  }
  const nxsquared = t * x;
  if (n <= 140) {
    if (nxsquared <= 0.754693) return clip01(1.0 - kolmognDMTW(n, x));
    if (nxsquared <= 4) return clip01(1.0 - kolmognPomeranz(n, x));
    // Miller's approximation: 2·smirnov.
    return clip01(2 * smirnovSf(n, x));
  }
  // Large n: the sf and cdf use different cut-offs on nx².
  if (nxsquared >= 370.0) return 0;
  if (nxsquared >= 2.2) return clip01(2 * smirnovSf(n, x));
  let cdfprob: number;
  if (nxsquared >= 18.0) {
    cdfprob = 1.0;
  } else if (n <= 100000 && n * x ** 1.5 <= 1.4) {
    cdfprob = kolmognDMTW(n, x);
  } else {
    cdfprob = kolmognPelzGood(n, x);
  }
  return clip01(1.0 - cdfprob);
}

/**
 * Survival function of the two-sided one-sample Kolmogorov–Smirnov statistic, P(D_n ≥ d), exactly as
 * `scipy.stats.kstwo.sf(d, n)` in scipy 1.10.1 (and therefore as the asymptotic p-value of
 * `ks_2samp`, which calls it with n = round(n1·n2/(n1+n2))).
 *
 * Outside the support it follows `rv_continuous.sf`: d ≤ 1/(2n) → 1, d ≥ 1 → 0, n not a positive
 * integer (or NaN anywhere) → NaN. Inside, scipy's selection with t = nd: t ≤ 1 → Ruben–Gambino
 * (product for n ≤ 140, Stirling above); t ≥ n − 1 → 2(1−d)^n; d ≥ 0.5 → 2·smirnov. Then for n ≤ 140:
 * nd² ≤ 0.754693 → Durbin matrix, ≤ 4 → Pomeranz, else 2·smirnov. For n > 140: nd² ≥ 370 → 0,
 * ≥ 2.2 → 2·smirnov, else 1 − cdf with the Durbin matrix when n ≤ 100000 and n·d^1.5 ≤ 1.4, otherwise
 * Pelz–Good.
 *
 * @example
 * ```ts
 * kstwoSf(0.274, 10); // 0.3715203845434957 (scipy.stats.kstwo.sf(0.274, 10))
 * kstwoSf(0.3, 1000); // 2.590715705736845e-80: far tails stay relative-accurate
 * ```
 */
export function kstwoSf(d: number, n: number): number {
  if (Number.isNaN(d) || !Number.isFinite(n)) return Number.NaN;
  if (!(n >= 1) || n !== Math.round(n)) return Number.NaN;
  if (d <= 0.5 / n) return 1;
  if (d >= 1) return 0;
  return kolmognSf(n, d);
}
