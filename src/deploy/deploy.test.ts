import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type ArmObservations,
  analyzeRollout,
  applyRolloutEvent,
  assertStageMove,
  canaryWeight,
  canMoveStage,
  compareAccuracy,
  compareAgreement,
  compareErrorRate,
  compareLatency,
  compareMae,
  comparePredictionDrift,
  fnv1a32,
  isShadowing,
  defaultAnalysisLimits as limits,
  overallOutcome,
  type Rollout,
  type RolloutEvent,
  rolloutSpec,
  rolloutStages,
  routesToCanary,
  routingBucket,
  startRollout,
} from "./index.js";

const close = (actual: number | null, expected: number, tolerance = 1e-9) =>
  assert.ok(actual !== null && Math.abs(actual - expected) <= tolerance, `${actual} ≠ ${expected}`);

// ---- routing ----------------------------------------------------------------------------------

test("FNV-1a 32 matches the published test vectors, so every replica buckets a key alike", () => {
  // Landon Curt Noll's FNV test suite (isthe.com/chongo/tech/comp/fnv): FNV-1a 32-bit.
  assert.equal(fnv1a32(""), 0x811c9dc5);
  assert.equal(fnv1a32("a"), 0xe40c292c);
  assert.equal(fnv1a32("foobar"), 0xbf9cf968);
  assert.equal(routingBucket("a"), 0xe40c292c % 10_000);
});

test("sticky routing: a key in the canary at 5 % stays there at 25 %, and weights hold on many keys", () => {
  let at5 = 0;
  let at25 = 0;
  for (let i = 0; i < 20_000; i++) {
    const key = `user-${i}`;
    const five = routesToCanary(key, 5);
    const quarter = routesToCanary(key, 25);
    if (five) assert.ok(quarter, `${key} left the canary when its weight grew`);
    at5 += five ? 1 : 0;
    at25 += quarter ? 1 : 0;
    assert.equal(routesToCanary(key, 0), false);
    assert.equal(routesToCanary(key, 100), true);
  }
  // Binomial(20000, p): 4 standard deviations either side.
  assert.ok(Math.abs(at5 - 1000) < 4 * Math.sqrt(20_000 * 0.05 * 0.95), `5 %: ${at5}`);
  assert.ok(Math.abs(at25 - 5000) < 4 * Math.sqrt(20_000 * 0.25 * 0.75), `25 %: ${at25}`);
});

// ---- stages -----------------------------------------------------------------------------------

test("stage moves: forward through shadow and canary, back to candidate, never production → canary", () => {
  assert.ok(canMoveStage("candidate", "shadow"));
  assert.ok(canMoveStage("canary", "candidate"));
  assert.ok(canMoveStage("archived", "production"));
  assert.ok(!canMoveStage("production", "canary"));
  assert.ok(!canMoveStage("archived", "canary"));
  assert.throws(() => assertStageMove("v2", "production", "shadow"), /cannot move from production to shadow/);
});

// ---- statistics (reference values: scipy 1.17, hand-worked where noted) -----------------------

test("accuracy: pooled two-proportion z-test, 80/100 against 90/100 fails (scipy norm.cdf(z))", () => {
  const r = compareAccuracy({ labelled: 100, correct: 80 }, { labelled: 100, correct: 90 }, limits);
  // z = −0.1 / √(0.85·0.15·0.02) = −1.9802950859533481; Φ(z) = 0.023835190328080732.
  close(r.pValue, 0.023835190328080732, 1e-12);
  assert.equal(r.outcome, "fail");
});

test("accuracy: 194/200 against 195/200 is inconclusive, 970/1000 against 975/1000 passes", () => {
  const small = compareAccuracy({ labelled: 200, correct: 194 }, { labelled: 200, correct: 195 }, limits);
  // scipy: Φ(−0.30574464017623393) = 0.37989954091504374; Wald lower bound −0.03189599749105361 < −0.02.
  close(small.pValue, 0.37989954091504374, 1e-12);
  assert.equal(small.outcome, "inconclusive");
  const large = compareAccuracy({ labelled: 1000, correct: 970 }, { labelled: 1000, correct: 975 }, limits);
  // Lower bound −0.005 − 1.6448536·√(0.97·0.03/1000 + 0.975·0.025/1000) = −0.0170283 ≥ −0.02.
  assert.equal(large.outcome, "pass");
  const few = compareAccuracy({ labelled: 99, correct: 0 }, { labelled: 500, correct: 500 }, limits);
  assert.equal(few.outcome, "inconclusive", "below the minimum sample, even a disaster is inconclusive");
});

