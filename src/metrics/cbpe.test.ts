import assert from "node:assert/strict";
import { test } from "node:test";
import { seededRandom } from "../testing/random.js";
import {
  CbpeAccumulator,
  type CbpeResult,
  expectedCalibrationError,
  fitCbpeCalibrator,
  needsCalibration,
} from "./cbpe.js";
import type { IsotonicRegression } from "./isotonic.js";

type Rng = ReturnType<typeof seededRandom>;

/** Gamma(shape, 1) by Marsaglia and Tsang (2000), boosted by U^(1/shape) below shape 1. */
function gamma(rng: Rng, shape: number): number {
  if (shape < 1) return gamma(rng, shape + 1) * rng.uniform() ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.uniform();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

function beta(rng: Rng, a: number, b: number): number {
  const x = gamma(rng, a);
  return x / (x + gamma(rng, b));
}

/** Rows of a model whose true P(y = 1) is p ~ Beta(a, b); `score` is what the model reports. */
function draw(rng: Rng, n: number, a: number, b: number, score: (p: number) => number) {
  const scores = new Float64Array(n);
  const labels = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const p = beta(rng, a, b);
    scores[i] = score(p);
    labels[i] = rng.uniform() < p ? 1 : 0;
  }
  return { scores, labels };
}

interface Coverage {
  readonly windows: number;
  readonly covered: Record<"accuracy" | "precision" | "recall" | "specificity" | "f1", number>;
  readonly meanAbsoluteError: number;
  readonly meanError: number;
}

/**
 * Held-out windows under covariate shift (each window its own Beta), scored by the model's own rule
 * (score > 0.5): how often the realised metric lies in the estimate's ±3·SE band.
 */
function coverage(
  rng: Rng,
  calibrator: IsotonicRegression | null,
  score: (p: number) => number,
  windows = 300,
  size = 500,
): Coverage {
  const covered = { accuracy: 0, precision: 0, recall: 0, specificity: 0, f1: 0 };
  let absolute = 0;
  let signed = 0;
  for (let w = 0; w < windows; w++) {
    const a = 0.4 + 1.2 * ((w % 7) / 6);
    const b = 0.4 + 1.2 * ((w % 5) / 4);
    const { scores, labels } = draw(rng, size, a, b, score);
    const window = new CbpeAccumulator({ calibrator });
    const counts = { tp: 0, fp: 0, tn: 0, fn: 0 };
    for (let i = 0; i < size; i++) {
      window.add(scores[i]!);
      const predicted = scores[i]! > 0.5;
      const positive = labels[i] === 1;
      if (predicted) counts[positive ? "tp" : "fp"]++;
      else counts[positive ? "fn" : "tn"]++;
    }
    const { tp, fp, tn, fn } = counts;
    const realised = {
      accuracy: (tp + tn) / size,
      precision: tp / (tp + fp),
      recall: tp / (tp + fn),
      specificity: tn / (tn + fp),
      f1: (2 * tp) / (2 * tp + fp + fn),
    };
    const r: CbpeResult = window.result();
    for (const metric of Object.keys(covered) as (keyof typeof covered)[]) {
      const e = r[metric];
      const value = realised[metric];
      // A metric undefined in the window (no predicted positives, say) counts as covered when CBPE agrees.
      if (e === null || Number.isNaN(value)) {
        if (e === null && Number.isNaN(value)) covered[metric]++;
      } else if (value >= e.lower && value <= e.upper) covered[metric]++;
    }
    absolute += Math.abs(r.accuracy!.estimate - realised.accuracy);
    signed += r.accuracy!.estimate - realised.accuracy;
  }
  return { windows, covered, meanAbsoluteError: absolute / windows, meanError: signed / windows };
}

