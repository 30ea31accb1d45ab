import { type OnnxSession, openSession } from "../onnx/index.js";
import { type LatencySummary, summarizeLatency } from "../optimize/index.js";
import type { ModelSignature } from "./signature.js";

/**
 * How latency is measured (research notes §7, §10.3): warm-up runs discarded, then interleaved
 * rounds — every model runs `runsPerRound` times per round, in an order that rotates each round — so
 * a change in machine load hits every model alike. One session per model with the same threads.
 *
 * @example
 * ```ts
 * const options: LatencyOptions = { threads: 1, warmups: 10, rounds: 5, runsPerRound: 30, batchSizes: [1, 64] };
 * ```
 */
export interface LatencyOptions {
  readonly threads: number;
  readonly warmups: number;
  readonly rounds: number;
  readonly runsPerRound: number;
  readonly batchSizes: readonly number[];
}

/** The defaults: 1 thread, 10 warm-ups, 5 rounds × 30 timed runs, batch sizes 1 and 64. */
export const DEFAULT_LATENCY: LatencyOptions = {
  threads: 1,
  warmups: 10,
  rounds: 5,
  runsPerRound: 30,
  batchSizes: [1, 64],
};

/**
 * Latency per model and batch size, keyed by model id then batch size.
 *
 * @example
 * ```ts
 * latency.get("baseline")?.get(1)?.p50; // 0.031 (ms)
 * ```
 */
export type LatencyTable = ReadonlyMap<string, ReadonlyMap<number, LatencySummary>>;

/**
 * Measures every model with onnxruntime-node (graph optimizations `all`, `threads` intra-op threads,
 * one inter-op thread, sequential) on the first rows of `x` (repeated when there are fewer rows
 * than the batch), one wall-clock sample per `run()`.
 *
 * @example
 * ```ts
 * const table = await measureLatency([{ id: "baseline", bytes }], signature, data.x, data.rows, DEFAULT_LATENCY);
 * ```
 */
export async function measureLatency(
  models: readonly { readonly id: string; readonly bytes: Uint8Array }[],
  signature: ModelSignature,
  x: Float32Array,
  rows: number,
  options: LatencyOptions = DEFAULT_LATENCY,
  progress?: (done: number, total: number) => void,
): Promise<LatencyTable> {
  const sessions: OnnxSession[] = [];
  const width = signature.input.width;
  try {
    for (const m of models)
      sessions.push(
        await openSession(m.bytes, {
          graphOptimizationLevel: "all",
          intraOpNumThreads: options.threads,
          interOpNumThreads: 1,
          executionMode: "sequential",
        }),
      );
    const table = new Map<string, Map<number, LatencySummary>>(models.map((m) => [m.id, new Map()]));
    const total = options.batchSizes.length * options.rounds;
    let done = 0;
    for (const batch of options.batchSizes) {
      const feed = new Float32Array(batch * width);
      for (let r = 0; r < batch; r++) {
        const source = rows === 0 ? 0 : r % rows;
        feed.set(x.subarray(source * width, (source + 1) * width), r * width);
      }
      const feeds = {
        [signature.input.name]: {
          type: "float32" as const,
          data: feed,
          dims: [batch, ...signature.input.shape.slice(1)],
        },
      };
      const fetches = [signature.output.name];
      for (const s of sessions) for (let i = 0; i < options.warmups; i++) await s.run(feeds, fetches);
      const samples = models.map(() => [] as number[]);
      for (let round = 0; round < options.rounds; round++) {
        for (let k = 0; k < sessions.length; k++) {
          const m = (k + round) % sessions.length;
          const session = sessions[m]!;
          for (let i = 0; i < options.runsPerRound; i++) {
            const start = process.hrtime.bigint();
            await session.run(feeds, fetches);
            samples[m]!.push(Number(process.hrtime.bigint() - start) / 1e6);
          }
        }
        progress?.(++done, total);
      }
      for (let i = 0; i < models.length; i++)
        table
          .get(models[i]!.id)!
          .set(batch, summarizeLatency(samples[i]!, { warmups: options.warmups, rounds: options.rounds }));
    }
    return table;
  } finally {
    for (const s of sessions) await s.release();
  }
}
