import assert from "node:assert/strict";
import { test } from "node:test";
import { seededRandom } from "../stats/index.js";
import { ACTIVATIONS, type Activation } from "./activation.js";
import { createMlp } from "./mlp.js";
import { type LossSpec, MlpTrainer, type TrainingData } from "./trainer.js";

/**
 * Central finite differences against the backward pass, for every activation (hidden and output) and
 * every loss, on a 3-4-3 network and 5 rows with unequal importance weights. The weights are float32,
 * so each perturbed value is rounded; the difference quotient divides by the perturbation actually
 * applied (w₊ − w₋, exact in doubles), which leaves only the O(h²) truncation error.
 */
const losses: LossSpec[] = [
  { kind: "cross-entropy" },
  { kind: "distillation", temperature: 2, alpha: 0.5 },
  { kind: "distillation", temperature: 4, alpha: 0.9 },
  { kind: "mse" },
  { kind: "regression-distillation", alpha: 0.3 },
];

function data(rows: number): TrainingData {
  const rng = seededRandom(11);
  return {
    x: Float32Array.from(rng.normals(rows * 3)),
    rows,
    labels: Int32Array.from({ length: rows }, (_, i) => i % 3),
    targets: Float32Array.from(rng.normals(rows * 3)),
    teacher: Float32Array.from(rng.normals(rows * 3, 0, 2)),
    weights: Float64Array.from({ length: rows }, (_, i) => 0.5 + i * 0.4),
  };
}

function check(hidden: Activation, output: Activation, loss: LossSpec): void {
  const mlp = createMlp({ sizes: [3, 4, 3], hidden, output }, seededRandom(5));
  // Non-zero biases, so that the bias gradients are exercised away from the initial point.
  for (const layer of mlp.layers) for (let o = 0; o < layer.outputs; o++) layer.bias[o] = 0.1 * (o - 1);
  const trainer = new MlpTrainer(mlp, { loss, seed: 1, batchSize: 8 });
  const d = data(5);
  const rows = Int32Array.from({ length: 5 }, (_, i) => i);
  trainer.batchLoss(d, rows, 0, 5, true);
  const analytic = trainer.gradients().map(({ weight, bias }) => [weight.slice(), bias.slice()]);
  const h = 1e-3;
  for (const [l, layer] of mlp.layers.entries())
    for (const [p, values] of [layer.weight, layer.bias].entries())
      for (let i = 0; i < values.length; i++) {
        const original = values[i]!;
        values[i] = original + h;
        const plus = values[i]!;
        const lossPlus = trainer.batchLoss(d, rows, 0, 5, false);
        values[i] = original - h;
        const minus = values[i]!;
        const lossMinus = trainer.batchLoss(d, rows, 0, 5, false);
        values[i] = original;
        const numeric = (lossPlus - lossMinus) / (plus - minus);
        const got = analytic[l]![p]![i]!;
        assert.ok(
          Math.abs(numeric - got) <= 1e-6 + 1e-4 * Math.abs(numeric),
          `${hidden}/${output}/${loss.kind}: layer ${l} ${p === 0 ? "weight" : "bias"}[${i}] analytic ${got}, numeric ${numeric}`,
        );
      }
}

for (const loss of losses)
  test(`gradient check: ${loss.kind}${"temperature" in loss ? ` T=${loss.temperature}` : ""}, every hidden activation`, () => {
    const regression = loss.kind === "mse" || loss.kind === "regression-distillation";
    // Regression outputs also go through each activation, so the output layer's derivative is checked too.
    for (const hidden of ACTIVATIONS)
      for (const output of regression ? ACTIVATIONS : (["identity"] as const)) check(hidden, output, loss);
  });
