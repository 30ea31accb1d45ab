import assert from "node:assert/strict";
import { test } from "node:test";
import { closeTo, loadScipyDriftCases } from "../testing/golden.js";
import {
  populationStd,
  WASSERSTEIN_MIN_STD,
  wassersteinNormedSorted,
  wassersteinSorted,
} from "./wasserstein.js";

const sorted = (values: readonly number[]): Float64Array => Float64Array.from(values).sort();

test("golden: Wasserstein-1, reference std and normalised Wasserstein match scipy/numpy for all 80 cases", () => {
  const cases = loadScipyDriftCases();
  assert.equal(cases.length, 80);
  for (const c of cases) {
    const ref = sorted(c.reference);
    const cur = sorted(c.current);
    const w = wassersteinSorted(ref, cur);
    assert.ok(closeTo(w, c.wasserstein, 1e-9, 1e-9), `${c.id} W1 ${w} vs ${c.wasserstein}`);
    const std = populationStd(ref);
    assert.ok(closeTo(std, c.reference_std, 1e-9, 1e-9), `${c.id} std ${std} vs ${c.reference_std}`);
    const normed = wassersteinNormedSorted(ref, cur);
    assert.ok(c.wasserstein_normed !== null, c.id);
    assert.ok(closeTo(normed, c.wasserstein_normed, 1e-9, 1e-9), `${c.id} normed ${normed}`);
    assert.equal(wassersteinNormedSorted(ref, cur, std), normed);
  }
});

test("scipy docstring example: wasserstein_distance([0, 1, 3], [5, 6, 8]) == 5.0", () => {
  assert.equal(wassersteinSorted(sorted([0, 1, 3]), sorted([5, 6, 8])), 5);
});

test("edge cases: single values, ties, identical and all-equal samples, symmetry", () => {
  // scipy.stats.wasserstein_distance([0.], [2.5]) -> 2.5
  assert.equal(wassersteinSorted(sorted([0]), sorted([2.5])), 2.5);
  // scipy.stats.wasserstein_distance([1,2,2,3], [2,2,2,2,4]) -> 0.5
  const a = sorted([1, 2, 2, 3]);
  const b = sorted([2, 2, 2, 2, 4]);
  assert.equal(wassersteinSorted(a, b), 0.5);
  assert.equal(wassersteinSorted(b, a), 0.5);
  assert.equal(wassersteinSorted(sorted([5, 5, 5]), sorted([5, 5])), 0);
  const x = sorted([3.2, -1, 0, 0, 7.5, 2]);
  assert.equal(wassersteinSorted(x, x), 0);
  // A shift moves every unit of mass by the shift.
  assert.ok(
    closeTo(
      wassersteinSorted(
        x,
        x.map((v) => v + 1.25),
      ),
      1.25,
      1e-15,
      0,
    ),
  );
  assert.throws(() => wassersteinSorted(new Float64Array(0), x), RangeError);
});

test("normalised Wasserstein floors the reference std at 0.001", () => {
  const constant = sorted([4, 4, 4, 4]);
  assert.equal(populationStd(constant), 0);
  assert.equal(WASSERSTEIN_MIN_STD, 0.001);
  assert.ok(closeTo(wassersteinNormedSorted(constant, sorted([5, 5])), 1 / 0.001, 1e-15, 0));
});

test("populationStd is ddof 0 and stays exact with a large offset", () => {
  assert.equal(populationStd(Float64Array.of(2, 4, 4, 4, 5, 5, 7, 9)), 2);
  // A one-pass formula loses everything here; two passes keep it.
  const offset = Float64Array.of(2, 4, 4, 4, 5, 5, 7, 9).map((v) => v + 1e9);
  assert.ok(closeTo(populationStd(offset), 2, 1e-12, 0), `${populationStd(offset)}`);
  assert.equal(populationStd(Float64Array.of(42)), 0);
  assert.ok(Number.isNaN(populationStd(new Float64Array(0))));
});
