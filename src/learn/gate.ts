import {
  categoricalFromNumbers,
  type DriftOptions,
  defaultDriftOptions,
  measureColumn,
  numericProfile,
  numericSample,
} from "../drift/index.js";
import { type Interval, meanInterval, studentTCdf, wilsonInterval } from "../fairness/index.js";
import { chiSquareSf, logGamma } from "../stats/index.js";

/**
 * The promotion gate (issue #15, "Verification and promotion"): a candidate model and the serving
 * baseline, scored on the same events, are compared on accuracy (a paired test), fairness (the
 * worst-group gap per sensitive attribute) and stability (churn, negative flips, PSI), and the gate
 * says promote or reject with every reason. Pure: the clock is passed in, nothing is read or written.
 * Defaults and definitions: docs/learning.md, "Promotion gate".
 */

/** What the two models predict. */
export type GateTask = "classification" | "regression";

/** An event-time range, milliseconds since the epoch, start inclusive and end exclusive. */
export interface EventRange {
  readonly start: number;
  readonly end: number;
}

/** The default warm-up in shadow: one hour of event time. */
export const DEFAULT_WARM_UP_MS = 3_600_000;
/** The default evaluation period: 24 hours of event time, after the warm-up. */
export const DEFAULT_EVALUATION_MS = 86_400_000;

/**
 * The default periods for a candidate put in shadow at event time `start`: warm-up
 * [start, start + 1 h), evaluation [start + 1 h, start + 25 h).
 *
 * @example
 * ```ts
 * gatePeriods(0); // { warmUp: { start: 0, end: 3600000 }, evaluation: { start: 3600000, end: 90000000 } }
 * ```
 */
export function gatePeriods(
  start: number,
  warmUpMs = DEFAULT_WARM_UP_MS,
  evaluationMs = DEFAULT_EVALUATION_MS,
): { warmUp: EventRange; evaluation: EventRange } {
  const end = start + warmUpMs;
  return { warmUp: { start, end }, evaluation: { start: end, end: end + evaluationMs } };
}

/** One model's answers on the events, in the events' order. */
export interface GateModel {
  readonly version: string;
  /** Classification: the predicted class; regression: the predicted value. */
  readonly predictions: readonly (number | string)[];
  /** Optional scores (e.g. the positive class's probability); PSI is taken on them when both have them. */
  readonly scores?: readonly number[];
}

/**
 * The events both models were scored on.
 *
 * @example
 * ```ts
 * const input: GateInput = {
 *   task: "classification", labels: [1, 0], evaluation: { start: 0, end: 10 },
 *   baseline: { version: "v1", predictions: [1, 1] }, candidate: { version: "v2", predictions: [1, 0] },
 * };
 * ```
 */
export interface GateInput {
  readonly task: GateTask;
  readonly labels: readonly (number | string)[];
  readonly baseline: GateModel;
  readonly candidate: GateModel;
  /** Sensitive attribute → one group value per event (null = unknown, left out of that attribute). */
  readonly groups?: Readonly<Record<string, readonly (number | string | null)[]>>;
  /** The period the candidate learned or warmed up on: recorded, and its events are not judged. */
  readonly warmUp?: EventRange;
  /** The period judged. */
  readonly evaluation: EventRange;
  /** Each event's time; when given, only events inside `evaluation` (and outside `warmUp`) are judged. */
  readonly eventTimes?: readonly number[];
  /** The positive class, needed by the `positive-rate` fairness metric. */
  readonly positiveLabel?: number | string;
}

/** The per-group metric compared across groups. */
export type GateFairnessMetric = "accuracy" | "positive-rate" | "mae";

