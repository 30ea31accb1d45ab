import { TikTokToeError } from "../../errors/index.js";
import type { Logger } from "../../logging/index.js";
import {
  type BatchFormat,
  type IngestContext,
  type PredictionEvent,
  parseEventBatch,
  parseLabelBatch,
  TIME_RANGE_MS,
} from "../../monitor/index.js";
import type { EventsAppend, IngestAppend, IngestAppendResult, Store } from "../../store/index.js";
import type { Aggregator } from "../aggregator/index.js";
import { clockCheckpoint, type ModelRegistry, type ModelRuntime } from "../registry/index.js";
import { type IngestLimits, ingestContext } from "./context.js";
import { DeferredRecords } from "./deferred-records.js";
import { appendedWhole, deriveAppend } from "./derive.js";
import { type EventScanner, eventScanner } from "./event-scan.js";
import type { QueuePublisher } from "./queued-append.js";
import type { SerialChain } from "./serial-chain.js";
import type { StoreHealth } from "./store-health.js";

/** The answer to an ingest request the store took (no queue). */
export interface StoredIngestResult {
  readonly queued?: undefined;
  readonly accepted: number;
  readonly duplicates: number;
  /** Labels whose event is unknown (not ingested, or older than the lateness). */
  readonly unmatched?: number;
}

/**
 * The answer to an ingest request published to the queue (`--queue`, HTTP 202): durable in the
 * queue, stored by a worker shortly; duplicates and unmatched labels are the worker's to know.
 */
export interface QueuedIngestResult {
  readonly queued: true;
  /** The records validated and queued. */
  readonly accepted: number;
  /** The batch's id on the queue (sha256 of model, kind and body): a resend of the body is this batch again. */
  readonly batch: string;
}

/** The answer to an ingest request. */
export type IngestResult = StoredIngestResult | QueuedIngestResult;

/** Options of {@link Ingest}. */
export interface IngestOptions {
  readonly store: Store;
  readonly registry: ModelRegistry;
  readonly health: StoreHealth;
  /** The ingest chain: group commits, then the aggregation of what they appended, in order. */
  readonly chain: SerialChain;
  readonly aggregator: Aggregator;
  readonly limits: IngestLimits;
  readonly log: Logger;
  /** Answered predictions waiting to be recorded, at most (default 100,000); then /predict answers 503. */
  readonly maxDeferredRecords?: number;
  /** How long answered predictions gather before one commit writes them (ms). Default 50. */
  readonly deferredGatherMs?: number;
  /**
   * With a queue (`--queue`, API role): validated batches are published to it, not appended; a worker
   * appends them (store-writer.ts).
   */
  readonly publisher?: QueuePublisher;
  /**
   * The API role's validator of typical NDJSON event batches before the parser (event-scan.ts).
   * Default: the native addon's, when it is built; null: the parser judges every batch.
   */
  readonly scanner?: EventScanner | null;
}

/** An answered prediction as the store appends it: its index entry and its logged line. */
type AnsweredEntry = EventsAppend["events"][number];

interface PendingBatch {
  readonly append: IngestAppend;
  /** The parsed records of an events append, when kept: the aggregator takes them after the commit. */
  readonly records?: readonly PredictionEvent[] | undefined;
  readonly resolve: (result: IngestAppendResult) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * The write path: validates a whole batch (nothing stored when a record is bad), appends it durably
 * with every batch that arrived meanwhile (group commit: one transaction, one log row per batch; the
 * store deduplicates by id and joins labels to their events), answers, then hands the log's tail to
 * the aggregator. The answer waits only for the durable append. The `/predict` endpoint and the SDKs
 * go through {@link ingestEvents}.
 *
 * @example
 * ```ts
 * const answer = await ingest.ingestEvents("bike", ndjson, "ndjson"); // { accepted: 1000, duplicates: 0 }
 * ```
 */
export class Ingest {
  private pending: PendingBatch[] = [];
  private scheduled = false;
  /** Counters for /metrics. */
  readonly counters = { duplicates: 0, rejectedBatches: 0, unmatchedLabels: 0 };
  /** Records of answers already given, written just after them ({@link recordAnswered}). */
  private readonly deferred: DeferredRecords;
  private readonly scanner: EventScanner | null;

  constructor(private readonly options: IngestOptions) {
    // Only the API role's path uses it (the direct path needs the parsed records anyway).
    this.scanner =
      options.publisher === undefined
        ? null
        : options.scanner === undefined
          ? eventScanner()
          : options.scanner;
    this.deferred = new DeferredRecords({
      write: (model, entries) => this.appendAnswered(model, entries as readonly AnsweredEntry[]),
      maxPending: options.maxDeferredRecords ?? 100_000,
      gatherMs: options.deferredGatherMs ?? 250,
      log: options.log,
    });
  }

