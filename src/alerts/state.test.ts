import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fingerprint } from "./fingerprint.js";
import { type AlertCondition, AlertStateMachine, notifiable } from "./state.js";

const HOUR = 3_600_000;
const labels = { alertname: "ModelLatencyHigh", model: "bike", version: "1", severity: "warning" };

function condition(value: string, extra: Partial<AlertCondition> = {}): AlertCondition {
  return { labels, annotations: { summary: `p99 ${value} ms`, value }, for: { windows: 2 }, ...extra };
}

function states(machine: AlertStateMachine): string[] {
  return machine.alerts().map((a) => a.state);
}

describe("AlertStateMachine with `for` in windows", () => {
  it("a single noisy window never fires: pending, then inactive again", () => {
    const machine = new AlertStateMachine();
    const first = machine.evaluate({ at: HOUR, conditions: [condition("150")] });
    assert.deepEqual(states(machine), ["pending"]);
    assert.deepEqual(
      first.transitions.map((t) => [t.from, t.to]),
      [["inactive", "pending"]],
    );
    const second = machine.evaluate({ at: 2 * HOUR, conditions: [] });
    assert.deepEqual(states(machine), []);
    assert.deepEqual(
      second.transitions.map((t) => [t.from, t.to]),
      [["pending", "inactive"]],
    );
    assert.deepEqual(notifiable(first.alerts), []);
  });

  it("fires after the consecutive windows, resolves with endsAt, and a return starts a new alert", () => {
    const machine = new AlertStateMachine();
    machine.evaluate({ at: HOUR, conditions: [condition("150")] });
    const fired = machine.evaluate({ at: 2 * HOUR, conditions: [condition("170")] });
    const alert = fired.alerts[0]!;
    assert.equal(alert.state, "firing");
    assert.equal(alert.activeAt, HOUR);
    assert.equal(alert.startsAt, 2 * HOUR);
    assert.equal(alert.fingerprint, fingerprint(labels));
    // Annotations update (latest wins) without changing the identity.
    const still = machine.evaluate({ at: 3 * HOUR, conditions: [condition("190")] }).alerts[0]!;
    assert.equal(still.fingerprint, alert.fingerprint);
    assert.equal(still.annotations.value, "190");
    assert.equal(still.startsAt, 2 * HOUR);
    assert.equal(still.evaluations, 3);
    const resolved = machine.evaluate({ at: 4 * HOUR, conditions: [] });
    assert.deepEqual(
      resolved.alerts.map((a) => [a.state, a.startsAt, a.endsAt]),
      [["resolved", 2 * HOUR, 4 * HOUR]],
    );
    assert.deepEqual(notifiable(resolved.alerts), [
      { labels: still.labels, annotations: still.annotations, startsAt: 2 * HOUR, endsAt: 4 * HOUR },
    ]);
    const again = machine.evaluate({ at: 5 * HOUR, conditions: [condition("160")] });
    assert.deepEqual(
      again.alerts.map((a) => [a.state, a.activeAt, a.startsAt, a.endsAt]),
      [["pending", 5 * HOUR, null, null]],
    );
  });

  it("fires at once with { windows: 1 } (the default) and with { ms: 0 }", () => {
    const machine = new AlertStateMachine();
    machine.evaluate({ at: HOUR, conditions: [{ labels, annotations: {} }] });
    assert.deepEqual(states(machine), ["firing"]);
    const timed = new AlertStateMachine();
    timed.evaluate({ at: HOUR, conditions: [{ labels, annotations: {}, for: { ms: 0 } }] });
    assert.deepEqual(states(timed), ["firing"]);
  });

  it("drops resolved alerts after the retention, at the next evaluation of their scope", () => {
    const machine = new AlertStateMachine({ resolvedRetentionMs: 15 * 60_000 });
    machine.evaluate({ at: HOUR, conditions: [{ labels, annotations: {} }] });
    machine.evaluate({ at: 2 * HOUR, conditions: [] });
    assert.deepEqual(states(machine), ["resolved"]);
    machine.evaluate({ at: 2 * HOUR + 10 * 60_000, conditions: [] });
    assert.deepEqual(states(machine), ["resolved"]);
    machine.evaluate({ at: 3 * HOUR, conditions: [] });
    assert.deepEqual(states(machine), []);
  });
});

