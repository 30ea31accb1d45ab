import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { TikTokToeError } from "../../errors/index.js";
import { silentLogger } from "../../logging/index.js";
import { openMemoryQueue, type QueueMessage } from "../../queue/index.js";
import { type IngestAppend, openSqliteStore, type Store } from "../../store/index.js";
import { batchId, decodeAppend, encodeBatch } from "./queued-append.js";
import { SerialChain } from "./serial-chain.js";
import { StoreHealth } from "./store-health.js";
import { commitGroups, DEAD_LETTERS, StoreWriter, type StoreWriterOptions } from "./store-writer.js";

const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-store-writer-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const events = (model: string, ids: string[]): IngestAppend => ({
  kind: "events",
  model,
  receivedMs: 5_000,
  events: ids.map((id, i) => ({
    index: { id, version: "1", timeMs: 1_000 + i, join: JSON.stringify({ prediction: 1 }) },
    source: JSON.stringify({ id, time: 1_000 + i, version: "1", features: { x: 1 }, prediction: 1 }),
  })),
});

/** A payload of version 1 (what API replicas published before version 2), written out by hand. */
const encodeAppend = (append: IngestAppend) => Buffer.from(JSON.stringify({ v: 1, append }), "utf8");

async function setUp(
  name: string,
  wrap: (store: Store) => Store = (s) => s,
  options: Partial<Pick<StoreWriterOptions, "commitBytes" | "labelAttempts" | "labelRetryMs">> = {},
) {
  const real = await openSqliteStore({ file: join(dir, `${name}.db`) });
  await real.createModel({
    name: "m",
    task: "regression",
    features: [{ name: "x", type: "numeric", role: "feature" }],
    createdMs: 0,
  });
  await real.createVersion({ model: "m", version: "1", createdMs: 0, meta: {} });
  const queue = openMemoryQueue({ name: `writer-${name}`, ackWaitMs: 60_000 });
  const store = wrap(real);
  let appended = 0;
  const writer = new StoreWriter({
    consumer: await queue.consumer("store-writer"),
    store,
    health: new StoreHealth(() => 9_000),
    chain: new SerialChain(),
    afterAppend: async () => {
      appended++;
    },
    now: () => 9_000,
    log: silentLogger,
    fetchWaitMs: 50,
    ...options,
  });
  return { real, queue, writer, appended: () => appended };
}

test("batches decode: version 3 (the body as sent, the header beside it), version 2 (header line, then the body) and version 1 (both in flight during an upgrade); the id is sha256 of model, kind and body", () => {
  const append = events("m", ["a", "b"]);
  assert.deepEqual(decodeAppend(encodeAppend(append)), { v: 1, model: "m", append });
  const body = Buffer.from('{"id":"a","version":"1","features":{"x":1},"prediction":1}\n');
  const header = { model: "m", kind: "events", format: "ndjson", receivedMs: 5_000, nowMs: 4_000 } as const;
  const encoded = encodeBatch(header, body);
  assert.equal(encoded.payload, body, "the body itself, not a copy");
  assert.equal(
    encoded.header,
    '{"v":3,"model":"m","kind":"events","format":"ndjson","receivedMs":5000,"nowMs":4000}',
  );
  assert.deepEqual(decodeAppend(encoded.payload, encoded.header), { v: 3, model: "m", header, body });
  // A model's non-ASCII name travels escaped (a queue header is ASCII) and decodes to itself.
  const named = { ...header, model: "vélo—北" };
  const escaped = encodeBatch(named, body);
  assert.match(escaped.header, /^[\x20-\x7e]+$/);
  assert.deepEqual(decodeAppend(escaped.payload, escaped.header), {
    v: 3,
    model: "vélo—北",
    header: named,
    body,
  });
  assert.throws(() =>
    decodeAppend(body, '{"v":2,"model":"m","kind":"events","format":"ndjson","receivedMs":1,"nowMs":1}'),
  );
  assert.throws(() =>
    decodeAppend(body, '{"v":3,"model":"m","kind":"events","format":"csv","receivedMs":1,"nowMs":1}'),
  );
  // Version 2, as API replicas of the previous release published it: the header's line, then the body.
  const v2 = Buffer.concat([
    Buffer.from('{"v":2,"model":"m","kind":"events","format":"ndjson","receivedMs":5000,"nowMs":4000}\n'),
    body,
  ]);
  const decoded = decodeAppend(v2);
  assert.equal(decoded.v, 2);
  assert.deepEqual(decoded.v === 2 && decoded.header, header);
  assert.ok(decoded.v === 2 && decoded.body.equals(body), "the body bytes as sent");
  assert.throws(() => decodeAppend(Buffer.from('{"v":2}')));
  assert.throws(() =>
    decodeAppend(
      Buffer.from('{"v":2,"model":"m","kind":"events","format":"csv","receivedMs":1,"nowMs":1}\n{}'),
    ),
  );
  assert.throws(() => decodeAppend(Buffer.from('{"v":3,"model":"m"}\n{}')));
  assert.throws(() => decodeAppend(Buffer.from("null")));
  // sha256("m\0events\0body"), computed with Python's hashlib; bytes and text hash alike.
  assert.equal(
    batchId("m", "events", "body"),
    "0948adedee6e87388d1c56a41b5a5f4c951249ef1b18ee85726a3f64292a1265",
  );
  assert.equal(batchId("m", "events", Buffer.from("body")), batchId("m", "events", "body"));
  assert.notEqual(batchId("m", "labels", "body"), batchId("m", "events", "body"));
});

