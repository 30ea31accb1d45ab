import { hostIsLittleEndian } from "./endian.js";
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
import { type RawField, WireType, WireWriter } from "./wire.js";

/**
 * Field numbers follow onnx.proto (ONNX 1.16, IR 10), listed per message in types.ts. Fields are
 * written in ascending field-number order, the order C++ protobuf (and so PyTorch, onnx and
 * onnxruntime) writes; raw fields are merged in at their own number. A model that C++ protobuf
 * wrote therefore decodes and re-encodes to the same bytes. Repeated scalars are packed exactly
 * where onnx.proto says `[packed = true]` (TensorProto's *_data fields) and unpacked elsewhere
 * (proto2's default), again as C++ writes them.
 */

/**
 * Serializes a model to ONNX bytes (a `ModelProto`), the inverse of `decodeModel`.
 *
 * @example
 * ```ts
 * const model = decodeModel(bytes);
 * model.producerName = "tiktoktoe";
 * writeFileSync("out.onnx", encodeModel(model));
 * ```
 */
export function encodeModel(model: OnnxModel): Uint8Array {
  const w = new WireWriter();
  const f = new FieldOrder(w, model.rawFields);
  f.at(1);
  if (model.irVersion !== undefined) int64Field(w, 1, model.irVersion);
  f.at(2);
  if (model.producerName !== undefined) w.stringField(2, model.producerName);
  f.at(3);
  if (model.producerVersion !== undefined) w.stringField(3, model.producerVersion);
  f.at(4);
  if (model.domain !== undefined) w.stringField(4, model.domain);
  f.at(5);
  if (model.modelVersion !== undefined) int64Field(w, 5, model.modelVersion);
  f.at(6);
  if (model.docString !== undefined) w.stringField(6, model.docString);
  f.at(7);
  if (model.graph !== undefined) w.bytesField(7, encodeGraph(model.graph));
  f.at(8);
  for (const o of model.opsetImport) w.bytesField(8, encodeOpset(o));
  f.at(14);
  for (const e of model.metadataProps) w.bytesField(14, encodeEntry(e));
  f.rest();
  return w.finish();
}

function encodeOpset(o: OperatorSetId): Uint8Array {
  const w = new WireWriter();
  const f = new FieldOrder(w, o.rawFields);
  f.at(1);
  if (o.domain !== undefined) w.stringField(1, o.domain);
  f.at(2);
  if (o.version !== undefined) int64Field(w, 2, o.version);
  f.rest();
  return w.finish();
}

function encodeEntry(e: StringStringEntry): Uint8Array {
  const w = new WireWriter();
  const f = new FieldOrder(w, e.rawFields);
  f.at(1);
  if (e.key !== undefined) w.stringField(1, e.key);
  f.at(2);
  if (e.value !== undefined) w.stringField(2, e.value);
  f.rest();
  return w.finish();
}

function encodeGraph(g: GraphProto): Uint8Array {
  const w = new WireWriter();
  const f = new FieldOrder(w, g.rawFields);
  f.at(1);
  for (const n of g.node) w.bytesField(1, encodeNode(n));
  f.at(2);
  if (g.name !== undefined) w.stringField(2, g.name);
  f.at(5);
  for (const t of g.initializer) w.bytesField(5, encodeTensor(t));
  f.at(10);
  if (g.docString !== undefined) w.stringField(10, g.docString);
  f.at(11);
  for (const v of g.input) w.bytesField(11, encodeValueInfo(v));
  f.at(12);
  for (const v of g.output) w.bytesField(12, encodeValueInfo(v));
  f.at(13);
  for (const v of g.valueInfo) w.bytesField(13, encodeValueInfo(v));
  f.at(16);
  for (const e of g.metadataProps) w.bytesField(16, encodeEntry(e));
  f.rest();
  return w.finish();
}

