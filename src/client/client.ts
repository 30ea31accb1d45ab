import { backoffDelay, parseRetryAfter } from "./backoff.js";
import { type Encoded, type EncodeResult, encodeLabel, encodePrediction } from "./encode.js";
import type {
  ClientErrorInfo,
  ClientOptions,
  ClientStats,
  FetchLike,
  LabelInput,
  MonitorClient,
  PredictionInput,
  RecordKind,
  RejectedRecord,
  SessionFeeds,
  SessionLike,
  SessionOutputs,
  WrapOptions,
} from "./types.js";
import { wrapSession } from "./wrap.js";

const DEFAULTS = {
  batchSize: 1000,
  flushIntervalMs: 1000,
  maxBuffered: 100_000,
  maxAttempts: 10,
  initialDelayMs: 500,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 300_000,
  requestTimeoutMs: 30_000,
  closeTimeoutMs: 10_000,
};
const KEEP_PROBLEMS = 10;

type Timer = ReturnType<typeof setTimeout>;

/** One stream (events or labels): a FIFO of encoded records and the counters flush waits on. */
interface Queue {
  readonly kind: RecordKind;
  readonly path: string;
  entries: Encoded[];
  /** Records ever queued; a record's sequence number is its position in this count. */
  enqueued: number;
  /** Records taken out and finished (answered or dropped), in order: batches finish one at a time. */
  settled: number;
  /** Records with a sequence number below this are sent even as a partial batch. */
  due: number;
}

interface Waiter {
  readonly events: number;
  readonly labels: number;
  readonly resolve: () => void;
}

type Outcome =
  | {
      readonly answered: true;
      readonly status: number;
      readonly retryAfter: string | null;
      readonly text: string;
    }
  | { readonly answered: false; readonly timedOut: boolean; readonly error: unknown };

/**
 * Creates a client that sends predictions and labels to `tiktoktoe serve`. It has no dependencies
 * beyond the global `fetch`, timers and `AbortController`, never keeps a process alive on its own
 * (its timers are unref'd), and never throws into its host.
 *
 * Defaults: batches of 1,000 records, a partial batch sent every second, at most 100,000 records
 * queued or in flight, 10 attempts per batch with full-jitter backoff from 500 ms up to 30 s
 * (`Retry-After` honoured), requests aborted after 30 s, `close()` waiting at most 10 s.
 *
 * @example
 * ```ts
 * import { createClient } from "tiktoktoe/client";
 *
 * const monitor = createClient({ url: "http://127.0.0.1:8080", model: "bike", version: "1" });
 * monitor.logPrediction({ id: "req-1", features: { temp: 0.3, season: "1" }, prediction: 117, latencyMs: 3.1 });
 * monitor.logLabel({ id: "req-1", value: 123 });
 * process.on("SIGTERM", () => void monitor.close());
 * ```
 */
export function createClient(options: ClientOptions): MonitorClient {
  return new Client(options);
}

class Client implements MonitorClient {
  private readonly batchSize: number;
  private readonly maxBuffered: number;
  private readonly maxAttempts: number;
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly requestTimeoutMs: number;
  private readonly closeTimeoutMs: number;
  private readonly version: string;
  private readonly headers: Record<string, string>;
  private readonly fetchImpl: FetchLike | undefined;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly onError: ((info: ClientErrorInfo) => void) | undefined;
  private readonly events: Queue;
  private readonly labels: Queue;
  private readonly waiters = new Set<Waiter>();
  private readonly interval: Timer | undefined;

  private counts = {
    logged: 0,
    sent: 0,
    accepted: 0,
    duplicates: 0,
    unmatched: 0,
    requests: 0,
    retries: 0,
    bufferFull: 0,
    invalid: 0,
    rejected: 0,
    refused: 0,
    retriesExhausted: 0,
    afterClose: 0,
    closedInFlight: 0,
    toRecordsErrors: 0,
  };
  private readonly rejectedByCode: Record<string, number> = {};
  private readonly droppedByReason: Record<string, number> = {};
  private readonly lastProblems: RejectedRecord[] = [];
  private inFlight = 0;
  private bufferFullEpisode = false;
  private running = false;
  private loopDone: Promise<void> = Promise.resolve();
  private closed = false;
  private closing: Promise<void> | undefined;
  /** Set when close's deadline passed: everything left is dropped, nothing more is sent. */
  private aborted = false;
  private controller: AbortController | undefined;
  private sleeping: { timer: Timer; wake: () => void } | undefined;

