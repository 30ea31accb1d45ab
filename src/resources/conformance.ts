import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { seriesKey } from "./exposition.js";
import type { Collector, CollectResult, ResourceSample } from "./port.js";

/**
 * How a conformance run gets a collector.
 *
 * @example
 * ```ts
 * const factory: CollectorFactory = { name: "cpu (procfs)", create: () => new CpuCollector(), expectSamples: true };
 * ```
 */
export interface CollectorFactory {
  readonly name: string;
  create(): Collector | Promise<Collector>;
  /** True where the source exists here, so an empty result would be a failure. */
  readonly expectSamples: boolean;
  /** Run between the two collections of the counter check (to make counters move), if given. */
  between?(): void | Promise<void>;
  /** Releases what `create` set up (servers, temp files), if given. */
  cleanup?(): void | Promise<void>;
}

const metricName = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Units Prometheus' naming guide replaces by base units (seconds, bytes, ratios). */
const nonBaseUnit =
  /_(percent|percentage|milliseconds|microseconds|nanoseconds|minutes|hours|days|kilobytes|megabytes|gigabytes|kib|mib|gib|bits|millis|ms)$/i;

/**
 * Everything wrong with one collection's samples, as messages (empty when well formed):
 * - names match `[a-zA-Z_:][a-zA-Z0-9_:]*`; label names `[a-zA-Z_][a-zA-Z0-9_]*` and not `__…`;
 * - values are finite; counters, `_bytes`, `_seconds` and `_total` values are not negative; a
 *   `_ratio` lies in [0, 1];
 * - a counter's name ends in `_total` and a gauge's does not; no non-base unit suffix
 *   (`_percent`, `_milliseconds`, `_kilobytes`, …), and `_bytes` / `_seconds` only as the suffix.
 *   DCGM exporter's names (`DCGM_FI_…`) are exempt from the unit rules: they are copied as DCGM
 *   spells them so its dashboards work unchanged;
 * - one type and one help per metric name, help not empty, and no series twice.
 *
 * @example
 * ```ts
 * assert.deepEqual(sampleProblems(result.samples), []);
 * ```
 */
export function sampleProblems(samples: readonly ResourceSample[]): string[] {
  const problems: string[] = [];
  const metrics = new Map<string, { type: string; help: string }>();
  const series = new Set<string>();
  for (const sample of samples) {
    const { metric, labels, value, type, help } = sample;
    const at = `${metric}${JSON.stringify(labels)}`;
    if (!metricName.test(metric)) problems.push(`${at}: the name is not a valid metric name`);
    if (type !== "counter" && type !== "gauge") problems.push(`${at}: type ${String(type)}`);
    if (typeof help !== "string" || help.trim() === "") problems.push(`${at}: no help text`);
    for (const [name, labelValue] of Object.entries(labels)) {
      if (!labelName.test(name) || name.startsWith("__"))
        problems.push(`${at}: label name "${name}" is not valid`);
      if (typeof labelValue !== "string") problems.push(`${at}: label ${name} is not a string`);
    }
    if (typeof value !== "number" || !Number.isFinite(value))
      problems.push(`${at}: value ${value} is not finite`);
    const dcgm = metric.startsWith("DCGM_FI_");
    if (type === "counter" && !metric.endsWith("_total"))
      problems.push(`${at}: a counter's name must end in _total`);
    if (type === "gauge" && metric.endsWith("_total"))
      problems.push(`${at}: a gauge's name must not end in _total`);
    const base = metric.replace(/_total$/, "");
    if (!dcgm) {
      if (nonBaseUnit.test(base)) problems.push(`${at}: use base units (seconds, bytes, ratio), not ${base}`);
      if (/_(bytes|seconds)_/.test(base)) {
        problems.push(`${at}: a unit goes at the end of the name`);
      }
      const nonNegative = type === "counter" || /_(bytes|seconds)$/.test(base);
      if (nonNegative && value < 0) problems.push(`${at}: ${value} is negative`);
      if (base.endsWith("_ratio") && (value < 0 || value > 1))
        problems.push(`${at}: ratio ${value} outside [0, 1]`);
    }
    const known = metrics.get(metric);
    if (known === undefined) metrics.set(metric, { type, help });
    else if (known.type !== type || known.help !== help)
      problems.push(`${at}: type or help differs between samples`);
    const key = seriesKey(metric, labels);
    if (series.has(key)) problems.push(`${at}: the series appears twice`);
    series.add(key);
  }
  return problems;
}

