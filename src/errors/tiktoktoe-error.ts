import { type ErrorCode, errorCodes } from "./codes.js";

/** Where an error happened: enough for a user to find and fix it. */
export interface ErrorLocation {
  /** File the problem is in. */
  readonly file?: string;
  /** 1-based line number within the file (the header is line 1 of a CSV). */
  readonly line?: number;
  /** Column (field) name, for tabular input. */
  readonly column?: string;
  /** JSON path or option name, e.g. `metrics.latency.threshold` or `--alpha`. */
  readonly path?: string;
}

/** Constructor options for {@link TikTokToeError}. */
export interface TikTokToeErrorOptions extends ErrorLocation {
  /** What the user can do about it. */
  readonly hint?: string;
  readonly cause?: unknown;
  /** Every individual problem, when there are several (the records of a rejected batch). */
  readonly problems?: readonly unknown[];
  /** True when `problems` lists only the first ones found (validation stopped early). */
  readonly problemsTruncated?: boolean;
  /** Seconds after which a retry may succeed (HTTP `Retry-After` of 429 and 503 answers). */
  readonly retryAfterS?: number;
}

/**
 * The one error type of TikTokToe. `code` is stable and documented in `docs/errors.md`; `status` is
 * the HTTP status an API answers with; `expected` is true for failures caused by input (exit code 2
 * on the CLI, a 4xx over HTTP) and false for bugs.
 *
 * @example
 * ```ts
 * throw new TikTokToeError("INPUT_NOT_NUMERIC", "value \"abc\" is not a number", {
 *   file: "cur.csv", line: 12, column: "temp", hint: "remove --numeric temp or clean the file",
 * });
 * ```
 */
export class TikTokToeError extends Error {
  override readonly name = "TikTokToeError";
  readonly code: ErrorCode;
  readonly status: number;
  readonly expected: boolean;
  readonly location: ErrorLocation;
  readonly hint: string | undefined;
  readonly problems: readonly unknown[] | undefined;
  readonly problemsTruncated: boolean;
  readonly retryAfterS: number | undefined;

  constructor(code: ErrorCode, message: string, options: TikTokToeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    const { hint, cause: _cause, problems, problemsTruncated, retryAfterS, ...location } = options;
    this.code = code;
    this.status = errorCodes[code].status;
    this.expected = errorCodes[code].expected;
    this.location = location;
    this.hint = hint;
    this.problems = problems;
    this.problemsTruncated = problemsTruncated === true;
    this.retryAfterS = retryAfterS;
  }

  /** One line for a terminal: `file:line: column "c": message (hint)`. */
  describe(): string {
    const { file, line, column, path } = this.location;
    const where = [file === undefined ? undefined : line === undefined ? file : `${file}:${line}`]
      .concat(column === undefined ? [] : [`column "${column}"`], path === undefined ? [] : [path])
      .filter((part): part is string => part !== undefined)
      .join(", ");
    const text = where === "" ? this.message : `${where}: ${this.message}`;
    return this.hint === undefined ? text : `${text}\n  hint: ${this.hint}`;
  }

  /** The JSON body an API answers with. */
  toJSON(): {
    code: ErrorCode;
    message: string;
    location: ErrorLocation;
    hint?: string;
    problems?: readonly unknown[];
    problems_truncated?: true;
  } {
    return {
      code: this.code,
      message: this.message,
      location: this.location,
      ...(this.hint === undefined ? {} : { hint: this.hint }),
      ...(this.problems === undefined ? {} : { problems: this.problems }),
      ...(this.problemsTruncated ? { problems_truncated: true as const } : {}),
    };
  }
}

/** True when `error` is a {@link TikTokToeError}, optionally with the given code. */
export function isTikTokToeError(error: unknown, code?: ErrorCode): error is TikTokToeError {
  return error instanceof TikTokToeError && (code === undefined || error.code === code);
}
