import type { JobLocks } from "../job-locks.js";
import { type PgLocation, storeError } from "./driver.js";

/** Options of {@link openPgJobLocks}. */
export interface PgJobLocksOptions extends PgLocation {
  /** Name of the lock connection in pg_stat_activity. */
  readonly applicationName?: string;
}

/** The slice of a pg client the locks use. */
interface LockClient {
  connect(): Promise<void>;
  query<R>(sql: string, params?: readonly unknown[]): Promise<{ rows: R[] }>;
  end(): Promise<void>;
  on(event: "error" | "end", listener: (error?: Error) => void): unknown;
}

/** First key of the job locks' advisory locks (the migrations use 0x7474). */
const JOB_LOCK_CLASS = 0x7475;

/**
 * Job locks as PostgreSQL session advisory locks, on one connection of their own (not the store's
 * pool: a pooled connection goes back to the pool, a lock must stay with its holder). The database
 * releases a session's locks the moment the session ends, so a replica that crashes, is killed, or
 * loses its connection gives its jobs up at once and another one's next `tryAcquire` takes them over.
 * Locks are scoped by schema: two deployments on one database do not exclude each other.
 *
 * A holder that lost its connection learns it on its next query; `holds` asks the server, so singleton
 * work that checks it just before committing never commits after a takeover it could have known of.
 * (A write already in flight when the connection dropped can still land: where that matters, the
 * write itself must be idempotent, as the store's are.)
 *
 * @example
 * ```ts
 * const locks = await openPgJobLocks(parsePostgresUrl(process.env.STORE_URL!));
 * if (await locks.tryAcquire("retention")) await runRetention();
 * ```
 */
export async function openPgJobLocks(options: PgJobLocksOptions): Promise<JobLocks> {
  const pg = (await import("pg")).default;
  const open = async (): Promise<LockClient> => {
    const client = new pg.Client({
      connectionString: options.url,
      application_name: options.applicationName ?? "tiktoktoe-locks",
      connectionTimeoutMillis: 10_000,
      keepAlive: true,
    }) as unknown as LockClient;
    await client.connect();
    return client;
  };
  return new PgJobLocks(open, options.schema);
}

class PgJobLocks implements JobLocks {
  private client: Promise<LockClient> | undefined;
  private readonly held = new Set<string>();

  constructor(
    private readonly open: () => Promise<LockClient>,
    private readonly schema: string,
  ) {}

  /** The lock connection, opened on first use and again after it was lost (which lost every lock). */
  private connection(): Promise<LockClient> {
    if (this.client === undefined) {
      const opening = this.open().then((client) => {
        const lost = () => {
          if (this.client === opening) {
            this.client = undefined;
            this.held.clear();
          }
        };
        client.on("error", lost);
        client.on("end", lost);
        return client;
      });
      this.client = opening;
      opening.catch(() => {
        if (this.client === opening) this.client = undefined;
      });
    }
    return this.client;
  }

  private async query<R>(sql: string, job: string): Promise<R[]> {
    const connection = this.connection();
    try {
      return (await (await connection).query<R>(sql, [JOB_LOCK_CLASS, `${this.schema}:${job}`])).rows;
    } catch (error) {
      // Whatever failed, the session may be gone and its locks with it: start again from nothing.
      if (this.client === connection) {
        this.client = undefined;
        this.held.clear();
        await connection.then((c) => c.end()).catch(() => undefined);
      }
      throw storeError(error);
    }
  }

  async tryAcquire(job: string): Promise<boolean> {
    // Session locks count re-entries; asking again while held would need two unlocks, so check instead.
    if (this.held.has(job)) return this.holds(job);
    const [row] = await this.query<{ ok: boolean }>(
      "SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok",
      job,
    );
    if (row?.ok === true) this.held.add(job);
    return row?.ok === true;
  }

  async holds(job: string): Promise<boolean> {
    if (!this.held.has(job)) return false;
    try {
      const [row] = await this.query<{ ok: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()
           AND classid = $1::int::oid AND objid = hashtext($2)::oid AND objsubid = 2 AND granted) AS ok`,
        job,
      );
      if (row?.ok !== true) this.held.delete(job);
      return row?.ok === true;
    } catch {
      return false;
    }
  }

  async release(job: string): Promise<void> {
    if (!this.held.delete(job)) return;
    await this.query("SELECT pg_advisory_unlock($1, hashtext($2))", job).catch(() => undefined);
  }

  async close(): Promise<void> {
    this.held.clear();
    const connection = this.client;
    this.client = undefined;
    if (connection !== undefined) await connection.then((c) => c.end()).catch(() => undefined);
  }
}
