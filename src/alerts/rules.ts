/**
 * Alert rules: a closed window's verdicts (src/monitor/verdicts.ts) become alert conditions with
 * labels, annotations, a severity and a `for`. The defaults, every one overridable through
 * {@link RuleOptions} (the configuration's `alerting:` section will map onto it):
 *
 * | rule | alertname | fires when | default severity | default `for` |
 * |---|---|---|---|---|
 * | quality | `ModelQualityLow` | the quality metric is on the wrong side of its threshold | critical | 2 windows |
 * | latency | `ModelLatencyHigh` | the latency percentile is above its threshold (e.g. p99 > 100 ms) | warning; critical above 2 × the threshold | 2 windows |
 * | drift | `ModelDriftDetected` | the drift engine's decision is not ok | the engine's: warning, critical or emergency | 2 windows |
 * | column drift (opt-in) | `ModelFeatureDrift` | one column's drift severity is not ok | the column's | 2 windows |
 * | no data | `ModelNoData` | the last 3 closed windows had no events | warning | 1 window (the 3 windows are the wait) |
 *
 * A verdict of `insufficient_data` (fewer than `monitor.min_samples`) neither fires nor resolves its
 * alert: the rule reports it as `unknown`, and the state machine leaves such alerts as they are.
 */
import type { DriftColumnReport, Severity } from "../drift/index.js";
import { atLeast, severityRank } from "../drift/index.js";
import type { WindowVerdict } from "../monitor/index.js";
import type { Labels } from "./labels.js";
import type { AlertCondition, For } from "./state.js";

/**
 * The alert names of the built-in rules.
 *
 * @example
 * ```ts
 * alertNames.latency; // "ModelLatencyHigh"
 * ```
 */
export const alertNames = {
  quality: "ModelQualityLow",
  latency: "ModelLatencyHigh",
  drift: "ModelDriftDetected",
  columnDrift: "ModelFeatureDrift",
  noData: "ModelNoData",
  bias: "ModelBiasDetected",
  estimated: "ModelQualityEstimatedLow",
  /** Health only: attribution drift is judged after the window closes, from its explanation. */
  attribution: "ModelAttributionDrift",
} as const;

/**
 * Which model, version and window the verdicts are about (times in epoch ms, the window is
 * [start, end)).
 *
 * @example
 * ```ts
 * const window: WindowInfo = { model: "bike", version: "1", start: Date.parse("2012-01-02T00:00:00Z"), end: Date.parse("2012-01-09T00:00:00Z") };
 * ```
 */
export interface WindowInfo {
  readonly model: string;
  readonly version: string;
  readonly start: number;
  readonly end: number;
}

/**
 * Overrides of the default severities and `for`s (see the table at the top of this file). A severity
 * of `ok` turns that case off; `enabled: false` turns the rule off (its alerts then resolve).
 *
 * @example
 * ```ts
 * const options: RuleOptions = {
 *   dashboardUrl: "https://tiktoktoe.example.com",
 *   latency: { severity: "critical", escalationFactor: 3, escalatedSeverity: "emergency" },
 *   drift: { severities: { warning: "ok" } }, // only critical drift alerts
 *   noData: { windows: 6 },
 * };
 * ```
 */
export interface RuleOptions {
  /** Base URL of the dashboard; each alert links to its model and window there. */
  readonly dashboardUrl?: string;
  readonly quality?: { readonly enabled?: boolean; readonly severity?: Severity; readonly for?: For };
  readonly latency?: {
    readonly enabled?: boolean;
    /** Above the threshold. */
    readonly severity?: Severity;
    /** Above `escalationFactor` × the threshold. */
    readonly escalatedSeverity?: Severity;
    readonly escalationFactor?: number;
    readonly for?: For;
  };
  readonly drift?: {
    readonly enabled?: boolean;
    /** The alert's severity for each severity of the drift engine. */
    readonly severities?: Partial<Record<Exclude<Severity, "ok">, Severity>>;
    readonly for?: For;
    /** Also one `ModelFeatureDrift` alert per drifting column (label `column`). Default false. */
    readonly perColumn?: boolean;
  };
  readonly noData?: {
    readonly enabled?: boolean;
    /** How many consecutive closed windows without events. */
    readonly windows?: number;
    readonly severity?: Severity;
  };
}

/**
 * Every default of {@link RuleOptions}, as one object (the documented table).
 *
 * @example
 * ```ts
 * defaultRuleOptions.latency.escalationFactor; // 2
 * ```
 */
