/**
 * A streaming histogram of signed values on a grid symmetric about 0, with ONNX Runtime's rules
 * (`calibrate.py`, `HistogramCollector.collect_value` and `merge_histogram`): the first batch fixes
 * t = max(|min|, |max|) and `bins` equal bins over [−t, t]; a later batch with a larger |x| adds
 * k = ⌊(t_new − t)/width⌋ + 1 bins of the same width on each side, so the new range is t + k·width and the
 * old counts sit in the centre slice.
 */

/**
 * Options of {@link SymmetricHistogram}.
 *
 * @example
 * ```ts
 * const options: SymmetricHistogramOptions = { bins: 2048 };
 * ```
 */
export interface SymmetricHistogramOptions {
  /** Bins over [−t, t] of the first batch (ORT's `num_bins`). Default 2048 (ORT's own default is 128). */
  readonly bins?: number;
  /**
   * Most bins kept. Beyond it, the grid is coarsened by merging bin pairs (after padding one empty bin on
   * each side when the half-count is odd, so 0 stays an edge). ORT has no such bound. Default 65,536.
   */
  readonly maxBins?: number;
}

/**
 * Counts per bin over [−threshold, threshold], with the signed extremes seen.
 *
 * @example
 * ```ts
 * const h = new SymmetricHistogram({ bins: 4 });
 * h.add(new Float32Array([-2, -0.5, 0.5, 2]));
 * h.counts; // Float64Array [1, 1, 1, 1]: bins [-2,-1) [-1,0) [0,1) [1,2]
 * ```
 */
export class SymmetricHistogram {
  readonly initialBins: number;
  readonly maxBins: number;
  /** Half-range t: the grid spans [−t, t]. 0 until a batch with a non-zero value arrives. */
  threshold = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  nonFinite = 0;
  #counts: Float64Array;

  constructor(options: SymmetricHistogramOptions = {}) {
    this.initialBins = options.bins ?? 2048;
    this.maxBins = options.maxBins ?? 65_536;
    if (!Number.isInteger(this.initialBins) || this.initialBins < 2 || this.initialBins % 2 !== 0)
      throw new RangeError(`bins must be an even integer ≥ 2, got ${this.initialBins}`);
    if (!Number.isInteger(this.maxBins) || this.maxBins < this.initialBins)
      throw new RangeError(`maxBins must be an integer ≥ bins, got ${this.maxBins}`);
    this.#counts = new Float64Array(this.initialBins);
  }

  /** Counts per bin (a copy); bin i covers [−t + i·w, −t + (i+1)·w), the last one closed. */
  get counts(): Float64Array {
    return this.#counts.slice();
  }

  get bins(): number {
    return this.#counts.length;
  }

  /** Bin width 2t / bins (0 while t is 0). */
  get width(): number {
    return (2 * this.threshold) / this.#counts.length;
  }

  /**
   * The bin edges: bins + 1 numbers from −t to t.
   *
   * @example
   * ```ts
   * const h = new SymmetricHistogram({ bins: 2 });
   * h.add([1]);
   * h.edges(); // Float64Array [-1, 0, 1]
   * ```
   */
  edges(): Float64Array {
    const n = this.#counts.length;
    const out = new Float64Array(n + 1);
    const w = this.width;
    for (let i = 0; i <= n; i++) out[i] = -this.threshold + i * w;
    out[n] = this.threshold; // as numpy's linspace: the last edge is exactly the stop
    return out;
  }

  /**
   * Counts one batch.
   *
   * @example
   * ```ts
   * const h = new SymmetricHistogram({ bins: 2 });
   * h.add([1]); // grid [-1, 1], width 1
   * h.add([1.5]); // k = ⌊0.5/1⌋ + 1 = 1 bin each side: grid [-2, 2], 4 bins
   * h.counts; // Float64Array [0, 0, 1, 1]
   * ```
   */
  add(values: ArrayLike<number>): void {
    let batchMin = Number.POSITIVE_INFINITY;
    let batchMax = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (!Number.isFinite(v)) {
        this.nonFinite++;
        continue;
      }
      if (v < batchMin) batchMin = v;
      if (v > batchMax) batchMax = v;
    }
    if (batchMin > batchMax) return; // nothing finite
    if (batchMin < this.min) this.min = batchMin;
    if (batchMax > this.max) this.max = batchMax;
    const t = Math.max(Math.abs(batchMin), Math.abs(batchMax));
    if (t > this.threshold) {
      if (this.threshold === 0) {
        // ORT re-histograms over [−t, t] with the same bin count and adds the old counts element-wise;
        // the old counts can only be zeros, which sit in bin n/2 = [0, w) on either grid.
        this.threshold = t;
      } else {
        const width = this.width;
        const k = Math.floor((t - this.threshold) / width) + 1;
        this.#widen(k, width);
      }
      this.#coarsenToFit();
    }
    this.#count(values);
  }

  #widen(k: number, width: number): void {
    const old = this.#counts;
    const next = new Float64Array(old.length + 2 * k);
    next.set(old, k);
    this.#counts = next;
    this.threshold = this.threshold + k * width;
  }

  #coarsenToFit(): void {
    while (this.#counts.length > this.maxBins) {
      if ((this.#counts.length / 2) % 2 === 1) this.#widen(1, this.width);
      const old = this.#counts;
      const next = new Float64Array(old.length / 2);
      for (let i = 0; i < old.length; i++) next[i >> 1]! += old[i]!;
      this.#counts = next;
    }
  }

  #count(values: ArrayLike<number>): void {
    const counts = this.#counts;
    const n = counts.length;
    const t = this.threshold;
    if (t === 0) {
      // numpy widens a zero-width range to [−0.5, 0.5]: every zero lands in the centre bin.
      for (let i = 0; i < values.length; i++) if (values[i] === 0) counts[n / 2]! += 1;
      return;
    }
    const scale = n / (2 * t);
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (!Number.isFinite(v)) continue;
      const bin = Math.floor((v + t) * scale);
      counts[bin < 0 ? 0 : bin >= n ? n - 1 : bin]! += 1;
    }
  }
}
