/**
 * The cell texts that mean "no value", matched on bytes so that missing numeric cells cost no string.
 */

/**
 * The texts read as a missing value in CSV cells (after trimming spaces and tabs): the empty cell and
 * `NA`, `N/A`, `NaN`, `nan`, `null`, `NULL`, `None`, `#N/A` — a subset of pandas' default `na_values`,
 * chosen so that ordinary words (`n/a` in prose, `-`, `?`) stay values. Matching is case-sensitive.
 *
 * @example
 * ```ts
 * MISSING_TOKENS.includes("NA"); // true
 * ```
 */
export const MISSING_TOKENS: readonly string[] = Object.freeze([
  "",
  "NA",
  "N/A",
  "NaN",
  "nan",
  "null",
  "NULL",
  "None",
  "#N/A",
]);

const SPACE = 0x20;
const TAB = 0x09;

/**
 * True when `buf[start, end)`, trimmed of spaces and tabs, is one of {@link MISSING_TOKENS} (so a
 * blank cell is missing too).
 *
 * @example
 * ```ts
 * isMissingToken(new TextEncoder().encode(" N/A "), 0, 5); // true
 * ```
 */
export function isMissingToken(buf: Uint8Array, start: number, end: number): boolean {
  let i = start;
  let j = end;
  while (i < j && (buf[i] === SPACE || buf[i] === TAB)) i++;
  while (j > i && (buf[j - 1] === SPACE || buf[j - 1] === TAB)) j--;
  const a = buf[i];
  switch (j - i) {
    case 0:
      return true;
    case 2: // NA
      return a === 0x4e && buf[i + 1] === 0x41;
    case 3: {
      const b = buf[i + 1];
      const c = buf[i + 2];
      if (a === 0x4e) return (b === 0x2f && c === 0x41) || (b === 0x61 && c === 0x4e); // N/A, NaN
      return a === 0x6e && b === 0x61 && c === 0x6e; // nan
    }
    case 4: {
      const b = buf[i + 1];
      const c = buf[i + 2];
      const d = buf[i + 3];
      if (a === 0x6e) return b === 0x75 && c === 0x6c && d === 0x6c; // null
      if (a === 0x23) return b === 0x4e && c === 0x2f && d === 0x41; // #N/A
      if (a !== 0x4e) return false;
      return (b === 0x55 && c === 0x4c && d === 0x4c) || (b === 0x6f && c === 0x6e && d === 0x65); // NULL, None
    }
    default:
      return false;
  }
}
