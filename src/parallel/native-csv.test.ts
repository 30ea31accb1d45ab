import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { ChunkFeeder } from "../data/chunk-feeder.js";
import {
  type ColumnOptions,
  type CsvKernels,
  type CsvNumericKernel,
  parseTable,
  readTable,
  type Table,
  useCsvKernels,
} from "../data/index.js";
import { assembleTable, backfillPlan, createParser, planFromOptions } from "../data/table-assembly.js";
import { seededRandom } from "../testing/random.js";
import { loadNativeCsvKernels, nativeKernelStatus } from "./native.js";

// The native CSV scanner (native/csv.c) must leave every table exactly as the JavaScript parser
// makes it: the same bits in every column, the same text columns, and the same errors on the same
// lines. Each case parses with the kernel installed and without it and compares; when the addon is
// not built the cases skip, but an addon that is built and fails to load is an error.
const status = nativeKernelStatus();
const native = loadNativeCsvKernels();
const skip = native === null && !status.loaded && !status.reason.startsWith("failed") ? status.reason : false;

/** The kernel, wrapped to count the records it took (so a case can check it was really used). */
function counting(): { kernel: CsvKernels; rows: () => number } {
  if (native === null) throw new Error("native CSV kernels not loaded");
  let rows = 0;
  const numericRows: CsvNumericKernel = (...args) => {
    const n = native.numericRows(...args);
    rows += n;
    return n;
  };
  return { kernel: { numericRows, countNewlines: native.countNewlines }, rows: () => rows };
}

/** A table as comparable data: numeric columns as their raw bytes (so -0 and NaN payloads count). */
function snapshot(table: Table): unknown {
  return {
    rowCount: table.rowCount,
    columnNames: table.columnNames,
    columns: table.columnNames.map((name) => {
      const column = table.columns.get(name)!;
      return column.kind === "numeric"
        ? {
            kind: column.kind,
            bits: Buffer.from(column.values.buffer).toString("hex"),
            missing: column.missing,
          }
        : {
            kind: column.kind,
            codes: [...column.codes],
            categories: column.categories,
            missing: column.missing,
          };
    }),
  };
}

/** What a parse gave: the table's snapshot, or the error's code, message and location. */
function outcome(parse: () => Table): unknown {
  try {
    return snapshot(parse());
  } catch (error) {
    const e = error as { code?: string; message: string; location?: unknown };
    return { code: e.code, message: e.message, location: e.location };
  }
}

function withKernel<T>(kernel: CsvKernels | null, run: () => T): T {
  useCsvKernels(kernel);
  try {
    return run();
  } finally {
    useCsvKernels(null);
  }
}

/** Parses in pushes split at `cut` (and at every `step` bytes after it), as a file read would. */
function parseSplit(bytes: Buffer, cut: number, options: ColumnOptions): Table {
  const run = (plan: ReturnType<typeof planFromOptions>) => {
    const parser = createParser("csv", "t.csv", plan);
    const feeder = new ChunkFeeder(parser, 1 + cut);
    feeder.add(bytes);
    feeder.end();
    return parser.finish();
  };
  const first = run(planFromOptions(options));
  const second = backfillPlan(first);
  return assembleTable("t.csv", "csv", first, second === undefined ? undefined : run(second));
}

/** Asserts the kernel changes nothing for `text`, whole and split at every byte; returns its records. */
function same(text: string | Buffer, options: ColumnOptions = {}, splits = true): number {
  const bytes = typeof text === "string" ? Buffer.from(text) : text;
  const parse = () => parseTable(bytes, { name: "t.csv", ...options });
  const expected = withKernel(null, () => outcome(parse));
  const { kernel, rows } = counting();
  assert.deepEqual(
    withKernel(kernel, () => outcome(parse)),
    expected,
  );
  const whole = rows();
  if (splits) {
    for (let cut = 1; cut < Math.min(bytes.length, 200); cut++) {
      const split = () => parseSplit(bytes, cut, options);
      assert.deepEqual(
        withKernel(kernel, () => outcome(split)),
        withKernel(null, () => outcome(split)),
        `cut ${cut}`,
      );
    }
  }
  return whole;
}

