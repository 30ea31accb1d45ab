import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { decodeModel, encodeModel } from "../../onnx/index.js";
import { repoPath } from "../../testing/paths.js";
import { type RunningServer, startServer } from "../start.js";
import { row, servingFixture } from "./deploy.test.helpers.js";

/**
 * Serving under hostile input, a version switch under load, a real restart in the middle of a
 * rollout, and the shadow phase (issue #14).
 */

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-serving-"));
  dirs.push(dir);
  return dir;
};
const ORIGINAL = new Uint8Array(readFileSync(repoPath("models", "breast_cancer_mlp.onnx")));
const COPY = encodeModel(decodeModel(ORIGINAL));

async function call(
  server: RunningServer,
  method: string,
  path: string,
  body?: unknown,
  type = "application/json",
) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": type },
    ...(body === undefined
      ? {}
      : { body: body instanceof Uint8Array ? Buffer.from(body) : JSON.stringify(body) }),
  });
  // biome-ignore lint/suspicious/noExplicitAny: answers are read as plain JSON
  return { status: response.status, body: (await response.json()) as any };
}

test("bad uploads and bad rows are 4xx naming the problem; the serving version is untouched", async () => {
  const server = await servingFixture(tempDir(), COPY);
  try {
    const before = await call(server, "POST", "/v1/models/cancer/predict", { input: row(3) });
    assert.equal(before.status, 200);
    const put = (version: string, bytes: Uint8Array) =>
      call(server, "PUT", `/v1/models/cancer/versions/${version}/model`, bytes, "application/octet-stream");
    // Corrupt and truncated files, to the serving version and to a candidate.
    const garbage = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251);
    for (const [version, bytes] of [
      ["v2", garbage],
      ["v2", ORIGINAL.subarray(0, ORIGINAL.length >> 1)],
      ["v2", new Uint8Array(0)],
    ] as const) {
      const answer = await put(version, bytes);
      assert.equal(answer.status, 400, JSON.stringify(answer.body));
      assert.equal(answer.body.code, "ONNX_INVALID");
    }
    const serving = await put("v1", ORIGINAL);
    assert.equal(serving.status, 409);
    assert.match(serving.body.message, /is production/);
    const digits = await put("v2", new Uint8Array(readFileSync(repoPath("models", "digits_mlp.onnx"))));
    assert.equal(digits.status, 422);
    assert.match(digits.body.message, /\[rows, 30\]/);
    // Rows: missing, extra, wrong types, wrong shapes.
    const predict = (body: unknown) => call(server, "POST", "/v1/models/cancer/predict", body);
    const { mean_radius: _, ...withoutRadius } = row(0);
    const cases: Array<[unknown, RegExp, string]> = [
      [{ input: withoutRadius }, /lacks the feature "mean_radius"/, "inputs.0.mean_radius"],
      [{ inputs: [row(0), { ...row(1), colour: 3 }] }, /"colour" is not a column/, "inputs.1.colour"],
      [{ input: { ...row(0), mean_area: "big" } }, /must be a finite number/, "inputs.0.mean_area"],
      [{ input: { ...row(0), mean_area: [1, 2] } }, /./, "input.mean_area"],
      [{ input: row(0), inputs: [row(0)] }, /either input/, "inputs"],
      [{ inputs: [] }, /./, "inputs"],
      [{ input: row(0), time: "yesterday" }, /time must be/, "time"],
    ];
    for (const [body, message, path] of cases) {
      const answer = await predict(body);
      assert.equal(
        answer.status,
        400,
        `${JSON.stringify(body).slice(0, 80)}: ${JSON.stringify(answer.body)}`,
      );
      assert.match(answer.body.message, message);
      assert.equal(answer.body.location.path, path);
    }
    const afterwards = await call(server, "POST", "/v1/models/cancer/predict", { input: row(3) });
    assert.equal(afterwards.body.version, "v1");
    assert.deepEqual(afterwards.body.predictions[0].scores, before.body.predictions[0].scores);
    const state = await call(server, "GET", "/v1/models/cancer/deployment");
    assert.equal(state.body.production, "v1");
  } finally {
    await server.close();
  }
});

test("a version switch under load fails no request: old sessions serve their requests to the end", async () => {
  const server = await servingFixture(tempDir(), COPY);
  try {
    const statuses: number[] = [];
    const versions = new Set<string>();
    let switching = true;
    const load = async (worker: number) => {
      for (let i = 0; switching || i < 20; i++) {
        const answer = await call(server, "POST", "/v1/models/cancer/predict", {
          inputs: [row(worker * 100 + i), row(i)],
        });
        statuses.push(answer.status);
        if (answer.status === 200) versions.add(answer.body.version);
      }
    };
    const workers = Array.from({ length: 8 }, (_, w) => load(w));
    for (const version of ["v2", "v1", "v2"]) {
      await new Promise((resolve) => setImmediate(resolve));
      const moved = await call(server, "POST", "/v1/models/cancer/stages", { version, stage: "production" });
      assert.equal(moved.status, 200, JSON.stringify(moved.body));
    }
    switching = false;
    await Promise.all(workers);
    assert.ok(statuses.length >= 160);
    assert.deepEqual([...new Set(statuses)], [200]);
    assert.deepEqual([...versions].sort(), ["v1", "v2"]);
  } finally {
    await server.close();
  }
});

