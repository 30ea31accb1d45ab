/**
 * A streaming histogram of |x| on a grid anchored at 0 (TensorRT / pytorch-quantization's
 * `HistogramCalibrator`, torch branch): the first batch with a non-zero value fixes the bin width
 * (max|x| / bins); a later batch beyond the top edge appends bins of that same width, so every batch is
 * counted on one grid and batching does not change the result.
 */

/**
 * Options of {@link AbsHistogram}.
 *
 * @example
 * ```ts
 * const options: AbsHistogramOptions = { bins: 2048, maxBins: 1 << 16 };
 * ```
 */
export interface AbsHistogramOptions {
  /** Bins over [0, max|x|] of the first non-zero batch. Default 2048. */
  readonly bins?: number;
  /**
   * Most bins kept. Beyond it, adjacent bins are merged in pairs (the width doubles) until the range
   * fits, so memory stays bounded when a late batch is far wider than the first. Default 65,536.
   */
  readonly maxBins?: number;
}

/**
 * Counts of |x| per bin of width `width` starting at 0, with the signed extremes and the count of
 * skipped non-finite values.
 *
 * @example
 * ```ts
 * const h = new AbsHistogram({ bins: 4 });
 * h.add(new Float32Array([-4, 1, 2]));
 * h.counts; // Float64Array [0, 1, 1, 1]: bins [0,1) [1,2) [2,3) [3,4]
 * ```
 */
export class AbsHistogram {
  readonly initialBins: number;
  readonly maxBins: number;
  /** Bin width; 0 until a batch with a non-zero value arrives. */
  width = 0;
  /** Smallest and largest signed value seen (Infinity / -Infinity before any). */
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  /** Values skipped because they were NaN or infinite. */
  nonFinite = 0;
  #counts = new Float64Array(0);
  /** Zeros seen while the grid is not fixed yet; they belong to bin 0 once it is. */
  #pendingZeros = 0;

  constructor(options: AbsHistogramOptions = {}) {
    this.initialBins = options.bins ?? 2048;
    this.maxBins = options.maxBins ?? 65_536;
    if (!Number.isInteger(this.initialBins) || this.initialBins < 1)
      throw new RangeError(`bins must be a positive integer, got ${this.initialBins}`);
    if (!Number.isInteger(this.maxBins) || this.maxBins < this.initialBins)
      throw new RangeError(`maxBins must be an integer ≥ bins, got ${this.maxBins}`);
  }

  /** The counts per bin (a copy); bin i covers [i·width, (i+1)·width), the last one closed. */
  get counts(): Float64Array {
    return this.#counts.slice();
  }

  /** Number of bins. */
  get bins(): number {
    return this.#counts.length;
  }

  /** Finite values counted. */
  get total(): number {
    let sum = this.#pendingZeros;
    for (const c of this.#counts) sum += c;
    return sum;
  }

  /** Top edge of the grid: bins × width. */
  get top(): number {
    return this.#counts.length * this.width;
  }

  /**
   * Counts one batch.
   *
   * @example
   * ```ts
   * const h = new AbsHistogram({ bins: 2 });
   * h.add(new Float32Array([1, 2]));
   * h.add(new Float32Array([3])); // width stays 1: a third bin [2,3] is appended
   * h.counts; // Float64Array [0, 2, 1]: 2 stayed in the first grid's closed last bin [1, 2]
   * ```
   */
  add(values: ArrayLike<number>): void {
    let batchMax = 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (!Number.isFinite(v)) {
        this.nonFinite++;
        continue;
      }
      if (v < this.min) this.min = v;
      if (v > this.max) this.max = v;
      const a = Math.abs(v);
      if (a > batchMax) batchMax = a;
    }
    if (batchMax === 0) {
      // All zeros (or empty): nothing fixes a width yet, and zeros always land in bin 0.
      for (let i = 0; i < values.length; i++) if (values[i] === 0) this.#zero();
      return;
    }
    if (this.width === 0) {
      this.width = batchMax / this.initialBins;
      this.#counts = new Float64Array(this.initialBins);
      this.#counts[0]! += this.#pendingZeros;
      this.#pendingZeros = 0;
    } else if (batchMax > this.top) {
      // Same-width rule: as many bins of the fixed width as reach the new maximum.
      this.#grow(Math.ceil(batchMax / this.width));
    }
    const counts = this.#counts;
    const last = counts.length - 1;
    const width = this.width;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (!Number.isFinite(v)) continue;
      const bin = Math.floor(Math.abs(v) / width);
      counts[Math.min(bin, last)]! += 1;
    }
  }

  #zero(): void {
    if (this.width === 0) this.#pendingZeros++;
    else this.#counts[0]! += 1;
  }

  #grow(needed: number): void {
    let bins = needed;
    let factor = 1;
    while (bins > this.maxBins) {
      factor *= 2;
      bins = Math.ceil(needed / factor);
    }
    const old = this.#counts;
    const next = new Float64Array(bins);
    for (let i = 0; i < old.length; i++) next[Math.floor(i / factor)]! += old[i]!;
    this.#counts = next;
    this.width *= factor;
  }
}
