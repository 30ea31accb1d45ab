import assert from "node:assert/strict";
import { test } from "node:test";
import { loadDigits, takeRows } from "../bench/digits-data.js";
import { seededRandom } from "../stats/index.js";
import { argmaxRows, cloneMlp, createMlp, type Mlp, mlpPredict } from "./mlp.js";
import { stratifiedSplit } from "./stratified-split.js";
import { MlpTrainer, maskOfNonZeros, type TrainerOptions, type TrainingData } from "./trainer.js";

function toy(rows: number): TrainingData {
  const rng = seededRandom(3);
  const x = Float32Array.from(rng.normals(rows * 4));
  // Class = which of the first two features is larger: learnable by a small MLP.
  const labels = Int32Array.from({ length: rows }, (_, r) => (x[r * 4]! > x[r * 4 + 1]! ? 1 : 0));
  return { x, rows, labels, weights: Float64Array.from({ length: rows }, (_, r) => 1 + (r % 3)) };
}

const sameWeights = (a: Mlp, b: Mlp) =>
  a.layers.every(
    (layer, l) =>
      Buffer.from(layer.weight.buffer).equals(Buffer.from(b.layers[l]!.weight.buffer)) &&
      Buffer.from(layer.bias.buffer).equals(Buffer.from(b.layers[l]!.bias.buffer)),
  );

test("training is deterministic given the seeds", () => {
  const options: TrainerOptions = { loss: { kind: "cross-entropy" }, seed: 9, batchSize: 7 };
  const a = new MlpTrainer(createMlp({ sizes: [4, 6, 2] }, seededRandom(1)), options);
  const b = new MlpTrainer(createMlp({ sizes: [4, 6, 2] }, seededRandom(1)), options);
  const c = new MlpTrainer(createMlp({ sizes: [4, 6, 2] }, seededRandom(1)), { ...options, seed: 10 });
  for (let e = 0; e < 3; e++) for (const t of [a, b, c]) t.trainEpoch(toy(50));
  assert.ok(sameWeights(a.model, b.model));
  assert.ok(!sameWeights(a.model, c.model), "another shuffle seed gives other weights");
});

test("toJSON/fromJSON: a restored trainer continues bit for bit (Adam moments, masks, schedule, epoch)", () => {
  for (const optimizer of [
    { kind: "adam", learningRate: 0.01 },
    { kind: "sgd", learningRate: 0.05, momentum: 0.9 },
    { kind: "adagrad", learningRate: 0.05 },
  ] as const) {
    const mlp = createMlp({ sizes: [4, 6, 2], hidden: "tanh" }, seededRandom(2));
    const mask = new Uint8Array(24).fill(1);
    mask[5] = 0;
    const trainer = new MlpTrainer(mlp, {
      loss: { kind: "cross-entropy" },
      seed: 4,
      batchSize: 8,
      optimizer,
      elasticNet: { l1: 1e-3, l2: 1e-3 },
      schedule: { kind: "step", everyEpochs: 1, gamma: 0.9 },
      masks: [mask, null],
    });
    trainer.trainEpoch(toy(40));
    trainer.trainEpoch(toy(40));
    const restored = MlpTrainer.fromJSON(JSON.parse(JSON.stringify(trainer.toJSON())));
    assert.equal(restored.epoch, 2);
    assert.equal(restored.step, trainer.step);
    assert.ok(sameWeights(restored.model, trainer.model));
    for (let e = 0; e < 2; e++) {
      trainer.trainEpoch(toy(40));
      restored.trainEpoch(toy(40));
    }
    assert.ok(sameWeights(restored.model, trainer.model), `${optimizer.kind}: diverged after restoring`);
    assert.equal(trainer.model.layers[0]!.weight[5], 0);
  }
});

test("fine-tuning a pruned model with maskOfNonZeros keeps every pruned weight at zero", () => {
  const mlp = createMlp({ sizes: [4, 8, 2] }, seededRandom(6));
  // Prune: zero every weight below the median magnitude of its layer.
  for (const layer of mlp.layers) {
    const median = [...layer.weight].map(Math.abs).sort((a, b) => a - b)[layer.weight.length >> 1]!;
    for (let i = 0; i < layer.weight.length; i++)
      if (Math.abs(layer.weight[i]!) < median) layer.weight[i] = 0;
  }
  const before = cloneMlp(mlp);
  const trainer = new MlpTrainer(mlp, {
    loss: { kind: "cross-entropy" },
    seed: 1,
    masks: maskOfNonZeros(mlp),
    elasticNet: { l1: 0, l2: 0.01 },
    optimizer: { kind: "adam", learningRate: 0.01 },
  });
  for (let e = 0; e < 5; e++) trainer.trainEpoch(toy(64));
  let kept = 0;
  let moved = 0;
  for (const [l, layer] of mlp.layers.entries())
    for (let i = 0; i < layer.weight.length; i++) {
      const was = before.layers[l]!.weight[i]!;
      if (was === 0) {
        assert.equal(layer.weight[i], 0);
        kept++;
      } else if (layer.weight[i] !== was) moved++;
    }
  assert.ok(kept > 0 && moved > 0, `kept ${kept} zeros, moved ${moved} weights`);
});

