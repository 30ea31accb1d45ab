import assert from "node:assert/strict";
import { test } from "node:test";
import { closeTo, loadScipyDriftCases } from "../testing/golden.js";
import { KS_MAX_AUTO_N, ksStatisticSorted, ksTwoSample } from "./ks.js";

const sorted = (values: readonly number[]): Float64Array => Float64Array.from(values).sort();
const range = (start: number, end: number, offset = 0): number[] =>
  Array.from({ length: end - start }, (_, i) => start + i + offset);

/** Deterministic PRNG (mulberry32) so the randomised checks are reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test("golden: D, auto/asymp/exact p-values match scipy 1.10.1 ks_2samp for all 80 cases", () => {
  const cases = loadScipyDriftCases();
  assert.equal(cases.length, 80);
  let exactCases = 0;
  for (const c of cases) {
    const a = sorted(c.reference);
    const b = sorted(c.current);
    const auto = ksTwoSample(a, b);
    assert.ok(Math.abs(auto.statistic - c.ks_statistic) <= 1e-9, `${c.id} D ${auto.statistic}`);
    assert.ok(Math.abs(ksStatisticSorted(a, b) - c.ks_statistic) <= 1e-9, `${c.id} raw D`);
    assert.ok(closeTo(auto.pValue, c.ks_pvalue_auto, 1e-6, 1e-12), `${c.id} auto ${auto.pValue}`);
    assert.equal(auto.method, Math.max(a.length, b.length) <= KS_MAX_AUTO_N ? "exact" : "asymp", c.id);
    const asymp = ksTwoSample(a, b, "asymp");
    assert.ok(closeTo(asymp.pValue, c.ks_pvalue_asymp, 1e-6, 1e-12), `${c.id} asymp ${asymp.pValue}`);
    if (c.ks_pvalue_exact !== null) {
      exactCases++;
      const exact = ksTwoSample(a, b, "exact");
      assert.ok(closeTo(exact.pValue, c.ks_pvalue_exact, 1e-6, 1e-12), `${c.id} exact ${exact.pValue}`);
    }
  }
  assert.equal(exactCases, 34);
});

test("golden: tiny p-values keep their relative accuracy (down to 1e-321), not just 1e-12 absolute", () => {
  for (const c of loadScipyDriftCases()) {
    const a = sorted(c.reference);
    const b = sorted(c.current);
    const auto = ksTwoSample(a, b).pValue;
    const asymp = ksTwoSample(a, b, "asymp").pValue;
    // No absolute slack: a p-value of 4.16e-321 (case11_077) must not come out as 0.
    assert.ok(closeTo(auto, c.ks_pvalue_auto, 1e-9, 0), `${c.id} auto ${auto} vs ${c.ks_pvalue_auto}`);
    assert.ok(closeTo(asymp, c.ks_pvalue_asymp, 1e-9, 0), `${c.id} asymp ${asymp} vs ${c.ks_pvalue_asymp}`);
  }
  const c077 = loadScipyDriftCases().find((c) => c.id === "case11_077");
  assert.ok(c077 !== undefined);
  assert.equal(ksTwoSample(sorted(c077.reference), sorted(c077.current)).pValue, 4.16e-321);
});

test("scipy docstring examples: same p-value for the same sizes and D", () => {
  // >>> stats.ks_2samp(sample1, sample2)  # sizes 100 and 110
  // KstestResult(statistic=0.5454545454545454, pvalue=7.37417839555191e-15)
  // Exact p-values depend only on (n1, n2, D), so a constructed sample with that D must agree.
  const r1 = ksTwoSample(sorted(range(0, 100)), sorted([...range(-60, 0), ...range(200, 250)]));
  assert.equal(r1.statistic, 0.5454545454545454);
  assert.ok(closeTo(r1.pValue, 7.37417839555191e-15, 1e-12, 0), `${r1.pValue}`);
  // >>> stats.ks_2samp(sample1, sample2)  # sizes 105 and 95
  // KstestResult(statistic=0.10927318295739348, pvalue=0.5438289009927495)
  const r2 = ksTwoSample(
    sorted([...range(10, 27), ...range(100, 188, 0.5)]),
    sorted([...range(0, 5), ...range(100, 190)]),
  );
  assert.equal(r2.statistic, 0.10927318295739348);
  assert.ok(closeTo(r2.pValue, 0.5438289009927495, 1e-12, 0), `${r2.pValue}`);
});

test("400 vs 400 shifted by 194: exact p-value 5.265078425024175e-43 (equal-size Horner path)", () => {
  // /usr/bin/python3: stats.ks_2samp(np.arange(400.), np.arange(400.) + 194) (scipy 1.10.1)
  const r = ksTwoSample(sorted(range(0, 400)), sorted(range(0, 400, 194)));
  assert.equal(r.method, "exact");
  assert.equal(r.statistic, 0.485);
  assert.ok(closeTo(r.pValue, 5.265078425024175e-43, 1e-12, 0), `${r.pValue}`);
});

test("small samples, ties and identical samples (values from scipy 1.10.1)", () => {
  // stats.ks_2samp([1,2,3,4],[5,6,7,8]) -> statistic=1.0, pvalue=0.028571428571428577
  const disjoint = ksTwoSample(sorted([1, 2, 3, 4]), sorted([5, 6, 7, 8]));
  assert.deepEqual(disjoint, { statistic: 1, pValue: 0.028571428571428577, method: "exact" });
  // stats.ks_2samp([1,2,3],[2,3,4]) -> statistic=0.3333333333333333, pvalue=1.0
  assert.deepEqual(ksTwoSample(sorted([1, 2, 3]), sorted([2, 3, 4])), {
    statistic: 0.3333333333333333,
    pValue: 1,
    method: "exact",
  });
  // n = 1 each: stats.ks_2samp([1.],[2.]) -> (1.0, 1.0); method='asymp' -> pvalue=nan (round(0.5) = 0)
  assert.deepEqual(ksTwoSample(sorted([1]), sorted([2])), { statistic: 1, pValue: 1, method: "exact" });
  const asymp11 = ksTwoSample(sorted([1]), sorted([2]), "asymp");
  assert.equal(asymp11.statistic, 1);
  assert.ok(Number.isNaN(asymp11.pValue));
  // stats.ks_2samp([1.],[2.,3.]) -> (1.0, 0.6666666666666666)
  assert.deepEqual(ksTwoSample(sorted([1]), sorted([2, 3])), {
    statistic: 1,
    pValue: 0.6666666666666666,
    method: "exact",
  });
  // Identical single values and all-equal samples: D = 0, p = 1 (h = 0 shortcut).
  assert.deepEqual(ksTwoSample(sorted([1]), sorted([1])), { statistic: 0, pValue: 1, method: "exact" });
  assert.deepEqual(ksTwoSample(sorted([5, 5, 5]), sorted([5, 5])), {
    statistic: 0,
    pValue: 1,
    method: "exact",
  });
  assert.equal(ksTwoSample(sorted([5, 5, 5]), sorted([5, 5]), "asymp").pValue, 1);
  // Ties across samples: stats.ks_2samp([1,2,2,3],[2,2,2,2,4]) -> (0.25, 0.9920634920634921);
  // method='asymp' -> (0.25, 1.0)
  const a = sorted([1, 2, 2, 3]);
  const b = sorted([2, 2, 2, 2, 4]);
  assert.deepEqual(ksTwoSample(a, b), { statistic: 0.25, pValue: 0.9920634920634921, method: "exact" });
  assert.deepEqual(ksTwoSample(a, b, "asymp"), { statistic: 0.25, pValue: 1, method: "asymp" });
});

test("identical large samples: D = 0 and p = 1 in every mode", () => {
  const next = rng(3);
  const x = Float64Array.from({ length: 20000 }, () => next()).sort();
  for (const mode of ["auto", "exact", "asymp"] as const) {
    const r = ksTwoSample(x, x, mode);
    assert.equal(r.statistic, 0, mode);
    assert.equal(r.pValue, 1, mode);
  }
});

test("mode selection: auto is exact up to 10000 per side; exact falls back when lcm overflows int32", () => {
  const small = Float64Array.from(range(0, 10000)).sort();
  const other = Float64Array.from(range(0, 9000, 0.5)).sort();
  assert.equal(ksTwoSample(small, other).method, "exact");
  const big = Float64Array.from(range(0, 10001)).sort();
  assert.equal(ksTwoSample(big, other).method, "asymp");
  assert.equal(ksTwoSample(big, other, "exact").method, "exact");
  // stats.ks_2samp(np.arange(50000.), np.arange(49999.) + 0.5, method='exact') warns and returns
  // statistic=2.0000000000020002e-05, pvalue=1.0 from the asymptotic distribution.
  const r = ksTwoSample(sorted(range(0, 50000)), sorted(range(0, 49999, 0.5)), "exact");
  assert.deepEqual(r, { statistic: 2.0000000000020002e-5, pValue: 1, method: "asymp" });
});

test("exact mode reports D snapped to h/lcm, as scipy does", () => {
  const next = rng(11);
  for (let trial = 0; trial < 20; trial++) {
    const a = Float64Array.from({ length: 7 + trial * 3 }, () => next()).sort();
    const b = Float64Array.from({ length: 11 + trial * 5 }, () => next() + 0.1).sort();
    const raw = ksStatisticSorted(a, b);
    const exact = ksTwoSample(a, b, "exact");
    const asymp = ksTwoSample(a, b, "asymp");
    assert.equal(asymp.statistic, raw);
    assert.ok(Math.abs(exact.statistic - raw) < 1e-12);
    // Symmetric in the order of the samples.
    const swapped = ksTwoSample(b, a, "exact");
    assert.equal(swapped.statistic, exact.statistic);
    assert.ok(closeTo(swapped.pValue, exact.pValue, 1e-12, 0));
  }
});

test("ksStatisticSorted equals the brute-force ECDF maximum, with ties", () => {
  const next = rng(5);
  for (let trial = 0; trial < 50; trial++) {
    const na = 1 + Math.floor(next() * 60);
    const nb = 1 + Math.floor(next() * 60);
    // Few distinct values so ties within and across samples are common.
    const a = Float64Array.from({ length: na }, () => Math.floor(next() * 8)).sort();
    const b = Float64Array.from({ length: nb }, () => Math.floor(next() * 8 + (trial % 3))).sort();
    let brute = 0;
    for (const x of [...a, ...b]) {
      const fa = a.filter((v) => v <= x).length / na;
      const fb = b.filter((v) => v <= x).length / nb;
      brute = Math.max(brute, Math.abs(fa - fb));
    }
    assert.equal(ksStatisticSorted(a, b), brute);
  }
});

test("empty samples are rejected", () => {
  assert.throws(() => ksStatisticSorted(new Float64Array(0), Float64Array.of(1)), RangeError);
  assert.throws(() => ksTwoSample(Float64Array.of(1), new Float64Array(0)), RangeError);
});
