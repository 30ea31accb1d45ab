import type { Store } from "../../store/index.js";

/** A window that became final (its stored summary: verdicts, drift severities, counts). */
export interface FinalWindow {
  readonly model: string;
  readonly version: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly summary: Readonly<Record<string, unknown>>;
}

/** What a consumer of final windows does with each one; a throw stops its feed there, to be retried. */
export interface WindowFinalHandler {
  /** The consumer's name: its checkpoints are `<name>:<model>`. */
  readonly name: string;
  handle(window: FinalWindow): Promise<void>;
}

/** The slice of the store a feed reads and checkpoints. */
export type WindowFinalStore = Pick<Store, "getCheckpoint" | "putCheckpoint" | "getWindowSummaries">;

/** Windows read per step: the feed's memory bound whatever the backlog. */
const WINDOWS_PER_STEP = 500;

/**
 * "Window final" as a stream a consumer reads from its own checkpoint, so that what a consumer does
 * when a window becomes final (alerting's rule evaluation, the explanations' precompute) survives a
 * crash: the checkpoint `<consumer>:<model>` is the start of the first window not yet handled, and
 * it moves only after the windows before it were handled. A restart (or the next flush after a
 * failure) hands over every window finalised after it again; handlers are idempotent (alerting
 * ignores an evaluation at or before its last, explanations are cached), so a replay decides nothing
 * twice.
 *
 * Final windows are read from the store, where the aggregator wrote them before it advanced the
 * final boundary: a window before the boundary is complete.
 *
 * @example
 * ```ts
 * const feed = new WindowFinalFeed(store, { name: "alerting", handle: async (w) => evaluate(w) });
 * await feed.catchUp("bike", oldestOpenWindowStart, 3_600_000, retentionMs);
 * ```
 */
export class WindowFinalFeed {
  constructor(
    private readonly store: WindowFinalStore,
    private readonly handler: WindowFinalHandler,
  ) {}

  /** The checkpoint name of a model (`<consumer>:<model>`). */
  checkpointOf(model: string): string {
    return `${this.handler.name}:${model}`;
  }

  /**
   * Hands the handler every window of `model` starting before `untilMs` (the start of the oldest window
   * that is not final) and after the checkpoint, oldest first, moving the checkpoint as it goes and to
   * `untilMs` at the end. A first run starts `retentionMs` before `untilMs` (older windows are deleted
   * by retention anyway). Returns how many windows were handled.
   */
  async catchUp(model: string, untilMs: number, windowMs: number, retentionMs: number): Promise<number> {
    if (!Number.isFinite(untilMs)) return 0;
    const name = this.checkpointOf(model);
    let from = Math.max(await this.store.getCheckpoint(name), untilMs - retentionMs);
    let handled = 0;
    while (from < untilMs) {
      // A bounded span per step: a long backlog is read a part at a time.
      const to = Math.min(untilMs, from + WINDOWS_PER_STEP * windowMs);
      for (const w of await this.store.getWindowSummaries(model, from, to)) {
        await this.handler.handle({
          model,
          version: w.version,
          startMs: w.startMs,
          endMs: w.endMs,
          summary: w.summary,
        });
        handled++;
      }
      await this.store.putCheckpoint(name, to);
      from = to;
    }
    return handled;
  }
}
