/**
 * The steps shared by reading files and parsing memory: resolving options into a plan, choosing the
 * parser, planning the second pass for columns that switched to text, and assembling the table.
 */
import { TikTokToeError } from "../errors/index.js";
import { mergeBackfill } from "./column-builder.js";
import { CsvParser } from "./csv-parser.js";
import { NdjsonParser } from "./ndjson-parser.js";
import type { ColumnPlan, TableBuilder } from "./table-builder.js";
import type { TableParser } from "./table-parser.js";
import type { ColumnData, ColumnOptions, Table, TableFormat } from "./types.js";

/**
 * The first pass's plan from the caller's options; fails with USAGE when a column is declared both
 * text and numeric.
 *
 * @example
 * ```ts
 * const plan = planFromOptions({ columns: ["a", "b"], text: new Set(["b"]) });
 * ```
 */
export function planFromOptions(options: ColumnOptions): ColumnPlan {
  const optional = options.textIfPresent ?? new Set<string>();
  const text = new Set([...(options.text ?? []), ...optional]);
  const numeric = options.numeric ?? new Set<string>();
  for (const name of text) {
    if (numeric.has(name)) {
      throw new TikTokToeError("USAGE", `column "${name}" is declared both text (categorical) and numeric`, {
        column: name,
        hint: "declare each column at most once, as text or as numeric",
      });
    }
  }
  return {
    select: options.columns === undefined ? undefined : new Set(options.columns),
    text,
    numeric,
    rowLimit: Number.POSITIVE_INFINITY,
    checkNames: true,
    optional,
  };
}

/**
 * A fresh parser for `format`.
 *
 * @example
 * ```ts
 * const parser = createParser("csv", "a.csv", plan);
 * ```
 */
export function createParser(format: TableFormat, source: string, plan: ColumnPlan): TableParser {
  return format === "csv" ? new CsvParser(source, plan) : new NdjsonParser(source, plan);
}

/**
 * The plan of the second pass: the columns that switched from numeric to text after holding numbers,
 * read as text up to the latest switch; undefined when no column needs it (the usual case).
 *
 * @example
 * ```ts
 * const second = backfillPlan(first);
 * if (second !== undefined) parseAgain(createParser(format, source, second));
 * ```
 */
export function backfillPlan(first: TableBuilder): ColumnPlan | undefined {
  const names = new Set<string>();
  let rowLimit = 0;
  for (const builder of first.builders.values()) {
    if (!builder.needsBackfill) continue;
    names.add(builder.name);
    rowLimit = Math.max(rowLimit, builder.switchRow);
  }
  if (names.size === 0) return undefined;
  return { select: names, text: names, numeric: new Set(), rowLimit, checkNames: false };
}

/**
 * The finished table: columns trimmed to the row count, switched columns joined with their second
 * pass.
 *
 * @example
 * ```ts
 * const table = assembleTable("a.csv", "csv", first, second);
 * ```
 */
export function assembleTable(
  source: string,
  format: TableFormat,
  first: TableBuilder,
  second: TableBuilder | undefined,
): Table {
  const rowCount = first.rows;
  const select = first.plan.select;
  const columnNames = select === undefined ? first.names.slice() : [...select];
  const columns = new Map<string, ColumnData>();
  for (const name of columnNames) {
    const builder = first.builders.get(name)!;
    const early = builder.needsBackfill ? second?.builders.get(name) : undefined;
    if (builder.needsBackfill && (early === undefined || second!.rows < builder.switchRow)) {
      throw new TikTokToeError("INPUT_FORMAT", `${source} changed while it was being read`, {
        file: source,
        column: name,
        hint: "read a file that is not being written to",
      });
    }
    columns.set(
      name,
      early === undefined ? builder.finish(rowCount) : mergeBackfill(builder, early, second!.rows, rowCount),
    );
  }
  return { source, format, rowCount, columnNames, columns };
}
