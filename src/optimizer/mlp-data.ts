import { addGraphOutputs, encodeModel, type OnnxModel, openSession } from "../onnx/index.js";
import type { LossSpec, TrainingData } from "../train/index.js";
import type { OptimizationData, TechniqueContext } from "./technique.js";

/**
 * The I/O the MLP techniques share: running the baseline with onnxruntime to get the tensors the
 * trainer learns from (the normalised inputs, the teacher's logits), and the loss for the task.
 */

/**
 * Runs `model` on the context's training rows in batches of 256 and returns the named tensors, each
 * row-major [rows, width] as float32. Names that are not graph outputs are added as outputs first.
 *
 * @example
 * ```ts
 * const [z, logits] = await fetchTensors(ctx, model, ["/0/Div_output_0", "/fc/Gemm_output_0"]);
 * ```
 */
export async function fetchTensors(
  context: Pick<TechniqueContext, "input" | "train">,
  model: OnnxModel,
  names: readonly string[],
  batch = 256,
): Promise<Float32Array[]> {
  const { x, rows, width } = context.train;
  const session = await openSession(encodeModel(addGraphOutputs(model, names)), { intraOpNumThreads: 1 });
  try {
    const parts: Float32Array[][] = names.map(() => []);
    for (let start = 0; start < rows; start += batch) {
      const count = Math.min(batch, rows - start);
      const dims = [count, ...context.input.shape.slice(1)];
      const out = await session.run(
        { [context.input.name]: { data: x.slice(start * width, (start + count) * width), dims } },
        names,
      );
      names.forEach((name, i) => {
        parts[i]!.push(Float32Array.from(out[name]!.data as Float32Array));
      });
    }
    return parts.map((chunks) => {
      const all = new Float32Array(chunks.reduce((n, c) => n + c.length, 0));
      let at = 0;
      for (const c of chunks) {
        all.set(c, at);
        at += c.length;
      }
      return all;
    });
  } finally {
    await session.release();
  }
}

/**
 * The trainer's data and loss for the task: cross-entropy on class labels, or MSE on the regression
 * targets (one output).
 *
 * @example
 * ```ts
 * const { data, loss } = supervised(ctx.train, z);
 * ```
 */
export function supervised(
  train: OptimizationData,
  x: Float32Array,
): { readonly data: TrainingData; readonly loss: LossSpec } {
  if (train.task === "classification")
    return {
      data: { x, rows: train.rows, labels: Int32Array.from(train.labels) },
      loss: { kind: "cross-entropy" },
    };
  return { data: { x, rows: train.rows, targets: Float32Array.from(train.labels) }, loss: { kind: "mse" } };
}

/**
 * Why an error stops a technique, in one line for its `skipped` list.
 *
 * @example
 * ```ts
 * skipped.push(`prune: ${reasonOf(error)}`);
 * ```
 */
export function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message.split("\n")[0]! : String(error);
}
