/**
 * Confidence-based performance estimation (CBPE, NannyML's `nannyml.performance_estimation.
 * confidence_based`): a binary classifier's accuracy, precision, recall, specificity and F1 estimated on
 * a window whose labels have not arrived, from its scores alone.
 *
 * If the calibrated probability pᵢ = P(yᵢ = 1 | scoreᵢ) is right, each row's confusion-matrix cell is a
 * Bernoulli draw with a known probability, so the window's expected confusion counts are
 *
 *   E[TP] = Σ_{ŷ=1} pᵢ    E[FP] = Σ_{ŷ=1} (1 − pᵢ)    E[FN] = Σ_{ŷ=0} pᵢ    E[TN] = Σ_{ŷ=0} (1 − pᵢ),
 *
 * and every metric is computed from them as NannyML does (a ratio of expected counts, e.g. precision =
 * E[TP] / (E[TP] + E[FP])). The assumption, which NannyML states too: P(y | x) is the reference's —
 * covariate shift is allowed, concept drift is not — and p is calibrated. Scores that are not
 * probabilities are calibrated on the labelled reference by isotonic regression ({@link
 * fitCbpeCalibrator}), when NannyML's check says it helps.
 *
 * Sampling error. Given the window's p and ŷ, the realised metric is random (the labels still have to
 * be drawn); its standard error is NannyML's "sampling error" idea made exact for this model. Row i is
 * correct with probability cᵢ = pᵢ or 1 − pᵢ, variance pᵢ(1 − pᵢ) either way, so the realised accuracy
 * has SE = √(Σ pᵢ(1 − pᵢ)) / n; precision's denominator (the predicted positives) is fixed, so its SE is
 * √(Σ_{ŷ=1} pᵢ(1 − pᵢ)) / #(ŷ = 1). Recall, specificity and F1 divide random counts by random counts:
 * their SE is the delta method's. The band is estimate ± 3·SE, clipped to [0, 1]. It covers the
 * realised value when p is calibrated; a wrong calibration adds a bias the band does not include.
 */

import { CompensatedSum } from "./compensated-sum.js";
import { IsotonicRegression } from "./isotonic.js";
import { expectCount, expectFormat, expectNumber, expectSumPair } from "./json.js";

const FORMAT = "tiktoktoe.metrics.cbpe";
const VERSION = 1;

/**
 * Half-width of the estimate's band in standard errors (NannyML's default alert band is ±3σ).
 *
 * @example
 * ```ts
 * const upper = estimate + CBPE_BAND_SIGMAS * standardError;
 * ```
 */
export const CBPE_BAND_SIGMAS = 3;

/**
 * Options of {@link needsCalibration}: NannyML's `needs_calibration` defaults.
 *
 * @example
 * ```ts
 * const options: NeedsCalibrationOptions = { random: seededRandom(42).uniform, splits: 10, bins: 10 };
 * ```
 */
export interface NeedsCalibrationOptions {
  /** Uniform numbers in [0, 1) for the stratified shuffle splits; the caller owns the seed. */
  readonly random: () => number;
  /** Train/test splits (≥ 1); default 10. */
  readonly splits?: number;
  /** Share of each class held out per split, in (0, 1); default 0.1. */
  readonly testShare?: number;
  /** Equal-count bins of the expected calibration error (≥ 2); default 10. */
  readonly bins?: number;
}

/**
 * How {@link fitCbpeCalibrator} calibrates: always by isotonic regression, never, or (default) as
 * NannyML decides with {@link needsCalibration}, which needs a random source.
 *
 * @example
 * ```ts
 * const always: CbpeCalibrationOptions = { calibration: "isotonic" };
 * const auto: CbpeCalibrationOptions = { random: seededRandom(42).uniform };
 * ```
 */
export type CbpeCalibrationOptions = { readonly calibration: "isotonic" | "none" } | CbpeAutoCalibration;

/**
 * The default of {@link CbpeCalibrationOptions}: calibrate when {@link needsCalibration} says it helps.
 *
 * @example
 * ```ts
 * const auto: CbpeAutoCalibration = { calibration: "auto", random: seededRandom(42).uniform };
 * ```
 */
