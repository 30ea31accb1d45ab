// fp32 vs int8 (QDQ, entropy calibration) latency of models/digits_mlp.onnx, as serving runs it:
// onnxruntime-node, graph optimization "all", 1 intra-op thread, batch 1 and 64. Interleaved rounds,
// warm-ups discarded, medians. Run after `npx tsc -p tsconfig.json`:
//   node tools/bench-quantize.mjs [rounds=10] [runsPerRound=200]
import { performance } from "node:perf_hooks";
import { describeCpu, openSession, readCpuFeatures } from "../dist/onnx/index.js";
import { summarizeLatency } from "../dist/optimize/index.js";
import { quantizeTechnique } from "../dist/optimizer/quantize.js";
import { bundledCase } from "../dist/optimizer/quantize.test.helpers.js";

const rounds = Number(process.argv[2] ?? 10);
const runs = Number(process.argv[3] ?? 200);
const { context, test } = bundledCase("digits_mlp.onnx");
const { candidates } = await quantizeTechnique({ calibration: "entropy" }).run(context);
const int8 = candidates[0];
const options = { graphOptimizationLevel: "all", intraOpNumThreads: 1, executionMode: "sequential" };
const sessions = {
  fp32: await openSession(context.bytes, options),
  int8: await openSession(int8.bytes, options),
};
console.log(`CPU: ${describeCpu(await readCpuFeatures())}`);
console.log(`int8: ${int8.label}; correctness ${JSON.stringify(int8.correctness)}`);
console.log(`sizes: fp32 ${context.bytes.length} B, int8 ${int8.bytes.length} B`);
for (const batch of [1, 64]) {
  const feeds = { input: { data: test.x.slice(0, batch * 64), dims: [batch, 64] } };
  const samples = { fp32: [], int8: [] };
  for (const s of Object.values(sessions)) for (let i = 0; i < 50; i++) await s.run(feeds);
  for (let r = 0; r < rounds; r++)
    for (const [name, s] of Object.entries(sessions))
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        await s.run(feeds);
        samples[name].push(performance.now() - t0);
      }
  const fp = summarizeLatency(samples.fp32, { warmups: 50, rounds });
  const q = summarizeLatency(samples.int8, { warmups: 50, rounds });
  console.log(
    `batch ${batch}: fp32 p50 ${fp.p50.toFixed(4)} ms (p95 ${fp.p95.toFixed(4)}), int8 p50 ${q.p50.toFixed(4)} ms (p95 ${q.p95.toFixed(4)}), ` +
      `int8/fp32 ${(q.p50 / fp.p50).toFixed(3)} (${fp.runs} timed runs each)`,
  );
}
for (const s of Object.values(sessions)) await s.release();
