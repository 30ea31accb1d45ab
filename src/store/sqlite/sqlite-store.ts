import { type DocumentRecord, finiteRange, labelLogLine, type Store } from "../port.js";
import type {
  ArtifactKind,
  EventsAppend,
  IngestAppend,
  IngestAppendResult,
  LabelsAppend,
  LogBatch,
  ModelRecord,
  OutboxItem,
  SilenceRecord,
  VersionRecord,
  WindowRecord,
} from "../records.js";
import {
  type BatchRow,
  type DocumentRow,
  type ModelRow,
  type OutboxRow,
  type SilenceRow,
  storeConflict,
  storeNotFound,
  summaryOf,
  toBatch,
  toDocument,
  toModel,
  toOutbox,
  toVersion,
  type VersionRow,
  type WindowRow,
} from "../rows.js";
import { openSqlite, type SqliteDatabase, type SqliteTransaction } from "./driver.js";
import { migrate } from "./migrations.js";

/** Options of {@link openSqliteStore}. */
export interface SqliteStoreOptions {
  /** Database file; `:memory:` for a throw-away store. */
  readonly file: string;
}

interface IndexRow {
  version: string;
  time_ms: number;
  labelled_ms: number | null;
  join_json: string;
}

const LOG_POSITION = "aggregator";
const ALERTING_STATE = "alerting";

/**
 * Opens (creating and migrating as needed) the embedded SQLite store.
 *
 * @example
 * ```ts
 * const store = await openSqliteStore({ file: join(dataDir, "tiktoktoe.db") });
 * ```
 */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  const db = openSqlite(options.file);
  migrate(db);
  return new SqliteStore(db);
}

class SqliteStore implements Store {
  readonly dialect = "sqlite";
  private readonly statements: ReturnType<typeof prepare>;
  private readonly appendIngestTx: SqliteTransaction<[readonly IngestAppend[]], IngestAppendResult[]>;
  private readonly claimTx: SqliteTransaction<[number, number, string, number], OutboxItem[]>;

  constructor(private readonly db: SqliteDatabase) {
    this.statements = prepare(db);
    this.appendIngestTx = db.transaction((batches: readonly IngestAppend[]) =>
      batches.map((batch) => {
        this.requireModel(batch.model);
        return batch.kind === "events" ? this.appendEvents(batch) : this.appendLabels(batch);
      }),
    );
    this.claimTx = db.transaction((nowMs: number, limit: number, owner: string, untilMs: number) => {
      // Run IMMEDIATE (see claimNotifications): the SELECT and the UPDATEs hold the write lock
      // together, so two processes cannot both read an item as free.
      const rows = this.statements.claimable.all(nowMs, nowMs, limit) as OutboxRow[];
      for (const row of rows) this.statements.lease.run(owner, untilMs, row.id);
      return rows.map(toOutbox);
    });
  }

  async createModel(model: ModelRecord): Promise<void> {
    const { changes } = this.statements.insertModel.run(
      model.name,
      model.task,
      JSON.stringify(model.features),
      model.classes === undefined ? null : JSON.stringify(model.classes),
      model.createdMs,
    );
    if (changes === 0) throw storeConflict(`model "${model.name}" exists`);
  }

  async getModel(name: string): Promise<ModelRecord | undefined> {
    const row = this.statements.getModel.get(name) as ModelRow | undefined;
    return row === undefined ? undefined : toModel(row);
  }

  async listModels(): Promise<ModelRecord[]> {
    return (this.statements.listModels.all() as ModelRow[]).map(toModel);
  }

  async createVersion(version: VersionRecord): Promise<void> {
    this.requireModel(version.model);
    const { changes } = this.statements.insertVersion.run(
      version.model,
      version.version,
      version.createdMs,
      JSON.stringify(version.meta),
    );
    if (changes === 0) throw storeConflict(`version "${version.version}" of model "${version.model}" exists`);
  }

  async getVersion(model: string, version: string): Promise<VersionRecord | undefined> {
    const row = this.statements.getVersion.get(model, version) as VersionRow | undefined;
    return row === undefined ? undefined : toVersion(row);
  }

  async listVersions(model: string): Promise<VersionRecord[]> {
    return (this.statements.listVersions.all(model) as VersionRow[]).map(toVersion);
  }

  async putArtifact(model: string, version: string, kind: ArtifactKind, bytes: Uint8Array): Promise<void> {
    if (this.statements.getVersion.get(model, version) === undefined)
      throw storeNotFound(`version "${version}" of model "${model}" does not exist`);
    this.statements.putArtifact.run(model, version, kind, bytes);
  }

