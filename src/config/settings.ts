/**
 * The effective settings of one model, after defaults, the file's top-level sections and the model's
 * override are layered. Field names are the file's keys (snake_case), so a problem's path and the
 * property a program reads are the same words and there is no mapping layer to drift out of step.
 */
import { type DriftMethod, defaultDriftOptions } from "../drift/options.js";
import type { KsMode } from "../stats/ks.js";
import type { Correction } from "../stats/multiple-testing.js";

/** One hour in milliseconds: the seed's window, lateness and reporting frequency. */
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * The quality metrics a threshold can watch. Classification: accuracy, macro-averaged F1, ROC AUC,
 * log loss; regression: mean absolute error, root mean squared error, R², mean absolute percentage
 * error (as a fraction, as scikit-learn's `mean_absolute_percentage_error`: 0.1 is 10%).
 *
 * @example
 * ```ts
 * const metric: QualityMetric = "mae";
 * ```
 */
export type QualityMetric = "accuracy" | "f1_macro" | "roc_auc" | "log_loss" | "mae" | "rmse" | "r2" | "mape";

/**
 * Whether a model predicts classes or numbers; follows from the quality metric.
 *
 * @example
 * ```ts
 * const kind: ModelKind = qualityMetricInfo.rmse.kind; // "regression"
 * ```
 */
export type ModelKind = "classification" | "regression";

/**
 * Which side of the threshold is bad: `below` for metrics where higher is better (accuracy: alert
 * when it falls below 0.95), `above` for errors (MAE: alert when it rises above the threshold).
 *
 * @example
 * ```ts
 * const direction: AlertDirection = qualityMetricInfo.log_loss.direction; // "above"
 * ```
 */
export type AlertDirection = "below" | "above";

/**
 * What a quality metric is and which thresholds make sense for it.
 *
 * @example
 * ```ts
 * const { min, max }: QualityMetricInfo = qualityMetricInfo.r2; // -Infinity, 1
 * ```
 */
export interface QualityMetricInfo {
  readonly kind: ModelKind;
  readonly direction: AlertDirection;
  /** Smallest meaningful threshold (inclusive). */
  readonly min: number;
  /** Largest meaningful threshold (inclusive). */
  readonly max: number;
}

/**
 * Every quality metric with its kind, its alert direction and the range its values live in (a
 * threshold outside that range could never fire, or would always fire).
 *
 * @example
 * ```ts
 * qualityMetricInfo.accuracy; // { kind: "classification", direction: "below", min: 0, max: 1 }
 * ```
 */
export const qualityMetricInfo: Readonly<Record<QualityMetric, QualityMetricInfo>> = {
  accuracy: { kind: "classification", direction: "below", min: 0, max: 1 },
  f1_macro: { kind: "classification", direction: "below", min: 0, max: 1 },
  roc_auc: { kind: "classification", direction: "below", min: 0, max: 1 },
  log_loss: { kind: "classification", direction: "above", min: 0, max: Number.POSITIVE_INFINITY },
  mae: { kind: "regression", direction: "above", min: 0, max: Number.POSITIVE_INFINITY },
  rmse: { kind: "regression", direction: "above", min: 0, max: Number.POSITIVE_INFINITY },
  r2: { kind: "regression", direction: "below", min: Number.NEGATIVE_INFINITY, max: 1 },
  mape: { kind: "regression", direction: "above", min: 0, max: Number.POSITIVE_INFINITY },
};

/**
 * The quality metrics, in the order the documentation lists them.
 *
 * @example
 * ```ts
 * qualityMetrics.includes("rmse"); // true
 * ```
 */
export const qualityMetrics = Object.keys(qualityMetricInfo) as readonly QualityMetric[];

/**
 * How periodic health reports are delivered: shown on the dashboard, or written as a file.
 *
 * @example
 * ```ts
 * const format: ReportingFormat = "markdown";
 * ```
 */
export type ReportingFormat = "dashboard" | "html" | "markdown" | "json";

/**
 * The reporting formats, in the order the documentation lists them.
 *
 * @example
 * ```ts
 * reportingFormats[0]; // "dashboard"
 * ```
 */
export const reportingFormats: readonly ReportingFormat[] = ["dashboard", "html", "markdown", "json"];

/**
 * `monitor:` — how events are grouped in time. Durations are milliseconds.
 *
 * @example
 * ```ts
 * const { window, lateness, min_samples }: MonitorSettings = resolveModelConfig(config, "bike").monitor;
 * ```
 */
export interface MonitorSettings {
  /** Length of the tumbling event-time windows every verdict is computed over (1h). */
  readonly window: number;
  /** How long after a window closes late events and labels are still accepted into it (1h). */
  readonly lateness: number;
  /** No verdict from a window with fewer events (labelled events, for quality metrics) than this (30). */
  readonly min_samples: number;
  /**
   * With `--clock event`: how far ahead of the model's newest event time an event may be (7d; at
   * least two windows plus the lateness), so one mistyped time cannot move the clock for good.
   */
  readonly max_clock_jump: number;
}

/**
 * `metrics.quality:` (the seed's `metrics.accuracy:`) — the model-quality threshold.
 *
 * @example
 * ```ts
 * const quality: QualitySettings = resolveModelConfig(config, "bike").metrics.quality;
 * const alert = quality.direction === "below" ? value < quality.threshold : value > quality.threshold;
 * ```
 */
export interface QualitySettings {
  readonly metric: QualityMetric;
  /** Follows from the metric. */
  readonly type: ModelKind;
  /** The alert fires when the metric crosses this value on its bad side (0.95 for accuracy). */
  readonly threshold: number;
  /** Follows from the metric: `below` when higher is better. */
  readonly direction: AlertDirection;
  /** Event-time span the metric is computed over; a whole multiple of `monitor.window` (default: equal to it). */
  readonly window: number;
}

/**
 * `metrics.latency:` — the prediction-latency threshold.
 *
 * @example
 * ```ts
 * const { threshold, percentile }: LatencySettings = defaultSettings.metrics.latency; // 100 ms, p99
 * ```
 */
export interface LatencySettings {
  /** Alert when the percentile exceeds this many milliseconds (100). */
  readonly threshold: number;
  /** Which latency percentile, in (0, 100] (99). */
  readonly percentile: number;
}

/**
 * `metrics.drift:` — the drift decision; {@link toDriftOptions} turns it into the engine's options.
 *
 * @example
 * ```ts
 * const drift: DriftSettings = resolveModelConfig(config, "bike").metrics.drift;
 * console.log(drift.significance, drift.correction);
 * ```
 */
export interface DriftSettings {
  /** `auto` is the seed's `ks_test`: KS significance gated by the Wasserstein effect size. */
  readonly method: DriftMethod;
  /** Family-wise significance level α before correction (0.05). */
  readonly significance: number;
  readonly correction: Correction;
  /** How KS p-values are computed: `auto` is scipy's rule (exact up to 10,000 values per side). */
  readonly ks_mode: KsMode;
  /** A window is an emergency when more than this share of the features is critical (0.5). */
  readonly emergency_share: number;
  /** A numeric feature with at most this many distinct reference values is treated as categorical (5). */
  readonly categorical_max_distinct: number;
  readonly wasserstein: {
    /** Normalised Wasserstein distance at or above which a significant numeric column is critical (0.1). */
    readonly threshold: number;
    /** Always true: distances are divided by the reference's standard deviation. */
    readonly normalize: true;
  };
  readonly jensenshannon: {
    /** Jensen–Shannon distance (natural log) at or above which a categorical column is critical (0.1). */
    readonly threshold: number;
  };
  readonly psi: {
    /** PSI at or above which a column is a warning (0.1) … */
    readonly warning: number;
    /** … and critical (0.25). */
    readonly critical: number;
  };
}

/**
 * `metrics:` — what is watched, each with its threshold.
 *
 * @example
 * ```ts
 * const { quality, latency, drift }: MetricsSettings = defaultSettings.metrics;
 * ```
 */
export interface MetricsSettings {
  readonly quality: QualitySettings;
  readonly latency: LatencySettings;
  readonly drift: DriftSettings;
}

/**
 * `reporting:` — periodic health reports. Durations are milliseconds.
 *
 * @example
 * ```ts
 * const { frequency, retention }: ReportingSettings = defaultSettings.reporting; // 1h, 30d in ms
 * ```
 */
export interface ReportingSettings {
  /** How often a health report is written (1h). */
  readonly frequency: number;
  readonly format: ReportingFormat;
  /** Reports older than this are deleted (30d). */
  readonly retention: number;
}

/**
 * Everything one model is monitored with. New sections (the alerting issue's `alerting:`) are added
 * here, to {@link defaultSettings} and to the schema's section list.
 *
 * @example
 * ```ts
 * const settings: Settings = resolveModelConfig(config, "bike");
 * if (settings.metrics.quality.direction === "above") console.log("lower is better");
 * ```
 */
export interface Settings {
  readonly monitor: MonitorSettings;
  readonly metrics: MetricsSettings;
  readonly reporting: ReportingSettings;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/**
 * The settings of an empty configuration file: the seed's numbers (accuracy below 0.95 over 1h,
 * latency p99 above 100 ms, KS at α = 0.05 with Bonferroni, normalised Wasserstein 0.1, hourly reports
 * kept 30 days). The drift values are read from the engine's own defaults, so the two cannot disagree.
 * Frozen: layering copies, it never writes.
 *
 * @example
 * ```ts
 * defaultSettings.monitor.window; // 3_600_000
 * defaultSettings.metrics.drift.significance; // 0.05
 * ```
 */
export const defaultSettings: Settings = deepFreeze({
  monitor: { window: HOUR, lateness: HOUR, min_samples: 30, max_clock_jump: 7 * 24 * HOUR },
  metrics: {
    quality: {
      metric: "accuracy",
      type: "classification",
      threshold: 0.95,
      direction: "below",
      window: HOUR,
    },
    latency: { threshold: 100, percentile: 99 },
    drift: {
      method: defaultDriftOptions.method,
      significance: defaultDriftOptions.alpha,
      correction: defaultDriftOptions.correction,
      ks_mode: defaultDriftOptions.ksMode,
      emergency_share: defaultDriftOptions.emergencyShare,
      categorical_max_distinct: defaultDriftOptions.categoricalMaxDistinct,
      wasserstein: { threshold: defaultDriftOptions.wassersteinThreshold, normalize: true },
      jensenshannon: { threshold: defaultDriftOptions.jensenShannonThreshold },
      psi: { warning: defaultDriftOptions.psiWarning, critical: defaultDriftOptions.psiCritical },
    },
  },
  reporting: { frequency: HOUR, format: "dashboard", retention: 30 * DAY },
});
