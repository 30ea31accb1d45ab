import assert from "node:assert/strict";
import { test } from "node:test";
import { closeTo, loadFairnessGolden } from "../testing/golden.js";
import { seededRandom } from "../testing/random.js";
import { GroupRegressionAccumulator, type MeanEstimate, regressionFairnessReport } from "./index.js";

function near(actual: number | null | undefined, expected: number, tolerance: number, what: string): void {
  assert.ok(
    typeof actual === "number" && closeTo(actual, expected, tolerance, tolerance),
    `${what}: ${actual} differs from ${expected}`,
  );
}

test("group means, Student and Welch intervals, worked by hand (t quantiles from scipy)", () => {
  const acc = new GroupRegressionAccumulator({ attributes: ["sex"] });
  // F: predictions 1, 2, 3, 4 for truths 1, 1, 3, 5 → errors 0, 1, 0, −1.
  for (const [t, p] of [
    [1, 1],
    [1, 2],
    [3, 3],
    [5, 4],
  ] as const)
    acc.add({ sex: "F" }, t, p);
  // M: predictions 5, 7, 9 for truths 4, 7 and one not known yet → errors 1, 0.
  acc.add({ sex: "M" }, 4, 5);
  acc.add({ sex: "M" }, 7, 7);
  acc.add({ sex: "M" }, null, 9);
  const sex = regressionFairnessReport(acc, { minGroupSize: 0 }).attributes[0]!;
  const [f, m] = sex.groups;
  assert.ok(f && m);
  // F predictions: mean 2.5, s² = (2.25 + 0.25 + 0.25 + 2.25)/3 = 5/3; interval 2.5 ± t(0.975; 3)·√(5/12)
  // = 2.5 ± 3.1824463·0.6454972 = 2.5 ± 2.0542603.
  assert.equal(f.meanPrediction.value, 2.5);
  near(f.meanPrediction.standardDeviation, Math.sqrt(5 / 3), 1e-15, "sd F");
  near(f.meanPrediction.interval?.lower, 2.5 - 2.0542602567605215, 1e-13, "F lower");
  assert.equal(m.count, 3);
  assert.equal(m.labelled, 2);
  assert.equal(m.meanError.value, 0.5);
  // Mean prediction difference M − F = 7 − 2.5 = 4.5. Welch: v = 4/3 + (5/3)/4 = 1.75, se = 1.3228757,
  // ν = 1.75²/((4/3)²/2 + (5/12)²/3) = 3.2347188, t(0.975; ν) = 3.0557127 → 4.5 ∓ 4.0423280.
  const d = sex.meanPredictionDifference;
  assert.equal(d.value, 4.5);
  assert.deepEqual(d.groups, ["M", "F"]);
  near(d.degreesOfFreedom, 3.234718826405868, 1e-13, "df");
  near(d.interval?.lower, 0.4576720450769738, 1e-12, "lower");
  near(d.interval?.upper, 8.542327954923026, 1e-12, "upper");
  // Mean error difference M − F = 0.5 − 0 = 0.5; ν = 2.4193548, t = 3.6613644 → −1.8634006 to 2.8634006.
  const e = sex.meanErrorDifference;
  assert.equal(e.value, 0.5);
  near(e.degreesOfFreedom, 2.419354838709677, 1e-13, "error df");
  near(e.interval?.lower, -1.8634005854924411, 1e-12, "error lower");
  near(e.interval?.upper, 2.863400585492441, 1e-12, "error upper");
  // With the default minGroupSize (30) neither group is comparable.
  const strict = regressionFairnessReport(acc).attributes[0]!;
  assert.equal(strict.meanPredictionDifference.value, null);
  assert.match(strict.groups[0]!.meanPrediction.note!, /4 events, fewer than max\(2, minGroupSize\) \(30\)/);
});

test("degenerate groups: one value, no labels, zero variance in both", () => {
  const acc = new GroupRegressionAccumulator({ attributes: ["g"] });
  acc.add({ g: "one" }, null, 3);
  acc.add({ g: "flat" }, 1, 2);
  acc.add({ g: "flat" }, 1, 2);
  acc.add({ g: "flat2" }, 1, 5);
  acc.add({ g: "flat2" }, 1, 5);
  const g = regressionFairnessReport(acc, { minGroupSize: 0 }).attributes[0]!;
  const one = g.groups.find((x) => x.group === "one")!;
  assert.equal(one.meanPrediction.value, 3);
  assert.equal(one.meanPrediction.standardDeviation, null);
  assert.equal(one.meanPrediction.interval, null);
  assert.equal(one.meanPrediction.comparable, false);
  assert.equal(one.meanError.value, null);
  assert.equal(one.meanError.note, "no labelled events");
  // flat2 − flat = 3, both with variance 0: Welch's interval does not exist.
  assert.equal(g.meanPredictionDifference.value, 3);
  assert.equal(g.meanPredictionDifference.interval, null);
  assert.match(g.meanPredictionDifference.note!, /zero variance/);
  assert.throws(() => acc.add({ g: "x" }, 1, Number.NaN), RangeError);
  assert.throws(() => acc.add({ g: "x" }, Number.POSITIVE_INFINITY, 1), RangeError);
  assert.throws(() => regressionFairnessReport(acc, { confidence: 0 }), RangeError);
});

