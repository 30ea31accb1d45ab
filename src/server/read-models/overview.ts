import { modelHealth } from "../../monitor/health.js";
import { buildModelSeries } from "../../monitor/series.js";
import type { Alerting } from "../alerting.js";
import type { ReferenceQualityAnswer } from "../reference-quality.js";
import type { ModelRegistry } from "../registry/index.js";
import type { HealthReports } from "./health-reports.js";
import { concerns, type HealthVerdict, seriesInput } from "./shape.js";
import type { OverviewModel, SeriesAnswer } from "./types.js";
import type { WindowReads } from "./window-reads.js";

type SeriesVerdict = HealthVerdict;

/** Options of {@link Overview}. */
export interface OverviewOptions {
  readonly registry: ModelRegistry;
  readonly windows: WindowReads;
  readonly health: HealthReports;
  readonly alerting: Alerting | undefined;
}

/**
 * The dashboard's read models: a model's series and heat maps over a range, and the overview of every
 * model with its health, newest quality, firing alerts and sparkline.
 *
 * @example
 * ```ts
 * const page = await overview.series("bike", { lastMs: 7 * 86_400_000 }, undefined, 500);
 * ```
 */
export class Overview {
  constructor(private readonly options: OverviewOptions) {}

  /**
   * Series and drift heat maps of a model over [fromMs, toMs), at most `maxPoints` points per version
   * (windows merged into buckets beyond that): the dashboard never pulls raw events or every window.
   */
  async series(
    model: string,
    range: { readonly fromMs: number; readonly toMs: number } | { readonly lastMs: number },
    version: string | undefined,
    maxPoints: number,
  ): Promise<SeriesAnswer> {
    const runtime = this.options.registry.runtime(model);
    const { settings, record } = runtime;
    const clockNow = this.options.registry.clockNow(runtime);
    const now = Number.isFinite(clockNow) ? clockNow : this.options.registry.wallNow();
    const { fromMs, toMs } =
      "lastMs" in range ? { fromMs: now - range.lastMs, toMs: Number.POSITIVE_INFINITY } : range;
    const windows = await this.options.windows.windows(model, fromMs, toMs, version);
    const series = buildModelSeries(windows.map(seriesInput), {
      windowMs: settings.monitor.window,
      maxPoints,
      columnOrder: record.features.map((f) => f.name),
      untested: runtime.window.untested ?? [],
    });
    return {
      model,
      task: record.task,
      windowMs: settings.monitor.window,
      quality: {
        metric: settings.metrics.quality.metric,
        threshold: settings.metrics.quality.threshold,
        direction: settings.metrics.quality.direction,
      },
      latency: {
        percentile: settings.metrics.latency.percentile,
        thresholdMs: settings.metrics.latency.threshold,
      },
      versionList: [...runtime.versions].sort(),
      referenceQuality: (
        await Promise.all(
          series.versions.map((v) =>
            this.options.registry.referenceQualities.answer(
              model,
              v.version,
              settings.metrics.quality.metric,
            ),
          ),
        )
      ).filter((r): r is ReferenceQualityAnswer => r !== null),
      now,
      from: Number.isFinite(fromMs) ? fromMs : null,
      to: Number.isFinite(toMs) ? toMs : null,
      ...series,
    };
  }

  /** Every model with its health, newest quality, firing alerts and a sparkline (the overview page). */
  async overview(sparkWindows = 48): Promise<OverviewModel[]> {
    const out: OverviewModel[] = [];
    const alerts = this.options.alerting?.alerts(this.options.registry.alertClock()) ?? [];
    for (const runtime of [...this.options.registry.all()].sort((a, b) =>
      a.record.name < b.record.name ? -1 : 1,
    )) {
      const { record, settings } = runtime;
      const length = settings.monitor.window;
      const clockNow = this.options.registry.clockNow(runtime);
      const now = Number.isFinite(clockNow) ? clockNow : this.options.registry.wallNow();
      const windows = await this.options.windows.windows(
        record.name,
        now - (sparkWindows + 1) * length,
        Number.POSITIVE_INFINITY,
      );
      const newest = windows.at(-1);
      const finals = windows.filter((w) => w.final === true);
      const judged = finals.at(-1) ?? newest;
      const firing = alerts.filter(
        (a) => concerns(a.labels, record.name) && a.status === "firing" && a.state === "active",
      );
      const attribution =
        judged === undefined
          ? null
          : await this.options.health.attributionVerdict(record.name, judged.version, judged.startMs);
      const health = modelHealth({
        newestWindowMs: newest?.startMs ?? null,
        windowMs: length,
        now,
        verdicts: [
          ...((judged?.verdicts as SeriesVerdict[] | undefined) ?? []),
          ...(attribution === null ? [] : [attribution]),
        ],
        windowLabel: judged?.start.slice(0, 16).replace("T", " ") ?? "",
        alerts: firing.map((a) => ({
          alertname: a.labels.alertname ?? "",
          severity: a.labels.severity ?? "warning",
          summary: a.annotations.summary ?? "",
        })),
      });
      const inputs = windows.map(seriesInput);
      const withValue = inputs.filter((w) => w.quality !== null).at(-1);
      const sparkVersion = newest?.version ?? "";
      const spark = inputs.filter((w) => w.version === sparkVersion).slice(-sparkWindows);
      out.push({
        name: record.name,
        task: record.task,
        now,
        windowMs: length,
        health,
        quality: {
          metric: settings.metrics.quality.metric,
          threshold: settings.metrics.quality.threshold,
          direction: settings.metrics.quality.direction,
        },
        last:
          withValue === undefined
            ? null
            : { version: withValue.version, startMs: withValue.startMs, value: withValue.quality },
        firing: firing.length,
        sparkline: {
          version: sparkVersion,
          start: spark.map((w) => w.startMs),
          value: spark.map((w) => w.quality),
        },
      });
    }
    return out;
  }
}
