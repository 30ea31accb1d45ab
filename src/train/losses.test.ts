import assert from "node:assert/strict";
import { test } from "node:test";
import { distillationLoss } from "./distillation-loss.js";
import { meanSquaredError, regressionDistillationLoss } from "./mean-squared-error.js";
import { softmaxCrossEntropy } from "./softmax-cross-entropy.js";

const close = (actual: number, expected: number, tol = 1e-12) =>
  assert.ok(Math.abs(actual - expected) <= tol, `${actual} ≠ ${expected} (±${tol})`);

test("distillation loss: 2 classes, T = 2, α = 0.5, worked by hand", () => {
  // Student logits s = [1, 0], teacher logits t = [2, 0], label 0.
  // Teacher soft targets p = softmax(t/2) = softmax([1, 0]) = [e/(1+e), 1/(1+e)] = [0.7310586, 0.2689414].
  // Student soft q = softmax(s/2) = softmax([0.5, 0]) = [σ(0.5), σ(−0.5)] = [0.6224593, 0.3775407].
  // KL(p‖q) = 0.7310586·ln(0.7310586/0.6224593) + 0.2689414·ln(0.2689414/0.3775407)
  //         = 0.7310586·0.1608178 + 0.2689414·(−0.3391742) = 0.1175668 − 0.0912222 = 0.0263446.
  // Hard CE = −ln softmax([1, 0])[0] = ln(1 + e⁻¹) = 0.3132617.
  // Loss = α·T²·KL + (1 − α)·CE = 0.5·4·0.0263446 + 0.5·0.3132617 = 0.0526892 + 0.1566308 = 0.2093200.
  const grad = new Float64Array(2);
  const loss = distillationLoss(
    Float64Array.of(1, 0),
    1,
    2,
    Float64Array.of(2, 0),
    Int32Array.of(0),
    { temperature: 2, alpha: 0.5 },
    undefined,
    grad,
  );
  close(loss, 0.20932, 1e-6);
  // ∂/∂s₀ = α·T·(q₀ − p₀) + (1 − α)·(softmax(s)₀ − 1) = 1·(0.6224593 − 0.7310586) + 0.5·(0.7310586 − 1)
  //       = −0.1085993 − 0.1344707 = −0.2430700; the two classes' gradients sum to 0.
  close(grad[0]!, -0.24307, 1e-6);
  close(grad[1]!, 0.24307, 1e-6);
});

test("distillation loss scales the soft term by T² (α = 1 leaves T²·KL alone)", () => {
  // s = [0, 0], t = [ln 3, 0]·T so that softmax(t/T) = [3/4, 1/4] at every T; q = [1/2, 1/2].
  // KL = ¾·ln(3/2) + ¼·ln(1/2) = 0.1308121; with α = 1 the loss is T²·KL.
  const kl = 0.75 * Math.log(1.5) + 0.25 * Math.log(0.5);
  for (const T of [1, 2, 4]) {
    const loss = distillationLoss(
      Float64Array.of(0, 0),
      1,
      2,
      Float64Array.of(Math.log(3) * T, 0),
      Int32Array.of(1),
      { temperature: T, alpha: 1 },
    );
    close(loss, T * T * kl, 1e-12);
  }
});

test("distillation loss with α = 0 is the hard-label cross-entropy", () => {
  const logits = Float64Array.of(0.3, -1.2, 2);
  const labels = Int32Array.of(2);
  const ce = softmaxCrossEntropy(logits, 1, 3, labels);
  close(distillationLoss(logits, 1, 3, Float64Array.of(5, 0, 0), labels, { temperature: 3, alpha: 0 }), ce);
});

test("softmax cross-entropy: [0, 0] with label 0 is ln 2; importance weights scale each row", () => {
  close(softmaxCrossEntropy(Float64Array.of(0, 0), 1, 2, Int32Array.of(0)), Math.LN2);
  // Rows: [0, 0] → ln 2; [ln 3, 0] with label 0 → −ln ¾ = ln 4/3. Weights 2 and 1, mean over 2 rows.
  const loss = softmaxCrossEntropy(
    Float64Array.of(0, 0, Math.log(3), 0),
    2,
    2,
    Int32Array.of(0, 0),
    Float64Array.of(2, 1),
  );
  close(loss, (2 * Math.LN2 + Math.log(4 / 3)) / 2);
  assert.throws(() => softmaxCrossEntropy(Float64Array.of(0, 0), 1, 2, Int32Array.of(2)), RangeError);
});

test("MSE and regression distillation, by hand", () => {
  // (1 − 0)² and (3 − 1)² over 2 rows × 1 output: (1 + 4) / 2 = 2.5; gradient 2(o − t)/2 = [1, 2].
  const grad = new Float64Array(2);
  close(meanSquaredError(Float64Array.of(1, 3), 2, 1, Float64Array.of(0, 1), undefined, grad), 2.5);
  assert.deepEqual([...grad], [1, 2]);
  // Output 1, teacher 0, label 3, α = 0.25: 0.25·1 + 0.75·4 = 3.25; gradient 2·(0.25·1 + 0.75·(−2)) = −2.5.
  const g = new Float64Array(1);
  close(
    regressionDistillationLoss(
      Float64Array.of(1),
      1,
      1,
      Float64Array.of(0),
      Float64Array.of(3),
      0.25,
      undefined,
      g,
    ),
    3.25,
  );
  close(g[0]!, -2.5);
});
