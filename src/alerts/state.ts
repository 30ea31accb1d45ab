/**
 * The alert state machine, per fingerprint: inactive → pending → firing → resolved, as Prometheus's
 * alerting rules with their `for`. Driven by evaluations (a window closed) at times the caller gives —
 * the event-time clock in a replay — so a year replayed in a minute pages exactly as it would have
 * live, and one noisy window never pages anyone.
 */
import { fingerprint } from "./fingerprint.js";
import { type Labels, labelSetString, labelValue, normalizeLabels } from "./labels.js";
import { worstFirst } from "./ordering.js";

/**
 * How long a condition must hold before its alert fires: a number of consecutive evaluations
 * (windows), or milliseconds of the evaluation clock since it was first seen. `{ windows: 1 }` and
 * `{ ms: 0 }` fire at the first evaluation.
 *
 * @example
 * ```ts
 * const twoWindows: For = { windows: 2 };
 * const halfAnHour: For = { ms: 1_800_000 };
 * ```
 */
export type For = { readonly windows: number } | { readonly ms: number };

/**
 * A rule's statement that something is wrong now: the alert's labels (its identity: alertname,
 * model, severity, …), annotations (its text: summary, value, …) and how long it must hold.
 *
 * @example
 * ```ts
 * const condition: AlertCondition = {
 *   labels: { alertname: "ModelLatencyHigh", model: "bike", version: "1", metric: "latency_p99", severity: "warning" },
 *   annotations: { summary: "bike v1: latency p99 153 ms > 100 ms" },
 *   for: { windows: 2 },
 * };
 * ```
 */
export interface AlertCondition {
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly for?: For;
}

/**
 * Where an alert is. `inactive` alerts are not tracked (they have no entry); `resolved` ones are kept
 * a while with their `endsAt` so the resolution can be notified.
 *
 * @example
 * ```ts
 * const state: AlertState = "pending";
 * ```
 */
export type AlertState = "inactive" | "pending" | "firing" | "resolved";

/**
 * A tracked alert. Times are epoch milliseconds of the evaluation clock.
 *
 * @example
 * ```ts
 * const firing = machine.alerts().filter((a) => a.state === "firing");
 * ```
 */
export interface Alert {
  readonly fingerprint: string;
  readonly labels: Labels;
  /** The latest annotations: they change (the value, the summary) without changing the alert. */
  readonly annotations: Labels;
  readonly state: Exclude<AlertState, "inactive">;
  /** The evaluation at which the condition began to hold (Prometheus's `activeAt`). */
  readonly activeAt: number;
  /** When it began firing (Alertmanager's `startsAt`); null while pending. */
  readonly startsAt: number | null;
  /** When it resolved; null unless resolved. */
  readonly endsAt: number | null;
  /** Consecutive evaluations in which the condition held. */
  readonly evaluations: number;
  readonly for: For;
  /** The last evaluation that changed or confirmed it. */
  readonly updatedAt: number;
}

/**
 * One evaluation: its time, the alerts it speaks for, and the conditions that hold.
 *
 * - `scope`: the labels an alert must have for this evaluation to clear it (a window of model `bike`
 *   version `1` says nothing about model `churn`). Default `{}`: every alert.
 * - `unknown`: label subsets whose alerts are left exactly as they are — the rule could not tell
 *   (too few samples for a verdict), and resolving an alert because a quiet hour had three events
 *   would page again at the next busy hour.
 *
 * @example
 * ```ts
 * machine.evaluate({ at: windowEnd, scope: { model: "bike", version: "1" }, conditions, unknown });
 * ```
 */
export interface Evaluation {
  readonly at: number;
  readonly scope?: Labels;
  readonly conditions: readonly AlertCondition[];
  readonly unknown?: readonly Labels[];
}

/**
 * One alert's change of state in an evaluation.
 *
 * @example
 * ```ts
 * const t: Transition = { fingerprint: "…", labels, from: "pending", to: "firing", at: 7_200_000 };
 * ```
 */
export interface Transition {
  readonly fingerprint: string;
  readonly labels: Labels;
  readonly from: AlertState;
  readonly to: AlertState;
  readonly at: number;
}

