import type { OutputStream } from "./io.js";

/** Work must take this long before a bar appears, so quick runs print nothing. */
const DELAY_MS = 1000;
const WIDTH = 24;

/**
 * A one-line progress bar on a terminal's stderr that shows only once work has taken more than a
 * second, and never when stderr is not a terminal or the user asked for quiet.
 *
 * @example
 * ```ts
 * const bar = new ProgressBar(process.stderr, { enabled: !quiet, now: () => Date.now() });
 * bar.update("measuring", 3, 20);
 * bar.done();
 * ```
 */
export class ProgressBar {
  private readonly started: number;
  private drawn = false;
  private readonly enabled: boolean;

  constructor(
    private readonly stream: OutputStream,
    private readonly options: { readonly enabled: boolean; readonly now: () => number },
  ) {
    this.enabled = options.enabled && stream.isTTY === true;
    this.started = options.now();
  }

  /** Shows `label` with `done` of `total` complete. */
  update(label: string, done: number, total: number): void {
    if (!this.enabled || this.options.now() - this.started < DELAY_MS) return;
    const filled = total > 0 ? Math.round((done / total) * WIDTH) : 0;
    this.stream.write(
      `\r[${"#".repeat(filled)}${".".repeat(WIDTH - filled)}] ${label} ${done}/${total}\u001b[K`,
    );
    this.drawn = true;
  }

  /** Clears the bar, if it was drawn. */
  done(): void {
    if (this.drawn) this.stream.write("\r\u001b[K");
    this.drawn = false;
  }
}
