/**
 * Resource samples over a window, as mergeable summaries (the way the server keeps model metrics
 * per window). Pure: samples and times in, plain objects out; no I/O, no clock.
 *
 * State per series is O(1): a gauge keeps min, max, sum, count and its last value; a counter keeps
 * its first and last reading and the increase between them, reset-aware as Prometheus' `increase()`
 * (a value lower than the previous one means the counter restarted from zero). Two windows merge
 * exactly: the increase across their boundary is counted once. Ratios that need two series (memory
 * used, filesystem used, GPU memory used) are computed per snapshot and kept as gauges of their own,
 * so their min and max are real moments, not a ratio of unrelated extremes.
 */

import { seriesKey } from "./exposition.js";
import type { CollectorName, ResourceSample } from "./port.js";
import type { ResourceSnapshot } from "./sampler.js";

const FORMAT = "tiktoktoe.resources.window";
const VERSION = 1;

/**
 * A gauge over a window.
 *
 * @example
 * ```ts
 * const { min, mean, max, last }: GaugeStats = summary.memory.usedRatio!;
 * ```
 */
export interface GaugeStats {
  readonly min: number;
  readonly mean: number;
  readonly max: number;
  readonly last: number;
  readonly count: number;
}

/**
 * A counter over a window: how much it grew, over how long, and the rate (null when the window
 * saw it only once, so there is no interval to divide by).
 *
 * @example
 * ```ts
 * const { ratePerSecond }: CounterStats = summary.counters['node_network_receive_bytes_total{device="eth0"}']!;
 * ```
 */
export interface CounterStats {
  readonly increase: number;
  readonly seconds: number;
  readonly ratePerSecond: number | null;
}

interface GaugeState {
  metric: string;
  labels: Record<string, string>;
  min: number;
  max: number;
  sum: number;
  count: number;
  last: number;
  lastMs: number;
}

interface CounterState {
  metric: string;
  labels: Record<string, string>;
  firstMs: number;
  firstValue: number;
  lastMs: number;
  lastValue: number;
  increase: number;
}

/**
 * The JSON form of a {@link ResourceWindow} (format version 1).
 *
 * @example
 * ```ts
 * const stored = JSON.stringify(window); // a ResourceWindowJson
 * ```
 */
export interface ResourceWindowJson {
  readonly format: typeof FORMAT;
  readonly version: typeof VERSION;
  readonly startMs: number;
  readonly endMs: number;
  readonly snapshots: number;
  readonly lastMs: number | null;
  readonly gauges: readonly GaugeState[];
  readonly derived: readonly GaugeState[];
  readonly counters: readonly CounterState[];
  readonly collectErrors: Readonly<Record<string, number>>;
}

/** CPU modes in which a core is not doing work. */
const idleModes = new Set(["idle", "iowait"]);

/**
 * What a window says about the machine, in base units (ratios 0–1, bytes, seconds), ready to be
 * stored as a window's JSON summary.
 *
 * @example
 * ```ts
 * const { cpu, memory, network } = window.summary();
 * cpu.utilisation; // 0.37: busy CPU time over all CPU time in the window
 * ```
 */
