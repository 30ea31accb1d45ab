import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { decodeModel } from "../onnx/decode.js";
import { encodeModel } from "../onnx/encode.js";
import { makeNode, makeTensorValueInfo } from "../onnx/node.js";
import { openSession } from "../onnx/runtime.js";
import { DataType, float32Tensor } from "../onnx/tensor.js";
import type { OnnxModel } from "../onnx/types.js";
import { seededRandom } from "../stats/index.js";
import { repoPath } from "../testing/paths.js";
import { exportOnnxMlp, fineTuneOnnxMlp, predictOnnxMlp, readOnnxMlp } from "./mlp-finetune.js";

/**
 * Fine-tuning checked by onnxruntime-node itself: the bytes we write run in the real runtime, answer
 * as the original when nothing was trained, and — on the bike model trained on 2011 — answer 2012
 * better after fine-tuning on other 2012 rows, each error measured from onnxruntime's outputs.
 */

/** onnxruntime's outputs for `rows` (float32 [n, width]) as one flat array. */
async function ortRun(model: Uint8Array, rows: readonly number[][]): Promise<Float32Array> {
  const session = await openSession(model);
  try {
    const decoded = decodeModel(model);
    const input = decoded.graph!.input[0]!.name!;
    const width = rows[0]!.length;
    const data = new Float32Array(rows.length * width);
    rows.forEach((row, r) => {
      data.set(row, r * width);
    });
    const outputs = await session.run({ [input]: { data, dims: [rows.length, width] } });
    return outputs[decoded.graph!.output[0]!.name!]!.data as Float32Array;
  } finally {
    await session.release();
  }
}

const BIKE_FEATURES = [
  "season",
  "mnth",
  "hr",
  "holiday",
  "weekday",
  "workingday",
  "weathersit",
  "temp",
  "atemp",
  "hum",
  "windspeed",
];

function bikeRows(file: string): { x: number[][]; y: number[] } {
  const [header, ...lines] = readFileSync(repoPath("data", "bike", file), "utf8")
    .trim()
    .split("\n");
  const columns = header!.split(",");
  const at = BIKE_FEATURES.map((c) => columns.indexOf(c));
  const cnt = columns.indexOf("cnt");
  const x: number[][] = [];
  const y: number[] = [];
  for (const line of lines) {
    const v = line.split(",").map(Number);
    x.push(at.map((i) => v[i]!));
    y.push(v[cnt]!);
  }
  return { x, y };
}

/**
 * A small graph of the other shapes the reader accepts: `Mul` and `Add` normalisation, `MatMul` +
 * `Add`, `Tanh`, a `MatMul` without a bias, and a `Sigmoid` output (a binary classifier).
 */
function matMulSigmoidModel(seed: number): Uint8Array {
  const random = seededRandom(seed);
  const normals = (n: number, sd: number) => Float32Array.from(random.normals(n, 0, sd));
  const model: OnnxModel = {
    irVersion: 8,
    producerName: "test",
    graph: {
      name: "matmul_sigmoid",
      node: [
        makeNode({ opType: "Mul", inputs: ["x", "scale"], outputs: ["scaled"], name: "/norm/Mul" }),
        makeNode({ opType: "Add", inputs: ["scaled", "shift"], outputs: ["z"], name: "/norm/Add" }),
        makeNode({ opType: "MatMul", inputs: ["z", "w1"], outputs: ["h0"], name: "/l1/MatMul" }),
        makeNode({ opType: "Add", inputs: ["h0", "b1"], outputs: ["h1"], name: "/l1/Add" }),
        makeNode({ opType: "Tanh", inputs: ["h1"], outputs: ["h2"], name: "/l1/Tanh" }),
        makeNode({ opType: "MatMul", inputs: ["h2", "w2"], outputs: ["logit"], name: "/l2/MatMul" }),
        makeNode({ opType: "Sigmoid", inputs: ["logit"], outputs: ["p"], name: "/l2/Sigmoid" }),
      ],
      initializer: [
        float32Tensor("scale", [3], Float32Array.of(0.5, 2, 1)),
        float32Tensor("shift", [1, 3], Float32Array.of(0, -1, 0.25)),
        float32Tensor("w1", [3, 6], normals(18, 0.7)),
        float32Tensor("b1", [6], normals(6, 0.1)),
        float32Tensor("w2", [6, 1], normals(6, 0.7)),
      ],
      input: [makeTensorValueInfo("x", DataType.FLOAT, ["batch", 3])],
      output: [makeTensorValueInfo("p", DataType.FLOAT, ["batch", 1])],
      valueInfo: [],
      metadataProps: [],
      rawFields: [],
    },
    opsetImport: [{ domain: "", version: 13, rawFields: [] }],
    metadataProps: [],
    rawFields: [],
  };
  return encodeModel(model);
}

