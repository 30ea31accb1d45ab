import {
  type ColumnProfile,
  type ColumnSample,
  categoricalFromCodes,
  defaultDriftOptions,
  measureColumn,
  numericProfile,
  numericSample,
} from "../drift/index.js";
import { normalQuantile, studentTCdf, studentTQuantile } from "../fairness/index.js";
import { chiSquareSf, quantileSorted } from "../stats/index.js";

/**
 * The analysis of a rollout step: canary against production over the same period, metric by metric,
 * each `pass`, `fail` or `inconclusive` as in Argo Rollouts (a measurement that meets neither its
 * success nor its failure condition is inconclusive), and the run's outcome from them.
 */

/** A metric's outcome, and a run's (Argo's Successful / Failed / Inconclusive). */
export type Outcome = "pass" | "fail" | "inconclusive";

/**
 * What one arm (production or canary) did during the period.
 *
 * @example
 * ```ts
 * const arm: ArmObservations = { requests: 200, errors: 0, latenciesMs: [...], predictions: [...], scores: null, correct: { labelled: 120, correct: 117 }, absoluteErrors: null };
 * ```
 */
export interface ArmObservations {
  /** Prediction requests routed to the arm (rows), failed ones included. */
  readonly requests: number;
  /** Requests that failed (onnxruntime refused, the model's output was unusable). */
  readonly errors: number;
  /** Measured serving latency per prediction, ms. */
  readonly latenciesMs: readonly number[];
  /** Predicted classes (classifiers) or values (regression) as text, for prediction drift. */
  readonly predictions: readonly string[];
  /** The positive class's score per prediction (binary classifiers), for prediction drift; else null. */
  readonly scores: readonly number[] | null;
  /** Classifiers: labelled predictions and how many were right; null for a regression. */
  readonly correct: { readonly labelled: number; readonly correct: number } | null;
  /** Regression: |prediction − label| per labelled prediction; null for a classifier. */
  readonly absoluteErrors: readonly number[] | null;
}

/**
 * The limits of an analysis; {@link defaultAnalysisLimits} holds the documented defaults
 * (docs/deployment.md). A rollout may take them from the acceptance thresholds of the optimization
 * or learning run that produced its candidate.
 */
export interface AnalysisLimits {
  /** Significance level of every one-sided test (0.05). */
  readonly alpha: number;
  /** Labelled predictions each arm needs before quality is judged (100). */
  readonly minLabelled: number;
  /** Predictions each arm needs before latency, error rate, agreement and drift are judged (100). */
  readonly minRequests: number;
  /** Accuracy the canary may lose against production, absolute (0.02). */
  readonly accuracyDrop: number;
  /** Mean absolute error the canary may add, as a share of production's (0.05). */
  readonly maeIncrease: number;
  /** Error rate the canary may add, absolute (0.01). */
  readonly errorRateIncrease: number;
  /** The canary's p99 may be this many times production's … (1.2) */
  readonly latencyRatio: number;
  /** … or this many ms above it, whichever is larger (2): sub-millisecond p99s are mostly noise. */
  readonly latencySlackMs: number;
  /** Least share of requests on which canary and production must agree (0.9). */
  readonly minAgreement: number;
  /**
   * The prediction-drift effect (normalised Wasserstein or Jensen–Shannon) at or above which a
   * significant difference fails; default the drift engine's threshold (0.1). A candidate retrained
   * on shifted data (the learning loop's) is meant to answer differently: its gate has judged that.
   */
  readonly maxPredictionDrift?: number;
}

/**
 * The defaults of {@link AnalysisLimits}.
 *
 * @example
 * ```ts
 * const limits = { ...defaultAnalysisLimits, accuracyDrop: 0.005 };
 * ```
 */
export const defaultAnalysisLimits: AnalysisLimits = {
  alpha: 0.05,
  minLabelled: 100,
  minRequests: 100,
  accuracyDrop: 0.02,
  maeIncrease: 0.05,
  errorRateIncrease: 0.01,
  latencyRatio: 1.2,
  latencySlackMs: 2,
  minAgreement: 0.9,
};

