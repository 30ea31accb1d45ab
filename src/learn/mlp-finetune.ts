import { TikTokToeError } from "../errors/index.js";
import { decodeModel } from "../onnx/decode.js";
import { encodeModel } from "../onnx/encode.js";
import { tensorToFloat32 } from "../onnx/tensor.js";
import type { NodeProto, OnnxModel } from "../onnx/types.js";
import { extractMlp, type MlpGraph, writeMlpWeights } from "../optimize/index.js";
import { seededRandom } from "../stats/index.js";
import {
  cloneMlp,
  type LossSpec,
  type Mlp,
  MlpTrainer,
  mlpPredict,
  softThreshold,
  type TrainingData,
} from "../train/index.js";

/**
 * Fine-tuning a deployed ONNX MLP in place (issue #15): the chain of dense layers is read out of the
 * graph, trained on the validated new data with the training engine of src/train (Adam, per-sample
 * importance weights) under an elastic-net penalty that pulls towards the deployed weights, and
 * written back into the same graph, where only the layers' weight and bias initializers change.
 * Pure: bytes in, bytes out. See docs/learning.md ("Fine-tuning a deployed ONNX MLP").
 */

/**
 * How the output is read, which decides the loss:
 * - `regression`: one value, no Softmax; mean squared error against the targets.
 * - `softmax`: K ≥ 2 logits followed by a `Softmax` node; cross-entropy, targets are class indices.
 * - `logits`: K ≥ 2 outputs with no activation and no Softmax (raw class scores); cross-entropy.
 * - `sigmoid`: one output ending in `Sigmoid` (the probability of class 1); binary cross-entropy,
 *   targets are 0 or 1.
 *
 * @example
 * ```ts
 * const head: OnnxMlpHead = "softmax";
 * ```
 */
export type OnnxMlpHead = "regression" | "softmax" | "logits" | "sigmoid";

/**
 * An MLP found in an ONNX model ({@link readOnnxMlp}): the decoded model, where its layers live, the
 * layers in the trainer's layout (copies), the frozen input normalisation and how the output is read.
 *
 * @example
 * ```ts
 * const found = readOnnxMlp(readFileSync("models/bike_mlp.onnx"));
 * found.inputWidth; // 11
 * found.head; // "regression"
 * ```
 */
export interface OnnxMlp {
  readonly model: OnnxModel;
  readonly graph: MlpGraph;
  /** The dense layers as the trainer holds them (weights [outputs, inputs]); editing them does not touch `model`. */
  readonly mlp: Mlp;
  readonly inputWidth: number;
  readonly outputWidth: number;
  readonly head: OnnxMlpHead;
  /** Number of classes (2 for `sigmoid`), 0 for regression. */
  readonly classes: number;
  /** The normalisation nodes before the first layer, as `x ← x op constant` steps applied in order (frozen). */
  readonly normalisation: readonly NormalisationStep[];
}

/**
 * One frozen elementwise step of the input normalisation: `x ← x op c`, with `c` one value for all
 * columns or one per column, computed in float32 as onnxruntime does.
 *
 * @example
 * ```ts
 * const step: NormalisationStep = { op: "Sub", constant: Float32Array.of(0.5), node: "/0/Sub" };
 * ```
 */
export interface NormalisationStep {
  readonly op: "Sub" | "Div" | "Mul" | "Add";
  readonly constant: Float32Array;
  readonly node: string;
}

/**
 * Fine-tuning settings; every field has a default.
 *
 * @example
 * ```ts
 * const options: MlpFineTuneOptions = { epochs: 5, learningRate: 1e-3, l2: 1e-2, seed: 7 };
 * ```
 */
