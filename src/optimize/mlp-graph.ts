import { getAttribute } from "../onnx/node.js";
import { float32Tensor, tensorToFloat32 } from "../onnx/tensor.js";
import type { GraphProto, NodeProto, OnnxModel, TensorProto } from "../onnx/types.js";
import type { Activation } from "../train/activation.js";
import type { DenseLayer, Mlp } from "../train/mlp.js";

/**
 * Recognising a multilayer perceptron inside an ONNX graph, so the trainer (src/train/) can prune,
 * fine-tune or distil it, and writing trained weights back. Pure: the model in, plain objects out.
 */

/** Elementwise ops by a constant that may standardise the input before the first layer. */
const PREFIX_OPS = new Set(["Sub", "Div", "Mul", "Add"]);
const ACTIVATION_OPS: Readonly<Record<string, Activation>> = {
  Relu: "relu",
  Tanh: "tanh",
  Sigmoid: "sigmoid",
};
/** What may follow the last layer unchanged (probabilities, or a renaming). */
const SUFFIX_OPS = new Set(["Softmax", "Identity"]);

/**
 * Where one dense layer lives in the graph: its weight and bias initializers and how they are laid out.
 *
 * @example
 * ```ts
 * const layer: MlpGraphLayer = { weight: "0.weight", bias: "0.bias", transposed: false, biasDims: [512], output: "/1/Relu_output_0" };
 * ```
 */
export interface MlpGraphLayer {
  /** The weight initializer's name. */
  readonly weight: string;
  /** The bias initializer's name; undefined when the layer has none (its bias is then zero). */
  readonly bias: string | undefined;
  /**
   * False when the file holds [outputs, inputs] (Gemm transB = 1, the trainer's layout); true when it
   * holds [inputs, outputs] (Gemm transB = 0, or MatMul).
   */
  readonly transposed: boolean;
  /** The bias initializer's dims as written ([out] or [1, out]), so a rewrite keeps its rank. */
  readonly biasDims: readonly number[];
  /** The tensor the layer (after its activation) produces. */
  readonly output: string;
}

/**
 * An MLP found in a graph: the layers in the trainer's layout (copies: editing them does not touch
 * the model), where each layer's initializers are, and the nodes kept as they are around the chain.
 *
 * @example
 * ```ts
 * const found = extractMlp(model);
 * if (found.ok) found.graph.mlp.layers.map((l) => l.outputs); // [512, 512, 10]
 * ```
 */
export interface MlpGraph {
  readonly mlp: Mlp;
  readonly layers: readonly MlpGraphLayer[];
  /** The graph input's name. */
  readonly input: string;
  /** The tensor the first layer reads: the graph input, or the normalisation prefix's output. */
  readonly layerInput: string;
  /** Elementwise normalisation nodes (Sub/Div/Mul/Add by constants) before the first layer, in order. */
  readonly prefix: readonly NodeProto[];
  /** The last layer's output: the logits of a classifier whose suffix is a Softmax. */
  readonly logits: string;
  /** Softmax / Identity nodes after the last layer, in order. */
  readonly suffix: readonly NodeProto[];
  /** The graph output's name. */
  readonly output: string;
}

/**
 * The result of {@link extractMlp}: the MLP, or why the graph is not one.
 *
 * @example
 * ```ts
 * const found: MlpExtraction = { ok: false, reason: "not an MLP: Conv" };
 * ```
 */
export type MlpExtraction =
  | { readonly ok: true; readonly graph: MlpGraph }
  | { readonly ok: false; readonly reason: string };

function fail(reason: string): MlpExtraction {
  return { ok: false, reason };
}

function intAttribute(node: NodeProto, name: string, fallback: number): number {
  const a = getAttribute(node, name);
  return a?.i === undefined ? fallback : Number(a.i);
}

function floatAttribute(node: NodeProto, name: string, fallback: number): number {
  return getAttribute(node, name)?.f ?? fallback;
}

