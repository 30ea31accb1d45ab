import { memoryUsage, resourceUsage } from "node:process";

/** One metric family in the Prometheus text exposition format (0.0.4). */
export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: "counter" | "gauge";
  readonly samples: ReadonlyArray<{
    readonly labels?: Readonly<Record<string, string>>;
    readonly value: number;
  }>;
}

/**
 * Renders metric families in the text exposition format: `# HELP`, `# TYPE`, then one line per
 * sample with escaped label values.
 *
 * @example
 * ```ts
 * renderExposition([{ name: "tiktoktoe_events_total", help: "…", type: "counter", samples: [{ value: 3 }] }]);
 * ```
 */
export function renderExposition(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${family.help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}`);
    lines.push(`# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples) {
      const labels = Object.entries(sample.labels ?? {});
      const text =
        labels.length === 0
          ? ""
          : `{${labels.map(([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"')}"`).join(",")}}`;
      lines.push(`${family.name}${text} ${formatValue(sample.value)}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}

/**
 * The process metrics every Prometheus client exposes (names as the official clients use them).
 *
 * @example
 * ```ts
 * renderExposition([...processMetrics(startSeconds)]);
 * ```
 */
export function processMetrics(startTimeSeconds: number): MetricFamily[] {
  const usage = resourceUsage();
  const memory = memoryUsage();
  return [
    {
      name: "process_cpu_seconds_total",
      help: "Total user and system CPU time spent in seconds.",
      type: "counter",
      samples: [{ value: (usage.userCPUTime + usage.systemCPUTime) / 1e6 }],
    },
    {
      name: "process_resident_memory_bytes",
      help: "Resident memory size in bytes.",
      type: "gauge",
      samples: [{ value: memory.rss }],
    },
    {
      name: "process_start_time_seconds",
      help: "Start time of the process since unix epoch in seconds.",
      type: "gauge",
      samples: [{ value: startTimeSeconds }],
    },
    {
      name: "nodejs_heap_size_used_bytes",
      help: "Process heap size used from Node.js in bytes.",
      type: "gauge",
      samples: [{ value: memory.heapUsed }],
    },
  ];
}
