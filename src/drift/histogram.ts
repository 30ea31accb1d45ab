import { binCountsSorted } from "../stats/binning.js";
import { quantileSorted } from "../stats/quantile.js";
import type { CategoricalSample, NumericSample } from "./profile.js";

/** The two distributions of a column, as shares, for plots (HTML report, dashboard). */
export type Histogram =
  | {
      readonly kind: "numeric";
      /** `bins + 1` ascending edges; values beyond the outer edges are counted in the outer bins. */
      readonly edges: number[];
      readonly reference: number[];
      readonly current: number[];
    }
  | {
      readonly kind: "categorical";
      /** The most frequent categories of both samples (at most 30; the rest are summed into "(other)"). */
      readonly categories: string[];
      readonly reference: number[];
      readonly current: number[];
    };

const NUMERIC_BINS = 30;
const MAX_CATEGORIES = 30;

/**
 * Shares of both samples over shared equal-width bins spanning the 0.5th to 99.5th percentiles of
 * either sample, so that a few outliers do not squash the plot (they are counted in the outer bins).
 * Bins are right-closed, counted by binary search in the sorted samples.
 *
 * @example
 * ```ts
 * numericHistogram(referenceSample, currentSample).edges.length; // 31
 * ```
 */
export function numericHistogram(reference: NumericSample, current: NumericSample): Histogram {
  const lo = Math.min(quantileSorted(reference.sorted, 0.005), quantileSorted(current.sorted, 0.005));
  let hi = Math.max(quantileSorted(reference.sorted, 0.995), quantileSorted(current.sorted, 0.995));
  if (!(hi > lo)) hi = lo + 1;
  const width = (hi - lo) / NUMERIC_BINS;
  const edges = Array.from({ length: NUMERIC_BINS + 1 }, (_, i) =>
    i === NUMERIC_BINS ? hi : lo + i * width,
  );
  // Inner edges only: values beyond the outer edges are counted in the outer bins.
  const inner = edges.slice(1, -1);
  const shares = (sorted: Float64Array) =>
    Array.from(binCountsSorted(sorted, inner), (c) => c / sorted.length);
  return { kind: "numeric", edges, reference: shares(reference.sorted), current: shares(current.sorted) };
}

/**
 * Shares of the most frequent categories (by pooled count) in both samples.
 *
 * @example
 * ```ts
 * categoricalHistogram(referenceCounts, currentCounts).categories; // ["a", "b", …]
 * ```
 */
export function categoricalHistogram(reference: CategoricalSample, current: CategoricalSample): Histogram {
  const pooled = new Map<string, number>();
  for (const sample of [reference, current])
    for (const [category, count] of sample.counts)
      pooled.set(category, (pooled.get(category) ?? 0) + count / sample.total);
  const ranked = [...pooled.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([c]) => c);
  const shown = ranked.slice(0, MAX_CATEGORIES);
  const rest = ranked.slice(MAX_CATEGORIES);
  const share = (sample: CategoricalSample, categories: string[]) =>
    categories.reduce((total, c) => total + (sample.counts.get(c) ?? 0), 0) / sample.total;
  const of = (sample: CategoricalSample) => [
    ...shown.map((c) => share(sample, [c])),
    ...(rest.length > 0 ? [share(sample, rest)] : []),
  ];
  return {
    kind: "categorical",
    categories: rest.length > 0 ? [...shown, "(other)"] : shown,
    reference: of(reference),
    current: of(current),
  };
}
