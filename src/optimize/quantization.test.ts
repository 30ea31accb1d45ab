import assert from "node:assert/strict";
import { test } from "node:test";
import { agreementVerdict, compareOutputs } from "./agreement.js";
import {
  computeScaleZeroPoint,
  perChannelParams,
  quantizationParams,
  quantRange,
  roundHalfToEven,
} from "./quant-params.js";
import { dequantizeLinear, fakeQuantize, quantizeLinear } from "./quantize-linear.js";

const f = Math.fround;

test("integer ranges: ORT's normal, symmetric and reduced (7-bit) tables", () => {
  assert.deepEqual(quantRange("int8"), { qmin: -128, qmax: 127 });
  assert.deepEqual(quantRange("uint8"), { qmin: 0, qmax: 255 });
  assert.deepEqual(quantRange("int8", { symmetric: true }), { qmin: -127, qmax: 127 });
  assert.deepEqual(quantRange("uint8", { symmetric: true }), { qmin: 0, qmax: 254 });
  assert.deepEqual(quantRange("int8", { reduceRange: true }), { qmin: -64, qmax: 64 });
  assert.deepEqual(quantRange("uint8", { reduceRange: true, symmetric: true }), { qmin: 0, qmax: 127 });
});

test("round half to even", () => {
  assert.deepEqual(
    [0.5, 1.5, 2.5, 3.5, -0.5, -1.5, -2.5, 2.4, -2.6].map(roundHalfToEven),
    [0, 2, 2, 4, -0, -2, -2, 2, -3],
  );
});

test("scale and zero point: asymmetric uint8/int8, the range widened to include 0", () => {
  // [-1, 2] over 255 steps: zero point 0 − (−1)/(3/255) = 85.
  assert.deepEqual(computeScaleZeroPoint(-1, 2, quantRange("uint8")), { scale: f(3 / 255), zeroPoint: 85 });
  // int8: −128 + 85 = −43.
  assert.deepEqual(computeScaleZeroPoint(-1, 2, quantRange("int8")), { scale: f(3 / 255), zeroPoint: -43 });
  // All positive: rmin becomes 0 and the zero point qmin; all negative: rmax becomes 0.
  assert.deepEqual(computeScaleZeroPoint(0.5, 2, quantRange("uint8")), { scale: f(2 / 255), zeroPoint: 0 });
  assert.deepEqual(computeScaleZeroPoint(-2, -0.5, quantRange("uint8")), {
    scale: f(2 / 255),
    zeroPoint: 255,
  });
});

test("scale and zero point: symmetric ranges and the middle of the integer range", () => {
  assert.deepEqual(quantizationParams({ min: -1, max: 2 }, "int8", { symmetric: true }), {
    scale: f(4 / 254),
    zeroPoint: 0,
  });
  assert.deepEqual(quantizationParams({ min: -1, max: 2 }, "uint8", { symmetric: true }), {
    scale: f(4 / 254),
    zeroPoint: 127,
  });
  // Full uint8 range made symmetric: round(255/2) = round(127.5) = 128, half to even.
  assert.deepEqual(computeScaleZeroPoint(-1, 1, quantRange("uint8"), { symmetric: true }), {
    scale: f(2 / 255),
    zeroPoint: 128,
  });
  // 7-bit weights: [-64, 64], scale a/64.
  assert.deepEqual(
    quantizationParams({ min: -1, max: 0.5 }, "int8", { symmetric: true, reduceRange: true }),
    {
      scale: f(1 / 64),
      zeroPoint: 0,
    },
  );
});

test("scale and zero point: an empty range gives scale 1, zero point 0; minRealRange widens", () => {
  assert.deepEqual(computeScaleZeroPoint(0, 0, quantRange("uint8")), { scale: 1, zeroPoint: 0 });
  assert.deepEqual(computeScaleZeroPoint(0, 0.001, quantRange("uint8"), { minRealRange: 0.01 }), {
    scale: f(0.01 / 255),
    zeroPoint: 0,
  });
});

test("QuantizeLinear: the ONNX operator's uint8 example", () => {
  const y = quantizeLinear(new Float32Array([0, 2, 3, 1000, -254, -1000]), {
    type: "uint8",
    scale: 2,
    zeroPoint: 128,
  });
  assert.ok(y instanceof Uint8Array);
  assert.deepEqual([...y], [128, 129, 130, 255, 1, 0]);
});

test("QuantizeLinear int8: halves to even, then the zero point, then saturation to [-128, 127]", () => {
  const y = quantizeLinear(new Float32Array([0, 2, 3, 5, 1000, -254, -1000]), {
    type: "int8",
    scale: 2,
    zeroPoint: -1,
  });
  assert.ok(y instanceof Int8Array);
  // 0 → −1; 1 → 0; 1.5 → 2 → 1; 2.5 → 2 → 1; 500 → 127; −127 → −128; −500 → −128.
  assert.deepEqual([...y], [-1, 0, 1, 1, 127, -128, -128]);
});

