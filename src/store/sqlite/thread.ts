import { Worker } from "node:worker_threads";
import { TikTokToeError } from "../../errors/index.js";
import type { Store } from "../port.js";
import type { SqliteStoreOptions } from "./sqlite-store.js";
import {
  type CallMessage,
  errorFrom,
  type ReplyMessage,
  STORE_METHODS,
  type StoreMethod,
} from "./thread-protocol.js";

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Opens the embedded SQLite store in a thread of its own and answers with a proxy of the same port.
 *
 * Why: better-sqlite3 is synchronous, so on the server's main thread every commit held up whatever
 * request came next — a group commit of 1,000 answered predictions was a 15–45 ms pause in the
 * middle of `/predict`'s traffic. In its own thread the store works beside the requests; the main
 * thread only copies the calls and their answers (structured clone). Calls are answered in the
 * order they were made, by one connection, as before. The same conformance suite runs against it.
 *
 * @example
 * ```ts
 * const store = await openSqliteStoreThread({ file: join(dataDir, "tiktoktoe.db") });
 * ```
 */
export async function openSqliteStoreThread(options: SqliteStoreOptions): Promise<Store> {
  const worker = new Worker(new URL("./thread-worker.js", import.meta.url), {
    workerData: { file: options.file },
    // Not the process's own flags (`--input-type`, `--cpu-prof`, …): some do not apply to a worker.
    execArgv: [],
  });
  const connection = new ThreadConnection(worker);
  try {
    await connection.opened;
  } catch (error) {
    // Nothing to keep: the thread would otherwise wait for calls that never come.
    await worker.terminate();
    throw error;
  }
  const store: Record<string, unknown> = { dialect: "sqlite" };
  for (const method of STORE_METHODS) store[method] = (...args: unknown[]) => connection.call(method, args);
  return store as unknown as Store;
}

/** The proxy's side of the thread: calls out, answers in, by id. */
class ThreadConnection {
  readonly opened: Promise<void>;
  private readonly pending = new Map<number, Pending>();
  private next = 1;
  /** Why the thread cannot answer any more (it stopped), once it happened. */
  private stopped: Error | null = null;
  /** close() was called: the thread's exit is the end asked for, not a failure. */
  private closing = false;

  constructor(private readonly worker: Worker) {
    let opening: Pending | undefined;
    this.opened = new Promise<void>((resolve, reject) => {
      opening = { resolve: () => resolve(), reject };
    });
    this.pending.set(0, opening!);
    worker.on("message", (reply: ReplyMessage) => {
      const waiting = this.pending.get(reply.id);
      if (waiting === undefined) return;
      this.pending.delete(reply.id);
      this.idleCheck();
      if (reply.ok) waiting.resolve(reply.value);
      else waiting.reject(errorFrom(reply.error));
    });
    const stop = (why: Error) => {
      this.stopped ??= why;
      for (const waiting of this.pending.values()) waiting.reject(this.stopped);
      this.pending.clear();
    };
    worker.on("error", (error) =>
      stop(
        new TikTokToeError("STORE_UNAVAILABLE", `the store's thread failed: ${error.message}`, {
          cause: error,
          hint: "restart the server; the database file is intact (every commit was atomic)",
        }),
      ),
    );
    worker.on("exit", (code) =>
      stop(
        this.closing
          ? closedError()
          : new TikTokToeError("STORE_UNAVAILABLE", `the store's thread stopped (exit code ${code})`, {
              hint: "restart the server; the database file is intact (every commit was atomic)",
            }),
      ),
    );
  }

  /**
   * The thread keeps the process alive only while a call waits for it: a store left open must not
   * stop a finished command from exiting, and a waiting call must not be cut off by an exit.
   */
  private idleCheck(): void {
    if (this.pending.size === 0) this.worker.unref();
  }

  call(method: StoreMethod, args: readonly unknown[]): Promise<unknown> {
    if (this.stopped !== null) return Promise.reject(this.stopped);
    const id = this.next++;
    const message: CallMessage = { id, method, args };
    if (method === "close") this.closing = true;
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      try {
        this.worker.postMessage(message);
      } catch (error) {
        // An argument that cannot be copied to the thread (a bug): refused here, nothing left waiting.
        this.pending.delete(id);
        this.idleCheck();
        reject(error);
      }
    }).finally(() => {
      if (method === "close") this.stopped ??= closedError();
    });
  }
}

function closedError(): TikTokToeError {
  return new TikTokToeError("STORE_UNAVAILABLE", "the store is closed", {
    hint: "the store was closed (the server is stopping)",
  });
}
