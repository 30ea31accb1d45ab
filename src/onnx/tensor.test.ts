import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeModel } from "./decode.js";
import { encodeModel } from "./encode.js";
import { modelBytes } from "./models.test.helpers.js";
import {
  DataType,
  elementTypeName,
  float32Tensor,
  int8Tensor,
  int32Tensor,
  int64Tensor,
  tensorToFloat32,
  tensorToInt8,
  tensorToInt32,
  tensorToInt64,
  tensorToUint8,
  uint8Tensor,
} from "./tensor.js";
import type { TensorProto } from "./types.js";

const empty = { stringData: [], externalData: [], metadataProps: [], rawFields: [] };

test("a model decoded straight from a Node Buffer gives initializers their own bytes, not the file's", () => {
  const file = Buffer.from(modelBytes("digits_mlp"));
  const w = decodeModel(file).graph!.initializer.find((t) => t.name === "0.weight")!;
  assert.equal(w.rawData!.byteLength, w.rawData!.buffer.byteLength);
  assert.equal(tensorToFloat32(w).length, 512 * 64);
});

test("float32 initializers read from raw_data match the model's shapes", () => {
  const graph = decodeModel(modelBytes("digits_mlp")).graph!;
  const w = graph.initializer.find((t) => t.name === "0.weight")!;
  assert.deepEqual(w.dims, [512, 64]);
  const values = tensorToFloat32(w);
  assert.equal(values.length, 512 * 64);
  assert.ok(values.every(Number.isFinite));
  assert.ok(values.some((v) => v !== 0));
});

test("typed fields and raw_data give the same values for every element type", () => {
  const floats: TensorProto = {
    ...empty,
    name: "f",
    dims: [2],
    dataType: DataType.FLOAT,
    floatData: Float32Array.of(1.5, -2),
  };
  assert.deepEqual([...tensorToFloat32(floats)], [1.5, -2]);
  assert.deepEqual([...tensorToFloat32(float32Tensor("f", [2], Float32Array.of(1.5, -2)))], [1.5, -2]);
  const doubles: TensorProto = {
    ...empty,
    dims: [1],
    dataType: DataType.DOUBLE,
    doubleData: Float64Array.of(0.25),
  };
  assert.deepEqual([...tensorToFloat32(doubles)], [0.25]);
  // float16 bit patterns in int32_data: 1.0 = 0x3c00, -2.0 = 0xc000, 65504 = 0x7bff.
  const halves: TensorProto = {
    ...empty,
    dims: [3],
    dataType: DataType.FLOAT16,
    int32Data: Int32Array.of(0x3c00, 0xc000, 0x7bff),
  };
  assert.deepEqual([...tensorToFloat32(halves)], [1, -2, 65504]);
  const int64s: TensorProto = {
    ...empty,
    dims: [2],
    dataType: DataType.INT64,
    int64Data: BigInt64Array.of(-1n, 1024n),
  };
  assert.deepEqual([...tensorToInt64(int64s)], [-1n, 1024n]);
  assert.deepEqual([...tensorToInt64(int64Tensor("s", [2], BigInt64Array.of(-1n, 1024n)))], [-1n, 1024n]);
  const int32s: TensorProto = {
    ...empty,
    dims: [2],
    dataType: DataType.INT32,
    int32Data: Int32Array.of(-7, 9),
  };
  assert.deepEqual([...tensorToInt32(int32s)], [-7, 9]);
  assert.deepEqual([...tensorToInt32(int32Tensor("b", [2], Int32Array.of(-7, 9)))], [-7, 9]);
  const int8s: TensorProto = {
    ...empty,
    dims: [2],
    dataType: DataType.INT8,
    int32Data: Int32Array.of(-128, 127),
  };
  assert.deepEqual([...tensorToInt8(int8s)], [-128, 127]);
  assert.deepEqual([...tensorToInt8(int8Tensor("q", [2], Int8Array.of(-128, 127)))], [-128, 127]);
  const uint8s: TensorProto = { ...empty, dims: [], dataType: DataType.UINT8, int32Data: Int32Array.of(255) };
  assert.deepEqual([...tensorToUint8(uint8s)], [255]);
  assert.deepEqual([...tensorToUint8(uint8Tensor("zp", [], Uint8Array.of(128)))], [128]);
  assert.equal(elementTypeName(DataType.FLOAT), "float32");
  assert.equal(elementTypeName(DataType.BFLOAT16), "type 16");
});

test("a new tensor survives encoding, and a wrong length, type or external data is refused", () => {
  const model = decodeModel(modelBytes("bike_mlp"));
  model.graph!.initializer.push(float32Tensor("extra", [2, 2], Float32Array.of(1, 2, 3, 4)));
  const back = decodeModel(encodeModel(model)).graph!.initializer.at(-1)!;
  assert.equal(back.name, "extra");
  assert.deepEqual([...tensorToFloat32(back)], [1, 2, 3, 4]);
  assert.throws(() => float32Tensor("x", [3], Float32Array.of(1, 2)), { code: "ONNX_INVALID" });
  assert.throws(
    () =>
      tensorToFloat32({
        ...empty,
        name: "r",
        dims: [3],
        dataType: DataType.FLOAT,
        rawData: new Uint8Array(8),
      }),
    { code: "ONNX_INVALID", message: /raw_data holds 8 bytes/ },
  );
  assert.throws(() => tensorToInt64(back), { code: "ONNX_UNSUPPORTED", message: /is float32, not int64/ });
  assert.throws(() => tensorToFloat32({ ...back, dataLocation: 1 }), {
    code: "ONNX_UNSUPPORTED",
    message: /external/,
  });
});
