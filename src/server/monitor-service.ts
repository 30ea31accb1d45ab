import type { MonitorConfig } from "../config/index.js";
import type { DriftReport } from "../drift/index.js";
import { createLogger, type Logger } from "../logging/index.js";
import type { BatchFormat } from "../monitor/index.js";
import type { IngestQueue, QueueConsumer } from "../queue/index.js";
import type { ChangeBus, JobLocks, ModelRecord, Store } from "../store/index.js";
import { Aggregator } from "./aggregator/index.js";
import type { Alerting } from "./alerting.js";
import { AlertingConsumer, ExplanationsConsumer, ReportsConsumer } from "./consumers/index.js";
import { Explanations, explanationCollection } from "./explanations/index.js";
import {
  Ingest,
  type IngestResult,
  type QueueFailure,
  QueuePublisher,
  SerialChain,
  type StoreFailure,
  StoreHealth,
  StoreWriter,
} from "./ingest/index.js";
import type { MetricFamily } from "./prometheus.js";
import {
  ChangeFeed,
  type HealthReport,
  HealthReports,
  Overview,
  type OverviewModel,
  reportCollection,
  type SeriesAnswer,
  type ServiceChange,
  WindowReads,
  type WindowSummary,
  windowGauges,
} from "./read-models/index.js";
import { clockCheckpoint, ModelRegistry } from "./registry/index.js";

export type { HealthReport, IngestResult, OverviewModel, SeriesAnswer, ServiceChange, WindowSummary };

/** Options of {@link MonitorService.open}. */
export interface MonitorServiceOptions {
  readonly store: Store;
  readonly config: MonitorConfig;
  /** `wall`: windows close by the wall clock (live); `event`: by the newest event time (replays). */
  readonly clock: "wall" | "event";
  /** The wall clock (received times, the live window clock); injected so tests control it. */
  readonly now: () => number;
  /** How far ahead of the wall clock an event time may be (clock skew). Default 5 minutes. */
  readonly futureSkewMs?: number;
  /**
   * With the event clock: how far ahead of a model's clock (its newest event time) an event may be.
   * Default: the larger of `monitor.max_clock_jump` (7 days) and two windows plus the lateness.
   */
  readonly maxClockJumpMs?: number;
  /** Rows of each window's feature sample (exact below it). Default 10,000. */
  readonly sampleCapacity?: number;
  /** Where failures of the background work go. Default: errors to stderr. */
  readonly log?: Logger;
  /** Alerting: the window-final rules, the no-data rule, group timers (none: no alerts). */
  readonly alerting?: Alerting;
  /** The replicas' change notices (the registry follows the others'); none: one process. */
  readonly bus?: ChangeBus;
  /**
   * Scale-out (docs/scale-out.md). `publishTo`: the API role publishes validated batches to this
   * queue instead of appending them. `consume`: the worker role appends the batches of this durable
   * consumer (`store-writer`). `locks`: the aggregator (with the window-final consumers: alerting,
   * reports, explanations) runs only while this process holds its job lock; `singletons` false (the
   * API role) never takes it.
   */
  readonly publishTo?: IngestQueue;
  readonly consume?: QueueConsumer;
  readonly locks?: JobLocks;
  readonly singletons?: boolean;
}

/** The job lock of the aggregator and the consumers of its final windows (alerting, reports, explanations). */
export const AGGREGATOR_JOB = "aggregator";

/**
 * The monitoring server's core, independent of HTTP, built once along the data's way (constructor
 * injection, no hooks set afterwards):
 *
 * registry → ingest (validate, group commit, answer) → log → aggregator (open windows, committed with
 * its position) → read models (windows, series, overview, health reports) and the consumers of final
 * windows, each from its own checkpoint (alerting, explanations; reports by period).
 *
 * This class is the facade the HTTP layer and the CLI call; each method delegates to one part.
 *
 * @example
 * ```ts
 * const service = await MonitorService.open({ store, config, clock: "wall", now: Date.now });
 * await service.ingestEvents("bike", ndjson, "ndjson");
 * ```
 */
