import assert from "node:assert/strict";
import { test } from "node:test";
import {
  BinaryClassificationAccumulator,
  binaryLogLoss,
  CompensatedSum,
  compareLabels,
  LOG_LOSS_EPS,
  MulticlassClassificationAccumulator,
  multiclassLogLoss,
} from "./index.js";

test("labels sort as Python's sorted: numbers numerically, strings by code point", () => {
  assert.deepEqual([10, 2, -1, 0.5].sort(compareLabels), [-1, 0.5, 2, 10]);
  // UTF-16 order would put the astral "😀" (U+1F600, surrogates D83D DE00) before U+FFFD; Python does not.
  assert.deepEqual(["😀", "\uFFFD", "b", "B", "ä", "a", "ab", ""].sort(compareLabels), [
    "",
    "B",
    "a",
    "ab",
    "b",
    "ä",
    "\uFFFD",
    "😀",
  ]);
  assert.throws(() => compareLabels("1", 1), TypeError);
});

test("compensated sums stay exact where a plain sum does not, and merge", () => {
  const a = new CompensatedSum();
  for (const x of [1e16, 1, -1e16]) a.add(x);
  assert.equal(a.value(), 1);
  const b = CompensatedSum.fromJSON(a.toJSON());
  b.merge(a);
  assert.equal(b.value(), 2);
  const tenths = new CompensatedSum();
  for (let i = 0; i < 10; i++) tenths.add(0.1);
  assert.equal(tenths.value(), 1);
});

test("log loss clips at float64 epsilon and renormalises rows (sklearn 1.2 eps='auto')", () => {
  assert.equal(LOG_LOSS_EPS, 2 ** -52);
  assert.equal(binaryLogLoss(0, true), -Math.log(2 ** -52));
  assert.equal(binaryLogLoss(1, true), -Math.log(1 - 2 ** -52));
  assert.equal(binaryLogLoss(0.25, false), -Math.log(0.75));
  assert.equal(multiclassLogLoss([0.5, 0.5, 0], 2), -Math.log(2 ** -52 / (1 + 2 ** -52)));
  // Clipping comes before renormalising, so scores above 1 are not probabilities: [2, 6, 2] is uniform.
  assert.equal(multiclassLogLoss([2, 6, 2], 1), -Math.log((1 - 2 ** -52) / (3 * (1 - 2 ** -52))));
  assert.ok(Math.abs(multiclassLogLoss([0.1, 0.3, 0.1], 1) - -Math.log(0.6)) < 1e-15);
});

test("fromJSON rejects other formats, versions and inconsistent state", () => {
  const binary = new BinaryClassificationAccumulator({ positive: 1, negative: 0 });
  binary.addLabel(1, 1, 0.9);
  const json = binary.toJSON();
  assert.throws(() => BinaryClassificationAccumulator.fromJSON({ ...json, version: 2 }), RangeError);
  assert.throws(() => MulticlassClassificationAccumulator.fromJSON(json), TypeError);
  assert.throws(
    () =>
      BinaryClassificationAccumulator.fromJSON({
        ...json,
        labels: [1, 2],
        matrix: [
          [1, 0],
          [0, 0],
        ],
      }),
    RangeError,
  );
  assert.throws(() => BinaryClassificationAccumulator.fromJSON({ ...json, matrix: [[1, 0]] }), TypeError);
  assert.throws(() =>
    BinaryClassificationAccumulator.fromJSON({ ...json, rocAuc: { ...json.rocAuc, mode: "x" } }),
  );
  assert.throws(() => BinaryClassificationAccumulator.fromJSON({ ...json, events: -1 }), TypeError);
  const multi = new MulticlassClassificationAccumulator({ classes: ["a", "b"] });
  multi.addLabel("a", "b", [0.4, 0.6]);
  assert.throws(
    () => MulticlassClassificationAccumulator.fromJSON({ ...multi.toJSON(), scored: 2 }),
    TypeError,
  );
  assert.deepEqual(MulticlassClassificationAccumulator.fromJSON(multi.toJSON()).result(), multi.result());
});
