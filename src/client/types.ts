/**
 * Public types of `tiktoktoe/client`. They are declared here rather than imported from the rest of
 * the project because the client ships alone: a service that sends events must not pull in the
 * server, SQLite or ONNX Runtime. The wire shapes (records, answers, errors) are the HTTP contract's,
 * taken with `import type` only.
 */

import type { FeatureValue as ContractFeatureValue } from "../contract/index.js";

/**
 * A feature value as the server accepts it: a number for a numeric column, a string, number or
 * boolean for a categorical one, `null` for a missing value. The wire types come from the HTTP
 * contract (src/contract) as type imports: the client loads none of its code (or zod) at run time.
 *
 * @example
 * ```ts
 * const value: FeatureValue = null; // a missing humidity reading
 * ```
 */
export type FeatureValue = ContractFeatureValue;

/**
 * What the server answers: an ingest batch's counts, and the error body (`code`, `message`, `problems`
 * of `INGEST_INVALID` with line, field and code), as the contract declares them.
 *
 * @example
 * ```ts
 * const answer: IngestResult = { accepted: 1000, duplicates: 0 };
 * ```
 */
export type {
  ErrorBody,
  EventRecord,
  IngestProblem,
  IngestResult,
  LabelledEvent,
  LabelRecord,
} from "../contract/index.js";

/**
 * When something happened: a `Date`, epoch milliseconds, or an ISO 8601 string with a zone
 * (`"2024-05-01T12:00:00Z"`; the server rejects a string without one, because a bare local time
 * means different instants on different machines).
 *
 * @example
 * ```ts
 * const time: TimeInput = new Date();
 * ```
 */
export type TimeInput = Date | number | string;

/**
 * One prediction to monitor (the argument of {@link MonitorClient.logPrediction}).
 *
 * @example
 * ```ts
 * const event: PredictionInput = { id: "req-42", features: { temp: 0.3, season: "spring" }, prediction: 117 };
 * ```
 */
export interface PredictionInput {
  /** Unique per model: a resend of the same id is stored once (the server answers `duplicates`). */
  readonly id: string | number;
  /** When the prediction was made. Default: the moment `logPrediction` is called. */
  readonly time?: TimeInput | undefined;
  /** The model version that predicted. Default: the client's `version`. */
  readonly version?: string | undefined;
  /** Inputs by column name of the model's schema. */
  readonly features: Readonly<Record<string, FeatureValue>>;
  /** The predicted value (regression) or class label (classification). */
  readonly prediction: number | string | boolean;
  /** Class probabilities: an array in class order, an object by class, or (binary) P(positive). */
  readonly scores?: readonly number[] | Readonly<Record<string, number>> | number | undefined;
  /** How long the prediction took, in milliseconds. */
  readonly latencyMs?: number | undefined;
}

/**
 * The ground truth of an earlier prediction, joined to it by id (the argument of
 * {@link MonitorClient.logLabel}).
 *
 * @example
 * ```ts
 * const label: LabelInput = { id: "req-42", value: 123 };
 * ```
 */
export interface LabelInput {
  readonly id: string | number;
  /** The true value (regression) or class label (classification). */
  readonly value: number | string | boolean;
  /** When the truth became known. Default: the server's clock. */
  readonly time?: TimeInput | undefined;
}

/**
 * The two record streams the client buffers and sends separately.
 *
 * @example
 * ```ts
 * const kind: RecordKind = "labels";
 * ```
 */
export type RecordKind = "events" | "labels";

