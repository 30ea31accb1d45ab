import assert from "node:assert/strict";
import { test } from "node:test";
import { float64ArrayFromBase64 } from "../stats/index.js";
import { OnlineLinearModel } from "./linear-model.js";
import type { OptimizerSettings } from "./optimizers.js";

/** A binary model on one one-hot column, so every active x is 1 and standardisation plays no part. */
function model(optimizer: OptimizerSettings): OnlineLinearModel {
  return new OnlineLinearModel({
    task: "binary",
    classes: ["no", "yes"],
    features: { numeric: [], categorical: ["c"] },
    optimizer,
  });
}

const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) < 2e-6, `${what}: ${actual} vs hand-worked ${expected}`);

test("FTRL-Proximal: two steps by hand (McMahan et al. 2013, Algorithm 1)", () => {
  // α = 0.5, β = 1, λ₁ = 0.1, λ₂ = 0.2; coordinates 0 (bias, unregularised) and 1 (c = a), x = 1.
  // Step 1, label 1: z = n = 0 → w = 0, margin 0, p = 0.5, g = p − y = −0.5 on both.
  //   σ = (√0.25 − √0)/α = 1; z = 0 + (−0.5) − 1·0 = −0.5; n = 0.25.
  //   w₀ = −z/((β + √n)/α) = 0.5 / (1.5/0.5) = 1/6 = 0.166667
  //   w₁ = −(z − sgn(z)λ₁)/((β + √n)/α + λ₂) = 0.4 / (3 + 0.2) = 0.125
  // Step 2, label 0: margin = 1/6 + 0.125 = 0.291667, p = σ(0.291667) = 0.572404, g = 0.572404.
  //   n = 0.25 + 0.572404² = 0.577646; σ = (√0.577646 − 0.5)/0.5 = 0.520061
  //   z₀ = −0.5 + 0.572404 − 0.520061·(1/6) = −0.014273
  //   z₁ = −0.5 + 0.572404 − 0.520061·0.125 = 0.007396 → |z₁| ≤ λ₁: w₁ is exactly 0
  //   w₀ = 0.014273 / ((1 + √0.577646)/0.5) = 0.014273 / 3.520061 = 0.004055
  const m = model({ kind: "ftrl", alpha: 0.5, beta: 1, l1: 0.1, l2: 0.2 });
  m.learnRow({ c: "a" }, "yes");
  let w = m.weights().coef;
  close(w[0]!, 1 / 6, "w0 after step 1");
  close(w[1]!, 0.125, "w1 after step 1");
  close(m.predictRow({ c: "a" })[1]!, 0.572404, "p before step 2");
  m.learnRow({ c: "a" }, "no");
  const json = m.toJSON();
  const z = float64ArrayFromBase64(json.a);
  const n = float64ArrayFromBase64(json.b);
  close(n[0]!, 0.577646, "n0");
  close(z[0]!, -0.014273, "z0");
  close(z[1]!, 0.007396, "z1");
  w = m.weights().coef;
  close(w[0]!, 0.004055, "w0 after step 2");
  assert.equal(w[1], 0, "L1 gives an exact zero");
  assert.equal(m.nonZeroWeights(), 0);
});

test("AdaGrad with elastic net: two steps by hand (Duchi et al. 2011, composite mirror descent)", () => {
  // η = 0.5, ε = 0, λ₁ = 0.1, λ₂ = 0.2; coordinates 0 (bias, unregularised) and 1 (c = a), x = 1.
  // Step 1, label 1: w = 0, p = 0.5, loss gradient −0.5.
  //   bias: g = −0.5, G = 0.25, H = 0.5, u = 0 − 0.5·(−0.5)/0.5 = 0.5 → w₀ = 0.5
  //   w₁: g = −0.5 + λ₂·0 = −0.5, G = 0.25, H = 0.5, u = 0.5, shrink ηλ₁/H = 0.1 → w₁ = 0.4
  // Step 2, label 0: margin 0.9, p = σ(0.9) = 0.710950.
  //   bias: g = 0.710950, G = 0.25 + 0.505449 = 0.755449, H = 0.869166,
  //         u = 0.5 − 0.5·0.710950/0.869166 = 0.091016 → w₀ = 0.091016
  //   w₁: g = 0.710950 + 0.2·0.4 = 0.790950, G = 0.25 + 0.625601 = 0.875601, H = 0.935736,
  //         u = 0.4 − 0.5·0.790950/0.935736 = −0.022635, shrink 0.05/0.935736 = 0.053434 > |u| → w₁ = 0
  const m = model({ kind: "adagrad", eta: 0.5, epsilon: 0, l1: 0.1, l2: 0.2 });
  m.learnRow({ c: "a" }, "yes");
  let w = m.weights().coef;
  close(w[0]!, 0.5, "w0 after step 1");
  close(w[1]!, 0.4, "w1 after step 1");
  close(m.predictRow({ c: "a" })[1]!, 0.71095, "p before step 2");
  m.learnRow({ c: "a" }, "no");
  const G = float64ArrayFromBase64(m.toJSON().b);
  close(G[0]!, 0.755449, "G0");
  close(G[1]!, 0.875601, "G1");
  w = m.weights().coef;
  close(w[0]!, 0.091016, "w0 after step 2");
  assert.equal(w[1], 0, "the proximal step gives an exact zero");
});

test("SGD: scikit-learn's order — L2 shrink, gradient step, Tsuruoka's cumulative L1 — by hand", () => {
  // η = 0.1, λ₁ = 0.5, λ₂ = 1. Step 1, label 1, p = 0.5, gradient −0.5:
  //   w₁ = 0·(1 − 0.1·1) + 0.1·0.5 = 0.05; u = 0.1·0.5 = 0.05; w₁ > 0 → max(0, 0.05 − (u + q = 0.05)) = 0,
  //   q₁ = −0.05. The bias: 0 + 0.1·0.5 = 0.05 (no penalty).
  // Step 2, label 1: margin 0.05, p = σ(0.05) = 0.512497, gradient −0.487503:
  //   w₁ = 0·0.9 + 0.0487503 = 0.0487503; u = 0.1; w₁ − (u + q₁) = 0.0487503 − 0.05 < 0 → 0.
  //   bias = 0.05 + 0.0487503 = 0.0987503
  const m = model({ kind: "sgd", eta: 0.1, l1: 0.5, l2: 1 });
  m.learnRow({ c: "a" }, "yes");
  m.learnRow({ c: "a" }, "yes");
  const w = m.weights().coef;
  close(w[0]!, 0.0987503, "bias");
  assert.equal(w[1], 0);
  close(m.toJSON().u, 0.1, "u");
});
