import {
  type DriftOptions,
  decideDrift,
  defaultDriftOptions,
  measureColumn,
  numericProfile,
  numericSample,
  type Severity,
} from "../drift/index.js";

/** One closed week as the demo tells it: the API's words, per tested column. */
export interface StoryWeek {
  readonly start: string;
  readonly mae: number | null;
  /** Severity per drift-tested column (the API's `drift.columns`). */
  readonly columns: Readonly<Record<string, string>>;
}

/**
 * Counts, per drift-tested column, the weeks it was critical, most often first (ties by name): the
 * first line of the demo's closing summary.
 *
 * @example
 * ```ts
 * criticalWeeks([{ start: "2012-01-05", mae: 40, columns: { temp: "critical" } }]);
 * // [["temp", 1]]
 * ```
 */
export function criticalWeeks(weeks: readonly StoryWeek[]): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const week of weeks)
    for (const [column, severity] of Object.entries(week.columns))
      counts.set(column, (counts.get(column) ?? 0) + (severity === "critical" ? 1 : 0));
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/**
 * Mean of the weekly MAEs per quarter of the year (by the week's start), null for a quarter without
 * labelled weeks: the error's trend in four numbers.
 *
 * @example
 * ```ts
 * maeByQuarter([{ start: "2012-01-05", mae: 40, columns: {} }]); // [40, null, null, null]
 * ```
 */
export function maeByQuarter(weeks: readonly StoryWeek[]): Array<number | null> {
  const sums = [0, 0, 0, 0];
  const counts = [0, 0, 0, 0];
  for (const week of weeks) {
    if (week.mae === null) continue;
    const quarter = Math.floor((Number(week.start.slice(5, 7)) - 1) / 3);
    sums[quarter]! += week.mae;
    counts[quarter]!++;
  }
  return sums.map((sum, q) => (counts[q] === 0 ? null : sum / counts[q]!));
}

/**
 * The severity the drift engine gives one numeric column of a week against a reference sample, the
 * column alone in its family (so the multiple-testing correction is the identity): auto mode's KS test
 * with the normalised Wasserstein distance as its effect size. The demo uses it to compare each week
 * of 2012 with the same week of 2011 — the server compares it with the whole of 2011.
 *
 * @example
 * ```ts
 * columnSeverity(Float64Array.from(week2011), Float64Array.from(week2012)); // "critical"
 * ```
 */
export function columnSeverity(
  reference: Float64Array,
  current: Float64Array,
  options: DriftOptions = defaultDriftOptions,
): Severity {
  const measurement = measureColumn(
    numericProfile(numericSample(reference)),
    numericSample(current),
    options,
  );
  return decideDrift([{ column: "x", dimension: "feature", measurement }], options).columns[0]!.severity;
}
