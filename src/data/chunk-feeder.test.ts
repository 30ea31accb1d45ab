import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isTikTokToeError } from "../errors/index.js";
import { ChunkFeeder } from "./chunk-feeder.js";
import { assembleTable, backfillPlan, createParser, planFromOptions } from "./table-assembly.js";
import type { ColumnOptions, Table, TableFormat } from "./types.js";

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

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Parses `bytes` as the file readers do, but in chunks of random sizes into a tiny, growing buffer. */
function parseChunked(
  bytes: Buffer,
  format: TableFormat,
  random: () => number,
  options: ColumnOptions = {},
): Table {
  const run = (plan: ReturnType<typeof planFromOptions>) => {
    const parser = createParser(format, "chunked", plan);
    const feeder = new ChunkFeeder(parser, 1 + Math.floor(random() * 16));
    let at = 0;
    while (at < bytes.length && !feeder.done) {
      const size = 1 + Math.floor(random() * 9);
      feeder.add(bytes.subarray(at, at + size));
      at += size;
    }
    feeder.end();
    return parser.finish();
  };
  const plan = planFromOptions(options);
  const first = run(plan);
  const secondPlan = backfillPlan(first);
  return assembleTable("chunked", format, first, secondPlan === undefined ? undefined : run(secondPlan));
}

function parseWhole(bytes: Buffer, format: TableFormat, options: ColumnOptions = {}): Table {
  const plan = planFromOptions(options);
  const parse = (p: ReturnType<typeof planFromOptions>) => {
    const parser = createParser(format, "chunked", p);
    parser.push(bytes, 0, bytes.length, true);
    return parser.finish();
  };
  const first = parse(plan);
  const secondPlan = backfillPlan(first);
  return assembleTable("chunked", format, first, secondPlan === undefined ? undefined : parse(secondPlan));
}

function randomCell(random: () => number): string {
  const pick = random();
  if (pick < 0.45) return String(Math.round((random() - 0.5) * 1e6) / 1000);
  if (pick < 0.55) return ["", "NA", "null", " "][Math.floor(random() * 4)]!;
  if (pick < 0.62) return `${Math.floor(random() * 100)}e-${Math.floor(random() * 5)}`;
  if (pick < 0.7) return '"quoted, with ""quotes""\nand a newline"';
  if (pick < 0.75) return '"12.5"';
  if (pick < 0.8) return "0123";
  return ["abc", "x y", "é", "😀"][Math.floor(random() * 4)]!;
}

function randomCsv(random: () => number): Buffer {
  const columns = 1 + Math.floor(random() * 5);
  const newline = random() < 0.5 ? "\n" : "\r\n";
  const lines = [Array.from({ length: columns }, (_, c) => `c${c}`).join(",")];
  const rows = 1 + Math.floor(random() * 40);
  // Some columns start numeric and switch late, to exercise the second pass.
  const switchAt = Array.from({ length: columns }, () => (random() < 0.5 ? Math.floor(random() * rows) : -1));
  for (let r = 0; r < rows; r++) {
    const cells: string[] = [];
    for (let c = 0; c < columns; c++) {
      cells.push(
        r === switchAt[c]
          ? "switch"
          : switchAt[c]! >= 0
            ? String(Math.floor(random() * 50) / 4)
            : randomCell(random),
      );
    }
    lines.push(cells.join(","));
    if (random() < 0.05) lines.push("");
  }
  const bom = random() < 0.2 ? "\ufeff" : "";
  return Buffer.from(bom + lines.join(newline) + (random() < 0.7 ? newline : ""));
}

function randomNdjson(random: () => number): Buffer {
  const keys = ["a", "b", "c", "é"];
  const lines: string[] = [];
  const rows = 1 + Math.floor(random() * 40);
  for (let r = 0; r < rows; r++) {
    const parts: string[] = [];
    for (const key of keys) {
      const pick = random();
      if (pick < 0.2) continue;
      const value =
        pick < 0.6
          ? String(Math.round((random() - 0.5) * 1e5) / 100)
          : pick < 0.7
            ? "null"
            : pick < 0.8
              ? '"te\\"xt\\u00e9"'
              : pick < 0.85
                ? '{"n": [1, "}"]}'
                : pick < 0.9
                  ? "true"
                  : "1.0e1";
      parts.push(`${JSON.stringify(key)}: ${value}`);
    }
    lines.push(`{${parts.join(", ")}}`);
    if (random() < 0.05) lines.push("  ");
  }
  return Buffer.from(lines.join(random() < 0.5 ? "\n" : "\r\n"));
}

function sameTables(a: Table, b: Table): void {
  assert.equal(a.rowCount, b.rowCount);
  assert.deepEqual(a.columnNames, b.columnNames);
  assert.deepEqual(plain(a), plain(b));
  for (const name of a.columnNames) {
    const x = a.columns.get(name)!;
    const y = b.columns.get(name)!;
    assert.equal(x.kind, y.kind, name);
    assert.equal(x.missing, y.missing, name);
    if (x.kind === "text" && y.kind === "text") assert.deepEqual(x.categories, y.categories);
  }
}

describe("chunked parsing", () => {
  it("CSV split at every kind of boundary parses as the whole", () => {
    const random = mulberry32(99);
    for (let k = 0; k < 400; k++) {
      const bytes = randomCsv(random);
      let whole: Table;
      try {
        whole = parseWhole(bytes, "csv");
      } catch (error) {
        // A generated file may be ragged (the "switch" cell never is); the chunked run must agree.
        assert.ok(isTikTokToeError(error));
        assert.throws(
          () => parseChunked(bytes, "csv", random),
          (other) => isTikTokToeError(other, error.code) && other.location.line === error.location.line,
        );
        continue;
      }
      sameTables(parseChunked(bytes, "csv", random), whole);
    }
  });

  it("NDJSON split at every kind of boundary parses as the whole", () => {
    const random = mulberry32(7);
    for (let k = 0; k < 400; k++) {
      const bytes = randomNdjson(random);
      let whole: Table;
      try {
        whole = parseWhole(bytes, "ndjson");
      } catch (error) {
        assert.ok(isTikTokToeError(error, "INPUT_EMPTY"));
        continue;
      }
      sameTables(parseChunked(bytes, "ndjson", random), whole);
    }
  });

  it("errors carry the same line whatever the chunking", () => {
    const random = mulberry32(3);
    const bytes = Buffer.from('a,b\n1,"x\ny"\n2,3\n4,5,6\n');
    for (let k = 0; k < 50; k++) {
      assert.throws(
        () => parseChunked(bytes, "csv", random),
        (error) => isTikTokToeError(error, "INPUT_RAGGED_ROW") && error.location.line === 5,
      );
    }
    const unclosed = Buffer.from('a,b\n1,2\n3,"x\n\n');
    for (let k = 0; k < 50; k++) {
      assert.throws(
        () => parseChunked(unclosed, "csv", random),
        (error) => isTikTokToeError(error, "INPUT_FORMAT") && error.location.line === 3,
      );
    }
    const numeric = Buffer.from("a\n1\nNA\n2\nx\n");
    for (let k = 0; k < 50; k++) {
      assert.throws(
        () => parseChunked(numeric, "csv", random, { numeric: new Set(["a"]) }),
        (error) => isTikTokToeError(error, "INPUT_NOT_NUMERIC") && error.location.line === 5,
      );
    }
  });
});
