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
import { cpuModes, parseLoadavg, parseProcStat } from "./procfs.js";

/**
 * node_exporter's CPU metrics.
 *
 * @example
 * ```ts
 * cpuMetrics.seconds.metric; // "node_cpu_seconds_total"
 * ```
 */
export const cpuMetrics = {
  seconds: {
    metric: "node_cpu_seconds_total",
    type: "counter",
    help: "Seconds the CPUs spent in each mode.",
  },
  load1: { metric: "node_load1", type: "gauge", help: "1m load average." },
  load5: { metric: "node_load5", type: "gauge", help: "5m load average." },
  load15: { metric: "node_load15", type: "gauge", help: "15m load average." },
} as const satisfies Record<string, MetricDefinition>;

/**
 * CPU time per core and mode from `/proc/stat` (jiffies ÷ {@link USER_HZ} = seconds) and the load
 * averages from `/proc/loadavg`. It reports counters only, as node_exporter does: utilisation is a
 * rate, derived between two samples by the window aggregation (`cpuUtilisation`), so a scrape
 * interval never changes what a reading means.
 *
 * @example
 * ```ts
 * const { samples } = await new CpuCollector().collect();
 * ```
 */
export class CpuCollector implements Collector {
  readonly name = "cpu";
  private readonly procPath: string;

  constructor(options: ProcOptions = {}) {
    this.procPath = options.procPath ?? "/proc";
  }

  async collect(): Promise<CollectResult> {
    const samples: ResourceSample[] = [];
    const errors: CollectError[] = [];
    const [stat, loadavg] = await Promise.allSettled([
      readProc(this.procPath, "stat"),
      readProc(this.procPath, "loadavg"),
    ]);
    if (stat.status === "fulfilled") {
      const cores = parseProcStat(stat.value);
      if (cores.length === 0) errors.push({ source: "/proc/stat", message: "no cpuN lines" });
      for (const core of cores) {
        for (const mode of cpuModes) {
          samples.push(sampleOf(cpuMetrics.seconds, core.seconds[mode], { cpu: core.cpu, mode }));
        }
      }
    } else {
      errors.push({ source: "/proc/stat", message: errorMessage(stat.reason) });
    }
    try {
      if (loadavg.status === "rejected") throw loadavg.reason;
      const load = parseLoadavg(loadavg.value);
      samples.push(
        sampleOf(cpuMetrics.load1, load.load1),
        sampleOf(cpuMetrics.load5, load.load5),
        sampleOf(cpuMetrics.load15, load.load15),
      );
    } catch (error) {
      errors.push({ source: "/proc/loadavg", message: errorMessage(error) });
    }
    return collectResult(this.name, samples, errors);
  }
}
