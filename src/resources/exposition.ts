/**
 * Resource samples as metric families in the shape the server's exposition renderer takes. Pure.
 */
import type { ResourceSample } from "./port.js";

/**
 * One metric family, structurally the same as the server's `MetricFamily` (declared here because
 * the resources layer must not import the server): the server passes these straight to its
 * `renderExposition`.
 *
 * @example
 * ```ts
 * const family: ResourceMetricFamily = { name: "node_load1", help: "1m load average.", type: "gauge", samples: [{ value: 0.4 }] };
 * ```
 */
export interface ResourceMetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: "counter" | "gauge";
  readonly samples: ReadonlyArray<{
    readonly labels?: Readonly<Record<string, string>>;
    readonly value: number;
  }>;
}

/**
 * The key that identifies a series: the metric name and its labels, sorted by label name.
 *
 * @example
 * ```ts
 * seriesKey("node_cpu_seconds_total", { mode: "idle", cpu: "0" }); // 'node_cpu_seconds_total{cpu="0",mode="idle"}'
 * ```
 */
export function seriesKey(metric: string, labels: Readonly<Record<string, string>>): string {
  const names = Object.keys(labels).sort();
  if (names.length === 0) return metric;
  return `${metric}{${names.map((name) => `${name}=${JSON.stringify(labels[name])}`).join(",")}}`;
}

/**
 * Groups samples into one family per metric name, in order of first appearance, so every family's
 * lines are contiguous as the text format requires. A series given twice keeps its last value (the
 * format forbids duplicate lines). Two samples of one name that disagree on the type are a bug in a
 * collector, and throw.
 *
 * @example
 * ```ts
 * renderExposition(resourceMetricFamilies(snapshot.results.flatMap((r) => r.samples)));
 * ```
 */
export function resourceMetricFamilies(samples: readonly ResourceSample[]): ResourceMetricFamily[] {
  const families = new Map<
    string,
    {
      help: string;
      type: "counter" | "gauge";
      series: Map<string, { labels: Record<string, string>; value: number }>;
    }
  >();
  for (const sample of samples) {
    let family = families.get(sample.metric);
    if (family === undefined) {
      family = { help: sample.help, type: sample.type, series: new Map() };
      families.set(sample.metric, family);
    } else if (family.type !== sample.type) {
      throw new TypeError(`metric ${sample.metric} is both a ${family.type} and a ${sample.type}`);
    }
    family.series.set(seriesKey(sample.metric, sample.labels), {
      labels: { ...sample.labels },
      value: sample.value,
    });
  }
  return [...families].map(([name, family]) => ({
    name,
    help: family.help,
    type: family.type,
    samples: [...family.series.values()].map(({ labels, value }) =>
      Object.keys(labels).length === 0 ? { value } : { labels, value },
    ),
  }));
}
