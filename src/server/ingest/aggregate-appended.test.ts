// The aggregator takes a batch it just appended from the records the append was derived from instead
// of reading the log back (Aggregator.aggregateAppended). Its windows must be exactly those a reading of
// the log gives: a second service on the same store, which has only the log, aggregates the same
// batches from their logged lines, and both write byte-identical window records.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { validateConfig } from "../../config/index.js";
import { openMemoryQueue } from "../../queue/index.js";
import { openSqliteStore, type Store } from "../../store/index.js";
import { MonitorService } from "../monitor-service.js";
import { eventLine, registerBinaryModel } from "./ingest.test.helpers.js";

const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-aggregate-appended-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const config = (() => {
  const result = validateConfig({ monitor: { window: "1h", lateness: "3h" } });
  assert.ok(result.ok);
  return result.config;
})();
const T0 = Date.UTC(2026, 1, 16, 12);

/** Event bodies of every shape the parser reads, over three windows and two versions. */
function bodies(): Array<{ body: Buffer; format?: "json" }> {
  const out: Array<{ body: Buffer; format?: "json" }> = [];
  let n = 0;
  for (let b = 0; b < 6; b++) {
    const lines: string[] = [];
    for (let i = 0; i < 40; i++, n++)
      lines.push(
        eventLine({
          id: `e${n}`,
          // Three windows back from T0; every seventh without a time (the receipt's), some as ISO text.
          ...(n % 7 === 0
            ? {}
            : {
                time:
                  n % 5 === 0
                    ? new Date(T0 - (n % 3) * 3_600_000 - n).toISOString()
                    : T0 - (n % 3) * 3_600_000 - n,
              }),
          version: n % 4 === 0 ? "2" : "1",
          features: {
            x: n % 11 === 0 ? null : Math.sin(n) * 100,
            c: ["red", "blue", "Zürich", 7][n % 4],
            s: n % 2 ? "f" : "m",
          },
          prediction: n % 3 === 0 ? "no" : "yes",
          scores: [n % 3 === 0 ? 0.7 : 0.2, n % 3 === 0 ? 0.3 : 0.8],
          ...(n % 9 === 0 ? { latency_ms: n } : {}),
        }),
      );
    out.push({ body: Buffer.from(lines.join("\n")) });
  }
  // A JSON array, and a duplicate key (the parser's alone).
  out.push({
    format: "json",
    body: Buffer.from(
      JSON.stringify([
        { id: "j1", time: T0 - 10, version: "2", features: { x: 3, c: "red", s: "f" }, prediction: "no" },
      ]),
    ),
  });
  out.push({
    body: Buffer.from('{"id":"k1","version":"1","prediction":"no","features":{"x":1,"x":2,"c":"a","s":"m"}}'),
  });
  return out;
}

async function windows(store: Store): Promise<unknown[]> {
  return (await store.getWindows("m", 0, Number.MAX_SAFE_INTEGER)).map((w) => ({
    ...w,
    state: Buffer.from(w.state).toString("base64"),
  }));
}

test("windows aggregated from the append's records equal those aggregated from the log: direct ingest, resends and labels between", async (t) => {
  const closing: Array<() => Promise<void>> = [];
  t.after(async () => {
    for (const close of closing.reverse()) await close().catch(() => undefined);
  });
  const store = await openSqliteStore({ file: join(dir, "direct.db") });
  closing.push(() => store.close());
  const handed = await MonitorService.open({ store, config, clock: "wall", now: () => T0 });
  closing.push(() => handed.close());
  await registerBinaryModel(handed, ["1", "2"]);
  const all = bodies();
  let events = 0;
  for (const [i, { body, format }] of all.entries()) {
    const answer = await handed.ingestEvents("m", body, format);
    events += answer.accepted;
    if (i === 2) {
      // A resend with one new event: logged without its duplicates, so it is read back from the log.
      const resend = Buffer.from(
        `${body.toString("utf8")}\n${eventLine({ id: "r1", time: T0 - 5, features: { x: 1, c: "red", s: "f" } })}`,
      );
      assert.deepEqual(await handed.ingestEvents("m", resend), { accepted: 1, duplicates: 40 });
      events += 1;
      await handed.ingestLabels(
        "m",
        Buffer.from(['{"id":"e1","value":"yes"}', '{"id":"e2","value":"no"}'].join("\n")),
      );
    }
  }
  // A read waits for the aggregation that follows each answer.
  await handed.windows("m", 0, Number.MAX_SAFE_INTEGER);
  assert.equal(handed.counters.events, events);
  // Every batch but the resend came from its records (the labels are read back, and move the position).
  assert.equal(handed.counters.eventsFromAppends, events - 1);
  assert.equal(handed.counters.labels, 2);

  // A second service on the same store has only the log: nothing was persisted, so it reads it all.
  const reader = await MonitorService.open({ store, config, clock: "wall", now: () => T0 });
  closing.push(() => reader.close());
  assert.equal(reader.counters.events, events);
  assert.equal(reader.counters.eventsFromAppends, 0);
  assert.ok((await reader.flush()) > 0);
  const fromLog = await windows(store);
  assert.ok(fromLog.length >= 6, "three windows of two versions");
  await handed.flush();
  assert.deepEqual(await windows(store), fromLog);
});

test("a worker takes what it appended from the records, and reads the log where another process wrote first", async (t) => {
  const closing: Array<() => Promise<void>> = [];
  t.after(async () => {
    for (const close of closing.reverse()) await close().catch(() => undefined);
  });
  const store = await openSqliteStore({ file: join(dir, "queued.db") });
  const queue = openMemoryQueue({ name: "aggregate-appended", ackWaitMs: 60_000 });
  closing.push(
    () => store.close(),
    () => queue.close(),
  );
  const api = await MonitorService.open({ store, config, clock: "wall", now: () => T0, publishTo: queue });
  closing.push(() => api.close());
  await registerBinaryModel(api, ["1", "2"]);
  const all = bodies();
  for (const { body, format } of all.slice(0, 3)) await api.ingestEvents("m", body, format);
  const worker = await MonitorService.open({
    store,
    config,
    clock: "wall",
    now: () => T0,
    consume: await queue.consumer("store-writer"),
  });
  closing.push(() => worker.close());
  const waitFor = async (batches: number) => {
    for (let i = 0; i < 250 && (worker.storeWriter?.batches ?? 0) < batches; i++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(worker.storeWriter?.batches, batches);
  };
  await waitFor(3);
  assert.equal(worker.counters.eventsFromAppends, 120);
  // Another process appends a batch straight to the store: the worker's next batch does not continue
  // its position, so both are read from the log.
  const other = await MonitorService.open({ store, config, clock: "wall", now: () => T0 });
  closing.push(() => other.close());
  await other.ingestEvents("m", all[3]!.body);
  for (const { body, format } of all.slice(4)) await api.ingestEvents("m", body, format);
  await waitFor(3 + all.length - 4);
  assert.equal(worker.counters.events, 6 * 40 + 2);
  assert.ok(
    worker.counters.eventsFromAppends < worker.counters.events - 40,
    `the batch after the other process's was read back (${worker.counters.eventsFromAppends} of ${worker.counters.events} from records)`,
  );
  const reader = await MonitorService.open({ store, config, clock: "wall", now: () => T0 });
  closing.push(() => reader.close());
  await reader.flush();
  const fromLog = await windows(store);
  await worker.flush();
  assert.deepEqual(await windows(store), fromLog);
});
