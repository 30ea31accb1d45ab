import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeModel } from "./decode.js";
import { encodeModel } from "./encode.js";
import { addGraphOutputs } from "./graph.js";
import { castAddModel, digitsRows, modelBytes } from "./models.test.helpers.js";
import { openSession } from "./runtime.js";
import { float32Tensor, tensorToFloat32 } from "./tensor.js";

function argmax(data: Float32Array, row: number, width: number): number {
  let best = 0;
  for (let c = 1; c < width; c++) if (data[row * width + c]! > data[row * width + best]!) best = c;
  return best;
}

test("sessions describe inputs and outputs with symbolic dimensions", async () => {
  const expected = {
    bike_mlp: [
      ["features", "float32", ["batch", 11]],
      ["cnt", "float32", ["batch", 1]],
    ],
    breast_cancer_mlp: [
      ["features", "float32", ["batch", 30]],
      ["probabilities", "float32", ["batch", 2]],
    ],
    digits_mlp: [
      ["input", "float32", ["batch", 64]],
      ["logits", "float32", ["batch", 10]],
    ],
    digits_cnn: [
      ["image", "float32", ["batch", 1, 8, 8]],
      ["logits", "float32", ["batch", 10]],
    ],
  } as const;
  for (const [name, [input, output]] of Object.entries(expected)) {
    const session = await openSession(modelBytes(name as keyof typeof expected), { intraOpNumThreads: 1 });
    try {
      assert.deepEqual(
        session.inputs.map((v) => [v.name, v.type, v.shape]),
        [input],
      );
      assert.deepEqual(
        session.outputs.map((v) => [v.name, v.type, v.shape]),
        [output],
      );
    } finally {
      await session.release();
      await session.release(); // twice is harmless
    }
  }
});

test("a re-encoded CNN classifies digits as well as the original (float32 [rows, 1, 8, 8])", async () => {
  const rows = 200;
  const { pixels, labels } = digitsRows(rows);
  const session = await openSession(encodeModel(decodeModel(modelBytes("digits_cnn"))), {
    graphOptimizationLevel: "all",
    intraOpNumThreads: 1,
    executionMode: "sequential",
  });
  try {
    const out = await session.run({ image: { data: pixels, dims: [rows, 1, 8, 8] } });
    const logits = out.logits!.data as Float32Array;
    assert.deepEqual(out.logits!.dims, [rows, 10]);
    const correct = labels.filter((label, r) => argmax(logits, r, 10) === label).length;
    assert.ok(correct / rows > 0.95, `accuracy ${correct / rows}`);
  } finally {
    await session.release();
  }
});

test("an added output and a changed initializer load in onnxruntime and give the expected values", async () => {
  const rows = 32;
  const { pixels } = digitsRows(rows);
  const feeds = { input: { type: "float32" as const, data: pixels, dims: [rows, 64] } };
  const original = await openSession(modelBytes("digits_mlp"));
  const base = (await original.run(feeds)).logits!.data as Float32Array;
  await original.release();

  // Class 7's bias + 1000: every row now predicts 7, and its logits move by exactly that much.
  const model = addGraphOutputs(decodeModel(modelBytes("digits_mlp")), ["/1/Relu_output_0"]);
  const graph = model.graph!;
  const at = graph.initializer.findIndex((t) => t.name === "4.bias");
  const bias = tensorToFloat32(graph.initializer[at]!);
  bias[7]! += 1000;
  graph.initializer[at] = float32Tensor("4.bias", [10], bias);
  const edited = await openSession(encodeModel(model), { graphOptimizationLevel: "basic" });
  try {
    assert.deepEqual(
      edited.outputs.map((v) => v.name),
      ["logits", "/1/Relu_output_0"],
    );
    const out = await edited.run(feeds, ["logits", "/1/Relu_output_0"]);
    const logits = out.logits!.data as Float32Array;
    for (let r = 0; r < rows; r++) {
      assert.equal(argmax(logits, r, 10), 7);
      for (let c = 0; c < 10; c++) {
        const shift = c === 7 ? 1000 : 0;
        assert.ok(Math.abs(logits[r * 10 + c]! - (base[r * 10 + c]! + shift)) < 1e-3);
      }
    }
    assert.deepEqual(out["/1/Relu_output_0"]!.dims, [rows, 512]);
    assert.ok((out["/1/Relu_output_0"]!.data as Float32Array).every((v) => v >= 0));
  } finally {
    await edited.release();
  }
});

test("any signature: int64 and float32 inputs of a model built here", async () => {
  const session = await openSession(encodeModel(castAddModel()));
  try {
    assert.deepEqual(
      session.inputs.map((v) => [v.name, v.type, v.shape]),
      [
        ["ids", "int64", ["n"]],
        ["x", "float32", ["n"]],
      ],
    );
    const out = await session.run({
      ids: { data: BigInt64Array.of(1n, -2n, 40n), dims: [3] },
      x: { data: Float32Array.of(0.5, 0.5, 0.5), dims: [3] },
    });
    assert.deepEqual([...(out.y!.data as Float32Array)], [1.5, -1.5, 40.5]);
    assert.equal(out.y!.type, "float32");
  } finally {
    await session.release();
  }
});

test("garbage is ONNX_INVALID; wrong feeds are ONNX_RUN_FAILED", async () => {
  await assert.rejects(openSession(new TextEncoder().encode("not a model")), { code: "ONNX_INVALID" });
  const session = await openSession(modelBytes("bike_mlp"));
  try {
    await assert.rejects(session.run({ nope: { data: new Float32Array(11), dims: [1, 11] } }), {
      code: "ONNX_RUN_FAILED",
    });
    await assert.rejects(session.run({ features: { data: new Float32Array(10), dims: [1, 11] } }), {
      code: "ONNX_RUN_FAILED",
    });
    await assert.rejects(session.run({ features: { data: new Uint8Array(11), dims: [1, 11] } }), {
      code: "ONNX_RUN_FAILED",
      message: /more than one element type/,
    });
  } finally {
    await session.release();
  }
});
