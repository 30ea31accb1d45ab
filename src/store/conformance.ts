import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { labelLogLine, type Store } from "./port.js";
import type { IngestAppend, LogBatch, ModelRecord, OutboxItem, WindowRecord } from "./records.js";

/** How a conformance run gets stores: a fresh location, and a store opened at a location. */
export interface StoreFactory {
  readonly name: string;
  /** A new, empty location (a file path, a schema name). */
  newLocation(): string;
  open(location: string): Promise<Store>;
}

const bike: ModelRecord = {
  name: "bike",
  task: "regression",
  features: [
    { name: "temp", type: "numeric", role: "feature" },
    { name: "season", type: "categorical", role: "feature" },
  ],
  createdMs: 1_000,
};
const adult: ModelRecord = {
  name: "adult",
  task: "binary",
  features: [{ name: "sex", type: "categorical", role: "sensitive" }],
  classes: ["<=50K", ">50K"],
  createdMs: 2_000,
};
const batch = (model: string, maxEventMs: number, bytes: number[]): LogBatch => ({
  model,
  kind: "events",
  receivedMs: maxEventMs + 5,
  minEventMs: maxEventMs - 10,
  maxEventMs,
  count: bytes.length,
  payload: Uint8Array.from(bytes),
});
const window = (startMs: number, version: string, mae: number): WindowRecord => ({
  model: "bike",
  version,
  startMs,
  endMs: startMs + 3_600_000,
  state: Uint8Array.from([1, 2, 3, startMs % 251]),
  summary: { mae, events: 168 },
  updatedMs: startMs + 3_600_000,
});

const event = (id: string, timeMs: number, version = "1") => ({
  index: { id, version, timeMs, join: `{"prediction":${timeMs % 7}}` },
  source: `{"id":"${id}","time":${timeMs}}`,
});
const events = (model: string, receivedMs: number, list: ReturnType<typeof event>[]): IngestAppend => ({
  kind: "events",
  model,
  receivedMs,
  events: list,
});
const labelSource = (id: string, timeMs: number) => `{"id":"${id}","value":1,"time":${timeMs}}`;
/** Labels as [event id, label time]. */
const labels = (model: string, receivedMs: number, list: Array<[string, number]>): IngestAppend => ({
  kind: "labels",
  model,
  receivedMs,
  labels: list.map(([id, timeMs]) => ({ id, timeMs, source: labelSource(id, timeMs) })),
});
const text = (b: LogBatch) => new TextDecoder().decode(b.payload);
const ranged = (model: string, minEventMs: number, maxEventMs: number): LogBatch => ({
  model,
  kind: "events",
  receivedMs: maxEventMs,
  minEventMs,
  maxEventMs,
  count: 1,
  payload: Uint8Array.of(minEventMs % 251),
});
const outboxItem = (channel: string, dueMs: number): OutboxItem => ({
  createdMs: dueMs,
  channel,
  groupKey: "{}",
  payload: "{}",
  state: "pending",
  attempts: 0,
  nextAttemptMs: dueMs,
  lastError: null,
  sentMs: null,
});

/**
 * The storage port's one conformance suite: every adapter must pass it unchanged (`sqlite/` now,
 * `postgres/` later). Registers node:test tests.
 *
 * @example
 * ```ts
 * storeConformance({ name: "sqlite", newLocation: () => tempFile(), open: (file) => openSqliteStore({ file }) });
 * ```
 */
