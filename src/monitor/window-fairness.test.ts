import assert from "node:assert/strict";
import { test } from "node:test";
import { defaultSettings } from "../config/index.js";
import { GroupConfusionAccumulator } from "../fairness/index.js";
import type { LabelRecord, PredictionEvent } from "./records.js";
import { windowVerdicts } from "./verdicts.js";
import { groupsOf, type WindowModel, WindowState } from "./window-state.js";

const model: WindowModel = {
  task: "binary",
  classes: ["no", "yes"],
  numeric: ["x"],
  categorical: [],
  sensitive: ["sex"],
};

const event = (id: number, sex: string | null, prediction: string, score: number): PredictionEvent => ({
  id: `e${id}`,
  timeMs: id,
  version: "1",
  features: { x: id, sex },
  prediction,
  scores: [1 - score, score],
  latencyMs: null,
});
const label = (id: number, value: string): LabelRecord => ({ id: `e${id}`, value, timeMs: id });

test("a late label moves its event from the unlabelled counts to the confusion cell, once", () => {
  const acc = new GroupConfusionAccumulator({ attributes: ["sex"] });
  acc.add({ sex: "F" }, null, true);
  acc.add({ sex: "F" }, null, false);
  acc.label({ sex: "F" }, false, true);
  const f = acc.attribute("sex").groups[0]!.state;
  assert.deepEqual(
    { tp: f.tp, fp: f.fp, tn: f.tn, fn: f.fn, up: f.unlabelledPositive, un: f.unlabelledNegative },
    { tp: 0, fp: 1, tn: 0, fn: 0, up: 0, un: 1 },
  );
  // A label for an event never counted unlabelled is counted as a labelled event.
  acc.label({ sex: "M" }, true, true);
  assert.equal(acc.attribute("sex").groups.find((g) => g.group === "M")!.state.tp, 1);
  // A missing group was counted missing at the event; its label does not count it again.
  acc.add({ sex: null }, null, true);
  acc.label({ sex: null }, true, true);
  assert.equal(acc.attribute("sex").missing, 1);
});

test("a binary window keeps per-group counts from events and late labels, and a four-fifths verdict", () => {
  const window = WindowState.create(model, 1);
  // Women: 40 events, 8 predicted yes (selection 0.2); men: 40 events, 24 predicted yes (0.6).
  const all: PredictionEvent[] = [];
  for (let i = 0; i < 80; i++) {
    const sex = i < 40 ? "F" : "M";
    const yes = i < 40 ? i % 5 === 0 : i % 5 < 3;
    all.push(event(i, sex, yes ? "yes" : "no", yes ? 0.8 : 0.2));
  }
  for (const e of all) window.addEvent(e);
  // Labels for the first half of each group: the truth equals the prediction except every 4th.
  for (const e of all.filter((_, i) => i % 40 < 20)) {
    const truth =
      Number(e.id.slice(1)) % 4 === 0 ? (e.prediction === "yes" ? "no" : "yes") : String(e.prediction);
    window.addLabel({ ...e, groups: groupsOf(model, e.features) }, label(Number(e.id.slice(1)), truth));
  }
  const report = window.fairnessReport()!;
  const sex = report.attributes[0]!;
  const f = sex.groups.find((g) => g.group === "F")!;
  const m = sex.groups.find((g) => g.group === "M")!;
  assert.equal(f.count, 40);
  assert.equal(f.selectionRate.value, 8 / 40);
  assert.equal(m.selectionRate.value, 24 / 40);
  assert.equal(f.labelled, 20);
  assert.equal(sex.privilegedGroup, "M");
  assert.equal(sex.impactRatios[0]!.value, 0.2 / 0.6);
  assert.equal(sex.fourFifthsRule, "violation");
  const verdicts = windowVerdicts(window, null, {
    ...defaultSettings,
    monitor: { ...defaultSettings.monitor, min_samples: 10 },
  });
  const bias = verdicts.find((v) => v.rule === "bias")!;
  assert.equal(bias.metric, "impact_ratio:sex");
  assert.equal(bias.status, "breach");
  assert.equal(bias.value, 0.2 / 0.6);
  // Survives the stored form.
  const again = WindowState.fromJSON(JSON.parse(JSON.stringify(window)), model);
  assert.deepEqual(again.fairnessReport(), report);
});

test("CBPE: the window's expected accuracy from scores, without a label", () => {
  const window = WindowState.create(model, 2);
  // Scores 0.9 predicted yes and 0.3 predicted no: expected accuracy (0.9 + 0.7) / 2.
  window.addEvent(event(1, "F", "yes", 0.9));
  window.addEvent(event(2, "M", "no", 0.3));
  const estimate = window.estimate()!;
  assert.equal(estimate.rows, 2);
  assert.ok(Math.abs(estimate.accuracy!.estimate - 0.8) < 1e-12);
  assert.equal(WindowState.create({ ...model, task: "regression" }, 3).estimate(), null);
});
