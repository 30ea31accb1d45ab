import { randomUUID } from "node:crypto";
import {
  type Alert,
  type Notification as AlertNotification,
  AlertStateMachine,
  alertNames,
  buildInhibitRules,
  buildRoute,
  Dispatcher,
  defaultInhibitRules,
  type InhibitRule,
  type NoDataInput,
  noDataConditions,
  notifiable,
  type ResourceRuleInput,
  type Route,
  type RouteConfig,
  type RuleOptions,
  resourceAlertEvaluations,
  type Silence,
  silenceFromJson,
  silenceToJson,
  type WindowRuleInput,
  windowAlertConditions,
  worstFirst,
} from "../alerts/index.js";
import { parseDuration, type ResourceRuleName, type ResourceRuleSettings } from "../config/index.js";
import { TikTokToeError } from "../errors/index.js";
import {
  loadNotifiers,
  type Notification,
  type Notifier,
  nextDeliveryStep,
  zeroTime,
} from "../notify/index.js";
import type { OutboxItem, Store } from "../store/index.js";

/** A receiver: the channels a routed notification goes to. */
interface Receiver {
  readonly channels: readonly string[];
  readonly sendResolved: boolean;
}

/** The parsed `alerting` section. */
export interface AlertingSetup {
  readonly externalUrl: string;
  readonly route: Route;
  readonly receivers: ReadonlyMap<string, Receiver>;
  readonly notifiers: ReadonlyMap<string, Notifier>;
  readonly inhibitRules: readonly InhibitRule[];
  readonly rules: RuleOptions;
}

const DURATION_KEYS = ["group_wait", "group_interval", "repeat_interval"] as const;
/** The outbox's retry budget: twelve attempts (about an hour of backoff), no deadline. */
const OUTBOX_RETRIES = { maxAttempts: 12, maxElapsedMs: Number.POSITIVE_INFINITY } as const;
const LOG_RETENTION_MS = 90 * 24 * 3_600_000;

/**
 * Validates the configuration's `alerting` section and builds its notifiers, reporting every problem
 * with its `alerting.…` path in one CONFIG_INVALID error (bad configuration is refused at start-up).
 * `defaultUrl` (the links' base without `external_url`) may be a function: the server's URL is known
 * once it listens, after the alerting is built.
 *
 * @example
 * ```ts
 * const setup = await loadAlerting(config.alerting, "http://127.0.0.1:8080");
 * ```
 */
export async function loadAlerting(
  raw: unknown,
  defaultUrl: string | (() => string),
): Promise<AlertingSetup> {
  const problems: string[] = [];
  const section = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
  for (const key of Object.keys(section))
    if (!["external_url", "channels", "receivers", "route", "inhibit_rules", "rules"].includes(key))
      problems.push(
        `alerting.${key}: unknown key (expected external_url, channels, receivers, route, inhibit_rules, rules)`,
      );
  let notifiers = new Map<string, Notifier>();
  try {
    notifiers = await loadNotifiers(section.channels ?? {}, undefined, { path: "alerting.channels" });
  } catch (error) {
    problems.push((error as Error).message);
  }
  const receivers = new Map<string, Receiver>();
  for (const [name, value] of Object.entries((section.receivers ?? {}) as Record<string, unknown>)) {
    const r = (value ?? {}) as { channels?: unknown; send_resolved?: unknown };
    // A receiver without channels is Alertmanager's "null receiver": its alerts are listed in the API
    // and the dashboard, and sent nowhere.
    if (
      r.channels !== undefined &&
      (!Array.isArray(r.channels) || r.channels.some((c) => typeof c !== "string"))
    )
      problems.push(`alerting.receivers.${name}.channels: a list of channel names`);
    const channels = Array.isArray(r.channels)
      ? (r.channels as unknown[]).filter((c): c is string => typeof c === "string")
      : [];
    for (const c of channels)
      if (!notifiers.has(c) && problems.length === 0)
        problems.push(`alerting.receivers.${name}.channels: unknown channel "${c}"`);
    receivers.set(name, { channels, sendResolved: r.send_resolved !== false });
  }
  const route = toRouteConfig(
    section.route ?? { receiver: [...receivers.keys()][0] },
    "alerting.route",
    problems,
  );
  const built = buildRoute(route, { path: "alerting.route", receivers: [...receivers.keys()] });
  if (!built.ok) for (const p of built.problems) problems.push(`${p.path}: ${p.message}`);
  let inhibitRules: readonly InhibitRule[] = defaultInhibitRules;
  if (section.inhibit_rules !== undefined && section.inhibit_rules !== "default") {
    // The rules as written: buildInhibitRules checks their shape, so a malformed rule is a problem.
    const rules = buildInhibitRules(section.inhibit_rules, "alerting.inhibit_rules");
    if (rules.ok) inhibitRules = rules.rules;
    else for (const p of rules.problems) problems.push(`${p.path}: ${p.message}`);
  }
  if (problems.length > 0 || !built.ok)
    throw new TikTokToeError(
      "CONFIG_INVALID",
      `the alerting configuration has ${problems.length} problem(s): ${problems.join("; ")}`,
      {
        path: "alerting",
        problems,
        hint: "see docs/alerting.md",
      },
    );
  // The server's own URL may be known only once it listens (port 0): read when a link is made.
  const externalUrl = () =>
    typeof section.external_url === "string"
      ? section.external_url
      : typeof defaultUrl === "string"
        ? defaultUrl
        : defaultUrl();
  const rules = (section.rules ?? {}) as RuleOptions;
  return {
    get externalUrl() {
      return externalUrl();
    },
    route: built.route,
    receivers,
    notifiers,
    inhibitRules,
    get rules() {
      return { ...rules, dashboardUrl: externalUrl() };
    },
  };
}

