import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, test } from "node:test";
import { backoffDelay, parseRetryAfter } from "./backoff.js";
import { createClient as createClientUnmanaged } from "./index.js";
import type { ClientErrorInfo } from "./types.js";

interface Received {
  readonly path: string;
  readonly ids: string[];
  readonly atMs: number;
  readonly headers: IncomingMessage["headers"];
}
type Answer = { status: number; body?: unknown; headers?: Record<string, string> };

/**
 * What a test opened, closed after it whatever happened: a failed assertion must not leave a server
 * or a client's retry loop running (under load that once hung this file for minutes).
 */
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of cleanups.splice(0).reverse()) await close().catch(() => {});
});

/** createClient, closed after the test (close is idempotent). */
const createClient: typeof createClientUnmanaged = (options) => {
  const client = createClientUnmanaged(options);
  cleanups.push(() => client.close({ timeoutMs: 100 }));
  return client;
};

/** A scripted HTTP server on 127.0.0.1: `answer` decides each reply from what arrived. */
async function fakeServer(
  answer: (request: Received, index: number) => Answer | "hang",
  port = 0,
): Promise<{ url: string; port: number; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => {
      body += chunk;
    });
    request.on("end", () => {
      const ids = body
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => String((JSON.parse(l) as { id: unknown }).id));
      const got: Received = {
        path: request.url ?? "",
        ids,
        atMs: performance.now(),
        headers: request.headers,
      };
      received.push(got);
      const decided = answer(got, received.length - 1);
      if (decided === "hang") return; // never answer: the client's timeout or close's deadline must act
      const { status, body: reply, headers } = decided;
      response.writeHead(status, { "content-type": "application/json", ...headers });
      response.end(JSON.stringify(reply ?? {}));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const actual = (server.address() as AddressInfo).port;
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  cleanups.push(close);
  return { url: `http://127.0.0.1:${actual}`, port: actual, received, close };
}

/** A port nothing listens on (taken, then released). */
async function refusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const ok = (r: Received): Answer => ({ status: 200, body: { accepted: r.ids.length, duplicates: 0 } });
const event = (i: number) => ({ id: `e${i}`, time: 0, features: { x: i }, prediction: i });
const fast = { random: () => 0.5, initialDelayMs: 10, maxDelayMs: 40 };

