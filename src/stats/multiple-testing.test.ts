import assert from "node:assert/strict";
import { test } from "node:test";
import { correct } from "./multiple-testing.js";

// Every expected value below is worked by hand in the comment beside it.
const near = (actual: ArrayLike<number>, expected: number[]) => {
  for (const [i, e] of expected.entries())
    assert.ok(Math.abs(actual[i]! - e) < 1e-12, `index ${i}: ${actual[i]} vs ${e}`);
};

test("bonferroni: threshold α/m, adjusted p = min(1, m·p)", () => {
  const r = correct([0.01, 0.04, 0.03, 0.5], 0.05, "bonferroni");
  assert.equal(r.tests, 4);
  assert.equal(r.threshold, 0.0125); // 0.05 / 4
  assert.deepEqual(r.significant, [true, false, false, false]); // only 0.01 ≤ 0.0125
  near(r.adjusted, [0.04, 0.16, 0.12, 1]);
});

test("holm: step-down stops at the first rank that fails", () => {
  // sorted 0.01, 0.03, 0.04; steps 0.05/3 = 0.0167 (0.01 passes), 0.05/2 = 0.025 (0.03 fails: stop)
  const r = correct([0.01, 0.04, 0.03], 0.05, "holm");
  assert.equal(r.threshold, 0.025);
  assert.deepEqual(r.significant, [true, false, false]);
  near(r.adjusted, [0.03, 0.06, 0.06]); // 3·0.01; max(0.06, 1·0.04); max(0.03, 2·0.03)
  // all steps pass (0.01 ≤ 0.0167, 0.02 ≤ 0.025, 0.03 ≤ 0.05): Holm rejects all three, Bonferroni one
  const all = correct([0.03, 0.01, 0.02], 0.05, "holm");
  assert.equal(all.threshold, 0.05);
  assert.deepEqual(all.significant, [true, true, true]);
  assert.deepEqual(correct([0.03, 0.01, 0.02], 0.05, "bonferroni").significant, [false, true, false]);
});

test("bh: step-up takes the largest k with p(k) ≤ k·α/m", () => {
  // thresholds 0.0125, 0.025, 0.0375, 0.05: p(1) = 0.02 and p(2) = 0.03 fail, p(3) = 0.035 passes → k = 3
  const r = correct([0.02, 0.03, 0.035, 0.5], 0.05, "bh");
  near([r.threshold], [0.0375]);
  assert.deepEqual(r.significant, [true, true, true, false]);
  near(r.adjusted, [0.14 / 3, 0.14 / 3, 0.14 / 3, 0.5]); // min over j ≥ k of m·p(j)/j: 4·0.035/3
  const none = correct([0.2, 0.3], 0.05, "bh");
  assert.equal(none.threshold, 0.025); // no k passes: α/m
  assert.deepEqual(none.significant, [false, false]);
});

test("none: the raw α; an empty family keeps α and has m = 0", () => {
  const r = correct([0.04, 0.06], 0.05, "none");
  assert.equal(r.threshold, 0.05);
  assert.deepEqual(r.significant, [true, false]);
  const empty = correct([], 0.05, "bonferroni");
  assert.equal(empty.tests, 0);
  assert.equal(empty.threshold, 0.05);
});

test("ties at the threshold count as significant (p ≤ threshold)", () => {
  assert.deepEqual(correct([0.025, 0.5], 0.05, "bonferroni").significant, [true, false]);
});
