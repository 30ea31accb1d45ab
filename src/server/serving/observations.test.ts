import assert from "node:assert/strict";
import { test } from "node:test";
import { type IngestAppend, type ModelRecord, openSqliteStore } from "../../store/index.js";
import { observeArms, SHADOW_SUFFIX } from "./observations.js";

// observeArms reads a rollout's period back from the real log (the SQLite store writes the label
// lines with their events' fields): which arm served what, and which labels judge which arm.

const record: ModelRecord = {
  name: "cancer",
  task: "binary",
  classes: ["0", "1"],
  features: [{ name: "x", type: "numeric", role: "feature" }],
  createdMs: 0,
};

interface Served {
  readonly id: string;
  readonly version: string;
  readonly time: number;
  readonly prediction: string;
  readonly scores: readonly number[] | null;
  readonly latency: number;
}

function events(list: readonly Served[]): IngestAppend {
  return {
    kind: "events",
    model: "cancer",
    receivedMs: 0,
    events: list.map((e) => ({
      index: {
        id: e.id,
        version: e.version,
        timeMs: e.time,
        join: JSON.stringify({ prediction: e.prediction, scores: e.scores }),
      },
      source: JSON.stringify({
        id: e.id,
        time: e.time,
        version: e.version,
        features: { x: 1 },
        prediction: e.prediction,
        scores: e.scores,
        latency_ms: e.latency,
      }),
    })),
  };
}

function labels(list: ReadonlyArray<[string, string, number]>): IngestAppend {
  return {
    kind: "labels",
    model: "cancer",
    receivedMs: 0,
    labels: list.map(([id, value, time]) => ({
      id,
      timeMs: time,
      source: JSON.stringify({ id, value, time }),
    })),
  };
}

test("each arm gets its version's events in the period; a shadow's answers are the candidate's, judged by the copied request's label", async () => {
  const store = await openSqliteStore({ file: ":memory:" });
  try {
    await store.createModel(record);
    const served: Served[] = [
      { id: "p1", version: "v1", time: 100, prediction: "1", scores: [0.2, 0.8], latency: 1 },
      { id: "p2", version: "v1", time: 110, prediction: "0", scores: [0.9, 0.1], latency: 2 },
      // The shadow answered a copy of p1, differently.
      { id: `p1${SHADOW_SUFFIX}`, version: "v2", time: 100, prediction: "0", scores: [0.6, 0.4], latency: 5 },
      { id: "c1", version: "v2", time: 120, prediction: "1", scores: null, latency: 4 },
      // Before the period, and of a third version: neither arm's.
      { id: "old", version: "v1", time: 10, prediction: "1", scores: [0.5, 0.5], latency: 9 },
      { id: "other", version: "v3", time: 130, prediction: "1", scores: [0.5, 0.5], latency: 9 },
    ];
    await store.appendIngest([events(served)]);
    await store.appendIngest([
      labels([
        ["p1", "1", 200],
        ["p2", "1", 210],
        ["c1", "0", 220],
        ["old", "1", 230],
      ]),
    ]);
    const { canary, production } = await observeArms(
      store,
      record,
      { candidate: "v2", production: "v1" },
      50,
      1_000,
    );
    assert.deepEqual(production.latenciesMs, [1, 2]);
    assert.deepEqual(production.predictions, ["1", "0"]);
    assert.deepEqual(production.scores, [0.8, 0.1]);
    // p1 right, p2 wrong.
    assert.deepEqual(production.correct, { labelled: 2, correct: 1 });
    assert.deepEqual(canary.latenciesMs, [5, 4]);
    assert.deepEqual(canary.predictions, ["0", "1"]);
    // c1 served without scores: the canary's scores are not all there, so none feed the drift test.
    assert.equal(canary.scores, null);
    // The shadow's "0" for p1 (label 1) is wrong; c1's "1" (label 0) is wrong.
    assert.deepEqual(canary.correct, { labelled: 2, correct: 0 });
    assert.equal(production.absoluteErrors, null);
  } finally {
    await store.close();
  }
});
