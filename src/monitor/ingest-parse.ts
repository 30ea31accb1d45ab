import type { LabelRecord, PredictionEvent, RecordProblem, RecordProblemCode } from "./records.js";

/** What the validator needs to know about the model a batch is for. */
export interface IngestContext {
  readonly task: "binary" | "multiclass" | "regression";
  /** The schema's columns (features and sensitive attributes) and their types. */
  readonly columns: ReadonlyMap<string, "numeric" | "categorical">;
  /**
   * The model's known versions (any other is rejected). A worker re-deriving a batch the API already
   * judged answers true for every version (src/server/ingest/derive.ts).
   */
  readonly versions: Pick<ReadonlySet<string>, "has">;
  /** Class labels of a classifier, in score order (absent: any label is accepted, scores must be absent). */
  readonly classes?: readonly string[];
  /** Events (and labels) with an earlier time are beyond the lateness and rejected. */
  readonly oldestAcceptedMs: number;
  /** Events with a later time are in the future beyond the allowed clock skew and rejected. */
  readonly newestAcceptedMs: number;
  /** The time given to an event or label that carries none (the server's clock at receipt). */
  readonly nowMs: number;
}

/** Body formats of an ingest request. */
export type BatchFormat = "ndjson" | "json";

/** A parsed batch: every record valid, or every problem found. */
export type BatchResult<T> =
  | {
      readonly ok: true;
      readonly records: T[];
      /** Each record's JSON text (its NDJSON line as sent), for an append-only log without re-encoding. */
      readonly sources: string[];
    }
  | {
      readonly ok: false;
      /** The first problems found, at most {@link MAX_PROBLEMS}. */
      readonly problems: RecordProblem[];
      /** True when validation stopped at the cap: there may be more bad records after the last listed. */
      readonly truncated: boolean;
    };

/**
 * A rejected batch lists at most this many problems (validation stops there): enough to fix a
 * systematic mistake, while a hostile body of millions of bad lines costs no more than this.
 */
export const MAX_PROBLEMS = 100;

/**
 * The event and label times accepted at all, whatever the clock: 1970-01-01 to 2100-01-01 (UTC) in
 * epoch milliseconds. A time outside it is a unit mistake (seconds or microseconds since the epoch)
 * or garbage, and would make window arithmetic and date formatting fail.
 */
export const TIME_RANGE_MS = { min: 0, max: Date.UTC(2100, 0, 1) } as const;

const EVENT_FIELDS = new Set(["id", "time", "version", "features", "prediction", "scores", "latency_ms"]);
const LABEL_FIELDS = new Set(["id", "value", "time"]);
// An explicit zone is required: a bare local time means different instants on different machines.
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const MAX_ID_LENGTH = 256;

/**
 * Validates a whole batch of prediction events before anything is stored: either every record is
 * valid, or the answer lists every problem of every record (line, field, stable code), so a client
 * can drop those records and resend the rest. Pure: the clock arrives in the context.
 *
 * @example
 * ```ts
 * const result = parseEventBatch('{"id":"a","time":0,"version":"1","features":{},"prediction":3}', "ndjson", ctx);
 * if (!result.ok) console.log(result.problems);
 * ```
 */
export function parseEventBatch(
  body: string,
  format: BatchFormat,
  context: IngestContext,
): BatchResult<PredictionEvent> {
  return parseBatch(body, format, (record, line, problems) => toEvent(record, line, context, problems));
}

/**
 * Validates a whole batch of labels (see {@link parseEventBatch}).
 *
 * @example
 * ```ts
 * parseLabelBatch('[{"id":"a","value":17}]', "json", ctx);
 * ```
 */
export function parseLabelBatch(
  body: string,
  format: BatchFormat,
  context: IngestContext,
): BatchResult<LabelRecord> {
  return parseBatch(body, format, (record, line, problems) => toLabel(record, line, context, problems));
}

/**
 * Validates events given as objects (the server's own records of answered predictions) exactly as
 * {@link parseEventBatch} validates the JSON array of them, without the text in between: their
 * JSON round trip was most of what recording an answer allocated. The objects are validated in place
 * (a missing time is written in); each source is the object's JSON.
 *
 * @example
 * ```ts
 * parseEventRecords([{ id: "a", time: 0, version: "1", features: {}, prediction: 3 }], ctx);
 * ```
 */