function encodeNode(n: NodeProto): Uint8Array {
  const w = new WireWriter();
  const f = new FieldOrder(w, n.rawFields);
  f.at(1);
  for (const s of n.input) w.stringField(1, s);
  f.at(2);
  for (const s of n.output) w.stringField(2, s);
  f.at(3);
  if (n.name !== undefined) w.stringField(3, n.name);
  f.at(4);
  if (n.opType !== undefined) w.stringField(4, n.opType);
  f.at(5);
  for (const a of n.attribute) w.bytesField(5, encodeAttribute(a));
  f.at(6);
  if (n.docString !== undefined) w.stringField(6, n.docString);
  f.at(7);
  if (n.domain !== undefined) w.stringField(7, n.domain);
  f.at(8);
  if (n.overload !== undefined) w.stringField(8, n.overload);
  f.at(9);
  for (const e of n.metadataProps) w.bytesField(9, encodeEntry(e));
  f.rest();
  return w.finish();
}

function encodeAttribute(a: Attribute): Uint8Array {
  const w = new WireWriter();
  const f = new FieldOrder(w, a.rawFields);
  f.at(1);
  if (a.name !== undefined) w.stringField(1, a.name);
  f.at(2);
  if (a.f !== undefined) {
    w.tag(2, WireType.fixed32);
    w.float32(a.f);
  }
  f.at(3);
  if (a.i !== undefined) int64Field(w, 3, a.i);
  f.at(4);
  if (a.s !== undefined) w.bytesField(4, a.s);
  f.at(5);
  if (a.t !== undefined) w.bytesField(5, encodeTensor(a.t));
  f.at(6);
  if (a.g !== undefined) w.bytesField(6, encodeGraph(a.g));
  f.at(7);
  for (const x of a.floats) {
    w.tag(7, WireType.fixed32);
    w.float32(x);
  }
  f.at(8);
  for (const x of a.ints) int64Field(w, 8, x);
  f.at(9);
  for (const s of a.strings) w.bytesField(9, s);
  f.at(10);
  for (const t of a.tensors) w.bytesField(10, encodeTensor(t));
  f.at(11);
  for (const g of a.graphs) w.bytesField(11, encodeGraph(g));
  f.at(13);
  if (a.docString !== undefined) w.stringField(13, a.docString);
  f.at(20);
  if (a.type !== undefined) int32Field(w, 20, a.type);
  f.at(21);
  if (a.refAttrName !== undefined) w.stringField(21, a.refAttrName);
  f.rest();
  return w.finish();
}

function encodeValueInfo(v: ValueInfo): Uint8Array {
  const w = new WireWriter();
  const f = new FieldOrder(w, v.rawFields);
  f.at(1);
  if (v.name !== undefined) w.stringField(1, v.name);
  f.at(2);
  if (v.type !== undefined) w.bytesField(2, encodeType(v.type));
  f.at(3);
  if (v.docString !== undefined) w.stringField(3, v.docString);
  f.at(4);
  for (const e of v.metadataProps) w.bytesField(4, encodeEntry(e));
  f.rest();
  return w.finish();
}

function encodeType(t: TypeProto): Uint8Array {
  const w = new WireWriter();
  const f = new FieldOrder(w, t.rawFields);
  f.at(1);
  if (t.tensorType !== undefined) w.bytesField(1, encodeTensorType(t.tensorType));
  f.at(6);
  if (t.denotation !== undefined) w.stringField(6, t.denotation);
  f.rest();
  return w.finish();
}

function encodeTensorType(t: TensorTypeProto): Uint8Array {
  const w = new WireWriter();
  const f = new FieldOrder(w, t.rawFields);
  f.at(1);
  if (t.elemType !== undefined) int32Field(w, 1, t.elemType);
  f.at(2);
  if (t.shape !== undefined) w.bytesField(2, encodeShape(t.shape));
  f.rest();
  return w.finish();
}

function encodeShape(s: TensorShape): Uint8Array {
  const w = new WireWriter();
  const f = new FieldOrder(w, s.rawFields);
  f.at(1);
  for (const d of s.dim) w.bytesField(1, encodeDimension(d));
  f.rest();
  return w.finish();
}

