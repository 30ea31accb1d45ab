import { type OnnxSession, openSession } from "../onnx/index.js";
import type { ModelSignature } from "./signature.js";
import type { OptimizationData } from "./technique.js";

/** Rows per run when predicting: big enough to amortise a run, small enough to bound memory. */
const PREDICT_BATCH = 512;

/**
 * Runs `bytes` on every row of `data` (in batches of 512) and returns the output, row-major
 * `[rows, outputWidth]`. Sessions use the same settings as the latency measurement.
 *
 * @example
 * ```ts
 * const { values, width } = await predictRows(bytes, signature, data); // width 10 for digits
 * ```
 */
export async function predictRows(
  bytes: Uint8Array,
  signature: ModelSignature,
  data: Pick<OptimizationData, "x" | "rows" | "width">,
  options: { readonly threads?: number } = {},
): Promise<{ readonly values: Float32Array; readonly width: number }> {
  const session = await openSession(bytes, {
    graphOptimizationLevel: "all",
    intraOpNumThreads: options.threads ?? 1,
    interOpNumThreads: 1,
    executionMode: "sequential",
  });
  try {
    return await predictWith(session, signature, data);
  } finally {
    await session.release();
  }
}

async function predictWith(
  session: OnnxSession,
  signature: ModelSignature,
  data: Pick<OptimizationData, "x" | "rows" | "width">,
): Promise<{ values: Float32Array; width: number }> {
  let out: Float32Array | undefined;
  let outWidth = 0;
  for (let start = 0; start < data.rows; start += PREDICT_BATCH) {
    const n = Math.min(PREDICT_BATCH, data.rows - start);
    const feed = data.x.subarray(start * data.width, (start + n) * data.width);
    const result = await session.run(
      {
        [signature.input.name]: { type: "float32", data: feed, dims: [n, ...signature.input.shape.slice(1)] },
      },
      [signature.output.name],
    );
    const tensor = result[signature.output.name]!;
    const values = Float32Array.from(tensor.data as ArrayLike<number>);
    if (out === undefined) {
      outWidth = values.length / n;
      out = new Float32Array(data.rows * outWidth);
    }
    out.set(values, start * outWidth);
  }
  return { values: out ?? new Float32Array(0), width: outWidth };
}

/**
 * The per-row score the task's metric averages: 1/0 for a correct/wrong class (argmax, first
 * maximum on ties), or the absolute error of a regression.
 *
 * @example
 * ```ts
 * rowScores(Float32Array.of(0.1, 0.9), 2, Float64Array.of(1), "classification"); // Float64Array [1]
 * ```
 */
export function rowScores(
  output: Float32Array,
  width: number,
  labels: Float64Array,
  task: "classification" | "regression",
): Float64Array {
  const rows = labels.length;
  const scores = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    if (task === "regression") {
      scores[r] = Math.abs(output[r * width]! - labels[r]!);
      continue;
    }
    let best = 0;
    let bestValue = output[r * width]!;
    for (let c = 1; c < width; c++) {
      const v = output[r * width + c]!;
      if (v > bestValue) {
        bestValue = v;
        best = c;
      }
    }
    scores[r] = best === labels[r] ? 1 : 0;
  }
  return scores;
}

/**
 * The rows of `data` listed in `rows`, as a new {@link OptimizationData}.
 *
 * @example
 * ```ts
 * const train = selectRows(data, Int32Array.of(0, 2, 5));
 * ```
 */
export function selectRows(data: OptimizationData, rows: ArrayLike<number>): OptimizationData {
  const n = rows.length;
  const x = new Float32Array(n * data.width);
  const labels = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    x.set(data.x.subarray(r * data.width, (r + 1) * data.width), i * data.width);
    labels[i] = data.labels[r]!;
  }
  return { x, rows: n, width: data.width, labels, task: data.task, classes: data.classes };
}
