/**
 * NDJSON (one JSON object a line) to typed columns, validating JSON on bytes without JSON.parse per
 * line, so numbers are parsed in place and only text values are decoded.
 */
import { TikTokToeError } from "../errors/index.js";
import { type ColumnBuilder, KIND_NUMERIC } from "./column-builder.js";
import { badJsonError, notNumericError } from "./input-errors.js";
import { isMissingToken } from "./missing-tokens.js";
import { parseDecimalInto } from "./parse-decimal.js";
import { type ColumnPlan, TableBuilder } from "./table-builder.js";
import type { TableParser } from "./table-parser.js";

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const MINUS = 0x2d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

const MAX_DEPTH = 512;

/**
 * Parses NDJSON into a {@link TableBuilder}. Each non-blank line must be one JSON object (strict
 * JSON: no comments, no trailing commas, no duplicate keys); blank lines are skipped; a UTF-8 BOM is
 * skipped. Columns are the union of keys in first-seen order; a key absent from a line is missing
 * there, as is `null`.
 *
 * Column types: a column is numeric while its values are JSON numbers (or null); its first string,
 * boolean, object or array switches it to text, whose categories are then the exact source text of
 * each value: a string's decoded content (so `"NA"` is the text NA, not missing), `true`/`false`,
 * a number as written (`1.0` stays `1.0`), and a nested object or array as its raw JSON text. A column
 * declared numeric accepts JSON numbers and strings holding a decimal number (`"3.5"`); a string that
 * is empty or a missing token (`"NA"`, …) is missing there; anything else fails with
 * INPUT_NOT_NUMERIC. Numbers that overflow a double (`1e400`) are not finite, so they count as
 * non-numbers.
 *
 * @example
 * ```ts
 * const parser = new NdjsonParser("events.jsonl", plan);
 * parser.push(bytes, 0, bytes.length, true);
 * const table = parser.finish();
 * ```
 */
export class NdjsonParser implements TableParser {
  done = false;
  private readonly table: TableBuilder;
  private line = 1;
  private started = false;
  // Keys by index: name lookup, the raw bytes of the key as first written (to recognise it again
  // without decoding), its builder, and the last row (+1) that had it (to catch absent and duplicate keys).
  private readonly keyIndex = new Map<string, number>();
  private readonly keyBytes: Uint8Array[] = [];
  private readonly keyColumns: (ColumnBuilder | null)[] = [];
  private readonly keyStamps: number[] = [];
  /** Indices of keys with a builder. */
  private readonly activeKeys: number[] = [];
  /** Key index seen at each position of the previous line: lines usually repeat the same key order. */
  private readonly previousOrder: number[] = [];
  /** Set by scanString: whether the string had a backslash escape. */
  private escaped = false;

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
    const rowLimit = this.table.plan.rowLimit;
    while (pos < end) {
      if (this.table.rows >= rowLimit) {
        this.done = true;
        return pos;
      }
      let lineEnd = buf.indexOf(LF, pos);
      if (lineEnd === -1 || lineEnd >= end) {
        if (!final) return pos;
        lineEnd = end;
      }
      this.parseLine(buf, pos, lineEnd > pos && buf[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd);
      this.line++;
      pos = lineEnd + 1;
    }
    return Math.min(pos, end);
  }

  finish(): TableBuilder {
    const table = this.table;
    if (table.rows === 0) {
      throw new TikTokToeError("INPUT_EMPTY", `${this.source} has no data rows: no JSON object on any line`, {
        file: this.source,
        hint: "an NDJSON input needs one JSON object per line",
      });
    }
    if (table.names.length === 0) {
      throw new TikTokToeError(
        "INPUT_EMPTY",
        `${this.source} has no columns: every line is an empty object`,
        {
          file: this.source,
          hint: 'give each line\'s object the keys to compare, like {"a": 1}',
        },
      );
    }
    table.checkNames();
    return table;
  }

  private parseLine(buf: Buffer, start: number, end: number): void {
    let i = skipSpace(buf, start, end);
    if (i === end) return;
    if (buf[i] !== OPEN_BRACE) {
      throw this.bad(`it starts with ${JSON.stringify(String.fromCharCode(buf[i]!))}, not "{"`, start, i);
    }
    const table = this.table;
    const row = table.rows;
    if (row >= table.limit) table.grow(row);
    const stamp = row + 1;
    let seen = 0;
    let position = 0;
    i = skipSpace(buf, i + 1, end);
    if (i < end && buf[i] === CLOSE_BRACE) {
      i++;
    } else {
      for (;;) {
        if (i >= end || buf[i] !== QUOTE) throw this.bad('expected a key in double quotes or "}"', start, i);
        const keyEnd = this.scanString(buf, i + 1, end, start);
        const key = this.lookupKey(buf, i + 1, keyEnd, position, row);
        if (this.keyStamps[key] === stamp) {
          throw this.bad(`duplicate key ${JSON.stringify(this.keyName(key))}`, start, i);
        }
        this.keyStamps[key] = stamp;
        const column = this.keyColumns[key]!;
        if (column !== null) seen++;
        i = skipSpace(buf, keyEnd + 1, end);
        if (i >= end || buf[i] !== COLON) throw this.bad("expected ':' after a key", start, i);
        i = skipSpace(buf, i + 1, end);
        i = this.value(buf, i, end, column, row, start);
        position++;
        i = skipSpace(buf, i, end);
        if (i < end && buf[i] === COMMA) {
          i = skipSpace(buf, i + 1, end);
          continue;
        }
        if (i < end && buf[i] === CLOSE_BRACE) {
          i++;
          break;
        }
        throw this.bad(i >= end ? "the object is not closed" : "expected ',' or '}' after a value", start, i);
      }
    }
    i = skipSpace(buf, i, end);
    if (i !== end) throw this.bad("unexpected text after the object", start, i);
    const active = this.activeKeys;
    if (seen < active.length) {
      for (const key of active) {
        if (this.keyStamps[key] !== stamp) this.keyColumns[key]!.setMissing(row);
      }
    }
    table.rows = row + 1;
  }

