import { TikTokToeError } from "../errors/index.js";

/**
 * The ingest log (queue) port: API replicas publish validated ingest batches, worker replicas consume
 * them and write the store. Two adapters: `memory/` (in-process, the default) and `jetstream/` (NATS
 * JetStream, for replicas). Both pass the one conformance suite (`conformance.ts`).
 *
 * Delivery is at least once: a consumer acknowledges a message only after the store committed what
 * it derived, and a message not acknowledged within the ack wait (a consumer that died) is delivered
 * again, to any consumer of the same durable name. The store's deduplication by event id makes the
 * repeat harmless. Publishing the same batch id twice within the duplicate window stores it once.
 *
 * @example
 * ```ts
 * const queue = await openJetStreamQueue({ url: "nats://127.0.0.1:4222", deployment: "prod" });
 * await queue.publish({ id: batchId, payload }); // durable when it resolves
 * const worker = await queue.consumer("store-writer");
 * for (const message of await worker.fetch(64, 1_000)) { await store.appendIngest(decode(message)); await message.ack(); }
 * ```
 */
export interface IngestQueue {
  readonly kind: "memory" | "jetstream";
  /**
   * Publishes one batch and resolves once it is durable (for JetStream: stored by the stream and
   * acknowledged). A batch id published already within the duplicate window is not stored again
   * (`duplicate: true`, with the first one's sequence). Fails with the retryable `QUEUE_UNAVAILABLE`
   * when it cannot be made durable; the caller must then not acknowledge the batch to its client.
   */
  publish(batch: QueueBatch): Promise<PublishResult>;
  /**
   * A consumer of the durable `name` (created on first use, starting at the oldest batch the queue
   * still holds: JetStream keeps batches for its max age, the in-process queue drops a batch once every
   * durable name acknowledged it): its
   * position is the broker's, so a consumer opened again, in this process or another, continues after
   * the last acknowledged batch; several consumers of one name share the batches between them.
   */
  consumer(name: string): Promise<QueueConsumer>;
  close(): Promise<void>;
}

/** One batch to publish. */
export interface QueueBatch {
  /** Unique per batch (the ingest request's batch id): a retried publish reuses it. */
  readonly id: string;
  readonly payload: Uint8Array;
  /**
   * A short text that travels beside the payload and comes back with it ({@link QueueMessage.header};
   * JetStream: a message header). It lets a publisher send bytes it holds already, a request's body,
   * as the payload without copying them behind its own metadata. Printable ASCII, at most
   * {@link MAX_HEADER_LENGTH} characters ({@link checkHeader}).
   */
  readonly header?: string;
}

/** The longest {@link QueueBatch.header} (NATS servers refuse header blocks past a few kilobytes). */
export const MAX_HEADER_LENGTH = 4_096;

/**
 * Throws when `header` is not a valid {@link QueueBatch.header}: every adapter calls it before it
 * publishes, so a header that one broker would carry and another mangle (a line break, non-ASCII) is
 * refused everywhere alike.
 *
 * @example
 * ```ts
 * checkHeader('{"v":3}'); // passes
 * checkHeader("a\nb"); // throws
 * ```
 */
export function checkHeader(header: string | undefined): void {
  if (header === undefined) return;
  if (header.length > MAX_HEADER_LENGTH || !/^[\x20-\x7e]*$/.test(header))
    throw new TikTokToeError(
      "INTERNAL",
      `a queue header must be printable ASCII of at most ${MAX_HEADER_LENGTH} characters`,
      { hint: "escape non-ASCII characters (\\uXXXX in JSON) before publishing" },
    );
}

/** What {@link IngestQueue.publish} did. */
export interface PublishResult {
  /** The batch's position in the log (the stream sequence). */
  readonly sequence: number;
  /** True when the id was published before, within the duplicate window: nothing was stored. */
  readonly duplicate: boolean;
}

/** A consumer of one durable name. */
export interface QueueConsumer {
  /**
   * Up to `max` batches, oldest first: first any whose ack wait ran out (redeliveries), then new ones.
   * Waits up to `waitMs` for the first one; [] when none came.
   */
  fetch(max: number, waitMs: number): Promise<QueueMessage[]>;
  /** Stops this consumer; batches it fetched and did not acknowledge are delivered again after the ack wait. */
  close(): Promise<void>;
}

/** A delivered batch. */
export interface QueueMessage {
  readonly id: string;
  readonly sequence: number;
  readonly payload: Uint8Array;
  /** The header it was published with, if any. */
  readonly header: string | undefined;
  /** 1 on the first delivery, more on redeliveries. */
  readonly deliveries: number;
  /** Acknowledges the batch as processed (resolves when the broker has recorded it). */
  ack(): Promise<void>;
  /**
   * Gives the batch back for redelivery (processing failed, or must wait; any consumer may take it):
   * now, or after `delayMs`.
   */
  nak(delayMs?: number): Promise<void>;
}
