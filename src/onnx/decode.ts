import { TikTokToeError } from "../errors/index.js";
import { littleEndianBuffer } from "./endian.js";
import type {
  Attribute,
  Dimension,
  GraphProto,
  NodeProto,
  OnnxModel,
  OperatorSetId,
  StringStringEntry,
  TensorProto,
  TensorShape,
  TensorTypeProto,
  TypeProto,
  ValueInfo,
} from "./types.js";
import { invalid, type RawField, WireReader, WireType } from "./wire.js";

/**
 * Field numbers are those of onnx.proto (ONNX 1.16, IR version 10); each message's list is in
 * types.ts. A field whose number we do not model, or that arrives with a wire type other than the
 * one onnx.proto declares, is kept as a {@link RawField} (protobuf's own rule for unknown fields),
 * so nothing the tool does not touch is lost.
 */

/** Subgraphs (If/Loop/Scan bodies) nest through attributes; C++ protobuf stops at 100 levels. */
const MAX_GRAPH_DEPTH = 32;

/**
 * Decodes an ONNX model file (a serialized `ModelProto`) into plain objects. Malformed bytes
 * (truncated, garbled, not protobuf) throw `ONNX_INVALID`; the decoder never loops forever and
 * never overflows the stack.
 *
 * @example
 * ```ts
 * const model = decodeModel(new Uint8Array(readFileSync("models/digits_mlp.onnx")));
 * model.opsetImport[0]?.version; // 13
 * ```
 */
