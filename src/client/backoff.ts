/**
 * The delay before retry number `attempt` (1 for the first retry): "full jitter", a uniform draw in
 * [0, min(maxMs, initialMs · 2^(attempt−1))). Full jitter rather than a fixed exponential schedule
 * because many clients failing together (a server restart) must not come back together.
 *
 * @example
 * ```ts
 * backoffDelay(3, 500, 30_000, Math.random); // somewhere in [0, 2000)
 * ```
 */
export function backoffDelay(
  attempt: number,
  initialMs: number,
  maxMs: number,
  random: () => number,
): number {
  const cap = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
  const r = random();
  // A broken random source must not produce a negative or endless wait.
  const unit = Number.isFinite(r) ? Math.min(Math.max(r, 0), 1) : 0.5;
  return Math.floor(unit * cap);
}

/**
 * Reads an HTTP `Retry-After` header: delay-seconds (decimals tolerated) or an HTTP date. Returns the
 * wait in milliseconds (0 for a date in the past), or `undefined` when absent or unreadable.
 *
 * @example
 * ```ts
 * parseRetryAfter("2", Date.now()); // 2000
 * parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", Date.parse("Wed, 21 Oct 2015 07:27:00 GMT")); // 60000
 * ```
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}
