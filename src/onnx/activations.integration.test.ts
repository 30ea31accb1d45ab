import assert from "node:assert/strict";
import { test } from "node:test";
import { collectActivations } from "./activations.js";
import { decodeModel } from "./decode.js";
import { digitsRows, modelBytes } from "./models.test.helpers.js";
import type { Feeds } from "./runtime.js";
import { tensorToFloat32 } from "./tensor.js";

const rowsPerBatch = 4;
const batchCount = 3;

test("hidden activations of digits_mlp stream batch by batch and match a hand computation", async () => {
  const model = decodeModel(modelBytes("digits_mlp"));
  const init = (name: string) => tensorToFloat32(model.graph!.initializer.find((t) => t.name === name)!);
  const w = init("0.weight"); // [512, 64]; the Gemm has transB = 1
  const b = init("0.bias");
  const { pixels } = digitsRows(rowsPerBatch * batchCount);
  const events: string[] = [];
  async function* batches(): AsyncGenerator<Feeds> {
    for (let i = 0; i < batchCount; i++) {
      events.push(`pull ${i}`);
      const data = pixels.slice(i * rowsPerBatch * 64, (i + 1) * rowsPerBatch * 64);
      yield { input: { data, dims: [rowsPerBatch, 64] } };
    }
  }
  let checked = 0;
  const result = await collectActivations(
    modelBytes("digits_mlp"),
    ["/0/Gemm_output_0", "/1/Relu_output_0"],
    batches(),
    async ({ index, values }) => {
      events.push(`batch ${index}`);
      await new Promise((resolve) => setTimeout(resolve, 5)); // a slow consumer is waited for
      const gemm = values["/0/Gemm_output_0"]!;
      const relu = values["/1/Relu_output_0"]!;
      assert.deepEqual(Object.keys(values).sort(), ["/0/Gemm_output_0", "/1/Relu_output_0"]);
      assert.deepEqual(relu.dims, [rowsPerBatch, 512]);
      for (let r = 0; r < rowsPerBatch; r++) {
        const row = index * rowsPerBatch + r;
        for (let j = 0; j < 512; j++) {
          let z = b[j]!;
          for (let k = 0; k < 64; k++) z += pixels[row * 64 + k]! * w[j * 64 + k]!;
          const got = (gemm.data as Float32Array)[r * 512 + j]!;
          assert.ok(Math.abs(got - z) <= 1e-4 * (1 + Math.abs(z)), `row ${row} unit ${j}: ${got} vs ${z}`);
          assert.equal((relu.data as Float32Array)[r * 512 + j], Math.max(got, 0));
          checked += 1;
        }
      }
    },
  );
  assert.equal(result.batches, batchCount);
  assert.equal(checked, rowsPerBatch * batchCount * 512);
  // Bounded memory: the next batch is pulled only after the previous one was handled.
  assert.deepEqual(events, ["pull 0", "batch 0", "pull 1", "batch 1", "pull 2", "batch 2"]);
});

test("a tensor that is not in the graph is REQUEST_INVALID before any session opens", async () => {
  await assert.rejects(
    collectActivations(modelBytes("digits_mlp"), ["/0/Nope"], [], () => {}),
    {
      code: "REQUEST_INVALID",
      message: /"\/0\/Nope" is not in the model/,
    },
  );
});
