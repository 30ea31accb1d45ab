import { hostname } from "node:os";
import { resourceAlertNames } from "../alerts/index.js";
import {
  type ResourceRuleName,
  type ResourceSettings,
  resourceRuleInfo,
  resourceRuleNames,
} from "../config/index.js";
import { windowStart } from "../monitor/index.js";
import {
  CacheRegistry,
  type Collector,
  type CollectResult,
  createCollectors,
  DiskCollector,
  defaultProbeTimeoutMs,
  type ResourceMetricFamily,
  type ResourceSample,
  type ResourceSnapshot,
  type ResourceSummary,
  ResourceWindow,
  resourceMetricFamilies,
  sampleOnce,
  seriesKey,
} from "../resources/index.js";
import type { Store } from "../store/index.js";
import type { Alerting } from "./alerting.js";

/** The store's document collection of resource windows: key = the window's start (epoch ms), body = its state. */
export const RESOURCE_WINDOWS = "resource-windows";

/** At most this many windows are read for one answer (30 days of 5-minute windows fit). */
const MAX_WINDOWS = 10_000;

const alertNames = new Set<string>(Object.values(resourceAlertNames));

/** Options of {@link ResourceMonitor.open}. */
export interface ResourceMonitorOptions {
  readonly store: Store;
  /** The configuration's `resources:` section, defaults applied. */
  readonly settings: ResourceSettings;
  /** Windows ending longer ago than this are deleted by {@link ResourceMonitor.retention} (`reporting.retention`). */
  readonly retentionMs: number;
  /** The server's data directory: its filesystem is measured beside `/` unless `disk_paths` says otherwise. */
  readonly dataDir?: string;
  /** The wall clock (injected, so tests control it): sample times, window alignment, retention. */
  readonly now: () => number;
  /** How often to sample (ms); default `settings.interval` (a test seam: tests sample by hand). */
  readonly intervalMs?: number;
  /**
   * The alerting to feed the resource rules, read at each evaluation (it is attached after start-up);
   * undefined when alerting is off, or when its clock is not the wall clock (an event-time replay).
   */
  readonly alerting?: () => Alerting | undefined;
  /** Collectors to sample instead of the machine's own (a test seam). */
  readonly collectors?: readonly Collector[];
  /** The `instance` label of resource alerts; the host name by default. */
  readonly instance?: string;
  readonly log?: (message: string, error?: unknown) => void;
}

/**
 * A window as the API answers it: the window's summary (docs/resources.md) without the per-series
 * maps (`gauges`, `counters`: every series by key, too large to list by the thousand), whether it is
 * still open, and the machine's memory size (so the dashboard can show used bytes).
 *
 * @example
 * ```ts
 * const { cpu, memory, open }: ResourceWindowView = answer.windows[0]!;
 * ```
 */
export type ResourceWindowView = Omit<ResourceSummary, "gauges" | "counters"> & {
  readonly open: boolean;
  readonly memoryTotalBytes: number | null;
};

/**
 * The answer of `GET /v1/resources`.
 *
 * @example
 * ```ts
 * const report: ResourcesReport = await monitor.report({ lastMs: 86_400_000 });
 * ```
 */
export interface ResourcesReport {
  /** The resource clock (wall time). */
  readonly now: number;
  readonly instance: string;
  readonly intervalMs: number;
  readonly windowMs: number;
  readonly from: number | null;
  readonly to: number | null;
  /** Windows merged into each point (1 unless more windows than `points` were asked for). */
  readonly bucket: number;
  /** Oldest first. */
  readonly windows: readonly ResourceWindowView[];
  /** The newest snapshot: every collector's status and errors, and its samples. */
  readonly latest: {
    readonly timeMs: number;
    readonly collectors: ReadonlyArray<Omit<CollectResult, "samples">>;
    readonly samples: readonly ResourceSample[];
  } | null;
  readonly gpu: ResourceSettings["gpu"];
  /** The configured rules, for the dashboard's threshold lines. */
  readonly thresholds: Readonly<
    Record<
      ResourceRuleName,
      {
        readonly alertname: string;
        readonly direction: "above" | "below";
        readonly judged: "sample" | "window";
        readonly warning: number | null;
        readonly critical: number | null;
        readonly forMs: number;
      }
    >
  >;
  /** Resource alerts now firing (empty without alerting). */
  readonly alerts: ReadonlyArray<ReturnType<Alerting["alerts"]>[number]>;
}

/**
 * The server's resource sampler: on every interval it runs the collectors once
 * (`sampleOnce(createCollectors(…))`), folds the snapshot into the current window (aligned to the
 * epoch like model windows: [k × window, (k + 1) × window)), writes the window's state to the store,
 * keeps the snapshot for `/metrics`, and feeds the resource rules to alerting: the sample rules on
 * every snapshot, the CPU rule when a window closes (at the first sample after its end). A sample
 * still running when the next is due makes that one skip, so a slow probe never piles samples up.
 *
 * The server has no cache worth registering yet (reference profiles and the id index are tables
 * loaded whole, not caches with misses), so {@link caches} is empty until one registers.
 *
 * @example
 * ```ts
 * const resources = await ResourceMonitor.open({ store, settings: config.resources, retentionMs, now: Date.now });
 * resources.start();
 * // …
 * await resources.stop();
 * ```
 */
