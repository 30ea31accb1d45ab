import { TikTokToeError } from "../errors/index.js";
import type { MeasuredColumn } from "./decide.js";
import { measureColumn } from "./measure.js";
import type { ColumnType, Dimension, DriftOptions } from "./options.js";
import {
  type CategoricalSample,
  categoricalFromCodes,
  categoricalFromNumbers,
  numericProfile,
  numericSample,
} from "./profile.js";

/**
 * A column as the data layer delivers it: numbers with NaN for missing, or dictionary-encoded text
 * with −1 for missing. `src/data`'s tables satisfy this shape; the drift core needs nothing more.
 */
export type InputColumn =
  | { readonly kind: "numeric"; readonly values: Float64Array; readonly missing: number }
  | {
      readonly kind: "text";
      readonly codes: Int32Array;
      readonly categories: readonly string[];
      readonly missing: number;
    };

/** A table as the drift core needs it. */
export interface InputTable {
  readonly source: string;
  readonly rowCount: number;
  readonly columnNames: readonly string[];
  readonly columns: ReadonlyMap<string, InputColumn>;
}

/** Which columns to compare and how (the CLI's `--columns`, `--categorical`, …). */
export interface DriftSelection {
  /** Feature columns to compare; default: every column except the prediction and the target. */
  readonly columns?: readonly string[];
  readonly categorical?: readonly string[];
  readonly numeric?: readonly string[];
  readonly prediction?: string;
  readonly target?: string;
}

/** One column to compare: the unit of work of a drift run, cheap to send to a worker. */
export interface ColumnTask {
  readonly column: string;
  readonly dimension: Dimension;
  readonly type: ColumnType;
  readonly reference: InputColumn;
  readonly current: InputColumn;
}

/**
 * Decides which columns to compare, their dimension and their type, and rejects what cannot be
 * compared — before any expensive work. Type rule: a column given in `categorical` or `numeric` has
 * that type; text on either side makes it categorical; numbers with at most
 * `options.categoricalMaxDistinct` (5) distinct values in the reference are categorical; other
 * numbers are numeric.
 *
 * @example
 * ```ts
 * const tasks = planDrift(reference, current, { target: "cnt" }, defaultDriftOptions);
 * ```
 */
export function planDrift(
  reference: InputTable,
  current: InputTable,
  selection: DriftSelection,
  options: DriftOptions,
): ColumnTask[] {
  const special = new Map<string, Dimension>();
  if (selection.prediction !== undefined) special.set(selection.prediction, "prediction");
  if (selection.target !== undefined) special.set(selection.target, "target");
  let names: string[];
  if (selection.columns !== undefined && selection.columns.length > 0) {
    names = [...new Set([...selection.columns, ...special.keys()])];
  } else {
    for (const [table, other] of [
      [reference, current],
      [current, reference],
    ] as const) {
      const onlyHere = table.columnNames.find((name) => !other.columns.has(name));
      if (onlyHere !== undefined)
        throw new TikTokToeError(
          "INPUT_COLUMN_MISSING",
          `column is in ${table.source} but not in ${other.source}`,
          {
            file: other.source,
            column: onlyHere,
            hint: "compare the shared columns with --columns a,b,c, or add the column to both files",
          },
        );
    }
    names = [...reference.columnNames];
  }
  const categorical = new Set(selection.categorical ?? []);
  const numeric = new Set(selection.numeric ?? []);
  return names.map((column) => {
    const ref = lookup(reference, column);
    const cur = lookup(current, column);
    for (const [table, data] of [
      [reference, ref],
      [current, cur],
    ] as const) {
      const present = data.kind === "numeric" ? data.values.length : data.codes.length;
      if (present - data.missing === 0)
        throw new TikTokToeError(
          "INPUT_NO_VALUES",
          `no values left after removing ${data.missing} missing ones`,
          {
            file: table.source,
            column,
            hint: "drop the column with --columns, or fill in its values",
          },
        );
    }
    let type: ColumnType;
    if (categorical.has(column)) type = "categorical";
    else if (numeric.has(column)) type = "numeric";
    else if (ref.kind === "text" || cur.kind === "text") type = "categorical";
    else type = hasAtMostDistinct(ref.values, options.categoricalMaxDistinct) ? "categorical" : "numeric";
    if (type === "numeric" && (ref.kind === "text" || cur.kind === "text")) {
      const table = ref.kind === "text" ? reference : current;
      throw new TikTokToeError("INPUT_NOT_NUMERIC", "column was declared numeric but holds text", {
        file: table.source,
        column,
        hint: "remove it from --numeric, or fix the values",
      });
    }
    return { column, dimension: special.get(column) ?? "feature", type, reference: ref, current: cur };
  });
}

function lookup(table: InputTable, column: string): InputColumn {
  const data = table.columns.get(column);
  if (data === undefined)
    throw new TikTokToeError("INPUT_COLUMN_MISSING", "no such column", {
      file: table.source,
      column,
      hint: `the file has: ${table.columnNames.slice(0, 20).join(", ")}${table.columnNames.length > 20 ? ", …" : ""}`,
    });
  return data;
}

function hasAtMostDistinct(values: Float64Array, limit: number): boolean {
  const seen = new Set<number>();
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) continue;
    seen.add(v);
    if (seen.size > limit) return false;
  }
  return true;
}

/**
 * Two reusable buffers for the sorted reference and current values of one column at a time. A worker
 * measuring many large columns keeps one, so it does not ask the allocator for fresh megabytes (and
 * fault them in) for every column. The sorted values never outlive {@link measureTask}.
 *
 * @example
 * ```ts
 * const arena = new SortArena();
 * for (const task of tasks) measureTask(task, options, arena);
 * ```
 */
export class SortArena {
  private readonly buffers = new Map<"reference" | "current", Float64Array>();

  /** A buffer at least as long as `column`. */
  buffer(side: "reference" | "current", column: InputColumn): Float64Array {
    const length = column.kind === "numeric" ? column.values.length : column.codes.length;
    let buffer = this.buffers.get(side);
    if (buffer === undefined || buffer.length < length) {
      buffer = new Float64Array(length);
      this.buffers.set(side, buffer);
    }
    return buffer;
  }
}

/**
 * Runs one planned column: sorts, profiles and measures it. Pure; this is what a worker thread runs.
 *
 * @example
 * ```ts
 * const measured = planDrift(ref, cur, {}, defaultDriftOptions).map((t) => measureTask(t, defaultDriftOptions));
 * ```
 */
export function measureTask(task: ColumnTask, options: DriftOptions, arena?: SortArena): MeasuredColumn {
  const measurement =
    task.type === "numeric"
      ? measureColumn(
          numericProfile(
            numericSample(
              numbers(task.reference),
              task.reference.missing,
              arena?.buffer("reference", task.reference),
            ),
          ),
          numericSample(numbers(task.current), task.current.missing, arena?.buffer("current", task.current)),
          options,
        )
      : measureColumn(categories(task.reference), categories(task.current), options);
  return { column: task.column, dimension: task.dimension, measurement };
}

function numbers(column: InputColumn): Float64Array {
  if (column.kind !== "numeric") throw new TypeError("measureTask: numeric task with a text column");
  return column.values;
}

function categories(column: InputColumn): CategoricalSample {
  return column.kind === "text"
    ? categoricalFromCodes(column.codes, column.categories)
    : categoricalFromNumbers(column.values);
}
