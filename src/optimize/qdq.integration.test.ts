import assert from "node:assert/strict";
import { test } from "node:test";
import {
  checkModel,
  encodeModel,
  openSession,
  tensorToFloat32,
  tensorToInt8,
  tensorToInt32,
} from "../onnx/index.js";
import type { OnnxModel, TensorProto } from "../onnx/types.js";
import { type QdqFormat, quantizeQdq } from "./qdq.js";
import { seededValues, tinyGemm } from "./qdq.test.helpers.js";
import { fakeQuantize } from "./quantize-linear.js";

function init(model: OnnxModel, name: string): TensorProto {
  const t = model.graph!.initializer.find((i) => i.name === name);
  assert.ok(t, `initializer ${name}`);
  return t;
}

/**
 * The QDQ graph's meaning written out by hand, in float64: y = dq(q(x)) · dq(qW)ᵀ + dq(qb), from the
 * integers and scales stored in the model. onnxruntime (graph optimization off, so no fused kernel)
 * must compute the same.
 */
function reference(model: OnnxModel, x: Float32Array, rows: number, perChannelBias: boolean): Float64Array {
  const xScale = tensorToFloat32(init(model, "x_scale"))[0]!;
  const xZero = init(model, "x_zero_point").rawData![0]!;
  const zero = init(model, "x_zero_point").dataType === 3 ? (xZero << 24) >> 24 : xZero;
  const xq = fakeQuantize(x, {
    type: init(model, "x_zero_point").dataType === 3 ? "int8" : "uint8",
    scale: xScale,
    zeroPoint: zero,
  });
  const wq = tensorToInt8(init(model, "W_quantized"));
  const ws = tensorToFloat32(init(model, "W_scale"));
  const bq = tensorToInt32(init(model, "b_quantized"));
  const bs = tensorToFloat32(init(model, "b_quantized_scale"));
  const y = new Float64Array(rows * 3);
  for (let r = 0; r < rows; r++)
    for (let n = 0; n < 3; n++) {
      let s = bq[n]! * bs[perChannelBias ? n : 0]!;
      for (let k = 0; k < 4; k++) s += xq[r * 4 + k]! * (wq[n * 4 + k]! * ws[ws.length > 1 ? n : 0]!);
      y[r * 3 + n] = s;
    }
  return y;
}

for (const format of [
  { activations: "uint8", weights: "int8", reduceRange: false, perChannel: true },
  { activations: "int8", weights: "int8", reduceRange: true, perChannel: false },
] satisfies QdqFormat[]) {
  test(`a quantized Gemm (${format.activations}, per ${format.perChannel ? "channel" : "tensor"}) loads in onnxruntime and matches the reference computation`, async () => {
    const { model } = tinyGemm();
    const r = quantizeQdq(model, new Map([["x", { min: -1, max: 2 }]]), format);
    assert.deepEqual(checkModel(r.model), []);
    const rows = 16;
    // Values beyond the calibrated range too, so the saturation of QuantizeLinear is exercised.
    const x = seededValues(rows * 4, 3, -1.5, 2.5);
    const session = await openSession(encodeModel(r.model), { graphOptimizationLevel: "disabled" });
    try {
      const out = await session.run({ x: { data: x, dims: [rows, 4] } });
      const got = out.y!.data as Float32Array;
      const want = reference(r.model, x, rows, format.perChannel);
      for (let i = 0; i < want.length; i++)
        assert.ok(Math.abs(got[i]! - want[i]!) <= 1e-5, `y[${i}] = ${got[i]} vs ${want[i]}`);
    } finally {
      await session.release();
    }
  });
}
