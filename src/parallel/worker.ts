/**
 * Entry point of the worker threads of {@link WorkerPool}: reads files and measures drift columns,
 * so that two files parse at once and columns spread over the cores.
 */
import { parentPort, workerData } from "node:worker_threads";
import { readTable } from "../data/index.js";
import type { ColumnTask, DriftOptions, SortArena } from "../drift/index.js";
import { buffersOf, type ReadJob, toWireError } from "./messages.js";
import { enableNativeKernels } from "./native.js";
import type { WorkerSetup } from "./pool.js";
import { tableBuffers } from "./transfer.js";

interface Job {
  readonly id: number;
  readonly kind: string;
  readonly payload: unknown;
}

const port = parentPort;
if (port === null) throw new Error("worker.js must run in a worker thread");
// The drift code loads while the first job (usually a file to read) runs: a fresh thread reaches
// that job ~30 ms sooner when it needs only the data layer first.
const drift = import("../drift/index.js");
// Sorted copies of one column at a time, reused from column to column (see SortArena).
let arena: SortArena | undefined;
// The compiled sort and merge walk when native/ was built (same results, less time; see native.ts).
if ((workerData as WorkerSetup | null)?.nativeKernels !== false) enableNativeKernels();

port.on("message", (job: Job) => {
  void handle(job).then(
    ({ value, transfer }) => port.postMessage({ id: job.id, ok: true, value }, transfer),
    (error: unknown) => port.postMessage({ id: job.id, ok: false, error: toWireError(error) }),
  );
});

async function handle(job: Job): Promise<{ value: unknown; transfer: ArrayBuffer[] }> {
  switch (job.kind) {
    case "read": {
      const { file, options, claim } = job.payload as ReadJob;
      // A claimable job whose file another thread took already: nothing to do (see ReadJob).
      if (claim !== undefined && Atomics.compareExchange(new Int32Array(claim), 0, 0, 1) !== 0)
        return { value: null, transfer: [] };
      const table = await readTable(file, options);
      return { value: table, transfer: tableBuffers(table) };
    }
    case "measure": {
      const { task, options } = job.payload as { task: ColumnTask; options: DriftOptions };
      const { measureTask, SortArena } = await drift;
      arena ??= new SortArena();
      const measured = measureTask(task, options, arena);
      return { value: measured, transfer: buffersOf([]) };
    }
    case "ping":
      return { value: null, transfer: [] };
    default:
      throw new Error(`unknown job kind ${job.kind}`);
  }
}
