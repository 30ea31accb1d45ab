/**
 * The optional compiled scanner for all-numeric CSV records and newline counter. This layer knows
 * only their shape; the parallel layer loads the Node-API addon built from native/
 * (src/parallel/native.ts) and installs it here. The scanner gives the same bits as the JavaScript
 * parser, so installing it changes speed only.
 */

/**
 * The addon's `csvNumericRows`: parses whole records of `buf[start, end)` while every field is a
 * decimal number the fast path takes exactly (mantissa below 2^53, power of ten within ±22) or
 * empty, writing field `f` of record `r` to `columns[f][slot + r]` (NaN when empty; a null column is
 * an unselected field, skipped), at most `maxRows` records. Stops before the first record it cannot
 * take whole (quotes, spaces, words, blank lines, ragged rows, or the bytes end inside it), which
 * the JavaScript parser then reads. Returns the records parsed; sets `state[0]` to the offset after
 * them and `state[1 + f]` to the empty cells of field `f` among them.
 *
 * @example
 * ```ts
 * const rows = kernel(buf, pos, end, [a.values, null, b.values], slot, room, state); // pos = state[0]
 * ```
 */
export type CsvNumericKernel = (
  buf: Uint8Array,
  start: number,
  end: number,
  columns: readonly (Float64Array | null)[],
  slot: number,
  maxRows: number,
  state: Float64Array,
) => number;

/**
 * The compiled helpers of the CSV reader: the record scanner, and a newline counter with which a
 * reader sizes its columns before parsing (an upper bound on the rows; exact in the usual file, so
 * the columns need no final copy).
 *
 * @example
 * ```ts
 * const kernels: CsvKernels = { numericRows: addon.csvNumericRows, countNewlines: addon.countNewlines };
 * ```
 */
export interface CsvKernels {
  readonly numericRows: CsvNumericKernel;
  /** The number of LF bytes in `buf[start, end)`. */
  readonly countNewlines: (buf: Uint8Array, start: number, end: number) => number;
}

let installed: CsvKernels | null = null;

/**
 * Makes the CSV readers of this thread use `kernels` (`null`: JavaScript only). Results are the
 * same either way.
 *
 * @example
 * ```ts
 * useCsvKernels(loadNativeCsvKernels()); // src/parallel/native.ts; null when the addon is not built
 * ```
 */
export function useCsvKernels(kernels: CsvKernels | null): void {
  installed = kernels;
}

/**
 * The kernels installed by {@link useCsvKernels} in this thread, or null.
 *
 * @example
 * ```ts
 * installedCsvKernels() === null; // true until a loader installs them
 * ```
 */
export function installedCsvKernels(): CsvKernels | null {
  return installed;
}
