import { type Severity, severityRank } from "../../drift/index.js";
import { TikTokToeError } from "../../errors/index.js";
import { modelHealth } from "../../monitor/health.js";
import { type WindowState, type WindowVerdict, windowVerdicts } from "../../monitor/index.js";
import type { Store } from "../../store/index.js";
import type { Alerting } from "../alerting.js";
import type { SerialChain } from "../ingest/index.js";
import type { ModelRegistry } from "../registry/index.js";
import { concerns, type HealthVerdict, reportCollection, seriesInput } from "./shape.js";
import type { HealthReport, WindowSummary } from "./types.js";
import type { WindowReads } from "./window-reads.js";

/** A window's attribution drift from the explanations' cache (null when it was not explained). */
export type AttributionOf = (
  model: string,
  version: string,
  startMs: number,
) => Promise<{ ndcg: number | null; threshold: number; drifted: boolean } | null>;

/** Options of {@link HealthReports}. */
export interface HealthReportsOptions {
  readonly store: Store;
  readonly registry: ModelRegistry;
  readonly windows: WindowReads;
  readonly chain: SerialChain;
  readonly alerting: Alerting | undefined;
  readonly attribution: AttributionOf;
}

/**
 * Model health over a period (windows merged per version, verdicts, drift, alerts), and the stored
 * reports the reports consumer writes each `reporting.frequency`.
 *
 * @example
 * ```ts
 * const report = await reports.healthReport("bike", from, to);
 * report.status; // "healthy" | "degraded" | …
 * ```
 */
export class HealthReports {
  constructor(private readonly options: HealthReportsOptions) {}

  /**
   * A model's health over [fromMs, toMs): the windows overlapping it merged per version (quality,
   * label-free estimate, latency, fairness with intervals), their verdicts and the worst drift, the
   * alerts firing, and the status with every reason.
   */
  async healthReport(model: string, fromMs: number, toMs: number): Promise<HealthReport> {
    this.options.registry.runtime(model);
    await this.options.chain.idle();
    return this.healthReportNow(model, fromMs, toMs);
  }

  /** {@link healthReport} without waiting for the ingest chain (the flush that writes reports runs in it). */
  async healthReportNow(model: string, fromMs: number, toMs: number): Promise<HealthReport> {
    const runtime = this.options.registry.runtime(model);
    const { settings, record } = runtime;
    const length = settings.monitor.window;
    const summaries = await this.options.windows.windowsNow(model, fromMs - length + 1, toMs);
    const byVersion = new Map<string, WindowSummary[]>();
    for (const w of summaries) byVersion.set(w.version, [...(byVersion.get(w.version) ?? []), w]);
    const versions: HealthReport["versions"] = [];
    const verdicts: Array<HealthVerdict & { version: string }> = [];
    for (const [version, list] of [...byVersion].sort(([a], [b]) => (a < b ? -1 : 1))) {
      let merged: WindowState | null = null;
      for (const w of list) {
        const state = await this.options.windows.windowState(runtime, version, w.startMs);
        if (state === null) continue;
        merged = merged === null ? state : merged.merge(state);
      }
      if (merged === null) continue;
      const inputs = list.map(seriesInput);
      const driftColumns = new Map<string, number>();
      let worstDrift: Severity | null = null;
      for (const w of list) {
        const drift = w.drift as {
          severity: Severity;
          columns: Array<{ column: string; severity: Severity }>;
        } | null;
        if (drift === null || drift === undefined) continue;
        if (worstDrift === null || severityRank(drift.severity) > severityRank(worstDrift))
          worstDrift = drift.severity;
        for (const c of drift.columns)
          if (severityRank(c.severity) >= 2)
            driftColumns.set(c.column, (driftColumns.get(c.column) ?? 0) + 1);
      }
      const periodVerdicts: WindowVerdict[] = windowVerdicts(merged, null, settings);
      const newestFinal = list.filter((w) => w.final === true).at(-1);
      const attribution =
        newestFinal === undefined ? null : await this.attributionVerdict(model, version, newestFinal.startMs);
      if (attribution !== null) periodVerdicts.push(attribution);
      for (const v of periodVerdicts) verdicts.push({ ...v, version });
      if (worstDrift !== null && worstDrift !== "ok")
        verdicts.push({
          version,
          rule: "drift",
          metric: "drift",
          value: driftColumns.size,
          threshold: 0,
          status: "breach",
          severity: worstDrift,
        });
      const summary = merged.summary();
      versions.push({
        version,
        windows: list.length,
        events: summary.events,
        labels: summary.labels,
        quality: {
          metric: settings.metrics.quality.metric,
          value: periodVerdicts.find((v) => v.rule === "quality")?.value ?? null,
          threshold: settings.metrics.quality.threshold,
          direction: settings.metrics.quality.direction,
        },
        estimated: merged.estimate(),
        latency: summary.latency,
        drift: {
          worst: worstDrift,
          columns: [...driftColumns]
            .map(([column, windows]) => ({ column, windows }))
            .sort((a, b) => b.windows - a.windows),
        },
        fairness: merged.fairnessReport(),
        verdicts: periodVerdicts,
        chart: {
          start: inputs.map((w) => w.startMs),
          quality: inputs.map((w) => w.quality),
          p99: inputs.map((w) => w.p99),
          events: inputs.map((w) => w.events),
        },
      });
    }
    // Only the alerts of this period's own windows (or, without a window, raised in the period):
    // an alert firing when the report is written may belong to a later window.
    const periodWindows = new Set(summaries.map((w) => w.startMs));
    const alerts = (this.options.alerting?.alerts(this.options.registry.alertClock()) ?? [])
      .filter((a) => concerns(a.labels, model) && a.status === "firing" && a.state === "active")
      .filter((a) => {
        const windowStart = a.annotations.window_start;
        return windowStart === undefined
          ? a.startsAt >= fromMs && a.startsAt < toMs
          : periodWindows.has(Date.parse(windowStart));
      })
      .map((a) => ({
        alertname: a.labels.alertname ?? "",
        severity: a.labels.severity ?? "warning",
        summary: a.annotations.summary ?? "",
      }));
    const health = modelHealth({
      newestWindowMs: summaries.at(-1)?.startMs ?? null,
      windowMs: Math.max(length, toMs - fromMs),
      now: toMs,
      verdicts: verdicts.map((v) => ({ ...v, metric: `${v.metric} (v${v.version})` })),
      windowLabel: `${new Date(fromMs).toISOString().slice(0, 16).replace("T", " ")} to ${new Date(toMs).toISOString().slice(0, 16).replace("T", " ")} UTC`,
      alerts,
    });
    return {
      id: new Date(fromMs).toISOString(),
      model,
      task: record.task,
      from: fromMs,
      to: toMs,
      windowMs: length,
      generatedMs: this.options.registry.wallNow(),
      status: health.status,
      reasons: health.reasons,
      versions,
      alerts,
    };
  }

