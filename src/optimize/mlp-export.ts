import { makeNode, makeTensorValueInfo } from "../onnx/node.js";
import { DataType, float32Tensor } from "../onnx/tensor.js";
import type { NodeProto, OnnxModel, TensorProto } from "../onnx/types.js";
import type { Activation } from "../train/activation.js";
import type { Mlp } from "../train/mlp.js";
import type { MlpGraph } from "./mlp-graph.js";

/**
 * Writing a trained MLP as an ONNX model (opset 13): per layer `Gemm(x, W, b, transB = 1)` with W the
 * trainer's [outputs, inputs] weights, then `Relu` / `Tanh` / `Sigmoid` (none for identity). Pure.
 */

const OPS: Readonly<Record<Activation, string | undefined>> = {
  relu: "Relu",
  tanh: "Tanh",
  sigmoid: "Sigmoid",
  identity: undefined,
};

/**
 * Nodes kept around the exported layers: a normalisation `prefix` (its nodes read the graph input,
 * its initializers come along, `output` is what the first Gemm reads) and a `suffix` (e.g. Softmax,
 * reading `input`, the last Gemm's output, and ending at the graph output).
 *
 * @example
 * ```ts
 * const frame: MlpFrame = { suffix: { nodes: [softmax], input: "/fc/Gemm_output_0" } };
 * ```
 */
export interface MlpFrame {
  readonly prefix?: {
    readonly nodes: readonly NodeProto[];
    readonly initializers: readonly TensorProto[];
    readonly output: string;
  };
  readonly suffix?: { readonly nodes: readonly NodeProto[]; readonly input: string };
}

/**
 * What the exported model looks like from outside.
 *
 * @example
 * ```ts
 * const options: MlpExportOptions = { input: { name: "input", shape: [-1, 64] }, output: "logits" };
 * ```
 */
export interface MlpExportOptions extends MlpFrame {
  /** The input's name and full shape; a negative or string dimension is symbolic (the batch). */
  readonly input: { readonly name: string; readonly shape: readonly (number | string)[] };
  readonly output: string;
  /** Prefix of node and initializer names; default "student". */
  readonly namePrefix?: string;
}

/**
 * The prefix and suffix of a model {@link extractMlp} recognised, to export a student that reads and
 * answers exactly as the teacher (same standardisation, same Softmax).
 *
 * @example
 * ```ts
 * const found = extractMlp(teacher);
 * if (found.ok) exportMlp(student, { ...mlpFrame(teacher, found.graph), input, output });
 * ```
 */
export function mlpFrame(model: OnnxModel, found: MlpGraph): MlpFrame {
  const used = new Set(found.prefix.flatMap((n) => n.input));
  const initializers = (model.graph?.initializer ?? []).filter((t) => used.has(t.name ?? ""));
  return {
    ...(found.prefix.length > 0
      ? { prefix: { nodes: found.prefix, initializers, output: found.layerInput } }
      : {}),
    ...(found.suffix.length > 0 ? { suffix: { nodes: found.suffix, input: found.logits } } : {}),
  };
}

/**
 * An ONNX model (IR 8, opset 13) computing the MLP: the frame's prefix, a `Flatten(axis = 1)` when the
 * input has rank above 2 (an image [batch, 1, 8, 8] feeds 64 inputs), the layers as Gemm (transB = 1)
 * plus activation nodes, the frame's suffix. It passes `checkModel`; onnxruntime gives mlpPredict's
 * outputs up to float32 rounding.
 *
 * @throws RangeError when the input's per-row size is not the MLP's input width
 * @example
 * ```ts
 * const model = exportMlp(trainer.model, { input: { name: "input", shape: [-1, 64] }, output: "logits" });
 * writeFileSync("student.onnx", encodeModel(model));
 * ```
 */
export function exportMlp(mlp: Mlp, options: MlpExportOptions): OnnxModel {
  const p = options.namePrefix ?? "student";
  const shape = options.input.shape.map((d, i) =>
    typeof d === "string" ? d : d < 0 ? (i === 0 ? "batch" : `d${i}`) : d,
  );
  const perRow = shape.slice(1).reduce<number>((a, d) => a * (typeof d === "number" ? d : Number.NaN), 1);
  const width = mlp.layers[0]?.inputs ?? 0;
  if (perRow !== width)
    throw new RangeError(`the input [${shape.join(", ")}] does not give ${width} values per row`);
  const nodes: NodeProto[] = [...(options.prefix?.nodes ?? [])];
  const initializers: TensorProto[] = [...(options.prefix?.initializers ?? [])];
  let current = options.prefix?.output ?? options.input.name;
  if (shape.length > 2) {
    nodes.push(
      makeNode({
        opType: "Flatten",
        inputs: [current],
        outputs: [`${p}/flatten`],
        name: `${p}/Flatten`,
        attributes: { axis: 1 },
      }),
    );
    current = `${p}/flatten`;
  }
  const last = options.suffix?.input ?? options.output;
  mlp.layers.forEach((layer, l) => {
    const isLast = l + 1 === mlp.layers.length;
    const op = OPS[layer.activation];
    const gemmOut = isLast && op === undefined ? last : `${p}/${l}/Gemm_output`;
    initializers.push(
      float32Tensor(`${p}.${l}.weight`, [layer.outputs, layer.inputs], layer.weight.slice()),
      float32Tensor(`${p}.${l}.bias`, [layer.outputs], layer.bias.slice()),
    );
    nodes.push(
      makeNode({
        opType: "Gemm",
        inputs: [current, `${p}.${l}.weight`, `${p}.${l}.bias`],
        outputs: [gemmOut],
        name: `${p}/${l}/Gemm`,
        attributes: { alpha: { float: 1 }, beta: { float: 1 }, transB: 1 },
      }),
    );
    current = gemmOut;
    if (op !== undefined) {
      const out = isLast ? last : `${p}/${l}/${op}_output`;
      nodes.push(makeNode({ opType: op, inputs: [current], outputs: [out], name: `${p}/${l}/${op}` }));
      current = out;
    }
  });
  nodes.push(...(options.suffix?.nodes ?? []));
  const outputs = mlp.layers.at(-1)?.outputs ?? 0;
  return {
    irVersion: 8,
    producerName: "tiktoktoe",
    graph: {
      node: nodes,
      name: `${p}_mlp`,
      initializer: initializers,
      input: [makeTensorValueInfo(options.input.name, DataType.FLOAT, shape)],
      output: [makeTensorValueInfo(options.output, DataType.FLOAT, [shape[0]!, outputs])],
      valueInfo: [],
      metadataProps: [],
      rawFields: [],
    },
    opsetImport: [{ domain: "", version: 13, rawFields: [] }],
    metadataProps: [],
    rawFields: [],
  };
}