export function parseEventRecords(
  records: readonly unknown[],
  context: IngestContext,
): BatchResult<PredictionEvent> {
  return parseBatch(records, "json", (record, line, problems) => toEvent(record, line, context, problems));
}

type Convert<T> = (record: Record<string, unknown>, line: number, problems: RecordProblem[]) => T | undefined;

function parseBatch<T>(
  body: string | readonly unknown[],
  format: BatchFormat,
  convert: Convert<T>,
): BatchResult<T> {
  const problems: RecordProblem[] = [];
  const records: T[] = [];
  const sources: string[] = [];
  // Once the batch is known to be rejected, more problems only make the answer larger: stop at the cap.
  const full = () => problems.length >= MAX_PROBLEMS;
  const accept = (value: unknown, line: number, source: string | undefined) => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      problems.push({ line, field: "", code: "not_an_object", message: "each record must be a JSON object" });
      return;
    }
    const object = value as Record<string, unknown>;
    const timed = object.time !== undefined && object.time !== null;
    const record = convert(object, line, problems);
    if (record !== undefined && problems.length === 0) {
      records.push(record);
      // A time the server filled in is written into the stored record, so a replay of the log puts
      // the event in the same window (the time of receipt is not recomputed).
      sources.push(source !== undefined && timed ? source : JSON.stringify(object));
    }
  };
  if (typeof body !== "string") {
    for (let i = 0; i < body.length; i++) {
      if (full()) return rejected(problems, true);
      accept(body[i], i + 1, undefined);
    }
  } else if (format === "json") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (error) {
      problems.push(syntaxProblem(body, lineOfJsonError(body, error), error));
      return rejected(problems, false);
    }
    if (!Array.isArray(parsed)) {
      problems.push({
        line: 1,
        field: "",
        code: "wrong_type",
        message: "a JSON body must be an array of records",
      });
      return rejected(problems, false);
    }
    for (let i = 0; i < parsed.length; i++) {
      if (full()) return rejected(problems, true);
      accept(parsed[i], i + 1, undefined);
    }
  } else {
    // Lines are cut one at a time (not body.split): a 32 MiB body of one-character lines would
    // otherwise become sixteen million strings before the first is looked at.
    let line = 0;
    for (let start = 0; start <= body.length; ) {
      let end = body.indexOf("\n", start);
      if (end === -1) end = body.length;
      line++;
      const text = body.slice(start, end).trim();
      start = end + 1;
      if (text === "") continue;
      if (full()) return rejected(problems, true);
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        problems.push(syntaxProblem(text, line, error));
        continue;
      }
      accept(value, line, text);
    }
  }
  if (problems.length > MAX_PROBLEMS) return rejected(problems.slice(0, MAX_PROBLEMS), true);
  return problems.length > 0 ? rejected(problems, false) : { ok: true, records, sources };
}

function rejected<T>(problems: RecordProblem[], truncated: boolean): BatchResult<T> {
  return { ok: false, problems, truncated };
}