  constructor(options: ClientOptions) {
    const positive = (value: number | undefined, fallback: number, integer = false) =>
      typeof value === "number" &&
      Number.isFinite(value) &&
      value > 0 &&
      (!integer || Number.isInteger(value))
        ? value
        : fallback;
    // A bad option must not throw from the constructor either: fall back to the default.
    this.batchSize = positive(options?.batchSize, DEFAULTS.batchSize, true);
    this.maxBuffered = positive(options?.maxBuffered, DEFAULTS.maxBuffered, true);
    this.maxAttempts = positive(options?.maxAttempts, DEFAULTS.maxAttempts, true);
    this.initialDelayMs = positive(options?.initialDelayMs, DEFAULTS.initialDelayMs);
    this.maxDelayMs = positive(options?.maxDelayMs, DEFAULTS.maxDelayMs);
    this.maxRetryAfterMs = positive(options?.maxRetryAfterMs, DEFAULTS.maxRetryAfterMs);
    this.requestTimeoutMs = positive(options?.requestTimeoutMs, DEFAULTS.requestTimeoutMs);
    this.closeTimeoutMs = positive(options?.closeTimeoutMs, DEFAULTS.closeTimeoutMs);
    this.version = String(options?.version ?? "");
    this.fetchImpl =
      options?.fetch ??
      (typeof globalThis.fetch === "function" ? (globalThis.fetch as FetchLike) : undefined);
    this.random = options?.random ?? Math.random;
    this.now = options?.now ?? Date.now;
    this.onError = options?.onError;
    this.headers = { "content-type": "application/x-ndjson" };
    if (typeof options?.token === "string" && options.token !== "")
      this.headers.authorization = `Bearer ${options.token}`;
    const base = `${String(options?.url ?? "").replace(/\/+$/, "")}/v1/models/${encodeURIComponent(String(options?.model ?? ""))}`;
    this.events = { kind: "events", path: `${base}/events`, entries: [], enqueued: 0, settled: 0, due: 0 };
    this.labels = { kind: "labels", path: `${base}/labels`, entries: [], enqueued: 0, settled: 0, due: 0 };
    const flushIntervalMs = positive(options?.flushIntervalMs, DEFAULTS.flushIntervalMs);
    try {
      this.interval = setInterval(() => this.tick(), flushIntervalMs);
      unref(this.interval);
    } catch {
      // No timers in this runtime: batches still go when full, and on flush/close.
    }
  }

  logPrediction(event: PredictionInput): boolean {
    try {
      return this.enqueue(this.events, () => encodePrediction(event, this.version, this.now()));
    } catch (error) {
      this.internal(error);
      return false;
    }
  }

  logLabel(label: LabelInput): boolean {
    try {
      return this.enqueue(this.labels, () => encodeLabel(label));
    } catch (error) {
      this.internal(error);
      return false;
    }
  }

  flush(options?: { readonly timeoutMs?: number }): Promise<void> {
    try {
      return this.drain(options?.timeoutMs);
    } catch (error) {
      this.internal(error);
      return Promise.resolve();
    }
  }

  close(options?: { readonly timeoutMs?: number }): Promise<void> {
    try {
      if (this.closing === undefined) {
        this.closed = true;
        if (this.interval !== undefined) clearInterval(this.interval);
        this.closing = this.shutdown(options?.timeoutMs ?? this.closeTimeoutMs).catch((error: unknown) =>
          this.internal(error),
        );
      }
      return this.closing;
    } catch (error) {
      this.internal(error);
      return Promise.resolve();
    }
  }

