import {
  type BatchFormat,
  type IngestContext,
  type PredictionEvent,
  parseEventBatch,
  parseEventRecords,
  parseLabelBatch,
  type RecordProblem,
  type WindowModel,
} from "../../monitor/index.js";
import type { IngestAppend, IngestAppendResult, ModelRecord } from "../../store/index.js";
import { type AppendedEvents, joinOf } from "../aggregator/index.js";
import { windowModelOf } from "../reference.js";
import { columnsOf } from "./context.js";

/**
 * A batch as the store appends it, or why the parser refused it. An events batch comes with the
 * parsed records, one per appended event (what its logged line parses to): the aggregator takes them
 * instead of reading the batch back from the log (Aggregator.aggregateAppended).
 */
export type DerivedAppend =
  | { readonly ok: true; readonly append: IngestAppend; readonly records?: readonly PredictionEvent[] }
  | { readonly ok: false; readonly problems: RecordProblem[]; readonly truncated: boolean };

/** What a batch's append is derived from: its body as sent and the facts of its receipt. */
export interface BatchReceipt {
  readonly model: string;
  readonly kind: IngestAppend["kind"];
  readonly format: BatchFormat;
  /**
   * The body's text (the request's bytes decoded as UTF-8), or the server's own event objects
   * (answered predictions), validated as they are, as the JSON array of them would be.
   */
  readonly text: string | readonly unknown[];
  /** The wall-clock time of receipt, kept with the log row. */
  readonly receivedMs: number;
}

/**
 * The store's append of a request's batch: the one derivation of both ingest paths, so that a batch
 * is stored the same whichever path stored it — the API process appending it itself (no queue), or a
 * worker appending what an API replica published (`--queue`, the body as sent, re-parsed here with
 * {@link workerContext}). Each event keeps its line as sent (or, when the server gave it its time,
 * the record with that time) and is indexed with its join fields; each label is logged with its
 * resolved time.
 *
 * @example
 * ```ts
 * const derived = deriveAppend({ model: "bike", kind: "events", format: "ndjson", text, receivedMs }, context, runtime.window);
 * if (derived.ok) await store.appendIngest([derived.append]);
 * ```
 */
export function deriveAppend(
  receipt: BatchReceipt,
  context: IngestContext,
  window: Pick<WindowModel, "sensitive">,
): DerivedAppend {
  const { model, receivedMs, text, format } = receipt;
  if (receipt.kind === "events") {
    const parsed =
      typeof text === "string" ? parseEventBatch(text, format, context) : parseEventRecords(text, context);
    if (!parsed.ok) return parsed;
    return {
      ok: true,
      append: {
        kind: "events",
        model,
        receivedMs,
        events: parsed.records.map((event, i) => ({
          index: { id: event.id, version: event.version, timeMs: event.timeMs, join: joinOf(window, event) },
          source: parsed.sources[i]!,
        })),
      },
      records: parsed.records,
    };
  }
  const parsed = parseLabelBatch(typeof text === "string" ? text : JSON.stringify(text), format, context);
  if (!parsed.ok) return parsed;
  return {
    ok: true,
    append: {
      kind: "labels",
      model,
      receivedMs,
      // The label's time is resolved now (it may default to the clock), so the resolved record is logged.
      labels: parsed.records.map((label) => ({
        id: label.id,
        timeMs: label.timeMs,
        source: JSON.stringify({ id: label.id, value: label.value, time: label.timeMs }),
      })),
    },
  };
}

/** Every version is known to a worker: the API replica checked it against its registry. */
const ANY_VERSION: Pick<ReadonlySet<string>, "has"> = { has: () => true };

/**
 * The context a worker re-parses a published batch with: the model's schema from its stored record,
 * the API's `nowMs` (the time it gave records without one), and every bound the API judged already
 * opened up — lateness, the future, the version list — so that a batch the API accepted is never
 * refused because time moved on or a version list was not yet refreshed here.
 *
 * @example
 * ```ts
 * deriveAppend(receipt, workerContext(record, header.nowMs), windowModelOf(record));
 * ```
 */
export function workerContext(record: ModelRecord, nowMs: number): IngestContext {
  return {
    task: record.task,
    columns: columnsOf(record),
    versions: ANY_VERSION,
    ...(record.classes === undefined ? {} : { classes: record.classes }),
    oldestAcceptedMs: Number.NEGATIVE_INFINITY,
    newestAcceptedMs: Number.POSITIVE_INFINITY,
    nowMs,
  };
}

/** The window model a worker derives a model's join fields with (the registry's, from the record). */
export function workerWindow(record: ModelRecord): Pick<WindowModel, "sensitive"> {
  return windowModelOf(record);
}

/**
 * The event batches of a commit that the store logged whole, with their records, in log order: what
 * the aggregator may take without reading the log back. A batch with duplicates logged only its new
 * events, so it is left out (and, with it, every later one: the aggregator reads those from the log).
 *
 * @example
 * ```ts
 * appendedWhole([{ append, records }], await store.appendIngest([append])); // [{ sequence, model, events: records }]
 * ```
 */
export function appendedWhole(
  batches: ReadonlyArray<{
    readonly append: IngestAppend;
    readonly records?: readonly PredictionEvent[] | undefined;
  }>,
  results: readonly IngestAppendResult[],
): AppendedEvents[] {
  const out: AppendedEvents[] = [];
  for (const [i, { append, records }] of batches.entries()) {
    const result = results[i];
    if (result?.sequence === null || result === undefined) continue;
    if (append.kind !== "events" || records === undefined || result.duplicates > 0) break;
    if (records.length !== result.accepted) break;
    out.push({ sequence: result.sequence, model: append.model, events: records });
  }
  return out;
}
