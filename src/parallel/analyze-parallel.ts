import { availableParallelism } from "node:os";
import { type ReadTableOptions, readTable } from "../data/index.js";
import {
  type ColumnTask,
  type DriftOptions,
  type DriftReport,
  type DriftSelection,
  decideDrift,
  defaultDriftOptions,
  type InputTable,
  type MeasuredColumn,
  measureTask,
  planDriftRun,
  SortArena,
} from "../drift/index.js";
import { buffersOf } from "./messages.js";
import { enableNativeKernels } from "./native.js";
import { WorkerPool } from "./pool.js";
import { columnArray } from "./transfer.js";

/** Progress of a parallel drift run, for a progress bar. */
export interface DriftProgress {
  readonly phase: "read" | "measure";
  readonly done: number;
  readonly total: number;
}

/** Options of {@link analyzeFilesParallel}. */
export interface ParallelDriftOptions {
  readonly selection?: DriftSelection;
  readonly drift?: Partial<DriftOptions>;
  /** Per-file read options (column selection and typing are derived from `selection`). */
  readonly read?: Omit<ReadTableOptions, "onProgress">;
  readonly onProgress?: (progress: DriftProgress) => void;
  /**
   * Reuse a pool (the caller closes it); all the work then goes to its threads. By default a pool of
   * one thread fewer than the cores is made and closed, and the calling thread does a share of the
   * work: a worker thread costs ~0.1 s to start, as much as reading a 40 MB file.
   */
  readonly pool?: WorkerPool;
}

/** Threads of the default pool: the calling thread works too, so one fewer than the cores. */
function defaultPoolSize(): number {
  return Math.max(1, availableParallelism() - 1);
}

/**
 * Reads two files on two threads at once, then measures their columns spread over every core, and
 * decides drift: the same report as `analyzeDrift`, faster on large inputs. Without a `pool` the
 * calling thread reads the reference file itself while a worker reads the current one (or reads
 * both, when it is done before the worker has started), and takes its share of the columns (it
 * loads the native kernels, when built, as the workers do).
 *
 * @example
 * ```ts
 * const report = await analyzeFilesParallel("ref.csv.gz", "cur.csv.gz", { selection: { target: "y" } });
 * ```
 */
export async function analyzeFilesParallel(
  referenceFile: string,
  currentFile: string,
  options: ParallelDriftOptions = {},
): Promise<DriftReport> {
  const own = options.pool === undefined;
  const pool = options.pool ?? new WorkerPool(defaultPoolSize());
  try {
    const selection = options.selection ?? {};
    const read = { ...options.read, ...readOptionsFor(selection) };
    let readDone = 0;
    const done = (table: InputTable): InputTable => {
      options.onProgress?.({ phase: "read", done: ++readDone, total: 2 });
      return table;
    };
    const inPool = (file: string, claim?: SharedArrayBuffer) =>
      pool.run<InputTable | null>("read", { file, options: read, ...(claim === undefined ? {} : { claim }) });
    let reference: InputTable;
    let current: InputTable;
    if (own) {
      enableNativeKernels();
      // The worker's job is posted first, so that it starts as soon as the thread is up; but a fresh
      // thread takes ~0.1 s to start, and when this thread is done with the reference before that,
      // it claims the current file back and reads it too.
      const claim = new SharedArrayBuffer(4);
      const remote = inPool(currentFile, claim);
      // Handled here too, so that a failure of this thread's read leaves no rejection unhandled.
      remote.catch(() => undefined);
      reference = done(await readTable(referenceFile, read));
      if (Atomics.compareExchange(new Int32Array(claim), 0, 0, 2) === 0) {
        // The worker answers null once it is up; nothing waits for that.
        current = done(await readTable(currentFile, read));
      } else {
        current = done((await remote)!);
      }
    } else {
      const tables = await Promise.all(
        [referenceFile, currentFile].map(async (file) => done((await inPool(file))!)),
      );
      reference = tables[0]!;
      current = tables[1]!;
    }
    return {
      ...(await measureOn(planFor(reference, current, options), options, pool, own)),
      reference: { source: reference.source, rows: reference.rowCount },
      current: { source: current.source, rows: current.rowCount },
    };
  } finally {
    if (own) await pool.close();
  }
}

