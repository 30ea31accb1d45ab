import assert from "node:assert/strict";
import { test } from "node:test";
import { seededRandom } from "../stats/index.js";
import { FeatureEncoder } from "./features.js";
import { type EncodedBatch, type LearnTask, OnlineLinearModel } from "./linear-model.js";
import { defaultOptimizer, type OptimizerKind } from "./optimizers.js";
import { PrequentialEvaluator } from "./prequential.js";

const spec = { numeric: ["x1", "x2", "x3"], categorical: ["c"], hashed: ["h"], hashBuckets: 8 };

/** A stream with numeric, one-hot, hashed and missing values, and importance weights. */
function stream(task: LearnTask, n: number, seed = 3): { batch: EncodedBatch; encoder: FeatureEncoder } {
  const random = seededRandom(seed);
  const encoder = new FeatureEncoder(spec);
  const numeric = new Float64Array(n * 3);
  const slots = new Int32Array(n * 2);
  const labels = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const x = [
      random.normal() * 10 + 5,
      random.normal(),
      random.uniform() < 0.05 ? Number.NaN : random.normal(),
    ];
    const c = ["a", "b", "c", "d"][Math.floor(random.uniform() * 4)]!;
    encoder.encode(
      { x1: x[0]!, x2: x[1]!, x3: x[2]!, c, h: `k${Math.floor(random.uniform() * 20)}` },
      numeric,
      r * 3,
      slots,
      r * 2,
      true,
    );
    const signal = 0.1 * (x[0]! - 5) - x[1]! + (c === "a" ? 1 : 0) + random.normal() * 0.5;
    labels[r] =
      task === "regression"
        ? signal * 3 + 10
        : task === "binary"
          ? signal > 0
            ? 1
            : 0
          : signal < -0.5
            ? 0
            : signal < 0.5
              ? 1
              : 2;
    weights[r] = 0.5 + random.uniform();
  }
  return { batch: { size: n, numeric, slots, labels, weights }, encoder };
}

function fresh(task: LearnTask, kind: OptimizerKind, encoder: FeatureEncoder): OnlineLinearModel {
  return new OnlineLinearModel(
    {
      task,
      features: spec,
      ...(task === "regression" ? {} : { classes: task === "binary" ? ["0", "1"] : ["0", "1", "2"] }),
      optimizer: defaultOptimizer(kind),
    },
    FeatureEncoder.fromJSON(encoder.toJSON()),
  );
}

function slice(batch: EncodedBatch, from: number, to: number): EncodedBatch {
  return {
    size: to - from,
    numeric: batch.numeric.slice(from * 3, to * 3),
    slots: batch.slots.slice(from * 2, to * 2),
    labels: batch.labels.slice(from, to),
    weights: batch.weights!.slice(from, to),
  };
}

for (const task of ["binary", "multiclass", "regression"] as const)
  for (const kind of ["ftrl", "adagrad", "sgd"] as const)
    test(`${task} ${kind}: per-sample updates and mini-batches of any size give the identical model`, () => {
      const { batch, encoder } = stream(task, 600);
      const single = fresh(task, kind, encoder);
      for (let r = 0; r < batch.size; r++)
        single.learnEncoded(batch.numeric, r * 3, batch.slots, r * 2, batch.labels[r]!, batch.weights![r]!);
      const cuts = [0, 1, 33, 290, 291, 600];
      const batched = fresh(task, kind, encoder);
      for (let i = 0; i + 1 < cuts.length; i++) batched.update(slice(batch, cuts[i]!, cuts[i + 1]!));
      const whole = fresh(task, kind, encoder);
      whole.update(batch);
      assert.deepEqual(batched.toJSON(), single.toJSON());
      assert.deepEqual(whole.toJSON(), single.toJSON());
      assert.ok(single.updateCount === 600);
    });

