import assert from "node:assert/strict";
import { createServer } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { test } from "node:test";
import { TikTokToeError } from "../errors/index.js";
import { LiveHub } from "./live.js";

test("a stream whose client never reads is dropped once its backlog passes the bound; readers are kept", async () => {
  const hub = new LiveHub({ maxBufferedBytes: 64 * 1024, heartbeatMs: 60_000 });
  const server = createServer((request, response) => hub.attach(request, response));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const open = (read: boolean) =>
    new Promise<import("node:net").Socket>((resolve) => {
      const socket = connect(port, "127.0.0.1", () => {
        socket.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        resolve(socket);
      });
      if (read) socket.on("data", () => {});
      else socket.pause();
    });
  const stalled = await open(false);
  const reader = await open(true);
  try {
    while (hub.connections < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    const payload = { text: "x".repeat(4096) };
    // 64 MiB published: far past what the kernel's socket buffers can hold for the stalled client.
    for (let i = 0; i < 16_384 && hub.droppedSlow === 0; i++) {
      hub.publish("window", payload);
      // Between small bursts the loop turns, so the reading client drains its stream.
      if (i % 4 === 0) await new Promise((resolve) => setTimeout(resolve, 0));
    }
    assert.equal(hub.droppedSlow, 1, "the stalled stream was dropped");
    assert.equal(hub.connections, 1, "the reading stream stays");
  } finally {
    stalled.destroy();
    reader.destroy();
    hub.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

test("past the stream limit a new stream is refused with SERVER_BUSY", () => {
  const hub = new LiveHub({ maxClients: 0, heartbeatMs: 60_000 });
  try {
    assert.throws(
      () => hub.attach({ headers: {} } as never, {} as never),
      (error: unknown) => error instanceof TikTokToeError && error.code === "SERVER_BUSY",
    );
  } finally {
    hub.close();
  }
});