export interface MlpFineTuneOptions {
  /** Passes over the new data (default 3). Early stopping may end sooner. */
  epochs?: number;
  /** Adam's rate η (default {@link DEFAULT_MLP_FINE_TUNE}.learningRate = 1e-3, PyTorch's default). */
  learningRate?: number;
  /** Rows per Adam step (default 64). */
  batchSize?: number;
  /**
   * λ₁ of the elastic net on the weights (not the biases), towards the deployed weights w₀:
   * λ₁·‖w − w₀‖₁, as a proximal step after each Adam step, so most weights stay exactly at their
   * deployed value (a sparse update). Adam's steps are about η each whatever the loss's scale, and
   * the prox removes η·λ₁ per step, so λ₁ reads against 1: 0.5 holds back many weights, ≥ 1 nearly
   * all. Default 0.
   */
  l1?: number;
  /**
   * λ₂ of (λ₂/2)·‖w − w₀‖², towards the deployed weights, as a proximal step after each Adam step
   * (w − w₀ shrinks by 1/(1 + η·λ₂) per step: stable for any λ₂, a huge one holds w at w₀). Default 0.
   */
  l2?: number;
  /** Seeds the validation split and every epoch's shuffle (default 1): the same seed and data give the same model. */
  seed?: number;
  /**
   * Share of the rows held out (a seeded random sample) to measure the loss before and after each
   * epoch: training stops after two epochs without improvement and the best epoch's weights are
   * kept, the deployed ones if no epoch beat them. Default 0.2; 0 trains on every row for every epoch.
   */
  validationFraction?: number;
}

/**
 * The defaults of {@link MlpFineTuneOptions}.
 *
 * @example
 * ```ts
 * DEFAULT_MLP_FINE_TUNE.epochs; // 3
 * ```
 */
export const DEFAULT_MLP_FINE_TUNE = {
  epochs: 3,
  learningRate: 1e-3,
  batchSize: 64,
  l1: 0,
  l2: 0,
  seed: 1,
  validationFraction: 0.2,
} as const satisfies Required<MlpFineTuneOptions>;

/** Epochs without a better validation loss after which training stops. */
const PATIENCE = 2;

/**
 * What {@link fineTuneOnnxMlp} produced. Losses are the importance-weighted training loss (mean
 * squared error, or cross-entropy in nats), without the penalty.
 *
 * @example
 * ```ts
 * const { onnx, validationLoss, startValidationLoss } = fineTuneOnnxMlp(bytes, rows, targets);
 * ```
 */
export interface MlpFineTuneResult {
  /** The new version: the same graph, inputs, outputs and opset, only the layers' initializers changed. */
  onnx: Uint8Array;
  /** Epochs trained (early stopping may stop before `epochs`). */
  epochsRun: number;
  /** The returned model's loss on the training rows. */
  trainLoss: number;
  /** The returned model's loss on the held-out rows; null without a validation share. */
  validationLoss: number | null;
  /** The deployed model's loss on the same held-out rows; null without a validation share. */
  startValidationLoss: number | null;
}

const ACTIVATION_OPS = new Set(["Relu", "Tanh", "Sigmoid"]);
const KNOWN_OPS = new Set([
  "Sub",
  "Div",
  "Mul",
  "Add",
  "Gemm",
  "MatMul",
  "Softmax",
  "Identity",
  ...ACTIVATION_OPS,
]);

function unsupported(message: string): TikTokToeError {
  return new TikTokToeError("ONNX_UNSUPPORTED", message, {
    hint: "fine-tuning handles chains of Gemm or MatMul(+Add) with Relu/Tanh/Sigmoid, optional Sub/Div/Mul/Add normalisation by constants and an optional Softmax",
  });
}

function invalid(message: string, path: string, hint?: string): TikTokToeError {
  return new TikTokToeError("REQUEST_INVALID", message, { path, ...(hint === undefined ? {} : { hint }) });
}

