import { TikTokToeError } from "../errors/index.js";
import { decodeModel } from "./decode.js";
import { encodeModel } from "./encode.js";
import { addGraphOutputs, requireGraph } from "./graph.js";
import { type Feeds, openSession, type TensorValue } from "./runtime.js";
import type { OnnxModel } from "./types.js";

/**
 * One batch's values of the collected tensors, handed to the callback and then dropped.
 *
 * @example
 * ```ts
 * const onBatch = ({ index, values }: ActivationBatch) => update(index, values["/0/Gemm_output_0"]!);
 * ```
 */
export interface ActivationBatch {
  /** 0 for the first batch. */
  readonly index: number;
  readonly values: Readonly<Record<string, TensorValue>>;
}

/**
 * Options for {@link collectActivations}.
 *
 * @example
 * ```ts
 * await collectActivations(model, names, batches, onBatch, { intraOpNumThreads: 2 });
 * ```
 */
export interface CollectOptions {
  readonly intraOpNumThreads?: number;
}

/**
 * Streams intermediate tensors for calibration: adds `tensors` as graph outputs (untyped, which
 * onnxruntime accepts), opens one session with graph optimization disabled (fusions would remove
 * the tensors, as in ORT's own calibrator), runs every batch and hands its values to `onBatch`.
 * Memory stays bounded: the next batch is not pulled until `onBatch` has finished, and nothing is
 * kept (ORT's histogram calibrators keep every output, the cause of their OOM reports, §1.6).
 *
 * A name that is not a node output, graph input or initializer is REQUEST_INVALID.
 *
 * @example
 * ```ts
 * const ranges = new Map<string, { min: number; max: number }>();
 * await collectActivations(model, ["/0/Gemm_output_0"], batches, ({ values }) => {
 *   for (const [name, t] of Object.entries(values)) updateRange(ranges, name, t.data as Float32Array);
 * });
 * ```
 */
export async function collectActivations(
  model: OnnxModel | Uint8Array,
  tensors: readonly string[],
  batches: AsyncIterable<Feeds> | Iterable<Feeds>,
  onBatch: (batch: ActivationBatch) => void | Promise<void>,
  options: CollectOptions = {},
): Promise<{ readonly batches: number }> {
  const decoded = model instanceof Uint8Array ? decodeModel(model) : model;
  const graph = requireGraph(decoded);
  const known = new Set<string>([
    ...graph.node.flatMap((n) => n.output),
    ...graph.input.map((v) => v.name ?? ""),
    ...graph.initializer.map((t) => t.name ?? ""),
  ]);
  tensors.forEach((name, i) => {
    if (name === "" || !known.has(name))
      throw new TikTokToeError("REQUEST_INVALID", `tensor "${name}" is not in the model's graph`, {
        path: `tensors[${i}]`,
        hint: "name a node output, a graph input or an initializer of the main graph",
      });
  });
  const session = await openSession(encodeModel(addGraphOutputs(decoded, tensors)), {
    graphOptimizationLevel: "disabled",
    ...(options.intraOpNumThreads === undefined ? {} : { intraOpNumThreads: options.intraOpNumThreads }),
  });
  let index = 0;
  try {
    for await (const feeds of batches) {
      const values = await session.run(feeds, tensors);
      await onBatch({ index, values });
      index += 1;
    }
  } finally {
    await session.release();
  }
  return { batches: index };
}
