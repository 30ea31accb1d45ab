/**
 * Static int8 quantization in QDQ form (ONNX Runtime's `QuantFormat.QDQ`), as a pure graph transform:
 * QuantizeLinear→DequantizeLinear on the activation inputs of Conv, Gemm and MatMul, int8 weight
 * initializers behind a DequantizeLinear (per channel where the op allows), int32 biases behind a
 * DequantizeLinear. Everything else stays as it was, in fp32, and is listed. See docs/optimization.md
 * ("Quantization").
 */

import { getAttribute, makeNode } from "../onnx/node.js";
import {
  DataType,
  elementCount,
  float32Tensor,
  int8Tensor,
  int32Tensor,
  tensorToFloat32,
  uint8Tensor,
} from "../onnx/tensor.js";
import type { GraphProto, NodeProto, OnnxModel, TensorProto } from "../onnx/types.js";
import type { TensorRange } from "./calibrator.js";
import { formatNumber } from "./format-number.js";
import { perChannelParams, quantizationParams, quantRange, roundHalfToEven } from "./quant-params.js";
import { quantizeLinear } from "./quantize-linear.js";

/**
 * The int8 layout to write: activation type (uint8 asymmetric or int8 symmetric), int8 symmetric
 * weights, 7-bit weights (`reduceRange`, ORT's `reduce_range`) and per-channel weight scales.
 *
 * @example
 * ```ts
 * const vnni: QdqFormat = { activations: "uint8", weights: "int8", reduceRange: false, perChannel: true };
 * ```
 */
export interface QdqFormat {
  readonly activations: "uint8" | "int8";
  readonly weights: "int8";
  readonly reduceRange: boolean;
  readonly perChannel: boolean;
}

/**
 * Options of {@link quantizeQdq}.
 *
 * @example
 * ```ts
 * const options: QdqOptions = { opTypes: ["Gemm"], bias: "float32" };
 * ```
 */
export interface QdqOptions {
  /** Ops to quantize. Default {@link QDQ_OP_TYPES} (Conv, Gemm, MatMul). */
  readonly opTypes?: readonly string[];
  /**
   * `int32` (default, ORT's `QuantizeBias=True`): a Conv/Gemm bias initializer becomes int32 with scale
   * input scale × weight scale (per output channel) behind a DequantizeLinear, which lets ORT fuse the
   * node into an integer kernel; `float32`: the bias stays as it was.
   */
  readonly bias?: "int32" | "float32";
  /**
   * Ops whose output also gets a Q→DQ pair (ORT quantizes outputs too). Default `["Conv"]`: onnxruntime
   * fuses a Conv into QLinearConv only when its output is quantized (a Gemm fuses into QGemm without).
   * When the output's only reader is a Relu, the Relu's output is quantized instead, which ORT folds
   * into the Q (zero point at the type's minimum).
   */
  readonly outputOpTypes?: readonly string[];
  /**
   * Nodes to leave in fp32 although they could be quantized, by {@link qdqNodeKey}: the layers the
   * accuracy-aware fallback keeps (`quantizeTechnique`), listed in `kept` with that reason.
   */
  readonly keepFp32?: ReadonlySet<string>;
}

/**
 * How {@link QdqOptions.keepFp32} names a node: its name, or `output:<first output>` when it has none.
 *
 * @example
 * ```ts
 * qdqNodeKey(target.node); // "/1/Gemm"
 * ```
 */
export function qdqNodeKey(node: NodeProto): string {
  return node.name !== undefined && node.name !== "" ? node.name : `output:${node.output[0] ?? ""}`;
}

/** The ops {@link quantizeQdq} quantizes by default: the matrix products. */
export const QDQ_OP_TYPES: readonly string[] = ["Conv", "Gemm", "MatMul"];

/**
 * One quantization target found by {@link planQdq}: the node, which of its inputs are activations
 * (need a calibrated range) and which are weights (constant initializers), and the weight's axis.
 *
 * @example
 * ```ts
 * const t: QdqTarget = { node, activations: ["input"], weight: "0.weight", weightAxis: 0, bias: "0.bias" };
 * ```
 */
