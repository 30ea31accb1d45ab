import assert from "node:assert/strict";
import { it } from "node:test";
import { alertSeverity, compareAlerts, worstFirst } from "./ordering.js";

it("sorts alerts worst first, unknown severities last, then by age and name", () => {
  const alerts = [
    { labels: { alertname: "B", severity: "warning" }, startsAt: 5 },
    { labels: { alertname: "X", severity: "info" }, startsAt: 0 },
    { labels: { alertname: "A", severity: "emergency" }, startsAt: 9 },
    { labels: { alertname: "C", severity: "warning" }, startsAt: 1 },
    { labels: { alertname: "D", severity: "critical" }, startsAt: null },
    { labels: { alertname: "A", severity: "warning" }, startsAt: 5 },
  ];
  assert.deepEqual(
    worstFirst(alerts).map((a) => `${a.labels.alertname}:${a.labels.severity}`),
    ["A:emergency", "D:critical", "C:warning", "A:warning", "B:warning", "X:info"],
  );
  assert.equal(alertSeverity({ severity: "critical" }), "critical");
  assert.equal(alertSeverity({}), null);
  assert.equal(compareAlerts(alerts[0]!, alerts[0]!), 0);
});