export interface ResourceSummary {
  readonly startMs: number;
  readonly endMs: number;
  readonly snapshots: number;
  readonly cpu: {
    /** Busy seconds over all seconds, all cores, from the counters' increase over the window. */
    readonly utilisation: number | null;
    /** The same per core (`cpu` label). */
    readonly cores: Readonly<Record<string, number | null>>;
    /** Utilisation between consecutive snapshots: how high it peaked within the window. */
    readonly intervals: GaugeStats | null;
    readonly load1: GaugeStats | null;
  };
  readonly memory: {
    /** 1 − MemAvailable / MemTotal. */
    readonly usedRatio: GaugeStats | null;
    readonly residentBytes: GaugeStats | null;
    readonly heapUsedBytes: GaugeStats | null;
    readonly pageCacheBytes: GaugeStats | null;
  };
  readonly gpus: ReadonlyArray<{
    readonly gpu: string;
    readonly uuid: string;
    readonly modelName: string;
    /** DCGM_FI_DEV_GPU_UTIL ÷ 100. */
    readonly utilisationRatio: GaugeStats | null;
    /** DCGM_FI_DEV_FB_USED ÷ DCGM_FI_DEV_FB_TOTAL. */
    readonly memoryUsedRatio: GaugeStats | null;
    readonly temperatureCelsius: GaugeStats | null;
    readonly powerWatts: GaugeStats | null;
  }>;
  readonly filesystems: ReadonlyArray<{
    readonly mountpoint: string;
    /** 1 − avail / size: the share this server can no longer write to. */
    readonly usedRatio: GaugeStats;
  }>;
  readonly disks: ReadonlyArray<{
    readonly device: string;
    readonly readBytesPerSecond: number | null;
    readonly writtenBytesPerSecond: number | null;
  }>;
  readonly network: ReadonlyArray<{
    readonly device: string;
    readonly receiveBytesPerSecond: number | null;
    readonly transmitBytesPerSecond: number | null;
    /** Receive and transmit errors counted in the window. */
    readonly errors: number;
    /** Receive and transmit drops counted in the window. */
    readonly drops: number;
  }>;
  readonly caches: ReadonlyArray<{
    readonly cache: string;
    readonly hits: number;
    readonly misses: number;
    /** Hits over lookups in the window; null without lookups. */
    readonly hitRatio: number | null;
  }>;
  readonly probes: ReadonlyArray<{
    readonly target: string;
    /** probe_success over the window: its mean is the availability. */
    readonly success: GaugeStats | null;
    readonly durationSeconds: GaugeStats | null;
  }>;
  /** Error entries per collector in the window (a collector that read everything has none). */
  readonly collectErrors: Readonly<Partial<Record<CollectorName, number>>>;
  /** Every gauge, by series key. */
  readonly gauges: Readonly<Record<string, GaugeStats>>;
  /** Every counter, by series key. */
  readonly counters: Readonly<Record<string, CounterStats>>;
}

/**
 * Accumulates resource snapshots of one window [startMs, endMs). Snapshots must come in time order
 * (counter increases are differences between consecutive readings); merging takes windows that do
 * not overlap, in any order.
 *
 * @example
 * ```ts
 * const window = new ResourceWindow(start, start + 60_000);
 * window.addSnapshot(await sampleOnce(collectors, now));
 * store.putWindows([{ …, state: encode(JSON.stringify(window)), summary: window.summary() }], position);
 * ```
 */
export class ResourceWindow {
  private snapshots = 0;
  private lastMs: number | null = null;
  private readonly gauges = new Map<string, GaugeState>();
  private readonly derived = new Map<string, GaugeState>();
  private readonly counters = new Map<string, CounterState>();
  private readonly collectErrors = new Map<string, number>();

  constructor(
    readonly startMs: number,
    readonly endMs: number,
  ) {
    if (!(Number.isFinite(startMs) && Number.isFinite(endMs) && startMs < endMs)) {
      throw new RangeError(`a window needs startMs < endMs, got [${startMs}, ${endMs})`);
    }
  }

  /** Adds every result of a snapshot: its samples and its error entries. */
  addSnapshot(snapshot: ResourceSnapshot): void {
    this.add(
      snapshot.timeMs,
      snapshot.results.flatMap((result) => result.samples),
    );
    for (const result of snapshot.results) {
      if (result.errors.length > 0) {
        this.collectErrors.set(
          result.collector,
          (this.collectErrors.get(result.collector) ?? 0) + result.errors.length,
        );
      }
    }
  }

