import type { Attribute, GraphProto, NodeProto, TensorProto, ValueInfo } from "./types.js";

/**
 * `AttributeProto.AttributeType` of onnx.proto, by name.
 *
 * @example
 * ```ts
 * if (attribute.type === AttributeType.GRAPH) visit(attribute.g!);
 * ```
 */
export const AttributeType = {
  UNDEFINED: 0,
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  TENSOR: 4,
  GRAPH: 5,
  FLOATS: 6,
  INTS: 7,
  STRINGS: 8,
  TENSORS: 9,
  GRAPHS: 10,
  SPARSE_TENSOR: 11,
  SPARSE_TENSORS: 12,
  TYPE_PROTO: 13,
  TYPE_PROTOS: 14,
} as const;

/**
 * An attribute's value, for {@link makeNode}: numbers are INT when integral unless given as `{ float }`.
 *
 * @example
 * ```ts
 * makeNode({ opType: "Clip", inputs: ["x"], outputs: ["y"], attributes: { min: { float: 0 }, max: { float: 6 } } });
 * ```
 */
export type AttributeValue =
  | number
  | bigint
  | string
  | { readonly float: number }
  | readonly number[]
  | readonly bigint[]
  | readonly string[]
  | { readonly floats: readonly number[] }
  | TensorProto;

/**
 * What {@link makeNode} needs: the op, its tensors, and optionally a name, a domain, attributes.
 *
 * @example
 * ```ts
 * const spec: NodeSpec = { opType: "Relu", inputs: ["h"], outputs: ["h_relu"], name: "relu1" };
 * ```
 */
export interface NodeSpec {
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly name?: string;
  /** Empty (the default `ai.onnx`) unless the op is from another domain, e.g. `com.microsoft`. */
  readonly domain?: string;
  readonly attributes?: Readonly<Record<string, AttributeValue>>;
}

const utf8 = new TextEncoder();

/**
 * An attribute, typed from the JS value: integral numbers and bigints are INT, `{ float: x }` is
 * FLOAT, strings are STRING, arrays are INTS / STRINGS, `{ floats }` is FLOATS, a tensor is TENSOR.
 *
 * @example
 * ```ts
 * makeAttribute("axis", 1);              // INT
 * makeAttribute("alpha", { float: 1 });  // FLOAT (1 alone would be INT)
 * ```
 */
export function makeAttribute(name: string, value: AttributeValue): Attribute {
  const a: Attribute = { name, floats: [], ints: [], strings: [], tensors: [], graphs: [], rawFields: [] };
  if (typeof value === "bigint") return { ...a, i: value, type: AttributeType.INT };
  if (typeof value === "number")
    return Number.isInteger(value)
      ? { ...a, i: BigInt(value), type: AttributeType.INT }
      : { ...a, f: value, type: AttributeType.FLOAT };
  if (typeof value === "string") return { ...a, s: utf8.encode(value), type: AttributeType.STRING };
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === "string"))
      return { ...a, strings: value.map((v: string) => utf8.encode(v)), type: AttributeType.STRINGS };
    return { ...a, ints: value.map((v: number | bigint) => BigInt(v)), type: AttributeType.INTS };
  }
  if ("float" in value) return { ...a, f: value.float, type: AttributeType.FLOAT };
  if ("floats" in value) return { ...a, floats: [...value.floats], type: AttributeType.FLOATS };
  return { ...a, t: value as TensorProto, type: AttributeType.TENSOR };
}

/**
 * A new node. Fields that are not given stay absent in the file, as exporters write them.
 *
 * @example
 * ```ts
 * const dq = makeNode({
 *   opType: "DequantizeLinear",
 *   inputs: ["w_q", "w_scale", "w_zp"],
 *   outputs: ["w_dq"],
 *   name: "w_DequantizeLinear",
 * });
 * ```
 */
export function makeNode(spec: NodeSpec): NodeProto {
  const node: NodeProto = {
    input: [...spec.inputs],
    output: [...spec.outputs],
    opType: spec.opType,
    attribute: Object.entries(spec.attributes ?? {}).map(([k, v]) => makeAttribute(k, v)),
    metadataProps: [],
    rawFields: [],
  };
  if (spec.name !== undefined) node.name = spec.name;
  if (spec.domain !== undefined && spec.domain !== "") node.domain = spec.domain;
  return node;
}

/**
 * A `ValueInfoProto` with only a name: enough for an added graph output, which onnxruntime accepts
 * without a type (research notes §7), so calibration needs no shape inference.
 *
 * @example
 * ```ts
 * graph.output.push(makeValueInfo("/fc1/Relu_output_0"));
 * ```
 */
export function makeValueInfo(name: string): ValueInfo {
  return { name, metadataProps: [], rawFields: [] };
}

/**
 * A typed tensor `ValueInfoProto` (graph inputs, and outputs where a checker wants types): the
 * element type (`DataType`) and dimensions, a string for a symbolic one.
 *
 * @example
 * ```ts
 * graph.input.push(makeTensorValueInfo("ids", DataType.INT64, ["batch"]));
 * ```
 */
export function makeTensorValueInfo(
  name: string,
  elemType: number,
  shape: readonly (number | string)[],
): ValueInfo {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: {
          dim: shape.map((d) =>
            typeof d === "number" ? { dimValue: d, rawFields: [] } : { dimParam: d, rawFields: [] },
          ),
          rawFields: [],
        },
        rawFields: [],
      },
      rawFields: [],
    },
    metadataProps: [],
    rawFields: [],
  };
}

/**
 * A node's attribute by name, or undefined.
 *
 * @example
 * ```ts
 * const transB = getAttribute(gemm, "transB")?.i ?? 0n;
 * ```
 */
export function getAttribute(node: NodeProto, name: string): Attribute | undefined {
  return node.attribute.find((a) => a.name === name);
}

/**
 * The subgraphs held in a node's attributes (If branches, Loop and Scan bodies).
 *
 * @example
 * ```ts
 * const bodies = subgraphs(loopNode); // [GraphProto]
 * ```
 */
export function subgraphs(node: NodeProto): GraphProto[] {
  return node.attribute.flatMap((a) => (a.g === undefined ? a.graphs : [a.g, ...a.graphs]));
}
