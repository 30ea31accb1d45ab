/**
 * Choosing a parser from a file name: the extension names the format and, with `.gz`, the compression.
 */
import { TikTokToeError } from "../errors/index.js";
import type { TableFormat } from "./types.js";

/**
 * The file extensions {@link readTable} understands (matched case-insensitively).
 *
 * @example
 * ```ts
 * SUPPORTED_EXTENSIONS.join(", "); // ".csv, .csv.gz, .jsonl, …"
 * ```
 */
export const SUPPORTED_EXTENSIONS: readonly string[] = Object.freeze([
  ".csv",
  ".csv.gz",
  ".jsonl",
  ".jsonl.gz",
  ".ndjson",
  ".ndjson.gz",
]);

/**
 * A file's format and compression, from its extension.
 *
 * @example
 * ```ts
 * detectFormat("data/ref.CSV.gz"); // { format: "csv", gzip: true }
 * detectFormat("notes.txt"); // throws INPUT_FORMAT
 * ```
 */
export function detectFormat(file: string): { readonly format: TableFormat; readonly gzip: boolean } {
  const name = file.toLowerCase();
  const gzip = name.endsWith(".gz");
  const base = gzip ? name.slice(0, -3) : name;
  if (base.endsWith(".csv")) return { format: "csv", gzip };
  if (base.endsWith(".jsonl") || base.endsWith(".ndjson")) return { format: "ndjson", gzip };
  throw new TikTokToeError("INPUT_FORMAT", `cannot tell the format of ${file} from its extension`, {
    file,
    hint: `supported extensions: ${SUPPORTED_EXTENSIONS.join(", ")} (rename the file, e.g. a tab-free .txt of CSV to .csv)`,
  });
}
