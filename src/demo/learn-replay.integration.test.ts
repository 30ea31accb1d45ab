import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { repoPath } from "../testing/paths.js";
import { runLearningDemo } from "./learn-replay.js";

const RESTART = Date.parse("2012-01-13T12:00:00Z");

test("demo --learn: the served MLP is updated from 2012's labelled weeks and errs less than the never-updated 2011 model; a restart mid-loop neither skips nor repeats a run", async () => {
  const lines: string[] = [];
  const { server, served, runs } = await runLearningDemo({
    port: 0,
    print: (line) => lines.push(line),
    weeks: 8,
    restartAtMs: RESTART,
  });
  try {
    assert.ok(lines.some((l) => l.includes("server restarted")));
    // Every run once, batches contiguous, the checkpoint at the last batch's end.
    const ids = runs.map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length);
    for (let i = 1; i < runs.length; i++) assert.equal(runs[i]!.fromMs, runs[i - 1]!.toMs);
    const state = (await (await fetch(`${server.url}/v1/models/bike/learning`)).json()) as {
      checkpointMs: number;
    };
    assert.equal(state.checkpointMs, runs.at(-1)!.toMs);
    // The run in shadow across the restart went on from where it was: one shadow, one gate, one canary.
    const across = runs.find((r) => r.steps.some((s) => s.step === "shadow" && s.timeMs < RESTART));
    assert.ok(across !== undefined, "a run was in shadow when the server restarted");
    assert.deepEqual(
      across.steps.map((s) => s.step),
      ["validated", "updated", "shadow", "evaluated", "promoted", "deployed"],
    );
    const { rollouts } = (await (await fetch(`${server.url}/v1/models/bike/rollouts`)).json()) as {
      rollouts: Array<{ id: string; source: { kind: string; id: string } | null }>;
    };
    for (const run of runs) {
      const of = rollouts.filter((r) => r.source?.kind === "learning" && r.source.id === run.id);
      assert.equal(of.length, run.rollout === null ? (run.shadowRollout === null ? 0 : 1) : 2, run.id);
    }

    // The served model after the first promotion against the 2011 model on the same hours, the latter
    // run here by onnxruntime on the bundled file (not the demo's numbers).
    const firstDeployed = served.findIndex((h) => h.version !== "2011");
    assert.ok(firstDeployed > 0, "a candidate reached traffic");
    const after = served.slice(firstDeployed);
    const ort = await import("onnxruntime-node");
    const session = await ort.InferenceSession.create(
      new Uint8Array(readFileSync(repoPath("models", "bike_mlp.onnx"))),
    );
    const width = after[0]!.features.length;
    const input = Float32Array.from(after.flatMap((h) => [...h.features]));
    const output = await session.run({ features: new ort.Tensor("float32", input, [after.length, width]) });
    const original = output[session.outputNames[0]!]!.data as Float32Array;
    await session.release();
    const weekly = new Map<number, { served: number; original: number; n: number }>();
    for (const [i, h] of after.entries()) {
      const week = Math.floor((h.timeMs - after[0]!.timeMs) / (7 * 86_400_000));
      const w = weekly.get(week) ?? { served: 0, original: 0, n: 0 };
      w.served += Math.abs(h.prediction - h.label);
      w.original += Math.abs(original[i]! - h.label);
      w.n++;
      weekly.set(week, w);
    }
    const full = [...weekly.values()].filter((w) => w.n >= 100);
    assert.ok(full.length >= 3, `${full.length} full weeks after the promotion`);
    for (const w of full)
      assert.ok(
        w.served / w.n < w.original / w.n,
        `week MAE ${w.served / w.n} vs 2011 model ${w.original / w.n}`,
      );
  } finally {
    await server.close();
  }
});
