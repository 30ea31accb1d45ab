/**
 * Start of the tumbling event-time window holding `timeMs`: windows are [start, start + length),
 * aligned to `originMs` (the epoch by default; a weekly monitor may align to a Monday).
 *
 * @example
 * ```ts
 * windowStart(Date.parse("2012-01-01T05:30:00Z"), 3_600_000); // 2012-01-01T05:00:00Z
 * ```
 */
export function windowStart(timeMs: number, lengthMs: number, originMs = 0): number {
  return Math.floor((timeMs - originMs) / lengthMs) * lengthMs + originMs;
}

/** Monday 1970-01-05T00:00:00Z: an origin that makes weekly windows start on Mondays. */
export const MONDAY_ORIGIN_MS = 4 * 86_400_000;

/**
 * The one clock that drives windows and timers. Live it is the wall clock; in a replay it is the
 * event-time watermark (the latest event time seen), so a year replayed in a minute closes windows
 * and fires timers exactly as it would have live.
 *
 * @example
 * ```ts
 * const clock = new EventTimeClock();
 * clock.observe(event.timeMs);
 * clock.now(); // the newest event time so far
 * ```
 */
export interface MonitorClock {
  now(): number;
  /** Called with every accepted event time; only the event-time clock uses it. */
  observe(timeMs: number): void;
}

/**
 * Wall time (injected, so tests control it).
 *
 * @example
 * ```ts
 * const clock = new WallClock(() => Date.now());
 * ```
 */
export class WallClock implements MonitorClock {
  constructor(private readonly read: () => number) {}
  now(): number {
    return this.read();
  }
  observe(): void {}
}

/**
 * Event time: the newest event time observed (−∞ before any).
 *
 * @example
 * ```ts
 * const clock = new EventTimeClock();
 * ```
 */
export class EventTimeClock implements MonitorClock {
  private latest = Number.NEGATIVE_INFINITY;
  now(): number {
    return this.latest;
  }
  observe(timeMs: number): void {
    if (timeMs > this.latest) this.latest = timeMs;
  }
}

/**
 * True when the window [startMs, startMs + lengthMs) can no longer change: the clock has passed its
 * end by more than the lateness, so neither late events nor late labels are accepted for it.
 *
 * @example
 * ```ts
 * isWindowFinal(start, 3_600_000, 3_600_000, clock.now());
 * ```
 */
export function isWindowFinal(startMs: number, lengthMs: number, latenessMs: number, nowMs: number): boolean {
  return nowMs >= startMs + lengthMs + latenessMs;
}

/**
 * The oldest event time still accepted at `nowMs`: the start of the oldest window that is not final.
 *
 * @example
 * ```ts
 * oldestAcceptedMs(clock.now(), 3_600_000, 3_600_000);
 * ```
 */
export function oldestAcceptedMs(nowMs: number, lengthMs: number, latenessMs: number, originMs = 0): number {
  if (!Number.isFinite(nowMs)) return Number.NEGATIVE_INFINITY;
  // A window is open while now < start + length + lateness, i.e. start > now − length − lateness.
  return windowStart(nowMs - latenessMs, lengthMs, originMs);
}