export class MonitorService {
  /** Permutation importance and attribution drift of windows (final ones explained in the background). */
  readonly explanations: Explanations;
  /** Alerting, when configured: it consumes final windows from its own checkpoint (`alerting:<model>`). */
  readonly alerting: Alerting | undefined;

  private constructor(
    /** The store, for routes that read artifacts and the log as they are (model-files.ts, labelled.ts). */
    readonly store: Store,
    private readonly registry: ModelRegistry,
    private readonly health: StoreHealth,
    private readonly chain: SerialChain,
    private readonly aggregator: Aggregator,
    private readonly ingest: Ingest,
    private readonly reads: WindowReads,
    private readonly reports: HealthReports,
    private readonly dashboard: Overview,
    private readonly changes: ChangeFeed,
    private readonly consumers: {
      readonly alerting: AlertingConsumer | undefined;
      readonly reports: ReportsConsumer;
      readonly explanations: ExplanationsConsumer;
    },
    explanations: Explanations,
    alerting: Alerting | undefined,
    private readonly scale: {
      readonly locks: JobLocks | undefined;
      readonly singletons: boolean;
      readonly publisher: QueuePublisher | undefined;
      /** Whether this process holds the aggregator's job and has loaded its state. */
      aggregating: boolean;
      writer: StoreWriter | undefined;
    },
    private readonly log: Logger,
  ) {
    this.explanations = explanations;
    this.alerting = alerting;
  }

  /**
   * Opens the service on a store: loads the registry and the model clocks, the open windows as they
   * were at the last checkpoint, then aggregates the log's tail after it — never the whole history.
   */
  static async open(options: MonitorServiceOptions): Promise<MonitorService> {
    const { store, alerting } = options;
    const log = (options.log ?? createLogger({ level: "error" })).child({ component: "monitor" });
    const registry = await ModelRegistry.open({
      store,
      config: options.config,
      clock: options.clock,
      now: options.now,
      ...(options.sampleCapacity === undefined ? {} : { sampleCapacity: options.sampleCapacity }),
      ...(options.bus === undefined ? {} : { bus: options.bus }),
      log: (message, error) => log.child({ component: "registry" }).error(message, { error }),
    });
    const health = new StoreHealth(options.now);
    const chain = new SerialChain();
    const singletons = options.singletons ?? true;
    // Without locks the aggregator is this process's alone (the embedded single process, as before).
    const aggregating =
      options.locks === undefined ? true : singletons && (await options.locks.tryAcquire(AGGREGATOR_JOB));
    const aggregator = await Aggregator.open({ store, registry, health, log, standby: !aggregating });
    const reads = new WindowReads({ store, registry, aggregator, chain });
    const explanations = new Explanations(
      store,
      {
        model: (name) => registry.model(name),
        windows: (model, fromMs, toMs, version) => reads.windows(model, fromMs, toMs, version),
      },
      (message, error) => log.child({ component: "explanations" }).error(message, { error }),
    );
    const reports = new HealthReports({
      store,
      registry,
      windows: reads,
      chain,
      alerting,
      attribution: (model, version, startMs) => explanations.cachedAttribution(model, version, startMs),
    });
    const dashboard = new Overview({ registry, windows: reads, health: reports, alerting });
    const changes = new ChangeFeed();
    const consumers = {
      alerting:
        alerting === undefined
          ? undefined
          : new AlertingConsumer({ store, registry, alerting, health, changes }),
      reports: new ReportsConsumer({ store, registry, reports, changes }),
      explanations: new ExplanationsConsumer(store, registry, explanations),
    };
    const publisher =
      options.publishTo === undefined ? undefined : new QueuePublisher(options.publishTo, options.now);
    const ingest = new Ingest({
      store,
      registry,
      health,
      chain,
      aggregator,
      limits: {
        ...(options.futureSkewMs === undefined ? {} : { futureSkewMs: options.futureSkewMs }),
        ...(options.maxClockJumpMs === undefined ? {} : { maxClockJumpMs: options.maxClockJumpMs }),
      },
      log,
      ...(publisher === undefined ? {} : { publisher }),
    });
    const scale = {
      locks: options.locks,
      singletons,
      publisher,
      aggregating,
      writer: undefined as StoreWriter | undefined,
    };
    if (options.consume !== undefined) {
      scale.writer = new StoreWriter({
        consumer: options.consume,
        store,
        health,
        chain,
        // Aggregates what it appended at once when this process holds the aggregator (a no-op otherwise).
        afterAppend: (appended) => aggregator.aggregateAppended(appended),
        now: options.now,
        log: log.child({ component: "store-writer" }),
      });
      scale.writer.start();
    }
    return new MonitorService(
      store,
      registry,
      health,
      chain,
      aggregator,
      ingest,
      reads,
      reports,
      dashboard,
      changes,
      consumers,
      explanations,
      alerting,
      scale,
      log,
    );
  }

