import assert from "node:assert/strict";
import { test } from "node:test";
import { modelHealth } from "./health.js";

const HOUR = 3_600_000;
const base = Date.UTC(2026, 0, 5);
const verdict = (rule: string, status: string, severity: "ok" | "warning" | "critical" | "emergency") => ({
  rule,
  metric: rule === "quality" ? "accuracy" : rule,
  value: 0.8,
  threshold: 0.9,
  status,
  severity,
});

test("ok when nothing breaches and nothing fires", () => {
  const health = modelHealth({
    newestWindowMs: base,
    windowMs: HOUR,
    now: base + HOUR,
    verdicts: [verdict("quality", "ok", "ok"), verdict("latency", "insufficient_data", "ok")],
    windowLabel: "x",
    alerts: [],
  });
  assert.deepEqual(health, { status: "ok", reasons: [] });
});

test("the worst breach or firing alert decides, and every reason is listed worst first", () => {
  const health = modelHealth({
    newestWindowMs: base,
    windowMs: HOUR,
    now: base + HOUR,
    verdicts: [verdict("latency", "breach", "warning"), verdict("quality", "breach", "critical")],
    windowLabel: "2026-01-05 00:00",
    alerts: [{ alertname: "ModelDriftDetected", severity: "emergency", summary: "drift in temp" }],
  });
  assert.equal(health.status, "emergency");
  assert.deepEqual(
    health.reasons.map((r) => [r.source, r.severity]),
    [
      ["alert:ModelDriftDetected", "emergency"],
      ["quality", "critical"],
      ["latency", "warning"],
    ],
  );
  assert.equal(
    health.reasons[1]!.message,
    "accuracy 0.8000 against 0.9000 in the window of 2026-01-05 00:00",
  );
});

test("no data without windows, or when the newest window is older than two windows past its end", () => {
  const base0 = { windowMs: HOUR, verdicts: [], windowLabel: "", alerts: [] };
  assert.equal(modelHealth({ ...base0, newestWindowMs: null, now: base }).status, "no_data");
  assert.equal(modelHealth({ ...base0, newestWindowMs: base, now: base + 3 * HOUR }).status, "ok");
  assert.equal(modelHealth({ ...base0, newestWindowMs: base, now: base + 3 * HOUR + 1 }).status, "no_data");
});