  /**
   * Throws `STORE_UNAVAILABLE` when too many answered predictions wait to be recorded (the store is
   * down or slow); `/predict` asks before it runs a model.
   */
  admitAnswered(): void {
    this.deferred.admit();
  }

  /**
   * Records events of answers already given (`/predict`): validated and appended like
   * {@link ingestEvents}, but after the answer, in the next group commit (see {@link DeferredRecords}
   * for what that trades). Labels of the model wait for them.
   */
  recordAnswered(model: string, events: readonly unknown[]): void {
    // Validated now and kept as the store will append it (an index entry and a JSON line), not as
    // the event objects: those would live through a few collections of the young generation, and
    // copying their graphs (a features object, a heap number per value) made the collector's pauses
    // the largest part of /predict's tail.
    const runtime = this.options.registry.runtime(model);
    const derived = deriveAppend(
      { model, kind: "events", format: "json", text: events, receivedMs: 0 },
      this.context(runtime),
      runtime.window,
    );
    if (!derived.ok || derived.append.kind !== "events") {
      this.deferred.dropped += events.length;
      this.options.log.error("answered predictions are not valid events; not recorded", {
        model,
        problems: derived.ok ? [] : derived.problems.slice(0, 5),
      });
      return;
    }
    this.deferred.add(model, derived.append.events);
  }

  /** Appends answered predictions (their entries, validated when recorded): the deferred write. */
  private async appendAnswered(model: string, entries: readonly AnsweredEntry[]): Promise<void> {
    if (this.options.publisher !== undefined) {
      // As an NDJSON batch of their lines: the worker derives the same entries from it.
      const body = Buffer.from(entries.map((entry) => entry.source).join("\n"), "utf8");
      const context = this.context(this.options.registry.runtime(model));
      await this.queued("events", model, "ndjson", context, body, entries.length);
      return;
    }
    const result = await this.append({
      kind: "events",
      model,
      receivedMs: this.options.registry.wallNow(),
      events: entries,
    });
    this.counters.duplicates += result.duplicates;
  }

  /** Resolves once the answered records of `model` (of every model without one) are durable. */
  flushAnswered(model?: string): Promise<void> {
    return this.deferred.flush(model);
  }

