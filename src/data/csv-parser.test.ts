import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type ErrorCode, isTikTokToeError } from "../errors/index.js";
import { parseTable } from "./parse-table.js";
import type { ColumnOptions, Table } from "./types.js";

/** Each column as plain values: numbers (NaN for missing) or strings (null for missing). */
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

function csv(text: string, options: ColumnOptions = {}): Table {
  return parseTable(Buffer.from(text), { name: "t.csv", ...options });
}

function fails(text: string | Buffer, code: ErrorCode, line?: number, options: ColumnOptions = {}): Error {
  let caught: unknown;
  try {
    parseTable(typeof text === "string" ? Buffer.from(text) : text, { name: "t.csv", ...options });
  } catch (error) {
    caught = error;
  }
  assert.ok(isTikTokToeError(caught, code), `expected ${code}, got ${String(caught)}`);
  assert.equal(caught.location.file, "t.csv");
  if (line !== undefined) assert.equal(caught.location.line, line, caught.message);
  assert.ok(caught.hint !== undefined && caught.hint.length > 0);
  return caught;
}

describe("CSV parsing", () => {
  it("reads numeric and text columns", () => {
    const table = csv("a,b,c\n1,x,0.5\n2,y,-12.25\n3,x,351\n");
    assert.equal(table.format, "csv");
    assert.equal(table.source, "t.csv");
    assert.equal(table.rowCount, 3);
    assert.deepEqual(table.columnNames, ["a", "b", "c"]);
    assert.deepEqual(plain(table), { a: [1, 2, 3], b: ["x", "y", "x"], c: [0.5, -12.25, 351] });
    const b = table.columns.get("b");
    assert.ok(b?.kind === "text");
    assert.deepEqual(b.categories, ["x", "y"]);
    assert.deepEqual([...b.codes], [0, 1, 0]);
  });

  it("gives every column an exactly-sized buffer of its own", () => {
    const rows = Array.from({ length: 5000 }, (_, r) => `${r},${r % 7 === 0 ? "" : `t${r % 3}`}`);
    const table = csv(`n,t\n${rows.join("\n")}`);
    for (const column of table.columns.values()) {
      const array = column.kind === "numeric" ? column.values : column.codes;
      assert.equal(array.length, 5000);
      assert.equal(array.byteLength, array.buffer.byteLength);
    }
    assert.deepEqual(
      plain(table).n,
      Array.from({ length: 5000 }, (_, r) => r),
    );
  });

  it("handles quoted fields: commas, doubled quotes, newlines, CRLF inside", () => {
    const table = csv('id,text\n1,"a, b"\n2,"say ""hi"""\n3,"two\nlines"\n4,"crlf\r\ninside"\n5,""\n6,"7"\n');
    assert.deepEqual(plain(table), {
      id: [1, 2, 3, 4, 5, 6],
      text: ["a, b", 'say "hi"', "two\nlines", "crlf\r\ninside", null, "7"],
    });
  });

  it("reads quoted numbers as numbers and allows spaces after a closing quote", () => {
    assert.deepEqual(plain(csv('"a","b"\n"1.5" ,"2"\n"-3","4e2"\n')), { a: [1.5, -3], b: [2, 400] });
  });

  it("keeps a quote inside an unquoted field literally", () => {
    assert.deepEqual(plain(csv('h\n5\'10"\nab"c\n')), { h: ["5'10\"", 'ab"c'] });
  });

  it("accepts CRLF, a BOM, no trailing newline and blank lines", () => {
    const expected = { a: [1, 3], b: ["x", "y"] };
    assert.deepEqual(plain(csv("a,b\r\n1,x\r\n3,y\r\n")), expected);
    assert.deepEqual(plain(csv("\ufeffa,b\n1,x\n3,y")), expected);
    assert.deepEqual(plain(csv("a,b\r\n1,x\r\n3,y")), expected);
    assert.deepEqual(plain(csv("\n\na,b\n\n1,x\r\n\r\n3,y\n\n\n")), expected);
    assert.deepEqual(csv("\ufeffa,b\n1,x\n").columnNames, ["a", "b"]);
  });

  it("keeps a lone CR as cell content", () => {
    assert.deepEqual(plain(csv("a,b\nx\ry,1\n")), { a: ["x\ry"], b: [1] });
  });

  it("reads empty cells and the missing tokens as missing", () => {
    const table = csv("n,t\n1,a\n,\nNA,N/A\nNaN,nan\nnull,NULL\nNone,#N/A\n  , \n2,b\n");
    const n = table.columns.get("n")!;
    const t = table.columns.get("t")!;
    assert.equal(n.kind, "numeric");
    assert.equal(n.missing, 6);
    assert.equal(t.kind, "text");
    assert.equal(t.missing, 6);
    assert.deepEqual(plain(table), {
      n: [1, Number.NaN, Number.NaN, Number.NaN, Number.NaN, Number.NaN, Number.NaN, 2],
      t: ["a", null, null, null, null, null, null, "b"],
    });
    const allMissing = csv("a,b\n,1\nNA,2\n").columns.get("a")!;
    assert.equal(allMissing.kind, "numeric");
    assert.equal(allMissing.missing, 2);
  });

  it("keeps text exactly as written, spaces included", () => {
    assert.deepEqual(plain(csv("t\n a \nb  \n", { text: new Set(["t"]) })), { t: [" a ", "b  "] });
  });

  it("reads numbers exactly as Number() does, with spaces around", () => {
    const values = [
      "0.1",
      " 7 ",
      "-0",
      ".5",
      "5.",
      "1e-5",
      "2.5E+3",
      "9007199254740993",
      "1e-320",
      "0.30000000000000004",
    ];
    const table = csv(`v\n${values.join("\n")}\n`);
    assert.deepEqual(
      plain(table).v,
      values.map((v) => Number(v)),
    );
    const column = table.columns.get("v")!;
    assert.ok(column.kind === "numeric" && Object.is(column.values[2], -0));
  });

  it("counts physical lines for errors after multi-line quoted fields", () => {
    const error = fails('a,b\n1,"x\ny\nz"\n2,abc\n3\n', "INPUT_RAGGED_ROW", 6);
    assert.match(error.message, /1 field but the header has 2/);
  });
});

