/**
 * Parsing a table held in memory (an upload, a test fixture): the same parsers as for files, fed in
 * one piece.
 */
import { gunzipSync } from "node:zlib";
import { installedCsvKernels } from "./csv-kernel.js";
import { badGzipError } from "./input-errors.js";
import { assembleTable, backfillPlan, createParser, planFromOptions } from "./table-assembly.js";
import type { TableBuilder } from "./table-builder.js";
import { detectFormat } from "./table-format.js";
import type { TableParser } from "./table-parser.js";
import type { ParseTableOptions, Table } from "./types.js";

/**
 * Parses CSV or NDJSON bytes (optionally gzip-compressed) into typed columns, exactly as
 * {@link readTable} reads a file: same inference, missing values, options and errors, with
 * `options.name` standing for the file name in messages.
 *
 * @example
 * ```ts
 * const table = parseTable(Buffer.from("a,b\n1,x\n2,y\n"), { name: "upload.csv" });
 * table.columns.get("a"); // { kind: "numeric", values: Float64Array [1, 2], missing: 0 }
 * ```
 */
export function parseTable(bytes: Uint8Array, options: ParseTableOptions): Table {
  const name = options.name;
  const plan = planFromOptions(options);
  const format = options.format ?? detectFormat(name).format;
  const gzip = options.gzip ?? name.toLowerCase().endsWith(".gz");
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const data = gzip ? gunzipBytes(name, view) : view;
  const first = parseAll(createParser(format, name, plan), data);
  const secondPlan = backfillPlan(first);
  const second =
    secondPlan === undefined ? undefined : parseAll(createParser(format, name, secondPlan), data);
  return assembleTable(name, format, first, second);
}

function parseAll(parser: TableParser, data: Buffer): TableBuilder {
  const kernels = installedCsvKernels();
  if (kernels !== null && parser.expectLines !== undefined) {
    const newlines = kernels.countNewlines(data, 0, data.length);
    parser.expectLines(newlines + (data.length > 0 && data[data.length - 1] !== 0x0a ? 1 : 0));
  }
  parser.push(data, 0, data.length, true);
  return parser.finish();
}

function gunzipBytes(name: string, bytes: Buffer): Buffer {
  // An empty input is reported as empty rather than as broken gzip.
  if (bytes.length === 0) return bytes;
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) {
    throw badGzipError(name, "it does not start with the gzip signature 1f 8b");
  }
  try {
    return gunzipSync(bytes);
  } catch (error) {
    throw badGzipError(name, error instanceof Error ? error.message : String(error), error);
  }
}
