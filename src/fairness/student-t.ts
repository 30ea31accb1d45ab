/**
 * Student's t distribution, for the Welch intervals of the regression variant (whose Welch–Satterthwaite
 * degrees of freedom are not integers). The upper tail is ½·I_x(ν/2, ½) with x = ν/(ν + t²), the
 * regularised incomplete beta function evaluated by Lentz's continued fraction (Numerical Recipes'
 * `betacf`); the quantile inverts it by Newton's method on log-tail versus log-t, started from the
 * Cornish–Fisher expansion (Abramowitz & Stegun 26.7.5), which alone serves above 3,000 degrees of freedom.
 * Checked against scipy 1.10.1's `t.cdf`, and against `t.ppf` polished by Newton steps on scipy's own
 * `t.cdf`/`t.pdf` (golden/fairness_sklearn.json.gz): scipy 1.10's `t.ppf` (CDFLIB's `cdft`) is itself
 * only good to about 1e-9.
 */

import { gammaQ } from "../stats/index.js";
import { normalQuantile } from "./normal-quantile.js";

const HALF_LOG_PI = 0.5 * Math.log(Math.PI);
const EPSILON = 1e-15;
const MAX_ITERATIONS = 100_000;
const TINY = 1e-300;
/**
 * Above this, and for tails of at least {@link EXPANSION_TAIL}, the four-term Cornish–Fisher expansion is
 * good to 1e-13 relative (its next term is of order z¹¹/ν⁵; measured with 40-digit mpmath), while the
 * continued fraction, whose iterations grow as √ν, drifts to 1e-12 by ν = 1e5.
 */
const EXPANSION_DF = 3000;
const EXPANSION_TAIL = 1e-12;

/**
 * ln Γ(a + ½) − ln Γ(a), without the cancellation of two large log-gammas: the t density's constant and
 * the incomplete beta's prefactor both need it, and with ν in the thousands a difference of Lanczos
 * values (each ~1e4, good to 1e-15 relative) would keep only ten digits.
 */
function logGammaHalfRatio(a: number): number {
  // Γ(a + ½)/Γ(a) = Γ(a + k + ½)/Γ(a + k) · Π_{j<k} (a + j)/(a + j + ½): shift a up to where Stirling's
  // series is exact to double precision, and take the product as a sum of log1p terms.
  let shift = 0;
  let z = a;
  while (z < 20) {
    shift -= Math.log1p(0.5 / z);
    z += 1;
  }
  // Stirling: ln Γ(z) = (z − ½) ln z − z + ½ ln 2π + S(z), so the difference is
  // ½ ln z + [z·log1p(1/(2z)) − ½] + S(z + ½) − S(z); the bracket is small and computed without loss.
  const series = (x: number): number => {
    const x2 = x * x;
    return (1 / 12 - (1 / 360 - (1 / 1260 - (1 / 1680 - 1 / (1188 * x2)) / x2) / x2) / x2) / x;
  };
  return shift + 0.5 * Math.log(z) + (z * Math.log1p(0.5 / z) - 0.5) + series(z + 0.5) - series(z);
}

/** Lentz's continued fraction for I_x(a, b), without its prefactor x^a (1 − x)^b / (a·B(a, b)). */
function betaFraction(a: number, b: number, x: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= MAX_ITERATIONS; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < EPSILON) break;
  }
  return h;
}

/**
 * Upper tail P(T > t) for t ≥ 0, with its logarithm (the quantile's Newton steps work in logs so that
 * tails down to 1e-300 converge as fast as central ones).
 */
function upperTail(t: number, df: number): { tail: number; logTail: number } {
  if (t === 0) return { tail: 0.5, logTail: -Math.LN2 };
  const a = df / 2;
  const t2 = t * t;
  // x = ν/(ν + t²) and 1 − x = t²/(ν + t²), each formed directly: 1 − x by subtraction would lose every
  // digit when t² ≪ ν.
  const y = t2 / (df + t2);
  const logX = -Math.log1p(t2 / df);
  const logY = Math.log(y);
  // ln of x^a (1 − x)^½ / B(a, ½), with ln B(a, ½) = ln Γ(½) − [ln Γ(a + ½) − ln Γ(a)].
  const logFront = a * logX + 0.5 * logY - HALF_LOG_PI + logGammaHalfRatio(a);
  const x = Math.exp(logX);
  if (x < (a + 1) / (a + 2.5)) {
    // The fraction converges fast for I_x(a, ½) itself: the tail is ½·front·cf/a.
    const logTail = logFront + Math.log(betaFraction(a, 0.5, x) / a) - Math.LN2;
    return { tail: Math.exp(logTail), logTail };
  }
  // Near the centre, use the symmetry I_x(a, ½) = 1 − I_{1−x}(½, a); the tail is then in (0.1, 0.5], so
  // the subtraction costs at most a digit.
  const tail = 0.5 * (1 - (Math.exp(logFront) * betaFraction(0.5, a, y)) / 0.5);
  return { tail, logTail: Math.log(tail) };
}

