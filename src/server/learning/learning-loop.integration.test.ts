import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { exportLinearModel, OnlineLinearModel } from "../../learn/index.js";
import { encodeModel } from "../../onnx/index.js";
import { seededRandom } from "../../stats/index.js";
import { call, ok } from "../serving/deploy.test.helpers.js";
import { type RunningServer, startServer } from "../start.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.parse("2025-01-06T00:00:00Z");
const STEP = 15 * 60_000;

/** The world: y = 3·x1 − 2·x2 + 10 + noise. Production (v1) learned only y ≈ x1-ish on another concept. */
function truth(x1: number, x2: number, noise: number) {
  return 3 * x1 - 2 * x2 + 10 + noise;
}

function staleModel(): Uint8Array {
  const random = seededRandom(3);
  const model = new OnlineLinearModel({
    task: "regression",
    features: { numeric: ["x1", "x2"], categorical: [] },
  });
  for (let i = 0; i < 500; i++) {
    const x1 = random.normal();
    const x2 = random.normal();
    model.learnRow({ x1, x2 }, 2 * x1 + 1);
  }
  return encodeModel(exportLinearModel(model));
}

const DECLARATION = {
  learner: "linear",
  every: "1d",
  labelDelay: "2h",
  warmUp: "1h",
  evaluation: "1d",
  minRows: 50,
  gate: { minSamples: 50, maxChurn: 1, maxNegativeFlipRate: 1, maxPsi: 1e9, maxGapWidening: 1e9 },
  rollout: {
    steps: [50, 100],
    analysisPeriod: "8h",
    progressDeadline: "5d",
    inconclusiveLimit: 20,
    limits: {
      minLabelled: 10,
      minRequests: 10,
      minAgreement: 0,
      maxPredictionDrift: 1e9,
      latencyRatio: 100,
      latencySlackMs: 1000,
      maeIncrease: 0.5,
    },
  },
};

async function open(dataDir: string): Promise<RunningServer> {
  return startServer({ port: 0, dataDir, clock: "event", flushIntervalMs: 60_000, learningTickMs: 0 });
}

interface Served {
  id: string;
  time: number;
  x1: number;
  x2: number;
  y: number;
  version: string;
  prediction: number;
}

/**
 * Replays [fromMs, toMs) at 4 events an hour through /predict, labels an hour later, and ticks the
 * learning loop on every hour (the replay decides when, in event time).
 */
async function replay(
  server: RunningServer,
  fromMs: number,
  toMs: number,
  served: Served[],
  pending: Served[],
  seed: number,
) {
  const random = seededRandom(seed);
  for (let t = fromMs; t < toMs; t += STEP) {
    const x1 = random.normal();
    const x2 = random.normal();
    const y = truth(x1, x2, 0.5 * random.normal());
    const answer = await ok(server, "POST", "/v1/models/reg/predict", { input: { x1, x2 }, time: t });
    const event: Served = {
      id: answer.predictions[0].id,
      time: t,
      x1,
      x2,
      y,
      version: answer.version,
      prediction: answer.predictions[0].prediction,
    };
    served.push(event);
    pending.push(event);
    const due = pending.filter((e) => e.time + HOUR <= t);
    if (due.length > 0) {
      await ok(
        server,
        "POST",
        "/v1/models/reg/labels",
        due.map((e) => ({ id: e.id, value: e.y, time: e.time + HOUR })),
      );
      pending.splice(0, due.length);
    }
    if ((t - T0) % HOUR === 0) await server.learning!.tick();
  }
}

