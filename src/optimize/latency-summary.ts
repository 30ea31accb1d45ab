/**
 * Latency percentiles from timed runs, recording how the timing was done (runs, warm-ups, rounds), so a
 * comparison states its evidence.
 */

import { quantileSorted } from "../stats/index.js";

/**
 * A latency summary in milliseconds.
 *
 * @example
 * ```ts
 * const s: LatencySummary = { runs: 100, warmups: 10, rounds: 5, p50: 4.9, p95: 5.6, p99: 6.1, mean: 5, min: 4.7, max: 7 };
 * ```
 */
export interface LatencySummary {
  /** Timed runs summarised. */
  readonly runs: number;
  /** Runs executed before timing and discarded (recorded, not in the samples). */
  readonly warmups: number;
  /** Interleaved rounds the runs were spread over (1 when not interleaved). */
  readonly rounds: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly mean: number;
  readonly min: number;
  readonly max: number;
}

/**
 * Summarises timed runs (milliseconds; warm-ups already left out). Percentiles interpolate linearly
 * between order statistics (numpy's default, Hyndman–Fan 7). Non-finite samples are a bug and throw.
 *
 * @example
 * ```ts
 * summarizeLatency([4, 1, 3, 2, 5], { warmups: 3 });
 * // { runs: 5, warmups: 3, rounds: 1, p50: 3, p95: 4.8, p99: 4.96, mean: 3, min: 1, max: 5 }
 * ```
 */
export function summarizeLatency(
  samplesMs: ArrayLike<number>,
  options: { readonly warmups?: number; readonly rounds?: number } = {},
): LatencySummary {
  const n = samplesMs.length;
  if (n === 0) throw new RangeError("no latency samples");
  const sorted = Float64Array.from(samplesMs).sort();
  let sum = 0;
  for (const v of sorted) {
    if (!Number.isFinite(v)) throw new RangeError(`latency sample ${v} is not finite`);
    sum += v;
  }
  return {
    runs: n,
    warmups: options.warmups ?? 0,
    rounds: options.rounds ?? 1,
    p50: quantileSorted(sorted, 0.5),
    p95: quantileSorted(sorted, 0.95),
    p99: quantileSorted(sorted, 0.99),
    mean: sum / n,
    min: sorted[0]!,
    max: sorted[n - 1]!,
  };
}