  /**
   * The attribution-drift verdict of a window from the explanations' cache: the nDCG of the window's
   * importance ranking against the reference's, a *warning* below its threshold (0.9).
   */
  async attributionVerdict(model: string, version: string, startMs: number): Promise<WindowVerdict | null> {
    const drift = await this.options.attribution(model, version, startMs);
    if (drift === null || drift === undefined || drift.ndcg === null) return null;
    return {
      rule: "attribution",
      metric: "attribution_ndcg",
      value: drift.ndcg,
      threshold: drift.threshold,
      status: drift.drifted ? "breach" : "ok",
      severity: drift.drifted ? "warning" : "ok",
      samples: 0,
    };
  }

  /** Stored health reports of a model, newest first (summaries without the per-version detail). */
  async listReports(model: string, fromMs: number, toMs: number, limit: number) {
    this.options.registry.runtime(model);
    const documents = await this.options.store.listDocuments(reportCollection(model), fromMs, toMs, 100_000);
    return documents
      .slice(-limit)
      .reverse()
      .map((d) => {
        const r = JSON.parse(d.body) as HealthReport;
        // The windows the period drew on: with windows longer than the period, these say what the
        // figures cover (a week), where the period alone would say an hour.
        const starts = [...new Set(r.versions.flatMap((v) => v.chart.start))].sort((a, b) => a - b);
        const length = r.windowMs ?? this.options.registry.runtime(model).settings.monitor.window;
        const windows =
          starts.length === 0
            ? null
            : { from: starts[0]!, to: starts.at(-1)! + length, count: starts.length };
        return { id: r.id, from: r.from, to: r.to, status: r.status, reasons: r.reasons, windows };
      });
  }

  /** One stored report. */
  async getReport(model: string, id: string): Promise<HealthReport> {
    this.options.registry.runtime(model);
    const document = await this.options.store.getDocument(reportCollection(model), id);
    if (document === undefined)
      throw new TikTokToeError("NOT_FOUND", `no report "${id}" of model "${model}"`, {
        path: id,
        hint: `GET /v1/models/${model}/reports lists them`,
      });
    return JSON.parse(document.body) as HealthReport;
  }
}
