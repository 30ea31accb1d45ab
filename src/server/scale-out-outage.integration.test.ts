// Issue #16: the server-level NATS outage. `serve --role all --store postgres --queue nats` on a
// private nats-server (its own port: the machine's shared one is never stopped); nats-server is killed
// (kill -9) mid-load: the API answers 503 QUEUE_UNAVAILABLE with Retry-After while it cannot publish,
// /readyz says so, nothing answered 2xx is lost, and it recovers by itself when NATS is back.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { pgMissing, TestSchemas } from "../store/postgres/postgres.test.helpers.js";
import { TEST_PG_URL } from "../testing/services.js";
import {
  eventually,
  freePort,
  kill9,
  natsServerMissing,
  type Replica,
  startNats,
  startReplica,
  stopGracefully,
} from "./scale-out.test.helpers.js";

const natsMissing = natsServerMissing();
const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-queue-outage-"));
const schemas = new TestSchemas("outage");
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await schemas.dropAll();
});

const T0 = Date.parse("2026-03-01T00:00:00Z");
const post = (url: string, path: string, body: string, type = "application/json") =>
  fetch(`${url}${path}`, { method: "POST", headers: { "content-type": type }, body });

/** Batch b: 10 events, ids b-0…b-9, one second apart in event time. */
const batch = (b: number) =>
  Array.from({ length: 10 }, (_, i) =>
    JSON.stringify({
      id: `b${b}-${i}`,
      time: T0 + (b * 10 + i) * 1_000,
      version: "1",
      features: { x: i },
      prediction: b % 7,
    }),
  ).join("\n");

test("NATS killed -9 under load: 503 QUEUE_UNAVAILABLE with Retry-After and /readyz not ready while it is down, nothing answered 2xx lost, recovery by itself", {
  skip: pgMissing || natsMissing,
  timeout: 120_000,
}, async () => {
  const port = await freePort();
  let nats = await startNats(port, dir);
  const schema = schemas.fresh();
  const config = join(dir, "monitor.json");
  writeFileSync(
    config,
    JSON.stringify({
      monitor: { window: "1m", lateness: "10m" },
      queue: { ack_wait: "2s", publish_timeout: "1s" },
    }),
  );
  let server: Replica | undefined;
  try {
    server = await startReplica("all", [
      "--data-dir",
      join(dir, "data"),
      "--clock",
      "event",
      "--store",
      `${TEST_PG_URL}?schema=${schema}`,
      "--queue",
      `nats://127.0.0.1:${port}?deployment=outage`,
      "--role",
      "all",
      "--config",
      config,
    ]);
    const { url } = server;
    assert.equal(
      (
        await post(
          url,
          "/v1/models",
          JSON.stringify({ name: "m", task: "regression", features: [{ name: "x", type: "numeric" }] }),
        )
      ).status,
      201,
    );
    assert.equal((await post(url, "/v1/models/m/versions", JSON.stringify({ version: "1" }))).status, 201);

    const answered = new Set<number>(); // batches answered 2xx
    const send = async (b: number) => {
      const answer = await post(url, "/v1/models/m/events", batch(b), "application/x-ndjson");
      const body = (await answer.json()) as { code?: string; queued?: boolean; accepted?: number };
      if (answer.status === 202) {
        assert.deepEqual([body.queued, body.accepted], [true, 10]);
        answered.add(b);
      }
      return { status: answer.status, body, retryAfter: answer.headers.get("retry-after") };
    };

    for (let b = 0; b < 30; b++) assert.equal((await send(b)).status, 202);
    assert.equal((await fetch(`${url}/readyz`)).status, 200);

    await kill9(nats);
    // While NATS is down every request is refused, retryable, and nothing of it is acknowledged.
    const refused: number[] = [];
    for (let b = 30; b < 34; b++) {
      const outcome = await send(b);
      assert.equal(outcome.status, 503, JSON.stringify(outcome.body));
      assert.equal(outcome.body.code, "QUEUE_UNAVAILABLE");
      assert.ok(Number(outcome.retryAfter) > 0, `Retry-After: ${outcome.retryAfter}`);
      refused.push(b);
    }
    const ready = await fetch(`${url}/readyz`);
    const readiness = (await ready.json()) as { status: string; reason?: string };
    assert.deepEqual([ready.status, readiness.reason], [503, "queue_unavailable"]);

    nats = await startNats(port, dir);
    // The client resends what was refused (the SDKs do, after Retry-After) until the server takes it.
    for (const b of refused) {
      const took = await eventually(async () => (await send(b)).status === 202, 30_000, 200);
      assert.ok(took, `batch ${b} is taken again after NATS restarted`);
    }
    for (let b = 34; b < 60; b++) assert.equal((await send(b)).status, 202);
    assert.equal((await fetch(`${url}/readyz`)).status, 200, "ready again");

    // Every batch answered 2xx is stored, each event once.
    const admin = await schemas.admin(schema);
    try {
      const count = async () =>
        (
          await admin.query<{ indexed: number; logged: number }>(
            `SELECT (SELECT count(*)::int FROM event_index) AS indexed,
                    (SELECT coalesce(sum(count), 0)::int FROM ingest_log WHERE kind = 'events') AS logged`,
          )
        ).rows[0]!;
      const stored = await eventually(async () => (await count()).indexed === answered.size * 10, 30_000);
      const { indexed, logged } = await count();
      assert.ok(stored, `stored ${indexed} of ${answered.size * 10} events answered 2xx`);
      assert.equal(logged, indexed, "the log holds each event once");
    } finally {
      await admin.end();
    }
    assert.equal(answered.size, 60);
  } catch (error) {
    if (server !== undefined) console.log(server.logged().slice(-4000));
    throw error;
  } finally {
    if (server !== undefined) await stopGracefully(server.child);
    await kill9(nats);
  }
});
