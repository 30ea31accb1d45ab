/**
 * Unstructured magnitude pruning masks: the smallest |w| are removed to an exact target count, per layer
 * (torch's `l1_unstructured`) or with one threshold across layers (`global_unstructured`).
 * Ties are broken deterministically: among equal magnitudes, the earlier layer and then the lower flat
 * index is pruned first.
 */

/**
 * The number of weights pruned for a sparsity: round-half-to-even(sparsity × n), as torch's
 * `_compute_nparams_toprune` (Python's `round`).
 *
 * @example
 * ```ts
 * pruneCount(10, 0.7); // 7
 * pruneCount(5, 0.5); // 2 (2.5 rounds to even)
 * ```
 */
export function pruneCount(n: number, sparsity: number): number {
  if (!(sparsity >= 0 && sparsity <= 1)) throw new RangeError(`sparsity must be in [0, 1], got ${sparsity}`);
  const x = sparsity * n;
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * A keep-mask (1 = kept, 0 = pruned) removing exactly {@link pruneCount}(n, sparsity) weights of the
 * smallest magnitude from one tensor.
 *
 * @example
 * ```ts
 * magnitudeMask(new Float32Array([0.5, -0.1, 0.3, 0.1]), 0.5); // Uint8Array [1, 0, 1, 0]
 * ```
 */
export function magnitudeMask(weights: ArrayLike<number>, sparsity: number): Uint8Array {
  return globalMagnitudeMasks([weights], sparsity)[0]!;
}

/**
 * Keep-masks for several tensors with one magnitude threshold across all of them, removing exactly
 * {@link pruneCount}(total, sparsity) weights: layers with small weights lose more.
 *
 * @example
 * ```ts
 * globalMagnitudeMasks([new Float32Array([0.1, 0.2]), new Float32Array([5, 6])], 0.5);
 * // [Uint8Array [0, 0], Uint8Array [1, 1]]
 * ```
 */
export function globalMagnitudeMasks(layers: readonly ArrayLike<number>[], sparsity: number): Uint8Array[] {
  let total = 0;
  for (const layer of layers) total += layer.length;
  const prune = pruneCount(total, sparsity);
  const masks = layers.map((layer) => new Uint8Array(layer.length).fill(1));
  if (prune === 0) return masks;
  const magnitudes = new Float64Array(total);
  let offset = 0;
  for (const layer of layers) {
    for (let i = 0; i < layer.length; i++) {
      const m = Math.abs(layer[i]!);
      if (Number.isNaN(m)) throw new RangeError("cannot rank NaN weights by magnitude");
      magnitudes[offset++] = m;
    }
  }
  // The prune-th smallest magnitude is the threshold: everything below goes, then ties at it in order.
  const sorted = magnitudes.slice().sort();
  const threshold = sorted[prune - 1]!;
  let below = 0;
  for (let i = 0; i < prune; i++) if (sorted[i]! < threshold) below++;
  let tiesToPrune = prune - below;
  offset = 0;
  for (let l = 0; l < layers.length; l++) {
    const mask = masks[l]!;
    for (let i = 0; i < mask.length; i++) {
      const m = magnitudes[offset++]!;
      if (m < threshold) mask[i] = 0;
      else if (m === threshold && tiesToPrune > 0) {
        mask[i] = 0;
        tiesToPrune--;
      }
    }
  }
  return masks;
}

/**
 * Applies a keep-mask: a copy with pruned weights set to 0.
 *
 * @example
 * ```ts
 * applyMask(new Float32Array([0.5, -0.1]), new Uint8Array([1, 0])); // Float32Array [0.5, 0]
 * ```
 */
export function applyMask(weights: ArrayLike<number>, mask: Uint8Array): Float32Array {
  if (weights.length !== mask.length) throw new RangeError("mask and weights differ in length");
  const out = new Float32Array(weights.length);
  for (let i = 0; i < out.length; i++) out[i] = mask[i] ? weights[i]! : 0;
  return out;
}
