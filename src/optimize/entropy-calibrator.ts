/**
 * Entropy (KL-divergence) calibration, streaming: one histogram per tensor, updated per batch, then one
 * threshold search. `variant: "tensorrt"` (the default) histograms |x| over 2048 bins and searches
 * candidates from bin 128 with 128 levels, or 256 levels over [0, T] for unsigned tensors;
 * `variant: "onnxruntime"` histograms signed values over [−t, t] and runs ORT's symmetric-window search.
 */

import { AbsHistogram } from "./abs-histogram.js";
import type { Calibrator, TensorRange } from "./calibrator.js";
import { onnxruntimeEntropyRange, tensorrtEntropyThreshold } from "./entropy-threshold.js";
import { SymmetricHistogram } from "./symmetric-histogram.js";

/**
 * Options of {@link EntropyCalibrator}.
 *
 * @example
 * ```ts
 * const trt: EntropyOptions = { variant: "tensorrt" };
 * const ortAsShipped: EntropyOptions = { variant: "onnxruntime", bins: 128, quantizedBins: 128 };
 * ```
 */
export interface EntropyOptions {
  /** Default "tensorrt". */
  readonly variant?: "tensorrt" | "onnxruntime";
  /** Histogram bins of the first batch. Default 2048 for both variants (ORT ships 128, which is inert). */
  readonly bins?: number;
  /** Most bins kept when later batches widen the range (bounded memory). Default 65,536. */
  readonly maxBins?: number;
  /** tensorrt: first candidate bin. Default 128. */
  readonly startBin?: number;
  /** tensorrt: flatten the zero spike (bin 0 := bin 1) as pytorch-quantization. Default true. */
  readonly flattenZeroBin?: boolean;
  /**
   * tensorrt: quantize to 256 levels over [0, T] (true), 128 levels over [−T, T] (false), or decide from
   * the data: unsigned when no value seen was negative ("auto", the default).
   */
  readonly unsigned?: boolean | "auto";
  /** onnxruntime: `num_quantized_bins`. Default 128. */
  readonly quantizedBins?: number;
}

/**
 * What the search chose, beside the MinMax range it replaces (worth logging: how much was clipped).
 *
 * @example
 * ```ts
 * const d: EntropyDetails = {
 *   range: { min: -3, max: 3 }, observed: { min: -12, max: 11 }, divergence: 0.01, candidates: 1921, unsigned: false,
 * };
 * ```
 */
export interface EntropyDetails {
  readonly range: TensorRange;
  readonly observed: TensorRange;
  readonly divergence: number;
  readonly candidates: number;
  readonly unsigned: boolean;
}

/**
 * Streaming entropy calibrator of one tensor.
 *
 * @example
 * ```ts
 * const c = new EntropyCalibrator();
 * for (const batch of batches) c.update(batch); // Float32Array per batch
 * c.range(); // e.g. { min: -2.99, max: 2.99 } where MinMax would give ±11.97
 * ```
 */
export class EntropyCalibrator implements Calibrator {
  readonly variant: "tensorrt" | "onnxruntime";
  readonly #options: EntropyOptions;
  readonly #abs: AbsHistogram | undefined;
  readonly #signed: SymmetricHistogram | undefined;

  constructor(options: EntropyOptions = {}) {
    this.variant = options.variant ?? "tensorrt";
    this.#options = options;
    const histogram = {
      bins: options.bins ?? 2048,
      ...(options.maxBins ? { maxBins: options.maxBins } : {}),
    };
    if (this.variant === "tensorrt") this.#abs = new AbsHistogram(histogram);
    else this.#signed = new SymmetricHistogram(histogram);
  }

  update(values: ArrayLike<number>): void {
    (this.#abs ?? this.#signed)!.add(values);
  }

  range(): TensorRange {
    return this.details().range;
  }

  /**
   * The range with the search's divergence, the number of candidates and the observed extremes.
   *
   * @example
   * ```ts
   * const { range, observed } = calibrator.details();
   * ```
   */
  details(): EntropyDetails {
    const h = this.#abs ?? this.#signed!;
    const empty = h.min > h.max;
    const observed = empty ? { min: 0, max: 0 } : { min: h.min, max: h.max };
    const unsignedOption = this.#options.unsigned ?? "auto";
    const unsigned = unsignedOption === "auto" ? !empty && h.min >= 0 : unsignedOption;
    if (this.#abs) {
      const abs = this.#abs;
      if (empty || abs.width === 0)
        return { range: observed, observed, divergence: 0, candidates: 0, unsigned };
      const search = tensorrtEntropyThreshold(abs.counts, abs.width, {
        levels: unsigned ? 256 : 128,
        startBin: this.#options.startBin ?? 128,
        flattenZeroBin: this.#options.flattenZeroBin ?? true,
      });
      // The search's T is never clipped in the reference; a range beyond the data gains nothing, so the
      // top is clipped to max|x| (T ≤ bins·width already; this only matters when widening left it loose).
      const top = Math.min(search.threshold, Math.max(Math.abs(observed.min), Math.abs(observed.max)));
      const range = unsigned ? { min: 0, max: top } : { min: -top, max: top };
      return { range, observed, divergence: search.divergence, candidates: search.candidates, unsigned };
    }
    const signed = this.#signed!;
    if (empty || signed.threshold === 0)
      return { range: observed, observed, divergence: 0, candidates: 0, unsigned };
    const search = onnxruntimeEntropyRange(signed.counts, signed.threshold, observed.min, observed.max, {
      quantizedBins: this.#options.quantizedBins ?? 128,
    });
    return {
      range: { min: search.min, max: search.max },
      observed,
      divergence: search.divergence,
      candidates: search.candidates,
      unsigned,
    };
  }
}
