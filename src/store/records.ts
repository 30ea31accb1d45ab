/** The kind of model, which decides its quality metrics. */
export type ModelTask = "binary" | "multiclass" | "regression";

/** A feature of a model's input schema. */
export interface FeatureSpec {
  readonly name: string;
  readonly type: "numeric" | "categorical";
  /** `sensitive` attributes are kept for fairness analysis and are not drift-tested as features. */
  readonly role: "feature" | "sensitive";
  /**
   * `false`: the column is kept with the events and shown, but not drift-tested (and not counted in
   * the features' multiple-testing family). For columns that differ from the reference by
   * construction, such as the calendar (a week's month is never a year's months). Absent means
   * tested; stored only when `false`, so older records read the same.
   */
  readonly drift?: false;
}

/** A registered model. */
export interface ModelRecord {
  readonly name: string;
  readonly task: ModelTask;
  readonly features: readonly FeatureSpec[];
  /** Class labels for classifiers, in score order. */
  readonly classes?: readonly string[];
  readonly createdMs: number;
}

/** A version of a model. */
export interface VersionRecord {
  readonly model: string;
  readonly version: string;
  readonly createdMs: number;
  /** Free-form facts about the version (training data, metrics, owner). */
  readonly meta: Readonly<Record<string, unknown>>;
}

/**
 * Binary artifacts stored with a version. `reference-rows` is the reference upload as sent (the
 * profile keeps each column sorted on its own, so rows cannot be rebuilt from it), for clients that
 * need the rows themselves (`tiktoktoe optimize --server`): see `src/server/model-files.ts`.
 */
export type ArtifactKind =
  | "onnx"
  | "reference-profile"
  | "reference-importance"
  | "reference-quality"
  | "reference-rows";

/** One accepted ingest batch, stored as a single row (see docs/design/monitoring-server.md). */
export interface LogBatch {
  /** Assigned by the store on append; increasing. */
  readonly sequence?: number;
  readonly model: string;
  readonly kind: "events" | "labels";
  readonly receivedMs: number;
  /** Event-time range of the records (labels: their own times), for retention. */
  readonly minEventMs: number;
  readonly maxEventMs: number;
  readonly count: number;
  /** The records, encoded by the caller. */
  readonly payload: Uint8Array;
}

/**
 * What the event index keeps of an accepted event: its id (exact deduplication for as long as the
 * retention keeps it) and what a label arriving later needs to update the event's window, so neither
 * needs the log or memory.
 */
export interface IndexedEvent {
  readonly id: string;
  readonly version: string;
  readonly timeMs: number;
  /** The event's prediction, scores and sensitive groups, JSON encoded by the caller. */
  readonly join: string;
}

/** A batch of events to append (see {@link Store.appendIngest}). */
export interface EventsAppend {
  readonly kind: "events";
  readonly model: string;
  readonly receivedMs: number;
  /** Each event's index entry and its record as logged: one JSON object, no newline. */
  readonly events: ReadonlyArray<{ readonly index: IndexedEvent; readonly source: string }>;
}

/** A batch of labels to append (see {@link Store.appendIngest}). */
export interface LabelsAppend {
  readonly kind: "labels";
  readonly model: string;
  readonly receivedMs: number;
  /** Each label's event id, its resolved time, and its record as logged: one JSON object. */
  readonly labels: ReadonlyArray<{ readonly id: string; readonly timeMs: number; readonly source: string }>;
}

/** One batch of {@link Store.appendIngest}. */
export type IngestAppend = EventsAppend | LabelsAppend;

/** What {@link Store.appendIngest} did with one batch. */
export interface IngestAppendResult {
  /** The log row written for the batch's new records; null when nothing was new. */
  readonly sequence: number | null;
  readonly accepted: number;
  /** Events whose id was indexed already; labels whose event was labelled already. */
  readonly duplicates: number;
  /** Labels whose event is not in the index (never accepted, or past the retention). */
  readonly unmatched: number;
}

/** The persisted state of one event-time window. */
export interface WindowRecord {
  readonly model: string;
  readonly version: string;
  readonly startMs: number;
  readonly endMs: number;
  /** Serialised accumulators and sketches, encoded by the caller. */
  readonly state: Uint8Array;
  /** Metrics and verdicts as JSON, for listing without decoding the state. */
  readonly summary: Readonly<Record<string, unknown>>;
  readonly updatedMs: number;
}

/** A notification waiting in (or done with) the durable outbox: one per receiver channel. */
export interface OutboxItem {
  /** Assigned by the store. */
  readonly id?: number;
  readonly createdMs: number;
  /** The configured channel that delivers it. */
  readonly channel: string;
  readonly groupKey: string;
  /** The notification, encoded by the caller (JSON). */
  readonly payload: string;
  readonly state: "pending" | "sent" | "failed";
  readonly attempts: number;
  /** When the next attempt is due (pending items). */
  readonly nextAttemptMs: number;
  readonly lastError: string | null;
  readonly sentMs: number | null;
}

/** A silence: matchers and a time range (Alertmanager's shape). */
export interface SilenceRecord {
  readonly id: string;
  readonly matchers: ReadonlyArray<{
    readonly name: string;
    readonly value: string;
    readonly isRegex: boolean;
    readonly isEqual: boolean;
  }>;
  readonly startsMs: number;
  readonly endsMs: number;
  readonly createdBy: string;
  readonly comment: string;
  readonly createdMs: number;
}
