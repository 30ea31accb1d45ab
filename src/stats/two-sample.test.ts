import assert from "node:assert/strict";
import { test } from "node:test";
import { closeTo, loadScipyDriftCases } from "../testing/golden.js";
import { seededRandom } from "../testing/random.js";
import { ksStatisticSorted } from "./ks.js";
import { sortedFinite } from "./sort.js";
import { ksWassersteinSorted } from "./two-sample.js";
import { wassersteinSorted } from "./wasserstein.js";

test("golden: the fused walk gives scipy's D and Wasserstein-1 for all 80 cases", () => {
  for (const c of loadScipyDriftCases()) {
    const { d, w } = ksWassersteinSorted(
      sortedFinite(Float64Array.from(c.reference)),
      sortedFinite(Float64Array.from(c.current)),
    );
    assert.ok(closeTo(d, c.ks_statistic, 0, 1e-12), `${c.id} D ${d} vs ${c.ks_statistic}`);
    assert.ok(closeTo(w, c.wasserstein, 1e-12, 1e-12), `${c.id} W ${w} vs ${c.wasserstein}`);
  }
});

test("the fused walk equals the separate statistics on ties, one-sided overlaps and single values", () => {
  const rng = seededRandom(8);
  const cases: Array<[Float64Array, Float64Array]> = [
    [Float64Array.of(1), Float64Array.of(2)],
    [Float64Array.of(2), Float64Array.of(2)],
    [Float64Array.of(1, 1, 2, 2, 3), Float64Array.of(2, 2, 2, 5)],
    [Float64Array.of(5, 6, 7), Float64Array.of(1, 2, 3)],
    [
      Float64Array.from({ length: 5000 }, () => Math.floor(rng.uniform() * 7)),
      Float64Array.from({ length: 3001 }, () => Math.floor(rng.uniform() * 9)),
    ],
  ].map(([a, b]) => [sortedFinite(a!), sortedFinite(b!)]);
  for (const [a, b] of cases) {
    const fused = ksWassersteinSorted(a, b);
    assert.equal(fused.d, ksStatisticSorted(a, b));
    assert.ok(closeTo(fused.w, wassersteinSorted(a, b), 1e-13, 1e-15));
  }
  assert.throws(() => ksWassersteinSorted(new Float64Array(0), Float64Array.of(1)), RangeError);
});

test("a few ties inside mostly distinct data (the branch-free path) give the separate walks' results", () => {
  const rng = seededRandom(9);
  for (let round = 0; round < 20; round++) {
    const make = (n: number, shift: number) =>
      sortedFinite(
        Float64Array.from({ length: n }, () => {
          const v = rng.normal() + shift;
          // about one value in ten snaps to a coarse grid, so ties occur within and across samples
          return rng.uniform() < 0.1 ? Math.round(v * 4) / 4 : v;
        }),
      );
    const a = make(500 + round * 37, 0);
    const b = make(700 - round * 11, round % 3 === 0 ? 0 : 0.2);
    const fused = ksWassersteinSorted(a, b);
    assert.equal(fused.d, ksStatisticSorted(a, b), `round ${round}`);
    assert.ok(closeTo(fused.w, wassersteinSorted(a, b), 1e-13, 1e-15), `round ${round}`);
  }
});
