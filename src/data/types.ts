/**
 * The public shapes of the data layer: a table of typed columns and the options that control reading.
 */

/**
 * The formats {@link Table} can come from: CSV with a header row, or NDJSON (one JSON object a line).
 *
 * @example
 * ```ts
 * const format: TableFormat = "ndjson";
 * ```
 */
export type TableFormat = "csv" | "ndjson";

/**
 * A column of numbers. `values.length` is the table's `rowCount`; a missing cell is `NaN` (a number
 * that parsed is never NaN), and `missing` counts them.
 *
 * @example
 * ```ts
 * const column: NumericColumn = { kind: "numeric", values: new Float64Array([1.5, Number.NaN]), missing: 1 };
 * ```
 */
export interface NumericColumn {
  readonly kind: "numeric";
  readonly values: Float64Array;
  readonly missing: number;
}

/**
 * A dictionary-encoded column of text. `codes[row]` indexes `categories` (distinct cell texts, exactly
 * as written, in first-seen order) or is `-1` for a missing cell; `missing` counts the `-1`s.
 *
 * @example
 * ```ts
 * const column: TextColumn = { kind: "text", codes: new Int32Array([0, 1, 0, -1]), categories: ["a", "b"], missing: 1 };
 * ```
 */
export interface TextColumn {
  readonly kind: "text";
  readonly codes: Int32Array;
  readonly categories: readonly string[];
  readonly missing: number;
}

/**
 * One column of a {@link Table}: numeric or text. Each typed array owns its whole `ArrayBuffer`, so it
 * can be transferred to a worker thread.
 *
 * @example
 * ```ts
 * const count = (column: ColumnData) => (column.kind === "numeric" ? column.values.length : column.codes.length);
 * ```
 */
export type ColumnData = NumericColumn | TextColumn;

/**
 * A file read into typed columns.
 *
 * @example
 * ```ts
 * const table: Table = await readTable("ref.csv");
 * const age = table.columns.get("age");
 * ```
 */
export interface Table {
  /** The file name (or the name given to {@link parseTable}), used in messages. */
  readonly source: string;
  readonly format: TableFormat;
  /** Number of data rows (the CSV header and blank lines are not rows). */
  readonly rowCount: number;
  /** The columns read: the order of the `columns` option when given, else the file's order. */
  readonly columnNames: readonly string[];
  /** Every name of `columnNames`, mapped to its data. */
  readonly columns: ReadonlyMap<string, ColumnData>;
}

/**
 * Which columns to read and how to type them; shared by {@link readTable} and {@link parseTable}.
 *
 * @example
 * ```ts
 * const options: ColumnOptions = { columns: ["age", "zip"], text: new Set(["zip"]) };
 * ```
 */
export interface ColumnOptions {
  /**
   * Read only these columns, in this order (duplicates are ignored). Each must exist in the input,
   * else INPUT_COLUMN_MISSING.
   */
  readonly columns?: readonly string[];
  /**
   * Read these as text even when every value looks numeric (`--categorical`). Each must exist in
   * the input, else INPUT_COLUMN_MISSING.
   */
  readonly text?: ReadonlySet<string>;
  /** Read these as text when the input has them; unlike `text`, an absent one is no error. */
  readonly textIfPresent?: ReadonlySet<string>;
  /**
   * These must be numeric: a value that is neither a number nor missing fails with
   * INPUT_NOT_NUMERIC instead of turning the column into text. Each must exist in the input.
   */
  readonly numeric?: ReadonlySet<string>;
}

/**
 * Options of {@link readTable}.
 *
 * @example
 * ```ts
 * const options: ReadTableOptions = { numeric: new Set(["temp"]), onProgress: (done, total) => bar(done / total) };
 * ```
 */
export interface ReadTableOptions extends ColumnOptions {
  /**
   * Called as the file is read — about every 64 MiB and once at the end — with the bytes of the file
   * on disk (compressed bytes for `.gz`) read so far and its size.
   */
  readonly onProgress?: (bytesDone: number, bytesTotal: number) => void;
}

/**
 * Options of {@link parseTable}.
 *
 * @example
 * ```ts
 * const options: ParseTableOptions = { name: "upload.csv.gz" }; // format and gzip from the name
 * ```
 */
export interface ParseTableOptions extends ColumnOptions {
  /** Name used in messages and, unless `format`/`gzip` are given, to choose them by extension. */
  readonly name: string;
  /** The format, when `name` has no telling extension. */
  readonly format?: TableFormat;
  /** Whether the bytes are gzip-compressed; default: `name` ends with `.gz`. */
  readonly gzip?: boolean;
}
