import type { Collector, CollectResult } from "./port.js";
import { errorMessage } from "./port.js";

/**
 * Every collector's result at one instant.
 *
 * @example
 * ```ts
 * const snapshot: ResourceSnapshot = await sampleOnce(collectors, Date.now());
 * window.addSnapshot(snapshot);
 * ```
 */
export interface ResourceSnapshot {
  /** The time the caller passed in: the sampler reads no clock. */
  readonly timeMs: number;
  readonly results: readonly CollectResult[];
}

/**
 * Runs every collector once, concurrently, and gathers the results. The interval timer belongs to
 * the caller (the server), as does the clock: `now` is stamped on the snapshot as given. A collector
 * that rejects (a bug: collectors report failures as values) becomes a `failed` result with an error
 * entry, so one broken collector never stops the others.
 *
 * @example
 * ```ts
 * setInterval(async () => {
 *   const snapshot = await sampleOnce(collectors, clock.now());
 *   window.addSnapshot(snapshot);
 * }, 15_000);
 * ```
 */
export async function sampleOnce(collectors: readonly Collector[], now: number): Promise<ResourceSnapshot> {
  const results = await Promise.all(
    collectors.map(async (collector): Promise<CollectResult> => {
      try {
        return await collector.collect();
      } catch (error) {
        return {
          collector: collector.name,
          status: "failed",
          samples: [],
          errors: [{ source: `collector:${collector.name}`, message: `threw: ${errorMessage(error)}` }],
        };
      }
    }),
  );
  return { timeMs: now, results };
}