export interface QdqTarget {
  readonly node: NodeProto;
  /** Non-constant float inputs among the first two, quantized per tensor with a calibrated range. */
  readonly activations: readonly string[];
  /** The constant weight input (an initializer), if any. */
  readonly weight?: string;
  /** The weight's output-channel axis when it can be quantized per channel, else null (per tensor). */
  readonly weightAxis: number | null;
  /** A bias initializer (Conv/Gemm input 2) that can be quantized to int32. */
  readonly bias?: string;
  /** The output tensor to quantize too (see {@link QdqOptions.outputOpTypes}); needs a calibrated range. */
  readonly output?: string;
}

/**
 * What {@link planQdq} found: targets, and every other node with the reason it stays fp32.
 *
 * @example
 * ```ts
 * const { targets, kept } = planQdq(model);
 * const toCalibrate = [...new Set(targets.flatMap((t) => t.activations))];
 * ```
 */
export interface QdqPlan {
  readonly targets: readonly QdqTarget[];
  /** "kept in fp32: <op> <name>" (with a reason for a supported op that could not be quantized). */
  readonly kept: readonly string[];
  /** Why nothing can be quantized (opset below 10), when that is so. */
  readonly skipped?: string;
  /** The default-domain opset. */
  readonly opset: number;
}

/**
 * A per-tensor activation quantization that was written.
 *
 * @example
 * ```ts
 * const a: QdqActivation = { tensor: "input", type: "uint8", scale: 0.0039, zeroPoint: 0, range: { min: 0, max: 1 } };
 * ```
 */
export interface QdqActivation {
  readonly tensor: string;
  readonly type: "uint8" | "int8";
  readonly scale: number;
  readonly zeroPoint: number;
  /** The calibrated range the parameters were computed from. */
  readonly range: TensorRange;
}

/**
 * What {@link quantizeQdq} did.
 *
 * @example
 * ```ts
 * const { model, quantized, kept, notes } = quantizeQdq(decoded, ranges, format);
 * ```
 */
export interface QdqResult {
  /** The QDQ model (the input model when nothing could be quantized). */
  readonly model: OnnxModel;
  /** "Gemm /0/Gemm: weight 0.weight int8 per channel (axis 0), bias int32" per quantized node. */
  readonly quantized: readonly string[];
  /** "kept in fp32: <op> <name>" per other node. */
  readonly kept: readonly string[];
  readonly activations: readonly QdqActivation[];
  /** Decisions worth reporting (opset, per-tensor fallbacks, biases left in fp32). */
  readonly notes: readonly string[];
}

/** The default-domain opset of a model (0 when it imports none). */
function defaultOpset(model: OnnxModel): number {
  return model.opsetImport.find((o) => (o.domain ?? "") === "" || o.domain === "ai.onnx")?.version ?? 0;
}

function label(node: NodeProto): string {
  return `${node.opType ?? "?"} ${node.name ?? "(unnamed)"}`;
}

/**
 * The nodes {@link quantizeQdq} would quantize and the tensors to calibrate for them, without changing
 * anything. A node is a target when its op is in `opTypes`, its first two inputs are float (a float
 * initializer, or a tensor no DequantizeLinear makes) and no input is a graph input that shadows an
 * initializer. Opset below 10 (no QuantizeLinear) skips everything.
 *
 * @example
 * ```ts
 * planQdq(decodeModel(bytes)).targets.map((t) => t.activations); // [["input"], ["/1/Relu_output_0"], …]
 * ```
 */