function encodeDimension(d: Dimension): Uint8Array {
  const w = new WireWriter();
  const f = new FieldOrder(w, d.rawFields);
  f.at(1);
  if (d.dimValue !== undefined) int64Field(w, 1, d.dimValue);
  f.at(2);
  if (d.dimParam !== undefined) w.stringField(2, d.dimParam);
  f.at(3);
  if (d.denotation !== undefined) w.stringField(3, d.denotation);
  f.rest();
  return w.finish();
}

function encodeTensor(t: TensorProto): Uint8Array {
  const w = new WireWriter();
  const f = new FieldOrder(w, t.rawFields);
  f.at(1);
  for (const d of t.dims) int64Field(w, 1, d);
  f.at(2);
  if (t.dataType !== undefined) int32Field(w, 2, t.dataType);
  f.at(4);
  if (t.floatData !== undefined && t.floatData.length > 0) w.bytesField(4, littleEndianBytes(t.floatData));
  f.at(5);
  if (t.int32Data !== undefined && t.int32Data.length > 0)
    w.bytesField(
      5,
      packedVarints(t.int32Data, (pw, x) => pw.int32(x)),
    );
  f.at(6);
  for (const s of t.stringData) w.bytesField(6, s);
  f.at(7);
  if (t.int64Data !== undefined && t.int64Data.length > 0)
    w.bytesField(
      7,
      packedVarints(t.int64Data, (pw, x) => pw.int64(x)),
    );
  f.at(8);
  if (t.name !== undefined) w.stringField(8, t.name);
  f.at(9);
  if (t.rawData !== undefined) w.bytesField(9, t.rawData);
  f.at(10);
  if (t.doubleData !== undefined && t.doubleData.length > 0)
    w.bytesField(10, littleEndianBytes(t.doubleData));
  f.at(11);
  if (t.uint64Data !== undefined && t.uint64Data.length > 0)
    w.bytesField(
      11,
      packedVarints(t.uint64Data, (pw, x) => pw.int64(x)),
    );
  f.at(12);
  if (t.docString !== undefined) w.stringField(12, t.docString);
  f.at(13);
  for (const e of t.externalData) w.bytesField(13, encodeEntry(e));
  f.at(14);
  if (t.dataLocation !== undefined) int32Field(w, 14, t.dataLocation);
  f.at(16);
  for (const e of t.metadataProps) w.bytesField(16, encodeEntry(e));
  f.rest();
  return w.finish();
}

/** Writes a message's raw fields in among its modelled ones, by field number (stable). */
class FieldOrder {
  private readonly raw: RawField[];
  private next = 0;

  constructor(
    private readonly w: WireWriter,
    raw: readonly RawField[],
  ) {
    this.raw = raw.length <= 1 ? [...raw] : [...raw].sort((a, b) => a.field - b.field);
  }

  /** Writes every raw field numbered below `field`, before the modelled field `field` is written. */
  at(field: number): void {
    while (this.next < this.raw.length && this.raw[this.next]!.field < field)
      this.w.raw(this.raw[this.next++]!.bytes);
  }

  rest(): void {
    this.at(Number.POSITIVE_INFINITY);
  }
}

function int64Field(w: WireWriter, field: number, value: number | bigint): void {
  w.tag(field, WireType.varint);
  w.int64(value);
}

function int32Field(w: WireWriter, field: number, value: number): void {
  w.tag(field, WireType.varint);
  w.int32(value);
}

function packedVarints<T>(values: Iterable<T>, write: (w: WireWriter, x: T) => void): Uint8Array {
  const pw = new WireWriter();
  for (const x of values) write(pw, x);
  return pw.finish();
}

/** The element bytes of a typed array in little-endian order (a copy only on big-endian hosts). */
function littleEndianBytes(a: Float32Array | Float64Array): Uint8Array {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  if (hostIsLittleEndian) return bytes;
  const out = bytes.slice();
  for (let i = 0; i < out.length; i += a.BYTES_PER_ELEMENT)
    out.subarray(i, i + a.BYTES_PER_ELEMENT).reverse();
  return out;
}
