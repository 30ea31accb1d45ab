import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { isTikTokToeError } from "../../errors/index.js";
import { tcpOpen } from "../../testing/services.js";
import type { QueueMessage } from "../port.js";
import { openJetStreamQueue, parseAckSubject } from "./jetstream-queue.js";

const NATS = process.env.TIKTOKTOE_NATS_SERVER ?? "/usr/sbin/nats-server";
const missing = existsSync(NATS) ? false : `${NATS} is missing (Debian package nats-server)`;
const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-nats-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts a private nats-server with JetStream on `port`, its store in `dir`; resolves once it listens. */
async function startNats(port: number): Promise<ChildProcess> {
  const child = spawn(NATS, ["-a", "127.0.0.1", "-p", String(port), "-js", "-sd", join(dir, "js")], {
    stdio: "ignore",
  });
  for (let i = 0; i < 200 && !(await tcpOpen("127.0.0.1", port, 100)); i++)
    await new Promise((resolve) => setTimeout(resolve, 50));
  return child;
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

test("parseAckSubject reads the delivery count and stream sequence of both subject forms", () => {
  assert.deepEqual(parseAckSubject("$JS.ACK.S.c.2.17.30.1700000000000000000.0"), {
    deliveries: 2,
    sequence: 17,
  });
  assert.deepEqual(parseAckSubject("$JS.ACK.dom.acchash.S.c.3.18.31.1700000000000000000.0.rnd"), {
    deliveries: 3,
    sequence: 18,
  });
});

test("NATS killed (kill -9) between publishes: publishes fail with QUEUE_UNAVAILABLE, nothing acknowledged is lost, and it recovers by itself", {
  skip: missing,
}, async () => {
  const port = await freePort();
  let server = await startNats(port);
  const queue = await openJetStreamQueue({
    url: `nats://127.0.0.1:${port}`,
    deployment: "outage",
    publishTimeoutMs: 500,
    ackWaitMs: 2_000,
  });
  try {
    const acknowledged: string[] = [];
    const publish = async (id: string) => {
      await queue.publish({ id, payload: new TextEncoder().encode(id) });
      acknowledged.push(id);
    };
    for (let i = 0; i < 20; i++) await publish(`before-${i}`);
    await stop(server); // kill -9: JetStream's file store keeps what it acknowledged
    await assert.rejects(publish("during-0"), (error: unknown) =>
      isTikTokToeError(error, "QUEUE_UNAVAILABLE"),
    );
    server = await startNats(port);
    // The client reconnects by itself; the caller retries the same batch id until it is acknowledged.
    let recovered = false;
    for (let attempt = 0; attempt < 100 && !recovered; attempt++)
      recovered = await publish("during-0").then(
        () => true,
        (error: unknown) => {
          assert.ok(isTikTokToeError(error, "QUEUE_UNAVAILABLE"), String(error));
          return false;
        },
      );
    assert.ok(recovered, "publishing works again after NATS restarted");
    for (let i = 0; i < 5; i++) await publish(`after-${i}`);
    const consumer = await queue.consumer("writer");
    const got: QueueMessage[] = [];
    for (let idle = 0; idle < 2; ) {
      const batch = await consumer.fetch(50, 500);
      idle = batch.length === 0 ? idle + 1 : 0;
      for (const message of batch) {
        got.push(message);
        await message.ack();
      }
    }
    // Every acknowledged id, each once (during-0's failed publish, if JetStream stored it before the
    // kill, and its retry carry one id: the duplicate window keeps one).
    assert.deepEqual(
      got.map((m) => m.id),
      acknowledged,
    );
  } finally {
    await queue.close();
    await stop(server);
  }
});
