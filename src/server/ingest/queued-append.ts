import { createHash } from "node:crypto";
import { TikTokToeError } from "../../errors/index.js";
import type { IngestQueue } from "../../queue/index.js";
import type { IngestAppend } from "../../store/index.js";

/**
 * The id of a request's batch on the queue: sha256 of model, kind and the raw body, so a client's
 * retry of the same body is a duplicate JetStream drops within its duplicate window.
 *
 * @example
 * ```ts
 * batchId("bike", "events", body); // "9f86d0…" (64 hex digits)
 * ```
 */
export function batchId(model: string, kind: IngestAppend["kind"], body: string): string {
  return createHash("sha256")
    .update(model)
    .update("\u0000")
    .update(kind)
    .update("\u0000")
    .update(body)
    .digest("hex");
}

/**
 * A validated batch as it travels on the queue: the store's `IngestAppend`, JSON encoded (the worker
 * appends it as it is; nothing is validated again).
 *
 * @example
 * ```ts
 * decodeAppend(encodeAppend(append)); // equal to append
 * ```
 */
export function encodeAppend(append: IngestAppend): Uint8Array {
  return Buffer.from(JSON.stringify({ v: 1, append }), "utf8");
}

/** Decodes {@link encodeAppend}'s bytes; throws (a batch that can never be stored) when they are not one. */
export function decodeAppend(payload: Uint8Array): IngestAppend {
  const value = JSON.parse(Buffer.from(payload).toString("utf8")) as { v?: unknown; append?: IngestAppend };
  const append = value.append;
  if (
    value.v !== 1 ||
    typeof append !== "object" ||
    append === null ||
    typeof append.model !== "string" ||
    typeof append.receivedMs !== "number" ||
    !(
      (append.kind === "events" && Array.isArray(append.events)) ||
      (append.kind === "labels" && Array.isArray(append.labels))
    )
  )
    throw new Error("not an encoded ingest batch (version 1)");
  return append;
}

/** Why the queue refuses publishes: readiness's reason, like a store failure. */
export interface QueueFailure {
  readonly code: "queue_unavailable";
  readonly message: string;
  readonly sinceMs: number;
}

/**
 * The API role's side of the queue: publishes a request's validated batch and resolves once
 * JetStream acknowledged it (the client's 2xx waits for that). A failed publish marks the queue not
 * ready (`/readyz`) until one succeeds.
 *
 * @example
 * ```ts
 * const { batch } = await publisher.publish(append, "bike", body);
 * ```
 */
export class QueuePublisher {
  private current: QueueFailure | null = null;

  constructor(
    private readonly queue: IngestQueue,
    private readonly now: () => number,
  ) {}

  /** The last failed publish, until one succeeds. */
  get failure(): QueueFailure | null {
    return this.current;
  }

  /** Publishes one batch with its id; resolves with the id once it is durable in the queue. */
  async publish(append: IngestAppend, body: string): Promise<{ batch: string; duplicate: boolean }> {
    const id = batchId(append.model, append.kind, body);
    try {
      const result = await this.queue.publish({ id, payload: encodeAppend(append) });
      this.current = null;
      return { batch: id, duplicate: result.duplicate };
    } catch (error) {
      const refused =
        error instanceof TikTokToeError
          ? error
          : new TikTokToeError(
              "QUEUE_UNAVAILABLE",
              "the ingest queue did not take the batch; nothing was acknowledged",
              {
                cause: error,
                retryAfterS: 2,
              },
            );
      if (refused.code === "QUEUE_UNAVAILABLE")
        this.current = { code: "queue_unavailable", message: refused.message, sinceMs: this.now() };
      throw refused;
    }
  }
}
