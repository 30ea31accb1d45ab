import { type IngestContext, oldestAcceptedMs } from "../../monitor/index.js";
import type { ModelRecord } from "../../store/index.js";
import type { ModelRegistry, ModelRuntime } from "../registry/index.js";

/** The bounds an event's time must keep (see {@link ingestContext}). */
export interface IngestLimits {
  /** How far ahead of the wall clock an event time may be (clock skew). Default 5 minutes. */
  readonly futureSkewMs?: number;
  /**
   * With the event clock: how far ahead of a model's clock (its newest event time) an event may be.
   * One bad event would otherwise move the clock years ahead and reject every real event after it as
   * too late, for good. Default: the larger of `monitor.max_clock_jump` (7 days) and two windows plus
   * the lateness.
   */
  readonly maxClockJumpMs?: number;
}

/**
 * What a batch of a model is validated against now: its columns, versions and classes, and the
 * times it accepts (not before the oldest open window, not beyond the clock's jump bound or skew).
 *
 * @example
 * ```ts
 * const parsed = parseEventBatch(body, "ndjson", ingestContext(registry, registry.runtime("bike"), {}));
 * ```
 */
export function ingestContext(
  registry: ModelRegistry,
  runtime: ModelRuntime,
  limits: IngestLimits,
): IngestContext {
  const { window, lateness } = runtime.settings.monitor;
  const now = runtime.clock.now();
  const event = registry.clockKind === "event";
  return {
    task: runtime.record.task,
    columns: columnsOf(runtime.record),
    versions: runtime.versions,
    ...(runtime.record.classes === undefined ? {} : { classes: runtime.record.classes }),
    oldestAcceptedMs: oldestAcceptedMs(now, window, lateness),
    newestAcceptedMs: event
      ? Number.isFinite(now)
        ? now +
          (limits.maxClockJumpMs ?? Math.max(runtime.settings.monitor.max_clock_jump, 2 * window + lateness))
        : Number.POSITIVE_INFINITY
      : registry.wallNow() + (limits.futureSkewMs ?? 300_000),
    nowMs: event && Number.isFinite(now) ? now : registry.wallNow(),
  };
}

// A model record never changes: its columns map is built once (and the native event scanner keeps
// what it compiled from it while the map is the same object, see event-scan.ts).
const columnMaps = new WeakMap<ModelRecord, ReadonlyMap<string, "numeric" | "categorical">>();

/**
 * The columns of a model record (features and sensitive attributes) and their types, as the ingest
 * parser checks them.
 *
 * @example
 * ```ts
 * columnsOf(record).get("temp"); // "numeric"
 * ```
 */
export function columnsOf(record: ModelRecord): ReadonlyMap<string, "numeric" | "categorical"> {
  let columns = columnMaps.get(record);
  if (columns === undefined) {
    columns = new Map(record.features.map((f) => [f.name, f.type]));
    columnMaps.set(record, columns);
  }
  return columns;
}
