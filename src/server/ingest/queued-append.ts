import { createHash } from "node:crypto";
import { TikTokToeError } from "../../errors/index.js";
import type { BatchFormat } from "../../monitor/index.js";
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
export function batchId(model: string, kind: IngestAppend["kind"], body: string | Uint8Array): string {
  return createHash("sha256")
    .update(model)
    .update("\u0000")
    .update(kind)
    .update("\u0000")
    .update(body)
    .digest("hex");
}

/**
 * The facts of a request that travel with its body on the queue (payload version 2): what a worker
 * needs, besides the model's stored record, to derive the same append as the API process would have
 * (src/server/ingest/derive.ts).
 */
export interface QueuedHeader {
  readonly model: string;
  readonly kind: IngestAppend["kind"];
  readonly format: BatchFormat;
  /** The API's wall-clock time of receipt. */
  readonly receivedMs: number;
  /** The time the API's validation gave records without one (its ingest context's `nowMs`). */
  readonly nowMs: number;
}

/** A decoded queue payload: version 2 (a request's body as sent), or version 1 (the store's append). */
export type QueuedBatch =
  | { readonly v: 1; readonly model: string; readonly append: IngestAppend }
  | { readonly v: 2; readonly model: string; readonly header: QueuedHeader; readonly body: Buffer };

/**
 * A validated batch as it travels on the queue (payload version 2): one line of JSON, the
 * {@link QueuedHeader} with `"v":2`, then the request's body bytes as sent. The API replica does not
 * build or encode the append (that cost is the worker's, which derives it with the same parser).
 *
 * @example
 * ```ts
 * encodeBatch({ model: "bike", kind: "events", format: "ndjson", receivedMs, nowMs }, body);
 * // '{"v":2,"model":"bike",…}\n{"id":"e1",…}\n…'
 * ```
 */
export function encodeBatch(header: QueuedHeader, body: Uint8Array): Buffer {
  const { model, kind, format, receivedMs, nowMs } = header;
  // JSON.stringify writes no raw newline: the first one ends the header.
  const head = Buffer.from(`${JSON.stringify({ v: 2, model, kind, format, receivedMs, nowMs })}\n`, "utf8");
  return Buffer.concat([head, body], head.length + body.length);
}

/**
 * Decodes a queue payload: {@link encodeBatch}'s, or version 1's (`{"v":1,"append":IngestAppend}` in
 * JSON, what API replicas published before; still in flight during an upgrade). Throws (a batch that
 * can never be stored) when the payload is neither.
 *
 * @example
 * ```ts
 * const batch = decodeAppend(message.payload); // { v: 2, model: "bike", header, body }
 * ```
 */
export function decodeAppend(payload: Uint8Array): QueuedBatch {
  const bytes = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  const newline = bytes.indexOf(10);
  const parsed: unknown = JSON.parse(bytes.toString("utf8", 0, newline === -1 ? bytes.length : newline));
  if (typeof parsed !== "object" || parsed === null) throw new Error("not an encoded ingest batch");
  const head = parsed as Record<string, unknown>;
  if (head.v === 2 && newline !== -1) {
    const { model, kind, format, receivedMs, nowMs } = head;
    if (
      typeof model === "string" &&
      (kind === "events" || kind === "labels") &&
      (format === "ndjson" || format === "json") &&
      typeof receivedMs === "number" &&
      Number.isFinite(receivedMs) &&
      typeof nowMs === "number" &&
      Number.isFinite(nowMs)
    )
      return {
        v: 2,
        model,
        header: { model, kind, format, receivedMs, nowMs },
        body: bytes.subarray(newline + 1),
      };
  }
  const append = head.append as IngestAppend | undefined;
  if (
    head.v === 1 &&
    typeof append === "object" &&
    append !== null &&
    typeof append.model === "string" &&
    typeof append.receivedMs === "number" &&
    ((append.kind === "events" && Array.isArray(append.events)) ||
      (append.kind === "labels" && Array.isArray(append.labels)))
  )
    return { v: 1, model: append.model, append };
  throw new Error("not an encoded ingest batch (version 1 or 2)");
}

/** Why the queue refuses publishes: readiness's reason, like a store failure. */
export interface QueueFailure {
  readonly code: "queue_unavailable";
  readonly message: string;
  readonly sinceMs: number;
}

/**
 * The API role's side of the queue: publishes a request's validated batch (its body as sent, see
 * {@link encodeBatch}) and resolves once JetStream acknowledged it (the client's 2xx waits for
 * that). A failed publish marks the queue not ready (`/readyz`) until one succeeds.
 *
 * @example
 * ```ts
 * const { batch } = await publisher.publish({ model: "bike", kind: "events", format: "ndjson", receivedMs, nowMs }, body);
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
  async publish(header: QueuedHeader, body: Uint8Array): Promise<{ batch: string; duplicate: boolean }> {
    const id = batchId(header.model, header.kind, body);
    try {
      const result = await this.queue.publish({ id, payload: encodeBatch(header, body) });
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
