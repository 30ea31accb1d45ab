import assert from "node:assert/strict";
import { test } from "node:test";
import { defaultSettings } from "../config/settings.js";
import type { PredictionEvent } from "./records.js";
import { windowVerdicts } from "./verdicts.js";
import { WindowState } from "./window-state.js";

const settings = {
  ...defaultSettings,
  metrics: {
    ...defaultSettings.metrics,
    quality: {
      ...defaultSettings.metrics.quality,
      metric: "mae",
      direction: "above",
      threshold: 10,
      type: "regression",
    },
  },
} as typeof defaultSettings;

function window(n: number, error: number, latency: number): WindowState {
  const w = WindowState.create({ task: "regression", numeric: [], categorical: [] }, 1);
  for (let i = 0; i < n; i++) {
    const event: PredictionEvent = {
      id: `${i}`,
      timeMs: 0,
      version: "1",
      features: {},
      prediction: 100,
      scores: null,
      latencyMs: latency,
    };
    w.addEvent(event);
    w.addLabel(event, { id: `${i}`, value: 100 + error, timeMs: 0 });
  }
  return w;
}

test("below min_samples nothing breaches, however bad the figures", () => {
  const verdicts = windowVerdicts(window(3, 500, 900), null, settings);
  assert.deepEqual(
    verdicts.map((v) => [v.rule, v.status, v.severity]),
    [
      ["quality", "insufficient_data", "ok"],
      ["latency", "insufficient_data", "ok"],
    ],
  );
});

test("quality and latency thresholds, with latency critical at twice the threshold", () => {
  const fine = windowVerdicts(window(40, 5, 50), null, settings);
  assert.deepEqual(
    fine.map((v) => [v.metric, v.value, v.status]),
    [
      ["mae", 5, "ok"],
      ["latency_p99", fine[1]!.value, "ok"],
    ],
  );
  const slow = windowVerdicts(window(40, 12, 150), null, settings);
  assert.deepEqual(
    slow.map((v) => [v.status, v.severity]),
    [
      ["breach", "critical"],
      ["breach", "warning"],
    ],
  );
  assert.ok(Math.abs(slow[1]!.value! - 150) <= 1.5);
  const slower = windowVerdicts(window(40, 0, 250), null, settings);
  assert.equal(slower[1]!.severity, "critical");
});
