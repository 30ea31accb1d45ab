/**
 * RFC 4180 CSV to typed columns, one pass over bytes: numbers are parsed in place and only text cells
 * are decoded.
 */
import { TikTokToeError } from "../errors/index.js";
import { type ColumnBuilder, KIND_NUMERIC } from "./column-builder.js";
import { type CsvNumericKernel, installedCsvKernels } from "./csv-kernel.js";
import { notNumericError } from "./input-errors.js";
import { isMissingToken } from "./missing-tokens.js";
import { parseDecimalInto, scanPlainDecimal } from "./parse-decimal.js";
import { type ColumnPlan, TableBuilder } from "./table-builder.js";
import type { TableParser } from "./table-parser.js";

const COMMA = 0x2c;
const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;

/** Kernel runs shorter than this make the next records JavaScript's, so mixed data costs no call per row. */
const KERNEL_MIN_RUN = 64;
/** The most records JavaScript takes before trying the kernel again. */
const KERNEL_MAX_BACKOFF = 1024;

const END_FIELD = 0;
const END_RECORD = 1;
const END_INPUT = 2;

/**
 * Parses CSV with a header row into a {@link TableBuilder}. Dialect: comma-separated; a record ends
 * at LF or CRLF (a lone CR is cell content); a field starting with `"` is quoted, may hold commas,
 * newlines and doubled quotes, and may be followed by spaces before the next comma; a quote inside an
 * unquoted field is kept literally; a UTF-8 BOM is skipped; empty lines are skipped (as pandas does);
 * the last record may lack its newline. Line numbers are physical (newlines inside quotes count) and
 * the header is on line 1 unless blank lines precede it.
 *
 * Column types: a column is numeric while every non-missing cell is a decimal number (see
 * {@link parseDecimal}); its first other cell switches it to text (see
 * {@link ColumnBuilder.switchToText}), unless the plan declares it numeric, which fails with
 * INPUT_NOT_NUMERIC. Text cells keep their exact text (quotes removed, `""` undoubled). Missing cells
 * are those {@link isMissingToken} accepts.
 *
 * When a {@link CsvNumericKernel} is installed (see {@link useCsvKernels}) and every selected
 * column is still numeric, runs of plain numeric records go to it; it gives the same bits, and every
 * record it declines (and every error) is this class's as before.
 *
 * @example
 * ```ts
 * const parser = new CsvParser("a.csv", plan);
 * parser.push(bytes, 0, bytes.length, true);
 * const table = parser.finish();
 * ```
 */
export class CsvParser implements TableParser {
  done = false;
  private readonly table: TableBuilder;
  /** Physical line of the next byte to parse. */
  private line = 1;
  private started = false;
  /** Per field position: its builder, or null for an unselected field; undefined before the header. */
  private fields: (ColumnBuilder | null)[] | undefined;
  // The last field scanned by scanField, kept in fields rather than an object to spare an allocation
  // per cell.
  private fieldStart = 0;
  private fieldEnd = 0;
  private fieldQuotes = false;
  private fieldLines = 0;
  private fieldNext = 0;
  private fieldEnding = END_FIELD;
  /**
   * Numeric columns whose missing count went up in the current record: when the record turns out
   * incomplete (it continues in the next chunk) those counts are taken back, as it will be parsed again.
   */
  private readonly missingInRecord: ColumnBuilder[] = [];
  /** The compiled record scanner, while every selected column is numeric; else null. */
  private kernel: CsvNumericKernel | null = installedCsvKernels()?.numericRows ?? null;
  /** At most this many lines in the whole input (see {@link CsvParser.expectLines}). */
  private lineBound: number | undefined;
  /** The kernel's current blocks (null: unselected field) and its output, reused from call to call. */
  private kernelColumns: (Float64Array | null)[] = [];
  private kernelState = new Float64Array(1);
  /** Records left for JavaScript before the kernel is tried again, and the next such back-off. */
  private jsRecords = 0;
  private backoff = 1;

  constructor(
    private readonly source: string,
    plan: ColumnPlan,
  ) {
    this.table = new TableBuilder(source, plan);
  }

