import assert from "node:assert/strict";
import { test } from "node:test";
import {
  accuracyScore,
  meanAbsoluteError,
  meanSquaredError,
  negLogLossScore,
  r2Score,
  rocAucScore,
  SCORERS,
} from "./index.js";

const f = (...values: number[]) => Float64Array.from(values);
const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-12, `${what}: ${actual} vs ${expected}`);

test("hand-worked classification scores", () => {
  // Predicted classes 1, 0, 0 (0.5 is not above 0.5, as an argmax over [0.5, 0.5] picks class 0).
  close(accuracyScore(f(1, 0, 1), f(0.9, 0.2, 0.5)), 2 / 3, "accuracy");
  close(accuracyScore(f(1, 0), f(1, 0)), 1, "accuracy of labels");
  close(negLogLossScore(f(1, 0), f(0.9, 0.1)), Math.log(0.9), "log loss");
  // A confident mistake costs −ln(2⁻⁵²) ≈ 36.04, not ∞.
  close(negLogLossScore(f(1), f(0)), Math.log(Number.EPSILON), "clipped log loss");
  // Pairs (positive, negative): 0.35 > 0.1, 0.35 < 0.4, 0.8 > both → 3/4.
  close(rocAucScore(f(0, 0, 1, 1), f(0.1, 0.4, 0.35, 0.8)), 0.75, "roc auc");
  // A tie between a positive and a negative counts ½: pairs (0.5 vs 0.5) ½, (0.5 vs 0.2) 1 → 3/4.
  close(rocAucScore(f(0, 1, 0), f(0.5, 0.5, 0.2)), 0.75, "roc auc with a tie");
  assert.ok(Number.isNaN(rocAucScore(f(1, 1), f(0.2, 0.3))), "one class: undefined");
});

test("hand-worked regression scores", () => {
  close(meanAbsoluteError(f(1, 2), f(2, 4)), 1.5, "mae");
  close(meanSquaredError(f(1, 2), f(2, 4)), 2.5, "mse");
  close(SCORERS.neg_root_mean_squared_error(f(1, 2), f(2, 4)), -Math.sqrt(2.5), "−rmse");
  close(SCORERS.neg_mean_absolute_error(f(1, 2), f(2, 4)), -1.5, "−mae");
  // Mean 2, SS_tot 2, SS_res 1.
  close(r2Score(f(1, 2, 3), f(1, 2, 4)), 0.5, "r2");
  close(r2Score(f(2, 2), f(2, 2)), 1, "r2 of a perfect constant");
  close(r2Score(f(2, 2), f(2, 3)), 0, "r2 of an imperfect constant");
  assert.throws(() => r2Score(f(1), f(1, 2)), /truth has 1 values but predictions 2/);
});
