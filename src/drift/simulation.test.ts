import assert from "node:assert/strict";
import { test } from "node:test";
import { seededRandom } from "../testing/random.js";
import { analyzeDrift } from "./analyze.js";
import type { InputColumn, InputTable } from "./plan.js";

// Seeded simulations of the default decision (KS + normalised Wasserstein, Bonferroni, α = 0.05).

function table(source: string, columns: Float64Array[]): InputTable {
  const map = new Map<string, InputColumn>(
    columns.map((values, i) => [`f${i}`, { kind: "numeric", values, missing: 0 }]),
  );
  return { source, rowCount: columns[0]!.length, columnNames: [...map.keys()], columns: map };
}

function features(rng: ReturnType<typeof seededRandom>, n: number, shifts: number[]): Float64Array[] {
  return shifts.map((shift) => rng.normals(n, shift, 1));
}

test("no drift: family-wise false-alarm rate over 1,000 runs of 20 features stays within α", () => {
  const rng = seededRandom(20261127);
  const runs = 1000;
  let alarms = 0;
  const none = new Array(20).fill(0);
  for (let run = 0; run < runs; run++) {
    const report = analyzeDrift(
      table("ref", features(rng, 200, none)),
      table("cur", features(rng, 200, none)),
    );
    if (report.severity !== "ok") alarms++;
  }
  const rate = alarms / runs;
  // Bonferroni bounds the family-wise rate by α = 0.05; allow three binomial standard errors over it.
  const tolerance = 3 * Math.sqrt((0.05 * 0.95) / runs);
  assert.ok(rate <= 0.05 + tolerance, `false-alarm rate ${rate} exceeds 0.05 + ${tolerance.toFixed(4)}`);
});

test("a 0.01σ shift at n = 100,000 per side raises no critical column", () => {
  const rng = seededRandom(7);
  const shifts = new Array(20).fill(0.01);
  for (let run = 0; run < 3; run++) {
    const report = analyzeDrift(
      table("ref", features(rng, 100_000, new Array(20).fill(0))),
      table("cur", features(rng, 100_000, shifts)),
    );
    const critical = report.columns.filter((c) => c.severity === "critical" || c.severity === "emergency");
    assert.deepEqual(
      critical.map((c) => c.column),
      [],
      `run ${run}`,
    );
    for (const c of report.columns) assert.ok(c.effect_size! < 0.1, `${c.column}: effect ${c.effect_size}`);
  }
});

test("a 0.3σ shift in one of 20 features at n = 1,000 is critical in at least 80% of runs", () => {
  const rng = seededRandom(99);
  const runs = 200;
  let flagged = 0;
  let othersCritical = 0;
  const shifts = [0.3, ...new Array(19).fill(0)];
  for (let run = 0; run < runs; run++) {
    const report = analyzeDrift(
      table("ref", features(rng, 1000, new Array(20).fill(0))),
      table("cur", features(rng, 1000, shifts)),
    );
    if (report.columns[0]!.severity === "critical") flagged++;
    othersCritical += report.columns.slice(1).filter((c) => c.drifted).length;
  }
  assert.ok(flagged / runs >= 0.8, `power ${flagged / runs} < 0.8`);
  assert.ok(
    othersCritical / runs <= 0.05,
    `unshifted columns flagged ${othersCritical} times in ${runs} runs`,
  );
});
