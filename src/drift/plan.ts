import { columnMissingError, TikTokToeError } from "../errors/index.js";
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
  /** Columns never compared (nor counted in the correction), e.g. keys and timestamps. */
  readonly exclude?: readonly string[];
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
 * A column left out of a drift run: named in `exclude`, or detected as an identifier (a key has no
 * distribution to drift; testing it only adds a test that always fires and widens the correction).
 */
export interface ExcludedColumn {
  readonly column: string;
  readonly reason: "excluded" | "identifier";
  /** One sentence for the report: why it was left out and how to keep it. */
  readonly note: string;
}

/** What a drift run compares, and what it leaves out with a reason. */
export interface DriftPlan {
  readonly tasks: ColumnTask[];
  readonly excluded: ExcludedColumn[];
}

/**
 * Fewest values per side for identifier detection: below it "all distinct" happens by chance (three
 * rows of text are usually all different) and the column is tested as usual.
 */
export const IDENTIFIER_MIN_VALUES = 20;

/**
 * Decides which columns to compare, their dimension and their type, and rejects what cannot be
 * compared — before any expensive work. Returns only the tasks; {@link planDriftRun} also says which
 * columns were left out and why.
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
  return planDriftRun(reference, current, selection, options).tasks;
}

/**
 * Plans a drift run: the columns to compare (their dimension and type) and those left out. Checks
 * first, before any expensive work, that every column the selection names exists — the prediction
 * and the target in both tables, excluded columns in at least one — failing with
 * INPUT_COLUMN_MISSING (with a "did you mean" for a near miss such as `CNT` for `cnt`).
 *
 * Type rule: a column given in `categorical` or `numeric` has that type; text on either side makes
 * it categorical; numbers with at most `options.categoricalMaxDistinct` (5) distinct values in the
 * reference are categorical; other numbers are numeric.
 *
 * Identifiers: a feature not named in `columns`, `categorical` or `numeric` is left out when it
 * cannot be a feature — text whose reference values (at least {@link IDENTIFIER_MIN_VALUES}) are
 * all distinct, or integers with no missing value that strictly increase down both tables (a row
 * number). The numeric rule is deliberately narrow: a real measurement is never sorted in row order
 * in both files, and naming the column keeps it tested.
 *
 * @example
 * ```ts
 * const { tasks, excluded } = planDriftRun(reference, current, { exclude: ["id"] }, defaultDriftOptions);
 * ```
 */
export function planDriftRun(
  reference: InputTable,
  current: InputTable,
  selection: DriftSelection,
  options: DriftOptions,
): DriftPlan {
  const special = new Map<string, Dimension>();
  if (selection.prediction !== undefined) special.set(selection.prediction, "prediction");
  if (selection.target !== undefined) special.set(selection.target, "target");
  for (const [name, dimension] of special)
    for (const table of [reference, current])
      if (!table.columns.has(name))
        throw columnMissingError(table.source, name, dimension, table.columnNames);
  const exclude = new Set(selection.exclude ?? []);
  for (const name of exclude) {
    if (!reference.columns.has(name) && !current.columns.has(name))
      throw columnMissingError(reference.source, name, "exclude", reference.columnNames);
    const dimension = special.get(name);
    if (dimension !== undefined)
      throw new TikTokToeError("USAGE", `column "${name}" is both the ${dimension} and excluded`, {
        column: name,
        path: "exclude",
        hint: `leave it out of the excluded columns, or do not name it as the ${dimension}`,
      });
  }
  const named = selection.columns !== undefined && selection.columns.length > 0;
  let names: string[];
  if (named) {
    names = [...new Set([...selection.columns!, ...special.keys()])];
  } else {
    for (const [table, other] of [
      [reference, current],
      [current, reference],
    ] as const) {
      const onlyHere = table.columnNames.find((name) => !other.columns.has(name) && !exclude.has(name));
      if (onlyHere !== undefined)
        throw new TikTokToeError(
          "INPUT_COLUMN_MISSING",
          `column is in ${table.source} but not in ${other.source}`,
          {
            file: other.source,
            column: onlyHere,
            hint: "compare the shared columns with --columns a,b,c, leave it out with --exclude, or add the column to both files",
          },
        );
    }
    names = [...reference.columnNames];
  }
  const categorical = new Set(selection.categorical ?? []);
  const numeric = new Set(selection.numeric ?? []);
  const explicit = new Set([...(named ? selection.columns! : []), ...categorical, ...numeric]);
  const tasks: ColumnTask[] = [];
  const excluded: ExcludedColumn[] = [];
  for (const column of names) {
    if (exclude.has(column)) {
      excluded.push({ column, reason: "excluded", note: "left out on request (--exclude)" });
      continue;
    }
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
    const dimension = special.get(column) ?? "feature";
    const note = dimension === "feature" && !explicit.has(column) ? identifierNote(ref, cur) : undefined;
    if (note !== undefined) {
      excluded.push({ column, reason: "identifier", note });
      continue;
    }
    tasks.push({ column, dimension, type, reference: ref, current: cur });
  }
  return { tasks, excluded };
}

function lookup(table: InputTable, column: string): InputColumn {
  const data = table.columns.get(column);
  if (data === undefined) throw columnMissingError(table.source, column, "columns", table.columnNames);
  return data;
}

/** Why a column is an identifier rather than a feature, or undefined when it may be a feature. */
function identifierNote(reference: InputColumn, current: InputColumn): string | undefined {
  if (reference.kind === "text") {
    const present = reference.codes.length - reference.missing;
    if (present < IDENTIFIER_MIN_VALUES || !allCodesDistinct(reference)) return undefined;
    return `an identifier: all ${present} values in the reference are distinct, so it has no distribution to compare; name it in --columns or --categorical to test it anyway`;
  }
  if (current.kind === "text") return undefined;
  if (!isRowNumber(reference.values) || !isRowNumber(current.values)) return undefined;
  return "an identifier: integers that strictly increase down both tables (a row number or key), so it has no distribution to compare; name it in --columns or --numeric to test it anyway";
}

function allCodesDistinct(column: Extract<InputColumn, { kind: "text" }>): boolean {
  const seen = new Uint8Array(column.categories.length);
  const codes = column.codes;
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i]!;
    if (code < 0) continue;
    if (seen[code] === 1) return false;
    seen[code] = 1;
  }
  return true;
}

/** Integers, none missing, strictly increasing: what a row number or an auto-increment key looks like. */
function isRowNumber(values: Float64Array): boolean {
  if (values.length < IDENTIFIER_MIN_VALUES) return false;
  let previous = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    // NaN fails `v > previous`, so a missing value ends the check too.
    if (!(v > previous) || !Number.isInteger(v)) return false;
    previous = v;
  }
  return true;
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
