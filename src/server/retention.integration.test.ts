import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { startServer } from "./start.js";

const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-retention-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const DAY = 86_400_000;

const json = (body: unknown) => ({
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});
const events = (from: number, n: number, t0: number) =>
  Array.from({ length: n }, (_, i) =>
    JSON.stringify({
      id: `e${from + i}`,
      time: t0 + i * 60_000,
      version: "1",
      features: { x: i },
      prediction: i,
    }),
  ).join("\n");

test("the scheduled retention job deletes windows and log batches older than 30 days, by the injected clock", async () => {
  let now = Date.parse("2026-01-01T00:00:00Z");
  const server = await startServer({
    port: 0,
    dataDir: join(dir, "a"),
    now: () => now,
    flushIntervalMs: 20,
    retentionIntervalMs: 20,
  });
  try {
    await fetch(
      `${server.url}/v1/models`,
      json({ name: "m", task: "regression", features: [{ name: "x", type: "numeric" }] }),
    );
    await fetch(`${server.url}/v1/models/m/versions`, json({ version: "1" }));
    const post = (body: string) =>
      fetch(`${server.url}/v1/models/m/events`, {
        method: "POST",
        headers: { "content-type": "application/x-ndjson" },
        body,
      });
    assert.equal((await post(events(0, 30, now - 30 * 60_000))).status, 200);
    const windows = async () =>
      ((await (await fetch(`${server.url}/v1/models/m/windows`)).json()) as { windows: unknown[] }).windows;
    assert.equal((await windows()).length, 1);
    // 29 days later: still kept.
    now += 29 * DAY;
    await new Promise((resolve) => setTimeout(resolve, 120));
    assert.equal((await windows()).length, 1);
    assert.equal((await server.store.readBatches(0, 10)).length, 1);
    // Past 30 days: the timer's next run deletes the window and its log batch.
    now += 2 * DAY;
    await post(events(100, 1, now - 1000));
    await new Promise((resolve) => setTimeout(resolve, 150));
    const left = (await windows()) as Array<{ startMs: number }>;
    assert.deepEqual(
      left.map((w) => w.startMs),
      [Math.floor((now - 1000) / 3_600_000) * 3_600_000],
    );
    assert.equal((await server.store.readBatches(0, 10)).length, 1, "only the new batch is left in the log");
    // A label for an event past retention finds nothing to join: the id index shrank with the log.
    const label = await fetch(`${server.url}/v1/models/m/labels`, json([{ id: "e0", value: 1 }]));
    assert.deepEqual(await label.json(), { accepted: 0, duplicates: 0, unmatched: 1 });
  } finally {
    await server.close();
  }
});

test("a body over the size limit is refused with 413 and nothing is stored", async () => {
  const server = await startServer({
    port: 0,
    dataDir: join(dir, "b"),
    maxBodyBytes: 10_000,
    clock: "event",
  });
  try {
    await fetch(
      `${server.url}/v1/models`,
      json({ name: "m", task: "regression", features: [{ name: "x", type: "numeric" }] }),
    );
    await fetch(`${server.url}/v1/models/m/versions`, json({ version: "1" }));
    const big = events(0, 400, Date.parse("2026-01-01T00:00:00Z"));
    assert.ok(big.length > 10_000);
    const response = await fetch(`${server.url}/v1/models/m/events`, {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body: big,
    });
    assert.equal(response.status, 413);
    assert.equal(((await response.json()) as { code: string }).code, "BODY_TOO_LARGE");
    assert.deepEqual(await server.store.readBatches(0, 10), []);
    const small = await fetch(`${server.url}/v1/models/m/events`, {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body: events(0, 5, Date.parse("2026-01-01T00:00:00Z")),
    });
    assert.equal(small.status, 200, "the server stays up and serves the next request");
  } finally {
    await server.close();
  }
});