test("calibrated scores: realised accuracy lies in estimate ± 3·SE in ≥ 95% of 300 shifted windows", (t) => {
  const rng = seededRandom(41);
  const identity = (p: number) => p;
  const reference = draw(rng, 5000, 0.8, 0.6, identity);
  const isotonic = fitCbpeCalibrator(reference.scores, reference.labels, { calibration: "isotonic" });
  assert.ok(isotonic !== null);
  for (const [name, calibrator] of [
    ["scores as they are", null],
    ["isotonic on the reference", isotonic],
  ] as const) {
    const c = coverage(rng, calibrator, identity);
    t.diagnostic(`${name}: ${JSON.stringify(c)}`);
    for (const [metric, count] of Object.entries(c.covered)) {
      assert.ok(count >= 0.95 * c.windows, `${name}: ${metric} covered in ${count} of ${c.windows} windows`);
    }
    assert.ok(c.meanAbsoluteError < 0.02, `${name}: mean |error| ${c.meanAbsoluteError}`);
  }
});

test("a miscalibrated model (score = p²): isotonic calibration on the reference removes the bias", (t) => {
  const rng = seededRandom(42);
  const squared = (p: number) => p * p;
  const reference = draw(rng, 5000, 0.8, 0.6, squared);
  assert.equal(needsCalibration(reference.scores, reference.labels, { random: rng.uniform }), true);
  const calibrator = fitCbpeCalibrator(reference.scores, reference.labels, { random: rng.uniform });
  assert.ok(calibrator !== null, "auto calibrates");

  const raw = coverage(rng, null, squared, 100);
  const calibrated = coverage(rng, calibrator, squared);
  t.diagnostic(`raw: ${JSON.stringify(raw)}`);
  t.diagnostic(`calibrated: ${JSON.stringify(calibrated)}`);
  // Taken as probabilities, p² understates P(y = 1) by p − p² (up to ¼): the estimate is far off.
  assert.ok(Math.abs(raw.meanError) > 0.05, `uncalibrated bias ${raw.meanError}`);
  assert.ok(raw.covered.accuracy < 0.5 * raw.windows);
  assert.ok(Math.abs(calibrated.meanError) < 0.01, `calibrated bias ${calibrated.meanError}`);
  assert.ok(calibrated.meanAbsoluteError < 0.025);
  assert.ok(calibrated.covered.accuracy >= 0.95 * calibrated.windows, JSON.stringify(calibrated.covered));
});

