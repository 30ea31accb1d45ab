import assert from "node:assert/strict";
import { test } from "node:test";
import { seededRandom } from "../testing/random.js";
import { sortedFinite } from "./sort.js";

function isSortedLike(actual: Float64Array, expected: Float64Array): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    // -0 and 0 may come in either order; every other value must sit exactly where a comparison sort puts it.
    if (actual[i] !== expected[i]) assert.fail(`index ${i}: ${actual[i]} vs ${expected[i]}`);
  }
}

test("radix sort agrees with a comparison sort on mixed signs, ties, extremes and subnormals", () => {
  const rng = seededRandom(3);
  const values = new Float64Array(50_000);
  const specials = [0, -0, 5e-324, -5e-324, Number.MAX_VALUE, -Number.MAX_VALUE, Infinity, -Infinity, 1, -1];
  for (let i = 0; i < values.length; i++) {
    const r = rng.uniform();
    values[i] =
      r < 0.1
        ? specials[i % specials.length]!
        : r < 0.4
          ? Math.floor(rng.uniform() * 20) - 10 // heavy ties
          : rng.normal() * 10 ** Math.floor(rng.uniform() * 20 - 10);
  }
  const expected = Float64Array.from(values).sort((a, b) => a - b);
  isSortedLike(sortedFinite(values), expected);
  isSortedLike(sortedFinite(values, false), expected); // the no-copy path, for columns known to hold no NaN
});

test("small arrays (native path) and NaN removal", () => {
  assert.deepEqual([...sortedFinite(new Float64Array([3, Number.NaN, -1, 2, Number.NaN]))], [-1, 2, 3]);
  assert.deepEqual([...sortedFinite(new Float64Array([Number.NaN]))], []);
  const rng = seededRandom(4);
  const big = rng.normals(10_000);
  big[17] = Number.NaN;
  const sorted = sortedFinite(big);
  assert.equal(sorted.length, 9_999);
  for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i - 1]! <= sorted[i]!);
});

test("long runs sharing their upper bits: repeated integers, and clustered large values", () => {
  const rng = seededRandom(5);
  const integers = Float64Array.from({ length: 60_000 }, () => Math.floor(rng.uniform() * 40));
  isSortedLike(sortedFinite(integers), Float64Array.from(integers).sort());
  // Timestamps in milliseconds: hundreds of values share each upper word, in random order.
  const stamps = Float64Array.from({ length: 60_000 }, () => 1.7e12 + Math.floor(rng.uniform() * 3.6e9));
  isSortedLike(sortedFinite(stamps), Float64Array.from(stamps).sort());
  isSortedLike(sortedFinite(stamps, false), Float64Array.from(stamps).sort());
  // Just around the size where the radix path starts.
  for (const n of [4095, 4096, 4097]) {
    const values = rng.normals(n);
    isSortedLike(sortedFinite(values), Float64Array.from(values).sort());
  }
});
