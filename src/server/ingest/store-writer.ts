import { isTikTokToeError } from "../../errors/index.js";
import type { Logger } from "../../logging/index.js";
import type { PredictionEvent } from "../../monitor/index.js";
import type { QueueConsumer, QueueMessage } from "../../queue/index.js";
import type { IngestAppend, ModelRecord, Store } from "../../store/index.js";
import type { AppendedEvents } from "../aggregator/index.js";
import { appendedWhole, deriveAppend, workerContext, workerWindow } from "./derive.js";
import { decodeAppend, type QueuedBatch } from "./queued-append.js";
import type { SerialChain } from "./serial-chain.js";
import type { StoreHealth } from "./store-health.js";

/** The document collection of batches that can never be stored (acknowledged, kept for an operator). */
export const DEAD_LETTERS = "dead-letters";

/**
 * Payload bytes one store transaction takes at most (a larger batch goes alone). A fetch of 64
 * batches of 340 kB in one transaction kept 64,000 parsed events alive across the commit, and the
 * young generation's collections copying them cost the worker a third more CPU per event than groups
 * of about ten (docs/scale-out.md); small batches still share one transaction, up to the fetch.
 */
export const COMMIT_BYTES = 4 * 1024 * 1024;

/**
 * How many times a label batch with labels of no stored event is delivered before those count as
 * unmatched, and the wait before the first retry (doubling after each: 2, 4, 8, 16, 32 s). Through the
 * queue a label batch can be stored before its events' batch — another worker holds that, or held it
 * and died, and it waits out the ack wait (30 s) — where one process would have stored the events
 * first; the retries cover that wait.
 */
export const LABEL_ATTEMPTS = 6;
export const LABEL_RETRY_MS = 2_000;

/** Options of {@link StoreWriter}. */
export interface StoreWriterOptions {
  readonly consumer: QueueConsumer;
  readonly store: Store;
  readonly health: StoreHealth;
  /** The ingest chain: appends, then the aggregation of what they appended, in order. */
  readonly chain: SerialChain;
  /** Runs after each append in the chain (the aggregator's tail, when this process holds it). */
  /**
   * Runs after each commit, with the event batches appended whole (every event new) and the records
   * they were derived from, in log order (see Aggregator.aggregateAppended).
   */
  readonly afterAppend: (appended: readonly AppendedEvents[]) => Promise<void>;
  readonly now: () => number;
  readonly log: Logger;
  /** Batches per fetch (64) and how long a fetch waits for the first one (1,000 ms). */
  readonly fetchMax?: number;
  /** Payload bytes one store transaction takes at most ({@link COMMIT_BYTES}). */
  readonly commitBytes?: number;
  /** Deliveries of a label batch with unmatched labels ({@link LABEL_ATTEMPTS}) and the first wait. */
  readonly labelAttempts?: number;
  readonly labelRetryMs?: number;
  readonly fetchWaitMs?: number;
}

/**
 * The worker role's loop (`serve --role worker|all` with a queue): fetches batches from the durable
 * `store-writer` consumer, appends all of them in one store transaction (the group commit), then
 * acknowledges each. A store failure acknowledges nothing: the batches are given back and come again.
 * A batch that can never be stored (it does not decode, its model does not exist, or the ingest
 * parser rejects its body) is written to the `dead-letters` collection and acknowledged, so it cannot
 * block the others forever. A batch published as sent (versions 2 and 3) is derived here with the
 * API's parser and clock (derive.ts), so it is stored as the API process would have stored it.
 *
 * @example
 * ```ts
 * const writer = new StoreWriter({ consumer: await queue.consumer("store-writer"), store, health, chain, afterAppend, now, log });
 * writer.start();
 * await writer.stop();
 * ```
 */
export class StoreWriter {
  private running: Promise<void> | undefined;
  private stopped = false;
  private lastError = "";
  /** Counters for /metrics and tests. */
  readonly counters = { batches: 0, deadLetters: 0, failedCommits: 0, labelRetries: 0 };

  constructor(private readonly options: StoreWriterOptions) {}

  start(): void {
    if (this.running !== undefined) return;
    this.running = this.loop();
  }