/**
 * What went wrong, as given to `onError`. The client never throws into its host; this is how it
 * speaks instead.
 *
 * - `invalid_input`: `logPrediction`/`logLabel` got something that cannot be sent (dropped).
 * - `buffer_full`: the buffer reached `maxBuffered`; records are dropped until it drains (reported
 *   once per episode, not per record).
 * - `rejected_records`: the server listed bad records (`INGEST_INVALID`); those were dropped, the
 *   rest resent.
 * - `refused`: the server refused a whole batch (401, 403, 404, 413 for one record, other 4xx).
 * - `retry`: a transient failure (network, timeout, 408, 429, 5xx); the batch is retried after `retryInMs`.
 * - `gave_up`: the retries ran out; the batch was dropped.
 * - `closed`: records dropped because the client was closed (or its deadline passed).
 * - `to_records`: the `toRecords` callback of {@link MonitorClient.wrap} threw.
 * - `internal`: a bug in the client, caught before it could reach the host.
 *
 * @example
 * ```ts
 * const info: ClientErrorInfo = { type: "retry", kind: "events", message: "HTTP 503", status: 503, records: 1000, retryInMs: 250 };
 * ```
 */
export interface ClientErrorInfo {
  readonly type:
    | "invalid_input"
    | "buffer_full"
    | "rejected_records"
    | "refused"
    | "retry"
    | "gave_up"
    | "closed"
    | "to_records"
    | "internal";
  readonly message: string;
  readonly kind?: RecordKind;
  /** The HTTP status, when there was an answer. */
  readonly status?: number;
  /** The server's error code (docs/errors.md), e.g. `UNAUTHORIZED`. */
  readonly code?: string;
  /** How many records this concerns. */
  readonly records?: number;
  /** For `retry`: the wait before the next attempt. */
  readonly retryInMs?: number;
  /** The thrown value, for network failures and callback errors. */
  readonly error?: unknown;
}

/**
 * A record the server rejected, kept for diagnostics (the last few are in {@link ClientStats}).
 *
 * @example
 * ```ts
 * for (const p of monitor.stats().lastProblems) console.warn(`${p.id} ${p.field}: ${p.code} ${p.message}`);
 * ```
 */
export interface RejectedRecord {
  readonly kind: RecordKind;
  /** The record's id, as sent. */
  readonly id: string;
  /** The JSON path inside the record, e.g. `features.colour`. */
  readonly field: string;
  /** The server's problem code (docs/errors.md), e.g. `unknown_feature`. */
  readonly code: string;
  readonly message: string;
}

/**
 * Counters of a client since it was created. Every record taken into the buffer ends in exactly one
 * place: `logged = sent + dropped.rejected + dropped.refused + dropped.retriesExhausted +
 * dropped.closedInFlight + inFlight + buffered`.
 *
 * @example
 * ```ts
 * const s = monitor.stats();
 * if (s.dropped.total > 0) console.warn("monitoring lost records", s.dropped);
 * ```
 */
export interface ClientStats {
  /** Records taken into the buffer (events and labels). */
  readonly logged: number;
  /** Records the server acknowledged with a 2xx answer (accepted, duplicate or unmatched). */
  readonly sent: number;
  /** Records the server stored. */
  readonly accepted: number;
  /** Records the server already had (resends, retries of an answered batch). */
  readonly duplicates: number;
  /** Labels whose prediction the server did not know. */
  readonly unmatched: number;
  /** HTTP requests made, retries included. */
  readonly requests: number;
  /** Requests repeated after a transient failure. */
  readonly retries: number;
  /** Records the server rejected (`INGEST_INVALID`), and how many of them had each problem code. */
  readonly rejected: { readonly total: number; readonly byCode: Readonly<Record<string, number>> };
  readonly dropped: {
    /** All records lost, whatever the reason (the sum of the counters below). */
    readonly total: number;
    /** Refused because `maxBuffered` records were already queued or in flight. */
    readonly bufferFull: number;
    /** Refused by the client's own checks (not an object, no id, not serialisable…). */
    readonly invalid: number;
    /** Rejected by the server record by record (see `rejected`). */
    readonly rejected: number;
    /** In a batch the server refused as a whole (401, 403, 404, 413 for a single record, other 4xx). */
    readonly refused: number;
    /** In a batch whose retries ran out. */
    readonly retriesExhausted: number;
    /** Logged after `close()`. */
    readonly afterClose: number;
    /** Still queued or in flight when the deadline of `close()` passed. */
    readonly closedInFlight: number;
    /** `refused` and `retriesExhausted` by reason: the server's error code, `HTTP_<status>`, `network` or `timeout`. */
    readonly byReason: Readonly<Record<string, number>>;
  };
  /** Calls of the `toRecords` callback of {@link MonitorClient.wrap} that threw. */
  readonly toRecordsErrors: number;
  /** Records in requests that have not been answered yet. */
  readonly inFlight: number;
  /** Records waiting to be sent. */
  readonly buffered: number;
  /** The last few records the server rejected, newest last. */
  readonly lastProblems: readonly RejectedRecord[];
}