  stats(): ClientStats {
    const c = this.counts;
    return {
      logged: c.logged,
      sent: c.sent,
      accepted: c.accepted,
      duplicates: c.duplicates,
      unmatched: c.unmatched,
      requests: c.requests,
      retries: c.retries,
      rejected: { total: c.rejected, byCode: { ...this.rejectedByCode } },
      dropped: {
        total:
          c.bufferFull +
          c.invalid +
          c.rejected +
          c.refused +
          c.retriesExhausted +
          c.afterClose +
          c.closedInFlight,
        bufferFull: c.bufferFull,
        invalid: c.invalid,
        rejected: c.rejected,
        refused: c.refused,
        retriesExhausted: c.retriesExhausted,
        afterClose: c.afterClose,
        closedInFlight: c.closedInFlight,
        byReason: { ...this.droppedByReason },
      },
      toRecordsErrors: c.toRecordsErrors,
      inFlight: this.inFlight,
      buffered: this.events.entries.length + this.labels.entries.length,
      lastProblems: [...this.lastProblems],
    };
  }

  wrap<S extends SessionLike>(session: S, options: WrapOptions<SessionFeeds<S>, SessionOutputs<S>>): S {
    try {
      return wrapSession(session, options, {
        log: (event) => this.logPrediction(event),
        failed: (error) => {
          this.counts.toRecordsErrors++;
          this.report({
            type: "to_records",
            message: `toRecords threw: ${describe(error)}`,
            error,
          });
        },
      });
    } catch (error) {
      // Monitoring must not stop the host from predicting: hand back the session itself.
      this.internal(error);
      return session;
    }
  }

  // ---- buffering --------------------------------------------------------------------------------

  private enqueue(queue: Queue, encode: () => EncodeResult): boolean {
    if (this.closed) {
      // Reported once: a host that keeps logging during shutdown would otherwise flood onError.
      if (this.counts.afterClose++ === 0)
        this.report({
          type: "closed",
          kind: queue.kind,
          message: "the client is closed; records logged from now on are dropped",
          records: 1,
        });
      return false;
    }
    const held = this.events.entries.length + this.labels.entries.length + this.inFlight;
    if (held >= this.maxBuffered) {
      this.counts.bufferFull++;
      // Once per episode: a full buffer under load would otherwise call onError thousands of times a second.
      if (!this.bufferFullEpisode) {
        this.bufferFullEpisode = true;
        this.report({
          type: "buffer_full",
          kind: queue.kind,
          message: `${held} records queued or in flight (maxBuffered ${this.maxBuffered}); dropping new records until the buffer drains`,
        });
      }
      return false;
    }
    this.bufferFullEpisode = false;
    const encoded = encode();
    if (!encoded.ok) {
      this.counts.invalid++;
      this.report({ type: "invalid_input", kind: queue.kind, message: encoded.reason, records: 1 });
      return false;
    }
    queue.entries.push(encoded.value);
    queue.enqueued++;
    this.counts.logged++;
    if (queue.entries.length >= this.batchSize) this.kick();
    return true;
  }

  private tick(): void {
    try {
      this.events.due = this.events.enqueued;
      this.labels.due = this.labels.enqueued;
      this.kick();
    } catch (error) {
      this.internal(error);
    }
  }

  private ready(queue: Queue): boolean {
    const waiting = queue.entries.length;
    return waiting >= this.batchSize || (waiting > 0 && queue.enqueued - waiting < queue.due);
  }

  /** Starts the send loop unless it runs already. One loop, one request at a time, events before labels. */
  private kick(): void {
    if (this.running || this.aborted) return;
    if (!this.ready(this.events) && !this.ready(this.labels)) return;
    this.running = true;
    this.loopDone = this.loop();
  }