  push(buf: Buffer, start: number, end: number, final: boolean): number {
    let pos = start;
    if (!this.started) {
      if (end - pos < 3 && !final) return pos;
      if (end - pos >= 3 && buf[pos] === 0xef && buf[pos + 1] === 0xbb && buf[pos + 2] === 0xbf) pos += 3;
      this.started = true;
    }
    if (this.fields === undefined) {
      pos = this.parseHeader(buf, pos, end, final);
      if (this.fields === undefined) return pos;
    }
    return this.parseRows(buf, pos, end, final);
  }

  /**
   * Tells the parser, before the first push, that the input holds at most `lines` lines (its LF
   * bytes, plus one when it does not end with LF): the columns are then made that long at once,
   * which in the usual file is exactly the row count, so they need no final copy.
   */
  expectLines(lines: number): void {
    this.lineBound = lines;
  }

  finish(): TableBuilder {
    if (this.fields === undefined) {
      throw new TikTokToeError("INPUT_EMPTY", `${this.source} is empty: no header row`, {
        file: this.source,
        hint: "a CSV input needs a header row naming the columns, then one row per record",
      });
    }
    if (this.table.rows === 0) {
      throw new TikTokToeError("INPUT_EMPTY", `${this.source} has a header but no data rows`, {
        file: this.source,
        hint: "the file holds no records to compare; check that it was written completely",
      });
    }
    return this.table;
  }

  private parseHeader(buf: Buffer, start: number, end: number, final: boolean): number {
    let pos = this.skipBlankLines(buf, start, end, final);
    if (pos >= end) return pos;
    const headerStart = pos;
    const names: string[] = [];
    let lines = 0;
    for (;;) {
      if (!this.scanField(buf, pos, end, final, this.line + lines)) return headerStart;
      names.push(decodeField(buf, this.fieldStart, this.fieldEnd, this.fieldQuotes));
      lines += this.fieldLines;
      pos = this.fieldNext;
      if (this.fieldEnding !== END_FIELD) break;
    }
    const seen = new Map<string, number>();
    for (let index = 0; index < names.length; index++) {
      const name = names[index]!;
      if (name.trim() === "") {
        throw new TikTokToeError("INPUT_FORMAT", `header field ${index + 1} of ${this.source} has no name`, {
          file: this.source,
          line: this.line,
          hint: "every column needs a non-blank name in the header row (is the header missing, or a trailing comma?)",
        });
      }
      const earlier = seen.get(name);
      if (earlier !== undefined) {
        throw new TikTokToeError(
          "INPUT_FORMAT",
          `duplicate column name "${name}" in the header of ${this.source} (fields ${earlier + 1} and ${index + 1})`,
          {
            file: this.source,
            line: this.line,
            column: name,
            hint: "rename one of the columns so names are unique",
          },
        );
      }
      seen.set(name, index);
    }
    const table = this.table;
    const fields = names.map((name) => table.addColumn(name, 0));
    this.fields = fields;
    table.checkNames();
    if (fields.some((field) => field !== null && field.kind !== KIND_NUMERIC)) this.kernel = null;
    this.kernelColumns = fields.map(() => null);
    this.kernelState = new Float64Array(fields.length + 1);
    this.line += lines + (this.fieldEnding === END_RECORD ? 1 : 0);
    // Every line before this.line held blank lines or the header, not records.
    if (this.lineBound !== undefined) table.expectRows(this.lineBound - (this.line - 1));
    return pos;
  }