/**
 * The part of the `fetch` API the client uses; the global `fetch` of Node 20 fits. Injectable for
 * tests or for a custom agent.
 *
 * @example
 * ```ts
 * const logged: FetchLike = (url, init) => { console.log(url); return fetch(url, init); };
 * ```
 */
export type FetchLike = (
  url: string,
  init: {
    method: string;
    headers: Record<string, string>;
    body: string;
    signal: AbortSignal;
  },
) => Promise<{
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
}>;

/**
 * Options of {@link createClient}. Only `url`, `model` and `version` are required.
 *
 * @example
 * ```ts
 * const options: ClientOptions = { url: "http://127.0.0.1:8080", model: "bike", version: "1", batchSize: 500 };
 * ```
 */
export interface ClientOptions {
  /** Base URL of `tiktoktoe serve`, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  /** The registered model's name. */
  readonly model: string;
  /** The model version of the predictions (a record may override it). */
  readonly version: string;
  /** Bearer token with the `ingest` scope, when the server requires tokens. */
  readonly token?: string | undefined;
  /** Records per request. Default 1,000. */
  readonly batchSize?: number | undefined;
  /** A partial batch is sent at the latest this long after it was logged. Default 1,000 ms. */
  readonly flushIntervalMs?: number | undefined;
  /** Records queued or in flight at most; beyond it new records are dropped. Default 100,000. */
  readonly maxBuffered?: number | undefined;
  /** Attempts per batch, the first included, before it is dropped. Default 10. */
  readonly maxAttempts?: number | undefined;
  /** Cap of the exponential backoff before jitter, for the first retry. Default 500 ms. */
  readonly initialDelayMs?: number | undefined;
  /** Largest backoff cap. Default 30,000 ms. */
  readonly maxDelayMs?: number | undefined;
  /** A server's `Retry-After` is honoured up to this. Default 300,000 ms. */
  readonly maxRetryAfterMs?: number | undefined;
  /** A request unanswered this long is aborted and retried. Default 30,000 ms. */
  readonly requestTimeoutMs?: number | undefined;
  /** Default deadline of `close()`. Default 10,000 ms. */
  readonly closeTimeoutMs?: number | undefined;
  /** Told about every failure; its own exceptions are swallowed. */
  readonly onError?: ((info: ClientErrorInfo) => void) | undefined;
  /** Default: the global `fetch`. */
  readonly fetch?: FetchLike | undefined;
  /** Random numbers in [0, 1) for the backoff jitter. Default `Math.random`; inject for reproducible tests. */
  readonly random?: (() => number) | undefined;
  /** The clock for default event times, in epoch milliseconds. Default `Date.now`. */
  readonly now?: (() => number) | undefined;
}

/**
 * A record produced by the `toRecords` callback of {@link MonitorClient.wrap}: a prediction without
 * its latency (the wrapper measured it) and optionally without an id (the wrapper makes one).
 *
 * @example
 * ```ts
 * const record: WrappedRecord = { features: { temp: 0.3 }, prediction: 117 };
 * ```
 */
export interface WrappedRecord {
  readonly id?: string | number | undefined;
  readonly time?: TimeInput | undefined;
  readonly version?: string | undefined;
  readonly features: Readonly<Record<string, FeatureValue>>;
  readonly prediction: number | string | boolean;
  readonly scores?: PredictionInput["scores"];
  /** Default: the measured latency of the whole `run` call. */
  readonly latencyMs?: number | undefined;
}