/**
 * The distribution function of Student's t with `df` > 0 degrees of freedom (scipy's `t.cdf`); `df` may
 * be fractional, as Welch's degrees of freedom are. Infinite `df` is the standard normal. About 1e-15
 * relative up to ν = 1,000, degrading to 1e-12 by ν = 1e5 (the quantile does not rely on it there).
 *
 * @example
 * ```ts
 * studentTCdf(2.0, 10); // ≈ 0.9633059826146298
 * studentTCdf(0, 3.5); // 0.5
 * ```
 */
export function studentTCdf(t: number, df: number): number {
  checkDf(df);
  if (Number.isNaN(t)) return Number.NaN;
  if (t === Number.POSITIVE_INFINITY) return 1;
  if (t === Number.NEGATIVE_INFINITY) return 0;
  // The normal limit: P(|Z| > t) = Q(½, t²/2), the regularised upper incomplete gamma function.
  const tail =
    df === Number.POSITIVE_INFINITY ? 0.5 * gammaQ(0.5, (t * t) / 2) : upperTail(Math.abs(t), df).tail;
  return t < 0 ? tail : 1 - tail;
}

/**
 * The p-quantile of Student's t with `df` > 0 degrees of freedom (scipy's `t.ppf`), to about 1e-13
 * relative for tails of at least 1e-12 (1e-14 below ν = 3,000); `df` may be fractional; infinite `df`
 * gives the normal quantile.
 *
 * @example
 * ```ts
 * studentTQuantile(0.975, 10); // ≈ 2.2281388519862735
 * studentTQuantile(0.975, 1); // ≈ 12.706204736174703 (Cauchy: tan(0.475π))
 * ```
 */
export function studentTQuantile(p: number, df: number): number {
  checkDf(df);
  if (Number.isNaN(p) || p < 0 || p > 1) return Number.NaN;
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  if (p === 0.5) return 0;
  // The tail area is exact either way: 1 − p has no rounding error for p ≥ ½ (Sterbenz).
  const tail = p < 0.5 ? p : 1 - p;
  const t = upperQuantile(tail, df);
  return p < 0.5 ? -t : t;
}

/** The t with P(T > t) = tail, for tail in (0, ½). */
function upperQuantile(tail: number, df: number): number {
  // Closed forms where they exist: Cauchy (ν = 1) and ν = 2.
  if (df === 1) return 1 / Math.tan(Math.PI * tail);
  if (df === 2) return (1 - 2 * tail) / Math.sqrt(2 * tail * (1 - tail));
  const z = -normalQuantile(tail);
  if (!Number.isFinite(df) || (df > EXPANSION_DF && tail >= EXPANSION_TAIL)) return cornishFisher(z, df);
  // Newton on u = ln t: d ln Q/du = −t·f(t)/Q(t). ln Q is close to linear in u in the tails (slope −ν)
  // and concave near the centre, so the steps converge from any positive start; the cap on a step guards
  // the first one, taken from the expansion, which is poor for small ν and extreme tails.
  const logTarget = Math.log(tail);
  const logDensityConstant = logGammaHalfRatio(df / 2) - 0.5 * Math.log(df * Math.PI);
  let t = cornishFisher(z, df);
  if (!(t > 0) || !Number.isFinite(t)) t = z > 0 ? z : 1;
  let u = Math.log(t);
  for (let i = 0; i < 200; i++) {
    t = Math.exp(u);
    const { logTail } = upperTail(t, df);
    const logDensity = logDensityConstant - ((df + 1) / 2) * Math.log1p((t * t) / df);
    // (ln Q − ln α) / (t·f/Q), with t·f/Q formed in logs to stay finite in far tails.
    const slope = Math.exp(u + logDensity - logTail);
    let step = (logTail - logTarget) / slope;
    if (!Number.isFinite(step)) break;
    step = Math.max(-2, Math.min(2, step));
    u += step;
    if (Math.abs(step) < 4e-16) break;
  }
  return Math.exp(u);
}

/** A&S 26.7.5: t ≈ z + g₁/ν + g₂/ν² + g₃/ν³ + g₄/ν⁴. */
function cornishFisher(z: number, df: number): number {
  if (!Number.isFinite(df)) return z;
  const z2 = z * z;
  const g1 = (z * (z2 + 1)) / 4;
  const g2 = (z * ((5 * z2 + 16) * z2 + 3)) / 96;
  const g3 = (z * (((3 * z2 + 19) * z2 + 17) * z2 - 15)) / 384;
  const g4 = (z * ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945)) / 92160;
  return z + (g1 + (g2 + (g3 + g4 / df) / df) / df) / df;
}

function checkDf(df: number): void {
  if (!(df > 0)) throw new RangeError(`degrees of freedom must be positive, got ${df}`);
}