  private async loop(): Promise<void> {
    try {
      // Leave the host's call stack first: logPrediction must stay cheap even when it fills a batch.
      await Promise.resolve();
      for (;;) {
        if (this.aborted) break;
        // A label must not overtake its prediction (the server would answer "unmatched"): whenever
        // labels are about to go, every event logged before them goes first.
        if (this.ready(this.labels)) this.events.due = Math.max(this.events.due, this.events.enqueued);
        const queue = this.ready(this.events)
          ? this.events
          : this.ready(this.labels)
            ? this.labels
            : undefined;
        if (queue === undefined) break;
        const batch = queue.entries.splice(0, this.batchSize);
        this.inFlight += batch.length;
        try {
          await this.deliver(queue, batch);
        } finally {
          queue.settled += batch.length;
          this.notify();
        }
      }
    } catch (error) {
      this.internal(error);
    } finally {
      this.running = false;
      this.notify();
    }
    // Records may have become ready while the last request was answered.
    if (!this.aborted) this.kick();
  }

  private notify(): void {
    for (const waiter of this.waiters)
      if (this.events.settled >= waiter.events && this.labels.settled >= waiter.labels) {
        this.waiters.delete(waiter);
        waiter.resolve();
      }
  }

  private drain(timeoutMs: number | undefined): Promise<void> {
    const target = { events: this.events.enqueued, labels: this.labels.enqueued };
    this.events.due = Math.max(this.events.due, target.events);
    this.labels.due = Math.max(this.labels.due, target.labels);
    return new Promise<void>((resolve) => {
      let timer: Timer | undefined;
      const waiter: Waiter = {
        ...target,
        resolve: () => {
          if (timer !== undefined) clearTimeout(timer);
          resolve();
        },
      };
      this.waiters.add(waiter);
      // The host is awaiting this: a backoff sleep must now keep the process alive, or the process
      // could exit with the await still pending.
      if (this.sleeping !== undefined) ref(this.sleeping.timer);
      if (typeof timeoutMs === "number" && Number.isFinite(timeoutMs) && timeoutMs >= 0)
        timer = setTimeout(() => {
          this.waiters.delete(waiter);
          // Nobody awaits any more: a long Retry-After must not hold the process either.
          if (this.waiters.size === 0 && this.sleeping !== undefined) unref(this.sleeping.timer);
          resolve();
        }, timeoutMs);
      this.kick();
      this.notify();
    });
  }

  private async shutdown(timeoutMs: number): Promise<void> {
    await this.drain(timeoutMs);
    if (this.events.entries.length + this.labels.entries.length + this.inFlight === 0) return;
    this.aborted = true;
    this.controller?.abort();
    this.sleeping?.wake();
    await this.loopDone;
    for (const queue of [this.events, this.labels]) {
      const left = queue.entries.splice(0);
      if (left.length === 0) continue;
      this.counts.closedInFlight += left.length;
      queue.settled += left.length;
      this.report({
        type: "closed",
        kind: queue.kind,
        message: `${left.length} record(s) were still queued when close's deadline passed`,
        records: left.length,
      });
    }
    this.notify();
  }

  // ---- sending ----------------------------------------------------------------------------------

