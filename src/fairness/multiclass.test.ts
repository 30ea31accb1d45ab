import assert from "node:assert/strict";
import { test } from "node:test";
import { closeTo, loadFairnessGolden } from "../testing/golden.js";
import { GroupMulticlassAccumulator, multiclassFairnessReport, oneVsRestCounts } from "./index.js";

function near(actual: number | null | undefined, expected: number, tolerance: number, what: string): void {
  assert.ok(
    typeof actual === "number" && closeTo(actual, expected, tolerance, tolerance),
    `${what}: ${actual} differs from ${expected}`,
  );
}

const CLASSES = ["a", "b", "c"];

/** Adds a group's events from a confusion matrix (rows true, columns predicted) and unlabelled counts. */
function addMatrix(
  acc: GroupMulticlassAccumulator,
  group: string,
  matrix: number[][],
  unlabelled: number[],
): void {
  matrix.forEach((row, i) => {
    row.forEach((n, j) => {
      for (let k = 0; k < n; k++) acc.add({ sex: group }, CLASSES[i]!, CLASSES[j]!);
    });
  });
  unlabelled.forEach((n, j) => {
    for (let k = 0; k < n; k++) acc.add({ sex: group }, null, CLASSES[j]!);
  });
}

test("one-vs-rest counts and the worst class, worked by hand", () => {
  // F: [[5,1,0],[2,6,2],[0,1,3]] + unlabelled predicted [1,0,1]: 22 events.
  // M: [[2,0,0],[0,4,0],[1,1,2]] + unlabelled [0,2,0]: 12 events.
  const acc = new GroupMulticlassAccumulator({ attributes: ["sex"], classes: CLASSES });
  addMatrix(
    acc,
    "F",
    [
      [5, 1, 0],
      [2, 6, 2],
      [0, 1, 3],
    ],
    [1, 0, 1],
  );
  addMatrix(
    acc,
    "M",
    [
      [2, 0, 0],
      [0, 4, 0],
      [1, 1, 2],
    ],
    [0, 2, 0],
  );
  // Class a in F: tp = 5, fn = 1 (row a), fp = 2 (column a), tn = 20 − 8 = 12; unlabelled 1 predicted a, 1 not.
  const f = acc.attribute("sex").groups[0]!.state;
  assert.deepEqual(oneVsRestCounts(f, 0), {
    tp: 5,
    fn: 1,
    fp: 2,
    tn: 12,
    unlabelledPositive: 1,
    unlabelledNegative: 1,
  });
  // Selection rates (predicted k / events): F: a 8/22, b 8/22, c 6/22; M: a 3/12, b 7/12, c 2/12.
  // Per-class parity: a 8/22 − 3/12 = 0.1136364; b 7/12 − 8/22 = 0.2196970; c 6/22 − 2/12 = 0.1060606.
  const report = multiclassFairnessReport(acc, { minGroupSize: 0 });
  const sex = report.attributes[0]!;
  const dp = sex.perClass.map((c) => c.report.demographicParityDifference.value);
  near(dp[0], 8 / 22 - 3 / 12, 1e-15, "class a");
  near(dp[1], 7 / 12 - 8 / 22, 1e-15, "class b");
  near(dp[2], 6 / 22 - 2 / 12, 1e-15, "class c");
  assert.equal(sex.demographicParityDifference.class, "b");
  assert.equal(sex.demographicParityDifference.value, dp[1]);
  assert.deepEqual(sex.demographicParityDifference.groups, ["M", "F"]);
  // TPR of class c: F 3/4, M 2/4 → gap 0.25; FPR of class c: F 2/16, M 0/6 → 0.125; EO(c) = 0.25.
  // Class a: TPR F 5/6, M 1 → 1/6; FPR F 2/14, M 1/8 → 1/56; EO(a) = 1/6. Class b: TPR F 6/10, M 1 →
  // 0.4; FPR F 2/10, M 1/6 → 1/30; EO(b) = 0.4, the worst.
  near(sex.perClass[2]!.report.equalizedOddsDifference.value, 0.25, 1e-15, "EO c");
  near(sex.perClass[0]!.report.equalizedOddsDifference.value, 1 / 6, 1e-15, "EO a");
  assert.equal(sex.equalizedOddsDifference.class, "b");
  near(sex.equalizedOddsDifference.value, 0.4, 1e-15, "EO worst");
  // With the default minGroupSize (30) neither group is comparable: no value, and the reason.
  const strict = multiclassFairnessReport(acc).attributes[0]!;
  assert.equal(strict.demographicParityDifference.value, null);
  assert.equal(strict.demographicParityDifference.class, null);
  assert.match(strict.demographicParityDifference.note!, /fewer than two groups/);
});