test("the loop learns a linear candidate, shadows it, gates it, promotes it through a canary; a restart neither skips nor repeats a run", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "tiktoktoe-learn-"));
  let server = await open(dataDir);
  await ok(server, "POST", "/v1/models", {
    name: "reg",
    task: "regression",
    features: [
      { name: "x1", type: "numeric" },
      { name: "x2", type: "numeric" },
    ],
  });
  const v1 = staleModel();
  await ok(server, "POST", "/v1/models/reg/versions", { version: "v1" });
  await ok(server, "PUT", "/v1/models/reg/versions/v1/model", v1, "application/octet-stream");
  await ok(server, "POST", "/v1/models/reg/stages", { version: "v1", stage: "production" });

  // Bad declarations: a 400 naming the field, a 422 for a learner that does not fit.
  const unknown = await call(server, "PUT", "/v1/models/reg/learning", { ...DECLARATION, evry: "1d" });
  assert.equal(unknown.status, 400);
  assert.equal(unknown.body.code, "REQUEST_INVALID");
  assert.equal(unknown.body.location.path, "evry");
  const badDuration = await call(server, "PUT", "/v1/models/reg/learning", {
    ...DECLARATION,
    every: "daily",
  });
  assert.equal(badDuration.status, 400);
  assert.equal(badDuration.body.location.path, "every");
  const badGate = await call(server, "PUT", "/v1/models/reg/learning", {
    ...DECLARATION,
    gate: { maxChurn: 2 },
  });
  assert.equal(badGate.status, 400);
  assert.equal(badGate.body.location.path, "gate.maxChurn");
  const noLearner = await call(server, "PUT", "/v1/models/reg/learning", { every: "1d" });
  assert.equal(noLearner.status, 400);
  assert.equal(noLearner.body.location.path, "learner");

  const declared = await ok(server, "PUT", "/v1/models/reg/learning", DECLARATION);
  assert.equal(declared.declared, true);
  assert.equal(declared.config.learner, "linear");

  const served: Served[] = [];
  const pending: Served[] = [];
  // Day 0 → a run at day 1 + 2 h; stop the server while the candidate is in shadow (day 1 + 12 h).
  await replay(server, T0, T0 + DAY + 12 * HOUR, served, pending, 1);
  const before = await ok(server, "GET", "/v1/models/reg/learning/runs");
  assert.equal(before.runs.length, 1);
  assert.equal(before.runs[0].status, "shadow");
  assert.equal(before.runs[0].toMs, T0 + DAY);
  await server.close();

  server = await open(dataDir);
  await replay(server, T0 + DAY + 12 * HOUR, T0 + 5 * DAY, served, pending, 2);
  const { runs } = await ok(server, "GET", "/v1/models/reg/learning/runs");
  const ids = runs.map((r: { id: string }) => r.id);
  assert.equal(new Set(ids).size, ids.length, `a run repeated: ${ids}`);
  // Contiguous batches: each starts where the previous ended (nothing skipped).
  for (let i = 1; i < runs.length; i++) assert.equal(runs[i].fromMs, runs[i - 1].toMs);
  const first = runs[0];
  assert.deepEqual(
    first.steps.map((s: { step: string }) => s.step),
    ["validated", "updated", "shadow", "evaluated", "promoted", "deployed"],
    JSON.stringify(first, null, 1),
  );
  assert.equal(first.status, "deployed");
  assert.equal(first.gate.decision, "promote");
  // Without a reference the schema is the first batch's (96 rows): the next batch has 3% of x1 outside
  // its range, over the 1% allowed — quarantined with the reasons, no candidate, the one after learned.
  const quarantined = runs.find((r: { status: string }) => r.status === "quarantined");
  assert.ok(quarantined !== undefined);
  assert.equal(quarantined.candidate, null);
  assert.match(quarantined.reasons.join(" "), /x1: .* outside the reference's range/);
  assert.equal(runs[runs.indexOf(quarantined) + 1]?.steps[0]?.step, "validated");
  const deployment = await ok(server, "GET", "/v1/models/reg/deployment");
  const rollouts = await ok(server, "GET", "/v1/models/reg/rollouts");
  const canary = rollouts.rollouts.find((r: { id: string }) => r.id === first.rollout);
  assert.deepEqual(canary.source, { kind: "learning", id: first.id });
  const state = await ok(server, "GET", "/v1/models/reg/learning");
  assert.equal(state.checkpointMs, runs.at(-1).toMs);

  // The served model after the promotion against v1 on the same events, v1 run by onnxruntime.
  const promotedAt = served.find((e) => e.version === first.candidate && e.time > canary.startedMs);
  assert.ok(promotedAt !== undefined);
  const after = served.filter((e) => e.time >= T0 + 4 * DAY && deployment.production !== "v1");
  assert.ok(after.length > 50);
  const ort = await import("onnxruntime-node");
  const session = await ort.InferenceSession.create(v1);
  const input = Float32Array.from(after.flatMap((e) => [e.x1, e.x2]));
  const output = await session.run({ features: new ort.Tensor("float32", input, [after.length, 2]) });
  const stale = output[session.outputNames[0]!]!.data as Float32Array;
  const mae = (values: ArrayLike<number>) =>
    after.reduce((sum, e, i) => sum + Math.abs(Number(values[i]) - e.y), 0) / after.length;
  const servedMae = mae(after.map((e) => e.prediction));
  const staleMae = mae(stale);
  assert.ok(servedMae < staleMae, `served ${servedMae} vs never-updated ${staleMae}`);
  await session.release();
  await server.close();
});