export function planQdq(
  model: OnnxModel,
  options: Pick<QdqOptions, "opTypes" | "outputOpTypes" | "keepFp32"> = {},
): QdqPlan {
  const graph = model.graph;
  const opset = defaultOpset(model);
  const allKept = (reason?: string) =>
    (graph?.node ?? []).map((n) => `kept in fp32: ${label(n)}${reason ? ` (${reason})` : ""}`);
  if (graph === undefined) return { targets: [], kept: [], skipped: "the model has no graph", opset };
  if (opset < 10) {
    const skipped = `opset ${opset} has no QuantizeLinear/DequantizeLinear (needs ≥ 10, ≥ 13 per channel)`;
    return { targets: [], kept: allKept(), skipped, opset };
  }
  const opTypes = new Set(options.opTypes ?? QDQ_OP_TYPES);
  const initializers = new Map(graph.initializer.map((t) => [t.name ?? "", t]));
  const graphInputs = new Set(graph.input.map((v) => v.name ?? ""));
  const producers = new Map<string, NodeProto>();
  const readers = new Map<string, NodeProto[]>();
  for (const n of graph.node) {
    for (const o of n.output) producers.set(o, n);
    for (const i of n.input) readers.set(i, [...(readers.get(i) ?? []), n]);
  }
  const graphOutputs = new Set(graph.output.map((v) => v.name ?? ""));
  const outputOps = new Set(options.outputOpTypes ?? ["Conv"]);
  const outputOf = (node: NodeProto): string | undefined => {
    const out = node.output[0];
    if (!outputOps.has(node.opType ?? "") || out === undefined || out === "") return undefined;
    const only = readers.get(out);
    const relu = only?.length === 1 && only[0]!.opType === "Relu" ? only[0]!.output[0] : undefined;
    if (relu !== undefined && relu !== "" && !graphOutputs.has(out)) return relu;
    return out;
  };
  const targets: QdqTarget[] = [];
  const kept: string[] = [];
  for (const node of graph.node) {
    if ((node.domain ?? "") !== "" || !opTypes.has(node.opType ?? "")) {
      kept.push(`kept in fp32: ${label(node)}`);
      continue;
    }
    if (options.keepFp32?.has(qdqNodeKey(node))) {
      kept.push(`kept in fp32: ${label(node)} (sensitive layer, kept by the accuracy fallback)`);
      continue;
    }
    const problem = targetProblem(node, initializers, graphInputs, producers);
    if (problem !== undefined) {
      kept.push(`kept in fp32: ${label(node)} (${problem})`);
      continue;
    }
    const a = node.input[0]!;
    const b = node.input[1]!;
    const activations = [a, b].filter((name) => !initializers.has(name));
    const weight = [a, b].find((name) => initializers.has(name));
    const weightAxis = weight === b ? perChannelAxis(node, initializers.get(b)!) : null;
    const biasName = node.input[2];
    const bias =
      (node.opType === "Conv" || node.opType === "Gemm") &&
      weight === b &&
      biasName !== undefined &&
      biasName !== "" &&
      initializers.get(biasName)?.dataType === DataType.FLOAT &&
      !graphInputs.has(biasName)
        ? biasName
        : undefined;
    const output = outputOf(node);
    targets.push({
      node,
      activations,
      ...(output === undefined ? {} : { output }),
      ...(weight === undefined ? {} : { weight }),
      weightAxis,
      ...(bias === undefined ? {} : { bias }),
    });
  }
  return { targets, kept, opset };
}

function targetProblem(
  node: NodeProto,
  initializers: ReadonlyMap<string, TensorProto>,
  graphInputs: ReadonlySet<string>,
  producers: ReadonlyMap<string, NodeProto>,
): string | undefined {
  if (node.input.length < 2 || node.input[0] === "" || node.input[1] === "") return "fewer than two inputs";
  for (const name of node.input.slice(0, 2)) {
    const init = initializers.get(name);
    if (init !== undefined) {
      if (graphInputs.has(name)) return `initializer ${name} is also a graph input, so it may be overridden`;
      if (init.dataType !== DataType.FLOAT) return `initializer ${name} is not float32`;
      if (init.dataLocation === 1) return `initializer ${name} keeps its data in an external file`;
    }
    const producer = producers.get(name);
    if (producer?.opType === "DequantizeLinear") return `input ${name} is already quantized`;
  }
  if (node.opType === "Gemm") {
    const alpha = getAttribute(node, "alpha")?.f ?? 1;
    if (!Number.isFinite(alpha)) return "alpha is not finite";
  }
  return undefined;
}

/**
 * The weight's output-channel axis where ORT quantizes per channel: Conv [M, C/g, kH, kW] axis 0; Gemm
 * B [N, K] (transB = 1) axis 0, B [K, N] (transB = 0) axis 1; MatMul with a 2-D [K, N] weight axis 1.
 * Null (per tensor) otherwise, e.g. a MatMul weight of rank 3.
 */
