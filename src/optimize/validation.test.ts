import assert from "node:assert/strict";
import { test } from "node:test";
import { foldAccuracies, kFold, meanStd, stratifiedKFold } from "./k-fold.js";
import { summarizeLatency } from "./latency-summary.js";
import { dropInterval, mcnemarExact, pairedAccuracyDrop } from "./paired-drop.js";
import { studentTCdf, studentTQuantile } from "./student-t.js";

const close = (actual: number, expected: number, tolerance = 1e-12) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} ≠ ${expected}`);

test("Student t: closed forms for ν = 1, 2 and scipy 1.17.1's values", () => {
  close(studentTQuantile(0.975, 1), Math.tan(0.475 * Math.PI), 1e-9);
  close(studentTQuantile(0.975, 2), 0.95 / Math.sqrt(2 * 0.975 * 0.025), 1e-12);
  close(studentTQuantile(0.975, 4), 2.7764451051977934, 1e-12); // scipy.stats.t.ppf
  close(studentTQuantile(0.95, 4), 2.1318467863266495, 1e-12);
  close(studentTQuantile(0.975, 9), 2.262157162798205, 1e-12);
  close(studentTQuantile(0.99, 29), 2.4620213601504126, 1e-11);
  close(studentTCdf(1.5, 7), 0.911350756505015, 1e-14); // scipy.stats.t.cdf
  close(studentTCdf(-2.2, 6), 0.03505109317158595, 1e-14);
  close(studentTQuantile(0.025, 4), -2.7764451051977934, 1e-12);
});

test("k-fold: a partition into k folds whose sizes differ by at most one, the same for a seed", () => {
  const folds = kFold(23, { k: 5, seed: 9 });
  const sizes = [0, 0, 0, 0, 0];
  for (const f of folds) sizes[f]! += 1;
  assert.deepEqual(sizes.sort(), [4, 4, 5, 5, 5]);
  assert.deepEqual(kFold(23, { k: 5, seed: 9 }), folds);
  assert.notDeepEqual(kFold(23, { k: 5, seed: 10 }), folds);
});

test("stratified k-fold: every class spread over the folds as evenly as possible", () => {
  const labels = Int32Array.from({ length: 103 }, (_, i) => (i < 60 ? 0 : i < 95 ? 1 : 2)); // 60 / 35 / 8
  const folds = stratifiedKFold(labels, { k: 5, seed: 1 });
  for (const [label, n] of [
    [0, 60],
    [1, 35],
    [2, 8],
  ] as const) {
    const perFold = [0, 0, 0, 0, 0];
    for (let i = 0; i < labels.length; i++) if (labels[i] === label) perFold[folds[i]!]! += 1;
    for (const c of perFold)
      assert.ok(c === Math.floor(n / 5) || c === Math.ceil(n / 5), `${label}: ${perFold}`);
  }
  const sizes = [0, 0, 0, 0, 0];
  for (const f of folds) sizes[f]! += 1;
  assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1);
  assert.throws(() => stratifiedKFold([0, 1], { k: 5 }), RangeError);
});

test("fold accuracies, mean and sample standard deviation", () => {
  assert.deepEqual([...foldAccuracies(Uint8Array.of(1, 0, 1, 1), Int32Array.of(0, 0, 1, 1), 2)], [0.5, 1]);
  const { mean, std } = meanStd([1, 2, 3, 4]);
  assert.equal(mean, 2.5);
  close(std, Math.sqrt(5 / 3));
});

test("paired drop: per-fold differences, mean, SE and Student t bounds by hand", () => {
  // 5 folds of 100 rows; the baseline gets 95 right in each, the candidate 94, 93, 95, 94, 94.
  const candidateRight = [94, 93, 95, 94, 94];
  const folds = new Int32Array(500);
  const base = new Uint8Array(500);
  const cand = new Uint8Array(500);
  for (let f = 0; f < 5; f++)
    for (let j = 0; j < 100; j++) {
      folds[f * 100 + j] = f;
      base[f * 100 + j] = j < 95 ? 1 : 0;
      cand[f * 100 + j] = j < candidateRight[f]! ? 1 : 0;
    }
  const d = pairedAccuracyDrop(base, cand, folds, 5);
  // Drops 0.01, 0.02, 0, 0.01, 0.01: mean 0.01, std √(2e-4/4), SE std/√5.
  [0.01, 0.02, 0, 0.01, 0.01].forEach((v, i) => {
    close(d.drops[i]!, v, 1e-15);
  });
  close(d.meanDrop, 0.01, 1e-15);
  const se = Math.sqrt(2e-4 / 4) / Math.sqrt(5);
  close(d.standardError, se, 1e-15);
  close(d.upperOneSided, 0.01 + 2.1318467863266495 * se, 1e-12);
  close(d.upper, 0.01 + 2.7764451051977934 * se, 1e-12);
  close(d.lower, 0.01 - 2.7764451051977934 * se, 1e-12);
  close(
    dropInterval(Float64Array.of(0.01, 0.02, 0.03)).upper,
    0.02 + (4.302652729749464 * 0.01) / Math.sqrt(3),
    1e-9,
  );
});

test("McNemar exact: 8 discordant rows one way, 2 the other", () => {
  const base = Uint8Array.of(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 0);
  const cand = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0);
  const m = mcnemarExact(base, cand);
  assert.equal(m.baselineOnly, 8);
  assert.equal(m.candidateOnly, 2);
  close(m.pValue, 0.109375, 1e-12); // 2·(1 + 10 + 45)/1024; scipy.stats.binomtest(2, 10).pvalue
  close(m.drop, 6 / 12);
  assert.equal(mcnemarExact(base, base).pValue, 1);
});

test("latency summary: numpy-linear percentiles and the recorded protocol", () => {
  // p50 = 3; p95 at position 0.95·4 = 3.8 → 4 + 0.8 = 4.8; p99 at 3.96 → 4.96.
  const s = summarizeLatency([4, 1, 3, 2, 5], { warmups: 3, rounds: 5 });
  assert.deepEqual(
    { ...s, p95: Math.round(s.p95 * 1e12) / 1e12, p99: Math.round(s.p99 * 1e12) / 1e12 },
    {
      runs: 5,
      warmups: 3,
      rounds: 5,
      p50: 3,
      p95: 4.8,
      p99: 4.96,
      mean: 3,
      min: 1,
      max: 5,
    },
  );
  assert.throws(() => summarizeLatency([]), RangeError);
});
