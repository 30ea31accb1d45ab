/**
 * Permutation feature importance, as scikit-learn's `sklearn.inspection.permutation_importance` defines
 * it: the drop in score when one feature's column is shuffled, breaking its link to the target while
 * keeping its distribution. importance = baseline score − permuted score, per repeat; the mean and the
 * standard deviation (ddof = 0, numpy's default) over `repeats` shuffles.
 *
 * The model sits behind an async, batched `predict` so an onnxruntime session (or a remote model) can
 * serve it. Memory is bounded by the sample: one row-major matrix of `min(rows, maxRows) × features`
 * values, one column's original values, and one prediction vector; the matrix is predicted in slices of
 * `batchRows` rows, which are views, not copies.
 */

import { rankDescending } from "./ranking.js";
import { SCORERS, type Scorer, type ScoringName } from "./scorers.js";

/**
 * Default number of rows sampled (without replacement) from a larger window.
 *
 * @example
 * ```ts
 * await permutationImportance(data, predict, { scoring: "r2", random, maxRows: PERMUTATION_MAX_ROWS });
 * ```
 */
export const PERMUTATION_MAX_ROWS = 2_000;

/**
 * Default number of shuffles per feature (scikit-learn's `n_repeats` default).
 *
 * @example
 * ```ts
 * await permutationImportance(data, predict, { scoring: "r2", random, repeats: PERMUTATION_REPEATS });
 * ```
 */
export const PERMUTATION_REPEATS = 5;

/**
 * The model under test: predicts `n` rows of a row-major matrix of `features` columns and resolves to
 * one number per row — a regression value, or the probability (score) of class 1 for a binary
 * classifier. It must not keep or modify `rows`, which is reused for the next call.
 *
 * @example
 * ```ts
 * const predict: BatchPredict = async (rows, n, features) => {
 *   const out = await session.run({ features: new ort.Tensor("float32", rows, [n, features]) });
 *   const p = out.probabilities!.data as Float32Array; // [n, 2]
 *   return Float64Array.from({ length: n }, (_, i) => p[2 * i + 1]!);
 * };
 * ```
 */
export type BatchPredict = (
  rows: Float32Array | Float64Array,
  n: number,
  features: number,
) => Promise<Float64Array>;

/**
 * The labelled data to explain on: one column per feature, all of one length, and the truth.
 *
 * @example
 * ```ts
 * const data: ExplainData = { columns: [x0, x1, x2], labels: y, names: ["x0", "x1", "x2"] };
 * ```
 */
export interface ExplainData {
  /** One typed column per feature, in the model's input order. */
  readonly columns: readonly Float64Array[];
  /** The true target of each row: 0/1 for a binary classifier, values for a regression. */
  readonly labels: Float64Array;
  /** Feature names, one per column; default `x0`, `x1`, …. */
  readonly names?: readonly string[];
}

/**
 * Options of {@link permutationImportance}.
 *
 * @example
 * ```ts
 * const options: PermutationImportanceOptions = { scoring: "neg_log_loss", random: rng.uniform, repeats: 10 };
 * ```
 */
export interface PermutationImportanceOptions {
  /** A scikit-learn scoring name or a greater-is-better {@link Scorer}. */
  readonly scoring: ScoringName | Scorer;
  /**
   * Uniform numbers in [0, 1): the sample and every shuffle come from it, so a seeded generator makes
   * the result reproducible. The caller owns the seed; nothing here reads `Math.random`.
   */
  readonly random: () => number;
  /** Shuffles per feature (≥ 1); default {@link PERMUTATION_REPEATS}. */
  readonly repeats?: number;
  /** Rows sampled without replacement when there are more (≥ 1); default {@link PERMUTATION_MAX_ROWS}. */
  readonly maxRows?: number;
  /** Rows per `predict` call (≥ 1); default: the whole sample in one call. */
  readonly batchRows?: number;
  /** Element type of the matrix handed to `predict`: float32 feeds onnxruntime without a copy. Default float64. */
  readonly dtype?: "float32" | "float64";
}

/**
 * One feature's importance.
 *
 * @example
 * ```ts
 * const { name, mean, std, drops } = result.importances[0]!;
 * ```
 */
export interface FeatureImportance {
  /** Index of the feature's column. */
  readonly feature: number;
  readonly name: string;
  /** Mean of `drops`: scikit-learn's `importances_mean`. */
  readonly mean: number;
  /** Population standard deviation (ddof = 0) of `drops`: scikit-learn's `importances_std`. */
  readonly std: number;
  /** Baseline score − permuted score, one per repeat: scikit-learn's `importances[feature]`. */
  readonly drops: readonly number[];
}

/**
 * What {@link permutationImportance} returns.
 *
 * @example
 * ```ts
 * const top = result.ranking.slice(0, 3).map((j) => result.importances[j]!.name);
 * ```
 */
export interface PermutationImportanceResult {
  /** Score of the unshuffled sample. */
  readonly baseline: number;
  /** Rows the importances were measured on (the sample's size). */
  readonly rows: number;
  readonly repeats: number;
  /** One entry per feature, in column order. */
  readonly importances: readonly FeatureImportance[];
  /** Feature indices by mean importance, largest first; ties keep column order. */
  readonly ranking: readonly number[];
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1)
    throw new RangeError(`${name} must be an integer ≥ 1, got ${value}`);
  return value;
}

/** A uniform index in [0, bound), from the caller's generator. */
function below(random: () => number, bound: number): number {
  const i = Math.floor(random() * bound);
  // A generator that returns exactly 1 (outside its contract) would index out of range; clamp it.
  return i < bound ? i : bound - 1;
}

