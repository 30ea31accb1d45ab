import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { seededRandom } from "../stats/index.js";
import { decidePromotion, type GateDecision, type GateInput } from "./gate.js";
import { OnlineLinearModel } from "./linear-model.js";

/**
 * The promotion gate's done-when scenario (issue #15) on a replay of the UCI bike sharing hours
 * (data/bike/hour.csv). Task: binary "busy hour", cnt above 2011's median hourly count. Both models
 * learn 2011 (the warm-up period, one pass in time order) and are frozen; the gate judges 2012 (the
 * evaluation period). Baseline: weather, season and hour of day. Good candidate: the same plus the
 * hour × working-day interaction (commuting peaks exist only on working days), a real improvement.
 * The faulty candidates are the good one with injected faults (seeded), each more accurate than the
 * baseline: "unfair" concentrates its errors on non-working days, "unstable" swaps many answers at
 * random (some right to wrong, more wrong to right).
 */

interface Hour {
  readonly time: number;
  readonly row: Record<string, number | string>;
  readonly count: number;
  readonly workingday: number;
  readonly season: number;
}

function loadHours(): Hour[] {
  const lines = readFileSync(new URL("../../data/bike/hour.csv", import.meta.url), "utf8")
    .trim()
    .split(/\r?\n/);
  const header = lines[0]!.split(",");
  const at = (name: string) => header.indexOf(name);
  return lines.slice(1).map((line) => {
    const f = line.split(",");
    const [dd, mm, yy] = f[at("dteday")]!.split("/").map(Number) as [number, number, number];
    const hr = Number(f[at("hr")]);
    const workingday = Number(f[at("workingday")]);
    const num = (name: string) => Number(f[at(name)]);
    return {
      time: Date.UTC(2000 + yy, mm - 1, dd, hr),
      count: num("cnt"),
      workingday,
      season: num("season"),
      row: {
        temp: num("temp"),
        atemp: num("atemp"),
        hum: num("hum"),
        windspeed: num("windspeed"),
        season: String(num("season")),
        weathersit: String(num("weathersit")),
        hr: String(hr),
        workingday: String(workingday),
        hr_wd: `${hr}-${workingday}`,
      },
    };
  });
}

const WARM_UP = { start: Date.UTC(2011, 0, 1), end: Date.UTC(2012, 0, 1) };
const EVALUATION = { start: Date.UTC(2012, 0, 1), end: Date.UTC(2013, 0, 1) };
const CLOCK = () => Date.UTC(2013, 0, 2);

function scenario() {
  const hours = loadHours();
  const warm = hours.filter((h) => h.time < WARM_UP.end);
  const sorted = warm.map((h) => h.count).sort((a, b) => a - b);
  const threshold = sorted[Math.floor(sorted.length / 2)]!;
  const label = (h: Hour) => (h.count > threshold ? "busy" : "quiet");
  const numeric = ["temp", "atemp", "hum", "windspeed"];
  const make = (categorical: string[]) =>
    new OnlineLinearModel({ task: "binary", classes: ["quiet", "busy"], features: { numeric, categorical } });
  const baseline = make(["season", "weathersit", "hr", "workingday"]);
  const candidate = make(["season", "weathersit", "hr", "workingday", "hr_wd"]);
  for (const h of warm) {
    baseline.learnRow(h.row, label(h));
    candidate.learnRow(h.row, label(h));
  }
  const predict = (model: OnlineLinearModel, h: Hour) =>
    model.predictRow(h.row)[1]! > 0.5 ? "busy" : "quiet";
  const labels = hours.map(label);
  const base = hours.map((h) => predict(baseline, h));
  const good = hours.map((h) => predict(candidate, h));
  const other = (v: string) => (v === "busy" ? "quiet" : "busy");
  // Unfair: on non-working days 10% of the good candidate's right answers turn wrong; overall it
  // still beats the baseline, and few enough answers change that only fairness can catch it.
  const random = seededRandom(15);
  const unfair = good.map((p, i) =>
    hours[i]!.workingday === 0 && p === labels[i] && random.uniform() < 0.1 ? other(p) : p,
  );
  // Unstable: 12% of right answers turn wrong and 75% of wrong ones right, at random across groups.
  const noisy = seededRandom(16);
  const unstable = good.map((p, i) =>
    p === labels[i] ? (noisy.uniform() < 0.12 ? other(p) : p) : noisy.uniform() < 0.75 ? labels[i]! : p,
  );
  const input = (version: string, predictions: string[]): GateInput => ({
    task: "classification",
    labels,
    baseline: { version: "v1", predictions: base },
    candidate: { version, predictions },
    groups: {
      workingday: hours.map((h) => h.workingday),
      season: hours.map((h) => h.season),
    },
    warmUp: WARM_UP,
    evaluation: EVALUATION,
    eventTimes: hours.map((h) => h.time),
    positiveLabel: "busy",
  });
  return {
    good: decidePromotion(input("v2-good", good), CLOCK),
    unfair: decidePromotion(input("v2-unfair", unfair), CLOCK),
    unstable: decidePromotion(input("v2-unstable", unstable), CLOCK),
  };
}

function codes(decision: GateDecision): string[] {
  return decision.reasons.map((r) => r.code);
}

describe("promotion gate on the bike sharing replay", () => {
  const result = scenario();
  it("judges only 2012, recording the warm-up and evaluation periods", () => {
    const { good } = result;
    assert.equal(good.samples.judged, 8734); // rows of 2012 in hour.csv
    assert.equal(good.samples.excluded, 8645); // rows of 2011
    assert.deepEqual(good.warmUp, WARM_UP);
    assert.deepEqual(good.evaluation, EVALUATION);
    assert.equal(good.decidedAt, CLOCK());
  });

  it("promotes the good candidate (more accurate, fair, stable)", () => {
    const { good } = result;
    assert.equal(good.decision, "promote", JSON.stringify(good.reasons));
    assert.ok(good.accuracy.candidate > good.accuracy.baseline);
    // Significantly better, not only "not worse": more pairs the candidate alone gets right.
    assert.equal(good.accuracy.test.method, "chi-square-corrected");
    assert.ok(good.accuracy.test.pValue < 0.05);
  });

  it("rejects a more accurate candidate whose errors fall on non-working days", () => {
    const { unfair } = result;
    assert.ok(unfair.accuracy.candidate > unfair.accuracy.baseline);
    assert.equal(unfair.decision, "reject");
    assert.deepEqual(codes(unfair), ["fairness-gap-widened"]);
    assert.equal(unfair.reasons[0]!.attribute, "workingday");
    const weekend = unfair.fairness[0]!.groups.find((g) => g.group === "0")!;
    assert.ok(weekend.candidate < weekend.baseline);
    // The drop is beyond sampling noise: the Wilson intervals do not overlap.
    assert.ok(weekend.candidateInterval!.upper < weekend.baselineInterval!.lower);
  });

  it("rejects a more accurate candidate that changes too many answers", () => {
    const { unstable } = result;
    assert.ok(unstable.accuracy.candidate > unstable.accuracy.baseline);
    assert.equal(unstable.decision, "reject");
    assert.ok(codes(unstable).includes("churn-too-high"), JSON.stringify(unstable.reasons));
    assert.ok(codes(unstable).includes("negative-flips-too-high"), JSON.stringify(unstable.reasons));
    assert.ok(!codes(unstable).includes("fairness-gap-widened"));
  });
});
