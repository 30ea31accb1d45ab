/**
 * Isotonic regression: the non-decreasing step function closest to the data in weighted least squares,
 * by the pool-adjacent-violators algorithm (PAVA). It calibrates a classifier's scores into
 * probabilities: P(y = 1 | score) estimated as a monotone function of the score, with no shape assumed
 * beyond monotonicity. NannyML's CBPE calibrates the reference scores this way.
 *
 * {@link IsotonicRegression} follows scikit-learn's `IsotonicRegression(out_of_bounds="clip")` (1.x):
 * rows of zero weight dropped, rows sorted by x, ties in x (within float64 resolution, 1e-15) pooled
 * into their weighted mean, PAVA on the pooled points, then only the ends of each constant run kept as
 * thresholds; `predict` interpolates linearly between thresholds and clips x to the fitted range.
 */

import { expectFormat, expectNumbers } from "./json.js";

const FORMAT = "tiktoktoe.metrics.isotonic";
const VERSION = 1;
/** numpy's `finfo(float64).resolution`: scikit-learn's `_make_unique` pools x closer than this. */
const X_RESOLUTION = 1e-15;

/**
 * The weighted least-squares non-decreasing fit of `y` in the given order: pool adjacent violators.
 * Each run of pooled values takes its weighted mean. O(n): blocks live on a stack and a pool only
 * ever merges the top two.
 *
 * @example
 * ```ts
 * pav([1, 3, 2, 4]); // Float64Array [1, 2.5, 2.5, 4]
 * pav([3, 1], [1, 3]); // Float64Array [1.5, 1.5]: (3·1 + 1·3) / 4
 * ```
 */
export function pav(y: ArrayLike<number>, weights?: ArrayLike<number>): Float64Array {
  const n = y.length;
  if (weights !== undefined && weights.length !== n) {
    throw new RangeError(`${weights.length} weights for ${n} values`);
  }
  // Block b covers rows [start[b], start[b + 1]) with weighted mean value[b] and total weight weight[b].
  const value = new Float64Array(n);
  const weight = new Float64Array(n);
  const start = new Uint32Array(n + 1);
  let blocks = 0;
  for (let i = 0; i < n; i++) {
    const w = weights === undefined ? 1 : weights[i]!;
    if (!(w > 0) || !Number.isFinite(w))
      throw new RangeError(`weights must be positive and finite, got ${w}`);
    if (!Number.isFinite(y[i]!)) throw new RangeError(`values must be finite, got ${y[i]}`);
    value[blocks] = y[i]!;
    weight[blocks] = w;
    start[blocks] = i;
    blocks++;
    // Pool while the new block breaks monotonicity with the one before it.
    while (blocks > 1 && value[blocks - 2]! > value[blocks - 1]!) {
      const a = blocks - 2;
      const b = blocks - 1;
      const total = weight[a]! + weight[b]!;
      value[a] = (weight[a]! * value[a]! + weight[b]! * value[b]!) / total;
      weight[a] = total;
      blocks--;
    }
  }
  start[blocks] = n;
  const fitted = new Float64Array(n);
  for (let b = 0; b < blocks; b++) fitted.fill(value[b]!, start[b]!, start[b + 1]!);
  return fitted;
}

/**
 * Options of {@link IsotonicRegression.fit}.
 *
 * @example
 * ```ts
 * IsotonicRegression.fit(x, y, { weights, increasing: false });
 * ```
 */
export interface IsotonicOptions {
  /** Positive weights; rows of weight 0 are dropped (as scikit-learn does). Default all 1. */
  readonly weights?: ArrayLike<number>;
  /** Fit a non-decreasing (default) or a non-increasing function. */
  readonly increasing?: boolean;
}

/**
 * The JSON form of an {@link IsotonicRegression} (format version 1).
 *
 * @example
 * ```ts
 * const stored = JSON.stringify(calibrator); // an IsotonicJson
 * ```
 */
export interface IsotonicJson {
  readonly format: typeof FORMAT;
  readonly version: typeof VERSION;
  /** Threshold positions, strictly increasing. */
  readonly x: number[];
  /** Fitted values at the thresholds. */
  readonly y: number[];
}

/**
 * A fitted isotonic regression: a monotone piecewise-linear function through its thresholds, constant
 * beyond them. Immutable; serialisable so a calibration fitted on the reference can be stored.
 *
 * @example
 * ```ts
 * const calibrator = IsotonicRegression.fit([0.1, 0.2, 0.3, 0.4], [0, 1, 0, 1]);
 * calibrator.thresholdsX; // [0.1, 0.2, 0.3, 0.4]
 * calibrator.thresholdsY; // [0, 0.5, 0.5, 1]
 * calibrator.predict(0.35); // 0.75: linear between (0.3, 0.5) and (0.4, 1)
 * calibrator.predict(0.9); // 1: clipped to the fitted range
 * ```
 */
export class IsotonicRegression {
  /** Threshold positions, strictly increasing. */
  readonly thresholdsX: Float64Array;
  /** Fitted values at the thresholds, monotone. */
  readonly thresholdsY: Float64Array;

