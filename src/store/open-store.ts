import { resolve } from "node:path";
import { type ChangeBus, openLocalChangeBus } from "./change-bus.js";
import { type JobLocks, openLocalJobLocks } from "./job-locks.js";
import type { Store } from "./port.js";
import { openPgChangeBus, openPgJobLocks, openPostgresStore, parsePostgresUrl } from "./postgres/index.js";
import { openSqliteStoreThread } from "./sqlite/index.js";

/** What {@link openStore} opens: a PostgreSQL URL, or else the SQLite file. */
export interface StoreSelection {
  /** `postgres://…` (with `?schema=NAME`), or undefined/null for the embedded SQLite store. */
  readonly url?: string | null;
  /** The SQLite file used when there is no URL. */
  readonly sqliteFile: string;
  /** PostgreSQL connections at most. */
  readonly poolSize?: number;
  /** PostgreSQL log partition width in event time (ms), used when the schema is created. */
  readonly partitionMs?: number;
}

/**
 * Opens the store a deployment selected: PostgreSQL when a `postgres://` URL is given (replicas share
 * it), the embedded SQLite file otherwise (the default). A malformed URL is USAGE (exit 2), an
 * unreachable database STORE_UNAVAILABLE.
 *
 * @example
 * ```ts
 * const store = await openStore({ url: "postgres://root@127.0.0.1/test?schema=tt", sqliteFile: "data/tiktoktoe.db" });
 * ```
 */
export async function openStore(selection: StoreSelection): Promise<Store> {
  if (selection.url === undefined || selection.url === null || selection.url === "")
    // In its own thread: the synchronous driver would otherwise pause every request during a commit.
    return openSqliteStoreThread({ file: selection.sqliteFile });
  return openPostgresStore({
    ...parsePostgresUrl(selection.url),
    ...(selection.poolSize === undefined ? {} : { poolSize: selection.poolSize }),
    ...(selection.partitionMs === undefined ? {} : { partitionMs: selection.partitionMs }),
  });
}

/** Whether a selection is the PostgreSQL store (shared by replicas). */
function isPostgres(selection: StoreSelection): selection is StoreSelection & { url: string } {
  return selection.url !== undefined && selection.url !== null && selection.url !== "";
}

/**
 * The change bus of the replicas on a selected store: LISTEN/NOTIFY on PostgreSQL, in-process on
 * the SQLite file (one process uses it).
 *
 * @example
 * ```ts
 * const bus = await openChangeBusFor({ url: process.env.STORE_URL, sqliteFile: "data/tiktoktoe.db" });
 * ```
 */
export async function openChangeBusFor(
  selection: StoreSelection,
  onError?: (error: unknown) => void,
): Promise<ChangeBus> {
  if (!isPostgres(selection)) return openLocalChangeBus(resolve(selection.sqliteFile), onError);
  return openPgChangeBus({
    ...parsePostgresUrl(selection.url),
    ...(onError === undefined ? {} : { onError }),
  });
}

/**
 * The job locks of the replicas on a selected store: advisory locks on PostgreSQL, in-process on the
 * SQLite file.
 *
 * @example
 * ```ts
 * const locks = await openJobLocksFor({ url: process.env.STORE_URL, sqliteFile: "data/tiktoktoe.db" });
 * ```
 */
export async function openJobLocksFor(selection: StoreSelection): Promise<JobLocks> {
  if (!isPostgres(selection)) return openLocalJobLocks(resolve(selection.sqliteFile));
  return openPgJobLocks(parsePostgresUrl(selection.url));
}
