import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { gunzipSync } from "node:zlib";
import { repoPath } from "../testing/paths.js";
import { seededRandom } from "../testing/random.js";
import {
  BinaryClassificationAccumulator,
  type BinaryClassificationResult,
  type ClassificationResult,
  type ClassLabel,
  MulticlassClassificationAccumulator,
} from "./index.js";

/** A classification case of golden/metrics_sklearn.json.gz (tools/make_metrics_golden.py, sklearn 1.2.1). */
interface GoldenClassification {
  readonly id: string;
  readonly kind: "binary" | "multiclass";
  readonly positive?: ClassLabel;
  readonly negative?: ClassLabel;
  readonly classes?: ClassLabel[];
  readonly y_true: ClassLabel[];
  readonly y_pred: ClassLabel[];
  /** Binary: the positive class's score per row; multiclass: rows aligned with `classes`. */
  readonly scores: number[] | number[][] | null;
  readonly labels: ClassLabel[];
  readonly accuracy: number;
  readonly precision: number[];
  readonly recall: number[];
  readonly f1: number[];
  readonly support: number[];
  readonly macro_precision: number;
  readonly macro_recall: number;
  readonly macro_f1: number;
  readonly confusion_matrix: number[][];
  readonly binary_precision?: number;
  readonly binary_recall?: number;
  readonly binary_f1?: number;
  readonly roc_auc: number | null;
  readonly log_loss: number | null;
}

const golden = JSON.parse(
  gunzipSync(readFileSync(repoPath("golden", "metrics_sklearn.json.gz"))).toString("utf8"),
) as { generator: string; classification: GoldenClassification[] };

type Accumulator = BinaryClassificationAccumulator | MulticlassClassificationAccumulator;

function create(c: GoldenClassification, options: { exactLimit?: number } = {}): Accumulator {
  if (c.kind === "binary") {
    return new BinaryClassificationAccumulator({ positive: c.positive!, negative: c.negative!, ...options });
  }
  return new MulticlassClassificationAccumulator(c.scores === null ? {} : { classes: c.classes! });
}

function addRow(accumulator: Accumulator, c: GoldenClassification, i: number): void {
  const score = c.scores?.[i];
  if (accumulator instanceof BinaryClassificationAccumulator) {
    accumulator.addLabel(c.y_true[i]!, c.y_pred[i]!, score as number | undefined);
  } else {
    accumulator.addLabel(c.y_true[i]!, c.y_pred[i]!, score as number[] | undefined);
  }
}

function accumulate(c: GoldenClassification, rows: Iterable<number>, options: { exactLimit?: number } = {}) {
  const accumulator = create(c, options);
  for (const i of rows) addRow(accumulator, c, i);
  return accumulator;
}

const allRows = (c: GoldenClassification): number[] => c.y_true.map((_, i) => i);

/** Worst relative error against sklearn per metric, reported as a test diagnostic. */
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

function checkAgainstGolden(c: GoldenClassification, r: ClassificationResult): void {
  assert.deepEqual(r.labels, c.labels, `${c.id} labels (sklearn's unique_labels order)`);
  assert.deepEqual(r.confusionMatrix, c.confusion_matrix, `${c.id} confusion matrix`);
  near("accuracy", c.id, r.accuracy, c.accuracy);
  r.perClass.forEach((row, k) => {
    assert.equal(row.label, c.labels[k]);
    near("precision", c.id, row.precision, c.precision[k]!);
    near("recall", c.id, row.recall, c.recall[k]!);
    near("f1", c.id, row.f1, c.f1[k]!);
    assert.equal(row.support, c.support[k]);
  });
  assert.equal(r.perClass.length, c.labels.length);
  near("macro precision", c.id, r.macro?.precision ?? null, c.macro_precision);
  near("macro recall", c.id, r.macro?.recall ?? null, c.macro_recall);
  near("macro f1", c.id, r.macro?.f1 ?? null, c.macro_f1);
  near("log loss", c.id, r.logLoss, c.log_loss);
  if (c.kind === "binary") {
    const b = r as BinaryClassificationResult;
    near("binary precision", c.id, b.positiveClass?.precision ?? null, c.binary_precision!);
    near("binary recall", c.id, b.positiveClass?.recall ?? null, c.binary_recall!);
    near("binary f1", c.id, b.positiveClass?.f1 ?? null, c.binary_f1!);
    if (b.rocAucExact) near("roc auc", c.id, b.rocAuc, c.roc_auc);
  }
}

