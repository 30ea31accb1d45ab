/**
 * Percentile calibration with ONNX Runtime's semantics (`HistogramCollector.compute_percentile`), by
 * default 99.999 over 2048 bins, symmetric:
 * - symmetric: a histogram of |x|; the threshold is the **lower edge** of the first bin whose cumulative
 *   share reaches p/100 (numpy `searchsorted(cdf, p/100)` then `edges[idx]`); the range is [−T, T]
 *   clipped to the observed [min, max];
 * - asymmetric: a signed histogram on [−t, t] (ORT's grid); (100 − p)/200 is cut from each tail the same
 *   way, lower edges on both sides, then clipped.
 * One difference from ORT: its |x| grid starts at the first batch's smallest |x|; ours starts at 0
 * (pytorch-quantization's), so batching never moves the grid.
 */

import { AbsHistogram } from "./abs-histogram.js";
import type { Calibrator, TensorRange } from "./calibrator.js";
import { SymmetricHistogram } from "./symmetric-histogram.js";

/**
 * Options of {@link PercentileCalibrator}.
 *
 * @example
 * ```ts
 * const options: PercentileOptions = { percentile: 99.99, bins: 2048, symmetric: true };
 * ```
 */
export interface PercentileOptions {
  /** In [0, 100]. Default 99.999 (ORT's). */
  readonly percentile?: number;
  /** Default 2048 (ORT's). */
  readonly bins?: number;
  /** Default true (ORT's default for this method). */
  readonly symmetric?: boolean;
}

/**
 * The index of the first bin whose cumulative count reaches `share` of the total (numpy's
 * `searchsorted(cdf, share)`, side left), comparing counts rather than cumulated fractions.
 *
 * @example
 * ```ts
 * cumulativeIndex(new Float64Array([1, 1, 2]), 0.5); // 1: cumulative 1, 2, 4 of 4; 2/4 ≥ 0.5
 * ```
 */
export function cumulativeIndex(counts: ArrayLike<number>, share: number): number {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i]!;
  const target = share * total;
  let running = 0;
  for (let i = 0; i < counts.length; i++) {
    running += counts[i]!;
    if (running >= target) return i;
  }
  return counts.length - 1;
}

/**
 * Streaming percentile calibrator of one tensor.
 *
 * @example
 * ```ts
 * const c = new PercentileCalibrator({ percentile: 90, bins: 10 });
 * c.update(Float32Array.from({ length: 100 }, (_, i) => (i + 0.5) / 10)); // |x| spread over [0, 10)
 * // width 0.995; the CDF reaches 0.9 in bin 8, whose lower edge is 7.96; the lower end is clipped to min
 * c.range(); // ≈ { min: 0.05, max: 7.96 }
 * ```
 */
export class PercentileCalibrator implements Calibrator {
  readonly percentile: number;
  readonly symmetric: boolean;
  readonly #abs: AbsHistogram | undefined;
  readonly #signed: SymmetricHistogram | undefined;

  constructor(options: PercentileOptions = {}) {
    this.percentile = options.percentile ?? 99.999;
    if (!(this.percentile >= 0 && this.percentile <= 100))
      throw new RangeError(`percentile must be in [0, 100], got ${this.percentile}`);
    this.symmetric = options.symmetric ?? true;
    const bins = options.bins ?? 2048;
    if (this.symmetric) this.#abs = new AbsHistogram({ bins });
    else this.#signed = new SymmetricHistogram({ bins });
  }

  update(values: ArrayLike<number>): void {
    (this.#abs ?? this.#signed)!.add(values);
  }

  range(): TensorRange {
    const p = this.percentile / 100;
    if (this.#abs) {
      const h = this.#abs;
      if (h.min > h.max) return { min: 0, max: 0 };
      if (h.width === 0) return { min: h.min, max: h.max };
      const t = cumulativeIndex(h.counts, p) * h.width;
      return { min: Math.max(-t, h.min), max: Math.min(t, h.max) };
    }
    const h = this.#signed!;
    if (h.min > h.max) return { min: 0, max: 0 };
    if (h.threshold === 0) return { min: h.min, max: h.max };
    const edges = h.edges();
    const counts = h.counts;
    const cut = (1 - p) / 2;
    const lo = edges[cumulativeIndex(counts, cut)]!;
    const hi = edges[cumulativeIndex(counts, 1 - cut)]!;
    return { min: Math.max(lo, h.min), max: Math.min(hi, h.max) };
  }
}
