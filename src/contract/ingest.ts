import { z } from "zod";
import { named } from "./registry.js";

/**
 * A feature value: a number (numeric column), a string, number or boolean (categorical), null (missing).
 *
 * @example
 * ```ts
 * const value: FeatureValue = null;
 * ```
 */
export const FeatureValue = z.union([z.number(), z.string(), z.boolean(), z.null()]);
export type FeatureValue = z.infer<typeof FeatureValue>;

/** A time on the wire: epoch milliseconds or ISO 8601 with a zone. */
export const WireTime = z
  .union([z.number(), z.string()])
  .describe("epoch milliseconds or ISO 8601 with a zone");

/**
 * One prediction event as sent (one NDJSON line, or one element of a JSON array). The server validates
 * the records against the model's schema; its problems are `INGEST_INVALID`'s.
 *
 * @example
 * ```ts
 * const event: EventRecord = { id: "a", version: "1", features: { temp: 0.3 }, prediction: 117 };
 * ```
 */
export const EventRecord = named(
  "EventRecord",
  z.object({
    id: z.union([z.string(), z.int()]),
    time: WireTime.optional().describe("default: the time of receipt"),
    version: z.string(),
    features: z.record(z.string(), FeatureValue),
    prediction: z.union([z.number(), z.string(), z.boolean()]),
    scores: z
      .union([z.array(z.number()), z.record(z.string(), z.number()), z.number()])
      .optional()
      .describe("class probabilities: in class order, by class, or P(positive)"),
    latency_ms: z.number().min(0).optional(),
  }),
  "A prediction event.",
);
export type EventRecord = z.infer<typeof EventRecord>;

/**
 * A label (the truth of an earlier prediction, joined by id).
 *
 * @example
 * ```ts
 * const label: LabelRecord = { id: "a", value: 123 };
 * ```
 */
export const LabelRecord = named(
  "LabelRecord",
  z.object({
    id: z.union([z.string(), z.int()]),
    value: z.union([z.number(), z.string(), z.boolean()]),
    time: WireTime.optional().describe("default: the server's clock"),
  }),
  "A label.",
);
export type LabelRecord = z.infer<typeof LabelRecord>;

/** A JSON array of events (the NDJSON body is one event per line). */
export const EventBatch = named("EventBatch", z.array(EventRecord));
/** A JSON array of labels (the NDJSON body is one label per line). */
export const LabelBatch = named("LabelBatch", z.array(LabelRecord));

/**
 * The answer to an ingest request.
 *
 * @example
 * ```ts
 * const result: IngestResult = { accepted: 1000, duplicates: 0 };
 * ```
 */
export const IngestResult = named(
  "IngestResult",
  z.object({
    accepted: z.int(),
    duplicates: z.int(),
    unmatched: z.int().optional().describe("labels whose event is unknown"),
  }),
);
export type IngestResult = z.infer<typeof IngestResult>;

/**
 * The answer of an ingest route on a server with a queue (`serve --queue`, HTTP 202): the batch is
 * durable in the queue and a worker stores it shortly; duplicates and unmatched labels are counted
 * there, not answered.
 *
 * @example
 * ```ts
 * const result: IngestQueued = { queued: true, accepted: 1000, batch: "9f86d0…" };
 * ```
 */
export const IngestQueued = named(
  "IngestQueued",
  z.object({
    queued: z.literal(true),
    accepted: z.int().describe("records validated and queued"),
    batch: z.string().describe("the batch's id on the queue: sha256 of model, kind and body"),
  }),
);
export type IngestQueued = z.infer<typeof IngestQueued>;

/** The body of `POST /v1/models/{model}/clock`. */
export const ClockAdvance = named(
  "ClockAdvance",
  z.strictObject({ time: WireTime }),
  "The event time to move the model's clock to.",
);
export type ClockAdvance = z.infer<typeof ClockAdvance>;

/** The answer of `POST /v1/models/{model}/clock` (ISO 8601). */
export const ClockAnswer = named("ClockAnswer", z.object({ clock: z.string(), previous: z.string() }));
export type ClockAnswer = z.infer<typeof ClockAnswer>;
