// The write path's promises when the store fails (issue #12): a failed write is a retryable 503 that
// names the cause, readiness says so, and after the store recovers every acknowledged event is in
// its window exactly once — also when aggregation itself fails for a while, and across a restart.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { validateConfig } from "../config/index.js";
import { isTikTokToeError } from "../errors/index.js";
import { openSqliteStore, type Store } from "../store/index.js";
import { MonitorService } from "./monitor-service.js";

const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-durability-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const config = (() => {
  const result = validateConfig({ monitor: { window: "1h", lateness: "1h", min_samples: 1 } });
  assert.ok(result.ok);
  return result.config;
})();

const T0 = Date.UTC(2026, 0, 5, 10);
const events = (batch: number, n = 100, offsetMs = 0) =>
  Array.from({ length: n }, (_, i) =>
    JSON.stringify({
      id: `b${batch}-${i}`,
      time: T0 + offsetMs + (batch * n + i) * 1000,
      version: "1",
      features: { x: i },
      prediction: i % 7,
      latency_ms: 1 + (i % 5),
    }),
  ).join("\n");

/** A store whose chosen methods fail, like a full disk, while `failing` names them. */
function faulty(store: Store, failing: Set<string>, code = "SQLITE_FULL"): Store {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (failing.has(String(property)))
          return Promise.reject(Object.assign(new Error("database or disk is full"), { code }));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

async function openService(file: string, failing: Set<string>) {
  const store = faulty(await openSqliteStore({ file }), failing);
  const service = await MonitorService.open({ store, config, clock: "event", now: () => T0 });
  return { store, service };
}

async function register(service: MonitorService) {
  await service.registerModel({ name: "m", task: "regression", features: [{ name: "x", type: "numeric" }] });
  await service.registerVersion("m", { version: "1" });
}

const counted = async (service: MonitorService) =>
  (await service.windows("m", Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY)).reduce(
    (sum, w) => sum + Number(w.events),
    0,
  );

test("a full disk refuses writes with a retryable STORE_UNAVAILABLE, readiness reports it, and it recovers", async () => {
  const failing = new Set<string>();
  const { store, service } = await openService(join(dir, "full.db"), failing);
  await register(service);
  assert.deepEqual(await service.ingestEvents("m", events(0), "ndjson"), { accepted: 100, duplicates: 0 });
  failing.add("appendIngest");
  await assert.rejects(service.ingestEvents("m", events(1), "ndjson"), (error: unknown) => {
    assert.ok(isTikTokToeError(error, "STORE_UNAVAILABLE"));
    assert.equal(error.status, 503);
    assert.equal(error.retryAfterS, 5);
    assert.match(error.message, /disk is full/);
    return true;
  });
  assert.equal(service.storeFailure?.code, "disk_full");
  failing.delete("appendIngest");
  assert.deepEqual(await service.ingestEvents("m", events(1), "ndjson"), { accepted: 100, duplicates: 0 });
  assert.equal(service.storeFailure, null, "a successful write clears the failure");
  await service.flush();
  assert.equal(await counted(service), 200);
  await store.close();
});

test("windows that failed to be written stay dirty: after space returns and a restart every event counts once", async () => {
  const file = join(dir, "flush.db");
  const failing = new Set<string>();
  let { store, service } = await openService(file, failing);
  await register(service);
  for (let b = 0; b < 3; b++) await service.ingestEvents("m", events(b), "ndjson");
  await service.flush();
  // The disk fills: window writes fail, while ingestion goes on (the log has room in this story).
  failing.add("putWindows");
  for (let b = 3; b < 6; b++) await service.ingestEvents("m", events(b), "ndjson");
  await assert.rejects(service.flush(), (error: unknown) => isTikTokToeError(error, "STORE_UNAVAILABLE"));
  await assert.rejects(service.flush(), (error: unknown) => isTikTokToeError(error, "STORE_UNAVAILABLE"));
  // Space returns; one more event for the model, in another window (so only a window the failed
  // writes left dirty can still carry batches 3–5); a graceful restart.
  failing.delete("putWindows");
  await service.ingestEvents("m", events(6, 1, 2 * 3_600_000), "ndjson");
  await service.close();
  await store.close();
  ({ store, service } = await openService(file, failing));
  assert.equal(await counted(service), 601, "every acknowledged event, exactly once");
  await store.close();
});

test("an aggregation failure is retried, never skipped: the batch counts once when reading works again", async () => {
  const failing = new Set<string>();
  const { store, service } = await openService(join(dir, "aggregate.db"), failing);
  await register(service);
  // Neither way in works: the batches in hand need their windows read, the others the log.
  failing.add("readBatches");
  failing.add("getWindows");
  // Acknowledged: the batches are durable in the log even though aggregation cannot read them yet.
  for (let b = 0; b < 3; b++)
    assert.deepEqual(await service.ingestEvents("m", events(b), "ndjson"), { accepted: 100, duplicates: 0 });
  assert.equal(await counted(service), 0, "nothing aggregated while the log cannot be read");
  failing.delete("readBatches");
  failing.delete("getWindows");
  await service.flush();
  assert.equal(await counted(service), 300);
  await service.ingestEvents("m", events(3), "ndjson");
  await service.flush();
  assert.equal(await counted(service), 400, "no batch twice");
  await store.close();
});

test("a restart aggregates only the log's tail after the checkpoint, and a resend finds duplicates", async () => {
  const file = join(dir, "restart.db");
  const failing = new Set<string>();
  let { store, service } = await openService(file, failing);
  await register(service);
  for (let b = 0; b < 4; b++) await service.ingestEvents("m", events(b), "ndjson");
  await service.flush();
  const checkpoint = await store.getLogPosition();
  // Two more batches after the checkpoint, then a stop without a flush (as kill -9 would leave it).
  for (let b = 4; b < 6; b++) await service.ingestEvents("m", events(b), "ndjson");
  await service.windows("m", 0, 1); // the aggregation of what was acknowledged is done (no flush)
  await store.close();
  let reads = 0;
  const counting = await openSqliteStore({ file });
  const spy = new Proxy(counting, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (property !== "readBatches" || typeof value !== "function") return value;
      return async (afterSequence: number, limit: number) => {
        const page = await (value as Store["readBatches"]).call(target, afterSequence, limit);
        reads += page.length;
        return page;
      };
    },
  });
  service = await MonitorService.open({ store: spy, config, clock: "event", now: () => T0 });
  assert.equal(reads, (await counting.logHead()) - checkpoint, "only the tail after the checkpoint is read");
  assert.equal(await counted(service), 600);
  assert.deepEqual(await service.ingestEvents("m", events(2), "ndjson"), { accepted: 0, duplicates: 100 });
  await counting.close();
  store = counting;
});
