/**
 * A record ready to send: its NDJSON line (serialised once, when logged) and its id for diagnostics.
 *
 * @example
 * ```ts
 * const entry: Encoded = { id: "a", line: '{"id":"a","value":3}' };
 * ```
 */
export interface Encoded {
  readonly id: string;
  readonly line: string;
}

/**
 * Either the encoded record or why it cannot be sent.
 *
 * @example
 * ```ts
 * const result: EncodeResult = encodeLabel({ id: "a", value: 3 });
 * if (!result.ok) console.warn(result.reason);
 * ```
 */
export type EncodeResult =
  | { readonly ok: true; readonly value: Encoded }
  | { readonly ok: false; readonly reason: string };

// The server's limit (docs/errors.md, invalid_id): checked here too so that a bad id costs no request.
const MAX_ID_LENGTH = 256;

/**
 * Encodes a prediction as one line of the server's event format
 * (`{id, time, version, features, prediction, scores?, latency_ms?}`). Only the structure is checked
 * here — what only the model's schema can tell (unknown features, classes) is the server's to say.
 * Serialising at log time snapshots the record, so a caller mutating its object later changes nothing.
 * NaN and ±Infinity inside features become `null` (JSON has no such numbers; the server reads null as
 * a missing value).
 *
 * @example
 * ```ts
 * encodePrediction({ id: "a", features: { x: 1 }, prediction: 2 }, "1", Date.now());
 * ```
 */
export function encodePrediction(input: unknown, defaultVersion: string, nowMs: number): EncodeResult {
  if (!isObject(input)) return fail("a prediction must be an object");
  const id = readId(input.id);
  if (id === undefined) return fail(idProblem);
  if (!isObject(input.features)) return fail(`prediction ${id}: features must be an object`);
  const prediction = input.prediction;
  if (typeof prediction !== "number" && typeof prediction !== "string" && typeof prediction !== "boolean")
    return fail(`prediction ${id}: prediction must be a number, string or boolean`);
  if (typeof prediction === "number" && !Number.isFinite(prediction))
    return fail(`prediction ${id}: prediction must be finite`);
  const time = input.time === undefined ? nowMs : readTime(input.time);
  if (time === undefined)
    return fail(`prediction ${id}: time must be a valid Date, epoch milliseconds or an ISO 8601 string`);
  const version = input.version === undefined ? defaultVersion : input.version;
  if (typeof version !== "string" || version === "")
    return fail(`prediction ${id}: version must be a non-empty string`);
  const latency = input.latencyMs;
  if (latency !== undefined && (typeof latency !== "number" || !Number.isFinite(latency) || latency < 0))
    return fail(`prediction ${id}: latencyMs must be a finite number ≥ 0`);
  const record: Record<string, unknown> = {
    id: input.id,
    time,
    version,
    features: input.features,
    prediction,
  };
  if (input.scores !== undefined) record.scores = input.scores;
  if (latency !== undefined) record.latency_ms = latency;
  return serialise(id, record);
}

/**
 * Encodes a label as one line of the server's label format (`{id, value, time?}`); a label without a
 * time gets the server's clock.
 *
 * @example
 * ```ts
 * encodeLabel({ id: "a", value: 3 });
 * ```
 */
export function encodeLabel(input: unknown): EncodeResult {
  if (!isObject(input)) return fail("a label must be an object");
  const id = readId(input.id);
  if (id === undefined) return fail(idProblem);
  const value = input.value;
  if (typeof value !== "number" && typeof value !== "string" && typeof value !== "boolean")
    return fail(`label ${id}: value must be a number, string or boolean`);
  if (typeof value === "number" && !Number.isFinite(value)) return fail(`label ${id}: value must be finite`);
  const record: Record<string, unknown> = { id: input.id, value };
  if (input.time !== undefined) {
    const time = readTime(input.time);
    if (time === undefined)
      return fail(`label ${id}: time must be a valid Date, epoch milliseconds or an ISO 8601 string`);
    record.time = time;
  }
  return serialise(id, record);
}

const idProblem = `id must be a non-empty string of at most ${MAX_ID_LENGTH} characters, or a safe integer`;

function fail(reason: string): EncodeResult {
  return { ok: false, reason };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function readId(value: unknown): string | undefined {
  if (typeof value === "number") return Number.isSafeInteger(value) ? String(value) : undefined;
  if (typeof value === "string" && value.length > 0 && value.length <= MAX_ID_LENGTH) return value;
  return undefined;
}

// Strings pass through untouched: converting a zoneless ISO string here would silently pick the
// host's zone, where the server rejects it and says why.
function readTime(value: unknown): number | string | undefined {
  if (value instanceof Date) {
    const ms = value.getTime();
    return Number.isNaN(ms) ? undefined : ms;
  }
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value === "string" && value !== "") return value;
  return undefined;
}

function serialise(id: string, record: Record<string, unknown>): EncodeResult {
  try {
    // JSON.stringify never emits a raw newline, so one record is exactly one NDJSON line — the
    // server's problem line numbers depend on it.
    return { ok: true, value: { id, line: JSON.stringify(record) } };
  } catch (error) {
    // A cycle or a BigInt in the caller's object.
    return fail(
      `record ${id} cannot be serialised: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