/** One metric's figures and outcome. */
export interface MetricResult {
  readonly metric: "accuracy" | "mae" | "error_rate" | "latency_p99" | "agreement" | "prediction_drift";
  readonly outcome: Outcome;
  /** Canary's and production's values (null where an arm has none). */
  readonly canary: number | null;
  readonly production: number | null;
  /** Samples behind each value. */
  readonly nCanary: number;
  readonly nProduction: number;
  /** The test's p-value (one-sided: canary worse), where there is a test. */
  readonly pValue: number | null;
  /** The limit the outcome was decided against, in the metric's unit. */
  readonly limit: number;
  /** Why, in words. */
  readonly reason: string;
}

/** A whole analysis. */
export interface AnalysisResult {
  readonly outcome: Outcome;
  readonly metrics: MetricResult[];
}

/**
 * Agreement between the two versions on the same inputs (shadow copies and mirrored requests).
 *
 * @example
 * ```ts
 * const agreement: Agreement = { compared: 500, agreed: 493 };
 * ```
 */
export interface Agreement {
  readonly compared: number;
  readonly agreed: number;
}

/** Φ(z), the standard normal distribution function, through χ²₁'s survival function. */
function normalCdf(z: number): number {
  const twoSided = chiSquareSf(z * z, 1);
  return z < 0 ? twoSided / 2 : 1 - twoSided / 2;
}

/**
 * Accuracy, canary against production: the pooled two-proportion z-test (one-sided, H₁: the canary
 * is less accurate) and the Wald lower bound of the difference. Fail: significantly worse *and* the
 * observed drop beyond `accuracyDrop` (Kayenta's "significant and large enough"); pass: the lower
 * (1 − α) bound of canary − production above −`accuracyDrop` (non-inferiority shown); else inconclusive.
 *
 * @example
 * ```ts
 * compareAccuracy({ labelled: 100, correct: 80 }, { labelled: 100, correct: 90 }, defaultAnalysisLimits);
 * // { outcome: "fail", pValue: ≈ 0.0238, … }
 * ```
 */
export function compareAccuracy(
  canary: { readonly labelled: number; readonly correct: number },
  production: { readonly labelled: number; readonly correct: number },
  limits: AnalysisLimits,
): MetricResult {
  const n1 = canary.labelled;
  const n2 = production.labelled;
  const p1 = n1 === 0 ? null : canary.correct / n1;
  const p2 = n2 === 0 ? null : production.correct / n2;
  const base = {
    metric: "accuracy" as const,
    canary: p1,
    production: p2,
    nCanary: n1,
    nProduction: n2,
    limit: limits.accuracyDrop,
  };
  if (p1 === null || p2 === null || n1 < limits.minLabelled || n2 < limits.minLabelled)
    return {
      ...base,
      outcome: "inconclusive",
      pValue: null,
      reason: `${Math.min(n1, n2)} labelled predictions on the smaller arm, ${limits.minLabelled} needed`,
    };
  const pooled = (canary.correct + production.correct) / (n1 + n2);
  const se0 = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  const d = p1 - p2;
  // Identical perfect (or hopeless) arms have no variance: no evidence of a difference at all.
  const pValue = se0 === 0 ? (d < 0 ? 0 : 1) : normalCdf(d / se0);
  const se = Math.sqrt((p1 * (1 - p1)) / n1 + (p2 * (1 - p2)) / n2);
  const lower = d - normalQuantile(1 - limits.alpha) * se;
  if (pValue < limits.alpha && d < -limits.accuracyDrop)
    return {
      ...base,
      outcome: "fail",
      pValue,
      reason: `canary is less accurate by ${fmt(-d)} (p = ${fmt(pValue)})`,
    };
  if (lower >= -limits.accuracyDrop)
    return {
      ...base,
      outcome: "pass",
      pValue,
      reason: `accuracy difference ≥ ${fmt(lower)} at ${1 - limits.alpha}`,
    };
  return {
    ...base,
    outcome: "inconclusive",
    pValue,
    reason: `difference ${fmt(d)}, lower bound ${fmt(lower)}`,
  };
}

/**
 * Mean absolute error (regression), canary against production: Welch's t-test on the absolute errors
 * (one-sided, H₁: the canary's are larger) and the upper (1 − α) bound of the difference in means.
 * Fail: significant and the canary's MAE above production's × (1 + `maeIncrease`); pass: the upper
 * bound within `maeIncrease` × production's MAE; else inconclusive.
 *
 * @example
 * ```ts
 * compareMae([1, 2, 3], [1, 1, 1], limits).pValue; // Welch's one-sided p (scipy: alternative="greater")
 * ```
 */
