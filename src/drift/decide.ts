import { correct } from "../stats/multiple-testing.js";
import { type ColumnMeasurement, isTestMethod } from "./measure.js";
import type { Dimension, DriftOptions } from "./options.js";
import type { ExcludedColumn } from "./plan.js";
import type { DriftColumnReport, DriftFamily, DriftReport } from "./report.js";
import { atLeast, type Severity, worstSeverity } from "./severity.js";

/** A measured column with its name and dimension. */
export interface MeasuredColumn {
  readonly column: string;
  readonly dimension: Dimension;
  readonly measurement: ColumnMeasurement;
}

const dimensions: readonly Dimension[] = ["feature", "prediction", "target"];

/**
 * Turns measurements into a report: multiple-testing correction per family (the features together;
 * the prediction and the target each alone), a severity per column, then the dataset's severity.
 * Pure and cheap, so a changed threshold never needs the data again.
 *
 * Column severity: in auto mode *warning* when the corrected test is significant and *critical* when
 * its effect size also reaches the threshold; a single test method is critical when significant; a
 * distance is critical at its threshold (PSI: warning at 0.1, critical at 0.25). The dataset is an
 * *emergency* when the prediction or target is critical or more than half the features are, else
 * *critical* when any column is, *warning* when any column is, *ok* otherwise. `excluded` (from
 * {@link planDriftRun}) is carried into the report as it is: those columns count in no family.
 *
 * @example
 * ```ts
 * const report = decideDrift(measured, defaultDriftOptions);
 * report.severity; // "ok" | "warning" | "critical" | "emergency"
 * ```
 */
export function decideDrift(
  columns: readonly MeasuredColumn[],
  options: DriftOptions,
  excluded: readonly ExcludedColumn[] = [],
): DriftReport {
  const families = {} as Record<Dimension, DriftFamily>;
  const corrected = new Map<
    MeasuredColumn,
    { threshold: number; adjusted: number; significant: boolean; tests: number }
  >();
  for (const dimension of dimensions) {
    const tested = columns.filter((c) => c.dimension === dimension && isTestMethod(c.measurement.method));
    const result = correct(
      tested.map((c) => c.measurement.pValue ?? 1),
      options.alpha,
      options.correction,
    );
    families[dimension] = { tests: result.tests, threshold: result.threshold };
    for (const [i, c] of tested.entries())
      corrected.set(c, {
        threshold: result.threshold,
        adjusted: result.adjusted[i]!,
        significant: result.significant[i]!,
        tests: result.tests,
      });
  }

  const reports = columns.map((c): DriftColumnReport => {
    const m = c.measurement;
    const test = corrected.get(c);
    const common = {
      column: c.column,
      type: m.type,
      dimension: c.dimension,
      method: m.method,
      statistic: m.statistic,
      p_value: m.pValue,
      n_reference: m.nReference,
      n_current: m.nCurrent,
      missing_reference: m.missingReference,
      missing_current: m.missingCurrent,
      ...m.extra,
    };
    if (test !== undefined) {
      const effectThreshold =
        m.effect?.method === "wasserstein" ? options.wassersteinThreshold : options.jensenShannonThreshold;
      let severity: Severity = "ok";
      if (test.significant)
        severity = m.effect === null || m.effect.value >= effectThreshold ? "critical" : "warning";
      return {
        ...common,
        p_adjusted: test.adjusted,
        threshold: test.threshold,
        tests: test.tests,
        ...(m.effect === null
          ? {}
          : {
              effect_size: m.effect.value,
              effect_size_method: m.effect.method,
              effect_size_threshold: effectThreshold,
            }),
        drifted: atLeast(severity, "critical"),
        severity,
        histogram: m.histogram,
      };
    }
    const distance = distanceSeverity(m, options);
    return {
      ...common,
      p_adjusted: null,
      threshold: distance.threshold,
      ...(m.method === "psi" ? { warning_threshold: options.psiWarning } : {}),
      tests: 0,
      drifted: atLeast(distance.severity, "critical"),
      severity: distance.severity,
      histogram: m.histogram,
    };
  });

  const features = reports.filter((r) => r.dimension === "feature");
  const driftedFeatures = features.filter((r) => r.drifted).length;
  const share = features.length === 0 ? 0 : driftedFeatures / features.length;
  let severity: Severity = reports.reduce<Severity>((worst, r) => worstSeverity(worst, r.severity), "ok");
  const keyDrifted = reports.some((r) => r.dimension !== "feature" && r.drifted);
  if (keyDrifted || (features.length > 0 && share > options.emergencyShare)) severity = "emergency";

  return {
    method: options.method,
    columns: reports,
    tests: families.feature.tests,
    correction: options.correction,
    alpha: options.alpha,
    families,
    drifted_columns: reports.filter((r) => r.drifted).length,
    share,
    dataset_drift: atLeast(severity, "critical"),
    severity,
    thresholds: {
      wasserstein: options.wassersteinThreshold,
      jensenshannon: options.jensenShannonThreshold,
      psi_warning: options.psiWarning,
      psi_critical: options.psiCritical,
      emergency_share: options.emergencyShare,
    },
    excluded: [...excluded],
  };
}

function distanceSeverity(
  m: ColumnMeasurement,
  options: DriftOptions,
): { severity: Severity; threshold: number } {
  switch (m.method) {
    case "psi":
      return {
        threshold: options.psiCritical,
        severity:
          m.statistic >= options.psiCritical
            ? "critical"
            : m.statistic >= options.psiWarning
              ? "warning"
              : "ok",
      };
    case "wasserstein":
      return {
        threshold: options.wassersteinThreshold,
        severity: m.statistic >= options.wassersteinThreshold ? "critical" : "ok",
      };
    default:
      return {
        threshold: options.jensenShannonThreshold,
        severity: m.statistic >= options.jensenShannonThreshold ? "critical" : "ok",
      };
  }
}
