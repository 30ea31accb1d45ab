// One derivation for both ingest paths (derive.ts): the same request bodies, appended by the API
// process itself (no queue) or published as sent by an API replica and derived by a worker whose clock
// has moved on by a month (`--queue`), give the store byte-identical log rows and event-index rows.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { validateConfig } from "../../config/index.js";
import { isTikTokToeError } from "../../errors/index.js";
import { openMemoryQueue } from "../../queue/index.js";
import { type IngestAppend, openSqliteStore, type Store } from "../../store/index.js";
import { MonitorService } from "../monitor-service.js";
import { eventLine, registerBinaryModel } from "./ingest.test.helpers.js";

const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-queue-parity-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const config = (() => {
  const result = validateConfig({ monitor: { window: "1h", lateness: "1h" } });
  assert.ok(result.ok);
  return result.config;
})();
const T0 = Date.UTC(2026, 1, 16, 12);
const MONTH = 30 * 86_400_000;

/** The store's appends as they were asked for (what the log and the event index are written from). */
function recording(store: Store): { store: Store; appends: IngestAppend[] } {
  const appends: IngestAppend[] = [];
  const proxy = new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== "function") return value;
      if (property === "appendIngest")
        return (batches: readonly IngestAppend[]) => {
          appends.push(...structuredClone(batches));
          return target.appendIngest(batches);
        };
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
  return { store: proxy, appends };
}

/** Request bodies of every kind: the scanner's and the parser's cases, absent times, labels. */
const REQUESTS: ReadonlyArray<{
  kind: "events" | "labels";
  body: string | unknown[];
  format?: "ndjson" | "json";
}> = [
  {
    kind: "events",
    body: [
      eventLine({ id: "a", time: T0 - 600_000, features: { x: 1.5, c: "red", s: "f" }, scores: [0.2, 0.8] }),
      eventLine({ id: "b", time: T0 - 3_000_000, features: { x: -2e-7, c: "blue", s: null }, latency_ms: 3 }),
      // No time: the receipt's (the API's nowMs), written into the stored record.
      eventLine({ id: "c", features: { x: 0, c: 7, s: true }, scores: [1, 0] }),
      `  ${eventLine({ id: "d", time: null, features: { x: 4, c: "Zürich", s: "m" }, prediction: "no" })}\r`,
    ].join("\n"),
  },
  {
    kind: "events",
    // ISO times and a duplicate key: the parser's alone, stored alike.
    body: [
      eventLine({ id: "e", time: new Date(T0 - 60_000).toISOString(), features: { x: 2, c: "red", s: "f" } }),
      '{"id":"f","version":"1","prediction":"no","features":{"x":1,"x":2,"c":"a","s":"m"}}',
    ].join("\n"),
  },
  {
    kind: "events",
    format: "json",
    body: JSON.stringify([
      { id: "g", time: T0 - 1_000, version: "1", features: { x: 3, c: 1, s: "f" }, prediction: "yes" },
    ]),
  },
  // Event objects (as /predict records them): a JSON array's text.
  { kind: "events", body: [{ id: "h", version: "1", features: { x: 9, c: "z", s: "m" }, prediction: "no" }] },
  // A resend: duplicates, nothing new logged.
  {
    kind: "events",
    body: eventLine({ id: "a", time: T0 - 600_000, features: { x: 1.5, c: "red", s: "f" } }),
  },
  {
    kind: "labels",
    body: [
      JSON.stringify({ id: "a", value: "yes", time: T0 - 500_000 }),
      JSON.stringify({ id: "c", value: "no" }),
      JSON.stringify({ id: "unknown", value: "no" }),
    ].join("\n"),
  },
];

