import { createRequire } from "node:module";

/** The slice of a better-sqlite3 statement the adapter uses. */
export interface SqliteStatement {
  run(...params: unknown[]): { changes: number; lastInsertRowid: number | bigint };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

/**
 * A better-sqlite3 transaction function: calling it runs `BEGIN` (deferred); `immediate` runs
 * `BEGIN IMMEDIATE`, which takes the write lock first, so a transaction that reads before it writes
 * cannot fail with SQLITE_BUSY halfway when another connection writes the same file.
 *
 * @example
 * ```ts
 * const claim = db.transaction((id: number) => db.prepare("UPDATE outbox SET lease_owner = 'a' WHERE id = ?").run(id));
 * claim.immediate(7);
 * ```
 */
export interface SqliteTransaction<A extends unknown[], R> {
  (...args: A): R;
  immediate(...args: A): R;
}

/** The slice of a better-sqlite3 database the adapter uses (declared here, not imported). */
export interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
  exec(sql: string): unknown;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  transaction<A extends unknown[], R>(fn: (...args: A) => R): SqliteTransaction<A, R>;
  close(): unknown;
}

type SqliteConstructor = new (file: string) => SqliteDatabase;

/**
 * Opens a SQLite database file with better-sqlite3 in WAL mode. `synchronous=NORMAL` makes every
 * commit `write(2)` the WAL before returning, so committed data survives the process being killed;
 * it is fsync'd at checkpoints (a power cut can lose the last commits; `FULL` would fsync each).
 *
 * @example
 * ```ts
 * const db = openSqlite("/var/lib/tiktoktoe/tiktoktoe.db");
 * ```
 */
export function openSqlite(file: string): SqliteDatabase {
  // better-sqlite3 is CommonJS without bundled types; we declare the slice we use instead.
  const Database = createRequire(import.meta.url)("better-sqlite3") as SqliteConstructor;
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  return db;
}
