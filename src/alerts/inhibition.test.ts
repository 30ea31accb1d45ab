import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fingerprint } from "./fingerprint.js";
import {
  buildInhibitRules,
  defaultInhibitRules,
  type InhibitionSource,
  type InhibitRule,
  type InhibitRuleConfig,
  inhibitedBy,
} from "./inhibition.js";
import type { Labels } from "./labels.js";

function source(labels: Labels): InhibitionSource {
  return { fingerprint: fingerprint(labels), labels };
}

function rules(...configs: InhibitRuleConfig[]): readonly InhibitRule[] {
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

  it("reads the legacy source_match, source_match_re, target_match and target_match_re as Alertmanager 0.25", () => {
    const r = rules({
      source_match: { severity: "critical" },
      source_match_re: { env: "prod|staging" },
      source_matchers: ['team="ml"'],
      target_match: { severity: "warning" },
      target_match_re: { alertname: "Model.*" },
      equal: ["model"],
    });
    assert.deepEqual(
      r[0]!.sourceMatchers.map((m) => [m.name, m.type, m.value]),
      [
        ["severity", "=", "critical"],
        ["env", "=~", "^(?:prod|staging)$"],
        ["team", "=", "ml"],
      ],
    );
    const critical = source({
      alertname: "GpuDown",
      env: "prod",
      model: "bike",
      severity: "critical",
      team: "ml",
    });
    const warning = { alertname: "ModelLatencyHigh", model: "bike", severity: "warning" };
    assert.deepEqual(inhibitedBy(r, warning, [critical]), [critical.fingerprint]);
    // The regexes are anchored at both ends: "production" is not "prod", "XModelLatency" not "Model.*".
    const unanchoredEnv = source({ ...critical.labels, env: "production" });
    assert.deepEqual(inhibitedBy(r, warning, [unanchoredEnv]), []);
    assert.deepEqual(inhibitedBy(r, { ...warning, alertname: "XModelLatency" }, [critical]), []);
    // The legacy maps and source_matchers combine (all must match): without team="ml", no inhibition.
    const otherTeam = source({ ...critical.labels, team: "ops" });
    assert.deepEqual(inhibitedBy(r, warning, [otherTeam]), []);
    // YAML scalars such as 500 are read as text, as Go's yaml.v2 reads them into a string.
    const numeric = rules({ source_match: { code: 500 } } as unknown as InhibitRuleConfig);
    assert.equal(numeric[0]!.sourceMatchers[0]!.value, "500");
  });

  it("checks the whole rule, reporting every problem with its path and never throwing", () => {
    const result = buildInhibitRules(
      [
        {
          source_match_re: { env: "(" },
          source_match: { "1bad": "x", ok: { nested: true } },
          target_match: ["severity=warning"],
          target_matchers: 'severity="warning"',
          equal: ["model", "not-a-label", 3],
          sorce_matchers: ['severity="critical"'],
        },
        "not a rule",
        { target_matchers: [42] },
      ],
      "alerting.inhibit_rules",
    );
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.deepEqual(result.problems.map((p) => p.path).sort(), [
      "alerting.inhibit_rules[0].equal[1]",
      "alerting.inhibit_rules[0].equal[2]",
      "alerting.inhibit_rules[0].sorce_matchers",
      "alerting.inhibit_rules[0].source_match.1bad",
      "alerting.inhibit_rules[0].source_match.ok",
      "alerting.inhibit_rules[0].source_match_re.env",
      "alerting.inhibit_rules[0].target_match",
      "alerting.inhibit_rules[0].target_matchers",
      "alerting.inhibit_rules[1]",
      "alerting.inhibit_rules[2].target_matchers[0]",
    ]);
    const unknown = result.problems.find((p) => p.path.endsWith("sorce_matchers"));
    assert.match(unknown!.message, /unknown key/);
    for (const bad of [null, "default-ish", { source_match: {} }, 7])
      assert.deepEqual(buildInhibitRules(bad, "alerting.inhibit_rules"), {
        ok: false,
        problems: [
          { path: "alerting.inhibit_rules", message: "must be a list of inhibition rules ([] for none)" },
        ],
      });
  });

  it("accepts a rule with only legacy keys, and empty (null) keys as Go's YAML reads them", () => {
    const result = buildInhibitRules([
      { source_match: { severity: "critical" }, target_match: { severity: "warning" } },
      { source_match: null, target_matchers: null, equal: null },
    ]);
    assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
    assert.equal(result.rules[0]!.targetMatchers.length, 1);
    assert.deepEqual(result.rules[1], { sourceMatchers: [], targetMatchers: [], equal: [] });
  });
});
