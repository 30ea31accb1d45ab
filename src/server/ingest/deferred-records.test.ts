import assert from "node:assert/strict";
import { test } from "node:test";
import { TikTokToeError } from "../../errors/index.js";
import { createLogger } from "../../logging/index.js";
import { DeferredRecords } from "./deferred-records.js";

/** The records of answers already given: one commit per turn, kept and retried through an outage. */

const lines: string[] = [];
const log = createLogger({ write: (line) => lines.push(line) });
const turn = () => new Promise((resolve) => setImmediate(resolve));

/** A store stand-in that counts calls and can be told to refuse (the real store is the ingest's). */
function sink() {
  const writes: Array<{ model: string; records: unknown[] }> = [];
  let refuse: "no" | "unavailable" | "gone" = "no";
  return {
    writes,
    refuse(mode: "no" | "unavailable" | "gone") {
      refuse = mode;
    },
    write: async (model: string, records: readonly unknown[]) => {
      await turn();
      if (refuse === "unavailable") throw new TikTokToeError("STORE_UNAVAILABLE", "disk full");
      if (refuse === "gone") throw new TikTokToeError("STORE_NOT_FOUND", "no such model");
      writes.push({ model, records: [...records] });
    },
  };
}

test("records added in one turn of the event loop share one write per model; flush waits for it", async () => {
  const s = sink();
  const deferred = new DeferredRecords({ write: s.write, maxPending: 100, log });
  deferred.add("a", [1, 2]);
  deferred.add("b", [3]);
  deferred.add("a", [4]);
  assert.equal(s.writes.length, 0, "nothing is written before the answer's turn ends");
  assert.equal(deferred.size, 4);
  await deferred.flush("a");
  assert.deepEqual(
    s.writes.find((w) => w.model === "a"),
    { model: "a", records: [1, 2, 4] },
  );
  await deferred.flush();
  assert.deepEqual(s.writes.map((w) => w.model).sort(), ["a", "b"]);
  assert.equal(deferred.size, 0);
});

test("a refusing store keeps the records in order and retries; flush fails fast, admit refuses when full", async () => {
  const s = sink();
  const deferred = new DeferredRecords({ write: s.write, maxPending: 3, log, retryMs: 5 });
  s.refuse("unavailable");
  deferred.add("a", [1, 2]);
  await assert.rejects(
    deferred.flush("a"),
    (e: unknown) => e instanceof TikTokToeError && e.code === "STORE_UNAVAILABLE",
  );
  deferred.add("a", [3]);
  assert.equal(deferred.size, 3);
  assert.throws(
    () => deferred.admit(),
    (e: unknown) => e instanceof TikTokToeError && e.code === "STORE_UNAVAILABLE" && e.status === 503,
  );
  s.refuse("no");
  await deferred.flush("a", true);
  assert.deepEqual(
    s.writes.flatMap((w) => w.records),
    [1, 2, 3],
    "nothing lost, nothing reordered",
  );
  assert.equal(deferred.size, 0);
  deferred.admit();
});

test("a write rejected for good is dropped and counted, and later records still go", async () => {
  const s = sink();
  const deferred = new DeferredRecords({ write: s.write, maxPending: 10, log });
  s.refuse("gone");
  deferred.add("a", [1]);
  await deferred.flush("a");
  assert.equal(deferred.dropped, 1);
  assert.ok(
    lines.some((l) => l.includes("dropped")),
    "the loss is logged",
  );
  s.refuse("no");
  deferred.add("a", [2]);
  await deferred.flush("a");
  assert.deepEqual(s.writes, [{ model: "a", records: [2] }]);
});

test("flush waits for the records queued before it, not for those that keep arriving during it", {
  timeout: 10_000,
}, async () => {
  const s = sink();
  const deferred = new DeferredRecords({ write: s.write, maxPending: 100_000, log, gatherMs: 250 });
  deferred.add("a", [0]);
  // Steady traffic: a record lands during every write, as answered predictions do under load.
  let next = 1;
  let running = true;
  const traffic = (async () => {
    while (running) {
      deferred.add("a", [next++]);
      await turn();
    }
  })();
  await deferred.flush("a");
  const writesByFlush = s.writes.length;
  running = false;
  await traffic;
  assert.ok(s.writes.flatMap((w) => w.records).includes(0), "the queued record is durable");
  assert.ok(writesByFlush <= 3, `flush made ${writesByFlush} commits chasing new records`);
  await deferred.flush("a");
  assert.equal(deferred.size, 0);
});