test("golden: every classification metric matches scikit-learn 1.2.1 to 1e-12 relative", (t) => {
  assert.ok(golden.generator.startsWith("scikit-learn 1.2.1"), golden.generator);
  const cases = golden.classification;
  assert.ok(cases.length >= 19);
  assert.ok(
    cases.some((c) => c.id === "adult_predictions"),
    "the real-data case is in the golden file",
  );
  for (const c of cases) {
    const accumulator = accumulate(c, allRows(c));
    accumulator.addEvents(c.y_true.length + 7);
    const r = accumulator.result();
    checkAgainstGolden(c, r);
    assert.equal(r.labelled, c.y_true.length);
    assert.equal(r.events, c.y_true.length + 7);
    assert.equal(r.coverage, c.y_true.length / (c.y_true.length + 7));
    assert.equal(r.scored, c.scores === null ? 0 : c.y_true.length);
    if (c.kind === "binary") {
      const b = r as BinaryClassificationResult;
      assert.equal(b.rocAucExact, true);
      assert.equal(b.rocAucErrorBound, c.roc_auc === null ? null : 0);
    }
  }
  t.diagnostic(`worst relative error per metric: ${JSON.stringify(Object.fromEntries(worst))}`);
});

function randomParts(n: number, parts: number, rng: ReturnType<typeof seededRandom>): number[][] {
  const out: number[][] = Array.from({ length: parts }, () => []);
  for (let i = 0; i < n; i++) out[Math.floor(rng.uniform() * parts)]!.push(i);
  return out;
}

function mergeAll(c: GoldenClassification, parts: number[][], options: { exactLimit?: number } = {}) {
  const accumulators = parts.map((rows) => accumulate(c, rows, options));
  const [first, ...rest] = accumulators;
  for (const other of rest) {
    if (first instanceof BinaryClassificationAccumulator)
      first.merge(other as BinaryClassificationAccumulator);
    else (first as MulticlassClassificationAccumulator).merge(other as MulticlassClassificationAccumulator);
  }
  return first!;
}

test("merging the accumulators of random splits equals accumulating the whole", () => {
  const rng = seededRandom(2024);
  for (const c of golden.classification) {
    const whole = accumulate(c, allRows(c)).result();
    for (const parts of [2, 3, 7]) {
      const merged = mergeAll(c, randomParts(c.y_true.length, parts, rng)).result();
      // Counts and the exact AUC are integers: identical. The log-loss sum is compensated, so the order
      // of additions moves it by at most an ulp or two.
      const { logLoss, ...rest } = merged;
      const { logLoss: wholeLogLoss, ...wholeRest } = whole;
      assert.deepEqual(rest, wholeRest, c.id);
      near("log loss (merged vs whole)", c.id, logLoss, wholeLogLoss, 1e-15);
      checkAgainstGolden(c, merged);
    }
  }
});

test("toJSON / fromJSON round-trips exactly, through JSON text", () => {
  const rng = seededRandom(7);
  for (const c of golden.classification) {
    for (const limit of [undefined, 50]) {
      if (limit !== undefined && c.kind !== "binary") continue;
      const accumulator = mergeAll(
        c,
        randomParts(c.y_true.length, 2, rng),
        limit === undefined ? {} : { exactLimit: limit },
      );
      accumulator.addEvents(3);
      const json = JSON.parse(JSON.stringify(accumulator)) as unknown;
      const restored =
        c.kind === "binary"
          ? BinaryClassificationAccumulator.fromJSON(json)
          : MulticlassClassificationAccumulator.fromJSON(json);
      assert.deepEqual(restored.toJSON(), json, c.id);
      assert.deepEqual(restored.result(), accumulator.result(), c.id);
    }
  }
});

test("ROC AUC beyond the exact limit: histogram within its stated bound, in every merge mode", () => {
  for (const c of golden.classification) {
    if (c.kind !== "binary" || c.roc_auc === null || c.y_true.length < 200) continue;
    const n = c.y_true.length;
    const histogram = accumulate(c, allRows(c), { exactLimit: 100 }).result() as BinaryClassificationResult;
    assert.equal(histogram.rocAucExact, false);
    const bound = histogram.rocAucErrorBound!;
    assert.ok(
      Math.abs(histogram.rocAuc! - c.roc_auc) <= bound + 1e-12,
      `${c.id}: outside the bound ${bound}`,
    );
    // Parts small enough to stay exact, merged past the limit: the same histogram as the whole.
    const limit = Math.ceil(n / 2);
    const thirds = [0, 1, 2].map((k) => allRows(c).filter((i) => i % 3 === k));
    const mergedExact = mergeAll(c, thirds, { exactLimit: limit }).result() as BinaryClassificationResult;
    const wholeLimited = accumulate(c, allRows(c), {
      exactLimit: limit,
    }).result() as BinaryClassificationResult;
    assert.equal(mergedExact.rocAucExact, false);
    assert.equal(mergedExact.rocAuc, wholeLimited.rocAuc);
    assert.equal(mergedExact.rocAucErrorBound, wholeLimited.rocAucErrorBound);
    assert.equal(mergedExact.rocAuc, histogram.rocAuc, `${c.id}: the histogram does not depend on the path`);
    // Exact + exact within the limit stays exact and equals sklearn.
    const halves = [0, 1].map((k) => allRows(c).filter((i) => i % 2 === k));
    const stillExact = mergeAll(c, halves, { exactLimit: n }).result() as BinaryClassificationResult;
    assert.equal(stillExact.rocAucExact, true);
    near("roc auc", c.id, stillExact.rocAuc, c.roc_auc);
  }
});