test("a batch through the queue (worker a month later) is stored byte for byte as without it: log rows and index rows", async (t) => {
  // Closed in reverse order also when an assertion fails (a worker loop left running holds the runner).
  const closing: Array<() => Promise<void>> = [];
  t.after(async () => {
    for (const close of closing.reverse()) await close().catch(() => undefined);
  });
  const direct = recording(await openSqliteStore({ file: join(dir, "direct.db") }));
  const shared = recording(await openSqliteStore({ file: join(dir, "queued.db") }));
  const queue = openMemoryQueue({ name: "parity", ackWaitMs: 60_000 });
  closing.push(
    () => direct.store.close(),
    () => shared.store.close(),
    () => queue.close(),
  );
  const alone = await MonitorService.open({ store: direct.store, config, clock: "wall", now: () => T0 });
  const api = await MonitorService.open({
    store: shared.store,
    config,
    clock: "wall",
    now: () => T0,
    publishTo: queue,
  });
  closing.push(
    () => alone.close(),
    () => api.close(),
  );
  await registerBinaryModel(alone);
  await registerBinaryModel(api);
  const answers: Array<[unknown, unknown]> = [];
  for (const { kind, body, format } of REQUESTS) {
    // Bytes, as the HTTP route passes them; the event objects as /predict does.
    const sent = typeof body === "string" ? Buffer.from(body) : body;
    const call = (service: MonitorService) =>
      kind === "events" ? service.ingestEvents("m", sent, format) : service.ingestLabels("m", sent, format);
    answers.push([await call(alone), await call(api)]);
  }
  // The API counts what it validated; duplicates and unmatched labels are the worker's to know.
  for (const [stored, queued] of answers) {
    const {
      accepted,
      duplicates,
      unmatched = 0,
    } = stored as { accepted: number; duplicates: number; unmatched?: number };
    assert.equal((queued as { queued?: boolean }).queued, true);
    assert.equal((queued as { accepted: number }).accepted, accepted + duplicates + unmatched);
  }
  assert.equal(shared.appends.length, 0, "the API replica appends nothing itself");
  // An invalid batch: refused alike, with the parser's problems, and nothing published.
  const invalid = Buffer.from(
    `${eventLine({ id: "z1", features: { x: 1, c: "a", s: "f" } })}\n${eventLine({ id: "z2", features: { x: "high" } })}`,
  );
  const refusal = async (service: MonitorService) =>
    service.ingestEvents("m", invalid).then(
      () => assert.fail("accepted an invalid batch"),
      (error: unknown) => {
        assert.ok(isTikTokToeError(error, "INGEST_INVALID"));
        return error.problems;
      },
    );
  assert.deepEqual(await refusal(api), await refusal(alone));
  assert.deepEqual(
    ((await refusal(alone)) as Array<{ line: number; field: string }>).map((p) => [p.line, p.field]),
    [[2, "features.x"]],
  );

  // The worker: a month later by its own clock, far beyond the lateness of every event.
  const worker = await MonitorService.open({
    store: shared.store,
    config,
    clock: "wall",
    now: () => T0 + MONTH,
    consume: await queue.consumer("store-writer"),
  });
  closing.push(() => worker.close());
  for (let i = 0; i < 200 && (worker.storeWriter?.batches ?? 0) < REQUESTS.length; i++)
    await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(worker.storeWriter?.batches, REQUESTS.length);
  assert.equal(worker.storeWriter?.deadLetters, 0);

  assert.deepEqual(shared.appends, direct.appends, "the same appends: sources, index rows and join fields");
  const rows = async (store: Store) =>
    (await store.readBatches(0, 100)).map(({ sequence: _, payload, ...row }) => ({
      ...row,
      payload: Buffer.from(payload).toString("utf8"),
    }));
  const [directRows, queuedRows] = [await rows(direct.store), await rows(shared.store)];
  assert.deepEqual(queuedRows, directRows);
  // The rows are what the bodies say (not just alike): the record without a time has the receipt's.
  assert.equal(directRows.length, 5, "4 event batches with new events, 1 label batch");
  assert.match(directRows[0]!.payload, new RegExp(`"id":"c".*"time":${T0}`));
  assert.match(directRows[4]!.payload, /"id":"c","value":"no","time":1771243200000/);
  assert.equal(await direct.store.countIndexedEvents("m"), 8);
  assert.equal(await shared.store.countIndexedEvents("m"), 8);
});