export const defaultRuleOptions = {
  quality: { enabled: true, severity: "critical", for: { windows: 2 } },
  latency: {
    enabled: true,
    severity: "warning",
    escalatedSeverity: "critical",
    escalationFactor: 2,
    for: { windows: 2 },
  },
  drift: {
    enabled: true,
    severities: { warning: "warning", critical: "critical", emergency: "emergency" },
    for: { windows: 2 },
    perColumn: false,
  },
  noData: { enabled: true, windows: 3, severity: "warning" },
} as const satisfies {
  quality: { enabled: boolean; severity: Severity; for: For };
  latency: {
    enabled: boolean;
    severity: Severity;
    escalatedSeverity: Severity;
    escalationFactor: number;
    for: For;
  };
  drift: {
    enabled: boolean;
    severities: Record<Exclude<Severity, "ok">, Severity>;
    for: For;
    perColumn: boolean;
  };
  noData: { enabled: boolean; windows: number; severity: Severity };
};

/**
 * What a rule says about an evaluation: the conditions that hold, and the label subsets it could not
 * judge (their alerts must be left as they are). Pass both to the state machine's `evaluate`.
 *
 * @example
 * ```ts
 * const { conditions, unknown } = windowAlertConditions({ window, verdicts });
 * machine.evaluate({ at: window.end, scope: { model: window.model, version: window.version }, conditions, unknown });
 * ```
 */
export interface RuleOutcome {
  readonly conditions: readonly AlertCondition[];
  readonly unknown: readonly Labels[];
}

/**
 * The input of {@link windowAlertConditions}: the window, its verdicts and, for per-column drift and
 * the drift alert's column list, the drift report's columns.
 *
 * @example
 * ```ts
 * const input: WindowRuleInput = { window, verdicts: windowVerdicts(state, drift, settings), driftColumns: drift?.columns };
 * ```
 */
export interface WindowRuleInput {
  readonly window: WindowInfo;
  readonly verdicts: readonly WindowVerdict[];
  readonly driftColumns?: readonly Pick<DriftColumnReport, "column" | "severity">[];
}

/**
 * The alert conditions of one closed window: one per breaching verdict (quality, latency, drift) and,
 * when enabled, one per drifting column. Labels: `alertname`, `model`, `version`, `metric`,
 * `severity` (and `column` per column). Annotations: `summary`, `description`, `value`, `threshold`,
 * `window_start`, `window_end` (RFC 3339) and `dashboard` when a base URL is given.
 *
 * @example
 * ```ts
 * windowAlertConditions({ window, verdicts: [{ rule: "latency", metric: "latency_p99", value: 153, threshold: 100,
 *   status: "breach", severity: "warning", samples: 400 }] }).conditions[0].labels;
 * // { alertname: "ModelLatencyHigh", model: "bike", version: "1", metric: "latency_p99", severity: "warning" }
 * ```
 */