function perChannelAxis(node: NodeProto, weight: TensorProto): number | null {
  const rank = weight.dims.length;
  if (node.opType === "Conv") return rank >= 1 ? 0 : null;
  if (node.opType === "Gemm") {
    if (rank !== 2) return null;
    return Number(getAttribute(node, "transB")?.i ?? 0n) === 1 ? 0 : 1;
  }
  if (node.opType === "MatMul") return rank === 2 ? 1 : null;
  return null;
}

/** Names already used in the graph, so new ones never collide. */
function namesOf(graph: GraphProto): Set<string> {
  const names = new Set<string>();
  for (const v of [...graph.input, ...graph.output, ...graph.valueInfo]) names.add(v.name ?? "");
  for (const t of graph.initializer) names.add(t.name ?? "");
  for (const n of graph.node) {
    for (const x of [...n.input, ...n.output]) names.add(x);
    if (n.name !== undefined) names.add(n.name);
  }
  return names;
}

/**
 * Quantizes a float model to int8 QDQ form.
 *
 * - **Activations** (inputs of the targets that are not initializers): one QuantizeLinear→
 *   DequantizeLinear pair per tensor, shared by all its quantized consumers, from `ranges` (a
 *   calibrator's `range()`): uint8 asymmetric ([0, 255], real 0 exact) or int8 symmetric ([−127, 127],
 *   zero point 0), per the format. A target whose activation has no range stays fp32, with the reason.
 * - **Weights**: symmetric int8 ([−127, 127], or [−64, 64] with `reduceRange`), per channel on the axis
 *   {@link planQdq} names when `perChannel` and opset ≥ 13, per tensor otherwise; the int8 initializer
 *   replaces the float one (which is removed when nothing else reads it).
 * - **Biases** of Conv/Gemm: int32 with scale = activation scale × weight scale and zero point 0
 *   (ORT's `quantize_bias_static`), unless `options.bias` is `float32` or the Gemm has alpha or beta ≠ 1.
 * - Opset below 10 returns the model unchanged with a note; 10–12 quantizes weights per tensor (the
 *   opset is not bumped: 13 changed other ops' signatures, e.g. Squeeze's axes became an input).
 *
 * Names, other initializers, graph inputs/outputs, value_info and metadata are kept.
 *
 * @example
 * ```ts
 * const ranges = new Map([["input", { min: 0, max: 1 }], ["/1/Relu_output_0", { min: 0, max: 7.5 }]]);
 * const { model, quantized, kept } = quantizeQdq(decoded, ranges, {
 *   activations: "uint8", weights: "int8", reduceRange: false, perChannel: true,
 * });
 * ```
 */
