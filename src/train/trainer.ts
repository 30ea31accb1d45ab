import {
  float32FromBase64,
  float64ArrayFromBase64,
  seededRandom,
  typedToBase64,
  uint8FromBase64,
} from "../stats/index.js";
import { ACTIVATIONS, type Activation, activateInPlace, activationBackwardInPlace } from "./activation.js";
import { denseBackwardInput, denseBackwardParams, denseForward } from "./dense-kernels.js";
import { DEFAULT_DISTILLATION, distillationLoss } from "./distillation-loss.js";
import type { ElasticNet } from "./elastic-net.js";
import { type LearningRateSchedule, scheduledRate } from "./learning-rate-schedule.js";
import { meanSquaredError, regressionDistillationLoss } from "./mean-squared-error.js";
import type { DenseLayer, Mlp } from "./mlp.js";
import {
  createOptimizerState,
  type OptimizerSpec,
  type OptimizerState,
  optimizerStep,
  type ParameterSlot,
} from "./optimizer.js";
import { softmaxCrossEntropy } from "./softmax-cross-entropy.js";

/**
 * What the trainer minimises (see each loss's file for the exact formula):
 * `cross-entropy` (labels), `distillation` (teacher logits + labels; T default 2, α default 0.5),
 * `mse` (targets), `regression-distillation` (teacher outputs + targets; α default 0.5).
 *
 * @example
 * ```ts
 * const loss: LossSpec = { kind: "distillation", temperature: 2, alpha: 0.5 };
 * ```
 */
export type LossSpec =
  | { readonly kind: "cross-entropy" }
  | { readonly kind: "distillation"; readonly temperature?: number; readonly alpha?: number }
  | { readonly kind: "mse" }
  | { readonly kind: "regression-distillation"; readonly alpha?: number };

/**
 * Training rows, each array row-major with `rows` rows. Which fields are needed depends on the loss:
 * `labels` for cross-entropy and distillation, `targets` ([rows, outputs]) for the MSE losses,
 * `teacher` ([rows, outputs]: logits, or a regressor's outputs) for the distillation losses.
 * `weights` are optional per-row importance weights (1 when absent).
 *
 * @example
 * ```ts
 * const data: TrainingData = { x: pixels, rows: 1257, labels: digits };
 * ```
 */
export interface TrainingData {
  readonly x: Float32Array | Float64Array;
  readonly rows: number;
  readonly labels?: Int32Array;
  readonly targets?: Float32Array | Float64Array;
  readonly teacher?: Float32Array | Float64Array;
  readonly weights?: Float64Array;
}

/**
 * A trainer's settings. Defaults: Adam (η = 1e-3), batch 32, no penalty, no masks, constant rate.
 *
 * @example
 * ```ts
 * const options: TrainerOptions = { loss: { kind: "cross-entropy" }, seed: 7 };
 * ```
 */
export interface TrainerOptions {
  readonly loss: LossSpec;
  /** Seeds the shuffling of every epoch; the same seed and data give the same weights. */
  readonly seed: number;
  readonly optimizer?: OptimizerSpec;
  readonly batchSize?: number;
  readonly elasticNet?: ElasticNet;
  readonly schedule?: LearningRateSchedule;
  /**
   * Per layer, a mask over its weights ([outputs, inputs], 1 = trainable, 0 = pruned: held at 0), or
   * null. Use {@link maskOfNonZeros} to keep a pruned model's zeros while fine-tuning.
   */
  readonly masks?: readonly (Uint8Array | null)[];
}

/**
 * A trainer's complete state as JSON: model, options, masks, optimizer moments, step and epoch, with
 * every typed array as base64 of its bytes, so {@link MlpTrainer.fromJSON} resumes bit for bit.
 *
 * @example
 * ```ts
 * const copy = MlpTrainer.fromJSON(JSON.parse(JSON.stringify(trainer.toJSON())));
 * ```
 */
