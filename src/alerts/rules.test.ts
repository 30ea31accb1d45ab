import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defaultSettings } from "../config/settings.js";
import { type PredictionEvent, WindowState, type WindowVerdict, windowVerdicts } from "../monitor/index.js";
import {
  alertNames,
  defaultRuleOptions,
  mergeOutcomes,
  noDataConditions,
  type RuleOptions,
  type WindowInfo,
  windowAlertConditions,
} from "./rules.js";
import { AlertStateMachine } from "./state.js";

const HOUR = 3_600_000;
const window: WindowInfo = { model: "bike", version: "1", start: 10 * HOUR, end: 11 * HOUR };

function latency(value: number | null, status: WindowVerdict["status"] = "breach"): WindowVerdict {
  return {
    rule: "latency",
    metric: "latency_p99",
    value,
    threshold: 100,
    status,
    severity: "warning",
    samples: 400,
  };
}
const quality = (value: number): WindowVerdict => ({
  rule: "quality",
  metric: "accuracy",
  value,
  threshold: 0.95,
  status: value < 0.95 ? "breach" : "ok",
  severity: value < 0.95 ? "critical" : "ok",
  samples: 300,
});
const drift = (severity: WindowVerdict["severity"], columns = 2): WindowVerdict => ({
  rule: "drift",
  metric: "drift",
  value: columns,
  threshold: 0,
  status: severity === "ok" ? "ok" : "breach",
  severity,
  samples: 400,
});

function severities(verdicts: WindowVerdict[], options?: RuleOptions): [string, string][] {
  return windowAlertConditions({ window, verdicts }, options).conditions.map((c) => [
    c.labels.alertname!,
    c.labels.severity!,
  ]);
}

describe("default severities", () => {
  it("latency: over the threshold warning, over twice the threshold critical", () => {
    assert.deepEqual(severities([latency(150)]), [["ModelLatencyHigh", "warning"]]);
    assert.deepEqual(severities([latency(200)]), [["ModelLatencyHigh", "warning"]]);
    assert.deepEqual(severities([latency(200.5)]), [["ModelLatencyHigh", "critical"]]);
    assert.deepEqual(severities([latency(90, "ok")]), []);
  });

  it("quality below its threshold is critical; drift keeps the engine's severity", () => {
    assert.deepEqual(severities([quality(0.9)]), [["ModelQualityLow", "critical"]]);
    assert.deepEqual(severities([quality(0.97)]), []);
    for (const s of ["warning", "critical", "emergency"] as const)
      assert.deepEqual(severities([drift(s)]), [["ModelDriftDetected", s]]);
    assert.deepEqual(severities([drift("ok", 0)]), []);
  });

  it("documents its table as one object", () => {
    assert.equal(defaultRuleOptions.latency.severity, "warning");
    assert.equal(defaultRuleOptions.latency.escalatedSeverity, "critical");
    assert.equal(defaultRuleOptions.latency.escalationFactor, 2);
    assert.equal(defaultRuleOptions.quality.severity, "critical");
    assert.deepEqual(defaultRuleOptions.quality.for, { windows: 2 });
    assert.equal(defaultRuleOptions.noData.windows, 3);
    assert.equal(defaultRuleOptions.noData.severity, "warning");
  });

  it("agrees with the monitor's own verdicts on real windows (100 ms threshold)", () => {
    const events = (ms: number) => {
      const w = WindowState.create({ task: "regression", numeric: [], categorical: [] }, 1);
      for (let i = 0; i < 40; i++) {
        const event: PredictionEvent = {
          id: `${i}`,
          timeMs: 0,
          version: "1",
          features: {},
          prediction: 1,
          scores: null,
          latencyMs: ms,
        };
        w.addEvent(event);
      }
      return windowVerdicts(w, null, defaultSettings);
    };
    assert.deepEqual(severities(events(150)), [["ModelLatencyHigh", "warning"]]);
    assert.deepEqual(severities(events(250)), [["ModelLatencyHigh", "critical"]]);
  });
});

describe("overrides", () => {
  it("changes severities and the escalation factor, and turns cases off with ok", () => {
    const options: RuleOptions = {
      latency: { severity: "critical", escalatedSeverity: "emergency", escalationFactor: 3 },
      quality: { severity: "warning" },
      drift: { severities: { warning: "ok", emergency: "critical" } },
    };
    assert.deepEqual(severities([latency(250)], options), [["ModelLatencyHigh", "critical"]]);
    assert.deepEqual(severities([latency(301)], options), [["ModelLatencyHigh", "emergency"]]);
    assert.deepEqual(severities([quality(0.5)], options), [["ModelQualityLow", "warning"]]);
    assert.deepEqual(severities([drift("warning")], options), []);
    assert.deepEqual(severities([drift("emergency")], options), [["ModelDriftDetected", "critical"]]);
    assert.deepEqual(severities([latency(999)], { latency: { enabled: false } }), []);
    const fast = windowAlertConditions({ window, verdicts: [latency(150)] }, { latency: { for: { ms: 0 } } });
    assert.deepEqual(fast.conditions[0]!.for, { ms: 0 });
  });
});

