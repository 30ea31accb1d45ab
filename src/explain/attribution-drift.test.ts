import assert from "node:assert/strict";
import { test } from "node:test";
import { attributionDrift, averageRanks, ndcgAtK, rankDescending, spearmanCorrelation } from "./index.js";

const close = (actual: number | null, expected: number, what: string) =>
  assert.ok(actual !== null && Math.abs(actual - expected) < 1e-12, `${what}: ${actual} vs ${expected}`);

test("nDCG: an identical ranking scores 1, whatever the current scale", () => {
  close(ndcgAtK([4, 3, 2, 1], [4, 3, 2, 1]), 1, "identical");
  close(ndcgAtK([4, 3, 2, 1], [0.4, 0.3, 0.2, 0.1]), 1, "same order, other scale");
  close(ndcgAtK([4, 3, 2, 1], [9, 8, 1, 2], 2), 1, "top 2 kept, tail swapped, k = 2");
});

test("nDCG: hand-worked reversed rankings", () => {
  // Relevance (4, 3, 2, 1); the current ranking is reversed, so it lists relevances 1, 2, 3, 4.
  //   DCG  = 1/log₂2 + 2/log₂3 + 3/log₂4 + 4/log₂5 = 1 + 1.2618595 + 1.5 + 1.7227062 = 5.4845657
  //   IDCG = 4/log₂2 + 3/log₂3 + 2/log₂4 + 1/log₂5 = 4 + 1.8927893 + 1 + 0.4306766 = 7.3234658
  //   nDCG = 0.7489030
  const l3 = Math.log2(3);
  const l5 = Math.log2(5);
  close(
    ndcgAtK([4, 3, 2, 1], [1, 2, 3, 4]),
    (1 + 2 / l3 + 1.5 + 4 / l5) / (4 + 3 / l3 + 1 + 1 / l5),
    "reversed",
  );
  assert.ok(Math.abs(ndcgAtK([4, 3, 2, 1], [1, 2, 3, 4])! - 0.748903) < 1e-6);
  // k = 2: (1 + 2/log₂3) / (4 + 3/log₂3) = 2.2618595 / 5.8927893 = 0.3838351.
  assert.ok(Math.abs(ndcgAtK([4, 3, 2, 1], [1, 2, 3, 4], 2)! - 0.3838351) < 1e-7);
  // SageMaker Clarify's college example: training (0.70, 0.50, 0.05), live (0.10, 0.20, 0.70).
  //   DCG = 0.05 + 0.5/log₂3 + 0.7/2 = 0.7154649; IDCG = 0.7 + 0.5/log₂3 + 0.05/2 = 1.0404649; 0.6876396.
  assert.ok(Math.abs(ndcgAtK([0.7, 0.5, 0.05], [0.1, 0.2, 0.7])! - 0.6876396) < 1e-7);
});

test("nDCG: negative reference importances carry no relevance; none positive gives null", () => {
  // Relevance (1, 0, 0.5): ranking x1 first costs only the discount of the others.
  //   DCG = 0/1 + 1/log₂3 + 0.5/2 = 0.8809298; IDCG = 1 + 0.5/log₂3 + 0 = 1.3154649; 0.6696684.
  const l3 = Math.log2(3);
  close(ndcgAtK([1, -5, 0.5], [0.1, 0.9, 0.05]), (1 / l3 + 0.25) / (1 + 0.5 / l3), "clipped");
  assert.equal(ndcgAtK([0, -1], [1, 2]), null);
  assert.throws(() => ndcgAtK([1, 2], [1]), /reference has 2 features, current 1/);
  assert.throws(() => ndcgAtK([1, Number.NaN], [1, 2]), /NaN/);
  assert.throws(() => ndcgAtK([1, 2], [1, 2], 0), /k must be an integer/);
});

test("Spearman: average ranks for ties, matching scipy.stats.spearmanr", () => {
  close(spearmanCorrelation([1, 2, 3], [30, 20, 10]), -1, "reversed");
  close(spearmanCorrelation([1, 2, 3], [1, 20, 300]), 1, "monotone");
  // scipy 1.17.1: spearmanr([1, 2, 2, 3, 5], [2, 1, 4, 4, 3]).statistic = 0.39473684210526316 (15/38).
  close(spearmanCorrelation([1, 2, 2, 3, 5], [2, 1, 4, 4, 3]), 15 / 38, "ties");
  // scipy: spearmanr([0.3, 0.1, 0.1, 0.0], [0.2, 0.2, 0.05, 0.01]).statistic = 0.8333333333333335.
  close(spearmanCorrelation([0.3, 0.1, 0.1, 0], [0.2, 0.2, 0.05, 0.01]), 5 / 6, "ties in both");
  assert.equal(spearmanCorrelation([1, 1, 1], [1, 2, 3]), null);
  assert.equal(spearmanCorrelation([1], [1]), null);
  assert.deepEqual(Array.from(averageRanks([10, 30, 10])), [1.5, 3, 1.5]);
  assert.deepEqual(rankDescending([0.1, 0.5, 0.1, Number.NaN, 0.7]), [4, 1, 0, 2, 3]);
});

