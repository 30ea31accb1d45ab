import type { Logger } from "../../logging/index.js";
import {
  isWindowFinal,
  oldestAcceptedMs,
  type PredictionEvent,
  parseEventBatch,
  WindowState,
  type WindowStateJson,
  windowStart,
  windowVerdicts,
} from "../../monitor/index.js";
import type { LogBatch, Store, WindowRecord } from "../../store/index.js";
import { ingestContext } from "../ingest/context.js";
import type { StoreHealth } from "../ingest/store-health.js";
import { clockCheckpoint, type ModelRegistry, type ModelRuntime } from "../registry/index.js";
import type { LoggedLabel } from "./log-lines.js";

/** A window within the lateness, held in memory while events and labels may still change it. */
export interface OpenWindow {
  readonly version: string;
  readonly startMs: number;
  readonly state: WindowState;
  /** Changed since the store last had it. */
  dirty: boolean;
}

/** Options of {@link Aggregator.open}. */
export interface AggregatorOptions {
  readonly store: Store;
  readonly registry: ModelRegistry;
  readonly health: StoreHealth;
  readonly log: Logger;
  /**
   * True: open without loading anything (a replica that does not hold the aggregator's job lock);
   * {@link activate} loads the windows and the tail once it does.
   */
  readonly standby?: boolean;
}

/**
 * A batch of events just appended to the log, at `sequence`, with every event it logged as the
 * parsed record its line came from (in order; a batch whose append dropped duplicates does not
 * qualify: its logged lines are a subset).
 */
export interface AppendedEvents {
  readonly sequence: number;
  readonly model: string;
  readonly events: readonly PredictionEvent[];
}

const key = (version: string, startMs: number) => `${version}\u0000${startMs}`;

/** A stable seed per window, so a window's sample does not depend on when the server started. */
function seedOf(model: string, version: string, startMs: number): number {
  let h = 2166136261;
  for (const c of `${model}/${version}/${startMs}`) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return h >>> 0;
}

/**
 * The log's consumer that owns the open windows: it reads the log from its checkpoint (the
 * `aggregator` position), applies each batch to its event-time windows, and commits the changed
 * windows together with the position in one transaction ({@link persist}), so a crash replays at most
 * the tail and never applies a batch twice or skips one. Memory holds the open windows only (those
 * within the lateness); final ones are written and dropped.
 *
 * @example
 * ```ts
 * const aggregator = await Aggregator.open({ store, registry, health, log });
 * await aggregator.aggregateTail(); // after an append
 * const written = await aggregator.persist(); // on the flush timer
 * ```
 */
export class Aggregator {
  /** The log position aggregated into the open windows (the checkpoint once persisted). */
  private position = 0;
  /** Why aggregation of the log stopped, until it succeeds again (it is retried, never skipped). */
  private failure: unknown = null;
  /** Open windows per model, by version and start. */
  private readonly open = new Map<string, Map<string, OpenWindow>>();
  /**
   * Events and labels aggregated (for /metrics); of the events, those taken from their append's
   * records ({@link aggregateAppended}) rather than read back from the log.
   */
  readonly counters = { events: 0, labels: 0, eventsFromAppends: 0 };
  /** False on standby (another replica holds the aggregator's job): nothing is read or written. */
  private active = false;

  private constructor(private readonly options: AggregatorOptions) {}

  /**
   * Loads the windows open at the last checkpoint (not final by each model's restored clock), then
   * aggregates the log's tail after the checkpoint — never the whole history.
   */
  static async open(options: AggregatorOptions): Promise<Aggregator> {
    const aggregator = new Aggregator(options);
    if (options.standby !== true) await aggregator.activate();
    return aggregator;
  }

  /**
   * Starts from the last checkpoint, as at start-up: the saved position, each model's saved clock,
   * the windows open at that clock, then the log's tail after it. A replica that gains the
   * aggregator's job lock calls it (another replica may have moved the checkpoint on meanwhile).
   */
  async activate(): Promise<void> {
    this.active = true;
    this.open.clear();
    this.failure = null;
    this.position = await this.options.store.getLogPosition();
    for (const runtime of this.options.registry.all()) {
      const saved = await this.options.store.getCheckpoint(clockCheckpoint(runtime.record.name));
      if (saved > 0) runtime.clock.observe(saved);
      await this.loadOpenWindows(runtime);
    }
    await this.aggregateTail();
  }

  /**
   * Forgets the open windows (a replica that lost the aggregator's job lock: the holder has them now,
   * and this one must not write its stale copies).
   */
  deactivate(): void {
    this.active = false;
    this.open.clear();
    this.failure = null;
  }

  /** False while a batch of the log fails to aggregate (final windows may then miss it). */
  get healthy(): boolean {
    return this.failure === null;
  }

  /** A model's open windows (by version and start). */
  windowsOf(model: string): Map<string, OpenWindow> {
    let windows = this.open.get(model);
    if (windows === undefined) {
      windows = new Map();
      this.open.set(model, windows);
    }
    return windows;
  }