  /**
   * Writes the answered records at shutdown; a store that stays down holds it `timeoutMs` at most
   * (the records still waiting are then lost, and logged as such).
   */
  async closeAnswered(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.deferred.flush(undefined, true),
      new Promise((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (this.deferred.size > 0)
      this.options.log.error("closing with answered predictions not recorded", {
        waiting: this.deferred.size,
      });
  }

  /** Answered records waiting, and those dropped for good (for /metrics). */
  get answeredBacklog(): { waiting: number; dropped: number } {
    return { waiting: this.deferred.size, dropped: this.deferred.dropped };
  }

  /**
   * Validates a batch of events and appends it durably; the store deduplicates by id against every
   * event it has accepted (within the retention). Aggregation follows in the ingest chain, from the log.
   * `body` is the request's bytes or text (NDJSON or a JSON array, per `format`) or the event objects
   * themselves (`/predict` logs its predictions this way): validated the same, line numbers counted
   * from 1. With a queue (API role) a valid batch is published as sent; the native scanner vouches
   * for a typical NDJSON body, and the parser judges every other one (and says why it is invalid).
   *
   * @example
   * ```ts
   * await ingest.ingestEvents("bike", [{ id: "e1", time: Date.now(), version: "1", features, prediction: 3 }]);
   * ```
   */
  async ingestEvents(
    model: string,
    body: string | Uint8Array | readonly unknown[],
    format: BatchFormat = "ndjson",
  ): Promise<IngestResult> {
    const runtime = this.options.registry.runtime(model);
    const context = this.context(runtime);
    const request = requestBody(body, format);
    if (this.options.publisher !== undefined) {
      const bytes = request.bytes();
      let accepted = request.format === "ndjson" && this.scanner !== null ? this.scanner(bytes, context) : -1;
      if (accepted < 0) {
        const parsed = parseEventBatch(request.text(), request.format, context);
        if (!parsed.ok) throw this.rejected(parsed.problems, parsed.truncated);
        accepted = parsed.records.length;
      }
      return this.queued("events", model, request.format, context, bytes, accepted);
    }
    const derived = deriveAppend(
      {
        model,
        kind: "events",
        format: request.format,
        // The server's own event objects (answered predictions) are validated as objects: their
        // JSON round trip was most of what recording an answer allocated.
        text: typeof body === "string" || body instanceof Uint8Array ? request.text() : body,
        receivedMs: this.options.registry.wallNow(),
      },
      context,
      runtime.window,
    );
    if (!derived.ok) throw this.rejected(derived.problems, derived.truncated);
    const result = await this.append(derived.append, derived.records);
    this.counters.duplicates += result.duplicates;
    return { accepted: result.accepted, duplicates: result.duplicates };
  }

  /** Validates and appends labels; the store joins each to its event by id (unmatched: unknown id). */
  async ingestLabels(
    model: string,
    body: string | Uint8Array | readonly unknown[],
    format: BatchFormat = "ndjson",
  ): Promise<IngestResult> {
    const runtime = this.options.registry.runtime(model);
    // A label must never arrive before its event: the model's answered predictions go first.
    await this.deferred.flush(model);
    const context = this.context(runtime);
    const request = requestBody(body, format);
    if (this.options.publisher !== undefined) {
      const parsed = parseLabelBatch(request.text(), request.format, context);
      if (!parsed.ok) throw this.rejected(parsed.problems, parsed.truncated);
      return this.queued("labels", model, request.format, context, request.bytes(), parsed.records.length);
    }
    const derived = deriveAppend(
      {
        model,
        kind: "labels",
        format: request.format,
        text: request.text(),
        receivedMs: this.options.registry.wallNow(),
      },
      context,
      runtime.window,
    );
    if (!derived.ok) throw this.rejected(derived.problems, derived.truncated);
    const result = await this.append(derived.append);
    this.counters.duplicates += result.duplicates;
    this.counters.unmatchedLabels += result.unmatched;
    return { accepted: result.accepted, duplicates: result.duplicates, unmatched: result.unmatched };
  }

  /**
   * Moves a model's event clock forward without an event (`POST /v1/models/{model}/clock`), so a
   * replay's last windows close on their own data: the alternative, a synthetic late event, is a
   * window of one fake event. The time obeys the same bounds as an event's (1970–2100, and at most
   * the clock's jump bound ahead, `monitor.max_clock_jump`); an earlier time leaves the clock as it is,
   * so a retried request is harmless. Durable: the model's clock checkpoint is written before the
   * answer (a restart starts from it). The caller (MonitorService) then flushes the windows it makes final.
   *
   * @example
   * ```ts
   * await service.advanceClock("bike", { time: "2013-01-14T00:00:00Z" });
   * ```
   */
  async advanceClock(model: string, body: unknown): Promise<{ clock: string; previous: string }> {
    const runtime = this.options.registry.runtime(model);
    if (this.options.registry.clockKind !== "event")
      throw new TikTokToeError(
        "REQUEST_INVALID",
        "this server runs on the wall clock: its windows close as time passes",
        { path: "", hint: "start the server with --clock event to drive windows by event time" },
      );
    if (typeof body !== "object" || body === null || Array.isArray(body))
      throw new TikTokToeError("REQUEST_INVALID", 'the body must be a JSON object {"time": …}', { path: "" });
    const fields = body as Record<string, unknown>;
    for (const name of Object.keys(fields))
      if (name !== "time") throw new TikTokToeError("REQUEST_INVALID", "unknown field", { path: name });
    const value = fields.time;
    const ms =
      typeof value === "number"
        ? value
        : typeof value === "string" && /(?:Z|[+-]\d\d:?\d\d)$/i.test(value)
          ? Date.parse(value)
          : Number.NaN;
    if (!Number.isFinite(ms))
      throw new TikTokToeError(
        "REQUEST_INVALID",
        'time must be ISO 8601 with a zone ("2013-01-14T00:00:00Z") or epoch milliseconds',
        { path: "time" },
      );
    if (ms < TIME_RANGE_MS.min || ms >= TIME_RANGE_MS.max)
      throw new TikTokToeError(
        "REQUEST_INVALID",
        `time ${JSON.stringify(value)} is outside 1970-01-01 to 2100-01-01; epoch times are in milliseconds`,
        { path: "time" },
      );
    await this.options.chain.idle();
    const before = runtime.clock.now();
    if (!Number.isFinite(before))
      throw new TikTokToeError(
        "REQUEST_INVALID",
        `model "${model}" has no events yet: its clock has not started`,
        {
          path: "time",
          hint: "the event clock starts at the first event; send events first",
        },
      );
    // The same bound as an event's: a mistyped time must not close every open window for good.
    const newest = this.context(runtime).newestAcceptedMs;
    if (ms > newest)
      throw new TikTokToeError(
        "REQUEST_INVALID",
        `time ${new Date(ms).toISOString()} is further ahead of the clock (${new Date(before).toISOString()}) than monitor.max_clock_jump allows (newest accepted: ${new Date(newest).toISOString()})`,
        { path: "time", hint: "advance the clock in steps no larger than monitor.max_clock_jump" },
      );
    if (ms > before) {
      // Durable before it counts: the checkpointed clock is what a restart starts from.
      try {
        await this.options.store.putCheckpoint(clockCheckpoint(model), ms);
      } catch (error) {
        throw this.options.health.refused(error);
      }
      runtime.clock.observe(ms);
    }
    return { clock: new Date(runtime.clock.now()).toISOString(), previous: new Date(before).toISOString() };
  }

  /**
   * Publishes a validated batch to the queue as sent, with what the worker needs to derive the same
   * append (derive.ts); the answer waits for the queue's acknowledgement only.
   */
  private async queued(
    kind: IngestAppend["kind"],
    model: string,
    format: BatchFormat,
    context: IngestContext,
    body: Uint8Array,
    records: number,
  ): Promise<QueuedIngestResult> {
    const { batch } = await this.options.publisher!.publish(
      { model, kind, format, receivedMs: this.options.registry.wallNow(), nowMs: context.nowMs },
      body,
    );
    return { queued: true, accepted: records, batch };
  }

  private context(runtime: ModelRuntime): IngestContext {
    return ingestContext(this.options.registry, runtime, this.options.limits);
  }

  private rejected(
    problems: readonly { line: number; field: string; code: string; message: string }[],
    truncated: boolean,
  ): TikTokToeError {
    this.counters.rejectedBatches++;
    const lines = new Set(problems.map((p) => p.line)).size;
    const count = truncated
      ? `at least ${lines} record(s) are invalid (validation stopped at the first ${problems.length} problems)`
      : `${lines} record(s) are invalid`;
    return new TikTokToeError("INGEST_INVALID", `${count}; nothing was stored`, {
      problems,
      problemsTruncated: truncated,
      hint: "drop or fix the records listed in problems and resend the batch",
    });
  }

  /**
   * Queues a batch for the next group commit and resolves with what the store did once it is durable.
   * Every batch that arrives before the next turn of the event loop shares one transaction.
   */
  private append(append: IngestAppend, records?: readonly PredictionEvent[]): Promise<IngestAppendResult> {
    return new Promise<IngestAppendResult>((resolve, reject) => {
      this.pending.push({ append, records, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          // commit() settles every item itself; a failure here is a bug, logged.
          this.options.chain
            .run(() => this.commit())
            .catch((error: unknown) => {
              this.options.log.error("a group commit failed", { error });
            });
        });
      }
    });
  }

  private async commit(): Promise<void> {
    this.scheduled = false;
    const items = this.pending;
    this.pending = [];
    if (items.length === 0) return;
    let results: IngestAppendResult[];
    try {
      results = await this.options.store.appendIngest(items.map((i) => i.append));
      this.options.health.succeeded();
    } catch (error) {
      const refused = this.options.health.refused(error);
      for (const item of items) item.reject(refused);
      return;
    }
    // Durable now: answer first, then aggregate (later reads and flushes wait for it): from the
    // records in hand where the batches were logged whole, from the log for the rest.
    for (const [i, item] of items.entries()) item.resolve(results[i]!);
    await this.options.aggregator.aggregateAppended(appendedWhole(items, results));
  }
}

/** A request's body in the two forms the paths need, each made at most once, only when needed. */
interface RequestBody {
  readonly format: BatchFormat;
  /** The body's bytes (what the queue carries and the batch id hashes). */
  bytes(): Uint8Array;
  /** The body's text (what the parser reads): the bytes decoded as UTF-8. */
  text(): string;
}

function requestBody(body: string | Uint8Array | readonly unknown[], format: BatchFormat): RequestBody {
  if (body instanceof Uint8Array) {
    let text: string | undefined;
    return {
      format,
      bytes: () => body,
      text: () => (text ??= Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8")),
    };
  }
  // Event objects (`/predict`, the SDKs in process) are a JSON array's text, as before (made only
  // when asked for: the in-process path validates the objects themselves).
  let text: string | undefined = typeof body === "string" ? body : undefined;
  let bytes: Uint8Array | undefined;
  const asText = () => (text ??= JSON.stringify(body));
  return {
    format: typeof body === "string" ? format : "json",
    bytes: () => (bytes ??= Buffer.from(asText(), "utf8")),
    text: asText,
  };
}
