/**
 * The optional compiled scanner for all-numeric CSV records. This layer knows only its shape; the
 * parallel layer loads the Node-API addon built from native/ (src/parallel/native.ts) and installs
 * it here. It gives the same bits as the JavaScript parser, so installing it changes speed only.
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

let installed: CsvNumericKernel | null = null;

/**
 * Makes the CSV parsers of this thread use `kernel` for all-numeric records (`null`: JavaScript
 * only). Results are the same either way.
 *
 * @example
 * ```ts
 * useCsvNumericKernel(loadNativeKernels()?.csvNumericRows ?? null); // src/parallel/native.ts
 * ```
 */
export function useCsvNumericKernel(kernel: CsvNumericKernel | null): void {
  installed = kernel;
}

/**
 * The kernel installed by {@link useCsvNumericKernel} in this thread, or null.
 *
 * @example
 * ```ts
 * installedCsvNumericKernel() === null; // true until a loader installs one
 * ```
 */
export function installedCsvNumericKernel(): CsvNumericKernel | null {
  return installed;
}
