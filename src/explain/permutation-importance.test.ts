import assert from "node:assert/strict";
import { test } from "node:test";
import { seededRandom } from "../testing/random.js";
import { type BatchPredict, type ExplainData, permutationImportance } from "./index.js";

/** y = 3·x0 − 2·x1 + 0·x2: x2 is an input the model ignores. */
const linear: BatchPredict = async (rows, n, d) => {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = 3 * rows[i * d]! - 2 * rows[i * d + 1]! + 0 * rows[i * d + 2]!;
  return out;
};

/** P(y = 1) = σ(2·x0 − x1 + 0·x2). */
const logistic: BatchPredict = async (rows, n, d) => {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = 1 / (1 + Math.exp(-(2 * rows[i * d]! - rows[i * d + 1]!)));
  return out;
};

function regressionData(seed: number, n: number, sd: readonly number[], noise = 1): ExplainData {
  const rng = seededRandom(seed);
  const columns = sd.map((s) => rng.normals(n, 0, s));
  const labels = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = 3 * columns[0]![i]! - 2 * columns[1]![i]! + noise * rng.normal();
  }
  return { columns, labels, names: ["x0", "x1", "x2"] };
}

function classificationData(seed: number, n: number): ExplainData {
  const rng = seededRandom(seed);
  const columns = [rng.normals(n), rng.normals(n), rng.normals(n)];
  const labels = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const p = 1 / (1 + Math.exp(-(2 * columns[0]![i]! - columns[1]![i]!)));
    labels[i] = rng.uniform() < p ? 1 : 0;
  }
  return { columns, labels };
}

test("hand-worked: two rows, identity model, shuffles that always swap; repeats continue the previous order", async () => {
  // random() = 0 makes Fisher–Yates swap the two rows each time, starting from the previous order:
  // repeat 1 [1, 0] → MAE 1; repeat 2 back to [0, 1] → MAE 0; repeat 3 [1, 0] → MAE 1.
  // Baseline MAE 0, so drops [1, 0, 1]: mean 2/3, std √(((1/3)² + (2/3)² + (1/3)²) / 3) = √2 / 3.
  const result = await permutationImportance(
    { columns: [Float64Array.of(0, 1)], labels: Float64Array.of(0, 1) },
    async (rows) => Float64Array.from(rows),
    { scoring: "neg_mean_absolute_error", random: () => 0, repeats: 3 },
  );
  assert.equal(result.baseline, -0);
  assert.deepEqual(result.importances[0]!.drops, [1, 0, 1]);
  assert.ok(Math.abs(result.importances[0]!.mean - 2 / 3) < 1e-15);
  assert.ok(Math.abs(result.importances[0]!.std - Math.SQRT2 / 3) < 1e-15);
  assert.deepEqual([result.rows, result.repeats, result.importances[0]!.name], [2, 3, "x0"]);
});

test("regression: an ignored feature scores exactly 0, and x0 (weight 3) > x1 (weight −2) > 0", async () => {
  const data = regressionData(1, 3000, [1, 1, 1]);
  for (const scoring of [
    "neg_mean_squared_error",
    "neg_root_mean_squared_error",
    "neg_mean_absolute_error",
    "r2",
  ] as const) {
    const result = await permutationImportance(data, linear, { scoring, random: seededRandom(2).uniform });
    const [x0, x1, x2] = result.importances;
    assert.deepEqual(x2!.drops, [0, 0, 0, 0, 0], scoring);
    assert.equal(x2!.mean, 0);
    assert.equal(x2!.std, 0);
    assert.ok(x0!.mean > x1!.mean && x1!.mean > 0, `${scoring}: ${x0!.mean} > ${x1!.mean} > 0`);
    assert.ok(x1!.mean - x1!.std * 3 > 0, `${scoring}: x1 clearly above 0`);
    assert.deepEqual(result.ranking, [0, 1, 2]);
    assert.equal(result.rows, 2000, "maxRows defaults to 2,000");
    assert.equal(x0!.drops.length, 5, "repeats defaults to 5");
  }
});

test("classification: accuracy, negative log loss and ROC AUC all rank x0 > x1 > x2 = 0", async () => {
  const data = classificationData(3, 4000);
  for (const scoring of ["accuracy", "neg_log_loss", "roc_auc"] as const) {
    const result = await permutationImportance(data, logistic, {
      scoring,
      random: seededRandom(4).uniform,
      maxRows: 4000,
    });
    const [x0, x1, x2] = result.importances;
    assert.equal(x2!.mean, 0, scoring);
    assert.ok(x0!.mean > x1!.mean && x1!.mean > 0, `${scoring}: ${x0!.mean} > ${x1!.mean} > 0`);
    assert.deepEqual(result.ranking, [0, 1, 2]);
    assert.ok(
      result.baseline > (scoring === "neg_log_loss" ? -0.5 : 0.75),
      `${scoring} baseline ${result.baseline}`,
    );
  }
});

test("closed form: permuting x_j of a linear model raises the MSE by 2·w_j²·Var(x_j)", async () => {
  // y = 3·x0 − 2·x1 + ε, ε ~ N(0, 1). Permuted, the error gains w_j·(x_j − x_j′) with x_j′ an independent
  // copy of x_j, whose square has mean 2·Var(x_j). sd = (1, 2, 0.5) → 2·9·1 = 18, 2·4·4 = 32, 0.
  // The drop's relative sd is about √(2/n) ≈ 0.8% at n = 30,000; 4% is five of them.
  const n = 30_000;
  const result = await permutationImportance(regressionData(5, n, [1, 2, 0.5]), linear, {
    scoring: "neg_mean_squared_error",
    random: seededRandom(6).uniform,
    maxRows: n,
  });
  const expected = [18, 32, 0];
  result.importances.forEach((f, j) => {
    if (expected[j] === 0) assert.equal(f.mean, 0);
    else assert.ok(Math.abs(f.mean / expected[j]! - 1) < 0.04, `${f.name}: ${f.mean} vs ${expected[j]}`);
  });
  assert.deepEqual(result.ranking, [1, 0, 2]);
});