  /** Adds samples read at `timeMs` (inside the window, not before the previous snapshot). */
  add(timeMs: number, samples: readonly ResourceSample[]): void {
    if (!(timeMs >= this.startMs && timeMs < this.endMs)) {
      throw new RangeError(`time ${timeMs} is outside the window [${this.startMs}, ${this.endMs})`);
    }
    if (this.lastMs !== null && timeMs < this.lastMs) {
      throw new RangeError(`time ${timeMs} is before the previous snapshot at ${this.lastMs}`);
    }
    this.addCpuIntervals(timeMs, samples);
    for (const sample of samples) {
      if (!Number.isFinite(sample.value)) continue;
      const key = seriesKey(sample.metric, sample.labels);
      if (sample.type === "gauge")
        observe(this.gauges, key, sample.metric, sample.labels, sample.value, timeMs);
      else this.count(key, sample, timeMs);
    }
    this.addRatios(timeMs, samples);
    this.snapshots++;
    this.lastMs = timeMs;
  }

  /** A new window covering both, as if every snapshot of both had been added to one. */
  merge(other: ResourceWindow): ResourceWindow {
    const [early, late] = this.startMs <= other.startMs ? [this, other] : [other, this];
    if (early.endMs > late.startMs) {
      throw new RangeError(
        `windows [${early.startMs}, ${early.endMs}) and [${late.startMs}, ${late.endMs}) overlap`,
      );
    }
    const merged = new ResourceWindow(early.startMs, late.endMs);
    merged.snapshots = early.snapshots + late.snapshots;
    merged.lastMs = late.lastMs ?? early.lastMs;
    for (const source of [early, late]) {
      for (const [key, state] of source.gauges) mergeGauge(merged.gauges, key, state);
      for (const [key, state] of source.derived) mergeGauge(merged.derived, key, state);
      for (const [collector, n] of source.collectErrors) {
        merged.collectErrors.set(collector, (merged.collectErrors.get(collector) ?? 0) + n);
      }
    }
    for (const [key, state] of early.counters)
      merged.counters.set(key, { ...state, labels: { ...state.labels } });
    for (const [key, state] of late.counters) {
      const before = merged.counters.get(key);
      if (before === undefined) {
        merged.counters.set(key, { ...state, labels: { ...state.labels } });
        continue;
      }
      before.increase += state.increase + growth(before.lastValue, state.firstValue);
      before.lastMs = state.lastMs;
      before.lastValue = state.lastValue;
    }
    return merged;
  }