/** The gate's limits; every field has a default in {@link DEFAULT_GATE_OPTIONS}. */
export interface GateOptions {
  /** Significance level of the paired accuracy test. */
  readonly alpha: number;
  /**
   * Required improvement: classification, accuracy points (candidate − baseline); regression, the
   * relative MAE reduction (baseline − candidate) / baseline. 0 = "not worse" is enough.
   */
  readonly minImprovement: number;
  /** Fewest judged events. */
  readonly minSamples: number;
  /** Fewest events for a group to count in the worst-group gap. */
  readonly minGroupSamples: number;
  /** Default: accuracy (classification), mae (regression). */
  readonly fairnessMetric?: GateFairnessMetric;
  /**
   * Most the worst-group gap may widen: classification, in rate points; regression, as a share of
   * the baseline's overall MAE.
   */
  readonly maxGapWidening: number;
  /** Most share of events whose answer changes. */
  readonly maxChurn: number;
  /** Most share of events the baseline got right and the candidate gets wrong. */
  readonly maxNegativeFlipRate: number;
  /** Most PSI of the candidate's scores (or predictions) against the baseline's. */
  readonly maxPsi: number;
  /**
   * Regression only, as a share of the baseline's MAE: a prediction "changes" when it moves by more
   * than this, and is "right" when its absolute error is within it.
   */
  readonly regressionTolerance: number;
  /** Confidence of the per-group intervals. */
  readonly confidence: number;
}

/** The defaults, documented in docs/learning.md ("Promotion gate"). */
export const DEFAULT_GATE_OPTIONS: GateOptions = {
  alpha: 0.05,
  minImprovement: 0,
  minSamples: 200,
  minGroupSamples: 30,
  maxGapWidening: 0.05,
  maxChurn: 0.15,
  maxNegativeFlipRate: 0.05,
  maxPsi: 0.1,
  regressionTolerance: 0.5,
  confidence: 0.95,
};

/** Discordant pairs below which McNemar's test is exact (statsmodels' `mcnemar(exact=…)` advice). */
export const MCNEMAR_EXACT_BELOW = 25;

/** McNemar's test on the discordant pairs of two paired classifiers. */
export interface McNemarResult {
  /** Events the baseline got right and the candidate wrong. */
  readonly baselineOnly: number;
  /** Events the candidate got right and the baseline wrong. */
  readonly candidateOnly: number;
  readonly method: "exact-binomial" | "chi-square-corrected";
  /** χ² with continuity correction, or min(b, c) for the exact test. */
  readonly statistic: number;
  readonly pValue: number;
}

/**
 * McNemar's two-sided test: with n = b + c discordant pairs, exact binomial
 * p = min(1, 2·P(X ≤ min(b, c))), X ~ Bin(n, ½) when n < {@link MCNEMAR_EXACT_BELOW} (scipy's
 * `binomtest(min(b, c), n, 0.5)`), else χ² = (|b − c| − 1)² / n on 1 degree of freedom.
 *
 * @example
 * ```ts
 * mcnemar(2, 8).pValue; // ≈ 0.109375 (exact)
 * ```
 */
export function mcnemar(baselineOnly: number, candidateOnly: number): McNemarResult {
  const n = baselineOnly + candidateOnly;
  if (n < MCNEMAR_EXACT_BELOW) {
    const k = Math.min(baselineOnly, candidateOnly);
    let tail = 0;
    for (let i = 0; i <= k; i++)
      tail += Math.exp(logGamma(n + 1) - logGamma(i + 1) - logGamma(n - i + 1) - n * Math.LN2);
    return {
      baselineOnly,
      candidateOnly,
      method: "exact-binomial",
      statistic: k,
      pValue: Math.min(1, 2 * tail),
    };
  }
  const d = Math.abs(baselineOnly - candidateOnly) - 1;
  const statistic = (Math.max(d, 0) * Math.max(d, 0)) / n;
  return {
    baselineOnly,
    candidateOnly,
    method: "chi-square-corrected",
    statistic,
    pValue: chiSquareSf(statistic, 1),
  };
}

/** The paired t-test on d = |candidate error| − |baseline error|. */
export interface PairedTResult {
  readonly method: "paired-t";
  /** Mean of d: positive when the candidate's absolute errors are larger. */
  readonly meanDifference: number;
  readonly statistic: number;
  readonly degreesOfFreedom: number;
  readonly pValue: number;
}

/**
 * Two-sided paired t-test of mean(d) = 0 (scipy's `ttest_rel(candidate, baseline)`); with no
 * spread in d, p is 1 when d is all 0 and 0 otherwise.
 *
 * @example
 * ```ts
 * pairedT([1, 2, 3], [1, 1, 1]).pValue; // ≈ 0.2254
 * ```
 */
