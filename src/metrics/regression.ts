/**
 * Quality metrics of a regression model over one window — MAE, RMSE, R² and MAPE as scikit-learn 1.2.1
 * computes them — as a mergeable, serialisable accumulator of O(1) size.
 *
 * The error sums (Σ|e|, Σe², Σ|e|/max(|y|, eps)) are compensated sums. R² needs Σ(y − ȳ)², which the
 * one-pass formula Σy² − n·ȳ² destroys when y has a large offset (y ≈ 1e6 + N(0, 1) keeps no correct
 * digit). We keep (n, mean, M2) of y instead, updated by Welford's recurrence and merged by Chan et al.'s
 * formula, with the mean carried as a double-double (hi + lo): a plain double mean of values near 1e6
 * is off by up to ½ ulp(1e6) ≈ 6e-11 at every update, an error that M2 would otherwise accumulate.
 */

import { type LabelCoverage, labelCoverage } from "./classification-result.js";
import { CompensatedSum } from "./compensated-sum.js";
import { expectCount, expectFormat, expectNumber, expectNumbers, expectSumPair } from "./json.js";

const FORMAT = "tiktoktoe.metrics.regression";
const VERSION = 1;

/**
 * The floor of |y| in MAPE's denominator: float64 machine epsilon, as scikit-learn's
 * `mean_absolute_percentage_error` uses (`np.finfo(np.float64).eps`). A zero target with a non-zero
 * error therefore adds |e| / 2.2e-16 — huge, on purpose: MAPE is undefined there.
 *
 * @example
 * ```ts
 * MAPE_EPS === Number.EPSILON; // true
 * ```
 */
export const MAPE_EPS = Number.EPSILON;

/**
 * Metrics of a regression window (null with no labelled event: scikit-learn raises on empty input).
 *
 * @example
 * ```ts
 * const { mae, rmse, r2, mape }: RegressionResult = accumulator.result();
 * ```
 */
export interface RegressionResult extends LabelCoverage {
  /** Mean absolute error, `mean_absolute_error`. */
  readonly mae: number | null;
  /** Root mean squared error, `mean_squared_error(squared=False)`. */
  readonly rmse: number | null;
  /**
   * `r2_score` (force_finite=True): 1 − Σe² / Σ(y − ȳ)²; 1 when every error is 0; 0 when the errors are
   * not all 0 but y is constant; null with fewer than two labelled events (scikit-learn returns nan).
   */
  readonly r2: number | null;
  /** `mean_absolute_percentage_error`: mean of |e| / max(|y|, {@link MAPE_EPS}), a fraction (not %). */
  readonly mape: number | null;
}

/**
 * The JSON form of a {@link RegressionAccumulator} (format version 1). Sums are `[sum, compensation]`.
 *
 * @example
 * ```ts
 * const stored = JSON.stringify(accumulator); // a RegressionJson
 * ```
 */
export interface RegressionJson {
  readonly format: typeof FORMAT;
  readonly version: typeof VERSION;
  readonly events: number;
  readonly labelled: number;
  readonly absoluteError: [number, number];
  readonly squaredError: [number, number];
  readonly percentageError: [number, number];
  /** Mean of the true values as a double-double `[hi, lo]`. */
  readonly truthMean: [number, number];
  /** Σ(y − ȳ)² of the true values. */
  readonly truthM2: number;
}

/**
 * Accumulates one window of a regression model's labelled events. Pure: no I/O, no clock.
 *
 * @example
 * ```ts
 * const window = new RegressionAccumulator();
 * window.addEvents(4);
 * window.addLabel(3, 2.5);
 * window.addLabel(-0.5, 0);
 * window.addLabel(2, 2);
 * window.addLabel(7, 8);
 * window.result(); // { mae: 0.5, rmse: 0.612…, r2: 0.9486…, mape: 0.3273…, coverage: 1, … }
 * ```
 */
export class RegressionAccumulator {
  private events = 0;
  private n = 0;
  private absoluteError = new CompensatedSum();
  private squaredError = new CompensatedSum();
  private percentageError = new CompensatedSum();
  private meanHi = 0;
  private meanLo = 0;
  private m2 = 0;

  /** Counts prediction events of this window, labelled or not (for label coverage). */
  addEvents(count = 1): void {
    if (!Number.isSafeInteger(count) || count < 0)
      throw new RangeError(`count must be a count, got ${count}`);
    this.events += count;
  }