test("hand-worked expected counts, metrics and standard errors", () => {
  // p: 0.9 (ŷ 1), 0.2 (ŷ 0), 0.6 (ŷ 1), 0.4 (ŷ 0), scores taken as probabilities.
  //   E[TP] = 0.9 + 0.6 = 1.5, E[FP] = 0.1 + 0.4 = 0.5, E[FN] = 0.2 + 0.4 = 0.6, E[TN] = 0.8 + 0.6 = 1.4
  //   accuracy = 2.9 / 4 = 0.725, SE = √(0.09 + 0.16 + 0.24 + 0.24) / 4 = √0.73 / 4
  //   precision = 1.5 / 2, SE = √(0.09 + 0.24) / 2
  //   recall = 1.5 / 2.1; var(TP) = 0.33, var(FN) = 0.16 + 0.24 = 0.4; SE = √(0.6²·0.33 + 1.5²·0.4) / 2.1²
  //   specificity = 1.4 / 1.9; SE = √(1.4²·0.33 + 0.5²·0.4) / 1.9²
  //   F1 = 3 / 4.1; SE = 2·√(2.6²·0.33 + 1.5²·0.4) / 4.1²
  const window = new CbpeAccumulator();
  window.add(0.9);
  window.add(0.2);
  window.add(0.6, true);
  window.add(0.4, false);
  const r = window.result();
  const close = (a: number, b: number, what: string) =>
    assert.ok(Math.abs(a - b) < 1e-12, `${what}: ${a} vs ${b}`);
  assert.deepEqual([r.rows, r.predictedPositive], [4, 2]);
  close(r.expected.tp, 1.5, "tp");
  close(r.expected.fp, 0.5, "fp");
  close(r.expected.fn, 0.6, "fn");
  close(r.expected.tn, 1.4, "tn");
  close(r.accuracy!.estimate, 0.725, "accuracy");
  close(r.accuracy!.standardError, Math.sqrt(0.73) / 4, "accuracy SE");
  close(r.accuracy!.lower, 0.725 - (3 * Math.sqrt(0.73)) / 4, "lower");
  close(r.accuracy!.upper, 1, "upper, clipped");
  close(r.precision!.estimate, 0.75, "precision");
  close(r.precision!.standardError, Math.sqrt(0.33) / 2, "precision SE");
  close(r.recall!.estimate, 1.5 / 2.1, "recall");
  close(r.recall!.standardError, Math.sqrt(0.36 * 0.33 + 2.25 * 0.4) / 2.1 ** 2, "recall SE");
  close(r.specificity!.estimate, 1.4 / 1.9, "specificity");
  close(r.specificity!.standardError, Math.sqrt(1.96 * 0.33 + 0.25 * 0.4) / 1.9 ** 2, "specificity SE");
  close(r.f1!.estimate, 3 / 4.1, "f1");
  close(r.f1!.standardError, (2 * Math.sqrt(2.6 ** 2 * 0.33 + 2.25 * 0.4)) / 4.1 ** 2, "f1 SE");

  const empty = new CbpeAccumulator().result();
  assert.deepEqual(
    [empty.accuracy, empty.precision, empty.recall, empty.specificity, empty.f1],
    [null, null, null, null, null],
  );
});

test("the standard errors match the spread of realised metrics over many label draws", () => {
  // Fixed probabilities and predictions; only the labels are redrawn. Delta-method SEs for the ratios.
  const rng = seededRandom(43);
  const n = 1000;
  const p = Float64Array.from({ length: n }, () => beta(rng, 0.7, 0.7));
  const window = new CbpeAccumulator();
  for (const v of p) window.add(v);
  const r = window.result();
  const draws = 2000;
  const values = {
    accuracy: [] as number[],
    precision: [] as number[],
    recall: [] as number[],
    f1: [] as number[],
  };
  const specificity: number[] = [];
  for (let d = 0; d < draws; d++) {
    let tp = 0;
    let fp = 0;
    let tn = 0;
    let fn = 0;
    for (let i = 0; i < n; i++) {
      const y = rng.uniform() < p[i]!;
      if (p[i]! > 0.5) y ? tp++ : fp++;
      else y ? fn++ : tn++;
    }
    values.accuracy.push((tp + tn) / n);
    values.precision.push(tp / (tp + fp));
    values.recall.push(tp / (tp + fn));
    values.f1.push((2 * tp) / (2 * tp + fp + fn));
    specificity.push(tn / (tn + fp));
  }
  const sd = (xs: number[]) => {
    const m = xs.reduce((s, x) => s + x, 0) / xs.length;
    return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
  };
  // The sd of 2,000 draws is itself uncertain by about 1.6%; 8% leaves room for the delta method.
  for (const [metric, xs] of [...Object.entries(values), ["specificity", specificity] as const]) {
    const se = r[metric as keyof typeof values | "specificity"]!.standardError;
    assert.ok(
      Math.abs(sd(xs as number[]) / se - 1) < 0.08,
      `${metric}: sd ${sd(xs as number[])} vs SE ${se}`,
    );
  }
});

