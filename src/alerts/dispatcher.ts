/**
 * Aggregation groups and the decision to notify, as Alertmanager's dispatcher and notify pipeline,
 * but pure: the clock is an argument, nothing is sent, and the notification log is plain data. The
 * caller delivers each returned notification and, once it is delivered, calls `recordSent`; a
 * notification not recorded is simply due again at the group's next tick (Alertmanager's retry).
 */
import { fingerprint } from "./fingerprint.js";
import { defaultInhibitRules, type InhibitionSource, type InhibitRule, inhibitedBy } from "./inhibition.js";
import { commonLabels, type Labels, labelSetString, normalizeLabels } from "./labels.js";
import {
  type DedupReason,
  dedupDecision,
  NotificationLog,
  type NotificationLogSnapshot,
} from "./notification-log.js";
import { compareAlerts } from "./ordering.js";
import { matchRoutes, type Route, type RouteTimers } from "./routing.js";
import { type Silence, silencedBy } from "./silences.js";
import type { NotifiableAlert } from "./state.js";

/**
 * Per-receiver settings the dispatcher needs.
 *
 * @example
 * ```ts
 * const slack: ReceiverOptions = { sendResolved: false };
 * ```
 */
export interface ReceiverOptions {
  /**
   * Also announce alerts that resolved (default true, as Alertmanager's webhook and PagerDuty; its
   * email and Slack default to false). Without it, resolved alerts are left out of notifications and
   * an "all resolved" group is logged but not delivered.
   */
  readonly sendResolved?: boolean;
}

/**
 * Options of the {@link Dispatcher}.
 *
 * @example
 * ```ts
 * new Dispatcher({ route, receivers: { slack: { sendResolved: false } }, silences, log: saved });
 * ```
 */
export interface DispatcherOptions {
  readonly route: Route;
  /** Receivers by name; one not listed gets the defaults. */
  readonly receivers?: Readonly<Record<string, ReceiverOptions>>;
  /** Default {@link defaultInhibitRules} (an emergency mutes warnings and criticals of its model); `[]` for none. */
  readonly inhibitRules?: readonly InhibitRule[];
  readonly silences?: readonly Silence[];
  /** A notification log saved earlier (see {@link Dispatcher.logSnapshot}). */
  readonly log?: NotificationLogSnapshot;
  /** How long log entries are kept (default 120 h, Alertmanager's `--data.retention`). */
  readonly logRetentionMs?: number;
}

/**
 * An alert inside a notification.
 *
 * @example
 * ```ts
 * const a: NotificationAlert = { status: "firing", fingerprint: "…", labels, annotations, startsAt: 0, endsAt: null };
 * ```
 */
export interface NotificationAlert {
  readonly status: "firing" | "resolved";
  readonly fingerprint: string;
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly startsAt: number;
  /** null while firing (Alertmanager prints `0001-01-01T00:00:00Z`). */
  readonly endsAt: number | null;
}

/**
 * A notification to deliver: the fields of Alertmanager's webhook payload v4 that do not depend on
 * the channel, plus what `recordSent` needs.
 *
 * @example
 * ```ts
 * for (const n of dispatcher.tick(now)) if (await deliver(n)) dispatcher.recordSent(n, clock.now());
 * ```
 */
export interface Notification {
  readonly groupKey: string;
  readonly receiver: string;
  /** `firing` when any alert in `alerts` fires. */
  readonly status: "firing" | "resolved";
  /** Firing then resolved, each worst first; without resolved alerts when the receiver does not want them. */
  readonly alerts: readonly NotificationAlert[];
  readonly groupLabels: Labels;
  readonly commonLabels: Labels;
  readonly commonAnnotations: Labels;
  /** Fingerprints of every firing alert of the group (not muted), for the log. */
  readonly firing: readonly string[];
  /** Fingerprints of every resolved alert of the group (not muted), for the log. */
  readonly resolved: readonly string[];
  /** The time of the flush that produced it. */
  readonly at: number;
  /**
   * Which flush of which aggregation group produced it (opaque, unique per dispatcher): its delivery
   * lets that group's resolved alerts go, and no other group's.
   */
  readonly flush: number;
  readonly reason: DedupReason;
}