  private parseRows(buf: Buffer, start: number, end: number, final: boolean): number {
    const fields = this.fields!;
    const fieldCount = fields.length;
    const table = this.table;
    const rowLimit = table.plan.rowLimit;
    let pos = start;
    while (pos < end) {
      if (table.rows >= rowLimit) {
        this.done = true;
        return pos;
      }
      const first = buf[pos]!;
      if (first === LF || first === CR) {
        const next = this.skipBlankLines(buf, pos, end, final);
        if (next !== pos) {
          pos = next;
          continue;
        }
        if (first === CR && pos + 1 >= end && !final) return pos;
      }
      const row = table.rows;
      if (row >= table.limit) table.grow(row);
      const slot = row - table.base;
      if (this.kernel !== null) {
        if (this.jsRecords > 0) this.jsRecords--;
        else {
          const next = this.parseNative(buf, pos, end, row, slot, Math.min(table.limit, rowLimit) - row);
          if (next !== pos) {
            pos = next;
            continue;
          }
        }
      }
      const recordStart = pos;
      let lines = 0;
      let field = 0;
      let ending = END_FIELD;
      for (;;) {
        const column = field < fieldCount ? fields[field]! : null;
        if (column !== null && column.kind === KIND_NUMERIC) {
          // Fast path for the bulk of numeric data: parse while finding the field's end.
          const after = scanPlainDecimal(buf, pos, end, column.values, slot);
          if (after >= 0 && after < end) {
            const c = buf[after]!;
            if (c === COMMA) {
              field++;
              pos = after + 1;
              continue;
            }
            if (c === LF) {
              field++;
              pos = after + 1;
              ending = END_RECORD;
              break;
            }
            if (c === CR && after + 1 < end && buf[after + 1] === LF) {
              field++;
              pos = after + 2;
              ending = END_RECORD;
              break;
            }
          }
        }
        if (!this.scanField(buf, pos, end, final, this.line + lines)) return this.abandon(recordStart);
        if (column !== null) this.store(column, buf, row, slot, this.line + lines);
        lines += this.fieldLines;
        field++;
        pos = this.fieldNext;
        ending = this.fieldEnding;
        if (ending !== END_FIELD) break;
      }
      if (field !== fieldCount) {
        throw new TikTokToeError(
          "INPUT_RAGGED_ROW",
          `row has ${field} field${field === 1 ? "" : "s"} but the header has ${fieldCount}`,
          {
            file: this.source,
            line: this.line,
            hint: "every row needs one field per header column; quote fields that contain commas or newlines",
          },
        );
      }
      table.rows = row + 1;
      this.line += lines + (ending === END_RECORD ? 1 : 0);
      if (this.missingInRecord.length > 0) this.missingInRecord.length = 0;
    }
    return pos;
  }

  /**
   * Lets the kernel parse as many records at `pos` as fit in the current block (at most `room`);
   * returns where it stopped. A short run means the data is mixed: JavaScript takes the next records
   * (more each time) before the kernel is tried again.
   */
  private parseNative(
    buf: Buffer,
    pos: number,
    end: number,
    row: number,
    slot: number,
    room: number,
  ): number {
    const fields = this.fields!;
    const columns = this.kernelColumns;
    for (let f = 0; f < fields.length; f++) columns[f] = fields[f]?.values ?? null;
    const state = this.kernelState;
    const rows = this.kernel!(buf, pos, end, columns, slot, room, state);
    if (rows > 0) {
      for (let f = 0; f < fields.length; f++) {
        const missing = state[f + 1]!;
        if (missing > 0) fields[f]!.missing += missing;
      }
      this.table.rows = row + rows;
      // The kernel takes no quoted fields and no blank lines: one record is one line.
      this.line += rows;
    }
    const next = rows > 0 ? state[0]! : pos;
    if (rows < KERNEL_MIN_RUN && rows < room && next < end) {
      this.jsRecords = this.backoff;
      this.backoff = Math.min(this.backoff * 2, KERNEL_MAX_BACKOFF);
    } else {
      this.backoff = 1;
    }
    return next;
  }

  /** Forgets the incomplete record at `recordStart` and returns it as the place to resume. */
  private abandon(recordStart: number): number {
    for (const column of this.missingInRecord) column.missing--;
    this.missingInRecord.length = 0;
    return recordStart;
  }

  /** Skips empty lines (LF or CRLF) at `pos`; returns where the next non-empty line starts. */
  private skipBlankLines(buf: Buffer, start: number, end: number, final: boolean): number {
    let pos = start;
    while (pos < end) {
      const c = buf[pos]!;
      if (c === LF) {
        pos++;
        this.line++;
      } else if (c === CR && pos + 1 < end && buf[pos + 1] === LF) {
        pos += 2;
        this.line++;
      } else if (c === CR && pos + 1 >= end && final) {
        pos++;
      } else {
        break;
      }
    }
    return pos;
  }

