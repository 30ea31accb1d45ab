import { randomBytes } from "node:crypto";
import { serviceMissing, TEST_PG_URL } from "../../testing/services.js";
import { openPool, type PgPool } from "./driver.js";

/** Why PostgreSQL tests skip on this machine (false: they run; in CI a missing server throws). */
export const pgMissing = await serviceMissing("PostgreSQL", TEST_PG_URL, "postgresql");

/**
 * Fresh schemas on the test database, one per test, each dropped by {@link TestSchemas.dropAll}: tests
 * running at once (and engineers sharing the server) never see each other's tables.
 *
 * @example
 * ```ts
 * const schemas = new TestSchemas("conf");
 * after(() => schemas.dropAll());
 * const store = await openPostgresStore({ url: TEST_PG_URL, schema: schemas.fresh() });
 * ```
 */
export class TestSchemas {
  private readonly made: string[] = [];
  constructor(private readonly prefix: string) {}

  /** A new schema name (the store creates it). */
  fresh(): string {
    const name = `tt_${this.prefix}_${randomBytes(5).toString("hex")}`;
    this.made.push(name);
    return name;
  }

  /** A one-connection pool on the test database, for what a test checks behind the store's back. */
  async admin(schema = "public"): Promise<PgPool> {
    const pool = await openPool({ url: TEST_PG_URL, schema, poolSize: 1 });
    pool.on("error", () => undefined);
    return pool;
  }

  async dropAll(): Promise<void> {
    if (this.made.length === 0) return;
    const pool = await this.admin();
    try {
      for (const name of this.made.splice(0)) await pool.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
    } finally {
      await pool.end();
    }
  }
}
