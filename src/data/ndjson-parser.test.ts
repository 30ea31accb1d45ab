import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type ErrorCode, isTikTokToeError } from "../errors/index.js";
import { parseTable } from "./parse-table.js";
import type { ColumnOptions, Table } from "./types.js";

function plain(table: Table): Record<string, (number | string | null)[]> {
  const out: Record<string, (number | string | null)[]> = {};
  for (const name of table.columnNames) {
    const column = table.columns.get(name)!;
    out[name] =
      column.kind === "numeric"
        ? [...column.values]
        : [...column.codes].map((code) => (code < 0 ? null : column.categories[code]!));
  }
  return out;
}

function ndjson(text: string, options: ColumnOptions = {}): Table {
  return parseTable(Buffer.from(text), { name: "t.jsonl", ...options });
}

function fails(text: string, code: ErrorCode, line?: number, options: ColumnOptions = {}): Error {
  let caught: unknown;
  try {
    ndjson(text, options);
  } catch (error) {
    caught = error;
  }
  assert.ok(isTikTokToeError(caught, code), `expected ${code}, got ${String(caught)}`);
  assert.equal(caught.location.file, "t.jsonl");
  if (line !== undefined) assert.equal(caught.location.line, line, caught.message);
  return caught;
}

describe("NDJSON parsing", () => {
  it("reads numbers and strings, the union of keys in first-seen order", () => {
    const table = ndjson('{"a": 1, "b": "x"}\n{"b": "y", "c": 2.5}\n\n  \n{"a": -3e2, "c": null}\n');
    assert.equal(table.format, "ndjson");
    assert.equal(table.rowCount, 3);
    assert.deepEqual(table.columnNames, ["a", "b", "c"]);
    assert.deepEqual(plain(table), {
      a: [1, Number.NaN, -300],
      b: ["x", "y", null],
      c: [Number.NaN, 2.5, Number.NaN],
    });
    assert.equal(table.columns.get("a")!.missing, 1);
    assert.equal(table.columns.get("b")!.missing, 1);
    assert.equal(table.columns.get("c")!.missing, 2);
  });

  it("accepts .ndjson, CRLF, a BOM, no trailing newline, whitespace and escapes", () => {
    const text = '\ufeff{ "a" : 1 , "s\\u00e9" : "q\\"\\n\\u263a" }\r\n\t{"a":2,"s\\u00e9":"plain"}';
    const table = parseTable(Buffer.from(text), { name: "t.ndjson" });
    assert.deepEqual(plain(table), { a: [1, 2], sé: ['q"\n☺', "plain"] });
  });

  it("reads booleans as text and nested values as their JSON text", () => {
    const table = ndjson('{"b": true, "n": {"x": [1, 2]}}\n{"b": false, "n": [ ]}\n');
    assert.deepEqual(plain(table), { b: ["true", "false"], n: ['{"x": [1, 2]}', "[ ]"] });
  });

  it("keeps string values verbatim, missing tokens included", () => {
    assert.deepEqual(plain(ndjson('{"s": "NA"}\n{"s": ""}\n{"s": "02134"}\n')), { s: ["NA", "", "02134"] });
  });

  it("switches a numeric column to text keeping each number as written", () => {
    const table = ndjson('{"v": 1.0}\n{"v": null}\n{}\n{"v": 1e2}\n{"v": "abc"}\n{"v": 1.0}\n{"v": 7}\n');
    assert.deepEqual(plain(table), { v: ["1.0", null, null, "1e2", "abc", "1.0", "7"] });
    const v = table.columns.get("v")!;
    assert.ok(v.kind === "text");
    assert.deepEqual(v.categories, ["1.0", "1e2", "abc", "7"]);
    assert.equal(v.missing, 2);
  });

  it("reads a number overflowing a double as text", () => {
    assert.deepEqual(plain(ndjson('{"v": 1}\n{"v": 1e400}\n')), { v: ["1", "1e400"] });
  });

  it("columns / text / numeric options", () => {
    const text =
      '{"a": 1, "b": 2, "z": "02134"}\n{"a": 3, "b": "4", "z": "2134"}\n{"a": 5, "b": "NA", "z": 7}\n{"b": "1\\u0030"}\n';
    const table = ndjson(text, { columns: ["z", "b"], text: new Set(["z"]), numeric: new Set(["b"]) });
    assert.deepEqual(table.columnNames, ["z", "b"]);
    assert.deepEqual(plain(table), { z: ["02134", "2134", "7", null], b: [2, 4, Number.NaN, 10] });
    fails(text, "INPUT_COLUMN_MISSING", undefined, { columns: ["a", "q"] });
    fails(text, "INPUT_COLUMN_MISSING", undefined, { text: new Set(["q"]) });
  });

  it("numeric: a string, boolean or nested value that is not a number fails with its line", () => {
    for (const bad of ['"abc"', "true", "[1]", '"1\\u0030x"']) {
      const error = fails(`{"n": 1}\n\n{"n": ${bad}}\n`, "INPUT_NOT_NUMERIC", 3, { numeric: new Set(["n"]) });
      assert.ok(isTikTokToeError(error) && error.location.column === "n");
    }
  });

  it("INPUT_BAD_JSON with the line number for malformed lines", () => {
    const bad = [
      "[1, 2]",
      '"text"',
      "42",
      "{",
      '{"a": 1',
      '{"a": 1,}',
      '{"a" 1}',
      "{a: 1}",
      "{'a': 1}",
      '{"a": 01}',
      '{"a": 1.}',
      '{"a": .5}',
      '{"a": +1}',
      '{"a": -}',
      '{"a": NaN}',
      '{"a": tru}',
      '{"a": nul}',
      '{"a": "x}',
      '{"a": "\\x"}',
      '{"a": "\\u12"}',
      '{"a": "tab\there"}',
      '{"a": 1} x',
      '{"a": 1}{"b": 2}',
      '{"a": {"b": 1}',
      '{"a": [1, }',
      '{"a": [1 2]}',
      '{"a": 1, "a": 2}',
    ];
    for (const line of bad) {
      const error = fails(`{"a": 0}\n\n${line}\n{"a": 3}\n`, "INPUT_BAD_JSON", 3);
      assert.match(error.message, /line 3/, line);
    }
  });

  it("INPUT_EMPTY for no lines or only empty objects", () => {
    fails("", "INPUT_EMPTY");
    fails("\n \n\r\n", "INPUT_EMPTY");
    fails("{}\n{}\n", "INPUT_EMPTY");
  });

  it("a late key is missing in earlier rows, across storage blocks", () => {
    const lines: string[] = [];
    for (let r = 0; r < 5000; r++) lines.push(r < 3000 ? `{"a": ${r}}` : `{"a": ${r}, "late": "${r % 2}"}`);
    const table = ndjson(lines.join("\n"));
    const late = table.columns.get("late")!;
    assert.ok(late.kind === "text");
    assert.equal(late.missing, 3000);
    assert.equal(late.codes[2999], -1);
    assert.equal(late.categories[late.codes[3001]!], "1");
    const lateNumbers = ndjson(lines.map((line, r) => line.replace(`"${r % 2}"`, String(r))).join("\n"));
    const column = lateNumbers.columns.get("late")!;
    assert.ok(column.kind === "numeric");
    assert.equal(column.missing, 3000);
    assert.equal(column.values[4999], 4999);
  });
});