export function quantizeQdq(
  model: OnnxModel,
  ranges: ReadonlyMap<string, TensorRange>,
  format: QdqFormat,
  options: QdqOptions = {},
): QdqResult {
  const plan = planQdq(model, options);
  const notes: string[] = [];
  if (plan.skipped !== undefined || model.graph === undefined) {
    return {
      model,
      quantized: [],
      kept: plan.kept,
      activations: [],
      notes: [`not quantized: ${plan.skipped ?? "no graph"}`],
    };
  }
  const graph = model.graph;
  const perChannel = format.perChannel && plan.opset >= 13;
  if (format.perChannel && !perChannel)
    notes.push(
      `weights per tensor: per-channel DequantizeLinear needs opset 13, the model is opset ${plan.opset}`,
    );
  const biasMode = options.bias ?? "int32";
  const used = namesOf(graph);
  const fresh = (base: string) => {
    let name = base;
    for (let k = 1; used.has(name); k++) name = `${base}_${k}`;
    used.add(name);
    return name;
  };
  const initializers = new Map(graph.initializer.map((t) => [t.name ?? "", t]));
  const kept = [...plan.kept];
  const quantized: string[] = [];
  const activations = new Map<string, QdqActivation & { output: string; nodes: NodeProto[] }>();
  const weights = new Map<string, { output: string; scales: Float32Array; nodes: NodeProto[] }>();
  const newInitializers: TensorProto[] = [];
  /** Nodes to emit before a target (by target), in order. */
  const before = new Map<NodeProto, NodeProto[]>();
  const rewired = new Map<NodeProto, NodeProto>();
  const emitted = new Set<NodeProto>();
  const after = new Map<string, { output: string; nodes: NodeProto[]; type: string }>();

  const activationFor = (tensor: string) => {
    const existing = activations.get(tensor);
    if (existing !== undefined) return existing;
    const range = ranges.get(tensor)!;
    const type = format.activations;
    const symmetric = type === "int8";
    const p = quantizationParams(range, type, { symmetric });
    const scaleName = fresh(`${tensor}_scale`);
    const zeroName = fresh(`${tensor}_zero_point`);
    const q = fresh(`${tensor}_QuantizeLinear_Output`);
    const dq = fresh(`${tensor}_DequantizeLinear_Output`);
    newInitializers.push(
      float32Tensor(scaleName, [], Float32Array.of(p.scale)),
      type === "uint8"
        ? uint8Tensor(zeroName, [], Uint8Array.of(p.zeroPoint))
        : int8Tensor(zeroName, [], Int8Array.of(p.zeroPoint)),
    );
    const nodes = [
      makeNode({
        opType: "QuantizeLinear",
        inputs: [tensor, scaleName, zeroName],
        outputs: [q],
        name: fresh(`${tensor}_QuantizeLinear`),
      }),
      makeNode({
        opType: "DequantizeLinear",
        inputs: [q, scaleName, zeroName],
        outputs: [dq],
        name: fresh(`${tensor}_DequantizeLinear`),
      }),
    ];
    const entry = { tensor, type, scale: p.scale, zeroPoint: p.zeroPoint, range, output: dq, nodes };
    activations.set(tensor, entry);
    return entry;
  };

  const weightFor = (name: string, axis: number | null) => {
    const key = `${name}@${axis ?? "tensor"}`;
    const existing = weights.get(key);
    if (existing !== undefined) return existing;
    const tensor = initializers.get(name)!;
    const values = tensorToFloat32(tensor);
    const rangeOptions = { symmetric: true, reduceRange: format.reduceRange };
    let scales: Float32Array;
    let q: Int8Array;
    const qName = fresh(`${name}_quantized`);
    const scaleName = fresh(`${name}_scale`);
    const zeroName = fresh(`${name}_zero_point`);
    const out = fresh(`${name}_DequantizeLinear_Output`);
    if (axis !== null) {
      const p = perChannelParams(values, tensor.dims, axis, "int8", rangeOptions);
      scales = p.scales;
      q = quantizeLinear(values, {
        type: "int8",
        scale: p.scales,
        zeroPoint: p.zeroPoints,
        axis,
        shape: tensor.dims,
      }) as Int8Array;
      newInitializers.push(
        float32Tensor(scaleName, [scales.length], scales),
        int8Tensor(zeroName, [scales.length], new Int8Array(scales.length)),
      );
    } else {
      let lo = 0;
      let hi = 0;
      for (const v of values) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      const p = quantizationParams({ min: lo, max: hi }, "int8", rangeOptions);
      scales = Float32Array.of(p.scale);
      q = quantizeLinear(values, { type: "int8", scale: p.scale, zeroPoint: p.zeroPoint }) as Int8Array;
      newInitializers.push(
        float32Tensor(scaleName, [], scales),
        int8Tensor(zeroName, [], Int8Array.of(p.zeroPoint)),
      );
    }
    newInitializers.push(int8Tensor(qName, tensor.dims, q));
    const nodes = [
      makeNode({
        opType: "DequantizeLinear",
        inputs: [qName, scaleName, zeroName],
        outputs: [out],
        name: fresh(`${name}_DequantizeLinear`),
        ...(axis === null ? {} : { attributes: { axis } }),
      }),
    ];
    const entry = { output: out, scales, nodes };
    weights.set(key, entry);
    return entry;
  };

  for (const target of plan.targets) {
    const node = target.node;
    const missing = target.activations.filter((t) => {
      const r = ranges.get(t);
      return r === undefined || !Number.isFinite(r.min) || !Number.isFinite(r.max);
    });
    if (missing.length > 0) {
      kept.push(`kept in fp32: ${label(node)} (no calibrated range for ${missing.join(", ")})`);
      continue;
    }
    const pre: NodeProto[] = [];
    const inputs = [...node.input];
    const parts: string[] = [];
    let activationScale: number | undefined;
    for (const t of target.activations) {
      const a = activationFor(t);
      pre.push(...a.nodes);
      for (let i = 0; i < 2; i++) if (node.input[i] === t) inputs[i] = a.output;
      activationScale = a.scale;
      parts.push(`${t} ${a.type}`);
    }
    let weightScales: Float32Array | undefined;
    if (target.weight !== undefined) {
      const axis = perChannel ? target.weightAxis : null;
      const w = weightFor(target.weight, axis);
      pre.push(...w.nodes);
      for (let i = 0; i < 2; i++) if (node.input[i] === target.weight) inputs[i] = w.output;
      weightScales = w.scales;
      parts.push(
        `weight ${target.weight} int8 ${axis === null ? "per tensor" : `per channel (axis ${axis})`}`,
      );
    }
    if (target.bias !== undefined) {
      const gemmScaled =
        node.opType === "Gemm" &&
        ((getAttribute(node, "alpha")?.f ?? 1) !== 1 || (getAttribute(node, "beta")?.f ?? 1) !== 1);
      if (biasMode === "float32") parts.push(`bias ${target.bias} float32`);
      else if (gemmScaled || activationScale === undefined || weightScales === undefined)
        parts.push(`bias ${target.bias} float32 (alpha or beta ≠ 1)`);
      else {
        const b = quantizeBias(initializers.get(target.bias)!, activationScale, weightScales, fresh);
        if (b === undefined) parts.push(`bias ${target.bias} float32 (its length matches no channel count)`);
        else {
          newInitializers.push(...b.initializers);
          pre.push(b.node);
          inputs[2] = b.output;
          parts.push(`bias ${target.bias} int32`);
        }
      }
    }
    if (target.output !== undefined) {
      const r = ranges.get(target.output);
      if (r === undefined || !Number.isFinite(r.min) || !Number.isFinite(r.max))
        notes.push(`output ${target.output} of ${label(node)} not quantized: no calibrated range`);
      else {
        const a = activationFor(target.output);
        after.set(target.output, a);
        parts.push(`output ${target.output} ${a.type}`);
      }
    }
    before.set(node, pre);
    rewired.set(node, { ...node, input: inputs });
    quantized.push(`${label(node)}: ${parts.join(", ")}`);
  }

  // A quantized output is dequantized right after it is made, and every reader reads the dequantized
  // tensor (graph outputs keep the float one).
  const nodes: NodeProto[] = [];
  const emit = (list: readonly NodeProto[]) => {
    for (const n of list)
      if (!emitted.has(n)) {
        emitted.add(n);
        nodes.push(n);
      }
  };
  for (const n of graph.node) {
    emit(before.get(n) ?? []);
    const node = rewired.get(n) ?? n;
    const reads = node.input.map((i) => after.get(i)?.output ?? i);
    emit([reads.every((r, k) => r === node.input[k]) ? node : { ...node, input: reads }]);
    for (const o of n.output) {
      const a = after.get(o);
      if (a !== undefined) emit(a.nodes);
    }
  }
  if (quantized.length === 0)
    return { model, quantized, kept, activations: [], notes: [...notes, "nothing was quantized"] };
  let next: GraphProto = { ...graph, node: nodes, initializer: [...graph.initializer, ...newInitializers] };
  next = dropUnread(next, new Set(plan.targets.flatMap((t) => [t.weight ?? "", t.bias ?? ""])));
  if (biasMode === "float32") notes.push("biases stay float32");
  else notes.push("Conv/Gemm biases int32 (scale = activation scale × weight scale, zero point 0)");
  return {
    model: { ...model, graph: next },
    quantized,
    kept,
    activations: [...activations.values()].map(({ tensor, type, scale, zeroPoint, range }) => ({
      tensor,
      type,
      scale,
      zeroPoint,
      range,
    })),
    notes,
  };
}

