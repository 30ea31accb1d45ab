/**
 * Machine resources: one narrow collector port, adapters that read Linux's procfs and `statfs`,
 * `nvidia-smi` and network probes (and the server's own caches), a sampler that runs them once,
 * and the pure window aggregation and exposition the server stores and serves.
 * Metric names are node_exporter's, DCGM exporter's and blackbox_exporter's (docs/resources.md).
 *
 * @example
 * ```ts
 * import { createCollectors, ResourceWindow, resourceMetricFamilies, sampleOnce } from "./resources/index.js";
 * const collectors = createCollectors({ dataDir: "data" });
 * const snapshot = await sampleOnce(collectors, Date.now());
 * window.addSnapshot(snapshot);
 * const families = resourceMetricFamilies(snapshot.results.flatMap((r) => r.samples));
 * ```
 *
 * @module
 */
export {
  CacheCollector,
  type CacheCollectorOptions,
  CacheRegistry,
  type CacheSource,
  cacheMetrics,
} from "./cache.js";
export { createCollectors, type ResourceCollectorsOptions } from "./collectors.js";
export { CpuCollector, cpuMetrics } from "./cpu.js";
export { DiskCollector, type DiskCollectorOptions, diskMetrics } from "./disk.js";
export { type ResourceMetricFamily, resourceMetricFamilies, seriesKey } from "./exposition.js";
export { defaultGpuTimeoutMs, GpuCollector, type GpuCollectorOptions } from "./gpu.js";
export {
  defaultProbeTimeoutMs,
  LatencyCollector,
  type LatencyCollectorOptions,
  latencyMetrics,
  probeLabel,
  probeTargetProblem,
} from "./latency.js";
export { MemoryCollector, memoryMetrics } from "./memory.js";
export { type MetricDefinition, sampleOf } from "./metric-definition.js";
export { NetworkCollector, networkMetrics } from "./network.js";
export {
  type GpuReading,
  gpuMetrics,
  gpuQueryFields,
  gpuSamples,
  isMissingCell,
  type NvidiaSmiRow,
  numericCell,
  nvidiaSmiArgs,
  parseGpuReadings,
  parseNvidiaSmiCsv,
} from "./nvidia-smi.js";
export {
  type CollectError,
  type Collector,
  type CollectorName,
  type CollectResult,
  type CollectStatus,
  collectorNames,
  collectResult,
  errorMessage,
  type ResourceSample,
} from "./port.js";
export type { ProcOptions } from "./proc-source.js";
export {
  type CoreTimes,
  type CpuMode,
  cpuModes,
  type DiskStats,
  type InterfaceStats,
  ignoredDisk,
  type MountEntry,
  mountOf,
  parseDiskstats,
  parseLoadavg,
  parseMeminfo,
  parseMounts,
  parseNetDev,
  parseProcStat,
  USER_HZ,
} from "./procfs.js";
export { type ResourceSnapshot, sampleOnce } from "./sampler.js";
export {
  type CounterStats,
  type GaugeStats,
  type ResourceSummary,
  ResourceWindow,
  type ResourceWindowJson,
} from "./window.js";
