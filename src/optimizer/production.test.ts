import assert from "node:assert/strict";
import { test } from "node:test";
import { type ProductionWindow, productionVsObjectives } from "./production.js";

const objective = { accuracy_target: 0.95, latency_target_ms: 50 };
const data = { reference_rows: 10, labelled_rows: 5, skipped: 0, from: null, to: null };
const base = { server: "http://s", model: "m", version: "1", objective, data };
const w = (day: number, fields: Partial<ProductionWindow>): ProductionWindow => ({
  start: `2024-01-0${day}T00:00:00.000Z`,
  startMs: day * 86_400_000,
  ...fields,
});

test("the newest window with labels gives the metric, the newest with latencies gives p99", () => {
  const section = productionVsObjectives({
    ...base,
    metric: "accuracy",
    // Out of order on purpose; day 3 has latencies but no labels yet, day 4 nothing at all.
    windows: [
      w(2, { labels: 40, quality: { accuracy: 0.97 }, latency: { count: 40, p99: 80 } }),
      w(4, { labels: 0, quality: { accuracy: null }, latency: { count: 0, p99: null } }),
      w(1, { labels: 50, quality: { accuracy: 0.9 }, latency: { count: 50, p99: 10 } }),
      w(3, { labels: 0, quality: {}, latency: { count: 12, p99: 30 } }),
    ],
  });
  assert.deepEqual(section.quality, { window: "2024-01-02T00:00:00.000Z", value: 0.97, labels: 40 });
  assert.deepEqual(section.latency_p99_ms, { window: "2024-01-03T00:00:00.000Z", value: 30, count: 12 });
  const [accuracy, latency, resources] = section.objectives;
  assert.deepEqual([accuracy!.met, accuracy!.targeted], [true, false]);
  assert.deepEqual([latency!.met, latency!.targeted], [true, false]);
  assert.deepEqual([resources!.target, resources!.targeted], ["minimize", true]);
  assert.deepEqual(section.optimization_for, ["resource_usage"]);
});

test("p99 over the target makes latency an aim; accuracy below its target is not (retrain)", () => {
  const section = productionVsObjectives({
    ...base,
    metric: "accuracy",
    windows: [w(1, { labels: 5, quality: { accuracy: 0.8 }, latency: { count: 5, p99: 50.5 } })],
  });
  assert.deepEqual(
    section.objectives.map((o) => [o.name, o.met, o.targeted]),
    [
      ["accuracy", false, false],
      ["latency", false, true],
      ["resource_usage", null, true],
    ],
  );
  assert.match(section.objectives[0]!.note, /retrain/);
  assert.deepEqual(section.optimization_for, ["latency", "resource_usage"]);
  // Exactly at the target is met.
  const edge = productionVsObjectives({
    ...base,
    metric: "accuracy",
    windows: [w(1, { labels: 5, quality: { accuracy: 0.95 }, latency: { count: 5, p99: 50 } })],
  });
  assert.deepEqual(
    edge.objectives.slice(0, 2).map((o) => o.met),
    [true, true],
  );
});

test("a regression reports MAE with no absolute target; no windows: nothing known, latency still an aim", () => {
  const regression = productionVsObjectives({
    ...base,
    metric: "mae",
    windows: [w(1, { labels: 9, quality: { mae: 12.5 }, latency: { count: 9, p99: 3 } })],
  });
  assert.deepEqual(regression.quality?.value, 12.5);
  assert.deepEqual([regression.objectives[0]!.target, regression.objectives[0]!.met], [null, null]);
  const empty = productionVsObjectives({ ...base, metric: "accuracy", windows: [] });
  assert.equal(empty.quality, null);
  assert.equal(empty.latency_p99_ms, null);
  assert.deepEqual(empty.optimization_for, ["latency", "resource_usage"]);
});
