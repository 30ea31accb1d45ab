import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { decodeModel, encodeModel } from "../../onnx/index.js";
import type { RunningServer } from "../start.js";
import {
  degradedModel,
  ORIGINAL,
  ok,
  PERIOD_MS,
  ROWS,
  row,
  servingFixture,
  T0,
} from "./deploy.test.helpers.js";

/**
 * The "done when" (#14): breast_cancer_mlp.onnx serves as production; a degraded copy rolled
 * out as a canary under labelled replay traffic fails its analysis and traffic returns to production
 * within one analysis period; an identical re-encoded copy passes every step and is promoted.
 */

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-deploy-"));
  dirs.push(dir);
  return dir;
};

/**
 * Replays rows one request each (a sticky key per user), labelling in batches of 10, one row per
 * second of event time, until the rollout is over or `limit` rows. Returns which version answered each.
 */
async function replay(server: RunningServer, limit: number) {
  const served: Array<{ t: number; version: string }> = [];
  let labels: string[] = [];
  for (let i = 0; i < limit; i++) {
    const t = T0 + (i + 1) * 1000;
    const answer = await ok(server, "POST", "/v1/models/cancer/predict", {
      input: row(i),
      key: `user-${i}`,
      time: t,
    });
    served.push({ t, version: answer.version });
    labels.push(
      JSON.stringify({ id: answer.predictions[0].id, value: String(ROWS[i % ROWS.length]![30]), time: t }),
    );
    if (labels.length === 10) {
      await ok(server, "POST", "/v1/models/cancer/labels", labels.join("\n"), "application/x-ndjson");
      labels = [];
      const state = await ok(server, "GET", "/v1/models/cancer/deployment");
      if (state.rollout !== null && ["promoted", "rolled-back", "aborted"].includes(state.rollout.phase))
        if (served.length > 0 && served.at(-1)!.t > state.rollout.endedMs + 20_000)
          // A few more rows to see where traffic goes afterwards.
          break;
    }
  }
  return served;
}

const LIMITS = { minLabelled: 40, minRequests: 40, accuracyDrop: 0.05, latencySlackMs: 50 };

test("a degraded canary fails its analysis and traffic returns to production within one period", async () => {
  const server = await servingFixture(tempDir(), degradedModel());
  try {
    const started = await ok(server, "POST", "/v1/models/cancer/rollouts", {
      version: "v2",
      steps: [25, 50, 100],
      analysisPeriod: "5m",
      limits: LIMITS,
      source: { kind: "optimization", id: "opt-123" },
      reason: "perturbed weights",
      by: "test",
    });
    assert.equal(started.phase, "canary");
    assert.equal(started.weight, 25);
    assert.deepEqual(started.source, { kind: "optimization", id: "opt-123" });
    const served = await replay(server, 900);
    const state = await ok(server, "GET", "/v1/models/cancer/deployment");
    const rollout = state.rollout;
    assert.equal(rollout.phase, "rolled-back", JSON.stringify(rollout));
    assert.match(rollout.reason, /analysis failed/);
    assert.ok(
      rollout.endedMs - rollout.startedMs <= PERIOD_MS + 1000,
      `rolled back ${rollout.endedMs - rollout.startedMs} ms after the start: more than one period`,
    );
    assert.equal(state.production, "v1");
    assert.equal(state.stages.v2, "candidate");
    // Canary traffic before the rollback, none after it.
    assert.ok(served.some((s) => s.t < rollout.endedMs && s.version === "v2"));
    const afterwards = served.filter((s) => s.t >= rollout.endedMs);
    assert.ok(afterwards.length >= 10);
    assert.ok(
      afterwards.every((s) => s.version === "v1"),
      "traffic after the rollback went to the canary",
    );
    const { analyses } = await ok(server, "GET", `/v1/models/cancer/rollouts/${rollout.id}/analyses`);
    assert.equal(analyses.length, 1);
    assert.equal(analyses[0].outcome, "fail");
    const accuracy = analyses[0].metrics.find((m: { metric: string }) => m.metric === "accuracy");
    assert.equal(accuracy.outcome, "fail");
    assert.ok(accuracy.canary < accuracy.production - 0.1, JSON.stringify(accuracy));
    const { history } = await ok(server, "GET", "/v1/models/cancer/deployment/history");
    assert.deepEqual(
      history.map((h: { action: string }) => h.action),
      ["upload-model", "upload-model", "stage", "rollout-start", "rollout-analysis"],
    );
    assert.match(history[3].by, /^test/);
    assert.equal(history[4].by, "scheduler");
    assert.match(history[4].reason, /analysis failed/);
  } finally {
    await server.close();
  }
});

