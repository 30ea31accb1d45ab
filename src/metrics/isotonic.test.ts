import assert from "node:assert/strict";
import { test } from "node:test";
import { seededRandom } from "../testing/random.js";
import { IsotonicRegression, pav } from "./isotonic.js";

const near = (actual: ArrayLike<number>, expected: number[], what: string) => {
  assert.equal(actual.length, expected.length, what);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i]! - expected[i]!) < 1e-15, `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
};

test("PAV, hand-worked", () => {
  near(pav([1, 2, 3]), [1, 2, 3], "already monotone");
  // 3 > 2 pools to 2.5; 1 ≤ 2.5 ≤ 4.
  near(pav([1, 3, 2, 4]), [1, 2.5, 2.5, 4], "one violation");
  near(pav([4, 3, 2, 1]), [2.5, 2.5, 2.5, 2.5], "reversed: all pooled to the mean");
  // 5, 2 → 3.5 (w 2); + 2 → 3 (w 3); + 0 → 2.25 (w 4); 1 < 2.25 stays apart; 6 stays.
  near(pav([1, 5, 2, 2, 0, 6]), [1, 2.25, 2.25, 2.25, 2.25, 6], "a pool that grows backwards");
  // 2, 1 → 1.5; 3, 0 → 1.5: equal neighbours need no pooling, the fit is the same.
  near(pav([2, 1, 3, 0]), [1.5, 1.5, 1.5, 1.5], "equal blocks");
  // Weighted mean: (3·1 + 1·3) / (1 + 3) = 1.5.
  near(pav([3, 1], [1, 3]), [1.5, 1.5], "weights");
  near(pav([]), [], "empty");
  assert.throws(() => pav([1, 2], [1]), /1 weights for 2 values/);
  assert.throws(() => pav([1, 2], [1, 0]), /weights must be positive/);
  assert.throws(() => pav([1, Number.NaN]), /finite/);
});

test("PAV is the least-squares monotone fit: no monotone perturbation lowers the squared error", () => {
  const rng = seededRandom(31);
  for (let trial = 0; trial < 50; trial++) {
    const n = 2 + Math.floor(rng.uniform() * 30);
    const y = rng.normals(n);
    const w = Float64Array.from({ length: n }, () => 0.1 + rng.uniform());
    const fit = pav(y, w);
    for (let i = 1; i < n; i++) assert.ok(fit[i]! >= fit[i - 1]! - 1e-12, "monotone");
    const loss = (f: ArrayLike<number>) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += w[i]! * (y[i]! - f[i]!) ** 2;
      return s;
    };
    // Mixing the fit with any other monotone sequence stays monotone; it never does better.
    const other = Float64Array.from(rng.normals(n)).sort();
    for (const t of [0.01, 0.1, 0.5]) {
      const mixed = Array.from(fit, (v, i) => (1 - t) * v + t * other[i]!);
      assert.ok(loss(mixed) >= loss(fit) - 1e-9);
    }
    // Weighted means are preserved: Σ w·fit = Σ w·y.
    let a = 0;
    let b = 0;
    for (let i = 0; i < n; i++) {
      a += w[i]! * fit[i]!;
      b += w[i]! * y[i]!;
    }
    assert.ok(Math.abs(a - b) < 1e-9);
  }
});

test("IsotonicRegression: ties in x pooled, interpolation between thresholds, clipping outside", () => {
  // x = 1 twice → (1, mean 0.5, weight 2); then (2, 0), (3, 1). PAV: 0.5 > 0 → (0.5·2 + 0) / 3 = 1/3.
  const r = IsotonicRegression.fit([1, 2, 1, 3], [0, 0, 1, 1]);
  near(r.thresholdsX, [1, 2, 3], "x");
  near(r.thresholdsY, [1 / 3, 1 / 3, 1], "y");
  near(
    [r.predict(0), r.predict(1), r.predict(1.5), r.predict(2.5), r.predict(3), r.predict(9)],
    [1 / 3, 1 / 3, 1 / 3, 2 / 3, 1, 1],
    "predict",
  );
  assert.ok(Number.isNaN(r.predict(Number.NaN)));
  near(r.predictAll([2.5, 0]), [2 / 3, 1 / 3], "predictAll");
});

test("IsotonicRegression keeps only the ends of constant runs; one point is a constant", () => {
  const r = IsotonicRegression.fit([1, 2, 3, 4, 5], [0, 0, 0, 0, 1]);
  near(r.thresholdsX, [1, 4, 5], "x");
  near(r.thresholdsY, [0, 0, 1], "y");
  near([r.predict(4.5)], [0.5], "between the kept ends");
  const one = IsotonicRegression.fit([0.3, 0.3], [0, 1]);
  near(one.thresholdsX, [0.3], "x");
  near([one.predict(-1), one.predict(0.3), one.predict(2)], [0.5, 0.5, 0.5], "constant");
});

test("IsotonicRegression: decreasing fits, zero weights dropped, bad input rejected", () => {
  // −y = (−3, −1, −2) fitted increasing is (−3, −1.5, −1.5).
  const down = IsotonicRegression.fit([1, 2, 3], [3, 1, 2], { increasing: false });
  near(down.thresholdsY, [3, 1.5, 1.5], "decreasing");
  // The weight-0 row (x = 2, y = 100) is ignored.
  const weighted = IsotonicRegression.fit([1, 2, 3], [0, 100, 1], { weights: [1, 0, 1] });
  near(weighted.thresholdsX, [1, 3], "x");
  near(weighted.thresholdsY, [0, 1], "y");
  assert.throws(() => IsotonicRegression.fit([], []), /at least one row/);
  assert.throws(() => IsotonicRegression.fit([1], [1], { weights: [0] }), /at least one row/);
  assert.throws(() => IsotonicRegression.fit([1, 2], [1]), /x has 2 values but y 1/);
  assert.throws(() => IsotonicRegression.fit([1, Number.POSITIVE_INFINITY], [1, 1]), /finite/);
  assert.throws(() => IsotonicRegression.fit([1], [1], { weights: [-1] }), /weights/);
});

test("JSON round trip is exact; malformed JSON is rejected", () => {
  const rng = seededRandom(32);
  const x = Array.from({ length: 300 }, () => rng.uniform());
  const y = x.map((v) => (rng.uniform() < v * v ? 1 : 0));
  const r = IsotonicRegression.fit(x, y);
  const back = IsotonicRegression.fromJSON(JSON.parse(JSON.stringify(r)));
  assert.deepEqual(back.thresholdsX, r.thresholdsX);
  assert.deepEqual(back.thresholdsY, r.thresholdsY);
  for (const v of [0, 0.25, 0.5, 0.75, 1]) assert.equal(back.predict(v), r.predict(v));
  const json = r.toJSON();
  assert.throws(() => IsotonicRegression.fromJSON({ ...json, version: 2 }), /version/);
  assert.throws(() => IsotonicRegression.fromJSON({ ...json, x: [2, 1], y: [0, 1] }), /strictly increasing/);
  assert.throws(() => IsotonicRegression.fromJSON({ ...json, x: [1], y: [0, 1] }), /one length/);
});
