import type { ServiceChange } from "./types.js";

/**
 * Changes announced to the dashboard's live stream (windows written, reports stored, alert
 * transitions). A listener's failure never reaches the write path.
 *
 * @example
 * ```ts
 * const stop = changes.onChange((change) => live.publish(change.type, change));
 * ```
 */
export class ChangeFeed {
  private readonly listeners = new Set<(change: ServiceChange) => void>();

  /** Subscribes to changes (windows written, alert transitions); returns the unsubscribe function. */
  onChange(listener: (change: ServiceChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  announce(change: ServiceChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch {
        // A listener (a dashboard stream) must never break the write path.
      }
    }
  }
}