export function compareMae(
  canary: readonly number[],
  production: readonly number[],
  limits: AnalysisLimits,
): MetricResult {
  const a = moments(canary);
  const b = moments(production);
  const allowed = limits.maeIncrease * (b.mean ?? 0);
  const base = {
    metric: "mae" as const,
    canary: a.mean,
    production: b.mean,
    nCanary: a.n,
    nProduction: b.n,
    limit: allowed,
  };
  if (a.mean === null || b.mean === null || a.n < limits.minLabelled || b.n < limits.minLabelled)
    return {
      ...base,
      outcome: "inconclusive",
      pValue: null,
      reason: `${Math.min(a.n, b.n)} labelled predictions on the smaller arm, ${limits.minLabelled} needed`,
    };
  const va = a.variance / a.n;
  const vb = b.variance / b.n;
  const se = Math.sqrt(va + vb);
  const d = a.mean - b.mean;
  if (se === 0) {
    const outcome: Outcome = d > allowed ? "fail" : "pass";
    return { ...base, outcome, pValue: d > 0 ? 0 : 1, reason: `no variance: difference ${fmt(d)}` };
  }
  const df = (va + vb) ** 2 / (va ** 2 / (a.n - 1) + vb ** 2 / (b.n - 1));
  const t = d / se;
  const pValue = 1 - studentTCdf(t, df);
  const upper = d + studentTQuantile(1 - limits.alpha, df) * se;
  if (pValue < limits.alpha && d > allowed)
    return {
      ...base,
      outcome: "fail",
      pValue,
      reason: `canary's MAE is higher by ${fmt(d)} (p = ${fmt(pValue)})`,
    };
  if (upper <= allowed)
    return {
      ...base,
      outcome: "pass",
      pValue,
      reason: `MAE difference ≤ ${fmt(upper)} at ${1 - limits.alpha}`,
    };
  return {
    ...base,
    outcome: "inconclusive",
    pValue,
    reason: `difference ${fmt(d)}, upper bound ${fmt(upper)}`,
  };
}

/**
 * Error rate, canary against production: the pooled two-proportion z-test (one-sided, H₁: the canary
 * fails more often). Fail: significant and the excess above `errorRateIncrease`; pass: the upper
 * (1 − α) bound of the excess within it; else inconclusive.
 *
 * @example
 * ```ts
 * compareErrorRate({ requests: 1000, errors: 30 }, { requests: 1000, errors: 2 }, limits).outcome; // "fail"
 * ```
 */
export function compareErrorRate(
  canary: { readonly requests: number; readonly errors: number },
  production: { readonly requests: number; readonly errors: number },
  limits: AnalysisLimits,
): MetricResult {
  const n1 = canary.requests;
  const n2 = production.requests;
  const base = {
    metric: "error_rate" as const,
    canary: n1 === 0 ? null : canary.errors / n1,
    production: n2 === 0 ? null : production.errors / n2,
    nCanary: n1,
    nProduction: n2,
    limit: limits.errorRateIncrease,
  };
  if (n1 < limits.minRequests || n2 < limits.minRequests)
    return {
      ...base,
      outcome: "inconclusive",
      pValue: null,
      reason: `${Math.min(n1, n2)} requests on the smaller arm, ${limits.minRequests} needed`,
    };
  const p1 = canary.errors / n1;
  const p2 = production.errors / n2;
  const d = p1 - p2;
  const pooled = (canary.errors + production.errors) / (n1 + n2);
  const se0 = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  const pValue = se0 === 0 ? (d > 0 ? 0 : 1) : 1 - normalCdf(d / se0);
  const se = Math.sqrt((p1 * (1 - p1)) / n1 + (p2 * (1 - p2)) / n2);
  const upper = d + normalQuantile(1 - limits.alpha) * se;
  if (pValue < limits.alpha && d > limits.errorRateIncrease)
    return {
      ...base,
      outcome: "fail",
      pValue,
      reason: `canary fails more often by ${fmt(d)} (p = ${fmt(pValue)})`,
    };
  if (upper <= limits.errorRateIncrease)
    return {
      ...base,
      outcome: "pass",
      pValue,
      reason: `excess error rate ≤ ${fmt(upper)} at ${1 - limits.alpha}`,
    };
  return { ...base, outcome: "inconclusive", pValue, reason: `excess ${fmt(d)}, upper bound ${fmt(upper)}` };
}