  /**
   * Sends one batch until every record in it is answered or dropped. A 413 splits it in halves (sent
   * in order); an `INGEST_INVALID` answer drops the records it lists and resends the rest at once;
   * transient failures are retried with backoff. `inFlight` shrinks as records finish; the queue's
   * `settled` is advanced by the caller once the whole batch is done.
   */
  private async deliver(queue: Queue, batch: Encoded[]): Promise<void> {
    const parts: Encoded[][] = [batch];
    while (parts.length > 0) {
      let part = parts.shift()!;
      let failures = 0;
      while (part.length > 0) {
        if (this.aborted) {
          const left = part.length + parts.reduce((n, p) => n + p.length, 0);
          this.finish(left);
          this.counts.closedInFlight += left;
          this.report({
            type: "closed",
            kind: queue.kind,
            message: `${left} record(s) were in flight when close's deadline passed`,
            records: left,
          });
          return;
        }
        const outcome = await this.post(queue.path, part);
        if (outcome.answered && outcome.status >= 200 && outcome.status < 300) {
          this.acknowledged(part.length, outcome.text);
          part = [];
          continue;
        }
        // Close's deadline aborted the request: the top of the loop counts the records as dropped.
        if (this.aborted) continue;
        const body = outcome.answered ? parseJson(outcome.text) : undefined;
        const code = typeof body?.code === "string" ? body.code : undefined;
        if (outcome.answered && outcome.status === 400 && code === "INGEST_INVALID") {
          const rest = this.dropProblems(queue, part, body?.problems);
          if (rest !== undefined) {
            part = rest;
            continue;
          }
          // No usable line numbers: resending the same batch would earn the same answer.
        }
        if (outcome.answered && outcome.status === 413 && part.length > 1) {
          const half = Math.ceil(part.length / 2);
          parts.unshift(part.slice(0, half), part.slice(half));
          part = [];
          continue;
        }
        const transient =
          !outcome.answered ||
          outcome.status === 408 ||
          outcome.status === 429 ||
          (outcome.status >= 500 && outcome.status <= 599);
        const reason = outcome.answered
          ? (code ?? `HTTP_${outcome.status}`)
          : outcome.timedOut
            ? "timeout"
            : "network";
        const message = outcome.answered
          ? `HTTP ${outcome.status}${code === undefined ? "" : ` ${code}`}${typeof body?.message === "string" ? `: ${body.message}` : ""}`
          : outcome.timedOut
            ? `no answer within ${this.requestTimeoutMs} ms`
            : `network error: ${describe(outcome.error)}`;
        const status = outcome.answered ? { status: outcome.status } : { error: outcome.error };
        const withCode = code === undefined ? {} : { code };
        if (!transient) {
          this.drop(part.length, "refused", reason);
          this.report({
            type: "refused",
            kind: queue.kind,
            message,
            records: part.length,
            ...status,
            ...withCode,
          });
          part = [];
          continue;
        }
        failures++;
        if (failures >= this.maxAttempts) {
          this.drop(part.length, "retriesExhausted", reason);
          this.report({
            type: "gave_up",
            kind: queue.kind,
            message: `gave up after ${failures} attempts: ${message}`,
            records: part.length,
            ...status,
            ...withCode,
          });
          part = [];
          continue;
        }
        let delay = backoffDelay(failures, this.initialDelayMs, this.maxDelayMs, this.random);
        const retryAfter = outcome.answered ? parseRetryAfter(outcome.retryAfter, this.now()) : undefined;
        // Waiting less than the server asked would only earn another 429; an absurd Retry-After is capped.
        if (retryAfter !== undefined) delay = Math.min(Math.max(delay, retryAfter), this.maxRetryAfterMs);
        this.counts.retries++;
        this.report({
          type: "retry",
          kind: queue.kind,
          message,
          records: part.length,
          retryInMs: delay,
          ...status,
          ...withCode,
        });
        await this.sleep(delay);
      }
    }
  }

