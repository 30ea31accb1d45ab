import { gzipSync } from "node:zlib";
import { encodeModel } from "../onnx/index.js";
import {
  extractMlp,
  type MlpGraph,
  magnitudePruneMlp,
  type PruneScope,
  pruneHiddenUnits,
  sparseSizes,
  writeMlpWeights,
} from "../optimize/index.js";
import { type Mlp, MlpTrainer } from "../train/index.js";
import { fetchTensors, reasonOf, supervised } from "./mlp-data.js";
import type { Candidate, Technique, TechniqueContext } from "./technique.js";

/**
 * The pruning techniques (issue #13) on MLPs found in the baseline graph: `prune` (unstructured
 * magnitude pruning, which saves bytes after compression but no time in onnxruntime) and
 * `prune-structured` (whole hidden units removed, which shrinks the matrices and the latency). Both
 * fine-tune the pruned MLP on the context's training rows with the TypeScript trainer.
 */

/**
 * Settings shared by both pruning techniques.
 *
 * @example
 * ```ts
 * const options: PruneOptions = { sparsity: 0.7, epochs: 30 };
 * ```
 */
export interface PruneOptions {
  /** Fraction removed: of the weight matrices' entries (`prune`) or of each hidden layer's units. Default 0.7. */
  readonly sparsity?: number;
  /**
   * Fine-tuning epochs of Adam on ctx.train after pruning; 0 = none. Default 30 for `prune-structured`
   * (the MLP is small by then), 10 for `prune` (the matrices keep their full size: an epoch of
   * digits_mlp costs about 1.7 s here).
   */
  readonly epochs?: number;
  /** Adam's learning rate. Default 1e-3. */
  readonly learningRate?: number;
  /** Default 32. */
  readonly batchSize?: number;
}

/**
 * Settings of `prune`.
 *
 * @example
 * ```ts
 * const options: UnstructuredPruneOptions = { sparsity: 0.7, scope: "layer" };
 * ```
 */
export interface UnstructuredPruneOptions extends PruneOptions {
  /** One |w| threshold across all layers (default, torch `global_unstructured`) or one per layer. */
  readonly scope?: PruneScope;
}

const NO_SPEEDUP = "unstructured sparsity gives no speed-up in onnxruntime CPU (weights are dense at load)";

interface FineTuning {
  readonly epochs: number;
  readonly firstLoss: number;
  readonly lastLoss: number;
  readonly note: string;
}

/**
 * Fine-tunes `mlp` in place on ctx.train (the rows pass through the baseline's normalisation prefix
 * first, computed by onnxruntime): cross-entropy on labels or MSE on targets, Adam, seeded; `masks`
 * keep pruned weights at zero.
 */
async function fineTune(
  context: TechniqueContext,
  found: MlpGraph,
  mlp: Mlp,
  masks: readonly Uint8Array[] | undefined,
  options: PruneOptions,
  defaultEpochs: number,
): Promise<FineTuning> {
  const epochs = options.epochs ?? defaultEpochs;
  const last = mlp.layers.at(-1)!;
  const { train } = context;
  const expected = train.task === "classification" ? train.classes : 1;
  if (epochs === 0) return { epochs: 0, firstLoss: Number.NaN, lastLoss: Number.NaN, note: "not fine-tuned" };
  if (last.outputs !== expected || last.activation !== "identity")
    return {
      epochs: 0,
      firstLoss: Number.NaN,
      lastLoss: Number.NaN,
      note: `not fine-tuned: the last layer gives ${last.outputs} ${last.activation} outputs, the task needs ${expected} logits or values`,
    };
  const x =
    found.prefix.length === 0
      ? train.x
      : (await fetchTensors(context, context.model, [found.layerInput]))[0]!;
  const { data, loss } = supervised(train, x);
  const learningRate = options.learningRate ?? 1e-3;
  const trainer = new MlpTrainer(mlp, {
    loss,
    seed: context.seed,
    optimizer: { kind: "adam", learningRate },
    batchSize: options.batchSize ?? 32,
    ...(masks === undefined ? {} : { masks }),
  });
  let firstLoss = Number.NaN;
  let lastLoss = Number.NaN;
  for (let e = 0; e < epochs; e++) {
    lastLoss = trainer.trainEpoch(data);
    if (e === 0) firstLoss = lastLoss;
    context.progress?.("fine-tune", e + 1, epochs);
  }
  return {
    epochs,
    firstLoss,
    lastLoss,
    note: `fine-tuned ${epochs} epochs on ${train.rows} rows: ${loss.kind}, Adam (η = ${learningRate}, batch ${options.batchSize ?? 32}), seed ${context.seed}${masks === undefined ? "" : ", masks keep the pruned weights at 0"}; loss ${firstLoss.toFixed(4)} → ${lastLoss.toFixed(4)}`,
  };
}

function notAnMlp(name: string, context: TechniqueContext): { found?: MlpGraph; skipped: string[] } {
  const found = extractMlp(context.model);
  if (!found.ok) return { skipped: [`${name}: ${found.reason}`] };
  return { found: found.graph, skipped: [] };
}