test("the worker stores fetched batches in one transaction, acknowledges them, and dead-letters what can never be stored", async () => {
  const { real, queue, writer, appended } = await setUp("dead");
  await queue.publish({ id: "good-1", payload: encodeAppend(events("m", ["a", "b"])) });
  await queue.publish({ id: "gone", payload: encodeAppend(events("deleted-model", ["c"])) });
  await queue.publish({ id: "garbage", payload: Buffer.from("not json at all") });
  await queue.publish({ id: "good-2", payload: encodeAppend(events("m", ["b", "d"])) });
  writer.start();
  for (let i = 0; i < 100 && writer.counters.batches + writer.counters.deadLetters < 4; i++)
    await new Promise((resolve) => setTimeout(resolve, 20));
  await writer.stop();
  assert.equal(await real.countIndexedEvents("m"), 3, "a, b, d: b once");
  assert.deepEqual(
    (await real.listDocuments(DEAD_LETTERS, 0, Number.MAX_SAFE_INTEGER, 10)).map((d) => d.key).sort(),
    ["garbage", "gone"],
  );
  assert.ok(appended() >= 1);
  // Everything was acknowledged: a new consumer of the durable gets nothing.
  const again = await queue.consumer("store-writer");
  assert.deepEqual(await again.fetch(10, 50), []);
  await queue.close();
  await real.close();
});

test("a store failure acknowledges nothing: the batches come again and are stored once the store is back", async () => {
  let failing = true;
  const { real, queue, writer } = await setUp("outage", (store) => refusingAppends(store, () => failing));
  await queue.publish({ id: "one", payload: encodeAppend(events("m", ["a"])) });
  writer.start();
  for (let i = 0; i < 100 && writer.counters.failedCommits === 0; i++)
    await new Promise((resolve) => setTimeout(resolve, 20));
  assert.ok(writer.counters.failedCommits >= 1);
  assert.equal(await real.countIndexedEvents("m"), 0);
  failing = false;
  for (let i = 0; i < 200 && writer.counters.batches === 0; i++)
    await new Promise((resolve) => setTimeout(resolve, 20));
  await writer.stop();
  assert.equal(await real.countIndexedEvents("m"), 1, "stored after the outage");
  assert.equal(writer.counters.deadLetters, 0);
  await queue.close();
  await real.close();
});