  // ---- registry -------------------------------------------------------------------------------

  registerModel(body: unknown): Promise<ModelRecord> {
    return this.registry.registerModel(body);
  }

  listModels(): ModelRecord[] {
    return this.registry.listModels();
  }

  model(name: string): ModelRecord {
    return this.registry.model(name);
  }

  /**
   * A model's clock: its newest event time with `--clock event` (−∞ before its first event), else the
   * wall clock. The learning loop schedules by it, so a replay learns at the same event times.
   */
  modelClock(name: string): number {
    const runtime = this.registry.find(name);
    return runtime === undefined ? Number.NaN : this.registry.clockNow(runtime);
  }

  /** A model's record once its version is known to exist (NOT_FOUND naming the model or the version). */
  modelVersion(name: string, version: string): ModelRecord {
    const runtime = this.registry.runtime(name);
    this.registry.requireVersion(runtime, version);
    return runtime.record;
  }

  registerVersion(model: string, body: unknown, onnx?: Uint8Array): Promise<{ version: string }> {
    return this.registry.registerVersion(model, body, onnx);
  }

  /** A model's versions, each with its reference's quality metric (null without a labelled reference). */
  listVersions(model: string) {
    return this.registry.listVersions(model);
  }

  /**
   * Stores a version's reference data as its profile (computed once, reused by every window), then
   * the reference's feature importance when the version can be explained.
   */
  async putReference(model: string, version: string, bytes: Uint8Array, mediaType: string) {
    const answer = await this.registry.putReference(model, version, bytes, mediaType);
    await this.explanations.onReference(model, version, bytes, mediaType);
    return answer;
  }

  // ---- ingest ---------------------------------------------------------------------------------

  /**
   * Validates a batch of events and appends it durably (the answer waits for the append only); the
   * store deduplicates by id. The one ingest path: the HTTP route, `/predict` and the SDKs call it.
   */
  ingestEvents(
    model: string,
    body: string | Uint8Array | readonly unknown[],
    format: BatchFormat = "ndjson",
  ): Promise<IngestResult> {
    return this.ingest.ingestEvents(model, body, format);
  }

  /** Throws `STORE_UNAVAILABLE` while too many answered predictions wait to be recorded. */
  admitAnswered(): void {
    this.ingest.admitAnswered();
  }

  /** Records the events of answers already given, just after them (see {@link Ingest.recordAnswered}). */
  recordAnswered(model: string, events: readonly unknown[]): void {
    this.ingest.recordAnswered(model, events);
  }

  /** Resolves once the answered records of `model` (of every model without one) are durable. */
  flushAnswered(model?: string): Promise<void> {
    return this.ingest.flushAnswered(model);
  }

  /** Validates and appends labels; the store joins each to its event by id (unmatched: unknown id). */
  ingestLabels(
    model: string,
    body: string | Uint8Array | readonly unknown[],
    format: BatchFormat = "ndjson",
  ): Promise<IngestResult> {
    return this.ingest.ingestLabels(model, body, format);
  }

  /**
   * Moves a model's event clock forward without an event (see {@link Ingest.advanceClock}); the
   * windows it makes final are written, judged and alerted on before the answer.
   */
  async advanceClock(model: string, body: unknown): Promise<{ clock: string; previous: string }> {
    const answer = await this.ingest.advanceClock(model, body);
    if (answer.clock !== answer.previous) await this.flush();
    return answer;
  }

  /**
   * Why this replica should get no traffic (/readyz): the store refuses writes, or (API role) the
   * queue refuses publishes; null when ready.
   */
  get notReady(): StoreFailure | QueueFailure | null {
    return this.health.failure ?? this.scale.publisher?.failure ?? null;
  }