/**
 * An alert as the dispatcher sees it at a time: firing or resolved, active or suppressed (muted by a
 * silence or an inhibition, still listed), and the receivers whose groups hold it.
 *
 * @example
 * ```ts
 * dispatcher.alerts(now).filter((a) => a.state === "suppressed").map((a) => a.silencedBy);
 * ```
 */
export interface AlertStatus extends NotificationAlert {
  readonly state: "active" | "suppressed";
  readonly silencedBy: readonly string[];
  readonly inhibitedBy: readonly string[];
  readonly receivers: readonly string[];
}

/**
 * One aggregation group, for inspection.
 *
 * @example
 * ```ts
 * dispatcher.groups().map((g) => [g.groupKey, g.alerts.length, g.nextFlushAt]);
 * ```
 */
export interface GroupStatus {
  readonly groupKey: string;
  readonly routeId: string;
  readonly receiver: string;
  readonly groupLabels: Labels;
  readonly timers: RouteTimers;
  /** Fingerprints of the alerts in the group. */
  readonly alerts: readonly string[];
  readonly nextFlushAt: number;
  readonly hasFlushed: boolean;
}

interface StoredAlert {
  readonly fingerprint: string;
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly startsAt: number;
  readonly endsAt: number | null;
  readonly revision: number;
}

interface Group {
  readonly id: string;
  /** The route's position in a depth-first walk of the tree: orders flushes deterministically. */
  readonly node: number;
  readonly key: string;
  readonly route: Route;
  readonly labels: Labels;
  /** fingerprint → revision of the alert when it was last inserted. */
  readonly alerts: Map<string, number>;
  nextFlushAt: number;
  hasFlushed: boolean;
  /** The last notification not yet recorded as delivered: its flush and its resolved alerts (fingerprint → revision). */
  inFlight: { readonly flush: number; readonly resolved: Map<string, number> } | null;
}

/**
 * Groups alerts by route and group labels and decides when each group notifies its receiver, with
 * Alertmanager's timers and dedup:
 *
 * - a new group waits `group_wait` before its first flush (at once if its alert started more than
 *   `group_wait` ago, e.g. after a restart), then flushes every `group_interval` on that grid;
 * - each flush drops muted alerts (silences, inhibition), then asks the log (see `dedupDecision`):
 *   new firing alerts go out at the next tick, an unchanged group after `repeat_interval`, "all
 *   resolved" once, and an alert that resolved before its group's first flush is never sent;
 * - after a successful flush (nothing to send, or delivered and recorded), resolved alerts leave the
 *   group; an empty group is removed, and a later alert with the same labels starts a new group
 *   (the log still dedups it).
 *
 * An alert is identified by its fingerprint; an update replaces it (latest wins). It is resolved when
 * `endsAt` is set and not after the flush time.
 *
 * @example
 * ```ts
 * const dispatcher = new Dispatcher({ route });
 * dispatcher.update(notifiable(result.alerts), windowEnd); // may return notifications
 * setTimeout(() => deliverAll(dispatcher.tick(Date.now())), dispatcher.nextTickAt()! - Date.now());
 * ```
 */
export class Dispatcher {
  private readonly route: Route;
  private readonly receivers: Readonly<Record<string, ReceiverOptions>>;
  private readonly inhibitRules: readonly InhibitRule[];
  private silences: readonly Silence[];
  private readonly log: NotificationLog;
  private readonly store = new Map<string, StoredAlert>();
  private readonly groupsById = new Map<string, Group>();
  /**
   * Each route node's position in a depth-first walk. Groups are kept per node, as Alertmanager
   * keeps them per `*Route`: neither the key nor the id is unique (two `continue` siblings with the
   * same matchers give their children the same id), and keying by it merged their groups, so only
   * the first receiver was notified.
   */
  private readonly nodes = new Map<Route, number>();
  private revision = 0;
  private flushes = 0;