export function windowAlertConditions(input: WindowRuleInput, options: RuleOptions = {}): RuleOutcome {
  const { window, verdicts } = input;
  const conditions: AlertCondition[] = [];
  const unknown: Labels[] = [];
  const identity = { model: window.model, version: window.version };
  const judged = new Set<string>();
  const quality = { ...defaultRuleOptions.quality, ...options.quality };
  const latency = { ...defaultRuleOptions.latency, ...options.latency };
  const drift = {
    ...defaultRuleOptions.drift,
    ...options.drift,
    severities: { ...defaultRuleOptions.drift.severities, ...options.drift?.severities },
  };
  const make = (
    alertname: string,
    metric: string,
    severity: Severity,
    forSpec: For,
    text: Text,
    extra: Labels = {},
  ) =>
    conditions.push({
      labels: { alertname, ...identity, metric, ...extra, severity },
      annotations: annotations(window, text, options.dashboardUrl),
      for: forSpec,
    });

  for (const verdict of verdicts) {
    judged.add(verdict.rule);
    const alertname = alertNames[verdict.rule];
    if (verdict.status === "insufficient_data" || verdict.value === null) {
      unknown.push({ alertname, ...identity });
      if (verdict.rule === "drift") unknown.push({ alertname: alertNames.columnDrift, ...identity });
      continue;
    }
    if (verdict.status !== "breach") continue;
    const value = verdict.value;
    const who = `${window.model} v${window.version}`;
    if (verdict.rule === "quality" && quality.enabled && quality.severity !== "ok") {
      const side = value < verdict.threshold ? "below" : "above";
      make(alertname, verdict.metric, quality.severity, quality.for, {
        summary: `${who}: ${verdict.metric} ${num(value)} ${side} ${num(verdict.threshold)}`,
        description: `The ${verdict.metric} of ${who} was ${num(value)} over ${verdict.samples} labelled events, ${side} its threshold ${num(verdict.threshold)}.`,
        value: num(value),
        threshold: num(verdict.threshold),
      });
    } else if (verdict.rule === "latency" && latency.enabled) {
      const escalated = value > latency.escalationFactor * verdict.threshold;
      const severity = escalated ? latency.escalatedSeverity : latency.severity;
      if (severity === "ok") continue;
      const name = verdict.metric.replace(/^latency_/, "latency ");
      make(alertname, verdict.metric, severity, latency.for, {
        summary: `${who}: ${name} ${num(value)} ms above ${num(verdict.threshold)} ms`,
        description: `The ${name} of ${who} was ${num(value)} ms over ${verdict.samples} events, above its threshold ${num(verdict.threshold)} ms${escalated ? ` by more than ${num(latency.escalationFactor)}×` : ""}.`,
        value: num(value),
        threshold: num(verdict.threshold),
      });
    } else if (verdict.rule === "drift" && drift.enabled && verdict.severity !== "ok") {
      const severity = drift.severities[verdict.severity];
      const columns = (input.driftColumns ?? [])
        .filter((c) => c.severity !== "ok")
        .sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
      const names = columns.map((c) => c.column);
      const where =
        names.length > 0
          ? ` in ${names.slice(0, 3).join(", ")}${names.length > 3 ? ` and ${names.length - 3} more` : ""}`
          : "";
      const listed = columns.map((c) => `${c.column} (${c.severity})`);
      // Mapped to ok: no window-level alert, but per-column alerts below may still be wanted.
      if (severity !== "ok")
        make(alertname, verdict.metric, severity, drift.for, {
          summary: `${who}: ${verdict.severity} drift${where}`,
          description: `The drift engine judged the window ${verdict.severity} against the reference over ${verdict.samples} events; ${num(value)} column${value === 1 ? "" : "s"} critical or worse${listed.length > 0 ? ` (${listed.slice(0, 10).join(", ")}${listed.length > 10 ? `, and ${listed.length - 10} more` : ""})` : ""}.`,
          value: num(value),
          threshold: num(verdict.threshold),
          ...(names.length > 0 ? { columns: names.join(",") } : {}),
        });
    }
    if (verdict.rule === "bias" && verdict.severity !== "ok") {
      const attribute = verdict.metric.replace(/^impact_ratio:/, "");
      make(
        alertname,
        verdict.metric,
        verdict.severity,
        drift.for,
        {
          summary: `${who}: impact ratio of ${attribute} ${num(value)} below ${num(verdict.threshold)} (four-fifths rule)`,
          description: `A group's selection rate over the privileged group's, by ${attribute}, was ${num(value)} over ${verdict.samples} events, below ${num(verdict.threshold)}${verdict.severity === "critical" ? ", with its whole confidence interval below it" : ""}.`,
          value: num(value),
          threshold: num(verdict.threshold),
        },
        { attribute },
      );
    } else if (verdict.rule === "estimated" && verdict.severity !== "ok") {
      make(alertname, verdict.metric, verdict.severity, quality.for, {
        summary: `${who}: estimated accuracy ${num(value)} below ${num(verdict.threshold)} while labels are late`,
        description: `Confidence-based performance estimation (CBPE) from ${verdict.samples} calibrated scores expects an accuracy of ${num(value)}, its band entirely beyond the threshold ${num(verdict.threshold)}; labels will confirm it.`,
        value: num(value),
        threshold: num(verdict.threshold),
      });
    }
    if (verdict.rule === "drift" && drift.enabled && drift.perColumn)
      for (const column of input.driftColumns ?? []) {
        if (column.severity === "ok") continue;
        const severity = drift.severities[column.severity];
        if (!atLeast(severity, "warning")) continue;
        make(
          alertNames.columnDrift,
          "drift",
          severity,
          drift.for,
          {
            summary: `${window.model} v${window.version}: ${column.severity} drift in ${column.column}`,
            description: `The drift engine judged column ${column.column} ${column.severity} against the reference.`,
            value: column.severity,
            threshold: "ok",
          },
          { column: column.column },
        );
      }
  }
  // A rule with no verdict at all (no reference for drift, say) could not judge either.
  for (const rule of ["quality", "latency", "drift"] as const)
    if (!judged.has(rule)) {
      unknown.push({ alertname: alertNames[rule], ...identity });
      if (rule === "drift") unknown.push({ alertname: alertNames.columnDrift, ...identity });
    }
  return { conditions, unknown };
}