export interface TrainerJson {
  readonly format: "tiktoktoe-mlp-trainer";
  readonly version: 1;
  readonly layers: readonly {
    readonly inputs: number;
    readonly outputs: number;
    readonly activation: Activation;
    readonly weight: string;
    readonly bias: string;
  }[];
  readonly options: Omit<TrainerOptions, "masks">;
  readonly masks: readonly (string | null)[];
  readonly step: number;
  readonly epoch: number;
  readonly buffers: readonly (readonly string[])[];
}

/**
 * A mask (1 where the weight is non-zero) for each layer: fine-tuning a pruned model with these masks
 * keeps every pruned weight at exactly zero.
 *
 * @example
 * ```ts
 * const trainer = new MlpTrainer(pruned, { loss: { kind: "cross-entropy" }, seed: 1, masks: maskOfNonZeros(pruned) });
 * ```
 */
export function maskOfNonZeros(mlp: Mlp): Uint8Array[] {
  return mlp.layers.map((layer) => Uint8Array.from(layer.weight, (w) => (w !== 0 ? 1 : 0)));
}

/** Mixes the seed and the epoch into one 32-bit seed, so epoch e's order needs no earlier epoch's. */
function epochSeed(seed: number, epoch: number): number {
  return (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(epoch + 1, 0xc2b2ae35)) >>> 0;
}

/**
 * Mini-batch training of an {@link Mlp}, in place: the model's weights are updated by every step.
 * All state (optimizer moments, step, epoch, masks) lives in this object and round-trips through
 * {@link MlpTrainer.toJSON}. Buffers are allocated once for the batch size; a step allocates nothing.
 *
 * @example
 * ```ts
 * const mlp = createMlp({ sizes: [64, 128, 10] }, seededRandom(1));
 * const trainer = new MlpTrainer(mlp, { loss: { kind: "cross-entropy" }, seed: 2 });
 * for (let e = 0; e < 20; e++) trainer.trainEpoch({ x, rows, labels });
 * ```
 */
export class MlpTrainer {
  readonly model: Mlp;
  readonly options: TrainerOptions;
  /** Epochs completed by {@link MlpTrainer.trainEpoch}; picks the next epoch's shuffle and rate. */
  epoch = 0;
  private readonly state: OptimizerState;
  private readonly slots: ParameterSlot[];
  private readonly batchSize: number;
  /** acts[0] is the gathered input batch; acts[l + 1] is layer l's output. */
  private readonly acts: Float64Array[];
  /** deltas[l + 1] is ∂loss/∂(layer l's output), then (after the activation) ∂loss/∂(pre-activation). */
  private readonly deltas: Float64Array[];
  private readonly batchLabels: Int32Array;
  private readonly batchTargets: Float64Array;
  private readonly batchTeacher: Float64Array;
  private readonly batchWeights: Float64Array;
  /** The shuffled row order, reused across epochs of the same data size. */
  private order: Int32Array;

