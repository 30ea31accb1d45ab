import { parentPort, workerData } from "node:worker_threads";
import type { Store } from "../port.js";
import { openSqliteStore } from "./sqlite-store.js";
import { type CallMessage, errorShape, type ReplyMessage, STORE_METHODS } from "./thread-protocol.js";

// The SQLite store's own thread (see thread.ts): opens the file, then answers calls in the order
// they come, one at a time — as the single connection did on the main thread.

const port = parentPort;
if (port === null) throw new Error("thread-worker.ts runs as a worker thread");
const allowed = new Set<string>(STORE_METHODS);
const { file } = workerData as { file: string };

let store: Store | undefined;
try {
  store = await openSqliteStore({ file });
  port.postMessage({ id: 0, ok: true, value: null } satisfies ReplyMessage);
} catch (error) {
  port.postMessage({ id: 0, ok: false, error: errorShape(error) } satisfies ReplyMessage);
}

// Calls are answered strictly in order: an async method (they all are) is awaited before the next
// starts, so a read after a write sees it, as callers of the one connection expect.
let queue: Promise<void> = Promise.resolve();
port.on("message", (message: CallMessage) => {
  queue = queue.then(async () => {
    let reply: ReplyMessage;
    try {
      if (store === undefined || !allowed.has(message.method))
        throw new Error(`the store thread cannot answer ${message.method}`);
      const method = store[message.method] as (...args: readonly unknown[]) => Promise<unknown>;
      const value = await method.apply(store, [...message.args]);
      reply = { id: message.id, ok: true, value };
    } catch (error) {
      reply = { id: message.id, ok: false, error: errorShape(error) };
    }
    port.postMessage(reply);
    if (message.method === "close" && reply.ok) port.close();
  });
});
