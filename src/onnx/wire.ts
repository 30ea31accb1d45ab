import { TikTokToeError } from "../errors/index.js";

/**
 * The protobuf wire format (https://protobuf.dev/programming-guides/encoding/), only as much of it
 * as ONNX needs: varints, 32- and 64-bit fixed values, and length-delimited fields. Groups (wire
 * types 3 and 4) are rejected; onnx.proto has none, and a parser that skipped them would have to
 * track nesting for no benefit.
 */

/**
 * The four wire types ONNX uses.
 *
 * @example
 * ```ts
 * w.tag(9, WireType.bytes); // TensorProto.raw_data follows
 * ```
 */
export const WireType = { varint: 0, fixed64: 1, bytes: 2, fixed32: 5 } as const;

/**
 * A field kept as its exact bytes (tag and payload) because the codec does not model it: a field
 * newer than our copy of onnx.proto, or one the tool never edits. The encoder writes `bytes` back
 * unchanged, placed among the modelled fields by `field` number.
 *
 * @example
 * ```ts
 * const kept: RawField = { field: 25, bytes: Uint8Array.of(0xca, 0x01, 0x00) }; // ModelProto.functions, empty
 * ```
 */
export interface RawField {
  readonly field: number;
  readonly bytes: Uint8Array;
}

/**
 * Thrown for every malformed input so a caller sees one documented code, never a RangeError.
 *
 * @example
 * ```ts
 * if (end > buf.length) throw invalid("truncated field", pos);
 * ```
 */
export function invalid(message: string, offset?: number): TikTokToeError {
  return new TikTokToeError(
    "ONNX_INVALID",
    offset === undefined ? message : `${message} (at byte ${offset})`,
    { hint: "the file is not a complete ONNX model: re-export it, or check that it was copied whole" },
  );
}

/**
 * Reads one protobuf message from `buf[pos, end)`. Every read checks its bounds against `end`, so a
 * truncated or garbled input ends in ONNX_INVALID and every loop advances, so none can spin.
 *
 * @example
 * ```ts
 * const r = new WireReader(bytes);
 * while (!r.done()) { const { field, wire, start } = r.tag(); r.skip(wire, start); }
 * ```
 */
export class WireReader {
  pos: number;
  private readonly view: DataView;

  constructor(
    readonly buf: Uint8Array,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  done(): boolean {
    return this.pos >= this.end;
  }

  /** The next field's number and wire type; `start` is where its tag began (for raw fields). */
  tag(): { field: number; wire: number; start: number } {
    const start = this.pos;
    const key = this.varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (field === 0 || field > 0x1fffffff) throw invalid(`invalid field number ${field}`, start);
    if (wire !== 0 && wire !== 1 && wire !== 2 && wire !== 5)
      throw invalid(`unsupported wire type ${wire} for field ${field}`, start);
    return { field, wire, start };
  }

  /**
   * An unsigned varint as a number. Values above 2^53 would lose precision, so they are refused:
   * every field read this way (lengths, sizes, versions, enums) is far below that.
   */
  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw invalid("truncated varint", this.pos);
      const byte = this.buf[this.pos++]!;
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        if (result > Number.MAX_SAFE_INTEGER) throw invalid("varint too large", this.pos);
        return result;
      }
      scale *= 128;
    }
    throw invalid("varint longer than 10 bytes", this.pos);
  }

  /** A varint as a signed 64-bit integer (int64 fields: two's complement over 10 bytes). */
  int64(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw invalid("truncated varint", this.pos);
      const byte = this.buf[this.pos++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return BigInt.asIntN(64, result);
      shift += 7n;
    }
    throw invalid("varint longer than 10 bytes", this.pos);
  }

  /** A varint as an unsigned 64-bit integer (uint64 fields). */
  uint64(): bigint {
    return BigInt.asUintN(64, this.int64());
  }

  /** An int64 field that must fit a JS number (dimensions, versions): larger ones are invalid. */
  int64Number(what: string): number {
    const at = this.pos;
    const value = this.int64();
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER))
      throw invalid(`${what} ${value} is outside the range this tool handles (±2^53)`, at);
    return Number(value);
  }

  /** An int32 field: a varint whose low 32 bits are the two's complement value. */
  int32(): number {
    return Number(BigInt.asIntN(32, this.int64()));
  }

  float32(): number {
    this.need(4);
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  float64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** The payload of a length-delimited field, as a view into the input (no copy). */
  bytes(): Uint8Array {
    const length = this.varint();
    this.need(length);
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  /** A length-delimited field's bounds, for decoding a nested message in place. */
  span(): { start: number; end: number } {
    const length = this.varint();
    this.need(length);
    const start = this.pos;
    this.pos += length;
    return { start, end: this.pos };
  }

  string(): string {
    const at = this.pos;
    const bytes = this.bytes();
    try {
      return utf8.decode(bytes);
    } catch {
      throw invalid("a string field is not valid UTF-8", at);
    }
  }

  /** Skips a field's payload and returns the field's exact bytes from its tag on. */
  skip(wire: number, start: number): Uint8Array {
    if (wire === WireType.varint) this.varint64Skip();
    else if (wire === WireType.fixed64) this.advance(8);
    else if (wire === WireType.fixed32) this.advance(4);
    else this.span();
    return this.buf.subarray(start, this.pos);
  }

  private varint64Skip(): void {
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw invalid("truncated varint", this.pos);
      if (this.buf[this.pos++]! < 0x80) return;
    }
    throw invalid("varint longer than 10 bytes", this.pos);
  }

  private advance(n: number): void {
    this.need(n);
    this.pos += n;
  }

  private need(n: number): void {
    if (n > this.end - this.pos)
      throw invalid(`field needs ${n} bytes, ${this.end - this.pos} left`, this.pos);
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

/**
 * Builds protobuf bytes in a growing buffer. Nested messages are encoded into their own writer and
 * copied in with their length, which costs one copy per nesting level (ONNX nests about five deep)
 * and keeps the encoder free of a separate size pass.
 *
 * @example
 * ```ts
 * const w = new WireWriter();
 * w.tag(1, WireType.varint); w.varint(8); // ModelProto.ir_version = 8
 * const bytes = w.finish();
 * ```
 */
export class WireWriter {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  private pos = 0;

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  /** A non-negative integer up to 2^53. */
  varint(value: number): void {
    this.reserve(10);
    let v = value;
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
  }

  /** A signed 64-bit integer as protobuf writes int64: negatives take ten bytes. */
  int64(value: bigint | number): void {
    if (typeof value === "number" && value >= 0) {
      this.varint(value);
      return;
    }
    let v = BigInt.asUintN(64, BigInt(value));
    this.reserve(10);
    while (v >= 0x80n) {
      this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.pos++] = Number(v);
  }

  /** An int32 field: negatives are sign-extended to 64 bits, as protobuf does. */
  int32(value: number): void {
    if (value >= 0) this.varint(value);
    else this.int64(BigInt(value));
  }

  float32(value: number): void {
    this.reserve(4);
    this.view.setFloat32(this.pos, value, true);
    this.pos += 4;
  }

  float64(value: number): void {
    this.reserve(8);
    this.view.setFloat64(this.pos, value, true);
    this.pos += 8;
  }

  /** Bytes as they are, with no length prefix (raw fields, packed payloads). */
  raw(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** A length-delimited field: tag, length, payload. */
  bytesField(field: number, bytes: Uint8Array): void {
    this.tag(field, WireType.bytes);
    this.varint(bytes.length);
    this.raw(bytes);
  }

  stringField(field: number, value: string): void {
    this.bytesField(field, utf8Encoder.encode(value));
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}