/**
 * Options of {@link MonitorClient.wrap}.
 *
 * @example
 * ```ts
 * const options: WrapOptions<{ x: number[] }, { y: number[] }> = {
 *   toRecords: (feeds, outputs) => feeds.x.map((x, i) => ({ features: { x }, prediction: outputs.y[i]! })),
 * };
 * ```
 */
export interface WrapOptions<Feeds, Outputs> {
  /**
   * Turns one `run` call into the predictions to log: one record per call, or one per row of a
   * batch. Called after `run` resolved; what it throws is counted, never passed to the caller.
   */
  readonly toRecords: (
    feeds: Feeds,
    outputs: Outputs,
    latencyMs: number,
  ) => readonly WrappedRecord[] | WrappedRecord | undefined;
  /** Makes the id of a record that has none. Default `crypto.randomUUID()`. */
  readonly id?: (() => string) | undefined;
}

/**
 * Anything shaped like an onnxruntime-node `InferenceSession`: an object with
 * `run(feeds, …) => Promise<outputs>`.
 *
 * @example
 * ```ts
 * const session: SessionLike = { run: async (feeds: { x: number }) => ({ y: feeds.x * 2 }) };
 * ```
 */
export interface SessionLike {
  run(...args: never[]): unknown;
}

/**
 * The feeds (first argument of `run`) of a session type.
 *
 * @example
 * ```ts
 * type F = SessionFeeds<InferenceSession>; // InferenceSession.FeedsType
 * ```
 */
export type SessionFeeds<S extends SessionLike> = S extends { run(feeds: infer F, ...rest: never[]): unknown }
  ? F
  : never;

/**
 * The resolved outputs of `run` of a session type.
 *
 * @example
 * ```ts
 * type O = SessionOutputs<InferenceSession>; // InferenceSession.ReturnType
 * ```
 */
export type SessionOutputs<S extends SessionLike> = S extends { run(...args: never[]): infer R }
  ? Awaited<R>
  : never;

/**
 * The client: buffers, batches and sends predictions and labels to `tiktoktoe serve`. No method
 * throws; failures are counted in {@link MonitorClient.stats} and reported to `onError`.
 *
 * @example
 * ```ts
 * const monitor = createClient({ url: "http://127.0.0.1:8080", model: "bike", version: "1" });
 * monitor.logPrediction({ id: "a", features: { temp: 0.3 }, prediction: 117, latencyMs: 4.2 });
 * monitor.logLabel({ id: "a", value: 123 });
 * await monitor.close();
 * ```
 */
export interface MonitorClient {
  /**
   * Queues a prediction. Returns at once; returns `false` when the record was dropped (invalid,
   * buffer full, client closed).
   */
  logPrediction(event: PredictionInput): boolean;
  /** Queues a label. Returns `false` when the record was dropped. */
  logLabel(label: LabelInput): boolean;
  /**
   * Sends everything logged so far and resolves when each of those records was answered or dropped,
   * or after `timeoutMs` (nothing is dropped because of that timeout). Never rejects.
   */
  flush(options?: { readonly timeoutMs?: number }): Promise<void>;
  /**
   * Stops the timers, sends what is left, and resolves when done or at the deadline (default
   * `closeTimeoutMs`): what is still queued or in flight then is dropped and counted. Records logged
   * afterwards are dropped. Idempotent; never rejects.
   */
  close(options?: { readonly timeoutMs?: number }): Promise<void>;
  /** A snapshot of the counters. */
  stats(): ClientStats;
  /**
   * Returns a proxy of an onnxruntime-node `InferenceSession` (or anything with an async `run`) whose
   * `run` behaves exactly like the original — same arguments, same result object, same exceptions —
   * and logs the predictions `toRecords` makes of each call, with the measured latency.
   */
  wrap<S extends SessionLike>(session: S, options: WrapOptions<SessionFeeds<S>, SessionOutputs<S>>): S;
}