describe("native CSV kernel: the same tables as the JavaScript parser", { skip }, () => {
  it("plain numbers, signs, bare dots, zeros and exponents", () => {
    const rows = same(
      "a,b,c\n1,-2.5,+3\n.5,5.,-0\n0.000,-0.0,1e5\n1E-5,2.5e+3,-7.25E2\n1e22,1e-22,0e400\n123.456e-3,-1.5e-20,9e0\n",
    );
    assert.equal(rows, 6);
  });

  it("values off the fast path: long mantissas, 2^53 and beyond, big and tiny exponents", () => {
    same(
      [
        "a,b",
        "9007199254740991,9007199254740992",
        "9007199254740993,123456789012345678901234567890",
        "0.1234567890123456789012345,3.141592653589793238462643383279",
        "1e23,1e-23",
        "1.7976931348623157e308,4.9e-324",
        "2.2250738585072011e-308,0.000000000000000000000000001",
        "00000000000000000000000012.5,-00000000000000000000000000000",
        "1e400,5",
        "",
      ].join("\n"),
    );
  });

  it("digit runs of every length, eight at a time and byte by byte, up to the end of the input", () => {
    const rng = seededRandom(3);
    const digits = (n: number) => Array.from({ length: n }, () => Math.floor(rng.uniform() * 10)).join("");
    const lines = ["a,b"];
    for (let i = 0; i <= 24; i++) {
      for (let f = 0; f <= 24; f += i % 3 === 0 ? 1 : 5) {
        const cell = `${i % 2 === 0 ? "-" : ""}${digits(i)}${f > 0 || i === 0 ? `.${digits(Math.max(f, 1))}` : ""}`;
        lines.push(`${cell},${digits(i) || "0"}${i % 4 === 0 ? `e${i % 8 === 0 ? "-" : ""}${f}` : ""}`);
      }
    }
    lines.push("0000000000000000000001.5,00000000000000000000");
    const text = lines.join("\n");
    same(text, {}, false);
    // The last fields of the input, short of eight bytes: byte by byte.
    same(`a,b\n1,12345678\n123456789,1.2345678`);
    same(`a,b\n1,12345678\n123456789,1.2345678\n`);
  });

  it("missing cells: empty, the missing words, spaces around numbers", () => {
    same("a,b,c\n1,,3\n,2,\n,,\nNA,2,3\n4,nan,6\n 7,8 ,\t9\n10,NULL,None\n#N/A,N/A,NaN\n1,2,3\n");
  });

  it("quoted fields, doubled quotes and quotes inside unquoted fields", () => {
    same('a,b,c\n"1",2,3\n4,"5",6\n7,8,"9"\n"1""0",11,12\n1"3,14,15\n16,17,18\n');
    same('a,b\n1,"2,5"\n3,4\n', { text: new Set() });
  });

  it("CRLF, lone CR, blank lines and a missing final newline", () => {
    same("a,b\r\n1,2\r\n\r\n3,4\r\n\n5,6\r\n7,\r\n,8\r\n9,10");
    same("\n\na,b\n1,2\n\n\n3,4\n\r\n5,6\r");
    same("a,b\n1,2\r3\n4,5\n");
    same("a,b\n1,2\n3,4\r");
  });

  it("a UTF-8 BOM", () => {
    same(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("a,b\n1,2\n3,4\n")]));
  });

  it("ragged rows fail with the same error on the same line", () => {
    same("a,b,c\n1,2,3\n4,5\n6,7,8\n");
    same("a,b,c\n1,2,3\n4,5,6,7\n");
    same("a,b\n1,2\n3,4\n5,6,\n");
    same("a,b\r\n1,2\r\n3\r\n");
    same('a,b\n1,2\n"3\n4",5\n6\n');
  });

  it("numeric columns turning to text, and declared numeric columns failing", () => {
    same("a,b\n1,2\n3,x\n5,6\n7,8\n");
    same("a,b\n1,2\n3,x\n5,6\n", { numeric: new Set(["b"]) });
    same("a,b\n1,2\n3,1e400\n5,6\n", { numeric: new Set(["b"]) });
    same("a,b\n1,2\n3,4\n", { text: new Set(["a"]) });
  });

  it("unselected columns are skipped, quoted or not", () => {
    same('a,b,c\n1,x,3\n4,"y,z",6\n7,"",9\n10,w\r\n,12\n13,,14\n', { columns: ["c", "a"] });
    same("a,b,c\n1,x,3\r\n4,y,6\r\n", { columns: ["a"] });
  });

  it("random files mixing plain records with every awkward cell, across many blocks", () => {
    const rng = seededRandom(7);
    // Cells the kernel declines that still leave the column numeric (text cells end its use).
    const awkward = [
      "",
      "NA",
      " 1",
      "1 ",
      '"2"',
      "1e-30",
      "12345678901234567890",
      "0.12345678901234567890123",
    ];
    const lines = ["a,b,c,d"];
    for (let r = 0; r < 150_000; r++) {
      const cells: string[] = [];
      for (let c = 0; c < 4; c++) {
        const u = rng.uniform();
        if (c === 3 && r === 140_000)
          cells.push("x"); // column d turns to text late
        else if (u < 0.002) cells.push(awkward[Math.floor(rng.uniform() * awkward.length)]!);
        else cells.push(String(Math.round(rng.normal() * 1e6) / 10 ** Math.floor(rng.uniform() * 8)));
      }
      lines.push(cells.join(","));
      if (rng.uniform() < 0.0005) lines.push("");
    }
    const text = `${lines.join("\n")}\n`;
    const rows = same(text, {}, false);
    assert.ok(rows > 100_000, `the kernel took ${rows} records`);
    same(text, { numeric: new Set(["a"]) }, false);
    same(text.replaceAll("\n", "\r\n"), { columns: ["b", "a"] }, false);
  });

  it("every record awkward: JavaScript takes them, with the kernel tried ever less often", () => {
    const lines = ["a,b"];
    for (let r = 0; r < 20_000; r++) lines.push(`${r},NA`);
    same(`${lines.join("\n")}\n`, {}, false);
  });

  it("counts newlines exactly, eight bytes at a time and at any offset", () => {
    const rng = seededRandom(5);
    const bytes = Buffer.from(
      Array.from({ length: 3001 }, () => (rng.uniform() < 0.2 ? 10 : (32 + rng.uniform() * 200) | 0)),
    );
    for (const [start, end] of [
      [0, 3001],
      [1, 3000],
      [7, 7],
      [5, 12],
      [0, 8],
      [13, 2990],
    ] as const) {
      let expected = 0;
      for (let i = start; i < end; i++) if (bytes[i] === 10) expected++;
      assert.equal(native!.countNewlines(bytes, start, end), expected, `[${start}, ${end})`);
    }
  });

  it("columns sized by the newline count own exactly their buffers, blank lines or not", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ttt-native-csv-"));
    try {
      for (const text of [
        "a,b\n1,2\n3,4\n",
        "a,b\n1,2\n3,4",
        "a,b\n\n1,2\n\n3,x\n",
        'a,b\n1,"x\ny"\n3,4\n',
      ]) {
        const path = join(dir, "t.csv");
        writeFileSync(path, text);
        for (const table of [
          withKernel(native, () => parseTable(Buffer.from(text), { name: "t.csv" })),
          await (async () => {
            useCsvKernels(native);
            try {
              return await readTable(path);
            } finally {
              useCsvKernels(null);
            }
          })(),
        ]) {
          assert.deepEqual(
            snapshot(table),
            withKernel(null, () => snapshot(parseTable(Buffer.from(text), { name: "t.csv" }))),
          );
          for (const column of table.columns.values()) {
            const array = column.kind === "numeric" ? column.values : column.codes;
            assert.equal(array.length, table.rowCount);
            assert.equal(array.byteLength, array.buffer.byteLength, JSON.stringify(text));
          }
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("files read from disk, plain and gzip, give the same tables", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ttt-native-csv-"));
    try {
      const rng = seededRandom(11);
      const lines = ["x,y"];
      for (let r = 0; r < 300_000; r++) lines.push(`${rng.normal().toFixed(6)},${r % 7 === 0 ? "" : r}`);
      const text = `\ufeff${lines.join("\r\n")}\r\n`;
      writeFileSync(join(dir, "t.csv"), text);
      writeFileSync(join(dir, "t.csv.gz"), gzipSync(text));
      for (const file of ["t.csv", "t.csv.gz"]) {
        const path = join(dir, file);
        useCsvKernels(null);
        const expected = snapshot(await readTable(path));
        const { kernel, rows } = counting();
        useCsvKernels(kernel);
        try {
          assert.deepEqual(snapshot(await readTable(path)), expected, file);
        } finally {
          useCsvKernels(null);
        }
        assert.ok(rows() > 290_000, `${file}: the kernel took ${rows()} records`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
