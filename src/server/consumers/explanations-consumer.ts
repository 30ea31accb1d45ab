import { oldestAcceptedMs } from "../../monitor/index.js";
import type { Store } from "../../store/index.js";
import type { Explanations } from "../explanations/index.js";
import type { ModelRegistry } from "../registry/index.js";
import { type FinalWindow, WindowFinalFeed, type WindowFinalHandler } from "./window-final-feed.js";

/**
 * The explanations' precompute as a consumer of final windows, from its own checkpoint
 * (`explanations:<model>`), in the explanations' background queue (off the ingest chain: permutation
 * importance takes its time). A window a crash interrupted is explained after the restart; one the
 * cache has already is answered from it.
 *
 * @example
 * ```ts
 * const consumer = new ExplanationsConsumer(store, registry, explanations);
 * consumer.notify(); // after each write of the windows
 * await explanations.idle();
 * ```
 */
export class ExplanationsConsumer implements WindowFinalHandler {
  readonly name = "explanations";
  private readonly feed: WindowFinalFeed;
  /** A catch-up is queued and has not started: later notifications are covered by it. */
  private queued = false;

  constructor(
    store: Store,
    private readonly registry: ModelRegistry,
    private readonly explanations: Explanations,
  ) {
    this.feed = new WindowFinalFeed(store, this);
  }

  /** Queues a catch-up over every model's windows finalised since the checkpoint. */
  notify(): void {
    if (this.queued) return;
    this.queued = true;
    this.explanations.inBackground(async () => {
      this.queued = false;
      for (const runtime of this.registry.all()) {
        const { window: length, lateness } = runtime.settings.monitor;
        await this.feed.catchUp(
          runtime.record.name,
          oldestAcceptedMs(runtime.clock.now(), length, lateness),
          length,
          runtime.settings.reporting.retention,
        );
      }
    });
  }

  async handle(window: FinalWindow): Promise<void> {
    await this.explanations.explainFinal(window.model, window.version, window.startMs);
  }
}