describe("the client over a scripted HTTP server", () => {
  test("429 with Retry-After, then 503, then 200: the batch arrives once with all its records", async () => {
    const fake = await fakeServer((r, i) =>
      i === 0
        ? { status: 429, headers: { "retry-after": "1" }, body: { code: "TOO_MANY" } }
        : i === 1
          ? { status: 503, body: { code: "UNAVAILABLE" } }
          : ok(r),
    );
    const errors: ClientErrorInfo[] = [];
    const monitor = createClient({
      url: fake.url,
      model: "m",
      version: "1",
      token: "secret",
      ...fast,
      onError: (info) => errors.push(info),
    });
    for (let i = 0; i < 5; i++) monitor.logPrediction(event(i));
    await monitor.flush();
    const ids = ["e0", "e1", "e2", "e3", "e4"];
    assert.deepEqual(
      fake.received.map((r) => r.ids),
      [ids, ids, ids],
    );
    assert.ok(fake.received[1]!.atMs - fake.received[0]!.atMs >= 990, "waited at least Retry-After");
    assert.equal(fake.received[0]!.path, "/v1/models/m/events");
    assert.equal(fake.received[0]!.headers["content-type"], "application/x-ndjson");
    assert.equal(fake.received[0]!.headers.authorization, "Bearer secret");
    const stats = monitor.stats();
    assert.equal(stats.retries, 2);
    assert.equal(stats.requests, 3);
    assert.equal(stats.sent, 5);
    assert.equal(stats.accepted, 5);
    assert.equal(stats.dropped.total, 0);
    assert.deepEqual(
      errors.map((e) => [e.type, e.status, e.retryInMs]),
      [
        ["retry", 429, 1000],
        ["retry", 503, 10], // full jitter: 0.5 × min(40, 10 · 2¹)
      ],
    );
    await monitor.close();
    await fake.close();
  });

  test("a server with a queue (serve --queue): 503 QUEUE_UNAVAILABLE is retried, 202 queued counts as accepted", async () => {
    const fake = await fakeServer((r, i) =>
      i === 0
        ? { status: 503, headers: { "retry-after": "0" }, body: { code: "QUEUE_UNAVAILABLE" } }
        : { status: 202, body: { queued: true, accepted: r.ids.length, batch: "ab12" } },
    );
    const monitor = createClient({ url: fake.url, model: "m", version: "1", ...fast });
    for (let i = 0; i < 3; i++) monitor.logPrediction(event(i));
    await monitor.flush();
    assert.deepEqual(
      fake.received.map((r) => r.ids),
      [
        ["e0", "e1", "e2"],
        ["e0", "e1", "e2"],
      ],
    );
    const stats = monitor.stats();
    assert.deepEqual([stats.sent, stats.accepted, stats.duplicates, stats.retries], [3, 3, 0, 1]);
    assert.equal(stats.dropped.total, 0);
    await monitor.close();
  });

  test("connection refused, then the server comes up: nothing is lost", async () => {
    const port = await refusedPort();
    let retries = 0;
    const monitor = createClient({
      url: `http://127.0.0.1:${port}`,
      model: "m",
      version: "1",
      ...fast,
      maxAttempts: 50,
      onError: (info) => {
        if (info.type === "retry") retries++;
      },
    });
    for (let i = 0; i < 20; i++) monitor.logPrediction(event(i));
    const flushed = monitor.flush();
    while (retries < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    const fake = await fakeServer(ok, port);
    await flushed;
    assert.deepEqual(
      fake.received.flatMap((r) => r.ids),
      Array.from({ length: 20 }, (_, i) => `e${i}`),
    );
    const stats = monitor.stats();
    assert.ok(stats.retries >= 2);
    assert.equal(stats.accepted, 20);
    assert.equal(stats.dropped.total, 0);
    await monitor.close();
    await fake.close();
  });

  test("413 splits the batch in halves until it fits; a single record too large is dropped", async () => {
    const fake = await fakeServer((r) =>
      r.ids.length > 2 || r.ids.includes("big") ? { status: 413, body: { code: "BODY_TOO_LARGE" } } : ok(r),
    );
    const monitor = createClient({ url: fake.url, model: "m", version: "1", ...fast });
    for (let i = 0; i < 7; i++) monitor.logPrediction(event(i));
    monitor.logPrediction({ ...event(99), id: "big" });
    await monitor.flush();
    assert.deepEqual(
      fake.received.map((r) => r.ids.length),
      [8, 4, 2, 2, 4, 2, 2, 1, 1],
    );
    const stored = fake.received
      .filter((r) => r.ids.length <= 2 && !r.ids.includes("big"))
      .flatMap((r) => r.ids);
    assert.deepEqual(stored, ["e0", "e1", "e2", "e3", "e4", "e5", "e6"]);
    const stats = monitor.stats();
    assert.equal(stats.accepted, 7);
    assert.equal(stats.dropped.refused, 1);
    assert.deepEqual(stats.dropped.byReason, { BODY_TOO_LARGE: 1 });
    assert.equal(stats.retries, 0);
    await monitor.close();
    await fake.close();
  });

  test("401 drops the batch and counts it, without a retry storm", async () => {
    const fake = await fakeServer(() => ({
      status: 401,
      body: { code: "UNAUTHORIZED", message: "no token" },
    }));
    const errors: ClientErrorInfo[] = [];
    const monitor = createClient({
      url: fake.url,
      model: "m",
      version: "1",
      flushIntervalMs: 10,
      ...fast,
      onError: (info) => errors.push(info),
    });
    for (let i = 0; i < 5; i++) monitor.logPrediction(event(i));
    await monitor.flush();
    await new Promise((resolve) => setTimeout(resolve, 100)); // ten flush intervals: nothing more may go
    assert.equal(fake.received.length, 1);
    const stats = monitor.stats();
    assert.equal(stats.dropped.refused, 5);
    assert.deepEqual(stats.dropped.byReason, { UNAUTHORIZED: 5 });
    assert.equal(stats.retries, 0);
    assert.deepEqual(
      errors.map((e) => [e.type, e.status, e.code, e.records]),
      [["refused", 401, "UNAUTHORIZED", 5]],
    );
    await monitor.close();
    await fake.close();
  });

  test("INGEST_INVALID: exactly the listed lines are dropped and the rest resent at once", async () => {
    const fake = await fakeServer((r, i) =>
      i === 0
        ? {
            status: 400,
            body: {
              code: "INGEST_INVALID",
              problems: [
                { line: 2, field: "features.x", code: "wrong_type", message: "a number" },
                { line: 4, field: "time", code: "too_late", message: "late" },
                { line: 4, field: "features.y", code: "unknown_feature", message: "no y" },
                { line: 4, field: "features.z", code: "unknown_feature", message: "no z" },
              ],
            },
          }
        : ok(r),
    );
    const monitor = createClient({ url: fake.url, model: "m", version: "1", ...fast });
    for (let i = 1; i <= 5; i++) monitor.logPrediction(event(i));
    await monitor.flush();
    assert.deepEqual(
      fake.received.map((r) => r.ids),
      [
        ["e1", "e2", "e3", "e4", "e5"],
        ["e1", "e3", "e5"],
      ],
    );
    const stats = monitor.stats();
    assert.deepEqual(stats.rejected, {
      total: 2,
      byCode: { wrong_type: 1, too_late: 1, unknown_feature: 1 },
    });
    assert.equal(stats.accepted, 3);
    assert.equal(stats.retries, 0);
    assert.deepEqual(
      stats.lastProblems.map((p) => [p.id, p.code]),
      [
        ["e2", "wrong_type"],
        ["e4", "too_late"],
        ["e4", "unknown_feature"],
        ["e4", "unknown_feature"],
      ],
    );
    await monitor.close();
    await fake.close();
  });

  test("labels never overtake the predictions logged before them", async () => {
    const fake = await fakeServer(ok);
    const monitor = createClient({ url: fake.url, model: "m", version: "1", batchSize: 3, ...fast });
    monitor.logPrediction(event(1));
    for (let i = 0; i < 3; i++) monitor.logLabel({ id: `e${i}`, value: i });
    await monitor.flush();
    assert.deepEqual(
      fake.received.map((r) => [r.path, r.ids.length]),
      [
        ["/v1/models/m/events", 1],
        ["/v1/models/m/labels", 3],
      ],
    );
    await monitor.close();
    await fake.close();
  });

  test("a hanging request times out and is retried; close's deadline aborts one and counts its records", async () => {
    const fake = await fakeServer((r, i) => (i === 0 || r.ids.includes("stuck") ? "hang" : ok(r)));
    const errors: ClientErrorInfo[] = [];
    const monitor = createClient({
      url: fake.url,
      model: "m",
      version: "1",
      ...fast,
      requestTimeoutMs: 100,
      onError: (info) => errors.push(info),
    });
    monitor.logPrediction(event(1));
    await monitor.flush();
    assert.deepEqual(
      fake.received.map((r) => r.ids),
      [["e1"], ["e1"]],
    );
    assert.deepEqual(
      errors.map((e) => [e.type, e.message]),
      [["retry", "no answer within 100 ms"]],
    );
    await monitor.close();
    assert.equal(monitor.stats().accepted, 1);

    const stuck = createClient({
      url: fake.url,
      model: "m",
      version: "1",
      ...fast,
      requestTimeoutMs: 20_000,
    });
    stuck.logPrediction({ ...event(2), id: "stuck" });
    const started = performance.now();
    await stuck.close({ timeoutMs: 30 });
    assert.ok(performance.now() - started < 10_000, "close kept its deadline, not the request timeout");
    const stats = stuck.stats();
    assert.equal(stats.dropped.closedInFlight, 1);
    assert.equal(stats.inFlight + stats.buffered, 0);
    await fake.close();
  });

  test("the retries run out: the batch is dropped and counted by its last failure", async () => {
    const fake = await fakeServer(() => ({ status: 500, body: { code: "INTERNAL" } }));
    const monitor = createClient({ url: fake.url, model: "m", version: "1", ...fast, maxAttempts: 3 });
    monitor.logPrediction(event(1));
    await monitor.flush();
    assert.equal(fake.received.length, 3);
    const stats = monitor.stats();
    assert.equal(stats.retries, 2);
    assert.equal(stats.dropped.retriesExhausted, 1);
    assert.deepEqual(stats.dropped.byReason, { INTERNAL: 1 });
    await monitor.close();
    await fake.close();
  });
});

describe("backoff", () => {
  test("full jitter: uniform below the exponential cap, capped at maxDelay", () => {
    assert.equal(
      backoffDelay(1, 500, 30_000, () => 0.5),
      250,
    );
    assert.equal(
      backoffDelay(3, 500, 30_000, () => 0.5),
      1000,
    );
    assert.equal(
      backoffDelay(20, 500, 30_000, () => 0.999),
      29_970,
    );
    assert.equal(
      backoffDelay(2, 500, 30_000, () => 0),
      0,
    );
    assert.equal(
      backoffDelay(2, 500, 30_000, () => Number.NaN),
      500,
    );
  });

  test("Retry-After: seconds or an HTTP date", () => {
    assert.equal(parseRetryAfter("3", 0), 3000);
    assert.equal(parseRetryAfter(" 0.25 ", 0), 250);
    const now = Date.parse("Wed, 21 Oct 2015 07:27:00 GMT");
    assert.equal(parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", now), 60_000);
    assert.equal(parseRetryAfter("Wed, 21 Oct 2015 07:00:00 GMT", now), 0);
    assert.equal(parseRetryAfter("soon", now), undefined);
    assert.equal(parseRetryAfter(null, now), undefined);
  });
});
