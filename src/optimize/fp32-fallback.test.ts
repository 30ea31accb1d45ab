import assert from "node:assert/strict";
import { test } from "node:test";
import { heldMetricDrop, sensitivityOrder } from "./fp32-fallback.js";

test("heldMetricDrop: accuracy by arg-max, hand-counted", () => {
  // 3 rows × 3 classes; labels 0, 2, 1. Reference arg-max 0, 2, 1 (3 right); candidate 0, 1, 1 (2 right).
  const reference = Float32Array.of(0.7, 0.2, 0.1, 0.1, 0.2, 0.7, 0.2, 0.5, 0.3);
  const candidate = Float32Array.of(0.6, 0.3, 0.1, 0.1, 0.5, 0.4, 0.2, 0.5, 0.3);
  assert.equal(heldMetricDrop(reference, candidate, Float64Array.of(0, 2, 1), 3), 1 / 3);
  // Ties go to the first maximum: [0.5, 0.5] is class 0.
  assert.equal(
    heldMetricDrop(Float32Array.of(0.5, 0.5), Float32Array.of(0.4, 0.6), Float64Array.of(0), 2),
    1,
  );
  assert.equal(heldMetricDrop(reference, reference, Float64Array.of(0, 2, 1), 3), 0);
});

test("heldMetricDrop: regression is the relative MAE rise", () => {
  // MAE_ref = (1 + 1) / 2 = 1, MAE_cand = (2 + 1) / 2 = 1.5: a rise of 0.5.
  assert.equal(
    heldMetricDrop(Float32Array.of(1, 3), Float32Array.of(0, 3), Float64Array.of(2, 2), undefined),
    0.5,
  );
  assert.equal(heldMetricDrop(Float32Array.of(2), Float32Array.of(2), Float64Array.of(2), undefined), 0);
  assert.equal(
    heldMetricDrop(Float32Array.of(2), Float32Array.of(3), Float64Array.of(2), undefined),
    Infinity,
  );
});

test("sensitivityOrder: most sensitive first, NaN (did not run) before all, ties in the given order", () => {
  assert.deepEqual(
    sensitivityOrder([
      { key: "a", error: 0.01 },
      { key: "b", error: 0.4 },
      { key: "c", error: 0.01 },
      { key: "d", error: Number.NaN },
    ]),
    ["d", "b", "a", "c"],
  );
});
