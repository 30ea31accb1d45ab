import { type Activation, activateInPlace } from "./activation.js";
import { denseForward } from "./dense-kernels.js";

/**
 * One dense layer, y = activation(x·Wᵀ + b).
 *
 * **Weight layout**: `weight` is row-major [outputs, inputs]: the weight from input i to output o is
 * `weight[o * inputs + i]`. That is exactly ONNX `Gemm(X, W, B, transB = 1)`'s `W` with dims
 * `[outputs, inputs]` (and PyTorch's `nn.Linear.weight`), so an exporter writes `weight` as the raw
 * float32 data of a `[outputs, inputs]` initializer, `bias` as a `[outputs]` initializer, a `Gemm`
 * node with `transB = 1`, then the activation's node (`Relu`, `Tanh`, `Sigmoid`, none for identity).
 *
 * @example
 * ```ts
 * const layer: DenseLayer = {
 *   inputs: 2, outputs: 1, activation: "identity",
 *   weight: Float32Array.of(3, 4), bias: Float32Array.of(0.5),
 * };
 * ```
 */
export interface DenseLayer {
  readonly inputs: number;
  readonly outputs: number;
  /** Row-major [outputs, inputs]; ONNX Gemm's B with transB = 1. */
  readonly weight: Float32Array;
  readonly bias: Float32Array;
  readonly activation: Activation;
}

/**
 * A multilayer perceptron: dense layers applied in order. Classifiers end in `identity` (logits);
 * the losses apply the softmax themselves.
 *
 * @example
 * ```ts
 * const mlp = createMlp({ sizes: [64, 128, 10] }, seededRandom(1));
 * mlp.layers[0].weight.length; // 128 * 64
 * ```
 */
export interface Mlp {
  readonly layers: readonly DenseLayer[];
}

/** How weights start: He (normal, sd √(2/fan_in)), Xavier/Glorot (normal, sd √(2/(fan_in + fan_out))). */
export type WeightInit = "he" | "xavier";

/**
 * The shape of a new MLP.
 *
 * @example
 * ```ts
 * const spec: MlpSpec = { sizes: [64, 128, 10], hidden: "relu", output: "identity" };
 * ```
 */
export interface MlpSpec {
  /** Layer widths, input first: [64, 128, 10] is 64 inputs, one hidden layer of 128, 10 outputs. */
  readonly sizes: readonly number[];
  /** Activation of every hidden layer; default relu. */
  readonly hidden?: Activation;
  /** Activation of the last layer; default identity (logits or a regression output). */
  readonly output?: Activation;
  /** Default: He for relu layers (Kaiming), Xavier for the others (Glorot's derivation assumes a linear-ish unit). */
  readonly init?: WeightInit;
}

/** The slice of a random source that initialisation needs (see src/stats/random.ts `seededRandom`). */
export interface NormalSource {
  normal(): number;
}

/**
 * Creates an MLP with seeded random weights and zero biases; the same `rng` state gives the same weights.
 *
 * @throws RangeError when `sizes` has fewer than two entries or a width is not a positive integer
 * @example
 * ```ts
 * const mlp = createMlp({ sizes: [64, 128, 10], hidden: "relu" }, seededRandom(7));
 * ```
 */
export function createMlp(spec: MlpSpec, rng: NormalSource): Mlp {
  const { sizes } = spec;
  if (sizes.length < 2) throw new RangeError("an MLP needs at least an input and an output size");
  for (const size of sizes)
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`invalid layer width ${size}`);
  const layers: DenseLayer[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const inputs = sizes[l]!;
    const outputs = sizes[l + 1]!;
    const activation = l + 2 === sizes.length ? (spec.output ?? "identity") : (spec.hidden ?? "relu");
    const init = spec.init ?? (activation === "relu" ? "he" : "xavier");
    const sd = init === "he" ? Math.sqrt(2 / inputs) : Math.sqrt(2 / (inputs + outputs));
    const weight = new Float32Array(inputs * outputs);
    for (let k = 0; k < weight.length; k++) weight[k] = sd * rng.normal();
    layers.push({ inputs, outputs, weight, bias: new Float32Array(outputs), activation });
  }
  return { layers };
}

/**
 * A deep copy (the trainer mutates weights in place; copy the teacher or a snapshot first).
 *
 * @example
 * ```ts
 * const snapshot = cloneMlp(trainer.model);
 * ```
 */
export function cloneMlp(mlp: Mlp): Mlp {
  return {
    layers: mlp.layers.map((layer) => ({
      ...layer,
      weight: layer.weight.slice(),
      bias: layer.bias.slice(),
    })),
  };
}

/**
 * Runs the MLP on `rows` samples of `x` (row-major [rows, inputs]) and returns the outputs,
 * row-major [rows, outputs] (logits for a classifier).
 *
 * @example
 * ```ts
 * const logits = mlpPredict(mlp, pixels, 10); // 10 × 10 values
 * ```
 */
export function mlpPredict(mlp: Mlp, x: Float32Array | Float64Array, rows: number): Float64Array {
  let input = x instanceof Float64Array ? x : Float64Array.from(x.subarray(0, rows * inputWidth(mlp)));
  for (const layer of mlp.layers) {
    const out = new Float64Array(rows * layer.outputs);
    denseForward(input, rows, layer.inputs, layer.weight, layer.bias, layer.outputs, out);
    activateInPlace(layer.activation, out, rows * layer.outputs);
    input = out;
  }
  return input;
}

/**
 * The number of inputs the MLP takes.
 *
 * @example
 * ```ts
 * inputWidth(createMlp({ sizes: [64, 10] }, seededRandom(1))); // 64
 * ```
 */
export function inputWidth(mlp: Mlp): number {
  return mlp.layers[0]?.inputs ?? 0;
}

/**
 * The number of outputs the MLP gives.
 *
 * @example
 * ```ts
 * outputWidth(createMlp({ sizes: [64, 10] }, seededRandom(1))); // 10
 * ```
 */
export function outputWidth(mlp: Mlp): number {
  return mlp.layers.at(-1)?.outputs ?? 0;
}

/**
 * Index of the largest output of each row (the predicted class).
 *
 * @example
 * ```ts
 * argmaxRows(Float64Array.of(0.1, 0.9, 0.7, 0.2), 2, 2); // Int32Array [1, 0]
 * ```
 */
export function argmaxRows(values: Float64Array, rows: number, width: number): Int32Array {
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let j = 1; j < width; j++) if (values[r * width + j]! > values[r * width + best]!) best = j;
    out[r] = best;
  }
  return out;
}