describe("fine-tuned ONNX MLPs in onnxruntime", () => {
  const models: [string, () => Uint8Array, number][] = [
    ["bike_mlp.onnx", () => new Uint8Array(readFileSync(repoPath("models", "bike_mlp.onnx"))), 11],
    [
      "breast_cancer_mlp.onnx",
      () => new Uint8Array(readFileSync(repoPath("models", "breast_cancer_mlp.onnx"))),
      30,
    ],
    ["digits_mlp.onnx", () => new Uint8Array(readFileSync(repoPath("models", "digits_mlp.onnx"))), 64],
    ["a MatMul/Tanh/Sigmoid graph", () => matMulSigmoidModel(3), 3],
  ];
  for (const [name, load, width] of models)
    it(`${name}: read and written back untrained, it answers as the original (1e-5), and our forward pass agrees`, async () => {
      const original = load();
      const found = readOnnxMlp(original);
      const random = seededRandom(9);
      const rows = Array.from({ length: 64 }, () =>
        Array.from({ length: width }, () => Math.fround(random.uniform() * 2)),
      );
      const before = await ortRun(original, rows);
      const after = await ortRun(exportOnnxMlp(found), rows);
      const ours = predictOnnxMlp(found, rows);
      assert.equal(after.length, before.length);
      for (let i = 0; i < before.length; i++) {
        const scale = Math.max(1, Math.abs(before[i]!));
        assert.ok(Math.abs(after[i]! - before[i]!) <= 1e-5 * scale, `${i}: ${after[i]} vs ${before[i]}`);
        // Our float64 layers against onnxruntime's float32 ones: float32 rounding apart.
        assert.ok(Math.abs(ours[i]! - before[i]!) <= 1e-4 * scale, `${i}: ours ${ours[i]} vs ${before[i]}`);
      }
    });

  it("the 2011 bike model fine-tuned on 2012's first half errs less on 2012's second half (onnxruntime's MAE)", async () => {
    const original = new Uint8Array(readFileSync(repoPath("models", "bike_mlp.onnx")));
    const { x, y } = bikeRows("bike_2012.csv");
    // Time order: learn January–June, judge July–December.
    const cut = Math.floor(x.length / 2);
    const result = fineTuneOnnxMlp(original, x.slice(0, cut), y.slice(0, cut), { seed: 7 });
    const heldX = x.slice(cut);
    const heldY = y.slice(cut);
    const mae = (out: Float32Array) => heldY.reduce((s, t, r) => s + Math.abs(out[r]! - t), 0) / heldY.length;
    const before = mae(await ortRun(original, heldX));
    const after = mae(await ortRun(result.onnx, heldX));
    // models.json: the 2011 model errs by 92.5 on all of 2012.
    assert.ok(before > 80, `original MAE ${before}`);
    assert.ok(after < 0.8 * before, `MAE ${before} → ${after}`);
    // Still the same model to the outside: input, output and opset.
    const a = decodeModel(original);
    const b = decodeModel(result.onnx);
    assert.deepEqual(b.graph!.input, a.graph!.input);
    assert.deepEqual(b.graph!.output, a.graph!.output);
    assert.deepEqual(b.opsetImport, a.opsetImport);
    assert.deepEqual(
      b.graph!.node.map((n) => n.opType),
      a.graph!.node.map((n) => n.opType),
    );
  });

  it("a Sigmoid classifier of MatMul layers learns its labels, and keeps its bias-free layer bias-free", async () => {
    const original = matMulSigmoidModel(3);
    const random = seededRandom(17);
    const rows = Array.from({ length: 2000 }, () => [random.normal(), random.normal(), random.normal()]);
    const labels = rows.map(([a, b, c]) => (a! - b! + 0.5 * c! > 0 ? 1 : 0));
    const result = fineTuneOnnxMlp(original, rows.slice(0, 1500), labels.slice(0, 1500), {
      seed: 1,
      epochs: 20,
      learningRate: 1e-2,
    });
    const accuracy = (p: Float32Array) =>
      labels.slice(1500).filter((t, r) => (p[r]! > 0.5 ? 1 : 0) === t).length / 500;
    const before = accuracy(await ortRun(original, rows.slice(1500)));
    const after = accuracy(await ortRun(result.onnx, rows.slice(1500)));
    assert.ok(after > 0.9 && after > before + 0.1, `accuracy ${before} → ${after}`);
    const graph = decodeModel(result.onnx).graph!;
    assert.deepEqual(
      graph.node.map((n) => [n.opType, n.input]),
      decodeModel(original).graph!.node.map((n) => [n.opType, n.input]),
    );
    assert.deepEqual(
      graph.initializer.map((t) => [t.name, t.dims]),
      decodeModel(original).graph!.initializer.map((t) => [t.name, t.dims]),
    );
  });
});
