/**
 * Generic webhooks, with Alertmanager's webhook payload (version "4"), so any receiver written for
 * Alertmanager (alertmanager-webhook-logger, a ChatOps bot, a ticketing bridge) works unchanged.
 * 2xx is success; 429 and 5xx are retried; any other answer is not.
 */
import { defaultTimeoutMs, internalFailure, post } from "./http.js";
import { hasKnownEnd, type Notification, zeroTime } from "./notification.js";
import type { Notifier, SendOutcome } from "./notifier.js";

/**
 * One alert of a {@link WebhookPayload}.
 *
 * @example
 * ```ts
 * const alert: WebhookAlert = {
 *   status: "firing", labels: { alertname: "ModelQualityLow" }, annotations: {},
 *   startsAt: "2026-11-27T10:00:00Z", endsAt: "0001-01-01T00:00:00Z", generatorURL: "", fingerprint: "8edc4dc61615cc0a",
 * };
 * ```
 */
export interface WebhookAlert {
  readonly status: "firing" | "resolved";
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAt: string;
  /** Go's zero time `0001-01-01T00:00:00Z` for a firing alert whose end is not known. */
  readonly endsAt: string;
  /** `""` when unknown, as Alertmanager sends it. */
  readonly generatorURL: string;
  readonly fingerprint: string;
}

/**
 * Alertmanager's webhook payload, version 4, field for field.
 *
 * @example
 * ```ts
 * const payload: WebhookPayload = buildWebhookPayload(notification);
 * payload.version; // "4"
 * ```
 */
export interface WebhookPayload {
  readonly version: "4";
  readonly groupKey: string;
  /** How many alerts `max_alerts` left out. */
  readonly truncatedAlerts: number;
  readonly status: "firing" | "resolved";
  readonly receiver: string;
  readonly groupLabels: Readonly<Record<string, string>>;
  readonly commonLabels: Readonly<Record<string, string>>;
  readonly commonAnnotations: Readonly<Record<string, string>>;
  readonly externalURL: string;
  readonly alerts: readonly WebhookAlert[];
}

/**
 * Options of {@link buildWebhookPayload}.
 *
 * @example
 * ```ts
 * buildWebhookPayload(notification, { maxAlerts: 10 });
 * ```
 */
export interface WebhookPayloadOptions {
  /** Send at most this many alerts and count the rest in `truncatedAlerts`; 0 (default) for all. */
  readonly maxAlerts?: number;
}

/**
 * The webhook payload v4 of a notification: every field Alertmanager sends, in its order, with
 * `endsAt` set to Go's zero time for firing alerts without a known end and `generatorURL` `""` when
 * there is none (a receiver written for Alertmanager may expect both fields to be present).
 *
 * @example
 * ```ts
 * JSON.stringify(buildWebhookPayload(notification));
 * // {"version":"4","groupKey":"{}:{model=\"bike\"}","truncatedAlerts":0,"status":"firing",…}
 * ```
 */
export function buildWebhookPayload(
  notification: Notification,
  options: WebhookPayloadOptions = {},
): WebhookPayload {
  const max = options.maxAlerts ?? 0;
  const alerts = max > 0 ? notification.alerts.slice(0, max) : notification.alerts;
  return {
    version: "4",
    groupKey: notification.groupKey,
    truncatedAlerts: notification.alerts.length - alerts.length,
    status: notification.status,
    receiver: notification.receiver,
    groupLabels: notification.groupLabels,
    commonLabels: notification.commonLabels,
    commonAnnotations: notification.commonAnnotations,
    externalURL: notification.externalURL,
    alerts: alerts.map((alert) => ({
      status: alert.status,
      labels: alert.labels,
      annotations: alert.annotations,
      startsAt: alert.startsAt,
      endsAt: hasKnownEnd(alert.endsAt) ? alert.endsAt : zeroTime,
      generatorURL: alert.generatorURL ?? "",
      fingerprint: alert.fingerprint,
    })),
  };
}

/**
 * Settings of a {@link WebhookNotifier}.
 *
 * @example
 * ```ts
 * const config: WebhookNotifierConfig = { name: "hook", url: "https://bridge.example.org/alerts", token: "s3cret-token" };
 * ```
 */
export interface WebhookNotifierConfig {
  readonly name: string;
  /** Where to POST; may carry a credential (in its path, query or user info), so it is a secret. */
  readonly url: string;
  /** Sent as `Authorization: Bearer <token>` when given. */
  readonly token?: string;
  /** See {@link WebhookPayloadOptions.maxAlerts}. */
  readonly maxAlerts?: number;
  /** Per-attempt timeout (default 10 s). */
  readonly timeoutMs?: number;
}

/**
 * Posts the webhook payload v4, one attempt per call.
 *
 * @example
 * ```ts
 * const hook = new WebhookNotifier({ name: "hook", url: "https://bridge.example.org/alerts", token });
 * await hook.send(notification, AbortSignal.timeout(30_000));
 * ```
 */
export class WebhookNotifier implements Notifier {
  readonly kind = "webhook";
  readonly name: string;
  readonly #config: WebhookNotifierConfig;

  constructor(config: WebhookNotifierConfig) {
    this.name = config.name;
    this.#config = config;
  }

  /** Posts once; 2xx is success, 429 and 5xx are retryable, other answers are not. */
  async send(notification: Notification, signal: AbortSignal): Promise<SendOutcome> {
    const { url, token, maxAlerts, timeoutMs = defaultTimeoutMs } = this.#config;
    const secrets = token === undefined ? [url] : [url, token];
    let body: string;
    try {
      body = JSON.stringify(buildWebhookPayload(notification, maxAlerts === undefined ? {} : { maxAlerts }));
    } catch (error) {
      return internalFailure(error, secrets);
    }
    const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
    return post({ url, body, headers, timeoutMs, signal, secrets });
  }
}
