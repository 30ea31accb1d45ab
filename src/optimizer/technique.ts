import type { OnnxModel } from "../onnx/index.js";

/**
 * The labelled rows an optimization run works with, already shaped for the model's single input:
 * `x` is row-major `[rows, width]` float32 (for `digits_cnn.onnx`'s `[batch, 1, 8, 8]`, width 64 and
 * the runner reshapes); `labels` are class indices (classification) or targets (regression).
 */
export interface OptimizationData {
  readonly x: Float32Array;
  readonly rows: number;
  readonly width: number;
  /** Class index per row (classification), as float64 for one type; or the target (regression). */
  readonly labels: Float64Array;
  readonly task: "classification" | "regression";
  /** Number of classes (classification). */
  readonly classes: number;
}

/** What every technique receives: the baseline model and the data it may learn or calibrate from. */
export interface TechniqueContext {
  /** The baseline model, decoded (techniques never modify it: graph helpers return new graphs). */
  readonly model: OnnxModel;
  /** The baseline's bytes, as given. */
  readonly bytes: Uint8Array;
  /** Rows a technique may train or calibrate on (a fold's training part, or a calibration split). */
  readonly train: OptimizationData;
  /** The input's name and its full shape with the batch dimension symbolic (`-1`). */
  readonly input: { readonly name: string; readonly shape: readonly number[] };
  /** The output the task reads (logits or probabilities for a classifier, the value for a regression). */
  readonly output: string;
  /** Seeded randomness (deterministic runs). */
  readonly seed: number;
  /** Progress for long steps (a CLI progress bar); may be ignored. */
  readonly progress?: (step: string, done: number, total: number) => void;
}

/**
 * One candidate model a technique produced. `notes` say what was done and what was not (ops kept in
 * fp32, layers skipped), so the report can show it; `sparsity` and `format` are set where they apply.
 */
export interface Candidate {
  /** `quantize`, `prune`, `prune-structured`, `distill`, or a combination (`prune-structured+quantize`). */
  readonly technique: string;
  /** A short human label, e.g. "int8 QDQ U8S8, entropy calibration (TensorRT-style, 2048 bins)". */
  readonly label: string;
  readonly bytes: Uint8Array;
  readonly notes: readonly string[];
  /** Parameters of the run that made it (calibration method, sparsity, temperature…), for the report. */
  readonly parameters: Readonly<Record<string, unknown>>;
  /**
   * A check the candidate must pass before its accuracy counts (e.g. int8 fused outputs agreeing
   * with fp32): `ok: false` rejects it with the reasons, whatever its accuracy.
   */
  readonly correctness?: { readonly ok: boolean; readonly reasons: readonly string[] };
}

/**
 * A technique: produces zero or more candidates from the baseline (zero with a reason when it does
 * not apply — e.g. structured pruning of a model that is not an MLP — never a crash).
 *
 * @example
 * ```ts
 * const quantize: Technique = { name: "quantize", run: async (ctx) => ({ candidates: [...], skipped: [] }) };
 * ```
 */
export interface Technique {
  readonly name: string;
  run(context: TechniqueContext): Promise<{ candidates: Candidate[]; skipped: string[] }>;
}