/**
 * Measures two in-memory tables over a worker pool. The tables' typed arrays are transferred to the
 * workers and are unusable afterwards.
 *
 * @example
 * ```ts
 * const report = await analyzeTablesParallel(reference, current, { selection: { target: "y" } });
 * ```
 */
export async function analyzeTablesParallel(
  reference: InputTable,
  current: InputTable,
  options: ParallelDriftOptions = {},
): Promise<DriftReport> {
  const plan = planFor(reference, current, options);
  const own = options.pool === undefined;
  const pool =
    options.pool ?? new WorkerPool(Math.max(1, Math.min(plan.tasks.length - 1, defaultPoolSize())));
  if (own) enableNativeKernels();
  try {
    return await measureOn(plan, options, pool, own);
  } finally {
    if (own) await pool.close();
  }
}

type Plan = ReturnType<typeof planDriftRun> & { readonly drift: DriftOptions };

function planFor(reference: InputTable, current: InputTable, options: ParallelDriftOptions): Plan {
  const drift = { ...defaultDriftOptions, ...options.drift };
  return { ...planDriftRun(reference, current, options.selection ?? {}, drift), drift };
}

/** Measures a plan's columns over `pool` (and this thread when `here`) and decides. */
async function measureOn(
  { tasks, excluded, drift }: Plan,
  options: ParallelDriftOptions,
  pool: WorkerPool,
  here: boolean,
): Promise<DriftReport> {
  let done = 0;
  const report = () => options.onProgress?.({ phase: "measure", done: ++done, total: tasks.length });
  // Large columns first, so that the last thread to finish is not stuck with the biggest one.
  const queue = tasks.map((task, index) => ({ task, index })).sort((a, b) => size(b.task) - size(a.task));
  const measured: MeasuredColumn[] = new Array(tasks.length);
  const sent: Promise<void>[] = [];
  let failure: { error: unknown } | undefined;
  let busy = 0;
  const send = ({ task, index }: (typeof queue)[number]): void => {
    busy++;
    const transfer = buffersOf([columnArray(task.reference), columnArray(task.current)]);
    sent.push(
      pool.run<MeasuredColumn>("measure", { task, options: drift }, transfer).then(
        (column) => {
          measured[index] = column;
          busy--;
          report();
        },
        // Kept for the end: a rejection left unhandled while this thread measures would end the process.
        (error: unknown) => {
          failure ??= { error };
        },
      ),
    );
  };
  if (!here) {
    for (const item of queue) send(item);
  } else {
    // The workers may still be starting (~0.1 s each): this thread measures meanwhile, taking the
    // smallest columns, and hands the largest to each worker as soon as it is free. It looks for
    // free workers between columns only, as it cannot while it measures.
    let ready = false;
    pool.ready().then(
      () => {
        ready = true;
      },
      () => undefined,
    );
    const arena = new SortArena();
    while (queue.length > 0) {
      if (ready && busy < pool.size) {
        send(queue.shift()!);
        continue;
      }
      const { task, index } = queue.pop()!;
      measured[index] = measureTask(task, drift, arena);
      report();
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  await Promise.all(sent);
  if (failure !== undefined) throw failure.error;
  return decideDrift(measured, drift, excluded);
}

function size(task: ColumnTask): number {
  return columnArray(task.reference).length + columnArray(task.current).length;
}

/** What the readers need to know from a selection: which columns, and which are typed by the user. */
function readOptionsFor(selection: DriftSelection): ReadTableOptions {
  const columns =
    selection.columns !== undefined && selection.columns.length > 0
      ? [
          ...new Set([
            ...selection.columns,
            ...(selection.prediction === undefined ? [] : [selection.prediction]),
            ...(selection.target === undefined ? [] : [selection.target]),
            // Read so the reader checks the names; the plan then leaves them out.
            ...(selection.exclude ?? []),
          ]),
        ]
      : undefined;
  return {
    ...(columns === undefined ? {} : { columns }),
    ...(selection.categorical === undefined ? {} : { text: new Set(selection.categorical) }),
    ...(selection.numeric === undefined ? {} : { numeric: new Set(selection.numeric) }),
  };
}