/**
 * Reads the MLP of an ONNX model: optional elementwise normalisation by constants (Sub/Div/Mul/Add),
 * then `Gemm` or `MatMul`(+`Add`) layers each optionally followed by `Relu`, `Tanh` or `Sigmoid`,
 * then optionally `Softmax` / `Identity` (see {@link OnnxMlpHead} for how the output is read).
 *
 * @throws TikTokToeError `ONNX_INVALID` when the bytes are not ONNX; `ONNX_UNSUPPORTED` naming the
 *   node (its op type and name) when the graph is not such an MLP (a `Conv`, a `LeakyRelu`, a branch,
 *   a non-float input, a sigmoid over several outputs)
 * @example
 * ```ts
 * const found = readOnnxMlp(readFileSync("models/digits_mlp.onnx"));
 * found.mlp.layers.map((l) => l.outputs); // [512, 512, 10]
 * ```
 */
export function readOnnxMlp(onnx: Uint8Array): OnnxMlp {
  const model = decodeModel(onnx);
  const nodes = model.graph?.node ?? [];
  const foreign = nodes.find((n) => (n.domain ?? "") !== "" || !KNOWN_OPS.has(n.opType ?? ""));
  if (foreign !== undefined)
    throw unsupported(
      `the model is not an MLP fine-tuning supports: node ${nodeLabel(foreign)} is a ${foreign.opType}`,
    );
  const found = extractMlp(model);
  if (!found.ok) throw unsupported(`the model is not an MLP fine-tuning supports: ${found.reason}`);
  const graph = found.graph;
  const input = model.graph!.input.find((v) => v.name === graph.input);
  const elemType = input?.type?.tensorType?.elemType;
  if (elemType !== 1)
    throw unsupported(`the input "${graph.input}" is not float32 (element type ${elemType ?? "unknown"})`);
  const mlp = cloneMlp(graph.mlp);
  const inputWidth = mlp.layers[0]!.inputs;
  const last = mlp.layers.at(-1)!;
  const outputWidth = last.outputs;
  const softmax = graph.suffix.some((n) => n.opType === "Softmax");
  let head: OnnxMlpHead;
  if (softmax) {
    if (last.activation !== "identity" || outputWidth < 2)
      throw unsupported(
        `the Softmax node ${nodeLabel(graph.suffix.find((n) => n.opType === "Softmax")!)} must read ≥ 2 logits straight from the last layer`,
      );
    head = "softmax";
  } else if (last.activation === "sigmoid") {
    if (outputWidth !== 1)
      throw unsupported(
        `the last layer ends in a Sigmoid over ${outputWidth} outputs (multi-label): only a single binary output is supported`,
      );
    head = "sigmoid";
  } else if (outputWidth === 1) head = "regression";
  else if (last.activation === "identity") head = "logits";
  else
    throw unsupported(
      `the last layer has ${outputWidth} outputs after a ${last.activation}: neither a regression value nor class scores`,
    );
  const initializers = new Map((model.graph?.initializer ?? []).map((t) => [t.name ?? "", t]));
  const normalisation = graph.prefix.map((node): NormalisationStep => {
    const t = initializers.get(node.input[1] ?? "")!;
    const constant = tensorToFloat32(t);
    if (constant.length !== 1 && constant.length !== inputWidth)
      throw unsupported(
        `the normalisation node ${nodeLabel(node)} has ${constant.length} constants for ${inputWidth} inputs`,
      );
    if (t.dims.length > 2 || (t.dims.length === 2 && t.dims[0] !== 1))
      throw unsupported(
        `the normalisation node ${nodeLabel(node)}'s constant has shape [${t.dims.join(", ")}]`,
      );
    return { op: node.opType as NormalisationStep["op"], constant, node: node.name ?? "" };
  });
  return {
    model,
    graph,
    mlp,
    inputWidth,
    outputWidth,
    head,
    classes: head === "regression" ? 0 : head === "sigmoid" ? 2 : outputWidth,
    normalisation,
  };
}

function nodeLabel(node: NodeProto): string {
  return `${node.opType} "${node.name ?? ""}"`;
}

/**
 * The ONNX model with `mlp`'s weights (default: the ones read, unchanged) written back where they
 * were found: every node, input, output, opset, metadata and annotation stays as it was; only the
 * layers' weight and bias initializers are replaced.
 *
 * @throws RangeError when `mlp`'s layer sizes differ from the graph's
 * @example
 * ```ts
 * const same = exportOnnxMlp(readOnnxMlp(bytes)); // runs exactly as `bytes` in onnxruntime
 * ```
 */
