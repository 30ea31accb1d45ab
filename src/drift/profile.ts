import { binCountsSorted, referenceQuantileEdges } from "../stats/binning.js";
import { sortedFinite } from "../stats/sort.js";
import { populationStd } from "../stats/wasserstein.js";

/** A numeric column reduced to what every statistic needs: its finite values, sorted once. */
export interface NumericSample {
  readonly type: "numeric";
  /** Non-missing values, ascending. */
  readonly sorted: Float64Array;
  /** How many values were missing (NaN). */
  readonly missing: number;
}

/** A reference numeric column, with the statistics computed once and reused for every comparison. */
export interface NumericProfile extends NumericSample {
  /** Population standard deviation (ddof 0), the Wasserstein normaliser. */
  readonly std: number;
  /** The 9 inner decile edges: the fixed bins of PSI (and of chi-square / JS on numeric columns). */
  readonly edges: Float64Array;
  /** Reference counts in those bins. */
  readonly binCounts: Float64Array;
}

/** A categorical column as category frequencies. */
export interface CategoricalSample {
  readonly type: "categorical";
  readonly counts: ReadonlyMap<string, number>;
  /** Non-missing values. */
  readonly total: number;
  readonly missing: number;
}

/** A current-side column. */
export type ColumnSample = NumericSample | CategoricalSample;
/** A reference-side column. */
export type ColumnProfile = NumericProfile | CategoricalSample;

/** Number of PSI bins: the reference's deciles. */
export const PSI_BINS = 10;

/**
 * Sorts a numeric column (NaN = missing) once; `missing`, when known, is its count of NaN; `into`,
 * when given, receives the sorted values (see `sortedFinite`).
 *
 * @example
 * ```ts
 * numericSample(new Float64Array([2, Number.NaN, 1])); // { sorted: [1, 2], missing: 1 }
 * ```
 */
export function numericSample(values: Float64Array, missing?: number, into?: Float64Array): NumericSample {
  // A known count of zero missing values lets the sort skip its NaN-dropping copy.
  const sorted = sortedFinite(values, missing !== 0, into);
  return { type: "numeric", sorted, missing: values.length - sorted.length };
}

/**
 * Turns a reference sample into a profile (std, decile edges, bin counts), computed once at upload.
 *
 * @example
 * ```ts
 * const reference = numericProfile(numericSample(values));
 * ```
 */
export function numericProfile(sample: NumericSample): NumericProfile {
  const edges = referenceQuantileEdges(sample.sorted, PSI_BINS);
  return {
    ...sample,
    std: populationStd(sample.sorted),
    edges,
    binCounts: binCountsSorted(sample.sorted, edges),
  };
}

/**
 * Counts categories from a dictionary-encoded column (code −1 = missing).
 *
 * @example
 * ```ts
 * categoricalFromCodes(new Int32Array([0, 1, 0, -1]), ["a", "b"]); // a: 2, b: 1, missing 1
 * ```
 */
export function categoricalFromCodes(codes: Int32Array, categories: readonly string[]): CategoricalSample {
  const tally = new Float64Array(categories.length);
  let missing = 0;
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i]!;
    if (code < 0) missing++;
    else tally[code]!++;
  }
  const counts = new Map<string, number>();
  categories.forEach((category, code) => {
    const count = tally[code]!;
    if (count > 0) counts.set(category, (counts.get(category) ?? 0) + count);
  });
  return { type: "categorical", counts, total: codes.length - missing, missing };
}

/**
 * Counts the distinct values of a numeric column as categories (their shortest decimal spelling),
 * for numeric codes treated as categorical.
 *
 * @example
 * ```ts
 * categoricalFromNumbers(new Float64Array([1, 2, 2, Number.NaN])); // "1": 1, "2": 2, missing 1
 * ```
 */
export function categoricalFromNumbers(values: Float64Array): CategoricalSample {
  const byValue = new Map<number, number>();
  let missing = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) missing++;
    else byValue.set(v, (byValue.get(v) ?? 0) + 1);
  }
  const counts = new Map<string, number>();
  for (const [value, count] of byValue) counts.set(String(value), count);
  return { type: "categorical", counts, total: values.length - missing, missing };
}

/**
 * Number of distinct values in an ascending array, stopping once it exceeds `limit`.
 *
 * @example
 * ```ts
 * distinctSortedAtMost(new Float64Array([1, 1, 2, 3]), 5); // 3
 * ```
 */
export function distinctSortedAtMost(sorted: Float64Array, limit: number): number {
  let distinct = sorted.length > 0 ? 1 : 0;
  for (let i = 1; i < sorted.length && distinct <= limit; i++) if (sorted[i] !== sorted[i - 1]) distinct++;
  return distinct;
}