describe("CSV type inference", () => {
  it("turns a column into text at its first non-number, keeping the exact text of earlier cells", () => {
    const table = csv("zip,v,w\n02134,1.0,1\n2134,1.50,2\n,1e2,\n98101,abc,3\n02134,2,4\n");
    assert.deepEqual(plain(table), {
      zip: [2134, 2134, Number.NaN, 98101, 2134], // all numbers: stays numeric
      v: ["1.0", "1.50", "1e2", "abc", "2"],
      w: [1, 2, Number.NaN, 3, 4],
    });
    const v = table.columns.get("v")!;
    assert.ok(v.kind === "text");
    assert.deepEqual(v.categories, ["1.0", "1.50", "1e2", "abc", "2"]);
    assert.equal(v.missing, 0);
  });

  it("numbers categories in first-seen order after a switch, merging repeats", () => {
    const table = csv("c\n1\n2\n1\nNA\nx\n2\n1.0\n1\n");
    const c = table.columns.get("c")!;
    assert.ok(c.kind === "text");
    assert.deepEqual(c.categories, ["1", "2", "x", "1.0"]);
    assert.deepEqual([...c.codes], [0, 1, 0, -1, 2, 1, 3, 0]);
    assert.equal(c.missing, 1);
  });

  it("needs no second pass when only missing cells precede the switch", () => {
    assert.deepEqual(plain(csv("c,d\n,1\nNA,2\nx,3\n")), { c: [null, null, "x"], d: [1, 2, 3] });
  });

  it("treats inf, true and hex as text", () => {
    for (const word of ["inf", "Infinity", "true", "0x1F", "1e400"]) {
      const column = csv(`c\n1\n${word}\n`).columns.get("c")!;
      assert.ok(column.kind === "text", word);
      assert.deepEqual(column.categories, ["1", word]);
    }
  });

  it("switches several columns at different rows, each exact", () => {
    const lines = ["a,b,c"];
    for (let r = 0; r < 3000; r++) lines.push(`${r}.0,${r === 2500 ? "z" : r},${r === 10 ? "q" : `0${r}`}`);
    const result = plain(csv(`${lines.join("\n")}\n`));
    assert.deepEqual(
      result.a,
      Array.from({ length: 3000 }, (_, r) => r),
    );
    assert.deepEqual(
      result.b,
      Array.from({ length: 3000 }, (_, r) => (r === 2500 ? "z" : String(r))),
    );
    assert.deepEqual(
      result.c,
      Array.from({ length: 3000 }, (_, r) => (r === 10 ? "q" : `0${r}`)),
    );
  });
});

