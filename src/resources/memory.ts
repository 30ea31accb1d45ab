import { memoryUsage } from "node:process";
import { type MetricDefinition, sampleOf } from "./metric-definition.js";
import {
  type CollectError,
  type Collector,
  type CollectResult,
  collectResult,
  errorMessage,
  type ResourceSample,
} from "./port.js";
import { type ProcOptions, readProc } from "./proc-source.js";
import { parseMeminfo } from "./procfs.js";

const meminfo = (field: string, help: string): MetricDefinition => ({
  metric: `node_memory_${field}_bytes`,
  type: "gauge",
  help,
});

/**
 * The memory metrics: node_exporter's `/proc/meminfo` fields (the page cache, `Cached` and
 * `Buffers`, belongs to the cache collector so that no series is reported twice) and the process
 * metrics the official Prometheus clients expose.
 *
 * @example
 * ```ts
 * memoryMetrics.available.metric; // "node_memory_MemAvailable_bytes"
 * ```
 */
export const memoryMetrics = {
  total: meminfo("MemTotal", "Memory information field MemTotal_bytes."),
  free: meminfo("MemFree", "Memory information field MemFree_bytes."),
  available: meminfo("MemAvailable", "Memory information field MemAvailable_bytes."),
  swapTotal: meminfo("SwapTotal", "Memory information field SwapTotal_bytes."),
  swapFree: meminfo("SwapFree", "Memory information field SwapFree_bytes."),
  resident: {
    metric: "process_resident_memory_bytes",
    type: "gauge",
    help: "Resident memory size in bytes.",
  },
  heapUsed: {
    metric: "nodejs_heap_size_used_bytes",
    type: "gauge",
    help: "Process heap size used from Node.js in bytes.",
  },
  heapTotal: {
    metric: "nodejs_heap_size_total_bytes",
    type: "gauge",
    help: "Process heap size from Node.js in bytes.",
  },
  external: {
    metric: "nodejs_external_memory_bytes",
    type: "gauge",
    help: "Node.js external memory size in bytes.",
  },
} as const satisfies Record<string, MetricDefinition>;

const meminfoFields = [
  ["MemTotal", memoryMetrics.total],
  ["MemFree", memoryMetrics.free],
  ["MemAvailable", memoryMetrics.available],
  ["SwapTotal", memoryMetrics.swapTotal],
  ["SwapFree", memoryMetrics.swapFree],
] as const;

/**
 * Machine memory from `/proc/meminfo` and this process's resident set and V8 heap. The process
 * part comes from Node itself, so it is reported even where procfs cannot be read.
 *
 * @example
 * ```ts
 * const { samples } = await new MemoryCollector().collect();
 * ```
 */
export class MemoryCollector implements Collector {
  readonly name = "memory";
  private readonly procPath: string;

  constructor(options: ProcOptions = {}) {
    this.procPath = options.procPath ?? "/proc";
  }

  async collect(): Promise<CollectResult> {
    const samples: ResourceSample[] = [];
    const errors: CollectError[] = [];
    try {
      const fields = parseMeminfo(await readProc(this.procPath, "meminfo"));
      for (const [field, definition] of meminfoFields) {
        const value = fields.get(field);
        // MemAvailable needs Linux 3.14; an older kernel simply lacks it, which is not an error.
        if (value !== undefined) samples.push(sampleOf(definition, value));
      }
      if (!fields.has("MemTotal")) errors.push({ source: "/proc/meminfo", message: "no MemTotal field" });
    } catch (error) {
      errors.push({ source: "/proc/meminfo", message: errorMessage(error) });
    }
    const usage = memoryUsage();
    samples.push(
      sampleOf(memoryMetrics.resident, usage.rss),
      sampleOf(memoryMetrics.heapUsed, usage.heapUsed),
      sampleOf(memoryMetrics.heapTotal, usage.heapTotal),
      sampleOf(memoryMetrics.external, usage.external),
    );
    return collectResult(this.name, samples, errors);
  }
}
