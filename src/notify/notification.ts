/**
 * The notification every channel renders: one alert group, as the alert dispatcher hands it over.
 * The shape follows Alertmanager's notification data (and so its webhook payload v4) so that the
 * webhook and Alertmanager channels are plain mappings, and readers who know Alertmanager know it.
 */

/**
 * Alert severities, mildest first, so that an index comparison orders them.
 *
 * @example
 * ```ts
 * severities.indexOf("critical") > severities.indexOf("warning"); // true
 * ```
 */
export const severities = ["warning", "critical", "emergency"] as const;

/**
 * An alert severity, as found in the `severity` label.
 *
 * @example
 * ```ts
 * const severity: Severity = "critical";
 * ```
 */
export type Severity = (typeof severities)[number];

/**
 * One alert of a group.
 *
 * @example
 * ```ts
 * const alert: NotificationAlert = {
 *   status: "firing",
 *   labels: { alertname: "ModelQualityLow", model: "bike", severity: "critical" },
 *   annotations: { summary: "MAE above threshold", value: "91.2", threshold: "40" },
 *   startsAt: "2026-11-27T10:00:00Z", endsAt: "0001-01-01T00:00:00Z",
 *   fingerprint: "8edc4dc61615cc0a",
 * };
 * ```
 */
export interface NotificationAlert {
  readonly status: "firing" | "resolved";
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** RFC 3339. */
  readonly startsAt: string;
  /** RFC 3339; `""` or {@link zeroTime} for a firing alert whose end is not known. */
  readonly endsAt: string;
  /** Alertmanager's fingerprint of the labels (16 hex characters). */
  readonly fingerprint: string;
  /** Where the alert comes from (the window or rule page). */
  readonly generatorURL?: string;
}

/**
 * One notification for one receiver: a group of alerts that share the group labels.
 *
 * @example
 * ```ts
 * const notification: Notification = {
 *   groupKey: '{}:{model="bike"}', receiver: "oncall", status: "firing",
 *   alerts: [alert],
 *   groupLabels: { model: "bike" }, commonLabels: { model: "bike", severity: "critical" },
 *   commonAnnotations: {}, externalURL: "http://127.0.0.1:8080",
 * };
 * ```
 */
export interface Notification {
  /** Alertmanager-style group key, e.g. `{}:{model="bike"}`: stable for the life of the group. */
  readonly groupKey: string;
  readonly receiver: string;
  /** `firing` while any alert of the group fires. */
  readonly status: "firing" | "resolved";
  readonly alerts: readonly NotificationAlert[];
  readonly groupLabels: Readonly<Record<string, string>>;
  readonly commonLabels: Readonly<Record<string, string>>;
  readonly commonAnnotations: Readonly<Record<string, string>>;
  /** The dashboard's base URL. */
  readonly externalURL: string;
}

/**
 * Go's zero time as Alertmanager prints it: the `endsAt` of a firing alert whose end is not known.
 *
 * @example
 * ```ts
 * alert.endsAt === zeroTime; // the alert fires until it is resolved
 * ```
 */
export const zeroTime = "0001-01-01T00:00:00Z";

/**
 * True when `endsAt` says nothing about the end (empty, or Go's zero time in any spelling).
 *
 * @example
 * ```ts
 * hasKnownEnd(""); // false
 * hasKnownEnd("0001-01-01T00:00:00Z"); // false
 * hasKnownEnd("2026-11-27T11:00:00Z"); // true
 * ```
 */
export function hasKnownEnd(endsAt: string): boolean {
  return endsAt !== "" && !endsAt.startsWith("0001-01-01");
}

/**
 * The alerts of a group that fire.
 *
 * @example
 * ```ts
 * firingAlerts(notification).length; // 2 for "[FIRING:2] …"
 * ```
 */
export function firingAlerts(notification: Notification): readonly NotificationAlert[] {
  return notification.alerts.filter((alert) => alert.status === "firing");
}

/**
 * The alerts of a group that are resolved.
 *
 * @example
 * ```ts
 * resolvedAlerts(notification).map((alert) => alert.fingerprint);
 * ```
 */
export function resolvedAlerts(notification: Notification): readonly NotificationAlert[] {
  return notification.alerts.filter((alert) => alert.status === "resolved");
}

/**
 * True when `value` is one of the {@link severities}.
 *
 * @example
 * ```ts
 * isSeverity("critical"); // true
 * isSeverity("info"); // false
 * ```
 */
export function isSeverity(value: unknown): value is Severity {
  return typeof value === "string" && (severities as readonly string[]).includes(value);
}

