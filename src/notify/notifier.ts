/**
 * The one interface every channel implements, and what one attempt can end in. Notifiers make
 * exactly one attempt, never throw and never queue (OpenTelemetry's exporter rules, Alertmanager's
 * `Notify(ctx, alerts) (retry bool, err error)`): retries, backoff and their bounds live in one place,
 * the delivery stage (`delivery.ts`), which also records every attempt.
 */
import type { Notification } from "./notification.js";

/**
 * The kinds of channel.
 *
 * @example
 * ```ts
 * channelTypes.includes("slack"); // true
 * ```
 */
export const channelTypes = ["slack", "pagerduty", "email", "webhook", "alertmanager"] as const;

/**
 * A kind of channel.
 *
 * @example
 * ```ts
 * const kind: ChannelType = "pagerduty";
 * ```
 */
export type ChannelType = (typeof channelTypes)[number];

/**
 * Why an attempt failed, as a small fixed set so that it can be a metric label
 * (`…_notifications_failed_total{channel, reason}`):
 * - `rate_limited`: HTTP 429 (retried, after `Retry-After` when given);
 * - `client_error`: another HTTP 4xx, or a redirect (not retried: the request or the credential is wrong);
 * - `server_error`: HTTP 5xx (retried);
 * - `timeout`: no answer within the notifier's timeout (retried);
 * - `network`: connection refused or reset, DNS (retried);
 * - `aborted`: the caller's signal ended the attempt (not retried);
 * - `smtp_transient` / `smtp_permanent`: an SMTP 4xx (retried) / 5xx (not retried) reply;
 * - `internal`: a bug in a notifier (it threw), not retried.
 *
 * @example
 * ```ts
 * const reason: FailureReason = "rate_limited";
 * ```
 */
export type FailureReason =
  | "rate_limited"
  | "client_error"
  | "server_error"
  | "timeout"
  | "network"
  | "aborted"
  | "smtp_transient"
  | "smtp_permanent"
  | "internal";

/**
 * The result of one attempt. A failure says whether trying again can help (`retry`), how long the
 * other side asked us to wait (`retryAfterMs`, from `Retry-After`), a metric-safe `reason`, and a
 * human `message` that never contains a secret.
 *
 * @example
 * ```ts
 * const sent: SendOutcome = { ok: true, status: 202 };
 * const limited: SendOutcome = {
 *   ok: false, retry: true, retryAfterMs: 30_000, reason: "rate_limited", status: 429,
 *   message: "https://hooks.slack.com answered 429 Too Many Requests",
 * };
 * ```
 */
export type SendOutcome =
  | { readonly ok: true; readonly status?: number }
  | {
      readonly ok: false;
      readonly retry: boolean;
      readonly retryAfterMs?: number;
      readonly reason: FailureReason;
      readonly message: string;
      readonly status?: number;
    };

/**
 * A failed {@link SendOutcome}.
 *
 * @example
 * ```ts
 * function describe(failure: SendFailure) { return `${failure.reason}: ${failure.message}`; }
 * ```
 */
export type SendFailure = Extract<SendOutcome, { ok: false }>;

/**
 * One channel: renders a notification and makes exactly one attempt to deliver it. `send` never
 * throws (every expected failure is a {@link SendOutcome}) and never queues or retries.
 *
 * @example
 * ```ts
 * const outcome = await notifier.send(notification, AbortSignal.timeout(30_000));
 * if (!outcome.ok && outcome.retry) console.log(`try again in ${outcome.retryAfterMs ?? "a while"} ms`);
 * await notifier.close?.();
 * ```
 */
export interface Notifier {
  readonly kind: ChannelType;
  /** The channel's name in the configuration (`slack-oncall`): attempts and metrics carry it. */
  readonly name: string;
  send(notification: Notification, signal: AbortSignal): Promise<SendOutcome>;
  /** Releases pooled connections (the email channel's SMTP pool); idempotent. */
  close?(): Promise<void>;
}