function toRouteConfig(value: unknown, path: string, problems: string[]): RouteConfig {
  const raw = (value ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = { ...raw };
  for (const key of DURATION_KEYS) {
    if (raw[key] === undefined) continue;
    const parsed = parseDuration(raw[key]);
    if (parsed.ok) out[key] = parsed.ms;
    else problems.push(`${path}.${key}: ${parsed.message}`);
  }
  if (Array.isArray(raw.routes))
    out.routes = raw.routes.map((r, i) => toRouteConfig(r, `${path}.routes[${i}]`, problems));
  return out as RouteConfig;
}

/**
 * The server's alerting: rules evaluated when a window becomes final, the pending/firing/resolved
 * state machine, Alertmanager-style routing, grouping and dedup, silences and inhibition — and the
 * durable outbox: a decided notification is committed with the alerting state in one transaction,
 * then delivered (and retried with backoff, honouring Retry-After) until it succeeds or gives up.
 * Time for rules and group timers is the monitor's clock (event time in replays).
 *
 * @example
 * ```ts
 * const alerting = await Alerting.open(store, setup, () => Date.now());
 * await alerting.onWindowFinal(input, windowEnd);
 * await alerting.deliverDue();
 * ```
 */
export class Alerting {
  readonly counters = new Map<string, number>();
  private delivering = false;
  /** Acknowledgements by fingerprint: who took the alert, when; kept with the alerting state. */
  private acks = new Map<string, { by: string; comment: string; at: number }>();
  private machine: AlertStateMachine;
  private dispatcher: Dispatcher;
  /** The state as last committed: a failed commit rolls the memory back to it (see {@link commit}). */
  private committed: string | undefined;
  /** Notifications decided by a rebuild after a failed commit, to be committed with the next one. */
  private carried: AlertNotification[] = [];

  private constructor(
    private readonly store: Store,
    private readonly setup: AlertingSetup,
    private silences: Silence[],
    private readonly wallClock: () => number,
    saved: string | undefined,
  ) {
    this.committed = saved;
    const built = this.build(saved);
    this.machine = built.machine;
    this.dispatcher = built.dispatcher;
    this.carried = built.notifications;
  }

  /** The configured channels' names (empty: alerts are listed in the API and dashboard only). */
  channelNames(): string[] {
    return [...this.setup.notifiers.keys()];
  }

  static async open(store: Store, setup: AlertingSetup, wallClock: () => number): Promise<Alerting> {
    const saved = await store.getAlertingState();
    const silences = await Alerting.storedSilences(store);
    // What the rebuild decides is committed with the next decision or timer tick (the first flush):
    // the server's URL, which notifications link to, may be known only once it listens.
    return new Alerting(store, setup, silences, wallClock, saved);
  }

  /**
   * Starts again from the state committed in the store, with the stored silences: a replica that
   * gains the alerting job (another one evaluated and committed meanwhile) must not decide from its
   * stale memory.
   */
  async reload(): Promise<void> {
    const saved = await this.store.getAlertingState();
    this.silences = await Alerting.storedSilences(this.store);
    this.committed = saved;
    const built = this.build(saved);
    this.machine = built.machine;
    this.dispatcher = built.dispatcher;
    this.carried = built.notifications;
  }

  private static async storedSilences(store: Store): Promise<Silence[]> {
    return (await store.listSilences()).flatMap((s) => {
      const parsed = silenceFromJson({
        id: s.id,
        matchers: s.matchers,
        startsAt: s.startsMs,
        endsAt: s.endsMs,
        createdBy: s.createdBy,
        comment: s.comment,
      });
      return parsed.ok ? [parsed.silence] : [];
    });
  }

  /** The state machine, dispatcher and acknowledgements from a saved state (fresh ones without). */
  private build(saved: string | undefined): {
    machine: AlertStateMachine;
    dispatcher: Dispatcher;
    notifications: AlertNotification[];
  } {
    const state =
      saved === undefined
        ? undefined
        : (JSON.parse(saved) as {
            machine: unknown;
            log: unknown;
            acks?: Array<[string, { by: string; comment: string; at: number }]>;
          });
    const machine =
      state === undefined
        ? new AlertStateMachine()
        : AlertStateMachine.fromSnapshot(
            state.machine as Parameters<typeof AlertStateMachine.fromSnapshot>[0],
          );
    const setup = this.setup;
    const dispatcher = new Dispatcher({
      route: setup.route,
      receivers: Object.fromEntries(
        [...setup.receivers].map(([name, r]) => [name, { sendResolved: r.sendResolved }]),
      ),
      inhibitRules: setup.inhibitRules,
      silences: this.silences,
      // The log must outlive the longest repeat interval, or a firing group would be re-announced
      // whenever its entry expires (Alertmanager's 120 h default is shorter than a 4-week repeat,
      // which event-time replays reach in seconds).
      logRetentionMs: LOG_RETENTION_MS,
      ...(state === undefined
        ? {}
        : { log: state.log as ConstructorParameters<typeof Dispatcher>[0]["log"] & object }),
    });
    this.acks = new Map(state?.acks ?? []);
    // The dispatcher's groups are not saved (its log is): rebuild them from the restored alerts, at
    // the time of their last evaluation, so the API lists them and the log suppresses resends.
    const restored = machine.alerts();
    const notifications =
      restored.length === 0
        ? []
        : dispatcher.update(notifiable(restored), Math.max(...restored.map((a) => a.updatedAt)));
    return { machine, dispatcher, notifications };
  }

  /** Evaluates a window that became final, and enqueues what the dispatcher decides. */
  async onWindowFinal(input: WindowRuleInput, now: number): Promise<void> {
    const outcome = windowAlertConditions(input, this.setup.rules);
    const { model, version } = input.window;
    // The no-data rule is judged on its own clock (noData below): leave its alert as it is here.
    const noData = this.machine
      .alerts()
      .filter(
        (a) =>
          a.labels.alertname === alertNames.noData &&
          a.labels.model === model &&
          a.labels.version === version,
      )
      .map((a) => a.labels);
    const result = this.machine.evaluate({
      at: input.window.end,
      scope: { model, version },
      conditions: outcome.conditions,
      unknown: [...outcome.unknown, ...noData],
    });
    // Evaluated already (a replay of the window-final feed after a crash): decided and committed then.
    if (result.ignored) return;
    await this.commit(this.dispatcher.update(notifiable(result.alerts), now));
  }

  /**
   * The "no data" rule for one model version: judged on every flush, since windows without events
   * never close with verdicts. Its alerts have their own evaluation scope.
   */
  async noData(input: NoDataInput, now: number): Promise<void> {
    const outcome = noDataConditions(input, this.setup.rules);
    const result = this.machine.evaluate({
      at: input.closedUntil,
      scope: { alertname: alertNames.noData, model: input.model, version: input.version },
      conditions: outcome.conditions,
      unknown: outcome.unknown,
    });
    if (result.ignored) return;
    await this.commit(this.dispatcher.update(notifiable(result.alerts), now));
  }

  /**
   * The resource rules on one reading of the machine (src/alerts/resource-rules.ts): on every sample
   * the memory, GPU memory, disk and probe rules, and when a resource window closes the CPU rule.
   * Each rule is its own evaluation scope, so a sample never resolves what a window decided. Resource
   * time is the wall clock; the server feeds these only when the alerting clock is the wall clock too.
   */
  async onResourceReading(
    input: ResourceRuleInput,
    rules: Readonly<Record<ResourceRuleName, ResourceRuleSettings>>,
    now: number,
  ): Promise<void> {
    const alerts: Alert[] = [];
    let changed = false;
    for (const evaluation of resourceAlertEvaluations(input, rules, {
      dashboardUrl: this.setup.externalUrl,
    })) {
      const result = this.machine.evaluate({ at: input.at, ...evaluation });
      if (result.ignored) continue;
      alerts.push(...result.alerts);
      changed ||= result.transitions.length > 0;
    }
    const notifications = this.dispatcher.update(notifiable(alerts), now);
    // Samples come every few seconds: write the state when something changed, not on every one.
    if (changed || notifications.length > 0) await this.commit(notifications);
  }

  /** Group timers (group_interval, repeat_interval) on the monitor's clock. */
  async tick(now: number): Promise<void> {
    await this.commit(this.dispatcher.tick(now));
  }

  /**
   * Commits the state with the notifications decided (one transaction). When the store refuses, the
   * memory goes back to the state last committed, so the caller's retry (the window-final feed replays
   * the window) decides the same again instead of finding it decided and never enqueued.
   */
  private async commit(decided: readonly AlertNotification[]): Promise<void> {
    const notifications = [...this.carried, ...decided];
    this.carried = [];
    const items: OutboxItem[] = [];
    const created = this.wallClock();
    for (const n of notifications) {
      for (const channel of this.setup.receivers.get(n.receiver)?.channels ?? [])
        items.push({
          createdMs: created,
          channel,
          groupKey: n.groupKey,
          payload: JSON.stringify(this.toChannelNotification(n)),
          state: "pending",
          attempts: 0,
          nextAttemptMs: created,
          lastError: null,
          sentMs: null,
        });
      // From here the outbox owns delivery: the decision is logged as made.
      this.dispatcher.recordSent(n, n.at);
    }
    const state = this.stateJson();
    try {
      await this.store.commitAlerting(state, items);
      this.committed = state;
    } catch (error) {
      const built = this.build(this.committed);
      this.machine = built.machine;
      this.dispatcher = built.dispatcher;
      this.carried = built.notifications;
      throw error;
    }
  }

  /** The state saved with every decision: alert states, the notification log, acknowledgements. */
  private stateJson(): string {
    return JSON.stringify({
      machine: this.machine.snapshot(),
      log: this.dispatcher.logSnapshot(),
      acks: [...this.acks],
    });
  }

  private toChannelNotification(n: AlertNotification): Notification {
    return {
      groupKey: n.groupKey,
      receiver: n.receiver,
      status: n.status,
      alerts: n.alerts.map((a) => ({
        status: a.status,
        labels: a.labels,
        annotations: a.annotations,
        startsAt: new Date(a.startsAt).toISOString(),
        endsAt: a.endsAt === null ? zeroTime : new Date(a.endsAt).toISOString(),
        fingerprint: a.fingerprint,
      })),
      groupLabels: n.groupLabels,
      commonLabels: n.commonLabels,
      commonAnnotations: n.commonAnnotations,
      externalURL: this.setup.externalUrl,
    };
  }

  /**
   * One delivery pass over the outbox (wall clock): one attempt per due item. A group's
   * notifications reach each channel in the order they were decided: while an older one waits for
   * its retry, the newer ones of the same group and channel wait behind it (so a receiver never sees
   * "resolved" before the "firing" it resolves).
   */
  async deliverDue(): Promise<number> {
    if (this.delivering) return 0;
    this.delivering = true;
    let sent = 0;
    try {
      const blocked = new Set<string>();
      for (const item of await this.store.dueNotifications(Number.POSITIVE_INFINITY, 1000)) {
        const lane = `${item.channel}\u0000${item.groupKey}`;
        if (blocked.has(lane)) continue;
        if (item.nextAttemptMs > this.wallClock()) {
          blocked.add(lane);
          continue;
        }
        if (await this.attempt(item)) sent++;
        else blocked.add(lane);
      }
    } finally {
      this.delivering = false;
    }
    return sent;
  }

  /** One attempt at one outbox item; true when it was delivered. */
  private async attempt(item: OutboxItem): Promise<boolean> {
    const notifier = this.setup.notifiers.get(item.channel);
    const attempts = item.attempts + 1;
    if (notifier === undefined) {
      await this.store.updateNotification(item.id!, {
        state: "failed",
        attempts,
        nextAttemptMs: item.nextAttemptMs,
        lastError: "unknown channel",
        sentMs: null,
      });
      return false;
    }
    const started = this.wallClock();
    const outcome = await notifier.send(
      JSON.parse(item.payload) as Notification,
      AbortSignal.timeout(10_000),
    );
    const now = this.wallClock();
    this.count(`${item.channel}\u0000${outcome.ok ? "sent" : outcome.reason}`);
    this.count(`latency\u0000${item.channel}`, now - started);
    if (outcome.ok) {
      await this.store.updateNotification(item.id!, {
        state: "sent",
        attempts,
        nextAttemptMs: now,
        lastError: null,
        sentMs: now,
      });
      return true;
    }
    // The same retry rule as `alerts test` (notify's nextDeliveryStep), with the outbox's own budget:
    // more attempts and no deadline, since a restart must not lose a page.
    const step = nextDeliveryStep(attempts, outcome, now - item.createdMs, OUTBOX_RETRIES);
    if (step.kind === "retry") {
      await this.store.updateNotification(item.id!, {
        state: "pending",
        attempts,
        nextAttemptMs: now + step.waitMs,
        lastError: outcome.reason,
        sentMs: null,
      });
    } else
      await this.store.updateNotification(item.id!, {
        state: "failed",
        attempts,
        nextAttemptMs: now,
        lastError: outcome.reason,
        sentMs: null,
      });
    return false;
  }

  private count(key: string, by = 1): void {
    this.counters.set(key, (this.counters.get(key) ?? 0) + by);
  }

  /** Alerts with their state (active / suppressed, silencedBy, inhibitedBy) and acknowledgement, worst first. */
  alerts(now: number) {
    return worstFirst(this.dispatcher.alerts(now)).map((a) => ({
      ...a,
      ack: this.acks.get(a.fingerprint) ?? null,
    }));
  }

  /** Records that someone took an alert (shown in the API and the dashboard; it still notifies). */
  async ack(fingerprint: string, body: unknown, now: number) {
    if (!this.dispatcher.alerts(now).some((a) => a.fingerprint === fingerprint))
      throw new TikTokToeError("NOT_FOUND", `no alert with fingerprint "${fingerprint}"`, {
        path: fingerprint,
      });
    const fields = (typeof body === "object" && body !== null ? body : {}) as {
      by?: unknown;
      comment?: unknown;
    };
    if (typeof fields.by !== "string" || fields.by === "")
      throw new TikTokToeError("REQUEST_INVALID", "by: who acknowledges the alert is required", {
        path: "by",
      });
    const ack = { by: fields.by, comment: typeof fields.comment === "string" ? fields.comment : "", at: now };
    this.acks.set(fingerprint, ack);
    await this.commit([]);
    return { fingerprint, ...ack };
  }

  /** Creates (or updates, with an id) a silence; every problem is reported. */
  async silence(body: unknown, now: number) {
    const json = {
      id: randomUUID(),
      startsAt: now,
      ...(typeof body === "object" && body !== null ? body : {}),
    } as Parameters<typeof silenceFromJson>[0];
    const parsed = silenceFromJson(json);
    if (!parsed.ok)
      throw new TikTokToeError("REQUEST_INVALID", parsed.problems.join("; "), {
        problems: parsed.problems,
        path: "silence",
      });
    const s = parsed.silence;
    await this.store.putSilence({
      id: s.id,
      matchers: silenceToJson(s, now).matchers.map((m) => ({
        name: m.name,
        value: m.value,
        isRegex: m.isRegex,
        isEqual: m.isEqual ?? true,
      })),
      startsMs: s.startsAt,
      endsMs: s.endsAt,
      createdBy: s.createdBy,
      comment: s.comment,
      createdMs: now,
    });
    this.silences = [...this.silences.filter((x) => x.id !== s.id), s];
    this.dispatcher.setSilences(this.silences);
    return { silenceID: s.id };
  }

  listSilences(now: number) {
    return this.silences.map((s) => silenceToJson(s, now));
  }

  async expireSilence(id: string, now: number): Promise<void> {
    if (!(await this.store.expireSilence(id, now)))
      throw new TikTokToeError("NOT_FOUND", `no active silence "${id}"`);
    this.silences = this.silences.map((s) => (s.id === id ? { ...s, endsAt: now } : s));
    this.dispatcher.setSilences(this.silences);
  }

  async close(): Promise<void> {
    for (const notifier of this.setup.notifiers.values()) await notifier.close?.();
  }
}