test("attributionDrift: unchanged, reversed, and the features that moved", () => {
  const same = attributionDrift([0.7, 0.5, 0.05], [0.6, 0.45, 0.1]);
  assert.deepEqual(same, {
    ndcg: 1,
    spearman: 1,
    k: 3,
    topChanges: [],
    importanceChanges: [],
    reasons: [],
    drifted: false,
  });

  const reversed = attributionDrift([0.7, 0.5, 0.05], [0.1, 0.2, 0.7], { names: ["sat", "gpa", "rank"] });
  assert.equal(reversed.drifted, true);
  assert.equal(reversed.spearman, -1);
  assert.deepEqual(reversed.topChanges, [
    { feature: 0, name: "sat", reference: 0.7, current: 0.1, referenceRank: 1, currentRank: 3 },
    { feature: 2, name: "rank", reference: 0.05, current: 0.7, referenceRank: 3, currentRank: 1 },
  ]);

  // A swap in the tail, below k = 2, moves nothing that counts, and nDCG@2 is 1.
  const tail = attributionDrift([5, 4, 0.2, 0.1], [5, 4, 0.1, 0.2], { k: 2 });
  assert.deepEqual([tail.ndcg, tail.drifted, tail.topChanges.length], [1, false, 0]);
  close(tail.spearman, 0.8, "one adjacent swap of four: 1 − 6·2/(4·15)");

  // A mild swap of the top two, each worth about the same, is below the threshold only if asked.
  const mild = attributionDrift([1, 0.95, 0.1], [0.9, 1, 0.1]);
  assert.ok(mild.ndcg! > 0.9 && !mild.drifted);
  assert.equal(attributionDrift([1, 0.95, 0.1], [0.9, 1, 0.1], { threshold: 0.99 }).drifted, true);
  assert.deepEqual(
    mild.topChanges.map((c) => [c.name, c.referenceRank, c.currentRank]),
    [
      ["x0", 1, 2],
      ["x1", 2, 1],
    ],
  );
  assert.throws(() => attributionDrift([1, 2], [1, 2], { names: ["a"] }), /1 names for 2 features/);
});

test("attributionDrift: a top feature whose importance falls from 97 to 37 has drifted, though nDCG is 0.98", () => {
  // The bike model's case, constructed: hr dominates the reference (97) and keeps first place with 37;
  // the other ten shuffle at low importance.
  const names = [
    "hr",
    "temp",
    "atemp",
    "hum",
    "workingday",
    "weathersit",
    "season",
    "mnth",
    "weekday",
    "windspeed",
    "holiday",
  ];
  const reference = [97, 30, 22, 16, 12, 9, 7, 5, 3, 2, 1];
  const current = [37, 22, 30, 2, 16, 1, 9, 3, 7, 5, 12];
  // nDCG by its definition, the reference as relevance, the current values giving the order (distinct).
  const order = current.map((_, i) => i).sort((a, b) => current[b]! - current[a]!);
  const ideal = [...reference].sort((a, b) => b - a);
  let dcg = 0;
  let idcg = 0;
  order.forEach((f, i) => {
    dcg += reference[f]! / Math.log2(i + 2);
    idcg += ideal[i]! / Math.log2(i + 2);
  });
  // Spearman without ties: 1 − 6·Σd² / (n(n² − 1)), d the difference of a feature's two ranks.
  const rank = (v: number[]) => v.map((x) => v.filter((y) => y > x).length + 1);
  const [ra, rb] = [rank(reference), rank(current)];
  const d2 = ra.reduce((sum, r, i) => sum + (r - rb[i]!) ** 2, 0);
  const drift = attributionDrift(reference, current, { names });
  close(drift.ndcg, dcg / idcg, "nDCG");
  assert.equal(Math.round(drift.ndcg! * 100) / 100, 0.98);
  close(drift.spearman, 1 - (6 * d2) / (11 * 120), "Spearman");
  close(drift.spearman, 0.5, "Spearman 0.5");
  assert.equal(
    attributionDrift(reference, current, { names, importanceFactor: 100 }).drifted,
    false,
    "rank alone: stable",
  );
  assert.deepEqual(drift.reasons, ["importance"]);
  assert.equal(drift.drifted, true);
  assert.deepEqual(drift.importanceChanges, [
    { feature: 0, name: "hr", reference: 97, current: 37, referenceRank: 1, currentRank: 1 },
  ]);

  // The boundary: exactly halved counts, just above half does not; doubling counts the same way; a
  // feature outside the top 3 may change as it likes; a top feature at zero or below counts; a change
  // under a tenth of the total importance does not.
  assert.deepEqual(attributionDrift([10, 5, 4, 1], [5, 5, 4, 1]).reasons, ["importance"]);
  assert.deepEqual(attributionDrift([10, 5, 4, 1], [5.01, 5, 4, 1]).reasons, []);
  assert.deepEqual(
    attributionDrift([10, 5, 4, 1], [10, 10, 4, 1]).importanceChanges.map((c) => c.feature),
    [1],
  );
  assert.deepEqual(attributionDrift([10, 5, 4, 1], [10, 5, 4, 3]).reasons, []);
  assert.deepEqual(
    attributionDrift([10, 5, 4, 1], [10, 5, -1, 1]).importanceChanges.map((c) => c.feature),
    [2],
  );
  assert.deepEqual(attributionDrift([10, 5, 1, 0.5], [10, 5, 2.5, 0.5]).reasons, [], "1.5 < 0.1 × 16.5");
  assert.deepEqual(
    attributionDrift([10, 5, 4, 1], [6, 5, 4, 1], { importanceFactor: 1.5, topK: 1 }).reasons,
    ["importance"],
  );
  assert.throws(() => attributionDrift([1, 2], [1, 2], { importanceFactor: 1 }), /importanceFactor/);
});