  constructor(options: DispatcherOptions) {
    this.route = options.route;
    const walk = (route: Route) => {
      this.nodes.set(route, this.nodes.size);
      for (const child of route.routes) walk(child);
    };
    walk(this.route);
    this.receivers = options.receivers ?? {};
    this.inhibitRules = options.inhibitRules ?? defaultInhibitRules;
    this.silences = options.silences ?? [];
    this.log = new NotificationLog(
      options.logRetentionMs === undefined ? {} : { retentionMs: options.logRetentionMs },
      options.log,
    );
  }

  /**
   * Inserts or replaces alerts at `now`, then runs {@link tick} at `now` and returns its
   * notifications (a group whose wait is already over flushes at once).
   *
   * @example
   * ```ts
   * dispatcher.update([{ labels, annotations, startsAt: now, endsAt: null }], now);
   * ```
   */
  update(alerts: readonly NotifiableAlert[], now: number): Notification[] {
    for (const alert of alerts) {
      const labels = normalizeLabels(alert.labels);
      const fp = fingerprint(labels);
      const revision = ++this.revision;
      this.store.set(fp, {
        fingerprint: fp,
        labels,
        annotations: alert.annotations,
        startsAt: alert.startsAt,
        endsAt: alert.endsAt,
        revision,
      });
      for (const match of matchRoutes(this.route, labels)) {
        const node = this.nodes.get(match.route)!;
        const id = `${node}\u0000${labelSetString(match.groupLabels)}`;
        let group = this.groupsById.get(id);
        if (group === undefined) {
          group = {
            id,
            node,
            key: match.groupKey,
            route: match.route,
            labels: match.groupLabels,
            alerts: new Map(),
            nextFlushAt: now + match.timers.groupWait,
            hasFlushed: false,
            inFlight: null,
          };
          this.groupsById.set(id, group);
        }
        group.alerts.set(fp, revision);
        // Alertmanager: "immediately trigger a flush if the wait duration for this alert is already over".
        if (!group.hasFlushed && alert.startsAt + match.timers.groupWait < now)
          group.nextFlushAt = Math.min(group.nextFlushAt, now);
      }
    }
    return this.tick(now);
  }

  /**
   * Flushes every group due at `now` and returns the notifications to deliver. Call it at
   * {@link nextTickAt} (or more often: a group not due does nothing). A group whose ticks were
   * missed flushes once and keeps its grid.
   *
   * @example
   * ```ts
   * const notifications = dispatcher.tick(now);
   * ```
   */
  tick(now: number): Notification[] {
    this.log.gc(now);
    const due = [...this.groupsById.values()]
      .filter((g) => g.nextFlushAt <= now)
      .sort(
        (a, b) =>
          a.nextFlushAt - b.nextFlushAt || a.node - b.node || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
      );
    const out: Notification[] = [];
    for (const group of due) {
      const interval = group.route.timers.groupInterval;
      group.nextFlushAt += interval * Math.max(1, Math.floor((now - group.nextFlushAt) / interval) + 1);
      group.hasFlushed = true;
      const notification = this.flush(group, now);
      if (notification !== null) out.push(notification);
    }
    return out;
  }