  async getArtifact(model: string, version: string, kind: ArtifactKind): Promise<Uint8Array | undefined> {
    const row = this.statements.getArtifact.get(model, version, kind) as { bytes: Uint8Array } | undefined;
    return row === undefined ? undefined : new Uint8Array(row.bytes);
  }

  async appendBatches(batches: readonly LogBatch[]): Promise<number[]> {
    const append = this.db.transaction((items: readonly LogBatch[]) =>
      items.map((batch) => {
        this.requireModel(batch.model);
        const { lastInsertRowid } = this.statements.appendBatch.run(
          batch.model,
          batch.kind,
          batch.receivedMs,
          batch.minEventMs,
          batch.maxEventMs,
          batch.count,
          batch.payload,
        );
        return Number(lastInsertRowid);
      }),
    );
    return append(batches);
  }

  async appendIngest(batches: readonly IngestAppend[]): Promise<IngestAppendResult[]> {
    // IMMEDIATE: label joins read the index before they write, and a second process appending to the
    // same file must wait for the lock up front rather than fail with SQLITE_BUSY in the middle.
    return this.appendIngestTx.immediate(batches);
  }

  /** Inside appendIngest's transaction: index the events, log the fresh ones as one row. */
  private appendEvents(batch: EventsAppend): IngestAppendResult {
    const fresh: string[] = [];
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const { index, source } of batch.events) {
      // INSERT OR IGNORE and `changes` decide "duplicate" in the same statement that indexes the event:
      // no SELECT per event on the hot path, and an id repeated within this call is caught too.
      const { changes } = this.statements.indexEvent.run(
        batch.model,
        index.id,
        index.version,
        index.timeMs,
        index.join,
      );
      if (changes === 0) continue;
      fresh.push(source);
      if (index.timeMs < min) min = index.timeMs;
      if (index.timeMs > max) max = index.timeMs;
    }
    const sequence = fresh.length === 0 ? null : this.logLines(batch, fresh, min, max);
    return { sequence, accepted: fresh.length, duplicates: batch.events.length - fresh.length, unmatched: 0 };
  }

  /** Inside appendIngest's transaction: join each label to its event, log the joined ones as one row. */
  private appendLabels(batch: LabelsAppend): IngestAppendResult {
    const lines: string[] = [];
    let duplicates = 0;
    let unmatched = 0;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const label of batch.labels) {
      const event = this.statements.getIndexed.get(batch.model, label.id) as IndexRow | undefined;
      if (event === undefined) {
        unmatched++;
        continue;
      }
      // labelled_ms is written below in this same transaction, so a second label for the event later
      // in this call reads it as labelled already.
      if (event.labelled_ms !== null) {
        duplicates++;
        continue;
      }
      this.statements.labelIndexed.run(label.timeMs, batch.model, label.id);
      lines.push(
        labelLogLine(label.source, { version: event.version, timeMs: event.time_ms, join: event.join_json }),
      );
      if (label.timeMs < min) min = label.timeMs;
      if (label.timeMs > max) max = label.timeMs;
    }
    const sequence = lines.length === 0 ? null : this.logLines(batch, lines, min, max);
    return { sequence, accepted: lines.length, duplicates, unmatched };
  }

  private logLines(batch: IngestAppend, lines: readonly string[], minMs: number, maxMs: number): number {
    const { lastInsertRowid } = this.statements.appendBatch.run(
      batch.model,
      batch.kind,
      batch.receivedMs,
      minMs,
      maxMs,
      lines.length,
      Buffer.from(lines.join("\n"), "utf8"),
    );
    return Number(lastInsertRowid);
  }

  async readBatches(afterSequence: number, limit: number): Promise<LogBatch[]> {
    return (this.statements.readBatches.all(afterSequence, limit) as BatchRow[]).map(toBatch);
  }

  async readModelBatches(
    model: string,
    fromMs: number,
    toMs: number,
    afterSequence: number,
    limit: number,
  ): Promise<LogBatch[]> {
    const [from, to] = finiteRange(fromMs, toMs);
    return (this.statements.readModelBatches.all(model, afterSequence, from, to, limit) as BatchRow[]).map(
      toBatch,
    );
  }

  async logHead(): Promise<number> {
    // The newest sequence ever assigned, not MAX(sequence): once retention has deleted the newest rows
    // the head must not fall behind the consumers' checkpoints (AUTOINCREMENT never reuses a number).
    return (this.statements.logHead.get() as { head: number }).head;
  }

  async countIndexedEvents(model: string): Promise<number> {
    return (this.statements.countIndexed.get(model) as { n: number }).n;
  }

  async getCheckpoint(consumer: string): Promise<number> {
    const row = this.statements.getPosition.get(consumer) as { position: number } | undefined;
    return row?.position ?? 0;
  }

  async putCheckpoint(consumer: string, position: number): Promise<void> {
    this.statements.putPosition.run(consumer, position);
  }

  async putWindows(windows: readonly WindowRecord[], logPosition: number): Promise<void> {
    this.db.transaction(() => {
      for (const w of windows)
        this.statements.putWindow.run(
          w.model,
          w.version,
          w.startMs,
          w.endMs,
          w.state,
          JSON.stringify(w.summary),
          w.updatedMs,
        );
      this.statements.putPosition.run(LOG_POSITION, logPosition);
    })();
  }

  async getWindows(model: string, fromMs: number, toMs: number, version?: string): Promise<WindowRecord[]> {
    const rows = (
      version === undefined
        ? this.statements.getWindows.all(model, ...finiteRange(fromMs, toMs))
        : this.statements.getWindowsOfVersion.all(model, ...finiteRange(fromMs, toMs), version)
    ) as WindowRow[];
    return rows.map((row) => ({
      model: row.model,
      version: row.version,
      startMs: row.start_ms,
      endMs: row.end_ms,
      state: new Uint8Array(row.state),
      summary: JSON.parse(row.summary) as Record<string, unknown>,
      updatedMs: row.updated_ms,
    }));
  }

  async getWindowSummaries(
    model: string,
    fromMs: number,
    toMs: number,
    version?: string,
  ): Promise<Array<Omit<WindowRecord, "state">>> {
    const rows = (
      version === undefined
        ? this.statements.getWindowSummaries.all(model, ...finiteRange(fromMs, toMs))
        : this.statements.getWindowSummariesOfVersion.all(model, ...finiteRange(fromMs, toMs), version)
    ) as Array<Omit<WindowRow, "state">>;
    return rows.map(summaryOf);
  }

  async getLogPosition(): Promise<number> {
    return this.getCheckpoint(LOG_POSITION);
  }

  async commitAlerting(state: string, enqueue: readonly OutboxItem[]): Promise<number[]> {
    return this.db.transaction(() => {
      this.statements.putKv.run(ALERTING_STATE, state);
      return enqueue.map((item) =>
        Number(
          this.statements.enqueue.run(
            item.createdMs,
            item.channel,
            item.groupKey,
            item.payload,
            item.state,
            item.attempts,
            item.nextAttemptMs,
            item.lastError,
            item.sentMs,
          ).lastInsertRowid,
        ),
      );
    })();
  }

  async getAlertingState(): Promise<string | undefined> {
    return (this.statements.getKv.get(ALERTING_STATE) as { value: string } | undefined)?.value;
  }

  async dueNotifications(nowMs: number, limit: number): Promise<OutboxItem[]> {
    return (this.statements.due.all(finite(nowMs), limit) as OutboxRow[]).map(toOutbox);
  }

  /**
   * Any live lease is skipped, the owner's own included: the port requires it for other owners, and a
   * second delivery loop of the same owner must not send an item that one is still sending either.
   */
  async claimNotifications(
    nowMs: number,
    limit: number,
    owner: string,
    leaseMs: number,
  ): Promise<OutboxItem[]> {
    return this.claimTx.immediate(finite(nowMs), limit, owner, finite(nowMs + leaseMs));
  }

  async updateNotification(
    id: number,
    update: Pick<OutboxItem, "state" | "attempts" | "nextAttemptMs" | "lastError" | "sentMs">,
  ): Promise<void> {
    this.statements.updateOutbox.run(
      update.state,
      update.attempts,
      update.nextAttemptMs,
      update.lastError,
      update.sentMs,
      id,
    );
  }

  async listNotifications(limit: number): Promise<OutboxItem[]> {
    return (this.statements.listOutbox.all(limit) as OutboxRow[]).map(toOutbox);
  }

  async putSilence(silence: SilenceRecord): Promise<void> {
    this.statements.putSilence.run(
      silence.id,
      JSON.stringify(silence.matchers),
      silence.startsMs,
      silence.endsMs,
      silence.createdBy,
      silence.comment,
      silence.createdMs,
    );
  }

  async listSilences(): Promise<SilenceRecord[]> {
    return (this.statements.listSilences.all() as SilenceRow[]).map((row) => ({
      id: row.id,
      matchers: JSON.parse(row.matchers) as SilenceRecord["matchers"],
      startsMs: row.starts_ms,
      endsMs: row.ends_ms,
      createdBy: row.created_by,
      comment: row.comment,
      createdMs: row.created_ms,
    }));
  }

  async expireSilence(id: string, nowMs: number): Promise<boolean> {
    return this.statements.expireSilence.run(nowMs, id, nowMs).changes > 0;
  }

  async putDocument(document: DocumentRecord): Promise<void> {
    this.statements.putDocument.run(document.collection, document.key, document.timeMs, document.body);
  }

  async getDocument(collection: string, key: string): Promise<DocumentRecord | undefined> {
    const row = this.statements.getDocument.get(collection, key) as DocumentRow | undefined;
    return row === undefined ? undefined : toDocument(row);
  }

  async listDocuments(
    collection: string,
    fromMs: number,
    toMs: number,
    limit: number,
  ): Promise<DocumentRecord[]> {
    return (
      this.statements.listDocuments.all(collection, ...finiteRange(fromMs, toMs), limit) as DocumentRow[]
    ).map(toDocument);
  }

  async deleteDocumentsBefore(collection: string, cutoffMs: number): Promise<number> {
    return this.statements.deleteDocuments.run(collection, finite(cutoffMs)).changes;
  }

  async deleteBefore(cutoffMs: number): Promise<{ batches: number; windows: number; events: number }> {
    const cutoff = finite(cutoffMs);
    return this.db.transaction(() => ({
      batches: this.statements.deleteBatches.run(cutoff).changes,
      windows: this.statements.deleteWindows.run(cutoff).changes,
      events: this.statements.deleteIndexed.run(cutoff).changes,
    }))();
  }

  async close(): Promise<void> {
    this.db.close();
  }

  private requireModel(name: string): void {
    if (this.statements.getModel.get(name) === undefined)
      throw storeNotFound(`model "${name}" does not exist`);
  }
}

