import assert from "node:assert/strict";
import { test } from "node:test";
import {
  checkModel,
  decodeModel,
  describeCpu,
  encodeModel,
  openSession,
  readCpuFeatures,
} from "../onnx/index.js";
import { extractMlp, pruneHiddenUnits, writeMlpWeights } from "../optimize/index.js";
import { seededRandom } from "../stats/index.js";
import { accuracy, digitsContext, digitsSplit, runModel } from "./digits.test.helpers.js";
import { pruneTechnique, structuredPruneTechnique } from "./prune.js";

const split = digitsSplit();
const input = { name: "input", shape: [-1, 64] };

test("removing hidden units whose outgoing weights are zero leaves onnxruntime's outputs unchanged", async () => {
  const ctx = digitsContext("digits_mlp", split.train);
  const found = extractMlp(ctx.model);
  assert.ok(found.ok);
  const mlp = found.graph.mlp;
  // Silence 70% of each hidden layer: zero outgoing column, tiny incoming row and bias (lowest scores).
  const rng = seededRandom(11);
  for (let l = 0; l + 1 < mlp.layers.length; l++) {
    const layer = mlp.layers[l]!;
    const next = mlp.layers[l + 1]!;
    for (let h = 0; h < layer.outputs; h++) {
      if (rng.uniform() < 0.3 || h === 0) continue;
      for (let j = 0; j < layer.inputs; j++) layer.weight[h * layer.inputs + j]! *= 1e-6;
      layer.bias[h]! *= 1e-6;
      for (let r = 0; r < next.outputs; r++) next.weight[r * next.inputs + h] = 0;
    }
  }
  const silenced = mlp.layers.slice(0, -1).map((l) => l.outputs);
  const before = writeMlpWeights(ctx.model, found.graph, mlp);
  let sparsity = 0;
  const dead = mlp.layers.slice(0, -1).map((layer, l) => {
    let n = 0;
    const next = mlp.layers[l + 1]!;
    for (let h = 0; h < layer.outputs; h++) {
      let any = false;
      for (let r = 0; r < next.outputs; r++) if (next.weight[r * next.inputs + h] !== 0) any = true;
      if (!any) n++;
    }
    return n;
  });
  // Both hidden layers have the same width; prune exactly the smaller dead count of them.
  sparsity = Math.min(...dead) / silenced[0]!;
  const pruned = pruneHiddenUnits(mlp, sparsity);
  const after = writeMlpWeights(ctx.model, found.graph, pruned.mlp);
  assert.deepEqual(checkModel(after), []);
  const x = split.test.x;
  const a = await runModel(encodeModel(before), input, "logits", x, split.test.rows);
  const b = await runModel(encodeModel(after), input, "logits", x, split.test.rows);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  assert.ok(worst < 1e-4, `max |Δ| ${worst}`);
  assert.ok(pruned.mlp.layers[0]!.outputs < 512);
});