/**
 * What {@link AlertStateMachine.evaluate} returns: the scope's alerts after the evaluation (worst
 * first, resolved ones included while kept), what changed, and whether the evaluation was ignored
 * because the scope was already evaluated at that time or later (a window re-closed, a replay run
 * twice).
 *
 * @example
 * ```ts
 * const { alerts, transitions } = machine.evaluate(evaluation);
 * ```
 */
export interface EvaluationResult {
  readonly alerts: readonly Alert[];
  readonly transitions: readonly Transition[];
  readonly ignored: boolean;
}

/**
 * Options of the state machine.
 *
 * @example
 * ```ts
 * new AlertStateMachine({ defaultFor: { windows: 2 }, resolvedRetentionMs: 900_000 });
 * ```
 */
export interface StateOptions {
  /** `for` of conditions that give none. Default `{ windows: 1 }`: fire at once, as Prometheus's `for: 0`. */
  readonly defaultFor?: For;
  /**
   * How long a resolved alert is kept (and returned) after its end, so the dispatcher hears of the
   * resolution even if it missed one evaluation. Default 15 min, Prometheus's. It is dropped at the
   * first evaluation of its scope after that.
   */
  readonly resolvedRetentionMs?: number;
}

/**
 * The machine's state as plain data, to persist and restore across restarts.
 *
 * @example
 * ```ts
 * const restored = AlertStateMachine.fromSnapshot(JSON.parse(JSON.stringify(machine.snapshot())));
 * ```
 */
export interface StateSnapshot {
  readonly version: 1;
  readonly alerts: readonly Alert[];
  /** Per scope (as `labelSetString(scope)`): the time of its latest evaluation. */
  readonly evaluatedAt: Readonly<Record<string, number>>;
}

/**
 * Tracks alerts across evaluations. A condition seen for the first time makes its alert pending (or
 * firing at once when its `for` is already met); held long enough, firing; gone, a pending alert
 * becomes inactive again without ever having fired, and a firing one resolves (`endsAt` = the
 * evaluation's time). A condition that returns after its alert resolved starts a new pending alert.
 * Labels are normalised (empty values dropped) before fingerprinting.
 *
 * @example
 * ```ts
 * const machine = new AlertStateMachine();
 * machine.evaluate({ at: t1, conditions: [latencyHigh] }); // pending (for: 2 windows)
 * machine.evaluate({ at: t2, conditions: [latencyHigh] }); // firing, startsAt t2
 * machine.evaluate({ at: t3, conditions: [] }); // resolved, endsAt t3
 * ```
 */
export class AlertStateMachine {
  private readonly byFingerprint = new Map<string, Alert>();
  private readonly evaluatedAt = new Map<string, number>();
  private readonly defaultFor: For;
  private readonly retention: number;

  constructor(options: StateOptions = {}) {
    this.defaultFor = options.defaultFor ?? { windows: 1 };
    this.retention = options.resolvedRetentionMs ?? 900_000;
  }

  /**
   * A machine restored from {@link snapshot}'s output.
   *
   * @example
   * ```ts
   * const machine = AlertStateMachine.fromSnapshot(saved, { defaultFor: { windows: 2 } });
   * ```
   */
  static fromSnapshot(snapshot: StateSnapshot, options: StateOptions = {}): AlertStateMachine {
    const machine = new AlertStateMachine(options);
    for (const alert of snapshot.alerts) machine.byFingerprint.set(alert.fingerprint, alert);
    for (const [scope, at] of Object.entries(snapshot.evaluatedAt)) machine.evaluatedAt.set(scope, at);
    return machine;
  }

