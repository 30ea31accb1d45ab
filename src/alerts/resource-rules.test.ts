import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  defaultResourceSettings,
  type ResourceRuleName,
  type ResourceRuleSettings,
} from "../config/index.js";
import { type ResourceReading, type ResourceRuleInput, resourceAlertEvaluations } from "./resource-rules.js";
import { AlertStateMachine } from "./state.js";

const rules = defaultResourceSettings.rules;
const T = Date.parse("2026-03-02T10:15:00Z");
const window = { start: Date.parse("2026-03-02T10:00:00Z"), end: Date.parse("2026-03-02T11:00:00Z") };
const g = (last: number) => ({ last });

function reading(over: Partial<ResourceReading> = {}): ResourceReading {
  return {
    cpu: { utilisation: 0.2 },
    memory: { usedRatio: g(0.5) },
    gpus: [],
    filesystems: [{ mountpoint: "/", usedRatio: g(0.4) }],
    probes: [],
    collectErrors: {},
    ...over,
  };
}

function sample(r: ResourceReading, at = T): ResourceRuleInput {
  return { phase: "sample", at, window, instance: "web-1", reading: r };
}

function withRule(name: ResourceRuleName, rule: Partial<ResourceRuleSettings>) {
  return { ...rules, [name]: { ...rules[name], ...rule } };
}

const evaluation = (list: ReturnType<typeof resourceAlertEvaluations>, alertname: string) => {
  const found = list.find((e) => e.scope.alertname === alertname);
  assert.ok(found, `an evaluation for ${alertname}`);
  return found;
};