export interface CbpeAutoCalibration extends NeedsCalibrationOptions {
  readonly calibration?: "auto";
}

function checkReference(scores: ArrayLike<number>, labels: ArrayLike<number>): void {
  if (scores.length !== labels.length) {
    throw new RangeError(`${scores.length} scores but ${labels.length} labels`);
  }
  for (let i = 0; i < scores.length; i++) {
    if (!Number.isFinite(scores[i]!)) throw new RangeError(`score ${i} is not finite: ${scores[i]}`);
    if (labels[i] !== 0 && labels[i] !== 1)
      throw new RangeError(`label ${i} must be 0 or 1, got ${labels[i]}`);
  }
}

/**
 * NannyML's expected calibration error: rows sorted by probability, cut by index into equal-count bins
 * (`bins` of them, fewer when there are under 2 rows a bin, the remainder in the last), and the
 * row-weighted mean of |mean probability − share of positives| over the bins.
 *
 * @example
 * ```ts
 * expectedCalibrationError([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1], 2); // |0.15 − 0| / 2 + |0.85 − 1| / 2 = 0.15
 * ```
 */
export function expectedCalibrationError(
  probabilities: ArrayLike<number>,
  labels: ArrayLike<number>,
  bins = 10,
): number {
  const n = probabilities.length;
  if (labels.length !== n) throw new RangeError(`${n} probabilities but ${labels.length} labels`);
  const count = n <= 2 * bins ? Math.floor(n / 2) : bins;
  if (count < 2) throw new RangeError(`cannot cut ${n} rows into 2 bins or more`);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => probabilities[a]! - probabilities[b]!);
  const width = Math.floor(n / count);
  const edges: number[] = [];
  for (let e = 0; e <= n; e += width) edges.push(e);
  edges[edges.length - 1] = n;
  let ece = 0;
  for (let b = 0; b + 1 < edges.length; b++) {
    const from = edges[b]!;
    const to = edges[b + 1]!;
    let p = 0;
    let y = 0;
    for (let k = from; k < to; k++) {
      p += probabilities[order[k]!]!;
      y += labels[order[k]!]!;
    }
    ece += Math.abs(p - y) / n;
  }
  return ece;
}

/**
 * Whether isotonic calibration makes the reference scores more calibrated, decided as NannyML's
 * `needs_calibration` does: no when the labels hold one class or the scores separate them almost
 * perfectly (ROC AUC > 0.999); else `splits` stratified shuffle splits hold out `testShare` of each
 * class, a calibrator fitted on the rest calibrates the held-out scores, and the answer is yes when the
 * {@link expectedCalibrationError} of all held-out scores together is lower calibrated than raw. The
 * splits come from `random`, not numpy's generator, so they are not NannyML's rows.
 *
 * @example
 * ```ts
 * needsCalibration(squaredScores, labels, { random: seededRandom(42).uniform }); // true
 * ```
 */
export function needsCalibration(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  options: NeedsCalibrationOptions,
): boolean {
  checkReference(scores, labels);
  const splits = options.splits ?? 10;
  const testShare = options.testShare ?? 0.1;
  const bins = options.bins ?? 10;
  if (!Number.isSafeInteger(splits) || splits < 1)
    throw new RangeError(`splits must be an integer ≥ 1, got ${splits}`);
  if (!(testShare > 0 && testShare < 1))
    throw new RangeError(`testShare must be in (0, 1), got ${testShare}`);
  const classes: [number[], number[]] = [[], []];
  for (let i = 0; i < labels.length; i++) classes[labels[i] as 0 | 1].push(i);
  if (classes[0].length === 0 || classes[1].length === 0) return false;
  if (rocAuc(scores, labels, classes) > 0.999) return false;

  const heldLabels: number[] = [];
  const heldRaw: number[] = [];
  const heldCalibrated: number[] = [];
  const isTest = new Uint8Array(labels.length);
  for (let s = 0; s < splits; s++) {
    isTest.fill(0);
    for (const members of classes) {
      // A partial Fisher–Yates shuffle picks this class's held-out rows.
      const pool = members.slice();
      const take = Math.min(pool.length - 1, Math.max(1, Math.round(testShare * pool.length)));
      for (let k = 0; k < take; k++) {
        const j = k + Math.min(pool.length - k - 1, Math.floor(options.random() * (pool.length - k)));
        const t = pool[k]!;
        pool[k] = pool[j]!;
        pool[j] = t;
        isTest[pool[k]!] = 1;
      }
    }
    const trainScores: number[] = [];
    const trainLabels: number[] = [];
    for (let i = 0; i < labels.length; i++) {
      if (isTest[i] === 1) continue;
      trainScores.push(scores[i]!);
      trainLabels.push(labels[i]!);
    }
    const calibrator = IsotonicRegression.fit(trainScores, trainLabels);
    for (let i = 0; i < labels.length; i++) {
      if (isTest[i] === 0) continue;
      heldLabels.push(labels[i]!);
      heldRaw.push(scores[i]!);
      heldCalibrated.push(calibrator.predict(scores[i]!));
    }
  }
  return (
    expectedCalibrationError(heldRaw, heldLabels, bins) >
    expectedCalibrationError(heldCalibrated, heldLabels, bins)
  );
}

