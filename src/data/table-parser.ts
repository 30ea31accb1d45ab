/**
 * The contract between a format's parser and whatever feeds it bytes (a file, a gzip stream, memory).
 */
import type { TableBuilder } from "./table-builder.js";

/**
 * A push parser over byte ranges. It consumes only whole records, so a record split across two
 * chunks is parsed once the caller passes the rest; it never keeps a reference to `buf`.
 *
 * @example
 * ```ts
 * const used = parser.push(chunk, 0, chunk.length, false); // keep chunk[used..] and append more bytes
 * parser.push(rest, 0, rest.length, true);
 * const table = parser.finish();
 * ```
 */
export interface TableParser {
  /**
   * Parses the complete records in `buf[start, end)` and returns the offset of the first byte not
   * consumed (the start of an incomplete record). With `final` the range is the end of the input and
   * everything is consumed, unless the row limit stopped the parser early.
   */
  push(buf: Buffer, start: number, end: number, final: boolean): number;
  /**
   * Optional: the whole input holds at most `lines` lines (LF bytes, plus one when it does not end
   * with LF), told before the first push so that the parser can size its columns once.
   */
  expectLines?(lines: number): void;
  /** True once the plan's row limit is reached: the caller may stop reading. */
  readonly done: boolean;
  /** The columns read; fails with INPUT_EMPTY when the input has no data rows. */
  finish(): TableBuilder;
}