describe("CSV options", () => {
  it("columns: reads only those, in the given order", () => {
    const table = csv('a,b,c\n1,"x,y",3\n4,z,6\n', { columns: ["c", "a", "c"] });
    assert.deepEqual(table.columnNames, ["c", "a"]);
    assert.deepEqual(plain(table), { c: [3, 6], a: [1, 4] });
  });

  it("columns: a name the file lacks is INPUT_COLUMN_MISSING naming file and column", () => {
    const error = fails("a,b\n1,2\n", "INPUT_COLUMN_MISSING", undefined, { columns: ["a", "B"] });
    assert.ok(isTikTokToeError(error) && error.location.column === "B");
    assert.match(error.message, /"B".*t\.csv/);
    fails("a,b\n1,2\n", "INPUT_COLUMN_MISSING", undefined, { text: new Set(["nope"]) });
    fails("a,b\n1,2\n", "INPUT_COLUMN_MISSING", undefined, { numeric: new Set(["nope"]) });
  });

  it("textIfPresent: read as text when there, no error when absent", () => {
    const table = csv("zip,n\n02134,1\n", { textIfPresent: new Set(["zip", "absent"]) });
    assert.deepEqual(plain(table), { zip: ["02134"], n: [1] });
    assert.deepEqual(table.columnNames, ["zip", "n"]);
  });

  it("text: numeric-looking values stay text, exactly", () => {
    const table = csv("zip,n\n02134,1\n2134.0,2\n,3\n", { text: new Set(["zip"]) });
    assert.deepEqual(plain(table), { zip: ["02134", "2134.0", null], n: [1, 2, 3] });
  });

  it("numeric: a non-number is INPUT_NOT_NUMERIC with line, column, value and hint", () => {
    const error = fails('t,n\na,1\n"b\nb",2\nc,oops\n', "INPUT_NOT_NUMERIC", 5, { numeric: new Set(["n"]) });
    assert.ok(isTikTokToeError(error));
    assert.equal(error.location.column, "n");
    assert.match(error.message, /"oops"/);
  });

  it("numeric: truncates a long offending value", () => {
    const long = "x".repeat(500);
    const error = fails(`n\n1\n${long}\n`, "INPUT_NOT_NUMERIC", 3, { numeric: new Set(["n"]) });
    assert.ok(error.message.length < 200);
  });

  it("numeric: missing cells are fine", () => {
    const table = csv("n\n1\nNA\n\n3\n", { numeric: new Set(["n"]) });
    assert.deepEqual(plain(table), { n: [1, Number.NaN, 3] });
  });

  it("a column both text and numeric is a USAGE error", () => {
    assert.throws(
      () => csv("a\n1\n", { text: new Set(["a"]), numeric: new Set(["a"]) }),
      (error) => isTikTokToeError(error, "USAGE"),
    );
  });
});