test("reproducible from the seed; another seed gives other drops but the same ranking", async () => {
  const data = regressionData(7, 5000, [1, 1, 1]);
  const run = (seed: number) =>
    permutationImportance(data, linear, { scoring: "r2", random: seededRandom(seed).uniform, maxRows: 500 });
  const [a, b, c] = await Promise.all([run(8), run(8), run(9)]);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.importances[0]!.drops, c.importances[0]!.drops);
  assert.deepEqual(c.ranking, a.ranking);
  assert.equal(a.rows, 500);
});

test("maxRows samples distinct rows without replacement, in column order", async () => {
  const n = 5000;
  const index = Float64Array.from({ length: n }, (_, i) => i);
  let seen: number[] | undefined;
  await permutationImportance(
    { columns: [index], labels: new Float64Array(n) },
    async (rows, m) => {
      seen ??= Array.from(rows);
      return new Float64Array(m);
    },
    { scoring: "neg_mean_absolute_error", random: seededRandom(16).uniform, maxRows: 500, repeats: 1 },
  );
  assert.equal(seen!.length, 500);
  assert.equal(new Set(seen).size, 500);
  assert.ok(seen!.every((v, i) => Number.isInteger(v) && v >= 0 && v < n && (i === 0 || v > seen![i - 1]!)));
  // The mean of 500 uniform draws from 0…4999 has sd ≈ 64; 250 is about four of them.
  const mean = seen!.reduce((a, b) => a + b, 0) / 500;
  assert.ok(Math.abs(mean - 2499.5) < 250, `mean sampled row ${mean}`);
});

test("batches: slices of batchRows rows give the same result; float32 feeds Float32Array", async () => {
  const data = regressionData(10, 300, [1, 1, 1]);
  const whole = await permutationImportance(data, linear, {
    scoring: "r2",
    random: seededRandom(11).uniform,
  });
  const sizes: number[] = [];
  let calls = 0;
  const batched = await permutationImportance(
    data,
    async (rows, n, d) => {
      calls++;
      sizes.push(n);
      assert.ok(rows instanceof Float64Array);
      assert.equal(rows.length, n * d);
      return linear(rows, n, d);
    },
    { scoring: "r2", random: seededRandom(11).uniform, batchRows: 64 },
  );
  assert.deepEqual(batched, whole);
  // 1 baseline + 3 features × 5 repeats predictions, each in ⌈300 / 64⌉ = 5 slices of ≤ 64 rows.
  assert.equal(calls, 16 * 5);
  assert.ok(sizes.every((s) => s === 64 || s === 300 - 4 * 64));

  const single = await permutationImportance(
    data,
    async (rows, n, d) => {
      assert.ok(rows instanceof Float32Array);
      return linear(rows, n, d);
    },
    { scoring: "r2", random: seededRandom(11).uniform, dtype: "float32" },
  );
  assert.equal(single.importances[2]!.mean, 0);
  assert.deepEqual(single.ranking, [0, 1, 2]);
  assert.ok(Math.abs(single.importances[0]!.mean - whole.importances[0]!.mean) < 1e-4);
});

test("the input is left as it was, and a custom scorer is used as given", async () => {
  const data = regressionData(12, 200, [1, 1, 1]);
  const copies = data.columns.map((c) => Float64Array.from(c));
  let scored = 0;
  const result = await permutationImportance(data, linear, {
    scoring: (truth, predictions) => {
      scored++;
      let sum = 0;
      for (let i = 0; i < truth.length; i++) sum -= (truth[i]! - predictions[i]!) ** 4;
      return sum / truth.length;
    },
    random: seededRandom(13).uniform,
    repeats: 2,
  });
  assert.equal(scored, 1 + 3 * 2);
  assert.deepEqual(data.columns, copies);
  assert.deepEqual(result.ranking, [0, 1, 2]);
});

test("bad input throws; a predict of the wrong length rejects", async () => {
  const data = regressionData(14, 10, [1, 1, 1]);
  const random = seededRandom(15).uniform;
  const cases: [ExplainData, string][] = [
    [{ columns: [], labels: data.labels }, "at least one feature"],
    [{ columns: [new Float64Array(0)], labels: new Float64Array(0) }, "at least one row"],
    [{ columns: [data.columns[0]!, new Float64Array(3)], labels: data.labels }, "column 1 has 3 rows"],
    [{ ...data, names: ["a"] }, "1 names for 3 columns"],
  ];
  for (const [bad, message] of cases) {
    await assert.rejects(permutationImportance(bad, linear, { scoring: "r2", random }), {
      message: new RegExp(message),
    });
  }
  await assert.rejects(permutationImportance(data, linear, { scoring: "r2", random, repeats: 0 }), /repeats/);
  await assert.rejects(
    permutationImportance(data, linear, { scoring: "r2", random, maxRows: 1.5 }),
    /maxRows/,
  );
  await assert.rejects(
    permutationImportance(data, linear, { scoring: "nope" as "r2", random }),
    /unknown scoring "nope"/,
  );
  await assert.rejects(
    permutationImportance(data, async () => new Float64Array(1), { scoring: "r2", random }),
    /predict returned 1 values for 10 rows/,
  );
});
