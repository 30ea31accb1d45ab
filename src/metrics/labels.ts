/**
 * Class labels and their order. scikit-learn's `unique_labels` returns the sorted union of the true and
 * predicted labels, and its confusion matrix and per-class metrics follow that order; so do ours.
 */

/**
 * A class label: a string or a finite number. One accumulator holds labels of one type only, because
 * scikit-learn refuses the mix ("Mix of label input types (string and number)") and because `"1"` and `1`
 * arriving from two producers is a bug worth surfacing, not a third class.
 *
 * @example
 * ```ts
 * const labels: ClassLabel[] = ["<=50K", ">50K"];
 * ```
 */
export type ClassLabel = string | number;

/**
 * Orders labels as scikit-learn's `unique_labels` does (Python's `sorted`): numbers numerically, strings
 * by Unicode code point. JavaScript's `<` compares UTF-16 code units, which puts an astral character
 * such as "😀" (U+1F600) before "\uFFFD"; Python does not, so we compare code points.
 *
 * @example
 * ```ts
 * ["b", "B", "ä", "a"].sort(compareLabels); // ["B", "a", "b", "ä"]
 * [10, 2, -1].sort(compareLabels); // [-1, 2, 10]
 * ```
 */
export function compareLabels(a: ClassLabel, b: ClassLabel): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "string" && typeof b === "string") return compareCodePoints(a, b);
  throw new TypeError(`cannot order a ${typeof a} label and a ${typeof b} label`);
}

function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Code units differ: compare the code points that start here (a surrogate pair outranks the BMP).
    return (a.codePointAt(i) ?? x) - (b.codePointAt(i) ?? y);
  }
  return a.length - b.length;
}

/**
 * Checks that a value is a usable label (a string, or a finite number) of the expected type, and returns
 * its type. `-0` is the same label as `0`.
 *
 * @example
 * ```ts
 * labelType("spam", undefined, "truth"); // "string"
 * labelType(1, "string", "prediction"); // throws TypeError: labels mix strings and numbers
 * ```
 */
export function labelType(
  label: unknown,
  expected: "string" | "number" | undefined,
  what: string,
): "string" | "number" {
  const type = typeof label;
  if (type === "number") {
    if (!Number.isFinite(label)) throw new RangeError(`${what} label must be finite, got ${String(label)}`);
  } else if (type !== "string") {
    throw new TypeError(`${what} label must be a string or a number, got ${type}`);
  }
  const actual = type as "string" | "number";
  if (expected !== undefined && actual !== expected) {
    throw new TypeError(
      `${what} label ${JSON.stringify(label)} is a ${actual}, but this accumulator's labels are ${expected}s`,
    );
  }
  return actual;
}