/**
 * Latency: the canary's p99 (numpy's linear quantile) against production's. A p99 has no cheap exact
 * test, so this is a limit rule: fail above max(production × `latencyRatio`, production +
 * `latencySlackMs`), pass below it, inconclusive below `minRequests` per arm.
 *
 * @example
 * ```ts
 * compareLatency(canaryMs, productionMs, limits).canary; // the canary's p99, ms
 * ```
 */
export function compareLatency(
  canary: readonly number[],
  production: readonly number[],
  limits: AnalysisLimits,
): MetricResult {
  const p99 = (values: readonly number[]) =>
    values.length === 0 ? null : quantileSorted(Float64Array.from(values).sort(), 0.99);
  const c = p99(canary);
  const p = p99(production);
  const limit = p === null ? Number.NaN : Math.max(p * limits.latencyRatio, p + limits.latencySlackMs);
  const base = {
    metric: "latency_p99" as const,
    canary: c,
    production: p,
    nCanary: canary.length,
    nProduction: production.length,
    pValue: null,
    limit,
  };
  if (
    c === null ||
    p === null ||
    canary.length < limits.minRequests ||
    production.length < limits.minRequests
  )
    return {
      ...base,
      outcome: "inconclusive",
      reason: `${Math.min(canary.length, production.length)} timed predictions on the smaller arm, ${limits.minRequests} needed`,
    };
  return c > limit
    ? { ...base, outcome: "fail", reason: `canary p99 ${fmt(c)} ms above the limit ${fmt(limit)} ms` }
    : { ...base, outcome: "pass", reason: `canary p99 ${fmt(c)} ms within ${fmt(limit)} ms` };
}

/**
 * Agreement with production on the same inputs (shadow copies, mirrored canary requests). Wilson's
 * score interval at 1 − α: fail when its upper end is below `minAgreement`, pass when its lower end
 * is at or above it, else inconclusive.
 *
 * @example
 * ```ts
 * compareAgreement({ compared: 400, agreed: 300 }, limits).outcome; // "fail"
 * ```
 */
