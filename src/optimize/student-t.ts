/**
 * Student's t distribution for integer degrees of freedom (a k-fold paired test has k − 1), in closed
 * form: Abramowitz & Stegun 26.7.3 (odd ν) and 26.7.4 (even ν) give A(t|ν) = P(|T| ≤ t) as a finite
 * series in θ = atan(t/√ν); the quantile inverts it by bisection.
 */

/**
 * P(T ≤ t) for ν a positive integer.
 *
 * @example
 * ```ts
 * studentTCdf(0, 4); // 0.5
 * studentTCdf(1, 1); // 0.75 (Cauchy)
 * ```
 */
export function studentTCdf(t: number, df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new RangeError(`df must be a positive integer, got ${df}`);
  if (Number.isNaN(t)) return Number.NaN;
  if (t === Number.POSITIVE_INFINITY) return 1;
  if (t === Number.NEGATIVE_INFINITY) return 0;
  const theta = Math.atan(Math.abs(t) / Math.sqrt(df));
  const c = Math.cos(theta);
  const s = Math.sin(theta);
  let a: number;
  if (df % 2 === 1) {
    // A = (2/π)[θ + sin θ (cos θ + (2/3) cos³θ + … + (2·4…(ν−3))/(1·3…(ν−2)) cos^(ν−2) θ)]
    let series = 0;
    let term = c;
    for (let k = 1; k <= (df - 1) / 2; k++) {
      series += term;
      term *= (c * c * (2 * k)) / (2 * k + 1);
    }
    a = (2 / Math.PI) * (theta + s * series);
  } else {
    // A = sin θ [1 + (1/2) cos²θ + (1·3)/(2·4) cos⁴θ + … + (1·3…(ν−3))/(2·4…(ν−2)) cos^(ν−2) θ]
    let series = 0;
    let term = 1;
    for (let k = 0; k < df / 2; k++) {
      series += term;
      term *= (c * c * (2 * k + 1)) / (2 * k + 2);
    }
    a = s * series;
  }
  return t >= 0 ? 0.5 + a / 2 : 0.5 - a / 2;
}

/**
 * The p-quantile of Student's t with integer ν (bisection on {@link studentTCdf} to double precision).
 *
 * @example
 * ```ts
 * studentTQuantile(0.975, 4); // ≈ 2.7764
 * studentTQuantile(0.975, 2); // 0.95/√(2·0.975·0.025) ≈ 4.3027
 * ```
 */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`p must be in (0, 1), got ${p}`);
  if (p === 0.5) return 0;
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  let lo = 0;
  let hi = 1;
  while (studentTCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-15 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
