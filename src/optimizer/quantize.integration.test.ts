import assert from "node:assert/strict";
import { test } from "node:test";
import { openSession } from "../onnx/index.js";
import { quantizeTechnique } from "./quantize.js";
import { bundledCase } from "./quantize.test.helpers.js";
import type { OptimizationData, TechniqueContext } from "./technique.js";

/** Accuracy of a model on labelled rows, run as serving runs it (graph optimization "all"). */
async function accuracy(
  bytes: Uint8Array,
  context: TechniqueContext,
  data: OptimizationData,
): Promise<number> {
  const session = await openSession(bytes, { graphOptimizationLevel: "all" });
  try {
    const out = await session.run(
      { [context.input.name]: { data: data.x, dims: [data.rows, ...context.input.shape.slice(1)] } },
      [context.output],
    );
    const scores = out[context.output]!.data as Float32Array;
    let right = 0;
    for (let r = 0; r < data.rows; r++) {
      let best = 0;
      for (let c = 1; c < data.classes; c++)
        if (scores[r * data.classes + c]! > scores[r * data.classes + best]!) best = c;
      if (best === data.labels[r]) right += 1;
    }
    return right / data.rows;
  } finally {
    await session.release();
  }
}

for (const file of ["digits_mlp.onnx", "digits_cnn.onnx", "breast_cancer_mlp.onnx"] as const) {
  test(`${file}: entropy-calibrated int8 passes the fused-vs-fp32 check and loses ≤ 0.01 accuracy on the test rows`, async () => {
    const { context, test: held } = bundledCase(file);
    const { candidates, skipped } = await quantizeTechnique({ calibration: "entropy" }).run(context);
    assert.deepEqual(skipped, []);
    const candidate = candidates[0]!;
    assert.equal(candidate.correctness?.ok, true, candidate.correctness?.reasons.join("; "));
    const base = await accuracy(context.bytes, context, held);
    const int8 = await accuracy(candidate.bytes, context, held);
    assert.ok(base - int8 <= 0.01, `accuracy ${base} → ${int8}`);
    assert.ok(candidate.notes.some((n) => n.startsWith("CPU: ")));
    assert.ok(candidate.notes.some((n) => n.startsWith("calibration: entropy, TensorRT-style (2048 bins")));
    assert.ok(candidate.notes.some((n) => /^range of .*: \[.*\] vs min-max \[/.test(n)));
    if (file === "breast_cancer_mlp.onnx") {
      // The in-graph standardisation and the softmax stay fp32; the three Gemms are quantized.
      assert.ok(candidate.notes.includes("kept in fp32: Sub /0/0.0/Sub"));
      assert.ok(candidate.notes.includes("kept in fp32: Div /0/0.0/Div"));
      assert.ok(candidate.notes.includes("kept in fp32: Softmax /1/Softmax"));
      assert.equal(candidate.notes.filter((n) => n.startsWith("quantized: Gemm")).length, 3);
    }
    if (file === "digits_cnn.onnx")
      assert.ok(
        candidate.notes.some(
          (n) =>
            n.startsWith("quantized: Conv /c1/Conv: image uint8") ||
            n.startsWith("quantized: Conv /c1/Conv: image int8"),
        ),
      );
    console.log(`# ${file}: accuracy fp32 ${base.toFixed(4)}, int8 ${int8.toFixed(4)}; ${candidate.label}`);
  });
}

test("the fused-vs-fp32 agreement check catches a deliberately saturating model", async () => {
  const { context } = bundledCase("digits_mlp.onnx");
  // Pixels are in [0, 1]; pinning the input's range to [0, 0.05] makes QuantizeLinear saturate every
  // pixel above 0.05 (all ink) to 0.05, whatever the CPU: the fused int8 run must disagree with fp32.
  const { candidates } = await quantizeTechnique({
    calibration: "minmax",
    rangeOverrides: { input: { min: 0, max: 0.05 } },
    // The check itself is under test: the fp32 fallback (tested below) would repair the model.
    fallback: false,
  }).run(context);
  const candidate = candidates[0]!;
  assert.equal(candidate.correctness?.ok, false);
  assert.ok(
    candidate.correctness!.reasons.some((r) => /relative RMSE .* > limit 0\.1|top-1 agreement/.test(r)),
    candidate.correctness!.reasons.join("; "),
  );
  assert.ok(candidate.notes.some((n) => n.includes("range of input: [0, 0.05] (pinned by rangeOverrides)")));
});

test("the fp32 fallback keeps the one saturating layer in fp32 and the rest int8, and says which", async () => {
  const { context, test: held } = bundledCase("digits_mlp.onnx");
  // The second Gemm's input (ReLU outputs up to ≈ 1.5) pinned to [0, 0.02]: that layer saturates on
  // every CPU; the first and last Gemm are calibrated as usual.
  const { candidates } = await quantizeTechnique({
    calibration: "minmax",
    rangeOverrides: { "/1/Relu_output_0": { min: 0, max: 0.02 } },
  }).run(context);
  const candidate = candidates[0]!;
  assert.equal(candidate.correctness?.ok, true, candidate.correctness?.reasons.join("; "));
  assert.deepEqual(candidate.parameters.fp32Layers, ["/2/Gemm"]);
  assert.match(candidate.label, /1 layer kept fp32$/);
  assert.ok(
    candidate.notes.includes("kept in fp32: Gemm /2/Gemm (sensitive layer, kept by the accuracy fallback)"),
  );
  assert.equal(candidate.notes.filter((n) => n.startsWith("quantized: Gemm")).length, 2);
  assert.ok(candidate.notes.some((n) => /^fp32 fallback: the int8 model failed \(relative RMSE/.test(n)));
  // Sensitivities: the pinned layer alone is far worse than either other layer alone.
  const line = candidate.notes.find((n) => n.startsWith("fp32 fallback: sensitivity"))!;
  const error = (key: string) => Number(new RegExp(`${key} ([0-9.e-]+)`).exec(line)![1]);
  assert.ok(error("/2/Gemm") > 10 * Math.max(error("/0/Gemm"), error("/4/Gemm")), line);
  assert.ok(candidate.notes.includes("fp32 fallback: kept in fp32: /2/Gemm; the rest int8 passes"));
  const base = await accuracy(context.bytes, context, held);
  const mixed = await accuracy(candidate.bytes, context, held);
  assert.ok(base - mixed <= 0.01, `accuracy ${base} → ${mixed}`);
});

test("the fp32 fallback with a saturating input: the first layer stays fp32", async () => {
  const { context } = bundledCase("digits_mlp.onnx");
  const { candidates } = await quantizeTechnique({
    calibration: "minmax",
    rangeOverrides: { input: { min: 0, max: 0.05 } },
  }).run(context);
  assert.equal(candidates[0]!.correctness?.ok, true, candidates[0]!.correctness?.reasons.join("; "));
  assert.deepEqual(candidates[0]!.parameters.fp32Layers, ["/0/Gemm"]);
});
