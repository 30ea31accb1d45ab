/**
 * Durations in the configuration: `"100ms"`, `"1h"`, `"1h30m"`, `"7d"`, `"1w"`, or a number of
 * milliseconds. One parser so every duration key accepts exactly the same spellings.
 */

/**
 * Milliseconds per unit, largest last; the units a duration may use.
 *
 * @example
 * ```ts
 * durationUnits.h; // 3_600_000
 * ```
 */
export const durationUnits = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
} as const satisfies Record<string, number>;

/**
 * A unit of {@link durationUnits}.
 *
 * @example
 * ```ts
 * const unit: DurationUnit = "ms";
 * ```
 */
export type DurationUnit = keyof typeof durationUnits;

/**
 * What {@link parseDuration} returns: milliseconds, or why the value is not a duration.
 *
 * @example
 * ```ts
 * const result: DurationResult = parseDuration("90s");
 * if (result.ok) console.log(result.ms); // 90000
 * ```
 */
export type DurationResult =
  | { readonly ok: true; readonly ms: number }
  | { readonly ok: false; readonly message: string };

// Largest first: the order in which compound durations must be written ("1h30m", not "30m1h").
const unitsLargestFirst: readonly DurationUnit[] = ["w", "d", "h", "m", "s", "ms"];
const unitList = "ms, s, m, h, d or w";
// One "<number><unit>" part; the unit is any run of letters so that an unknown unit ("1y", "5min")
// gets its own message instead of a vague "not a duration".
const part = /(\d+(?:\.\d+)?|\.\d+)([a-zA-Zµ]*)/y;

/**
 * Parses a duration: a string of one or more `<number><unit>` parts, units from largest to smallest
 * (`"100ms"`, `"1.5s"`, `"1h30m"`, `"7d"`, `"1w"`), or a number of milliseconds. Negative, non-finite
 * and unit-less strings are rejected, each with a message saying why; whether zero is allowed is for
 * the caller to decide (a lateness may be zero, a window may not).
 *
 * @example
 * ```ts
 * parseDuration("1h"); // { ok: true, ms: 3_600_000 }
 * parseDuration(250); // { ok: true, ms: 250 }
 * parseDuration("1y"); // { ok: false, message: 'unknown unit "y" in "1y"; use ms, s, m, h, d or w' }
 * ```
 */
export function parseDuration(value: unknown): DurationResult {
  if (typeof value === "number") {
    if (!Number.isFinite(value))
      return { ok: false, message: `${value} is not a finite number of milliseconds` };
    if (value < 0) return { ok: false, message: `a duration cannot be negative, got ${value}` };
    return { ok: true, ms: value };
  }
  if (typeof value !== "string") {
    return {
      ok: false,
      message: `expected a duration such as "1h" or a number of milliseconds, got ${describeValue(value)}`,
    };
  }
  const text = value.trim();
  if (text === "") return { ok: false, message: 'a duration cannot be empty; write e.g. "1h"' };
  if (text.startsWith("-")) return { ok: false, message: `a duration cannot be negative, got "${value}"` };
  if (/^\d+(?:\.\d+)?$/.test(text)) {
    return { ok: false, message: `"${value}" has no unit; write e.g. "${text}ms" or "${text}s"` };
  }
  let ms = 0;
  let previous = -1;
  part.lastIndex = 0;
  while (part.lastIndex < text.length) {
    const start = part.lastIndex;
    const match = part.exec(text);
    if (match === null) {
      return {
        ok: false,
        message: `"${value}" is not a duration (at "${text.slice(start)}"); write e.g. "1h" or "1h30m"`,
      };
    }
    const [, amount, unit] = match as unknown as [string, string, string];
    if (unit === "") return { ok: false, message: `"${amount}" in "${value}" has no unit; use ${unitList}` };
    if (!(unit in durationUnits))
      return { ok: false, message: `unknown unit "${unit}" in "${value}"; use ${unitList}` };
    const rank = unitsLargestFirst.indexOf(unit as DurationUnit);
    if (rank <= previous) {
      return {
        ok: false,
        message: `"${value}" repeats a unit or mixes their order; write the largest first, e.g. "1h30m"`,
      };
    }
    previous = rank;
    ms += Number(amount) * durationUnits[unit as DurationUnit];
  }
  if (!Number.isSafeInteger(Math.round(ms))) return { ok: false, message: `"${value}" is too long` };
  // Decimal parts can leave binary noise ("0.1s" = 100.00000000000001 ms); a duration is never finer
  // than a microsecond, so round there.
  return { ok: true, ms: Math.round(ms * 1000) / 1000 };
}

/**
 * Writes milliseconds the way a configuration would: largest units first, exact (`5400000` →
 * `"1h30m"`); used in messages so a user sees the spelling they wrote.
 *
 * @example
 * ```ts
 * formatDuration(3_600_000); // "1h"
 * formatDuration(604_800_000); // "1w"
 * formatDuration(0.5); // "0.5ms"
 * ```
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return `${ms}ms`;
  if (ms === 0) return "0ms";
  let rest = ms;
  let text = "";
  for (const unit of unitsLargestFirst) {
    const size = durationUnits[unit];
    if (unit === "ms") {
      if (rest > 0) text += `${Math.round(rest * 1000) / 1000}ms`;
      break;
    }
    const count = Math.floor(rest / size);
    if (count > 0) {
      text += `${count}${unit}`;
      rest -= count * size;
    }
  }
  return text;
}

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return `${typeof value} ${String(value)}`;
}
