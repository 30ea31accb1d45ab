/**
 * An elastic-net penalty on the weights (never the biases): λ₁·‖w‖₁ + (λ₂/2)·‖w‖².
 *
 * @example
 * ```ts
 * const penalty: ElasticNet = { l1: 1e-4, l2: 1e-4 };
 * ```
 */
export interface ElasticNet {
  /** λ₁, applied as a proximal (soft-threshold) step after each update, so weights reach exact zeros. */
  readonly l1: number;
  /** λ₂, added to the gradient as λ₂·w (coupled weight decay, PyTorch's `weight_decay`). */
  readonly l2: number;
}

/**
 * The proximal operator of t·|w|: sign(w) · max(|w| − t, 0). A plain subgradient step on |w| makes a
 * weight oscillate around zero and "essentially never" lands on it (McMahan et al. 2013); the prox
 * lands on an exact 0 whenever |w| ≤ t, which is what makes L1 prune.
 *
 * @example
 * ```ts
 * softThreshold(0.3, 0.5); // 0
 * softThreshold(-2, 0.5); // -1.5
 * ```
 */
export function softThreshold(w: number, t: number): number {
  if (w > t) return w - t;
  if (w < -t) return w + t;
  return 0;
}