export function decodeModel(bytes: Uint8Array): OnnxModel {
  if (bytes.length === 0) throw invalid("the ONNX model is empty");
  try {
    // A Node Buffer's slice() is a view, not a copy: read through a plain Uint8Array so every
    // decoded byte field (raw_data above all) owns its bytes instead of aliasing the whole file.
    const plain = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const model = decodeModelProto(new WireReader(plain));
    if (model.graph === undefined && model.irVersion === undefined)
      throw invalid("the bytes parse as protobuf but hold neither ir_version nor a graph: not an ONNX model");
    return model;
  } catch (error) {
    if (error instanceof TikTokToeError) throw error;
    // Anything else is a decoder bug on hostile input; it still must not escape as a crash.
    throw new TikTokToeError(
      "ONNX_INVALID",
      `the ONNX model cannot be decoded: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

function decodeModelProto(r: WireReader): OnnxModel {
  const m: OnnxModel = { opsetImport: [], metadataProps: [], rawFields: [] };
  while (!r.done()) {
    const { field, wire, start } = r.tag();
    if (field === 1 && wire === WireType.varint) m.irVersion = r.int64Number("ir_version");
    else if (field === 2 && wire === WireType.bytes) m.producerName = r.string();
    else if (field === 3 && wire === WireType.bytes) m.producerVersion = r.string();
    else if (field === 4 && wire === WireType.bytes) m.domain = r.string();
    else if (field === 5 && wire === WireType.varint) m.modelVersion = r.int64Number("model_version");
    else if (field === 6 && wire === WireType.bytes) m.docString = r.string();
    else if (field === 7 && wire === WireType.bytes) m.graph = decodeGraph(sub(r), 0);
    else if (field === 8 && wire === WireType.bytes) m.opsetImport.push(decodeOpset(sub(r)));
    else if (field === 14 && wire === WireType.bytes) m.metadataProps.push(decodeEntry(sub(r)));
    else keep(m.rawFields, r, field, wire, start);
  }
  return m;
}

function decodeOpset(r: WireReader): OperatorSetId {
  const o: OperatorSetId = { rawFields: [] };
  while (!r.done()) {
    const { field, wire, start } = r.tag();
    if (field === 1 && wire === WireType.bytes) o.domain = r.string();
    else if (field === 2 && wire === WireType.varint) o.version = r.int64Number("opset version");
    else keep(o.rawFields, r, field, wire, start);
  }
  return o;
}

function decodeEntry(r: WireReader): StringStringEntry {
  const e: StringStringEntry = { rawFields: [] };
  while (!r.done()) {
    const { field, wire, start } = r.tag();
    if (field === 1 && wire === WireType.bytes) e.key = r.string();
    else if (field === 2 && wire === WireType.bytes) e.value = r.string();
    else keep(e.rawFields, r, field, wire, start);
  }
  return e;
}

function decodeGraph(r: WireReader, depth: number): GraphProto {
  if (depth > MAX_GRAPH_DEPTH) throw invalid(`subgraphs nest deeper than ${MAX_GRAPH_DEPTH} levels`, r.pos);
  const g: GraphProto = {
    node: [],
    initializer: [],
    input: [],
    output: [],
    valueInfo: [],
    metadataProps: [],
    rawFields: [],
  };
  while (!r.done()) {
    const { field, wire, start } = r.tag();
    if (wire !== WireType.bytes) keep(g.rawFields, r, field, wire, start);
    else if (field === 1) g.node.push(decodeNode(sub(r), depth));
    else if (field === 2) g.name = r.string();
    else if (field === 5) g.initializer.push(decodeTensor(sub(r)));
    else if (field === 10) g.docString = r.string();
    else if (field === 11) g.input.push(decodeValueInfo(sub(r)));
    else if (field === 12) g.output.push(decodeValueInfo(sub(r)));
    else if (field === 13) g.valueInfo.push(decodeValueInfo(sub(r)));
    else if (field === 16) g.metadataProps.push(decodeEntry(sub(r)));
    else keep(g.rawFields, r, field, wire, start);
  }
  return g;
}

function decodeNode(r: WireReader, depth: number): NodeProto {
  const n: NodeProto = { input: [], output: [], attribute: [], metadataProps: [], rawFields: [] };
  while (!r.done()) {
    const { field, wire, start } = r.tag();
    if (wire !== WireType.bytes) keep(n.rawFields, r, field, wire, start);
    else if (field === 1) n.input.push(r.string());
    else if (field === 2) n.output.push(r.string());
    else if (field === 3) n.name = r.string();
    else if (field === 4) n.opType = r.string();
    else if (field === 5) n.attribute.push(decodeAttribute(sub(r), depth));
    else if (field === 6) n.docString = r.string();
    else if (field === 7) n.domain = r.string();
    else if (field === 8) n.overload = r.string();
    else if (field === 9) n.metadataProps.push(decodeEntry(sub(r)));
    else keep(n.rawFields, r, field, wire, start);
  }
  return n;
}

function decodeAttribute(r: WireReader, depth: number): Attribute {
  const a: Attribute = {
    floats: [],
    ints: [],
    strings: [],
    tensors: [],
    graphs: [],
    rawFields: [],
  };
  while (!r.done()) {
    const { field, wire, start } = r.tag();
    if (field === 1 && wire === WireType.bytes) a.name = r.string();
    else if (field === 2 && wire === WireType.fixed32) a.f = r.float32();
    else if (field === 3 && wire === WireType.varint) a.i = r.int64();
    else if (field === 4 && wire === WireType.bytes) a.s = r.bytes().slice();
    else if (field === 5 && wire === WireType.bytes) a.t = decodeTensor(sub(r));
    else if (field === 6 && wire === WireType.bytes) a.g = decodeGraph(sub(r), depth + 1);
    else if (field === 7 && wire === WireType.fixed32) a.floats.push(r.float32());
    else if (field === 7 && wire === WireType.bytes) {
      const s = sub(r);
      while (!s.done()) a.floats.push(s.float32());
    } else if (field === 8 && wire === WireType.varint) a.ints.push(r.int64());
    else if (field === 8 && wire === WireType.bytes) {
      const s = sub(r);
      while (!s.done()) a.ints.push(s.int64());
    } else if (field === 9 && wire === WireType.bytes) a.strings.push(r.bytes().slice());
    else if (field === 10 && wire === WireType.bytes) a.tensors.push(decodeTensor(sub(r)));
    else if (field === 11 && wire === WireType.bytes) a.graphs.push(decodeGraph(sub(r), depth + 1));
    else if (field === 13 && wire === WireType.bytes) a.docString = r.string();
    else if (field === 20 && wire === WireType.varint) a.type = r.int32();
    else if (field === 21 && wire === WireType.bytes) a.refAttrName = r.string();
    else keep(a.rawFields, r, field, wire, start);
  }
  return a;
}

function decodeValueInfo(r: WireReader): ValueInfo {
  const v: ValueInfo = { metadataProps: [], rawFields: [] };
  while (!r.done()) {
    const { field, wire, start } = r.tag();
    if (field === 1 && wire === WireType.bytes) v.name = r.string();
    else if (field === 2 && wire === WireType.bytes) v.type = decodeType(sub(r));
    else if (field === 3 && wire === WireType.bytes) v.docString = r.string();
    else if (field === 4 && wire === WireType.bytes) v.metadataProps.push(decodeEntry(sub(r)));
    else keep(v.rawFields, r, field, wire, start);
  }
  return v;
}

function decodeType(r: WireReader): TypeProto {
  const t: TypeProto = { rawFields: [] };
  while (!r.done()) {
    const { field, wire, start } = r.tag();
    if (field === 1 && wire === WireType.bytes) t.tensorType = decodeTensorType(sub(r));
    else if (field === 6 && wire === WireType.bytes) t.denotation = r.string();
    else keep(t.rawFields, r, field, wire, start);
  }
  return t;
}

function decodeTensorType(r: WireReader): TensorTypeProto {
  const t: TensorTypeProto = { rawFields: [] };
  while (!r.done()) {
    const { field, wire, start } = r.tag();
    if (field === 1 && wire === WireType.varint) t.elemType = r.int32();
    else if (field === 2 && wire === WireType.bytes) t.shape = decodeShape(sub(r));
    else keep(t.rawFields, r, field, wire, start);
  }
  return t;
}

function decodeShape(r: WireReader): TensorShape {
  const s: TensorShape = { dim: [], rawFields: [] };
  while (!r.done()) {
    const { field, wire, start } = r.tag();
    if (field === 1 && wire === WireType.bytes) s.dim.push(decodeDimension(sub(r)));
    else keep(s.rawFields, r, field, wire, start);
  }
  return s;
}

function decodeDimension(r: WireReader): Dimension {
  const d: Dimension = { rawFields: [] };
  while (!r.done()) {
    const { field, wire, start } = r.tag();
    if (field === 1 && wire === WireType.varint) d.dimValue = r.int64Number("dim_value");
    else if (field === 2 && wire === WireType.bytes) d.dimParam = r.string();
    else if (field === 3 && wire === WireType.bytes) d.denotation = r.string();
    else keep(d.rawFields, r, field, wire, start);
  }
  return d;
}

function decodeTensor(r: WireReader): TensorProto {
  const t: TensorProto = { dims: [], stringData: [], externalData: [], metadataProps: [], rawFields: [] };
  const floats: Uint8Array[] = [];
  const doubles: Uint8Array[] = [];
  const int32s: number[] = [];
  const int64s: bigint[] = [];
  const uint64s: bigint[] = [];
  let sawInt32 = false;
  let sawInt64 = false;
  let sawUint64 = false;
  while (!r.done()) {
    const { field, wire, start } = r.tag();
    if (field === 1 && wire === WireType.varint) t.dims.push(r.int64Number("a dimension"));
    else if (field === 1 && wire === WireType.bytes) {
      const s = sub(r);
      while (!s.done()) t.dims.push(s.int64Number("a dimension"));
    } else if (field === 2 && wire === WireType.varint) t.dataType = r.int32();
    else if (field === 4 && (wire === WireType.bytes || wire === WireType.fixed32))
      floats.push(fixedBytes(r, wire, 4));
    else if (field === 5 && (wire === WireType.bytes || wire === WireType.varint)) {
      sawInt32 = true;
      varints(
        r,
        wire,
        () => int32s.push(r.int32()),
        (s) => int32s.push(s.int32()),
      );
    } else if (field === 6 && wire === WireType.bytes) t.stringData.push(r.bytes().slice());
    else if (field === 7 && (wire === WireType.bytes || wire === WireType.varint)) {
      sawInt64 = true;
      varints(
        r,
        wire,
        () => int64s.push(r.int64()),
        (s) => int64s.push(s.int64()),
      );
    } else if (field === 8 && wire === WireType.bytes) t.name = r.string();
    else if (field === 9 && wire === WireType.bytes) t.rawData = r.bytes().slice();
    else if (field === 10 && (wire === WireType.bytes || wire === WireType.fixed64))
      doubles.push(fixedBytes(r, wire, 8));
    else if (field === 11 && (wire === WireType.bytes || wire === WireType.varint)) {
      sawUint64 = true;
      varints(
        r,
        wire,
        () => uint64s.push(r.uint64()),
        (s) => uint64s.push(s.uint64()),
      );
    } else if (field === 12 && wire === WireType.bytes) t.docString = r.string();
    else if (field === 13 && wire === WireType.bytes) t.externalData.push(decodeEntry(sub(r)));
    else if (field === 14 && wire === WireType.varint) t.dataLocation = r.int32();
    else if (field === 16 && wire === WireType.bytes) t.metadataProps.push(decodeEntry(sub(r)));
    else keep(t.rawFields, r, field, wire, start);
  }
  if (floats.length > 0) t.floatData = new Float32Array(littleEndianBuffer(concat(floats), 4));
  if (doubles.length > 0) t.doubleData = new Float64Array(littleEndianBuffer(concat(doubles), 8));
  if (sawInt32) t.int32Data = Int32Array.from(int32s);
  if (sawInt64) t.int64Data = BigInt64Array.from(int64s);
  if (sawUint64) t.uint64Data = BigUint64Array.from(uint64s);
  return t;
}

/** A reader over the next length-delimited field's payload. */
function sub(r: WireReader): WireReader {
  const { start, end } = r.span();
  return new WireReader(r.buf, start, end);
}

function keep(raw: RawField[], r: WireReader, field: number, wire: number, start: number): void {
  // A copy, so the model does not pin the whole input buffer and edits to the input cannot leak in.
  raw.push({ field, bytes: r.skip(wire, start).slice() });
}

/** A packed run or a single element of a fixed-size repeated field, as a copy of its bytes. */
function fixedBytes(r: WireReader, wire: number, size: number): Uint8Array {
  const at = r.pos;
  if (wire === WireType.bytes) {
    const payload = r.bytes();
    if (payload.length % size !== 0)
      throw invalid(`packed field length ${payload.length} is not a multiple of ${size}`, at);
    return payload.slice();
  }
  if (size === 4) r.float32();
  else r.float64();
  return r.buf.slice(at, at + size);
}

function varints(r: WireReader, wire: number, one: () => void, each: (s: WireReader) => void): void {
  if (wire === WireType.varint) {
    one();
    return;
  }
  const s = sub(r);
  while (!s.done()) each(s);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
