import assert from "node:assert/strict";
import { test } from "node:test";
import { readTable } from "../data/index.js";
import { analyzeDrift, defaultDriftOptions, type InputColumn, type InputTable } from "../drift/index.js";
import { closeTo } from "../testing/golden.js";
import { repoPath } from "../testing/paths.js";
import { seededRandom } from "../testing/random.js";
import type { LabelRecord, PredictionEvent } from "./records.js";
import { buildReferenceProfile, windowDrift } from "./window-drift.js";
import { type WindowModel, WindowState } from "./window-state.js";

const numeric = ["temp", "atemp", "hum", "windspeed", "hr", "mnth"];
const categorical = ["season", "holiday", "workingday", "weathersit"];
const model: WindowModel = { task: "regression", numeric, categorical };

async function bike(year: 2011 | 2012): Promise<InputTable> {
  return readTable(repoPath("data", "bike", `bike_${year}.csv`), { text: new Set(categorical) });
}
const num = (table: InputTable, column: string) =>
  (table.columns.get(column) as Extract<InputColumn, { kind: "numeric" }>).values;
const text = (table: InputTable, column: string) => {
  const c = table.columns.get(column) as Extract<InputColumn, { kind: "text" }>;
  return Array.from(c.codes, (code) => (code < 0 ? null : c.categories[code]!));
};

function events(
  table: InputTable,
  from: number,
  to: number,
): Array<{ event: PredictionEvent; label: LabelRecord }> {
  const rng = seededRandom(from + 1);
  const cnt = num(table, "cnt");
  const out: Array<{ event: PredictionEvent; label: LabelRecord }> = [];
  for (let i = from; i < to; i++) {
    const features: Record<string, number | string | null> = {};
    for (const c of numeric) features[c] = num(table, c)[i]!;
    for (const c of categorical) features[c] = text(table, c)[i]!;
    const event: PredictionEvent = {
      id: `e${i}`,
      timeMs: i * 3_600_000,
      version: "1",
      features,
      prediction: Math.round(cnt[i]! * 0.8 + 10),
      scores: null,
      latencyMs: Math.exp(1 + 0.6 * rng.normal()),
    };
    out.push({ event, label: { id: event.id, value: cnt[i]!, timeMs: event.timeMs } });
  }
  return out;
}

test("a week of 2012: MAE, latency p99 and drift equal independent computations", async () => {
  const reference = await bike(2011);
  const current = await bike(2012);
  const rows = events(current, 0, 168);
  const window = WindowState.create(model, 7);
  for (const { event, label } of rows) {
    window.addEvent(event);
    window.addLabel(event, label);
  }
  const summary = window.summary();
  assert.equal(summary.events, 168);
  assert.equal(summary.labels, 168);
  const mae =
    rows.reduce((s, r) => s + Math.abs((r.label.value as number) - (r.event.prediction as number)), 0) /
    rows.length;
  assert.ok(closeTo(summary.quality.mae as number, mae, 1e-12, 0), `${summary.quality.mae} vs ${mae}`);
  // DDSketch: within 1% of the exact lower quantile at rank floor(q(n − 1)).
  const latencies = rows.map((r) => r.event.latencyMs!).sort((a, b) => a - b);
  const exactP99 = latencies[Math.floor(0.99 * (latencies.length - 1))]!;
  assert.ok(
    Math.abs(summary.latency.p99! - exactP99) <= 0.01 * exactP99,
    `${summary.latency.p99} vs ${exactP99}`,
  );
  assert.equal(summary.latency.max, latencies.at(-1));
  assert.equal(window.exact, true);

  // The window's drift equals the drift engine on the same rows (what `tiktoktoe drift` computes).
  const columns: Record<string, Float64Array | Array<string | null>> = {};
  for (const c of numeric) columns[c] = num(reference, c);
  for (const c of categorical) columns[c] = text(reference, c);
  const profile = buildReferenceProfile(model, columns, null, num(reference, "cnt"));
  const fromWindow = windowDrift(window, profile, defaultDriftOptions);
  const slice = (table: InputTable, to: number): InputTable => {
    const map = new Map<string, InputColumn>();
    for (const c of [...numeric, ...categorical, "cnt"]) {
      const col = table.columns.get(c)!;
      map.set(
        c === "cnt" ? "target" : c,
        col.kind === "numeric"
          ? { ...col, values: col.values.slice(0, to), missing: 0 }
          : { ...col, codes: col.codes.slice(0, to), missing: 0 },
      );
    }
    return { source: table.source, rowCount: to, columnNames: [...map.keys()], columns: map };
  };
  const engine = analyzeDrift(slice(reference, reference.rowCount), slice(current, 168), {
    target: "target",
    numeric,
    categorical,
  });
  const simplify = (r: typeof engine) =>
    r.columns
      .map((c) => [c.column, c.dimension, c.statistic, c.p_value, c.effect_size, c.severity] as const)
      .sort((a, b) => (a[0] < b[0] ? -1 : 1));
  assert.deepEqual(simplify(fromWindow), simplify(engine));
  assert.equal(fromWindow.severity, engine.severity);
});

