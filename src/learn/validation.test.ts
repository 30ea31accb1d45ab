import assert from "node:assert/strict";
import { test } from "node:test";
import { isTikTokToeError } from "../errors/index.js";
import { seededRandom } from "../stats/index.js";
import type { Row } from "./features.js";
import { OnlineLinearModel } from "./linear-model.js";
import { compileRule } from "./rules.js";
import { learnIfValid } from "./validated-update.js";
import { inferSchema, rowsToTable, validateBatch } from "./validation.js";

/** Bike-like rows: casual + registered = cnt, temp in [0, 1], weathersit categorical, an id. */
function rows(n: number, seed: number, start = 0): Row[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => {
    const casual = Math.floor(random.uniform() * 50);
    const registered = Math.floor(random.uniform() * 200);
    return {
      id: start + i,
      temp: Math.min(1, Math.max(0, 0.5 + random.normal() * 0.15)),
      weathersit: ["clear", "mist", "rain"][Math.floor(random.uniform() * 3)]!,
      casual,
      registered,
      cnt: casual + registered,
      busy: registered > 100 ? "yes" : "no",
    };
  });
}

const rule = { name: "counts add up", expression: "registered + casual == cnt" };
const schema = inferSchema(rows(2000, 1), { rules: [rule] });
const failed = (result: ReturnType<typeof validateBatch>) =>
  result.checks.filter((c) => !c.passed).map((c) => `${c.check}:${c.column ?? c.rule}`);

test("the schema inferred from a reference: types, ranges, domains, completeness, uniqueness", () => {
  const temp = schema.columns.temp!;
  assert.equal(temp.type, "numeric");
  assert.equal(temp.completeness, 1);
  const weather = schema.columns.weathersit!;
  assert.equal(weather.type, "categorical");
  assert.deepEqual(weather.type === "categorical" ? weather.domain : [], ["clear", "mist", "rain"]);
  assert.equal(schema.columns.id!.unique, true);
  assert.equal(schema.columns.cnt!.unique, false);
  assert.equal(schema.revision, 1);
  // Plain JSON: editable and storable.
  assert.deepEqual(JSON.parse(JSON.stringify(schema)), schema);
});

test("a clean batch from the same process passes every check", () => {
  const result = validateBatch(schema, rows(300, 2, 10_000));
  assert.deepEqual(failed(result), []);
  assert.equal(result.ok, true);
});

test("missing values: completeness below the reference's lower bound fails", () => {
  const batch = rows(300, 3, 10_000).map((row, i) => (i % 10 === 0 ? { ...row, temp: null } : row));
  const result = validateBatch(schema, batch);
  assert.deepEqual(failed(result), ["completeness:temp"]);
  assert.match(result.reasons[0]!, /temp: 0\.9000 of values present/);
});

test("outliers: far-out values against the reference's IQR fences fail; out-of-range too", () => {
  const batch = rows(300, 4, 10_000).map((row, i) => (i % 20 === 0 ? { ...row, temp: 5 } : row));
  const result = validateBatch(schema, batch);
  assert.deepEqual(failed(result), ["out_of_range:temp", "outliers:temp"]);
});

test("consistency: a wrong type, an unknown category, a broken cross-field rule, duplicated ids", () => {
  const batch = rows(300, 5, 10_000).map((row, i) => {
    if (i === 7) return { ...row, temp: "warm" };
    if (i === 8) return { ...row, weathersit: "snow" };
    if (i === 9) return { ...row, cnt: (row.cnt as number) + 1 };
    if (i === 10) return { ...row, id: 10_000 };
    return row;
  });
  const result = validateBatch(schema, batch);
  assert.deepEqual(failed(result).sort(), [
    "rule:counts add up",
    "type:temp",
    "unknown_categories:weathersit",
  ]);
  assert.ok(result.reasons.some((r) => r.includes("violated by 1 of 300 rows, first at row 9")));
  const duplicated = rows(300, 6, 10_000).map((row, i) => ({ ...row, id: 10_000 + (i % 100) }));
  assert.deepEqual(failed(validateBatch(schema, duplicated)), ["uniqueness:id"]);
});

test("drift through the drift engine: a shifted batch fails the drift check", () => {
  const reference = rowsToTable(rows(2000, 1), {
    source: "ref",
    rowCount: 0,
    columnNames: ["temp", "weathersit"],
    columns: new Map([
      ["temp", { kind: "numeric", values: new Float64Array(0), missing: 0 }],
      ["weathersit", { kind: "text", codes: new Int32Array(0), categories: [], missing: 0 }],
    ]),
  });
  const same = validateBatch(schema, rows(500, 7, 10_000), { driftReference: reference });
  assert.equal(same.checks.find((c) => c.check === "drift")?.passed, true);
  const warmer = rows(500, 8, 10_000).map((row) => ({ ...row, temp: (row.temp as number) * 0.5 + 0.45 }));
  const shifted = validateBatch(schema, warmer, { driftReference: reference });
  assert.equal(shifted.checks.find((c) => c.check === "drift")?.passed, false);
});

test("a failing batch is quarantined with its reasons and never learned from; a good one is learned", () => {
  const model = new OnlineLinearModel({
    task: "binary",
    classes: ["no", "yes"],
    features: { numeric: ["temp", "casual"], categorical: ["weathersit"] },
  });
  const before = JSON.stringify(model.toJSON());
  const bad = rows(200, 9, 10_000).map((row, i) => (i < 40 ? { ...row, temp: null } : row));
  const quarantined = learnIfValid(model, schema, bad, { label: "busy" });
  assert.equal(quarantined.learned, false);
  assert.ok(quarantined.validation.reasons.length > 0);
  assert.equal(JSON.stringify(model.toJSON()), before);
  const good = learnIfValid(model, schema, rows(200, 10, 20_000), { label: "busy" });
  assert.equal(good.learned, true);
  assert.equal(model.updateCount, 200);
});

test("rules: arithmetic, comparisons with tolerance, missing fields say nothing, syntax errors are CONFIG_INVALID", () => {
  const r = compileRule({ name: "r", expression: "(a - b) * 2 <= c / 4 + 1" });
  assert.deepEqual(r.columns, ["a", "b", "c"]);
  assert.equal(r.evaluate({ a: 3, b: 1, c: 12 }), true); // 4 <= 4
  assert.equal(r.evaluate({ a: 3, b: 0, c: 12 }), false); // 6 <= 4
  assert.equal(r.evaluate({ a: 3, c: 12 }), undefined);
  assert.equal(
    compileRule({ name: "eq", expression: "x + y == z" }).evaluate({ x: 0.1, y: 0.2, z: 0.3 }),
    true,
  );
  assert.throws(
    () => compileRule({ name: "bad", expression: "a + == b" }),
    (e) => isTikTokToeError(e, "CONFIG_INVALID") && /rule "bad"/.test(e.message),
  );
  assert.throws(
    () => compileRule({ name: "nocmp", expression: "a + b" }),
    (e) => isTikTokToeError(e, "CONFIG_INVALID"),
  );
});