  summary(): ResourceSummary {
    const gauges: Record<string, GaugeStats> = {};
    for (const [key, state] of this.gauges) gauges[key] = stats(state);
    const counters: Record<string, CounterStats> = {};
    for (const [key, state] of this.counters) counters[key] = counterStats(state);
    const gauge = (metric: string, labels: Record<string, string> = {}) => {
      const state = this.gauges.get(seriesKey(metric, labels));
      return state === undefined ? null : stats(state);
    };
    const derived = (name: string, labels: Record<string, string> = {}) => {
      const state = this.derived.get(seriesKey(name, labels));
      return state === undefined ? null : stats(state);
    };
    const seriesOf = (map: Map<string, GaugeState | CounterState>, metric: string) =>
      [...map.values()].filter((s) => s.metric === metric);
    const increase = (metric: string, labels: Record<string, string>) =>
      this.counters.get(seriesKey(metric, labels))?.increase ?? 0;
    const rate = (metric: string, labels: Record<string, string>) => {
      const state = this.counters.get(seriesKey(metric, labels));
      return state === undefined ? null : counterStats(state).ratePerSecond;
    };

    const cores: Record<string, number | null> = {};
    let busyAll = 0;
    let totalAll = 0;
    for (const [cpu, { busy, total }] of this.cpuIncreases()) {
      cores[cpu] = total > 0 ? busy / total : null;
      busyAll += busy;
      totalAll += total;
    }

    const labelValues = (map: Map<string, GaugeState | CounterState>, metric: string, label: string) => [
      ...new Set(seriesOf(map, metric).map((s) => s.labels[label] ?? "")),
    ];

    return {
      startMs: this.startMs,
      endMs: this.endMs,
      snapshots: this.snapshots,
      cpu: {
        utilisation: totalAll > 0 ? busyAll / totalAll : null,
        cores,
        intervals: derived("cpu_utilization_ratio"),
        load1: gauge("node_load1"),
      },
      memory: {
        usedRatio: derived("memory_used_ratio"),
        residentBytes: gauge("process_resident_memory_bytes"),
        heapUsedBytes: gauge("nodejs_heap_size_used_bytes"),
        pageCacheBytes: gauge("node_memory_Cached_bytes"),
      },
      gpus: [
        ...new Map(
          ["DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_GPU_TEMP", "DCGM_FI_DEV_POWER_USAGE"]
            .flatMap((metric) => seriesOf(this.gauges, metric))
            .map((s) => [seriesKey("gpu", s.labels), s.labels] as const),
        ).values(),
      ].map((labels) => ({
        gpu: labels.gpu ?? "",
        uuid: labels.uuid ?? "",
        modelName: labels.modelName ?? "",
        utilisationRatio: derived("gpu_utilization_ratio", labels),
        memoryUsedRatio: derived("gpu_memory_used_ratio", labels),
        temperatureCelsius: gauge("DCGM_FI_DEV_GPU_TEMP", labels),
        powerWatts: gauge("DCGM_FI_DEV_POWER_USAGE", labels),
      })),
      filesystems: seriesOf(this.derived, "filesystem_used_ratio").map((s) => ({
        mountpoint: s.labels.mountpoint ?? "",
        usedRatio: stats(s as GaugeState),
      })),
      disks: labelValues(this.counters, "node_disk_written_bytes_total", "device").map((device) => ({
        device,
        readBytesPerSecond: rate("node_disk_read_bytes_total", { device }),
        writtenBytesPerSecond: rate("node_disk_written_bytes_total", { device }),
      })),
      network: labelValues(this.counters, "node_network_receive_bytes_total", "device").map((device) => ({
        device,
        receiveBytesPerSecond: rate("node_network_receive_bytes_total", { device }),
        transmitBytesPerSecond: rate("node_network_transmit_bytes_total", { device }),
        errors:
          increase("node_network_receive_errs_total", { device }) +
          increase("node_network_transmit_errs_total", { device }),
        drops:
          increase("node_network_receive_drop_total", { device }) +
          increase("node_network_transmit_drop_total", { device }),
      })),
      caches: labelValues(this.counters, "tiktoktoe_cache_hits_total", "cache").map((cache) => {
        const hits = increase("tiktoktoe_cache_hits_total", { cache });
        const misses = increase("tiktoktoe_cache_misses_total", { cache });
        return { cache, hits, misses, hitRatio: hits + misses > 0 ? hits / (hits + misses) : null };
      }),
      probes: labelValues(this.gauges, "probe_duration_seconds", "target").map((target) => ({
        target,
        success: gauge("probe_success", { target }),
        durationSeconds: gauge("probe_duration_seconds", { target }),
      })),
      collectErrors: Object.fromEntries(this.collectErrors),
      gauges,
      counters,
    };
  }

  toJSON(): ResourceWindowJson {
    const copy = (state: GaugeState | CounterState) => ({ ...state, labels: { ...state.labels } });
    return {
      format: FORMAT,
      version: VERSION,
      startMs: this.startMs,
      endMs: this.endMs,
      snapshots: this.snapshots,
      lastMs: this.lastMs,
      gauges: [...this.gauges.values()].map(copy) as GaugeState[],
      derived: [...this.derived.values()].map(copy) as GaugeState[],
      counters: [...this.counters.values()].map(copy) as CounterState[],
      collectErrors: Object.fromEntries(this.collectErrors),
    };
  }

