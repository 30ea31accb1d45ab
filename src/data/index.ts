/**
 * The data layer: reading CSV and NDJSON files (optionally gzip-compressed) into typed columns.
 */
export {
  type CsvKernels,
  type CsvNumericKernel,
  installedCsvKernels,
  useCsvKernels,
} from "./csv-kernel.js";
export { isMissingToken, MISSING_TOKENS } from "./missing-tokens.js";
export { parseDecimal } from "./parse-decimal.js";
export { parseTable } from "./parse-table.js";
export { readTable } from "./read-table.js";
export { detectFormat, SUPPORTED_EXTENSIONS } from "./table-format.js";
export type {
  ColumnData,
  ColumnOptions,
  NumericColumn,
  ParseTableOptions,
  ReadTableOptions,
  Table,
  TableFormat,
  TextColumn,
} from "./types.js";