export function exportOnnxMlp(found: OnnxMlp, mlp: Mlp = found.mlp): Uint8Array {
  found.mlp.layers.forEach((layer, l) => {
    const other = mlp.layers[l];
    if (other === undefined || other.inputs !== layer.inputs || other.outputs !== layer.outputs)
      throw new RangeError(`layer ${l} must stay [${layer.outputs}, ${layer.inputs}]`);
  });
  const written = writeMlpWeights(found.model, found.graph, mlp);
  // Hidden widths are unchanged, so the graph's type annotations still hold: keep them as they were.
  return encodeModel({ ...written, graph: { ...written.graph!, valueInfo: found.model.graph!.valueInfo } });
}

/**
 * The model's outputs for `rows` computed in TypeScript (normalisation in float32, layers in
 * float64), row-major [rows, outputWidth]; probabilities after a Softmax or Sigmoid, as the graph
 * gives them. Agrees with onnxruntime up to float32 rounding.
 *
 * @throws TikTokToeError `REQUEST_INVALID` on a row of the wrong length or a non-finite value
 * @example
 * ```ts
 * predictOnnxMlp(found, [[1, 1, 0, 0, 6, 0, 1, 0.24, 0.29, 0.81, 0]]); // Float64Array [≈ 16]
 * ```
 */
export function predictOnnxMlp(
  found: OnnxMlp,
  rows: readonly (ArrayLike<number> & Iterable<number>)[],
  mlp: Mlp = found.mlp,
): Float64Array {
  const x = normalisedInputs(found, rows);
  const out = mlpPredict(mlp, x, rows.length);
  if (found.head === "softmax") {
    const k = found.outputWidth;
    for (let r = 0; r < rows.length; r++) {
      let max = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < k; j++) max = Math.max(max, out[r * k + j]!);
      let sum = 0;
      for (let j = 0; j < k; j++) {
        const e = Math.exp(out[r * k + j]! - max);
        out[r * k + j] = e;
        sum += e;
      }
      for (let j = 0; j < k; j++) out[r * k + j]! /= sum;
    }
  }
  return out;
}

/** The rows after the frozen normalisation, row-major float64 [rows, inputWidth], each value float32-exact. */
function normalisedInputs(
  found: OnnxMlp,
  rows: readonly (ArrayLike<number> & Iterable<number>)[],
): Float64Array {
  const width = found.inputWidth;
  const x = new Float64Array(rows.length * width);
  rows.forEach((row, r) => {
    if (row.length !== width)
      throw invalid(
        `row ${r} has ${row.length} values, the model takes ${width}`,
        `rows[${r}]`,
        "give every row the model's input columns, in the model's order",
      );
    for (let i = 0; i < width; i++) {
      const v = row[i]!;
      if (!Number.isFinite(v))
        throw invalid(
          `row ${r} value ${i} is ${v}, not a finite number`,
          `rows[${r}][${i}]`,
          "drop or impute the row",
        );
      // onnxruntime reads float32 and computes each normalisation step in float32: round the same way.
      let y = Math.fround(v);
      for (const step of found.normalisation) {
        const c = step.constant.length === 1 ? step.constant[0]! : step.constant[i]!;
        y = Math.fround(
          step.op === "Sub" ? y - c : step.op === "Div" ? y / c : step.op === "Mul" ? y * c : y + c,
        );
      }
      x[r * width + i] = y;
    }
  });
  return x;
}

function checkCount(value: number | undefined, fallback: number, path: string, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min)
    throw invalid(`${path} must be an integer ≥ ${min}, not ${value}`, path);
  return value;
}

function checkRate(value: number | undefined, fallback: number, path: string, positive: boolean): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0 || (positive && value === 0))
    throw invalid(`${path} must be a finite number ${positive ? "> 0" : "≥ 0"}, not ${value}`, path);
  return value;
}