  /** One open window, if it is open. */
  window(model: string, version: string, startMs: number): OpenWindow | undefined {
    return this.open.get(model)?.get(key(version, startMs));
  }

  /**
   * Aggregates the log after the current position into the open windows, batch by batch. A batch
   * that fails to aggregate (a bug) stops the tail there: the position stays before it and the next
   * commit or flush tries it again, so a batch is never skipped and never counted twice.
   */
  async aggregateTail(): Promise<void> {
    if (!this.active) return;
    let current: number | undefined;
    try {
      for (;;) {
        const batches = await this.options.store.readBatches(this.position, 500);
        if (batches.length === 0) break;
        for (const batch of batches) {
          current = batch.sequence;
          await this.aggregate(batch);
          this.position = batch.sequence!;
        }
      }
      this.failure = null;
    } catch (error) {
      if (this.failure === null)
        this.options.log.error("aggregating the log failed; it is retried from the same position", {
          position: this.position,
          batch: current ?? null,
          error,
        });
      this.failure = error;
    }
  }

  /**
   * Aggregates batches this process has just appended, then the rest of the log's tail. A batch is
   * taken from the records its append was derived from (what its logged lines parse to) instead of
   * being read back and parsed again — that was a third of a worker's CPU — but only while it
   * continues the aggregated position exactly: a batch another process wrote before or between them,
   * a gap, or a failure leaves the rest to {@link aggregateTail}, which reads the log as before. So a
   * batch is still aggregated once, in log order, whichever way it came.
   *
   * @example
   * ```ts
   * const [result] = await store.appendIngest([derived.append]);
   * await aggregator.aggregateAppended([{ sequence: result.sequence, model, events: derived.records }]);
   * ```
   */
  async aggregateAppended(appended: readonly AppendedEvents[]): Promise<void> {
    if (this.active && this.failure === null)
      for (const batch of appended) {
        if (batch.sequence !== this.position + 1) break;
        const runtime = this.options.registry.find(batch.model);
        try {
          if (runtime !== undefined) await this.applyEvents(runtime, batch.events, true);
        } catch {
          // Nothing of the batch was applied (windows open before any changes): the log's read says why.
          break;
        }
        this.position = batch.sequence;
      }
    await this.aggregateTail();
  }

  /** Applies one log batch to its windows. */
  private async aggregate(batch: LogBatch): Promise<void> {
    const runtime = this.options.registry.find(batch.model);
    if (runtime === undefined) return;
    const text = Buffer.from(batch.payload).toString("utf8");
    if (batch.kind === "events") {
      const parsed = parseEventBatch(text, "ndjson", {
        ...ingestContext(this.options.registry, runtime, {}),
        oldestAcceptedMs: Number.NEGATIVE_INFINITY,
        newestAcceptedMs: Number.POSITIVE_INFINITY,
        nowMs: batch.receivedMs,
      });
      if (!parsed.ok)
        throw new Error(`log batch ${batch.sequence} does not parse: ${JSON.stringify(parsed.problems[0])}`);
      await this.applyEvents(runtime, parsed.records);
    } else {
      const labels: LoggedLabel[] = [];
      for (const line of text.split("\n")) if (line !== "") labels.push(JSON.parse(line) as LoggedLabel);
      await this.applyLabels(runtime, labels);
    }
  }

  private async applyEvents(
    runtime: ModelRuntime,
    events: readonly PredictionEvent[],
    fromAppend = false,
  ): Promise<void> {
    const length = runtime.settings.monitor.window;
    // Windows are opened (possibly from the store) before any is changed: a failure leaves none half-applied.
    const targets: OpenWindow[] = [];
    for (const event of events)
      targets.push(await this.openWindow(runtime, event.version, windowStart(event.timeMs, length)));
    for (const [i, event] of events.entries()) {
      runtime.clock.observe(event.timeMs);
      targets[i]!.state.addEvent(event);
      targets[i]!.dirty = true;
    }
    this.counters.events += events.length;
    if (fromAppend) this.counters.eventsFromAppends += events.length;
  }

  private async applyLabels(runtime: ModelRuntime, labels: readonly LoggedLabel[]): Promise<void> {
    const length = runtime.settings.monitor.window;
    const targets: OpenWindow[] = [];
    for (const { event } of labels)
      targets.push(await this.openWindow(runtime, event.version, windowStart(event.time, length)));
    for (const [i, { label, event }] of labels.entries()) {
      targets[i]!.state.addLabel(event.join, { id: label.id, value: label.value, timeMs: label.time });
      targets[i]!.dirty = true;
    }
    this.counters.labels += labels.length;
  }