  /** Adds one labelled event: the true value and the prediction, both finite (else it throws). */
  addLabel(truth: number, prediction: number): void {
    if (!Number.isFinite(truth) || !Number.isFinite(prediction)) {
      throw new RangeError(`truth and prediction must be finite numbers, got ${truth} and ${prediction}`);
    }
    const error = prediction - truth;
    const absolute = Math.abs(error);
    this.absoluteError.add(absolute);
    this.squaredError.add(error * error);
    this.percentageError.add(absolute / Math.max(Math.abs(truth), MAPE_EPS));
    this.n++;
    // Welford: M2 += (y − old mean)(y − new mean).
    const before = truth - this.meanHi - this.meanLo;
    this.shiftMean(before / this.n);
    this.m2 += before * (truth - this.meanHi - this.meanLo);
  }

  /** Adds another window (Chan et al.'s pairwise update for the mean and M2); `other` is not changed. */
  merge(other: RegressionAccumulator): this {
    this.events += other.events;
    this.absoluteError.merge(other.absoluteError);
    this.squaredError.merge(other.squaredError);
    this.percentageError.merge(other.percentageError);
    const na = this.n;
    const nb = other.n;
    if (nb === 0) return this;
    const n = na + nb;
    const delta = other.meanHi - this.meanHi + (other.meanLo - this.meanLo);
    const m2 = this.m2 + other.m2 + ((delta * delta * na) / n) * nb;
    this.n = n;
    if (na === 0) {
      this.meanHi = other.meanHi;
      this.meanLo = other.meanLo;
    } else {
      this.shiftMean((delta * nb) / n);
    }
    this.m2 = m2;
    return this;
  }

  /** The window's metrics; see {@link RegressionResult} for when each is null. */
  result(): RegressionResult {
    const coverage = labelCoverage(this.events, this.n);
    const n = this.n;
    if (n === 0) return { ...coverage, mae: null, rmse: null, r2: null, mape: null };
    const squared = this.squaredError.value();
    let r2: number | null = null;
    if (n >= 2) {
      // scikit-learn's force_finite rules, in its order.
      if (squared === 0) r2 = 1;
      else if (this.m2 === 0) r2 = 0;
      else r2 = 1 - squared / this.m2;
    }
    return {
      ...coverage,
      mae: this.absoluteError.value() / n,
      rmse: Math.sqrt(squared / n),
      r2,
      mape: this.percentageError.value() / n,
    };
  }

  /** The state as JSON ({@link RegressionJson}); `fromJSON` restores it exactly. */
  toJSON(): RegressionJson {
    return {
      format: FORMAT,
      version: VERSION,
      events: this.events,
      labelled: this.n,
      absoluteError: this.absoluteError.toJSON(),
      squaredError: this.squaredError.toJSON(),
      percentageError: this.percentageError.toJSON(),
      truthMean: [this.meanHi + 0, this.meanLo + 0],
      truthM2: this.m2 + 0,
    };
  }

  /** Restores an accumulator from {@link RegressionAccumulator.toJSON}'s form (parsed JSON). */
  static fromJSON(value: unknown): RegressionAccumulator {
    const record = expectFormat(value, FORMAT, VERSION);
    const accumulator = new RegressionAccumulator();
    accumulator.events = expectCount(record.events, "events");
    accumulator.n = expectCount(record.labelled, "labelled");
    accumulator.absoluteError = CompensatedSum.fromJSON(expectSumPair(record.absoluteError, "absoluteError"));
    accumulator.squaredError = CompensatedSum.fromJSON(expectSumPair(record.squaredError, "squaredError"));
    accumulator.percentageError = CompensatedSum.fromJSON(
      expectSumPair(record.percentageError, "percentageError"),
    );
    const mean = expectNumbers(record.truthMean, "truthMean");
    if (mean.length !== 2) throw new TypeError("fromJSON: truthMean must be a [hi, lo] pair");
    accumulator.meanHi = mean[0]!;
    accumulator.meanLo = mean[1]!;
    accumulator.m2 = expectNumber(record.truthM2, "truthM2");
    return accumulator;
  }

  /** mean += step, in double-double arithmetic (Knuth's two-sum, then renormalise). */
  private shiftMean(step: number): void {
    const sum = this.meanHi + step;
    const back = sum - this.meanHi;
    const error = this.meanHi - (sum - back) + (step - back);
    const lo = this.meanLo + error;
    const hi = sum + lo;
    this.meanLo = lo - (hi - sum);
    this.meanHi = hi;
  }
}
