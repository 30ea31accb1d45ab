import type { RawField } from "./wire.js";

/**
 * Plain typed objects for the ONNX messages the tool reads and edits, following onnx.proto (ONNX
 * 1.16, IR version 10; proto2). A field that is absent in the file is `undefined` here and stays
 * absent when written back (proto2 keeps presence, so "absent" and "0" are different bytes).
 * Repeated fields are arrays, empty when absent. Every message has `rawFields`: the fields this
 * codec does not model (sparse initializers, training info, functions, type protos of sequences and
 * maps, anything newer than IR 10), kept as their exact bytes and written back in place.
 *
 * int64 values that are sizes or versions are numbers (decoding refuses values beyond ±2^53);
 * int64 values that are data (attribute `i`/`ints`, `int64_data`) are bigints, so `INT64_MAX` in a
 * Slice survives a round trip.
 */

/**
 * `StringStringEntryProto`: key = 1, value = 2.
 *
 * @example
 * ```ts
 * model.metadataProps.push({ key: "optimized_by", value: "tiktoktoe", rawFields: [] });
 * ```
 */
export interface StringStringEntry {
  key?: string;
  value?: string;
  rawFields: RawField[];
}

/**
 * `OperatorSetIdProto`: domain = 1, version = 2. The empty domain is the default `ai.onnx`.
 *
 * @example
 * ```ts
 * model.opsetImport.find((o) => (o.domain ?? "") === "")?.version; // 13
 * ```
 */
export interface OperatorSetId {
  domain?: string;
  version?: number;
  rawFields: RawField[];
}

/**
 * `TensorProto`: dims = 1, data_type = 2, float_data = 4 (packed), int32_data = 5 (packed),
 * string_data = 6, int64_data = 7 (packed), name = 8, raw_data = 9, double_data = 10 (packed),
 * uint64_data = 11 (packed), doc_string = 12, external_data = 13, data_location = 14,
 * metadata_props = 16. Kept raw: segment = 3.
 *
 * @example
 * ```ts
 * const w: TensorProto = graph.initializer.find((t) => t.name === "0.weight")!;
 * tensorToFloat32(w); // Float32Array(512 * 64)
 * ```
 */
export interface TensorProto {
  dims: number[];
  dataType?: number;
  floatData?: Float32Array;
  int32Data?: Int32Array;
  stringData: Uint8Array[];
  int64Data?: BigInt64Array;
  name?: string;
  rawData?: Uint8Array;
  doubleData?: Float64Array;
  uint64Data?: BigUint64Array;
  docString?: string;
  externalData: StringStringEntry[];
  dataLocation?: number;
  metadataProps: StringStringEntry[];
  rawFields: RawField[];
}

/**
 * `TensorShapeProto.Dimension`: dim_value = 1, dim_param = 2 (a oneof), denotation = 3.
 *
 * @example
 * ```ts
 * input.type?.tensorType?.shape?.dim.map((d) => d.dimParam ?? d.dimValue); // ["batch", 64]
 * ```
 */
export interface Dimension {
  dimValue?: number;
  dimParam?: string;
  denotation?: string;
  rawFields: RawField[];
}

/**
 * `TensorShapeProto`: dim = 1.
 *
 * @example
 * ```ts
 * const rank = input.type?.tensorType?.shape?.dim.length; // 2
 * ```
 */
export interface TensorShape {
  dim: Dimension[];
  rawFields: RawField[];
}

/**
 * `TypeProto.Tensor`: elem_type = 1, shape = 2.
 *
 * @example
 * ```ts
 * input.type?.tensorType?.elemType === DataType.FLOAT;
 * ```
 */
export interface TensorTypeProto {
  elemType?: number;
  shape?: TensorShape;
  rawFields: RawField[];
}

/**
 * `TypeProto`: tensor_type = 1, denotation = 6. Kept raw: sequence_type = 4, map_type = 5,
 * sparse_tensor_type = 8, optional_type = 9.
 *
 * @example
 * ```ts
 * const isTensor = valueInfo.type?.tensorType !== undefined;
 * ```
 */
export interface TypeProto {
  tensorType?: TensorTypeProto;
  denotation?: string;
  rawFields: RawField[];
}

/**
 * `ValueInfoProto`: name = 1, type = 2, doc_string = 3, metadata_props = 4.
 *
 * @example
 * ```ts
 * graph.input[0]?.name; // "input"
 * ```
 */
export interface ValueInfo {
  name?: string;
  type?: TypeProto;
  docString?: string;
  metadataProps: StringStringEntry[];
  rawFields: RawField[];
}

/**
 * `AttributeProto`: name = 1, f = 2, i = 3, s = 4, t = 5, g = 6, floats = 7, ints = 8,
 * strings = 9, tensors = 10, graphs = 11, doc_string = 13, type = 20, ref_attr_name = 21.
 * Kept raw: tp = 14, type_protos = 15, sparse_tensor = 22, sparse_tensors = 23.
 *
 * @example
 * ```ts
 * getAttribute(gemm, "transB")?.i; // 1n
 * ```
 */
export interface Attribute {
  name?: string;
  f?: number;
  i?: bigint;
  s?: Uint8Array;
  t?: TensorProto;
  g?: GraphProto;
  floats: number[];
  ints: bigint[];
  strings: Uint8Array[];
  tensors: TensorProto[];
  graphs: GraphProto[];
  docString?: string;
  type?: number;
  refAttrName?: string;
  rawFields: RawField[];
}

/**
 * `NodeProto`: input = 1, output = 2, name = 3, op_type = 4, attribute = 5, doc_string = 6,
 * domain = 7, overload = 8, metadata_props = 9.
 *
 * @example
 * ```ts
 * graph.node.filter((n) => n.opType === "Gemm").map((n) => n.input[1]); // the weights
 * ```
 */
export interface NodeProto {
  input: string[];
  output: string[];
  name?: string;
  opType?: string;
  attribute: Attribute[];
  docString?: string;
  domain?: string;
  overload?: string;
  metadataProps: StringStringEntry[];
  rawFields: RawField[];
}

/**
 * `GraphProto`: node = 1, name = 2, initializer = 5, doc_string = 10, input = 11, output = 12,
 * value_info = 13, metadata_props = 16. Kept raw: quantization_annotation = 14,
 * sparse_initializer = 15.
 *
 * @example
 * ```ts
 * const graph: GraphProto = requireGraph(model);
 * graph.node.length; // 5
 * ```
 */
export interface GraphProto {
  node: NodeProto[];
  name?: string;
  initializer: TensorProto[];
  docString?: string;
  input: ValueInfo[];
  output: ValueInfo[];
  valueInfo: ValueInfo[];
  metadataProps: StringStringEntry[];
  rawFields: RawField[];
}

/**
 * `ModelProto`: ir_version = 1, producer_name = 2, producer_version = 3, domain = 4,
 * model_version = 5, doc_string = 6, graph = 7, opset_import = 8, metadata_props = 14.
 * Kept raw: training_info = 20, functions = 25, configuration = 26.
 *
 * @example
 * ```ts
 * const model: OnnxModel = decodeModel(readFileSync("models/digits_mlp.onnx"));
 * model.graph?.node.map((n) => n.opType); // ["Gemm", "Relu", "Gemm"]
 * ```
 */
export interface OnnxModel {
  irVersion?: number;
  producerName?: string;
  producerVersion?: string;
  domain?: string;
  modelVersion?: number;
  docString?: string;
  graph?: GraphProto;
  opsetImport: OperatorSetId[];
  metadataProps: StringStringEntry[];
  rawFields: RawField[];
}
