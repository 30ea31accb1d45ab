/**
 * Structured pruning of an MLP layer pair: rank hidden units by the norm of their weights and keep the
 * strongest, so the matrices physically shrink (W1 [hidden, in] loses rows, b1 entries, W2 [out, hidden]
 * columns). This is what makes ONNX Runtime on CPU faster; unstructured zeros do not.
 */

/**
 * How hidden units are scored.
 *
 * @example
 * ```ts
 * const options: NeuronRankOptions = { norm: "l2", outgoing: { weights: w2, rows: 10 } };
 * ```
 */
export interface NeuronRankOptions {
  /** "l1" (sum of |w|) or "l2" (Euclidean). Default "l2" (torch `ln_structured` with n = 2). */
  readonly norm?: "l1" | "l2";
  /** b1: each unit's bias joins its incoming weights. */
  readonly bias?: ArrayLike<number>;
  /**
   * W2 [rows, hidden], row-major: each unit's column joins the score, so the score is the norm of every
   * weight that disappears with the unit. Without it, only incoming weights count (torch's dim-0 rule).
   */
  readonly outgoing?: { readonly weights: ArrayLike<number>; readonly rows: number };
}

/**
 * The score of each hidden unit h: the chosen norm over row h of W1 [hidden, inputs] (row-major), plus
 * b1[h] and column h of W2 when given, all as one vector.
 *
 * @example
 * ```ts
 * // W1 = [[3, 4], [1, 0]]: unit 0 has L2 norm 5, unit 1 has 1.
 * neuronScores(new Float32Array([3, 4, 1, 0]), 2); // Float64Array [5, 1]
 * ```
 */
export function neuronScores(
  incoming: ArrayLike<number>,
  hidden: number,
  options: NeuronRankOptions = {},
): Float64Array {
  if (!Number.isInteger(hidden) || hidden < 1 || incoming.length % hidden !== 0)
    throw new RangeError(`W1 of ${incoming.length} values has no ${hidden} rows`);
  const inputs = incoming.length / hidden;
  const l1 = (options.norm ?? "l2") === "l1";
  const term = (w: number): number => (l1 ? Math.abs(w) : w * w);
  const acc = new Float64Array(hidden);
  for (let h = 0; h < hidden; h++) {
    let s = 0;
    for (let j = 0; j < inputs; j++) s += term(incoming[h * inputs + j]!);
    acc[h] = s;
  }
  if (options.bias) {
    if (options.bias.length !== hidden) throw new RangeError(`b1 must have ${hidden} values`);
    for (let h = 0; h < hidden; h++) acc[h]! += term(options.bias[h]!);
  }
  if (options.outgoing) {
    const { weights, rows } = options.outgoing;
    if (weights.length !== rows * hidden) throw new RangeError(`W2 must be [${rows}, ${hidden}]`);
    for (let r = 0; r < rows; r++) for (let h = 0; h < hidden; h++) acc[h]! += term(weights[r * hidden + h]!);
  }
  if (!l1) for (let h = 0; h < hidden; h++) acc[h] = Math.sqrt(acc[h]!);
  return acc;
}

/**
 * Indices (ascending) of the `keep` highest-scoring units; equal scores keep the lower index.
 *
 * @example
 * ```ts
 * keptUnits(new Float64Array([5, 1, 5, 3]), 2); // Int32Array [0, 2]
 * ```
 */
export function keptUnits(scores: ArrayLike<number>, keep: number): Int32Array {
  const n = scores.length;
  if (!Number.isInteger(keep) || keep < 0 || keep > n)
    throw new RangeError(`cannot keep ${keep} of ${n} units`);
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => scores[b]! - scores[a]! || a - b);
  return Int32Array.from(order.slice(0, keep)).sort();
}

/**
 * The hidden units to keep in an MLP pair when removing a fraction of them: round-half-to-even of
 * (1 − sparsity) × hidden units survive, at least one.
 *
 * @example
 * ```ts
 * // Remove 70% of 4 units: 1.2 → 1 kept.
 * keepHiddenUnits(new Float32Array([3, 4, 1, 0, 0, 1, 2, 2]), 4, 0.7); // Int32Array [0]
 * ```
 */
export function keepHiddenUnits(
  incoming: ArrayLike<number>,
  hidden: number,
  sparsity: number,
  options: NeuronRankOptions = {},
): Int32Array {
  if (!(sparsity >= 0 && sparsity < 1)) throw new RangeError(`sparsity must be in [0, 1), got ${sparsity}`);
  const x = (1 - sparsity) * hidden;
  const r = Math.round(x);
  const keep = Math.max(1, r - x === 0.5 && r % 2 !== 0 ? r - 1 : r);
  return keptUnits(neuronScores(incoming, hidden, options), keep);
}

/**
 * Rows `kept` of a row-major [rows, columns] matrix (W1, or a bias with columns = 1).
 *
 * @example
 * ```ts
 * selectRows(new Float32Array([1, 2, 3, 4, 5, 6]), 2, Int32Array.of(0, 2)); // Float32Array [1, 2, 5, 6]
 * ```
 */
export function selectRows(
  matrix: ArrayLike<number>,
  columns: number,
  kept: ArrayLike<number>,
): Float32Array {
  const out = new Float32Array(kept.length * columns);
  for (let k = 0; k < kept.length; k++) {
    const row = kept[k]!;
    for (let j = 0; j < columns; j++) out[k * columns + j] = matrix[row * columns + j]!;
  }
  return out;
}

/**
 * Columns `kept` of a row-major [rows, columns] matrix (W2 [out, hidden] loses the removed units' columns).
 *
 * @example
 * ```ts
 * selectColumns(new Float32Array([1, 2, 3, 4, 5, 6]), 3, Int32Array.of(0, 2)); // Float32Array [1, 3, 4, 6]
 * ```
 */
export function selectColumns(
  matrix: ArrayLike<number>,
  columns: number,
  kept: ArrayLike<number>,
): Float32Array {
  const rows = matrix.length / columns;
  const out = new Float32Array(rows * kept.length);
  for (let r = 0; r < rows; r++)
    for (let k = 0; k < kept.length; k++) out[r * kept.length + k] = matrix[r * columns + kept[k]!]!;
  return out;
}