/**
 * The input of {@link noDataConditions}: the version's recent windows (a window with no events may be
 * missing from the list: the server only creates windows that receive events), the window length,
 * the end of the latest closed window, and since when the version has been watched (its registration
 * or first event), so a version that never received anything does not alarm before it has had the
 * chance.
 *
 * @example
 * ```ts
 * const input: NoDataInput = { model: "bike", version: "1", windowMs: 3_600_000, closedUntil: now, since: registeredAt,
 *   windows: [{ start: now - 7_200_000, events: 0 }] };
 * ```
 */
export interface NoDataInput {
  readonly model: string;
  readonly version: string;
  readonly windowMs: number;
  readonly closedUntil: number;
  readonly since: number;
  readonly windows: readonly { readonly start: number; readonly events: number }[];
}

/**
 * The "no data" rule: fires when the last N closed windows (default 3) had no events at all. Its `for`
 * is one window: the N windows already are the wait. Before N windows have passed since `since`, the
 * rule cannot judge and says so (`unknown`).
 *
 * @example
 * ```ts
 * noDataConditions({ model: "bike", version: "1", windowMs: 3_600_000, closedUntil: t, since: 0, windows: [] });
 * // { conditions: [ModelNoData, severity warning], unknown: [] }
 * ```
 */
export function noDataConditions(input: NoDataInput, options: RuleOptions = {}): RuleOutcome {
  const rule = { ...defaultRuleOptions.noData, ...options.noData };
  const identity = { alertname: alertNames.noData, model: input.model, version: input.version };
  if (!rule.enabled || rule.severity === "ok") return { conditions: [], unknown: [] };
  const from = input.closedUntil - rule.windows * input.windowMs;
  if (from < input.since) return { conditions: [], unknown: [identity] };
  const events = input.windows
    .filter((w) => w.start >= from && w.start < input.closedUntil)
    .reduce((sum, w) => sum + w.events, 0);
  if (events > 0) return { conditions: [], unknown: [] };
  const window: WindowInfo = {
    model: input.model,
    version: input.version,
    start: from,
    end: input.closedUntil,
  };
  const who = `${input.model} v${input.version}`;
  return {
    conditions: [
      {
        labels: { ...identity, metric: "events", severity: rule.severity },
        annotations: annotations(
          window,
          {
            summary: `${who}: no events in the last ${rule.windows} window${rule.windows === 1 ? "" : "s"}`,
            description: `${who} received no prediction events from ${iso(from)} to ${iso(input.closedUntil)}; is the service down, or no longer sending?`,
            value: "0",
            threshold: "0",
          },
          options.dashboardUrl,
        ),
        for: { windows: 1 },
      },
    ],
    unknown: [],
  };
}

/**
 * Several rules' outcomes as one, for one evaluation.
 *
 * @example
 * ```ts
 * const outcome = mergeOutcomes(windowAlertConditions(input), noDataConditions(history));
 * ```
 */
export function mergeOutcomes(...outcomes: readonly RuleOutcome[]): RuleOutcome {
  return {
    conditions: outcomes.flatMap((o) => o.conditions),
    unknown: outcomes.flatMap((o) => o.unknown),
  };
}

interface Text {
  readonly summary: string;
  readonly description: string;
  readonly value: string;
  readonly threshold: string;
  readonly columns?: string;
}

function annotations(window: WindowInfo, text: Text, dashboardUrl: string | undefined): Labels {
  const out: Record<string, string> = {
    ...text,
    window_start: iso(window.start),
    window_end: iso(window.end),
  };
  if (dashboardUrl !== undefined && dashboardUrl !== "") {
    const query = new URLSearchParams({
      version: window.version,
      from: iso(window.start),
      to: iso(window.end),
    });
    out.dashboard = `${dashboardUrl.replace(/\/+$/, "")}/models/${encodeURIComponent(window.model)}?${query}`;
  }
  return out;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

// Four significant digits: what a person reads in a page ("0.9123", "153.2"), never "0.91234567".
function num(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
}