test("a version-3 batch is derived with the API's clock and judged bounds; one the parser rejects is dead-lettered with its header", async () => {
  const { real, queue, writer } = await setUp("v3");
  const header = { model: "m", kind: "events", format: "ndjson", receivedMs: 5_000, nowMs: 4_000 } as const;
  // Time 1: far beyond any lateness by the worker's clock (9,000) — the API judged it already.
  const body =
    '{"id":"t","time":1,"version":"1","features":{"x":2},"prediction":0.5}\n\n{"id":"u","version":"1","features":{"x":3},"prediction":2}';
  await queue.publish({ id: "v3", ...encodeBatch(header, Buffer.from(body)) });
  await queue.publish({
    id: "v3-bad",
    ...encodeBatch(header, Buffer.from('{"id":"w","version":"1","features":{"x":"high"},"prediction":1}')),
  });
  writer.start();
  for (let i = 0; i < 100 && writer.counters.batches + writer.counters.deadLetters < 2; i++)
    await new Promise((resolve) => setTimeout(resolve, 20));
  await writer.stop();
  const [row, ...rest] = await real.readBatches(0, 10);
  assert.equal(rest.length, 0);
  assert.equal(row?.receivedMs, 5_000);
  assert.equal(row?.minEventMs, 1);
  assert.equal(row?.maxEventMs, 4_000, "the record without a time has the API's nowMs");
  assert.equal(
    Buffer.from(row!.payload).toString("utf8"),
    '{"id":"t","time":1,"version":"1","features":{"x":2},"prediction":0.5}\n{"id":"u","version":"1","features":{"x":3},"prediction":2,"time":4000}',
  );
  const dead = await real.listDocuments(DEAD_LETTERS, 0, Number.MAX_SAFE_INTEGER, 10);
  assert.deepEqual(
    dead.map((d) => d.key),
    ["v3-bad"],
  );
  const letter = JSON.parse(dead[0]!.body) as { reason: string; header: string; payload: string };
  assert.match(letter.reason, /parser rejects it \(line 1, features\.x:/);
  assert.equal(letter.header, encodeBatch(header, Buffer.from("")).header, "what it takes to replay it");
  assert.match(letter.payload, /"x":"high"/);
  await queue.close();
  await real.close();
});

test("fetched batches are committed in groups of at most commitBytes of payload, in order; a larger one alone", () => {
  const sized = (...sizes: number[]) =>
    sizes.map((size, i) => ({ id: `b${i}`, payload: new Uint8Array(size) }) as unknown as QueueMessage);
  const ids = (groups: QueueMessage[][]) => groups.map((group) => group.map((m) => m.id));
  assert.deepEqual(ids(commitGroups(sized(1, 2, 3, 10, 1, 1), 5)), [
    ["b0", "b1"],
    ["b2"],
    ["b3"],
    ["b4", "b5"],
  ]);
  assert.deepEqual(ids(commitGroups(sized(5, 5), 10)), [["b0", "b1"]], "up to the limit inclusive");
  assert.deepEqual(commitGroups([], 5), []);
});

test("when the store refuses a group, the groups after it in the fetch come again at once, not after the ack wait", async () => {
  let failing = true;
  const { real, queue, writer } = await setUp(
    "groups",
    (store) => refusingAppends(store, () => failing),
    { commitBytes: 1 }, // every batch its own transaction
  );
  for (const id of ["a", "b", "c"]) await queue.publish({ id, payload: encodeAppend(events("m", [id])) });
  writer.start();
  for (let i = 0; i < 100 && writer.counters.failedCommits === 0; i++)
    await new Promise((resolve) => setTimeout(resolve, 20));
  failing = false;
  // The ack wait is a minute: all three are stored within seconds only if b and c were given back.
  for (let i = 0; i < 200 && writer.counters.batches < 3; i++)
    await new Promise((resolve) => setTimeout(resolve, 20));
  await writer.stop();
  assert.equal(writer.counters.batches, 3);
  assert.equal(await real.countIndexedEvents("m"), 3);
  await queue.close();
  await real.close();
});

const labels = (model: string, ids: string[]): IngestAppend => ({
  kind: "labels",
  model,
  receivedMs: 5_000,
  labels: ids.map((id) => ({ id, timeMs: 2_000, source: JSON.stringify({ id, value: 1, time: 2_000 }) })),
});

/** The store, but its appends fail with STORE_UNAVAILABLE (an outage) while `failing()` says so. */
function refusingAppends(store: Store, failing: () => boolean): Store {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (property === "appendIngest" && failing())
        return () => Promise.reject(new TikTokToeError("STORE_UNAVAILABLE", "down", { retryAfterS: 5 }));
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

const until = async (done: () => boolean | Promise<boolean>) => {
  for (let i = 0; i < 250 && !(await done()); i++) await new Promise((resolve) => setTimeout(resolve, 20));
};

test("a label batch stored before its events' batch comes again later and joins them; after its last attempt the rest count unmatched", async () => {
  const { real, queue, writer } = await setUp("labels-first", undefined, {
    labelRetryMs: 200,
    labelAttempts: 3,
  });
  // As two workers can store them: the labels first (one of them for an event that never comes).
  await queue.publish({ id: "labels", payload: encodeAppend(labels("m", ["a", "b", "never"])) });
  writer.start();
  await until(() => writer.counters.labelRetries >= 1);
  assert.equal(writer.counters.labelRetries, 1, "given back, not acknowledged");
  await queue.publish({ id: "events", payload: encodeAppend(events("m", ["a", "b"])) });
  const labelRows = async () =>
    (await real.readBatches(0, 100)).filter((b) => b.kind === "labels").map((b) => b.count);
  await until(async () => (await labelRows()).length > 0);
  assert.deepEqual(await labelRows(), [2], "a and b joined their events on a later delivery");
  // "never" has no event: retried until the third delivery, then acknowledged for good.
  await until(() => writer.counters.labelRetries >= 2 && writer.counters.batches >= 4);
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  await writer.stop();
  assert.equal(writer.counters.labelRetries, 2);
  assert.deepEqual(
    await (await queue.consumer("store-writer")).fetch(10, 100),
    [],
    "nothing left to deliver",
  );
  assert.deepEqual(await labelRows(), [2]);
  await queue.close();
  await real.close();
});
