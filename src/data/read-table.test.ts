import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { type ErrorCode, isTikTokToeError } from "../errors/index.js";
import { parseTable } from "./parse-table.js";
import { readTable } from "./read-table.js";
import type { ReadTableOptions, Table } from "./types.js";

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

async function rejects(file: string, code: ErrorCode, options: ReadTableOptions = {}): Promise<Error> {
  let caught: unknown;
  try {
    await readTable(file, options);
  } catch (error) {
    caught = error;
  }
  assert.ok(isTikTokToeError(caught, code), `expected ${code}, got ${String(caught)}`);
  assert.equal(caught.location.file, file);
  assert.ok(caught.hint !== undefined && caught.hint.length > 0);
  return caught;
}

const CSV = 'id,name,score\n1,"Smith, J",0.5\n2,Lee,-12.25\n3,,351\n';
const CSV_EXPECTED = { id: [1, 2, 3], name: ["Smith, J", "Lee", null], score: [0.5, -12.25, 351] };
const NDJSON =
  '{"id": 1, "name": "Smith, J", "score": 0.5}\n{"id": 2, "name": "Lee", "score": -12.25}\n{"id": 3, "score": 351}\n';

describe("readTable", () => {
  let dir = "";
  const path = (name: string): string => join(dir, name);

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "tiktoktoe-data-"));
    writeFileSync(path("t.csv"), CSV);
    writeFileSync(path("t.csv.gz"), gzipSync(CSV));
    writeFileSync(path("T.CSV.GZ"), gzipSync(CSV));
    writeFileSync(path("t.jsonl"), NDJSON);
    writeFileSync(path("t.ndjson"), NDJSON);
    writeFileSync(path("t.jsonl.gz"), gzipSync(NDJSON));
    writeFileSync(path("t.ndjson.gz"), gzipSync(NDJSON));
    // Two gzip members back to back are one valid gzip stream (what `cat a.gz b.gz` makes).
    writeFileSync(path("multi.csv.gz"), Buffer.concat([gzipSync("a,b\n1,2\n"), gzipSync("3,4\n")]));
    writeFileSync(path("plain-text.csv.gz"), CSV);
    const gz = gzipSync(CSV);
    writeFileSync(path("truncated.csv.gz"), gz.subarray(0, gz.length - 12));
    const corrupt = Buffer.from(gz);
    corrupt.fill(0xff, 10, 20);
    writeFileSync(path("corrupt.csv.gz"), corrupt);
    writeFileSync(path("empty.csv"), "");
    writeFileSync(path("empty.csv.gz"), "");
    writeFileSync(path("gzip-of-nothing.csv.gz"), gzipSync(""));
    writeFileSync(path("header-only.csv.gz"), gzipSync("a,b\n"));
    writeFileSync(path("t.txt"), CSV);
    mkdirSync(path("folder.csv"));
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it("reads CSV, plain and gzip-compressed, any case of extension", async () => {
    for (const name of ["t.csv", "t.csv.gz", "T.CSV.GZ"]) {
      const table = await readTable(path(name));
      assert.equal(table.source, path(name));
      assert.equal(table.format, "csv");
      assert.deepEqual(plain(table), CSV_EXPECTED, name);
    }
  });

  it("reads NDJSON, plain and gzip-compressed", async () => {
    for (const name of ["t.jsonl", "t.ndjson", "t.jsonl.gz", "t.ndjson.gz"]) {
      const table = await readTable(path(name));
      assert.equal(table.format, "ndjson");
      assert.deepEqual(plain(table), CSV_EXPECTED, name);
    }
  });

  it("reads concatenated gzip members", async () => {
    assert.deepEqual(plain(await readTable(path("multi.csv.gz"))), { a: [1, 3], b: [2, 4] });
  });

  it("passes the options through", async () => {
    const table = await readTable(path("t.csv.gz"), { columns: ["score", "id"], text: new Set(["id"]) });
    assert.deepEqual(plain(table), { score: [0.5, -12.25, 351], id: ["1", "2", "3"] });
    await rejects(path("t.csv"), "INPUT_NOT_NUMERIC", { numeric: new Set(["name"]) });
    await rejects(path("t.jsonl"), "INPUT_COLUMN_MISSING", { columns: ["nope"] });
  });

  it("reports progress at the end with the file size", async () => {
    const calls: [number, number][] = [];
    await readTable(path("t.csv.gz"), { onProgress: (done, total) => calls.push([done, total]) });
    const size = gzipSync(CSV).length;
    assert.deepEqual(calls.at(-1), [size, size]);
  });

  it("INPUT_NOT_FOUND for a missing file or a directory", async () => {
    const error = await rejects(path("absent.csv"), "INPUT_NOT_FOUND");
    assert.match(error.message, /does not exist/);
    await rejects(path("absent.jsonl.gz"), "INPUT_NOT_FOUND");
    await rejects(path("folder.csv"), "INPUT_NOT_FOUND");
  });

  it("INPUT_FORMAT for an unknown extension, listing the supported ones", async () => {
    const error = await rejects(path("t.txt"), "INPUT_FORMAT");
    assert.ok(isTikTokToeError(error));
    for (const extension of [".csv", ".csv.gz", ".jsonl", ".ndjson.gz"])
      assert.ok(error.hint?.includes(extension));
  });

  it("INPUT_BAD_GZIP for bytes that are not gzip, truncated or corrupt", async () => {
    const error = await rejects(path("plain-text.csv.gz"), "INPUT_BAD_GZIP");
    assert.match(error.message, /1f 8b/);
    await rejects(path("truncated.csv.gz"), "INPUT_BAD_GZIP");
    await rejects(path("corrupt.csv.gz"), "INPUT_BAD_GZIP");
  });

  it("INPUT_EMPTY for empty files, compressed or not", async () => {
    await rejects(path("empty.csv"), "INPUT_EMPTY");
    await rejects(path("empty.csv.gz"), "INPUT_EMPTY");
    await rejects(path("gzip-of-nothing.csv.gz"), "INPUT_EMPTY");
    await rejects(path("header-only.csv.gz"), "INPUT_EMPTY");
  });

  it("reads a multi-chunk file with a late switch exactly (second pass over gzip)", async () => {
    const lines = ["n,code,x"];
    for (let r = 0; r < 700_000; r++)
      lines.push(`${r},${r === 690_000 ? "X1" : `0${r % 1000}`},${(r % 97) / 8}`);
    const text = `${lines.join("\n")}\n`;
    assert.ok(text.length > 8 << 20, "spans several 4 MiB reads");
    writeFileSync(path("big.csv.gz"), gzipSync(text, { level: 1 }));
    writeFileSync(path("big.csv"), text);
    for (const name of ["big.csv", "big.csv.gz"]) {
      const table = await readTable(path(name));
      assert.equal(table.rowCount, 700_000);
      const code = table.columns.get("code")!;
      assert.ok(code.kind === "text");
      assert.equal(code.categories[code.codes[0]!], "00");
      assert.equal(code.categories[code.codes[123_456]!], "0456");
      assert.equal(code.categories[code.codes[690_000]!], "X1");
      assert.equal(code.categories.length, 1001);
      const n = table.columns.get("n")!;
      assert.ok(n.kind === "numeric" && n.values[699_999] === 699_999);
    }
  });
});