  /** Stops after the current round; what was fetched and not acknowledged is delivered again. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
    await this.options.consumer.close().catch(() => undefined);
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      let messages: QueueMessage[];
      try {
        messages = await this.options.consumer.fetch(
          this.options.fetchMax ?? 64,
          this.options.fetchWaitMs ?? 1_000,
        );
      } catch (error) {
        this.report("fetching from the ingest queue failed; retrying", error);
        await sleep(1_000);
        continue;
      }
      if (messages.length === 0) continue;
      const groups = commitGroups(messages, this.options.commitBytes ?? COMMIT_BYTES);
      let ok = true;
      for (const [g, group] of groups.entries()) {
        ok = await this.options.chain
          .run(() => this.write(group))
          .catch((error: unknown) => {
            this.report("a batch of the ingest queue failed", error);
            return false;
          });
        if (ok) continue;
        // The rest of the fetch comes again at once (to any worker), not after the ack wait.
        await Promise.all(
          groups
            .slice(g + 1)
            .flat()
            .map((message) => message.nak().catch(() => undefined)),
        );
        break;
      }
      // The store refused (an outage): wait a little rather than spin on the redeliveries.
      if (!ok) await sleep(1_000);
    }
  }

  /** One round: true when every batch was stored or dead-lettered and acknowledged. */
  private async write(messages: readonly QueueMessage[]): Promise<boolean> {
    const { store, health } = this.options;
    const decoded: Array<{ message: QueueMessage; batch: QueuedBatch }> = [];
    const dead: Array<{ message: QueueMessage; reason: string }> = [];
    for (const message of messages) {
      try {
        decoded.push({ message, batch: decodeAppend(message.payload, message.header) });
      } catch (error) {
        dead.push({ message, reason: `does not decode: ${(error as Error).message}` });
      }
    }
    // A model that no longer exists fails the whole append with STORE_NOT_FOUND: set its batches aside.
    const records = new Map<string, ModelRecord | undefined>();
    for (const model of new Set(decoded.map((d) => d.batch.model)))
      records.set(model, await store.getModel(model));
    const storable: Array<{
      message: QueueMessage;
      append: IngestAppend;
      records?: readonly PredictionEvent[] | undefined;
    }> = [];
    for (const { message, batch } of decoded) {
      const record = records.get(batch.model);
      if (record === undefined) {
        dead.push({ message, reason: `model "${batch.model}" does not exist` });
        continue;
      }
      if (batch.v === 1) {
        storable.push({ message, append: batch.append });
        continue;
      }
      // Versions 2 and 3: the body as the API replica received it, derived as that process would have.
      const { header } = batch;
      const derived = deriveAppend(
        { ...header, text: batch.body.toString("utf8") },
        workerContext(record, header.nowMs),
        workerWindow(record),
      );
      if (derived.ok) storable.push({ message, append: derived.append, records: derived.records });
      else {
        const first = derived.problems[0];
        dead.push({
          message,
          reason: `the ingest parser rejects it${first === undefined ? "" : ` (line ${first.line}${first.field === "" ? "" : `, ${first.field}`}: ${first.message})`}`,
        });
      }
    }
    let appended: AppendedEvents[] = [];
    // Label batches whose unmatched labels get another chance: given back (delayed), not acknowledged.
    const retry = new Set<QueueMessage>();
    if (storable.length > 0) {
      try {
        const results = await store.appendIngest(storable.map((g) => g.append));
        health.succeeded();
        appended = appendedWhole(storable, results);
        const attempts = this.options.labelAttempts ?? LABEL_ATTEMPTS;
        for (const [i, { message, append }] of storable.entries())
          if (append.kind === "labels" && (results[i]?.unmatched ?? 0) > 0 && message.deliveries < attempts)
            retry.add(message);
      } catch (error) {
        const refused = health.refused(error);
        this.counters.failedCommits++;
        // Acknowledge nothing: give the batches back so that they come again (to any worker).
        for (const message of messages) await message.nak().catch(() => undefined);
        if (!isTikTokToeError(refused, "STORE_UNAVAILABLE")) throw refused;
        this.report("the store refused a batch of the ingest queue; it comes again", refused);
        return false;
      }
    }
    for (const { message, reason } of dead) {
      await store.putDocument({
        collection: DEAD_LETTERS,
        key: message.id,
        timeMs: this.options.now(),
        body: JSON.stringify({
          reason,
          sequence: message.sequence,
          ...(message.header === undefined ? {} : { header: message.header }),
          payload: Buffer.from(message.payload).toString("utf8"),
        }),
      });
      this.options.log.warn("an ingest batch cannot be stored; it was written to dead-letters", {
        batch: message.id,
        reason,
      });
      this.counters.deadLetters++;
    }
    // Durable now. An ack that fails (the queue is down) only means the batch comes again: the store
    // deduplicates its events by id. All at once: one round trip, not one per batch. A label batch to
    // retry comes again later: its labels stored now are duplicates then, its unmatched ones join the
    // events stored meanwhile.
    const firstWait = this.options.labelRetryMs ?? LABEL_RETRY_MS;
    await Promise.all(
      messages.map((message) =>
        (retry.has(message) ? message.nak(firstWait * 2 ** (message.deliveries - 1)) : message.ack()).catch(
          () => undefined,
        ),
      ),
    );
    this.counters.labelRetries += retry.size;
    this.counters.batches += storable.length;
    this.lastError = "";
    if (storable.length > 0) await this.options.afterAppend(appended);
    return true;
  }

  /** Logs a failure once per episode (an outage would otherwise log every second). */
  private report(message: string, error: unknown): void {
    const text = error instanceof Error ? error.message : String(error);
    if (text !== this.lastError) this.options.log.error(message, { error });
    this.lastError = text;
  }
}

/**
 * Splits fetched batches, in order, into groups of at most `maxBytes` of payload each (a batch larger
 * than that alone): one store transaction per group.
 *
 * @example
 * ```ts
 * commitGroups(messages, 4 * 1024 * 1024); // [[m1, m2, …], [m13, …]]
 * ```
 */
export function commitGroups(messages: readonly QueueMessage[], maxBytes: number): QueueMessage[][] {
  const groups: QueueMessage[][] = [];
  let current: QueueMessage[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = message.payload.byteLength;
    if (current.length > 0 && bytes + size > maxBytes) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += size;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
