import type {
  ArtifactKind,
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
  /** Batches with a sequence greater than `afterSequence`, oldest first, at most `limit`. */
  readBatches(afterSequence: number, limit: number): Promise<LogBatch[]>;

  /** Upserts window states and records the log position they include, in one transaction. */
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

  /** Deletes log batches whose newest event is before `cutoffMs` and windows ending before it. */
  deleteBefore(cutoffMs: number): Promise<{ batches: number; windows: number }>;

  close(): Promise<void>;
}

/** A stored document (see {@link Store.putDocument}). */
export interface DocumentRecord {
  readonly collection: string;
  readonly key: string;
  readonly timeMs: number;
  /** JSON text, encoded by the caller. */
  readonly body: string;
}
