import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { isTikTokToeError } from "../../errors/index.js";
import { TEST_PG_URL } from "../../testing/services.js";
import type { IngestAppend, ModelRecord } from "../records.js";
import { openPool, parsePostgresUrl, storeError } from "./driver.js";
import { migratePostgres, pgMigrations } from "./migrations.js";
import { pgMissing, TestSchemas } from "./postgres.test.helpers.js";
import { openPostgresStore } from "./postgres-store.js";

const schemas = new TestSchemas("pg");
after(() => schemas.dropAll());

const bike: ModelRecord = {
  name: "bike",
  task: "regression",
  features: [{ name: "temp", type: "numeric", role: "feature" }],
  createdMs: 1,
};
const events = (ids: string[], timeMs: number): IngestAppend => ({
  kind: "events",
  model: "bike",
  receivedMs: timeMs,
  events: ids.map((id) => ({
    index: { id, version: "1", timeMs, join: "{}" },
    source: `{"id":"${id}"}`,
  })),
});

test("parsePostgresUrl takes the schema out of the URL and refuses what is not a postgres URL", () => {
  assert.deepEqual(parsePostgresUrl("postgres://root@127.0.0.1:5432/test?schema=tt_a&sslmode=disable"), {
    url: "postgres://root@127.0.0.1:5432/test?sslmode=disable",
    schema: "tt_a",
  });
  assert.equal(parsePostgresUrl("postgresql://h/db").schema, "public");
  for (const bad of [
    "mysql://h/db",
    "not a url",
    "postgres://h/db?schema=Bad-Name",
    'postgres://h/db?schema=a"b',
  ])
    assert.throws(() => parsePostgresUrl(bad), { code: "USAGE" });
});