/**
 * The group's severity: the highest `severity` label among its firing alerts (among all of them
 * once everything is resolved, so a resolved message still says what it was), else the common
 * label; `undefined` when no alert carries a known severity.
 *
 * @example
 * ```ts
 * notificationSeverity(notification); // "critical"
 * ```
 */
export function notificationSeverity(notification: Notification): Severity | undefined {
  const firing = firingAlerts(notification);
  const alerts = firing.length > 0 ? firing : notification.alerts;
  let best = -1;
  for (const alert of alerts) best = Math.max(best, severities.indexOf(alert.labels.severity as Severity));
  if (best >= 0) return severities[best];
  const common = notification.commonLabels.severity;
  return isSeverity(common) ? common : undefined;
}

/**
 * A label of the group: from the group labels, else the common labels, else the first alert.
 *
 * @example
 * ```ts
 * groupLabel(notification, "model"); // "bike"
 * ```
 */
export function groupLabel(notification: Notification, name: string): string | undefined {
  return (
    notification.groupLabels[name] ?? notification.commonLabels[name] ?? notification.alerts[0]?.labels[name]
  );
}

/**
 * An annotation of the group: the common annotation, else the first firing (or first) alert's.
 *
 * @example
 * ```ts
 * groupAnnotation(notification, "value"); // "91.2"
 * ```
 */
export function groupAnnotation(notification: Notification, name: string): string | undefined {
  const first = firingAlerts(notification)[0] ?? notification.alerts[0];
  return notification.commonAnnotations[name] ?? first?.annotations[name];
}

/**
 * Where a reader should go: the `dashboard_url` annotation when the rule gives one, else the
 * dashboard's base URL.
 *
 * @example
 * ```ts
 * notificationLink(notification); // "http://127.0.0.1:8080"
 * ```
 */
export function notificationLink(notification: Notification): string {
  return groupAnnotation(notification, "dashboard_url") ?? notification.externalURL;
}

/**
 * The one-line title every channel uses, in Alertmanager's default style:
 * `[FIRING:2] critical bike ModelQualityLow (v3)` — status (with the number of firing alerts),
 * severity, model, the other group label values sorted by name, and in brackets the values of the
 * common labels that are not group labels.
 *
 * @example
 * ```ts
 * notificationTitle(notification); // "[FIRING:2] critical bike ModelQualityLow"
 * ```
 */
export function notificationTitle(notification: Notification): string {
  const firing = firingAlerts(notification).length;
  const status = notification.status === "firing" ? `[FIRING:${firing}]` : "[RESOLVED]";
  const severity = notificationSeverity(notification);
  const model = groupLabel(notification, "model");
  const shown = new Set(["severity", "model"]);
  const grouped = sortedValues(notification.groupLabels, shown);
  const extra = sortedValues(
    notification.commonLabels,
    new Set([...shown, ...Object.keys(notification.groupLabels)]),
  );
  const words = [status, severity, model, ...grouped].filter((word) => word !== undefined && word !== "");
  return extra.length > 0 ? `${words.join(" ")} (${extra.join(" ")})` : words.join(" ");
}

/**
 * One line per alert: its alert name, summary (or description), and value against threshold.
 *
 * @example
 * ```ts
 * alertLine(alert); // "ModelQualityLow: MAE above threshold (value 91.2, threshold 40)"
 * ```
 */
export function alertLine(alert: NotificationAlert): string {
  const name = alert.labels.alertname ?? "alert";
  const summary = alert.annotations.summary ?? alert.annotations.description;
  const measured = valueAgainstThreshold(alert.annotations.value, alert.annotations.threshold);
  return `${name}${summary === undefined ? "" : `: ${summary}`}${measured === undefined ? "" : ` (${measured})`}`;
}

/**
 * `value 91.2, threshold 40`, or whichever half is known; `undefined` when neither is.
 *
 * @example
 * ```ts
 * valueAgainstThreshold("91.2", "40"); // "value 91.2, threshold 40"
 * ```
 */
export function valueAgainstThreshold(
  value: string | undefined,
  threshold: string | undefined,
): string | undefined {
  const parts = [
    value === undefined ? undefined : `value ${value}`,
    threshold === undefined ? undefined : `threshold ${threshold}`,
  ].filter((part) => part !== undefined);
  return parts.length === 0 ? undefined : parts.join(", ");
}

function sortedValues(labels: Readonly<Record<string, string>>, skip: ReadonlySet<string>): string[] {
  return Object.keys(labels)
    .filter((name) => !skip.has(name))
    .sort()
    .map((name) => labels[name]!)
    .filter((value) => value !== "");
}
