import {
  DEFAULT_ADAGRAD,
  DEFAULT_FTRL,
  DEFAULT_SGD,
  exportLinearModel,
  fineTuneOnnxMlp,
  type LinearModelJson,
  OnlineLinearModel,
  type OptimizerSettings,
  type Row,
} from "../../learn/index.js";
import { encodeModel } from "../../onnx/index.js";

/** The training data of one candidate: rows in the schema's feature order, their targets and weights. */
export interface TrainingBatch {
  /** Feature values per row, in the model's schema order (categorical values as codes). */
  readonly rows: readonly Float64Array[];
  /** Regression targets, or class indices for a classifier. */
  readonly targets: Float64Array;
  /** Importance weights (mean 1), or none. */
  readonly weights?: Float64Array;
  /** The model's feature names, in order. */
  readonly features: readonly string[];
  /** Indices into `rows` of the new batch (the rest is history a fine-tune may also use). */
  readonly newFrom: number;
}

/** What a trainer made. */
export interface TrainedCandidate {
  readonly onnx: Uint8Array;
  /** The learner's state after the update, for the next run (linear), or null. */
  readonly state: LinearModelJson | null;
  /** Figures for the run's record (losses, epochs, rows). */
  readonly figures: Readonly<Record<string, number | string | null>>;
}

/**
 * Makes a candidate version from a batch: the one seam between the loop and a learner, so the loop
 * does not care whether it updates src/learn's online model or fine-tunes a served ONNX MLP.
 *
 * @example
 * ```ts
 * const candidate = await trainer.train({ base, state, batch });
 * ```
 */
export interface CandidateTrainer {
  readonly kind: "linear" | "mlp";
  train(input: {
    /** Production's ONNX model (the MLP's starting point). */
    readonly base: Uint8Array | null;
    /** The linear learner's state after the previous run, or null for a new learner. */
    readonly state: LinearModelJson | null;
    readonly batch: TrainingBatch;
  }): Promise<TrainedCandidate>;
}

/** Options of {@link linearTrainer}. */
export interface LinearTrainerOptions {
  readonly task: "regression" | "multiclass";
  readonly classes?: readonly string[];
  readonly optimizer?: "ftrl" | "adagrad" | "sgd";
  readonly rate?: number;
}

/**
 * src/learn's online linear model: the previous run's state learns the new rows (history is not
 * learned again: an online model has seen it) and is exported as ONNX. Every input is numeric, so the
 * export's columns are the schema's features in order — what serving feeds.
 *
 * @example
 * ```ts
 * const trainer = linearTrainer({ task: "regression" });
 * ```
 */
export function linearTrainer(options: LinearTrainerOptions): CandidateTrainer {
  return {
    kind: "linear",
    async train({ state, batch }) {
      const model =
        state === null
          ? new OnlineLinearModel({
              task: options.task,
              features: { numeric: [...batch.features], categorical: [] },
              ...(options.classes === undefined ? {} : { classes: options.classes }),
              optimizer: optimizerOf(options),
            })
          : OnlineLinearModel.fromJSON(state);
      let learned = 0;
      for (let r = batch.newFrom; r < batch.rows.length; r++) {
        const values = batch.rows[r]!;
        const row: Record<string, number> = {};
        batch.features.forEach((name, k) => {
          row[name] = values[k]!;
        });
        const target = batch.targets[r]!;
        const label = options.task === "regression" ? target : options.classes![target]!;
        model.learnRow(row as Row, label, batch.weights?.[r] ?? 1);
        learned++;
      }
      return {
        onnx: encodeModel(exportLinearModel(model)),
        state: model.toJSON(),
        figures: { learned, nonzeroWeights: model.nonZeroWeights() },
      };
    },
  };
}

function optimizerOf(options: LinearTrainerOptions): OptimizerSettings {
  switch (options.optimizer ?? "ftrl") {
    case "adagrad":
      return { ...DEFAULT_ADAGRAD, ...(options.rate === undefined ? {} : { eta: options.rate }) };
    case "sgd":
      return { ...DEFAULT_SGD, ...(options.rate === undefined ? {} : { eta: options.rate }) };
    default:
      return { ...DEFAULT_FTRL, ...(options.rate === undefined ? {} : { alpha: options.rate }) };
  }
}

/** The fine-tuning function of src/learn/mlp-finetune.ts, as the loop calls it. */
export type FineTuneOnnxMlp = (
  onnx: Uint8Array,
  rows: number[][] | Float64Array[],
  targets: number[] | Float64Array,
  options?: {
    epochs?: number;
    learningRate?: number;
    batchSize?: number;
    l1?: number;
    l2?: number;
    seed?: number;
    validationFraction?: number;
    weights?: number[] | Float64Array;
  },
) => Promise<FineTuneResult> | FineTuneResult;

/** What {@link FineTuneOnnxMlp} answers. */
export interface FineTuneResult {
  readonly onnx: Uint8Array;
  readonly epochsRun: number;
  readonly trainLoss: number;
  /** Null without a validation split. */
  readonly validationLoss: number | null;
  readonly startValidationLoss: number | null;
}

/** Options of {@link mlpTrainer}: fineTuneOnnxMlp's own. */
export type MlpTrainerOptions = NonNullable<Parameters<FineTuneOnnxMlp>[3]>;

/**
 * Fine-tunes production's ONNX MLP on the batch (history included), seeded, so the same batch gives
 * the same candidate after a restart.
 *
 * @example
 * ```ts
 * const trainer = mlpTrainer({ epochs: 10, seed: 1 });
 * ```
 */
export function mlpTrainer(
  options: MlpTrainerOptions = {},
  fineTune: FineTuneOnnxMlp = fineTuneOnnxMlp,
): CandidateTrainer {
  return {
    kind: "mlp",
    async train({ base, batch }) {
      if (base === null) throw new Error("the mlp learner needs production's ONNX model");
      const result = await fineTune(base, batch.rows as Float64Array[], batch.targets, {
        seed: 1,
        ...options,
        ...(batch.weights === undefined ? {} : { weights: batch.weights }),
      });
      return {
        onnx: result.onnx,
        state: null,
        figures: {
          epochsRun: result.epochsRun,
          trainLoss: result.trainLoss,
          validationLoss: result.validationLoss,
          startValidationLoss: result.startValidationLoss,
        },
      };
    },
  };
}
