import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import {
  decodeModel,
  encodeModel,
  float32Tensor,
  insertNodes,
  makeNode,
  requireGraph,
  tensorToFloat32,
  withGraph,
} from "../onnx/index.js";
import type { LatencySummary } from "../optimize/index.js";
import { seededRandom } from "../stats/index.js";
import { repoPath } from "../testing/paths.js";
import {
  type Candidate,
  DEFAULT_LATENCY,
  type LatencyTable,
  loadOptimizationData,
  modelSignature,
  type OptimizationRun,
  renderOptimizationReport,
  runOptimization,
  type Technique,
} from "./index.js";

const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-optimizer-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const original = new Uint8Array(readFileSync(repoPath("models", "digits_mlp.onnx")));
const signature = modelSignature(decodeModel(original));
const data = await loadOptimizationData(repoPath("data", "digits", "digits.csv"), signature, {
  label: "target",
  inputScale: 1 / 16,
});

/**
 * The same function as digits_mlp, several times slower: x → x·A·B before the first Gemm, where
 * A [64, 8192] spreads each input over 128 columns scaled by 1/128 and B [8192, 64] sums them back
 * (powers of two, so x·A·B = x exactly).
 */
function slowed(bytes: Uint8Array): Uint8Array {
  const model = decodeModel(bytes);
  const graph = requireGraph(model);
  const wide = 8192;
  const a = new Float32Array(64 * wide);
  const b = new Float32Array(wide * 64);
  for (let j = 0; j < wide; j++) {
    a[(j % 64) * wide + j] = 64 / wide;
    b[j * 64 + (j % 64)] = 1;
  }
  const first = graph.node[0]!;
  const rewired = { ...first, input: ["slow_b", ...first.input.slice(1)] };
  const nodes = [
    makeNode({ opType: "MatMul", inputs: ["input", "slow_A"], outputs: ["slow_a"] }),
    makeNode({ opType: "MatMul", inputs: ["slow_a", "slow_B"], outputs: ["slow_b"] }),
  ];
  const edited = insertNodes({ ...graph, node: [rewired, ...graph.node.slice(1)] }, 0, nodes);
  edited.initializer = [
    ...edited.initializer,
    float32Tensor("slow_A", [64, wide], a),
    float32Tensor("slow_B", [wide, 64], b),
  ];
  return encodeModel(withGraph(model, edited));
}

/** digits_mlp with noise of `sd` added to every weight of the last layer. */
function perturbed(bytes: Uint8Array, sd: number, seed: number): Uint8Array {
  const model = decodeModel(bytes);
  const graph = requireGraph(model);
  const random = seededRandom(seed);
  const initializer = graph.initializer.map((t) => {
    if (t.name !== "4.weight") return t;
    const values = Float32Array.from(tensorToFloat32(t), (v) => v + sd * random.normal());
    return float32Tensor(t.name!, t.dims, values);
  });
  return encodeModel(withGraph(model, { ...graph, initializer }));
}

function candidate(technique: string, bytes: Uint8Array, extra: Partial<Candidate> = {}): Candidate {
  return { technique, label: `${technique} (test)`, bytes, notes: [], parameters: {}, ...extra };
}

const constant = (name: string, make: () => Candidate[], skipped: string[] = []): Technique => ({
  name,
  run: async () => ({ candidates: make(), skipped }),
});

function summary(p50: number, p95 = p50, p99 = p95): LatencySummary {
  return { runs: 150, warmups: 10, rounds: 5, p50, p95, p99, mean: p50, min: p50, max: p99 };
}

/** A fixed latency per model id (the same at every batch size), so acceptance is deterministic. */
function fixedLatency(ms: Record<string, [number, number]>): NonNullable<OptimizationRun["measure"]> {
  return async (models, options): Promise<LatencyTable> =>
    new Map(
      models.map((m) => {
        const [p50, p95] = ms[m.id] ?? [Number.NaN, Number.NaN];
        return [m.id, new Map(options.batchSizes.map((b) => [b, summary(p50 * b, p95 * b)]))];
      }),
    );
}

const base = (overrides: Partial<OptimizationRun>): OptimizationRun => ({
  model: decodeModel(original),
  bytes: original,
  modelPath: "models/digits_mlp.onnx",
  dataPath: "data/digits/digits.csv",
  data,
  signature,
  techniques: [],
  folds: 3,
  ...overrides,
});

test("the baseline alone: a report with no candidates and chosen null", async () => {
  const report = await runOptimization(base({ measure: fixedLatency({ baseline: [1, 2] }) }));
  assert.equal(report.candidates.length, 0);
  assert.equal(report.chosen, null);
  assert.equal(report.metric, "accuracy");
  // digits_mlp scores 0.978 on its held-out rows and more on the rows it trained on.
  assert.ok(report.baseline.accuracy > 0.97, String(report.baseline.accuracy));
  assert.equal(report.baseline.accuracy_per_fold.length, 3);
  assert.equal(report.baseline.latency_ms.batch_1?.p50, 1);
  assert.equal(report.baseline.latency_ms.batch_64?.p50, 64);
});