test("MAE: Welch's one-sided t-test matches scipy ttest_ind(equal_var=False, alternative='greater')", () => {
  const a = [3.1, 2.4, 5.0, 4.2, 3.3, 2.9, 4.8, 3.7];
  const b = [2.0, 2.2, 1.9, 2.8, 2.5, 2.1, 2.4, 2.6, 2.3];
  const r = compareMae(a, b, { ...limits, minLabelled: 5 });
  // scipy: t = 3.993831432975578, df = 8.249504584230047, p = 0.001871577671002618.
  close(r.pValue, 0.001871577671002618, 1e-9);
  assert.equal(r.outcome, "fail");
  assert.equal(compareMae(b, b, { ...limits, minLabelled: 5 }).outcome, "inconclusive");
});

test("error rate: 30/1000 against 2/1000 fails (z = 4.98983, p = 3.0217e-7, scipy norm.sf)", () => {
  const r = compareErrorRate({ requests: 1000, errors: 30 }, { requests: 1000, errors: 2 }, limits);
  close(r.pValue, 3.02166877866495e-7, 1e-12);
  assert.equal(r.outcome, "fail");
  assert.equal(
    compareErrorRate({ requests: 1000, errors: 0 }, { requests: 1000, errors: 0 }, limits).outcome,
    "pass",
  );
});

test("latency: p99 is numpy's linear quantile; the limit is max(ratio × p99, p99 + slack)", () => {
  const production = Array.from({ length: 200 }, (_, i) => i + 1); // numpy: quantile(1..200, .99) = 198.01
  const slow = production.map((v) => v * 1.3);
  const r = compareLatency(slow, production, limits);
  close(r.production, 198.01, 1e-9);
  close(r.limit, 198.01 * 1.2, 1e-9);
  assert.equal(r.outcome, "fail");
  const fast = Array.from({ length: 200 }, () => 0.3);
  // Sub-millisecond p99s: 0.3 against 0.2 is within 0.2 + 2 ms.
  assert.equal(
    compareLatency(
      fast,
      fast.map(() => 0.2),
      limits,
    ).outcome,
    "pass",
  );
});

test("agreement: Wilson's interval (scipy-derived bounds 0.70532, 0.78992 for 300/400)", () => {
  const r = compareAgreement({ compared: 400, agreed: 300 }, limits);
  assert.equal(r.outcome, "fail");
  assert.match(r.reason, /at most 0\.7899/);
  assert.equal(compareAgreement({ compared: 400, agreed: 396 }, limits).outcome, "pass");
  assert.equal(compareAgreement({ compared: 400, agreed: 362 }, limits).outcome, "inconclusive");
});

const arm = (predictions: string[], extra: Partial<ArmObservations> = {}): ArmObservations => ({
  requests: predictions.length,
  errors: 0,
  latenciesMs: predictions.map(() => 0.5),
  predictions,
  scores: null,
  correct: null,
  absoluteErrors: null,
  ...extra,
});

test("prediction drift: chi-square on predicted classes (scipy chi2_contingency: χ² = 81.203) fails", () => {
  const production = arm([...Array(150).fill("0"), ...Array(50).fill("1")]);
  const canary = arm([...Array(60).fill("0"), ...Array(140).fill("1")]);
  const r = comparePredictionDrift(canary, production, "categorical", limits);
  close(r.pValue, 2.0368176751546025e-19, 1e-25);
  assert.equal(r.outcome, "fail");
  assert.equal(comparePredictionDrift(production, production, "categorical", limits).outcome, "pass");
});

test("the run's outcome is Argo's: any fail fails, else any inconclusive, else pass", () => {
  assert.equal(overallOutcome(["pass", "fail", "inconclusive"]), "fail");
  assert.equal(overallOutcome(["pass", "inconclusive"]), "inconclusive");
  assert.equal(overallOutcome(["pass", "pass"]), "pass");
  const good = arm([...Array(150).fill("0"), ...Array(150).fill("1")], {
    correct: { labelled: 300, correct: 294 },
  });
  const result = analyzeRollout({ task: "binary", canary: good, production: good, agreement: null });
  assert.deepEqual(
    result.metrics.map((m) => [m.metric, m.outcome]),
    [
      ["accuracy", "pass"],
      ["error_rate", "pass"],
      ["latency_p99", "pass"],
      ["prediction_drift", "pass"],
    ],
  );
  assert.equal(result.outcome, "pass");
});

// ---- the rollout state machine ----------------------------------------------------------------

const spec = rolloutSpec({ steps: [5, 25, 50, 100], analysisPeriodMs: 1000, progressDeadlineMs: 10_000 });
const fresh = (overrides: Partial<Parameters<typeof rolloutSpec>[0]> = {}): Rollout =>
  startRollout({
    id: "r1",
    model: "m",
    candidate: "v2",
    production: "v1",
    spec: rolloutSpec({ ...spec, ...overrides }),
    nowMs: 0,
  });
const run = (rollout: Rollout, events: Array<[RolloutEvent, number]>): Rollout =>
  events.reduce((r, [event, at]) => applyRolloutEvent(r, event, at).rollout, rollout);
const pass: RolloutEvent = { type: "analysis", outcome: "pass" };