  /**
   * Applies one evaluation (see {@link Evaluation}) and returns the scope's alerts and transitions.
   *
   * @example
   * ```ts
   * const { alerts } = machine.evaluate({ at: windowEnd, scope: { model: "bike", version: "1" }, conditions });
   * dispatcher.update(notifiable(alerts), windowEnd);
   * ```
   */
  evaluate(evaluation: Evaluation): EvaluationResult {
    const { at } = evaluation;
    const scope = normalizeLabels(evaluation.scope ?? {});
    const scopeKey = labelSetString(scope);
    const last = this.evaluatedAt.get(scopeKey);
    if (last !== undefined && at <= last)
      return { alerts: this.inScope(scope), transitions: [], ignored: true };
    this.evaluatedAt.set(scopeKey, at);
    const transitions: Transition[] = [];
    const note = (fp: string, labels: Labels, from: AlertState, to: AlertState) => {
      if (from !== to) transitions.push({ fingerprint: fp, labels, from, to, at });
    };
    const seen = new Set<string>();
    for (const condition of evaluation.conditions) {
      const labels = normalizeLabels(condition.labels);
      const fp = fingerprint(labels);
      if (seen.has(fp)) continue; // the same alert twice in one evaluation counts once
      seen.add(fp);
      const previous = this.byFingerprint.get(fp);
      const forSpec = condition.for ?? this.defaultFor;
      const continuing = previous !== undefined && previous.state !== "resolved";
      const base: Alert = continuing
        ? {
            ...previous,
            annotations: condition.annotations,
            for: forSpec,
            evaluations: previous.evaluations + 1,
            updatedAt: at,
          }
        : {
            fingerprint: fp,
            labels,
            annotations: condition.annotations,
            state: "pending",
            activeAt: at,
            startsAt: null,
            endsAt: null,
            evaluations: 1,
            for: forSpec,
            updatedAt: at,
          };
      const next: Alert =
        base.state === "pending" && held(base, at) ? { ...base, state: "firing", startsAt: at } : base;
      this.byFingerprint.set(fp, next);
      note(fp, labels, continuing ? previous.state : "inactive", next.state);
    }
    const unknown = (evaluation.unknown ?? []).map(normalizeLabels);
    for (const [fp, alert] of this.byFingerprint) {
      if (seen.has(fp) || !within(alert.labels, scope)) continue;
      if (alert.state === "resolved") {
        if (at - alert.endsAt! > this.retention) this.byFingerprint.delete(fp);
        continue;
      }
      if (unknown.some((subset) => within(alert.labels, subset))) continue;
      if (alert.state === "pending") {
        this.byFingerprint.delete(fp);
        note(fp, alert.labels, "pending", "inactive");
      } else {
        this.byFingerprint.set(fp, { ...alert, state: "resolved", endsAt: at, updatedAt: at });
        note(fp, alert.labels, "firing", "resolved");
      }
    }
    return { alerts: this.inScope(scope), transitions, ignored: false };
  }

  /**
   * Every tracked alert (pending, firing, resolved and kept), worst first.
   *
   * @example
   * ```ts
   * machine.alerts().filter((a) => a.state === "firing");
   * ```
   */
  alerts(): Alert[] {
    return worstFirst([...this.byFingerprint.values()]);
  }

  /**
   * The state as plain JSON-ready data.
   *
   * @example
   * ```ts
   * store.save("alert-state", JSON.stringify(machine.snapshot()));
   * ```
   */
  snapshot(): StateSnapshot {
    return {
      version: 1,
      alerts: [...this.byFingerprint.values()],
      evaluatedAt: Object.fromEntries(this.evaluatedAt),
    };
  }

  private inScope(scope: Labels): Alert[] {
    return worstFirst([...this.byFingerprint.values()].filter((a) => within(a.labels, scope)));
  }
}

function held(alert: Alert, at: number): boolean {
  return "windows" in alert.for
    ? alert.evaluations >= alert.for.windows
    : at - alert.activeAt >= alert.for.ms;
}

function within(labels: Labels, subset: Labels): boolean {
  return Object.entries(subset).every(([name, value]) => labelValue(labels, name) === value);
}

/**
 * An alert as the dispatcher takes it: labels, annotations, when it started firing and when it ended
 * (null while firing). Alertmanager's alert, in milliseconds.
 *
 * @example
 * ```ts
 * const alert: NotifiableAlert = { labels, annotations, startsAt: 7_200_000, endsAt: null };
 * ```
 */
export interface NotifiableAlert {
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly startsAt: number;
  readonly endsAt: number | null;
}

/**
 * The alerts to hand to the dispatcher: firing and resolved ones (a pending alert has not fired, so
 * nobody hears of it).
 *
 * @example
 * ```ts
 * dispatcher.update(notifiable(machine.evaluate(evaluation).alerts), evaluation.at);
 * ```
 */
export function notifiable(alerts: readonly Alert[]): NotifiableAlert[] {
  return alerts.flatMap((a) =>
    a.state === "pending" || a.startsAt === null
      ? []
      : [{ labels: a.labels, annotations: a.annotations, startsAt: a.startsAt, endsAt: a.endsAt }],
  );
}
