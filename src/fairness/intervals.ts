/**
 * Confidence intervals for a proportion, for the difference and the ratio of two independent
 * proportions, and for the difference of two means. All are closed forms of counts or of (n, mean,
 * variance), so they follow from the streaming state without the rows, and none needs resampling.
 *
 * - One proportion: Wilson's score interval. Unlike the Wald interval it never leaves [0, 1], is not
 *   zero-width at 0 or n successes, and keeps close to nominal coverage at the group sizes fairness
 *   audits meet (tens to thousands).
 * - Difference p₁ − p₂: Newcombe's hybrid score interval (method 10 of Newcombe 1998, Statistics in
 *   Medicine 17:873–890), built from the two Wilson intervals; it inherits their behaviour at 0 and n,
 *   where the Wald difference interval collapses. statsmodels calls it `method="newcomb"`.
 * - Ratio p₁ / p₂: Katz et al.'s log interval (Biometrics 1978): ln(p₁/p₂) ± z·√(1/x₁ − 1/n₁ + 1/x₂ −
 *   1/n₂). It is undefined with a zero count; then, and only then, 0.5 is added to each count and each
 *   size (statsmodels' `method="log-adjusted"` does so always), and the result says so.
 * - Difference of means: Welch's interval with Welch–Satterthwaite degrees of freedom.
 */

import { criticalValue } from "./normal-quantile.js";
import { studentTQuantile } from "./student-t.js";

/**
 * A two-sided confidence interval.
 *
 * @example
 * ```ts
 * const { lower, upper }: Interval = wilsonInterval(56, 70)!;
 * ```
 */
export interface Interval {
  readonly lower: number;
  readonly upper: number;
}

/**
 * A ratio's interval, with the variant of Katz's method that produced it.
 *
 * @example
 * ```ts
 * const { lower, upper, method }: RatioInterval = katzLogInterval(10, 100, 20, 100)!;
 * ```
 */
export interface RatioInterval extends Interval {
  /** `"katz-log"`, or `"katz-log-adjusted"` when a zero count forced 0.5 onto every count and size. */
  readonly method: "katz-log" | "katz-log-adjusted";
}

function checkCounts(successes: number, trials: number): void {
  if (!Number.isSafeInteger(trials) || trials < 0)
    throw new RangeError(`trials must be a count, got ${trials}`);
  if (!Number.isSafeInteger(successes) || successes < 0 || successes > trials) {
    throw new RangeError(`successes must be a count of at most ${trials}, got ${successes}`);
  }
}

/**
 * Wilson's score interval for a proportion successes/trials (statsmodels'
 * `proportion_confint(method="wilson")`); null with no trial. Centre (x + z²/2)/(n + z²), half-width
 * z·√(x(n − x)/n + z²/4)/(n + z²), clamped to [0, 1] against rounding.
 *
 * @example
 * ```ts
 * wilsonInterval(56, 70); // ≈ { lower: 0.6918, upper: 0.8770 }
 * wilsonInterval(0, 10); // ≈ { lower: 0, upper: 0.2775 }
 * wilsonInterval(0, 0); // null
 * ```
 */
export function wilsonInterval(successes: number, trials: number, confidence = 0.95): Interval | null {
  checkCounts(successes, trials);
  const z = criticalValue(confidence);
  if (trials === 0) return null;
  const z2 = z * z;
  const denominator = trials + z2;
  const centre = (successes + z2 / 2) / denominator;
  const half = (z * Math.sqrt((successes * (trials - successes)) / trials + z2 / 4)) / denominator;
  return { lower: Math.max(0, centre - half), upper: Math.min(1, centre + half) };
}

/**
 * Newcombe's hybrid score interval for p₁ − p₂ = x₁/n₁ − x₂/n₂ (method 10; statsmodels'
 * `confint_proportions_2indep(compare="diff", method="newcomb")`): with (l, u) the Wilson limits,
 * [d − √((p₁ − l₁)² + (u₂ − p₂)²), d + √((u₁ − p₁)² + (p₂ − l₂)²)]. Null when either size is 0.
 *
 * @example
 * ```ts
 * // Newcombe 1998, example (a): 56/70 − 48/80 = 0.2, 95% interval 0.0524 to 0.3339.
 * newcombeInterval(56, 70, 48, 80); // ≈ { lower: 0.05243, upper: 0.33387 }
 * ```
 */
export function newcombeInterval(
  x1: number,
  n1: number,
  x2: number,
  n2: number,
  confidence = 0.95,
): Interval | null {
  const w1 = wilsonInterval(x1, n1, confidence);
  const w2 = wilsonInterval(x2, n2, confidence);
  if (w1 === null || w2 === null) return null;
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const d = p1 - p2;
  return {
    lower: d - Math.hypot(p1 - w1.lower, w2.upper - p2),
    upper: d + Math.hypot(w1.upper - p1, p2 - w2.lower),
  };
}

