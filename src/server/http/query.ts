import { parseDuration } from "../../config/index.js";
import { TikTokToeError } from "../../errors/index.js";

/**
 * A time of the query or path (`from`, `to`, a window's `start`): ISO 8601 or epoch milliseconds;
 * `fallback` when absent.
 *
 * @throws TikTokToeError `REQUEST_INVALID` when it is neither, or outside the range of dates
 *
 * @example
 * ```ts
 * parseTime(query.get("from"), Number.NEGATIVE_INFINITY, "from"); // -Infinity without ?from=
 * parseTime("2024-01-01T00:00:00Z", 0, "from"); // 1704067200000
 * ```
 */
export function parseTime(value: string | null, fallback: number, name: string): number {
  if (value === null) return fallback;
  const ms = /^-?\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (Number.isNaN(ms))
    throw new TikTokToeError("REQUEST_INVALID", `${name} must be ISO 8601 or epoch milliseconds`, {
      path: name,
    });
  // Beyond ±8.64e15 no Date exists: such a bound would fail later, in formatting, as a 500.
  if (Math.abs(ms) > 8.64e15)
    throw new TikTokToeError("REQUEST_INVALID", `${name} is outside the range of dates`, {
      path: name,
      hint: "give a time from 1970 to 2100, ISO 8601 or epoch milliseconds",
    });
  return ms;
}

/**
 * `last=24h`, or `from`/`to` (open ends when absent, or the last `defaultLastMs` when both are).
 *
 * @example
 * ```ts
 * parseRange(new URLSearchParams("last=7d"), null); // { lastMs: 604800000 }
 * parseRange(new URLSearchParams(""), 86_400_000); // { lastMs: 86400000 }
 * ```
 */
export function parseRange(
  query: URLSearchParams,
  defaultLastMs: number | null,
): { fromMs: number; toMs: number } | { lastMs: number } {
  const last = query.get("last");
  if (last !== null) {
    const parsed = parseDuration(last);
    if (!parsed.ok || parsed.ms === 0)
      throw new TikTokToeError(
        "REQUEST_INVALID",
        `last: ${parsed.ok ? "must be positive" : parsed.message}`,
        {
          path: "last",
          hint: "e.g. last=24h, last=7d, last=30d",
        },
      );
    return { lastMs: parsed.ms };
  }
  if (defaultLastMs !== null && query.get("from") === null && query.get("to") === null)
    return { lastMs: defaultLastMs };
  return {
    fromMs: parseTime(query.get("from"), Number.NEGATIVE_INFINITY, "from"),
    toMs: parseTime(query.get("to"), Number.POSITIVE_INFINITY, "to"),
  };
}

/**
 * The `points` of a series: at most this many per line, 1000 when absent.
 *
 * @example
 * ```ts
 * parsePoints(query.get("points")); // 1000 without ?points=
 * ```
 */
export function parsePoints(value: string | null): number {
  if (value === null) return 1000;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 2 || n > 10_000)
    throw new TikTokToeError("REQUEST_INVALID", "points must be an integer from 2 to 10000", {
      path: "points",
    });
  return n;
}
