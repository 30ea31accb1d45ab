/**
 * PagerDuty Events API v2: a firing group triggers an alert, an all-resolved group resolves it. The
 * `dedup_key` is sha256 of the group key, as Alertmanager's, so it is the same on every replica and
 * across restarts and the resolve closes what the trigger opened. PagerDuty answers 202 (accepted),
 * 400 (invalid event: not retried), 429 (retried, after `Retry-After` when given), 5xx (retried).
 */
import { createHash } from "node:crypto";
import { defaultTimeoutMs, internalFailure, post } from "./http.js";
import {
  alertLine,
  firingAlerts,
  groupAnnotation,
  groupLabel,
  type Notification,
  notificationLink,
  notificationSeverity,
  notificationTitle,
  resolvedAlerts,
  type Severity,
} from "./notification.js";
import type { Notifier, SendOutcome } from "./notifier.js";
import { isHttpUrl, truncate } from "./text.js";

/**
 * PagerDuty's endpoint for alert events.
 *
 * @example
 * ```ts
 * new PagerDutyNotifier({ name: "pager", routingKey, url: pagerDutyDefaultUrl });
 * ```
 */
export const pagerDutyDefaultUrl = "https://events.pagerduty.com/v2/enqueue";

/**
 * PagerDuty's limits: `summary` ≤ 1,024 characters, `dedup_key` ≤ 255, the event ≤ 512 KB.
 *
 * @example
 * ```ts
 * event.payload.summary.length <= pagerDutyLimits.summary; // true
 * ```
 */
export const pagerDutyLimits = { summary: 1024, dedupKey: 255, eventBytes: 512_000 } as const;

/**
 * PagerDuty's severities, as its API spells them.
 *
 * @example
 * ```ts
 * const severity: PagerDutySeverity = "error";
 * ```
 */
export type PagerDutySeverity = "critical" | "error" | "warning" | "info";

/**
 * Our severity in PagerDuty's words, keeping the order: emergency → `critical`, critical → `error`,
 * warning → `warning`; no known severity → `error` (Alertmanager's default for PagerDuty).
 *
 * @example
 * ```ts
 * pagerDutySeverity("emergency"); // "critical"
 * pagerDutySeverity("critical"); // "error"
 * ```
 */
export function pagerDutySeverity(severity: Severity | undefined): PagerDutySeverity {
  switch (severity) {
    case "emergency":
      return "critical";
    case "critical":
      return "error";
    case "warning":
      return "warning";
    default:
      return "error";
  }
}

/**
 * The `dedup_key` of a group: sha256 of the group key as 64 hex characters (Alertmanager's
 * `notify.Key.Hash`), within PagerDuty's 255.
 *
 * @example
 * ```ts
 * pagerDutyDedupKey('{}:{model="bike"}'); // 64 hex characters, the same on every replica
 * ```
 */
export function pagerDutyDedupKey(groupKey: string): string {
  return createHash("sha256").update(groupKey, "utf8").digest("hex");
}

/**
 * A PagerDuty Events API v2 event, as posted.
 *
 * @example
 * ```ts
 * const event: PagerDutyEvent = { routing_key: key, event_action: "resolve", dedup_key: pagerDutyDedupKey(groupKey) };
 * ```
 */
export interface PagerDutyEvent {
  readonly routing_key: string;
  readonly event_action: "trigger" | "resolve";
  readonly dedup_key: string;
  /** Present on `trigger` (PagerDuty ignores it on `resolve`, so we leave it out). */
  readonly payload?: {
    readonly summary: string;
    readonly source: string;
    readonly severity: PagerDutySeverity;
    readonly timestamp?: string;
    readonly component?: string;
    readonly group?: string;
    readonly class?: string;
    readonly custom_details: Readonly<Record<string, unknown>>;
  };
  readonly links?: ReadonlyArray<{ readonly href: string; readonly text: string }>;
  readonly client?: string;
  readonly client_url?: string;
}

/**
 * Options of {@link buildPagerDutyEvent}.
 *
 * @example
 * ```ts
 * buildPagerDutyEvent(notification, { routingKey, source: "tiktoktoe.prod" });
 * ```
 */
export interface PagerDutyEventOptions {
  readonly routingKey: string;
  /** `payload.source`; default: the dashboard's host, else `tiktoktoe`. */
  readonly source?: string;
}

/**
 * Renders a notification as an event. Firing: `trigger` with summary (the title, cut to 1,024),
 * source, mapped severity, the earliest firing start as timestamp, the model as `component`, its
 * version as `group`, the alert name as `class`, and `custom_details` with the firing and resolved
 * alerts (dropped, as Alertmanager does, if the event would pass 512 KB); a link to the dashboard (and
 * the runbook). Resolved: `resolve` with the same `dedup_key` and nothing else.
 *
 * @example
 * ```ts
 * const event = buildPagerDutyEvent(notification, { routingKey });
 * event.event_action; // "trigger"
 * event.payload?.severity; // "error" for a critical alert
 * ```
 */