  private constructor(x: Float64Array, y: Float64Array) {
    this.thresholdsX = x;
    this.thresholdsY = y;
  }

  /**
   * Fits `y` as a monotone function of `x` (scikit-learn's `IsotonicRegression(out_of_bounds="clip")`).
   * Throws on no rows of positive weight, mismatched lengths, or a non-finite value.
   */
  static fit(x: ArrayLike<number>, y: ArrayLike<number>, options: IsotonicOptions = {}): IsotonicRegression {
    const n = x.length;
    if (y.length !== n) throw new RangeError(`x has ${n} values but y ${y.length}`);
    const w = options.weights;
    if (w !== undefined && w.length !== n) throw new RangeError(`${w.length} weights for ${n} values`);
    const rows: number[] = [];
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(x[i]!) || !Number.isFinite(y[i]!)) {
        throw new RangeError(`x and y must be finite (row ${i}: ${x[i]}, ${y[i]})`);
      }
      const wi = w === undefined ? 1 : w[i]!;
      if (!(wi >= 0) || !Number.isFinite(wi))
        throw new RangeError(`weights must be ≥ 0 and finite, got ${wi}`);
      if (wi > 0) rows.push(i);
    }
    if (rows.length === 0)
      throw new RangeError("isotonic regression needs at least one row of positive weight");
    rows.sort((a, b) => x[a]! - x[b]! || y[a]! - y[b]!);

    // Pool rows whose x differ by less than the float64 resolution, as scikit-learn's _make_unique.
    const ux: number[] = [];
    const uy: number[] = [];
    const uw: number[] = [];
    let currentX = x[rows[0]!]!;
    let sumWy = 0;
    let sumW = 0;
    for (const i of rows) {
      const wi = w === undefined ? 1 : w[i]!;
      if (x[i]! - currentX >= X_RESOLUTION) {
        ux.push(currentX);
        uy.push(sumWy / sumW);
        uw.push(sumW);
        currentX = x[i]!;
        sumWy = 0;
        sumW = 0;
      }
      sumWy += wi * y[i]!;
      sumW += wi;
    }
    ux.push(currentX);
    uy.push(sumWy / sumW);
    uw.push(sumW);

    // A non-increasing fit of y is the negated non-decreasing fit of −y.
    const increasing = options.increasing ?? true;
    const fitted = increasing
      ? pav(uy, uw)
      : pav(
          uy.map((v) => -v),
          uw,
        ).map((v) => -v);

    // Keep the two ends of each constant run: the interpolation between them is the same function.
    const keepX: number[] = [];
    const keepY: number[] = [];
    const m = fitted.length;
    for (let i = 0; i < m; i++) {
      const v = fitted[i]!;
      if (i === 0 || i === m - 1 || v !== fitted[i - 1] || v !== fitted[i + 1]) {
        keepX.push(ux[i]!);
        keepY.push(v);
      }
    }
    return new IsotonicRegression(Float64Array.from(keepX), Float64Array.from(keepY));
  }

  /** The fitted function at `x`: linear between thresholds, the end value beyond them. NaN stays NaN. */
  predict(x: number): number {
    const tx = this.thresholdsX;
    const ty = this.thresholdsY;
    const last = tx.length - 1;
    if (Number.isNaN(x)) return Number.NaN;
    if (x <= tx[0]!) return ty[0]!;
    if (x >= tx[last]!) return ty[last]!;
    // Binary search for the segment tx[lo] ≤ x < tx[lo + 1].
    let lo = 0;
    let hi = last;
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (tx[mid]! <= x) lo = mid;
      else hi = mid;
    }
    const x0 = tx[lo]!;
    const y0 = ty[lo]!;
    const y1 = ty[hi]!;
    if (y0 === y1) return y0;
    return y0 + ((y1 - y0) * (x - x0)) / (tx[hi]! - x0);
  }

  /** {@link IsotonicRegression.predict} of every value. */
  predictAll(x: ArrayLike<number>): Float64Array {
    return Float64Array.from(x, (v) => this.predict(v));
  }

  /** The thresholds as JSON ({@link IsotonicJson}); `fromJSON` restores the same function exactly. */
  toJSON(): IsotonicJson {
    return {
      format: FORMAT,
      version: VERSION,
      x: Array.from(this.thresholdsX, (v) => v + 0),
      y: Array.from(this.thresholdsY, (v) => v + 0),
    };
  }

  /** Restores a fitted regression from {@link IsotonicRegression.toJSON}'s form (parsed JSON). */
  static fromJSON(value: unknown): IsotonicRegression {
    const record = expectFormat(value, FORMAT, VERSION);
    const x = expectNumbers(record.x, "x");
    const y = expectNumbers(record.y, "y");
    if (x.length === 0 || x.length !== y.length) {
      throw new TypeError("fromJSON: x and y must be non-empty and of one length");
    }
    for (let i = 1; i < x.length; i++) {
      if (!(x[i]! > x[i - 1]!)) throw new TypeError("fromJSON: x must be strictly increasing");
    }
    return new IsotonicRegression(Float64Array.from(x), Float64Array.from(y));
  }
}
