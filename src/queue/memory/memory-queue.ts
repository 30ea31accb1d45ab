import { TikTokToeError } from "../../errors/index.js";
import {
  checkHeader,
  type IngestQueue,
  type PublishResult,
  type QueueBatch,
  type QueueConsumer,
  type QueueMessage,
} from "../port.js";

/** Options of {@link openMemoryQueue}. */
export interface MemoryQueueOptions {
  /**
   * Queues opened with one name in one process share their log, as JetStream clients share a stream:
   * what the conformance suite's "two instances" means here.
   */
  readonly name: string;
  /** How long a delivered, unacknowledged batch waits before it is delivered again (30 s). */
  readonly ackWaitMs?: number;
  /** How long a batch id is remembered for deduplication (2 min, as JetStream's default). */
  readonly duplicateWindowMs?: number;
  readonly now?: () => number;
}

interface Entry {
  readonly id: string;
  readonly sequence: number;
  readonly payload: Uint8Array;
  readonly header: string | undefined;
}

/** A durable name's state: the next new batch, and delivered batches not yet acknowledged. */
interface Durable {
  next: number;
  readonly pending: Map<number, { deadline: number; deliveries: number }>;
  readonly waiters: Set<() => void>;
}

interface Log {
  /** Batches not yet acknowledged by every durable name, by sequence (memory stays bounded by the backlog). */
  readonly entries: Map<number, Entry>;
  /** The newest sequence assigned. */
  head: number;
  /** The oldest sequence still held. */
  tail: number;
  /** Batch id → sequence and when it was published. */
  readonly ids: Map<string, { sequence: number; atMs: number }>;
  readonly durables: Map<string, Durable>;
}

const logs = new Map<string, Log>();

/**
 * Opens the in-process ingest log: batches are held in memory (the embedded deployment's durability
 * is the SQLite store the consumer writes, not this queue), with the same delivery rules as the
 * JetStream adapter so the server's code does not depend on which one runs.
 *
 * @example
 * ```ts
 * const queue = openMemoryQueue({ name: "default" });
 * ```
 */
export function openMemoryQueue(options: MemoryQueueOptions): IngestQueue {
  let log = logs.get(options.name);
  if (log === undefined) {
    log = { entries: new Map(), head: 0, tail: 1, ids: new Map(), durables: new Map() };
    logs.set(options.name, log);
  }
  return new MemoryQueue(
    log,
    options.ackWaitMs ?? 30_000,
    options.duplicateWindowMs ?? 120_000,
    options.now ?? Date.now,
  );
}

class MemoryQueue implements IngestQueue {
  readonly kind = "memory";
  private closed = false;

  constructor(
    private readonly log: Log,
    private readonly ackWaitMs: number,
    private readonly duplicateWindowMs: number,
    private readonly now: () => number,
  ) {}

  async publish(batch: QueueBatch): Promise<PublishResult> {
    if (this.closed) throw new TikTokToeError("QUEUE_UNAVAILABLE", "the queue is closed", { retryAfterS: 1 });
    checkHeader(batch.header);
    const now = this.now();
    // Ids are in publish order: forget those past the window from the oldest on.
    for (const [id, seen] of this.log.ids) {
      if (now - seen.atMs < this.duplicateWindowMs) break;
      this.log.ids.delete(id);
    }
    const seen = this.log.ids.get(batch.id);
    if (seen !== undefined && now - seen.atMs < this.duplicateWindowMs)
      return { sequence: seen.sequence, duplicate: true };
    const sequence = ++this.log.head;
    this.log.entries.set(sequence, {
      id: batch.id,
      sequence,
      payload: batch.payload.slice(),
      header: batch.header,
    });
    this.log.ids.set(batch.id, { sequence, atMs: now });
    for (const durable of this.log.durables.values()) for (const wake of durable.waiters) wake();
    return { sequence, duplicate: false };
  }

  async consumer(name: string): Promise<QueueConsumer> {
    let durable = this.log.durables.get(name);
    if (durable === undefined) {
      // A new durable name starts at the oldest batch still held.
      durable = { next: this.log.tail, pending: new Map(), waiters: new Set() };
      this.log.durables.set(name, durable);
    }
    return new MemoryConsumer(this.log, durable, this.ackWaitMs, this.now);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

class MemoryConsumer implements QueueConsumer {
  private closed = false;

  constructor(
    private readonly log: Log,
    private readonly durable: Durable,
    private readonly ackWaitMs: number,
    private readonly now: () => number,
  ) {}

  async fetch(max: number, waitMs: number): Promise<QueueMessage[]> {
    const until = this.now() + waitMs;
    for (;;) {
      if (this.closed) return [];
      const taken = this.take(max);
      if (taken.length > 0 || this.now() >= until) return taken;
      // Wake on a publish, or when the earliest ack wait runs out, or at the end of the wait.
      const deadlines = [...this.durable.pending.values()].map((p) => p.deadline);
      const wakeAt = Math.min(until, ...deadlines);
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.durable.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, Math.max(1, wakeAt - this.now()));
        this.durable.waiters.add(wake);
      });
    }
  }

  private take(max: number): QueueMessage[] {
    const now = this.now();
    const out: QueueMessage[] = [];
    const expired = [...this.durable.pending.entries()]
      .filter(([, p]) => p.deadline <= now)
      .sort(([a], [b]) => a - b);
    for (const [sequence, state] of expired) {
      if (out.length >= max) return out;
      state.deadline = now + this.ackWaitMs;
      state.deliveries++;
      out.push(this.message(sequence, state.deliveries));
    }
    while (out.length < max && this.durable.next <= this.log.head) {
      const sequence = this.durable.next++;
      this.durable.pending.set(sequence, { deadline: now + this.ackWaitMs, deliveries: 1 });
      out.push(this.message(sequence, 1));
    }
    return out;
  }

  private message(sequence: number, deliveries: number): QueueMessage {
    const entry = this.log.entries.get(sequence)!;
    const durable = this.durable;
    const log = this.log;
    const now = this.now;
    return {
      id: entry.id,
      sequence,
      payload: entry.payload,
      header: entry.header,
      deliveries,
      async ack() {
        durable.pending.delete(sequence);
        trim(log);
      },
      async nak(delayMs = 0) {
        const state = durable.pending.get(sequence);
        if (state !== undefined) state.deadline = delayMs > 0 ? now() + delayMs : 0;
        for (const wake of durable.waiters) wake();
      },
    };
  }

  async close(): Promise<void> {
    // What it fetched and did not acknowledge stays pending: redelivered after the ack wait, as when
    // a JetStream consumer's process dies.
    this.closed = true;
  }
}

/** Drops the oldest batches every durable name has acknowledged. */
function trim(log: Log): void {
  const durables = [...log.durables.values()];
  while (log.tail <= log.head && durables.every((d) => d.next > log.tail && !d.pending.has(log.tail))) {
    log.entries.delete(log.tail);
    log.tail++;
  }
}
