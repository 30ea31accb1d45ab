import { z } from "zod";
import { named } from "./registry.js";

const Ack = z.object({ by: z.string(), comment: z.string(), at: z.number() });

/**
 * An alert as `GET /v1/alerts` lists it (Alertmanager's model, with our ack).
 *
 * @example
 * ```ts
 * const firing = (a: Alert) => a.status === "firing" && a.state === "active";
 * ```
 */
export const Alert = named(
  "Alert",
  z.looseObject({
    fingerprint: z.string(),
    status: z.enum(["firing", "resolved"]),
    state: z.enum(["active", "suppressed"]),
    labels: z.record(z.string(), z.string()),
    annotations: z.record(z.string(), z.string()),
    startsAt: z.number(),
    endsAt: z.number().nullable(),
    silencedBy: z.array(z.string()),
    inhibitedBy: z.array(z.string()),
    receivers: z.array(z.string()),
    ack: Ack.nullable(),
  }),
);
export type Alert = z.infer<typeof Alert>;

/** The answer of `GET /v1/alerts`: the alerts, and the channels they go to (none: listed only). */
export const AlertList = named(
  "AlertList",
  z.object({ alerts: z.array(Alert), channels: z.array(z.string()) }),
);
export type AlertList = z.infer<typeof AlertList>;

/** The body of `POST /v1/alerts/{fingerprint}/ack`. */
export const AckRequest = named(
  "AckRequest",
  z.object({
    by: z.string().min(1, "by: who acknowledges the alert is required"),
    comment: z.string().optional(),
  }),
  "Who takes the alert.",
);
export type AckRequest = z.infer<typeof AckRequest>;

/** The answer of `POST /v1/alerts/{fingerprint}/ack`. */
export const AckAnswer = named("AckAnswer", Ack.extend({ fingerprint: z.string() }));
export type AckAnswer = z.infer<typeof AckAnswer>;

/** A silence matcher (Alertmanager's v2 API). */
export const Matcher = named(
  "Matcher",
  z.object({ name: z.string(), value: z.string(), isRegex: z.boolean(), isEqual: z.boolean().optional() }),
);
export type Matcher = z.infer<typeof Matcher>;

/** The body of `POST /v1/silences` (an `id` updates that silence). The server checks the rest. */
export const SilenceRequest = named(
  "SilenceRequest",
  z.object({
    id: z.string().optional(),
    matchers: z.array(Matcher),
    startsAt: z.union([z.string(), z.number()]).optional().describe("default: now"),
    endsAt: z.union([z.string(), z.number()]),
    createdBy: z.string(),
    comment: z.string(),
  }),
  "A silence to create (Alertmanager's v2 shape).",
);
export type SilenceRequest = z.infer<typeof SilenceRequest>;

/** The answer of `POST /v1/silences`. */
export const SilenceCreated = named("SilenceCreated", z.object({ silenceID: z.string() }));

/** A silence with its state. */
export const Silence = named(
  "Silence",
  z.object({
    id: z.string(),
    matchers: z.array(Matcher),
    startsAt: z.string(),
    endsAt: z.string(),
    createdBy: z.string(),
    comment: z.string(),
    status: z.object({ state: z.enum(["active", "pending", "expired"]) }),
  }),
);
export type Silence = z.infer<typeof Silence>;

/** The answer of `GET /v1/silences`. */
export const SilenceList = named("SilenceList", z.object({ silences: z.array(Silence) }));

/** The answer of `DELETE /v1/silences/{id}`. */
export const SilenceExpired = named("SilenceExpired", z.object({ expired: z.string() }));