export function storeConformance(factory: StoreFactory): void {
  const withStore = async (run: (store: Store, location: string) => Promise<void>) => {
    const location = factory.newLocation();
    const store = await factory.open(location);
    try {
      await run(store, location);
    } finally {
      await store.close();
    }
  };

  // Two stores on one location: what two server processes sharing a database see.
  const withTwo = async (run: (a: Store, b: Store) => Promise<void>) => {
    const location = factory.newLocation();
    const a = await factory.open(location);
    const b = await factory.open(location);
    try {
      await run(a, b);
    } finally {
      await a.close();
      await b.close();
    }
  };

  describe(`store conformance: ${factory.name}`, () => {
    test("models: create, read, list; a second create of the same name is a conflict", () =>
      withStore(async (store) => {
        await store.createModel(bike);
        await store.createModel(adult);
        assert.deepEqual(await store.getModel("bike"), bike);
        assert.deepEqual(await store.getModel("adult"), adult);
        assert.equal(await store.getModel("nope"), undefined);
        assert.deepEqual(
          (await store.listModels()).map((m) => m.name),
          ["adult", "bike"],
        );
        await assert.rejects(store.createModel({ ...bike, task: "binary" }), { code: "STORE_CONFLICT" });
        assert.equal((await store.getModel("bike"))?.task, "regression");
      }));

    test("versions and artifacts: parents must exist; artifacts replace", () =>
      withStore(async (store) => {
        await assert.rejects(store.createVersion({ model: "bike", version: "1", createdMs: 1, meta: {} }), {
          code: "STORE_NOT_FOUND",
        });
        await store.createModel(bike);
        await store.createVersion({
          model: "bike",
          version: "1",
          createdMs: 10,
          meta: { trainedOn: "2011" },
        });
        await store.createVersion({ model: "bike", version: "2", createdMs: 20, meta: {} });
        await assert.rejects(store.createVersion({ model: "bike", version: "1", createdMs: 30, meta: {} }), {
          code: "STORE_CONFLICT",
        });
        assert.deepEqual(await store.getVersion("bike", "1"), {
          model: "bike",
          version: "1",
          createdMs: 10,
          meta: { trainedOn: "2011" },
        });
        assert.deepEqual(
          (await store.listVersions("bike")).map((v) => v.version),
          ["1", "2"],
        );
        await assert.rejects(store.putArtifact("bike", "9", "onnx", Uint8Array.of(1)), {
          code: "STORE_NOT_FOUND",
        });
        await store.putArtifact("bike", "1", "onnx", Uint8Array.of(1, 2, 3));
        await store.putArtifact("bike", "1", "onnx", Uint8Array.of(4, 5));
        assert.deepEqual(await store.getArtifact("bike", "1", "onnx"), Uint8Array.of(4, 5));
        assert.equal(await store.getArtifact("bike", "1", "reference-profile"), undefined);
      }));

    test("the ingest log: increasing sequences, all-or-none appends, reads after a position", () =>
      withStore(async (store) => {
        await store.createModel(bike);
        const first = await store.appendBatches([batch("bike", 100, [1]), batch("bike", 200, [2, 2])]);
        assert.equal(first.length, 2);
        assert.ok(first[1]! > first[0]!);
        await assert.rejects(store.appendBatches([batch("bike", 300, [3]), batch("ghost", 300, [9])]), {
          code: "STORE_NOT_FOUND",
        });
        const second = await store.appendBatches([batch("bike", 400, [4])]);
        assert.ok(second[0]! > first[1]!);
        const all = await store.readBatches(0, 100);
        assert.deepEqual(
          all.map((b) => [...b.payload]),
          [[1], [2, 2], [4]],
          "the failed append left nothing behind",
        );
        assert.deepEqual(all[1], { ...batch("bike", 200, [2, 2]), sequence: first[1] });
        assert.deepEqual(
          (await store.readBatches(first[0]!, 1)).map((b) => b.sequence),
          [first[1]],
        );
      }));

    test("windows: upsert, range and version filters, and the log position saved with them", () =>
      withStore(async (store) => {
        await store.createModel(bike);
        assert.equal(await store.getLogPosition(), 0);
        await store.putWindows(
          [window(0, "1", 24), window(3_600_000, "1", 30), window(3_600_000, "2", 20)],
          7,
        );
        await store.putWindows([window(3_600_000, "1", 31)], 9);
        assert.equal(await store.getLogPosition(), 9);
        const all = await store.getWindows("bike", 0, 10_000_000);
        assert.deepEqual(
          all.map((w) => [w.startMs, w.version, w.summary.mae]),
          [
            [0, "1", 24],
            [3_600_000, "1", 31],
            [3_600_000, "2", 20],
          ],
        );
        assert.deepEqual(all[0], window(0, "1", 24));
        assert.deepEqual(
          (await store.getWindows("bike", 3_600_000, 7_200_000, "2")).map((w) => w.summary.mae),
          [20],
        );
        assert.deepEqual(await store.getWindows("bike", 7_200_000, 10_000_000), []);
        // Summaries: the same windows and fields, without the state.
        const summaries = await store.getWindowSummaries("bike", 0, 10_000_000);
        assert.deepEqual(
          summaries,
          all.map(({ state: _state, ...rest }) => rest),
        );
        assert.deepEqual(
          (await store.getWindowSummaries("bike", 3_600_000, 7_200_000, "2")).map((w) => w.summary.mae),
          [20],
        );
      }));

    test("retention deletes old batches and windows only", () =>
      withStore(async (store) => {
        await store.createModel(bike);
        await store.appendBatches([batch("bike", 1_000, [1]), batch("bike", 5_000_000, [2])]);
        await store.putWindows([window(0, "1", 1), window(3_600_000, "1", 2)], 2);
        const deleted = await store.deleteBefore(4_000_000);
        assert.deepEqual(deleted, { batches: 1, windows: 1, events: 0 });
        assert.deepEqual(
          (await store.readBatches(0, 10)).map((b) => b.maxEventMs),
          [5_000_000],
        );
        assert.deepEqual(
          (await store.getWindows("bike", 0, 10_000_000)).map((w) => w.startMs),
          [3_600_000],
        );
      }));

    test("alerting: state and enqueued notifications commit together; due items, updates, listing", () =>
      withStore(async (store) => {
        assert.equal(await store.getAlertingState(), undefined);
        const item = (channel: string, at: number) => ({
          createdMs: at,
          channel,
          groupKey: '{}:{model="bike"}',
          payload: JSON.stringify({ status: "firing" }),
          state: "pending" as const,
          attempts: 0,
          nextAttemptMs: at,
          lastError: null,
          sentMs: null,
        });
        const ids = await store.commitAlerting('{"v":1}', [item("slack", 100), item("pager", 200)]);
        assert.equal(ids.length, 2);
        assert.ok(ids[1]! > ids[0]!);
        assert.equal(await store.getAlertingState(), '{"v":1}');
        assert.deepEqual(
          (await store.dueNotifications(150, 10)).map((n) => n.channel),
          ["slack"],
        );
        await store.updateNotification(ids[0]!, {
          state: "pending",
          attempts: 1,
          nextAttemptMs: 500,
          lastError: "HTTP 500",
          sentMs: null,
        });
        assert.deepEqual(
          (await store.dueNotifications(300, 10)).map((n) => n.channel),
          ["pager"],
        );
        await store.updateNotification(ids[1]!, {
          state: "sent",
          attempts: 1,
          nextAttemptMs: 300,
          lastError: null,
          sentMs: 300,
        });
        assert.deepEqual(
          (await store.dueNotifications(1000, 10)).map((n) => [n.channel, n.attempts, n.lastError]),
          [["slack", 1, "HTTP 500"]],
        );
        const all = await store.listNotifications(10);
        assert.deepEqual(
          all.map((n) => [n.id, n.state, n.sentMs]),
          [
            [ids[1], "sent", 300],
            [ids[0], "pending", null],
          ],
        );
        assert.equal(all[1]!.payload, JSON.stringify({ status: "firing" }));
        await store.commitAlerting('{"v":2}', []);
        assert.equal(await store.getAlertingState(), '{"v":2}');
      }));

    test("silences: put (and update by id), list, expire", () =>
      withStore(async (store) => {
        const silence = {
          id: "s1",
          matchers: [{ name: "model", value: "bike", isRegex: false, isEqual: true }],
          startsMs: 100,
          endsMs: 10_000,
          createdBy: "ana",
          comment: "maintenance",
          createdMs: 50,
        };
        await store.putSilence(silence);
        await store.putSilence({ ...silence, id: "s2", comment: "other", createdMs: 60 });
        await store.putSilence({ ...silence, comment: "maintenance window" });
        assert.deepEqual(
          (await store.listSilences()).map((s) => [s.id, s.comment]),
          [
            ["s1", "maintenance window"],
            ["s2", "other"],
          ],
        );
        assert.deepEqual((await store.listSilences())[0]!.matchers, silence.matchers);
        assert.equal(await store.expireSilence("s1", 500), true);
        assert.equal((await store.listSilences())[0]!.endsMs, 500);
        assert.equal(await store.expireSilence("s1", 600), false, "already ended");
        assert.equal(await store.expireSilence("nope", 600), false);
      }));

    test("documents: put replaces by key, list by collection and time range, delete before a time", () =>
      withStore(async (store) => {
        await store.putDocument({ collection: "reports", key: "b", timeMs: 200, body: '{"n":2}' });
        await store.putDocument({ collection: "reports", key: "a", timeMs: 100, body: '{"n":1}' });
        await store.putDocument({ collection: "reports", key: "c", timeMs: 300, body: '{"n":3}' });
        await store.putDocument({ collection: "other", key: "a", timeMs: 100, body: "{}" });
        await store.putDocument({ collection: "reports", key: "b", timeMs: 250, body: '{"n":2.5}' });
        assert.deepEqual(await store.getDocument("reports", "b"), {
          collection: "reports",
          key: "b",
          timeMs: 250,
          body: '{"n":2.5}',
        });
        assert.equal(await store.getDocument("reports", "zz"), undefined);
        const keys = async (from: number, to: number, limit = 10) =>
          (await store.listDocuments("reports", from, to, limit)).map((d) => d.key);
        assert.deepEqual(await keys(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY), ["a", "b", "c"]);
        assert.deepEqual(await keys(100, 300), ["a", "b"], "from inclusive, to exclusive");
        assert.deepEqual(await keys(0, 1000, 2), ["a", "b"]);
        assert.equal(await store.deleteDocumentsBefore("reports", 250), 1);
        assert.deepEqual(await keys(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY), ["b", "c"]);
        assert.ok(await store.getDocument("other", "a"), "other collections are untouched");
      }));

    test("appendIngest events: the new ones become one log row; duplicates across and within calls are not logged", () =>
      withStore(async (store) => {
        await store.createModel(bike);
        await store.createModel(adult);
        const [first] = await store.appendIngest([
          events("bike", 500, [event("e1", 100), event("e2", 300), event("e1", 200), event("e3", 200)]),
        ]);
        assert.equal(first!.accepted, 3);
        assert.equal(first!.duplicates, 1, "e1 twice in one call");
        assert.equal(first!.unmatched, 0);
        assert.equal(typeof first!.sequence, "number");
        const [row] = await store.readBatches(0, 10);
        assert.deepEqual(
          { ...row!, payload: text(row!) },
          {
            sequence: first!.sequence,
            model: "bike",
            kind: "events",
            receivedMs: 500,
            minEventMs: 100,
            maxEventMs: 300,
            count: 3,
            payload: [event("e1", 100), event("e2", 300), event("e3", 200)].map((e) => e.source).join("\n"),
          },
          "the first e1 is logged, its repeat is not; the time range is the logged events'",
        );
        const second = await store.appendIngest([
          events("bike", 600, [event("e2", 300), event("e4", 50)]),
          events("adult", 600, [event("e1", 10)]),
        ]);
        assert.deepEqual(
          second.map((r) => [r.accepted, r.duplicates]),
          [
            [1, 1],
            [1, 0],
          ],
          "ids are per model",
        );
        assert.ok(second[0]!.sequence! > first!.sequence! && second[1]!.sequence! > second[0]!.sequence!);
        const logged = await store.readBatches(first!.sequence!, 10);
        assert.deepEqual(
          logged.map((b) => [b.model, b.minEventMs, b.maxEventMs, b.count, text(b)]),
          [
            ["bike", 50, 50, 1, event("e4", 50).source],
            ["adult", 10, 10, 1, event("e1", 10).source],
          ],
        );
        const head = await store.logHead();
        assert.deepEqual(
          await store.appendIngest([events("bike", 700, [event("e1", 100), event("e4", 50)])]),
          [{ sequence: null, accepted: 0, duplicates: 2, unmatched: 0 }],
        );
        assert.deepEqual(await store.appendIngest([events("bike", 700, [])]), [
          { sequence: null, accepted: 0, duplicates: 0, unmatched: 0 },
        ]);
        assert.equal(await store.logHead(), head, "nothing new writes no row");
        assert.equal(await store.countIndexedEvents("bike"), 4);
        assert.equal(await store.countIndexedEvents("adult"), 1);
        assert.equal(await store.countIndexedEvents("ghost"), 0);
      }));

    test("appendIngest labels: unmatched, duplicate, joined; the logged line carries the event", () =>
      withStore(async (store) => {
        await store.createModel(bike);
        await store.createModel(adult);
        await store.appendIngest([
          events("bike", 300, [event("e1", 100, "1"), event("e2", 200, "2")]),
          events("adult", 300, [event("a1", 100)]),
        ]);
        const [result] = await store.appendIngest([
          labels("bike", 2_000, [
            ["e1", 1_000],
            ["x", 1_100],
            ["e1", 1_200],
            ["a1", 1_300],
            ["e2", 900],
          ]),
        ]);
        assert.deepEqual(
          { ...result!, sequence: typeof result!.sequence },
          { sequence: "number", accepted: 2, duplicates: 1, unmatched: 2 },
          "x was never accepted, a1 is another model's, e1's second label is a duplicate",
        );
        const [row] = await store.readBatches(result!.sequence! - 1, 1);
        assert.deepEqual(
          [row!.model, row!.kind, row!.receivedMs, row!.minEventMs, row!.maxEventMs, row!.count],
          ["bike", "labels", 2_000, 900, 1_000, 2],
          "the time range is the labels' own",
        );
        const lines = text(row!).split("\n");
        assert.deepEqual(lines, [
          labelLogLine(labelSource("e1", 1_000), {
            version: "1",
            timeMs: 100,
            join: event("e1", 100).index.join,
          }),
          labelLogLine(labelSource("e2", 900), {
            version: "2",
            timeMs: 200,
            join: event("e2", 200).index.join,
          }),
        ]);
        assert.deepEqual(JSON.parse(lines[0]!), {
          label: { id: "e1", value: 1, time: 1_000 },
          event: { version: "1", time: 100, join: { prediction: 100 % 7 } },
        });
        const head = await store.logHead();
        assert.deepEqual(await store.appendIngest([labels("bike", 3_000, [["e1", 2_500]])]), [
          { sequence: null, accepted: 0, duplicates: 1, unmatched: 0 },
        ]);
        assert.equal(await store.logHead(), head, "nothing new writes no row");
        // An event and its label in one call: the label sees the event indexed earlier in the call.
        const both = await store.appendIngest([
          events("bike", 4_000, [event("e5", 3_900)]),
          labels("bike", 4_000, [
            ["e5", 3_950],
            ["e5", 3_960],
          ]),
        ]);
        assert.deepEqual(
          both.map((r) => [r.accepted, r.duplicates, r.unmatched]),
          [
            [1, 0, 0],
            [1, 1, 0],
          ],
        );
      }));

    test("appendIngest is all or none: a batch of an unknown model fails the whole call", () =>
      withStore(async (store) => {
        await store.createModel(bike);
        await store.appendIngest([events("bike", 10, [event("e0", 5)])]);
        const head = await store.logHead();
        await assert.rejects(
          store.appendIngest([
            events("bike", 20, [event("e1", 15)]),
            labels("bike", 20, [["e0", 18]]),
            events("ghost", 20, [event("g1", 15)]),
          ]),
          { code: "STORE_NOT_FOUND" },
        );
        assert.equal(await store.logHead(), head);
        assert.equal(await store.countIndexedEvents("bike"), 1);
        assert.deepEqual(
          (
            await store.appendIngest([
              events("bike", 30, [event("e1", 15)]),
              labels("bike", 30, [["e0", 18]]),
            ])
          ).map((r) => r.accepted),
          [1, 1],
          "neither the event's index entry nor the label's mark outlived the failed call",
        );
      }));

    test("readModelBatches: one model's batches overlapping [from, to), after a sequence, at most limit", () =>
      withStore(async (store) => {
        await store.createModel(bike);
        await store.createModel(adult);
        const [b1, , b3, b4, b5] = await store.appendBatches([
          ranged("bike", 0, 99),
          ranged("adult", 0, 99),
          ranged("bike", 100, 199),
          ranged("bike", 50, 250),
          ranged("bike", 300, 400),
        ]);
        const read = async (from: number, to: number, after = 0, limit = 100) =>
          (await store.readModelBatches("bike", from, to, after, limit)).map((b) => b.sequence);
        const { NEGATIVE_INFINITY: minus, POSITIVE_INFINITY: plus } = Number;
        assert.deepEqual(await read(minus, plus), [b1, b3, b4, b5]);
        assert.deepEqual(await read(100, 200), [b3, b4]);
        assert.deepEqual(await read(0, 100), [b1, b4], "to is exclusive: b3 starts at 100");
        assert.deepEqual(await read(199, 300), [b3, b4], "from is inclusive: b3 ends at 199");
        assert.deepEqual(await read(minus, 100), [b1, b4]);
        assert.deepEqual(await read(300, plus), [b5]);
        assert.deepEqual(await read(401, plus), []);
        assert.deepEqual(await read(minus, plus, b3), [b4, b5]);
        assert.deepEqual(await read(minus, plus, 0, 2), [b1, b3]);
        assert.deepEqual(await store.readModelBatches("bike", 300, 301, 0, 10), [
          { ...ranged("bike", 300, 400), sequence: b5 },
        ]);
        assert.deepEqual(await store.readModelBatches("ghost", minus, plus, 0, 10), []);
      }));

    test("logHead: 0 on an empty log, then the newest sequence; retention does not move it back", () =>
      withStore(async (store) => {
        await store.createModel(bike);
        assert.equal(await store.logHead(), 0);
        const [, second] = await store.appendBatches([batch("bike", 100, [1]), batch("bike", 200, [2])]);
        assert.equal(await store.logHead(), second);
        const [ingested] = await store.appendIngest([events("bike", 300, [event("e1", 300)])]);
        assert.equal(await store.logHead(), ingested!.sequence);
        await store.deleteBefore(Number.POSITIVE_INFINITY);
        assert.deepEqual(await store.readBatches(0, 10), []);
        assert.equal(
          await store.logHead(),
          ingested!.sequence,
          "consumers' checkpoints never exceed the head",
        );
      }));

    test("checkpoints: 0 before any, one per consumer; the aggregator's is the log position", () =>
      withStore(async (store) => {
        assert.equal(await store.getCheckpoint("explainer"), 0);
        await store.putCheckpoint("explainer", 5);
        await store.putCheckpoint("explainer", 7);
        assert.equal(await store.getCheckpoint("explainer"), 7);
        assert.equal(await store.getCheckpoint("learner"), 0);
        await store.createModel(bike);
        await store.putWindows([window(0, "1", 1)], 9);
        assert.equal(await store.getCheckpoint("aggregator"), 9);
        await store.putCheckpoint("aggregator", 11);
        assert.equal(await store.getLogPosition(), 11);
        assert.equal(await store.getCheckpoint("explainer"), 7);
      }));

    test("retention deletes index entries before the cutoff: labels no longer match, the ids are accepted again", () =>
      withStore(async (store) => {
        await store.createModel(bike);
        await store.appendIngest([events("bike", 200, [event("old", 100)])]);
        await store.appendIngest([events("bike", 5_200, [event("new", 5_000)])]);
        assert.deepEqual(await store.deleteBefore(1_000), { batches: 1, windows: 0, events: 1 });
        assert.equal(await store.countIndexedEvents("bike"), 1);
        assert.deepEqual(
          (await store.appendIngest([labels("bike", 6_000, [["old", 6_000]])])).map((r) => r.unmatched),
          [1],
        );
        assert.deepEqual(
          (await store.appendIngest([events("bike", 6_000, [event("old", 100), event("new", 5_000)])])).map(
            (r) => [r.accepted, r.duplicates],
          ),
          [[1, 1]],
        );
      }));

    test("open time ranges (±Infinity) work in every ranged query", () =>
      withStore(async (store) => {
        const { NEGATIVE_INFINITY: minus, POSITIVE_INFINITY: plus } = Number;
        await store.createModel(bike);
        await store.putWindows([window(0, "1", 1), window(3_600_000, "2", 2)], 1);
        assert.equal((await store.getWindows("bike", minus, plus)).length, 2);
        assert.equal((await store.getWindows("bike", minus, plus, "2")).length, 1);
        assert.equal((await store.getWindowSummaries("bike", minus, plus)).length, 2);
        assert.equal((await store.getWindowSummaries("bike", minus, 1, "1")).length, 1);
        await store.commitAlerting("{}", [outboxItem("slack", 5)]);
        assert.equal((await store.dueNotifications(plus, 10)).length, 1);
        assert.equal((await store.claimNotifications(plus, 10, "a", 1_000)).length, 1);
        await store.appendIngest([events("bike", 10, [event("e1", 10)])]);
        assert.deepEqual(await store.deleteBefore(minus), { batches: 0, windows: 0, events: 0 });
        assert.deepEqual(await store.deleteBefore(plus), { batches: 1, windows: 2, events: 1 });
      }));

    test("the event index survives closing and reopening", async () => {
      const location = factory.newLocation();
      const store = await factory.open(location);
      await store.createModel(bike);
      await store.appendIngest([events("bike", 10, [event("e1", 10)])]);
      await store.close();
      const again = await factory.open(location);
      try {
        assert.equal(await again.countIndexedEvents("bike"), 1);
        assert.deepEqual(
          (
            await again.appendIngest([
              events("bike", 20, [event("e1", 10)]),
              labels("bike", 20, [["e1", 15]]),
            ])
          ).map((r) => [r.accepted, r.duplicates]),
          [
            [0, 1],
            [1, 0],
          ],
        );
      } finally {
        await again.close();
      }
    });

    test("two stores on one location share deduplication, labels, the log and checkpoints", () =>
      withTwo(async (a, b) => {
        await a.createModel(bike);
        assert.deepEqual(await b.getModel("bike"), bike);
        const [viaA] = await a.appendIngest([events("bike", 10, [event("e1", 10)])]);
        assert.deepEqual(
          (await b.appendIngest([events("bike", 20, [event("e1", 10), event("e2", 20)])])).map((r) => [
            r.accepted,
            r.duplicates,
          ]),
          [[1, 1]],
          "an event appended through A is a duplicate through B",
        );
        assert.equal((await b.appendIngest([labels("bike", 30, [["e1", 30]])]))[0]!.accepted, 1);
        assert.equal((await a.appendIngest([labels("bike", 40, [["e1", 40]])]))[0]!.duplicates, 1);
        assert.equal(await a.logHead(), await b.logHead());
        assert.equal((await b.readBatches(0, 10))[0]!.sequence, viaA!.sequence);
        await a.putCheckpoint("explainer", 3);
        assert.equal(await b.getCheckpoint("explainer"), 3);
        await b.putWindows([window(0, "1", 1)], 2);
        assert.equal(await a.getLogPosition(), 2);
        // The same ids through both at once: each is accepted exactly once.
        const ids = Array.from({ length: 50 }, (_, i) => event(`c${i}`, 100 + i));
        const results = await Promise.all([
          a.appendIngest([events("bike", 50, ids)]),
          b.appendIngest([events("bike", 50, ids)]),
          a.appendIngest([events("bike", 50, ids.slice(25))]),
        ]);
        assert.equal(
          results.flat().reduce((n, r) => n + r.accepted, 0),
          50,
        );
        assert.equal(await a.countIndexedEvents("bike"), 52);
      }));

    test("claimNotifications: a live lease excludes every other claim; it runs out, and updateNotification ends it", () =>
      withTwo(async (a, b) => {
        const ids = await a.commitAlerting("{}", [
          outboxItem("c0", 100),
          outboxItem("c1", 200),
          outboxItem("c2", 300),
          outboxItem("c3", 400),
          outboxItem("c4", 500),
          outboxItem("later", 10_000),
        ]);
        const claimed = (items: OutboxItem[]) => items.map((n) => n.id);
        assert.deepEqual(claimed(await a.claimNotifications(1_000, 2, "a", 60_000)), ids.slice(0, 2));
        assert.deepEqual(claimed(await b.claimNotifications(1_000, 10, "b", 60_000)), ids.slice(2, 5));
        assert.deepEqual(await a.claimNotifications(1_000, 10, "a", 60_000), [], "its own live leases too");
        assert.deepEqual(await b.claimNotifications(5_000, 10, "b", 60_000), [], "nothing ran out yet");
        assert.equal((await b.dueNotifications(1_000, 10)).length, 5, "dueNotifications ignores leases");
        await a.updateNotification(ids[0]!, {
          state: "pending",
          attempts: 1,
          nextAttemptMs: 2_000,
          lastError: "HTTP 500",
          sentMs: null,
        });
        await a.updateNotification(ids[1]!, {
          state: "sent",
          attempts: 1,
          nextAttemptMs: 1_000,
          lastError: null,
          sentMs: 1_000,
        });
        const retried = await b.claimNotifications(2_000, 10, "b", 60_000);
        assert.deepEqual(
          claimed(retried),
          [ids[0]],
          "the update ended a's claim; sent items are never claimed",
        );
        assert.deepEqual([retried[0]!.attempts, retried[0]!.lastError], [1, "HTTP 500"]);
        assert.deepEqual(
          claimed(await a.claimNotifications(61_000, 10, "a", 60_000)),
          [ids[2], ids[3], ids[4], ids[5]],
          "b's leases until 61000 ran out; its lease of the retried item (until 62000) did not",
        );
        // Claims through both stores at once never return an item twice.
        const fresh = await a.commitAlerting(
          "{}",
          Array.from({ length: 6 }, (_, i) => outboxItem(`f${i}`, 0)),
        );
        const all = await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            (i % 2 === 0 ? a : b).claimNotifications(61_000, 1, `o${i}`, 60_000),
          ),
        );
        assert.deepEqual(
          claimed(all.flat()).sort((x, y) => x! - y!),
          fresh,
        );
      }));

    test("what was committed is there after closing and reopening", async () => {
      const location = factory.newLocation();
      const store = await factory.open(location);
      await store.createModel(bike);
      const [sequence] = await store.appendBatches([batch("bike", 100, [7, 7])]);
      await store.putWindows([window(0, "1", 24)], sequence!);
      await store.close();
      const again = await factory.open(location);
      try {
        assert.deepEqual(await again.getModel("bike"), bike);
        assert.deepEqual(
          (await again.readBatches(0, 10)).map((b) => [...b.payload]),
          [[7, 7]],
        );
        assert.equal(await again.getLogPosition(), sequence);
      } finally {
        await again.close();
      }
    });
  });
}