  /**
   * @throws RangeError on an inconsistent model, a mask of the wrong size, or a batch size < 1
   */
  constructor(model: Mlp, options: TrainerOptions, state?: OptimizerState) {
    this.model = model;
    this.options = options;
    const layers = model.layers;
    if (layers.length === 0) throw new RangeError("the model has no layers");
    for (let l = 0; l < layers.length; l++) {
      const layer = layers[l]!;
      if (layer.weight.length !== layer.inputs * layer.outputs || layer.bias.length !== layer.outputs)
        throw new RangeError(`layer ${l}: weight must be [outputs, inputs] and bias [outputs]`);
      if (l > 0 && layer.inputs !== layers[l - 1]!.outputs)
        throw new RangeError(
          `layer ${l} takes ${layer.inputs} inputs but layer ${l - 1} gives ${layers[l - 1]!.outputs}`,
        );
      if (!ACTIVATIONS.includes(layer.activation))
        throw new RangeError(`unknown activation ${layer.activation}`);
    }
    this.batchSize = options.batchSize ?? 32;
    if (!(Number.isInteger(this.batchSize) && this.batchSize >= 1))
      throw new RangeError("batchSize must be ≥ 1");
    const masks = options.masks ?? [];
    this.slots = layers.flatMap((layer, l) => {
      const mask = masks[l] ?? null;
      if (mask !== null && mask.length !== layer.weight.length)
        throw new RangeError(`mask ${l} has ${mask.length} entries, the weights ${layer.weight.length}`);
      if (mask !== null) for (let i = 0; i < mask.length; i++) if (mask[i] === 0) layer.weight[i] = 0;
      return [
        { values: layer.weight, grad: new Float64Array(layer.weight.length), mask, penalised: true },
        { values: layer.bias, grad: new Float64Array(layer.bias.length), mask: null, penalised: false },
      ];
    });
    const spec = this.optimizerSpec();
    this.state =
      state ??
      createOptimizerState(
        spec,
        this.slots.map((slot) => slot.values.length),
      );
    const B = this.batchSize;
    const widths = [layers[0]!.inputs, ...layers.map((layer) => layer.outputs)];
    this.acts = widths.map((w) => new Float64Array(B * w));
    this.deltas = widths.map((w, l) => new Float64Array(l === 0 ? 0 : B * w));
    const k = widths.at(-1)!;
    this.batchLabels = new Int32Array(B);
    this.batchTargets = new Float64Array(B * k);
    this.batchTeacher = new Float64Array(B * k);
    this.batchWeights = new Float64Array(B);
    this.order = new Int32Array(0);
  }

  /** The optimizer spec in force (Adam with η = 1e-3 when the options name none). */
  optimizerSpec(): OptimizerSpec {
    return this.options.optimizer ?? { kind: "adam", learningRate: 1e-3 };
  }

  /** Optimizer steps taken so far. */
  get step(): number {
    return this.state.step;
  }

  /**
   * The loss on the rows `rows[start .. start + count)` of `data` (count ≤ batch size), and, when
   * `withGradients`, the gradients of that loss left in the trainer's buffers (see
   * {@link MlpTrainer.gradients}). No penalty term: the elastic net acts in the optimizer.
   *
   * @throws RangeError when the data lack what the loss needs, or count exceeds the batch size
   * @example
   * ```ts
   * const loss = trainer.batchLoss(data, Int32Array.of(0, 1, 2), 0, 3, false);
   * ```
   */
  batchLoss(
    data: TrainingData,
    rows: Int32Array,
    start: number,
    count: number,
    withGradients: boolean,
  ): number {
    if (count > this.batchSize)
      throw new RangeError(`count ${count} exceeds the batch size ${this.batchSize}`);
    const layers = this.model.layers;
    const L = layers.length;
    const d = layers[0]!.inputs;
    const k = layers[L - 1]!.outputs;
    const x0 = this.acts[0]!;
    const { x, labels, targets, teacher, weights } = data;
    for (let b = 0; b < count; b++) {
      const r = rows[start + b]!;
      for (let i = 0; i < d; i++) x0[b * d + i] = x[r * d + i]!;
      if (weights !== undefined) this.batchWeights[b] = weights[r]!;
      if (labels !== undefined) this.batchLabels[b] = labels[r]!;
      if (targets !== undefined)
        for (let j = 0; j < k; j++) this.batchTargets[b * k + j] = targets[r * k + j]!;
      if (teacher !== undefined)
        for (let j = 0; j < k; j++) this.batchTeacher[b * k + j] = teacher[r * k + j]!;
    }
    for (let l = 0; l < L; l++) {
      const layer = layers[l]!;
      const out = this.acts[l + 1]!;
      denseForward(this.acts[l]!, count, layer.inputs, layer.weight, layer.bias, layer.outputs, out);
      activateInPlace(layer.activation, out, count * layer.outputs);
    }
    const out = this.acts[L]!;
    const grad = withGradients ? this.deltas[L]! : undefined;
    const w = weights === undefined ? undefined : this.batchWeights;
    const loss = this.lossValue(data, out, count, k, w, grad);
    if (withGradients) this.backward(count);
    return loss;
  }