export function compareAgreement(agreement: Agreement, limits: AnalysisLimits): MetricResult {
  const n = agreement.compared;
  const rate = n === 0 ? null : agreement.agreed / n;
  const base = {
    metric: "agreement" as const,
    canary: rate,
    production: null,
    nCanary: n,
    nProduction: n,
    pValue: null,
    limit: limits.minAgreement,
  };
  if (rate === null || n < limits.minRequests)
    return {
      ...base,
      outcome: "inconclusive",
      reason: `${n} compared predictions, ${limits.minRequests} needed`,
    };
  const z = normalQuantile(1 - limits.alpha / 2);
  const centre = (rate + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = (z / (1 + (z * z) / n)) * Math.sqrt((rate * (1 - rate)) / n + (z * z) / (4 * n * n));
  if (centre + half < limits.minAgreement)
    return { ...base, outcome: "fail", reason: `agreement ${fmt(rate)}, at most ${fmt(centre + half)}` };
  if (centre - half >= limits.minAgreement)
    return { ...base, outcome: "pass", reason: `agreement ${fmt(rate)}, at least ${fmt(centre - half)}` };
  return {
    ...base,
    outcome: "inconclusive",
    reason: `agreement ${fmt(rate)}, interval spans ${limits.minAgreement}`,
  };
}

/**
 * Prediction drift of the canary against production, with the drift engine's default decision (auto:
 * KS and normalised Wasserstein on a binary classifier's positive score or a regression's values,
 * chi-square and Jensen–Shannon on predicted classes): drifted — significant and the effect at or
 * above its threshold — fails; anything else passes, once each arm has `minRequests` predictions.
 *
 * @example
 * ```ts
 * comparePredictionDrift(canaryArm, productionArm, "categorical", limits).outcome;
 * ```
 */
export function comparePredictionDrift(
  canary: ArmObservations,
  production: ArmObservations,
  kind: "numeric" | "categorical",
  limits: AnalysisLimits,
): MetricResult {
  const base = {
    metric: "prediction_drift" as const,
    nCanary: canary.predictions.length,
    nProduction: production.predictions.length,
  };
  if (canary.predictions.length < limits.minRequests || production.predictions.length < limits.minRequests)
    return {
      ...base,
      canary: null,
      production: null,
      pValue: null,
      limit: Number.NaN,
      outcome: "inconclusive",
      reason: `${Math.min(canary.predictions.length, production.predictions.length)} predictions on the smaller arm, ${limits.minRequests} needed`,
    };
  let reference: ColumnProfile;
  let current: ColumnSample;
  const options = { ...defaultDriftOptions, alpha: limits.alpha };
  if (kind === "numeric") {
    const values = (arm: ArmObservations) =>
      Float64Array.from(arm.scores ?? arm.predictions.map((p) => Number(p)));
    reference = numericProfile(numericSample(values(production)));
    current = numericSample(values(canary));
  } else {
    const categories = [...new Set([...production.predictions, ...canary.predictions])].sort();
    const codes = (arm: ArmObservations) => Int32Array.from(arm.predictions, (p) => categories.indexOf(p));
    reference = categoricalFromCodes(codes(production), categories);
    current = categoricalFromCodes(codes(canary), categories);
  }
  const m = measureColumn(reference, current, options);
  const threshold =
    limits.maxPredictionDrift ??
    (m.effect?.method === "wasserstein" ? options.wassersteinThreshold : options.jensenShannonThreshold);
  const drifted = m.pValue !== null && m.pValue < limits.alpha && (m.effect?.value ?? 0) >= threshold;
  return {
    ...base,
    canary: m.effect?.value ?? m.statistic,
    production: null,
    pValue: m.pValue,
    limit: threshold,
    outcome: drifted ? "fail" : "pass",
    reason: `${m.method} p = ${fmt(m.pValue ?? Number.NaN)}, ${m.effect?.method ?? "effect"} ${fmt(m.effect?.value ?? Number.NaN)} (limit ${threshold})`,
  };
}

/**
 * The run's outcome from its metrics (Argo): any failed metric fails it, else any inconclusive one
 * makes it inconclusive, else it passes.
 *
 * @example
 * ```ts
 * overallOutcome(["pass", "inconclusive"]); // "inconclusive"
 * ```
 */
export function overallOutcome(outcomes: readonly Outcome[]): Outcome {
  if (outcomes.includes("fail")) return "fail";
  if (outcomes.includes("inconclusive")) return "inconclusive";
  return "pass";
}

/**
 * Analyses a step: every metric that applies to the task, and the overall outcome. Agreement is
 * judged only when both versions answered the same inputs (null: not measured, left out).
 *
 * @example
 * ```ts
 * const result = analyzeRollout({ task: "binary", canary, production, agreement: { compared: 300, agreed: 297 } });
 * result.outcome; // "pass" | "fail" | "inconclusive"
 * ```
 */
export function analyzeRollout(input: {
  readonly task: "binary" | "multiclass" | "regression";
  readonly canary: ArmObservations;
  readonly production: ArmObservations;
  readonly agreement: Agreement | null;
  readonly limits?: AnalysisLimits;
}): AnalysisResult {
  const limits = input.limits ?? defaultAnalysisLimits;
  const { canary, production } = input;
  const metrics: MetricResult[] = [];
  if (input.task === "regression")
    metrics.push(compareMae(canary.absoluteErrors ?? [], production.absoluteErrors ?? [], limits));
  else
    metrics.push(
      compareAccuracy(
        canary.correct ?? { labelled: 0, correct: 0 },
        production.correct ?? { labelled: 0, correct: 0 },
        limits,
      ),
    );
  metrics.push(compareErrorRate(canary, production, limits));
  metrics.push(compareLatency(canary.latenciesMs, production.latenciesMs, limits));
  if (input.agreement !== null && input.agreement.compared > 0)
    metrics.push(compareAgreement(input.agreement, limits));
  const numeric =
    input.task === "regression" ||
    (input.task === "binary" && canary.scores !== null && production.scores !== null);
  metrics.push(comparePredictionDrift(canary, production, numeric ? "numeric" : "categorical", limits));
  return { outcome: overallOutcome(metrics.map((m) => m.outcome)), metrics };
}

function moments(values: readonly number[]): { n: number; mean: number | null; variance: number } {
  const n = values.length;
  if (n === 0) return { n, mean: null, variance: 0 };
  let mean = 0;
  for (const v of values) mean += v;
  mean /= n;
  let ss = 0;
  for (const v of values) ss += (v - mean) ** 2;
  return { n, mean, variance: n > 1 ? ss / (n - 1) : 0 };
}

function fmt(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(4))) : String(x);
}