test("a restart mid-rollout resumes at its step, never promotes; past the progress deadline it rolls back", async () => {
  const dir = tempDir();
  const t0 = Date.parse("2026-01-01T00:00:00Z");
  let now = t0;
  let server = await servingFixture(dir, COPY, { clock: "wall", now: () => now });
  let id: string;
  try {
    const started = await call(server, "POST", "/v1/models/cancer/rollouts", {
      version: "v2",
      steps: [100],
      analysisPeriod: "10m",
      progressDeadline: "1h",
      limits: { minLabelled: 1, minRequests: 1, accuracyDrop: 1, latencySlackMs: 1e6 },
    });
    assert.equal(started.status, 201);
    id = started.body.id;
    for (let i = 0; i < 5; i++) await call(server, "POST", "/v1/models/cancer/predict", { input: row(i) });
  } finally {
    await server.close();
  }
  now = t0 + 9 * 60_000;
  server = await startServer({
    port: 0,
    dataDir: dir,
    clock: "wall",
    now: () => now,
    flushIntervalMs: 60_000,
  });
  try {
    const state = (await call(server, "GET", "/v1/models/cancer/deployment")).body;
    assert.equal(state.rollout.id, id);
    assert.equal(state.rollout.phase, "canary");
    assert.equal(state.rollout.weight, 100);
    assert.equal(state.production, "v1", "a restart never promotes");
    const history = (await call(server, "GET", "/v1/models/cancer/deployment/history")).body.history;
    assert.equal(history.at(-1).action, "rollout-restart");
    assert.equal(history.at(-1).by, "server");
    // The restart restarted the analysis period: nothing is due a period after the last analysis only.
    assert.equal(state.rollout.lastAnalysisMs, now);
    const answer = await call(server, "POST", "/v1/models/cancer/predict", { input: row(1) });
    assert.equal(answer.body.version, "v2", "the canary's traffic resumes");
  } finally {
    await server.close();
  }
  now = t0 + 2 * 3_600_000;
  server = await startServer({
    port: 0,
    dataDir: dir,
    clock: "wall",
    now: () => now,
    flushIntervalMs: 60_000,
  });
  try {
    const state = (await call(server, "GET", "/v1/models/cancer/deployment")).body;
    assert.equal(state.rollout.phase, "rolled-back");
    assert.match(state.rollout.reason, /restarted after the step's progress deadline/);
    assert.equal(state.production, "v1");
    assert.equal(state.stages.v2, "candidate");
    const answer = await call(server, "POST", "/v1/models/cancer/predict", { input: row(1) });
    assert.equal(answer.body.version, "v1");
  } finally {
    await server.close();
  }
});

test("shadow: the candidate answers copies that are recorded and compared, never returned", async () => {
  const server = await servingFixture(tempDir(), COPY);
  try {
    const T0 = Date.parse("2024-03-01T00:00:00Z");
    await call(server, "POST", "/v1/models/cancer/rollouts", {
      version: "v2",
      steps: [50, 100],
      shadow: "10m",
      analysisPeriod: "5m",
      limits: { minLabelled: 10, minRequests: 10, latencySlackMs: 1e6, accuracyDrop: 0.5 },
    });
    for (let i = 0; i < 200; i++) {
      const answer = await call(server, "POST", "/v1/models/cancer/predict", {
        input: row(i),
        time: T0 + (i + 1) * 1000,
      });
      assert.equal(answer.body.version, "v1", "a shadow never answers");
    }
    const state = (await call(server, "GET", "/v1/models/cancer/deployment")).body;
    assert.equal(state.rollout.phase, "shadow");
    assert.equal(state.stages.v2, "shadow");
    await server.deployments.close(); // waits for the shadow copies in flight, then the log holds them
    await server.service.flush();
    const windows = (await call(server, "GET", "/v1/models/cancer/windows?version=v2")).body.windows;
    const events = windows.reduce((n: number, w: { events: number }) => n + w.events, 0);
    assert.equal(events, 200, "every shadow answer is recorded as an event of the candidate");
  } finally {
    await server.close();
  }
});

test("a label sent the moment its prediction is answered joins it (the record is written just after the answer)", async () => {
  const server = await servingFixture(tempDir(), COPY);
  try {
    const T0 = Date.parse("2024-03-01T00:00:00Z");
    let joined = 0;
    for (let round = 0; round < 20; round++) {
      // In process, so the label follows the answer within the same turn of the event loop: before
      // the deferred record's own write has even started.
      const answer = await server.deployments.predict(
        "cancer",
        { inputs: [row(round), row(round + 1)], time: T0 + round * 1000 },
        undefined,
      );
      const labels = answer.predictions.map((p) => ({ id: p.id, value: "1" }));
      const sent = await server.service.ingestLabels("cancer", labels);
      assert.ok(!("queued" in sent), "no queue here: labels are stored before the answer");
      assert.equal(sent.unmatched, 0, "a label never arrives before its event");
      joined += sent.accepted;
    }
    assert.equal(joined, 40);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, /^tiktoktoe_answered_predictions_waiting 0$/m);
  } finally {
    await server.close();
  }
});
