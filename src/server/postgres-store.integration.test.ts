import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { pgMissing, TestSchemas } from "../store/postgres/postgres.test.helpers.js";
import { exited, spawnServe } from "../testing/serve-process.js";
import { TEST_PG_URL } from "../testing/services.js";

const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-pg-serve-"));
const schemas = new TestSchemas("serve");
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await schemas.dropAll();
});

const post = (url: string, path: string, body: string, type = "application/json") =>
  fetch(`${url}${path}`, { method: "POST", headers: { "content-type": type }, body });

const T0 = Date.parse("2026-03-01T00:00:00Z");
const events = Array.from({ length: 600 }, (_, i) =>
  JSON.stringify({
    id: `e${i}`,
    time: T0 + i * 20_000, // 600 events over 3h20m: four hourly windows
    version: "1",
    features: { x: (i * 37) % 101, c: i % 3 === 0 ? "a" : "b" },
    prediction: (i * 13) % 50,
  }),
);
const labels = Array.from({ length: 300 }, (_, i) => ({ id: `e${i * 2}`, value: (i * 7) % 50 }));

/** Ingests the same events and labels (some twice) and answers the model's windows. */
async function run(args: string[]): Promise<unknown> {
  let { child, url } = await spawnServe([...args, "--port", "0", "--clock", "event"]);
  try {
    assert.equal(
      (
        await post(
          url,
          "/v1/models",
          JSON.stringify({
            name: "m",
            task: "regression",
            features: [
              { name: "x", type: "numeric" },
              { name: "c", type: "categorical" },
            ],
          }),
        )
      ).status,
      201,
    );
    await post(url, "/v1/models/m/versions", JSON.stringify({ version: "1" }));
    for (let b = 0; b < 6; b++) {
      const response = await post(
        url,
        "/v1/models/m/events",
        events.slice(b * 100, b * 100 + 120).join("\n"), // overlapping: 20 duplicates per batch
        "application/x-ndjson",
      );
      assert.equal(response.status, 200, await response.text());
    }
    assert.equal((await post(url, "/v1/models/m/labels", JSON.stringify(labels))).status, 200);
    // A restart: what the API answers afterwards comes from the store.
    child.kill("SIGTERM");
    await exited(child);
    ({ child, url } = await spawnServe([...args, "--port", "0", "--clock", "event"]));
    const windows = (await (await fetch(`${url}/v1/models/m/windows`)).json()) as {
      windows: Array<Record<string, unknown>>;
    };
    return windows.windows.map(({ updatedMs: _u, ...rest }) => rest);
  } finally {
    child.kill("SIGTERM");
    await exited(child);
  }
}

test("serve --store postgres://… ingests and answers windows exactly as on SQLite, across a restart", {
  skip: pgMissing,
}, async () => {
  const sqlite = await run(["--data-dir", join(dir, "sqlite")]);
  const schema = schemas.fresh();
  const postgres = await run(["--data-dir", join(dir, "pg"), "--store", `${TEST_PG_URL}?schema=${schema}`]);
  assert.ok(Array.isArray(sqlite) && sqlite.length === 4, JSON.stringify(sqlite).slice(0, 300));
  assert.deepEqual(postgres, sqlite);
  // The state is in PostgreSQL: the log holds each accepted event once.
  const admin = await schemas.admin(schema);
  try {
    const { rows } = await admin.query<{ n: number }>(
      "SELECT coalesce(sum(count), 0)::int AS n FROM ingest_log WHERE kind = 'events'",
    );
    assert.equal(rows[0]!.n, 600);
  } finally {
    await admin.end();
  }
});

test("serve --store with a URL that is not postgres:// exits 2 naming --store", async () => {
  const { runCli } = await import("../testing/cli.js");
  const run = await runCli(["serve", "--data-dir", join(dir, "bad"), "--store", "mysql://db/x"]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /--store/);
  assert.match(run.stderr, /postgres:\/\//);
});