/**
 * Katz's log interval for the ratio p₁/p₂ = (x₁/n₁)/(x₂/n₂) (statsmodels'
 * `confint_proportions_2indep(compare="ratio", method="log")`). With x₁ = 0 or x₂ = 0 the log interval
 * does not exist; then 0.5 is added to each count and size first (statsmodels' `"log-adjusted"`), and
 * `method` says so. Null when either size is 0, or when both counts are 0 (nothing to compare).
 *
 * @example
 * ```ts
 * katzLogInterval(30, 100, 50, 100); // ≈ { lower: 0.4195, upper: 0.8581, method: "katz-log" }
 * katzLogInterval(0, 40, 12, 40)!.method; // "katz-log-adjusted"
 * ```
 */
export function katzLogInterval(
  x1: number,
  n1: number,
  x2: number,
  n2: number,
  confidence = 0.95,
): RatioInterval | null {
  checkCounts(x1, n1);
  checkCounts(x2, n2);
  const z = criticalValue(confidence);
  if (n1 === 0 || n2 === 0 || (x1 === 0 && x2 === 0)) return null;
  const adjust = x1 === 0 || x2 === 0 ? 0.5 : 0;
  const a = x1 + adjust;
  const m = n1 + adjust;
  const b = x2 + adjust;
  const k = n2 + adjust;
  // In logs: ln(a/m) − ln(b/k) keeps the ratio's digits even when both shares are tiny.
  const logRatio = Math.log(a / m) - Math.log(b / k);
  const spread = z * Math.sqrt(1 / a - 1 / m + 1 / b - 1 / k);
  return {
    lower: Math.exp(logRatio - spread),
    upper: Math.exp(logRatio + spread),
    method: adjust === 0 ? "katz-log" : "katz-log-adjusted",
  };
}

/**
 * A sample's size, mean and unbiased variance (ddof 1), as the regression variant keeps them per group.
 *
 * @example
 * ```ts
 * const summary: SampleSummary = { count: 40, mean: 12.5, variance: 4.2 };
 * ```
 */
export interface SampleSummary {
  readonly count: number;
  readonly mean: number;
  readonly variance: number;
}

/**
 * Welch's interval for a difference of means, with its degrees of freedom.
 *
 * @example
 * ```ts
 * const { lower, upper, degreesOfFreedom }: WelchInterval = welchInterval(a, b)!;
 * ```
 */
export interface WelchInterval extends Interval {
  /** The Welch–Satterthwaite degrees of freedom (not an integer in general). */
  readonly degreesOfFreedom: number;
  /** √(s₁²/n₁ + s₂²/n₂). */
  readonly standardError: number;
}

/**
 * Welch's interval for μ₁ − μ₂: d ± t·√(s₁²/n₁ + s₂²/n₂), t the Student quantile at the
 * Welch–Satterthwaite degrees of freedom ν = (v₁ + v₂)² / (v₁²/(n₁ − 1) + v₂²/(n₂ − 1)), vᵢ = sᵢ²/nᵢ.
 * It does not assume equal variances, which between groups of a population is rarely true. Null when a
 * sample has fewer than two values, or when both variances are 0 (ν is 0/0: no interval exists).
 *
 * @example
 * ```ts
 * welchInterval({ count: 10, mean: 5, variance: 1 }, { count: 12, mean: 4, variance: 2 });
 * // ≈ { lower: -0.0788, upper: 2.0788, degreesOfFreedom: 19.56, standardError: 0.5164 }
 * ```
 */
export function welchInterval(
  first: SampleSummary,
  second: SampleSummary,
  confidence = 0.95,
): WelchInterval | null {
  checkConfidence(confidence);
  if (first.count < 2 || second.count < 2) return null;
  const v1 = first.variance / first.count;
  const v2 = second.variance / second.count;
  const total = v1 + v2;
  if (!(total > 0)) return null;
  const degreesOfFreedom = (total * total) / ((v1 * v1) / (first.count - 1) + (v2 * v2) / (second.count - 1));
  const standardError = Math.sqrt(total);
  const half = tCritical(confidence, degreesOfFreedom) * standardError;
  const d = first.mean - second.mean;
  return { lower: d - half, upper: d + half, degreesOfFreedom, standardError };
}

/**
 * Student's interval for one mean: x̄ ± t(n − 1)·s/√n. Null with fewer than two values.
 *
 * @example
 * ```ts
 * meanInterval({ count: 10, mean: 5, variance: 1 }); // ≈ { lower: 4.2846, upper: 5.7154 }
 * ```
 */
export function meanInterval(sample: SampleSummary, confidence = 0.95): Interval | null {
  checkConfidence(confidence);
  if (sample.count < 2) return null;
  const half = tCritical(confidence, sample.count - 1) * Math.sqrt(sample.variance / sample.count);
  return { lower: sample.mean - half, upper: sample.mean + half };
}

function checkConfidence(confidence: number): void {
  if (!(confidence > 0 && confidence < 1)) {
    throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  }
}

/** The two-sided t critical value, from the lower tail area (1 − level)/2, as {@link criticalValue}. */
function tCritical(confidence: number, degreesOfFreedom: number): number {
  return -studentTQuantile((1 - confidence) / 2, degreesOfFreedom);
}