  /**
   * Records that a notification was delivered (at `at`): writes the log entry and lets its resolved
   * alerts leave the group that flushed it. `sent` is the notification itself, or the same fields read
   * back from a durable outbox.
   *
   * Two sibling routes with the same matchers and receiver make groups with the same group key: as in
   * Alertmanager, they share the log entry (keyed by group key and receiver), but each group's
   * resolved alerts leave only with its own delivery (Alertmanager's `aggrGroup.flush` deletes them
   * from its own store after its own notify succeeds). Matching groups by key and receiver let one
   * group's delivery drop the other's pending resolved alerts before that one was delivered. An
   * older flush of a group that flushed again since does not clear the newer one either.
   *
   * @example
   * ```ts
   * dispatcher.recordSent(notification, deliveredAt);
   * ```
   */
  recordSent(
    sent: Pick<Notification, "groupKey" | "receiver" | "firing" | "resolved" | "flush">,
    at: number,
  ): void {
    this.log.record(sent.groupKey, sent.receiver, sent.firing, sent.resolved, at);
    for (const group of this.groupsById.values())
      if (group.inFlight?.flush === sent.flush) {
        const { resolved } = group.inFlight;
        group.inFlight = null;
        this.removeResolved(group, resolved);
        break;
      }
  }

  /**
   * Replaces the silences (created, edited or expired by the caller).
   *
   * @example
   * ```ts
   * dispatcher.setSilences([...silences, newSilence]);
   * ```
   */
  setSilences(silences: readonly Silence[]): void {
    this.silences = silences;
  }

  /**
   * When the next group is due, or null when there are no groups.
   *
   * @example
   * ```ts
   * const at = dispatcher.nextTickAt();
   * ```
   */
  nextTickAt(): number | null {
    let next: number | null = null;
    for (const group of this.groupsById.values())
      if (next === null || group.nextFlushAt < next) next = group.nextFlushAt;
    return next;
  }

  /**
   * Every alert the dispatcher holds, with its status at `now`: firing then resolved, each worst first.
   *
   * @example
   * ```ts
   * dispatcher.alerts(now).filter((a) => a.inhibitedBy.length > 0);
   * ```
   */
  alerts(now: number): AlertStatus[] {
    const sources = this.firingSources(now);
    const receivers = new Map<string, Set<string>>();
    for (const group of this.groupsById.values())
      for (const fp of group.alerts.keys()) {
        const set = receivers.get(fp) ?? new Set<string>();
        set.add(group.route.receiver);
        receivers.set(fp, set);
      }
    return firingFirst(
      [...this.store.values()].map((alert) => {
        const mute = this.muteOf(alert, sources, now);
        return {
          ...toNotificationAlert(alert, now),
          state: mute.silencedBy.length > 0 || mute.inhibitedBy.length > 0 ? "suppressed" : "active",
          silencedBy: mute.silencedBy,
          inhibitedBy: mute.inhibitedBy,
          receivers: [...(receivers.get(alert.fingerprint) ?? [])].sort(),
        } satisfies AlertStatus;
      }),
    );
  }

  /**
   * The aggregation groups, for inspection.
   *
   * @example
   * ```ts
   * dispatcher.groups().length;
   * ```
   */
  groups(): GroupStatus[] {
    return [...this.groupsById.values()]
      .map((g) => ({
        groupKey: g.key,
        routeId: g.route.id,
        receiver: g.route.receiver,
        groupLabels: g.labels,
        timers: g.route.timers,
        alerts: [...g.alerts.keys()].sort(),
        nextFlushAt: g.nextFlushAt,
        hasFlushed: g.hasFlushed,
      }))
      .sort((a, b) => (a.groupKey < b.groupKey ? -1 : a.groupKey > b.groupKey ? 1 : 0));
  }

  /**
   * The notification log as plain data, to persist (and pass back as `options.log` after a restart).
   *
   * @example
   * ```ts
   * await store.put("nflog", JSON.stringify(dispatcher.logSnapshot()));
   * ```
   */
  logSnapshot(): NotificationLogSnapshot {
    return this.log.snapshot();
  }