/** Mann–Whitney ROC AUC, ties counted ½; for the "already separates" check only. */
function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>, classes: [number[], number[]]): number {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let rankSum = 0;
  for (let start = 0; start < order.length; ) {
    let end = start + 1;
    while (end < order.length && scores[order[end]!] === scores[order[start]!]) end++;
    for (let k = start; k < end; k++) if (labels[order[k]!] === 1) rankSum += (start + 1 + end) / 2;
    start = end;
  }
  const positives = classes[1].length;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * classes[0].length);
}

/**
 * Fits CBPE's calibration on the labelled reference: an isotonic regression of the labels on the scores,
 * or null when the scores are used as probabilities unchanged (`calibration: "none"`, or "auto" when
 * {@link needsCalibration} says calibrating would not help). Store it with `toJSON` beside the
 * reference; every window's {@link CbpeAccumulator} uses it.
 *
 * @example
 * ```ts
 * const calibrator = fitCbpeCalibrator(referenceScores, referenceLabels, { random: seededRandom(42).uniform });
 * const window = new CbpeAccumulator({ calibrator });
 * ```
 */
export function fitCbpeCalibrator(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  options: CbpeCalibrationOptions,
): IsotonicRegression | null {
  checkReference(scores, labels);
  if (scores.length === 0) throw new RangeError("CBPE calibration needs labelled reference rows");
  if (options.calibration === "none") return null;
  if (options.calibration === "isotonic") return IsotonicRegression.fit(scores, labels);
  // Only the "auto" form is left; TypeScript does not narrow a union on an optional discriminant.
  const auto = options as CbpeAutoCalibration;
  return needsCalibration(scores, labels, auto) ? IsotonicRegression.fit(scores, labels) : null;
}

/**
 * An estimated metric with its sampling error.
 *
 * @example
 * ```ts
 * const { estimate, lower, upper } = result.accuracy!; // alert when upper < 0.95
 * ```
 */
export interface CbpeEstimate {
  readonly estimate: number;
  /** Standard error of the realised metric given the window's probabilities and predictions. */
  readonly standardError: number;
  /** `estimate − 3·standardError`, at least 0. */
  readonly lower: number;
  /** `estimate + 3·standardError`, at most 1. */
  readonly upper: number;
}

/**
 * What {@link CbpeAccumulator.result} reports. A metric is null when its denominator is 0 (no rows; no
 * predicted positives for precision; no expected positives for recall, no expected negatives for
 * specificity).
 *
 * @example
 * ```ts
 * const { rows, expected, accuracy, f1 }: CbpeResult = window.result();
 * ```
 */
export interface CbpeResult {
  readonly rows: number;
  /** Rows predicted positive. */
  readonly predictedPositive: number;
  /** Expected confusion counts (sums of probabilities, so not integers). */
  readonly expected: { readonly tp: number; readonly fp: number; readonly tn: number; readonly fn: number };
  readonly accuracy: CbpeEstimate | null;
  readonly precision: CbpeEstimate | null;
  readonly recall: CbpeEstimate | null;
  readonly specificity: CbpeEstimate | null;
  readonly f1: CbpeEstimate | null;
}

