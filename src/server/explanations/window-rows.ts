import { PERMUTATION_MAX_ROWS } from "../../explain/index.js";
import { featureValue, type IngestContext, parseEventBatch } from "../../monitor/index.js";
import type { LogBatch, ModelRecord, Store } from "../../store/index.js";
import type { WindowBounds } from "./types.js";
import { codeOf, sampleIds, truthFunction } from "./usable-rows.js";

/** The slice of the store a window's rows are read with: the ingest log and the version list. */
export type WindowRowsStore = Pick<Store, "readModelBatches" | "listVersions">;

/** A window's rows as columns, their truth (0 when not needed), and the rows left out. */
export interface WindowRows {
  readonly columns: Float64Array[];
  readonly labels: Float64Array;
  readonly skipped: number;
}

/** A model's log batches overlapping [fromMs, toMs) after a sequence, oldest first, in pages: never a scan of the whole log. */
async function* logBatches(
  store: Pick<Store, "readModelBatches">,
  model: string,
  fromMs: number,
  toMs: number,
  afterSequence = 0,
): AsyncGenerator<LogBatch> {
  let after = afterSequence;
  for (;;) {
    const page = await store.readModelBatches(model, fromMs, toMs, after, 500);
    if (page.length === 0) return;
    for (const batch of page) {
      after = batch.sequence!;
      yield batch;
    }
  }
}

/**
 * The window's rows from the ingest log, in two passes so that memory holds ids, not features: the
 * first collects the ids of the version's events in the window (skipping event batches whose time
 * range misses it) and joins their labels; at most 2,000 are drawn (seeded); the second reads just
 * those events' features. `needLabels` false (linear models) takes every event.
 *
 * @example
 * ```ts
 * const rows = await windowRows(store, record, "1", window, ["temp", "hum"], true, random);
 * rows.labels.length; // the rows drawn, each with every feature and its label
 * ```
 */
export async function windowRows(
  store: WindowRowsStore,
  record: ModelRecord,
  version: string,
  window: WindowBounds,
  names: readonly string[],
  needLabels: boolean,
  random: () => number,
): Promise<WindowRows> {
  const { startMs, endMs } = window;
  const versions = new Set((await store.listVersions(record.name)).map((v) => v.version));
  const context = (batch: LogBatch): IngestContext => ({
    task: record.task,
    columns: new Map(record.features.map((f) => [f.name, f.type])),
    versions,
    ...(record.classes === undefined ? {} : { classes: record.classes }),
    oldestAcceptedMs: Number.NEGATIVE_INFINITY,
    newestAcceptedMs: Number.POSITIVE_INFINITY,
    nowMs: batch.receivedMs,
  });
  const overlaps = (batch: LogBatch) =>
    batch.model === record.name &&
    batch.kind === "events" &&
    batch.maxEventMs >= startMs &&
    batch.minEventMs < endMs;
  const eventsOf = (batch: LogBatch) => {
    const parsed = parseEventBatch(Buffer.from(batch.payload).toString("utf8"), "ndjson", context(batch));
    if (!parsed.ok)
      throw new Error(`log batch ${batch.sequence} does not parse: ${JSON.stringify(parsed.problems[0])}`);
    return parsed.records.filter((e) => e.version === version && e.timeMs >= startMs && e.timeMs < endMs);
  };

  // Pass 1: ids in log order, with their truth (NaN until labelled).
  const truthOf = truthFunction(record);
  const truth = new Map<string, number>();
  let first = -1;
  let last = -1;
  for await (const batch of logBatches(store, record.name, startMs, endMs)) {
    if (!overlaps(batch)) continue;
    const events = eventsOf(batch);
    if (events.length === 0) continue;
    if (first < 0) first = batch.sequence!;
    last = batch.sequence!;
    for (const e of events) truth.set(e.id, Number.NaN);
  }
  // Labels come after their events, at any later time: the label batches after the first event's.
  if (needLabels && truth.size > 0)
    for await (const batch of logBatches(
      store,
      record.name,
      Number.NEGATIVE_INFINITY,
      Number.POSITIVE_INFINITY,
      first - 1,
    )) {
      if (batch.kind !== "labels") continue;
      for (const line of Buffer.from(batch.payload).toString("utf8").split("\n")) {
        if (line === "") continue;
        const { label } = JSON.parse(line) as { label: { id: string; value: string | number } };
        if (truth.has(label.id)) truth.set(label.id, truthOf(label.value));
      }
    }
  const candidates: string[] = [];
  let skipped = 0;
  for (const [id, value] of truth) {
    if (!needLabels || !Number.isNaN(value)) candidates.push(id);
  }
  const chosen = sampleIds(candidates, PERMUTATION_MAX_ROWS, random);

  // Pass 2: the chosen events' features, in log order.
  const columns = names.map(() => [] as number[]);
  const labels: number[] = [];
  if (chosen.size > 0)
    for await (const batch of logBatches(store, record.name, startMs, endMs, first - 1)) {
      if (batch.sequence! > last) break;
      if (!overlaps(batch)) continue;
      for (const event of eventsOf(batch)) {
        if (!chosen.has(event.id)) continue;
        const row = names.map((name) => codeOf(featureValue(event.features, name) ?? null, name));
        if (row.some(Number.isNaN)) {
          skipped++;
          continue;
        }
        for (const [j, v] of row.entries()) columns[j]!.push(v);
        labels.push(needLabels ? truth.get(event.id)! : 0);
      }
    }
  return { columns: columns.map((c) => Float64Array.from(c)), labels: Float64Array.from(labels), skipped };
}
