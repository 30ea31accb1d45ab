import {
  type CategoricalSample,
  type ColumnProfile,
  type Dimension,
  type DriftOptions,
  type DriftReport,
  decideDrift,
  type MeasuredColumn,
  measureColumn,
  numericProfile,
  numericSample,
} from "../drift/index.js";
import { PREDICTION, TARGET, type WindowModel, type WindowState } from "./window-state.js";

/**
 * A model version's reference data, reduced once at upload to what every window's drift needs:
 * sorted numeric columns with their statistics, and category counts.
 */
export interface ReferenceProfile {
  readonly columns: ReadonlyMap<string, ColumnProfile>;
  /** The reference's predictions (from an upload column or the version's ONNX model), if any. */
  readonly prediction: ColumnProfile | null;
  readonly target: ColumnProfile | null;
}

/** Raw reference columns: numbers with NaN for missing, or text with null for missing. */
export type ReferenceColumn = Float64Array | ReadonlyArray<string | null>;

/**
 * Builds a reference profile from raw columns (the upload's, typed by the model's schema).
 *
 * @example
 * ```ts
 * const profile = buildReferenceProfile(model, { temp: Float64Array.from(temps), season: seasons }, predictions, targets);
 * ```
 */
export function buildReferenceProfile(
  model: WindowModel,
  columns: Readonly<Record<string, ReferenceColumn>>,
  prediction: ReferenceColumn | null,
  target: ReferenceColumn | null,
): ReferenceProfile {
  const out = new Map<string, ColumnProfile>();
  for (const name of model.numeric) {
    const values = columns[name];
    if (values instanceof Float64Array) out.set(name, numericProfile(numericSample(values)));
  }
  for (const name of model.categorical) {
    const values = columns[name];
    if (values !== undefined && !(values instanceof Float64Array)) out.set(name, countText(values));
  }
  const profile = (values: ReferenceColumn | null): ColumnProfile | null =>
    values === null
      ? null
      : values instanceof Float64Array
        ? numericProfile(numericSample(values))
        : countText(values);
  return { columns: out, prediction: profile(prediction), target: profile(target) };
}

function countText(values: ReadonlyArray<string | null>): CategoricalSample {
  const counts = new Map<string, number>();
  let missing = 0;
  for (const v of values) {
    if (v === null) missing++;
    else counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  return { type: "categorical", counts, total: values.length - missing, missing };
}

/**
 * The drift report of one window against its version's reference: the same engine, decision and
 * JSON shape as `tiktoktoe drift`. Columns the window has no values for yet (the target before any
 * label) are left out, and so are the model's untested columns (`drift: false` in its schema): they
 * are not measured, so they count in no multiple-testing family and never decide the severity. Exact while the window holds fewer events than its sample capacity;
 * beyond that, numeric statistics are computed on a uniform sample of the window.
 *
 * @example
 * ```ts
 * const report = windowDrift(window, profile, driftOptions);
 * ```
 */
export function windowDrift(
  window: WindowState,
  reference: ReferenceProfile,
  options: DriftOptions,
): DriftReport {
  const measured: MeasuredColumn[] = [];
  const measure = (
    column: string,
    dimension: Dimension,
    ref: ColumnProfile | null | undefined,
    key: string,
  ) => {
    if (ref === null || ref === undefined) return;
    const current =
      ref.type === "numeric"
        ? numericSample(window.numericColumn(key))
        : categorical(window.categoryCounts(key));
    const n = current.type === "numeric" ? current.sorted.length : current.total;
    if (n === 0) return;
    measured.push({ column, dimension, measurement: measureColumn(ref, current, options) });
  };
  const untested = new Set(window.model.untested ?? []);
  for (const [column, ref] of reference.columns)
    if (!untested.has(column)) measure(column, "feature", ref, column);
  measure("prediction", "prediction", reference.prediction, PREDICTION);
  measure("target", "target", reference.target, TARGET);
  return decideDrift(measured, options);
}

function categorical(counts: { values: ReadonlyMap<string, number>; missing: number }): CategoricalSample {
  let total = 0;
  for (const n of counts.values.values()) total += n;
  return { type: "categorical", counts: counts.values, total, missing: counts.missing };
}