/** Removes the named initializers that no node, subgraph or graph output reads any more. */
function dropUnread(graph: GraphProto, candidates: ReadonlySet<string>): GraphProto {
  const read = new Set<string>(graph.output.map((v) => v.name ?? ""));
  const visit = (g: GraphProto) => {
    for (const n of g.node) {
      for (const i of n.input) read.add(i);
      for (const a of n.attribute) {
        if (a.g !== undefined) visit(a.g);
        for (const s of a.graphs) visit(s);
      }
    }
  };
  visit(graph);
  const drop = new Set([...candidates].filter((c) => c !== "" && !read.has(c)));
  if (drop.size === 0) return graph;
  return { ...graph, initializer: graph.initializer.filter((t) => !drop.has(t.name ?? "")) };
}

/**
 * An int32 bias: q = round(b / (sₓ · s_w[c])) with zero point 0, per channel when the weight is (ORT's
 * `quantize_bias_static`). Undefined when the bias length matches neither one scale nor the channels.
 */
function quantizeBias(
  bias: TensorProto,
  activationScale: number,
  weightScales: Float32Array,
  fresh: (base: string) => string,
): { initializers: TensorProto[]; node: NodeProto; output: string } | undefined {
  const name = bias.name ?? "bias";
  const values = tensorToFloat32(bias);
  const n = elementCount(bias.dims);
  const perChannel = weightScales.length > 1;
  if (perChannel && weightScales.length !== n) return undefined;
  const scales = new Float32Array(perChannel ? n : 1);
  for (let c = 0; c < scales.length; c++) scales[c] = Math.fround(activationScale * weightScales[c]!);
  const q = new Int32Array(n);
  const limit = 2 ** 31 - 1;
  for (let i = 0; i < n; i++) {
    const s = scales[perChannel ? i : 0]!;
    const v = s > 0 ? roundHalfToEven(values[i]! / s) : 0;
    q[i] = Math.max(-limit, Math.min(limit, v));
  }
  const qName = fresh(`${name}_quantized`);
  const scaleName = fresh(`${name}_quantized_scale`);
  const zeroName = fresh(`${name}_quantized_zero_point`);
  const output = fresh(`${name}_quantized_DequantizeLinear_Output`);
  const dims = perChannel ? [n] : [];
  return {
    initializers: [
      int32Tensor(qName, bias.dims, q),
      float32Tensor(scaleName, dims, scales),
      int32Tensor(zeroName, dims, new Int32Array(dims.length === 0 ? 1 : n)),
    ],
    node: makeNode({
      opType: "DequantizeLinear",
      inputs: [qName, scaleName, zeroName],
      outputs: [output],
      name: fresh(`${name}_DequantizeLinear`),
      ...(perChannel ? { attributes: { axis: 0 } } : {}),
    }),
    output,
  };
}