export class ResourceMonitor {
  /** Where the server's own caches register (reported as `tiktoktoe_cache_*`). */
  readonly caches = new CacheRegistry();
  private readonly collectors: readonly Collector[];
  private readonly instance: string;
  private readonly log: (message: string, error?: unknown) => void;
  private current: ResourceWindow | undefined;
  private latest: ResourceSnapshot | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  private constructor(private readonly options: ResourceMonitorOptions) {
    const { settings } = options;
    this.collectors =
      options.collectors ??
      createCollectors({
        ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
        probeTargets: settings.probes,
        // A probe may not outlast the interval: the next sample would skip behind it.
        probeTimeoutMs: Math.min(defaultProbeTimeoutMs, settings.interval),
        caches: this.caches,
      }).flatMap((collector): Collector[] => {
        if (collector.name === "gpu" && settings.gpu === "off") return [];
        if (collector.name === "disk" && settings.disk_paths !== null)
          return [new DiskCollector({ paths: settings.disk_paths })];
        return [collector];
      });
    this.instance = options.instance ?? hostname();
    this.log =
      options.log ??
      ((message, error) =>
        error === undefined
          ? console.error(`tiktoktoe: ${message}`)
          : console.error(`tiktoktoe: ${message}`, error));
  }

  /** A monitor that continues the stored window of the current time, if there is one (a restart). */
  static async open(options: ResourceMonitorOptions): Promise<ResourceMonitor> {
    const monitor = new ResourceMonitor(options);
    const length = options.settings.window;
    const start = windowStart(options.now(), length);
    const stored = await options.store.getDocument(RESOURCE_WINDOWS, String(start));
    if (stored !== undefined) {
      try {
        const window = ResourceWindow.fromJSON(JSON.parse(stored.body));
        if (window.endMs === start + length) monitor.current = window;
      } catch (error) {
        monitor.log(
          `the stored resource window of ${new Date(start).toISOString()} does not read; starting anew`,
          error,
        );
      }
    }
    return monitor;
  }

  /** Samples now, then on every interval (the timer does not keep the process alive). */
  start(): void {
    if (this.timer !== undefined || this.stopped) return;
    this.tick();
    this.timer = setInterval(() => this.tick(), this.options.intervalMs ?? this.options.settings.interval);
    this.timer.unref();
  }

  /** Stops the timer, waits for a sample in progress, and writes the current window. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
    if (this.current !== undefined)
      await this.persist(this.current).catch((e: unknown) =>
        this.log("writing the resource window failed:", e),
      );
  }

  /** The timer's sample: skipped while the previous one still runs (a slow probe, a hung nvidia-smi). */
  private tick(): void {
    if (this.running === undefined) void this.sample();
  }

