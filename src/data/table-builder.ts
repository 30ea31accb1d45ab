/**
 * The columns of one pass over an input, and the plan that says which to keep and how to type them.
 */

import { columnMissingError } from "../errors/index.js";
import { ColumnBuilder, KIND_NUMERIC, KIND_TEXT } from "./column-builder.js";

/**
 * What one pass reads: the resolved form of the caller's options (or, for the second pass that
 * recovers switched columns, just those columns as text and only the rows before their switch).
 *
 * @example
 * ```ts
 * const plan: ColumnPlan = { select: undefined, text: new Set(), numeric: new Set(), rowLimit: Infinity, checkNames: true };
 * ```
 */
export interface ColumnPlan {
  /** Columns to read, in output order; undefined: all. */
  readonly select: ReadonlySet<string> | undefined;
  /** Columns read as text from the start. */
  readonly text: ReadonlySet<string>;
  /** Columns that must be numeric. */
  readonly numeric: ReadonlySet<string>;
  /** Stop after this many rows (the second pass needs only the rows before the latest switch). */
  readonly rowLimit: number;
  /** Whether every name in `select`, `text` and `numeric` must exist in the input. */
  readonly checkNames: boolean;
  /** Text columns that may be absent (`textIfPresent`): exempt from the name check. */
  readonly optional?: ReadonlySet<string>;
}

/** First block: small, so a small file with many columns stays small. */
const FIRST_BLOCK = 1024;
/** Blocks double up to this many rows (512 KiB of numbers), then stay that size. */
const MAX_BLOCK = 65536;

/**
 * The growing set of columns of one pass: every column name seen (in input order), a builder for
 * each selected one, and the row count. Rows are stored in blocks shared by all columns: rows
 * `[base, limit)` are the current block; a row past it starts the next block in every column.
 *
 * @example
 * ```ts
 * const table = new TableBuilder("a.csv", plan);
 * const age = table.addColumn("age", 0);
 * ```
 */
export class TableBuilder {
  /** Every column name of the input, in first-seen order. */
  readonly names: string[] = [];
  /** Builders of the selected columns, by name. */
  readonly builders = new Map<string, ColumnBuilder>();
  /** Rows completed so far. */
  rows = 0;
  /** First row of the current block. */
  base = 0;
  /** End of the current block: row `limit` needs {@link TableBuilder.grow} first. */
  limit: number;
  private blockSize: number;
  private readonly active: ColumnBuilder[] = [];

  constructor(
    readonly source: string,
    readonly plan: ColumnPlan,
  ) {
    this.blockSize = Math.max(1, Math.min(FIRST_BLOCK, plan.rowLimit));
    this.limit = this.blockSize;
  }

  /**
   * Registers a column first seen at row `firstRow` (earlier rows are missing) and returns its
   * builder, or null when the plan does not select it.
   */
  addColumn(name: string, firstRow: number): ColumnBuilder | null {
    this.names.push(name);
    const plan = this.plan;
    if (plan.select !== undefined && !plan.select.has(name)) return null;
    const kind = plan.text.has(name) ? KIND_TEXT : KIND_NUMERIC;
    const builder = new ColumnBuilder(
      name,
      kind,
      plan.numeric.has(name),
      this.base,
      this.blockSize,
      firstRow,
    );
    this.builders.set(name, builder);
    this.active.push(builder);
    return builder;
  }

  /** Moves every column to the block holding row `row` (rows arrive in order, one at a time). */
  grow(row: number): void {
    while (row >= this.limit) {
      this.base = this.limit;
      this.blockSize = Math.min(this.blockSize * 2, MAX_BLOCK);
      this.limit = this.base + this.blockSize;
      for (const builder of this.active) builder.nextBlock(this.base, this.blockSize);
    }
  }

  /**
   * Before the first row: makes the first block `rows` long (at most the plan's row limit) when
   * that is longer, so that a table of exactly that many rows lives in one block, which
   * {@link ColumnBuilder.finish} hands over without copying.
   */
  expectRows(rows: number): void {
    if (this.rows !== 0 || this.base !== 0) return;
    const size = Math.min(rows, this.plan.rowLimit);
    if (!(size > this.blockSize)) return;
    this.blockSize = size;
    this.limit = size;
    for (const builder of this.active) builder.resizeBlock(size);
  }

  /** Fails with INPUT_COLUMN_MISSING when an option names a column the input lacks. */
  checkNames(): void {
    const plan = this.plan;
    if (!plan.checkNames) return;
    const present = new Set(this.names);
    const check = (names: Iterable<string> | undefined, option: string): void => {
      if (names === undefined) return;
      for (const name of names) {
        if (!present.has(name) && plan.optional?.has(name) !== true)
          throw columnMissingError(this.source, name, option, this.names);
      }
    };
    check(plan.select, "columns");
    check(plan.text, "text");
    check(plan.numeric, "numeric");
  }
}
