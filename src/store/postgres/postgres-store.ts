import { type DocumentRecord, finiteRange, labelLogLine, type Store } from "../port.js";
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
import { openPool, type PgClient, type PgLocation, type PgPool, storeError } from "./driver.js";
import { migratePostgres } from "./migrations.js";

/** Options of {@link openPostgresStore}. */
export interface PostgresStoreOptions extends PgLocation {
  /** Connections at most. Default 8: appends are serialised (see `appendIngest`), reads are not. */
  readonly poolSize?: number;
  /**
   * Width of an ingest-log partition in event time (ms), used when the schema is created; later
   * opens read the width the schema was created with. Default one day: retention drops whole days.
   */
  readonly partitionMs?: number;
  readonly applicationName?: string;
}

const DAY_MS = 86_400_000;
const LOG_POSITION = "aggregator";
const ALERTING_STATE = "alerting";

/**
 * Opens (creating the schema and migrating it as needed, under an advisory lock) the PostgreSQL
 * store. Several processes may open one schema at once: they share everything, as the port requires.
 *
 * @example
 * ```ts
 * const store = await openPostgresStore({ ...parsePostgresUrl("postgres://root@127.0.0.1/test"), poolSize: 8 });
 * ```
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const pool = await openPool({
    url: options.url,
    schema: options.schema,
    poolSize: options.poolSize ?? 8,
    ...(options.applicationName === undefined ? {} : { applicationName: options.applicationName }),
  });
  // An idle connection that the server drops (restart, admin shutdown) emits here; without a listener
  // the process would exit. The next query opens a new connection.
  pool.on("error", () => undefined);
  try {
    await migratePostgres(pool, options.schema);
    const width = Math.max(1, Math.trunc(options.partitionMs ?? DAY_MS));
    await pool.query(
      "INSERT INTO settings (name, value) VALUES ('partition_ms', $1) ON CONFLICT DO NOTHING",
      [String(width)],
    );
    const stored = await pool.query<{ value: string }>(
      "SELECT value FROM settings WHERE name = 'partition_ms'",
    );
    return new PostgresStore(pool, Number(stored.rows[0]!.value));
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw storeError(error);
  }
}

/** A log row to write: its batch's fields, the payload as bytes. */
interface NewLogRow {
  readonly model: string;
  readonly kind: LogBatch["kind"];
  readonly receivedMs: number;
  readonly minEventMs: number;
  readonly maxEventMs: number;
  readonly count: number;
  readonly payload: Uint8Array;
}

const BATCH_COLUMNS = "sequence, model, kind, received_ms, min_event_ms, max_event_ms, count, payload";

/** pg's "no partition of relation found for row": a partition this process knew was dropped. */
const NO_PARTITION = "23514";

class PostgresStore implements Store {
  readonly dialect = "postgres";
  /** Partitions known to exist (by their lower bound), so an append creates one only when new. */
  private readonly partitions = new Set<number>();

  constructor(
    private readonly pool: PgPool,
    private readonly partitionMs: number,
  ) {}