test("QuantizeLinear per axis: the shape of ONNX's quantizelinear_axis case, computed by hand", () => {
  // x [1, 3, 3, 2], axis 1, scales [1, 2, 4], zero points [84, 24, 196].
  const x = new Float32Array([
    -162, 10, -100, 232, -20, -50, -76, 0, 0, 252, 32, -44, 245, -485, -960, -270, -375, -470,
  ]);
  const y = quantizeLinear(x, {
    type: "uint8",
    scale: new Float32Array([1, 2, 4]),
    zeroPoint: Int32Array.of(84, 24, 196),
    axis: 1,
    shape: [1, 3, 3, 2],
  });
  // Channel 2: 245/4 = 61.25 → 257 → 255; −270/4 = −67.5 → −68 → 128; −470/4 = −117.5 → −118 → 78.
  assert.deepEqual([...y], [0, 94, 0, 255, 64, 34, 0, 24, 24, 150, 40, 2, 255, 75, 0, 128, 102, 78]);
});

test("DequantizeLinear and the fake-quant round trip", () => {
  const params = { type: "uint8", scale: 2, zeroPoint: 128 } as const;
  assert.deepEqual([...dequantizeLinear(new Uint8Array([128, 129, 255, 0]), params)], [0, 2, 254, -256]);
  // Clipped above 254, rounded to the grid of 2 inside.
  assert.deepEqual([...fakeQuantize(new Float32Array([3, 5.2, 1000]), params)], [4, 6, 254]);
});

test("per-channel parameters: one symmetric scale per row", () => {
  const p = perChannelParams(new Float32Array([-1, 1, 0, 0.5, 0.25, -2]), [3, 2], 0, "int8", {
    symmetric: true,
  });
  assert.deepEqual([...p.scales], [f(2 / 254), f(1 / 254), f(4 / 254)]);
  assert.deepEqual([...p.zeroPoints], [0, 0, 0]);
  const columns = perChannelParams(new Float32Array([-1, 1, 0, 0.5]), [2, 2], 1, "uint8");
  // Column 0 spans [-1, 0], column 1 [0, 1] (0 is always included).
  assert.deepEqual([...columns.scales], [f(1 / 255), f(1 / 255)]);
  assert.deepEqual([...columns.zeroPoints], [255, 0]);
});

test("agreement: relative RMSE, max abs error and top-1 on hand-computed outputs", () => {
  const m = compareOutputs(new Float32Array([1, 0, 0, 1]), new Float32Array([0.9, 0.1, 0.2, 0.8]), {
    classes: 2,
  });
  // Squared errors 0.01 + 0.01 + 0.04 + 0.04 = 0.1 over Σ ref² = 2.
  assert.ok(Math.abs(m.relativeRmse - Math.sqrt(0.05)) < 1e-7);
  assert.ok(Math.abs(m.maxAbsError - 0.2) < 1e-7);
  assert.equal(m.top1Agreement, 1);
  assert.equal(m.rows, 2);
  const flipped = compareOutputs([0.6, 0.4, 0.1, 0.9], [0.4, 0.6, 0.1, 0.9], { classes: 2 });
  assert.equal(flipped.top1Agreement, 0.5);
});

test("agreement verdict: default limits (relative RMSE 0.1, top-1 99%) with reasons", () => {
  assert.deepEqual(
    agreementVerdict({ n: 4, relativeRmse: 0.05, maxAbsError: 1, top1Agreement: 1, rows: 2 }),
    {
      agrees: true,
      reasons: [],
    },
  );
  assert.deepEqual(
    agreementVerdict({ n: 10, relativeRmse: 3.84, maxAbsError: 9, top1Agreement: 0.4, rows: 5 }),
    {
      agrees: false,
      reasons: ["relative RMSE 3.84 > limit 0.1", "top-1 agreement 40.0% < required 99.0%"],
    },
  );
  const nan = agreementVerdict({
    n: 1,
    relativeRmse: Number.NaN,
    maxAbsError: Number.NaN,
    top1Agreement: null,
    rows: 0,
  });
  assert.equal(nan.agrees, false);
});

test("fake-quant error of a symmetric int8 tensor is at most half a step inside the range", () => {
  const x = Float32Array.from({ length: 1001 }, (_, i) => -1 + i / 500);
  const { scale, zeroPoint } = quantizationParams({ min: -1, max: 1 }, "int8", { symmetric: true });
  const y = fakeQuantize(x, { type: "int8", scale, zeroPoint });
  const m = compareOutputs(x, y);
  assert.ok(m.maxAbsError <= scale / 2 + 1e-7, `${m.maxAbsError} > ${scale / 2}`);
});