/**
 * Everything wrong with a result's bookkeeping: the collector's name, and a status that agrees
 * with its samples and errors.
 *
 * @example
 * ```ts
 * assert.deepEqual(resultProblems(collector, result), []);
 * ```
 */
export function resultProblems(collector: Collector, result: CollectResult): string[] {
  const problems: string[] = [];
  if (result.collector !== collector.name)
    problems.push(`result names ${result.collector}, not ${collector.name}`);
  if (!Array.isArray(result.samples) || !Array.isArray(result.errors))
    problems.push("samples and errors must be arrays");
  const { status, samples, errors } = result;
  if (status === "ok" && errors.length > 0) problems.push("status ok with error entries");
  if (status === "partial" && (errors.length === 0 || samples.length === 0))
    problems.push("partial needs samples and errors");
  if (status === "failed" && (errors.length === 0 || samples.length > 0))
    problems.push("failed needs errors and no samples");
  if (status === "absent" && (errors.length > 0 || samples.length > 0))
    problems.push("absent has neither samples nor errors");
  for (const error of errors) {
    if (typeof error.source !== "string" || typeof error.message !== "string" || error.message === "") {
      problems.push(`malformed error entry ${JSON.stringify(error)}`);
    }
  }
  return problems;
}

/**
 * The collector port's one conformance suite: every adapter must pass it unchanged. Registers
 * node:test tests: results are well formed and their status agrees with them; samples follow the
 * naming rules ({@link sampleProblems}); counters never decrease between two collections; and an
 * adapter whose source exists here does produce samples.
 *
 * @example
 * ```ts
 * collectorConformance({ name: "network (procfs)", create: () => new NetworkCollector(), expectSamples: true });
 * ```
 */
export function collectorConformance(factory: CollectorFactory): void {
  const withCollector = async (run: (collector: Collector) => Promise<void>) => {
    const collector = await factory.create();
    try {
      await run(collector);
    } finally {
      await factory.cleanup?.();
    }
  };

  describe(`collector conformance: ${factory.name}`, () => {
    test("a collection resolves with a well-formed result and well-formed samples", () =>
      withCollector(async (collector) => {
        const result = await collector.collect();
        assert.deepEqual(resultProblems(collector, result), []);
        assert.deepEqual(sampleProblems(result.samples), []);
        if (factory.expectSamples) {
          assert.ok(
            result.samples.length > 0,
            `no samples (status ${result.status}): ${JSON.stringify(result.errors)}`,
          );
        } else {
          assert.equal(result.samples.length, 0);
        }
      }));

    test("counters never decrease between two collections", () =>
      withCollector(async (collector) => {
        const first = await collector.collect();
        await factory.between?.();
        const second = await collector.collect();
        assert.deepEqual(resultProblems(collector, second), []);
        assert.deepEqual(sampleProblems(second.samples), []);
        const before = new Map(
          first.samples
            .filter((s) => s.type === "counter")
            .map((s) => [seriesKey(s.metric, s.labels), s.value]),
        );
        const decreased: string[] = [];
        for (const sample of second.samples) {
          const earlier = before.get(seriesKey(sample.metric, sample.labels));
          if (sample.type === "counter" && earlier !== undefined && sample.value < earlier) {
            decreased.push(`${seriesKey(sample.metric, sample.labels)}: ${earlier} → ${sample.value}`);
          }
        }
        assert.deepEqual(decreased, []);
      }));
  });
}