  /** One query through the pool, outages mapped to STORE_UNAVAILABLE. */
  private async query<R>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    try {
      return (await this.pool.query<R>(sql, params)).rows;
    } catch (error) {
      throw storeError(error);
    }
  }

  /**
   * Runs `work` in one transaction on one connection: committed when it returns, rolled back when it
   * throws. The pool's connections pipeline (pg's `pipeline` mode): BEGIN goes out with the first
   * statement, and statements `work` passes to `defer` go out with the COMMIT, unawaited until then,
   * so a transaction costs as few round trips as its data dependencies allow. A connection that failed
   * is destroyed, not returned to the pool.
   */
  private async transaction<T>(
    work: (client: PgClient, defer: (statement: Promise<unknown>) => void) => Promise<T>,
  ): Promise<T> {
    let client: PgClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw storeError(error);
    }
    const pending: Promise<unknown>[] = [];
    // Marked handled at once: a statement that fails while `work` throws for another reason must not
    // become an unhandled rejection; it is still awaited below.
    const defer = (statement: Promise<unknown>) => {
      statement.catch(() => undefined);
      pending.push(statement);
    };
    let broken = false;
    try {
      defer(client.query("BEGIN"));
      const result = await work(client, defer);
      // After a failed statement the transaction is aborted and COMMIT rolls back (it does not fail):
      // the failed statement's rejection is what Promise.all reports.
      defer(client.query("COMMIT"));
      await Promise.all(pending);
      return result;
    } catch (error) {
      await Promise.allSettled(pending);
      await client.query("ROLLBACK").catch(() => {
        broken = true;
      });
      throw storeError(error);
    } finally {
      client.release(broken);
    }
  }

  async createModel(model: ModelRecord): Promise<void> {
    const rows = await this.query(
      `INSERT INTO models (name, task, features, classes, created_ms) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT DO NOTHING RETURNING name`,
      [
        model.name,
        model.task,
        JSON.stringify(model.features),
        model.classes === undefined ? null : JSON.stringify(model.classes),
        model.createdMs,
      ],
    );
    if (rows.length === 0) throw storeConflict(`model "${model.name}" exists`);
  }

  async getModel(name: string): Promise<ModelRecord | undefined> {
    const [row] = await this.query<ModelRow>("SELECT * FROM models WHERE name = $1", [name]);
    return row === undefined ? undefined : toModel(row);
  }

  async listModels(): Promise<ModelRecord[]> {
    return (await this.query<ModelRow>('SELECT * FROM models ORDER BY name COLLATE "C"')).map(toModel);
  }

  async createVersion(version: VersionRecord): Promise<void> {
    // One statement: the parent check and the insert see the same snapshot.
    const rows = await this.query<{ inserted: boolean | null }>(
      `WITH parent AS (SELECT name FROM models WHERE name = $1),
       ins AS (INSERT INTO versions (model, version, created_ms, meta)
               SELECT $1, $2, $3, $4 FROM parent ON CONFLICT DO NOTHING RETURNING true AS inserted)
       SELECT (SELECT inserted FROM ins) AS inserted, EXISTS (SELECT 1 FROM parent) AS parent`,
      [version.model, version.version, version.createdMs, JSON.stringify(version.meta)],
    );
    const row = rows[0] as { inserted: boolean | null; parent: boolean };
    if (!row.parent) throw storeNotFound(`model "${version.model}" does not exist`);
    if (row.inserted !== true)
      throw storeConflict(`version "${version.version}" of model "${version.model}" exists`);
  }

  async getVersion(model: string, version: string): Promise<VersionRecord | undefined> {
    const [row] = await this.query<VersionRow>("SELECT * FROM versions WHERE model = $1 AND version = $2", [
      model,
      version,
    ]);
    return row === undefined ? undefined : toVersion(row);
  }

  async listVersions(model: string): Promise<VersionRecord[]> {
    return (
      await this.query<VersionRow>(
        `SELECT * FROM versions WHERE model = $1 ORDER BY created_ms, version COLLATE "C"`,
        [model],
      )
    ).map(toVersion);
  }

  async putArtifact(model: string, version: string, kind: ArtifactKind, bytes: Uint8Array): Promise<void> {
    const rows = await this.query(
      `INSERT INTO artifacts (model, version, kind, bytes)
       SELECT model, version, $3, $4 FROM versions WHERE model = $1 AND version = $2
       ON CONFLICT (model, version, kind) DO UPDATE SET bytes = excluded.bytes RETURNING kind`,
      [model, version, kind, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)],
    );
    if (rows.length === 0) throw storeNotFound(`version "${version}" of model "${model}" does not exist`);
  }

  async getArtifact(model: string, version: string, kind: ArtifactKind): Promise<Uint8Array | undefined> {
    const [row] = await this.query<{ bytes: Buffer }>(
      "SELECT bytes FROM artifacts WHERE model = $1 AND version = $2 AND kind = $3",
      [model, version, kind],
    );
    return row === undefined ? undefined : new Uint8Array(row.bytes);
  }

  async appendBatches(batches: readonly LogBatch[]): Promise<number[]> {
    return this.appending(
      batches.map((b) => b.model),
      async (client, locked, defer) => this.writeLog(client, await locked, batches, defer),
    );
  }

  /**
   * Appends under the log head's row lock: the lock is taken first, so appends through every store on
   * the schema run one at a time, sequences follow commit order, and deduplication and label joins
   * need no further locking (an `ON CONFLICT` insert and a read-then-update are exact when nothing
   * else writes). The work inside is two round trips whatever the batch sizes: one multi-row insert of
   * every event (unnest), one read and one update of the labelled events, then an insert per log row,
   * pipelined with the COMMIT.
   */
  async appendIngest(batches: readonly IngestAppend[]): Promise<IngestAppendResult[]> {
    return this.appending(
      batches.map((b) => b.model),
      async (client, locked, defer) => {
        // Every event of the call, in order, with the batch it belongs to.
        const models: string[] = [];
        const ids: string[] = [];
        const versions: string[] = [];
        const times: number[] = [];
        const joins: string[] = [];
        for (const batch of batches)
          if (batch.kind === "events")
            for (const { index } of batch.events) {
              models.push(batch.model);
              ids.push(index.id);
              versions.push(index.version);
              times.push(index.timeMs);
              joins.push(index.join);
            }
        // ON CONFLICT DO NOTHING skips ids indexed earlier and, with the rows in call order, the repeats
        // of an id within this call. It answers only how many it inserted: when that is every row (the
        // usual case) each event is new, and naming them all back (a row per event, a key and a set
        // entry each) was a sixth of a worker's CPU; otherwise a second statement names them.
        const inserting =
          ids.length === 0
            ? undefined
            : client.query<{ n: number }>(
                `WITH ins AS (
           INSERT INTO event_index (model, id, version, time_ms, join_json)
           SELECT m, i, v, t, j FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[])
             WITH ORDINALITY AS e(m, i, v, t, j, n) ORDER BY n
           ON CONFLICT DO NOTHING RETURNING 1)
         SELECT count(*)::int AS n FROM ins`,
                [models, ids, versions, times, joins],
              );
        // Which batch first logs each inserted event: a label earlier in the call does not see it.
        const firstBatch = new Map<string, number>();
        // Events indexed before this call that a label of this call may join, read once.
        const labelKeys = new Map<string, { model: string; id: string }>();
        for (const batch of batches)
          if (batch.kind === "labels")
            for (const label of batch.labels)
              labelKeys.set(key(batch.model, label.id), { model: batch.model, id: label.id });
        const indexed = new Map<
          string,
          { version: string; time_ms: number; labelled: boolean; join_json: string }
        >();
        const wanted = [...labelKeys.values()];
        const reading =
          wanted.length === 0
            ? undefined
            : client.query<{
                model: string;
                id: string;
                version: string;
                time_ms: number;
                labelled_ms: number | null;
                join_json: string;
              }>(
                `SELECT e.model, e.id, e.version, e.time_ms, e.labelled_ms, e.join_json
           FROM unnest($1::text[], $2::text[]) AS w(m, i) JOIN event_index e ON e.model = w.m AND e.id = w.i`,
                [wanted.map((w) => w.model), wanted.map((w) => w.id)],
              );
        // One round trip so far: BEGIN, the lock, the model check, the insert and the read went out together.
        const [head, insertedCount, readRows] = await Promise.all([locked, inserting, reading]);
        const allNew = (insertedCount?.rows[0]?.n ?? 0) === ids.length;
        // The keys this call inserted, where they are needed: some rows were not inserted, or labels of
        // this call may join events of it. Rows this transaction inserted carry its id as xmin (nothing
        // else in it has written to event_index yet: the labels' update goes out after this).
        let inserted: Set<string> | undefined;
        if (!allNew) {
          inserted = new Set();
          const mine = await client.query<{ model: string; id: string }>(
            `SELECT e.model, e.id FROM unnest($1::text[], $2::text[]) AS w(m, i)
             JOIN event_index e ON e.model = w.m AND e.id = w.i WHERE e.xmin = pg_current_xact_id()::xid`,
            [models, ids],
          );
          for (const row of mine.rows) inserted.add(key(row.model, row.id));
        } else if (wanted.length > 0) {
          inserted = new Set();
          for (let i = 0; i < ids.length; i++) inserted.add(key(models[i]!, ids[i]!));
        }
        for (const row of readRows?.rows ?? [])
          indexed.set(key(row.model, row.id), {
            version: row.version,
            time_ms: row.time_ms,
            labelled: row.labelled_ms !== null,
            join_json: row.join_json,
          });
        const results: IngestAppendResult[] = [];
        const rows: NewLogRow[] = [];
        const rowOf: Array<number | null> = [];
        const labelled: Array<{ model: string; id: string; timeMs: number }> = [];
        for (const [b, batch] of batches.entries()) {
          if (batch.kind === "events") {
            const fresh: string[] = [];
            let min = Number.POSITIVE_INFINITY;
            let max = Number.NEGATIVE_INFINITY;
            for (const { index, source } of batch.events) {
              if (inserted !== undefined) {
                const k = key(batch.model, index.id);
                if (!inserted.has(k) || firstBatch.has(k)) continue;
                firstBatch.set(k, b);
              }
              fresh.push(source);
              if (index.timeMs < min) min = index.timeMs;
              if (index.timeMs > max) max = index.timeMs;
            }
            results.push({
              sequence: null,
              accepted: fresh.length,
              duplicates: batch.events.length - fresh.length,
              unmatched: 0,
            });
            rowOf.push(fresh.length === 0 ? null : rows.length);
            if (fresh.length > 0) rows.push(logRow(batch, fresh, min, max));
            continue;
          }
          const lines: string[] = [];
          let duplicates = 0;
          let unmatched = 0;
          let min = Number.POSITIVE_INFINITY;
          let max = Number.NEGATIVE_INFINITY;
          for (const label of batch.labels) {
            const k = key(batch.model, label.id);
            const event = indexed.get(k);
            const logged = firstBatch.get(k);
            // An event inserted by this call exists for the labels of later batches only, as it would
            // if the batches were appended one by one.
            if (event === undefined || (inserted?.has(k) === true && (logged === undefined || logged > b))) {
              unmatched++;
              continue;
            }
            if (event.labelled) {
              duplicates++;
              continue;
            }
            event.labelled = true;
            labelled.push({ model: batch.model, id: label.id, timeMs: label.timeMs });
            lines.push(
              labelLogLine(label.source, {
                version: event.version,
                timeMs: event.time_ms,
                join: event.join_json,
              }),
            );
            if (label.timeMs < min) min = label.timeMs;
            if (label.timeMs > max) max = label.timeMs;
          }
          results.push({ sequence: null, accepted: lines.length, duplicates, unmatched });
          rowOf.push(lines.length === 0 ? null : rows.length);
          if (lines.length > 0) rows.push(logRow(batch, lines, min, max));
        }
        if (labelled.length > 0)
          defer(
            client.query(
              `UPDATE event_index e SET labelled_ms = l.t
           FROM unnest($1::text[], $2::text[], $3::bigint[]) AS l(m, i, t) WHERE e.model = l.m AND e.id = l.i`,
              [labelled.map((l) => l.model), labelled.map((l) => l.id), labelled.map((l) => l.timeMs)],
            ),
          );
        const sequences = await this.writeLog(client, head, rows, defer);
        return results.map((result, i) => {
          const row = rowOf[i];
          return row === null || row === undefined ? result : { ...result, sequence: sequences[row]! };
        });
      },
    );
  }

  /**
   * Runs an append in a transaction that first locks the log head and checks that the models exist;
   * `locked` resolves to the head (or fails with STORE_NOT_FOUND), and `work` sends its first
   * statements before awaiting it, so they share its round trip. A partition that another store's
   * retention dropped since this one created it fails the insert; the call then runs once more,
   * creating it again.
   */
  private async appending<T>(
    models: readonly string[],
    work: (
      client: PgClient,
      locked: Promise<number>,
      defer: (statement: Promise<unknown>) => void,
    ) => Promise<T>,
  ): Promise<T> {
    const wanted = [...new Set(models)];
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.transaction(async (client, defer) => {
          const head = client.query<{ head: number }>("SELECT head FROM log_head WHERE id = 1 FOR UPDATE");
          // FOR SHARE: a model cannot disappear before the appended rows commit.
          const found = client.query<{ name: string }>(
            "SELECT name FROM models WHERE name = ANY($1::text[]) FOR SHARE",
            [wanted],
          );
          const locked = Promise.all([head, found]).then(([h, f]) => {
            const names = new Set(f.rows.map((r) => r.name));
            const missing = wanted.find((name) => !names.has(name));
            if (missing !== undefined) throw storeNotFound(`model "${missing}" does not exist`);
            return h.rows[0]!.head;
          });
          defer(locked);
          return work(client, locked, defer);
        });
      } catch (error) {
        if (attempt > 0 || (error as { code?: unknown }).code !== NO_PARTITION) throw error;
        this.partitions.clear();
      }
    }
  }

  /**
   * Inside an append: writes rows with sequences after `head` (an insert each) and moves the head;
   * they go out with the COMMIT.
   */
  private async writeLog(
    client: PgClient,
    head: number,
    rows: readonly NewLogRow[],
    defer: (statement: Promise<unknown>) => void,
  ): Promise<number[]> {
    if (rows.length === 0) return [];
    await this.ensurePartitions(
      client,
      rows.map((r) => r.maxEventMs),
    );
    const sequences = rows.map((_, i) => head + i + 1);
    // One INSERT per log row, pipelined in the transaction (no round trip each), each with its payload
    // as a Buffer parameter, which pg sends as binary (a bytea[] array would go as hex text at twice
    // the size, and be parsed back: 1.7x slower for a 500 KiB batch). Not one multi-row VALUES: pg
    // builds a Bind message in a buffer that grows by half again, copying itself each time, so a worker's
    // 64 batches of 340 kB in one statement cost 32 ms of copying against 1.2 ms as 64 statements.
    for (const [i, r] of rows.entries())
      defer(
        client.query(`INSERT INTO ingest_log (${BATCH_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, [
          sequences[i],
          r.model,
          r.kind,
          r.receivedMs,
          r.minEventMs,
          r.maxEventMs,
          r.count,
          Buffer.from(r.payload.buffer, r.payload.byteOffset, r.payload.byteLength),
        ]),
      );
    defer(client.query("UPDATE log_head SET head = $1 WHERE id = 1", [sequences[sequences.length - 1]]));
    return sequences;
  }

  /**
   * Creates the partitions the times fall in that this store has not seen. Runs under the log head's
   * lock, which retention takes too, so no two stores create or drop partitions at once.
   */
  private async ensurePartitions(client: PgClient, times: readonly number[]): Promise<void> {
    for (const time of times) {
      const from = Math.floor(time / this.partitionMs) * this.partitionMs;
      if (this.partitions.has(from)) continue;
      const to = from + this.partitionMs;
      const name = `ingest_log_${from < 0 ? `m${-from}` : from}`;
      await client.query(
        `CREATE TABLE IF NOT EXISTS "${name}" PARTITION OF ingest_log FOR VALUES FROM (${from}) TO (${to})`,
      );
      await client.query(
        "INSERT INTO log_partitions (name, from_ms, to_ms) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        [name, from, to],
      );
      this.partitions.add(from);
    }
  }

  async readBatches(afterSequence: number, limit: number): Promise<LogBatch[]> {
    return (
      await this.query<BatchRow>(
        `SELECT ${BATCH_COLUMNS} FROM ingest_log WHERE sequence > $1 ORDER BY sequence LIMIT $2`,
        [afterSequence, limit],
      )
    ).map(toBatch);
  }

  async readModelBatches(
    model: string,
    fromMs: number,
    toMs: number,
    afterSequence: number,
    limit: number,
  ): Promise<LogBatch[]> {
    const [from, to] = finiteRange(fromMs, toMs);
    // max_event_ms >= from prunes the partitions entirely before the range.
    return (
      await this.query<BatchRow>(
        `SELECT ${BATCH_COLUMNS} FROM ingest_log
         WHERE model = $1 AND sequence > $2 AND max_event_ms >= $3 AND min_event_ms < $4
         ORDER BY sequence LIMIT $5`,
        [model, afterSequence, from, to, limit],
      )
    ).map(toBatch);
  }

  async logHead(): Promise<number> {
    return (await this.query<{ head: number }>("SELECT head FROM log_head WHERE id = 1"))[0]!.head;
  }

  async countIndexedEvents(model: string): Promise<number> {
    return (
      await this.query<{ n: number }>("SELECT count(*) AS n FROM event_index WHERE model = $1", [model])
    )[0]!.n;
  }

  async getCheckpoint(consumer: string): Promise<number> {
    const [row] = await this.query<{ position: number }>("SELECT position FROM checkpoints WHERE name = $1", [
      consumer,
    ]);
    return row?.position ?? 0;
  }

  async putCheckpoint(consumer: string, position: number): Promise<void> {
    await this.query(
      "INSERT INTO checkpoints (name, position) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET position = excluded.position",
      [consumer, position],
    );
  }

  async putWindows(windows: readonly WindowRecord[], logPosition: number): Promise<void> {
    // One statement, hence one transaction: the windows and the position commit together.
    await this.query(
      `WITH w AS (
         INSERT INTO windows (model, version, start_ms, end_ms, state, summary, updated_ms)
         SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bytea[], $6::text[], $7::bigint[])
         ON CONFLICT (model, start_ms, version) DO UPDATE SET end_ms = excluded.end_ms, state = excluded.state,
           summary = excluded.summary, updated_ms = excluded.updated_ms
         RETURNING 1)
       INSERT INTO checkpoints (name, position) VALUES ($8, $9)
       ON CONFLICT (name) DO UPDATE SET position = excluded.position`,
      [
        windows.map((w) => w.model),
        windows.map((w) => w.version),
        windows.map((w) => w.startMs),
        windows.map((w) => w.endMs),
        windows.map((w) => Buffer.from(w.state.buffer, w.state.byteOffset, w.state.byteLength)),
        windows.map((w) => JSON.stringify(w.summary)),
        windows.map((w) => w.updatedMs),
        LOG_POSITION,
        logPosition,
      ],
    );
  }

  async getWindows(model: string, fromMs: number, toMs: number, version?: string): Promise<WindowRecord[]> {
    const rows = await this.query<WindowRow>(
      `SELECT * FROM windows WHERE model = $1 AND start_ms >= $2 AND start_ms < $3
       AND ($4::text IS NULL OR version = $4) ORDER BY start_ms, version COLLATE "C"`,
      [model, ...finiteRange(fromMs, toMs), version ?? null],
    );
    return rows.map((row) => ({ ...summaryOf(row), state: new Uint8Array(row.state) }));
  }

  async getWindowSummaries(
    model: string,
    fromMs: number,
    toMs: number,
    version?: string,
  ): Promise<Array<Omit<WindowRecord, "state">>> {
    const rows = await this.query<Omit<WindowRow, "state">>(
      `SELECT model, version, start_ms, end_ms, summary, updated_ms FROM windows
       WHERE model = $1 AND start_ms >= $2 AND start_ms < $3 AND ($4::text IS NULL OR version = $4)
       ORDER BY start_ms, version COLLATE "C"`,
      [model, ...finiteRange(fromMs, toMs), version ?? null],
    );
    return rows.map(summaryOf);
  }

  async getLogPosition(): Promise<number> {
    return this.getCheckpoint(LOG_POSITION);
  }

  async commitAlerting(state: string, enqueue: readonly OutboxItem[]): Promise<number[]> {
    return this.transaction(async (client) => {
      await client.query(
        "INSERT INTO kv (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        [ALERTING_STATE, state],
      );
      if (enqueue.length === 0) return [];
      // Rows are inserted in ordinality order, so the serial ids ascend in the caller's order.
      const { rows } = await client.query<{ id: number }>(
        `INSERT INTO outbox (created_ms, channel, group_key, payload, state, attempts, next_attempt_ms, last_error, sent_ms)
         SELECT c, ch, g, p, s, a, n, e, t FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[],
           $6::int[], $7::bigint[], $8::text[], $9::bigint[]) WITH ORDINALITY AS o(c, ch, g, p, s, a, n, e, t, ord)
         ORDER BY ord RETURNING id`,
        [
          enqueue.map((i) => i.createdMs),
          enqueue.map((i) => i.channel),
          enqueue.map((i) => i.groupKey),
          enqueue.map((i) => i.payload),
          enqueue.map((i) => i.state),
          enqueue.map((i) => i.attempts),
          enqueue.map((i) => i.nextAttemptMs),
          enqueue.map((i) => i.lastError),
          enqueue.map((i) => i.sentMs),
        ],
      );
      return rows.map((r) => r.id).sort((a, b) => a - b);
    });
  }

  async getAlertingState(): Promise<string | undefined> {
    return (await this.query<{ value: string }>("SELECT value FROM kv WHERE name = $1", [ALERTING_STATE]))[0]
      ?.value;
  }

  async dueNotifications(nowMs: number, limit: number): Promise<OutboxItem[]> {
    return (
      await this.query<OutboxRow>(
        "SELECT * FROM outbox WHERE state = 'pending' AND next_attempt_ms <= $1 ORDER BY id LIMIT $2",
        [finite(nowMs), limit],
      )
    ).map(toOutbox);
  }

  /**
   * One statement: the claimable rows are locked as they are chosen (`FOR UPDATE SKIP LOCKED`), so
   * two processes claiming at once take different items; a live lease, the owner's own included,
   * excludes the item.
   */
  async claimNotifications(
    nowMs: number,
    limit: number,
    owner: string,
    leaseMs: number,
  ): Promise<OutboxItem[]> {
    const now = finite(nowMs);
    const rows = await this.query<OutboxRow>(
      `UPDATE outbox SET lease_owner = $3, lease_until_ms = $4 WHERE id IN (
         SELECT id FROM outbox WHERE state = 'pending' AND next_attempt_ms <= $1
         AND (lease_until_ms IS NULL OR lease_until_ms <= $1) ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [now, limit, owner, finite(nowMs + leaseMs)],
    );
    return rows.map(toOutbox).sort((a, b) => a.id! - b.id!);
  }

  async updateNotification(
    id: number,
    update: Pick<OutboxItem, "state" | "attempts" | "nextAttemptMs" | "lastError" | "sentMs">,
  ): Promise<void> {
    await this.query(
      `UPDATE outbox SET state = $1, attempts = $2, next_attempt_ms = $3, last_error = $4, sent_ms = $5,
       lease_owner = NULL, lease_until_ms = NULL WHERE id = $6`,
      [update.state, update.attempts, update.nextAttemptMs, update.lastError, update.sentMs, id],
    );
  }

  async listNotifications(limit: number): Promise<OutboxItem[]> {
    return (await this.query<OutboxRow>("SELECT * FROM outbox ORDER BY id DESC LIMIT $1", [limit])).map(
      toOutbox,
    );
  }

  async putSilence(silence: SilenceRecord): Promise<void> {
    await this.query(
      `INSERT INTO silences (id, matchers, starts_ms, ends_ms, created_by, comment, created_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (id) DO UPDATE SET matchers = excluded.matchers, starts_ms = excluded.starts_ms, ends_ms = excluded.ends_ms,
       created_by = excluded.created_by, comment = excluded.comment`,
      [
        silence.id,
        JSON.stringify(silence.matchers),
        silence.startsMs,
        silence.endsMs,
        silence.createdBy,
        silence.comment,
        silence.createdMs,
      ],
    );
  }

  async listSilences(): Promise<SilenceRecord[]> {
    return (await this.query<SilenceRow>(`SELECT * FROM silences ORDER BY created_ms, id COLLATE "C"`)).map(
      (row) => ({
        id: row.id,
        matchers: JSON.parse(row.matchers) as SilenceRecord["matchers"],
        startsMs: row.starts_ms,
        endsMs: row.ends_ms,
        createdBy: row.created_by,
        comment: row.comment,
        createdMs: row.created_ms,
      }),
    );
  }

  async expireSilence(id: string, nowMs: number): Promise<boolean> {
    const rows = await this.query(
      "UPDATE silences SET ends_ms = $1 WHERE id = $2 AND ends_ms > $1 RETURNING id",
      [finite(nowMs), id],
    );
    return rows.length > 0;
  }

  async putDocument(document: DocumentRecord): Promise<void> {
    await this.query(
      `INSERT INTO documents (collection, key, time_ms, body) VALUES ($1, $2, $3, $4)
       ON CONFLICT (collection, key) DO UPDATE SET time_ms = excluded.time_ms, body = excluded.body`,
      [document.collection, document.key, document.timeMs, document.body],
    );
  }

  async getDocument(collection: string, key: string): Promise<DocumentRecord | undefined> {
    const [row] = await this.query<DocumentRow>(
      "SELECT * FROM documents WHERE collection = $1 AND key = $2",
      [collection, key],
    );
    return row === undefined ? undefined : toDocument(row);
  }

  async listDocuments(
    collection: string,
    fromMs: number,
    toMs: number,
    limit: number,
  ): Promise<DocumentRecord[]> {
    return (
      await this.query<DocumentRow>(
        `SELECT * FROM documents WHERE collection = $1 AND time_ms >= $2 AND time_ms < $3
         ORDER BY time_ms, key COLLATE "C" LIMIT $4`,
        [collection, ...finiteRange(fromMs, toMs), limit],
      )
    ).map(toDocument);
  }

  async deleteDocumentsBefore(collection: string, cutoffMs: number): Promise<number> {
    return (
      await this.query("DELETE FROM documents WHERE collection = $1 AND time_ms < $2 RETURNING 1", [
        collection,
        finite(cutoffMs),
      ])
    ).length;
  }

  /**
   * Retention. The log's partitions that end at or before the cutoff are dropped whole (no row-by-row
   * delete, no dead tuples for vacuum: the cheap part, and the log holds most of the bytes); the one
   * partition the cutoff falls in loses its older rows by a delete. Windows and the event index are
   * deleted by their time index: the index's uniqueness on (model, id) across all times is what
   * deduplication needs, and PostgreSQL can partition a unique index only by a column it contains.
   * Runs under the log head's lock, like appends, so no append creates a partition being dropped.
   */
  async deleteBefore(cutoffMs: number): Promise<{ batches: number; windows: number; events: number }> {
    const cutoff = finite(cutoffMs);
    const result = await this.transaction(async (client) => {
      await client.query("SELECT head FROM log_head WHERE id = 1 FOR UPDATE");
      let batches = 0;
      const { rows: old } = await client.query<{ name: string; from_ms: number }>(
        "SELECT name, from_ms FROM log_partitions WHERE to_ms <= $1",
        [cutoff],
      );
      for (const partition of old) {
        const { rows } = await client.query<{ n: number }>(`SELECT count(*) AS n FROM "${partition.name}"`);
        batches += rows[0]!.n;
        await client.query(`DROP TABLE "${partition.name}"`);
        await client.query("DELETE FROM log_partitions WHERE name = $1", [partition.name]);
      }
      batches +=
        (await client.query("DELETE FROM ingest_log WHERE max_event_ms < $1", [cutoff])).rowCount ?? 0;
      const windows = (await client.query("DELETE FROM windows WHERE end_ms < $1", [cutoff])).rowCount ?? 0;
      const events =
        (await client.query("DELETE FROM event_index WHERE time_ms < $1", [cutoff])).rowCount ?? 0;
      return { batches, windows, events, dropped: old.map((p) => p.from_ms) };
    });
    for (const from of result.dropped) this.partitions.delete(from);
    return { batches: result.batches, windows: result.windows, events: result.events };
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

function key(model: string, id: string): string {
  return `${model}\u0000${id}`;
}

function logRow(batch: IngestAppend, lines: readonly string[], minMs: number, maxMs: number): NewLogRow {
  return {
    model: batch.model,
    kind: batch.kind,
    receivedMs: batch.receivedMs,
    minEventMs: minMs,
    maxEventMs: maxMs,
    count: lines.length,
    payload: Buffer.from(lines.join("\n"), "utf8"),
  };
}

/** One time bound made finite as {@link finiteRange} does (bigint columns cannot hold ±Infinity). */
function finite(ms: number): number {
  return finiteRange(ms, ms)[0];
}
