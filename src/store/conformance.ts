import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Store } from "./port.js";
import type { LogBatch, ModelRecord, WindowRecord } from "./records.js";

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
