import assert from "node:assert/strict";
import { test } from "node:test";
import { softThreshold } from "./elastic-net.js";
import { scheduledRate } from "./learning-rate-schedule.js";
import { createOptimizerState, type OptimizerSpec, optimizerStep, type ParameterSlot } from "./optimizer.js";

/** Two steps on one weight starting at 1, with gradients 0.5 then −0.25, η = 0.1. */
function twoSteps(spec: OptimizerSpec): number[] {
  const values = Float32Array.of(1);
  const grad = new Float64Array(1);
  const slots: ParameterSlot[] = [{ values, grad, mask: null, penalised: true }];
  const state = createOptimizerState(spec, [1]);
  const seen: number[] = [];
  for (const g of [0.5, -0.25]) {
    grad[0] = g;
    optimizerStep(spec, state, slots, spec.learningRate, { l1: 0, l2: 0 });
    seen.push(values[0]!);
  }
  return seen;
}

const close = (actual: number, expected: number, tol: number) =>
  assert.ok(Math.abs(actual - expected) <= tol, `${actual} ≠ ${expected} (±${tol})`);

test("Adam: two steps worked by hand (β₁ 0.9, β₂ 0.999, ε 1e-8)", () => {
  // Step 1: m = 0.1·0.5 = 0.05, v = 0.001·0.25 = 0.00025; m̂ = 0.05/0.1 = 0.5, v̂ = 0.00025/0.001 = 0.25;
  //   w = 1 − 0.1·0.5/(√0.25 + 1e-8) = 1 − 0.1 = 0.9 (to 2e-9).
  // Step 2: m = 0.9·0.05 + 0.1·(−0.25) = 0.02, v = 0.999·0.00025 + 0.001·0.0625 = 0.00031225;
  //   m̂ = 0.02/(1 − 0.81) = 0.1052632, v̂ = 0.00031225/(1 − 0.998001) = 0.1562031, √v̂ = 0.3952254;
  //   w = 0.9 − 0.1·0.1052632/0.3952254 = 0.9 − 0.0266337 = 0.8733663.
  const [w1, w2] = twoSteps({ kind: "adam", learningRate: 0.1 });
  close(w1!, 0.9, 1e-7); // float32 holds the weights: 0.9 is 0.89999998
  close(w2!, 0.8733663, 1e-7);
});

test("AdaGrad: two steps worked by hand (ε 1e-10)", () => {
  // Step 1: s = 0.25, w = 1 − 0.1·0.5/0.5 = 0.9. Step 2: s = 0.3125, √s = 0.5590170,
  //   w = 0.9 + 0.1·0.25/0.5590170 = 0.9 + 0.0447214 = 0.9447214.
  const [w1, w2] = twoSteps({ kind: "adagrad", learningRate: 0.1 });
  close(w1!, 0.9, 1e-7);
  close(w2!, 0.9447214, 1e-7);
});

test("SGD with momentum 0.9: two steps worked by hand", () => {
  // v = 0.5, w = 1 − 0.05 = 0.95; v = 0.9·0.5 − 0.25 = 0.2, w = 0.95 − 0.02 = 0.93.
  const [w1, w2] = twoSteps({ kind: "sgd", learningRate: 0.1, momentum: 0.9 });
  close(w1!, 0.95, 1e-7);
  close(w2!, 0.93, 1e-7);
});

test("elastic net: the L1 prox gives exact zeros, L2 is weight decay, biases are not penalised", () => {
  assert.equal(softThreshold(0.3, 0.5), 0);
  assert.equal(softThreshold(-0.5, 0.5), 0);
  assert.equal(softThreshold(-2, 0.5), -1.5);
  const weights = Float32Array.of(0.3, -2, 0.5, -0.4, 0.75);
  const bias = Float32Array.of(0.3);
  const slots: ParameterSlot[] = [
    { values: weights, grad: new Float64Array(5), mask: null, penalised: true },
    { values: bias, grad: new Float64Array(1), mask: null, penalised: false },
  ];
  const spec: OptimizerSpec = { kind: "sgd", learningRate: 1 };
  // Zero gradient, η = 1, λ₁ = 0.5: every |w| ≤ 0.5 becomes exactly 0, the others move 0.5 toward 0.
  optimizerStep(spec, createOptimizerState(spec, [5, 1]), slots, 1, { l1: 0.5, l2: 0 });
  assert.deepEqual([...weights], [0, -1.5, 0, 0, 0.25]);
  assert.ok(Object.is(weights[0], 0) && Object.is(weights[3], 0), "zeros are +0, not −0");
  assert.equal(bias[0], Math.fround(0.3));
  // L2 alone: w ← w − η·λ₂·w = 0.25·(1 − 0.5·0.5) = 0.1875 (exact in float32).
  optimizerStep(spec, createOptimizerState(spec, [5, 1]), slots, 0.5, { l1: 0, l2: 0.5 });
  assert.equal(weights[4], 0.1875);
});

test("a masked weight stays exactly zero and gathers no state", () => {
  const values = Float32Array.of(0.7, 0.7);
  const grad = Float64Array.of(1, 1);
  const mask = Uint8Array.of(0, 1);
  const spec: OptimizerSpec = { kind: "adam", learningRate: 0.01 };
  const state = createOptimizerState(spec, [2]);
  for (let k = 0; k < 5; k++)
    optimizerStep(spec, state, [{ values, grad, mask, penalised: true }], 0.01, { l1: 0, l2: 0.1 });
  assert.equal(values[0], 0);
  assert.ok(values[1]! < 0.7);
  assert.equal(state.buffers[0]![0]![0], 0);
  assert.equal(state.buffers[0]![1]![0], 0);
});

test("learning-rate schedules", () => {
  assert.equal(scheduledRate(0.1, { kind: "constant" }, 99), 0.1);
  assert.equal(scheduledRate(0.1, { kind: "step", everyEpochs: 10, gamma: 0.5 }, 25), 0.025);
  assert.ok(Math.abs(scheduledRate(0.1, { kind: "cosine", epochs: 10 }, 5) - 0.05) < 1e-15);
  assert.equal(scheduledRate(0.1, { kind: "cosine", epochs: 10, floor: 0.1 }, 20), 0.1 * 0.1);
});
