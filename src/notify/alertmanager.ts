/**
 * A sink into a real Alertmanager (`POST /api/v2/alerts`), for teams whose routing, silences and
 * on-call integrations already live there: we hand over the alerts and Alertmanager does the rest.
 * Alertmanager answers 200 (empty body), 400 (invalid alerts: not retried) or 5xx (retried).
 */
import { defaultTimeoutMs, internalFailure, post } from "./http.js";
import { hasKnownEnd, type Notification } from "./notification.js";
import type { Notifier, SendOutcome } from "./notifier.js";
import { isHttpUrl } from "./text.js";

/**
 * Alertmanager API v2's `postableAlert`.
 *
 * @example
 * ```ts
 * const alert: PostableAlert = {
 *   labels: { alertname: "ModelQualityLow", model: "bike" }, annotations: { summary: "MAE 91" },
 *   startsAt: "2026-11-27T10:00:00Z",
 * };
 * ```
 */
export interface PostableAlert {
  /** Must include `alertname`. */
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAt: string;
  /** Left out while the end is not known: Alertmanager then applies its `resolve_timeout`. */
  readonly endsAt?: string;
  readonly generatorURL?: string;
}

/**
 * The alert name used when an alert has none (Alertmanager rejects alerts without `alertname`).
 *
 * @example
 * ```ts
 * buildPostableAlerts(notification)[0]!.labels.alertname; // the alert's own, else "TikTokToeAlert"
 * ```
 */
export const fallbackAlertname = "TikTokToeAlert";

/**
 * The notification's alerts as Alertmanager's `postableAlert`s: labels (with `alertname`, taken from
 * the group labels or {@link fallbackAlertname} when an alert has none), annotations, `startsAt`,
 * `endsAt` when known — a resolved alert carries its end, so Alertmanager resolves it; a resolved
 * alert without one ends now — and `generatorURL` when it is an http(s) URL (Alertmanager rejects
 * other values).
 *
 * @example
 * ```ts
 * buildPostableAlerts(resolvedNotification)[0]!.endsAt; // "2026-11-27T11:00:00Z"
 * ```
 */
export function buildPostableAlerts(
  notification: Notification,
  now: () => Date = () => new Date(),
): PostableAlert[] {
  return notification.alerts.map((alert) => {
    const alertname =
      alert.labels.alertname ??
      notification.groupLabels.alertname ??
      notification.commonLabels.alertname ??
      fallbackAlertname;
    const endsAt = hasKnownEnd(alert.endsAt)
      ? alert.endsAt
      : alert.status === "resolved"
        ? now().toISOString()
        : undefined;
    return {
      labels: { ...alert.labels, alertname },
      annotations: alert.annotations,
      startsAt: alert.startsAt,
      ...(endsAt === undefined ? {} : { endsAt }),
      ...(isHttpUrl(alert.generatorURL) ? { generatorURL: alert.generatorURL } : {}),
    };
  });
}

/**
 * The URL alerts are posted to: `<base>/api/v2/alerts`, keeping a route prefix in the base
 * (`--web.route-prefix`).
 *
 * @example
 * ```ts
 * alertmanagerAlertsUrl("http://alertmanager:9093"); // "http://alertmanager:9093/api/v2/alerts"
 * alertmanagerAlertsUrl("http://proxy/am/"); // "http://proxy/am/api/v2/alerts"
 * ```
 */
export function alertmanagerAlertsUrl(base: string): string {
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, "")}/api/v2/alerts`;
  return url.toString();
}

/**
 * Settings of an {@link AlertmanagerNotifier}.
 *
 * @example
 * ```ts
 * const config: AlertmanagerNotifierConfig = { name: "am", url: "http://alertmanager:9093" };
 * ```
 */
export interface AlertmanagerNotifierConfig {
  readonly name: string;
  /** Alertmanager's base URL; basic-auth credentials may be given in its user info. */
  readonly url: string;
  /** Per-attempt timeout (default 10 s). */
  readonly timeoutMs?: number;
}

/**
 * Posts a notification's alerts to an Alertmanager, one attempt per call.
 *
 * @example
 * ```ts
 * const am = new AlertmanagerNotifier({ name: "am", url: "http://127.0.0.1:9093" });
 * await am.send(notification, AbortSignal.timeout(30_000)); // { ok: true, status: 200 }
 * ```
 */
export class AlertmanagerNotifier implements Notifier {
  readonly kind = "alertmanager";
  readonly name: string;
  readonly #config: AlertmanagerNotifierConfig;

  constructor(config: AlertmanagerNotifierConfig) {
    this.name = config.name;
    this.#config = config;
  }

  /** Posts once; 200 is success, 429 and 5xx are retryable, other answers are not. */
  async send(notification: Notification, signal: AbortSignal): Promise<SendOutcome> {
    const { url, timeoutMs = defaultTimeoutMs } = this.#config;
    let target: string;
    let body: string;
    try {
      target = alertmanagerAlertsUrl(url);
      body = JSON.stringify(buildPostableAlerts(notification));
    } catch (error) {
      return internalFailure(error, [url]);
    }
    return post({ url: target, body, timeoutMs, signal, secrets: [url] });
  }
}
