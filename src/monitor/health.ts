import { type Severity, severityRank } from "../drift/index.js";

/** A model's health: a severity, or `no_data` when nothing recent was seen. */
export type HealthStatus = Severity | "no_data";

/** Why a model has its status: one rule, its value and threshold. */
export interface HealthReason {
  /** What produced it: a verdict rule (`quality`, `latency`, `drift`, later `bias`, `resources`…), an alert, or `no_data`. */
  readonly source: string;
  readonly severity: Severity;
  /** e.g. "mae 91.2 > 60 in the window of 2012-11-05". */
  readonly message: string;
  readonly value?: number | null;
  readonly threshold?: number;
}

/** The input of {@link modelHealth}: the newest final window's verdicts and the alerts firing now. */
export interface HealthInput {
  /** Start of the newest window of the model (any version), or null without windows. */
  readonly newestWindowMs: number | null;
  readonly windowMs: number;
  /** The clock of the model (event time in replays, the wall clock live). */
  readonly now: number;
  /** Verdicts of the newest final window (breaches only matter). */
  readonly verdicts: ReadonlyArray<{
    readonly rule: string;
    readonly metric: string;
    readonly value: number | null;
    readonly threshold: number;
    readonly status: string;
    readonly severity: Severity;
  }>;
  readonly windowLabel: string;
  /** Active (not silenced) firing alerts of the model. */
  readonly alerts: ReadonlyArray<{
    readonly alertname: string;
    readonly severity: string;
    readonly summary: string;
  }>;
}

/** A model's health with every reason, worst first. */
export interface ModelHealth {
  readonly status: HealthStatus;
  readonly reasons: HealthReason[];
}

/** Windows without any event after which a model counts as silent. */
const SILENT_WINDOWS = 2;

const asSeverity = (value: string): Severity =>
  value === "emergency" || value === "critical" || value === "warning" ? value : "warning";

/**
 * A model's health from its newest final window and its firing alerts: the worst severity among the
 * window's breached verdicts and the active alerts, each listed as a reason. `no_data` when the model
 * has no window, or none in the last two window lengths of its clock — a silent model is not a healthy
 * one. Later signals (bias, attribution drift, resources) join as more reasons of the same shape.
 *
 * @example
 * ```ts
 * modelHealth({ newestWindowMs, windowMs, now, verdicts, windowLabel: "2012-11-05", alerts: [] }).status;
 * ```
 */
export function modelHealth(input: HealthInput): ModelHealth {
  if (
    input.newestWindowMs === null ||
    input.now - input.newestWindowMs > (SILENT_WINDOWS + 1) * input.windowMs
  )
    return {
      status: "no_data",
      reasons: [
        {
          source: "no_data",
          severity: "warning",
          message:
            input.newestWindowMs === null
              ? "no window yet: nothing has been ingested"
              : `no events since the window of ${new Date(input.newestWindowMs).toISOString()}`,
        },
      ],
    };
  const reasons: HealthReason[] = [];
  for (const v of input.verdicts) {
    if (v.status !== "breach" || v.severity === "ok") continue;
    reasons.push({
      source: v.rule,
      severity: v.severity,
      message:
        v.rule === "drift"
          ? `${v.metric}: ${v.severity} drift in ${formatValue(v.value)} column${v.value === 1 ? "" : "s"} in the window of ${input.windowLabel}`
          : `${v.metric} ${formatValue(v.value)} against ${formatValue(v.threshold)} in the window of ${input.windowLabel}`,
      value: v.value,
      threshold: v.threshold,
    });
  }
  for (const a of input.alerts)
    reasons.push({
      source: `alert:${a.alertname}`,
      severity: asSeverity(a.severity),
      message: a.summary === "" ? `${a.alertname} is firing` : a.summary,
    });
  reasons.sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
  return { status: reasons[0]?.severity ?? "ok", reasons };
}

function formatValue(value: number | null): string {
  if (value === null) return "—";
  return Number.isInteger(value) ? String(value) : value.toPrecision(4);
}