  private flush(group: Group, now: number): Notification | null {
    const members = [...group.alerts.keys()].flatMap((fp) => {
      const alert = this.store.get(fp);
      return alert === undefined ? [] : [alert];
    });
    // The resolved alerts as of this flush: they leave the group once the flush has succeeded.
    const resolvedNow = new Map(
      members.filter((a) => isResolved(a, now)).map((a) => [a.fingerprint, a.revision]),
    );
    const sources = this.firingSources(now);
    const kept = members.filter((a) => {
      const mute = this.muteOf(a, sources, now);
      return mute.silencedBy.length === 0 && mute.inhibitedBy.length === 0;
    });
    const firing = new Set(kept.filter((a) => !isResolved(a, now)).map((a) => a.fingerprint));
    const resolved = new Set(kept.filter((a) => isResolved(a, now)).map((a) => a.fingerprint));
    const receiver = group.route.receiver;
    const sendResolved = this.receivers[receiver]?.sendResolved ?? true;
    const decision =
      kept.length === 0
        ? { send: false, reason: "unchanged" as const }
        : dedupDecision(this.log.get(group.key, receiver, now), firing, resolved, {
            sendResolved,
            repeatIntervalMs: group.route.timers.repeatInterval,
            now,
          });
    if (!decision.send) {
      this.removeResolved(group, resolvedNow);
      return null;
    }
    if (!sendResolved && firing.size === 0) {
      // Alertmanager's retry stage: nothing to deliver, but log it so "all resolved" is not due again.
      this.log.record(group.key, receiver, [], [...resolved], now);
      this.removeResolved(group, resolvedNow);
      return null;
    }
    const alerts = firingFirst(
      kept.filter((a) => sendResolved || !isResolved(a, now)).map((a) => toNotificationAlert(a, now)),
    );
    const flush = ++this.flushes;
    group.inFlight = { flush, resolved: resolvedNow };
    return {
      groupKey: group.key,
      receiver,
      status: alerts.some((a) => a.status === "firing") ? "firing" : "resolved",
      alerts,
      groupLabels: group.labels,
      commonLabels: commonLabels(alerts.map((a) => a.labels)),
      commonAnnotations: commonLabels(alerts.map((a) => a.annotations)),
      firing: [...firing].sort(),
      resolved: [...resolved].sort(),
      at: now,
      flush,
      reason: decision.reason,
    };
  }

  private removeResolved(group: Group, resolved: ReadonlyMap<string, number>): void {
    for (const [fp, revision] of resolved) {
      // Only if not inserted again since (Alertmanager compares the alert's update time).
      if (this.store.get(fp)?.revision === revision && group.alerts.get(fp) === revision)
        group.alerts.delete(fp);
    }
    if (group.alerts.size === 0) this.groupsById.delete(group.id);
    for (const fp of resolved.keys())
      if (![...this.groupsById.values()].some((g) => g.alerts.has(fp))) this.store.delete(fp);
  }

  private firingSources(now: number): InhibitionSource[] {
    return [...this.store.values()].filter((a) => !isResolved(a, now));
  }

  private muteOf(
    alert: StoredAlert,
    sources: readonly InhibitionSource[],
    now: number,
  ): { silencedBy: string[]; inhibitedBy: string[] } {
    return {
      silencedBy: silencedBy(this.silences, alert.labels, now),
      inhibitedBy: inhibitedBy(this.inhibitRules, alert.labels, sources),
    };
  }
}

// Firing alerts before resolved ones, each worst first: what needs attention comes first.
function firingFirst<T extends NotificationAlert>(alerts: readonly T[]): T[] {
  return [...alerts].sort((a, b) =>
    a.status === b.status ? compareAlerts(a, b) : a.status === "firing" ? -1 : 1,
  );
}

function isResolved(alert: Pick<StoredAlert, "endsAt">, now: number): boolean {
  return alert.endsAt !== null && alert.endsAt <= now;
}

function toNotificationAlert(alert: StoredAlert, now: number): NotificationAlert {
  const resolved = isResolved(alert, now);
  return {
    status: resolved ? "resolved" : "firing",
    fingerprint: alert.fingerprint,
    labels: alert.labels,
    annotations: alert.annotations,
    startsAt: alert.startsAt,
    // As Alertmanager's flush: an end in the future is not shown, so alerts do not resolve as time passes.
    endsAt: resolved ? alert.endsAt : null,
  };
}