  /** Whether this process runs the aggregator and its consumers now (it holds their job lock). */
  get runsAggregator(): boolean {
    return this.scale.aggregating;
  }

  /** The worker loop's counters (batches stored, dead letters), when this process is a worker. */
  get storeWriter(): StoreWriter["counters"] | undefined {
    return this.scale.writer?.counters;
  }

  /** The last failed write of the store (disk full…), until a write succeeds: /readyz reports it. */
  get storeFailure(): StoreFailure | null {
    return this.health.failure;
  }

  /** Sets the failure readiness reports (tests simulate an outage; the next good write clears it). */
  set storeFailure(failure: StoreFailure | null) {
    this.health.set(failure);
  }

  /** Counters for /metrics. */
  get counters() {
    return {
      ...this.aggregator.counters,
      ...this.ingest.counters,
      answeredWaiting: this.ingest.answeredBacklog.waiting,
      answeredDropped: this.ingest.answeredBacklog.dropped,
    };
  }

  // ---- the flush: windows written, then their consumers ----------------------------------------

  /**
   * Writes every changed window with the log position they include (one transaction), then runs the
   * consumers: alerting evaluates the windows finalised since its checkpoint (and no-data, timers),
   * reports are written when a period ends, explanations are queued in the background. Runs in the
   * ingest chain, on a timer, when a clock advances and at shutdown. Returns the windows written.
   */
  async flush(): Promise<number> {
    // Answers already given are part of "everything so far" (outside the chain: their append uses it).
    await this.ingest.flushAnswered();
    return this.chain.run(() => this.flushNow());
  }

  private async flushNow(): Promise<number> {
    if (!(await this.holdAggregator())) {
      await this.followClocks();
      return 0;
    }
    const records = await this.aggregator.persist();
    for (const record of records)
      this.changes.announce({
        type: "window",
        model: record.model,
        version: record.version,
        startMs: record.startMs,
        final: record.summary.final === true,
      });
    // Not while the log's tail waits to be aggregated: a window final by the clock may still miss it.
    const complete = this.aggregator.healthy;
    // Alerting commits its state: not after another replica took the job over (it may have decided).
    if (this.scale.locks !== undefined && !(await this.scale.locks.holds(AGGREGATOR_JOB))) {
      this.release();
      return records.length;
    }
    await this.consumers.alerting?.afterFlush(complete);
    for (const runtime of this.registry.all()) await this.consumers.reports.reportIfDue(runtime);
    if (complete) this.consumers.explanations.notify();
    return records.length;
  }

  /**
   * With job locks: takes the aggregator's job when no replica holds it (tried on every flush, so a
   * dead holder's job is taken over within a flush interval), loading its state from the checkpoint
   * (windows, clocks, alerting); gives the open windows up when the lock was lost. Then aggregates
   * the log's tail (other workers append to it too). True when this process may write windows now.
   */
  private async holdAggregator(): Promise<boolean> {
    const { locks } = this.scale;
    if (locks === undefined) return true;
    if (!this.scale.singletons) return false;
    let held: boolean;
    try {
      held = (await locks.tryAcquire(AGGREGATOR_JOB)) && (await locks.holds(AGGREGATOR_JOB));
    } catch (error) {
      this.log.warn("the aggregator's job lock cannot be checked; not aggregating", { error });
      held = false;
    }
    if (!held) {
      this.release();
      return false;
    }
    if (!this.scale.aggregating) {
      this.log.info("took over the aggregator: replaying the log from its checkpoint");
      await this.aggregator.activate();
      await this.alerting?.reload();
      this.scale.aggregating = true;
    } else {
      // A clock advanced through another replica (POST /clock) is checkpointed there: follow it.
      await this.followClocks();
      await this.aggregator.aggregateTail();
    }
    return true;
  }

  /**
   * With the event clock: moves each model's clock to the checkpointed one (a clock is a maximum). On
   * a replica that does not aggregate, so that its answers (which windows are final) and its
   * validation (what is too late) follow the holder's clock; on the holder, to take up a clock
   * advanced through another replica.
   */
  private async followClocks(): Promise<void> {
    if (this.registry.clockKind !== "event") return;
    for (const runtime of this.registry.all()) {
      const saved = await this.store.getCheckpoint(clockCheckpoint(runtime.record.name));
      if (saved > 0) runtime.clock.observe(saved);
    }
  }