describe("AlertStateMachine with `for` in time", () => {
  it("fires once the condition has held for the duration of the evaluation clock", () => {
    const machine = new AlertStateMachine({ defaultFor: { ms: 30 * 60_000 } });
    const c = { labels, annotations: {} };
    machine.evaluate({ at: 0, conditions: [c] });
    machine.evaluate({ at: 10 * 60_000, conditions: [c] });
    machine.evaluate({ at: 29 * 60_000, conditions: [c] });
    assert.deepEqual(states(machine), ["pending"]);
    machine.evaluate({ at: 30 * 60_000, conditions: [c] });
    assert.deepEqual(states(machine), ["firing"]);
    assert.equal(machine.alerts()[0]!.startsAt, 30 * 60_000);
  });

  it("a noisy spike shorter than `for` never fires", () => {
    const machine = new AlertStateMachine({ defaultFor: { ms: HOUR } });
    const c = { labels, annotations: {} };
    for (let t = 0; t < 10; t++) {
      machine.evaluate({ at: t * 20 * 60_000, conditions: t % 3 === 1 ? [c] : [] });
      assert.ok(!states(machine).includes("firing"));
    }
  });
});

describe("AlertStateMachine scopes, unknown verdicts and replays", () => {
  it("an evaluation clears only the alerts of its scope", () => {
    const machine = new AlertStateMachine();
    const churn = { ...labels, model: "churn" };
    machine.evaluate({
      at: HOUR,
      conditions: [
        { labels, annotations: {} },
        { labels: churn, annotations: {} },
      ],
    });
    machine.evaluate({ at: 2 * HOUR, scope: { model: "bike", version: "1" }, conditions: [] });
    assert.deepEqual(
      machine
        .alerts()
        .map((a) => [a.labels.model, a.state])
        .sort(),
      [
        ["bike", "resolved"],
        ["churn", "firing"],
      ],
    );
  });

  it("insufficient data leaves alerts exactly as they were", () => {
    const machine = new AlertStateMachine();
    const scope = { model: "bike", version: "1" };
    const unknown = [{ alertname: "ModelLatencyHigh", model: "bike", version: "1" }];
    machine.evaluate({ at: HOUR, scope, conditions: [condition("150")] });
    machine.evaluate({ at: 2 * HOUR, scope, conditions: [], unknown });
    const pending = machine.alerts()[0]!;
    assert.deepEqual([pending.state, pending.evaluations, pending.updatedAt], ["pending", 1, HOUR]);
    machine.evaluate({ at: 3 * HOUR, scope, conditions: [condition("150")] });
    machine.evaluate({ at: 4 * HOUR, scope, conditions: [], unknown });
    assert.deepEqual(states(machine), ["firing"]);
  });

  it("ignores an evaluation of a time already evaluated (a replay run twice)", () => {
    const machine = new AlertStateMachine();
    machine.evaluate({ at: HOUR, conditions: [condition("150")] });
    const repeated = machine.evaluate({ at: HOUR, conditions: [condition("150")] });
    assert.equal(repeated.ignored, true);
    assert.equal(machine.alerts()[0]!.evaluations, 1);
  });

  it("normalises labels, counts a duplicated condition once, and restores from a JSON snapshot", () => {
    const machine = new AlertStateMachine();
    const withEmpty = { labels: { ...labels, column: "" }, annotations: {}, for: { windows: 2 } };
    machine.evaluate({ at: HOUR, conditions: [withEmpty, withEmpty] });
    assert.equal(machine.alerts()[0]!.evaluations, 1);
    assert.deepEqual(machine.alerts()[0]!.labels, labels);
    const restored = AlertStateMachine.fromSnapshot(JSON.parse(JSON.stringify(machine.snapshot())));
    restored.evaluate({ at: 2 * HOUR, conditions: [withEmpty] });
    assert.deepEqual(states(restored), ["firing"]);
    assert.equal(restored.evaluate({ at: HOUR, conditions: [] }).ignored, true);
  });

  it("lists alerts worst first", () => {
    const machine = new AlertStateMachine();
    machine.evaluate({
      at: HOUR,
      conditions: ["warning", "emergency", "ok", "critical"].map((severity) => ({
        labels: { ...labels, severity },
        annotations: {},
      })),
    });
    assert.deepEqual(
      machine.alerts().map((a) => a.labels.severity),
      ["emergency", "critical", "warning", "ok"],
    );
  });
});
