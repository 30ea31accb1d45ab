/**
 * The inverse of the standard normal distribution function, for the critical values of every
 * confidence interval in this folder. `src/stats/` has none (it works with p-values, never quantiles),
 * and the fairness layer may not reach into another feature, so it lives here.
 *
 * Wichura's algorithm AS 241 (PPND16, Applied Statistics 37(3), 1988): three rational approximations
 * (central |p − ½| ≤ 0.425, intermediate tails, far tails) with about 1e-16 relative error, which is
 * double precision. Acklam's better-known approximation is only good to 1.15e-9 without a refinement
 * step, too coarse for golden values compared to 1e-12.
 */

// The coefficients of AS 241 as printed (20 significant digits), written in the shortest form that reads
// back as the same double: the linter rejects digits a double cannot hold, and the values are unchanged.
const A = [
  3.3871328727963665, 133.14166789178438, 1971.5909503065513, 13731.69376550946, 45921.95393154987,
  67265.7709270087, 33430.57558358813, 2509.0809287301227,
];
const B = [
  1, 42.31333070160091, 687.1870074920579, 5394.196021424751, 21213.794301586597, 39307.89580009271,
  28729.085735721943, 5226.495278852854,
];
const C = [
  1.4234371107496835, 4.630337846156546, 5.769497221460691, 3.6478483247632045, 1.2704582524523684,
  0.2417807251774506, 0.022723844989269184, 0.0007745450142783414,
];
const D = [
  1, 2.053191626637759, 1.6763848301838038, 0.6897673349851, 0.14810397642748008, 0.015198666563616457,
  0.0005475938084995345, 1.0507500716444169e-9,
];
const E = [
  6.657904643501103, 5.463784911164114, 1.7848265399172913, 0.29656057182850487, 0.026532189526576124,
  0.0012426609473880784, 0.000027115555687434876, 2.0103343992922881e-7,
];
const F = [
  1, 0.599832206555888, 0.1369298809227358, 0.014875361290850615, 0.0007868691311456133,
  0.000018463183175100548, 1.421511758316446e-7, 2.0442631033899397e-15,
];

/** Horner's rule, coefficients from the constant term up. */
function poly(coefficients: readonly number[], x: number): number {
  let value = 0;
  for (let i = coefficients.length - 1; i >= 0; i--) value = value * x + coefficients[i]!;
  return value;
}

/**
 * The p-quantile of the standard normal distribution, Φ⁻¹(p) (scipy's `norm.ppf`): −∞ at 0, +∞ at 1,
 * NaN outside [0, 1].
 *
 * @example
 * ```ts
 * normalQuantile(0.975); // ≈ 1.959963984540054
 * normalQuantile(0.5); // 0
 * ```
 */
export function normalQuantile(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return Number.NaN;
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (q * poly(A, r)) / poly(B, r);
  }
  // 1 − p is exact for p ≥ ½ (Sterbenz), so the upper tail is as accurate as p itself can be: a p near 1
  // already lost the digits below ulp(1) when it was rounded to a double.
  let r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  let value: number;
  if (r <= 5) {
    r -= 1.6;
    value = poly(C, r) / poly(D, r);
  } else {
    r -= 5;
    value = poly(E, r) / poly(F, r);
  }
  return q < 0 ? -value : value;
}

/**
 * The two-sided critical value z for a confidence level: Φ⁻¹(1 − (1 − level)/2), computed from the
 * upper tail area (1 − level)/2 so no digits are lost near level = 1.
 *
 * @example
 * ```ts
 * criticalValue(0.95); // ≈ 1.959963984540054
 * ```
 */
export function criticalValue(confidence: number): number {
  if (!(confidence > 0 && confidence < 1)) {
    throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  }
  return -normalQuantile((1 - confidence) / 2);
}
