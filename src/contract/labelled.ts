import { z } from "zod";
import { FeatureValue } from "./ingest.js";

/**
 * One line of `GET /v1/models/{model}/labelled`: an event's features joined with its label (a
 * training pair), as the continuous-learning loop and `tiktoktoe optimize --server` read them.
 *
 * @example
 * ```ts
 * const pair: LabelledEvent = { id: "e1", version: "1", time: "2024-01-01T00:00:00.000Z", timeMs: 1704067200000,
 *   features: { x: 1 }, prediction: "3", label: "3" };
 * ```
 */
export const LabelledEvent = z
  .object({
    id: z.string(),
    version: z.string(),
    time: z.string().describe("the event's time, ISO 8601"),
    timeMs: z.number().describe("the event's time, epoch milliseconds"),
    features: z.record(z.string(), FeatureValue),
    prediction: z.union([z.number(), z.string(), z.null()]),
    label: z.union([z.number(), z.string()]).describe("the label's value as sent"),
  })
  // Not a named component: only the NDJSON answer's x-itemSchema uses it (written inline there).
  .describe("a labelled event: its features joined with its label");
export type LabelledEvent = z.infer<typeof LabelledEvent>;
