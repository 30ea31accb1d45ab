import type { Settings } from "../config/settings.js";
import type { DriftReport, Severity } from "../drift/index.js";
import type { WindowState } from "./window-state.js";

/** One rule's outcome for one window: what the alerting layer routes. */
export interface WindowVerdict {
  readonly rule: "quality" | "latency" | "drift" | "bias" | "estimated" | "attribution";
  /** e.g. "accuracy", "mae", "latency_p99", "drift", "impact_ratio:sex", "accuracy_estimated". */
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
  verdicts.push(...biasVerdicts(window, summary.events, min));
  const estimated = estimatedVerdict(window, summary.labels, min, quality);
  if (estimated !== null) verdicts.push(estimated);
  return verdicts;
}

/**
 * One verdict per sensitive attribute: the smallest impact ratio (a group's selection rate over the
 * privileged group's) against the four-fifths threshold. Below it is a *warning*; below it with the
 * whole confidence interval below it too (not chance at this sample size) is *critical*.
 */
function biasVerdicts(window: WindowState, events: number, min: number): WindowVerdict[] {
  const report = window.fairnessReport();
  if (report === null) return [];
  const threshold = report.impactRatioThreshold;
  return report.attributes.map((attribute) => {
    let worst = null as { value: number; upper: number | null } | null;
    for (const r of attribute.impactRatios)
      if (r.value !== null && (worst === null || r.value < worst.value))
        worst = { value: r.value, upper: r.interval?.upper ?? null };
    const base = {
      rule: "bias" as const,
      metric: `impact_ratio:${attribute.attribute}`,
      threshold,
      samples: events,
    };
    if (worst === null || events < min || attribute.fourFifthsRule === "insufficient-data")
      return {
        ...base,
        value: worst?.value ?? null,
        status: "insufficient_data" as const,
        severity: "ok" as const,
      };
    if (worst.value >= threshold)
      return { ...base, value: worst.value, status: "ok" as const, severity: "ok" as const };
    const certain = worst.upper !== null && worst.upper < threshold;
    return {
      ...base,
      value: worst.value,
      status: "breach" as const,
      severity: certain ? "critical" : "warning",
    };
  });
}

/**
 * While labels are late: the accuracy CBPE expects from the window's calibrated scores, against the
 * quality threshold. Only for accuracy (what CBPE estimates directly) and only while the window has
 * fewer labels than `min_samples`; a breach needs the whole ±3 SE band below the threshold, so the
 * estimate pages only when it is sure, as a *warning* (the realised metric decides once labels come).
 */
function estimatedVerdict(
  window: WindowState,
  labels: number,
  min: number,
  quality: Settings["metrics"]["quality"],
): WindowVerdict | null {
  const estimate = window.estimate();
  if (estimate === null || quality.metric !== "accuracy" || estimate.accuracy === null || labels >= min)
    return null;
  const { accuracy } = estimate;
  const base = {
    rule: "estimated" as const,
    metric: "accuracy_estimated",
    value: accuracy.estimate,
    threshold: quality.threshold,
    samples: estimate.rows,
  };
  if (estimate.rows < min) return { ...base, status: "insufficient_data", severity: "ok" };
  const breach =
    quality.direction === "below" ? accuracy.upper < quality.threshold : accuracy.lower > quality.threshold;
  return { ...base, status: breach ? "breach" : "ok", severity: breach ? "warning" : "ok" };
}

/**
 * The configured quality metric's value in an accumulator's result (`f1_macro`, `roc_auc`, `log_loss`
 * live under other keys), or null when it is missing or not finite.
 *
 * @example
 * ```ts
 * qualityValue(new RegressionAccumulator().result() as never, "mae"); // null: no label yet
 * ```
 */
export function qualityValue(quality: Record<string, unknown>, metric: string): number | null {
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