  /** Parses the value at `i` into `column` (or just validates it) and returns where it ends. */
  private value(
    buf: Buffer,
    i: number,
    end: number,
    column: ColumnBuilder | null,
    row: number,
    lineStart: number,
  ): number {
    if (i >= end) throw this.bad("expected a value", lineStart, i);
    const c = buf[i]!;
    if (c === QUOTE) {
      const stringEnd = this.scanString(buf, i + 1, end, lineStart);
      if (column !== null) this.storeString(column, buf, i + 1, stringEnd, row);
      return stringEnd + 1;
    }
    if (c === MINUS || (c >= 0x30 && c <= 0x39)) {
      const numberEnd = scanJsonNumber(buf, i, end);
      if (numberEnd < 0) throw this.bad("invalid number", lineStart, i);
      if (column !== null) this.storeNumber(column, buf, i, numberEnd, row);
      return numberEnd;
    }
    if (c === 0x74 || c === 0x66 || c === 0x6e) {
      const word = c === 0x74 ? "true" : c === 0x66 ? "false" : "null";
      for (let k = 1; k < word.length; k++) {
        if (i + k >= end || buf[i + k] !== word.charCodeAt(k))
          throw this.bad("invalid literal", lineStart, i);
      }
      if (column !== null) {
        if (c === 0x6e) column.setMissing(row);
        else this.storeText(column, word, row);
      }
      return i + word.length;
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      // Nested values are rare: find their end cheaply, then let JSON.parse judge them.
      const nestedEnd = this.skipNested(buf, i, end, lineStart);
      const raw = buf.toString("utf8", i, nestedEnd);
      try {
        JSON.parse(raw);
      } catch (error) {
        throw this.bad(`invalid nested value (${(error as Error).message})`, lineStart, i);
      }
      if (column !== null) this.storeText(column, raw, row);
      return nestedEnd;
    }
    throw this.bad("expected a value", lineStart, i);
  }

  private storeNumber(column: ColumnBuilder, buf: Buffer, start: number, end: number, row: number): void {
    if (column.kind === KIND_NUMERIC) {
      if (parseDecimalInto(buf, start, end, column.values, row - column.base)) return;
      if (column.required)
        throw notNumericError(this.source, this.line, column.name, buf.toString("latin1", start, end));
      column.switchToText(row);
    }
    column.setTextBytes(row, buf, start, end);
  }

  private storeString(column: ColumnBuilder, buf: Buffer, start: number, end: number, row: number): void {
    const text = this.escaped ? decodeEscaped(buf, start, end) : undefined;
    if (column.kind === KIND_NUMERIC && column.required) {
      // A declared-numeric column reads a string like a CSV cell: a number, or missing.
      const bytes = text === undefined ? buf : Buffer.from(text);
      const from = text === undefined ? start : 0;
      const to = text === undefined ? end : bytes.length;
      if (parseDecimalInto(bytes, from, to, column.values, row - column.base)) return;
      if (isMissingToken(bytes, from, to)) {
        column.setMissing(row);
        return;
      }
    }
    if (text !== undefined) {
      this.storeText(column, text, row);
      return;
    }
    if (column.kind === KIND_NUMERIC) {
      if (column.required)
        throw notNumericError(this.source, this.line, column.name, buf.toString("utf8", start, end));
      column.switchToText(row);
    }
    column.setTextBytes(row, buf, start, end);
  }

  /** Stores a non-number; a numeric column switches to text or, if declared numeric, fails. */
  private storeText(column: ColumnBuilder, text: string, row: number): void {
    if (column.kind === KIND_NUMERIC) {
      if (column.required) throw notNumericError(this.source, this.line, column.name, text);
      column.switchToText(row);
    }
    column.setText(row, text);
  }