  private async post(url: string, part: readonly Encoded[]): Promise<Outcome> {
    const fetchImpl = this.fetchImpl;
    if (fetchImpl === undefined)
      return { answered: false, timedOut: false, error: new Error("no global fetch in this runtime") };
    const controller = new AbortController();
    this.controller = controller;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.requestTimeoutMs);
    unref(timer);
    this.counts.requests++;
    try {
      let body = "";
      for (const entry of part) body += `${entry.line}\n`;
      const response = await fetchImpl(url, {
        method: "POST",
        headers: this.headers,
        body,
        signal: controller.signal,
      });
      // Always read the body: it carries the problems, and an unread body holds the connection.
      const text = await response.text();
      return {
        answered: true,
        status: response.status,
        retryAfter: response.headers.get("retry-after"),
        text,
      };
    } catch (error) {
      return { answered: false, timedOut, error };
    } finally {
      clearTimeout(timer);
      if (this.controller === controller) this.controller = undefined;
    }
  }

  private acknowledged(records: number, text: string): void {
    this.finish(records);
    this.counts.sent += records;
    const body = parseJson(text);
    const count = (value: unknown) => (typeof value === "number" && Number.isFinite(value) ? value : 0);
    this.counts.accepted += count(body?.accepted);
    this.counts.duplicates += count(body?.duplicates);
    this.counts.unmatched += count(body?.unmatched);
  }

  /**
   * Drops the records an `INGEST_INVALID` answer lists (its `line`s are 1-based lines of the body we
   * sent, one record per line) and returns the rest to resend — or `undefined` when no listed line
   * is in the batch, so that the caller does not resend the same body forever.
   */
  private dropProblems(queue: Queue, part: readonly Encoded[], problems: unknown): Encoded[] | undefined {
    if (!Array.isArray(problems)) return undefined;
    const byLine = new Map<number, Array<{ field: string; code: string; message: string }>>();
    for (const p of problems) {
      if (typeof p !== "object" || p === null) continue;
      const { line, field, code, message } = p as Record<string, unknown>;
      if (typeof line !== "number" || !Number.isInteger(line) || line < 1 || line > part.length) continue;
      const list = byLine.get(line) ?? [];
      list.push({
        field: typeof field === "string" ? field : "",
        code: typeof code === "string" ? code : "unknown",
        message: typeof message === "string" ? message : "",
      });
      byLine.set(line, list);
    }
    if (byLine.size === 0) return undefined;
    const codes = new Map<string, number>();
    for (const [line, list] of byLine) {
      const id = part[line - 1]!.id;
      for (const code of new Set(list.map((p) => p.code))) {
        this.rejectedByCode[code] = (this.rejectedByCode[code] ?? 0) + 1;
        codes.set(code, (codes.get(code) ?? 0) + 1);
      }
      for (const p of list) this.lastProblems.push({ kind: queue.kind, id, ...p });
    }
    if (this.lastProblems.length > KEEP_PROBLEMS)
      this.lastProblems.splice(0, this.lastProblems.length - KEEP_PROBLEMS);
    this.counts.rejected += byLine.size;
    this.finish(byLine.size);
    const last = this.lastProblems[this.lastProblems.length - 1];
    this.report({
      type: "rejected_records",
      kind: queue.kind,
      status: 400,
      code: "INGEST_INVALID",
      records: byLine.size,
      message: `the server rejected ${byLine.size} record(s) (${[...codes].map(([c, n]) => `${c}: ${n}`).join(", ")}); resending the other ${part.length - byLine.size}${last === undefined ? "" : `; last: ${last.id} ${last.field} ${last.message}`}`,
    });
    return part.filter((_, i) => !byLine.has(i + 1));
  }

  private finish(records: number): void {
    this.inFlight -= records;
  }

  private drop(records: number, counter: "refused" | "retriesExhausted", reason: string): void {
    this.finish(records);
    this.counts[counter] += records;
    this.droppedByReason[reason] = (this.droppedByReason[reason] ?? 0) + records;
  }

  private sleep(ms: number): Promise<void> {
    if (this.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleeping = undefined;
        resolve();
      };
      const timer = setTimeout(wake, ms);
      // Idle retries must not keep the host alive — unless the host awaits flush() or close().
      if (this.waiters.size === 0) unref(timer);
      this.sleeping = { timer, wake };
    });
  }

  // ---- reporting --------------------------------------------------------------------------------

  private report(info: ClientErrorInfo): void {
    const callback = this.onError;
    if (callback === undefined) return;
    try {
      const result: unknown = callback(info);
      // An async callback's rejection would otherwise surface as an unhandled rejection in the host.
      if (typeof (result as PromiseLike<unknown> | undefined)?.then === "function")
        (result as PromiseLike<unknown>).then(undefined, () => {});
    } catch {
      // The exporter contract: the host's error callback failing must not fail the host.
    }
  }

  private internal(error: unknown): void {
    try {
      this.report({ type: "internal", message: `tiktoktoe client bug: ${describe(error)}`, error });
    } catch {
      // Nothing left to do: never throw into the host.
    }
  }
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    // fetch's TypeError("fetch failed") hides the useful part (ECONNREFUSED…) in its cause.
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}

// Node's timers have unref/ref; a browser's are numbers. Either way the call is safe.
function unref(timer: unknown): void {
  (timer as { unref?: () => void } | undefined)?.unref?.();
}

function ref(timer: unknown): void {
  (timer as { ref?: () => void } | undefined)?.ref?.();
}
