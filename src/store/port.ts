import type {
  ArtifactKind,
  IngestAppend,
  IngestAppendResult,
  LogBatch,
  ModelRecord,
  OutboxItem,
  SilenceRecord,
  VersionRecord,
  WindowRecord,
} from "./records.js";

/**
 * The storage port: everything the monitoring server keeps. Adapters (`sqlite/`, later `postgres/`)
 * implement it and pass the one conformance suite (`conformance.ts`). Methods are async so that a
 * networked database fits; the SQLite adapter answers synchronously inside them.
 *
 * Expected failures throw {@link TikTokToeError} with `STORE_CONFLICT` (a record that exists) or
 * `STORE_NOT_FOUND` (a parent that does not); anything else is a bug or an outage.
 *
 * @example
 * ```ts
 * const store: Store = await openSqliteStore({ file: "data/tiktoktoe.db" });
 * await store.createModel({ name: "bike", task: "regression", features, createdMs: Date.now() });
 * ```
 */
export interface Store {
  readonly dialect: "sqlite" | "postgres";

  createModel(model: ModelRecord): Promise<void>;
  getModel(name: string): Promise<ModelRecord | undefined>;
  listModels(): Promise<ModelRecord[]>;

  createVersion(version: VersionRecord): Promise<void>;
  getVersion(model: string, version: string): Promise<VersionRecord | undefined>;
  listVersions(model: string): Promise<VersionRecord[]>;
  /** Stores (or replaces) an artifact of an existing version. */
  putArtifact(model: string, version: string, kind: ArtifactKind, bytes: Uint8Array): Promise<void>;
  getArtifact(model: string, version: string, kind: ArtifactKind): Promise<Uint8Array | undefined>;

  /** Appends batches in one transaction (all or none) and returns their sequences, in order. */
  appendBatches(batches: readonly LogBatch[]): Promise<number[]>;
  /**
   * Appends ingest batches in one transaction (all or none), in order; the log and the event index
   * change together, so deduplication is exact across restarts and processes:
   * - events: each is indexed by (model, id); an id indexed already (earlier, or earlier in this
   *   call) is a duplicate and is not logged. The new ones become one log row whose payload is their
   *   `source` lines joined by "\n", its event-time range theirs.
   * - labels: each is joined to its indexed event; an unknown id is unmatched, an event labelled
   *   already (earlier, or earlier in this call) is a duplicate; the rest mark their event labelled
   *   and become one log row of lines {@link labelLogLine}`(source, event)`, its time range the labels'.
   * A batch with nothing new writes no row (sequence null). A batch of a model that does not exist
   * fails the whole call with `STORE_NOT_FOUND`, as in `appendBatches`.
   */
  appendIngest(batches: readonly IngestAppend[]): Promise<IngestAppendResult[]>;
  /** Batches with a sequence greater than `afterSequence`, oldest first, at most `limit`. */
  readBatches(afterSequence: number, limit: number): Promise<LogBatch[]>;
  /**
   * One model's batches after `afterSequence` whose event-time range overlaps [fromMs, toMs), oldest
   * first, at most `limit` (explanations and the learning loop read by model and time, never the
   * whole log). `fromMs` may be -Infinity and `toMs` Infinity for an open end.
   */
  readModelBatches(
    model: string,
    fromMs: number,
    toMs: number,
    afterSequence: number,
    limit: number,
  ): Promise<LogBatch[]>;
  /**
   * The newest log sequence assigned (0 before any append). Retention deleting the newest batches does
   * not move it back, so it never falls behind a consumer's checkpoint.
   */
  logHead(): Promise<number>;
  /** Accepted events of a model still in the index (for tests and metrics). */
  countIndexedEvents(model: string): Promise<number>;

  /** A consumer's checkpoint: the log position it has committed (0 before any). */
  getCheckpoint(consumer: string): Promise<number>;
  /** Sets a consumer's checkpoint (consumers that commit state with it use their own method). */
  putCheckpoint(consumer: string, position: number): Promise<void>;

  /**
   * Upserts window states and records the log position they include (the checkpoint of the
   * `aggregator` consumer), in one transaction: a crash keeps both or neither.
   */
  putWindows(windows: readonly WindowRecord[], logPosition: number): Promise<void>;
  /** Windows of a model starting in [fromMs, toMs), oldest first, optionally of one version. */
  getWindows(model: string, fromMs: number, toMs: number, version?: string): Promise<WindowRecord[]>;
  /**
   * The same windows without their state (listings and charts need only the summaries, and the states
   * are most of the bytes).
   */
  getWindowSummaries(
    model: string,
    fromMs: number,
    toMs: number,
    version?: string,
  ): Promise<Array<Omit<WindowRecord, "state">>>;
  /** The log position saved with the last `putWindows` (0 before any). */
  getLogPosition(): Promise<number>;

