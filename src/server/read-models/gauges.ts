import type { QualityMetric } from "../../config/index.js";
import { severityRank } from "../../drift/index.js";
import { windowVerdicts } from "../../monitor/index.js";
import type { Aggregator, OpenWindow } from "../aggregator/index.js";
import { type MetricFamily, qualityMetricSeries, type Sample, type SummarySample } from "../prometheus.js";
import type { ModelRegistry } from "../registry/index.js";

/**
 * Metrics of each model version's newest open window, named by Prometheus conventions (base units:
 * seconds, ratios): the configured quality metric under its own name ({@link qualityMetricSeries}),
 * a latency summary, events, label coverage, drift severity (0 ok … 3 emergency).
 */
export function windowGauges(registry: ModelRegistry, aggregator: Aggregator): MetricFamily[] {
  const quality = new Map<QualityMetric, Sample[]>();
  const latency: SummarySample[] = [];
  const events: Sample[] = [];
  const coverage: Sample[] = [];
  const drift: Sample[] = [];
  for (const runtime of registry.all()) {
    const newest = new Map<string, OpenWindow>();
    for (const w of aggregator.windowsOf(runtime.record.name).values())
      if ((newest.get(w.version)?.startMs ?? -Infinity) < w.startMs) newest.set(w.version, w);
    for (const [version, window] of newest) {
      const labels = { model: runtime.record.name, version };
      const summary = window.state.summary();
      const metric = runtime.settings.metrics.quality.metric;
      const value = windowVerdicts(window.state, null, runtime.settings)[0]!.value;
      if (value !== null) quality.set(metric, [...(quality.get(metric) ?? []), { labels, value }]);
      const totals = window.state.latencyTotals();
      if (totals.count > 0)
        latency.push({
          labels,
          quantiles: [0.5, 0.95, 0.99].map((q) => ({
            quantile: q,
            value: window.state.latencyQuantile(q)! / 1000,
          })),
          sum: totals.sumMs / 1000,
          count: totals.count,
        });
      events.push({ labels, value: summary.events });
      coverage.push({ labels, value: summary.events === 0 ? 0 : summary.labels / summary.events });
      const report = registry.drift(runtime, version, window.state);
      if (report !== null) drift.push({ labels, value: severityRank(report.severity) });
    }
  }
  return [
    ...[...quality].map(
      ([metric, samples]): MetricFamily => ({
        ...qualityMetricSeries[metric],
        type: "gauge",
        samples,
      }),
    ),
    {
      name: "tiktoktoe_model_latency_seconds",
      // _count and _sum are the newest window's, so they restart with each window: rate() reads
      // that as a counter reset, which is what it is.
      help: "Prediction latency of the newest window: quantiles from a DDSketch (1% relative error), exact sum and count.",
      type: "summary",
      samples: latency,
    },
    {
      name: "tiktoktoe_model_window_events",
      help: "Events in the newest window.",
      type: "gauge",
      samples: events,
    },
    {
      name: "tiktoktoe_model_label_coverage_ratio",
      help: "Share of the newest window's events that have a label.",
      type: "gauge",
      samples: coverage,
    },
    {
      name: "tiktoktoe_model_drift_severity",
      help: "Drift severity of the newest window: 0 ok, 1 warning, 2 critical, 3 emergency.",
      type: "gauge",
      samples: drift,
    },
  ];
}
