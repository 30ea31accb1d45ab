import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type RunningServer, startServer } from "../server/index.js";
import { createClient } from "./index.js";
import type { ClientErrorInfo, FetchLike } from "./types.js";

const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-client-"));
let server: RunningServer;
const T0 = Date.parse("2024-03-04T10:00:00Z");

before(async () => {
  server = await startServer({ port: 0, dataDir: join(dir, "data"), clock: "event" });
  const post = (path: string, body: unknown) =>
    fetch(`${server.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  const model = await post("/v1/models", {
    name: "rides",
    task: "regression",
    features: [
      { name: "temp", type: "numeric" },
      { name: "hum", type: "numeric" },
      { name: "season", type: "categorical" },
    ],
  });
  assert.equal(model.status, 201, await model.text());
  const version = await post("/v1/models/rides/versions", { version: "1" });
  assert.equal(version.status, 201, await version.text());
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Window {
  events: number;
  labels: number;
}
async function totals(): Promise<{ events: number; labels: number }> {
  const response = await fetch(`${server.url}/v1/models/rides/windows`);
  const { windows } = (await response.json()) as { windows: Window[] };
  return {
    events: windows.reduce((s, w) => s + w.events, 0),
    labels: windows.reduce((s, w) => s + w.labels, 0),
  };
}

/** The global fetch, recording how many records each request carried and how it was answered. */
function spy(): { fetch: FetchLike; requests: Array<{ path: string; lines: number; status: number }> } {
  const requests: Array<{ path: string; lines: number; status: number }> = [];
  return {
    requests,
    fetch: async (url, init) => {
      const response = await fetch(url, init);
      requests.push({
        path: new URL(url).pathname,
        lines: init.body.split("\n").filter((l) => l !== "").length,
        status: response.status,
      });
      return response;
    },
  };
}

const prediction = (i: number) => ({
  id: `p${i}`,
  time: new Date(T0 + i * 1000),
  features: { temp: (i % 40) / 40, hum: 0.5, season: String(1 + (i % 4)) },
  prediction: 100 + (i % 50),
  latencyMs: 1 + (i % 7),
});

describe("the client against the real server", () => {
  test("2,500 predictions go as 1000/1000/500, the labels join them, a resend is all duplicates", async () => {
    const errors: ClientErrorInfo[] = [];
    const { fetch: spied, requests } = spy();
    const monitor = createClient({
      url: server.url,
      model: "rides",
      version: "1",
      fetch: spied,
      onError: (info) => errors.push(info),
    });
    for (let i = 0; i < 2500; i++) assert.equal(monitor.logPrediction(prediction(i)), true);
    for (let i = 0; i < 2500; i++) monitor.logLabel({ id: `p${i}`, value: 100 + (i % 45) });
    await monitor.close();
    assert.equal(errors.length, 0, JSON.stringify(errors));
    assert.deepEqual(
      requests.map((r) => [r.path, r.lines, r.status]),
      [
        ["/v1/models/rides/events", 1000, 200],
        ["/v1/models/rides/events", 1000, 200],
        ["/v1/models/rides/events", 500, 200],
        ["/v1/models/rides/labels", 1000, 200],
        ["/v1/models/rides/labels", 1000, 200],
        ["/v1/models/rides/labels", 500, 200],
      ],
    );
    const stats = monitor.stats();
    assert.equal(stats.logged, 5000);
    assert.equal(stats.sent, 5000);
    assert.equal(stats.accepted, 5000);
    assert.equal(stats.duplicates, 0);
    assert.equal(stats.unmatched, 0);
    assert.equal(stats.dropped.total, 0);
    assert.equal(stats.inFlight + stats.buffered, 0);
    assert.deepEqual(await totals(), { events: 2500, labels: 2500 });

    const again = createClient({
      url: server.url,
      model: "rides",
      version: "1",
      onError: (i) => errors.push(i),
    });
    for (let i = 0; i < 2500; i++) again.logPrediction(prediction(i));
    await again.close();
    assert.equal(errors.length, 0, JSON.stringify(errors));
    assert.equal(again.stats().duplicates, 2500);
    assert.equal(again.stats().accepted, 0);
    assert.deepEqual(await totals(), { events: 2500, labels: 2500 });
  });

  test("a record with an unknown feature is dropped and counted; the rest of its batch is stored", async () => {
    const errors: ClientErrorInfo[] = [];
    const { fetch: spied, requests } = spy();
    const monitor = createClient({
      url: server.url,
      model: "rides",
      version: "1",
      fetch: spied,
      onError: (info) => errors.push(info),
    });
    for (let i = 0; i < 10; i++) {
      const event = prediction(10_000 + i);
      monitor.logPrediction(i === 3 ? { ...event, features: { ...event.features, colour: "red" } } : event);
    }
    await monitor.flush();
    const stats = monitor.stats();
    assert.deepEqual(stats.rejected, { total: 1, byCode: { unknown_feature: 1 } });
    assert.equal(stats.dropped.rejected, 1);
    assert.equal(stats.accepted, 9);
    assert.deepEqual(
      stats.lastProblems.map((p) => [p.kind, p.id, p.field, p.code]),
      [["events", "p10003", "features.colour", "unknown_feature"]],
    );
    // One rejected request, then the other nine resent at once.
    assert.deepEqual(
      requests.map((r) => [r.lines, r.status]),
      [
        [10, 400],
        [9, 200],
      ],
    );
    assert.deepEqual(
      errors.map((e) => [e.type, e.records]),
      [["rejected_records", 1]],
    );
    assert.deepEqual(await totals(), { events: 2509, labels: 2500 });
    await monitor.close();
  });
});