describe("labels and annotations", () => {
  it("labels the alert by model, version, metric and severity, and annotates value, threshold and a link", () => {
    const [c] = windowAlertConditions(
      { window, verdicts: [latency(153.24)] },
      { dashboardUrl: "https://ttt.example.com/" },
    ).conditions;
    assert.deepEqual(c!.labels, {
      alertname: "ModelLatencyHigh",
      model: "bike",
      version: "1",
      metric: "latency_p99",
      severity: "warning",
    });
    assert.equal(c!.annotations.summary, "bike v1: latency p99 153.2 ms above 100 ms");
    assert.equal(c!.annotations.value, "153.2");
    assert.equal(c!.annotations.threshold, "100");
    assert.equal(c!.annotations.window_start, "1970-01-01T10:00:00.000Z");
    assert.equal(
      c!.annotations.dashboard,
      "https://ttt.example.com/models/bike?version=1&from=1970-01-01T10%3A00%3A00.000Z&to=1970-01-01T11%3A00%3A00.000Z",
    );
    assert.deepEqual(c!.for, { windows: 2 });
  });

  it("lists drifted columns in the drift alert, and per column when asked", () => {
    const driftColumns = [
      { column: "temp", severity: "critical" as const },
      { column: "hum", severity: "warning" as const },
      { column: "wind", severity: "ok" as const },
    ];
    const plain = windowAlertConditions({ window, verdicts: [drift("critical")], driftColumns });
    assert.equal(plain.conditions.length, 1);
    assert.equal(plain.conditions[0]!.annotations.columns, "temp,hum");
    assert.equal(plain.conditions[0]!.annotations.summary, "bike v1: critical drift in temp, hum");
    const onlyColumns = windowAlertConditions(
      { window, verdicts: [drift("critical")], driftColumns },
      { drift: { perColumn: true, severities: { critical: "ok" } } },
    );
    assert.deepEqual(
      onlyColumns.conditions.map((c) => [c.labels.alertname, c.labels.column, c.labels.severity]),
      [["ModelFeatureDrift", "hum", "warning"]],
    );
    const perColumn = windowAlertConditions(
      { window, verdicts: [drift("critical")], driftColumns },
      { drift: { perColumn: true } },
    );
    assert.deepEqual(
      perColumn.conditions.map((c) => [c.labels.alertname, c.labels.column ?? "", c.labels.severity]),
      [
        ["ModelDriftDetected", "", "critical"],
        ["ModelFeatureDrift", "temp", "critical"],
        ["ModelFeatureDrift", "hum", "warning"],
      ],
    );
  });

  it("reports insufficient data and missing verdicts as unknown, not as resolved", () => {
    const outcome = windowAlertConditions({
      window,
      verdicts: [latency(null, "insufficient_data"), quality(0.99)],
    });
    assert.deepEqual(outcome.conditions, []);
    assert.deepEqual(
      outcome.unknown.map((u) => u.alertname),
      ["ModelLatencyHigh", "ModelDriftDetected", "ModelFeatureDrift"],
    );
  });
});

describe("no data", () => {
  const base = { model: "bike", version: "1", windowMs: HOUR, since: 0 };

  it("fires when the last N closed windows had no events (missing windows count as empty)", () => {
    const fired = noDataConditions({
      ...base,
      closedUntil: 10 * HOUR,
      windows: [{ start: 6 * HOUR, events: 12 }],
    });
    assert.deepEqual(fired.conditions[0]!.labels, {
      alertname: alertNames.noData,
      model: "bike",
      version: "1",
      metric: "events",
      severity: "warning",
    });
    assert.deepEqual(fired.conditions[0]!.for, { windows: 1 });
    const quiet = noDataConditions({
      ...base,
      closedUntil: 10 * HOUR,
      windows: [{ start: 7 * HOUR, events: 1 }],
    });
    assert.deepEqual(quiet, { conditions: [], unknown: [] });
    const six = noDataConditions(
      { ...base, closedUntil: 10 * HOUR, windows: [{ start: 5 * HOUR, events: 3 }] },
      { noData: { windows: 6 } },
    );
    assert.equal(six.conditions.length, 0);
  });

  it("cannot judge before N windows have passed since the version was first watched", () => {
    const young = noDataConditions({ ...base, since: 8 * HOUR, closedUntil: 10 * HOUR, windows: [] });
    assert.deepEqual(young.conditions, []);
    assert.deepEqual(young.unknown, [{ alertname: "ModelNoData", model: "bike", version: "1" }]);
  });

  it("drives the state machine together with the window rules", () => {
    const machine = new AlertStateMachine();
    const scope = { model: "bike", version: "1" };
    const at = 10 * HOUR;
    const outcome = mergeOutcomes(
      windowAlertConditions({ window: { ...window, start: at - HOUR, end: at }, verdicts: [] }),
      noDataConditions({ ...base, closedUntil: at, windows: [] }),
    );
    const result = machine.evaluate({ at, scope, ...outcome });
    assert.deepEqual(
      result.alerts.map((a) => [a.labels.alertname, a.state]),
      [["ModelNoData", "firing"]],
    );
  });
});
