import type { InputColumn, InputTable } from "../drift/index.js";
import { buffersOf } from "./messages.js";

/**
 * The buffers of a table's columns, to move it between threads without copying.
 *
 * @example
 * ```ts
 * port.postMessage(table, tableBuffers(table));
 * ```
 */
export function tableBuffers(table: InputTable): ArrayBuffer[] {
  return buffersOf([...table.columns.values()].map(columnArray));
}

/**
 * The typed array holding a column's values or codes.
 *
 * @example
 * ```ts
 * columnArray(column).byteLength;
 * ```
 */
export function columnArray(column: InputColumn): Float64Array | Int32Array {
  return column.kind === "numeric" ? column.values : column.codes;
}
