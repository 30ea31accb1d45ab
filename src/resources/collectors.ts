import { CacheCollector, type CacheRegistry } from "./cache.js";
import { CpuCollector } from "./cpu.js";
import { DiskCollector } from "./disk.js";
import { GpuCollector, type GpuCollectorOptions } from "./gpu.js";
import { LatencyCollector } from "./latency.js";
import { MemoryCollector } from "./memory.js";
import { NetworkCollector } from "./network.js";
import type { Collector } from "./port.js";

/**
 * The settings the server passes when it builds its collectors.
 *
 * @example
 * ```ts
 * const options: ResourceCollectorsOptions = { dataDir: "data", probeTargets: ["tcp://127.0.0.1:5432"] };
 * ```
 */
export interface ResourceCollectorsOptions {
  /** The server's data directory: its filesystem is measured beside `/`. */
  readonly dataDir?: string;
  /** Latency probe targets (`http(s)://…`, `tcp://host:port`); none by default. */
  readonly probeTargets?: readonly string[];
  readonly probeTimeoutMs?: number;
  /** The registry the server's caches register with. */
  readonly caches?: CacheRegistry;
  readonly gpu?: GpuCollectorOptions;
  /** Where procfs is mounted; `/proc` by default. */
  readonly procPath?: string;
}

/**
 * One collector of each kind, in {@link collectorNames} order.
 *
 * @example
 * ```ts
 * const collectors = createCollectors({ dataDir: "data", caches });
 * const snapshot = await sampleOnce(collectors, Date.now());
 * ```
 */
export function createCollectors(options: ResourceCollectorsOptions = {}): Collector[] {
  const proc = options.procPath === undefined ? {} : { procPath: options.procPath };
  return [
    new CpuCollector(proc),
    new MemoryCollector(proc),
    new GpuCollector(options.gpu),
    new DiskCollector({ ...proc, ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }) }),
    new CacheCollector({ ...proc, ...(options.caches === undefined ? {} : { registry: options.caches }) }),
    new NetworkCollector(proc),
    new LatencyCollector({
      targets: options.probeTargets ?? [],
      ...(options.probeTimeoutMs === undefined ? {} : { timeoutMs: options.probeTimeoutMs }),
    }),
  ];
}
