import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { gunzipSync } from "node:zlib";
import { repoPath } from "../testing/paths.js";
import { seededRandom } from "../testing/random.js";
import { RegressionAccumulator, type RegressionResult } from "./index.js";

/** A regression case of golden/metrics_sklearn.json.gz (tools/make_metrics_golden.py, sklearn 1.2.1). */
interface GoldenRegression {
  readonly id: string;
  readonly y_true: number[];
  readonly y_pred: number[];
  readonly mae: number;
  readonly rmse: number;
  /** null where sklearn returns nan (fewer than two samples). */
  readonly r2: number | null;
  readonly mape: number;
}

const golden = JSON.parse(
  gunzipSync(readFileSync(repoPath("golden", "metrics_sklearn.json.gz"))).toString("utf8"),
) as { regression: GoldenRegression[] };

const worst = new Map<string, number>();

function near(metric: string, id: string, actual: number | null, expected: number | null, rel = 1e-12): void {
  if (expected === null || actual === null) {
    assert.equal(actual, expected, `${id} ${metric}`);
    return;
  }
  const error = expected === 0 ? Math.abs(actual) : Math.abs(actual - expected) / Math.abs(expected);
  worst.set(metric, Math.max(worst.get(metric) ?? 0, error));
  assert.ok(error <= rel, `${id} ${metric}: ${actual} vs sklearn ${expected} (relative error ${error})`);
}

function check(c: GoldenRegression, r: RegressionResult): void {
  near("mae", c.id, r.mae, c.mae);
  near("rmse", c.id, r.rmse, c.rmse);
  near("r2", c.id, r.r2, c.r2);
  near("mape", c.id, r.mape, c.mape);
}

function accumulate(c: GoldenRegression, rows: Iterable<number>): RegressionAccumulator {
  const accumulator = new RegressionAccumulator();
  for (const i of rows) accumulator.addLabel(c.y_true[i]!, c.y_pred[i]!);
  return accumulator;
}

test("golden: MAE, RMSE, R² and MAPE match scikit-learn 1.2.1 to 1e-12 relative (large offsets included)", (t) => {
  const cases = golden.regression;
  assert.ok(cases.length >= 12);
  for (const c of cases) {
    const accumulator = accumulate(
      c,
      c.y_true.map((_, i) => i),
    );
    accumulator.addEvents(2 * c.y_true.length);
    const r = accumulator.result();
    check(c, r);
    assert.deepEqual([r.events, r.labelled, r.coverage], [2 * c.y_true.length, c.y_true.length, 0.5]);
  }
  t.diagnostic(`worst relative error per metric: ${JSON.stringify(Object.fromEntries(worst))}`);
});

test("merging the accumulators of random splits equals accumulating the whole", () => {
  const rng = seededRandom(11);
  for (const c of golden.regression) {
    const n = c.y_true.length;
    const whole = accumulate(
      c,
      c.y_true.map((_, i) => i),
    ).result();
    for (const parts of [2, 5, 16]) {
      const rows: number[][] = Array.from({ length: parts }, () => []);
      for (let i = 0; i < n; i++) rows[Math.floor(rng.uniform() * parts)]!.push(i);
      const accumulators = rows.map((r) => accumulate(c, r));
      // Merge as a server would over time: pairwise, in a random tree.
      while (accumulators.length > 1) {
        const k = Math.floor(rng.uniform() * (accumulators.length - 1));
        const [b] = accumulators.splice(k + 1, 1);
        accumulators[k]!.merge(b!);
      }
      const merged = accumulators[0]!.result();
      check(c, merged);
      for (const key of ["mae", "rmse", "r2", "mape"] as const) {
        near(`${key} (merged vs whole)`, c.id, merged[key], whole[key], 1e-13);
      }
    }
  }
});

test("toJSON / fromJSON round-trips exactly, through JSON text", () => {
  for (const c of golden.regression) {
    const half = Math.floor(c.y_true.length / 2);
    const a = accumulate(
      c,
      c.y_true.map((_, i) => i).filter((i) => i < half),
    );
    a.merge(
      accumulate(
        c,
        c.y_true.map((_, i) => i).filter((i) => i >= half),
      ),
    );
    a.addEvents(1);
    const json = JSON.parse(JSON.stringify(a)) as unknown;
    const restored = RegressionAccumulator.fromJSON(json);
    assert.deepEqual(restored.toJSON(), json, c.id);
    assert.deepEqual(restored.result(), a.result(), c.id);
  }
  assert.throws(
    () => RegressionAccumulator.fromJSON({ format: "tiktoktoe.metrics.regression", version: 2 }),
    RangeError,
  );
  assert.throws(() => RegressionAccumulator.fromJSON({ format: "other", version: 1 }), TypeError);
});

test("R² keeps its digits where the one-pass formula loses them all (y ≈ 1e9)", () => {
  // Deviations from 1e9 of ±1, ±2: Σ(y − ȳ)² = 10 exactly; Σy² − n·ȳ² in doubles is off by ~1e9·ulp.
  const a = new RegressionAccumulator();
  const b = new RegressionAccumulator();
  [1e9 - 2, 1e9 - 1, 1e9, 1e9 + 1, 1e9 + 2].forEach((y, i) => {
    (i < 2 ? a : b).addLabel(y, y + (i % 2 === 0 ? 1 : -1));
  });
  assert.equal(a.merge(b).result().r2, 1 - 5 / 10);
});

test("edge cases: empty, one event, constant targets, zero targets, bad input", () => {
  const empty = new RegressionAccumulator().result();
  assert.deepEqual(empty, {
    events: 0,
    labelled: 0,
    coverage: null,
    mae: null,
    rmse: null,
    r2: null,
    mape: null,
  });
  const one = new RegressionAccumulator();
  one.addLabel(3, 2.5);
  assert.equal(one.result().r2, null);
  assert.equal(one.result().mae, 0.5);
  // r2_score([0, 0], [0, 1]) == 0.0 (force_finite); mean_absolute_percentage_error([0], [1]) == 1 / eps.
  const zeros = new RegressionAccumulator();
  zeros.addLabel(0, 0);
  zeros.addLabel(0, 1);
  assert.equal(zeros.result().r2, 0);
  assert.equal(zeros.result().mape, 1 / Number.EPSILON / 2);
  // The sklearn docstring example: r2_score([3, -0.5, 2, 7], [2.5, 0.0, 2, 8]) == 0.948...
  const doc = new RegressionAccumulator();
  for (const [y, p] of [
    [3, 2.5],
    [-0.5, 0],
    [2, 2],
    [7, 8],
  ] as const) {
    doc.addLabel(y, p);
  }
  assert.ok(Math.abs(doc.result().r2! - 0.9486081370449679) < 1e-15);
  assert.ok(Math.abs(doc.result().mape! - 0.3273809523809524) < 1e-15);
  assert.throws(() => doc.addLabel(Number.NaN, 1), RangeError);
  assert.throws(() => doc.addEvents(-1), RangeError);
  assert.equal(doc.result().labelled, 4);
});
