/** Log levels, least severe first. */
export const logLevels = ["debug", "info", "warn", "error"] as const;

/** A log level. */
export type LogLevel = (typeof logLevels)[number];

/** Fields attached to a log line (`model`, `batch`, `channel`…). */
export type LogFields = Readonly<Record<string, unknown>>;

/**
 * The server's logger: leveled, structured, never throwing into the caller (a broken stream must not
 * take a request or a flush down with it).
 *
 * @example
 * ```ts
 * const log = createLogger({ level: "info", format: "json" });
 * log.warn("delivery failed", { channel: "slack", error });
 * ```
 */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line (e.g. `{ component: "alerting" }`). */
  child(fields: LogFields): Logger;
}

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Lines below this level are dropped. Default "info". */
  readonly level?: LogLevel;
  /** `text`: `time LEVEL message key=value…` for a terminal; `json`: one object per line. Default text. */
  readonly format?: "text" | "json";
  /** Where lines go. Default process.stderr. */
  readonly write?: (line: string) => void;
  /** The clock of the `time` field. Default Date.now. */
  readonly now?: () => number;
}

/**
 * A logger writing one line per call. Errors among the fields are written with their message, code
 * and stack (JSON) or message and code (text), so a line explains itself.
 *
 * @example
 * ```ts
 * const log = createLogger({ level: "debug", format: "text", write: (line) => lines.push(line) });
 * log.child({ component: "ingest" }).error("group commit failed", { error });
 * ```
 */
export function createLogger(options: LoggerOptions = {}, bound: LogFields = {}): Logger {
  const minimum = logLevels.indexOf(options.level ?? "info");
  const format = options.format ?? "text";
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const now = options.now ?? Date.now;
  const emit = (level: LogLevel, message: string, fields: LogFields = {}) => {
    if (logLevels.indexOf(level) < minimum) return;
    try {
      const all = { ...bound, ...fields };
      const time = new Date(now()).toISOString();
      if (format === "json") {
        const entries = Object.entries(all).map(([k, v]) => [k, v instanceof Error ? errorFields(v) : v]);
        write(`${JSON.stringify({ time, level, msg: message, ...Object.fromEntries(entries) })}\n`);
      } else {
        const pairs = Object.entries(all).map(([k, v]) => `${k}=${textValue(v)}`);
        write(`${time} ${level.toUpperCase()} ${message}${pairs.length > 0 ? ` ${pairs.join(" ")}` : ""}\n`);
      }
    } catch {
      // Logging must never fail the caller.
    }
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    child: (fields) => createLogger(options, { ...bound, ...fields }),
  };
}

function errorFields(error: Error): Record<string, unknown> {
  const code = (error as { code?: unknown }).code;
  return { message: error.message, ...(code === undefined ? {} : { code }), stack: error.stack };
}

function textValue(value: unknown): string {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    // The stack follows on its own lines: a terminal reader wants it, and grep still finds the line.
    return (
      JSON.stringify(`${value.message}${code === undefined ? "" : ` (${String(code)})`}`) +
      (value.stack === undefined ? "" : `\n${value.stack}`)
    );
  }
  if (typeof value === "string") return /[\s"=]/.test(value) ? JSON.stringify(value) : value;
  return JSON.stringify(value) ?? String(value);
}

/**
 * A logger that drops everything (libraries and tests that pass no logger).
 *
 * @example
 * ```ts
 * const log = options.log ?? silentLogger;
 * ```
 */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silentLogger,
};
