/**
 * A column under construction: block-wise typed storage, dictionary encoding for text, and the switch
 * from numeric to text when inference meets a non-number.
 */
import { TextDictionary } from "./text-dictionary.js";
import type { ColumnData, TextColumn } from "./types.js";

// Kinds are small integers rather than strings so the per-cell test in the parsers is one compare.

/**
 * `ColumnBuilder.kind` of a column holding numbers.
 *
 * @example
 * ```ts
 * if (column.kind === KIND_NUMERIC) column.values[slot] = 1.5;
 * ```
 */
export const KIND_NUMERIC = 0;

/**
 * `ColumnBuilder.kind` of a column holding dictionary codes.
 *
 * @example
 * ```ts
 * if (column.kind === KIND_TEXT) column.setText(row, "red");
 * ```
 */
export const KIND_TEXT = 1;

const NO_VALUES = new Float64Array(0);
const NO_CODES = new Int32Array(0);

/**
 * One column being filled row by row. Storage is a list of full blocks plus the current block, all
 * columns of a table sharing the same block boundaries (see {@link TableBuilder}): row `r` lives at
 * `values[r - base]` of the current block, which the parsers write directly. Blocks are never copied
 * while growing; {@link ColumnBuilder.finish} copies each once into an exactly-sized array. Missing
 * cells are NaN or -1 and are counted once, at the end.
 *
 * @example
 * ```ts
 * const column = new ColumnBuilder("age", KIND_NUMERIC, false, 0, 1024, 0);
 * column.values[0] = 42;
 * column.finish(1); // { kind: "numeric", values: Float64Array [42], missing: 0 }
 * ```
 */
export class ColumnBuilder {
  /** {@link KIND_NUMERIC} or {@link KIND_TEXT}; a numeric column may become text, never back. */
  kind: number;
  /** Current block of a numeric column (empty once text). */
  values: Float64Array;
  /** Current block of a text column (empty while numeric). */
  codes: Int32Array;
  /** First row of the current block. */
  base: number;
  /** The column's distinct texts; codes index its `categories`. */
  readonly dictionary = new TextDictionary();
  /**
   * Row at which an inferred numeric column met its first non-number, or -1. Rows before it were
   * numbers or missing; see {@link ColumnBuilder.needsBackfill}.
   */
  switchRow = -1;
  /**
   * True when a numeric column switched to text after holding at least one number: the exact text
   * of the earlier rows is gone, so a second pass over the input must supply it.
   */
  needsBackfill = false;
  /**
   * Missing cells of a numeric column, counted by whoever writes NaN (a text column recounts its
   * codes at the end instead, since a switch rewrites its early rows).
   */
  missing = 0;
  /** Rows before the column's first block: missing (an NDJSON key first seen late). */
  private readonly leading: number;
  private fullValues: Float64Array[] = [];
  private fullCodes: Int32Array[] = [];

  /**
   * @param required Declared numeric: the parsers fail on a non-number instead of switching to text.
   * @param base First row of the table's current block, of `blockSize` rows.
   * @param firstRow First row the column has a value for; earlier rows are missing.
   */
  constructor(
    readonly name: string,
    kind: number,
    readonly required: boolean,
    base: number,
    blockSize: number,
    firstRow: number,
  ) {
    this.kind = kind;
    this.base = base;
    this.leading = base;
    this.missing = firstRow;
    this.values = kind === KIND_NUMERIC ? new Float64Array(blockSize) : NO_VALUES;
    this.codes = kind === KIND_TEXT ? new Int32Array(blockSize) : NO_CODES;
    if (firstRow > base) {
      if (kind === KIND_NUMERIC) this.values.fill(Number.NaN, 0, firstRow - base);
      else this.codes.fill(-1, 0, firstRow - base);
    }
  }

  /** Keeps the current (full) block and starts an empty one of `size` rows at row `base`. */
  nextBlock(base: number, size: number): void {
    if (this.kind === KIND_NUMERIC) {
      this.fullValues.push(this.values);
      this.values = new Float64Array(size);
    } else {
      this.fullCodes.push(this.codes);
      this.codes = new Int32Array(size);
    }
    this.base = base;
  }

  /** Replaces the current block, still empty, with one of `size` rows. */
  resizeBlock(size: number): void {
    if (this.kind === KIND_NUMERIC) this.values = new Float64Array(size);
    else this.codes = new Int32Array(size);
  }

  /** Marks `row` (in the current block) missing. */
  setMissing(row: number): void {
    if (this.kind === KIND_NUMERIC) {
      this.values[row - this.base] = Number.NaN;
      this.missing++;
    } else {
      this.codes[row - this.base] = -1;
    }
  }

  /** Stores `text` at `row` (in the current block) of a text column. */
  setText(row: number, text: string): void {
    this.codes[row - this.base] = this.dictionary.codeOf(text);
  }

