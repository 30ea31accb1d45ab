import assert from "node:assert/strict";
import { test } from "node:test";
import { isTikTokToeError } from "../errors/index.js";
import { seededRandom } from "../stats/index.js";
import { importanceWeights } from "./density-ratio.js";

test("recovers the analytic density ratio of a Gaussian mean shift", () => {
  // Source N(0, 1), target N(μ, 1): w(x) = p_t(x)/p_s(x) = exp(μx − μ²/2), and E_s[w²] = exp(μ²), so
  // Kish's ESS fraction is 1/exp(μ²) = 0.7788 for μ = 0.5.
  const mu = 0.5;
  const random = seededRandom(11);
  const source = random.normals(4000);
  const target = random.normals(4000, mu, 1);
  const { weights, essFraction, coefficients } = importanceWeights(source, target, 1);
  let mean = 0;
  for (const w of weights) mean += w / weights.length;
  assert.ok(Math.abs(mean - 1) < 1e-12, "normalised to mean 1");
  const truth = Array.from(source, (x) => Math.exp(mu * x - (mu * mu) / 2));
  const truthMean = truth.reduce((a, b) => a + b, 0) / truth.length;
  let error = 0;
  source.forEach((_, i) => {
    error += Math.abs(weights[i]! / (truth[i]! / truthMean) - 1) / source.length;
  });
  assert.ok(error < 0.06, `mean relative error ${error}`);
  // The classifier's slope on the standardised x, rescaled to x: ≈ μ.
  const pooledSd = Math.sqrt(1 + (mu * mu) / 4);
  assert.ok(Math.abs(coefficients[1]! / pooledSd - mu) < 0.08, `slope ${coefficients[1]! / pooledSd}`);
  assert.ok(Math.abs(essFraction - Math.exp(-mu * mu)) < 0.05, `ESS fraction ${essFraction}`);
});

test("no shift: weights near 1 and an ESS near n", () => {
  const random = seededRandom(12);
  const { essFraction } = importanceWeights(random.normals(3000), random.normals(3000), 1);
  assert.ok(essFraction > 0.98, `ESS fraction ${essFraction}`);
});

test("a shift too large to reweight is refused with IMPORTANCE_WEIGHTS_REFUSED", () => {
  const random = seededRandom(13);
  assert.throws(
    () => importanceWeights(random.normals(2000), random.normals(2000, 4, 1), 1),
    (e) => isTikTokToeError(e, "IMPORTANCE_WEIGHTS_REFUSED") && /effective sample size/.test(e.message),
  );
});
