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
 * The facts of a request that travel with its body on the queue: what a worker needs, besides the
 * model's stored record, to derive the same append as the API process would have
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

/**
 * A decoded queue batch: version 3 or 2 (a request's body as sent, with its {@link QueuedHeader}), or
 * version 1 (the store's append).
 */
export type QueuedBatch =
  | { readonly v: 1; readonly model: string; readonly append: IngestAppend }
  | { readonly v: 2 | 3; readonly model: string; readonly header: QueuedHeader; readonly body: Buffer };

/**
 * A validated batch as it travels on the queue (version 3): the request's body bytes as sent are the
 * payload, uncopied, and the {@link QueuedHeader} is the queue's header (JSON with `"v":3`, non-ASCII
 * escaped). The API replica neither builds nor encodes the append (the worker derives it, with the
 * same parser), and does not copy the body behind its header either: that copy was a sixth of the
 * API's CPU per batch (docs/scale-out.md).
 *
 * @example
 * ```ts
 * encodeBatch({ model: "bike", kind: "events", format: "ndjson", receivedMs, nowMs }, body);
 * // { header: '{"v":3,"model":"bike",…}', payload: body }
 * ```
 */
export function encodeBatch(header: QueuedHeader, body: Uint8Array): { header: string; payload: Uint8Array } {
  const { model, kind, format, receivedMs, nowMs } = header;
  const json = JSON.stringify({ v: 3, model, kind, format, receivedMs, nowMs });
  // A queue header is printable ASCII: JSON's \u escapes keep a model's non-ASCII name exact.
  const ascii = json.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return { header: ascii, payload: body };
}

/**
 * Decodes a queue batch: {@link encodeBatch}'s (version 3: the header beside the payload), or what
 * API replicas of earlier releases published and may still be in flight during an upgrade — version 2
 * (the header's JSON line, then the body, in the payload) and version 1 (`{"v":1,"append":…}`).
 * Throws (a batch that can never be stored) when it is none of them.
 *
 * @example
 * ```ts
 * const batch = decodeAppend(message.payload, message.header); // { v: 3, model: "bike", header, body }
 * ```
 */
export function decodeAppend(payload: Uint8Array, queueHeader?: string): QueuedBatch {
  const bytes = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  if (queueHeader !== undefined) {
    const header = queuedHeader(JSON.parse(queueHeader), 3);
    if (header === undefined)
      throw new Error("not an encoded ingest batch (its queue header is not version 3)");
    return { v: 3, model: header.model, header, body: bytes };
  }
  const newline = bytes.indexOf(10);
  const parsed: unknown = JSON.parse(bytes.toString("utf8", 0, newline === -1 ? bytes.length : newline));
  if (typeof parsed !== "object" || parsed === null) throw new Error("not an encoded ingest batch");
  const head = parsed as Record<string, unknown>;
  const header = newline === -1 ? undefined : queuedHeader(head, 2);
  if (header !== undefined) return { v: 2, model: header.model, header, body: bytes.subarray(newline + 1) };
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
  throw new Error("not an encoded ingest batch (version 1, 2 or 3)");
}

/** The {@link QueuedHeader} of a decoded header object of version `v`, or undefined when it is not one. */
function queuedHeader(parsed: unknown, v: 2 | 3): QueuedHeader | undefined {
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const { v: version, model, kind, format, receivedMs, nowMs } = parsed as Record<string, unknown>;
  if (
    version === v &&
    typeof model === "string" &&
    (kind === "events" || kind === "labels") &&
    (format === "ndjson" || format === "json") &&
    typeof receivedMs === "number" &&
    Number.isFinite(receivedMs) &&
    typeof nowMs === "number" &&
    Number.isFinite(nowMs)
  )
    return { model, kind, format, receivedMs, nowMs };
  return undefined;
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
      const result = await this.queue.publish({ id, ...encodeBatch(header, body) });
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