test("rollout: four passed analyses walk 5 → 25 → 50 → 100 % and promote", () => {
  let r = fresh();
  const weights = [canaryWeight(r)];
  for (let i = 1; i <= 4; i++) {
    r = applyRolloutEvent(r, pass, i * 1000).rollout;
    weights.push(canaryWeight(r));
  }
  assert.deepEqual(weights, [5, 25, 50, 100, 0]);
  assert.equal(r.phase, "promoted");
  assert.deepEqual(rolloutStages(r), { candidate: "production", production: "archived" });
});

test("rollout: a failed analysis rolls back at once with failureLimit 0, the second with failureLimit 1", () => {
  const fail: RolloutEvent = { type: "analysis", outcome: "fail" };
  const r = run(fresh(), [[fail, 1000]]);
  assert.equal(r.phase, "rolled-back");
  assert.equal(canaryWeight(r), 0);
  assert.match(r.reason ?? "", /analysis failed/);
  assert.deepEqual(rolloutStages(r), { candidate: "candidate", production: "production" });
  const tolerant = run(fresh({ failureLimit: 1 }), [[fail, 1000]]);
  assert.equal(tolerant.phase, "canary");
  assert.equal(run(tolerant, [[fail, 2000]]).phase, "rolled-back");
});

test("rollout: inconclusive analyses stay on the step, then pause at the limit; resume restarts the step clock", () => {
  const maybe: RolloutEvent = { type: "analysis", outcome: "inconclusive" };
  const r = run(fresh(), [
    [maybe, 1000],
    [maybe, 2000],
  ]);
  assert.equal(r.phase, "canary");
  assert.equal(canaryWeight(r), 5);
  const paused = run(r, [[maybe, 3000]]);
  assert.equal(paused.phase, "paused");
  assert.equal(canaryWeight(paused), 5, "a paused canary keeps its weight");
  assert.equal(run(paused, [[{ type: "tick" }, 50_000]]).phase, "paused", "no deadline while paused");
  const resumed = run(paused, [[{ type: "resume" }, 50_000]]);
  assert.equal(resumed.phase, "canary");
  assert.equal(resumed.stepStartedMs, 50_000);
  assert.throws(() => applyRolloutEvent(resumed, { type: "resume" }, 50_001), /not paused/);
});

test("rollout: the progress deadline, a critical alert and a command each roll back; final rollouts refuse commands", () => {
  assert.equal(run(fresh(), [[{ type: "tick" }, 10_001]]).phase, "rolled-back");
  assert.equal(run(fresh(), [[{ type: "tick" }, 9_999]]).phase, "canary");
  const alerted = run(fresh(), [[{ type: "alert", alertname: "QualityDegraded" }, 10]]);
  assert.match(alerted.reason ?? "", /QualityDegraded/);
  const aborted = run(fresh(), [[{ type: "abort", reason: "bad smell" }, 10]]);
  assert.equal(aborted.phase, "aborted");
  assert.throws(() => applyRolloutEvent(aborted, { type: "promote" }, 20), /already aborted/);
  assert.equal(applyRolloutEvent(aborted, pass, 20).changed, false);
});

test("rollout: a restart resumes the step without promoting, or rolls back past the deadline", () => {
  const atLast = run(fresh(), [
    [pass, 1000],
    [pass, 2000],
    [pass, 3000],
  ]);
  assert.equal(canaryWeight(atLast), 100);
  const resumed = applyRolloutEvent(atLast, { type: "restart" }, 3500).rollout;
  assert.equal(resumed.phase, "canary");
  assert.equal(canaryWeight(resumed), 100);
  assert.equal(resumed.lastAnalysisMs, 3500, "the next analysis is a whole period after the restart");
  assert.equal(applyRolloutEvent(atLast, { type: "restart" }, 3000 + 10_001).rollout.phase, "rolled-back");
});

test("rollout: a shadow phase copies traffic until its time is up and an analysis passes", () => {
  let r = fresh({ shadowMs: 3000 });
  assert.ok(isShadowing(r));
  assert.equal(canaryWeight(r), 0);
  r = applyRolloutEvent(r, pass, 1000).rollout;
  assert.equal(r.phase, "shadow", "an analysis before the shadow time is up keeps shadowing");
  r = applyRolloutEvent(r, pass, 3000).rollout;
  assert.equal(r.phase, "canary");
  assert.equal(canaryWeight(r), 5);
});

test("rollout specs are checked: rising weights ending at 100", () => {
  assert.throws(() => rolloutSpec({ steps: [25, 5, 100] }), /increasing/);
  assert.throws(() => rolloutSpec({ steps: [5, 50] }), /last step must be 100/);
  assert.throws(() => rolloutSpec({ steps: [] }), /at least one/);
  assert.throws(
    () => startRollout({ id: "x", model: "m", candidate: "v1", production: "v1", spec, nowMs: 0 }),
    /already in production/,
  );
});