/**
 * Finds the MLP in a model: one float input and one output; optionally elementwise normalisation by
 * constants (Sub/Div/Mul/Add with an initializer); then dense layers, each a `Gemm` (alpha = beta = 1,
 * transA = 0, constant B and C) or a `MatMul` by a constant followed by an `Add` of a constant, each
 * optionally followed by `Relu`, `Tanh` or `Sigmoid`; then optionally `Softmax` / `Identity`. Every
 * node of the graph must be on that chain and every intermediate tensor read once. Anything else
 * gives `ok: false` with the reason ("not an MLP: Conv").
 *
 * @example
 * ```ts
 * const found = extractMlp(decodeModel(bytes));
 * if (!found.ok) console.log(found.reason);
 * ```
 */
export function extractMlp(model: OnnxModel): MlpExtraction {
  const graph = model.graph;
  if (graph === undefined) return fail("the model has no graph");
  const initializers = new Map<string, TensorProto>(graph.initializer.map((t) => [t.name ?? "", t]));
  const inputs = graph.input.filter((v) => !initializers.has(v.name ?? ""));
  if (inputs.length !== 1) return fail(`not an MLP: ${inputs.length} graph inputs`);
  if (graph.output.length !== 1) return fail(`not an MLP: ${graph.output.length} graph outputs`);
  const foreign = graph.node.find(
    (n) =>
      (n.domain ?? "") !== "" ||
      !(
        PREFIX_OPS.has(n.opType ?? "") ||
        SUFFIX_OPS.has(n.opType ?? "") ||
        (n.opType ?? "") in ACTIVATION_OPS ||
        n.opType === "Gemm" ||
        n.opType === "MatMul"
      ),
  );
  if (foreign !== undefined) return fail(`not an MLP: ${foreign.opType}`);
  const input = inputs[0]!.name ?? "";
  const output = graph.output[0]!.name ?? "";
  const consumers = new Map<string, NodeProto[]>();
  for (const node of graph.node)
    for (const name of node.input) consumers.set(name, [...(consumers.get(name) ?? []), node]);
  const constant = (name: string | undefined): Constant | undefined => {
    const t = name === undefined ? undefined : initializers.get(name);
    return t === undefined ? undefined : { values: tensorToFloat32(t), dims: t.dims };
  };
  // Follows the chain: the single node reading `current`.
  let current = input;
  const next = (): NodeProto | undefined | "branch" => {
    const readers = consumers.get(current) ?? [];
    if (readers.length > 1) return "branch";
    return readers[0];
  };
  const visited: NodeProto[] = [];
  const prefix: NodeProto[] = [];
  const layers: DenseLayer[] = [];
  const places: MlpGraphLayer[] = [];
  const suffix: NodeProto[] = [];
  let node = next();
  while (
    node !== undefined &&
    node !== "branch" &&
    PREFIX_OPS.has(node.opType ?? "") &&
    layers.length === 0
  ) {
    if (node.input.length !== 2 || node.input[0] !== current || constant(node.input[1]) === undefined)
      return fail(`not an MLP: ${node.opType} "${node.name ?? ""}" is not ${node.opType}(x, constant)`);
    prefix.push(node);
    visited.push(node);
    current = node.output[0] ?? "";
    node = next();
  }
  const layerInput = current;
  let width = -1;
  while (node !== undefined && node !== "branch" && (node.opType === "Gemm" || node.opType === "MatMul")) {
    const found = denseLayer(node, current, constant, () => {
      const add = consumers.get(node === undefined || node === "branch" ? "" : (node.output[0] ?? "")) ?? [];
      return add.length === 1 ? add[0] : undefined;
    });
    if (typeof found === "string") return fail(found);
    if (width !== -1 && found.inputs !== width)
      return fail(
        `not an MLP: layer ${layers.length} takes ${found.inputs} inputs, the previous gives ${width}`,
      );
    visited.push(...found.nodes);
    current = found.nodes.at(-1)!.output[0] ?? "";
    node = next();
    let activation: Activation = "identity";
    if (node !== undefined && node !== "branch" && (node.opType ?? "") in ACTIVATION_OPS) {
      activation = ACTIVATION_OPS[node.opType ?? ""]!;
      visited.push(node);
      current = node.output[0] ?? "";
      node = next();
    }
    width = found.outputs;
    layers.push({
      inputs: found.inputs,
      outputs: found.outputs,
      weight: found.weight,
      bias: found.bias,
      activation,
    });
    places.push({
      weight: found.weightName,
      bias: found.biasName,
      transposed: found.transposed,
      biasDims: found.biasDims,
      output: current,
    });
  }
  if (layers.length === 0)
    return fail(
      `not an MLP: no Gemm or MatMul layer after the input${node === "branch" ? " (it branches)" : ""}`,
    );
  const logits = current;
  while (node !== undefined && node !== "branch" && SUFFIX_OPS.has(node.opType ?? "")) {
    if (node.opType === "Softmax" && ![-1, 1].includes(intAttribute(node, "axis", -1)))
      return fail("not an MLP: Softmax over an axis other than the last");
    suffix.push(node);
    visited.push(node);
    current = node.output[0] ?? "";
    node = next();
  }
  if (node === "branch") return fail(`not an MLP: tensor "${current}" is read by more than one node`);
  if (node !== undefined) return fail(`not an MLP: ${node.opType} after the layers`);
  if (current !== output)
    return fail(`not an MLP: the chain ends at "${current}", not at the output "${output}"`);
  if (visited.length !== graph.node.length) {
    const off = graph.node.find((n) => !visited.includes(n));
    return fail(`not an MLP: ${off?.opType} "${off?.name ?? ""}" is off the chain`);
  }
  const outputs = new Set(graph.output.map((v) => v.name));
  for (const place of places.slice(0, -1))
    if (outputs.has(place.output))
      return fail(`not an MLP: hidden tensor "${place.output}" is a graph output`);
  return {
    ok: true,
    graph: { mlp: { layers }, layers: places, input, layerInput, prefix, logits, suffix, output },
  };
}