/**
 * Fine-tunes the MLP of an ONNX model on new rows and returns the new version's bytes.
 *
 * The input normalisation and every node stay as they are; the dense layers start from the deployed
 * weights w₀ and take Adam steps (src/train's trainer) on mini-batches of the rows, each sample's
 * loss multiplied by its importance weight (mean squared error for a regression output,
 * cross-entropy against class indices for a Softmax, logits or Sigmoid output). After each step the
 * elastic net pulls the weights back towards w₀ (not towards zero: fine-tuning should move a good
 * model only as far as the new data justify). Rows with weight 0 are dropped before anything else,
 * so they have no effect at all; the other weights are rescaled to mean 1 (only their ratios matter).
 *
 * @throws TikTokToeError `ONNX_INVALID` / `ONNX_UNSUPPORTED` (see {@link readOnnxMlp});
 *   `REQUEST_INVALID` (with the field path) on a row of the wrong length, a non-finite value, a
 *   target count that differs from the rows, a negative or non-finite weight, no row of positive
 *   weight, or an option out of range; `INPUT_BAD_LABEL` on a class target that is not an index
 * @example
 * ```ts
 * const result = fineTuneOnnxMlp(readFileSync("models/bike_mlp.onnx"), rows2012, counts2012, { epochs: 5, seed: 7 });
 * writeFileSync("bike_mlp.v2.onnx", result.onnx);
 * ```
 */