  private lossValue(
    data: TrainingData,
    out: Float64Array,
    count: number,
    k: number,
    w: Float64Array | undefined,
    grad: Float64Array | undefined,
  ): number {
    const spec = this.options.loss;
    const need = (field: "labels" | "targets" | "teacher") => {
      if (data[field] === undefined) throw new RangeError(`the ${spec.kind} loss needs data.${field}`);
    };
    switch (spec.kind) {
      case "cross-entropy":
        need("labels");
        return softmaxCrossEntropy(out, count, k, this.batchLabels, w, grad);
      case "distillation":
        need("labels");
        need("teacher");
        return distillationLoss(
          out,
          count,
          k,
          this.batchTeacher,
          this.batchLabels,
          {
            temperature: spec.temperature ?? DEFAULT_DISTILLATION.temperature,
            alpha: spec.alpha ?? DEFAULT_DISTILLATION.alpha,
          },
          w,
          grad,
        );
      case "mse":
        need("targets");
        return meanSquaredError(out, count, k, this.batchTargets, w, grad);
      case "regression-distillation":
        need("targets");
        need("teacher");
        return regressionDistillationLoss(
          out,
          count,
          k,
          this.batchTeacher,
          this.batchTargets,
          spec.alpha ?? DEFAULT_DISTILLATION.alpha,
          w,
          grad,
        );
    }
  }

  private backward(count: number): void {
    const layers = this.model.layers;
    for (let l = layers.length - 1; l >= 0; l--) {
      const layer = layers[l]!;
      const delta = this.deltas[l + 1]!;
      activationBackwardInPlace(layer.activation, this.acts[l + 1]!, delta, count * layer.outputs);
      const weightSlot = this.slots[2 * l]!;
      const biasSlot = this.slots[2 * l + 1]!;
      weightSlot.grad.fill(0);
      biasSlot.grad.fill(0);
      denseBackwardParams(
        this.acts[l]!,
        count,
        layer.inputs,
        delta,
        layer.outputs,
        weightSlot.grad,
        biasSlot.grad,
      );
      // The input layer's dx is never used: skipping it saves a third of the first layer's work.
      if (l > 0) denseBackwardInput(delta, count, layer.outputs, layer.weight, layer.inputs, this.deltas[l]!);
    }
  }

  /**
   * The gradients left by the last {@link MlpTrainer.batchLoss} with gradients: per layer, ∂loss/∂W
   * ([outputs, inputs], as the weights) and ∂loss/∂b. Views of the trainer's buffers, overwritten by the next step.
   *
   * @example
   * ```ts
   * trainer.batchLoss(data, rows, 0, 4, true);
   * const [{ weight, bias }] = trainer.gradients();
   * ```
   */
  gradients(): { weight: Float64Array; bias: Float64Array }[] {
    return this.model.layers.map((_, l) => ({
      weight: this.slots[2 * l]!.grad,
      bias: this.slots[2 * l + 1]!.grad,
    }));
  }

  /**
   * One optimizer step on rows `rows[start .. start + count)`; returns that batch's loss (before the step).
   *
   * @example
   * ```ts
   * trainer.trainBatch(data, Int32Array.of(0, 1, 2, 3), 0, 4);
   * ```
   */
  trainBatch(data: TrainingData, rows: Int32Array, start: number, count: number): number {
    const loss = this.batchLoss(data, rows, start, count, true);
    const spec = this.optimizerSpec();
    const rate = scheduledRate(spec.learningRate, this.options.schedule ?? { kind: "constant" }, this.epoch);
    optimizerStep(spec, this.state, this.slots, rate, this.options.elasticNet ?? { l1: 0, l2: 0 });
    return loss;
  }