export function pairedT(candidate: ArrayLike<number>, baseline: ArrayLike<number>): PairedTResult {
  const n = candidate.length;
  if (n !== baseline.length || n < 2)
    throw new RangeError(`paired t needs two equal samples of 2+, got ${n}`);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += (candidate[i]! - baseline[i]!) / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (candidate[i]! - baseline[i]! - mean) ** 2;
  const se = Math.sqrt(ss / (n - 1) / n);
  const df = n - 1;
  if (!(se > 0)) {
    const statistic = mean === 0 ? 0 : Math.sign(mean) * Number.POSITIVE_INFINITY;
    return {
      method: "paired-t",
      meanDifference: mean,
      statistic,
      degreesOfFreedom: df,
      pValue: mean === 0 ? 1 : 0,
    };
  }
  const statistic = mean / se;
  return {
    method: "paired-t",
    meanDifference: mean,
    statistic,
    degreesOfFreedom: df,
    pValue: Math.min(1, 2 * studentTCdf(-Math.abs(statistic), df)),
  };
}

/** Why the gate rejected. */
export type GateReasonCode =
  | "too-few-samples"
  | "significantly-worse"
  | "improvement-below-margin"
  | "fairness-gap-widened"
  | "churn-too-high"
  | "negative-flips-too-high"
  | "psi-too-high";

/** One reason, with the figure and the limit it broke. */
export interface GateReason {
  readonly code: GateReasonCode;
  readonly message: string;
  readonly value: number;
  readonly limit: number;
  /** The sensitive attribute, for a fairness reason. */
  readonly attribute?: string;
}

/** One group's metric under both models. */
export interface GateGroupMetric {
  readonly group: string;
  readonly count: number;
  readonly baseline: number;
  readonly candidate: number;
  readonly baselineInterval: Interval | null;
  readonly candidateInterval: Interval | null;
}

/** One sensitive attribute's check. */
export interface GateAttributeCheck {
  readonly attribute: string;
  readonly metric: GateFairnessMetric;
  /** Groups with at least `minGroupSamples` events (the gap is over these). */
  readonly groups: readonly GateGroupMetric[];
  /** Groups left out for having too few events. */
  readonly smallGroups: readonly string[];
  /** max − min of the metric over the groups kept. */
  readonly baselineGap: number;
  readonly candidateGap: number;
  /** Candidate gap − baseline gap, in the limit's unit (rate points, or share of baseline MAE). */
  readonly widening: number;
  readonly passed: boolean;
}

/** The gate's decision, everything it measured, and what it was given. */
export interface GateDecision {
  readonly decision: "promote" | "reject";
  readonly reasons: readonly GateReason[];
  readonly baselineVersion: string;
  readonly candidateVersion: string;
  readonly task: GateTask;
  readonly warmUp: EventRange | null;
  readonly evaluation: EventRange;
  /** The clock's reading when the decision was made (ms since the epoch). */
  readonly decidedAt: number;
  /** Events judged, and events left out as outside the evaluation period. */
  readonly samples: { readonly judged: number; readonly excluded: number };
  readonly accuracy: {
    /** Accuracy (classification) or MAE (regression). */
    readonly metric: "accuracy" | "mae";
    readonly baseline: number;
    readonly candidate: number;
    /** Accuracy points, or the relative MAE reduction. */
    readonly improvement: number;
    readonly test: McNemarResult | PairedTResult;
  };
  readonly fairness: readonly GateAttributeCheck[];
  readonly stability: {
    readonly churn: number;
    readonly negativeFlipRate: number;
    readonly psi: number;
    readonly psiOn: "scores" | "predictions";
  };
  readonly options: GateOptions;
}

/**
 * Decides whether the candidate may replace the baseline. Throws RangeError when the arrays do not
 * line up; too few events is a rejection, not an error.
 *
 * @example
 * ```ts
 * const decision = decidePromotion(input, () => Date.now());
 * if (decision.decision === "reject") console.log(decision.reasons.map((r) => r.message));
 * ```
 */