test("prune-structured at 70% on digits_mlp: valid smaller Gemms, accuracy drop ≤ 0.01 after fine-tuning, and the latency", async (t) => {
  const ctx = digitsContext("digits_mlp", split.train);
  const { candidates, skipped } = await structuredPruneTechnique({ sparsity: 0.7 }).run(ctx);
  assert.deepEqual(skipped, []);
  const candidate = candidates[0]!;
  const model = decodeModel(candidate.bytes);
  assert.deepEqual(checkModel(model), []);
  const dims = Object.fromEntries(model.graph!.initializer.map((tensor) => [tensor.name, tensor.dims]));
  assert.deepEqual(dims, {
    "0.weight": [154, 64],
    "0.bias": [154],
    "2.weight": [154, 154],
    "2.bias": [154],
    "4.weight": [10, 154],
    "4.bias": [10],
  });
  const base = accuracy(
    await runModel(ctx.bytes, input, "logits", split.test.x, split.test.rows),
    split.test.labels,
    10,
  );
  const cand = accuracy(
    await runModel(candidate.bytes, input, "logits", split.test.x, split.test.rows),
    split.test.labels,
    10,
  );
  t.diagnostic(
    `digits_mlp test accuracy ${base.toFixed(4)} → structured 70% ${cand.toFixed(4)} (drop ${(base - cand).toFixed(4)})`,
  );
  t.diagnostic(candidate.notes.join(" | "));
  assert.ok(base - cand <= 0.01, `drop ${base - cand}`);

  // Latency at batch 64, one thread: interleaved rounds, median.
  const batch = split.test.x.subarray(0, 64 * 64);
  const sessions = await Promise.all(
    [ctx.bytes, candidate.bytes].map((bytes) =>
      openSession(bytes, {
        intraOpNumThreads: 1,
        interOpNumThreads: 1,
        graphOptimizationLevel: "all",
        executionMode: "sequential",
      }),
    ),
  );
  const samples: number[][] = [[], []];
  const feeds = { input: { data: batch, dims: [64, 64] } };
  for (const s of sessions) for (let i = 0; i < 50; i++) await s.run(feeds);
  for (let round = 0; round < 5; round++)
    for (let m = 0; m < 2; m++)
      for (let i = 0; i < 100; i++) {
        const start = performance.now();
        await sessions[m]!.run(feeds);
        samples[m]!.push(performance.now() - start);
      }
  for (const s of sessions) await s.release();
  const median = (v: number[]) => v.slice().sort((p, q) => p - q)[v.length >> 1]!;
  const [fp32, pruned] = samples.map(median) as [number, number];
  t.diagnostic(
    `${describeCpu(await readCpuFeatures())}: latency batch 64, 1 thread, median of 500: fp32 ${(fp32 * 1000).toFixed(1)} µs, structured 70% ${(pruned * 1000).toFixed(1)} µs, speed-up ${(fp32 / pruned).toFixed(2)}×`,
  );
});

test("prune (unstructured, 70% global) keeps the graph, zeros 70% of the weights, reports sizes and no speed-up", async (t) => {
  const ctx = digitsContext("digits_mlp", split.train);
  const { candidates, skipped } = await pruneTechnique({ epochs: 3 }).run(ctx);
  assert.deepEqual(skipped, []);
  const candidate = candidates[0]!;
  const found = extractMlp(decodeModel(candidate.bytes));
  assert.ok(found.ok);
  let zeros = 0;
  let total = 0;
  for (const layer of found.graph.mlp.layers) {
    total += layer.weight.length;
    for (const w of layer.weight) if (w === 0) zeros++;
  }
  assert.equal(zeros, Math.round(0.7 * total));
  assert.ok(
    candidate.notes.includes(
      "unstructured sparsity gives no speed-up in onnxruntime CPU (weights are dense at load)",
    ),
  );
  assert.ok((candidate.parameters.gzipBytes as number) < (candidate.parameters.gzipBaselineBytes as number));
  const base = accuracy(
    await runModel(ctx.bytes, input, "logits", split.test.x, split.test.rows),
    split.test.labels,
    10,
  );
  const cand = accuracy(
    await runModel(candidate.bytes, input, "logits", split.test.x, split.test.rows),
    split.test.labels,
    10,
  );
  t.diagnostic(
    `unstructured 70%: accuracy ${base.toFixed(4)} → ${cand.toFixed(4)}; ${candidate.notes.join(" | ")}`,
  );
  assert.ok(base - cand <= 0.01, `drop ${base - cand}`);
});

test("both pruning techniques skip the CNN with the reason", async () => {
  const ctx = digitsContext("digits_cnn", split.train);
  assert.deepEqual(await pruneTechnique().run(ctx), { candidates: [], skipped: ["prune: not an MLP: Conv"] });
  assert.deepEqual(await structuredPruneTechnique().run(ctx), {
    candidates: [],
    skipped: ["prune-structured: not an MLP: Conv"],
  });
});
