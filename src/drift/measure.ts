import { binCountsSorted } from "../stats/binning.js";
import { chiSquareHomogeneity } from "../stats/chi-square.js";
import { jensenShannonDistance } from "../stats/jensen-shannon.js";
import { ksFromStatistic, ksTwoSample } from "../stats/ks.js";
import { psi } from "../stats/psi.js";
import { ksWassersteinSorted } from "../stats/two-sample.js";
import { WASSERSTEIN_MIN_STD, wassersteinSorted } from "../stats/wasserstein.js";
import { categoricalHistogram, type Histogram, numericHistogram } from "./histogram.js";
import type { ColumnType, DriftMethod, DriftOptions } from "./options.js";
import type {
  CategoricalSample,
  ColumnProfile,
  ColumnSample,
  NumericProfile,
  NumericSample,
} from "./profile.js";

/** A method applied to one column (auto resolves to a test plus an effect size). */
export type ColumnMethod = Exclude<DriftMethod, "auto">;

/** Everything measured on one column, before any decision (so the decision can be redone cheaply). */
export interface ColumnMeasurement {
  readonly type: ColumnType;
  /** The primary method: the test in auto mode, else the single method used for this column. */
  readonly method: ColumnMethod;
  readonly statistic: number;
  /** The primary method's p-value, null for a distance. */
  readonly pValue: number | null;
  /** Auto mode's effect size (normalised Wasserstein or Jensen–Shannon); null otherwise. */
  readonly effect: { readonly method: "wasserstein" | "jensenshannon"; readonly value: number } | null;
  /** Secondary figures, already named as in the JSON report. */
  readonly extra: {
    readonly ks_method?: "exact" | "asymp";
    readonly wasserstein?: number;
    readonly wasserstein_normed?: number;
    readonly reference_std?: number;
    readonly psi?: number;
    readonly dof?: number;
  };
  readonly nReference: number;
  readonly nCurrent: number;
  readonly missingReference: number;
  readonly missingCurrent: number;
  readonly histogram: Histogram;
}

/**
 * Measures drift of one column: pure, and the expensive part of a drift run (the worker pool calls
 * it column by column). Both sides must have the same type.
 *
 * @example
 * ```ts
 * const m = measureColumn(numericProfile(numericSample(ref)), numericSample(cur), defaultDriftOptions);
 * m.pValue; // KS two-sided p-value
 * ```
 */
export function measureColumn(
  reference: ColumnProfile,
  current: ColumnSample,
  options: DriftOptions,
): ColumnMeasurement {
  if (reference.type === "numeric" && current.type === "numeric")
    return measureNumeric(reference, current, options);
  if (reference.type === "categorical" && current.type === "categorical")
    return measureCategorical(reference, current, options);
  throw new TypeError("measureColumn: reference and current must have the same column type");
}

