import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  DEFAULT_GATE_OPTIONS,
  decidePromotion,
  type GateInput,
  gatePeriods,
  MCNEMAR_EXACT_BELOW,
  mcnemar,
  pairedT,
} from "./gate.js";

const close = (actual: number, expected: number, tolerance = 1e-9) =>
  assert.ok(
    Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)),
    `${actual} ≠ ${expected}`,
  );

const CLOCK = () => 1_700_000_000_000;
const EVALUATION = { start: 0, end: 1000 };

describe("mcnemar", () => {
  // Golden p-values from scipy 1.x (Debian python3-scipy):
  // /usr/bin/python3 -c 'from scipy.stats import binomtest, chi2; print(binomtest(2,10,0.5).pvalue,
  //   binomtest(0,5,0.5).pvalue, binomtest(12,24,0.5).pvalue, binomtest(3,20,0.5).pvalue,
  //   binomtest(5,24,0.5).pvalue, binomtest(0,8,0.5).pvalue)'
  // → 0.109375 0.0625 1.0 0.0025768280029296875 0.006610751152038574 0.0078125
  it("is exact binomial below 25 discordant pairs", () => {
    const cases: [number, number, number][] = [
      [2, 8, 0.109375],
      [0, 5, 0.0625],
      [12, 12, 1.0],
      [3, 17, 0.0025768280029296875],
      [19, 5, 0.006610751152038574],
      [8, 0, 0.0078125],
    ];
    for (const [b, c, p] of cases) {
      const result = mcnemar(b, c);
      assert.equal(result.method, "exact-binomial");
      close(result.pValue, p);
    }
    assert.equal(mcnemar(0, 0).pValue, 1);
  });

  // /usr/bin/python3 -c 'from scipy.stats import chi2; print(chi2.sf((abs(10-25)-1)**2/35,1),
  //   chi2.sf((abs(40-60)-1)**2/100,1), chi2.sf((abs(30-31)-1)**2/61,1), chi2.sf((abs(5-20)-1)**2/25,1))'
  // → 0.01796047752607879 0.05743311963200335 1.0 0.005110260660855866
  it("is chi-square with continuity correction from 25 discordant pairs", () => {
    const cases: [number, number, number, number][] = [
      [10, 25, 196 / 35, 0.01796047752607879],
      [60, 40, 361 / 100, 0.05743311963200335],
      [30, 31, 0, 1.0],
      [5, 20, 196 / 25, 0.005110260660855866],
    ];
    for (const [b, c, statistic, p] of cases) {
      const result = mcnemar(b, c);
      assert.equal(result.method, "chi-square-corrected");
      close(result.statistic, statistic);
      close(result.pValue, p, 1e-7);
    }
    assert.equal(MCNEMAR_EXACT_BELOW, 25);
  });
});

describe("pairedT", () => {
  // /usr/bin/python3 -c 'from scipy.stats import ttest_rel; print(ttest_rel([1,2,3],[1,1,1]),
  //   ttest_rel([3.1,2.0,5.5,4.2,1.0,2.8],[2.5,2.5,4.0,4.1,1.6,2.0]))'
  // → statistic=1.7320508075688774, pvalue=0.22540333075851657, df=2;
  //   statistic=0.9594002035842134, pvalue=0.38141902860441, df=5
  it("matches scipy's ttest_rel", () => {
    const a = pairedT([1, 2, 3], [1, 1, 1]);
    close(a.statistic, 1.7320508075688774);
    close(a.pValue, 0.22540333075851657, 1e-7);
    assert.equal(a.degreesOfFreedom, 2);
    const b = pairedT([3.1, 2.0, 5.5, 4.2, 1.0, 2.8], [2.5, 2.5, 4.0, 4.1, 1.6, 2.0]);
    close(b.statistic, 0.9594002035842134);
    close(b.pValue, 0.38141902860441, 1e-7);
  });

  it("has p 1 for identical errors and 0 for a constant non-zero shift", () => {
    assert.equal(pairedT([1, 2], [1, 2]).pValue, 1);
    assert.equal(pairedT([2, 3], [1, 2]).pValue, 0);
  });
});

/** n events, label 1; each model is right (predicts 1) where `right(i)` holds, else predicts 0. */
function classification(
  n: number,
  baseRight: (i: number) => boolean,
  candRight: (i: number) => boolean,
  extra: Partial<GateInput> = {},
): GateInput {
  return {
    task: "classification",
    labels: Array.from({ length: n }, () => 1),
    baseline: { version: "v1", predictions: Array.from({ length: n }, (_, i) => (baseRight(i) ? 1 : 0)) },
    candidate: { version: "v2", predictions: Array.from({ length: n }, (_, i) => (candRight(i) ? 1 : 0)) },
    evaluation: EVALUATION,
    ...extra,
  };
}

