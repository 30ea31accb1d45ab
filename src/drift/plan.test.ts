import assert from "node:assert/strict";
import { test } from "node:test";
import { isTikTokToeError } from "../errors/index.js";
import { seededRandom } from "../testing/random.js";
import { analyzeDrift } from "./analyze.js";
import type { InputColumn, InputTable } from "./plan.js";

const N = 200;
const rng = seededRandom(7);

/** A table from plain arrays: numbers become numeric columns, strings dictionary-encoded text. */
function table(source: string, columns: Record<string, readonly (number | string)[]>): InputTable {
  const map = new Map<string, InputColumn>();
  for (const [name, values] of Object.entries(columns)) {
    if (typeof values[0] === "number") {
      map.set(name, { kind: "numeric", values: Float64Array.from(values as number[]), missing: 0 });
    } else {
      const categories: string[] = [];
      const index = new Map<string, number>();
      const codes = Int32Array.from(values as string[], (v) => {
        let code = index.get(v);
        if (code === undefined) {
          code = categories.length;
          categories.push(v);
          index.set(v, code);
        }
        return code;
      });
      map.set(name, { kind: "text", codes, categories, missing: 0 });
    }
  }
  return { source, rowCount: N, columnNames: [...map.keys()], columns: map };
}

const range = (from: number) => Array.from({ length: N }, (_, i) => from + i);
const normals = (shift: number) => Array.from(rng.normals(N, shift, 1));
const reference = table("ref.csv", {
  row_id: range(1),
  key: range(0).map((i) => `user-${i}`),
  city: range(0).map((i) => ["a", "b", "c"][i % 3]!),
  // Integers, all distinct, but shuffled: a real count, never taken for a row number.
  count: range(0).map((i) => (i * 37) % N),
  temp: normals(0),
  cnt: normals(0),
});
const current = table("cur.csv", {
  row_id: range(N + 1),
  key: range(N).map((i) => `user-${i}`),
  city: range(0).map((i) => ["a", "b", "c"][i % 3]!),
  count: range(0).map((i) => (i * 53) % N),
  temp: normals(0),
  cnt: normals(3),
});

function throwsCode(run: () => unknown, code: string, message: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(isTikTokToeError(error, code as never), String(error));
    assert.match(error.message, message);
    return true;
  });
}

test("a target or prediction the tables lack is INPUT_COLUMN_MISSING with a did-you-mean", () => {
  throwsCode(
    () => analyzeDrift(reference, current, { target: "CNT" }),
    "INPUT_COLUMN_MISSING",
    /did you mean "cnt"/,
  );
  throwsCode(
    () => analyzeDrift(reference, current, { prediction: "nosuchcol" }),
    "INPUT_COLUMN_MISSING",
    /nosuchcol/,
  );
  throwsCode(
    () => analyzeDrift(reference, current, { exclude: ["tmep"] }),
    "INPUT_COLUMN_MISSING",
    /did you mean "temp"/,
  );
  throwsCode(() => analyzeDrift(reference, current, { target: "cnt", exclude: ["cnt"] }), "USAGE", /target/);
});

test("identifiers (distinct text, a row number) are left out of the tests and the correction", () => {
  const report = analyzeDrift(reference, current, { target: "cnt" });
  assert.deepEqual(
    report.excluded?.map((e) => [e.column, e.reason]),
    [
      ["row_id", "identifier"],
      ["key", "identifier"],
    ],
  );
  assert.deepEqual(
    report.columns.map((c) => c.column),
    ["city", "count", "temp", "cnt"],
  );
  assert.equal(report.tests, 3);
  assert.equal(report.columns.find((c) => c.column === "cnt")!.dimension, "target");
});

test("naming an identifier keeps it tested; --exclude leaves any column out", () => {
  const named = analyzeDrift(reference, current, { columns: ["row_id", "key", "temp"] });
  assert.deepEqual(
    named.columns.map((c) => c.column),
    ["row_id", "key", "temp"],
  );
  assert.deepEqual(named.excluded, []);
  const excluded = analyzeDrift(reference, current, { exclude: ["temp"] });
  assert.equal(
    excluded.columns.find((c) => c.column === "temp"),
    undefined,
  );
  assert.deepEqual(
    excluded.excluded?.find((e) => e.column === "temp"),
    { column: "temp", reason: "excluded", note: "left out on request (--exclude)" },
  );
  assert.equal(excluded.tests, 3); // city, count, cnt
});

test("an excluded column may be in one table only", () => {
  const extra = table("cur.csv", { temp: normals(0), only_here: normals(0) });
  const base = table("ref.csv", { temp: normals(0) });
  const report = analyzeDrift(base, extra, { exclude: ["only_here"] });
  assert.deepEqual(
    report.columns.map((c) => c.column),
    ["temp"],
  );
});
