/**
 * The notification log and Alertmanager's dedup decision. The log says, per group and receiver, which
 * alerts the last notification told about; the decision compares the group now with it. Kept as plain
 * data, so the server can persist it and a restart (or a second replica reading the same store) does
 * not page twice.
 */
import { compareNames } from "./labels.js";

/**
 * One log entry: the last notification of a group to a receiver. Alert identities are fingerprints.
 *
 * @example
 * ```ts
 * const entry: LogEntry = {
 *   groupKey: '{}:{alertname="ModelLatencyHigh", model="bike"}', receiver: "slack",
 *   firingAlerts: ["3255a2497e27fab6"], resolvedAlerts: [], timestamp: 30_000, expiresAt: 432_030_000,
 * };
 * ```
 */
export interface LogEntry {
  readonly groupKey: string;
  readonly receiver: string;
  readonly firingAlerts: readonly string[];
  readonly resolvedAlerts: readonly string[];
  /** When the notification was delivered (epoch ms). */
  readonly timestamp: number;
  /** When the entry is forgotten (`timestamp` + retention). */
  readonly expiresAt: number;
}

/**
 * The log as plain data.
 *
 * @example
 * ```ts
 * const snapshot: NotificationLogSnapshot = { version: 1, entries: [] };
 * ```
 */
export interface NotificationLogSnapshot {
  readonly version: 1;
  readonly entries: readonly LogEntry[];
}

/**
 * Alertmanager's `--data.retention` default, 120 h: how long an entry is kept. It also caps the
 * effective repeat interval — once the entry is gone, a still-firing group is notified as new.
 *
 * @example
 * ```ts
 * new NotificationLog({ retentionMs: DEFAULT_LOG_RETENTION_MS });
 * ```
 */
export const DEFAULT_LOG_RETENTION_MS = 120 * 3_600_000;

/**
 * The notification log: the last entry per (group key, receiver).
 *
 * @example
 * ```ts
 * const log = new NotificationLog();
 * log.record(groupKey, "slack", ["3255a2497e27fab6"], [], now);
 * log.get(groupKey, "slack", now)?.firingAlerts; // ["3255a2497e27fab6"]
 * ```
 */
export class NotificationLog {
  private readonly entries = new Map<string, LogEntry>();
  private readonly retention: number;

  constructor(options: { readonly retentionMs?: number } = {}, snapshot?: NotificationLogSnapshot) {
    this.retention = options.retentionMs ?? DEFAULT_LOG_RETENTION_MS;
    for (const entry of snapshot?.entries ?? [])
      this.entries.set(keyOf(entry.groupKey, entry.receiver), entry);
  }

  /**
   * The entry for a group and receiver, unless there is none or it expired at `now`.
   *
   * @example
   * ```ts
   * log.get(groupKey, "slack", now);
   * ```
   */
  get(groupKey: string, receiver: string, now: number): LogEntry | undefined {
    const entry = this.entries.get(keyOf(groupKey, receiver));
    return entry !== undefined && entry.expiresAt > now ? entry : undefined;
  }

  /**
   * Records a delivered notification (replacing the previous entry of the group and receiver).
   *
   * @example
   * ```ts
   * log.record(n.groupKey, n.receiver, n.firing, n.resolved, deliveredAt);
   * ```
   */
  record(
    groupKey: string,
    receiver: string,
    firing: readonly string[],
    resolved: readonly string[],
    at: number,
  ): LogEntry {
    const entry: LogEntry = {
      groupKey,
      receiver,
      firingAlerts: [...new Set(firing)].sort(compareNames),
      resolvedAlerts: [...new Set(resolved)].sort(compareNames),
      timestamp: at,
      expiresAt: at + this.retention,
    };
    this.entries.set(keyOf(groupKey, receiver), entry);
    return entry;
  }

  /**
   * Forgets entries expired at `now`; returns how many.
   *
   * @example
   * ```ts
   * log.gc(now);
   * ```
   */
  gc(now: number): number {
    let removed = 0;
    for (const [key, entry] of this.entries)
      if (entry.expiresAt <= now) {
        this.entries.delete(key);
        removed++;
      }
    return removed;
  }

  /**
   * Every entry, as plain data (sorted, so two equal logs serialise identically).
   *
   * @example
   * ```ts
   * JSON.stringify(log.snapshot());
   * ```
   */
  snapshot(): NotificationLogSnapshot {
    return {
      version: 1,
      entries: [...this.entries.values()].sort(
        (a, b) => compareNames(a.groupKey, b.groupKey) || compareNames(a.receiver, b.receiver),
      ),
    };
  }
}

function keyOf(groupKey: string, receiver: string): string {
  return `${receiver}\u0000${groupKey}`;
}

/**
 * Why {@link dedupDecision} decided as it did.
 *
 * - `first`: nothing logged and something fires.
 * - `new_firing`: an alert fires that the last notification did not announce.
 * - `all_resolved`: nothing fires any more and the last notification had firing alerts.
 * - `new_resolved`: the receiver wants resolved alerts and some are new.
 * - `repeat`: nothing changed and the repeat interval has passed.
 * - `nothing_firing`: nothing logged (or logged nothing firing) and nothing fires: alerts that fired
 *   and resolved between ticks are never announced.
 * - `unchanged`: nothing to say yet.
 *
 * @example
 * ```ts
 * const reason: DedupReason = "repeat";
 * ```
 */
export type DedupReason =
  | "first"
  | "new_firing"
  | "all_resolved"
  | "new_resolved"
  | "repeat"
  | "nothing_firing"
  | "unchanged";

/**
 * Alertmanager's `DedupStage.needsUpdate`, in order: nothing logged → send if something fires; the
 * firing set is not a subset of the last firing set → send; nothing fires → send only if the last
 * notification had firing alerts ("all resolved", once, whatever `sendResolved` says, so the log is
 * cleared); `sendResolved` and resolved alerts not yet announced → send; else send when
 * `now − timestamp ≥ repeatInterval`. This runs at group_interval ticks only, so the repeat interval is
 * in effect rounded up to a multiple of group_interval. Alertmanager compares strictly against a
 * timestamp written after delivery, so there an exact multiple may slip one more tick; with the exact
 * times of an injected clock, `≥` keeps exact multiples exact.
 *
 * @example
 * ```ts
 * dedupDecision(log.get(key, "slack", now), new Set(["a"]), new Set(), { sendResolved: false, repeatIntervalMs: 14_400_000, now });
 * // { send: true, reason: "first" } when nothing was logged
 * ```
 */
export function dedupDecision(
  entry: LogEntry | undefined,
  firing: ReadonlySet<string>,
  resolved: ReadonlySet<string>,
  options: { readonly sendResolved: boolean; readonly repeatIntervalMs: number; readonly now: number },
): { readonly send: boolean; readonly reason: DedupReason } {
  if (entry === undefined)
    return firing.size > 0 ? { send: true, reason: "first" } : { send: false, reason: "nothing_firing" };
  const lastFiring = new Set(entry.firingAlerts);
  for (const fp of firing) if (!lastFiring.has(fp)) return { send: true, reason: "new_firing" };
  if (firing.size === 0)
    return entry.firingAlerts.length > 0
      ? { send: true, reason: "all_resolved" }
      : { send: false, reason: "nothing_firing" };
  if (options.sendResolved) {
    const lastResolved = new Set(entry.resolvedAlerts);
    for (const fp of resolved) if (!lastResolved.has(fp)) return { send: true, reason: "new_resolved" };
  }
  return options.now - entry.timestamp >= options.repeatIntervalMs
    ? { send: true, reason: "repeat" }
    : { send: false, reason: "unchanged" };
}
