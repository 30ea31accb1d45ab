/**
 * Seeded, deterministic k-fold assignment, plain or stratified by class, for cross-validated acceptance.
 */

import { seededRandom } from "../stats/index.js";

/**
 * Options of {@link kFold} and {@link stratifiedKFold}.
 *
 * @example
 * ```ts
 * const options: KFoldOptions = { k: 5, seed: 42 };
 * ```
 */
export interface KFoldOptions {
  /** Folds, at least 2. Default 5. */
  readonly k?: number;
  /** Seed of the shuffle. Default 0. */
  readonly seed?: number;
}

/**
 * The fold (0 … k − 1) of each of n rows: a seeded Fisher–Yates shuffle, then dealt round-robin, so
 * fold sizes differ by at most one.
 *
 * @example
 * ```ts
 * kFold(10, { k: 5, seed: 1 }); // Int32Array of 10 folds, each fold used twice
 * ```
 */
export function kFold(n: number, options: KFoldOptions = {}): Int32Array {
  return stratifiedKFold(new Int32Array(n), options);
}

/**
 * The fold of each row, stratified: rows are grouped by label (labels in ascending order), each group
 * shuffled with one seeded generator, and the groups dealt one after another round-robin, the deal
 * continuing where the previous class stopped. Every class then has ⌊n_c/k⌋ or ⌈n_c/k⌉ rows in each fold,
 * and fold sizes differ by at most one. Deterministic for a seed; not scikit-learn's exact assignment.
 *
 * @example
 * ```ts
 * const folds = stratifiedKFold(Int32Array.from([0, 0, 0, 0, 1, 1, 1, 1, 1, 1]), { k: 2, seed: 3 });
 * // each fold: 2 rows of class 0 and 3 of class 1
 * ```
 */
export function stratifiedKFold(labels: ArrayLike<number>, options: KFoldOptions = {}): Int32Array {
  const k = options.k ?? 5;
  const n = labels.length;
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`k must be an integer ≥ 2, got ${k}`);
  if (n < k) throw new RangeError(`cannot split ${n} rows into ${k} folds`);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const label = labels[i]!;
    const rows = byClass.get(label);
    if (rows) rows.push(i);
    else byClass.set(label, [i]);
  }
  const random = seededRandom(options.seed ?? 0);
  const folds = new Int32Array(n);
  let position = 0;
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    const rows = byClass.get(label)!;
    for (let i = rows.length - 1; i > 0; i--) {
      const j = Math.floor(random.uniform() * (i + 1));
      const t = rows[i]!;
      rows[i] = rows[j]!;
      rows[j] = t;
    }
    for (const row of rows) folds[row] = position++ % k;
  }
  return folds;
}

/**
 * Accuracy within each fold from per-row correctness (1 = the prediction was right).
 *
 * @example
 * ```ts
 * foldAccuracies(Uint8Array.of(1, 0, 1, 1), Int32Array.of(0, 0, 1, 1), 2); // Float64Array [0.5, 1]
 * ```
 */
export function foldAccuracies(
  correct: ArrayLike<number>,
  folds: ArrayLike<number>,
  k: number,
): Float64Array {
  if (correct.length !== folds.length) throw new RangeError("correctness and folds differ in length");
  const right = new Float64Array(k);
  const size = new Float64Array(k);
  for (let i = 0; i < folds.length; i++) {
    const f = folds[i]!;
    size[f]! += 1;
    if (correct[i]) right[f]! += 1;
  }
  return right.map((r, f) => (size[f]! > 0 ? r / size[f]! : Number.NaN));
}

/**
 * Mean and sample standard deviation (n − 1; NaN for fewer than two values).
 *
 * @example
 * ```ts
 * meanStd([1, 2, 3, 4]); // { mean: 2.5, std: √(5/3) ≈ 1.291 }
 * ```
 */
export function meanStd(values: ArrayLike<number>): { mean: number; std: number } {
  const n = values.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i]!;
  const mean = n > 0 ? sum / n : Number.NaN;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (values[i]! - mean) ** 2;
  return { mean, std: n > 1 ? Math.sqrt(squares / (n - 1)) : Number.NaN };
}
