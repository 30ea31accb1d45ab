/**
 * MinMax calibration with ONNX Runtime's semantics (`MinMaxCalibrater`): the global min and max over all
 * batches, or, with `movingAverage`, the mean of the per-batch minima and of the per-batch maxima (what
 * ORT computes when all outputs are collected at once: `np.mean` over batches); `symmetric` turns the
 * pair into [−a, a] with a = max(|min|, |max|).
 */

import type { Calibrator, TensorRange } from "./calibrator.js";

/**
 * Options of {@link MinMaxCalibrator}.
 *
 * @example
 * ```ts
 * const options: MinMaxOptions = { symmetric: true };
 * ```
 */
export interface MinMaxOptions {
  /** [−a, a] with a = max(|min|, |max|). Default false (ORT's default). */
  readonly symmetric?: boolean;
  /** Mean of per-batch extremes instead of the global extremes. Default false. */
  readonly movingAverage?: boolean;
}

/**
 * Running min/max of one tensor.
 *
 * @example
 * ```ts
 * const c = new MinMaxCalibrator();
 * c.update(new Float32Array([-1, 0.5]));
 * c.update(new Float32Array([3]));
 * c.range(); // { min: -1, max: 3 }
 * ```
 */
export class MinMaxCalibrator implements Calibrator {
  readonly symmetric: boolean;
  readonly movingAverage: boolean;
  #min = Number.POSITIVE_INFINITY;
  #max = Number.NEGATIVE_INFINITY;
  #minSum = 0;
  #maxSum = 0;
  #batches = 0;

  constructor(options: MinMaxOptions = {}) {
    this.symmetric = options.symmetric ?? false;
    this.movingAverage = options.movingAverage ?? false;
  }

  update(values: ArrayLike<number>): void {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      // NaN fails both comparisons and is skipped; ±∞ would make every scale useless, so it is too.
      if (!Number.isFinite(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (lo > hi) return;
    if (lo < this.#min) this.#min = lo;
    if (hi > this.#max) this.#max = hi;
    this.#minSum += lo;
    this.#maxSum += hi;
    this.#batches++;
  }

  /** The range; { min: 0, max: 0 } before any finite value. */
  range(): TensorRange {
    if (this.#batches === 0) return { min: 0, max: 0 };
    const min = this.movingAverage ? this.#minSum / this.#batches : this.#min;
    const max = this.movingAverage ? this.#maxSum / this.#batches : this.#max;
    if (!this.symmetric) return { min, max };
    const a = Math.max(Math.abs(min), Math.abs(max));
    return { min: -a, max: a };
  }
}
