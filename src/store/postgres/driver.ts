import { TikTokToeError } from "../../errors/index.js";

/** The slice of a pg query result the adapter reads. */
export interface PgResult<R> {
  readonly rows: R[];
  readonly rowCount: number | null;
}

/** The slice of a pg client (one connection) the adapter uses: queries and its release to the pool. */
export interface PgClient {
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<PgResult<R>>;
  /** Returns the connection to the pool; `true` (or an error) destroys it instead. */
  release(destroy?: boolean | Error): void;
}

/** The slice of a pg pool the adapter uses (declared here, not imported: see docs/architecture.md). */
export interface PgPool {
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<PgResult<R>>;
  connect(): Promise<PgClient>;
  end(): Promise<void>;
  on(event: "error", listener: (error: Error) => void): unknown;
}

/** Where a PostgreSQL store lives: a connection URL and the schema its tables are in. */
export interface PgLocation {
  /** `postgres://user@host:port/database`; a `schema` query parameter is taken out (see {@link parsePostgresUrl}). */
  readonly url: string;
  /** Schema of the tables (created if missing); `public` when the URL names none. */
  readonly schema: string;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Splits a store URL into the connection URL and the schema: `?schema=NAME` (as Prisma spells it)
 * selects the schema the tables live in, so several deployments, or every test, can share one
 * database. Anything else in the URL is pg's (`sslmode`, `application_name`, …).
 *
 * @example
 * ```ts
 * parsePostgresUrl("postgres://root@127.0.0.1:5432/test?schema=tt_a");
 * // { url: "postgres://root@127.0.0.1:5432/test", schema: "tt_a" }
 * ```
 */
export function parsePostgresUrl(text: string): PgLocation {
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw usage(`"${text}" is not a URL`);
  }
  if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:")
    throw usage(`"${text}" is not a postgres:// URL`);
  const schema = parsed.searchParams.get("schema") ?? "public";
  if (!SCHEMA_NAME.test(schema))
    throw usage(
      `schema "${schema}" must be lower-case letters, digits and '_', starting with a letter or '_'`,
    );
  parsed.searchParams.delete("schema");
  return { url: parsed.toString(), schema };
}

function usage(message: string): TikTokToeError {
  return new TikTokToeError("USAGE", message, {
    path: "--store",
    hint: "e.g. --store postgres://tiktoktoe@db.example.com:5432/tiktoktoe?schema=prod",
  });
}

/** Options of {@link openPool}. */
export interface PoolOptions extends PgLocation {
  /** Connections at most (pg's `max`). */
  readonly poolSize: number;
  /** Name shown in pg_stat_activity. */
  readonly applicationName?: string;
}

/**
 * Opens a pg pool whose connections use `schema` (search_path) and parse int8 as numbers: every
 * integer the store keeps (milliseconds, sequences) is below 2^53. pg is loaded on first use, so a
 * process on the embedded store never loads it.
 *
 * @example
 * ```ts
 * const pool = await openPool({ url: "postgres://root@127.0.0.1/test", schema: "public", poolSize: 8 });
 * ```
 */
export async function openPool(options: PoolOptions): Promise<PgPool> {
  const pg = (await import("pg")).default;
  const int8 = (text: string) => Number(text);
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    // The schema is quoted by the server: SCHEMA_NAME admits no character that would need escaping.
    options: `-c search_path=${options.schema}`,
    application_name: options.applicationName ?? "tiktoktoe",
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    // Statements of a transaction go out without waiting for each answer (see PostgresStore.transaction).
    pipeline: true,
    types: {
      getTypeParser: ((oid: number, format?: "text" | "binary") =>
        oid === 20 ? int8 : pg.types.getTypeParser(oid, format ?? "text")) as typeof pg.types.getTypeParser,
    },
  });
  return pool as unknown as PgPool;
}

/**
 * SQLSTATE classes and codes that mean "the database cannot serve now, retry later": connection
 * exceptions (08), insufficient resources (53: disk full 53100, out of memory, too many connections),
 * operator intervention (57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now), and
 * the two a retried transaction gets past (serialization failure, deadlock).
 */
const RETRYABLE_CLASSES = ["08", "53"];
const RETRYABLE_CODES = new Set(["57P01", "57P02", "57P03", "40001", "40P01", "55P03"]);
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENOTFOUND",
]);

/**
 * The store's answer to a pg failure: an outage (connection lost or refused, disk full, the server
 * shutting down) becomes the retryable `STORE_UNAVAILABLE` the SQLite adapter's server answers with
 * (503, Retry-After); anything else (a bug, a constraint the adapter did not expect) is returned as is.
 *
 * @example
 * ```ts
 * try { await pool.query(sql); } catch (error) { throw storeError(error); }
 * ```
 */
export function storeError(error: unknown): unknown {
  if (error instanceof TikTokToeError) return error;
  const code = String((error as { code?: unknown })?.code ?? "");
  const message = error instanceof Error ? error.message : String(error);
  const full = code === "53100" || /no space left|disk is full/i.test(message);
  const outage =
    full ||
    RETRYABLE_CLASSES.some((c) => code.startsWith(c)) ||
    RETRYABLE_CODES.has(code) ||
    NETWORK_CODES.has(code) ||
    /connection terminated|terminating connection|timeout exceeded when trying to connect|Connection terminated/i.test(
      message,
    );
  if (!outage) return error;
  return new TikTokToeError(
    "STORE_UNAVAILABLE",
    full
      ? "the PostgreSQL store's disk is full; nothing was stored"
      : `the PostgreSQL store is unavailable (${code === "" ? message : code}); nothing was stored`,
    {
      cause: error,
      hint: full ? "free disk space on the database server; then resend" : "retry shortly",
      retryAfterS: 5,
    },
  );
}
