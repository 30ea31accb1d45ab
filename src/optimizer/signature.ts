import { TikTokToeError } from "../errors/index.js";
import { DataType, type OnnxModel, requireGraph, type ValueInfo } from "../onnx/index.js";

/**
 * What the optimizer needs to know about a model's interface, read from the decoded graph (no
 * onnxruntime): its one float32 input with the batch dimension first and every other dimension
 * static, and the output the task reads.
 *
 * @example
 * ```ts
 * const signature: ModelSignature = { input: { name: "image", shape: [-1, 1, 8, 8], width: 64 }, output: { name: "logits", width: 10 } };
 * ```
 */
export interface ModelSignature {
  /** `shape` has the batch dimension as -1; `width` is the product of the others (values per row). */
  readonly input: { readonly name: string; readonly shape: readonly number[]; readonly width: number };
  /** `width` is the last dimension (classes, or 1 for a regression), undefined when symbolic. */
  readonly output: { readonly name: string; readonly width: number | undefined };
}

/**
 * Reads the model's input and output. A model with several inputs, a non-float32 input, or a
 * symbolic dimension other than the first is ONNX_UNSUPPORTED with the reason.
 *
 * @example
 * ```ts
 * modelSignature(decodeModel(readFileSync("models/digits_cnn.onnx"))).input; // { name: "image", shape: [-1, 1, 8, 8], width: 64 }
 * ```
 */
export function modelSignature(model: OnnxModel, outputName?: string): ModelSignature {
  const graph = requireGraph(model);
  const initializers = new Set(graph.initializer.map((t) => t.name));
  const inputs = graph.input.filter((i) => !initializers.has(i.name ?? ""));
  if (inputs.length !== 1)
    throw new TikTokToeError(
      "ONNX_UNSUPPORTED",
      `the model has ${inputs.length} inputs (${inputs.map((i) => JSON.stringify(i.name)).join(", ")}); optimize feeds exactly one float32 input`,
      { hint: "export the model with one input tensor of shape [batch, …]" },
    );
  const input = inputs[0]!;
  const name = input.name ?? "";
  const elemType = input.type?.tensorType?.elemType;
  if (elemType !== DataType.FLOAT)
    throw new TikTokToeError(
      "ONNX_UNSUPPORTED",
      `input "${name}" is not float32 (ONNX element type ${elemType ?? "undeclared"}); optimize feeds float32 features`,
    );
  const dims = dimsOf(input);
  if (dims === undefined || dims.length === 0)
    throw new TikTokToeError(
      "ONNX_UNSUPPORTED",
      `input "${name}" declares no shape; optimize needs [batch, …] with static dimensions after the batch`,
    );
  const shape = dims.map((d, i) => (i === 0 ? -1 : d));
  const rest = shape.slice(1);
  const symbolic = rest.findIndex((d) => d === undefined || d <= 0);
  if (symbolic >= 0)
    throw new TikTokToeError(
      "ONNX_UNSUPPORTED",
      `input "${name}" has a symbolic dimension at position ${symbolic + 1} (${describeDims(dims)}); optimize needs every dimension but the batch to be static`,
      { hint: "re-export the model with static feature dimensions" },
    );
  const width = (rest as number[]).reduce((a, b) => a * b, 1);
  const outputs = graph.output;
  const output = outputName === undefined ? outputs[0] : outputs.find((o) => (o.name ?? "") === outputName);
  if (output === undefined)
    throw new TikTokToeError(
      "ONNX_UNSUPPORTED",
      outputName === undefined
        ? "the model has no outputs"
        : `the model has no output "${outputName}"; it has ${outputs.map((o) => JSON.stringify(o.name)).join(", ")}`,
      { path: "--output-name" },
    );
  const outDims = dimsOf(output);
  // A 1-D output ([batch]) is one value per row, as a regression's [batch, 1] is.
  const last = outDims === undefined ? undefined : outDims.length === 1 ? 1 : outDims.at(-1);
  return {
    input: { name, shape: shape as number[], width },
    output: { name: output.name ?? "", width: last === undefined || last <= 0 ? undefined : last },
  };
}

/** The declared dimensions, a symbolic one as undefined. */
function dimsOf(value: ValueInfo): (number | undefined)[] | undefined {
  const dim = value.type?.tensorType?.shape?.dim;
  if (dim === undefined) return undefined;
  return dim.map((d) => (d.dimValue === undefined ? undefined : Number(d.dimValue)));
}

function describeDims(dims: readonly (number | undefined)[]): string {
  return `[${dims.map((d) => (d === undefined ? "?" : String(d))).join(", ")}]`;
}