describe("parseTable with gzip", () => {
  it("gunzips by name or by option, and rejects non-gzip bytes", () => {
    assert.deepEqual(plain(parseTable(gzipSync(CSV), { name: "up.csv.gz" })), CSV_EXPECTED);
    assert.deepEqual(
      plain(parseTable(gzipSync(NDJSON), { name: "up", format: "ndjson", gzip: true })),
      CSV_EXPECTED,
    );
    assert.throws(
      () => parseTable(Buffer.from(CSV), { name: "up.csv.gz" }),
      (error) => isTikTokToeError(error, "INPUT_BAD_GZIP"),
    );
    assert.throws(
      () => parseTable(gzipSync(CSV).subarray(0, 20), { name: "up.csv.gz" }),
      (error) => isTikTokToeError(error, "INPUT_BAD_GZIP"),
    );
    assert.throws(
      () => parseTable(new Uint8Array(0), { name: "up.csv.gz" }),
      (error) => isTikTokToeError(error, "INPUT_EMPTY"),
    );
  });

  it("reads from a Uint8Array view into a larger buffer", () => {
    const bytes = new TextEncoder().encode(`junk${CSV}junk`);
    const view = bytes.subarray(4, bytes.length - 4);
    assert.deepEqual(plain(parseTable(view, { name: "v.csv" })), CSV_EXPECTED);
  });
});
