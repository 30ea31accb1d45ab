/**
 * Worst first: alerts sort by the project's one severity scale (src/drift/severity.ts), so a
 * notification, a list or a page shows the emergency before the warning.
 */
import { type Severity, severities, severityRank } from "../drift/index.js";
import { compareNames, type Labels } from "./labels.js";

/**
 * The severity in an alert's `severity` label, or null when the label is absent or not one of
 * ok/warning/critical/emergency (an alert from elsewhere may say "page" or "info").
 *
 * @example
 * ```ts
 * alertSeverity({ severity: "critical" }); // "critical"
 * alertSeverity({ severity: "info" }); // null
 * ```
 */
export function alertSeverity(labels: Labels): Severity | null {
  const value = labels.severity;
  return severities.includes(value as Severity) ? (value as Severity) : null;
}

/**
 * What {@link compareAlerts} needs of an alert: labels, and optionally when it started firing and its
 * fingerprint.
 *
 * @example
 * ```ts
 * const item: Sortable = { labels: { severity: "warning", alertname: "ModelLatencyHigh" }, startsAt: 0 };
 * ```
 */
export interface Sortable {
  readonly labels: Labels;
  readonly startsAt?: number | null;
  readonly fingerprint?: string;
}

/**
 * Comparator putting the worst first: by severity rank descending (an unknown severity after `ok`),
 * then the longest-firing first, then by alert name and fingerprint so the order is stable.
 *
 * @example
 * ```ts
 * alerts.sort(compareAlerts); // emergency, critical, warning, …
 * ```
 */
export function compareAlerts(a: Sortable, b: Sortable): number {
  return (
    rank(b.labels) - rank(a.labels) ||
    (a.startsAt ?? Number.POSITIVE_INFINITY) - (b.startsAt ?? Number.POSITIVE_INFINITY) ||
    compareNames(a.labels.alertname ?? "", b.labels.alertname ?? "") ||
    compareNames(a.fingerprint ?? "", b.fingerprint ?? "")
  );
}

/**
 * A sorted copy, worst first (see {@link compareAlerts}).
 *
 * @example
 * ```ts
 * worstFirst(alerts)[0]; // the alert to look at first
 * ```
 */
export function worstFirst<T extends Sortable>(alerts: readonly T[]): T[] {
  return [...alerts].sort(compareAlerts);
}

function rank(labels: Labels): number {
  const severity = alertSeverity(labels);
  return severity === null ? -1 : severityRank(severity);
}