  /**
   * One sample, after the one in progress (if any): collect, fold into the window (closing the
   * previous one when the time has moved on), write, judge. Never rejects: a failure is logged.
   */
  async sample(): Promise<void> {
    while (this.running !== undefined) await this.running;
    if (this.stopped) return;
    this.running = this.takeSample()
      .catch((error: unknown) => this.log("sampling resources failed:", error))
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  private async takeSample(): Promise<void> {
    const at = this.options.now();
    const snapshot = await sampleOnce(this.collectors, at);
    for (const result of snapshot.results) if (result.notice !== undefined) this.log(result.notice);
    this.latest = snapshot;
    const length = this.options.settings.window;
    const start = windowStart(at, length);
    if (this.current !== undefined && start < this.current.startMs) return; // the clock went back: drop it
    if (this.current !== undefined && start > this.current.startMs) {
      const closed = this.current;
      this.current = undefined;
      await this.persist(closed);
      await this.judge({
        phase: "window",
        at: closed.endMs,
        window: { start: closed.startMs, end: closed.endMs },
        reading: closed.summary(),
      });
    }
    this.current ??= new ResourceWindow(start, start + length);
    try {
      this.current.addSnapshot(snapshot);
    } catch (error) {
      // A time before the window's last snapshot (the clock stepped back within the window).
      if (error instanceof RangeError) return;
      throw error;
    }
    await this.persist(this.current);
    // The sample rules judge the newest snapshot alone: a one-snapshot window's summary.
    const alone = new ResourceWindow(at, at + 1);
    alone.addSnapshot(snapshot);
    await this.judge({
      phase: "sample",
      at,
      window: { start: this.current.startMs, end: this.current.endMs },
      reading: alone.summary(),
    });
  }

  private async judge(input: {
    phase: "sample" | "window";
    at: number;
    window: { start: number; end: number };
    reading: ResourceSummary;
  }): Promise<void> {
    const alerting = this.options.alerting?.();
    if (alerting === undefined) return;
    await alerting.onResourceReading(
      { ...input, instance: this.instance },
      this.options.settings.rules,
      this.options.now(),
    );
  }

  private persist(window: ResourceWindow): Promise<void> {
    return this.options.store.putDocument({
      collection: RESOURCE_WINDOWS,
      key: String(window.startMs),
      timeMs: window.startMs,
      body: JSON.stringify(window),
    });
  }

  /**
   * The newest snapshot as metric families for `/metrics`, leaving out the names in `exclude` (the
   * process metrics the server already renders), since a family may appear only once.
   */
  metricFamilies(exclude: ReadonlySet<string> = new Set()): ResourceMetricFamily[] {
    if (this.latest === undefined) return [];
    try {
      return resourceMetricFamilies(this.latest.results.flatMap((r) => r.samples)).filter(
        (family) => !exclude.has(family.name),
      );
    } catch (error) {
      // One name with two types is a collector bug; /metrics still answers with the rest.
      this.log("resource metrics are inconsistent:", error);
      return [];
    }
  }

  /**
   * Windows starting in [from, to) (the window holding `from` included), or over the last `lastMs`,
   * oldest first; beyond `points` windows, consecutive windows are merged (exactly: counters across
   * the boundary count once) into buckets of equal count.
   */
  async report(
    range: { fromMs: number; toMs: number } | { lastMs: number },
    points = 1000,
  ): Promise<ResourcesReport> {
    const now = this.options.now();
    const length = this.options.settings.window;
    const from = "lastMs" in range ? now - range.lastMs : range.fromMs;
    const to = "lastMs" in range ? Number.POSITIVE_INFINITY : range.toMs;
    const first = Number.isFinite(from) ? windowStart(from, length) : from;
    const windows: ResourceWindow[] = [];
    for (const doc of await this.options.store.listDocuments(RESOURCE_WINDOWS, first, to, MAX_WINDOWS)) {
      try {
        windows.push(ResourceWindow.fromJSON(JSON.parse(doc.body)));
      } catch (error) {
        this.log(`the stored resource window ${doc.key} does not read; left out`, error);
      }
    }
    const bucket = Math.max(1, Math.ceil(windows.length / points));
    const merged = bucket === 1 ? windows : mergeBuckets(windows, bucket);
    const openStart = this.current?.startMs;
    const alerting = this.options.alerting?.();
    const thresholds = Object.fromEntries(
      resourceRuleNames.map((name) => {
        const rule = this.options.settings.rules[name];
        return [
          name,
          {
            alertname: resourceAlertNames[name],
            ...resourceRuleInfo[name],
            warning: rule.warning,
            critical: rule.critical,
            forMs: rule.for,
          },
        ];
      }),
    ) as ResourcesReport["thresholds"];
    return {
      now,
      instance: this.instance,
      intervalMs: this.options.intervalMs ?? this.options.settings.interval,
      windowMs: length,
      from: Number.isFinite(from) ? from : null,
      to: Number.isFinite(to) ? to : null,
      bucket,
      windows: merged.map((w) => view(w, openStart !== undefined && w.endMs > openStart)),
      latest:
        this.latest === undefined
          ? null
          : {
              timeMs: this.latest.timeMs,
              collectors: this.latest.results.map(({ samples: _samples, ...rest }) => rest),
              samples: this.latest.results.flatMap((r) => r.samples),
            },
      gpu: this.options.settings.gpu,
      thresholds,
      alerts: (alerting?.alerts(now) ?? []).filter(
        (a) => a.status === "firing" && alertNames.has(a.labels.alertname ?? ""),
      ),
    };
  }

  /** Deletes the windows that ended before `now − retention`; returns how many. */
  retention(): Promise<number> {
    const cutoff = this.options.now() - this.options.retentionMs;
    // Documents are timed by their start: a window ends one window length later.
    return this.options.store.deleteDocumentsBefore(RESOURCE_WINDOWS, cutoff - this.options.settings.window);
  }
}

function view(window: ResourceWindow, open: boolean): ResourceWindowView {
  const { gauges, counters: _counters, ...summary } = window.summary();
  return {
    ...summary,
    open,
    memoryTotalBytes: gauges[seriesKey("node_memory_MemTotal_bytes", {})]?.last ?? null,
  };
}

/** Consecutive windows merged by `size`; windows that overlap (the window length changed) stay apart. */
function mergeBuckets(windows: readonly ResourceWindow[], size: number): ResourceWindow[] {
  const out: ResourceWindow[] = [];
  for (let i = 0; i < windows.length; i += size) {
    let bucket = windows[i]!;
    for (const next of windows.slice(i + 1, i + size)) {
      if (next.startMs < bucket.endMs) {
        out.push(bucket);
        bucket = next;
      } else bucket = bucket.merge(next);
    }
    out.push(bucket);
  }
  return out;
}
