import { type IngestContext, type PredictionEvent, parseEventBatch } from "../monitor/index.js";
import type { LogBatch, ModelRecord, Store } from "../store/index.js";

/**
 * Training pairs from the ingest log: each labelled event's features joined with its label, read by
 * model and event time — never the whole log. Used by `GET /v1/models/{m}/labelled` (and so by
 * `tiktoktoe optimize --server`) and meant for the continuous-learning loop: it needs only the store.
 */

/** One event with its label. */
export interface LabelledEvent {
  readonly id: string;
  readonly version: string;
  readonly timeMs: number;
  readonly features: PredictionEvent["features"];
  readonly prediction: PredictionEvent["prediction"];
  /** The label's value as sent (a class label, or the regression target). */
  readonly label: number | string;
}

/** What {@link readLabelledEvents} reads. */
export interface LabelledQuery {
  readonly model: ModelRecord;
  /** Only this version's events (all versions when left out). */
  readonly version?: string;
  /** Event time range [fromMs, toMs); ±Infinity for an open end. */
  readonly fromMs: number;
  readonly toMs: number;
  /** The most pairs. */
  readonly limit: number;
  /**
   * The most labels held at once (memory bound): labels are collected in chunks of this size, then
   * joined to their events in one pass over the chunk's event-time range. Default 20,000.
   */
  readonly chunk?: number;
}

/** The slice of the store the reader uses. */
export type LabelledStore = Pick<Store, "readModelBatches" | "listVersions">;

const PAGE = 500;

/** A model's batches overlapping [fromMs, toMs) after a sequence, oldest first, in pages. */
async function* modelBatches(
  store: LabelledStore,
  model: string,
  fromMs: number,
  toMs: number,
  afterSequence: number,
): AsyncGenerator<LogBatch> {
  let after = afterSequence;
  for (;;) {
    const page = await store.readModelBatches(model, fromMs, toMs, after, PAGE);
    if (page.length === 0) return;
    for (const batch of page) {
      after = batch.sequence!;
      yield batch;
    }
  }
}

/** One line of a labels batch (see `labelLogLine` in the store port). */
interface LabelLine {
  readonly label: { readonly id: string; readonly value: number | string };
  readonly event: { readonly version: string; readonly time: number };
}

/**
 * The labelled events of a model whose event time is in [fromMs, toMs), optionally of one version, at
 * most `limit`, in log order within each chunk of labels.
 *
 * How it reads (the store's model and time filters; memory bounded by `chunk` labels):
 * 1. the first events batch overlapping the range — every label of an event in it comes later in the
 *    log, because a label is only logged once it has joined its indexed event;
 * 2. the model's batches after that point, labels only: each label line carries its event's version
 *    and time, so labels of other times and versions are dropped without touching the events;
 * 3. per chunk, the events batches overlapping the chunk's event-time range, up to the last label
 *    batch read, whose events in the chunk are yielded with their labels.
 * An event whose batch retention deleted has no features and is left out.
 *
 * @example
 * ```ts
 * for await (const pair of readLabelledEvents(store, { model: record, fromMs: -Infinity, toMs: Infinity, limit: 10_000 }))
 *   rows.push({ ...pair.features, target: pair.label });
 * ```
 */
export async function* readLabelledEvents(
  store: LabelledStore,
  query: LabelledQuery,
): AsyncGenerator<LabelledEvent> {
  const { model, version, fromMs, toMs, limit } = query;
  const chunkSize = Math.max(1, query.chunk ?? 20_000);
  if (limit <= 0 || !(fromMs < toMs)) return;
  const name = model.name;
  let first: number | undefined;
  for await (const batch of modelBatches(store, name, fromMs, toMs, 0))
    if (batch.kind === "events") {
      first = batch.sequence!;
      break;
    }
  if (first === undefined) return;

  const versions = new Set((await store.listVersions(name)).map((v) => v.version));
  const context = (batch: LogBatch): IngestContext => ({
    task: model.task,
    columns: new Map(model.features.map((f) => [f.name, f.type])),
    versions,
    ...(model.classes === undefined ? {} : { classes: model.classes }),
    oldestAcceptedMs: Number.NEGATIVE_INFINITY,
    newestAcceptedMs: Number.POSITIVE_INFINITY,
    nowMs: batch.receivedMs,
  });

  let emitted = 0;
  const labels = modelBatches(store, name, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, first - 1);
  let exhausted = false;
  while (!exhausted && emitted < limit) {
    // 2. A chunk of labels of events in the range (whole batches: a chunk may exceed the size by one).
    const chunk = new Map<string, number | string>();
    let lowMs = Number.POSITIVE_INFINITY;
    let highMs = Number.NEGATIVE_INFINITY;
    let lastLabelBatch = first;
    const wanted = Math.min(chunkSize, limit - emitted);
    while (chunk.size < wanted) {
      const next = await labels.next();
      if (next.done === true) {
        exhausted = true;
        break;
      }
      const batch = next.value;
      if (batch.kind !== "labels") continue;
      lastLabelBatch = batch.sequence!;
      for (const text of Buffer.from(batch.payload).toString("utf8").split("\n")) {
        if (text === "") continue;
        const line = JSON.parse(text) as LabelLine;
        const t = line.event.time;
        if (t < fromMs || t >= toMs || (version !== undefined && line.event.version !== version)) continue;
        chunk.set(line.label.id, line.label.value);
        if (t < lowMs) lowMs = t;
        if (t > highMs) highMs = t;
      }
    }
    if (chunk.size === 0) continue;
    // 3. Their events, in log order: batches overlapping the chunk's times, before its last label.
    for await (const batch of modelBatches(store, name, lowMs, highMs + 1, first - 1)) {
      if (batch.sequence! > lastLabelBatch || chunk.size === 0) break;
      if (batch.kind !== "events") continue;
      const parsed = parseEventBatch(Buffer.from(batch.payload).toString("utf8"), "ndjson", context(batch));
      if (!parsed.ok)
        throw new Error(`log batch ${batch.sequence} does not parse: ${JSON.stringify(parsed.problems[0])}`);
      for (const event of parsed.records) {
        const label = chunk.get(event.id);
        if (label === undefined) continue;
        // Ids are unique per model while indexed; after retention one may come back: take the first.
        chunk.delete(event.id);
        yield {
          id: event.id,
          version: event.version,
          timeMs: event.timeMs,
          features: event.features,
          prediction: event.prediction,
          label,
        };
        if (++emitted >= limit) return;
      }
    }
  }
}