test("the JSON form round-trips losslessly: a restored model predicts and keeps learning bit for bit", () => {
  for (const kind of ["ftrl", "adagrad", "sgd"] as const) {
    const { batch, encoder } = stream("multiclass", 400, 9);
    const model = fresh("multiclass", kind, encoder);
    model.update(slice(batch, 0, 200));
    const restored = OnlineLinearModel.fromJSON(JSON.parse(JSON.stringify(model.toJSON())));
    assert.deepEqual(restored.toJSON(), model.toJSON());
    model.update(slice(batch, 200, 400));
    restored.update(slice(batch, 200, 400));
    assert.deepEqual(restored.toJSON(), model.toJSON());
    const a = new Float64Array(3);
    const b = new Float64Array(3);
    model.predictEncoded(batch.numeric, 0, batch.slots, 0, a);
    restored.predictEncoded(batch.numeric, 0, batch.slots, 0, b);
    assert.deepEqual(a, b);
  }
});

test("importance weights enter the gradient: weight 2 equals the sample learned with a doubled gradient, 0 leaves the weights alone", () => {
  // SGD with no penalty: w = −η·weight·(p − y)·x, so weight 2 moves twice as far as weight 1.
  const make = () =>
    new OnlineLinearModel({
      task: "binary",
      classes: ["0", "1"],
      features: { numeric: [], categorical: ["c"] },
      optimizer: { kind: "sgd", eta: 0.1, l1: 0, l2: 0 },
    });
  const one = make();
  one.learnRow({ c: "a" }, "1", 1);
  const two = make();
  two.learnRow({ c: "a" }, "1", 2);
  assert.ok(Math.abs(two.weights().coef[1]! - 2 * one.weights().coef[1]!) < 1e-15);
  assert.ok(Math.abs(one.weights().coef[1]! - 0.05) < 1e-15); // 0.1 · 1 · 0.5
  const zero = make();
  zero.learnRow({ c: "a" }, "1", 0);
  assert.equal(zero.nonZeroWeights(), 0);
  assert.equal(zero.updateCount, 0);
});

test("prequential with delayed labels: the first `delay` rows are predicted by the untrained model, the rest after learning", () => {
  const { batch, encoder } = stream("binary", 300, 5);
  const model = fresh("binary", "ftrl", encoder);
  const evaluator = new PrequentialEvaluator(model, { delay: 50 });
  for (let r = 0; r < batch.size; r++)
    evaluator.step(batch.numeric, r * 3, batch.slots, r * 2, batch.labels[r]!);
  const result = evaluator.result();
  assert.equal(result.samples, 300);
  assert.equal(result.learned, 250);
  assert.equal(model.updateCount, 250);
  // The learned model beats the majority class on a stream with signal.
  assert.ok(result.prequential > result.baseline.value + 0.1, JSON.stringify(result));
  // Majority class by hand: count the classes of the labels that had arrived before each row.
  let correct = 0;
  const counts = [0, 0];
  for (let r = 0; r < 300; r++) {
    const majority = counts[1]! > counts[0]! ? 1 : 0;
    if (majority === batch.labels[r]) correct++;
    if (r >= 50) counts[batch.labels[r - 50]!]!++;
  }
  assert.equal(result.baseline.value, correct / 300);
});

test("the mean baseline and MAE for regression, and the last-label baseline", () => {
  const model = new OnlineLinearModel({ task: "regression", features: { numeric: ["x"], categorical: [] } });
  const evaluator = new PrequentialEvaluator(model);
  const numeric = new Float64Array([1, 2, 3]);
  const slots = new Int32Array(0);
  const labels = [2, 4, 9];
  labels.forEach((y, r) => {
    evaluator.step(numeric, r, slots, 0, y);
  });
  const result = evaluator.result();
  assert.equal(result.metric, "mae");
  // mean baseline predicts 0, then 2, then 3: |0−2| + |2−4| + |3−9| = 10 → 10/3
  assert.equal(result.baseline.value, 10 / 3);
  // last label predicts 0, 2, 4: 2 + 2 + 5 = 9 → 3
  assert.equal(result.baselines[1]!.value, 3);
});
