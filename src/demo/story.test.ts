import assert from "node:assert/strict";
import { test } from "node:test";
import { ksTwoSample, populationStd, wassersteinSorted } from "../stats/index.js";
import { seededRandom } from "../testing/random.js";
import { columnSeverity, criticalWeeks, maeByQuarter } from "./story.js";

test("criticalWeeks counts critical weeks per column, most first; maeByQuarter averages by the week's month", () => {
  const weeks = [
    { start: "2012-01-05", mae: 40, columns: { temp: "critical", hum: "warning" } },
    { start: "2012-03-29", mae: 60, columns: { temp: "critical", hum: "critical" } },
    { start: "2012-07-05", mae: null, columns: { temp: "ok", hum: "critical" } },
    { start: "2012-12-27", mae: 10, columns: { temp: "critical", hum: "ok" } },
  ];
  assert.deepEqual(criticalWeeks(weeks), [
    ["temp", 3],
    ["hum", 2],
  ]);
  assert.deepEqual(maeByQuarter(weeks), [50, null, null, 10]);
});

test("columnSeverity is KS at α = 0.05 with the normalised Wasserstein distance at 0.1, computed directly", () => {
  const random = seededRandom(3);
  const sample = (n: number, shift: number) =>
    Float64Array.from({ length: n }, () => random.uniform() + shift);
  for (const shift of [0, 0.02, 0.05, 0.2]) {
    const a = sample(300, 0);
    const b = sample(150, shift);
    const p = ksTwoSample(a.slice().sort(), b.slice().sort()).pValue;
    const w = wassersteinSorted(a.slice().sort(), b.slice().sort()) / populationStd(a);
    assert.equal(
      columnSeverity(a, b),
      p < 0.05 ? (w >= 0.1 ? "critical" : "warning") : "ok",
      `shift ${shift}`,
    );
  }
  assert.equal(columnSeverity(sample(300, 0), sample(150, 0.5)), "critical");
});