function measureNumeric(
  reference: NumericProfile,
  current: NumericSample,
  options: DriftOptions,
): ColumnMeasurement {
  const base = {
    type: "numeric" as const,
    nReference: reference.sorted.length,
    nCurrent: current.sorted.length,
    missingReference: reference.missing,
    missingCurrent: current.missing,
    histogram: numericHistogram(reference, current),
  };
  const wasserstein = () => {
    const raw = wassersteinSorted(reference.sorted, current.sorted);
    return { raw, normed: raw / Math.max(reference.std, WASSERSTEIN_MIN_STD) };
  };
  const currentBins = () => binCountsSorted(current.sorted, reference.edges);
  switch (options.method) {
    case "auto": {
      // One merge walk gives both D and W1; the p-value is then arithmetic on D and the sizes.
      const both = ksWassersteinSorted(reference.sorted, current.sorted);
      const ks = ksFromStatistic(both.d, reference.sorted.length, current.sorted.length, options.ksMode);
      const w = { raw: both.w, normed: both.w / Math.max(reference.std, WASSERSTEIN_MIN_STD) };
      return {
        ...base,
        method: "ks",
        statistic: ks.statistic,
        pValue: ks.pValue,
        effect: { method: "wasserstein", value: w.normed },
        extra: {
          ks_method: ks.method,
          wasserstein: w.raw,
          wasserstein_normed: w.normed,
          reference_std: reference.std,
          psi: psi(reference.binCounts, currentBins()),
        },
      };
    }
    case "ks": {
      const ks = ksTwoSample(reference.sorted, current.sorted, options.ksMode);
      return {
        ...base,
        method: "ks",
        statistic: ks.statistic,
        pValue: ks.pValue,
        effect: null,
        extra: { ks_method: ks.method },
      };
    }
    case "wasserstein": {
      const w = wasserstein();
      return {
        ...base,
        method: "wasserstein",
        statistic: w.normed,
        pValue: null,
        effect: null,
        extra: { wasserstein: w.raw, wasserstein_normed: w.normed, reference_std: reference.std },
      };
    }
    case "psi":
      return {
        ...base,
        method: "psi",
        statistic: psi(reference.binCounts, currentBins()),
        pValue: null,
        effect: null,
        extra: {},
      };
    case "chisquare": {
      const [ref, cur] = dropEmpty(reference.binCounts, currentBins());
      const chi = chiSquareHomogeneity(ref, cur);
      return {
        ...base,
        method: "chisquare",
        statistic: chi.statistic,
        pValue: chi.pValue,
        effect: null,
        extra: { dof: chi.dof },
      };
    }
    case "jensenshannon": {
      const value = jensenShannonDistance(reference.binCounts, currentBins());
      return { ...base, method: "jensenshannon", statistic: value, pValue: null, effect: null, extra: {} };
    }
  }
}

function measureCategorical(
  reference: CategoricalSample,
  current: CategoricalSample,
  options: DriftOptions,
): ColumnMeasurement {
  const categories = [...new Set([...reference.counts.keys(), ...current.counts.keys()])].sort();
  const ref = Float64Array.from(categories, (c) => reference.counts.get(c) ?? 0);
  const cur = Float64Array.from(categories, (c) => current.counts.get(c) ?? 0);
  const base = {
    type: "categorical" as const,
    nReference: reference.total,
    nCurrent: current.total,
    missingReference: reference.missing,
    missingCurrent: current.missing,
    histogram: categoricalHistogram(reference, current),
  };
  switch (options.method) {
    case "auto": {
      const chi = chiSquareHomogeneity(ref, cur);
      return {
        ...base,
        method: "chisquare",
        statistic: chi.statistic,
        pValue: chi.pValue,
        effect: { method: "jensenshannon", value: jensenShannonDistance(ref, cur) },
        extra: { dof: chi.dof, psi: psi(ref, cur) },
      };
    }
    case "ks":
    case "chisquare": {
      const chi = chiSquareHomogeneity(ref, cur);
      return {
        ...base,
        method: "chisquare",
        statistic: chi.statistic,
        pValue: chi.pValue,
        effect: null,
        extra: { dof: chi.dof },
      };
    }
    case "wasserstein":
    case "jensenshannon":
      return {
        ...base,
        method: "jensenshannon",
        statistic: jensenShannonDistance(ref, cur),
        pValue: null,
        effect: null,
        extra: {},
      };
    case "psi":
      return { ...base, method: "psi", statistic: psi(ref, cur), pValue: null, effect: null, extra: {} };
  }
}

/** Drops bins empty in both samples: chi-square's expected count there would be zero. */
function dropEmpty(a: Float64Array, b: Float64Array): [Float64Array, Float64Array] {
  const keep: number[] = [];
  for (let i = 0; i < a.length; i++) if (a[i]! + b[i]! > 0) keep.push(i);
  return [Float64Array.from(keep, (i) => a[i]!), Float64Array.from(keep, (i) => b[i]!)];
}

/**
 * True when `method` is a hypothesis test (its significance is corrected for multiple testing).
 *
 * @example
 * ```ts
 * isTestMethod("ks"); // true
 * ```
 */
export function isTestMethod(method: ColumnMethod): boolean {
  return method === "ks" || method === "chisquare";
}
