import assert from "node:assert/strict";
import { test } from "node:test";
import {
  checkAgreement,
  checkGolden,
  checkInvariance,
  checkLatency,
  checkSchema,
  describeFailures,
  type ModelSignature,
  verificationOutcome,
} from "./index.js";

/** The pure checks of verification before traffic (issue #14); the server runs the models. */

const cancer: ModelSignature = {
  inputs: [{ name: "features", type: "float32", shape: ["N", 30] }],
  outputs: [{ name: "probabilities", type: "float32", shape: ["N", 2] }],
};

test("schema: a batch axis named differently still fits; a width, a type, a name or a class count does not", () => {
  const renamedAxis: ModelSignature = {
    inputs: [{ name: "features", type: "float32", shape: ["batch", 30] }],
    outputs: [{ name: "probabilities", type: "float32", shape: ["batch", 2] }],
  };
  const same = checkSchema(cancer, renamedAxis, 2);
  assert.equal(same.outcome, "pass", same.reason);
  const digits: ModelSignature = {
    inputs: [{ name: "pixels", type: "float32", shape: ["N", 64] }],
    outputs: [{ name: "probabilities", type: "float32", shape: ["N", 10] }],
  };
  const wrong = checkSchema(cancer, digits, 2);
  assert.equal(wrong.outcome, "fail");
  assert.match(wrong.reason, /input "features" is missing/);
  assert.match(wrong.reason, /input "pixels" is new/);
  assert.match(wrong.reason, /output "probabilities" has shape \[N, 10\], production's \[N, 2\]/);
  assert.match(wrong.reason, /10 scores per row; the schema declares 2 classes/);
  assert.equal(wrong.value, 4);
  const doubles: ModelSignature = {
    inputs: [{ name: "features", type: "float64", shape: ["N", 30] }],
    outputs: cancer.outputs,
  };
  assert.match(
    checkSchema(cancer, doubles, 2).reason,
    /input "features" is float64, production's is float32/,
  );
  const fixed: ModelSignature = {
    inputs: [{ name: "features", type: "float32", shape: [1, 30] }],
    outputs: cancer.outputs,
  };
  assert.equal(checkSchema(cancer, fixed, 2).outcome, "fail", "a fixed batch of 1 is not [N, 30]");
});

test("golden: classes exactly, scores and values within numpy's isclose (abs + rel × |expected|)", () => {
  const tol = { abs: 1e-4, rel: 1e-3 };
  // numpy.isclose(1.0010, 1.0, atol=1e-4, rtol=1e-3) is True; 1.0012 is False.
  const pass = checkGolden("regression", [{ prediction: 1 }], [{ prediction: 1.001, scores: null }], tol);
  assert.equal(pass.outcome, "pass", pass.reason);
  const fail = checkGolden("regression", [{ prediction: 1 }], [{ prediction: 1.0012, scores: null }], tol);
  assert.equal(fail.outcome, "fail");
  assert.ok(Math.abs(fail.figures.maxAbsDiff! - 0.0012) < 1e-12);
  const rows = [
    { prediction: "1", scores: [0.1, 0.9] },
    { prediction: "0", scores: [0.8, null] },
    { scores: [null, 0.3] },
  ];
  const answers = [
    { prediction: "1", scores: [0.10005, 0.89995] },
    { prediction: "0", scores: [0.7, 0.3] }, // the score 0.7 ≠ 0.8
    { prediction: "0", scores: [0.7, 0.3] },
  ];
  const classes = checkGolden("binary", rows, answers, tol);
  assert.equal(classes.outcome, "fail");
  assert.equal(classes.value, 1);
  assert.equal(classes.n, 3);
  assert.match(classes.reason, /1 of 3 golden rows outside tolerance \(the first: row 1/);
  const wrongClass = checkGolden(
    "binary",
    [{ prediction: "1" }],
    [{ prediction: "0", scores: [0.6, 0.4] }],
    tol,
  );
  assert.equal(wrongClass.outcome, "fail");
  assert.equal(checkGolden("binary", [], [], tol).outcome, "skipped");
});

test("invariance: copies of row i sit at i, i + n, …; a flip or a move beyond the tolerance counts", () => {
  const base = [
    { prediction: "0", scores: null },
    { prediction: "1", scores: null },
  ];
  // Two settings: row 1 flips under the second.
  const perturbed = [
    { prediction: "0", scores: null },
    { prediction: "1", scores: null },
    { prediction: "0", scores: null },
    { prediction: "0", scores: null },
  ];
  const flips = checkInvariance("invariance:age", "binary", base, perturbed, {
    tolerance: 0,
    maxViolationRate: 0,
  });
  assert.equal(flips.outcome, "fail");
  assert.equal(flips.figures.violations, 1);
  assert.equal(flips.value, 0.25);
  assert.match(flips.reason, /1 of 4 perturbed rows flipped the class \(the first: row 1\)/);
  assert.equal(
    checkInvariance("invariance:age", "binary", base, perturbed, { tolerance: 0, maxViolationRate: 0.25 })
      .outcome,
    "pass",
  );
  const values = [
    { prediction: 10, scores: null },
    { prediction: 20, scores: null },
  ];
  const moved = [
    { prediction: 10.4, scores: null },
    { prediction: 20.6, scores: null },
  ];
  const regression = checkInvariance("invariance:x", "regression", values, moved, {
    tolerance: 0.5,
    maxViolationRate: 0,
  });
  assert.equal(regression.outcome, "fail");
  assert.equal(regression.figures.violations, 1);
  assert.ok(Math.abs(regression.figures.maxAbsChange! - 0.6) < 1e-9);
});

test("latency: p50 and p99 are numpy's linear quantiles of the runs; p99 above the budget fails", () => {
  const runs = [0.31, 0.12, 0.5, 0.27, 2.9, 0.33, 0.41, 0.29, 0.18, 0.36, 0.22, 0.95];
  // numpy 2.4: np.quantile(runs, 0.5) = 0.32, np.quantile(runs, 0.99) = 2.685500000000001, mean 0.57.
  const within = checkLatency(runs, 3);
  assert.equal(within.outcome, "pass");
  assert.ok(Math.abs(within.figures.p50! - 0.32) < 1e-12);
  assert.ok(Math.abs(within.value! - 2.685500000000001) < 1e-12);
  assert.ok(Math.abs(within.figures.mean! - 0.57) < 1e-12);
  assert.equal(within.n, 12);
  const over = checkLatency(runs, 2.5);
  assert.equal(over.outcome, "fail");
  assert.match(over.reason, /p99 2\.686 ms > budget 2\.5 ms over 12 single-row runs/);
  assert.equal(checkLatency([], 1).outcome, "skipped");
});

test("agreement: the fraction of equal classes against minAgreement; a regression's mean |difference|", () => {
  const prod = ["0", "1", "1", "0", "1", "1", "0", "0", "1", "1"].map((p) => ({
    prediction: p,
    scores: null,
  }));
  const cand = ["0", "1", "1", "0", "1", "1", "0", "1", "0", "1"].map((p) => ({
    prediction: p,
    scores: null,
  }));
  const a = checkAgreement("binary", cand, prod, { minAgreement: 0.9, maxMeanAbsDiff: null });
  assert.equal(a.outcome, "fail");
  assert.equal(a.value, 0.8);
  assert.deepEqual(a.figures, { agreed: 8, disagreed: 2 });
  assert.equal(
    checkAgreement("binary", cand, prod, { minAgreement: 0.8, maxMeanAbsDiff: null }).outcome,
    "pass",
  );
  const r = checkAgreement(
    "regression",
    [1, 2, 3].map((v) => ({ prediction: v, scores: null })),
    [1.5, 2, 2].map((v) => ({ prediction: v, scores: null })),
    { minAgreement: 0, maxMeanAbsDiff: 0.4 },
  );
  assert.equal(r.outcome, "fail");
  assert.equal(r.value, 0.5);
  assert.equal(r.figures.maxAbsDiff, 1);
  assert.equal(
    checkAgreement("binary", [], [], { minAgreement: 0.9, maxMeanAbsDiff: null }).outcome,
    "skipped",
  );
});

test("a verification fails on any failed test; skipped ones do not block; failures are named", () => {
  const schema = checkSchema(cancer, cancer, 2);
  const latency = checkLatency([5, 6, 7], 1);
  const skipped = checkAgreement("binary", [], [], { minAgreement: 0.9, maxMeanAbsDiff: null });
  assert.equal(verificationOutcome([schema, skipped]), "pass");
  assert.equal(verificationOutcome([schema, latency, skipped]), "fail");
  assert.match(describeFailures([schema, latency]), /^latency: p99 6\.980 ms > budget 1 ms/);
});