  /** Stores the UTF-8 text `buf[start, end)` at `row` (in the current block) of a text column. */
  setTextBytes(row: number, buf: Buffer, start: number, end: number): void {
    this.codes[row - this.base] = this.dictionary.codeOfBytes(buf, start, end);
  }

  /**
   * Turns an inferred numeric column into text from `row` on. Rows before it become missing for now;
   * when any of them held a number, `needsBackfill` asks for a second pass to recover their text.
   */
  switchToText(row: number): void {
    const slot = row - this.base;
    let sawNumber = hasNumber(this.values, slot);
    for (const block of this.fullValues) sawNumber ||= hasNumber(block, block.length);
    this.fullCodes = this.fullValues.map((block) => new Int32Array(block.length).fill(-1));
    this.codes = new Int32Array(this.values.length).fill(-1, 0, slot);
    this.fullValues = [];
    this.values = NO_VALUES;
    this.kind = KIND_TEXT;
    this.switchRow = row;
    this.needsBackfill = sawNumber;
  }

  /** The finished column of `rowCount` rows, in its own exactly-sized buffer. */
  finish(rowCount: number): ColumnData {
    if (this.kind === KIND_NUMERIC) {
      // One block of exactly the right length (the reader knew the row count): no copy.
      if (this.leading === 0 && this.fullValues.length === 0 && this.values.length === rowCount) {
        const values = this.values;
        this.values = NO_VALUES;
        return { kind: "numeric", values, missing: this.missing };
      }
      const values = new Float64Array(rowCount);
      values.fill(Number.NaN, 0, this.leading);
      concatInto(values, this.leading, this.fullValues, this.values);
      this.fullValues = [];
      return { kind: "numeric", values, missing: this.missing };
    }
    const codes = this.allCodes(rowCount);
    return {
      kind: "text",
      codes,
      categories: this.dictionary.categories.slice(),
      missing: countMissingCodes(codes),
    };
  }

  /** The codes of rows `[0, rowCount)` of a text column, in one array. */
  allCodes(rowCount: number): Int32Array {
    if (this.leading === 0 && this.fullCodes.length === 0 && this.codes.length === rowCount) {
      const codes = this.codes;
      this.codes = NO_CODES;
      return codes;
    }
    const codes = new Int32Array(rowCount);
    codes.fill(-1, 0, this.leading);
    concatInto(codes, this.leading, this.fullCodes, this.codes);
    this.fullCodes = [];
    return codes;
  }
}

/**
 * Joins a column that switched to text (`main`, exact from `main.switchRow` on) with the text of its
 * earlier rows read again in a second pass (`early`, `earlyRows` rows covering `[0, main.switchRow)`),
 * renumbering the categories in first-seen order so the result does not depend on where the switch
 * happened.
 *
 * @example
 * ```ts
 * const zip = mergeBackfill(first.builders.get("zip")!, second.builders.get("zip")!, second.rows, first.rows);
 * ```
 */
export function mergeBackfill(
  main: ColumnBuilder,
  early: ColumnBuilder,
  earlyRows: number,
  rowCount: number,
): TextColumn {
  const switchRow = main.switchRow;
  const mainCodes = main.allCodes(rowCount);
  const earlyCodes = early.allCodes(earlyRows);
  const codes = new Int32Array(rowCount);
  const categories: string[] = [];
  const dictionary = new Map<string, number>();
  const earlyCategories = early.dictionary.categories;
  const mainCategories = main.dictionary.categories;
  const remapEarly = new Int32Array(earlyCategories.length).fill(-1);
  const remapMain = new Int32Array(mainCategories.length).fill(-1);
  for (let r = 0; r < rowCount; r++) {
    const fromEarly = r < switchRow;
    const code = fromEarly ? earlyCodes[r]! : mainCodes[r]!;
    if (code < 0) {
      codes[r] = -1;
      continue;
    }
    const remap = fromEarly ? remapEarly : remapMain;
    let mapped = remap[code]!;
    if (mapped < 0) {
      const text = fromEarly ? earlyCategories[code]! : mainCategories[code]!;
      let known = dictionary.get(text);
      if (known === undefined) {
        known = categories.length;
        categories.push(text);
        dictionary.set(text, known);
      }
      mapped = known;
      remap[code] = mapped;
    }
    codes[r] = mapped;
  }
  return { kind: "text", codes, categories, missing: countMissingCodes(codes) };
}

function hasNumber(values: Float64Array, length: number): boolean {
  for (let k = 0; k < length; k++) if (!Number.isNaN(values[k]!)) return true;
  return false;
}

function concatInto<T extends Float64Array | Int32Array>(
  out: T,
  offset: number,
  full: readonly T[],
  current: T,
): void {
  let at = offset;
  for (const block of full) {
    out.set(block, at);
    at += block.length;
  }
  if (at < out.length) out.set(current.subarray(0, out.length - at), at);
}

function countMissingCodes(codes: Int32Array): number {
  let missing = 0;
  for (let r = 0; r < codes.length; r++) if (codes[r]! < 0) missing++;
  return missing;
}
