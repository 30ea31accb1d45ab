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
  // Without a reference the schema is the first batch's 96 rows: normal tails fall outside its range.
  validation: { thresholds: { outOfRangeRate: 0.2, outlierMargin: 0.1 } },
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

test("a batch that fails validation is quarantined with its reasons, never learned from, and the next one is", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "tiktoktoe-learn-"));
  const server = await open(dataDir);
  try {
    await ok(server, "POST", "/v1/models", {
      name: "reg",
      task: "regression",
      features: [
        { name: "x1", type: "numeric" },
        { name: "x2", type: "numeric" },
      ],
    });
    await ok(server, "POST", "/v1/models/reg/versions", { version: "v1" });
    await ok(server, "PUT", "/v1/models/reg/versions/v1/model", staleModel(), "application/octet-stream");
    // The reference (2,000 rows of N(0, 1)): the validation schema.
    const random = seededRandom(9);
    const reference = ["x1,x2"];
    for (let i = 0; i < 2000; i++) reference.push(`${random.normal()},${random.normal()}`);
    await ok(server, "PUT", "/v1/models/reg/versions/v1/reference", reference.join("\n"), "text/csv");
    await ok(server, "POST", "/v1/models/reg/stages", { version: "v1", stage: "production" });
    await ok(server, "PUT", "/v1/models/reg/learning", DECLARATION);
    const send = async (from: number, to: number, shift: number) => {
      const labels = [];
      for (let t = from; t < to; t += STEP) {
        const x1 = random.normal() + shift;
        const x2 = random.normal();
        const answer = await ok(server, "POST", "/v1/models/reg/predict", { input: { x1, x2 }, time: t });
        labels.push({ id: answer.predictions[0].id, value: truth(x1, x2, 0), time: t + HOUR });
      }
      await ok(server, "POST", "/v1/models/reg/labels", labels);
    };
    // Day 0: x1 moved by 10 standard deviations (a unit changed upstream).
    await send(T0, T0 + DAY, 10);
    await send(T0 + DAY, T0 + DAY + 3 * HOUR, 0);
    await server.learning!.tick();
    let { runs } = await ok(server, "GET", "/v1/models/reg/learning/runs");
    assert.equal(runs.length, 1);
    assert.equal(runs[0].status, "quarantined");
    assert.equal(runs[0].candidate, null);
    assert.match(runs[0].reasons.join("; "), /x1: 1(\.0+)? of values outside the reference's range/);
    assert.equal(runs[0].validation.ok, false);
    const versions = await ok(server, "GET", "/v1/models/reg/versions");
    assert.deepEqual(
      versions.versions.map((v: { version: string }) => v.version),
      ["v1"],
    );
    // What the loop learns from is checked at the door: a label that is not a number for a regression,
    // a label without a value, text in a numeric input — 400 with the field, nothing stored.
    const one = await ok(server, "POST", "/v1/models/reg/predict", {
      input: { x1: 0, x2: 0 },
      time: T0 + DAY + 3 * HOUR,
    });
    const id = one.predictions[0].id;
    for (const [body, path] of [
      [[{ id, value: "many" }], /value/],
      [[{ id }], /value/],
    ] as const) {
      const refused = await call(server, "POST", "/v1/models/reg/labels", body);
      assert.equal(refused.status, 400, JSON.stringify(refused.body));
      assert.match(JSON.stringify(refused.body), path);
    }
    const text = await call(server, "POST", "/v1/models/reg/predict", { input: { x1: "1.5", x2: 0 } });
    assert.equal(text.status, 400);
    assert.equal(text.body.location.path, "inputs.0.x1");
    assert.match(text.body.message, /must be a finite number/);
    // Day 1, clean: learned.
    await send(T0 + DAY + 3 * HOUR, T0 + 2 * DAY + 3 * HOUR, 0);
    await server.learning!.tick();
    ({ runs } = await ok(server, "GET", "/v1/models/reg/learning/runs"));
    assert.equal(runs.length, 2);
    assert.equal(runs[1].fromMs, T0 + DAY, JSON.stringify(runs[1].reasons));
    assert.deepEqual(
      runs[1].steps.map((s: { step: string }) => s.step),
      ["validated", "updated", "shadow"],
      JSON.stringify(runs[1].reasons),
    );
  } finally {
    await server.close();
  }
});

test("a candidate that fails the model's declared verification is rejected with the tests' reasons, gets no traffic, and the loop goes on", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "tiktoktoe-learn-"));
  const server = await open(dataDir);
  try {
    await ok(server, "POST", "/v1/models", {
      name: "reg",
      task: "regression",
      features: [
        { name: "x1", type: "numeric" },
        { name: "x2", type: "numeric" },
      ],
    });
    await ok(server, "POST", "/v1/models/reg/versions", { version: "v1" });
    await ok(server, "PUT", "/v1/models/reg/versions/v1/model", staleModel(), "application/octet-stream");
    await ok(server, "POST", "/v1/models/reg/stages", { version: "v1", stage: "production" });
    // A golden pair no model here answers: every candidate fails it before any traffic.
    await ok(server, "PUT", "/v1/models/reg/verification", {
      tests: { golden: { rows: [{ input: { x1: 0, x2: 0 }, expected: { prediction: 12345 } }] } },
    });
    await ok(server, "PUT", "/v1/models/reg/learning", DECLARATION);
    const served: Served[] = [];
    const pending: Served[] = [];
    await replay(server, T0, T0 + DAY + 3 * HOUR, served, pending, 21);
    let { runs } = await ok(server, "GET", "/v1/models/reg/learning/runs");
    assert.equal(runs.length, 1, JSON.stringify(runs));
    assert.equal(runs[0].status, "rejected");
    assert.match(runs[0].reasons.join("; "), /failed verification: golden/);
    assert.equal(runs[0].shadowRollout, null, "no shadow: a refused candidate gets no copy of the traffic");
    const state = await ok(server, "GET", "/v1/models/reg/deployment");
    assert.equal(state.production, "v1");
    assert.equal(state.rollout?.phase ?? "aborted", "aborted");
    // The next day's batch is a new run (the checkpoint moved on), refused the same way.
    await replay(server, T0 + DAY + 3 * HOUR, T0 + 2 * DAY + 3 * HOUR, served, pending, 22);
    ({ runs } = await ok(server, "GET", "/v1/models/reg/learning/runs"));
    assert.equal(runs.length, 2);
    assert.equal(runs[1].fromMs, runs[0].toMs);
    assert.equal(runs[1].status, "rejected");
    assert.ok(
      served.every((s) => s.version === "v1"),
      "production answered every request",
    );
  } finally {
    await server.close();
  }
});
