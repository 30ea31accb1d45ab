// A client that sends its headers or its body too slowly loses its connection instead of holding a
// descriptor for ever (issue #10: slow uploads must leave descriptors for /healthz).
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { connect } from "node:net";
import { after, before, test } from "node:test";
import { validateConfig } from "../config/index.js";
import { openSqliteStore, type Store } from "../store/index.js";
import { createApp } from "./app.js";
import { TokenAuth } from "./auth.js";
import { MonitorService } from "./monitor-service.js";

let store: Store;
let server: ReturnType<typeof createApp>;
let port: number;

before(async () => {
  store = await openSqliteStore({ file: ":memory:" });
  const result = validateConfig({});
  assert.ok(result.ok);
  const service = await MonitorService.open({ store, config: result.config, clock: "wall", now: Date.now });
  server = createApp({
    service,
    auth: new TokenAuth(new Map()),
    assets: null,
    headersTimeoutMs: 500,
    requestTimeoutMs: 1000,
    log: () => {},
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await store.close();
});

/** Writes `text`, then waits for the server to answer or close; resolves with what arrived and when. */
function slowClient(text: string): Promise<{ answer: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let answer = "";
    const socket = connect(port, "127.0.0.1", () => socket.write(text));
    socket.on("data", (chunk: Buffer) => {
      answer += chunk.toString();
    });
    socket.on("close", () => resolve({ answer, ms: performance.now() - started }));
    socket.on("error", reject);
    setTimeout(() => {
      socket.destroy();
      reject(new Error("the server kept the slow connection open for 10 s"));
    }, 10_000).unref();
  });
}

test("headers that never finish: the connection is answered 408 and closed after the header timeout", async () => {
  const { answer, ms } = await slowClient("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
  assert.match(answer, /^HTTP\/1\.1 408/);
  assert.ok(ms < 5_000, `closed after ${Math.round(ms)} ms`);
});

test("a body that stops half-way: the request is ended after the request timeout", async () => {
  const { answer, ms } = await slowClient(
    "POST /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{",
  );
  assert.match(answer, /^HTTP\/1\.1 408/);
  assert.ok(ms < 6_000, `closed after ${Math.round(ms)} ms`);
});