interface Constant {
  readonly values: Float32Array;
  readonly dims: readonly number[];
}

interface FoundLayer {
  readonly nodes: NodeProto[];
  readonly inputs: number;
  readonly outputs: number;
  readonly weight: Float32Array;
  readonly bias: Float32Array;
  readonly weightName: string;
  readonly biasName: string | undefined;
  readonly transposed: boolean;
  readonly biasDims: readonly number[];
}

/** A Gemm, or MatMul + Add, reading `x`, in the trainer's layout; or why it is not a dense layer. */
function denseLayer(
  node: NodeProto,
  x: string,
  constant: (name: string | undefined) => Constant | undefined,
  follower: () => NodeProto | undefined,
): FoundLayer | string {
  const label = `${node.opType} "${node.name ?? ""}"`;
  if (node.input[0] !== x) return `not an MLP: ${label} reads the running tensor as B`;
  const weightName = node.input[1] ?? "";
  const w = constant(weightName);
  if (w === undefined) return `not an MLP: ${label} has no constant weight`;
  const dims = w.dims;
  if (dims.length !== 2) return `not an MLP: ${label}'s weight is not a matrix`;
  let transposed: boolean;
  let biasName: string | undefined;
  const nodes = [node];
  if (node.opType === "Gemm") {
    if (intAttribute(node, "transA", 0) !== 0) return `not an MLP: ${label} has transA = 1`;
    if (floatAttribute(node, "alpha", 1) !== 1 || floatAttribute(node, "beta", 1) !== 1)
      return `not an MLP: ${label} scales by alpha or beta`;
    transposed = intAttribute(node, "transB", 0) === 0;
    biasName = node.input[2] === "" ? undefined : node.input[2];
  } else {
    transposed = true;
    const add = follower();
    if (add?.opType === "Add" && add.input[0] === node.output[0] && constant(add.input[1]) !== undefined) {
      biasName = add.input[1];
      nodes.push(add);
    }
  }
  const [rows, columns] = dims as [number, number];
  const inputs = transposed ? rows : columns;
  const outputs = transposed ? columns : rows;
  const weight = transposed ? transpose(w.values, rows, columns) : w.values.slice();
  let bias = new Float32Array(outputs);
  let biasDims: readonly number[] = [outputs];
  if (biasName !== undefined) {
    const b = constant(biasName)!;
    const bDims = b.dims;
    if (
      b.values.length !== outputs ||
      bDims.some((d, i) => d !== 1 && (i !== bDims.length - 1 || d !== outputs))
    )
      return `not an MLP: ${label}'s bias is not [${outputs}]`;
    bias = b.values.slice();
    biasDims = bDims;
  }
  return { nodes, inputs, outputs, weight, bias, weightName, biasName, transposed, biasDims };
}

