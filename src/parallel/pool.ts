import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { fromWireError, type WireError } from "./messages.js";

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
}

type Reply =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly error: WireError };

/** Options of {@link WorkerPool}. */
export interface WorkerPoolOptions {
  /**
   * Whether the threads use the native drift kernels when they are built (default true; the
   * environment variable `TIKTOKTOE_NATIVE=0` switches them off everywhere). Results are the same
   * either way: this exists to measure and test one against the other.
   */
  readonly nativeKernels?: boolean;
}

/** What a worker thread is started with. */
export interface WorkerSetup {
  readonly nativeKernels: boolean;
}

interface Slot {
  readonly worker: Worker;
  busy: number;
}

/**
 * A fixed set of worker threads running `dist/parallel/worker.js`, each job sent to the least busy
 * one. Jobs carry typed arrays by transfer (no copy). Closing the pool terminates the threads.
 *
 * @example
 * ```ts
 * const pool = new WorkerPool();
 * try { const table = await pool.run("read", { file }); } finally { await pool.close(); }
 * ```
 */
export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  /** @param size number of threads; defaults to the machine's available parallelism. */
  constructor(size = availableParallelism(), options: WorkerPoolOptions = {}) {
    const workerData: WorkerSetup = { nativeKernels: options.nativeKernels ?? true };
    for (let i = 0; i < Math.max(1, size); i++) {
      const worker = new Worker(new URL("./worker.js", import.meta.url), { workerData });
      const slot: Slot = { worker, busy: 0 };
      worker.on("message", (reply: Reply) => {
        slot.busy--;
        const job = this.pending.get(reply.id);
        if (job === undefined) return;
        this.pending.delete(reply.id);
        if (reply.ok) job.resolve(reply.value);
        else job.reject(fromWireError(reply.error));
      });
      worker.on("error", (error) => this.failAll(error));
      // Idle workers must not keep the process alive (a CLI exits when its work is done).
      worker.unref();
      this.slots.push(slot);
    }
  }

  /** Number of threads. */
  get size(): number {
    return this.slots.length;
  }

  /** Sends one job; resolves with the worker's answer or rejects with its error. */
  run<T>(kind: string, payload: unknown, transfer: readonly ArrayBuffer[] = []): Promise<T> {
    return this.runOn<T>(
      this.slots.reduce((a, b) => (b.busy < a.busy ? b : a)),
      kind,
      payload,
      transfer,
    );
  }

  private runOn<T>(slot: Slot, kind: string, payload: unknown, transfer: readonly ArrayBuffer[]): Promise<T> {
    const id = this.nextId++;
    slot.busy++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      // While a job is out the worker must keep the process alive, or a CLI could exit mid-run.
      slot.worker.ref();
      slot.worker.postMessage({ id, kind, payload }, [...transfer]);
    }).finally(() => {
      if (slot.busy === 0) slot.worker.unref();
    });
  }

  /** Resolves once every thread has started and loaded its modules (a no-op job round trip). */
  async ready(): Promise<void> {
    await Promise.all(this.slots.map((slot) => this.runOn<unknown>(slot, "ping", null, [])));
  }

  /** Terminates every thread; pending jobs reject. */
  async close(): Promise<void> {
    this.failAll(new Error("worker pool closed"));
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }

  private failAll(error: Error): void {
    for (const job of this.pending.values()) job.reject(error);
    this.pending.clear();
  }
}