  /** Gives the aggregator's open windows up (the lock was lost: the new holder replays them). */
  private release(): void {
    if (!this.scale.aggregating) return;
    this.log.warn("lost the aggregator's job lock: dropping the open windows");
    this.aggregator.deactivate();
    this.scale.aggregating = false;
  }

  // ---- reading --------------------------------------------------------------------------------

  /** Windows starting in [fromMs, toMs), oldest first: stored ones, with open windows' live figures. */
  windows(model: string, fromMs: number, toMs: number, version?: string): Promise<WindowSummary[]> {
    return this.reads.windows(model, fromMs, toMs, version);
  }

  /** Series and drift heat maps of a model over a range, at most `maxPoints` points per version. */
  series(
    model: string,
    range: { readonly fromMs: number; readonly toMs: number } | { readonly lastMs: number },
    version: string | undefined,
    maxPoints: number,
  ): Promise<SeriesAnswer> {
    return this.dashboard.series(model, range, version, maxPoints);
  }

  /** Every model with its health, newest quality, firing alerts and a sparkline (the overview page). */
  overview(sparkWindows = 48): Promise<OverviewModel[]> {
    return this.dashboard.overview(sparkWindows);
  }

  /** Subscribes to changes (windows written, alert transitions); returns the unsubscribe function. */
  onChange(listener: (change: ServiceChange) => void): () => void {
    return this.changes.onChange(listener);
  }

  /** A model's health over [fromMs, toMs). */
  healthReport(model: string, fromMs: number, toMs: number): Promise<HealthReport> {
    return this.reports.healthReport(model, fromMs, toMs);
  }

  /** Stored health reports of a model, newest first (summaries without the per-version detail). */
  listReports(model: string, fromMs: number, toMs: number, limit: number) {
    return this.reports.listReports(model, fromMs, toMs, limit);
  }

  /** One stored report. */
  getReport(model: string, id: string): Promise<HealthReport> {
    return this.reports.getReport(model, id);
  }

  /** The full drift report of one window (the `tiktoktoe drift` JSON shape). */
  windowDriftReport(model: string, startMs: number, version: string): Promise<DriftReport> {
    return this.reads.windowDriftReport(model, startMs, version);
  }

  /** The alerting clock, for the API (silences start, alert states). */
  alertingNow(): number {
    return this.registry.alertClock();
  }

  /** Metrics of each model version's newest open window (see read-models/gauges.ts). */
  gauges(): MetricFamily[] {
    return windowGauges(this.registry, this.aggregator);
  }

  /** Deletes windows and log batches older than the retention (by the model clocks). */
  async retention(): Promise<{ batches: number; windows: number; events: number }> {
    await this.chain.idle();
    let oldest = Number.POSITIVE_INFINITY;
    for (const runtime of this.registry.all()) {
      const now = this.registry.clockNow(runtime);
      if (Number.isFinite(now)) oldest = Math.min(oldest, now - runtime.settings.reporting.retention);
    }
    if (!Number.isFinite(oldest)) return { batches: 0, windows: 0, events: 0 };
    // The store's id index shrinks with the log (deleteBefore): an event past retention can neither be
    // deduplicated against (its time is long beyond the lateness) nor receive a label any more.
    for (const runtime of this.registry.all()) {
      const now = this.registry.clockNow(runtime);
      if (Number.isFinite(now))
        for (const collection of [
          reportCollection(runtime.record.name),
          explanationCollection(runtime.record.name),
        ])
          await this.store.deleteDocumentsBefore(collection, now - runtime.settings.reporting.retention);
    }
    return this.store.deleteBefore(oldest);
  }

  /** Stops the worker loop, writes every window and runs the consumers one last time; waits for explanations. */
  async close(): Promise<void> {
    await this.scale.writer?.stop();
    // Answered predictions first, so their windows are written.
    await this.ingest.closeAnswered(10_000);
    await this.flush();
    await this.explanations.idle();
  }
}