test("merging split windows matches one window (Chan's formula), and JSON round trips", () => {
  const rng = seededRandom(9);
  const whole = new GroupRegressionAccumulator({ attributes: ["g"] });
  const parts = [0, 1, 2, 3].map(() => new GroupRegressionAccumulator({ attributes: ["g"] }));
  for (let i = 0; i < 4000; i++) {
    const g = rng.uniform() < 0.3 ? "a" : "b";
    const truth = 100 + 10 * rng.normal();
    const prediction = truth + rng.normal() + (g === "a" ? 2 : 0);
    const yTrue = rng.uniform() < 0.2 ? null : truth;
    whole.add({ g }, yTrue, prediction);
    parts[i % 4]!.add({ g }, yTrue, prediction);
  }
  const merged = parts[0]!.merge(parts[1]!).merge(parts[2]!).merge(parts[3]!);
  const w = regressionFairnessReport(whole).attributes[0]!;
  const m = regressionFairnessReport(merged).attributes[0]!;
  const same = (a: MeanEstimate, b: MeanEstimate, what: string): void => {
    assert.equal(a.count, b.count);
    near(a.value, b.value!, 1e-13, `${what} mean`);
    near(a.standardDeviation, b.standardDeviation!, 1e-12, `${what} sd`);
  };
  w.groups.forEach((g, i) => {
    same(g.meanPrediction, m.groups[i]!.meanPrediction, g.group);
    same(g.meanError, m.groups[i]!.meanError, g.group);
  });
  // Group a is over-predicted by 2 on average, so the error gap is about 2 and its interval covers 2.
  const gap = w.meanErrorDifference;
  assert.deepEqual(gap.groups, ["a", "b"]);
  assert.ok(gap.interval!.lower < 2 && gap.interval!.upper > 2, JSON.stringify(gap));
  const restored = GroupRegressionAccumulator.fromJSON(JSON.parse(JSON.stringify(whole)));
  assert.deepEqual(restored.toJSON(), whole.toJSON());
  const json = JSON.parse(JSON.stringify(whole));
  json.attributes[0].groups[0].prediction.m2 = -1;
  assert.throws(() => GroupRegressionAccumulator.fromJSON(json), /m2/);
});

interface GoldenSummary {
  count: number;
  mean: number | null;
  sd: number | null;
  interval: [number, number] | null;
}
interface GoldenDifference {
  value: number;
  groups: [string, string];
  interval: [number, number];
  df: number;
}
interface GoldenRegression {
  id: string;
  groups: string[];
  y_true: Array<number | null>;
  y_pred: number[];
  min_group_size: number;
  confidence: number;
  expected: {
    groups: Array<{ group: string; prediction: GoldenSummary; error: GoldenSummary }>;
    prediction_difference: GoldenDifference | null;
    error_difference: GoldenDifference | null;
  };
}

test("regression cases match numpy means and scipy's Welch quantities to 1e-12", () => {
  const { regression } = loadFairnessGolden<{ regression: GoldenRegression[] }>();
  assert.ok(regression.length >= 3);
  for (const c of regression) {
    const acc = new GroupRegressionAccumulator({ attributes: ["g"] });
    c.y_pred.forEach((p, i) => {
      acc.add({ g: c.groups[i]! }, c.y_true[i]!, p);
    });
    const report = regressionFairnessReport(acc, {
      confidence: c.confidence,
      minGroupSize: c.min_group_size,
    });
    const attribute = report.attributes[0]!;
    c.expected.groups.forEach((eg, i) => {
      const g = attribute.groups[i]!;
      assert.equal(g.group, eg.group);
      for (const [actual, expected, what] of [
        [g.meanPrediction, eg.prediction, "prediction"],
        [g.meanError, eg.error, "error"],
      ] as const) {
        const label = `${c.id}/${g.group} ${what}`;
        assert.equal(actual.count, expected.count, label);
        if (expected.mean === null) assert.equal(actual.value, null, label);
        else near(actual.value, expected.mean, 1e-12, `${label} mean`);
        if (expected.sd === null) assert.equal(actual.standardDeviation, null, label);
        else near(actual.standardDeviation, expected.sd, 1e-12, `${label} sd`);
        if (expected.interval === null) assert.equal(actual.interval, null, label);
        else {
          near(actual.interval?.lower, expected.interval[0], 1e-12, `${label} lower`);
          near(actual.interval?.upper, expected.interval[1], 1e-12, `${label} upper`);
        }
      }
    });
    for (const [actual, expected, what] of [
      [attribute.meanPredictionDifference, c.expected.prediction_difference, "prediction"],
      [attribute.meanErrorDifference, c.expected.error_difference, "error"],
    ] as const) {
      const label = `${c.id} ${what} difference`;
      if (expected === null) {
        assert.equal(actual.value, null, label);
        continue;
      }
      assert.deepEqual(actual.groups, expected.groups, label);
      near(actual.value, expected.value, 1e-12, label);
      near(actual.degreesOfFreedom, expected.df, 1e-12, `${label} df`);
      near(actual.interval?.lower, expected.interval[0], 1e-12, `${label} lower`);
      near(actual.interval?.upper, expected.interval[1], 1e-12, `${label} upper`);
    }
  }
});
