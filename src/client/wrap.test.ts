import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { startServer } from "../server/index.js";
import { repoPath } from "../testing/paths.js";
import { createClient } from "./index.js";
import type { ClientErrorInfo, FetchLike } from "./types.js";

interface Sent {
  id: string;
  features: Record<string, unknown>;
  prediction: unknown;
  latency_ms: number;
  version: string;
}

/** A fetch that answers 200 and keeps every record it was sent. */
function capture(): { fetch: FetchLike; sent: Sent[] } {
  const sent: Sent[] = [];
  return {
    sent,
    fetch: async (_url, init) => {
      const lines = init.body.split("\n").filter((l) => l !== "");
      for (const line of lines) sent.push(JSON.parse(line) as Sent);
      return new Response(JSON.stringify({ accepted: lines.length, duplicates: 0 }), { status: 200 });
    },
  };
}

const DELAY = 25;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Shaped like an onnxruntime-node session, with a private field that rejects a proxy as `this`. */
class FakeSession {
  readonly inputNames = ["x"];
  readonly outputNames = ["y"];
  readonly output = { y: [2, 4, 6] };
  #released = false;
  calls: unknown[][] = [];
  async run(feeds: { x: number[] }, options?: { tag: string }): Promise<{ y: number[] }> {
    this.calls.push([feeds, options]);
    await sleep(DELAY);
    if (feeds.x.length === 0) throw new RangeError("empty input");
    return this.output;
  }
  release(): string {
    this.#released = true;
    return "released";
  }
  get released(): boolean {
    return this.#released;
  }
}

