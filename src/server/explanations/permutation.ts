import { TikTokToeError } from "../../errors/index.js";
import {
  type BatchPredict,
  type ExplainData,
  PERMUTATION_MAX_ROWS,
  PERMUTATION_REPEATS,
  permutationImportance,
  type Scorer,
  type ScoringName,
} from "../../explain/index.js";
import type { ModelRecord } from "../../store/index.js";
import { openOnnxModel } from "../onnx-predict.js";
import type { ImportanceEntry } from "./types.js";

/**
 * The score permutation importance uses, per task (greater is better, scikit-learn's names):
 * a binary classifier's log loss on P(positive class), a multiclass classifier's accuracy of the
 * highest score, a regression's negative mean absolute error. Log loss rather than accuracy or ROC
 * AUC: on a near-perfect classifier those two barely move when a feature is shuffled, so the ranking is
 * mostly noise (on the breast-cancer MLP, two halves of the same data ranked by accuracy fell below
 * the attribution-drift threshold for 6 seeds in 20; by log loss for none).
 *
 * @example
 * ```ts
 * EXPLAIN_SCORING.binary; // "neg_log_loss"
 * ```
 */
export const EXPLAIN_SCORING = {
  binary: "neg_log_loss",
  multiclass: "accuracy",
  regression: "neg_mean_absolute_error",
} as const satisfies Record<ModelRecord["task"], ScoringName>;

/** What a permutation run yields. */
export interface PermutationResult {
  readonly scoring: string;
  readonly baseline: number;
  readonly rows: number;
  readonly repeats: number;
  readonly importances: ImportanceEntry[];
}

/** Mean accuracy of class indices (the multiclass scorer: predict returns the highest score's index). */
const indexAccuracy: Scorer = (truth, predicted) => {
  let right = 0;
  for (let i = 0; i < truth.length; i++) if (truth[i] === predicted[i]) right++;
  return right / truth.length;
};

/**
 * Runs permutation importance with the version's ONNX model, fed as the server feeds it
 * (onnx-predict.ts: one float32 [rows, features] input in schema order, the first output). A binary
 * model's output is read as probabilities when each row's two scores lie in [0, 1] and sum to 1, else
 * as logits (softmax); P(positive) is the second class's.
 *
 * @example
 * ```ts
 * const result = await runPermutation(record, onnxBytes, { columns, labels, names }, random);
 * result.scoring; // "neg_log_loss" for a binary classifier
 * ```
 */
export async function runPermutation(
  record: ModelRecord,
  onnx: Uint8Array,
  data: ExplainData,
  random: () => number,
): Promise<PermutationResult> {
  const classes = record.classes?.length ?? 0;
  if (record.task !== "regression" && classes < 2)
    throw new TikTokToeError("REQUEST_INVALID", "a classifier needs its classes declared to be explained", {
      path: "classes",
    });
  const session = await openOnnxModel(onnx);
  const predict: BatchPredict = async (rows, n, features) => {
    const input = rows instanceof Float32Array ? rows : Float32Array.from(rows);
    let out: Float32Array;
    try {
      out = await session.run(input, n, features);
    } catch (error) {
      throw new TikTokToeError(
        "REQUEST_INVALID",
        `the ONNX model does not run on the window: ${(error as Error).message}`,
        { cause: error, hint: "the model must take float32 [rows, features] in schema order" },
      );
    }
    const width = out.length / n;
    const expected = record.task === "regression" ? 1 : classes;
    if (width !== expected)
      throw new TikTokToeError(
        "REQUEST_INVALID",
        `the ONNX model's first output has ${width} values per row; ${record.task === "regression" ? "a regression has 1" : `the model declares ${classes} classes`}`,
      );
    if (record.task === "regression") return Float64Array.from(out);
    if (record.task === "binary")
      return Float64Array.from({ length: n }, (_, i) => {
        const s0 = out[2 * i]!;
        const s1 = out[2 * i + 1]!;
        const probabilities = s0 >= 0 && s1 >= 0 && s0 <= 1 && s1 <= 1 && Math.abs(s0 + s1 - 1) < 1e-4;
        return probabilities ? s1 : 1 / (1 + Math.exp(s0 - s1));
      });
    return Float64Array.from({ length: n }, (_, i) => {
      let best = 0;
      for (let c = 1; c < width; c++) if (out[i * width + c]! > out[i * width + best]!) best = c;
      return best;
    });
  };
  try {
    const scoring = EXPLAIN_SCORING[record.task];
    const result = await permutationImportance(data, predict, {
      scoring: record.task === "multiclass" ? indexAccuracy : scoring,
      random,
      repeats: PERMUTATION_REPEATS,
      maxRows: PERMUTATION_MAX_ROWS,
      dtype: "float32",
    });
    return {
      scoring,
      baseline: result.baseline,
      rows: result.rows,
      repeats: result.repeats,
      importances: result.importances.map((f) => ({ feature: f.name, mean: f.mean, std: f.std })),
    };
  } finally {
    await session.release();
  }
}