test("merging two halves equals the whole week; a stored window restores to the same figures", async () => {
  const current = await bike(2012);
  const rows = events(current, 0, 168);
  const whole = WindowState.create(model, 1);
  const first = WindowState.create(model, 2);
  const second = WindowState.create(model, 3);
  rows.forEach(({ event, label }, i) => {
    for (const w of [whole, i < 80 ? first : second]) {
      w.addEvent(event);
      w.addLabel(event, label);
    }
  });
  first.merge(second);
  const a = whole.summary();
  const b = first.summary();
  assert.equal(b.events, a.events);
  assert.ok(closeTo(b.quality.mae as number, a.quality.mae as number, 1e-12, 0));
  assert.ok(closeTo(b.quality.rmse as number, a.quality.rmse as number, 1e-12, 0));
  assert.deepEqual(b.latency, a.latency);
  assert.deepEqual([...first.numericColumn("temp")].sort(), [...whole.numericColumn("temp")].sort());
  assert.deepEqual(first.categoryCounts("season"), whole.categoryCounts("season"));
  const restored = WindowState.fromJSON(JSON.parse(JSON.stringify(whole)), model);
  assert.deepEqual(restored.summary(), whole.summary());
  assert.deepEqual([...restored.numericColumn("hum")], [...whole.numericColumn("hum")]);
});

test("classifiers count predicted and true classes for drift, and feed the binary accumulator the positive score", () => {
  const binary: WindowModel = { task: "binary", classes: ["no", "yes"], numeric: ["x"], categorical: [] };
  const window = WindowState.create(binary, 5);
  const make = (id: string, prediction: string, p: number): PredictionEvent => ({
    id,
    timeMs: 0,
    version: "1",
    features: { x: p },
    prediction,
    scores: [1 - p, p],
    latencyMs: null,
  });
  const e1 = make("a", "yes", 0.9);
  const e2 = make("b", "no", 0.2);
  window.addEvent(e1);
  window.addEvent(e2);
  window.addLabel(e1, { id: "a", value: "yes", timeMs: 0 });
  window.addLabel(e2, { id: "b", value: "yes", timeMs: 0 });
  const q = window.summary().quality;
  assert.equal(q.accuracy, 0.5);
  assert.equal(q.rocAuc, null); // one class present among the labels
  assert.deepEqual(
    [...window.categoryCounts("(prediction)").values],
    [
      ["yes", 1],
      ["no", 1],
    ],
  );
  assert.deepEqual([...window.categoryCounts("(target)").values], [["yes", 2]]);
  assert.equal(window.summary().latency.p99, null);
});

test("columns named like Object.prototype members count as columns: missing is missing, never [object Object]", () => {
  const proto: WindowModel = {
    task: "binary",
    classes: ["n", "y"],
    numeric: ["constructor"],
    categorical: ["__proto__", "toString"],
    sensitive: ["__proto__"],
  };
  const window = WindowState.create(proto, 1);
  const features = JSON.parse('{"__proto__":"a","toString":"b","constructor":2}') as Record<string, string>;
  window.addEvent({
    id: "1",
    timeMs: 0,
    version: "1",
    features,
    prediction: "y",
    scores: null,
    latencyMs: 1,
  });
  window.addEvent({
    id: "2",
    timeMs: 1,
    version: "1",
    features: {},
    prediction: "n",
    scores: null,
    latencyMs: 1,
  });
  for (const [column, value] of [
    ["__proto__", "a"],
    ["toString", "b"],
  ] as const) {
    const counts = window.categoryCounts(column);
    assert.deepEqual([...counts.values], [[value, 1]], column);
    assert.equal(counts.missing, 1, column);
  }
  // The stored form keeps the `__proto__` column as a key, and restores to the same counts.
  const restored = WindowState.fromJSON(JSON.parse(JSON.stringify(window.toJSON())), proto);
  assert.deepEqual([...restored.categoryCounts("__proto__").values], [["a", 1]]);
  assert.equal(restored.categoryCounts("__proto__").missing, 1);
});

test("a window stored and restored half-way samples what the window that stayed in memory samples", async () => {
  // Past a small capacity every further row is a random draw: without the generators' states the
  // restored window would draw other rows (a restart after kill -9 changed the windows' drift).
  const small: WindowModel = { ...model, sampleCapacity: 50 };
  const rows = events(await bike(2012), 0, 400);
  const stayed = WindowState.create(small, 11);
  let restored = WindowState.create(small, 11);
  for (const [i, { event, label }] of rows.entries()) {
    if (i === 200) restored = WindowState.fromJSON(JSON.parse(JSON.stringify(restored)), small);
    for (const w of [stayed, restored]) {
      w.addEvent(event);
      w.addLabel(event, label);
    }
  }
  assert.equal(stayed.exact, false);
  assert.deepEqual(JSON.parse(JSON.stringify(restored)), JSON.parse(JSON.stringify(stayed)));
});
