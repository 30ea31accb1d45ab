/**
 * Severities, ordered: `ok` < `warning` < `critical` < `emergency`. The same scale is used by drift
 * decisions, monitor verdicts and alerts, so sorting by {@link severityRank} descending puts the
 * worst first everywhere.
 */
export type Severity = "ok" | "warning" | "critical" | "emergency";

/** All severities, worst first. */
export const severities: readonly Severity[] = ["emergency", "critical", "warning", "ok"];

const RANK: Record<Severity, number> = { ok: 0, warning: 1, critical: 2, emergency: 3 };

/**
 * Numeric rank of a severity (ok 0 … emergency 3).
 *
 * @example
 * ```ts
 * ["warning", "emergency", "ok"].sort((a, b) => severityRank(b) - severityRank(a)); // worst first
 * ```
 */
export function severityRank(severity: Severity): number {
  return RANK[severity];
}

/**
 * The worse of two severities.
 *
 * @example
 * ```ts
 * worstSeverity("warning", "critical"); // "critical"
 * ```
 */
export function worstSeverity(a: Severity, b: Severity): Severity {
  return RANK[a] >= RANK[b] ? a : b;
}

/**
 * True when `severity` is at least `floor`.
 *
 * @example
 * ```ts
 * atLeast("emergency", "critical"); // true
 * ```
 */
export function atLeast(severity: Severity, floor: Severity): boolean {
  return RANK[severity] >= RANK[floor];
}
