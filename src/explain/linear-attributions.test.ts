import assert from "node:assert/strict";
import { test } from "node:test";
import { seededRandom } from "../testing/random.js";
import { featureMeans, linearAttributions, linearMargin } from "./index.js";

const f = (...values: number[]) => Float64Array.from(values);

test("hand-worked: φ_j = w_j·(x_j − E[x_j]) and the expected value b + Σ w_j·E[x_j]", () => {
  // Model 1 + 3·x0 − 2·x1 + 0·x2; background means (1, 1, 0).
  // Row (2, 1, 5): φ = (3·1, −2·0, 0·5) = (3, 0, 0); f = 1 + 6 − 2 = 5; E[f] = 1 + 3 − 2 = 2; 5 − 2 = 3.
  // Row (0, 3, −1): φ = (3·−1, −2·2, 0) = (−3, −4, 0); f = 1 − 6 = −5; −5 − 2 = −7.
  const model = { weights: [3, -2, 0], bias: 1 };
  const columns = [f(2, 0), f(1, 3), f(5, -1)];
  const r = linearAttributions(model, columns, f(1, 1, 0));
  assert.equal(r.expectedValue, 2);
  assert.deepEqual(
    r.attributions.map((c) => Array.from(c, (v) => v + 0)),
    [
      [3, -3],
      [0, -4],
      [0, 0],
    ],
  );
  // Mean |φ|: (3 + 3) / 2, (0 + 4) / 2, 0.
  assert.deepEqual(Array.from(r.importance), [3, 2, 0]);
  assert.deepEqual(Array.from(linearMargin(model, columns)), [5, -5]);
});

test("featureMeans are the background's column means", () => {
  assert.deepEqual(Array.from(featureMeans([f(1, 3), f(0, 10), f(-2)])), [2, 5, -2]);
});

test("attributions sum to f(x) − E[f(X)] on every row, in log-odds for a logistic model", () => {
  const rng = seededRandom(21);
  const d = 6;
  const weights = Array.from({ length: d }, () => 4 * rng.normal());
  const model = { weights, bias: 0.3 };
  const background = Array.from({ length: d }, (_, j) => rng.normals(500, j - 2, 1 + j));
  const rows = Array.from({ length: d }, (_, j) => rng.normals(200, j, 2));
  const means = featureMeans(background);
  const r = linearAttributions(model, rows, means);
  // E[f(X)] over the background equals the margin at the mean: the model is linear.
  const backgroundMargin = linearMargin(model, background);
  const meanMargin = backgroundMargin.reduce((s, v) => s + v, 0) / backgroundMargin.length;
  assert.ok(Math.abs(r.expectedValue - meanMargin) < 1e-9);
  const margin = linearMargin(model, rows);
  for (let i = 0; i < 200; i++) {
    let sum = 0;
    for (let j = 0; j < d; j++) sum += r.attributions[j]![i]!;
    const expected = margin[i]! - r.expectedValue;
    assert.ok(
      Math.abs(sum - expected) <= 1e-12 * (1 + Math.abs(expected)),
      `row ${i}: ${sum} vs ${expected}`,
    );
    // The logistic model's log-odds are its margin: logit(σ(m)) = m (up to rounding).
    const p = 1 / (1 + Math.exp(-margin[i]!));
    if (p > 1e-9 && p < 1 - 1e-9) assert.ok(Math.abs(Math.log(p / (1 - p)) - r.expectedValue - sum) < 1e-6);
  }
  for (let j = 0; j < d; j++) {
    const meanAbs = r.attributions[j]!.reduce((s, v) => s + Math.abs(v), 0) / 200;
    assert.ok(Math.abs(r.importance[j]! - meanAbs) < 1e-12);
  }
});

test("shapes are checked", () => {
  const model = { weights: [1, 2], bias: 0 };
  assert.throws(() => linearAttributions(model, [f(1)], f(0)), /2 weights for 1 feature columns/);
  assert.throws(() => linearAttributions(model, [f(1), f(1, 2)], f(0, 0)), /column 1 has 2 rows/);
  assert.throws(() => linearAttributions(model, [f(1), f(2)], f(0)), /1 means for 2 features/);
  const empty = linearAttributions(model, [f(), f()], f(0, 0));
  assert.ok(empty.importance.every(Number.isNaN));
});