function syntaxProblem(text: string, line: number, error: unknown): RecordProblem {
  // JSON has no NaN or Infinity: say so precisely instead of "unexpected token".
  if (/(^|[^\w"])-?(NaN|Infinity)\b/.test(text))
    return {
      line,
      field: "",
      code: "not_finite",
      message: "NaN and Infinity are not JSON numbers; send null for a missing value",
    };
  return { line, field: "", code: "malformed_json", message: `not valid JSON: ${(error as Error).message}` };
}

function lineOfJsonError(body: string, error: unknown): number {
  const position = /position (\d+)/.exec((error as Error).message)?.[1];
  if (position === undefined) return 1;
  let line = 1;
  for (let i = 0; i < Number(position) && i < body.length; i++) if (body.charCodeAt(i) === 10) line++;
  return line;
}

function toEvent(
  record: Record<string, unknown>,
  line: number,
  context: IngestContext,
  problems: RecordProblem[],
): PredictionEvent | undefined {
  const before = problems.length;
  const report = (field: string, code: RecordProblemCode, message: string) =>
    problems.push({ line, field, code, message });
  for (const key of Object.keys(record))
    if (!EVENT_FIELDS.has(key))
      report(key, "unknown_field", `unknown field; expected ${[...EVENT_FIELDS].join(", ")}`);
  const id = readId(record.id, report);
  let timeMs: number | undefined;
  if (record.time === undefined || record.time === null) {
    // No time: the time of receipt (the context's clock), written back so the stored record has it.
    timeMs = context.nowMs;
    record.time = timeMs;
  } else timeMs = readTime(record.time, "time", context, report, true);
  let version: string | undefined;
  if (record.version === undefined) report("version", "missing_field", "the model version is required");
  else if (typeof record.version !== "string") report("version", "wrong_type", "version must be a string");
  else if (!context.versions.has(record.version))
    report("version", "unknown_version", `unknown version "${record.version}"; register it first`);
  else version = record.version;
  const features = readFeatures(record.features, context, report);
  const prediction = readTarget(record.prediction, "prediction", context, report, true);
  const scores = readScores(record.scores, context, report);
  let latencyMs: number | null = null;
  if (record.latency_ms !== undefined && record.latency_ms !== null) {
    if (typeof record.latency_ms !== "number")
      report("latency_ms", "wrong_type", "latency_ms must be a number");
    else if (!Number.isFinite(record.latency_ms) || record.latency_ms < 0)
      report("latency_ms", "not_finite", "latency_ms must be a finite number ≥ 0");
    else latencyMs = record.latency_ms;
  }
  if (problems.length > before || id === undefined || timeMs === undefined || version === undefined)
    return undefined;
  return { id, timeMs, version, features: features ?? {}, prediction: prediction ?? null, scores, latencyMs };
}

function toLabel(
  record: Record<string, unknown>,
  line: number,
  context: IngestContext,
  problems: RecordProblem[],
): LabelRecord | undefined {
  const before = problems.length;
  const report = (field: string, code: RecordProblemCode, message: string) =>
    problems.push({ line, field, code, message });
  for (const key of Object.keys(record))
    if (!LABEL_FIELDS.has(key))
      report(key, "unknown_field", `unknown field; expected ${[...LABEL_FIELDS].join(", ")}`);
  const id = readId(record.id, report);
  const timeMs =
    record.time === undefined ? context.nowMs : readTime(record.time, "time", context, report, false);
  const value = readTarget(record.value, "value", context, report, true);
  if (
    problems.length > before ||
    id === undefined ||
    timeMs === undefined ||
    value === undefined ||
    value === null
  )
    return undefined;
  return { id, value, timeMs };
}

type Report = (field: string, code: RecordProblemCode, message: string) => void;

function readId(value: unknown, report: Report): string | undefined {
  if (value === undefined || value === null) {
    report("id", "missing_field", "every record needs an id (it makes ingestion idempotent)");
    return undefined;
  }
  const id = typeof value === "number" && Number.isSafeInteger(value) ? String(value) : value;
  if (typeof id !== "string" || id.length === 0 || id.length > MAX_ID_LENGTH) {
    report(
      "id",
      "invalid_id",
      `id must be a non-empty string of at most ${MAX_ID_LENGTH} characters, or an integer`,
    );
    return undefined;
  }
  return id;
}

function readTime(
  value: unknown,
  field: string,
  context: IngestContext,
  report: Report,
  required: boolean,
): number | undefined {
  if (value === undefined || value === null) {
    if (required)
      report(
        field,
        "missing_field",
        "the event time is required (ISO 8601 with a zone, or epoch milliseconds)",
      );
    return undefined;
  }
  let ms: number;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) {
      report(field, "not_finite", "time must be finite");
      return undefined;
    }
    ms = value;
  } else if (typeof value === "string" && ISO_WITH_ZONE.test(value)) {
    ms = Date.parse(value);
    if (Number.isNaN(ms)) {
      report(field, "wrong_type", `"${value}" is not a valid date`);
      return undefined;
    }
  } else {
    report(
      field,
      "wrong_type",
      'time must be ISO 8601 with a zone ("2012-01-01T00:00:00Z") or epoch milliseconds',
    );
    return undefined;
  }
  if (ms < TIME_RANGE_MS.min || ms >= TIME_RANGE_MS.max) {
    report(
      field,
      "out_of_range",
      `time ${typeof value === "number" ? value : JSON.stringify(value)} is outside 1970-01-01 to 2100-01-01; epoch times are in milliseconds (not seconds or microseconds)`,
    );
    return undefined;
  }
  // The lateness bounds events only: labels update their event's window whenever they arrive
  // (ground truth is often days late), so only their "in the future" check applies.
  if (required && ms < context.oldestAcceptedMs) {
    report(
      field,
      "too_late",
      `time ${isoTime(ms)} is beyond the accepted lateness (oldest accepted: ${isoTime(context.oldestAcceptedMs)})`,
    );
    return undefined;
  }
  if (ms > context.newestAcceptedMs) {
    report(
      field,
      "in_future",
      `time ${isoTime(ms)} is in the future (newest accepted: ${isoTime(context.newestAcceptedMs)})`,
    );
    return undefined;
  }
  return ms;
}

function readFeatures(
  value: unknown,
  context: IngestContext,
  report: Report,
): Record<string, number | string | null> | undefined {
  if (value === undefined || value === null) {
    report("features", "missing_field", "features must be an object of the schema's columns");
    return undefined;
  }
  if (typeof value !== "object" || Array.isArray(value)) {
    report("features", "wrong_type", "features must be an object");
    return undefined;
  }
  // Validated in place (the parsed object becomes the record's features): a batch of 1,000 events
  // with 20 features would otherwise allocate 20,000 strings and 1,000 objects it does not need.
  const features = value as Record<string, number | string | null>;
  for (const name in features) {
    const raw: unknown = features[name];
    const type = context.columns.get(name);
    if (type === undefined) {
      report(`features.${name}`, "unknown_feature", "not a column of the model's schema");
      continue;
    }
    if (raw === null) continue;
    if (type === "numeric") {
      if (typeof raw !== "number")
        report(`features.${name}`, "wrong_type", "a numeric column needs a number (or null when missing)");
      else if (!Number.isFinite(raw)) report(`features.${name}`, "not_finite", "must be finite");
    } else if (typeof raw === "number" || typeof raw === "boolean") features[name] = String(raw);
    else if (typeof raw !== "string")
      report(
        `features.${name}`,
        "wrong_type",
        "a categorical column needs a string, number or boolean (or null)",
      );
  }
  const out = features;
  return out;
}

function readTarget(
  value: unknown,
  field: string,
  context: IngestContext,
  report: Report,
  required: boolean,
): number | string | null | undefined {
  if (value === undefined || value === null) {
    if (required) report(field, "missing_field", `${field} is required`);
    return undefined;
  }
  if (context.task === "regression") {
    if (typeof value !== "number") {
      report(field, "wrong_type", `${field} of a regression model must be a number`);
      return undefined;
    }
    if (!Number.isFinite(value)) {
      report(field, "not_finite", "must be finite");
      return undefined;
    }
    return value;
  }
  if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
    report(field, "wrong_type", `${field} of a classifier must be a class label`);
    return undefined;
  }
  const label = String(value);
  if (context.classes !== undefined && !context.classes.includes(label)) {
    report(
      field,
      "unknown_class",
      `"${label}" is not one of the model's classes: ${context.classes.join(", ")}`,
    );
    return undefined;
  }
  return label;
}

