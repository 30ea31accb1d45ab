import type { DriftReport } from "../../drift/index.js";
import { TikTokToeError } from "../../errors/index.js";
import { isWindowFinal, WindowState } from "../../monitor/index.js";
import type { Store } from "../../store/index.js";
import type { Aggregator } from "../aggregator/index.js";
import type { SerialChain } from "../ingest/index.js";
import type { ModelRegistry, ModelRuntime } from "../registry/index.js";
import { describe, windowKey } from "./shape.js";
import type { WindowSummary } from "./types.js";

/** Options of {@link WindowReads}. */
export interface WindowReadsOptions {
  readonly store: Store;
  readonly registry: ModelRegistry;
  readonly aggregator: Aggregator;
  /** The ingest chain: a read waits for the batches acknowledged before it (read your writes). */
  readonly chain: SerialChain;
}

/**
 * The windows read model: stored windows (the store's summaries, final by the clock now) with the open
 * windows' live figures over them; a window's state and its full drift report.
 *
 * @example
 * ```ts
 * const windows = await reads.windows("bike", from, to); // oldest first
 * ```
 */
export class WindowReads {
  constructor(private readonly options: WindowReadsOptions) {}

  /** Windows starting in [fromMs, toMs), oldest first: stored ones, with open windows' live figures. */
  async windows(model: string, fromMs: number, toMs: number, version?: string): Promise<WindowSummary[]> {
    this.options.registry.runtime(model);
    // Read your writes: batches acknowledged before this read are aggregated first.
    await this.options.chain.idle();
    return this.windowsNow(model, fromMs, toMs, version);
  }

  /** {@link windows} without waiting for the ingest chain (for code that runs inside it: flushes). */
  async windowsNow(model: string, fromMs: number, toMs: number, version?: string): Promise<WindowSummary[]> {
    const runtime = this.options.registry.runtime(model);
    const byKey = new Map<string, WindowSummary>();
    const { window: length, lateness } = runtime.settings.monitor;
    for (const record of await this.options.store.getWindowSummaries(model, fromMs, toMs, version))
      byKey.set(
        windowKey(record.version, record.startMs),
        // Whether a stored window is final depends on the clock now, not on when it was written.
        describe(model, record.version, record.startMs, record.endMs, {
          ...record.summary,
          final: isWindowFinal(record.startMs, length, lateness, runtime.clock.now()),
        }),
      );
    for (const window of this.options.aggregator.windowsOf(model).values()) {
      if (
        window.startMs < fromMs ||
        window.startMs >= toMs ||
        (version !== undefined && window.version !== version)
      )
        continue;
      byKey.set(
        windowKey(window.version, window.startMs),
        describe(
          model,
          window.version,
          window.startMs,
          window.startMs + length,
          this.options.aggregator.summarise(runtime, window),
        ),
      );
    }
    return [...byKey.values()].sort((a, b) => a.startMs - b.startMs || (a.version < b.version ? -1 : 1));
  }

  /** A window's state: the open one, or the stored one decoded; null when there is none. */
  async windowState(runtime: ModelRuntime, version: string, startMs: number): Promise<WindowState | null> {
    const open = this.options.aggregator.window(runtime.record.name, version, startMs);
    // A copy: merging must not change the live window.
    if (open !== undefined)
      return WindowState.fromJSON(
        JSON.parse(JSON.stringify(open.state)),
        runtime.window,
        runtime.calibrators.get(version) ?? null,
      );
    return this.options.aggregator.storedState(runtime, version, startMs);
  }

  /** The full drift report of one window (the `tiktoktoe drift` JSON shape). */
  async windowDriftReport(model: string, startMs: number, version: string): Promise<DriftReport> {
    const runtime = this.options.registry.runtime(model);
    this.options.registry.requireVersion(runtime, version);
    await this.options.chain.idle();
    const state =
      this.options.aggregator.window(model, version, startMs)?.state ??
      (await this.options.aggregator.storedState(runtime, version, startMs));
    if (state === null)
      throw new TikTokToeError(
        "NOT_FOUND",
        `no window of version "${version}" starts at ${new Date(startMs).toISOString()}`,
      );
    const report = this.options.registry.drift(runtime, version, state);
    if (report === null)
      throw new TikTokToeError("NOT_FOUND", `version "${version}" has no reference data`, {
        hint: `PUT /v1/models/${model}/versions/${version}/reference`,
      });
    return report;
  }
}