  /**
   * Saves the alerting state (the caller's serialised alerts and notification log) and enqueues the
   * notifications it decided, in one transaction: a decided notification is never lost, and never
   * enqueued twice by a replayed decision. Returns the new items' ids.
   */
  commitAlerting(state: string, enqueue: readonly OutboxItem[]): Promise<number[]>;
  /** The alerting state saved by the last `commitAlerting`, if any. */
  getAlertingState(): Promise<string | undefined>;
  /** Pending outbox items due at `nowMs`, oldest first. */
  dueNotifications(nowMs: number, limit: number): Promise<OutboxItem[]>;
  /**
   * Claims due pending items for `owner` until `nowMs + leaseMs`, oldest first, at most `limit`: an
   * item whose lease has not run out is skipped, whoever holds it (the owner's own included, so two
   * delivery loops of one process do not send it twice either), so two processes never deliver the
   * same notification. A lease that ends at or before `nowMs` has run out. `updateNotification` ends
   * the claim.
   */
  claimNotifications(nowMs: number, limit: number, owner: string, leaseMs: number): Promise<OutboxItem[]>;
  /** Records the outcome of a delivery attempt (state, attempts, next attempt, error, sent time). */
  updateNotification(
    id: number,
    update: Pick<OutboxItem, "state" | "attempts" | "nextAttemptMs" | "lastError" | "sentMs">,
  ): Promise<void>;
  /** Outbox items, newest first (for the API and tests). */
  listNotifications(limit: number): Promise<OutboxItem[]>;

  putSilence(silence: SilenceRecord): Promise<void>;
  listSilences(): Promise<SilenceRecord[]>;
  /** Ends a silence now (Alertmanager's "expire"); false when there is no such silence. */
  expireSilence(id: string, nowMs: number): Promise<boolean>;

  /**
   * Small JSON documents by collection and key, each with a time for listing and retention: health
   * reports, resource windows, cached explanations. Putting an existing key replaces it.
   */
  putDocument(document: DocumentRecord): Promise<void>;
  getDocument(collection: string, key: string): Promise<DocumentRecord | undefined>;
  /** Documents of a collection with a time in [fromMs, toMs), oldest first, at most `limit`. */
  listDocuments(collection: string, fromMs: number, toMs: number, limit: number): Promise<DocumentRecord[]>;
  /** Deletes a collection's documents with a time before `cutoffMs`; returns how many. */
  deleteDocumentsBefore(collection: string, cutoffMs: number): Promise<number>;

  /**
   * Deletes log batches whose newest event is before `cutoffMs`, windows ending before it, and
   * index entries of events before it (their ids may be accepted again afterwards).
   */
  deleteBefore(cutoffMs: number): Promise<{ batches: number; windows: number; events: number }>;

  close(): Promise<void>;
}

/**
 * The logged line of a joined label (see {@link Store.appendIngest}): the label's record and the
 * fields of its event the window needs, so a consumer applies it without looking the event up.
 *
 * @example
 * ```ts
 * labelLogLine('{"id":"e1","value":3,"time":5}', { version: "1", timeMs: 1, join: '{"prediction":2}' });
 * // '{"label":{"id":"e1","value":3,"time":5},"event":{"version":"1","time":1,"join":{"prediction":2}}}'
 * ```
 */
export function labelLogLine(
  source: string,
  event: { readonly version: string; readonly timeMs: number; readonly join: string },
): string {
  return `{"label":${source},"event":{"version":${JSON.stringify(event.version)},"time":${event.timeMs},"join":${event.join}}}`;
}

/**
 * The bounds of a time range for a query: open ends (±Infinity) become the widest safe integers, so no
 * adapter passes a non-finite number to SQL.
 *
 * @example
 * ```ts
 * finiteRange(Number.NEGATIVE_INFINITY, 10); // [-9007199254740991, 10]
 * ```
 */
export function finiteRange(fromMs: number, toMs: number): [number, number] {
  const clamp = (ms: number) =>
    Number.isNaN(ms) ? Number.NaN : Math.max(Number.MIN_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, ms));
  return [clamp(fromMs), clamp(toMs)];
}

/** A stored document (see {@link Store.putDocument}). */
export interface DocumentRecord {
  readonly collection: string;
  readonly key: string;
  readonly timeMs: number;
  /** JSON text, encoded by the caller. */
  readonly body: string;
}
