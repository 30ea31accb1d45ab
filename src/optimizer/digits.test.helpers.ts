import { readFileSync } from "node:fs";
import { decodeModel, openSession } from "../onnx/index.js";
import { repoPath } from "../testing/paths.js";
import { argmaxRows } from "../train/index.js";
import type { OptimizationData, TechniqueContext } from "./technique.js";

/** Rows of a [rows, width] matrix, in the order given. */
export function takeRows(x: Float32Array, width: number, rows: readonly number[]): Float32Array {
  const out = new Float32Array(rows.length * width);
  rows.forEach((r, i) => {
    out.set(x.subarray(r * width, (r + 1) * width), i * width);
  });
  return out;
}

/** data/digits/digits.csv as the MLP's input (pixel / 16), split by models.json's test rows. */
export function digitsSplit(): {
  train: OptimizationData;
  test: { x: Float32Array; rows: number; labels: Int32Array };
} {
  const lines = readFileSync(repoPath("data", "digits", "digits.csv"), "utf8")
    .trim()
    .split("\n");
  const header = lines[0]!.split(",");
  const target = header.indexOf("target");
  const n = lines.length - 1;
  const x = new Float32Array(n * 64);
  const labels = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const cells = lines[r + 1]!.split(",").map(Number);
    let k = 0;
    cells.forEach((v, c) => {
      if (c === target) labels[r] = v;
      else x[r * 64 + k++] = v / 16;
    });
  }
  const meta = JSON.parse(readFileSync(repoPath("models", "models.json"), "utf8")) as Record<
    string,
    { test_rows: number[] }
  >;
  const testRows = meta["digits_mlp.onnx"]!.test_rows;
  const held = new Set(testRows);
  const trainRows = [...Array(n).keys()].filter((r) => !held.has(r));
  return {
    train: {
      x: takeRows(x, 64, trainRows),
      rows: trainRows.length,
      width: 64,
      labels: Float64Array.from(trainRows, (r) => labels[r]!),
      task: "classification",
      classes: 10,
    },
    test: {
      x: takeRows(x, 64, testRows),
      rows: testRows.length,
      labels: Int32Array.from(testRows, (r) => labels[r]!),
    },
  };
}

/** A technique context for a bundled digits model trained on every row but models.json's test rows. */
export function digitsContext(name: "digits_mlp" | "digits_cnn", train: OptimizationData): TechniqueContext {
  const bytes = new Uint8Array(readFileSync(repoPath("models", `${name}.onnx`)));
  return {
    model: decodeModel(bytes),
    bytes,
    train,
    input:
      name === "digits_mlp" ? { name: "input", shape: [-1, 64] } : { name: "image", shape: [-1, 1, 8, 8] },
    output: "logits",
    seed: 7,
  };
}

/** The model's outputs (float32, row-major) on `x` through onnxruntime, one thread. */
export async function runModel(
  bytes: Uint8Array,
  input: { name: string; shape: readonly number[] },
  output: string,
  x: Float32Array,
  rows: number,
): Promise<Float32Array> {
  const session = await openSession(bytes, { intraOpNumThreads: 1 });
  try {
    const out = await session.run({ [input.name]: { data: x, dims: [rows, ...input.shape.slice(1)] } }, [
      output,
    ]);
    return Float32Array.from(out[output]!.data as Float32Array);
  } finally {
    await session.release();
  }
}

/** Top-1 accuracy of a classifier's outputs. */
export function accuracy(outputs: Float32Array, labels: Int32Array, classes: number): number {
  const predicted = argmaxRows(Float64Array.from(outputs), labels.length, classes);
  let right = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) right++;
  return right / labels.length;
}
