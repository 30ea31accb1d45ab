import { TikTokToeError } from "../errors/index.js";
import { hostIsLittleEndian } from "./endian.js";
import type { TensorProto } from "./types.js";

/**
 * `TensorProto.DataType` of onnx.proto (IR 10), by name.
 *
 * @example
 * ```ts
 * if (tensor.dataType === DataType.FLOAT) tensorToFloat32(tensor);
 * ```
 */
export const DataType = {
  UNDEFINED: 0,
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
  COMPLEX64: 14,
  COMPLEX128: 15,
  BFLOAT16: 16,
  FLOAT8E4M3FN: 17,
  FLOAT8E4M3FNUZ: 18,
  FLOAT8E5M2: 19,
  FLOAT8E5M2FNUZ: 20,
  UINT4: 21,
  INT4: 22,
} as const;

/** onnxruntime's name for each element type (`Tensor.Type` of onnxruntime-common). */
const ortNames: Readonly<Record<number, string>> = {
  1: "float32",
  2: "uint8",
  3: "int8",
  4: "uint16",
  5: "int16",
  6: "int32",
  7: "int64",
  8: "string",
  9: "bool",
  10: "float16",
  11: "float64",
  12: "uint32",
  13: "uint64",
  21: "uint4",
  22: "int4",
};

/**
 * The element type's name as onnxruntime spells it (`"float32"`, `"int64"`…), or `"type N"` for one
 * it has no JS tensor type for.
 *
 * @example
 * ```ts
 * elementTypeName(DataType.INT64); // "int64"
 * ```
 */
export function elementTypeName(dataType: number | undefined): string {
  return ortNames[dataType ?? 0] ?? `type ${dataType ?? 0}`;
}

/**
 * The number of elements a tensor of these dimensions holds (1 for a scalar).
 *
 * @example
 * ```ts
 * elementCount([512, 64]); // 32768
 * ```
 */
export function elementCount(dims: readonly number[]): number {
  return dims.reduce((n, d) => n * d, 1);
}

function tensorError(t: TensorProto, message: string): TikTokToeError {
  return new TikTokToeError("ONNX_INVALID", `tensor "${t.name ?? ""}": ${message}`);
}

function checkNotExternal(t: TensorProto): void {
  if (t.dataLocation === 1)
    throw new TikTokToeError(
      "ONNX_UNSUPPORTED",
      `tensor "${t.name ?? ""}" keeps its data in an external file`,
      {
        hint: "save the model with its weights inside the .onnx file (onnx.save(model, path, save_as_external_data=False))",
      },
    );
}

/** The raw_data bytes as a fresh, aligned buffer in host order, after checking the length. */
function rawBuffer(t: TensorProto, raw: Uint8Array, size: number): ArrayBuffer {
  const count = elementCount(t.dims);
  if (raw.length !== count * size)
    throw tensorError(
      t,
      `raw_data holds ${raw.length} bytes, dims ${JSON.stringify(t.dims)} need ${count * size}`,
    );
  const copy = raw.slice();
  if (!hostIsLittleEndian && size > 1)
    for (let i = 0; i < copy.length; i += size) copy.subarray(i, i + size).reverse();
  return copy.buffer as ArrayBuffer;
}

function checkCount(t: TensorProto, length: number): void {
  const count = elementCount(t.dims);
  if (length !== count)
    throw tensorError(t, `holds ${length} values, dims ${JSON.stringify(t.dims)} need ${count}`);
}

function checkType(t: TensorProto, accepted: readonly number[], wanted: string): void {
  if (!accepted.includes(t.dataType ?? 0))
    throw new TikTokToeError(
      "ONNX_UNSUPPORTED",
      `tensor "${t.name ?? ""}" is ${elementTypeName(t.dataType)}, not ${wanted}`,
    );
}

/**
 * A float tensor's values as float32, whichever field holds them: `raw_data` (little-endian, what
 * PyTorch writes) or `float_data`. float64 and float16 tensors are converted. The result is a copy.
 *
 * @example
 * ```ts
 * const w = tensorToFloat32(initializers.get("0.weight")!); // Float32Array(512 * 64)
 * ```
 */
export function tensorToFloat32(t: TensorProto): Float32Array {
  checkNotExternal(t);
  checkType(t, [DataType.FLOAT, DataType.DOUBLE, DataType.FLOAT16], "a float tensor");
  if (t.dataType === DataType.DOUBLE) {
    const values =
      t.rawData !== undefined
        ? new Float64Array(rawBuffer(t, t.rawData, 8))
        : (t.doubleData ?? new Float64Array());
    checkCount(t, values.length);
    return Float32Array.from(values);
  }
  if (t.dataType === DataType.FLOAT16) {
    // float16 is stored as 16-bit patterns: in raw_data, or one per int32_data element.
    const bits =
      t.rawData !== undefined
        ? new Uint16Array(rawBuffer(t, t.rawData, 2))
        : (t.int32Data ?? new Int32Array());
    checkCount(t, bits.length);
    return Float32Array.from(bits, (b) => halfToFloat(b & 0xffff));
  }
  if (t.rawData !== undefined) return new Float32Array(rawBuffer(t, t.rawData, 4));
  const values = t.floatData ?? new Float32Array();
  checkCount(t, values.length);
  return values.slice();
}