  private async openWindow(runtime: ModelRuntime, version: string, startMs: number): Promise<OpenWindow> {
    const k = key(version, startMs);
    const open = this.windowsOf(runtime.record.name);
    let window = open.get(k);
    if (window === undefined) {
      const state =
        (await this.storedState(runtime, version, startMs)) ??
        WindowState.create(
          runtime.window,
          seedOf(runtime.record.name, version, startMs),
          runtime.calibrators.get(version) ?? null,
        );
      window = { version, startMs, state, dirty: false };
      open.set(k, window);
    }
    return window;
  }

  /**
   * Writes every changed window (state and summary) with the log position they include, in one
   * transaction, and with the event clock each model's clock first; then forgets the windows that are
   * final. Windows are marked clean only once the store has them: a failed write leaves them to the
   * next persist, and the saved position never covers a window that was not written. Returns the
   * records written. Run it in the ingest chain, so that no batch is aggregated half-way through it.
   */
  async persist(): Promise<WindowRecord[]> {
    if (!this.active) return [];
    if (this.failure !== null) await this.aggregateTail();
    const { registry, store, health } = this.options;
    const dirty: OpenWindow[] = [];
    const records: WindowRecord[] = [];
    for (const runtime of registry.all())
      for (const window of this.windowsOf(runtime.record.name).values())
        if (window.dirty) {
          dirty.push(window);
          records.push(this.windowRecord(runtime, window));
        }
    try {
      if (registry.clockKind === "event")
        // The clocks first: a crash between the two writes leaves a clock ahead of the position, which
        // the replayed tail cannot lower (a clock is a maximum), never one behind it.
        for (const runtime of registry.all()) {
          const now = runtime.clock.now();
          if (Number.isFinite(now)) await store.putCheckpoint(clockCheckpoint(runtime.record.name), now);
        }
      if (records.length > 0 || this.position > 0) await store.putWindows(records, this.position);
      health.succeeded();
    } catch (error) {
      throw health.refused(error);
    }
    for (const window of dirty) window.dirty = false;
    for (const runtime of registry.all()) {
      const { window: length, lateness } = runtime.settings.monitor;
      const open = this.windowsOf(runtime.record.name);
      for (const [k, window] of open)
        if (!window.dirty && isWindowFinal(window.startMs, length, lateness, runtime.clock.now()))
          open.delete(k);
    }
    return records;
  }

  windowRecord(runtime: ModelRuntime, window: OpenWindow): WindowRecord {
    const length = runtime.settings.monitor.window;
    return {
      model: runtime.record.name,
      version: window.version,
      startMs: window.startMs,
      endMs: window.startMs + length,
      state: Buffer.from(JSON.stringify(window.state)),
      summary: this.summarise(runtime, window),
      updatedMs: this.options.registry.wallNow(),
    };
  }

  /** A window's summary: counts, quality, latency, drift severities, verdicts, fairness, estimate. */
  summarise(runtime: ModelRuntime, window: OpenWindow): Record<string, unknown> {
    const summary = window.state.summary();
    const drift = this.options.registry.drift(runtime, window.version, window.state);
    return {
      ...summary,
      exact: window.state.exact,
      drift:
        drift === null
          ? null
          : {
              severity: drift.severity,
              drifted_columns: drift.drifted_columns,
              columns: drift.columns.map((c) => ({ column: c.column, severity: c.severity })),
              // Kept and shown, not tested (the schema's `drift: false`): absent from `columns`.
              untested: runtime.window.untested ?? [],
            },
      verdicts: windowVerdicts(window.state, drift, runtime.settings),
      fairness: window.state.fairnessReport(),
      estimated: window.state.estimate(),
      final: isWindowFinal(
        window.startMs,
        runtime.settings.monitor.window,
        runtime.settings.monitor.lateness,
        runtime.clock.now(),
      ),
    };
  }

  /** A stored window's state, decoded (with the version's CBPE calibrator); null when there is none. */
  async storedState(runtime: ModelRuntime, version: string, startMs: number): Promise<WindowState | null> {
    const stored = await this.options.store.getWindows(runtime.record.name, startMs, startMs + 1, version);
    if (stored.length === 0) return null;
    return WindowState.fromJSON(
      JSON.parse(Buffer.from(stored[0]!.state).toString("utf8")) as WindowStateJson,
      runtime.window,
      runtime.calibrators.get(version) ?? null,
    );
  }

  /**
   * Loads the windows that were open at the last checkpoint (not final by the restored clock), so they
   * close, alert and report as if the server had not stopped. Only the lateness's span is read.
   */
  private async loadOpenWindows(runtime: ModelRuntime): Promise<void> {
    const now = runtime.clock.now();
    if (!Number.isFinite(now)) return;
    const { window: length, lateness } = runtime.settings.monitor;
    const from = oldestAcceptedMs(now, length, lateness) - length;
    for (const record of await this.options.store.getWindowSummaries(
      runtime.record.name,
      from,
      Number.POSITIVE_INFINITY,
    ))
      if (!isWindowFinal(record.startMs, length, lateness, now))
        await this.openWindow(runtime, record.version, record.startMs);
  }
}