  /**
   * Finds the field at `pos`: its content range, whether it was quoted with doubled quotes inside,
   * how many newlines it spans, what ended it and where the next field starts. Returns false when
   * the bytes end before the field does and more may come.
   */
  private scanField(buf: Buffer, pos: number, end: number, final: boolean, line: number): boolean {
    if (pos < end && buf[pos] === QUOTE) return this.scanQuotedField(buf, pos, end, final, line);
    let i = pos;
    while (i < end) {
      const c = buf[i]!;
      if (c === COMMA || c === LF) break;
      i++;
    }
    this.fieldStart = pos;
    this.fieldQuotes = false;
    this.fieldLines = 0;
    if (i < end) {
      const c = buf[i]!;
      this.fieldEnd = c === LF && i > pos && buf[i - 1] === CR ? i - 1 : i;
      this.fieldEnding = c === COMMA ? END_FIELD : END_RECORD;
      this.fieldNext = i + 1;
      return true;
    }
    if (!final) return false;
    this.fieldEnd = end > pos && buf[end - 1] === CR ? end - 1 : end;
    this.fieldEnding = END_INPUT;
    this.fieldNext = end;
    return true;
  }

  private scanQuotedField(buf: Buffer, pos: number, end: number, final: boolean, line: number): boolean {
    let i = pos + 1;
    let lines = 0;
    let doubled = false;
    for (;;) {
      while (i < end) {
        const c = buf[i]!;
        if (c === QUOTE) break;
        if (c === LF) lines++;
        i++;
      }
      if (i >= end) {
        if (!final) return false;
        throw new TikTokToeError("INPUT_FORMAT", `quoted field starting on line ${line} is never closed`, {
          file: this.source,
          line,
          hint: 'a field that starts with " must end with "; write a quote inside a quoted field as ""',
        });
      }
      if (i + 1 >= end && !final) return false;
      if (i + 1 < end && buf[i + 1] === QUOTE) {
        doubled = true;
        i += 2;
        continue;
      }
      break;
    }
    this.fieldStart = pos + 1;
    this.fieldEnd = i;
    this.fieldQuotes = doubled;
    this.fieldLines = lines;
    i++;
    while (i < end && (buf[i] === SPACE || buf[i] === TAB)) i++;
    if (i >= end) {
      if (!final) return false;
      this.fieldEnding = END_INPUT;
      this.fieldNext = end;
      return true;
    }
    const c = buf[i]!;
    if (c === COMMA || c === LF) {
      this.fieldEnding = c === COMMA ? END_FIELD : END_RECORD;
      this.fieldNext = i + 1;
      return true;
    }
    if (c === CR) {
      if (i + 1 >= end) {
        if (!final) return false;
        this.fieldEnding = END_INPUT;
        this.fieldNext = end;
        return true;
      }
      if (buf[i + 1] === LF) {
        this.fieldEnding = END_RECORD;
        this.fieldNext = i + 2;
        return true;
      }
    }
    throw new TikTokToeError(
      "INPUT_FORMAT",
      `unexpected ${JSON.stringify(String.fromCharCode(c))} after the closing quote of a field`,
      {
        file: this.source,
        line: line + lines,
        hint: 'a quoted field must be followed by a comma or the end of the line; write a quote inside it as ""',
      },
    );
  }

  /** Stores the scanned field at `row`, which is `slot` in the current block. */
  private store(column: ColumnBuilder, buf: Buffer, row: number, slot: number, line: number): void {
    const start = this.fieldStart;
    const end = this.fieldEnd;
    if (column.kind === KIND_NUMERIC) {
      if (parseDecimalInto(buf, start, end, column.values, slot)) return;
      if (isMissingToken(buf, start, end)) {
        column.values[slot] = Number.NaN;
        column.missing++;
        this.missingInRecord.push(column);
        return;
      }
      if (column.required) {
        throw notNumericError(this.source, line, column.name, decodeField(buf, start, end, this.fieldQuotes));
      }
      column.switchToText(row);
      // The kernel fills numeric columns only.
      this.kernel = null;
    }
    if (isMissingToken(buf, start, end)) column.codes[slot] = -1;
    else if (this.fieldQuotes) column.setText(row, decodeField(buf, start, end, true));
    else column.setTextBytes(row, buf, start, end);
  }
}

function decodeField(buf: Buffer, start: number, end: number, doubledQuotes: boolean): string {
  const text = buf.toString("utf8", start, end);
  return doubledQuotes ? text.replaceAll('""', '"') : text;
}
