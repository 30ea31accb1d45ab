import type { OnnxModel } from "../onnx/types.js";
import type { DenseLayer, Mlp } from "../train/mlp.js";
import { extractMlp, type MlpGraph, writeMlpWeights } from "./mlp-graph.js";
import { keepHiddenUnits, type NeuronRankOptions, selectColumns, selectRows } from "./structured-pruning.js";

/**
 * Structured pruning of a whole MLP: every hidden layer loses the same fraction of its units, so its
 * weight matrix loses rows, its bias entries and the next layer's matrix the matching columns. The
 * input and output widths stay. Pure: {@link structuredPruneModel} rewrites the ONNX initializers.
 */

/**
 * An MLP with fewer hidden units, and which units of each hidden layer survived (ascending indices
 * into the original layer).
 *
 * @example
 * ```ts
 * const { mlp, kept } = pruneHiddenUnits(original, 0.7);
 * kept[0]!.length; // 154 of 512
 * ```
 */
export interface HiddenUnitPruning {
  readonly mlp: Mlp;
  readonly kept: readonly Int32Array[];
}

/**
 * Removes round((1 − sparsity) · width) units (at least one kept) from every hidden layer, layer by
 * layer from the input: a unit's score is the norm (L2 by default) of every weight that disappears
 * with it — its row of W_l (already without the columns of units pruned in layer l − 1), its bias and
 * its column of W_{l+1} ({@link keepHiddenUnits} with `bias` and `outgoing`). The output layer keeps
 * all its units. Returns copies; the input MLP is not modified.
 *
 * @throws RangeError for a sparsity outside [0, 1)
 * @example
 * ```ts
 * const pruned = pruneHiddenUnits(mlp, 0.7).mlp; // 64-512-512-10 → 64-154-154-10
 * ```
 */
export function pruneHiddenUnits(
  mlp: Mlp,
  sparsity: number,
  options: Pick<NeuronRankOptions, "norm"> = {},
): HiddenUnitPruning {
  const layers: DenseLayer[] = mlp.layers.map((layer) => ({
    ...layer,
    weight: layer.weight.slice(),
    bias: layer.bias.slice(),
  }));
  const kept: Int32Array[] = [];
  for (let l = 0; l + 1 < layers.length; l++) {
    const layer = layers[l]!;
    const following = layers[l + 1]!;
    const units = keepHiddenUnits(layer.weight, layer.outputs, sparsity, {
      ...options,
      bias: layer.bias,
      outgoing: { weights: following.weight, rows: following.outputs },
    });
    kept.push(units);
    layers[l] = {
      ...layer,
      outputs: units.length,
      weight: selectRows(layer.weight, layer.inputs, units),
      bias: selectRows(layer.bias, 1, units),
    };
    layers[l + 1] = {
      ...following,
      inputs: units.length,
      weight: selectColumns(following.weight, following.inputs, units),
    };
  }
  return { mlp: { layers }, kept };
}

/**
 * The result of {@link structuredPruneModel}: the rewritten model with the pruned MLP (before any
 * fine-tuning) and where its layers are, or why the model cannot be pruned this way.
 *
 * @example
 * ```ts
 * const r: StructuredPruneOutcome = { ok: false, reason: "not an MLP: Conv" };
 * ```
 */
export type StructuredPruneOutcome =
  | {
      readonly ok: true;
      readonly model: OnnxModel;
      /** Where the layers are in the original model (also valid for the rewritten one). */
      readonly graph: MlpGraph;
      readonly pruning: HiddenUnitPruning;
    }
  | { readonly ok: false; readonly reason: string };

/**
 * Extracts the model's MLP ({@link extractMlp}), removes hidden units ({@link pruneHiddenUnits}) and
 * writes the smaller initializers back ({@link writeMlpWeights}): W_l [kept, in] (or [in, kept] for
 * MatMul / transB = 0), b_l [kept], W_{l+1} [out, kept]. The nodes, the normalisation prefix and the
 * Softmax suffix are unchanged, so the graph stays valid; only shapes shrink.
 *
 * @example
 * ```ts
 * const r = structuredPruneModel(decodeModel(bytes), 0.7);
 * if (r.ok) writeFileSync("pruned.onnx", encodeModel(r.model));
 * ```
 */
export function structuredPruneModel(
  model: OnnxModel,
  sparsity: number,
  options: Pick<NeuronRankOptions, "norm"> = {},
): StructuredPruneOutcome {
  const found = extractMlp(model);
  if (!found.ok) return found;
  if (found.graph.mlp.layers.length < 2)
    return { ok: false, reason: "no hidden layer: a single dense layer has no units to remove" };
  const pruning = pruneHiddenUnits(found.graph.mlp, sparsity, options);
  return { ok: true, model: writeMlpWeights(model, found.graph, pruning.mlp), graph: found.graph, pruning };
}