test("merging windows equals accumulating them together; JSON round trip is exact", () => {
  const rng = seededRandom(44);
  const reference = draw(rng, 1000, 1, 1, (p) => p ** 1.5);
  const calibrator = fitCbpeCalibrator(reference.scores, reference.labels, { calibration: "isotonic" });
  const whole = new CbpeAccumulator({ calibrator });
  const parts = [0, 1, 2].map(() => new CbpeAccumulator({ calibrator }));
  for (let i = 0; i < 900; i++) {
    const score = rng.uniform();
    whole.add(score);
    parts[i % 3]!.add(score);
  }
  const merged = parts[0]!.merge(parts[1]!).merge(parts[2]!);
  const a = whole.result();
  const b = merged.result();
  assert.equal(b.rows, a.rows);
  assert.ok(Math.abs(b.accuracy!.estimate - a.accuracy!.estimate) < 1e-15);
  assert.ok(Math.abs(b.f1!.standardError - a.f1!.standardError) < 1e-15);

  const back = CbpeAccumulator.fromJSON(JSON.parse(JSON.stringify(whole)), calibrator);
  assert.deepEqual(back.result(), a);
  assert.deepEqual(back.toJSON(), whole.toJSON());
  back.add(0.7);
  whole.add(0.7);
  assert.deepEqual(back.result(), whole.result(), "the restored window keeps calibrating");

  const json = whole.toJSON();
  assert.throws(() => CbpeAccumulator.fromJSON({ ...json, format: "other" }), /format/);
  assert.throws(() => CbpeAccumulator.fromJSON({ ...json, rows: -1 }), /rows/);
  assert.throws(() => CbpeAccumulator.fromJSON({ ...json, predictedPositive: json.rows + 1 }), /exceeds/);
  assert.throws(() => CbpeAccumulator.fromJSON({ ...json, positiveVariance: [1] }), /positiveVariance/);
});

test("add rejects what is not a probability; the threshold decides the default prediction", () => {
  const window = new CbpeAccumulator({ threshold: 0.8 });
  assert.throws(() => window.add(Number.NaN), /finite/);
  assert.throws(() => window.add(1.5), /probability must be in \[0, 1\]/);
  window.add(0.7); // not above 0.8: predicted negative
  assert.equal(window.result().predictedPositive, 0);
  assert.equal(window.result().precision, null);
  assert.throws(() => new CbpeAccumulator({ threshold: Number.NaN }), /threshold/);
});

test("needsCalibration: NannyML's early answers, and the expected calibration error by hand", () => {
  const random = seededRandom(45).uniform;
  assert.equal(needsCalibration([0.2, 0.7, 0.9], [1, 1, 1], { random }), false, "one class");
  assert.equal(needsCalibration([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1], { random }), false, "separated");
  assert.throws(() => needsCalibration([0.1], [2], { random }), /label 0 must be 0 or 1/);
  assert.throws(() => needsCalibration([0.1, 0.2], [0], { random }), /2 scores but 1 labels/);
  // Bins {0.1, 0.2} and {0.8, 0.9}: |0.3 − 0| / 4 + |1.7 − 2| / 4 = 0.15.
  assert.ok(Math.abs(expectedCalibrationError([0.9, 0.1, 0.8, 0.2], [1, 0, 1, 0], 2) - 0.15) < 1e-15);
  // 25 rows, 10 bins: fewer than 2 rows a bin, so ⌊25 / 2⌋ = 12 bins of 2 rows, the last with 3.
  const p = Array.from({ length: 25 }, (_, i) => i / 24);
  const y = p.map((v) => (v > 0.5 ? 1 : 0));
  let expected = 0;
  for (let b = 0; b < 12; b++) {
    const rows = b < 11 ? [2 * b, 2 * b + 1] : [22, 23, 24];
    expected += Math.abs(rows.reduce((s, i) => s + p[i]! - y[i]!, 0)) / 25;
  }
  assert.ok(Math.abs(expectedCalibrationError(p, y, 10) - expected) < 1e-15);
  assert.throws(() => expectedCalibrationError([0.5, 0.5, 0.5], [0, 1, 0]), /2 bins/);
  assert.equal(fitCbpeCalibrator([0.2, 0.8], [0, 1], { calibration: "none" }), null);
});