test("a good candidate (a re-encoded copy) passes every step and is promoted; the old production is archived", async () => {
  const server = await servingFixture(tempDir(), encodeModel(decodeModel(ORIGINAL)));
  try {
    await ok(server, "POST", "/v1/models/cancer/rollouts", {
      version: "v2",
      steps: [25, 50, 100],
      analysisPeriod: "5m",
      inconclusiveLimit: 5,
      limits: LIMITS,
    });
    const served = await replay(server, 3000);
    const state = await ok(server, "GET", "/v1/models/cancer/deployment");
    assert.equal(state.rollout.phase, "promoted", JSON.stringify(state.rollout));
    assert.equal(state.production, "v2");
    assert.equal(state.previous, "v1");
    assert.deepEqual(state.stages, { v1: "archived", v2: "production" });
    assert.ok(served.filter((s) => s.t >= state.rollout.endedMs).every((s) => s.version === "v2"));
    const { analyses } = await ok(server, "GET", `/v1/models/cancer/rollouts/${state.rollout.id}/analyses`);
    assert.deepEqual(
      analyses
        .filter((a: { outcome: string }) => a.outcome === "pass")
        .map((a: { weight: number }) => a.weight),
      [25, 50, 100],
    );
    // Instant rollback to the archived version.
    const back = await ok(server, "POST", "/v1/models/cancer/rollback", { reason: "customer complaint" });
    assert.equal(back.production, "v1");
    const answer = await ok(server, "POST", "/v1/models/cancer/predict", {
      input: row(0),
      time: T0 + 10_000_000,
    });
    assert.equal(answer.version, "v1");
    // The candidate's model card tells its history from the deployment's records (issue #17).
    const card = await (
      await fetch(`${server.url}/v1/models/cancer/versions/v2/card?format=markdown`)
    ).text();
    const history = card.slice(card.indexOf("Version history"));
    assert.ok(history.length < card.length, card);
    for (const action of ["upload-model", "rollout-start"]) assert.match(history, new RegExp(action));
    assert.match(history, /production/);
    assert.doesNotMatch(history, /registration is its whole history/);
  } finally {
    await server.close();
  }
});

test("a critical alert naming the canary version rolls the rollout back before any analysis", async () => {
  const dir = tempDir();
  writeFileSync(
    join(dir, "monitor.yaml"),
    "monitor:\n  window: 1m\n  lateness: 1m\n  min_samples: 5\nmetrics:\n  quality: { metric: accuracy, threshold: 0.9 }\n",
  );
  const server = await servingFixture(join(dir, "data"), degradedModel(), {
    configFile: join(dir, "monitor.yaml"),
  });
  try {
    await ok(server, "POST", "/v1/models/cancer/rollouts", {
      version: "v2",
      steps: [50, 100],
      analysisPeriod: "1h",
      progressDeadline: "10h",
    });
    let state = await ok(server, "GET", "/v1/models/cancer/deployment");
    for (let i = 0; i < 600 && state.rollout.phase === "canary"; i += 60) {
      const labels: string[] = [];
      for (let j = i; j < i + 60; j++) {
        const t = T0 + (j + 1) * 1000;
        const answer = await ok(server, "POST", "/v1/models/cancer/predict", {
          input: row(j),
          key: `u${j}`,
          time: t,
        });
        labels.push(
          JSON.stringify({
            id: answer.predictions[0].id,
            value: String(ROWS[j % ROWS.length]![30]),
            time: t,
          }),
        );
      }
      await ok(server, "POST", "/v1/models/cancer/labels", labels.join("\n"), "application/x-ndjson");
      await server.service.flush();
      await server.deployments.tick(); // waits for a rollback the alert queued
      state = await ok(server, "GET", "/v1/models/cancer/deployment");
    }
    assert.equal(state.rollout.phase, "rolled-back", JSON.stringify(state.rollout));
    assert.match(state.rollout.reason, /critical alert ModelQualityLow fired for the canary/);
    assert.equal(state.rollout.analyses, 0, "the alert came before any analysis");
    assert.equal(state.production, "v1");
    const { history } = await ok(server, "GET", "/v1/models/cancer/deployment/history");
    assert.equal(history.at(-1).by, "alerting");
  } finally {
    await server.close();
  }
});