describe("decidePromotion", () => {
  const small = { minSamples: 10, maxChurn: 1, maxNegativeFlipRate: 1, maxPsi: 10 };

  it("rejects a candidate significantly worse (8 pairs against it: exact p = 0.0078125)", () => {
    const d = decidePromotion(
      classification(
        40,
        () => true,
        (i) => i >= 8,
      ),
      CLOCK,
      small,
    );
    assert.equal(d.decision, "reject");
    assert.deepEqual(
      d.reasons.map((r) => r.code),
      ["significantly-worse"],
    );
    close(d.accuracy.test.pValue, 0.0078125);
    assert.equal(d.baselineVersion, "v1");
    assert.equal(d.candidateVersion, "v2");
    assert.equal(d.decidedAt, CLOCK());
  });

  it("rejects a candidate not better by the margin asked for", () => {
    // Baseline 30/40, candidate 31/40: +0.025 accuracy, below a 0.05 margin.
    const input = classification(
      40,
      (i) => i < 30,
      (i) => i < 31,
    );
    assert.equal(decidePromotion(input, CLOCK, small).decision, "promote");
    const d = decidePromotion(input, CLOCK, { ...small, minImprovement: 0.05 });
    assert.deepEqual(
      d.reasons.map((r) => r.code),
      ["improvement-below-margin"],
    );
    close(d.accuracy.improvement, 0.025);
  });

  it("rejects too few events with the default minimum", () => {
    const d = decidePromotion(
      classification(
        50,
        () => true,
        () => true,
      ),
      CLOCK,
    );
    assert.equal(d.decision, "reject");
    assert.deepEqual(d.reasons[0], {
      code: "too-few-samples",
      message: "50 events judged, the gate needs at least 200",
      value: 50,
      limit: 200,
    });
  });

  it("rejects a widened worst-group accuracy gap, with Wilson intervals per group", () => {
    // Groups A (0..39) and B (40..79). Baseline right on 36/40 in each; candidate on 40/40 in A and
    // 32/40 in B: gap 0 → 0.2. Wilson 95% limits, (x + z²/2)/(n + z²) ± z√(x(n−x)/n + z²/4)/(n + z²):
    // 32/40 → [0.652426936536005, 0.895000102745623], 36/40 → [0.7694822477247769, 0.9604204713173936].
    const groups = { g: Array.from({ length: 80 }, (_, i) => (i < 40 ? "A" : "B")) };
    const d = decidePromotion(
      classification(
        80,
        (i) => i % 40 >= 4,
        (i) => i < 40 || i >= 48,
        { groups },
      ),
      CLOCK,
      small,
    );
    assert.equal(d.decision, "reject");
    assert.deepEqual(
      d.reasons.map((r) => [r.code, r.attribute]),
      [["fairness-gap-widened", "g"]],
    );
    const [a, b] = d.fairness[0]!.groups;
    assert.equal(a!.candidate, 1);
    assert.equal(b!.candidate, 0.8);
    close(b!.candidateInterval!.lower, 0.652426936536005, 1e-6);
    close(b!.candidateInterval!.upper, 0.895000102745623, 1e-6);
    close(a!.baselineInterval!.lower, 0.7694822477247769, 1e-6);
    close(d.fairness[0]!.baselineGap, 0);
    close(d.fairness[0]!.candidateGap, 0.2);
    close(d.fairness[0]!.widening, 0.2);
  });

  it("leaves groups below the minimum size out of the gap", () => {
    const groups = { g: Array.from({ length: 80 }, (_, i) => (i < 75 ? "A" : "B")) };
    const d = decidePromotion(
      classification(
        80,
        () => true,
        (i) => i < 75,
        { groups },
      ),
      CLOCK,
      { ...small, minGroupSamples: 10, alpha: 0.01 },
    );
    assert.deepEqual(d.fairness[0]!.smallGroups, ["B"]);
    assert.equal(d.fairness[0]!.candidateGap, 0);
  });

  it("measures churn, negative flips and PSI of the predictions", () => {
    // 100 events: baseline right on 0..49 (predicts 1), wrong on 50..99 (predicts 0): 50/50.
    // Candidate predicts 1 on 20..89: 70/30. Churn: 0..19 and 50..89 change = 60%; flips (right →
    // wrong) 0..19 = 20%. PSI of shares 0.5/0.5 → 0.3/0.7: 0.2·ln(0.7/0.5) − 0.2·ln(0.3/0.5) =
    // 0.16945957207744072.
    const d = decidePromotion(
      classification(
        100,
        (i) => i < 50,
        (i) => i >= 20 && i < 90,
      ),
      CLOCK,
      { minSamples: 10 },
    );
    close(d.stability.churn, 0.6);
    close(d.stability.negativeFlipRate, 0.2);
    close(d.stability.psi, 0.16945957207744072);
    assert.equal(d.stability.psiOn, "predictions");
    assert.deepEqual(
      d.reasons.map((r) => r.code),
      ["churn-too-high", "negative-flips-too-high", "psi-too-high"],
    );
  });

  it("takes PSI on the scores when both models give them", () => {
    const input = classification(
      300,
      () => true,
      () => true,
    );
    const scores = Array.from({ length: 300 }, (_, i) => i / 300);
    const d = decidePromotion(
      {
        ...input,
        baseline: { ...input.baseline, scores },
        candidate: { ...input.candidate, scores },
      },
      CLOCK,
    );
    assert.equal(d.stability.psiOn, "scores");
    close(d.stability.psi, 0);
    assert.equal(d.decision, "promote");
  });

  it("compares positive rates per group", () => {
    // Everyone is labelled 1; baseline predicts 1 everywhere; the candidate predicts 0 on 10 of group B.
    const groups = { g: Array.from({ length: 80 }, (_, i) => (i < 40 ? "A" : "B")) };
    const d = decidePromotion(
      classification(
        80,
        () => true,
        (i) => i < 70,
        { groups, positiveLabel: 1 },
      ),
      CLOCK,
      { ...small, fairnessMetric: "positive-rate" },
    );
    assert.equal(d.fairness[0]!.metric, "positive-rate");
    close(d.fairness[0]!.candidateGap, 0.25);
    assert.throws(
      () =>
        decidePromotion(
          classification(
            20,
            () => true,
            () => true,
          ),
          CLOCK,
          { fairnessMetric: "positive-rate" },
        ),
      RangeError,
    );
  });

  it("judges regression on absolute errors: paired t, per-group MAE, gap in units of the baseline MAE", () => {
    // Labels 0. Baseline error 1 everywhere (MAE 1). Candidate: error 0.5 on A (0..39), 1 on B: MAE
    // 0.75 (improvement 25%). Paired t on the absolute errors, golden from
    // /usr/bin/python3 -c 'from scipy.stats import ttest_rel; print(ttest_rel([0.5]*40+[1]*40,[1]*80))'
    // → statistic=-8.888194417315589, pvalue=1.608321325311363e-13, df=79.
    // Group MAE gap 0 → 0.5, widening 0.5 / 1 = 0.5 > 0.05. Churn: |Δprediction| ≤ 0.5·MAE → 0.
    // (PSI is left out: the candidate's ±0.5 values are new bins against a two-valued baseline.)
    const n = 80;
    const input: GateInput = {
      task: "regression",
      labels: Array.from({ length: n }, () => 0),
      baseline: { version: "v1", predictions: Array.from({ length: n }, (_, i) => (i % 2 ? 1 : -1)) },
      candidate: {
        version: "v2",
        predictions: Array.from({ length: n }, (_, i) => (i < 40 ? 0.5 : 1) * (i % 2 ? 1 : -1)),
      },
      groups: { g: Array.from({ length: n }, (_, i) => (i < 40 ? "A" : "B")) },
      evaluation: EVALUATION,
    };
    const d = decidePromotion(input, CLOCK, { minSamples: 10, maxPsi: 100 });
    assert.equal(d.accuracy.metric, "mae");
    close(d.accuracy.baseline, 1);
    close(d.accuracy.candidate, 0.75);
    close(d.accuracy.improvement, 0.25);
    assert.equal(d.accuracy.test.method, "paired-t");
    close(d.accuracy.test.statistic, -8.888194417315589, 1e-9);
    close(d.accuracy.test.pValue, 1.608321325311363e-13, 1e-5);
    close(d.fairness[0]!.candidateGap, 0.5);
    close(d.fairness[0]!.widening, 0.5);
    close(d.stability.churn, 0);
    assert.deepEqual(
      d.reasons.map((r) => r.code),
      ["fairness-gap-widened"],
    );
  });

  it("judges only events inside the evaluation period and outside the warm-up", () => {
    const input = classification(
      300,
      () => true,
      () => true,
      {
        eventTimes: Array.from({ length: 300 }, (_, i) => i * 10),
        warmUp: { start: 0, end: 500 },
        evaluation: { start: 0, end: 2500 },
      },
    );
    const d = decidePromotion(input, CLOCK, { minSamples: 10 });
    // Times 0..2990 step 10: 250 inside [0, 2500), 50 of those in the warm-up [0, 500).
    assert.deepEqual(d.samples, { judged: 200, excluded: 100 });
    assert.deepEqual(d.warmUp, { start: 0, end: 500 });
  });

  it("refuses arrays that do not line up", () => {
    const input = classification(
      10,
      () => true,
      () => true,
    );
    assert.throws(
      () => decidePromotion({ ...input, candidate: { version: "v2", predictions: [1] } }, CLOCK),
      /candidate.predictions has 1 values for 10 labels/,
    );
    assert.throws(() => decidePromotion({ ...input, groups: { g: [1] } }, CLOCK), /group column g/);
  });

  it("defaults to a 1 h warm-up then a 24 h evaluation, in event time", () => {
    assert.deepEqual(gatePeriods(1000), {
      warmUp: { start: 1000, end: 1000 + 3_600_000 },
      evaluation: { start: 1000 + 3_600_000, end: 1000 + 25 * 3_600_000 },
    });
  });

  it("documents its defaults", () => {
    assert.deepEqual(DEFAULT_GATE_OPTIONS, {
      alpha: 0.05,
      minImprovement: 0,
      minSamples: 200,
      minGroupSamples: 30,
      maxGapWidening: 0.05,
      maxChurn: 0.15,
      maxNegativeFlipRate: 0.05,
      maxPsi: 0.1,
      regressionTolerance: 0.5,
      confidence: 0.95,
    });
  });
});