test("labels: undeclared, mixed types and bad scores throw and change nothing", () => {
  const binary = new BinaryClassificationAccumulator({ positive: 1, negative: 0 });
  binary.addLabel(1, 0, 0.7);
  const before = JSON.stringify(binary);
  assert.throws(() => binary.addLabel(2, 0), RangeError);
  assert.throws(() => binary.addLabel("1" as unknown as number, 0), RangeError);
  assert.throws(() => binary.addLabel(1, 1, Number.NaN), RangeError);
  assert.equal(JSON.stringify(binary), before);
  assert.throws(() => new BinaryClassificationAccumulator({ positive: "a", negative: 0 }), TypeError);
  assert.throws(() => new BinaryClassificationAccumulator({ positive: "a", negative: "a" }), RangeError);

  const open = new MulticlassClassificationAccumulator();
  open.addLabel("x", "y");
  assert.throws(() => open.addLabel("z", 3), TypeError);
  assert.throws(() => open.addLabel("x", "y", [0.5, 0.5]), TypeError);
  assert.deepEqual(open.result().labels, ["x", "y"]);

  const declared = new MulticlassClassificationAccumulator({ classes: ["a", "b", "c"] });
  assert.throws(() => declared.addLabel("a", "d"), RangeError);
  assert.throws(() => declared.addLabel("a", "b", [0.5, 0.5]), RangeError);
  assert.throws(() => declared.addLabel("a", "b", [0.5, Number.POSITIVE_INFINITY, 0]), RangeError);
  assert.equal(declared.result().labelled, 0);
  assert.throws(() => new MulticlassClassificationAccumulator({ classes: ["a"] }), RangeError);
  assert.throws(() => new MulticlassClassificationAccumulator({ classes: ["a", "a"] }), RangeError);
  assert.throws(() => declared.merge(new MulticlassClassificationAccumulator({ classes: ["a", "c", "b"] })));
  assert.throws(() => binary.merge(new BinaryClassificationAccumulator({ positive: 0, negative: 1 })));
  assert.throws(() =>
    binary.merge(new BinaryClassificationAccumulator({ positive: 1, negative: 0, bins: 100 })),
  );
});

test("an empty window: counts are zero and every metric is null", () => {
  const binary = new BinaryClassificationAccumulator({ positive: "y", negative: "n" }).result();
  assert.deepEqual(
    [binary.accuracy, binary.macro, binary.positiveClass, binary.logLoss, binary.rocAuc, binary.coverage],
    [null, null, null, null, null, null],
  );
  assert.deepEqual([binary.labels, binary.confusionMatrix, binary.perClass], [[], [], []]);
  const multi = new MulticlassClassificationAccumulator({ classes: [1, 2, 3] });
  multi.addEvents(5);
  const r = multi.result();
  assert.deepEqual([r.accuracy, r.macro, r.logLoss, r.coverage, r.events], [null, null, null, 0, 5]);
});

test("sklearn docstring examples: log_loss and the 3-class confusion matrix", () => {
  // log_loss(["spam", "ham", "ham", "spam"], [[.1, .9], [.9, .1], [.8, .2], [.35, .65]]) == 0.21616...
  const binary = new BinaryClassificationAccumulator({ positive: "spam", negative: "ham" });
  for (const [truth, score] of [
    ["spam", 0.9],
    ["ham", 0.1],
    ["ham", 0.2],
    ["spam", 0.65],
  ] as const) {
    binary.addLabel(truth, score >= 0.5 ? "spam" : "ham", score);
  }
  assert.ok(Math.abs(binary.result().logLoss! - 0.21616187468057912) < 1e-15);
  // confusion_matrix(["cat", "ant", "cat", "cat", "ant", "bird"], ["ant", "ant", "cat", "cat", "ant", "cat"])
  const multi = new MulticlassClassificationAccumulator();
  const truth = ["cat", "ant", "cat", "cat", "ant", "bird"];
  const pred = ["ant", "ant", "cat", "cat", "ant", "cat"];
  truth.forEach((t, i) => {
    multi.addLabel(t, pred[i]!);
  });
  assert.deepEqual(multi.result().confusionMatrix, [
    [2, 0, 0],
    [0, 0, 1],
    [1, 0, 2],
  ]);
});