describe("CSV errors", () => {
  it("INPUT_EMPTY for an empty file, blank lines only, or a header without rows", () => {
    fails("", "INPUT_EMPTY");
    fails("\ufeff", "INPUT_EMPTY");
    fails("\n\r\n\n", "INPUT_EMPTY");
    fails("a,b\n", "INPUT_EMPTY");
    fails("a,b", "INPUT_EMPTY");
    fails("a,b\n\n\n", "INPUT_EMPTY");
  });

  it("INPUT_RAGGED_ROW with the line and both counts", () => {
    let error = fails("a,b,c\n1,2,3\n4,5\n", "INPUT_RAGGED_ROW", 3);
    assert.match(error.message, /2 fields but the header has 3/);
    error = fails("a,b\n1,2\n\n3,4,5\n", "INPUT_RAGGED_ROW", 4);
    assert.match(error.message, /3 fields but the header has 2/);
    fails("a,b\r\n1,2\r\n3,4,\r\n", "INPUT_RAGGED_ROW", 3);
  });

  it("INPUT_FORMAT for an unclosed quote, with the line where the field started", () => {
    const error = fails('a,b\n1,2\n3,"never\nclosed\n', "INPUT_FORMAT", 3);
    assert.match(error.message, /line 3 is never closed/);
    fails('a,"b\n', "INPUT_FORMAT", 1);
  });

  it("INPUT_FORMAT for text after a closing quote", () => {
    fails('a,b\n1,"x"y\n', "INPUT_FORMAT", 2);
  });

  it("INPUT_FORMAT for duplicate or empty header names", () => {
    let error = fails("a,b,a\n1,2,3\n", "INPUT_FORMAT", 1);
    assert.match(error.message, /duplicate column name "a".*fields 1 and 3/);
    error = fails("a,,c\n1,2,3\n", "INPUT_FORMAT", 1);
    assert.match(error.message, /header field 2/);
    fails("a,b,\n1,2,3\n", "INPUT_FORMAT", 1);
    fails('a," "\n1,2\n', "INPUT_FORMAT", 1);
  });

  it("INPUT_FORMAT for a name without a known extension", () => {
    assert.throws(
      () => parseTable(Buffer.from("a\n1\n"), { name: "t.txt" }),
      (error) => isTikTokToeError(error, "INPUT_FORMAT") && /\.csv/.test(error.hint ?? ""),
    );
    assert.equal(parseTable(Buffer.from("a\n1\n"), { name: "upload", format: "csv" }).rowCount, 1);
  });
});

/** A slow, obviously-correct RFC 4180 reader: records of fields, blank lines skipped. */
function referenceRecords(text: string): string[][] {
  const records: string[][] = [];
  let fields: string[] = [];
  let field = "";
  let i = 0;
  let lineEmpty = true;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"' && field === "") {
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        field += text.slice(i, q);
        if (text[q + 1] === '"') {
          field += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      lineEmpty = false;
      continue;
    }
    if (c === ",") {
      fields.push(field);
      field = "";
      lineEmpty = false;
      i++;
      continue;
    }
    if (c === "\n" || (c === "\r" && text[i + 1] === "\n")) {
      if (!lineEmpty) records.push([...fields, field]);
      fields = [];
      field = "";
      lineEmpty = true;
      i += c === "\r" ? 2 : 1;
      continue;
    }
    field += c;
    lineEmpty = false;
    i++;
  }
  if (!lineEmpty) records.push([...fields, field]);
  return records;
}

describe("CSV against a reference reader", () => {
  it("agrees on random quoted text", () => {
    let seed = 42;
    const random = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 4294967296;
    };
    const pieces = ["a", "b c", ",", '"', "\n", "\r\n", "é", "1", "-2.5", " ", "NA", ""];
    const missing = new Set(["", "NA", "N/A", "NaN", "nan", "null", "NULL", "None", "#N/A"]);
    for (let k = 0; k < 300; k++) {
      const columns = 1 + Math.floor(random() * 4);
      const header = Array.from({ length: columns }, (_, c) => `h${c}`);
      const rows: string[][] = [];
      for (let r = 0; r < 1 + Math.floor(random() * 10); r++) {
        rows.push(
          header.map(() => {
            let value = "";
            for (let p = Math.floor(random() * 4); p > 0; p--)
              value += pieces[Math.floor(random() * pieces.length)]!;
            return value;
          }),
        );
      }
      const quote = (value: string): string =>
        /[",\r\n]/.test(value) || value === "" || random() < 0.2 ? `"${value.replaceAll('"', '""')}"` : value;
      const newline = random() < 0.5 ? "\n" : "\r\n";
      const text = [header, ...rows].map((row) => row.map(quote).join(",")).join(newline);
      const records = referenceRecords(text);
      const table = parseTable(Buffer.from(text), { name: "r.csv", text: new Set(header) });
      const expected: Record<string, (string | null)[]> = {};
      header.forEach((name, c) => {
        expected[name] = records
          .slice(1)
          .map((record) => (missing.has(record[c]!.replace(/^[ \t]+|[ \t]+$/g, "")) ? null : record[c]!));
      });
      assert.deepEqual(plain(table), expected, JSON.stringify(text));
    }
  });
});