export function fineTuneOnnxMlp(
  onnx: Uint8Array,
  rows: Float64Array[] | number[][],
  targets: Float64Array | number[],
  options: MlpFineTuneOptions & { weights?: Float64Array | number[] } = {},
): MlpFineTuneResult {
  const found = readOnnxMlp(onnx);
  const epochs = checkCount(options.epochs, DEFAULT_MLP_FINE_TUNE.epochs, "epochs", 0);
  const learningRate = checkRate(
    options.learningRate,
    DEFAULT_MLP_FINE_TUNE.learningRate,
    "learningRate",
    true,
  );
  const batchSize = checkCount(options.batchSize, DEFAULT_MLP_FINE_TUNE.batchSize, "batchSize", 1);
  const l1 = checkRate(options.l1, DEFAULT_MLP_FINE_TUNE.l1, "l1", false);
  const l2 = checkRate(options.l2, DEFAULT_MLP_FINE_TUNE.l2, "l2", false);
  const seed = options.seed ?? DEFAULT_MLP_FINE_TUNE.seed;
  if (!Number.isInteger(seed)) throw invalid(`seed must be an integer, not ${seed}`, "seed");
  const fraction = options.validationFraction ?? DEFAULT_MLP_FINE_TUNE.validationFraction;
  if (!(fraction >= 0 && fraction < 1))
    throw invalid(`validationFraction must be in [0, 1), not ${fraction}`, "validationFraction");
  if (targets.length !== rows.length)
    throw invalid(`${targets.length} targets for ${rows.length} rows`, "targets", "give one target per row");
  const weights = options.weights;
  if (weights !== undefined && weights.length !== rows.length)
    throw invalid(`${weights.length} weights for ${rows.length} rows`, "weights", "give one weight per row");

  const x = normalisedInputs(found, rows);
  for (let r = 0; r < targets.length; r++) {
    const t = targets[r]!;
    if (!Number.isFinite(t)) throw invalid(`target ${r} is ${t}, not a finite number`, `targets[${r}]`);
    if (found.head !== "regression" && !(Number.isInteger(t) && t >= 0 && t < found.classes))
      throw new TikTokToeError(
        "INPUT_BAD_LABEL",
        `target ${r} is ${t}, not a class index of this ${found.classes}-class model (0 … ${found.classes - 1})`,
        { path: `targets[${r}]`, hint: "give classifier targets as the index of the class's output" },
      );
    const w = weights?.[r] ?? 1;
    if (!(Number.isFinite(w) && w >= 0))
      throw invalid(`weight ${r} is ${w}: importance weights must be finite and ≥ 0`, `weights[${r}]`);
  }
  // Zero-weight rows leave the data before the split and the shuffles: dropping them by hand gives
  // exactly the same model.
  const kept: number[] = [];
  for (let r = 0; r < rows.length; r++) if ((weights?.[r] ?? 1) > 0) kept.push(r);
  if (kept.length === 0)
    throw invalid(
      "no row has a positive weight: there is nothing to learn from",
      "rows",
      "give at least one row",
    );

  const random = seededRandom(seed);
  const order = Int32Array.from(kept);
  shuffle(order, random.uniform.bind(random));
  const validationCount = Math.min(Math.floor(kept.length * fraction), kept.length - 1);
  const validationRows = order.slice(0, validationCount).sort();
  const trainRows = order.slice(validationCount).sort();
  let weightSum = 0;
  for (const r of kept) weightSum += weights?.[r] ?? 1;
  const scale = kept.length / weightSum;

  const binary = found.head === "sigmoid";
  const start = found.mlp;
  // A Sigmoid output p = σ(z) is trained as a softmax over the two logits [z₀, z₁] with z₀'s weights
  // held at 0 by a mask: softmax([z₀, z₁])₁ = σ(z₁ − z₀), so the exported bias is b₁ − b₀ and the
  // trainer's cross-entropy is exactly the binary one.
  const model = binary ? twoLogits(start) : cloneMlp(start);
  const anchors = model.layers.map((layer) => layer.weight.slice());
  const dataOf = (subset: Int32Array): TrainingData => subsetData(x, found, subset, targets, weights, scale);
  const train = dataOf(trainRows);
  const validation = validationCount > 0 ? dataOf(validationRows) : undefined;
  const loss: LossSpec = found.head === "regression" ? { kind: "mse" } : { kind: "cross-entropy" };
  const last = model.layers.length - 1;
  const masks = model.layers.map((layer, l) =>
    binary && l === last ? Uint8Array.from(layer.weight, (_, i) => (i < layer.inputs ? 0 : 1)) : null,
  );
  const trainer = new MlpTrainer(model, {
    loss,
    seed,
    batchSize,
    optimizer: { kind: "adam", learningRate },
    masks,
  });
  const biasless = found.graph.layers.map((place) => place.bias === undefined);
  const evaluate = (data: TrainingData): number => meanLoss(trainer, data, batchSize);

  const startValidationLoss = validation === undefined ? null : evaluate(validation);
  let best = { loss: startValidationLoss ?? Number.POSITIVE_INFINITY, model: cloneMlp(model) };
  let stale = 0;
  let epochsRun = 0;
  const batchOrder = new Int32Array(train.rows);
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = 0; i < batchOrder.length; i++) batchOrder[i] = i;
    const epochRandom = seededRandom((Math.imul(seed ^ 0x5bd1e995, 0x27d4eb2d) + epoch * 0x9e3779b9) >>> 0);
    shuffle(batchOrder, epochRandom.uniform.bind(epochRandom));
    for (let s = 0; s < batchOrder.length; s += batchSize) {
      trainer.trainBatch(train, batchOrder, s, Math.min(batchSize, batchOrder.length - s));
      pullTowards(model, anchors, learningRate, l1, l2, biasless);
    }
    epochsRun++;
    if (validation !== undefined) {
      const v = evaluate(validation);
      if (v < best.loss) {
        best = { loss: v, model: cloneMlp(model) };
        stale = 0;
      } else if (++stale >= PATIENCE) break;
    }
  }
  const chosen = validation === undefined ? model : best.model;
  // Losses of the returned weights, measured with a trainer of its own (batchLoss does not step).
  const judge = new MlpTrainer(cloneMlp(chosen), { loss, seed, batchSize });
  const trainLoss = meanLoss(judge, train, batchSize);
  const validationLoss = validation === undefined ? null : meanLoss(judge, validation, batchSize);
  const exported = binary ? oneLogit(chosen) : chosen;
  return {
    onnx: exportOnnxMlp(found, exported),
    epochsRun,
    trainLoss,
    validationLoss,
    startValidationLoss,
  };
}