  /** Returns the index of the closing quote of the string whose content starts at `start`. */
  private scanString(buf: Buffer, start: number, end: number, lineStart: number): number {
    let i = start;
    let escaped = false;
    while (i < end) {
      const c = buf[i]!;
      if (c === QUOTE) {
        this.escaped = escaped;
        return i;
      }
      if (c === BACKSLASH) {
        escaped = true;
        const e = buf[i + 1];
        if (i + 1 >= end) break;
        if (e === 0x75) {
          for (let k = 2; k < 6; k++) {
            if (i + k >= end || !isHexDigit(buf[i + k]!)) throw this.bad("invalid \\u escape", lineStart, i);
          }
          i += 6;
          continue;
        }
        // \" \\ \/ \b \f \n \r \t
        if (
          e !== QUOTE &&
          e !== BACKSLASH &&
          e !== 0x2f &&
          e !== 0x62 &&
          e !== 0x66 &&
          e !== 0x6e &&
          e !== 0x72 &&
          e !== 0x74
        ) {
          throw this.bad("invalid escape in a string", lineStart, i);
        }
        i += 2;
        continue;
      }
      if (c < 0x20) throw this.bad("control character in a string (escape it)", lineStart, i);
      i++;
    }
    throw this.bad("unterminated string", lineStart, i);
  }

  /** Returns the end of the object or array at `start`, checking brackets and strings (not values). */
  private skipNested(buf: Buffer, start: number, end: number, lineStart: number): number {
    const stack: number[] = [];
    let i = start;
    while (i < end) {
      const c = buf[i]!;
      if (c === QUOTE) {
        i = this.scanString(buf, i + 1, end, lineStart) + 1;
        continue;
      }
      if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        if (stack.length >= MAX_DEPTH) throw this.bad("nested too deeply", lineStart, i);
        stack.push(c === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET);
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        if (stack.pop() !== c) throw this.bad("mismatched brackets", lineStart, i);
        if (stack.length === 0) return i + 1;
      }
      i++;
    }
    throw this.bad("unclosed object or array", lineStart, i);
  }

  /** The index of the key in `buf[start, end)`, registering it (and its column) when new. */
  private lookupKey(buf: Buffer, start: number, end: number, position: number, row: number): number {
    const guess = this.previousOrder[position];
    if (guess !== undefined && !this.escaped && sameBytes(this.keyBytes[guess]!, buf, start, end))
      return guess;
    const name = this.escaped ? decodeEscaped(buf, start, end) : buf.toString("utf8", start, end);
    let key = this.keyIndex.get(name);
    if (key === undefined) {
      key = this.keyBytes.length;
      this.keyIndex.set(name, key);
      this.keyBytes.push(this.escaped ? Buffer.from(name) : Buffer.from(buf.subarray(start, end)));
      const column = this.table.addColumn(name, row);
      this.keyColumns.push(column);
      this.keyStamps.push(0);
      if (column !== null) this.activeKeys.push(key);
    }
    this.previousOrder[position] = key;
    return key;
  }

  private keyName(key: number): string {
    return this.table.names[key]!;
  }

  private bad(problem: string, lineStart: number, at: number): TikTokToeError {
    return badJsonError(this.source, this.line, problem, at - lineStart);
  }
}

function skipSpace(buf: Buffer, start: number, end: number): number {
  let i = start;
  while (i < end) {
    const c = buf[i]!;
    if (c !== SPACE && c !== TAB && c !== CR && c !== LF) break;
    i++;
  }
  return i;
}

/** End of the JSON number at `start` (strict grammar), or -1 when it is malformed. */
function scanJsonNumber(buf: Buffer, start: number, end: number): number {
  let i = start;
  if (buf[i] === MINUS) i++;
  if (i >= end) return -1;
  if (buf[i] === 0x30) {
    i++;
  } else {
    const digitsStart = i;
    while (i < end && isDigit(buf[i]!)) i++;
    if (i === digitsStart) return -1;
  }
  if (i < end && buf[i] === 0x2e) {
    i++;
    const digitsStart = i;
    while (i < end && isDigit(buf[i]!)) i++;
    if (i === digitsStart) return -1;
  }
  if (i < end && (buf[i]! | 0x20) === 0x65) {
    i++;
    if (i < end && (buf[i] === MINUS || buf[i] === 0x2b)) i++;
    const digitsStart = i;
    while (i < end && isDigit(buf[i]!)) i++;
    if (i === digitsStart) return -1;
  }
  // A number glued to more digits or letters ("01", "1x") is malformed, not a number plus junk.
  if (i < end) {
    const c = buf[i]!;
    if (isDigit(c) || c === 0x2e || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) return -1;
  }
  return i;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isHexDigit(c: number): boolean {
  return isDigit(c) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66);
}

function sameBytes(known: Uint8Array, buf: Buffer, start: number, end: number): boolean {
  if (known.length !== end - start) return false;
  for (let k = 0; k < known.length; k++) if (known[k] !== buf[start + k]) return false;
  return true;
}

/** Decodes a string with escapes, already validated by scanString. */
function decodeEscaped(buf: Buffer, start: number, end: number): string {
  return JSON.parse(buf.toString("utf8", start - 1, end + 1)) as string;
}