describe("resource rules", () => {
  it("a quiet machine: one evaluation per sample rule, no conditions, nothing unknown", () => {
    const list = resourceAlertEvaluations(sample(reading()), rules);
    assert.deepEqual(
      list.map((e) => e.scope.alertname),
      ["ResourceMemoryHigh", "ResourceGpuMemoryHigh", "ResourceDiskHigh", "DependencyDown"],
    );
    assert.ok(list.every((e) => e.conditions.length === 0 && e.unknown.length === 0));
  });

  it("memory fires the worst severity crossed, with the value and threshold in the summary", () => {
    const warning = evaluation(
      resourceAlertEvaluations(sample(reading({ memory: { usedRatio: g(0.93) } })), rules),
      "ResourceMemoryHigh",
    );
    assert.equal(warning.conditions.length, 1);
    assert.deepEqual(warning.conditions[0]!.labels, {
      alertname: "ResourceMemoryHigh",
      resource: "memory",
      instance: "web-1",
      severity: "warning",
    });
    assert.equal(warning.conditions[0]!.annotations.summary, "web-1: memory used 93%, above 90%");
    assert.equal(warning.conditions[0]!.annotations.value, "0.93");
    assert.equal(warning.conditions[0]!.annotations.threshold, "0.9");
    assert.deepEqual(warning.conditions[0]!.for, { windows: 1 });

    const critical = evaluation(
      resourceAlertEvaluations(sample(reading({ memory: { usedRatio: g(0.97) } })), rules, {
        dashboardUrl: "https://t.example.com/",
      }),
      "ResourceMemoryHigh",
    );
    assert.equal(critical.conditions[0]!.labels.severity, "critical");
    assert.equal(critical.conditions[0]!.annotations.threshold, "0.95");
    assert.equal(critical.conditions[0]!.annotations.dashboard, "https://t.example.com/resources");
    assert.equal(critical.conditions[0]!.annotations.window_start, "2026-03-02T10:00:00.000Z");

    // Exactly at the threshold is not over it.
    const at = resourceAlertEvaluations(sample(reading({ memory: { usedRatio: g(0.9) } })), rules);
    assert.equal(evaluation(at, "ResourceMemoryHigh").conditions.length, 0);
  });

  it("a severity turned off (null) does not fire; for becomes milliseconds", () => {
    const list = resourceAlertEvaluations(
      sample(reading({ memory: { usedRatio: g(0.93) } })),
      withRule("memory_used_ratio", { warning: null, for: 300_000 }),
    );
    assert.equal(evaluation(list, "ResourceMemoryHigh").conditions.length, 0);
    const critical = resourceAlertEvaluations(
      sample(reading({ memory: { usedRatio: g(0.99) } })),
      withRule("memory_used_ratio", { warning: null, for: 300_000 }),
    );
    assert.deepEqual(evaluation(critical, "ResourceMemoryHigh").conditions[0]!.for, { ms: 300_000 });
  });

  it("gpu memory, disks and probes: one alert per GPU, filesystem and target", () => {
    const list = resourceAlertEvaluations(
      sample(
        reading({
          gpus: [
            { gpu: "0", uuid: "GPU-a", modelName: "NVIDIA H100", memoryUsedRatio: g(0.97) },
            { gpu: "1", uuid: "GPU-b", modelName: "NVIDIA H100", memoryUsedRatio: g(0.2) },
          ],
          filesystems: [
            { mountpoint: "/", usedRatio: g(0.95) },
            { mountpoint: "/data", usedRatio: g(0.5) },
          ],
          probes: [
            { target: "tcp://db:5432", success: g(0) },
            { target: "https://api.example.com/healthz", success: g(1) },
          ],
        }),
      ),
      rules,
    );
    const gpu = evaluation(list, "ResourceGpuMemoryHigh").conditions;
    assert.equal(gpu.length, 1);
    assert.deepEqual(gpu[0]!.labels, {
      alertname: "ResourceGpuMemoryHigh",
      resource: "gpu",
      instance: "web-1",
      gpu: "0",
      uuid: "GPU-a",
      severity: "critical",
    });
    assert.match(gpu[0]!.annotations.summary!, /GPU 0 \(NVIDIA H100\) memory used 97%, above 95%/);
    const disk = evaluation(list, "ResourceDiskHigh").conditions;
    assert.deepEqual(
      disk.map((c) => [c.labels.mountpoint, c.labels.severity]),
      [["/", "warning"]],
    );
    const down = evaluation(list, "DependencyDown").conditions;
    assert.equal(down.length, 1);
    assert.equal(down[0]!.labels.target, "tcp://db:5432");
    assert.equal(down[0]!.labels.severity, "critical");
    assert.equal(down[0]!.labels.resource, "network");
    assert.equal(down[0]!.annotations.summary, "tcp://db:5432: probe success 0 (down), below 1");
  });

  it("the CPU rule is judged on a closed window, not on samples", () => {
    const busy = reading({ cpu: { utilisation: 0.97 } });
    assert.equal(
      resourceAlertEvaluations(sample(busy), rules).some((e) => e.scope.alertname === "ResourceCpuHigh"),
      false,
    );
    const list = resourceAlertEvaluations(
      { phase: "window", at: window.end, window, instance: "web-1", reading: busy },
      rules,
    );
    assert.deepEqual(
      list.map((e) => e.scope.alertname),
      ["ResourceCpuHigh"],
    );
    const [condition] = list[0]!.conditions;
    assert.equal(condition!.labels.severity, "warning");
    assert.match(condition!.annotations.description!, /97% over the window 2026-03-02T10:00:00.000Z/);
  });

  it("what could not be read is unknown: neither fires nor resolves", () => {
    const list = resourceAlertEvaluations(
      sample(
        reading({
          memory: { usedRatio: null },
          gpus: [{ gpu: "0", uuid: "GPU-a", modelName: "", memoryUsedRatio: null }],
          filesystems: [],
          collectErrors: { disk: 1 },
        }),
      ),
      rules,
    );
    assert.deepEqual(evaluation(list, "ResourceMemoryHigh").unknown, [{ alertname: "ResourceMemoryHigh" }]);
    assert.deepEqual(evaluation(list, "ResourceGpuMemoryHigh").unknown, [
      { alertname: "ResourceGpuMemoryHigh", gpu: "0", uuid: "GPU-a" },
    ]);
    assert.deepEqual(evaluation(list, "ResourceDiskHigh").unknown, [{ alertname: "ResourceDiskHigh" }]);
  });

  it("through the state machine: fires, escalates (the warning resolves), then resolves", () => {
    const machine = new AlertStateMachine();
    const run = (ratio: number, at: number) => {
      for (const e of resourceAlertEvaluations(
        sample(reading({ memory: { usedRatio: g(ratio) } }), at),
        rules,
      ))
        machine.evaluate({ at, ...e });
      return machine
        .alerts()
        .filter((a) => a.labels.alertname === "ResourceMemoryHigh")
        .map((a) => `${a.labels.severity}:${a.state}`)
        .sort();
    };
    assert.deepEqual(run(0.92, T), ["warning:firing"]);
    assert.deepEqual(run(0.96, T + 15_000), ["critical:firing", "warning:resolved"]);
    assert.deepEqual(run(0.5, T + 30_000), ["critical:resolved", "warning:resolved"]);
  });
});
