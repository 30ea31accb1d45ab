/** Options of {@link LoginThrottle}. */
export interface LoginThrottleOptions {
  /** Wrong tokens a client may send before it is locked out. Default 5. */
  readonly freeFailures?: number;
  /** The first lockout; each further failure doubles it. Default 1 s. */
  readonly baseDelayMs?: number;
  /** The longest lockout. Default 15 minutes. */
  readonly maxDelayMs?: number;
  /** A client with no failure for this long starts again from zero. Default 1 hour. */
  readonly forgetAfterMs?: number;
  /** Clients remembered at once (the oldest is forgotten first). Default 10,000. */
  readonly maxClients?: number;
}

interface Failures {
  count: number;
  lastMs: number;
  lockedUntilMs: number;
}

/**
 * Slows down token guessing per client (by address): a few wrong tokens are free, then each one locks
 * the client out for an exponentially growing time (1 s, 2 s, 4 s … up to 15 minutes). A right
 * token clears the record. Memory is bounded by `maxClients`, so a crowd of addresses cannot grow it.
 * Pure: the clock is passed in.
 *
 * @example
 * ```ts
 * const throttle = new LoginThrottle();
 * const wait = throttle.retryAfterMs(ip, now);
 * if (wait > 0) answer429(wait);
 * else if (!valid) throttle.fail(ip, now);
 * else throttle.succeed(ip);
 * ```
 */
export class LoginThrottle {
  private readonly clients = new Map<string, Failures>();
  private readonly freeFailures: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly forgetAfterMs: number;
  private readonly maxClients: number;

  constructor(options: LoginThrottleOptions = {}) {
    this.freeFailures = options.freeFailures ?? 5;
    this.baseDelayMs = options.baseDelayMs ?? 1000;
    this.maxDelayMs = options.maxDelayMs ?? 15 * 60_000;
    this.forgetAfterMs = options.forgetAfterMs ?? 3_600_000;
    this.maxClients = options.maxClients ?? 10_000;
  }

  /** Milliseconds the client must still wait before its next try (0: it may try now). */
  retryAfterMs(client: string, nowMs: number): number {
    const record = this.current(client, nowMs);
    return record === undefined ? 0 : Math.max(0, record.lockedUntilMs - nowMs);
  }

  /** Records a wrong token; returns the lockout it starts (0 while the failures are still free). */
  fail(client: string, nowMs: number): number {
    const record = this.current(client, nowMs) ?? { count: 0, lastMs: nowMs, lockedUntilMs: 0 };
    record.count++;
    record.lastMs = nowMs;
    const over = record.count - this.freeFailures;
    const delay = over <= 0 ? 0 : Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.min(over - 1, 30));
    record.lockedUntilMs = nowMs + delay;
    // Re-inserted so the map's order is least recently failed first: eviction drops the stalest.
    this.clients.delete(client);
    this.clients.set(client, record);
    while (this.clients.size > this.maxClients) {
      const oldest = this.clients.keys().next().value;
      if (oldest === undefined) break;
      this.clients.delete(oldest);
    }
    return delay;
  }

  /** A right token: the client's failures are forgotten. */
  succeed(client: string): void {
    this.clients.delete(client);
  }

  /** Clients with failures remembered (for tests and metrics). */
  get size(): number {
    return this.clients.size;
  }

  private current(client: string, nowMs: number): Failures | undefined {
    const record = this.clients.get(client);
    if (record === undefined) return undefined;
    if (nowMs - record.lastMs > this.forgetAfterMs && record.lockedUntilMs <= nowMs) {
      this.clients.delete(client);
      return undefined;
    }
    return record;
  }
}
