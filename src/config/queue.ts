/**
 * The `queue:` section: the ingest log between API replicas and workers (docs/scale-out.md). Absent,
 * the server writes each request's batch to the store itself (no queue). With `url: nats://…`, API
 * replicas publish validated batches to NATS JetStream and workers write them to the store. Global
 * only, like `store:`. `tiktoktoe serve --queue URL` overrides `url` (and its `?deployment=`).
 */
import * as z from "zod";
import { parseDuration } from "./duration.js";

/**
 * `queue:` after defaults.
 *
 * @example
 * ```ts
 * const { url, deployment }: QueueSettings = config.queue;
 * ```
 */
export interface QueueSettings {
  /** `nats://host:4222` (several separated by commas); null: no queue. */
  readonly url: string | null;
  /** The deployment's name: its stream is `TIKTOKTOE_<deployment>` ("default"). */
  readonly deployment: string;
  /** How long a fetched batch may stay unacknowledged before it is delivered again, ms (30 s). */
  readonly ack_wait: number;
  /** How long a publish waits for JetStream's acknowledgement before QUEUE_UNAVAILABLE, ms (5 s). */
  readonly publish_timeout: number;
  /**
   * The nice value a `--role worker` process runs at (10; 0 keeps the normal priority): its drain
   * yields to requests on a machine it shares, and changes nothing on a machine of its own.
   */
  readonly worker_nice: number;
}

/**
 * The defaults of `queue:`.
 *
 * @example
 * ```ts
 * defaultQueueSettings.deployment; // "default"
 * ```
 */
export const defaultQueueSettings: QueueSettings = Object.freeze({
  url: null,
  deployment: "default",
  ack_wait: 30_000,
  publish_timeout: 5_000,
  worker_nice: 10,
});

const DEPLOYMENT = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Why a queue URL cannot be used, or undefined when it can: nats:// with a host, and an optional
 * `deployment` query parameter of letters, digits, '_' and '-'.
 *
 * @example
 * ```ts
 * queueUrlProblem("http://nats:4222"); // 'scheme "http:" is not nats:'
 * ```
 */
export function queueUrlProblem(text: string): string | undefined {
  for (const part of text.split(",")) {
    let url: URL;
    try {
      url = new URL(part.trim());
    } catch {
      return "not a URL";
    }
    if (url.protocol !== "nats:") return `scheme "${url.protocol}" is not nats:`;
    if (url.hostname === "") return "a nats:// URL needs a host";
    const deployment = url.searchParams.get("deployment");
    if (deployment !== null && !DEPLOYMENT.test(deployment))
      return `deployment "${deployment}" must be 1 to 64 letters, digits, '_' or '-'`;
  }
  return undefined;
}

/**
 * A queue URL split into the servers (without query) and the deployment its `?deployment=` names
 * (undefined without one). Call it on a URL {@link queueUrlProblem} accepted.
 *
 * @example
 * ```ts
 * splitQueueUrl("nats://n1:4222?deployment=prod"); // { servers: "nats://n1:4222", deployment: "prod" }
 * ```
 */
export function splitQueueUrl(text: string): { servers: string; deployment: string | undefined } {
  let deployment: string | undefined;
  const servers = text.split(",").map((part) => {
    const url = new URL(part.trim());
    deployment = url.searchParams.get("deployment") ?? deployment;
    return `nats://${url.host}`;
  });
  return { servers: servers.join(","), deployment };
}

const duration = (least: number, example: string) =>
  z
    .unknown()
    .transform((value, ctx): number => {
      const parsed = parseDuration(value);
      if (!parsed.ok || parsed.ms < least) {
        const kind = typeof value === "string" || typeof value === "number" ? "value" : "type";
        const message = parsed.ok ? `must be at least ${least / 1000}s` : parsed.message;
        ctx.addIssue({ code: "custom", message, input: value, params: { kind } });
        return z.NEVER;
      }
      return parsed.ms;
    })
    .describe(`give a duration, e.g. ${example} (units s, m, h)`)
    .optional();

/**
 * The schema of `queue:` (every key optional; {@link resolveQueue} applies the defaults).
 *
 * @example
 * ```ts
 * queueSection.safeParse({ url: "nats://nats.internal:4222", deployment: "prod" }).success; // true
 * ```
 */
export const queueSection = z.strictObject({
  url: z
    .string()
    .superRefine((text, ctx) => {
      const problem = queueUrlProblem(text);
      if (problem !== undefined)
        ctx.addIssue({ code: "custom", message: problem, input: text, params: { kind: "value" } });
    })
    .describe("give a NATS URL, e.g. nats://nats.internal:4222")
    .optional(),
  deployment: z
    .string()
    .regex(DEPLOYMENT)
    .describe("give the deployment's name: 1 to 64 letters, digits, '_' or '-', e.g. prod")
    .optional(),
  ack_wait: duration(1_000, "30s"),
  publish_timeout: duration(100, "5s"),
  worker_nice: z
    .number()
    .int()
    .min(0)
    .max(19)
    .describe("give a nice value from 0 (normal priority) to 19 (yields most), e.g. 10")
    .optional(),
});

/**
 * The `queue:` section as written (validated; durations in milliseconds).
 *
 * @example
 * ```ts
 * const written: QueueOverride = { deployment: "prod" };
 * ```
 */
export type QueueOverride = z.output<typeof queueSection>;

/**
 * `queue:` with its defaults; a `?deployment=` in the URL names the deployment when `deployment` does not.
 *
 * @example
 * ```ts
 * resolveQueue({ url: "nats://n:4222?deployment=a" }); // { url: "nats://n:4222?deployment=a", deployment: "a", … }
 * ```
 */
export function resolveQueue(written: QueueOverride | undefined): QueueSettings {
  const url = written?.url ?? defaultQueueSettings.url;
  return {
    url,
    deployment:
      written?.deployment ??
      (url === null ? undefined : splitQueueUrl(url).deployment) ??
      defaultQueueSettings.deployment,
    ack_wait: written?.ack_wait ?? defaultQueueSettings.ack_wait,
    publish_timeout: written?.publish_timeout ?? defaultQueueSettings.publish_timeout,
    worker_nice: written?.worker_nice ?? defaultQueueSettings.worker_nice,
  };
}