/**
 * The JSON form of a {@link CbpeAccumulator} (format version 1). The calibrator is not part of it: it
 * belongs to the reference and is handed to `fromJSON` again.
 *
 * @example
 * ```ts
 * const stored = JSON.stringify(window); // a CbpeJson
 * ```
 */
export interface CbpeJson {
  readonly format: typeof FORMAT;
  readonly version: typeof VERSION;
  readonly threshold: number;
  readonly rows: number;
  readonly predictedPositive: number;
  /** Σ p over rows predicted positive (E[TP]), as a `[sum, compensation]` pair. */
  readonly positiveProbability: [number, number];
  /** Σ p over rows predicted negative (E[FN]). */
  readonly negativeProbability: [number, number];
  /** Σ p(1 − p) over rows predicted positive (the variance of the realised TP). */
  readonly positiveVariance: [number, number];
  /** Σ p(1 − p) over rows predicted negative (the variance of the realised FN). */
  readonly negativeVariance: [number, number];
}

/**
 * Options of a {@link CbpeAccumulator}.
 *
 * @example
 * ```ts
 * const options: CbpeOptions = { calibrator: IsotonicRegression.fromJSON(stored), threshold: 0.5 };
 * ```
 */
export interface CbpeOptions {
  /** The reference's calibration ({@link fitCbpeCalibrator}); null or absent: scores are probabilities. */
  readonly calibrator?: IsotonicRegression | null;
  /** A row whose raw score is above this is predicted positive, when `add` is not told. Default 0.5. */
  readonly threshold?: number;
}

/**
 * Accumulates one unlabelled window of a binary classifier's scores into CBPE's expected confusion
 * counts and their variances: six numbers, whatever the window's size. Merging adds them, so windows
 * combine in any order; the JSON form is exact. Pure: no I/O, no clock.
 *
 * @example
 * ```ts
 * const window = new CbpeAccumulator({ calibrator });
 * window.add(0.92); // predicted positive (0.92 > 0.5)
 * window.add(0.3, true); // the model's own decision, when it used another threshold
 * const { accuracy } = window.result(); // { estimate, standardError, lower, upper }
 * ```
 */
export class CbpeAccumulator {
  readonly threshold: number;
  private readonly calibrator: IsotonicRegression | null;
  private rows = 0;
  private predictedPositive = 0;
  private positiveProbability = new CompensatedSum();
  private negativeProbability = new CompensatedSum();
  private positiveVariance = new CompensatedSum();
  private negativeVariance = new CompensatedSum();

  constructor(options: CbpeOptions = {}) {
    this.calibrator = options.calibrator ?? null;
    this.threshold = options.threshold ?? 0.5;
    if (!Number.isFinite(this.threshold))
      throw new RangeError(`threshold must be finite, got ${this.threshold}`);
  }

  /**
   * Adds one scored row: its raw score and, optionally, the class the model predicted (else `score >
   * threshold`). Throws, changing nothing, on a non-finite score or, without a calibrator, a score
   * outside [0, 1].
   */
  add(score: number, predicted?: boolean): void {
    if (!Number.isFinite(score)) throw new RangeError(`score must be finite, got ${score}`);
    const p = this.calibrator === null ? score : this.calibrator.predict(score);
    if (!(p >= 0 && p <= 1))
      throw new RangeError(`probability must be in [0, 1], got ${p} (calibrate the scores)`);
    const positive = predicted ?? score > this.threshold;
    this.rows++;
    if (positive) {
      this.predictedPositive++;
      this.positiveProbability.add(p);
      this.positiveVariance.add(p * (1 - p));
    } else {
      this.negativeProbability.add(p);
      this.negativeVariance.add(p * (1 - p));
    }
  }

  /**
   * Adds another window's sums; `other` is not changed. Each row's expectations were fixed when it was
   * added, so windows merge whatever their thresholds or calibrators.
   */
  merge(other: CbpeAccumulator): this {
    this.rows += other.rows;
    this.predictedPositive += other.predictedPositive;
    this.positiveProbability.merge(other.positiveProbability);
    this.negativeProbability.merge(other.negativeProbability);
    this.positiveVariance.merge(other.positiveVariance);
    this.negativeVariance.merge(other.negativeVariance);
    return this;
  }

