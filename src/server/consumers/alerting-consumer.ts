import type { Severity } from "../../drift/index.js";
import { oldestAcceptedMs, type WindowVerdict } from "../../monitor/index.js";
import type { Store } from "../../store/index.js";
import type { Alerting } from "../alerting.js";
import type { StoreHealth } from "../ingest/index.js";
import type { ChangeFeed } from "../read-models/index.js";
import type { ModelRegistry, ModelRuntime } from "../registry/index.js";
import { type FinalWindow, WindowFinalFeed, type WindowFinalHandler } from "./window-final-feed.js";

/** Options of {@link AlertingConsumer}. */
export interface AlertingConsumerOptions {
  readonly store: Store;
  readonly registry: ModelRegistry;
  readonly alerting: Alerting;
  readonly health: StoreHealth;
  readonly changes: ChangeFeed;
}

/**
 * Alerting as a consumer of final windows: reads them from its own checkpoint (`alerting:<model>`)
 * and evaluates each once (a replay after a crash is ignored by the state machine); then the no-data
 * rule over the last closed windows and the group timers. Runs after each write of the windows, in
 * the ingest chain, so a clock advance answers with its windows judged.
 *
 * @example
 * ```ts
 * const consumer = new AlertingConsumer({ store, registry, alerting, health, changes });
 * await consumer.afterFlush(true);
 * ```
 */
export class AlertingConsumer implements WindowFinalHandler {
  readonly name = "alerting";
  private readonly feed: WindowFinalFeed;
  /** Alert states last announced, to announce only changes. */
  private announcedAlerts = new Map<string, string>();

  constructor(private readonly options: AlertingConsumerOptions) {
    this.feed = new WindowFinalFeed(options.store, this);
  }

  /**
   * After the windows were written: evaluates the windows finalised since the checkpoint (not while
   * the log's tail waits to be aggregated, `complete` false: a window final by the clock may still
   * miss a batch), judges no-data, ticks the group timers and announces the alerts that changed.
   */
  async afterFlush(complete: boolean): Promise<void> {
    try {
      if (complete)
        for (const runtime of this.options.registry.all()) {
          const { window: length, lateness } = runtime.settings.monitor;
          await this.feed.catchUp(
            runtime.record.name,
            oldestAcceptedMs(runtime.clock.now(), length, lateness),
            length,
            runtime.settings.reporting.retention,
          );
        }
      for (const runtime of this.options.registry.all()) await this.judgeNoData(runtime);
      await this.options.alerting.tick(this.options.registry.alertClock());
    } catch (error) {
      throw this.options.health.refused(error);
    }
    this.announceAlerts();
  }

  /**
   * Rules run once per window, when it becomes final (on the monitor's clock: event time in replays),
   * on the summary the aggregator stored: its verdicts and its columns' drift severities.
   */
  async handle(window: FinalWindow): Promise<void> {
    if (this.options.registry.find(window.model) === undefined) return;
    const summary = window.summary as {
      verdicts?: WindowVerdict[];
      drift?: { columns: Array<{ column: string; severity: Severity }> } | null;
    };
    await this.options.alerting.onWindowFinal(
      {
        window: { model: window.model, version: window.version, start: window.startMs, end: window.endMs },
        verdicts: summary.verdicts ?? [],
        ...(summary.drift === null || summary.drift === undefined
          ? {}
          : { driftColumns: summary.drift.columns }),
      },
      this.options.registry.alertClock(),
    );
  }

  /** Feeds the no-data rule the last closed windows of each version (events counted, empty ones absent). */
  private async judgeNoData(runtime: ModelRuntime): Promise<void> {
    const now = this.options.registry.clockNow(runtime);
    if (!Number.isFinite(now)) return;
    const { window: length, lateness } = runtime.settings.monitor;
    const closedUntil = oldestAcceptedMs(now, length, lateness);
    const lookback = closedUntil - 10 * length;
    for (const record of await this.options.store.listVersions(runtime.record.name)) {
      const windows = (
        await this.options.store.getWindowSummaries(
          runtime.record.name,
          lookback,
          closedUntil,
          record.version,
        )
      ).map((w) => ({
        start: w.startMs,
        events: Number(w.summary.events ?? 0),
      }));
      await this.options.alerting.noData(
        {
          model: runtime.record.name,
          version: record.version,
          windowMs: length,
          closedUntil,
          since: record.createdMs,
          windows,
        },
        this.options.registry.alertClock(),
      );
    }
  }

  private announceAlerts(): void {
    const now = new Map<string, string>();
    for (const a of this.options.alerting.alerts(this.options.registry.alertClock())) {
      const state = `${a.status}/${a.state}`;
      now.set(a.fingerprint, state);
      if (this.announcedAlerts.get(a.fingerprint) !== state)
        this.options.changes.announce({
          type: "alert",
          fingerprint: a.fingerprint,
          status: a.status,
          state: a.state,
          labels: a.labels,
        });
    }
    this.announcedAlerts = now;
  }
}