function readScores(value: unknown, context: IngestContext, report: Report): number[] | null {
  if (value === undefined || value === null) return null;
  const classes = context.classes;
  if (context.task === "regression" || classes === undefined) {
    report("scores", "unknown_field", "scores need a classifier with declared classes");
    return null;
  }
  let scores: unknown[];
  if (typeof value === "number" && classes.length === 2) scores = [1 - value, value];
  else if (Array.isArray(value)) scores = value;
  else if (typeof value === "object") scores = classes.map((c) => (value as Record<string, unknown>)[c]);
  else {
    report(
      "scores",
      "wrong_type",
      "scores must be an array in class order, an object by class, or (binary) P(positive)",
    );
    return null;
  }
  if (scores.length !== classes.length) {
    report("scores", "wrong_type", `expected ${classes.length} scores, got ${scores.length}`);
    return null;
  }
  const out: number[] = [];
  for (const [i, s] of scores.entries()) {
    if (typeof s !== "number" || !Number.isFinite(s) || s < 0 || s > 1) {
      report(
        `scores.${classes[i]}`,
        typeof s === "number" ? "not_finite" : "wrong_type",
        "each score must be a probability in [0, 1]",
      );
      return null;
    }
    out.push(s);
  }
  return out;
}

/** A time for a message: ISO 8601, or the number itself where a Date cannot represent it. */
function isoTime(ms: number): string {
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : String(ms);
}