  /** The window's estimates; see {@link CbpeResult} for when each is null. */
  result(): CbpeResult {
    const n = this.rows;
    const P = this.predictedPositive;
    const A = this.positiveProbability.value(); // E[TP]
    const B = this.negativeProbability.value(); // E[FN]
    const vA = this.positiveVariance.value();
    const vB = this.negativeVariance.value();
    const tp = A;
    const fp = P - A;
    const fn = B;
    const tn = n - P - B;
    const estimate = (value: number, variance: number): CbpeEstimate => {
      const standardError = Math.sqrt(Math.max(variance, 0));
      return {
        estimate: value,
        standardError,
        lower: Math.max(0, value - CBPE_BAND_SIGMAS * standardError),
        upper: Math.min(1, value + CBPE_BAND_SIGMAS * standardError),
      };
    };
    // Delta method for a/(a + b)-shaped ratios of independent sums: ∂/∂a = b/(a+b)², ∂/∂b = −a/(a+b)².
    const recallDenominator = A + B;
    const specificityDenominator = tn + fp;
    const f1Denominator = A + B + P; // 2TP + FP + FN, with FP = P − TP
    return {
      rows: n,
      predictedPositive: P,
      expected: { tp, fp, tn, fn },
      accuracy: n === 0 ? null : estimate((tp + tn) / n, (vA + vB) / (n * n)),
      precision: P === 0 ? null : estimate(tp / P, vA / (P * P)),
      recall:
        recallDenominator <= 0
          ? null
          : estimate(A / recallDenominator, (B * B * vA + A * A * vB) / recallDenominator ** 4),
      // TN = (n − P) − B falls as B rises, FP = P − A falls as A rises.
      specificity:
        specificityDenominator <= 0
          ? null
          : estimate(
              tn / specificityDenominator,
              (tn * tn * vA + fp * fp * vB) / specificityDenominator ** 4,
            ),
      f1:
        f1Denominator <= 0
          ? null
          : estimate((2 * A) / f1Denominator, (4 * ((B + P) ** 2 * vA + A * A * vB)) / f1Denominator ** 4),
    };
  }

  /** The state as JSON ({@link CbpeJson}); `fromJSON` restores it exactly. */
  toJSON(): CbpeJson {
    return {
      format: FORMAT,
      version: VERSION,
      threshold: this.threshold,
      rows: this.rows,
      predictedPositive: this.predictedPositive,
      positiveProbability: this.positiveProbability.toJSON(),
      negativeProbability: this.negativeProbability.toJSON(),
      positiveVariance: this.positiveVariance.toJSON(),
      negativeVariance: this.negativeVariance.toJSON(),
    };
  }

  /**
   * Restores an accumulator from {@link CbpeAccumulator.toJSON}'s form (parsed JSON), with the
   * reference's calibrator for rows added from now on.
   */
  static fromJSON(value: unknown, calibrator: IsotonicRegression | null = null): CbpeAccumulator {
    const record = expectFormat(value, FORMAT, VERSION);
    const accumulator = new CbpeAccumulator({
      calibrator,
      threshold: expectNumber(record.threshold, "threshold"),
    });
    accumulator.rows = expectCount(record.rows, "rows");
    accumulator.predictedPositive = expectCount(record.predictedPositive, "predictedPositive");
    if (accumulator.predictedPositive > accumulator.rows) {
      throw new RangeError("fromJSON: predictedPositive exceeds rows");
    }
    accumulator.positiveProbability = CompensatedSum.fromJSON(
      expectSumPair(record.positiveProbability, "positiveProbability"),
    );
    accumulator.negativeProbability = CompensatedSum.fromJSON(
      expectSumPair(record.negativeProbability, "negativeProbability"),
    );
    accumulator.positiveVariance = CompensatedSum.fromJSON(
      expectSumPair(record.positiveVariance, "positiveVariance"),
    );
    accumulator.negativeVariance = CompensatedSum.fromJSON(
      expectSumPair(record.negativeVariance, "negativeVariance"),
    );
    return accumulator;
  }
}
