/**
 * When explanations run: requests for a window that is already being computed share that
 * computation, and the background explanations of final windows run one after another, off the
 * request path and off the ingest chain (permutation importance takes its time).
 */

/**
 * Computations under way by key, so concurrent requests for one window share the work.
 *
 * @example
 * ```ts
 * const shared = new SharedRuns<number>();
 * const [a, b] = await Promise.all([shared.run("k", compute), shared.run("k", compute)]); // one compute
 * ```
 */
export class SharedRuns<T> {
  private readonly running = new Map<string, Promise<T>>();

  /** The computation under way for `key`, or a new one from `start`; forgotten once it settles. */
  run(key: string, start: () => Promise<T>): Promise<T> {
    let computing = this.running.get(key);
    if (computing === undefined) {
      computing = start();
      this.running.set(key, computing);
      computing.finally(() => this.running.delete(key)).catch(() => undefined);
    }
    return computing;
  }
}

/**
 * Background explanations of final windows, one after another. A failure is logged and the queue
 * goes on: a window that always fails must not stop the ones after it.
 *
 * @example
 * ```ts
 * const queue = new BackgroundQueue((message, error) => log.error(message, { error }));
 * queue.add(async () => explainSomething());
 * await queue.idle();
 * ```
 */
export class BackgroundQueue {
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly log: (message: string, error: unknown) => void) {}

  /** Runs `work` after what was queued before it ({@link idle} waits for it). */
  add(work: () => Promise<void>): void {
    this.queue = this.queue
      .then(work)
      .catch((error: unknown) => this.log("background explanations failed", error));
  }

  /** Waits for the work queued so far (tests, shutdown). */
  async idle(): Promise<void> {
    await this.queue;
  }
}
