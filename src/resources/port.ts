/**
 * The collector port: one narrow interface that every resource source (procfs, statfs, nvidia-smi,
 * network probes, the server's own caches) implements. A collector reads its source once per call
 * and answers with samples in Prometheus' shape (node_exporter's and DCGM exporter's names), so a
 * user who already runs those exporters reads the same series here.
 *
 * Collectors never throw into the sampler (OpenTelemetry's exporter rule): a source that cannot be
 * read is an error entry in the {@link CollectResult}, a source that does not exist on this machine
 * (no GPU) is `absent`, and whatever could be read is still returned.
 */

/**
 * The kinds of collector, one adapter each.
 *
 * @example
 * ```ts
 * collectorNames.includes("gpu"); // true
 * ```
 */
export const collectorNames = ["cpu", "memory", "gpu", "disk", "cache", "network", "latency"] as const;

/**
 * A kind of collector.
 *
 * @example
 * ```ts
 * const name: CollectorName = "network";
 * ```
 */
export type CollectorName = (typeof collectorNames)[number];

/**
 * One reading of one series: a Prometheus metric name (base unit as its suffix: `_seconds`,
 * `_bytes`, `_total` for counters; GPU series keep DCGM exporter's names and units), its labels,
 * the value, whether it only grows (`counter`) or goes up and down (`gauge`), and its help text.
 *
 * @example
 * ```ts
 * const idle: ResourceSample = {
 *   metric: "node_cpu_seconds_total", labels: { cpu: "0", mode: "idle" }, value: 139.51,
 *   type: "counter", help: "Seconds the CPUs spent in each mode.",
 * };
 * ```
 */
export interface ResourceSample {
  readonly metric: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  readonly type: "counter" | "gauge";
  readonly help: string;
}

/**
 * Something that went wrong while reading one source: which source (a file, a command, a path)
 * and a message for the operator. Never a secret: URLs are reported without their user info.
 *
 * @example
 * ```ts
 * const problem: CollectError = { source: "/proc/diskstats", message: "EACCES: permission denied" };
 * ```
 */
export interface CollectError {
  readonly source: string;
  readonly message: string;
}

/**
 * How a collection went:
 * - `ok`: every source was read;
 * - `partial`: some sources failed (see `errors`), the samples hold what was read;
 * - `failed`: nothing could be read;
 * - `absent`: the source does not exist on this machine (no `nvidia-smi`): not an error, no samples.
 *
 * @example
 * ```ts
 * const status: CollectStatus = "absent";
 * ```
 */
export type CollectStatus = "ok" | "partial" | "failed" | "absent";

/**
 * What one `collect()` call produced.
 *
 * @example
 * ```ts
 * const result = await collector.collect();
 * if (result.status === "partial") for (const e of result.errors) log.warn(`${e.source}: ${e.message}`);
 * ```
 */
export interface CollectResult {
  readonly collector: CollectorName;
  readonly status: CollectStatus;
  readonly samples: readonly ResourceSample[];
  readonly errors: readonly CollectError[];
  /**
   * A one-time note for the log, e.g. why the GPU collector is absent. Set on the first result
   * that has something to say, not repeated on every interval.
   */
  readonly notice?: string;
}

/**
 * A resource collector. `collect()` resolves, never rejects: failures are error entries (a rejection
 * is a bug, which {@link sampleOnce} still turns into an error entry so the other collectors run).
 *
 * @example
 * ```ts
 * const cpu: Collector = new CpuCollector();
 * const { samples } = await cpu.collect();
 * ```
 */
export interface Collector {
  readonly name: CollectorName;
  collect(): Promise<CollectResult>;
}

/**
 * Builds a result from what was read and what failed: `ok` with no errors, `failed` with errors and
 * no samples, `partial` otherwise.
 *
 * @example
 * ```ts
 * return collectResult("memory", samples, errors);
 * ```
 */
export function collectResult(
  collector: CollectorName,
  samples: readonly ResourceSample[],
  errors: readonly CollectError[],
): CollectResult {
  const status: CollectStatus = errors.length === 0 ? "ok" : samples.length === 0 ? "failed" : "partial";
  return { collector, status, samples, errors };
}

/**
 * The message of a caught value, for an error entry.
 *
 * @example
 * ```ts
 * errors.push({ source: "/proc/stat", message: errorMessage(error) });
 * ```
 */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
