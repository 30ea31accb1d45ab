import type { Settings } from "../config/settings.js";
import type { DriftReport, Severity } from "../drift/index.js";
import type { WindowState } from "./window-state.js";

/** One rule's outcome for one window: what the alerting layer routes. */
export interface WindowVerdict {
  readonly rule: "quality" | "latency" | "drift";
  /** e.g. "accuracy", "mae", "latency_p99", "drift". */
  readonly metric: string;
  readonly value: number | null;
  readonly threshold: number;
  /** `insufficient_data` below `monitor.min_samples` (labels for quality, events otherwise). */
  readonly status: "ok" | "breach" | "insufficient_data";
  readonly severity: Severity;
  readonly samples: number;
}

/**
 * The verdicts of a window against its model's settings. Severities before any alerting
 * configuration: a quality breach is *critical*; latency over its threshold is a *warning* and over
 * twice the threshold *critical*; drift takes the drift engine's severity. A window with fewer
 * samples than `monitor.min_samples` gets `insufficient_data` and severity ok, so three events
 * never page anyone.
 *
 * @example
 * ```ts
 * windowVerdicts(window, drift, resolveModelConfig(config, "bike"));
 * ```
 */
export function windowVerdicts(
  window: WindowState,
  drift: DriftReport | null,
  settings: Settings,
): WindowVerdict[] {
  const summary = window.summary();
  const min = settings.monitor.min_samples;
  const verdicts: WindowVerdict[] = [];
  const quality = settings.metrics.quality;
  const value = qualityValue(summary.quality, quality.metric);
  const qualityBreach =
    value !== null && (quality.direction === "below" ? value < quality.threshold : value > quality.threshold);
  verdicts.push({
    rule: "quality",
    metric: quality.metric,
    value,
    threshold: quality.threshold,
    samples: summary.labels,
    ...(summary.labels < min || value === null
      ? { status: "insufficient_data", severity: "ok" }
      : { status: qualityBreach ? "breach" : "ok", severity: qualityBreach ? "critical" : "ok" }),
  });
  const latency = settings.metrics.latency;
  const observed = window.latencyQuantile(latency.percentile / 100);
  verdicts.push({
    rule: "latency",
    metric: `latency_p${latency.percentile}`,
    value: observed,
    threshold: latency.threshold,
    samples: summary.latency.count,
    ...(summary.latency.count < min || observed === null
      ? { status: "insufficient_data", severity: "ok" }
      : observed > latency.threshold
        ? { status: "breach", severity: observed > 2 * latency.threshold ? "critical" : "warning" }
        : { status: "ok", severity: "ok" }),
  });
  if (drift !== null)
    verdicts.push({
      rule: "drift",
      metric: "drift",
      value: drift.drifted_columns,
      threshold: 0,
      samples: summary.events,
      ...(summary.events < min
        ? { status: "insufficient_data", severity: "ok" }
        : { status: drift.severity === "ok" ? "ok" : "breach", severity: drift.severity }),
    });
  return verdicts;
}

function qualityValue(quality: Record<string, unknown>, metric: string): number | null {
  const pick = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);
  switch (metric) {
    case "f1_macro":
      return pick((quality.macro as { f1?: unknown } | undefined)?.f1);
    case "roc_auc":
      return pick(quality.rocAuc);
    case "log_loss":
      return pick(quality.logLoss);
    default:
      return pick(quality[metric]);
  }
}