export function buildPagerDutyEvent(
  notification: Notification,
  options: PagerDutyEventOptions,
): PagerDutyEvent {
  const dedup_key = pagerDutyDedupKey(notification.groupKey);
  if (notification.status === "resolved")
    return { routing_key: options.routingKey, event_action: "resolve", dedup_key };
  const firing = firingAlerts(notification);
  const resolved = resolvedAlerts(notification);
  const starts = firing.map((alert) => Date.parse(alert.startsAt)).filter((ms) => !Number.isNaN(ms));
  const component = groupLabel(notification, "model");
  const group = groupLabel(notification, "version");
  const alertClass = groupLabel(notification, "alertname");
  const custom_details: Record<string, unknown> = {
    firing: firing.map(alertLine).join("\n"),
    resolved: resolved.map(alertLine).join("\n"),
    num_firing: firing.length,
    num_resolved: resolved.length,
    group_labels: notification.groupLabels,
    common_labels: notification.commonLabels,
  };
  for (const name of ["value", "threshold"]) {
    const value = groupAnnotation(notification, name);
    if (value !== undefined) custom_details[name] = value;
  }
  const links = [
    { href: notificationLink(notification), text: "Dashboard" },
    { href: groupAnnotation(notification, "runbook_url"), text: "Runbook" },
  ].filter((link): link is { href: string; text: string } => isHttpUrl(link.href));
  const event: PagerDutyEvent = {
    routing_key: options.routingKey,
    event_action: "trigger",
    dedup_key,
    payload: {
      summary: truncate(notificationTitle(notification), pagerDutyLimits.summary),
      source: options.source ?? defaultSource(notification.externalURL),
      severity: pagerDutySeverity(notificationSeverity(notification)),
      ...(starts.length > 0 ? { timestamp: new Date(Math.min(...starts)).toISOString() } : {}),
      ...(component === undefined ? {} : { component }),
      ...(group === undefined ? {} : { group }),
      ...(alertClass === undefined ? {} : { class: alertClass }),
      custom_details,
    },
    ...(links.length > 0 ? { links } : {}),
    client: "TikTokToe",
    ...(isHttpUrl(notification.externalURL) ? { client_url: notification.externalURL } : {}),
  };
  if (Buffer.byteLength(JSON.stringify(event)) <= pagerDutyLimits.eventBytes) return event;
  return {
    ...event,
    payload: {
      ...event.payload!,
      custom_details: {
        num_firing: firing.length,
        num_resolved: resolved.length,
        note: "custom details removed: the event was over PagerDuty's 512 KB limit",
      },
    },
  };
}

function defaultSource(externalURL: string): string {
  try {
    const host = new URL(externalURL).host;
    return host === "" ? "tiktoktoe" : host;
  } catch {
    return "tiktoktoe";
  }
}

/**
 * Settings of a {@link PagerDutyNotifier}.
 *
 * @example
 * ```ts
 * const config: PagerDutyNotifierConfig = { name: "pager", routingKey: "0123456789abcdef0123456789abcdef" };
 * ```
 */
export interface PagerDutyNotifierConfig {
  readonly name: string;
  /** The service's integration key: a secret. */
  readonly routingKey: string;
  /** Events endpoint (default {@link pagerDutyDefaultUrl}); EU accounts use events.eu.pagerduty.com. */
  readonly url?: string;
  /** `payload.source` (default: the dashboard's host). */
  readonly source?: string;
  /** Per-attempt timeout (default 10 s). */
  readonly timeoutMs?: number;
}

/**
 * Sends notifications to PagerDuty's Events API v2, one attempt per call.
 *
 * @example
 * ```ts
 * const pager = new PagerDutyNotifier({ name: "pager", routingKey: process.env.PD_KEY! });
 * await pager.send(notification, AbortSignal.timeout(30_000)); // { ok: true, status: 202 }
 * ```
 */
export class PagerDutyNotifier implements Notifier {
  readonly kind = "pagerduty";
  readonly name: string;
  readonly #config: PagerDutyNotifierConfig;

  constructor(config: PagerDutyNotifierConfig) {
    this.name = config.name;
    this.#config = config;
  }

  /** Posts the event once; 202 is success, 429 and 5xx are retryable, other answers are not. */
  async send(notification: Notification, signal: AbortSignal): Promise<SendOutcome> {
    const { routingKey, url = pagerDutyDefaultUrl, timeoutMs = defaultTimeoutMs, source } = this.#config;
    let body: string;
    try {
      body = JSON.stringify(
        buildPagerDutyEvent(notification, source === undefined ? { routingKey } : { routingKey, source }),
      );
    } catch (error) {
      return internalFailure(error, [routingKey]);
    }
    return post({ url, body, timeoutMs, signal, secrets: [routingKey] });
  }
}
