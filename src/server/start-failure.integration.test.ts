import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { pgMissing, TestSchemas } from "../store/postgres/postgres.test.helpers.js";
import { TEST_PG_URL } from "../testing/services.js";
import { startServer } from "./start.js";

// A start that fails half-way closes everything it had opened: on PostgreSQL, the store's pool, the
// change bus's LISTEN client and the job locks' session.

const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-start-failure-"));
const schemas = new TestSchemas("startfail");
after(async () => {
  await schemas.dropAll();
  rmSync(dir, { recursive: true, force: true });
});

async function openConnections(application: string): Promise<number> {
  const admin = await schemas.admin();
  try {
    let open = -1;
    // Backends end a moment after their client hangs up.
    for (let waited = 0; waited < 5000; waited += 100) {
      const rows = await admin.query<{ n: string }>(
        "SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1",
        [application],
      );
      open = Number(rows.rows[0]!.n);
      if (open === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return open;
  } finally {
    await admin.end();
  }
}

const skip = pgMissing === false ? false : pgMissing;

test("a start whose queue cannot be reached leaves no PostgreSQL connection open", { skip }, async () => {
  const application = `tt-startfail-${randomBytes(4).toString("hex")}`;
  const store = `${TEST_PG_URL}?schema=${schemas.fresh()}&application_name=${application}`;
  // Nothing listens on port 1: the queue fails after the store, the change bus and the locks opened.
  await assert.rejects(startServer({ port: 0, dataDir: join(dir, "q"), store, queue: "nats://127.0.0.1:1" }));
  const open = await openConnections(application);
  assert.equal(open, 0, `${open} connection(s) of the failed start are still open`);
});

test("a start that fails at listening leaves no PostgreSQL connection open", { skip }, async () => {
  const application = `tt-startfail-${randomBytes(4).toString("hex")}`;
  const store = `${TEST_PG_URL}?schema=${schemas.fresh()}&application_name=${application}`;
  const first = await startServer({ port: 0, dataDir: join(dir, "a") });
  try {
    const port = Number(new URL(first.url).port);
    await assert.rejects(startServer({ port, dataDir: join(dir, "b"), store }), { code: "USAGE" });
    const open = await openConnections(application);
    assert.equal(open, 0, `${open} connection(s) of the failed start are still open`);
  } finally {
    await first.close();
  }
});
