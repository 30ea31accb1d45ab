import assert from "node:assert/strict";
import { test } from "node:test";
import { makeNode } from "../onnx/node.js";
import { DataType, float32Tensor, tensorToFloat32, tensorToInt8, tensorToInt32 } from "../onnx/tensor.js";
import type { NodeProto, OnnxModel, TensorProto } from "../onnx/types.js";
import { planQdq, type QdqFormat, quantizeQdq } from "./qdq.js";
import { seededValues, tinyGemm, tinyModel } from "./qdq.test.helpers.js";

const u8s8: QdqFormat = { activations: "uint8", weights: "int8", reduceRange: false, perChannel: true };
const ranges = new Map([
  ["x", { min: -1, max: 2 }],
  ["h", { min: 0, max: 3 }],
]);

function init(model: OnnxModel, name: string): TensorProto {
  const t = model.graph!.initializer.find((i) => i.name === name);
  assert.ok(t, `initializer ${name}`);
  return t;
}

function byOp(model: OnnxModel, op: string): NodeProto[] {
  return model.graph!.node.filter((n) => n.opType === op);
}

function axisOf(node: NodeProto): number | undefined {
  const a = node.attribute.find((x) => x.name === "axis");
  return a?.i === undefined ? undefined : Number(a.i);
}

test("Gemm: Q→DQ on the activation, int8 per-channel weight and int32 bias behind DequantizeLinear", () => {
  const { model } = tinyGemm();
  const r = quantizeQdq(model, ranges, u8s8);
  const g = r.model.graph!;
  assert.deepEqual(
    g.node.map((n) => n.opType),
    ["QuantizeLinear", "DequantizeLinear", "DequantizeLinear", "DequantizeLinear", "Gemm"],
  );
  const [q, dqx, dqw, dqb, gemm] = g.node as [NodeProto, NodeProto, NodeProto, NodeProto, NodeProto];
  assert.deepEqual(q.input, ["x", "x_scale", "x_zero_point"]);
  assert.deepEqual(dqx.input, [q.output[0], "x_scale", "x_zero_point"]);
  assert.equal(init(r.model, "x_zero_point").dataType, DataType.UINT8);
  assert.deepEqual(init(r.model, "x_scale").dims, []);
  // Weight: int8 [3, 4], three scales and zero points along axis 0 (transB = 1: B is [N, K]).
  const wq = init(r.model, dqw.input[0]!);
  assert.equal(wq.dataType, DataType.INT8);
  assert.deepEqual(wq.dims, [3, 4]);
  assert.deepEqual(init(r.model, dqw.input[1]!).dims, [3]);
  assert.equal(init(r.model, dqw.input[2]!).dataType, DataType.INT8);
  assert.equal(axisOf(dqw), 0);
  // Symmetric full range: each row's largest |w| maps to ±127.
  const q8 = tensorToInt8(wq);
  for (let row = 0; row < 3; row++)
    assert.equal(Math.max(...Array.from(q8.subarray(row * 4, row * 4 + 4), Math.abs)), 127);
  // Bias: int32, scale = x scale × w scale per channel, zero point 0.
  const bq = init(r.model, dqb.input[0]!);
  assert.equal(bq.dataType, DataType.INT32);
  const bScale = tensorToFloat32(init(r.model, dqb.input[1]!));
  const xScale = tensorToFloat32(init(r.model, "x_scale"))[0]!;
  const wScale = tensorToFloat32(init(r.model, dqw.input[1]!));
  for (let c = 0; c < 3; c++) assert.equal(bScale[c], Math.fround(xScale * wScale[c]!));
  assert.deepEqual(Array.from(tensorToInt32(init(r.model, dqb.input[2]!))), [0, 0, 0]);
  assert.deepEqual(gemm.input, [dqx.output[0], dqw.output[0], dqb.output[0]]);
  assert.equal(gemm.name, "gemm");
  // The float weight and bias are gone; metadata, inputs and outputs are kept.
  assert.equal(
    r.model.graph!.initializer.some((t) => t.name === "W" || t.name === "b"),
    false,
  );
  assert.deepEqual(r.model.metadataProps, model.metadataProps);
  assert.deepEqual(g.input, model.graph!.input);
  assert.deepEqual(g.output, model.graph!.output);
  assert.deepEqual(r.quantized, ["Gemm gemm: x uint8, weight W int8 per channel (axis 0), bias b int32"]);
  assert.deepEqual(r.activations[0]?.zeroPoint, 85);
});

