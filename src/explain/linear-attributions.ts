/**
 * Exact SHAP attributions of a linear model. For f(x) = b + Σⱼ wⱼ·xⱼ and features treated as independent
 * (the interventional view, shap's `LinearExplainer` default), the Shapley value of feature j at row x
 * is φⱼ(x) = wⱼ·(xⱼ − E[xⱼ]), the expectation taken over a background (reference) data set. They add up
 * exactly: Σⱼ φⱼ(x) = f(x) − E[f(X)], and E[f(X)] = b + Σⱼ wⱼ·E[xⱼ] is shap's `expected_value`.
 *
 * For a logistic model f is the margin (log-odds), as in shap: attributions are in log-odds, not
 * probability, because only the margin is additive. Cost O(features) per row: for an online linear model
 * attributions come almost free.
 */

/**
 * A linear or logistic model: `margin(x) = bias + Σ weights[j] · x[j]` (the probability of a logistic
 * model is the sigmoid of the margin; attributions explain the margin).
 *
 * @example
 * ```ts
 * const model: LinearModel = { weights: [3, -2, 0], bias: 1 };
 * ```
 */
export interface LinearModel {
  readonly weights: ArrayLike<number>;
  readonly bias: number;
}

/**
 * What {@link linearAttributions} returns.
 *
 * @example
 * ```ts
 * const { expectedValue, attributions, importance } = linearAttributions(model, columns, means);
 * ```
 */
export interface LinearAttributions {
  /** E[f(X)] over the background: `bias + Σ weights[j] · means[j]` (shap's `expected_value`). */
  readonly expectedValue: number;
  /** φⱼ per row, one column per feature (`attributions[j][i]` is feature j of row i). */
  readonly attributions: readonly Float64Array[];
  /**
   * Global importance: mean |φⱼ| over the rows, per feature (SageMaker Clarify's `mean_abs`); NaN for
   * every feature when there are no rows.
   */
  readonly importance: Float64Array;
}

/**
 * Column means of a background data set: the E[xⱼ] the attributions are measured from. NaN for a
 * column with no rows.
 *
 * @example
 * ```ts
 * featureMeans([Float64Array.of(1, 3), Float64Array.of(0, 10)]); // Float64Array [2, 5]
 * ```
 */
export function featureMeans(columns: readonly Float64Array[]): Float64Array {
  const means = new Float64Array(columns.length);
  columns.forEach((column, j) => {
    let sum = 0;
    for (let i = 0; i < column.length; i++) sum += column[i]!;
    means[j] = sum / column.length;
  });
  return means;
}

/**
 * The margin of a linear model for every row: `bias + Σ weights[j] · columns[j][i]`.
 *
 * @example
 * ```ts
 * linearMargin({ weights: [3, -2], bias: 1 }, [Float64Array.of(1), Float64Array.of(2)]); // Float64Array [0]
 * ```
 */
export function linearMargin(model: LinearModel, columns: readonly Float64Array[]): Float64Array {
  const rows = checkShape(model, columns);
  const out = new Float64Array(rows).fill(model.bias);
  columns.forEach((column, j) => {
    const w = model.weights[j]!;
    for (let i = 0; i < rows; i++) out[i]! += w * column[i]!;
  });
  return out;
}

/**
 * Exact attributions φⱼ(x) = wⱼ·(xⱼ − E[xⱼ]) of every row, and their mean absolute value per feature.
 * `means` are the background's feature means ({@link featureMeans} of the reference window).
 *
 * @example
 * ```ts
 * const model = { weights: [3, -2, 0], bias: 1 };
 * const r = linearAttributions(model, [Float64Array.of(2), Float64Array.of(1), Float64Array.of(5)], Float64Array.of(1, 1, 0));
 * r.attributions.map((c) => c[0]); // [3, 0, 0]: sums to f(x) − E[f] = 5 − 2
 * r.expectedValue; // 2
 * ```
 */
export function linearAttributions(
  model: LinearModel,
  columns: readonly Float64Array[],
  means: ArrayLike<number>,
): LinearAttributions {
  const rows = checkShape(model, columns);
  if (means.length !== columns.length) {
    throw new RangeError(`${means.length} means for ${columns.length} features`);
  }
  let expectedValue = model.bias;
  const importance = new Float64Array(columns.length);
  const attributions = columns.map((column, j) => {
    const w = model.weights[j]!;
    const mean = means[j]!;
    expectedValue += w * mean;
    const phi = new Float64Array(rows);
    let absolute = 0;
    for (let i = 0; i < rows; i++) {
      phi[i] = w * (column[i]! - mean);
      absolute += Math.abs(phi[i]!);
    }
    importance[j] = absolute / rows;
    return phi;
  });
  return { expectedValue, attributions, importance };
}

function checkShape(model: LinearModel, columns: readonly Float64Array[]): number {
  if (model.weights.length !== columns.length) {
    throw new RangeError(`${model.weights.length} weights for ${columns.length} feature columns`);
  }
  const rows = columns[0]?.length ?? 0;
  columns.forEach((column, j) => {
    if (column.length !== rows)
      throw new RangeError(`column ${j} has ${column.length} rows, column 0 has ${rows}`);
  });
  return rows;
}