  /**
   * One pass over `data` in a seeded shuffled order (a function of the seed and the epoch number
   * only, so a trainer restored from JSON continues with the same order), in batches of the batch
   * size, the last one shorter. Returns the mean of the batch losses, weighted by batch length.
   *
   * @example
   * ```ts
   * const loss = trainer.trainEpoch({ x, rows, labels });
   * ```
   */
  trainEpoch(data: TrainingData): number {
    const n = data.rows;
    if (this.order.length !== n) this.order = new Int32Array(n);
    const order = this.order;
    for (let i = 0; i < n; i++) order[i] = i;
    const rng = seededRandom(epochSeed(this.options.seed, this.epoch));
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rng.uniform() * (i + 1));
      const t = order[i]!;
      order[i] = order[j]!;
      order[j] = t;
    }
    let total = 0;
    for (let start = 0; start < n; start += this.batchSize) {
      const count = Math.min(this.batchSize, n - start);
      total += count * this.trainBatch(data, order, start, count);
    }
    this.epoch++;
    return total / n;
  }

  /**
   * The trainer's whole state as JSON (see {@link TrainerJson}).
   *
   * @example
   * ```ts
   * const text = JSON.stringify(trainer.toJSON());
   * ```
   */
  toJSON(): TrainerJson {
    const { masks = [], ...options } = this.options;
    return {
      format: "tiktoktoe-mlp-trainer",
      version: 1,
      layers: this.model.layers.map((layer) => ({
        inputs: layer.inputs,
        outputs: layer.outputs,
        activation: layer.activation,
        weight: typedToBase64(layer.weight),
        bias: typedToBase64(layer.bias),
      })),
      options,
      masks: this.model.layers.map((_, l) => {
        const mask = masks[l] ?? null;
        return mask === null ? null : typedToBase64(mask);
      }),
      step: this.state.step,
      epoch: this.epoch,
      buffers: this.state.buffers.map((slot) => slot.map((buffer) => typedToBase64(buffer))),
    };
  }

  /**
   * Restores a trainer from {@link MlpTrainer.toJSON}'s output; training continues exactly as the
   * original would have.
   *
   * @throws RangeError when the JSON is not a trainer state of this version or its arrays do not fit
   * @example
   * ```ts
   * const resumed = MlpTrainer.fromJSON(JSON.parse(text));
   * ```
   */
  static fromJSON(json: TrainerJson): MlpTrainer {
    if (json.format !== "tiktoktoe-mlp-trainer" || json.version !== 1)
      throw new RangeError("not a version 1 tiktoktoe-mlp-trainer state");
    const layers: DenseLayer[] = json.layers.map((layer) => ({
      inputs: layer.inputs,
      outputs: layer.outputs,
      activation: layer.activation,
      weight: float32FromBase64(layer.weight),
      bias: float32FromBase64(layer.bias),
    }));
    const masks = json.masks.map((mask) => (mask === null ? null : uint8FromBase64(mask)));
    const state: OptimizerState = {
      step: json.step,
      buffers: json.buffers.map((slot) => slot.map((text) => float64ArrayFromBase64(text))),
    };
    const trainer = new MlpTrainer({ layers }, { ...json.options, masks }, state);
    const expected = createOptimizerState(
      trainer.optimizerSpec(),
      layers.flatMap((layer) => [layer.weight.length, layer.bias.length]),
    );
    const fits =
      expected.buffers.length === state.buffers.length &&
      expected.buffers.every(
        (slot, s) =>
          slot.length === state.buffers[s]!.length &&
          slot.every((buffer, i) => buffer.length === state.buffers[s]![i]!.length),
      );
    if (!fits) throw new RangeError("the optimizer state does not fit the model");
    trainer.epoch = json.epoch;
    return trainer;
  }
}