  /** Reads a window back from {@link toJSON}'s output; state that does not read throws (a bug or a version skew). */
  static fromJSON(value: unknown): ResourceWindow {
    const record = expectRecord(value, "window");
    if (record.format !== FORMAT) throw new TypeError(`fromJSON: expected format ${FORMAT}`);
    if (record.version !== VERSION)
      throw new RangeError(`fromJSON: ${FORMAT} version ${String(record.version)} is not ${VERSION}`);
    const window = new ResourceWindow(
      expectNumber(record.startMs, "startMs"),
      expectNumber(record.endMs, "endMs"),
    );
    window.snapshots = expectNumber(record.snapshots, "snapshots");
    window.lastMs = record.lastMs === null ? null : expectNumber(record.lastMs, "lastMs");
    const gaugeFields = ["min", "max", "sum", "count", "last", "lastMs"] as const;
    const counterFields = ["firstMs", "firstValue", "lastMs", "lastValue", "increase"] as const;
    for (const [field, map] of [
      ["gauges", window.gauges],
      ["derived", window.derived],
    ] as const) {
      for (const item of expectArray(record[field], field)) {
        const state = readSeries(item, field, gaugeFields) as unknown as GaugeState;
        map.set(seriesKey(state.metric, state.labels), state);
      }
    }
    for (const item of expectArray(record.counters, "counters")) {
      const state = readSeries(item, "counters", counterFields) as unknown as CounterState;
      window.counters.set(seriesKey(state.metric, state.labels), state);
    }
    for (const [collector, n] of Object.entries(expectRecord(record.collectErrors, "collectErrors"))) {
      window.collectErrors.set(collector, expectNumber(n, `collectErrors.${collector}`));
    }
    return window;
  }

  private count(key: string, sample: ResourceSample, timeMs: number): void {
    const state = this.counters.get(key);
    if (state === undefined) {
      this.counters.set(key, {
        metric: sample.metric,
        labels: { ...sample.labels },
        firstMs: timeMs,
        firstValue: sample.value,
        lastMs: timeMs,
        lastValue: sample.value,
        increase: 0,
      });
      return;
    }
    state.increase += growth(state.lastValue, sample.value);
    state.lastMs = timeMs;
    state.lastValue = sample.value;
  }

  /** Busy and total CPU seconds per core over the window. */
  private cpuIncreases(): Map<string, { busy: number; total: number }> {
    const cores = new Map<string, { busy: number; total: number }>();
    for (const state of this.counters.values()) {
      if (state.metric !== "node_cpu_seconds_total") continue;
      const cpu = state.labels.cpu ?? "";
      const core = cores.get(cpu) ?? { busy: 0, total: 0 };
      core.total += state.increase;
      if (!idleModes.has(state.labels.mode ?? "")) core.busy += state.increase;
      cores.set(cpu, core);
    }
    return cores;
  }

  /** Utilisation since the previous snapshot, over all cores, before the counters move on. */
  private addCpuIntervals(timeMs: number, samples: readonly ResourceSample[]): void {
    let busy = 0;
    let total = 0;
    for (const sample of samples) {
      if (sample.metric !== "node_cpu_seconds_total" || sample.type !== "counter") continue;
      const before = this.counters.get(seriesKey(sample.metric, sample.labels));
      if (before === undefined) continue;
      const delta = growth(before.lastValue, sample.value);
      total += delta;
      if (!idleModes.has(sample.labels.mode ?? "")) busy += delta;
    }
    if (total > 0)
      observe(this.derived, "cpu_utilization_ratio", "cpu_utilization_ratio", {}, busy / total, timeMs);
  }