test("int8 activations are symmetric, reduceRange keeps weights in [-64, 64], biases may stay float32", () => {
  const { model } = tinyGemm();
  const r = quantizeQdq(
    model,
    ranges,
    { activations: "int8", weights: "int8", reduceRange: true, perChannel: false },
    { bias: "float32" },
  );
  const x = r.activations[0]!;
  assert.equal(x.type, "int8");
  assert.equal(x.zeroPoint, 0);
  assert.equal(x.scale, Math.fround(4 / 254));
  assert.equal(init(r.model, "x_zero_point").dataType, DataType.INT8);
  const dqw = byOp(r.model, "DequantizeLinear").find((n) => n.input[0] === "W_quantized")!;
  assert.equal(axisOf(dqw), undefined);
  assert.deepEqual(init(r.model, "W_scale").dims, []);
  const q = tensorToInt8(init(r.model, "W_quantized"));
  assert.equal(Math.max(...Array.from(q, Math.abs)), 64);
  assert.equal(byOp(r.model, "Gemm")[0]!.input[2], "b");
  assert.ok(r.notes.includes("biases stay float32"));
});

test("per-channel axes: Conv axis 0, Gemm transB = 0 axis 1, MatMul [K, N] axis 1", () => {
  const nodes = [
    makeNode({ opType: "Conv", inputs: ["x", "cw", "cb"], outputs: ["c"], name: "conv" }),
    makeNode({ opType: "Flatten", inputs: ["c"], outputs: ["h"], name: "flatten" }),
    makeNode({ opType: "Gemm", inputs: ["h", "gw"], outputs: ["g"], name: "gemm" }),
    makeNode({ opType: "MatMul", inputs: ["g", "mw"], outputs: ["y"], name: "matmul" }),
  ];
  const model = tinyModel(
    nodes,
    [
      float32Tensor("cw", [2, 1, 1, 1], seededValues(2, 1)),
      float32Tensor("cb", [2], seededValues(2, 2)),
      float32Tensor("gw", [8, 5], seededValues(40, 3)),
      float32Tensor("mw", [5, 3], seededValues(15, 4)),
    ],
    ["n", 1, 2, 2],
  );
  const plan = planQdq(model);
  assert.deepEqual(
    plan.targets.map((t) => [t.node.name, t.activations, t.weight, t.weightAxis, t.bias]),
    [
      ["conv", ["x"], "cw", 0, "cb"],
      ["gemm", ["h"], "gw", 1, undefined],
      ["matmul", ["g"], "mw", 1, undefined],
    ],
  );
  assert.deepEqual(plan.kept, ["kept in fp32: Flatten flatten"]);
  const r = quantizeQdq(
    model,
    new Map([
      ["x", { min: 0, max: 1 }],
      ["h", { min: -2, max: 2 }],
      ["g", { min: -3, max: 3 }],
    ]),
    u8s8,
  );
  const dq = byOp(r.model, "DequantizeLinear");
  const axis = (w: string) => axisOf(dq.find((n) => n.input[0] === `${w}_quantized`)!);
  assert.deepEqual([axis("cw"), axis("gw"), axis("mw")], [0, 1, 1]);
  assert.deepEqual(init(r.model, "mw_scale").dims, [3]);
  assert.deepEqual(init(r.model, "gw_scale").dims, [5]);
  assert.equal(r.quantized.length, 3);
});

test("unsupported ops and tensors without a range stay fp32 and are listed, never a crash", () => {
  const nodes = [
    makeNode({ opType: "Sub", inputs: ["x", "mean"], outputs: ["s"], name: "sub" }),
    makeNode({ opType: "MatMul", inputs: ["s", "w1"], outputs: ["h"], name: "mm1" }),
    makeNode({ opType: "MatMul", inputs: ["h", "w2"], outputs: ["y"], name: "mm2" }),
  ];
  const model = tinyModel(
    nodes,
    [
      float32Tensor("mean", [4], seededValues(4, 5)),
      float32Tensor("w1", [4, 4], seededValues(16, 6)),
      float32Tensor("w2", [4, 3], seededValues(12, 7)),
    ],
    ["n", 4],
  );
  const r = quantizeQdq(model, new Map([["h", { min: 0, max: 1 }]]), u8s8);
  assert.deepEqual(r.kept, ["kept in fp32: Sub sub", "kept in fp32: MatMul mm1 (no calibrated range for s)"]);
  assert.deepEqual(r.quantized, ["MatMul mm2: h uint8, weight w2 int8 per channel (axis 1)"]);
  // mm1 still reads its float weight.
  assert.deepEqual(byOp(r.model, "MatMul")[0]!.input, ["s", "w1"]);
  assert.ok(init(r.model, "w1"));
});