export function decidePromotion(
  input: GateInput,
  clock: () => number,
  overrides: Partial<GateOptions> = {},
): GateDecision {
  const options: GateOptions = { ...DEFAULT_GATE_OPTIONS, ...overrides };
  const judged = judgedEvents(input);
  const regression = input.task === "regression";
  const n = judged.length;
  const reasons: GateReason[] = [];
  if (n < Math.max(options.minSamples, 2)) {
    reasons.push({
      code: "too-few-samples",
      message: `${n} events judged, the gate needs at least ${options.minSamples}`,
      value: n,
      limit: options.minSamples,
    });
  }
  const y = judged.map((i) => input.labels[i]!);
  const b = judged.map((i) => input.baseline.predictions[i]!);
  const c = judged.map((i) => input.candidate.predictions[i]!);

  // Per event: the absolute errors (regression) or correctness (classification) of both models.
  const baseError = regression ? y.map((v, i) => Math.abs(Number(b[i]) - Number(v))) : [];
  const candError = regression ? y.map((v, i) => Math.abs(Number(c[i]) - Number(v))) : [];
  const baseMae = mean(baseError);
  const tolerance = options.regressionTolerance * baseMae;
  const baseRight = regression ? baseError.map((e) => e <= tolerance) : y.map((v, i) => same(b[i]!, v));
  const candRight = regression ? candError.map((e) => e <= tolerance) : y.map((v, i) => same(c[i]!, v));

  const accuracy = measureAccuracy(regression, baseRight, candRight, baseError, candError, n);
  if (accuracy.test.pValue < options.alpha && worse(accuracy.test)) {
    reasons.push({
      code: "significantly-worse",
      message: `candidate is significantly worse (${accuracy.test.method}, p = ${fmt(accuracy.test.pValue)} < ${options.alpha})`,
      value: accuracy.test.pValue,
      limit: options.alpha,
    });
  } else if (n >= 2 && accuracy.improvement < options.minImprovement) {
    reasons.push({
      code: "improvement-below-margin",
      message: `candidate improves ${accuracy.metric} by ${fmt(accuracy.improvement)}, the gate asks for ${options.minImprovement}`,
      value: accuracy.improvement,
      limit: options.minImprovement,
    });
  }

  const metric: GateFairnessMetric = options.fairnessMetric ?? (regression ? "mae" : "accuracy");
  if (metric === "positive-rate" && input.positiveLabel === undefined)
    throw new RangeError("the positive-rate fairness metric needs input.positiveLabel");
  if (metric === "mae" && !regression) throw new RangeError("the mae fairness metric is for regression");
  if (metric !== "mae" && regression)
    throw new RangeError(`the ${metric} fairness metric is for classification`);
  const fairness: GateAttributeCheck[] = [];
  for (const [attribute, column] of Object.entries(input.groups ?? {})) {
    if (column.length !== input.labels.length)
      throw new RangeError(
        `group column ${attribute} has ${column.length} values for ${input.labels.length} events`,
      );
    const check = checkAttribute(
      attribute,
      metric,
      judged.map((i) => column[i] ?? null),
      {
        baseError,
        candError,
        baseRight,
        candRight,
        basePositive: b.map((v) => same(v, input.positiveLabel!)),
        candPositive: c.map((v) => same(v, input.positiveLabel!)),
        options,
        scale: regression ? baseMae : 1,
      },
    );
    fairness.push(check);
    if (!check.passed) {
      reasons.push({
        code: "fairness-gap-widened",
        message: `${attribute}: worst-group ${metric} gap widens from ${fmt(check.baselineGap)} to ${fmt(check.candidateGap)} (limit +${options.maxGapWidening}${regression ? " × baseline MAE" : ""})`,
        value: check.widening,
        limit: options.maxGapWidening,
        attribute,
      });
    }
  }

  let changed = 0;
  let flips = 0;
  for (let i = 0; i < n; i++) {
    if (regression ? Math.abs(Number(c[i]) - Number(b[i])) > tolerance : !same(c[i]!, b[i]!)) changed++;
    if (baseRight[i] && !candRight[i]) flips++;
  }
  const churn = n > 0 ? changed / n : 0;
  const negativeFlipRate = n > 0 ? flips / n : 0;
  const useScores = input.baseline.scores !== undefined && input.candidate.scores !== undefined;
  const psi = n > 0 ? psiOf(judged, input, useScores, regression) : 0;
  if (churn > options.maxChurn)
    reasons.push({
      code: "churn-too-high",
      message: `${fmt(churn * 100)}% of answers change (limit ${options.maxChurn * 100}%)`,
      value: churn,
      limit: options.maxChurn,
    });
  if (negativeFlipRate > options.maxNegativeFlipRate)
    reasons.push({
      code: "negative-flips-too-high",
      message: `${fmt(negativeFlipRate * 100)}% of events flip from right to wrong (limit ${options.maxNegativeFlipRate * 100}%)`,
      value: negativeFlipRate,
      limit: options.maxNegativeFlipRate,
    });
  if (psi > options.maxPsi)
    reasons.push({
      code: "psi-too-high",
      message: `PSI of the candidate's ${useScores ? "scores" : "predictions"} against the baseline's is ${fmt(psi)} (limit ${options.maxPsi})`,
      value: psi,
      limit: options.maxPsi,
    });

  return {
    decision: reasons.length === 0 ? "promote" : "reject",
    reasons,
    baselineVersion: input.baseline.version,
    candidateVersion: input.candidate.version,
    task: input.task,
    warmUp: input.warmUp ?? null,
    evaluation: input.evaluation,
    decidedAt: clock(),
    samples: { judged: n, excluded: input.labels.length - n },
    accuracy,
    fairness,
    stability: { churn, negativeFlipRate, psi, psiOn: useScores ? "scores" : "predictions" },
    options,
  };
}

