/**
 * What a pruned tensor costs to store, in bytes, in the formats one could ship it in. Honest sizes:
 * index overhead included. ONNX's `SparseTensorProto` stores int64 indices, so at 70% sparsity it is
 * barely smaller than dense float32; ONNX Runtime densifies sparse initializers at load anyway, so none of
 * this changes latency.
 */

/**
 * Storage sizes of one tensor.
 *
 * @example
 * ```ts
 * const s: SparseSizes = { elements: 100, nonZero: 30, dense: 400, bitmask: 133, csr: 284, onnxCoo: 360 };
 * ```
 */
export interface SparseSizes {
  readonly elements: number;
  readonly nonZero: number;
  /** elements × valueBytes. */
  readonly dense: number;
  /** ⌈elements/8⌉ mask bytes + nonZero × valueBytes. */
  readonly bitmask: number;
  /** CSR of a [rows, columns] matrix: (rows + 1) × indexBytes + nonZero × (indexBytes + valueBytes). */
  readonly csr: number;
  /** ONNX SparseTensorProto with linearised int64 indices: nonZero × (8 + valueBytes). */
  readonly onnxCoo: number;
}

/**
 * Sizes for a tensor seen as a [rows, elements/rows] matrix (rows = 1 for a vector), counting exact zeros.
 *
 * @example
 * ```ts
 * const w = new Float32Array(100);
 * w.fill(1, 0, 30); // 30 non-zeros
 * sparseSizes(w, { rows: 10 });
 * // { elements: 100, nonZero: 30, dense: 400, bitmask: 13 + 120, csr: 44 + 240, onnxCoo: 360 }
 * ```
 */
export function sparseSizes(
  values: ArrayLike<number>,
  options: { readonly rows?: number; readonly valueBytes?: number; readonly indexBytes?: number } = {},
): SparseSizes {
  const elements = values.length;
  const rows = options.rows ?? 1;
  const valueBytes = options.valueBytes ?? 4;
  const indexBytes = options.indexBytes ?? 4;
  if (!Number.isInteger(rows) || rows < 1 || elements % rows !== 0)
    throw new RangeError(`${elements} values do not form ${rows} rows`);
  let nonZero = 0;
  for (let i = 0; i < elements; i++) if (values[i] !== 0) nonZero++;
  return {
    elements,
    nonZero,
    dense: elements * valueBytes,
    bitmask: Math.ceil(elements / 8) + nonZero * valueBytes,
    csr: (rows + 1) * indexBytes + nonZero * (indexBytes + valueBytes),
    onnxCoo: nonZero * (8 + valueBytes),
  };
}
