import { TikTokToeError } from "../../errors/index.js";
import type { Logger } from "../../logging/index.js";

/** Options of {@link DeferredRecords}. */
export interface DeferredRecordsOptions {
  /** Appends one model's records durably (the ingest's validated group commit). */
  readonly write: (model: string, records: readonly unknown[]) => Promise<unknown>;
  /** Records waiting at most (all models together); beyond it `admit` refuses with 503. */
  readonly maxPending: number;
  readonly log: Logger;
  /** Waits before retrying a write the store refused (ms); doubled up to 8× on repeated failures. */
  readonly retryMs?: number;
  /**
   * How long records gather before they are written (ms; 0: the next turn of the event loop), unless
   * `batchRows` arrive first. Fewer, larger commits keep the store's work out of most answers' way.
   */
  readonly gatherMs?: number;
  /** Records of one model that are written at once, without waiting for `gatherMs`. Default 1,000. */
  readonly batchRows?: number;
}

interface Backlog {
  records: unknown[];
  /** Records ever added, and of them those settled (durable, or dropped for good): in order. */
  added: number;
  settled: number;
  /** The write in flight for this model, if any. */
  writing: Promise<void> | null;
  failures: number;
  /** A write scheduled (the next turn of the event loop, or a retry's pause). */
  timer: { cancel(): void } | null;
}

/**
 * The records of answers already given (`/predict`'s predictions, a shadow's answers), written
 * durably just after the answer instead of before it: the answer waits for the model, never for the
 * disk.
 *
 * Why not before the answer: the durable commit (an fsync) costs milliseconds, many times a small
 * model's run, and the record is the monitor's copy of an answer the caller already has. Records
 * gather for `gatherMs` (the server uses 250 ms) so that the store's work comes in a few large commits
 * rather than one after every answer, in the way of the next request. What it costs: a process killed
 * with `kill -9` loses the records of the last `gatherMs` of answers (never an acknowledged `/events`
 * batch; a graceful stop writes them). Ordering is kept where it matters: labels of a model wait
 * for its deferred records ({@link flush}) so a label never arrives before its event, and so does an
 * analysis that reads the log.
 *
 * A store that refuses (disk full, database down) keeps the records here and retries with a backoff;
 * once `maxPending` records wait, {@link admit} refuses new work with `STORE_UNAVAILABLE`, so memory
 * stays bounded and nothing answered is silently unrecorded while there is room.
 */
export class DeferredRecords {
  private readonly backlogs = new Map<string, Backlog>();
  private pending = 0;
  /** Records dropped because the store rejected them for good (e.g. the model was deleted). */
  dropped = 0;

  constructor(private readonly options: DeferredRecordsOptions) {}

  /** Records waiting to be written, all models together. */
  get size(): number {
    return this.pending;
  }

  /** Throws `STORE_UNAVAILABLE` (503) when the backlog is full; call before doing the work. */
  admit(): void {
    if (this.pending >= this.options.maxPending)
      throw new TikTokToeError(
        "STORE_UNAVAILABLE",
        `${this.pending} answered predictions are waiting to be recorded: the store is not keeping up`,
        { retryAfterS: 2, hint: "retry shortly; check /readyz for the store's state" },
      );
  }

  /** Queues records for the next group commit; returns at once. */
  add(model: string, records: readonly unknown[]): void {
    if (records.length === 0) return;
    let backlog = this.backlogs.get(model);
    if (backlog === undefined) {
      backlog = { records: [], added: 0, settled: 0, writing: null, failures: 0, timer: null };
      this.backlogs.set(model, backlog);
    }
    for (const r of records) backlog.records.push(r);
    backlog.added += records.length;
    this.pending += records.length;
    if (backlog.writing !== null) return;
    if (backlog.records.length >= (this.options.batchRows ?? 1000)) {
      backlog.timer?.cancel();
      this.schedule(model, backlog, 0);
    } else if (backlog.timer === null) this.schedule(model, backlog, this.options.gatherMs ?? 0);
  }

  /**
   * Resolves once every record of `model` (every model without one) queued so far is durable. While
   * the store refuses, it throws `STORE_UNAVAILABLE` (the records stay queued and are retried), unless
   * `waitForStore` (shutdown) makes it wait for the retries.
   */
  async flush(model?: string, waitForStore = false): Promise<void> {
    const models = model === undefined ? [...this.backlogs.keys()] : [model];
    for (const name of models) {
      const backlog = this.backlogs.get(name);
      if (backlog === undefined) continue;
      // A failing store makes this wait for the retries: callers that must not wait forever (close)
      // bound it themselves. Only what was queued before the call is waited for: under steady
      // traffic a record arrives during every write, and chasing them turned one flush into a
      // second of one-record commits.
      const target = backlog.added;
      while (backlog.settled < target) {
        if (backlog.writing !== null) {
          await backlog.writing;
        } else if (backlog.failures > 0) {
          if (!waitForStore)
            throw new TikTokToeError(
              "STORE_UNAVAILABLE",
              `${backlog.records.length} answered predictions of model "${name}" could not be recorded yet: the store refuses writes`,
              { retryAfterS: 2, hint: "retry shortly; check /readyz for the store's state" },
            );
          // A retry is scheduled: wait for it rather than hammer a store that just refused.
          await new Promise((resolve) => setTimeout(resolve, this.options.retryMs ?? 250));
        } else {
          backlog.timer?.cancel();
          backlog.timer = null;
          this.write(name, backlog);
        }
      }
    }
  }

  private schedule(model: string, backlog: Backlog, delayMs: number): void {
    const run = () => {
      backlog.timer = null;
      if (backlog.writing === null && backlog.records.length > 0) this.write(model, backlog);
    };
    // setImmediate: every record of this turn of the event loop joins the same commit.
    if (delayMs === 0) {
      const immediate = setImmediate(run);
      backlog.timer = { cancel: () => clearImmediate(immediate) };
    } else {
      const timeout = setTimeout(run, delayMs);
      timeout.unref();
      backlog.timer = { cancel: () => clearTimeout(timeout) };
    }
  }

  private write(model: string, backlog: Backlog): void {
    const records = backlog.records;
    backlog.records = [];
    backlog.writing = this.options.write(model, records).then(
      () => {
        this.pending -= records.length;
        backlog.settled += records.length;
        backlog.failures = 0;
        backlog.writing = null;
        if (backlog.records.length > 0) this.schedule(model, backlog, this.options.gatherMs ?? 0);
        else if (backlog.timer === null) this.backlogs.delete(model);
      },
      (error: unknown) => {
        backlog.writing = null;
        // Retryable: the store (or, with --queue, JetStream) refuses for now.
        if (
          error instanceof TikTokToeError &&
          (error.code === "STORE_UNAVAILABLE" || error.code === "QUEUE_UNAVAILABLE")
        ) {
          // Kept, in order, ahead of what arrived meanwhile; retried after a growing pause.
          backlog.records = records.concat(backlog.records);
          backlog.failures++;
          const base = this.options.retryMs ?? 250;
          this.schedule(model, backlog, base * 2 ** Math.min(backlog.failures - 1, 3));
          this.options.log.warn("recording answered predictions: the store refused; retrying", {
            model,
            waiting: this.pending,
            error,
          });
          return;
        }
        this.pending -= records.length;
        backlog.settled += records.length;
        this.dropped += records.length;
        this.options.log.error("recording answered predictions failed for good; records dropped", {
          model,
          records: records.length,
          error,
        });
        if (backlog.records.length > 0) this.schedule(model, backlog, 0);
        else if (backlog.timer === null) this.backlogs.delete(model);
      },
    );
  }
}