  /** Ratios of two series read in the same snapshot. */
  private addRatios(timeMs: number, samples: readonly ResourceSample[]): void {
    const values = new Map<string, number>();
    for (const sample of samples) values.set(seriesKey(sample.metric, sample.labels), sample.value);
    const ratio = (name: string, labels: Record<string, string>, value: number | undefined) => {
      if (value !== undefined && Number.isFinite(value)) {
        observe(this.derived, seriesKey(name, labels), name, labels, value, timeMs);
      }
    };
    const total = values.get("node_memory_MemTotal_bytes");
    const available = values.get("node_memory_MemAvailable_bytes");
    if (total !== undefined && available !== undefined && total > 0)
      ratio("memory_used_ratio", {}, 1 - available / total);
    for (const sample of samples) {
      const labels = sample.labels;
      if (sample.metric === "node_filesystem_size_bytes" && sample.value > 0) {
        const avail = values.get(seriesKey("node_filesystem_avail_bytes", labels));
        if (avail !== undefined) {
          ratio("filesystem_used_ratio", { mountpoint: labels.mountpoint ?? "" }, 1 - avail / sample.value);
        }
      } else if (sample.metric === "DCGM_FI_DEV_FB_TOTAL" && sample.value > 0) {
        const used = values.get(seriesKey("DCGM_FI_DEV_FB_USED", labels));
        if (used !== undefined) ratio("gpu_memory_used_ratio", { ...labels }, used / sample.value);
      } else if (sample.metric === "DCGM_FI_DEV_GPU_UTIL") {
        ratio("gpu_utilization_ratio", { ...labels }, sample.value / 100);
      }
    }
  }
}

/** How much a counter grew from one reading to the next; a drop means it restarted from zero. */
function growth(before: number, after: number): number {
  return after >= before ? after - before : after;
}

function observe(
  map: Map<string, GaugeState>,
  key: string,
  metric: string,
  labels: Readonly<Record<string, string>>,
  value: number,
  timeMs: number,
): void {
  const state = map.get(key);
  if (state === undefined) {
    map.set(key, {
      metric,
      labels: { ...labels },
      min: value,
      max: value,
      sum: value,
      count: 1,
      last: value,
      lastMs: timeMs,
    });
    return;
  }
  state.min = Math.min(state.min, value);
  state.max = Math.max(state.max, value);
  state.sum += value;
  state.count++;
  if (timeMs >= state.lastMs) {
    state.last = value;
    state.lastMs = timeMs;
  }
}

function mergeGauge(map: Map<string, GaugeState>, key: string, state: GaugeState): void {
  const into = map.get(key);
  if (into === undefined) {
    map.set(key, { ...state, labels: { ...state.labels } });
    return;
  }
  into.min = Math.min(into.min, state.min);
  into.max = Math.max(into.max, state.max);
  into.sum += state.sum;
  into.count += state.count;
  if (state.lastMs >= into.lastMs) {
    into.last = state.last;
    into.lastMs = state.lastMs;
  }
}

function stats(state: GaugeState): GaugeStats {
  return {
    min: state.min,
    mean: state.sum / state.count,
    max: state.max,
    last: state.last,
    count: state.count,
  };
}

function counterStats(state: CounterState): CounterStats {
  const seconds = (state.lastMs - state.firstMs) / 1000;
  return { increase: state.increase, seconds, ratePerSecond: seconds > 0 ? state.increase / seconds : null };
}

function expectRecord(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`fromJSON: ${what} must be an object`);
  }
  return value as Record<string, unknown>;
}

function expectArray(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new TypeError(`fromJSON: ${what} must be an array`);
  return value;
}

function expectNumber(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isFinite(value))
    throw new TypeError(`fromJSON: ${what} must be a finite number`);
  return value;
}

function readSeries(item: unknown, what: string, fields: readonly string[]): Record<string, unknown> {
  const record = expectRecord(item, what);
  if (typeof record.metric !== "string") throw new TypeError(`fromJSON: ${what}[].metric must be a string`);
  const labels = expectRecord(record.labels, `${what}[].labels`);
  const out: Record<string, unknown> = { metric: record.metric, labels: {} as Record<string, string> };
  for (const [name, value] of Object.entries(labels)) {
    if (typeof value !== "string") throw new TypeError(`fromJSON: ${what}[].labels.${name} must be a string`);
    (out.labels as Record<string, string>)[name] = value;
  }
  for (const field of fields) out[field] = expectNumber(record[field], `${what}[].${field}`);
  return out;
}
