import assert from "node:assert/strict";
import { test } from "node:test";
import { seededRandom } from "../testing/random.js";
import { fairnessReport, GroupConfusionAccumulator, type Interval } from "./index.js";

/**
 * Do the intervals cover the truth as often as they claim? 2,000 simulated windows of two groups with
 * known rates; each interval's coverage must be within 3 standard errors of its level (at 95%, SE =
 * √(0.95·0.05/2000) = 0.0049, so 0.935 to 0.965). Wrong critical values (1.645 for 1.96, say) or a wrong
 * variance push coverage well outside; the seed keeps the run reproducible.
 */
const RUNS = 2000;
// Group A: 200 events, selection rate 0.45, prevalence 0.4, TPR 0.8. Group B: 300 events, selection
// rate 0.30 (so the parity difference is 0.15 and the impact ratio B/A is 2/3), prevalence 0.3, TPR 0.6.
const A = { n: 200, selection: 0.45, prevalence: 0.4, tpr: 0.8 };
const B = { n: 300, selection: 0.3, prevalence: 0.3, tpr: 0.6 };

/** The false positive rate that gives the wanted selection rate: s = π·TPR + (1 − π)·FPR. */
function fpr(g: typeof A): number {
  return (g.selection - g.prevalence * g.tpr) / (1 - g.prevalence);
}

const covers = (interval: Interval | null, truth: number): boolean =>
  interval !== null && interval.lower <= truth && truth <= interval.upper;

test("95% and 90% intervals cover the true rates, gaps and ratios at their nominal rate", () => {
  const rng = seededRandom(2024);
  const levels = [0.95, 0.9] as const;
  const hits = levels.map(() => ({ selection: 0, tpr: 0, parity: 0, tprGap: 0, ratio: 0 }));
  const truth = { A: { ...A, fpr: fpr(A) }, B: { ...B, fpr: fpr(B) } };
  for (let run = 0; run < RUNS; run++) {
    const acc = new GroupConfusionAccumulator({ attributes: ["g"] });
    for (const [name, g] of Object.entries(truth)) {
      for (let i = 0; i < g.n; i++) {
        const positive = rng.uniform() < g.prevalence;
        acc.add({ g: name }, positive, rng.uniform() < (positive ? g.tpr : g.fpr));
      }
    }
    levels.forEach((confidence, l) => {
      const report = fairnessReport(acc, { confidence, privileged: { g: "A" } }).attributes[0]!;
      const a = report.groups[0]!;
      const h = hits[l]!;
      if (covers(a.selectionRate.interval, A.selection)) h.selection++;
      if (covers(a.truePositiveRate.interval, A.tpr)) h.tpr++;
      // max − min is the difference of the pair the data ordered; its truth is that pair's difference.
      const dp = report.demographicParityDifference;
      const rate = (group: string) => truth[group as "A" | "B"].selection;
      if (covers(dp.interval, rate(dp.groups![0]) - rate(dp.groups![1]))) h.parity++;
      const gap = report.truePositiveRateDifference;
      const tpr = (group: string) => truth[group as "A" | "B"].tpr;
      if (covers(gap.interval, tpr(gap.groups![0]) - tpr(gap.groups![1]))) h.tprGap++;
      if (covers(report.impactRatios[0]!.interval, B.selection / A.selection)) h.ratio++;
    });
  }
  levels.forEach((confidence, l) => {
    const se = Math.sqrt((confidence * (1 - confidence)) / RUNS);
    for (const [what, count] of Object.entries(hits[l]!)) {
      const coverage = count / RUNS;
      assert.ok(
        Math.abs(coverage - confidence) <= 3 * se,
        `${what} at ${confidence}: coverage ${coverage} is outside ${confidence} ± ${(3 * se).toFixed(4)}`,
      );
    }
  });
});
