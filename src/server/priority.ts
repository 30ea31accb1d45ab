import { readdirSync } from "node:fs";
import { getPriority, setPriority } from "node:os";

/**
 * Lowers the scheduling priority of this process to `nice` (0 to 19; higher yields more), every thread
 * of it: on Linux a nice value is per thread, and V8's collector threads, started before this call,
 * would otherwise keep competing at the old one (threads started later inherit it). A thread already
 * lower is left alone; a thread that cannot be changed (it ended meanwhile) is skipped. Returns the
 * number of threads changed. The worker role calls it (`queue.worker_nice`): its drain can wait —
 * JetStream holds the backlog — while requests on the same machine cannot, and on a machine of its own
 * a nice value changes nothing.
 *
 * @example
 * ```ts
 * lowerPriority(10); // 9 (the main thread, libuv's and V8's)
 * ```
 */
export function lowerPriority(nice: number): number {
  if (!Number.isInteger(nice) || nice < 0 || nice > 19) throw new RangeError(`nice ${nice} is not 0 to 19`);
  if (nice === 0) return 0;
  let threads: number[];
  try {
    threads = readdirSync("/proc/self/task").map(Number);
  } catch {
    // No procfs (macOS, Windows): there the value is the process's.
    threads = [0];
  }
  let changed = 0;
  for (const thread of threads)
    try {
      if (getPriority(thread) < nice) {
        setPriority(thread, nice);
        changed++;
      }
    } catch {
      // The thread ended between the listing and the call.
    }
  return changed;
}