function prepare(db: SqliteDatabase) {
  return {
    insertModel: db.prepare(
      "INSERT INTO models (name, task, features, classes, created_ms) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
    ),
    getModel: db.prepare("SELECT * FROM models WHERE name = ?"),
    listModels: db.prepare("SELECT * FROM models ORDER BY name"),
    insertVersion: db.prepare(
      "INSERT INTO versions (model, version, created_ms, meta) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
    ),
    getVersion: db.prepare("SELECT * FROM versions WHERE model = ? AND version = ?"),
    listVersions: db.prepare("SELECT * FROM versions WHERE model = ? ORDER BY created_ms, version"),
    putArtifact: db.prepare(
      "INSERT INTO artifacts (model, version, kind, bytes) VALUES (?, ?, ?, ?) ON CONFLICT (model, version, kind) DO UPDATE SET bytes = excluded.bytes",
    ),
    getArtifact: db.prepare("SELECT bytes FROM artifacts WHERE model = ? AND version = ? AND kind = ?"),
    appendBatch: db.prepare(
      "INSERT INTO ingest_log (model, kind, received_ms, min_event_ms, max_event_ms, count, payload) VALUES (?, ?, ?, ?, ?, ?, ?)",
    ),
    readBatches: db.prepare("SELECT * FROM ingest_log WHERE sequence > ? ORDER BY sequence LIMIT ?"),
    // [min_event_ms, max_event_ms] overlaps [from, to); served by ingest_log_by_model (migration 4).
    readModelBatches: db.prepare(
      `SELECT * FROM ingest_log WHERE model = ? AND sequence > ? AND max_event_ms >= ? AND min_event_ms < ?
       ORDER BY sequence LIMIT ?`,
    ),
    logHead: db.prepare(
      "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'ingest_log'), 0) AS head",
    ),
    indexEvent: db.prepare(
      "INSERT OR IGNORE INTO event_index (model, id, version, time_ms, join_json) VALUES (?, ?, ?, ?, ?)",
    ),
    getIndexed: db.prepare(
      "SELECT version, time_ms, labelled_ms, join_json FROM event_index WHERE model = ? AND id = ?",
    ),
    labelIndexed: db.prepare("UPDATE event_index SET labelled_ms = ? WHERE model = ? AND id = ?"),
    countIndexed: db.prepare("SELECT COUNT(*) AS n FROM event_index WHERE model = ?"),
    deleteIndexed: db.prepare("DELETE FROM event_index WHERE time_ms < ?"),
    putWindow: db.prepare(
      `INSERT INTO windows (model, version, start_ms, end_ms, state, summary, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (model, start_ms, version) DO UPDATE SET end_ms = excluded.end_ms, state = excluded.state,
       summary = excluded.summary, updated_ms = excluded.updated_ms`,
    ),
    getWindows: db.prepare(
      "SELECT * FROM windows WHERE model = ? AND start_ms >= ? AND start_ms < ? ORDER BY start_ms, version",
    ),
    getWindowSummaries: db.prepare(
      "SELECT model, version, start_ms, end_ms, summary, updated_ms FROM windows WHERE model = ? AND start_ms >= ? AND start_ms < ? ORDER BY start_ms, version",
    ),
    getWindowSummariesOfVersion: db.prepare(
      "SELECT model, version, start_ms, end_ms, summary, updated_ms FROM windows WHERE model = ? AND start_ms >= ? AND start_ms < ? AND version = ? ORDER BY start_ms",
    ),
    getWindowsOfVersion: db.prepare(
      "SELECT * FROM windows WHERE model = ? AND start_ms >= ? AND start_ms < ? AND version = ? ORDER BY start_ms",
    ),
    putPosition: db.prepare(
      "INSERT INTO checkpoints (name, position) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position",
    ),
    getPosition: db.prepare("SELECT position FROM checkpoints WHERE name = ?"),
    putKv: db.prepare(
      "INSERT INTO kv (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
    ),
    getKv: db.prepare("SELECT value FROM kv WHERE name = ?"),
    enqueue: db.prepare(
      "INSERT INTO outbox (created_ms, channel, group_key, payload, state, attempts, next_attempt_ms, last_error, sent_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    ),
    due: db.prepare(
      "SELECT * FROM outbox WHERE state = 'pending' AND next_attempt_ms <= ? ORDER BY id LIMIT ?",
    ),
    claimable: db.prepare(
      `SELECT * FROM outbox WHERE state = 'pending' AND next_attempt_ms <= ?
       AND (lease_until_ms IS NULL OR lease_until_ms <= ?) ORDER BY id LIMIT ?`,
    ),
    lease: db.prepare("UPDATE outbox SET lease_owner = ?, lease_until_ms = ? WHERE id = ?"),
    // A recorded outcome ends the claim: the item is the next claimer's again (if still pending).
    updateOutbox: db.prepare(
      `UPDATE outbox SET state = ?, attempts = ?, next_attempt_ms = ?, last_error = ?, sent_ms = ?,
       lease_owner = NULL, lease_until_ms = NULL WHERE id = ?`,
    ),
    listOutbox: db.prepare("SELECT * FROM outbox ORDER BY id DESC LIMIT ?"),
    putSilence: db.prepare(
      `INSERT INTO silences (id, matchers, starts_ms, ends_ms, created_by, comment, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET matchers = excluded.matchers, starts_ms = excluded.starts_ms, ends_ms = excluded.ends_ms,
       created_by = excluded.created_by, comment = excluded.comment`,
    ),
    listSilences: db.prepare("SELECT * FROM silences ORDER BY created_ms, id"),
    expireSilence: db.prepare("UPDATE silences SET ends_ms = ? WHERE id = ? AND ends_ms > ?"),
    putDocument: db.prepare(
      `INSERT INTO documents (collection, key, time_ms, body) VALUES (?, ?, ?, ?)
       ON CONFLICT (collection, key) DO UPDATE SET time_ms = excluded.time_ms, body = excluded.body`,
    ),
    getDocument: db.prepare("SELECT * FROM documents WHERE collection = ? AND key = ?"),
    listDocuments: db.prepare(
      "SELECT * FROM documents WHERE collection = ? AND time_ms >= ? AND time_ms < ? ORDER BY time_ms, key LIMIT ?",
    ),
    deleteDocuments: db.prepare("DELETE FROM documents WHERE collection = ? AND time_ms < ?"),
    deleteBatches: db.prepare("DELETE FROM ingest_log WHERE max_event_ms < ?"),
    deleteWindows: db.prepare("DELETE FROM windows WHERE end_ms < ?"),
  };
}

/** One time bound made finite as {@link finiteRange} does (SQLite integers cannot hold ±Infinity). */
function finite(ms: number): number {
  return finiteRange(ms, ms)[0];
}
