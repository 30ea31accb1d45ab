import assert from "node:assert/strict";
import { test } from "node:test";
import { acceptCandidate, DEFAULT_ACCEPTANCE } from "./acceptance.js";
import { objectiveScore, rankCandidates } from "./objective.js";

test("the seed's rules: absolute 0.01 drop, 20% latency improvement", () => {
  assert.deepEqual(DEFAULT_ACCEPTANCE, {
    accuracyDropLimit: 0.01,
    latencyImprovement: 0.2,
    requireUpperBound: true,
  });
});

test("every failed rule is reported with how far it missed", () => {
  const d = acceptCandidate({ accuracyDrop: { mean: 0.013 }, latency: { baselineMs: 50, candidateMs: 44 } });
  assert.equal(d.accepted, false);
  assert.deepEqual(
    d.rejections.map((r) => r.message),
    ["accuracy drop 0.013 > limit 0.01 by 0.003", "latency improvement 12.0% < required 20.0%"],
  );
  assert.deepEqual(
    d.rejections.map((r) => r.rule),
    ["accuracy_drop", "latency_improvement"],
  );
  assert.ok(Math.abs(d.rejections[0]!.by - 0.003) < 1e-12);
  assert.ok(Math.abs(d.rejections[1]!.by - 0.08) < 1e-12);
  assert.ok(Math.abs(d.latencyImprovement - 0.12) < 1e-12);
});

test("a drop within the limit but an upper bound beyond it is rejected (a lucky fold cannot pass)", () => {
  const evidence = {
    accuracyDrop: { mean: 0.008, upperBound: 0.0125, confidence: 0.95 },
    latency: { baselineMs: 5, candidateMs: 2.9 },
  };
  const d = acceptCandidate(evidence);
  assert.deepEqual(
    d.rejections.map((r) => r.message),
    ["accuracy drop upper bound (95%) 0.0125 > limit 0.01 by 0.0025"],
  );
  assert.equal(acceptCandidate(evidence, { ...DEFAULT_ACCEPTANCE, requireUpperBound: false }).accepted, true);
});

test("accepted: drop and bound within the limit, 42% faster, agreement passed", () => {
  const d = acceptCandidate({
    accuracyDrop: { mean: 0.004, upperBound: 0.009 },
    latency: { baselineMs: 4.98, candidateMs: 2.9 },
    agreement: { agrees: true, reasons: [] },
  });
  assert.deepEqual(d.rejections, []);
  assert.equal(d.accepted, true);
});

test("the correctness gate rejects on its own; an improvement exactly at 20% passes; NaN fails", () => {
  const d = acceptCandidate({
    accuracyDrop: { mean: 0 },
    latency: { baselineMs: 10, candidateMs: 8 },
    agreement: { agrees: false, reasons: ["relative RMSE 3.84 > limit 0.1"] },
  });
  assert.deepEqual(
    d.rejections.map((r) => r.message),
    ["int8 output disagrees with fp32: relative RMSE 3.84 > limit 0.1"],
  );
  const nan = acceptCandidate({
    accuracyDrop: { mean: Number.NaN },
    latency: { baselineMs: 10, candidateMs: 5 },
  });
  assert.deepEqual(
    nan.rejections.map((r) => r.rule),
    ["accuracy_drop"],
  );
});

test("objective: 0.4·min(1, acc/0.95) + 0.3·min(1, 50/p95) + 0.3·clamp(1 − R/R_base)", () => {
  const s = objectiveScore({ accuracy: 0.95, p95Ms: 100, resourceBytes: 25, baselineResourceBytes: 100 });
  assert.deepEqual(s, { score: 0.4 + 0.15 + 0.225, accuracy: 1, latency: 0.5, resource: 0.75 });
  const slowBig = objectiveScore({
    accuracy: 0.76,
    p95Ms: 25,
    resourceBytes: 150,
    baselineResourceBytes: 100,
  });
  // 0.76/0.95 = 0.8; latency capped at 1; a larger model scores 0 on resources.
  assert.ok(Math.abs(slowBig.score - (0.4 * 0.8 + 0.3)) < 1e-12);
  assert.equal(slowBig.resource, 0);
});

test("ranking: accepted first by score, ties by lower p95 then id; rejected score 0 and come last", () => {
  const inputs = (p95Ms: number, resourceBytes: number) => ({
    accuracy: 0.95,
    p95Ms,
    resourceBytes,
    baselineResourceBytes: 100,
  });
  const ranked = rankCandidates([
    { id: "rejected-best", accepted: false, inputs: inputs(10, 10) },
    { id: "b", accepted: true, inputs: inputs(40, 50) }, // 0.4 + 0.3 + 0.15
    { id: "a", accepted: true, inputs: inputs(30, 50) }, // same score, lower p95
    { id: "c", accepted: true, inputs: inputs(100, 25) }, // 0.4 + 0.15 + 0.225
  ]);
  assert.deepEqual(
    ranked.map((r) => r.id),
    ["a", "b", "c", "rejected-best"],
  );
  assert.equal(ranked[3]!.score, 0);
});