/**
 * Which rows to use: all of them, or `size` drawn without replacement by Floyd's algorithm (`size`
 * draws and O(size) memory, however long the window), sorted so the sample reads the columns in order.
 */
function sampleRows(n: number, size: number, random: () => number): Uint32Array {
  if (size >= n) return Uint32Array.from({ length: n }, (_, i) => i);
  const chosen = new Set<number>();
  for (let j = n - size; j < n; j++) {
    const t = below(random, j + 1);
    chosen.add(chosen.has(t) ? j : t);
  }
  return Uint32Array.from(chosen).sort();
}

async function predictAll(
  predict: BatchPredict,
  matrix: Float32Array | Float64Array,
  rows: number,
  features: number,
  batchRows: number,
  into: Float64Array,
): Promise<Float64Array> {
  for (let start = 0; start < rows; start += batchRows) {
    const n = Math.min(batchRows, rows - start);
    const slice = matrix.subarray(start * features, (start + n) * features);
    const out = await predict(slice, n, features);
    if (out.length !== n) throw new RangeError(`predict returned ${out.length} values for ${n} rows`);
    into.set(out, start);
  }
  return into;
}

/**
 * Permutation importance of every feature of a model on labelled data (scikit-learn's
 * `permutation_importance`): for each feature and each of `repeats` shuffles, the baseline score minus
 * the score with that column shuffled. A feature the model ignores scores exactly 0; a negative mean
 * means the shuffle happened to help, i.e. the feature does not matter.
 *
 * One deliberate difference from scikit-learn when rows are sampled: scikit-learn draws a fresh subsample
 * per feature but keeps the baseline of the full data, so even an ignored feature gets a non-zero
 * importance; here one sample serves the baseline and every feature, which makes the importances of one
 * call comparable with each other. With `maxRows` ≥ the row count the two definitions coincide.
 *
 * Cost: `1 + features × repeats` predictions of the sample.
 *
 * @example
 * ```ts
 * const rng = seededRandom(7);
 * const result = await permutationImportance(
 *   { columns: [x0, x1, x2], labels: y },
 *   async (rows, n, d) => Float64Array.from({ length: n }, (_, i) => 3 * rows[i * d]! - 2 * rows[i * d + 1]!),
 *   { scoring: "neg_mean_squared_error", random: rng.uniform },
 * );
 * result.ranking; // [0, 1, 2]: x2 is ignored, its importance is 0
 * ```
 */
export async function permutationImportance(
  data: ExplainData,
  predict: BatchPredict,
  options: PermutationImportanceOptions,
): Promise<PermutationImportanceResult> {
  const { columns, labels, names } = data;
  const features = columns.length;
  const n = labels.length;
  if (features === 0) throw new RangeError("permutation importance needs at least one feature");
  if (n === 0) throw new RangeError("permutation importance needs at least one row");
  columns.forEach((column, j) => {
    if (column.length !== n) throw new RangeError(`column ${j} has ${column.length} rows, labels have ${n}`);
  });
  if (names !== undefined && names.length !== features) {
    throw new RangeError(`${names.length} names for ${features} columns`);
  }
  const scorer = typeof options.scoring === "function" ? options.scoring : SCORERS[options.scoring];
  if (scorer === undefined) throw new RangeError(`unknown scoring ${JSON.stringify(options.scoring)}`);
  const repeats = positiveInteger(options.repeats ?? PERMUTATION_REPEATS, "repeats");
  const maxRows = positiveInteger(options.maxRows ?? PERMUTATION_MAX_ROWS, "maxRows");
  const sample = sampleRows(n, Math.min(n, maxRows), options.random);
  const rows = sample.length;
  const batchRows = positiveInteger(options.batchRows ?? rows, "batchRows");

  const matrix =
    options.dtype === "float32" ? new Float32Array(rows * features) : new Float64Array(rows * features);
  const truth = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const r = sample[i]!;
    truth[i] = labels[r]!;
    for (let j = 0; j < features; j++) matrix[i * features + j] = columns[j]![r]!;
  }
  const predictions = new Float64Array(rows);
  const baseline = scorer(truth, await predictAll(predict, matrix, rows, features, batchRows, predictions));

  const original = options.dtype === "float32" ? new Float32Array(rows) : new Float64Array(rows);
  const permutation = new Uint32Array(rows);
  const importances: FeatureImportance[] = [];
  for (let j = 0; j < features; j++) {
    for (let i = 0; i < rows; i++) original[i] = matrix[i * features + j]!;
    for (let i = 0; i < rows; i++) permutation[i] = i;
    const drops: number[] = [];
    for (let r = 0; r < repeats; r++) {
      // Fisher–Yates, continued from the previous repeat's order as scikit-learn does: still uniform.
      for (let i = rows - 1; i > 0; i--) {
        const k = below(options.random, i + 1);
        const t = permutation[i]!;
        permutation[i] = permutation[k]!;
        permutation[k] = t;
      }
      for (let i = 0; i < rows; i++) matrix[i * features + j] = original[permutation[i]!]!;
      drops.push(
        baseline - scorer(truth, await predictAll(predict, matrix, rows, features, batchRows, predictions)),
      );
    }
    for (let i = 0; i < rows; i++) matrix[i * features + j] = original[i]!;
    let mean = 0;
    for (const d of drops) mean += d;
    mean /= repeats;
    let variance = 0;
    for (const d of drops) variance += (d - mean) * (d - mean);
    importances.push({
      feature: j,
      name: names?.[j] ?? `x${j}`,
      mean,
      std: Math.sqrt(variance / repeats),
      drops,
    });
  }
  return { baseline, rows, repeats, importances, ranking: rankDescending(importances.map((f) => f.mean)) };
}