test("every rejection names its rule and distance; the accepted candidate with the best score is chosen", async () => {
  const techniques = [
    constant("same", () => [candidate("identity", original)]),
    constant("noisy", () => [candidate("perturbed", perturbed(original, 0.3, 7))]),
    constant("fast", () => [candidate("fast", original), candidate("fast", original)]),
    constant("gated", () => [
      candidate("gated", original, { correctness: { ok: false, reasons: ["top-1 agreement 0.9 < 0.99"] } }),
    ]),
  ];
  const report = await runOptimization(
    base({
      techniques,
      outDir: join(dir, "ranked"),
      measure: fixedLatency({
        baseline: [200, 220],
        identity: [190, 210],
        perturbed: [100, 100],
        fast: [100, 100],
        "fast#2": [30, 40],
        gated: [30, 40],
      }),
    }),
  );
  const byId = new Map(report.candidates.map((c) => [c.id, c]));
  const identity = byId.get("identity")!;
  assert.equal(identity.accepted, false);
  assert.equal(identity.accuracy_drop, 0);
  assert.deepEqual(identity.reasons, ["latency improvement 5.0% < required 20.0%"]);
  assert.equal(identity.score, 0);
  assert.equal(identity.agreement.relative_rmse, 0);

  const noisy = byId.get("perturbed")!;
  assert.equal(noisy.accepted, false);
  assert.ok(noisy.accuracy_drop > 0.01, String(noisy.accuracy_drop));
  assert.match(noisy.reasons[0]!, /^accuracy drop 0\.\d+ > limit 0\.01 by 0\.\d+$/);
  assert.match(noisy.reasons[1]!, /^accuracy drop upper bound \(95%\) 0\.\d+ > limit 0\.01 by 0\.\d+$/);
  assert.ok(noisy.accuracy_drop_ci !== null && noisy.accuracy_drop_ci.per_fold.length === 3);

  assert.deepEqual(byId.get("gated")!.reasons, [
    "int8 output disagrees with fp32: top-1 agreement 0.9 < 0.99",
  ]);

  // Both fast candidates pass; the second has p95 40 ms (latency term 1) against 100 ms (0.5).
  assert.equal(byId.get("fast")!.accepted, true);
  assert.equal(byId.get("fast#2")!.accepted, true);
  assert.equal(report.chosen_id, "fast#2");
  assert.equal(report.chosen, join(dir, "ranked", "fast_2.onnx"));
  assert.ok(existsSync(report.chosen!));
  assert.deepEqual(
    report.candidates.map((c) => c.accepted),
    [true, true, false, false, false],
  );
  assert.deepEqual(
    report.candidates.slice(0, 2).map((c) => c.id),
    ["fast#2", "fast"],
  );
  assert.ok(report.candidates[0]!.score > report.candidates[1]!.score);
  assert.equal(byId.get("fast#2")!.speedup, 200 / 30);
  for (const format of ["table", "markdown"] as const) {
    const text = renderOptimizationReport(report, format);
    assert.match(text, /latency improvement 5\.0% < required 20\.0%/);
    assert.match(text, /Chosen: fast#2/);
  }
});

test("a report is always produced: failing, empty and fold-dependent techniques are reported", async () => {
  let calls = 0;
  const flaky: Technique = {
    name: "flaky",
    // Produces on all rows and on the first fold only.
    run: async () => {
      calls += 1;
      return { candidates: calls <= 2 ? [candidate("flaky", original)] : [], skipped: [] };
    },
  };
  const report = await runOptimization(
    base({
      techniques: [
        {
          name: "broken",
          run: async () => {
            throw new Error("boom");
          },
        },
        constant("inapplicable", () => [], ["not an MLP: structured pruning needs Gemm/MatMul pairs"]),
        flaky,
      ],
      unavailable: [{ technique: "distill", reason: "not available in this build" }],
      measure: fixedLatency({ baseline: [10, 10], flaky: [5, 5] }),
    }),
  );
  assert.deepEqual(report.skipped, [
    { technique: "distill", reason: "not available in this build" },
    { technique: "broken", reason: "failed with an internal error (please report it): boom" },
    { technique: "inapplicable", reason: "not an MLP: structured pruning needs Gemm/MatMul pairs" },
  ]);
  const only = report.candidates[0]!;
  assert.equal(only.accepted, false);
  assert.deepEqual(only.reasons, ["not produced on folds 2, 3 of 3: its drop is not cross-validated"]);
  assert.equal(report.chosen, null);
  assert.equal(only.path, null);
});

test("measured with onnxruntime: a model several times slower as baseline, the original accepted", async () => {
  const slow = slowed(original);
  const report = await runOptimization(
    base({
      model: decodeModel(slow),
      bytes: slow,
      techniques: [constant("undo", () => [candidate("undo", original, { notes: ["Gemm kept in fp32"] })])],
      latency: { ...DEFAULT_LATENCY, rounds: 3, runsPerRound: 20 },
    }),
  );
  const undo = report.candidates[0]!;
  // x·A·B = x exactly, so the outputs and the accuracy are the baseline's.
  assert.equal(undo.accuracy_drop, 0);
  assert.ok(undo.speedup > 1.5, `speedup ${undo.speedup}`);
  assert.ok(undo.latency_ms.batch_64!.p99 >= undo.latency_ms.batch_64!.p50);
  assert.equal(undo.accepted, true, undo.reasons.join("; "));
  assert.equal(report.chosen_id, "undo");
  assert.deepEqual(undo.notes, ["Gemm kept in fp32"]);
  assert.ok(undo.size_bytes < report.baseline.size_bytes);
  assert.ok(undo.score_terms.resource > 0.5);
});

test("techniques get the fold's training rows, never the held-out ones", async () => {
  const seen: number[] = [];
  const spy: Technique = {
    name: "spy",
    run: async (context) => {
      seen.push(context.train.rows);
      assert.equal(context.input.name, "input");
      assert.deepEqual(context.input.shape, [-1, 64]);
      assert.equal(context.output, "logits");
      return { candidates: [candidate("spy", original)], skipped: [] };
    },
  };
  await runOptimization(
    base({ techniques: [spy], measure: fixedLatency({ baseline: [1, 1], spy: [1, 1] }) }),
  );
  assert.equal(seen[0], data.rows);
  assert.equal(
    seen.slice(1).reduce((a, b) => a + b, 0),
    2 * data.rows,
  );
  assert.equal(seen.length, 4);
});