function judgedEvents(input: GateInput): number[] {
  const total = input.labels.length;
  const lengths: [string, number | undefined][] = [
    ["baseline.predictions", input.baseline.predictions.length],
    ["candidate.predictions", input.candidate.predictions.length],
    ["baseline.scores", input.baseline.scores?.length],
    ["candidate.scores", input.candidate.scores?.length],
    ["eventTimes", input.eventTimes?.length],
  ];
  for (const [name, length] of lengths)
    if (length !== undefined && length !== total)
      throw new RangeError(`${name} has ${length} values for ${total} labels`);
  const { evaluation, warmUp, eventTimes } = input;
  if (!(evaluation.start <= evaluation.end))
    throw new RangeError("evaluation.start must not be after evaluation.end");
  const judged: number[] = [];
  for (let i = 0; i < total; i++) {
    if (eventTimes) {
      const t = eventTimes[i]!;
      if (!(t >= evaluation.start && t < evaluation.end)) continue;
      if (warmUp && t >= warmUp.start && t < warmUp.end) continue;
    }
    judged.push(i);
  }
  return judged;
}

function measureAccuracy(
  regression: boolean,
  baseRight: boolean[],
  candRight: boolean[],
  baseError: number[],
  candError: number[],
  n: number,
): GateDecision["accuracy"] {
  if (regression) {
    const baseline = mean(baseError);
    const candidate = mean(candError);
    return {
      metric: "mae",
      baseline,
      candidate,
      improvement: baseline > 0 ? (baseline - candidate) / baseline : 0,
      test:
        n >= 2
          ? pairedT(candError, baseError)
          : { method: "paired-t", meanDifference: 0, statistic: 0, degreesOfFreedom: 0, pValue: 1 },
    };
  }
  let baselineOnly = 0;
  let candidateOnly = 0;
  let baseCorrect = 0;
  let candCorrect = 0;
  for (let i = 0; i < n; i++) {
    if (baseRight[i]) baseCorrect++;
    if (candRight[i]) candCorrect++;
    if (baseRight[i] && !candRight[i]) baselineOnly++;
    if (!baseRight[i] && candRight[i]) candidateOnly++;
  }
  const baseline = n > 0 ? baseCorrect / n : 0;
  const candidate = n > 0 ? candCorrect / n : 0;
  return {
    metric: "accuracy",
    baseline,
    candidate,
    improvement: candidate - baseline,
    test: mcnemar(baselineOnly, candidateOnly),
  };
}

function worse(test: McNemarResult | PairedTResult): boolean {
  return test.method === "paired-t" ? test.meanDifference > 0 : test.baselineOnly > test.candidateOnly;
}

interface PerEvent {
  readonly baseError: number[];
  readonly candError: number[];
  readonly baseRight: boolean[];
  readonly candRight: boolean[];
  readonly basePositive: boolean[];
  readonly candPositive: boolean[];
  readonly options: GateOptions;
  /** The unit of the widening: 1, or the baseline's MAE for regression. */
  readonly scale: number;
}

