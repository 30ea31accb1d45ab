import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fingerprint } from "./fingerprint.js";
import {
  buildInhibitRules,
  defaultInhibitRules,
  type InhibitionSource,
  type InhibitRule,
  inhibitedBy,
} from "./inhibition.js";
import type { Labels } from "./labels.js";

function source(labels: Labels): InhibitionSource {
  return { fingerprint: fingerprint(labels), labels };
}

function rules(...configs: Parameters<typeof buildInhibitRules>[0]): readonly InhibitRule[] {
  const result = buildInhibitRules(configs);
  assert.ok(result.ok);
  return result.rules;
}

describe("inhibition", () => {
  it("by default an emergency mutes the warnings and criticals of the same model (as Alertmanager 0.25 showed)", () => {
    // Checked against prometheus-alertmanager 0.25.0 with this rule: the critical GpuMemoryHigh alert
    // of resnet50 was `suppressed` with inhibitedBy ["3255a2497e27fab6"], the emergency's fingerprint.
    const emergency = source({
      alertname: "ModelLatencyHigh",
      metric: "latency_p99",
      model: "resnet50",
      severity: "emergency",
      version: "1",
    });
    assert.equal(emergency.fingerprint, "3255a2497e27fab6");
    const gpu = {
      alertname: "GpuMemoryHigh",
      instance: "gpu-node-1",
      model: "resnet50",
      severity: "critical",
    };
    assert.deepEqual(inhibitedBy(defaultInhibitRules, gpu, [emergency]), ["3255a2497e27fab6"]);
    assert.deepEqual(inhibitedBy(defaultInhibitRules, { ...gpu, severity: "warning" }, [emergency]), [
      "3255a2497e27fab6",
    ]);
    assert.deepEqual(inhibitedBy(defaultInhibitRules, { ...gpu, model: "bert" }, [emergency]), []);
    assert.deepEqual(inhibitedBy(defaultInhibitRules, { ...gpu, severity: "emergency" }, [emergency]), []);
    assert.deepEqual(inhibitedBy(defaultInhibitRules, gpu, []), []);
  });

  it("treats a missing `equal` label as empty: two alerts without it are equal", () => {
    const r = rules({
      source_matchers: ["severity=critical"],
      target_matchers: ["severity=warning"],
      equal: ["team"],
    });
    const critical = source({ alertname: "A", severity: "critical" });
    assert.deepEqual(inhibitedBy(r, { alertname: "B", severity: "warning" }, [critical]), [
      critical.fingerprint,
    ]);
    assert.deepEqual(inhibitedBy(r, { alertname: "B", severity: "warning", team: "x" }, [critical]), []);
  });

  it("an alert matching both sides is not inhibited by alerts that also match both sides, itself included", () => {
    // Source and target overlap: every alert of model bike is both.
    const r = rules({
      source_matchers: ["model=bike"],
      target_matchers: ['alertname=~".+"'],
      equal: ["model"],
    });
    const a = source({ alertname: "A", model: "bike" });
    const b = source({ alertname: "B", model: "bike" });
    assert.deepEqual(inhibitedBy(r, a.labels, [a, b]), []);
    // A source that matches only the source side still inhibits it.
    const r2 = rules({
      source_matchers: ["model=bike"],
      target_matchers: ["severity!=emergency"],
      equal: ["model"],
    });
    const emergency = source({ alertname: "E", model: "bike", severity: "emergency" });
    const warning = source({ alertname: "W", model: "bike", severity: "warning" });
    assert.deepEqual(inhibitedBy(r2, warning.labels, [warning, emergency]), [emergency.fingerprint]);
    assert.deepEqual(inhibitedBy(r2, emergency.labels, [warning, emergency]), []);
  });

  it("reports bad matchers in configured rules with their path", () => {
    const result = buildInhibitRules([{ source_matchers: ["severity"], target_matchers: ['x=~"("'] }]);
    assert.equal(result.ok, false);
    if (!result.ok)
      assert.deepEqual(
        result.problems.map((p) => p.path),
        ["inhibit_rules[0].source_matchers[0]", "inhibit_rules[0].target_matchers[0]"],
      );
  });
});
