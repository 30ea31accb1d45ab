/**
 * Builders for the input errors the parsers raise, so that messages and hints read the same everywhere.
 */
import { TikTokToeError } from "../errors/index.js";

const MAX_SHOWN = 40;

/**
 * A cell's text for a message: quoted, and cut to 40 characters so a runaway field cannot flood a
 * terminal.
 *
 * @example
 * ```ts
 * shownValue("abc"); // "\"abc\""
 * ```
 */
export function shownValue(text: string): string {
  const cut = text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text;
  return JSON.stringify(cut);
}

/**
 * INPUT_NOT_NUMERIC for a value in a column the caller declared numeric.
 *
 * @example
 * ```ts
 * throw notNumericError("cur.csv", 12, "temp", "abc");
 * ```
 */
export function notNumericError(file: string, line: number, column: string, text: string): TikTokToeError {
  return new TikTokToeError(
    "INPUT_NOT_NUMERIC",
    `value ${shownValue(text)} in column "${column}" is not a finite number`,
    {
      file,
      line,
      column,
      hint: `"${column}" is declared numeric: fix the value, leave the cell empty (or NA) if it is missing, or stop declaring the column numeric`,
    },
  );
}

/**
 * INPUT_BAD_JSON for an NDJSON line.
 *
 * @example
 * ```ts
 * throw badJsonError("events.jsonl", 3, "expected ':' after a key", 17);
 * ```
 */
export function badJsonError(file: string, line: number, problem: string, offset?: number): TikTokToeError {
  const where = offset === undefined ? "" : ` (at character ${offset + 1} of the line)`;
  return new TikTokToeError("INPUT_BAD_JSON", `line ${line} is not a valid JSON object: ${problem}${where}`, {
    file,
    line,
    hint: 'each non-blank line of an NDJSON file must be one complete JSON object, like {"a": 1, "b": "x"}',
  });
}

/**
 * INPUT_BAD_GZIP for a `.gz` input whose bytes are not (complete, valid) gzip.
 *
 * @example
 * ```ts
 * throw badGzipError("a.csv.gz", "it does not start with the gzip signature 1f 8b");
 * ```
 */
export function badGzipError(file: string, problem: string, cause?: unknown): TikTokToeError {
  return new TikTokToeError("INPUT_BAD_GZIP", `${file} is not valid gzip data: ${problem}`, {
    file,
    hint: "compress the file with gzip, or drop the .gz extension if it is not compressed",
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * INPUT_NOT_FOUND for a file that is absent or cannot be read, from the file-system error.
 *
 * @example
 * ```ts
 * throw unreadableFileError("ref.csv", Object.assign(new Error("no such file"), { code: "ENOENT" }));
 * ```
 */
export function unreadableFileError(file: string, error: unknown): TikTokToeError {
  const code = (error as { code?: unknown } | null)?.code;
  const reason =
    code === "ENOENT"
      ? "does not exist"
      : code === "EACCES" || code === "EPERM"
        ? "cannot be read (permission denied)"
        : code === "EISDIR"
          ? "is a directory, not a file"
          : `cannot be read (${error instanceof Error ? error.message : String(error)})`;
  return new TikTokToeError("INPUT_NOT_FOUND", `${file} ${reason}`, {
    file,
    hint: `check the path; a relative path starts from ${process.cwd()}`,
    cause: error,
  });
}