function checkAttribute(
  attribute: string,
  metric: GateFairnessMetric,
  column: (number | string | null)[],
  events: PerEvent,
): GateAttributeCheck {
  const members = new Map<string, number[]>();
  column.forEach((value, i) => {
    if (value === null) return;
    const key = String(value);
    const list = members.get(key);
    if (list) list.push(i);
    else members.set(key, [i]);
  });
  const { options } = events;
  const groups: GateGroupMetric[] = [];
  const smallGroups: string[] = [];
  for (const [group, rows] of [...members].sort(([a], [b]) => a.localeCompare(b))) {
    if (rows.length < options.minGroupSamples) {
      smallGroups.push(group);
      continue;
    }
    if (metric === "mae") {
      const base = summary(rows.map((i) => events.baseError[i]!));
      const cand = summary(rows.map((i) => events.candError[i]!));
      groups.push({
        group,
        count: rows.length,
        baseline: base.mean,
        candidate: cand.mean,
        baselineInterval: meanInterval(base, options.confidence),
        candidateInterval: meanInterval(cand, options.confidence),
      });
    } else {
      const base = metric === "accuracy" ? events.baseRight : events.basePositive;
      const cand = metric === "accuracy" ? events.candRight : events.candPositive;
      const bx = rows.filter((i) => base[i]).length;
      const cx = rows.filter((i) => cand[i]).length;
      groups.push({
        group,
        count: rows.length,
        baseline: bx / rows.length,
        candidate: cx / rows.length,
        baselineInterval: wilsonInterval(bx, rows.length, options.confidence),
        candidateInterval: wilsonInterval(cx, rows.length, options.confidence),
      });
    }
  }
  const gap = (pick: (g: GateGroupMetric) => number) =>
    groups.length < 2 ? 0 : Math.max(...groups.map(pick)) - Math.min(...groups.map(pick));
  const baselineGap = gap((g) => g.baseline);
  const candidateGap = gap((g) => g.candidate);
  const widening = events.scale > 0 ? (candidateGap - baselineGap) / events.scale : 0;
  return {
    attribute,
    metric,
    groups,
    smallGroups,
    baselineGap,
    candidateGap,
    widening,
    passed: widening <= options.maxGapWidening,
  };
}

/** PSI through src/drift: numeric scores or regression values in the baseline's deciles, else class frequencies. */
function psiOf(judged: number[], input: GateInput, useScores: boolean, regression: boolean): number {
  const psiOptions: DriftOptions = { ...defaultDriftOptions, method: "psi" };
  if (useScores || regression) {
    const pick = (model: GateModel) =>
      Float64Array.from(judged, (i) => Number(useScores ? model.scores![i] : model.predictions[i]));
    const reference = numericProfile(numericSample(pick(input.baseline)));
    return measureColumn(reference, numericSample(pick(input.candidate)), psiOptions).statistic;
  }
  // Class labels as codes shared by both sides, so categoricalFromNumbers sees the same categories.
  const codes = new Map<string, number>();
  const code = (v: number | string) => {
    const key = String(v);
    if (!codes.has(key)) codes.set(key, codes.size);
    return codes.get(key)!;
  };
  const reference = categoricalFromNumbers(
    Float64Array.from(judged, (i) => code(input.baseline.predictions[i]!)),
  );
  const current = categoricalFromNumbers(
    Float64Array.from(judged, (i) => code(input.candidate.predictions[i]!)),
  );
  return measureColumn(reference, current, psiOptions).statistic;
}

function same(a: number | string, b: number | string): boolean {
  return a === b || String(a) === String(b);
}

function mean(values: number[]): number {
  if (values.length === 0) return 0;
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

function summary(values: number[]): { count: number; mean: number; variance: number } {
  const m = mean(values);
  let ss = 0;
  for (const v of values) ss += (v - m) ** 2;
  return { count: values.length, mean: m, variance: values.length > 1 ? ss / (values.length - 1) : 0 };
}

function fmt(value: number): string {
  return Number.isFinite(value) ? value.toPrecision(3) : String(value);
}
