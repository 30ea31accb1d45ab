import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, test } from "node:test";
import { createClient } from "./index.js";
import type { ClientErrorInfo, LabelInput, PredictionInput } from "./types.js";

async function refusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const event = (i: number) => ({ id: `e${i}`, features: { x: i }, prediction: i });

describe("the buffer and the host's safety", () => {
  test("with the server unreachable and maxBuffered 100, 1,000 records keep 100 and drop 900", async () => {
    const port = await refusedPort();
    const errors: ClientErrorInfo[] = [];
    const monitor = createClient({
      url: `http://127.0.0.1:${port}`,
      model: "m",
      version: "1",
      maxBuffered: 100,
      batchSize: 10,
      random: () => 0.5,
      initialDelayMs: 5,
      maxAttempts: 1000,
      onError: (info) => errors.push(info),
    });
    for (let i = 0; i < 1000; i++) monitor.logPrediction(event(i));
    // Wait until the sender has failed at least once: in-flight records still count against the bound.
    while (!errors.some((e) => e.type === "retry")) await new Promise((resolve) => setTimeout(resolve, 5));
    let stats = monitor.stats();
    assert.equal(stats.buffered + stats.inFlight, 100);
    assert.equal(stats.dropped.bufferFull, 900);
    assert.equal(stats.logged, 100);
    assert.equal(errors.filter((e) => e.type === "buffer_full").length, 1, "reported once per episode");
    assert.ok(errors.some((e) => e.type === "retry" && e.message.includes("network error")));
    await monitor.close({ timeoutMs: 20 });
    stats = monitor.stats();
    assert.equal(stats.buffered + stats.inFlight, 0);
    assert.equal(stats.dropped.closedInFlight, 100);
    assert.equal(stats.dropped.total, 1000);
    assert.equal(monitor.logPrediction(event(0)), false);
    assert.equal(monitor.stats().dropped.afterClose, 1);
  });

  test("no exception ever reaches the caller: bad input, a throwing onError, bad options", async () => {
    const monitor = createClient({
      url: "http://127.0.0.1:1",
      model: "m",
      version: "1",
      batchSize: -3,
      onError: () => {
        throw new Error("the host's callback is broken");
      },
    });
    const cyclic: Record<string, unknown> = { x: 1 };
    cyclic.self = cyclic;
    const bad: unknown[] = [
      null,
      42,
      "text",
      [],
      {},
      { id: "", features: {}, prediction: 1 },
      { id: {}, features: {}, prediction: 1 },
      { id: 1.5, features: {}, prediction: 1 },
      { id: "a", features: null, prediction: 1 },
      { id: "a", features: {}, prediction: Number.NaN },
      { id: "a", features: {}, prediction: 1, time: new Date("nope") },
      { id: "a", features: {}, prediction: 1, latencyMs: -1 },
      { id: "a", features: cyclic, prediction: 1 },
      { id: "a", features: { big: 1n }, prediction: 1 },
    ];
    for (const input of bad) assert.equal(monitor.logPrediction(input as PredictionInput), false);
    for (const input of [null, { id: "a" }, { id: "a", value: null }])
      assert.equal(monitor.logLabel(input as unknown as LabelInput), false);
    const stats = monitor.stats();
    assert.equal(stats.dropped.invalid, bad.length + 3);
    assert.equal(stats.logged, 0);
    assert.equal(monitor.logPrediction({ id: 7, features: { x: 1 }, prediction: "yes" }), true);
    await monitor.flush({ timeoutMs: 1 });
    await monitor.close({ timeoutMs: 1 });
    await monitor.close();
    // A client built from nonsense (a JS caller) does not throw either.
    const nonsense = createClient(undefined as never);
    assert.equal(nonsense.logPrediction(event(1)), false, "no version to send it with");
    await nonsense.close({ timeoutMs: 1 });
  });

  test("the client never keeps the process alive", async () => {
    const port = await refusedPort();
    const module = new URL("./index.js", import.meta.url).href;
    // The backoff is 20 s (random fixed near 1): a client that kept the process alive would hold it that long.
    const script = `
      import { createClient } from ${JSON.stringify(module)};
      const monitor = createClient({
        url: "http://127.0.0.1:${port}", model: "m", version: "1",
        flushIntervalMs: 5, initialDelayMs: 20_000, random: () => 0.99,
        onError: (info) => { if (info.type === "retry") console.log("retrying in", info.retryInMs); },
      });
      for (let i = 0; i < 10; i++) monitor.logPrediction({ id: "e" + i, features: {}, prediction: i });
      setTimeout(() => {}, 50); // the host's own work, long enough for the first flush tick
    `;
    const started = performance.now();
    const output = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        ["--input-type=module", "-e", script],
        { timeout: 15_000 },
        (error, stdout) => (error ? reject(error) : resolve(stdout)),
      ),
    );
    // It tried, failed, began a 20 s backoff — and still the process ended as soon as the host was done.
    assert.match(output, /^retrying in 19800$/m);
    assert.ok(performance.now() - started < 10_000);
  });
});
