import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { LogBatch, ModelRecord, Store } from "../store/index.js";
import { openSqliteStore } from "../store/index.js";
import { type LabelledEvent, readLabelledEvents } from "./labelled.js";

/** The labelled-events reader on a real SQLite store, written through appendIngest as the server does. */

const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-labelled-"));
after(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;

const model: ModelRecord = {
  name: "m",
  task: "multiclass",
  features: [
    { name: "x", type: "numeric", role: "feature" },
    { name: "g", type: "categorical", role: "sensitive" },
  ],
  classes: ["a", "b"],
  createdMs: 0,
};

const eventSource = (id: string, time: number, version: string, x: number) =>
  JSON.stringify({ id, time, version, features: { x, g: "u" }, prediction: "a" });

async function withStore(body: (store: Store) => Promise<void>): Promise<void> {
  const store = await openSqliteStore({ file: join(dir, `s${++counter}.db`) });
  try {
    await store.createModel(model);
    await store.createModel({ ...model, name: "other" });
    for (const version of ["1", "2"])
      await store.createVersion({ model: "m", version, createdMs: 0, meta: {} });
    await body(store);
  } finally {
    await store.close();
  }
}

async function ingestEvents(store: Store, name: string, list: Array<[string, number, string, number]>) {
  await store.appendIngest([
    {
      kind: "events",
      model: name,
      receivedMs: 0,
      events: list.map(([id, time, version, x]) => ({
        index: { id, version, timeMs: time, join: '{"prediction":"a"}' },
        source: eventSource(id, time, version, x),
      })),
    },
  ]);
}

async function ingestLabels(store: Store, name: string, list: Array<[string, string]>) {
  await store.appendIngest([
    {
      kind: "labels",
      model: name,
      receivedMs: 0,
      labels: list.map(([id, value]) => ({ id, timeMs: 10_000, source: JSON.stringify({ id, value }) })),
    },
  ]);
}

async function all(store: Store, query: Omit<Parameters<typeof readLabelledEvents>[1], "model">) {
  const out: LabelledEvent[] = [];
  for await (const pair of readLabelledEvents(store, { model, ...query })) out.push(pair);
  return out;
}

test("pairs each labelled event's features with its label, filtered by event time, version and limit", () =>
  withStore(async (store) => {
    await ingestEvents(store, "m", [
      ["e1", 100, "1", 1],
      ["e2", 200, "1", 2],
      ["e3", 300, "2", 3],
    ]);
    await ingestEvents(store, "other", [["e1", 100, "1", 99]]);
    await ingestEvents(store, "m", [
      ["e4", 400, "1", 4],
      ["e5", 500, "1", 5],
    ]);
    // Labels arrive later, out of event order; e2 is never labelled; "other" has a label of its own e1.
    await ingestLabels(store, "m", [
      ["e4", "b"],
      ["e1", "a"],
    ]);
    await ingestLabels(store, "other", [["e1", "b"]]);
    await ingestLabels(store, "m", [
      ["e3", "b"],
      ["e5", "a"],
    ]);
    const open = { fromMs: Number.NEGATIVE_INFINITY, toMs: Number.POSITIVE_INFINITY, limit: 100 };
    const pairs = await all(store, open);
    assert.deepEqual(
      pairs.map((p) => [p.id, p.version, p.timeMs, p.features.x, p.label]),
      [
        ["e1", "1", 100, 1, "a"],
        ["e3", "2", 300, 3, "b"],
        ["e4", "1", 400, 4, "b"],
        ["e5", "1", 500, 5, "a"],
      ],
      "one chunk: the events' log order; the other model's e1 is not mixed in",
    );
    assert.deepEqual(pairs[0]!.features, { x: 1, g: "u" });
    assert.deepEqual(
      (await all(store, { ...open, version: "1" })).map((p) => p.id),
      ["e1", "e4", "e5"],
    );
    assert.deepEqual(
      (await all(store, { ...open, fromMs: 200, toMs: 500 })).map((p) => p.id),
      ["e3", "e4"],
      "[200, 500): e5 at 500 is out, e2 has no label",
    );
    assert.deepEqual(
      (await all(store, { ...open, limit: 2 })).map((p) => p.id),
      ["e1", "e4"],
    );
    // Chunks of one label (whole label batches: two here), each joined in its own pass over the events.
    assert.deepEqual(
      (await all(store, { ...open, chunk: 1 })).map((p) => p.id),
      ["e1", "e4", "e3", "e5"],
      "chunk by chunk, in the events' log order within each",
    );
    assert.deepEqual(await all(store, { ...open, fromMs: 600, toMs: 700 }), []);
  }));

test("reads by model and time: no page of the log before the range's first events batch", () =>
  withStore(async (store) => {
    await ingestEvents(store, "m", [["old", 10, "1", 0]]);
    await ingestLabels(store, "m", [["old", "a"]]);
    await ingestEvents(store, "m", [["new", 1_000, "1", 7]]);
    await ingestLabels(store, "m", [["new", "b"]]);
    const reads: Array<[number, number, number]> = [];
    const spy = {
      listVersions: (name: string) => store.listVersions(name),
      readModelBatches: (
        name: string,
        from: number,
        to: number,
        after: number,
        limit: number,
      ): Promise<LogBatch[]> => {
        reads.push([from, to, after]);
        return store.readModelBatches(name, from, to, after, limit);
      },
    };
    const out: string[] = [];
    for await (const pair of readLabelledEvents(spy, { model, fromMs: 500, toMs: 2_000, limit: 10 }))
      out.push(pair.id);
    assert.deepEqual(out, ["new"]);
    assert.deepEqual(reads[0]!.slice(0, 2), [500, 2_000], "the first read is by the range's time");
    assert.ok(
      reads.slice(1).every(([, , after]) => after >= 2),
      `the others start after the old batches (sequences 1, 2): ${JSON.stringify(reads)}`,
    );
  }));
