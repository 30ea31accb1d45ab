import type { MonitorService } from "./monitor-service.js";
import { type MetricFamily, processMetrics, renderExposition } from "./prometheus.js";
import type { ResourceMonitor } from "./resource-monitor.js";

/**
 * The `route` label of every request no route took (404s, and anything refused before routing): one
 * value, so that scanners probing random paths cannot grow /metrics (the router names the others).
 */
export const UNMATCHED_ROUTE = "unmatched";

/** What the server's metric families read of the monitor service. */
export type MetricsService = Pick<MonitorService, "counters" | "gauges" | "alerting" | "storeWriter">;

/** Options of {@link ServerMetrics}. */
export interface ServerMetricsOptions {
  readonly service: MetricsService;
  /** The machine's resources: node_exporter's series, after the server's own. */
  readonly resources: ResourceMonitor | undefined;
}

/**
 * The server's `/metrics`: its own families (ingest counters, HTTP requests, the service's gauges,
 * notifications), the process metrics, then the machine's; HTTP requests are counted here as they
 * finish.
 *
 * @example
 * ```ts
 * const metrics = new ServerMetrics({ service, resources: undefined });
 * metrics.countRequest("GET", "/v1/models", 200);
 * metrics.render(); // the text exposition format
 * ```
 */
export class ServerMetrics {
  private readonly started = Date.now() / 1000;
  private readonly requests = new Map<string, number>();

  constructor(private readonly options: ServerMetricsOptions) {}

  /** Counts one answered request; `route` is a route template or {@link UNMATCHED_ROUTE}. */
  countRequest(method: string | undefined, route: string, code: number): void {
    const labelKey = `${method}\u0000${route}\u0000${code}`;
    this.requests.set(labelKey, (this.requests.get(labelKey) ?? 0) + 1);
  }

  /** Every family in the text exposition format. */
  render(): string {
    const own = [...serviceMetrics(this.options.service, this.requests), ...processMetrics(this.started)];
    // The memory collector reports process metrics the server already renders: each family once.
    const machine = this.options.resources?.metricFamilies(new Set(own.map((f) => f.name))) ?? [];
    return renderExposition([...own, ...machine]);
  }
}

/**
 * Delivery attempts' latency by channel as a summary without quantiles: `_sum` from the alerting
 * counters' `latency` entries (ms), `_count` the channel's attempts (every attempt counts one result
 * and its latency together).
 */
function notificationLatency(counters: ReadonlyMap<string, number>): MetricFamily {
  const channels = new Map<string, { sum: number; count: number }>();
  const of = (channel: string) =>
    channels.get(channel) ?? channels.set(channel, { sum: 0, count: 0 }).get(channel)!;
  for (const [key, value] of counters) {
    const [first, second] = key.split("\u0000");
    if (first === "latency") of(second!).sum += value / 1000;
    else of(first!).count += value;
  }
  return {
    name: "tiktoktoe_notification_latency_seconds",
    help: "Time spent in notification delivery attempts, by channel.",
    type: "summary",
    samples: [...channels].map(([channel, { sum, count }]) => ({
      labels: { channel },
      quantiles: [],
      sum,
      count,
    })),
  };
}

function serviceMetrics(service: MetricsService, requests: ReadonlyMap<string, number>): MetricFamily[] {
  const c = service.counters;
  return [
    {
      name: "tiktoktoe_ingested_events_total",
      help: "Prediction events accepted and stored.",
      type: "counter",
      samples: [{ value: c.events }],
    },
    {
      name: "tiktoktoe_ingested_labels_total",
      help: "Labels accepted and joined to their events.",
      type: "counter",
      samples: [{ value: c.labels }],
    },
    {
      name: "tiktoktoe_duplicate_records_total",
      help: "Events or labels ignored as duplicates of stored ones.",
      type: "counter",
      samples: [{ value: c.duplicates }],
    },
    {
      name: "tiktoktoe_rejected_batches_total",
      help: "Ingest batches rejected with INGEST_INVALID.",
      type: "counter",
      samples: [{ value: c.rejectedBatches }],
    },
    {
      name: "tiktoktoe_unmatched_labels_total",
      help: "Labels whose event was unknown.",
      type: "counter",
      samples: [{ value: c.unmatchedLabels }],
    },
    {
      name: "tiktoktoe_answered_predictions_waiting",
      help: "Answered /predict rows waiting to be recorded (written just after the answer).",
      type: "gauge",
      samples: [{ value: c.answeredWaiting }],
    },
    {
      name: "tiktoktoe_answered_predictions_dropped_total",
      help: "Answered /predict rows the store rejected for good (never recorded).",
      type: "counter",
      samples: [{ value: c.answeredDropped }],
    },
    {
      name: "tiktoktoe_http_requests_total",
      // Bounded: method is one of node:http's known methods (it refuses others), route a template.
      help: 'HTTP requests by method, route template (or "unmatched") and status code.',
      type: "counter",
      samples: [...requests].map(([k, value]) => {
        const [method, route, code] = k.split("\u0000");
        return { labels: { method: method!, route: route!, code: code! }, value };
      }),
    },
    ...service.gauges(),
    {
      name: "tiktoktoe_notifications_total",
      help: "Notification delivery attempts by channel and result (sent, or the failure reason).",
      type: "counter",
      samples: [...(service.alerting?.counters ?? new Map<string, number>())]
        .filter(([k]) => !k.startsWith("latency\u0000"))
        .map(([k, value]) => {
          const [channel, result] = k.split("\u0000");
          return { labels: { channel: channel!, result: result! }, value };
        }),
    },
    notificationLatency(service.alerting?.counters ?? new Map<string, number>()),
    ...queueWorkerMetrics(service.storeWriter),
  ];
}

/** A worker's loop over the ingest queue (`--role worker|all` with a queue); none without one. */
function queueWorkerMetrics(writer: MetricsService["storeWriter"]): MetricFamily[] {
  if (writer === undefined) return [];
  const counter = (name: string, help: string, value: number): MetricFamily => ({
    name,
    help,
    type: "counter",
    samples: [{ value }],
  });
  return [
    counter(
      "tiktoktoe_queue_batches_stored_total",
      "Ingest batches this worker took from the queue and committed to the store.",
      writer.batches,
    ),
    counter(
      "tiktoktoe_queue_dead_letters_total",
      "Ingest batches that can never be stored (written to the dead-letters collection).",
      writer.deadLetters,
    ),
    counter(
      "tiktoktoe_queue_failed_commits_total",
      "Store transactions of queued batches that failed; their batches come again.",
      writer.failedCommits,
    ),
    counter(
      "tiktoktoe_queue_label_retries_total",
      "Label batches given back to wait for their events (labels stored before their events' batch).",
      writer.labelRetries,
    ),
  ];
}