test("importance weights: a zero weight removes a row, a weight of 2 counts it twice", () => {
  const d = toy(16);
  const trainer = () =>
    new MlpTrainer(createMlp({ sizes: [4, 3, 2] }, seededRandom(8)), {
      loss: { kind: "cross-entropy" },
      seed: 3,
      batchSize: 32,
    });
  const rows16 = Int32Array.from({ length: 16 }, (_, i) => i);
  // Row 15 twice and row 0 left out (17 rows in all, 16 of them distinct), unweighted…
  const rows17 = Int32Array.from([...rows16.subarray(1), 15, 15]);
  const weights = new Float64Array(16).fill(1);
  weights[0] = 0;
  weights[15] = 2;
  const a = trainer();
  const b = trainer();
  const lossA = a.batchLoss({ x: d.x, rows: 16, labels: d.labels!, weights }, rows16, 0, 16, true);
  const lossB = b.batchLoss({ x: d.x, rows: 16, labels: d.labels! }, rows17, 0, 16, true);
  // …gives the same sum of per-row terms; both means divide by the 16 rows of the batch.
  assert.ok(Math.abs(lossA - lossB) < 1e-12, `${lossA} vs ${lossB}`);
  const ga = a.gradients()[0]!.weight;
  const gb = b.gradients()[0]!.weight;
  for (let i = 0; i < ga.length; i++) assert.ok(Math.abs(ga[i]! - gb[i]!) < 1e-12);
});

test("a 64-128-10 MLP on digits reaches ≥ 0.95 test accuracy within 20 epochs (Adam, batch 32)", () => {
  const digits = loadDigits();
  const split = stratifiedSplit(digits.labels, 0.3, 42);
  assert.equal(split.train.length + split.test.length, digits.rows);
  const mlp = createMlp({ sizes: [64, 128, 10] }, seededRandom(1));
  const trainer = new MlpTrainer(mlp, { loss: { kind: "cross-entropy" }, seed: 2, batchSize: 32 });
  const data = {
    x: takeRows(digits.x, 64, split.train),
    rows: split.train.length,
    labels: takeRows(digits.labels, 1, split.train),
  };
  const xTest = takeRows(digits.x, 64, split.test);
  const yTest = takeRows(digits.labels, 1, split.test);
  let accuracy = 0;
  let epochs = 0;
  while (epochs < 20 && accuracy < 0.95) {
    trainer.trainEpoch(data);
    epochs++;
    const predicted = argmaxRows(mlpPredict(mlp, xTest, split.test.length), split.test.length, 10);
    accuracy = predicted.reduce((n, p, i) => n + (p === yTest[i] ? 1 : 0), 0) / predicted.length;
  }
  assert.ok(accuracy >= 0.95, `accuracy ${accuracy} after ${epochs} epochs`);
});

test("distilling the digits student from a teacher's logits", () => {
  // Teacher: a wider MLP trained on the labels; student: 64-16-10 on T = 2 soft targets and labels.
  const digits = loadDigits();
  const split = stratifiedSplit(digits.labels, 0.3, 42);
  const x = takeRows(digits.x, 64, split.train);
  const labels = takeRows(digits.labels, 1, split.train);
  const rows = split.train.length;
  const teacher = createMlp({ sizes: [64, 128, 10] }, seededRandom(1));
  const teach = new MlpTrainer(teacher, { loss: { kind: "cross-entropy" }, seed: 2 });
  for (let e = 0; e < 15; e++) teach.trainEpoch({ x, rows, labels });
  const student = createMlp({ sizes: [64, 16, 10] }, seededRandom(3));
  const distil = new MlpTrainer(student, {
    loss: { kind: "distillation" },
    seed: 4,
    optimizer: { kind: "adam", learningRate: 3e-3 },
  });
  const teacherLogits = mlpPredict(teacher, x, rows);
  for (let e = 0; e < 20; e++) distil.trainEpoch({ x, rows, labels, teacher: teacherLogits });
  const xTest = takeRows(digits.x, 64, split.test);
  const yTest = takeRows(digits.labels, 1, split.test);
  const predicted = argmaxRows(mlpPredict(student, xTest, split.test.length), split.test.length, 10);
  const accuracy = predicted.reduce((n, p, i) => n + (p === yTest[i] ? 1 : 0), 0) / predicted.length;
  assert.ok(accuracy >= 0.93, `student accuracy ${accuracy}`);
});
