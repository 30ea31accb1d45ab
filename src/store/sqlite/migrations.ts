import type { SqliteDatabase } from "./driver.js";

/** Versioned schema changes, applied in order, each once, each in its own transaction. Never edit one that shipped. */
export const migrations: ReadonlyArray<{ readonly version: number; readonly sql: string }> = [
  {
    version: 1,
    sql: `
      CREATE TABLE models (
        name TEXT PRIMARY KEY,
        task TEXT NOT NULL,
        features TEXT NOT NULL,
        classes TEXT,
        created_ms INTEGER NOT NULL
      );
      CREATE TABLE versions (
        model TEXT NOT NULL REFERENCES models(name),
        version TEXT NOT NULL,
        created_ms INTEGER NOT NULL,
        meta TEXT NOT NULL,
        PRIMARY KEY (model, version)
      );
      CREATE TABLE artifacts (
        model TEXT NOT NULL,
        version TEXT NOT NULL,
        kind TEXT NOT NULL,
        bytes BLOB NOT NULL,
        PRIMARY KEY (model, version, kind),
        FOREIGN KEY (model, version) REFERENCES versions(model, version)
      );
      CREATE TABLE ingest_log (
        sequence INTEGER PRIMARY KEY AUTOINCREMENT,
        model TEXT NOT NULL REFERENCES models(name),
        kind TEXT NOT NULL,
        received_ms INTEGER NOT NULL,
        min_event_ms INTEGER NOT NULL,
        max_event_ms INTEGER NOT NULL,
        count INTEGER NOT NULL,
        payload BLOB NOT NULL
      );
      CREATE INDEX ingest_log_by_time ON ingest_log (max_event_ms);
      CREATE TABLE windows (
        model TEXT NOT NULL,
        version TEXT NOT NULL,
        start_ms INTEGER NOT NULL,
        end_ms INTEGER NOT NULL,
        state BLOB NOT NULL,
        summary TEXT NOT NULL,
        updated_ms INTEGER NOT NULL,
        PRIMARY KEY (model, start_ms, version)
      );
      CREATE INDEX windows_by_end ON windows (end_ms);
      CREATE TABLE checkpoints (
        name TEXT PRIMARY KEY,
        position INTEGER NOT NULL
      );
    `,
  },
  {
    version: 2,
    sql: `
      CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        created_ms INTEGER NOT NULL,
        channel TEXT NOT NULL,
        group_key TEXT NOT NULL,
        payload TEXT NOT NULL,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        next_attempt_ms INTEGER NOT NULL,
        last_error TEXT,
        sent_ms INTEGER
      );
      CREATE INDEX outbox_due ON outbox (state, next_attempt_ms);
      CREATE TABLE silences (
        id TEXT PRIMARY KEY,
        matchers TEXT NOT NULL,
        starts_ms INTEGER NOT NULL,
        ends_ms INTEGER NOT NULL,
        created_by TEXT NOT NULL,
        comment TEXT NOT NULL,
        created_ms INTEGER NOT NULL
      );
      CREATE TABLE kv (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `,
  },
  {
    version: 3,
    sql: `
      CREATE TABLE documents (
        collection TEXT NOT NULL,
        key TEXT NOT NULL,
        time_ms INTEGER NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (collection, key)
      );
      CREATE INDEX documents_by_time ON documents (collection, time_ms);
    `,
  },
  {
    // Issue #12: deduplication and label joins move from memory into the store. WITHOUT ROWID keeps
    // each index entry in the primary-key b-tree only (one write per event instead of two).
    // ingest_log_by_model serves readModelBatches, which pages by sequence with a LIMIT: an index in
    // sequence order lets it stop after `limit` rows, where one by event time would have to sort
    // every match first; the time overlap is then a cheap filter on the model's rows after the cursor.
    version: 4,
    sql: `
      CREATE TABLE event_index (
        model TEXT NOT NULL,
        id TEXT NOT NULL,
        version TEXT NOT NULL,
        time_ms INTEGER NOT NULL,
        labelled_ms INTEGER,
        join_json TEXT NOT NULL,
        PRIMARY KEY (model, id)
      ) WITHOUT ROWID;
      CREATE INDEX event_index_by_time ON event_index (time_ms);
      ALTER TABLE outbox ADD COLUMN lease_owner TEXT;
      ALTER TABLE outbox ADD COLUMN lease_until_ms INTEGER;
      CREATE INDEX ingest_log_by_model ON ingest_log (model, sequence);
    `,
  },
];

/**
 * Brings the database to the newest schema and returns the versions it applied.
 *
 * @example
 * ```ts
 * migrate(db); // [1, 2, 3, 4] on a new file, [] afterwards
 * ```
 */
export function migrate(db: SqliteDatabase): number[] {
  db.exec(
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_ms INTEGER NOT NULL)",
  );
  const applied = new Set(
    (db.prepare("SELECT version FROM schema_migrations").all() as Array<{ version: number }>).map(
      (r) => r.version,
    ),
  );
  const done: number[] = [];
  for (const migration of migrations) {
    if (applied.has(migration.version)) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.prepare("INSERT INTO schema_migrations (version, applied_ms) VALUES (?, ?)").run(
        migration.version,
        Date.now(),
      );
    })();
    done.push(migration.version);
  }
  return done;
}
