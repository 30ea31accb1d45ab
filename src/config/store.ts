/**
 * The `store:` section: where the server keeps its state. Absent, the embedded SQLite file in
 * `--data-dir` (the default); with `url: postgres://…`, a PostgreSQL database shared by replicas
 * (docs/scale-out.md). Global only, like `resources:`. `tiktoktoe serve --store URL` overrides `url`.
 */
import * as z from "zod";
import { parseDuration } from "./duration.js";

/**
 * `store:` after defaults.
 *
 * @example
 * ```ts
 * const { url, pool_size }: StoreSettings = config.store;
 * ```
 */
export interface StoreSettings {
  /** `postgres://…` (a `schema` query parameter picks the schema); null: SQLite in the data directory. */
  readonly url: string | null;
  /** PostgreSQL connections per process at most (8). */
  readonly pool_size: number;
  /** Width of an ingest-log partition in event time, ms (1 day): what retention drops at once. */
  readonly partition: number;
}

/**
 * The defaults of `store:`.
 *
 * @example
 * ```ts
 * defaultStoreSettings.pool_size; // 8
 * ```
 */
export const defaultStoreSettings: StoreSettings = Object.freeze({
  url: null,
  pool_size: 8,
  partition: 86_400_000,
});

/**
 * Why a store URL cannot be used, or undefined when it can. The server's store layer parses it again
 * (config imports no I/O layer); the rule is the same: postgres:// or postgresql://, a host, and an
 * optional `schema` of lower-case letters, digits and '_'.
 *
 * @example
 * ```ts
 * storeUrlProblem("mysql://db/x"); // 'scheme "mysql:" is not postgres: or postgresql:'
 * ```
 */
export function storeUrlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "not a URL";
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:")
    return `scheme "${url.protocol}" is not postgres: or postgresql:`;
  if (url.hostname === "") return "a postgres:// URL needs a host";
  const schema = url.searchParams.get("schema");
  if (schema !== null && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema))
    return `schema "${schema}" must be lower-case letters, digits and '_', starting with a letter or '_'`;
  return undefined;
}

/**
 * The schema of `store:` (every key optional; {@link resolveStore} applies the defaults).
 *
 * @example
 * ```ts
 * storeSection.safeParse({ url: "postgres://tiktoktoe@db:5432/tiktoktoe", pool_size: 16 }).success; // true
 * ```
 */
export const storeSection = z.strictObject({
  url: z
    .string()
    .superRefine((text, ctx) => {
      const problem = storeUrlProblem(text);
      if (problem !== undefined)
        ctx.addIssue({ code: "custom", message: problem, input: text, params: { kind: "value" } });
    })
    .describe("give a PostgreSQL URL, e.g. postgres://tiktoktoe@db.internal:5432/tiktoktoe?schema=prod")
    .optional(),
  pool_size: z
    .int()
    .gte(1)
    .lte(1000)
    .describe("give the most PostgreSQL connections per process, a whole number from 1 to 1000, e.g. 8")
    .optional(),
  partition: z
    .unknown()
    .transform((value, ctx): number => {
      const parsed = parseDuration(value);
      if (!parsed.ok || parsed.ms < 60_000) {
        const kind = typeof value === "string" || typeof value === "number" ? "value" : "type";
        const message = parsed.ok ? "must be at least 1m" : parsed.message;
        ctx.addIssue({ code: "custom", message, input: value, params: { kind } });
        return z.NEVER;
      }
      return parsed.ms;
    })
    .describe(
      "give the event-time width of a log partition, e.g. 1d (retention drops whole partitions; units m, h, d, w)",
    )
    .optional(),
});

/**
 * The `store:` section as written (validated; the partition in milliseconds).
 *
 * @example
 * ```ts
 * const written: StoreOverride = { pool_size: 4 };
 * ```
 */
export type StoreOverride = z.output<typeof storeSection>;

/**
 * `store:` with its defaults.
 *
 * @example
 * ```ts
 * resolveStore({ pool_size: 4 }); // { url: null, pool_size: 4, partition: 86400000 }
 * ```
 */
export function resolveStore(written: StoreOverride | undefined): StoreSettings {
  return {
    url: written?.url ?? defaultStoreSettings.url,
    pool_size: written?.pool_size ?? defaultStoreSettings.pool_size,
    partition: written?.partition ?? defaultStoreSettings.partition,
  };
}