/**
 * An int64 tensor's values (`raw_data` or `int64_data`), as a copy.
 *
 * @example
 * ```ts
 * tensorToInt64(shapeInitializer); // BigInt64Array [-1n, 1024n]
 * ```
 */
export function tensorToInt64(t: TensorProto): BigInt64Array {
  checkNotExternal(t);
  checkType(t, [DataType.INT64], "int64");
  if (t.rawData !== undefined) return new BigInt64Array(rawBuffer(t, t.rawData, 8));
  const values = t.int64Data ?? new BigInt64Array();
  checkCount(t, values.length);
  return values.slice();
}

/**
 * An int32 tensor's values (`raw_data` or `int32_data`), as a copy.
 *
 * @example
 * ```ts
 * const bias = tensorToInt32(quantizedBias); // Int32Array
 * ```
 */
export function tensorToInt32(t: TensorProto): Int32Array {
  checkNotExternal(t);
  checkType(t, [DataType.INT32], "int32");
  if (t.rawData !== undefined) return new Int32Array(rawBuffer(t, t.rawData, 4));
  const values = t.int32Data ?? new Int32Array();
  checkCount(t, values.length);
  return values.slice();
}

/**
 * An int8 tensor's values (`raw_data`, or `int32_data` with one value per element), as a copy.
 *
 * @example
 * ```ts
 * const q = tensorToInt8(quantizedWeight); // Int8Array
 * ```
 */
export function tensorToInt8(t: TensorProto): Int8Array {
  checkNotExternal(t);
  checkType(t, [DataType.INT8], "int8");
  if (t.rawData !== undefined) return new Int8Array(rawBuffer(t, t.rawData, 1));
  const values = t.int32Data ?? new Int32Array();
  checkCount(t, values.length);
  return Int8Array.from(values);
}

/**
 * A uint8 tensor's values (`raw_data`, or `int32_data` with one value per element), as a copy.
 *
 * @example
 * ```ts
 * const zeroPoint = tensorToUint8(zp)[0]; // 128
 * ```
 */
export function tensorToUint8(t: TensorProto): Uint8Array {
  checkNotExternal(t);
  checkType(t, [DataType.UINT8], "uint8");
  if (t.rawData !== undefined) return new Uint8Array(rawBuffer(t, t.rawData, 1));
  const values = t.int32Data ?? new Int32Array();
  checkCount(t, values.length);
  return Uint8Array.from(values);
}

function makeTensor(
  name: string,
  dims: readonly number[],
  dataType: number,
  data: ArrayBufferView,
  length: number,
): TensorProto {
  if (elementCount(dims) !== length)
    throw new TikTokToeError(
      "ONNX_INVALID",
      `tensor "${name}": ${length} values do not fill dims ${JSON.stringify(dims)}`,
    );
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
  const size = data.byteLength / Math.max(length, 1);
  if (!hostIsLittleEndian && size > 1)
    for (let i = 0; i < bytes.length; i += size) bytes.subarray(i, i + size).reverse();
  // raw_data is what PyTorch and onnxruntime's quantizer write: compact, and read without parsing.
  return {
    dims: [...dims],
    dataType,
    stringData: [],
    name,
    rawData: bytes,
    externalData: [],
    metadataProps: [],
    rawFields: [],
  };
}

/**
 * A float32 tensor (an initializer, a Constant's value) with its values in `raw_data`.
 *
 * @example
 * ```ts
 * const scale = float32Tensor("x_scale", [], Float32Array.of(0.0123));
 * ```
 */
export function float32Tensor(name: string, dims: readonly number[], data: Float32Array): TensorProto {
  return makeTensor(name, dims, DataType.FLOAT, data, data.length);
}

/**
 * An int64 tensor with its values in `raw_data`.
 *
 * @example
 * ```ts
 * const shape = int64Tensor("shape", [2], BigInt64Array.of(-1n, 1024n));
 * ```
 */
export function int64Tensor(name: string, dims: readonly number[], data: BigInt64Array): TensorProto {
  return makeTensor(name, dims, DataType.INT64, data, data.length);
}

/**
 * An int32 tensor with its values in `raw_data` (quantized biases).
 *
 * @example
 * ```ts
 * const bias = int32Tensor("fc.bias_quantized", [10], Int32Array.from(q));
 * ```
 */
export function int32Tensor(name: string, dims: readonly number[], data: Int32Array): TensorProto {
  return makeTensor(name, dims, DataType.INT32, data, data.length);
}

/**
 * An int8 tensor with its values in `raw_data` (quantized weights, signed zero points).
 *
 * @example
 * ```ts
 * const zp = int8Tensor("w_zero_point", [], Int8Array.of(0));
 * ```
 */
export function int8Tensor(name: string, dims: readonly number[], data: Int8Array): TensorProto {
  return makeTensor(name, dims, DataType.INT8, data, data.length);
}

/**
 * A uint8 tensor with its values in `raw_data` (unsigned zero points, U8 weights).
 *
 * @example
 * ```ts
 * const zp = uint8Tensor("x_zero_point", [], Uint8Array.of(128));
 * ```
 */
export function uint8Tensor(name: string, dims: readonly number[], data: Uint8Array): TensorProto {
  return makeTensor(name, dims, DataType.UINT8, data, data.length);
}

/** IEEE 754 half to single precision. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}