function transpose(w: ArrayLike<number>, rows: number, columns: number): Float32Array {
  const out = new Float32Array(rows * columns);
  for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) out[c * rows + r] = w[r * columns + c]!;
  return out;
}

/**
 * The model with an MLP's weights written back where {@link extractMlp} found them: same nodes, each
 * layer's initializers replaced (in the file's own layout, [outputs, inputs] or [inputs, outputs],
 * the bias keeping its rank). Hidden widths may differ from the original (structured pruning); the
 * input and output widths may not. Type annotations of hidden tensors (`value_info`) are dropped,
 * since their widths may have changed. A Gemm without a bias gets one (its C input) when the new bias
 * is non-zero.
 *
 * @throws RangeError when the layer count, the input or the output width differ, or a MatMul layer
 *   without an Add would need a bias
 * @example
 * ```ts
 * const found = extractMlp(model);
 * if (found.ok) encodeModel(writeMlpWeights(model, found.graph, trainer.model));
 * ```
 */
export function writeMlpWeights(model: OnnxModel, found: MlpGraph, mlp: Mlp): OnnxModel {
  const graph = model.graph;
  if (graph === undefined) throw new RangeError("the model has no graph");
  const old = found.mlp.layers;
  if (mlp.layers.length !== old.length)
    throw new RangeError(`the MLP has ${mlp.layers.length} layers, the graph ${old.length}`);
  if (mlp.layers[0]!.inputs !== old[0]!.inputs || mlp.layers.at(-1)!.outputs !== old.at(-1)!.outputs)
    throw new RangeError("the input and output widths must stay as they are");
  const replaced = new Map<string, TensorProto>();
  const addedBias = new Map<string, string>();
  const extra: TensorProto[] = [];
  mlp.layers.forEach((layer, l) => {
    const place = found.layers[l]!;
    const weight = place.transposed ? transpose(layer.weight, layer.outputs, layer.inputs) : layer.weight;
    const dims = place.transposed ? [layer.inputs, layer.outputs] : [layer.outputs, layer.inputs];
    replaced.set(place.weight, float32Tensor(place.weight, dims, weight.slice()));
    if (place.bias !== undefined) {
      const biasDims = [...place.biasDims.slice(0, -1), layer.outputs];
      replaced.set(place.bias, float32Tensor(place.bias, biasDims, layer.bias.slice()));
    } else if (layer.bias.some((b) => b !== 0)) {
      const name = `${place.weight}_bias`;
      addedBias.set(place.weight, name);
      extra.push(float32Tensor(name, [layer.outputs], layer.bias.slice()));
    }
  });
  const node = graph.node.map((n) => {
    const bias = addedBias.get(n.input[1] ?? "");
    if (bias === undefined) return n;
    if (n.opType !== "Gemm") throw new RangeError(`${n.opType} "${n.name ?? ""}" has no bias to write to`);
    return { ...n, input: [n.input[0]!, n.input[1]!, bias] };
  });
  const hidden = new Set(found.layers.slice(0, -1).map((p) => p.output));
  for (const n of graph.node)
    if (n.opType === "Gemm" || n.opType === "MatMul" || n.opType === "Add")
      for (const o of n.output) hidden.add(o);
  hidden.delete(found.output);
  const next: GraphProto = {
    ...graph,
    node,
    initializer: [...graph.initializer.map((t) => replaced.get(t.name ?? "") ?? t), ...extra],
    valueInfo: graph.valueInfo.filter((v) => !hidden.has(v.name ?? "")),
  };
  return { ...model, graph: next };
}