describe("wrap", () => {
  test("run returns the identical result, rethrows the session's own error, and logs one record per row", async () => {
    const { fetch, sent } = capture();
    const monitor = createClient({ url: "http://fake", model: "m", version: "3", fetch });
    const session = new FakeSession();
    let n = 0;
    const wrapped = monitor.wrap(session, {
      toRecords: (feeds, outputs) => feeds.x.map((x, i) => ({ features: { x }, prediction: outputs.y[i]! })),
      id: () => `row-${n++}`,
    });
    const feeds = { x: [1, 2, 3] };
    const options = { tag: "t" };
    const result = await wrapped.run(feeds, options);
    assert.equal(result, session.output, "the very same object");
    assert.deepEqual(session.calls, [[feeds, options]]);
    assert.equal(session.calls[0]![0], feeds, "the same arguments");

    const error = await wrapped.run({ x: [] }).then(
      () => assert.fail("must reject"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof RangeError);
    assert.equal(error.message, "empty input");

    await monitor.flush();
    assert.deepEqual(
      sent.map((r) => [r.id, r.features, r.prediction, r.version]),
      [
        ["row-0", { x: 1 }, 2, "3"],
        ["row-1", { x: 2 }, 4, "3"],
        ["row-2", { x: 3 }, 6, "3"],
      ],
    );
    for (const r of sent) assert.ok(r.latency_ms >= DELAY - 1, `latency ${r.latency_ms} ≥ ${DELAY}`);
    // Everything else passes through, private fields included.
    assert.deepEqual(wrapped.inputNames, ["x"]);
    assert.equal(wrapped.release(), "released");
    assert.equal(session.released, true);
    assert.equal(wrapped.released, true);
    assert.equal(wrapped.release, wrapped.release, "a stable identity");
    assert.ok(wrapped instanceof FakeSession);
    await monitor.close();
  });

  test("monitoring never changes the caller's result: a throwing toRecords is counted", async () => {
    const { fetch, sent } = capture();
    const errors: ClientErrorInfo[] = [];
    const monitor = createClient({
      url: "http://fake",
      model: "m",
      version: "1",
      fetch,
      onError: (e) => errors.push(e),
    });
    const session = new FakeSession();
    const wrapped = monitor.wrap(session, {
      toRecords: () => {
        throw new Error("bug in the host's mapping");
      },
    });
    assert.equal(await wrapped.run({ x: [1] }), session.output);
    const invalid = monitor.wrap(session, { toRecords: () => [{ features: {}, prediction: Number.NaN }] });
    assert.equal(await invalid.run({ x: [1] }), session.output);
    const single = monitor.wrap(session, {
      toRecords: (_f, o, latencyMs) => ({
        id: "one",
        features: {},
        prediction: o.y[0]!,
        latencyMs: latencyMs * 2,
      }),
    });
    assert.equal(await single.run({ x: [1] }), session.output);
    await monitor.flush();
    const stats = monitor.stats();
    assert.equal(stats.toRecordsErrors, 1);
    assert.equal(stats.dropped.invalid, 1);
    assert.deepEqual(
      errors.map((e) => e.type),
      ["to_records", "invalid_input"],
    );
    assert.deepEqual(
      sent.map((r) => r.id),
      ["one"],
    );
    assert.ok(sent[0]!.latency_ms >= 2 * (DELAY - 1));
    await monitor.close();
  });

  test("a synchronous throw and a synchronous result pass through as they are", async () => {
    const { fetch, sent } = capture();
    const monitor = createClient({ url: "http://fake", model: "m", version: "1", fetch });
    const failure = new TypeError("feeds must be an object");
    const session = {
      run(feeds: unknown): { y: number } {
        if (feeds === null) throw failure;
        return { y: 1 };
      },
    };
    const wrapped = monitor.wrap(session, {
      toRecords: (_f, o) => [{ id: "s", features: {}, prediction: o.y }],
    });
    assert.throws(
      () => wrapped.run(null),
      (e: unknown) => e === failure,
    );
    assert.deepEqual(wrapped.run({}), { y: 1 });
    await monitor.flush();
    assert.deepEqual(
      sent.map((r) => r.id),
      ["s"],
    );
    await monitor.close();
  });

  test("a real onnxruntime-node session of the bike model, its predictions reach the real server", async (t) => {
    let ort: typeof import("onnxruntime-node");
    try {
      ort = await import("onnxruntime-node");
    } catch {
      t.skip("onnxruntime-node is not installed");
      return;
    }
    const names = [
      "season",
      "mnth",
      "hr",
      "holiday",
      "weekday",
      "workingday",
      "weathersit",
      "temp",
      "atemp",
      "hum",
      "windspeed",
    ];
    const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-wrap-"));
    const server = await startServer({ port: 0, dataDir: join(dir, "data"), clock: "event" });
    try {
      const admin = (path: string, body: unknown) =>
        fetch(`${server.url}${path}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        });
      assert.equal(
        (
          await admin("/v1/models", {
            name: "bike",
            task: "regression",
            features: names.map((name) => ({ name, type: "numeric" })),
          })
        ).status,
        201,
      );
      assert.equal((await admin("/v1/models/bike/versions", { version: "1" })).status, 201);

      const session = await ort.InferenceSession.create(repoPath("models", "bike_mlp.onnx"));
      const monitor = createClient({ url: server.url, model: "bike", version: "1" });
      const T0 = Date.parse("2012-06-01T00:00:00Z");
      let next = 0;
      // The session's own types flow through: feeds and outputs are onnxruntime's, not any.
      const wrapped = monitor.wrap(session, {
        toRecords: (feeds, outputs) => {
          const x = (feeds.features as InstanceType<typeof ort.Tensor>).data as Float32Array;
          const y = (outputs.cnt as InstanceType<typeof ort.Tensor>).data as Float32Array;
          return Array.from(y, (value, row) => ({
            id: `bike-${next}`,
            time: T0 + next++ * 3_600_000,
            features: Object.fromEntries(names.map((name, j) => [name, x[row * 11 + j]!])),
            prediction: value,
          }));
        },
      });
      const rows = 24;
      const data = new Float32Array(rows * 11);
      for (let r = 0; r < rows; r++) data.set([3, 6, r, 0, 5, 1, 1, 0.6 + r / 100, 0.55, 0.5, 0.2], r * 11);
      const feeds = { features: new ort.Tensor("float32", data, [rows, 11]) };
      const direct = await session.run(feeds);
      const monitored = await wrapped.run(feeds);
      assert.deepEqual(
        Array.from(monitored.cnt!.data as Float32Array),
        Array.from(direct.cnt!.data as Float32Array),
      );
      assert.deepEqual(wrapped.inputNames, ["features"]);
      await monitor.close();
      const stats = monitor.stats();
      assert.equal(stats.accepted, rows, JSON.stringify(stats));
      const { windows } = (await (await fetch(`${server.url}/v1/models/bike/windows`)).json()) as {
        windows: Array<{ events: number }>;
      };
      assert.equal(
        windows.reduce((s, w) => s + w.events, 0),
        rows,
      );
      await session.release();
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