test("validation, merge and JSON round trip", () => {
  const acc = new GroupMulticlassAccumulator({ attributes: ["sex"], classes: CLASSES });
  acc.add({ sex: "F" }, "a", "b");
  const before = JSON.stringify(acc);
  assert.throws(() => acc.add({ sex: "F" }, "a", "d"), /predicted class "d"/);
  assert.throws(() => acc.add({ sex: "F" }, "d", "a"), /true class "d"/);
  assert.throws(() => acc.add({ age: "F" }, "a", "a"), RangeError);
  assert.equal(JSON.stringify(acc), before);
  assert.throws(() => new GroupMulticlassAccumulator({ attributes: ["s"], classes: ["a"] }), RangeError);
  assert.throws(() => new GroupMulticlassAccumulator({ attributes: ["s"], classes: ["a", "a"] }), RangeError);
  const other = new GroupMulticlassAccumulator({ attributes: ["sex"], classes: CLASSES });
  other.add({ sex: "M" }, null, "c");
  other.add({ sex: "F" }, "c", "c");
  acc.merge(other);
  const restored = GroupMulticlassAccumulator.fromJSON(JSON.parse(JSON.stringify(acc)));
  assert.deepEqual(restored.toJSON(), acc.toJSON());
  assert.deepEqual(restored.attribute("sex").groups[0]!.state.matrix, [
    [0, 1, 0],
    [0, 0, 0],
    [0, 0, 1],
  ]);
  assert.throws(
    () => acc.merge(new GroupMulticlassAccumulator({ attributes: ["sex"], classes: ["a", "b", "d"] })),
    RangeError,
  );
  const json = JSON.parse(JSON.stringify(acc));
  json.attributes[0].groups[0].matrix[0].pop();
  assert.throws(() => GroupMulticlassAccumulator.fromJSON(json), /square/);
});

interface GoldenRate {
  num: number;
  den: number;
  value: number | null;
  interval: [number, number] | null;
  comparable: boolean;
}
interface GoldenMulticlass {
  id: string;
  classes: string[];
  groups: string[];
  y_true: Array<string | null>;
  y_pred: string[];
  min_group_size: number;
  confidence: number;
  per_class: Array<{
    class: string;
    groups: Array<{
      group: string;
      tp: number;
      fp: number;
      tn: number;
      fn: number;
      selection_rate: GoldenRate;
      tpr: GoldenRate;
      fpr: GoldenRate;
    }>;
    dp_difference: number | null;
    eo_difference: number | null;
  }>;
  worst_dp: [number, string] | null;
  worst_eo: [number, string] | null;
}

test("multiclass cases match scikit-learn's multilabel_confusion_matrix and statsmodels' intervals", () => {
  const { multiclass } = loadFairnessGolden<{ multiclass: GoldenMulticlass[] }>();
  assert.ok(multiclass.length >= 2);
  for (const c of multiclass) {
    const acc = new GroupMulticlassAccumulator({ attributes: ["g"], classes: c.classes });
    c.y_pred.forEach((p, i) => {
      acc.add({ g: c.groups[i]! }, c.y_true[i]!, p);
    });
    const report = multiclassFairnessReport(acc, {
      confidence: c.confidence,
      minGroupSize: c.min_group_size,
    });
    const attribute = report.attributes[0]!;
    c.per_class.forEach((expected, k) => {
      const actual = attribute.perClass[k]!;
      assert.equal(actual.class, expected.class);
      expected.groups.forEach((eg, i) => {
        const what = `${c.id}/${expected.class}/${eg.group}`;
        const counts = oneVsRestCounts(acc.attribute("g").groups[i]!.state, k);
        assert.deepEqual([counts.tp, counts.fp, counts.tn, counts.fn], [eg.tp, eg.fp, eg.tn, eg.fn], what);
        const g = actual.report.groups[i]!;
        assert.equal(g.group, eg.group);
        for (const [rate, e] of [
          [g.selectionRate, eg.selection_rate],
          [g.truePositiveRate, eg.tpr],
          [g.falsePositiveRate, eg.fpr],
        ] as const) {
          assert.equal(rate.value, e.value, what);
          assert.equal(rate.comparable, e.comparable, what);
          if (e.interval === null) assert.equal(rate.interval, null);
          else {
            near(rate.interval?.lower, e.interval[0], 1e-12, `${what} lower`);
            near(rate.interval?.upper, e.interval[1], 1e-12, `${what} upper`);
          }
        }
      });
      assert.equal(actual.report.demographicParityDifference.value, expected.dp_difference, `${c.id} DP`);
      assert.equal(actual.report.equalizedOddsDifference.value, expected.eo_difference, `${c.id} EO`);
    });
    assert.deepEqual(
      attribute.demographicParityDifference.value === null
        ? null
        : [attribute.demographicParityDifference.value, attribute.demographicParityDifference.class],
      c.worst_dp,
    );
    assert.deepEqual(
      attribute.equalizedOddsDifference.value === null
        ? null
        : [attribute.equalizedOddsDifference.value, attribute.equalizedOddsDifference.class],
      c.worst_eo,
    );
  }
});
