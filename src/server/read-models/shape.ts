import { severityRank } from "../../drift/index.js";
import type { modelHealth } from "../../monitor/health.js";
import type { SeriesWindowInput } from "../../monitor/series.js";
import type { WindowSummary } from "./types.js";

/** A verdict as model health reads it. */
export type HealthVerdict = Parameters<typeof modelHealth>[0]["verdicts"][number];

/** A listed window as the series need it: the quality verdict's value, latency, drift severities. */
export function seriesInput(w: WindowSummary): SeriesWindowInput {
  const verdicts = (w.verdicts as HealthVerdict[] | undefined) ?? [];
  const latency = (w.latency ?? {}) as { p50?: number | null; p95?: number | null; p99?: number | null };
  const drift = w.drift as { columns?: SeriesWindowInput["drift"] } | null | undefined;
  let severity: SeriesWindowInput["severity"] = "ok";
  for (const v of verdicts) if (severityRank(v.severity) > severityRank(severity)) severity = v.severity;
  return {
    version: w.version,
    startMs: w.startMs,
    endMs: w.endMs,
    events: Number(w.events ?? 0),
    labels: Number(w.labels ?? 0),
    quality: verdicts.find((v) => v.rule === "quality")?.value ?? null,
    p50: latency.p50 ?? null,
    p95: latency.p95 ?? null,
    p99: latency.p99 ?? null,
    drift: drift?.columns ?? null,
    severity,
    bias: Object.fromEntries(
      verdicts.filter((v) => v.rule === "bias").map((v) => [v.metric.replace(/^impact_ratio:/, ""), v.value]),
    ),
  };
}

/**
 * Whether an alert bears on a model's health: its own alerts, and the server-wide ones without a
 * model label (resources, dependencies down), which every model served here shares.
 */
export const concerns = (labels: Readonly<Record<string, string>>, model: string) =>
  labels.model === undefined ? labels.alertname !== undefined : labels.model === model;

/** The document collection of a model's health reports. */
export const reportCollection = (model: string) => `reports:${model}`;

/** The map key of a window of a version. */
export const windowKey = (version: string, startMs: number) => `${version}\u0000${startMs}`;

/** A window as the API lists it: its identity and its summary's fields. */
export function describe(
  model: string,
  version: string,
  startMs: number,
  endMs: number,
  summary: Readonly<Record<string, unknown>>,
): WindowSummary {
  return {
    model,
    version,
    start: new Date(startMs).toISOString(),
    end: new Date(endMs).toISOString(),
    startMs,
    endMs,
    ...summary,
  };
}
