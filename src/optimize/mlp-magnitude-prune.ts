import type { Mlp } from "../train/mlp.js";
import { applyMask, globalMagnitudeMasks, magnitudeMask } from "./magnitude-pruning.js";

/**
 * Unstructured magnitude pruning of a whole MLP's weight matrices (biases are kept, as torch's
 * `prune.global_unstructured` on `weight` parameters does).
 */

/**
 * `global`: one |w| threshold across all weight matrices (torch `global_unstructured`), so layers
 * with many small weights lose more; `layer`: each matrix pruned to the sparsity on its own
 * (`l1_unstructured` per layer).
 *
 * @example
 * ```ts
 * const scope: PruneScope = "global";
 * ```
 */
export type PruneScope = "global" | "layer";

/**
 * The pruned copy of an MLP and its keep-masks (1 = kept), one per layer, for fine-tuning with
 * `MlpTrainer`'s `masks` so pruned weights stay zero.
 *
 * @example
 * ```ts
 * const { mlp, masks } = magnitudePruneMlp(model, 0.7);
 * new MlpTrainer(mlp, { loss: { kind: "cross-entropy" }, seed: 1, masks });
 * ```
 */
export function magnitudePruneMlp(
  mlp: Mlp,
  sparsity: number,
  scope: PruneScope = "global",
): { readonly mlp: Mlp; readonly masks: Uint8Array[] } {
  const weights = mlp.layers.map((layer) => layer.weight);
  const masks =
    scope === "global"
      ? globalMagnitudeMasks(weights, sparsity)
      : weights.map((w) => magnitudeMask(w, sparsity));
  return {
    mlp: {
      layers: mlp.layers.map((layer, l) => ({
        ...layer,
        weight: applyMask(layer.weight, masks[l]!),
        bias: layer.bias.slice(),
      })),
    },
    masks,
  };
}