/**
 * The integer range of weights for a format (for reports): [−127, 127], or [−64, 64] with reduceRange.
 *
 * @example
 * ```ts
 * weightRange({ activations: "uint8", weights: "int8", reduceRange: true, perChannel: true }); // { qmin: -64, qmax: 64 }
 * ```
 */
export function weightRange(format: QdqFormat): { qmin: number; qmax: number } {
  return quantRange("int8", { symmetric: true, reduceRange: format.reduceRange });
}

/**
 * A one-line description of a format, e.g. "U8S8, weights int8 [−127, 127] per channel".
 *
 * @example
 * ```ts
 * describeQdqFormat({ activations: "uint8", weights: "int8", reduceRange: true, perChannel: true });
 * // "U8S8 (activations uint8 asymmetric, weights int8 symmetric [-64, 64], per channel)"
 * ```
 */
export function describeQdqFormat(format: QdqFormat): string {
  const { qmin, qmax } = weightRange(format);
  const layout = `${format.activations === "uint8" ? "U8" : "S8"}S8`;
  const act = format.activations === "uint8" ? "uint8 asymmetric" : "int8 symmetric";
  return `${layout} (activations ${act}, weights int8 symmetric [${qmin}, ${qmax}], ${format.perChannel ? "per channel" : "per tensor"})`;
}

/** Formats a range for notes: "[0, 7.53]". */
export function formatRange(range: TensorRange): string {
  return `[${formatNumber(range.min)}, ${formatNumber(range.max)}]`;
}