describe("PostgreSQL adapter", { skip: pgMissing }, () => {
  test("replicas migrating one schema at once: the advisory lock lets one apply each migration", async () => {
    const schema = schemas.fresh();
    const pools = await Promise.all(
      Array.from({ length: 4 }, () => openPool({ url: TEST_PG_URL, schema, poolSize: 1 })),
    );
    try {
      const applied = await Promise.all(pools.map((pool) => migratePostgres(pool, schema)));
      // Without the lock two would run CREATE TABLE models at once and one would fail.
      assert.deepEqual(
        applied.flat().sort(),
        pgMigrations.map((m) => m.version),
        "each version applied by exactly one of them",
      );
      const { rows } = await pools[0]!.query<{ n: number }>("SELECT count(*) AS n FROM schema_migrations");
      assert.equal(rows[0]!.n, pgMigrations.length);
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
    }
  });

  test("two stores opened at once on a new schema both work", async () => {
    const schema = schemas.fresh();
    const [a, b] = await Promise.all([
      openPostgresStore({ url: TEST_PG_URL, schema, poolSize: 2 }),
      openPostgresStore({ url: TEST_PG_URL, schema, poolSize: 2 }),
    ]);
    try {
      await a.createModel(bike);
      assert.deepEqual(await b.getModel("bike"), bike);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test("appends through two stores at once: sequences have no gaps and follow commit order", async () => {
    const schema = schemas.fresh();
    const a = await openPostgresStore({ url: TEST_PG_URL, schema, poolSize: 3 });
    const b = await openPostgresStore({ url: TEST_PG_URL, schema, poolSize: 3 });
    try {
      await a.createModel(bike);
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          (i % 2 === 0 ? a : b).appendIngest([events([`e${i}`], 1_000 + i)]),
        ),
      );
      const sequences = results.map((r) => r[0]!.sequence!).sort((x, y) => x - y);
      assert.deepEqual(
        sequences,
        Array.from({ length: 40 }, (_, i) => i + 1),
      );
      assert.deepEqual(
        (await b.readBatches(0, 100)).map((batch) => batch.sequence),
        sequences,
      );
      assert.equal(await a.logHead(), 40);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test("retention drops whole partitions of the log and deletes only the older rows of the one it cuts", async () => {
    const schema = schemas.fresh();
    const store = await openPostgresStore({ url: TEST_PG_URL, schema, poolSize: 2, partitionMs: 1_000 });
    const admin = await schemas.admin(schema);
    const partitions = async () =>
      (
        await admin.query<{ name: string }>(
          "SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'ingest_log'::regclass ORDER BY 1",
        )
      ).rows.map((r) => r.name);
    try {
      await store.createModel(bike);
      // Batches at 500, 1500, 2500 (two), 2900 and -300: partitions [-1000,0), [0,1000), [1000,2000), [2000,3000).
      for (const [i, t] of [500, 1_500, 2_500, 2_600, 2_900, -300].entries())
        await store.appendIngest([events([`e${i}`], t)]);
      assert.deepEqual(await partitions(), [
        "ingest_log_0",
        "ingest_log_1000",
        "ingest_log_2000",
        "ingest_log_m1000",
      ]);
      assert.deepEqual(await store.deleteBefore(2_700), { batches: 5, windows: 0, events: 5 });
      assert.deepEqual(await partitions(), ["ingest_log_2000"], "three partitions dropped whole");
      assert.deepEqual(
        (await store.readBatches(0, 10)).map((b) => b.maxEventMs),
        [2_900],
      );
      // A late event in a dropped partition's range: the partition is made again.
      await store.appendIngest([events(["late"], 700)]);
      assert.deepEqual(await partitions(), ["ingest_log_0", "ingest_log_2000"]);
      assert.equal(await store.logHead(), 7);
    } finally {
      await admin.end();
      await store.close();
    }
  });

  test("a partition dropped by another store's retention is made again on the next append", async () => {
    const schema = schemas.fresh();
    const a = await openPostgresStore({ url: TEST_PG_URL, schema, poolSize: 2, partitionMs: 1_000 });
    const b = await openPostgresStore({ url: TEST_PG_URL, schema, poolSize: 2, partitionMs: 60_000 });
    try {
      await a.createModel(bike);
      await a.appendIngest([events(["x"], 100)]);
      await b.deleteBefore(5_000);
      // a believes [0, 1000) exists; its insert fails once inside, and the append is retried.
      const [result] = await a.appendIngest([events(["y"], 200)]);
      assert.equal(result!.accepted, 1);
      assert.deepEqual(
        (await b.readBatches(0, 10)).map((batch) => batch.sequence),
        [2],
      );
      await b.appendIngest([events(["z"], 1_500)]);
      assert.deepEqual(
        (await a.readBatches(2, 10)).map((batch) => batch.maxEventMs),
        [1_500],
        "b uses the width the schema was made with (1 s), not its own option",
      );
    } finally {
      await a.close();
      await b.close();
    }
  });

  test("outages are STORE_UNAVAILABLE (retryable): refused connection, a connection the server terminated", async () => {
    await assert.rejects(
      openPostgresStore({ url: "postgres://root@127.0.0.1:1/test", schema: schemas.fresh(), poolSize: 1 }),
      (error: unknown) => isTikTokToeError(error, "STORE_UNAVAILABLE") && error.retryAfterS === 5,
    );
    // A real admin shutdown of a backend (57P01), as a server restart or failover does.
    const victim = await schemas.admin();
    const killer = await schemas.admin();
    try {
      const client = await victim.connect();
      const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
      // The handler is attached before the kill: a rejection with none yet fails the test runner.
      const running = client.query("SELECT pg_sleep(30)").then(
        () => undefined,
        (e: unknown) => e,
      );
      await killer.query("SELECT pg_terminate_backend($1)", [rows[0]!.pid]);
      const error = await running;
      client.release(true);
      assert.equal((error as { code?: string }).code, "57P01");
      const mapped = storeError(error);
      assert.ok(isTikTokToeError(mapped, "STORE_UNAVAILABLE"));
      assert.match(mapped.message, /57P01/);
      // A disk-full SQLSTATE (53100) and a constraint violation (not an outage).
      assert.ok(
        isTikTokToeError(
          storeError(Object.assign(new Error("could not extend file"), { code: "53100" })),
          "STORE_UNAVAILABLE",
        ),
      );
      const bug = Object.assign(new Error("duplicate key"), { code: "23505" });
      assert.equal(storeError(bug), bug);
    } finally {
      await victim.end();
      await killer.end();
    }
  });

  test("a store keeps working after the server terminated its connections", async () => {
    const schema = schemas.fresh();
    const store = await openPostgresStore({
      url: TEST_PG_URL,
      schema,
      poolSize: 2,
      applicationName: `tt-${schema}`,
    });
    const admin = await schemas.admin();
    try {
      await store.createModel(bike);
      await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
        [`tt-${schema}`],
      );
      // The pool drops the dead idle connections (their error event is handled) and opens new ones.
      let model: ModelRecord | undefined;
      for (let attempt = 0; attempt < 3 && model === undefined; attempt++)
        model = await store.getModel("bike").catch((error: unknown) => {
          assert.ok(isTikTokToeError(error, "STORE_UNAVAILABLE"), String(error));
          return undefined;
        });
      assert.deepEqual(model, bike);
    } finally {
      await admin.end();
      await store.close();
    }
  });
});
