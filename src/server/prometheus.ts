import { memoryUsage, resourceUsage } from "node:process";
import type { QualityMetric } from "../config/index.js";

/**
 * One sample of a counter or a gauge.
 *
 * @example
 * ```ts
 * const sample: Sample = { labels: { model: "churn" }, value: 3 };
 * ```
 */
export interface Sample {
  readonly labels?: Readonly<Record<string, string>>;
  readonly value: number;
}

/**
 * One summary series: its quantiles (possibly none), and the sum and count of the observations.
 * Rendered as `name{…,quantile="0.5"}`, `name_sum{…}` and `name_count{…}`.
 *
 * @example
 * ```ts
 * const sample: SummarySample = {
 *   labels: { channel: "hook" },
 *   quantiles: [{ quantile: 0.99, value: 0.25 }],
 *   sum: 1.5,
 *   count: 12,
 * };
 * ```
 */
export interface SummarySample {
  readonly labels?: Readonly<Record<string, string>>;
  readonly quantiles: ReadonlyArray<{ readonly quantile: number; readonly value: number }>;
  readonly sum: number;
  readonly count: number;
}

/**
 * One metric family in the Prometheus text exposition format (0.0.4): counters and gauges carry one
 * value per series, summaries quantiles with `_sum` and `_count`.
 *
 * @example
 * ```ts
 * const family: MetricFamily = { name: "tiktoktoe_ingested_events_total", help: "…", type: "counter", samples: [{ value: 3 }] };
 * ```
 */
export type MetricFamily =
  | {
      readonly name: string;
      readonly help: string;
      readonly type: "counter" | "gauge";
      readonly samples: readonly Sample[];
    }
  | {
      readonly name: string;
      readonly help: string;
      readonly type: "summary";
      readonly samples: readonly SummarySample[];
    };

/**
 * Renders metric families in the text exposition format: `# HELP`, `# TYPE` once per family, then
 * one line per sample with escaped label values; a summary series as its quantile lines, `_sum`
 * and `_count`.
 *
 * @throws TypeError when a summary series carries its own `quantile` label (the format reserves it)
 *
 * @example
 * ```ts
 * renderExposition([{ name: "tiktoktoe_events_total", help: "…", type: "counter", samples: [{ value: 3 }] }]);
 * renderExposition([
 *   { name: "rpc_seconds", help: "…", type: "summary", samples: [{ quantiles: [{ quantile: 0.5, value: 0.01 }], sum: 2, count: 100 }] },
 * ]); // rpc_seconds{quantile="0.5"} 0.01, rpc_seconds_sum 2, rpc_seconds_count 100
 * ```
 */
export function renderExposition(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${family.help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}`);
    lines.push(`# TYPE ${family.name} ${family.type}`);
    if (family.type !== "summary") {
      for (const sample of family.samples) lines.push(line(family.name, sample.labels, sample.value));
      continue;
    }
    for (const sample of family.samples) {
      if (sample.labels?.quantile !== undefined)
        throw new TypeError(`${family.name}: a summary's own labels cannot include "quantile"`);
      for (const { quantile, value } of sample.quantiles)
        lines.push(line(family.name, { ...sample.labels, quantile: formatValue(quantile) }, value));
      lines.push(line(`${family.name}_sum`, sample.labels, sample.sum));
      lines.push(line(`${family.name}_count`, sample.labels, sample.count));
    }
  }
  return `${lines.join("\n")}\n`;
}

function line(name: string, labels: Readonly<Record<string, string>> | undefined, value: number): string {
  const entries = Object.entries(labels ?? {});
  const text =
    entries.length === 0
      ? ""
      : `{${entries.map(([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"')}"`).join(",")}}`;
  return `${name}${text} ${formatValue(value)}`;
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

/**
 * The metric name of each quality metric on /metrics: one name per quantity (Prometheus does not
 * mix quantities under a label), with `_ratio` where the value is a fraction of 1 (accuracy, MAPE).
 * MAE and RMSE are in the target's own unit, which the server does not know, so they carry no unit
 * suffix; F1, ROC AUC, log loss (in nats) and R² have no unit.
 *
 * @example
 * ```ts
 * qualityMetricSeries.mae.name; // "tiktoktoe_model_mae"
 * ```
 */
export const qualityMetricSeries: Readonly<
  Record<QualityMetric, { readonly name: string; readonly help: string }>
> = {
  accuracy: {
    name: "tiktoktoe_model_accuracy_ratio",
    help: "Accuracy of the newest window: the share of labelled events whose prediction was right.",
  },
  f1_macro: {
    name: "tiktoktoe_model_f1_macro",
    help: "Macro-averaged F1 score of the newest window (0 to 1).",
  },
  roc_auc: {
    name: "tiktoktoe_model_roc_auc",
    help: "Area under the ROC curve of the newest window (0 to 1).",
  },
  log_loss: {
    name: "tiktoktoe_model_log_loss",
    help: "Mean log loss (natural logarithm) of the newest window's scored events.",
  },
  mae: {
    name: "tiktoktoe_model_mae",
    help: "Mean absolute error of the newest window, in the target's unit.",
  },
  rmse: {
    name: "tiktoktoe_model_rmse",
    help: "Root mean squared error of the newest window, in the target's unit.",
  },
  r2: {
    name: "tiktoktoe_model_r2",
    help: "Coefficient of determination (R²) of the newest window (at most 1).",
  },
  mape: {
    name: "tiktoktoe_model_mape_ratio",
    help: "Mean absolute percentage error of the newest window, as a fraction (0.1 is 10%).",
  },
};