/**
 * `prune`: unstructured magnitude pruning of the MLP's weight matrices to `sparsity` (0.7), one
 * threshold across layers by default, biases kept; then fine-tuning (10 epochs) with masks so the zeros stay;
 * the weights written back into the baseline's graph. The candidate reports what it saves: bitmask
 * bytes of the weights (⌈n/8⌉ + 4·nnz) and the gzip size of the file, and that onnxruntime on CPU
 * runs it no faster.
 *
 * @example
 * ```ts
 * const { candidates, skipped } = await pruneTechnique({ sparsity: 0.7 }).run(ctx);
 * ```
 */
export function pruneTechnique(options: UnstructuredPruneOptions = {}): Technique {
  return {
    name: "prune",
    async run(context) {
      const { found, skipped } = notAnMlp("prune", context);
      if (found === undefined) return { candidates: [], skipped };
      try {
        const sparsity = options.sparsity ?? 0.7;
        const scope = options.scope ?? "global";
        const { mlp, masks } = magnitudePruneMlp(found.mlp, sparsity, scope);
        const tuning = await fineTune(context, found, mlp, masks, options, 10);
        const bytes = encodeModel(writeMlpWeights(context.model, found, mlp));
        let dense = 0;
        let bitmask = 0;
        let zeros = 0;
        let total = 0;
        for (const layer of mlp.layers) {
          const s = sparseSizes(layer.weight, { rows: layer.outputs });
          dense += s.dense;
          bitmask += s.bitmask;
          zeros += s.elements - s.nonZero;
          total += s.elements;
        }
        const gzipBaseline = gzipSync(context.bytes, { level: 9 }).length;
        const gzipPruned = gzipSync(bytes, { level: 9 }).length;
        const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
        const candidate: Candidate = {
          technique: "prune",
          label: `magnitude pruning to ${pct(sparsity)} (${scope === "global" ? "one threshold across layers" : "per layer"}), fine-tuned`,
          bytes,
          notes: [
            `${zeros} of ${total} weights (${pct(zeros / total)}) set to zero by |w| (${scope === "global" ? "one threshold across all layers" : "each layer on its own"}); biases kept`,
            tuning.note,
            `weights: ${dense} bytes dense, ${bitmask} bytes as bitmask + non-zeros (${pct(bitmask / dense)}); file gzip -9: ${gzipBaseline} → ${gzipPruned} bytes (${pct(gzipPruned / gzipBaseline)})`,
            NO_SPEEDUP,
          ],
          parameters: {
            sparsity,
            scope,
            finetuneEpochs: tuning.epochs,
            finetuneLoss: [tuning.firstLoss, tuning.lastLoss],
            weightsDenseBytes: dense,
            weightsBitmaskBytes: bitmask,
            gzipBaselineBytes: gzipBaseline,
            gzipBytes: gzipPruned,
          },
        };
        return { candidates: [candidate], skipped: [] };
      } catch (error) {
        return { candidates: [], skipped: [`prune: ${reasonOf(error)}`] };
      }
    },
  };
}

/**
 * `prune-structured`: removes `sparsity` (0.7) of every hidden layer's units, ranked by the L2 norm
 * of the weights that go with them; rewrites the initializers' shapes (W_l rows, b_l, W_{l+1}
 * columns); fine-tunes the smaller MLP on ctx.train (no masks: every remaining weight trains); writes
 * the weights back. Skipped, with the reason, for a model that is not an MLP or has no hidden layer.
 *
 * @example
 * ```ts
 * const { candidates } = await structuredPruneTechnique({ sparsity: 0.7, epochs: 30 }).run(ctx);
 * ```
 */
export function structuredPruneTechnique(options: PruneOptions = {}): Technique {
  return {
    name: "prune-structured",
    async run(context) {
      const { found, skipped } = notAnMlp("prune-structured", context);
      if (found === undefined) return { candidates: [], skipped };
      if (found.mlp.layers.length < 2)
        return { candidates: [], skipped: ["prune-structured: a single dense layer has no hidden units"] };
      try {
        const sparsity = options.sparsity ?? 0.7;
        const { mlp, kept } = pruneHiddenUnits(found.mlp, sparsity);
        const tuning = await fineTune(context, found, mlp, undefined, options, 30);
        const bytes = encodeModel(writeMlpWeights(context.model, found, mlp));
        const widths = (m: Mlp) => [m.layers[0]!.inputs, ...m.layers.map((l) => l.outputs)].join("-");
        const candidate: Candidate = {
          technique: "prune-structured",
          label: `structured pruning: ${Math.round(100 * sparsity)}% of hidden units removed (${widths(found.mlp)} → ${widths(mlp)}), fine-tuned`,
          bytes,
          notes: [
            `hidden units ranked by the L2 norm of their incoming row, bias and outgoing column; kept ${kept.map((k, l) => `${k.length}/${found.mlp.layers[l]!.outputs}`).join(", ")}`,
            tuning.note,
            `file ${context.bytes.length} → ${bytes.length} bytes`,
          ],
          parameters: {
            sparsity,
            norm: "l2",
            widths: widths(mlp),
            finetuneEpochs: tuning.epochs,
            finetuneLoss: [tuning.firstLoss, tuning.lastLoss],
          },
        };
        return { candidates: [candidate], skipped: [] };
      } catch (error) {
        return { candidates: [], skipped: [`prune-structured: ${reasonOf(error)}`] };
      }
    },
  };
}