test("opset 11 quantizes weights per tensor (no bump), opset 9 is skipped with the reason", () => {
  const r11 = quantizeQdq(tinyGemm(11).model, ranges, u8s8);
  assert.equal(r11.model.opsetImport[0]?.version, 11);
  assert.deepEqual(init(r11.model, "W_scale").dims, []);
  assert.match(r11.notes[0]!, /per-channel DequantizeLinear needs opset 13, the model is opset 11/);
  const r9 = quantizeQdq(tinyGemm(9).model, ranges, u8s8);
  assert.equal(r9.quantized.length, 0);
  assert.match(r9.notes[0]!, /not quantized: opset 9 has no QuantizeLinear/);
  assert.deepEqual(r9.kept, ["kept in fp32: Gemm gemm"]);
});

test("a tensor read by two quantized nodes gets one Q/DQ pair; names never collide", () => {
  const nodes = [
    makeNode({ opType: "MatMul", inputs: ["x", "w1"], outputs: ["a"], name: "m1" }),
    makeNode({ opType: "MatMul", inputs: ["x", "w2"], outputs: ["b"], name: "m2" }),
    makeNode({ opType: "Add", inputs: ["a", "b"], outputs: ["y"], name: "add" }),
  ];
  const model = tinyModel(
    nodes,
    [
      float32Tensor("w1", [4, 3], seededValues(12, 1)),
      float32Tensor("w2", [4, 3], seededValues(12, 2)),
      // Already uses the name the transform would pick first.
      float32Tensor("x_scale", [], Float32Array.of(1)),
    ],
    ["n", 4],
  );
  const r = quantizeQdq(model, new Map([["x", { min: -1, max: 1 }]]), u8s8);
  assert.equal(byOp(r.model, "QuantizeLinear").length, 1);
  const q = byOp(r.model, "QuantizeLinear")[0]!;
  assert.equal(q.input[1], "x_scale_1");
  const dq = byOp(r.model, "DequantizeLinear").find((n) => n.input[0] === q.output[0])!;
  assert.deepEqual(
    byOp(r.model, "MatMul").map((n) => n.input[0]),
    [dq.output[0], dq.output[0]],
  );
  assert.ok(init(r.model, "x_scale"));
  const names = r.model.graph!.initializer.map((t) => t.name);
  assert.equal(new Set(names).size, names.length);
});

test("a Conv's output is quantized too — after its Relu, where the Relu is its only reader", () => {
  const nodes = [
    makeNode({ opType: "Conv", inputs: ["x", "cw"], outputs: ["c"], name: "conv" }),
    makeNode({ opType: "Relu", inputs: ["c"], outputs: ["r"], name: "relu" }),
    makeNode({ opType: "Flatten", inputs: ["r"], outputs: ["y"], name: "flatten" }),
  ];
  const model = tinyModel(nodes, [float32Tensor("cw", [3, 1, 1, 1], seededValues(3, 1))], ["n", 1, 1, 1]);
  assert.equal(planQdq(model).targets[0]?.output, "r");
  const r = quantizeQdq(
    model,
    new Map([
      ["x", { min: 0, max: 1 }],
      ["r", { min: 0, max: 2 }],
    ]),
    u8s8,
  );
  assert.deepEqual(
    r.model.graph!.node.map((n) => n.name),
    [
      "x_QuantizeLinear",
      "x_DequantizeLinear",
      "cw_DequantizeLinear",
      "conv",
      "relu",
      "r_QuantizeLinear",
      "r_DequantizeLinear",
      "flatten",
    ],
  );
  assert.deepEqual(r.model.graph!.node.at(-1)!.input, ["r_DequantizeLinear_Output"]);
  assert.deepEqual(r.model.graph!.node[5]!.input[0], "r");
  assert.match(r.quantized[0]!, /output r uint8$/);
  // Without a range for the output, the Conv is still quantized and the output is reported.
  const noOut = quantizeQdq(model, new Map([["x", { min: 0, max: 1 }]]), u8s8);
  assert.ok(noOut.notes.includes("output r of Conv conv not quantized: no calibrated range"));
});