/** Fisher–Yates with the given uniform source. */
function shuffle(order: Int32Array, uniform: () => number): void {
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(uniform() * (i + 1));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
}

function subsetData(
  x: Float64Array,
  found: OnnxMlp,
  subset: Int32Array,
  targets: ArrayLike<number>,
  weights: ArrayLike<number> | undefined,
  scale: number,
): TrainingData {
  const width = found.inputWidth;
  const n = subset.length;
  const sx = new Float64Array(n * width);
  const w = new Float64Array(n);
  subset.forEach((r, i) => {
    sx.set(x.subarray(r * width, (r + 1) * width), i * width);
    w[i] = (weights?.[r] ?? 1) * scale;
  });
  const base = { x: sx, rows: n, ...(weights === undefined ? {} : { weights: w }) };
  if (found.head === "regression") return { ...base, targets: Float64Array.from(subset, (r) => targets[r]!) };
  return { ...base, labels: Int32Array.from(subset, (r) => targets[r]!) };
}

/** The importance-weighted mean loss over all rows of `data` (no step taken). */
function meanLoss(trainer: MlpTrainer, data: TrainingData, batchSize: number): number {
  const all = new Int32Array(data.rows);
  for (let i = 0; i < all.length; i++) all[i] = i;
  let total = 0;
  for (let s = 0; s < data.rows; s += batchSize) {
    const count = Math.min(batchSize, data.rows - s);
    total += count * trainer.batchLoss(data, all, s, count, false);
  }
  return total / data.rows;
}

/**
 * The proximal steps of the elastic net towards the deployed weights w₀, after each Adam step of
 * rate η: d = w − w₀; d ← d / (1 + η·λ₂) (the prox of (λ₂/2)·d², stable for any λ₂: a huge λ₂ holds
 * w at w₀); d ← soft-threshold(d, η·λ₁) (exact zeros of d: the weight stays at its deployed value).
 * Biases are not penalised, as in src/train; a layer the graph gives no bias keeps a zero bias.
 */
function pullTowards(
  model: Mlp,
  anchors: readonly Float32Array[],
  rate: number,
  l1: number,
  l2: number,
  biasless: readonly boolean[],
): void {
  const shrink = 1 / (1 + rate * l2);
  const threshold = rate * l1;
  model.layers.forEach((layer, l) => {
    if (biasless[l]) layer.bias.fill(0);
    if (l1 === 0 && l2 === 0) return;
    const w = layer.weight;
    const w0 = anchors[l]!;
    for (let i = 0; i < w.length; i++) {
      let d = (w[i]! - w0[i]!) * shrink;
      if (threshold > 0) d = softThreshold(d, threshold);
      w[i] = w0[i]! + d;
    }
  });
}

/** A one-output sigmoid last layer as two identity logits, the first held at zero weights (see above). */
function twoLogits(mlp: Mlp): Mlp {
  const layers = cloneMlp(mlp).layers;
  const last = layers.at(-1)!;
  const weight = new Float32Array(2 * last.inputs);
  weight.set(last.weight, last.inputs);
  return {
    layers: [
      ...layers.slice(0, -1),
      { ...last, outputs: 2, weight, bias: Float32Array.of(0, last.bias[0]!), activation: "identity" },
    ],
  };
}

/** Back from {@link twoLogits}: z₁ − z₀ as the one Sigmoid output. */
function oneLogit(mlp: Mlp): Mlp {
  const layers = mlp.layers;
  const last = layers.at(-1)!;
  return {
    layers: [
      ...layers.slice(0, -1),
      {
        ...last,
        outputs: 1,
        weight: last.weight.slice(last.inputs),
        bias: Float32Array.of(last.bias[1]! - last.bias[0]!),
        activation: "sigmoid",
      },
    ],
  };
}
